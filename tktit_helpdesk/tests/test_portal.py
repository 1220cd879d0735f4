import re

from odoo.tests.common import at_install, post_install

from .common import HttpCase, MailSinkMixin
from .fixtures import make_organisation, make_ticket, password, set_state


@at_install(False)
@post_install(True)
class TestPortal(MailSinkMixin, HttpCase):

    def setUp(self):
        super(TestPortal, self).setUp()
        env = self.env
        self.org_a, self.user_a = make_organisation(
            env, "Portal Org A", "portal.a", email="portal.a@org-a.example")
        self.org_b, self.user_b = make_organisation(
            env, "Portal Org B", "portal.b", email="portal.b@org-b.example")
        self.ticket_a = make_ticket(env, self.user_a, name="A's printer")
        self.ticket_b = make_ticket(env, self.user_b, name="B's secret")
        self.tech = env.ref("tktit_helpdesk.technology_network")
        self.spec = env.ref("tktit_helpdesk.specialization_network_lan")
        # simulated commit of the test cursor: requests roll back to it
        self.cr.commit()  # pylint: disable=invalid-commit  (test cursor: moves its savepoint)

    def refresh(self):
        """Forget cached values: the HTTP request changed records behind our back."""
        self.env["helpdesk.ticket"].invalidate_cache()

    def log_in_a(self):
        self.authenticate(self.user_a.login, password(self.user_a))

    def csrf(self, path):
        page = self.url_open(path)
        self.assertEqual(page.status_code, 200, "%s must open for the customer" % path)
        return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)

    def submit(self, **data):
        data.setdefault("csrf_token", self.csrf("/my/tickets/new"))
        return self.url_open("/my/tickets/new", data=data)

    def test_my_tickets_lists_own_organisation_with_portal_words(self):
        self.log_in_a()
        page = self.url_open("/my/tickets")
        self.assertEqual(page.status_code, 200, "/my/tickets must open for a logged-in customer")
        self.assertIn(self.ticket_a.number, page.text,
                      "the customer must see their organisation's ticket in My Tickets")
        self.assertNotIn(self.ticket_b.number, page.text, "no ticket of another organisation")
        self.assertIn("Awaiting Response", page.text,
                      "a new ticket must show the portal words 'Awaiting Response'")
        home = self.url_open("/my")
        self.assertIn("/my/tickets", home.text, "the portal home must link to My Tickets")

    def test_other_organisation_ticket_by_url_is_refused_without_traceback(self):
        self.log_in_a()
        page = self.url_open("/my/ticket/%s" % self.ticket_b.id)
        self.assertEqual(page.status_code, 200,
                         "another organisation's ticket must answer with a redirect, not an error")
        self.assertTrue(page.url.endswith("/my"), "redirected to the portal home: %s" % page.url)
        self.assertNotIn("B&#39;s secret", page.text,
                         "another organisation's ticket subject must not be shown (escaped form)")
        self.assertNotIn("B's secret", page.text,
                         "another organisation's ticket subject must not be shown")
        self.assertNotIn("Traceback", page.text,
                         "refusing another organisation's ticket must not show a traceback")
        missing = self.url_open("/my/ticket/999999999")
        self.assertTrue(missing.url.endswith("/my"),
                        "a missing ticket must redirect to the portal home: %s" % missing.url)

    def test_access_token_opens_ticket_from_mail_link(self):
        page = self.url_open("/my/ticket/%s?access_token=%s" % (
            self.ticket_a.id, self.ticket_a.access_token))
        self.assertEqual(page.status_code, 200,
                         "the mail link with the access token must open the ticket page")
        self.assertIn(self.ticket_a.number, page.text,
                      "the ticket page opened by access token must show the ticket number")
        wrong = self.url_open("/my/ticket/%s?access_token=nope" % self.ticket_a.id)
        self.assertNotIn(self.ticket_a.number, wrong.text,
                         "a wrong access token must not open the ticket")

    def test_submit_ticket_creates_it_and_mails_the_customer(self):
        self.log_in_a()
        page = self.submit(name="Switch is blinking", description="All ports <b>amber</b>",
                           category="technical", priority="2", technology_id=str(self.tech.id),
                           specialization_id=str(self.spec.id),
                           occurred_on="2026-11-20T08:30")
        self.assertEqual(page.status_code, 200, "submitting the portal form must succeed")
        self.refresh()
        ticket = self.env["helpdesk.ticket"].search([("name", "=", "Switch is blinking")])
        self.assertEqual(len(ticket), 1, "the portal form must create the ticket")
        self.assertIn("/my/ticket/%s" % ticket.id, page.url,
                      "the customer must land on the new ticket's page: %s" % page.url)
        self.assertEqual((ticket.partner_id, ticket.channel, ticket.priority),
                         (self.user_a.partner_id, "portal", "2"),
                         "the ticket must be the customer's, from the portal, with their priority")
        self.assertEqual(ticket.queue_id.specialization_id, self.spec,
                         "the ticket must be routed to the queue of the chosen stream")
        self.assertIn("&lt;b&gt;amber", ticket.description, "markup is shown as typed")
        self.assertIn(ticket.number, page.text,
                      "the ticket page after submission must show the ticket number")
        mails = self.mail_sink.flush(self.env)
        acks = [m for m in mails if "portal.a@org-a.example" in m.to
                and ticket.number in m.subject]
        self.assertEqual(len(acks), 1,
                         "one acknowledgement must be mailed to the customer: %s" % mails)
        self.assertIn(ticket.number, acks[0].subject,
                      "the acknowledgement subject must name the ticket")

    def test_submit_bad_input_keeps_values_and_creates_nothing(self):
        self.log_in_a()
        count = self.env["helpdesk.ticket"].search_count([])
        page = self.submit(name="  ", description="kept text", category="plumbing")
        self.assertEqual(page.status_code, 200,
                         "a refused form must be shown again, not an error page")
        self.assertIn("Please give your request a subject", page.text,
                      "an empty subject must be refused with a message")
        self.assertIn("Unknown category", page.text,
                      "an unknown category must be refused with a message")
        self.assertIn("kept text", page.text, "what was typed is not lost")
        page = self.submit(name="x", description="y", technology_id="424242")
        self.assertIn("Unknown scope", page.text,
                      "an unknown technology must be refused with a message")
        self.refresh()
        self.assertEqual(self.env["helpdesk.ticket"].search_count([]), count,
                         "a refused form must create no ticket")

    def test_oversized_attachment_refused(self):
        self.env["ir.config_parameter"].set_param(
            "tktit_helpdesk.portal_max_attachment_mb", "0.001")
        self.cr.commit()  # pylint: disable=invalid-commit  (test cursor: moves its savepoint)
        self.log_in_a()
        csrf = self.csrf("/my/tickets/new")
        page = self.opener.post(self.url("/my/tickets/new"), data={
            "csrf_token": csrf, "name": "With a big file", "description": "see file"},
            files={"attachment": ("big.log", b"x" * 5000, "text/plain")})
        self.assertIn("too large", page.text,
                      "an oversized attachment must be refused with a message")
        self.refresh()
        self.assertFalse(self.env["helpdesk.ticket"].search([("name", "=", "With a big file")]),
                         "a ticket with an oversized attachment must not be created")

    def test_attachment_is_kept_on_the_ticket(self):
        self.log_in_a()
        csrf = self.csrf("/my/tickets/new")
        page = self.opener.post(self.url("/my/tickets/new"), data={
            "csrf_token": csrf, "name": "With a log", "description": "see file"},
            files={"attachment": ("router.log", b"link down", "text/plain")})
        self.assertEqual(page.status_code, 200, "a ticket with an attachment must be accepted")
        self.assertIn("was received", page.text,
                      "the customer must be told the ticket was received")
        self.refresh()
        ticket = self.env["helpdesk.ticket"].search([("name", "=", "With a log")])
        self.assertEqual(ticket.message_ids.mapped("attachment_ids.name"), ["router.log"],
                         "the uploaded file must be attached to the ticket's first message")

    def test_talk_to_expert(self):
        self.log_in_a()
        url = "/my/ticket/%s" % self.ticket_a.id
        csrf = self.csrf(url)
        page = self.url_open(url + "/message", data={
            "csrf_token": csrf, "message": "<script>alert(1)</script> any news?"})
        self.assertIn("sent to the expert", page.text,
                      "the customer must be told the message was sent to the expert")
        self.assertNotIn("<script>alert(1)</script>", page.text,
                         "the customer's markup must be escaped on the page")
        self.refresh()
        message = self.ticket_a.message_ids.filtered(lambda m: "any news" in (m.body or ""))
        self.assertEqual(message.author_id, self.user_a.partner_id,
                         "the customer's message must be authored by the customer")
        self.assertNotIn("<script", message.body,
                         "the customer's script must be stripped from the stored message")
        empty = self.url_open(url + "/message", data={"csrf_token": csrf, "message": "  "})
        self.assertIn("Your message is empty", empty.text,
                      "an empty message must be refused with a message")

    def test_reply_on_closed_ticket_refused_with_message(self):
        self.ticket_a.action_close()
        self.cr.commit()  # pylint: disable=invalid-commit  (test cursor: moves its savepoint)
        self.log_in_a()
        url = "/my/ticket/%s" % self.ticket_a.id
        csrf = self.csrf("/my/tickets/new")  # a closed ticket's page has no form
        before = len(self.ticket_a.message_ids)
        page = self.url_open(url + "/message", data={"csrf_token": csrf, "message": "hello?"})
        self.assertIn("This ticket is closed", page.text,
                      "a reply on a closed ticket must be refused with a message")
        self.refresh()
        self.assertEqual(len(self.ticket_a.message_ids), before,
                         "a reply on a closed ticket must post nothing")

    def test_post_without_csrf_is_refused(self):
        self.log_in_a()
        count = self.env["helpdesk.ticket"].search_count([])
        page = self.url_open("/my/tickets/new", data={"name": "no csrf", "description": "x"})
        self.assertEqual(page.status_code, 400, "a POST without CSRF token must be refused")
        self.refresh()
        self.assertEqual(self.env["helpdesk.ticket"].search_count([]), count,
                         "a POST without CSRF token must create no ticket")

    def test_customer_confirms_delivery_on_the_portal(self):
        set_state(self.ticket_a, "delivered", resolution="<p>Fixed the toner</p>")
        self.cr.commit()  # pylint: disable=invalid-commit  (test cursor: moves its savepoint)
        self.log_in_a()
        url = "/my/ticket/%s" % self.ticket_a.id
        csrf = self.csrf(url)
        page = self.url_open(url + "/confirm", data={
            "csrf_token": csrf, "satisfied": "0", "comment": ""})
        self.assertIn("Tell us what is missing", page.text, "refusal shown, nothing saved")
        self.refresh()
        self.assertEqual(self.ticket_a.state, "delivered",
                         "a refusal without comment must leave the ticket delivered")
        page = self.url_open(url + "/confirm", data={"csrf_token": csrf, "satisfied": "1"})
        self.assertIn("your ticket is closed", page.text,
                      "confirming satisfaction must tell the customer the ticket is closed")
        self.refresh()
        self.assertEqual((self.ticket_a.state, self.ticket_a.satisfaction),
                         ("closed", "satisfied"),
                         "a satisfied confirmation must close the ticket as satisfied")

    def test_rating_link_then_post(self):
        set_state(self.ticket_a, "delivered", resolution="<p>done</p>")
        self.ticket_a.action_customer_confirm(True)
        token = self.ticket_a.rating_get_access_token()
        self.cr.commit()  # pylint: disable=invalid-commit  (test cursor: moves its savepoint)
        page = self.url_open("/helpdesk/rating/%s/5" % token)
        self.assertEqual(page.status_code, 200,
                         "the mail's rating link must open the rating page")
        self.assertRegex(page.text, r'value="5"\s+checked', "the link's 5 stars preselected")
        self.refresh()
        self.assertFalse(self.ticket_a.rating_ids.filtered("consumed"),
                         "opening the link (a GET) must not rate: only the form's POST does")
        self.assertEqual(self.url_open("/helpdesk/rating/nope/5").status_code, 404,
                         "an unknown rating token must answer 404")
        self.assertEqual(self.url_open("/helpdesk/rating/%s/9" % token).status_code, 404,
                         "a rating outside 1-5 must answer 404")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        page = self.url_open("/helpdesk/rating/%s/submit" % token,
                             data={"csrf_token": csrf, "stars": "5"})
        self.assertEqual(page.status_code, 200, "the rating must be accepted")
        self.assertIn("Thank you for your rating", page.text,
                      "the POST must open the thank-you page")
        self.refresh()
        self.assertEqual(self.ticket_a.rating_ids.filtered("consumed").rating, 10.0,
                         "5 stars must be stored as 10 on Odoo's rating scale")
        # the optional comment of the thank-you page
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        page = self.url_open("/helpdesk/rating/%s/submit" % token, data={
            "csrf_token": csrf, "stars": "5", "feedback": "Fixed before lunch!"})
        self.assertEqual(page.status_code, 200, "the rating comment must be accepted")
        self.assertIn("Your comment was received", page.text,
                      "the customer must be told the comment was received")
        self.refresh()
        rating = self.ticket_a.rating_ids.filtered("consumed")
        self.assertEqual((rating.rating, rating.feedback), (10.0, "Fixed before lunch!"),
                         "the comment must be kept with the same rating")
        notes = self.ticket_a.message_ids.filtered(lambda m: "Customer rating" in (m.body or ""))
        self.assertEqual(len(notes), 2, "the stars, then the comment: no duplicate")
        self.assertIn("Fixed before lunch!", notes[0].body,
                      "the second note must carry the customer's comment")


