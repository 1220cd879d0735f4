"""Wave 2 · 7: a Persian-speaking customer (customer.faragostar, Tehran) and a field
operator working in Persian, in headless Chromium: the portal and the tablet app in
Persian, right to left, with Jalali dates. Screenshots: artifacts/screenshots/fa_*.png."""
import re

from odoo.tests.common import at_install, post_install

from odoo.addons.tktit_helpdesk.tests.common import BrowserMixin, HttpCase

JALALI = re.compile(r"[۰-۹]{4}/[۰-۹]{2}/[۰-۹]{2}")  # ۱۴۰۵/۰۹/۱۰


@at_install(False)
@post_install(True)
class TestPersianJourney(BrowserMixin, HttpCase):

    def assert_persian_rtl(self, page, what):
        self.assertEqual(page.get_attribute("html", "dir"), "rtl", "%s: right to left" % what)
        self.assertTrue((page.get_attribute("html", "lang") or "").startswith("fa"), what)
        direction = page.evaluate("getComputedStyle(document.body).direction")
        self.assertEqual(direction, "rtl", "%s: the text runs right to left" % what)

    def test_the_portal_in_persian(self):
        ticket = self.env.ref("tktit_helpdesk.ticket_faragostar_progress_demo")
        page = self.new_page()
        self.login(page, "customer.faragostar", "customer.faragostar",
                   redirect="/my/tickets")
        self.assert_persian_rtl(page, "/my/tickets")
        listing = page.inner_text("main")
        self.assertIn(ticket.name, listing, "the customer's Persian ticket is listed")
        self.assertIn("تیکت", listing, "the page speaks Persian")
        self.assertNotIn("My Tickets", listing)
        self.assertTrue(JALALI.search(listing), "dates in the Jalali calendar: %s" % listing)
        self.screenshot(page, "fa_01_my_tickets")

        page.goto("/my/ticket/%s" % ticket.id)
        self.assert_persian_rtl(page, "the ticket page")
        text = page.inner_text("main")
        self.assertTrue(JALALI.search(text), "the submission date in Jalali")
        self.assertIn("دو ترابایت", text, "the conversation, in Persian")
        self.screenshot(page, "fa_02_ticket_page")

    def test_the_tablet_in_persian(self):
        operator = self.env.ref("tktit_helpdesk_billing.user_field_op_demo")
        operator.write({"lang": "fa_IR", "tz": "Asia/Tehran"})
        page = self.new_page(viewport={"width": 820, "height": 1180}, has_touch=True)
        self.login(page, operator.login, operator.login, redirect="/field")
        self.assert_persian_rtl(page, "/field")
        self.assertNotIn("Log out", page.inner_text("body"), "the tablet speaks Persian")
        self.screenshot(page, "fa_03_field")
