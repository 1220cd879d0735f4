"""Security matrix: every model of the three addons, every role, read / write /
create / unlink by the ORM and by JSON-RPC (``/web/dataset/call_kw``); the public
``action_*`` methods by the wrong roles; the addons' routes on another organisation's
ticket, attachment, message, rating, signed note and invoice; CSRF on every POST route;
what a customer types, sanitized where it is shown; the fields of operations out of a
portal user's reach. The expected access is the table in tests/security_matrix_table.py:
any difference fails, a model or route of the addons without a row fails too.

The data lives in the registry's test cursor for this module (as Odoo's HttpCase does):
the in-process HTTP server answers on it, everything is rolled back at the end.
"""
import base64
import re
from contextlib import contextmanager
from unittest import mock

import pytest
import requests

import odoo
from odoo import SUPERUSER_ID, api, tools
from odoo.exceptions import AccessError, UserError, ValidationError

from odoo.addons.tktit_helpdesk.tests.common import MailSink, base_url
from odoo.addons.tktit_helpdesk.tests.fixtures import (
    make_helpdesk, make_ticket, new_user, set_state)
from odoo.addons.tktit_helpdesk_billing.tests.field_common import signature_data_url

from .security_matrix_table import (
    ACTION_ARGS, ACTIONS, ADDONS, MODEL_ACCESS, NAVIGATION, OPS_FIELDS, OTHER_ARGS,
    OTHER_METHODS, ROLES, ROUTE_OWNER, ROUTE_PROBES, ROUTES, STRANGERS)

FIELD_OPERATOR = "tktit_helpdesk_billing.group_field_operator"
MANAGER = "tktit_helpdesk.group_helpdesk_manager"
ACCOUNTANT = "account.group_account_invoice"
XSS = '<script>alert(1)</script><img src="x" onerror="alert(2)">'
# the payload's tags, unescaped (escaped, they are harmless text)
XSS_RAW = re.compile(r"<script>alert\(1\)|<img[^>]*onerror", re.I)


# ----------------------------------------------------------------------------- world
class World(object):
    """The test cursor, held by the test thread except while a request is served."""

    def __init__(self):
        self.registry = odoo.registry(odoo.tools.config["db_name"])
        self.registry.enter_test_mode()
        self.cr = self.registry.test_cr
        self.cr.acquire()
        self.held = True
        self.env = api.Environment(self.cr, SUPERUSER_ID, {})
        self.sessions = {}

    def close(self):
        self.env.reset()
        if self.held:
            self.cr.release()
        self.registry.leave_test_mode()

    @contextmanager
    def serving(self):
        self.cr.commit()  # the test cursor: moves its savepoint only
        self.cr.release()
        self.held = False
        try:
            yield
        finally:
            self.cr.acquire()
            self.held = True
            self.env.cache.invalidate()

    def request(self, role, method, path, **kwargs):
        kwargs.setdefault("timeout", 60)
        kwargs.setdefault("allow_redirects", False)
        with self.serving():
            return getattr(self.session(role), method)(base_url() + path, **kwargs)

    def session(self, role):
        if role not in self.sessions:
            session = requests.Session()
            user = self.users.get(role)
            if user is not None:
                answer = session.post(base_url() + "/web/session/authenticate", json={
                    "jsonrpc": "2.0", "method": "call", "params": {
                        "db": self.cr.dbname, "login": user.login,
                        "password": user.login}}, timeout=60).json()
                assert (answer.get("result") or {}).get("uid") == user.id, \
                    "%s could not log in: %s" % (role, answer)
            self.sessions[role] = session
        return self.sessions[role]

    def call_kw(self, role, model, method, args, kwargs=None):
        answer = self.request(role, "post", "/web/dataset/call_kw/%s/%s" % (model, method),
                              json={"jsonrpc": "2.0", "method": "call", "id": 1, "params": {
                                  "model": model, "method": method, "args": args,
                                  "kwargs": kwargs or {}}})
        assert answer.status_code == 200, "%s %s.%s: HTTP %s" % (
            role, model, method, answer.status_code)
        return answer.json()


