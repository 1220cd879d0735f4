# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import datetime
from email.utils import formataddr

from odoo import _, api, fields, models

from odoo.addons.rating.models.rating import RATING_LIMIT_SATISFIED

from .rating_rating import HELPDESK_MODEL

WEEK = datetime.timedelta(days=7)
# the digest's week and the weeks before it it is compared with
PREVIOUS_WEEKS = 4
# how many of the week's lowest ratings (below 4 stars) the digest quotes
LOWEST_LIMIT = 5

# The ratings of the tickets of some companies given in [start, end): the stars given
# (consumed) on helpdesk tickets, by rated_on (indexed).
SQL_RATED = """
      FROM rating_rating r
      JOIN helpdesk_ticket t ON t.id = r.res_id
     WHERE r.res_model = %(model)s AND r.consumed AND r.rating > 0
       AND t.company_id IN %(companies)s
       AND r.rated_on >= %(start)s AND r.rated_on < %(end)s
"""
# one grouped query per measure, for all the companies at once
SQL_BY_WEEK = """
    SELECT t.company_id,
           floor(extract(epoch FROM %(end)s - r.rated_on) / %(week_seconds)s)::int,
           count(*), avg(r.rating), count(*) FILTER (WHERE r.rating >= %(satisfied)s)
""" + SQL_RATED + " GROUP BY 1, 2"
SQL_BY_QUEUE = """
    SELECT t.company_id, t.queue_id, count(*), avg(r.rating),
           count(*) FILTER (WHERE r.rating >= %(satisfied)s)
""" + SQL_RATED + " GROUP BY 1, 2"
SQL_BY_EXPERT = """
    SELECT t.company_id, t.user_id, count(*), avg(r.rating),
           count(*) FILTER (WHERE r.rating >= %(satisfied)s)
""" + SQL_RATED + " GROUP BY 1, 2"
# the lowest ratings below 4 stars of each company, lowest (then latest) first
SQL_LOWEST = """
    SELECT company_id, rating_id, ticket_id, rating, feedback, rated_on FROM (
        SELECT t.company_id, r.id AS rating_id, t.id AS ticket_id, r.rating, r.feedback,
               r.rated_on, row_number() OVER (
                   PARTITION BY t.company_id
                   ORDER BY r.rating, r.rated_on DESC, r.id DESC) AS rank
""" + SQL_RATED + """
           AND r.rating < %(satisfied)s
    ) AS low WHERE rank <= %(limit)s ORDER BY company_id, rank
"""


