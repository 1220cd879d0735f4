# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The state changes only through transitions: direct writes are refused for every role,
kanban drops perform the transition of the move or are refused, managers import history
through the documented path, and the kanban shows the lifecycle in order."""
from odoo.exceptions import AccessError, UserError
from odoo.tests import common

from ..models.helpdesk_ticket import STATES, TRANSITIONS
from .helpdesk_common import HelpdeskCase, HelpdeskHttpCase, new_user

DROP = {"tktit_kanban_drop": True}


class TestStateSeal(HelpdeskCase):

    @classmethod
    def setUpClass(cls):
        super(TestStateSeal, cls).setUpClass()
        cls.manager = new_user(cls.env, "hd.manager", ["tktit_helpdesk.group_helpdesk_manager"])

    def test_direct_state_write_refused_for_every_role(self):
        ticket = self.ticket_in("in_progress")
        roles = {
            "admin": self.env.user, "manager": self.manager, "operations": self.operator,
            "expert": self.expert_1, "qc": self.qc, "committee": self.committee,
            "customer": self.customer_a,
        }
        for role, user in roles.items():
            for state in ("closed", "delivered", "new"):
                with self.assertRaises((UserError, AccessError), msg="%s must not set the "
                                       "state to %s by a plain write" % (role, state)):
                    with self.env.cr.savepoint():
                        ticket.sudo(user).write({"state": state})
                ticket.invalidate_cache()
                self.assertEqual(ticket.state, "in_progress",
                                 "a refused write by %s leaves the ticket as it was" % role)
        self.assertFalse(ticket.closed_on, "no closure date slipped through")

    def test_refusal_names_the_action_to_use(self):
        ticket = self.ticket_in("work_completed")
        with self.assertRaisesRegex(UserError, "action_qc_approve"):
            ticket.write({"state": "final_review"})
        with self.assertRaisesRegex(UserError, "does not lead from"):
            ticket.write({"state": "new"})

    def test_writing_the_same_state_is_harmless(self):
        ticket = self.new_ticket()
        ticket.sudo(self.operator).write({"state": "new", "impact": "high"})
        self.assertEqual((ticket.state, ticket.impact), ("new", "high"),
                         "a form save that repeats the state keeps the other values")

    def test_create_starts_new(self):
        values = {"name": "Imported?", "partner_id": self.customer_a.partner_id.id}
        for user in (self.env.user, self.operator):
            with self.assertRaises(UserError, msg="a ticket cannot be born closed"):
                with self.env.cr.savepoint():
                    self.Ticket.sudo(user).create(dict(values, state="closed"))
            with self.env.cr.savepoint():
                ticket = self.Ticket.sudo(user).with_context(default_state="closed").create(
                    dict(values))
            self.assertEqual(ticket.state, "new",
                             "a default_state in the context is no way around the lifecycle")

    def test_manager_imports_history(self):
        values = {"name": "Old printer case", "partner_id": self.customer_a.partner_id.id,
                  "state": "closed", "closed_on": "2025-03-01 10:00:00"}
        Import = self.Ticket.with_context(tktit_history_import=True)
        ticket = Import.sudo(self.manager).create(values)
        self.assertEqual((ticket.state, ticket.closed_on), ("closed", "2025-03-01 10:00:00"),
                         "a manager's import keeps the historical state and closing date")
        with self.assertRaises(UserError, msg="only managers import history"):
            with self.env.cr.savepoint():
                Import.sudo(self.operator).create(values)
        # base_import goes through load(): the same path
        result = Import.sudo(self.manager).load(
            ["name", "partner_id/.id", "state"],
            [["Older case", str(self.customer_a.partner_id.id), "cancelled"]])
        self.assertFalse(result["messages"], result["messages"])
        imported = self.Ticket.browse(result["ids"])
        self.assertEqual(imported.state, "cancelled", "the import keeps the state")

    def test_kanban_drop_performs_the_transition(self):
        ticket = self.new_ticket()
        ticket.sudo(self.operator).with_context(**DROP).write({"state": "dispatch"})
        self.assertEqual(ticket.state, "dispatch", "dropping on Dispatch sends to dispatch")
        ticket.sudo(self.operator).with_context(**DROP).write({"state": "scoping"})
        self.assertEqual(ticket.state, "scoping", "dropping on Scope Clarification asks")
        self.assertTrue(ticket.message_ids.filtered(
            lambda m: m.subtype_id == self.env.ref("tktit_helpdesk.mt_customer_notice")),
            "the drop sent the clarification mail, as the button does")
        review = self.ticket_in("work_completed")
        review.sudo(self.qc).with_context(**DROP).write({"state": "final_review"})
        self.assertEqual(review.state, "final_review")
        self.assertIn("Quality control approved", "".join(review.message_ids.mapped("body")),
                      "the drop did what the QC Approve button does")

    def test_kanban_drop_refused_where_no_transition(self):
        ticket = self.ticket_in("dispatch")
        with self.assertRaisesRegex(UserError, "Assign Expert"):
            ticket.sudo(self.operator).with_context(**DROP).write({"state": "in_progress"})
        with self.assertRaisesRegex(UserError, "does not lead"):
            ticket.sudo(self.operator).with_context(**DROP).write({"state": "delivered"})
        self.assertEqual(ticket.state, "dispatch", "a refused drop changes nothing")
        done = self.ticket_in("work_completed")
        with self.assertRaises(UserError, msg="a drop never skips a guard"):
            done.sudo(self.operator).with_context(**DROP).write({"state": "closed",
                                                                 "user_id": False})

    def test_kanban_columns_follow_the_lifecycle(self):
        self.new_ticket()
        groups = self.Ticket.read_group([("id", "=", 0)], ["state"], ["state"])
        self.assertEqual([g["state"] for g in groups], [s for s, _label in STATES],
                         "every state is a column, in lifecycle order, even when empty")
        folded = [g["state"] for g in groups if g.get("__fold")]
        self.assertEqual(folded, ["closed", "cancelled"], "finished columns are folded")

    def test_every_transition_has_its_private_step(self):
        for name in TRANSITIONS:
            self.assertTrue(hasattr(self.Ticket, name), name)
            self.assertTrue(hasattr(self.Ticket, "_" + name),
                            "%s has an _%s step for sub-addons" % (name, name))

    def test_tracking_posts_declared_subtypes(self):
        ticket = self.new_ticket()
        new_subtype = self.env.ref("tktit_helpdesk.mt_ticket_new")
        state_subtype = self.env.ref("tktit_helpdesk.mt_ticket_state")
        self.assertIn(new_subtype, ticket.message_ids.mapped("subtype_id"),
                      "a new ticket is announced with the Ticket Opened subtype")
        follower = self.expert_2.partner_id  # the author (operations) is not notified
        ticket.message_subscribe(partner_ids=follower.ids, subtype_ids=state_subtype.ids)
        ticket.sudo(self.operator).action_send_to_dispatch()
        message = ticket.message_ids.filtered(lambda m: m.subtype_id == state_subtype)[:1]
        self.assertTrue(message, "the state change is posted with the Status Changed subtype")
        self.assertIn(follower, message.needaction_partner_ids | message.partner_ids |
                      message.notification_ids.mapped("res_partner_id"),
                      "a follower subscribed to status changes is notified")


@common.at_install(False)
@common.post_install(True)
class TestStateSealRpc(HelpdeskHttpCase):
    """The same refusal over JSON-RPC, as the web client would send it."""

    def call_kw(self, model, method, args, kwargs=None):
        self.checkpoint()
        response = self.opener.post(
            self.url("/web/dataset/call_kw/%s/%s" % (model, method)), timeout=30, json={
                "jsonrpc": "2.0", "method": "call", "id": 1, "params": {
                    "model": model, "method": method, "args": args, "kwargs": kwargs or {}}})
        self.env.cache.invalidate()
        return response.json()

    def test_rpc_state_write_refused_for_admin_and_operations(self):
        ticket = self.ticket_in("in_progress")
        for login, password in (("admin", "admin"), (self.operator.login, None)):
            if password:
                self.authenticate(login, password)
            else:
                self.authenticate_as(self.operator)
            # even with a context that claims to be a transition: only a Python object
            # marks one, and JSON cannot carry it
            payload = self.call_kw("helpdesk.ticket", "write", [[ticket.id], {
                "state": "closed"}], {"context": {"tktit_state_transition": True}})
            self.assertIn("error", payload, "%s must not close by a write: %s" % (
                login, payload))
            self.assertIn("action_close", payload["error"]["data"]["message"],
                          "the refusal names the action to use")
            self.assertEqual(ticket.state, "in_progress", "the ticket stays in progress")
            self.assertFalse(ticket.closed_on)
        # the kanban's drop (its action context) performs the transition instead, with
        # its role check: the customer-unreachable move is the expert's
        payload = self.call_kw("helpdesk.ticket", "write", [[ticket.id], {
            "state": "dispatch"}], {"context": DROP})
        self.assertIn("assigned expert", payload.get("error", {}).get("data", {}).get(
            "message", ""), "operations cannot drop the expert's step: %s" % payload)
        self.assertEqual(ticket.state, "in_progress")
        payload = self.call_kw("helpdesk.ticket", "write", [[ticket.id], {
            "state": "cancelled"}], {"context": DROP})
        self.assertEqual(payload.get("result"), True, payload)
        self.assertEqual(ticket.state, "cancelled",
                         "dropping on Cancelled cancels, as the button does")
        self.assertTrue(ticket.closed_on, "with its closing date")
