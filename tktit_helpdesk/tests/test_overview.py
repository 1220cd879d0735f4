# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The helpdesk overview (Helpdesk > Overview): each queue's open and unassigned tickets
and today's satisfaction, right for each queue, as the user may see them, set-based (the
queries for all the cards do not grow with tickets or queues), and each count opening
the list of what it counts."""
from datetime import timedelta

from odoo import fields
from odoo.exceptions import UserError

from .fixtures import history_import, make_queue
from .helpdesk_common import HelpdeskCase

# the users' "today" in the tests (the context's time zone wins over the user's)
TZ = "UTC"
MEASURES = ("open_count", "unassigned_count", "rating_today_count", "satisfaction_today")


class OverviewCase(HelpdeskCase):
    """Tickets of the fixture's two queues in known states, and helpers to rate them."""

    @classmethod
    def setUpClass(cls):
        super(OverviewCase, cls).setUpClass()
        cls.Queue = cls.env["helpdesk.queue"].with_context(tz=TZ)
        cls.queues = cls.queue | cls.queue_other
        cls.today_start, cls.today_end = cls.Queue._overview_today()

    @classmethod
    def make(cls, queue, state, user=None, count=1, **values):
        """``count`` tickets of customer A in ``queue`` and ``state`` (history import)."""
        Ticket = history_import(cls.env).with_context(tracking_disable=True,
                                                      mail_create_nolog=True)
        tickets = Ticket.browse()
        for i in range(count):
            vals = dict(values, name="Overview %s %s" % (state, i),
                        partner_id=cls.customer_a.partner_id.id,
                        technology_id=queue.technology_id.id,
                        specialization_id=queue.specialization_id.id,
                        queue_id=queue.id, state=state, user_id=user.id if user else False)
            tickets |= Ticket.create(vals)
        return tickets

    def rate(self, ticket, stars, when=None):
        """The customer's ``stars`` on closed ``ticket``, given at ``when`` (default: a
        second into today, in the test's time zone)."""
        token = ticket.rating_get_access_token()
        rating = ticket._apply_customer_rating(stars, token)
        when = when or fields.Datetime.to_string(
            fields.Datetime.from_string(self.today_start) + timedelta(seconds=1))
        # the day the customer answered, whatever the clock says while the test runs
        self.env.cr.execute("UPDATE rating_rating SET rated_on = %s WHERE id = %s",
                            (when, rating.id))
        rating.invalidate_cache()
        return rating

    @staticmethod
    def as_user(records, user):
        """``records`` as ``user`` sees them, today being the test's day (``TZ``)."""
        return records.with_context(tz=TZ).sudo(user)

    def counts(self, queues, user):
        queues = self.as_user(queues, user)
        queues.invalidate_cache()
        return {queue.id: {fname: queue[fname] for fname in MEASURES} for queue in queues}


