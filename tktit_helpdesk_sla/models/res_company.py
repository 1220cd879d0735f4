# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    helpdesk_qa_manager_id = fields.Many2one(
        "res.users", string="Helpdesk QA Manager",
        domain=[("share", "=", False)],
        help="Receives the escalations of tickets whose SLA deadlines were missed: "
             "follows the ticket, gets an activity and a mail.")
