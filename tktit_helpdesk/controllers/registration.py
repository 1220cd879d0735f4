import logging

from odoo import _, http
from odoo.exceptions import AccessDenied, UserError, ValidationError
from odoo.http import request

from .portal import SESSION_MESSAGE_KEY

_logger = logging.getLogger(__name__)


class HelpdeskRegistration(http.Controller):
    """Website registration: the address is proven first (a signed, expiring link is
    mailed to it); then customers get a portal account, experts an application that
    operations review. Validation, proof and creation are the model's
    (helpdesk.registration); this only renders and logs the new customer in."""

    def _registration_values(self, role, post=None, error=None, error_message=None):
        post = post or {}
        values = {
            "role": role,
            "post": post,
            "error": error or {},
            "error_message": error_message or [],
            "technologies": request.env["helpdesk.technology"].sudo().search([]),
            "specializations": request.env["helpdesk.specialization"].sudo().search([]),
            "selected_technology_ids": self._posted_ids(post.get("technology_ids")),
            "selected_specialization_ids": self._posted_ids(post.get("specialization_ids")),
        }
        return values

    @staticmethod
    def _posted_ids(raw):
        items = raw if isinstance(raw, (list, tuple)) else (raw or "").split(",")
        return {int(item) for item in items if str(item).strip().isdigit()}

    @http.route(["/helpdesk/register"], type="http", auth="public", methods=["GET"],
                website=True)
    def helpdesk_register(self, role="customer", **kw):
        role = role if role in ("customer", "expert") else "customer"
        return request.render("tktit_helpdesk.registration_page",
                              self._registration_values(role))

    @http.route(["/helpdesk/register"], type="http", auth="public", methods=["POST"],
                website=True)
    def helpdesk_register_submit(self, **post):
        # Several checkboxes share one name: read them all, not only the last one.
        form = request.httprequest.form
        post["technology_ids"] = form.getlist("technology_ids")
        post["specialization_ids"] = form.getlist("specialization_ids")
        Registration = request.env["helpdesk.registration"]
        values, error, error_message = Registration._parse_registration(post)
        role = values["role"]
        if not error:
            try:
                with request.env.cr.savepoint():
                    if role == "customer":
                        Registration._register_customer(values)
                    else:
                        Registration._register_expert(values)
            except (UserError, ValidationError) as exc:
                error_message.append(exc.name)
            else:
                # Nothing is active yet: the link mailed to the address activates it.
                return request.render("tktit_helpdesk.registration_check_mailbox", {
                    "role": role, "email": values["email"]})
        # Never send the passwords back to the browser.
        safe_post = {k: v for k, v in post.items()
                     if k not in ("password", "confirm_password", "csrf_token")}
        return request.render("tktit_helpdesk.registration_page",
                              self._registration_values(role, safe_post, error, error_message))

    @http.route(["/helpdesk/register/verify"], type="http", auth="public", methods=["GET"],
                website=True)
    def helpdesk_register_verify(self, token=None, **kw):
        """The link of the mail: a page to confirm (a GET activates nothing, so that mail
        scanners following links do not confirm anything)."""
        try:
            pending = request.env["helpdesk.registration"]._pending_from_token(token)
        except UserError as exc:
            return self._verify_failed(exc.name)
        return request.render("tktit_helpdesk.registration_verify", {
            "token": token, "role": pending.role, "email": pending.email, "error": None})

    @http.route(["/helpdesk/register/verify"], type="http", auth="public", methods=["POST"],
                website=True)
    def helpdesk_register_verify_submit(self, token=None, password=None, **kw):
        Registration = request.env["helpdesk.registration"]
        try:
            pending = Registration._pending_from_token(token)
        except UserError as exc:
            return self._verify_failed(exc.name)
        try:
            with request.env.cr.savepoint():
                Registration._confirm(token, password=password)
        except (UserError, ValidationError) as exc:
            return request.render("tktit_helpdesk.registration_verify", {
                "token": token, "role": pending.role, "email": pending.email,
                "error": exc.name})
        if pending.role == "customer":
            return self._customer_registered(pending.user_id, password)
        return request.render("tktit_helpdesk.registration_done", {
            "role": "expert", "application": pending.application_id})

    def _verify_failed(self, message):
        response = request.render("tktit_helpdesk.registration_verify_failed",
                                  {"message": message})
        response.status_code = 400
        return response

    def _customer_registered(self, user, password):
        """Log the new customer in (when nobody is logged in) and send them to their
        tickets; otherwise say the account is ready to log in with."""
        if request.env.user._is_public():
            # Logging in checks the password on a new cursor: commit the new user first,
            # as auth_signup's /web/signup does.
            request.env.cr.commit()
            try:
                uid = request.session.authenticate(request.session.db, user.login, password)
            except AccessDenied:
                uid = False
            if not uid:
                _logger.warning("new customer %s could not be logged in", user.login)
            else:
                request.session[SESSION_MESSAGE_KEY] = {"kind": "success", "text": _(
                    "Welcome! Your customer account is ready: open your first ticket "
                    "with the New Ticket button.")}
                return request.redirect("/my/tickets")
        return request.render("tktit_helpdesk.registration_done", {
            "role": "customer", "login": user.login})
