"""The expected access of tests/test_security_matrix.py.

``MODEL_ACCESS[model][role]``: the letters of what ``role`` may do on the model's probe
record (customer B's where the model has one: B's field ticket in queue X, its file,
message, rating, timesheet line, material, signed delivery note, invoice, transaction;
else the first record): ``r`` read, ``w`` write, ``c`` create (access rights only),
``u`` unlink; for ir.attachment, ``c`` is attaching a file to B's ticket and
``u`` a real unlink of a copy of B's file (rolled back). Any difference, by the ORM or by
JSON-RPC, fails the test. mail.mail: Odoo 11's access rights let portal users and
employees queue mails (their messages' notifications); what a customer may actually create
there is checked by mail.mail.create itself (test_customers_cannot_relay_mail).
"""
ADDONS = ("tktit_helpdesk", "tktit_helpdesk_sla", "tktit_helpdesk_billing")
ROLES = ("public", "customer_a", "customer_b", "contact_a", "expert_x", "expert_not_x",
         "field_op", "field_op_2", "accountant", "qc", "committee", "qa_manager",
         "operations")

# one line per model: the letters of each role, in the order of ROLES ("-": none)
_TABLE = """
account.analytic.line         -    -    -    -    rc   rc   rwcu rc   rwcu rc   rc   rc   rc
account.invoice               -    -    r    -    -    -    -    -    rwcu -    -    -    -
helpdesk.canned.answer        -    -    -    -    rc   rc   -    -    -    rc   rc   rwcu rwc
helpdesk.delivery.note        -    -    r    -    c    c    rwcu c    r    c    c    rwcu rwcu
helpdesk.delivery.note.line   -    -    r    -    -    -    r    -    r    -    -    rwcu r
helpdesk.expert.application   -    -    -    -    -    -    -    -    -    -    -    rwcu rwc
helpdesk.priority.matrix      -    -    -    -    -    -    -    -    -    -    -    rwcu r
helpdesk.queue                -    -    -    -    r    r    r    r    r    r    r    rwcu r
helpdesk.registration         -    -    -    -    -    -    -    -    -    -    -    -    -
helpdesk.registration.pending -    -    -    -    -    -    -    -    -    -    -    -    -
helpdesk.satisfaction.digest  -    -    -    -    -    -    -    -    -    -    -    -    -
helpdesk.sla.policy           -    -    -    -    r    r    -    -    -    r    r    rwcu r
helpdesk.sla.report           -    -    -    -    -    -    -    -    -    r    r    r    r
helpdesk.specialization       r    r    r    r    r    r    r    r    -    r    r    rwcu r
helpdesk.support.contract     -    -    -    -    -    -    -    -    r    -    -    rwcu rwc
helpdesk.support.plan         -    -    -    -    r    r    -    -    -    r    r    rwcu r
helpdesk.technology           r    r    r    r    r    r    r    r    r    r    r    rwcu r
helpdesk.ticket               -    -    r    -    rw   -    rw   -    r    rw   rw   rwcu rwc
helpdesk.ticket.assign        rwcu rwcu rwcu rwcu rwcu rwcu rwcu rwcu rwcu rwcu rwcu rwcu rwcu
helpdesk.ticket.intake        -    -    -    -    -    -    -    -    -    -    -    -    -
helpdesk.ticket.material      -    -    -    -    -    -    rwcu c    r    -    -    rwcu rwcu
helpdesk.ticket.qc.reject     rwcu rwcu rwcu rwcu rwcu rwcu rwcu rwcu rwcu rwcu rwcu rwcu rwcu
helpdesk.ticket.reply         rwcu rwcu rwcu rwcu rwcu rwcu rwcu rwcu rwcu rwcu rwcu rwcu rwcu
helpdesk.ticket.timer         -    -    -    -    rwcu rwcu rwcu rwcu -    rwcu rwcu rwcu rwcu
ir.attachment                 -    -    r    -    rwcu -    rwcu -    r    rwcu rwcu rwcu rwcu
ir.qweb.field.date            -    -    -    -    -    -    -    -    -    -    -    -    -
ir.qweb.field.datetime        -    -    -    -    -    -    -    -    -    -    -    -    -
mail.mail                     -    wc   wc   wc   wc   wc   wc   wc   wc   wc   wc   wc   wc
mail.message                  -    c    rwc  c    rwcu c    rwcu c    rc   rwcu rwcu rwcu rwcu
mail.thread                   rwcu rwcu rwcu rwcu rwcu rwcu rwcu rwcu rwcu rwcu rwcu rwcu rwcu
payment.acquirer              r    r    r    r    r    r    r    r    r    r    r    r    r
payment.transaction           -    -    r    -    c    c    c    c    rc   c    c    rc   rc
rating.rating                 c    c    rc   c    c    c    c    c    c    c    c    rc   rc
res.company                   r    r    r    r    r    r    r    r    r    r    r    r    r
res.groups                    -    -    -    -    r    r    r    r    r    r    r    r    r
res.lang                      r    r    r    r    r    r    r    r    r    r    r    r    r
res.partner                   -    -    r    -    r    r    r    r    r    r    r    r    r
res.users                     -    -    r    -    r    r    r    r    r    r    r    r    r
resource.calendar             -    -    -    -    r    r    r    r    r    r    r    rwcu r
resource.calendar.attendance  -    -    -    -    r    r    r    r    r    r    r    rwcu r
resource.calendar.leaves      -    -    -    -    rc   rc   rc   rc   rc   rc   rc   rwcu rc
stock.picking                 -    -    -    -    -    -    -    -    rwc  -    -    -    -
stock.production.lot          -    -    -    -    -    -    -    -    r    -    -    rwc  rwc
"""
MODEL_ACCESS = {}
for _line in _TABLE.strip().splitlines():
    _model, *_cells = _line.split()
    assert len(_cells) == len(ROLES), _model
    MODEL_ACCESS[_model] = {role: cell.strip("-") for role, cell in zip(ROLES, _cells)}

