"""The PayPal escrow of a ticket's fee (tktit_helpdesk_billing), through the real
paypalrestsdk against the local PayPal stand-in (scripts/paypal_standin.py): the quote
held at confirmation before the ticket reaches the dispatcher, captured on the
customer's satisfied closure (the fee invoice paid and reconciled, the expert's bill),
released on cancellation; tampered returns, refused amounts and currencies, faults at
PayPal (retried by the cron with back-off, never charged twice), the authorization's
clock (reauthorization, expiry warning, reminders), and who may do what.

Concurrency over committed transactions (double click, two captures at once) is in
tests/test_escrow_concurrency.py; the browser journey in tests/test_escrow_journey.py."""
import base64
import logging
from datetime import datetime, timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests.common import SavepointCase
from odoo.tools.safe_eval import safe_eval

from odoo.addons.tktit_helpdesk.tests.fixtures import make_helpdesk, make_ticket

from .paypal import point_acquirer, standin_module

RETURN_URL = "http://127.0.0.1:8069/payment/paypal_rest/return"
CANCEL_URL = "http://127.0.0.1:8069/payment/paypal_rest/cancel"


class EscrowCase(SavepointCase):

    @classmethod
    def setUpClass(cls):
        super(EscrowCase, cls).setUpClass()
        cls.standin = standin_module().PayPalStandIn().start()
        cls.h = make_helpdesk(cls.env)
        cls.acquirer = point_acquirer(cls.env, cls.standin.url)
        cls.env.user.company_id.currency_id = cls.env.ref("base.USD")

    @classmethod
    def tearDownClass(cls):
        cls.standin.stop()
        super(EscrowCase, cls).tearDownClass()

    def setUp(self):
        super(EscrowCase, self).setUp()
        self.standin.reset()
        self.standin.clear_faults()

    # ------------------------------------------------------------- helpers
    def performed(self, kind):
        return self.standin.ledger()["performed"].get(kind, 0)

    def quoted(self, fee=150.0):
        """A new ticket of customer A that operations sent to dispatch with a fee."""
        ticket = make_ticket(self.env, self.h.customer_a, self.h.tech, self.h.spec)
        ticket.sudo(self.h.operator).action_send_to_dispatch(fee_amount=fee)
        return ticket

    def confirm(self, ticket, user=None):
        return ticket.sudo(user or self.h.customer_a).action_confirm_fee(
            return_url=RETURN_URL, cancel_url=CANCEL_URL)

    def held(self, fee=150.0):
        ticket = self.quoted(fee)
        values = self.standin.approve(self.confirm(ticket))
        ticket.sudo(self.h.customer_a).action_hold_fee(
            values["paymentId"], values["token"], values["PayerID"])
        return ticket

    def delivered(self, fee=150.0):
        return self.deliver(self.held(fee))

    def deliver(self, ticket):
        staff = self.h.staff
        ticket.sudo(staff.operator).action_assign(staff.expert_1)
        ticket.sudo(staff.expert_1).write({"resolution": "<p>Fixed the printer.</p>"})
        ticket.sudo(staff.expert_1).action_work_completed()
        ticket.sudo(staff.qc).action_qc_approve()
        ticket.sudo(staff.committee).action_final_approve()
        self.assertEqual(ticket.state, "delivered")
        return ticket

    def mails(self, ticket, template):
        """The customer notices of ``ticket`` posted with ``template`` (by subject)."""
        subject = self.env.ref(template).with_context(lang="en_US") \
            .render_template(self.env.ref(template).subject, "helpdesk.ticket",
                             ticket.id)
        return ticket.message_ids.filtered(lambda m: m.subject == subject)

    def age(self, ticket, days):
        """Move the hold's clocks ``days`` back, at PayPal and in Odoo."""
        tx = ticket.payment_transaction_id
        self.standin.age(tx.paypal_rest_authorization_id, days=days)

        def back(value):
            return fields.Datetime.to_string(
                fields.Datetime.from_string(value) - timedelta(days=days))
        tx.sudo().write({
            "paypal_rest_authorized_on": back(tx.paypal_rest_authorized_on),
            "paypal_rest_honor_until": back(tx.paypal_rest_honor_until),
            "paypal_rest_valid_until": back(tx.paypal_rest_valid_until)})


