# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import logging
import zlib

from odoo import SUPERUSER_ID, _, api, models
from odoo.exceptions import AccessError

_logger = logging.getLogger(__name__)

# the PostgreSQL advisory lock of the mail queue (any 64-bit key, fixed for all workers)
QUEUE_LOCK = zlib.crc32(b"tktit mail queue")


class MailMail(models.Model):
    """Odoo 11 gives portal users (and employees) create and write rights on the mail
    queue, because a message they post queues its notification mails in their name. By
    JSON-RPC, that is an open relay: a customer could queue any mail to anyone, sent by
    our server. Here a portal user's mail must be the notification of their own message,
    to partners that message notifies, nothing else; they never change queued mails,
    and only the cron (superuser) or an administrator runs the queue."""

    _inherit = "mail.mail"

    def _is_portal_caller(self):
        return self.env.uid != SUPERUSER_ID and self.env.user.share

    @api.model
    def create(self, values):
        if self._is_portal_caller():
            self._check_portal_notification(values)
        return super(MailMail, self).create(values)

    @api.multi
    def write(self, vals):
        if self._is_portal_caller():
            raise AccessError(_("Queued mails are not customers' to change."))
        return super(MailMail, self).write(vals)

    @api.model
    def _check_portal_notification(self, values):
        message = self.env["mail.message"].sudo().browse(values.get("mail_message_id"))
        recipients = {command[1] for command in values.get("recipient_ids") or []
                      if command and command[0] == 4}
        recipients |= {pid for command in values.get("recipient_ids") or []
                       if command and command[0] == 6 for pid in command[2]}
        notified = set((message.partner_ids | message.needaction_partner_ids).ids) \
            if message.exists() else set()
        if not message.exists() or message.author_id != self.env.user.partner_id or \
                values.get("email_to") or values.get("email_cc") or \
                not recipients or not recipients <= notified:
            raise AccessError(_(
                "A customer's mail is the notification of their own message to its "
                "recipients; nothing else is sent in their name."))

    @api.model
    def process_email_queue(self, ids=None):
        """One run of the mail queue at a time, across the workers and hosts sharing the
        database: Odoo 11 locks the cron job against itself only, so the cron worker and a
        "Run Manually" (or two hosts' crons started by hand) would take the same queued
        mails, both send them, and one fail on writing their state: the customer gets the
        mail twice. A run that finds the queue busy leaves it to the running one.

        A session lock (not a transaction one): the run commits after each mail. It is
        released in ``finally``, or by PostgreSQL when the connection goes."""
        if self.env.uid != SUPERUSER_ID and not self.env.user.has_group("base.group_system"):
            raise AccessError(_("The mail queue is run by its cron or an administrator."))
        cr = self.env.cr
        cr.execute("SELECT pg_try_advisory_lock(%s)", (QUEUE_LOCK,))
        if not cr.fetchone()[0]:
            _logger.info("mail queue: another run is sending, this one leaves it to it")
            return True
        try:
            return super(MailMail, self).process_email_queue(ids=ids)
        finally:
            cr.execute("SELECT pg_advisory_unlock(%s)", (QUEUE_LOCK,))
