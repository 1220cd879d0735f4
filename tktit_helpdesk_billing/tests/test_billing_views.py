# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The billing addon's backend screens opened as each role, the way the web client
opens them: the action read as the user, its views loaded (``load_views``), then the
records it lists read with the views' fields, x2many sub-views and tags included. A
view field outside the user's groups, or a model the user may not read, fails here as
it would fail in the browser."""
import json
import time
from collections import namedtuple

from lxml import etree

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tools import mute_logger
from odoo.tools.safe_eval import safe_eval

from odoo.addons.tktit_helpdesk.tests.fixtures import make_ticket, new_user, set_state

from .field_common import FieldCase, signature_data_url

ACCOUNTANT = "account.group_account_invoice"
PREFIX = "tktit_helpdesk_billing."
# Helpdesk > Invoicing, each with what it must list of the fixture's data
INVOICING_MENUS = [
    "helpdesk_ticket_menu_to_invoice",
    "account_analytic_line_menu_to_invoice",
    "helpdesk_ticket_material_menu_to_invoice",
    "helpdesk_delivery_note_menu_signed",
    "account_invoice_menu_helpdesk",
    "account_invoice_menu_helpdesk_unpaid",
    "account_invoice_menu_helpdesk_analysis",
]
# accountants have no read access to helpdesk.ticket.material yet (see
# test_accountant_opens_materials_not_invoiced)
MATERIALS_MENU = "helpdesk_ticket_material_menu_to_invoice"

Opened = namedtuple("Opened", "model domain records views")


class TestBillingViews(FieldCase):

    @classmethod
    def setUpClass(cls):
        super(TestBillingViews, cls).setUpClass()
        env = cls.env
        cls.accountant = new_user(env, "acc.views", [ACCOUNTANT])
        # a billable field visit of field_op: 2 hours and a router, a draft note
        cls.ticket = make_ticket(env, cls.customer_a, cls.tech, cls.spec, user=cls.operator,
                                 is_field=True, description="<p>No network.</p>")
        set_state(cls.ticket, "in_progress", user_id=cls.field_op.id)
        mine = cls.ticket.sudo(cls.field_op)
        mine.write({"timesheet_ids": [(0, 0, {"name": "On site", "unit_amount": 2.0})]})
        cls.timesheet = cls.ticket.timesheet_ids
        cls.material = env["helpdesk.ticket.material"].sudo(cls.field_op).create({
            "ticket_id": cls.ticket.id, "product_id": cls.router.id, "quantity": 1.0})
        # the draft note, made as the ticket form's "New Delivery Note" makes it
        action = env.ref(PREFIX + "helpdesk_delivery_note_action_new")
        context = safe_eval(action.context, {"active_id": cls.ticket.id, "uid": cls.field_op.id})
        Note = env["helpdesk.delivery.note"].sudo(cls.field_op).with_context(**context)
        cls.note = Note.create(Note.default_get(["name", "ticket_id", "state"])).sudo()
        # a remote ticket of expert_1, invoiced (open); an invoice of no ticket
        cls.remote = make_ticket(env, cls.customer_a, cls.tech, cls.spec, user=cls.operator,
                                 description="<p>Slow VPN.</p>")
        set_state(cls.remote, "in_progress", user_id=cls.expert_1.id)
        lines = [{"name": "Remote support", "product_id": cls.service.id, "quantity": 1.5,
                  "uom_id": env.ref("product.product_uom_hour").id, "price_unit": 80.0,
                  "tax_ids": []}]
        Invoice = env["account.invoice"].with_context(type="out_invoice")
        cls.invoice = Invoice.create(cls.remote._prepare_invoice_values(lines))
        cls.invoice.action_invoice_open()
        values = cls.remote._prepare_invoice_values(lines)
        values.update(helpdesk_ticket_id=False, origin="Shop counter")
        cls.shop_invoice = Invoice.create(values)
        cls.shop_invoice.action_invoice_open()

    # ------------------------------------------------------------- helpers
    def eval_context(self, user, active_id=False):
        return {"uid": user.id, "active_id": active_id,
                "active_ids": [active_id] if active_id else [], "time": time,
                "context_today": lambda: fields.Date.from_string(fields.Date.today())}

    def open_action(self, user, action, active_id=False):
        """What the web client does with ``action`` (a record or an xml id of this addon)
        for ``user``: read it, load its views, list its records, read them with each
        view's fields (pivot and graph: their read_group)."""
        if isinstance(action, str):
            action = self.env.ref(action if "." in action else PREFIX + action)
        try:
            data = self.env[action._name].sudo(user).browse(action.id).read()[0]
        except AccessError as error:
            self.fail("%s cannot read action %s: %s" % (user.login, action.name, error))
        label = "%s, as %s" % (data["name"], user.login)
        eval_context = self.eval_context(user, active_id)
        context = safe_eval(data["context"] or "{}", eval_context)
        domain = safe_eval(data["domain"] or "[]", eval_context)
        model = self.env[data["res_model"]].sudo(user).with_context(**context)
        search_view = data["search_view_id"] and data["search_view_id"][0]
        views = [list(view) for view in data["views"]] + [[search_view, "search"]]
        try:
            loaded = model.load_views(views, options={"toolbar": True,
                                                      "load_filters": True})
            records = model.search(domain)
        except AccessError as error:
            self.fail("%s: the views or the list fail: %s" % (label, error))
        loaded = loaded["fields_views"]
        for mode, view in loaded.items():
            if mode in ("tree", "form", "kanban"):
                self.read_view(records[:80], view, "%s (%s view)" % (label, mode))
            elif mode in ("pivot", "graph"):
                self.read_groups(model, domain, view, "%s (%s view)" % (label, mode))
        return Opened(model, domain, records, loaded)

    def read_view(self, records, view, label):
        """Read ``records`` with the fields of ``view`` as the web client does: the
        fields, then the records of each x2many with its inline view, or their names
        (tags, or a list loaded apart)."""
        names = list(view["fields"])
        try:
            rows = records.read(names)
        except AccessError as error:
            self.fail("%s: %s cannot read the view's fields: %s"
                      % (label, records.env.user.login, error))
        for name, field in view["fields"].items():
            if field["type"] not in ("one2many", "many2many"):
                continue
            related = records.env[field["relation"]].browse(
                sorted({i for row in rows for i in row[name]}))
            sub_views = field.get("views") or {}
            if not related:
                continue  # the web client reads nothing then
            try:
                if not sub_views:
                    related.read(["display_name"])
            except AccessError as error:
                self.fail("%s: %s cannot read the %s of the field %s: %s"
                          % (label, records.env.user.login, field["relation"], name, error))
            for mode, sub_view in sub_views.items():
                self.read_view(related, sub_view, "%s > %s (%s)" % (label, name, mode))
        return rows

    def read_groups(self, model, domain, view, label):
        groupbys, measures = [], []
        for node in etree.fromstring(view["arch"]).iter("field"):
            name = node.get("name")
            if node.get("type") == "measure":
                measures.append(name)
            elif node.get("interval"):
                groupbys.append("%s:%s" % (name, node.get("interval")))
            else:
                groupbys.append(name)
        names = measures + [groupby.split(":")[0] for groupby in groupbys]
        try:
            return model.read_group(domain, names, groupbys, lazy=False)
        except AccessError as error:
            self.fail("%s: %s cannot group the records: %s" % (label, model.env.user.login,
                                                               error))

    def visible_menus(self, user):
        """The menu ids ``user`` gets in the web client (load_menus)."""
        found = set()

        def walk(node):
            for child in node.get("children") or ():
                found.add(child["id"])
                walk(child)
        walk(self.env["ir.ui.menu"].sudo(user).load_menus(False))
        return found

    def menu(self, xmlid):
        return self.env.ref(xmlid if "." in xmlid else PREFIX + xmlid)

    @staticmethod
    def shown(view, name):
        """The modifiers of each node of field ``name`` not hidden to the view's user
        (at the form's own level, not in an x2many's inline view)."""
        arch = etree.fromstring(view["arch"])
        nodes = []
        for node in arch.xpath("//field[@name='%s'][not(ancestor::field)]" % name):
            modifiers = json.loads(node.get("modifiers") or "{}")
            if modifiers.get("invisible") is not True:
                nodes.append((modifiers, node))
        return nodes

    def ticket_form(self, user, ticket):
        view = self.env["helpdesk.ticket"].sudo(user).fields_view_get(view_type="form")
        self.read_view(ticket.sudo(user), view, "the ticket form, as %s" % user.login)
        return view

    # --------------------------------------------------------- accountants
    def test_accountant_opens_every_invoicing_menu(self):
        visible = self.visible_menus(self.accountant)
        opened = {}
        for xmlid in INVOICING_MENUS:
            if xmlid == MATERIALS_MENU:
                continue
            menu = self.menu(xmlid)
            self.assertIn(menu.id, visible, "an accountant must see Helpdesk > Invoicing > %s"
                          % menu.name)
            self.assertTrue(menu.action, "menu %s must open an action" % menu.name)
            opened[xmlid] = self.open_action(self.accountant, menu.action)
        self.assertIn(self.ticket, opened["helpdesk_ticket_menu_to_invoice"].records,
                      "a billable ticket with hours not invoiced must be in Tickets to "
                      "Invoice")
        self.assertNotIn(self.remote, opened["helpdesk_ticket_menu_to_invoice"].records,
                         "an invoiced ticket with nothing left must not be to invoice")
        self.assertEqual(
            opened["account_analytic_line_menu_to_invoice"].records & (
                self.timesheet | self.remote.timesheet_ids), self.timesheet,
            "the field visit's hours must be in Hours Not Invoiced")
        for xmlid in ("account_invoice_menu_helpdesk", "account_invoice_menu_helpdesk_unpaid",
                      "account_invoice_menu_helpdesk_analysis"):
            records = opened[xmlid].records
            self.assertIn(self.invoice, records,
                          "%s must list the ticket's open invoice" % self.menu(xmlid).name)
            self.assertNotIn(self.shop_invoice, records,
                             "%s must not list an invoice of no ticket"
                             % self.menu(xmlid).name)
        self.assertIn("form", opened["account_invoice_menu_helpdesk"].views,
                      "Invoices from Tickets must open the invoice form")
        self.assertEqual(
            opened["account_invoice_menu_helpdesk"].views["form"]["view_id"],
            self.env.ref("account.invoice_form").id,
            "Invoices from Tickets must use Odoo's customer invoice form")
        self.assertEqual(
            opened["account_invoice_menu_helpdesk"].views["tree"]["view_id"],
            self.env.ref("account.invoice_tree").id,
            "Invoices from Tickets must use Odoo's customer invoice list")

    def test_billed_hours_leave_the_to_invoice_lists(self):
        self.timesheet.sudo().write({"helpdesk_invoice_id": self.invoice.id})
        self.material.sudo().write({"delivery_note_id": self.note.id})
        hours = self.open_action(self.accountant,
                                 "account_analytic_line_action_helpdesk_to_invoice")
        self.assertNotIn(self.timesheet, hours.records,
                         "invoiced hours must leave Hours Not Invoiced")
        tickets = self.open_action(self.accountant, "helpdesk_ticket_action_to_invoice")
        self.assertNotIn(self.ticket, tickets.records,
                         "a ticket whose hours and materials are billed must leave Tickets "
                         "to Invoice")

    def test_accountant_sees_invoicing_and_no_other_helpdesk_menu(self):
        visible = self.visible_menus(self.accountant)
        root = self.menu("tktit_helpdesk.helpdesk_menu_root")
        invoicing = self.menu("helpdesk_menu_invoicing")
        self.assertIn(root.id, visible, "an accountant must see the Helpdesk app")
        children = self.env["ir.ui.menu"].search([("parent_id", "=", root.id)])
        self.assertEqual(children.filtered(lambda m: m.id in visible), invoicing,
                         "Invoicing must be the only Helpdesk menu of an accountant")
        config = self.env["ir.ui.menu"].search(
            [("id", "child_of", self.menu("tktit_helpdesk.helpdesk_menu_config").id)])
        self.assertFalse(set(config.ids) & visible,
                         "an accountant must see no Helpdesk configuration menu")
        for xmlid in ("tktit_helpdesk.helpdesk_ticket_menu_all",
                      "tktit_helpdesk.helpdesk_ticket_menu_my",
                      "tktit_helpdesk.helpdesk_queue_menu", "field_service_menu_root"):
            self.assertNotIn(self.menu(xmlid).id, visible,
                             "an accountant must not see %s" % self.menu(xmlid).complete_name)

    def test_invoiced_amounts_pivot_by_queue(self):
        opened = self.open_action(self.accountant, "account_invoice_action_helpdesk_analysis")
        self.assertEqual(list(opened.views)[:2], ["pivot", "graph"],
                         "Invoiced Amounts must open on its pivot, then the graph")
        pivot = opened.views["pivot"]
        self.assertEqual(pivot["view_id"], self.menu("account_invoice_view_pivot_helpdesk").id,
                         "Invoiced Amounts must use the helpdesk pivot")
        for name in ("helpdesk_queue_id", "commercial_partner_id", "date_invoice",
                     "amount_untaxed_signed"):
            self.assertIn(name, pivot["fields"], "the pivot must show %s" % name)
        groups = opened.model.read_group(
            opened.domain, ["helpdesk_queue_id", "amount_untaxed_signed"],
            ["helpdesk_queue_id"])
        by_queue = {g["helpdesk_queue_id"][0]: g["amount_untaxed_signed"]
                    for g in groups if g["helpdesk_queue_id"]}
        self.assertAlmostEqual(by_queue.get(self.queue.id), 120.0,
                               msg="the queue's invoiced amount must be 1.5 h x 80")

    def test_invoice_form_shows_the_ticket_and_search_filters_them(self):
        Invoice = self.env["account.invoice"].sudo(self.accountant)
        form = Invoice.fields_view_get(view_id=self.env.ref("account.invoice_form").id,
                                       view_type="form")
        arch = etree.fromstring(form["arch"])
        for name in ("helpdesk_ticket_id", "helpdesk_delivery_note_id"):
            nodes = arch.xpath("//page[@name='other_info']//field[@name='%s']" % name)
            self.assertEqual(len(nodes), 1, "the invoice's Other Info must show %s" % name)
            self.assertTrue(json.loads(nodes[0].get("modifiers")).get("readonly"),
                            "%s must be read-only on the invoice" % name)
        row = self.read_view(self.invoice.sudo(self.accountant), form, "the invoice form")[0]
        self.assertEqual(row["helpdesk_ticket_id"][0], self.remote.id,
                         "the invoice form must show its ticket")
        search = Invoice.fields_view_get(view_type="search")
        nodes = etree.fromstring(search["arch"]).xpath("//filter[@name='helpdesk']")
        self.assertEqual(len(nodes), 1, "the invoice search must have From Helpdesk Tickets")
        found = Invoice.search(safe_eval(nodes[0].get("domain")) +
                               [("id", "in", (self.invoice | self.shop_invoice).ids)])
        self.assertEqual(found, self.invoice,
                         "From Helpdesk Tickets must find the ticket's invoice only")
        opened = self.open_action(self.accountant, "account_invoice_action_ticket",
                                  active_id=self.remote.id)
        self.assertEqual(opened.records, self.invoice,
                         "the ticket's Invoices button must list the ticket's invoices")

    def test_signed_note_and_its_invoice_read_for_the_accountant(self):
        self.note.sudo(self.field_op).action_sign("Jane Customer", signature_data_url())
        self.assertTrue(self.note.invoice_id, "the billable note's signature must invoice it")
        opened = self.open_action(self.accountant, "helpdesk_delivery_note_action_signed")
        self.assertIn(self.note, opened.records,
                      "Signed Delivery Notes must list the signed note")
        row = self.read_view(self.note.sudo(self.accountant), opened.views["form"],
                             "the signed note's form, as an accountant")[0]
        self.assertTrue(row["signature"] and row["signature_hash"],
                        "the accountant must see the signature and its hash")
        self.assertEqual(row["invoice_id"][0], self.note.invoice_id.id,
                         "the note form must link its invoice")
        invoices = self.open_action(self.accountant, "account_invoice_action_ticket",
                                    active_id=self.ticket.id)
        self.assertIn(self.note.invoice_id, invoices.records,
                      "the ticket's Invoices button must list the note's invoice")
        pickings = self.open_action(self.accountant, "stock_picking_action_delivery_note",
                                    active_id=self.note.id)
        self.assertTrue(pickings.records, "the router's consumption must be a transfer")
        self.assertEqual(pickings.records, self.note.picking_ids,
                         "Stock Transfers must list the note's transfers")
        form = self.env["helpdesk.delivery.note"].sudo(self.field_op).fields_view_get(
            view_type="form")
        self.read_view(self.note.sudo(self.field_op), form,
                       "the signed note's form, as its field operator")
        self.ticket_form(self.field_op, self.ticket)
        self.ticket_form(self.accountant, self.ticket)

    # helpdesk.delivery.note._compute_hash_valid assigns the value on note.sudo(): in
    # Odoo 11 the cache is per user, so any other user reads False ("changed after the
    # signature", the form's red alert) on an intact note
    def test_signed_note_shows_its_hash_verified_to_every_reader(self):
        self.note.sudo(self.field_op).action_sign("Jane Customer", signature_data_url())
        self.assertTrue(self.note.hash_valid, "the superuser must find the hash verified")
        for user in (self.field_op, self.operator, self.accountant):
            self.assertTrue(self.note.sudo(user).read(["hash_valid"])[0]["hash_valid"],
                            "%s must see the intact note's hash verified" % user.login)

    def test_accountant_opens_materials_not_invoiced(self):
        menu = self.menu(MATERIALS_MENU)
        self.assertIn(menu.id, self.visible_menus(self.accountant),
                      "an accountant must see Helpdesk > Invoicing > Materials Not Invoiced")
        opened = self.open_action(self.accountant, menu.action)
        self.assertIn(self.material, opened.records,
                      "the field visit's router must be in Materials Not Invoiced")

    def test_accountant_opens_the_tickets_contract(self):
        contract = self.env["helpdesk.support.contract"].create({
            "name": "SC-VIEWS", "partner_id": self.org_a.id, "date_start": "2020-01-01",
            "date_end": "2099-12-31", "technology_ids": [(6, 0, self.tech.ids)]})
        view = self.env["helpdesk.support.contract"].sudo(self.accountant).fields_view_get(
            view_type="form")
        self.read_view(contract.sudo(self.accountant), view,
                       "the contract form, as an accountant")

    # ---------------------------------------------------- field operators
    def test_field_operator_sees_no_invoicing_and_reads_no_invoice(self):
        visible = self.visible_menus(self.field_op)
        for xmlid in ("helpdesk_menu_invoicing", "tktit_helpdesk.helpdesk_menu_root",
                      "tktit_helpdesk.helpdesk_menu_config", "helpdesk_support_contract_menu"):
            self.assertNotIn(self.menu(xmlid).id, visible,
                             "a field operator must not see %s" % self.menu(xmlid).complete_name)
        for xmlid in ("field_service_menu_root", "helpdesk_delivery_note_menu"):
            self.assertIn(self.menu(xmlid).id, visible,
                          "a field operator must see %s" % self.menu(xmlid).complete_name)
        with mute_logger("odoo.addons.base.ir.ir_model"):
            with self.assertRaises(AccessError, msg="a field operator must not list invoices"):
                self.env["account.invoice"].sudo(self.field_op).search([])
            with self.assertRaises(AccessError, msg="a field operator must not read invoices"):
                self.invoice.sudo(self.field_op).read(["number"])

    def test_field_operator_works_their_note_from_the_ticket(self):
        self.assertEqual(self.note.ticket_id, self.ticket,
                         "New Delivery Note must make a note of the ticket it is pressed on")
        self.assertEqual(len(self.note.line_ids), 2,
                         "the draft note must copy the ticket's hours and router")
        opened = self.open_action(self.field_op, "helpdesk_delivery_note_action_ticket",
                                  active_id=self.ticket.id)
        self.assertEqual(opened.records, self.note,
                         "the ticket's Delivery Notes button must list its notes")
        form = opened.views["form"]
        for name in ("state", "line_ids", "signature", "signature_hash", "hash_valid",
                     "amount_total"):
            self.assertIn(name, form["fields"], "the note form must show %s" % name)
        buttons = etree.fromstring(form["arch"]).xpath("//button[@name='action_refresh_lines']")
        self.assertEqual(len(buttons), 1, "the note form must have Refresh Lines")
        self.assertNotEqual(json.loads(buttons[0].get("modifiers")).get("invisible"), True,
                            "Refresh Lines must be offered to the field operator")
        self.assertFalse(etree.fromstring(form["arch"]).xpath("//button[@name='action_sign']"),
                         "a note is signed on the tablet, not by a backend button")
        self.timesheet.sudo(self.field_op).write({"unit_amount": 3.0})
        self.note.sudo(self.field_op).action_refresh_lines()
        hours = self.note.line_ids.filtered(lambda l: l.kind == "hours")
        self.assertEqual(hours.quantity, 3.0, "Refresh Lines must copy the ticket's hours")
        listed = self.open_action(self.field_op, "helpdesk_delivery_note_action")
        self.assertIn(self.note, listed.records,
                      "Field Service > Delivery Notes must list the operator's note")

    # -------------------------------------------------- the ticket form
    def test_ticket_form_loads_for_every_role(self):
        new_note = str(self.menu("helpdesk_delivery_note_action_new").id)
        cases = [
            # user, ticket, sees billing state, sees invoices, edits coverage, new note
            (self.operator, self.ticket, True, False, True, True),
            (self.field_op, self.ticket, True, False, False, True),
            (self.expert_1, self.remote, False, False, False, False),
            (self.accountant, self.ticket, True, True, False, False),
        ]
        for user, ticket, billing, invoices, edits, creates in cases:
            view = self.ticket_form(user, ticket)
            login = user.login
            self.assertEqual("billing_state" in view["fields"], billing,
                             "%s: the billing state shown or not as their groups say" % login)
            self.assertEqual("delivery_note_ids" in view["fields"], billing,
                             "%s: the Delivery Notes page shown or not as their groups say"
                             % login)
            self.assertEqual("invoice_count" in view["fields"], invoices,
                             "%s: the Invoices button for accountants only" % login)
            coverage = self.shown(view, "coverage")
            self.assertEqual(len(coverage), 1, "%s must see the coverage once" % login)
            self.assertEqual(not coverage[0][0].get("readonly"), edits,
                             "%s: the coverage editable by operations only" % login)
            for name in ("contract_id", "lot_id"):
                self.assertEqual(len(self.shown(view, name)), 1,
                                 "%s must see %s once" % (login, name))
            buttons = [button for button in etree.fromstring(view["arch"]).xpath(
                "//header/button[@name='%s']" % new_note)
                if json.loads(button.get("modifiers") or "{}").get("invisible") is not True]
            self.assertEqual(bool(buttons), creates,
                             "%s: New Delivery Note for operations and field operators"
                             % login)
        expert_view = self.ticket_form(self.expert_1, self.remote)
        contract = self.shown(expert_view, "contract_id")[0][1]
        self.assertIn("no_open", contract.get("options") or "",
                      "an expert, who may not read contracts, must not get a contract link")

    def test_operations_see_their_menus_but_not_invoicing(self):
        visible = self.visible_menus(self.operator)
        self.assertNotIn(self.menu("helpdesk_menu_invoicing").id, visible,
                         "Invoicing is the accountants' menu")
        for xmlid in ("tktit_helpdesk.helpdesk_ticket_menu_all",
                      "tktit_helpdesk.helpdesk_queue_menu", "helpdesk_support_contract_menu",
                      "helpdesk_delivery_note_menu"):
            self.assertIn(self.menu(xmlid).id, visible,
                          "operations must still see %s" % self.menu(xmlid).complete_name)
        opened = self.open_action(self.operator, "helpdesk_support_contract_action")
        contract = opened.model.create({
            "name": "SC-OPS", "partner_id": self.org_b.id, "date_start": "2020-01-01",
            "date_end": "2099-12-31", "technology_ids": [(6, 0, self.tech.ids)]})
        self.read_view(contract, opened.views["form"], "the contract form, as operations")
        expert = self.visible_menus(self.expert_1)
        self.assertIn(self.menu("tktit_helpdesk.helpdesk_ticket_menu_my").id, expert,
                      "experts must still see their tickets")
        self.assertNotIn(self.menu("helpdesk_menu_invoicing").id, expert,
                         "experts must not see Invoicing")

    def test_operations_pick_the_equipment_of_a_ticket(self):
        lot = self.env["stock.production.lot"].create({
            "name": "SN-VIEWS-1", "product_id": self.router.id,
            "customer_id": self.org_a.id, "warranty_end_date": "2099-12-31"})
        found = self.env["stock.production.lot"].sudo(self.operator).name_search("SN-VIEWS")
        self.assertEqual([row[0] for row in found], lot.ids,
                         "operations must find the serial number to set on the ticket")

    # -------------------------------------------------- configuration
    def test_configuration_forms_show_the_billing_fields(self):
        # the views of the menus that open them (Inventory's lots, Helpdesk's queues,
        # Settings' companies)
        expected = [
            ("stock.production.lot", "form", "stock.view_production_lot_form",
             ("warranty_end_date", "customer_id")),
            ("stock.production.lot", "tree", "stock.view_production_lot_tree",
             ("warranty_end_date", "customer_id")),
            ("helpdesk.queue", "form", "tktit_helpdesk.helpdesk_queue_view_form",
             ("project_id", "service_product_id")),
            ("res.company", "form", "base.view_company_form",
             ("helpdesk_project_id", "helpdesk_service_product_id")),
        ]
        for model, mode, xmlid, names in expected:
            view = self.env[model].fields_view_get(view_id=self.env.ref(xmlid).id,
                                                   view_type=mode)
            for name in names:
                self.assertIn(name, view["fields"],
                              "the %s %s view must show %s" % (model, mode, name))
