# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Role homes: each helpdesk role's users get its screen as Home Action (what the web
client opens after login), kept up to date when their groups change, never replacing a
home an administrator chose; the Helpdesk menu opens the role's screen too."""
from odoo.tests.common import SavepointCase

from .fixtures import COMMITTEE, EMPLOYEE, EXPERT, OPERATIONS, PORTAL, QC, new_user

MANAGER = "tktit_helpdesk.group_helpdesk_manager"


class TestHomeAction(SavepointCase):

    @classmethod
    def setUpClass(cls):
        super(TestHomeAction, cls).setUpClass()
        ref = cls.env.ref
        cls.dispatch = ref("tktit_helpdesk.helpdesk_ticket_action_dispatch")
        cls.my_tickets = ref("tktit_helpdesk.helpdesk_ticket_action_my")
        cls.quality = ref("tktit_helpdesk.helpdesk_ticket_action_quality")
        cls.final_review = ref("tktit_helpdesk.helpdesk_ticket_action_final_review")
        cls.overview = ref("tktit_helpdesk.helpdesk_queue_action_overview")
        cls.all_tickets = ref("tktit_helpdesk.helpdesk_ticket_action")
        cls.menu_action = ref("tktit_helpdesk.helpdesk_home_action_server")
        cls.qc_group = ref(QC)

    def user(self, login, groups):
        return new_user(self.env, "home.%s" % login, groups)

    def assertHome(self, user, action, msg):
        self.assertEqual(user.action_id.id, action.id if action else False, msg)

    def test_each_role_gets_its_home(self):
        cases = [
            ("operations", [OPERATIONS], self.dispatch, "operations: the dispatcher queue"),
            ("expert", [EXPERT], self.my_tickets, "an expert: their open tickets"),
            ("qc", [QC], self.quality, "quality control: the tickets waiting for QC"),
            ("committee", [COMMITTEE], self.final_review,
             "the committee: the tickets waiting for final review"),
            ("manager", [MANAGER], self.overview, "a helpdesk manager: the overview"),
            ("reviewer", [QC, COMMITTEE], self.quality,
             "QC and committee: the first review step comes first"),
            ("employee", [EMPLOYEE], None, "no helpdesk role, no helpdesk home"),
            ("portal", [PORTAL], None, "a customer has no back-office home"),
        ]
        for login, groups, action, msg in cases:
            self.assertHome(self.user(login, groups), action, msg)

    def test_my_tickets_home_shows_open_tickets(self):
        context = self.my_tickets.context
        self.assertIn("'search_default_my': 1", context)
        self.assertIn("'search_default_open': 1", context,
                      "an expert's home lists their open tickets, not the closed ones")

    def test_group_changes_move_the_home(self):
        user = self.user("promoted", [EXPERT])
        self.assertHome(user, self.my_tickets, "an expert starts on My Tickets")
        user.write({"groups_id": [(4, self.qc_group.id)]})
        self.assertHome(user, self.quality, "made QC on the user form: the QC list")
        user.write({"groups_id": [(3, self.qc_group.id)]})
        self.assertHome(user, self.my_tickets, "no longer QC: back to My Tickets")
        # the user form's check boxes (in_group_<id>)
        operations = self.env.ref(OPERATIONS)
        user.write({"in_group_%s" % operations.id: True})
        self.assertHome(user, self.dispatch, "made operations: the dispatcher queue")
        # on the group's form: users added to it
        other = self.user("grouped", [EMPLOYEE])
        self.assertHome(other, None, "an employee has no helpdesk home")
        self.env.ref(COMMITTEE).write({"users": [(4, other.id)]})
        self.assertHome(other, self.final_review, "added to the committee on its group form")
        # no helpdesk role left
        user.write({"groups_id": [(6, 0, [self.env.ref(EMPLOYEE).id])]})
        self.assertHome(user, None, "without a helpdesk role the helpdesk home goes")

    def test_an_explicit_home_is_kept(self):
        chosen = self.env.ref("base.action_res_users")
        user = new_user(self.env, "home.chosen", [EXPERT], action_id=chosen.id)
        self.assertHome(user, chosen, "a home given at creation is kept")
        user.write({"groups_id": [(4, self.qc_group.id)]})
        self.assertHome(user, chosen, "a home chosen by an administrator is kept")
        self.env["res.users"]._helpdesk_apply_home_actions()
        self.assertHome(user, chosen, "the upgrade's hook keeps it too")
        # a home that is one of ours follows the role
        user.action_id = self.my_tickets.id
        user.write({"groups_id": [(4, self.env.ref(OPERATIONS).id)]})
        self.assertHome(user, self.dispatch, "a role home is replaced by the new role's")

    def test_upgrade_hook_gives_existing_users_their_home(self):
        users = self.user("old.ops", [OPERATIONS]) | self.user("old.expert", [EXPERT])
        # as a user created before the addon knew about homes
        users.write({"action_id": False})
        self.env["res.users"]._helpdesk_apply_home_actions()
        self.assertEqual(users.mapped("action_id").ids, [self.dispatch.id, self.my_tickets.id],
                         "the data hook sets the homes of the users that exist")
        demo = self.env.ref("tktit_helpdesk.user_dispatcher_demo")
        self.assertHome(demo, self.dispatch, "the demo dispatcher has their home")

    def test_a_home_the_user_may_not_open_is_skipped(self):
        manager = self.user("manager.no.overview", [MANAGER])
        self.overview.groups_id = self.env.ref("base.group_system")
        self.assertTrue(manager._helpdesk_home_action(), "another home is found")
        self.assertNotEqual(manager._helpdesk_home_action(), self.overview,
                            "an action outside the user's groups is never their home")
        self.assertFalse(manager._helpdesk_home_allowed(self.overview))

    def test_helpdesk_menu_opens_the_role_home(self):
        self.assertEqual(self.env.ref("tktit_helpdesk.helpdesk_menu_root").action,
                         self.menu_action)
        for groups, action in (([OPERATIONS], self.dispatch), ([EXPERT], self.my_tickets),
                               ([QC], self.quality), ([MANAGER], self.overview)):
            user = self.user("menu.%s" % groups[0].split("_")[-1], groups)
            result = self.menu_action.sudo(user).run()
            self.assertEqual((result["type"], result["id"]),
                             ("ir.actions.act_window", action.id),
                             "the Helpdesk menu opens %s for %s" % (action.name, groups))
        # an explicit home does not change what the Helpdesk menu opens
        chosen = new_user(self.env, "home.menu.chosen", [OPERATIONS],
                          action_id=self.all_tickets.id)
        self.assertEqual(self.menu_action.sudo(chosen).run()["id"], self.dispatch.id)
        customer = self.user("menu.portal", [PORTAL])
        self.assertFalse(self.menu_action.sudo(customer).run(),
                         "a customer running the menu's action gets nothing")
