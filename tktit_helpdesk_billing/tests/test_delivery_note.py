# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import base64
import os
import subprocess
import tempfile

from odoo.exceptions import AccessError, UserError, ValidationError

from odoo.addons.tktit_helpdesk.tests.common import MailSinkMixin
from odoo.addons.tktit_helpdesk.tests.fixtures import new_user, set_state

from .billing_common import BillingCase
from .field_common import signature_data_url, signature_png

MANAGER = "tktit_helpdesk.group_helpdesk_manager"
ARTIFACTS = os.path.join(os.path.dirname(__file__), "..", "..", "artifacts", "pdf")


def pdf_text(data):
    with tempfile.NamedTemporaryFile(suffix=".pdf") as pdf:
        pdf.write(data)
        pdf.flush()
        return subprocess.check_output(["pdftotext", "-layout", pdf.name, "-"]).decode()


class TestDeliveryNoteSigning(BillingCase):

    def test_signing_creates_one_invoice_with_amounts_taxes_and_analytic(self):
        ticket, note = self.visit()
        self.assertEqual(len(note.line_ids), 3,
                         "the draft note must show the hours and both materials")
        note = self.sign(note)
        self.assertEqual(note.state, "signed")
        invoice = note.invoice_id
        self.assertTrue(invoice, "signing a billable note must create its invoice")
        self.assertEqual(invoice.state, "open", "the invoice must be validated")
        self.assertEqual(invoice.partner_id, self.org_a, "the organisation is invoiced")
        lines = {line.product_id: line for line in invoice.invoice_line_ids}
        self.assertEqual(set(lines), {self.service, self.router, self.cable})
        self.assertAlmostEqual(lines[self.service].quantity, 2.5)
        self.assertAlmostEqual(lines[self.service].price_unit, 80.0,
                               msg="hours must be at the queue's service product price")
        self.assertAlmostEqual(lines[self.router].price_unit, 100.0)
        self.assertAlmostEqual(lines[self.cable].price_subtotal, 20.0)
        for line in invoice.invoice_line_ids:
            self.assertEqual(line.invoice_line_tax_ids, self.tax_10,
                             "each line must carry its product's tax")
            self.assertEqual(line.account_analytic_id,
                             ticket.project_id.analytic_account_id,
                             "each line must be on the ticket's analytic account")
        self.assertAlmostEqual(invoice.amount_untaxed, 320.0)
        self.assertAlmostEqual(invoice.amount_tax, 32.0)
        self.assertAlmostEqual(invoice.amount_total, 352.0)
        self.assertAlmostEqual(note.amount_total, invoice.amount_total,
                               msg="the invoice must bill what the note says")
        self.assertIn(ticket.number, invoice.origin)
        self.assertIn(note.name, invoice.origin)
        self.assertEqual(invoice.helpdesk_ticket_id, ticket)
        self.assertEqual(invoice.helpdesk_delivery_note_id, note)
        self.assertEqual(ticket.sudo().invoice_ids, invoice)
        self.assertEqual(ticket.sudo().state, "delivered",
                         "a signed billable visit waits for its payment, delivered")
        self.assertEqual(ticket.sudo().billing_state, "invoiced")

    def test_second_signing_signs_and_invoices_nothing_more(self):
        ticket, note = self.visit()
        note = self.sign(note)
        digest, signed_on, invoice = note.signature_hash, note.signed_on, note.invoice_id
        self.sign(note, signed_by="Someone Else", signature=signature_data_url())
        self.assertEqual((note.signature_hash, note.signed_on, note.signed_by),
                         (digest, signed_on, "Jane Customer"),
                         "a second signing must leave the signed note as it was")
        invoices = self.env["account.invoice"].search([("helpdesk_ticket_id", "=", ticket.id)])
        self.assertEqual(invoices, invoice, "a second signing must invoice nothing more")
        self.assertEqual(len(note.picking_ids), 1, "nor consume the materials again")

    def test_lines_digest_is_what_the_customer_read(self):
        ticket, note = self.visit()
        read = note.get_lines_digest()
        self.assertEqual(read, note.get_lines_digest(), "the same note, the same digest")
        self.env["account.analytic.line"].sudo(self.field_op).create({
            "helpdesk_ticket_id": ticket.id, "name": "One more hour", "unit_amount": 1.0,
            "user_id": self.field_op.id})
        with self.assertRaisesRegex(UserError, "changed after the customer read it"):
            note.sudo(self.field_op).action_sign("Jane", signature_data_url(),
                                                 lines_digest=read)
        note.invalidate_cache()
        self.assertEqual(note.state, "draft")
        note.sudo(self.field_op).action_refresh_lines()
        self.assertNotEqual(note.get_lines_digest(), read, "one more line, another digest")
        note.sudo(self.field_op).action_sign("Jane", signature_data_url(),
                                             lines_digest=note.get_lines_digest())
        self.assertEqual(note.state, "signed")

    def test_fiscal_position_maps_the_taxes(self):
        ticket, note = self.visit(customer=self.customer_b)
        note = self.sign(note)
        invoice = note.invoice_id
        self.assertEqual(invoice.fiscal_position_id, self.fiscal_position)
        self.assertEqual(invoice.invoice_line_ids.mapped("invoice_line_tax_ids"), self.tax_0,
                         "organisation B's fiscal position must map the 10 % tax away")
        self.assertAlmostEqual(invoice.amount_total, 320.0)

    def test_materials_leave_the_van_in_a_done_picking(self):
        ticket, note = self.visit(router=1, cable=10.0)
        self.add_material(ticket, self.router, 2, location_id=self.warehouse.lot_stock_id.id)
        note.action_refresh_lines()
        note = self.sign(note)
        pickings = note.picking_ids
        self.assertEqual(len(pickings), 2, "one picking per source location")
        self.assertEqual(set(pickings.mapped("state")), {"done"})
        self.assertEqual(set(pickings.mapped("location_id").ids),
                         {self.van_1.id, self.warehouse.lot_stock_id.id})
        self.assertEqual(pickings.mapped("helpdesk_ticket_id"), ticket)
        van = pickings.filtered(lambda p: p.location_id == self.van_1)
        self.assertEqual(
            {(m.product_id, m.quantity_done) for m in van.move_lines},
            {(self.router, 1.0), (self.cable, 10.0)})
        self.assertEqual(self.router.with_context(location=self.van_1.id).qty_available, 1.0,
                         "the van held 2 routers, one was used")
        self.assertEqual(self.cable.with_context(location=self.van_1.id).qty_available, 40.0)
        self.assertEqual(
            self.router.with_context(location=self.warehouse.lot_stock_id.id,
                                     compute_child=False).qty_available, 28.0)
        self.assertTrue(all(ticket.sudo().material_ids.mapped("move_id")),
                        "each material line must point to its done move")

    def test_out_of_stock_is_consumed_into_a_negative_quant(self):
        ticket, note = self.visit(router=3, cable=0)
        self.assertTrue(ticket.sudo(self.field_op).material_shortage)
        note = self.sign(note)
        self.assertEqual(note.picking_ids.state, "done",
                         "the work was done: the signature consumes what was used")
        self.assertEqual(self.router.with_context(location=self.van_1.id).qty_available, -1.0,
                         "the van's stock goes negative, showing the missing router")

    def test_signed_note_is_frozen_and_tamper_evident(self):
        ticket, note = self.visit()
        note = self.sign(note)
        self.assertTrue(note.hash_valid)
        self.assertEqual(len(note.signature_hash), 64)
        as_operator = note.sudo(self.field_op)
        with self.assertRaises(UserError):
            as_operator.write({"signed_by": "Somebody"})
        with self.assertRaises(UserError):
            note.sudo(self.operator).write({"ticket_id": self.field_ticket().id})
        with self.assertRaises(UserError):
            note.sudo(self.operator).unlink()
        with self.assertRaises(UserError):
            note.line_ids[0].sudo(self.operator).write({"quantity": 1.0})
        with self.assertRaises(UserError):
            ticket.sudo().timesheet_ids[0].sudo(self.field_op).write({"unit_amount": 1.0})
        with self.assertRaises(UserError):
            ticket.sudo().material_ids[0].sudo(self.field_op).write({"quantity": 5})
        # a change behind the ORM's back shows
        self.env.cr.execute("UPDATE helpdesk_delivery_note_line SET quantity = 2 "
                            "WHERE id = %s", (note.line_ids[0].id,))
        note.invalidate_cache()
        note.line_ids.invalidate_cache()
        self.assertFalse(note.hash_valid, "a changed line must break the stored hash")

    def test_invoice_is_built_from_the_signed_snapshot(self):
        ticket, note = self.visit(hours=2.0, router=0, cable=0)
        note = self.sign(note)
        # more hours afterwards (a second visit) do not change the signed note's invoice
        self.log_hours(ticket, 3.0)
        self.assertAlmostEqual(note.amount_untaxed, 160.0)
        self.assertAlmostEqual(note.invoice_id.amount_untaxed, 160.0)
        self.assertIn('"signed_by": "Jane Customer"', note.signed_snapshot)

    def test_manager_cancels_a_signed_note_with_a_reason(self):
        ticket, note = self.visit()
        note = self.sign(note)
        with self.assertRaises(AccessError):
            note.sudo(self.operator).action_cancel_signed("wrong customer")
        manager = new_user(self.env, "hd.manager.dn", [MANAGER])
        with self.assertRaises(UserError):
            note.sudo(manager).action_cancel_signed("  ")
        note.sudo(manager).action_cancel_signed("Signed by a visitor, not the customer")
        self.assertEqual(note.state, "cancelled")
        self.assertIn("visitor", note.cancel_reason)


