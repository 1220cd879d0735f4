# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import base64
import binascii
import hashlib
import io
import json
import logging
import re

import psycopg2
import pytz

from odoo import SUPERUSER_ID, _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from odoo.addons.tktit_helpdesk.models import local_date
from odoo.addons.tktit_helpdesk.models.helpdesk_ticket import DONE_STATES

try:
    from PIL import Image
except ImportError:  # Pillow is one of Odoo's own requirements
    Image = None

_logger = logging.getLogger(__name__)

MANAGER = "tktit_helpdesk.group_helpdesk_manager"
OPERATIONS = "tktit_helpdesk.group_helpdesk_user"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
DATA_URL = re.compile(r"^data:(?P<mime>[\w/+.-]+)(?P<params>(;[\w=.-]+)*);base64,(?P<data>.*)$",
                      re.DOTALL)
# A finger signature drawn on a tablet canvas is a few tens of KB; this leaves room
# for a large, high-resolution pad and refuses anything that is not a signature.
MAX_SIGNATURE_BYTES = 512 * 1024
MAX_SIGNATURE_PIXELS = 4000 * 4000
# "Non-empty strokes": enough inked pixels, spread over more than a dot.
MIN_INKED_PIXELS = 50
MIN_STROKE_EXTENT = 20
# The lifecycle states in which a ticket's work is still being done or handed over.
SIGNABLE_STATES = ("in_progress", "awaiting_customer", "delivered")
# The asset bundles of Odoo's PDF layouts (web.report_layout, which renders reports as
# "editable", and web.minimal_layout).
REPORT_BUNDLES = ("web.assets_common", "web.report_assets_common", "web.report_assets_pdf",
                  "web_editor.summernote", "web_editor.assets_editor",
                  "web.report_assets_editor")
# Context key of the note's own writes (see _write_signed): a Python object, which no
# RPC caller can put in a context.
FREEZE_KEY = "tktit_delivery_note_write"
_FREEZE_TOKEN = object()
# What the signature covers, besides the lines: changing any of these after signing is
# refused, and the stored hash proves it was not changed in the database either.
SIGNED_FIELDS = frozenset([
    "ticket_id", "partner_id", "site_partner_id", "line_ids", "signed_by", "signed_on",
    "signature", "coverage", "coverage_reason", "amount_untaxed", "amount_tax",
    "amount_total", "currency_id", "signed_snapshot", "signature_hash", "name",
])
# What nobody changes on a signed note (the note's own code aside).
FROZEN_FIELDS = SIGNED_FIELDS | frozenset([
    "state", "invoice_id", "pdf_attachment_id", "sign_key", "user_id", "cancel_reason",
    "commercial_partner_id", "picking_ids",
])


