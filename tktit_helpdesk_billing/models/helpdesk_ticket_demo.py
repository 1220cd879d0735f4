# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Field visits, hours and invoices in the demo's year of tickets
(tktit_helpdesk's models/helpdesk_ticket_demo.py).

``_demo_story_billing`` runs its own stories through the base's walk: field visits of
the demo field operator, signed on site (billable for Acme, invoiced and mostly paid;
covered by Globex's contract), and remote tickets whose hours are invoiced when the
customer confirms, then paid. The dates of what they produced (delivery notes, their
signed PDF and hash, invoices and their accounting entries, payments) follow the story.
"""
import json
import random
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import plaintext2html

from ..hooks import _demo_signature

FIELD_VISITS = [
    ("Access point dead in the warehouse office",
     "The Wi-Fi access point of the warehouse office shows no light since this morning.",
     "Replaced the access point and re-patched its cable; coverage checked in every "
     "corner of the office.", 1.5),
    ("New network socket for the label printer",
     "We need a wired connection for the new label printer in the storeroom.",
     "Pulled 20 m of Cat6 to the storeroom and fitted a socket; the printer is online.",
     2.0),
    ("Switch in the meeting room reboots",
     "The switch under the meeting-room table reboots every hour.",
     "Replaced the faulty power supply of the switch and re-patched two ports.", 1.0),
    ("Cabling for three new desks",
     "Three desks were added in the sales office: they need network sockets.",
     "Installed three double sockets, patched them to the office VLAN and tested each "
     "port.", 3.0),
    ("Wi-Fi survey of the new showroom",
     "Before opening the showroom we would like to know where to put the access points.",
     "Surveyed the showroom, installed two access points on the ceiling and delivered "
     "the coverage map.", 2.5),
]
REMOTE_BILLABLE = [
    ("Migrate the shared calendars",
     "Please move our shared calendars to the new mail server before Friday.",
     "All 14 shared calendars migrated with their permissions; the old ones are "
     "read-only.", 1.75),
    ("Firewall rules for the new CRM",
     "Our new CRM needs access from the internet for the mobile app.",
     "Published the CRM behind the reverse proxy with its own certificate; only the "
     "app's API paths are reachable from outside.", 1.25),
    ("Monthly security review",
     "Please review our firewall and server logs for the month, as in the contract "
     "offer.",
     "Reviewed the month's firewall and server logs: no intrusion; two outdated rules "
     "removed, report sent.", 2.0),
]


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    @api.model
    def _demo_story_billing(self, seed=1611):
        """The billing stories of the demo's year (once)."""
        if self.env["ir.model.data"].search_count([
                ("module", "=", "tktit_helpdesk_billing"), ("name", "=like", "story_%"),
                ("model", "=", self._name)]):
            return self.browse()
        self._demo_story_fix_billing_fixtures()
        rng = random.Random(seed)
        now = fields.Datetime.from_string(fields.Datetime.now())
        operator = self.env.ref("tktit_helpdesk_billing.user_field_op_demo")
        plans = []
        for index in range(9):
            created = now - timedelta(days=rng.uniform(3, 330), hours=rng.uniform(0, 6))
            created = created.replace(hour=rng.choice([8, 9, 10, 13, 14]))
            if index % 3 == 2:
                plans.append(self._demo_story_remote_plan(index, rng, created))
            else:
                plans.append(self._demo_story_visit_plan(index, rng, created, operator))
        plans.sort(key=lambda plan: plan["created"])
        return self._demo_story_run(plans, now, module="tktit_helpdesk_billing")

    @api.model
    def _demo_story_visit_plan(self, index, rng, created, operator):
        subject, description, resolution, hours = rng.choice(FIELD_VISITS)
        customer = rng.choice(["acme", "acme", "globex"])
        signer = {"acme": "Alice Acme", "globex": "Gary Globex"}[customer]
        steps = [
            (rng.uniform(0.2, 1.5), "dispatch"),
            (rng.uniform(0.2, 1), "assign"),
            (0.05, "plan_visit", rng.uniform(20, 70)),
            (0.1, "reply", "Our field operator Fiona will come by; she calls you half "
                           "an hour before."),
        ]
        visit = sum(step[0] for step in steps) + steps[2][2]
        steps += [
            (visit - sum(step[0] for step in steps), "timesheet", hours,
             "On site: " + resolution[:60]),
            (hours, "resolve_on_site", resolution),
            (0.1, "sign", signer),
        ]
        # Acme pays its invoice (the latest perhaps not yet); the covered visits close
        steps += [(rng.uniform(48, 400), "pay")]
        stars, comment = rng.choice([(5, "Fiona was quick and tidy, thanks."),
                                     (5, "Very professional visit."),
                                     (4, "Good work; the visit came a day later than "
                                         "promised."),
                                     (2, "The invoice is higher than the quote we had.")])
        steps += [(rng.uniform(0.5, 24), "rate", stars, comment)]
        return {
            "key": "story_visit_%02d" % (index + 1), "created": created,
            "customer": customer, "queue": "lan", "expert": operator,
            "values": {"name": subject, "description": plaintext2html(description),
                       "category": "technical", "priority": "1", "channel": "portal"},
            "steps": steps,
        }

    @api.model
    def _demo_story_remote_plan(self, index, rng, created):
        subject, description, resolution, hours = rng.choice(REMOTE_BILLABLE)
        steps = [
            (rng.uniform(0.2, 1.5), "dispatch"),
            (rng.uniform(0.2, 1), "assign"),
            (rng.uniform(0.1, 0.8), "reply", "We take care of it and will confirm here "
                                             "when it is done."),
            (rng.uniform(2, 6), "timesheet", hours, resolution[:60]),
            (hours, "complete", resolution),
            (rng.uniform(0.3, 3), "qc_approve"),
            (rng.uniform(0.3, 4), "final_approve"),
            (rng.uniform(1, 8), "confirm", True, "Thanks, all good."),
            (rng.uniform(48, 500), "pay"),
            (rng.uniform(0.5, 24), "rate", rng.choice([5, 4, 4, 3]),
             "Invoice paid, good work."),
        ]
        return {
            "key": "story_remote_%02d" % (index + 1), "created": created,
            "customer": "acme", "queue": "wan",
            "values": {"name": subject, "description": plaintext2html(description),
                       "category": "technical", "priority": "1", "channel": "portal"},
            "steps": steps,
        }

    # ---------------------------------------------------------------- the steps
    @api.model
    def _demo_story_extra_step(self, ticket, plan, people, name, args, moment):
        operations = people["dispatcher"]
        expert = plan.get("expert") or people["queues"][plan["queue"]][1]
        if name == "plan_visit":
            site = self.env.ref("tktit_helpdesk_billing.partner_acme_site_demo") \
                if plan["customer"] == "acme" else self.env["res.partner"]
            visit = (moment + timedelta(hours=args[0])).replace(minute=0, second=0)
            ticket.sudo(operations).write({
                "is_field": True, "site_partner_id": site.id,
                "visit_date": fields.Datetime.to_string(visit)})
        elif name == "timesheet":
            self.env["account.analytic.line"].sudo(expert).create({
                "helpdesk_ticket_id": ticket.id, "user_id": expert.id,
                "name": args[1], "unit_amount": args[0],
                "date": fields.Date.to_string(moment.date())})
        elif name == "resolve_on_site":
            ticket.sudo(expert).action_resolve_on_site(args[0])
        elif name == "sign":
            note = ticket.delivery_note_ids.filtered(lambda n: n.state == "draft")[:1]
            note.sudo(expert).action_sign(args[0], _demo_signature(args[0]))
        elif name == "pay":
            invoices = ticket.invoice_ids.filtered(
                lambda i: i.type == "out_invoice" and i.state == "open")
            if invoices:
                self._demo_story_pay(invoices, moment)
        else:
            return super(HelpdeskTicket, self)._demo_story_extra_step(
                ticket, plan, people, name, args, moment)
        return True

    @api.model
    def _demo_story_pay(self, invoices, moment):
        """The customer's bank transfer, registered by accounting (as post_init_hook)."""
        journal = self.env["account.journal"].search([
            ("type", "=", "bank"), ("company_id", "=", invoices[0].company_id.id)], limit=1)
        for invoice in invoices:
            payment = self.env["account.payment"].create({
                "payment_type": "inbound", "partner_type": "customer",
                "partner_id": invoice.partner_id.id, "amount": invoice.residual,
                "journal_id": journal.id, "payment_date": fields.Date.to_string(moment),
                "payment_method_id": self.env.ref(
                    "account.account_payment_method_manual_in").id,
                "invoice_ids": [(4, invoice.id)],
            })
            payment.post()

    @api.model
    def _demo_story_closing_steps(self):
        return super(HelpdeskTicket, self)._demo_story_closing_steps() + ("sign", "pay")

    # ---------------------------------------------------------------- the dating
    @api.multi
    def _demo_story_backdate(self, timeline, first_mail):
        """Invoices, their entries and payments, and the signed notes take the moments
        of the steps that made them; a note's snapshot, hash and PDF are those of its
        signature at that moment."""
        res = super(HelpdeskTicket, self)._demo_story_backdate(timeline, first_mail)
        cr = self.env.cr
        invoiced, signed = {}, {}
        for ticket_id, marks in timeline.items():
            for _mark, moment, step in marks:
                when = fields.Datetime.to_string(moment)
                if step == "sign":
                    signed[ticket_id] = when
                    invoiced.setdefault(ticket_id, when)
                elif step == "confirm":
                    invoiced.setdefault(ticket_id, when)
        tickets = self.browse(list(invoiced))
        invoices = tickets.sudo().mapped("invoice_ids").filtered(
            lambda i: i.type == "out_invoice")
        if invoices:
            cr.execute("""
                UPDATE account_invoice i SET
                       date_invoice = v.moment::date,
                       date_due = v.moment::date + (i.date_due - i.date_invoice),
                       create_date = v.moment::timestamp, write_date = v.moment::timestamp
                  FROM unnest(%s::int[], %s::text[]) AS v(ticket_id, moment)
                 WHERE i.helpdesk_ticket_id = v.ticket_id AND i.id = ANY(%s)
            """, (list(invoiced), list(invoiced.values()), invoices.ids))
            cr.execute("""
                UPDATE account_move m SET date = i.date_invoice
                  FROM account_invoice i WHERE i.move_id = m.id AND i.id = ANY(%s)
            """, (invoices.ids,))
            cr.execute("""
                UPDATE account_move_line l SET date = i.date_invoice,
                       date_maturity = i.date_due
                  FROM account_invoice i WHERE i.move_id = l.move_id AND i.id = ANY(%s)
            """, (invoices.ids,))
            cr.execute("""
                UPDATE mail_message m SET date = i.create_date
                  FROM account_invoice i
                 WHERE m.model = 'account.invoice' AND m.res_id = i.id AND i.id = ANY(%s)
            """, (invoices.ids,))
            invoices.invalidate_cache()
        notes = self.env["helpdesk.delivery.note"].sudo().search([
            ("ticket_id", "in", list(signed)), ("state", "=", "signed")])
        for note in notes:
            when = signed[note.ticket_id.id]
            cr.execute("UPDATE helpdesk_delivery_note SET signed_on = %s, create_date = %s "
                       "WHERE id = %s", (when, when, note.id))
            cr.execute("UPDATE mail_message SET date = %s WHERE model = %s AND res_id = %s",
                       (when, note._name, note.id))
            note.invalidate_cache()
            # what was signed then: the snapshot and its hash; the PDF of the install's
            # moment goes, the report renders it again on its first download
            snapshot = note._prepare_snapshot()
            note.pdf_attachment_id.unlink()
            note._write_signed({
                "signed_snapshot": json.dumps(snapshot, sort_keys=True, ensure_ascii=False),
                "signature_hash": note._hash_snapshot(snapshot),
                "pdf_attachment_id": False})
        cr.execute("DELETE FROM mail_mail WHERE id > %s", (first_mail,))
        return res

    # -------------------------------------------------------------- the fixtures
    @api.model
    def _demo_story_fix_billing_fixtures(self):
        """The hand-written visits of the demo file were submitted before their visit."""
        data = self.env["ir.model.data"].search([
            ("module", "=", "tktit_helpdesk_billing"), ("model", "=", self._name)])
        self.env.cr.execute("""
            UPDATE helpdesk_ticket SET create_date = visit_date - interval '1 day'
             WHERE id = ANY(%s) AND visit_date < create_date
        """, (data.mapped("res_id"),))
        self.browse(data.mapped("res_id"))._demo_story_date_fixture_messages()
