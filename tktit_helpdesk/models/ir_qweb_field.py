# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models

from . import local_date


class DateConverter(models.AbstractModel):
    """Dates rendered by QWeb (portal pages, PDFs) in the reader's calendar: Jalali for
    Persian. The backend's date widgets are the web client's own, untouched."""

    _inherit = "ir.qweb.field.date"

    @api.model
    def value_to_html(self, value, options):
        if value and local_date.is_jalali(self.user_lang().code):
            if len(value) > 10:  # a datetime shown as a date: its local day
                value = local_date.localize(value, self.env.context.get("tz")).date()
            return local_date.format_jalali(value, "date")
        return super(DateConverter, self).value_to_html(value, options)


class DateTimeConverter(models.AbstractModel):
    _inherit = "ir.qweb.field.datetime"

    @api.model
    def value_to_html(self, value, options):
        if value and local_date.is_jalali(self.user_lang().code):
            moment = fields.Datetime.context_timestamp(
                self, fields.Datetime.from_string(value)).replace(tzinfo=None)
            return local_date.format_jalali(
                moment, "time" if (options or {}).get("time_only") else "datetime")
        return super(DateTimeConverter, self).value_to_html(value, options)
