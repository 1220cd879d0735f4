# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Dates as a reader of a given language reads them: Persian readers in the Solar Hijri
(Jalali) calendar with Persian digits (۱۴۰۵/۰۹/۱۰ ۱۴:۲۰), everyone else left to Odoo's
own formatting. The calendar arithmetic is jdatetime's (a maintained library), not ours.
And a reader's day as the UTC bounds stored datetimes are compared with.

Plain functions, used by the QWeb date converters (portal pages, reports), by
``res.partner.format_local_datetime`` (mails, the SLA's "next answer due"), by the
delivery note's signature date, and by the overview's and the tablet's days."""
import datetime

import pytz

from odoo import fields

try:
    import jdatetime
except ImportError:  # pragma: no cover - declared in the manifest's external dependencies
    jdatetime = None

PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
PATTERNS = {"date": "%Y/%m/%d", "datetime": "%Y/%m/%d %H:%M", "time": "%H:%M"}


def is_jalali(lang_code):
    """Persian (fa_IR, fa_AF...) readers read Solar Hijri dates."""
    return bool(jdatetime) and (lang_code or "").split("_")[0] == "fa"


def localize(value, tz_name):
    """A UTC datetime (Odoo's string or a naive datetime) in ``tz_name``, naive."""
    if isinstance(value, str):
        value = fields.Datetime.from_string(value)
    moment = pytz.utc.localize(value) if value.tzinfo is None else value
    return moment.astimezone(pytz.timezone(tz_name or "UTC")).replace(tzinfo=None)


def time_zone(tz_name):
    """The pytz zone named ``tz_name``, UTC when it is empty or unknown."""
    try:
        return pytz.timezone(tz_name or "UTC")
    except pytz.UnknownTimeZoneError:
        return pytz.utc


def day_bounds(day, tz_name):
    """``(start, end)``: the local ``day`` (a date) in ``tz_name`` from its midnight to
    the next, as UTC datetime strings (the ``>= start`` and ``< end`` of a domain)."""
    tz = time_zone(tz_name)
    return tuple(
        fields.Datetime.to_string(tz.localize(datetime.datetime.combine(
            date, datetime.time.min)).astimezone(pytz.utc).replace(tzinfo=None))
        for date in (day, day + datetime.timedelta(days=1)))


def format_jalali(value, kind="datetime"):
    """``value``: a local naive datetime, or a date (``kind`` "date" or "day"). ``kind``:
    "date", "datetime", "time", "day" (weekday, day, month name, year) or "long" (the
    day and the time)."""
    if isinstance(value, str):
        value = fields.Date.from_string(value) if len(value) <= 10 \
            else fields.Datetime.from_string(value)
    if isinstance(value, datetime.datetime):
        day = jdatetime.datetime.fromgregorian(datetime=value, locale="fa_IR")
    else:
        day = jdatetime.date.fromgregorian(date=value, locale="fa_IR")
    if kind in ("long", "day"):
        text = "%s %d %s %d" % (day.strftime("%A"), day.day, day.strftime("%B"), day.year)
        if kind == "long":
            text += "، " + day.strftime("%H:%M")
    else:
        text = day.strftime(PATTERNS[kind])
    return text.translate(PERSIAN_DIGITS)
