# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models


class ResourceCalendarLeaves(models.Model):
    """Global leaves (no resource) of a calendar are the holidays of its support plans:
    helpdesk managers' to change, and never so many that a plan has no working time left."""

    _inherit = "resource.calendar.leaves"

    calendar_id = fields.Many2one(index=True)

    def _sla_holiday_calendars(self, vals=None):
        """The calendars whose holidays these leaves are (or become with ``vals``), in the
        caller's environment."""
        ids = set()
        for leave in self.sudo().exists():
            values = dict(vals or {})
            is_global = not values.get("resource_id") if "resource_id" in values \
                else not leave.resource_id
            calendar_id = values["calendar_id"] if "calendar_id" in values \
                else leave.calendar_id.id
            if is_global and calendar_id:
                ids.add(calendar_id)
        return self.env["resource.calendar"].browse(list(ids))

    @api.model
    def create(self, vals):
        if not vals.get("resource_id") and vals.get("calendar_id"):
            self.env["resource.calendar"].browse(vals["calendar_id"])._check_sla_edit_access()
        leave = super(ResourceCalendarLeaves, self).create(vals)
        holidays = leave._sla_holiday_calendars()
        if holidays:
            self.clear_caches()  # the business calendars (resource.calendar)
        holidays._check_sla_working_time()
        return leave

    @api.multi
    def write(self, vals):
        # the holidays they are, and those they become (a leave made global, or moved)
        holidays = self._sla_holiday_calendars() | self._sla_holiday_calendars(vals)
        holidays._check_sla_edit_access()
        if holidays:
            self.clear_caches()
        res = super(ResourceCalendarLeaves, self).write(vals)
        self._sla_holiday_calendars()._check_sla_working_time()
        return res

    @api.multi
    def unlink(self):
        holidays = self._sla_holiday_calendars()
        holidays._check_sla_edit_access()
        if holidays:
            self.clear_caches()
        return super(ResourceCalendarLeaves, self).unlink()