class TestEscrowHold(EscrowCase):

    def test_quote_waits_for_the_hold_then_dispatches(self):
        ticket = self.quoted(150.0)
        self.assertEqual((ticket.state, ticket.fee_amount, ticket.payment_state),
                         ("new", 150.0, "none"), "a ticket with a fee waits for its hold")
        self.assertTrue(ticket.fee_quote_open)
        self.assertTrue(self.mails(ticket, "tktit_helpdesk_billing."
                                           "mail_template_ticket_fee_quote"))
        url = self.confirm(ticket)
        self.assertIn("/checkoutnow?token=EC-", url)
        tx = ticket.payment_transaction_id
        self.assertEqual((tx.state, tx.amount, tx.helpdesk_ticket_id),
                         ("pending", 150.0, ticket))
        values = self.standin.approve(url)
        ticket.sudo(self.h.customer_a).action_hold_fee(
            values["paymentId"], values["token"], values["PayerID"])
        self.assertEqual((ticket.payment_state, ticket.state, tx.state),
                         ("authorized", "dispatch", "authorized"))
        self.assertFalse(ticket.fee_quote_open)
        self.assertTrue(tx.paypal_rest_authorization_id and tx.paypal_rest_valid_until)
        self.assertTrue(self.mails(ticket, "tktit_helpdesk_billing."
                                           "mail_template_ticket_fee_held"))
        # the browser coming back twice changes nothing
        ticket.sudo(self.h.customer_a).action_hold_fee(
            values["paymentId"], values["token"], values["PayerID"])
        self.assertEqual((self.performed("create"), self.performed("execute")), (1, 1))

    def test_without_fee_dispatch_as_before(self):
        ticket = make_ticket(self.env, self.h.customer_a, self.h.tech, self.h.spec)
        ticket.sudo(self.h.operator).action_send_to_dispatch()
        self.assertEqual((ticket.state, ticket.payment_state), ("dispatch", "none"))
        self.assertFalse(ticket.fee_quote_open)

    def test_confirming_twice_is_one_payment(self):
        ticket = self.quoted()
        self.assertEqual(self.confirm(ticket), self.confirm(ticket))
        self.assertEqual(self.performed("create"), 1)

    def test_requote_forgets_the_unapproved_payment(self):
        ticket = self.quoted(150.0)
        first = self.confirm(ticket)
        ticket.sudo(self.h.operator).action_send_to_dispatch(fee_amount=180.0)
        self.assertEqual(ticket.state, "new")
        second = self.confirm(ticket)
        self.assertNotEqual(first, second)
        self.assertEqual(ticket.payment_transaction_id.amount, 180.0)

    def test_cancel_at_paypal_keeps_the_quote_open(self):
        ticket = self.quoted()
        self.confirm(ticket)
        tx = ticket.payment_transaction_id
        ticket.sudo(self.h.customer_a).action_cancel_fee_payment(tx.paypal_rest_token)
        self.assertEqual((ticket.state, ticket.payment_state), ("new", "none"))
        self.assertTrue(ticket.fee_quote_open)
        self.assertEqual(tx.state, "cancel")
        self.assertFalse(ticket.payment_transaction_id)

    def test_tampered_returns_record_nothing(self):
        ticket, other = self.quoted(), self.quoted(90.0)
        values = self.standin.approve(self.confirm(ticket))
        other_values = self.standin.approve(self.confirm(other))
        customer = ticket.sudo(self.h.customer_a)
        # the other ticket's token, or its payment, on this ticket's return
        with self.assertRaises(ValidationError):
            customer.action_hold_fee(values["paymentId"], other_values["token"],
                                     values["PayerID"])
        with self.assertRaises(ValidationError):
            customer.action_hold_fee(other_values["paymentId"], values["token"],
                                     values["PayerID"])
        # a wrong payer: PayPal refuses the execution
        with self.assertRaises(UserError) as refused:
            customer.action_hold_fee(values["paymentId"], values["token"], "WRONGPAYER01")
        self.assertIn("Payer ID is invalid", refused.exception.name)
        self.assertEqual((ticket.payment_state, ticket.state), ("none", "new"))
        self.assertEqual(ticket.payment_transaction_id.state, "pending")
        self.assertEqual(self.performed("execute"), 0)

    def test_zero_negative_and_unaccepted_currency(self):
        ticket = make_ticket(self.env, self.h.customer_a, self.h.tech, self.h.spec)
        ops = ticket.sudo(self.h.operator)
        with self.assertRaises(UserError):
            ops.action_send_to_dispatch(fee_amount=-10.0)
        with self.assertRaises(ValidationError):
            ops.write({"fee_amount": -5.0})
        ops.action_send_to_dispatch(fee_amount=0.0)  # no fee: as before
        self.assertEqual(ticket.state, "dispatch")
        with self.assertRaises(UserError):
            self.confirm(ticket)
        # a company in rials (Tehran): PayPal holds no IRR
        irr = self.env.ref("base.IRR")
        irr.active = True
        tehran = self.env["res.company"].create({"name": "Tehran Branch",
                                                 "currency_id": irr.id})
        other = make_ticket(self.env, self.h.customer_a, self.h.tech, self.h.spec,
                            company_id=tehran.id)
        with self.assertRaises(UserError) as refused:
            other.sudo().action_send_to_dispatch(fee_amount=500000.0)
        self.assertIn("IRR", refused.exception.name)
        self.assertEqual((other.state, other.fee_amount), ("new", 0.0))
        self.assertFalse(self.env["payment.transaction"].search(
            [("helpdesk_ticket_id", "in", (ticket | other).ids)]))
        self.assertEqual(self.performed("create"), 0)

    def test_held_fee_cannot_be_changed(self):
        ticket = self.held(150.0)
        with self.assertRaises(UserError):
            ticket.sudo(self.h.operator).write({"fee_amount": 10.0})
        self.assertEqual(ticket.fee_amount, 150.0)


