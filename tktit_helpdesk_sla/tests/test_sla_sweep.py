# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The SLA sweep cron: at risk, breaches, escalation once per missed deadline, auto-close,
and its constant number of queries."""
from contextlib import suppress
from unittest.mock import patch

from odoo.tools import mute_logger

from odoo.addons.tktit_helpdesk.tests.common import MailSink
from odoo.addons.tktit_helpdesk_sla.models import helpdesk_ticket as sla_ticket

from .common import SlaCase, dt, frozen_now, s


class Rollback(Exception):
    pass


class TestSlaSweep(SlaCase):

    @classmethod
    def setUpClass(cls):
        super(TestSlaSweep, cls).setUpClass()
        cls.activity_type = cls.env.ref("tktit_helpdesk_sla.mail_activity_sla_escalation")
        cls.env["ir.config_parameter"].sudo().set_param(
            "tktit_helpdesk_sla.auto_close_hours", "48")

    def setUp(self):
        super(TestSlaSweep, self).setUp()
        self.mail_sink = MailSink()
        # Mails queued by the fixtures are not this test's business.
        self.env["mail.mail"].sudo().search([("state", "=", "outgoing")]).unlink()

    def escalation_activities(self, ticket):
        return self.env["mail.activity"].search([
            ("res_model", "=", "helpdesk.ticket"), ("res_id", "=", ticket.id),
            ("activity_type_id", "=", self.activity_type.id)])

    def escalation_notes(self, ticket):
        return ticket.message_ids.filtered(lambda m: "Escalated" in (m.subject or ""))

    def test_at_risk_at_80_percent(self):
        ticket = self.create_ticket(dt(2024, 3, 4, 9))
        self.sweep(dt(2024, 3, 5, 10, 35))
        self.assertEqual(ticket.sla_state, "on_track")
        counts = self.sweep(dt(2024, 3, 5, 10, 36))
        self.assertEqual(ticket.sla_state, "at_risk", "9h36 of 12h used")
        self.assertEqual(counts["at_risk"], 1)
        self.assertFalse(ticket.escalated)
        self.support_reply(ticket, dt(2024, 3, 5, 11))
        self.assertEqual(ticket.sla_state, "on_track", "the reply stops the clock at risk")

    def test_escalation_once_per_missed_deadline(self):
        ticket = self.create_ticket(dt(2024, 3, 4, 9), user_id=self.expert.id,
                                    state="in_progress")
        self.sweep(dt(2024, 3, 5, 13, 59))
        self.assertFalse(ticket.escalated, "the deadline has not passed")
        counts = self.sweep(dt(2024, 3, 5, 14, 1))
        self.assertEqual(counts["breached"], 1)
        self.assertEqual(counts["escalated"], 1)
        self.assertTrue(ticket.escalated)
        self.assertEqual(ticket.sla_state, "breached")
        self.assertTrue(ticket.sla_first_response_breached)
        self.assertIn(self.qa_manager.partner_id, ticket.message_partner_ids,
                      "the QA manager follows the ticket")
        activity = self.escalation_activities(ticket)
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.qa_manager)
        self.assertIn("First response", ticket.sla_escalation_reason)
        self.assertIn("Eddie Expert", ticket.sla_escalation_reason, "says by whom")
        self.assertEqual(len(self.escalation_notes(ticket)), 1)
        mails = [m for m in self.mail_sink.flush(self.env) if "Escalated" in m.subject]
        self.assertEqual(len(mails), 1, "one mail: %s" % mails)
        self.assertEqual(mails[0].to, ["sla.qa@example.com"],
                         "to the QA manager only, never to the customer")
        self.assertIn("First response deadline missed", mails[0].body)
        self.assertIn("Eddie Expert", mails[0].body)

        # Later sweeps do not escalate the same deadline again.
        for hour in (15, 16):
            counts = self.sweep(dt(2024, 3, 5, hour))
            self.assertEqual(counts["escalated"], 0)
        self.assertEqual(len(self.escalation_activities(ticket)), 1)
        self.assertEqual(len(self.escalation_notes(ticket)), 1)
        self.assertFalse([m for m in self.mail_sink.flush(self.env) if "Escalated" in m.subject])

        # A late reply, then a customer message whose response deadline is missed too:
        # a new missed deadline, escalated once.
        self.support_reply(ticket, dt(2024, 3, 5, 16))
        self.customer_message(ticket, dt(2024, 3, 6, 9))
        self.assertEqual(ticket.next_response_deadline, s(2024, 3, 7, 14))
        self.sweep(dt(2024, 3, 7, 14, 30))
        self.sweep(dt(2024, 3, 7, 15, 30))
        self.assertEqual(len(self.escalation_activities(ticket)), 2)
        self.assertIn("Response to the customer", ticket.sla_escalation_reason)
        self.assertEqual(ticket.sla_response_breach_count, 1)
        mails = [m for m in self.mail_sink.flush(self.env) if "Escalated" in m.subject]
        self.assertEqual(len(mails), 1)

    def test_breach_noticed_at_reply_is_escalated(self):
        ticket = self.create_ticket(dt(2024, 3, 4, 9))
        self.support_reply(ticket, dt(2024, 3, 5, 15))  # late, before any sweep ran
        self.assertTrue(ticket.sla_first_response_breached)
        self.sweep(dt(2024, 3, 5, 15, 5))
        self.assertTrue(ticket.escalated, "a deadline missed between two sweeps counts")
        self.assertEqual(len(self.escalation_activities(ticket)), 1)

    def test_resolution_breach_escalated(self):
        ticket = self.create_ticket(dt(2024, 3, 4, 9), priority="4")
        self.support_reply(ticket, dt(2024, 3, 4, 9, 30))
        self.sweep(dt(2024, 3, 5, 9, 1))
        self.assertTrue(ticket.sla_resolution_breached)
        self.assertIn("Resolution", ticket.sla_escalation_reason)
        self.assertNotIn("First response", ticket.sla_escalation_reason)

    def test_paused_ticket_does_not_breach(self):
        ticket = self.create_ticket(dt(2024, 3, 4, 9), priority="4")
        self.support_reply(ticket, dt(2024, 3, 4, 9, 30))
        self.set_state(ticket, dt(2024, 3, 4, 10), "awaiting_customer")
        self.sweep(dt(2024, 3, 8, 9))
        self.assertFalse(ticket.sla_resolution_breached, "waiting on the customer")
        self.assertFalse(ticket.escalated)

    def test_escalated_ticket_goes_first_in_queue(self):
        # Urgent has no policy of its own in the test plan: Normal's (12h/48h) applies.
        urgent = self.create_ticket(dt(2024, 3, 4, 8), priority="3", name="Urgent")
        self.support_reply(urgent, dt(2024, 3, 4, 8, 30))
        normal = self.create_ticket(dt(2024, 3, 4, 9), name="Normal")
        with frozen_now(dt(2024, 3, 4, 9, 30)):
            (urgent | normal).action_send_to_dispatch()
        domain = [("queue_id", "=", self.queue.id), ("state", "=", "dispatch")]
        self.assertEqual(self.Ticket.search(domain).ids, [urgent.id, normal.id],
                         "priority first")
        self.sweep(dt(2024, 3, 5, 14, 1))
        self.assertTrue(normal.escalated, "the unanswered ticket missed its first response")
        self.assertFalse(urgent.escalated, urgent.sla_escalation_reason)
        self.assertEqual(self.Ticket.search(domain).ids, [normal.id, urgent.id],
                         "the escalated ticket comes first in its queue")

    def test_without_qa_manager(self):
        self.env.user.company_id.helpdesk_qa_manager_id = False
        ticket = self.create_ticket(dt(2024, 3, 4, 9))
        self.sweep(dt(2024, 3, 6, 9))
        self.assertTrue(ticket.escalated)
        self.assertFalse(self.escalation_activities(ticket))

    def test_auto_close_after_48_hours(self):
        ticket = self.create_ticket(dt(2024, 3, 4, 9), state="in_progress")
        answered = self.create_ticket(dt(2024, 3, 4, 9), state="in_progress")
        self.support_reply(ticket, dt(2024, 3, 4, 10))
        self.support_reply(answered, dt(2024, 3, 4, 10))
        self.customer_message(answered, dt(2024, 3, 5, 10))
        self.support_reply(answered, dt(2024, 3, 5, 11))
        self.customer_message(answered, dt(2024, 3, 6, 9))
        self.assertEqual(ticket.state, "awaiting_customer")
        self.assertEqual(answered.state, "in_progress")
        self.mail_sink.flush(self.env)
        self.sweep(dt(2024, 3, 6, 9, 59))
        self.assertEqual(ticket.state, "awaiting_customer", "47h59: not yet")
        closing_writes = []
        write = sla_ticket.HelpdeskTicket.write

        def spy(records, vals):
            if "state" in vals:
                closing_writes.append(dict(vals))
            return write(records, vals)

        with patch.object(sla_ticket.HelpdeskTicket, "write", spy):
            counts = self.sweep(dt(2024, 3, 6, 10))
        self.assertEqual(counts["auto_closed"], 1, "the ticket silent for 48h is closed")
        self.assertEqual(ticket.state, "closed", "auto-close goes through action_close()")
        self.assertTrue(ticket.sla_auto_closed, "the closure says it was automatic")
        self.assertEqual(ticket.closed_on, s(2024, 3, 6, 10))
        self.assertEqual(
            [sorted(vals) for vals in closing_writes], [["closed_on", "sla_auto_closed", "state"]],
            "the auto-close must be one write of the closure values: %s" % closing_writes)
        self.assertNotIn("sla_auto_closed", answered._prepare_close_values(),
                         "a closure outside the auto-close is not automatic")
        self.assertEqual(answered.state, "in_progress", "the customer answered this one")
        mails = self.mail_sink.flush(self.env)
        closing = [m for m in mails if "was closed" in m.subject and
                   "peter@initech.example" in m.to]
        self.assertEqual(len(closing), 1, mails)
        self.assertIn("reply to this e-mail", closing[0].body)
        self.assertIn(ticket.number, closing[0].subject)
        self.assertEqual(self.sweep(dt(2024, 3, 6, 11))["auto_closed"], 0, "done once")

    def test_failed_escalation_alert_is_retried(self):
        ticket = self.create_ticket(dt(2024, 3, 4, 9), user_id=self.expert.id,
                                    state="in_progress", name="Alert fails")
        other = self.create_ticket(dt(2024, 3, 4, 9), user_id=self.expert.id,
                                   state="in_progress", name="Alert works")
        alert = sla_ticket.HelpdeskTicket._sla_alert_qa_manager

        def failing(records, *args):
            if records == ticket:
                raise RuntimeError("mail template broken")
            return alert(records, *args)

        with patch.object(sla_ticket.HelpdeskTicket, "_sla_alert_qa_manager", failing), \
                mute_logger("odoo.addons.tktit_helpdesk_sla.models.helpdesk_ticket"):
            counts = self.sweep(dt(2024, 3, 5, 14, 1))
        self.assertEqual(counts["escalated"], 2, "both missed deadlines must be escalated")
        self.assertTrue(ticket.escalated,
                        "a ticket whose alert failed must still go first in its queue")
        self.assertTrue(ticket.sla_alert_pending, "its failed alert must stay pending")
        self.assertFalse(self.escalation_activities(ticket),
                         "the failed alert's activity must be rolled back")
        self.assertFalse(other.sla_alert_pending, "the other ticket's alert was sent")
        self.assertEqual(len(self.escalation_activities(other)), 1,
                         "one failing alert must not block the other tickets' alerts")

        counts = self.sweep(dt(2024, 3, 5, 15))
        self.assertEqual(counts["escalated"], 0, "the missed deadline is escalated once")
        self.assertFalse(ticket.sla_alert_pending, "the retried alert must be sent")
        self.assertEqual(len(self.escalation_activities(ticket)), 1,
                         "the retried alert must schedule the QA manager's activity")
        self.assertIn("First response", ticket.sla_escalation_reason,
                      "the retried alert must still say which deadline was missed")
        mails = [m for m in self.mail_sink.flush(self.env)
                 if "Escalated" in m.subject and ticket.number in m.subject]
        self.assertEqual(len(mails), 1, "the QA manager must get the retried alert once: %s"
                         % mails)
        self.sweep(dt(2024, 3, 5, 16))
        self.assertEqual(len(self.escalation_activities(ticket)), 1,
                         "an alert sent must not be sent again")
        self.assertEqual(len(self.escalation_activities(other)), 1,
                         "an alert sent must not be sent again")

    def test_auto_close_survives_a_failing_ticket(self):
        tickets = self.Ticket.browse()
        for name in ("Close fails", "Mail fails", "Fine"):
            ticket = self.create_ticket(dt(2024, 3, 4, 9), state="in_progress", name=name)
            self.support_reply(ticket, dt(2024, 3, 4, 10))
            tickets |= ticket
        close_fails, mail_fails, fine = tickets
        self.assertEqual(set(tickets.mapped("state")), {"awaiting_customer"})
        Registry = type(self.Ticket)  # the model's class: the base's methods too
        close, notify = Registry._action_close, Registry._notify_customer

        def failing_close(records, *args, **kwargs):
            if close_fails in records:
                raise RuntimeError("constraint of another addon")
            return close(records, *args, **kwargs)

        def failing_notify(records, template, **values):
            if mail_fails in records and "auto_closed" in template:
                raise RuntimeError("SMTP down")
            return notify(records, template, **values)

        with patch.object(Registry, "_action_close", failing_close), \
                patch.object(Registry, "_notify_customer", failing_notify), \
                mute_logger("odoo.addons.tktit_helpdesk_sla.models.helpdesk_ticket"):
            counts = self.sweep(dt(2024, 3, 6, 10))
        self.assertEqual(counts["auto_closed"], 1,
                         "the batch must go on past the tickets that fail")
        self.assertEqual(fine.state, "closed", "the good ticket must be closed")
        self.assertEqual(close_fails.state, "awaiting_customer",
                         "a ticket whose closure failed must stay open")
        self.assertEqual(mail_fails.state, "awaiting_customer",
                         "a ticket whose mail failed must not be closed silently")
        self.assertTrue(close_fails.sla_sweep_failed_on and mail_fails.sla_sweep_failed_on,
                        "the failed tickets must go last in the next batch")
        counts = self.sweep(dt(2024, 3, 6, 11))
        self.assertEqual(counts["auto_closed"], 2, "the failed tickets must be retried")
        self.assertEqual(set(tickets.mapped("state")), {"closed"},
                         "every ticket must be closed once nothing fails")

    def test_failing_tickets_go_last(self):
        params = self.env["ir.config_parameter"].sudo()
        params.set_param("tktit_helpdesk_sla.sweep_batch_size", "1")
        first = self.create_ticket(dt(2024, 3, 4, 9), state="in_progress", name="Fails")
        second = self.create_ticket(dt(2024, 3, 4, 9), state="in_progress", name="Fine")
        for ticket in (first, second):
            self.support_reply(ticket, dt(2024, 3, 4, 10))
        notify = type(self.Ticket)._notify_customer

        def failing_notify(records, template, **values):
            if first in records and "auto_closed" in template:
                raise RuntimeError("SMTP down")
            return notify(records, template, **values)

        with patch.object(type(self.Ticket), "_notify_customer", failing_notify), \
                mute_logger("odoo.addons.tktit_helpdesk_sla.models.helpdesk_ticket"):
            self.sweep(dt(2024, 3, 6, 10))
            self.sweep(dt(2024, 3, 6, 11))
        self.assertEqual((first.state, second.state), ("awaiting_customer", "closed"),
                         "a ticket failing every time must not hold up the batch")

    def test_auto_close_configurable(self):
        ticket = self.create_ticket(dt(2024, 3, 4, 9), state="in_progress")
        self.support_reply(ticket, dt(2024, 3, 4, 10))
        params = self.env["ir.config_parameter"].sudo()
        params.set_param("tktit_helpdesk_sla.auto_close_hours", "0")
        self.sweep(dt(2024, 3, 20))
        self.assertEqual(ticket.state, "awaiting_customer", "0 disables auto-close")
        params.set_param("tktit_helpdesk_sla.auto_close_hours", "24")
        self.sweep(dt(2024, 3, 5, 10))
        self.assertEqual(ticket.state, "closed")

    def test_auto_closed_ticket_reopens_on_mail_reply(self):
        ticket = self.create_ticket(dt(2024, 3, 4, 9), state="in_progress")
        self.support_reply(ticket, dt(2024, 3, 4, 10))
        self.sweep(dt(2024, 3, 6, 10))
        self.assertEqual(ticket.state, "closed")
        with frozen_now(dt(2024, 3, 7, 9)):
            ticket.message_update({"body": "Still broken", "author_id": self.customer.id})
        self.assertEqual(ticket.state, "dispatch", "reopened (no expert: to the dispatcher)")
        self.assertTrue(ticket.resolution_deadline)

    def _measure_sweep(self, count, batch_size=2):
        """Queries of one sweep over ``count`` open tickets, every one of them due for
        escalation and half of them for auto-close (rolled back afterwards)."""
        result = {}
        with suppress(Rollback), self.env.cr.savepoint():  # rolled back, then swallowed
            self.env["ir.config_parameter"].sudo().set_param(
                "tktit_helpdesk_sla.sweep_batch_size", str(batch_size))
            for index in range(count):
                ticket = self.create_ticket(dt(2024, 3, 4, 9), state="in_progress",
                                            name="Load %s" % index)
                if index % 2:
                    self.support_reply(ticket, dt(2024, 3, 4, 10))
            self.env['helpdesk.ticket'].invalidate_cache()
            before = self.env.cr.sql_log_count
            result = self.sweep(dt(2024, 3, 8, 12))
            result["queries"] = self.env.cr.sql_log_count - before
            raise Rollback()
        self.env['helpdesk.ticket'].invalidate_cache()
        return result

    def test_sweep_query_count_is_constant(self):
        self._measure_sweep(4)  # warm the caches (templates, xml ids, ...)
        small = self._measure_sweep(4)
        large = self._measure_sweep(40)
        # Half of the tickets got no reply: their first response is breached.
        self.assertEqual(small["breached"], 2)
        self.assertEqual(large["breached"], 20, "every ticket's breach is recorded")
        self.assertEqual(large["escalated"], 2, "notifications go in bounded batches")
        self.assertEqual(large["auto_closed"], 2)
        self.assertEqual(small["queries"], large["queries"],
                         "sweep queries at N=4: %s, at 10N=40: %s" % (
                             small["queries"], large["queries"]))

    def test_sweep_query_count_without_work(self):
        def measure(count):
            with suppress(Rollback), self.env.cr.savepoint():  # rolled back, then swallowed
                for index in range(count):
                    self.create_ticket(dt(2024, 3, 4, 9), name="Calm %s" % index)
                self.sweep(dt(2024, 3, 4, 10))
                self.env['helpdesk.ticket'].invalidate_cache()
                before = self.env.cr.sql_log_count
                self.sweep(dt(2024, 3, 5, 11))  # all become at risk
                queries = self.env.cr.sql_log_count - before
                raise Rollback()
            return queries

        measure(5)
        self.assertEqual(measure(5), measure(50))
