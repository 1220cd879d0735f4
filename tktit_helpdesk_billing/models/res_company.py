# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


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

    helpdesk_fee_product_id = fields.Many2one(
        "product.product", string="Ticket Fee Product", domain=[("type", "=", "service")],
        help="The product a ticket's portal fee is invoiced as (no taxes: the fee held "
             "at PayPal is the invoice's total).")
    helpdesk_expert_product_id = fields.Many2one(
        "product.product", string="Expert Share Product",
        domain=[("type", "=", "service")],
        help="The product of the experts' vendor bills for their share of a fee.")
    helpdesk_expert_commission_rate = fields.Float(
        string="Experts' Share (%)", default=70.0,
        help="The share of a captured fee billed by the expert, when neither the expert "
             "nor the queue has a rate of their own.")
    helpdesk_fee_reminder_days = fields.Integer(
        string="Remind Customers After (days)", default=3,
        help="A delivered ticket whose fee is held and whose customer has not confirmed "
             "the closure after this many days: the customer is reminded, then again "
             "every as many days (0: never).")
    helpdesk_fee_expiry_warn_days = fields.Integer(
        string="Warn Before Hold Expires (days)", default=5,
        help="Operations get an activity this many days before PayPal's authorization "
             "of a held fee expires.")

    @api.constrains("helpdesk_expert_commission_rate", "helpdesk_fee_reminder_days",
                    "helpdesk_fee_expiry_warn_days")
    def _check_escrow_settings(self):
        for company in self:
            if not 0 <= company.helpdesk_expert_commission_rate <= 100:
                raise ValidationError(_("The experts' share is between 0 and 100%."))
            if company.helpdesk_fee_reminder_days < 0 or \
                    not 0 <= company.helpdesk_fee_expiry_warn_days <= 29:
                raise ValidationError(_("Reminder days are 0 or more; the expiry warning "
                                        "between 0 and 29 days."))

    @api.model
    def _set_default_escrow_products(self, fee_product_id, expert_product_id):
        """The fee and expert share products of the companies that have none yet."""
        self.search([("helpdesk_fee_product_id", "=", False)]).write(
            {"helpdesk_fee_product_id": fee_product_id})
        self.search([("helpdesk_expert_product_id", "=", False)]).write(
            {"helpdesk_expert_product_id": expert_product_id})
        return True
