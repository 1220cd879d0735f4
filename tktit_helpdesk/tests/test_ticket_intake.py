"""Wave 2 item 4: the portal intake model (helpdesk.ticket.intake), without HTTP; and
its upload policy (security review, finding 5)."""
import base64
import io
import zipfile

from odoo.exceptions import AccessError
from odoo.models import check_method_name

from .helpdesk_common import HelpdeskCase, new_user


class TestTicketIntake(HelpdeskCase):

    @classmethod
    def setUpClass(cls):
        super(TestTicketIntake, cls).setUpClass()
        env = cls.env
        cls.intake_customer = new_user(
            env, "intake.cust", ["base.group_portal"], parent_id=cls.org_a.id,
            email="intake.cust@org-a.example", tz="Europe/Brussels")
        cls.other_tech = env["helpdesk.technology"].create(
            {"name": "Intake Other Tech", "code": "IOT"})
        cls.other_tech_spec = env["helpdesk.specialization"].create(
            {"name": "Intake Other Stream", "code": "IOS",
             "technology_id": cls.other_tech.id})

    def intake(self, user=None):
        return self.env["helpdesk.ticket.intake"].sudo(user or self.intake_customer)

    def post(self, **values):
        post = {"name": "Router down", "description": "No link since 8am.",
                "category": "technical", "priority": "2",
                "technology_id": str(self.tech.id), "specialization_id": str(self.spec.id)}
        post.update(values)
        return post

    def parse(self, user=None, **values):
        return self.intake(user)._parse_submission(self.post(**values))

    # -------------------------------------------------------------- parse
    def test_parse_valid_form(self):
        vals, error, messages = self.parse(description="<b>bold</b> & co")
        self.assertFalse(error, "a complete form has no field in error: %s" % messages)
        self.assertFalse(messages, "a complete form shows no message to the customer")
        self.assertEqual(vals["name"], "Router down", "the subject is kept")
        self.assertEqual(vals["category"], "technical", "the chosen category is kept")
        self.assertEqual(vals["priority"], "2", "the chosen priority is kept")
        self.assertEqual(vals["technology_id"], self.tech.id, "the scope is kept")
        self.assertEqual(vals["specialization_id"], self.spec.id, "the stream is kept")
        self.assertNotIn("<b>", vals["description"],
                         "markup typed by the customer is escaped, never run")
        self.assertIn("&lt;b&gt;bold&lt;/b&gt;", vals["description"],
                      "the description is shown as the customer typed it")

    def test_parse_defaults(self):
        vals, error, _messages = self.parse(category="", priority="", technology_id="",
                                            specialization_id="")
        self.assertFalse(error, "category, priority, scope and stream may be left empty")
        self.assertEqual(vals["category"], "technical", "an empty category means Technical")
        self.assertEqual(vals["priority"], "1", "an empty priority means Normal")
        self.assertNotIn("technology_id", vals, "no scope chosen, none set")

    def test_parse_missing_subject_and_description(self):
        vals, error, messages = self.parse(name="   ", description="")
        self.assertTrue(error.get("name"), "a blank subject marks the subject field in error")
        self.assertTrue(error.get("description"),
                        "an empty description marks the description field in error")
        self.assertIn("Please give your request a subject.", messages,
                      "the customer is told the subject is missing")
        self.assertIn("Please describe your request.", messages,
                      "the customer is told the description is missing")

    def test_parse_unknown_category_and_priority(self):
        _vals, error, messages = self.parse(category="plumbing", priority="9")
        self.assertTrue(error.get("category"), "an unknown category is refused")
        self.assertTrue(error.get("priority"), "an unknown priority is refused")
        self.assertIn("Unknown category: choose Activation, Technical, Financial or Sales.",
                      messages, "the customer is told which categories exist")
        self.assertIn("Unknown priority.", messages, "the customer is told the priority is wrong")

    def test_parse_unknown_scope_or_stream(self):
        for raw in ("424242", "abc", "-1"):
            vals, error, messages = self.parse(technology_id=raw, specialization_id="")
            self.assertTrue(error.get("technology_id"),
                            "scope %r is not in the catalogue and is refused" % raw)
            self.assertIn("Unknown scope or stream: choose one from the list.", messages,
                          "the customer is told to pick a scope from the list (%r)" % raw)
            self.assertNotIn("technology_id", vals, "an unknown scope %r is not kept" % raw)

    def test_parse_stream_of_another_scope(self):
        _vals, error, messages = self.parse(specialization_id=str(self.other_tech_spec.id))
        self.assertTrue(error.get("specialization_id"),
                        "a stream that does not belong to the chosen scope is refused")
        self.assertIn("The stream you chose does not belong to that scope.", messages,
                      "the customer is told the stream and scope do not match")
        _vals, error, _messages = self.parse(technology_id="",
                                             specialization_id=str(self.spec.id))
        self.assertTrue(error.get("specialization_id"),
                        "a stream without its scope is refused")

    def test_parse_bad_dates(self):
        _vals, error, messages = self.parse(occurred_on="2026-13-45", target_date="soon")
        self.assertTrue(error.get("occurred_on"), "an impossible incident date is refused")
        self.assertTrue(error.get("target_date"), "a target date that is no date is refused")
        self.assertIn("2026-13-45 is not a valid date.", messages,
                      "the customer sees which incident date was wrong")
        self.assertIn("soon is not a valid date.", messages,
                      "the customer sees which target date was wrong")

    def test_parse_dates_in_user_time_zone(self):
        vals, error, _messages = self.parse(occurred_on="2026-01-15T10:30",
                                            target_date="2026-07-01")
        self.assertFalse(error, "datetime-local and date inputs are accepted")
        self.assertEqual(vals["occurred_on"], "2026-01-15 09:30:00",
                         "10:30 in Brussels in winter (UTC+1) is stored as 09:30 UTC")
        self.assertEqual(vals["target_date"], "2026-06-30 22:00:00",
                         "midnight in Brussels in summer (UTC+2) is stored as 22:00 UTC")
        no_tz = new_user(self.env, "intake.notz", ["base.group_portal"],
                         parent_id=self.org_a.id, tz=False)
        vals, _error, _messages = self.parse(user=no_tz, occurred_on="2026-01-15T10:30")
        self.assertEqual(vals["occurred_on"], "2026-01-15 10:30:00",
                         "a user without a time zone has dates read in UTC")

    # --------------------------------------------------------- attachment
    def test_attachment_too_large(self):
        self.env["ir.config_parameter"].set_param(
            "tktit_helpdesk.portal_max_attachment_mb", "0.001")
        message = self.intake()._check_attachment("big.log", b"x" * 5000)
        self.assertTrue(message, "a file over the configured limit is refused")
        self.assertIn("The file big.log is too large", message,
                      "the customer is told which file is too large")
        self.assertIn("the limit is 0 MB", message, "the customer is told the limit")
        self.assertIsNone(self.intake()._check_attachment("small.log", b"x" * 1000),
                          "a file under the limit is accepted")

    def test_attachment_default_limit_is_10_mb(self):
        self.env["ir.config_parameter"].set_param(
            "tktit_helpdesk.portal_max_attachment_mb", False)
        self.assertEqual(self.intake()._max_attachment_bytes(), 10 * 1024 * 1024,
                         "without a system parameter, the limit is 10 MB")

    def test_attachment_empty(self):
        self.assertEqual(self.intake()._check_attachment("void.txt", b""),
                         "The file void.txt is empty.",
                         "an empty file is refused with its name")

    # ------------------------------------------------------------- create
    def test_create_customer_is_user_and_only_whitelisted_fields(self):
        vals, error, _messages = self.parse()
        self.assertFalse(error, "the form is valid")
        vals.update({
            "partner_id": self.customer_b.partner_id.id,
            "state": "closed",
            "user_id": self.expert_1.id,
            "fee_amount": 999.0,
            "queue_id": self.queue_other.id,
        })
        ticket = self.intake()._create_ticket(vals)
        self.assertEqual(ticket.partner_id, self.intake_customer.partner_id,
                         "the customer is always the logged-in user, whatever was posted")
        self.assertEqual(ticket.commercial_partner_id, self.org_a,
                         "the ticket belongs to the logged-in user's organisation")
        self.assertEqual(ticket.state, "new", "a posted state is dropped: the ticket is new")
        self.assertFalse(ticket.user_id, "a posted expert is dropped: nobody is assigned")
        self.assertFalse(ticket.fee_amount, "a posted fee is dropped")
        self.assertEqual(ticket.queue_id, self.queue,
                         "a posted queue is dropped: the queue follows scope and stream")
        self.assertEqual(ticket.channel, "portal", "the ticket is marked as from the portal")
        self.assertEqual(ticket.name, "Router down", "whitelisted fields are kept")
        self.assertEqual(ticket.priority, "2", "the chosen priority is kept")
        self.assertIn(ticket, self.env["helpdesk.ticket"].sudo(self.intake_customer).search([]),
                      "the customer sees the ticket they created")

    def test_create_with_attachment(self):
        vals, _error, _messages = self.parse()
        ticket = self.intake()._create_ticket(vals, ("router.log", b"link down"))
        attachments = ticket.message_ids.mapped("attachment_ids")
        self.assertEqual(attachments.mapped("name"), ["router.log"],
                         "the uploaded file is posted on the ticket")
        self.assertEqual(attachments.res_model, "helpdesk.ticket",
                         "the attachment belongs to the ticket, not to the intake model")
        self.assertEqual(attachments.res_id, ticket.id, "the attachment is on this ticket")
        message = ticket.message_ids.filtered("attachment_ids")
        self.assertEqual(message.author_id, self.intake_customer.partner_id,
                         "the customer is the author of the attachment message")

    # ------------------------------------------------------------ policy
    def test_policy_stored_types(self):
        docx = io.BytesIO()
        with zipfile.ZipFile(docx, "w") as archive:
            archive.writestr("[Content_Types].xml", "<Types/>")
            archive.writestr("word/document.xml", "<w:document/>")
        cases = (
            ("page.HTML", b"<script>alert(1)</script>", "text/plain"),
            ("logo.svg", b"<svg><script>alert(1)</script></svg>", "text/plain"),
            ("data.xml", b"<?xml version='1.0'?><a/>", "text/plain"),
            ("router.log", b"link down", "text/plain"),
            ("export.csv", b"a,b", "text/csv"),
            ("scan.pdf", b"%PDF-1.4 ...", "application/pdf"),
            ("photo.jpg", b"\xff\xd8\xff\xe0 jfif", "image/jpeg"),
            ("report.docx", docx.getvalue(),
             "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        )
        for filename, content, expected in cases:
            mimetype, error = self.intake()._attachment_policy(filename, content)
            self.assertIsNone(error, "%s must be accepted: %s" % (filename, error))
            self.assertEqual(mimetype, expected, "%s must be stored as %s, not %s" % (
                filename, expected, mimetype))

    def test_policy_refusals(self):
        for filename, content, why in (
                ("invoice.pdf", b"<html><script>x</script>", "its content is not a .pdf"),
                ("photo.png", b"<svg onload=alert(1)>", "its content is not a .png"),
                ("report.docx", b"<html>", "its content is not a .docx"),
                ("setup.exe", b"MZ", "we take"),
                ("payload.js", b"alert(1)", "we take"),
                ("noextension", b"data", "we take")):
            error = self.intake()._check_attachment(filename, content)
            self.assertTrue(error and why in error,
                            "%s must be refused (%s), got %r" % (filename, why, error))

    def test_policy_extensions_parameter(self):
        self.env["ir.config_parameter"].set_param(
            "tktit_helpdesk.attachment_extensions", "pdf, .dwg")
        self.assertIn("we take .dwg, .pdf files only",
                      self.intake()._check_attachment("a.png", b"\x89PNG\r\n\x1a\n"),
                      "the parameter replaces the allow-list, and the refusal says so")
        self.assertEqual(self.intake()._attachment_policy("plan.dwg", b"AC1027"),
                         ("application/octet-stream", None),
                         "an extension we do not know is stored as a download")

    def test_read_upload_stops_past_the_limit(self):
        self.env["ir.config_parameter"].set_param(
            "tktit_helpdesk.portal_max_attachment_mb", "0.125")  # 128 KB

        class Upload(object):
            filename = "C:\\Users\\me\\big.log"

            def __init__(self, size):
                self.stream = io.BytesIO(b"x" * size)

        upload = Upload(10 * 1024 * 1024)
        filename, content, error = self.intake()._read_upload(upload)
        self.assertEqual(filename, "big.log", "the client's path is dropped from the name")
        self.assertIn("too large", error or "", "a 10 MB upload over 128 KB is refused")
        self.assertEqual(upload.stream.tell(), 128 * 1024 + 1,
                         "reading stops at limit + 1 byte, the rest is never read")
        self.assertEqual(content, b"", "nothing of a refused upload is kept")
        filename, content, error = self.intake()._read_upload(Upload(1000))
        self.assertIsNone(error, "a file under the limit is read")
        self.assertEqual(len(content), 1000, "a file under the limit is read whole")
        self.assertIsNone(self.intake()._declared_too_large(1000),
                          "a request under the limit is not refused on its length")
        self.assertTrue(self.intake()._declared_too_large(5 * 1024 * 1024),
                        "a request declaring 5 MB over a 128 KB limit is refused")

    def test_ticket_attachments_never_scriptable(self):
        ticket = self.intake()._create_ticket(self.parse()[0])
        Attachment = self.env["ir.attachment"]  # superuser: Odoo 11 keeps HTML for admins
        for filename, mimetype in (("a.html", "text/html"), ("b.svg", "image/svg+xml"),
                                   ("c.js", "application/javascript"),
                                   ("d.xhtml", "application/xhtml+xml")):
            attachment = Attachment.create({
                "name": filename, "datas_fname": filename, "mimetype": mimetype,
                "datas": base64.b64encode(b"<script>alert(1)</script>"),
                "res_model": "helpdesk.ticket", "res_id": ticket.id})
            self.assertEqual(attachment.mimetype, "text/plain",
                             "%s on a ticket is stored as text/plain, even by an admin"
                             % filename)
            attachment.write({"mimetype": mimetype})
            self.assertEqual(attachment.mimetype, "text/plain",
                             "%s cannot be made %s afterwards" % (filename, mimetype))
        moved = Attachment.create({
            "name": "e.html", "datas_fname": "e.html", "mimetype": "text/html",
            "datas": base64.b64encode(b"<script>alert(1)</script>"),
            "res_model": "mail.compose.message", "res_id": 0})
        moved.write({"res_model": "helpdesk.ticket", "res_id": ticket.id})
        self.assertEqual(moved.mimetype, "text/plain",
                         "an HTML file moved onto a ticket is stored as text/plain")
        docx = Attachment.with_context(attachments_mime_plainxml=True).create({
            "name": "f.docx", "datas_fname": "f.docx", "datas": base64.b64encode(b"PK"),
            "res_model": "helpdesk.ticket", "res_id": ticket.id})
        self.assertEqual(
            docx.mimetype,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "a Word document from the mail gateway stays one (no false 'xml' positive)")

    def test_portal_attachments_exclude_internal_notes(self):
        vals, _error, _messages = self.parse()
        ticket = self.intake()._create_ticket(vals, ("router.log", b"link down"))
        own = ticket.message_ids.mapped("attachment_ids")

        def post(subtype):
            attachment = self.env["ir.attachment"].create({
                "name": subtype, "datas": base64.b64encode(b"x"),
                "res_model": "helpdesk.ticket", "res_id": ticket.id})
            ticket.sudo(self.operator).message_post(
                body="x", message_type="comment", subtype=subtype,
                attachment_ids=attachment.ids)
            return attachment

        public, internal = post("mail.mt_comment"), post("mail.mt_note")
        attachments = ticket._portal_attachments()
        self.assertIn(own, attachments, "the customer gets back the file they sent")
        self.assertIn(public, attachments, "the customer gets support's reply's file")
        self.assertNotIn(internal, attachments, "an internal note's file is never served")

    def test_intake_methods_not_callable_over_rpc(self):
        for name in ("_parse_submission", "_parse_datetime", "_max_attachment_bytes",
                     "_check_attachment", "_create_ticket", "_attachment_policy",
                     "_read_upload", "_declared_too_large", "_attachment_values",
                     "_sanitize_customer_attachments", "_post_customer_message",
                     "_upload_types", "_clean_filename", "_is_scriptable"):
            self.assertTrue(hasattr(self.env["helpdesk.ticket.intake"], name),
                            "the intake model has %s" % name)
            with self.assertRaises(AccessError, msg="%s must not be callable over RPC" % name):
                check_method_name(name)