def error_name(payload):
    error = payload.get("error") or {}
    return (error.get("data") or {}).get("name", "") or error.get("message", "")


def build(world):
    env = world.env
    h = make_helpdesk(env, http=True)
    world.h = h

    def user(login, groups):
        return new_user(env, "sm." + login, groups, password="sm." + login)

    users = {
        "public": None,
        "customer_a": h.customer_a, "customer_b": h.customer_b,
        "contact_a": h.customer_a2,
        "expert_x": h.expert_1, "expert_not_x": h.outsider,
        "field_op": user("field.op", [FIELD_OPERATOR]),
        "field_op_2": user("field.op2", [FIELD_OPERATOR]),
        "accountant": user("accountant", [ACCOUNTANT]),
        "qc": h.qc, "committee": h.committee,
        "qa_manager": user("qa.manager", [MANAGER]),
        "operations": h.operator,
    }
    world.users = users
    h.queue.write({"member_ids": [(4, users["field_op"].id)]})
    # customer B's billable field ticket in queue X, visited by field_op, who worked,
    # used a material, had the note signed (invoice), talked with the customer
    ticket = make_ticket(env, h.customer_b, h.tech, h.spec, user=h.operator,
                         description="<p>B's secret network plan</p>",
                         is_field=True, visit_date=odoo.fields.Datetime.now())
    set_state(ticket, "in_progress", user_id=users["field_op"].id, queue_id=h.queue.id)
    product = env["product.product"].create({
        "name": "SM Router", "type": "consu", "list_price": 40.0, "taxes_id": [(5, 0, 0)]})
    env["account.analytic.line"].sudo(users["field_op"]).create({
        "helpdesk_ticket_id": ticket.id, "name": "SM work", "unit_amount": 2.0,
        "user_id": users["field_op"].id})
    env["helpdesk.ticket.material"].sudo(users["field_op"]).create({
        "ticket_id": ticket.id, "product_id": product.id, "quantity": 1})
    attachment = env["ir.attachment"].create({
        "name": "b-secret.txt", "datas_fname": "b-secret.txt", "res_model": "helpdesk.ticket",
        "res_id": ticket.id, "datas": base64.b64encode(b"B SECRET FILE")})
    ticket.sudo(h.customer_b).message_post(
        body="<p>B SECRET MESSAGE</p>", message_type="comment",
        subtype="mail.mt_comment", attachment_ids=attachment.ids)
    message = env["mail.message"].search([
        ("model", "=", "helpdesk.ticket"), ("res_id", "=", ticket.id),
        ("attachment_ids", "in", attachment.ids)], limit=1)
    note = env["helpdesk.delivery.note"].sudo(users["field_op"]).create(
        {"ticket_id": ticket.id})
    note.sudo(users["field_op"]).action_sign("Bob " + XSS, signature_data_url())
    rating = env["rating.rating"].create({
        "res_model_id": env.ref("tktit_helpdesk.model_helpdesk_ticket").id,
        "res_id": ticket.id, "partner_id": h.customer_b.partner_id.id,
        "rated_partner_id": users["field_op"].partner_id.id})
    invoice = ticket.invoice_ids[:1]
    acquirer = env["payment.acquirer"].search([], limit=1)
    world.transaction_b = env["payment.transaction"].create({
        "acquirer_id": acquirer.id, "amount": 95.0, "reference": "SM-B-FEE",
        "currency_id": env.user.company_id.currency_id.id,
        "partner_id": h.customer_b.partner_id.id, "helpdesk_ticket_id": ticket.id})
    world.ticket_b, world.note_b, world.attachment_b = ticket.sudo(), note.sudo(), attachment
    world.message_b, world.rating_b, world.invoice_b = message, rating, invoice
    world.product = product
    world.targets = targets(world)
    world.cr.commit()


