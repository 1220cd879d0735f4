"""The escrow's exactly-once promises with real concurrency: committed transactions
and the in-process HTTP server (each request on its own cursor, Odoo's retry of a
serialization failure), the real paypalrestsdk against the local PayPal stand-in.

- A double-clicked fee confirmation (two POSTs at once): one PayPal payment, both
  clicks sent to the same approval page.
- Two captures of one ticket at once (the cron and an operator's "Retry PayPal Now"):
  one capture at PayPal, one payment in Odoo, one expert bill."""
import re
import uuid

import pytest
import requests

from odoo import SUPERUSER_ID

from odoo.addons.tktit_helpdesk.tests.common import base_url
from odoo.addons.tktit_helpdesk.tests.fixtures import (
    make_catalogue, make_organisation, make_queue, make_staff,
    make_ticket)

from .committed import http_login, in_new_transaction, race
from .paypal import point_acquirer, standin_module


@pytest.fixture(scope="module")
def standin():
    server = standin_module().PayPalStandIn().start()

    def point(env):
        acquirer = env.ref("tktit_helpdesk_billing.payment_acquirer_paypal_rest")
        before = acquirer.read(["paypal_rest_client_id", "paypal_rest_client_secret",
                                "paypal_rest_endpoint", "paypal_rest_timeout"])[0]
        before.pop("id")
        point_acquirer(env, server.url, timeout=10)
        return before

    before = in_new_transaction(SUPERUSER_ID, point)
    try:
        yield server
    finally:
        in_new_transaction(SUPERUSER_ID, lambda env: env.ref(
            "tktit_helpdesk_billing.payment_acquirer_paypal_rest").write(before))
        server.stop()


def quoted_ticket(env, tag, fee=140.0):
    """A committed ticket of a new organisation, quoted ``fee``; its staff."""
    org = make_organisation(env, "Escrow Org %s" % tag, "esc.%s" % tag)
    staff = make_staff(env, prefix="%s." % tag)
    catalogue = make_catalogue(env, "Escrow Tech %s" % tag, "E%s" % tag[:6])
    make_queue(env, catalogue.technology, catalogue.specializations[0],
               members=[staff.expert_1], dispatcher=staff.operator)
    ticket = make_ticket(env, org.user, catalogue.technology, catalogue.specializations[0])
    ticket.sudo(staff.operator).action_send_to_dispatch(fee_amount=fee)
    return ticket, org.user, staff


def test_double_clicked_fee_confirmation_is_one_payment(standin):
    tag = uuid.uuid4().hex[:8]
    standin.reset()

    def setup(env):
        ticket, customer, _staff = quoted_ticket(env, tag)
        return ticket.id, customer.login

    ticket_id, login = in_new_transaction(SUPERUSER_ID, setup)
    session = http_login(login, login)
    page = session.get(base_url() + "/my/ticket/%d" % ticket_id, timeout=60)
    assert "o_tktit_fee_quote" in page.text
    form = page.text[page.text.index("/my/ticket/%d/fee/confirm" % ticket_id):]
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)

    def click(barrier):
        barrier.wait()
        return session.post(base_url() + "/my/ticket/%d/fee/confirm" % ticket_id,
                            data={"csrf_token": csrf}, allow_redirects=False, timeout=120)

    results = race(click, click)
    assert all(kind == "ok" for kind, _value in results), results
    answers = [value for _kind, value in results]
    assert [a.status_code for a in answers] == [303, 303], [a.text[:300] for a in answers]
    locations = {a.headers["Location"] for a in answers}
    assert len(locations) == 1, locations
    assert locations.pop().startswith(standin.url + "/checkoutnow?token=EC-")
    assert standin.ledger()["performed"].get("create") == 1

    def check(env):
        return env["payment.transaction"].search_count(
            [("helpdesk_ticket_id", "=", ticket_id)])
    assert in_new_transaction(SUPERUSER_ID, check) == 1
    # the stand-in's approval page is where PayPal's would be
    assert "PayPal stand-in" in requests.get(answers[0].headers["Location"], timeout=30).text
    # the committed ticket leaves the other tests' boards (it would stay in "New")
    in_new_transaction(SUPERUSER_ID, lambda env: env["helpdesk.ticket"].browse(
        ticket_id).action_cancel())


