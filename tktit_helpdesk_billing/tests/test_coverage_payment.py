# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import date, timedelta

from odoo import fields
from odoo.exceptions import AccessError

from odoo.addons.tktit_helpdesk.tests.common import MailSinkMixin
from odoo.addons.tktit_helpdesk.tests.fixtures import set_state

from .billing_common import BillingCase
from .test_delivery_note import pdf_text


def day(offset=0):
    return fields.Date.to_string(date.today() + timedelta(days=offset))


class TestCoverage(BillingCase):

    def test_contract_valid_on_the_visit_date_covers_it(self):
        contract = self.make_contract(self.org_a, day(-30), day(30))
        ticket, note = self.visit(visit_date=fields.Datetime.now())
        self.assertEqual(ticket.sudo().coverage, "contract")
        self.assertEqual(ticket.sudo().contract_id, contract)
        later = self.field_ticket(visit_date=day(60) + " 09:00:00")
        self.assertEqual(later.sudo().coverage, "billable",
                         "a visit after the contract's end is billable")
        other = self.field_ticket(customer=self.customer_b)
        self.assertEqual(other.sudo().coverage, "billable",
                         "another organisation's contract covers nothing here")

    def test_contract_limited_to_scopes(self):
        other_tech = self.env["helpdesk.technology"].create({"name": "Other Tech",
                                                             "code": "OTX"})
        self.make_contract(self.org_a, day(-1), day(1), technology_ids=[(6, 0, other_tech.ids)])
        ticket = self.field_ticket()
        self.assertEqual(ticket.sudo().coverage, "billable",
                         "a contract of other scopes does not cover this ticket")

    def test_covered_visit_is_signed_free_and_closes_without_invoice(self):
        self.make_contract(self.org_a, day(-30), day(30))
        ticket, note = self.visit()
        note = self.sign(note)
        self.assertEqual(note.coverage, "contract")
        self.assertFalse(note.invoice_id, "a covered note must not be invoiced")
        self.assertFalse(self.env["account.invoice"].search(
            [("helpdesk_ticket_id", "=", ticket.id)]))
        self.assertEqual(ticket.sudo().state, "closed",
                         "a covered ticket closes once resolved and signed")
        self.assertEqual(note.picking_ids.state, "done",
                         "covered materials still leave the van")
        text = pdf_text(__import__("base64").b64decode(note.pdf_attachment_id.datas))
        self.assertIn("Free of charge", text, "the PDF must say why it is free")
        self.assertIn("contract", text)

    def test_equipment_under_warranty(self):
        lot = self.env["stock.production.lot"].create({
            "name": "SN-TEST-1", "product_id": self.router.id,
            "warranty_end_date": day(10)})
        ticket = self.field_ticket(lot_id=lot.id)
        self.assertEqual(ticket.sudo().coverage, "warranty")
        lot.warranty_end_date = day(-1)
        ticket.invalidate_cache()
        self.assertEqual(ticket.sudo().coverage, "billable",
                         "an expired warranty covers nothing")

    def test_operations_override_coverage_tracked(self):
        self.make_contract(self.org_a, day(-30), day(30))
        ticket = self.field_ticket()
        ticket.sudo(self.operator).write({"coverage": "billable"})
        ticket.invalidate_cache()
        self.assertEqual(ticket.sudo().coverage, "billable",
                         "operations' choice must win over the derived coverage")
        tracked = ticket.sudo().message_ids.mapped("tracking_value_ids").filtered(
            lambda v: v.field == "coverage")
        self.assertTrue(tracked, "the change of coverage must be tracked in the chatter")
        with self.assertRaises(AccessError):
            ticket.sudo(self.field_op).write({"coverage": "contract"})


class TestPaymentClosure(MailSinkMixin, BillingCase):

    def test_partial_then_full_payment_closes_the_ticket(self):
        ticket, note = self.visit()
        note = self.sign(note)
        invoice = note.invoice_id
        self.pay(invoice, 100.0)
        self.assertEqual(invoice.state, "open")
        self.assertAlmostEqual(invoice.residual, 252.0)
        self.assertEqual(ticket.sudo().state, "delivered",
                         "a partial payment must keep the ticket open")
        self.mail_sink.flush(self.env)
        self.mail_sink.clear()
        self.pay(invoice)
        self.assertEqual(invoice.state, "paid")
        self.assertEqual(ticket.sudo().state, "closed",
                         "the full payment must close the ticket")
        self.assertEqual(ticket.sudo().billing_state, "paid")
        mails = self.mail_sink.flush(self.env)
        self.assertEqual(len([m for m in mails if "closed" in m.subject.lower()]), 1,
                         "the customer gets one closing mail: %s" % mails)

    def test_refund_is_visible_and_reopens_nothing(self):
        ticket, note = self.visit()
        note = self.sign(note)
        self.pay(note.invoice_id)
        refund = note.invoice_id.refund(description="Goodwill")
        self.assertEqual(refund.helpdesk_ticket_id, ticket)
        self.assertIn(refund, ticket.sudo().invoice_ids)
        refund.action_invoice_open()
        self.assertEqual(ticket.sudo().state, "closed", "a credit note reopens nothing")

    def test_remote_ticket_is_invoiced_from_its_hours_at_confirmation(self):
        ticket = self.ticket_in("in_progress")
        self.log_hours(ticket, 1.5, user=self.expert_1)
        ticket = self.ticket_in_delivered(ticket)
        ticket.sudo(self.customer_a).action_customer_confirm(True, "Thanks")
        invoice = ticket.sudo().invoice_ids
        self.assertEqual(len(invoice), 1, "the confirmation invoices the hours once")
        self.assertAlmostEqual(invoice.amount_untaxed, 120.0)
        self.assertEqual(invoice.state, "open")
        self.assertFalse(invoice.helpdesk_delivery_note_id)
        self.assertEqual(ticket.sudo().state, "delivered",
                         "a billable ticket closes when its invoice is paid")
        self.assertEqual(ticket.sudo().satisfaction, "satisfied")
        self.pay(invoice)
        self.assertEqual(ticket.sudo().state, "closed")

    def test_remote_covered_ticket_closes_at_confirmation(self):
        self.make_contract(self.org_a, day(-400), day(30))
        ticket = self.ticket_in("in_progress")
        self.log_hours(ticket, 1.5, user=self.expert_1)
        ticket = self.ticket_in_delivered(ticket)
        ticket.sudo(self.customer_a).action_customer_confirm(True)
        self.assertFalse(ticket.sudo().invoice_ids)
        self.assertEqual(ticket.sudo().state, "closed")

    def test_remote_ticket_without_hours_closes_at_confirmation(self):
        ticket = self.ticket_in("delivered")
        ticket.sudo(self.customer_a).action_customer_confirm(True)
        self.assertFalse(ticket.sudo().invoice_ids)
        self.assertEqual(ticket.sudo().state, "closed")

    def ticket_in_delivered(self, ticket):
        ticket.sudo(self.expert_1).write({"resolution": "<p>Reconfigured the VPN.</p>"})
        ticket.sudo(self.expert_1).action_work_completed()
        ticket.sudo(self.qc).action_qc_approve()
        ticket.sudo(self.committee).action_final_approve()
        self.assertEqual(ticket.sudo().state, "delivered")
        return ticket

    def test_cancelled_ticket_note_cannot_be_created(self):
        ticket = self.field_ticket()
        set_state(ticket, "cancelled")
        self.assertEqual(ticket.sudo().billing_state, "none")
