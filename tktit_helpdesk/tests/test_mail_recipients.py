# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Each lifecycle mail reaches whom it is written for: the customer's mails go to the
customer only, even when the expert, operations and a colleague follow the ticket; staff
hear of status changes through Odoo's own follower notifications."""
from .common import MailSinkMixin
from .helpdesk_common import HelpdeskCase

CUSTOMER = "cust.a@org-a.example"


class TestMailRecipients(MailSinkMixin, HelpdeskCase):

    def setUp(self):
        super(TestMailRecipients, self).setUp()
        # what the fixture (and a demo database) queued is not this test's
        self.mail_sink.flush(self.env)
        self.mail_sink.clear()

    def staff_addresses(self):
        staff = self.operator | self.expert_1 | self.expert_2 | self.qc | self.committee
        return set(staff.mapped("email"))

    def assert_customer_only(self, mails, subject_part, step):
        found = [m for m in mails if subject_part in m.subject]
        self.assertEqual(len(found), 1, "%s: the customer gets one mail «%s», got %s" % (
            step, subject_part, mails))
        self.assertEqual(found[0].to, [CUSTOMER],
                         "%s: «%s» is written for the customer and goes to them only" % (
                             step, found[0].subject))
        leaked = [m for m in mails if subject_part in m.subject and
                  self.staff_addresses() & set(m.to)]
        self.assertFalse(leaked, "%s: no staff member receives the customer's mail" % step)

    def test_lifecycle_mails_reach_the_customer_only(self):
        ticket = self.new_ticket()
        self.assert_customer_only(self.mail_sink.flush(self.env), "We received your request",
                                  "submission")
        # everybody working the ticket follows it
        ticket.message_subscribe(partner_ids=(
            self.operator | self.expert_1 | self.qc | self.committee).mapped("partner_id").ids)
        ticket.sudo(self.operator).action_request_clarification(question="Which floor?")
        self.assert_customer_only(self.mail_sink.flush(self.env), "We need a few details",
                                  "clarification")
        ticket.sudo(self.customer_a).message_post(
            body="Floor 3", message_type="comment", subtype="mail.mt_comment")
        ticket.sudo(self.operator).action_send_to_dispatch()
        self.mail_sink.flush(self.env)
        ticket.sudo(self.operator).action_assign(self.expert_1)
        self.assert_customer_only(self.mail_sink.flush(self.env), "An expert is working",
                                  "assignment")
        ticket.sudo(self.expert_1).action_customer_unreachable()
        self.assert_customer_only(self.mail_sink.flush(self.env), "We could not reach you",
                                  "customer unreachable")
        ticket.sudo(self.operator).action_assign(self.expert_1)
        ticket.sudo(self.expert_1).write({"resolution": "<p>Replaced the toner.</p>"})
        ticket.sudo(self.expert_1).action_work_completed()
        ticket.sudo(self.qc).action_qc_approve()
        self.mail_sink.flush(self.env)
        ticket.sudo(self.committee).action_final_approve()
        self.assert_customer_only(self.mail_sink.flush(self.env), "Your ticket is resolved",
                                  "delivery")
        ticket.sudo(self.customer_a).action_customer_confirm(True)
        self.assert_customer_only(self.mail_sink.flush(self.env), "how did we do",
                                  "closure")

    def test_staff_get_status_notifications_not_customer_mails(self):
        ticket = self.ticket_in("dispatch")
        ticket.message_subscribe(partner_ids=self.expert_1.partner_id.ids)
        self.mail_sink.flush(self.env)
        ticket.sudo(self.operator).action_assign(self.expert_1)
        mails = self.mail_sink.flush(self.env)
        to_expert = [m for m in mails if self.expert_1.email in m.to]
        self.assertTrue(to_expert, "the following expert hears of the status change: %s"
                        % mails)
        self.assertFalse([m for m in to_expert if "An expert is working" in m.subject],
                         "the expert does not get the customer's assignment mail")
        self.assertFalse([m for m in mails if CUSTOMER in m.to and
                          "An expert is working" not in m.subject],
                         "the customer gets no internal status notification")
