"""The local PayPal REST v1 stand-in (scripts/paypal_standin.py), driven by the real
paypalrestsdk. No Odoo needed: plain pytest functions.

paypalrestsdk 1.13 passes no timeout to `requests` (Api.http_call calls
requests.request(method, url, proxies=..., data=..., headers=...)), so TimeoutApi below adds
one to every call, the OAuth call included. A timeout or a dropped connection surfaces as
requests' own exceptions, not as paypalrestsdk.exceptions.
"""
import calendar
import importlib.util
import os
import socket
import subprocess
import sys
import time
from urllib.parse import parse_qs, urlsplit

import paypalrestsdk
import pytest
import requests
from paypalrestsdk import exceptions as pp_exceptions
from paypalrestsdk.resource import Resource

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPT = os.path.join(ROOT, "scripts", "paypal_standin.py")
RETURN_URL = "http://127.0.0.1:8069/tktit/paypal/return?ref=T-0042"
CANCEL_URL = "http://127.0.0.1:8069/tktit/paypal/cancel"


def _load_standin():
    spec = importlib.util.spec_from_file_location("tktit_paypal_standin", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


standin_module = _load_standin()


class TimeoutApi(paypalrestsdk.Api):
    """paypalrestsdk.Api with a timeout on every HTTP call (the SDK has no such option)."""

    def __init__(self, options=None, timeout=None, **kwargs):
        super().__init__(options, **kwargs)
        self.timeout = timeout

    def http_call(self, url, method, **kwargs):
        if self.timeout is not None:
            kwargs.setdefault("timeout", self.timeout)
        return super().http_call(url, method, **kwargs)


@pytest.fixture(scope="module")
def standin():
    server = standin_module.PayPalStandIn().start()
    yield server
    server.stop()


@pytest.fixture
def paypal(standin):
    standin.reset()
    return standin


@pytest.fixture
def api(paypal):
    return TimeoutApi(mode="sandbox", client_id="standin-client",
                      client_secret="standin-secret", endpoint=paypal.url, timeout=5)


def new_payment(api, total="25.00", currency="EUR", intent="authorize"):
    return paypalrestsdk.Payment({
        "intent": intent,
        "payer": {"payment_method": "paypal"},
        "redirect_urls": {"return_url": RETURN_URL, "cancel_url": CANCEL_URL},
        "transactions": [{"amount": {"total": total, "currency": currency},
                          "description": "Ticket T-0042 fee", "invoice_number": "T-0042"}],
    }, api=api)


def link(resource, rel):
    hrefs = [entry.href for entry in resource.links if entry.rel == rel]
    assert len(hrefs) == 1, "one %r link expected in %s" % (rel, resource.links)
    return hrefs[0]


def authorized(api, standin, total="25.00", currency="EUR"):
    payment = new_payment(api, total, currency)
    assert payment.create(), "the payment must be created: %s" % payment.error
    back = standin.approve(link(payment, "approval_url"))
    assert payment.execute({"payer_id": back["PayerID"]}), \
        "the approved payment must execute: %s" % payment.error
    return payment, payment.transactions[0].related_resources[0].authorization


def utc(text):
    return calendar.timegm(time.strptime(text, "%Y-%m-%dT%H:%M:%SZ"))


def test_create_approve_execute_capture(paypal, api):
    payment = new_payment(api)
    assert payment.create(), "create must succeed: %s" % payment.error
    assert payment.id.startswith("PAYID-") and payment.state == "created", payment
    approval = link(payment, "approval_url")
    assert approval.startswith(paypal.url + "/checkoutnow?token=EC-"), approval
    assert link(payment, "execute").endswith("/v1/payments/payment/%s/execute" % payment.id)

    back = paypal.approve(approval)
    assert back["paymentId"] == payment.id and back["token"] == approval.split("token=")[1]
    assert payment.execute({"payer_id": back["PayerID"]}), payment.error
    assert payment.state == "approved", payment
    auth = payment.transactions[0].related_resources[0].authorization
    assert isinstance(auth, paypalrestsdk.Authorization), type(auth)
    assert auth.state == "authorized" and auth.amount.total == "25.00", auth
    assert abs(utc(auth.valid_until) - (time.time() + 29 * 86400)) < 120, auth.valid_until
    assert {entry.rel for entry in auth.links} >= {"self", "capture", "void", "reauthorize"}

    found = paypalrestsdk.Authorization.find(auth.id, api=api)
    assert found.state == "authorized" and found.parent_payment == payment.id, found
    capture = found.capture({"amount": {"total": "25.00", "currency": "EUR"},
                             "is_final_capture": True})
    assert capture.success(), "capture must succeed: %s" % capture.error
    assert capture.state == "completed" and capture.parent_payment == payment.id, capture
    assert capture.amount.total == "25.00" and capture.amount.currency == "EUR", capture
    assert link(capture, "authorization").endswith(auth.id)
    assert paypalrestsdk.Authorization.find(auth.id, api=api).state == "captured"
    again = paypalrestsdk.Payment.find(payment.id, api=api)
    kinds = [list(r.to_dict())[0] for r in again.transactions[0].related_resources]
    assert kinds == ["authorization", "capture"], kinds

    ledger = paypal.ledger()
    assert (ledger["calls"]["create"], ledger["calls"]["execute"],
            ledger["calls"]["capture"]) == (1, 1, 1), ledger["calls"]
    assert ledger["calls"]["oauth"] == 1, "the SDK caches its token: %s" % ledger["calls"]
    assert ledger["authorizations"][auth.id]["state"] == "captured"
    assert ledger["captures"][capture.id]["authorization"] == auth.id


def test_approval_page_approve_and_cancel(paypal, api):
    payment = new_payment(api)
    assert payment.create(), payment.error
    approval = link(payment, "approval_url")
    page = requests.get(approval, timeout=5)
    assert page.status_code == 200 and "PayPal stand-in \u2014 not PayPal" in page.text
    assert "Approve</button>" in page.text and "Cancel and return" in page.text
    token = approval.split("token=")[1]

    cancel = requests.get(paypal.url + "/checkoutnow/cancel?token=" + token,
                          allow_redirects=False, timeout=5)
    assert cancel.status_code == 303
    assert cancel.headers["Location"] == CANCEL_URL + "?token=" + token, cancel.headers
    assert paypal.ledger()["payments"][payment.id]["cancelled"] is True

    done = requests.post(paypal.url + "/checkoutnow", data={"token": token, "action": "approve"},
                         allow_redirects=False, timeout=5)
    assert done.status_code == 303, done.text
    location = done.headers["Location"]
    assert location.startswith(RETURN_URL + "&"), location
    query = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
    assert query["ref"] == "T-0042" and query["paymentId"] == payment.id
    assert query["token"] == token and len(query["PayerID"]) == 13, query
    assert payment.execute({"payer_id": query["PayerID"]}), payment.error


def test_void(paypal, api):
    payment, auth = authorized(api, paypal)
    assert auth.void(), "void must succeed: %s" % auth.error
    assert auth.state == "voided", auth
    late = auth.capture({"amount": {"total": "25.00", "currency": "EUR"}})
    assert not late.success() and late.error["name"] == "AUTHORIZATION_VOIDED", late.error
    ledger = paypal.ledger()
    assert ledger["calls"]["void"] == 1 and ledger["performed"]["capture"] == 0
    assert ledger["authorizations"][auth.id]["state"] == "voided"


def test_wrong_credentials(paypal):
    api = TimeoutApi(mode="sandbox", client_id="standin-client", client_secret="wrong",
                     endpoint=paypal.url, timeout=5)
    with pytest.raises(pp_exceptions.UnauthorizedAccess) as raised:
        new_payment(api).create()
    assert "invalid_client" in raised.value.content
    assert paypal.ledger()["calls"]["oauth"] == 1 and paypal.ledger()["calls"]["create"] == 0


def test_bearer_token_required(paypal):
    missing = requests.post(paypal.url + "/v1/payments/payment", json={}, timeout=5)
    assert missing.status_code == 401 and missing.json()["name"] == "AUTHENTICATION_FAILURE"
    bad = requests.get(paypal.url + "/v1/payments/authorization/X", timeout=5,
                       headers={"Authorization": "Bearer not-a-token"})
    assert bad.status_code == 401 and bad.json()["error"] == "invalid_token"


def test_invalid_amounts_and_currency_refused(paypal, api):
    cases = [("0.00", "EUR", "transactions[0].amount.total", "zero"),
             ("12.345", "EUR", "transactions[0].amount.total", "decimal"),
             ("25.00", "IRR", "transactions[0].amount.currency", "not supported")]
    for total, currency, field, issue in cases:
        payment = new_payment(api, total, currency)
        assert not payment.create(), "%s %s must be refused" % (total, currency)
        error = payment.error
        assert error["name"] == "VALIDATION_ERROR" and error["debug_id"], error
        assert error["information_link"].startswith("https://developer.paypal.com/"), error
        assert [d["field"] for d in error["details"]] == [field], error
        assert issue in error["details"][0]["issue"], error
    ledger = paypal.ledger()
    assert ledger["calls"]["create"] == 3 and ledger["performed"]["create"] == 0
    assert ledger["payments"] == {}


def test_execute_needs_approval_and_the_right_payer(paypal, api):
    payment = new_payment(api)
    assert payment.create(), payment.error
    assert not payment.execute({"payer_id": "ABCDEFGHIJKLM"})
    assert payment.error["name"] == "PAYMENT_NOT_APPROVED_FOR_EXECUTION", payment.error
    back = paypal.approve(payment.id, payer_id="BUYER12345678")
    assert back["PayerID"] == "BUYER12345678"
    assert not payment.execute({"payer_id": "SOMEONEELSE12"})
    assert payment.error["name"] == "INVALID_PAYER_ID", payment.error
    assert payment.execute({"payer_id": "BUYER12345678"}), payment.error
    assert not payment.execute({"payer_id": "BUYER12345678"})
    assert payment.error["name"] == "PAYMENT_ALREADY_DONE", payment.error
    ledger = paypal.ledger()
    assert ledger["calls"]["execute"] == 4 and ledger["performed"]["execute"] == 1


def test_double_capture_refused_unless_same_request_id(paypal, api):
    payment, auth = authorized(api, paypal)
    # the SDK makes a new PayPal-Request-Id for each dict; a Resource keeps its own
    attrs = Resource({"amount": {"total": "25.00", "currency": "EUR"},
                      "is_final_capture": True}, api=api)
    first = auth.capture(attrs)
    assert first.success(), first.error
    second = auth.capture({"amount": {"total": "25.00", "currency": "EUR"},
                           "is_final_capture": True})
    assert not second.success()
    assert second.error["name"] == "AUTHORIZATION_ALREADY_COMPLETED", second.error
    replay = auth.capture(attrs)
    assert replay.success() and replay.id == first.id, (replay, first)
    assert replay.to_dict() == first.to_dict()
    ledger = paypal.ledger()
    assert ledger["calls"]["capture"] == 3 and ledger["performed"]["capture"] == 1
    assert ledger["replayed"] == {"capture": 1} and list(ledger["captures"]) == [first.id]
    assert ledger["captures"][first.id]["request_id"] == attrs.request_id


def test_lost_response_times_out_after_the_capture(paypal, api):
    payment, auth = authorized(api, paypal)
    attrs = Resource({"amount": {"total": "25.00", "currency": "EUR"},
                      "is_final_capture": True}, api=api)
    attrs.request_id = "tktit-capture-%s" % auth.id
    paypal.set_fault("capture", "lose_response", delay=1.0)
    api.timeout = 0.3
    started = time.time()
    with pytest.raises(requests.exceptions.Timeout):
        auth.capture(attrs)
    assert time.time() - started < 0.9, "the client timeout must fire before the answer"
    ledger = paypal.ledger()
    assert ledger["performed"]["capture"] == 1, "the capture happened although the client " \
        "saw a timeout: %s" % ledger["calls"]
    assert ledger["authorizations"][auth.id]["state"] == "captured"
    (capture_id,) = ledger["captures"]

    api.timeout = 5
    retry = auth.capture(attrs)  # same PayPal-Request-Id: the lost answer, not a 2nd capture
    assert retry.success() and retry.id == capture_id, retry
    fresh = auth.capture({"amount": {"total": "25.00", "currency": "EUR"}})
    assert fresh.error["name"] == "AUTHORIZATION_ALREADY_COMPLETED", fresh.error
    assert len(paypal.ledger()["captures"]) == 1


def test_error_500_once_then_success(paypal, api):
    payment, auth = authorized(api, paypal)
    paypal.set_fault("capture", "error_500", times=1)
    body = {"amount": {"total": "10.00", "currency": "EUR"}, "is_final_capture": True}
    with pytest.raises(pp_exceptions.ServerError) as raised:
        auth.capture(body)
    assert raised.value.response.status_code == 500
    assert "INTERNAL_SERVICE_ERROR" in raised.value.content
    capture = auth.capture(body)
    assert capture.success() and capture.amount.total == "10.00", capture.error
    ledger = paypal.ledger()
    assert ledger["calls"]["capture"] == 2 and ledger["performed"]["capture"] == 1
    assert [f["mode"] for f in ledger["faults_applied"]] == ["error_500"]
    assert ledger["faults"] == {}, "a times=1 fault is used up"


def test_down_and_faults_over_http(paypal, api):
    payment, auth = authorized(api, paypal)
    answer = requests.post(paypal.url + "/_standin/faults", timeout=5, json={
        "get": {"mode": "down", "times": 1}, "capture": {"mode": "error_500", "status": 503}})
    assert answer.status_code == 200 and set(answer.json()["faults"]) == {"get", "capture"}
    with pytest.raises(requests.exceptions.ConnectionError):
        paypalrestsdk.Authorization.find(auth.id, api=api)
    with pytest.raises(pp_exceptions.ServerError) as raised:
        auth.capture({"amount": {"total": "1.00", "currency": "EUR"}})
    assert raised.value.response.status_code == 503
    ledger = requests.get(paypal.url + "/_standin/ledger", timeout=5).json()
    assert ledger["calls"]["get"] == 1 and ledger["performed"]["capture"] == 0
    assert requests.post(paypal.url + "/_standin/reset", json={}, timeout=5).ok
    assert paypal.ledger()["payments"] == {} and paypal.ledger()["faults"] == {}


def test_reauthorize_after_the_honor_period_and_expiry(paypal, api):
    payment, auth = authorized(api, paypal)
    assert not auth.reauthorize()
    assert auth.error["name"] == "CANNOT_REAUTH_INSIDE_HONOR_PERIOD", auth.error
    paypal.age(auth.id, days=4)
    original = auth.id
    assert auth.reauthorize(), auth.error
    assert auth.id != original and auth.state == "authorized", auth
    ledger = paypal.ledger()
    assert ledger["authorizations"][original]["reauthorized_by"] == auth.id
    assert ledger["authorizations"][auth.id]["valid_until"] == \
        ledger["authorizations"][original]["valid_until"], "the 29 days do not restart"
    requests.post(paypal.url + "/_standin/age", json={"authorization_id": auth.id, "days": 26},
                  timeout=5).raise_for_status()
    late = auth.capture({"amount": {"total": "25.00", "currency": "EUR"}})
    assert late.error["name"] == "AUTHORIZATION_EXPIRED", late.error
    assert paypalrestsdk.Authorization.find(auth.id, api=api).state == "expired"


def test_sale_intent(paypal, api):
    payment = new_payment(api, "1500", "JPY", intent="sale")
    assert payment.create(), payment.error
    back = paypal.approve(link(payment, "approval_url"))
    assert payment.execute({"payer_id": back["PayerID"]}), payment.error
    sale = payment.transactions[0].related_resources[0].sale
    assert sale.state == "completed" and sale.amount.total == "1500", sale


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_cli_start_status_stop(tmp_path):
    port = str(_free_port())
    state = str(tmp_path / "paypal-run")

    def cli(command):
        return subprocess.run([sys.executable, SCRIPT, command, "--port", port,
                               "--state-dir", state], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, universal_newlines=True, timeout=30)

    try:
        started = cli("start")
        assert started.returncode == 0 and "NOT PayPal" in started.stdout, started.stdout
        assert "standin-secret" not in started.stdout
        again = cli("start")
        assert again.returncode == 0 and "already running" in again.stdout, again.stdout
        status = cli("status")
        assert status.returncode == 0 and "running" in status.stdout, status.stdout
        api = paypalrestsdk.Api(mode="sandbox", client_id="standin-client",
                                client_secret="standin-secret",
                                endpoint="http://127.0.0.1:" + port)
        assert new_payment(api).create()
    finally:
        stopped = cli("stop")
    assert stopped.returncode == 0, stopped.stdout
    assert cli("status").returncode == 3
    log = open(os.path.join(state, "paypal-standin-%s.log" % port)).read()
    assert "POST /v1/payments/payment 201 create" in log, log
    assert "standin-secret" not in log