def targets(world):
    """The record each model is probed on: customer B's where the model has one."""
    env, t = world.env, world.ticket_b
    own = {
        "helpdesk.ticket": t,
        "ir.attachment": world.attachment_b,
        "mail.message": world.message_b,
        "rating.rating": world.rating_b,
        "res.partner": world.h.org_b,
        "res.users": world.h.customer_b,
        "account.analytic.line": t.timesheet_ids[:1],
        "account.invoice": world.invoice_b,
        "helpdesk.delivery.note": world.note_b,
        "helpdesk.delivery.note.line": world.note_b.line_ids[:1],
        "helpdesk.ticket.material": t.material_ids[:1],
        "helpdesk.queue": world.h.queue,
        "payment.transaction": world.transaction_b,
    }
    result = {}
    for model in MODEL_ACCESS:
        record = own.get(model)
        if record is None:
            record = env[model] if env[model]._abstract else \
                env[model].search([], limit=1, order="id")
        result[model] = record
    return result


@pytest.fixture(scope="module")
def world():
    reports = mock.patch.dict(tools.config.options, {"test_report_directory": False})
    reports.start()
    w = World()
    try:
        build(w)
        yield w
    finally:
        w.close()
        reports.stop()


# ------------------------------------------------------------------------ the models
def our_models(env):
    env.cr.execute("""
        SELECT DISTINCT m.model FROM ir_model m
          JOIN ir_model_data d ON d.model = 'ir.model' AND d.res_id = m.id
         WHERE d.module IN %s""", (tuple(ADDONS),))
    return {row[0] for row in env.cr.fetchall()}


def attachment_access(env, user, record, operation):
    """ir.attachment checks the document itself (``check``), not record rules: the
    create check for a file on B's ticket, and a real unlink of a copy of B's file."""
    Attachment = env["ir.attachment"].sudo(user)
    try:
        with env.cr.savepoint():
            if operation == "create":
                Attachment.check("create", values={
                    "res_model": record.res_model, "res_id": record.res_id})
            elif operation == "unlink":
                record.copy().sudo(user).unlink()
                raise _Undo()
            else:
                record.sudo(user).check(operation)
    except _Undo:
        return True
    except (AccessError, ValueError):
        return False
    return True


class _Undo(Exception):
    pass


def orm_access(env, model, user, record):
    Model = env[model].sudo(user)
    letters = ""
    for letter, operation in (("r", "read"), ("w", "write"), ("c", "create"),
                              ("u", "unlink")):
        if not Model.check_access_rights(operation, raise_exception=False):
            continue
        if model == "ir.attachment" and operation != "read":
            if attachment_access(env, user, record, operation):
                letters += letter
            continue
        if operation == "read" and record:
            try:  # a real read: rules, and what the model's read adds
                record.sudo(user).read(["display_name"])
            except (AccessError, ValueError):
                continue
        elif operation != "create" and record:
            try:
                record.sudo(user).check_access_rule(operation)
            except (AccessError, ValueError):  # ValueError: stock's portal rule on
                # pickings names sale_id, which exists only with sale installed
                continue
        letters += letter
    return letters


def rpc_access(world, model, role, record):
    letters = ""
    ids = record.ids
    for letter, operation in (("r", "read"), ("w", "write"), ("c", "create"),
                              ("u", "unlink")):
        if operation == "read" and ids:
            payload = world.call_kw(role, model, "read", [ids, ["display_name"]])
            if "error" not in payload:
                letters += letter
            continue
        if model == "ir.attachment" and operation == "create":
            payload = world.call_kw(role, model, "check", ["create"], {"values": {
                "res_model": record.res_model, "res_id": record.res_id}})
            if "error" not in payload:
                letters += letter
            continue
        if model == "ir.attachment" and operation in ("write", "unlink") and ids:
            # ir.attachment checks its document in write/unlink themselves: the real
            # calls, the unlink on a copy of the file (same ticket)
            if operation == "unlink":
                ids = record.copy().ids
            payload = world.call_kw(role, model, operation,
                                    [ids] + ([{}] if operation == "write" else []))
            ids = record.ids
            if "error" not in payload:
                letters += letter
            continue
        payload = world.call_kw(role, model, "check_access_rights", [operation],
                                {"raise_exception": False})
        if payload.get("result") is not True:
            continue
        if operation != "create" and ids:
            payload = world.call_kw(role, model, "check_access_rule", [ids, operation])
            if "error" in payload:  # success: no "result" key for a None
                continue
        letters += letter
    return letters


