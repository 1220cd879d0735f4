# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Security review, Wave 2 · 2, finding 4: messages are authored by who is logged in.

A portal customer posts on their own ticket by every path a script can take (JSON-RPC
``message_post`` and ``mail.message.create``, Odoo's portal chatter ``/mail/chatter_post``,
the Talk To Expert form) and tries to speak as someone else, as an internal note, as a
notification or to extra recipients, or on a closed ticket: refused (or stripped down to a
plain comment by the poster), nothing else posted. A mail through the gateway speaks for
the customer whatever its From claims.
"""
from odoo.tests.common import at_install, post_install

from odoo.addons.tktit_helpdesk.tests.attacker import AttackCase

MODEL = "helpdesk.ticket"
MAIL = """Return-Path: <{email_from}>
From: Someone <{email_from}>
To: test-queue@example.com
Subject: Re: {subject}
Message-ID: <{msgid}@mail.example>
In-Reply-To: {parent}
References: {parent}
Content-Type: text/plain; charset="utf-8"

{body}
"""
PLAIN = {"body": "<p>Here is the photo.</p>", "message_type": "comment",
         "subtype": "mail.mt_comment"}


@at_install(False)
@post_install(True)
class TestAttackMessageAuthors(AttackCase):

    def setUp(self):
        super(TestAttackMessageAuthors, self).setUp()
        self.env["ir.config_parameter"].set_param("mail.catchall.domain", "example.com")
        self.comment = self.env.ref("mail.mt_comment")
        self.note = self.env.ref("mail.mt_note")
        self.checkpoint()

    # ------------------------------------------------------------ helpers
    def messages_of(self, ticket):
        return self.env["mail.message"].search(
            [("model", "=", MODEL), ("res_id", "=", ticket.id)])

    def mails_to(self, partner):
        return self.env["mail.mail"].search_count([("recipient_ids", "in", partner.ids)])

    def chatter_post(self, ticket, data, referer=None):
        """POST Odoo's portal chatter form for ``ticket``, as a browser would."""
        data = dict(data, res_model=MODEL, res_id=str(ticket.id),
                    csrf_token=self.csrf_token(referer or "/my/tickets/new"))
        self.checkpoint()
        try:
            return self.opener.post(
                self.url("/mail/chatter_post"), data=data, timeout=30, allow_redirects=False,
                headers={"Referer": self.url(referer or "/my/ticket/%s" % ticket.id)})
        finally:
            self.env.cache.invalidate()

    def mail_in(self, ticket, email_from, body, parent=None, msgid="atk4"):
        # default: the latest mail the customer received (the assignment notice...)
        parent = parent or ticket.message_ids.filtered(
            lambda m: m.subtype_id and not m.subtype_id.internal).sorted("id")[-1:]
        raw = MAIL.format(email_from=email_from, subject=ticket.name, msgid=msgid, body=body,
                          parent=parent.message_id)
        self.env["mail.thread"].message_process(MODEL, raw)
        self.checkpoint()
        message = self.messages_of(ticket).filtered(lambda m: body in (m.body or ""))
        self.assertEqual(len(message), 1, "the mail from %s must thread into ticket %s" % (
            email_from, ticket.number))
        ticket.invalidate_cache()
        return message

    # ------------------------------------------------- RPC message_post
    def test_customer_rpc_post_cannot_forge_author_type_or_recipients(self):
        ticket = self.ticket_in("awaiting_customer")
        count = len(self.messages_of(ticket))
        customer_b_mails = self.mails_to(self.customer_b.partner_id)
        attacks = [
            ({"author_id": self.operator.partner_id.id}, "as the operator"),
            ({"author_id": self.customer_a2.partner_id.id}, "as their colleague"),
            ({"subtype": "mail.mt_note"}, "as an internal note"),
            ({"subtype": None, "subtype_id": self.note.id}, "as an internal note (id)"),
            ({"message_type": "notification"}, "as a notification"),
            ({"message_type": "email"}, "as an incoming e-mail"),
            ({"partner_ids": [self.customer_b.partner_id.id]}, "to Org B's customer"),
        ]
        self.authenticate_as(self.customer_a)
        for extra, what in attacks:
            kwargs = {key: value for key, value in dict(PLAIN, **extra).items()
                      if value is not None}
            payload = self.call_kw(MODEL, "message_post", [[ticket.id]], kwargs)
            self.assert_refused(payload, "customer A posting by RPC %s" % what,
                                error_names=("AccessError",))
        self.assertEqual(len(self.messages_of(ticket)), count,
                         "customer A's forged posts must post nothing")
        self.assertEqual(self.mails_to(self.customer_b.partner_id), customer_b_mails,
                         "Org B's customer must not be mailed by customer A's post")
        self.assertEqual(ticket.state, "awaiting_customer",
                         "refused posts must not count as the customer's answer")
        payload = self.call_kw(MODEL, "message_post", [[ticket.id]], PLAIN)
        self.assertTrue(isinstance(payload.get("result"), int),
                        "customer A's plain comment must be posted: %s" % payload)
        message = self.env["mail.message"].browse(payload["result"])
        self.assertEqual((message.author_id, message.message_type, message.subtype_id),
                         (self.customer_a.partner_id, "comment", self.comment),
                         "customer A's comment is theirs, a visible comment")
        ticket.invalidate_cache()
        self.assertEqual((ticket.state, ticket.customer_awaits_reply), ("in_progress", True),
                         "customer A's answer must move the ticket back to support")

    def test_customer_rpc_message_create_cannot_forge(self):
        ticket = self.ticket_in("in_progress")
        count = len(self.messages_of(ticket))
        base = {"model": MODEL, "res_id": ticket.id, "body": "<p>Hello</p>",
                "message_type": "comment", "subtype_id": self.comment.id}
        attacks = [
            ({"author_id": self.operator.partner_id.id}, "as the operator"),
            ({"subtype_id": self.note.id}, "as an internal note"),
            ({"subtype_id": False}, "without a subtype (an internal log)"),
            ({"message_type": "notification"}, "as a notification"),
            ({"partner_ids": [(4, self.customer_b.partner_id.id)]}, "to Org B's customer"),
            ({"needaction_partner_ids": [(4, self.operator.partner_id.id)]},
             "to the operator's inbox"),
        ]
        self.authenticate_as(self.customer_a)
        for extra, what in attacks:
            payload = self.call_kw("mail.message", "create", [dict(base, **extra)])
            self.assert_refused(payload, "customer A creating a mail.message on their ticket "
                                "%s" % what, error_names=("AccessError",))
        self.assertEqual(len(self.messages_of(ticket)), count,
                         "customer A's forged mail.message must not be created")

    # ------------------------------------------------------ closed ticket
    def test_closed_ticket_refuses_messages_on_every_path(self):
        ticket = self.ticket_in("in_progress")
        ticket.sudo(self.operator).action_close()
        self.checkpoint()
        count = len(self.messages_of(ticket))
        self.authenticate_as(self.customer_a)
        payload = self.call_kw(MODEL, "message_post", [[ticket.id]], PLAIN)
        self.assert_refused(payload, "customer A posting by RPC on their closed ticket",
                            error_names=("UserError",))
        payload = self.call_kw("mail.message", "create", [{
            "model": MODEL, "res_id": ticket.id, "body": "<p>Hello?</p>",
            "message_type": "comment", "subtype_id": self.comment.id}])
        self.assert_refused(payload, "customer A creating a mail.message on their closed "
                            "ticket", error_names=("UserError",))
        response = self.chatter_post(ticket, {"message": "Through the chatter"})
        self.assertIn(response.status_code, (301, 302, 303),
                      "the chatter must answer a post on a closed ticket with the page, "
                      "got %s" % response.status_code)
        page = self.post_form("/my/ticket/%s/message" % ticket.id,
                              {"message": "Through Talk To Expert"},
                              csrf_from="/my/tickets/new", allow_redirects=True)
        self.assertIn("no longer accepted", page.text,
                      "Talk To Expert on a closed ticket must tell customer A why")
        self.assertEqual(len(self.messages_of(ticket)), count,
                         "nothing may be posted on a closed ticket, by any path")
        ticket.invalidate_cache()
        self.assertEqual(ticket.state, "closed", "the ticket must stay closed")
        # the mail link's holder, logged out, through the chatter with the token
        self.opener.cookies.clear()
        response = self.chatter_post(
            ticket, {"message": "With the token", "token": ticket.access_token},
            referer="/my/ticket/%s?access_token=%s" % (ticket.id, ticket.access_token))
        self.assertEqual(len(self.messages_of(ticket)), count,
                         "the token holder must not post on a closed ticket either")

    # ----------------------------------------------------- portal chatter
    def test_chatter_post_extra_fields_give_a_plain_comment(self):
        ticket = self.ticket_in("in_progress")
        before = self.messages_of(ticket)
        customer_b_mails = self.mails_to(self.customer_b.partner_id)
        self.authenticate_as(self.customer_a)
        response = self.chatter_post(ticket, {
            "message": "Plain words", "subtype": "mail.mt_note",
            "message_type": "notification", "author_id": str(self.operator.partner_id.id),
            "partner_ids": str(self.customer_b.partner_id.id)})
        self.assertIn(response.status_code, (301, 302, 303),
                      "customer A's chatter post must be accepted, got %s" % (
                          response.status_code))
        posted = self.messages_of(ticket) - before
        self.assertEqual(len(posted), 1,
                         "customer A's chatter post must post one message: %s" % posted)
        self.assertEqual((posted.author_id, posted.message_type, posted.subtype_id),
                         (self.customer_a.partner_id, "comment", self.comment),
                         "the chatter post must be a plain comment by customer A, whatever "
                         "the extra fields said")
        self.assertNotIn(self.customer_b.partner_id, posted.partner_ids,
                         "customer A cannot add Org B's customer as a recipient")
        self.assertEqual(self.mails_to(self.customer_b.partner_id), customer_b_mails,
                         "Org B's customer must not be mailed")
        ticket.invalidate_cache()
        self.assertTrue(ticket.customer_awaits_reply,
                        "customer A's chatter post counts as their message")

    # -------------------------------------------------------- mail gateway
    def test_gateway_mail_from_a_staff_address_speaks_for_the_customer(self):
        ticket = self.ticket_in("in_progress")
        message = self.mail_in(ticket, self.expert_1.email, "Done, close it", msgid="atk4-1")
        self.assertEqual(message.author_id, self.expert_1.partner_id,
                         "the mail names its sender as author")
        self.assertEqual((ticket.state, ticket.customer_awaits_reply, ticket.last_support_reply_on),
                         ("in_progress", True, False),
                         "a mail claiming expert 1's address must count as the customer's "
                         "message, not as support's answer (no Awaiting Customer)")
        waiting = self.ticket_in("awaiting_customer")
        waiting_reply = waiting.last_support_reply_on
        self.mail_in(waiting, self.operator.email, "Answer from the ops address",
                     msgid="atk4-2")
        self.assertEqual((waiting.state, waiting.customer_awaits_reply), ("in_progress", True),
                         "a mail from the operator's address on a ticket waiting on the "
                         "customer must put it back to support")
        self.assertEqual(waiting.last_support_reply_on, waiting_reply,
                         "that mail must not be taken for a support reply")

    def test_gateway_mail_from_a_staff_address_is_no_staff_note(self):
        """Replying to an internal message (Odoo files such replies as notes), a mail
        claiming an expert's address must not become that expert's internal note."""
        ticket = self.ticket_in("in_progress")
        note = ticket.sudo(self.expert_1).message_post(
            body="<p>Internal: ask the vendor.</p>", message_type="comment",
            subtype="mail.mt_note")
        self.checkpoint()
        message = self.mail_in(ticket, self.expert_2.email, "Forged note of expert 2",
                               parent=note, msgid="atk4-4")
        self.assertFalse(message.subtype_id.internal,
                         "a mail from outside claiming expert 2's address must not be "
                         "filed as expert 2's internal note")
        self.assertTrue(ticket.customer_awaits_reply,
                        "it counts as the customer's message")

    def test_customer_mail_reply_to_an_internal_note_stays_visible(self):
        ticket = self.ticket_in("in_progress")
        note = ticket.sudo(self.expert_1).message_post(
            body="<p>Internal: ask the vendor.</p>", message_type="comment",
            subtype="mail.mt_note")
        self.checkpoint()
        message = self.mail_in(ticket, self.customer_a.email, "My answer to your note",
                               parent=note, msgid="atk4-3")
        self.assertEqual(message.subtype_id, self.comment,
                         "customer A's mail replying to an internal note must be a comment, "
                         "got %s" % message.subtype_id.name)
        self.assertTrue(ticket.customer_awaits_reply,
                        "customer A's mail counts as their message")
        self.authenticate_as(self.customer_a)
        payload = self.call_kw("mail.message", "read", [message.ids, ["body"]])
        self.assertIn("My answer to your note", str(payload.get("result")),
                      "customer A must read their own mail on the ticket: %s" % payload)
        page = self.opener.get(self.url("/my/ticket/%s" % ticket.id), timeout=30)
        self.assertIn("My answer to your note", page.text,
                      "customer A's mail must show in the portal's conversation")
