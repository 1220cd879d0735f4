# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import base64

import werkzeug.utils
from werkzeug.urls import url_quote

from odoo import _, http
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
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

    # ----------------------------------------------------------------- fee
    @http.route(["/my/ticket/<int:ticket_id>/fee/confirm"], type="http", auth="public",
                methods=["POST"], website=True)
    def portal_ticket_fee_confirm(self, ticket_id, access_token=None, **kw):
        """The customer confirms the quoted fee: off to PayPal's approval page (the
        same one when they click twice); a refusal is a message on the ticket page."""
        try:
            ticket = self._ticket_check_access(ticket_id, access_token)
        except (AccessError, MissingError):
            return request.redirect("/my")
        query = access_token and "?access_token=%s" % url_quote(access_token) or ""
        # PayPal sends the browser back to the address it is on now (not web.base.url,
        # which may name another host: the session cookie would not follow)
        base_url = request.httprequest.url_root.rstrip("/")
        try:
            with request.env.cr.savepoint():
                # back from PayPal, a visitor without a session needs the ticket's token
                approval_url = ticket.action_confirm_fee(
                    return_url="%s/payment/paypal_rest/return%s" % (base_url, query),
                    cancel_url="%s/payment/paypal_rest/cancel%s" % (base_url, query))
        except (UserError, ValidationError) as error:
            self._flash("danger", error.name)
            return request.redirect(self._ticket_url(ticket, access_token))
        return werkzeug.utils.redirect(approval_url, 303)

    def _paypal_return_ticket(self, kw):
        """The ticket of a PayPal return, once the visitor may see it (logged in, or
        with the ticket's token); None when not."""
        Transaction = request.env["payment.transaction"].sudo()
        tx = Transaction.search([("paypal_rest_token", "=", kw.get("token") or "-"),
                                 ("helpdesk_ticket_id", "!=", False)], limit=1)
        if not tx:
            return None
        try:
            return self._ticket_check_access(tx.helpdesk_ticket_id.id,
                                             kw.get("access_token"))
        except (AccessError, MissingError):
            return None

    @http.route(["/payment/paypal_rest/return"], type="http", auth="public",
                website=True, csrf=False)
    def paypal_rest_return(self, **kw):
        """PayPal sends the customer back approved (``paymentId``, ``token``,
        ``PayerID``): the payment is executed, the fee held. A return that is not the
        ticket's current payment (edited, another ticket's) changes nothing."""
        ticket = self._paypal_return_ticket(kw)
        if ticket is None:
            return request.render("tktit_helpdesk_billing.portal_paypal_unknown", {},
                                  status=400)
        access_token = kw.get("access_token")
        if self._run_transition(ticket, "action_hold_fee", kw.get("paymentId"),
                                kw.get("token"), kw.get("PayerID")):
            self._flash("success", _("Thank you: PayPal holds %s for this ticket. It is "
                                     "taken only once you confirm the closure and your "
                                     "satisfaction.") % ticket._fee_label())
        return request.redirect(self._ticket_url(ticket, access_token))

    @http.route(["/payment/paypal_rest/cancel"], type="http", auth="public",
                website=True, csrf=False)
    def paypal_rest_cancel(self, **kw):
        """The customer cancelled at PayPal: back on the ticket, the quote still open."""
        ticket = self._paypal_return_ticket(kw)
        if ticket is None:
            return request.render("tktit_helpdesk_billing.portal_paypal_unknown", {},
                                  status=400)
        if self._run_transition(ticket, "action_cancel_fee_payment", kw.get("token")):
            self._flash("warning", _("You cancelled at PayPal: nothing is held. Confirm "
                                     "the fee when you are ready."))
        return request.redirect(self._ticket_url(ticket, kw.get("access_token")))
