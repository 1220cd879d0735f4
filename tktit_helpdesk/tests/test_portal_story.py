# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The portal ticket page tells the story (Wave 2 · 8): what the customer asked, who
works on it, what was done once delivered, how they answered and rated it, and the
conversation; the list's "last update" is the last news the customer can see. A
customer of another organisation still gets nothing of it."""
import re
from datetime import datetime, timedelta

from odoo import fields
from odoo.tests.common import at_install, post_install

from .fixtures import DEFAULT_RESOLUTION, set_state
from .helpdesk_common import HelpdeskCase, HelpdeskHttpCase

# what the fixture's expert writes as resolution (advance_ticket)
RESOLUTION_TEXT = re.sub(r"<[^>]+>", "", DEFAULT_RESOLUTION)


def text_of(html):
    """The page's text, tags removed and spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@at_install(False)
@post_install(True)
class TestPortalStory(HelpdeskHttpCase):

    def page_text(self, path, status=200):
        self.checkpoint()
        page = self.url_open(path)
        self.assertEqual(page.status_code, status, "%s must answer %s" % (path, status))
        return text_of(page.text)

    def closed_and_rated(self, stars, feedback, comment=None):
        """Customer A's ticket, delivered by the real lifecycle, closed by the customer's
        satisfied answer, then rated through the closing mail's rating request."""
        ticket = self.ticket_in("delivered")
        ticket.sudo(self.customer_a).action_customer_confirm(True, comment=comment)
        self.assertEqual(ticket.state, "closed", "the satisfied answer closes the ticket")
        token = ticket.rating_get_access_token()
        ticket._apply_customer_rating(stars, token, feedback)
        return ticket

    def test_delivered_ticket_shows_description_expert_and_resolution(self):
        ticket = self.ticket_in("delivered",
                                description="<p>The printer prints blank pages.</p>")
        self.authenticate_as(self.customer_a)
        text = self.page_text("/my/ticket/%d" % ticket.id)
        self.assertIn("The printer prints blank pages.", text, "the description")
        self.assertIn("Expert: %s" % self.expert_1.name, text, "the expert's name")
        self.assertIn("Resolution", text)
        self.assertIn(RESOLUTION_TEXT, text,
                      "what was done, once delivered")
        self.assertIn("Does this resolve your request?", text, "the question to answer")
        self.assertNotIn("Closed on", text, "not closed yet")
        self.assertNotIn(self.expert_1.login, text, "nothing of the expert but the name")
        self.assertNotIn(self.expert_1.email, text, "nothing of the expert but the name")

    def test_resolution_stays_internal_before_delivery(self):
        ticket = self.ticket_in("work_completed")
        self.authenticate_as(self.customer_a)
        text = self.page_text("/my/ticket/%d" % ticket.id)
        self.assertIn(ticket.number, text)
        self.assertNotIn(RESOLUTION_TEXT, text,
                         "the expert's resolution waits for QC and the committee")

    def test_closed_ticket_shows_what_was_done_and_how_it_was_rated(self):
        ticket = self.closed_and_rated(2, "Took three days to come.",
                                       comment="Works again, thanks.")
        self.authenticate_as(self.customer_a)
        text = self.page_text("/my/ticket/%d" % ticket.id)
        self.assertIn(RESOLUTION_TEXT, text,
                      "a closed ticket shows what was done")
        self.assertIn("Expert: %s" % self.expert_1.name, text)
        self.assertIn("Closed on", text)
        self.assertIn("You confirmed the work: satisfied.", text)
        self.assertIn("Works again, thanks.", text, "the customer's answer to the delivery")
        self.assertIn("Your rating: ★★☆☆☆ 2/5", text, "the stars the customer gave")
        self.assertIn("Took three days to come.", text, "the rating's comment")
        # the colleague of the same organisation reads the same story
        self.authenticate_as(self.customer_a2)
        self.assertIn("2/5", self.page_text("/my/ticket/%d" % ticket.id))

    def test_closed_ticket_not_rated_yet_shows_no_stars(self):
        ticket = self.ticket_in("delivered")
        ticket.sudo(self.customer_a).action_customer_confirm(True)
        self.authenticate_as(self.customer_a)
        text = self.page_text("/my/ticket/%d" % ticket.id)
        self.assertIn("You confirmed the work: satisfied.", text)
        self.assertNotIn("Your rating", text, "no rating given yet")

    def test_empty_description_says_so(self):
        ticket = self.new_ticket(description="<p><br></p>")
        self.authenticate_as(self.customer_a)
        text = self.page_text("/my/ticket/%d" % ticket.id)
        self.assertIn("No description was given", text,
                      "an empty editor paragraph is no description")

    def test_cancelled_ticket_says_cancelled_on(self):
        ticket = self.new_ticket()
        set_state(ticket, "cancelled", closed_on=fields.Datetime.now())
        self.authenticate_as(self.customer_a)
        text = self.page_text("/my/ticket/%d" % ticket.id)
        self.assertIn("Cancelled on", text)
        self.assertNotIn("Closed on", text)

    def test_other_organisation_is_refused_the_story(self):
        ticket = self.closed_and_rated(5, "Perfect, thank you!")
        self.authenticate_as(self.customer_b)
        self.checkpoint()
        page = self.url_open("/my/ticket/%d" % ticket.id)
        self.assertTrue(page.url.rstrip("/").endswith("/my/home") or
                        page.url.rstrip("/").endswith("/my"),
                        "customer B is sent back to their portal: %s" % page.url)
        for secret in (RESOLUTION_TEXT, "Perfect, thank you!", ticket.number):
            self.assertNotIn(secret, page.text, "customer B must not read %r" % secret)
        listing = self.page_text("/my/tickets")
        self.assertNotIn(ticket.number, listing, "nor list it")

    def test_token_holder_reads_the_story(self):
        ticket = self.closed_and_rated(4, "Good job.")
        text = self.page_text("/my/ticket/%d?access_token=%s" % (ticket.id,
                                                                 ticket.access_token))
        self.assertIn(RESOLUTION_TEXT, text, "the mail's link opens the ticket's story")
        self.assertIn("4/5", text)

    def test_list_shows_cards_with_status_and_last_update(self):
        ticket = self.ticket_in("delivered")
        self.authenticate_as(self.customer_a)
        self.checkpoint()
        html = self.url_open("/my/tickets").text
        card = re.search(r'<a [^>]*data-ticket-id="%d"[^>]*>(.*?)</a>' % ticket.id, html,
                         re.S)
        self.assertTrue(card, "the ticket has its card for phones")
        card_text = text_of(card.group(1))
        for expected in (ticket.number, ticket.name, "Awaiting Customer", "Last update"):
            self.assertIn(expected, card_text, "the card shows %r" % expected)
        self.assertIn("o_tktit_ticket_table", html, "and the table for wider screens")


