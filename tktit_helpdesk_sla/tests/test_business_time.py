# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Business-time arithmetic, checked by hand-computed cases and against a minute-by-minute
reference with hypothesis."""
import unittest
from datetime import date, datetime, timedelta

import pytz
from hypothesis import HealthCheck, assume, given, settings, strategies as st

from odoo.addons.tktit_helpdesk_sla.models.business_time import (
    BusinessCalendar, NoWorkingTime)

MINUTE = timedelta(minutes=1)
# Monday-Friday 8-12 and 13-17 (Odoo's default calendar).
OFFICE = [(d, h1, h2) for d in range(5) for h1, h2 in ((8, 12), (13, 17))]
# Iran: Saturday-Wednesday, 8:00-16:30.
TEHRAN_WEEK = [(d, 8, 16.5) for d in (5, 6, 0, 1, 2)]


def utc(*args):
    return datetime(*args)


def local(tz, *args):
    """Naive UTC of a local wall-clock time (unambiguous ones only)."""
    return pytz.timezone(tz).localize(datetime(*args), is_dst=None).astimezone(
        pytz.utc).replace(tzinfo=None)


class ReferenceCalendar(object):
    """The definition, minute by minute: slow and obviously right."""

    def __init__(self, tz, attendances, holidays=()):
        self.tz = pytz.timezone(tz)
        self.attendances = attendances
        self.holidays = holidays

    def is_working(self, u):
        if any(start <= u < end for start, end in self.holidays):
            return False
        wall = pytz.utc.localize(u).astimezone(self.tz).replace(tzinfo=None)
        minutes = wall.hour * 60 + wall.minute
        for att in self.attendances:
            if att[0] != wall.weekday():
                continue
            if len(att) > 3 and att[3] and wall.date() < att[3]:
                continue
            if len(att) > 4 and att[4] and wall.date() > att[4]:
                continue
            if round(att[1] * 60) <= minutes < round(att[2] * 60):
                return True
        return False

    def add(self, start, minutes):
        current, left = start, minutes
        while left > 0:
            if self.is_working(current):
                left -= 1
            current += MINUTE
        return current

    def between(self, start, end):
        count, current = 0, start
        while current < end:
            count += self.is_working(current)
            current += MINUTE
        return count


class TestBusinessTimeExamples(unittest.TestCase):

    def test_same_day(self):
        cal = BusinessCalendar("UTC", OFFICE)
        # Monday 2024-03-04 09:00 + 2h = 11:00
        self.assertEqual(cal.add(utc(2024, 3, 4, 9), timedelta(hours=2)), utc(2024, 3, 4, 11))

    def test_lunch_break_skipped(self):
        cal = BusinessCalendar("UTC", OFFICE)
        self.assertEqual(cal.add(utc(2024, 3, 4, 11), timedelta(hours=2)),
                         utc(2024, 3, 4, 14), "the 12-13 lunch break is not working time")

    def test_crosses_night_and_weekend(self):
        cal = BusinessCalendar("UTC", OFFICE)
        # Friday 16:00 + 12h: 1h Friday, 8h Monday, 3h Tuesday -> Tuesday 11:00
        self.assertEqual(cal.add(utc(2024, 3, 8, 16), timedelta(hours=12)),
                         utc(2024, 3, 12, 11))

    def test_created_outside_hours(self):
        cal = BusinessCalendar("UTC", OFFICE)
        # Saturday night: the clock starts on Monday 08:00.
        self.assertEqual(cal.add(utc(2024, 3, 9, 23, 30), timedelta(hours=1)),
                         utc(2024, 3, 11, 9))
        self.assertEqual(cal.next_working_time(utc(2024, 3, 9, 23, 30)), utc(2024, 3, 11, 8))
        # Evening: next morning.
        self.assertEqual(cal.add(utc(2024, 3, 4, 19), 30), utc(2024, 3, 5, 8, 30))

    def test_ends_exactly_at_close(self):
        cal = BusinessCalendar("UTC", OFFICE)
        self.assertEqual(cal.add(utc(2024, 3, 4, 8), timedelta(hours=8)), utc(2024, 3, 4, 17),
                         "a full day ends at closing time, not next morning")

    def test_zero_and_negative(self):
        cal = BusinessCalendar("UTC", OFFICE)
        start = utc(2024, 3, 9, 23, 30)
        self.assertEqual(cal.add(start, 0), start)
        self.assertEqual(cal.add(start, -5), start)
        self.assertEqual(cal.between(utc(2024, 3, 4, 10), utc(2024, 3, 4, 9)),
                         -timedelta(hours=1))

    def test_holiday(self):
        # Wednesday 2024-03-06 is a public holiday (whole day, UTC).
        cal = BusinessCalendar("UTC", OFFICE, [(utc(2024, 3, 6), utc(2024, 3, 7))])
        self.assertEqual(cal.add(utc(2024, 3, 5, 16), timedelta(hours=2)),
                         utc(2024, 3, 7, 9), "Tuesday 1h, holiday skipped, Thursday 1h")
        self.assertEqual(cal.between(utc(2024, 3, 4), utc(2024, 3, 11)), timedelta(hours=32))

    def test_partial_holiday(self):
        cal = BusinessCalendar("UTC", OFFICE, [(utc(2024, 3, 4, 14), utc(2024, 3, 4, 15, 30))])
        self.assertEqual(cal.add(utc(2024, 3, 4, 13), timedelta(hours=2)),
                         utc(2024, 3, 4, 16, 30))

    def test_holidays_across_weekend_and_christmas(self):
        holidays = [(utc(2024, 12, 24), utc(2024, 12, 27)), (utc(2024, 12, 31), utc(2025, 1, 2))]
        cal = BusinessCalendar("UTC", OFFICE, holidays)
        # Monday 23 Dec 16:00 + 16h: 1h Mon, Fri 27 8h, Mon 30 7h -> Mon 30 16:00
        self.assertEqual(cal.add(utc(2024, 12, 23, 16), timedelta(hours=16)),
                         utc(2024, 12, 30, 16))
        # + 2h more: Mon 30 1h, 31 and 1 Jan holidays, Thursday 2 Jan 1h
        self.assertEqual(cal.add(utc(2024, 12, 23, 16), timedelta(hours=18)),
                         utc(2025, 1, 2, 9))

    def test_local_time_zone(self):
        cal = BusinessCalendar("Europe/Brussels", OFFICE)
        # Monday 2024-01-08 07:30 UTC = 08:30 Brussels; + 4h with lunch -> 13:30 local
        self.assertEqual(cal.add(utc(2024, 1, 8, 7, 30), timedelta(hours=4)),
                         local("Europe/Brussels", 2024, 1, 8, 13, 30))

    def test_tehran_saturday_to_wednesday(self):
        cal = BusinessCalendar("Asia/Tehran", TEHRAN_WEEK)
        # Wednesday 2024-01-10 15:30 Tehran: 1h left that day, Thu/Fri weekend,
        # Saturday 13 from 08:00 -> 2h total lands on Saturday 09:00.
        start = local("Asia/Tehran", 2024, 1, 10, 15, 30)
        self.assertEqual(cal.add(start, timedelta(hours=2)),
                         local("Asia/Tehran", 2024, 1, 13, 9, 0))
        # A week holds 5 x 8.5h
        self.assertEqual(cal.between(local("Asia/Tehran", 2024, 1, 13),
                                     local("Asia/Tehran", 2024, 1, 20)), timedelta(hours=42.5))
        # Friday in Tehran is Friday in UTC too (+03:30): not working.
        self.assertFalse(cal.is_working(local("Asia/Tehran", 2024, 1, 12, 10)))
        self.assertTrue(cal.is_working(local("Asia/Tehran", 2024, 1, 13, 8)))

    def test_dst_spring_forward(self):
        # A round-the-clock Sunday: on 2024-03-31 Brussels skips 02:00-03:00.
        cal = BusinessCalendar("Europe/Brussels", [(6, 0, 24)])
        self.assertEqual(cal.between(utc(2024, 3, 30), utc(2024, 4, 1)), timedelta(hours=23))
        ref = ReferenceCalendar("Europe/Brussels", [(6, 0, 24)])
        start = local("Europe/Brussels", 2024, 3, 31, 1, 30)
        self.assertEqual(cal.add(start, 60), ref.add(start, 60))
        self.assertEqual(cal.add(start, 60), local("Europe/Brussels", 2024, 3, 31, 3, 30))

    def test_dst_fall_back(self):
        cal = BusinessCalendar("Europe/Brussels", [(6, 0, 24)])
        self.assertEqual(cal.between(utc(2024, 10, 26), utc(2024, 10, 28)), timedelta(hours=25))

    def test_dst_office_hours_keep_local_time(self):
        cal = BusinessCalendar("America/New_York", OFFICE)
        # Friday 2024-03-08 16:00 EST + 2h -> Monday 11 Mar 09:00 EDT (= 13:00 UTC).
        start = local("America/New_York", 2024, 3, 8, 16)
        self.assertEqual(cal.add(start, timedelta(hours=2)), utc(2024, 3, 11, 13))

    def test_hour_inside_a_dst_gap(self):
        # Working from 02:30 on the day 02:00-03:00 does not exist: starts at 03:00.
        cal = BusinessCalendar("Europe/Brussels", [(6, 2.5, 4)])
        self.assertEqual(cal.day_intervals(date(2024, 3, 31)),
                         [(utc(2024, 3, 31, 1), utc(2024, 3, 31, 2))])

    def test_pause_over_night_and_holiday(self):
        # A resolution clock of 10h runs 4h Monday, pauses overnight, resumes Wednesday after
        # a Tuesday holiday: 6h remain from Wednesday 10:00 -> 17:00 with lunch.
        cal = BusinessCalendar("UTC", OFFICE, [(utc(2024, 3, 5), utc(2024, 3, 6))])
        used = cal.between(utc(2024, 3, 4, 8), utc(2024, 3, 4, 13))
        self.assertEqual(used, timedelta(hours=4))
        paused_until = utc(2024, 3, 6, 10)
        self.assertEqual(cal.add(paused_until, timedelta(hours=10) - used), utc(2024, 3, 6, 17))

    def test_aware_in_aware_out(self):
        cal = BusinessCalendar("UTC", OFFICE)
        start = pytz.timezone("Asia/Tehran").localize(datetime(2024, 3, 4, 12, 30))  # 09:00Z
        result = cal.add(start, 60)
        self.assertEqual(result, pytz.utc.localize(utc(2024, 3, 4, 10)))
        self.assertIsNotNone(result.tzinfo)

    def test_date_bounded_attendance(self):
        att = [(0, 8, 12, date(2024, 3, 1), date(2024, 3, 10)), (0, 13, 14)]
        cal = BusinessCalendar("UTC", att)
        self.assertEqual(cal.between(utc(2024, 3, 4), utc(2024, 3, 5)), timedelta(hours=5))
        self.assertEqual(cal.between(utc(2024, 3, 11), utc(2024, 3, 12)), timedelta(hours=1))

    def test_no_working_time(self):
        with self.assertRaises(NoWorkingTime):
            BusinessCalendar("UTC", [])
        expired = BusinessCalendar("UTC", [(0, 8, 12, None, date(2020, 1, 1))])
        with self.assertRaises(NoWorkingTime):
            expired.add(utc(2024, 1, 1), 60)
        self.assertFalse(expired.has_working_time(utc(2024, 1, 1)))

    def test_bad_input(self):
        with self.assertRaises(ValueError):
            BusinessCalendar("UTC", [(0, 12, 8)])
        with self.assertRaises(ValueError):
            BusinessCalendar("UTC", [(7, 8, 12)])
        with self.assertRaises(ValueError):
            BusinessCalendar("Mars/Olympus", OFFICE)


# ------------------------------------------------------------------ properties
ZONES = ["UTC", "Europe/Brussels", "America/New_York", "Asia/Tehran", "Asia/Kolkata",
         "Australia/Lord_Howe", "Pacific/Chatham", "America/St_Johns"]
# Starts around DST changes in several zones (March/April and October/November).
BASES = [datetime(2024, 3, 8), datetime(2024, 3, 29), datetime(2024, 10, 25),
         datetime(2024, 11, 1), datetime(2024, 4, 5), datetime(2021, 3, 19),
         datetime(2021, 9, 20)]


@st.composite
def attendances(draw):
    result = []
    for _i in range(draw(st.integers(1, 5))):
        weekday = draw(st.integers(0, 6))
        start = draw(st.integers(0, 47))  # half-hours
        end = draw(st.integers(start + 1, 48))
        result.append((weekday, start / 2.0, end / 2.0))
    return result


@st.composite
def scenarios(draw):
    tz = draw(st.sampled_from(ZONES))
    atts = draw(attendances())
    base = draw(st.sampled_from(BASES))
    holidays = []
    for _i in range(draw(st.integers(0, 3))):
        start = base + timedelta(minutes=draw(st.integers(0, 8 * 24 * 60)))
        holidays.append((start, start + timedelta(minutes=draw(st.integers(1, 36 * 60)))))
    start = base + timedelta(minutes=draw(st.integers(0, 7 * 24 * 60)))
    return tz, atts, holidays, start


class TestBusinessTimeProperties(unittest.TestCase):

    @settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(scenarios(), st.integers(0, 2000))
    def test_add_matches_reference(self, scenario, minutes):
        tz, atts, holidays, start = scenario
        cal, ref = BusinessCalendar(tz, atts, holidays), ReferenceCalendar(tz, atts, holidays)
        weekly = ref.between(start, start + timedelta(days=7))
        assume(weekly > 0)
        assume(minutes <= 2 * weekly)  # keeps the reference walk short
        self.assertEqual(cal.add(start, minutes), ref.add(start, minutes))

    @settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(scenarios(), st.integers(0, 6 * 24 * 60))
    def test_between_matches_reference(self, scenario, span):
        tz, atts, holidays, start = scenario
        cal, ref = BusinessCalendar(tz, atts, holidays), ReferenceCalendar(tz, atts, holidays)
        end = start + timedelta(minutes=span)
        self.assertEqual(cal.minutes_between(start, end), ref.between(start, end))

    @settings(max_examples=100, deadline=None)
    @given(scenarios(), st.integers(1, 3000), st.integers(0, 3000))
    def test_add_is_additive_and_between_inverts(self, scenario, first, second):
        """Pausing and resuming loses no time: add(add(s, a), b) == add(s, a + b), and the
        working time between s and add(s, n) is n."""
        tz, atts, holidays, start = scenario
        cal = BusinessCalendar(tz, atts, holidays)
        mid = cal.add(start, first)
        self.assertEqual(cal.add(mid, second), cal.add(start, first + second))
        self.assertEqual(cal.minutes_between(start, mid), first)
