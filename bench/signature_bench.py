#!/usr/bin/env python3
"""Benchmark of delivery-note signatures → invoices (tktit_helpdesk_billing).

Creates a scratch database (default ``billing_bench``; env BILLING_BENCH_DB) with
tktit_helpdesk_billing installed without demo data when it is missing (upgraded when the
addons changed), then, inside one transaction that is rolled back at the end, for each
size N (100 then 1,000; env BILLING_BENCH_SIZES):

1. prepares N field tickets of one field operator, each with 1.5 hours logged, two
   materials from the operator's van and a draft delivery note (through the ORM, not
   measured);
2. signs the N notes one by one with ``action_sign`` as the field operator, the real
   path: checks, lock, freeze and hash, a done picking, the wkhtmltopdf PDF, the mails,
   one validated invoice each (its Odoo PDF for the mail included), and measures time
   and SQL queries per signature;
3. as the floor to compare with: creates and validates the same invoices directly with
   the account API (``account.invoice`` create, ``compute_taxes``,
   ``action_invoice_open``), nothing else.

Results are printed and written to var/bench/signature_bench.json. Each signature runs
wkhtmltopdf twice (about 2-3 s in all on a 2-core machine): the 1,000 take about an
hour; BILLING_BENCH_SIZES=100 for a quick run.

Usage: .venv/bin/python bench/signature_bench.py   (or: make bench)
"""
import base64
import io
import json
import os
import sys
import time
import uuid

import scratch_db

DB = os.environ.get("BILLING_BENCH_DB", "billing_bench")
SIZES = [int(x) for x in os.environ.get("BILLING_BENCH_SIZES", "100,1000").split(",")]
CONF = scratch_db.conf_path(DB)
OUT = os.path.join(scratch_db.OUT_DIR, "signature_bench.json")
ADDONS = ["tktit_helpdesk", "tktit_helpdesk_billing"]


def signature():
    from PIL import Image, ImageDraw
    image = Image.new("RGBA", (300, 120), (255, 255, 255, 0))
    ImageDraw.Draw(image).line([(10, 60), (80, 20), (150, 100), (280, 40)],
                               fill=(20, 20, 60, 255), width=4)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def setup(env):
    """One organisation, a field operator with a stocked van, a queue, products (names
    unique to the run: everything is rolled back, but a crashed run may leave some)."""
    tag = uuid.uuid4().hex[:6]
    company = env.user.company_id
    warehouse = env["stock.warehouse"].search([("company_id", "=", company.id)], limit=1)
    van = env["stock.location"].create({"name": "Bench van", "usage": "internal",
                                        "location_id": warehouse.lot_stock_id.id})
    operator = env["res.users"].with_context(no_reset_password=True).create({
        "name": "Bench Operator", "login": "bench.field.op.%s" % tag,
        "email": "bench.field.op@example.com",
        "groups_id": [(6, 0, [env.ref("tktit_helpdesk_billing.group_field_operator").id])],
        "van_location_id": van.id})
    technology = env["helpdesk.technology"].create({
        "name": "Bench Tech %s" % tag, "code": "B%s" % tag})
    queue = env["helpdesk.queue"].create({
        "name": "Bench queue", "technology_id": technology.id,
        "member_ids": [(6, 0, operator.ids)]})
    tax = env["account.tax"].create({"name": "Bench VAT 10%% %s" % tag, "amount": 10.0,
                                     "type_tax_use": "sale", "company_id": company.id})
    Product = env["product.product"]
    router = Product.create({"name": "Bench router", "type": "product",
                             "list_price": 100.0, "taxes_id": [(6, 0, tax.ids)]})
    cable = Product.create({"name": "Bench cable", "type": "product", "list_price": 2.0,
                            "taxes_id": [(6, 0, tax.ids)]})
    env["product.product"].browse(
        company.helpdesk_service_product_id.id).taxes_id = [(6, 0, tax.ids)]
    inventory = env["stock.inventory"].create({
        "name": "Bench van", "filter": "partial", "location_id": van.id,
        "line_ids": [(0, 0, {"product_id": p.id, "location_id": van.id,
                             "product_uom_id": p.uom_id.id, "product_qty": 100000})
                     for p in (router, cable)]})
    inventory.action_done()
    org = env["res.partner"].create({"name": "Bench Org", "is_company": True,
                                     "email": "bench.org@example.com"})
    customer = env["res.partner"].create({"name": "Bench Customer", "parent_id": org.id,
                                          "email": "bench.customer@example.com"})
    return operator, technology, queue, router, cable, customer