class TestSignatureInput(BillingCase):

    def assert_refused(self, signature, exception=ValidationError, signed_by="Jane"):
        ticket, note = self.visit()
        with self.assertRaises(exception):
            note.sudo(self.field_op).action_sign(signed_by, signature)
        note.invalidate_cache()
        self.assertEqual(note.state, "draft", "a refused signature must save nothing")
        self.assertFalse(note.sudo().invoice_id)
        self.assertFalse(self.env["account.invoice"].search(
            [("helpdesk_ticket_id", "=", ticket.id)]))
        self.assertFalse(note.sudo().picking_ids)

    def test_empty_signature(self):
        self.assert_refused("")

    def test_empty_signer_name(self):
        self.assert_refused(signature_data_url(), signed_by="   ")

    def test_malformed_base64(self):
        self.assert_refused("data:image/png;base64,@@@not base64@@@")

    def test_data_url_of_another_image_type(self):
        self.assert_refused("data:image/jpeg;base64," + base64.b64encode(
            signature_png()).decode())

    def test_bytes_that_are_not_png(self):
        self.assert_refused(base64.b64encode(b"GIF89a" + b"\x00" * 200))

    def test_oversized_signature(self):
        self.assert_refused(base64.b64encode(b"\x89PNG\r\n\x1a\n" + os.urandom(600 * 1024)))

    def test_a_dot_or_a_blank_pad(self):
        self.assert_refused(signature_data_url("dot"))
        self.assert_refused(signature_data_url("blank"))

    def test_truncated_png(self):
        self.assert_refused(base64.b64encode(signature_png()[:60]))

    def test_raw_base64_png_is_accepted(self):
        ticket, note = self.visit()
        note.sudo(self.field_op).action_sign("Jane", base64.b64encode(signature_png()))
        self.assertEqual(note.state, "signed", "the contract allows PNG bytes in base64")

    def test_another_operators_note(self):
        ticket, note = self.visit()
        with self.assertRaises(AccessError):
            note.sudo(self.field_op_2).action_sign("Jane", signature_data_url())
        with self.assertRaises(AccessError):
            self.new_note(ticket, user=self.field_op_2)

    def test_note_of_a_cancelled_ticket(self):
        ticket, note = self.visit()
        set_state(ticket, "cancelled")
        self.assert_refused_for(note, UserError)

    def assert_refused_for(self, note, exception):
        with self.assertRaises(exception):
            note.sudo(self.field_op).action_sign("Jane", signature_data_url())
        self.assertEqual(note.state, "draft")

    def test_new_note_on_a_closed_ticket(self):
        ticket = self.field_ticket()
        set_state(ticket, "closed")
        with self.assertRaises(UserError):
            self.new_note(ticket, user=self.operator)

    def test_note_with_nothing_to_sign(self):
        ticket = self.field_ticket()
        note = self.new_note(ticket)
        self.assert_refused_for(note, UserError)

    def test_service_is_not_a_material(self):
        ticket = self.field_ticket()
        with self.assertRaises(ValidationError):
            self.add_material(ticket, self.service, 1)


