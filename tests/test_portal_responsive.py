"""Wave 2 · 8: the portal on a phone and on a desktop, in headless Chromium, as
customer.acme. At 390 x 844 "My tickets" is one card a ticket (reference, subject,
status, last update) and the ticket page stacks, with nothing wider than the screen; at
1280 x 800 the list is the table and the ticket page has its two columns.
Screenshots: artifacts/screenshots/portal_phone_*.png and portal_desktop_*.png."""
from odoo.tests.common import at_install, post_install

from odoo.addons.tktit_helpdesk.tests.common import BrowserMixin, HttpCase

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
# the page is no wider than the screen: nothing to scroll sideways
NO_SIDE_SCROLL = "document.scrollingElement.scrollWidth <= window.innerWidth"
# the box of each element of a selector, in CSS pixels of the layout viewport
BOXES = """(selector) => Array.from(document.querySelectorAll(selector)).map((el) => {
    const box = el.getBoundingClientRect();
    return {left: box.left + window.scrollX, right: box.right + window.scrollX,
            top: box.top + window.scrollY, width: box.width, height: box.height,
            text: el.innerText.trim()};
})"""


@at_install(False)
@post_install(True)
class TestPortalResponsive(BrowserMixin, HttpCase):

    def setUp(self):
        super(TestPortalResponsive, self).setUp()
        self.customer = self.env.ref("tktit_helpdesk.user_customer_acme_demo")
        # a closed ticket with a signed delivery note and a paid invoice, and its rating
        self.closed = self.env.ref("tktit_helpdesk_billing.ticket_field_paid_demo")
        self.assertEqual(self.closed.state, "closed", "the demo's paid ticket is closed")
        if not self.closed.rating_last_value:
            token = self.closed.rating_get_access_token()
            self.closed._apply_customer_rating(4, token, "Tidy work, thank you.")
        self.checkpoint()
        self.tickets = self.env["helpdesk.ticket"].search([
            ("commercial_partner_id", "=", self.customer.commercial_partner_id.id)],
            order="create_date desc, id desc", limit=20)

    # ------------------------------------------------------------- helpers
    def open_as_customer(self, viewport, path, login="customer.acme", **options):
        page = self.new_page(viewport=viewport, **options)
        self.login(page, login, login, redirect=path)
        page.wait_for_load_state("networkidle")
        return page

    def boxes(self, page, selector):
        return page.evaluate(BOXES, selector)

    def assert_no_side_scroll(self, page, what):
        sizes = page.evaluate(
            "[document.scrollingElement.scrollWidth, window.innerWidth]")
        self.assertTrue(page.evaluate(NO_SIDE_SCROLL),
                        "%s: the page is wider than the screen (scrollWidth %s > "
                        "innerWidth %s)" % (what, sizes[0], sizes[1]))

    def assert_within_width(self, page, selector, what, minimum=1):
        width = page.evaluate("window.innerWidth")
        boxes = [box for box in self.boxes(page, selector) if box["width"]]
        self.assertGreaterEqual(len(boxes), minimum, "%s: shown" % what)
        for box in boxes:
            self.assertTrue(box["left"] >= 0 and box["right"] <= width,
                            "%s %r must be within the screen's %s px: %s" % (
                                what, box["text"], width, box))
        return boxes

    # --------------------------------------------------------------- phone
    def test_phone_my_tickets_are_cards(self):
        page = self.open_as_customer(PHONE, "/my/tickets", is_mobile=True, has_touch=True)
        self.assertEqual(page.evaluate("window.innerWidth"), PHONE["width"],
                         "the phone's screen, not a zoomed-out page")
        self.assert_no_side_scroll(page, "/my/tickets at 390 px")
        self.assertFalse(page.is_visible("table.o_tktit_ticket_table"),
                         "no table on a phone")
        cards = page.locator(".o_tktit_ticket_card")
        self.assertEqual(cards.count(), len(self.tickets), "one card a ticket")
        statuses = self.assert_within_width(
            page, ".o_tktit_ticket_card .o_tktit_status", "the status",
            minimum=len(self.tickets))
        self.assertEqual(len(statuses), len(self.tickets), "every card shows its status")
        for ticket in self.tickets:
            card = page.locator(".o_tktit_ticket_card[data-ticket-id='%s']" % ticket.id)
            text = card.inner_text()
            self.assertIn(ticket.number, text, "the card names the ticket")
            self.assertIn(ticket.name, text, "the card shows the subject")
            self.assertIn("Last update", text, "the card says when it last changed")
            status = dict(ticket._fields["portal_state"]._description_selection(self.env))
            self.assertIn(status[ticket.portal_state],
                          card.locator(".o_tktit_status").inner_text(),
                          "the card shows the portal's status of %s" % ticket.number)
        self.screenshot(page, "portal_phone_01_my_tickets")

        # a card opens its ticket
        with page.expect_navigation():
            cards.first.click()
        self.assertIn("/my/ticket/%s" % self.tickets[0].id, page.url)

    def test_phone_ticket_page_stacks(self):
        page = self.open_as_customer(PHONE, "/my/ticket/%s" % self.closed.id,
                                     is_mobile=True, has_touch=True)
        self.assert_no_side_scroll(page, "the ticket page at 390 px")
        self.assert_within_width(page, ".o_tktit_ticket .o_tktit_status", "the status")
        details = self.boxes(page, "[name=ticket_details]")[0]
        dates = self.boxes(page, "[name=ticket_dates]")[0]
        self.assertGreaterEqual(dates["top"], details["top"] + details["height"] - 1,
                                "the dates come under the details on a phone")
        self.assertEqual(round(dates["left"]), round(details["left"]), "one column")
        # the story of a closed ticket: what was done, how it was rated, the papers
        self.assertTrue(page.is_visible(".o_tktit_resolution"), "the resolution")
        stars = int(round(self.closed.rating_last_value / 2.0))
        self.assertIn("%s/5" % stars, page.inner_text(".o_tktit_rating"),
                      "the customer's rating")
        self.assertTrue(page.is_visible(".o_tktit_expert"), "the expert's name")
        self.assert_within_width(page, ".o_tktit_delivery_notes, .o_tktit_invoices",
                                 "the notes and invoices panels", minimum=2)
        self.assert_within_width(page, ".o_tktit_invoice_status", "the invoice's status")
        self.screenshot(page, "portal_phone_02_closed_ticket")

    # ------------------------------------------------------------- desktop
    def test_desktop_my_tickets_is_a_table(self):
        page = self.open_as_customer(DESKTOP, "/my/tickets")
        self.assert_no_side_scroll(page, "/my/tickets at 1280 px")
        self.assertTrue(page.is_visible("table.o_tktit_ticket_table"), "the table")
        self.assertFalse(page.is_visible(".o_tktit_ticket_cards"), "no cards on a desktop")
        headers = page.locator("table.o_tktit_ticket_table thead th").all_inner_texts()
        for header in ("Reference", "Subject", "Submitted", "Last update", "Status"):
            self.assertIn(header, [h.strip() for h in headers], "the %s column" % header)
        self.assert_within_width(page, "table.o_tktit_ticket_table .o_tktit_status",
                                 "the status column", minimum=len(self.tickets))
        self.screenshot(page, "portal_desktop_01_my_tickets")

    def test_desktop_ticket_page_has_two_columns(self):
        page = self.open_as_customer(DESKTOP, "/my/ticket/%s" % self.closed.id)
        self.assert_no_side_scroll(page, "the ticket page at 1280 px")
        details = self.boxes(page, "[name=ticket_details]")[0]
        dates = self.boxes(page, "[name=ticket_dates]")[0]
        self.assertEqual(round(dates["top"]), round(details["top"]), "side by side")
        self.assertGreater(dates["left"], details["left"], "the dates on the other side")
        self.assertTrue(page.is_visible(".o_tktit_resolution"), "the resolution")
        self.assertTrue(page.is_visible(".o_tktit_delivery_notes"), "the signed note")
        self.assertTrue(page.is_visible(".o_tktit_invoices"), "the invoice")
        self.screenshot(page, "portal_desktop_02_closed_ticket")

    # ------------------------------------------------- phone, right to left
    def test_phone_my_tickets_in_persian(self):
        """The cards right to left (customer.faragostar reads Persian): the status at the
        card's start side, nothing wider than the screen."""
        customer = self.env.ref("tktit_helpdesk.user_customer_faragostar_demo")
        tickets = self.env["helpdesk.ticket"].search([
            ("commercial_partner_id", "=", customer.commercial_partner_id.id)], limit=20)
        page = self.open_as_customer(PHONE, "/my/tickets", login="customer.faragostar",
                                     is_mobile=True, has_touch=True)
        self.assertEqual(page.get_attribute("html", "dir"), "rtl")
        self.assert_no_side_scroll(page, "/my/tickets in Persian at 390 px")
        self.assertFalse(page.is_visible("table.o_tktit_ticket_table"), "no table")
        self.assert_within_width(page, ".o_tktit_ticket_card .o_tktit_status",
                                 "the status", minimum=len(tickets))
        number = self.boxes(page, ".o_tktit_ticket_card .o_tktit_card_number")[0]
        status = self.boxes(page, ".o_tktit_ticket_card .o_tktit_status")[0]
        self.assertGreater(number["left"], status["left"],
                           "right to left: the reference on the right, the status on the left")
        self.screenshot(page, "portal_phone_03_my_tickets_fa")

        page.goto("/my/ticket/%s" % tickets[0].id)
        page.wait_for_load_state("networkidle")
        self.assert_no_side_scroll(page, "a Persian ticket page at 390 px")
        self.screenshot(page, "portal_phone_04_ticket_fa")
