import hashlib
import hmac
import secrets
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import single_email_re

from .email_lookup import email_domain
from .helpdesk_expert_application import PENDING_STATES

ROLES = ("customer", "expert")
PASSWORD_MIN_LENGTH = 8
NAME_MAX_LENGTH = 128
MOTIVATION_MAX_LENGTH = 2000
# How long the link mailed to a registrant is valid (ir.config_parameter overrides it).
LINK_HOURS_PARAM = "tktit_helpdesk.registration_link_hours"
LINK_HOURS_DEFAULT = 24
# Pending registrations older than this are deleted (hashed password included).
PENDING_KEEP_DAYS = 7


class HelpdeskRegistrationPending(models.Model):
    """A registration waiting for its e-mail to be proven.

    An e-mail address belongs to whoever proves it: the website creates nothing else
    (no partner, user or application) before the registrant follows the signed,
    expiring link mailed to the address, so an unproven address is routed nowhere
    (the mail gateway only knows partners). Only the superuser reads these records:
    they hold the hashed password of a customer.
    """

    _name = "helpdesk.registration.pending"
    _description = "Helpdesk Registration Awaiting E-mail Proof"
    _order = "id desc"

    role = fields.Selection([("customer", "Customer"), ("expert", "Expert")], required=True)
    name = fields.Char(required=True)
    email = fields.Char(required=True, index=True)
    organisation = fields.Char()
    password_crypt = fields.Char(copy=False)
    motivation = fields.Text()
    technology_ids = fields.Many2many(
        "helpdesk.technology", "helpdesk_registration_pending_technology_rel",
        "pending_id", "technology_id")
    specialization_ids = fields.Many2many(
        "helpdesk.specialization", "helpdesk_registration_pending_specialization_rel",
        "pending_id", "specialization_id")
    company_id = fields.Many2one(
        "res.company", required=True,
        default=lambda self: self.env["res.company"]._company_default_get(
            "helpdesk.registration.pending"))
    nonce = fields.Char(required=True, copy=False)
    expires_on = fields.Datetime(required=True)
    state = fields.Selection([
        ("pending", "Awaiting proof"),
        ("verified", "Verified"),
        ("replaced", "Replaced"),
    ], required=True, default="pending", index=True)
    user_id = fields.Many2one("res.users", readonly=True)
    application_id = fields.Many2one("helpdesk.expert.application", readonly=True)

    @api.multi
    def _signature(self):
        """HMAC of the record's identity, address, expiry and nonce with the database
        secret: the link cannot be forged, nor reused once the nonce is replaced."""
        self.ensure_one()
        secret = self.env["ir.config_parameter"].sudo().get_param("database.secret")
        message = "tktit-registration|%s|%s|%s|%s" % (
            self.id, self.email, self.expires_on, self.nonce)
        return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()

    @api.multi
    def _token(self):
        self.ensure_one()
        return "%s.%s" % (self.id, self._signature())

    @api.multi
    def _verification_url(self):
        self.ensure_one()
        base = self.env["ir.config_parameter"].sudo().get_param("web.base.url", "")
        return "%s/helpdesk/register/verify?token=%s" % (base.rstrip("/"), self._token())


