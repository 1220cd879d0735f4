# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class AccountAnalyticLine(models.Model):
    _inherit = "account.analytic.line"

    helpdesk_ticket_id = fields.Many2one(
        "helpdesk.ticket", string="Ticket", index=True, ondelete="restrict",
        help="The helpdesk ticket these hours were worked on.")
