from odoo import fields, models


class HelpdeskSpecialization(models.Model):
    """The customer's "stream": a specialization inside a technology."""

    _name = "helpdesk.specialization"
    _description = "Helpdesk Specialization (stream)"
    _order = "technology_id, sequence, name, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    technology_id = fields.Many2one(
        "helpdesk.technology", required=True, ondelete="cascade", index=True)

    _sql_constraints = [
        ("code_uniq", "unique(technology_id, code)",
         "A stream code must be unique within its technology."),
    ]

    def name_get(self):
        return [(rec.id, "%s / %s" % (rec.technology_id.name, rec.name)) for rec in self]
