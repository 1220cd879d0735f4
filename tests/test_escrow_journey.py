"""The escrow of a ticket's fee in headless Chromium, against the server as it runs in
production (every request on its own cursor that commits) and the local PayPal stand-in
(scripts/paypal_standin.py) in place of PayPal. The data is committed first under names
unique to the run (tests/committed.py), so no other test meets it.

- Held, then paid: operations quote a fee; the customer confirms it on the ticket's
  page, is sent to the stand-in's approval page, approves, comes back to the ticket
  with the fee held (the ticket reaches the dispatcher); the work is delivered; the
  customer says they are satisfied: the fee is captured, the fee invoice paid by the
  transaction, the expert's share billed, the customer mailed at each step.
- Cancelled at PayPal: back on the ticket, nothing held, the quote still to confirm.

Screenshots of each step land in artifacts/screenshots/escrow_*.png.
"""
import os
import re
import uuid
from urllib.parse import parse_qs, urlsplit

import pytest

from odoo import SUPERUSER_ID

from odoo.addons.tktit_helpdesk.tests.common import (
    ARTIFACTS_DIR, CHROMIUM, CHROMIUM_ARGS, MailSink, base_url)
from odoo.addons.tktit_helpdesk.tests.fixtures import (
    make_catalogue, make_organisation, make_queue, new_user)

from .committed import in_new_transaction
from .paypal import ACQUIRER, STANDIN_CREDENTIALS, standin_module

EXPERT = "tktit_helpdesk.group_helpdesk_expert"
FEE = 150.0
STANDIN_SETTINGS = dict(STANDIN_CREDENTIALS, paypal_rest_timeout=5)


@pytest.fixture(scope="module")
def standin():
    """The stand-in on a free port, the acquirer pointed at it (and Odoo's own address,
    where the stand-in sends the browser back, the test server's) for the module; the
    previous settings back afterwards: the other tests share the database."""
    server = standin_module().PayPalStandIn().start()
    settings = dict(STANDIN_SETTINGS, paypal_rest_endpoint=server.url)

    def point(env):
        acquirer = env.ref(ACQUIRER)
        previous = {key: acquirer[key] for key in settings}
        acquirer.write(settings)
        # web.base.url names the server by another host than the browser uses (as after
        # an administrator logged in through it): PayPal must still send the customer
        # back to the host they are on, where their session cookie is
        params = env["ir.config_parameter"]
        previous_base = params.get_param("web.base.url")
        params.set_param("web.base.url", base_url().replace("127.0.0.1", "localhost"))
        return previous, previous_base

    def restore(env):
        env.ref(ACQUIRER).write(previous)
        env["ir.config_parameter"].set_param("web.base.url", previous_base)

    try:
        previous, previous_base = in_new_transaction(SUPERUSER_ID, point)
        try:
            yield server
        finally:
            in_new_transaction(SUPERUSER_ID, restore)
    finally:
        server.stop()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(base_url=base_url(),
                                  viewport={"width": 1280, "height": 900})
    context.set_default_timeout(30000)
    try:
        yield context.new_page()
    finally:
        context.close()


def screenshot(page, name):
    directory = os.path.join(ARTIFACTS_DIR, "screenshots")
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, "escrow_%s.png" % name)
    page.screenshot(path=path, full_page=True)
    return path


def login(page, user_login, redirect):
    page.goto("/web/login?redirect=%s" % redirect)
    page.fill("input[name=login]", user_login)
    page.fill("input[name=password]", user_login)
    with page.expect_navigation():
        page.click("form.oe_login_form button[type=submit]")
    assert page.url.endswith(redirect), "logged in as %s: %s" % (user_login, page.url)


def redirect_chain(response):
    """The (url, status) of every response that led to ``response``, oldest first."""
    chain = [(response.url, response.status)]
    request = response.request.redirected_from
    while request:
        chain.insert(0, (request.url, request.response().status))
        request = request.redirected_from
    return chain


def send_mail_queue():
    return in_new_transaction(SUPERUSER_ID, lambda env: MailSink().flush(env))


