"""Issue 4 item 10: website registration of customers and experts; Wave 2 · 2 item 1:
nothing is active before the registrant proved the address (the link mailed to it)."""
import re
from datetime import timedelta

from psycopg2 import IntegrityError

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests.common import SavepointCase, at_install, post_install
from odoo.tools import mute_logger

from .common import HttpCase, MailSinkMixin
from .fixtures import (
    EXPERT, OPERATIONS, make_catalogue, make_organisation, make_queue, new_user)

MANAGER = "tktit_helpdesk.group_helpdesk_manager"


class RegistrationCommon(object):

    @classmethod
    def _setup_registration(cls, env):
        technology, (cls.spec_a, cls.spec_b) = make_catalogue(
            env, "Registration Tech", "REGTEST",
            streams=[("Reg Stream A", "A"), ("Reg Stream B", "B")])
        other_technology, cls.other_spec = make_catalogue(
            env, "Registration Other Tech", "REGTEST2", streams=[("Reg Other Stream", "O")])
        cls.technology, cls.other_technology = technology, other_technology
        cls.queue_general = make_queue(env, technology, None, name="Reg general",
                                       alias="reg-general-test")
        cls.queue_a = make_queue(env, technology, cls.spec_a, name="Reg A", alias="reg-a-test")
        cls.queue_b = make_queue(env, technology, cls.spec_b, name="Reg B", alias="reg-b-test")
        cls.queue_other = make_queue(env, other_technology, cls.other_spec, name="Reg other",
                                     alias="reg-other-test")
        cls.operations = new_user(env, "reg_operations", [OPERATIONS], name="Reg Operations",
                                  email="ops@reg.example.com")
        cls.expert = new_user(env, "reg_expert", [EXPERT], name="Reg Expert",
                              email="expert@reg.example.com")
        cls.manager = new_user(env, "reg_manager", [MANAGER], name="Reg Manager",
                               email="manager@reg.example.com")
        cls.customer_org, cls.customer = make_organisation(
            env, "Reg Existing Org", "customer@reg.example.com",
            email="customer@reg.example.com", contact="Reg Customer", password="customer-pass")

    def _customer_post(self, **overrides):
        post = {"role": "customer", "name": "Ada Customer", "email": "Ada@NewOrg.example.com",
                "organisation": "New Org Ltd", "password": "s3cret-pass",
                "confirm_password": "s3cret-pass"}
        post.update(overrides)
        return post

    def _expert_post(self, **overrides):
        post = {"role": "expert", "name": "Grace Expert", "email": "grace@experts.example.com",
                "specialization_ids": [str(self.spec_a.id)], "technology_ids": [],
                "motivation": "Ten years of networks."}
        post.update(overrides)
        return post


