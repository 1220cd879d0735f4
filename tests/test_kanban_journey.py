"""The ticket kanban in headless Chromium: every status is a column, in lifecycle order;
the dispatcher drags a new ticket onto Dispatch (the transition runs) and a dispatch ticket
onto In Progress (refused: it needs an expert; the card stays). Screenshots in
artifacts/screenshots/kanban_*.png."""
from odoo.tests.common import at_install, post_install

from odoo.addons.tktit_helpdesk.models.helpdesk_ticket import STATES
from odoo.addons.tktit_helpdesk.tests.common import BrowserMixin, HttpCase
from odoo.addons.tktit_helpdesk.tests.fixtures import demo_staff, make_ticket

COLUMN = ".o_kanban_group:has(.o_column_title:text-is('%s'))"


@at_install(False)
@post_install(True)
class TestKanbanJourney(BrowserMixin, HttpCase):

    browser_viewport = {"width": 2400, "height": 1000}

    def drag(self, page, card, column):
        """Drag ``card`` onto ``column`` with the mouse, as a person does (jQuery UI
        sortable wants real moves between press and release)."""
        # the card may be below the fold (a long column): bring it into view first, and
        # drop it at its own height within the target column (clamped to the column)
        card.scroll_into_view_if_needed()
        box, target = card.bounding_box(), page.query_selector(column).bounding_box()
        drop_y = min(max(box["y"] + 20, target["y"] + 40),
                     target["y"] + max(target["height"] - 20, 40))
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 10)
        page.mouse.down()
        page.mouse.move(box["x"] + box["width"] / 2 + 5, box["y"] + 20, steps=5)
        page.mouse.move(target["x"] + target["width"] / 2, drop_y, steps=20)
        page.mouse.up()

    def test_columns_follow_the_lifecycle_and_drops_run_transitions(self):
        ref = self.env.ref
        staff = demo_staff(self.env)
        customer = ref("tktit_helpdesk.partner_customer_acme_demo")
        scope = (ref("tktit_helpdesk.technology_network"),
                 ref("tktit_helpdesk.specialization_network_lan"))
        fresh = make_ticket(self.env, customer, *scope, name="Kanban drop: send me on")
        waiting = make_ticket(self.env, customer, *scope, state="dispatch", staff=staff,
                              name="Kanban drop: needs an expert")
        action = ref("tktit_helpdesk.helpdesk_ticket_action")

        page = self.new_page()
        self.login(page, "dispatcher", "dispatcher", redirect="/web")
        page.goto("/web?journey=1#action=%s&view_type=kanban" % action.id)
        page.wait_for_selector(".o_kanban_view .o_kanban_group")
        titles = [t.strip() for t in page.eval_on_selector_all(
            ".o_kanban_group .o_column_title", "els => els.map(e => e.textContent)")]
        labels = dict(STATES)
        open_labels = [labels[s] for s, _label in STATES if s not in ("closed", "cancelled")]
        self.assertEqual(titles[:len(open_labels)], open_labels,
                         "the dispatcher must see the lifecycle's columns in its order")
        self.screenshot(page, "kanban_01_columns")
        # as a dispatcher looking for them: only this test's cards, whatever else the
        # database holds (long columns would put a card and its target out of reach)
        page.click(".o_searchview_input")
        page.keyboard.type("Kanban drop")
        page.wait_for_selector(".o_searchview_autocomplete li:has-text('Subject')")
        page.click(".o_searchview_autocomplete li:has-text('Subject')")
        page.wait_for_selector(".o_searchview_facet:has-text('Kanban drop')")
        page.wait_for_function(
            "() => document.querySelectorAll('.o_kanban_record:not(.o_kanban_ghost)')"
            ".length === 2")

        card = page.wait_for_selector(".o_kanban_record:has-text('%s')" % fresh.name)
        self.drag(page, card, COLUMN % labels["dispatch"])
        page.wait_for_selector(
            (COLUMN % labels["dispatch"]) + " .o_kanban_record:has-text('%s')" % fresh.name)
        page.wait_for_timeout(500)
        self.screenshot(page, "kanban_02_dropped_on_dispatch")
        self.checkpoint()
        self.assertEqual(fresh.state, "dispatch",
                         "dropping the card on Dispatch must send the ticket to dispatch")

        card = page.wait_for_selector(".o_kanban_record:has-text('%s')" % waiting.name)
        self.drag(page, card, COLUMN % labels["in_progress"])
        dialog = page.wait_for_selector(".modal:has-text('Assign Expert')")
        self.screenshot(page, "kanban_03_refused")
        self.assertIn("Dispatch", dialog.inner_text(),
                      "the refusal says which move was asked")
        self.checkpoint()
        self.assertEqual(waiting.state, "dispatch",
                         "a refused drop leaves the ticket in the dispatcher queue")
