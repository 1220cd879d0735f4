# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    support_plan_id = fields.Many2one(
        "helpdesk.support.plan", string="Support Plan", ondelete="restrict",
        help="Set on the organisation; its contacts share it. Empty: the default plan.")

    @api.model
    def _commercial_fields(self):
        # Kept in sync from the commercial entity down to its contacts.
        return super(ResPartner, self)._commercial_fields() + ["support_plan_id"]

    @api.multi
    def _get_support_plan(self):
        """The plan that applies to this partner: its organisation's, else the default."""
        self.ensure_one()
        return self.commercial_partner_id.support_plan_id or \
            self.env["helpdesk.support.plan"]._get_default_plan()
