import re

from odoo.tests.common import at_install, post_install

from .common import HttpCase, MailSinkMixin
from .helpdesk_common import new_user


@at_install(False)
@post_install(True)
class TestPortal(MailSinkMixin, HttpCase):

    def setUp(self):
        super(TestPortal, self).setUp()
        env = self.env
        self.org_a = env["res.partner"].create({"name": "Portal Org A", "is_company": True})
        self.org_b = env["res.partner"].create({"name": "Portal Org B", "is_company": True})
        self.user_a = new_user(env, "portal.a", ["base.group_portal"], parent_id=self.org_a.id,
                               password="portal.a", email="portal.a@org-a.example")
        self.user_b = new_user(env, "portal.b", ["base.group_portal"], parent_id=self.org_b.id,
                               password="portal.b", email="portal.b@org-b.example")
        Ticket = env["helpdesk.ticket"]
        self.ticket_a = Ticket.create(
            {"name": "A's printer", "partner_id": self.user_a.partner_id.id})
        self.ticket_b = Ticket.create(
            {"name": "B's secret", "partner_id": self.user_b.partner_id.id})
        self.tech = env.ref("tktit_helpdesk.technology_network")
        self.spec = env.ref("tktit_helpdesk.specialization_network_lan")
        self.cr.commit()  # simulated commit of the test cursor: requests roll back to it

    def refresh(self):
        """Forget cached values: the HTTP request changed records behind our back."""
        self.env["helpdesk.ticket"].invalidate_cache()

    def csrf(self, path):
        page = self.url_open(path)
        self.assertEqual(page.status_code, 200, path)
        return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)

    def submit(self, **data):
        data.setdefault("csrf_token", self.csrf("/my/tickets/new"))
        return self.url_open("/my/tickets/new", data=data)

    def test_my_tickets_lists_own_organisation_with_portal_words(self):
        self.authenticate("portal.a", "portal.a")
        page = self.url_open("/my/tickets")
        self.assertEqual(page.status_code, 200)
        self.assertIn(self.ticket_a.number, page.text)
        self.assertNotIn(self.ticket_b.number, page.text, "no ticket of another organisation")
        self.assertIn("Awaiting Response", page.text)
        home = self.url_open("/my")
        self.assertIn("/my/tickets", home.text)

    def test_other_organisation_ticket_by_url_is_refused_without_traceback(self):
        self.authenticate("portal.a", "portal.a")
        page = self.url_open("/my/ticket/%s" % self.ticket_b.id)
        self.assertEqual(page.status_code, 200)
        self.assertTrue(page.url.endswith("/my"), "redirected to the portal home: %s" % page.url)
        self.assertNotIn("B&#39;s secret", page.text)
        self.assertNotIn("B's secret", page.text)
        self.assertNotIn("Traceback", page.text)
        missing = self.url_open("/my/ticket/999999999")
        self.assertTrue(missing.url.endswith("/my"))

    def test_access_token_opens_ticket_from_mail_link(self):
        page = self.url_open("/my/ticket/%s?access_token=%s" % (
            self.ticket_a.id, self.ticket_a.access_token))
        self.assertEqual(page.status_code, 200)
        self.assertIn(self.ticket_a.number, page.text)
        wrong = self.url_open("/my/ticket/%s?access_token=nope" % self.ticket_a.id)
        self.assertNotIn(self.ticket_a.number, wrong.text)

    def test_submit_ticket_creates_it_and_mails_the_customer(self):
        self.authenticate("portal.a", "portal.a")
        page = self.submit(name="Switch is blinking", description="All ports <b>amber</b>",
                           category="technical", priority="2", technology_id=str(self.tech.id),
                           specialization_id=str(self.spec.id),
                           occurred_on="2026-11-20T08:30")
        self.assertEqual(page.status_code, 200)
        self.refresh()
        ticket = self.env["helpdesk.ticket"].search([("name", "=", "Switch is blinking")])
        self.assertEqual(len(ticket), 1, "the ticket was created")
        self.assertIn("/my/ticket/%s" % ticket.id, page.url)
        self.assertEqual((ticket.partner_id, ticket.channel, ticket.priority),
                         (self.user_a.partner_id, "portal", "2"))
        self.assertEqual(ticket.queue_id.specialization_id, self.spec)
        self.assertIn("&lt;b&gt;amber", ticket.description, "markup is shown as typed")
        self.assertIn(ticket.number, page.text)
        mails = self.mail_sink.flush(self.env)
        acks = [m for m in mails if "portal.a@org-a.example" in m.to
                and ticket.number in m.subject]
        self.assertEqual(len(acks), 1, mails)
        self.assertIn(ticket.number, acks[0].subject)

    def test_submit_bad_input_keeps_values_and_creates_nothing(self):
        self.authenticate("portal.a", "portal.a")
        count = self.env["helpdesk.ticket"].search_count([])
        page = self.submit(name="  ", description="kept text", category="plumbing")
        self.assertEqual(page.status_code, 200)
        self.assertIn("Please give your request a subject", page.text)
        self.assertIn("Unknown category", page.text)
        self.assertIn("kept text", page.text, "what was typed is not lost")
        page = self.submit(name="x", description="y", technology_id="424242")
        self.assertIn("Unknown scope", page.text)
        self.refresh()
        self.assertEqual(self.env["helpdesk.ticket"].search_count([]), count)

    def test_oversized_attachment_refused(self):
        self.env["ir.config_parameter"].set_param(
            "tktit_helpdesk.portal_max_attachment_mb", "0.001")
        self.cr.commit()
        self.authenticate("portal.a", "portal.a")
        csrf = self.csrf("/my/tickets/new")
        page = self.opener.post(self.url("/my/tickets/new"), data={
            "csrf_token": csrf, "name": "With a big file", "description": "see file"},
            files={"attachment": ("big.log", b"x" * 5000, "text/plain")})
        self.assertIn("too large", page.text)
        self.refresh()
        self.assertFalse(self.env["helpdesk.ticket"].search([("name", "=", "With a big file")]))

    def test_attachment_is_kept_on_the_ticket(self):
        self.authenticate("portal.a", "portal.a")
        csrf = self.csrf("/my/tickets/new")
        page = self.opener.post(self.url("/my/tickets/new"), data={
            "csrf_token": csrf, "name": "With a log", "description": "see file"},
            files={"attachment": ("router.log", b"link down", "text/plain")})
        self.assertEqual(page.status_code, 200)
        self.assertIn("was received", page.text)
        self.refresh()
        ticket = self.env["helpdesk.ticket"].search([("name", "=", "With a log")])
        self.assertEqual(ticket.message_ids.mapped("attachment_ids.name"), ["router.log"])

    def test_talk_to_expert(self):
        self.authenticate("portal.a", "portal.a")
        url = "/my/ticket/%s" % self.ticket_a.id
        csrf = self.csrf(url)
        page = self.url_open(url + "/message", data={
            "csrf_token": csrf, "message": "<script>alert(1)</script> any news?"})
        self.assertIn("sent to the expert", page.text)
        self.assertNotIn("<script>alert(1)</script>", page.text)
        self.refresh()
        message = self.ticket_a.message_ids.filtered(lambda m: "any news" in (m.body or ""))
        self.assertEqual(message.author_id, self.user_a.partner_id)
        self.assertNotIn("<script", message.body)
        empty = self.url_open(url + "/message", data={"csrf_token": csrf, "message": "  "})
        self.assertIn("Your message is empty", empty.text)

    def test_reply_on_closed_ticket_refused_with_message(self):
        self.ticket_a.action_close()
        self.cr.commit()
        self.authenticate("portal.a", "portal.a")
        url = "/my/ticket/%s" % self.ticket_a.id
        csrf = self.csrf("/my/tickets/new")  # a closed ticket's page has no form
        before = len(self.ticket_a.message_ids)
        page = self.url_open(url + "/message", data={"csrf_token": csrf, "message": "hello?"})
        self.assertIn("This ticket is closed", page.text)
        self.refresh()
        self.assertEqual(len(self.ticket_a.message_ids), before)

    def test_post_without_csrf_is_refused(self):
        self.authenticate("portal.a", "portal.a")
        count = self.env["helpdesk.ticket"].search_count([])
        page = self.url_open("/my/tickets/new", data={"name": "no csrf", "description": "x"})
        self.assertEqual(page.status_code, 400)
        self.refresh()
        self.assertEqual(self.env["helpdesk.ticket"].search_count([]), count)

    def test_customer_confirms_delivery_on_the_portal(self):
        self.ticket_a.write({"state": "delivered", "resolution": "<p>Fixed the toner</p>"})
        self.cr.commit()
        self.authenticate("portal.a", "portal.a")
        url = "/my/ticket/%s" % self.ticket_a.id
        csrf = self.csrf(url)
        page = self.url_open(url + "/confirm", data={
            "csrf_token": csrf, "satisfied": "0", "comment": ""})
        self.assertIn("Tell us what is missing", page.text, "refusal shown, nothing saved")
        self.refresh()
        self.assertEqual(self.ticket_a.state, "delivered")
        page = self.url_open(url + "/confirm", data={"csrf_token": csrf, "satisfied": "1"})
        self.assertIn("your ticket is closed", page.text)
        self.refresh()
        self.assertEqual((self.ticket_a.state, self.ticket_a.satisfaction),
                         ("closed", "satisfied"))

    def test_one_click_rating(self):
        self.ticket_a.write({"state": "delivered", "resolution": "<p>done</p>"})
        self.ticket_a.action_customer_confirm(True)
        token = self.ticket_a.rating_get_access_token()
        self.cr.commit()
        page = self.url_open("/helpdesk/rating/%s/5" % token)
        self.assertEqual(page.status_code, 200)
        self.assertIn("5", page.text)
        self.refresh()
        self.assertEqual(self.ticket_a.rating_ids.filtered("consumed").rating, 10.0)
        self.assertEqual(self.url_open("/helpdesk/rating/nope/5").status_code, 404)
        self.assertEqual(self.url_open("/helpdesk/rating/%s/9" % token).status_code, 404)
        # the optional comment of the thank-you page
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        page = self.url_open("/helpdesk/rating/%s/5/feedback" % token,
                             data={"csrf_token": csrf, "feedback": "Fixed before lunch!"})
        self.assertEqual(page.status_code, 200)
        self.assertIn("Your comment was received", page.text)
        self.refresh()
        rating = self.ticket_a.rating_ids.filtered("consumed")
        self.assertEqual((rating.rating, rating.feedback), (10.0, "Fixed before lunch!"))
        notes = self.ticket_a.message_ids.filtered(lambda m: "Customer rating" in (m.body or ""))
        self.assertEqual(len(notes), 2, "the stars, then the comment: no duplicate")
        self.assertIn("Fixed before lunch!", notes[0].body)


