# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The billing side of the customer portal: the ticket page's delivery notes and
invoices, the signed note's PDF route, and what another customer gets when they try
the same URLs and records.

The notes are signed the real way (hours logged by the field operator, the note
created and signed by them: invoice, mails, PDF). In the HTTP tests the registry is in
test mode, where Odoo renders reports as HTML (wkhtmltopdf would wait on the test
cursor for its assets) and stores no PDF attachment: the note
PDF route then renders the report itself (HTML in that mode) and the tests assert its
status and headers; a stand-in stored PDF checks that the stored one is served as it
is. The real PDF bytes (wkhtmltopdf, outside HttpCase) are checked by
test_delivery_note.TestDeliveryNotePdfAndMail."""
import base64
import re

from odoo.exceptions import AccessError
from odoo.tests.common import at_install, post_install
from odoo.tools import mute_logger

from odoo.addons.tktit_helpdesk.tests.attacker import AttackCase
from odoo.addons.tktit_helpdesk.tests.fixtures import new_user, set_state

from .field_common import FIELD_OPERATOR, FieldCase, signature_data_url

MANAGER = "tktit_helpdesk.group_helpdesk_manager"
SIGNER = "Jane Customer"


class SignedNoteMixin(object):
    """Visits of ``self.field_op`` and their delivery notes, through the real flow."""

    def visit(self, customer, hours=1.5, **values):
        """A field ticket of ``customer`` in progress with the field operator, who
        logged ``hours`` on it."""
        ticket = self.new_ticket(customer=customer, is_field=True, **values)
        set_state(ticket, "in_progress", user_id=self.field_op.id)
        self.env["account.analytic.line"].sudo(self.field_op).create({
            "helpdesk_ticket_id": ticket.id, "name": "On site", "unit_amount": hours,
            "user_id": self.field_op.id})
        return ticket

    def draft_note(self, ticket):
        return self.env["helpdesk.delivery.note"].sudo(self.field_op).create(
            {"ticket_id": ticket.id}).sudo()

    def signed_note(self, ticket):
        note = self.draft_note(ticket)
        note.sudo(self.field_op).action_sign(SIGNER, signature_data_url())
        self.assertEqual(note.state, "signed", "the field operator must sign the note")
        return note


@at_install(False)
@post_install(True)
class TestPortalBilling(SignedNoteMixin, AttackCase):

    def setUp(self):
        super(TestPortalBilling, self).setUp()
        env = self.env
        self.field_op = new_user(env, "fo.portal", [FIELD_OPERATOR])
        self.queue.member_ids |= self.field_op
        self.ticket_a = self.visit(self.customer_a)
        self.note_a = self.signed_note(self.ticket_a)
        self.invoice_a = self.note_a.invoice_id
        self.assertEqual(self.invoice_a.state, "open",
                         "signing the billable note must validate its invoice")
        self.ticket_b = self.visit(self.customer_b)
        self.checkpoint()

    # -------------------------------------------------------------- helpers
    def get(self, path, **kwargs):
        self.checkpoint()
        try:
            return self.opener.get(self.url(path), timeout=60, **kwargs)
        finally:
            self.env.cache.invalidate()

    def ticket_page(self, ticket, access_token=None):
        path = "/my/ticket/%s" % ticket.id
        if access_token:
            path += "?access_token=%s" % access_token
        page = self.get(path)
        self.assertEqual(page.status_code, 200, "the ticket page must open: %s" % path)
        self.assertTrue(page.url.endswith(path), "the ticket page must not redirect: %s"
                        % page.url)
        return page.text

    def note_pdf_path(self, ticket, note, access_token=None):
        path = "/my/ticket/%s/note/%s/pdf" % (ticket.id, note.id)
        return path + ("?access_token=%s" % access_token if access_token else "")

    def assert_pdf_response(self, response, note, why):
        self.assertEqual(response.status_code, 200, "%s: the PDF must be served" % why)
        self.assertEqual(response.headers.get("Content-Type"), "application/pdf",
                         "%s: served as a PDF" % why)
        self.assertIn(note._pdf_name(), response.headers.get("Content-Disposition", ""),
                      "%s: downloaded under the note's name" % why)
        self.assertEqual(response.headers.get("X-Content-Type-Options"), "nosniff",
                         "%s: never sniffed as something else" % why)

    def assert_not_found(self, path, secrets, why):
        response = self.get(path, allow_redirects=False)
        self.assertEqual(response.status_code, 404, "%s: must answer 404, got %s"
                         % (why, response.status_code))
        self.assertNotEqual(response.headers.get("Content-Type"), "application/pdf",
                            "%s: no PDF" % why)
        for secret in secrets:
            self.assertNotIn(secret, response.text, "%s: must not show %r" % (why, secret))
        self.assertNotIn("Traceback", response.text, "%s: no traceback page" % why)

    def invoice_row(self, page, invoice):
        match = re.search(r'<tr[^>]*data-invoice-id="%d"[^>]*>(.*?)</tr>' % invoice.id, page,
                          re.DOTALL)
        self.assertTrue(match, "the page must list invoice %s" % invoice.number)
        return match.group(0)

    def invoice_status(self, page, invoice):
        match = re.search(r'o_tktit_invoice_status">([^<]*)<', self.invoice_row(page, invoice))
        self.assertTrue(match, "invoice %s must show its status" % invoice.number)
        return match.group(1).strip()

    def bank_journal(self):
        return self.env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", self.invoice_a.company_id.id)],
            limit=1)

    # ---------------------------------------------------------------- page
    def test_ticket_page_lists_signed_notes_and_invoices(self):
        note, invoice = self.note_a, self.invoice_a
        other = self.visit(self.customer_a)
        draft = self.draft_note(other)
        self.checkpoint()
        self.authenticate_as(self.customer_a)
        page = self.ticket_page(self.ticket_a)
        self.assertIn("Delivery notes", page, "the signed note's section must show")
        row = re.search(r'<tr[^>]*data-note-id="%d"[^>]*>(.*?)</tr>' % note.id, page,
                        re.DOTALL)
        self.assertTrue(row, "the signed note must be listed")
        row = row.group(0)
        self.assertIn(note.name, row, "the note's reference must show")
        self.assertIn(SIGNER, row, "who signed must show")
        self.assertIn(note.get_signed_on_local(), row,
                      "when it was signed must show, in the customer's time zone")
        self.assertIn("%.2f" % note.amount_total, row, "the note's total must show")
        self.assertIn('href="%s"' % self.note_pdf_path(self.ticket_a, note), row,
                      "the row must link to the note's PDF")
        self.assertIn("Invoices", page, "the invoice section must show")
        row = self.invoice_row(page, invoice)
        self.assertIn(invoice.number, row, "the invoice number must show")
        self.assertIn("%.2f" % invoice.amount_total, row, "the invoice amount must show")
        self.assertEqual(self.invoice_status(page, invoice), "To pay",
                         "an open invoice must say 'To pay'")
        self.assertIn('href="/my/invoices/%s?access_token=%s"' % (
            invoice.id, invoice.access_token), row,
            "the row must link to Odoo's invoice page with the invoice's token")
        self.assertIn("View / pay", row, "an invoice to pay is offered to pay")
        self.assertIn('href="/my/invoices/pdf/%s?access_token=%s"' % (
            invoice.id, invoice.access_token), row,
            "the row must link to Odoo's invoice PDF")
        # a draft note is the field operator's, not the customer's
        page = self.ticket_page(other)
        self.assertNotIn(draft.name, page, "a draft note must not be listed")
        self.assertNotIn("Delivery notes", page, "no section without a signed note")
        self.assertNotIn("o_tktit_invoices", page, "no invoice section without invoices")
        # the other organisation's ticket page shows nothing of A's
        self.authenticate_as(self.customer_b)
        page = self.ticket_page(self.ticket_b)
        for secret in (note.name, invoice.number, invoice.access_token, SIGNER):
            self.assertNotIn(secret, page, "B's page must not show A's %r" % secret)
        self.assertNotIn("o_tktit_delivery_notes", page, "B's ticket has no note section")
        self.assertNotIn("o_tktit_invoices", page, "B's ticket has no invoice section")

    def test_covered_note_is_free_of_charge_and_a_cancelled_one_disappears(self):
        ticket = self.visit(self.customer_a)
        ticket.sudo(self.operator).write({"coverage": "warranty"})
        note = self.signed_note(ticket)
        self.assertFalse(note.invoice_id, "a covered visit must not be invoiced")
        self.checkpoint()
        self.authenticate_as(self.customer_a)
        page = self.ticket_page(ticket)
        self.assertIn(note.name, page, "the covered note must be listed")
        self.assertTrue(re.search(r"Free of charge: Covered by the equipment(&#39;|')s "
                                  r"warranty\.", page),
                        "a covered note must say why it is free of charge")
        self.assertNotIn("o_tktit_invoices", page, "a covered ticket has no invoice section")
        manager = new_user(self.env, "hd.manager", [MANAGER])
        note.sudo(manager).action_cancel_signed("Signed by the wrong person")
        self.checkpoint()
        page = self.ticket_page(ticket)
        # (its name stays in the thread: the mail of the signature)
        self.assertNotIn('data-note-id="%d"' % note.id, page,
                         "a cancelled note must not be listed")
        self.assertNotIn("o_tktit_delivery_notes", page, "no section without a signed note")
        self.assert_not_found(self.note_pdf_path(ticket, note), [],
                              "the PDF of a cancelled note")

    def test_invoice_payment_words_and_credit_note(self):
        invoice = self.invoice_a.sudo()
        journal = self.bank_journal()
        self.assertTrue(journal, "the test needs a bank journal")
        invoice.pay_and_reconcile(journal, pay_amount=10.0)
        self.assertEqual(invoice.state, "open", "a partial payment leaves it open")
        refund = invoice.refund(description="Goodwill")
        refund.action_invoice_open()
        self.checkpoint()
        self.authenticate_as(self.customer_a)
        page = self.ticket_page(self.ticket_a)
        self.assertEqual(self.invoice_status(page, invoice), "Partially paid",
                         "a partly paid invoice must say so")
        self.assertIn("View / pay", self.invoice_row(page, invoice),
                      "the rest of it can still be paid")
        row = self.invoice_row(page, refund)
        self.assertIn("Credit note", row, "a credit note must be shown as such")
        self.assertEqual(self.invoice_status(page, refund), "To refund",
                         "an open credit note is still to refund")
        self.assertNotIn("View / pay", row, "a credit note is not paid by the customer")
        invoice.pay_and_reconcile(journal)
        self.assertEqual(invoice.state, "paid", "the rest paid, the invoice is paid")
        self.checkpoint()
        page = self.ticket_page(self.ticket_a)
        self.assertEqual(self.invoice_status(page, invoice), "Paid",
                         "a paid invoice must say 'Paid'")
        self.assertNotIn("View / pay", self.invoice_row(page, invoice),
                         "a paid invoice offers no payment")

    # ------------------------------------------------------------- the PDF
    def test_note_pdf_for_the_customer_and_the_token_holder(self):
        note, ticket = self.note_a, self.ticket_a
        # a mail link: not logged in, the ticket's token
        page = self.ticket_page(ticket, access_token=ticket.access_token)
        self.assertIn('href="%s"' % self.note_pdf_path(ticket, note, ticket.access_token),
                      page.replace("&amp;", "&"),
                      "with the token, the PDF link must carry it")
        response = self.get(self.note_pdf_path(ticket, note, ticket.access_token))
        self.assert_pdf_response(response, note, "the ticket's token holder")
        # test mode renders the report as HTML: still the note's own document
        self.assertIn(note.name.encode(), response.content,
                      "the rendered report must be the note's")
        self.authenticate_as(self.customer_a2)  # a colleague of the same organisation
        response = self.get(self.note_pdf_path(ticket, note))
        self.assert_pdf_response(response, note, "the customer's colleague")
        # the PDF stored at the signature is what is served (wkhtmltopdf does not run
        # in test mode: a stand-in file in its place)
        stored = b"%PDF-1.4 signed copy of " + note.name.encode()
        attachment = self.env["ir.attachment"].create({
            "name": note._pdf_name(), "datas_fname": note._pdf_name(),
            "datas": base64.b64encode(stored), "res_model": note._name, "res_id": note.id,
            "mimetype": "application/pdf"})
        note._write_signed({"pdf_attachment_id": attachment.id})
        response = self.get(self.note_pdf_path(ticket, note))
        self.assert_pdf_response(response, note, "the stored PDF")
        self.assertEqual(response.content, stored, "the stored signed PDF must be served "
                                                   "as it is")

    def test_note_pdf_refused_to_anyone_else_without_leaking(self):
        note, ticket_a, ticket_b = self.note_a, self.ticket_a, self.ticket_b
        secrets = [note.name, SIGNER]
        self.assert_not_found(self.note_pdf_path(ticket_a, note), secrets,
                              "anonymous without token")
        self.assert_not_found(self.note_pdf_path(ticket_a, note, "not-the-token"), secrets,
                              "anonymous with a wrong token")
        self.assert_not_found(self.note_pdf_path(ticket_a, note, ticket_b.access_token),
                              secrets, "another ticket's token")
        self.assert_not_found(self.note_pdf_path(ticket_b, note, ticket_b.access_token),
                              secrets, "A's note under B's ticket, with B's token")
        self.authenticate_as(self.customer_b)
        self.assert_not_found(self.note_pdf_path(ticket_a, note), secrets,
                              "B asking for A's note by URL")
        self.assert_not_found(self.note_pdf_path(ticket_b, note), secrets,
                              "B using A's note id under B's own ticket")
        self.assert_not_found("/my/ticket/%s/note/999999999/pdf" % ticket_b.id, secrets,
                              "B asking for a note that does not exist")
        # the customer's own draft note (not signed yet) has no PDF
        other = self.visit(self.customer_a)
        draft = self.draft_note(other)
        self.authenticate_as(self.customer_a)
        self.assert_not_found(self.note_pdf_path(other, draft), [draft.name],
                              "a draft note's PDF")
        self.assert_not_found(self.note_pdf_path(other, note), [],
                              "A's note under another ticket of A")

    # ------------------------------------------ Odoo's invoice pages, RPC
    def test_other_customer_gets_neither_invoice_nor_note(self):
        invoice, note = self.invoice_a, self.note_a
        self.authenticate_as(self.customer_b)
        for path in ("/my/invoices/%s" % invoice.id, "/my/invoices/pdf/%s" % invoice.id):
            response = self.get(path)
            self.assertEqual(response.status_code, 200, "%s: Odoo redirects" % path)
            self.assertTrue(response.url.endswith("/my"),
                            "%s: Odoo's own check must send B to /my: %s"
                            % (path, response.url))
            self.assertNotIn(invoice.number, response.text,
                             "%s: B must not see A's invoice" % path)
        response = self.get("/my/invoices")
        self.assertNotIn(invoice.number, response.text,
                         "B's invoice list must not show A's invoice")
        self.assert_refused(
            self.call_kw("helpdesk.delivery.note", "read", [[note.id], ["name", "state"]]),
            "B reading A's signed note over JSON-RPC", error_names=("AccessError",))
        self.assert_refused(
            self.call_kw("helpdesk.delivery.note.line", "read",
                         [note.line_ids.ids, ["name", "price_total"]]),
            "B reading A's note lines over JSON-RPC", error_names=("AccessError",))
        found = self.call_kw("helpdesk.delivery.note", "search_read",
                             [[["id", "=", note.id]], ["name"]])
        self.assertEqual(found.get("result"), [], "B's search must not find A's note")
        # A follows the link of the ticket page: Odoo's invoice page, with its pay part
        self.authenticate_as(self.customer_a)
        response = self.get("/my/invoices/%s?access_token=%s" % (
            invoice.id, invoice.access_token))
        self.assertEqual(response.status_code, 200, "A must open the invoice page")
        self.assertIn(invoice.number, response.text, "A's invoice page shows its number")
        payload = self.call_kw("helpdesk.delivery.note", "read", [[note.id], ["name"]])
        self.assertEqual(payload.get("result", [{}])[0].get("name"), note.name,
                         "A must read their organisation's signed note: %s" % payload)

    def test_satisfied_customer_waits_for_the_payment_not_for_a_question(self):
        """A signed billable visit is delivered until paid: the customer who says they
        are satisfied is told it closes on payment, and is not asked again."""
        path = "/my/ticket/%s" % self.ticket_a.id
        self.authenticate_as(self.customer_a)
        self.assertIn("o_tktit_confirm", self.ticket_page(self.ticket_a),
                      "a delivered ticket asks the customer whether it resolves the request")
        response = self.post_form(path + "/confirm", {"satisfied": "1"}, csrf_from=path,
                                  allow_redirects=True)
        self.env.cache.invalidate()
        self.assertEqual(self.ticket_a.sudo().state, "delivered",
                         "the unpaid ticket must stay open after the customer's answer")
        self.assertEqual(self.ticket_a.sudo().satisfaction, "satisfied")
        self.assertIn("closes as soon as its invoice is paid", response.text,
                      "the customer must be told what the ticket waits for")
        self.assertNotIn("your ticket is closed", response.text)
        page = self.ticket_page(self.ticket_a)
        self.assertIn("o_tktit_awaiting_payment", page)
        self.assertNotIn("o_tktit_confirm_yes", page, "no second question")


class TestDeliveryNoteRecordAccess(SignedNoteMixin, FieldCase):
    """The records behind the portal, through the ORM (what a JSON-RPC call runs)."""

    def test_other_customer_reads_no_note_and_no_line(self):
        note = self.signed_note(self.visit(self.customer_a))
        with mute_logger("odoo.addons.base.ir.ir_model"):
            with self.assertRaises(AccessError, msg="B must not read A's signed note"):
                note.sudo(self.customer_b).read(["name", "state"])
            with self.assertRaises(AccessError, msg="B must not read A's note lines"):
                note.line_ids.sudo(self.customer_b).read(["name", "price_total"])
            draft = self.draft_note(self.visit(self.customer_a))
            with self.assertRaises(AccessError, msg="A must not read a draft note"):
                draft.sudo(self.customer_a).read(["name"])
        self.assertFalse(self.env["helpdesk.delivery.note"].sudo(self.customer_b).search(
            [("id", "=", note.id)]), "B's search must not find A's note")
        self.assertEqual(note.sudo(self.customer_a2).read(["name"])[0]["name"], note.name,
                         "A's colleague reads their organisation's signed note")
        self.assertEqual(len(note.line_ids.sudo(self.customer_a).read(["name"])),
                         len(note.line_ids), "A reads the lines of their signed note")
