# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The security review's tests play the attacker: logged in as a role, they call what the
web client calls (``/web/dataset/call_kw``, ``/mail/...``) and the portal routes
directly, and expect a clean refusal that changes nothing.

``AttackCase`` is ``HelpdeskHttpCase`` (the shared fixture, users logging in with their
login as password) plus the requests an attacker sends.
"""
import re

from .helpdesk_common import HelpdeskHttpCase


class AttackCase(HelpdeskHttpCase):
    """Subclasses still need ``@at_install(False)`` and ``@post_install(True)``."""

    def call_kw(self, model, method, args, kwargs=None, as_user=None):
        """POST a JSON-RPC ``call_kw`` as the session's user (or log in ``as_user``
        first); returns the JSON payload (``result`` or ``error``)."""
        if as_user is not None:
            self.authenticate_as(as_user)
        self.checkpoint()
        try:
            response = self.opener.post(
                self.url("/web/dataset/call_kw/%s/%s" % (model, method)), timeout=30, json={
                    "jsonrpc": "2.0", "method": "call", "id": 1, "params": {
                        "model": model, "method": method, "args": args,
                        "kwargs": kwargs or {}}})
        finally:
            self.env.cache.invalidate()
        self.assertEqual(response.status_code, 200,
                         "%s.%s must answer in JSON, not with an error page" % (model, method))
        return response.json()

    def json_call(self, path, params, as_user=None):
        """POST a JSON-RPC request to any ``type="json"`` route."""
        if as_user is not None:
            self.authenticate_as(as_user)
        self.checkpoint()
        try:
            response = self.opener.post(self.url(path), timeout=30, json={
                "jsonrpc": "2.0", "method": "call", "id": 1, "params": params})
        finally:
            self.env.cache.invalidate()
        return response.json()

    def assert_refused(self, payload, why,
                       error_names=("AccessError", "UserError", "ValidationError")):
        """The call returned a JSON-RPC error of one of ``error_names``, no result."""
        self.assertNotIn("result", payload, "%s: the call must return nothing: %s" % (
            why, payload))
        error = payload.get("error") or {}
        name = (error.get("data") or {}).get("name", "")
        self.assertTrue(any(name.endswith(n) for n in error_names),
                        "%s: expected a clean %s, got %s" % (why, "/".join(error_names),
                                                             error or payload))
        return error["data"].get("message", "")

    def csrf_token(self, path):
        """The CSRF token of the form served at ``path`` (for portal POSTs)."""
        page = self.opener.get(self.url(path), timeout=30)
        match = re.search(r'name="csrf_token"\s+value="([^"]+)"', page.text) or \
            re.search(r"csrf_token:\s*\"([^\"]+)\"", page.text)
        self.assertTrue(match, "no CSRF token on %s" % path)
        return match.group(1)

    def post_form(self, path, data, csrf_from=None, files=None, allow_redirects=False):
        """POST a portal form with a valid CSRF token (taken from ``csrf_from``, default
        ``path``); returns the response, redirects not followed."""
        data = dict(data, csrf_token=self.csrf_token(csrf_from or path))
        self.checkpoint()
        try:
            return self.opener.post(self.url(path), data=data, files=files, timeout=60,
                                    allow_redirects=allow_redirects)
        finally:
            self.env.cache.invalidate()
