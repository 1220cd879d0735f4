"""The PayPal REST acquirer (tktit_helpdesk_billing) against the local PayPal stand-in
(scripts/paypal_standin.py), through the real paypalrestsdk: create the payment, the
customer's approval, execute (the amount is held), capture (the invoice paid and
reconciled) or void; refusals and faults. The stand-in's ledger counts PayPal's calls.

Groundwork of Wave 2 · 5 (the escrow of the ticket's fee): the ticket's side comes next."""
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests.common import TransactionCase

from odoo.addons.tktit_helpdesk.tests.fixtures import new_user

from .paypal import standin_module

RETURN_URL = "http://127.0.0.1:8069/payment/paypal_rest/return"
CANCEL_URL = "http://127.0.0.1:8069/payment/paypal_rest/cancel"


class TestPayPalAcquirer(TransactionCase):

    @classmethod
    def setUpClass(cls):
        super(TestPayPalAcquirer, cls).setUpClass()
        cls.standin = standin_module().PayPalStandIn().start()

    @classmethod
    def tearDownClass(cls):
        cls.standin.stop()
        super(TestPayPalAcquirer, cls).tearDownClass()

    def setUp(self):
        super(TestPayPalAcquirer, self).setUp()
        self.standin.reset()
        self.standin.clear_faults()
        self.acquirer = self.env.ref("tktit_helpdesk_billing.payment_acquirer_paypal_rest")
        self.acquirer.write({
            "paypal_rest_client_id": "standin-client",
            "paypal_rest_client_secret": "standin-secret",
            "paypal_rest_endpoint": self.standin.url, "paypal_rest_timeout": 2})
        self.usd = self.env.ref("base.USD")
        self.partner = self.env["res.partner"].create({
            "name": "Escrow Customer", "email": "escrow@example.com",
            "country_id": self.env.ref("base.be").id})
        self.product = self.env["product.product"].create({
            "name": "Ticket fee", "type": "service", "list_price": 120.0,
            "taxes_id": [(5, 0, 0)]})

    # ------------------------------------------------------------- helpers
    def invoice(self, amount=120.0):
        account = self.product.property_account_income_id or \
            self.product.categ_id.property_account_income_categ_id
        invoice = self.env["account.invoice"].create({
            "partner_id": self.partner.id, "type": "out_invoice",
            "currency_id": self.usd.id,
            "invoice_line_ids": [(0, 0, {
                "product_id": self.product.id, "name": "Ticket fee", "quantity": 1,
                "price_unit": amount, "account_id": account.id})]})
        invoice.action_invoice_open()
        return invoice

    def transaction(self, amount=120.0, currency=None, invoice=None):
        return self.env["payment.transaction"].create({
            "acquirer_id": self.acquirer.id, "amount": amount,
            "currency_id": (currency or self.usd).id, "partner_id": self.partner.id,
            "partner_country_id": self.partner.country_id.id,
            "reference": self.env["payment.transaction"].get_next_reference("FEE-TEST"),
            "account_invoice_id": invoice.id if invoice else False,
        })

    def held(self, **kwargs):
        """A transaction whose amount PayPal holds (created, approved, executed)."""
        tx = self.transaction(**kwargs)
        approval = tx._paypal_rest_create_payment(RETURN_URL, CANCEL_URL, "Fee of T-1")
        back = self.standin.approve(approval)
        tx._paypal_rest_execute(back["paymentId"], back["PayerID"])
        return tx

    def calls(self, kind):
        return self.standin.ledger()["calls"].get(kind, 0)

    def performed(self, kind):
        return self.standin.ledger()["performed"].get(kind, 0)

    # --------------------------------------------------------------- tests
    def test_provider_supports_authorize_and_hides_its_secret(self):
        self.assertIn("paypal_rest", self.env["payment.acquirer"]._get_feature_support()[
            "authorize"])
        manager = new_user(self.env, "escrow.manager",
                           ["tktit_helpdesk.group_helpdesk_manager"])
        acquirer = self.acquirer.sudo(manager)
        self.assertEqual(acquirer.paypal_rest_client_id, "standin-client")
        with self.assertRaises(AccessError):
            acquirer.read(["paypal_rest_client_secret"])

    def test_authorize_then_capture_pays_and_reconciles_the_invoice(self):
        invoice = self.invoice()
        tx = self.transaction(invoice=invoice)
        approval = tx._paypal_rest_create_payment(RETURN_URL, CANCEL_URL, "Fee of T-1")
        self.assertTrue(approval.startswith(self.standin.url + "/checkoutnow?token=EC-"))
        self.assertEqual(tx.state, "pending")
        self.assertEqual(tx._paypal_rest_create_payment(RETURN_URL, CANCEL_URL, "x"),
                         approval, "asking again gives the same PayPal payment")
        back = self.standin.approve(approval)
        tx._paypal_rest_execute(back["paymentId"], back["PayerID"])
        self.assertEqual(tx.state, "authorized", "the amount is held")
        self.assertTrue(tx.paypal_rest_authorization_id and tx.paypal_rest_valid_until)
        self.assertGreater(tx.paypal_rest_valid_until, tx.paypal_rest_honor_until)
        tx._paypal_rest_execute(back["paymentId"], back["PayerID"])  # the browser again
        self.assertEqual(invoice.state, "open", "holding is not paying")
        tx.action_capture()
        self.assertEqual(tx.state, "done")
        self.assertTrue(tx.paypal_rest_capture_id)
        self.assertEqual(invoice.state, "paid", "the capture pays the invoice")
        self.assertEqual(invoice.payment_ids.payment_transaction_id, tx)
        self.assertEqual(invoice.payment_ids.journal_id, self.acquirer.journal_id)
        tx.paypal_rest_s2s_capture_transaction()  # again: nothing more
        self.assertEqual((self.calls("create"), self.calls("execute"), self.calls("capture")),
                         (1, 1, 1), "one create, one execute, one capture at PayPal")

    def test_void_releases_the_hold(self):
        tx = self.held()
        tx.action_void()
        self.assertEqual(tx.state, "cancel")
        self.assertEqual(self.performed("void"), 1)
        with self.assertRaises(ValidationError):
            tx.action_capture()
        self.assertEqual(self.calls("capture"), 0)
        pending = self.transaction()
        pending._paypal_rest_create_payment(RETURN_URL, CANCEL_URL, "never approved")
        pending.paypal_rest_s2s_void_transaction()
        self.assertEqual(pending.state, "cancel", "nothing held: cancelled without a call")
        self.assertEqual(self.calls("void"), 1)

    def test_tampered_return_is_refused(self):
        tx = self.transaction()
        other = self.transaction()
        approval = tx._paypal_rest_create_payment(RETURN_URL, CANCEL_URL, "Fee")
        other._paypal_rest_create_payment(RETURN_URL, CANCEL_URL, "Other fee")
        back = self.standin.approve(approval)
        with self.assertRaises(ValidationError):
            other._paypal_rest_execute(back["paymentId"], back["PayerID"])
        with self.assertRaisesRegex(UserError, "PayPal refused"):
            tx._paypal_rest_execute(back["paymentId"], "WRONGPAYER1")
        self.assertEqual((tx.state, other.state), ("pending", "pending"))
        self.assertFalse(tx.paypal_rest_authorization_id)

    def test_bad_amounts_and_currencies_call_no_one(self):
        for amount, currency, why in ((0.0, None, "zero"), (-5.0, None, "negative"),
                                      (100.0, self.env.ref("base.IRR"), "rial")):
            tx = self.transaction(amount=amount, currency=currency)
            with self.assertRaises(UserError, msg=why):
                tx._paypal_rest_create_payment(RETURN_URL, CANCEL_URL, "Fee")
            self.assertEqual(tx.state, "draft", why)
        self.assertEqual(self.calls("create"), 0, "refused before PayPal is called")

    def test_capture_whose_answer_is_lost_is_captured_once(self):
        tx = self.held()
        self.standin.set_fault("capture", "lose_response", delay=4)
        with self.assertRaises(UserError) as caught:
            tx.action_capture()
        self.assertTrue(caught.exception.retry, "a lost answer is worth sending again")
        self.assertEqual(tx.state, "authorized", "not recorded as captured yet")
        self.assertEqual(self.performed("capture"), 1, "PayPal did capture")
        tx.action_capture()
        self.assertEqual(tx.state, "done")
        ledger = self.standin.ledger()
        self.assertEqual(ledger["performed"].get("capture"), 1, "captured once at PayPal")
        self.assertEqual(len(ledger["captures"]), 1)

    def test_paypal_down_then_back(self):
        tx = self.held()
        self.standin.set_fault("capture", "error_500", times=1)
        with self.assertRaises(UserError) as caught:
            tx.action_capture()
        self.assertTrue(caught.exception.retry)
        self.assertEqual((tx.state, self.performed("capture")), ("authorized", 0))
        tx.action_capture()
        self.assertEqual((tx.state, self.performed("capture")), ("done", 1))

    def test_wrong_credentials_are_said_without_the_secret(self):
        self.acquirer.paypal_rest_client_secret = "a-wrong-secret-value"
        tx = self.transaction()
        with self.assertRaises(UserError) as caught:
            tx._paypal_rest_create_payment(RETURN_URL, CANCEL_URL, "Fee")
        self.assertIn("credentials", caught.exception.name)
        self.assertNotIn("a-wrong-secret-value", caught.exception.name)
        self.assertEqual(tx.state, "draft")
