"""Exactly once, across transactions: two signatures of one delivery note at the same
moment, and two payments racing to close one ticket.

Each side runs in its own thread with its own cursor and commits, as two Odoo workers
would. The data is built and committed first in a separate cursor (these tests cannot
run in the usual rolled-back test transaction), under logins unique to the run.
"""
import re
import uuid

from odoo import SUPERUSER_ID

from odoo.addons.tktit_helpdesk.tests.common import base_url
from odoo.addons.tktit_helpdesk_billing.tests.field_common import signature_data_url

from .committed import add_work, field_visit, http_login, in_new_transaction, race


def test_two_transactions_signing_one_note_sign_it_once():
    tag = uuid.uuid4().hex[:8]

    def setup(env):
        ticket, operator, _ops, router = field_visit(env, tag)
        note = add_work(env, ticket, operator, router, 2.0)
        return ticket.id, note.id, operator.id

    ticket_id, note_id, operator_id = in_new_transaction(SUPERUSER_ID, setup)
    signature = signature_data_url()

    def signer(name):
        def sign(barrier):
            def work(env):
                note = env["helpdesk.delivery.note"].browse(note_id)
                # the snapshot of this transaction is taken here: both see a draft
                assert note.state == "draft"
                barrier.wait()
                return note.action_sign(name, signature)
            return in_new_transaction(operator_id, work)
        return sign

    results = race(signer("First Signer"), signer("Second Signer"))
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
        in_new_transaction(SUPERUSER_ID, check)
    assert state == "signed"
    assert signed_by in ("First Signer", "Second Signer")
    assert invoices == 1, "two racing signatures must give one invoice, got %s" % invoices
    assert pickings == 1, "and one picking, got %s" % pickings
    assert notes == 1 and hash_valid and linked


def _sign_form(session, ticket_id, note_id):
    """The visit's page as this device shows it: its CSRF token and the fingerprint of
    the note the customer reads."""
    page = session.get(base_url() + "/field/ticket/%d" % ticket_id, timeout=60)
    assert page.status_code == 200, page.text[:500]
    form = page.text[page.text.index('action="/field/note/%d/sign"' % note_id):]
    return {name: re.search(r'name="%s" value="([^"]*)"' % name, form).group(1)
            for name in ("csrf_token", "lines_digest")}


def test_two_tablets_posting_one_signature_at_once_over_http():
    """Two sessions of the operator (two tablets, or a double tap and a replay) post
    the note's signature at the same moment, each with its own device key: one signed
    note, one invoice, one picking, and both devices told it is signed."""
    tag = uuid.uuid4().hex[:8]

    def setup(env):
        ticket, operator, _ops, router = field_visit(env, tag, stock=2)
        note = add_work(env, ticket, operator, router, 1.5)
        return ticket.id, note.id, operator.login

    ticket_id, note_id, login = in_new_transaction(SUPERUSER_ID, setup)
    devices = [http_login(login, login) for _i in range(2)]
    forms = [_sign_form(device, ticket_id, note_id) for device in devices]

    def poster(index):
        def post(barrier):
            data = dict(forms[index], signed_by="Signer %d" % index,
                        signature=signature_data_url(), sign_key="device-%d-%s" % (index, tag))
            barrier.wait()
            return devices[index].post(
                base_url() + "/field/note/%d/sign" % note_id, data=data, timeout=120,
                headers={"Accept": "application/json"})
        return post

    results = race(poster(0), poster(1))
    assert all(kind == "ok" for kind, _value in results), results
    answers = [value for _kind, value in results]
    assert [a.status_code for a in answers] == [200, 200], [a.text for a in answers]
    assert [a.json()["status"] for a in answers] == ["signed", "signed"]

    def check(env):
        note = env["helpdesk.delivery.note"].browse(note_id)
        return (note.state, note.signed_by, note.hash_valid,
                env["account.invoice"].search_count([("helpdesk_ticket_id", "=", ticket_id)]),
                env["stock.picking"].search_count([("helpdesk_ticket_id", "=", ticket_id)]),
                env["helpdesk.delivery.note"].search_count([("ticket_id", "=", ticket_id)]))

    state, signed_by, hash_valid, invoices, pickings, notes = \
        in_new_transaction(SUPERUSER_ID, check)
    assert state == "signed" and hash_valid
    assert signed_by in ("Signer 0", "Signer 1")
    assert (invoices, pickings, notes) == (1, 1, 1), \
        "two parallel posts must give one invoice, one picking, one note: %s" % (
            (invoices, pickings, notes),)
    # each device is told the same thing: who signed, and the one invoice
    assert len({a.json()["invoice"] for a in answers}) == 1
    assert {a.json()["signed_by"] for a in answers} == {signed_by}


def test_two_payments_racing_close_the_ticket_once():
    """Two visits, two invoices of one ticket, each paid in its own transaction at the
    same moment: the ticket must close (once), whichever commits last. Odoo's payment
    numbering (a NOWAIT lock) already makes the second payment retry here; the ticket's
    row lock in ``_on_invoice_paid`` covers the paths without it (two bank
    reconciliations), which this test does not reach."""
    tag = uuid.uuid4().hex[:8]

    def setup(env):
        ticket, operator, _ops, router = field_visit(env, tag)
        invoices = []
        for hours in (1.0, 2.0):
            note = add_work(env, ticket, operator, router, hours)
            note.sudo(operator).action_sign("Race Customer", signature_data_url())
            invoices.append(note.invoice_id.id)
        journal = env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", env.user.company_id.id)], limit=1)
        return ticket.id, invoices, journal.id

    ticket_id, invoice_ids, journal_id = in_new_transaction(SUPERUSER_ID, setup)

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
            return in_new_transaction(SUPERUSER_ID, work, retry=True)
        return pay

    results = race(payer(invoice_ids[0]), payer(invoice_ids[1]))
    assert all(kind == "ok" for kind, _value in results), \
        "both payments must commit (after Odoo's retry): %s" % results

    def check(env):
        ticket = env["helpdesk.ticket"].browse(ticket_id)
        closing = env["mail.message"].search_count([
            ("model", "=", "helpdesk.ticket"), ("res_id", "=", ticket_id),
            ("subject", "ilike", "Ticket closed")])
        return (ticket.state, closing,
                env["account.invoice"].browse(invoice_ids).mapped("state"))

    state, closing_mails, invoice_states = in_new_transaction(SUPERUSER_ID, check)
    assert invoice_states == ["paid", "paid"]
    assert state == "closed", "the ticket must close when both invoices are paid"
    assert closing_mails == 1, "one closing mail, got %s" % closing_mails
