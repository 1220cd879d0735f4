from odoo.exceptions import ValidationError

from .helpdesk_common import HelpdeskCase


class TestTicket(HelpdeskCase):

    def test_number_from_sequence_and_unique(self):
        first = self.new_ticket()
        second = self.new_ticket()
        self.assertTrue(first.number.startswith("TK"), "number comes from the ir.sequence")
        self.assertNotEqual(first.number, second.number, "each ticket gets its own number")
        self.assertIn(first.number, first.display_name, "the reference names the ticket")

    def test_defaults(self):
        ticket = self.new_ticket()
        self.assertEqual(ticket.state, "new")
        self.assertEqual(ticket.priority, "1", "Normal priority by default")
        self.assertEqual(ticket.portal_state, "awaiting_response")
        self.assertEqual(ticket.commercial_partner_id, self.org_a)
        self.assertTrue(ticket.access_token)
        self.assertIn(self.customer_a.partner_id, ticket.message_partner_ids,
                      "the customer follows the ticket to get its mails")

    def test_queue_routed_from_scope_and_stream(self):
        self.assertEqual(self.new_ticket().queue_id, self.queue)
        other = self.new_ticket(specialization_id=self.spec_other.id)
        self.assertEqual(other.queue_id, self.queue_other)

    def test_priority_from_triage_matrix(self):
        ticket = self.new_ticket(impact="high", severity="critical")
        self.assertEqual(ticket.priority, "4", "high impact x critical severity is Critical")
        ticket.write({"impact": "low", "severity": "minor"})
        self.assertEqual(ticket.priority, "0")
        cell = self.env.ref("tktit_helpdesk.priority_matrix_low_minor")
        cell.priority = "2"
        self.assertEqual(self.new_ticket(impact="low", severity="minor").priority, "2",
                         "operations can tune the matrix")

    def test_unknown_priority_refused(self):
        with self.assertRaisesRegex(ValidationError, "not a valid Priority"):
            self.new_ticket(priority="9")

    def test_unknown_category_refused(self):
        with self.assertRaisesRegex(ValidationError, "not a valid Category"):
            self.new_ticket(category="plumbing")

    def test_empty_subject_refused(self):
        with self.assertRaisesRegex(ValidationError, "subject"):
            self.new_ticket(name="   ")
        ticket = self.new_ticket()
        with self.assertRaisesRegex(ValidationError, "subject"):
            ticket.write({"name": ""})

    def test_stream_must_match_scope(self):
        other_tech = self.env["helpdesk.technology"].create({"name": "Other", "code": "OT"})
        with self.assertRaises(ValidationError):
            self.new_ticket(technology_id=other_tech.id)

    def test_description_is_sanitized(self):
        ticket = self.new_ticket(description="<p>hi</p><script>alert(1)</script>")
        self.assertNotIn("<script", ticket.description)
        self.assertIn("hi", ticket.description)

    def test_incident_history(self):
        old = self.new_ticket(name="Old incident")
        colleague = self.new_ticket(customer=self.customer_a2, name="Colleague's incident")
        foreign = self.new_ticket(customer=self.customer_b, name="Other org")
        current = self.new_ticket(name="Current")
        history = current.history_ticket_ids
        self.assertIn(old, history)
        self.assertIn(colleague, history, "history is per organisation, not per contact")
        self.assertNotIn(foreign, history)
        self.assertNotIn(current, history)
        self.assertEqual(current.history_count, len(history))

    def test_name_search_by_number_or_subject(self):
        ticket = self.new_ticket(name="Unique gizmo failure")
        self.assertIn(ticket.id, [r[0] for r in self.Ticket.name_search(ticket.number)])
        self.assertIn(ticket.id, [r[0] for r in self.Ticket.name_search("gizmo")])

    def test_triage_on_write_uses_the_other_existing_input(self):
        ticket = self.new_ticket(impact="medium", severity="minor")
        self.assertEqual(ticket.priority, "1")
        ticket.write({"severity": "critical"})
        self.assertEqual(ticket.priority, "3", "medium impact x critical severity is Urgent")

    def test_changing_the_stream_reroutes_an_unassigned_ticket(self):
        ticket = self.new_ticket()
        self.assertEqual(ticket.queue_id, self.queue)
        ticket.write({"specialization_id": self.spec_other.id})
        self.assertEqual(ticket.queue_id, self.queue_other)

    def test_who_spoke_last_derived_for_older_tickets(self):
        """Tickets from before customer_awaits_reply get it from their timestamps."""
        answered, waiting, silent = self.new_ticket(), self.new_ticket(), self.new_ticket()
        self.env.cr.execute("""
            UPDATE helpdesk_ticket SET customer_awaits_reply = NULL,
                   last_customer_message_on = CASE WHEN id = %(silent)s THEN NULL
                                                   ELSE TIMESTAMP '2024-03-04 10:00:00' END,
                   last_support_reply_on = CASE WHEN id = %(answered)s
                                                THEN TIMESTAMP '2024-03-04 11:00:00'
                                                ELSE TIMESTAMP '2024-03-04 09:00:00' END
             WHERE id IN %(ids)s""", {"silent": silent.id, "answered": answered.id,
                                      "ids": (answered | waiting | silent)._ids})
        # what the upgrade that adds the column runs
        self.Ticket._init_column("customer_awaits_reply")
        (answered | waiting | silent).invalidate_cache()
        self.assertEqual((answered | waiting | silent).mapped("customer_awaits_reply"),
                         [False, True, False])
        self.env.cr.execute("SELECT count(*) FROM helpdesk_ticket "
                            "WHERE customer_awaits_reply IS NULL")
        self.assertEqual(self.env.cr.fetchone()[0], 0)
