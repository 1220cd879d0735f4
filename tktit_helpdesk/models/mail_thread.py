# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The mail gateway's loop and noise guard, in front of every route Odoo computes.

A helpdesk mailbox meets other robots: out-of-office answers, mailing lists, delivery
reports, and its own mails coming back. Odoo 11 routes them like any mail: an auto-reply
to an acknowledgement would open a ticket, whose acknowledgement gets another auto-reply,
and so on. Here an automatic or bulk mail (RFC 3834's ``Auto-Submitted``, ``X-Autoreply``,
``Precedence: bulk``...) or a mail from one of our own addresses is not routed at all: no record,
no answer (an answer to a robot is how loops start). Delivery reports addressed to the
bounce alias still reach Odoo's own bounce handling first (the partner's bounce count)."""
import logging

from odoo import api, models, tools

_logger = logging.getLogger(__name__)

# header -> the values that mark a mail as automatic (None: any value but "no")
AUTOMATIC = (
    ("Auto-Submitted", None),  # RFC 3834: auto-replied, auto-generated, auto-notified
    ("X-Autoreply", None),
    ("X-Autorespond", None),
    ("X-Auto-Reply", None),
    ("Precedence", ("bulk", "junk", "list", "auto_reply")),
)


class MailThread(models.AbstractModel):
    _inherit = "mail.thread"

    @api.model
    def message_route(self, message, message_dict, model=None, thread_id=None,
                      custom_values=None):
        reason = self._mail_noise_reason(message)
        if reason:
            _logger.info("Routing mail with Message-Id %s from %s: not routed, %s",
                         message.get("Message-Id"), message.get("From"), reason)
            return []
        routes = super(MailThread, self).message_route(
            message, message_dict, model=model, thread_id=thread_id,
            custom_values=custom_values)
        return self.env["helpdesk.ticket"]._gateway_filter_routes(message, message_dict, routes)

    @api.model
    def _mail_noise_reason(self, message):
        """Why ``message`` (an email.message.Message) must not be routed, or None."""
        ICP = self.env["ir.config_parameter"].sudo()
        bounce_alias = ICP.get_param("mail.bounce.alias")
        to_localpart = (tools.email_split(tools.decode_message_header(message, "To")) or
                        [""])[0].split("@", 1)[0].lower()
        if bounce_alias and bounce_alias in to_localpart:
            return None  # a delivery report for Odoo's bounce handling
        if message.get_content_type() == "multipart/report":
            return None  # a report to another address: Odoo drops it itself
        for header, values in AUTOMATIC:
            value = (message.get(header) or "").strip().lower()
            if value and (value in values if values else value != "no"):
                return "an automatic mail (%s: %s)" % (header, value)
        sender = (tools.email_split(tools.decode_message_header(message, "From")) or
                  [""])[0].lower()
        if sender and sender in self._mail_own_addresses():
            return "a mail from our own address %s (a loop)" % sender
        return None

    @api.model
    def _mail_own_addresses(self):
        """The addresses Odoo itself sends from or receives at: the aliases, the catchall
        and bounce aliases of the alias domain, the companies' addresses (people of the
        company, with their own mailboxes in that domain, are not among them)."""
        ICP = self.env["ir.config_parameter"].sudo()
        own = {email.lower() for email in
               self.env["res.company"].sudo().search([]).mapped("email") if email}
        domain = (ICP.get_param("mail.catchall.domain") or "").lower()
        if domain:
            names = set(self.env["mail.alias"].sudo().search(
                [("alias_name", "!=", False)]).mapped("alias_name"))
            names |= {ICP.get_param("mail.catchall.alias"), ICP.get_param("mail.bounce.alias")}
            own |= {"%s@%s" % (name.lower(), domain) for name in names if name}
        return own
