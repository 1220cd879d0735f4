# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class StockPicking(models.Model):
    _inherit = "stock.picking"

    helpdesk_ticket_id = fields.Many2one(
        "helpdesk.ticket", string="Ticket", index=True, readonly=True, copy=False)
    helpdesk_delivery_note_id = fields.Many2one(
        "helpdesk.delivery.note", string="Delivery Note", index=True, readonly=True,
        copy=False, help="The signed delivery note whose materials this transfer consumed.")
