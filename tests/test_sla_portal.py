"""Cross-addon: the customer's ticket page says when the next answer is due."""
from odoo.tests.common import at_install, post_install

from odoo.addons.tktit_helpdesk.tests.common import HttpCase
from odoo.addons.tktit_helpdesk.tests.fixtures import make_ticket


@at_install(False)
@post_install(True)
class TestSlaOnPortal(HttpCase):

    def test_next_answer_due_shown_to_customer(self):
        customer = self.env.ref("tktit_helpdesk.user_customer_globex_demo")
        ticket = make_ticket(self.env, customer, name="When will you answer?")
        self.assertTrue(ticket.first_response_deadline, "a new ticket gets a deadline")
        self.assertTrue(ticket.sla_next_answer_due_display,
                        "a new ticket must have a next-answer time to show the customer")
        self.authenticate("customer.globex", "customer.globex")
        page = self.url_open("/my/ticket/%s" % ticket.id)
        self.assertIn("Next answer due", page.text,
                      "the customer's ticket page must say when the next answer is due")
        self.assertIn(ticket.sla_next_answer_due_display, page.text,
                      "the ticket page must show the next answer's due time")

    def test_no_answer_due_while_we_wait_on_the_customer(self):
        customer = self.env.ref("tktit_helpdesk.user_customer_globex_demo")
        ticket = make_ticket(self.env, customer, name="Which site?")
        ticket.action_request_clarification(question="Which of your sites is down?")
        self.assertEqual(ticket.state, "scoping",
                         "asking for clarification must put the ticket in scoping")
        self.authenticate("customer.globex", "customer.globex")
        page = self.url_open("/my/ticket/%s" % ticket.id)
        self.assertEqual(page.status_code, 200, "the customer's ticket page must open")
        self.assertIn("Which of your sites is down?", page.text,
                      "the customer's ticket page must show the clarification question")
        self.assertNotIn("Next answer due", page.text, "the ball is in the customer's court")
