# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.tktit_helpdesk.models.helpdesk_ticket import DONE_STATES


class HelpdeskSupportContract(models.Model):
    """A support contract of a customer organisation: between its start and end dates
    the visits and remote work it covers are free of charge (no invoice).

    It covers every ticket of the organisation, or only those of the scopes
    (technologies) it lists."""
    _name = "helpdesk.support.contract"
    _description = "Support Contract"
    _inherit = ["mail.thread"]
    _order = "date_end desc, id desc"

    name = fields.Char(string="Reference", required=True, track_visibility="onchange")
    partner_id = fields.Many2one(
        "res.partner", string="Customer Organisation", required=True, index=True,
        domain=[("is_company", "=", True)], track_visibility="onchange")
    company_id = fields.Many2one(
        "res.company", required=True, index=True,
        default=lambda self: self.env["res.company"]._company_default_get(
            "helpdesk.support.contract"))
    date_start = fields.Date(string="Valid From", required=True, track_visibility="onchange")
    date_end = fields.Date(string="Valid Until", required=True, track_visibility="onchange",
                           help="Included: the contract covers visits on this day.")
    technology_ids = fields.Many2many(
        "helpdesk.technology", string="Covered Scopes",
        help="The scopes (technologies) the contract covers; empty: all of them.")
    description = fields.Text(string="What It Covers")
    active = fields.Boolean(default=True)

    @api.constrains("date_start", "date_end")
    def _check_dates(self):
        for contract in self:
            if contract.date_end < contract.date_start:
                raise ValidationError(_(
                    "Contract %s ends before it starts.") % contract.name)

    @api.constrains("partner_id")
    def _check_partner(self):
        for contract in self:
            if contract.partner_id != contract.partner_id.commercial_partner_id:
                raise ValidationError(_(
                    "A support contract is made with an organisation (%s), not with one "
                    "of its contacts.") % contract.partner_id.commercial_partner_id.name)

    @api.model
    def create(self, vals):
        contract = super(HelpdeskSupportContract, self).create(vals)
        contract._recompute_coverage()
        return contract

    @api.multi
    def write(self, vals):
        partners = self.mapped("partner_id")
        res = super(HelpdeskSupportContract, self).write(vals)
        self._recompute_coverage(partners)
        return res

    @api.multi
    def unlink(self):
        partners = self.mapped("partner_id")
        res = super(HelpdeskSupportContract, self).unlink()
        self._recompute_coverage(partners)
        return res

    def _recompute_coverage(self, partners=None):
        """The open tickets of the organisations concerned take the change into account
        (a signed delivery note keeps the coverage it was signed with)."""
        partners = (partners or self.env["res.partner"]) | self.mapped("partner_id")
        if not partners:
            return
        Ticket = self.env["helpdesk.ticket"].sudo()
        tickets = Ticket.search([("commercial_partner_id", "in", partners.ids),
                                 ("state", "not in", DONE_STATES)])
        if tickets:
            for name in ("coverage", "contract_id"):
                self.env.add_todo(Ticket._fields[name], tickets)
            Ticket.recompute()

    @api.model
    def _find_covering(self, partner, day, technology=None, company=None):
        """The active contract of ``partner``'s organisation valid on ``day`` (a date
        string) covering ``technology``; the one ending last wins."""
        domain = [("partner_id", "=", partner.commercial_partner_id.id),
                  ("date_start", "<=", day), ("date_end", ">=", day)]
        if company:
            domain.append(("company_id", "=", company.id))
        for contract in self.search(domain):
            if not contract.technology_ids or technology in contract.technology_ids:
                return contract
        return self.browse()
