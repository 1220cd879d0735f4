# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests.common import SavepointCase

from odoo.addons.tktit_helpdesk.tests.fixtures import make_organisation, make_ticket


class TestTicketTimesheet(SavepointCase):

    @classmethod
    def setUpClass(cls):
        super(TestTicketTimesheet, cls).setUpClass()
        env = cls.env
        _org, customer = make_organisation(
            env, "Billing Test Org", "billing.customer", email="billing.customer@example.com",
            contact="Billing Test Customer")
        cls.customer = customer.partner_id
        cls.project = env["project.project"].create({"name": "Billing Test Project"})
        cls.employee = env["hr.employee"].create({
            "name": "Billing Test Expert"})
        cls.ticket = make_ticket(env, cls.customer, name="Printer on fire",
                                 project_id=cls.project.id)
        cls.other_ticket = make_ticket(env, cls.customer, name="Scanner jammed",
                                       project_id=cls.project.id)

    def _log(self, ticket, hours):
        return self.env["account.analytic.line"].create({
            "name": "Work on %s" % ticket.name,
            "project_id": self.project.id,
            "employee_id": self.employee.id,
            "helpdesk_ticket_id": ticket.id,
            "unit_amount": hours,
        })

    def test_total_hours_sums_the_ticket_timesheets(self):
        self.assertEqual(self.ticket.total_hours, 0.0, "no hours before any timesheet")
        self._log(self.ticket, 1.5)
        self._log(self.ticket, 2.25)
        self._log(self.other_ticket, 4.0)
        tickets = self.ticket | self.other_ticket
        tickets.invalidate_cache()
        self.assertEqual(len(self.ticket.timesheet_ids), 2,
                         "both timesheet lines logged on the ticket must be listed on it")
        self.assertAlmostEqual(self.ticket.total_hours, 3.75,
                               msg="the ticket's total must be 1.5 h + 2.25 h")
        self.assertAlmostEqual(self.other_ticket.total_hours, 4.0,
                               msg="another ticket's hours are not mixed in")
        self.assertEqual(self.ticket.timesheet_ids.mapped("account_id"),
                         self.project.analytic_account_id,
                         "the hours land on the project's analytic account")