class TestRegistration(RegistrationCommon, SavepointCase):

    @classmethod
    def setUpClass(cls):
        super(TestRegistration, cls).setUpClass()
        cls._setup_registration(cls.env)
        cls.Registration = cls.env["helpdesk.registration"]
        cls.Application = cls.env["helpdesk.expert.application"]

    def _outgoing(self, email):
        return self.env["mail.mail"].sudo().search([("email_to", "ilike", email)])

    def _apply(self, **overrides):
        """An expert application made on the website, its link followed."""
        values, error, messages = self.Registration._parse_registration(
            self._expert_post(**overrides))
        self.assertFalse(error, "valid expert form refused: %s" % messages)
        pending = self.Registration._register_expert(values)
        self.assertFalse(self.Application.search([("email", "=", values["email"]),
                                                  ("state", "!=", "refused")]),
                         "operations must see no application before the address is proven")
        return self.Registration._confirm(pending._token()).application_id

    def _register_customer(self, **overrides):
        """A customer registration made on the website, its link followed with the
        password chosen."""
        post = self._customer_post(**overrides)
        values, error, messages = self.Registration._parse_registration(post)
        self.assertFalse(error, "valid customer form refused: %s" % messages)
        pending = self.Registration._register_customer(values)
        return self.Registration._confirm(pending._token(), password=post["password"]).user_id

    # ------------------------------------------------------------- parsing
    def test_parse_customer_ok(self):
        values, error, messages = self.Registration._parse_registration(self._customer_post())
        self.assertFalse(error, "a valid customer form has no error: %s" % messages)
        self.assertEqual(values["email"], "ada@neworg.example.com", "e-mail is normalised")
        self.assertEqual(values["organisation"], "New Org Ltd",
                         "the organisation typed must be kept")

    def test_parse_customer_errors(self):
        cases = [
            ({"email": "not-an-email"}, "email"),
            ({"email": ""}, "email"),
            ({"name": "  "}, "name"),
            ({"organisation": ""}, "organisation"),
            ({"password": "short", "confirm_password": "short"}, "password"),
            ({"confirm_password": "another-pass"}, "confirm_password"),
            ({"email": "CUSTOMER@reg.example.com"}, "email"),  # login, any case
            ({"email": "expert@reg.example.com"}, "email"),  # an internal user's e-mail
        ]
        for overrides, field in cases:
            _values, error, messages = self.Registration._parse_registration(
                self._customer_post(**overrides))
            self.assertIn(field, error, "%s must be refused on %s" % (overrides, field))
            self.assertTrue(messages, "a refused form explains why (%s)" % overrides)

    def test_parse_expert_errors(self):
        cases = [
            ({"specialization_ids": [], "technology_ids": []}, "scope"),
            ({"specialization_ids": ["abc"]}, "scope"),
            ({"specialization_ids": ["999999999"]}, "scope"),
            ({"motivation": ""}, "motivation"),
            ({"motivation": "x" * 2001}, "motivation"),
        ]
        for overrides, field in cases:
            _values, error, _messages = self.Registration._parse_registration(
                self._expert_post(**overrides))
            self.assertIn(field, error, "%s must be refused on %s" % (overrides, field))

    def test_expert_with_customer_email_refused(self):
        _values, error, messages = self.Registration._parse_registration(
            self._expert_post(email="customer@reg.example.com"))
        self.assertIn("email", error,
                      "an expert application with a customer's e-mail must be refused on email")
        self.assertIn("different e-mail than their customer account", " ".join(messages),
                      "the refusal must say an expert needs another e-mail than as customer")

    def test_unknown_role_falls_back_to_customer(self):
        values, _error, _messages = self.Registration._parse_registration(
            self._customer_post(role="admin"))
        self.assertEqual(values["role"], "customer", "only customer or expert can be asked")

    # ------------------------------------------------------------ customer
    def test_register_customer(self):
        values, _error, _messages = self.Registration._parse_registration(
            self._customer_post())
        pending = self.Registration._register_customer(values)
        Partner = self.env["res.partner"].with_context(active_test=False)
        self.assertFalse(Partner.search([("email", "=ilike", "ada@neworg.example.com")]),
                         "no contact may exist before the address is proven")
        self.assertFalse(Partner.search([("name", "=", "New Org Ltd")]),
                         "no organisation may exist before the address is proven")
        self.assertFalse(self.env["res.users"].with_context(active_test=False).search(
            [("login", "=", "ada@neworg.example.com")]), "no user before the proof")
        self.assertNotIn("s3cret-pass", pending.password_crypt or "",
                         "the password must be kept hashed only")
        mails = self._outgoing("ada@neworg.example.com")
        self.assertEqual(len(mails), 1, "the registrant must get one confirmation mail")
        self.assertEqual(mails.email_to, "ada@neworg.example.com",
                         "the link goes to the typed address only")
        self.assertFalse(mails.recipient_ids, "the link goes to no partner")
        self.assertIn(pending._token(), mails.body_html, "the mail carries the link")
        user = self.Registration._confirm(pending._token(), password="s3cret-pass").user_id
        self.assertTrue(user.active, "following the link activates the customer")
        self.assertFalse(pending.password_crypt, "the proven registration forgets the hash")
        self.assertEqual(user.login, "ada@neworg.example.com",
                         "the customer's login must be their normalised e-mail")
        self.assertTrue(user.has_group("base.group_portal"), "a customer is a portal user")
        self.assertFalse(user.has_group("base.group_user"), "a customer is not internal")
        self.assertEqual(user.partner_id.parent_id.name, "New Org Ltd",
                         "the customer must belong to the organisation they typed")
        self.assertTrue(user.partner_id.parent_id.is_company,
                        "the new organisation must be a company")
        self.assertEqual(user.commercial_partner_id, user.partner_id.parent_id,
                         "the portal rule sees the new organisation's tickets")
        self.assertNotEqual(user.commercial_partner_id, self.customer_org,
                            "a new customer must not join an existing organisation")
        _values, error, _messages = self.Registration._parse_registration(
            self._expert_post(email="ada@neworg.example.com"))
        self.assertIn("email", error, "the customer's e-mail cannot apply as an expert")

    def test_register_customer_same_org_name_gets_own_org(self):
        """Typing an existing organisation's name never grants access to its tickets."""
        user = self._register_customer(organisation="Reg Existing Org")
        self.assertNotEqual(user.commercial_partner_id, self.customer_org,
                            "an existing organisation's name must give a new organisation")

    # -------------------------------------------------------------- expert
    def test_register_expert_creates_pending_application(self):
        application = self._apply()
        self.assertEqual(application.state, "submitted",
                         "an expert application must wait for operations' decision")
        self.assertFalse(application.user_id, "no user before approval")
        self.assertFalse(self.env["res.users"].with_context(active_test=False).search(
            [("login", "=", "grace@experts.example.com")]), "no login before approval")
        self.assertEqual(application.queue_ids, self.queue_a | self.queue_general,
                         "proposed queues: the stream's and its technology's general one")
        self.assertTrue(self._outgoing("grace@experts.example.com"),
                        "the applicant gets an acknowledgement")
        _values, error, messages = self.Registration._parse_registration(
            self._customer_post(email="GRACE@experts.example.com"))
        self.assertIn("email", error, "a pending applicant's e-mail cannot be a customer")
        _values, error, messages = self.Registration._parse_registration(self._expert_post())
        self.assertIn("email", error, "one pending application per e-mail")

    def test_matching_queues_whole_technology(self):
        application = self._apply(specialization_ids=[],
                                  technology_ids=[str(self.technology.id)])
        self.assertEqual(application.queue_ids,
                         self.queue_general | self.queue_a | self.queue_b,
                         "a technology without stream: all its queues")

    def test_application_email_constraints(self):
        with self.assertRaises(ValidationError,
                               msg="an application with a customer's e-mail must be refused"), \
                self.cr.savepoint():
            self.Application.create({"name": "X", "email": "Customer@Reg.example.com"})
        self.Application.create({"name": "Y", "email": "dup@reg.example.com"})
        with self.assertRaises(IntegrityError, msg="two applications with the same e-mail "
                                                   "(any case, spaces) must be refused"), \
                mute_logger("odoo.sql_db"), \
                self.cr.savepoint():
            self.Application.create({"name": "Z", "email": " DUP@reg.example.com "})

    def test_approve(self):
        application = self._apply(specialization_ids=[str(self.spec_a.id)],
                                  technology_ids=[str(self.other_technology.id)])
        with self.assertRaises(AccessError, msg="a dispatcher must not approve applications: "
                                                "approval creates an internal user"), \
                self.cr.savepoint():
            application.sudo(self.operations).action_approve()
        self.assertEqual(application.state, "submitted",
                         "a refused approval must leave the application submitted")
        application.sudo(self.manager).action_approve()
        user = application.user_id
        self.assertEqual(application.state, "approved",
                         "approving must mark the application approved")
        self.assertEqual(application.decided_by_id, self.manager,
                         "the application must record which manager decided")
        self.assertEqual(user.login, "grace@experts.example.com",
                         "the expert's login must be the e-mail they applied with")
        self.assertTrue(user.has_group("tktit_helpdesk.group_helpdesk_expert"),
                        "the approved applicant must be an expert")
        self.assertTrue(user.has_group("base.group_user"), "an expert is an internal user")
        self.assertFalse(user.has_group("tktit_helpdesk.group_helpdesk_user"),
                         "an expert is not operations")
        self.assertEqual(user.helpdesk_queue_ids,
                         self.queue_a | self.queue_general | self.queue_other,
                         "the expert must join the queues of the chosen stream and technologies")
        self.assertIn(user, self.queue_a.member_ids,
                      "the expert must be a member of the chosen stream's queue")
        self.assertNotIn(user, self.queue_b.member_ids, "only the chosen streams")
        self.assertTrue(user.partner_id.signup_valid, "a password-set link is ready")
        mails = self._outgoing("grace@experts.example.com").filtered(
            lambda m: "account is ready" in m.subject)
        self.assertEqual(len(mails), 1, "one approval mail")
        self.assertIn(user.partner_id.signup_url.replace("&", "&amp;"), mails.body_html,
                      "the mail carries the password-set link")
        # twice: nothing done twice
        application.sudo(self.manager).action_approve()
        self.assertEqual(self.env["res.users"].search_count(
            [("login", "=", "grace@experts.example.com")]), 1,
                         "approving twice must create one user only")
        self.assertEqual(len(self._outgoing("grace@experts.example.com").filtered(
            lambda m: "account is ready" in m.subject)), 1,
                         "approving twice must send one approval mail only")
        with self.assertRaises(UserError, msg="an approved application cannot be refused any more"):
            application.action_refuse("late")

    def test_operations_queue_choice_wins(self):
        application = self._apply()
        application.sudo(self.operations).write({"queue_ids": [(6, 0, self.queue_b.ids)]})
        application.sudo(self.manager).action_approve()
        self.assertEqual(application.user_id.helpdesk_queue_ids, self.queue_b,
                         "the queues chosen by operations must replace the proposed ones")

    def test_approve_when_email_taken_meanwhile(self):
        application = self._apply()
        self.env["res.users"].with_context(no_reset_password=True).create({
            "name": "Squatter", "login": "grace@experts.example.com"})
        with self.assertRaises(ValidationError,
                               msg="approving must fail when the e-mail got a user meanwhile"):
            application.sudo(self.manager).action_approve()

    def test_refuse(self):
        application = self._apply()
        application.sudo(self.operations).action_refuse("Not enough experience yet.")
        self.assertEqual(application.state, "refused", "refusing must mark the application refused")
        self.assertFalse(application.user_id, "a refused application must create no user")
        mails = self._outgoing("grace@experts.example.com").filtered(
            lambda m: "application" in m.subject and "received" not in m.subject)
        self.assertEqual(len(mails), 1, "the applicant must get one refusal mail")
        self.assertIn("Not enough experience yet.", mails.body_html,
                      "the refusal mail must give the reason")
        application.sudo(self.operations).action_refuse("again")
        self.assertEqual(application.refuse_reason, "Not enough experience yet.",
                         "refusing twice changes nothing")
        with self.assertRaises(UserError, msg="a refused application cannot be approved any more"):
            application.action_approve()
        # a refused applicant may apply again
        self.assertEqual(self._apply().state, "submitted",
                         "a refused applicant must be able to apply again")

    def test_submit(self):
        application = self.Application.create({"name": "Draft", "email": "draft@reg.example.com"})
        self.assertEqual(application.state, "draft",
                         "an application created by hand starts as a draft")
        application.action_submit()
        application.action_submit()
        self.assertEqual(application.state, "submitted", "submitting twice is harmless")
        application.action_refuse("no")
        with self.assertRaises(UserError, msg="a refused application cannot be submitted again"):
            application.action_submit()

    @mute_logger("odoo.addons.base.ir.ir_model")
    def test_access(self):
        application = self._apply()
        with self.assertRaises(AccessError, msg="an expert must not read applications"):
            application.sudo(self.expert).read(["email"])
        with self.assertRaises(AccessError, msg="an expert must not approve applications"):
            application.sudo(self.expert).action_approve()
        with self.assertRaises(AccessError, msg="a customer must not read applications"):
            application.sudo(self.customer).read(["email"])
        with self.assertRaises(AccessError, msg="a customer must not create applications"):
            self.Application.sudo(self.customer).create({"name": "Me", "email": "me@x.example.com"})
        with self.assertRaises(AccessError, msg="operations must not delete applications"):
            application.sudo(self.operations).unlink()

    # ------------------------------------------------- proof of the address
    def test_new_link_replaces_the_previous_one(self):
        values, _error, _messages = self.Registration._parse_registration(
            self._customer_post())
        first = self.Registration._register_customer(values)
        first_token = first._token()
        _values, error, messages = self.Registration._parse_registration(self._customer_post())
        self.assertFalse(error, "a pending, unproven address must not block registering "
                                "again: %s" % messages)
        second = self.Registration._register_customer(values)
        with self.assertRaises(UserError, msg="the replaced link must not work any more"):
            self.Registration._confirm(first_token, password="s3cret-pass")
        user = self.Registration._confirm(second._token(), password="s3cret-pass").user_id
        self.assertEqual(user.login, "ada@neworg.example.com", "the newest link activates")
        with self.assertRaises(UserError, msg="a link works once"):
            self.Registration._confirm(second._token(), password="s3cret-pass")
        self.assertEqual(self.env["res.users"].search_count(
            [("login", "=", "ada@neworg.example.com")]), 1, "one user per address")

    def test_forged_and_expired_links_refused(self):
        values, _error, _messages = self.Registration._parse_registration(
            self._customer_post())
        pending = self.Registration._register_customer(values)
        token = pending._token()
        record_id, signature = token.split(".")
        forged = ["", "garbage", record_id, "%s." % record_id,
                  "%s.%s" % (record_id, "0" * len(signature)),
                  "%s.%s" % (int(record_id) + 1, signature), token[:-1] + "x"]
        for bad in forged:
            with self.assertRaises(UserError, msg="the forged link %r must be refused" % bad):
                self.Registration._confirm(bad, password="s3cret-pass")
        pending.expires_on = fields.Datetime.to_string(
            fields.Datetime.from_string(fields.Datetime.now()) - timedelta(minutes=1))
        with self.assertRaises(UserError, msg="an expired link must be refused"):
            self.Registration._confirm(pending._token(), password="s3cret-pass")
        self.assertFalse(self.env["res.users"].with_context(active_test=False).search(
            [("login", "=", "ada@neworg.example.com")]), "a refused link activates nothing")

    def test_wrong_password_activates_nothing(self):
        """Someone else clicking the link of a registration made with their address gets
        nothing: the account needs the password the registrant chose."""
        values, _error, _messages = self.Registration._parse_registration(
            self._customer_post())
        pending = self.Registration._register_customer(values)
        for password in (None, "", "not-the-password"):
            with self.assertRaises(UserError, msg="a wrong password must not activate"):
                self.Registration._confirm(pending._token(), password=password)
        self.assertEqual(pending.state, "pending", "a wrong password leaves the link usable")
        self.assertFalse(self.env["res.users"].with_context(active_test=False).search(
            [("login", "=", "ada@neworg.example.com")]), "a wrong password activates nothing")

    def test_contact_of_an_organisation_cannot_found_another(self):
        self.env["res.partner"].create({"name": "Reg Colleague",
                                        "email": "colleague@reg.example.com",
                                        "parent_id": self.customer_org.id})
        _values, error, messages = self.Registration._parse_registration(
            self._customer_post(email="Colleague@Reg.example.com"))
        self.assertIn("email", error, "an organisation's contact must not found a new one")
        self.assertIn("Ask your organisation's administrator", " ".join(messages),
                      "the registrant must be told to ask their organisation")
        _values, error, messages = self.Registration._parse_registration(
            self._expert_post(email="colleague@reg.example.com"))
        self.assertIn("email", error, "an organisation's contact must not apply as expert")
        # an organisation that got the address between registration and proof
        values, _error, _messages = self.Registration._parse_registration(
            self._customer_post())
        pending = self.Registration._register_customer(values)
        self.env["res.partner"].create({"name": "Ada", "email": "ada@neworg.example.com",
                                        "parent_id": self.customer_org.id})
        with self.assertRaises(UserError, msg="the proof must be refused when an organisation "
                                              "got the address meanwhile"):
            self.Registration._confirm(pending._token(), password="s3cret-pass")

    def test_like_wildcards_are_escaped(self):
        new_user(self.env, "a_b%c@reg.example.com", [EXPERT], email="a_b%c@reg.example.com")
        self.assertTrue(self.Registration._email_in_use("A_B%C@reg.example.com"),
                        "the same address (any case) is in use")
        for other in ("axb%c@reg.example.com", "a_bxyc@reg.example.com", "a_b%c@regxexample.com"):
            self.assertFalse(self.Registration._email_in_use(other),
                             "%s must not match a_b%%c@reg.example.com" % other)

    def test_only_proven_applications_are_approved(self):
        application = self.Application.sudo(self.operations).create({
            "name": "Typed by a dispatcher", "email": "victim@reg.example.com",
            "verified_email": "victim@reg.example.com"})
        self.assertFalse(application.verified_email,
                         "a dispatcher must not mark an e-mail as proven")
        application.sudo(self.operations).write({"verified_email": "victim@reg.example.com"})
        self.assertFalse(application.email_verified,
                         "a dispatcher must not mark an e-mail as proven")
        application.action_submit()
        with self.assertRaises(UserError, msg="an application whose e-mail nobody proved "
                                              "must not be approved"):
            application.sudo(self.manager).action_approve()
        proven = self._apply()
        self.assertTrue(proven.email_verified, "the website application's e-mail is proven")
        proven.sudo(self.operations).write({"email": "someone.else@reg.example.com"})
        self.assertFalse(proven.email_verified, "changing the e-mail drops the proof")
        with self.assertRaises(UserError, msg="an application whose e-mail was changed "
                                              "must not be approved"):
            proven.sudo(self.manager).action_approve()
        self.assertFalse(self.env["res.users"].with_context(active_test=False).search(
            [("login", "in", ["victim@reg.example.com", "someone.else@reg.example.com"])]),
            "no user created from unproven data")

    def test_approval_ignores_the_callers_context(self):
        application = self._apply()
        admin_group = self.env.ref("base.group_system")
        application.sudo(self.manager).with_context(
            default_groups_id=[(6, 0, admin_group.ids)], default_login="evil",
            **{"default_in_group_%s" % admin_group.id: True}).action_approve()
        user = application.user_id
        self.assertEqual(user.login, "grace@experts.example.com",
                         "the login must be the application's proven e-mail")
        self.assertFalse(user.has_group("base.group_system"),
                         "the caller's context must not add groups to the expert")


