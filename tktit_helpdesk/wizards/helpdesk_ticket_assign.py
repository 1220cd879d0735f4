from odoo import api, fields, models


class HelpdeskTicketAssign(models.TransientModel):
    """Dispatcher's choice of expert, with the best-fitting one proposed."""

    _name = "helpdesk.ticket.assign"
    _description = "Assign a Ticket to an Expert"

    ticket_id = fields.Many2one("helpdesk.ticket", required=True, ondelete="cascade",
                                default=lambda self: self.env.context.get("active_id"))
    queue_id = fields.Many2one(related="ticket_id.queue_id", readonly=True)
    member_ids = fields.Many2many(related="ticket_id.queue_id.member_ids", readonly=True)
    user_id = fields.Many2one(
        "res.users", string="Expert", required=True,
        domain="[('id', 'in', member_ids and member_ids[0][2] or [])]")

    @api.model
    def default_get(self, fields_list):
        values = super(HelpdeskTicketAssign, self).default_get(fields_list)
        ticket = self.env["helpdesk.ticket"].browse(values.get("ticket_id"))
        if ticket.queue_id and "user_id" in fields_list:
            values["user_id"] = ticket.queue_id._find_best_expert().id
        return values

    @api.multi
    def action_assign(self):
        self.ensure_one()
        self.ticket_id.action_assign(self.user_id)
        return {"type": "ir.actions.act_window_close"}