@at_install(False)
@post_install(True)
class TestPortalLastUpdate(HelpdeskCase):

    def set_message_date(self, message, date):
        message.write({"date": fields.Datetime.to_string(date)})

    def test_last_update_follows_the_conversation_not_notes(self):
        earlier = datetime.now().replace(microsecond=0) - timedelta(days=3)
        ticket = self.new_ticket()
        for message in ticket.message_ids:
            self.set_message_date(message, earlier)
        ticket.invalidate_cache()
        self.assertEqual(ticket.portal_last_update, fields.Datetime.to_string(earlier),
                         "the last message the customer can see")
        reply = ticket.sudo(self.operator).message_post(
            body="<p>We are on it.</p>", message_type="comment", subtype="mail.mt_comment")
        self.set_message_date(reply, earlier + timedelta(days=1))
        note = ticket.sudo(self.operator).message_post(
            body="<p>Internal: call the vendor.</p>", message_type="comment",
            subtype="mail.mt_note")
        self.set_message_date(note, earlier + timedelta(days=2))
        ticket.invalidate_cache()
        self.assertEqual(ticket.portal_last_update,
                         fields.Datetime.to_string(earlier + timedelta(days=1)),
                         "a reply is news for the customer, an internal note is not")
        # as the customer, who reads neither notes nor subtypes
        as_customer = ticket.sudo(self.customer_a)
        self.assertEqual(as_customer.portal_last_update, ticket.portal_last_update)

    def test_last_update_of_a_page_of_tickets_in_one_query(self):
        tickets = self.new_ticket() | self.new_ticket() | self.new_ticket()
        tickets.invalidate_cache()
        queries = self.cr.sql_log_count
        tickets.mapped("portal_last_update")
        # the tickets' own row (create_date, closed_on) and one grouped message query
        self.assertLessEqual(self.cr.sql_log_count - queries, 2,
                             "one query for the whole page, whatever its size")
