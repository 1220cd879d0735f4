# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    helpdesk_qa_manager_id = fields.Many2one(
        "res.users", string="Helpdesk QA Manager",
        domain=[("share", "=", False)],
        help="Receives the escalations of tickets whose SLA deadlines were missed "
             "(follows the ticket, gets an activity and a mail), the alert of each 1-2 "
             "star customer rating and the weekly satisfaction digest.")

    @api.multi
    def _helpdesk_low_rating_recipients(self):
        """The QA manager hears of low ratings; without one, the helpdesk managers."""
        self.ensure_one()
        manager = self.sudo().helpdesk_qa_manager_id
        if manager.active:
            return manager
        return super(ResCompany, self)._helpdesk_low_rating_recipients()

    @api.multi
    def _helpdesk_digest_recipients(self):
        """The QA manager is among the senior managers who receive the digest."""
        self.ensure_one()
        recipients = super(ResCompany, self)._helpdesk_digest_recipients()
        manager = self.sudo().helpdesk_qa_manager_id
        if manager.active and not manager.share:
            recipients |= manager
        return recipients
