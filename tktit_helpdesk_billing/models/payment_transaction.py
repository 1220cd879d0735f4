# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The PayPal REST calls of a transaction: create the payment (intent ``authorize``),
execute it when the customer comes back approved (the amount is then held), capture or
void the authorization.

Exactly once: every call carries a PayPal-Request-Id made from the transaction (PayPal
answers a repeated id with the first answer instead of acting again), and capture and
void take the transaction's row lock first. A call that times out or fails leaves the
transaction as it was, with the reason in ``state_message``: sending it again is safe."""
import logging
from datetime import datetime, timedelta

import requests

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from .payment_acquirer import PROVIDER, paypalrestsdk

_logger = logging.getLogger(__name__)

HONOR_PERIOD = timedelta(days=3)


class PayPalError(UserError):
    """PayPal refused or did not answer; ``retry`` when sending again may succeed."""

    def __init__(self, message, retry=False):
        super(PayPalError, self).__init__(message)
        self.retry = retry


def _done(_success, resource):
    """The resource a call filled in (its ``error`` says whether PayPal refused)."""
    return resource


def _paypal_time(value):
    """PayPal's ISO 8601 time (``2026-12-30T10:00:00Z``) as an Odoo datetime string."""
    if not value:
        return False
    moment = datetime.strptime(value[:19], "%Y-%m-%dT%H:%M:%S")
    return fields.Datetime.to_string(moment)


