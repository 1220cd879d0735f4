# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Security review, finding 6 (ratings are the customer's), played by the attacker over
HTTP: a link scanner opening the completion mail's rating links, another customer,
experts and operations writing ratings by RPC, Odoo's generic /rating routes, and the
customer rating again a delivery whose rating is over.

The rule under test ("once per delivery"): each closure's mail carries one rating
request; with it the customer gives, and may change, their stars while the ticket stays
closed by that delivery; after a reopen the old request is refused for good and the next
closure's mail asks again.
"""
import re

from odoo.tests.common import at_install, post_install

from odoo.addons.tktit_helpdesk.tests.attacker import AttackCase
from odoo.addons.tktit_helpdesk.tests.fixtures import new_user, set_state


@at_install(False)
@post_install(True)
class TestAttackRatings(AttackCase):

    def setUp(self):
        super(TestAttackRatings, self).setUp()
        self.ticket = self.closed_ticket()
        self.rating = self.ticket.rating_ids
        self.assertEqual(len(self.rating), 1, "the closing mail asked for one rating")
        self.token = self.rating.access_token
        self.checkpoint()

    # ------------------------------------------------------------ helpers
    def closed_ticket(self, ticket=None):
        """customer_a's ticket, delivered by expert_1, closed by the customer (who gets the
        closing mail and its rating request)."""
        ticket = ticket or self.new_ticket(name="Printer on fire")
        set_state(ticket, "delivered", user_id=self.expert_1.id,
                  resolution="<p>Replaced the fuser.</p>")
        ticket.sudo(self.customer_a).action_customer_confirm(True)
        return ticket

    def rating_notes(self):
        return self.ticket.message_ids.filtered(lambda m: "Customer rating" in (m.body or ""))

    def assert_unrated(self, why, rating=None):
        rating = rating or self.rating
        self.env.cache.invalidate()
        self.assertEqual((rating.consumed, rating.rating, rating.feedback),
                         (False, 0.0, False), "%s: the rating must stay ungiven" % why)
        self.assertFalse(self.rating_notes(), "%s: no rating note on the ticket" % why)

    def rate(self, stars, token=None, feedback=None):
        """The customer's POST from the rating page of the mail's link."""
        token = token or self.token
        data = {"stars": str(stars)}
        if feedback:
            data["feedback"] = feedback
        return self.post_form("/helpdesk/rating/%s/submit" % token, data,
                              csrf_from="/helpdesk/rating/%s/%s" % (token, stars))

    def log_out(self):
        self.opener.cookies.clear()

    def log_in(self, user):
        # back to the test's own session (HttpCase.authenticate logs *it* in), with no
        # public session cookie of the server's beside it
        self.log_out()
        self.opener.cookies["session_id"] = self.session_id
        self.authenticate_as(user)

    # -------------------------------------------------------------- tests
    def test_link_scanner_opens_the_links_and_rates_nothing(self):
        """A mail scanner (or link preview) GETs and HEADs every link of the mail."""
        for stars in range(1, 6):
            url = self.url("/helpdesk/rating/%s/%s" % (self.token, stars))
            page = self.opener.get(url, timeout=30)
            self.assertEqual(page.status_code, 200, "the link must open the rating page")
            self.assertRegex(page.text, r'value="%s"\s+checked' % stars,
                             "the page must preselect the link's %s stars" % stars)
            self.assertIn('action="/helpdesk/rating/%s/submit"' % self.token, page.text,
                          "the page must rate through its form")
            self.opener.head(url, timeout=30)
        self.assert_unrated("opening the mail's links")

    def test_customer_rates_by_post_with_the_token(self):
        self.log_out()  # the mail's link: the customer need not be logged in
        page = self.rate(4, feedback="Quick")
        self.assertEqual(page.status_code, 200, "the customer's rating must be accepted")
        self.assertIn("Thank you for your rating", page.text)
        self.env.cache.invalidate()
        self.assertEqual((self.rating.consumed, self.rating.rating, self.rating.feedback),
                         (True, 8.0, "Quick"), "4 stars (8 on Odoo's scale) and the comment")
        self.assertEqual(self.rating_notes().author_id, self.customer_a.partner_id,
                         "the rating note must be the customer's")
        # the same delivery: the customer may change their mind, logged in or not
        self.log_in(self.customer_a)
        self.assertIn("/my/tickets", self.opener.get(self.url("/my"), timeout=30).text,
                      "the customer is logged in")
        self.assertEqual(self.rate(2).status_code, 200, "a change of stars must be accepted")
        self.env.cache.invalidate()
        self.assertEqual(self.rating.rating, 4.0, "the customer's new 2 stars must be kept")

    def test_post_without_csrf_rates_nothing(self):
        """A page of another site posting the form for the customer (CSRF)."""
        response = self.opener.post(
            self.url("/helpdesk/rating/%s/submit" % self.token),
            data={"stars": "1"}, timeout=30, allow_redirects=False)
        self.assertEqual(response.status_code, 400, "a POST without CSRF token is refused")
        self.assert_unrated("a cross-site POST")

    def test_other_customer_cannot_rate(self):
        self.authenticate_as(self.customer_b)
        for data in ({"stars": "1", "ticket_id": str(self.ticket.id)},
                     {"stars": "1", "res_id": str(self.ticket.id),
                      "res_model": "helpdesk.ticket"}):
            for token in ("", "0", self.ticket.access_token, "x" * 32):
                path = "/helpdesk/rating/%s/submit" % token if token else "/helpdesk/rating/"
                page = self.post_form(path, data, csrf_from="/my")
                self.assertEqual(page.status_code, 404,
                                 "customer B posting A's ticket id without A's rating "
                                 "token (%r) must find nothing" % token)
        # B (or staff) holding A's link: only the rated ticket's customer rates with it
        for intruder in (self.customer_b, self.customer_a2, self.expert_1, self.operator):
            self.authenticate_as(intruder)
            page = self.rate(1)
            self.assertEqual(page.status_code, 403,
                             "%s, logged in, must not rate with A's link" % intruder.login)
            self.assertIn("belongs to %s" % self.customer_a.partner_id.name, page.text,
                          "%s must be told why" % intruder.login)
        self.assert_unrated("other users posting A's rating")

    def test_rpc_cannot_write_or_create_ticket_ratings(self):
        model_id = self.env["ir.model"]._get("helpdesk.ticket").id
        other_model_id = self.env["ir.model"]._get("res.partner").id
        for user in (self.expert_1, self.expert_2, self.operator, self.qc,
                     self.customer_a, self.customer_b):
            self.authenticate_as(user)
            self.assert_refused(self.call_kw(
                "rating.rating", "write", [[self.rating.id], {"rating": 10, "consumed": True}]),
                "%s writing the ticket's rating by RPC" % user.login)
            self.assert_refused(self.call_kw("rating.rating", "create", [{
                "res_model_id": model_id, "res_id": self.ticket.id, "rating": 10,
                "consumed": True, "partner_id": self.customer_a.partner_id.id}]),
                "%s creating a rating of the ticket by RPC" % user.login)
            self.assert_refused(self.call_kw("rating.rating", "create", [{
                "res_model_id": model_id, "res_id": self.ticket.id,
                "partner_id": user.partner_id.id, "rated_partner_id": user.partner_id.id}]),
                "%s creating a rating request (a token of their own) by RPC" % user.login)
            # a rating of another model (Odoo lets users create those) turned into one
            created = self.call_kw("rating.rating", "create", [{
                "res_model_id": other_model_id, "res_id": user.partner_id.id}])
            if "result" in created:
                self.assert_refused(self.call_kw(
                    "rating.rating", "write", [[created["result"]], {
                        "res_model_id": model_id, "res_id": self.ticket.id, "rating": 10,
                        "consumed": True}]),
                    "%s moving another model's rating onto the ticket" % user.login)
            applied = self.call_kw("helpdesk.ticket", "rating_apply", [[self.ticket.id], 10],
                                   {"token": self.token})
            self.assertIn(applied.get("result"), (None, False, "rating.rating()"),
                          "%s applying a rating with Odoo's rating_apply must find and "
                          "change nothing: %s" % (user.login, applied))
            self.assert_refused(self.call_kw(
                "helpdesk.ticket", "message_post", [[self.ticket.id]],
                {"body": "10/10", "rating_value": 10}),
                "%s posting a message with a rating_value" % user.login)
        ratings = self.env["rating.rating"].search([
            ("res_model", "=", "helpdesk.ticket"), ("res_id", "=", self.ticket.id)])
        self.assertEqual(ratings, self.rating, "no rating was added to the ticket")
        self.assert_unrated("RPC writes by staff and customers")
        # managers (and operations) still read the ratings
        manager = new_user(self.env, "hd.manager", ["tktit_helpdesk.group_helpdesk_manager"],
                           password="hd.manager")
        self.checkpoint()
        self.authenticate_as(manager)
        rows = self.call_kw("rating.rating", "search_read", [
            [("res_model", "=", "helpdesk.ticket")], ["res_id"]])
        self.assertIn(self.ticket.id, [row["res_id"] for row in rows.get("result", [])],
                      "the manager %s must read the ticket's rating" % manager.login)

    def test_odoo_generic_rating_routes_rate_nothing(self):
        self.log_out()
        for rate in (1, 5, 10):
            response = self.opener.get(self.url("/rating/%s/%s" % (self.token, rate)),
                                       timeout=30, allow_redirects=False)
            self.assertIn(response.status_code, (302, 303),
                          "Odoo's /rating/<token>/%s must lead to the ticket's page" % rate)
            self.assertRegex(response.headers.get("Location", ""),
                             r"/helpdesk/rating/%s/[1-5]$" % self.token)
        response = self.opener.get(self.url("/rating/%s/10" % self.token), timeout=30)
        self.assertIn('value="5"', response.text, "followed: the choice page")
        csrf = re.search(r'name="csrf_token"\s+value="([^"]+)"', response.text).group(1)
        response = self.opener.post(
            self.url("/rating/%s/10/submit_feedback" % self.token), timeout=30,
            data={"csrf_token": csrf, "feedback": "10/10"}, allow_redirects=False)
        self.assertIn(response.status_code, (302, 303),
                      "Odoo's submit_feedback must not rate a ticket")
        self.assert_unrated("Odoo's generic /rating routes")
        # other models' ratings: as Odoo has them
        task = self.env["project.task"].create({"name": "Rated task"})
        other = self.env["rating.rating"].create({
            "res_model_id": self.env["ir.model"]._get("project.task").id, "res_id": task.id,
            "partner_id": self.customer_b.partner_id.id})
        self.checkpoint()
        response = self.opener.get(self.url("/rating/%s/10" % other.access_token), timeout=30)
        self.assertEqual(response.status_code, 200, "Odoo's page for another model's rating")
        self.env.cache.invalidate()
        self.assertEqual((other.consumed, other.rating), (True, 10.0),
                         "another model's rating is rated by Odoo's route as before")

    def test_rating_once_per_delivery(self):
        self.log_out()
        self.assertEqual(self.rate(4).status_code, 200, "the first delivery's rating")
        old_token = self.token
        # the customer comes back: the ticket is reopened, then delivered and closed again
        self.ticket.sudo(self.operator).action_reopen()
        self.checkpoint()
        page = self.opener.get(self.url("/helpdesk/rating/%s/1" % old_token), timeout=30)
        self.assertEqual(page.status_code, 403, "a reopened ticket's old link must refuse")
        self.assertIn("was reopened", page.text, "the customer must be told why")
        self.assertNotIn("/submit", page.text, "no form to rate with")
        page = self.rate(1, token=old_token)
        self.assertEqual(page.status_code, 403, "rating a reopened ticket must be refused")
        self.env.cache.invalidate()
        self.assertEqual(self.rating.rating, 8.0, "the first delivery's 4 stars are kept")
        self.closed_ticket(self.ticket)
        self.checkpoint()
        new_rating = self.ticket.rating_ids - self.rating
        self.assertEqual(len(new_rating), 1, "the second closure asks for a new rating")
        page = self.rate(1, token=old_token)
        self.assertEqual(page.status_code, 403,
                         "the first delivery's link must not change its rating any more")
        self.assertIn("earlier delivery", page.text, "the customer must be told why")
        self.env.cache.invalidate()
        self.assertEqual(self.rating.rating, 8.0, "the first delivery's rating unchanged")
        self.assertEqual(self.rate(5, token=new_rating.access_token).status_code, 200,
                         "the second delivery's link rates it")
        self.env.cache.invalidate()
        self.assertEqual((new_rating.consumed, new_rating.rating), (True, 10.0),
                         "the second delivery's 5 stars")

    def test_renaming_a_rated_ticket_still_works(self):
        """The read-only rules do not stop operations renaming a rated ticket (Odoo
        rewrites the stored name of its ratings)."""
        self.log_out()
        self.rate(3)
        self.log_in(self.operator)
        payload = self.call_kw("helpdesk.ticket", "write", [[self.ticket.id], {
            "name": "Printer fixed"}])
        self.assertNotIn("error", payload, "operations must rename a rated ticket: %s"
                         % payload.get("error"))
        self.env.cache.invalidate()
        self.assertIn("Printer fixed", self.rating.res_name, "the rating follows the name")
