"""Canned answers: the reply wizard, most used first, per category, and a ticket's
resolution saved as a new canned answer."""
from odoo.exceptions import AccessError, UserError
from odoo.tools.safe_eval import safe_eval

from .common import MailSinkMixin
from .helpdesk_common import HelpdeskCase


class TestCannedAnswers(MailSinkMixin, HelpdeskCase):

    @classmethod
    def setUpClass(cls):
        super(TestCannedAnswers, cls).setUpClass()
        Answer = cls.env["helpdesk.canned.answer"]
        # Only this test's answers: the demo ones would blur the ordering checks.
        Answer.search([]).write({"active": False})
        cls.restart = Answer.create({
            "name": "Restart the router", "category": "technical",
            "body": "<p>Please restart your router and wait two minutes.</p>"})
        cls.cabling = Answer.create({
            "name": "Check the cabling", "category": "technical",
            "body": "<p>Please check that the cable is plugged in.</p>"})
        cls.greeting = Answer.create({
            "name": "We are on it", "category": False,
            "body": "<p>Thank you, we are looking into it.</p>"})
        cls.invoice = Answer.create({
            "name": "Invoice copy", "category": "financial",
            "body": "<p>A copy of your invoice is attached.</p>"})

    def wizard(self, ticket, user, **values):
        Reply = self.env["helpdesk.ticket.reply"].sudo(user).with_context(active_id=ticket.id)
        return Reply.create(values)

    def offered(self, ticket, user):
        """The canned answers the wizard offers for ``ticket``, in the order shown."""
        field = self.env["helpdesk.ticket.reply"]._fields["canned_answer_id"]
        domain = safe_eval(field.domain, {"category": ticket.category,
                                          "queue_id": ticket.queue_id.id})
        Answer = self.env["helpdesk.canned.answer"].sudo(user)
        return Answer.browse([i for i, _name in Answer.name_search("", domain, limit=None)])

    def test_reply_wizard_posts_answer_to_customer_and_counts_use(self):
        ticket = self.ticket_in("in_progress")
        self.mail_sink.flush(self.env)
        wizard = self.env["helpdesk.ticket.reply"].sudo(self.expert_1).with_context(
            active_id=ticket.id).new({"canned_answer_id": self.restart.id})
        wizard._onchange_canned_answer_id()
        self.assertEqual(wizard.body, self.restart.body, "choosing the answer fills the reply")
        # the agent may adapt the text before sending
        reply = self.wizard(ticket, self.expert_1, canned_answer_id=self.restart.id,
                            body="<p>Please restart your router (the grey one).</p>")
        self.assertEqual(reply.ticket_id, ticket)
        self.assertEqual(reply.category, "technical")
        reply.action_send()
        message = ticket.message_ids.filtered(lambda m: "grey one" in (m.body or ""))
        self.assertEqual(len(message), 1)
        self.assertEqual(message.author_id, self.expert_1.partner_id)
        self.assertEqual(message.subtype_id, self.env.ref("mail.mt_comment"),
                         "a discussion message, not an internal note")
        self.assertEqual(ticket.state, "awaiting_customer", "a support reply")
        self.assertEqual(self.restart.use_count, 1)
        self.assertEqual(self.cabling.use_count, 0)
        mails = [m for m in self.mail_sink.flush(self.env)
                 if "cust.a@org-a.example" in m.to]
        self.assertEqual(len(mails), 1, "the answer reaches the customer by mail")
        self.assertIn("grey one", mails[0].body)
        # a second use of the same answer counts again
        self.wizard(ticket, self.expert_1, canned_answer_id=self.restart.id,
                    body=self.restart.body).action_send()
        self.assertEqual(self.restart.use_count, 2)

    def test_reply_without_canned_answer_counts_nothing(self):
        ticket = self.ticket_in("in_progress")
        self.wizard(ticket, self.expert_1, body="<p>Free text answer</p>").action_send()
        self.assertTrue(ticket.message_ids.filtered(
            lambda m: "Free text answer" in (m.body or "")))
        self.assertEqual(
            (self.restart + self.cabling + self.greeting).mapped("use_count"), [0, 0, 0])

    def test_most_used_answers_come_first(self):
        ticket = self.ticket_in("in_progress")
        self.assertEqual(self.offered(ticket, self.expert_1)[:1], self.cabling,
                         "unused answers by name: Check the cabling, Restart the router, ...")
        for _i in range(2):
            self.wizard(ticket, self.expert_1, canned_answer_id=self.greeting.id,
                        body=self.greeting.body).action_send()
        self.wizard(ticket, self.expert_1, canned_answer_id=self.restart.id,
                    body=self.restart.body).action_send()
        self.assertEqual(list(self.offered(ticket, self.expert_1)),
                         [self.greeting, self.restart, self.cabling])

    def test_answers_offered_per_category(self):
        technical = self.ticket_in("in_progress")
        self.assertEqual(set(self.offered(technical, self.expert_1)),
                         {self.restart, self.cabling, self.greeting},
                         "technical answers and the ones for every category")
        financial = self.new_ticket(category="financial")
        self.assertEqual(set(self.offered(financial, self.operator)),
                         {self.invoice, self.greeting})
        self.assertNotIn(self.restart, self.offered(financial, self.operator))

    def test_empty_reply_refused(self):
        ticket = self.ticket_in("in_progress")
        before = len(ticket.message_ids)
        for body in (False, "<p><br></p>", "<p>   </p>"):
            with self.assertRaisesRegex(UserError, "Write a reply"):
                self.wizard(ticket, self.expert_1, body=body).action_send()
        with self.assertRaisesRegex(UserError, "Write a reply"):
            self.wizard(ticket, self.expert_1, canned_answer_id=self.restart.id,
                        body="").action_send()
        self.assertEqual(len(ticket.message_ids), before, "nothing posted")
        self.assertEqual(ticket.state, "in_progress")
        self.assertEqual(self.restart.use_count, 0, "a refused reply is not a use")

    def test_save_resolution_as_canned_answer(self):
        ticket = self.ticket_in("delivered", category="technical")
        action = ticket.sudo(self.expert_1).action_create_canned_answer()
        self.assertEqual((action["res_model"], action["view_mode"]),
                         ("helpdesk.canned.answer", "form"))
        answer = self.env["helpdesk.canned.answer"].browse(action["res_id"])
        self.assertEqual(answer.name, ticket.name)
        self.assertEqual(answer.body, ticket.resolution)
        self.assertEqual(answer.category, "technical")
        self.assertEqual(answer.source_ticket_id, ticket)
        self.assertEqual(answer.use_count, 0)
        other = self.new_ticket()
        self.assertNotIn(answer, self.offered(other, self.expert_1),
                         "an answer made from a ticket may quote the customer: not offered "
                         "before operations reviewed it")
        with self.assertRaises(AccessError, msg="the expert does not review their own copy"):
            answer.sudo(self.expert_1).action_mark_reviewed()
        answer.sudo(self.operator).action_mark_reviewed()
        self.assertIn(answer, self.offered(other, self.expert_1),
                      "offered on the next ticket of the category once reviewed")

    def test_save_as_canned_answer_needs_a_resolution(self):
        ticket = self.new_ticket()
        count = self.env["helpdesk.canned.answer"].search_count([])
        for resolution in (False, "<p> </p>"):
            ticket.resolution = resolution
            with self.assertRaisesRegex(UserError, "Write the resolution first"):
                ticket.sudo(self.operator).action_create_canned_answer()
        self.assertEqual(self.env["helpdesk.canned.answer"].search_count([]), count)