def prepare_notes(env, count, operator, technology, queue, router, cable, customer):
    Ticket = env["helpdesk.ticket"].with_context(tktit_history_import=True,
                                                 mail_notrack=True, tracking_disable=True)
    notes = env["helpdesk.delivery.note"]
    for index in range(count):
        ticket = Ticket.create({
            "name": "Bench visit %d" % index, "partner_id": customer.id,
            "technology_id": technology.id, "queue_id": queue.id, "is_field": True,
            "user_id": operator.id, "state": "in_progress",
            "visit_date": "2026-12-01 09:00:00"})
        env["account.analytic.line"].sudo(operator).create({
            "helpdesk_ticket_id": ticket.id, "name": "Bench work", "unit_amount": 1.5,
            "user_id": operator.id})
        Material = env["helpdesk.ticket.material"].sudo(operator)
        Material.create({"ticket_id": ticket.id, "product_id": router.id, "quantity": 1})
        Material.create({"ticket_id": ticket.id, "product_id": cable.id, "quantity": 12})
        notes |= env["helpdesk.delivery.note"].sudo(operator).create(
            {"ticket_id": ticket.id})
    return notes.sudo()


def invoice_values(note):
    """The invoice a signature of ``note`` creates, for the direct account API floor."""
    ticket = note.ticket_id
    lines = [{"name": line.name, "product_id": line.product_id.id,
              "quantity": line.quantity, "uom_id": line.uom_id.id,
              "price_unit": line.price_unit, "tax_ids": line.tax_ids.ids}
             for line in note.line_ids]
    return ticket._prepare_invoice_values(lines)


def main():
    # a chart of accounts: Odoo's generic one (the demo database has it too)
    scratch_db.prepare(DB, ["tktit_helpdesk_billing", "l10n_generic_coa"], ADDONS, "8298",
                       "2598")
    import odoo
    from odoo import SUPERUSER_ID, api

    odoo.tools.config.parse_config(["-c", CONF, "--log-level=warn"])
    registry = odoo.registry(DB)
    png = signature()
    results = []
    with api.Environment.manage(), registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        fixture = setup(env)
        operator = fixture[0]
        for size in SIZES:
            cr.execute("SAVEPOINT bench_size")
            notes = prepare_notes(env, size, *fixture)
            env["helpdesk.ticket"].invalidate_cache()
            queries = cr.sql_log_count
            started = time.time()
            for note in notes:
                note.sudo(operator).action_sign("Bench Customer", png)
            sign_time = time.time() - started
            sign_queries = cr.sql_log_count - queries
            notes.invalidate_cache()
            invoices = notes.mapped("invoice_id")
            assert len(invoices) == size and set(invoices.mapped("state")) == {"open"}, \
                "each signature must have created one validated invoice"
            values = [invoice_values(note) for note in notes]
            env["helpdesk.ticket"].invalidate_cache()
            Invoice = env["account.invoice"].with_context(type="out_invoice",
                                                          mail_create_nolog=True)
            queries = cr.sql_log_count
            started = time.time()
            for vals in values:
                invoice = Invoice.create(dict(vals, helpdesk_delivery_note_id=False,
                                              helpdesk_ticket_id=False))
                invoice.compute_taxes()
                invoice.action_invoice_open()
            floor_time = time.time() - started
            floor_queries = cr.sql_log_count - queries
            cr.execute("ROLLBACK TO SAVEPOINT bench_size")
            env["helpdesk.ticket"].invalidate_cache()
            results.append({
                "signatures": size,
                "sign_seconds": round(sign_time, 2),
                "sign_ms_each": round(1000.0 * sign_time / size, 1),
                "sign_queries_each": round(float(sign_queries) / size, 1),
                "direct_invoice_seconds": round(floor_time, 2),
                "direct_invoice_ms_each": round(1000.0 * floor_time / size, 1),
                "direct_invoice_queries_each": round(float(floor_queries) / size, 1),
            })
        cr.rollback()

    print()
    print("Delivery-note signatures -> invoices on database %s (everything rolled back)"
          % DB)
    header = "  %10s %14s %14s %18s %18s %8s"
    print(header % ("signatures", "ms/signature", "queries/sign.", "ms/direct invoice",
                    "queries/direct inv.", "ratio q"))
    for row in results:
        print(header % (row["signatures"], row["sign_ms_each"], row["sign_queries_each"],
                        row["direct_invoice_ms_each"], row["direct_invoice_queries_each"],
                        "%.1fx" % (row["sign_queries_each"] /
                                   max(row["direct_invoice_queries_each"], 1))))
    if len(results) > 1:
        first, last = results[0]["sign_queries_each"], results[-1]["sign_queries_each"]
        print("  queries per signature %s with N (%.1f at %d, %.1f at %d)" % (
            "constant" if abs(last - first) <= 0.05 * first else "GROW", first,
            results[0]["signatures"], last, results[-1]["signatures"]))
    print("  a signature also renders two PDFs with wkhtmltopdf (the note's and, for its "
          "mail, the invoice's); the direct floor renders none")
    os.makedirs(scratch_db.OUT_DIR, exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(results, f, indent=2)
    print("  written to %s" % os.path.relpath(OUT, scratch_db.ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