@at_install(False)
@post_install(True)
class TestPortalQueryCount(HttpCase):
    """The portal list issues the same number of queries whatever the number of tickets."""

    def refresh(self):
        self.env["helpdesk.ticket"].invalidate_cache()

    def _count_queries(self, path, samples=3):
        """The queries of one warm request of ``path``: the fewest of a few requests.
        Every request of the session runs on this test cursor (see common.HttpCase), so
        a sample can only be inflated, never deflated: by caches another thread of the
        server cleared meanwhile (a CI run once saw a cold second request) or by a
        stray request of an earlier browser test. A query per ticket shows in every
        sample, so the fewest still grows with the tickets."""
        self.url_open(path)  # warm caches (assets, views, translations)
        counts = []
        for _sample in range(samples):
            self.refresh()
            before = self.cr.sql_log_count
            page = self.url_open(path)
            self.assertEqual(page.status_code, 200, "%s must open for the customer" % path)
            counts.append(self.cr.sql_log_count - before)
        return min(counts), counts

    def test_my_tickets_constant_queries(self):
        _org, user = make_organisation(self.env, "Bulk Org", "portal.bulk")
        quiet = self.env(context=dict(self.env.context, tracking_disable=True))

        def make(count):
            for i in range(count):
                make_ticket(quiet, user, name="Bulk %s" % i)
        make(10)
        self.cr.commit()  # pylint: disable=invalid-commit  (test cursor: moves its savepoint)
        self.authenticate(user.login, password(user))
        at_10, samples_10 = self._count_queries("/my/tickets")
        make(190)
        self.cr.commit()  # pylint: disable=invalid-commit  (test cursor: moves its savepoint)
        at_200, samples_200 = self._count_queries("/my/tickets")
        self.assertEqual(at_10, at_200, "queries at 10 tickets: %s, at 200: %s" % (
            samples_10, samples_200))
