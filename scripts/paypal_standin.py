#!/usr/bin/env python3
"""Local PayPal REST v1 stand-in for tktit: a LOCAL STAND-IN, NOT PayPal (no account, no
money moves). The real paypalrestsdk talks to it once pointed at it:

    paypalrestsdk.Api(mode="sandbox", client_id="standin-client",
                      client_secret="standin-secret", endpoint="http://127.0.0.1:8070")

usage:
  paypal_standin.py serve   --port 8070 [--state-dir var/paypal-run]   (foreground)
  paypal_standin.py start   --port 8070 [--state-dir var/paypal-run]   (background, idempotent)
  paypal_standin.py restart --port 8070 [--state-dir var/paypal-run]
  paypal_standin.py stop    --port 8070 [--state-dir var/paypal-run]
  paypal_standin.py status  --port 8070 [--state-dir var/paypal-run]

The state directory holds paypal-standin-PORT.pid and paypal-standin-PORT.log (one line per
request: method, path, status, kind; never headers, bodies or secrets). Credentials:
--client-id / --client-secret, or PAYPAL_STANDIN_CLIENT_ID / PAYPAL_STANDIN_CLIENT_SECRET,
default standin-client / standin-secret.

Endpoints (PayPal v1 shapes):
  POST /v1/oauth2/token                               client credentials -> Bearer token
  POST /v1/payments/payment                           intent authorize|sale, payer paypal
  GET  /v1/payments/payment[/ID]
  POST /v1/payments/payment/ID/execute                {"payer_id": ...}
  GET  /v1/payments/authorization/ID | capture/ID | sale/ID
  POST /v1/payments/authorization/ID/capture | void | reauthorize
  GET  /checkoutnow?token=EC-...                      buyer approval page (HTML)
  POST /checkoutnow                                   approve: 303 to return_url with
                                                      paymentId, token and PayerID
  GET  /checkoutnow/cancel?token=EC-...               -> 303 cancel_url?token
Test hooks (never under /v1):
  GET  /_standin/ledger     POST /_standin/reset     GET|POST /_standin/faults
  POST /_standin/age        POST /_standin/config
POSTs under /v1/payments honour PayPal-Request-Id: the same id on the same path replays the
first successful answer instead of acting again, as PayPal does.
"""
import argparse
import base64
import copy
import hmac
import html
import json
import os
import random
import re
import signal
import socket
import string
import subprocess
import sys
import threading
import time
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BANNER = "PayPal REST v1 stand-in (local, NOT PayPal: no account, no money moves)"
DEFAULT_CLIENT_ID = "standin-client"
DEFAULT_CLIENT_SECRET = "standin-secret"
INFO_LINK = "https://developer.paypal.com/docs/api/payments/#errors"
APP_ID = "APP-80W284485P519543T"
MERCHANT_ID = "STANDINMRCHNT"
DAY = 86400.0
HONOR_PERIOD = 3 * DAY
AUTH_VALIDITY = 29 * DAY
# PayPal's REST currency list (IRR and other unsupported currencies are refused)
SUPPORTED_CURRENCIES = frozenset(
    "AUD BRL CAD CHF CZK DKK EUR GBP HKD HUF ILS JPY MXN MYR NOK NZD PHP PLN RUB SEK SGD "
    "THB TWD USD".split())
ZERO_DECIMAL_CURRENCIES = frozenset(["HUF", "JPY", "TWD"])
TOTAL_RE = re.compile(r"^\d{1,7}(\.\d{1,2})?$")
TOTAL_ISSUE = ("Currency amount must be non-negative number, may optionally contain exactly 2 "
               "decimal places separated by '.', optional thousands separator ',', limited to 7 "
               "digits before the decimal point")
DETAIL_FIELDS = ("subtotal", "shipping", "tax", "handling_fee", "insurance", "gift_wrap")
FAULT_KINDS = ("oauth", "create", "execute", "capture", "void", "reauthorize", "get")
FAULT_MODES = ("error_500", "lose_response", "down", "delay")
DEFAULT_DELAYS = {"lose_response": 5.0, "delay": 2.0}
LEDGER_KINDS = ("oauth", "create", "execute", "capture", "void", "reauthorize")
IDEMPOTENT_KINDS = ("create", "execute", "capture", "void", "reauthorize")
UPPER_ALNUM = string.ascii_uppercase + string.digits
_random = random.SystemRandom()


def _rand(length, alphabet=UPPER_ALNUM):
    return "".join(_random.choice(alphabet) for _ in range(length))


def _iso(timestamp):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(timestamp))


def _fmt(value, currency):
    exp = Decimal("1") if currency in ZERO_DECIMAL_CURRENCIES else Decimal("0.01")
    return str(value.quantize(exp))


def _amount(total, currency, details=None):
    amount = {"total": _fmt(total, currency), "currency": currency}
    if details:
        amount["details"] = details
    return amount


class ApiError(Exception):
    """An HTTP error answer: status and JSON body."""

    def __init__(self, status, body):
        super().__init__(status, body.get("name") or body.get("error"))
        self.status = status
        self.body = body


def paypal_error(status, name, message, details=None):
    body = {"name": name, "message": message, "information_link": INFO_LINK,
            "debug_id": _rand(13, "0123456789abcdef")}
    if details:
        body["details"] = details
    return ApiError(status, body)


def validation_error(details):
    return paypal_error(400, "VALIDATION_ERROR", "Invalid request - see details", details)


def not_found():
    return paypal_error(404, "INVALID_RESOURCE_ID", "Requested resource ID was not found.")


def check_amount(amount, field, required=True):
    """(details, total, currency, amount details) of a PayPal amount object."""
    if amount is None and not required:
        return [], None, None, None
    if not isinstance(amount, dict):
        return [{"field": field, "issue": "Required field missing"}], None, None, None
    details = []
    currency = amount.get("currency")
    if not currency:
        details.append({"field": field + ".currency", "issue": "Required field missing"})
    elif not isinstance(currency, str) or currency not in SUPPORTED_CURRENCIES:
        details.append({"field": field + ".currency", "issue": "Currency is not supported"})
        currency = None

    def number(value, name):
        if value is None or isinstance(value, bool):
            details.append({"field": name, "issue": "Required field missing"})
            return None
        text = str(value).strip()
        if not TOTAL_RE.match(text):
            details.append({"field": name, "issue": TOTAL_ISSUE})
            return None
        result = Decimal(text)
        if currency in ZERO_DECIMAL_CURRENCIES and result != result.to_integral_value():
            details.append({"field": name, "issue": "Currency does not support decimals."})
            return None
        return result

    total = number(amount.get("total"), field + ".total")
    if total is not None and total <= 0:
        details.append({"field": field + ".total", "issue": "Amount cannot be zero"})
        total = None
    extra = amount.get("details")
    normalized = None
    if isinstance(extra, dict) and extra:
        values = {}
        for key in DETAIL_FIELDS + ("shipping_discount",):
            if extra.get(key) is not None:
                values[key] = number(extra[key], "%s.details.%s" % (field, key))
        if total is not None and currency and None not in values.values():
            added = sum((values.get(k, Decimal(0)) for k in DETAIL_FIELDS), Decimal(0)) \
                - values.get("shipping_discount", Decimal(0))
            if added != total:
                details.append({"field": field, "issue": (
                    "Transaction amount details (subtotal, tax, shipping) must add up to "
                    "specified amount total")})
            normalized = {k: _fmt(v, currency) for k, v in values.items()}
    return details, total, currency, normalized


