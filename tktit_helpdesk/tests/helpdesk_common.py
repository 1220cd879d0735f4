"""Shared fixture of the tktit_helpdesk tests: two customer organisations with a portal
user each, operations, two experts in their queues, QC and committee reviewers."""
from odoo.tests import common


def new_user(env, login, groups, **values):
    values.update({
        "name": values.get("name") or login.replace(".", " ").title(),
        "login": login,
        "email": values.get("email") or "%s@example.com" % login,
        "groups_id": [(6, 0, [env.ref(g).id for g in groups])],
    })
    return env["res.users"].with_context(no_reset_password=True, mail_create_nolog=True) \
        .create(values)


class HelpdeskCase(common.SavepointCase):

    @classmethod
    def setUpClass(cls):
        super(HelpdeskCase, cls).setUpClass()
        env = cls.env
        cls.Ticket = env["helpdesk.ticket"]
        cls.org_a = env["res.partner"].create({"name": "Org A", "is_company": True})
        cls.org_b = env["res.partner"].create({"name": "Org B", "is_company": True})
        cls.customer_a = new_user(env, "cust.a", ["base.group_portal"],
                                  parent_id=cls.org_a.id, email="cust.a@org-a.example")
        cls.customer_b = new_user(env, "cust.b", ["base.group_portal"],
                                  parent_id=cls.org_b.id, email="cust.b@org-b.example")
        # a colleague of A in the same organisation
        cls.customer_a2 = new_user(env, "cust.a2", ["base.group_portal"],
                                   parent_id=cls.org_a.id, email="cust.a2@org-a.example")
        cls.operator = new_user(env, "ops", ["tktit_helpdesk.group_helpdesk_user"])
        cls.expert_1 = new_user(env, "expert.one", ["tktit_helpdesk.group_helpdesk_expert"])
        cls.expert_2 = new_user(env, "expert.two", ["tktit_helpdesk.group_helpdesk_expert"])
        cls.outsider = new_user(env, "expert.out", ["tktit_helpdesk.group_helpdesk_expert"])
        cls.qc = new_user(env, "qc.user", ["tktit_helpdesk.group_helpdesk_qc"])
        cls.committee = new_user(env, "committee.user",
                                 ["tktit_helpdesk.group_helpdesk_committee"])
        cls.tech = env["helpdesk.technology"].create({"name": "Test Tech", "code": "TT"})
        cls.spec = env["helpdesk.specialization"].create(
            {"name": "Test Stream", "code": "TS", "technology_id": cls.tech.id})
        cls.spec_other = env["helpdesk.specialization"].create(
            {"name": "Other Stream", "code": "OS", "technology_id": cls.tech.id})
        cls.queue = env["helpdesk.queue"].create({
            "name": "Test Queue", "technology_id": cls.tech.id,
            "specialization_id": cls.spec.id, "alias_name": "test-queue",
            "dispatcher_id": cls.operator.id,
            "member_ids": [(6, 0, [cls.expert_1.id, cls.expert_2.id])],
        })
        cls.queue_other = env["helpdesk.queue"].create({
            "name": "Other Queue", "technology_id": cls.tech.id,
            "specialization_id": cls.spec_other.id,
            "member_ids": [(6, 0, [cls.outsider.id])],
        })

    def new_ticket(self, customer=None, **values):
        customer = customer or self.customer_a
        vals = {
            "name": "Printer on fire",
            "description": "<p>It is on fire.</p>",
            "partner_id": customer.partner_id.id,
            "technology_id": self.tech.id,
            "specialization_id": self.spec.id,
        }
        vals.update(values)
        return self.Ticket.sudo(self.operator).create(vals).sudo()

    def ticket_in(self, state, **values):
        """A ticket walked through the real transitions up to `state`."""
        ticket = self.new_ticket(**values)
        ops = ticket.sudo(self.operator)
        if state == "new":
            return ticket
        if state == "scoping":
            ops.action_request_clarification()
            return ticket
        ops.action_send_to_dispatch()
        if state == "dispatch":
            return ticket
        ops.action_assign(self.expert_1)
        if state == "in_progress":
            return ticket
        expert = ticket.sudo(self.expert_1)
        if state == "awaiting_customer":
            expert.message_post(body="Can you send a photo?", message_type="comment",
                                subtype="mail.mt_comment")
            return ticket
        expert.write({"resolution": "<p>Extinguished and replaced the fuser.</p>"})
        expert.action_work_completed()
        if state == "work_completed":
            return ticket
        ticket.sudo(self.qc).action_qc_approve()
        if state == "final_review":
            return ticket
        ticket.sudo(self.committee).action_final_approve()
        if state == "delivered":
            return ticket
        raise ValueError(state)
