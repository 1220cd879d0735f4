from odoo import api, fields, models

from .helpdesk_ticket import CATEGORIES


class HelpdeskCannedAnswer(models.Model):
    """A ready-made answer for common requests; the most used surface first."""

    _name = "helpdesk.canned.answer"
    _description = "Helpdesk Canned Answer"
    _order = "use_count desc, sequence, name, id"

    name = fields.Char(required=True, translate=True)
    body = fields.Html(required=True, translate=True, sanitize=True)
    category = fields.Selection(CATEGORIES, help="Empty: offered for every category.")
    sequence = fields.Integer(default=10)
    use_count = fields.Integer(readonly=True, copy=False, default=0)
    active = fields.Boolean(default=True)
    source_ticket_id = fields.Many2one("helpdesk.ticket", readonly=True, copy=False)

    @api.multi
    def _register_use(self):
        # One UPDATE, no read-modify-write race between two agents using the same answer.
        self.env.cr.execute(
            "UPDATE helpdesk_canned_answer SET use_count = use_count + 1 WHERE id IN %s",
            (tuple(self.ids),))
        self.invalidate_cache(["use_count"], self.ids)
