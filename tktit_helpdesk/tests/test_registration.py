"""Issue 4 item 10: website registration of customers and experts."""
import re

from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests.common import SavepointCase, at_install, post_install
from odoo.tools import mute_logger

from .common import HttpCase


class RegistrationCommon(object):

    @classmethod
    def _setup_registration(cls, env):
        cls.technology = env["helpdesk.technology"].create(
            {"name": "Registration Tech", "code": "REGTEST"})
        cls.other_technology = env["helpdesk.technology"].create(
            {"name": "Registration Other Tech", "code": "REGTEST2"})
        Spec = env["helpdesk.specialization"]
        cls.spec_a = Spec.create({"name": "Reg Stream A", "code": "A",
                                  "technology_id": cls.technology.id})
        cls.spec_b = Spec.create({"name": "Reg Stream B", "code": "B",
                                  "technology_id": cls.technology.id})
        cls.other_spec = Spec.create({"name": "Reg Other Stream", "code": "O",
                                      "technology_id": cls.other_technology.id})
        Queue = env["helpdesk.queue"]
        cls.queue_general = Queue.create({
            "name": "Reg general", "technology_id": cls.technology.id,
            "alias_name": "reg-general-test"})
        cls.queue_a = Queue.create({
            "name": "Reg A", "technology_id": cls.technology.id,
            "specialization_id": cls.spec_a.id, "alias_name": "reg-a-test"})
        cls.queue_b = Queue.create({
            "name": "Reg B", "technology_id": cls.technology.id,
            "specialization_id": cls.spec_b.id, "alias_name": "reg-b-test"})
        cls.queue_other = Queue.create({
            "name": "Reg other", "technology_id": cls.other_technology.id,
            "specialization_id": cls.other_spec.id, "alias_name": "reg-other-test"})
        Users = env["res.users"].with_context(no_reset_password=True)
        cls.operations = Users.create({
            "name": "Reg Operations", "login": "reg_operations", "email": "ops@reg.example.com",
            "groups_id": [(6, 0, [env.ref("tktit_helpdesk.group_helpdesk_user").id])]})
        cls.expert = Users.create({
            "name": "Reg Expert", "login": "reg_expert", "email": "expert@reg.example.com",
            "groups_id": [(6, 0, [env.ref("tktit_helpdesk.group_helpdesk_expert").id])]})
        cls.customer_org = env["res.partner"].create(
            {"name": "Reg Existing Org", "is_company": True})
        cls.customer = Users.create({
            "name": "Reg Customer", "login": "customer@reg.example.com",
            "email": "customer@reg.example.com", "password": "customer-pass",
            "partner_id": env["res.partner"].create({
                "name": "Reg Customer", "email": "customer@reg.example.com",
                "parent_id": cls.customer_org.id}).id,
            "groups_id": [(6, 0, [env.ref("base.group_portal").id])]})

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
        values, error, messages = self.Registration._parse_registration(
            self._expert_post(**overrides))
        self.assertFalse(error, "valid expert form refused: %s" % messages)
        return self.Registration._register_expert(values)

    # ------------------------------------------------------------- parsing
    def test_parse_customer_ok(self):
        values, error, messages = self.Registration._parse_registration(self._customer_post())
        self.assertFalse(error, "a valid customer form has no error: %s" % messages)
        self.assertEqual(values["email"], "ada@neworg.example.com", "e-mail is normalised")
        self.assertEqual(values["organisation"], "New Org Ltd")

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
        self.assertIn("email", error)
        self.assertIn("different e-mail than their customer account", " ".join(messages))

    def test_unknown_role_falls_back_to_customer(self):
        values, _error, _messages = self.Registration._parse_registration(
            self._customer_post(role="admin"))
        self.assertEqual(values["role"], "customer", "only customer or expert can be asked")

    # ------------------------------------------------------------ customer
    def test_register_customer(self):
        values, _error, _messages = self.Registration._parse_registration(
            self._customer_post())
        user = self.Registration._register_customer(values)
        self.assertEqual(user.login, "ada@neworg.example.com")
        self.assertTrue(user.has_group("base.group_portal"), "a customer is a portal user")
        self.assertFalse(user.has_group("base.group_user"), "a customer is not internal")
        self.assertEqual(user.partner_id.parent_id.name, "New Org Ltd")
        self.assertTrue(user.partner_id.parent_id.is_company)
        self.assertEqual(user.commercial_partner_id, user.partner_id.parent_id,
                         "the portal rule sees the new organisation's tickets")
        self.assertNotEqual(user.commercial_partner_id, self.customer_org)
        _values, error, _messages = self.Registration._parse_registration(
            self._expert_post(email="ada@neworg.example.com"))
        self.assertIn("email", error, "the customer's e-mail cannot apply as an expert")

    def test_register_customer_same_org_name_gets_own_org(self):
        """Typing an existing organisation's name never grants access to its tickets."""
        values, _error, _messages = self.Registration._parse_registration(
            self._customer_post(organisation="Reg Existing Org"))
        user = self.Registration._register_customer(values)
        self.assertNotEqual(user.commercial_partner_id, self.customer_org)

    # -------------------------------------------------------------- expert
    def test_register_expert_creates_pending_application(self):
        application = self._apply()
        self.assertEqual(application.state, "submitted")
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
        with self.assertRaises(ValidationError), self.cr.savepoint():
            self.Application.create({"name": "X", "email": "Customer@Reg.example.com"})
        self.Application.create({"name": "Y", "email": "dup@reg.example.com"})
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"), \
                self.cr.savepoint():
            self.Application.create({"name": "Z", "email": " DUP@reg.example.com "})

    def test_approve(self):
        application = self._apply(specialization_ids=[str(self.spec_a.id)],
                                  technology_ids=[str(self.other_technology.id)])
        application.sudo(self.operations).action_approve()
        user = application.user_id
        self.assertEqual(application.state, "approved")
        self.assertEqual(application.decided_by_id, self.operations)
        self.assertEqual(user.login, "grace@experts.example.com")
        self.assertTrue(user.has_group("tktit_helpdesk.group_helpdesk_expert"))
        self.assertTrue(user.has_group("base.group_user"), "an expert is an internal user")
        self.assertFalse(user.has_group("tktit_helpdesk.group_helpdesk_user"),
                         "an expert is not operations")
        self.assertEqual(user.helpdesk_queue_ids,
                         self.queue_a | self.queue_general | self.queue_other)
        self.assertIn(user, self.queue_a.member_ids)
        self.assertNotIn(user, self.queue_b.member_ids, "only the chosen streams")
        self.assertTrue(user.partner_id.signup_valid, "a password-set link is ready")
        mails = self._outgoing("grace@experts.example.com").filtered(
            lambda m: "account is ready" in m.subject)
        self.assertEqual(len(mails), 1, "one approval mail")
        self.assertIn(user.partner_id.signup_url.replace("&", "&amp;"), mails.body_html,
                      "the mail carries the password-set link")
        # twice: nothing done twice
        application.sudo(self.operations).action_approve()
        self.assertEqual(self.env["res.users"].search_count(
            [("login", "=", "grace@experts.example.com")]), 1)
        self.assertEqual(len(self._outgoing("grace@experts.example.com").filtered(
            lambda m: "account is ready" in m.subject)), 1)
        with self.assertRaises(UserError):
            application.action_refuse("late")

    def test_operations_queue_choice_wins(self):
        application = self._apply()
        application.sudo(self.operations).write({"queue_ids": [(6, 0, self.queue_b.ids)]})
        application.sudo(self.operations).action_approve()
        self.assertEqual(application.user_id.helpdesk_queue_ids, self.queue_b)

    def test_approve_when_email_taken_meanwhile(self):
        application = self._apply()
        self.env["res.users"].with_context(no_reset_password=True).create({
            "name": "Squatter", "login": "grace@experts.example.com"})
        with self.assertRaises(ValidationError):
            application.sudo(self.operations).action_approve()

    def test_refuse(self):
        application = self._apply()
        application.sudo(self.operations).action_refuse("Not enough experience yet.")
        self.assertEqual(application.state, "refused")
        self.assertFalse(application.user_id)
        mails = self._outgoing("grace@experts.example.com").filtered(
            lambda m: "application" in m.subject and "received" not in m.subject)
        self.assertEqual(len(mails), 1)
        self.assertIn("Not enough experience yet.", mails.body_html)
        application.sudo(self.operations).action_refuse("again")
        self.assertEqual(application.refuse_reason, "Not enough experience yet.",
                         "refusing twice changes nothing")
        with self.assertRaises(UserError):
            application.action_approve()
        # a refused applicant may apply again
        self.assertEqual(self._apply().state, "submitted")

    def test_submit(self):
        application = self.Application.create({"name": "Draft", "email": "draft@reg.example.com"})
        self.assertEqual(application.state, "draft")
        application.action_submit()
        application.action_submit()
        self.assertEqual(application.state, "submitted", "submitting twice is harmless")
        application.action_refuse("no")
        with self.assertRaises(UserError):
            application.action_submit()

    @mute_logger("odoo.addons.base.ir.ir_model")
    def test_access(self):
        application = self._apply()
        with self.assertRaises(AccessError):
            application.sudo(self.expert).read(["email"])
        with self.assertRaises(AccessError):
            application.sudo(self.expert).action_approve()
        with self.assertRaises(AccessError):
            application.sudo(self.customer).read(["email"])
        with self.assertRaises(AccessError):
            self.Application.sudo(self.customer).create({"name": "Me", "email": "me@x.example.com"})
        with self.assertRaises(AccessError):
            application.sudo(self.operations).unlink()


