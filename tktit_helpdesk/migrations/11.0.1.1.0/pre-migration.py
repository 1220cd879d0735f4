# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Record rules were noupdate data before 11.0.1.1.0: an upgrade kept their old texts
(every permission for customers and experts). They are regular data now; switch the
existing ones so that this upgrade rewrites them from security/helpdesk_rules.xml."""


def migrate(cr, version):
    if not version:
        return
    cr.execute("""
        UPDATE ir_model_data SET noupdate = FALSE
         WHERE module = 'tktit_helpdesk' AND model = 'ir.rule'""")