def test_table_covers_every_model_and_role(world):
    found = our_models(world.env)
    assert set(MODEL_ACCESS) == found, "every model of the addons needs a row in " \
        "MODEL_ACCESS: missing %s, extra %s" % (sorted(found - set(MODEL_ACCESS)),
                                                sorted(set(MODEL_ACCESS) - found))
    for model, row in MODEL_ACCESS.items():
        assert set(row) == set(ROLES), "%s: a column per role" % model
    assert set(ROLES) == set(world.users)


def test_orm_matrix(world):
    differences = []
    for model, row in sorted(MODEL_ACCESS.items()):
        record = world.targets[model]
        for role, expected in row.items():
            user = world.users[role]
            if user is None:
                user = world.env.ref("base.public_user")
            got = orm_access(world.env, model, user, record)
            if got != expected:
                differences.append("%s / %s: expected %r, got %r" % (
                    model, role, expected, got))
    assert not differences, "ORM access differs from the table:\n" + "\n".join(differences)


def test_rpc_matrix(world):
    differences = []
    for model, row in sorted(MODEL_ACCESS.items()):
        record = world.targets[model]
        for role, expected in row.items():
            got = rpc_access(world, model, role, record)
            if role == "public":
                expected = ""  # no session: call_kw answers "Session Expired"
            if got != expected:
                differences.append("%s / %s: expected %r, got %r" % (
                    model, role, expected, got))
    assert not differences, "JSON-RPC access differs from the table:\n" + "\n".join(
        differences)


# ------------------------------------------------------------------- action methods
def our_actions(env):
    """action_* methods defined in the addons' classes, by model."""
    found = {}
    for model in MODEL_ACCESS:
        for cls in type(env[model]).__mro__:
            module = getattr(cls, "_module", None)
            if module not in ADDONS:
                continue
            for name in vars(cls):
                if name.startswith("action_") and callable(vars(cls)[name]):
                    found.setdefault(model, set()).add(name)
    return found


def snapshot(record):
    record.invalidate_cache()
    names = [n for n in ("state", "user_id", "partner_id", "fee_amount", "priority",
                         "payment_state", "signed_by", "queue_id", "active", "satisfaction")
             if n in record._fields]
    return {n: record[n] for n in names}, record.message_ids.ids \
        if "message_ids" in record._fields else None


def differing_methods(found, table):
    """By model, the methods found but not in the table, or in the table but not found."""
    listed = {model: set(methods) for model, methods in table.items()}
    return {m: sorted(found.get(m, set()) ^ listed.get(m, set()))
            for m in set(found) | set(listed) if found.get(m) != listed.get(m)}


def test_table_lists_every_action(world):
    differing = differing_methods(our_actions(world.env), ACTIONS)
    assert not differing, "ACTIONS must list every action_* method of the addons: %s" % (
        differing,)


def test_wrong_roles_cannot_run_actions_on_b_records(world):
    problems = []
    for model, methods in sorted(ACTIONS.items()):
        record = world.targets[model]
        if not record:
            continue
        for method, wrong_roles in sorted(methods.items()):
            for role in wrong_roles:
                before = snapshot(record)
                args = [record.ids] + list(ACTION_ARGS.get(method, []))
                args = [world.users[a[1:]].id if isinstance(a, str) and a.startswith("@")
                        else a for a in args]
                payload = world.call_kw(role, model, method, args)
                name = error_name(payload)
                if method in NAVIGATION and "error" not in payload:
                    action = payload.get("result") or {}
                    if not str(action.get("type", "")).startswith("ir.actions.") or \
                            action.get("res_id") in record.ids:
                        problems.append("%s.%s by %s: %s" % (model, method, role, action))
                elif "error" not in payload or not re.search(
                        r"AccessError|UserError|ValidationError|MissingError|"
                        r"SessionExpired|Session Expired", name):
                    problems.append("%s.%s by %s: %s" % (
                        model, method, role, payload.get("result", payload.get("error"))))
                if snapshot(record) != before:
                    problems.append("%s.%s by %s changed the record" % (model, method, role))
    assert not problems, "\n".join(problems)


