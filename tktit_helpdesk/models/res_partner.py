from odoo import api, fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    helpdesk_ticket_count = fields.Integer(
        compute="_compute_helpdesk_ticket_count", string="Tickets")

    @api.multi
    def _compute_helpdesk_ticket_count(self):
        # Counted per organisation: the tickets of all its contacts.
        commercial = self.mapped("commercial_partner_id")
        groups = self.env["helpdesk.ticket"].read_group(
            [("commercial_partner_id", "in", commercial.ids)],
            ["commercial_partner_id"], ["commercial_partner_id"])
        counts = {g["commercial_partner_id"][0]: g["commercial_partner_id_count"]
                  for g in groups}
        for partner in self:
            partner.helpdesk_ticket_count = counts.get(partner.commercial_partner_id.id, 0)

    @api.multi
    def _notify_by_chat(self, message):
        # Odoo 11 formats the message for the bus (about 15 queries) before looking at
        # whom it is for: a mail to customers only (every acknowledgement, every notice)
        # has no inbox to feed.
        if not self:
            return None
        return super(ResPartner, self)._notify_by_chat(message)

    @api.multi
    def action_open_helpdesk_tickets(self):
        self.ensure_one()
        action = self.env.ref("tktit_helpdesk.helpdesk_ticket_action").read()[0]
        action["domain"] = [("commercial_partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.id}
        return action
