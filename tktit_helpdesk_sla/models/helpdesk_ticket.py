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

import pytz
from psycopg2 import sql

from odoo import _, api, fields, models, tools
from odoo.exceptions import AccessError, UserError

from odoo.addons.tktit_helpdesk.models.helpdesk_ticket import (
    CUSTOMER_WAITING_STATES, DONE_STATES)

from . import sla_clock

_logger = logging.getLogger(__name__)

SLA_STATES = [
    ("on_track", "On Track"),
    ("at_risk", "At Risk"),
    ("breached", "Breached"),
    ("met", "Met"),
]
PARAM_AUTO_CLOSE_HOURS = "tktit_helpdesk_sla.auto_close_hours"
PARAM_BATCH_SIZE = "tktit_helpdesk_sla.sweep_batch_size"
DEFAULT_AUTO_CLOSE_HOURS = 48.0
DEFAULT_BATCH_SIZE = 200
# More tickets than this in one action_sla_recompute is a manager's job (or the cron's).
RECOMPUTE_MAX_IDS = 1000
OPERATIONS = "tktit_helpdesk.group_helpdesk_user"
# Writing any of these recomputes the SLA clocks of the ticket.
SLA_TRIGGER_FIELDS = frozenset([
    "state", "priority", "target_date", "partner_id", "sla_start_on",
    "last_customer_message_on", "last_support_reply_on", "first_support_reply_on",
    "customer_awaits_reply",
])
# Keys of the pure clock computation (sla_clock) and the ticket fields that store them.
CLOCK_FIELDS = [
    ("start", "sla_start_on"),
    ("first_deadline", "first_response_deadline"),
    ("next_deadline", "next_response_deadline"),
    ("deadline", "resolution_deadline"),
    ("used_minutes", "sla_resolution_used_minutes"),
    ("resumed_on", "sla_resolution_resumed_on"),
    ("at_risk_on", "sla_at_risk_on"),
    ("sla_state", "sla_state"),
    ("first_breached", "sla_first_response_breached"),
    ("resolution_breached", "sla_resolution_breached"),
    ("response_breached_deadline", "sla_response_breached_deadline"),
    ("response_breach_count", "sla_response_breach_count"),
    ("first_response_hours", "sla_first_response_hours"),
    ("resolution_hours", "sla_resolution_hours"),
]
CLOCK_DATETIME_FIELDS = frozenset([
    "sla_start_on", "first_response_deadline", "next_response_deadline",
    "resolution_deadline", "sla_resolution_resumed_on", "sla_at_risk_on",
    "sla_response_breached_deadline",
])
# What _sla_recompute writes. Only sla_start_on is a trigger too, and the recompute writes
# it only while it is empty (tickets older than the addon): the recompute that write
# triggers finds nothing left to change (the clocks are a fixed point, see sla_clock).
SLA_RESULT_FIELDS = frozenset(
    ["sla_plan_id", "sla_policy_id"] + [fname for _key, fname in CLOCK_FIELDS])
# Booleans of this addon whose False must be stored, not left NULL, on existing tickets.
SLA_BOOLEAN_COLUMNS = frozenset([
    "escalated", "sla_first_response_breached", "sla_first_response_escalated",
    "sla_resolution_breached", "sla_resolution_escalated", "sla_auto_closed",
    "sla_alert_pending",
])
# The SLA's own bookkeeping: written by the clocks (as superuser) and the sweep (SQL), by
# no one else but a helpdesk manager; operations may not hide a breach or an escalation.
SLA_BOOKKEEPING_FIELDS = SLA_RESULT_FIELDS | SLA_BOOLEAN_COLUMNS | frozenset([
    "escalated_on", "sla_escalation_reason", "sla_response_escalated_deadline",
    "sla_sweep_failed_on",
])
# Context key set by the auto-close of the sweep on its own action_close() call; its value
# is a Python object, which an RPC caller cannot put in a context.
AUTO_CLOSE_KEY = "tktit_sla_auto_close"
_AUTO_CLOSE_TOKEN = object()


