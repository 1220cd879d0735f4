# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Prices, taxes and a fiscal position on top of the field fixture; signing and paying
the real way."""
from odoo import fields

from .field_common import FieldCase, signature_data_url


class BillingCase(FieldCase):
    """Hours are sold at 80.00 (the queue's service product), a router at 100.00, cable
    at 2.00 a metre, all with a 10 % sale tax; organisation B has a fiscal position that
    maps it to an exempt tax."""

    @classmethod
    def setUpClass(cls):
        super(BillingCase, cls).setUpClass()
        env = cls.env
        company = env.user.company_id
        Tax = env["account.tax"]
        cls.tax_10 = Tax.create({
            "name": "Test VAT 10%", "amount": 10.0, "amount_type": "percent",
            "type_tax_use": "sale", "company_id": company.id})
        cls.tax_0 = Tax.create({
            "name": "Test VAT exempt", "amount": 0.0, "amount_type": "percent",
            "type_tax_use": "sale", "company_id": company.id})
        cls.service.write({"list_price": 80.0, "taxes_id": [(6, 0, cls.tax_10.ids)],
                           "uom_id": env.ref("product.product_uom_hour").id,
                           "uom_po_id": env.ref("product.product_uom_hour").id})
        cls.queue.service_product_id = cls.service
        cls.router.write({"list_price": 100.0, "taxes_id": [(6, 0, cls.tax_10.ids)]})
        cls.cable.write({"list_price": 2.0, "taxes_id": [(6, 0, cls.tax_10.ids)]})
        cls.income_export = env["account.account"].create({
            "name": "Test Export Sales", "code": "TEXP01", "company_id": company.id,
            "user_type_id": env.ref("account.data_account_type_revenue").id})
        cls.fiscal_position = env["account.fiscal.position"].create({
            "name": "Test Export", "company_id": company.id,
            "tax_ids": [(0, 0, {"tax_src_id": cls.tax_10.id, "tax_dest_id": cls.tax_0.id})],
        })
        cls.org_b.property_account_position_id = cls.fiscal_position
        cls.bank_journal = env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", company.id)], limit=1)

    # ------------------------------------------------------------- helpers
    def log_hours(self, ticket, hours, user=None, name="On-site repair"):
        user = user or self.field_op
        return self.env["account.analytic.line"].sudo(user).create({
            "helpdesk_ticket_id": ticket.id, "name": name, "unit_amount": hours,
            "user_id": user.id})

    def add_material(self, ticket, product, quantity, user=None, **values):
        values.update({"ticket_id": ticket.id, "product_id": product.id,
                       "quantity": quantity})
        return self.env["helpdesk.ticket.material"].sudo(user or self.field_op).create(
            values)

    def new_note(self, ticket, user=None):
        return self.env["helpdesk.delivery.note"].sudo(user or self.field_op).create(
            {"ticket_id": ticket.id})

    def sign(self, note, signed_by="Jane Customer", signature=None, user=None):
        note.sudo(user or self.field_op).action_sign(
            signed_by, signature or signature_data_url())
        note.invalidate_cache()
        return note.sudo()

    def visit(self, customer=None, hours=2.5, router=1, cable=10.0, **values):
        """A field ticket with the operator's hours and materials, and its draft note."""
        ticket = self.field_ticket(customer=customer, **values)
        self.log_hours(ticket, hours)
        if router:
            self.add_material(ticket, self.router, router)
        if cable:
            self.add_material(ticket, self.cable, cable)
        return ticket, self.new_note(ticket)

    def pay(self, invoice, amount=None):
        """An incoming payment registered on ``invoice`` (Odoo's own path)."""
        payment = self.env["account.payment"].create({
            "payment_type": "inbound", "partner_type": "customer",
            "partner_id": invoice.partner_id.id,
            "amount": invoice.residual if amount is None else amount,
            "journal_id": self.bank_journal.id,
            "payment_method_id": self.env.ref(
                "account.account_payment_method_manual_in").id,
            "payment_date": fields.Date.today(),
            "invoice_ids": [(4, invoice.id)],
        })
        payment.post()
        invoice.invalidate_cache()
        return payment

    def make_contract(self, organisation, start, end, **values):
        values.update({"name": "Test contract %s" % organisation.name,
                       "partner_id": organisation.id, "date_start": start,
                       "date_end": end})
        return self.env["helpdesk.support.contract"].create(values)
