"""The field operator's tablet in headless Chromium (Playwright, touch emulation, the
tablet's viewport in both orientations), against the server as it runs in production:
every request on its own cursor that commits, wkhtmltopdf making the real PDF, Odoo's
mail queue sent to the SMTP sink. The data is committed first under names unique to
the run (tests/committed.py), so no other test meets it.

- The journey: log in, today's visit, a material, hours, resolved on site, the customer
  draws a signature with touch events, submits; then the signed note, its PDF, the
  invoice and the customer's mail.
- Offline: /field opened once, the network cut, the visit opened from the tablet's copy,
  signed, "waiting to send" (also after a reload); the network back, it is sent; one
  note, one invoice. The same submission replayed over plain HTTP changes nothing.

Screenshots of each step land in artifacts/screenshots/field_*.png.
"""
import os
import re
import uuid
from datetime import datetime, time, timedelta

import pytest
import pytz

from odoo import SUPERUSER_ID, fields

from odoo.addons.tktit_helpdesk.tests.common import (
    ARTIFACTS_DIR, CHROMIUM, CHROMIUM_ARGS, MailSink, base_url)
from odoo.addons.tktit_helpdesk.tests.fixtures import set_state
from odoo.addons.tktit_helpdesk_billing.tests.field_common import signature_data_url

from .committed import (
    OPERATOR_TZ, add_work, field_visit, http_login, in_new_transaction)

LANDSCAPE = {"width": 1280, "height": 800}
PORTRAIT = {"width": 800, "height": 1280}
# a signature as a finger draws it: fractions of the pad's width and height
STROKE = [(0.08, 0.62), (0.16, 0.28), (0.24, 0.70), (0.33, 0.35), (0.42, 0.66),
          (0.50, 0.30), (0.60, 0.58), (0.72, 0.40), (0.86, 0.55), (0.92, 0.45)]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    # Playwright's offline mode reaches the service worker's own requests only with
    # this (Chromium): without it the worker would still fetch from the server
    os.environ["PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS"] = "1"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def tablet(browser, viewport):
    """A tablet: touch screen, the given orientation, a fresh profile."""
    context = browser.new_context(base_url=base_url(), viewport=viewport, has_touch=True,
                                  is_mobile=True, device_scale_factor=1,
                                  timezone_id=OPERATOR_TZ,
                                  service_workers="allow")
    context.set_default_timeout(60000)
    return context


def screenshot(page, name, at=None):
    """What the tablet's screen shows (scrolled to ``at``, a selector, else the top)."""
    if at:
        page.locator(at).first.scroll_into_view_if_needed()
    else:
        page.evaluate("window.scrollTo(0, 0)")
    directory = os.path.join(ARTIFACTS_DIR, "screenshots")
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, "field_%s.png" % name)
    page.screenshot(path=path)
    return path


def login(page, user_login):
    page.goto("/web/login?redirect=/field")
    page.fill("input[name=login]", user_login)
    page.fill("input[name=password]", user_login)
    with page.expect_navigation():
        page.click("form.oe_login_form button[type=submit]")
    assert page.url.endswith("/field"), "the operator lands on /field: %s" % page.url