def _to_dt(value):
    return fields.Datetime.from_string(value) if value else None


def _to_str(value):
    return fields.Datetime.to_string(value) if value else False


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"
    # Escalated tickets first in their queue, then the dispatcher's priority and age.
    _order = "escalated desc, priority desc, create_date asc, id asc"

    # The escalation and breach bookkeeping is the staff's (groups): a customer reading
    # their ticket by RPC sees their plan and the next answer due, not these.
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
        help="Business minutes of the resolution clock used before the current run.",
        groups="base.group_user")
    sla_resolution_resumed_on = fields.Datetime(
        string="Resolution Clock Running Since", readonly=True, copy=False,
        groups="base.group_user")
    sla_at_risk_on = fields.Datetime(
        string="At Risk From", readonly=True, copy=False, index=True,
        help="When 80% of the business time of the earliest running clock is used.",
        groups="base.group_user")
    sla_state = fields.Selection(
        SLA_STATES, string="SLA", readonly=True, copy=False, index=True, default="on_track")
    escalated = fields.Boolean(
        readonly=True, copy=False, index=True, default=False, track_visibility="onchange",
        help="A deadline was missed: the QA manager was alerted and the ticket goes first in "
             "its queue.", groups="base.group_user")
    escalated_on = fields.Datetime(readonly=True, copy=False, groups="base.group_user")
    sla_escalation_reason = fields.Text(
        string="Escalation Reason", readonly=True, copy=False, groups="base.group_user")
    sla_alert_pending = fields.Boolean(
        string="Escalation Alert Pending", readonly=True, copy=False, index=True,
        default=False,
        help="Escalated, but the QA manager's alert is not sent yet (or failed): the next "
             "SLA sweep sends it.", groups="base.group_user")
    sla_sweep_failed_on = fields.Datetime(
        string="Last SLA Sweep Failure", readonly=True, copy=False,
        help="When the SLA sweep last failed to alert on or to close this ticket: it is "
             "retried after the others.", groups="base.group_user")
    sla_first_response_breached = fields.Boolean(
        readonly=True, copy=False, default=False, groups="base.group_user")
    sla_first_response_escalated = fields.Boolean(
        readonly=True, copy=False, default=False, groups="base.group_user")
    sla_response_breached_deadline = fields.Datetime(
        string="Last Missed Response Deadline", readonly=True, copy=False, groups="base.group_user")
    sla_response_escalated_deadline = fields.Datetime(
        readonly=True, copy=False, groups="base.group_user")
    sla_response_breach_count = fields.Integer(
        string="Missed Responses", readonly=True, copy=False, default=0, groups="base.group_user")
    sla_resolution_breached = fields.Boolean(
        readonly=True, copy=False, default=False, groups="base.group_user")
    sla_resolution_escalated = fields.Boolean(
        readonly=True, copy=False, default=False, groups="base.group_user")
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
        # sudo for these computes: the state and the clock's bookkeeping are staff-only
        # fields, what is derived from them here may be shown to the customer
        for ticket, ticket_sudo in zip(self, self.sudo()):
            ticket.sla_paused = ticket_sudo.state in CUSTOMER_WAITING_STATES

    @api.depends("sla_resolution_used_minutes", "sla_resolution_resumed_on", "sla_policy_id",
                 "state")
    def _compute_sla_remaining(self):
        running = self.sudo().filtered(
            lambda t: t.sla_policy_id and t.state not in DONE_STATES)
        remaining = dict.fromkeys(self.ids, 0.0)
        if running:
            now = self._sla_now()
            calendars = running.mapped("sla_plan_id.calendar_id")._get_business_calendars()
            for ticket in running:
                used = ticket.sla_resolution_used_minutes
                if ticket.sla_resolution_resumed_on:
                    business = calendars[ticket.sla_plan_id.calendar_id.id]
                    used += business.minutes_between(
                        _to_dt(ticket.sla_resolution_resumed_on), now)
                remaining[ticket.id] = ticket.sla_policy_id.resolution_hours - used / 60.0
        for ticket in self:
            ticket.sla_resolution_remaining_hours = remaining.get(ticket.id, 0.0)

    @api.depends("target_date", "resolution_deadline")
    def _compute_sla_target_date_is_wish(self):
        for ticket in self:
            ticket.sla_target_date_is_wish = bool(
                ticket.target_date and ticket.resolution_deadline and
                ticket.target_date > ticket.resolution_deadline)

    @api.depends("first_response_deadline", "first_support_reply_on", "next_response_deadline",
                 "state")
    def _compute_sla_next_answer_due(self):
        for ticket, ticket_sudo in zip(self, self.sudo()):
            candidates = [ticket_sudo.next_response_deadline]
            if not ticket_sudo.first_support_reply_on:
                candidates.append(ticket_sudo.first_response_deadline)
            candidates = [c for c in candidates if c]
            done = ticket_sudo.state in DONE_STATES
            ticket.sla_next_answer_due = min(candidates) if candidates and not done else False

    # a compute of its own: lists and kanban show the raw date, only the portal page
    # pays for the locale and time zone formatting
    @api.depends("sla_next_answer_due", "state", "partner_id.tz", "partner_id.lang")
    def _compute_sla_next_answer_due_display(self):
        for ticket, ticket_sudo in zip(self, self.sudo()):
            due = ticket.sla_next_answer_due
            # while we wait on the customer, no answer is due to them (operations still
            # see the first response deadline in the backend)
            if ticket_sudo.state in CUSTOMER_WAITING_STATES:
                due = False
            ticket.sla_next_answer_due_display = due and ticket._sla_format_for_customer(due)

    # ---------------------------------------------------------------------- CRUD
    @api.model
    def create(self, vals):
        if not self._is_helpdesk_manager():
            self._check_sla_bookkeeping(vals)
            # nor through the context's defaults
            context = {
                key: value for key, value in self.env.context.items()
                if not (key.startswith("default_") and key[8:] in SLA_BOOKKEEPING_FIELDS)}
            # replaced, not merged: the stripped keys must go
            self = self.with_context(context)  # pylint: disable=context-overridden
        ticket = super(HelpdeskTicket, self).create(vals)
        ticket._sla_recompute(creating=True)
        return ticket

    @api.multi
    def write(self, vals):
        res = super(HelpdeskTicket, self).write(vals)
        # No flag needed against recursion: the recompute writes result fields, which are
        # not triggers (but sla_start_on, see SLA_RESULT_FIELDS), and writes nothing when
        # nothing changed. Customer messages and support replies come here too: the base
        # writes their bookkeeping (triggers) in one write per ticket, so extending
        # _on_customer_message/_on_support_reply as well would recompute twice.
        if SLA_TRIGGER_FIELDS.intersection(vals):
            self._sla_recompute(replan="partner_id" in vals)
        return res

    @api.model_cr_context
    def _init_column(self, column_name):
        if column_name in SLA_BOOLEAN_COLUMNS:
            # Odoo 11 leaves a False boolean NULL ("the same as NULL"), but NULL sorts
            # first in "escalated desc" (the dispatcher queue) and groups apart in reports.
            # (column_name is one of SLA_BOOLEAN_COLUMNS, quoted as an identifier)
            self.env.cr.execute(sql.SQL(
                "UPDATE helpdesk_ticket SET {column} = FALSE WHERE {column} IS NULL").format(
                column=sql.Identifier(column_name)))
            return None
        return super(HelpdeskTicket, self)._init_column(column_name)

    @api.model
    def _customer_priorities(self, partner):
        """Customers choose among the priorities their support plan offers them: up to
        its ``portal_max_priority`` (Basic: no Critical). Triage may set any."""
        priorities = super(HelpdeskTicket, self)._customer_priorities(partner)
        plan = partner.sudo()._get_support_plan() if partner else \
            self.env["helpdesk.support.plan"]._get_default_plan()
        if plan.portal_max_priority:
            priorities = [key for key in priorities if key <= plan.portal_max_priority]
        return priorities

    def _check_write_fields(self, vals):
        res = super(HelpdeskTicket, self)._check_write_fields(vals)
        if not self._is_helpdesk_manager():
            self._check_sla_bookkeeping(vals)
        return res

    @api.model
    def _check_sla_bookkeeping(self, vals):
        """Operations (experts are refused by the base already) may not write the SLA's
        bookkeeping: deadlines, breaches, escalations are the clocks' and the sweep's."""
        denied = SLA_BOOKKEEPING_FIELDS.intersection(vals)
        if denied:
            raise AccessError(_(
                "You may not change %s of a ticket: the SLA clocks keep them (a helpdesk "
                "manager may correct them).") % ", ".join(sorted(
                    self._fields[fname].string for fname in denied)))

    def _prepare_close_values(self):
        values = super(HelpdeskTicket, self)._prepare_close_values()
        if self.env.context.get(AUTO_CLOSE_KEY) is _AUTO_CLOSE_TOKEN:
            values["sla_auto_closed"] = True
        return values

    # ------------------------------------------------------------------- actions
    @api.multi
    def action_sla_recompute(self):
        """Recompute the clocks (after changing a plan's policies or holidays).

        For operations and helpdesk managers, on tickets they may write (checked before
        the recompute runs as superuser); more than ``RECOMPUTE_MAX_IDS`` tickets at once
        is a manager's job.
        """
        if not self._is_helpdesk_manager():
            if not self.env.user.has_group(OPERATIONS):
                raise AccessError(_(
                    "Recomputing SLA deadlines is for operations and helpdesk managers."))
            if len(self) > RECOMPUTE_MAX_IDS:
                raise UserError(_(
                    "You asked to recompute the SLA deadlines of %(count)s tickets at once "
                    "(at most %(max)s): recompute in smaller batches or ask a manager.") % {
                    "count": len(self), "max": RECOMPUTE_MAX_IDS})
        self.check_access_rights("write")
        self.check_access_rule("write")
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
        tickets = self.sudo()
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
                # No clock field is tracked: mail.thread's tracking and follower
                # bookkeeping would only read the ticket again (~10 queries per write).
                ticket.with_context(tracking_disable=True).write(changed)

    def _sla_clock_state(self):
        """The ticket's anchors and stored results, as the pure clock computation reads
        them (:mod:`.sla_clock`)."""
        self.ensure_one()
        return sla_clock.ClockState(
            _to_dt(self.sla_start_on) or _to_dt(self.create_date),
            done=self.state in DONE_STATES,
            waiting=self.state in CUSTOMER_WAITING_STATES,
            first_reply=_to_dt(self.first_support_reply_on),
            last_customer=_to_dt(self.last_customer_message_on),
            customer_awaits_reply=self.customer_awaits_reply,
            target=_to_dt(self.target_date),
            first_deadline=_to_dt(self.first_response_deadline),
            next_deadline=_to_dt(self.next_response_deadline),
            deadline=_to_dt(self.resolution_deadline),
            resumed_on=_to_dt(self.sla_resolution_resumed_on),
            used_minutes=self.sla_resolution_used_minutes,
            first_breached=self.sla_first_response_breached,
            resolution_breached=self.sla_resolution_breached,
            response_breached_deadline=_to_dt(self.sla_response_breached_deadline),
            response_breach_count=self.sla_response_breach_count,
        )

    def _sla_prepare_values(self, plan, policy, business, now, creating=False):
        """The SLA values of one ticket at ``now`` (write format): a thin adapter around
        :func:`.sla_clock.compute_clocks`."""
        self.ensure_one()
        state = self._sla_clock_state()
        if not state.start:
            state = state._replace(start=now)
        clock_policy = sla_clock.Policy(
            policy.first_response_hours, policy.response_hours,
            policy.resolution_hours) if policy else None
        result = sla_clock.compute_clocks(state, clock_policy, business, now, creating=creating)
        values = {"sla_plan_id": plan.id, "sla_policy_id": policy.id}
        for key, fname in CLOCK_FIELDS:
            if key in result:
                value = result[key]
                values[fname] = _to_str(value) if fname in CLOCK_DATETIME_FIELDS else value
        return values

    def _sla_format_for_customer(self, value):
        """``value`` (UTC string) written in the customer's language, calendar and time
        zone (the plan's when they have none), with the zone's name."""
        self.ensure_one()
        # sudo: the ticket's own customer, whose language and zone its reader sees it in
        partner = (self.partner_id or self.env.user.partner_id).sudo()
        tz = pytz.timezone(partner.tz or self.sla_plan_id.calendar_id.tz or "UTC")
        text = partner.format_local_datetime(value, "long", tz=tz.zone)
        moment = pytz.utc.localize(fields.Datetime.from_string(value))
        return "%s (%s)" % (text, moment.astimezone(tz).tzname())

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
        """Escalate, once per missed deadline, a bounded batch of breached tickets, then
        send the alerts still pending (a bounded batch too, those that failed last)."""
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
        self._sla_send_pending_alerts(now)
        return tickets

    @api.multi
    def _sla_escalate(self, now):
        """Flag the missed deadlines as escalated, the QA manager's alert pending (one
        UPDATE): the ticket goes first in its queue at once, the alert follows
        (:meth:`_sla_send_pending_alerts`). A reason not alerted yet is kept."""
        reasons = {ticket.id: ticket._sla_get_escalation_reason() for ticket in self}
        self.env.cr.execute("""
            UPDATE helpdesk_ticket t SET
                escalated = TRUE,
                escalated_on = COALESCE(t.escalated_on, %(now)s),
                sla_escalation_reason = CASE
                    WHEN t.sla_alert_pending AND t.sla_escalation_reason IS NOT NULL
                    THEN t.sla_escalation_reason || E'\\n' || v.reason ELSE v.reason END,
                sla_alert_pending = TRUE,
                sla_first_response_escalated = t.sla_first_response_breached,
                sla_resolution_escalated = t.sla_resolution_breached,
                sla_response_escalated_deadline = t.sla_response_breached_deadline,
                write_date = %(now)s
            FROM unnest(%(ids)s::int[], %(reasons)s::text[]) AS v(id, reason)
            WHERE t.id = v.id
        """, {"now": now, "ids": list(reasons), "reasons": list(reasons.values())})
        self.invalidate_cache([
            "escalated", "escalated_on", "sla_escalation_reason", "sla_alert_pending",
            "sla_first_response_escalated", "sla_resolution_escalated",
            "sla_response_escalated_deadline"], self.ids)
        return True

    @api.model
    def _sla_send_pending_alerts(self, now):
        """Alert the QA manager of a bounded batch of escalated tickets whose alert is
        pending: follower, activity and mail on each ticket, each in a savepoint.

        A failed alert stays pending and is retried by the next sweep, after the tickets
        that did not fail (``sla_sweep_failed_on``), so that a ticket failing every time
        does not hold up the others. Returns the tickets alerted.
        """
        self.env.cr.execute("""
            SELECT id FROM helpdesk_ticket
            WHERE sla_alert_pending
            ORDER BY sla_sweep_failed_on NULLS FIRST, id
            LIMIT %(limit)s
            FOR UPDATE SKIP LOCKED
        """, {"limit": self._sla_batch_size()})
        pending = self.browse([row[0] for row in self.env.cr.fetchall()])
        if not pending:
            return pending
        template = self.env.ref("tktit_helpdesk_sla.mail_template_ticket_escalated")
        activity_type = self.env.ref("tktit_helpdesk_sla.mail_activity_sla_escalation")
        note = self.env.ref("mail.mt_note")
        reasons = {t["id"]: t["sla_escalation_reason"] or ""
                   for t in pending.read(["sla_escalation_reason"])}
        alerted, failed = [], []
        for company in pending.mapped("company_id"):
            manager = company.helpdesk_qa_manager_id
            tickets = pending.filtered(lambda t: t.company_id == company)
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
                                                     template, note)
                    alerted.append(ticket_id)
                except Exception:  # one bad ticket must not block the others
                    _logger.exception("SLA escalation alert of ticket %s failed (retried by "
                                      "the next sweep)", ticket.number)
                    failed.append(ticket_id)
                    # the rolled back savepoint may have left stale values in the cache
                    self.invalidate_cache()
        # one UPDATE: the alerted are done, the failed stay pending and go last next time
        self.env.cr.execute("""
            UPDATE helpdesk_ticket SET
                sla_alert_pending = id = ANY(%(failed)s::int[]),
                sla_sweep_failed_on = CASE WHEN id = ANY(%(failed)s::int[]) THEN %(now)s END
            WHERE id = ANY(%(ids)s::int[])
        """, {"ids": pending.ids, "failed": failed, "now": now})
        pending.invalidate_cache(["sla_alert_pending", "sla_sweep_failed_on"], pending.ids)
        return self.browse(alerted)

    @api.model
    def _sla_mark_sweep_failed(self, ticket_ids, now):
        """The sweep failed on these tickets: they go last in its next batches."""
        if ticket_ids:
            self.env.cr.execute("""
                UPDATE helpdesk_ticket SET sla_sweep_failed_on = %(now)s
                WHERE id = ANY(%(ids)s::int[])
            """, {"ids": list(ticket_ids), "now": now})
            self.invalidate_cache(["sla_sweep_failed_on"], list(ticket_ids))

    def _sla_alert_qa_manager(self, manager, reason, activity_type, template, note):
        """The QA manager's activity and the escalation mail of one ticket."""
        self.ensure_one()
        if manager:
            self._schedule_activity(activity_type, manager, _("SLA missed on %s") % self.number,
                                    note=tools.plaintext2html(reason))
        self._message_post_template(template, note, message_type="notification")

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
            lines.append(_("%(deadline)s deadline missed (due %(due)s) by %(owner)s") % {
                "deadline": label,
                "due": moment.strftime("%Y-%m-%d %H:%M %Z") if moment else "?",
                "owner": owner})
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
            ORDER BY sla_sweep_failed_on NULLS FIRST, id
            LIMIT %(limit)s
            FOR UPDATE SKIP LOCKED
        """, {"limit_date": now - timedelta(hours=hours), "limit": self._sla_batch_size()})
        tickets = self.browse([row[0] for row in self.env.cr.fetchall()])
        closed, failed = [], []
        for ticket_id in tickets.ids:
            ticket = self.browse(ticket_id)  # own prefetch set, as in _sla_send_pending_alerts
            try:
                # the closure and its mail together: a ticket is never closed silently; one
                # that fails stays open, is retried by the next sweep, after the others
                with self.env.cr.savepoint():
                    # one write: the base's close values and sla_auto_closed
                    ticket.with_context(**{AUTO_CLOSE_KEY: _AUTO_CLOSE_TOKEN}).action_close()
                    ticket._notify_customer(
                        "tktit_helpdesk_sla.mail_template_ticket_auto_closed")
                closed.append(ticket_id)
            except Exception:  # one bad ticket must not block the others
                _logger.exception("Auto-close of ticket %s failed (retried by the next "
                                  "sweep)", ticket.number)
                failed.append(ticket_id)
                self.invalidate_cache()  # as in _sla_send_pending_alerts
        self._sla_mark_sweep_failed(failed, now)
        return self.browse(closed)
