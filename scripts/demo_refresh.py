# Run by `make run` in `odoo shell`, on the demo database after its install or upgrade:
# - the demo field operator's open visits are today's and tomorrow's again, whatever the
#   day the database was made (its data is installed once; the tablet app at /field
#   lists today's and tomorrow's visits). Only visits still in progress with nothing
#   signed are moved.
# - the PayPal escrow acquirer points at the local PayPal stand-in started by `make run`
#   (PAYPAL_STANDIN_URL), unless an administrator configured real credentials.
import os
from datetime import datetime, time, timedelta

import pytz

from odoo import fields

PLAN = (("tktit_helpdesk_billing.ticket_field_today_demo", 0, time(8, 30)),
        ("tktit_helpdesk_billing.ticket_field_tomorrow_demo", 1, time(13, 0)))
operator = env.ref(  # noqa: F821  (odoo shell's env)
    "tktit_helpdesk_billing.user_field_op_demo", raise_if_not_found=False)
zone = pytz.timezone((operator and operator.tz) or "UTC")
today = datetime.now(zone).date()
for xmlid, days, at in PLAN:
    ticket = env.ref(xmlid, raise_if_not_found=False)  # noqa: F821
    if not ticket or ticket.state != "in_progress" or ticket.delivery_note_ids.filtered(
            lambda n: n.state == "signed"):
        continue
    moment = zone.localize(datetime.combine(today + timedelta(days=days), at))
    value = fields.Datetime.to_string(moment.astimezone(pytz.utc).replace(tzinfo=None))
    if ticket.visit_date != value:
        ticket.sudo().write({"visit_date": value})
        print("demo visit %s planned %s" % (ticket.number, moment.strftime("%Y-%m-%d %H:%M")))
STANDIN_URL = os.environ.get("PAYPAL_STANDIN_URL")
acquirer = env.ref(  # noqa: F821
    "tktit_helpdesk_billing.payment_acquirer_paypal_rest", raise_if_not_found=False)
if STANDIN_URL and acquirer and (
        acquirer.paypal_rest_client_id in ("not-configured", "standin-client")):
    acquirer.write({"paypal_rest_client_id": "standin-client",
                    "paypal_rest_client_secret": "standin-secret",
                    "paypal_rest_endpoint": STANDIN_URL, "environment": "test"})
    print("PayPal escrow acquirer -> local stand-in %s (not PayPal)" % STANDIN_URL)
env.cr.commit()  # noqa: F821
