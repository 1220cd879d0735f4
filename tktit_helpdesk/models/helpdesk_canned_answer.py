from odoo import _, api, fields, models
from odoo.exceptions import AccessError

from .helpdesk_ticket import CATEGORIES, OPERATIONS


class HelpdeskCannedAnswer(models.Model):
    """A ready-made answer for common requests; the most used surface first.

    Scoped by company (record rule) and optionally by expert queue (experts see the
    answers of their queues and the general ones). An answer made from a ticket's
    resolution may quote the customer: it is offered only once operations reviewed it.
    """

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
    company_id = fields.Many2one(
        "res.company", required=True, index=True,
        default=lambda self: self.env["res.company"]._company_default_get(
            "helpdesk.canned.answer"))
    queue_id = fields.Many2one(
        "helpdesk.queue", string="Expert Queue", index=True, ondelete="cascade",
        help="Empty: offered in every queue of the company.")
    reviewed = fields.Boolean(
        default=True, copy=False, readonly=True,
        help="Offered in replies. An answer made from a ticket waits for operations to "
             "check it holds nothing of the customer's.")

    @api.multi
    def action_mark_reviewed(self):
        """Operations checked the answer: it is offered in replies from now on."""
        if not self.env.user.has_group(OPERATIONS):
            raise AccessError(_("Operations review the canned answers."))
        self.sudo().write({"reviewed": True})  # sudo: the reviewer's group was checked
        return True

    @api.multi
    def _register_use(self):
        # One UPDATE, no read-modify-write race between two agents using the same answer.
        self.env.cr.execute(
            "UPDATE helpdesk_canned_answer SET use_count = use_count + 1 WHERE id IN %s",
            (tuple(self.ids),))
        self.invalidate_cache(["use_count"], self.ids)
