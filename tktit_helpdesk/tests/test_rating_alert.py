# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""A 1-2 star rating alerts the QA manager at once: a mail with the customer's words
(escaped) posted as an internal note on the ticket, and an activity for them; once per
rating request, whatever the customer changes afterwards. 3-5 stars alert nobody. Over
HTTP: another customer holding the link triggers nothing; the customer's own POST does,
and the mail read from the SMTP sink quotes their words as text."""
from odoo.tests.common import at_install, post_install

from .attacker import AttackCase
from .common import MailSinkMixin
from .fixtures import set_state
from .helpdesk_common import HelpdeskCase

EVIL = "<b>Rude</b> & slow\n<script>alert('x')</script><img src=x onerror=alert(1)>"


class RatingAlertMixin(object):

    def closed_ticket(self):
        """customer_a's ticket delivered by expert_1 and closed by the customer (the
        closing mail asks for the rating)."""
        ticket = self.new_ticket(name="Printer on fire")
        set_state(ticket, "delivered", user_id=self.expert_1.id,
                  resolution="<p>Replaced the fuser.</p>")
        ticket.sudo(self.customer_a).action_customer_confirm(True)
        self.assertEqual(len(ticket.rating_ids), 1, "the closing mail asked for a rating")
        return ticket

    def alert_mails(self, ticket):
        return self.env["mail.mail"].sudo().search([
            ("model", "=", "helpdesk.ticket"), ("res_id", "=", ticket.id),
            ("subject", "like", "-star rating from")])

    def alert_notes(self, ticket):
        return ticket.message_ids.filtered(
            lambda m: "-star rating from" in (m.subject or ""))

    def alert_activities(self, ticket):
        return self.env["mail.activity"].sudo().search([
            ("res_model", "=", "helpdesk.ticket"), ("res_id", "=", ticket.id),
            ("activity_type_id", "=",
             self.env.ref("tktit_helpdesk.mail_activity_low_rating").id)])

    def assert_alerted_once(self, ticket, why):
        self.env.cache.invalidate()
        self.assertEqual(len(self.alert_mails(ticket)), 1, "%s: one alert mail" % why)
        self.assertEqual(len(self.alert_notes(ticket)), 1, "%s: one alert in the chatter" % why)
        self.assertEqual(len(self.alert_activities(ticket)), 1, "%s: one activity" % why)

    def assert_not_alerted(self, ticket, why):
        self.env.cache.invalidate()
        self.assertFalse(self.alert_mails(ticket), "%s: no alert mail" % why)
        self.assertFalse(self.alert_notes(ticket), "%s: no alert in the chatter" % why)
        self.assertFalse(self.alert_activities(ticket), "%s: no activity" % why)


class TestRatingAlert(RatingAlertMixin, HelpdeskCase):

    def setUp(self):
        super(TestRatingAlert, self).setUp()
        self.ticket = self.closed_ticket()
        self.token = self.ticket.rating_ids.access_token
        self.recipients = self.ticket.company_id._helpdesk_low_rating_recipients()
        self.assertTrue(self.recipients, "the company has someone to alert")

    def rate(self, stars, feedback=None):
        # what the rating page's POST does once the token was checked
        return self.ticket._apply_customer_rating(stars, self.token, feedback=feedback)

    def test_low_rating_alerts_the_qa_manager_once(self):
        rating = self.rate(2, feedback=EVIL)
        self.assertEqual(rating.rating, 4.0, "2 stars are 4 on Odoo's 0-10 scale")
        self.assert_alerted_once(self.ticket, "2 stars")
        mail = self.alert_mails(self.ticket)
        self.assertEqual(mail.mail_message_id.partner_ids,
                         self.recipients.mapped("partner_id"),
                         "the alert goes to the company's low-rating recipients only")
        self.assertNotIn(self.customer_a.partner_id, mail.recipient_ids,
                         "the customer does not get the staff's alert")
        self.assertIn(self.ticket.number, mail.subject)
        self.assertIn("2-star rating", mail.subject)
        body = mail.body_html
        self.assertIn("&lt;b&gt;Rude&lt;/b&gt; &amp; slow", body,
                      "the customer's words are quoted, escaped")
        self.assertIn("&lt;script&gt;", body)
        for raw in ("<b>Rude</b>", "<script", "<img src=x"):
            self.assertNotIn(raw, body, "no markup of the customer's reaches the mail")
        self.assertIn("2 out of 5", body)
        self.assertIn(self.expert_1.name, body, "the mail names the expert")
        note = self.alert_notes(self.ticket)
        self.assertEqual(note.subtype_id, self.env.ref("mail.mt_note"),
                         "kept in the chatter as an internal note, not shown to customers")
        activity = self.alert_activities(self.ticket)
        self.assertEqual(activity.user_id, self.recipients[:1],
                         "the activity is the (first) recipient's: the QA manager's")
        self.assertIn(self.ticket.number, activity.summary)
        self.assertIn("&lt;b&gt;Rude&lt;/b&gt;", activity.note, "the words, escaped")
        self.assertNotIn("<script", activity.note)
        self.assertTrue(rating.low_rating_alerted_on, "the rating is marked alerted")

        # the customer changes their mind with the same request: no second alert
        self.rate(1, feedback="Even worse: nobody called back")
        self.assert_alerted_once(self.ticket, "re-rated 1 star")
        self.rate(5)
        self.rate(2, feedback="Changed my mind again")
        self.assert_alerted_once(self.ticket, "re-rated 5 then 2 stars")

    def test_good_and_average_ratings_alert_nobody(self):
        for stars in (5, 4, 3):
            rating = self.rate(stars, feedback="Fine, %s stars" % stars)
            self.assertEqual(rating.rating, stars * 2.0)
            self.assert_not_alerted(self.ticket, "%s stars" % stars)
        self.assertFalse(rating.low_rating_alerted_on)

    def test_rating_lowered_to_one_star_alerts(self):
        self.rate(5)
        self.assert_not_alerted(self.ticket, "5 stars")
        self.rate(1)
        self.assert_alerted_once(self.ticket, "changed to 1 star")
        self.assertIn("The customer left no comment", self.alert_mails(self.ticket).body_html)

    def test_alert_claim_is_once_per_rating(self):
        """Two posts at the same moment: the UPDATE that claims the alert is won once."""
        rating = self.rate(1)
        self.assertFalse(rating._claim_low_rating_alert(),
                         "an alerted rating cannot be claimed again")
        rating._alert_low_rating()
        self.assert_alerted_once(self.ticket, "the alert run again")


@at_install(False)
@post_install(True)
class TestRatingAlertHttp(MailSinkMixin, RatingAlertMixin, AttackCase):
    """The rating page's POST, as the customer and as someone else holding the link."""

    def setUp(self):
        super(TestRatingAlertHttp, self).setUp()
        self.ticket = self.closed_ticket()
        self.token = self.ticket.rating_ids.access_token
        self.checkpoint()

    def rate(self, stars, feedback):
        return self.post_form("/helpdesk/rating/%s/submit" % self.token,
                              {"stars": str(stars), "feedback": feedback},
                              csrf_from="/helpdesk/rating/%s/%s" % (self.token, stars))

    def test_only_the_customer_triggers_the_alert(self):
        for intruder in (self.customer_b, self.customer_a2, self.expert_1):
            self.authenticate_as(intruder)
            self.assertEqual(self.rate(1, EVIL).status_code, 403,
                             "%s may not rate with A's link" % intruder.login)
        self.assert_not_alerted(self.ticket, "others posting A's rating link")

        self.opener.cookies.clear()  # the mail's link: the customer need not log in
        self.assertEqual(self.rate(1, EVIL).status_code, 200)
        self.assert_alerted_once(self.ticket, "the customer's 1 star")
        recipients = self.ticket.company_id._helpdesk_low_rating_recipients()
        mails = [m for m in self.mail_sink.flush(self.env) if "-star rating from" in m.subject]
        # (recipients reading their notifications in Odoo only get no e-mail)
        mailed = recipients.filtered(lambda user: user.notification_type == "email")
        self.assertTrue(mails)
        self.assertEqual(sorted(m.to[0] for m in mails), sorted(mailed.mapped("email")),
                         "the sink got the alert, for the low-rating recipients only")
        html = mails[0].html
        self.assertIn("&lt;b&gt;Rude&lt;/b&gt;", html, "the words arrive as text")
        for raw in ("<b>Rude</b>", "<script", "<img src=x"):
            self.assertNotIn(raw, html, "no markup of the customer's in the mail")
        self.assertIn("/web#id=%s&amp;model=helpdesk.ticket" % self.ticket.id, html,
                      "the mail links to the ticket in the backend")