class HelpdeskSatisfactionDigest(models.AbstractModel):
    """The weekly satisfaction digest to the senior managers, one mail per company.

    Each company's ``_helpdesk_digest_recipients()`` (the "Satisfaction Digest" group;
    the SLA addon adds the QA manager) get a mail with the customer ratings (the stars of
    ``rating.rating`` on helpdesk tickets, by ``rated_on``) of the 7 days (UTC) before the
    day of the run (the cron runs on Monday: Monday to Sunday):
    by queue and by expert (ratings, average stars, share satisfied: 4-5 stars), the
    lowest ratings (below 4 stars) with the customers' comments, and the trend of the
    week against each of the 4 weeks before it. A company with no recipients, or no
    rating in those 5 weeks, gets no mail.

    Every figure comes from one grouped query for all the companies
    (``_digest_figures``): the queries do not grow with the number of ratings or tickets.
    The cron (``ir_cron_satisfaction_digest``, weekly) calls
    ``_cron_send_satisfaction_digest``; the mails are queued for the mail cron.
    """

    _name = "helpdesk.satisfaction.digest"
    _description = "Helpdesk Satisfaction Digest"

    @api.model
    def _cron_send_satisfaction_digest(self, now=None):
        """The weekly run: the digest of the 7 days before the day of ``now`` (default:
        the time of the run) to every company's recipients. Returns the queued
        mail.mail."""
        companies = self.env["res.company"].sudo().search([])
        return self.sudo()._send_satisfaction_digest(companies, now=now)

    @api.model
    def _send_satisfaction_digest(self, companies, now=None):
        """Queue the digest of ``companies`` (one mail per company and language of its
        recipients) for the 7 days before the day (UTC) of ``now`` (a datetime or Odoo's
        string)."""
        now = now or fields.Datetime.now()
        if not isinstance(now, datetime.datetime):
            now = fields.Datetime.from_string(now)
        end = now.replace(hour=0, minute=0, second=0, microsecond=0)
        recipients = {company.id: company._helpdesk_digest_recipients()
                      for company in companies}
        companies = companies.filtered(lambda company: recipients[company.id])
        mails = self.env["mail.mail"]
        if not companies:
            return mails
        figures = self._digest_figures(companies, end)
        for company in companies:
            if company.id not in figures:
                continue  # no rating in the 5 weeks: nothing to tell
            by_lang = {}
            for user in recipients[company.id]:
                by_lang.setdefault(user.lang or "en_US", self.env["res.partner"])
                by_lang[user.lang or "en_US"] |= user.partner_id
            for lang, partners in sorted(by_lang.items()):
                mails |= self.with_context(lang=lang)._queue_digest_mail(
                    company, figures[company.id], partners)
        return mails

    # ------------------------------------------------------------------ figures
    @api.model
    def _digest_figures(self, companies, end):
        """``{company id: {"weeks", "queues", "experts", "lowest", "end"}}`` of the
        companies with ratings in the 5 weeks before ``end``: four grouped queries in all.

        - ``weeks``: ``{age: (ratings, average 0-10, satisfied)}``, age 0 the digest's week
          (the 7 days before ``end``), 1-4 the weeks before;
        - ``queues`` / ``experts``: ``[(queue or user id, ratings, average, satisfied)]``
          of the digest's week (None: no queue / no expert);
        - ``lowest``: ``[(rating id, ticket id, rating, feedback, rated_on)]``, the week's
          lowest ratings below 4 stars, lowest first.
        """
        week_start = end - WEEK
        params = {
            "model": HELPDESK_MODEL, "companies": tuple(companies.ids), "end": end,
            "start": end - WEEK * (PREVIOUS_WEEKS + 1), "week_seconds": WEEK.total_seconds(),
            "satisfied": RATING_LIMIT_SATISFIED, "limit": LOWEST_LIMIT,
        }
        week = dict(params, start=week_start)
        cr = self.env.cr
        figures = {}
        cr.execute(SQL_BY_WEEK, params)
        for company_id, age, count, average, satisfied in cr.fetchall():
            company = figures.setdefault(company_id, {
                "weeks": {}, "queues": [], "experts": [], "lowest": []})
            company["weeks"][age] = (count, average, satisfied)
        for key, query in (("queues", SQL_BY_QUEUE), ("experts", SQL_BY_EXPERT)):
            cr.execute(query, week)
            for company_id, group_id, count, average, satisfied in cr.fetchall():
                figures[company_id][key].append((group_id, count, average, satisfied))
        cr.execute(SQL_LOWEST, week)
        for company_id, rating_id, ticket_id, rating, feedback, rated_on in cr.fetchall():
            figures[company_id]["lowest"].append(
                (rating_id, ticket_id, rating, feedback, rated_on))
        for company in figures.values():
            company["end"] = end
        return figures

    # --------------------------------------------------------------------- mail
    @staticmethod
    def _digest_measure(count, average, satisfied):
        """A row's figures as the mail shows them."""
        return {
            "count": count,
            "average": "%.1f" % (average / 2.0) if count else "-",
            "satisfied": "%d%%" % round(100.0 * satisfied / count) if count else "-",
        }

    @api.model
    def _digest_values(self, company, figures, reader):
        """The QWeb values of ``company``'s digest for ``reader`` (res.partner: the
        language and time zone of dates), in the context's language."""
        end = figures["end"]
        weeks = []
        for age in range(PREVIOUS_WEEKS, -1, -1):  # oldest first, the digest's week last
            count, average, satisfied = figures["weeks"].get(age, (0, 0.0, 0))
            stop = end - WEEK * age
            row = self._digest_measure(count, average, satisfied)
            # the days of the week (UTC dates, as the week is cut)
            row.update({
                "age": age,
                "label": _("%(start)s to %(end)s") % {
                    "start": reader.format_local_datetime((stop - WEEK).date(), "date"),
                    "end": reader.format_local_datetime(
                        (stop - datetime.timedelta(days=1)).date(), "date")},
            })
            weeks.append(row)
        this_count, this_average, this_satisfied = figures["weeks"].get(0, (0, 0.0, 0))
        earlier = [figures["weeks"][age] for age in range(1, PREVIOUS_WEEKS + 1)
                   if age in figures["weeks"]]
        earlier_count = sum(count for count, _average, _satisfied in earlier)
        trend = None
        if this_count and earlier_count:
            earlier_average = sum(count * average for count, average, _s in earlier) / \
                earlier_count
            earlier_satisfied = sum(satisfied for _c, _a, satisfied in earlier)
            trend = {
                "average": "%+.1f" % ((this_average - earlier_average) / 2.0),
                "satisfied": "%+d" % round(100.0 * this_satisfied / this_count -
                                           100.0 * earlier_satisfied / earlier_count),
                "earlier": self._digest_measure(
                    earlier_count, earlier_average, earlier_satisfied),
            }
        names = {
            "queues": {queue.id: queue.name for queue in self.env["helpdesk.queue"].browse(
                [row[0] for row in figures["queues"] if row[0]]).exists()},
            "experts": {user.id: user.name for user in self.env["res.users"].browse(
                [row[0] for row in figures["experts"] if row[0]]).exists()},
        }
        missing = {"queues": _("No queue"), "experts": _("No expert")}
        groups = {}
        for key in ("queues", "experts"):
            rows = []
            for group_id, count, average, satisfied in figures[key]:
                row = self._digest_measure(count, average, satisfied)
                row["name"] = names[key].get(group_id) or missing[key]
                rows.append(row)
            groups[key] = sorted(rows, key=lambda row: (row["name"] or "").lower())
        tickets = {ticket.id: ticket for ticket in self.env[HELPDESK_MODEL].browse(
            [row[1] for row in figures["lowest"]]).exists()}
        lowest = []
        for _rating_id, ticket_id, rating, feedback, rated_on in figures["lowest"]:
            ticket = tickets.get(ticket_id)
            if not ticket:
                continue
            stars = int(round(rating / 2.0))
            lowest.append({
                "ticket": ticket, "number": ticket.number, "subject": ticket.name,
                "customer": ticket.commercial_partner_id.name,
                "expert": ticket.user_id.name or missing["experts"],
                "queue": ticket.queue_id.name or missing["queues"],
                "stars": stars, "stars_text": "\u2605" * stars + "\u2606" * (5 - stars),
                "feedback": (feedback or "").strip(),
                "rated_on": reader.format_local_datetime(rated_on, "date"),
            })
        base_url = self.env["ir.config_parameter"].sudo().get_param("web.base.url", "")
        # the tables' sides follow the language's direction (names at the start, figures
        # at the end): mail clients ignore logical alignments such as "start"
        lang = self.env["res.lang"]._lang_get(self.env.context.get("lang") or "en_US")
        rtl = bool(lang) and lang.direction == "rtl"
        return {
            "align_start": "right" if rtl else "left",
            "align_end": "left" if rtl else "right",
            "company": company,
            "period": weeks[-1]["label"],
            "week": weeks[-1],
            "weeks": weeks,
            "trend": trend,
            "by_queue": groups["queues"],
            "by_expert": groups["experts"],
            "lowest": lowest,
            "base_url": base_url,
            "ticket_url": lambda ticket: "%s/web#id=%s&model=%s&view_type=form" % (
                base_url, ticket.id, HELPDESK_MODEL),
        }

    @api.model
    def _queue_digest_mail(self, company, figures, partners):
        """One queued mail of ``company``'s digest to ``partners``, written in the
        context's language."""
        values = self._digest_values(company, figures, partners[:1])
        body = self.env["ir.qweb"].render(
            "tktit_helpdesk.mail_body_satisfaction_digest", values)
        if isinstance(body, bytes):
            body = body.decode()
        # right to left for a Persian reader, in every mail client
        body = self.env["res.lang"]._wrap_html_direction(self.env.context.get("lang"), body)
        subject = _("Customer satisfaction, %(period)s: %(average)s / 5 from %(count)s "
                    "ratings") % {"period": values["period"],
                                  "average": values["week"]["average"],
                                  "count": values["week"]["count"]}
        mail_values = {
            "subject": subject,
            "body": body,
            "body_html": body,
            "recipient_ids": [(6, 0, partners.ids)],
            "auto_delete": True,
            "message_type": "email",
        }
        if company.email:
            mail_values["email_from"] = formataddr((company.name, company.email))
        return self.env["mail.mail"].sudo().create(mail_values)
