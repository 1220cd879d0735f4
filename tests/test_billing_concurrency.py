"""Exactly once, across transactions: two signatures of one delivery note at the same
moment, and two payments racing to close one ticket.

Each side runs in its own thread with its own cursor and commits, as two Odoo workers
would. The data is built and committed first in a separate cursor (these tests cannot
run in the usual rolled-back test transaction), under logins unique to the run.
"""
import threading
import time
import uuid

import psycopg2
from psycopg2 import errorcodes

import odoo
from odoo import SUPERUSER_ID, api, fields

from odoo.addons.tktit_helpdesk.tests.fixtures import (
    make_catalogue, make_organisation, make_queue, new_user, set_state)
from odoo.addons.tktit_helpdesk_billing.tests.field_common import signature_data_url

FIELD_OPERATOR = "tktit_helpdesk_billing.group_field_operator"
OPERATIONS = "tktit_helpdesk.group_helpdesk_user"
MAX_RETRIES = 5  # as odoo.service.model for a concurrency error
# the errors Odoo's request layer retries (odoo.service.model.PG_CONCURRENCY_ERRORS_TO_RETRY)
RETRIED = (errorcodes.LOCK_NOT_AVAILABLE, errorcodes.SERIALIZATION_FAILURE,
           errorcodes.DEADLOCK_DETECTED)


def _registry():
    return odoo.registry(odoo.tools.config["db_name"])


def _in_new_transaction(uid, function, retry=False):
    """Run ``function(env)`` in a new cursor and commit. ``retry``: on a concurrency
    error, roll back and run again, as Odoo's RPC layer does for every request."""
    for attempt in range(MAX_RETRIES if retry else 1):
        with api.Environment.manage():
            try:
                with _registry().cursor() as cr:  # commits on success
                    return function(api.Environment(cr, uid, {}))
            except psycopg2.OperationalError as error:
                if error.pgcode not in RETRIED or not retry or \
                        attempt == MAX_RETRIES - 1:
                    raise
                time.sleep(0.1 * (attempt + 1))
    return None


