from odoo.exceptions import UserError

from .common import MailSinkMixin
from .helpdesk_common import HelpdeskCase


class TestLifecycle(MailSinkMixin, HelpdeskCase):

    def test_submission_acknowledged_by_mail(self):
        ticket = self.new_ticket()
        mails = self.mail_sink.flush(self.env)
        acks = [m for m in mails if "cust.a@org-a.example" in m.to]
        self.assertEqual(len(acks), 1, "the customer gets one acknowledgement: %s" % mails)
        self.assertIn(ticket.number, acks[0].subject)
        self.assertTrue(any("/my/ticket/%s?access_token=" % ticket.id in link
                            for link in acks[0].links()), "the mail links to the portal page")

    def test_clarification_round(self):
        ticket = self.new_ticket()
        self.mail_sink.flush(self.env)
        ticket.sudo(self.operator).action_request_clarification(
            question="Which building is affected?")
        self.assertEqual(ticket.state, "scoping")
        self.assertEqual(ticket.portal_state, "awaiting_customer")
        mails = self.mail_sink.flush(self.env)
        self.assertTrue(any("Which building" in m.body for m in mails
                            if "cust.a@org-a.example" in m.to), "the question reaches the customer")
        # the customer answers: back to operations
        ticket.sudo(self.customer_a).message_post(
            body="Building B", message_type="comment", subtype="mail.mt_comment")
        self.assertEqual(ticket.state, "new")
        # no fee: with one, the billing addon holds the ticket until the customer's
        # fee is held at PayPal (tests/test_escrow.py)
        ticket.sudo(self.operator).action_send_to_dispatch()
        self.assertEqual(ticket.state, "dispatch")

    def test_send_to_dispatch_needs_a_queue(self):
        ticket = self.new_ticket(technology_id=False, specialization_id=False)
        with self.assertRaisesRegex(UserError, "no expert queue"):
            ticket.sudo(self.operator).action_send_to_dispatch()
        self.assertEqual(ticket.state, "new", "nothing half-done")

    def test_assignment_notifies_customer_and_schedules_quality(self):
        ticket = self.ticket_in("dispatch")
        self.mail_sink.flush(self.env)
        ticket.sudo(self.operator).action_assign(self.expert_1.id)
        self.assertEqual((ticket.state, ticket.user_id), ("in_progress", self.expert_1))
        mails = self.mail_sink.flush(self.env)
        self.assertTrue(any("expert" in m.subject.lower() for m in mails
                            if "cust.a@org-a.example" in m.to), mails)
        quality = ticket.activity_ids.filtered(
            lambda a: a.activity_type_id == self.env.ref(
                "tktit_helpdesk.mail_activity_quality_assessment"))
        self.assertEqual(quality.user_id, self.operator, "operations assess the quality")
        # twice does nothing twice
        ticket.sudo(self.operator).action_assign(self.expert_1)
        self.assertEqual(len(ticket.activity_ids.filtered(
            lambda a: a.activity_type_id == quality.activity_type_id)), 1)

    def test_assign_refuses_expert_outside_queue(self):
        ticket = self.ticket_in("dispatch")
        with self.assertRaisesRegex(UserError, "not an expert of queue"):
            ticket.sudo(self.operator).action_assign(self.outsider)
        self.assertEqual(ticket.state, "dispatch")
        self.assertFalse(ticket.user_id)

    def test_assign_next_picks_least_loaded_available_expert(self):
        busy = self.ticket_in("in_progress")
        self.assertEqual(busy.user_id, self.expert_1)
        low = self.ticket_in("dispatch", priority="0")
        urgent = self.ticket_in("dispatch", priority="3")
        assigned = self.queue.sudo(self.operator).action_assign_next()
        self.assertEqual(assigned, urgent, "highest priority first")
        self.assertEqual(urgent.user_id, self.expert_2, "expert_1 already has a ticket")
        self.expert_1.helpdesk_available = False
        self.queue.sudo(self.operator).action_assign_next()
        self.assertEqual(low.user_id, self.expert_2, "unavailable experts are skipped")

    def test_dispatch_order_priority_then_age(self):
        old_normal = self.ticket_in("dispatch")
        critical = self.ticket_in("dispatch", priority="4")
        new_normal = self.ticket_in("dispatch")
        self.env.cr.execute(
            "UPDATE helpdesk_ticket SET create_date = create_date - interval '1 day' "
            "WHERE id = %s", (old_normal.id,))
        self.Ticket.invalidate_cache()
        order = self.queue._get_dispatch_tickets()
        self.assertEqual(list(order.ids[:3]), [critical.id, old_normal.id, new_normal.id])

    def test_reply_and_customer_answer_move_the_ball(self):
        ticket = self.ticket_in("in_progress")
        ticket.sudo(self.expert_1).message_post(
            body="Please try again", message_type="comment", subtype="mail.mt_comment")
        self.assertEqual(ticket.state, "awaiting_customer")
        self.assertTrue(ticket.first_support_reply_on)
        ticket.sudo(self.customer_a).message_post(
            body="Still broken", message_type="comment", subtype="mail.mt_comment")
        self.assertEqual(ticket.state, "in_progress")
        self.assertTrue(ticket.last_customer_message_on)
        # an internal note is not a reply to the customer
        ticket.sudo(self.expert_1).message_post(body="note to self", subtype="mail.mt_note")
        self.assertEqual(ticket.state, "in_progress")

    def test_customer_unreachable(self):
        ticket = self.ticket_in("in_progress", priority="3")
        created = ticket.create_date
        self.mail_sink.flush(self.env)
        ticket.sudo(self.expert_1).action_customer_unreachable()
        self.assertEqual(ticket.state, "dispatch")
        self.assertFalse(ticket.user_id)
        self.assertEqual((ticket.priority, ticket.create_date), ("3", created),
                         "keeps its priority and age in the queue")
        mails = self.mail_sink.flush(self.env)
        self.assertTrue(any("could not reach" in m.subject for m in mails
                            if "cust.a@org-a.example" in m.to), mails)

    def test_work_completed_needs_resolution(self):
        ticket = self.ticket_in("in_progress")
        with self.assertRaisesRegex(UserError, "resolution"):
            ticket.sudo(self.expert_1).action_work_completed()
        self.assertEqual(ticket.state, "in_progress")

    def test_quality_and_committee_then_delivery(self):
        ticket = self.ticket_in("work_completed")
        ticket.sudo(self.qc).action_qc_reject("Fuser part number missing")
        self.assertEqual(ticket.state, "in_progress")
        self.assertEqual(ticket.qc_reject_reason, "Fuser part number missing")
        self.assertTrue(ticket.activity_ids.filtered(lambda a: a.user_id == self.expert_1))
        with self.assertRaises(UserError):
            ticket.sudo(self.qc).action_qc_reject("  ")
        ticket.sudo(self.expert_1).action_work_completed()
        ticket.sudo(self.qc).action_qc_approve()
        self.assertEqual(ticket.state, "final_review")
        self.mail_sink.flush(self.env)
        ticket.sudo(self.committee).action_final_approve()
        self.assertEqual(ticket.state, "delivered")
        self.assertEqual(ticket.portal_state, "awaiting_customer")
        mails = [m for m in self.mail_sink.flush(self.env) if "cust.a@org-a.example" in m.to]
        self.assertEqual(len(mails), 1, mails)
        self.assertIn("Extinguished and replaced the fuser", mails[0].body,
                      "the deliverables mail carries the resolution")

    def test_customer_confirms_satisfied(self):
        ticket = self.ticket_in("delivered")
        self.mail_sink.flush(self.env)
        ticket.sudo(self.customer_a).action_customer_confirm(True, comment="Great")
        self.assertEqual((ticket.state, ticket.satisfaction), ("closed", "satisfied"))
        self.assertTrue(ticket.closed_on)
        mails = [m for m in self.mail_sink.flush(self.env) if "cust.a@org-a.example" in m.to]
        self.assertEqual(len(mails), 1)
        rating_links = [link for link in mails[0].links() if "/helpdesk/rating/" in link]
        self.assertEqual(len(rating_links), 5, "a 1 to 5 rating")
        # twice: nothing more happens
        ticket.sudo(self.customer_a).action_customer_confirm(True)
        self.assertFalse(self.mail_sink.flush(self.env))

    def test_customer_not_satisfied(self):
        ticket = self.ticket_in("delivered")
        with self.assertRaisesRegex(UserError, "what is missing"):
            ticket.sudo(self.customer_a).action_customer_confirm(False)
        ticket.sudo(self.customer_a).action_customer_confirm(False, comment="Still smells")
        self.assertEqual((ticket.state, ticket.satisfaction), ("in_progress", "dissatisfied"))
        followup = ticket.activity_ids.filtered(
            lambda a: a.activity_type_id == self.env.ref(
                "tktit_helpdesk.mail_activity_customer_followup"))
        self.assertEqual(followup.user_id, self.operator)
        self.assertTrue(ticket.activity_ids.filtered(lambda a: a.user_id == self.expert_1))

    def test_guards_give_clear_errors(self):
        ticket = self.new_ticket()
        for method, args in (("action_work_completed", ()), ("action_qc_approve", ()),
                             ("action_final_approve", ()), ("action_customer_confirm", (True,)),
                             ("action_customer_unreachable", ())):
            with self.assertRaisesRegex(UserError, "not possible for ticket"):
                getattr(ticket, method)(*args)
        self.assertEqual(ticket.state, "new")

    def test_close_and_cancel(self):
        ticket = self.ticket_in("in_progress")
        ticket.sudo(self.operator).action_close()
        self.assertEqual(ticket.state, "closed")
        ticket.sudo(self.operator).action_close()  # twice: fine
        with self.assertRaises(UserError):
            ticket.sudo(self.operator).action_cancel()
        other = self.new_ticket()
        other.sudo(self.operator).action_cancel()
        self.assertEqual(other.portal_state, "closed")

    def test_rating_from_completion_mail(self):
        ticket = self.ticket_in("delivered")
        ticket.sudo(self.customer_a).action_customer_confirm(True)
        token = ticket.rating_get_access_token()
        ticket._apply_customer_rating(4, token, feedback="Quick")
        rating = self.env["rating.rating"].search(
            [("res_model", "=", "helpdesk.ticket"), ("res_id", "=", ticket.id)])
        self.assertEqual((rating.rating, rating.consumed, rating.feedback), (8.0, True, "Quick"))
        self.assertEqual(rating.rated_partner_id, self.expert_1.partner_id)

        def rating_notes():
            return ticket.message_ids.filtered(lambda m: "Customer rating" in (m.body or ""))
        note = rating_notes()
        self.assertEqual(len(note), 1, "one note says what the customer gave")
        self.assertIn("4/5", note.body)
        self.assertIn("Quick", note.body)
        self.assertNotIn("<img", note.body, "no picture of a 0-10 value that does not exist")
        self.assertEqual(note.author_id, self.customer_a.partner_id)
        self.assertEqual(note.subtype_id, self.env.ref("mail.mt_note"), "internal")
        # the same click again (mail clients prefetch links): nothing new
        ticket._apply_customer_rating(4, token)
        self.assertEqual(len(rating_notes()), 1)
        self.assertEqual(rating.feedback, "Quick", "feedback kept")
        # the customer changes their mind: recorded once more
        ticket._apply_customer_rating(5, token, feedback="Quick and friendly")
        self.assertEqual((rating.rating, rating.feedback), (10.0, "Quick and friendly"))
        self.assertEqual(len(rating_notes()), 2)
        self.assertEqual(ticket.state, "closed", "a rating does not reopen the ticket")
        for stars, bad_token in ((0, token), (6, token), (3, "not-a-token")):
            with self.assertRaises(UserError):
                ticket._apply_customer_rating(stars, bad_token)
        self.assertEqual(rating.rating, 10.0)

    def test_reassignment_to_another_expert_of_the_queue(self):
        ticket = self.ticket_in("in_progress")
        quality_type = self.env.ref("tktit_helpdesk.mail_activity_quality_assessment")
        self.mail_sink.flush(self.env)
        ticket.sudo(self.operator).action_assign(self.expert_2)
        self.assertEqual((ticket.state, ticket.user_id), ("in_progress", self.expert_2))
        self.assertEqual(len(ticket.activity_ids.filtered(
            lambda a: a.activity_type_id == quality_type)), 1,
            "quality is assessed once per ticket, not per assignment")
        mails = self.mail_sink.flush(self.env)
        self.assertTrue([m for m in mails if "cust.a@org-a.example" in m.to
                         and "expert" in m.subject.lower()], "the customer hears of the change")
