from odoo import fields, models


class HelpdeskTechnology(models.Model):
    """The customer's "scope": a technology of the ICT-only catalogue."""

    _name = "helpdesk.technology"
    _description = "Helpdesk Technology (scope)"
    _order = "sequence, name, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True, help="Short stable code used by data imports.")
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    specialization_ids = fields.One2many(
        "helpdesk.specialization", "technology_id", string="Streams")

    _sql_constraints = [
        ("code_uniq", "unique(code)", "A technology code must be unique."),
    ]
