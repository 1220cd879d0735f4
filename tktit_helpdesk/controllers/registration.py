import logging

from odoo import _, http
from odoo.exceptions import AccessDenied, UserError, ValidationError
from odoo.http import request

from .portal import SESSION_MESSAGE_KEY

_logger = logging.getLogger(__name__)


class HelpdeskRegistration(http.Controller):
    """Website registration: customers get a portal account at once, experts an
    application that operations review. Validation and creation are the model's
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
                        user = Registration._register_customer(values)
                    else:
                        application = Registration._register_expert(values)
            except (UserError, ValidationError) as exc:
                error_message.append(exc.name)
            else:
                if role == "customer":
                    return self._customer_registered(user, values)
                return request.render("tktit_helpdesk.registration_done", {
                    "role": "expert", "application": application})
        # Never send the passwords back to the browser.
        safe_post = {k: v for k, v in post.items()
                     if k not in ("password", "confirm_password", "csrf_token")}
        return request.render("tktit_helpdesk.registration_page",
                              self._registration_values(role, safe_post, error, error_message))

    def _customer_registered(self, user, values):
        """Log the new customer in (when nobody is logged in) and send them to their
        tickets; otherwise say the account is ready to log in with."""
        if request.env.user._is_public():
            # Logging in checks the password on a new cursor: commit the new user first,
            # as auth_signup's /web/signup does.
            request.env.cr.commit()
            try:
                uid = request.session.authenticate(request.session.db, values["email"],
                                                   values["password"])
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
