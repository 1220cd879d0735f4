# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The customer's rating of a closed ticket.

The completion mail links to ``GET /helpdesk/rating/<token>/<stars>``: a page with the
1-5 choice preselected, which rates nothing (mail scanners and link previews open it
too). Only its form, ``POST /helpdesk/rating/<token>/submit`` (CSRF), records the
rating, through ``helpdesk.ticket._apply_customer_rating`` (the "once per delivery"
rule). The token of the mail is the access check: the customer need not be logged in;
a logged-in user other than the ticket's customer is refused.

Odoo's generic ``/rating/<token>/<rate>`` routes rate by GET and by any token: for a
ticket's token they only lead to the page above.
"""
import werkzeug

from odoo import _, http
from odoo.exceptions import UserError
from odoo.http import request

from odoo.addons.rating.controllers.main import Rating

HELPDESK_MODEL = "helpdesk.ticket"
STARS = range(1, 6)


def _helpdesk_rating(token):
    """The helpdesk ticket's rating request with this token (sudo), or an empty one."""
    # sudo: the customer may not be logged in; the unguessable token is the access check.
    return request.env["rating.rating"].sudo().search(
        [("access_token", "=", token or ""), ("res_model", "=", HELPDESK_MODEL)], limit=1)


class HelpdeskRating(http.Controller):

    def _rating_refusal(self, rating):
        """Why the visitor may not rate with this request, or None."""
        user = request.env.user
        if not user._is_public() and user.partner_id != rating.partner_id:
            return _("This rating link belongs to %s: only the ticket's customer rates "
                     "it. Log out to use a link you were given.") % rating.partner_id.name
        try:
            rating._check_customer_may_rate()
        except UserError as error:
            return error.name
        return None

    def _render_choice(self, rating, stars, refusal=None, error=None, status=200):
        ticket = request.env[HELPDESK_MODEL].sudo().browse(rating.res_id)
        return request.render("tktit_helpdesk.portal_rating_choice", {
            "ticket": ticket, "token": rating.access_token, "stars": stars,
            "current_stars": int(rating.rating // 2) if rating.consumed else 0,
            "refusal": refusal, "error": error,
        }, status=status)

    @http.route(["/helpdesk/rating/<string:token>/<int:stars>"], type="http", auth="public",
                methods=["GET"], website=True)
    def portal_ticket_rating(self, token, stars, **kw):
        """The page of the mail's link: the choice, preselected; nothing recorded."""
        rating = _helpdesk_rating(token)
        if not rating or stars not in STARS:
            return request.not_found()
        refusal = self._rating_refusal(rating)
        return self._render_choice(rating, stars, refusal=refusal,
                                   status=403 if refusal else 200)

    @http.route(["/helpdesk/rating/<string:token>/submit"], type="http", auth="public",
                methods=["POST"], website=True)
    def portal_ticket_rating_submit(self, token, stars=None, feedback="", **kw):
        """The customer's rating (and comment), from the page's form."""
        rating = _helpdesk_rating(token)
        if not rating:
            return request.not_found()
        try:
            stars = int(stars)
        except (TypeError, ValueError):
            stars = 0
        refusal = self._rating_refusal(rating)
        if refusal:
            return self._render_choice(rating, stars, refusal=refusal, status=403)
        if stars not in STARS:
            return self._render_choice(rating, 0, status=400, error=_(
                "Choose from 1 to 5 stars."))
        ticket = request.env[HELPDESK_MODEL].sudo().browse(rating.res_id)
        try:
            with request.env.cr.savepoint():
                ticket._apply_customer_rating(stars, token, feedback=feedback)
        except UserError as error:
            return self._render_choice(rating, stars, refusal=error.name, status=403)
        return request.render("tktit_helpdesk.portal_rating_done", {
            "ticket": ticket, "stars": stars, "token": token,
            "feedback_received": bool((feedback or "").strip())})


class HelpdeskGenericRating(Rating):
    """Odoo's ``/rating/<token>/<rate>`` (and its ``submit_feedback``) for a ticket's
    token: to the ticket's rating page, rating nothing; other models as Odoo has them."""

    @staticmethod
    def _helpdesk_redirect(token, rate):
        # Odoo's 0-10 scale (1, 5 or 10 in its mails) to the page's preselected stars
        stars = min(max((rate + 1) // 2, 1), 5)
        return werkzeug.utils.redirect("/helpdesk/rating/%s/%d" % (token, stars), 303)

    @http.route()
    def open_rating(self, token, rate, **kwargs):
        if _helpdesk_rating(token):
            return self._helpdesk_redirect(token, rate)
        return super(HelpdeskGenericRating, self).open_rating(token, rate, **kwargs)

    @http.route()
    def submit_rating(self, token, rate, **kwargs):
        if _helpdesk_rating(token):
            return self._helpdesk_redirect(token, rate)
        return super(HelpdeskGenericRating, self).submit_rating(token, rate, **kwargs)