# the roles with no business on customer B's records
STRANGERS = ("public", "customer_a", "contact_a", "expert_not_x", "field_op_2")
_TICKET_STRANGERS = STRANGERS + ("accountant",)

# every public action_* method of the addons' classes, by model: the roles whose call on
# the probe record must be refused (AccessError / UserError / ValidationError /
# MissingError, or no session) and leave it unchanged
ACTIONS = {
    "account.invoice": {"action_invoice_paid": STRANGERS + ("customer_b", "expert_x")},
    "helpdesk.canned.answer": {"action_mark_reviewed": STRANGERS},
    "helpdesk.delivery.note": {
        "action_cancel_signed": STRANGERS + ("customer_b", "accountant"),
        "action_refresh_lines": STRANGERS + ("customer_b",),
        "action_sign": STRANGERS + ("accountant",)},
    "helpdesk.expert.application": {
        "action_approve": STRANGERS, "action_refuse": STRANGERS,
        "action_submit": STRANGERS},
    "helpdesk.queue": {"action_assign_next": STRANGERS, "action_open_dispatch": STRANGERS,
                       "action_open_tickets": STRANGERS},
    "helpdesk.ticket": {name: _TICKET_STRANGERS for name in (
        "action_assign", "action_cancel", "action_cancel_fee_payment", "action_close",
        "action_confirm_fee", "action_create_canned_answer", "action_customer_confirm",
        "action_customer_unreachable", "action_final_approve", "action_hold_fee",
        "action_open_customer_history", "action_qc_approve", "action_qc_reject",
        "action_reopen", "action_request_clarification", "action_resolve_on_site",
        "action_retry_fee_payment", "action_send_to_dispatch", "action_sla_recompute",
        "action_timer_start", "action_timer_stop", "action_work_completed")},
    "helpdesk.ticket.assign": {"action_assign": STRANGERS},
    "helpdesk.ticket.qc.reject": {"action_reject": STRANGERS},
    "helpdesk.ticket.reply": {"action_send": STRANGERS},
    "res.partner": {"action_open_helpdesk_tickets": ("public", "customer_a", "contact_a")},
}
# actions that only open a window (no data of the record, nothing changed): a stranger
# may get the window action, never the record in it
NAVIGATION = ("action_open_dispatch", "action_open_customer_history",
              "action_open_helpdesk_tickets", "action_open_tickets")
# positional arguments after the ids ("@role": that role's user id)
ACTION_ARGS = {
    "action_assign": ["@expert_x"],
    "action_qc_reject": ["Not good"],
    "action_customer_confirm": [True],
    "action_sign": ["Mallory", "data:image/png;base64,iVBORw0KGgo="],
    "action_cancel_signed": ["Mallory wants it gone"],
    "action_resolve_on_site": ["<p>Done</p>"],
    "action_hold_fee": ["PAY-1", "EC-1", "PAYER-1"],
    "action_cancel_fee_payment": ["EC-1"],
    "action_refuse": ["No"],
}

