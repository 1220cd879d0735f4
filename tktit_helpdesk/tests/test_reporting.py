"""The customer ratings report (Helpdesk > Reporting > Customer Ratings): the QA
manager opens it over the web client's JSON-RPC and finds the tickets' ratings;
experts have no Reporting menu."""
from odoo.tests.common import at_install, post_install
from odoo.tools.safe_eval import safe_eval

from .common import HttpCase


@at_install(False)
@post_install(True)
class TestRatingReport(HttpCase):

    def setUp(self):
        super(TestRatingReport, self).setUp()
        ref = self.env.ref
        self.customer = ref("tktit_helpdesk.user_customer_acme_demo")
        self.expert = ref("tktit_helpdesk.user_expert_net_demo")
        self.reporting_menu = ref("tktit_helpdesk.helpdesk_menu_reporting")
        self.rating_menu = ref("tktit_helpdesk.helpdesk_rating_menu")
        self.rated = self.delivered_ticket("Rated ticket")
        self.rated.action_customer_confirm(True, comment="Quick and clean")
        token = self.rated.rating_get_access_token()
        self.rated._apply_customer_rating(2, token, feedback="Took two days")
        # closed but not rated yet: its pending rating is not a result
        self.unrated = self.delivered_ticket("Unrated ticket")
        self.unrated.action_customer_confirm(True)
        self.unrated.rating_get_access_token()

    def delivered_ticket(self, name):
        ticket = self.env["helpdesk.ticket"].create({
            "name": name, "partner_id": self.customer.partner_id.id,
            "technology_id": self.env.ref("tktit_helpdesk.technology_network").id,
            "specialization_id": self.env.ref("tktit_helpdesk.specialization_network_lan").id,
        })
        ticket.action_send_to_dispatch()
        ticket.action_assign(self.expert)
        ticket.write({"resolution": "<p>Done: %s</p>" % name})
        ticket.action_work_completed()
        ticket.action_qc_approve()
        ticket.action_final_approve()
        return ticket

    def rpc(self, path, params):
        self.checkpoint()
        try:
            response = self.opener.post(self.url(path), json={
                "jsonrpc": "2.0", "method": "call", "id": 1, "params": params}, timeout=20)
        finally:
            self.env.cache.invalidate()
        self.assertEqual(response.status_code, 200)
        payload = response.json()
        self.assertNotIn("error", payload, payload.get("error"))
        return payload["result"]

    def menu_ids(self):
        menus = self.rpc("/web/dataset/call_kw/ir.ui.menu/load_menus", {
            "model": "ir.ui.menu", "method": "load_menus", "args": [False], "kwargs": {}})
        return menus["all_menu_ids"]

    def test_qa_manager_reads_ratings_report(self):
        self.authenticate("qa.manager", "qa.manager")
        menus = self.menu_ids()
        self.assertIn(self.reporting_menu.id, menus)
        self.assertIn(self.rating_menu.id, menus)
        self.assertEqual(self.rating_menu.action,
                         self.env.ref("tktit_helpdesk.helpdesk_rating_action"))

        action = self.rpc("/web/action/load",
                          {"action_id": "tktit_helpdesk.helpdesk_rating_action"})
        self.assertEqual(action["res_model"], "rating.rating")
        # the views of the report load for the manager
        views = self.rpc("/web/dataset/call_kw/rating.rating/load_views", {
            "model": "rating.rating", "method": "load_views",
            "args": [[[False, mode] for mode in action["view_mode"].split(",")]],
            "kwargs": {"options": {"toolbar": True}}})
        self.assertEqual(set(views["fields_views"]), set(action["view_mode"].split(",")))

        domain = safe_eval(action["domain"] or "[]")
        result = self.rpc("/web/dataset/search_read", {
            "model": "rating.rating", "domain": domain,
            "fields": ["res_model", "res_id", "res_name", "rating", "feedback", "partner_id",
                       "rated_partner_id"]})
        rows = {row["res_id"]: row for row in result["records"]
                if row["res_model"] == "helpdesk.ticket"}
        self.assertIn(self.rated.id, rows, "the ticket's rating is listed")
        self.assertNotIn(self.unrated.id, rows, "a rating not given yet is not a result")
        row = rows[self.rated.id]
        self.assertEqual(row["rating"], 4.0, "2 stars on Odoo's 0-10 scale")
        self.assertEqual(row["feedback"], "Took two days")
        self.assertIn(self.rated.number, row["res_name"])
        self.assertEqual(row["partner_id"][0], self.customer.partner_id.id)
        self.assertEqual(row["rated_partner_id"][0], self.expert.partner_id.id)

    def test_experts_have_no_reporting_menu(self):
        self.authenticate("expert.net", "expert.net")
        menus = self.menu_ids()
        self.assertIn(self.env.ref("tktit_helpdesk.helpdesk_menu_root").id, menus,
                      "experts use the Helpdesk app")
        self.assertNotIn(self.reporting_menu.id, menus)
        self.assertNotIn(self.rating_menu.id, menus)
        self.assertNotIn(self.env.ref("tktit_helpdesk.helpdesk_ticket_menu_report").id, menus)
