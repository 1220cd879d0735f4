# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class ResourceCalendarLeaves(models.Model):
    """Global leaves (no resource) of a calendar are the holidays of its support plans."""

    _inherit = "resource.calendar.leaves"

    calendar_id = fields.Many2one(index=True)
