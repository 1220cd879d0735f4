# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Business-time arithmetic, pure Python (no Odoo import): the heart of the SLA clocks.

A :class:`BusinessCalendar` knows

* a time zone (a pytz zone name) in which the weekly hours are read,
* weekly working intervals ``(weekday, hour_from, hour_to[, date_from, date_to])`` in local
  wall-clock hours (weekday 0 = Monday; ``hour_to`` 24 means midnight at the end of the day;
  ``date_from``/``date_to`` optionally bound the validity of the interval, as in
  ``resource.calendar.attendance``),
* holidays: absolute ``(start, end)`` intervals, UTC (naive datetimes are UTC, as Odoo stores
  them; aware ones are converted).

Semantics, to the minute and with no rounding: an instant ``u`` is working time when its local
wall-clock time falls in one of the weekly intervals of its local date and ``u`` is in no
holiday. During a daylight-saving change a working day is therefore one hour shorter or longer,
exactly as the clock on the wall says. :meth:`add` and :meth:`between` are exact inverses on
working time.

Datetimes given naive are UTC and results are naive UTC; aware ones give aware UTC results.
"""
import bisect
from collections import namedtuple
from datetime import date, datetime, timedelta

import pytz

DAY = timedelta(days=1)
ZERO = timedelta(0)
# Give up after this many consecutive days without any working time (expired or empty calendar,
# holidays covering years): a clear error instead of an endless loop.
MAX_IDLE_DAYS = 3 * 366

Attendance = namedtuple("Attendance", "weekday start end date_from date_to")


class NoWorkingTime(ValueError):
    """The calendar has no working time where some was needed."""


def _to_naive_utc(value):
    if value.tzinfo is None:
        return value
    return value.astimezone(pytz.utc).replace(tzinfo=None)


def _as_date(value):
    if value is None or value is False:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return datetime.strptime(value[:10], "%Y-%m-%d").date()


def _merge(intervals):
    """Sort and merge overlapping or touching ``(start, end)`` intervals."""
    result = []
    for start, end in sorted(intervals):
        if end <= start:
            continue
        if result and start <= result[-1][1]:
            if end > result[-1][1]:
                result[-1] = (result[-1][0], end)
        else:
            result.append((start, end))
    return result


class BusinessCalendar(object):
    """Working time of one calendar; cheap to query once built (days are memoized)."""

    def __init__(self, tz, attendances, holidays=()):
        self.tz_name = tz or "UTC"
        try:
            self.tz = pytz.timezone(self.tz_name)
        except pytz.UnknownTimeZoneError:
            raise ValueError("Unknown time zone %r" % tz)
        self.attendances = [[] for _i in range(7)]
        count = 0
        for att in attendances:
            weekday, hour_from, hour_to = int(att[0]), float(att[1]), float(att[2])
            date_from = _as_date(att[3]) if len(att) > 3 else None
            date_to = _as_date(att[4]) if len(att) > 4 else None
            if not 0 <= weekday <= 6:
                raise ValueError("Weekday must be 0 (Monday) to 6 (Sunday), not %r" % weekday)
            if not 0 <= hour_from < hour_to <= 24:
                raise ValueError(
                    "Working hours must satisfy 0 <= from < to <= 24, not %s-%s"
                    % (hour_from, hour_to))
            start = timedelta(minutes=int(round(hour_from * 60)))
            end = timedelta(minutes=int(round(hour_to * 60)))
            self.attendances[weekday].append(
                Attendance(weekday, start, end, date_from, date_to))
            count += 1
        if not count:
            raise NoWorkingTime("The calendar has no working hours.")
        self.holidays = _merge(
            (_to_naive_utc(start), _to_naive_utc(end)) for start, end in holidays)
        self._holiday_ends = [end for _start, end in self.holidays]
        self._local_cache = {}
        self._utc_cache = {}

    # ------------------------------------------------------------- time zone
    def _offset_pieces(self, u_from, u_to):
        """``[(start, end, utcoffset)]`` covering ``[u_from, u_to)`` (naive UTC) with a
        constant offset on each piece."""
        transitions = getattr(self.tz, "_utc_transition_times", None)
        if not transitions:
            return [(u_from, u_to, self.tz.utcoffset(datetime(2000, 1, 1)))]
        infos = self.tz._transition_info
        index = bisect.bisect_right(transitions, u_from) - 1
        pieces, start = [], u_from
        while start < u_to:
            offset = infos[max(index, 0)][0]
            following = transitions[index + 1] if index + 1 < len(transitions) else None
            end = u_to if following is None or following >= u_to else following
            pieces.append((start, end, offset))
            start, index = end, index + 1
        return pieces

    def local_time(self, value):
        """Local wall-clock time (naive) of a naive-UTC or aware datetime."""
        return pytz.utc.localize(_to_naive_utc(value)).astimezone(self.tz).replace(tzinfo=None)

    # --------------------------------------------------------- working days
    def _local_day_intervals(self, day):
        """UTC intervals whose local wall-clock time is working time of local date ``day``."""
        cached = self._local_cache.get(day)
        if cached is not None:
            return cached
        midnight = datetime.combine(day, datetime.min.time())
        wanted = []
        for att in self.attendances[day.weekday()]:
            if att.date_from and day < att.date_from or att.date_to and day > att.date_to:
                continue
            local_from, local_to = midnight + att.start, midnight + att.end
            # Offsets lie within +-14h (+-15h leaves room): u + offset in [from, to).
            for start, end, offset in self._offset_pieces(
                    local_from - timedelta(hours=15), local_to + timedelta(hours=15)):
                low, high = max(start, local_from - offset), min(end, local_to - offset)
                if low < high:
                    wanted.append((low, high))
        result = self._local_cache[day] = _merge(wanted)
        return result

    def _subtract_holidays(self, intervals, w_from, w_to):
        index = bisect.bisect_right(self._holiday_ends, w_from)
        holidays = []
        while index < len(self.holidays) and self.holidays[index][0] < w_to:
            holidays.append(self.holidays[index])
            index += 1
        if not holidays:
            return intervals
        result = []
        for start, end in intervals:
            for h_start, h_end in holidays:
                if h_end <= start or h_start >= end:
                    continue
                if h_start > start:
                    result.append((start, h_start))
                start = max(start, h_end)
                if start >= end:
                    break
            if start < end:
                result.append((start, end))
        return result

    def day_intervals(self, utc_day):
        """Sorted, disjoint working intervals (naive UTC) inside UTC date ``utc_day``."""
        cached = self._utc_cache.get(utc_day)
        if cached is not None:
            return cached
        w_from = datetime.combine(utc_day, datetime.min.time())
        w_to = w_from + DAY
        # With offsets of at most +-14h, only the neighbouring local dates can reach this day.
        pieces = []
        for local_day in (utc_day - DAY, utc_day, utc_day + DAY):
            for start, end in self._local_day_intervals(local_day):
                start, end = max(start, w_from), min(end, w_to)
                if start < end:
                    pieces.append((start, end))
        result = self._utc_cache[utc_day] = self._subtract_holidays(
            _merge(pieces), w_from, w_to)
        return result

    def is_working(self, value):
        value = _to_naive_utc(value)
        return any(start <= value < end for start, end in self.day_intervals(value.date()))

    # ------------------------------------------------------------- arithmetic
    def add(self, start, duration):
        """The instant at which ``duration`` (timedelta, or minutes) of working time from
        ``start`` has elapsed. ``duration <= 0`` gives ``start``; starting outside working
        hours counts from the next working instant."""
        aware = start.tzinfo is not None
        if not isinstance(duration, timedelta):
            duration = timedelta(minutes=duration)
        current = _to_naive_utc(start)
        if duration <= ZERO:
            return start
        remaining, day, idle = duration, current.date(), 0
        while True:
            worked = False
            for i_start, i_end in self.day_intervals(day):
                if i_end <= current:
                    continue
                worked = True
                i_start = max(i_start, current)
                if i_end - i_start >= remaining:
                    result = i_start + remaining
                    return pytz.utc.localize(result) if aware else result
                remaining -= i_end - i_start
            idle = 0 if worked else idle + 1
            if idle > MAX_IDLE_DAYS:
                raise NoWorkingTime(
                    "No working time in calendar for %s days after %s." % (MAX_IDLE_DAYS, day))
            day += DAY

    def between(self, start, end):
        """Working time (timedelta) between two instants; negative when ``end < start``."""
        start, end = _to_naive_utc(start), _to_naive_utc(end)
        if end < start:
            return -self.between(end, start)
        total, day = ZERO, start.date()
        while day <= end.date():
            for i_start, i_end in self.day_intervals(day):
                low, high = max(i_start, start), min(i_end, end)
                if low < high:
                    total += high - low
            day += DAY
        return total

    def add_minutes(self, start, minutes):
        return self.add(start, timedelta(minutes=minutes))

    def minutes_between(self, start, end):
        return self.between(start, end).total_seconds() / 60.0

    def next_working_time(self, start):
        """The first working instant at or after ``start``."""
        aware = start.tzinfo is not None
        current, day, idle = _to_naive_utc(start), _to_naive_utc(start).date(), 0
        while True:
            for i_start, i_end in self.day_intervals(day):
                if i_end > current:
                    result = max(i_start, current)
                    return pytz.utc.localize(result) if aware else result
            idle += 1
            if idle > MAX_IDLE_DAYS:
                raise NoWorkingTime("No working time in calendar after %s." % start)
            day += DAY

    def has_working_time(self, start, days=366):
        """Whether any working time exists within ``days`` days after ``start``."""
        day = _to_naive_utc(start).date()
        return any(self.day_intervals(day + timedelta(days=i)) for i in range(days))
