# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The weekly satisfaction digest: the cron's run, the mail queue sent to the SMTP sink,
the mail read back: figures by queue and by expert, the week's lowest ratings with the
customers' comments, the trend against the 4 weeks before; per company; no mail without
recipients; the same number of queries whatever the number of ratings.

Two companies of their own (the demo data's ratings do not count in them), each with a
digest recipient; ratings dated relative to the run's ``now``."""
import datetime
from unittest.mock import patch

from lxml import html as lxml_html

from odoo import fields

from .common import MailSinkMixin
from .fixtures import history_import, new_user
from .helpdesk_common import HelpdeskCase

DIGEST = "tktit_helpdesk.group_helpdesk_digest"
EMPLOYEE = "base.group_user"
COMMENT = "Nobody called back <b>at all</b>\nthree days lost"


class TestSatisfactionDigest(MailSinkMixin, HelpdeskCase):

    @classmethod
    def setUpClass(cls):
        super(TestSatisfactionDigest, cls).setUpClass()
        env = cls.env
        cls.Digest = env["helpdesk.satisfaction.digest"]
        # the run's moment: noon (UTC) today; the digest's week ends at midnight before
        cls.now = datetime.datetime.combine(datetime.datetime.utcnow().date(),
                                            datetime.time(12))
        cls.alpha = env["res.company"].create({"name": "Digest Alpha",
                                               "email": "support@alpha.example"})
        cls.beta = env["res.company"].create({"name": "Digest Beta"})
        cls.reader_a = cls.company_user("digest.alpha", cls.alpha)
        cls.reader_b = cls.company_user("digest.beta", cls.beta)
        # a member of the group who is not staff: never a recipient
        cls.portal_member = new_user(env, "digest.portal", ["base.group_portal", DIGEST],
                                     company_id=cls.alpha.id,
                                     company_ids=[(6, 0, [cls.alpha.id])])
        members = cls.expert_1 | cls.expert_2
        cls.queue_1 = cls.company_queue("Alpha Printers", cls.alpha, cls.spec, members)
        cls.queue_2 = cls.company_queue("Alpha Scanners", cls.alpha, cls.spec_other, members)
        cls.queue_b = cls.company_queue("Beta Desk", cls.beta, cls.spec, members)
        days = datetime.timedelta(days=1)
        # the digest's week (the 7 days before now)
        cls.rate(cls.queue_1, cls.expert_1, 5, 1 * days, "Perfect")
        cls.rate(cls.queue_1, cls.expert_1, 4, 2 * days)
        cls.worst = cls.rate(cls.queue_1, cls.expert_2, 1, 3 * days, COMMENT)
        cls.rate(cls.queue_2, cls.expert_2, 3, 6 * days, "Slow")
        cls.unassigned = cls.rate(cls.queue_2, None, 2, 5 * days, "Who was it?")
        # the 4 weeks before: 5, 5 (a week ago), 4 (two weeks), 2 (four weeks)
        cls.rate(cls.queue_1, cls.expert_1, 5, 8 * days)
        cls.rate(cls.queue_2, cls.expert_2, 5, 10 * days)
        cls.rate(cls.queue_1, cls.expert_2, 4, 16 * days)
        cls.rate(cls.queue_2, cls.expert_1, 2, 30 * days, "Old complaint")
        # before the 5 weeks, and a request never answered: not counted
        cls.rate(cls.queue_1, cls.expert_1, 1, 40 * days, "Ancient history")
        cls.closed_ticket(cls.queue_1, cls.expert_1).rating_get_access_token()
        # the other company's
        cls.rate(cls.queue_b, cls.expert_1, 5, 2 * days, "Beta is happy")

    # ---------------------------------------------------------------- builders
    @classmethod
    def company_user(cls, login, company):
        return new_user(cls.env, login, [EMPLOYEE, DIGEST], company_id=company.id,
                        company_ids=[(6, 0, [company.id])], email="%s@example.com" % login)

    @classmethod
    def company_queue(cls, name, company, spec, members):
        return cls.env["helpdesk.queue"].create({
            "name": name, "company_id": company.id, "technology_id": cls.tech.id,
            "specialization_id": spec.id, "member_ids": [(6, 0, members.ids)]})

    @classmethod
    def closed_ticket(cls, queue, expert, name="Digest ticket"):
        return history_import(cls.env).create({
            "name": name, "partner_id": cls.customer_a.partner_id.id,
            "company_id": queue.company_id.id, "technology_id": cls.tech.id,
            "specialization_id": queue.specialization_id.id, "queue_id": queue.id,
            "user_id": expert.id if expert else False, "state": "closed",
            "closed_on": fields.Datetime.now()})

    @classmethod
    def rate(cls, queue, expert, stars, age, feedback=None):
        """A closed ticket of ``queue`` worked by ``expert``, rated ``stars`` by the
        customer ``age`` (a timedelta) before the digest's ``now``."""
        ticket = cls.closed_ticket(queue, expert, name="Rated %s stars" % stars)
        token = ticket.rating_get_access_token()  # the closing mail's request
        vals = {"rating": stars * 2.0, "consumed": True,
                "rated_on": fields.Datetime.to_string(cls.now - age)}
        if feedback:
            vals["feedback"] = feedback
        cls.env["rating.rating"].search([("access_token", "=", token)]) \
            ._write_customer_rating(vals)
        return ticket

    # ------------------------------------------------------------------ helpers
    def digest_of(self, reader):
        """The digest mail the sink received for ``reader``, parsed."""
        mails = [m for m in self.sent if reader.email in m.to]
        self.assertEqual(len(mails), 1, "one digest for %s, got %s" % (reader.email, mails))
        return mails[0], lxml_html.fromstring(mails[0].html)

    @staticmethod
    def rows(tree, table_class):
        """``{name: (count, average, satisfied)}`` of a table of the digest."""
        rows = {}
        for row in tree.xpath("//table[contains(@class, '%s')]//tr[contains(@class, "
                              "'o_digest_row')]" % table_class):
            cells = [" ".join(cell.text_content().split()) for cell in row.xpath("./td")]
            rows[cells[0] if table_class != "o_digest_weeks" else int(row.get("data-age"))] \
                = tuple(cells[1:])
        return rows

    @staticmethod
    def text(tree, css_class):
        return [" ".join(node.text_content().split())
                for node in tree.xpath("//*[contains(@class, '%s')]" % css_class)]

    # -------------------------------------------------------------------- tests
    def test_cron_mails_the_digest_read_from_the_sink(self):
        cron = self.env.ref("tktit_helpdesk.ir_cron_satisfaction_digest")
        self.assertEqual((cron.interval_number, cron.interval_type, cron.numbercall,
                          cron.model_id.model), (1, "weeks", -1, "helpdesk.satisfaction.digest"))
        self.mail_sink.clear()
        # "Run Manually", at the run's moment (the clock frozen: no midnight in between)
        with patch.object(fields.Datetime, "now", staticmethod(
                lambda *args: fields.Datetime.to_string(self.now))):
            cron.method_direct_trigger()
        self.sent = self.mail_sink.flush(self.env)
        self.assertFalse([m for m in self.sent if self.portal_member.email in m.to],
                         "a portal user in the group gets no digest")
        mail, tree = self.digest_of(self.reader_a)
        self.assertIn("Customer satisfaction", mail.subject)
        self.assertIn("3.0 / 5 from 5 ratings", mail.subject)
        day = datetime.timedelta(days=1)
        partner = self.reader_a.partner_id
        self.assertIn("%s to %s" % (
            partner.format_local_datetime(self.now.date() - 7 * day, "date"),
            partner.format_local_datetime(self.now.date() - day, "date")), mail.subject,
            "the week: the 7 days before the day of the run")
        self.assertIn("support@alpha.example", mail.email_from, "sent as the company")
        self.assertEqual(self.text(tree, "o_digest_week_count"), ["5"])
        self.assertEqual(self.text(tree, "o_digest_week_average"), ["3.0"])
        self.assertEqual(self.text(tree, "o_digest_week_satisfied"), ["40%"])
        self.assertEqual(self.rows(tree, "o_digest_by_queue"), {
            "Alpha Printers": ("3", "3.3", "67%"),
            "Alpha Scanners": ("2", "2.5", "0%"),
        }, "by queue: ratings, average stars, share of 4-5 stars")
        self.assertEqual(self.rows(tree, "o_digest_by_expert"), {
            self.expert_1.name: ("2", "4.5", "100%"),
            self.expert_2.name: ("2", "2.0", "0%"),
            "No expert": ("1", "2.0", "0%"),
        }, "by expert")
        # the lowest ratings, lowest first, with the customers' words as text
        lows = tree.xpath("//tr[contains(@class, 'o_digest_low')]")
        self.assertEqual([low.get("data-number") for low in lows],
                         [self.worst.number, self.unassigned.number,
                          lows[2].get("data-number")], "1, 2 then 3 stars")
        self.assertEqual([low.xpath(".//*[@data-stars]")[0].get("data-stars")
                          for low in lows], ["1", "2", "3"])
        feedback = lows[0].xpath(".//*[contains(@class, 'o_digest_low_feedback')]")[0]
        self.assertEqual(feedback.text_content(), COMMENT,
                         "the lowest rating's comment, whole, as the customer wrote it")
        self.assertNotIn("<b>at all</b>", mail.html, "the comment's markup is escaped")
        self.assertIn("&lt;b&gt;at all&lt;/b&gt;", mail.html)
        self.assertNotIn("Ancient history", mail.html, "older than 5 weeks: left out")
        self.assertNotIn("Beta", mail.html, "another company's ratings are not shown")
        # the trend: the week against each of the 4 before, and against their total
        self.assertEqual(self.rows(tree, "o_digest_weeks"), {
            0: ("5", "3.0", "40%"), 1: ("2", "5.0", "100%"), 2: ("1", "4.0", "100%"),
            3: ("0", "-", "-"), 4: ("1", "2.0", "0%"),
        })
        self.assertEqual(self.text(tree, "o_digest_trend_average"), ["-1.0"],
                         "3.0 this week against 4.0 in the 4 weeks before")
        self.assertEqual(self.text(tree, "o_digest_trend_satisfied"), ["-35"],
                         "40% against 75%")
        # the other company's own digest
        _mail_b, tree_b = self.digest_of(self.reader_b)
        self.assertEqual(self.rows(tree_b, "o_digest_by_queue"),
                         {"Beta Desk": ("1", "5.0", "100%")})
        self.assertEqual(self.text(tree_b, "o_digest_no_low"),
                         ["No rating below 4 stars this week."])

    def test_persian_reader_gets_it_right_to_left(self):
        """A Persian senior manager reads the digest in Persian, right to left: the
        names at the right of the tables, the figures at the left."""
        self.reader_a.write({"lang": "fa_IR"})
        self.mail_sink.clear()
        self.Digest._send_satisfaction_digest(self.alpha, now=self.now)
        self.sent = self.mail_sink.flush(self.env)
        mail, tree = self.digest_of(self.reader_a)
        self.assertIn("رضایت مشتریان", mail.subject, "the subject in Persian")
        self.assertEqual(tree.xpath("//*[@dir]/@dir")[:1], ["rtl"],
                         "the body is one right-to-left block")
        header = tree.xpath("//table[contains(@class, 'o_digest_by_queue')]//th")
        self.assertIn("text-align: right", header[0].get("style"), "the queue's name")
        self.assertIn("text-align: left", header[1].get("style"), "its figures")

    def test_no_recipients_no_mail(self):
        group = self.env.ref(DIGEST)
        group.write({"users": [(3, self.reader_a.id)]})
        mails = self.Digest._send_satisfaction_digest(self.alpha, now=self.now)
        self.assertFalse(mails, "no recipient in the company: no digest")
        self.reader_a.write({"groups_id": [(4, group.id)]})
        mails = self.Digest._send_satisfaction_digest(self.alpha, now=self.now)
        self.assertEqual(mails.recipient_ids, self.reader_a.partner_id)
        # a week and the 4 before without ratings: nothing to tell
        later = self.now + datetime.timedelta(days=60)
        self.assertFalse(self.Digest._send_satisfaction_digest(self.alpha, now=later))

    def test_queries_do_not_grow_with_the_ratings(self):
        def queries():
            self.env.cache.invalidate()
            before = self.cr.sql_log_count
            mails = self.Digest._send_satisfaction_digest(self.alpha, now=self.now)
            self.assertEqual(len(mails), 1)
            return self.cr.sql_log_count - before
        queries()  # warm the caches (translations, xml ids)
        few = queries()
        days = datetime.timedelta(days=1)
        for index in range(12):
            queue = (self.queue_1, self.queue_2)[index % 2]
            expert = (self.expert_1, self.expert_2, None)[index % 3]
            self.rate(queue, expert, 1 + index % 5, (1 + index % 30) * days, "More %s" % index)
        many = queries()
        self.assertEqual(many, few, "the digest's queries must not grow with the number "
                                    "of ratings (%s with few, %s with many)" % (few, many))
