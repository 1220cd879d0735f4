# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Security review, Wave 2 · 2, finding 3: portal customers see and write only what is
theirs. Played by a logged-in portal customer over JSON-RPC (``/web/dataset/call_kw``, what
a script with their session cookie sends) and over the portal's HTTP routes: the internal
side of their own ticket (triage, internal state, queue, QC notes, staff's notes and their
files) stays out of reach, and what they may write on the ticket form is checked by the
server, not by the options the form offers.
"""
import base64
import re
from datetime import timedelta

from odoo import fields
from odoo.tests.common import at_install, post_install

from odoo.addons.tktit_helpdesk.tests.attacker import AttackCase

MODEL = "helpdesk.ticket"
# fields of a ticket only staff may read (groups="base.group_user")
INTERNAL_FIELDS = (
    "state", "impact", "severity", "queue_id", "qc_reject_reason", "resolution",
    "assigned_on", "last_customer_message_on", "customer_awaits_reply",
    "first_support_reply_on", "last_support_reply_on", "color",
)
QC_REASON = "Sloppy fix, and the customer is clueless"


@at_install(False)
@post_install(True)
class TestAttackPortalReads(AttackCase):

    # ------------------------------------------------------------ helpers
    def triaged_ticket(self):
        """Customer A's ticket, triaged, assigned, answered, rejected once by QC."""
        ticket = self.new_ticket()
        ops = ticket.sudo(self.operator)
        ops.write({"impact": "high", "severity": "major"})
        ops.action_send_to_dispatch()
        ops.action_assign(self.expert_1)
        expert = ticket.sudo(self.expert_1)
        expert.write({"resolution": "<p>Internal draft of the fix.</p>"})
        expert.message_post(body="<p>Can you send a photo?</p>", message_type="comment",
                            subtype="mail.mt_comment")
        expert.action_work_completed()
        ticket.sudo(self.qc).action_qc_reject(QC_REASON)
        self.checkpoint()
        return ticket

    def attach(self, ticket, author, body, filename, subtype):
        attachment = self.env["ir.attachment"].create({
            "name": filename, "datas_fname": filename, "res_model": MODEL,
            "res_id": ticket.id, "datas": base64.b64encode(b"content of " + filename.encode())})
        ticket.sudo(author).message_post(body=body, message_type="comment", subtype=subtype,
                                         attachment_ids=attachment.ids)
        return attachment

    def ticket_form(self, name, **extra):
        data = {"name": name, "description": "The printer is on fire",
                "category": "technical"}
        data.update(extra)
        return data

    def tickets_named(self, name):
        return self.env[MODEL].search([("name", "=", name)])

    # ------------------------------------------------ the ticket's fields
    def test_customer_cannot_read_internal_fields_by_rpc(self):
        ticket = self.triaged_ticket()
        self.authenticate_as(self.customer_a)
        for fname in INTERNAL_FIELDS:
            payload = self.call_kw(MODEL, "read", [[ticket.id], [fname]])
            self.assert_refused(payload, "customer A reading %s of their own ticket" % fname,
                                error_names=("AccessError",))
        payload = self.call_kw(MODEL, "read", [[ticket.id], [
            "number", "name", "portal_state", "priority", "partner_id"]])
        self.assertIn("result", payload,
                      "customer A must read the portal's fields of their ticket: %s" % payload)
        self.assertEqual(payload["result"][0]["portal_state"], "in_progress",
                         "customer A sees the portal's status of their ticket")
        for method, args, kwargs in (
                ("read", [[ticket.id]], {}),
                ("search_read", [], {"domain": [["id", "=", ticket.id]]})):
            payload = self.call_kw(MODEL, method, args, kwargs)
            self.assertTrue(payload.get("result"),
                            "customer A's %s without fields must answer: %s" % (
                                method, payload))
            row = payload["result"][0]
            leaked = sorted(set(INTERNAL_FIELDS) & set(row))
            self.assertFalse(leaked, "customer A's %s without fields must return none of "
                             "the internal fields, got %s" % (method, leaked))
            self.assertIn("portal_state", row, "the portal status is in customer A's %s"
                          % method)

    def test_customer_cannot_export_internal_fields(self):
        ticket = self.triaged_ticket()
        payload = self.call_kw(MODEL, "export_data", [[ticket.id], [
            "state", "qc_reject_reason", "resolution"]], as_user=self.customer_a)
        self.assert_refused(payload, "customer A exporting the internal fields of their "
                            "ticket", error_names=("AccessError",))

    def test_customer_cannot_read_internal_messages_of_their_ticket(self):
        """Notes, the QC rejection and the tracking of the internal state are staff's:
        neither listed nor readable by id."""
        ticket = self.triaged_ticket()
        ticket.sudo(self.expert_2).message_post(
            body="<p>Internal: this customer breaks it every week.</p>",
            message_type="comment", subtype="mail.mt_note")
        self.checkpoint()
        internal = ticket.message_ids.filtered(lambda m: m.subtype_id.internal)
        self.assertTrue(internal.filtered(lambda m: QC_REASON in (m.body or "")),
                        "the fixture must have the QC rejection note")
        self.authenticate_as(self.customer_a)
        payload = self.call_kw("mail.message", "search_read", [], {
            "domain": [["model", "=", MODEL], ["res_id", "=", ticket.id]],
            "fields": ["body", "subtype_id"]})
        listed = {row["id"] for row in payload.get("result", [])}
        self.assertFalse(listed & set(internal.ids),
                         "customer A's message list must hold no internal message")
        self.assertTrue(listed, "customer A must list the conversation of their ticket")
        self.assertNotIn(QC_REASON, str(payload), "the QC rejection must not be listed")
        for message in internal:
            for method, args in (("read", [message.ids, ["body"]]),
                                 ("message_format", [message.ids])):
                payload = self.call_kw("mail.message", method, args)
                self.assert_refused(
                    payload, "customer A calling %s by id on the internal message %s (%s, "
                    "%s): its body or tracking (internal state, triage, queue) would leak"
                    % (method, message.id, message.message_type, message.subtype_id.name),
                    error_names=("AccessError",))
        answer = ticket.message_ids.filtered(lambda m: "send a photo" in (m.body or ""))
        payload = self.call_kw("mail.message", "read", [answer.ids, ["body"]])
        self.assertIn("send a photo", str(payload.get("result")),
                      "customer A must read the expert's answer: %s" % payload)

    # ---------------------------------------------------------- queues
    def test_customer_cannot_read_queues_or_their_chatter(self):
        self.queue.message_post(body="<p>Queue memo: Org A pays late.</p>",
                                message_type="comment", subtype="mail.mt_comment")
        memo = self.queue.message_ids.filtered(lambda m: "pays late" in (m.body or ""))
        self.checkpoint()
        self.authenticate_as(self.customer_a)
        for method, args, kwargs in (
                ("search_read", [], {"domain": [], "fields": ["name", "member_ids"]}),
                ("read", [self.queue.ids, ["name", "member_ids"]], {}),
                ("name_search", [], {"name": ""})):
            payload = self.call_kw("helpdesk.queue", method, args, kwargs)
            self.assert_refused(payload, "customer A calling helpdesk.queue.%s" % method,
                                error_names=("AccessError",))
        payload = self.call_kw("mail.message", "search_read", [], {
            "domain": [["model", "=", "helpdesk.queue"]], "fields": ["body"]})
        self.assertNotIn("pays late", str(payload),
                         "customer A must not list the queue's chatter")
        payload = self.call_kw("mail.message", "read", [memo.ids, ["body"]])
        self.assert_refused(payload, "customer A reading the queue's memo by id",
                            error_names=("AccessError",))
        payload = self.call_kw("helpdesk.queue", "read", [self.queue.ids, ["name"]],
                               as_user=self.expert_1)
        self.assertEqual(payload.get("result", [{}])[0].get("name"), "Test Queue",
                         "an expert of the queue must read it: %s" % payload)

    # ----------------------------------------------------- attachments
    def test_internal_note_files_hidden_conversation_files_served(self):
        ticket = self.ticket_in("in_progress")
        public = self.attach(ticket, self.expert_1, "Here is the fix", "fix.txt",
                             "mail.mt_comment")
        internal = self.attach(ticket, self.expert_1, "Internal: logs of the customer",
                               "internal.txt", "mail.mt_note")
        self.checkpoint()
        self.authenticate_as(self.customer_a)
        payload = self.call_kw("ir.attachment", "read", [internal.ids, ["name", "datas"]])
        self.assert_refused(payload, "customer A reading the file of an internal note",
                            error_names=("AccessError",))
        payload = self.call_kw("ir.attachment", "search_read", [], {
            "domain": [["res_model", "=", MODEL], ["res_id", "=", ticket.id]],
            "fields": ["name", "datas"]})
        self.assertNotIn("internal.txt", str(payload.get("result", "")),
                         "customer A's attachment search must not return the note's file")
        response = self.opener.get(self.url("/web/content/%s?download=true" % internal.id),
                                   timeout=30)
        self.assertIn(response.status_code, (403, 404),
                      "customer A downloading the note's file from /web/content must be "
                      "refused, got %s" % response.status_code)
        self.assertNotIn(b"content of internal", response.content,
                         "the note's file must not leak to customer A")
        payload = self.call_kw("ir.attachment", "read", [public.ids, ["name", "datas"]])
        self.assertEqual(base64.b64decode(payload.get("result", [{}])[0].get("datas") or ""),
                         b"content of fix.txt",
                         "customer A must read the expert's file: %s" % payload)
        response = self.opener.get(self.url("/web/content/%s?download=true" % public.id),
                                   timeout=30)
        self.assertEqual((response.status_code, response.content),
                         (200, b"content of fix.txt"),
                         "customer A must download the expert's file from /web/content")

    # -------------------------------------------------------- priority
    def test_customer_chooses_only_the_priorities_of_their_plan(self):
        basic = self.env.ref("tktit_helpdesk_sla.support_plan_basic")
        plan = self.env["helpdesk.support.plan"].create({
            "name": "Up to High", "calendar_id": basic.calendar_id.id,
            "portal_max_priority": "2"})
        self.org_a.support_plan_id = plan
        self.checkpoint()
        self.authenticate_as(self.customer_a)
        page = self.opener.get(self.url("/my/tickets/new"), timeout=30)
        select = re.search(r'<select name="priority".*?</select>', page.text, re.S)
        self.assertTrue(select, "the ticket form must have a priority field")
        offered = re.findall(r'<option value="([^"]*)"', select.group(0))
        self.assertEqual(sorted(offered), ["0", "1", "2"],
                         "the form must offer customer A their plan's priorities only")
        for priority in ("3", "4"):
            name = "Wants priority %s" % priority
            page = self.post_form("/my/tickets/new", self.ticket_form(name, priority=priority),
                                  allow_redirects=True)
            self.assertIn("does not offer the priority", page.text,
                          "customer A posting priority %s must be told their plan does not "
                          "offer it" % priority)
            self.assertIn('value="%s"' % name, page.text,
                          "the subject customer A typed must be kept on the form")
            self.assertFalse(self.tickets_named(name),
                             "no ticket may be created with priority %s" % priority)
        page = self.post_form("/my/tickets/new", self.ticket_form("High is fine", priority="2"),
                              allow_redirects=True)
        ticket = self.tickets_named("High is fine")
        self.assertEqual(ticket.priority, "2",
                         "customer A's ticket with their plan's top priority must be created")
        payload = self.call_kw(MODEL, "write", [ticket.ids, {"priority": "4"}],
                               as_user=self.operator)
        self.assertEqual(payload.get("result"), True,
                         "operations may raise the priority beyond the plan: %s" % payload)
        ticket.invalidate_cache()
        self.assertEqual(ticket.priority, "4", "operations' priority must be recorded")

    # ----------------------------------------------------- target date
    def test_target_date_in_the_past_refused(self):
        past = fields.Datetime.from_string(fields.Datetime.now()) - timedelta(days=3)
        future = past + timedelta(days=10)
        self.authenticate_as(self.customer_a)
        page = self.post_form("/my/tickets/new", self.ticket_form(
            "Yesterday please", target_date=past.strftime("%Y-%m-%dT%H:%M")),
            allow_redirects=True)
        self.assertIn("is in the past", page.text,
                      "customer A asking for a past resolution date must be told why")
        self.assertIn('value="Yesterday please"', page.text,
                      "the subject customer A typed must be kept on the form")
        self.assertFalse(self.tickets_named("Yesterday please"),
                         "no ticket may be created with a past resolution date")
        page = self.post_form("/my/tickets/new", self.ticket_form(
            "Next week please", target_date=future.strftime("%Y-%m-%dT%H:%M")),
            allow_redirects=True)
        ticket = self.tickets_named("Next week please")
        self.assertTrue(ticket and ticket.target_date,
                        "customer A's ticket with a future date must be created")
        values = {"name": "Backdated", "partner_id": self.customer_a.partner_id.id,
                  "target_date": fields.Datetime.to_string(past)}
        payload = self.call_kw(MODEL, "create", [values], as_user=self.operator)
        self.assert_refused(payload, "operations creating a ticket due in the past",
                            error_names=("ValidationError",))
        self.assertFalse(self.tickets_named("Backdated"), "no backdated ticket created")
        payload = self.call_kw(MODEL, "write", [ticket.ids, {
            "target_date": fields.Datetime.to_string(past)}])
        self.assert_refused(payload, "operations moving the date into the past",
                            error_names=("ValidationError",))
        payload = self.call_kw(MODEL, "create", [dict(
            values, target_date=fields.Datetime.to_string(future))])
        self.assertTrue(isinstance(payload.get("result"), int),
                        "operations may create a ticket due in the future: %s" % payload)
