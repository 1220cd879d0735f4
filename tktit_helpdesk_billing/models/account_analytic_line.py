# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import SUPERUSER_ID, _, api, fields, models
from odoo.exceptions import UserError


class AccountAnalyticLine(models.Model):
    _inherit = "account.analytic.line"

    helpdesk_ticket_id = fields.Many2one(
        "helpdesk.ticket", string="Ticket", index=True, ondelete="restrict",
        help="The helpdesk ticket these hours were worked on.")
    helpdesk_delivery_note_id = fields.Many2one(
        "helpdesk.delivery.note", string="Delivery Note", index=True, readonly=True,
        copy=False, help="The signed delivery note these hours are on.")
    helpdesk_invoice_id = fields.Many2one(
        "account.invoice", string="Invoiced On", index=True, readonly=True, copy=False,
        help="The customer invoice that billed these hours.")

    @api.model
    def create(self, vals):
        if vals.get("helpdesk_ticket_id"):
            vals = self._prepare_ticket_line_vals(dict(vals))
        return super(AccountAnalyticLine, self).create(vals)

    @api.multi
    def write(self, vals):
        # hours the customer signed for (or that were invoiced) change no more; the
        # signature itself links them (as superuser)
        if not (self.env.uid == SUPERUSER_ID and set(vals) <= {
                "helpdesk_delivery_note_id", "helpdesk_invoice_id"}):
            self._check_not_signed()
        if vals.get("helpdesk_ticket_id"):
            self._check_ticket_access(self.env["helpdesk.ticket"].browse(
                vals["helpdesk_ticket_id"]))
        return super(AccountAnalyticLine, self).write(vals)

    @api.multi
    def unlink(self):
        self._check_not_signed()
        return super(AccountAnalyticLine, self).unlink()

    def _check_not_signed(self):
        signed = self.sudo().filtered(
            lambda l: l.helpdesk_delivery_note_id or l.helpdesk_invoice_id)
        if signed:
            line = signed[0]
            raise UserError(_(
                "These hours of ticket %(number)s are on %(doc)s: they change no more "
                "(log a correction as a new line, or ask the accountants for a credit "
                "note).") % {"number": line.helpdesk_ticket_id.number,
                             "doc": line.helpdesk_delivery_note_id.name or
                             line.helpdesk_invoice_id.number})

    @api.model
    def _check_ticket_access(self, ticket):
        """Hours go on a ticket the user can see (experts: their queues' tickets); the
        own-lines rule of hr_timesheet does the rest."""
        ticket.check_access_rights("read")
        ticket.check_access_rule("read")

    @api.model
    def _prepare_ticket_line_vals(self, vals):
        """A line logged on a ticket: the ticket's project (and its analytic account)
        when none is given, and the employee of the user who worked."""
        ticket = self.env["helpdesk.ticket"].browse(vals["helpdesk_ticket_id"])
        self._check_ticket_access(ticket)
        ticket = ticket.sudo()
        if not vals.get("project_id"):
            if not ticket.project_id:
                raise UserError(_(
                    "Ticket %s has no project to log hours on: set a project on the ticket, "
                    "on its queue or as the company's default helpdesk project.")
                    % ticket.number)
            vals["project_id"] = ticket.project_id.id
            if not vals.get("account_id"):
                vals["account_id"] = ticket.project_id.analytic_account_id.id
        if not vals.get("employee_id"):
            user = self.env["res.users"].browse(vals.get("user_id") or self._default_user())
            employee = self.env["hr.employee"].sudo().search(
                [("user_id", "=", user.id)], limit=1)
            if not employee:
                raise UserError(_(
                    "%(user)s has no employee record, and hours are logged per employee: an "
                    "administrator must create one (Employees > Create, with %(login)s as "
                    "its Related User) before hours can be logged on ticket %(number)s.") % {
                        "user": user.sudo().name, "login": user.sudo().login,
                        "number": ticket.number})
            vals["employee_id"] = employee.id
        return vals
