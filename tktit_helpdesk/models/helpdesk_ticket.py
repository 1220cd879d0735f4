import base64
import hashlib
import uuid
from collections import OrderedDict, namedtuple

from psycopg2 import sql

from odoo import SUPERUSER_ID, _, api, fields, models, tools
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
# A customer's message moves a ticket that waited on them back to support.
CUSTOMER_ANSWER_STATES = {"scoping": "new", "awaiting_customer": "in_progress"}
# States in which the assigned expert is working the ticket.
EXPERT_STATES = ("in_progress", "awaiting_customer")
OPEN_STATES = tuple(state for state, _label in STATES if state not in DONE_STATES)

# Who does what (operations managers and the superuser, i.e. crons, the mail gateway and
# portal routes after their token check, may do everything).
OPERATIONS = "tktit_helpdesk.group_helpdesk_user"
QUALITY_CONTROL = "tktit_helpdesk.group_helpdesk_qc"
COMMITTEE = "tktit_helpdesk.group_helpdesk_committee"
MANAGER = "tktit_helpdesk.group_helpdesk_manager"
ASSIGNED_EXPERT = "assigned_expert"  # the expert the ticket is assigned to
CUSTOMER = "customer"  # a portal user of the ticket's organisation

Transition = namedtuple("Transition", "sources target needs_input role")
# The lifecycle: each public transition, the states it starts from, the state it leads
# to, whether it needs input (an expert, a reason, the customer's answer) and who does it.
# Guards, kanban drops and the messages refusing a direct state write read this table.
TRANSITIONS = OrderedDict([
    ("action_request_clarification",
     Transition(("new", "dispatch"), "scoping", False, OPERATIONS)),
    ("action_send_to_dispatch", Transition(("new", "scoping"), "dispatch", False, OPERATIONS)),
    ("action_assign", Transition(("dispatch",), "in_progress", True, OPERATIONS)),
    ("action_customer_unreachable",
     Transition(EXPERT_STATES, "dispatch", False, ASSIGNED_EXPERT)),
    ("action_work_completed",
     Transition(EXPERT_STATES, "work_completed", False, ASSIGNED_EXPERT)),
    ("action_qc_approve",
     Transition(("work_completed",), "final_review", False, QUALITY_CONTROL)),
    ("action_qc_reject", Transition(("work_completed",), "in_progress", True, QUALITY_CONTROL)),
    ("action_final_approve", Transition(("final_review",), "delivered", False, COMMITTEE)),
    ("action_customer_confirm", Transition(("delivered",), "closed", True, CUSTOMER)),
    ("action_close", Transition(OPEN_STATES, "closed", False, OPERATIONS)),
    ("action_cancel", Transition(OPEN_STATES, "cancelled", False, OPERATIONS)),
    # reopened by the customer's mail reply (or by operations), never by a kanban drop
    ("action_reopen", Transition(("closed",), "dispatch", True, OPERATIONS)),
])
# Written by the lifecycle's own code only (or a manager): bookkeeping and the customer's
# answers.
LIFECYCLE_FIELDS = frozenset([
    "state", "closed_on", "assigned_on", "last_customer_message_on", "customer_awaits_reply",
    "first_support_reply_on", "last_support_reply_on", "qc_reject_reason", "channel",
    "number", "commercial_partner_id", "satisfaction", "customer_feedback", "access_token",
])
# What an expert (or a reviewer) may write on a ticket: the rest is operations' or the
# lifecycle's (sub-addons add theirs through _expert_writable_fields()).
EXPERT_FIELDS = frozenset(["resolution", "color", "message_follower_ids"])

# Context key by which a transition marks its own write of ``state`` (see _write_state).
STATE_WRITE_KEY = "tktit_state_transition"
_STATE_WRITE_TOKEN = object()


def _find_transition(from_state, to_state):
    """The public transition that moves a ticket from ``from_state`` to ``to_state``."""
    for name, transition in TRANSITIONS.items():
        if from_state in transition.sources and transition.target == to_state:
            return name
    return None


# Fields a portal customer may set when submitting; everything else is ours.
PORTAL_FIELDS = ("name", "description", "category", "priority", "occurred_on",
                 "technology_id", "specialization_id", "target_date")