def quoted_ticket(tag):
    """A ticket of a new organisation's portal customer (login and password
    ``cust.<tag>``), routed to a queue with an expert, sent to dispatch by operations
    with a fee of 150: it waits for the customer to confirm the fee; committed."""
    def setup(env):
        expert = new_user(env, "expert.%s" % tag, [EXPERT],
                          name="Expert %s" % tag)
        catalogue = make_catalogue(env, "Escrow %s" % tag, "E%s" % tag[:6])
        queue = make_queue(env, catalogue.technology, catalogue.specializations[0],
                           members=[expert])
        org = make_organisation(env, "Org %s" % tag, "cust.%s" % tag,
                                email="cust.%s@example.com" % tag)
        ticket = env["helpdesk.ticket"].create({
            "name": "Mail relay %s" % tag, "partner_id": org.user.partner_id.id,
            "description": "Outgoing mail of %s bounces since the migration." % tag,
            "technology_id": catalogue.technology.id,
            "specialization_id": catalogue.specializations[0].id})
        assert ticket.queue_id == queue, "the ticket is routed to the expert's queue"
        ticket.sudo().action_send_to_dispatch(fee_amount=FEE)
        assert (ticket.state, ticket.fee_quote_open, ticket.payment_state) == (
            "new", True, "none"), "with a fee, the ticket waits for the customer"
        return {"ticket_id": ticket.id, "number": ticket.number, "login": org.user.login,
                "email": org.user.partner_id.email, "expert_id": expert.id,
                "expert_partner_id": expert.partner_id.id}
    return in_new_transaction(SUPERUSER_ID, setup)


def read_back(ticket_id):
    """The ticket's escrow as the database holds it, read in a new transaction."""
    def read(env):
        ticket = env["helpdesk.ticket"].browse(ticket_id)
        tx = ticket.payment_transaction_id
        invoice = ticket.fee_invoice_id
        bill = ticket.expert_bill_id
        return {
            "state": ticket.state, "payment_state": ticket.payment_state,
            "satisfaction": ticket.satisfaction, "fee_quote_open": ticket.fee_quote_open,
            "tx_id": tx.id, "tx_state": tx.state, "tx_payment_id": tx.paypal_rest_payment_id,
            "tx_token": tx.paypal_rest_token,
            "tx_authorization_id": tx.paypal_rest_authorization_id,
            "tx_capture_id": tx.paypal_rest_capture_id,
            "tx_invoice_id": tx.account_invoice_id.id,
            "tickets_tx": env["payment.transaction"].search(
                [("helpdesk_ticket_id", "=", ticket_id)]).mapped("state"),
            "commission_rate": ticket._get_commission_rate(),
            "invoice": None if not invoice else {
                "id": invoice.id, "type": invoice.type, "state": invoice.state,
                "total": invoice.amount_total, "residual": invoice.residual,
                "partner_id": invoice.partner_id.id,
                "payment_txs": invoice.payment_ids.mapped("payment_transaction_id").ids},
            "bill": None if not bill else {
                "type": bill.type, "state": bill.state, "total": bill.amount_total,
                "partner_id": bill.partner_id.id},
        }
    return in_new_transaction(SUPERUSER_ID, read)


def deliver(ticket_id, expert_id):
    """The dispatcher assigns the expert, who completes the work; quality control and
    the committee approve it: delivered; committed."""
    def walk(env):
        ticket = env["helpdesk.ticket"].browse(ticket_id).sudo()
        ticket.action_assign(env["res.users"].browse(expert_id))
        ticket.write({"resolution": "<p>Fixed the SPF record and the relay's TLS "
                                    "certificate; mail flows again.</p>"})
        ticket.action_work_completed()
        ticket.action_qc_approve()
        ticket.action_final_approve()
        return ticket.state
    assert in_new_transaction(SUPERUSER_ID, walk) == "delivered"


