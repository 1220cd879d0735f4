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
    def write(self, vals):
        # the QA manager lands on the managers' dashboard (res_users.py): the one named
        # and the one replaced get the home of their roles now, not at their next change
        before = self.mapped("helpdesk_qa_manager_id") if "helpdesk_qa_manager_id" in vals \
            else None
        res = super(ResCompany, self).write(vals)
        if before is not None:
            (before | self.mapped("helpdesk_qa_manager_id"))._helpdesk_update_home_action()
        return res

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
