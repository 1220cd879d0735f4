# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    helpdesk_project_id = fields.Many2one(
        "project.project", string="Default Helpdesk Project",
        domain=[("allow_timesheets", "=", True)],
        help="The project of the tickets whose queue has none: their hours are logged "
             "there.")
    helpdesk_service_product_id = fields.Many2one(
        "product.product", string="Default Service Product",
        domain=[("type", "=", "service")],
        help="The hours of tickets whose queue has no service product are invoiced at "
             "this product's price.")

    @api.model
    def _set_default_helpdesk_project(self, project_id):
        """``project_id`` becomes the default helpdesk project of its company (all
        companies when it has none) where none is set yet."""
        project = self.env["project.project"].browse(project_id)
        domain = [("helpdesk_project_id", "=", False)]
        if project.company_id:
            domain.append(("id", "=", project.company_id.id))
        self.search(domain).write({"helpdesk_project_id": project.id})
        return True

    @api.model
    def _set_default_service_product(self, product_id):
        """``product_id`` becomes the default service product where none is set."""
        self.search([("helpdesk_service_product_id", "=", False)]).write(
            {"helpdesk_service_product_id": product_id})
        return True
