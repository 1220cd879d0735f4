# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class HelpdeskQueue(models.Model):
    _inherit = "helpdesk.queue"

    project_id = fields.Many2one(
        "project.project", string="Project", domain=[("allow_timesheets", "=", True)],
        help="The project the hours of this queue's tickets are logged on (empty: the "
             "company's default helpdesk project).")
