# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import SUPERUSER_ID, _, api, models
from odoo.exceptions import AccessError

TICKET = "helpdesk.ticket"


class MailMessage(models.Model):
    _inherit = "mail.message"

    @api.model
    def create(self, values):
        # Odoo lets whoever reads a document create messages on it: on a ticket, a
        # customer only their own plain message to support, staff answer the customer
        # only where they may (whatever the path: message_post, chatter, RPC create).
        if values.get("model") == TICKET and self.env.uid != SUPERUSER_ID:
            Ticket = self.env[TICKET]
            if self.env.user.share:
                Ticket._check_customer_message(values)
            else:
                Ticket.browse(values.get("res_id"))._check_support_may_answer(
                    values.get("subtype_id"))
        return super(MailMessage, self).create(values)

    @api.multi
    def check_access_rule(self, operation):
        """Odoo 11 hides internal comments from customers, not internal notifications
        (tracking of the internal state, triage, QC notes): on tickets, a customer reads
        the messages with a public subtype, and their own."""
        super(MailMessage, self).check_access_rule(operation)
        if operation != "read" or self.env.uid == SUPERUSER_ID or not self.env.user.share:
            return
        partner = self.env.user.partner_id
        hidden = self.sudo().filtered(
            lambda m: m.model == TICKET and m.author_id != partner and (
                not m.subtype_id or m.subtype_id.internal))
        if hidden:
            raise AccessError(_("Sorry, you are not allowed to access this document."))