def confirm_fee(page, standin, ticket_id):
    """On the ticket's page, the customer confirms the quoted fee: Odoo answers 303 to
    the stand-in's approval page."""
    approval = re.compile(r"^%s/checkoutnow\?token=EC-" % re.escape(standin.url))
    with page.expect_navigation(url=approval) as navigation:
        page.click(".o_tktit_fee_confirm_button")
    chain = redirect_chain(navigation.value)
    assert chain[0][0].endswith("/my/ticket/%d/fee/confirm" % ticket_id) and \
        chain[0][1] == 303, "the confirmation is a 303 to PayPal: %s" % chain
    assert "PayPal stand-in" in page.title(), page.title()
    return parse_qs(urlsplit(page.url).query)["token"][0]


def test_fee_held_at_paypal_then_captured_on_satisfaction(page, standin):
    tag = uuid.uuid4().hex[:8]
    standin.reset()
    quote = quoted_ticket(tag)
    ticket_id = quote["ticket_id"]
    ticket_url = "/my/ticket/%d" % ticket_id
    quotes = [m for m in send_mail_queue() if quote["email"] in m.to
              and quote["number"] in m.subject and "Your quote" in m.subject]
    assert len(quotes) == 1, "the customer is sent the quote to confirm"

    login(page, quote["login"], ticket_url)
    panel = page.locator(".o_tktit_fee_quote")
    assert panel.is_visible(), "the ticket's page shows the quote to confirm"
    assert "150.00" in panel.locator(".o_tktit_fee_amount").inner_text()
    assert not page.is_visible(".o_tktit_fee_held")
    screenshot(page, "01_quote")

    token = confirm_fee(page, standin, ticket_id)
    assert "150.00" in page.inner_text("body"), "PayPal shows the amount to approve"
    data = read_back(ticket_id)
    assert (data["tx_state"], data["tx_token"], data["payment_state"]) == (
        "pending", token, "none"), data
    screenshot(page, "02_paypal_approval")

    back = re.compile(r"^%s%s([?#]|$)" % (re.escape(base_url()), re.escape(ticket_url)))
    with page.expect_navigation(url=back) as navigation:
        page.click("#approve")
    chain = redirect_chain(navigation.value)
    returns = [url for url, _status in chain if "/payment/paypal_rest/return" in url]
    assert len(returns) == 1 and returns[0].startswith(base_url()), \
        "the stand-in sends the browser back to Odoo's return URL: %s" % chain
    query = parse_qs(urlsplit(returns[0]).query)
    assert query["paymentId"] == [data["tx_payment_id"]] and query["token"] == [token] \
        and query["PayerID"][0], query
    assert page.is_visible(".o_tktit_fee_held"), "the page says the fee is held"
    assert "150.00" in page.inner_text(".o_tktit_fee_held")
    flash = page.locator(".o_tktit_flash")
    assert "alert-success" in flash.get_attribute("class")
    assert "PayPal holds" in flash.inner_text(), flash.inner_text()
    assert not page.is_visible(".o_tktit_fee_quote"), "nothing more to confirm"
    screenshot(page, "03_held")

    data = read_back(ticket_id)
    assert (data["payment_state"], data["state"], data["tx_state"]) == (
        "authorized", "dispatch", "authorized"), \
        "the fee held, the ticket reaches the dispatcher: %s" % data
    ledger = standin.ledger()
    assert (ledger["performed"]["create"], ledger["performed"]["execute"],
            ledger["performed"]["capture"]) == (1, 1, 0), ledger["performed"]
    assert list(ledger["authorizations"]) == [data["tx_authorization_id"]]
    held = [m for m in send_mail_queue() if quote["email"] in m.to
            and "held at PayPal" in m.subject]
    assert len(held) == 1 and quote["number"] in held[0].subject, \
        "the customer is told the fee is held"

    deliver(ticket_id, quote["expert_id"])
    page.goto(ticket_url)
    assert page.is_visible(".o_tktit_fee_held"), "still held while delivered"
    screenshot(page, "04_delivered")
    with page.expect_navigation():
        page.click("form.o_tktit_confirm_yes button[type=submit]")
    assert "your ticket is closed" in page.inner_text(".o_tktit_flash")
    captured = page.locator(".o_tktit_fee_captured")
    assert captured.is_visible(), "the page says the fee is paid"
    assert "150.00" in captured.inner_text()
    assert not page.is_visible(".o_tktit_fee_held")
    screenshot(page, "05_captured")

    ledger = standin.ledger()
    assert (ledger["performed"]["create"], ledger["performed"]["execute"],
            ledger["performed"]["capture"], ledger["performed"]["void"]) == (1, 1, 1, 0), \
        ledger["performed"]
    assert len(ledger["authorizations"]) == 1 and len(ledger["captures"]) == 1, ledger
    capture_id, capture = list(ledger["captures"].items())[0]
    assert capture["amount"]["total"] == "150.00", capture
    assert capture["authorization"] == data["tx_authorization_id"]
    authorization = ledger["authorizations"][data["tx_authorization_id"]]
    assert authorization["state"] == "captured" and authorization["captured"] == "150.00", \
        authorization

    data = read_back(ticket_id)
    assert (data["payment_state"], data["state"], data["satisfaction"]) == (
        "captured", "closed", "satisfied"), data
    assert (data["tx_state"], data["tx_capture_id"]) == ("done", capture_id), data
    invoice = data["invoice"]
    assert invoice and invoice["type"] == "out_invoice" and invoice["total"] == FEE, data
    assert (invoice["state"], invoice["residual"]) == ("paid", 0.0), invoice
    assert data["tx_invoice_id"] == invoice["id"]
    assert invoice["payment_txs"] == [data["tx_id"]], \
        "the invoice is paid by the PayPal transaction: %s" % invoice
    bill = data["bill"]
    share = round(FEE * data["commission_rate"] / 100.0, 2)
    assert share > 0, "an expert's share: %s%%" % data["commission_rate"]
    assert bill and (bill["type"], bill["state"], bill["partner_id"]) == (
        "in_invoice", "open", quote["expert_partner_id"]), data
    assert round(bill["total"], 2) == share, (bill, share)

    mails = [m for m in send_mail_queue() if quote["email"] in m.to]
    paid = [m for m in mails if "paid" in m.subject and quote["number"] in m.subject]
    assert len(paid) == 1, "the customer is told the fee is taken: %s" % mails


