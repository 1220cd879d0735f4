import logging

from odoo import _, http
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.http import request
from odoo.tools import consteq, plaintext2html

from odoo.addons.portal.controllers.portal import CustomerPortal, get_records_pager
from odoo.addons.portal.controllers.portal import pager as portal_pager

_logger = logging.getLogger(__name__)

SESSION_MESSAGE_KEY = "tktit_helpdesk_portal_message"


class HelpdeskPortal(CustomerPortal):
    """Thin portal: access checks, form parsing and rendering. Every change of a
    ticket goes through the model's methods, inside a savepoint so a refused
    transition leaves nothing half-done."""

    def _ticket_domain(self):
        # Same condition as the portal record rule: counters and lists match it.
        return [("commercial_partner_id", "=", request.env.user.commercial_partner_id.id)]

    def _prepare_portal_layout_values(self):
        values = super(HelpdeskPortal, self)._prepare_portal_layout_values()
        values["ticket_count"] = request.env["helpdesk.ticket"].search_count(
            self._ticket_domain())
        return values

    # ------------------------------------------------------------- helpers
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

    def _flash(self, kind, text):
        request.session[SESSION_MESSAGE_KEY] = {"kind": kind, "text": text}

    def _pop_flash(self):
        return request.session.pop(SESSION_MESSAGE_KEY, None)

    def _ticket_url(self, ticket, access_token=None):
        url = "/my/ticket/%s" % ticket.id
        return url + ("?access_token=%s" % access_token if access_token else "")

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
            "open": {"label": _("Open"), "domain": [("state", "not in", ("closed", "cancelled"))]},
            "waiting": {"label": _("Awaiting Customer"),
                        "domain": [("portal_state", "=", "awaiting_customer")]},
            "closed": {"label": _("Closed"), "domain": [("state", "in", ("closed", "cancelled"))]},
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
            "access_token": access_token,
            "flash": self._pop_flash(),
            "user": request.env.user,
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
        """Talk To Expert: the customer's message goes to the ticket's thread."""
        try:
            ticket = self._ticket_check_access(ticket_id, access_token)
        except (AccessError, MissingError):
            return request.redirect("/my")
        url = self._ticket_url(ticket, access_token)
        text = (message or "").strip()
        if not text:
            self._flash("warning", _("Your message is empty."))
            return request.redirect(url)
        if ticket.state in ("closed", "cancelled"):
            self._flash("warning", _(
                "This ticket is closed, so messages are no longer accepted here. Reply to its "
                "closing e-mail to reopen it, or open a new ticket."))
            return request.redirect(url)
        user = request.env.user
        author = user.partner_id if not user._is_public() else ticket.partner_id
        # Plain text in, escaped HTML out: markup typed by the customer is shown, never run.
        if self._run_transition(ticket, "message_post", body=plaintext2html(text),
                                message_type="comment", subtype="mail.mt_comment",
                                author_id=author.id):
            self._flash("success", _("Your message was sent to the expert."))
        return request.redirect(url)

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
            self._flash("success", _("Thank you: your ticket is closed.") if is_satisfied else
                        _("Thank you: the expert and our operations team will follow up."))
        return request.redirect(self._ticket_url(ticket, access_token))

    # ---------------------------------------------------------------- new
    def _ticket_form_values(self, post=None, error=None, error_message=None):
        post = post or {}
        return {
            "page_name": "ticket_new",
            "categories": request.env["helpdesk.ticket"]._fields["category"].selection,
            "priorities": request.env["helpdesk.ticket"]._fields["priority"].selection,
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
        Ticket = request.env["helpdesk.ticket"]
        upload = post.pop("attachment", None)
        vals, error, error_message = Ticket._portal_parse_submission(post)
        attachment = None
        if upload is not None and getattr(upload, "filename", None):
            content = upload.read()
            attachment_error = Ticket._portal_check_attachment(upload.filename, content)
            if attachment_error:
                error["attachment"] = True
                error_message.append(attachment_error)
            attachment = (upload.filename, content)
        if not error:
            try:
                with request.env.cr.savepoint():
                    ticket = Ticket._portal_create_ticket(vals, attachment)
            except (UserError, ValidationError) as exc:
                error_message.append(exc.name)
            else:
                self._flash("success", _(
                    "Thank you: your ticket %s was received. We sent you a confirmation "
                    "e-mail.") % ticket.number)
                return request.redirect("/my/ticket/%s" % ticket.id)
        values = self._prepare_portal_layout_values()
        values.update(self._ticket_form_values(post, error, error_message))
        return request.render("tktit_helpdesk.portal_ticket_new", values)

    # -------------------------------------------------------------- rating
    @http.route(["/helpdesk/rating/<string:token>/<int:stars>"], type="http", auth="public",
                website=True)
    def portal_ticket_rating(self, token, stars, **kw):
        """One-click rating from the completion mail (token-protected, like Odoo's own
        /rating links): 1 to 5 stars."""
        # sudo: the customer may not be logged in; the unguessable token is the access check.
        rating = request.env["rating.rating"].sudo().search(
            [("access_token", "=", token), ("res_model", "=", "helpdesk.ticket")], limit=1)
        if not rating or stars not in range(1, 6):
            return request.not_found()
        ticket = request.env["helpdesk.ticket"].sudo().browse(rating.res_id)
        feedback = kw.get("feedback")
        ticket._apply_customer_rating(stars, token, feedback=feedback)
        return request.render("tktit_helpdesk.portal_rating_done", {
            "ticket": ticket, "stars": stars, "token": token,
            "feedback_received": bool((feedback or "").strip())})

    @http.route(["/helpdesk/rating/<string:token>/<int:stars>/feedback"], type="http",
                auth="public", methods=["POST"], website=True)
    def portal_ticket_rating_feedback(self, token, stars, feedback="", **kw):
        return self.portal_ticket_rating(token, stars, feedback=feedback)
