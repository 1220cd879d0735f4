# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Ratings of tickets are the customer's.

Odoo lets every user create and write ``rating.rating`` (its ACL), and the rating mixin
writes them as whoever calls ``rating_apply``. For the ratings of helpdesk tickets:

- only the superuser creates them, and only as blank requests (the closing mail's
  ``rating_get_access_token``, sent as superuser);
- their stars, comment and "filled" flag are written only by
  ``helpdesk.ticket._apply_customer_rating`` (the customer's POST, after its token check),
  through ``_write_customer_rating``;
- nobody else writes them, even by sudo (Odoo's ``rating_apply``, a chatter post with a
  ``rating_value``), and no rating of another model can be turned into one.

The record rules (security/helpdesk_rules.xml) say the same for reads and writes.

When the stars are given (``rated_on``, the date of the digest and the reports) and the
low-rating alert: a rating given or changed to 1 or 2 stars (``LOW_RATING_MAX`` on Odoo's
0-10 scale, stars x 2) alerts the company's ``_helpdesk_low_rating_recipients()`` at once,
with a mail and an activity on the ticket, once per rating request
(``low_rating_alerted_on``, claimed by one UPDATE, so that re-rating or two concurrent
posts do not alert twice).

The "once per delivery" rule (``_check_customer_may_rate``): each closure's mail carries
one rating request; the customer may give and change their stars and comment with it as
long as the ticket stays closed by that delivery. Once the ticket is reopened, or a newer
request exists (the next closure asks again), the old request is closed for good.
"""
from odoo import SUPERUSER_ID, _, api, fields, models, tools
from odoo.exceptions import AccessError, UserError

HELPDESK_MODEL = "helpdesk.ticket"
# what only the customer gives (through _write_customer_rating)
CUSTOMER_FIELDS = frozenset(["rating", "feedback", "consumed", "message_id", "rated_on"])
# 1 or 2 stars (stored as stars x 2 on Odoo's 0-10 scale): the QA manager hears at once
LOW_RATING_MAX = 4.0
# Context key by which _write_customer_rating marks its own write (an object: JSON-RPC
# contexts cannot carry it).
CUSTOMER_WRITE_KEY = "tktit_customer_rating"
_CUSTOMER_WRITE_TOKEN = object()


class RatingRating(models.Model):
    _inherit = "rating.rating"

    rated_on = fields.Datetime(
        string="Rated On", readonly=True, copy=False, index=True,
        help="When the customer last gave their stars (the weekly digest's date).")
    low_rating_alerted_on = fields.Datetime(
        string="Low Rating Alert", readonly=True, copy=False, groups="base.group_user",
        help="When the QA manager was alerted of this 1-2 star rating (once per rating).")

    @api.model_cr
    def init(self):
        # ratings given before rated_on existed: their last write is when they were given
        self.env.cr.execute("""
            UPDATE rating_rating SET rated_on = write_date
             WHERE rated_on IS NULL AND consumed AND res_model = %s""", (HELPDESK_MODEL,))

    # ----------------------------------------------------------------- guards
    def _targets_helpdesk(self, vals):
        """Whether ``vals`` (create or write) points a rating at a helpdesk ticket."""
        if not vals.get("res_model_id"):
            return False
        model = self.env["ir.model"].sudo().browse(vals["res_model_id"]).model
        return model == HELPDESK_MODEL

    def _is_customer_write(self):
        return self.env.context.get(CUSTOMER_WRITE_KEY) is _CUSTOMER_WRITE_TOKEN

    @staticmethod
    def _refuse():
        raise AccessError(_(
            "Ratings of tickets are given by the ticket's customer, from the page their "
            "completion mail links to: they cannot be created or changed otherwise."))

    @api.model
    def create(self, vals):
        if self._targets_helpdesk(vals):
            filled = any(vals.get(name) for name in CUSTOMER_FIELDS)
            if self.env.uid != SUPERUSER_ID or filled:
                self._refuse()
        return super(RatingRating, self).create(vals)

    @api.multi
    def write(self, vals):
        helpdesk = self.sudo().filtered(lambda rating: rating.res_model == HELPDESK_MODEL)
        if helpdesk or self._targets_helpdesk(vals):
            if self.env.uid != SUPERUSER_ID:
                self._refuse()
            if CUSTOMER_FIELDS & set(vals) and not self._is_customer_write():
                self._refuse()
        return super(RatingRating, self).write(vals)

    @api.depends("res_model", "res_id")
    def _compute_res_name(self):
        # rating.mixin.write calls this directly when a ticket is renamed: the stored
        # name it writes is bookkeeping, not the renaming user's rating write
        if not self.env.in_draft and self.env.uid != SUPERUSER_ID:
            return super(RatingRating, self.sudo())._compute_res_name()
        return super(RatingRating, self)._compute_res_name()

    # ------------------------------------------------------- customer's rating
    def _check_customer_may_rate(self):
        """UserError unless this helpdesk rating request still takes the customer's
        rating (the "once per delivery" rule of the module docstring)."""
        self.ensure_one()
        rating = self.sudo()
        ticket = self.env[HELPDESK_MODEL].sudo().browse(rating.res_id).exists()
        if rating.res_model != HELPDESK_MODEL or not ticket or \
                rating.partner_id != ticket.partner_id:
            raise UserError(_("This rating link is not valid."))
        latest = rating.search([("res_model", "=", HELPDESK_MODEL),
                                ("res_id", "=", ticket.id)], order="id desc", limit=1)
        if latest != rating:
            raise UserError(_(
                "This rating link is for an earlier delivery of ticket %s: it no longer "
                "changes the rating. Use the links of the latest completion mail.")
                % ticket.number)
        if ticket.state != "closed":
            raise UserError(_(
                "Ticket %s was reopened: its rating is closed. You will be asked to rate "
                "it again when it is completed.") % ticket.number)
        return True

    def _write_customer_rating(self, vals):
        """The one write of a ticket rating's stars and comment (as superuser); the
        stars' ``rated_on`` is now unless given (a history import of past ratings)."""
        vals = dict(vals)
        if "rating" in vals:
            vals.setdefault("rated_on", fields.Datetime.now())
        return self.sudo().with_context(
            **{CUSTOMER_WRITE_KEY: _CUSTOMER_WRITE_TOKEN}).write(vals)

    # ------------------------------------------------------ low-rating alert
    def _claim_low_rating_alert(self):
        """The ratings of ``self`` given 1-2 stars whose alert nobody sent yet, marked as
        alerted in one UPDATE (whoever runs it first alerts: a re-rating, or a second
        post at the same moment, finds them claimed)."""
        # the stars were just written (in the cache): good ratings cost no query
        low = self.filtered(lambda rating: 0 < rating.rating <= LOW_RATING_MAX)
        if not low.ids:
            return self.browse()
        self.env.cr.execute("""
            UPDATE rating_rating SET low_rating_alerted_on = now() AT TIME ZONE 'UTC'
             WHERE id IN %s AND res_model = %s AND consumed AND rating > 0
               AND rating <= %s AND low_rating_alerted_on IS NULL
         RETURNING id""", (tuple(low.ids), HELPDESK_MODEL, LOW_RATING_MAX))
        claimed = self.browse([row[0] for row in self.env.cr.fetchall()])
        self.invalidate_cache(["low_rating_alerted_on"], self.ids)
        return claimed

    def _alert_low_rating(self):
        """Alert the company's ``_helpdesk_low_rating_recipients()`` of a 1-2 star rating
        of a ticket, once per rating: a mail with the customer's words (the template
        escapes them) posted as an internal note on the ticket, and an activity for the
        first recipient. Called (as superuser) after the customer's rating was written;
        does nothing for other stars or a rating already alerted."""
        # sudo: the customer's POST triggers it; the recipients and template are staff's
        for rating in self.sudo()._claim_low_rating_alert():
            ticket = self.env[HELPDESK_MODEL].sudo().browse(rating.res_id)
            recipients = ticket.company_id._helpdesk_low_rating_recipients()
            stars = int(round(rating.rating / 2))
            feedback = (rating.feedback or "").strip()
            base_url = self.env["ir.config_parameter"].sudo().get_param("web.base.url")
            values = {
                "partner_to": ",".join(str(pid) for pid in recipients.mapped("partner_id").ids),
                "lang": recipients[:1].lang or False,
                "stars": stars,
                "feedback_lines": [line for line in feedback.splitlines() if line.strip()],
                "ticket_url": "%s/web#id=%s&model=%s&view_type=form" % (
                    base_url, ticket.id, HELPDESK_MODEL),
            }
            template = self.env.ref("tktit_helpdesk.mail_template_ticket_low_rating")
            if recipients:
                ticket.with_context(tktit_values=values)._message_post_template(
                    template, self.env.ref("mail.mt_note"), message_type="notification")
            # the customer's words, as text (plaintext2html escapes them)
            note = tools.plaintext2html(feedback) if feedback else False
            ticket._schedule_activity(
                "tktit_helpdesk.mail_activity_low_rating", recipients[:1],
                rating.with_context(lang=values["lang"])._low_rating_summary(
                    stars, ticket.number), note=note)

    def _low_rating_summary(self, stars, number):
        """The activity's summary, in the language of ``self``'s context."""
        return _("%(stars)d-star rating on %(number)s: call the customer") % {
            "stars": stars, "number": number}