class TestEscrowCapture(EscrowCase):

    def test_satisfied_closure_captures_pays_and_bills_the_expert(self):
        self.h.queue.sudo().expert_commission_rate = 60.0
        ticket = self.delivered(200.0)
        self.assertTrue(ticket.delivered_on)
        ticket.sudo(self.h.customer_a).action_customer_confirm(True)
        self.assertEqual((ticket.state, ticket.payment_state), ("closed", "captured"))
        tx = ticket.payment_transaction_id
        self.assertEqual(tx.state, "done")
        invoice = ticket.fee_invoice_id
        self.assertEqual((invoice.type, invoice.state, invoice.amount_total,
                          invoice.residual), ("out_invoice", "paid", 200.0, 0.0))
        self.assertEqual(invoice.payment_ids.payment_transaction_id, tx)
        self.assertEqual(invoice.partner_id.commercial_partner_id, self.h.org_a)
        bill = ticket.expert_bill_id
        self.assertEqual((bill.type, bill.state, bill.amount_total, bill.partner_id),
                         ("in_invoice", "open", 120.0, self.h.expert_1.partner_id))
        self.assertEqual(self.performed("capture"), 1)
        self.assertTrue(self.mails(ticket, "tktit_helpdesk_billing."
                                           "mail_template_ticket_fee_captured"))
        self.assertTrue(ticket.customer_confirmed_on and ticket.fee_captured_on)
        # accounting pays the expert: the payout ends the money's clock
        journal = self.env["account.journal"].search([("type", "=", "bank")], limit=1)
        bill.pay_and_reconcile(journal, pay_amount=bill.amount_total)
        self.assertEqual(bill.state, "paid")
        self.assertTrue(ticket.expert_paid_on)
        self.assertGreaterEqual(ticket.payout_hours, 0.0)

    def test_expert_rate_before_queue_before_company(self):
        ticket = self.delivered(100.0)
        self.assertEqual(ticket._get_commission_rate(),
                         self.env.user.company_id.helpdesk_expert_commission_rate)
        self.h.queue.sudo().expert_commission_rate = 50.0
        self.assertEqual(ticket._get_commission_rate(), 50.0)
        self.h.expert_1.sudo().helpdesk_commission_rate = 80.0
        self.assertEqual(ticket._get_commission_rate(), 80.0)
        ticket.sudo(self.h.customer_a).action_customer_confirm(True)
        self.assertEqual(ticket.expert_bill_id.amount_total, 80.0)

    def test_dissatisfied_keeps_the_hold(self):
        ticket = self.delivered()
        ticket.sudo(self.h.customer_a).action_customer_confirm(False, "The toner is missing")
        self.assertEqual((ticket.state, ticket.payment_state), ("in_progress", "authorized"))
        self.assertEqual(self.performed("capture"), 0)

    def test_cancel_releases_the_hold(self):
        ticket = self.held()
        ticket.sudo(self.h.operator).action_cancel()
        self.assertEqual((ticket.state, ticket.payment_state), ("cancelled", "voided"))
        self.assertEqual(ticket.payment_transaction_id.state, "cancel")
        self.assertEqual(self.performed("void"), 1)
        self.assertTrue(self.mails(ticket, "tktit_helpdesk_billing."
                                           "mail_template_ticket_fee_released"))

    def test_release_with_paypal_down_is_retried(self):
        ticket = self.held()
        self.standin.set_fault("void", "down", times=1)
        ticket.sudo(self.h.operator).action_cancel()
        self.assertEqual((ticket.state, ticket.payment_state), ("cancelled", "authorized"))
        self.assertTrue(ticket.payment_error and ticket.payment_next_try)
        ticket.sudo().write({"payment_next_try": fields.Datetime.now()})
        self.env["helpdesk.ticket"]._cron_escrow()
        self.assertEqual(ticket.payment_state, "voided")
        self.assertEqual(self.performed("void"), 1)

    def test_cancel_before_approval_calls_nothing(self):
        ticket = self.quoted()
        self.confirm(ticket)
        ticket.sudo(self.h.operator).action_cancel()
        self.assertEqual(ticket.payment_state, "none")
        self.assertEqual(self.performed("void"), 0)

    def test_paypal_down_at_capture_is_retried_with_backoff(self):
        ticket = self.delivered()
        self.standin.set_fault("capture", "error_500", times=2)
        ticket.sudo(self.h.customer_a).action_customer_confirm(True)
        # closed for the customer, the capture pending: nothing lost, nothing taken
        self.assertEqual((ticket.state, ticket.satisfaction, ticket.payment_state),
                         ("closed", "satisfied", "authorized"))
        self.assertTrue(ticket.payment_error)
        self.assertEqual(ticket.payment_attempts, 1)
        self.assertEqual(ticket.fee_invoice_id.state, "open")
        self.assertTrue(ticket.activity_ids, "operations see the failure")
        first_try = ticket.payment_next_try
        self.assertGreater(first_try, fields.Datetime.now())
        Ticket = self.env["helpdesk.ticket"]
        Ticket._cron_escrow()  # not due yet
        self.assertEqual(ticket.payment_attempts, 1)
        ticket.sudo().write({"payment_next_try": fields.Datetime.now()})
        Ticket._cron_escrow()  # second 500: the wait doubles
        self.assertEqual((ticket.payment_attempts, ticket.payment_state), (2, "authorized"))
        wait_1 = fields.Datetime.from_string(first_try)
        self.assertGreater(fields.Datetime.from_string(ticket.payment_next_try) -
                           datetime.now(), wait_1 - datetime.now())
        ticket.sudo().write({"payment_next_try": fields.Datetime.now()})
        Ticket._cron_escrow()
        self.assertEqual(ticket.payment_state, "captured")
        self.assertFalse(ticket.payment_error)
        self.assertEqual(ticket.fee_invoice_id.state, "paid")
        self.assertEqual(self.performed("capture"), 1)
        self.assertEqual(len(ticket.fee_invoice_id.payment_ids), 1)

    def test_lost_capture_answer_is_captured_once(self):
        ticket = self.delivered()
        # PayPal captures, then its answer never arrives (the timeout is 2 s)
        self.standin.set_fault("capture", "lose_response", delay=4)
        ticket.sudo(self.h.customer_a).action_customer_confirm(True)
        self.assertEqual(ticket.payment_state, "authorized")
        self.assertEqual(self.performed("capture"), 1)
        ticket.sudo().write({"payment_next_try": fields.Datetime.now()})
        self.env["helpdesk.ticket"]._cron_escrow()
        self.assertEqual(ticket.payment_state, "captured")
        ledger = self.standin.ledger()
        self.assertEqual((ledger["performed"]["capture"], len(ledger["captures"])), (1, 1))
        self.assertEqual(ledger["replayed"].get("capture"), 1)
        self.assertEqual(ticket.payment_transaction_id.paypal_rest_capture_id,
                         list(ledger["captures"])[0])
        self.assertEqual(len(ticket.fee_invoice_id.payment_ids), 1)

    def test_refused_capture_fails_visibly(self):
        ticket = self.delivered()
        # the hold was voided at PayPal behind our back: PayPal refuses the capture
        import paypalrestsdk
        tx = ticket.payment_transaction_id
        paypalrestsdk.Authorization({"id": tx.paypal_rest_authorization_id},
                                    api=self.acquirer._paypal_rest_api()).void()
        ticket.sudo(self.h.customer_a).action_customer_confirm(True)
        self.assertEqual(ticket.payment_state, "failed")
        self.assertTrue(ticket.payment_error)
        self.assertFalse(ticket.payment_next_try)
        self.assertNotEqual(ticket.fee_invoice_id.state, "paid")


