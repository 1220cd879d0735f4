"""Every Helpdesk menu opens for every demo role, with all three addons installed: the
actions load, their views load, and the records they list read with the views' fields
(what the web client does). An addon adding a field some role cannot read would break
the ticket form for that role."""
from odoo.exceptions import AccessError
from odoo.tests.common import SavepointCase, at_install, post_install
from odoo.tools.safe_eval import safe_eval

ROLES = ["dispatcher", "expert.net", "expert.cloud", "qc", "committee", "qa.manager"]


@at_install(False)
@post_install(True)
class TestBackendViews(SavepointCase):

    def menu_actions(self, user):
        root = self.env.ref("tktit_helpdesk.helpdesk_menu_root")
        menus = self.env["ir.ui.menu"].sudo(user).search([("id", "child_of", root.id)])
        self.assertTrue(menus, "%s sees the Helpdesk app" % user.login)
        return [(menu.complete_name, menu.action) for menu in menus
                if menu.action and menu.action._name == "ir.actions.act_window"]

    def open_action(self, user, name, action):
        model = self.env[action.res_model].sudo(user)
        context = safe_eval(action.context or "{}", {"uid": user.id, "active_id": False})
        model = model.with_context(**context)
        views = [(view.view_id.id, view.view_mode) for view in action.view_ids] or \
            [(action.view_id.id if mode == action.view_mode.split(",")[0] else False, mode)
             for mode in action.view_mode.split(",")]
        loaded = model.load_views(views, options={"toolbar": True})["fields_views"]
        domain = safe_eval(action.domain or "[]", {"uid": user.id})
        for mode, view in loaded.items():
            if mode in ("search", "pivot", "graph", "calendar"):
                continue
            records = model.search(domain, limit=20)
            try:
                records.read(list(view["fields"]))
            except AccessError as error:
                self.fail("%s cannot open %s (%s view): %s" % (user.login, name, mode, error))
        return loaded

    def test_every_role_opens_every_helpdesk_menu(self):
        opened_ticket_form = set()
        for login in ROLES:
            user = self.env["res.users"].search([("login", "=", login)])
            self.assertTrue(user, login)
            for name, action in self.menu_actions(user):
                loaded = self.open_action(user, name, action)
                if action.res_model == "helpdesk.ticket" and "form" in loaded:
                    opened_ticket_form.add(login)
        self.assertEqual(opened_ticket_form, set(ROLES), "every role opens a ticket's form")

    def test_ticket_form_reads_for_an_expert_of_the_queue(self):
        expert = self.env.ref("tktit_helpdesk.user_expert_net_demo")
        Ticket = self.env["helpdesk.ticket"].sudo(expert)
        tickets = Ticket.search([])
        self.assertTrue(tickets, "the expert sees their queues' tickets")
        fields = Ticket.load_views([(False, "form")])["fields_views"]["form"]["fields"]
        rows = tickets.read(list(fields))
        self.assertEqual(len(rows), len(tickets))
