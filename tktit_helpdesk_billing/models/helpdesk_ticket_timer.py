# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class HelpdeskTicketTimer(models.Model):
    """The running start/stop timer of a user on a ticket (one at a time per user);
    stopping it logs the time as a timesheet line and deletes it."""
    _name = "helpdesk.ticket.timer"
    _description = "Helpdesk Ticket Timer"
    _order = "start desc"

    user_id = fields.Many2one(
        "res.users", string="User", required=True, index=True, ondelete="cascade",
        default=lambda self: self.env.user)
    ticket_id = fields.Many2one(
        "helpdesk.ticket", string="Ticket", required=True, index=True, ondelete="cascade")
    start = fields.Datetime(required=True, default=fields.Datetime.now)

    _sql_constraints = [
        ("user_uniq", "unique(user_id)",
         "A timer is already running for you: stop it before starting another one."),
    ]
