from odoo import fields, models


class ResUsers(models.Model):
    _inherit = "res.users"

    helpdesk_available = fields.Boolean(
        string="Available for Tickets", default=True,
        help="Unavailable experts (leave, training) are skipped by automatic dispatch.")
    helpdesk_queue_ids = fields.Many2many(
        "helpdesk.queue", "helpdesk_queue_member_rel", "user_id", "queue_id",
        string="Expert Queues")

    def __init__(self, pool, cr):
        # Experts may set their own availability from their preferences.
        super(ResUsers, self).__init__(pool, cr)
        type(self).SELF_WRITEABLE_FIELDS = list(self.SELF_WRITEABLE_FIELDS) + [
            "helpdesk_available"]
        type(self).SELF_READABLE_FIELDS = list(self.SELF_READABLE_FIELDS) + [
            "helpdesk_available"]
