# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


def _member_domain(queue):
    """Experts and field operators serve in queues (assignment needs membership)."""
    return [("groups_id", "in", [
        queue.env.ref("tktit_helpdesk.group_helpdesk_expert").id,
        queue.env.ref("tktit_helpdesk_billing.group_field_operator").id])]


class HelpdeskQueue(models.Model):
    _inherit = "helpdesk.queue"

    project_id = fields.Many2one(
        "project.project", string="Project", domain=[("allow_timesheets", "=", True)],
        help="The project the hours of this queue's tickets are logged on (empty: the "
             "company's default helpdesk project).")
    member_ids = fields.Many2many(domain=_member_domain)
    service_product_id = fields.Many2one(
        "product.product", string="Service Product", domain=[("type", "=", "service")],
        help="The hours of this queue's tickets are invoiced at this product's price "
             "(empty: the company's default, Field service hour).")
