# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""SLA clocks on tickets.

Every clock is derived from stored anchors (submission, customer messages, support replies,
the resolution time already used), so a recomputation is idempotent. Clocks change on events
(creation, customer message, support reply, state/priority/target/customer change) through
:meth:`_sla_recompute`; time passing is handled by the set-based cron
:meth:`_cron_sla_sweep`, which compares the stored deadlines and at-risk points with now in SQL.
"""
import logging
from datetime import timedelta

import babel.dates
import pytz

from odoo import _, api, fields, models, tools

from odoo.addons.tktit_helpdesk.models.helpdesk_ticket import (
    CUSTOMER_WAITING_STATES, DONE_STATES)

_logger = logging.getLogger(__name__)

SLA_STATES = [
    ("on_track", "On Track"),
    ("at_risk", "At Risk"),
    ("breached", "Breached"),
    ("met", "Met"),
]
# Share of a clock's business time after which the ticket is at risk.
AT_RISK_RATIO = 0.8
PARAM_AUTO_CLOSE_HOURS = "tktit_helpdesk_sla.auto_close_hours"
PARAM_BATCH_SIZE = "tktit_helpdesk_sla.sweep_batch_size"
DEFAULT_AUTO_CLOSE_HOURS = 48.0
DEFAULT_BATCH_SIZE = 200
# Writing any of these recomputes the SLA clocks of the ticket.
SLA_TRIGGER_FIELDS = frozenset([
    "state", "priority", "target_date", "partner_id", "sla_start_on",
    "last_customer_message_on", "last_support_reply_on", "first_support_reply_on",
    "customer_awaits_reply",
])
SLA_RESULT_FIELDS = [
    "sla_plan_id", "sla_policy_id", "sla_start_on", "first_response_deadline",
    "next_response_deadline", "resolution_deadline", "sla_resolution_used_minutes",
    "sla_resolution_resumed_on", "sla_at_risk_on", "sla_state",
    "sla_first_response_breached", "sla_resolution_breached",
    "sla_response_breached_deadline", "sla_response_breach_count",
    "sla_first_response_hours", "sla_resolution_hours",
]


def _to_dt(value):
    return fields.Datetime.from_string(value) if value else None


def _to_str(value):
    return fields.Datetime.to_string(value) if value else False


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"
    # Escalated tickets first in their queue, then the dispatcher's priority and age.
    _order = "escalated desc, priority desc, create_date asc, id asc"

    sla_plan_id = fields.Many2one(
        "helpdesk.support.plan", string="Support Plan", readonly=True, index=True,
        copy=False, ondelete="restrict",
        help="The customer organisation's plan when the ticket was submitted "
             "(the default plan when it has none).")
    sla_policy_id = fields.Many2one(
        "helpdesk.sla.policy", string="SLA Policy", readonly=True, copy=False,
        ondelete="set null")
    sla_start_on = fields.Datetime(
        string="SLA Start", readonly=True, copy=False,
        default=lambda self: fields.Datetime.now(),
        help="Submission: the first response and resolution clocks start here.")
    first_response_deadline = fields.Datetime(
        readonly=True, copy=False, index=True,
        help="The first reply of support the customer can see is due by then.")
    next_response_deadline = fields.Datetime(
        readonly=True, copy=False, index=True,
        help="Restarted by each customer message, stopped by a support reply.")
    resolution_deadline = fields.Datetime(
        readonly=True, copy=False, index=True,
        help="Business time of the policy from submission, paused while the ticket waits "
             "on the customer; the customer's requested date when it is earlier. Empty while "
             "paused.")
    sla_resolution_used_minutes = fields.Float(
        string="Resolution Time Used (business minutes)", readonly=True, copy=False,
        help="Business minutes of the resolution clock used before the current run.")
    sla_resolution_resumed_on = fields.Datetime(
        string="Resolution Clock Running Since", readonly=True, copy=False)
    sla_at_risk_on = fields.Datetime(
        string="At Risk From", readonly=True, copy=False, index=True,
        help="When 80% of the business time of the earliest running clock is used.")
    sla_state = fields.Selection(
        SLA_STATES, string="SLA", readonly=True, copy=False, index=True, default="on_track")
    escalated = fields.Boolean(
        readonly=True, copy=False, index=True, default=False, track_visibility="onchange",
        help="A deadline was missed: the QA manager was alerted and the ticket goes first in "
             "its queue.")
    escalated_on = fields.Datetime(readonly=True, copy=False)
    sla_escalation_reason = fields.Text(string="Escalation Reason", readonly=True, copy=False)
    sla_first_response_breached = fields.Boolean(readonly=True, copy=False, default=False)
    sla_first_response_escalated = fields.Boolean(readonly=True, copy=False, default=False)
    sla_response_breached_deadline = fields.Datetime(
        string="Last Missed Response Deadline", readonly=True, copy=False)
    sla_response_escalated_deadline = fields.Datetime(readonly=True, copy=False)
    sla_response_breach_count = fields.Integer(
        string="Missed Responses", readonly=True, copy=False, default=0)
    sla_resolution_breached = fields.Boolean(readonly=True, copy=False, default=False)
    sla_resolution_escalated = fields.Boolean(readonly=True, copy=False, default=False)
    sla_first_response_hours = fields.Float(
        string="First Response (business hours)", readonly=True, copy=False,
        group_operator="avg")
    sla_resolution_hours = fields.Float(
        string="Resolution (business hours)", readonly=True, copy=False, group_operator="avg",
        help="Business hours the resolution clock ran, pauses excluded (set at closure).")
    sla_auto_closed = fields.Boolean(
        string="Closed Automatically", readonly=True, copy=False, default=False)
    sla_paused = fields.Boolean(
        string="SLA Paused", compute="_compute_sla_paused",
        help="The resolution clock is paused while the ticket waits on the customer.")
    sla_resolution_remaining_hours = fields.Float(
        string="Resolution Time Left (business hours)", compute="_compute_sla_remaining")
    sla_target_date_is_wish = fields.Boolean(
        string="Requested Date Later Than SLA", compute="_compute_sla_target_date_is_wish",
        help="The customer asked for a date later than the SLA deadline: shown as their "
             "wish, the SLA deadline applies.")
    sla_next_answer_due = fields.Datetime(
        string="Next Answer Due", compute="_compute_sla_next_answer_due", store=True,
        help="When the customer can expect support's next answer.")
    sla_next_answer_due_display = fields.Char(
        string="Next Answer Due (customer time)",
        compute="_compute_sla_next_answer_due_display",
        help="The next answer due date, written in the customer's language and time zone.")

    # ------------------------------------------------------------------ computes
    @api.depends("state")
    def _compute_sla_paused(self):
        for ticket in self:
            ticket.sla_paused = ticket.state in CUSTOMER_WAITING_STATES

    @api.depends("sla_resolution_used_minutes", "sla_resolution_resumed_on", "sla_policy_id",
                 "state")
    def _compute_sla_remaining(self):
        running = self.filtered(lambda t: t.sla_policy_id and t.state not in DONE_STATES)
        (self - running).update({"sla_resolution_remaining_hours": 0.0})
        if not running:
            return
        now = self._sla_now()
        calendars = running.mapped("sla_plan_id.calendar_id")._get_business_calendars()
        for ticket in running:
            used = ticket.sla_resolution_used_minutes
            if ticket.sla_resolution_resumed_on:
                business = calendars[ticket.sla_plan_id.calendar_id.id]
                used += business.minutes_between(_to_dt(ticket.sla_resolution_resumed_on), now)
            ticket.sla_resolution_remaining_hours = \
                ticket.sla_policy_id.resolution_hours - used / 60.0

    @api.depends("target_date", "resolution_deadline")
    def _compute_sla_target_date_is_wish(self):
        for ticket in self:
            ticket.sla_target_date_is_wish = bool(
                ticket.target_date and ticket.resolution_deadline and
                ticket.target_date > ticket.resolution_deadline)

    @api.depends("first_response_deadline", "first_support_reply_on", "next_response_deadline",
                 "state")
    def _compute_sla_next_answer_due(self):
        for ticket in self:
            candidates = [ticket.next_response_deadline]
            if not ticket.first_support_reply_on:
                candidates.append(ticket.first_response_deadline)
            candidates = [c for c in candidates if c]
            due = min(candidates) if candidates and ticket.state not in DONE_STATES else False
            ticket.sla_next_answer_due = due

    # a compute of its own: lists and kanban show the raw date, only the portal page
    # pays for the locale and time zone formatting
    @api.depends("sla_next_answer_due", "state", "partner_id.tz", "partner_id.lang")
    def _compute_sla_next_answer_due_display(self):
        for ticket in self:
            due = ticket.sla_next_answer_due
            # while we wait on the customer, no answer is due to them (operations still
            # see the first response deadline in the backend)
            if ticket.state in CUSTOMER_WAITING_STATES:
                due = False
            ticket.sla_next_answer_due_display = due and ticket._sla_format_for_customer(due)

    # ---------------------------------------------------------------------- CRUD
    @api.model
    def create(self, vals):
        ticket = super(HelpdeskTicket, self.with_context(tktit_sla_defer=True)).create(vals)
        ticket = self.browse(ticket.id)
        ticket._sla_recompute(creating=True)
        return ticket

    @api.multi
    def write(self, vals):
        if self.env.context.get("tktit_sla_defer") or not SLA_TRIGGER_FIELDS.intersection(vals):
            return super(HelpdeskTicket, self).write(vals)
        res = super(HelpdeskTicket, self.with_context(tktit_sla_defer=True)).write(vals)
        self._sla_recompute(replan="partner_id" in vals)
        return res

    # ------------------------------------------------------------------- actions
    @api.multi
    def action_sla_recompute(self):
        """Recompute the clocks (after changing a plan's policies or holidays)."""
        self._sla_recompute(replan=True)
        return True

    # ------------------------------------------------------------ SLA clockwork
    @api.model
    def _sla_now(self):
        return fields.Datetime.from_string(fields.Datetime.now())

    @api.multi
    def _sla_recompute(self, creating=False, replan=False):
        """Recompute every SLA clock of the tickets from their stored anchors.

        Queries: the plans' calendars are read once for all tickets (attendances and
        holidays in three queries), then one UPDATE per ticket whose values changed; for
        one ticket (a customer message, a support reply) the count is constant.
        """
        if not self:
            return
        now = self._sla_now()
        # Superuser: customers and experts trigger clock bookkeeping they may not write.
        tickets = self.sudo().with_context(tktit_sla_defer=True)
        default_plan = self.env["helpdesk.support.plan"]._get_default_plan()
        plans = {}
        for ticket in tickets:
            plan = ticket.sla_plan_id
            if replan and ticket.state not in DONE_STATES or not plan:
                plan = ticket.commercial_partner_id.support_plan_id or default_plan
            plans[ticket.id] = plan
        calendar_ids = {plan.calendar_id.id for plan in plans.values() if plan}
        calendars = self.env["resource.calendar"].browse(
            list(calendar_ids))._get_business_calendars()
        for ticket in tickets:
            plan = plans[ticket.id]
            policy = plan._get_policy(ticket.priority) if plan else plan.policy_ids
            business = calendars.get(plan.calendar_id.id) if plan else None
            values = ticket._sla_prepare_values(plan, policy, business, now, creating)
            changed = {}
            for fname, value in values.items():
                field = ticket._fields[fname]
                if field.convert_to_write(ticket[fname], ticket) != value:
                    changed[fname] = value
            if changed:
                ticket.write(changed)

    def _sla_prepare_values(self, plan, policy, business, now, creating=False):
        """The SLA values of one ticket at ``now`` (write format)."""
        self.ensure_one()
        done = self.state in DONE_STATES
        running = not done and self.state not in CUSTOMER_WAITING_STATES
        start = _to_dt(self.sla_start_on) or _to_dt(self.create_date) or now
        first_reply = _to_dt(self.first_support_reply_on)
        last_customer = _to_dt(self.last_customer_message_on)
        first_deadline = _to_dt(self.first_response_deadline)
        next_deadline = _to_dt(self.next_response_deadline)
        deadline = _to_dt(self.resolution_deadline)
        resumed_on = _to_dt(self.sla_resolution_resumed_on)
        used = self.sla_resolution_used_minutes
        target = _to_dt(self.target_date)
        flags = {
            "first": self.sla_first_response_breached,
            "resolution": self.sla_resolution_breached,
            "response": _to_dt(self.sla_response_breached_deadline),
            "response_count": self.sla_response_breach_count,
        }

        def detect_breaches():
            # A deadline passed before the event we are handling: record it (once).
            if first_deadline and (first_reply or now) > first_deadline:
                flags["first"] = True
            if next_deadline and next_deadline < now and next_deadline != flags["response"]:
                flags["response"] = next_deadline
                flags["response_count"] += 1
            if resumed_on and deadline and deadline < now:
                flags["resolution"] = True

        if not (plan and policy and business):
            # No plan or no policy for this priority: no clocks.
            first_deadline = next_deadline = deadline = resumed_on = at_risk_on = None
        else:
            detect_breaches()
            # The resolution clock runs outside waiting and final states.
            if running and not resumed_on:
                resumed_on = start if creating else now
            elif not running and resumed_on:
                used += business.minutes_between(resumed_on, now)
                resumed_on = None
            if not first_reply or not first_deadline:
                first_deadline = business.add_minutes(start, policy.first_response_hours * 60)
            # The per-reply clock runs once support answered, while a customer message
            # is unanswered (before that, the first response clock covers it).
            pending = not done and first_reply and last_customer and \
                self.customer_awaits_reply
            next_deadline = business.add_minutes(
                last_customer, policy.response_hours * 60) if pending else None
            resolution_minutes = policy.resolution_hours * 60
            policy_deadline = None
            if resumed_on and not flags["resolution"]:
                policy_deadline = business.add_minutes(resumed_on, resolution_minutes - used)
                deadline = min(policy_deadline, target) if target else policy_deadline
            elif not done and not resumed_on and not flags["resolution"]:
                deadline = None  # paused: no deadline until the clock resumes
            detect_breaches()
            at_risk_points = []
            if not done:
                if not first_reply:
                    at_risk_points.append(business.add_minutes(
                        start, AT_RISK_RATIO * policy.first_response_hours * 60))
                if next_deadline:
                    at_risk_points.append(business.add_minutes(
                        last_customer, AT_RISK_RATIO * policy.response_hours * 60))
                if policy_deadline:
                    if deadline < policy_deadline:  # capped by the customer's requested date
                        span = AT_RISK_RATIO * business.minutes_between(resumed_on, deadline)
                    else:
                        span = AT_RISK_RATIO * resolution_minutes - used
                    at_risk_points.append(business.add_minutes(resumed_on, span))
            at_risk_on = min(at_risk_points) if at_risk_points else None

        breached = flags["first"] or flags["resolution"] or bool(flags["response"])
        if done:
            sla_state = "breached" if breached else "met"
        elif breached:
            sla_state = "breached"
        elif at_risk_on and at_risk_on <= now:
            sla_state = "at_risk"
        else:
            sla_state = "on_track"
        values = {
            "sla_plan_id": plan.id,
            "sla_policy_id": policy.id,
            "sla_start_on": _to_str(start),
            "first_response_deadline": _to_str(first_deadline),
            "next_response_deadline": _to_str(next_deadline),
            "resolution_deadline": _to_str(deadline),
            "sla_resolution_used_minutes": used,
            "sla_resolution_resumed_on": _to_str(resumed_on),
            "sla_at_risk_on": _to_str(at_risk_on),
            "sla_state": sla_state,
            "sla_first_response_breached": flags["first"],
            "sla_resolution_breached": flags["resolution"],
            "sla_response_breached_deadline": _to_str(flags["response"]),
            "sla_response_breach_count": flags["response_count"],
        }
        if business and first_reply:
            values["sla_first_response_hours"] = \
                business.minutes_between(start, first_reply) / 60.0
        if done:
            values["sla_resolution_hours"] = used / 60.0
        return values

    def _sla_format_for_customer(self, value):
        """``value`` (UTC string) written in the customer's language and time zone."""
        self.ensure_one()
        partner = self.partner_id
        tz_name = partner.tz or self.sla_plan_id.calendar_id.tz or "UTC"
        try:
            locale = babel.Locale.parse(partner.lang or self.env.lang or "en_US")
        except (ValueError, babel.UnknownLocaleError):
            locale = babel.Locale.parse("en_US")
        moment = pytz.utc.localize(fields.Datetime.from_string(value))
        tz = pytz.timezone(tz_name)
        text = babel.dates.format_datetime(
            moment, "EEEE d MMMM y, HH:mm", tzinfo=tz, locale=locale)
        return "%s (%s)" % (text, moment.astimezone(tz).tzname())

    # -------------------------------------------------------------- mail hooks
    def _handle_customer_message(self, message):
        res = super(HelpdeskTicket, self.with_context(
            tktit_sla_defer=True))._handle_customer_message(message)
        self._sla_recompute()
        return res

    def _handle_support_reply(self, message):
        res = super(HelpdeskTicket, self.with_context(
            tktit_sla_defer=True))._handle_support_reply(message)
        self._sla_recompute()
        return res

    # --------------------------------------------------------------------- cron
    @api.model
    def _cron_sla_sweep(self):
        """Time passing: breaches, at-risk, escalations and auto-close.

        Set-based: breaches and at-risk are one UPDATE each over all open tickets; the
        escalations and auto-closures to notify are selected in SQL and handled in bounded
        batches (``tktit_helpdesk_sla.sweep_batch_size`` per run), so the number of
        queries does not depend on the number of open tickets. A second run does nothing.
        """
        now = self._sla_now()
        counts = {
            "breached": self._sla_sweep_breaches(now),
            "at_risk": self._sla_sweep_at_risk(now),
        }
        counts["escalated"] = len(self._sla_escalate_due(now))
        counts["auto_closed"] = len(self._sla_auto_close_due(now))
        _logger.info("SLA sweep: %(breached)s breached, %(at_risk)s at risk, "
                     "%(escalated)s escalated, %(auto_closed)s closed automatically", counts)
        return counts

    @api.model
    def _sla_batch_size(self):
        value = self.env["ir.config_parameter"].sudo().get_param(
            PARAM_BATCH_SIZE, DEFAULT_BATCH_SIZE)
        try:
            return max(int(value), 1)
        except ValueError:
            return DEFAULT_BATCH_SIZE

    @api.model
    def _sla_sweep_breaches(self, now):
        """Record the deadlines that passed unmet, in one UPDATE."""
        self.env.cr.execute("""
            UPDATE helpdesk_ticket SET
                sla_first_response_breached = COALESCE(sla_first_response_breached, FALSE)
                    OR (first_support_reply_on IS NULL AND first_response_deadline < %(now)s),
                sla_response_breach_count = COALESCE(sla_response_breach_count, 0)
                    + CASE WHEN next_response_deadline < %(now)s AND next_response_deadline
                           IS DISTINCT FROM sla_response_breached_deadline THEN 1 ELSE 0 END,
                sla_response_breached_deadline = CASE
                    WHEN next_response_deadline < %(now)s THEN next_response_deadline
                    ELSE sla_response_breached_deadline END,
                sla_resolution_breached = COALESCE(sla_resolution_breached, FALSE)
                    OR (sla_resolution_resumed_on IS NOT NULL AND resolution_deadline < %(now)s),
                sla_state = 'breached',
                write_date = %(now)s
            WHERE state NOT IN %(done)s AND (
                (first_support_reply_on IS NULL AND first_response_deadline < %(now)s
                 AND NOT COALESCE(sla_first_response_breached, FALSE))
             OR (next_response_deadline < %(now)s AND next_response_deadline
                 IS DISTINCT FROM sla_response_breached_deadline)
             OR (sla_resolution_resumed_on IS NOT NULL AND resolution_deadline < %(now)s
                 AND NOT COALESCE(sla_resolution_breached, FALSE)))
        """, {"now": now, "done": DONE_STATES})
        count = self.env.cr.rowcount
        if count:
            self.invalidate_cache([
                "sla_first_response_breached", "sla_response_breach_count",
                "sla_response_breached_deadline", "sla_resolution_breached", "sla_state"])
        return count

    @api.model
    def _sla_sweep_at_risk(self, now):
        """Tickets whose earliest running clock passed 80 %, in one UPDATE."""
        self.env.cr.execute("""
            UPDATE helpdesk_ticket SET sla_state = 'at_risk', write_date = %(now)s
            WHERE state NOT IN %(done)s AND sla_state = 'on_track'
              AND sla_at_risk_on <= %(now)s
        """, {"now": now, "done": DONE_STATES})
        count = self.env.cr.rowcount
        if count:
            self.invalidate_cache(["sla_state"])
        return count

    @api.model
    def _sla_escalate_due(self, now):
        """Escalate, once per missed deadline, a bounded batch of breached tickets."""
        self.env.cr.execute("""
            SELECT id FROM helpdesk_ticket
            WHERE state NOT IN %(done)s AND (
                (sla_first_response_breached AND NOT COALESCE(sla_first_response_escalated, FALSE))
             OR (sla_resolution_breached AND NOT COALESCE(sla_resolution_escalated, FALSE))
             OR (sla_response_breached_deadline IS NOT NULL AND sla_response_breached_deadline
                 IS DISTINCT FROM sla_response_escalated_deadline))
            ORDER BY id
            LIMIT %(limit)s
            FOR UPDATE SKIP LOCKED
        """, {"done": DONE_STATES, "limit": self._sla_batch_size()})
        tickets = self.browse([row[0] for row in self.env.cr.fetchall()])
        if tickets:
            tickets._sla_escalate(now)
        return tickets

    @api.multi
    def _sla_escalate(self, now):
        """Flag the missed deadlines as escalated (one UPDATE), then alert the QA manager:
        follower, activity and mail on each ticket."""
        reasons = {ticket.id: ticket._sla_get_escalation_reason() for ticket in self}
        self.env.cr.execute("""
            UPDATE helpdesk_ticket t SET
                escalated = TRUE,
                escalated_on = COALESCE(t.escalated_on, %(now)s),
                sla_escalation_reason = v.reason,
                sla_first_response_escalated = t.sla_first_response_breached,
                sla_resolution_escalated = t.sla_resolution_breached,
                sla_response_escalated_deadline = t.sla_response_breached_deadline,
                write_date = %(now)s
            FROM unnest(%(ids)s::int[], %(reasons)s::text[]) AS v(id, reason)
            WHERE t.id = v.id
        """, {"now": now, "ids": list(reasons), "reasons": list(reasons.values())})
        self.invalidate_cache([
            "escalated", "escalated_on", "sla_escalation_reason", "sla_first_response_escalated",
            "sla_resolution_escalated", "sla_response_escalated_deadline"], self.ids)
        template = self.env.ref("tktit_helpdesk_sla.mail_template_ticket_escalated")
        activity_type = self.env.ref("tktit_helpdesk_sla.mail_activity_sla_escalation")
        note = self.env.ref("mail.mt_note")
        model_id = self.env["ir.model"]._get(self._name).id
        for company in self.mapped("company_id"):
            manager = company.helpdesk_qa_manager_id
            tickets = self.filtered(lambda t: t.company_id == company)
            if manager:
                tickets.message_subscribe(partner_ids=manager.partner_id.ids)
            for ticket_id in tickets.ids:
                # A fresh prefetch set per ticket: the mail machinery reads many fields and
                # must not re-read them for the whole batch each time.
                ticket = self.browse(ticket_id)
                try:
                    # a savepoint, so that a failed query does not abort the whole batch
                    with self.env.cr.savepoint():
                        ticket._sla_alert_qa_manager(manager, reasons[ticket_id], activity_type,
                                                     model_id, template, note)
                except Exception:  # one bad ticket must not block the others
                    _logger.exception("SLA escalation of ticket %s failed", ticket.number)
        return True

    def _sla_alert_qa_manager(self, manager, reason, activity_type, model_id, template, note):
        """The QA manager's activity and the escalation mail of one ticket."""
        self.ensure_one()
        if manager:
            self.env["mail.activity"].create({
                "res_model_id": model_id,
                "res_id": self.id,
                "activity_type_id": activity_type.id,
                "user_id": manager.id,
                "summary": _("SLA missed on %s") % self.number,
                "note": tools.plaintext2html(reason),
                "date_deadline": fields.Date.context_today(self),
            })
        self.with_context(tktit_notification=True).message_post_with_template(
            template.id, composition_mode="comment", subtype_id=note.id)

    def _sla_get_escalation_reason(self):
        """Which deadlines were missed, and by whom (the expert, else the queue)."""
        self.ensure_one()
        missed = []
        if self.sla_first_response_breached and not self.sla_first_response_escalated:
            missed.append((_("First response"), self.first_response_deadline))
        if self.sla_response_breached_deadline and \
                self.sla_response_breached_deadline != self.sla_response_escalated_deadline:
            missed.append((_("Response to the customer's message"),
                           self.sla_response_breached_deadline))
        if self.sla_resolution_breached and not self.sla_resolution_escalated:
            missed.append((_("Resolution"), self.resolution_deadline))
        if self.user_id:
            owner = _("expert %s") % self.user_id.name
        elif self.queue_id:
            owner = _("queue %s (not assigned yet)") % self.queue_id.name
        else:
            owner = _("operations (not triaged yet)")
        manager = self.company_id.helpdesk_qa_manager_id
        tz_name = manager.tz or self.sla_plan_id.calendar_id.tz or "UTC"
        lines = []
        for label, deadline in missed:
            moment = pytz.utc.localize(fields.Datetime.from_string(deadline)).astimezone(
                pytz.timezone(tz_name)) if deadline else None
            lines.append(_("%s deadline missed (due %s) by %s") % (
                label, moment.strftime("%Y-%m-%d %H:%M %Z") if moment else "?", owner))
        return "\n".join(lines)

    @api.model
    def _sla_auto_close_due(self, now):
        """Close a bounded batch of tickets left awaiting the customer since the last
        support reply for longer than the configured wall-clock hours, mailing each
        customer that a reply reopens the ticket."""
        param = self.env["ir.config_parameter"].sudo().get_param(
            PARAM_AUTO_CLOSE_HOURS, DEFAULT_AUTO_CLOSE_HOURS)
        try:
            hours = float(param)
        except ValueError:
            _logger.warning("Invalid %s=%r: auto-close disabled", PARAM_AUTO_CLOSE_HOURS, param)
            return self.browse()
        if hours <= 0:
            return self.browse()
        self.env.cr.execute("""
            SELECT id FROM helpdesk_ticket
            WHERE state = 'awaiting_customer'
              AND last_support_reply_on <= %(limit_date)s
              AND customer_awaits_reply IS NOT TRUE
            ORDER BY id
            LIMIT %(limit)s
            FOR UPDATE SKIP LOCKED
        """, {"limit_date": now - timedelta(hours=hours), "limit": self._sla_batch_size()})
        tickets = self.browse([row[0] for row in self.env.cr.fetchall()])
        if not tickets:
            return tickets
        tickets.with_context(tktit_sla_auto_close=True).action_close()
        tickets.write({"sla_auto_closed": True})
        for ticket_id in tickets.ids:
            ticket = self.browse(ticket_id)  # own prefetch set, as in _sla_escalate
            try:
                with self.env.cr.savepoint():
                    ticket._notify_customer(
                        "tktit_helpdesk_sla.mail_template_ticket_auto_closed")
            except Exception:  # one bad ticket must not block the others
                _logger.exception("Auto-close mail of ticket %s failed", ticket.number)
        return tickets
