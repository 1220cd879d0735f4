from odoo import _, api, fields, models

from .helpdesk_ticket import IMPACTS, PRIORITIES, SEVERITIES


class HelpdeskPriorityMatrix(models.Model):
    """Triage matrix: one row per impact x severity, giving the ticket priority.

    Operations tune it; missing rows fall back to Normal priority.
    """

    _name = "helpdesk.priority.matrix"
    _description = "Helpdesk Triage Matrix"
    _order = "impact, severity, id"

    impact = fields.Selection(IMPACTS, required=True)
    severity = fields.Selection(SEVERITIES, required=True)
    priority = fields.Selection(PRIORITIES, required=True, default="1")
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.user.company_id)

    _sql_constraints = [
        ("cell_uniq", "unique(impact, severity, company_id)",
         "Each impact x severity cell of the matrix can only be set once."),
    ]

    @api.model
    def _get_priority(self, impact, severity, company=None):
        if not impact or not severity:
            return False
        company = company or self.env.user.company_id
        cell = self.search([("impact", "=", impact), ("severity", "=", severity),
                            ("company_id", "=", company.id)], limit=1)
        return cell.priority if cell else "1"

    def name_get(self):
        impacts, severities = dict(IMPACTS), dict(SEVERITIES)
        return [(rec.id, _("%(impact)s impact / %(severity)s severity") % {
            "impact": impacts[rec.impact], "severity": severities[rec.severity],
        }) for rec in self]
