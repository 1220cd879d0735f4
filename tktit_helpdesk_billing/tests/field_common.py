# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Field operators, their vans and stock, on top of the helpdesk fixture; signatures."""
import base64
import io

from PIL import Image, ImageDraw

from odoo.addons.tktit_helpdesk.tests.fixtures import new_user, set_state
from odoo.addons.tktit_helpdesk.tests.helpdesk_common import HelpdeskCase

FIELD_OPERATOR = "tktit_helpdesk_billing.group_field_operator"


def signature_png(kind="strokes", size=(300, 120)):
    """A PNG as a signature pad makes it: transparent, with dark strokes (``strokes``),
    a single dot (``dot``) or nothing (``blank``)."""
    image = Image.new("RGBA", size, (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    if kind == "strokes":
        draw.line([(10, 60), (80, 20), (150, 100), (280, 40)], fill=(20, 20, 60, 255),
                  width=4)
    elif kind == "dot":
        draw.ellipse([(100, 50), (104, 54)], fill=(0, 0, 0, 255))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def signature_data_url(kind="strokes", **kwargs):
    return "data:image/png;base64," + base64.b64encode(
        signature_png(kind, **kwargs)).decode()


class FieldCase(HelpdeskCase):

    @classmethod
    def setUpClass(cls):
        super(FieldCase, cls).setUpClass()
        env = cls.env
        cls.warehouse = env["stock.warehouse"].search(
            [("company_id", "=", env.user.company_id.id)], limit=1)
        cls.van_1 = cls.make_van("Test Van 1")
        cls.van_2 = cls.make_van("Test Van 2")
        cls.field_op = new_user(env, "fo.one", [FIELD_OPERATOR],
                                van_location_id=cls.van_1.id)
        cls.field_op_2 = new_user(env, "fo.two", [FIELD_OPERATOR],
                                  van_location_id=cls.van_2.id)
        cls.queue.member_ids |= cls.field_op | cls.field_op_2
        Product = env["product.product"]
        cls.router = Product.create({"name": "Test Router", "type": "product"})
        cls.cable = Product.create({
            "name": "Test Cable", "type": "product",
            "uom_id": env.ref("product.product_uom_meter").id,
            "uom_po_id": env.ref("product.product_uom_meter").id})
        cls.screws = Product.create({"name": "Test Screws", "type": "consu"})
        cls.service = Product.create({"name": "Test Service Hour", "type": "service"})
        cls.stock_up(cls.van_1, {cls.router: 2, cls.cable: 50})
        cls.stock_up(cls.warehouse.lot_stock_id, {cls.router: 30})

    @classmethod
    def make_van(cls, name):
        return cls.env["stock.location"].create({
            "name": name, "usage": "internal",
            "location_id": cls.warehouse.lot_stock_id.id})

    @classmethod
    def stock_up(cls, location, quantities):
        """Quants in ``location`` through an inventory adjustment, as Odoo 11 does."""
        inventory = cls.env["stock.inventory"].create({
            "name": "Loading %s" % location.name, "filter": "partial",
            "location_id": location.id,
            "line_ids": [(0, 0, {"product_id": product.id, "location_id": location.id,
                                 "product_uom_id": product.uom_id.id,
                                 "product_qty": qty})
                         for product, qty in quantities.items()]})
        inventory.action_done()
        return inventory

    def field_ticket(self, operator=None, **values):
        """A field ticket set up by operations, in progress with ``operator``."""
        values.setdefault("is_field", True)
        ticket = self.new_ticket(**values)
        return set_state(ticket, "in_progress", user_id=(operator or self.field_op).id)
