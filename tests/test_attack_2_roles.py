# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Security review, Wave 2 · 2, finding 2: each lifecycle step is done by its role, whatever
the path. Played over JSON-RPC (``/web/dataset/call_kw``), as the web client or a script
logged in as that role sends it: every wrong role gets a clean error and the ticket is
re-read unchanged; then the right role does the same step, so a test cannot pass by
everything being refused.
"""
from odoo.tests.common import at_install, post_install

from odoo.addons.tktit_helpdesk.tests.attacker import AttackCase
from odoo.addons.tktit_helpdesk.tests.fixtures import new_user

MANAGER = "tktit_helpdesk.group_helpdesk_manager"
QC = "tktit_helpdesk.group_helpdesk_qc"
COMMITTEE = "tktit_helpdesk.group_helpdesk_committee"
RESOLUTION = "<p>Replaced the fuser.</p>"
MODEL = "helpdesk.ticket"

# (transition, state it starts from, extra args (role names become user ids), state it
# leads to, the right role, the wrong roles); roles are attributes of the fixture
OPERATIONS_STEPS = [
    ("action_request_clarification", "new", [], "scoping", "operator",
     ("expert_1", "qc", "committee", "customer_a")),
    ("action_send_to_dispatch", "new", [], "dispatch", "operator",
     ("expert_1", "expert_2", "qc", "committee", "customer_a")),
    ("action_assign", "dispatch", ["@expert_1"], "in_progress", "operator",
     ("expert_1", "expert_2", "qc", "committee", "customer_a")),
    ("action_close", "in_progress", [], "closed", "operator",
     ("expert_1", "qc", "committee", "customer_a")),
    ("action_cancel", "in_progress", [], "cancelled", "operator",
     ("expert_1", "qc", "committee", "customer_a")),
]
EXPERT_STEPS = [
    ("action_work_completed", "in_progress", [], "work_completed", "expert_1",
     ("expert_2", "outsider", "operator", "qc", "committee", "customer_a")),
    ("action_customer_unreachable", "in_progress", [], "dispatch", "expert_1",
     ("expert_2", "operator", "qc", "committee", "customer_a")),
]
REVIEW_STEPS = [
    ("action_qc_approve", "work_completed", [], "final_review", "qc",
     ("operator", "expert_1", "expert_2", "committee", "customer_a")),
    ("action_qc_reject", "work_completed", ["Redo the fuser"], "in_progress", "qc",
     ("operator", "expert_1", "committee", "customer_a")),
    ("action_final_approve", "final_review", [], "delivered", "committee",
     ("operator", "qc", "expert_1", "customer_a")),
    ("action_customer_confirm", "delivered", [True], "closed", "customer_a",
     ("operator", "expert_1", "qc", "committee", "customer_b")),
]


@at_install(False)
@post_install(True)
class TestAttackRoles(AttackCase):

    def setUp(self):
        super(TestAttackRoles, self).setUp()
        self.manager = new_user(self.env, "hd.manager", [MANAGER], password="hd.manager")
        self.checkpoint()

    # ------------------------------------------------------------ helpers
    def ticket(self, state):
        """A ticket in ``state``; one in progress already has the expert's resolution."""
        ticket = self.ticket_in(state)
        if state in ("in_progress", "awaiting_customer"):
            ticket.write({"resolution": RESOLUTION})
        self.checkpoint()
        return ticket

    def snapshot(self, ticket):
        ticket.invalidate_cache()
        return {name: ticket[name] for name in (
            "state", "user_id", "partner_id", "fee_amount", "satisfaction", "priority",
            "impact", "severity", "queue_id", "resolution", "closed_on")}

    def messages_of(self, ticket):
        return self.env["mail.message"].search(
            [("model", "=", MODEL), ("res_id", "=", ticket.id)])

    def args_for(self, ticket, extra):
        return [[ticket.id]] + [getattr(self, a[1:]).id if isinstance(a, str) and
                                a.startswith("@") else a for a in extra]

    def play_steps(self, steps):
        for method, start, extra, target, right, wrongs in steps:
            ticket = self.ticket(start)
            before = self.snapshot(ticket)
            for wrong in wrongs:
                payload = self.call_kw(MODEL, method, self.args_for(ticket, extra),
                                       as_user=getattr(self, wrong))
                self.assert_refused(payload, "%s calling %s on a %s ticket" % (
                    wrong, method, start), error_names=("AccessError",))
                self.assertEqual(self.snapshot(ticket), before,
                                 "%s's refused %s must leave the ticket as it was" % (
                                     wrong, method))
            payload = self.call_kw(MODEL, method, self.args_for(ticket, extra),
                                   as_user=getattr(self, right))
            self.assertEqual(payload.get("result"), True, "%s must be able to do %s on a %s "
                             "ticket: %s" % (right, method, start, payload))
            ticket.invalidate_cache()
            self.assertEqual(ticket.state, target, "%s by %s must lead from %s to %s" % (
                method, right, start, target))

    # --------------------------------------------------------- transitions
    def test_operations_steps_only_by_operations(self):
        self.play_steps(OPERATIONS_STEPS)

    def test_expert_steps_only_by_the_assigned_expert(self):
        self.play_steps(EXPERT_STEPS)

    def test_review_steps_only_by_their_reviewers(self):
        self.play_steps(REVIEW_STEPS)

    def test_kanban_drop_is_no_way_around_the_role(self):
        ticket = self.ticket("work_completed")
        for who in ("expert_1", "operator"):
            payload = self.call_kw(MODEL, "write", [[ticket.id], {"state": "final_review"}],
                                   {"context": {"tktit_kanban_drop": True}},
                                   as_user=getattr(self, who))
            self.assert_refused(payload, "%s dropping the card on Final Review" % who,
                                error_names=("AccessError",))
            ticket.invalidate_cache()
            self.assertEqual(ticket.state, "work_completed",
                             "%s's drop must not approve the work" % who)
        payload = self.call_kw(MODEL, "write", [[ticket.id], {"state": "final_review"}],
                               {"context": {"tktit_kanban_drop": True}}, as_user=self.qc)
        self.assertEqual(payload.get("result"), True,
                         "quality control's drop must approve: %s" % payload)
        ticket.invalidate_cache()
        self.assertEqual(ticket.state, "final_review", "QC's drop leads to Final Review")

    def test_reviewer_cannot_approve_their_own_work(self):
        reviewer = new_user(self.env, "rev.expert", [QC, COMMITTEE], password="rev.expert")
        self.queue.write({"member_ids": [(4, reviewer.id)]})
        ticket = self.ticket_in("dispatch")
        ticket.sudo(self.operator).action_assign(reviewer)
        ticket.write({"resolution": RESOLUTION})
        ticket.sudo(reviewer).action_work_completed()
        self.checkpoint()
        payload = self.call_kw(MODEL, "action_qc_approve", [[ticket.id]], as_user=reviewer)
        message = self.assert_refused(payload, "a QC reviewer approving the work they did",
                                      error_names=("AccessError",))
        self.assertIn("your own work", message, "the refusal must say why: %s" % message)
        ticket.invalidate_cache()
        self.assertEqual(ticket.state, "work_completed",
                         "the reviewer's own work must stay in quality control")
        payload = self.call_kw(MODEL, "action_qc_approve", [[ticket.id]], as_user=self.qc)
        self.assertEqual(payload.get("result"), True,
                         "another QC reviewer must approve it: %s" % payload)
        payload = self.call_kw(MODEL, "action_final_approve", [[ticket.id]], as_user=reviewer)
        self.assert_refused(payload, "a committee member giving final approval to their "
                            "own work", error_names=("AccessError",))
        ticket.invalidate_cache()
        self.assertEqual(ticket.state, "final_review",
                         "the reviewer's own work must wait for another committee member")
        payload = self.call_kw(MODEL, "action_final_approve", [[ticket.id]],
                               as_user=self.committee)
        self.assertEqual(payload.get("result"), True,
                         "another committee member must approve it: %s" % payload)
        ticket.invalidate_cache()
        self.assertEqual(ticket.state, "delivered", "then the work is delivered")

    def test_manager_keeps_every_right(self):
        ticket = self.ticket("in_progress")
        self.authenticate_as(self.manager)
        for method, target in (("action_work_completed", "work_completed"),
                               ("action_qc_approve", "final_review"),
                               ("action_final_approve", "delivered")):
            payload = self.call_kw(MODEL, method, [[ticket.id]])
            self.assertEqual(payload.get("result"), True,
                             "a helpdesk manager must be able to do %s: %s" % (method, payload))
            ticket.invalidate_cache()
            self.assertEqual(ticket.state, target, "the manager's %s leads to %s" % (
                method, target))
        payload = self.call_kw(MODEL, "write", [[ticket.id], {"fee_amount": 75.0}])
        self.assertEqual(payload.get("result"), True,
                         "a helpdesk manager must be able to set the fee: %s" % payload)

    # ---------------------------------------------------- fields and fees
    def test_expert_cannot_write_operations_fields(self):
        ticket = self.ticket("in_progress")
        ticket.write({"fee_amount": 100.0})
        self.checkpoint()
        before = self.snapshot(ticket)
        attacks = [
            ({"fee_amount": 9999.0}, "setting the fee", "AccessError"),
            ({"partner_id": self.customer_b.partner_id.id}, "changing the customer",
             "AccessError"),
            ({"satisfaction": "satisfied"}, "setting the customer's satisfaction",
             "AccessError"),
            ({"user_id": self.expert_2.id}, "reassigning the ticket", "AccessError"),
            ({"priority": "4"}, "raising the priority", "AccessError"),
            ({"impact": "high", "severity": "critical"}, "triaging", "AccessError"),
            ({"queue_id": self.queue_other.id}, "moving it to another queue",
             "AccessError"),
            ({"state": "closed"}, "closing it by a write", "UserError"),
        ]
        self.authenticate_as(self.expert_1)
        for values, what, error in attacks:
            payload = self.call_kw(MODEL, "write", [[ticket.id], values])
            self.assert_refused(payload, "the assigned expert %s" % what, error_names=(error,))
            self.assertEqual(self.snapshot(ticket), before,
                             "the expert's refused write (%s) must change nothing" % what)
        payload = self.call_kw(MODEL, "write", [[ticket.id], {
            "resolution": "<p>Replaced the fuser and the drum.</p>"}])
        self.assertEqual(payload.get("result"), True,
                         "the assigned expert must be able to write the resolution: %s"
                         % payload)
        for who in (self.expert_2, self.qc):
            payload = self.call_kw(MODEL, "write", [[ticket.id], {"priority": "4"}],
                                   as_user=who)
            self.assert_refused(payload, "%s raising the priority" % who.login,
                                error_names=("AccessError",))
        payload = self.call_kw(MODEL, "write", [[ticket.id], {"resolution": "<p>mine</p>"}],
                               as_user=self.expert_2)
        self.assert_refused(payload, "expert 2 rewriting the resolution of expert 1's ticket",
                            error_names=("AccessError",))
        ticket.invalidate_cache()
        self.assertIn("drum", ticket.resolution, "expert 1's resolution must stay")
        self.assertEqual(ticket.priority, before["priority"], "the priority must stay")

    def test_fees_and_triage_only_by_operations(self):
        ticket = self.ticket("new")
        payload = self.call_kw(MODEL, "action_send_to_dispatch", [[ticket.id]],
                               {"fee_amount": 500.0}, as_user=self.expert_1)
        self.assert_refused(payload, "an expert quoting a fee through Send to Dispatch",
                            error_names=("AccessError",))
        ticket.invalidate_cache()
        self.assertEqual((ticket.state, ticket.fee_amount), ("new", 0.0),
                         "the expert's refused quote must leave the ticket new, with no fee")
        self.authenticate_as(self.operator)
        payload = self.call_kw(MODEL, "write", [[ticket.id], {
            "impact": "high", "severity": "critical", "priority": "4"}])
        self.assertEqual(payload.get("result"), True,
                         "operations must be able to triage: %s" % payload)
        payload = self.call_kw(MODEL, "action_send_to_dispatch", [[ticket.id]],
                               {"fee_amount": 120.0})
        self.assertEqual(payload.get("result"), True,
                         "operations must be able to quote the fee: %s" % payload)
        ticket.invalidate_cache()
        # with a fee, the ticket waits for the customer's PayPal hold before dispatch
        self.assertEqual((ticket.state, ticket.fee_amount, ticket.priority,
                          ticket.fee_quote_open), ("new", 120.0, "4", True),
                         "operations' triage and quote must be recorded")

    # ------------------------------------------------- replies and notes
    def test_unassigned_expert_cannot_answer_the_customer(self):
        ticket = self.ticket("in_progress")
        comment = self.env.ref("mail.mt_comment")
        count = len(self.messages_of(ticket))
        self.authenticate_as(self.expert_2)
        for kwargs, what in (
                ({"subtype": "mail.mt_comment"}, "a reply (subtype mail.mt_comment)"),
                ({"subtype_id": comment.id}, "a reply (subtype_id of comments)")):
            kwargs = dict(kwargs, body="<p>Expert 2 here, I take over.</p>",
                          message_type="comment")
            payload = self.call_kw(MODEL, "message_post", [[ticket.id]], kwargs)
            self.assert_refused(payload, "expert 2 (same queue, not assigned) posting %s"
                                % what, error_names=("AccessError",))
        payload = self.call_kw(MODEL, "action_work_completed", [[ticket.id]])
        self.assert_refused(payload, "expert 2 marking expert 1's work completed",
                            error_names=("AccessError",))
        self.assertEqual(len(self.messages_of(ticket)), count,
                         "expert 2's refused replies must post nothing")
        ticket.invalidate_cache()
        self.assertEqual((ticket.state, ticket.last_support_reply_on),
                         ("in_progress", False),
                         "expert 2's refused reply must not count as support's answer")
        # an internal note is every queue member's right
        payload = self.call_kw(MODEL, "message_post", [[ticket.id]], {
            "body": "<p>Seen this before: check the drum.</p>", "message_type": "comment",
            "subtype": "mail.mt_note"})
        self.assertTrue(isinstance(payload.get("result"), int),
                        "expert 2 must be able to post an internal note: %s" % payload)
        note = self.env["mail.message"].browse(payload["result"])
        self.assertTrue(note.subtype_id.internal, "expert 2's note must stay internal")
        ticket.invalidate_cache()
        self.assertEqual(ticket.state, "in_progress", "a note is no answer to the customer")
        # the assigned expert answers
        payload = self.call_kw(MODEL, "message_post", [[ticket.id]], {
            "body": "<p>Can you send a photo?</p>", "message_type": "comment",
            "subtype": "mail.mt_comment"}, as_user=self.expert_1)
        self.assertTrue(isinstance(payload.get("result"), int),
                        "expert 1 (assigned) must be able to answer: %s" % payload)
        ticket.invalidate_cache()
        self.assertEqual(ticket.state, "awaiting_customer",
                         "expert 1's answer puts the ticket in the customer's court")

    def test_unassigned_expert_cannot_answer_by_creating_the_message(self):
        """The same reply, as a ``mail.message`` created over RPC with the ticket as its
        document (Odoo lets whoever reads a document with ``_mail_post_access = read``
        create its messages, and notifies the followers: the customer)."""
        ticket = self.ticket("in_progress")
        comment = self.env.ref("mail.mt_comment")
        count = len(self.messages_of(ticket))
        customer = self.customer_a.partner_id
        mails = self.env["mail.mail"].search_count([("recipient_ids", "in", customer.ids)])
        payload = self.call_kw("mail.message", "create", [{
            "model": MODEL, "res_id": ticket.id, "body": "<p>Expert 2 here, I take over.</p>",
            "message_type": "comment", "subtype_id": comment.id}], as_user=self.expert_2)
        self.assert_refused(payload, "expert 2 (same queue, not assigned) creating a "
                            "customer-visible mail.message on expert 1's ticket",
                            error_names=("AccessError",))
        self.assertEqual(len(self.messages_of(ticket)), count,
                         "expert 2's refused message must not be on the ticket")
        self.assertEqual(
            self.env["mail.mail"].search_count([("recipient_ids", "in", customer.ids)]),
            mails, "the customer must not be mailed expert 2's refused answer")
        # the assigned expert's own comment, by the same path, is theirs to write
        payload = self.call_kw("mail.message", "create", [{
            "model": MODEL, "res_id": ticket.id, "body": "<p>Expert 1 here.</p>",
            "message_type": "comment", "subtype_id": comment.id}], as_user=self.expert_1)
        self.assertTrue(isinstance(payload.get("result"), int),
                        "expert 1 (assigned) may still create their message: %s" % payload)
