"""Record rules of experts at HTTP level: the backend's JSON-RPC (what the web client
calls) gives an expert outside the ticket's queue no rows and a clean access error,
never the ticket's data nor a traceback page; an expert of the queue reads it."""
from odoo.tests.common import at_install, post_install
from odoo.tools import mute_logger

from .common import HttpCase
from .helpdesk_common import new_user

SECRET = "Core router password leak at Org Q"


@at_install(False)
@post_install(True)
class TestExpertAccessHttp(HttpCase):

    def setUp(self):
        super(TestExpertAccessHttp, self).setUp()
        env = self.env
        expert = "tktit_helpdesk.group_helpdesk_expert"
        self.member = new_user(env, "http.expert.in", [expert], password="http.expert.in")
        self.outsider = new_user(env, "http.expert.out", [expert], password="http.expert.out")
        tech = env["helpdesk.technology"].create({"name": "HTTP Tech", "code": "HT"})
        spec = env["helpdesk.specialization"].create(
            {"name": "HTTP Stream", "code": "HS", "technology_id": tech.id})
        other = env["helpdesk.specialization"].create(
            {"name": "HTTP Other", "code": "HO", "technology_id": tech.id})
        self.queue = env["helpdesk.queue"].create({
            "name": "HTTP Queue", "technology_id": tech.id, "specialization_id": spec.id,
            "alias_name": "http-queue", "member_ids": [(6, 0, self.member.ids)]})
        self.other_queue = env["helpdesk.queue"].create({
            "name": "HTTP Other Queue", "technology_id": tech.id,
            "specialization_id": other.id, "alias_name": "http-other-queue",
            "member_ids": [(6, 0, self.outsider.ids)]})
        org = env["res.partner"].create({"name": "Org Q", "is_company": True})
        customer = env["res.partner"].create({"name": "Quinn", "parent_id": org.id,
                                              "email": "quinn@org-q.example"})
        self.ticket = env["helpdesk.ticket"].create({
            "name": SECRET, "partner_id": customer.id, "technology_id": tech.id,
            "specialization_id": spec.id})
        self.assertEqual(self.ticket.queue_id, self.queue)
        self.outsider_ticket = env["helpdesk.ticket"].create({
            "name": "Outsider's own ticket", "partner_id": customer.id,
            "technology_id": tech.id, "specialization_id": other.id})

    def call_kw(self, model, method, args, kwargs=None):
        """POST a JSON-RPC call_kw with the session's cookie; return (response, payload)."""
        self.checkpoint()
        try:
            response = self.opener.post(self.url("/web/dataset/call_kw/%s/%s" % (model, method)),
                                        json={"jsonrpc": "2.0", "method": "call", "id": 1,
                                              "params": {"model": model, "method": method,
                                                         "args": args,
                                                         "kwargs": kwargs or {}}},
                                        timeout=10)
        finally:
            self.env.cache.invalidate()
        self.assertEqual(response.status_code, 200, "a JSON answer, not an error page")
        self.assertIn("application/json", response.headers.get("Content-Type", ""))
        return response, response.json()

    def assert_access_error(self, response, payload):
        self.assertNotIn("result", payload)
        error = payload.get("error")
        self.assertTrue(error, payload)
        self.assertEqual(error["data"]["name"], "odoo.exceptions.AccessError")
        self.assertEqual(error["data"]["exception_type"], "access_error")
        self.assertNotIn(SECRET, response.text, "nothing of the ticket leaks")

    def test_expert_outside_the_queue_gets_nothing(self):
        self.authenticate("http.expert.out", "http.expert.out")
        ticket_domain = [["id", "=", self.ticket.id]]
        _response, payload = self.call_kw(
            "helpdesk.ticket", "search_read", [ticket_domain, ["name", "number"]])
        self.assertEqual(payload.get("result"), [], "no rows: %s" % payload)
        _response, payload = self.call_kw("helpdesk.ticket", "search_read", [[], ["name"]])
        names = [row["name"] for row in payload["result"]]
        self.assertNotIn(SECRET, names)
        self.assertIn("Outsider's own ticket", names, "their own queue's tickets they see")
        _response, payload = self.call_kw("helpdesk.ticket", "search_count", [ticket_domain])
        self.assertEqual(payload.get("result"), 0)
        _response, payload = self.call_kw(
            "helpdesk.ticket", "name_search", [], {"name": SECRET[:10]})
        self.assertEqual(payload.get("result"), [])

        with mute_logger("odoo.addons.base.ir.ir_model", "odoo.models", "odoo.http"):
            self.assert_access_error(*self.call_kw(
                "helpdesk.ticket", "read", [[self.ticket.id], ["name", "description"]]))
            self.assert_access_error(*self.call_kw(
                "helpdesk.ticket", "write", [[self.ticket.id], {"priority": "4"}]))
            self.assert_access_error(*self.call_kw(
                "helpdesk.ticket", "message_post", [[self.ticket.id]],
                {"body": "snooping", "message_type": "comment",
                 "subtype": "mail.mt_comment"}))
        self.assertEqual(self.ticket.priority, "1", "nothing written")
        self.assertFalse(self.ticket.message_ids.filtered(
            lambda m: "snooping" in (m.body or "")), "nothing posted")

    def test_expert_of_the_queue_reads_the_ticket(self):
        self.authenticate("http.expert.in", "http.expert.in")
        _response, payload = self.call_kw(
            "helpdesk.ticket", "search_read", [[["id", "=", self.ticket.id]], ["name"]])
        self.assertEqual([row["name"] for row in payload["result"]], [SECRET])
        _response, payload = self.call_kw(
            "helpdesk.ticket", "read", [[self.ticket.id], ["name", "queue_id", "state"]])
        self.assertNotIn("error", payload)
        self.assertEqual(payload["result"][0]["name"], SECRET)
        self.assertEqual(payload["result"][0]["queue_id"][0], self.queue.id)
        _response, payload = self.call_kw("helpdesk.ticket", "search_read", [[], ["name"]])
        self.assertNotIn("Outsider's own ticket", [row["name"] for row in payload["result"]],
                         "the other queue's ticket stays hidden from this expert too")

    def test_expert_keeps_the_ticket_assigned_to_them(self):
        """Assigned, then the ticket moves to another queue: the assignee still reads it."""
        self.ticket.action_send_to_dispatch()
        self.ticket.action_assign(self.member)
        # operations move it (the expert briefly in both queues), then the expert leaves
        self.other_queue.write({"member_ids": [(4, self.member.id)]})
        self.ticket.write({"queue_id": self.other_queue.id})
        self.other_queue.write({"member_ids": [(3, self.member.id)]})
        self.assertEqual(self.ticket.user_id, self.member)
        self.authenticate("http.expert.in", "http.expert.in")
        _response, payload = self.call_kw(
            "helpdesk.ticket", "search_read", [[["id", "=", self.ticket.id]], ["name"]])
        self.assertEqual([row["name"] for row in payload["result"]], [SECRET])

    def test_not_logged_in_gets_a_session_error_not_a_traceback(self):
        self.opener.cookies.clear()
        response, payload = self.call_kw(
            "helpdesk.ticket", "search_read", [[["id", "=", self.ticket.id]], ["name"]])
        self.assertEqual(payload["error"]["data"]["name"], "odoo.http.SessionExpiredException")
        self.assertNotIn(SECRET, response.text)
