# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.exceptions import AccessError, ValidationError
from odoo.tools import mute_logger

from .common import SlaCase, dt


class TestSlaConfig(SlaCase):

    def test_basic_plan_is_default(self):
        basic = self.env.ref("tktit_helpdesk_sla.support_plan_basic")
        self.assertTrue(basic.is_default, "Basic ships as the default plan")
        normal = basic._get_policy("1")
        self.assertEqual((normal.first_response_hours, normal.response_hours,
                          normal.resolution_hours), (12, 12, 48),
                         "Basic: 12h first response and response, 48h resolution at Normal")
        critical = basic._get_policy("4")
        self.assertLess(critical.resolution_hours, normal.resolution_hours,
                        "higher priorities are tighter")
        self.assertEqual(self.env["helpdesk.support.plan"]._get_default_plan(), basic)

    def test_default_plan_for_organisation_without_one(self):
        basic = self.env.ref("tktit_helpdesk_sla.support_plan_basic")
        org = self.env["res.partner"].create({"name": "No Plan Ltd", "is_company": True})
        person = self.env["res.partner"].create({"name": "Nora", "parent_id": org.id})
        ticket = self.create_ticket(dt(2024, 3, 4, 9), partner_id=person.id)
        self.assertEqual(ticket.sla_plan_id, basic, "no plan: the default (Basic) applies")
        self.assertEqual(ticket.sla_policy_id, basic._get_policy("1"))
        self.assertTrue(ticket.first_response_deadline)

    def test_plan_of_commercial_entity(self):
        self.assertEqual(self.customer.support_plan_id, self.plan,
                         "contacts mirror their organisation's plan")
        ticket = self.create_ticket(dt(2024, 3, 4, 9))
        self.assertEqual(ticket.sla_plan_id, self.plan)
        other = self.plan.copy({"name": "Gold"})
        self.org.support_plan_id = other
        self.assertEqual(self.customer.support_plan_id, other, "synced to the contacts")
        self.assertEqual(ticket.sla_plan_id, self.plan,
                         "existing tickets keep the plan they were submitted under")
        ticket.action_sla_recompute()
        self.assertEqual(ticket.sla_plan_id, other, "an explicit recompute re-reads it")

    def test_only_one_default_plan(self):
        basic = self.env.ref("tktit_helpdesk_sla.support_plan_basic")
        self.plan.is_default = True
        self.assertFalse(basic.is_default, "making a plan the default unsets the other one")
        self.assertEqual(self.env["helpdesk.support.plan"]._get_default_plan(), self.plan)
        with self.assertRaises(ValidationError):
            self.plan.active = False

    def test_policy_fallback_to_lower_priority(self):
        self.assertEqual(self.plan._get_policy("2").priority, "1",
                         "High has no policy: Normal's applies")
        self.assertEqual(self.plan._get_policy("0").priority, "1",
                         "Low has no policy and nothing lower: the lowest defined applies")

    def test_policy_hours_must_be_positive(self):
        Policy = self.env["helpdesk.sla.policy"]
        for fname in ("first_response_hours", "response_hours", "resolution_hours"):
            for bad in (0, -4):
                with self.assertRaises(ValidationError, msg="%s=%s" % (fname, bad)) as err, \
                        self.env.cr.savepoint():
                    Policy.create({"plan_id": self.plan.id, "priority": "2", fname: bad})
                self.assertIn("more than zero", err.exception.name)

    def test_one_policy_per_priority(self):
        with mute_logger("odoo.sql_db"), self.assertRaises(Exception):
            with self.env.cr.savepoint():
                self.env["helpdesk.sla.policy"].create({"plan_id": self.plan.id,
                                                        "priority": "1"})

    def test_plan_without_calendar(self):
        with self.assertRaises(ValidationError) as err:
            self.env["helpdesk.support.plan"].create({"name": "Nothing"})
        self.assertIn("business hours", err.exception.name)
        with self.assertRaises(ValidationError):
            self.plan.write({"calendar_id": False})

    def test_calendar_without_working_time(self):
        empty = self.env["resource.calendar"].create({
            "name": "Empty", "tz": "UTC", "attendance_ids": [(5, 0, 0)]})
        with self.assertRaises(ValidationError) as err:
            self.env["helpdesk.support.plan"].create({"name": "Empty plan",
                                                      "calendar_id": empty.id})
        self.assertIn("no working time", err.exception.name)
        with self.assertRaises(ValidationError), self.env.cr.savepoint():
            self.calendar.write({"attendance_ids": [(5, 0, 0)]})
        self.calendar.invalidate_cache()
        with self.assertRaises(ValidationError), self.env.cr.savepoint():
            self.calendar.attendance_ids.unlink()

    def test_bad_attendance_hours(self):
        with self.assertRaises(ValidationError):
            self.calendar.attendance_ids[0].write({"hour_from": 18, "hour_to": 9})

    def test_access(self):
        plan_as_expert = self.plan.sudo(self.expert)
        self.assertEqual(plan_as_expert.name, "SLA test plan", "experts must read plans")
        self.assertTrue(self.plan.sudo(self.ops_user).policy_ids,
                        "operations must read the plans' policies")
        for user in (self.expert, self.ops_user):
            with mute_logger("odoo.addons.base.ir.ir_model"), \
                    self.assertRaises(AccessError, msg="%s must not edit a support plan"
                                      % user.login):
                self.plan.sudo(user).write({"name": "Hacked"})
            with mute_logger("odoo.addons.base.ir.ir_model"), \
                    self.assertRaises(AccessError, msg="%s must not create a support plan"
                                      % user.login):
                self.env["helpdesk.support.plan"].sudo(user).create({
                    "name": "Mega Corp", "calendar_id": self.calendar.id})
        self.assertEqual(self.plan.name, "SLA test plan", "the plan must be unchanged")
        custom = self.env["helpdesk.support.plan"].sudo(self.qa_manager).create({
            "name": "Mega Corp", "calendar_id": self.calendar.id})
        self.assertTrue(custom, "helpdesk managers must create custom plans")
        self.org.write({"support_plan_id": custom.id})
        self.assertEqual(self.customer.support_plan_id, custom)

    def test_tickets_older_than_the_addon_get_their_flags(self):
        """The demo tickets of tktit_helpdesk exist before this addon is installed: their
        new columns are filled, so the dispatcher queue (escalated first) is right."""
        flags = ("escalated", "sla_first_response_breached", "sla_first_response_escalated",
                 "sla_resolution_breached", "sla_resolution_escalated", "sla_auto_closed",
                 "sla_response_breach_count")
        null_query = "SELECT count(*) FROM helpdesk_ticket WHERE %s" % " OR ".join(
            "%s IS NULL" % flag for flag in flags)
        self.env.cr.execute(null_query)
        self.assertEqual(self.env.cr.fetchone()[0], 0,
                         "after the install no ticket may keep a NULL SLA flag")

        old = self.create_ticket(dt(2024, 3, 4, 9), name="From before the addon")
        escalated = self.create_ticket(dt(2024, 3, 4, 10), name="Escalated")
        (old | escalated).action_send_to_dispatch()
        escalated.write({"escalated": True})
        self.env.cr.execute("UPDATE helpdesk_ticket SET %s WHERE id = %%s" % ", ".join(
            "%s = NULL" % flag for flag in flags), [old.id])
        for flag in flags:  # what the install that adds the columns runs
            self.env["helpdesk.ticket"]._init_column(flag)
        old.invalidate_cache()
        self.env.cr.execute(null_query)
        self.assertEqual(self.env.cr.fetchone()[0], 0,
                         "initialising the SLA columns must store False/0, not NULL")
        self.assertEqual((old.escalated, old.sla_response_breach_count), (False, 0),
                         "an old ticket is not escalated and missed no response")
        queue = self.env["helpdesk.ticket"].search(
            [("id", "in", (old | escalated).ids)])
        self.assertEqual(list(queue), [escalated, old], "the escalated ticket goes first")
        self.env.cr.execute("SELECT count(*) FROM helpdesk_ticket WHERE access_token IS NULL")
        self.assertEqual(self.env.cr.fetchone()[0], 0,
                         "the base's own column initialisation still runs")
