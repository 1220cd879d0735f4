# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from collections import defaultdict

from odoo import SUPERUSER_ID, _, api, fields, models
from odoo.exceptions import UserError, ValidationError

import odoo.addons.decimal_precision as dp
from odoo.addons.tktit_helpdesk.models.helpdesk_ticket import DONE_STATES

MANAGER = "tktit_helpdesk.group_helpdesk_manager"
MATERIAL_TYPES = ("product", "consu")


class HelpdeskTicketMaterial(models.Model):
    """A material used (or to be used) on a ticket: a stockable or consumable product
    taken from a stock location (the assigned field operator's van, else the company's
    warehouse stock). The quantity available there is shown beside the line, with a
    shortage warning when the ticket needs more than the location holds.

    Out of stock is allowed, with the warning (see the addon's readme). The consumption,
    a done picking out of ``location_id`` when the delivery note is signed, is prepared by
    ``_prepare_picking_values`` and done by ``_action_consume``, which the signature of
    the delivery note calls. A material on a signed note changes no more."""
    _name = "helpdesk.ticket.material"
    _description = "Helpdesk Ticket Material"
    _order = "ticket_id, sequence, id"

    sequence = fields.Integer(default=10)
    ticket_id = fields.Many2one(
        "helpdesk.ticket", string="Ticket", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="ticket_id.company_id", store=True, readonly=True)
    product_id = fields.Many2one(
        "product.product", string="Product", required=True, index=True,
        domain=[("type", "in", MATERIAL_TYPES)])
    quantity = fields.Float(
        required=True, default=1.0, digits=dp.get_precision("Product Unit of Measure"))
    product_uom_id = fields.Many2one(
        "product.uom", string="Unit", required=True,
        help="Default: the product's unit; any unit of the same category.")
    location_id = fields.Many2one(
        "stock.location", string="Source Location", required=True, index=True,
        domain=[("usage", "=", "internal")],
        help="Where the material is taken from: the field operator's van, else the "
             "warehouse stock.")
    qty_available_at_location = fields.Float(
        compute="_compute_availability", string="Available There",
        digits=dp.get_precision("Product Unit of Measure"),
        help="On hand in the source location (and its sub-locations), in the line's unit.")
    shortage_qty = fields.Float(
        compute="_compute_availability", string="Missing",
        digits=dp.get_precision("Product Unit of Measure"),
        help="What the ticket needs of this product beyond what the source location "
             "holds (all its lines of the product from there), in the line's unit.")
    shortage = fields.Boolean(compute="_compute_availability",
                              help="The source location does not hold enough.")
    delivery_note_id = fields.Many2one(
        "helpdesk.delivery.note", string="Delivery Note", readonly=True, copy=False,
        index=True, help="The signed note this material was delivered with.")
    move_id = fields.Many2one("stock.move", string="Stock Move", readonly=True, copy=False,
                              help="The done move that took it out of its location.")

    # ------------------------------------------------------------ computes
    @api.depends("product_id", "location_id", "quantity", "product_uom_id",
                 "ticket_id.material_ids.quantity")
    def _compute_availability(self):
        """One read_group of the quants for all lines; each location counts its
        sub-locations (parent_left/parent_right of the location tree)."""
        lines = self.filtered(lambda l: l.product_id and l.location_id)
        on_hand = defaultdict(float)  # (product id, location id) -> qty, product unit
        if lines:
            locations = lines.mapped("location_id")
            groups = self.env["stock.quant"].sudo().read_group(
                [("product_id", "in", lines.mapped("product_id").ids),
                 ("location_id", "child_of", locations.ids)],
                ["product_id", "location_id", "quantity"], ["product_id", "location_id"],
                lazy=False)
            found = self.env["stock.location"].sudo().browse(
                [g["location_id"][0] for g in groups])
            bounds = {loc.id: loc.parent_left for loc in found}
            trees = [(loc.id, loc.parent_left, loc.parent_right)
                     for loc in locations.sudo()]
            for group in groups:
                left = bounds[group["location_id"][0]]
                for loc_id, lo, hi in trees:
                    if lo <= left <= hi:
                        on_hand[(group["product_id"][0], loc_id)] += group["quantity"]
        for line in self:
            if line not in lines:
                line.qty_available_at_location = line.shortage_qty = 0.0
                line.shortage = False
                continue
            product, uom = line.product_id, line.product_uom_id or line.product_id.uom_id
            available = on_hand[(product.id, line.location_id.id)]
            needed = sum(
                other.product_uom_id._compute_quantity(other.quantity, product.uom_id)
                for other in (line.ticket_id.material_ids | line)
                if other.product_id == product and other.location_id == line.location_id
                and other.product_uom_id)
            missing = max(0.0, needed - available)
            line.qty_available_at_location = product.uom_id._compute_quantity(
                available, uom, round=False)
            line.shortage_qty = product.uom_id._compute_quantity(missing, uom, round=False)
            line.shortage = product.type == "product" and missing > 0

    # --------------------------------------------------------- constraints
    @api.constrains("quantity")
    def _check_quantity(self):
        # as superuser: the record rules (checked after the constraints) say whose lines
        for line in self.sudo():
            if line.quantity <= 0:
                raise ValidationError(_(
                    "The quantity of %(product)s on ticket %(number)s must be more than "
                    "zero (got %(qty)s): remove the line instead.") % {
                        "product": line.product_id.display_name,
                        "number": line.ticket_id.number, "qty": line.quantity})

    @api.constrains("product_id", "product_uom_id")
    def _check_product(self):
        for line in self.sudo():
            if line.product_id.type not in MATERIAL_TYPES:
                raise ValidationError(_(
                    "%(product)s is a service, not a material: log the time on the "
                    "ticket's timesheets; materials are stockable or consumable "
                    "products.") % {"product": line.product_id.display_name})
            if line.product_id.tracking != "none":
                raise ValidationError(_(
                    "%(product)s is tracked by lot or serial number: record the serial "
                    "numbers with a stock transfer; materials of a visit are untracked "
                    "products.") % {"product": line.product_id.display_name})
            if line.product_uom_id.category_id != line.product_id.uom_id.category_id:
                raise ValidationError(_(
                    "%(product)s is counted in %(category)s: unit %(uom)s cannot be "
                    "used for it.") % {
                        "product": line.product_id.display_name,
                        "category": line.product_id.uom_id.category_id.name,
                        "uom": line.product_uom_id.name})

    @api.constrains("ticket_id")
    def _check_ticket_open(self):
        if self.env.user.has_group(MANAGER):
            return
        for line in self.sudo():
            if line.ticket_id.state in DONE_STATES:
                raise ValidationError(_(
                    "Ticket %s is closed: its materials do not change any more.")
                    % line.ticket_id.number)

    # --------------------------------------------------------------- CRUD
    @api.onchange("product_id")
    def _onchange_product_id(self):
        if self.product_id and (not self.product_uom_id or
                                self.product_uom_id.category_id !=
                                self.product_id.uom_id.category_id):
            self.product_uom_id = self.product_id.uom_id

    @api.model
    def create(self, vals):
        vals = dict(vals)
        if vals.get("product_id") and not vals.get("product_uom_id"):
            vals["product_uom_id"] = self.env["product.product"].browse(
                vals["product_id"]).uom_id.id
        if vals.get("ticket_id") and not vals.get("location_id"):
            ticket = self.env["helpdesk.ticket"].browse(vals["ticket_id"])
            vals["location_id"] = ticket.sudo()._get_material_location().id
        return super(HelpdeskTicketMaterial, self).create(vals)

    def _check_not_delivered(self):
        delivered = self.sudo().filtered("delivery_note_id")
        if delivered:
            raise UserError(_("%(product)s was delivered with the signed note %(note)s: "
                              "it changes no more.") % {
                                  "product": delivered[0].product_id.display_name,
                                  "note": delivered[0].delivery_note_id.name})

    @api.multi
    def write(self, vals):
        # the signature itself links the lines to their note and move (as superuser)
        if not (self.env.uid == SUPERUSER_ID and set(vals) <= {"delivery_note_id",
                                                               "move_id"}):
            self._check_not_delivered()
        for line in self.sudo():
            if line.ticket_id.state in DONE_STATES and not self.env.user.has_group(MANAGER):
                raise UserError(_("Ticket %s is closed: its materials do not change any "
                                  "more.") % line.ticket_id.number)
        return super(HelpdeskTicketMaterial, self).write(vals)

    @api.multi
    def unlink(self):
        self._check_not_delivered()
        if not self.env.user.has_group(MANAGER):
            done = self.sudo().filtered(lambda l: l.ticket_id.state in DONE_STATES)
            if done:
                raise UserError(_("Ticket %s is closed: its materials do not change any "
                                  "more.") % done[0].ticket_id.number)
        return super(HelpdeskTicketMaterial, self).unlink()

    # -------------------------------------------------------- consumption
    @api.multi
    def _prepare_picking_values(self):
        """Values of the picking consuming these lines (one ticket, one source
        location): an outgoing picking from ``location_id`` to the customer's location,
        one move per line, linked to the ticket by its origin. Used by
        ``_action_consume``, which the delivery note's signature calls."""
        ticket = self.mapped("ticket_id")
        location = self.mapped("location_id")
        if len(ticket) != 1 or len(location) != 1:
            raise UserError(_("A picking consumes the materials of one ticket from one "
                              "location."))
        warehouse = self.env["stock.warehouse"].search(
            [("company_id", "=", ticket.company_id.id)], limit=1)
        destination = (ticket.site_partner_id or ticket.partner_id).property_stock_customer
        return {
            "picking_type_id": warehouse.out_type_id.id,
            "location_id": location.id,
            "location_dest_id": destination.id,
            "partner_id": (ticket.site_partner_id or ticket.partner_id).id,
            "origin": ticket.number,
            "company_id": ticket.company_id.id,
            "move_lines": [(0, 0, {
                "name": line.product_id.display_name,
                "product_id": line.product_id.id,
                "product_uom_qty": line.quantity,
                "product_uom": line.product_uom_id.id,
                "location_id": location.id,
                "location_dest_id": destination.id,
                "company_id": ticket.company_id.id,
            }) for line in self],
        }

    @api.multi
    def _action_consume(self, note):
        """The signature of ``note`` consumes these lines: one done picking per source
        location, linked to the ticket and the note. Done even out of stock: the
        location's quant goes negative (see the readme). Called as superuser by the
        note's signature, which has checked who signs."""
        pickings = self.env["stock.picking"]
        for location in self.mapped("location_id"):
            lines = self.filtered(lambda l: l.location_id == location)
            values = lines._prepare_picking_values()
            values.update({"helpdesk_ticket_id": note.ticket_id.id,
                           "helpdesk_delivery_note_id": note.id,
                           "origin": "%s / %s" % (note.ticket_id.number, note.name)})
            picking = pickings.create(values)
            picking.action_confirm()
            for move in picking.move_lines:
                move.quantity_done = move.product_uom_qty
            picking.action_done()
            for line, move in zip(lines, picking.move_lines.sorted("id")):
                line.move_id = move
            pickings |= picking
        return pickings
