# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.base.res.res_partner import _tz_get

from .business_time import BusinessCalendar, NoWorkingTime


class ResourceCalendar(models.Model):
    """The time zone the calendar's hours are read in (Odoo 12+ has it under this name).

    Odoo 11 reads attendances in the context's or the user's time zone: crons run as root,
    so SLA clocks never rely on that and read ``tz`` here explicitly.
    """

    _inherit = "resource.calendar"

    def _default_tz(self):
        return self.env.context.get("tz") or self.env.user.tz or "UTC"

    tz = fields.Selection(
        _tz_get, string="Timezone", required=True, default=_default_tz,
        help="The time zone in which the working hours of this calendar are read.")
    support_plan_ids = fields.One2many(
        "helpdesk.support.plan", "calendar_id", string="Support Plans")

    @api.constrains("attendance_ids", "tz")
    def _check_sla_working_time(self):
        """A calendar that support plans count on must have working time."""
        for calendar in self.filtered("support_plan_ids"):
            calendar._get_business_calendars()

    @api.multi
    def write(self, vals):
        # Attendances replaced through the calendar are checked once the write is done
        # (constraint above), not when the old ones are deleted.
        return super(ResourceCalendar, self.with_context(
            tktit_sla_calendar_write=True)).write(vals)

    @api.multi
    def _get_business_calendars(self):
        """``{calendar id: BusinessCalendar}`` with attendances and global leaves (the
        holidays) read once for all calendars in ``self``: three queries whatever the size.

        Read as superuser: customers' messages and the cron recompute SLA clocks, and
        working hours are not secret.
        """
        calendars = self.sudo()
        if not calendars:
            return {}
        Attendance = self.env["resource.calendar.attendance"].sudo()
        Leave = self.env["resource.calendar.leaves"].sudo()
        attendances = {calendar.id: [] for calendar in calendars}
        holidays = {calendar.id: [] for calendar in calendars}
        for att in Attendance.search_read(
                [("calendar_id", "in", calendars.ids)],
                ["calendar_id", "dayofweek", "hour_from", "hour_to", "date_from", "date_to"]):
            attendances[att["calendar_id"][0]].append((
                int(att["dayofweek"]), att["hour_from"], att["hour_to"],
                att["date_from"] or None, att["date_to"] or None))
        for leave in Leave.search_read(
                [("calendar_id", "in", calendars.ids), ("resource_id", "=", False)],
                ["calendar_id", "date_from", "date_to"]):
            holidays[leave["calendar_id"][0]].append((
                fields.Datetime.from_string(leave["date_from"]),
                fields.Datetime.from_string(leave["date_to"])))
        result = {}
        for calendar in calendars:
            try:
                business = BusinessCalendar(
                    calendar.tz, attendances[calendar.id], holidays[calendar.id])
            except NoWorkingTime:
                raise ValidationError(_(
                    "The working hours %s have no working time: add attendances "
                    "(for example Monday 08:00-17:00) before using them for SLAs.")
                    % calendar.name)
            except ValueError as error:
                raise ValidationError(_("The working hours %s are invalid: %s")
                                      % (calendar.name, error))
            if not business.has_working_time(fields.Datetime.from_string(
                    fields.Datetime.now())):
                raise ValidationError(_(
                    "The working hours %s have no working time in the coming year: check "
                    "the attendances' validity dates and the holidays.") % calendar.name)
            result[calendar.id] = business
        return result