@at_install(False)
@post_install(True)
class TestRegistrationHttp(RegistrationCommon, HttpCase):

    def setUp(self):
        super(TestRegistrationHttp, self).setUp()
        self._setup_registration(self.env)
        # self.cr is the registry's TestCursor: its commit() only moves its savepoint, and
        # every request starts by closing it (check_signaling), which rolls back to that
        # savepoint. Without this, requests would not see the fixtures. All is still rolled
        # back at the end of the test.
        self.cr.commit()

    def _post_form(self, role, data):
        page = self.url_open("/helpdesk/register?role=%s" % role)
        self.assertEqual(page.status_code, 200)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        data = dict(data, csrf_token=token)
        response = self.opener.post(self.url("/helpdesk/register"), data=data, timeout=60)
        self.env.cache.invalidate()
        return response

    def test_form_pages(self):
        for role, marker in (("customer", 'name="organisation"'),
                             ("expert", 'name="specialization_ids"')):
            response = self.url_open("/helpdesk/register?role=%s" % role)
            self.assertEqual(response.status_code, 200)
            self.assertIn(marker, response.text, "%s form shows its own fields" % role)
        self.assertIn("/helpdesk/register", self.url_open("/web/login").text,
                      "the login page links to the registration")

    def test_post_without_csrf_refused(self):
        response = self.opener.post(self.url("/helpdesk/register"),
                                    data=self._customer_post(), timeout=60)
        self.assertEqual(response.status_code, 400)
        self.assertFalse(self.env["res.users"].search([("login", "=", "ada@neworg.example.com")]))

    def test_customer_registers_and_is_logged_in(self):
        response = self._post_form("customer", self._customer_post())
        self.assertEqual(response.status_code, 200)
        self.assertIn("/my/tickets", response.url, "the new customer lands on their tickets")
        self.assertIn("Welcome!", response.text)
        user = self.env["res.users"].search([("login", "=", "ada@neworg.example.com")])
        self.assertTrue(user.has_group("base.group_portal"))
        self.assertEqual(user.partner_id.parent_id.name, "New Org Ltd",
                         "the customer belongs to the organisation they typed")

    def test_expert_application_pending(self):
        response = self._post_form("expert", self._expert_post(
            specialization_ids=[str(self.spec_a.id), str(self.spec_b.id)]))
        self.assertEqual(response.status_code, 200)
        self.assertIn("Thank you for applying", response.text)
        application = self.env["helpdesk.expert.application"].search(
            [("email", "=", "grace@experts.example.com")])
        self.assertEqual(application.state, "submitted")
        self.assertEqual(application.specialization_ids, self.spec_a | self.spec_b,
                         "every ticked stream is kept")
        self.assertFalse(self.env["res.users"].with_context(active_test=False).search(
            [("login", "=", "grace@experts.example.com")]), "no user before approval")
        application.sudo(self.operations).action_approve()
        self.assertIn(application.user_id, self.queue_a.member_ids)
        self.assertIn(application.user_id, self.queue_b.member_ids)

    def test_duplicate_email_refused_with_message(self):
        response = self._post_form("expert", self._expert_post(email="customer@reg.example.com"))
        self.assertEqual(response.status_code, 200)
        self.assertIn("different e-mail than their customer account", response.text)
        self.assertIn('value="customer@reg.example.com"', response.text,
                      "the form keeps what was typed")
        self.assertFalse(self.env["helpdesk.expert.application"].search(
            [("email", "=", "customer@reg.example.com")]), "nothing created")
        users_before = self.env["res.users"].search_count([])
        response = self._post_form("customer", self._customer_post(
            email="customer@reg.example.com", password="x", confirm_password="y"))
        self.assertIn("already has an account", response.text)
        self.assertIn("at least 8 characters", response.text)
        self.assertNotIn("s3cret", response.text)
        self.assertEqual(self.env["res.users"].search_count([]), users_before)

    def test_garbage_input_no_traceback(self):
        response = self._post_form("expert", {
            "role": "expert", "name": "<script>alert(1)</script>", "email": "a@b",
            "specialization_ids": ["1 OR 1=1"], "motivation": ""})
        self.assertEqual(response.status_code, 200)
        self.assertNotIn("<script>alert(1)</script>", response.text, "input is escaped")
        self.assertIn("valid e-mail", response.text)
