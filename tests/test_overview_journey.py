"""The helpdesk overview in headless Chromium: the QA manager opens Helpdesk > Overview,
sees one card per expert queue with the counts the server computes (open, unassigned, SLA
at risk and breached, today's satisfaction), and a count opens the list of those tickets.
Screenshots in artifacts/screenshots/overview_*.png."""
from odoo.tests.common import at_install, post_install

from odoo.addons.tktit_helpdesk.tests.common import BrowserMixin, HttpCase

CARD = ".o_helpdesk_overview_card:has(.o_primary strong:text-is('%s'))"
MEASURES = (("open", "open_count"), ("unassigned", "unassigned_count"),
            ("at_risk", "at_risk_count"), ("breached", "breached_count"))


@at_install(False)
@post_install(True)
class TestOverviewJourney(BrowserMixin, HttpCase):

    def card_value(self, page, queue, measure):
        text = page.inner_text((CARD % queue.name) + " .o_overview_%s .o_overview_value"
                               % measure)
        return int(text.strip())

    def test_qa_manager_reads_the_overview_and_clicks_through(self):
        user = self.env.ref("tktit_helpdesk.user_qa_manager_demo")
        queues = self.env["helpdesk.queue"].sudo(user).search([])
        expected = {queue: {measure: queue[fname] for measure, fname in MEASURES}
                    for queue in queues}
        busiest = max(queues, key=lambda queue: (queue.open_count, -queue.id))
        self.assertTrue(busiest.open_count, "the demo data gives some queue open tickets")
        action = self.env.ref("tktit_helpdesk.helpdesk_queue_action_overview")

        page = self.new_page()
        self.login(page, user.login, user.login, redirect="/web")
        page.goto("/web?journey=1#action=%s" % action.id)
        page.wait_for_selector(".o_helpdesk_overview_card")
        self.assertEqual(page.eval_on_selector_all(
            ".o_helpdesk_overview_card", "cards => cards.length"), len(queues))
        for queue, values in expected.items():
            for measure, value in values.items():
                self.assertEqual(self.card_value(page, queue, measure), value,
                                 "%s: %s" % (queue.name, measure))
        self.assertTrue(page.query_selector(
            (CARD % busiest.name) + " .o_overview_satisfaction"))
        self.screenshot(page, "overview_01")

        page.click((CARD % busiest.name) + " a.o_overview_open")
        page.wait_for_selector(".o_list_view")
        page.wait_for_selector(".o_control_panel .breadcrumb:has-text('%s')" % busiest.name)
        rows = page.eval_on_selector_all(".o_list_view tbody tr.o_data_row",
                                         "rows => rows.length")
        self.assertEqual(rows, min(busiest.open_count, 80),
                         "the list holds the tickets the card counts")
        self.screenshot(page, "overview_02_open_tickets")
