# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import base64
import io

from PIL import Image, ImageDraw

from odoo import SUPERUSER_ID, api


def post_init_hook(cr, registry):
    """The experts who exist when the addon is installed become employees; the demo
    van is stocked."""
    env = api.Environment(cr, SUPERUSER_ID, {})
    experts = env["res.users"].with_context(active_test=True).search(
        [("groups_id", "in", env.ref("tktit_helpdesk.group_helpdesk_expert").ids)])
    experts._ensure_helpdesk_employee()
    # the demo van's stock: validated once here (a <function> in the demo file would run
    # again on each -i of the addon, on a done inventory)
    inventory = env.ref("tktit_helpdesk_billing.inventory_van_field_op_demo", False)
    if inventory and inventory.state == "draft":
        inventory.action_done()
    if env.ref("tktit_helpdesk_billing.ticket_field_signed_demo", False):
        _demo_billing_stories(env)


def _demo_signature(name):
    """A signature as the tablet's pad draws it (a PNG data URL): the name's initials
    as strokes, so every demo note looks signed by hand."""
    image = Image.new("RGBA", (360, 120), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    x = 20
    for index, _letter in enumerate(name.split()):
        points = [(x, 90), (x + 25, 20), (x + 45, 95), (x + 70, 30), (x + 95, 85)]
        draw.line(points, fill=(25, 35, 90, 255), width=4)
        x += 120 + index * 10
    draw.line([(20, 105), (330, 100)], fill=(25, 35, 90, 255), width=2)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def _demo_billing_stories(env):
    """Signs, pays and confirms the demo tickets of the billing stories, through the
    real actions of each role (see demo/helpdesk_billing_demo.xml)."""
    operator = env.ref("tktit_helpdesk_billing.user_field_op_demo")
    Note = env["helpdesk.delivery.note"]
    notes = {}
    for xmlid, signer in (("ticket_field_signed_demo", "Alice Acme"),
                          ("ticket_field_paid_demo", "Alice Acme"),
                          ("ticket_field_contract_demo", "Gary Globex")):
        ticket = env.ref("tktit_helpdesk_billing." + xmlid)
        if ticket.delivery_note_ids:
            continue
        note = Note.sudo(operator).create({"ticket_id": ticket.id})
        note.sudo(operator).action_sign(signer, _demo_signature(signer))
        notes[xmlid] = Note.browse(note.id)  # read back as the superuser
    paid = notes.get("ticket_field_paid_demo")
    if paid and paid.invoice_id.state == "open":
        journal = env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", paid.company_id.id)], limit=1)
        payment = env["account.payment"].create({
            "payment_type": "inbound", "partner_type": "customer",
            "partner_id": paid.invoice_id.partner_id.id,
            "amount": paid.invoice_id.residual, "journal_id": journal.id,
            "payment_method_id": env.ref("account.account_payment_method_manual_in").id,
            "invoice_ids": [(4, paid.invoice_id.id)],
        })
        payment.post()
    remote = env.ref("tktit_helpdesk_billing.ticket_remote_invoiced_demo")
    if remote.state == "delivered" and not remote.invoice_ids:
        customer = env.ref("tktit_helpdesk.user_customer_acme_demo")
        remote.sudo(customer).action_customer_confirm(
            True, "The branch office is connected, thank you.")
