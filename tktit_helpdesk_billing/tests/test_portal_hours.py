# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import re

from odoo.tests.common import at_install, post_install

from odoo.addons.tktit_helpdesk.tests.helpdesk_common import HelpdeskHttpCase


@at_install(False)
@post_install(True)
class TestPortalHours(HelpdeskHttpCase):

    def test_hours_worked_on_the_portal_once_delivered(self):
        ticket = self.ticket_in("in_progress")
        expert = ticket.sudo(self.expert_1)
        expert.write({"timesheet_ids": [(0, 0, {"name": "Diagnosis", "unit_amount": 1.5}),
                                        (0, 0, {"name": "Repair", "unit_amount": 1.0})]})
        self.checkpoint()
        self.authenticate_as(self.customer_a)
        page = self.url_open("/my/ticket/%s" % ticket.id)
        self.assertEqual(page.status_code, 200, "the customer must open their ticket")
        self.assertNotIn("Hours worked", page.text,
                         "the hours must not show while the expert still works")
        expert.write({"resolution": "<p>Replaced the router.</p>"})
        expert.action_work_completed()
        ticket.sudo(self.qc).action_qc_approve()
        ticket.sudo(self.committee).action_final_approve()
        self.assertEqual(ticket.state, "delivered", "the ticket is delivered")
        self.checkpoint()
        page = self.url_open("/my/ticket/%s" % ticket.id)
        self.assertEqual(page.status_code, 200, "the customer must open the delivered ticket")
        self.assertTrue(
            re.search(r"Hours worked:</strong>\s*<span[^>]*>2\.50</span>\s*<span>hours</span>",
                      page.text),
            "the delivered ticket's page must show 'Hours worked: 2.50 hours' (a "
            "translatable unit)")