class PaymentTransaction(models.Model):
    _inherit = "payment.transaction"

    helpdesk_ticket_id = fields.Many2one(
        "helpdesk.ticket", "Ticket", index=True, readonly=True, ondelete="restrict")
    paypal_rest_payment_id = fields.Char("PayPal Payment", readonly=True, index=True,
                                         copy=False)
    paypal_rest_approval_url = fields.Char("PayPal Approval URL", readonly=True, copy=False)
    paypal_rest_payer_id = fields.Char("PayPal Payer", readonly=True, copy=False)
    paypal_rest_authorization_id = fields.Char("PayPal Authorization", readonly=True,
                                               copy=False)
    paypal_rest_capture_id = fields.Char("PayPal Capture", readonly=True, copy=False)
    paypal_rest_authorized_on = fields.Datetime("Held Since", readonly=True, copy=False)
    paypal_rest_honor_until = fields.Datetime(
        "Honor Period Until", readonly=True, copy=False,
        help="PayPal guarantees the held funds for three days; after that a capture may "
             "still succeed until the authorization expires.")
    paypal_rest_valid_until = fields.Datetime("Authorization Valid Until", readonly=True,
                                              copy=False)

    # -------------------------------------------------------------- calls
    def _paypal_rest_request_id(self, step):
        """The same id for the same step of the same transaction, on every attempt."""
        self.ensure_one()
        return "tktit-%s-%s-%d" % (self.env.cr.dbname, step, self.id)

    def _paypal_rest_call(self, step, call):
        """Run ``call()`` (the SDK's call, returning the SDK resource that holds the
        answer), turning every failure into a PayPalError with a message fit for users
        and logs (never a credential)."""
        self.ensure_one()
        try:
            result = call()
        except (requests.exceptions.Timeout, requests.exceptions.ConnectionError) as error:
            _logger.warning("PayPal %s of transaction %s: no answer (%s)", step,
                            self.reference, type(error).__name__)
            raise PayPalError(_("PayPal did not answer (%s). Nothing is lost: it will be "
                                "tried again.") % step, retry=True)
        except paypalrestsdk.exceptions.ServerError as error:
            _logger.warning("PayPal %s of transaction %s: server error %s", step,
                            self.reference, getattr(error.response, "status_code", "?"))
            raise PayPalError(_("PayPal had an error (%s). Nothing is lost: it will be "
                                "tried again.") % step, retry=True)
        except paypalrestsdk.exceptions.UnauthorizedAccess:
            _logger.error("PayPal %s of transaction %s: the acquirer's credentials were "
                          "refused", step, self.reference)
            raise PayPalError(_("PayPal refused the shop's credentials: an administrator "
                                "must check the PayPal acquirer."))
        except paypalrestsdk.exceptions.ClientError as error:
            _logger.warning("PayPal %s of transaction %s refused: %s", step,
                            self.reference, type(error).__name__)
            raise PayPalError(_("PayPal refused the %(step)s (%(error)s).") % {
                "step": step, "error": type(error).__name__})
        except paypalrestsdk.exceptions.ConnectionError as error:
            # the SDK's own base class: redirections and unknown answers
            _logger.warning("PayPal %s of transaction %s: %s", step, self.reference,
                            type(error).__name__)
            raise PayPalError(_("PayPal could not be reached (%s).") % step, retry=True)
        # a 400 does not raise: the SDK puts PayPal's error body on the resource
        error = getattr(result, "error", None)
        if error:
            _logger.warning("PayPal %s of transaction %s refused: %s %s", step,
                            self.reference, error.get("name"), error.get("debug_id"))
            raise PayPalError(_("PayPal refused the %(step)s: %(message)s") % {
                "step": step, "message": error.get("message") or error.get("name") or
                _("no reason given")})
        return result

    def _paypal_rest_resource(self, attributes, step):
        """A request body whose PayPal-Request-Id is this step's (see above)."""
        resource = paypalrestsdk.resource.Resource(attributes, api=self.acquirer_id
                                                   ._paypal_rest_api())
        resource.request_id = self._paypal_rest_request_id(step)
        return resource

    # ------------------------------------------------------- the steps
    def _paypal_rest_create_payment(self, return_url, cancel_url, description):
        """Create the PayPal payment (intent ``authorize``); returns the approval URL
        the customer is sent to. Idempotent: a transaction keeps its payment."""
        self.ensure_one()
        if self.provider != PROVIDER:
            raise ValidationError(_("Transaction %s is not a PayPal REST one.")
                                  % self.reference)
        if self.paypal_rest_payment_id:
            return self.paypal_rest_approval_url
        api_client = self.acquirer_id._paypal_rest_api()
        total = self.acquirer_id._paypal_rest_amount(self.amount, self.currency_id)
        payment = paypalrestsdk.Payment({
            "intent": "authorize",
            "payer": {"payment_method": "paypal"},
            "redirect_urls": {"return_url": return_url, "cancel_url": cancel_url},
            "transactions": [{
                "amount": {"total": total, "currency": self.currency_id.name},
                "description": description[:127],
                "invoice_number": self.reference,
                "custom": self.reference,
            }],
        }, api=api_client)
        payment.request_id = self._paypal_rest_request_id("create")
        self._paypal_rest_call(_("payment creation"), lambda: _done(payment.create(), payment))
        approval = [link.href for link in payment.links if link.rel == "approval_url"]
        if not approval:
            raise PayPalError(_("PayPal gave no approval page for the payment."))
        self.write({
            "paypal_rest_payment_id": payment.id,
            "paypal_rest_approval_url": approval[0],
            "acquirer_reference": payment.id,
            "state": "pending",
        })
        return approval[0]

    def _paypal_rest_execute(self, payment_id, payer_id):
        """The customer approved at PayPal: execute the payment, which holds the amount
        (state ``authorized``). Checks that PayPal's return is this transaction's."""
        self.ensure_one()
        if not payment_id or payment_id != self.paypal_rest_payment_id:
            raise ValidationError(_("This PayPal return does not belong to payment %s.")
                                  % self.reference)
        if self.state == "authorized":
            return True  # the customer's browser came back twice
        if self.state != "pending":
            raise ValidationError(_("Payment %(ref)s is %(state)s: it cannot be held "
                                    "again.") % {"ref": self.reference, "state": self.state})
        if not payer_id or len(payer_id) > 64:
            raise ValidationError(_("PayPal's return has no valid payer."))
        payment = paypalrestsdk.Payment({"id": payment_id},
                                        api=self.acquirer_id._paypal_rest_api())
        body = self._paypal_rest_resource({"payer_id": payer_id}, "execute")
        self._paypal_rest_call(_("payment approval"),
                               lambda: _done(payment.execute(body), payment))
        authorization = self._paypal_rest_authorization_of(payment)
        now = fields.Datetime.from_string(fields.Datetime.now())
        self.write({
            "state": "authorized",
            "paypal_rest_payer_id": payer_id,
            "paypal_rest_authorization_id": authorization["id"],
            "paypal_rest_authorized_on": fields.Datetime.to_string(now),
            "paypal_rest_honor_until": fields.Datetime.to_string(now + HONOR_PERIOD),
            "paypal_rest_valid_until": _paypal_time(authorization.get("valid_until")),
            "state_message": False,
        })
        return True

    def _paypal_rest_authorization_of(self, payment):
        for transaction in payment.to_dict().get("transactions", []):
            for resource in transaction.get("related_resources", []):
                if "authorization" in resource:
                    authorization = resource["authorization"]
                    if authorization.get("state") not in ("authorized", "pending"):
                        raise PayPalError(_("PayPal did not hold the amount (%s).")
                                          % authorization.get("state"))
                    return authorization
        raise PayPalError(_("PayPal's answer holds no authorization."))

    def _lock(self):
        """The transaction's row lock, for the time of this transaction: a second
        capture or void of the same transaction waits for the first; when the first
        committed, PostgreSQL refuses the second's lock (a serialization failure, which
        Odoo's request layer retries: the retry then sees the first's result)."""
        self.env.cr.execute(
            "SELECT id FROM payment_transaction WHERE id = %s FOR UPDATE", (self.id,))
        self.invalidate_cache(ids=self.ids)

    @api.multi
    def paypal_rest_s2s_capture_transaction(self, **kwargs):
        """Capture the held amount (Odoo's ``action_capture`` calls this); then, as
        Odoo's payment flow does, pay and reconcile the transaction's invoice."""
        self.ensure_one()
        self._lock()
        if self.state == "done":
            return True
        if self.state != "authorized":
            raise ValidationError(_("Payment %(ref)s is %(state)s: there is nothing held "
                                    "to capture.") % {"ref": self.reference,
                                                      "state": self.state})
        api_client = self.acquirer_id._paypal_rest_api()
        authorization = paypalrestsdk.Authorization(
            {"id": self.paypal_rest_authorization_id}, api=api_client)
        body = self._paypal_rest_resource({
            "amount": {"currency": self.currency_id.name,
                       "total": self.acquirer_id._paypal_rest_amount(
                           self.amount, self.currency_id)},
            "is_final_capture": True,
        }, "capture")
        capture = self._paypal_rest_call(_("capture"), lambda: authorization.capture(body))
        if capture.state not in ("completed", "pending"):
            raise PayPalError(_("PayPal did not capture the amount (%s).") % capture.state)
        self.write({
            "state": "done", "paypal_rest_capture_id": capture.id,
            "date_validate": fields.Datetime.now(), "state_message": False,
        })
        if self.account_invoice_id:
            self._confirm_invoice()
        return True

    @api.multi
    def paypal_rest_s2s_void_transaction(self, **kwargs):
        """Release the held amount (Odoo's ``action_void`` calls this)."""
        self.ensure_one()
        self._lock()
        if self.state == "cancel":
            return True
        if self.state == "pending":
            # never approved at PayPal: nothing is held, nothing to call
            self.write({"state": "cancel", "state_message": _("Not approved at PayPal.")})
            return True
        if self.state != "authorized":
            raise ValidationError(_("Payment %(ref)s is %(state)s: there is nothing held "
                                    "to release.") % {"ref": self.reference,
                                                      "state": self.state})
        authorization = paypalrestsdk.Authorization(
            {"id": self.paypal_rest_authorization_id},
            api=self.acquirer_id._paypal_rest_api())
        body = self._paypal_rest_resource({}, "void")
        self._paypal_rest_call(_("release"), lambda: _done(
            authorization.post("void", body, authorization), authorization))
        self.write({"state": "cancel", "state_message": False})
        return True
