# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.tktit_helpdesk.models.helpdesk_ticket import PRIORITIES


class HelpdeskSlaPolicy(models.Model):
    """The targets of one plan for one priority, in business hours of the plan's calendar."""

    _name = "helpdesk.sla.policy"
    _description = "Helpdesk SLA Policy"
    _order = "plan_id, priority desc, id"

    plan_id = fields.Many2one(
        "helpdesk.support.plan", string="Support Plan", required=True, ondelete="cascade",
        index=True)
    priority = fields.Selection(PRIORITIES, required=True, default="1")
    first_response_hours = fields.Float(
        string="First Response (business hours)", required=True, default=12.0,
        help="From submission to the first reply of support the customer can see.")
    response_hours = fields.Float(
        string="Response (business hours)", required=True, default=12.0,
        help="From each customer message to the next support reply.")
    resolution_hours = fields.Float(
        string="Resolution (business hours)", required=True, default=48.0,
        help="From submission to closure; paused while the ticket waits on the customer.")

    _sql_constraints = [
        ("priority_uniq", "unique(plan_id, priority)",
         "A support plan has only one SLA policy per priority."),
    ]

    @api.constrains("first_response_hours", "response_hours", "resolution_hours")
    def _check_hours(self):
        for policy in self:
            for fname in ("first_response_hours", "response_hours", "resolution_hours"):
                if policy[fname] <= 0:
                    raise ValidationError(_(
                        "%(target)s of the %(priority)s policy of plan %(plan)s must be "
                        "more than zero hours (got %(hours)s).") % {
                        "target": self._fields[fname].string,
                        "priority": policy._get_priority_label(),
                        "plan": policy.plan_id.name, "hours": policy[fname]})

    # the plans' cached policies (helpdesk.support.plan._get_policy)
    @api.model
    def create(self, vals):
        self.clear_caches()
        return super(HelpdeskSlaPolicy, self).create(vals)

    @api.multi
    def write(self, vals):
        self.clear_caches()
        return super(HelpdeskSlaPolicy, self).write(vals)

    @api.multi
    def unlink(self):
        self.clear_caches()
        return super(HelpdeskSlaPolicy, self).unlink()

    @api.multi
    def name_get(self):
        return [(policy.id, "%s / %s" % (policy.plan_id.name, policy._get_priority_label()))
                for policy in self]

    def _get_priority_label(self):
        return dict(self._fields["priority"]._description_selection(self.env)).get(
            self.priority, self.priority)
