# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

# Hours are logged per employee: whoever is in these groups gets one.
TIMESHEET_GROUPS = ("tktit_helpdesk.group_helpdesk_expert",
                    "tktit_helpdesk_billing.group_field_operator")
GROUP_KEYS = ("groups_id", "in_group_", "sel_groups_")


class ResUsers(models.Model):
    _inherit = "res.users"

    van_location_id = fields.Many2one(
        "stock.location", string="Van Stock Location", domain=[("usage", "=", "internal")],
        groups="base.group_user",
        help="The field operator's van: the default source of the materials of the "
             "tickets assigned to them.")
    # the expert's share of a captured fee: operations managers and accounting set it
    helpdesk_commission_rate = fields.Float(
        string="Share of Fees (%)",
        groups="tktit_helpdesk.group_helpdesk_manager,account.group_account_invoice",
        help="The expert's share of the fees captured on their tickets (0: the queue's "
             "or the company's rate).")

    @api.constrains("helpdesk_commission_rate")
    def _check_helpdesk_commission_rate(self):
        for user in self:
            if not 0 <= user.helpdesk_commission_rate <= 100:
                raise ValidationError(_("The expert's share is between 0 and 100%."))

    @api.model
    def create(self, vals):
        user = super(ResUsers, self).create(vals)
        user._ensure_helpdesk_employee()
        return user

    @api.multi
    def write(self, vals):
        res = super(ResUsers, self).write(vals)
        if any(key.startswith(GROUP_KEYS) for key in vals) or vals.get("active"):
            self._ensure_helpdesk_employee()
        return res

    @api.model
    def _helpdesk_home_rules(self):
        # field operators work from the tablet (before the experts' My Tickets, for a
        # field operator who is an expert too); accountants from Helpdesk > Invoicing
        return super(ResUsers, self)._helpdesk_home_rules() + [
            (45, "tktit_helpdesk_billing.group_field_operator",
             "tktit_helpdesk_billing.field_action_home"),
            (60, "account.group_account_invoice",
             "tktit_helpdesk_billing.helpdesk_ticket_action_to_invoice"),
        ]

    @api.multi
    def _ensure_helpdesk_employee(self):
        """An internal user becoming an expert (expert application approved, the group
        added by an administrator) gets an employee, so that they can log hours."""
        groups = self.env["res.groups"].browse()
        for xmlid in TIMESHEET_GROUPS:
            groups |= self.env.ref(xmlid)
        users = self.sudo().filtered(
            lambda u: u.active and not u.share and not u.employee_ids
            and groups & u.groups_id)
        Employee = self.env["hr.employee"].sudo()
        for user in users:
            Employee.create({
                "name": user.name,
                "user_id": user.id,
                "work_email": user.email,
                "company_id": user.company_id.id,
            })
        return True
