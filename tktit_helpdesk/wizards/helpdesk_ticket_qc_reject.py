from odoo import api, fields, models


class HelpdeskTicketQcReject(models.TransientModel):
    _name = "helpdesk.ticket.qc.reject"
    _description = "Quality Control Rejection"

    ticket_id = fields.Many2one("helpdesk.ticket", required=True, ondelete="cascade",
                                default=lambda self: self.env.context.get("active_id"))
    reason = fields.Text(required=True)

    @api.multi
    def action_reject(self):
        self.ensure_one()
        self.ticket_id.action_qc_reject(self.reason)
        return {"type": "ir.actions.act_window_close"}
