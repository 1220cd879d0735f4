# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import SUPERUSER_ID, _, api, fields, models, tools
from odoo.exceptions import AccessError, ValidationError

from odoo.addons.base.res.res_partner import _tz_get

from .business_time import BusinessCalendar, NoWorkingTime

MANAGER = "tktit_helpdesk.group_helpdesk_manager"
# Context key of a calendar's own write (its attendances are checked once it is done); its
# value is a Python object, which an RPC caller cannot put in a context.
CALENDAR_WRITE_KEY = "tktit_sla_calendar_write"
CALENDAR_WRITE_TOKEN = object()


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
        """A calendar that support plans count on must keep working time: an edit that
        would leave a plan without any is refused, naming the plan."""
        plans = self._get_support_plans()
        for calendar in plans.mapped("calendar_id"):
            try:
                calendar._build_business_calendars()  # the new data, not the cache's
            except ValidationError as error:
                raise ValidationError(_(
                    "This change would leave support plan %(plans)s without working time: "
                    "%(reason)s") % {
                    "plans": ", ".join(plans.filtered(lambda p: p.calendar_id == calendar)
                                       .mapped("name")),
                    "reason": error.name})

    @api.multi
    def _get_support_plans(self):
        """The support plans (archived ones too) whose business hours these are."""
        if not self.ids:
            return self.env["helpdesk.support.plan"]
        return self.env["helpdesk.support.plan"].sudo().with_context(
            active_test=False).search([("calendar_id", "in", self.ids)])

    @api.multi
    def _check_sla_edit_access(self):
        """The business hours of support plans (their attendances and holidays too) are
        helpdesk managers' to change, whatever other right the user has on calendars."""
        if self.env.uid == SUPERUSER_ID or self.env.user.has_group(MANAGER):
            return
        plans = self._get_support_plans()
        if plans:
            raise AccessError(_(
                "The working hours %(calendar)s are the business hours of support plan "
                "%(plans)s: only helpdesk managers change them.") % {
                "calendar": plans[0].calendar_id.name,
                "plans": ", ".join(plans.mapped("name"))})

    @api.multi
    def write(self, vals):
        self._check_sla_edit_access()
        self.clear_caches()  # the business calendars (tz, attendances, holidays)
        # Attendances replaced through the calendar are checked once the write is done
        # (constraint above), not when the old ones are deleted.
        return super(ResourceCalendar, self.with_context(
            **{CALENDAR_WRITE_KEY: CALENDAR_WRITE_TOKEN})).write(vals)

    @api.multi
    def unlink(self):
        self._check_sla_edit_access()
        self.clear_caches()
        return super(ResourceCalendar, self).unlink()

    @api.multi
    def _get_business_calendars(self):
        """``{calendar id: BusinessCalendar}`` of the calendars in ``self`` (shared: read
        only). Every ticket's creation, message and reply recomputes its SLA clocks from
        them, and working hours change rarely: built once per worker and set of
        calendars (Odoo's ormcache), rebuilt after any change of a calendar, its
        attendances or its holidays (``clear_caches``, which also tells the other
        workers and hosts, and which a rolled-back change undoes)."""
        if not self:
            return {}
        return self._business_calendars_cached(tuple(sorted(set(self.ids))))

    @api.model
    @tools.ormcache("calendar_ids")
    def _business_calendars_cached(self, calendar_ids):
        return self.browse(calendar_ids)._build_business_calendars()

    @api.multi
    def _build_business_calendars(self):
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
                raise ValidationError(_(
                    "The working hours %(calendar)s are invalid: %(error)s") % {
                    "calendar": calendar.name, "error": error})
            if not business.has_working_time(fields.Datetime.from_string(
                    fields.Datetime.now())):
                raise ValidationError(_(
                    "The working hours %s have no working time in the coming year: check "
                    "the attendances' validity dates and the holidays.") % calendar.name)
            result[calendar.id] = business
        return result