# every other public method the addons' classes define (JSON-RPC reaches any name
# without a leading underscore): the roles whose call on customer B's record (or on the
# model, for "@model") must be refused and change nothing, or why it is not probed
ALL_ROLES = ROLES
OTHER_METHODS = {
    "helpdesk.ticket": {
        # Odoo's schema hook (DDL: the dispatcher indexes): odoo.service.model refuses
        # init remotely, as it refuses private names; probed so that a port keeps it
        "init": ("@model",) + ALL_ROLES,
        "get_access_action": "reads the record: the ORM matrix covers it",
        "get_mail_url": "reads the record: the ORM matrix covers it",
        "get_portal_link": "reads the record: the ORM matrix covers it",
        "get_rating_url": "reads the record: the ORM matrix covers it",
        "rating_get_partner_id": "reads the record: the ORM matrix covers it",
        "rating_get_rated_partner_id": "reads the record: the ORM matrix covers it",
        "message_get_suggested_recipients": "mail.thread's, reads the record",
        # the mail gateway's hooks, public in mail.thread: a forged "mail" by RPC is
        # refused to whoever may not create (or read) tickets
        "message_new": ("@model",) + tuple(
            r for r in ALL_ROLES if r not in ("operations", "qa_manager")),
        "message_update": STRANGERS,
    },
    "helpdesk.queue": {
        "get_alias_model_name": "mail.alias.mixin's, returns a model name",
        "get_alias_values": "mail.alias.mixin's, reads the record",
    },
    "account.invoice": {"get_portal_link": "reads the record: the ORM matrix covers it"},
    "helpdesk.delivery.note": {
        "get_lines_digest": "reads the record: the ORM matrix covers it",
        "get_signed_on_local": "reads the record: the ORM matrix covers it",
    },
    "payment.transaction": {
        # money held at PayPal: accounting managers (none of the roles) and the lifecycle
        "paypal_rest_s2s_capture_transaction": ALL_ROLES,
        "paypal_rest_s2s_void_transaction": ALL_ROLES,
    },
    "helpdesk.sla.report": {"init": ("@model",) + ALL_ROLES},  # DROP/CREATE VIEW
    "rating.rating": {"init": ("@model",) + ALL_ROLES},  # the rated_on backfill (UPDATE)
    "ir.attachment": {"check": "the access check itself"},
    "ir.qweb.field.date": {"value_to_html": "formats a value it is given"},
    "ir.qweb.field.datetime": {"value_to_html": "formats a value it is given"},
    "res.partner": {"format_local_datetime": "formats a date for the partner: reads "
                                             "their language and time zone only"},
    "mail.mail": {"process_email_queue": ("@model",) + ALL_ROLES},  # the cron's
    "mail.message": {"check_access_rule": "the access check itself"},
}
# their positional arguments after the ids ("@partner_b": customer B's partner id)
OTHER_ARGS = {
    "message_new": [{"author_id": "@partner_b", "subject": "Forged by RPC",
                     "body": "<p>forged</p>", "from": "b@example.com"}],
    "message_update": [{"subject": "Forged by RPC", "body": "<p>forged</p>"}],
}

# every route of the addons' controllers (what odoo.http's routing map serves from them)
ROUTES = (
    "/field", "/field/note/<int:note_id>/sign", "/field/session", "/field/sw.js",
    "/field/ticket/<int:ticket_id>", "/field/ticket/<int:ticket_id>/hours",
    "/field/ticket/<int:ticket_id>/material", "/field/ticket/<int:ticket_id>/resolve",
    "/field/ticket/<int:ticket_id>/timer/<any(start,stop):action>",
    "/helpdesk/rating/<string:token>/<int:stars>", "/helpdesk/rating/<string:token>/submit",
    "/helpdesk/register", "/helpdesk/register/verify", "/mail/chatter_post",
    "/my/ticket/<int:ticket_id>", "/my/ticket/<int:ticket_id>/attachment/<int:attachment_id>",
    "/my/ticket/<int:ticket_id>/confirm", "/my/ticket/<int:ticket_id>/fee/confirm",
    "/my/ticket/<int:ticket_id>/message", "/my/ticket/<int:ticket_id>/note/<int:note_id>/pdf",
    "/my/tickets", "/my/tickets/new", "/my/tickets/page/<int:page>",
    "/payment/paypal_rest/cancel", "/payment/paypal_rest/return",
    "/rating/<string:token>/<int:rate>", "/rating/<string:token>/<int:rate>/submit_feedback",
)

# GETs of customer B's things that STRANGERS must not get (403/404/redirect to login,
# never a 200 with the content); customer B (the owner) gets a 200 where marked "owner"
ROUTE_PROBES = (
    "/my/ticket/{ticket}",
    "/my/ticket/{ticket}/attachment/{attachment}",
    "/my/ticket/{ticket}/note/{note}/pdf",
    "/field/ticket/{ticket}",
    "/web/content/{attachment}",
    "/web/content/{attachment}?download=true",
    "/web/content/ir.attachment/{attachment}/datas",
    "/web/image/{attachment}",
    "/web/content/mail.message/{message}/body",
    "/web/content/rating.rating/{rating}/feedback",
    "/web/content/helpdesk.delivery.note/{note}/signature",
    "/web/image/helpdesk.delivery.note/{note}/signature",
    "/report/pdf/tktit_helpdesk_billing.report_delivery_note/{note}",
    "/report/html/tktit_helpdesk_billing.report_delivery_note/{note}",
    "/my/invoices/{invoice}",
    "/my/invoices/pdf/{invoice}",
    "/report/pdf/account.report_invoice/{invoice}",
)
ROUTE_OWNER = (
    "/my/ticket/{ticket}", "/my/ticket/{ticket}/attachment/{attachment}",
    "/my/ticket/{ticket}/note/{note}/pdf", "/my/invoices/{invoice}",
)

# a ticket's fields that are operations' business: never written by a portal user
OPS_FIELDS = ("state", "user_id", "priority", "fee_amount", "partner_id")
