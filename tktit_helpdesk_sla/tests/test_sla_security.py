# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Staff power stays in its lane (security review, item 7) and the priorities a customer
may choose (item 3), at model level; the same attacks over JSON-RPC are in
tests/test_attack_7_staff_lanes.py."""
from unittest.mock import patch

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import mute_logger

from odoo.addons.tktit_helpdesk_sla.models import helpdesk_ticket as sla_ticket

from .common import SlaCase, dt

ACL_LOGGER = "odoo.addons.base.ir.ir_model"


class TestSlaStaffLanes(SlaCase):

    @classmethod
    def setUpClass(cls):
        super(TestSlaStaffLanes, cls).setUpClass()
        # Settings administrator, not in the helpdesk: Odoo's ACL lets them edit calendars
        cls.admin_user = cls.env["res.users"].with_context(no_reset_password=True).create({
            "name": "Sam Settings", "login": "sla.settings", "email": "sla.settings@example.com",
            "groups_id": [(6, 0, [cls.env.ref("base.group_system").id])],
        })
        cls.free_calendar = cls.env["resource.calendar"].create({
            "name": "Not a support plan's", "tz": "UTC"})

    def attendance_hours(self):
        return sorted((a.dayofweek, a.hour_from, a.hour_to)
                      for a in self.calendar.attendance_ids)

    def test_only_managers_edit_plan_calendars(self):
        before = self.attendance_hours()
        attendance = self.calendar.attendance_ids[0]
        for user in (self.ops_user, self.expert, self.admin_user):
            with mute_logger(ACL_LOGGER), self.assertRaises(
                    AccessError, msg="%s must not change a plan's working hours" % user.login):
                attendance.sudo(user).write({"hour_to": 23})
            with mute_logger(ACL_LOGGER), self.assertRaises(
                    AccessError, msg="%s must not remove a plan's working hours" % user.login):
                attendance.sudo(user).unlink()
            with mute_logger(ACL_LOGGER), self.assertRaises(
                    AccessError, msg="%s must not add working hours to a plan" % user.login):
                self.env["resource.calendar.attendance"].sudo(user).create({
                    "name": "Sunday", "dayofweek": "6", "hour_from": 8, "hour_to": 9,
                    "calendar_id": self.calendar.id})
            with mute_logger(ACL_LOGGER), self.assertRaises(
                    AccessError, msg="%s must not retime a plan's calendar" % user.login):
                self.calendar.sudo(user).write({"tz": "Asia/Tehran"})
            with mute_logger(ACL_LOGGER), self.assertRaises(
                    AccessError, msg="%s must not add holidays to a plan" % user.login):
                self.env["resource.calendar.leaves"].sudo(user).create({
                    "name": "Day off", "calendar_id": self.calendar.id,
                    "date_from": "2024-03-04 00:00:00", "date_to": "2024-03-05 00:00:00"})
        self.calendar.invalidate_cache()
        self.assertEqual(self.attendance_hours(), before,
                         "the plan's working hours must be unchanged after the refusals")
        self.assertEqual(self.calendar.tz, "UTC", "the plan's time zone must be unchanged")
        self.assertFalse(self.calendar.leave_ids, "no holiday may have been added")
        # a calendar no plan uses stays the settings administrator's (Odoo's ACL)
        self.free_calendar.sudo(self.admin_user).write({"tz": "Europe/Paris"})
        self.assertEqual(self.free_calendar.tz, "Europe/Paris",
                         "a calendar of no support plan must stay editable as before")

        manager = self.qa_manager
        attendance.sudo(manager).write({"hour_to": 11})
        self.assertEqual(attendance.hour_to, 11, "a helpdesk manager changes working hours")
        holiday = self.env["resource.calendar.leaves"].sudo(manager).create({
            "name": "Day off", "calendar_id": self.calendar.id,
            "date_from": "2024-03-04 00:00:00", "date_to": "2024-03-05 00:00:00"})
        self.assertEqual(self.calendar.leave_ids, holiday, "a helpdesk manager adds holidays")

    def test_no_plan_left_without_working_time(self):
        manager = self.qa_manager
        calendar = self.calendar.sudo(manager)
        with self.assertRaises(ValidationError) as err, self.env.cr.savepoint():
            calendar.attendance_ids.unlink()
        self.assertIn("SLA test plan", err.exception.name,
                      "removing the last attendance must be refused naming the plan")
        with self.assertRaises(ValidationError) as err, self.env.cr.savepoint():
            calendar.write({"attendance_ids": [(5, 0, 0)]})
        self.assertIn("SLA test plan", err.exception.name,
                      "emptying the calendar must be refused naming the plan")
        with self.assertRaises(ValidationError) as err, self.env.cr.savepoint():
            calendar.attendance_ids.write({"hour_from": 9, "hour_to": 9})
        self.assertIn("SLA test plan", err.exception.name,
                      "attendances of zero hours must be refused naming the plan")
        with self.assertRaises(ValidationError) as err, self.env.cr.savepoint():
            calendar.attendance_ids.write({"date_to": "2001-01-01"})
        self.assertIn("SLA test plan", err.exception.name,
                      "attendances valid only in the past must be refused naming the plan")
        with self.assertRaises(ValidationError) as err, self.env.cr.savepoint():
            self.env["resource.calendar.leaves"].sudo(manager).create({
                "name": "Sabbatical", "calendar_id": self.calendar.id,
                "date_from": "2000-01-01 00:00:00", "date_to": "2100-01-01 00:00:00"})
        self.assertIn("SLA test plan", err.exception.name,
                      "a holiday covering every working hour must be refused naming the plan")
        self.calendar.invalidate_cache()
        self.assertEqual(len(self.calendar.attendance_ids), 10,
                         "the plan's ten attendances must be left after the refusals")

    def test_calendar_write_marker_is_not_a_context_key(self):
        """The calendar's own write skips the per-attendance check; an RPC context
        claiming to be that write must not."""
        with self.assertRaises(ValidationError), self.env.cr.savepoint():
            self.calendar.attendance_ids.with_context(
                tktit_sla_calendar_write=True).unlink()

    def test_recompute_access(self):
        ticket = self.create_ticket(dt(2024, 3, 4, 9))
        with self.assertRaises(AccessError, msg="an expert must not recompute SLA clocks"):
            ticket.sudo(self.expert).action_sla_recompute()
        many = self.Ticket.browse(list(range(1, sla_ticket.RECOMPUTE_MAX_IDS + 2)))
        with patch.object(type(self.Ticket), "_sla_recompute") as recompute:
            with self.assertRaises(UserError) as err:
                many.sudo(self.ops_user).action_sla_recompute()
        self.assertIn("smaller batches", err.exception.name,
                      "operations must be told to recompute in smaller batches")
        self.assertFalse(recompute.called, "nothing may be recomputed on a refused call")
        self.assertTrue(ticket.sudo(self.ops_user).action_sla_recompute(),
                        "operations recompute the clocks of a ticket")
        self.assertTrue(ticket.sudo(self.qa_manager).action_sla_recompute(),
                        "helpdesk managers recompute the clocks of a ticket")

    def test_operations_do_not_rewrite_the_sla(self):
        ticket = self.create_ticket(dt(2024, 3, 4, 9))
        ticket.with_context(tktit_history_import=True).write({"escalated": True})
        deadline = ticket.first_response_deadline
        ops = ticket.sudo(self.ops_user)
        for vals in ({"escalated": False}, {"first_response_deadline": "2030-01-01 00:00:00"},
                     {"sla_first_response_escalated": True}, {"sla_alert_pending": False}):
            with self.assertRaises(AccessError, msg="operations must not write %s" % vals):
                ops.write(vals)
        ticket.invalidate_cache()
        self.assertEqual((ticket.escalated, ticket.first_response_deadline), (True, deadline),
                         "the ticket's SLA must be unchanged after the refusals")
        ops.write({"priority": "2"})
        self.assertEqual(ticket.priority, "2", "operations still triage the priority")
        with self.assertRaises(AccessError, msg="operations must not create escalated tickets"):
            self.Ticket.sudo(self.ops_user).create({
                "name": "Pre-escalated", "partner_id": self.customer.id, "escalated": True})
        created = self.Ticket.sudo(self.ops_user).with_context(
            default_sla_first_response_escalated=True).create({
                "name": "Default flags", "partner_id": self.customer.id})
        self.assertFalse(created.sla_first_response_escalated,
                         "a default_ context key must not set the SLA's bookkeeping")

    def test_auto_close_marker_is_not_a_context_key(self):
        ticket = self.create_ticket(dt(2024, 3, 4, 9), state="awaiting_customer")
        ticket.sudo(self.ops_user).with_context(tktit_sla_auto_close=True).action_close()
        self.assertEqual(ticket.state, "closed", "operations close the ticket")
        self.assertFalse(ticket.sla_auto_closed,
                         "a closure by hand must not pass for the sweep's automatic one")

    def test_report_view_is_the_installation_s(self):
        with self.assertRaises(AccessError, msg="only the installation rebuilds the report"):
            self.env["helpdesk.sla.report"].sudo(self.qa_manager).init()


class TestCustomerPriorities(SlaCase):

    def test_plan_caps_the_customer_priorities(self):
        basic = self.env.ref("tktit_helpdesk_sla.support_plan_basic")
        self.assertEqual(basic.portal_max_priority, "3",
                         "Basic must offer customers up to Urgent, not Critical")
        self.assertEqual(self.plan.portal_max_priority, "3", "the default is Urgent")
        self.assertEqual(self.Ticket._customer_priorities(self.customer),
                         ["0", "1", "2", "3"],
                         "a customer of a plan up to Urgent must not choose Critical")
        self.plan.portal_max_priority = "4"
        self.assertEqual(self.Ticket._customer_priorities(self.customer),
                         ["0", "1", "2", "3", "4"],
                         "a plan up to Critical must offer every priority")
        self.plan.portal_max_priority = "1"
        self.assertEqual(self.Ticket._customer_priorities(self.org), ["0", "1"],
                         "the organisation's plan applies to the organisation itself")
        loner = self.env["res.partner"].create({"name": "No plan", "is_company": True})
        self.assertEqual(self.Ticket._customer_priorities(loner),
                         [key for key in ["0", "1", "2", "3", "4"]
                          if key <= basic.portal_max_priority],
                         "an organisation without a plan gets the default plan's choice")
        with self.assertRaises(ValidationError, msg="a plan must offer Normal, the form's "
                                                    "default"):
            self.plan.portal_max_priority = "0"

    def test_portal_customer_reads_the_choice(self):
        """The portal intake calls the hook as the customer, who cannot read plans."""
        portal = self.env["res.users"].with_context(no_reset_password=True).create({
            "name": "Portal Peter", "login": "sla.portal", "partner_id": self.customer.id,
            "groups_id": [(6, 0, [self.env.ref("base.group_portal").id])]})
        Ticket = self.Ticket.sudo(portal)
        self.assertEqual(Ticket._customer_priorities(portal.partner_id),
                         ["0", "1", "2", "3"],
                         "the portal customer must get their plan's priorities")

    def test_triage_may_set_any_priority(self):
        ticket = self.create_ticket(dt(2024, 3, 4, 9))
        ticket.sudo(self.ops_user).write({"priority": "4"})
        self.assertEqual(ticket.priority, "4",
                         "triage must set Critical even where customers may not")
