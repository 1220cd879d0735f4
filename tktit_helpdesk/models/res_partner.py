import datetime

import babel
import babel.dates

from odoo import api, fields, models, tools

from . import local_date


class ResPartner(models.Model):
    _inherit = "res.partner"

    helpdesk_ticket_count = fields.Integer(
        compute="_compute_helpdesk_ticket_count", string="Tickets")

    @api.multi
    def _compute_helpdesk_ticket_count(self):
        # Counted per organisation: the tickets of all its contacts.
        commercial = self.mapped("commercial_partner_id")
        groups = self.env["helpdesk.ticket"].read_group(
            [("commercial_partner_id", "in", commercial.ids)],
            ["commercial_partner_id"], ["commercial_partner_id"])
        counts = {g["commercial_partner_id"][0]: g["commercial_partner_id_count"]
                  for g in groups}
        for partner in self:
            partner.helpdesk_ticket_count = counts.get(partner.commercial_partner_id.id, 0)

    @api.multi
    def _notify_by_chat(self, message):
        # Odoo 11 formats the message for the bus (about 15 queries) before looking at
        # whom it is for: a mail to customers only (every acknowledgement, every notice)
        # has no inbox to feed.
        if not self:
            return None
        return super(ResPartner, self)._notify_by_chat(message)

    @api.multi
    def format_local_datetime(self, value, kind="datetime", tz=None):
        """``value`` (a UTC datetime, or a date for ``kind`` "date") as this partner reads
        it, for mails and pages written to them: their language (the Jalali calendar and
        Persian digits for Persian readers) and time zone (``tz`` when they have none).
        ``kind``: "date", "datetime", "day" (the weekday, day, month's name and year) or
        "long" (the day and the time), "time" (hours and minutes)."""
        self.ensure_one()
        partner = self  # read with the caller's rights (a mail renders as superuser)
        if not value:
            return ""
        tz_name = partner.tz or tz or "UTC"
        if isinstance(value, datetime.datetime) or len(str(value)) > 10:
            # a moment (UTC): the reader's local time, and day when shown as a date
            value = local_date.localize(value, tz_name)
            if kind in ("date", "day"):
                value = value.date()
        if local_date.is_jalali(partner.lang):
            return local_date.format_jalali(value, kind)
        if kind == "date":
            return tools.format_date(self.env(context=dict(self.env.context,
                                                           lang=partner.lang)), value)
        try:
            locale = babel.Locale.parse(partner.lang or "en_US")
        except (ValueError, babel.UnknownLocaleError):
            locale = babel.Locale.parse("en_US")
        if kind == "day":
            return babel.dates.format_date(value, "EEEE d MMMM y", locale=locale)
        if kind == "time":
            return babel.dates.format_time(value, "HH:mm", locale=locale)
        pattern = "EEEE d MMMM y, HH:mm" if kind == "long" else "medium"
        return babel.dates.format_datetime(value, pattern, locale=locale)

    @api.multi
    def action_open_helpdesk_tickets(self):
        self.ensure_one()
        action = self.env.ref("tktit_helpdesk.helpdesk_ticket_action").read()[0]
        action["domain"] = [("commercial_partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.id}
        return action
