import base64
import logging

from odoo import _, http
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.http import content_disposition, request
from odoo.tools import consteq, html2plaintext, plaintext2html

from odoo.addons.portal.controllers.portal import CustomerPortal, get_records_pager
from odoo.addons.portal.controllers.portal import pager as portal_pager

from ..models.helpdesk_ticket import DONE_STATES

_logger = logging.getLogger(__name__)

SESSION_MESSAGE_KEY = "tktit_helpdesk_portal_message"
SESSION_DRAFT_KEY = "tktit_helpdesk_portal_draft"
# served inline by the attachment route; everything else is a download
INLINE_MIMETYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")


class HelpdeskPortal(CustomerPortal):
    """Thin portal: access checks, form parsing and rendering. Every change of a
    ticket goes through the model's methods, inside a savepoint so a refused
    transition leaves nothing half-done."""

    def _ticket_domain(self):
        # Same condition as the portal record rule: counters and lists match it.
        return [("commercial_partner_id", "=", request.env.user.commercial_partner_id.id)]

    def _prepare_portal_layout_values(self):
        values = super(HelpdeskPortal, self)._prepare_portal_layout_values()
        Ticket = request.env["helpdesk.ticket"]
        # an employee outside the helpdesk has no access to tickets: /my still works
        values["ticket_count"] = Ticket.search_count(self._ticket_domain()) \
            if Ticket.check_access_rights("read", raise_exception=False) else 0
        return values

    # ------------------------------------------------------------- helpers
    def _customer_priorities(self):
        """The (key, label) priorities the logged-in customer may choose (their plan's)."""
        Ticket = request.env["helpdesk.ticket"]
        allowed = Ticket._customer_priorities(request.env.user.partner_id)
        return [(key, label) for key, label in Ticket._fields["priority"].selection
                if key in allowed]

    def _ticket_check_access(self, ticket_id, access_token=None):
        """The ticket as sudo, once the user may see it (record rule) or holds its token."""
        ticket = request.env["helpdesk.ticket"].browse(ticket_id)
        ticket_sudo = ticket.sudo()
        try:
            ticket.check_access_rights("read")
            ticket.check_access_rule("read")
        except AccessError:
            if not access_token or not ticket_sudo.exists() or \
                    not consteq(ticket_sudo.access_token or "", access_token):
                raise
        if not ticket_sudo.exists():
            raise MissingError(_("This ticket does not exist."))
        return ticket_sudo

    @staticmethod
    def _html_has_content(html):
        """Whether an html field says something: text, or an image."""
        return bool(html) and bool(html2plaintext(html).strip() or "<img" in html)

    def _flash(self, kind, text):
        request.session[SESSION_MESSAGE_KEY] = {"kind": kind, "text": text}

    def _pop_flash(self):
        return request.session.pop(SESSION_MESSAGE_KEY, None)

    def _pop_draft(self, ticket):
        """The Talk To Expert text of a refused post of this ticket, to type it again."""
        draft = request.session.pop(SESSION_DRAFT_KEY, None) or {}
        return draft.get("text", "") if draft.get("ticket_id") == ticket.id else ""

    def _read_upload(self, intake, upload):
        """The optional file of a portal form: ``((filename, content) or None, error)``.
        A request declaring more than the limit is refused before its file is read;
        the intake reads the file in chunks and stops past the limit (see
        ``helpdesk.ticket.intake._read_upload`` for what werkzeug read before)."""
        if upload is None or not getattr(upload, "filename", None):
            return None, None
        too_large = intake._declared_too_large(request.httprequest.content_length)
        if too_large:
            return None, too_large
        filename, content, error = intake._read_upload(upload)
        return (None, error) if error else ((filename, content), None)

    def _ticket_url(self, ticket, access_token=None):
        # the token only when the visitor came with one (a mail link, not logged in)
        return ticket._get_portal_url(access_token=bool(access_token))

    def _run_transition(self, ticket, method, *args, **kwargs):
        """Call a model transition; a refusal becomes a message on the page, and the
        savepoint rolls back whatever the refused call had started."""
        try:
            with request.env.cr.savepoint():
                getattr(ticket, method)(*args, **kwargs)
        except (UserError, ValidationError) as error:
            self._flash("danger", error.name)
            return False
        return True

    # --------------------------------------------------------------- list
    @http.route(["/my/tickets", "/my/tickets/page/<int:page>"], type="http", auth="user",
                website=True)
    def portal_my_tickets(self, page=1, sortby=None, filterby=None, search=None, **kw):
        Ticket = request.env["helpdesk.ticket"]
        values = self._prepare_portal_layout_values()
        searchbar_sortings = {
            "date": {"label": _("Newest"), "order": "create_date desc, id desc"},
            "priority": {"label": _("Priority"),
                         "order": "priority desc, create_date desc, id desc"},
            "number": {"label": _("Reference"), "order": "number desc, id desc"},
        }
        searchbar_filters = {
            "all": {"label": _("All"), "domain": []},
            "open": {"label": _("Open"), "domain": [("state", "not in", DONE_STATES)]},
            "waiting": {"label": _("Awaiting Customer"),
                        "domain": [("portal_state", "=", "awaiting_customer")]},
            "closed": {"label": _("Closed"), "domain": [("state", "in", DONE_STATES)]},
        }
        sortby = sortby if sortby in searchbar_sortings else "date"
        filterby = filterby if filterby in searchbar_filters else "all"
        domain = self._ticket_domain() + searchbar_filters[filterby]["domain"]
        if search:
            domain += ["|", ("number", "ilike", search), ("name", "ilike", search)]
        total = Ticket.search_count(domain)
        pager = portal_pager(
            url="/my/tickets", total=total, page=page, step=self._items_per_page,
            url_args={"sortby": sortby, "filterby": filterby, "search": search or ""})
        tickets = Ticket.search(domain, order=searchbar_sortings[sortby]["order"],
                                limit=self._items_per_page, offset=pager["offset"])
        request.session["my_tickets_history"] = tickets.ids[:100]
        values.update({
            "tickets": tickets,
            "page_name": "ticket",
            "pager": pager,
            "default_url": "/my/tickets",
            "searchbar_sortings": searchbar_sortings,
            "searchbar_filters": searchbar_filters,
            "sortby": sortby,
            "filterby": filterby,
            "search": search or "",
            "flash": self._pop_flash(),
        })
        return request.render("tktit_helpdesk.portal_my_tickets", values)

    # ------------------------------------------------------------- detail
    def _ticket_get_page_view_values(self, ticket, access_token, **kwargs):
        messages = ticket.message_ids.filtered(
            lambda m: m.message_type in ("comment", "email") and not m.subtype_id.internal
            and m.subtype_id)
        values = {
            "page_name": "ticket",
            "ticket": ticket,
            "messages": messages.sorted("id"),
            "attachments": ticket._portal_attachments().sorted("id"),
            "access_token": access_token,
            "flash": self._pop_flash(),
            "draft": self._pop_draft(ticket),
            "user": request.env.user,
            # an editor's empty paragraph is no description (mail-in and history tickets)
            "has_description": self._html_has_content(ticket.description),
            "has_resolution": self._html_has_content(ticket.resolution),
        }
        history = request.session.get("my_tickets_history", [])
        values.update(get_records_pager(history, ticket))
        return values

    @http.route(["/my/ticket/<int:ticket_id>"], type="http", auth="public", website=True)
    def portal_my_ticket(self, ticket_id, access_token=None, **kw):
        try:
            ticket = self._ticket_check_access(ticket_id, access_token)
        except (AccessError, MissingError):
            return request.redirect("/my")
        values = self._ticket_get_page_view_values(ticket, access_token, **kw)
        return request.render("tktit_helpdesk.portal_my_ticket", values)

    @http.route(["/my/ticket/<int:ticket_id>/message"], type="http", auth="public",
                methods=["POST"], website=True)
    def portal_ticket_message(self, ticket_id, access_token=None, message="", **kw):
        """Talk To Expert: the customer's message, and optionally one file, go to the
        ticket's thread."""
        try:
            ticket = self._ticket_check_access(ticket_id, access_token)
        except (AccessError, MissingError):
            return request.redirect("/my")
        url = self._ticket_url(ticket, access_token)
        text = (message or "").strip()
        file = kw.get("attachment")
        if not text and not getattr(file, "filename", None):
            self._flash("warning", _("Your message is empty."))
            return request.redirect(url)
        if ticket.state in DONE_STATES:
            self._flash("warning", _(
                "This ticket is closed, so messages are no longer accepted here. Reply to its "
                "closing e-mail to reopen it, or open a new ticket."))
            return request.redirect(url)
        Intake = request.env["helpdesk.ticket.intake"]
        upload, error = self._read_upload(Intake, file)
        if error:
            # the page shows why, with the message the customer typed kept in the form
            self._flash("danger", error)
            request.session[SESSION_DRAFT_KEY] = {"ticket_id": ticket.id, "text": text}
            return request.redirect(url)
        user = request.env.user
        author = user.partner_id if not user._is_public() else ticket.partner_id
        # Plain text in, escaped HTML out: markup typed by the customer is shown, never run.
        if self._run_transition(Intake, "_post_customer_message", ticket,
                                plaintext2html(text), author, attachment=upload):
            self._flash("success", _("Your message was sent to the expert."))
        return request.redirect(url)

    @http.route(["/my/ticket/<int:ticket_id>/attachment/<int:attachment_id>"], type="http",
                auth="public")
    def portal_ticket_attachment(self, ticket_id, attachment_id, access_token=None, **kw):
        """Download a file of the ticket's conversation, for whoever may see the ticket
        (logged in, or holding its token): 404 for anything else, internal notes'
        files included. Only raster images are shown inline; all is served with
        ``nosniff`` and a sandboxing CSP, so nothing a customer sent runs on our domain."""
        try:
            ticket = self._ticket_check_access(ticket_id, access_token)
        except (AccessError, MissingError):
            return request.not_found()
        attachment = ticket._portal_attachments().filtered(lambda a: a.id == attachment_id)
        if not attachment or attachment.type != "binary":
            return request.not_found()
        mimetype = attachment.mimetype or "application/octet-stream"
        if request.env["helpdesk.ticket.intake"]._is_scriptable(mimetype):
            mimetype = "text/plain"  # stored before the upload policy existed
        content = base64.b64decode(attachment.datas or b"")
        headers = [
            ("Content-Type", mimetype),
            ("Content-Length", len(content)),
            ("X-Content-Type-Options", "nosniff"),
            ("Content-Security-Policy", "default-src 'none'; sandbox"),
            ("Cache-Control", "private, max-age=0"),
        ]
        if mimetype not in INLINE_MIMETYPES:
            headers.append(("Content-Disposition", content_disposition(
                attachment.datas_fname or attachment.name or "attachment")))
        return request.make_response(content, headers)

    @http.route(["/my/ticket/<int:ticket_id>/confirm"], type="http", auth="public",
                methods=["POST"], website=True)
    def portal_ticket_confirm(self, ticket_id, access_token=None, satisfied=None, comment="",
                              **kw):
        """The customer answers the delivery: closure and satisfaction, or what is missing."""
        try:
            ticket = self._ticket_check_access(ticket_id, access_token)
        except (AccessError, MissingError):
            return request.redirect("/my")
        is_satisfied = satisfied == "1"
        if self._run_transition(ticket, "action_customer_confirm", is_satisfied,
                                comment=(comment or "").strip() or None):
            self._flash("success", self._confirm_message(ticket, is_satisfied))
        return request.redirect(self._ticket_url(ticket, access_token))

    def _confirm_message(self, ticket, satisfied):
        """What the customer reads after answering the delivery of ``ticket``."""
        if not satisfied:
            return _("Thank you: the expert and our operations team will follow up.")
        return _("Thank you: your ticket is closed.")

    # ---------------------------------------------------------------- new
    def _ticket_form_values(self, post=None, error=None, error_message=None):
        post = post or {}
        return {
            "page_name": "ticket_new",
            "categories": request.env["helpdesk.ticket"]._fields["category"].selection,
            "priorities": self._customer_priorities(),
            "technologies": request.env["helpdesk.technology"].search([]),
            "specializations": request.env["helpdesk.specialization"].search([]),
            "post": post,
            "error": error or {},
            "error_message": error_message or [],
        }

    @http.route(["/my/tickets/new"], type="http", auth="user", methods=["GET"], website=True)
    def portal_ticket_new(self, **kw):
        values = self._prepare_portal_layout_values()
        values.update(self._ticket_form_values())
        return request.render("tktit_helpdesk.portal_ticket_new", values)

    @http.route(["/my/tickets/new"], type="http", auth="user", methods=["POST"], website=True)
    def portal_ticket_submit(self, **post):
        Intake = request.env["helpdesk.ticket.intake"]
        upload = post.pop("attachment", None)
        vals, error, error_message = Intake._parse_submission(post)
        attachment, attachment_error = self._read_upload(Intake, upload)
        if attachment_error:
            error["attachment"] = True
            error_message.append(attachment_error)
        if not error:
            try:
                with request.env.cr.savepoint():
                    ticket = Intake._create_ticket(vals, attachment)
            except (UserError, ValidationError) as exc:
                error_message.append(exc.name)
            else:
                self._flash("success", _(
                    "Thank you: your ticket %s was received. We sent you a confirmation "
                    "e-mail.") % ticket.number)
                return request.redirect(ticket._get_portal_url(access_token=False))
        values = self._prepare_portal_layout_values()
        values.update(self._ticket_form_values(post, error, error_message))
        return request.render("tktit_helpdesk.portal_ticket_new", values)