def touch_screen(page):
    """The page's own DevTools session, for touch input and the network switch."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    return cdp


def set_network(page, cdp, online):
    """The tablet loses (or finds) its connection: the page and its service worker
    (Playwright's offline mode), and the page's own DevTools session, whose network
    state the page follows once it exists."""
    page.context.set_offline(not online)
    cdp.send("Network.emulateNetworkConditions", {
        "offline": not online, "latency": 0, "downloadThroughput": -1,
        "uploadThroughput": -1})


def draw_signature(page, cdp):
    """Touch events (Chrome DevTools protocol), the way a finger moves on the pad."""
    pad = page.locator("canvas.o_field_pad")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()

    def point(fx, fy):
        return {"x": box["x"] + box["width"] * fx, "y": box["y"] + box["height"] * fy}

    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart",
                                          "touchPoints": [point(*STROKE[0])]})
    for (x0, y0), (x1, y1) in zip(STROKE, STROKE[1:]):
        for step in range(1, 7):
            t = step / 6.0
            cdp.send("Input.dispatchTouchEvent", {
                "type": "touchMove",
                "touchPoints": [point(x0 + (x1 - x0) * t, y0 + (y1 - y0) * t)]})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    assert pad.get_attribute("data-pointer-type") == "touch", \
        "the pad must have been drawn by touch events"


def tap(page, cdp, selector):
    """A finger's tap, through the same DevTools session as the drawing; a moment
    after the last touch, as a hand would (at once, Chromium takes it for the end of
    the previous gesture and makes no click)."""
    page.wait_for_timeout(500)
    target = page.locator(selector)
    target.scroll_into_view_if_needed()
    box = target.bounding_box()
    point = {"x": box["x"] + box["width"] / 2, "y": box["y"] + box["height"] / 2}
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [point]})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})


def read_back(ticket_id):
    """What the database holds for the ticket, read in a new transaction."""
    def read(env):
        ticket = env["helpdesk.ticket"].browse(ticket_id)
        notes = ticket.delivery_note_ids
        invoices = env["account.invoice"].search([("helpdesk_ticket_id", "=", ticket_id)])
        signed = notes.filtered(lambda n: n.state == "signed")
        pdf = signed[:1].pdf_attachment_id
        return {
            "state": ticket.state, "notes": len(notes), "signed": len(signed),
            "note_id": signed[:1].id, "note": signed[:1].name,
            "signed_by": signed[:1].signed_by, "sign_key": signed[:1].sign_key,
            "hash": signed[:1].signature_hash, "hash_valid": signed[:1].hash_valid,
            "invoices": [(i.number, i.state, i.amount_total) for i in invoices],
            "invoice_of_note": signed[:1].invoice_id.number,
            "pdf_head": (pdf.datas and pdf.datas[:12]) or b"",
            "timesheets": sum(ticket.timesheet_ids.mapped("unit_amount")),
            "materials": [(m.product_id.name, m.quantity, bool(m.move_id))
                          for m in ticket.material_ids],
            "email": ticket.partner_id.email,
        }
    return in_new_transaction(SUPERUSER_ID, read)


def send_mail_queue():
    return in_new_transaction(SUPERUSER_ID, lambda env: MailSink().flush(env))


def local_time(days, hour):
    """``hour`` o'clock in the operator's time zone, ``days`` from today, in UTC."""
    zone = pytz.timezone(OPERATOR_TZ)
    day = datetime.now(zone).date() + timedelta(days=days)
    moment = zone.localize(datetime.combine(day, time(hour)))
    return fields.Datetime.to_string(moment.astimezone(pytz.utc).replace(tzinfo=None))


def setup_visit(tag, with_note=False):
    """The operator's visits of today at 9:00 and 11:00 and of tomorrow at 8:00, in the
    operator's time zone (whatever the hour the test runs), committed."""
    def setup(env):
        ticket, operator, _ops, router = field_visit(
            env, tag, visit_date=local_time(0, 9), stock=3)
        later = ticket.copy({"name": "Later visit %s" % tag,
                             "visit_date": local_time(0, 11)})
        tomorrow = ticket.copy({"name": "Tomorrow's visit %s" % tag,
                                "visit_date": local_time(1, 8)})
        for other in later | tomorrow:
            set_state(other, "in_progress", user_id=operator.id, queue_id=ticket.queue_id.id)
        note = add_work(env, ticket, operator, router, 1.0) if with_note else None
        return {"ticket_id": ticket.id, "number": ticket.number, "login": operator.login,
                "router": router.display_name, "router_id": router.id,
                "note_id": note.id if note else None,
                "later": later.number, "tomorrow": tomorrow.number}
    return in_new_transaction(SUPERUSER_ID, setup)


@pytest.mark.parametrize("orientation", ["landscape", "portrait"])
def test_operator_resolves_on_site_and_customer_signs_with_a_finger(browser, orientation):
    tag = uuid.uuid4().hex[:8]
    visit = setup_visit(tag)
    context = tablet(browser, LANDSCAPE if orientation == "landscape" else PORTRAIT)
    try:
        page = context.new_page()
        cdp = touch_screen(page)
        login(page, visit["login"])
        shot = "%s_" % orientation
        cards = page.locator("article.o_field_visit")
        numbers = cards.locator(".o_field_visit_complaint").all_inner_texts()
        assert [n.split(" · ")[0].strip() for n in numbers] == [
            visit["number"], visit["later"], visit["tomorrow"]], \
            "today's visits in time order, then tomorrow's: %s" % numbers
        assert "Tomorrow" in page.inner_text(".o_field_day_1 .o_field_day_title")
        card = cards.first
        assert "Org %s" % tag in card.inner_text()
        assert "Brussels" in card.locator("a.o_field_map").inner_text()
        assert card.locator("a.o_field_map").get_attribute("href").startswith(
            "https://www.openstreetmap.org/search?query=")
        height = card.locator("a.o_field_visit_open").bounding_box()["height"]
        assert height >= 56, "a visit is a big touch target (%spx)" % height
        screenshot(page, shot + "01_visits")

        with page.expect_navigation():
            card.locator("a.o_field_visit_open").tap()
        assert "/field/ticket/%d" % visit["ticket_id"] in page.url
        assert "drops every hour" in page.inner_text(".o_field_overview")
        screenshot(page, shot + "02_visit")

        page.select_option("form.o_field_material_form select[name=product_id]",
                           str(visit["router_id"]))
        page.fill("form.o_field_material_form input[name=quantity]", "1")
        with page.expect_navigation():
            page.locator("form.o_field_material_form button[type=submit]").tap()
        assert "Material added" in page.inner_text(".o_field_flash")
        assert visit["router"] in page.inner_text(".o_field_materials table")

        page.fill("form.o_field_hours_form input[name=hours]", "1:30")
        page.fill("form.o_field_hours_form input[name=description]", "Replaced the switch")
        with page.expect_navigation():
            page.locator("form.o_field_hours_form button[type=submit]").tap()
        assert "Hours logged" in page.inner_text(".o_field_flash")
        assert "1.50" in page.inner_text(".o_field_hours table")
        screenshot(page, shot + "03_work_logged", at=".o_field_materials")

        page.fill("form.o_field_resolve_form textarea[name=resolution]",
                  "Replaced the broken switch and the router; the network is stable.")
        with page.expect_navigation():
            page.locator("form.o_field_resolve_form button[type=submit]").tap()
        note = page.locator("section.o_field_note")
        assert note.is_visible(), "resolved on site: the delivery note to sign"
        lines = note.locator("tr.o_field_note_line").all_inner_texts()
        assert len(lines) == 2 and any(visit["router"] in line for line in lines), lines
        total = note.locator(".o_field_note_total").inner_text()
        assert re.search(r"\d", total), "the note shows its total: %r" % total

        page.fill("form.o_field_sign_form input[name=signed_by]", "Alice Customer %s" % tag)
        draw_signature(page, cdp)
        screenshot(page, shot + "04_signature", at=".o_field_sign_submit")
        tap(page, cdp, "button.o_field_sign_submit")
        page.wait_for_selector("#signed-notes .o_field_signed_note", timeout=120000)
        signed_text = page.inner_text("#signed-notes")
        assert "Alice Customer %s" % tag in signed_text
        assert "cust.%s@example.com" % tag in signed_text, \
            "the page says where the invoice was sent: %s" % signed_text
        assert page.is_visible(".o_field_visit_done"), \
            "once signed, the visit's page opens on the signed note"
        screenshot(page, shot + "05_signed")

        data = read_back(visit["ticket_id"])
        assert (data["signed"], data["notes"]) == (1, 1)
        assert data["signed_by"] == "Alice Customer %s" % tag and data["hash_valid"]
        assert len(data["invoices"]) == 1 and data["invoices"][0][1] == "open", data
        assert data["invoice_of_note"] == data["invoices"][0][0]
        assert data["timesheets"] == 1.5
        assert data["materials"] == [(visit["router"], 1.0, True)]
        assert data["state"] == "delivered", "a billable visit is delivered until paid"
        assert data["pdf_head"].startswith(b"JVBERi0"), "the stored note is a real PDF"

        pdf = page.request.get(page.get_attribute("a.o_field_note_pdf", "href"))
        assert pdf.status == 200 and pdf.body().startswith(b"%PDF"), \
            "the note's PDF link gives the PDF"
        assert "application/pdf" in pdf.headers["content-type"]

        mails = [m for m in send_mail_queue() if data["email"] in m.to]
        invoice_mails = [m for m in mails if data["invoices"][0][0] in m.subject]
        assert len(invoice_mails) == 1, "one invoice mail to the customer: %s" % mails
        attached = [part.get_filename() for part in invoice_mails[0].message.iter_attachments()]
        assert any(name.endswith(".pdf") for name in attached), attached
    finally:
        context.close()


def test_signature_taken_offline_is_sent_once_when_the_connection_returns(browser):
    tag = uuid.uuid4().hex[:8]
    visit = setup_visit(tag, with_note=True)
    context = tablet(browser, LANDSCAPE)
    try:
        page = context.new_page()
        cdp = touch_screen(page)
        login(page, visit["login"])
        page.wait_for_selector(".o_field_offline_ready[data-saved]")
        saved = int(page.get_attribute(".o_field_offline_ready", "data-saved"))
        assert saved == 3, "the three visits are saved on the tablet (%s)" % saved
        assert page.inner_text(".o_field_net") == "Online"

        # what changes on the server from now on does not reach the offline tablet
        in_new_transaction(SUPERUSER_ID, lambda env: env["helpdesk.ticket"].browse(
            visit["ticket_id"]).write({"name": "Renamed while offline %s" % tag}))
        set_network(page, cdp, online=False)
        page.goto("/field/ticket/%d" % visit["ticket_id"])
        assert page.inner_text(".o_field_net") == "Offline"
        assert page.is_visible(".o_field_offline_copy")
        overview = page.inner_text(".o_field_overview")
        assert "Visit %s" % tag in overview and "Renamed" not in overview, \
            "offline, the visit is the copy saved on the tablet: %s" % overview
        screenshot(page, "offline_01_visit")

        page.fill("form.o_field_sign_form input[name=signed_by]", "Bob Offline %s" % tag)
        draw_signature(page, cdp)
        tap(page, cdp, "button.o_field_sign_submit")
        page.wait_for_selector(".o_field_sign_waiting:not([hidden])")
        assert "waiting to send" in page.inner_text(".o_field_sign_waiting")
        assert "1 signature is waiting to be sent" in page.inner_text(".o_field_outbox")
        assert not page.is_visible("form.o_field_sign_form"), \
            "a signature waiting to be sent is not taken twice"
        screenshot(page, "offline_02_waiting")
        screenshot(page, "offline_03_waiting_note", at=".o_field_sign_waiting")
        assert read_back(visit["ticket_id"])["signed"] == 0

        # still there after the page is opened again, from the tablet's copy
        page.goto("/field")
        assert "waiting to be sent" in page.inner_text(".o_field_outbox")
        page.goto("/field/ticket/%d" % visit["ticket_id"])
        assert page.is_visible(".o_field_sign_waiting")

        set_network(page, cdp, online=True)
        page.evaluate("window.dispatchEvent(new Event('online'))")  # as the OS does
        page.wait_for_selector("#signed-notes .o_field_signed_note", timeout=120000)
        page.wait_for_selector(".o_field_outbox_done")
        assert "Sent: " in page.inner_text(".o_field_outbox")
        assert page.evaluate("window.tktitField.outbox.items().length") == 0
        assert page.inner_text(".o_field_net") == "Online"
        screenshot(page, "offline_04_sent")

        data = read_back(visit["ticket_id"])
        assert (data["signed"], data["notes"], len(data["invoices"])) == (1, 1, 1), data
        assert data["signed_by"] == "Bob Offline %s" % tag and data["sign_key"]

        # the same submission again, by plain HTTP from another session: still one
        device = http_login(visit["login"], visit["login"])
        session = device.get(base_url() + "/field/session", timeout=60).json()
        replay = device.post(
            base_url() + "/field/note/%d/sign" % data["note_id"], timeout=120,
            headers={"Accept": "application/json"},
            data={"csrf_token": session["csrf_token"], "signed_by": "Someone Else",
                  "signature": signature_data_url(), "sign_key": data["sign_key"]})
        assert replay.status_code == 200, replay.text
        assert replay.json()["status"] == "signed"
        assert replay.json()["signed_by"] == "Bob Offline %s" % tag
        again = read_back(visit["ticket_id"])
        assert (again["signed"], len(again["invoices"]), again["hash"]) == (
            1, 1, data["hash"]), "a replay signs nothing again"
    finally:
        context.close()