class _Response:
    def __init__(self, status, body=None, headers=None, content_type="application/json"):
        self.status = status
        self.body = body
        self.headers = headers or {}
        self.content_type = content_type
        self.drop = False
        self.delay_after = 0.0

    def payload(self):
        if self.body is None:
            return b""
        if isinstance(self.body, bytes):
            return self.body
        if isinstance(self.body, str):
            return self.body.encode("utf-8")
        return json.dumps(self.body, indent=1).encode("utf-8")


class _Request:
    def __init__(self, method, path, query, headers, raw):
        self.method = method
        self.path = path.rstrip("/") or "/"
        self.query = query
        self.headers = headers
        self.raw = raw
        self.request_id = headers.get("PayPal-Request-Id")

    def json(self):
        if not self.raw.strip():
            return {}
        try:
            return json.loads(self.raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise paypal_error(400, "MALFORMED_REQUEST",
                               "Incoming JSON request does not map to API request")

    def form(self):
        return {k: v[0] for k, v in parse_qs(self.raw.decode("utf-8", "replace")).items()}


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # stop() must not wait for a handler sleeping in a fault
    allow_reuse_address = True


class _Handler(BaseHTTPRequestHandler):
    server_version = "PayPalStandIn/1.0"
    sys_version = ""
    protocol_version = "HTTP/1.0"

    def do_GET(self):
        self._handle("GET")

    def do_POST(self):
        self._handle("POST")

    def do_PUT(self):
        self._handle("PUT")

    def do_PATCH(self):
        self._handle("PATCH")

    def do_DELETE(self):
        self._handle("DELETE")

    def log_message(self, fmt, *args):  # the stand-in writes its own, quieter, log
        pass

    def _handle(self, method):
        standin = self.server.standin
        parts = urlsplit(self.path)
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = 0
        raw = self.rfile.read(length) if length > 0 else b""
        request = _Request(method, parts.path, parse_qs(parts.query), self.headers, raw)
        try:
            response = standin._dispatch(request)
        except Exception as exc:  # a bug of the stand-in: answer like PayPal would
            standin._log("ERROR %s %s: %r" % (method, parts.path, exc))
            response = _Response(500, paypal_error(
                500, "INTERNAL_SERVICE_ERROR", "An internal service error has occurred.").body)
        if response.delay_after:
            standin._sleep(response.delay_after)
        if response.drop:
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        payload = response.payload()
        try:
            self.send_response(response.status)
            self.send_header("Content-Type", response.content_type)
            self.send_header("Content-Length", str(len(payload)))
            self.send_header("PayPal-Debug-Id", _rand(13, "0123456789abcdef"))
            for key, value in response.headers.items():
                self.send_header(key, value)
            self.end_headers()
            if method != "HEAD":
                self.wfile.write(payload)
        except OSError:  # the client gave up (timeout): its loss, as with PayPal
            pass


class PayPalStandIn:
    """PayPal REST v1 stand-in on 127.0.0.1 (a local stand-in, NOT PayPal).

    standin = PayPalStandIn().start()        # port=0: a free port
    api = paypalrestsdk.Api(mode="sandbox", client_id=standin.client_id,
                            client_secret=standin.client_secret, endpoint=standin.url)
    ...
    standin.stop()
    """

    def __init__(self, client_id=DEFAULT_CLIENT_ID, client_secret=DEFAULT_CLIENT_SECRET,
                 token_ttl=32400, enforce_honor_period=True, log=None):
        self.client_id = client_id
        self.client_secret = client_secret
        self.token_ttl = int(token_ttl)
        self.enforce_honor_period = enforce_honor_period
        self._log_target = log  # None (quiet), a path, or a text stream
        self._log_lock = threading.Lock()
        self._lock = threading.RLock()
        self._stopping = threading.Event()
        self._server = None
        self._thread = None
        self.port = None
        self._tokens = {}
        self._clear()

    # -- life cycle -------------------------------------------------------------------

    def start(self, port=0):
        if self._server:
            return self
        self._stopping.clear()
        self._server = _Server(("127.0.0.1", port), _Handler)
        self._server.standin = self
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.1},
                                        name="paypal-standin-%s" % self.port, daemon=True)
        self._thread.start()
        self._log("%s listening on %s" % (BANNER, self.url))
        return self

    def stop(self):
        if not self._server:
            return
        self._stopping.set()  # wakes handlers sleeping in delay/lose_response faults
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)
        self._server = self._thread = None
        self._log("stopped")

    @property
    def url(self):
        return "http://127.0.0.1:%s" % self.port if self.port else None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # -- test API ---------------------------------------------------------------------

    def ledger(self):
        """Calls counted by kind, and every payment, authorization, capture and sale."""
        with self._lock:
            now = time.time()
            for auth in self._auths.values():
                self._refresh_auth(auth, now)
            return copy.deepcopy({
                "standin": BANNER,
                "calls": self._calls,
                "performed": self._performed,
                "replayed": self._replayed,
                "faults": self._faults,
                "faults_applied": self._faults_applied,
                "log": self._calls_log,
                "payments": {pid: self._payment_summary(p) for pid, p in self._payments.items()},
                "authorizations": {aid: self._auth_summary(a) for aid, a in self._auths.items()},
                "captures": {cid: self._capture_summary(c)
                             for cid, c in self._captures.items()},
                "sales": {sid: {"state": s["state"], "amount": _amount(s["total"], s["currency"]),
                                "parent_payment": s["payment_id"]}
                          for sid, s in self._sales.items()},
            })

    def reset(self, tokens=False):
        """Forget payments, counts, faults and PayPal-Request-Ids. Issued tokens stay valid
        (SDK Api objects keep their cached token) unless tokens=True."""
        with self._lock:
            self._clear()
            if tokens:
                self._tokens.clear()

    def set_fault(self, kind, mode, times=1, delay=None, status=None, drop=False):
        """Next `times` calls of `kind` (oauth, create, execute, capture, void, reauthorize,
        get) misbehave; times=-1: until cleared. mode None clears. Modes:
          error_500      answer `status` (500, or 503) with an INTERNAL_SERVICE_ERROR body
          lose_response  act, then wait `delay` s before answering (drop=True: then close
                         the connection without answering)
          down           close the connection without answering, nothing done
          delay          wait `delay` s, then act and answer"""
        if kind not in FAULT_KINDS:
            raise ValueError("fault kind must be one of %s" % ", ".join(FAULT_KINDS))
        with self._lock:
            if mode in (None, "none", "clear"):
                self._faults.pop(kind, None)
                return None
            if mode not in FAULT_MODES:
                raise ValueError("fault mode must be one of %s" % ", ".join(FAULT_MODES))
            times = int(times)
            if times == 0:
                self._faults.pop(kind, None)
                return None
            status = int(status or 500)
            if not 500 <= status <= 599:
                raise ValueError("error_500 status must be 5xx")
            fault = {"mode": mode, "times": times,
                     "delay": float(DEFAULT_DELAYS.get(mode, 0.0) if delay is None else delay),
                     "status": status, "drop": bool(drop)}
            self._faults[kind] = fault
            return dict(fault)

    def clear_faults(self):
        with self._lock:
            self._faults.clear()

    def approve(self, token, payer_id=None, email=None):
        """The buyer approves, without a browser. token: the EC- token, the payment id or the
        approval URL. Returns the query values PayPal puts on the return URL (paymentId,
        token, PayerID) and the full redirect_url."""
        with self._lock:
            payment = self._payment_by_token(token)
            if payment is None:
                raise KeyError("no payment for %r" % token)
            self._count("approve")
            return self._approve(payment, payer_id, email)

    def age(self, resource_id, days=0, hours=0, seconds=0):
        """Move an authorization's clock (or all of a payment's authorizations) back, as if
        created that long ago: create_time, honor period and valid_until all shift."""
        delta = float(days) * DAY + float(hours) * 3600 + float(seconds)
        with self._lock:
            if resource_id in self._auths:
                auths = [self._auths[resource_id]]
            elif resource_id in self._payments:
                auths = [self._auths[aid] for kind, aid in self._payments[resource_id]["resources"]
                         if kind == "authorization"]
                self._payments[resource_id]["created"] -= delta
            else:
                raise KeyError("no authorization or payment %r" % resource_id)
            now = time.time()
            for auth in auths:
                for key in ("created", "updated", "honor_until", "valid_until"):
                    auth[key] -= delta
                self._refresh_auth(auth, now)
            return [self._auth_json(a) for a in auths]

    def configure(self, enforce_honor_period=None, token_ttl=None):
        with self._lock:
            if enforce_honor_period is not None:
                self.enforce_honor_period = bool(enforce_honor_period)
            if token_ttl is not None:
                self.token_ttl = int(token_ttl)
            return {"enforce_honor_period": self.enforce_honor_period,
                    "token_ttl": self.token_ttl}

    # -- internals --------------------------------------------------------------------

    def _clear(self):
        self._payments = {}
        self._auths = {}
        self._captures = {}
        self._sales = {}
        self._by_token = {}
        self._idempotent = {}
        self._faults = {}
        self._faults_applied = []
        self._calls = {kind: 0 for kind in LEDGER_KINDS}
        self._performed = {kind: 0 for kind in LEDGER_KINDS}
        self._replayed = {}
        self._calls_log = []

    def _log(self, line):
        target = self._log_target
        if not target:
            return
        line = "%s %s\n" % (time.strftime("%Y-%m-%d %H:%M:%S"), line)
        with self._log_lock:
            try:
                if isinstance(target, str):
                    with open(target, "a") as f:
                        f.write(line)
                else:
                    target.write(line)
                    target.flush()
            except (OSError, ValueError):
                pass

    def _sleep(self, seconds):
        self._stopping.wait(seconds)

    def _count(self, kind):
        self._calls[kind] = self._calls.get(kind, 0) + 1

    def _record(self, kind, request, status, fault=None, replayed=False):
        entry = {"seq": len(self._calls_log) + 1, "at": _iso(time.time()), "kind": kind,
                 "method": request.method, "path": request.path, "status": status}
        if request.request_id:
            entry["request_id"] = request.request_id
        if fault:
            entry["fault"] = fault
        if replayed:
            entry["replayed"] = True
        if len(self._calls_log) < 5000:
            self._calls_log.append(entry)
        self._log("%s %s %s %s%s%s" % (request.method, request.path, status, kind,
                                       " fault=" + fault if fault else "",
                                       " replayed" if replayed else ""))

    def _take_fault(self, kind):
        with self._lock:
            fault = self._faults.get(kind)
            if not fault:
                return None
            if fault["times"] > 0:
                fault["times"] -= 1
                if fault["times"] == 0:
                    del self._faults[kind]
            self._faults_applied.append({"kind": kind, "mode": fault["mode"],
                                         "at": _iso(time.time())})
            return dict(fault)

    def _route(self, request):
        """(kind, handler, args) for a request."""
        m, p = request.method, request.path
        routes = [
            ("POST", r"/v1/oauth2/token", "oauth", self._oauth),
            ("POST", r"/v1/payments/payment", "create", self._create),
            ("GET", r"/v1/payments/payment", "get", self._list_payments),
            ("GET", r"/v1/payments/payment/([^/]+)", "get", self._get_payment),
            ("POST", r"/v1/payments/payment/([^/]+)/execute", "execute", self._execute),
            ("GET", r"/v1/payments/authorization/([^/]+)", "get", self._get_auth),
            ("POST", r"/v1/payments/authorization/([^/]+)/capture", "capture", self._capture),
            ("POST", r"/v1/payments/authorization/([^/]+)/void", "void", self._void),
            ("POST", r"/v1/payments/authorization/([^/]+)/reauthorize", "reauthorize",
             self._reauthorize),
            ("GET", r"/v1/payments/capture/([^/]+)", "get", self._get_capture),
            ("GET", r"/v1/payments/sale/([^/]+)", "get", self._get_sale),
            ("GET", r"/checkoutnow", "checkout", self._checkout_page),
            ("POST", r"/checkoutnow", "approve", self._checkout_approve),
            ("GET", r"/checkoutnow/cancel", "cancel", self._checkout_cancel),
            ("GET", r"/_standin/ledger", None, lambda r: _Response(200, self.ledger())),
            ("POST", r"/_standin/reset", None, self._hook_reset),
            ("GET", r"/_standin/faults", None, self._hook_faults),
            ("POST", r"/_standin/faults", None, self._hook_faults),
            ("POST", r"/_standin/age", None, self._hook_age),
            ("POST", r"/_standin/config", None, self._hook_config),
            ("GET", r"/", None, self._index),
        ]
        allowed = False
        for method, pattern, kind, handler in routes:
            match = re.fullmatch(pattern, p)
            if match:
                if method == m:
                    return kind, handler, match.groups()
                allowed = True
        if allowed:
            return None, None, _Response(405, paypal_error(
                405, "METHOD_NOT_SUPPORTED", "The server does not implement the requested "
                "HTTP method.").body)
        return None, None, _Response(404, paypal_error(
            404, "NOT_FOUND", "The specified resource does not exist (PayPal stand-in).").body)

    def _dispatch(self, request):
        kind, handler, args = self._route(request)
        if handler is None:
            return args
        if kind is None:  # test hooks: no auth, no ledger, no faults
            try:
                return handler(request, *args)
            except ApiError as error:
                return _Response(error.status, error.body)
        with self._lock:
            self._count(kind)
        try:
            if kind not in ("oauth", "checkout", "approve", "cancel"):
                self._check_bearer(request)
        except ApiError as error:
            with self._lock:
                self._record(kind, request, error.status)
            return _Response(error.status, error.body)
        fault = self._take_fault(kind) if kind in FAULT_KINDS else None
        mode = fault["mode"] if fault else None
        if mode == "delay":
            self._sleep(fault["delay"])
        if mode == "down":
            with self._lock:
                self._record(kind, request, "dropped", fault=mode)
            response = _Response(0)
            response.drop = True
            return response
        if mode == "error_500":
            with self._lock:
                self._record(kind, request, fault["status"], fault=mode)
            return _Response(fault["status"], paypal_error(
                fault["status"], "INTERNAL_SERVICE_ERROR",
                "An internal service error has occurred.").body)
        with self._lock:
            replayed = False
            key = (request.path, request.request_id)
            if kind in IDEMPOTENT_KINDS and request.request_id and key in self._idempotent:
                status, body = self._idempotent[key]
                response = _Response(status, copy.deepcopy(body))
                replayed = True
                self._replayed[kind] = self._replayed.get(kind, 0) + 1
            else:
                try:
                    response = handler(request, *args)
                except ApiError as error:
                    response = _Response(error.status, error.body)
                if 200 <= response.status < 300 and kind in LEDGER_KINDS:
                    self._performed[kind] += 1
                    if kind in IDEMPOTENT_KINDS and request.request_id:
                        self._idempotent[key] = (response.status, copy.deepcopy(response.body))
            self._record(kind, request, response.status, fault=mode, replayed=replayed)
        if mode == "lose_response":
            response.delay_after = fault["delay"]
            response.drop = fault["drop"]
        return response

    def _check_bearer(self, request):
        header = request.headers.get("Authorization") or ""
        if not header.startswith("Bearer "):
            raise paypal_error(401, "AUTHENTICATION_FAILURE", (
                "Authentication failed due to invalid authentication credentials or a missing "
                "Authorization header."))
        with self._lock:
            expiry = self._tokens.get(header[len("Bearer "):].strip())
        if expiry is None or expiry < time.time():
            raise ApiError(401, {"error": "invalid_token", "error_description": (
                "Access Token expired" if expiry else "Token signature verification failed")})

    # -- OAuth ------------------------------------------------------------------------

    def _oauth(self, request):
        header = request.headers.get("Authorization") or ""
        client_id = secret = None
        if header.startswith("Basic "):
            try:
                decoded = base64.b64decode(header[6:].strip()).decode("utf-8")
                client_id, _, secret = decoded.partition(":")
            except (ValueError, UnicodeDecodeError):
                pass
        if client_id is None or not (
                hmac.compare_digest(client_id.encode(), self.client_id.encode())
                and hmac.compare_digest(secret.encode(), self.client_secret.encode())):
            raise ApiError(401, {"error": "invalid_client",
                                 "error_description": "Client Authentication failed"})
        grant = request.form().get("grant_type")
        if grant != "client_credentials":
            raise ApiError(400, {"error": "unsupported_grant_type", "error_description": (
                "Grant Type is NULL" if not grant else
                "the stand-in only supports grant_type=client_credentials")})
        token = "A21AA" + _rand(92, string.ascii_letters + string.digits + "-_")
        now = time.time()
        with self._lock:
            self._tokens = {t: e for t, e in self._tokens.items() if e > now}
            self._tokens[token] = now + self.token_ttl
        return _Response(200, {
            "scope": ("https://uri.paypal.com/services/payments/payment/authcapture openid "
                      "https://api.paypal.com/v1/payments/.*"),
            "access_token": token, "token_type": "Bearer", "app_id": APP_ID,
            "expires_in": self.token_ttl, "nonce": "%s%s" % (_iso(now), _rand(43))})

    # -- payments ---------------------------------------------------------------------

    def _create(self, request):
        body = request.json()
        if not isinstance(body, dict):
            raise paypal_error(400, "MALFORMED_REQUEST",
                               "Incoming JSON request does not map to API request")
        details = []
        intent = body.get("intent")
        if not intent:
            details.append({"field": "intent", "issue": "Required field missing"})
        elif intent not in ("authorize", "sale"):
            details.append({"field": "intent", "issue": (
                "Value is invalid (the stand-in supports authorize and sale)")})
        payer = body.get("payer")
        method = payer.get("payment_method") if isinstance(payer, dict) else None
        if not method:
            details.append({"field": "payer.payment_method", "issue": "Required field missing"})
        elif method != "paypal":
            details.append({"field": "payer.payment_method", "issue": (
                "Value is invalid (the stand-in supports paypal)")})
        transactions = body.get("transactions")
        total = currency = amount_details = None
        if not isinstance(transactions, list) or not transactions:
            details.append({"field": "transactions", "issue": "Required field missing"})
        elif len(transactions) > 1:
            details.append({"field": "transactions", "issue": (
                "Only single payment transaction currently supported")})
        elif not isinstance(transactions[0], dict):
            details.append({"field": "transactions[0]", "issue": "Required field missing"})
        else:
            problems, total, currency, amount_details = check_amount(
                transactions[0].get("amount"), "transactions[0].amount")
            details.extend(problems)
        redirect = body.get("redirect_urls") if isinstance(body.get("redirect_urls"), dict) \
            else {}
        for name in ("return_url", "cancel_url"):
            value = redirect.get(name)
            if not value:
                details.append({"field": "redirect_urls." + name, "issue": (
                    "This field required when payment_method is 'paypal'")})
            elif not re.match(r"^https?://[^\s]+$", str(value)):
                details.append({"field": "redirect_urls." + name, "issue": "Invalid URL"})
        if details:
            raise validation_error(details)
        now = time.time()
        payment_id = "PAYID-L" + _rand(23)
        token = "EC-" + _rand(17)
        transaction = copy.deepcopy(transactions[0])
        transaction["amount"] = _amount(total, currency, amount_details)
        transaction.pop("related_resources", None)
        payment = {
            "id": payment_id, "intent": intent, "state": "created", "token": token,
            "transaction": transaction, "total": total, "currency": currency,
            "redirect_urls": {"return_url": redirect["return_url"],
                              "cancel_url": redirect["cancel_url"]},
            "note_to_payer": body.get("note_to_payer"), "created": now, "updated": now,
            "payer_id": None, "payer_email": None, "approved": False, "cancelled": False,
            "executed": False, "resources": [], "request_id": request.request_id,
        }
        self._payments[payment_id] = payment
        self._by_token[token] = payment_id
        return _Response(201, self._payment_json(payment))

    def _list_payments(self, request):
        payments = sorted(self._payments.values(), key=lambda p: p["created"], reverse=True)
        try:
            count = max(1, min(20, int(request.query.get("count", ["10"])[0])))
        except ValueError:
            count = 10
        items = [self._payment_json(p) for p in payments[:count]]
        return _Response(200, {"payments": items, "count": len(items)})

    def _get_payment(self, request, payment_id):
        payment = self._payments.get(payment_id)
        if not payment:
            raise not_found()
        return _Response(200, self._payment_json(payment))

    def _execute(self, request, payment_id):
        payment = self._payments.get(payment_id)
        if not payment:
            raise not_found()
        body = request.json()
        if payment["executed"]:
            raise paypal_error(400, "PAYMENT_ALREADY_DONE",
                               "Payment has been done already for this cart.")
        payer_id = body.get("payer_id") if isinstance(body, dict) else None
        if not payer_id:
            raise validation_error([{"field": "payer_id", "issue": "Required field missing"}])
        if not payment["approved"]:
            raise paypal_error(400, "PAYMENT_NOT_APPROVED_FOR_EXECUTION",
                               "Payer has not approved payment")
        if payer_id != payment["payer_id"]:
            raise paypal_error(400, "INVALID_PAYER_ID", "Payer ID is invalid")
        now = time.time()
        payment.update(executed=True, state="approved", updated=now)
        if payment["intent"] == "authorize":
            auth_id = _rand(17)
            self._auths[auth_id] = {
                "id": auth_id, "payment_id": payment_id, "state": "authorized",
                "total": payment["total"], "currency": payment["currency"],
                "created": now, "updated": now, "honor_until": now + HONOR_PERIOD,
                "valid_until": now + AUTH_VALIDITY, "captured": Decimal(0), "captures": [],
                "parent_auth": None, "reauthorized_by": None}
            payment["resources"].append(("authorization", auth_id))
        else:
            sale_id = _rand(17)
            self._sales[sale_id] = {"id": sale_id, "payment_id": payment_id,
                                    "state": "completed", "total": payment["total"],
                                    "currency": payment["currency"], "created": now}
            payment["resources"].append(("sale", sale_id))
        return _Response(200, self._payment_json(payment))

    # -- authorizations ---------------------------------------------------------------

    def _auth(self, auth_id):
        auth = self._auths.get(auth_id)
        if not auth:
            raise not_found()
        self._refresh_auth(auth, time.time())
        return auth

    def _refresh_auth(self, auth, now):
        if auth["state"] in ("authorized", "partially_captured") and now > auth["valid_until"]:
            auth["state"] = "expired"
            auth["updated"] = auth["valid_until"]

    def _check_open(self, auth):
        if auth["state"] == "voided":
            raise paypal_error(400, "AUTHORIZATION_VOIDED", "Authorization has been voided.")
        if auth["state"] == "expired":
            raise paypal_error(400, "AUTHORIZATION_EXPIRED", "Authorization has expired.")
        if auth["state"] == "captured":
            raise paypal_error(400, "AUTHORIZATION_ALREADY_COMPLETED",
                               "Authorization has been completed.")
        if auth["reauthorized_by"]:
            raise paypal_error(400, "AUTHORIZATION_ALREADY_COMPLETED", (
                "Authorization has been reauthorized: use authorization %s."
                % auth["reauthorized_by"]))

    @staticmethod
    def _limit(auth):
        """PayPal lets one capture up to 115% of the authorization, at most 75 more."""
        total = auth["total"]
        return min(total * Decimal("1.15"), total + 75)

    def _get_auth(self, request, auth_id):
        return _Response(200, self._auth_json(self._auth(auth_id)))

    def _capture(self, request, auth_id):
        auth = self._auth(auth_id)
        body = request.json()
        if not isinstance(body, dict):
            raise paypal_error(400, "MALFORMED_REQUEST",
                               "Incoming JSON request does not map to API request")
        self._check_open(auth)
        problems, total, currency, _ = check_amount(body.get("amount"), "amount",
                                                    required=False)
        if problems:
            raise validation_error(problems)
        if total is None:
            total, currency = auth["total"] - auth["captured"], auth["currency"]
        if currency != auth["currency"]:
            raise paypal_error(400, "CURRENCY_MISMATCH",
                               "Currency of capture must be the same as currency of "
                               "authorization.")
        if auth["captured"] + total > self._limit(auth):
            raise paypal_error(400, "CAPTURE_AMOUNT_LIMIT_EXCEEDED",
                               "Capture amount exceeds allowable limit.")
        final = bool(body.get("is_final_capture"))
        now = time.time()
        capture_id = _rand(17)
        fee = total * Decimal("0.029") + (Decimal(40) if currency in ZERO_DECIMAL_CURRENCIES
                                          else Decimal("0.30"))
        capture = {"id": capture_id, "auth_id": auth_id, "payment_id": auth["payment_id"],
                   "total": total, "currency": currency, "is_final_capture": final,
                   "state": "completed", "created": now, "fee": fee,
                   "invoice_number": body.get("invoice_number"),
                   "request_id": request.request_id}
        self._captures[capture_id] = capture
        auth["captured"] += total
        auth["captures"].append(capture_id)
        auth["state"] = "captured" if final or auth["captured"] >= auth["total"] \
            else "partially_captured"
        auth["updated"] = now
        payment = self._payments[auth["payment_id"]]
        payment["resources"].append(("capture", capture_id))
        payment["updated"] = now
        return _Response(201, self._capture_json(capture))

    def _void(self, request, auth_id):
        auth = self._auth(auth_id)
        request.json()
        self._check_open(auth)
        auth["state"] = "voided"
        auth["updated"] = time.time()
        return _Response(200, self._auth_json(auth))

    def _reauthorize(self, request, auth_id):
        auth = self._auth(auth_id)
        body = request.json()
        if not isinstance(body, dict):
            body = {}
        if auth["parent_auth"]:
            raise paypal_error(400, "CANNOT_REAUTH_CHILD_AUTHORIZATION", (
                "Reauthorization is allowed only on the original authorization, not on a "
                "reauthorization."))
        if auth["reauthorized_by"]:
            raise paypal_error(400, "TOO_MANY_REAUTHORIZATIONS",
                               "Reauthorization is allowed only once per authorization.")
        self._check_open(auth)
        if auth["state"] != "authorized":
            raise paypal_error(400, "AUTHORIZATION_ALREADY_COMPLETED", (
                "Only an authorization with no capture can be reauthorized."))
        now = time.time()
        if self.enforce_honor_period and now < auth["honor_until"]:
            raise paypal_error(400, "CANNOT_REAUTH_INSIDE_HONOR_PERIOD", (
                "Reauthorization is not allowed inside the honor period (until %s)."
                % _iso(auth["honor_until"])))
        problems, total, currency, _ = check_amount(body.get("amount"), "amount",
                                                    required=False)
        if problems:
            raise validation_error(problems)
        if total is None:
            total, currency = auth["total"], auth["currency"]
        if currency != auth["currency"]:
            raise paypal_error(400, "CURRENCY_MISMATCH", (
                "Currency of reauthorization must be the same as currency of authorization."))
        if total > self._limit(auth):
            raise validation_error([{"field": "amount.total", "issue": (
                "Reauthorization amount cannot exceed 115% of the original authorization, nor "
                "the original amount plus 75.")}])
        new_id = _rand(17)
        self._auths[new_id] = {
            "id": new_id, "payment_id": auth["payment_id"], "state": "authorized",
            "total": total, "currency": currency, "created": now, "updated": now,
            # the honor period restarts; the 29-day period of the original one does not
            "honor_until": min(now + HONOR_PERIOD, auth["valid_until"]),
            "valid_until": auth["valid_until"], "captured": Decimal(0), "captures": [],
            "parent_auth": auth["id"], "reauthorized_by": None}
        auth["reauthorized_by"] = new_id
        auth["updated"] = now
        self._payments[auth["payment_id"]]["resources"].append(("authorization", new_id))
        return _Response(201, self._auth_json(self._auths[new_id]))

    def _get_capture(self, request, capture_id):
        capture = self._captures.get(capture_id)
        if not capture:
            raise not_found()
        return _Response(200, self._capture_json(capture))

    def _get_sale(self, request, sale_id):
        sale = self._sales.get(sale_id)
        if not sale:
            raise not_found()
        return _Response(200, self._sale_json(sale))

    # -- buyer approval ---------------------------------------------------------------

    def _payment_by_token(self, token):
        token = str(token or "")
        if "token=" in token:
            token = parse_qs(urlsplit(token).query).get("token", [""])[0]
        payment_id = self._by_token.get(token) or (token if token in self._payments else None)
        return self._payments.get(payment_id) if payment_id else None

    @staticmethod
    def _with_query(url, values):
        parts = urlsplit(url)
        query = parts.query + ("&" if parts.query else "") + urlencode(values)
        return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))

    def _approve(self, payment, payer_id=None, email=None):
        if not payment["approved"]:
            payment["payer_id"] = payer_id or _rand(13)
            payment["payer_email"] = email or "buyer@example.com"
            payment["approved"] = True
            payment["cancelled"] = False
            payment["updated"] = time.time()
        values = {"paymentId": payment["id"], "token": payment["token"],
                  "PayerID": payment["payer_id"]}
        redirect = self._with_query(payment["redirect_urls"]["return_url"], values)
        return dict(values, redirect_url=redirect)

    def _html(self, status, title, body):
        page = ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>%s</title>"
                "<style>body{font-family:sans-serif;max-width:34em;margin:3em auto}"
                ".warn{background:#fff3cd;border:1px solid #e0c060;padding:.6em}"
                "button{font-size:1.1em;padding:.4em 1.4em}</style></head><body>"
                "<h1>%s</h1><p class='warn'>This is a local test stand-in for PayPal. "
                "It is <strong>not PayPal</strong>: no account is used and no money "
                "moves.</p>%s</body></html>") % (html.escape(title), html.escape(title), body)
        return _Response(status, page, content_type="text/html; charset=utf-8")

    def _checkout_page(self, request):
        token = request.query.get("token", [""])[0]
        payment = self._payment_by_token(token)
        title = "PayPal stand-in \u2014 not PayPal"
        if not payment:
            return self._html(404, title, "<p>Unknown or expired checkout token.</p>")
        tx = payment["transaction"]
        esc = html.escape
        rows = "<p>Amount: <strong>%s %s</strong> (%s)</p>" % (
            esc(tx["amount"]["total"]), esc(payment["currency"]), esc(payment["intent"]))
        if tx.get("description"):
            rows += "<p>Description: %s</p>" % esc(str(tx["description"]))
        if tx.get("invoice_number"):
            rows += "<p>Invoice: %s</p>" % esc(str(tx["invoice_number"]))
        if payment["executed"] or payment["approved"]:
            rows += "<p>This payment is already approved.</p>"
        form = (
            "<form method='post' action='/checkoutnow'>"
            "<input type='hidden' name='token' value='%s'>"
            "<p><label>Buyer e-mail <input name='email' value='buyer@example.com'></label></p>"
            "<p><button type='submit' name='action' value='approve' id='approve'>Approve"
            "</button></p></form>"
            "<p><a id='cancel' href='/checkoutnow/cancel?token=%s'>Cancel and return</a></p>"
        ) % (esc(payment["token"]), esc(payment["token"]))
        return self._html(200, title, rows + form)

    def _checkout_approve(self, request):
        values = request.form()
        payment = self._payment_by_token(values.get("token"))
        if not payment:
            return self._html(404, "PayPal stand-in \u2014 not PayPal",
                              "<p>Unknown or expired checkout token.</p>")
        if values.get("action", "approve") != "approve":
            return self._checkout_cancel(request, payment)
        result = self._approve(payment, values.get("payer_id"), values.get("email"))
        return _Response(303, "", headers={"Location": result["redirect_url"]},
                         content_type="text/plain")

    def _checkout_cancel(self, request, payment=None):
        payment = payment or self._payment_by_token(request.query.get("token", [""])[0])
        if not payment:
            return self._html(404, "PayPal stand-in \u2014 not PayPal",
                              "<p>Unknown or expired checkout token.</p>")
        if not payment["executed"]:
            payment["cancelled"] = True
        location = self._with_query(payment["redirect_urls"]["cancel_url"],
                                    {"token": payment["token"]})
        return _Response(303, "", headers={"Location": location}, content_type="text/plain")

    # -- test hooks over HTTP ---------------------------------------------------------

    def _index(self, request):
        return _Response(200, "%s\nledger: %s/_standin/ledger\n" % (BANNER, self.url),
                         content_type="text/plain; charset=utf-8")

    @staticmethod
    def _hook_body(request):
        body = request.json()
        if not isinstance(body, dict):
            raise ApiError(400, {"name": "MALFORMED_REQUEST", "message": "a JSON object"})
        return body

    def _hook_reset(self, request):
        body = self._hook_body(request)
        self.reset(tokens=bool(body.get("tokens")))
        return _Response(200, {"reset": True})

    def _hook_faults(self, request):
        if request.method == "POST":
            body = self._hook_body(request)
            try:
                for kind, spec in body.items():
                    if spec is None:
                        self.set_fault(kind, None)
                        continue
                    if not isinstance(spec, dict):
                        raise ValueError("%s: give an object with a mode" % kind)
                    self.set_fault(kind, spec.get("mode"), times=spec.get("times", 1),
                                   delay=spec.get("delay"), status=spec.get("status"),
                                   drop=spec.get("drop", False))
            except (TypeError, ValueError) as exc:
                raise ApiError(400, {"name": "INVALID_FAULT", "message": str(exc)})
        with self._lock:
            return _Response(200, {"faults": copy.deepcopy(self._faults)})

    def _hook_age(self, request):
        body = self._hook_body(request)
        resource = body.get("authorization_id") or body.get("payment_id")
        try:
            auths = self.age(resource, days=body.get("days", 0), hours=body.get("hours", 0),
                             seconds=body.get("seconds", 0))
        except KeyError:
            raise not_found()
        except (TypeError, ValueError) as exc:
            raise ApiError(400, {"name": "INVALID_AGE", "message": str(exc)})
        return _Response(200, {"authorizations": auths})

    def _hook_config(self, request):
        body = self._hook_body(request)
        try:
            config = self.configure(enforce_honor_period=body.get("enforce_honor_period"),
                                    token_ttl=body.get("token_ttl"))
        except (TypeError, ValueError) as exc:
            raise ApiError(400, {"name": "INVALID_CONFIG", "message": str(exc)})
        return _Response(200, config)

    # -- JSON -------------------------------------------------------------------------

    def _link(self, path, rel, method="GET"):
        return {"href": self.url + path, "rel": rel, "method": method}

    def _payment_json(self, payment):
        pid = payment["id"]
        transaction = copy.deepcopy(payment["transaction"])
        transaction["payee"] = {"merchant_id": MERCHANT_ID, "email": "merchant@example.com"}
        related = []
        for kind, rid in payment["resources"]:
            if kind == "authorization":
                related.append({"authorization": self._auth_json(self._auths[rid])})
            elif kind == "capture":
                related.append({"capture": self._capture_json(self._captures[rid])})
            else:
                related.append({"sale": self._sale_json(self._sales[rid])})
        transaction["related_resources"] = related
        payer = {"payment_method": "paypal"}
        if payment["approved"]:
            payer.update(status="VERIFIED", payer_info={
                "email": payment["payer_email"], "first_name": "Stand-in",
                "last_name": "Buyer", "payer_id": payment["payer_id"], "country_code": "US"})
        data = {
            "id": pid, "intent": payment["intent"], "state": payment["state"],
            "cart": payment["token"][3:], "payer": payer, "transactions": [transaction],
            "redirect_urls": dict(payment["redirect_urls"]),
            "create_time": _iso(payment["created"]),
            "links": [self._link("/v1/payments/payment/" + pid, "self")],
        }
        if payment["note_to_payer"]:
            data["note_to_payer"] = payment["note_to_payer"]
        if payment["executed"]:
            data["update_time"] = _iso(payment["updated"])
            data["failed_transactions"] = []
        else:
            data["links"] += [
                self._link("/checkoutnow?token=" + payment["token"], "approval_url",
                           "REDIRECT"),
                self._link("/v1/payments/payment/%s/execute" % pid, "execute", "POST")]
        return data

    def _auth_json(self, auth):
        aid = auth["id"]
        base = "/v1/payments/authorization/" + aid
        links = [self._link(base, "self")]
        if auth["state"] in ("authorized", "partially_captured") and not auth["reauthorized_by"]:
            links.append(self._link(base + "/capture", "capture", "POST"))
            links.append(self._link(base + "/void", "void", "POST"))
            if auth["state"] == "authorized" and not auth["parent_auth"]:
                links.append(self._link(base + "/reauthorize", "reauthorize", "POST"))
        links.append(self._link("/v1/payments/payment/" + auth["payment_id"], "parent_payment"))
        data = {
            "id": aid, "state": auth["state"],
            "amount": _amount(auth["total"], auth["currency"],
                              {"subtotal": _fmt(auth["total"], auth["currency"])}),
            "payment_mode": "INSTANT_TRANSFER", "reason_code": "AUTHORIZATION",
            "protection_eligibility": "ELIGIBLE",
            "protection_eligibility_type": "ITEM_NOT_RECEIVED_ELIGIBLE,"
                                           "UNAUTHORIZED_PAYMENT_ELIGIBLE",
            "parent_payment": auth["payment_id"], "valid_until": _iso(auth["valid_until"]),
            "create_time": _iso(auth["created"]), "update_time": _iso(auth["updated"]),
            "links": links,
        }
        return data

    def _capture_json(self, capture):
        cid = capture["id"]
        data = {
            "id": cid, "amount": _amount(capture["total"], capture["currency"]),
            "is_final_capture": capture["is_final_capture"], "state": capture["state"],
            "reason_code": "None", "parent_payment": capture["payment_id"],
            "transaction_fee": {"value": _fmt(capture["fee"], capture["currency"]),
                                "currency": capture["currency"]},
            "create_time": _iso(capture["created"]), "update_time": _iso(capture["created"]),
            "links": [
                self._link("/v1/payments/capture/" + cid, "self"),
                self._link("/v1/payments/capture/%s/refund" % cid, "refund", "POST"),
                self._link("/v1/payments/authorization/" + capture["auth_id"], "authorization"),
                self._link("/v1/payments/payment/" + capture["payment_id"], "parent_payment")],
        }
        if capture["invoice_number"]:
            data["invoice_number"] = capture["invoice_number"]
        return data

    def _sale_json(self, sale):
        sid = sale["id"]
        return {
            "id": sid, "state": sale["state"], "amount": _amount(sale["total"], sale["currency"]),
            "payment_mode": "INSTANT_TRANSFER", "protection_eligibility": "ELIGIBLE",
            "parent_payment": sale["payment_id"], "create_time": _iso(sale["created"]),
            "update_time": _iso(sale["created"]),
            "links": [self._link("/v1/payments/sale/" + sid, "self"),
                      self._link("/v1/payments/sale/%s/refund" % sid, "refund", "POST"),
                      self._link("/v1/payments/payment/" + sale["payment_id"], "parent_payment")],
        }

    def _payment_summary(self, payment):
        return {"state": payment["state"], "intent": payment["intent"],
                "token": payment["token"], "amount": _amount(payment["total"],
                                                             payment["currency"]),
                "approved": payment["approved"], "cancelled": payment["cancelled"],
                "executed": payment["executed"], "payer_id": payment["payer_id"],
                "resources": [list(r) for r in payment["resources"]],
                "request_id": payment["request_id"]}

    def _auth_summary(self, auth):
        return {"state": auth["state"], "amount": _amount(auth["total"], auth["currency"]),
                "captured": _fmt(auth["captured"], auth["currency"]),
                "parent_payment": auth["payment_id"], "captures": list(auth["captures"]),
                "create_time": _iso(auth["created"]),
                "honor_period_until": _iso(auth["honor_until"]),
                "valid_until": _iso(auth["valid_until"]),
                "reauthorized_from": auth["parent_auth"],
                "reauthorized_by": auth["reauthorized_by"]}

    def _capture_summary(self, capture):
        return {"state": capture["state"],
                "amount": _amount(capture["total"], capture["currency"]),
                "authorization": capture["auth_id"], "parent_payment": capture["payment_id"],
                "is_final_capture": capture["is_final_capture"],
                "request_id": capture["request_id"]}


