# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Security review, finding 5 (uploads cannot carry scripts) and the attachment links of
finding 8, played by the attacker over HTTP: a customer (or whoever holds a ticket's mail
link) sends files built to run script on our domain, or asks for files that are not theirs.
"""
import base64
import re

from odoo.tests.common import at_install, post_install

from odoo.addons.tktit_helpdesk.tests.attacker import AttackCase

HTML = b"<html><body><script>fetch('/web/session/get_session_info')</script></body></html>"
SVG = (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg">'
       b"<script>alert(document.cookie)</script></svg>")
PNG = base64.b64decode(
    b"iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGA"
    b"WjR9awAAAABJRU5ErkJggg==")

MAIL = """Return-Path: <cust.a@org-a.example>
From: Customer A <cust.a@org-a.example>
To: test-queue@example.com
Subject: {subject}
Message-ID: <{msgid}@org-a.example>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="BOUNDARY"

--BOUNDARY
Content-Type: text/plain; charset="utf-8"

See the files attached.
--BOUNDARY
Content-Type: text/html; name="report.html"
Content-Disposition: attachment; filename="report.html"
Content-Transfer-Encoding: base64

{html}
--BOUNDARY
Content-Type: application/pdf; name="invoice.pdf"
Content-Disposition: attachment; filename="invoice.pdf"
Content-Transfer-Encoding: base64

{html}
--BOUNDARY
Content-Type: application/octet-stream; name="setup.exe"
Content-Disposition: attachment; filename="setup.exe"
Content-Transfer-Encoding: base64

TVqQAAMAAAAEAAAA
--BOUNDARY
Content-Type: image/png; name="photo.png"
Content-Disposition: attachment; filename="photo.png"
Content-Transfer-Encoding: base64

