"""Security review, Wave 2 · 2, finding 1: an e-mail address belongs to whoever proves it.
And the registration part of finding 7: dispatchers cannot create internal users.

Each test plays the attacker: who they are, what they send, and the refusal expected.
Requests go over HTTP (the registration form with its CSRF token, the link of the mail)
and JSON-RPC (``/web/dataset/call_kw``), as a browser or a script would send them.
"""
import re
from datetime import timedelta

from odoo import fields
from odoo.tests.common import at_install, post_install
from odoo.tools import mute_logger

from odoo.addons.tktit_helpdesk.tests.attacker import AttackCase
from odoo.addons.tktit_helpdesk.tests.common import MailSinkMixin
from odoo.addons.tktit_helpdesk.tests.fixtures import new_user

MANAGER = "tktit_helpdesk.group_helpdesk_manager"

MAIL = """Return-Path: <{email_from}>
From: Someone <{email_from}>
To: test-queue@example.com
Subject: {subject}
Message-ID: <{msgid}@attack.example>
Content-Type: text/plain; charset="utf-8"

Please help.
"""


@at_install(False)
@post_install(True)
class TestAttackEmailIdentity(MailSinkMixin, AttackCase):

    def setUp(self):
        super(TestAttackEmailIdentity, self).setUp()
        self.Users = self.env["res.users"].with_context(active_test=False)
        self.Partner = self.env["res.partner"].with_context(active_test=False)
        self.Application = self.env["helpdesk.expert.application"]
        self.Registration = self.env["helpdesk.registration"]
        self.env["ir.config_parameter"].sudo().set_param("mail.catchall.domain", "example.com")
        self.checkpoint()

    # ----------------------------------------------------------------- helpers
    def _customer_form(self, email, organisation="Evil Corp", password="attacker-pass"):
        return {"role": "customer", "name": "Mallory", "email": email,
                "organisation": organisation, "password": password,
                "confirm_password": password}

    def _register(self, data):
        role = data.get("role", "customer")
        response = self.post_form("/helpdesk/register", data,
                                  csrf_from="/helpdesk/register?role=%s" % role)
        self.assertEqual(response.status_code, 200,
                         "the registration form must answer with a page, not an error")
        return response

    def _link_token(self, email):
        """The token of the confirmation link mailed to ``email``, read from the sink."""
        mails = [m for m in self.mail_sink.flush(self.env) if email in m.to]
        self.assertEqual(len(mails), 1, "one confirmation mail must reach %s" % email)
        self.assertEqual(mails[0].to, [email],
                         "the confirmation link must go to the typed address only")
        match = re.search(r"/helpdesk/register/verify\?token=([\w.]+)", mails[0].html)
        self.assertTrue(match, "the confirmation mail must carry the link")
        return match.group(1)

    def _confirm(self, token, password=None):
        data = {"token": token}
        if password is not None:
            data["password"] = password
        return self.post_form("/helpdesk/register/verify", data,
                              csrf_from="/helpdesk/register")

    def _mail_in(self, email_from, msgid):
        """A mail from ``email_from`` to the fixture queue's alias; the tickets opened."""
        before = self.Ticket.search([])
        raw = MAIL.format(email_from=email_from, subject="Help from %s" % email_from,
                          msgid=msgid)
        with mute_logger("odoo.addons.mail.models.mail_thread"):
            self.env["mail.thread"].message_process(False, raw)
        return self.Ticket.search([]) - before

    def _proven_application(self, email="applicant@experts.example"):
        """An expert application made on the website, its link followed."""
        values, error, messages = self.Registration._parse_registration({
            "role": "expert", "name": "Applicant", "email": email,
            "specialization_ids": [str(self.spec.id)], "motivation": "Networks."})
        self.assertFalse(error, "a valid application must be accepted: %s" % messages)
        pending = self.Registration._register_expert(values)
        application = self.Registration._confirm(pending._token()).application_id
        self.checkpoint()
        return application

    # ------------------------------------------------------------------- tests
    def test_registering_someone_elses_address_activates_nothing(self):
        """Attacker: anonymous visitor. Request: the customer form with the victim's
        address and the attacker's password. Expected: nothing exists or logs in until
        the link mailed to the victim is followed with the attacker's password."""
        victim = "victim@newcomer.example"
        response = self._register(self._customer_form(victim))
        self.assertIn("Check your mailbox", response.text,
                      "the registrant must be told to follow the link mailed to the address")
        self.assertFalse(self.Partner.search([("email", "=ilike", victim)]),
                         "no contact may carry an address nobody proved")
        self.assertFalse(self.Partner.search([("name", "=", "Evil Corp")]),
                         "no organisation may exist before the address is proven")
        self.assertFalse(self.Users.search([("login", "=", victim)]),
                         "no user, active or not, before the address is proven")
        login = self.post_form("/web/login", {"login": victim, "password": "attacker-pass"},
                               csrf_from="/web/login")
        self.assertNotEqual(login.status_code, 303,
                            "the attacker must not log in with the unproven address")
        self.assertIn("Wrong login/password", login.text,
                      "the login page must refuse the unproven address")
        token = self._link_token(victim)
        # The victim follows the link without knowing the attacker's password.
        refused = self._confirm(token, password="a-guess-of-the-victim")
        self.assertIn("not the password chosen", refused.text,
                      "the link alone must not activate an account someone else asked for")
        self.assertFalse(self.Users.search([("login", "=", victim)]),
                         "a wrong password at the link activates nothing")

    def test_forged_and_expired_links_are_refused(self):
        """Attacker: anonymous visitor who registered an address they do not own and
        guesses the link. Expected: a clear page, nothing activated."""
        victim = "victim@newcomer.example"
        self._register(self._customer_form(victim))
        token = self._link_token(victim)
        record_id, signature = token.split(".")
        forged = ["%s.%s" % (record_id, "0" * len(signature)), record_id,
                  "%s.%s" % (int(record_id) + 1, signature), "1.abc", "garbage"]
        for bad in forged:
            page = self.opener.get(self.url("/helpdesk/register/verify?token=%s" % bad),
                                   timeout=30)
            self.assertEqual(page.status_code, 400,
                             "the forged link %s must be refused" % bad)
            self.assertIn("This confirmation link is not valid", page.text,
                          "a forged link must get a clear page")
            confirm = self._confirm(bad, password="attacker-pass")
            self.assertEqual(confirm.status_code, 400,
                             "posting the forged link %s must be refused" % bad)
        pending = self.env["helpdesk.registration.pending"].sudo().browse(int(record_id))
        pending.expires_on = fields.Datetime.to_string(
            fields.Datetime.from_string(fields.Datetime.now()) - timedelta(seconds=1))
        self.checkpoint()
        page = self.opener.get(self.url("/helpdesk/register/verify?token=%s" %
                                        pending._token()), timeout=30)
        self.assertEqual(page.status_code, 400, "an expired link must be refused")
        self.assertIn("has expired", page.text, "an expired link must say so")
        confirm = self._confirm(pending._token(), password="attacker-pass")
        self.assertEqual(confirm.status_code, 400, "posting an expired link must be refused")
        self.assertFalse(self.Users.search([("login", "=", victim)]),
                         "a forged or expired link activates nothing")

    def test_new_organisation_with_org_a_contacts_address_refused(self):
        """Attacker: anonymous visitor typing the address of Org A's contact (no portal
        user yet) to found their own organisation. Expected: refused with the advice to
        ask the organisation, no mail sent, and that address's mail still goes to Org A."""
        buyer = "buyer@org-a.example"
        contact = self.env["res.partner"].create(
            {"name": "Org A Buyer", "email": buyer, "parent_id": self.org_a.id})
        self.checkpoint()
        response = self._register(self._customer_form("Buyer@Org-A.example"))
        self.assertIn("a new organisation cannot be registered with it", response.text,
                      "the registrant must be told the address is an organisation's")
        self.assertIn("administrator to give you access", response.text,
                      "the registrant must be told to ask their organisation for access")
        self.assertFalse(self.Partner.search([("name", "=", "Evil Corp")]),
                         "no organisation may be created with Org A's contact's address")
        self.assertFalse([m for m in self.mail_sink.flush(self.env) if buyer in m.to],
                         "a refused registration sends nothing")
        expert = self._register({"role": "expert", "name": "Mallory", "email": buyer,
                                 "specialization_ids": str(self.spec.id),
                                 "motivation": "I know things."})
        self.assertIn("different e-mail than their customer account", expert.text,
                      "Org A's contact's address must not become an expert's login")
        tickets = self._mail_in(buyer, "buyer-1")
        self.assertEqual(len(tickets), 1, "the contact's mail opens one ticket")
        self.assertEqual(tickets.partner_id, contact,
                         "Org A's contact's mail must stay with Org A")
        # `_` is a LIKE wildcard: a look-alike address is not the contact's.
        self.env["res.partner"].create(
            {"name": "Org A J Doe", "email": "j_doe@org-a.example", "parent_id": self.org_a.id})
        self.checkpoint()
        look_alike = self._register(self._customer_form("jxdoe@org-a.example"))
        self.assertIn("Check your mailbox", look_alike.text,
                      "jxdoe@ is not j_doe@: `_` must be escaped in the look-up")
        same = self._register(self._customer_form("J_Doe@org-a.example"))
        self.assertNotIn("Check your mailbox", same.text,
                         "j_doe@ (any case) is the contact's address and must be refused")

    def test_mail_from_unverified_registrant_opens_no_ticket(self):
        """Attacker: registers a new organisation with an address they do not own, then
        the address's owner (or anyone forging it) mails the helpdesk. Expected: the
        unproven registration is nobody; the mail opens no ticket for it."""
        newcomer = "newcomer@nowhere.example"
        self._register(self._customer_form(newcomer))
        self.assertFalse(self._mail_in(newcomer, "unverified-1"),
                         "mail from an address nobody proved must open no ticket")
        token = self._link_token(newcomer)
        self.assertIn("/my/tickets", self._confirm(token, password="attacker-pass")
                      .headers.get("Location", ""),
                      "once proven (link + password), the customer is logged in")
        tickets = self._mail_in(newcomer, "verified-1")
        self.assertEqual(tickets.partner_id.commercial_partner_id.name, "Evil Corp",
                         "once proven, the customer's mail opens their organisation's ticket")

    @mute_logger("odoo.addons.base.ir.ir_model", "odoo.http")
    def test_dispatcher_cannot_create_internal_users(self):
        """Attacker: the dispatcher (operations). Requests: ``res.users.create`` and the
        approval of an application by RPC. Expected: a clean refusal, no user."""
        payload = self.call_kw("res.users", "create", [{
            "name": "Backdoor", "login": "backdoor@evil.example",
            "groups_id": [(6, 0, self.env.ref("base.group_system").ids)]}],
            as_user=self.operator)
        self.assert_refused(payload, "a dispatcher creating a user")
        application = self._proven_application()
        payload = self.call_kw("helpdesk.expert.application", "action_approve",
                               [application.ids])
        self.assert_refused(payload, "a dispatcher approving an expert application")
        self.assertEqual(application.state, "submitted",
                         "a refused approval leaves the application submitted")
        # Nor can they forge the proof of an address they typed themselves.
        payload = self.call_kw("helpdesk.expert.application", "create", [{
            "name": "Typed in", "email": "typed@evil.example",
            "verified_email": "typed@evil.example"}])
        typed = self.Application.browse(payload.get("result"))
        self.assertFalse(typed.email_verified,
                         "a dispatcher must not mark an address as proven")
        self.call_kw("helpdesk.expert.application", "write",
                     [application.ids, {"email": "hijack@evil.example"}])
        self.assertFalse(application.email_verified,
                         "changing the proven address drops the proof")
        manager = new_user(self.env, "wave2.manager", [MANAGER], password="wave2.manager")
        self.checkpoint()
        for record in (typed, application):
            record.sudo().write({"state": "submitted"})
            self.checkpoint()
            payload = self.call_kw("helpdesk.expert.application", "action_approve",
                                   [record.ids], as_user=manager)
            self.assert_refused(payload, "approving an unproven address")
        self.assertFalse(self.Users.search([("login", "in", [
            "backdoor@evil.example", "typed@evil.example", "hijack@evil.example",
            "applicant@experts.example"])]), "no user created by a refused request")

    def test_manager_approval_creates_the_user_from_the_verified_data(self):
        """Attacker: a manager's session sending defaults in the context of the approval.
        Expected: the user is the application's proven address, an expert only."""
        application = self._proven_application()
        manager = new_user(self.env, "wave2.manager", [MANAGER], password="wave2.manager")
        self.checkpoint()
        admin = self.env.ref("base.group_system")
        payload = self.call_kw("helpdesk.expert.application", "action_approve",
                               [application.ids], {"context": {
                                   "default_login": "evil@evil.example",
                                   "default_groups_id": [(6, 0, admin.ids)],
                                   "default_in_group_%s" % admin.id: True}},
                               as_user=manager)
        self.assertTrue(payload.get("result"), "a manager approves: %s" % payload)
        user = application.user_id
        self.assertEqual(user.login, "applicant@experts.example",
                         "the login must be the application's proven e-mail")
        self.assertTrue(user.has_group("tktit_helpdesk.group_helpdesk_expert"),
                        "the approved applicant must be an expert")
        self.assertFalse(user.has_group("base.group_system"),
                         "nothing the caller sends may add groups")
        self.assertFalse(user.has_group("tktit_helpdesk.group_helpdesk_user"),
                         "an expert is not operations")
        self.assertEqual(application.decided_by_id, manager,
                         "the application records the manager who approved it")
