# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class StockProductionLot(models.Model):
    _inherit = "stock.production.lot"

    warranty_end_date = fields.Date(
        string="Warranty Until",
        help="The equipment with this serial number is under warranty until this day "
             "(included): its repairs are free of charge.")
    customer_id = fields.Many2one(
        "res.partner", string="Customer", index=True,
        help="The organisation this equipment was delivered to.")
