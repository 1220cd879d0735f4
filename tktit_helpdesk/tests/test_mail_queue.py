# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""One mail queue run at a time, whatever the worker or host that starts it."""
from contextlib import closing

from odoo.sql_db import db_connect
from odoo.tests.common import SavepointCase

from odoo.addons.tktit_helpdesk.models.mail_mail import QUEUE_LOCK

from .fixtures import make_helpdesk, make_ticket


class TestMailQueue(SavepointCase):

    @classmethod
    def setUpClass(cls):
        super(TestMailQueue, cls).setUpClass()
        cls.h = make_helpdesk(cls.env)

    def queued(self, ticket):
        return self.env["mail.mail"].search([
            ("model", "=", ticket._name), ("res_id", "=", ticket.id),
            ("state", "=", "outgoing")])

    def test_a_second_run_leaves_the_queue_to_the_first(self):
        ticket = make_ticket(self.env, self.h.customer_a, self.h.tech, self.h.spec)
        mails = self.queued(ticket)
        self.assertTrue(mails, "the acknowledgement is queued")
        Mail = self.env["mail.mail"]
        # another worker's run holds the queue (its own connection)
        with closing(db_connect(self.cr.dbname).cursor()) as other:
            other.execute("SELECT pg_advisory_lock(%s)", (QUEUE_LOCK,))
            Mail.process_email_queue(ids=mails.ids)
            self.assertEqual(self.queued(ticket), mails, "nothing taken while it runs")
            other.execute("SELECT pg_advisory_unlock(%s)", (QUEUE_LOCK,))
        Mail.process_email_queue(ids=mails.ids)
        self.assertFalse(self.queued(ticket), "the next run sends them")
        # and the run let go of the lock
        self.cr.execute("SELECT pg_try_advisory_lock(%s)", (QUEUE_LOCK,))
        self.assertTrue(self.cr.fetchone()[0])
        self.cr.execute("SELECT pg_advisory_unlock(%s)", (QUEUE_LOCK,))