# the ORM's own API, checked by the access matrix above
ORM_METHODS = ("pool", "default_get", "create", "write", "unlink", "copy", "read_group",
               "name_get", "name_search", "message_post",
               # the mail gateway's routing (mail.thread, hence every mailing model): it
               # computes routes, the mail gateway user creates through the ORM
               "message_route")


def our_other_methods(env):
    """The other public methods (no leading underscore, not action_*) defined in the
    addons' classes, by model: JSON-RPC reaches them all."""
    found = {}
    for model in MODEL_ACCESS:
        for cls in type(env[model]).__mro__:
            if getattr(cls, "_module", None) not in ADDONS:
                continue
            for name, value in vars(cls).items():
                if callable(value) and not name.startswith(("_", "action_")) and \
                        name not in ORM_METHODS:
                    found.setdefault(model, set()).add(name)
    return found


def test_table_lists_every_other_public_method(world):
    differing = differing_methods(our_other_methods(world.env), OTHER_METHODS)
    assert not differing, "OTHER_METHODS must classify every public method: %s" % (
        differing,)


def test_wrong_roles_cannot_run_other_public_methods(world):
    """init (DDL), the PayPal capture and void, the mail gateway's hooks: refused by
    JSON-RPC to every role the table names, with nothing changed."""
    Ticket = world.env["helpdesk.ticket"].sudo()
    problems = []
    for model, methods in sorted(OTHER_METHODS.items()):
        record = world.targets[model]
        for method, wrong_roles in sorted(methods.items()):
            if isinstance(wrong_roles, str):
                continue  # read-only or an access check: the ORM matrix covers it
            on_model = "@model" in wrong_roles
            extra = [{k: world.h.customer_b.partner_id.id if v == "@partner_b" else v
                      for k, v in a.items()} for a in OTHER_ARGS.get(method, [])]
            for role in wrong_roles:
                if role == "@model":
                    continue
                before = snapshot(record), Ticket.search_count([])
                args = extra if on_model else [record.ids] + extra
                payload = world.call_kw(role, model, method, args)
                if "error" not in payload or not re.search(
                        r"AccessError|UserError|ValidationError|MissingError|"
                        r"SessionExpired|Session Expired", error_name(payload)):
                    problems.append("%s.%s by %s: %s" % (
                        model, method, role, payload.get("result") or error_name(payload)))
                if (snapshot(record), Ticket.search_count([])) != before:
                    problems.append("%s.%s by %s changed data" % (model, method, role))
    assert not problems, "\n".join(problems)


# --------------------------------------------------------------------------- routes
def routing_map(env):
    """rule -> the routing of each endpoint serving it (GET and POST may differ)."""
    routes = {}
    for rule in env["ir.http"].routing_map().iter_rules():
        endpoint = rule.endpoint
        method = getattr(endpoint, "method", None)
        module = getattr(method, "__module__", "") or ""
        owner = module.split(".")[2] if module.startswith("odoo.addons.") else ""
        if owner in ADDONS:
            routes.setdefault(rule.rule, []).append(endpoint.routing)
    return routes


def test_table_lists_every_route(world):
    found = set(routing_map(world.env))
    assert found == set(ROUTES), "ROUTES must list every route of the addons' " \
        "controllers: missing %s, extra %s" % (sorted(found - set(ROUTES)),
                                               sorted(set(ROUTES) - found))


def fill(world, path):
    return path.format(ticket=world.ticket_b.id, note=world.note_b.id,
                       attachment=world.attachment_b.id, message=world.message_b.id,
                       rating=world.rating_b.id, invoice=world.invoice_b.id,
                       token=world.rating_b.access_token)


SECRETS = (b"B SECRET", b"B's secret", b"%PDF")


