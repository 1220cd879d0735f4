# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The field operator's tablet over HTTP: today's and tomorrow's visits, who may open a
visit, hours, materials, "resolved on site" and the customer's signature, with its
refusals (bad signatures, a huge body, another operator's note, no CSRF token) and the
JSON answer the offline replay uses.

In HttpCase the registry runs on the test cursor, where Odoo renders reports as HTML
and stores no PDF attachment (see test_portal_billing): the tests check the signed
note, its invoice and the PDF link, not the PDF bytes."""
import base64
import re
from datetime import datetime, time, timedelta

import pytz

from odoo import fields
from odoo.tests.common import at_install, post_install

from odoo.addons.tktit_helpdesk.tests.attacker import AttackCase
from odoo.addons.tktit_helpdesk.tests.fixtures import new_user, set_state

from .field_common import FIELD_OPERATOR, signature_data_url

TZ = "Europe/Brussels"
SIGNER = "Jane Customer"


@at_install(False)
@post_install(True)
class TestFieldApp(AttackCase):

    def setUp(self):
        super(TestFieldApp, self).setUp()
        env = self.env
        warehouse = env["stock.warehouse"].search(
            [("company_id", "=", env.user.company_id.id)], limit=1)
        self.van = env["stock.location"].create({
            "name": "Tablet Test Van", "usage": "internal",
            "location_id": warehouse.lot_stock_id.id})
        self.field_op = new_user(env, "fo.tablet", [FIELD_OPERATOR], password="fo.tablet",
                                 tz=TZ, van_location_id=self.van.id)
        self.field_op_2 = new_user(env, "fo.other", [FIELD_OPERATOR],
                                   password="fo.other", tz=TZ)
        self.queue.member_ids |= self.field_op | self.field_op_2
        self.router = env["product.product"].create({
            "name": "Tablet Test Router", "type": "product", "list_price": 100.0})
        inventory = env["stock.inventory"].create({
            "name": "Loading the van", "filter": "partial", "location_id": self.van.id,
            "line_ids": [(0, 0, {"product_id": self.router.id, "location_id": self.van.id,
                                 "product_uom_id": self.router.uom_id.id,
                                 "product_qty": 1})]})
        inventory.action_done()
        self.customer_a.partner_id.write({
            "street": "Rue de la Loi 16", "zip": "1000", "city": "Brussels"})
        self.checkpoint()

    # -------------------------------------------------------------- helpers
    def local(self, days, hour, minute=0):
        """A UTC datetime string: ``hour:minute`` local time, ``days`` from today."""
        tz = pytz.timezone(TZ)
        day = datetime.now(tz).date() + timedelta(days=days)
        moment = tz.localize(datetime.combine(day, time(hour, minute)))
        return fields.Datetime.to_string(moment.astimezone(pytz.utc).replace(tzinfo=None))

    def visit(self, operator=None, days=0, hour=10, customer=None, **values):
        ticket = self.new_ticket(customer=customer, is_field=True,
                                 visit_date=self.local(days, hour), **values)
        return set_state(ticket, "in_progress", user_id=(operator or self.field_op).id)

    def get(self, path, **kwargs):
        self.checkpoint()
        try:
            return self.opener.get(self.url(path), timeout=60, **kwargs)
        finally:
            self.env.cache.invalidate()

    def post(self, path, data, headers=None):
        """A POST without CSRF token (the attacker's)."""
        self.checkpoint()
        try:
            return self.opener.post(self.url(path), data=data, headers=headers, timeout=60,
                                    allow_redirects=False)
        finally:
            self.env.cache.invalidate()

    def post_json(self, path, data, csrf_from):
        data = dict(data, csrf_token=self.csrf_token(csrf_from))
        return self.post(path, data, headers={"Accept": "application/json"})

    def ticket_path(self, ticket):
        return "/field/ticket/%d" % ticket.id

    def sign_path(self, note):
        return "/field/note/%d/sign" % note.id

    def assert_clean_page(self, response, status, why):
        self.assertEqual(response.status_code, status, "%s: must answer %s, got %s"
                         % (why, status, response.status_code))
        self.assertNotIn("Traceback", response.text, "%s: no traceback" % why)
        self.assertNotIn("werkzeug", response.text.lower(), "%s: no debugger page" % why)

    def ready_note(self, ticket=None):
        """A visit with hours and its draft note, prepared by the field operator."""
        ticket = ticket or self.visit()
        self.env["account.analytic.line"].sudo(self.field_op).create({
            "helpdesk_ticket_id": ticket.id, "name": "On site", "unit_amount": 1.0,
            "user_id": self.field_op.id})
        note = self.env["helpdesk.delivery.note"].sudo(self.field_op).create(
            {"ticket_id": ticket.id})
        self.checkpoint()
        return ticket, note.sudo()

    def invoices(self, ticket):
        return self.env["account.invoice"].sudo().search(
            [("helpdesk_ticket_id", "=", ticket.id), ("type", "=", "out_invoice")])

    # --------------------------------------------------------------- /field
    def test_visits_today_then_tomorrow_in_time_order(self):
        afternoon = self.visit(hour=14, name="Broken tiles in the hall")
        morning = self.visit(hour=9, name="Leaking tap", priority="3")
        tomorrow = self.visit(days=1, hour=8, name="Boiler service")
        yesterday = self.visit(days=-1, hour=9, name="Yesterday's visit")
        later = self.visit(days=2, hour=9, name="Next week's visit")
        others = self.visit(operator=self.field_op_2, hour=11, name="Someone else's")
        self.authenticate_as(self.field_op)
        page = self.get("/field")
        self.assert_clean_page(page, 200, "the operator's visits")
        shown = [int(i) for i in re.findall(r'data-ticket-id="(\d+)"', page.text)]
        self.assertEqual(shown, [morning.id, afternoon.id, tomorrow.id],
                         "today's visits in time order, then tomorrow's, nothing else")
        for ticket in (yesterday, later, others):
            self.assertNotIn(ticket.number, page.text, "%s must not be listed" % ticket.name)
        self.assertIn("09:00", page.text, "the planned time in the operator's time zone")
        self.assertIn("https://www.openstreetmap.org/search?query=Rue+de+la+Loi+16", page.text,
                      "the site address must link to a map")
        self.assertIn("Leaking tap", page.text, "the complaint must show")
        self.assertIn("It is on fire.", page.text, "a short text of the description")
        self.assertIn("Priority: Urgent", page.text, "the priority must show")
        self.assertIn("Org A", page.text, "the customer must show")
        if "sla_state" in self.env["helpdesk.ticket"]._fields:
            self.assertIn("o_field_sla_badge_", page.text, "the SLA colour must show")

    def test_field_refused_to_portal_user_and_expert(self):
        for user in (self.customer_a, self.expert_1):
            self.authenticate_as(user)
            for path in ("/field", self.ticket_path(self.visit())):
                page = self.get(path)
                self.assert_clean_page(page, 403, "%s on %s" % (user.login, path))
                self.assertIn("Field operators only", page.text,
                              "%s must get a clear page" % user.login)

    def test_other_operators_ticket_is_not_found(self):
        mine = self.visit()
        theirs = self.visit(operator=self.field_op_2, name="Their secret visit")
        remote = self.new_ticket(name="Remote ticket")  # not a field ticket
        self.authenticate_as(self.field_op)
        for ticket in (theirs, remote):
            page = self.get(self.ticket_path(ticket))
            self.assert_clean_page(page, 404, "another operator's visit")
            self.assertNotIn(ticket.name, page.text, "nothing of it must show")
        page = self.get("/field/ticket/999999999")
        self.assert_clean_page(page, 404, "a visit that does not exist")
        page = self.get(self.ticket_path(mine))
        self.assert_clean_page(page, 200, "the operator's own visit")

    def test_visit_page_shows_messages_and_history(self):
        old = self.new_ticket(name="Last year's leak")
        ticket = self.visit(name="Broken tiles")
        ticket.sudo().message_post(
            body="The customer reported more broken tiles", message_type="comment",
            subtype="mail.mt_comment", author_id=self.customer_a.partner_id.id)
        ticket.sudo().message_post(body="Internal: bring the big ladder",
                                   message_type="comment", subtype="mail.mt_note")
        self.authenticate_as(self.field_op)
        page = self.get(self.ticket_path(ticket))
        self.assert_clean_page(page, 200, "the visit page")
        self.assertIn("more broken tiles", page.text, "the customer's latest message")
        self.assertNotIn("big ladder", page.text, "internal notes are not customer-visible "
                                                  "messages")
        self.assertIn(old.number, page.text, "the customer's incident history")
        self.assertIn("Tablet Test Router", page.text, "the materials the van offers")

    # ------------------------------------------------------------ the visit
    def test_hours_material_resolve_and_sign(self):
        ticket = self.visit(name="Broken tiles")
        path = self.ticket_path(ticket)
        self.authenticate_as(self.field_op)
        response = self.post_form(path + "/timer/start", {}, csrf_from=path)
        self.assertIn(response.status_code, (302, 303), response.text[-3000:])
        self.assertTrue(self.env["helpdesk.ticket.timer"].sudo().search(
            [("user_id", "=", self.field_op.id), ("ticket_id", "=", ticket.id)]),
            "the timer must run")
        self.post_form(path + "/timer/stop", {}, csrf_from=path)
        response = self.post_form(path + "/hours", {"hours": "1:30",
                                                    "description": "Replaced tiles"},
                                  csrf_from=path)
        self.assertTrue(response.headers["Location"].endswith(path), "back to the visit")
        lines = ticket.sudo().timesheet_ids
        self.assertEqual(len(lines), 2, "the timer and the manual entry are logged")
        self.assertAlmostEqual(sum(lines.mapped("unit_amount")), 1.5 + 1 / 60.0, places=4)
        self.post_form(path + "/material", {"product_id": self.router.id, "quantity": "2"},
                       csrf_from=path)
        material = ticket.sudo().material_ids
        self.assertEqual(len(material), 1, "the material must be added")
        self.assertEqual(material.location_id, self.van, "taken from the operator's van")
        page = self.get(path)
        self.assertIn("Short by 1", page.text, "two routers needed, one in the van")
        # a refusal: nothing saved, the reason on the page
        self.post_form(path + "/hours", {"hours": "-2"}, csrf_from=path)
        self.assertEqual(len(ticket.sudo().timesheet_ids), 2, "negative hours are refused")
        page = self.get(path)
        self.assertIn("more than 0", page.text, "the refusal must be explained")
        self.post_form(path + "/resolve", {"resolution": "Replaced six tiles."},
                       csrf_from=path)
        self.assertIn("six tiles", ticket.sudo().resolution, "the resolution is written")
        note = ticket.sudo().delivery_note_ids
        self.assertEqual(len(note), 1, "resolving prepares the delivery note")
        self.assertEqual(note.state, "draft")
        self.post_form(path + "/resolve", {"resolution": "Replaced six tiles."},
                       csrf_from=path)
        self.assertEqual(len(ticket.sudo().delivery_note_ids), 1,
                         "resolving again keeps the one draft note")
        page = self.get(path)
        self.assertIn('action="%s"' % self.sign_path(note), page.text, "the form to sign")
        self.assertIn("Tablet Test Router", page.text, "the note's lines")
        self.assertIn("o_field_note_total", page.text, "the note's total")
        # the customer signs
        data = {"signed_by": SIGNER, "signature": signature_data_url(),
                "sign_key": "tablet-key-0001"}
        response = self.post_form(self.sign_path(note), data, csrf_from=path)
        self.assertIn(response.status_code, (302, 303), "signed: back to the visit")
        self.assertIn(path, response.headers["Location"])
        note.invalidate_cache()
        self.assertEqual(note.state, "signed", "the note must be signed")
        self.assertEqual(note.signed_by, SIGNER)
        self.assertEqual(len(self.invoices(ticket)), 1, "one invoice")
        page = self.get(path)
        self.assertIn("signed by", page.text)
        self.assertIn("invoice %s was sent to %s" % (
            note.invoice_id.number, self.customer_a.partner_id.email), page.text,
            "the page says where the invoice went")
        self.assertIn("/my/ticket/%d/note/%d/pdf" % (ticket.id, note.id), page.text,
                      "the PDF link")
        # the same submission again (the device's replay), then a plain post
        response = self.post_form(self.sign_path(note), data, csrf_from=path)
        self.assertIn(response.status_code, (302, 303), "the same key is the same signature")
        response = self.post_form(self.sign_path(note), {
            "signed_by": "Someone Else", "signature": signature_data_url()}, csrf_from=path)
        self.assertIn(response.status_code, (302, 303), "a signed note stays signed")
        note.invalidate_cache()
        self.assertEqual(note.signed_by, SIGNER, "signed once, by the first signer")
        self.assertEqual(len(self.invoices(ticket)), 1, "still one invoice")
        self.assertEqual(len(ticket.sudo().delivery_note_ids.filtered(
            lambda n: n.state == "signed")), 1, "one signed note")

    # ------------------------------------------------------------- refusals
    def test_bad_signatures_are_refused(self):
        ticket, note = self.ready_note()
        path = self.ticket_path(ticket)
        self.authenticate_as(self.field_op)
        text_url = "data:text/plain;base64," + base64.b64encode(b"not an image").decode()
        cases = [
            ("an empty signature", {"signed_by": SIGNER, "signature": ""}, 400),
            ("a dot", {"signed_by": SIGNER, "signature": signature_data_url("dot")}, 400),
            ("a text data URL", {"signed_by": SIGNER, "signature": text_url}, 400),
            ("no name", {"signed_by": " ", "signature": signature_data_url()}, 400),
            ("a bad key", {"signed_by": SIGNER, "signature": signature_data_url(),
                           "sign_key": "<script>"}, 400),
            ("a huge body", {"signed_by": SIGNER,
                             "signature": "data:image/png;base64," + "A" * (2200 * 1024)},
             413),
        ]
        for why, data, status in cases:
            response = self.post_form(self.sign_path(note), data, csrf_from=path)
            self.assert_clean_page(response, status, why)
            note.invalidate_cache()
            self.assertEqual(note.state, "draft", "%s: nothing signed" % why)
        page = self.post_form(self.sign_path(note), cases[2][1], csrf_from=path)
        self.assertIn("must be a PNG image", page.text, "the page says what is wrong")
        page = self.post_form(self.sign_path(note), cases[5][1], csrf_from=path)
        self.assertIn("too large", page.text, "the page says what is wrong")
        # no CSRF token: Odoo's own refusal
        response = self.post(self.sign_path(note), {
            "signed_by": SIGNER, "signature": signature_data_url()})
        self.assertEqual(response.status_code, 400, "no CSRF token: 400")
        self.assertNotIn("Traceback", response.text)
        note.invalidate_cache()
        self.assertEqual(note.state, "draft", "no CSRF token: nothing signed")
        self.assertFalse(self.invoices(ticket), "no invoice")

    def test_another_operators_note_is_refused(self):
        theirs = self.visit(operator=self.field_op_2)
        self.env["account.analytic.line"].sudo(self.field_op_2).create({
            "helpdesk_ticket_id": theirs.id, "name": "On site", "unit_amount": 1.0,
            "user_id": self.field_op_2.id})
        note = self.env["helpdesk.delivery.note"].sudo(self.field_op_2).create(
            {"ticket_id": theirs.id}).sudo()
        mine = self.visit()
        self.authenticate_as(self.field_op)
        response = self.post_form(self.sign_path(note), {
            "signed_by": SIGNER, "signature": signature_data_url()},
            csrf_from=self.ticket_path(mine))
        self.assertIn(response.status_code, (403, 404), "another operator's note")
        self.assertNotIn("Traceback", response.text)
        note.invalidate_cache()
        self.assertEqual(note.state, "draft", "nothing signed")
        for suffix, data in (("/hours", {"hours": "1"}), ("/resolve", {"resolution": "x"}),
                             ("/material", {"product_id": self.router.id, "quantity": "1"})):
            response = self.post_form(self.ticket_path(theirs) + suffix, data,
                                      csrf_from=self.ticket_path(mine))
            self.assert_clean_page(response, 404, "posting %s on another's visit" % suffix)
        self.assertEqual(len(theirs.sudo().timesheet_ids), 1, "nothing logged on theirs")
        self.assertFalse(theirs.sudo().material_ids, "no material added on theirs")

    # ----------------------------------------------------------------- JSON
    def test_json_answers(self):
        ticket, note = self.ready_note()
        path = self.ticket_path(ticket)
        self.authenticate_as(self.field_op)
        response = self.post_json(self.sign_path(note), {
            "signed_by": SIGNER, "signature": ""}, csrf_from=path)
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json()["status"], "error")
        self.assertIn("empty", response.json()["message"])
        data = {"signed_by": SIGNER, "signature": signature_data_url(),
                "sign_key": "offline-0123456789"}
        for attempt in ("first", "replay"):
            response = self.post_json(self.sign_path(note), data, csrf_from=path)
            self.assertEqual(response.status_code, 200, "%s: signed" % attempt)
            payload = response.json()
            self.assertEqual(payload["status"], "signed", attempt)
            self.assertEqual(payload["note"], note.name)
            self.assertEqual(payload["pdf_url"], "/my/ticket/%d/note/%d/pdf" % (
                ticket.id, note.id))
        self.assertEqual(len(self.invoices(ticket)), 1, "one invoice for the replay")
        other_ticket, other_note = self.ready_note(self.visit(hour=15))
        response = self.post_json(self.sign_path(other_note), data,
                                  csrf_from=self.ticket_path(other_ticket))
        self.assertEqual(response.status_code, 400, "a key is one note's")
        self.assertEqual(response.json()["status"], "error")
        other_note.invalidate_cache()
        self.assertEqual(other_note.state, "draft")

    # -------------------------------------------------------------- offline
    def test_service_worker_and_session(self):
        worker = self.get("/field/sw.js")
        self.assertEqual(worker.status_code, 200)
        self.assertIn("javascript", worker.headers["Content-Type"])
        self.assertEqual(worker.headers.get("Service-Worker-Allowed"), "/field",
                         "the worker's scope is the app, /field included")
        self.assertIn("precache", worker.text)
        session = self.get("/field/session", headers={"Accept": "application/json"})
        self.assertEqual((session.status_code, session.json()["status"]), (401, "login"),
                         "logged out: the device is told to log in again")
        self.authenticate_as(self.expert_1)
        session = self.get("/field/session")
        self.assertEqual(session.status_code, 403, "not a field operator")
        self.authenticate_as(self.field_op)
        session = self.get("/field/session")
        self.assertEqual(session.status_code, 200)
        self.assertEqual(session.json()["uid"], self.field_op.id)
        self.assertEqual(session.headers.get("Cache-Control"), "no-store")
        ticket, note = self.ready_note()
        # the token it gives is good for a post (what the device sends when it is back)
        response = self.post(self.sign_path(note), {
            "csrf_token": session.json()["csrf_token"], "signed_by": SIGNER,
            "signature": signature_data_url(), "sign_key": "session-token-0001"},
            headers={"Accept": "application/json"})
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(response.json()["status"], "signed")
        self.assertEqual(response.json()["signed_by"], SIGNER)

    def test_note_changed_since_the_customer_read_it_is_not_signed(self):
        ticket, note = self.ready_note()
        path = self.ticket_path(ticket)
        self.authenticate_as(self.field_op)
        page = self.get(path)
        digest = re.search(r'name="lines_digest" value="([0-9a-f]{32})"', page.text)
        self.assertTrue(digest, "the sign form carries what the customer reads")
        # meanwhile, more hours are logged from the backend
        self.env["account.analytic.line"].sudo(self.field_op).create({
            "helpdesk_ticket_id": ticket.id, "name": "Logged at the office",
            "unit_amount": 2.0, "user_id": self.field_op.id})
        data = {"signed_by": SIGNER, "signature": signature_data_url(),
                "sign_key": "changed-note-0001", "lines_digest": digest.group(1)}
        response = self.post_json(self.sign_path(note), data, csrf_from=path)
        self.assertEqual(response.status_code, 400, response.text)
        self.assertIn("changed after the customer read it", response.json()["message"])
        note.invalidate_cache()
        self.assertEqual(note.state, "draft", "not signed unseen")
        self.assertFalse(self.invoices(ticket))
        response = self.post_json(self.sign_path(note), dict(data, lines_digest="zz"),
                                  csrf_from=path)
        self.assertEqual(response.status_code, 400, "a malformed fingerprint")
        # the page shows the note as it is now, with the office's hours, and signs
        page = self.get(path)
        self.assertIn("Logged at the office", page.text,
                      "opening the visit brings the note up to date")
        digest = re.search(r'name="lines_digest" value="([0-9a-f]{32})"', page.text)
        response = self.post_json(self.sign_path(note), dict(
            data, lines_digest=digest.group(1)), csrf_from=path)
        self.assertEqual(response.status_code, 200, response.text)
        note.invalidate_cache()
        self.assertEqual((note.state, len(note.line_ids)), ("signed", 2))
