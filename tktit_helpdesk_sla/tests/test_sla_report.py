# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""What operations see: colours, filters, and the SLA analysis."""
from lxml import etree

from odoo.exceptions import AccessError
from odoo.tools import mute_logger

from .common import SlaCase, dt, frozen_now


class TestSlaReport(SlaCase):

    def test_views_show_sla(self):
        Ticket = self.Ticket.sudo(self.ops_user)
        tree = etree.fromstring(Ticket.fields_view_get(view_type="tree")["arch"])
        self.assertIn("sla_state == 'breached'", tree.get("decoration-danger"))
        self.assertIn("sla_state == 'at_risk'", tree.get("decoration-warning"))
        kanban = Ticket.fields_view_get(view_type="kanban")["arch"]
        self.assertIn("SLA at risk", kanban)
        self.assertIn("Escalated", kanban)
        form = Ticket.fields_view_get(view_type="form")["arch"]
        for fname in ("first_response_deadline", "next_response_deadline",
                      "resolution_deadline", "sla_state", "sla_escalation_reason"):
            self.assertIn('name="%s"' % fname, form)
        search = Ticket.fields_view_get(view_type="search")["arch"]
        for name in ("sla_at_risk", "sla_breached", "escalated"):
            self.assertIn('name="%s"' % name, search)

    def test_report_by_plan(self):
        fast = self.create_ticket(dt(2024, 3, 4, 9), name="Fast")
        self.support_reply(fast, dt(2024, 3, 4, 11))
        with frozen_now(dt(2024, 3, 4, 15)):
            fast.action_close()
        slow = self.create_ticket(dt(2024, 3, 4, 9), name="Slow")
        self.support_reply(slow, dt(2024, 3, 5, 15))  # 13h: first response breached
        with frozen_now(dt(2024, 3, 6, 9)):
            slow.action_close()
        Report = self.env["helpdesk.sla.report"].sudo(self.ops_user)
        rows = Report.read_group(
            [("plan_id", "=", self.plan.id)],
            ["plan_id", "nbr", "met_count", "breached_count", "first_response_hours",
             "resolution_hours"], ["plan_id"])
        self.assertEqual(len(rows), 1)
        row = rows[0]
        self.assertEqual(row["nbr"], 2)
        self.assertEqual((row["met_count"], row["breached_count"]), (1, 1))
        self.assertAlmostEqual(row["first_response_hours"], (2 + 13) / 2.0,
                               msg="average first response in business hours")
        self.assertAlmostEqual(row["resolution_hours"], (5 + 16) / 2.0)
        by_result = Report.read_group([("plan_id", "=", self.plan.id)],
                                      ["first_response_result", "nbr"],
                                      ["first_response_result"])
        self.assertEqual({g["first_response_result"]: g["nbr"] for g in by_result},
                         {"met": 1, "breached": 1})
        months = Report.read_group([("plan_id", "=", self.plan.id)], ["create_date", "nbr"],
                                   ["create_date:month"])
        self.assertTrue(months)

    def test_report_access(self):
        with mute_logger("odoo.addons.base.ir.ir_model"), self.assertRaises(AccessError):
            self.env["helpdesk.sla.report"].sudo(self.expert).search([])