class TestDeliveryNotePdfAndMail(MailSinkMixin, BillingCase):

    def test_pdf_renders_with_the_ticket_signer_and_total(self):
        ticket, note = self.visit()
        note = self.sign(note)
        attachment = note.pdf_attachment_id
        self.assertTrue(attachment, "the signed PDF must be kept on the note")
        data = base64.b64decode(attachment.datas)
        self.assertTrue(data.startswith(b"%PDF"), "wkhtmltopdf must have rendered a PDF")
        text = pdf_text(data)
        for expected in (ticket.number, note.name, "Jane Customer", "352.00",
                         note.signature_hash):
            self.assertIn(expected, text, "the PDF must show %s" % expected)
        os.makedirs(ARTIFACTS, exist_ok=True)
        with open(os.path.join(ARTIFACTS, "delivery_note_billable.pdf"), "wb") as f:
            f.write(data)
        on_ticket = self.env["ir.attachment"].search([
            ("res_model", "=", "helpdesk.ticket"), ("res_id", "=", ticket.id),
            ("mimetype", "=", "application/pdf")])
        self.assertTrue(on_ticket, "the signed PDF must be attached to the ticket")

    def test_customer_gets_the_note_and_the_invoice_with_pdfs(self):
        ticket, note = self.visit()
        self.mail_sink.flush(self.env)
        self.mail_sink.clear()
        note = self.sign(note)
        mails = self.mail_sink.flush(self.env)
        email = self.customer_a.email.lower()
        note_mails = [m for m in mails if note.name in m.subject and email in m.to]
        invoice_mails = [m for m in mails if note.invoice_id.number in m.subject]
        self.assertEqual(len(note_mails), 1, "the customer must get the signed note: %s"
                         % mails)
        self.assertEqual(len(invoice_mails), 1, "and one invoice mail: %s" % mails)
        names = [part.get_filename() for part in invoice_mails[0].message.iter_attachments()]
        self.assertIn(note.pdf_attachment_id.name, names, "the note PDF goes with it")
        self.assertTrue(any(name and name.startswith("Invoice") for name in names),
                        "the invoice PDF goes with it: %s" % names)
        self.assertTrue(any("/my/invoices/%s" % note.invoice_id.id in link
                            for link in invoice_mails[0].links()),
                        "the invoice mail links to the portal page to pay")
        self.assertNotIn(self.field_op.partner_id.email or "@none", " ".join(
            sum((m.to for m in note_mails), [])), "only the customer gets the note")
        self.assertTrue(note.invoice_id.sent)


class TestResolveOnSite(BillingCase):

    def test_resolve_on_site_writes_the_resolution_and_one_draft_note(self):
        ticket = self.field_ticket()
        self.log_hours(ticket, 1.0)
        as_operator = ticket.sudo(self.field_op)
        with self.assertRaises(UserError):
            as_operator.action_resolve_on_site("   ")
        note = as_operator.action_resolve_on_site("Replaced the tiles.")
        self.assertIn("Replaced the tiles.", ticket.sudo().resolution)
        self.assertEqual(note.state, "draft")
        self.assertEqual(len(note.line_ids), 1)
        self.log_hours(ticket, 0.5)
        again = as_operator.action_resolve_on_site("Replaced the tiles and the seal.")
        self.assertEqual(again, note, "resolving again keeps the one draft note")
        self.assertEqual(len(again.sudo().line_ids), 2, "with its lines brought up to date")
        with self.assertRaises(AccessError):
            ticket.sudo(self.field_op_2).action_resolve_on_site("Not my visit.")
