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

from urllib.parse import parse_qs, urlsplit

import requests

from odoo import SUPERUSER_ID, _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from .payment_acquirer import PROVIDER, paypalrestsdk

_logger = logging.getLogger(__name__)

HONOR_PERIOD = timedelta(days=3)
# who may move a PayPal REST transaction's money by hand (Odoo's Capture / Void buttons,
# RPC): accounting managers and administrators; the ticket's lifecycle does it as
# superuser after its own role checks
MONEY_GROUPS = ("account.group_account_manager", "base.group_system")
# what only this module's code writes on a PayPal REST transaction
PROTECTED_FIELDS = frozenset([
    "state", "amount", "currency_id", "acquirer_id", "acquirer_reference", "reference",
    "account_invoice_id", "helpdesk_ticket_id", "date_validate", "paypal_rest_payment_id",
    "paypal_rest_approval_url", "paypal_rest_token", "paypal_rest_payer_id",
    "paypal_rest_authorization_id", "paypal_rest_capture_id", "paypal_rest_authorized_on",
    "paypal_rest_honor_until", "paypal_rest_valid_until", "paypal_rest_reauthorized"])


class PayPalError(UserError):
    """PayPal refused or did not answer; ``retry`` when sending again may succeed."""

    def __init__(self, message, retry=False):
        super(PayPalError, self).__init__(message)
        self.retry = retry


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
    # the checkout token PayPal puts on the return and cancel URLs: a return is this
    # transaction's only with both its payment id and its token
    paypal_rest_token = fields.Char("PayPal Checkout Token", readonly=True, copy=False,
                                    index=True)
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
    paypal_rest_reauthorized = fields.Boolean(
        "Reauthorized", readonly=True, copy=False,
        help="PayPal allows one reauthorization, after the honor period: it restarts the "
             "honor period, not the authorization's validity.")

    # ------------------------------------------------------------ guards
    def _is_paypal_rest(self):
        return any(tx.provider == PROVIDER for tx in self.sudo())

    def _check_money_rights(self):
        """Capturing or releasing held money by hand is for accounting managers and
        administrators: Odoo 11 lets every employee write transactions, so the check is
        here, whatever the path (button, RPC, s2s call)."""
        if self.env.uid == SUPERUSER_ID or any(
                self.env.user.has_group(group) for group in MONEY_GROUPS):
            return
        raise AccessError(_("Only accounting managers capture or release money held at "
                            "PayPal; the ticket's lifecycle does it by itself."))

    @api.model
    def create(self, vals):
        if vals.get("helpdesk_ticket_id") and self.env.uid != SUPERUSER_ID:
            # only the ticket's fee confirmation links a transaction to a ticket
            raise AccessError(_("A ticket's payment is started by its fee confirmation."))
        return super(PaymentTransaction, self).create(vals)

    @api.multi
    def write(self, vals):
        if self.env.uid != SUPERUSER_ID and set(vals) & PROTECTED_FIELDS and \
                self._is_paypal_rest():
            self._check_money_rights()
            if set(vals) & (PROTECTED_FIELDS - {"state", "state_message"}):
                raise AccessError(_("The PayPal details of a transaction are PayPal's "
                                    "answers: they cannot be edited."))
        return super(PaymentTransaction, self).write(vals)

    # -------------------------------------------------------------- calls
    def _paypal_rest_request_id(self, step):
        """The same id for the same step of the same transaction, on every attempt."""
        self.ensure_one()
        return "tktit-%s-%s-%d" % (self.env.cr.dbname, step, self.id)

    def _paypal_rest_call(self, step, call, resource=None):
        """Run ``call()`` (the SDK's call) and return the SDK resource that holds the
        answer: ``resource`` when given (the SDK fills it in and returns a boolean),
        else what ``call()`` returns. Every failure becomes a PayPalError with a message
        fit for users and logs (never a credential)."""
        self.ensure_one()
        try:
            result = call()
            if resource is not None:
                result = resource
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
        self._paypal_rest_call(_("payment creation"), payment.create, resource=payment)
        approval = [link.href for link in payment.links if link.rel == "approval_url"]
        if not approval:
            raise PayPalError(_("PayPal gave no approval page for the payment."))
        token = parse_qs(urlsplit(approval[0]).query).get("token", [""])[0]
        self.write({
            "paypal_rest_payment_id": payment.id,
            "paypal_rest_approval_url": approval[0],
            "paypal_rest_token": token or False,
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
                               lambda: payment.execute(body), resource=payment)
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
        """Capture the held amount (Odoo's ``action_capture`` calls this): accounting
        managers by hand, the ticket's satisfied closure as superuser."""
        self._check_money_rights()
        for tx in self:
            ticket = tx.sudo().helpdesk_ticket_id
            if not ticket:
                tx._paypal_rest_capture()
            elif not ticket._escrow_capture_due():
                # the escrow's promise: taken only once the customer is satisfied
                raise UserError(_("The fee of ticket %s is captured when the customer "
                                  "confirms the closure and their satisfaction.")
                                % ticket.number)
            else:
                ticket._escrow_capture()
        return True

    @api.multi
    def paypal_rest_s2s_void_transaction(self, **kwargs):
        """Release the held amount (Odoo's ``action_void`` calls this): accounting
        managers by hand, the ticket's cancellation as superuser."""
        self._check_money_rights()
        for tx in self:
            ticket = tx.sudo().helpdesk_ticket_id
            if not ticket:
                tx._paypal_rest_void()
            elif not ticket._escrow_release_due():
                raise UserError(_("The fee of ticket %s is released when the ticket is "
                                  "cancelled.") % ticket.number)
            else:
                ticket._escrow_release()
        return True

    def _paypal_rest_capture(self):
        """Capture the whole held amount, once: the row lock, then PayPal (the same
        PayPal-Request-Id on every attempt, so a capture whose answer was lost is
        answered, not repeated); then, as Odoo's payment flow does, pay and reconcile
        the transaction's invoice."""
        self.ensure_one()
        self._lock()
        if self.state == "done":
            return True
        if self.state != "authorized":
            raise ValidationError(_("Payment %(ref)s is %(state)s: there is nothing held "
                                    "to capture.") % {"ref": self.reference,
                                                      "state": self.state})
        authorization = paypalrestsdk.Authorization(
            {"id": self.paypal_rest_authorization_id},
            api=self.acquirer_id._paypal_rest_api())
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
        if self.account_invoice_id and self.account_invoice_id.state == "open":
            self._confirm_invoice()
        return True

    def _paypal_rest_void(self):
        """Release the held amount, once (row lock, idempotent request id)."""
        self.ensure_one()
        self._lock()
        if self.state == "cancel":
            return True
        if self.state in ("draft", "pending"):
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
        self._paypal_rest_call(_("release"), lambda: authorization.post(
            "void", body, authorization), resource=authorization)
        self.write({"state": "cancel", "state_message": False})
        return True

    def _paypal_rest_reauthorize(self):
        """Past the three-day honor period, hold the amount again (once, as PayPal
        allows): a new authorization with a new honor period, valid until the first
        one's end. Returns False when it was done before or is not due yet."""
        self.ensure_one()
        self._lock()
        now = fields.Datetime.now()
        if self.state != "authorized" or self.paypal_rest_reauthorized or \
                (self.paypal_rest_honor_until or now) > now:
            return False
        authorization = paypalrestsdk.Authorization(
            {"id": self.paypal_rest_authorization_id},
            api=self.acquirer_id._paypal_rest_api())
        body = self._paypal_rest_resource({"amount": {
            "currency": self.currency_id.name,
            "total": self.acquirer_id._paypal_rest_amount(self.amount, self.currency_id)}},
            "reauthorize")
        answer = paypalrestsdk.Authorization({}, api=authorization.api)
        self._paypal_rest_call(_("reauthorization"), lambda: authorization.post(
            "reauthorize", body, answer), resource=answer)
        moment = fields.Datetime.from_string(now)
        valid_until = _paypal_time(answer.valid_until) if getattr(
            answer, "valid_until", None) else self.paypal_rest_valid_until
        honor = fields.Datetime.to_string(moment + HONOR_PERIOD)
        self.write({
            "paypal_rest_authorization_id": answer.id,
            "paypal_rest_reauthorized": True,
            "paypal_rest_honor_until": min(honor, valid_until) if valid_until else honor,
            "paypal_rest_valid_until": valid_until,
            "state_message": False,
        })
        return True