class HelpdeskRegistration(models.AbstractModel):
    """Website registration of customers and experts: parsing, validation, the proof of
    the e-mail address and creation.

    The controller only renders; the rules live here so that they are tested without HTTP.
    Visitors are public users: after validation a ``helpdesk.registration.pending`` is
    kept and the signed link mailed to the address; following it (``_confirm``) creates
    the customer's organisation, contact and portal user, or the expert's application,
    as superuser from the whitelisted values built here, never from the raw form.
    """

    _name = "helpdesk.registration"
    _description = "Helpdesk Website Registration"

    @api.model
    def _email_in_use(self, email):
        """Whether an e-mail already holds a role: a user's login or e-mail (archived users
        too), or a pending expert application."""
        # sudo: a visitor cannot read users or applications; only a yes/no leaves here.
        Users = self.env["res.users"].sudo().with_context(active_test=False)
        if Users.search_count(["|", email_domain("login", email),
                               email_domain("email", email)]):
            return True
        return bool(self.env["helpdesk.expert.application"].sudo().search_count(
            [email_domain("email", email), ("state", "in", PENDING_STATES)]))

    @api.model
    def _parse_registration(self, post):
        """Turn the posted form into ``(values, error, error_message)``: the clean values,
        the fields in error, and the messages to show. Nothing is written."""
        error, error_message = {}, []
        role = post.get("role") if post.get("role") in ROLES else "customer"
        name = (post.get("name") or "").strip()
        email = (post.get("email") or "").strip().lower()
        values = {"role": role, "name": name, "email": email}

        if not name:
            error["name"] = True
            error_message.append(_("Please enter your name."))
        elif len(name) > NAME_MAX_LENGTH:
            error["name"] = True
            error_message.append(_("Your name is too long (%s characters at most).")
                                 % NAME_MAX_LENGTH)
        if not email or not single_email_re.match(email):
            error["email"] = True
            error_message.append(_("Please enter a valid e-mail address."))
        elif self._email_in_use(email):
            error["email"] = True
            if role == "expert":
                error_message.append(_(
                    "This e-mail already has an account or a pending application. An expert "
                    "must register with a different e-mail than their customer account."))
            else:
                error_message.append(_(
                    "This e-mail already has an account: log in, or reset your password "
                    "from the login page. One e-mail cannot be both a customer and an "
                    "expert."))
        elif self._email_taken_by_organisation(email):
            error["email"] = True
            if role == "expert":
                error_message.append(_(
                    "This e-mail is the address of a customer organisation's contact. An "
                    "expert must register with a different e-mail than their customer "
                    "account."))
            else:
                error_message.append(_(
                    "This e-mail belongs to a contact of an organisation we already serve: "
                    "a new organisation cannot be registered with it. Ask your "
                    "organisation's administrator to give you access to the portal."))

        if role == "customer":
            self._parse_customer(post, values, error, error_message)
        else:
            self._parse_expert(post, values, error, error_message)
        return values, error, error_message

    @api.model
    def _parse_customer(self, post, values, error, error_message):
        organisation = (post.get("organisation") or "").strip()
        password = post.get("password") or ""
        if not organisation:
            error["organisation"] = True
            error_message.append(_("Please enter the name of your organisation."))
        elif len(organisation) > NAME_MAX_LENGTH:
            error["organisation"] = True
            error_message.append(_("The organisation name is too long (%s characters at "
                                   "most).") % NAME_MAX_LENGTH)
        if len(password) < PASSWORD_MIN_LENGTH:
            error["password"] = True
            error_message.append(_("Your password must have at least %s characters.")
                                 % PASSWORD_MIN_LENGTH)
        elif password != (post.get("confirm_password") or ""):
            error["confirm_password"] = True
            error_message.append(_("The two passwords do not match."))
        values.update(organisation=organisation, password=password)

    @api.model
    def _parse_expert(self, post, values, error, error_message):
        specializations = self._browse_posted(
            "helpdesk.specialization", post.get("specialization_ids"))
        technologies = self._browse_posted("helpdesk.technology", post.get("technology_ids"))
        if specializations is None or technologies is None:
            error["scope"] = True
            error_message.append(_("Please choose technologies and specializations from "
                                   "the list."))
        elif not specializations and not technologies:
            error["scope"] = True
            error_message.append(_("Please choose at least one technology or specialization "
                                   "you can cover."))
        motivation = (post.get("motivation") or "").strip()
        if not motivation:
            error["motivation"] = True
            error_message.append(_("Please tell us in a few words about your experience."))
        elif len(motivation) > MOTIVATION_MAX_LENGTH:
            error["motivation"] = True
            error_message.append(_("Your motivation is too long (%s characters at most).")
                                 % MOTIVATION_MAX_LENGTH)
        values.update(
            motivation=motivation,
            technology_ids=technologies.ids if technologies else [],
            specialization_ids=specializations.ids if specializations else [])

    @api.model
    def _browse_posted(self, model, raw):
        """Active records of ``model`` from posted ids (a list or a comma-separated string);
        None when an id is not a number or not an active record of the catalogue."""
        if not raw:
            return self.env[model].browse()
        items = raw if isinstance(raw, (list, tuple)) else str(raw).split(",")
        try:
            ids = {int(item) for item in items if str(item).strip()}
        except ValueError:
            return None
        records = self.env[model].sudo().search([("id", "in", list(ids))])
        return records if len(records) == len(ids) else None

    @api.model
    def _email_taken_by_organisation(self, email):
        """Whether ``email`` is the address of a contact (or the address) of an existing
        organisation. A new registration never takes it over: the people behind the
        organisation give its contacts access, not whoever types the address."""
        # sudo: a visitor cannot read partners; only a yes/no leaves here.
        partners = self.env["res.partner"].sudo().search([email_domain("email", email)])
        return any(partner.commercial_partner_id.is_company for partner in partners)

    @api.model
    def _check_email_free(self, email):
        """Raise a UserError when the address is taken (at verification time: an account
        or an organisation may have got it since the registration)."""
        if self._email_in_use(email) or self._email_taken_by_organisation(email):
            raise UserError(_(
                "The e-mail %s already has an account or belongs to an organisation we "
                "serve: log in, or ask your organisation's administrator for access.")
                % email)

    # ------------------------------------------------------------ requests
    @api.model
    def _register_customer(self, values):
        """Keep the customer's registration until they prove the address: mails them
        the link. Nothing else is created: no organisation, contact or user."""
        # sudo: passlib's context of res.users; the clear password is never stored.
        password_crypt = self.env["res.users"].sudo()._crypt_context().encrypt(
            values["password"])
        return self._request_verification({
            "role": "customer",
            "name": values["name"],
            "email": values["email"],
            "organisation": values["organisation"],
            "password_crypt": password_crypt,
        })

    @api.model
    def _register_expert(self, values):
        """Keep the expert application until the applicant proves the address: mails
        them the link. Operations see the application only after that."""
        return self._request_verification({
            "role": "expert",
            "name": values["name"],
            "email": values["email"],
            "motivation": values["motivation"],
            "technology_ids": [(6, 0, values["technology_ids"])],
            "specialization_ids": [(6, 0, values["specialization_ids"])],
        })

    @api.model
    def _request_verification(self, vals):
        """Create the pending registration, replacing earlier ones of the same address
        (their links stop working), and queue the mail with the link to that address
        only."""
        # sudo: visitors may create nothing; vals come from _parse_registration only.
        Pending = self.env["helpdesk.registration.pending"].sudo()
        now = fields.Datetime.from_string(fields.Datetime.now())
        Pending.search([
            ("state", "!=", "pending"),
            ("create_date", "<", fields.Datetime.to_string(
                now - timedelta(days=PENDING_KEEP_DAYS)))]).unlink()
        Pending.search([email_domain("email", vals["email"]), ("state", "=", "pending")]) \
            .write({"state": "replaced", "password_crypt": False})
        try:
            hours = int(self.env["ir.config_parameter"].sudo().get_param(
                LINK_HOURS_PARAM, LINK_HOURS_DEFAULT))
        except ValueError:
            hours = LINK_HOURS_DEFAULT
        pending = Pending.create(dict(
            vals, nonce=secrets.token_hex(16),
            expires_on=fields.Datetime.to_string(now + timedelta(hours=hours))))
        # Queued (mail cron), sent to the typed address only: whoever reads it proves it.
        self.env.ref("tktit_helpdesk.mail_template_registration_verify").sudo().with_context(
            verification_url=pending._verification_url(), link_hours=hours,
        ).send_mail(pending.id)
        return pending

    # -------------------------------------------------------- verification
    @api.model
    def _pending_from_token(self, token):
        """The pending registration the link ``token`` proves, or a UserError saying
        the link is not (or no longer) valid. Nothing is written."""
        invalid = UserError(_(
            "This confirmation link is not valid: it may have been replaced by a newer "
            "one, already used, or mistyped. Register again to receive a new link."))
        record_id, _sep, signature = (token or "").partition(".")
        if not record_id.isdigit() or not signature:
            raise invalid
        # sudo: the visitor proves the record with the signature, not with access rights.
        pending = self.env["helpdesk.registration.pending"].sudo().browse(int(record_id))
        if not pending.exists() or pending.state != "pending" or \
                not hmac.compare_digest(pending._signature(), signature):
            raise invalid
        if pending.expires_on < fields.Datetime.now():
            raise UserError(_("This confirmation link has expired. Register again to "
                              "receive a new link."))
        return pending

    @api.model
    def _confirm(self, token, password=None):
        """Activate the registration the link ``token`` proves: a customer (who types
        again the password chosen at registration, so that clicking a link someone else
        asked for gives them nothing) gets their organisation, contact and portal user;
        an expert's application goes to operations' review. Returns the pending record
        (``user_id`` or ``application_id`` set)."""
        pending = self._pending_from_token(token)
        if pending.role == "customer":
            valid = bool(password) and self.env["res.users"].sudo()._crypt_context().verify(
                password, pending.password_crypt)
            if not valid:
                raise UserError(_("This is not the password chosen when registering."))
        self._check_email_free(pending.email)
        if pending.role == "customer":
            pending.user_id = self._create_customer(pending)
        else:
            pending.application_id = self._create_application(pending)
        pending.write({"state": "verified", "password_crypt": False})
        return pending

    @api.model
    def _create_customer(self, pending):
        """Create the organisation, its contact and the contact's portal user, from the
        proven registration.

        The organisation is always a new one: linking to an existing partner found by name
        or e-mail would let anyone read that organisation's tickets (the portal rule is by
        commercial partner). Operations merge duplicates if needed.
        """
        # sudo: visitors may create nothing; values come from the proven registration.
        Partner = self.env["res.partner"].sudo()
        organisation = Partner.create({
            "name": pending.organisation,
            "is_company": True,
        })
        contact = Partner.create({
            "name": pending.name,
            "email": pending.email,
            "parent_id": organisation.id,
            "type": "contact",
        })
        # no_reset_password: the person chose their password, no invitation mail needed.
        user = self.env["res.users"].sudo().with_context(no_reset_password=True).create({
            "login": pending.email,
            "partner_id": contact.id,
            "groups_id": [(6, 0, self.env.ref("base.group_portal").ids)],
        })
        user._set_encrypted_password(pending.password_crypt)
        return user

    @api.model
    def _create_application(self, pending):
        """Create the application for operations' review, its e-mail proven."""
        # sudo: visitors have no access to applications; the superuser alone may set
        # verified_email.
        application = self.env["helpdesk.expert.application"].sudo().create({
            "name": pending.name,
            "email": pending.email,
            "verified_email": pending.email,
            "motivation": pending.motivation,
            "technology_ids": [(6, 0, pending.technology_ids.ids)],
            "specialization_ids": [(6, 0, pending.specialization_ids.ids)],
        })
        application.action_submit()
        self.env.ref("tktit_helpdesk.mail_template_expert_application_received").sudo() \
            .send_mail(application.id)
        return application