class HelpdeskTicket(models.Model):
    """A customer's ticket and its lifecycle.

    The state changes only through the transitions of ``TRANSITIONS``. Each one is a
    public ``action_*`` method (button, RPC, portal) that checks the state with
    ``_guard_transition`` (and the input), then calls its private ``_action_*`` method,
    which does the work: values from ``_prepare_*_values``, one ``_write_state`` per
    ticket or batch, then mails and activities. A ``write`` of ``state`` from anywhere
    else is refused with a UserError naming the action to use; a kanban drop (context
    ``tktit_kanban_drop``) performs the matching transition when it needs no input; a
    helpdesk manager imports historical tickets with ``tktit_history_import``.

    Extension points for sub-addons (extend with ``super()``; they run after the guard):

    - ``_action_request_clarification(question)``: ask the customer to clarify the scope
    - ``_prepare_send_to_dispatch_values(fee_amount)``, ``_action_send_to_dispatch(fee_amount)``:
      triage done, the ticket waits in the dispatcher queue
    - ``_prepare_assign_values(user)``, ``_action_assign(user)``: (re)assignment to an expert
    - ``_action_customer_unreachable()``: back to dispatch, the customer mailed
    - ``_action_work_completed()``: the expert's resolution goes to quality control
    - ``_action_qc_approve()``, ``_action_qc_reject(reason)``: quality control's decision
    - ``_action_final_approve()``: the committee approves, the deliverables are mailed
    - ``_action_deliver(values=None)``: the deliverables reached the customer (delivered)
    - ``_prepare_customer_confirm_values(satisfied, comment)``,
      ``_action_customer_confirm(satisfied, comment)``: the customer's answer to a delivery
    - ``_closes_on_confirmation()``: which tickets a satisfied answer closes at once
    - ``_prepare_close_values()``, ``_action_close(values=None)``: closure, in one write
    - ``_prepare_cancel_values()``, ``_action_cancel()``: cancellation
    - ``_action_reopen()``: a closed ticket the customer writes to again
    - ``_on_customer_message(message)``: the customer wrote (bookkeeping and state done)
    - ``_on_support_reply(message)``: support answered the customer (likewise)
    - ``_schedule_activity(activity_type, user, summary, note=None)``: the one activity helper
    - ``_notify_customer(template_xmlid, attachment_ids=None, **values)``: a template mail
      to the customer only
    - ``_message_post_template(template, subtype, message_type, attachment_ids)``: a
      template posted on the ticket (what the composer posts, without a composer record)
    - ``_get_portal_url(access_token=True, absolute=False)``: the one builder of ticket links
    - ``_expert_writable_fields()``: what experts may write on their assigned tickets
    - ``_check_write_fields(vals)``: who may write what outside the lifecycle's own writes
    - ``_customer_priorities(partner)``: the priorities a customer may choose (plans)
    - ``_prepare_derived_vals(vals)``: the values a new ticket derives from the given ones
      (priority, queue), before its one insert
    """
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
    occurred_on = fields.Datetime(help="When the incident happened.")
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
        groups="base.group_user",
        help="Derived from scope and stream when the ticket is created; operations may "
             "change it.")
    user_id = fields.Many2one(
        "res.users", string="Expert", index=True, track_visibility="onchange", copy=False)
    priority = fields.Selection(PRIORITIES, required=True, default="1", index=True,
                                track_visibility="onchange")
    # Internal fields carry groups="base.group_user": a portal customer reading their
    # ticket by RPC gets the portal's view of it (portal_state, not the internal state),
    # never triage inputs, queues, QC notes or the expert's draft; the portal pages read
    # them as superuser, after their own access check.
    impact = fields.Selection(IMPACTS, track_visibility="onchange", groups="base.group_user")
    severity = fields.Selection(SEVERITIES, track_visibility="onchange",
                                groups="base.group_user")
    target_date = fields.Datetime(
        string="Requested Resolution", help="The resolution date the customer asks for.")
    project_id = fields.Many2one("project.project", string="Project", index=True)
    # Written by the transitions only (see _write_state); the kanban shows every state.
    state = fields.Selection(
        STATES, required=True, default="new", index=True, copy=False,
        track_visibility="onchange", group_expand="_read_group_state",
        groups="base.group_user")
    portal_state = fields.Selection(
        PORTAL_STATES, string="Status", compute="_compute_portal_state",
        search="_search_portal_state")
    satisfaction = fields.Selection(SATISFACTIONS, copy=False, track_visibility="onchange")
    customer_feedback = fields.Text(copy=False)
    closed_on = fields.Datetime(readonly=True, copy=False)
    resolution = fields.Html(
        sanitize=True, copy=False, groups="base.group_user",
        help="What was done: sent to the customer with the deliverables.")
    qc_reject_reason = fields.Text(string="QC Rejection Reason", copy=False, readonly=True,
                                   groups="base.group_user")
    currency_id = fields.Many2one(related="company_id.currency_id", readonly=True)
    fee_amount = fields.Monetary(
        string="Quoted Fee", copy=False, currency_field="currency_id",
        help="Fee quoted by operations when sending the ticket to dispatch.")
    access_token = fields.Char("Security Token", copy=False, default=_default_access_token)
    channel = fields.Selection(
        [("portal", "Portal"), ("email", "E-mail"), ("backend", "Operations")],
        default="backend", readonly=True, copy=False)
    assigned_on = fields.Datetime(readonly=True, copy=False, groups="base.group_user")
    last_customer_message_on = fields.Datetime(readonly=True, copy=False,
                                               groups="base.group_user")
    # who spoke last, kept apart from the timestamps: a customer message and a support
    # reply can fall within the same second
    customer_awaits_reply = fields.Boolean(
        readonly=True, copy=False, default=False, groups="base.group_user",
        help="The customer's last message has no reply from support yet.")
    first_support_reply_on = fields.Datetime(readonly=True, copy=False,
                                             groups="base.group_user")
    last_support_reply_on = fields.Datetime(readonly=True, copy=False, groups="base.group_user")
    history_ticket_ids = fields.Many2many(
        "helpdesk.ticket", string="Incident History", compute="_compute_history",
        help="Previous tickets of the same customer organisation, with their outcome.")
    history_count = fields.Integer(compute="_compute_history", string="Previous Incidents")
    color = fields.Integer(groups="base.group_user")
    portal_last_update = fields.Datetime(
        string="Last Update", compute="_compute_portal_last_update",
        help="The last news the customer can see on the ticket: the latest message of "
             "its conversation (replies, notices), its closure, else its submission.")

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
            # sudo: the customer reads the portal's word, not the internal state
            ticket.portal_state = STATE_TO_PORTAL.get(ticket.sudo().state)

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

    @api.depends("message_ids", "closed_on")
    def _compute_portal_last_update(self):
        # One grouped query for the set (the portal list's page): the latest date of
        # the messages the portal shows (comments and mails of a public subtype), never
        # of internal notes or tracking. SQL: the customer may not read the subtypes.
        ids = [ticket_id for ticket_id in self.ids if isinstance(ticket_id, int)]
        latest = {}
        if ids:
            self.env.cr.execute("""
                SELECT m.res_id, max(m.date)
                  FROM mail_message m
                  JOIN mail_message_subtype s ON s.id = m.subtype_id
                 WHERE m.model = %s AND m.res_id IN %s
                   AND m.message_type IN ('comment', 'email') AND NOT s.internal
              GROUP BY m.res_id""", (self._name, tuple(ids)))
            latest = dict(self.env.cr.fetchall())  # Odoo's cursor reads dates as strings
        for ticket in self:
            dates = [d for d in (latest.get(ticket.id), ticket.closed_on) if d]
            ticket.portal_last_update = max(dates) if dates else ticket.create_date

    @api.multi
    def _compute_portal_url(self):
        res = super(HelpdeskTicket, self)._compute_portal_url()
        for ticket in self:
            ticket.portal_url = ticket._get_portal_url(access_token=False)
        return res

    # ------------------------------------------------------------------- indexes
    @api.model_cr
    def init(self):
        """Partial indexes of the dispatcher's queue (``state = 'dispatch'``) in the
        model's final ``_order`` (sub-addons extend it): the dispatcher's list and a
        queue's "assign next" read their first rows from the index, whatever the number
        of tickets. Named after the order; an index of a former order is dropped."""
        super(HelpdeskTicket, self).init()
        terms = [term.split() for term in self._order.split(",")]
        # as the ORM writes the ORDER BY (a boolean is read as COALESCE(x, false)), or
        # PostgreSQL cannot use the index for it
        columns = ", ".join(
            (('COALESCE("%s", false)' if self._fields[term[0]].type == "boolean" else '"%s"')
             % term[0]) + " " + (term[1:] or ["asc"])[0].upper()
            for term in terms)
        digest = hashlib.md5(columns.encode()).hexdigest()[:8]
        wanted = {
            "helpdesk_ticket_dispatch_%s_idx" % digest: columns,
            "helpdesk_ticket_dispatch_queue_%s_idx" % digest: '"queue_id", ' + columns,
        }
        cr = self.env.cr
        cr.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'helpdesk_ticket' "
                   "AND indexname LIKE 'helpdesk\\_ticket\\_dispatch\\_%'")
        for (name,) in cr.fetchall():
            if name not in wanted:
                cr.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(name)))
        for name, expression in wanted.items():
            # (the columns are the model's own _order terms, not user input)
            cr.execute(sql.SQL(
                "CREATE INDEX IF NOT EXISTS {} ON helpdesk_ticket ({}) "
                "WHERE state = 'dispatch'").format(sql.Identifier(name), sql.SQL(expression)))

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
                    "The stream %(stream)s does not belong to the scope %(scope)s.") % {
                    "stream": ticket.specialization_id.name,
                    "scope": ticket.technology_id.name or _("(none)")})

    @api.constrains("user_id", "queue_id")
    def _check_expert_in_queue(self):
        for ticket in self:
            if ticket.user_id and ticket.queue_id and \
                    ticket.user_id not in ticket.queue_id.member_ids:
                raise ValidationError(_(
                    "%(expert)s is not an expert of queue %(queue)s.") % {
                    "expert": ticket.user_id.name, "queue": ticket.queue_id.name})

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
                    raise ValidationError(_(
                        "%(value)s is not a valid %(field)s. Choose one of: %(choices)s.") % {
                        "value": vals[fname], "field": self._fields[fname].string,
                        "choices": ", ".join(allowed.values())})
        if "name" in vals and not (vals["name"] or "").strip():
            raise ValidationError(_("A ticket needs a subject."))
        target = vals.get("target_date")
        if target and not self._is_history_import():
            target = fields.Datetime.to_string(fields.Datetime.from_string(target))
            if target < fields.Datetime.now():
                raise ValidationError(_(
                    "The requested resolution date %s is in the past: choose a date to "
                    "come (or leave it empty).") % target[:16])

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
    def _customer_priorities(self, partner):
        """The priorities a customer of ``partner`` may choose when opening a ticket
        (keys of PRIORITIES); triage may set any. Sub-addons narrow it (support plans)."""
        return [key for key, _label in PRIORITIES]

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
        # A ticket starts as New (its state then changes through transitions only), unless
        # a manager imports historical tickets; a default_state in the context is no way
        # around that.
        ctx = {key: value for key, value in self.env.context.items() if key != "default_state"}
        # replaced, not merged: merging cannot drop a key
        self = self.with_context(ctx)  # pylint: disable=context-overridden
        history = self._is_history_import()
        if vals.get("state", "new") != "new" and not history:
            raise UserError(_(
                "A new ticket starts in state New; its status then changes through the "
                "lifecycle actions. To load historical tickets, a helpdesk manager uses "
                "Helpdesk > Configuration > Import Historical Tickets."))
        vals = self._prepare_derived_vals(dict(vals))
        # in the values, so that creation is tracked with the "Ticket Opened" subtype
        vals.setdefault("state", "new")
        # Known at insert time, so the record rule already holds when constraints read
        # the new ticket as its (portal) creator.
        vals["commercial_partner_id"] = self.env["res.partner"].browse(
            vals.get("partner_id")).sudo().commercial_partner_id.id
        if vals.get("number", "/") == "/":
            # Portal customers cannot read ir.sequence; the number is ours to give.
            vals["number"] = self.env["ir.sequence"].sudo().next_by_code("helpdesk.ticket") \
                or "/"
        vals["message_follower_ids"] = self._creation_followers(vals)
        # The gateway/portal user must not become the assigned expert.
        ticket = super(HelpdeskTicket, self.with_context(
            default_user_id=False, mail_create_nolog=True,
            mail_create_nosubscribe=True)).create(vals)
        if not history:  # an imported old ticket does not mail its customer again
            ticket._notify_customer("tktit_helpdesk.mail_template_ticket_received")
        return ticket

    @api.multi
    def write(self, vals):
        self._validate_vals(vals)
        if self.env.context.get(STATE_WRITE_KEY) is _STATE_WRITE_TOKEN:
            # the lifecycle's own write, after its guard; what it triggers is not one
            self = self.with_context(**{STATE_WRITE_KEY: False})
        else:
            if "state" in vals:
                vals = self._check_state_write(vals)
                if vals is None:  # a kanban drop, done by its transition
                    return True
            if not self._is_history_import():
                self._check_write_fields(vals)
        res = super(HelpdeskTicket, self).write(vals)
        if "partner_id" in vals:
            self._subscribe_customer()
        if {"impact", "severity"} & set(vals) and "priority" not in vals:
            self._apply_triage_matrix()
        if {"technology_id", "specialization_id"} & set(vals) and "queue_id" not in vals:
            self._route_to_queue()
        return res

    @api.model
    def _read_group_state(self, values, domain, order):
        """Kanban columns: every state, in lifecycle order, even when empty."""
        return [state for state, _label in STATES]

    @api.model
    def read_group(self, domain, fields, groupby, offset=0, limit=None, orderby=False,
                   lazy=True):
        result = super(HelpdeskTicket, self).read_group(
            domain, fields, groupby, offset=offset, limit=limit, orderby=orderby, lazy=lazy)
        first = groupby[0] if isinstance(groupby, (list, tuple)) and groupby else groupby
        if first == "state":
            # Odoo folds columns of relational groups only: fold the finished states here
            for line in result:
                if line.get("state") in DONE_STATES:
                    line["__fold"] = True
        return result

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
        """Values of a column of this addon new to existing tickets, run once, when an
        install or upgrade adds the column (sub-addons extend it for theirs)."""
        cr = self.env.cr
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
        else:
            return super(HelpdeskTicket, self)._init_column(column_name)
        return None

    # ------------------------------------------------------------ transitions
    def _transition_labels(self):
        """What each transition is called on its button (for messages)."""
        return {
            "action_request_clarification": _("Ask for Clarification"),
            "action_send_to_dispatch": _("Send to Dispatch"),
            "action_assign": _("Assign Expert"),
            "action_customer_unreachable": _("Customer Unreachable"),
            "action_work_completed": _("Work Completed"),
            "action_qc_approve": _("QC Approve"),
            "action_qc_reject": _("QC Reject"),
            "action_final_approve": _("Final Approval"),
            "action_customer_confirm": _("the customer's confirmation"),
            "action_close": _("Close"),
            "action_cancel": _("Cancel"),
            "action_reopen": _("Reopen"),
        }

    def _guard_transition(self, transition, target=None, allowed=None):
        """The one guard of every transition: returns the tickets to move.

        First the role (``_check_transition_role``), then the states: tickets already in
        ``target`` are skipped (calling a transition twice does its work once); a ticket
        in any state outside the transition's starting states (``TRANSITIONS``, or
        ``allowed``) is refused with a UserError naming it.
        """
        self._check_transition_role(transition)
        allowed = allowed or TRANSITIONS[transition].sources
        todo = self.filtered(lambda t: t.state != target) if target else self
        wrong = todo.filtered(lambda t: t.state not in allowed)
        if wrong:
            raise UserError(_(
                "%(transition)s is not possible for ticket %(number)s in state %(state)s.") % {
                "transition": self._transition_labels()[transition],
                "number": wrong[0].number,
                "state": wrong[0]._state_label(wrong[0].state)})
        return todo

    def _is_helpdesk_manager(self):
        return self.env.uid == SUPERUSER_ID or self.env.user.has_group(MANAGER)

    def _check_transition_role(self, transition):
        """The caller's role for ``transition`` (``TRANSITIONS``), whatever the path (button,
        RPC, kanban): an AccessError names who may do it, and nothing is changed."""
        if self._is_helpdesk_manager():
            return
        user, role = self.env.user, TRANSITIONS[transition].role
        label = self._transition_labels()[transition]
        if role == ASSIGNED_EXPERT:
            others = self.filtered(lambda t: t.user_id != user)
            if others:
                raise AccessError(_(
                    "%(transition)s on ticket %(number)s is for its assigned expert only.") % {
                    "transition": label, "number": others[0].number})
        elif role == CUSTOMER:
            if not user.share or any(t.commercial_partner_id != user.commercial_partner_id
                                     for t in self.sudo()):
                raise AccessError(_("Only the customer answers the delivery of a ticket."))
        else:
            if not user.has_group(role):
                raise AccessError(_("%(transition)s is for %(group)s only.") % {
                    "transition": label, "group": self.env.ref(role).sudo().full_name})
            own = self.filtered(lambda t: t.user_id == user)
            if role in (QUALITY_CONTROL, COMMITTEE) and own:
                raise AccessError(_("You cannot review your own work on ticket %s: another "
                                    "reviewer decides.") % own[0].number)

    def _expert_writable_fields(self):
        """Fields an expert or reviewer may write on a ticket (sub-addons extend)."""
        return set(EXPERT_FIELDS)

    def _check_write_fields(self, vals):
        """Who may write what outside the lifecycle's own writes: managers everything,
        operations all but the lifecycle's bookkeeping and the customer's answers,
        experts and reviewers their own fields only (resolution, colour)."""
        if self._is_helpdesk_manager():
            return
        user = self.env.user
        if user.has_group(OPERATIONS):
            denied = set(vals) & LIFECYCLE_FIELDS
        else:
            denied = set(vals) - self._expert_writable_fields()
            others = self.filtered(lambda t: t.user_id != user)
            if others and not denied:
                raise AccessError(_("Ticket %s is not assigned to you: its expert and "
                                    "operations change it.") % others[0].number)
        if denied:
            names = sorted(self._fields[f].string for f in denied if f in self._fields)
            raise AccessError(_("You may not change %(fields)s of a ticket: %(who)s.") % {
                "fields": ", ".join(names) or ", ".join(sorted(denied)),
                "who": _("the lifecycle actions and operations do")
                if user.has_group(OPERATIONS)
                else _("operations do, or the lifecycle actions")})

    def _state_label(self, state):
        return dict(self._fields["state"]._description_selection(self.env))[state]

    def _write_state(self, vals):
        """The lifecycle's own write: the one path by which the state (and its
        bookkeeping: dates, who spoke last, the customer's answers) changes.

        Transitions (``_action_*``) call it after their guard; a ``write`` of these fields
        from anywhere else is refused (or, for a state from the kanban, performs the
        matching transition). The marker is a Python object, which an RPC caller cannot
        put in a context. It runs as the caller: the tracking names them and the record
        rules apply.
        """
        return self.with_context(**{STATE_WRITE_KEY: _STATE_WRITE_TOKEN}).write(vals)

    def _is_history_import(self):
        """The documented path for historical tickets: a helpdesk manager importing with
        ``tktit_history_import`` in the context (the *Import Historical Tickets* menu)."""
        return bool(self.env.context.get("tktit_history_import")) and (
            self.env.user._is_superuser() or
            self.env.user.has_group("tktit_helpdesk.group_helpdesk_manager"))

    def _check_state_write(self, vals):
        """A ``write`` of ``state`` that does not come from a transition.

        Returns the values left to write: without ``state`` when every ticket already
        has it, unchanged for a manager's history import, None when a kanban drop was
        performed by its transition; otherwise a UserError names the action to use.
        """
        new_state = vals["state"]
        moving = self.filtered(lambda t: t.state != new_state)
        if not moving:
            return {key: value for key, value in vals.items() if key != "state"}
        if self._is_history_import():
            return vals
        if self.env.context.get("tktit_kanban_drop") and set(vals) == {"state"}:
            moving._drop_to_state(new_state)
            return None
        raise UserError(moving[0]._state_change_hint(new_state))

    def _drop_to_state(self, new_state):
        """A kanban card dropped in the ``new_state`` column: perform the transition that
        makes that move when it needs no input (its guard and effects included)."""
        for state in set(self.mapped("state")):
            tickets = self.filtered(lambda t: t.state == state)
            transition = _find_transition(state, new_state)
            if not transition or TRANSITIONS[transition].needs_input:
                raise UserError(tickets[0]._state_change_hint(new_state))
            getattr(tickets, transition)()

    def _state_change_hint(self, new_state):
        """Why a state write is refused, and which action makes that move."""
        self.ensure_one()
        transition = _find_transition(self.state, new_state)
        values = {
            "number": self.number, "from": self._state_label(self.state),
            "to": self._state_label(new_state),
        }
        if transition:
            values["action"] = self._transition_labels()[transition]
            values["method"] = transition
            return _("The status of ticket %(number)s changes only through its lifecycle: "
                     "to move it from %(from)s to %(to)s, use \"%(action)s\" "
                     "(%(method)s).") % values
        return _("The status of ticket %(number)s changes only through its lifecycle, "
                 "which does not lead from %(from)s to %(to)s.") % values

    @api.multi
    def action_request_clarification(self, question=None):
        """Operations ask the customer to clarify the scope before assignment."""
        todo = self._guard_transition("action_request_clarification", "scoping")
        if todo:
            todo._action_request_clarification(question)
        return True

    def _action_request_clarification(self, question=None):
        self._write_state({"state": "scoping"})
        self._notify_customer("tktit_helpdesk.mail_template_ticket_clarification",
                              question=question)

    @api.multi
    def action_send_to_dispatch(self, fee_amount=None):
        """Triage done: the ticket waits in its queue for the dispatcher."""
        todo = self._guard_transition("action_send_to_dispatch", "dispatch")
        missing = todo.filtered(lambda t: not t.queue_id)
        if missing:
            raise UserError(_(
                "Ticket %s has no expert queue: set its scope and stream, or a queue, "
                "before sending it to dispatch.") % missing[0].number)
        if fee_amount is not None and fee_amount < 0:
            raise UserError(_("A quoted fee cannot be negative."))
        if todo:
            todo._action_send_to_dispatch(fee_amount)
        return True

    def _prepare_send_to_dispatch_values(self, fee_amount=None):
        vals = {"state": "dispatch"}
        if fee_amount is not None:
            vals["fee_amount"] = fee_amount
        return vals

    def _action_send_to_dispatch(self, fee_amount=None):
        self._write_state(self._prepare_send_to_dispatch_values(fee_amount))

    @api.multi
    def action_assign(self, user):
        """The dispatcher gives the ticket to an expert of its queue."""
        user = self.env["res.users"].browse(user) if isinstance(user, int) else user
        if not user or len(user) != 1:
            raise UserError(_("Choose one expert to assign."))
        # Already with this expert: nothing to do. Otherwise a first assignment from the
        # dispatcher queue, or a reassignment of a ticket being worked.
        todo = self.filtered(lambda t: t.user_id != user or t.state == "dispatch")
        todo._guard_transition("action_assign", allowed=("dispatch",) + EXPERT_STATES)
        for ticket in todo:
            if user not in ticket.queue_id.member_ids:
                raise UserError(_("%(expert)s is not an expert of queue %(queue)s.") % {
                    "expert": user.name, "queue": ticket.queue_id.name or _("(none)")})
        if todo:
            todo._action_assign(user)
        return True

    def _prepare_assign_values(self, user):
        """Values of an assignment; a first one (from dispatch) also moves the state."""
        vals = {"user_id": user.id, "assigned_on": fields.Datetime.now()}
        if self[:1].state == "dispatch":
            vals["state"] = "in_progress"
        return vals

    def _action_assign(self, user):
        first = self.filtered(lambda t: t.state == "dispatch")
        for tickets in (first, self - first):
            if tickets:
                tickets._write_state(tickets._prepare_assign_values(user))
        self._notify_customer("tktit_helpdesk.mail_template_ticket_assigned")
        for ticket in first:
            ticket._schedule_activity(
                "tktit_helpdesk.mail_activity_quality_assessment",
                ticket._get_operations_user(),
                _("Quality assessment of the work on %s") % ticket.number)

    @api.multi
    def action_customer_unreachable(self):
        """The expert could not reach the customer: mail them, back to the dispatcher."""
        todo = self._guard_transition("action_customer_unreachable", "dispatch")
        if todo:
            todo._action_customer_unreachable()
        return True

    def _action_customer_unreachable(self):
        self._notify_customer("tktit_helpdesk.mail_template_ticket_unreachable")
        # create_date is untouched: the ticket keeps its priority and age in the queue.
        self._write_state({"state": "dispatch", "user_id": False, "assigned_on": False})

    @api.multi
    def action_work_completed(self):
        """The expert's "Work Completed": the resolution goes to quality control."""
        todo = self._guard_transition("action_work_completed", "work_completed")
        empty = todo.filtered(lambda t: not html2plaintext(t.resolution or "").strip())
        if empty:
            raise UserError(_(
                "Describe the resolution of ticket %s before marking the work completed: "
                "it is what the customer receives.") % empty[0].number)
        if todo:
            todo._action_work_completed()
        return True

    def _action_work_completed(self):
        self._write_state({"state": "work_completed"})

    @api.multi
    def action_qc_approve(self):
        todo = self._guard_transition("action_qc_approve", "final_review")
        if todo:
            todo._action_qc_approve()
        return True

    def _action_qc_approve(self):
        self._write_state({"state": "final_review", "qc_reject_reason": False})
        for ticket in self:
            ticket.message_post(body=_("Quality control approved the work."),
                                subtype="mail.mt_note")

    @api.multi
    def action_qc_reject(self, reason):
        if not (reason or "").strip():
            raise UserError(_("Say why quality control rejects the work."))
        todo = self._guard_transition("action_qc_reject")
        if todo:
            todo._action_qc_reject(reason)
        return True

    def _action_qc_reject(self, reason):
        self._write_state({"state": "in_progress", "qc_reject_reason": reason})
        for ticket in self:
            ticket.message_post(
                body=_("Quality control rejected the work: %s") % reason,
                subtype="mail.mt_note")
            ticket._schedule_activity(
                "mail.mail_activity_data_todo", ticket.user_id,
                _("Rework after quality control: %s") % reason)

    @api.multi
    def action_final_approve(self):
        """Technical committee's final review: the deliverables go to the customer."""
        todo = self._guard_transition("action_final_approve", "delivered")
        if todo:
            todo._action_final_approve()
        return True

    def _action_final_approve(self):
        self._action_deliver()
        self._notify_customer("tktit_helpdesk.mail_template_ticket_delivered")

    def _action_deliver(self, values=None):
        """The deliverables reached the customer: delivered, in one write (plus the
        caller's ``values``). The committee's approval calls it; so does a sub-addon
        whose own step hands the work over after its own checks (a delivery note the
        customer signed on site). The customer then confirms, or says what is missing."""
        vals = {"state": "delivered"}
        vals.update(values or {})
        self._write_state(vals)

    @api.multi
    def action_customer_confirm(self, satisfied, comment=None):
        """The customer answers the delivery: closure and satisfaction, or what is missing."""
        # The customer answers for their own organisation's ticket: they may read it (the
        # record rule says so), and only this decision is written, as sudo.
        self.check_access_rights("read")
        self.check_access_rule("read")
        self._check_transition_role("action_customer_confirm")
        self = self.sudo()
        todo = self._guard_transition("action_customer_confirm",
                                      "closed" if satisfied else None)
        if not todo:
            return True
        if not satisfied and not (comment or "").strip():
            raise UserError(_("Tell us what is missing so the expert can follow up."))
        todo._action_customer_confirm(bool(satisfied), comment)
        return True

    def _prepare_customer_confirm_values(self, satisfied, comment=None):
        if satisfied:
            return {"satisfaction": "satisfied", "customer_feedback": comment or False}
        return {"state": "in_progress", "satisfaction": "dissatisfied",
                "customer_feedback": comment}

    def _action_customer_confirm(self, satisfied, comment=None):
        """Satisfied: the ticket closes (one write) and the customer gets the closing mail
        with the rating links. Not satisfied: back to the expert, with activities."""
        vals = self._prepare_customer_confirm_values(satisfied, comment)
        if satisfied:
            closing = self._closes_on_confirmation()
            closing._action_close(vals)
            closing._notify_customer("tktit_helpdesk.mail_template_ticket_closed")
            # the others keep the customer's answer and close later (see the hook)
            (self - closing)._write_state(vals)
            return
        self._write_state(vals)
        for ticket in self:
            ticket.message_post(
                body=_("The customer is not satisfied: %s") % comment,
                subtype="mail.mt_note")
            summary = _("Customer not satisfied with %s: contact them") % ticket.number
            ticket._schedule_activity("mail.mail_activity_data_todo", ticket.user_id, summary)
            ticket._schedule_activity("tktit_helpdesk.mail_activity_customer_followup",
                                      ticket._get_operations_user(), summary)

    @api.multi
    def action_close(self):
        todo = self._guard_transition("action_close", "closed")
        if todo:
            todo._action_close()
        return True

    def _closes_on_confirmation(self):
        """The tickets of ``self`` that the customer's satisfied answer closes: all of
        them here. A sub-addon keeps some open (a billable ticket until its invoice is
        paid), which then close through ``_action_close`` when that happens."""
        return self

    def _prepare_close_values(self):
        return {"state": "closed", "closed_on": fields.Datetime.now()}

    def _action_close(self, values=None):
        """Close in one write: ``_prepare_close_values()`` plus the caller's ``values``."""
        vals = self._prepare_close_values()
        vals.update(values or {})
        self._write_state(vals)

    @api.multi
    def action_cancel(self):
        todo = self._guard_transition("action_cancel", "cancelled")
        if todo:
            todo._action_cancel()
        return True

    def _prepare_cancel_values(self):
        return {"state": "cancelled", "closed_on": fields.Datetime.now()}

    def _action_cancel(self):
        self._write_state(self._prepare_cancel_values())

    @api.multi
    def action_reopen(self):
        """A customer comes back on a closed ticket (mail reply): support acts again."""
        todo = self._guard_transition("action_reopen")
        if todo:
            todo._action_reopen()
        return True

    def _action_reopen(self):
        for ticket in self:
            ticket._write_state({"state": "in_progress" if ticket.user_id else "dispatch",
                                 "closed_on": False, "satisfaction": False})

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
        # not offered before operations reviewed it: it may quote the customer
        answer = self.env["helpdesk.canned.answer"].create({
            "name": self.name,
            "body": self.resolution,
            "category": self.category,
            "source_ticket_id": self.id,
            "company_id": self.company_id.id,
            "queue_id": self.queue_id.id,
            "reviewed": False,
        })
        return {
            "type": "ir.actions.act_window",
            "res_model": "helpdesk.canned.answer",
            "res_id": answer.id,
            "view_mode": "form",
            "target": "current",
        }

    # ------------------------------------------------------------------ helpers
    @api.model
    def _creation_followers(self, vals):
        """The follower commands of a new ticket: its customer (see
        ``_subscribe_customer``) and whoever opens it from the backend, as Odoo subscribes
        a record's creator. Given to ``create``, so that one insert does what a
        subscription after it would do in two rounds of followers' bookkeeping. The
        superuser, through whom the portal and the mail gateway create tickets, follows
        nothing: it would be notified of every customer's ticket."""
        partners = {}
        if vals.get("partner_id"):
            partners[vals["partner_id"]] = None  # None: the partner's default subtypes
        if self.env.uid != SUPERUSER_ID:
            partners[self.env.user.partner_id.id] = None
        commands = list(vals.get("message_follower_ids") or [])
        if partners:
            commands += self.env["mail.followers"]._add_follower_command(
                self._name, [], partners, {}, force=True)[0]
        return commands

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

    def _schedule_activity(self, activity_type, user, summary, note=None):
        """The one way the helpdesk schedules an activity on a ticket, due today.

        ``activity_type``: an xml id or a mail.activity.type record; no ``user``, no
        activity. Created as superuser: the expert or customer triggering it may not
        manage other users' activities.
        """
        self.ensure_one()
        if not user:
            return self.env["mail.activity"]
        if isinstance(activity_type, str):
            activity_type = self.env.ref(activity_type)
        return self.env["mail.activity"].sudo().create({
            "res_model_id": self.env["ir.model"]._get(self._name).id,
            "res_id": self.id,
            "activity_type_id": activity_type.id,
            "summary": summary,
            "note": note or False,
            "user_id": user.id,
            "date_deadline": fields.Date.context_today(self),
        })

    def _notify_customer(self, template_xmlid, attachment_ids=None, **values):
        """Mail the customer with a template, the mail kept in the chatter.

        Posted with the "Customer Notice" subtype, which no follower receives by default:
        the mail reaches the template's recipients (the customer) only, never the expert
        or other staff following the ticket. It is not a support reply (only comments
        count as such). Sent as superuser: customers trigger some of these (submission,
        confirmation) and cannot read mail templates. ``attachment_ids``: ir.attachment
        ids to send with it (for a template without report of its own); they end up
        attached to the ticket.
        """
        template = self.env.ref(template_xmlid)
        subtype = self.env.ref("tktit_helpdesk.mt_customer_notice")
        for ticket in self:
            ticket.sudo().with_context(
                tktit_values=values, lang=ticket.partner_id.lang,
            )._message_post_template(template, subtype, attachment_ids=attachment_ids)

    def _message_post_template(self, template, subtype, message_type="comment",
                               attachment_ids=None):
        """Post ``template`` (a mail.template) on this ticket with ``subtype``, mailed to
        the template's recipients only, as ``mail.template.send_mail`` does: one queued
        ``mail.mail`` whose message is kept in the chatter (``notification``), rendered by
        the composer's own ``generate_email_for_composer``. No composer record, and no
        follower notification round: the template is the whole mail (its own button and
        signature), so Odoo's notification layout is not rendered around it (about 60
        queries a mail with both). Internal recipients also find it in their inbox;
        those who read their notifications in Odoo only (``notification_type`` inbox)
        get no e-mail, as with message_post."""
        self.ensure_one()
        mail = self.env["mail.compose.message"].generate_email_for_composer(
            template.id, self.ids)[self.id]
        # in the direction of the language the template was written in (its lang field)
        template = template.with_env(self.env)  # the caller's (superuser for notices)
        lang = template.lang and template.render_template(template.lang, self._name,
                                                          self.id)
        body = self.env["res.lang"]._wrap_html_direction(lang, mail.get("body", ""))
        partners = self.env["res.partner"].sudo().browse(mail.get("partner_ids", []))
        users = partners.mapped("user_ids").filtered(lambda u: not u.share)
        inbox_only = users.filtered(lambda u: u.notification_type == "inbox").mapped(
            "partner_id")
        values = {
            "model": self._name, "res_id": self.id, "record_name": self.display_name,
            "message_type": message_type, "subtype_id": subtype.id,
            "author_id": self.env.user.partner_id.id,
            "subject": mail.get("subject") or False,
            "body": body, "body_html": body,
            "partner_ids": [(4, pid) for pid in partners.ids],
            "recipient_ids": [(4, pid) for pid in (partners - inbox_only).ids],
            "needaction_partner_ids": [(4, pid) for pid in users.mapped("partner_id").ids],
            "mail_server_id": mail.get("mail_server_id") or False,
            # kept in the chatter once sent, even when the template deletes its mail
            "notification": True, "auto_delete": template.auto_delete,
        }
        for key in ("email_from", "reply_to"):
            if mail.get(key):
                values[key] = mail[key]
        # the template's own files are copied, as the composer does; its report, rendered
        # for this ticket as (name, base64), attached to the ticket as message_post does
        own = [att.copy({"res_model": "mail.compose.message", "res_id": 0}).id
               for att in template.attachment_ids] + list(attachment_ids or [])
        values["attachment_ids"] = self._message_post_process_attachments(
            [(name, base64.b64decode(data)) for name, data in mail.get("attachments", [])],
            own, values)
        return self.env["mail.mail"].sudo().create(values).mail_message_id

    # -------------------------------------------------------------- mail hooks
    @api.multi
    def get_access_action(self, access_uid=None):
        """Customers following a link land on the portal page, not in the backend."""
        self.ensure_one()
        user = self.env["res.users"].sudo().browse(access_uid) if access_uid else self.env.user
        if user.share or self.env.context.get("force_website"):
            return {
                "type": "ir.actions.act_url",
                "url": self._get_portal_url(),
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
        queue = self.env["helpdesk.queue"].sudo().browse(values.get("queue_id")).exists()
        if queue:
            # the ticket belongs to the company of the queue mailed, not the gateway user's
            values["company_id"] = queue.company_id.id
        return super(HelpdeskTicket, self.with_context(
            default_user_id=False)).message_new(msg_dict, values)

    @api.model
    def _gateway_filter_routes(self, message, message_dict, routes):
        """The mail gateway's routes, with one new ticket at most: a mail written to two
        queues' aliases (or carrying the mailbox's own address, e.g. in Delivered-To)
        is one request, opened in the first queue written to; and none for an unknown
        sender (the fallback model of a mailbox, when no queue's alias was written to):
        they get the answer a queue's alias gives them (``_gateway_answer_stranger``)."""
        kept, creating = [], False
        for route in routes:
            if route[0] == self._name and not route[1]:
                if not message_dict.get("author_id"):
                    self._gateway_answer_stranger(message)
                    continue
                if creating:
                    continue
                creating = True
            kept.append(route)
        return kept

    @api.model
    def _gateway_stranger_body(self):
        """What a sender we do not know reads (the company's language): tickets come
        from customers, through the portal, or by mail from a registered address."""
        company = self.env.user.company_id
        return self.env["ir.qweb"].with_context(lang=company.partner_id.lang).render(
            "tktit_helpdesk.mail_body_unknown_sender", {
                "company": company,
                "base_url": self.env["ir.config_parameter"].sudo().get_param(
                    "web.base.url", ""),
            }).decode()

    @api.model
    def _gateway_answer_stranger(self, message):
        email_from = tools.decode_message_header(message, "From")
        self.env["mail.thread"]._routing_create_bounce_email(
            email_from, self._gateway_stranger_body(), message)

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
        if message_type == "email" and subtype == "mail.mt_note":
            # Odoo files a mail replying to an internal message as a note. A mail from
            # outside is the customer's, whatever its From claims (see below): their own
            # words stay visible to them and count as their message.
            subtype = "mail.mt_comment"
        message = super(HelpdeskTicket, self).message_post(
            body=body, subject=subject, message_type=message_type, subtype=subtype,
            parent_id=parent_id, attachments=attachments, content_subtype=content_subtype,
            **kwargs)
        # only a comment is a conversation turn: notes, notices and tracking are not
        if message.message_type not in ("comment", "email") or \
                message.subtype_id != self.env.ref("mail.mt_comment"):
            return message
        # A mail from outside always speaks for the customer, whatever its From claims:
        # support answers from the backend or the portal, where they are logged in.
        if message.message_type == "comment" and self._is_support_author(message.author_id):
            self._handle_support_reply(message)
        else:
            self._handle_customer_message(message)
        return message

    def _is_support_author(self, partner):
        """``partner`` is an internal user of each ticket's company (a support reply)."""
        users = partner.sudo().user_ids.filtered(lambda u: not u.share)
        return bool(users) and all(
            any(ticket.company_id in user.company_ids for user in users) for ticket in self)

    def _check_support_may_answer(self, subtype_id):
        """Staff answering the customer (a comment they see): operations and managers on
        any ticket, an expert only on the tickets assigned to them. Notes are free.
        Called on ``mail.message`` creation, which every path goes through."""
        if self._is_helpdesk_manager() or self.env.user.share:
            return  # customers' messages are checked on mail.message (see _check_customer_message)
        if subtype_id != self.env.ref("mail.mt_comment").id:
            return
        user = self.env.user
        if user.has_group(OPERATIONS):
            return
        others = self.filtered(lambda t: t.user_id != user)
        if others:
            raise AccessError(_("Only the expert assigned to ticket %s (or operations) "
                                "answers its customer; post an internal note instead.")
                              % others[0].number)

    @api.model
    def _check_customer_message(self, values):
        """A portal user's message on tickets (``mail.message`` values, whatever the path:
        message_post, chatter, RPC create): authored by themselves, a plain comment to
        support, no extra recipients, and not on a closed ticket."""
        user = self.env.user
        comment = self.env.ref("mail.mt_comment")
        recipients = [cmd for key in ("partner_ids", "channel_ids", "needaction_partner_ids")
                      for cmd in values.get(key) or [] if cmd]
        if values.get("author_id", user.partner_id.id) != user.partner_id.id or \
                values.get("message_type", "notification") != "comment" or \
                values.get("subtype_id") != comment.id or recipients:
            raise AccessError(_(
                "Customers post their own messages to support only: no other author, "
                "message type, internal note or extra recipients."))
        ticket = self.sudo().browse(values.get("res_id"))
        if ticket.state in DONE_STATES:
            raise UserError(_(
                "Ticket %s is closed, so messages are no longer accepted. Reply to its "
                "closing e-mail to reopen it, or open a new ticket.") % ticket.number)

    def _handle_customer_message(self, message):
        """The customer wrote: if we were waiting on them, support must act again.
        One write per ticket (bookkeeping and state), then ``_on_customer_message``."""
        now = fields.Datetime.now()
        # sudo: the customer posting has no write access on tickets; only our own
        # bookkeeping and the state change decided here are written.
        for ticket in self.sudo():
            vals = {"last_customer_message_on": now, "customer_awaits_reply": True}
            state = CUSTOMER_ANSWER_STATES.get(ticket.state)
            if state:
                vals["state"] = state
            ticket._write_state(vals)
        self.sudo()._on_customer_message(message)

    def _on_customer_message(self, message):
        """Hook: the customer's ``message`` was recorded on these tickets (sudo)."""

    def _handle_support_reply(self, message):
        """Support answered the customer: from in progress, the ball is in their court.
        One write per ticket, then ``_on_support_reply``."""
        now = fields.Datetime.now()
        for ticket in self:
            vals = {"last_support_reply_on": now, "customer_awaits_reply": False}
            if not ticket.first_support_reply_on:
                vals["first_support_reply_on"] = now
            if ticket.state == "in_progress":
                vals["state"] = "awaiting_customer"
            ticket._write_state(vals)
        self._on_support_reply(message)

    def _on_support_reply(self, message):
        """Hook: support's reply ``message`` was recorded on these tickets."""

    @api.multi
    def _track_subtype(self, init_values):
        """Followers can subscribe to new tickets and to status changes (as in project)."""
        self.ensure_one()
        if "state" in init_values:
            if not init_values["state"]:  # a ticket just created
                return "tktit_helpdesk.mt_ticket_new"
            return "tktit_helpdesk.mt_ticket_state"
        return super(HelpdeskTicket, self)._track_subtype(init_values)

    # ------------------------------------------------------------------ rating
    def rating_get_partner_id(self):
        return self.partner_id

    def rating_get_rated_partner_id(self):
        return self.user_id.partner_id

    # ------------------------------------------------------------- mail links
    def _get_portal_url(self, access_token=True, absolute=False):
        """The ticket's portal page: every link to a ticket is built here."""
        self.ensure_one()
        url = "/my/ticket/%s" % self.id
        if access_token and self.access_token:
            url += "?access_token=%s" % self.access_token
        if absolute:
            url = self.env["ir.config_parameter"].sudo().get_param("web.base.url") + url
        return url

    def get_portal_link(self):
        """Absolute portal URL with the access token, for mail templates (which cannot
        call private methods)."""
        return self._get_portal_url(absolute=True)

    def get_rating_url(self):
        """Base of the 1-5 star links of the completion mail: append the stars."""
        self.ensure_one()
        base_url = self.env["ir.config_parameter"].sudo().get_param("web.base.url")
        return "%s/helpdesk/rating/%s" % (base_url, self.rating_get_access_token())

    # ------------------------------------------------------------------ rating
    def _apply_customer_rating(self, stars, token, feedback=None):
        """Record the customer's 1-5 stars (and feedback) on the ticket's rating.

        The caller has checked that the customer sent it (the rating page's POST with the
        token of their completion mail). Once per delivery: the rating request of the
        latest closure takes the customer's stars, and changes of them, while the ticket
        stays closed; after a reopen the old request refuses (rating.rating's
        ``_check_customer_may_rate``), and the next closure's mail asks again.

        Stored on Odoo's 0-10 scale (5 stars = 10) so Odoo's own satisfaction thresholds
        and rating reports keep working. ``rating.mixin.rating_apply`` is not used: it
        posts an image per 0-10 value that exists only for 1, 5 and 10, and posts again
        each time the customer adds feedback. Here one internal note per change says
        what the customer gave; giving the same stars again changes nothing.
        """
        self.ensure_one()
        if stars not in range(1, 6):
            raise UserError(_("A rating is given with 1 to 5 stars."))
        # sudo: nobody but this method writes a ticket's rating (rating_rating.py)
        rating = self.env["rating.rating"].sudo().search([
            ("access_token", "=", token), ("res_model", "=", self._name),
            ("res_id", "=", self.id)], limit=1)
        if not rating:
            raise UserError(_("This rating link is not valid for ticket %s.") % self.number)
        rating._check_customer_may_rate()
        feedback = (feedback or "").strip()
        vals = {"rating": stars * 2.0, "consumed": True}
        if feedback:
            vals["feedback"] = feedback
        changed = not rating.consumed or rating.rating != vals["rating"] or (
            feedback and feedback != rating.feedback)
        if not changed:
            return rating
        rating._write_customer_rating(vals)
        body = _("<p>Customer rating: <strong>%(stars)s</strong> (%(rating)d/5)</p>") % {
            "stars": "\u2605" * stars + "\u2606" * (5 - stars), "rating": stars}
        if rating.feedback:
            body += plaintext2html(rating.feedback)
        self.message_post(
            body=body, author_id=rating.partner_id.id or None,
            message_type="notification", subtype="mail.mt_note")
        # 1-2 stars: the QA manager hears at once, once per rating (rating_rating.py)
        rating._alert_low_rating()
        return rating
