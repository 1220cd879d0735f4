"""Wave 2 · 7: mail in, as production does it.

Real MIME messages, written by Python's ``email`` package the way common clients write
them, are delivered over LMTP into the support mailbox of the local Dovecot that
``make test`` starts (scripts/imap_server.py), and Odoo's own fetchmail reads them over
IMAP (the incoming mail server scripts/mail_in.py configured). Nothing is handed to
``message_process`` directly.

fetchmail commits after each mail (it is a cron job): here its commits are no-ops, so the
test's transaction is rolled back as usual; the mails it sends at once (the answer to a
stranger) are captured where Odoo hands them to SMTP, since Odoo 11 sends nothing in test
mode. Queued mails (acknowledgements) are read from the mail queue.
"""
import imaplib
import os
import smtplib
import uuid
from contextlib import contextmanager
from email import message_from_string
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate, make_msgid
from unittest import mock

from odoo.tests.common import SavepointCase
from odoo.tools import email_split

from odoo.addons.tktit_helpdesk.tests.fixtures import make_helpdesk, make_ticket

DOMAIN = os.environ.get("TKTIT_ALIAS_DOMAIN", "tktit.example")
LMTP_PORT = int(os.environ.get("TKTIT_LMTP_PORT", "2425"))
SERVER = "tktit support mailbox (local IMAP)"
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d4944415478da63f8cf00000301010018dd8db00000000049454e44ae426082")
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]"
       b"/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
PERSIAN = "سلام، چاپگر طبقه سوم از صبح کار نمی‌کند و خطای کاغذ می‌دهد."
DSN = """From: Mail Delivery System <MAILER-DAEMON@mx.org-a.example>
To: {to}
Subject: Undelivered Mail Returned to Sender
Message-ID: {msgid}
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="BOUNDARY"

--BOUNDARY
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mx.org-a.example. Your message could not be delivered.

--BOUNDARY
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.org-a.example

Final-Recipient: rfc822; {email}
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 User unknown

--BOUNDARY
Content-Type: message/rfc822

Message-Id: {original}
Subject: Your ticket

--BOUNDARY--
"""


