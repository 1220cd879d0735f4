# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The SLA clocks of one ticket, pure Python (no Odoo import).

:func:`compute_clocks` takes the ticket's stored anchors and previous results
(:class:`ClockState`, naive UTC datetimes), the policy's business hours (:class:`Policy`), a
:class:`~.business_time.BusinessCalendar` and *now*, and returns the new results as a plain
dict keyed like :class:`ClockState` (plus ``at_risk_on``, ``sla_state`` and the measured
hours). Everything is derived from the anchors, so computing again at the same instant from
the results gives the same results (see :func:`apply`).

The rules:

* the first response clock runs from ``start`` until the first support reply;
* the per-reply clock runs, once support answered, while a customer message is unanswered;
* the resolution clock runs outside waiting and final states, ``used_minutes`` keeping the
  business time of earlier runs; its deadline is capped by an earlier customer ``target``
  and is empty while paused;
* a deadline that passed before the event being handled is recorded as a breach, once;
* at risk: 80 % of the business time of the earliest running clock is used.
"""
from collections import namedtuple

# Share of a clock's business time after which the ticket is at risk.
AT_RISK_RATIO = 0.8

Policy = namedtuple("Policy", "first_response_hours response_hours resolution_hours")

# Anchors (what happened) and previous results (what the last computation stored).
_STATE_FIELDS = (
    # anchors
    "done",                     # closed or cancelled
    "waiting",                  # waits on the customer: the resolution clock pauses
    "start",                    # submission
    "first_reply",              # first support reply, or None
    "last_customer",            # last customer message, or None
    "customer_awaits_reply",    # the customer spoke last
    "target",                   # resolution date the customer asked for, or None
    # previous results
    "first_deadline", "next_deadline", "deadline", "resumed_on", "used_minutes",
    "first_breached", "resolution_breached", "response_breached_deadline",
    "response_breach_count",
)
_DEFAULTS = {
    "done": False, "waiting": False, "first_reply": None, "last_customer": None,
    "customer_awaits_reply": False, "target": None, "first_deadline": None,
    "next_deadline": None, "deadline": None, "resumed_on": None, "used_minutes": 0.0,
    "first_breached": False, "resolution_breached": False,
    "response_breached_deadline": None, "response_breach_count": 0,
}


class ClockState(namedtuple("ClockState", _STATE_FIELDS)):
    """One ticket's clock inputs; only ``start`` is required."""
    __slots__ = ()

    def __new__(cls, start, **values):
        unknown = set(values) - set(_STATE_FIELDS)
        if unknown:
            raise TypeError("Unknown clock fields: %s" % ", ".join(sorted(unknown)))
        merged = dict(_DEFAULTS, **values)
        merged["start"] = start
        return super(ClockState, cls).__new__(cls, **merged)

    @property
    def running(self):
        """Whether the resolution clock runs in the ticket's state."""
        return not self.done and not self.waiting


# Keys of the result that are also ClockState fields (fed back by :func:`apply`).
RESULT_STATE_FIELDS = (
    "start", "first_deadline", "next_deadline", "deadline", "resumed_on", "used_minutes",
    "first_breached", "resolution_breached", "response_breached_deadline",
    "response_breach_count",
)


def apply(state, result):
    """``state`` with the stored results of ``result``: what the ticket holds afterwards."""
    return state._replace(**{key: result[key] for key in RESULT_STATE_FIELDS})


