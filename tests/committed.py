"""Helpers for the tests that run as production does, outside the rolled-back test
transaction: each step in its own cursor that commits (as an Odoo worker would), the
HTTP server in-process answering on its own cursors, data under names unique to the
run (``tag``) so that the other tests of the session never meet it.

Used by test_billing_concurrency (two transactions racing) and test_field_journey
(the tablet in Chromium: real PDFs, the real mail queue)."""
import re
import threading
import time

import psycopg2
import requests
from psycopg2 import errorcodes

import odoo
from odoo import api, fields

from odoo.addons.tktit_helpdesk.tests.common import base_url
from odoo.addons.tktit_helpdesk.tests.fixtures import (
    make_catalogue, make_organisation, make_queue, new_user, set_state)

FIELD_OPERATOR = "tktit_helpdesk_billing.group_field_operator"
OPERATIONS = "tktit_helpdesk.group_helpdesk_user"
OPERATOR_TZ = "Europe/Brussels"
MAX_RETRIES = 5  # as odoo.service.model for a concurrency error
# the errors Odoo's request layer retries (odoo.service.model.PG_CONCURRENCY_ERRORS_TO_RETRY)
RETRIED = (errorcodes.LOCK_NOT_AVAILABLE, errorcodes.SERIALIZATION_FAILURE,
           errorcodes.DEADLOCK_DETECTED)


def registry():
    return odoo.registry(odoo.tools.config["db_name"])


def in_new_transaction(uid, function, retry=False):
    """Run ``function(env)`` in a new cursor and commit. ``retry``: on a concurrency
    error, roll back and run again, as Odoo's RPC layer does for every request."""
    for attempt in range(MAX_RETRIES if retry else 1):
        with api.Environment.manage():
            try:
                with registry().cursor() as cr:  # commits on success
                    return function(api.Environment(cr, uid, {}))
            except psycopg2.OperationalError as error:
                if error.pgcode not in RETRIED or not retry or \
                        attempt == MAX_RETRIES - 1:
                    raise
                time.sleep(0.1 * (attempt + 1))
    return None


def race(*functions):
    """Run the functions in parallel threads, released together (each gets the
    ``threading.Barrier`` to wait on); returns what each returned or raised."""
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


def field_visit(env, tag, visit_date=None, stock=0):
    """A billable field ticket of a new organisation, in progress with a new field
    operator (login and password ``fo.<tag>``) whose van holds ``stock`` routers.
    Returns (ticket, operator, ops, router)."""
    warehouse = env["stock.warehouse"].search(
        [("company_id", "=", env.user.company_id.id)], limit=1)
    van = env["stock.location"].create({
        "name": "Van %s" % tag, "usage": "internal",
        "location_id": warehouse.lot_stock_id.id})
    operator = new_user(env, "fo.%s" % tag, [FIELD_OPERATOR], password="fo.%s" % tag,
                        name="Field Operator %s" % tag, van_location_id=van.id,
                        tz=OPERATOR_TZ)
    ops = new_user(env, "ops.%s" % tag, [OPERATIONS])
    catalogue = make_catalogue(env, "Tech %s" % tag, "R%s" % tag[:6])
    queue = make_queue(env, catalogue.technology, catalogue.specializations[0],
                       members=[operator])
    router = env["product.product"].create({
        "name": "Router %s" % tag, "type": "product", "list_price": 50.0,
        "taxes_id": [(5, 0, 0)]})
    if stock:
        inventory = env["stock.inventory"].create({
            "name": "Loading van %s" % tag, "filter": "partial", "location_id": van.id,
            "line_ids": [(0, 0, {"product_id": router.id, "location_id": van.id,
                                 "product_uom_id": router.uom_id.id,
                                 "product_qty": stock})]})
        inventory.action_done()
    org = make_organisation(env, "Org %s" % tag, "cust.%s" % tag,
                            email="cust.%s@example.com" % tag,
                            street="Main Street 1", zip="1000", city="Brussels")
    ticket = env["helpdesk.ticket"].create({
        "name": "Visit %s" % tag, "partner_id": org.user.partner_id.id,
        "description": "The network in the office of %s drops every hour." % tag,
        "technology_id": catalogue.technology.id,
        "specialization_id": catalogue.specializations[0].id,
        "is_field": True, "visit_date": visit_date or fields.Datetime.now()})
    set_state(ticket, "in_progress", user_id=operator.id, queue_id=queue.id)
    return ticket, operator, ops, router


def add_work(env, ticket, operator, router, hours):
    """Hours and a router on the ticket, as its operator, and the draft note."""
    env["account.analytic.line"].sudo(operator).create({
        "helpdesk_ticket_id": ticket.id, "name": "Work %s" % ticket.name,
        "unit_amount": hours, "user_id": operator.id})
    env["helpdesk.ticket.material"].sudo(operator).create({
        "ticket_id": ticket.id, "product_id": router.id, "quantity": 1})
    return env["helpdesk.delivery.note"].sudo(operator).create({"ticket_id": ticket.id})


def http_login(login, password):
    """A ``requests`` session logged in through /web/login (a second device)."""
    session = requests.Session()
    page = session.get(base_url() + "/web/login", timeout=60)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    answer = session.post(base_url() + "/web/login", timeout=60, data={
        "login": login, "password": password, "csrf_token": token})
    assert answer.ok and "oe_login_form" not in answer.text, \
        "login as %s failed" % login
    return session