def test_cancel_at_paypal_holds_nothing_and_keeps_the_quote(page, standin):
    tag = uuid.uuid4().hex[:8]
    standin.reset()
    quote = quoted_ticket(tag)
    ticket_id = quote["ticket_id"]
    ticket_url = "/my/ticket/%d" % ticket_id

    login(page, quote["login"], ticket_url)
    confirm_fee(page, standin, ticket_id)
    screenshot(page, "cancel_01_paypal_approval")
    back = re.compile(r"^%s%s([?#]|$)" % (re.escape(base_url()), re.escape(ticket_url)))
    with page.expect_navigation(url=back) as navigation:
        page.click("#cancel")
    chain = redirect_chain(navigation.value)
    assert [url for url, _status in chain if "/payment/paypal_rest/cancel" in url], chain
    flash = page.locator(".o_tktit_flash")
    assert "alert-warning" in flash.get_attribute("class")
    assert "nothing is held" in flash.inner_text(), flash.inner_text()
    assert page.is_visible(".o_tktit_fee_quote"), "the quote is still there to confirm"
    assert not page.is_visible(".o_tktit_fee_held")
    screenshot(page, "cancel_02_back_on_ticket")

    data = read_back(ticket_id)
    assert (data["payment_state"], data["state"], data["fee_quote_open"]) == (
        "none", "new", True), data
    assert not data["tx_id"] and data["tickets_tx"] == ["cancel"], \
        "the cancelled payment is forgotten: %s" % data
    ledger = standin.ledger()
    assert (ledger["performed"]["create"], ledger["performed"]["execute"]) == (1, 0), \
        ledger["performed"]
    assert not ledger["authorizations"]
    assert [p["cancelled"] for p in ledger["payments"].values()] == [True]
    # the committed ticket leaves the other tests' boards (it would stay in "New")
    in_new_transaction(SUPERUSER_ID, lambda env: env["helpdesk.ticket"].browse(
        ticket_id).action_cancel())
