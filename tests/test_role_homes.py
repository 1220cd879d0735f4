"""A home for each role, in headless Chromium: every demo login of scripts/demo_logins.txt
logs in through /web/login and lands on its role's screen (operations on the dispatcher
queue, experts on their open tickets, QC and the committee on what waits for their review,
the QA manager on the helpdesk overview, the accountant on Helpdesk > Invoicing, the field
operator on the /field tablet, customers on /my); the Helpdesk menu opens the same screen.
Screenshots in artifacts/screenshots/home_<login>.png."""
from urllib.parse import urlparse

from odoo.tests.common import at_install, post_install

from odoo.addons.tktit_helpdesk.tests.common import BrowserMixin, HttpCase

HELPDESK_MENU = ".oe_application_menu_placeholder " \
                "a[data-menu-xmlid='tktit_helpdesk.helpdesk_menu_root']"
DISCUSS_MENU = ".oe_application_menu_placeholder " \
               "a[data-menu-xmlid='mail.mail_channel_menu_root_chat']"


@at_install(False)
@post_install(True)
class TestRoleHomes(BrowserMixin, HttpCase):

    def assert_no_error_dialog(self, page):
        errors = page.query_selector_all(".o_dialog_error, .o_dialog_warning")
        self.assertFalse(errors, "error dialog: %s" % [e.inner_text() for e in errors])

    def wait_for_action(self, page, action, name):
        """The web client shows ``action``: its id in the URL, its title in the
        breadcrumb, its view loaded."""
        try:
            page.wait_for_function(
                "id => (location.hash.match(/[#&]action=(\\d+)/) || [])[1] === String(id)",
                arg=action.id)
            page.wait_for_selector(
                ".o_control_panel .breadcrumb li.active:text-is('%s')" % action.name)
            page.wait_for_selector(".o_view_manager_content .o_view_nocontent, "
                                   ".o_view_manager_content .o_list_view, "
                                   ".o_view_manager_content .o_kanban_view, "
                                   ".o_view_manager_content .o_pivot")
            page.wait_for_selector(".o_loading", state="hidden")  # its RPCs done
        except Exception:
            self.screenshot(page, "home_failed_%s" % name)
            raise
        self.assert_no_error_dialog(page)

    def check_backend_home(self, xmlid_user, xmlid_action, facets=()):
        user = self.env.ref(xmlid_user)
        action = self.env.ref(xmlid_action)
        self.assertEqual(user.action_id.id, action.id,
                         "%s's Home Action must be %s" % (user.login, action.name))
        page = self.new_page()
        self.login(page, user.login, user.login)
        self.assertEqual(urlparse(page.url).path, "/web")
        self.wait_for_action(page, action, user.login)
        shown = [f.strip() for f in page.eval_on_selector_all(
            ".o_searchview_facet .o_facet_values", "els => els.map(e => e.textContent)")]
        for facet in facets:
            self.assertIn(facet, shown, "%s's home is filtered on %s" % (user.login, facet))
        self.screenshot(page, "home_%s" % user.login)
        # away to Discuss, then the Helpdesk menu: the same screen again
        page.click(DISCUSS_MENU)
        page.wait_for_selector(".o_mail_chat")
        page.click(HELPDESK_MENU)
        self.wait_for_action(page, action, user.login + "_menu")
        return page

    def test_dispatcher_lands_on_the_dispatcher_queue(self):
        page = self.check_backend_home("tktit_helpdesk.user_dispatcher_demo",
                                       "tktit_helpdesk.helpdesk_ticket_action_dispatch",
                                       facets=("To Dispatch",))
        self.assertNotIn("My Tickets", page.inner_text(".o_control_panel .breadcrumb"),
                         "the dispatcher never lands on an empty My Tickets")

    def test_experts_land_on_their_open_tickets(self):
        for xmlid in ("tktit_helpdesk.user_expert_net_demo",
                      "tktit_helpdesk.user_expert_cloud_demo"):
            self.check_backend_home(xmlid, "tktit_helpdesk.helpdesk_ticket_action_my",
                                    facets=("My Tickets", "Open"))

    def test_quality_control_lands_on_what_waits_for_qc(self):
        self.check_backend_home("tktit_helpdesk.user_qc_demo",
                                "tktit_helpdesk.helpdesk_ticket_action_quality",
                                facets=("Quality Control",))

    def test_committee_lands_on_the_final_review(self):
        self.check_backend_home("tktit_helpdesk.user_committee_demo",
                                "tktit_helpdesk.helpdesk_ticket_action_final_review",
                                facets=("Final Review",))

    def test_qa_manager_lands_on_the_overview(self):
        page = self.check_backend_home("tktit_helpdesk.user_qa_manager_demo",
                                       "tktit_helpdesk.helpdesk_queue_action_overview")
        self.assertTrue(page.query_selector(".o_kanban_view .o_kanban_record"),
                        "the overview shows the expert queues' cards")

    def test_administrator_lands_on_the_overview(self):
        self.check_backend_home("base.user_root",
                                "tktit_helpdesk.helpdesk_queue_action_overview")

    def test_accountant_lands_on_the_invoicing_menu(self):
        page = self.check_backend_home("tktit_helpdesk_billing.user_accountant_demo",
                                       "tktit_helpdesk_billing.helpdesk_ticket_action_to_invoice")
        invoicing = page.query_selector(
            ".oe_secondary_menu_section[data-menu-xmlid="
            "'tktit_helpdesk_billing.helpdesk_menu_invoicing']")
        self.assertTrue(invoicing and invoicing.is_visible(),
                        "the accountant sees Helpdesk > Invoicing beside their home")

    def test_field_operator_lands_on_the_tablet(self):
        operator = self.env.ref("tktit_helpdesk_billing.user_field_op_demo")
        self.assertEqual(operator.action_id.id,
                         self.env.ref("tktit_helpdesk_billing.field_action_home").id)
        page = self.new_page(viewport={"width": 820, "height": 1180}, has_touch=True)
        self.login(page, operator.login, operator.login)
        page.wait_for_url("**/field")
        self.assertEqual(urlparse(page.url).path, "/field")
        page.wait_for_selector("a.o_field_logout")
        self.screenshot(page, "home_%s" % operator.login)

    def test_customers_land_on_their_portal(self):
        for xmlid in ("tktit_helpdesk.user_customer_acme_demo",
                      "tktit_helpdesk.user_customer_globex_demo"):
            customer = self.env.ref(xmlid)
            page = self.new_page()
            self.login(page, customer.login, customer.login)
            self.assertEqual(urlparse(page.url).path, "/my",
                             "%s lands on the portal's home" % customer.login)
            page.wait_for_selector("a[href='/my/tickets']")
            self.screenshot(page, "home_%s" % customer.login)
