# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Test helpers shared by the tktit addons and the top-level tests/.

- ``MailSink``: sends Odoo's real outgoing mail queue over SMTP to the local sink started
  by ``make test`` (scripts/smtp_sink.py) and reads back the .eml files it wrote.
- ``HttpCase``: Odoo 11's HttpCase, but the test's own cursor *is* the cursor the HTTP
  requests use, so records a test creates are visible to url_open and to the browser
  (stock Odoo 11 gives the test a second, separate transaction).
- ``BrowserMixin``: headless Debian Chromium driven by Playwright (sync API), with
  ``login()`` through /web/login and ``screenshot()`` into artifacts/screenshots/.
"""
import email
import email.policy
import os
import re
import threading
import time
from contextlib import contextmanager
from unittest import mock

import requests

from odoo import api, tools
from odoo.tests import common

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ARTIFACTS_DIR = os.environ.get("TKTIT_ARTIFACTS_DIR") or os.path.join(ROOT, "artifacts")
# any page but the login form (a successful login has left it)
NOT_LOGIN_PAGE = re.compile(r"^(?!.*/web/login)")
CHROMIUM = os.environ.get("TKTIT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-quic", "--no-first-run", "--disable-sync",
]


def base_url():
    """URL of the HTTP server the tests talk to (spawned by the root conftest.py)."""
    return "http://%s:%s" % (common.HOST, common.PORT)


class SinkMessage(object):
    """One mail as the SMTP sink received it."""

    def __init__(self, path):
        self.path = path
        with open(path, "rb") as f:
            self.message = email.message_from_bytes(f.read(), policy=email.policy.default)
        msg = self.message
        self.subject = str(msg.get("Subject", ""))
        self.email_from = str(msg.get("From", ""))
        self.envelope_to = [a.strip().lower() for a in
                            str(msg.get("X-Envelope-To", "")).split(",") if a.strip()]
        self.to = sorted(set(
            [addr.lower() for _name, addr in email.utils.getaddresses(
                msg.get_all("To", []) + msg.get_all("Cc", []))] + self.envelope_to))
        self.text = self._part("plain")
        self.html = self._part("html")

    def _part(self, subtype):
        part = self.message.get_body(preferencelist=(subtype,))
        return part.get_content() if part is not None else ""

    @property
    def body(self):
        """Plain text when the mail has it, else the html with tags stripped."""
        return self.text or re.sub(r"<[^>]+>", " ", self.html)

    def links(self):
        """Absolute http(s) links found in the html (or plain) body."""
        return re.findall(r'https?://[^\s"\'<>]+', self.html or self.text)

    def __repr__(self):
        return "<SinkMessage to=%s subject=%r>" % (self.to, self.subject)


class MailSink(object):
    """The directory where scripts/smtp_sink.py stores received mails.

    Odoo 11 refuses to send mail from tests (``ir.mail_server`` checks the thread's
    ``testing`` flag and ``registry.in_test_mode()``); ``flush`` lifts both for the time
    of the sending only, then restores them.
    """

    def __init__(self, directory=None):
        self.directory = directory or os.environ.get("TKTIT_MAIL_DIR") or os.path.join(
            ROOT, "var", "mail-test")
        os.makedirs(self.directory, exist_ok=True)

    def _files(self):
        return sorted(name for name in os.listdir(self.directory) if name.endswith(".eml"))

    def clear(self):
        for name in os.listdir(self.directory):
            if name.endswith(".eml"):
                os.unlink(os.path.join(self.directory, name))

    def messages(self, to=None, subject_contains=None):
        """All mails in the sink, oldest first, optionally filtered by a recipient
        address (case-insensitive) and a piece of the subject."""
        result = [SinkMessage(os.path.join(self.directory, name)) for name in self._files()]
        if to:
            result = [m for m in result if to.lower() in m.to]
        if subject_contains:
            result = [m for m in result if subject_contains in m.subject]
        return result

    @contextmanager
    def _sending_allowed(self, env):
        thread = threading.currentThread()
        had_flag = hasattr(thread, "testing")
        old_flag = getattr(thread, "testing", None)
        registry = env.registry
        thread.testing = False
        registry.in_test_mode = lambda: False  # instance attribute hides the method
        try:
            yield
        finally:
            del registry.in_test_mode
            if had_flag:
                thread.testing = old_flag
            else:
                del thread.testing

    def flush(self, env, timeout=10.0):
        """Send every outgoing mail.mail of ``env``'s transaction to the sink over SMTP
        and return the messages that arrived (parsed ``SinkMessage`` objects)."""
        before = set(self._files())
        mails = env["mail.mail"].sudo().search([("state", "=", "outgoing")])
        if mails:
            with self._sending_allowed(env):
                # auto_commit=False: never commit the test transaction
                mails.send(auto_commit=False, raise_exception=True)
        failed = mails.exists().filtered(lambda m: m.state == "exception")
        if failed:
            raise AssertionError("mails not sent: %s" % failed.mapped("failure_reason"))
        # the sink answers 250 only once the file is written; still, allow it a moment
        deadline = time.time() + timeout
        new = [name for name in self._files() if name not in before]
        while not new and mails and time.time() < deadline:
            time.sleep(0.05)
            new = [name for name in self._files() if name not in before]
        return [SinkMessage(os.path.join(self.directory, name)) for name in sorted(new)]


class MailSinkMixin(object):
    """For test classes: ``self.mail_sink`` emptied before each test."""

    def setUp(self):
        super(MailSinkMixin, self).setUp()
        self.mail_sink = MailSink()
        self.mail_sink.clear()


class _ServingSession(requests.Session):
    """The test's HTTP client: lets the server threads have the test cursor while a
    request is in flight (see ``HttpCase.serving``)."""

    def __init__(self, case):
        super(_ServingSession, self).__init__()
        self._case = case

    def request(self, *args, **kwargs):
        with self._case.serving():
            return super(_ServingSession, self).request(*args, **kwargs)


class HttpCase(common.HttpCase):
    """Odoo 11 HttpCase where ``self.cr``/``self.env`` use the registry's test cursor,
    the one the HTTP requests (url_open, Chromium) use. So data created in the test is
    seen by the server and vice versa; everything is rolled back at the end.

    One cursor, several threads: the server threads take the cursor's lock for each
    request (``Registry.cursor()``), so the test thread holds that same lock for as long
    as it runs and gives it up only while it waits on the server: an HTTP request of
    ``self.opener``/``url_open``, or any call on a Playwright object handed out by
    ``BrowserMixin``. Without this, a request the browser starts on its own (assets,
    the portal chatter's RPC) runs queries between the test's ``execute`` and ``fetch``.

    Before giving up the lock the test's writes are kept (a request that ends in a
    rollback, e.g. a 403/404, does not undo them) and after it the ORM cache is emptied
    (``self.env`` then reads what the request wrote). ``self.checkpoint()`` does both by
    hand. Subclasses still need ``@at_install(False)`` and ``@post_install(True)``.
    """

    def setUp(self):
        holder = {}

        @self.addCleanup
        def release_cursor():
            # registered before the stock setUp: runs after leave_test_mode has closed
            # the cursor, so a request still queued on the lock meets a closed cursor
            # instead of running against the next test's data
            cr = holder.get("cr")
            while cr is not None and holder["held"]:
                holder["held"] -= 1
                cr.release()

        super(HttpCase, self).setUp()
        # conftest sets a report directory so that the other tests get real PDFs; on the
        # test cursor Odoo 11 renders HTML anyway, and with that setting returns it in a
        # shape its own mail templates cannot unpack: off while an HTTP test runs (the
        # server threads share the configuration)
        reports = mock.patch.dict(tools.config.options, {"test_report_directory": False})
        reports.start()
        self.addCleanup(reports.stop)
        own_cr, own_env = self.cr, self.env
        self.cr = self.registry.test_cr
        self.cr.acquire()
        holder.update(cr=self.cr, held=1)
        self._cursor_holder = holder
        self.env = api.Environment(self.cr, self.uid, {})
        cookies = self.opener.cookies
        self.opener = _ServingSession(self)
        self.opener.cookies.update(cookies)

        @self.addCleanup
        def restore():  # runs before leave_test_mode and the cursor reset (LIFO)
            self.env.reset()
            self.cr, self.env = own_cr, own_env

    def checkpoint(self):
        """Keep the test's writes across the requests' rollbacks and forget cached
        values: the test cursor's commit only moves its savepoint, nothing is committed
        to the database."""
        self.cr.commit()  # pylint: disable=invalid-commit  (see above: a savepoint only)
        self.env.cache.invalidate()

    @contextmanager
    def serving(self):
        """Let the HTTP server threads use the test cursor for the time of the block."""
        holder = self._cursor_holder
        if not holder["held"]:  # nested: already released
            yield
            return
        cr = holder["cr"]
        cr.commit()  # pylint: disable=invalid-commit  (test cursor: moves its savepoint)
        holder["held"] -= 1
        cr.release()
        try:
            yield
        finally:
            cr.acquire()  # waits until the requests in flight are done
            holder["held"] += 1
            self.env.cache.invalidate()

    def url(self, path):
        return base_url() + path


class _Served(object):
    """Proxy of a Playwright object (page, context, element, event manager): each
    call or attribute read runs inside ``case.serving()``, since it may wait on the
    server; Playwright objects it returns are proxied the same way."""

    __slots__ = ("_target", "_case")

    def __init__(self, target, case):
        object.__setattr__(self, "_target", target)
        object.__setattr__(self, "_case", case)

    @staticmethod
    def wrap(value, case):
        if isinstance(value, (list, tuple)):
            return type(value)(_Served.wrap(item, case) for item in value)
        module = type(value).__module__ or ""
        if module.startswith("playwright.") and not isinstance(value, _Served):
            return _Served(value, case)
        return value

    def __getattr__(self, name):
        with self._case.serving():
            value = getattr(self._target, name)
        if not callable(value):
            return self.wrap(value, self._case)

        def call(*args, **kwargs):
            with self._case.serving():
                result = value(*args, **kwargs)
            return self.wrap(result, self._case)
        return call

    def __setattr__(self, name, value):
        setattr(self._target, name, value)

    def __enter__(self):
        with self._case.serving():
            return self.wrap(self._target.__enter__(), self._case)

    def __exit__(self, *exc_info):
        with self._case.serving():
            return self._target.__exit__(*exc_info)

    def __repr__(self):
        return "<served %r>" % (self._target,)


class BrowserMixin(object):
    """Playwright (sync API) on Debian's Chromium, for ``HttpCase`` tests (above).

    One browser per test class, one fresh context (cookies, storage) per ``new_page()``.
    Playwright starts Chromium with a new temporary user-data-dir each launch.
    """

    browser_viewport = {"width": 1280, "height": 900}
    _playwright = None
    _browser = None

    @classmethod
    def setUpClass(cls):
        super(BrowserMixin, cls).setUpClass()
        from playwright.sync_api import sync_playwright

        cls._playwright = sync_playwright().start()
        try:
            cls._browser = cls._playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        except Exception:
            cls._playwright.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        try:
            if cls._browser:
                cls._browser.close()
        finally:
            if cls._playwright:
                cls._playwright.stop()
            cls._browser = cls._playwright = None
            super(BrowserMixin, cls).tearDownClass()

    def new_page(self, viewport=None, **context_options):
        """A new page in a new browser context, closed at the end of the test. The page
        and what it returns are proxies that let the server have the test cursor while
        Playwright works (``HttpCase.serving``)."""
        context = _Served(self._browser, self).new_context(
            base_url=base_url(), viewport=viewport or self.browser_viewport,
            **context_options)
        context.set_default_timeout(30000)
        self.addCleanup(context.close)
        return context.new_page()

    def login(self, page, login, password, redirect=None):
        """Log in through the /web/login form; fails with the page's error message."""
        url = "/web/login" + ("?redirect=%s" % redirect if redirect else "")
        page.goto(url)
        page.fill("input[name=login]", login)
        page.fill("input[name=password]", password)
        from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
        with page.expect_navigation():
            page.click("form.oe_login_form button[type=submit]")
        # Odoo answers a login with a page that moves on by script (redirect_with_hash),
        # and the home may move on again (the tablet's /field): reading that page races
        # with its navigation, so wait until the browser has left the login page. A
        # refused login stays there, with the form's error.
        try:
            page.wait_for_url(NOT_LOGIN_PAGE, timeout=15000)
        except PlaywrightTimeoutError:
            error = page.query_selector("form.oe_login_form .alert-danger")
            raise AssertionError("login as %s failed: %s" % (
                login, error.inner_text() if error else "still on the login page"))
        return page

    def screenshot(self, page, name, full_page=True):
        """Save a PNG into artifacts/screenshots/ and return its path."""
        directory = os.path.join(ARTIFACTS_DIR, "screenshots")
        os.makedirs(directory, exist_ok=True)
        filename = re.sub(r"[^\w.-]+", "_", name)
        if not filename.endswith(".png"):
            filename += ".png"
        path = os.path.join(directory, filename)
        page.screenshot(path=path, full_page=full_page)
        return path