def test_routes_refuse_b_content_to_strangers(world):
    assert world.invoice_b, "the signed billable note must have made B's invoice"
    problems = []
    for path in ROUTE_PROBES:
        url = fill(world, path)
        for role in STRANGERS:
            response = world.request(role, "get", url)
            leaked = response.status_code == 200 and (
                any(s in response.content for s in SECRETS) or
                response.headers.get("Content-Type", "").startswith(
                    ("application/pdf", "text/plain", "application/octet")))
            if response.status_code == 200 and not leaked:
                leaked = str(world.ticket_b.number).encode() in response.content
            if response.status_code == 500 and not (
                    path.startswith("/report/") and b"Internal Server Error" in
                    response.content and not any(x in response.content for x in SECRETS)):
                # Odoo's own /report route lets the AccessError through as werkzeug's
                # bare 500 page (no content); anything else answering 500 is a bug
                leaked = True
            if leaked:
                problems.append("%s GET %s: %s %r" % (role, url, response.status_code,
                                                      response.text[:200]))
        if path not in ROUTE_OWNER:
            continue
        owner = world.request("customer_b", "get", url)
        if owner.status_code != 200:
            problems.append("customer_b (the owner) GET %s: %s" % (url, owner.status_code))
    assert not problems, "\n".join(problems)


def test_every_post_route_refuses_a_missing_csrf_token(world):
    problems = []
    posts = [(path, routing) for path, routings in sorted(routing_map(world.env).items())
             for routing in routings if routing.get("type") == "http" and
             "POST" in [m.upper() for m in routing.get("methods") or []] and
             routing.get("csrf") is not False]
    assert len(posts) >= 10, "the addons' POST routes: %s" % posts
    for path, routing in posts:
        url = re.sub(r"<int:ticket_id>", str(world.ticket_b.id), path)
        url = re.sub(r"<int:note_id>", str(world.note_b.id), url)
        url = re.sub(r"<int:\w+>", "1", url)
        url = re.sub(r"<string:token>", world.rating_b.access_token, url)
        url = re.sub(r"<any\((\w+)[^>]*>", r"\1", url)
        for role in ("customer_b", "field_op"):
            response = world.request(role, "post", url, data={"message": "x"})
            if response.status_code != 400 or "CSRF" not in response.text:
                problems.append("%s POST %s without token: %s" % (
                    role, url, response.status_code))
    assert not problems, "\n".join(problems)


# ---------------------------------------------------------------------- sanitizing
def csrf_token(world, role, path):
    page = world.request(role, "get", path)
    match = re.search(r'name="csrf_token"\s+value="([^"]+)"', page.text)
    assert match, "no CSRF token on %s" % path
    return match.group(1)


def raw_xss(text):
    return XSS_RAW.findall(text or "")


def test_customer_text_is_sanitized_where_it_is_shown(world):
    env, h = world.env, world.h
    sink = MailSink()
    sink.clear()
    token = csrf_token(world, "customer_a", "/my/tickets/new")
    response = world.request("customer_a", "post", "/my/tickets/new", data={
        "csrf_token": token, "name": "SM xss ticket", "description": XSS,
        "category": "technical", "technology_id": h.tech.id,
        "specialization_id": h.spec.id})
    assert response.status_code in (302, 303), response.text[:500]
    ticket = env["helpdesk.ticket"].search([("name", "=", "SM xss ticket")])
    assert len(ticket) == 1
    url = "/my/ticket/%s" % ticket.id
    token = csrf_token(world, "customer_a", url)
    response = world.request("customer_a", "post", url + "/message", data={
        "csrf_token": token, "message": XSS})
    assert response.status_code in (200, 302, 303)
    problems = []
    page = world.request("customer_a", "get", url).text
    assert "alert(1)" in page, "the portal page shows the customer's text"
    if raw_xss(page):
        problems.append("portal page shows %s raw" % raw_xss(page))
    backend = ticket.sudo(h.operator).read(["description"])[0]["description"]
    if raw_xss(backend):
        problems.append("backend description: %r" % backend)
    bodies = ticket.message_ids.mapped("body")
    if not any("alert(1)" in (b or "") for b in bodies):
        problems.append("the customer's message did not reach the thread")
    for body in bodies:
        if raw_xss(body):
            problems.append("message body: %r" % body)
    mails = sink.flush(env)
    assert any("alert(1)" in (m.html or m.text) for m in mails), \
        "a mail quotes the customer's text: %s" % mails
    for mail in mails:
        if raw_xss(mail.html):
            problems.append("mail %r: %s" % (mail.subject, raw_xss(mail.html)))
    # the signed note of B names the signer typed on the tablet: in the PDF's html
    report = env.ref("tktit_helpdesk_billing.action_report_delivery_note")
    html = report.render_qweb_html(world.note_b.ids)[0].decode()
    assert "alert(1)" in html, "the signer's name is printed on the note"
    if raw_xss(html):
        problems.append("delivery note report: %s" % raw_xss(html))
    assert not problems, "\n".join(problems)