class TestEscrowClock(EscrowCase):

    def test_reauthorize_after_the_honor_period(self):
        ticket = self.held()
        tx = ticket.payment_transaction_id
        first_auth, valid_until = tx.paypal_rest_authorization_id, None
        self.env["helpdesk.ticket"]._cron_escrow()
        self.assertEqual(self.performed("reauthorize"), 0, "inside the honor period")
        self.age(ticket, 4)
        valid_until = tx.paypal_rest_valid_until
        self.env["helpdesk.ticket"]._cron_escrow()
        self.assertEqual(self.performed("reauthorize"), 1)
        self.assertTrue(tx.paypal_rest_reauthorized)
        self.assertNotEqual(tx.paypal_rest_authorization_id, first_auth)
        self.assertGreater(tx.paypal_rest_honor_until, fields.Datetime.now())
        self.assertEqual(tx.paypal_rest_valid_until[:16], valid_until[:16])
        self.env["helpdesk.ticket"]._cron_escrow()
        self.assertEqual(self.performed("reauthorize"), 1, "once, as PayPal allows")

    def test_operations_warned_before_expiry(self):
        ticket = self.held()
        self.age(ticket, 25)
        ticket.activity_ids.unlink()
        self.env["helpdesk.ticket"]._cron_escrow()
        self.assertTrue(ticket.fee_expiry_warned)
        activity = ticket.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertIn("expires", activity.summary)
        self.env["helpdesk.ticket"]._cron_escrow()
        self.assertEqual(len(ticket.activity_ids), 1, "warned once")
        self.assertGreater(ticket.fee_valid_days_left, 0.0)
        self.assertLess(ticket.fee_valid_days_left, 5.0)

    def test_customer_reminded_after_the_configured_days(self):
        self.env.user.company_id.helpdesk_fee_reminder_days = 2
        ticket = self.delivered()
        template = "tktit_helpdesk_billing.mail_template_ticket_fee_reminder"
        self.env["helpdesk.ticket"]._cron_escrow()
        self.assertFalse(self.mails(ticket, template))
        three_days_ago = fields.Datetime.to_string(datetime.now() - timedelta(days=3))
        ticket.sudo()._write_state({"delivered_on": three_days_ago})
        self.env["helpdesk.ticket"]._cron_escrow()
        self.assertEqual(len(self.mails(ticket, template)), 1)
        self.env["helpdesk.ticket"]._cron_escrow()
        self.assertEqual(len(self.mails(ticket, template)), 1, "not again the same day")
        self.assertEqual(ticket.fee_reminder_count, 1)

    def test_board_shows_the_held_funds(self):
        ticket = self.held()
        action = self.env.ref("tktit_helpdesk_billing.helpdesk_ticket_action_escrow")
        board = self.env["helpdesk.ticket"].sudo(self.h.operator).search(
            safe_eval(action.domain))
        self.assertIn(ticket, board)
        row = ticket.sudo(self.h.operator).read(
            ["fee_amount", "payment_state", "fee_held_days", "fee_honor_days_left",
             "fee_valid_days_left", "state"])[0]
        self.assertEqual((row["payment_state"], row["state"]), ("authorized", "dispatch"))
        self.assertAlmostEqual(row["fee_honor_days_left"], 3.0, delta=0.01)
        self.assertAlmostEqual(row["fee_valid_days_left"], 29.0, delta=0.05)


