# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models


class AccountInvoice(models.Model):
    _inherit = "account.invoice"

    helpdesk_ticket_id = fields.Many2one(
        "helpdesk.ticket", string="Helpdesk Ticket", index=True, readonly=True, copy=False,
        help="The ticket this invoice (or credit note) bills.")
    helpdesk_delivery_note_id = fields.Many2one(
        "helpdesk.delivery.note", string="Delivery Note", index=True, readonly=True,
        copy=False, help="The signed delivery note this invoice was built from.")
    helpdesk_queue_id = fields.Many2one(
        "helpdesk.queue", string="Expert Queue", related="helpdesk_ticket_id.queue_id",
        store=True, readonly=True, help="For the invoiced amounts by queue.")

    @api.multi
    def action_invoice_paid(self):
        res = super(AccountInvoice, self).action_invoice_paid()
        # the ticket closes when its invoices are paid, whatever paid them (a
        # registered payment, a bank reconciliation, an online payment)
        self.mapped("helpdesk_ticket_id")._on_invoice_paid()
        bills = self.filtered(lambda i: i.type == "in_invoice")
        if bills:
            # an expert's share paid: the payout that ends the fee's clock
            self.env["helpdesk.ticket"].sudo().search(
                [("expert_bill_id", "in", bills.ids)])._on_expert_bill_paid()
        return res

    @api.model
    def _prepare_refund(self, invoice, date_invoice=None, date=None, description=None,
                        journal_id=None):
        values = super(AccountInvoice, self)._prepare_refund(
            invoice, date_invoice=date_invoice, date=date, description=description,
            journal_id=journal_id)
        # a credit note stays visible on its ticket (and reopens nothing)
        values["helpdesk_ticket_id"] = invoice.helpdesk_ticket_id.id
        return values

    def get_portal_link(self):
        """Absolute link to the invoice's portal page (view, PDF, pay online), with its
        access token: for mail templates."""
        self.ensure_one()
        base_url = self.env["ir.config_parameter"].sudo().get_param("web.base.url")
        return "%s/my/invoices/%s?access_token=%s" % (
            base_url, self.id, self.sudo().access_token or "")

    def _mail_to_customer(self, note=None):
        """The invoice mail (Odoo's invoice PDF, the portal link to pay) with the signed
        delivery note's PDF, through the mail queue; the invoice is marked sent."""
        self.ensure_one()
        template = self.env.ref("tktit_helpdesk_billing.mail_template_ticket_invoice")
        invoice = self.with_context(lang=self.partner_id.lang)
        composer = self.env["mail.compose.message"].with_context(
            lang=self.partner_id.lang, mail_notify_force_send=False,
            default_composition_mode="comment", default_model=self._name,
            default_res_id=self.id, default_template_id=template.id,
        ).create({"composition_mode": "comment", "model": self._name, "res_id": self.id,
                  "template_id": template.id, "message_type": "comment",
                  "subtype_id": self.env.ref("mail.mt_comment").id})
        values = composer.onchange_template_id(
            template.id, "comment", self._name, self.id)["value"]
        if note and note.pdf_attachment_id:
            attachments = values.get("attachment_ids") or []
            if attachments and isinstance(attachments[0], (list, tuple)):
                attachments = list(attachments[0][2])
            values["attachment_ids"] = [(6, 0, list(attachments) +
                                         [note.pdf_attachment_id.copy({
                                             "res_model": "mail.compose.message",
                                             "res_id": 0}).id])]
        values["body"] = self.env["res.lang"]._wrap_html_direction(
            self.partner_id.lang, values.get("body"))
        composer.write(values)
        composer.send_mail()
        invoice.write({"sent": True})
