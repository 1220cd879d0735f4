from odoo import SUPERUSER_ID, _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from .email_lookup import email_domain

APPLICATION_STATES = [
    ("draft", "Draft"),
    ("submitted", "Submitted"),
    ("approved", "Approved"),
    ("refused", "Refused"),
]
# An e-mail may be pending in one application only (email_pending_uniq).
PENDING_STATES = ("draft", "submitted")
MANAGER = "tktit_helpdesk.group_helpdesk_manager"
# Only the superuser (the website's verification, helpdesk.registration) sets these.
PROTECTED_FIELDS = ("verified_email",)


class HelpdeskExpertApplication(models.Model):
    """A person's request to work as an expert, made on the website.

    Nothing but this record exists until a manager approves it: approval creates the
    internal expert user (login = the application's e-mail), puts them in the queues of
    the application and mails them a link to set their password. Website applications
    exist only once the applicant followed the link mailed to their address
    (``verified_email``); only an application whose e-mail was proven so is approved.
    """

    _name = "helpdesk.expert.application"
    _description = "Helpdesk Expert Application"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "create_date desc, id desc"

    name = fields.Char(
        string="Applicant", required=True, track_visibility="always",
        readonly=True, states={"draft": [("readonly", False)], "submitted": [("readonly", False)]})
    email = fields.Char(
        required=True, index=True, track_visibility="onchange",
        readonly=True, states={"draft": [("readonly", False)], "submitted": [("readonly", False)]})
    company_id = fields.Many2one(
        "res.company", required=True,
        default=lambda self: self.env["res.company"]._company_default_get(
            "helpdesk.expert.application"))
    technology_ids = fields.Many2many(
        "helpdesk.technology", string="Technologies (scope)",
        readonly=True, states={"draft": [("readonly", False)], "submitted": [("readonly", False)]})
    specialization_ids = fields.Many2many(
        "helpdesk.specialization", string="Specializations (stream)",
        readonly=True, states={"draft": [("readonly", False)], "submitted": [("readonly", False)]})
    motivation = fields.Text(
        readonly=True, states={"draft": [("readonly", False)], "submitted": [("readonly", False)]})
    queue_ids = fields.Many2many(
        "helpdesk.queue", string="Expert Queues",
        readonly=True, states={"draft": [("readonly", False)], "submitted": [("readonly", False)]},
        help="Queues the expert joins on approval. Proposed from the technologies and "
             "specializations of the application; operations may change them.")
    state = fields.Selection(
        APPLICATION_STATES, required=True, default="draft", index=True, copy=False,
        track_visibility="onchange")
    refuse_reason = fields.Text(
        copy=False, track_visibility="onchange",
        readonly=True, states={"draft": [("readonly", False)], "submitted": [("readonly", False)]},
        help="Sent to the applicant when the application is refused.")
    user_id = fields.Many2one(
        "res.users", string="Expert User", readonly=True, copy=False,
        help="The internal user created on approval.")
    partner_id = fields.Many2one(
        "res.partner", related="user_id.partner_id", string="Contact", readonly=True)
    decided_by_id = fields.Many2one("res.users", string="Decided By", readonly=True, copy=False)
    decided_on = fields.Datetime(readonly=True, copy=False)
    verified_email = fields.Char(
        readonly=True, copy=False,
        help="The address the applicant proved to own by following the link mailed to it. "
             "Set by the website only.")
    email_verified = fields.Boolean(
        compute="_compute_email_verified", string="E-mail Verified",
        help="The applicant proved to own the application's e-mail. Changing the e-mail "
             "drops the proof.")

    _sql_constraints = [
        # One pending application per e-mail (a partial unique constraint).
        ("email_pending_uniq",
         "EXCLUDE (lower(email) WITH =) WHERE (state IN ('draft', 'submitted'))",
         "An application with this e-mail is already waiting for review."),
    ]

    @api.depends("email", "verified_email")
    def _compute_email_verified(self):
        for application in self:
            application.email_verified = bool(application.verified_email) and \
                application.verified_email == application.email

    @api.constrains("email", "state")
    def _check_email(self):
        """One role per e-mail: a pending application's e-mail is not a user's login or
        e-mail (customer, expert, anyone, archived too)."""
        Users = self.env["res.users"].sudo().with_context(active_test=False)
        for application in self.filtered(lambda a: a.state in PENDING_STATES):
            email = application.email
            if Users.search_count(["|", email_domain("login", email),
                                   email_domain("email", email)]):
                raise ValidationError(_(
                    "The e-mail %s already has an account. An expert must apply with a "
                    "different e-mail than their customer account.") % email)

    @api.model
    def create(self, vals):
        vals = self._preprocess_values(vals)
        application = super(HelpdeskExpertApplication, self).create(vals)
        if not application.queue_ids:
            application.queue_ids = application._get_matching_queues()
        return application

    @api.multi
    def write(self, vals):
        return super(HelpdeskExpertApplication, self).write(self._preprocess_values(vals))

    @api.multi
    def unlink(self):
        if any(application.state == "approved" for application in self):
            raise UserError(_("An approved application cannot be deleted: it documents how "
                              "the expert joined."))
        return super(HelpdeskExpertApplication, self).unlink()

    @api.multi
    def action_submit(self):
        """Send a draft for review. Submitting a submitted application does nothing."""
        todo = self.filtered(lambda a: a.state != "submitted")
        if any(application.state != "draft" for application in todo):
            raise UserError(_("Only draft applications can be submitted."))
        todo.write({"state": "submitted"})
        return True

    @api.multi
    def action_approve(self):
        """Create the expert user, put them in the application's queues, mail the link to
        set their password. Approving an approved application does nothing.

        Approval creates an internal user: helpdesk managers only (dispatchers may
        review, not approve), and only for an application whose e-mail the applicant
        proved. The user is made of the application's own data; nothing the caller
        passes (context defaults included) reaches it."""
        if self.env.uid != SUPERUSER_ID and not self.env.user.has_group(MANAGER):
            raise AccessError(_("Only helpdesk managers can approve expert applications: "
                                "approval creates an internal user."))
        todo = self.filtered(lambda a: a.state != "approved")
        if any(application.state != "submitted" for application in todo):
            raise UserError(_("Only submitted applications can be approved."))
        unverified = todo.filtered(lambda a: not a.email_verified)
        if unverified:
            raise UserError(_(
                "The applicant has not proven the address %s: only an application made on "
                "the website, whose e-mail was confirmed with the link mailed to it, can be "
                "approved.") % ", ".join(unverified.mapped("email")))
        # Creating users needs more than the manager's helpdesk rights: check theirs on
        # the application first, then do the work as superuser.
        todo.check_access_rights("write")
        todo.check_access_rule("write")
        decider = self.env.user
        # A clean context: no default_* or group keys of the caller reach res.users, hence
        # a replaced context, not an updated one.
        clean = {key: self.env.context[key] for key in ("lang", "tz") if key in self.env.context}
        for application in todo:
            application.sudo().with_context(clean)._action_approve(  # pylint: disable=W8121
                decider)
        return True

    @api.multi
    def action_refuse(self, reason=None):
        """Refuse and mail the applicant the reason: ``reason`` or, from the button, the
        application's own ``refuse_reason``. Refusing again does nothing."""
        todo = self.filtered(lambda a: a.state != "refused")
        if any(application.state not in PENDING_STATES for application in todo):
            raise UserError(_("An approved application cannot be refused: archive the "
                              "expert's user instead."))
        if not todo:
            return True
        vals = {
            "state": "refused",
            "decided_by_id": self.env.uid,
            "decided_on": fields.Datetime.now(),
        }
        if reason and reason.strip():
            vals["refuse_reason"] = reason.strip()
        todo.write(vals)
        template = self.env.ref("tktit_helpdesk.mail_template_expert_application_refused")
        for application in todo:
            template.send_mail(application.id)
        return True

    @api.multi
    def _action_approve(self, decider):
        self.ensure_one()
        self._check_email()  # an account may have been created since the application
        user = self.env["res.users"].with_context(no_reset_password=True).create(
            self._prepare_user_values())
        # A signup token without expiry, as Odoo does for invitations: the mail below
        # carries the link where the expert chooses their password.
        user.partner_id.signup_prepare(signup_type="reset", expiration=False)
        self.write({
            "state": "approved",
            "user_id": user.id,
            "decided_by_id": decider.id,
            "decided_on": fields.Datetime.now(),
        })
        self.env.ref("tktit_helpdesk.mail_template_expert_application_approved").send_mail(
            self.id)
        return user

    @api.multi
    def _prepare_user_values(self):
        self.ensure_one()
        return {
            "name": self.name,
            "login": self.email,
            "email": self.email,
            "company_id": self.company_id.id,
            "company_ids": [(6, 0, self.company_id.ids)],
            # Expert implies Employee (base.group_user): an internal user, nothing more.
            "groups_id": [(6, 0, self.env.ref("tktit_helpdesk.group_helpdesk_expert").ids)],
            "helpdesk_queue_ids": [(6, 0, self.queue_ids.ids)],
        }

    @api.multi
    def _get_matching_queues(self):
        """Queues serving what the applicant covers: for each chosen specialization its
        queue and its technology's general queue; for a technology chosen without any of
        its specializations, every queue of the technology."""
        self.ensure_one()
        Queue = self.env["helpdesk.queue"].sudo()
        specializations = self.specialization_ids
        whole_technologies = self.technology_ids - specializations.mapped("technology_id")
        domain = [("company_id", "=", self.company_id.id)]
        clauses = []
        if specializations:
            clauses.append([("specialization_id", "in", specializations.ids)])
            clauses.append([("specialization_id", "=", False),
                            ("technology_id", "in", specializations.mapped("technology_id").ids)])
        if whole_technologies:
            clauses.append([("technology_id", "in", whole_technologies.ids)])
        if not clauses:
            return Queue.browse()
        or_domain = ["|"] * (len(clauses) - 1)
        for clause in clauses:
            or_domain += ["&"] * (len(clause) - 1) + clause
        return Queue.search(domain + or_domain)

    @api.model
    def _preprocess_values(self, vals):
        """E-mails are stored trimmed and lower-case, so lookups and the unique index agree.
        The proof of the e-mail is the website's to set (as superuser), nobody else's."""
        vals = dict(vals)
        if self.env.uid != SUPERUSER_ID:
            for name in PROTECTED_FIELDS:
                vals.pop(name, None)
        if vals.get("email"):
            vals["email"] = vals["email"].strip().lower()
        return vals
