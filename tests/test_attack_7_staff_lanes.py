# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Security review, finding 7 (staff power stays in its lane), played by the attacker over
JSON-RPC: a dispatcher or an expert logged in to the backend calls what the web client
calls, on the SLA configuration and the SLA actions, and beyond their role. Each case:
the role, the request, the refusal expected, and that nothing changed; then the helpdesk
manager, whose job it is, succeeds.
"""
from odoo.tests.common import at_install, post_install

from odoo.addons.tktit_helpdesk.tests.attacker import AttackCase
from odoo.addons.tktit_helpdesk.tests.fixtures import new_user

MANAGER = "tktit_helpdesk.group_helpdesk_manager"
OFFICE_HOURS = [(0, 0, {"name": "%s %s" % (day, h1), "dayofweek": str(day),
                        "hour_from": h1, "hour_to": h2})
                for day in range(5) for h1, h2 in ((8, 12), (13, 17))]


@at_install(False)
@post_install(True)
class TestAttackStaffLanes(AttackCase):

    def setUp(self):
        super(TestAttackStaffLanes, self).setUp()
        self.manager = new_user(self.env, "lane.manager", [MANAGER], password="lane.manager")
        self.calendar = self.env["resource.calendar"].create({
            "name": "Lane office hours", "tz": "UTC",
            "attendance_ids": [(5, 0, 0)] + OFFICE_HOURS})
        self.plan = self.env["helpdesk.support.plan"].create({
            "name": "Lane plan", "calendar_id": self.calendar.id,
            "policy_ids": [(0, 0, {"priority": "1", "first_response_hours": 12,
                                   "response_hours": 12, "resolution_hours": 48})]})
        self.policy = self.plan.policy_ids
        self.org_a.support_plan_id = self.plan
        self.checkpoint()

    def hours(self):
        self.calendar.invalidate_cache()
        return sorted((a.dayofweek, a.hour_from, a.hour_to)
                      for a in self.calendar.attendance_ids)

    # ------------------------------------------------- the SLA configuration
    def test_dispatcher_cannot_edit_plan_policy_or_business_hours(self):
        attendance = self.calendar.attendance_ids[0]
        hours = self.hours()
        attacks = [
            ("helpdesk.support.plan", "write", [self.plan.ids, {"name": "Hacked"}],
             "a dispatcher renaming a support plan"),
            ("helpdesk.support.plan", "write",
             [self.plan.ids, {"portal_max_priority": "4"}],
             "a dispatcher letting the plan's customers choose Critical"),
            ("helpdesk.support.plan", "create",
             [{"name": "Platinum", "calendar_id": self.calendar.id}],
             "a dispatcher creating a support plan"),
            ("helpdesk.sla.policy", "write", [self.policy.ids, {"resolution_hours": 999}],
             "a dispatcher stretching an SLA policy"),
            ("helpdesk.sla.policy", "unlink", [self.policy.ids],
             "a dispatcher deleting an SLA policy"),
            ("resource.calendar.attendance", "write", [attendance.ids, {"hour_to": 23}],
             "a dispatcher stretching the plan's working hours"),
            ("resource.calendar.attendance", "unlink", [attendance.ids],
             "a dispatcher removing working hours of the plan"),
            ("resource.calendar", "write",
             [self.calendar.ids, {"attendance_ids": [(1, attendance.id, {"hour_to": 23})]}],
             "a dispatcher editing the plan's hours through the calendar form"),
            ("resource.calendar.leaves", "create",
             [{"name": "Holiday", "calendar_id": self.calendar.id,
               "date_from": "2030-01-01 00:00:00", "date_to": "2030-01-02 00:00:00"}],
             "a dispatcher adding a holiday to the plan's calendar"),
        ]
        self.authenticate_as(self.operator)
        for model, method, args, why in attacks:
            payload = self.call_kw(model, method, args)
            self.assert_refused(payload, why, error_names=("AccessError",))
        self.plan.invalidate_cache()
        self.assertEqual((self.plan.name, self.plan.portal_max_priority),
                         ("Lane plan", "3"), "the plan must be unchanged for the dispatcher")
        self.assertEqual(self.policy.exists().resolution_hours, 48,
                         "the policy must be unchanged for the dispatcher")
        self.assertFalse(self.env["helpdesk.support.plan"].search([("name", "=", "Platinum")]),
                         "no plan may have been created by the dispatcher")
        self.assertEqual(self.hours(), hours,
                         "the plan's working hours must be unchanged for the dispatcher")
        self.assertFalse(self.calendar.leave_ids,
                         "no holiday may have been added by the dispatcher")
        # operations still read the configuration they dispatch by
        payload = self.call_kw("helpdesk.support.plan", "read",
                               [self.plan.ids, ["name", "calendar_id", "policy_ids"]])
        self.assertEqual(payload.get("result", [{}])[0].get("name"), "Lane plan",
                         "operations must still read support plans: %s" % payload)

    def test_manager_edits_plan_policy_and_business_hours(self):
        attendance = self.calendar.attendance_ids[0]
        self.authenticate_as(self.manager)
        for model, method, args in [
                ("helpdesk.support.plan", "write", [self.plan.ids, {"name": "Lane plan II"}]),
                ("helpdesk.sla.policy", "write", [self.policy.ids, {"resolution_hours": 40}]),
                ("resource.calendar.attendance", "write", [attendance.ids, {"hour_to": 11}]),
        ]:
            payload = self.call_kw(model, method, args)
            self.assertIs(payload.get("result"), True,
                          "a helpdesk manager must be able to %s %s: %s" % (
                              method, model, payload))
        self.assertEqual(self.plan.name, "Lane plan II", "the manager renamed the plan")
        self.assertEqual(self.policy.resolution_hours, 40, "the manager tuned the policy")
        self.assertEqual(attendance.hour_to, 11, "the manager changed the working hours")

    def test_manager_cannot_leave_a_plan_without_working_time(self):
        hours = self.hours()
        self.authenticate_as(self.manager)
        payload = self.call_kw("resource.calendar.attendance", "unlink",
                               [self.calendar.attendance_ids.ids])
        message = self.assert_refused(payload, "removing the last attendances of a plan",
                                      error_names=("ValidationError",))
        self.assertIn("Lane plan", message,
                      "the refusal must name the plan left without working time")
        payload = self.call_kw("resource.calendar", "write",
                               [self.calendar.ids, {"attendance_ids": [(5, 0, 0)]}])
        self.assert_refused(payload, "emptying a plan's calendar through its form",
                            error_names=("ValidationError",))
        payload = self.call_kw(
            "resource.calendar.attendance", "unlink", [self.calendar.attendance_ids.ids],
            {"context": {"tktit_sla_calendar_write": True}})
        self.assert_refused(payload, "removing them with the calendar write's context key",
                            error_names=("ValidationError",))
        self.assertEqual(self.hours(), hours, "the plan's working hours must be unchanged")

    # ------------------------------------------------------- the SLA actions
    def test_recompute_is_for_operations_in_small_batches(self):
        ticket = self.new_ticket(name="Clock check")
        deadline = ticket.resolution_deadline
        self.assertTrue(deadline, "the ticket must have a resolution deadline")
        # a policy change that a recompute would apply to the ticket
        self.policy.resolution_hours = 8
        self.checkpoint()
        payload = self.call_kw("helpdesk.ticket", "action_sla_recompute", [ticket.ids],
                               as_user=self.expert_1)
        self.assert_refused(payload, "an expert recomputing SLA deadlines",
                            error_names=("AccessError",))
        ids = list(range(ticket.id, ticket.id + 5000))
        payload = self.call_kw("helpdesk.ticket", "action_sla_recompute", [ids],
                               as_user=self.operator)
        message = self.assert_refused(payload, "a dispatcher recomputing 5000 tickets at once",
                                      error_names=("UserError",))
        self.assertIn("smaller batches", message, "the refusal must say what to do instead")
        self.assertEqual(ticket.resolution_deadline, deadline,
                         "the refused recomputes must not have changed the ticket's clocks")
        payload = self.call_kw("helpdesk.ticket", "action_sla_recompute", [ticket.ids])
        self.assertIs(payload.get("result"), True,
                      "a dispatcher recomputes a ticket's deadlines: %s" % payload)
        self.assertLess(ticket.resolution_deadline, deadline,
                        "the dispatcher's recompute must apply the shorter policy")

    def test_dispatcher_cannot_hide_an_escalation(self):
        ticket = self.new_ticket(name="Missed deadline")
        ticket.with_context(tktit_history_import=True).write({"escalated": True})
        self.checkpoint()
        self.authenticate_as(self.operator)
        for vals in ({"escalated": False}, {"resolution_deadline": "2099-01-01 00:00:00"},
                     {"sla_alert_pending": False}):
            payload = self.call_kw("helpdesk.ticket", "write", [ticket.ids, vals])
            self.assert_refused(payload, "a dispatcher writing %s" % vals,
                                error_names=("AccessError",))
        self.assertTrue(ticket.escalated, "the ticket must still be escalated")
        self.assertNotEqual(ticket.resolution_deadline, "2099-01-01 00:00:00",
                            "the ticket's deadline must be unchanged")

    def test_expert_cannot_rebuild_the_sla_report(self):
        payload = self.call_kw("helpdesk.sla.report", "init", [[]], as_user=self.expert_1)
        self.assert_refused(payload, "an expert calling the SLA report's init",
                            error_names=("AccessError",))

    # ------------------------------------------------------- beyond the helpdesk
    def test_dispatcher_cannot_create_or_become_internal_users(self):
        self.authenticate_as(self.operator)
        payload = self.call_kw("res.users", "create", [{
            "name": "Shadow Admin", "login": "shadow.admin",
            "groups_id": [(6, 0, [self.env.ref(MANAGER).id,
                                  self.env.ref("base.group_system").id])]}])
        self.assert_refused(payload, "a dispatcher creating an internal user",
                            error_names=("AccessError",))
        self.assertFalse(self.env["res.users"].with_context(active_test=False).search(
            [("login", "=", "shadow.admin")]), "no user may have been created")
        payload = self.call_kw("res.users", "write", [self.operator.ids, {
            "groups_id": [(4, self.env.ref(MANAGER).id)]}])
        self.assert_refused(payload, "a dispatcher making themselves a helpdesk manager",
                            error_names=("AccessError",))
        self.operator.invalidate_cache()
        self.assertFalse(self.operator.has_group(MANAGER),
                         "the dispatcher must not have become a helpdesk manager")