class TestMailIn(SavepointCase):

    @classmethod
    def setUpClass(cls):
        super(TestMailIn, cls).setUpClass()
        cls.h = make_helpdesk(cls.env)
        cls.server = cls.env["fetchmail.server"].search([("name", "=", SERVER)])
        cls.customer = cls.h.customer_a.partner_id
        cls.alias = "test-queue@%s" % DOMAIN

    def setUp(self):
        super(TestMailIn, self).setUp()
        self.assertEqual(self.server.state, "done", "make test configures the mailbox")
        with self.imap() as box:  # an empty mailbox for each test
            box.store("1:*", "+FLAGS", "\\Deleted") if box.select()[1][0] != b"0" else None
            box.expunge()
        self.sent = []

    # ------------------------------------------------------------------ helpers
    @contextmanager
    def imap(self):
        box = imaplib.IMAP4(self.server.server, self.server.port)
        box.login(self.server.user, self.server.password)
        try:
            yield box
        finally:
            box.logout()

    def deliver(self, *messages):
        """Into the mailbox, as the mail server in front of it does (LMTP)."""
        with smtplib.LMTP("127.0.0.1", LMTP_PORT) as lmtp:
            for message in messages:
                # the envelope sender: Dovecot writes it as Return-Path, as MTAs do
                sender = email_split(message["From"])
                lmtp.sendmail("" if message.get_content_type() == "multipart/report"
                              else sender[0], ["support@%s" % DOMAIN], message.as_bytes())

    def fetch(self):
        """Odoo's fetchmail, as its cron runs it."""
        def capture(server, message, *args, **kwargs):
            self.sent.append(message)
            return message["Message-Id"]
        with mock.patch.object(self.env.cr, "commit", lambda: None), \
                mock.patch.object(type(self.env["ir.mail_server"]), "send_email", capture):
            self.server.fetch_mail()
        self.env.cache.invalidate()

    def unseen(self):
        with self.imap() as box:
            box.select()
            return len(box.search(None, "UNSEEN")[1][0].split())

    def mail(self, subject, body, sender=None, to=None, **headers):
        message = EmailMessage()
        message["From"] = sender or '"%s" <%s>' % (self.customer.name, self.customer.email)
        message["To"] = to or self.alias
        message["Subject"] = subject  # non-ASCII: encoded words, as clients write them
        message["Date"] = formatdate(localtime=True)
        message["Message-ID"] = make_msgid(domain="org-a.example")
        for name, value in headers.items():
            message[name.replace("_", "-")] = value
        message.set_content(body, cte="quoted-printable")
        return message

    def tickets(self):
        return self.env["helpdesk.ticket"].search([("partner_id", "=", self.customer.id)])

    def queued_to_customer(self, ticket):
        return self.env["mail.mail"].search([
            ("model", "=", ticket._name), ("res_id", "=", ticket.id),
            ("recipient_ids", "in", self.customer.ids)])

    def outgoing_to_customer(self):
        return self.env["mail.mail"].search_count([
            ("state", "=", "outgoing"), ("recipient_ids", "in", self.customer.ids)])

    # -------------------------------------------------------------------- tests
    def test_a_clients_mail_with_html_image_and_pdf_opens_a_ticket(self):
        message = self.mail("چاپگر طبقه سوم – Printer down", PERSIAN)
        message.add_alternative(
            '<html><body dir="rtl"><p>%s</p><p><img src="cid:photo"></p></body></html>'
            % PERSIAN, subtype="html", cte="quoted-printable")
        message.get_payload()[1].add_related(PNG, "image", "png", cid="<photo>",
                                             filename="photo.png")
        message.add_attachment(PDF, maintype="application", subtype="pdf",
                               filename="error-report.pdf")
        self.assertIn(b"=?utf-8?", message.as_bytes().split(b"\n\n")[0],
                      "the subject travels in encoded words")
        before = self.tickets()
        self.deliver(message)
        self.fetch()
        ticket = self.tickets() - before
        self.assertEqual(len(ticket), 1, "one ticket from one mail")
        self.assertEqual(ticket.name, "چاپگر طبقه سوم – Printer down")
        self.assertEqual((ticket.queue_id, ticket.channel), (self.h.queue, "email"),
                         "in the queue whose alias was written to")
        self.assertIn("چاپگر طبقه سوم", ticket.description or "", "the Persian body, decoded")
        names = set(self.env["ir.attachment"].search([
            ("res_model", "=", ticket._name), ("res_id", "=", ticket.id)]).mapped("name"))
        self.assertIn("error-report.pdf", names)
        self.assertIn("photo.png", names, "the inline image is kept")
        self.assertEqual(len(self.queued_to_customer(ticket)), 1, "one acknowledgement")
        self.assertEqual(self.unseen(), 0, "fetched: the mailbox has nothing left to read")
        self.assertEqual(self.sent, [])

    def test_an_outlook_reply_threads_into_its_ticket_and_restarts_the_reply_clock(self):
        ticket = make_ticket(self.env, self.h.customer_a, self.h.tech, self.h.spec,
                             state="awaiting_customer", staff=self.h.staff)
        ours = ticket.message_ids.filtered(lambda m: m.message_id)[0]
        self.assertFalse(ticket.customer_awaits_reply)
        reply = self.mail(
            "RE: %s" % ticket.name,
            "Here are the details you asked for.\r\n\r\n"
            "-----Original Message-----\r\nFrom: Support <support@%s>\r\n"
            "Sent: Monday\r\nSubject: %s\r\n\r\n> What is the model?\r\n" % (DOMAIN, ticket.name),
            to="support@%s" % DOMAIN, In_Reply_To=ours.message_id,
            References="<older@org-a.example> %s" % ours.message_id,
            Thread_Index="AQHZ" + uuid.uuid4().hex[:20], X_Mailer="Microsoft Outlook 16.0")
        reply.add_alternative("<html><body><p>Here are the details you asked for.</p>"
                              "<div id=\"divRplyFwdMsg\"><hr><b>From:</b> Support</div>"
                              "</body></html>", subtype="html")
        before = self.tickets()
        self.deliver(reply)
        self.fetch()
        self.assertEqual(self.tickets(), before, "a reply is no new ticket")
        self.assertTrue(ticket.message_ids.filtered(
            lambda m: "details you asked for" in (m.body or "")), "in the ticket's thread")
        self.assertEqual(ticket.state, "in_progress", "the customer answered: support acts")
        self.assertTrue(ticket.customer_awaits_reply, "the reply clock runs again")
        self.assertTrue(ticket.next_response_deadline)

    def test_a_stranger_gets_the_portal_answer_and_no_ticket(self):
        count = self.env["helpdesk.ticket"].search_count([])
        for to in (self.alias, "catchall@%s" % DOMAIN):  # a queue's alias, or none
            self.sent = []
            self.deliver(self.mail("Need help", "Hello", sender="Someone <someone@else.example>",
                                   to=to))
            self.fetch()
            self.assertEqual(self.env["helpdesk.ticket"].search_count([]), count)
            self.assertEqual(len(self.sent), 1, "one answer, to %s" % to)
            answer = self.sent[0]
            self.assertEqual(answer["To"], "someone@else.example")
            text = "".join(part.get_payload(decode=True).decode(
                part.get_content_charset() or "utf-8") for part in answer.walk()
                if part.get_content_type() == "text/html")
            self.assertIn("/my/tickets/new", text)
            self.assertIn("/helpdesk/register", text)

    def test_auto_replies_bulk_and_our_own_mails_open_nothing_and_get_no_answer(self):
        before, queued = self.tickets(), self.outgoing_to_customer()
        mails = [
            self.mail("Out of office: Printer", "I am away until Monday.",
                      Auto_Submitted="auto-replied"),
            self.mail("Automatic reply: Printer", "Away.", X_Autoreply="yes"),
            self.mail("Newsletter", "Our news.", Precedence="bulk"),
            self.mail("Re: ticket", "Looping back.", sender="Support <support@%s>" % DOMAIN),
            # a stranger's auto-responder: not even the portal answer (ping-pong)
            self.mail("Auto: Need help", "Away.", sender="robot@else.example",
                      Auto_Submitted="auto-generated"),
        ]
        self.deliver(*mails)
        self.fetch()
        self.assertEqual(self.tickets(), before, "no ticket")
        self.assertEqual(self.sent, [], "no answer")
        self.assertEqual(self.outgoing_to_customer(), queued, "no acknowledgement")
        self.assertEqual(self.unseen(), 0, "read and left alone")

    def test_a_delivery_report_is_recorded_on_the_partner(self):
        ticket = make_ticket(self.env, self.h.customer_a, self.h.tech, self.h.spec)
        ack = self.queued_to_customer(ticket)
        bounces = self.customer.message_bounce
        # a DSN (RFC 3464) as a mail server writes it, to the bounce address of the mail
        report = message_from_string(DSN.format(
            to="bounce+%d-%s-%d@%s" % (ack.id, ticket._name, ticket.id, DOMAIN),
            msgid=make_msgid(domain="mx.org-a.example"), email=self.customer.email,
            original=ack.message_id), policy=SMTP)
        self.assertEqual(report.get_content_type(), "multipart/report")
        before = self.tickets()
        self.deliver(report)
        self.fetch()
        self.assertEqual(self.tickets(), before, "a delivery report is no ticket")
        self.assertEqual(self.sent, [], "and gets no answer")
        self.assertEqual(self.customer.message_bounce, bounces + 1,
                         "the bounce is counted on the partner, as Odoo does")

    def test_a_burst_of_200_mails_each_once(self):
        before = self.tickets()
        burst = [self.mail("Burst %03d" % i, "Mail %d of the burst." % i) for i in range(200)]
        self.deliver(*burst)
        self.fetch()
        new = self.tickets() - before
        self.assertEqual(len(new), 200, "none lost")
        self.assertEqual(sorted(new.mapped("name")), ["Burst %03d" % i for i in range(200)],
                         "none twice")
        Message = self.env["mail.message"]
        ids = [m["Message-ID"] for m in burst]
        self.assertEqual(Message.search_count([("message_id", "in", ids)]), 200,
                         "each Message-Id once")
        # the same mails delivered again (a client's retry, a second copy): nothing new
        self.deliver(*burst[:20])
        self.fetch()
        self.assertEqual(len(self.tickets() - before), 200)
        self.assertEqual(self.unseen(), 0)
