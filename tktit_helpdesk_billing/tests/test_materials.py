# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.exceptions import AccessError, ValidationError

from .field_common import FieldCase


class TestMaterials(FieldCase):

    def add(self, ticket, product, quantity, user=None, **values):
        values.update({"ticket_id": ticket.id, "product_id": product.id,
                       "quantity": quantity})
        return self.env["helpdesk.ticket.material"].sudo(user or self.field_op).create(
            values)

    def test_location_defaults_to_the_van_else_the_warehouse(self):
        ticket = self.field_ticket()
        line = self.add(ticket, self.router, 1)
        self.assertEqual(line.location_id, self.van_1,
                         "a material must come from the assigned operator's van")
        self.assertEqual(line.product_uom_id, self.router.uom_id,
                         "the unit must default to the product's")
        remote = self.ticket_in("in_progress")
        line = self.add(remote, self.router, 1, user=self.operator)
        self.assertEqual(line.location_id, self.warehouse.lot_stock_id,
                         "without a van, a material must come from the warehouse stock")

    def test_quantity_available_in_the_van_and_shortage(self):
        ticket = self.field_ticket()
        line = self.add(ticket, self.router, 1)
        self.assertEqual(line.qty_available_at_location, 2.0,
                         "the van holds 2 routers: the line must show 2 available")
        self.assertFalse(line.shortage, "1 router of 2 in the van is no shortage")
        second = self.add(ticket, self.router, 2)
        line.invalidate_cache()
        self.assertTrue(line.shortage and second.shortage,
                        "3 routers needed from a van of 2 must warn on both lines")
        self.assertEqual(second.shortage_qty, 1.0, "one router must be shown missing")
        self.assertTrue(ticket.sudo(self.field_op).material_shortage,
                        "the ticket must warn that the van holds too little")
        warehouse = self.add(ticket, self.router, 3,
                             location_id=self.warehouse.lot_stock_id.id)
        self.assertEqual(warehouse.qty_available_at_location, 32.0,
                         "the warehouse stock counts its sub-locations (30 + the van's 2)")
        self.assertFalse(warehouse.shortage, "3 of 32 in the warehouse is no shortage")
        cable = self.add(ticket, self.cable, 60)
        self.assertEqual((cable.qty_available_at_location, cable.shortage_qty), (50.0, 10.0),
                         "60 m of cable from a van of 50 m must show 50 available, 10 "
                         "missing")
        screws = self.add(ticket, self.screws, 100)
        self.assertFalse(screws.shortage,
                         "a consumable is not counted in stock: never a shortage")

    def test_availability_in_the_line_unit(self):
        ticket = self.field_ticket()
        line = self.add(ticket, self.cable, 0.02,
                        product_uom_id=self.env.ref("product.product_uom_km").id)
        self.assertAlmostEqual(line.qty_available_at_location, 0.05,
                               msg="50 m in the van must show as 0.05 km on a km line")
        self.assertFalse(line.shortage, "20 m of 50 m is no shortage")
        with self.assertRaises(ValidationError,
                               msg="a unit of another category must be refused"):
            self.add(ticket, self.cable, 1,
                     product_uom_id=self.env.ref("product.product_uom_hour").id)

    def test_zero_or_negative_quantity_refused(self):
        ticket = self.field_ticket()
        for qty in (0, -2):
            with self.assertRaisesRegex(ValidationError, "more than zero",
                                        msg="a quantity of %s must be refused" % qty):
                self.add(ticket, self.router, qty)
        line = self.add(ticket, self.router, 1)
        with self.assertRaises(ValidationError,
                               msg="changing a quantity to -1 must be refused"):
            line.write({"quantity": -1})

    def test_service_product_refused(self):
        ticket = self.field_ticket()
        with self.assertRaisesRegex(ValidationError, "service",
                                    msg="a service must be refused as material"):
            self.add(ticket, self.service, 1)

    def test_other_operator_cannot_add_materials(self):
        ticket = self.field_ticket()
        # the record rule refuses the insert after it: the savepoint undoes it, as the
        # request's rollback would
        with self.assertRaises(AccessError,
                               msg="another operator must not add materials directly"), \
                self.env.cr.savepoint():
            self.add(ticket, self.router, 1, user=self.field_op_2)
        with self.assertRaises(AccessError, msg="nor through the ticket"), \
                self.env.cr.savepoint():
            ticket.sudo(self.field_op_2).write({"material_ids": [
                (0, 0, {"product_id": self.router.id, "quantity": 1})]})
        line = self.add(ticket, self.router, 1)
        with self.assertRaises(AccessError,
                               msg="another operator must not read the materials"):
            line.sudo(self.field_op_2).read(["quantity"])
        ticket.sudo(self.field_op).write({"material_ids": [
            (0, 0, {"product_id": self.cable.id, "quantity": 5})]})
        self.assertEqual(len(ticket.material_ids), 2,
                         "the assigned operator adds materials through the ticket")

    def test_experts_and_customers_have_no_materials(self):
        ticket = self.field_ticket()
        self.add(ticket, self.router, 1)
        for user in (self.expert_1, self.customer_a):
            with self.assertRaises(AccessError,
                                   msg="%s must not read materials" % user.login):
                self.env["helpdesk.ticket.material"].sudo(user).search([])
        lines = self.env["helpdesk.ticket.material"].sudo(self.operator).search(
            [("ticket_id", "=", ticket.id)])
        self.assertEqual(len(lines), 1, "operations see every ticket's materials")

    def test_picking_values_out_of_the_van(self):
        ticket = self.field_ticket()
        lines = self.add(ticket, self.router, 1) | self.add(ticket, self.cable, 10)
        values = lines._prepare_picking_values()
        self.assertEqual(values["location_id"], self.van_1.id,
                         "the consumption picking must leave from the van")
        self.assertEqual(values["origin"], ticket.number, "the picking names the ticket")
        self.assertEqual(len(values["move_lines"]), 2, "one move per material line")
