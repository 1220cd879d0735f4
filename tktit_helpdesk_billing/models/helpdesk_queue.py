# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


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
    expert_commission_rate = fields.Float(
        string="Experts' Share (%)",
        groups="tktit_helpdesk.group_helpdesk_manager,account.group_account_invoice",
        help="The share of a captured fee billed by the expert of this queue's tickets "
             "(0: the company's rate), unless the expert has a rate of their own.")

    @api.constrains("expert_commission_rate")
    def _check_expert_commission_rate(self):
        for queue in self:
            if not 0 <= queue.expert_commission_rate <= 100:
                raise ValidationError(_("The experts' share is between 0 and 100%."))
