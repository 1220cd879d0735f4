"""The SLA side of the demo's year of tickets (models/helpdesk_ticket_demo.py): every
story ticket has its customer's plan and clocks as they ran then; the closed ones met or
breached their deadlines, and those that missed one were escalated to the QA manager
at the time, between their submission and their closure."""
from odoo.tests.common import TransactionCase, at_install, post_install


@at_install(False)
@post_install(True)
class TestDemoStorySla(TransactionCase):

    def setUp(self):
        super(TestDemoStorySla, self).setUp()
        data = self.env["ir.model.data"].search([
            ("model", "=", "helpdesk.ticket"), ("name", "=like", "story_%")])
        self.story = self.env["helpdesk.ticket"].browse(data.mapped("res_id"))

    def test_plans_and_clocks(self):
        self.assertTrue(self.story)
        for ticket in self.story:
            self.assertTrue(ticket.sla_plan_id, ticket.number)
            self.assertEqual(ticket.sla_start_on, ticket.create_date, ticket.number)
            self.assertTrue(ticket.first_response_deadline, ticket.number)
            self.assertGreater(ticket.first_response_deadline, ticket.create_date)
        acme = self.env.ref("tktit_helpdesk.partner_acme_demo")
        self.assertEqual(
            set(self.story.filtered(lambda t: t.commercial_partner_id == acme).mapped(
                "sla_plan_id")),
            {self.env.ref("tktit_helpdesk_sla.support_plan_premium_demo")})
        closed = self.story.filtered(lambda t: t.state == "closed")
        self.assertEqual(set(closed.mapped("sla_state")), {"met", "breached"})
        self.assertTrue(closed.filtered(lambda t: t.sla_resolution_hours > 0))
        self.assertTrue(closed.filtered(lambda t: t.sla_first_response_hours > 0))

    def test_escalations_in_the_past(self):
        escalated = self.story.filtered("escalated")
        self.assertTrue(escalated, "some tickets were escalated to the QA manager")
        self.assertLess(len(escalated), len(self.story), "not all of them")
        manager = self.env.ref("tktit_helpdesk.user_qa_manager_demo")
        for ticket in escalated.filtered(lambda t: t.state == "closed"):
            self.assertTrue(ticket.sla_escalation_reason, ticket.number)
            self.assertLessEqual(ticket.create_date, ticket.escalated_on, ticket.number)
            self.assertLessEqual(ticket.escalated_on, ticket.closed_on, ticket.number)
            self.assertFalse(ticket.sla_alert_pending, ticket.number)
            self.assertIn(manager.partner_id, ticket.message_partner_ids, ticket.number)
            notes = ticket.message_ids.filtered(lambda m: m.date == ticket.escalated_on)
            self.assertTrue(notes, "the escalation note, dated then: %s" % ticket.number)