class TestOverviewCounts(OverviewCase):

    @classmethod
    def setUpClass(cls):
        super(TestOverviewCounts, cls).setUpClass()
        q, other = cls.queue, cls.queue_other
        cls.make(q, "new", count=2)
        cls.make(q, "dispatch", count=3)
        cls.make(q, "in_progress", user=cls.expert_1, count=2)
        cls.make(q, "awaiting_customer", user=cls.expert_2)
        cls.q_closed = cls.make(q, "closed", user=cls.expert_1, count=4)
        cls.make(q, "cancelled")
        cls.make(other, "dispatch")
        cls.make(other, "in_progress", user=cls.outsider)
        cls.other_closed = cls.make(other, "closed", user=cls.outsider, count=2)

    def test_counts_per_queue(self):
        r1, r2, r3, r4 = self.q_closed
        self.rate(r1, 5)
        self.rate(r2, 4)
        self.rate(r3, 3)  # 3 stars: 6/10, under Odoo's "satisfied" (7)
        # yesterday's answer is not today's satisfaction
        self.rate(r4, 5, when=fields.Datetime.to_string(
            fields.Datetime.from_string(self.today_start) - timedelta(minutes=1)))
        self.rate(self.other_closed[0], 3)
        counts = self.counts(self.queues, self.operator)
        self.assertEqual(counts[self.queue.id], {
            "open_count": 8, "unassigned_count": 5, "rating_today_count": 3,
            "satisfaction_today": 67})
        self.assertEqual(counts[self.queue_other.id], {
            "open_count": 2, "unassigned_count": 1, "rating_today_count": 1,
            "satisfaction_today": 0})

    def test_empty_queue(self):
        empty = make_queue(self.env, self.tech, name="Empty queue")
        self.assertEqual(self.counts(empty, self.operator)[empty.id], {
            "open_count": 0, "unassigned_count": 0, "rating_today_count": 0,
            "satisfaction_today": 0})

    def test_today_is_the_users_day(self):
        """"Today" starts at midnight where the user is, not in UTC."""
        Queue = self.Queue.with_context(tz="Asia/Tehran")
        start, end = Queue._overview_today()
        self.assertEqual(
            fields.Datetime.from_string(end) - fields.Datetime.from_string(start),
            timedelta(days=1))
        self.assertIn(fields.Datetime.from_string(start).strftime("%H:%M"), ("20:30", "19:30"),
                      "midnight in Tehran is 20:30 (or 19:30 in summer) UTC")
        rating = self.rate(self.q_closed[0], 5, when=start)
        in_tehran = self.queue.with_context(tz="Asia/Tehran").sudo(self.operator)
        self.assertEqual(in_tehran.rating_today_count, 1)
        self.env.cr.execute("UPDATE rating_rating SET rated_on = %s WHERE id = %s", (
            fields.Datetime.to_string(fields.Datetime.from_string(start)
                                      - timedelta(seconds=1)), rating.id))
        in_tehran.invalidate_cache()
        self.assertEqual(in_tehran.rating_today_count, 0, "the evening before, in Tehran")

    def test_experts_count_what_they_may_read(self):
        """Record rules decide the counts: an expert sees the tickets of their queues (and
        their own), and the ratings they received."""
        self.rate(self.q_closed[0], 5)
        self.rate(self.other_closed[0], 3)
        outsider = self.counts(self.queues, self.outsider)
        self.assertEqual(outsider[self.queue.id]["open_count"], 0,
                         "not a member of the test queue: none of its tickets")
        self.assertEqual(outsider[self.queue.id]["rating_today_count"], 0)
        self.assertEqual(outsider[self.queue_other.id], {
            "open_count": 2, "unassigned_count": 1, "rating_today_count": 1,
            "satisfaction_today": 0})
        expert_2 = self.counts(self.queue, self.expert_2)[self.queue.id]
        self.assertEqual(expert_2["open_count"], 8, "a member sees the queue's tickets")
        self.assertEqual(expert_2["rating_today_count"], 0,
                         "expert 2 received none of the ratings (expert 1's)")
        self.assertEqual(self.counts(self.queue, self.expert_1)[self.queue.id]
                         ["rating_today_count"], 1)


