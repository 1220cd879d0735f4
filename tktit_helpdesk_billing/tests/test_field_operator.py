# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, ValidationError

from .field_common import FIELD_OPERATOR, FieldCase

TIMESHEET_USER = "hr_timesheet.group_hr_timesheet_user"


class TestFieldOperator(FieldCase):

    def test_field_operator_is_an_employee_with_timesheets_not_an_expert(self):
        user = self.field_op
        self.assertTrue(user.has_group(TIMESHEET_USER),
                        "a field operator must be a timesheet user to log hours")
        self.assertFalse(user.has_group("tktit_helpdesk.group_helpdesk_expert"),
                         "a field operator must not be an expert (experts see whole queues)")
        self.assertEqual(len(user.employee_ids), 1,
                         "a new field operator must get an employee to log hours")

    def test_field_operator_sees_only_own_field_tickets(self):
        mine = self.field_ticket()
        theirs = self.field_ticket(self.field_op_2)
        remote = self.new_ticket()  # not a field ticket, same queue
        Ticket = self.env["helpdesk.ticket"].sudo(self.field_op)
        found = Ticket.search([("id", "in", (mine | theirs | remote).ids)])
        self.assertEqual(found, mine,
                         "a field operator must find their own field tickets only")
        with self.assertRaises(AccessError,
                               msg="reading another operator's ticket by id must fail"):
            theirs.sudo(self.field_op).read(["name"])
        with self.assertRaises(AccessError,
                               msg="reading a remote ticket of their queue must fail"):
            remote.sudo(self.field_op).read(["name"])
        with self.assertRaises(AccessError,
                               msg="writing another operator's ticket must fail"):
            theirs.sudo(self.field_op).write({"resolution": "<p>Mine now</p>"})

    def test_field_operator_works_own_ticket_but_not_its_field_data(self):
        ticket = self.field_ticket()
        mine = ticket.sudo(self.field_op)
        mine.write({"resolution": "<p>Replaced the access point.</p>"})
        self.assertIn("access point", ticket.resolution,
                      "the field operator must write the resolution of their ticket")
        for vals in ({"visit_date": fields.Datetime.now()}, {"is_field": False},
                     {"site_partner_id": self.customer_a2.partner_id.id},
                     {"user_id": self.field_op_2.id}):
            with self.assertRaises(AccessError,
                                   msg="the field operator must not change %s" % list(vals)):
                mine.write(vals)
        mine.write({"timesheet_ids": [(0, 0, {"name": "On site", "unit_amount": 2.0})]})
        self.assertAlmostEqual(mine.total_hours, 2.0,
                               msg="the field operator must log hours on their ticket")
        mine.action_work_completed()
        self.assertEqual(ticket.state, "work_completed",
                         "the assigned field operator must complete their ticket")

    def test_field_operator_is_assigned_by_dispatch(self):
        ticket = self.ticket_in("dispatch", is_field=True)
        ticket.sudo(self.operator).action_assign(self.field_op)
        self.assertEqual(ticket.user_id, self.field_op,
                         "operations must assign a field ticket to a field operator of "
                         "the queue")
        self.assertIn(self.field_op, self.env["res.users"].search(
            self.queue._fields["member_ids"].domain(self.queue)),
            "the queue's member choice must offer field operators")

    def test_field_operator_opens_the_ticket_form(self):
        ticket = self.field_ticket()
        Ticket = self.env["helpdesk.ticket"].sudo(self.field_op)
        view = Ticket.load_views([(False, "form")])["fields_views"]["form"]
        try:
            ticket.sudo(self.field_op).read(list(view["fields"]))
        except AccessError as error:
            self.fail("the field operator cannot open their ticket's form: %s" % error)
        menus = self.env["ir.ui.menu"].sudo(self.field_op).search(
            [("id", "child_of", self.env.ref(
                "tktit_helpdesk_billing.field_service_menu_root").id)])
        self.assertIn(self.env.ref("tktit_helpdesk_billing.field_service_menu_my"), menus,
                      "the field operator must see the My Field Tickets menu")

    def test_field_operator_has_no_invoices_and_no_configuration(self):
        Invoice = self.env["account.invoice"].sudo(self.field_op)
        self.assertFalse(Invoice.check_access_rights("read", raise_exception=False),
                         "a field operator must have no read access to invoices")
        with self.assertRaises(AccessError, msg="searching invoices must fail"):
            Invoice.search([])
        with self.assertRaises(AccessError,
                               msg="a field operator must not change a queue"):
            self.queue.sudo(self.field_op).write({"name": "Renamed"})
        with self.assertRaises(AccessError,
                               msg="a field operator must not create a technology"):
            self.env["helpdesk.technology"].sudo(self.field_op).create(
                {"name": "Mine", "code": "MI"})
        with self.assertRaises(AccessError,
                               msg="a field operator must not create tickets"):
            self.env["helpdesk.ticket"].sudo(self.field_op).create(
                {"name": "Own", "partner_id": self.customer_a.partner_id.id})
        self.assertFalse(self.env.ref("tktit_helpdesk.helpdesk_menu_config").sudo(
            self.field_op)._filter_visible_menus(),
            "the Helpdesk configuration menu must be hidden from field operators")

    def test_site_defaults_to_the_customer_and_stays_in_the_organisation(self):
        ticket = self.field_ticket()
        self.assertEqual(ticket.site_partner_id, self.customer_a.partner_id,
                         "a field ticket's site must default to the customer")
        site = self.env["res.partner"].create({
            "name": "Org A depot", "parent_id": self.org_a.id, "type": "other"})
        ticket.sudo(self.operator).write({"site_partner_id": site.id})
        self.assertEqual(ticket.site_partner_id, site,
                         "operations must set another address of the organisation")
        with self.assertRaises(ValidationError,
                               msg="a site of another organisation must be refused"):
            ticket.sudo(self.operator).write(
                {"site_partner_id": self.customer_b.partner_id.id})

    def test_demo_field_operator(self):
        user = self.env.ref("tktit_helpdesk_billing.user_field_op_demo",
                            raise_if_not_found=False)
        if not user:
            self.skipTest("demo data not installed")
        self.assertEqual(user.login, "field.op", "the demo field operator logs in as field.op")
        self.assertTrue(user.has_group(FIELD_OPERATOR) and user.employee_ids,
                        "field.op must be a field operator with an employee")
        van = user.van_location_id
        self.assertTrue(van and van.usage == "internal",
                        "field.op must have an internal van location")
        quants = self.env["stock.quant"].search([("location_id", "=", van.id),
                                                 ("quantity", ">", 0)])
        self.assertGreaterEqual(len(quants.mapped("product_id")), 4,
                                "field.op's van must hold the demo products")
        tickets = self.env["helpdesk.ticket"].sudo(user).search(
            [("state", "=", "in_progress")])
        self.assertEqual(len(tickets), 2, "field.op must have two demo visits to do")
        self.assertTrue(all(t.is_field and t.user_id == user for t in
                            self.env["helpdesk.ticket"].sudo(user).search([])),
                        "field.op must see their own field tickets only")
        days = sorted(fields.Datetime.from_string(t.visit_date).date() for t in tickets)
        self.assertEqual(days[1] - days[0], timedelta(days=1),
                         "the demo visits must be on consecutive days (today, tomorrow)")
