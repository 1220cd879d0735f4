# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Persian readers read dates in the Solar Hijri (Jalali) calendar with Persian digits,
in their time zone; everyone else reads Odoo's own formats."""
import datetime

from odoo.tests.common import SavepointCase

from ..models import local_date

# 2026-12-01 10:50 UTC is 14:20 in Tehran (UTC+03:30), on 10 Azar 1405
MOMENT = "2026-12-01 10:50:00"


class TestLocalDates(SavepointCase):

    @classmethod
    def setUpClass(cls):
        super(TestLocalDates, cls).setUpClass()
        cls.env["res.lang"].load_lang("fa_IR")
        Partner = cls.env["res.partner"]
        cls.persian = Partner.create({"name": "مشتری فراگستر", "lang": "fa_IR",
                                      "tz": "Asia/Tehran"})
        cls.english = Partner.create({"name": "Acme", "lang": "en_US", "tz": "Europe/London"})

    def test_jalali_with_persian_digits_in_the_readers_zone(self):
        self.assertEqual(self.persian.format_local_datetime(MOMENT), "۱۴۰۵/۰۹/۱۰ ۱۴:۲۰")
        self.assertEqual(self.persian.format_local_datetime("2026-12-01", "date"),
                         "۱۴۰۵/۰۹/۱۰")
        self.assertEqual(self.persian.format_local_datetime(MOMENT, "long"),
                         "سه‌شنبه ۱۰ آذر ۱۴۰۵، ۱۴:۲۰")
        self.assertEqual(self.persian.format_local_datetime(
            datetime.date(2026, 12, 1), "day"), "سه‌شنبه ۱۰ آذر ۱۴۰۵")
        # the first day of the year (Nowruz), and a late evening that is tomorrow in Tehran
        self.assertEqual(self.persian.format_local_datetime("2027-03-20 21:00:00", "date"),
                         "۱۴۰۶/۰۱/۰۱")

    def test_others_keep_the_gregorian_calendar(self):
        self.assertEqual(self.english.format_local_datetime(MOMENT, "long"),
                         "Tuesday 1 December 2026, 10:50")
        self.assertEqual(self.english.format_local_datetime(
            datetime.date(2026, 12, 1), "day"), "Tuesday 1 December 2026")
        self.assertNotIn("۱", self.english.format_local_datetime(MOMENT))
        self.assertFalse(local_date.is_jalali("en_US"))
        self.assertTrue(local_date.is_jalali("fa_IR"))

    def test_qweb_dates_follow_the_readers_language(self):
        """What the portal pages and PDFs render with t-field; the backend's widgets are
        the web client's own."""
        fa = {"lang": "fa_IR", "tz": "Asia/Tehran"}
        DateTime = self.env["ir.qweb.field.datetime"]
        self.assertEqual(DateTime.with_context(**fa).value_to_html(MOMENT, {}),
                         "۱۴۰۵/۰۹/۱۰ ۱۴:۲۰")
        self.assertEqual(DateTime.with_context(**fa).value_to_html(MOMENT, {"time_only": 1}),
                         "۱۴:۲۰")
        Date = self.env["ir.qweb.field.date"]
        self.assertEqual(Date.with_context(**fa).value_to_html("2026-12-01", {}), "۱۴۰۵/۰۹/۱۰")
        self.assertEqual(Date.with_context(**fa).value_to_html(MOMENT, {}), "۱۴۰۵/۰۹/۱۰",
                         "a datetime shown as a date: its day in Tehran")
        english = DateTime.with_context(lang="en_US", tz="UTC").value_to_html(MOMENT, {})
        self.assertIn("2026", english)

    def test_persian_is_written_right_to_left(self):
        self.assertEqual(self.env.ref("base.lang_fa_IR").direction, "rtl")
        Lang = self.env["res.lang"]
        self.assertIn('dir="rtl"', Lang._wrap_html_direction("fa_IR", "<p>سلام</p>"))
        self.assertEqual(Lang._wrap_html_direction("en_US", "<p>Hi</p>"), "<p>Hi</p>")

    def test_a_readers_day_as_utc_bounds(self):
        # Tehran's 1 December runs from 20:30 UTC the day before (no summer time in
        # Iran since 2022); London's 29 March 2026 is 23 hours long (clocks go forward)
        self.assertEqual(local_date.day_bounds(datetime.date(2026, 12, 1), "Asia/Tehran"),
                         ("2026-11-30 20:30:00", "2026-12-01 20:30:00"))
        self.assertEqual(local_date.day_bounds(datetime.date(2026, 3, 29), "Europe/London"),
                         ("2026-03-29 00:00:00", "2026-03-29 23:00:00"))
        # no zone, or one pytz does not know: UTC
        for name in (False, "Mars/Olympus_Mons"):
            self.assertEqual(local_date.day_bounds(datetime.date(2026, 12, 1), name),
                             ("2026-12-01 00:00:00", "2026-12-02 00:00:00"))
