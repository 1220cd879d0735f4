# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""SLA clocks of tickets, in the UTC office hours of the test plan (Mon-Fri 8-12, 13-17).
Week of Monday 2024-03-04."""
from unittest.mock import patch

from odoo import fields
from odoo.addons.tktit_helpdesk_sla.models import helpdesk_ticket as sla_ticket

from .common import SlaCase, dt, frozen_now, s


class TestSlaClocks(SlaCase):

    def test_deadlines_from_submission(self):
        ticket = self.create_ticket(dt(2024, 3, 4, 9))
        self.assertEqual(ticket.sla_start_on, s(2024, 3, 4, 9))
        # 12h: Monday 7h, Tuesday 8-12 4h, 13-14 1h.
        self.assertEqual(ticket.first_response_deadline, s(2024, 3, 5, 14))
        # 48h: Monday 7h + Tue-Fri 32h + Monday 8h = 47h, Tuesday 8-9.
        self.assertEqual(ticket.resolution_deadline, s(2024, 3, 12, 9))
        self.assertFalse(ticket.next_response_deadline, "no customer message to answer yet")
        # 80% of 12h = 9h36: Monday 7h, Tuesday 08:00 + 2h36.
        self.assertEqual(ticket.sla_at_risk_on, s(2024, 3, 5, 10, 36))
        self.assertEqual(ticket.sla_state, "on_track")

    def test_created_outside_business_hours(self):
        ticket = self.create_ticket(dt(2024, 3, 9, 10))  # Saturday
        self.assertEqual(ticket.first_response_deadline, s(2024, 3, 12, 12),
                         "the clock starts on Monday 08:00: Monday 8h + Tuesday 4h")
        self.assertEqual(ticket.resolution_deadline, s(2024, 3, 18, 17))

    def test_holiday_moves_deadline(self):
        self.env["resource.calendar.leaves"].create({
            "name": "Bank holiday", "calendar_id": self.calendar.id,
            "date_from": s(2024, 3, 5), "date_to": s(2024, 3, 5, 23, 59, 59)})
        ticket = self.create_ticket(dt(2024, 3, 4, 9))
        self.assertEqual(ticket.first_response_deadline, s(2024, 3, 6, 14),
                         "Tuesday is a holiday: Monday 7h, Wednesday 5h")

    def test_resource_leave_is_not_a_holiday(self):
        resource = self.env["resource.resource"].create({"name": "Eddie",
                                                         "calendar_id": self.calendar.id})
        self.env["resource.calendar.leaves"].create({
            "name": "Eddie's day off", "calendar_id": self.calendar.id,
            "resource_id": resource.id, "date_from": s(2024, 3, 5),
            "date_to": s(2024, 3, 6)})
        ticket = self.create_ticket(dt(2024, 3, 4, 9))
        self.assertEqual(ticket.first_response_deadline, s(2024, 3, 5, 14))

    def test_calendar_time_zone(self):
        self.calendar.tz = "Asia/Tehran"
        tehran_week = [(0, 0, {"name": "d%s" % d, "dayofweek": str(d), "hour_from": 8,
                               "hour_to": 16.5}) for d in (5, 6, 0, 1, 2)]
        self.calendar.write({"attendance_ids": [(5, 0, 0)] + tehran_week})
        # Wednesday 2024-03-06 12:00 UTC = 15:30 in Tehran: 1h left, then Saturday.
        ticket = self.create_ticket(dt(2024, 3, 6, 12))
        # 12h: Wed 1h, Sat 8.5h (ends 16:30), Sun 08:00 + 2.5h = Sun 10:30 Tehran = 07:00 UTC
        self.assertEqual(ticket.first_response_deadline, s(2024, 3, 10, 7))

    def test_support_reply_meets_first_response(self):
        ticket = self.create_ticket(dt(2024, 3, 4, 9))
        self.support_reply(ticket, dt(2024, 3, 4, 15))
        self.assertEqual(ticket.first_support_reply_on, s(2024, 3, 4, 15))
        self.assertEqual(ticket.sla_first_response_hours, 5.0,
                         "9-12 and 13-15: five business hours")
        self.assertFalse(ticket.sla_first_response_breached)
        self.assertFalse(ticket.next_response_deadline)
        self.assertEqual(ticket.sla_at_risk_on, s(2024, 3, 8, 16, 24),
                         "only the resolution clock runs now (80% of 48h)")

    def test_notification_is_not_a_support_reply(self):
        ticket = self.create_ticket(dt(2024, 3, 4, 9))
        with frozen_now(dt(2024, 3, 4, 10)):
            ticket.action_request_clarification("Which printer?")
        self.assertFalse(ticket.first_support_reply_on,
                         "the automatic clarification mail does not stop the clock")
        self.assertEqual(ticket.first_response_deadline, s(2024, 3, 5, 14))

    def test_late_first_reply_is_breached(self):
        ticket = self.create_ticket(dt(2024, 3, 4, 9))
        self.support_reply(ticket, dt(2024, 3, 5, 14, 1))
        self.assertTrue(ticket.sla_first_response_breached)
        self.assertEqual(ticket.sla_state, "breached")

    def test_each_customer_message_restarts_response_clock(self):
        ticket = self.create_ticket(dt(2024, 3, 4, 9), state="in_progress")
        self.support_reply(ticket, dt(2024, 3, 4, 10))
        self.assertEqual(ticket.state, "awaiting_customer")
        self.customer_message(ticket, dt(2024, 3, 6, 10))
        self.assertEqual(ticket.state, "in_progress")
        # 12h from Wednesday 10:00: Wed 6h, Thu 8-12 4h, 13-15 2h.
        self.assertEqual(ticket.next_response_deadline, s(2024, 3, 7, 15))
        self.assertEqual(ticket.sla_next_answer_due, s(2024, 3, 7, 15))
        self.customer_message(ticket, dt(2024, 3, 7, 9))
        # Restarted: Thu 9-12 3h, 13-17 4h, Fri 8-12 4h, 13-14 1h.
        self.assertEqual(ticket.next_response_deadline, s(2024, 3, 8, 14))
        self.support_reply(ticket, dt(2024, 3, 8, 10))
        self.assertFalse(ticket.next_response_deadline, "a support reply stops the clock")
        self.assertFalse(ticket.sla_response_breached_deadline)
        self.assertEqual(ticket.sla_response_breach_count, 0)

    def test_messages_within_the_same_second_keep_their_order(self):
        """Timestamps have one-second resolution: who spoke last decides, not the clock."""
        ticket = self.create_ticket(dt(2024, 3, 4, 9), state="in_progress")
        moment = dt(2024, 3, 4, 10)
        self.support_reply(ticket, moment)
        self.customer_message(ticket, moment)
        self.assertEqual((ticket.state, ticket.customer_awaits_reply), ("in_progress", True))
        self.assertEqual(ticket.next_response_deadline, s(2024, 3, 5, 15),
                         "the customer's answer starts the 12 business hours")
        self.support_reply(ticket, moment)
        self.assertFalse(ticket.customer_awaits_reply)
        self.assertFalse(ticket.next_response_deadline, "answered, even in the same second")

    def test_pause_and_resume_resolution(self):
        ticket = self.create_ticket(dt(2024, 3, 4, 9))
        self.set_state(ticket, dt(2024, 3, 4, 10), "in_progress")
        self.assertEqual(ticket.resolution_deadline, s(2024, 3, 12, 9), "still running")
        self.support_reply(ticket, dt(2024, 3, 4, 11))
        self.assertEqual(ticket.state, "awaiting_customer")
        self.assertTrue(ticket.sla_paused)
        self.assertFalse(ticket.resolution_deadline, "no resolution deadline while paused")
        self.assertEqual(ticket.sla_resolution_used_minutes, 120)
        # Paused over two nights and a holiday on Thursday that the resumed clock crosses.
        self.env["resource.calendar.leaves"].create({
            "name": "Holiday", "calendar_id": self.calendar.id,
            "date_from": s(2024, 3, 7), "date_to": s(2024, 3, 8)})
        self.customer_message(ticket, dt(2024, 3, 6, 10))
        self.assertEqual(ticket.state, "in_progress")
        self.assertFalse(ticket.sla_paused)
        # 46h left from Wed 10:00: Wed 6, (Thu holiday), Fri 8, Mon 8, Tue 8, Wed 8 = 38,
        # Thu 14 Mar 8 = 46 -> Thursday 17:00.
        self.assertEqual(ticket.resolution_deadline, s(2024, 3, 14, 17))
        with frozen_now(dt(2024, 3, 6, 11)):
            self.assertAlmostEqual(ticket.sla_resolution_remaining_hours, 45.0)
        with frozen_now(dt(2024, 3, 6, 12)):
            ticket.action_close()
        self.assertEqual(ticket.sla_state, "met")
        self.assertEqual(ticket.sla_resolution_hours, 4.0,
                         "Mon 9-11 and Wed 10-12: pauses are not counted")
        self.assertEqual(ticket.resolution_deadline, s(2024, 3, 14, 17), "kept for history")

    def test_waiting_states_pause(self):
        ticket = self.create_ticket(dt(2024, 3, 4, 9))
        for state in ("scoping", "awaiting_customer", "delivered"):
            self.set_state(ticket, dt(2024, 3, 4, 10), state)
            self.assertFalse(ticket.resolution_deadline, "%s pauses" % state)
            self.set_state(ticket, dt(2024, 3, 4, 10), "in_progress")
            self.assertTrue(ticket.resolution_deadline, "back to work resumes")
        self.assertEqual(ticket.sla_resolution_used_minutes, 60)

    def test_created_in_waiting_state(self):
        ticket = self.create_ticket(dt(2024, 3, 4, 9), state="scoping")
        self.assertFalse(ticket.resolution_deadline)
        self.set_state(ticket, dt(2024, 3, 5, 8), "new")
        self.assertEqual(ticket.resolution_deadline, s(2024, 3, 12, 17),
                         "the clock starts when the scope is clarified, not at submission")

    def test_breach_while_paused_is_kept(self):
        ticket = self.create_ticket(dt(2024, 3, 4, 9), priority="4")
        self.assertEqual(ticket.resolution_deadline, s(2024, 3, 5, 9))
        self.set_state(ticket, dt(2024, 3, 5, 10), "awaiting_customer")
        self.assertTrue(ticket.sla_resolution_breached)
        self.assertEqual(ticket.resolution_deadline, s(2024, 3, 5, 9),
                         "a missed deadline stays visible")
        self.set_state(ticket, dt(2024, 3, 6, 10), "in_progress")
        self.assertEqual(ticket.resolution_deadline, s(2024, 3, 5, 9), "no new deadline")
        self.assertEqual(ticket.sla_state, "breached")

    def test_target_date_earlier_caps_deadline(self):
        ticket = self.create_ticket(dt(2024, 3, 4, 9), target_date=s(2024, 3, 6, 12))
        self.assertEqual(ticket.resolution_deadline, s(2024, 3, 6, 12),
                         "the customer's earlier date is the deadline")
        self.assertFalse(ticket.sla_target_date_is_wish)
        # Resolution at risk at 80% of the business time to the requested date (Mon 7h,
        # Tue 8h, Wed 4h = 19h -> 15.2h: Wednesday 08:12), later than the first response's.
        self.assertEqual(ticket.sla_at_risk_on, s(2024, 3, 5, 10, 36),
                         "the first response is at risk earlier anyway")

    def test_target_date_later_is_a_wish(self):
        ticket = self.create_ticket(dt(2024, 3, 4, 9), target_date=s(2024, 3, 20, 12))
        self.assertEqual(ticket.resolution_deadline, s(2024, 3, 12, 9))
        self.assertTrue(ticket.sla_target_date_is_wish,
                        "operations see the later date as the customer's wish")
        with frozen_now(dt(2024, 3, 4, 10)):
            ticket.write({"target_date": s(2024, 3, 5, 12)})
        self.assertEqual(ticket.resolution_deadline, s(2024, 3, 5, 12))

    def test_priority_change_recomputes(self):
        ticket = self.create_ticket(dt(2024, 3, 4, 9))
        with frozen_now(dt(2024, 3, 4, 10)):
            ticket.write({"priority": "4"})
        self.assertEqual(ticket.sla_policy_id.priority, "4")
        self.assertEqual(ticket.first_response_deadline, s(2024, 3, 4, 11))
        self.assertEqual(ticket.resolution_deadline, s(2024, 3, 5, 9))

    def test_no_deadline_in_closed_ticket_is_reopened(self):
        ticket = self.create_ticket(dt(2024, 3, 4, 9))
        self.support_reply(ticket, dt(2024, 3, 4, 10))
        with frozen_now(dt(2024, 3, 4, 11)):
            ticket.action_close()
        self.assertEqual(ticket.sla_state, "met")
        self.assertFalse(ticket.sla_next_answer_due)
        with frozen_now(dt(2024, 3, 6, 8)):
            ticket.action_reopen()
        self.assertEqual(ticket.sla_state, "on_track")
        # 2h used on Monday; 46h from Wednesday 08:00: 5 x 8h, then Wed 13 Mar 8-12, 13-15.
        self.assertEqual(ticket.resolution_deadline, s(2024, 3, 13, 15))

    def test_portal_next_answer_in_customer_time_zone(self):
        self.customer.write({"tz": "Asia/Tehran", "lang": "en_US"})
        ticket = self.create_ticket(dt(2024, 3, 4, 9))
        self.assertEqual(ticket.sla_next_answer_due, s(2024, 3, 5, 14))
        self.assertEqual(ticket.sla_next_answer_due_display,
                         "Tuesday 5 March 2024, 17:30 (+0330)")
        for waiting in ("scoping", "awaiting_customer", "delivered"):
            self.set_state(ticket, dt(2024, 3, 4, 10), waiting)
            self.assertFalse(ticket.sla_next_answer_due_display,
                             "%s: the customer is not told an answer is due" % waiting)
        self.set_state(ticket, dt(2024, 3, 4, 11), "in_progress")
        self.assertTrue(ticket.sla_next_answer_due_display)

    def test_one_recompute_per_event(self):
        """The clocks are recomputed once per event, never again by their own writes."""
        calls = []
        recompute = sla_ticket.HelpdeskTicket._sla_recompute

        def spy(records, *args, **kwargs):
            calls.append(records.ids)
            return recompute(records, *args, **kwargs)

        with patch.object(sla_ticket.HelpdeskTicket, "_sla_recompute", spy):
            ticket = self.create_ticket(dt(2024, 3, 4, 9))
            self.assertEqual(len(calls), 1, "creating a ticket must compute its clocks once")
            for event in (self.support_reply, self.customer_message):
                del calls[:]
                event(ticket, dt(2024, 3, 4, 10))
                self.assertEqual(calls, [ticket.ids],
                                 "%s must recompute the clocks once" % event.__name__)
            del calls[:]
            with frozen_now(dt(2024, 3, 4, 11)):
                ticket.write({"name": "Printer still on fire"})
            self.assertFalse(calls, "a field the clocks do not read must not recompute them")
        self.assertEqual(ticket.next_response_deadline, s(2024, 3, 5, 15),
                         "the customer's message must restart the per-reply clock")

    def test_recompute_query_count_is_constant(self):
        """Recomputing the clocks after a customer message costs the same number of queries
        whatever the number of tickets and holidays."""
        def count(ticket, moment):
            self.env["helpdesk.ticket"].invalidate_cache()
            before = self.env.cr.sql_log_count
            with frozen_now(moment):
                ticket.write({"last_customer_message_on": fields.Datetime.to_string(moment),
                              "customer_awaits_reply": True})
            return self.env.cr.sql_log_count - before

        self.env["resource.calendar.leaves"].create({
            "name": "Holiday", "calendar_id": self.calendar.id,
            "date_from": s(2024, 5, 1), "date_to": s(2024, 5, 2)})
        first = self.create_ticket(dt(2024, 3, 4, 9), state="in_progress")
        self.support_reply(first, dt(2024, 3, 4, 10))
        count(first, dt(2024, 3, 5, 9))  # warm caches
        small = count(first, dt(2024, 3, 5, 10))
        self.assertEqual(first.next_response_deadline, s(2024, 3, 6, 15))
        for day in range(1, 28):
            self.env["resource.calendar.leaves"].create({
                "name": "Holiday %s" % day, "calendar_id": self.calendar.id,
                "date_from": s(2024, 4, day), "date_to": s(2024, 4, day, 23)})
        for i in range(20):
            self.create_ticket(dt(2024, 3, 4, 9), name="Other %s" % i)
        second = self.create_ticket(dt(2024, 3, 4, 9), state="in_progress")
        self.support_reply(second, dt(2024, 3, 4, 10))
        count(second, dt(2024, 3, 5, 9))
        large = count(second, dt(2024, 3, 5, 10))
        self.assertEqual(small, large, "queries: %s vs %s" % (small, large))
        self.assertLessEqual(large, 20)