class TestEscrowRoles(EscrowCase):

    def test_only_the_customer_confirms_the_fee(self):
        ticket = self.quoted()
        for user in (self.h.expert_1, self.h.operator, self.h.customer_b):
            with self.assertRaises(AccessError):
                self.confirm(ticket, user)
        self.assertEqual(self.performed("create"), 0)
        # a colleague of the same organisation may
        self.assertTrue(self.confirm(ticket, self.h.customer_a2))

    def test_returns_and_retries_refused_to_the_wrong_role(self):
        ticket = self.quoted()
        values = self.standin.approve(self.confirm(ticket))
        tx = ticket.payment_transaction_id
        # another organisation's customer, an expert, operations: not their return
        for user in (self.h.customer_b, self.h.expert_1, self.h.operator):
            with self.assertRaises(AccessError):
                ticket.sudo(user).action_hold_fee(values["paymentId"], values["token"],
                                                  values["PayerID"])
            with self.assertRaises(AccessError):
                ticket.sudo(user).action_cancel_fee_payment(values["token"])
        self.assertEqual((ticket.payment_state, tx.state, ticket.payment_transaction_id),
                         ("none", "pending", tx))
        self.assertEqual(self.performed("execute") + self.performed("void"), 0)
        # retrying a PayPal call is operations' and accounting's, not an expert's
        self.standin.set_fault("capture", "error_500", times=1)
        ticket.sudo(self.h.customer_a).action_hold_fee(
            values["paymentId"], values["token"], values["PayerID"])
        self.deliver(ticket).sudo(self.h.customer_a).action_customer_confirm(True)
        self.assertEqual(ticket.payment_state, "authorized")
        for user in (self.h.expert_1, self.h.customer_a):
            with self.assertRaises(AccessError):
                ticket.sudo(user).action_retry_fee_payment()
        self.assertEqual((ticket.payment_state, self.performed("capture")),
                         ("authorized", 0))

    def test_nobody_but_the_lifecycle_moves_the_money(self):
        ticket = self.delivered()
        tx = ticket.payment_transaction_id
        for user in (self.h.expert_1, self.h.operator, self.h.customer_a):
            for method in ("action_capture", "action_void", "s2s_capture_transaction",
                           "paypal_rest_s2s_capture_transaction",
                           "paypal_rest_s2s_void_transaction"):
                with self.assertRaises(AccessError, msg="%s by %s" % (method, user.login)):
                    getattr(tx.sudo(user), method)()
            with self.assertRaises(AccessError):
                tx.sudo(user).write({"state": "done"})
            with self.assertRaises(AccessError):
                ticket.sudo(user).write({"payment_state": "captured"})
        # not even a manager's hand captures before the customer is satisfied
        accountant = self.env["res.users"].create({
            "name": "Acc Manager", "login": "acc.manager.escrow",
            "groups_id": [(6, 0, [self.env.ref("account.group_account_manager").id])]})
        with self.assertRaises(UserError):
            tx.sudo(accountant).action_capture()
        self.assertEqual((tx.state, ticket.payment_state), ("authorized", "authorized"))
        self.assertEqual(self.performed("capture") + self.performed("void"), 0)

    def test_the_secret_stays_out_of_logs_even_in_debug(self):
        secret = "standin-secret"
        basic = base64.b64encode(b"standin-client:standin-secret").decode()
        root = logging.getLogger()
        level = root.level
        root.setLevel(logging.DEBUG)
        try:
            with self.assertLogs(level=logging.DEBUG) as logs:
                logging.getLogger("tktit.test").debug("start")
                # a fresh client: its OAuth request (Basic credentials) happens here
                self.acquirer.paypal_rest_timeout = 3
                ticket = self.held()
        finally:
            root.setLevel(level)
        self.assertEqual(ticket.payment_state, "authorized")
        text = "\n".join(logs.output)
        self.assertIn("Request[POST]", text, "the SDK's requests are logged")
        self.assertNotIn(secret, text)
        self.assertNotIn(basic, text)
        self.assertNotIn("Bearer", text)
        self.assertNotIn(secret, ticket.message_ids.mapped("body") and
                         " ".join(ticket.message_ids.mapped("body")))

    def test_the_secret_is_for_administrators(self):
        acquirer = self.acquirer
        for user in (self.h.operator, self.h.expert_1):
            values = acquirer.sudo(user).read()[0]
            self.assertNotIn("paypal_rest_client_secret", values)
        with self.assertRaises(AccessError):
            acquirer.sudo(self.h.operator).read(["paypal_rest_client_secret"])
        with self.assertRaises(AccessError):
            acquirer.sudo(self.h.customer_a).read(["paypal_rest_client_secret"])
        # the SDK reads it for the call, whoever triggers it, and never shows it
        self.assertEqual(acquirer.sudo(self.h.operator)._paypal_rest_api().client_secret,
                         "standin-secret")