def compute_clocks(state, policy, calendar, now, creating=False):
    """The SLA results of one ticket at ``now``.

    ``policy`` and ``calendar`` may be None (no plan, or no policy for the priority): the
    clocks are then empty and only the recorded breaches decide the SLA state.
    ``creating``: the resolution clock of a new running ticket starts at ``start``.
    """
    start, first_reply, last_customer = state.start, state.first_reply, state.last_customer
    first_deadline, next_deadline = state.first_deadline, state.next_deadline
    deadline, resumed_on, used = state.deadline, state.resumed_on, state.used_minutes
    breach = {
        "first": state.first_breached,
        "resolution": state.resolution_breached,
        "response": state.response_breached_deadline,
        "response_count": state.response_breach_count,
    }

    def detect_breaches():
        # A deadline passed before the event we are handling: record it (once).
        if first_deadline and (first_reply or now) > first_deadline:
            breach["first"] = True
        if next_deadline and next_deadline < now and next_deadline != breach["response"]:
            breach["response"] = next_deadline
            breach["response_count"] += 1
        if resumed_on and deadline and deadline < now:
            breach["resolution"] = True

    at_risk_on = None
    if not (policy and calendar):
        first_deadline = next_deadline = deadline = resumed_on = None
    else:
        detect_breaches()
        if state.running and not resumed_on:
            resumed_on = start if creating else now
        elif not state.running and resumed_on:
            used += calendar.minutes_between(resumed_on, now)
            resumed_on = None
        if not first_reply or not first_deadline:
            first_deadline = calendar.add_minutes(start, policy.first_response_hours * 60)
        # Before the first reply, the first response clock covers the customer's messages.
        pending = not state.done and first_reply and last_customer and \
            state.customer_awaits_reply
        next_deadline = calendar.add_minutes(
            last_customer, policy.response_hours * 60) if pending else None
        resolution_minutes = policy.resolution_hours * 60
        policy_deadline = None
        if resumed_on and not breach["resolution"]:
            policy_deadline = calendar.add_minutes(resumed_on, resolution_minutes - used)
            deadline = min(policy_deadline, state.target) if state.target else policy_deadline
        elif not state.done and not resumed_on and not breach["resolution"]:
            deadline = None  # paused: no deadline until the clock resumes
        detect_breaches()
        if breach["resolution"]:
            # breached now: its at-risk point is moot, as it is in the next computation
            # (which no longer derives a policy deadline) - keeps the results a fixed point
            policy_deadline = None
        at_risk_on = _at_risk_on(state, policy, calendar, first_reply, next_deadline,
                                 last_customer, resumed_on, deadline, policy_deadline, used)

    breached = breach["first"] or breach["resolution"] or bool(breach["response"])
    if state.done:
        sla_state = "breached" if breached else "met"
    elif breached:
        sla_state = "breached"
    elif at_risk_on and at_risk_on <= now:
        sla_state = "at_risk"
    else:
        sla_state = "on_track"
    result = {
        "start": start,
        "first_deadline": first_deadline,
        "next_deadline": next_deadline,
        "deadline": deadline,
        "used_minutes": used,
        "resumed_on": resumed_on,
        "at_risk_on": at_risk_on,
        "sla_state": sla_state,
        "first_breached": breach["first"],
        "resolution_breached": breach["resolution"],
        "response_breached_deadline": breach["response"],
        "response_breach_count": breach["response_count"],
    }
    if calendar and first_reply:
        result["first_response_hours"] = calendar.minutes_between(start, first_reply) / 60.0
    if state.done:
        result["resolution_hours"] = used / 60.0
    return result


def _at_risk_on(state, policy, calendar, first_reply, next_deadline, last_customer,
                resumed_on, deadline, policy_deadline, used):
    """When 80 % of the business time of the earliest running clock is used."""
    if state.done:
        return None
    points = []
    if not first_reply:
        points.append(calendar.add_minutes(
            state.start, AT_RISK_RATIO * policy.first_response_hours * 60))
    if next_deadline:
        points.append(calendar.add_minutes(
            last_customer, AT_RISK_RATIO * policy.response_hours * 60))
    if policy_deadline:
        if deadline < policy_deadline:  # capped by the customer's requested date
            span = AT_RISK_RATIO * calendar.minutes_between(resumed_on, deadline)
        else:
            span = AT_RISK_RATIO * policy.resolution_hours * 60 - used
        points.append(calendar.add_minutes(resumed_on, span))
    return min(points) if points else None
