"""The billing side of the demo's year (models/helpdesk_ticket_demo.py): field visits
signed on site, their notes still verifying their hash; invoices from the signatures
and from remote hours, dated when they were made, most of them paid; hours logged on
the days of the work."""
from odoo import fields
from odoo.tests.common import TransactionCase, at_install, post_install


@at_install(False)
@post_install(True)
class TestDemoStoryBilling(TransactionCase):

    def setUp(self):
        super(TestDemoStoryBilling, self).setUp()
        data = self.env["ir.model.data"].search([
            ("module", "=", "tktit_helpdesk_billing"), ("model", "=", "helpdesk.ticket"),
            ("name", "=like", "story_%")])
        self.story = self.env["helpdesk.ticket"].browse(data.mapped("res_id"))

    def test_field_visits_signed_then(self):
        visits = self.story.filtered("is_field")
        self.assertTrue(visits)
        notes = visits.mapped("delivery_note_ids").filtered(lambda n: n.state == "signed")
        self.assertEqual(len(notes), len(visits), "every visit signed on site")
        for note in notes:
            ticket = note.ticket_id
            self.assertTrue(note.hash_valid, note.name)
            self.assertLessEqual(ticket.create_date, note.signed_on, note.name)
            if ticket.closed_on:
                self.assertLessEqual(note.signed_on, ticket.closed_on, note.name)

    def test_invoices_dated_and_paid(self):
        invoices = self.story.mapped("invoice_ids").filtered(
            lambda i: i.type == "out_invoice")
        self.assertTrue(invoices.filtered(lambda i: i.state == "paid"))
        today = fields.Date.context_today(self.env["helpdesk.ticket"])
        for invoice in invoices:
            ticket = invoice.helpdesk_ticket_id
            self.assertLessEqual(ticket.create_date[:10], invoice.date_invoice, invoice.number)
            self.assertLessEqual(invoice.date_invoice, today, invoice.number)
            self.assertEqual(invoice.move_id.date, invoice.date_invoice, invoice.number)
        months = {invoice.date_invoice[:7] for invoice in invoices}
        self.assertGreater(len(months), 3, "invoices over the months")
        for ticket in self.story.filtered(lambda t: t.state == "closed" and t.invoice_ids):
            self.assertTrue(all(i.state == "paid" for i in ticket.invoice_ids), ticket.number)

    def test_hours_on_the_days_of_the_work(self):
        lines = self.story.mapped("timesheet_ids")
        self.assertTrue(lines)
        for line in lines:
            ticket = line.helpdesk_ticket_id
            self.assertLessEqual(ticket.create_date[:10], line.date, ticket.number)
            if ticket.closed_on:
                self.assertLessEqual(line.date, ticket.closed_on[:10], ticket.number)
