"""Record rules of experts at HTTP level: the backend's JSON-RPC (what the web client
calls) gives an expert outside the ticket's queue no rows and a clean access error,
never the ticket's data nor a traceback page; an expert of the queue reads it."""
from odoo.tests.common import at_install, post_install
from odoo.tools import mute_logger

from .fixtures import make_ticket
from .helpdesk_common import HelpdeskHttpCase

SECRET = "Core router password leak at Org A"


@at_install(False)
@post_install(True)
class TestExpertAccessHttp(HelpdeskHttpCase):
    """expert_1 is in the ticket's queue; the outsider only in queue_other."""

    def setUp(self):
        super(TestExpertAccessHttp, self).setUp()
        self.ticket = make_ticket(self.env, self.customer_a, self.tech, self.spec, name=SECRET)
        self.assertEqual(self.ticket.queue_id, self.queue,
                         "the ticket must be routed to the queue of its scope and stream")
        self.outsider_ticket = make_ticket(self.env, self.customer_a, self.tech,
                                           self.spec_other, name="Outsider's own ticket")

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
        self.assertEqual(response.status_code, 200,
                         "%s.%s must answer in JSON, not with an error page" % (model, method))
        self.assertIn("application/json", response.headers.get("Content-Type", ""),
                      "%s.%s must answer with a JSON content type" % (model, method))
        return response, response.json()

    def assert_access_error(self, response, payload):
        self.assertNotIn("result", payload, "a refused call must return no result")
        error = payload.get("error")
        self.assertTrue(error, "a refused call must return a JSON-RPC error: %s" % payload)
        self.assertEqual(error["data"]["name"], "odoo.exceptions.AccessError",
                         "the expert must get an access error, not another failure")
        self.assertEqual(error["data"]["exception_type"], "access_error",
                         "the web client must be told it is an access error (clean dialog)")
        self.assertNotIn(SECRET, response.text,
                         "nothing of the ticket may leak in the error to the outsider")

    def test_expert_outside_the_queue_gets_nothing(self):
        self.authenticate_as(self.outsider)
        ticket_domain = [["id", "=", self.ticket.id]]
        _response, payload = self.call_kw(
            "helpdesk.ticket", "search_read", [ticket_domain, ["name", "number"]])
        self.assertEqual(payload.get("result"), [],
                         "an expert outside the queue must find no rows: %s" % payload)
        _response, payload = self.call_kw("helpdesk.ticket", "search_read", [[], ["name"]])
        names = [row["name"] for row in payload["result"]]
        self.assertNotIn(SECRET, names,
                         "another queue's ticket must not be listed to an outside expert")
        self.assertIn("Outsider's own ticket", names,
                      "the outside expert must still see their own queue's tickets")
        _response, payload = self.call_kw("helpdesk.ticket", "search_count", [ticket_domain])
        self.assertEqual(payload.get("result"), 0,
                         "counting must not reveal another queue's ticket to the expert")
        _response, payload = self.call_kw(
            "helpdesk.ticket", "name_search", [], {"name": SECRET[:10]})
        self.assertEqual(payload.get("result"), [],
                         "name_search must not reveal another queue's ticket to the expert")

        with mute_logger("odoo.addons.base.ir.ir_model", "odoo.models", "odoo.http"):
            self.assert_access_error(*self.call_kw(
                "helpdesk.ticket", "read", [[self.ticket.id], ["name", "description"]]))
            self.assert_access_error(*self.call_kw(
                "helpdesk.ticket", "write", [[self.ticket.id], {"priority": "4"}]))
            self.assert_access_error(*self.call_kw(
                "helpdesk.ticket", "message_post", [[self.ticket.id]],
                {"body": "snooping", "message_type": "comment",
                 "subtype": "mail.mt_comment"}))
        self.assertEqual(self.ticket.priority, "1",
                         "the outside expert's refused write must change nothing")
        self.assertFalse(self.ticket.message_ids.filtered(
            lambda m: "snooping" in (m.body or "")),
            "the outside expert's refused message must not be posted")

    def test_expert_of_the_queue_reads_the_ticket(self):
        self.authenticate_as(self.expert_1)
        _response, payload = self.call_kw(
            "helpdesk.ticket", "search_read", [[["id", "=", self.ticket.id]], ["name"]])
        self.assertEqual([row["name"] for row in payload["result"]], [SECRET],
                         "an expert of the queue must find the queue's ticket")
        _response, payload = self.call_kw(
            "helpdesk.ticket", "read", [[self.ticket.id], ["name", "queue_id", "state"]])
        self.assertNotIn("error", payload,
                         "an expert of the queue must read the ticket without error")
        self.assertEqual(payload["result"][0]["name"], SECRET,
                         "the expert must read the ticket's subject")
        self.assertEqual(payload["result"][0]["queue_id"][0], self.queue.id,
                         "the expert must read the ticket's queue")
        _response, payload = self.call_kw("helpdesk.ticket", "search_read", [[], ["name"]])
        self.assertNotIn("Outsider's own ticket", [row["name"] for row in payload["result"]],
                         "the other queue's ticket stays hidden from this expert too")

    def test_expert_keeps_the_ticket_assigned_to_them(self):
        """Assigned, then the ticket moves to another queue: the assignee still reads it."""
        member = self.expert_1
        self.ticket.action_send_to_dispatch()
        self.ticket.action_assign(member)
        # operations move it (the expert briefly in both queues), then the expert leaves
        self.queue_other.write({"member_ids": [(4, member.id)]})
        self.ticket.write({"queue_id": self.queue_other.id})
        self.queue_other.write({"member_ids": [(3, member.id)]})
        self.assertEqual(self.ticket.user_id, member,
                         "moving the ticket to another queue must keep its assignee")
        self.authenticate_as(member)
        _response, payload = self.call_kw(
            "helpdesk.ticket", "search_read", [[["id", "=", self.ticket.id]], ["name"]])
        self.assertEqual([row["name"] for row in payload["result"]], [SECRET],
                         "the assigned expert must still read a ticket moved out of their queue")

    def test_not_logged_in_gets_a_session_error_not_a_traceback(self):
        self.opener.cookies.clear()
        response, payload = self.call_kw(
            "helpdesk.ticket", "search_read", [[["id", "=", self.ticket.id]], ["name"]])
        self.assertEqual(payload["error"]["data"]["name"], "odoo.http.SessionExpiredException",
                         "an anonymous visitor must get a session error, not a traceback")
        self.assertNotIn(SECRET, response.text,
                         "nothing of the ticket may leak to an anonymous visitor")