def decode_signature(signature):
    """PNG bytes from ``signature`` (PNG bytes in base64, or a PNG data URL), checked:
    really a PNG, within the size limit, with strokes that are more than a dot.
    Raises ValidationError with what is wrong."""
    if isinstance(signature, bytes):
        signature = signature.decode("ascii", "replace")
    signature = (signature or "").strip()
    if not signature:
        raise ValidationError(_("The signature is empty: the customer signs in the box."))
    match = DATA_URL.match(signature)
    if match:
        if match.group("mime").lower() != "image/png":
            raise ValidationError(_("The signature must be a PNG image (got %s).")
                                  % match.group("mime"))
        signature = match.group("data")
    elif signature.startswith("data:"):
        raise ValidationError(_("The signature is not a base64 PNG data URL."))
    # base64 grows by 4/3: refuse a huge payload before decoding it
    if len(signature) > MAX_SIGNATURE_BYTES * 4 // 3 + 4:
        raise ValidationError(_("The signature image is too large (at most %d KB).")
                              % (MAX_SIGNATURE_BYTES // 1024))
    try:
        png = base64.b64decode(re.sub(r"\s+", "", signature), validate=True)
    except (binascii.Error, ValueError):
        raise ValidationError(_("The signature is not valid base64 data."))
    if len(png) > MAX_SIGNATURE_BYTES:
        raise ValidationError(_("The signature image is too large (at most %d KB).")
                              % (MAX_SIGNATURE_BYTES // 1024))
    if not png.startswith(PNG_MAGIC):
        raise ValidationError(_("The signature is not a PNG image."))
    _check_strokes(png)
    return png


def _check_strokes(png):
    """The image decodes, and holds ink: enough pixels that differ from the background
    (transparent or white), spread wider or taller than a dot."""
    try:
        image = Image.open(io.BytesIO(png))
        if image.width * image.height > MAX_SIGNATURE_PIXELS:
            raise ValidationError(_("The signature image is too large (%(w)dx%(h)d pixels).")
                                  % {"w": image.width, "h": image.height})
        image.load()
    except ValidationError:
        raise
    except Exception:
        raise ValidationError(_("The signature is not a readable PNG image."))
    rgba = image.convert("RGBA")
    # ink: opaque enough and darker than paper
    alpha = rgba.getchannel("A").point(lambda a: 255 if a > 32 else 0)
    dark = rgba.convert("L").point(lambda v: 255 if v < 200 else 0)
    ink = Image.composite(dark, Image.new("L", rgba.size, 0), alpha)
    box = ink.getbbox()
    inked = sum(ink.histogram()[255:])
    if not box or inked < MIN_INKED_PIXELS or max(box[2] - box[0], box[3] - box[1]) < \
            MIN_STROKE_EXTENT:
        raise ValidationError(_("The signature is empty or only a dot: the customer "
                                "signs with their name in the box."))


class HelpdeskDeliveryNote(models.Model):
    """The note the customer signs at the end of a visit: what was done (hours) and
    used (materials), copied from the ticket when it is signed.

    ``action_sign(signed_by, signature)`` signs a draft note once, however often and
    from however many transactions at the same moment it is called: it validates the
    signature, copies the ticket's not yet signed hours and materials into the note,
    freezes it with the SHA-256 of what was signed, consumes the materials (a done
    picking per source location), creates the invoice of a billable note
    (``helpdesk.ticket._invoice_delivery_note``), renders the PDF, mails it and the
    invoice to the customer, and hands over to the ticket
    (``helpdesk.ticket._on_delivery_note_signed``: the state). A signed note changes no
    more; a helpdesk manager may cancel it with a reason.

    Extension points: ``_check_may_sign()``, ``_prepare_line_values()``,
    ``_action_sign(signed_by, png)``, ``_prepare_snapshot()``.
    """
    _name = "helpdesk.delivery.note"
    _description = "Delivery Note"
    _inherit = ["mail.thread"]
    _order = "id desc"

    name = fields.Char(string="Reference", required=True, readonly=True, copy=False,
                       default="/", index=True)
    ticket_id = fields.Many2one(
        "helpdesk.ticket", string="Ticket", required=True, index=True, ondelete="restrict",
        readonly=True, states={"draft": [("readonly", False)]})
    company_id = fields.Many2one(related="ticket_id.company_id", store=True, readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id", store=True,
                                  readonly=True)
    # copied from the ticket while the note is a draft (_refresh_lines), then frozen
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True,
                                 index=True)
    commercial_partner_id = fields.Many2one(
        "res.partner", string="Customer Organisation", readonly=True, index=True)
    site_partner_id = fields.Many2one("res.partner", string="Site Address", readonly=True)
    user_id = fields.Many2one(
        "res.users", string="Field Operator", readonly=True,
        help="Who took the signature.")
    state = fields.Selection(
        [("draft", "Draft"), ("signed", "Signed"), ("cancelled", "Cancelled")],
        required=True, default="draft", readonly=True, copy=False, index=True,
        track_visibility="onchange")
    line_ids = fields.One2many(
        "helpdesk.delivery.note.line", "note_id", string="Lines", copy=False,
        readonly=True)
    coverage = fields.Selection(
        [("billable", "Billable"), ("warranty", "Warranty"), ("contract", "Contract")],
        readonly=True, help="The ticket's coverage, frozen when the note is signed.")
    coverage_reason = fields.Char(
        readonly=True, help="Why the visit is free of charge (the contract or the "
                            "warranty).")
    amount_untaxed = fields.Monetary(compute="_compute_amounts", store=True,
                                     string="Untaxed Amount")
    amount_tax = fields.Monetary(compute="_compute_amounts", store=True, string="Taxes")
    amount_total = fields.Monetary(compute="_compute_amounts", store=True, string="Total")
    signed_by = fields.Char(readonly=True, copy=False, track_visibility="onchange",
                            help="The name the customer typed when signing.")
    signed_on = fields.Datetime(readonly=True, copy=False)
    signature = fields.Binary(readonly=True, copy=False, attachment=False,
                              help="The customer's signature, a PNG image.")
    signed_snapshot = fields.Text(
        readonly=True, copy=False, groups="base.group_user",
        help="What was signed, as canonical JSON: the lines, totals, signer, time and "
             "the signature's own SHA-256.")
    signature_hash = fields.Char(
        string="SHA-256", readonly=True, copy=False, index=True,
        help="SHA-256 of the signed snapshot: printed on the PDF; any later change of "
             "the note shows as a mismatch.")
    hash_valid = fields.Boolean(
        compute="_compute_hash_valid", string="Integrity Verified",
        help="The note's data still matches the hash stored when it was signed.")
    invoice_id = fields.Many2one("account.invoice", string="Invoice", readonly=True,
                                 copy=False, index=True)
    picking_ids = fields.One2many("stock.picking", "helpdesk_delivery_note_id",
                                  string="Stock Transfers", readonly=True)
    pdf_attachment_id = fields.Many2one("ir.attachment", string="Signed PDF",
                                        readonly=True, copy=False)
    cancel_reason = fields.Text(readonly=True, copy=False, track_visibility="onchange")
    sign_key = fields.Char(
        readonly=True, copy=False, index=True,
        help="The key the signing device sent with the signature: the same key again "
             "is the same signature.")

    _sql_constraints = [
        ("sign_key_uniq", "unique(sign_key)", "This signature was already received."),
    ]

    # ------------------------------------------------------------ computes
    @api.depends("line_ids.price_subtotal", "line_ids.price_total")
    def _compute_amounts(self):
        for note in self:
            note.amount_untaxed = sum(note.line_ids.mapped("price_subtotal"))
            note.amount_total = sum(note.line_ids.mapped("price_total"))
            note.amount_tax = note.amount_total - note.amount_untaxed

    def _compute_hash_valid(self):
        for note in self:
            # read as superuser (lines, snapshot), assigned on the caller's record: a
            # value computed on a sudo() record would not reach the caller's cache
            sudo = note.sudo()
            note.hash_valid = bool(sudo.signature_hash) and \
                sudo._hash_snapshot(sudo._prepare_snapshot()) == sudo.signature_hash

    # ---------------------------------------------------------------- CRUD
    @api.model
    def create(self, vals):
        if vals.get("name", "/") == "/":
            vals = dict(vals, name=self.env["ir.sequence"].sudo().next_by_code(
                "helpdesk.delivery.note") or "/")
        note = super(HelpdeskDeliveryNote, self).create(vals)
        # after create: the ticket may come from the context's default
        self._check_ticket_open(note.ticket_id.sudo())
        note._refresh_lines()
        return note

    @api.multi
    def write(self, vals):
        if self.env.context.get(FREEZE_KEY) is not _FREEZE_TOKEN:
            if any(note.state != "draft" for note in self):
                if set(vals) & FROZEN_FIELDS:
                    raise UserError(_(
                        "Delivery note %s is signed: it cannot be changed. A helpdesk "
                        "manager may cancel it, with a reason.")
                        % self.filtered(lambda n: n.state != "draft")[0].name)
            if {"state", "signed_by", "signed_on", "signature", "signature_hash",
                    "signed_snapshot", "invoice_id", "sign_key"} & set(vals):
                raise UserError(_("A delivery note is signed with its Sign action "
                                  "(action_sign), not by writing its fields."))
            if "ticket_id" in vals:
                self._check_ticket_open(self.env["helpdesk.ticket"].sudo().browse(
                    vals["ticket_id"]))
        return super(HelpdeskDeliveryNote, self).write(vals)

    @api.multi
    def unlink(self):
        signed = self.filtered(lambda n: n.state != "draft")
        if signed:
            raise UserError(_("Delivery note %s is signed (or cancelled): it is kept. A "
                              "helpdesk manager may cancel a signed note, with a reason.")
                            % signed[0].name)
        return super(HelpdeskDeliveryNote, self).unlink()

    def _write_signed(self, vals):
        """The note's own writes after its checks (signature, cancellation)."""
        return self.with_context(**{FREEZE_KEY: _FREEZE_TOKEN}).write(vals)

    @api.model
    def _check_ticket_open(self, ticket):
        if not ticket:
            raise ValidationError(_("A delivery note belongs to a ticket."))
        if ticket.state in DONE_STATES:
            raise UserError(_("Ticket %(number)s is %(state)s: no visit is signed for it "
                              "any more.") % {"number": ticket.number,
                                              "state": ticket._state_label(ticket.state)})

    # --------------------------------------------------------------- lines
    def _ticket_lines_to_sign(self):
        """The ticket's hours and materials not yet on a signed note."""
        self.ensure_one()
        ticket = self.ticket_id.sudo()
        timesheets = ticket.timesheet_ids.filtered(
            lambda l: not l.helpdesk_delivery_note_id or l.helpdesk_delivery_note_id == self)
        materials = ticket.material_ids.filtered(
            lambda m: not m.delivery_note_id or m.delivery_note_id == self)
        return timesheets, materials

    def _prepare_line_values(self):
        """The note's lines from the ticket as it is now: one line per timesheet entry
        (date, who, what, hours at the service product's price) and one per material
        (at its sale price), taxes mapped by the customer's fiscal position."""
        self.ensure_one()
        timesheets, materials = self._ticket_lines_to_sign()
        values = self._prepare_hours_line_values(self.ticket_id, timesheets) + \
            self._prepare_material_line_values(self.ticket_id, materials)
        for sequence, line in enumerate(values, 1):
            line.update(sequence=sequence, tax_ids=[(6, 0, line["tax_ids"])])
        return values

    @api.model
    def _prepare_hours_line_values(self, ticket, timesheets):
        """Billing lines of ``timesheets`` (dicts, ``tax_ids`` a list of ids): also
        used for the invoice of a remote ticket's hours."""
        ticket = ticket.sudo()
        if not timesheets:
            return []
        service = ticket._get_service_product()
        if not service:
            raise UserError(_(
                "No service product is set for the hours of ticket %s: set one on its "
                "queue or the company's default (Field service hour).") % ticket.number)
        fiscal_position = ticket._get_fiscal_position()
        hours_uom = self.env.ref("product.product_uom_hour")
        return [self._line_values(
            ticket, "hours", service, line.unit_amount, hours_uom, fiscal_position,
            name="%s · %s · %s" % (line.date, line.employee_id.name, line.name or ""),
            timesheet_id=line.id)
            for line in timesheets.sorted(lambda l: (l.date, l.id))]

    @api.model
    def _prepare_material_line_values(self, ticket, materials):
        ticket = ticket.sudo()
        fiscal_position = ticket._get_fiscal_position()
        return [self._line_values(
            ticket, "material", material.product_id, material.quantity,
            material.product_uom_id, fiscal_position,
            name=material.product_id.display_name, material_id=material.id)
            for material in materials]

    @api.model
    def _line_values(self, ticket, kind, product, quantity, uom, fiscal_position, **extra):
        """A priced line: the customer's pricelist (else the sale price, in ``uom``),
        the product's taxes of the company mapped by the fiscal position."""
        company = ticket.company_id
        partner = ticket.commercial_partner_id
        pricelist = partner.property_product_pricelist
        product = product.with_context(
            partner=partner.id, quantity=quantity, uom=uom.id, pricelist=pricelist.id,
            force_company=company.id)
        if pricelist:
            price = product.price
        else:
            price = product.uom_id._compute_price(product.lst_price, uom)
        taxes = product.taxes_id.filtered(lambda t: t.company_id == company)
        if fiscal_position:
            taxes = fiscal_position.map_tax(taxes, product, partner)
        values = {
            "kind": kind, "product_id": product.id, "quantity": quantity,
            "uom_id": uom.id, "price_unit": price, "tax_ids": taxes.ids,
        }
        values.update(extra)
        return values

    @api.multi
    def _refresh_lines(self):
        """Draft notes show the ticket's lines as they are now (before the customer
        reads and signs them); a signed note keeps its own."""
        for note in self.filtered(lambda n: n.state == "draft"):
            ticket = note.ticket_id.sudo()
            commands = [(5, 0, 0)] + [(0, 0, vals) for vals in note._prepare_line_values()]
            # sudo: the lines and the ticket's data are the note's own bookkeeping
            super(HelpdeskDeliveryNote, note.sudo()).write({
                "line_ids": commands,
                "partner_id": ticket.partner_id.id,
                "commercial_partner_id": ticket.partner_id.commercial_partner_id.id,
                "site_partner_id": (ticket.site_partner_id or ticket.partner_id).id,
                "coverage": ticket.coverage or "billable",
                "coverage_reason": ticket._coverage_reason() or False,
            })
        return True

    @api.multi
    def action_refresh_lines(self):
        """Button: copy the ticket's current hours and materials into the draft note.
        Whoever may write the note: its rule alone would let a customer (who reads
        their own notes) rewrite a draft."""
        self.check_access_rights("write")
        self.check_access_rule("write")
        return self._refresh_lines()

    # -------------------------------------------------------------- signing
    @api.multi
    def get_lines_digest(self):
        """A fingerprint of what the customer reads before signing: the lines, the
        amounts and the coverage. The tablet sends it back with the signature (taken
        offline, it may reach the server hours later): a note whose lines changed in
        between is not signed unseen."""
        self.ensure_one()
        content = [self.coverage, self.currency_id.name, "%.2f" % self.amount_total] + [
            [line.kind, line.name, "%.4f" % line.quantity, line.uom_id.name,
             "%.4f" % line.price_unit, "%.2f" % line.price_total]
            for line in self.line_ids.sorted(lambda l: (l.sequence, l.id))]
        canonical = json.dumps(content, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:32]

    @api.multi
    def action_sign(self, signed_by, signature, sign_key=None, lines_digest=None):
        """The customer signs the note: ``signed_by`` their typed name, ``signature`` a
        PNG (base64 bytes or a data URL). Once: a signed note is returned as it is,
        whoever calls again or at the same moment (``sign_key``: the device's key for
        the submission, optional; the same key is the same signature).
        ``lines_digest`` (optional, ``get_lines_digest`` of the note the customer
        read): refused when the note's lines are no longer those."""
        self.ensure_one()
        signed_by = (signed_by or "").strip()
        if not signed_by:
            raise ValidationError(_("The customer types their name before signing."))
        if len(signed_by) > 128:
            raise ValidationError(_("The signer's name is too long (at most 128 "
                                    "characters)."))
        png = decode_signature(signature)
        self._warm_report_assets()
        self.check_access_rights("write")
        self.check_access_rule("write")
        self._check_may_sign()
        if sign_key:
            done = self.sudo().search([("sign_key", "=", sign_key)], limit=1)
            if done:
                if done != self:
                    raise UserError(_("This signature was sent for another delivery note "
                                      "(%s).") % done.name)
                return True
        if not self._lock_for_signature():
            return True  # signed already, by this call's twin
        # sudo: the caller (the field operator) may sign (checked above), and the note's
        # effects reach what they may not touch themselves: stock moves, the invoice
        self.sudo()._action_sign(signed_by, png, sign_key=sign_key, operator=self.env.user,
                                 lines_digest=lines_digest)
        return True

    def _check_may_sign(self):
        """The ticket's assigned operator or expert takes the signature; operations and
        managers may too (a note brought back on paper). Not on a closed or cancelled
        ticket."""
        self.ensure_one()
        ticket = self.ticket_id.sudo()
        user = self.env.user
        if not (self.env.uid == SUPERUSER_ID or ticket.user_id == user or
                user.has_group(OPERATIONS) or user.has_group(MANAGER)):
            raise AccessError(_("Delivery note %(note)s of ticket %(number)s is signed "
                                "with its assigned operator (%(user)s).") % {
                                    "note": self.name, "number": ticket.number,
                                    "user": ticket.user_id.name or _("none")})
        if self.state == "cancelled":
            raise UserError(_("Delivery note %s is cancelled: it cannot be signed.")
                            % self.name)
        if self.state == "draft":
            self._check_ticket_open(ticket)
            if ticket.state not in SIGNABLE_STATES:
                raise UserError(_(
                    "Ticket %(number)s is %(state)s: the customer signs once the work "
                    "is done, on an assigned ticket.") % {
                        "number": ticket.number, "state": ticket._state_label(ticket.state)})

    def _lock_for_signature(self):
        """Take the note's row lock; False when it is already signed.

        Two transactions signing at once: the second waits here for the first's lock;
        when the first commits, PostgreSQL refuses the second's lock (repeatable read:
        the row changed since its snapshot), which means "signed by the other", and the
        second carries on without signing again (and commits)."""
        try:
            with self.env.cr.savepoint():
                self.env.cr.execute(
                    "SELECT state FROM helpdesk_delivery_note WHERE id = %s FOR UPDATE",
                    (self.id,), log_exceptions=False)
                state = self.env.cr.fetchone()[0]
        except psycopg2.extensions.TransactionRollbackError:
            _logger.info("Delivery note %s was signed by a concurrent transaction", self.id)
            return False
        if state != "draft":
            self.invalidate_cache(["state"], self.ids)
            if state == "cancelled":
                raise UserError(_("Delivery note %s is cancelled: it cannot be signed.")
                                % self.name)
            return False
        return True

    def _action_sign(self, signed_by, png, sign_key=None, operator=None,
                     lines_digest=None):
        """Freeze the note with the ticket's lines, the signer and the hash; consume the
        materials; render and mail the PDF; then the ticket's own consequences."""
        self._refresh_lines()
        if not self.line_ids:
            raise UserError(_("Delivery note %s has nothing to sign: log the hours and "
                              "materials of the visit first.") % self.name)
        if lines_digest and lines_digest != self.get_lines_digest():
            raise UserError(_(
                "Delivery note %s changed after the customer read it (hours or materials "
                "were logged meanwhile): show the customer the note again and ask them "
                "to sign it.") % self.name)
        timesheets, materials = self._ticket_lines_to_sign()
        signed_on = fields.Datetime.now()
        self._write_signed({
            "state": "signed", "signed_by": signed_by, "signed_on": signed_on,
            "signature": base64.b64encode(png), "sign_key": sign_key or False,
            "user_id": (operator or self.env.user).id,
        })
        timesheets.write({"helpdesk_delivery_note_id": self.id})
        materials.write({"delivery_note_id": self.id})
        snapshot = self._prepare_snapshot()
        self._write_signed({
            "signed_snapshot": json.dumps(snapshot, sort_keys=True, ensure_ascii=False),
            "signature_hash": self._hash_snapshot(snapshot),
        })
        materials._action_consume(self)
        # the invoice first, so that the PDF names it; the mails once the PDF exists
        invoice = self.ticket_id._invoice_delivery_note(self)
        self._render_pdf()
        self._mail_signed_note()
        if invoice:
            invoice._mail_to_customer(self)
        self.ticket_id._on_delivery_note_signed(self)

    def _prepare_snapshot(self):
        """What the signature covers, in plain values (JSON), in a stable order."""
        self.ensure_one()
        return {
            "note": self.name,
            "ticket": self.ticket_id.number,
            "customer": self.partner_id.display_name,
            "site": self.site_partner_id._display_address(without_company=False).strip()
            if self.site_partner_id else "",
            "coverage": self.coverage,
            "currency": self.currency_id.name,
            "lines": [[line.kind, line.name, line.product_id.default_code or "",
                       "%.4f" % line.quantity, line.uom_id.name, "%.4f" % line.price_unit,
                       sorted(line.tax_ids.mapped("name")), "%.2f" % line.price_subtotal,
                       "%.2f" % line.price_total] for line in self.line_ids],
            "amount_untaxed": "%.2f" % self.amount_untaxed,
            "amount_tax": "%.2f" % self.amount_tax,
            "amount_total": "%.2f" % self.amount_total,
            "signed_by": self.signed_by,
            "signed_on": self.signed_on,
            "signature_sha256": hashlib.sha256(
                base64.b64decode(self.signature or b"")).hexdigest(),
        }

    @staticmethod
    def _hash_snapshot(snapshot):
        canonical = json.dumps(snapshot, sort_keys=True, ensure_ascii=False,
                               separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    @api.model
    def _warm_report_assets(self):
        """The reports' asset bundles exist before a signature renders a PDF.

        Odoo's PDF rendering builds a missing bundle and then *commits* the transaction
        (``commit_assetsbundle``), which in the middle of a signature would commit half
        of it and release its lock. Built here first (without that commit), at
        installation and before each signature (a few reads once they exist)."""
        QWeb = self.env["ir.qweb"].with_context(commit_assetsbundle=False)
        for xmlid in REPORT_BUNDLES:
            QWeb._get_asset_nodes(xmlid, {}, css=True, js=True)
        return True

    def _render_pdf(self):
        """The signed PDF (wkhtmltopdf), kept as an attachment of the note; the report
        reuses it for every later download and mail."""
        report = self.env.ref("tktit_helpdesk_billing.action_report_delivery_note")
        report.render_qweb_pdf(self.ids)
        attachment = self.env["ir.attachment"].search([
            ("res_model", "=", self._name), ("res_id", "=", self.id),
            ("name", "=", self._pdf_name())], limit=1)
        self._write_signed({"pdf_attachment_id": attachment.id})

    def _pdf_name(self):
        return "%s.pdf" % (self.name or "").replace("/", "-")

    def _mail_signed_note(self):
        """The signed note's PDF to the customer, in the ticket's thread."""
        attachments = self.pdf_attachment_id.copy(
            {"res_model": "mail.compose.message", "res_id": 0}) if self.pdf_attachment_id \
            else self.env["ir.attachment"]
        self.ticket_id._notify_customer(
            "tktit_helpdesk_billing.mail_template_delivery_note_signed",
            attachment_ids=attachments.ids, note=self)

    def get_signed_on_local(self):
        """When the note was signed, in the customer's time zone (for the PDF)."""
        self.ensure_one()
        if not self.signed_on:
            return ""
        tz = pytz.timezone(self.partner_id.tz or self.env.user.tz or "UTC")
        moment = pytz.utc.localize(fields.Datetime.from_string(self.signed_on))
        if local_date.is_jalali(self.partner_id.lang):  # as the customer reads dates
            return "%s %s" % (local_date.format_jalali(
                local_date.localize(moment, tz.zone)), moment.astimezone(tz).tzname())
        return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M %Z")

    # -------------------------------------------------------- cancellation
    @api.multi
    def action_cancel_signed(self, reason):
        """A helpdesk manager cancels a signed note (a wrong signature, a dispute),
        saying why. Its invoice, if any, is the accountants' (a credit note)."""
        if not self.env.user.has_group(MANAGER):
            raise AccessError(_("Only a helpdesk manager cancels a signed delivery note."))
        reason = (reason or "").strip()
        if not reason:
            raise UserError(_("Say why the delivery note is cancelled."))
        for note in self:
            if note.state == "cancelled":
                continue
            note._write_signed({"state": "cancelled", "cancel_reason": reason})
            note.ticket_id.message_post(
                body=_("Delivery note %(note)s cancelled: %(reason)s") % {
                    "note": note.name, "reason": reason}, subtype="mail.mt_note")
        return True
