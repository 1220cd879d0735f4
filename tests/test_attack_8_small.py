# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Security review, Wave 2 · 2, finding 8 ("small ones"), played over HTTP and JSON-RPC:
the portal home for an employee outside the helpdesk, canned answers kept within their
company and queue and offered only once reviewed, and the company of a ticket opened by
mail. (The portal's attachment links with a ticket's token are played by
tests/test_attack_5_uploads.py, the SLA retries by tests/test_attack_7_staff_lanes.py.)
"""
from odoo.tests.common import at_install, post_install
from odoo.tools.safe_eval import safe_eval

from odoo.addons.tktit_helpdesk.tests.attacker import AttackCase
from odoo.addons.tktit_helpdesk.tests.fixtures import new_user

ANSWER = "helpdesk.canned.answer"
MAIL = """Return-Path: <cust.a@org-a.example>
From: Customer A <cust.a@org-a.example>
To: {to}@example.com
Subject: {subject}
Message-ID: <{msgid}@org-a.example>
Content-Type: text/plain; charset="utf-8"

The printer of our second site is on fire.
"""


@at_install(False)
@post_install(True)
class TestAttackSmallOnes(AttackCase):

    def setUp(self):
        super(TestAttackSmallOnes, self).setUp()
        self.env["ir.config_parameter"].set_param("mail.catchall.domain", "example.com")
        self.company_2 = self.env["res.company"].create({"name": "Second Site Co"})
        self.checkpoint()

    def answer_names(self, user, domain=None):
        payload = self.call_kw(ANSWER, "search_read", [], {
            "domain": domain or [], "fields": ["name"]}, as_user=user)
        self.assertIn("result", payload, "%s must be able to list canned answers: %s" % (
            user.login, payload))
        return {row["name"] for row in payload["result"]}

    # -------------------------------------------------------------- /my
    def test_my_home_works_for_an_employee_outside_the_helpdesk(self):
        employee = new_user(self.env, "plain.employee", ["base.group_user"],
                            password="plain.employee")
        self.checkpoint()
        self.authenticate_as(employee)
        for path in ("/my", "/my/home"):
            response = self.opener.get(self.url(path), timeout=30)
            self.assertEqual(response.status_code, 200,
                             "an employee without a helpdesk group must open %s, got %s: %s"
                             % (path, response.status_code, response.text[-1500:]))
            for error in ("Internal Server Error", "Traceback", "AccessError",
                          "o_error_detail"):
                self.assertNotIn(error, response.text,
                                 "%s must not show an error page to that employee" % path)

    # --------------------------------------------------- canned answers
    def test_canned_answers_scoped_by_company_and_queue(self):
        Answer = self.env[ANSWER]
        body = "<p>Restart it.</p>"
        general = Answer.create({"name": "ATK8 general", "body": body})
        mine = Answer.create({"name": "ATK8 test queue", "body": body,
                              "queue_id": self.queue.id})
        other = Answer.create({"name": "ATK8 other queue", "body": body,
                               "queue_id": self.queue_other.id})
        foreign = Answer.create({"name": "ATK8 second company", "body": body,
                                 "company_id": self.company_2.id})
        self.checkpoint()
        domain = [["name", "like", "ATK8"]]
        self.assertEqual(self.answer_names(self.outsider, domain),
                         {general.name, other.name},
                         "the outsider (other queue) must see the general answers and their "
                         "queue's, neither Test Queue's nor the second company's")
        payload = self.call_kw(ANSWER, "read", [mine.ids, ["body"]])
        self.assert_refused(payload, "the outsider reading Test Queue's answer by id",
                            error_names=("AccessError",))
        payload = self.call_kw(ANSWER, "read", [foreign.ids, ["body"]])
        self.assert_refused(payload, "the outsider reading the second company's answer",
                            error_names=("AccessError",))
        self.assertEqual(self.answer_names(self.expert_1, domain), {general.name, mine.name},
                         "expert 1 (Test Queue) must see the general answers and Test "
                         "Queue's only")
        self.assertEqual(self.answer_names(self.operator, domain),
                         {general.name, mine.name, other.name},
                         "operations must see every answer of their company, not the second "
                         "company's")

    def test_answer_from_a_ticket_is_offered_once_operations_reviewed_it(self):
        ticket = self.ticket_in("in_progress", name="ATK8 fuser on fire")
        ticket.write({"resolution": "<p>Replaced the fuser of Mrs Smith's printer.</p>"})
        self.checkpoint()
        payload = self.call_kw("helpdesk.ticket", "action_create_canned_answer",
                               [ticket.ids], as_user=self.expert_1)
        answer = self.env[ANSWER].browse((payload.get("result") or {}).get("res_id"))
        self.assertTrue(answer.exists(),
                        "expert 1 must be able to save their resolution as an answer: %s"
                        % payload)
        self.assertFalse(answer.reviewed,
                         "an answer made from a ticket must wait for operations' review")
        domain = safe_eval(self.env["helpdesk.ticket.reply"]._fields["canned_answer_id"].domain,
                           {"category": ticket.category, "queue_id": ticket.queue_id.id})

        def offered(user):
            payload = self.call_kw(ANSWER, "name_search", [], {
                "name": "ATK8", "args": domain, "limit": 50}, as_user=user)
            self.assertIn("result", payload, "the reply wizard's list must answer %s: %s" % (
                user.login, payload))
            return [row[0] for row in payload["result"]]

        self.assertNotIn(answer.id, offered(self.expert_2),
                         "the unreviewed answer must not be offered in replies")
        for attack, args in (("action_mark_reviewed", [answer.ids]),
                             ("write", [answer.ids, {"reviewed": True}])):
            payload = self.call_kw(ANSWER, attack, args, as_user=self.expert_1)
            self.assert_refused(payload, "expert 1 approving their own answer by %s" % attack,
                                error_names=("AccessError",))
            answer.invalidate_cache()
            self.assertFalse(answer.reviewed, "expert 1's %s must change nothing" % attack)
        payload = self.call_kw(ANSWER, "action_mark_reviewed", [answer.ids],
                               as_user=self.operator)
        self.assertEqual(payload.get("result"), True,
                         "operations must be able to review the answer: %s" % payload)
        answer.invalidate_cache()
        self.assertTrue(answer.reviewed, "the reviewed answer is marked so")
        self.assertIn(answer.id, offered(self.expert_2),
                      "once reviewed, the answer is offered in Test Queue's replies")

    # ------------------------------------------------------ mail gateway
    def test_mailed_ticket_belongs_to_its_queues_company(self):
        queue_2 = self.env["helpdesk.queue"].create({
            "name": "Second Site Queue", "company_id": self.company_2.id,
            "technology_id": self.tech.id, "specialization_id": self.spec.id,
            "alias_name": "second-site"})
        self.checkpoint()
        Ticket = self.env["helpdesk.ticket"]
        ticket = Ticket.browse(self.env["mail.thread"].message_process(
            False, MAIL.format(to="second-site", subject="ATK8 second site", msgid="atk8-1")))
        self.assertEqual((ticket.queue_id, ticket.company_id), (queue_2, self.company_2),
                         "a ticket mailed to the second company's queue must belong to that "
                         "company, got %s" % ticket.company_id.name)
        ticket = Ticket.browse(self.env["mail.thread"].message_process(
            False, MAIL.format(to="test-queue", subject="ATK8 main site", msgid="atk8-2")))
        self.assertEqual((ticket.queue_id, ticket.company_id),
                         (self.queue, self.queue.company_id),
                         "a ticket mailed to Test Queue belongs to Test Queue's company")
