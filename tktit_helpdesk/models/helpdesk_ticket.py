import base64
import uuid
from datetime import datetime

import pytz

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import html2plaintext, plaintext2html

CATEGORIES = [
    ("activation", "Activation"),
    ("technical", "Technical"),
    ("financial", "Financial"),
    ("sales", "Sales"),
]
PRIORITIES = [
    ("0", "Low"),
    ("1", "Normal"),
    ("2", "High"),
    ("3", "Urgent"),
    ("4", "Critical"),
]
IMPACTS = [("low", "Low"), ("medium", "Medium"), ("high", "High")]
SEVERITIES = [("minor", "Minor"), ("major", "Major"), ("critical", "Critical")]
STATES = [
    ("new", "New"),
    ("scoping", "Scope Clarification"),
    ("dispatch", "Dispatch"),
    ("in_progress", "In Progress"),
    ("awaiting_customer", "Awaiting Customer"),
    ("work_completed", "Work Completed"),
    ("final_review", "Final Review"),
    ("delivered", "Delivered"),
    ("closed", "Closed"),
    ("cancelled", "Cancelled"),
]
SATISFACTIONS = [("satisfied", "Satisfied"), ("dissatisfied", "Dissatisfied")]

# The customer sees four words only (Kubit's portal wording), never our internal states.
PORTAL_STATES = [
    ("awaiting_response", "Awaiting Response"),
    ("awaiting_customer", "Awaiting Customer"),
    ("in_progress", "In Progress"),
    ("closed", "Closed"),
]
STATE_TO_PORTAL = {
    "new": "awaiting_response",
    "scoping": "awaiting_customer",
    "dispatch": "awaiting_response",
    "in_progress": "in_progress",
    "awaiting_customer": "awaiting_customer",
    "work_completed": "in_progress",
    "final_review": "in_progress",
    "delivered": "awaiting_customer",
    "closed": "closed",
    "cancelled": "closed",
}
DONE_STATES = ("closed", "cancelled")
# States where the ticket waits on the customer (SLA clocks pause there).
CUSTOMER_WAITING_STATES = ("scoping", "awaiting_customer", "delivered")
# States in which the assigned expert is working the ticket.
EXPERT_STATES = ("in_progress", "awaiting_customer")

# Fields a portal customer may set when submitting; everything else is ours.
PORTAL_FIELDS = ("name", "description", "category", "priority", "occurred_on",
                 "technology_id", "specialization_id", "target_date")