def _race(*functions):
    """Run the functions in parallel threads, released together; returns what each
    returned or raised."""
    barrier = threading.Barrier(len(functions))
    results = [None] * len(functions)

    def run(index, function):
        try:
            results[index] = ("ok", function(barrier))
        except Exception as error:  # reported to the test, never swallowed
            results[index] = ("error", error)

    threads = [threading.Thread(target=run, args=(i, f)) for i, f in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(300)
    return results


def _visit(env, tag, hours=2.0):
    """A billable field ticket of a new organisation, in progress with a new field
    operator, hours and a router from the operator's van, and its draft note."""
    warehouse = env["stock.warehouse"].search(
        [("company_id", "=", env.user.company_id.id)], limit=1)
    van = env["stock.location"].create({
        "name": "Race van %s" % tag, "usage": "internal",
        "location_id": warehouse.lot_stock_id.id})
    operator = new_user(env, "race.fo.%s" % tag, [FIELD_OPERATOR],
                        van_location_id=van.id)
    ops = new_user(env, "race.ops.%s" % tag, [OPERATIONS])
    catalogue = make_catalogue(env, "Race Tech %s" % tag, "R%s" % tag[:6])
    queue = make_queue(env, catalogue.technology, catalogue.specializations[0],
                       members=[operator])
    router = env["product.product"].create({
        "name": "Race router %s" % tag, "type": "product", "list_price": 50.0,
        "taxes_id": [(5, 0, 0)]})
    org = make_organisation(env, "Race Org %s" % tag, "race.cust.%s" % tag)
    ticket = env["helpdesk.ticket"].create({
        "name": "Race %s" % tag, "partner_id": org.user.partner_id.id,
        "technology_id": catalogue.technology.id,
        "specialization_id": catalogue.specializations[0].id,
        "is_field": True, "visit_date": fields.Datetime.now()})
    set_state(ticket, "in_progress", user_id=operator.id, queue_id=queue.id)
    return ticket, operator, ops, router


def _add_work(env, ticket, operator, router, hours):
    env["account.analytic.line"].sudo(operator).create({
        "helpdesk_ticket_id": ticket.id, "name": "Race work", "unit_amount": hours,
        "user_id": operator.id})
    env["helpdesk.ticket.material"].sudo(operator).create({
        "ticket_id": ticket.id, "product_id": router.id, "quantity": 1})
    return env["helpdesk.delivery.note"].sudo(operator).create({"ticket_id": ticket.id})


def test_two_transactions_signing_one_note_sign_it_once():
    tag = uuid.uuid4().hex[:8]

    def setup(env):
        ticket, operator, _ops, router = _visit(env, tag)
        note = _add_work(env, ticket, operator, router, 2.0)
        return ticket.id, note.id, operator.id

    ticket_id, note_id, operator_id = _in_new_transaction(SUPERUSER_ID, setup)
    signature = signature_data_url()

    def signer(name):
        def sign(barrier):
            def work(env):
                note = env["helpdesk.delivery.note"].browse(note_id)
                # the snapshot of this transaction is taken here: both see a draft
                assert note.state == "draft"
                barrier.wait()
                return note.action_sign(name, signature)
            return _in_new_transaction(operator_id, work)
        return sign

    results = _race(signer("First Signer"), signer("Second Signer"))
    assert all(kind == "ok" for kind, _value in results), \
        "both transactions must end without error and commit: %s" % results

    def check(env):
        note = env["helpdesk.delivery.note"].browse(note_id)
        invoices = env["account.invoice"].search([("helpdesk_ticket_id", "=", ticket_id)])
        pickings = env["stock.picking"].search([("helpdesk_ticket_id", "=", ticket_id)])
        notes = env["helpdesk.delivery.note"].search([("ticket_id", "=", ticket_id)])
        return (note.state, note.signed_by, len(invoices), len(pickings), len(notes),
                note.hash_valid, note.invoice_id == invoices)

    state, signed_by, invoices, pickings, notes, hash_valid, linked = \
        _in_new_transaction(SUPERUSER_ID, check)
    assert state == "signed"
    assert signed_by in ("First Signer", "Second Signer")
    assert invoices == 1, "two racing signatures must give one invoice, got %s" % invoices
    assert pickings == 1, "and one picking, got %s" % pickings
    assert notes == 1 and hash_valid and linked


def test_two_payments_racing_close_the_ticket_once():
    """Two visits, two invoices of one ticket, each paid in its own transaction at the
    same moment: the ticket must close (once), whichever commits last. Odoo's payment
    numbering (a NOWAIT lock) already makes the second payment retry here; the ticket's
    row lock in ``_on_invoice_paid`` covers the paths without it (two bank
    reconciliations), which this test does not reach."""
    tag = uuid.uuid4().hex[:8]

    def setup(env):
        ticket, operator, _ops, router = _visit(env, tag)
        invoices = []
        for hours in (1.0, 2.0):
            note = _add_work(env, ticket, operator, router, hours)
            note.sudo(operator).action_sign("Race Customer", signature_data_url())
            invoices.append(note.invoice_id.id)
        journal = env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", env.user.company_id.id)], limit=1)
        return ticket.id, invoices, journal.id

    ticket_id, invoice_ids, journal_id = _in_new_transaction(SUPERUSER_ID, setup)

    def payer(invoice_id):
        def pay(barrier):
            state = {"waited": False}

            def work(env):
                invoice = env["account.invoice"].browse(invoice_id)
                assert invoice.state == "open"
                if not state["waited"]:  # both start together; a retry goes at once
                    state["waited"] = True
                    barrier.wait()
                payment = env["account.payment"].create({
                    "payment_type": "inbound", "partner_type": "customer",
                    "partner_id": invoice.partner_id.id, "amount": invoice.residual,
                    "journal_id": journal_id,
                    "payment_method_id": env.ref(
                        "account.account_payment_method_manual_in").id,
                    "invoice_ids": [(4, invoice.id)]})
                payment.post()
                return True
            return _in_new_transaction(SUPERUSER_ID, work, retry=True)
        return pay

    results = _race(payer(invoice_ids[0]), payer(invoice_ids[1]))
    assert all(kind == "ok" for kind, _value in results), \
        "both payments must commit (after Odoo's retry): %s" % results

    def check(env):
        ticket = env["helpdesk.ticket"].browse(ticket_id)
        closing = env["mail.message"].search_count([
            ("model", "=", "helpdesk.ticket"), ("res_id", "=", ticket_id),
            ("subject", "ilike", "Ticket closed")])
        return (ticket.state, closing,
                env["account.invoice"].browse(invoice_ids).mapped("state"))

    state, closing_mails, invoice_states = _in_new_transaction(SUPERUSER_ID, check)
    assert invoice_states == ["paid", "paid"]
    assert state == "closed", "the ticket must close when both invoices are paid"
    assert closing_mails == 1, "one closing mail, got %s" % closing_mails
