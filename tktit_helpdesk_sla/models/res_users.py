# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models


class ResUsers(models.Model):
    _inherit = "res.users"

    @api.model
    def _helpdesk_home_rules(self):
        # helpdesk managers without the overview: the SLA analysis, before the
        # dispatcher queue their group implies
        return super(ResUsers, self)._helpdesk_home_rules() + [
            (15, "tktit_helpdesk.group_helpdesk_manager",
             "tktit_helpdesk_sla.helpdesk_sla_report_action"),
        ]

    @api.multi
    def _helpdesk_home_action(self):
        """A company's QA manager (who gets the escalations) lands on the managers'
        dashboard, the overview or else the SLA analysis, even outside their group."""
        self.ensure_one()
        if self.env["res.company"].sudo().search_count(
                [("helpdesk_qa_manager_id", "=", self.id)]):
            for xmlid in ("tktit_helpdesk.helpdesk_queue_action_overview",
                          "tktit_helpdesk_sla.helpdesk_sla_report_action"):
                action = self.env.ref(xmlid, raise_if_not_found=False)
                if action and self._helpdesk_home_allowed(action):
                    return action
        return super(ResUsers, self)._helpdesk_home_action()