class HelpdeskTicket(models.Model):
    _name = "helpdesk.ticket"
    _description = "Helpdesk Ticket"
    _inherit = ["mail.thread", "mail.activity.mixin", "portal.mixin", "rating.mixin"]
    # The dispatcher's order: priority (Critical first), then age (oldest first).
    _order = "priority desc, create_date asc, id asc"
    _mail_post_access = "read"

    def _default_access_token(self):
        return str(uuid.uuid4())

    number = fields.Char(
        string="Reference", required=True, readonly=True, copy=False, index=True,
        default="/", track_visibility="always")
    name = fields.Char(string="Subject", required=True, track_visibility="always")
    description = fields.Html(sanitize=True, sanitize_style=True)
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True,
        track_visibility="onchange")
    # Stored and indexed: the portal record rule is one indexed condition on it.
    commercial_partner_id = fields.Many2one(
        "res.partner", string="Customer Organisation", compute="_compute_commercial_partner_id",
        store=True, index=True, readonly=True)
    partner_email = fields.Char(related="partner_id.email", readonly=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True,
        default=lambda self: self.env["res.company"]._company_default_get("helpdesk.ticket"))
    occurred_on = fields.Datetime(string="Occurred On", help="When the incident happened.")
    category = fields.Selection(CATEGORIES, required=True, default="technical",
                                track_visibility="onchange")
    technology_id = fields.Many2one(
        "helpdesk.technology", string="Scope (technology)", index=True,
        track_visibility="onchange")
    specialization_id = fields.Many2one(
        "helpdesk.specialization", string="Stream (specialization)", index=True,
        domain="[('technology_id', '=', technology_id)]", track_visibility="onchange")
    queue_id = fields.Many2one(
        "helpdesk.queue", string="Expert Queue", index=True, track_visibility="onchange",
        help="Derived from scope and stream when the ticket is created; operations may change it.")
    user_id = fields.Many2one(
        "res.users", string="Expert", index=True, track_visibility="onchange", copy=False)
    priority = fields.Selection(PRIORITIES, required=True, default="1", index=True,
                                track_visibility="onchange")
    impact = fields.Selection(IMPACTS, track_visibility="onchange")
    severity = fields.Selection(SEVERITIES, track_visibility="onchange")
    target_date = fields.Datetime(
        string="Requested Resolution", help="The resolution date the customer asks for.")
    project_id = fields.Many2one("project.project", string="Project", index=True)
    state = fields.Selection(
        STATES, required=True, default="new", index=True, copy=False,
        track_visibility="onchange")
    portal_state = fields.Selection(
        PORTAL_STATES, string="Status", compute="_compute_portal_state",
        search="_search_portal_state")
    satisfaction = fields.Selection(SATISFACTIONS, copy=False, track_visibility="onchange")
    customer_feedback = fields.Text(copy=False)
    closed_on = fields.Datetime(readonly=True, copy=False)
    resolution = fields.Html(
        sanitize=True, copy=False,
        help="What was done: sent to the customer with the deliverables.")
    qc_reject_reason = fields.Text(string="QC Rejection Reason", copy=False, readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id", readonly=True)
    fee_amount = fields.Monetary(
        string="Quoted Fee", copy=False, currency_field="currency_id",
        help="Fee quoted by operations when sending the ticket to dispatch.")
    access_token = fields.Char("Security Token", copy=False, default=_default_access_token)
    channel = fields.Selection(
        [("portal", "Portal"), ("email", "E-mail"), ("backend", "Operations")],
        default="backend", readonly=True, copy=False)
    assigned_on = fields.Datetime(readonly=True, copy=False)
    last_customer_message_on = fields.Datetime(readonly=True, copy=False)
    # who spoke last, kept apart from the timestamps: a customer message and a support
    # reply can fall within the same second
    customer_awaits_reply = fields.Boolean(
        readonly=True, copy=False, default=False,
        help="The customer's last message has no reply from support yet.")
    first_support_reply_on = fields.Datetime(readonly=True, copy=False)
    last_support_reply_on = fields.Datetime(readonly=True, copy=False)
    history_ticket_ids = fields.Many2many(
        "helpdesk.ticket", string="Incident History", compute="_compute_history",
        help="Previous tickets of the same customer organisation, with their outcome.")
    history_count = fields.Integer(compute="_compute_history", string="Previous Incidents")
    color = fields.Integer()

    _sql_constraints = [
        ("number_uniq", "unique(number, company_id)", "The ticket reference must be unique."),
    ]

    # ------------------------------------------------------------------ computes
    @api.depends("partner_id.commercial_partner_id")
    def _compute_commercial_partner_id(self):
        for ticket in self:
            ticket.commercial_partner_id = ticket.partner_id.commercial_partner_id

    @api.depends("state")
    def _compute_portal_state(self):
        for ticket in self:
            ticket.portal_state = STATE_TO_PORTAL.get(ticket.state)

    def _search_portal_state(self, operator, value):
        values = value if isinstance(value, (list, tuple)) else [value]
        states = [s for s, p in STATE_TO_PORTAL.items() if p in values]
        if operator in ("=", "in"):
            return [("state", "in", states)]
        if operator in ("!=", "not in"):
            return [("state", "not in", states)]
        raise UserError(_("Unsupported search on the ticket status."))

    @api.depends("commercial_partner_id")
    def _compute_history(self):
        # One search for the whole set, grouped in Python: no query per ticket.
        partners = self.mapped("commercial_partner_id")
        others = self.search([("commercial_partner_id", "in", partners.ids)],
                             order="create_date desc, id desc") if partners else self.browse()
        by_partner = {}
        for other in others:
            by_partner.setdefault(other.commercial_partner_id.id, []).append(other.id)
        for ticket in self:
            ids = [i for i in by_partner.get(ticket.commercial_partner_id.id, [])
                   if i != ticket.id]
            ticket.history_ticket_ids = [(6, 0, ids)]
            ticket.history_count = len(ids)

    @api.multi
    def _compute_portal_url(self):
        super(HelpdeskTicket, self)._compute_portal_url()
        for ticket in self:
            ticket.portal_url = "/my/ticket/%s" % ticket.id

    # --------------------------------------------------------------- constraints
    @api.constrains("name")
    def _check_name(self):
        for ticket in self:
            if not (ticket.name or "").strip():
                raise ValidationError(_("A ticket needs a subject."))

    @api.constrains("technology_id", "specialization_id")
    def _check_scope(self):
        for ticket in self:
            if ticket.specialization_id and \
                    ticket.specialization_id.technology_id != ticket.technology_id:
                raise ValidationError(_(
                    "The stream %s does not belong to the scope %s.") % (
                    ticket.specialization_id.name, ticket.technology_id.name or _("(none)")))

    @api.constrains("user_id", "queue_id")
    def _check_expert_in_queue(self):
        for ticket in self:
            if ticket.user_id and ticket.queue_id and \
                    ticket.user_id not in ticket.queue_id.member_ids:
                raise ValidationError(_(
                    "%s is not an expert of queue %s.") % (
                    ticket.user_id.name, ticket.queue_id.name))

    @api.onchange("impact", "severity")
    def _onchange_triage(self):
        priority = self.env["helpdesk.priority.matrix"]._get_priority(
            self.impact, self.severity, self.company_id)
        if priority:
            self.priority = priority

    @api.onchange("technology_id", "specialization_id")
    def _onchange_scope(self):
        if self.specialization_id and self.specialization_id.technology_id != self.technology_id:
            self.specialization_id = False
        queue = self.env["helpdesk.queue"]._find_for_scope(
            self.technology_id, self.specialization_id)
        if queue:
            self.queue_id = queue

    # ---------------------------------------------------------------------- CRUD
    @api.model
    def _validate_vals(self, vals):
        """Clear messages for bad input, before anything reaches the database."""
        for fname in ("category", "priority", "impact", "severity", "state", "satisfaction"):
            if vals.get(fname):
                allowed = dict(self._fields[fname].selection)
                if vals[fname] not in allowed:
                    raise ValidationError(_("%s is not a valid %s. Choose one of: %s.") % (
                        vals[fname], self._fields[fname].string, ", ".join(allowed.values())))
        if "name" in vals and not (vals["name"] or "").strip():
            raise ValidationError(_("A ticket needs a subject."))

    @api.model
    def _check_customer_may_create(self, vals):
        """Portal customers open tickets for their own organisation only."""
        user = self.env.user
        if not user.share:
            return
        partner = self.env["res.partner"].sudo().browse(vals.get("partner_id"))
        if partner.commercial_partner_id != user.commercial_partner_id:
            raise AccessError(_("You can only open tickets for your own organisation."))

    @api.model
    def _prepare_derived_vals(self, vals):
        """Priority from the triage matrix and queue from the scope, unless given."""
        if vals.get("impact") and vals.get("severity") and "priority" not in vals:
            vals["priority"] = self.env["helpdesk.priority.matrix"]._get_priority(
                vals["impact"], vals["severity"])
        if vals.get("technology_id") and not vals.get("queue_id"):
            Technology = self.env["helpdesk.technology"]
            queue = self.env["helpdesk.queue"]._find_for_scope(
                Technology.browse(vals["technology_id"]),
                self.env["helpdesk.specialization"].browse(vals.get("specialization_id")))
            if queue:
                vals["queue_id"] = queue.id
        return vals

    @api.model
    def create(self, vals):
        self._validate_vals(vals)
        if "name" not in vals:
            raise ValidationError(_("A ticket needs a subject."))
        self._check_customer_may_create(vals)
        vals = self._prepare_derived_vals(dict(vals))
        # Known at insert time, so the record rule already holds when constraints read
        # the new ticket as its (portal) creator.
        vals["commercial_partner_id"] = self.env["res.partner"].browse(
            vals.get("partner_id")).sudo().commercial_partner_id.id
        if vals.get("number", "/") == "/":
            # Portal customers cannot read ir.sequence; the number is ours to give.
            vals["number"] = self.env["ir.sequence"].sudo().next_by_code("helpdesk.ticket") \
                or "/"
        # The gateway/portal user must not become the assigned expert.
        ticket = super(HelpdeskTicket, self.with_context(
            default_user_id=False, mail_create_nolog=True)).create(vals)
        ticket._subscribe_customer()
        ticket._notify_customer("tktit_helpdesk.mail_template_ticket_received")
        return ticket

    @api.multi
    def write(self, vals):
        self._validate_vals(vals)
        res = super(HelpdeskTicket, self).write(vals)
        if "partner_id" in vals:
            self._subscribe_customer()
        if {"impact", "severity"} & set(vals) and "priority" not in vals:
            self._apply_triage_matrix()
        if {"technology_id", "specialization_id"} & set(vals) and "queue_id" not in vals:
            self._route_to_queue()
        return res

    def _apply_triage_matrix(self):
        """Priority from the matrix, one write per impact x severity cell."""
        Matrix = self.env["helpdesk.priority.matrix"]
        groups = {}
        for ticket in self.filtered(lambda t: t.impact and t.severity):
            groups.setdefault((ticket.impact, ticket.severity, ticket.company_id), self.browse())
            groups[(ticket.impact, ticket.severity, ticket.company_id)] |= ticket
        for (impact, severity, company), tickets in groups.items():
            tickets.write({"priority": Matrix._get_priority(impact, severity, company)})

    def _route_to_queue(self):
        """Follow a changed scope/stream to its queue, while nobody works the ticket."""
        Queue = self.env["helpdesk.queue"]
        for ticket in self.filtered(lambda t: t.state in ("new", "scoping", "dispatch")):
            queue = Queue._find_for_scope(ticket.technology_id, ticket.specialization_id)
            if queue and queue != ticket.queue_id:
                ticket.queue_id = queue

    @api.multi
    def unlink(self):
        if any(t.state not in ("new", "cancelled") for t in self):
            raise UserError(_("Only new or cancelled tickets can be deleted; cancel it instead."))
        return super(HelpdeskTicket, self).unlink()

    @api.multi
    def name_get(self):
        return [(t.id, "[%s] %s" % (t.number, t.name)) for t in self]

    @api.model
    def name_search(self, name="", args=None, operator="ilike", limit=100):
        args = list(args or [])
        if name:
            args = ["|", ("number", operator, name), ("name", operator, name)] + args
            return self.search(args, limit=limit).name_get()
        return super(HelpdeskTicket, self).name_search(name, args, operator, limit)

    @api.model_cr_context
    def _init_column(self, column_name):
        """Values of a column new to existing tickets (this addon's or a sub-addon's),
        run once, when an install or upgrade adds the column."""
        cr = self.env.cr
        field = self._fields[column_name]
        if column_name == "access_token":
            # each ticket its own token, not one shared default
            cr.execute(
                "UPDATE helpdesk_ticket SET access_token = md5(random()::text || id::text)"
                "::uuid::text WHERE access_token IS NULL")
        elif column_name == "customer_awaits_reply":
            # who spoke last, as the timestamps tell it
            cr.execute("""
                UPDATE helpdesk_ticket
                   SET customer_awaits_reply = last_customer_message_on IS NOT NULL AND (
                       last_support_reply_on IS NULL
                       OR last_customer_message_on > last_support_reply_on)
                 WHERE customer_awaits_reply IS NULL""")
        elif field.type == "boolean" and field.default and not field.default(self):
            # Odoo 11 leaves a False boolean NULL ("the same as NULL"), but NULL sorts
            # first in "escalated desc" (the dispatcher queue) and groups apart in reports
            cr.execute('UPDATE helpdesk_ticket SET "%s" = FALSE WHERE "%s" IS NULL'
                       % (column_name, column_name))
        else:
            super(HelpdeskTicket, self)._init_column(column_name)

    # ------------------------------------------------------------ transitions
    def _check_state(self, allowed, action_label, target=None):
        """Guard of a transition: tickets already in `target` are skipped (calling twice
        does nothing twice); any other state outside `allowed` is refused."""
        todo = self.filtered(lambda t: t.state != target) if target else self
        wrong = todo.filtered(lambda t: t.state not in allowed)
        if wrong:
            labels = dict(self._fields["state"]._description_selection(self.env))
            raise UserError(_("%s is not possible for ticket %s in state %s.") % (
                action_label, wrong[0].number, labels[wrong[0].state]))
        return todo

    @api.multi
    def action_request_clarification(self, question=None):
        """Operations ask the customer to clarify the scope before assignment."""
        todo = self._check_state(("new", "dispatch"), _("Asking for clarification"), "scoping")
        if todo:
            todo.write({"state": "scoping"})
            for ticket in todo:
                ticket._notify_customer(
                    "tktit_helpdesk.mail_template_ticket_clarification", question=question)
        return True

    @api.multi
    def action_send_to_dispatch(self, fee_amount=None):
        """Triage done: the ticket waits in its queue for the dispatcher."""
        todo = self._check_state(("new", "scoping"), _("Sending to dispatch"), "dispatch")
        missing = todo.filtered(lambda t: not t.queue_id)
        if missing:
            raise UserError(_(
                "Ticket %s has no expert queue: set its scope and stream, or a queue, "
                "before sending it to dispatch.") % missing[0].number)
        if fee_amount is not None and fee_amount < 0:
            raise UserError(_("A quoted fee cannot be negative."))
        vals = {"state": "dispatch"}
        if fee_amount is not None:
            vals["fee_amount"] = fee_amount
        if todo:
            todo.write(vals)
        return True

    @api.multi
    def action_assign(self, user):
        """The dispatcher gives the ticket to an expert of its queue."""
        user = self.env["res.users"].browse(user) if isinstance(user, int) else user
        if not user or len(user) != 1:
            raise UserError(_("Choose one expert to assign."))
        # Already with this expert: nothing to do. Otherwise a first assignment from the
        # dispatcher queue, or a reassignment of a ticket being worked.
        todo = self.filtered(lambda t: t.user_id != user or t.state == "dispatch")
        todo._check_state(("dispatch",) + EXPERT_STATES, _("Assignment"))
        for ticket in todo:
            if user not in ticket.queue_id.member_ids:
                raise UserError(_("%s is not an expert of queue %s.") % (
                    user.name, ticket.queue_id.name or _("(none)")))
        if not todo:
            return True
        first = todo.filtered(lambda t: t.state == "dispatch")
        now = fields.Datetime.now()
        first.write({"state": "in_progress", "user_id": user.id, "assigned_on": now})
        (todo - first).write({"user_id": user.id, "assigned_on": now})
        for ticket in todo:
            ticket._notify_customer("tktit_helpdesk.mail_template_ticket_assigned")
        for ticket in first:
            ticket._schedule_activity(
                "tktit_helpdesk.mail_activity_quality_assessment",
                ticket._get_operations_user(),
                _("Quality assessment of the work on %s") % ticket.number)
        return True

    @api.multi
    def action_customer_unreachable(self):
        """The expert could not reach the customer: mail them, back to the dispatcher."""
        todo = self._check_state(EXPERT_STATES, _("Marking the customer unreachable"),
                                 "dispatch")
        if todo:
            for ticket in todo:
                ticket._notify_customer("tktit_helpdesk.mail_template_ticket_unreachable")
            # create_date is untouched: the ticket keeps its priority and age in the queue.
            todo.write({"state": "dispatch", "user_id": False, "assigned_on": False})
        return True

    @api.multi
    def action_work_completed(self):
        todo = self._check_state(EXPERT_STATES, _("Marking work completed"), "work_completed")
        empty = todo.filtered(lambda t: not html2plaintext(t.resolution or "").strip())
        if empty:
            raise UserError(_(
                "Describe the resolution of ticket %s before marking the work completed: "
                "it is what the customer receives.") % empty[0].number)
        if todo:
            todo.write({"state": "work_completed"})
        return True

    @api.multi
    def action_qc_approve(self):
        todo = self._check_state(("work_completed",), _("Quality control approval"),
                                 "final_review")
        if todo:
            todo.write({"state": "final_review", "qc_reject_reason": False})
            for ticket in todo:
                ticket.message_post(body=_("Quality control approved the work."),
                                    subtype="mail.mt_note")
        return True

    @api.multi
    def action_qc_reject(self, reason):
        if not (reason or "").strip():
            raise UserError(_("Say why quality control rejects the work."))
        todo = self._check_state(("work_completed",), _("Quality control rejection"))
        if todo:
            todo.write({"state": "in_progress", "qc_reject_reason": reason})
            for ticket in todo:
                ticket.message_post(
                    body=_("Quality control rejected the work: %s") % reason,
                    subtype="mail.mt_note")
                ticket._schedule_activity(
                    "mail.mail_activity_data_todo", ticket.user_id,
                    _("Rework after quality control: %s") % reason)
        return True

    @api.multi
    def action_final_approve(self):
        """Technical committee's final review: the deliverables go to the customer."""
        todo = self._check_state(("final_review",), _("Final approval"), "delivered")
        if todo:
            todo.write({"state": "delivered"})
            for ticket in todo:
                ticket._notify_customer("tktit_helpdesk.mail_template_ticket_delivered")
        return True

    @api.multi
    def action_customer_confirm(self, satisfied, comment=None):
        """The customer answers the delivery: closure and satisfaction, or what is missing."""
        # The customer answers for their own organisation's ticket: they may read it (the
        # record rule says so), and only this decision is written, as sudo.
        self.check_access_rights("read")
        self.check_access_rule("read")
        self = self.sudo()
        target = "closed" if satisfied else None
        todo = self._check_state(("delivered",), _("Confirming the delivery"), target)
        if not todo:
            return True
        if satisfied:
            todo.write({"satisfaction": "satisfied", "customer_feedback": comment or False})
            todo._action_close()
            for ticket in todo:
                ticket._notify_customer("tktit_helpdesk.mail_template_ticket_closed")
        else:
            if not (comment or "").strip():
                raise UserError(_("Tell us what is missing so the expert can follow up."))
            todo.write({"state": "in_progress", "satisfaction": "dissatisfied",
                        "customer_feedback": comment})
            for ticket in todo:
                ticket.message_post(
                    body=_("The customer is not satisfied: %s") % comment,
                    subtype="mail.mt_note")
                summary = _("Customer not satisfied with %s: contact them") % ticket.number
                ticket._schedule_activity("mail.mail_activity_data_todo", ticket.user_id,
                                          summary)
                ticket._schedule_activity("tktit_helpdesk.mail_activity_customer_followup",
                                          ticket._get_operations_user(), summary)
        return True

    @api.multi
    def action_close(self):
        todo = self._check_state(
            [s for s, _label in STATES if s not in DONE_STATES], _("Closing"), "closed")
        if todo:
            todo._action_close()
        return True

    def _action_close(self):
        self.write({"state": "closed", "closed_on": fields.Datetime.now()})

    @api.multi
    def action_cancel(self):
        todo = self._check_state(
            [s for s, _label in STATES if s not in DONE_STATES], _("Cancelling"), "cancelled")
        if todo:
            todo.write({"state": "cancelled", "closed_on": fields.Datetime.now()})
        return True

    @api.multi
    def action_reopen(self):
        """A customer comes back on a closed ticket (mail reply): support acts again."""
        todo = self._check_state(("closed",), _("Reopening"))
        for ticket in todo:
            ticket.write({"state": "in_progress" if ticket.user_id else "dispatch",
                          "closed_on": False, "satisfaction": False})
        return True

    @api.multi
    def action_open_customer_history(self):
        self.ensure_one()
        action = self.env.ref("tktit_helpdesk.helpdesk_ticket_action").read()[0]
        action["domain"] = [("commercial_partner_id", "=", self.commercial_partner_id.id),
                            ("id", "!=", self.id)]
        action["context"] = {}
        return action

    @api.multi
    def action_create_canned_answer(self):
        """Turn this ticket's resolution into a canned answer for its category."""
        self.ensure_one()
        if not html2plaintext(self.resolution or "").strip():
            raise UserError(_("Write the resolution first: it becomes the canned answer."))
        answer = self.env["helpdesk.canned.answer"].create({
            "name": self.name,
            "body": self.resolution,
            "category": self.category,
            "source_ticket_id": self.id,
        })
        return {
            "type": "ir.actions.act_window",
            "res_model": "helpdesk.canned.answer",
            "res_id": answer.id,
            "view_mode": "form",
            "target": "current",
        }

    # ------------------------------------------------------------------ helpers
    def _subscribe_customer(self):
        for ticket in self:
            # Followers are how Odoo mails the customer; access is decided by the
            # commercial_partner_id record rule, never by following.
            ticket.sudo().message_subscribe(partner_ids=ticket.partner_id.ids)

    def _get_operations_user(self):
        """Who in operations follows this ticket up: its queue's dispatcher, the current
        user when in operations, else the first operations user."""
        self.ensure_one()
        if self.queue_id.dispatcher_id:
            return self.queue_id.dispatcher_id
        if self.env.user.has_group("tktit_helpdesk.group_helpdesk_user"):
            return self.env.user
        group = self.env.ref("tktit_helpdesk.group_helpdesk_user")
        return group.sudo().users.filtered(lambda u: u.active and not u.share)[:1]

    def _schedule_activity(self, activity_xmlid, user, summary):
        self.ensure_one()
        if not user:
            return self.env["mail.activity"]
        activity_type = self.env.ref(activity_xmlid)
        # The expert or customer triggering this may not manage other users' activities.
        return self.env["mail.activity"].sudo().create({
            "res_model_id": self.env["ir.model"]._get(self._name).id,
            "res_id": self.id,
            "activity_type_id": activity_type.id,
            "summary": summary,
            "user_id": user.id,
            "date_deadline": fields.Date.context_today(self),
        })

    def _notify_customer(self, template_xmlid, **values):
        """Mail the customer with a template, the mail kept in the chatter.

        Sent as superuser: customers trigger some of these (submission, confirmation)
        and cannot read mail templates. The context marks it as an automatic notice,
        so it does not count as a support reply.
        """
        template = self.env.ref(template_xmlid)
        for ticket in self:
            ticket.sudo().with_context(
                tktit_notification=True, tktit_values=values, lang=ticket.partner_id.lang,
            ).message_post_with_template(
                template.id, composition_mode="comment", message_type="comment",
                subtype_id=self.env.ref("mail.mt_comment").id)

    # -------------------------------------------------------------- mail hooks
    @api.multi
    def get_access_action(self, access_uid=None):
        """Customers following a link land on the portal page, not in the backend."""
        self.ensure_one()
        user = self.env["res.users"].sudo().browse(access_uid) if access_uid else self.env.user
        if user.share or self.env.context.get("force_website"):
            return {
                "type": "ir.actions.act_url",
                "url": "/my/ticket/%s?access_token=%s" % (self.id, self.access_token),
                "target": "self",
                "res_id": self.id,
            }
        return super(HelpdeskTicket, self).get_access_action(access_uid)

    def get_mail_url(self):
        return self.get_share_url()

    @api.multi
    def _notification_recipients(self, message, groups):
        groups = super(HelpdeskTicket, self)._notification_recipients(message, groups)
        for group_name, _method, data in groups:
            if group_name == "customer":
                data["has_button_access"] = True
        return groups

    @api.model
    def message_new(self, msg_dict, custom_values=None):
        """A mail to a queue alias opens a ticket for the (known) sender."""
        values = dict(custom_values or {})
        partner_id = msg_dict.get("author_id")
        if not partner_id:
            raise ValidationError(_("Tickets are opened by known customers only."))
        values.update({
            "name": msg_dict.get("subject") or _("No Subject"),
            "description": msg_dict.get("body"),
            "partner_id": partner_id,
            "channel": "email",
        })
        return super(HelpdeskTicket, self.with_context(
            default_user_id=False, tktit_from_gateway=True)).message_new(msg_dict, values)

    @api.multi
    def message_update(self, msg_dict, update_vals=None):
        # A customer replying by mail to a closed ticket reopens it.
        self.filtered(lambda t: t.state == "closed").action_reopen()
        return super(HelpdeskTicket, self).message_update(msg_dict, update_vals=update_vals)

    @api.multi
    def message_get_suggested_recipients(self):
        recipients = super(HelpdeskTicket, self).message_get_suggested_recipients()
        for ticket in self:
            if ticket.partner_id:
                ticket._message_add_suggested_recipient(
                    recipients, partner=ticket.partner_id, reason=_("Customer"))
        return recipients

    @api.multi
    @api.returns("mail.message", lambda value: value.id)
    def message_post(self, body="", subject=None, message_type="notification", subtype=None,
                     parent_id=False, attachments=None, content_subtype="html", **kwargs):
        # Customer mails go through Odoo's mail queue (sent by the mail cron), never from
        # inside the transaction that posts them: a rollback cannot leave a sent mail behind.
        if "mail_notify_force_send" not in self.env.context:
            self = self.with_context(mail_notify_force_send=False)
        message = super(HelpdeskTicket, self).message_post(
            body=body, subject=subject, message_type=message_type, subtype=subtype,
            parent_id=parent_id, attachments=attachments, content_subtype=content_subtype,
            **kwargs)
        if self.env.context.get("tktit_notification") or \
                message.message_type not in ("comment", "email") or \
                message.subtype_id != self.env.ref("mail.mt_comment"):
            return message
        author = message.author_id
        if author and any(not user.share for user in author.sudo().user_ids):
            self._handle_support_reply(message)
        else:
            self._handle_customer_message(message)
        return message

    def _handle_customer_message(self, message):
        """The customer wrote: if we were waiting on them, support must act again."""
        now = fields.Datetime.now()
        # sudo: the customer posting has no write access on tickets; only our own
        # bookkeeping and the state change decided here are written.
        tickets = self.sudo()
        tickets.write({"last_customer_message_on": now, "customer_awaits_reply": True})
        tickets.filtered(lambda t: t.state == "scoping").write({"state": "new"})
        tickets.filtered(lambda t: t.state == "awaiting_customer").write(
            {"state": "in_progress"})

    def _handle_support_reply(self, message):
        """Support answered the customer: from in progress, the ball is in their court."""
        now = fields.Datetime.now()
        self.filtered(lambda t: not t.first_support_reply_on).write(
            {"first_support_reply_on": now})
        self.write({"last_support_reply_on": now, "customer_awaits_reply": False})
        self.filtered(lambda t: t.state == "in_progress").write(
            {"state": "awaiting_customer"})

    # ------------------------------------------------------------------ rating
    def rating_get_partner_id(self):
        return self.partner_id

    def rating_get_rated_partner_id(self):
        return self.user_id.partner_id

    # ------------------------------------------------------------- mail links
    def get_portal_link(self):
        """Absolute portal URL with the access token, for mails."""
        self.ensure_one()
        base_url = self.env["ir.config_parameter"].sudo().get_param("web.base.url")
        return "%s/my/ticket/%s?access_token=%s" % (base_url, self.id, self.access_token)

    def get_rating_url(self):
        """Base of the 1-5 star links of the completion mail: append the stars."""
        self.ensure_one()
        base_url = self.env["ir.config_parameter"].sudo().get_param("web.base.url")
        return "%s/helpdesk/rating/%s" % (base_url, self.rating_get_access_token())

    # ----------------------------------------------------------------- portal
    @api.model
    def _portal_parse_submission(self, post):
        """Turn the portal form into ticket values: (vals, error dict, error messages).
        Only whitelisted fields; the customer is always the logged-in user."""
        error, messages = {}, []
        vals = {}
        name = (post.get("name") or "").strip()
        if not name:
            error["name"] = True
            messages.append(_("Please give your request a subject."))
        vals["name"] = name
        description = (post.get("description") or "").strip()
        if not description:
            error["description"] = True
            messages.append(_("Please describe your request."))
        # Plain text from the form, escaped: what the customer typed is shown as typed.
        vals["description"] = plaintext2html(description)
        category = post.get("category") or "technical"
        if category not in dict(CATEGORIES):
            error["category"] = True
            messages.append(_("Unknown category: choose Activation, Technical, Financial "
                              "or Sales."))
        vals["category"] = category
        priority = post.get("priority") or "1"
        if priority not in dict(PRIORITIES):
            error["priority"] = True
            messages.append(_("Unknown priority."))
        vals["priority"] = priority
        for fname, model in (("technology_id", "helpdesk.technology"),
                             ("specialization_id", "helpdesk.specialization")):
            raw = post.get(fname)
            if not raw:
                continue
            record = self.env[model].browse(int(raw)) if str(raw).isdigit() else None
            if not record or not record.exists():
                error[fname] = True
                messages.append(_("Unknown scope or stream: choose one from the list."))
                continue
            vals[fname] = record.id
        if vals.get("specialization_id"):
            spec = self.env["helpdesk.specialization"].browse(vals["specialization_id"])
            if spec.technology_id.id != vals.get("technology_id"):
                error["specialization_id"] = True
                messages.append(_("The stream you chose does not belong to that scope."))
        for fname in ("occurred_on", "target_date"):
            raw = (post.get(fname) or "").strip()
            if not raw:
                continue
            try:
                vals[fname] = self._portal_parse_datetime(raw)
            except ValueError:
                error[fname] = True
                messages.append(_("%s is not a valid date.") % raw)
        return vals, error, messages

    @api.model
    def _portal_parse_datetime(self, raw):
        """A datetime-local or date input, read in the user's time zone, stored in UTC."""
        raw = raw.replace("T", " ")
        fmt = "%Y-%m-%d %H:%M" if len(raw) > 10 else "%Y-%m-%d"
        local = datetime.strptime(raw[:16] if len(raw) > 10 else raw, fmt)
        tz = pytz.timezone(self.env.user.tz or "UTC")
        return fields.Datetime.to_string(tz.localize(local).astimezone(pytz.utc))

    @api.model
    def _portal_max_attachment_bytes(self):
        mb = self.env["ir.config_parameter"].sudo().get_param(
            "tktit_helpdesk.portal_max_attachment_mb", "10")
        return int(float(mb) * 1024 * 1024)

    @api.model
    def _portal_check_attachment(self, filename, content):
        limit = self._portal_max_attachment_bytes()
        if len(content) > limit:
            return _("The file %s is too large (%.1f MB); the limit is %.0f MB.") % (
                filename, len(content) / 1048576.0, limit / 1048576.0)
        if not content:
            return _("The file %s is empty.") % filename
        return None

    @api.model
    def _portal_create_ticket(self, vals, attachment=None):
        """Create the customer's ticket from checked portal values, then attach the file."""
        user = self.env.user
        vals = {key: value for key, value in vals.items() if key in PORTAL_FIELDS}
        vals.update(partner_id=user.partner_id.id, channel="portal",
                    company_id=user.company_id.id)
        # sudo: portal users have no create right on tickets (their ticket gets fields
        # and follow-ups they may not write). Only whitelisted fields pass, and the
        # customer is always the logged-in user.
        ticket = self.sudo().create(vals)
        if attachment:
            filename, content = attachment
            # sudo: portal users cannot create attachments; the ticket was just created
            # by this user under their own record rule, and size was checked.
            att = self.env["ir.attachment"].sudo().create({
                "name": filename,
                "datas_fname": filename,
                "datas": base64.b64encode(content),
                "res_model": self._name,
                "res_id": ticket.id,
            })
            ticket.sudo().with_context(tktit_notification=True).message_post(
                body=_("Attachment from the customer."), attachment_ids=att.ids,
                author_id=user.partner_id.id, message_type="comment",
                subtype="mail.mt_note")
        return ticket

    def _apply_customer_rating(self, stars, token, feedback=None):
        """Record the customer's 1-5 stars (and feedback) on the ticket's rating.

        Stored on Odoo's 0-10 scale (5 stars = 10) so Odoo's own satisfaction thresholds
        and rating reports keep working. ``rating.mixin.rating_apply`` is not used: it
        posts an image per 0-10 value that exists only for 1, 5 and 10, and posts again
        each time the customer adds feedback. Here one internal note per change says
        what the customer gave; giving the same stars again changes nothing.
        """
        self.ensure_one()
        if stars not in range(1, 6):
            raise UserError(_("A rating is given with 1 to 5 stars."))
        rating = self.env["rating.rating"].search([
            ("access_token", "=", token), ("res_model", "=", self._name),
            ("res_id", "=", self.id)], limit=1)
        if not rating:
            raise UserError(_("This rating link is not valid for ticket %s.") % self.number)
        feedback = (feedback or "").strip()
        vals = {"rating": stars * 2.0, "consumed": True}
        if feedback:
            vals["feedback"] = feedback
        changed = not rating.consumed or rating.rating != vals["rating"] or (
            feedback and feedback != rating.feedback)
        if not changed:
            return rating
        rating.write(vals)
        body = _("<p>Customer rating: <strong>%s</strong> (%d/5)</p>") % (
            "\u2605" * stars + "\u2606" * (5 - stars), stars)
        if rating.feedback:
            body += plaintext2html(rating.feedback)
        self.with_context(tktit_notification=True).message_post(
            body=body, author_id=rating.partner_id.id or None,
            message_type="notification", subtype="mail.mt_note")
        return rating
