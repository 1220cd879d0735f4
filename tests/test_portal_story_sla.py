"""Cross-addon (Wave 2 · 8): with the SLA addon, the portal's "Submitted" is when the
SLA clocks started (the submission), not when the record was written: a ticket imported
from history, or the demo's, is not shown as submitted after it was closed."""
import re
from datetime import datetime, timedelta

from odoo import fields
from odoo.tests.common import at_install, post_install

from odoo.addons.tktit_helpdesk.tests.common import HttpCase
from odoo.addons.tktit_helpdesk.tests.fixtures import history_import


def text_of(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@at_install(False)
@post_install(True)
class TestPortalSubmittedOnSla(HttpCase):

    def test_submitted_is_the_sla_start(self):
        customer = self.env.ref("tktit_helpdesk.user_customer_globex_demo")
        # noon UTC: the same calendar day in the customer's time zone
        submitted = datetime.utcnow().replace(hour=12, minute=0, second=0,
                                              microsecond=0) - timedelta(days=10)
        ticket = history_import(self.env).create({
            "name": "Imported from the old helpdesk", "partner_id": customer.partner_id.id,
            "description": "<p>From last month.</p>", "state": "closed",
            "sla_start_on": fields.Datetime.to_string(submitted),
            "closed_on": fields.Datetime.to_string(submitted + timedelta(days=2)),
        })
        self.assertLess(ticket.sla_start_on, ticket.create_date)
        self.authenticate("customer.globex", "customer.globex")
        day = submitted.strftime("%m/%d/%Y")
        page = text_of(self.url_open("/my/ticket/%s" % ticket.id).text)
        self.assertIn("Submitted: %s" % day, page, "submitted when the clocks started")
        self.assertIn("Closed on: %s" % (submitted + timedelta(days=2)).strftime("%m/%d/%Y"),
                      page)
        listing = self.url_open("/my/tickets").text
        row = re.search(r"<tr>\s*<td><a href=\"/my/ticket/%s\">.*?</tr>" % ticket.id,
                        listing, re.S)
        self.assertTrue(row, "the ticket is listed")
        cell = re.search(r'class="o_tktit_submitted_on"[^>]*>([^<]+)<', row.group(0))
        self.assertEqual(cell.group(1).strip(), day, "the list says the same")

    def test_demo_closed_ticket_submitted_before_closed(self):
        ticket = self.env.ref("tktit_helpdesk_sla.ticket_sla_met_demo")
        self.assertLessEqual(ticket.sla_start_on, ticket.closed_on,
                             "the demo's closed ticket was submitted before its closure")
