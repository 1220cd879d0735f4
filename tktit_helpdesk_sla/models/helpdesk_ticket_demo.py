# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""SLA clocks of the demo's year of tickets (tktit_helpdesk's models/helpdesk_ticket_demo.py).

The clocks are replayed through the events of each ticket's dated history (submission,
first reply, the customer's last message, closure) with the clock module itself
(:func:`.sla_clock.compute_clocks` at each event's moment), so that deadlines, breaches,
the measured hours and the SLA state of past tickets are those the product would have
recorded then. The finished tickets that missed a deadline were escalated to the QA
manager at the time: flagged, their escalation note posted and dated then.
"""
from datetime import timedelta

from odoo import api, fields, models

from odoo.addons.tktit_helpdesk.models.helpdesk_ticket import DONE_STATES

from . import sla_clock
from .helpdesk_ticket import CLOCK_DATETIME_FIELDS, CLOCK_FIELDS, _to_dt, _to_str


# What a step of the story does to the clocks' anchors: waiting on the customer (the
# resolution clock pauses) or not; replies, messages and confirmations: see
# _demo_story_clock_values.
STEP_ANCHORS = {
    "clarify": {"waiting": True},
    "final_approve": {"waiting": True},
    "sign": {"waiting": True},
    "complete": {"waiting": False},
    "qc_reject": {"waiting": False},
    "qc_approve": {"waiting": False},
}


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    @api.model
    def _demo_story_sla(self):
        """The SLA history of the story tickets already there (installed before this
        addon): their steps are those of the story's seeded plans, from the submission
        each ticket got; those a sub-addon's story creates later get it from
        ``_demo_story_backdate``."""
        # this addon's hand-written tickets were submitted when their SLA started
        fixtures = self.env["ir.model.data"].search([
            ("module", "=", "tktit_helpdesk_sla"), ("model", "=", self._name)])
        self.env.cr.execute("""
            UPDATE helpdesk_ticket SET create_date = sla_start_on
             WHERE id = ANY(%s) AND sla_start_on < create_date
        """, (fixtures.mapped("res_id"),))
        self.browse(fixtures.mapped("res_id"))._demo_story_date_fixture_messages()
        # the base's hand-written tickets were submitted days ago (with their incident):
        # their clocks run from then, so the sweep below escalates what is overdue now,
        # at the install, rather than the first cron run after it
        base = self.browse(self.env["ir.model.data"].search([
            ("module", "=", "tktit_helpdesk"), ("model", "=", self._name),
            ("name", "=like", "ticket_%")]).mapped("res_id"))
        self.env.cr.execute("""
            UPDATE helpdesk_ticket SET sla_start_on = create_date
             WHERE id = ANY(%s) AND sla_start_on IS DISTINCT FROM create_date
         RETURNING id""", (base.ids,))
        moved = self.browse([row[0] for row in self.env.cr.fetchall()])
        if moved:
            moved.invalidate_cache()
            moved._sla_recompute(creating=True)
        data = self.env["ir.model.data"].search([
            ("module", "=", "tktit_helpdesk"), ("model", "=", self._name),
            ("name", "=like", "story_%")])
        tickets = {d.name: self.browse(d.res_id) for d in data}
        # once: an update of the addon finds their clocks there
        if not tickets or all(t.sla_plan_id for t in tickets.values()):
            return self.browse()
        now = fields.Datetime.from_string(fields.Datetime.now())
        timeline = {}
        for plan in self._demo_story_default_plans(now):
            ticket = tickets.get(plan["key"])
            if not ticket:
                continue
            moment = fields.Datetime.from_string(ticket.create_date)
            last = fields.Datetime.from_string(ticket.write_date)
            marks = [(None, moment, "create")]
            for item in plan["steps"]:
                moment = moment + timedelta(hours=item[0])
                if moment > last + timedelta(seconds=1):
                    break
                marks.append((None, moment, item[1]))
            timeline[ticket.id] = marks
        story = self.browse(list(timeline))
        story._demo_story_replay_sla(timeline)
        return story

    @api.multi
    def _demo_story_backdate(self, timeline, first_mail):
        res = super(HelpdeskTicket, self)._demo_story_backdate(timeline, first_mail)
        self._demo_story_replay_sla(timeline, first_mail=first_mail)
        return res

    @api.multi
    def _demo_story_replay_sla(self, timeline, first_mail=None):
        """Replay the clocks of these (dated) tickets through their steps (``timeline``,
        as ``_demo_story_backdate`` takes it), then escalate, in the past, the closed
        ones that missed a deadline. ``first_mail``: the mails queued since are dropped
        (the caller's; else those this replay queues)."""
        cr = self.env.cr
        if first_mail is None:
            cr.execute("SELECT COALESCE(MAX(id), 0) FROM mail_mail")
            first_mail = cr.fetchone()[0]
        now = self._sla_now()
        tickets = self.sudo().with_context(tracking_disable=True)
        default_plan = self.env["helpdesk.support.plan"]._get_default_plan()
        plans = {t.id: t.commercial_partner_id.support_plan_id or default_plan
                 for t in tickets}
        calendars = self.env["resource.calendar"].browse(list(
            {plan.calendar_id.id for plan in plans.values() if plan}))._get_business_calendars()
        for ticket in tickets:
            plan = plans[ticket.id]
            policy = plan._get_policy(ticket.priority) if plan else plan
            business = calendars.get(plan.calendar_id.id) if plan else None
            steps = [(moment, step) for _mark, moment, step in timeline[ticket.id]]
            ticket.write(ticket._demo_story_clock_values(plan, policy, business, steps, now))
        breached = tickets.filtered(lambda t: t.state == "closed" and (
            t.sla_first_response_breached or t.sla_resolution_breached or
            t.sla_response_breached_deadline))
        if breached:
            breached._demo_story_escalate()
        cr.execute("DELETE FROM mail_mail WHERE id > %s", (first_mail,))

    def _demo_story_clock_values(self, plan, policy, business, steps, now):
        """The clock values (write format) after the ticket's ``steps`` [(moment,
        step name)], each computed at its moment as the product does on that event."""
        self.ensure_one()
        state = sla_clock.ClockState(_to_dt(self.create_date), target=_to_dt(self.target_date))
        clock_policy = sla_clock.Policy(
            policy.first_response_hours, policy.response_hours,
            policy.resolution_hours) if policy else None
        names = [step for _moment, step in steps]
        closed = _to_dt(self.closed_on) if self.state in DONE_STATES else None
        events = []
        for index, (moment, step) in enumerate(steps):
            anchors = STEP_ANCHORS.get(step, {})
            if step == "reply":
                anchors = {"first_reply": state.first_reply or moment,
                           "customer_awaits_reply": False,
                           "waiting": "assign" in names[:index]}
            elif step == "customer":
                anchors = {"last_customer": moment, "customer_awaits_reply": True,
                           "waiting": False}
            elif step == "confirm":
                # sent back to the expert (more work follows), or waiting for closure
                anchors = {"waiting": "complete" not in names[index:]}
            if closed and moment >= closed:
                anchors = dict(anchors, done=True, waiting=False)
            events.append((moment, anchors))
        if closed and (not events or events[-1][0] < closed):
            events.append((closed, {"done": True, "waiting": False}))
        result = None
        for index, (moment, anchors) in enumerate(events):
            state = state._replace(**anchors)
            result = sla_clock.compute_clocks(state, clock_policy, business, min(moment, now),
                                              creating=index == 0)
            state = sla_clock.apply(state, result)
        if self.state not in DONE_STATES:
            result = sla_clock.compute_clocks(state, clock_policy, business, now)
        values = {"sla_plan_id": plan.id, "sla_policy_id": policy.id,
                  "sla_start_on": self.create_date}
        for key, fname in CLOCK_FIELDS:
            if key in result:
                value = result[key]
                values[fname] = _to_str(value) if fname in CLOCK_DATETIME_FIELDS else value
        return values

    def _demo_story_escalate(self):
        """The QA manager's escalation of each ticket, when its first deadline passed."""
        template = self.env.ref("tktit_helpdesk_sla.mail_template_ticket_escalated")
        note = self.env.ref("mail.mt_note")
        rows = []
        for ticket in self:
            missed = [d for d in (ticket.first_response_deadline if
                                  ticket.sla_first_response_breached else None,
                                  ticket.sla_response_breached_deadline,
                                  ticket.resolution_deadline if
                                  ticket.sla_resolution_breached else None) if d]
            moment = _to_dt(min(missed)) + timedelta(minutes=5) if missed else \
                _to_dt(ticket.closed_on)
            moment = min(moment, _to_dt(ticket.closed_on))
            reason = ticket._sla_get_escalation_reason()
            ticket.write({
                "escalated": True, "escalated_on": _to_str(moment),
                "sla_escalation_reason": reason,
                "sla_first_response_escalated": ticket.sla_first_response_breached,
                "sla_resolution_escalated": ticket.sla_resolution_breached,
                "sla_response_escalated_deadline": ticket.sla_response_breached_deadline,
            })
            message = ticket._message_post_template(template, note,
                                                    message_type="notification")
            rows.append((message.id, fields.Datetime.to_string(moment)))
        manager = self[:1].company_id.helpdesk_qa_manager_id
        if manager:
            self.message_subscribe(partner_ids=manager.partner_id.ids)
        self.env.cr.execute("""
            UPDATE mail_message m SET date = v.moment::timestamp,
                   create_date = v.moment::timestamp, write_date = v.moment::timestamp
              FROM unnest(%s::int[], %s::text[]) AS v(id, moment) WHERE m.id = v.id
        """, ([r[0] for r in rows], [r[1] for r in rows]))
        self.env["mail.message"].invalidate_cache()
