"""The local PayPal stand-in (scripts/paypal_standin.py) for the tests: its module,
loaded from its path (it is a script, not a package), and the acquirer pointed at it."""
import importlib.util
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ACQUIRER = "tktit_helpdesk_billing.payment_acquirer_paypal_rest"
STANDIN_CREDENTIALS = {"paypal_rest_client_id": "standin-client",
                       "paypal_rest_client_secret": "standin-secret"}


def standin_module():
    spec = importlib.util.spec_from_file_location(
        "tktit_paypal_standin", os.path.join(ROOT, "scripts", "paypal_standin.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def point_acquirer(env, url, timeout=2):
    """The escrow acquirer of ``env``'s database talks to the stand-in at ``url``."""
    acquirer = env.ref(ACQUIRER)
    acquirer.write(dict(STANDIN_CREDENTIALS, paypal_rest_endpoint=url,
                        paypal_rest_timeout=timeout))
    return acquirer
