# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import logging
import zlib

from odoo import api, models

_logger = logging.getLogger(__name__)

# the PostgreSQL advisory lock of the mail queue (any 64-bit key, fixed for all workers)
QUEUE_LOCK = zlib.crc32(b"tktit mail queue")


class MailMail(models.Model):
    _inherit = "mail.mail"

    @api.model
    def process_email_queue(self, ids=None):
        """One run of the mail queue at a time, across the workers and hosts sharing the
        database: Odoo 11 locks the cron job against itself only, so the cron worker and a
        "Run Manually" (or two hosts' crons started by hand) would take the same queued
        mails, both send them, and one fail on writing their state: the customer gets the
        mail twice. A run that finds the queue busy leaves it to the running one.

        A session lock (not a transaction one): the run commits after each mail. It is
        released in ``finally``, or by PostgreSQL when the connection goes."""
        cr = self.env.cr
        cr.execute("SELECT pg_try_advisory_lock(%s)", (QUEUE_LOCK,))
        if not cr.fetchone()[0]:
            _logger.info("mail queue: another run is sending, this one leaves it to it")
            return True
        try:
            return super(MailMail, self).process_email_queue(ids=ids)
        finally:
            cr.execute("SELECT pg_advisory_unlock(%s)", (QUEUE_LOCK,))
