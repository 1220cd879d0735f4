# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The company's QA manager lands on the managers' dashboard, from the moment they are
named (not at their next group change), and the one replaced goes back to their role's
home."""
from odoo.tests.common import SavepointCase

from odoo.addons.tktit_helpdesk.tests.fixtures import EXPERT, new_user


class TestHomeQaManager(SavepointCase):

    @classmethod
    def setUpClass(cls):
        super(TestHomeQaManager, cls).setUpClass()
        cls.company = cls.env.ref("base.main_company")
        cls.overview = cls.env.ref("tktit_helpdesk.helpdesk_queue_action_overview")
        cls.my_tickets = cls.env.ref("tktit_helpdesk.helpdesk_ticket_action_my")
        cls.first = new_user(cls.env, "home.qa.first", [EXPERT])
        cls.second = new_user(cls.env, "home.qa.second", [EXPERT])

    def test_naming_the_qa_manager_moves_the_home(self):
        self.assertEqual(self.first.action_id.id, self.my_tickets.id, "an expert: My Tickets")
        self.company.write({"helpdesk_qa_manager_id": self.first.id})
        self.assertEqual(self.first.action_id.id, self.overview.id,
                         "named QA manager: the overview at once")
        self.company.write({"helpdesk_qa_manager_id": self.second.id})
        self.assertEqual(self.second.action_id.id, self.overview.id, "the new QA manager")
        self.assertEqual(self.first.action_id.id, self.my_tickets.id,
                         "the one replaced is back on their role's home")
