# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import _, api, models
from odoo.exceptions import ValidationError

from .resource_calendar import CALENDAR_WRITE_KEY, CALENDAR_WRITE_TOKEN


class ResourceCalendarAttendance(models.Model):
    """Working hours of a support plan's calendar: helpdesk managers' to change, and never
    down to no working time (see ``resource.calendar``)."""

    _inherit = "resource.calendar.attendance"

    @api.constrains("hour_from", "hour_to")
    def _check_sla_hours(self):
        for att in self:
            if not 0 <= att.hour_from < att.hour_to <= 24:
                plans = att.calendar_id._get_support_plans()
                if plans:
                    raise ValidationError(_(
                        "Working hours %(name)s of support plan %(plans)s: the start must be "
                        "before the end (no attendance of zero hours), both between 00:00 "
                        "and 24:00.") % {
                        "name": att.name, "plans": ", ".join(plans.mapped("name"))})
                raise ValidationError(_(
                    "Working hours %s: the start must be before the end, both between "
                    "00:00 and 24:00.") % att.name)

    def _sla_calendars(self, vals=None):
        """The calendars of these attendances (and the one ``vals`` moves them to), in the
        caller's environment."""
        ids = set(self.sudo().mapped("calendar_id").ids)
        if vals and vals.get("calendar_id"):
            ids.add(vals["calendar_id"])
        return self.env["resource.calendar"].browse(list(ids))

    def _in_calendar_write(self):
        return self.env.context.get(CALENDAR_WRITE_KEY) is CALENDAR_WRITE_TOKEN

    @api.model
    def create(self, vals):
        self._sla_calendars(vals)._check_sla_edit_access()
        self.clear_caches()  # the business calendars (resource.calendar)
        return super(ResourceCalendarAttendance, self).create(vals)

    @api.multi
    def write(self, vals):
        calendars = self._sla_calendars(vals)
        calendars._check_sla_edit_access()
        self.clear_caches()
        res = super(ResourceCalendarAttendance, self).write(vals)
        if not self._in_calendar_write():
            calendars._check_sla_working_time()
        return res

    @api.multi
    def unlink(self):
        calendars = self._sla_calendars()
        calendars._check_sla_edit_access()
        self.clear_caches()
        res = super(ResourceCalendarAttendance, self).unlink()
        # Removing the last working hours of a calendar used by a support plan is refused
        # (replacing them through the calendar is checked by the calendar's constraint).
        if not self._in_calendar_write():
            calendars.exists()._check_sla_working_time()
        return res
