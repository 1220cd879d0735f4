"""A customer's journey in headless Chromium: log in, submit a ticket, see it listed,
talk to the expert, answer the delivery. Screenshots land in artifacts/screenshots/."""
from odoo.tests.common import at_install, post_install

from odoo.addons.tktit_helpdesk.tests.common import BrowserMixin, HttpCase, MailSinkMixin
from odoo.addons.tktit_helpdesk.tests.fixtures import demo_staff, make_ticket


@at_install(False)
@post_install(True)
class TestCustomerJourney(MailSinkMixin, BrowserMixin, HttpCase):

    def settle(self, page):
        """Let the page finish its own requests (assets, the portal chatter's RPC) before
        the test reads the database, so what it reads is the page's final state."""
        page.wait_for_load_state("networkidle")
        self.checkpoint()

    def test_submit_ticket_and_see_it_listed(self):
        page = self.new_page()
        self.login(page, "customer.acme", "customer.acme", redirect="/my/tickets")
        page.click("a.o_tktit_new_ticket")
        page.fill("input[name=name]", "Projector does not power on")
        page.fill("textarea[name=description]", "Meeting room 2, since this morning.")
        page.select_option("select[name=category]", "technical")
        page.select_option("select[name=technology_id]",
                           str(self.env.ref("tktit_helpdesk.technology_network").id))
        self.screenshot(page, "journey_01_new_ticket_form")
        with page.expect_navigation():
            page.click("button.o_tktit_submit")
        self.settle(page)
        ticket = self.env["helpdesk.ticket"].search(
            [("name", "=", "Projector does not power on")])
        self.assertEqual(len(ticket), 1, "the ticket was created")
        self.assertIn("/my/ticket/%s" % ticket.id, page.url,
                      "the customer must land on the new ticket's page: %s" % page.url)
        self.assertIn(ticket.number, page.inner_text(".o_tktit_flash"),
                      "the confirmation banner must name the new ticket")
        self.screenshot(page, "journey_02_ticket_page")

        page.goto("/my/tickets")
        row = page.locator("table.o_tktit_ticket_table tr", has_text=ticket.number)
        self.assertEqual(row.count(), 1, "the new ticket is listed")
        self.assertIn("Awaiting Response", row.inner_text(),
                      "the new ticket must show the portal words 'Awaiting Response'")
        self.screenshot(page, "journey_03_my_tickets")

        mails = self.mail_sink.flush(self.env)
        self.assertTrue([m for m in mails if "alice@acme.example" in m.to
                         and ticket.number in m.subject], "acknowledgement mail in the sink")

    def test_talk_to_expert_and_confirm_delivery(self):
        ticket = self.env.ref("tktit_helpdesk.ticket_delivered_demo")
        progress = self.env.ref("tktit_helpdesk.ticket_progress_demo")
        page = self.new_page()
        self.login(page, "customer.acme", "customer.acme", redirect="/my/ticket/%s" % progress.id)
        page.fill("form.o_tktit_talk_to_expert textarea[name=message]",
                  "Is the VPN tunnel renegotiating every hour?")
        with page.expect_navigation():
            page.click("form.o_tktit_talk_to_expert button[type=submit]")
        self.assertIn("sent to the expert", page.inner_text(".o_tktit_flash"),
                      "the customer must be told the message was sent to the expert")
        self.assertIn("renegotiating", page.inner_text(".o_tktit_thread"),
                      "the message must appear in the Talk To Expert thread")
        self.screenshot(page, "journey_04_talk_to_expert")
        self.settle(page)
        self.assertTrue(progress.message_ids.filtered(
            lambda m: "renegotiating" in (m.body or "")),
                        "the customer's message must be stored on the ticket")

        # Globex's delivered ticket is not Acme's: the customer cannot open it
        page.goto("/my/ticket/%s" % ticket.id)
        self.assertNotIn(ticket.number, page.content(),
                         "another organisation's ticket must not open for the customer")

        page2 = self.new_page()
        self.login(page2, "customer.globex", "customer.globex",
                   redirect="/my/ticket/%s" % ticket.id)
        self.screenshot(page2, "journey_05_delivered")
        with page2.expect_navigation():
            page2.click("form.o_tktit_confirm_yes button[type=submit]")
        self.assertIn("your ticket is closed", page2.inner_text(".o_tktit_flash"),
                      "confirming satisfaction must tell the customer the ticket is closed")
        self.screenshot(page2, "journey_06_closed")
        self.settle(page2)
        self.assertEqual((ticket.state, ticket.satisfaction), ("closed", "satisfied"),
                         "a satisfied confirmation must close the ticket as satisfied")

    def test_answer_clarification_in_talk_to_expert(self):
        ticket = self.env.ref("tktit_helpdesk.ticket_scoping_demo")
        self.assertEqual(ticket.state, "scoping",
                         "the demo ticket must be waiting for the customer's clarification")
        page = self.new_page()
        self.login(page, "customer.acme", "customer.acme", redirect="/my/ticket/%s" % ticket.id)
        self.assertEqual(page.inner_text(".o_tktit_ticket .o_tktit_status").strip(),
                         "Awaiting Customer",
                         "a ticket in scoping must show the portal words 'Awaiting Customer'")
        self.assertTrue(page.is_visible(".o_tktit_scoping"), "the page asks for details")
        self.screenshot(page, "journey_07_clarification_asked")
        page.fill("form.o_tktit_talk_to_expert textarea[name=message]",
                  "The backups of the Paris file server, about 2 TB.")
        with page.expect_navigation():
            page.click("form.o_tktit_talk_to_expert button[type=submit]")
        self.assertIn("sent to the expert", page.inner_text(".o_tktit_flash"),
                      "the customer must be told the answer was sent to the expert")
        self.assertEqual(page.inner_text(".o_tktit_ticket .o_tktit_status").strip(),
                         "Awaiting Response",
                         "once the customer answered, the ticket must show 'Awaiting Response'")
        self.assertFalse(page.is_visible(".o_tktit_scoping"),
                         "once the customer answered, the page must stop asking for details")
        self.assertIn("Paris file server", page.inner_text(".o_tktit_thread"),
                      "the answer must appear in the Talk To Expert thread")
        self.screenshot(page, "journey_08_clarification_answered")
        self.settle(page)
        self.assertEqual(ticket.state, "new", "back to operations")
        answer = ticket.message_ids.filtered(lambda m: "Paris file server" in (m.body or ""))
        self.assertEqual(answer.author_id, self.env.ref(
            "tktit_helpdesk.partner_customer_acme_demo"),
                         "the clarification must be authored by the customer's contact")

    def test_something_is_missing_on_delivery(self):
        ref = self.env.ref
        staff = demo_staff(self.env)
        expert, dispatcher = staff.expert_1, staff.operator
        ticket = make_ticket(
            self.env, ref("tktit_helpdesk.partner_customer_acme_demo"),
            ref("tktit_helpdesk.technology_network"),
            ref("tktit_helpdesk.specialization_network_lan"),
            state="delivered", staff=staff, name="Guest Wi-Fi for the lobby",
            resolution="<p>Guest SSID created on the lobby access points.</p>")
        self.assertEqual(ticket.state, "delivered", "the fixture must walk the ticket to delivered")

        page = self.new_page()
        self.login(page, "customer.acme", "customer.acme", redirect="/my/ticket/%s" % ticket.id)
        self.assertEqual(page.inner_text(".o_tktit_ticket .o_tktit_status").strip(),
                         "Awaiting Customer",
                         "a delivered ticket must show the portal words 'Awaiting Customer'")
        self.assertIn("Guest SSID", page.inner_text(".o_tktit_resolution"),
                      "the delivered ticket's page must show the resolution")
        page.fill("form.o_tktit_confirm_no textarea[name=comment]",
                  "The captive portal page is still missing.")
        self.screenshot(page, "journey_09_something_missing")
        with page.expect_navigation():
            page.click("form.o_tktit_confirm_no button[type=submit]")
        self.assertIn("will follow up", page.inner_text(".o_tktit_flash"),
                      "the customer must be told operations will follow up")
        self.assertEqual(page.inner_text(".o_tktit_ticket .o_tktit_status").strip(),
                         "In Progress",
                         "a dissatisfied answer must put the ticket back 'In Progress'")
        self.assertFalse(page.is_visible(".o_tktit_confirm"), "no second answer to give")
        self.screenshot(page, "journey_10_back_to_expert")
        self.settle(page)
        self.assertEqual((ticket.state, ticket.satisfaction, ticket.user_id),
                         ("in_progress", "dissatisfied", expert),
                         "a dissatisfied answer must return the ticket to its expert")
        self.assertEqual(ticket.customer_feedback, "The captive portal page is still missing.",
                         "the customer's comment must be kept on the ticket")
        followup = ticket.activity_ids.filtered(lambda a: a.activity_type_id == self.env.ref(
            "tktit_helpdesk.mail_activity_customer_followup"))
        self.assertEqual(followup.user_id, dispatcher, "operations call the customer")
        self.assertTrue(ticket.activity_ids.filtered(
            lambda a: a.user_id == expert and "not satisfied" in (a.summary or "")),
                        "the expert must get an activity saying the customer is not satisfied")