# -- command line (daemon like scripts/smtp_sink.py) -----------------------------------

def port_open(port, host="127.0.0.1"):
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def read_pid(pidfile):
    try:
        with open(pidfile) as f:
            pid = int(f.read().strip())
        os.kill(pid, 0)
        return pid
    except (OSError, ValueError):
        return None


def serve(port, client_id, client_secret):
    standin = PayPalStandIn(client_id=client_id, client_secret=client_secret, log=sys.stdout)
    standin.start(port)
    print("%s on %s (client id %s)" % (BANNER, standin.url, client_id), flush=True)
    stop_now = []
    signal.signal(signal.SIGTERM, lambda *a: stop_now.append(1))
    signal.signal(signal.SIGINT, lambda *a: stop_now.append(1))
    try:
        while not stop_now:
            time.sleep(0.2)
    finally:
        standin.stop()


def stop(port, pidfile):
    pid = read_pid(pidfile)
    if pid:
        os.kill(pid, signal.SIGTERM)
        for _ in range(50):
            if not read_pid(pidfile) or not port_open(port):
                break
            time.sleep(0.1)
        print("PayPal stand-in on 127.0.0.1:%s stopped (pid %s)" % (port, pid))
    try:
        os.unlink(pidfile)
    except OSError:
        pass