# ----------------------------------------------------- operations' fields and portal
def test_portal_users_cannot_write_operations_fields(world):
    env, h = world.env, world.h
    ticket = make_ticket(env, h.customer_a, h.tech, h.spec, user=h.operator)
    world.cr.commit()
    values = {"state": "closed", "user_id": h.expert_1.id, "priority": "4",
              "fee_amount": 1.0, "partner_id": h.customer_b.partner_id.id}
    assert set(values) == set(OPS_FIELDS)
    problems = []
    for role in ("customer_a", "contact_a"):
        user = world.users[role]
        for name, value in values.items():
            before = ticket.read([name])[0][name]
            try:
                with env.cr.savepoint():
                    ticket.sudo(user).write({name: value})
                problems.append("ORM: %s wrote %s" % (role, name))
            except (AccessError, UserError, ValidationError):
                pass
            payload = world.call_kw(role, "helpdesk.ticket", "write",
                                    [ticket.ids, {name: value}])
            if "result" in payload:
                problems.append("call_kw: %s wrote %s" % (role, name))
            ticket.invalidate_cache()
            if ticket.read([name])[0][name] != before:
                problems.append("%s changed %s" % (role, name))
    token = csrf_token(world, "customer_a", "/my/tickets/new")
    form = {"csrf_token": token, "name": "SM extra fields", "description": "hello",
            "category": "technical", "technology_id": h.tech.id,
            "specialization_id": h.spec.id}
    form.update({k: v for k, v in values.items()})
    world.request("customer_a", "post", "/my/tickets/new", data=form)
    created = env["helpdesk.ticket"].search([("name", "=", "SM extra fields")])
    assert len(created) <= 1
    taken = created and (created.state, created.user_id, created.priority,
                         created.fee_amount, created.partner_id)
    if taken and taken != ("new", env["res.users"], "1", 0.0, h.customer_a.partner_id):
        problems.append("portal form's extra fields were taken: %s" % (
            created.read(list(values))[0],))
    assert not problems, "\n".join(problems)


def test_customers_cannot_relay_mail(world):
    """Odoo 11 gives portal users create and write rights on mail.mail: by JSON-RPC, any
    mail to anyone, sent by our server. A customer queues only the notifications of
    their own messages, and changes no queued mail."""
    env = world.env
    others = env["mail.message"].search([
        ("author_id", "!=", world.users["customer_a"].partner_id.id)], limit=1)
    queued = env["mail.mail"].search([], limit=1)
    forged = [
        {"email_to": "victim@example.com", "subject": "Cheap pills", "body_html": "<p>x</p>"},
        {"recipient_ids": [(4, world.h.customer_b.partner_id.id)], "subject": "Hi",
         "body_html": "<p>x</p>", "mail_message_id": others.id},
    ]
    problems = []
    for role in ("customer_a", "contact_a", "customer_b"):
        for values in forged:
            payload = world.call_kw(role, "mail.mail", "create", [values])
            if "error" not in payload:
                problems.append("%s queued %s" % (role, values))
        payload = world.call_kw(role, "mail.mail", "write",
                                [queued.ids, {"email_to": "victim@example.com"}])
        if "error" not in payload:
            problems.append("%s changed a queued mail" % role)
    assert not problems, "\n".join(problems)
