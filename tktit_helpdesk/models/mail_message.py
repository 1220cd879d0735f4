# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import SUPERUSER_ID, api, models


class MailMessage(models.Model):
    _inherit = "mail.message"

    @api.model
    def create(self, values):
        # Portal users may create messages on documents they read (Odoo's rule): on a
        # ticket, only their own plain message to support (message_post, chatter or RPC).
        if values.get("model") == "helpdesk.ticket" and self.env.uid != SUPERUSER_ID \
                and self.env.user.share:
            self.env["helpdesk.ticket"]._check_customer_message(values)
        return super(MailMessage, self).create(values)
