# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The pure SLA clock computation (no database): hand-computed cases in the UTC office
hours (Mon-Fri 8-12, 13-17; week of Monday 2024-03-04) and properties with hypothesis."""
import unittest
from datetime import datetime, timedelta

from hypothesis import HealthCheck, assume, given, settings, strategies as st

from odoo.addons.tktit_helpdesk_sla.models.business_time import BusinessCalendar
from odoo.addons.tktit_helpdesk_sla.models.sla_clock import (
    ClockState, Policy, apply, compute_clocks)

OFFICE = [(d, h1, h2) for d in range(5) for h1, h2 in ((8, 12), (13, 17))]
NORMAL = Policy(12, 12, 48)
CRITICAL = Policy(2, 2, 8)


def dt(*args):
    return datetime(*args)


class TestSlaClockExamples(unittest.TestCase):

    def setUp(self):
        super(TestSlaClockExamples, self).setUp()
        self.cal = BusinessCalendar("UTC", OFFICE)

    def submit(self, moment, policy=NORMAL, **values):
        state = ClockState(moment, **values)
        return apply(state, compute_clocks(state, policy, self.cal, moment, creating=True))

    def test_deadlines_from_submission(self):
        state = ClockState(dt(2024, 3, 4, 9))
        result = compute_clocks(state, NORMAL, self.cal, dt(2024, 3, 4, 9), creating=True)
        self.assertEqual(result["first_deadline"], dt(2024, 3, 5, 14),
                         "12 business hours from Monday 09:00: Tuesday 14:00")
        self.assertEqual(result["deadline"], dt(2024, 3, 12, 9),
                         "48 business hours from Monday 09:00: Tuesday next week 09:00")
        self.assertIsNone(result["next_deadline"], "no customer message to answer yet")
        self.assertEqual(result["at_risk_on"], dt(2024, 3, 5, 10, 36),
                         "at risk at 80% of the first response's 12 hours")
        self.assertEqual(result["resumed_on"], dt(2024, 3, 4, 9),
                         "the resolution clock of a new ticket runs from its submission")
        self.assertEqual(result["sla_state"], "on_track")
        self.assertNotIn("first_response_hours", result, "no reply yet: nothing measured")

    def test_no_policy_means_no_clocks(self):
        state = ClockState(dt(2024, 3, 4, 9), first_deadline=dt(2024, 3, 5, 14),
                           resumed_on=dt(2024, 3, 4, 9), deadline=dt(2024, 3, 12, 9))
        result = compute_clocks(state, None, None, dt(2024, 3, 4, 10))
        for key in ("first_deadline", "next_deadline", "deadline", "resumed_on",
                    "at_risk_on"):
            self.assertIsNone(result[key], "without a policy %s must be empty" % key)
        self.assertEqual(result["sla_state"], "on_track")

    def test_reply_restarts_per_reply_clock(self):
        state = self.submit(dt(2024, 3, 4, 9))
        state = state._replace(first_reply=dt(2024, 3, 4, 10), waiting=True)
        state = apply(state, compute_clocks(state, NORMAL, self.cal, dt(2024, 3, 4, 10)))
        state = state._replace(last_customer=dt(2024, 3, 6, 10), customer_awaits_reply=True,
                               waiting=False)
        result = compute_clocks(state, NORMAL, self.cal, dt(2024, 3, 6, 10))
        self.assertEqual(result["next_deadline"], dt(2024, 3, 7, 15),
                         "the customer's message must start the 12 business hours of the "
                         "per-reply clock")
        self.assertEqual(result["first_response_hours"], 1.0,
                         "the first reply came one business hour after submission")
        self.assertEqual(result["used_minutes"], 60,
                         "the resolution clock ran one hour before the ticket waited")

    def test_target_date_caps_resolution(self):
        state = ClockState(dt(2024, 3, 4, 9), target=dt(2024, 3, 6, 12))
        result = compute_clocks(state, NORMAL, self.cal, dt(2024, 3, 4, 9), creating=True)
        self.assertEqual(result["deadline"], dt(2024, 3, 6, 12),
                         "the customer's earlier requested date is the resolution deadline")

    def test_late_first_reply_is_breached(self):
        state = self.submit(dt(2024, 3, 4, 9))
        state = state._replace(first_reply=dt(2024, 3, 5, 14, 1))
        result = compute_clocks(state, NORMAL, self.cal, dt(2024, 3, 5, 14, 1))
        self.assertTrue(result["first_breached"], "a first reply after 12h is a breach")
        self.assertEqual(result["sla_state"], "breached")

    def test_closing_measures_resolution(self):
        state = self.submit(dt(2024, 3, 4, 9), policy=CRITICAL)
        state = state._replace(done=True, first_reply=dt(2024, 3, 4, 9, 30))
        result = compute_clocks(state, CRITICAL, self.cal, dt(2024, 3, 4, 12))
        self.assertEqual(result["sla_state"], "met", "closed in time: met")
        self.assertEqual(result["resolution_hours"], 3.0,
                         "Monday 09:00-12:00: three business hours of resolution")
        self.assertIsNone(result["resumed_on"], "a closed ticket's clock stops")
        self.assertEqual(result["deadline"], dt(2024, 3, 5, 9), "kept for history")
        self.assertIsNone(result["at_risk_on"], "a closed ticket is never at risk")

    def test_unknown_field_is_refused(self):
        with self.assertRaises(TypeError):
            ClockState(dt(2024, 3, 4, 9), resolution_deadline=dt(2024, 3, 5))


# ------------------------------------------------------------------ properties
BASE = datetime(2024, 3, 4)
CALENDARS = [
    BusinessCalendar("UTC", OFFICE),
    BusinessCalendar("UTC", OFFICE, [(dt(2024, 3, 7), dt(2024, 3, 8))]),
    BusinessCalendar("Europe/Brussels", OFFICE),
    BusinessCalendar("Asia/Tehran", [(d, 8, 16.5) for d in (5, 6, 0, 1, 2)]),
    BusinessCalendar("UTC", [(d, 0, 24) for d in range(7)]),
]
POLICIES = st.builds(Policy, st.integers(1, 16), st.integers(1, 16), st.integers(2, 80))
SETTINGS = dict(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def moments(low=0, high=21 * 24 * 60):
    """Minute-precise instants in the three weeks from Monday 2024-03-04."""
    return st.integers(low, high).map(lambda minutes: BASE + timedelta(minutes=minutes))


optional = st.one_of(st.none(), moments())


@st.composite
def clock_states(draw):
    """Any stored state: anchors and previous results drawn independently."""
    start = draw(moments(0, 7 * 24 * 60))
    return ClockState(
        start,
        done=draw(st.booleans()), waiting=draw(st.booleans()),
        first_reply=draw(optional), last_customer=draw(optional),
        customer_awaits_reply=draw(st.booleans()), target=draw(optional),
        first_deadline=draw(optional), next_deadline=draw(optional),
        deadline=draw(optional), resumed_on=draw(optional),
        used_minutes=float(draw(st.integers(0, 5000))),
        first_breached=draw(st.booleans()), resolution_breached=draw(st.booleans()),
        response_breached_deadline=draw(optional),
        response_breach_count=draw(st.integers(0, 3)),
    )


class TestSlaClockProperties(unittest.TestCase):

    @settings(**SETTINGS)
    @given(clock_states(), POLICIES, st.sampled_from(CALENDARS), moments(), st.booleans())
    def test_recomputing_at_the_same_instant_changes_nothing(
            self, state, policy, calendar, now, creating):
        first = compute_clocks(state, policy, calendar, now, creating=creating)
        second = compute_clocks(apply(state, first), policy, calendar, now)
        self.assertEqual(second, first,
                         "a second recompute at the same instant must not move any clock")

    @settings(**SETTINGS)
    @given(POLICIES, st.sampled_from(CALENDARS), moments(0, 7 * 24 * 60),
           st.integers(0, 3 * 24 * 60), st.integers(0, 7 * 24 * 60),
           st.integers(0, 3 * 24 * 60))
    def test_waiting_does_not_consume_resolution_time(
            self, policy, calendar, start, run, wait, check):
        state = ClockState(start)
        state = apply(state, compute_clocks(state, policy, calendar, start, creating=True))
        paused_at = start + timedelta(minutes=run)
        state = state._replace(waiting=True)
        state = apply(state, compute_clocks(state, policy, calendar, paused_at))
        used = state.used_minutes
        self.assertEqual(used, calendar.minutes_between(start, paused_at),
                         "the business time before the pause must be counted as used")
        resumed_at = paused_at + timedelta(minutes=wait)
        result = compute_clocks(state, policy, calendar, resumed_at)
        self.assertEqual(result["used_minutes"], used,
                         "time spent waiting on the customer must not use resolution time")
        assume(not result["resolution_breached"])
        state = apply(state._replace(waiting=False),
                      compute_clocks(state._replace(waiting=False), policy, calendar,
                                     resumed_at))
        self.assertEqual(state.resumed_on, resumed_at, "the clock resumes when work does")
        self.assertEqual(
            state.deadline, calendar.add_minutes(resumed_at, policy.resolution_hours * 60 - used),
            "after the pause only the resolution time left must remain")
        later = resumed_at + timedelta(minutes=check)
        state = state._replace(done=True)
        result = compute_clocks(state, policy, calendar, later)
        self.assertEqual(result["used_minutes"],
                         used + calendar.minutes_between(resumed_at, later),
                         "the closed ticket's resolution time must exclude the pause")

    @settings(**SETTINGS)
    @given(clock_states(), POLICIES, st.sampled_from(CALENDARS), moments(), moments())
    def test_resolution_deadline_never_after_an_earlier_target(
            self, state, policy, calendar, now, target):
        state = state._replace(target=target)
        result = compute_clocks(state, policy, calendar, now)
        assume(state.running and result["deadline"] and not result["resolution_breached"])
        self.assertLessEqual(result["deadline"], target,
                             "the resolution deadline must not pass the customer's date")

    @settings(**SETTINGS)
    @given(POLICIES, st.sampled_from(CALENDARS), moments(0, 7 * 24 * 60),
           st.lists(st.integers(0, 14 * 24 * 60), min_size=1, max_size=6))
    def test_a_missed_response_is_counted_once(self, policy, calendar, start, offsets):
        state = ClockState(start, first_reply=start, last_customer=start,
                           customer_awaits_reply=True)
        state = apply(state, compute_clocks(state, policy, calendar, start, creating=True))
        due = state.next_deadline
        self.assertIsNotNone(due, "an unanswered message after the first reply has a deadline")
        for offset in sorted(offsets):
            now = start + timedelta(minutes=offset)
            state = apply(state, compute_clocks(state, policy, calendar, now))
            self.assertEqual(state.response_breach_count, 1 if now > due else 0,
                             "a missed response deadline must be counted once, at %s" % now)
            self.assertEqual(state.response_breached_deadline, due if now > due else None)
        self.assertEqual(state.next_deadline, due, "recomputes must not move the deadline")

    @settings(**SETTINGS)
    @given(clock_states(), POLICIES, st.sampled_from(CALENDARS), moments())
    def test_breaches_are_never_forgotten(self, state, policy, calendar, now):
        result = compute_clocks(state, policy, calendar, now)
        self.assertGreaterEqual(result["response_breach_count"], state.response_breach_count)
        self.assertLessEqual(result["response_breach_count"],
                             state.response_breach_count + 2,
                             "one recompute records at most the stored and the new deadline")
        self.assertTrue(result["first_breached"] or not state.first_breached,
                        "a recorded first response breach must stay recorded")
        self.assertTrue(result["resolution_breached"] or not state.resolution_breached,
                        "a recorded resolution breach must stay recorded")
        if state.done:
            self.assertIn(result["sla_state"], ("met", "breached"),
                          "a closed ticket is met or breached")
