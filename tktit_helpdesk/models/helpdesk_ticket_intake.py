import base64
import re
from datetime import datetime

import pytz

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import plaintext2html

from .helpdesk_ticket import CATEGORIES, PORTAL_FIELDS, PRIORITIES
from .ir_attachment import OCTET_STREAM, is_scriptable_mimetype

CHUNK_SIZE = 64 * 1024
# what the form around one attachment may weigh (subject, description, multipart framing)
FORM_MARGIN = 1024 * 1024

TEXT = "text/plain"
OOXML = "application/vnd.openxmlformats-officedocument."
ODF = "application/vnd.oasis.opendocument."
# The allow-list of customer uploads: extension -> the type it is stored and served with.
# Markup and text of any kind (HTML, SVG, XML, mails...) is kept, as plain text.
UPLOAD_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif",
    "webp": "image/webp",
    "txt": TEXT, "log": TEXT, "csv": "text/csv", "json": TEXT, "md": TEXT, "conf": TEXT,
    "cfg": TEXT, "ini": TEXT, "yaml": TEXT, "yml": TEXT, "ics": TEXT, "eml": TEXT,
    "xml": TEXT, "html": TEXT, "htm": TEXT, "svg": TEXT,
    "doc": "application/msword", "xls": "application/vnd.ms-excel",
    "ppt": "application/vnd.ms-powerpoint", "msg": "application/vnd.ms-outlook",
    "docx": OOXML + "wordprocessingml.document", "xlsx": OOXML + "spreadsheetml.sheet",
    "pptx": OOXML + "presentationml.presentation",
    "odt": ODF + "text", "ods": ODF + "spreadsheet", "odp": ODF + "presentation",
    "zip": "application/zip", "gz": "application/gzip", "tgz": "application/gzip",
    "p7s": "application/pkcs7-signature",
}

_OLE = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"


def _zip(content):
    return content[:4] in (b"PK\x03\x04", b"PK\x05\x06")


def _ole(content):
    return content.startswith(_OLE)


# Binary formats must carry their signature: a page renamed .pdf or .png is refused.
SIGNATURES = {
    "application/pdf": lambda content: b"%PDF-" in content[:1024],
    "image/png": lambda content: content.startswith(b"\x89PNG\r\n\x1a\n"),
    "image/jpeg": lambda content: content.startswith(b"\xff\xd8\xff"),
    "image/gif": lambda content: content[:6] in (b"GIF87a", b"GIF89a"),
    "image/webp": lambda content: content[:4] == b"RIFF" and content[8:12] == b"WEBP",
    "application/gzip": lambda content: content.startswith(b"\x1f\x8b"),
    "application/zip": _zip,
    "application/msword": _ole, "application/vnd.ms-excel": _ole,
    "application/vnd.ms-powerpoint": _ole, "application/vnd.ms-outlook": _ole,
}
SIGNATURES.update({mimetype: _zip for mimetype in UPLOAD_TYPES.values()
                   if mimetype.startswith((OOXML, ODF))})


