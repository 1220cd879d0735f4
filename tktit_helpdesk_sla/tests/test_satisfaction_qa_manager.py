# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The company's QA manager hears of the customers' satisfaction: the alert of a 1-2 star
rating is theirs (mail and activity), and they receive the weekly digest beside the
"Satisfaction Digest" group. Without a QA manager, the helpdesk managers are alerted."""
from odoo.addons.tktit_helpdesk.tests.fixtures import new_user, set_state
from odoo.addons.tktit_helpdesk.tests.helpdesk_common import HelpdeskCase

MANAGER = "tktit_helpdesk.group_helpdesk_manager"
DIGEST = "tktit_helpdesk.group_helpdesk_digest"


class TestSatisfactionQaManager(HelpdeskCase):

    @classmethod
    def setUpClass(cls):
        super(TestSatisfactionQaManager, cls).setUpClass()
        cls.company = cls.env.user.company_id
        cls.qa = new_user(cls.env, "sat.qa", [MANAGER])
        cls.company.helpdesk_qa_manager_id = cls.qa

    def rated_ticket(self, stars):
        ticket = self.new_ticket(name="Rated %s" % stars)
        set_state(ticket, "delivered", user_id=self.expert_1.id,
                  resolution="<p>Replaced the fuser.</p>")
        ticket.sudo(self.customer_a).action_customer_confirm(True)
        ticket._apply_customer_rating(stars, ticket.rating_ids.access_token,
                                      feedback="Nobody called")
        return ticket

    def alert(self, ticket):
        mail = self.env["mail.mail"].sudo().search([
            ("model", "=", "helpdesk.ticket"), ("res_id", "=", ticket.id),
            ("subject", "like", "-star rating from")])
        activity = self.env["mail.activity"].sudo().search([
            ("res_model", "=", "helpdesk.ticket"), ("res_id", "=", ticket.id),
            ("activity_type_id", "=",
             self.env.ref("tktit_helpdesk.mail_activity_low_rating").id)])
        return mail, activity

    def test_low_rating_alerts_the_qa_manager(self):
        mail, activity = self.alert(self.rated_ticket(1))
        self.assertEqual(mail.recipient_ids, self.qa.partner_id,
                         "the QA manager alone gets the alert")
        self.assertEqual(activity.user_id, self.qa, "and the activity")

    def test_without_qa_manager_the_helpdesk_managers(self):
        self.company.helpdesk_qa_manager_id = False
        managers = self.company._helpdesk_low_rating_recipients()
        self.assertIn(self.qa, managers, "the helpdesk managers of the company")
        mail, activity = self.alert(self.rated_ticket(2))
        self.assertEqual(mail.mail_message_id.partner_ids, managers.mapped("partner_id"),
                         "addressed to the managers (those reading in Odoo get no e-mail)")
        self.assertEqual(activity.user_id, managers[:1])

    def test_digest_reaches_the_qa_manager_and_the_group(self):
        senior = new_user(self.env, "sat.senior", ["base.group_user", DIGEST])
        recipients = self.company._helpdesk_digest_recipients()
        self.assertIn(self.qa, recipients, "the QA manager receives the digest")
        self.assertIn(senior, recipients, "so do the group's senior managers")
        self.assertNotIn(self.expert_1, recipients)
