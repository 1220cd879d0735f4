# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import _, api, fields, models
from odoo.exceptions import UserError

import odoo.addons.decimal_precision as dp


class HelpdeskDeliveryNoteLine(models.Model):
    """A line of a delivery note: hours (a timesheet entry at the service product's
    price) or a material (at its sale price). Copied from the ticket while the note is
    a draft, frozen with it when the customer signs; the invoice is built from these
    lines, not from the ticket's."""
    _name = "helpdesk.delivery.note.line"
    _description = "Delivery Note Line"
    _order = "note_id, sequence, id"

    note_id = fields.Many2one("helpdesk.delivery.note", string="Delivery Note",
                              required=True, index=True, ondelete="cascade")
    sequence = fields.Integer(default=10)
    kind = fields.Selection([("hours", "Hours"), ("material", "Material")], required=True)
    name = fields.Char(string="Description", required=True)
    product_id = fields.Many2one("product.product", string="Product", required=True)
    quantity = fields.Float(required=True, digits=dp.get_precision("Product Unit of Measure"))
    uom_id = fields.Many2one("product.uom", string="Unit", required=True)
    price_unit = fields.Float(string="Unit Price", required=True,
                              digits=dp.get_precision("Product Price"))
    tax_ids = fields.Many2many("account.tax", string="Taxes")
    currency_id = fields.Many2one(related="note_id.currency_id", store=True, readonly=True)
    price_subtotal = fields.Monetary(compute="_compute_amounts", store=True,
                                     string="Subtotal")
    price_total = fields.Monetary(compute="_compute_amounts", store=True, string="Total")
    timesheet_id = fields.Many2one("account.analytic.line", string="Timesheet Entry",
                                   ondelete="set null")
    material_id = fields.Many2one("helpdesk.ticket.material", string="Material Line",
                                  ondelete="set null")

    @api.depends("quantity", "price_unit", "tax_ids")
    def _compute_amounts(self):
        for line in self:
            note = line.note_id
            taxes = line.tax_ids.compute_all(
                line.price_unit, line.currency_id or note.currency_id, line.quantity,
                product=line.product_id, partner=note.partner_id)
            line.price_subtotal = taxes["total_excluded"]
            line.price_total = taxes["total_included"]

    def _check_draft(self):
        signed = self.mapped("note_id").filtered(lambda n: n.state != "draft")
        if signed:
            raise UserError(_("Delivery note %s is signed: its lines cannot be changed.")
                            % signed[0].name)

    @api.model
    def create(self, vals):
        note = self.env["helpdesk.delivery.note"].browse(vals.get("note_id"))
        if note.state != "draft":
            raise UserError(_("Delivery note %s is signed: its lines cannot be changed.")
                            % note.name)
        return super(HelpdeskDeliveryNoteLine, self).create(vals)

    @api.multi
    def write(self, vals):
        self._check_draft()
        return super(HelpdeskDeliveryNoteLine, self).write(vals)

    @api.multi
    def unlink(self):
        self._check_draft()
        return super(HelpdeskDeliveryNoteLine, self).unlink()