class HelpdeskTicketIntake(models.AbstractModel):
    """Portal intake of tickets: parsing of the submitted form, attachment checks and
    creation of the customer's ticket.

    The controller only renders; the rules live here so that they are tested without HTTP.
    Every method is private (not callable over RPC): creation runs as superuser, from the
    whitelisted values built here, and the customer is always the logged-in user.
    """

    _name = "helpdesk.ticket.intake"
    _description = "Helpdesk Ticket Portal Intake"

    @api.model
    def _parse_submission(self, post):
        """Turn the portal form into ticket values: (vals, error dict, error messages).
        Only whitelisted fields; the customer is always the logged-in user."""
        error, messages = {}, []
        vals = {}
        name = (post.get("name") or "").strip()
        if not name:
            error["name"] = True
            messages.append(_("Please give your request a subject."))
        vals["name"] = name
        description = (post.get("description") or "").strip()
        if not description:
            error["description"] = True
            messages.append(_("Please describe your request."))
        # Plain text from the form, escaped: what the customer typed is shown as typed.
        vals["description"] = plaintext2html(description)
        category = post.get("category") or "technical"
        if category not in dict(CATEGORIES):
            error["category"] = True
            messages.append(_("Unknown category: choose Activation, Technical, Financial "
                              "or Sales."))
        vals["category"] = category
        priority = post.get("priority") or "1"
        if priority not in dict(PRIORITIES):
            error["priority"] = True
            messages.append(_("Unknown priority."))
        elif priority not in self.env["helpdesk.ticket"]._customer_priorities(
                self.env.user.partner_id):
            error["priority"] = True
            messages.append(_("Your support plan does not offer the priority %s: choose "
                              "another one (our team may raise it at triage).")
                            % dict(PRIORITIES)[priority])
        vals["priority"] = priority
        for fname, model in (("technology_id", "helpdesk.technology"),
                             ("specialization_id", "helpdesk.specialization")):
            raw = post.get(fname)
            if not raw:
                continue
            record = self.env[model].browse(int(raw)) if str(raw).isdigit() else None
            if not record or not record.exists():
                error[fname] = True
                messages.append(_("Unknown scope or stream: choose one from the list."))
                continue
            vals[fname] = record.id
        if vals.get("specialization_id"):
            spec = self.env["helpdesk.specialization"].browse(vals["specialization_id"])
            if spec.technology_id.id != vals.get("technology_id"):
                error["specialization_id"] = True
                messages.append(_("The stream you chose does not belong to that scope."))
        for fname in ("occurred_on", "target_date"):
            raw = (post.get(fname) or "").strip()
            if not raw:
                continue
            try:
                vals[fname] = self._parse_datetime(raw)
            except ValueError:
                error[fname] = True
                messages.append(_("%s is not a valid date.") % raw)
        return vals, error, messages

    @api.model
    def _parse_datetime(self, raw):
        """A datetime-local or date input, read in the user's time zone, stored in UTC."""
        raw = raw.replace("T", " ")
        fmt = "%Y-%m-%d %H:%M" if len(raw) > 10 else "%Y-%m-%d"
        local = datetime.strptime(raw[:16] if len(raw) > 10 else raw, fmt)
        tz = pytz.timezone(self.env.user.tz or "UTC")
        return fields.Datetime.to_string(tz.localize(local).astimezone(pytz.utc))

    # ------------------------------------------------------------ uploads
    # Every file a customer sends (portal form, Talk To Expert, mail) is decided here:
    # whether it is accepted and the type it is stored (hence served) with.

    @api.model
    def _max_attachment_bytes(self):
        """The size limit of one customer attachment (system parameter, in MB)."""
        # sudo: portal users cannot read system parameters; only the limit leaves here.
        mb = self.env["ir.config_parameter"].sudo().get_param(
            "tktit_helpdesk.portal_max_attachment_mb", "10")
        return int(float(mb or 10) * 1024 * 1024)

    @api.model
    def _upload_types(self):
        """The allow-list: {extension: stored mimetype}. The system parameter
        ``tktit_helpdesk.attachment_extensions`` (comma-separated extensions), when set,
        replaces the default list; an extension it names that we do not know is stored
        as ``application/octet-stream`` (downloaded, never shown)."""
        # sudo: portal users cannot read system parameters; only the list leaves here.
        param = self.env["ir.config_parameter"].sudo().get_param(
            "tktit_helpdesk.attachment_extensions")
        if not param:
            return dict(UPLOAD_TYPES)
        names = [ext.strip().lower().lstrip(".") for ext in param.split(",")]
        return {ext: UPLOAD_TYPES.get(ext, OCTET_STREAM) for ext in names if ext}

    @api.model
    def _clean_filename(self, filename):
        """The file's own name: no client path, no control characters."""
        name = re.split(r"[\\/]", filename or "")[-1]
        name = "".join(ch for ch in name if ch.isprintable()).strip()
        return name[:200] or "attachment"

    @api.model
    def _attachment_policy(self, filename, content):
        """Decide a customer upload: ``(stored mimetype, None)`` when accepted, else
        ``(None, the message telling why)``. The type comes from our allow-list by
        extension, never from what the client declared; formats with a signature must
        carry it (an HTML page renamed ``.pdf`` is refused); markup and text of any kind
        (HTML, SVG, XML, logs...) are stored as ``text/plain``."""
        limit = self._max_attachment_bytes()
        if len(content) > limit:
            return None, _("The file %(name)s is too large (%(size).1f MB); the limit is "
                           "%(limit).0f MB.") % {"name": filename,
                                                 "size": len(content) / 1048576.0,
                                                 "limit": limit / 1048576.0}
        if not content:
            return None, _("The file %s is empty.") % filename
        types = self._upload_types()
        ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
        if ext not in types:
            return None, _("The file %(name)s was not accepted: we take %(types)s files "
                           "only.") % {"name": filename, "types": ", ".join(
                               ".%s" % name for name in sorted(types))}
        mimetype = types[ext]
        signature = SIGNATURES.get(mimetype)
        if signature and not signature(content):
            return None, _("The file %(name)s was not accepted: its content is not a "
                           ".%(ext)s file.") % {"name": filename, "ext": ext}
        if self._is_scriptable(mimetype):
            return "text/plain", None
        return mimetype, None

    @api.model
    def _is_scriptable(self, mimetype):
        """Whether a browser could run something from a file of that type, were it
        served with it from our domain (HTML, SVG, XML, scripts, Flash...)."""
        return is_scriptable_mimetype(mimetype)

    @api.model
    def _check_attachment(self, filename, content):
        """The message to show when the uploaded file is refused, else None."""
        return self._attachment_policy(filename, content)[1]

    @api.model
    def _declared_too_large(self, content_length):
        """The message when a request declares (Content-Length) more than one attachment
        plus the form around it may weigh, else None."""
        limit = self._max_attachment_bytes()
        if content_length and content_length > limit + FORM_MARGIN:
            return _("Your request is too large (%(size).1f MB); attachments are limited "
                     "to %(limit).0f MB.") % {"size": content_length / 1048576.0,
                                              "limit": limit / 1048576.0}
        return None

    @api.model
    def _read_upload(self, upload):
        """Read an uploaded file (werkzeug ``FileStorage``) in chunks, stopping as soon
        as it passes the limit: ``(filename, content, error message or None)``.

        What "before the whole body is read" means on Odoo 11: werkzeug has already
        parsed the multipart body before any route runs (Odoo builds ``request.params``
        and checks the CSRF token from it), spooling a file over 500 KB to a temporary
        file on disk. So an oversize upload never gets into this worker's memory, is
        never base64-encoded nor stored, and we stop reading it at limit + 1 byte; the
        bytes on the wire are bounded only by the reverse proxy (``client_max_body_size``
        of nginx) in front of Odoo, and ``_declared_too_large`` refuses a request that
        announces too much before its file is touched."""
        filename = self._clean_filename(getattr(upload, "filename", None))
        limit = self._max_attachment_bytes()
        stream = getattr(upload, "stream", upload)
        chunks, size = [], 0
        while True:
            chunk = stream.read(min(CHUNK_SIZE, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:
                return filename, b"", _(
                    "The file %(name)s is too large; the limit is %(limit).0f MB.") % {
                        "name": filename, "limit": limit / 1048576.0}
        content = b"".join(chunks)
        return filename, content, self._check_attachment(filename, content)

    @api.model
    def _attachment_values(self, ticket, filename, content):
        """``ir.attachment`` values of an accepted customer file on ``ticket``, with the
        stored type decided by ``_attachment_policy`` (raises UserError if refused)."""
        mimetype, error = self._attachment_policy(filename, content)
        if error:
            raise UserError(error)
        return {
            "name": filename,
            "datas_fname": filename,
            "datas": base64.b64encode(content),
            "mimetype": mimetype,
            "res_model": ticket._name,
            "res_id": ticket.id,
        }

    @api.model
    def _sanitize_customer_attachments(self, attachments):
        """Mail gateway: split the ``(name, content[, info])`` tuples of an incoming mail
        into ``(kept tuples, their stored mimetypes, refusal messages)``."""
        kept, mimetypes, refused = [], [], []
        for attachment in attachments or ():
            if len(attachment) not in (2, 3) or attachment[1] is None:
                continue  # mail.thread skips these too
            name, content = attachment[0], attachment[1]
            if isinstance(content, str):
                content = content.encode("utf-8")
            mimetype, error = self._attachment_policy(self._clean_filename(name), content)
            if error:
                refused.append(error)
                continue
            kept.append(attachment)
            mimetypes.append(mimetype)
        return kept, mimetypes, refused

    @api.model
    def _post_customer_message(self, ticket, body, author, attachment=None):
        """Talk To Expert: the customer's message (escaped plain text) on ``ticket``
        (sudo), with an optional ``(filename, content)`` checked by the policy."""
        attachment_ids = []
        if attachment:
            # sudo: portal users (and token holders) cannot create attachments; the
            # caller checked their access to the ticket, the policy checks the file.
            attachment_ids = self.env["ir.attachment"].sudo().create(
                self._attachment_values(ticket, *attachment)).ids
        return ticket.message_post(body=body, message_type="comment",
                                   subtype="mail.mt_comment", author_id=author.id,
                                   attachment_ids=attachment_ids)

    @api.model
    def _create_ticket(self, vals, attachment=None):
        """Create the customer's ticket from checked portal values, then attach the file.

        ``attachment`` is ``(filename, content bytes)``, checked by ``_attachment_policy``.
        """
        user = self.env.user
        vals = {key: value for key, value in vals.items() if key in PORTAL_FIELDS}
        vals.update(partner_id=user.partner_id.id, channel="portal",
                    company_id=user.company_id.id)
        # sudo: portal users have no create right on tickets (their ticket gets fields
        # and follow-ups they may not write). Only whitelisted fields pass, and the
        # customer is always the logged-in user.
        ticket = self.env["helpdesk.ticket"].sudo().create(vals)
        if attachment:
            # sudo: portal users cannot create attachments; the ticket was just created
            # by this user under their own record rule, the policy checks the file.
            att = self.env["ir.attachment"].sudo().create(
                self._attachment_values(ticket, *attachment))
            ticket.sudo().message_post(
                body=_("Attachment from the customer."), attachment_ids=att.ids,
                author_id=user.partner_id.id, message_type="comment",
                subtype="mail.mt_note")
        return ticket


class HelpdeskTicket(models.Model):
    """The ticket's side of customer uploads: the mail gateway's attachments go through
    the intake's policy, and the attachments a customer may download from the portal."""

    _inherit = "helpdesk.ticket"

    def _message_post_process_attachments(self, attachments, attachment_ids, message_data):
        """Mail gateway (``message_type`` email): attachments refused by the policy are
        dropped, with an internal note on the ticket saying which and why; the mail
        itself is kept. Accepted ones are stored with the policy's type."""
        if message_data.get("message_type") != "email" or not attachments or \
                message_data.get("model") != self._name:
            return super(HelpdeskTicket, self)._message_post_process_attachments(
                attachments, attachment_ids, message_data)
        Intake = self.env["helpdesk.ticket.intake"]
        kept, mimetypes, refused = Intake._sanitize_customer_attachments(attachments)
        if refused:
            # sudo: the gateway's user need not be able to post notes on the ticket.
            self.sudo().message_post(
                body=plaintext2html("\n".join(
                    [_("Attachments of the incoming mail were dropped:")] + refused)),
                message_type="comment", subtype="mail.mt_note")
        commands = super(HelpdeskTicket, self)._message_post_process_attachments(
            kept, attachment_ids, message_data)
        # mail.thread creates one attachment per kept tuple, in order, after linking the
        # given attachment_ids: the last len(kept) commands are ours.
        created = [command[1] for command in commands[len(commands) - len(kept):]]
        for attachment_id, mimetype in zip(created, mimetypes):
            # sudo: the gateway created them; only the decided type is written.
            self.env["ir.attachment"].sudo().browse(attachment_id).write(
                {"mimetype": mimetype})
        return commands

    def _portal_attachments(self):
        """The attachments the customer may download (sudo): those of the ticket's
        conversation (non-internal comments and mails) and of the customer's own posts
        (the file of the portal form); never those of internal notes by our staff."""
        self.ensure_one()
        customer = self.commercial_partner_id
        messages = self.sudo().message_ids.filtered(
            lambda m: m.message_type in ("comment", "email") and m.subtype_id and (
                not m.subtype_id.internal or
                m.author_id.commercial_partner_id == customer))
        return messages.mapped("attachment_ids")
