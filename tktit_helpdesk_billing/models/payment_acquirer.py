# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""PayPal REST (v1 payments API, paypalrestsdk) as an Odoo payment acquirer that
authorizes first and captures later: the escrow of the ticket's fee."""
import hashlib
import logging
import threading

from odoo import _, api, fields, models
from odoo.exceptions import UserError

_logger = logging.getLogger(__name__)

# the SDK logs the requests' headers and bodies at DEBUG level (in sandbox mode): the
# OAuth request's Basic credentials and the bearer tokens. Never below INFO, whatever
# the server's log level: secrets stay out of the logs.
logging.getLogger("paypalrestsdk").setLevel(logging.INFO)

try:
    import paypalrestsdk
except ImportError:  # pragma: no cover - a requirement of this addon (requirements.txt)
    paypalrestsdk = None
    _logger.warning("paypalrestsdk is not installed: the PayPal REST acquirer cannot work")

PROVIDER = "paypal_rest"
# the currencies PayPal's REST API accepts (a fee in another currency cannot be held)
PAYPAL_CURRENCIES = frozenset(
    "AUD BRL CAD CHF CZK DKK EUR GBP HKD HUF ILS JPY MXN MYR NOK NZD PHP PLN RUB SEK SGD "
    "THB TWD USD".split())
ZERO_DECIMAL_CURRENCIES = frozenset(["HUF", "JPY", "TWD"])
DEFAULT_TIMEOUT = 20
# the SDK clients of this worker process (see PaymentAcquirer._paypal_rest_api)
_API_CLIENTS = {}
_API_LOCK = threading.Lock()


if paypalrestsdk:
    class PayPalApi(paypalrestsdk.Api):
        """paypalrestsdk's client with a timeout on every call, the OAuth one included:
        the SDK sets none, and a PayPal that never answers would hold an Odoo worker."""

        def __init__(self, options=None, timeout=DEFAULT_TIMEOUT, **kwargs):
            super(PayPalApi, self).__init__(options, **kwargs)
            self.timeout = timeout

        def http_call(self, url, method, **kwargs):
            kwargs.setdefault("timeout", self.timeout)
            return super(PayPalApi, self).http_call(url, method, **kwargs)


class PaymentAcquirer(models.Model):
    _inherit = "payment.acquirer"

    provider = fields.Selection(selection_add=[(PROVIDER, "PayPal (REST, authorize and capture)")])
    paypal_rest_client_id = fields.Char(
        "PayPal Client ID", required_if_provider=PROVIDER, groups="base.group_user")
    # the secret is for system administrators only: never in logs, mails or the portal
    paypal_rest_client_secret = fields.Char(
        "PayPal Client Secret", required_if_provider=PROVIDER, groups="base.group_system")
    paypal_rest_endpoint = fields.Char(
        "PayPal API Endpoint", groups="base.group_user",
        help="Empty: PayPal's own address for the environment (sandbox for Test, "
             "live for Production). Set: that base URL instead, e.g. a local stand-in.")
    paypal_rest_timeout = fields.Integer(
        "PayPal Timeout (s)", default=DEFAULT_TIMEOUT, groups="base.group_user",
        help="Seconds an Odoo worker waits for PayPal's answer to each call.")

    @api.model
    def _get_feature_support(self):
        support = super(PaymentAcquirer, self)._get_feature_support()
        support["authorize"].append(PROVIDER)
        return support

    @api.constrains("paypal_rest_timeout")
    def _check_paypal_rest_timeout(self):
        for acquirer in self.filtered(lambda a: a.provider == PROVIDER):
            if not 1 <= acquirer.paypal_rest_timeout <= 120:
                raise UserError(_("The PayPal timeout is between 1 and 120 seconds."))

    def _paypal_rest_api(self):
        """The SDK client for this acquirer (read as sudo: the secret is the system's,
        whoever triggers the call). One client per worker process and set of settings,
        so that its OAuth token is reused until it expires (the SDK fetches a new one
        then, or when PayPal refuses it) instead of one token request per call."""
        self.ensure_one()
        if not paypalrestsdk:
            raise UserError(_("The PayPal REST SDK (paypalrestsdk) is not installed."))
        acquirer = self.sudo()
        options = {
            "mode": "live" if acquirer.environment == "prod" else "sandbox",
            "client_id": acquirer.paypal_rest_client_id or "",
            "client_secret": acquirer.paypal_rest_client_secret or "",
        }
        if acquirer.paypal_rest_endpoint:
            options["endpoint"] = acquirer.paypal_rest_endpoint.rstrip("/")
        timeout = acquirer.paypal_rest_timeout or DEFAULT_TIMEOUT
        # the key holds a digest of the secret, never the secret itself
        key = (self.env.cr.dbname, acquirer.id, timeout, hashlib.sha256(
            repr(sorted(options.items())).encode("utf-8")).hexdigest())
        with _API_LOCK:
            api_client = _API_CLIENTS.get(key)
            if api_client is None:
                if len(_API_CLIENTS) > 32:  # settings changed many times: start afresh
                    _API_CLIENTS.clear()
                api_client = _API_CLIENTS[key] = PayPalApi(timeout=timeout, **options)
        return api_client

    @api.model
    def _paypal_rest_amount(self, amount, currency):
        """An amount as PayPal's ``total`` string, or a UserError for a currency or an
        amount PayPal cannot hold."""
        if currency.name not in PAYPAL_CURRENCIES:
            raise UserError(_("PayPal does not accept payments in %s: the fee cannot be "
                              "held. Ask operations for a quote in another currency.")
                            % currency.name)
        if currency.is_zero(amount) or amount < 0:
            raise UserError(_("The amount to hold must be more than zero."))
        digits = 0 if currency.name in ZERO_DECIMAL_CURRENCIES else 2
        return "%.*f" % (digits, currency.round(amount))
