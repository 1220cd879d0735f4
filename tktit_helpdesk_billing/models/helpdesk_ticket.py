# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    # groups on the fields, not only on the form's page: Odoo 11 merely hides a page
    # of another group and the web client would still read its fields, failing the
    # whole ticket form for helpdesk users without access to timesheets
    timesheet_ids = fields.One2many(
        "account.analytic.line", "helpdesk_ticket_id", string="Timesheets",
        domain=[("project_id", "!=", False)], groups="hr_timesheet.group_hr_timesheet_user")
    total_hours = fields.Float(
        compute="_compute_total_hours", string="Hours Spent",
        groups="hr_timesheet.group_hr_timesheet_user",
        help="Hours logged on the ticket's timesheets.")

    @api.depends("timesheet_ids.unit_amount")
    def _compute_total_hours(self):
        hours = {}
        if self.ids:
            groups = self.env["account.analytic.line"].read_group(
                [("helpdesk_ticket_id", "in", self.ids), ("project_id", "!=", False)],
                ["helpdesk_ticket_id", "unit_amount"], ["helpdesk_ticket_id"])
            hours = {g["helpdesk_ticket_id"][0]: g["unit_amount"] for g in groups}
        for ticket in self:
            ticket.total_hours = hours.get(ticket.id, 0.0)
