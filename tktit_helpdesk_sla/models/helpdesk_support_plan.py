# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import _, api, fields, models, tools
from odoo.exceptions import ValidationError

from odoo.addons.tktit_helpdesk.models.helpdesk_ticket import PRIORITIES

# What the customer's ticket form offers by default (Normal): every plan must offer it.
CUSTOMER_DEFAULT_PRIORITY = "1"


class HelpdeskSupportPlan(models.Model):
    """What an organisation is promised: business hours and one SLA policy per priority.

    The default plan (Basic, created with the addon) applies to every organisation
    without a plan of its own.
    """

    _name = "helpdesk.support.plan"
    _description = "Helpdesk Support Plan"
    _order = "sequence, name, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    is_default = fields.Boolean(
        string="Default Plan", copy=False,
        help="Applies to every customer organisation without a plan of its own. "
             "Only one plan is the default.")
    calendar_id = fields.Many2one(
        "resource.calendar", string="Business Hours", required=True, ondelete="restrict",
        help="Working hours, time zone and public holidays (global leaves) in which the "
             "SLA clocks of this plan run.")
    calendar_tz = fields.Selection(related="calendar_id.tz", readonly=True)
    policy_ids = fields.One2many(
        "helpdesk.sla.policy", "plan_id", string="SLA Policies", copy=True)
    company_id = fields.Many2one(
        "res.company", default=lambda self: self.env["res.company"]._company_default_get(
            "helpdesk.support.plan"))
    description = fields.Text()
    portal_max_priority = fields.Selection(
        PRIORITIES, string="Highest Priority for Customers", required=True, default="3",
        help="The highest priority this plan's customers may choose when they open a "
             "ticket (from Low up to it; Normal at least). Triage may set any priority.")
    partner_count = fields.Integer(compute="_compute_partner_count", string="Organisations")

    @api.multi
    def _compute_partner_count(self):
        groups = self.env["res.partner"].read_group(
            [("support_plan_id", "in", self.ids), ("is_company", "=", True)],
            ["support_plan_id"], ["support_plan_id"])
        counts = {g["support_plan_id"][0]: g["support_plan_id_count"] for g in groups}
        for plan in self:
            plan.partner_count = counts.get(plan.id, 0)

    @api.constrains("calendar_id")
    def _check_calendar_id(self):
        for plan in self:
            if not plan.calendar_id:
                raise ValidationError(_(
                    "Support plan %s needs business hours (a working-time calendar).")
                    % plan.name)
        # Raises a clear error for calendars without working time.
        self.mapped("calendar_id")._get_business_calendars()

    @api.constrains("portal_max_priority")
    def _check_portal_max_priority(self):
        labels = dict(self._fields["portal_max_priority"]._description_selection(self.env))
        for plan in self:
            if plan.portal_max_priority < CUSTOMER_DEFAULT_PRIORITY:
                raise ValidationError(_(
                    "Support plan %(plan)s must let its customers choose at least the "
                    "%(priority)s priority, the default of their ticket form.") % {
                    "plan": plan.name, "priority": labels[CUSTOMER_DEFAULT_PRIORITY]})

    @api.constrains("is_default", "active")
    def _check_default_active(self):
        for plan in self:
            if plan.is_default and not plan.active:
                raise ValidationError(_(
                    "The default support plan %s cannot be archived: make another plan "
                    "the default first.") % plan.name)

    @api.model
    def create(self, vals):
        self._check_calendar_vals(vals)
        if vals.get("is_default"):
            self._clear_default()
        self.clear_caches()  # the default plan (_get_default_plan)
        return super(HelpdeskSupportPlan, self).create(vals)

    @api.multi
    def write(self, vals):
        if "calendar_id" in vals:
            self._check_calendar_vals(vals)
        if vals.get("is_default"):
            self.ensure_one()
            self._clear_default(exclude=self)
        self.clear_caches()  # the default plan, the policies (_get_policy)
        return super(HelpdeskSupportPlan, self).write(vals)

    @api.multi
    def unlink(self):
        self.clear_caches()
        return super(HelpdeskSupportPlan, self).unlink()

    @api.multi
    def copy(self, default=None):
        default = dict(default or {})
        default.setdefault("name", _("%s (copy)") % self.name)
        return super(HelpdeskSupportPlan, self).copy(default)

    @api.model
    def _check_calendar_vals(self, vals):
        # Before the database's NOT NULL answers with a cryptic integrity error.
        if not vals.get("calendar_id"):
            raise ValidationError(_(
                "Support plan %s needs business hours (a working-time calendar).")
                % (vals.get("name") or ", ".join(self.mapped("name"))))

    @api.model
    def _clear_default(self, exclude=None):
        others = self.search([("is_default", "=", True)])
        if exclude:
            others -= exclude
        if others:
            others.write({"is_default": False})

    # Every ticket's creation and clock recompute asks for the default plan and its
    # policy: both cached per worker (Odoo's ormcache), cleared by any change of a plan
    # or a policy (clear_caches, which also tells the other workers).
    @api.model
    def _get_default_plan(self):
        return self.browse(self._default_plan_id()).sudo()

    @api.model
    @tools.ormcache()
    def _default_plan_id(self):
        return self.sudo().search([("is_default", "=", True)], limit=1).id

    @api.multi
    def _get_policy(self, priority):
        """The policy for ``priority``; a priority without one of its own falls back on the
        nearest lower priority's policy (Critical without a policy uses Urgent's...)."""
        self.ensure_one()
        return self.env["helpdesk.sla.policy"].browse(
            self._policy_id_cached(self.id, priority or "1"))

    @api.model
    @tools.ormcache("plan_id", "priority")
    def _policy_id_cached(self, plan_id, priority):
        policies = {p.priority: p.id for p in self.sudo().browse(plan_id).policy_ids}
        for candidate in sorted((p for p in policies if p <= priority), reverse=True):
            return policies[candidate]
        return policies[min(policies)] if policies else None
