# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The SLA's measures on the helpdesk overview: each queue's open tickets at risk and
breached, through the queue's overview hook, one grouped query each, with their
click-through lists."""
from odoo.addons.tktit_helpdesk.tests import test_overview


class TestOverviewSla(test_overview.OverviewCase):

    @classmethod
    def setUpClass(cls):
        super(TestOverviewSla, cls).setUpClass()
        q, other = cls.queue, cls.queue_other
        cls.at_risk = cls.make(q, "dispatch", count=2) | cls.make(
            q, "in_progress", user=cls.expert_1)
        cls.breached = cls.make(q, "awaiting_customer", user=cls.expert_2)
        cls.other_breached = cls.make(other, "in_progress", user=cls.outsider, count=2)
        cls.make(q, "in_progress", user=cls.expert_1)  # on track
        # what the SLA sweep wrote on tickets since finished: not the queue's worry now
        done = cls.make(q, "closed", user=cls.expert_1) | cls.make(q, "cancelled")
        cls.set_sla_state(cls.at_risk, "at_risk")
        cls.set_sla_state(cls.breached | cls.other_breached | done, "breached")

    @classmethod
    def set_sla_state(cls, tickets, sla_state):
        # as the sweep does it (one UPDATE): the clocks' bookkeeping is nobody's to write
        cls.env.cr.execute("UPDATE helpdesk_ticket SET sla_state = %s WHERE id IN %s",
                           (sla_state, tuple(tickets.ids)))
        tickets.invalidate_cache(["sla_state"])

    def test_counts_per_queue(self):
        queues = self.as_user(self.queues, self.operator)
        queues.invalidate_cache()
        self.assertEqual([(q.at_risk_count, q.breached_count, q.open_count) for q in queues],
                         [(3, 1, 5), (0, 2, 2)])

    def test_expert_counts_follow_the_rules(self):
        queues = self.as_user(self.queues, self.outsider)
        self.assertEqual([(q.at_risk_count, q.breached_count) for q in queues],
                         [(0, 0), (0, 2)])

    def test_click_through(self):
        queue = self.as_user(self.queue, self.operator)
        Ticket = self.env["helpdesk.ticket"].sudo(self.operator)
        for measure, tickets in (("at_risk", self.at_risk), ("breached", self.breached)):
            action = queue.action_open_tickets(measure)
            self.assertEqual(Ticket.search(action["domain"]), tickets, measure)
            self.assertIn("SLA", action["name"])

    def test_overview_card_shows_the_sla(self):
        view = self.Queue.fields_view_get(
            view_id=self.env.ref("tktit_helpdesk.helpdesk_queue_view_kanban_overview").id,
            view_type="kanban")
        for fname in ("at_risk_count", "breached_count"):
            self.assertIn(fname, view["fields"])
        self.assertIn("['breached']", view["arch"])


class TestOverviewSlaQueryCount(test_overview.TestOverviewQueryCount):
    """The base's query-count tests with the SLA's measures on the cards: the queries
    for all the cards still do not grow with queues and tickets."""

    def overview_fields(self):
        fnames = super(TestOverviewSlaQueryCount, self).overview_fields()
        self.assertTrue({"at_risk_count", "breached_count"} <= set(fnames))
        return fnames