class TestOverviewClickThrough(OverviewCase):

    @classmethod
    def setUpClass(cls):
        super(TestOverviewClickThrough, cls).setUpClass()
        cls.make(cls.queue, "dispatch", count=2)
        cls.make(cls.queue, "in_progress", user=cls.expert_1)
        cls.closed = cls.make(cls.queue, "closed", user=cls.expert_1, count=2)
        cls.make(cls.queue_other, "dispatch")

    def test_each_count_opens_what_it_counts(self):
        self.rate(self.closed[0], 5)
        queue = self.as_user(self.queue, self.operator)
        Ticket = self.env["helpdesk.ticket"].sudo(self.operator)
        for measure, fname in (("open", "open_count"), ("unassigned", "unassigned_count"),
                               ("dispatch", "dispatch_count")):
            action = queue.action_open_tickets(measure)
            self.assertEqual(action["res_model"], "helpdesk.ticket")
            self.assertEqual(Ticket.search_count(action["domain"]), queue[fname], measure)
        self.assertEqual(queue.open_count, 3)
        action = queue.action_open_tickets("rated_today")
        self.assertEqual(action["res_model"], "rating.rating")
        ratings = self.as_user(self.env["rating.rating"], self.operator).search(
            action["domain"])
        self.assertEqual(ratings.mapped("res_id"), [self.closed[0].id])

    def test_lists_follow_the_record_rules(self):
        """An expert of another queue may open the action: the list shows only what the
        rules let them read (nothing of this queue)."""
        action = self.queue.sudo(self.outsider).action_open_tickets("open")
        Ticket = self.env["helpdesk.ticket"]
        self.assertEqual(Ticket.sudo(self.outsider).search_count(action["domain"]), 0)
        self.assertEqual(Ticket.sudo(self.expert_2).search_count(action["domain"]), 3)

    def test_unknown_measure(self):
        with self.assertRaises(UserError):
            self.queue.sudo(self.operator).action_open_tickets("everything")

    def test_overview_action_and_menu(self):
        action = self.env.ref("tktit_helpdesk.helpdesk_queue_action_overview")
        self.assertEqual(action.res_model, "helpdesk.queue")
        self.assertEqual(action.view_id,
                         self.env.ref("tktit_helpdesk.helpdesk_queue_view_kanban_overview"))
        root = self.env.ref("tktit_helpdesk.helpdesk_menu_root")
        first = root.child_id.sorted(lambda menu: (menu.sequence, menu.id))[0]
        self.assertEqual(first, self.env.ref("tktit_helpdesk.helpdesk_queue_menu_overview"))
        self.assertEqual(first.action, action)


class TestOverviewQueryCount(OverviewCase):
    """The counts of all the cards take the same queries at 2 queues with a few tickets
    and at 12 queues with many: one grouped query per measure, none per queue or ticket."""

    def overview_queries(self, user):
        queues = self.as_user(self.Queue, user).search([])
        # warm the per-user caches (rules, access rights) so both counts measure the cards
        queues.read(list(self.overview_fields()))
        queues.invalidate_cache()
        before = self.cr.sql_log_count
        rows = queues.read(list(self.overview_fields()))
        return self.cr.sql_log_count - before, rows

    def overview_fields(self):
        """Every measure the overview's kanban shows (other addons add theirs)."""
        view = self.Queue.fields_view_get(
            view_id=self.env.ref("tktit_helpdesk.helpdesk_queue_view_kanban_overview").id,
            view_type="kanban")
        return [fname for fname, field in self.Queue._fields.items()
                if fname in view["fields"] and field.compute]

    def grow(self, queues, per_queue):
        for queue in queues:
            self.make(queue, "dispatch", count=per_queue)
            expert = queue.member_ids[:1]
            self.make(queue, "in_progress", user=expert, count=per_queue)
            for ticket in self.make(queue, "closed", user=expert, count=2):
                self.rate(ticket, 5)

    def more_queues(self, count):
        queues = self.Queue.browse()
        for i in range(count):
            technology = self.env["helpdesk.technology"].create({
                "name": "Overview tech %s" % i, "code": "OV%s" % i})
            queues |= make_queue(self.env, technology, members=[self.expert_1],
                                 name="Overview queue %s" % i)
        return queues

    def assert_constant_queries(self, user):
        self.assertIn("unassigned_count", self.overview_fields())
        self.grow(self.queues, 2)
        small, rows = self.overview_queries(user)
        self.assertTrue(any(row["open_count"] for row in rows))
        self.grow(self.queues | self.more_queues(10), 5)
        large, rows = self.overview_queries(user)
        self.assertEqual(small, large, "%s: queries at 2 queues: %s, at 12: %s" % (
            user.login, small, large))
        # (an expert sees nothing of the other queue, a member of the 11 others)
        self.assertGreaterEqual(len([row for row in rows if row["open_count"]]), 11)

    def test_constant_queries_operations(self):
        self.assert_constant_queries(self.operator)

    def test_constant_queries_expert(self):
        self.assert_constant_queries(self.expert_1)
