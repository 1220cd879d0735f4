"""The web client in headless Chromium: the dispatcher finds a ticket in the Dispatcher
Queue and assigns the proposed expert with the Assign Expert wizard; the expert then
finds it among their tickets. No error dialog on the way; screenshots in
artifacts/screenshots/backend_*.png."""
from odoo.tests.common import at_install, post_install

from odoo.addons.tktit_helpdesk.tests.common import BrowserMixin, HttpCase, MailSinkMixin
from odoo.addons.tktit_helpdesk.tests.fixtures import demo_staff, make_ticket


@at_install(False)
@post_install(True)
class TestBackendJourney(MailSinkMixin, BrowserMixin, HttpCase):

    def assert_no_error_dialog(self, page):
        errors = page.query_selector_all(".o_dialog_error, .o_dialog_warning")
        self.assertFalse(errors, "error dialog: %s" % [e.inner_text() for e in errors])

    def open_web(self, page, fragment, ready):
        # a full page load (not a hash change while the home action is still loading)
        page.goto("/web?journey=1#" + fragment)
        try:
            page.wait_for_selector(ready)
        except Exception:
            self.screenshot(page, "backend_failed_%s" % ready.strip("."))
            raise
        self.assert_no_error_dialog(page)

    def test_dispatcher_assigns_and_expert_finds_the_ticket(self):
        ref = self.env.ref
        expert = ref("tktit_helpdesk.user_expert_net_demo")
        expert.helpdesk_available = True
        ticket = make_ticket(
            self.env, ref("tktit_helpdesk.partner_customer_acme_demo"),
            ref("tktit_helpdesk.technology_network"),
            ref("tktit_helpdesk.specialization_network_lan"),
            state="dispatch", staff=demo_staff(self.env),
            name="Core switch fan alarm", priority="4")
        self.assertEqual(ticket.queue_id._find_best_expert(), expert,
                         "the demo network expert must be the queue's best expert here")
        self.mail_sink.flush(self.env)
        dispatch_action = ref("tktit_helpdesk.helpdesk_ticket_action_dispatch")

        page = self.new_page()
        self.login(page, "dispatcher", "dispatcher", redirect="/web")
        # the queue, grouped by expert queue: open the ticket's group
        self.open_web(page, "action=%s" % dispatch_action.id, ".o_list_view")
        page.click(".o_group_header:has-text('%s')" % ticket.queue_id.name)
        row = page.wait_for_selector(".o_data_row:has-text('%s')" % ticket.number)
        self.screenshot(page, "backend_01_dispatcher_queue")
        row.click()
        page.wait_for_selector(".o_form_view .o_statusbar_status")
        self.assertIn(ticket.number, page.inner_text(".o_form_view"),
                      "the ticket form must show the ticket number")
        self.assert_no_error_dialog(page)
        page.click(".o_form_statusbar button:has-text('Assign Expert')")
        dialog = page.wait_for_selector(".modal:has(button:has-text('Assign'))")
        proposed = dialog.query_selector(".o_field_widget[name=user_id] input")
        self.assertEqual(proposed.input_value(), expert.name, "the best expert is proposed")
        self.screenshot(page, "backend_02_assign_wizard")
        page.click(".modal-footer button:has-text('Assign')")
        page.wait_for_selector(".modal", state="detached")
        page.wait_for_selector(
            ".o_statusbar_status .btn-primary:has-text('In Progress'), "
            ".o_statusbar_status .o_arrow_button.btn-primary:has-text('In Progress')")
        self.assert_no_error_dialog(page)
        self.screenshot(page, "backend_03_assigned")
        self.checkpoint()
        self.assertEqual((ticket.state, ticket.user_id), ("in_progress", expert),
                         "after the wizard the ticket must be in progress with the proposed expert")
        mails = [m for m in self.mail_sink.flush(self.env)
                 if "alice@acme.example" in m.to and ticket.number in m.subject]
        self.assertEqual(len(mails), 1, "the customer hears of the assignment")

        page = self.new_page()
        self.login(page, "expert.net", "expert.net", redirect="/web")
        my_action = ref("tktit_helpdesk.helpdesk_ticket_action_my")
        self.open_web(page, "action=%s" % my_action.id, ".o_kanban_view")
        card = page.wait_for_selector(".o_kanban_record:has-text('%s')" % ticket.number)
        self.screenshot(page, "backend_04_expert_kanban")
        card.click()
        page.wait_for_selector(".o_form_view .o_form_statusbar")
        self.assertTrue(page.is_visible(".o_form_statusbar button:has-text('Work Completed')"),
                        "the assigned expert must see the Work Completed button")
        self.assert_no_error_dialog(page)
        self.screenshot(page, "backend_05_expert_form")
