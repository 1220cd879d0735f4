# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from contextlib import contextmanager
from datetime import datetime
from unittest.mock import patch

from odoo import fields
from odoo.tests.common import SavepointCase

# Monday-Friday 8-12 and 13-17.
OFFICE_HOURS = [(0, 0, {"name": "%s %s" % (day, h1), "dayofweek": str(day),
                        "hour_from": h1, "hour_to": h2})
                for day in range(5) for h1, h2 in ((8, 12), (13, 17))]


def dt(*args):
    return datetime(*args)


def s(*args):
    """A datetime as Odoo stores it (naive UTC string)."""
    return fields.Datetime.to_string(datetime(*args))


@contextmanager
def frozen_now(moment):
    """Freeze ``fields.Datetime.now`` (what the ticket and SLA code read as now)."""
    value = fields.Datetime.to_string(moment)
    with patch.object(fields.Datetime, "now", staticmethod(lambda *args: value)):
        yield


class SlaCase(SavepointCase):
    """A UTC office-hours calendar, a plan on it (Normal 12/12/48 business hours, Critical
    2/2/8), a customer organisation on that plan, an operations user and a QA manager."""

    @classmethod
    def setUpClass(cls):
        super(SlaCase, cls).setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True,
                                       mail_notrack=True, no_reset_password=True))
        cls.Ticket = cls.env["helpdesk.ticket"]
        cls.calendar = cls.env["resource.calendar"].create({
            "name": "SLA test office hours", "tz": "UTC",
            "attendance_ids": [(5, 0, 0)] + OFFICE_HOURS,
        })
        cls.plan = cls.env["helpdesk.support.plan"].create({
            "name": "SLA test plan",
            "calendar_id": cls.calendar.id,
            "policy_ids": [
                (0, 0, {"priority": "1", "first_response_hours": 12, "response_hours": 12,
                        "resolution_hours": 48}),
                (0, 0, {"priority": "4", "first_response_hours": 2, "response_hours": 2,
                        "resolution_hours": 8}),
            ],
        })
        Users = cls.env["res.users"].with_context(no_reset_password=True)
        cls.ops_user = Users.create({
            "name": "Olga Operations", "login": "sla.ops", "email": "sla.ops@example.com",
            "groups_id": [(6, 0, [cls.env.ref("tktit_helpdesk.group_helpdesk_user").id])],
        })
        cls.expert = Users.create({
            "name": "Eddie Expert", "login": "sla.expert", "email": "sla.expert@example.com",
            "groups_id": [(6, 0, [cls.env.ref("tktit_helpdesk.group_helpdesk_expert").id])],
        })
        cls.qa_manager = Users.create({
            "name": "Quinn QA", "login": "sla.qa", "email": "sla.qa@example.com",
            "groups_id": [(6, 0, [cls.env.ref("tktit_helpdesk.group_helpdesk_manager").id])],
        })
        cls.env.user.company_id.helpdesk_qa_manager_id = cls.qa_manager
        cls.org = cls.env["res.partner"].create({
            "name": "Initech SLA", "is_company": True, "support_plan_id": cls.plan.id,
            "email": "it@initech.example"})
        cls.customer = cls.env["res.partner"].create({
            "name": "Peter Initech", "parent_id": cls.org.id, "email": "peter@initech.example",
            "tz": "UTC"})
        cls.queue = cls.env["helpdesk.queue"].create({
            "name": "SLA test queue", "alias_name": "sla-test-queue",
            "member_ids": [(6, 0, cls.expert.ids)]})

    # The clock tests put tickets in a state directly, at a given moment, whatever the
    # lifecycle path to it: through the documented path for historical tickets (a
    # superuser's or helpdesk manager's import, context ``tktit_history_import``).
    def create_ticket(self, moment, **vals):
        values = {"name": "Printer on fire", "partner_id": self.customer.id,
                  "queue_id": self.queue.id}
        values.update(vals)
        Ticket = self.Ticket
        if values.get("state", "new") != "new":
            Ticket = Ticket.with_context(tktit_history_import=True)
        with frozen_now(moment):
            return self.Ticket.browse(Ticket.create(values).id)

    def set_state(self, ticket, moment, state):
        with frozen_now(moment):
            ticket.with_context(tktit_history_import=True).write({"state": state})

    def support_reply(self, ticket, moment, body="We are on it."):
        with frozen_now(moment):
            ticket.sudo(self.ops_user).message_post(
                body=body, message_type="comment", subtype="mail.mt_comment")

    def customer_message(self, ticket, moment, body="Any news?"):
        with frozen_now(moment):
            ticket.message_post(body=body, author_id=self.customer.id,
                                message_type="comment", subtype="mail.mt_comment")

    def sweep(self, moment):
        with frozen_now(moment):
            return self.Ticket._cron_sla_sweep()
