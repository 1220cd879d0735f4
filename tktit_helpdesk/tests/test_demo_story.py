"""The demo tells a story (models/helpdesk_ticket_demo.py, demo/helpdesk_demo.xml): the
company has its own name, logo and mail identity; a year of tickets, walked through the
lifecycle, whose dates are in order and in the past, with conversations, resolutions
and ratings good and bad. Read on the demo database, as installed."""
import base64
from datetime import datetime, timedelta

from odoo import fields
from odoo.modules.module import get_module_resource
from odoo.tests.common import TransactionCase, at_install, post_install
from odoo.tools import html2plaintext


@at_install(False)
@post_install(True)
class TestDemoStory(TransactionCase):

    def setUp(self):
        super(TestDemoStory, self).setUp()
        data = self.env["ir.model.data"].search([
            ("module", "=", "tktit_helpdesk"), ("model", "=", "helpdesk.ticket"),
            ("name", "=like", "story_%")])
        self.story = self.env["helpdesk.ticket"].browse(data.mapped("res_id"))
        self.demo_tickets = self.env["helpdesk.ticket"].browse(self.env["ir.model.data"].search([
            ("model", "=", "helpdesk.ticket")]).mapped("res_id"))

    def test_company_identity(self):
        company = self.env.ref("base.main_company")
        self.assertNotEqual(company.name, "YourCompany")
        self.assertTrue(company.logo, "the company has a logo")
        placeholder = get_module_resource("base", "static", "img", "res_company_logo.png")
        with open(placeholder, "rb") as handle:
            self.assertNotEqual(company.logo, base64.b64encode(handle.read()),
                                "not Odoo's 'Your logo' placeholder")
        for partner in (company.partner_id, self.env.ref("base.user_root").partner_id):
            self.assertTrue(partner.email, partner.name)
            self.assertNotIn("yourcompany", partner.email, partner.name)
            self.assertTrue(partner.email.endswith("@tktit.example"), partner.email)

    def test_a_year_of_tickets(self):
        self.assertGreaterEqual(len(self.story), 120)
        now = datetime.utcnow()
        created = [fields.Datetime.from_string(t.create_date) for t in self.story]
        self.assertLess(min(created), now - timedelta(days=300), "back almost a year")
        self.assertGreater(max(created), now - timedelta(days=30), "up to these days")
        months = {(c.year, c.month) for c in created}
        self.assertGreaterEqual(len(months), 11, "every month of the year")
        states = set(self.story.mapped("state"))
        self.assertLessEqual({"closed", "cancelled"}, states)
        self.assertGreater(len(self.story.filtered(lambda t: t.state == "closed")),
                           len(self.story) / 2)

    def test_dates_in_order(self):
        """Submitted before answered before closed, all in the past: the tickets of the
        story and the hand-written demo tickets alike."""
        now = fields.Datetime.now()
        for ticket in self.story | self.demo_tickets:
            dates = [ticket.create_date, ticket.first_support_reply_on, ticket.closed_on]
            known = [d for d in dates if d]
            self.assertEqual(known, sorted(known), "%s %s: %s" % (
                ticket.number, ticket.name, dates))
            self.assertTrue(all(d <= now for d in known), ticket.number)
        for ticket in self.story:
            messages = ticket.message_ids
            self.assertTrue(messages, ticket.number)
            self.assertGreaterEqual(min(messages.mapped("date")), ticket.create_date,
                                    ticket.number)
            self.assertLessEqual(max(messages.mapped("date")), now, ticket.number)
            if ticket.closed_on and ticket.state == "closed":
                ratings = self.env["rating.rating"].search([
                    ("res_model", "=", "helpdesk.ticket"), ("res_id", "=", ticket.id),
                    ("consumed", "=", True)])
                for rating in ratings:
                    self.assertGreaterEqual(rating.write_date, ticket.closed_on,
                                            ticket.number)

    def test_closed_tickets_tell_what_was_done(self):
        closed = (self.story | self.demo_tickets).filtered(lambda t: t.state == "closed")
        self.assertTrue(closed)
        for ticket in closed:
            self.assertTrue(html2plaintext(ticket.description or "").strip(), ticket.number)
            self.assertTrue(html2plaintext(ticket.resolution or "").strip(), ticket.number)
        comment = self.env.ref("mail.mt_comment")
        conversations = closed.filtered(lambda t: len(t.message_ids.filtered(
            lambda m: m.subtype_id == comment and m.message_type == "comment")) >= 2)
        self.assertGreater(len(conversations), len(closed & self.story) / 2,
                           "real conversations between customer and expert")

    def test_ratings_good_and_bad(self):
        ratings = self.env["rating.rating"].search([
            ("res_model", "=", "helpdesk.ticket"), ("res_id", "in", self.story.ids),
            ("consumed", "=", True)])
        stars = set(int(r.rating / 2) for r in ratings)
        self.assertIn(5, stars)
        self.assertTrue(stars & {1, 2}, "some bad ratings too")
        self.assertTrue(ratings.filtered("feedback"), "customers' comments")
        self.assertTrue(self.story.filtered(lambda t: t.satisfaction == "dissatisfied" or
                                            t.message_ids.filtered(
                                                lambda m: "not satisfied" in (m.body or ""))),
                        "a customer sent the work back once")

    def test_latest_ratings_were_given_hours_before_the_install(self):
        """The overview's "today's satisfaction" has figures on the first login: the
        story's last three ratings came one to three hours before it was written."""
        installed = max(fields.Datetime.from_string(d.create_date) for d in
                        self.env["ir.model.data"].search([
                            ("module", "=", "tktit_helpdesk"), ("name", "=like", "story_%"),
                            ("model", "=", "helpdesk.ticket")]))
        ratings = self.env["rating.rating"].search([
            ("res_model", "=", "helpdesk.ticket"), ("res_id", "in", self.story.ids),
            ("consumed", "=", True)], order="rated_on desc", limit=3)
        self.assertEqual(len(ratings), 3)
        for rating in ratings:
            before = installed - fields.Datetime.from_string(rating.rated_on)
            self.assertGreater(before, timedelta(minutes=55), rating.res_name)
            self.assertLess(before, timedelta(hours=4), rating.res_name)
            ticket = self.env["helpdesk.ticket"].browse(rating.res_id)
            self.assertEqual(ticket.state, "closed")
            self.assertLess(ticket.closed_on, rating.rated_on, "closed, then rated")

    def test_no_mail_queued_by_the_story(self):
        """The walk mails nobody: the demo's year does not land in the mail queue."""
        self.assertFalse(self.env["mail.mail"].search([
            ("model", "=", "helpdesk.ticket"), ("res_id", "in", self.story.ids),
            ("state", "=", "outgoing")]))
