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

The "once per delivery" rule (``_check_customer_may_rate``): each closure's mail carries
one rating request; the customer may give and change their stars and comment with it as
long as the ticket stays closed by that delivery. Once the ticket is reopened, or a newer
request exists (the next closure asks again), the old request is closed for good.
"""
from odoo import SUPERUSER_ID, _, api, models
from odoo.exceptions import AccessError, UserError

HELPDESK_MODEL = "helpdesk.ticket"
# what only the customer gives (through _write_customer_rating)
CUSTOMER_FIELDS = frozenset(["rating", "feedback", "consumed", "message_id"])
# Context key by which _write_customer_rating marks its own write (an object: JSON-RPC
# contexts cannot carry it).
CUSTOMER_WRITE_KEY = "tktit_customer_rating"
_CUSTOMER_WRITE_TOKEN = object()


class RatingRating(models.Model):
    _inherit = "rating.rating"

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
        """The one write of a ticket rating's stars and comment (as superuser)."""
        return self.sudo().with_context(
            **{CUSTOMER_WRITE_KEY: _CUSTOMER_WRITE_TOKEN}).write(vals)