@at_install(False)
@post_install(True)
class TestPortalQueryCount(HttpCase):
    """The portal list issues the same number of queries whatever the number of tickets."""

    def refresh(self):
        self.env["helpdesk.ticket"].invalidate_cache()

    def _count_queries(self, path):
        self.url_open(path)  # warm caches (assets, views, translations)
        self.refresh()
        before = self.cr.sql_log_count
        page = self.url_open(path)
        self.assertEqual(page.status_code, 200)
        # self.cr is the test cursor the HTTP request used (see common.HttpCase)
        return self.cr.sql_log_count - before

    def test_my_tickets_constant_queries(self):
        org = self.env["res.partner"].create({"name": "Bulk Org", "is_company": True})
        user = new_user(self.env, "portal.bulk", ["base.group_portal"], parent_id=org.id,
                        password="portal.bulk")
        Ticket = self.env["helpdesk.ticket"].with_context(tracking_disable=True)

        def make(count):
            for i in range(count):
                Ticket.create({"name": "Bulk %s" % i, "partner_id": user.partner_id.id})
        make(10)
        self.cr.commit()
        self.authenticate("portal.bulk", "portal.bulk")
        at_10 = self._count_queries("/my/tickets")
        make(190)
        self.cr.commit()
        at_200 = self._count_queries("/my/tickets")
        self.assertEqual(at_10, at_200, "queries at 10 tickets: %s, at 200: %s" % (at_10, at_200))
