# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import _, api, models
from odoo.exceptions import ValidationError


class ResourceCalendarAttendance(models.Model):
    _inherit = "resource.calendar.attendance"

    @api.constrains("hour_from", "hour_to")
    def _check_sla_hours(self):
        for att in self:
            if not 0 <= att.hour_from < att.hour_to <= 24:
                raise ValidationError(_(
                    "Working hours %s: the start must be before the end, both between "
                    "00:00 and 24:00.") % att.name)

    @api.multi
    def unlink(self):
        calendars = self.mapped("calendar_id")
        res = super(ResourceCalendarAttendance, self).unlink()
        # Removing the last working hours of a calendar used by a support plan is refused
        # (replacing them through the calendar is checked by the calendar's constraint).
        if not self.env.context.get("tktit_sla_calendar_write"):
            calendars.exists()._check_sla_working_time()
        return res