{png}
--BOUNDARY--
"""

SCRIPT_TYPES = ("text/html", "image/svg+xml", "application/xhtml+xml", "text/xml",
                "application/xml", "application/javascript", "text/javascript")


@at_install(False)
@post_install(True)
class TestAttackUploads(AttackCase):

    def setUp(self):
        super(TestAttackUploads, self).setUp()
        self.env["ir.config_parameter"].set_param("mail.catchall.domain", "example.com")
        self.checkpoint()

    # ------------------------------------------------------------ helpers
    def ticket_form(self, name, **extra):
        data = {"name": name, "description": "see the file", "category": "technical"}
        data.update(extra)
        return data

    def submit(self, name, filename, content, as_user=None):
        self.authenticate_as(as_user or self.customer_a)
        return self.post_form("/my/tickets/new", self.ticket_form(name),
                              files={"attachment": (filename, content, "text/html")},
                              allow_redirects=True)

    def ticket_named(self, name):
        return self.env["helpdesk.ticket"].search([("name", "=", name)])

    def attachments_of(self, ticket):
        return self.env["ir.attachment"].search(
            [("res_model", "=", "helpdesk.ticket"), ("res_id", "=", ticket.id)])

    def assert_served_safe(self, attachment, who):
        """/web/content, as an operator opening the customer's file from the backend,
        serves it as a type no browser runs."""
        self.authenticate_as(self.operator)
        self.checkpoint()
        response = self.opener.get(self.url("/web/content/%s" % attachment.id), timeout=30)
        self.assertEqual(response.status_code, 200,
                         "operations must be able to open %s's file %s" % (
                             who, attachment.name))
        content_type = response.headers.get("Content-Type", "")
        self.assertFalse(any(content_type.startswith(t) for t in SCRIPT_TYPES),
                         "%s's file %s must not be served as %s to operations: a script in "
                         "it would run in their session" % (who, attachment.name,
                                                            content_type))
        self.assertEqual(response.headers.get("X-Content-Type-Options"), "nosniff",
                         "the browser must not guess another type for %s" % attachment.name)

    def talk(self, ticket, message, filename, content, token=None):
        path = "/my/ticket/%s%s" % (ticket.id, "?access_token=%s" % token if token else "")
        data = {"message": message}
        if token:
            data["access_token"] = token
        return self.post_form("/my/ticket/%s/message" % ticket.id, data, csrf_from=path,
                              files={"attachment": (filename, content, "text/html")},
                              allow_redirects=True)

    def attachment_url(self, ticket, attachment, token=None):
        return self.url("/my/ticket/%s/attachment/%s%s" % (
            ticket.id, attachment.id, "?access_token=%s" % token if token else ""))

    # ----------------------------------------------------- the portal form
    def test_portal_form_markup_is_stored_as_plain_text(self):
        for filename, content in (("page.html", HTML), ("logo.svg", SVG)):
            name = "Files %s" % filename
            page = self.submit(name, filename, content)
            self.assertIn("was received", page.text,
                          "customer A's ticket with %s must be accepted (kept as text)"
                          % filename)
            attachment = self.attachments_of(self.ticket_named(name))
            self.assertEqual(attachment.mapped("name"), [filename],
                             "customer A's %s must be on the ticket" % filename)
            self.assertEqual(attachment.mimetype, "text/plain",
                             "customer A's %s must be stored as text/plain, not %s" % (
                                 filename, attachment.mimetype))
            self.assert_served_safe(attachment, "customer A")

    def test_portal_form_refuses_html_renamed_pdf_and_unlisted_types(self):
        for filename, content, why in (
                ("invoice.pdf", HTML, "is not a .pdf file"),
                ("photo.png", SVG, "is not a .png file"),
                ("setup.exe", b"MZ\x90\x00", "we take"),
                ("payload.js", b"alert(1)", "we take"),
                ("run.hta", HTML, "we take")):
            name = "Refused %s" % filename
            page = self.submit(name, filename, content)
            self.assertIn("The file %s was not accepted" % filename, page.text,
                          "customer A's %s must be refused with a message" % filename)
            self.assertIn(why, page.text,
                          "the customer must be told why %s was refused" % filename)
            self.assertIn('value="%s"' % name, page.text,
                          "the subject typed by customer A must be kept on the form")
            self.assertFalse(self.ticket_named(name),
                             "no ticket may be created with customer A's %s" % filename)

    def test_portal_form_oversize_refused_keeping_values(self):
        self.env["ir.config_parameter"].set_param(
            "tktit_helpdesk.portal_max_attachment_mb", "0.01")
        self.checkpoint()
        page = self.submit("Oversize", "big.log", b"x" * 20000)
        self.assertIn("The file big.log is too large", page.text,
                      "customer A's 20 KB file over a 10 KB limit must be refused")
        self.assertIn('value="Oversize"', page.text,
                      "the subject typed by customer A must be kept on the form")
        self.assertIn("see the file", page.text,
                      "the description typed by customer A must be kept on the form")
        self.assertFalse(self.ticket_named("Oversize"),
                         "no ticket may be created with customer A's oversize file")
        # declared far over the limit: refused on Content-Length, before the file is read
        page = self.submit("Declared oversize", "huge.log", b"x" * (1024 * 1024 + 20000))
        self.assertIn("Your request is too large", page.text,
                      "customer A's request declaring more than limit + form must be refused")
        self.assertIn('value="Declared oversize"', page.text,
                      "the subject typed by customer A must be kept on the form")
        self.assertFalse(self.ticket_named("Declared oversize"),
                         "no ticket may be created from customer A's oversize request")

    # ------------------------------------------------------- Talk To Expert
    def test_talk_to_expert_markup_stored_as_text_and_renamed_pdf_refused(self):
        ticket = self.ticket_in("in_progress")
        self.authenticate_as(self.customer_a)
        page = self.talk(ticket, "the page I get", "error.html", HTML)
        self.assertIn("sent to the expert", page.text,
                      "customer A's message with error.html must be accepted")
        attachment = self.attachments_of(ticket).filtered(lambda a: a.name == "error.html")
        self.assertEqual(attachment.mimetype, "text/plain",
                         "customer A's error.html must be stored as text/plain, not %s"
                         % attachment.mimetype)
        message = ticket.message_ids.filtered(lambda m: attachment in m.attachment_ids)
        self.assertEqual(message.author_id, self.customer_a.partner_id,
                         "customer A's file must come with customer A's message")
        self.assert_served_safe(attachment, "customer A")

        self.authenticate_as(self.customer_a)
        before = len(ticket.message_ids)
        page = self.talk(ticket, "my invoice, typed text", "invoice.pdf", HTML)
        self.assertIn("The file invoice.pdf was not accepted", page.text,
                      "customer A's HTML renamed invoice.pdf must be refused with a message")
        self.assertIn("my invoice, typed text", page.text,
                      "the message typed by customer A must be kept in the form")
        self.assertEqual(len(ticket.message_ids), before,
                         "a refused file posts nothing on the ticket")

    def test_talk_to_expert_by_token_holder(self):
        ticket = self.ticket_in("in_progress")
        page = self.talk(ticket, "photo of the router", "router.svg", SVG,
                         token=ticket.access_token)
        self.assertIn("sent to the expert", page.text,
                      "the holder of the mail link must be able to send a file")
        attachment = self.attachments_of(ticket).filtered(lambda a: a.name == "router.svg")
        self.assertEqual(attachment.mimetype, "text/plain",
                         "the token holder's router.svg must be stored as text/plain")
        response = self.opener.get(self.attachment_url(ticket, attachment,
                                                       ticket.access_token), timeout=30)
        self.assertEqual(response.status_code, 200,
                         "the token holder must be able to download their own file")
        self.assertEqual(response.headers.get("Content-Type", "").split(";")[0],
                         "text/plain", "router.svg must be served as text/plain")
        self.assertIn("attachment", response.headers.get("Content-Disposition", ""),
                      "a text file is a download, never shown from our domain")

    # ----------------------------------------------------------- mail gateway
    def test_mail_attachments_stored_safe_and_refused_dropped(self):
        raw = MAIL.format(subject="Files by mail", msgid="attack5-m1",
                          html=base64.b64encode(HTML).decode(),
                          png=base64.b64encode(PNG).decode())
        ticket = self.env["helpdesk.ticket"].browse(
            self.env["mail.thread"].message_process(False, raw))
        self.assertEqual(ticket.name, "Files by mail",
                         "customer A's mail must open a ticket even with refused files")
        attachments = self.attachments_of(ticket)
        by_name = {a.name: a for a in attachments}
        self.assertEqual(sorted(by_name), ["photo.png", "report.html"],
                         "only allowed files of customer A's mail are kept: %s" % sorted(
                             by_name))
        self.assertEqual(by_name["report.html"].mimetype, "text/plain",
                         "customer A's mailed report.html must be stored as text/plain")
        self.assertEqual(by_name["photo.png"].mimetype, "image/png",
                         "customer A's mailed photo stays an image")
        mail = ticket.message_ids.filtered(lambda m: m.message_type == "email")
        self.assertTrue(mail and "See the files attached" in mail.body,
                        "customer A's mail itself must be kept on the ticket")
        note = ticket.message_ids.filtered(
            lambda m: m.subtype_id == self.env.ref("mail.mt_note") and "dropped" in m.body)
        self.assertTrue(note, "an internal note must say which files were dropped")
        self.assertIn("invoice.pdf", note.body, "the note must name the fake invoice.pdf")
        self.assertIn("setup.exe", note.body, "the note must name setup.exe")
        self.checkpoint()
        self.assert_served_safe(by_name["report.html"], "customer A (by mail)")

    # ------------------------------------------------------ attachment links
    def _ticket_with_files(self):
        ticket = self.ticket_in("in_progress")
        Attachment = self.env["ir.attachment"]

        def post(body, filename, subtype):
            attachment = Attachment.create({
                "name": filename, "datas_fname": filename, "res_model": ticket._name,
                "res_id": ticket.id, "datas": base64.b64encode(b"content of " + filename.encode())})
            ticket.sudo(self.expert_1).message_post(
                body=body, message_type="comment", subtype=subtype,
                attachment_ids=attachment.ids)
            return attachment

        public = post("Here is the fix", "fix.txt", "mail.mt_comment")
        internal = post("Internal: customer is difficult", "internal.txt", "mail.mt_note")
        other = self.new_ticket(customer=self.customer_b)
        foreign = Attachment.create({
            "name": "b-secret.txt", "datas_fname": "b-secret.txt", "res_model": other._name,
            "res_id": other.id, "datas": base64.b64encode(b"B's secret")})
        other.message_post(body="for B", message_type="comment", subtype="mail.mt_comment",
                           attachment_ids=foreign.ids)
        self.checkpoint()
        return ticket, public, internal, other, foreign

    def test_token_link_serves_conversation_files_only(self):
        ticket, public, internal, other, foreign = self._ticket_with_files()
        token = ticket.access_token
        page = self.opener.get(self.url("/my/ticket/%s?access_token=%s" % (ticket.id, token)),
                               timeout=30)
        self.assertIn("/my/ticket/%s/attachment/%s?access_token=%s" % (
            ticket.id, public.id, token), page.text,
            "the token holder's page must link the expert's file with the token")
        self.assertNotIn("/attachment/%s" % internal.id, page.text,
                         "the page must not link the file of an internal note")
        response = self.opener.get(self.attachment_url(ticket, public, token), timeout=30)
        self.assertEqual((response.status_code, response.content), (200, b"content of fix.txt"),
                         "the token holder must download the expert's file")
        for attachment, url, why in (
                (internal, self.attachment_url(ticket, internal, token),
                 "an internal note's file with the ticket's token"),
                (foreign, self.attachment_url(ticket, foreign, token),
                 "another ticket's file through this ticket's token"),
                (foreign, self.attachment_url(other, foreign, token),
                 "another ticket's file with this ticket's token"),
                (public, self.attachment_url(ticket, public, "not-the-token"),
                 "this ticket's file with a wrong token"),
                (public, self.attachment_url(ticket, public), "this ticket's file, no token")):
            response = self.opener.get(url, timeout=30)
            self.assertIn(response.status_code, (403, 404),
                          "a visitor asking for %s must be refused, got %s" % (
                              why, response.status_code))
            self.assertNotIn(b"content of", response.content,
                             "%s must not leak its content" % why)
            self.assertNotIn(b"secret", response.content, "%s must not leak" % why)

    def test_logged_in_customers_get_their_files_not_others(self):
        ticket, public, internal, other, foreign = self._ticket_with_files()
        self.authenticate_as(self.customer_a2)  # a colleague of customer A
        self.checkpoint()
        response = self.opener.get(self.attachment_url(ticket, public), timeout=30)
        self.assertEqual(response.status_code, 200,
                         "customer A's colleague must download the expert's file")
        page = self.opener.get(self.url("/my/ticket/%s" % ticket.id), timeout=30)
        self.assertTrue(re.search(r'href="/my/ticket/%s/attachment/%s"' % (
            ticket.id, public.id), page.text), "the logged-in page links the file, no token")
        for attachment, ticket_of, why in ((internal, ticket, "an internal note's file"),
                                           (foreign, other, "Org B's file")):
            response = self.opener.get(self.attachment_url(ticket_of, attachment), timeout=30)
            self.assertIn(response.status_code, (403, 404),
                          "customer A's colleague asking for %s must be refused" % why)
        self.authenticate_as(self.customer_b)
        self.checkpoint()
        response = self.opener.get(self.attachment_url(ticket, public), timeout=30)
        self.assertIn(response.status_code, (403, 404),
                      "customer B must not download a file of Org A's ticket")
