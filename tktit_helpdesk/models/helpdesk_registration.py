from odoo import _, api, models
from odoo.tools import single_email_re

from .helpdesk_expert_application import PENDING_STATES

ROLES = ("customer", "expert")
PASSWORD_MIN_LENGTH = 8
NAME_MAX_LENGTH = 128
MOTIVATION_MAX_LENGTH = 2000


class HelpdeskRegistration(models.AbstractModel):
    """Website registration of customers and experts: parsing, validation and creation.

    The controller only renders; the rules live here so that they are tested without HTTP.
    Visitors are public users: after validation the records are created as superuser, from
    the whitelisted values built here, never from the raw form.
    """

    _name = "helpdesk.registration"
    _description = "Helpdesk Website Registration"

    @api.model
    def _email_in_use(self, email):
        """Whether an e-mail already holds a role: a user's login or e-mail (archived users
        too), or a pending expert application."""
        # sudo: a visitor cannot read users or applications; only a yes/no leaves here.
        Users = self.env["res.users"].sudo().with_context(active_test=False)
        if Users.search_count(["|", ("login", "=ilike", email), ("email", "=ilike", email)]):
            return True
        return bool(self.env["helpdesk.expert.application"].sudo().search_count(
            [("email", "=ilike", email), ("state", "in", PENDING_STATES)]))

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
    def _register_customer(self, values):
        """Create the organisation, its contact and the contact's portal user.

        The organisation is always a new one: linking to an existing partner found by name
        or e-mail would let anyone read that organisation's tickets (the portal rule is by
        commercial partner). Operations merge duplicates if needed.
        """
        # sudo: visitors may create nothing; values come from _parse_registration only.
        Partner = self.env["res.partner"].sudo()
        organisation = Partner.create({
            "name": values["organisation"],
            "is_company": True,
        })
        contact = Partner.create({
            "name": values["name"],
            "email": values["email"],
            "parent_id": organisation.id,
            "type": "contact",
        })
        # no_reset_password: the person chose their password, no invitation mail needed.
        return self.env["res.users"].sudo().with_context(no_reset_password=True).create({
            "login": values["email"],
            "password": values["password"],
            "partner_id": contact.id,
            "groups_id": [(6, 0, self.env.ref("base.group_portal").ids)],
        })

    @api.model
    def _register_expert(self, values):
        """Create the application waiting for operations' review: no user, no access yet."""
        # sudo: visitors have no access to applications; values come from
        # _parse_registration only.
        application = self.env["helpdesk.expert.application"].sudo().create({
            "name": values["name"],
            "email": values["email"],
            "motivation": values["motivation"],
            "technology_ids": [(6, 0, values["technology_ids"])],
            "specialization_ids": [(6, 0, values["specialization_ids"])],
        })
        application.action_submit()
        self.env.ref("tktit_helpdesk.mail_template_expert_application_received").sudo() \
            .send_mail(application.id)
        return application
