from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import html2plaintext


class HelpdeskTicketReply(models.TransientModel):
    """Reply to the customer, optionally starting from a canned answer."""

    _name = "helpdesk.ticket.reply"
    _description = "Reply to the Customer"

    ticket_id = fields.Many2one("helpdesk.ticket", required=True, ondelete="cascade",
                                default=lambda self: self.env.context.get("active_id"))
    category = fields.Selection(related="ticket_id.category", readonly=True)
    queue_id = fields.Many2one(related="ticket_id.queue_id", readonly=True)
    # reviewed answers of the ticket's category and queue (or general ones)
    canned_answer_id = fields.Many2one(
        "helpdesk.canned.answer", string="Canned Answer",
        domain="[('reviewed', '=', True), '|', ('category', '=', False), "
               "('category', '=', category), '|', ('queue_id', '=', False), "
               "('queue_id', '=', queue_id)]",
        help="The most used answers come first.")
    body = fields.Html(sanitize=True)

    @api.onchange("canned_answer_id")
    def _onchange_canned_answer_id(self):
        if self.canned_answer_id:
            self.body = self.canned_answer_id.body

    @api.multi
    def action_send(self):
        self.ensure_one()
        if not html2plaintext(self.body or "").strip():
            raise UserError(_("Write a reply before sending it."))
        self.ticket_id.message_post(body=self.body, message_type="comment",
                                    subtype="mail.mt_comment")
        if self.canned_answer_id:
            self.canned_answer_id._register_use()
        return {"type": "ir.actions.act_window_close"}