@at_install(False)
@post_install(True)
class TestRegistrationHttp(RegistrationCommon, MailSinkMixin, HttpCase):

    def setUp(self):
        super(TestRegistrationHttp, self).setUp()
        self._setup_registration(self.env)
        # self.cr is the registry's TestCursor: its commit() only moves its savepoint, and
        # every request starts by closing it (check_signaling), which rolls back to that
        # savepoint. Without this, requests would not see the fixtures. All is still rolled
        # back at the end of the test.
        self.checkpoint()

    def _post_form(self, role, data):
        page = self.url_open("/helpdesk/register?role=%s" % role)
        self.assertEqual(page.status_code, 200, "the %s registration form must open" % role)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        data = dict(data, csrf_token=token)
        response = self.opener.post(self.url("/helpdesk/register"), data=data, timeout=60)
        self.env.cache.invalidate()
        return response

    def test_form_pages(self):
        for role, marker in (("customer", 'name="organisation"'),
                             ("expert", 'name="specialization_ids"')):
            response = self.url_open("/helpdesk/register?role=%s" % role)
            self.assertEqual(response.status_code, 200,
                             "the %s registration form must open" % role)
            self.assertIn(marker, response.text, "%s form shows its own fields" % role)
        self.assertIn("/helpdesk/register", self.url_open("/web/login").text,
                      "the login page links to the registration")

    def _follow_link(self, email, data=None):
        """The link of the confirmation mail sent to ``email`` (via the SMTP sink): GET
        the page it opens, then POST its form with ``data``."""
        mails = [m for m in self.mail_sink.flush(self.env) if email in m.to]
        self.assertEqual(len(mails), 1, "one confirmation mail must reach %s" % email)
        self.assertEqual(mails[0].to, [email], "the link goes to the typed address only")
        token = re.search(r"/helpdesk/register/verify\?token=([\w.]+)", mails[0].html)
        self.assertTrue(token, "the confirmation mail must carry the link")
        page = self.url_open("/helpdesk/register/verify?token=%s" % token.group(1))
        self.assertEqual(page.status_code, 200, "the link must open the confirmation page")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        response = self.opener.post(self.url("/helpdesk/register/verify"), timeout=60, data=dict(
            data or {}, token=token.group(1), csrf_token=csrf))
        self.env.cache.invalidate()
        return response

    def test_post_without_csrf_refused(self):
        response = self.opener.post(self.url("/helpdesk/register"),
                                    data=self._customer_post(), timeout=60)
        self.assertEqual(response.status_code, 400,
                         "a registration without CSRF token must be refused")
        self.assertFalse(self.env["res.users"].search([("login", "=", "ada@neworg.example.com")]),
                         "a registration without CSRF token must create no user")

    def test_customer_registers_and_is_logged_in(self):
        response = self._post_form("customer", self._customer_post())
        self.assertEqual(response.status_code, 200, "the customer registration must succeed")
        self.assertIn("Check your mailbox", response.text,
                      "the registrant must be told to follow the mailed link")
        self.assertNotIn("/my/tickets", response.url, "nobody is logged in before the proof")
        self.assertFalse(self.env["res.users"].with_context(active_test=False).search(
            [("login", "=", "ada@neworg.example.com")]), "no user before the proof")
        response = self._follow_link("ada@neworg.example.com", {"password": "s3cret-pass"})
        self.assertEqual(response.status_code, 200, "the confirmation must succeed")
        self.assertIn("/my/tickets", response.url, "the new customer lands on their tickets")
        self.assertIn("Welcome!", response.text, "the new customer must be welcomed")
        user = self.env["res.users"].search([("login", "=", "ada@neworg.example.com")])
        self.assertTrue(user.has_group("base.group_portal"),
                        "the registered customer must be a portal user")
        self.assertEqual(user.partner_id.parent_id.name, "New Org Ltd",
                         "the customer belongs to the organisation they typed")

    def test_expert_application_pending(self):
        response = self._post_form("expert", self._expert_post(
            specialization_ids=[str(self.spec_a.id), str(self.spec_b.id)]))
        self.assertEqual(response.status_code, 200, "the expert application must be accepted")
        self.assertIn("Check your mailbox", response.text,
                      "the applicant must be told to follow the mailed link")
        Application = self.env["helpdesk.expert.application"]
        self.assertFalse(Application.search([("email", "=", "grace@experts.example.com")]),
                         "operations see no application before the address is proven")
        response = self._follow_link("grace@experts.example.com")
        self.assertIn("Thank you for applying", response.text, "the applicant must be thanked")
        application = Application.search([("email", "=", "grace@experts.example.com")])
        self.assertEqual(application.state, "submitted",
                         "the application must wait for operations' decision")
        self.assertEqual(application.specialization_ids, self.spec_a | self.spec_b,
                         "every ticked stream is kept")
        self.assertFalse(self.env["res.users"].with_context(active_test=False).search(
            [("login", "=", "grace@experts.example.com")]), "no user before approval")
        application.sudo(self.manager).action_approve()
        self.assertIn(application.user_id, self.queue_a.member_ids,
                      "the approved expert must join the first ticked stream's queue")
        self.assertIn(application.user_id, self.queue_b.member_ids,
                      "the approved expert must join the second ticked stream's queue")

    def test_duplicate_email_refused_with_message(self):
        response = self._post_form("expert", self._expert_post(email="customer@reg.example.com"))
        self.assertEqual(response.status_code, 200,
                         "a refused application form must be shown again, not an error page")
        self.assertIn("different e-mail than their customer account", response.text,
                      "the form must say an expert needs another e-mail than as customer")
        self.assertIn('value="customer@reg.example.com"', response.text,
                      "the form keeps what was typed")
        self.assertFalse(self.env["helpdesk.expert.application"].search(
            [("email", "=", "customer@reg.example.com")]), "nothing created")
        users_before = self.env["res.users"].search_count([])
        response = self._post_form("customer", self._customer_post(
            email="customer@reg.example.com", password="x", confirm_password="y"))
        self.assertIn("already has an account", response.text,
                      "the form must say the e-mail already has an account")
        self.assertIn("at least 8 characters", response.text,
                      "the form must say the password is too short")
        self.assertNotIn("s3cret", response.text, "the typed password must never be shown back")
        self.assertEqual(self.env["res.users"].search_count([]), users_before,
                         "a refused customer registration must create no user")

    def test_garbage_input_no_traceback(self):
        response = self._post_form("expert", {
            "role": "expert", "name": "<script>alert(1)</script>", "email": "a@b",
            "specialization_ids": ["1 OR 1=1"], "motivation": ""})
        self.assertEqual(response.status_code, 200,
                         "garbage input must show the form again, not a traceback")
        self.assertNotIn("<script>alert(1)</script>", response.text, "input is escaped")
        self.assertIn("valid e-mail", response.text,
                      "an invalid e-mail must be refused with a message")
