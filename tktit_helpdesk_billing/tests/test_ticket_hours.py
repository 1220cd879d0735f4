# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError

from odoo.addons.tktit_helpdesk.tests.fixtures import EXPERT, make_ticket, new_user, set_state
from odoo.addons.tktit_helpdesk.tests.helpdesk_common import HelpdeskCase

TIMESHEET_USER = "hr_timesheet.group_hr_timesheet_user"


class TestTicketHours(HelpdeskCase):

    @classmethod
    def setUpClass(cls):
        super(TestTicketHours, cls).setUpClass()
        cls.Line = cls.env["account.analytic.line"]
        cls.default_project = cls.env.user.company_id.helpdesk_project_id
        cls.queue_project = cls.env["project.project"].create({"name": "Queue Project"})
        cls.queue.project_id = cls.queue_project

    def _back_date_timer(self, user, **delta):
        timer = self.env["helpdesk.ticket.timer"].search([("user_id", "=", user.id)])
        timer.start = fields.Datetime.to_string(
            fields.Datetime.from_string(fields.Datetime.now()) - timedelta(**delta))

    # ------------------------------------------------------------ rights
    def test_experts_are_employees_with_timesheet_rights(self):
        for user in (self.expert_1, self.expert_2, self.outsider, self.operator, self.qc,
                     self.committee):
            self.assertTrue(user.has_group(TIMESHEET_USER) or
                            self.env.ref(TIMESHEET_USER) in user.groups_id,
                            "%s must have timesheet rights to log hours" % user.login)
            self.assertEqual(len(user.employee_ids), 1,
                             "%s, created as an expert, must have an employee" % user.login)
        for xmlid in ("user_expert_net_demo", "user_expert_cloud_demo", "user_qc_demo",
                      "user_committee_demo", "user_dispatcher_demo"):
            demo = self.env.ref("tktit_helpdesk.%s" % xmlid, raise_if_not_found=False)
            if demo:  # demo data installed
                self.assertTrue(demo.employee_ids,
                                "demo user %s must be an employee to log hours" % demo.login)
                self.assertIn(self.env.ref(TIMESHEET_USER), demo.groups_id,
                              "demo user %s must have timesheet rights" % demo.login)

    # ----------------------------------------------------------- project
    def test_ticket_without_queue_takes_the_company_default_project(self):
        self.assertTrue(self.default_project.allow_timesheets and
                        self.default_project.analytic_account_id,
                        "the company's default helpdesk project must take timesheets")
        ticket = make_ticket(self.env, self.customer_a, user=self.operator, name="No scope")
        self.assertFalse(ticket.queue_id, "a ticket without scope has no queue")
        self.assertEqual(ticket.project_id, self.default_project,
                         "a ticket without queue must get the company's helpdesk project")

    def test_ticket_takes_its_queue_project_and_follows_it_until_hours_are_logged(self):
        ticket = self.new_ticket()
        self.assertEqual(ticket.queue_id, self.queue, "the ticket is routed to the queue")
        self.assertEqual(ticket.project_id, self.queue_project,
                         "a ticket must get its queue's project when it is created")
        ticket.sudo(self.operator).queue_id = self.queue_other
        self.assertEqual(ticket.project_id, self.default_project,
                         "moved to a queue without project, the ticket must get the "
                         "company's default project")
        self.Line.create({"name": "Remote check", "helpdesk_ticket_id": ticket.id,
                          "unit_amount": 0.5, "user_id": self.expert_1.id})
        ticket.sudo(self.operator).queue_id = self.queue
        self.assertEqual(ticket.project_id, self.default_project,
                         "once hours are logged, a queue change must not move the project")

    def test_tickets_without_project_get_theirs_on_update(self):
        ticket = self.new_ticket()
        ticket.project_id = False  # as a ticket opened before the addon was installed
        self.env["helpdesk.ticket"]._assign_missing_projects()
        self.assertEqual(ticket.project_id, self.queue_project,
                         "installing or updating the addon must give old tickets a project")

    # ------------------------------------------------------- logging hours
    def test_expert_logs_hours_on_the_assigned_ticket(self):
        ticket = self.ticket_in("in_progress")
        ticket.sudo(self.expert_1).write({"timesheet_ids": [
            (0, 0, {"name": "Diagnosis", "unit_amount": 1.5})]})
        line = ticket.timesheet_ids
        self.assertEqual(len(line), 1, "the expert's line must be listed on the ticket")
        self.assertEqual(line.project_id, self.queue_project,
                         "a line logged without project must land on the ticket's project")
        self.assertEqual(line.account_id, self.queue_project.analytic_account_id,
                         "and on the project's analytic account")
        self.assertEqual(line.employee_id, self.expert_1.employee_ids,
                         "the line must be the expert's, as their employee")
        self.assertAlmostEqual(ticket.sudo(self.expert_1).total_hours, 1.5,
                               msg="the ticket's total must show the 1.5 h logged")

    def test_timer_logs_the_time_worked(self):
        ticket = self.ticket_in("in_progress").sudo(self.expert_1)
        self.assertTrue(ticket.timer_allowed, "the assigned expert must get the timer")
        self.assertFalse(ticket.timer_running, "no timer runs before Start")
        ticket.action_timer_start()
        ticket.invalidate_cache()
        self.assertTrue(ticket.timer_running, "after Start the expert's timer must run")
        with self.assertRaises(UserError, msg="a second timer of the same user is refused"):
            ticket.action_timer_start()
        self._back_date_timer(self.expert_1, minutes=89, seconds=50)
        ticket.action_timer_stop()
        ticket.invalidate_cache()
        self.assertFalse(ticket.timer_running, "after Stop no timer runs")
        line = ticket.timesheet_ids
        self.assertEqual(len(line), 1, "Stop must log exactly one line")
        self.assertAlmostEqual(line.unit_amount, 1.5,
                               msg="89 min 50 s must be logged as 90 minutes (1.5 h)")
        self.assertEqual(line.project_id, self.queue_project,
                         "the timer's line must land on the ticket's project")
        self.assertEqual(line.user_id, self.expert_1, "the timer's line is the expert's")
        with self.assertRaises(UserError, msg="Stop without a running timer is refused"):
            ticket.action_timer_stop()
        ticket.action_timer_start()
        ticket.action_timer_stop()  # a few seconds
        ticket.invalidate_cache()
        self.assertAlmostEqual(min(ticket.timesheet_ids.mapped("unit_amount")), 1 / 60.0,
                               msg="a timer stopped at once must log one minute")

    def test_timer_is_for_the_assigned_expert(self):
        ticket = self.ticket_in("in_progress")
        with self.assertRaises(AccessError,
                               msg="another expert of the queue must not start the timer"):
            ticket.sudo(self.expert_2).action_timer_start()

    def test_expert_without_employee_gets_a_clear_error(self):
        user = new_user(self.env, "no.employee", [EXPERT])
        self.assertTrue(user.employee_ids, "a new expert must get an employee")
        user.employee_ids.unlink()
        self.queue.member_ids |= user
        ticket = self.new_ticket()
        with self.assertRaisesRegex(UserError, "administrator must create",
                                    msg="logging hours without employee must say why"):
            self.Line.sudo(user).create({"name": "Work", "helpdesk_ticket_id": ticket.id,
                                         "unit_amount": 1.0})
        set_state(ticket, "in_progress", user_id=user.id)
        with self.assertRaisesRegex(UserError, "administrator must create",
                                    msg="starting the timer without employee must say why"):
            ticket.sudo(user).action_timer_start()

    def test_expert_logs_only_own_lines_on_visible_tickets(self):
        ticket = self.ticket_in("in_progress")
        with self.assertRaises(AccessError,
                               msg="an expert outside the ticket's queue must not log on it"):
            self.Line.sudo(self.outsider).create({
                "name": "Sneaky", "helpdesk_ticket_id": ticket.id, "unit_amount": 1.0})
        with self.assertRaises(AccessError,
                               msg="nor through the ticket's timesheets"):
            ticket.sudo(self.outsider).write({"timesheet_ids": [
                (0, 0, {"name": "Sneaky", "unit_amount": 1.0})]})
        line = self.Line.sudo(self.expert_1).create({
            "name": "Mine", "helpdesk_ticket_id": ticket.id, "unit_amount": 1.0})
        with self.assertRaises(AccessError,
                               msg="another expert must not change the expert's line"):
            line.sudo(self.expert_2).write({"unit_amount": 8.0})
        with self.assertRaises(AccessError,
                               msg="an expert must not log hours in another one's name"):
            self.Line.sudo(self.expert_2).create({
                "name": "Not mine", "helpdesk_ticket_id": ticket.id, "unit_amount": 1.0,
                "employee_id": self.expert_1.employee_ids.id})
