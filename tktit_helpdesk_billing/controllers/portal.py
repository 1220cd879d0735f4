# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import base64

from odoo import _, http
from odoo.exceptions import AccessError, MissingError
from odoo.http import content_disposition, request

from odoo.addons.account.controllers.portal import PortalAccount
from odoo.addons.tktit_helpdesk.controllers.portal import HelpdeskPortal

# the invoices the customer is shown: validated ones, as on Odoo's own portal (a draft
# never; a cancelled one once it had a number, i.e. was sent)
PORTAL_INVOICE_STATES = ("open", "paid", "cancel")


class HelpdeskPortalAccount(PortalAccount):
    """Odoo's invoice counter on /my: an employee without invoicing rights (an expert, a
    field operator) gets no error page, only no invoice counter."""

    def _prepare_portal_layout_values(self):
        if request.env["account.invoice"].check_access_rights("read", raise_exception=False):
            return super(HelpdeskPortalAccount, self)._prepare_portal_layout_values()
        # skip account's counter only: the rest of the chain runs as usual
        values = super(PortalAccount, self)._prepare_portal_layout_values()
        values["invoice_count"] = 0
        return values


class HelpdeskBillingPortal(HelpdeskPortal):
    """The billing side of the portal ticket page: the ticket's signed delivery notes
    (with their PDF) and its invoices (links to Odoo's own invoice pages, where the
    customer views, downloads and pays them)."""

    # ------------------------------------------------------------- helpers
    def _invoice_portal_status(self, invoice):
        """``(code, words)`` of an invoice's payment for the customer."""
        refund = invoice.type == "out_refund"
        if invoice.state == "cancel":
            return "cancelled", _("Cancelled")
        if invoice.state == "paid":
            return "paid", _("Refunded") if refund else _("Paid")
        if invoice.currency_id.compare_amounts(invoice.residual, invoice.amount_total) < 0:
            return "partial", _("Partially refunded") if refund else _("Partially paid")
        return "to_pay", _("To refund") if refund else _("To pay")

    def _ticket_billing_values(self, ticket):
        """The signed notes and the invoices of ``ticket`` (a sudo record, once its
        access check passed: invoice_ids is for accountants, and a visitor holding the
        ticket's token has no rights of their own)."""
        notes = ticket.delivery_note_ids.filtered(lambda n: n.state == "signed") \
            .sorted(lambda n: (n.signed_on or "", n.id))
        invoices = ticket.invoice_ids.filtered(
            lambda i: i.type in ("out_invoice", "out_refund") and i.number
            and i.state in PORTAL_INVOICE_STATES)
        invoices = invoices.sorted(lambda i: (i.date_invoice or "", i.id))
        return {
            "delivery_notes": notes,
            "ticket_invoices": [(invoice,) + self._invoice_portal_status(invoice)
                                for invoice in invoices],
        }

    def _ticket_get_page_view_values(self, ticket, access_token, **kwargs):
        values = super(HelpdeskBillingPortal, self)._ticket_get_page_view_values(
            ticket, access_token, **kwargs)
        values.update(self._ticket_billing_values(ticket))
        return values

    def _confirm_message(self, ticket, satisfied):
        if satisfied and ticket.state != "closed":
            # a billable ticket closes when its invoice is paid (see the ticket page)
            return _("Thank you for your answer: your ticket closes as soon as its "
                     "invoice is paid.")
        return super(HelpdeskBillingPortal, self)._confirm_message(ticket, satisfied)

    # --------------------------------------------------------------- routes
    @http.route(["/my/ticket/<int:ticket_id>/note/<int:note_id>/pdf"], type="http",
                auth="public", website=True)
    def portal_ticket_note_pdf(self, ticket_id, note_id, access_token=None, **kw):
        """The signed PDF of a delivery note, for whoever may see its ticket (logged in,
        or holding the ticket's token): 404 for anything else (another ticket's note, a
        draft or cancelled one, a ticket the visitor may not see)."""
        try:
            ticket = self._ticket_check_access(ticket_id, access_token)
        except (AccessError, MissingError):
            return request.not_found()
        note = ticket.delivery_note_ids.filtered(
            lambda n: n.id == note_id and n.state == "signed")
        if not note:
            return request.not_found()
        if note.pdf_attachment_id.datas:
            # the PDF saved at the signature: what the customer signed and was mailed
            content = base64.b64decode(note.pdf_attachment_id.datas)
        else:
            # sudo, after the checks above: the report reads the ticket, the company
            # and the taxes, which the customer (or a token holder) may not; with
            # attachment_use it saves the PDF for the next download
            report = request.env.ref("tktit_helpdesk_billing.action_report_delivery_note")
            result = report.sudo().render_qweb_pdf([note.id])
            content = result[0] if isinstance(result, tuple) else result
        headers = [
            ("Content-Type", "application/pdf"),
            ("Content-Length", len(content)),
            ("Content-Disposition", content_disposition(note._pdf_name())),
            ("X-Content-Type-Options", "nosniff"),
            ("Cache-Control", "private, max-age=0"),
        ]
        return request.make_response(content, headers)
