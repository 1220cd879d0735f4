from .fixtures import history_import
from .helpdesk_common import HelpdeskCase


class TestDispatcherQueryCount(HelpdeskCase):
    """The dispatcher's list costs the same number of queries at 10 and 200 tickets."""

    def _dispatch_list_queries(self):
        Ticket = self.Ticket.sudo(self.operator)
        view = Ticket.fields_view_get(
            view_id=self.env.ref("tktit_helpdesk.helpdesk_ticket_view_tree").id,
            view_type="tree")
        fields = list(view["fields"])
        # warm the per-user caches (rules, access) so both counts measure the list only
        Ticket.search_read([("state", "=", "dispatch")], fields, limit=80)
        Ticket.invalidate_cache()
        before = self.cr.sql_log_count
        rows = Ticket.search_read([("state", "=", "dispatch")], fields, limit=80)
        return self.cr.sql_log_count - before, rows

    def _make(self, count, customers):
        # already dispatched: created as by the history import (states are sealed)
        Ticket = history_import(self.env).with_context(tracking_disable=True,
                                                       mail_create_nolog=True)
        for i in range(count):
            customer = customers[i % len(customers)]
            Ticket.create({"name": "Bulk %s" % i, "partner_id": customer.partner_id.id,
                           "technology_id": self.tech.id, "specialization_id": self.spec.id,
                           "state": "dispatch", "priority": str(i % 5)})

    def test_dispatch_list_constant_queries(self):
        customers = [self.customer_a, self.customer_b, self.customer_a2]
        self._make(10, customers)
        at_10, rows = self._dispatch_list_queries()
        self.assertGreaterEqual(len(rows), 10, "the dispatcher must list the 10 tickets")
        self._make(190, customers)
        at_200, rows = self._dispatch_list_queries()
        self.assertEqual(len(rows), 80, "the dispatcher's list must stop at its 80-row page")
        self.assertEqual(at_10, at_200, "queries at 10 tickets: %s, at 200: %s" % (at_10, at_200))
        # (escalated demo tickets of the SLA addon may come first: only compare ours)
        priorities = [r["priority"] for r in rows if r["name"].startswith("Bulk ")]
        self.assertEqual(priorities, sorted(priorities, reverse=True),
                         "the dispatcher sees Critical first")
