"""The harness itself: HTTP server, SMTP sink, Chromium."""
import os

from odoo.tests.common import SavepointCase, at_install, post_install

from odoo.addons.tktit_helpdesk.tests.common import (
    BrowserMixin, HttpCase, MailSink, MailSinkMixin)
from odoo.addons.tktit_helpdesk.tests.fixtures import PORTAL, new_user, password


class TestMailSink(MailSinkMixin, SavepointCase):

    def test_flushed_mail_reaches_the_sink(self):
        self.env["mail.mail"].create({
            "subject": "Harness check \u00e9t\u00e9",
            "email_from": "helpdesk@tktit.example.com",
            "email_to": "customer@example.com",
            "body_html": "<p>Hello <b>customer</b></p>",
        })
        sent = [m for m in self.mail_sink.flush(self.env) if "Harness" in m.subject]
        self.assertEqual(len(sent), 1, "one mail expected in the sink, got %s" % sent)
        self.assertEqual(sent[0].subject, "Harness check \u00e9t\u00e9",
                         "the sink must keep the subject's accented characters")
        self.assertIn("customer@example.com", sent[0].to, "the sink must record the recipient")
        self.assertIn("Hello", sent[0].body, "the sink must give the mail's body")
        self.assertEqual(
            len(MailSink().messages(to="CUSTOMER@example.com", subject_contains="Harness")), 1,
            "the sink lookup by recipient and subject finds the mail")
        self.assertFalse(self.mail_sink.flush(self.env), "a second flush sends nothing")


@at_install(False)
@post_install(True)
class TestHttpAndBrowser(BrowserMixin, HttpCase):

    def test_login_page_answers(self):
        response = self.url_open("/web/login")
        self.assertEqual(response.status_code, 200, "the spawned server serves /web/login")
        self.assertIn('name="login"', response.text, "/web/login must show the login form")

    def test_server_sees_the_test_transaction(self):
        user = new_user(self.env, "harness_portal", [PORTAL], name="Harness Portal",
                        password="harness_portal")
        self.authenticate(user.login, password(user))
        response = self.url_open("/my/account")
        self.assertEqual(response.status_code, 200,
                         "/my/account must open for a user created in the test")
        self.assertIn("Harness Portal", response.text,
                      "records created in the test are visible to HTTP requests")
        self.assertTrue(user.exists(),
                        "the user created in the test must still exist after the request")

    def test_chromium_screenshot(self):
        page = self.new_page()
        page.goto("/web/login")
        self.assertTrue(page.is_visible("input[name=login]"), "the login form is shown")
        path = self.screenshot(page, "harness_web_login")
        self.assertTrue(os.path.getsize(path) > 1000, "a real PNG was written")
        self.login(page, "admin", "admin", redirect="/my")
        self.assertIn("/my", page.url,
                      "logging in with redirect=/my must land on the portal: %s" % page.url)

    def test_request_rollback_keeps_test_data(self):
        partner = self.env["res.partner"].create({"name": "Survives A 404"})
        self.assertEqual(self.url_open("/web/content/999999999").status_code, 404,
                         "an unknown attachment must answer 404")
        self.assertTrue(partner.exists(), "a request's rollback does not undo the test's data")
