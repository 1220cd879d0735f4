from odoo.tools import mute_logger

from .helpdesk_common import HelpdeskCase

MAIL = """Return-Path: <{email_from}>
From: Customer <{email_from}>
To: test-queue@example.com
Subject: {subject}
Message-ID: <{msgid}@org-a.example>
{extra}Content-Type: text/plain; charset="utf-8"

{body}
"""


class TestMailGateway(HelpdeskCase):

    def setUp(self):
        super(TestMailGateway, self).setUp()
        self.env["ir.config_parameter"].sudo().set_param("mail.catchall.domain", "example.com")

    def _process(self, subject, body, msgid, email_from="cust.a@org-a.example", extra=""):
        raw = MAIL.format(email_from=email_from, subject=subject, msgid=msgid, body=body,
                          extra=extra)
        # No fallback model: only the queue's alias is an entry point.
        return self.env["mail.thread"].message_process(False, raw)

    def test_known_customer_mail_opens_ticket_in_the_alias_queue(self):
        ticket = self.Ticket.browse(self._process("Mail server down", "Since 9am", "m1"))
        self.assertEqual(ticket.partner_id, self.customer_a.partner_id)
        self.assertEqual(ticket.queue_id, self.queue, "the alias routes to its queue")
        self.assertEqual((ticket.channel, ticket.state), ("email", "new"))
        self.assertEqual(ticket.name, "Mail server down")
        self.assertFalse(ticket.user_id, "the gateway user is not made the expert")

    def test_reply_threads_into_ticket_and_moves_it_back_to_support(self):
        ticket = self.ticket_in("awaiting_customer")
        reply_to = ticket.message_ids.filtered(lambda m: m.message_type == "comment")[0]
        self._process("Re: photo", "Here it is", "m2",
                      extra="In-Reply-To: %s\n" % reply_to.message_id)
        self.assertEqual(ticket.state, "in_progress", "the customer answered: support acts")
        self.assertTrue(ticket.message_ids.filtered(lambda m: "Here it is" in (m.body or "")),
                        "the reply is in the ticket's thread")

    def test_reply_to_closed_ticket_reopens_it(self):
        ticket = self.ticket_in("in_progress")
        ticket.action_close()
        reply_to = ticket.message_ids[0]
        self._process("Re: closed", "It broke again", "m4",
                      extra="In-Reply-To: %s\n" % reply_to.message_id)
        self.assertEqual(ticket.state, "in_progress")
        self.assertFalse(ticket.closed_on)

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_unknown_sender_is_not_a_channel(self):
        count = self.Ticket.search_count([])
        self._process("spam", "buy now", "m3", email_from="stranger@nowhere.example")
        self.assertEqual(self.Ticket.search_count([]), count,
                         "mails from unknown senders open no ticket")

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_unproven_registrant_is_an_unknown_sender(self):
        """Wave 2 · 2 item 1: a registration whose address was not proven (the link
        mailed to it not followed) is nobody to the gateway: its mail opens no ticket."""
        Registration = self.env["helpdesk.registration"]
        post = {"role": "customer", "name": "New Comer", "email": "new.comer@elsewhere.example",
                "organisation": "Elsewhere Ltd", "password": "s3cret-pass",
                "confirm_password": "s3cret-pass"}
        values, error, messages = Registration._parse_registration(post)
        self.assertFalse(error, "a valid registration must be accepted: %s" % messages)
        pending = Registration._register_customer(values)
        count = self.Ticket.search_count([])
        self._process("Help", "please", "m5", email_from="new.comer@elsewhere.example")
        self.assertEqual(self.Ticket.search_count([]), count,
                         "mail from an unproven registration must open no ticket")
        user = Registration._confirm(pending._token(), password="s3cret-pass").user_id
        ticket = self.Ticket.browse(self._process("Help", "please", "m6",
                                                  email_from="new.comer@elsewhere.example"))
        self.assertEqual(ticket.partner_id, user.partner_id,
                         "once the address is proven, its mail opens the customer's ticket")