def start(port, pidfile, logfile, client_id, client_secret):
    url = "http://127.0.0.1:%s" % port
    pid = read_pid(pidfile)
    if pid and port_open(port):
        print("%s already running on %s (pid %s)" % (BANNER, url, pid))
        return 0
    if port_open(port):
        print("port %s is taken by another process: choose another PayPal stand-in port"
              % port, file=sys.stderr)
        return 1
    os.makedirs(os.path.dirname(pidfile), exist_ok=True)
    # the secret goes through the environment, not the command line (ps shows that)
    env = dict(os.environ, PAYPAL_STANDIN_CLIENT_ID=client_id,
               PAYPAL_STANDIN_CLIENT_SECRET=client_secret)
    with open(logfile, "ab") as log:
        proc = subprocess.Popen(
            [sys.executable, os.path.abspath(__file__), "serve", "--port", str(port)],
            stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True, env=env)
    with open(pidfile, "w") as f:
        f.write(str(proc.pid))
    for _ in range(100):
        if port_open(port):
            print("%s started on %s (pid %s, client id %s), log %s"
                  % (BANNER, url, proc.pid, client_id, logfile))
            return 0
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    print("PayPal stand-in did not start, see %s" % logfile, file=sys.stderr)
    return 1


def status(port, pidfile):
    pid = read_pid(pidfile)
    if not (pid and port_open(port)):
        print("PayPal stand-in on 127.0.0.1:%s: stopped" % port)
        return 3
    summary = ""
    try:
        from urllib.request import urlopen
        with urlopen("http://127.0.0.1:%s/_standin/ledger" % port, timeout=2) as answer:
            ledger = json.loads(answer.read().decode("utf-8"))
        summary = ", %s payments, calls %s" % (
            len(ledger["payments"]), json.dumps(ledger["calls"], sort_keys=True))
    except (OSError, ValueError, KeyError):
        pass
    print("%s: running on http://127.0.0.1:%s (pid %s)%s" % (BANNER, port, pid, summary))
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["serve", "start", "stop", "restart", "status"])
    parser.add_argument("--port", type=int, default=8070)
    parser.add_argument("--state-dir", default=os.path.join(ROOT, "var", "paypal-run"),
                        help="pid and log files")
    parser.add_argument("--pidfile")
    parser.add_argument("--client-id",
                        default=os.environ.get("PAYPAL_STANDIN_CLIENT_ID", DEFAULT_CLIENT_ID))
    parser.add_argument("--client-secret", default=os.environ.get(
        "PAYPAL_STANDIN_CLIENT_SECRET", DEFAULT_CLIENT_SECRET))
    args = parser.parse_args()
    state_dir = os.path.abspath(args.state_dir)
    pidfile = args.pidfile or os.path.join(state_dir, "paypal-standin-%s.pid" % args.port)
    logfile = os.path.join(state_dir, "paypal-standin-%s.log" % args.port)
    if args.command == "serve":
        serve(args.port, args.client_id, args.client_secret)
        return 0
    if args.command == "status":
        return status(args.port, pidfile)
    if args.command in ("stop", "restart"):
        stop(args.port, pidfile)
        if args.command == "stop":
            return 0
    os.makedirs(state_dir, exist_ok=True)
    return start(args.port, pidfile, logfile, args.client_id, args.client_secret)


if __name__ == "__main__":
    sys.exit(main())