def test_two_captures_at_once_capture_once(standin):
    tag = uuid.uuid4().hex[:8]
    standin.reset()
    standin.clear_faults()

    def setup(env):
        ticket, customer, staff = quoted_ticket(env, tag)
        url = ticket.sudo(customer).action_confirm_fee(
            return_url="http://127.0.0.1/r", cancel_url="http://127.0.0.1/c")
        values = standin.approve(url)
        ticket.sudo(customer).action_hold_fee(values["paymentId"], values["token"],
                                              values["PayerID"])
        assert (ticket.state, ticket.payment_state) == ("dispatch", "authorized")
        ticket.sudo(staff.operator).action_assign(staff.expert_1)
        ticket.sudo(staff.expert_1).write({"resolution": "<p>Done.</p>"})
        ticket.sudo(staff.expert_1).action_work_completed()
        ticket.sudo(staff.qc).action_qc_approve()
        ticket.sudo(staff.committee).action_final_approve()
        # the first capture fails (PayPal 500): the ticket waits for a retry
        standin.set_fault("capture", "error_500", times=1)
        ticket.sudo(customer).action_customer_confirm(True)
        assert (ticket.state, ticket.payment_state) == ("closed", "authorized")
        return ticket.id, staff.operator.id

    ticket_id, operator_id = in_new_transaction(SUPERUSER_ID, setup)
    # both capture calls overlap at PayPal: the first is slow to answer
    standin.set_fault("capture", "delay", times=1, delay=1.5)

    def by_cron(barrier):
        barrier.wait()
        return in_new_transaction(SUPERUSER_ID, lambda env: env["helpdesk.ticket"].browse(
            ticket_id)._escrow_capture(), retry=True)

    def by_operator(barrier):
        barrier.wait()
        return in_new_transaction(operator_id, lambda env: env["helpdesk.ticket"].browse(
            ticket_id).action_retry_fee_payment(), retry=True)

    results = race(by_cron, by_operator)
    assert all(kind == "ok" for kind, _value in results), results

    def check(env):
        ticket = env["helpdesk.ticket"].browse(ticket_id)
        invoice = ticket.fee_invoice_id
        return (ticket.payment_state, invoice.state, len(invoice.payment_ids),
                env["account.invoice"].search_count([("type", "=", "in_invoice"),
                                                     ("origin", "=", ticket.number)]))

    assert in_new_transaction(SUPERUSER_ID, check) == ("captured", "paid", 1, 1)
    ledger = standin.ledger()
    assert ledger["performed"].get("capture") == 1, ledger["performed"]
    assert len(ledger["captures"]) == 1


def test_tampered_returns_over_http_record_nothing(standin):
    """PayPal's return URL edited by hand: an unknown checkout token is a 400 page, a
    wrong payer a message on the ticket; nothing is held until the real return."""
    tag = uuid.uuid4().hex[:8]
    standin.reset()

    def setup(env):
        ticket, customer, _staff = quoted_ticket(env, tag, fee=60.0)
        return ticket.id, customer.login

    ticket_id, login = in_new_transaction(SUPERUSER_ID, setup)
    session = http_login(login, login)
    page = session.get(base_url() + "/my/ticket/%d" % ticket_id, timeout=60)
    form = page.text[page.text.index("/my/ticket/%d/fee/confirm" % ticket_id):]
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    answer = session.post(base_url() + "/my/ticket/%d/fee/confirm" % ticket_id,
                          data={"csrf_token": csrf}, allow_redirects=False, timeout=60)
    values = standin.approve(answer.headers["Location"])
    back = base_url() + "/payment/paypal_rest/return"

    unknown = session.get(back, params=dict(values, token="EC-NOTOURS0000000"),
                          allow_redirects=False, timeout=60)
    assert unknown.status_code == 400 and "nothing was" in unknown.text
    wrong_payer = session.get(back, params=dict(values, PayerID="WRONGPAYER01"),
                              timeout=60)
    assert "Payer ID is invalid" in wrong_payer.text, wrong_payer.text[:2000]
    assert "o_tktit_fee_quote" in wrong_payer.text, "the quote is still open"

    def state(env):
        ticket = env["helpdesk.ticket"].browse(ticket_id)
        return ticket.payment_state, ticket.state
    assert in_new_transaction(SUPERUSER_ID, state) == ("none", "new")
    assert standin.ledger()["performed"].get("execute", 0) == 0

    held = session.get(back, params={key: values[key] for key in
                                     ("paymentId", "token", "PayerID")}, timeout=60)
    assert "o_tktit_fee_held" in held.text
    assert in_new_transaction(SUPERUSER_ID, state) == ("authorized", "dispatch")
    in_new_transaction(SUPERUSER_ID, lambda env: env["helpdesk.ticket"].browse(
        ticket_id).action_cancel())
