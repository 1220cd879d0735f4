# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The field operator's tablet: today's visits (``/field``), a visit's page
(``/field/ticket/<id>``: hours, materials, resolved on site, the delivery note to sign)
and the signature (``POST /field/note/<id>/sign``).

Thin routes: who may open what is checked here (the ticket's assigned operator, or a
field manager), every change is the model's, called as the logged-in user inside a
transaction (a refusal rolls back whatever the call had started and becomes a
message on the page); the pages render sudo records, after that check."""
import json
import re
from datetime import timedelta

from werkzeug.urls import url_quote_plus
from werkzeug.utils import redirect

from odoo import SUPERUSER_ID, _, api, fields, http
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.http import Response, request
from odoo.modules import get_module_resource
from odoo.tools import html2plaintext

from odoo.addons.tktit_helpdesk.models import local_date

FIELD_OPERATOR = "tktit_helpdesk_billing.group_field_operator"
FIELD_MANAGER = "tktit_helpdesk.group_helpdesk_manager"
SESSION_FLASH_KEY = "tktit_field_flash"
# a signature is a few tens of KB: anything much larger is refused before the model
MAX_SIGN_BODY = 2 * 1024 * 1024
SIGN_KEY = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
LINES_DIGEST = re.compile(r"^[0-9a-f]{32}$")
# the service worker lives under /field/ and serves the whole app, /field included
SERVICE_WORKER = ("tktit_helpdesk_billing", "static", "src", "js", "field_sw.js")
SERVICE_WORKER_SCOPE = "/field"
MAX_MESSAGES = 10
MAX_HISTORY = 5
MAX_PRODUCTS = 300
MATERIAL_TYPES = ("product", "consu")
OSM_SEARCH = "https://www.openstreetmap.org/search?query="
WORK_STATES = ("in_progress", "awaiting_customer")
REFUSALS = (UserError, ValidationError, AccessError, MissingError)


class FieldApp(http.Controller):

    # ------------------------------------------------------------- access
    def _is_field_user(self):
        user = request.env.user
        return user.has_group(FIELD_OPERATOR) or user.has_group(FIELD_MANAGER)

    def _is_field_manager(self):
        return request.env.user.has_group(FIELD_MANAGER)

    def _field_ticket_check_access(self, ticket_id):
        """The field ticket as sudo, once the user may work it: its assigned operator
        (who also passes the ticket's record rules) or a field manager. MissingError
        for anything else, so that a stranger's ticket looks like no ticket."""
        ticket = request.env["helpdesk.ticket"].browse(ticket_id)
        ticket_sudo = ticket.sudo().exists()
        if not ticket_sudo or not ticket_sudo.is_field:
            raise MissingError(_("This visit does not exist."))
        if ticket_sudo.user_id != request.env.user and not self._is_field_manager():
            raise MissingError(_("This visit does not exist."))
        try:
            ticket.check_access_rights("read")
            ticket.check_access_rule("read")
        except AccessError:
            raise MissingError(_("This visit does not exist."))
        return ticket_sudo

    # ------------------------------------------------------------ helpers
    def _flash(self, kind, text):
        request.session[SESSION_FLASH_KEY] = {"kind": kind, "text": text}

    def _pop_flash(self):
        return request.session.pop(SESSION_FLASH_KEY, None)

    def _wants_json(self):
        return "application/json" in (request.httprequest.headers.get("Accept") or "")

    def _error_page(self, status, title, message, ticket=None):
        return request.render("tktit_helpdesk_billing.field_error", {
            "status": status, "title": title, "message": message, "ticket": ticket,
            "user": request.env.user,
        }, status=status)

    def _forbidden(self):
        return self._error_page(403, _("Field operators only"), _(
            "This page is the field operator's tablet app. Your account is not a field "
            "operator: ask your helpdesk manager, or go back to your usual pages."))

    def _not_found(self):
        return self._error_page(404, _("Visit not found"), _(
            "This visit does not exist or is not assigned to you."))

    def _rollback(self):
        """Undo what a refused call had started: the whole request's transaction (it
        did nothing else), then forget the cached values. Not a savepoint: in test mode
        a cache miss of a decimal precision opens the registry's test cursor and its
        "commit" releases every savepoint (LazyCursor in odoo.fields.Float.digits)."""
        request.env.cr.rollback()
        request.env.clear()

    def _run(self, method, *args, **kwargs):
        """Call ``method`` (a callable doing the model calls as the user); a refusal
        rolls back and is flashed. True when it went through."""
        try:
            method(*args, **kwargs)
        except REFUSALS as error:
            self._rollback()
            self._flash("danger", error.name)
            return False
        return True

    def _ticket_url(self, ticket):
        return "/field/ticket/%d" % ticket.id

    def _local_time(self, value, kind="time"):
        """A stored UTC datetime as the operator reads it (their language's calendar and
        digits, their time zone)."""
        return request.env.user.partner_id.format_local_datetime(value, kind) if value else ""

    def _saved_at(self):
        """When the page was made, in the operator's time: an offline copy says it."""
        return self._local_time(fields.Datetime.now())

    def _site_address(self, ticket):
        site = ticket.site_partner_id or ticket.partner_id
        lines = [line.strip() for line in
                 (site._display_address(without_company=True) or "").splitlines()]
        return ", ".join(line for line in lines if line)

    def _map_url(self, address):
        return OSM_SEARCH + url_quote_plus(address) if address else ""

    def _sla_state(self, ticket):
        # tktit_helpdesk_sla is optional: billing does not depend on it
        return ticket.sla_state if "sla_state" in ticket._fields else False

    def _visit_values(self, ticket):
        """What a visit card shows (``ticket`` a sudo record)."""
        address = self._site_address(ticket)
        text = html2plaintext(ticket.description or "").strip()
        priorities = dict(ticket._fields["priority"]._description_selection(request.env))
        return {
            "ticket": ticket,
            "time": self._local_time(ticket.visit_date),
            "customer": ticket.partner_id.commercial_partner_id.name
            if ticket.partner_id.commercial_partner_id != ticket.partner_id
            else ticket.partner_id.name,
            "contact": ticket.partner_id,
            "address": address,
            "map_url": self._map_url(address),
            "summary": text if len(text) <= 160 else text[:157].rstrip() + "...",
            "description": text,
            "priority": ticket.priority,
            "priority_label": priorities.get(ticket.priority, ""),
            "sla_state": self._sla_state(ticket),
            "state_label": ticket._state_label(ticket.state),
        }

    def _parse_hours(self, value):
        """Hours typed on the tablet: ``1.5``, ``1,5`` or ``1:30``."""
        value = (value or "").strip()
        try:
            if ":" in value:
                hours, minutes = value.split(":", 1)
                number = int(hours or 0) + int(minutes or 0) / 60.0
            else:
                number = float(value.replace(",", "."))
        except ValueError:
            raise ValidationError(_("Type the hours as a number, e.g. 1.5 or 1:30."))
        if not 0 < number <= 24:
            raise ValidationError(_("The hours worked must be more than 0 and at most 24 "
                                    "(got %s).") % value)
        return number

    def _parse_quantity(self, value):
        try:
            quantity = float((value or "").strip().replace(",", "."))
        except ValueError:
            raise ValidationError(_("Type the quantity as a number."))
        if quantity <= 0:
            raise ValidationError(_("The quantity must be more than zero."))
        return quantity

    def _draft_note(self, ticket_sudo):
        return ticket_sudo.delivery_note_ids.filtered(lambda n: n.state == "draft")[:1]

    def _refresh_draft_note(self, ticket_sudo):
        """The draft note shows the hours and materials just logged (as the user)."""
        note = self._draft_note(ticket_sudo)
        if note:
            request.env["helpdesk.delivery.note"].browse(note.id).action_refresh_lines()

    def _invoice_recipient(self, note):
        """Where the invoice mail went (the invoice template's recipient)."""
        invoice = note.invoice_id
        if not invoice:
            return ""
        return invoice.partner_id.email or note.ticket_id.partner_id.email or ""

    def _pdf_url(self, note):
        return "/my/ticket/%d/note/%d/pdf" % (note.ticket_id.id, note.id)

    def _products(self, location):
        """The materials the operator may add (stockable or consumable, untracked),
        with what the location holds of each."""
        products = request.env["product.product"].search(
            [("type", "in", MATERIAL_TYPES), ("tracking", "=", "none")],
            order="name, id", limit=MAX_PRODUCTS)
        if not location:
            return [(product, None) for product in products]
        # sudo: the quantities of the operator's own van and the warehouse stock
        stocked = products.sudo().with_context(location=location.id)
        return [(product, qty) for product, qty in
                zip(products, stocked.mapped("qty_available"))]

    # ------------------------------------------------------------- /field
    @http.route(["/field"], type="http", auth="user", methods=["GET"])
    def field_visits(self, **kw):
        """Today's visits, in order of the planned time, then tomorrow's: the field
        operator's own; a field manager sees every operator's."""
        if not self._is_field_user():
            return self._forbidden()
        Ticket = request.env["helpdesk.ticket"]
        user = request.env.user.with_context(tz=request.env.user.tz)  # the operator's zone
        today = fields.Date.from_string(fields.Date.context_today(user))
        days = []
        for day, label in ((today, _("Today")), (today + timedelta(days=1), _("Tomorrow"))):
            start, end = local_date.day_bounds(day, user.tz)
            domain = [("is_field", "=", True), ("visit_date", ">=", start),
                      ("visit_date", "<", end), ("state", "!=", "cancelled")]
            if not self._is_field_manager():
                domain.append(("user_id", "=", request.env.uid))
            # searched as the user (record rules); read as sudo for the cards
            tickets = Ticket.search(domain, order="visit_date, priority desc, id")
            days.append({"label": label, "date": day,
                         "visits": [self._visit_values(t) for t in tickets.sudo()]})
        return request.render("tktit_helpdesk_billing.field_visits", {
            "days": days, "user": request.env.user, "manager": self._is_field_manager(),
            "flash": self._pop_flash(), "saved_at": self._saved_at(),
        })

    # ---------------------------------------------------------- the visit
    def _ticket_page_values(self, ticket):
        user = request.env.user
        mine = request.env["helpdesk.ticket"].browse(ticket.id)  # the user's timer
        messages = ticket.message_ids.filtered(
            lambda m: m.message_type in ("comment", "email") and m.subtype_id
            and not m.subtype_id.internal).sorted("id", reverse=True)[:MAX_MESSAGES]
        history = ticket.history_ticket_ids[:MAX_HISTORY]
        timesheets = ticket.timesheet_ids.sorted(lambda l: (l.date, l.id), reverse=True)
        if not self._is_field_manager():
            timesheets = timesheets.filtered(lambda l: l.user_id == user)
        location = ticket.material_location_id
        notes = ticket.delivery_note_ids
        signed = notes.filtered(lambda n: n.state == "signed").sorted(
            lambda n: (n.signed_on or "", n.id), reverse=True)
        draft = self._draft_note(ticket)
        values = self._visit_values(ticket)
        values.update({
            # signed, nothing left to sign and no more work planned: the signed note
            # comes first on the page
            "visit_done": bool(signed) and not draft and ticket.state not in WORK_STATES,
            "user": user,
            "manager": self._is_field_manager(),
            "messages": messages,
            "history": history,
            "state_labels": dict(ticket._fields["state"]._description_selection(
                request.env)),
            "timesheets": timesheets,
            "total_hours": ticket.total_hours,
            "timer_running": mine.timer_running,
            "timer_start": self._local_time(mine.timer_start),
            "location": location,
            "materials": ticket.material_ids,
            "products": self._products(location),
            "resolution_text": html2plaintext(ticket.resolution or "").strip(),
            "draft_note": draft,
            "signed_notes": [{"note": note, "pdf_url": self._pdf_url(note),
                              "invoice_to": self._invoice_recipient(note)}
                             for note in signed],
            "flash": self._pop_flash(),
            "saved_at": self._saved_at(),
            # no time limit: a page kept offline for hours still posts (the token is
            # bound to the session); field_app.js asks /field/session for a fresh one
            "csrf": request.csrf_token(None),
            "local_time": self._local_time,
        })
        return values

    @http.route(["/field/ticket/<int:ticket_id>"], type="http", auth="user",
                methods=["GET"])
    def field_ticket(self, ticket_id, **kw):
        if not self._is_field_user():
            return self._forbidden()
        try:
            ticket = self._field_ticket_check_access(ticket_id)
        except (AccessError, MissingError):
            return self._not_found()
        # the note the customer reads is the ticket's work as it is now (hours may
        # have been logged from the backend or another device since)
        user_ticket = request.env["helpdesk.ticket"].browse(ticket.id)
        self._run(self._refresh_draft_note, user_ticket)
        return request.render("tktit_helpdesk_billing.field_ticket",
                              self._ticket_page_values(ticket))

    def _post_on_ticket(self, ticket_id, work, success):
        """Shared shape of the visit's forms: check, run ``work(ticket)`` (the user's
        record; rolled back when refused), flash ``success`` or the refusal, back to
        the visit's page."""
        if not self._is_field_user():
            return self._forbidden()
        try:
            ticket_sudo = self._field_ticket_check_access(ticket_id)
        except (AccessError, MissingError):
            return self._not_found()
        ticket = request.env["helpdesk.ticket"].browse(ticket_sudo.id)
        if self._run(work, ticket):
            self._flash("success", success)
        return redirect(self._ticket_url(ticket_sudo), code=303)

    @http.route(["/field/ticket/<int:ticket_id>/hours"], type="http", auth="user",
                methods=["POST"])
    def field_ticket_hours(self, ticket_id, hours="", description="", **kw):
        def work(ticket):
            amount = self._parse_hours(hours)
            request.env["account.analytic.line"].create({
                "helpdesk_ticket_id": ticket.id,
                "name": (description or "").strip() or _("Work on site"),
                "unit_amount": amount,
                "user_id": request.env.uid,
                "date": fields.Date.context_today(ticket),
            })
            self._refresh_draft_note(ticket.sudo())
        return self._post_on_ticket(ticket_id, work, _("Hours logged."))

    @http.route(["/field/ticket/<int:ticket_id>/timer/<any(start,stop):action>"],
                type="http", auth="user", methods=["POST"])
    def field_ticket_timer(self, ticket_id, action, **kw):
        def work(ticket):
            if action == "start":
                ticket.action_timer_start()
            else:
                ticket.action_timer_stop()
                self._refresh_draft_note(ticket.sudo())
        message = _("Timer started.") if action == "start" else \
            _("Timer stopped: the time is logged.")
        return self._post_on_ticket(ticket_id, work, message)

    @http.route(["/field/ticket/<int:ticket_id>/material"], type="http", auth="user",
                methods=["POST"])
    def field_ticket_material(self, ticket_id, product_id="", quantity="", **kw):
        def work(ticket):
            try:
                product = int(product_id)
            except (TypeError, ValueError):
                raise ValidationError(_("Choose the material to add."))
            product = request.env["product.product"].browse(product).exists()
            if not product or product.type not in MATERIAL_TYPES:
                raise ValidationError(_("Choose a stockable or consumable product."))
            request.env["helpdesk.ticket.material"].create({
                "ticket_id": ticket.id, "product_id": product.id,
                "quantity": self._parse_quantity(quantity),
            })
            self._refresh_draft_note(ticket.sudo())
        return self._post_on_ticket(ticket_id, work, _("Material added."))

    @http.route(["/field/ticket/<int:ticket_id>/resolve"], type="http", auth="user",
                methods=["POST"])
    def field_ticket_resolve(self, ticket_id, resolution="", **kw):
        """Resolved on site: the resolution (as the user), then the draft delivery note
        the customer signs (created, or brought up to date)."""
        def work(ticket):
            ticket.action_resolve_on_site(resolution)
        return self._post_on_ticket(
            ticket_id, work, _("Resolved on site: the customer can read and sign the "
                               "delivery note below."))

    # ------------------------------------------------------------ offline
    @http.route(["/field/sw.js"], type="http", auth="public", methods=["GET"])
    def field_service_worker(self, **kw):
        """The service worker that keeps the app readable without a connection. Served
        here rather than from /static so that its scope can be the app (/field)."""
        with open(get_module_resource(*SERVICE_WORKER), "rb") as script:
            body = script.read()
        return Response(body, status=200, headers=[
            ("Content-Type", "application/javascript; charset=utf-8"),
            ("Service-Worker-Allowed", SERVICE_WORKER_SCOPE),
            ("Cache-Control", "no-cache"),
        ])

    @http.route(["/field/session"], type="http", auth="public", methods=["GET"])
    def field_session(self, **kw):
        """Who is logged in on this device and a fresh CSRF token, as JSON: the device
        asks before sending a signature it kept offline (its page's token may belong to
        an older session). 401 when logged out, 403 for other users."""
        uid = request.session.uid
        if not uid:
            return self._json(401, {"status": "login", "message": _(
                "Log in again to send what is waiting on this tablet.")})
        if not self._is_field_user():
            return self._json(403, {"status": "error", "message": _(
                "Only field operators take signatures.")})
        return self._json(200, {"status": "ok", "uid": uid,
                                "csrf_token": request.csrf_token(None)})

    def _json(self, status, values):
        return Response(json.dumps(values), status=status, headers=[
            ("Content-Type", "application/json"), ("Cache-Control", "no-store")])

    # ---------------------------------------------------------- signature
    def _sign_error(self, status, message, ticket=None):
        if self._wants_json():
            return self._json(status, {"status": "error", "message": message})
        titles = {400: _("Not signed"), 403: _("Not allowed"), 404: _("Not found"),
                  413: _("Too large")}
        return self._error_page(status, titles.get(status, _("Not signed")), message,
                                ticket=ticket)

    def _signature_answer(self, note):
        """What the device is told of a signed note (``note`` a sudo record)."""
        return {
            "note": note.name, "note_id": note.id, "ticket_id": note.ticket_id.id,
            "signed_by": note.signed_by, "pdf_url": self._pdf_url(note),
            "invoice": note.invoice_id.number or None,
            "invoice_sent_to": self._invoice_recipient(note) or None,
        }

    def _committed_signature(self, note_id):
        """The answer read in a new transaction, which sees the twin's commit. sudo:
        the caller's access to the note was checked by the route and ``action_sign``."""
        with api.Environment.manage(), request.env.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, dict(request.env.context))
            return self._signature_answer(env["helpdesk.delivery.note"].browse(note_id))

    @http.route(["/field/note/<int:note_id>/sign"], type="http", auth="user",
                methods=["POST"])
    def field_note_sign(self, note_id, signed_by="", signature="", sign_key=None,
                        lines_digest=None, **kw):
        """The customer's signature: ``action_sign`` as the user (the model checks who
        signs, the signature and the state; a repeated ``sign_key`` is the same
        signature). HTML: back to the visit, which shows the signed note; with
        ``Accept: application/json`` (the device replaying an offline signature): a
        JSON status. ``lines_digest``: what the customer read (see
        ``helpdesk.delivery.note.get_lines_digest``)."""
        # werkzeug has parsed the form already (Odoo does it before the CSRF check):
        # the declared size still turns a huge post into a clear refusal
        if (request.httprequest.content_length or 0) > MAX_SIGN_BODY:
            return self._sign_error(413, _(
                "The signature is too large to be sent (at most %d MB): clear the box "
                "and sign again.") % (MAX_SIGN_BODY // (1024 * 1024)))
        if not self._is_field_user():
            return self._sign_error(403, _("Only field operators take signatures."))
        note = request.env["helpdesk.delivery.note"].browse(note_id)
        note_sudo = note.sudo().exists()
        if not note_sudo:
            return self._sign_error(404, _("This delivery note does not exist."))
        try:
            ticket = self._field_ticket_check_access(note_sudo.ticket_id.id)
            note.check_access_rights("read")
            note.check_access_rule("read")
        except (AccessError, MissingError):
            return self._sign_error(404, _(
                "This delivery note does not exist or is not one of your visits."))
        sign_key = (sign_key or "").strip() or None
        if sign_key and not SIGN_KEY.match(sign_key):
            return self._sign_error(400, _("The submission key is not valid."), ticket)
        lines_digest = (lines_digest or "").strip() or None
        if lines_digest and not LINES_DIGEST.match(lines_digest):
            return self._sign_error(400, _("The note's fingerprint is not valid."), ticket)
        try:
            note.action_sign(signed_by, signature, sign_key=sign_key,
                             lines_digest=lines_digest)
        except (UserError, ValidationError) as error:
            self._rollback()
            return self._sign_error(400, error.name, ticket)
        except (AccessError, MissingError) as error:
            self._rollback()
            return self._sign_error(403, error.name, ticket)
        note_sudo.invalidate_cache()
        if note_sudo.state != "signed":
            # signed by its twin, committed at the same moment: this transaction's
            # snapshot predates it (the model returned without signing again)
            answer = self._committed_signature(note_sudo.id)
        else:
            answer = self._signature_answer(note_sudo)
        if self._wants_json():
            return self._json(200, dict(answer, status="signed"))
        message = _("Delivery note %(note)s signed by %(name)s.") % {
            "note": answer["note"], "name": answer["signed_by"]}
        if answer["invoice_sent_to"]:
            message += " " + _("The invoice was sent to %s.") % answer["invoice_sent_to"]
        self._flash("success", message)
        return redirect("%s#signed-notes" % self._ticket_url(ticket), code=303)
