"""Cross-addon: the customer's ticket page says when the next answer is due."""
from odoo.tests.common import at_install, post_install

from odoo.addons.tktit_helpdesk.tests.common import HttpCase


@at_install(False)
@post_install(True)
class TestSlaOnPortal(HttpCase):

    def test_next_answer_due_shown_to_customer(self):
        customer = self.env.ref("tktit_helpdesk.user_customer_globex_demo")
        ticket = self.env["helpdesk.ticket"].create(
            {"name": "When will you answer?", "partner_id": customer.partner_id.id})
        self.assertTrue(ticket.first_response_deadline, "a new ticket gets a deadline")
        self.assertTrue(ticket.sla_next_answer_due_display)
        self.authenticate("customer.globex", "customer.globex")
        page = self.url_open("/my/ticket/%s" % ticket.id)
        self.assertIn("Next answer due", page.text)
        self.assertIn(ticket.sla_next_answer_due_display, page.text)

    def test_no_answer_due_while_we_wait_on_the_customer(self):
        customer = self.env.ref("tktit_helpdesk.user_customer_globex_demo")
        ticket = self.env["helpdesk.ticket"].create(
            {"name": "Which site?", "partner_id": customer.partner_id.id})
        ticket.action_request_clarification(question="Which of your sites is down?")
        self.assertEqual(ticket.state, "scoping")
        self.authenticate("customer.globex", "customer.globex")
        page = self.url_open("/my/ticket/%s" % ticket.id)
        self.assertEqual(page.status_code, 200)
        self.assertIn("Which of your sites is down?", page.text)
        self.assertNotIn("Next answer due", page.text, "the ball is in the customer's court")
