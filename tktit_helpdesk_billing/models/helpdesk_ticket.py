# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import logging
import threading
from datetime import timedelta

from odoo import SUPERUSER_ID, _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import consteq, plaintext2html
from odoo.tools.misc import formatLang

from odoo.addons.tktit_helpdesk.models.helpdesk_ticket import DONE_STATES, EXPERT_STATES

from .payment_acquirer import PROVIDER
from .payment_transaction import PayPalError

_logger = logging.getLogger(__name__)

TIMESHEET_USER = "hr_timesheet.group_hr_timesheet_user"
MANAGER = "tktit_helpdesk.group_helpdesk_manager"
FIELD_OPERATOR = "tktit_helpdesk_billing.group_field_operator"
OPERATIONS = "tktit_helpdesk.group_helpdesk_user"
MATERIAL_GROUPS = "%s,%s" % (OPERATIONS, FIELD_OPERATOR)
INVOICE_READERS = "account.group_account_invoice"
# who reads the billing side of a ticket: operations, field operators (their own
# tickets), accountants (read access to tickets' billing data only)
BILLING_READERS = "%s,%s,%s" % (OPERATIONS, FIELD_OPERATOR, INVOICE_READERS)
COVERAGES = [("billable", "Billable"), ("warranty", "Warranty"), ("contract", "Contract")]
PAYMENT_STATES = [("none", "No Fee Held"), ("authorized", "Held at PayPal"),
                  ("captured", "Captured"), ("voided", "Released"), ("failed", "Failed")]
HELD_STATES = ("authorized", "captured")
# where operations quote a fee and the customer confirms it
FEE_QUOTE_STATES = ("new", "scoping")
ESCROW_FIELDS = frozenset([
    "payment_transaction_id", "payment_state", "fee_dispatch_pending", "payment_error",
    "payment_attempts", "payment_next_try", "fee_invoice_id", "expert_bill_id",
    "delivered_on", "customer_confirmed_on", "fee_captured_on", "expert_paid_on",
    "fee_reminder_count", "fee_reminder_sent_on", "fee_expiry_warned"])
RETRY_FIRST_MINUTES = 5
RETRY_MAX_MINUTES = 360


def _hours(start, end):
    if not start or not end:
        return 0.0
    delta = fields.Datetime.from_string(end) - fields.Datetime.from_string(start)
    return round(max(delta.total_seconds(), 0.0) / 3600.0, 2)


def _days(start, now):
    """Days from ``start`` (a datetime string) to ``now`` (a datetime)."""
    return round((now - fields.Datetime.from_string(start)).total_seconds() / 86400.0, 2)


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    # groups on the fields, not only on the form's page: Odoo 11 merely hides a page
    # of another group and the web client would still read its fields, failing the
    # whole ticket form for helpdesk users without access to timesheets
    timesheet_ids = fields.One2many(
        "account.analytic.line", "helpdesk_ticket_id", string="Timesheets",
        domain=[("project_id", "!=", False)], groups=TIMESHEET_USER)
    total_hours = fields.Float(
        compute="_compute_total_hours", string="Hours Spent", groups=TIMESHEET_USER,
        help="Hours logged on the ticket's timesheets.")
    timer_start = fields.Datetime(
        compute="_compute_timer", string="Timer Started", groups=TIMESHEET_USER,
        help="When your running timer on this ticket started.")
    timer_running = fields.Boolean(compute="_compute_timer", groups=TIMESHEET_USER)
    timer_allowed = fields.Boolean(
        compute="_compute_timer", groups=TIMESHEET_USER,
        help="You are the ticket's assigned expert and it is still open.")

    @api.depends("timesheet_ids.unit_amount")
    def _compute_total_hours(self):
        hours = {}
        if self.ids:
            groups = self.env["account.analytic.line"].read_group(
                [("helpdesk_ticket_id", "in", self.ids), ("project_id", "!=", False)],
                ["helpdesk_ticket_id", "unit_amount"], ["helpdesk_ticket_id"])
            hours = {g["helpdesk_ticket_id"][0]: g["unit_amount"] for g in groups}
        for ticket in self:
            ticket.total_hours = hours.get(ticket.id, 0.0)

    @api.depends("user_id", "state")
    def _compute_timer(self):
        starts = {}
        if self.ids:
            timers = self.env["helpdesk.ticket.timer"].sudo().search(
                [("user_id", "=", self.env.uid), ("ticket_id", "in", self.ids)])
            starts = {timer.ticket_id.id: timer.start for timer in timers}
        for ticket in self:
            ticket.timer_start = starts.get(ticket.id)
            ticket.timer_running = ticket.id in starts
            ticket.timer_allowed = (ticket.user_id == self.env.user
                                    and ticket.state not in DONE_STATES)

    # ------------------------------------------------- field tickets, materials

    # set by operations (the field operator and experts may not: not in
    # _expert_writable_fields)
    is_field = fields.Boolean(
        string="Field Visit", index=True, track_visibility="onchange",
        help="The work needs a visit at the customer's site by a field operator.")
    visit_date = fields.Datetime(track_visibility="onchange",
                                 help="When the field operator visits the site.")
    site_partner_id = fields.Many2one(
        "res.partner", string="Site Address", track_visibility="onchange",
        help="Where the visit takes place: an address of the customer's organisation "
             "(default: the customer).")
    material_ids = fields.One2many(
        "helpdesk.ticket.material", "ticket_id", string="Materials", groups=MATERIAL_GROUPS)
    material_location_id = fields.Many2one(
        "stock.location", compute="_compute_material_location_id",
        string="Materials From", groups=MATERIAL_GROUPS,
        help="Where new materials of the ticket are taken from: the assigned field "
             "operator's van, else the warehouse stock.")
    material_shortage = fields.Boolean(
        compute="_compute_material_shortage", groups=MATERIAL_GROUPS,
        help="A material line needs more than its source location holds.")

    @api.depends("user_id", "company_id")
    def _compute_material_location_id(self):
        for ticket in self:
            ticket.material_location_id = ticket.sudo()._get_material_location()

    @api.depends("material_ids.shortage")
    def _compute_material_shortage(self):
        for ticket in self:
            ticket.material_shortage = any(ticket.material_ids.mapped("shortage"))

    @api.multi
    def _get_material_location(self):
        """The assigned user's van, else the stock of the company's warehouse."""
        self.ensure_one()
        if self.user_id.van_location_id:
            return self.user_id.van_location_id
        warehouse = self.env["stock.warehouse"].search(
            [("company_id", "=", self.company_id.id)], limit=1)
        return warehouse.lot_stock_id

    @api.constrains("site_partner_id", "partner_id")
    def _check_site_partner(self):
        for ticket in self.sudo():
            site = ticket.site_partner_id
            if site and site.commercial_partner_id != ticket.partner_id.commercial_partner_id:
                raise ValidationError(_(
                    "The site %(site)s of ticket %(number)s is not an address of the "
                    "customer's organisation %(org)s.") % {
                        "site": site.display_name, "number": ticket.number,
                        "org": ticket.partner_id.commercial_partner_id.display_name})

    @api.onchange("partner_id", "is_field")
    def _onchange_site_partner(self):
        if self.is_field and self.partner_id and (
                not self.site_partner_id or self.site_partner_id.commercial_partner_id
                != self.partner_id.commercial_partner_id):
            self.site_partner_id = self.partner_id

    # ------------------------------------------------------------------ project
    @api.model
    def create(self, vals):
        if vals.get("is_field") and not vals.get("site_partner_id") and \
                vals.get("partner_id"):
            vals = dict(vals, site_partner_id=vals["partner_id"])
        return super(HelpdeskTicket, self).create(vals)

    @api.model
    def _prepare_derived_vals(self, vals):
        """The default project (see ``_get_default_project``) in the creation values:
        one insert, not a second write of the new ticket."""
        vals = super(HelpdeskTicket, self)._prepare_derived_vals(vals)
        if not vals.get("project_id"):
            # sudo: whoever opens a ticket (a portal customer) need not read projects
            queue = self.env["helpdesk.queue"].sudo().browse(vals.get("queue_id"))
            company = self.env["res.company"].sudo().browse(vals.get("company_id")) or \
                self.env.user.company_id.sudo()
            project = self._project_of(queue, company)
            if project:
                vals["project_id"] = project.id
        return vals

    @api.multi
    def write(self, vals):
        res = super(HelpdeskTicket, self).write(vals)
        if "queue_id" in vals and "project_id" not in vals:
            # the project follows the queue until hours are logged on it
            tickets = self.sudo()
            logged = self.env["account.analytic.line"].sudo().search(
                [("helpdesk_ticket_id", "in", tickets.ids)]).mapped("helpdesk_ticket_id")
            (tickets - logged)._set_default_project()
        if vals.get("is_field") and "site_partner_id" not in vals:
            for ticket in self.sudo().filtered(lambda t: not t.site_partner_id):
                ticket.site_partner_id = ticket.partner_id
        return res

    @api.multi
    def _get_default_project(self):
        """The queue's project, else the company's default helpdesk project."""
        self.ensure_one()
        return self._project_of(self.queue_id, self.company_id)

    @api.model
    def _project_of(self, queue, company):
        return queue.project_id or company.helpdesk_project_id

    @api.multi
    def _set_default_project(self):
        for ticket in self:
            project = ticket._get_default_project()
            if project and project != ticket.project_id:
                ticket.write({"project_id": project.id})

    @api.model
    def _assign_missing_projects(self):
        """Tickets without project (opened before the addon, or when the company had no
        default) get their default one; run on install and update."""
        self.sudo().search([("project_id", "=", False)])._set_default_project()
        return True

    def _expert_writable_fields(self):
        return super(HelpdeskTicket, self)._expert_writable_fields() | {
            "timesheet_ids", "timer_start", "timer_running", "timer_allowed",
            # the assigned expert or field operator adds the materials of their ticket
            # (the material's own rules say whose lines); the field data (is_field,
            # visit_date, site_partner_id) stays operations'
            "material_ids", "material_location_id", "material_shortage"}

    # --------------------------------------------------------- resolved on site
    @api.multi
    def action_resolve_on_site(self, resolution):
        """The field operator resolved the visit on site: the resolution text (as the
        caller: the assigned operator or expert, or operations), then the draft
        delivery note the customer signs (created, or its lines brought up to date).
        Returns the draft note."""
        self.ensure_one()
        text = (resolution or "").strip()
        if not text:
            raise UserError(_("Describe what you did before handing over the delivery "
                              "note."))
        if self.sudo().state not in EXPERT_STATES + ("delivered",):
            raise UserError(_("Ticket %s is not being worked on: nothing to resolve on "
                              "site.") % self.number)
        # the write locks the ticket's row: a second resolve at the same moment is
        # refused by PostgreSQL and retried by Odoo, and then finds the draft note
        self.write({"resolution": plaintext2html(text)})
        Note = self.env["helpdesk.delivery.note"]
        draft = self.sudo().delivery_note_ids.filtered(lambda n: n.state == "draft")[:1]
        if draft:
            note = Note.browse(draft.id)
            note.action_refresh_lines()
            return note
        return Note.create({"ticket_id": self.id})

    # -------------------------------------------------------------------- timer
    @api.multi
    def _check_timer_user(self):
        self.ensure_one()
        if self.env.uid == SUPERUSER_ID:
            raise UserError(_("The timer counts a person's hours: log in as the expert."))
        if self.user_id != self.env.user and not self.env.user.has_group(MANAGER):
            raise AccessError(_("The timer of ticket %s is for its assigned expert only.")
                              % self.number)

    @api.multi
    def action_timer_start(self):
        """Start the current user's timer on the ticket (one running timer per user)."""
        self.ensure_one()
        self._check_timer_user()
        if self.state in DONE_STATES:
            raise UserError(_("Ticket %(number)s is %(state)s: no more hours are logged on "
                              "it.") % {"number": self.number,
                                        "state": dict(self._fields["state"].selection)[
                                            self.state]})
        Timer = self.env["helpdesk.ticket.timer"]
        running = Timer.sudo().search([("user_id", "=", self.env.uid)], limit=1)
        if running:
            raise UserError(_("Your timer is already running on ticket %(number)s (since "
                              "%(start)s UTC): stop it first.") % {
                                  "number": running.ticket_id.number,
                                  "start": running.start[:16]})
        # the clear "no employee" message now, not when the work is done
        self.env["account.analytic.line"]._prepare_ticket_line_vals(
            {"helpdesk_ticket_id": self.id, "user_id": self.env.uid})
        Timer.create({"ticket_id": self.id, "user_id": self.env.uid,
                      "start": fields.Datetime.now()})
        return True

    @api.multi
    def action_timer_stop(self):
        """Stop the current user's timer on the ticket and log the time worked (rounded
        to the minute, at least one) as a timesheet line."""
        self.ensure_one()
        timer = self.env["helpdesk.ticket.timer"].sudo().search(
            [("user_id", "=", self.env.uid), ("ticket_id", "=", self.id)], limit=1)
        # deleted in SQL so that two stops at the same moment log the time once: the
        # second waits for the first's row lock, then finds nothing to delete
        if timer:
            self.env.cr.execute(
                "DELETE FROM helpdesk_ticket_timer WHERE id = %s RETURNING start",
                (timer.id,))
            row = self.env.cr.fetchone()
            timer.invalidate_cache()
        if not timer or not row:
            raise UserError(_("You have no timer running on ticket %s: start it first.")
                            % self.number)
        start = row[0]
        if isinstance(start, str):
            start = fields.Datetime.from_string(start)
        elapsed = fields.Datetime.from_string(fields.Datetime.now()) - start
        minutes = max(1, int(round(elapsed.total_seconds() / 60.0)))
        self.env["account.analytic.line"].create({
            "name": _("Work on %s (timer)") % self.number,
            "helpdesk_ticket_id": self.id,
            "user_id": self.env.uid,
            "date": fields.Date.context_today(self),
            "unit_amount": minutes / 60.0,
        })
        return True

    # ---------------------------------------------------------------- coverage
    lot_id = fields.Many2one(
        "stock.production.lot", string="Equipment (Serial Number)", index=True,
        track_visibility="onchange",
        help="The equipment serviced: under warranty, the work is free of charge.")
    contract_id = fields.Many2one(
        "helpdesk.support.contract", string="Support Contract",
        compute="_compute_coverage", store=True, readonly=True,
        help="The organisation's support contract valid on the visit date (or the "
             "submission date of a remote ticket) that covers the ticket's scope.")
    coverage_manual = fields.Selection(
        COVERAGES, string="Coverage Set By Operations", copy=False, readonly=True,
        groups="base.group_user")
    coverage = fields.Selection(
        COVERAGES, compute="_compute_coverage", inverse="_inverse_coverage", store=True,
        index=True, track_visibility="onchange",
        help="Billable, or free of charge under a support contract or a warranty: derived "
             "from the organisation's contracts and the equipment's warranty; operations "
             "may set it themselves.")
    delivery_note_ids = fields.One2many(
        "helpdesk.delivery.note", "ticket_id", string="Delivery Notes",
        groups=BILLING_READERS)
    delivery_note_count = fields.Integer(compute="_compute_billing_counts",
                                         groups=BILLING_READERS)
    invoice_ids = fields.One2many(
        "account.invoice", "helpdesk_ticket_id", string="Invoices", readonly=True,
        groups=INVOICE_READERS,
        help="The customer invoices (and credit notes) of the ticket.")
    invoice_count = fields.Integer(compute="_compute_billing_counts",
                                   groups=INVOICE_READERS)
    billing_state = fields.Selection(
        [("covered", "Covered"), ("none", "Nothing to Invoice"),
         ("to_invoice", "To Invoice"), ("invoiced", "Invoiced, Unpaid"),
         ("paid", "Paid")],
        compute="_compute_billing_state", search="_search_billing_state",
        groups=BILLING_READERS,
        help="To invoice: billable hours or materials not on an invoice yet.")

    @api.depends("lot_id.warranty_end_date", "visit_date", "create_date", "technology_id",
                 "commercial_partner_id", "coverage_manual")
    def _compute_coverage(self):
        Contract = self.env["helpdesk.support.contract"].sudo()
        for ticket in self:
            day = (ticket.visit_date or ticket.create_date or fields.Datetime.now())[:10]
            contract = Contract._find_covering(
                ticket.commercial_partner_id, day, ticket.technology_id,
                ticket.company_id) if ticket.commercial_partner_id else Contract
            ticket.contract_id = contract
            lot = ticket.sudo().lot_id
            if ticket.coverage_manual:
                ticket.coverage = ticket.coverage_manual
            elif contract:
                ticket.coverage = "contract"
            elif lot.warranty_end_date and lot.warranty_end_date >= day:
                ticket.coverage = "warranty"
            else:
                ticket.coverage = "billable"

    def _inverse_coverage(self):
        # operations override the derived coverage (tracked on coverage itself)
        for ticket in self:
            ticket.coverage_manual = ticket.coverage

    def _coverage_reason(self):
        """Why the ticket is free of charge, in the customer's words (PDF, portal)."""
        self.ensure_one()
        ticket = self.sudo()
        if ticket.coverage == "contract":
            if ticket.contract_id:
                return _("Covered by your support contract %(contract)s (valid until "
                         "%(end)s).") % {"contract": ticket.contract_id.name,
                                         "end": ticket.contract_id.date_end}
            return _("Covered by your support contract.")
        if ticket.coverage == "warranty":
            if ticket.lot_id.warranty_end_date:
                return _("Covered by the warranty of %(product)s, serial number %(lot)s "
                         "(until %(end)s).") % {
                             "product": ticket.lot_id.product_id.display_name,
                             "lot": ticket.lot_id.name, "end": ticket.lot_id.warranty_end_date}
            return _("Covered by the equipment's warranty.")
        return ""

    def _compute_billing_counts(self):
        for ticket in self:
            sudo = ticket.sudo()
            ticket.delivery_note_count = len(sudo.delivery_note_ids)
            ticket.invoice_count = len(sudo.invoice_ids)

    def _uninvoiced_timesheets(self):
        return self.sudo().mapped("timesheet_ids").filtered(
            lambda l: not l.helpdesk_invoice_id and not l.helpdesk_delivery_note_id)

    def _compute_billing_state(self):
        for ticket in self:
            sudo = ticket.sudo()
            invoices = sudo.invoice_ids.filtered(
                lambda i: i.type == "out_invoice" and i.state != "cancel")
            pending = sudo._uninvoiced_timesheets() or sudo.material_ids.filtered(
                lambda m: not m.delivery_note_id)
            if sudo.coverage != "billable":
                ticket.billing_state = "covered"
            elif pending and sudo.state != "cancelled":
                ticket.billing_state = "to_invoice"
            elif invoices.filtered(lambda i: i.state != "paid"):
                ticket.billing_state = "invoiced"
            elif invoices:
                ticket.billing_state = "paid"
            else:
                ticket.billing_state = "none"

    def _search_billing_state(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, str):
            raise UserError(_("Search the billing state with = or != and one state."))
        # one SQL query whatever the number of tickets
        queries = {
            "covered": "SELECT id FROM helpdesk_ticket WHERE coverage != 'billable'",
            "to_invoice": """
                SELECT t.id FROM helpdesk_ticket t
                WHERE t.coverage = 'billable' AND t.state != 'cancelled' AND (
                    EXISTS (SELECT 1 FROM account_analytic_line l
                            WHERE l.helpdesk_ticket_id = t.id AND l.project_id IS NOT NULL
                              AND l.helpdesk_invoice_id IS NULL
                              AND l.helpdesk_delivery_note_id IS NULL)
                    OR EXISTS (SELECT 1 FROM helpdesk_ticket_material m
                               WHERE m.ticket_id = t.id AND m.delivery_note_id IS NULL))""",
            "invoiced": """
                SELECT DISTINCT helpdesk_ticket_id FROM account_invoice
                WHERE type = 'out_invoice' AND state = 'open'
                  AND helpdesk_ticket_id IS NOT NULL""",
            "paid": """
                SELECT DISTINCT helpdesk_ticket_id FROM account_invoice i
                WHERE type = 'out_invoice' AND state = 'paid'
                  AND helpdesk_ticket_id IS NOT NULL AND NOT EXISTS (
                    SELECT 1 FROM account_invoice o WHERE o.helpdesk_ticket_id =
                    i.helpdesk_ticket_id AND o.type = 'out_invoice' AND o.state = 'open')""",
        }
        if value not in queries:
            raise UserError(_("Unknown billing state %s.") % value)
        self.env.cr.execute(queries[value])
        ids = [row[0] for row in self.env.cr.fetchall()]
        return [("id", "in" if operator == "=" else "not in", ids)]

    # ---------------------------------------------------------------- invoices
    @api.multi
    def _get_service_product(self):
        """The product the hours are sold as: the queue's, else the company's default
        (Field service hour)."""
        self.ensure_one()
        ticket = self.sudo()
        return ticket.queue_id.service_product_id or \
            ticket.company_id.helpdesk_service_product_id

    def _get_fiscal_position(self):
        self.ensure_one()
        ticket = self.sudo()
        FiscalPosition = self.env["account.fiscal.position"].sudo()
        return FiscalPosition.browse(FiscalPosition.with_context(
            force_company=ticket.company_id.id).get_fiscal_position(
                ticket.commercial_partner_id.id,
                delivery_id=(ticket.site_partner_id or ticket.partner_id).id))

    def _prepare_invoice_values(self, lines, note=None):
        """An out invoice of ``lines`` (dicts: name, product_id, quantity, uom_id,
        price_unit, tax_ids) for the ticket's organisation: its fiscal position and
        payment term, each line on the product's income account (mapped) and the
        ticket's analytic account; origin and links to the ticket (and note)."""
        self.ensure_one()
        ticket = self.sudo()
        partner = ticket.commercial_partner_id
        invoice_partner = self.env["res.partner"].browse(
            partner.address_get(["invoice"])["invoice"])
        fiscal_position = ticket._get_fiscal_position()
        journal = self.env["account.journal"].search(
            [("type", "=", "sale"), ("company_id", "=", ticket.company_id.id)], limit=1)
        if not journal:
            raise UserError(_("Company %(company)s has no sales journal to invoice ticket "
                              "%(number)s: install a chart of accounts.") % {
                                  "company": ticket.company_id.name,
                                  "number": ticket.number})
        analytic = ticket.project_id.analytic_account_id
        invoice_lines = []
        for line in lines:
            product = self.env["product.product"].browse(line["product_id"]).with_context(
                force_company=ticket.company_id.id)
            account = product.property_account_income_id or \
                product.categ_id.property_account_income_categ_id
            if not account:
                raise UserError(_("%s has no income account to invoice it on.")
                                % product.display_name)
            invoice_lines.append((0, 0, {
                "name": line["name"],
                "product_id": product.id,
                "quantity": line["quantity"],
                "uom_id": line["uom_id"],
                "price_unit": line["price_unit"],
                "invoice_line_tax_ids": [(6, 0, line["tax_ids"])],
                "account_id": fiscal_position.map_account(account).id
                if fiscal_position else account.id,
                "account_analytic_id": analytic.id,
            }))
        origin = ticket.number if not note else "%s / %s" % (ticket.number, note.name)
        return {
            "type": "out_invoice",
            "partner_id": invoice_partner.id,
            "account_id": invoice_partner.property_account_receivable_id.id,
            "journal_id": journal.id,
            "company_id": ticket.company_id.id,
            "currency_id": ticket.company_id.currency_id.id,
            "fiscal_position_id": fiscal_position.id,
            "payment_term_id": partner.property_payment_term_id.id,
            "origin": origin,
            "name": ticket.name,
            "helpdesk_ticket_id": ticket.id,
            "helpdesk_delivery_note_id": note.id if note else False,
            "invoice_line_ids": invoice_lines,
        }

    def _create_invoice(self, lines, note=None, send=True):
        """Create and validate the customer invoice of ``lines``, and mail it unless
        ``send`` is False (as superuser: the caller, who signed or confirmed, has been
        checked; they have no accounting rights)."""
        self.ensure_one()
        Invoice = self.env["account.invoice"].sudo().with_context(
            type="out_invoice", mail_create_nolog=True)
        invoice = Invoice.create(self._prepare_invoice_values(lines, note))
        invoice.compute_taxes()
        invoice.action_invoice_open()
        if send:
            invoice._mail_to_customer(note)
        return invoice

    def _invoice_delivery_note(self, note):
        """The one invoice of a signed billable ``note``, built from its frozen lines
        and validated (mailed by the note once its PDF exists); the hours on it are
        marked invoiced. Nothing for a covered note."""
        self.ensure_one()
        if note.coverage != "billable" or note.invoice_id or self._is_fee_billed():
            # a ticket with a fee is billed by its fee (captured at the closure)
            return note.invoice_id
        lines = [{
            "name": line.name, "product_id": line.product_id.id,
            "quantity": line.quantity, "uom_id": line.uom_id.id,
            "price_unit": line.price_unit, "tax_ids": line.tax_ids.ids,
        } for line in note.line_ids]
        invoice = self._create_invoice(lines, note, send=False)
        note._write_signed({"invoice_id": invoice.id})
        note.line_ids.mapped("timesheet_id").write({"helpdesk_invoice_id": invoice.id})
        return invoice

    def _on_delivery_note_signed(self, note):
        """Hook: ``note`` was signed for this ticket, its invoice (if billable) created
        and both mailed (as superuser, after the signer's checks). Billable: the ticket
        is delivered and closes when the invoice is paid. Covered: the ticket closes,
        its work resolved and signed."""
        self.ensure_one()
        if note.coverage == "billable":
            if self.state in EXPERT_STATES:
                self._action_deliver()
            if note.invoice_id.state == "paid":  # nothing to pay (all at zero)
                self._on_invoice_paid()
        elif self.state not in DONE_STATES:
            self._action_close()
            self._notify_customer("tktit_helpdesk.mail_template_ticket_closed")

    def _action_customer_confirm(self, satisfied, comment=None):
        """Remote billable tickets are invoiced from their hours when the customer
        confirms the closure (field tickets were invoiced at the signature); a ticket
        with a fee held is billed by its fee instead, which is captured now (a
        dissatisfied answer keeps the hold)."""
        if satisfied:
            for ticket in self.filtered(lambda t: t.coverage == "billable" and
                                        not t._is_fee_billed()):
                timesheets = ticket._uninvoiced_timesheets()
                if timesheets:
                    ticket._invoice_remote_hours(timesheets)
        res = super(HelpdeskTicket, self)._action_customer_confirm(satisfied, comment)
        if satisfied:
            for ticket in self.filtered(lambda t: t.payment_state == "authorized"):
                ticket._escrow_capture()
        return res

    def _invoice_remote_hours(self, timesheets):
        self.ensure_one()
        service = self._get_service_product()
        if not service:
            raise UserError(_(
                "No service product is set for the hours of ticket %s: set one on its "
                "queue or the company's default (Field service hour).") % self.number)
        lines = self.env["helpdesk.delivery.note"]._prepare_hours_line_values(
            self, timesheets)
        invoice = self._create_invoice(lines)
        timesheets.sudo().write({"helpdesk_invoice_id": invoice.id})
        return invoice

    def _closes_on_confirmation(self):
        """A billable ticket with an unpaid invoice closes when it is paid."""
        tickets = super(HelpdeskTicket, self)._closes_on_confirmation()
        return tickets.filtered(lambda t: not t.sudo().invoice_ids.filtered(
            lambda i: i.type == "out_invoice" and i.state == "open"))

    def _on_invoice_paid(self):
        """Hook: an invoice of these tickets is paid. A delivered ticket whose customer
        invoices are all paid closes (its closing mail asks for the rating).

        The tickets' rows are locked and touched first: two payments committing at the
        same moment (two invoices of one ticket) cannot both miss the other's payment;
        the second transaction is refused by PostgreSQL and retried by Odoo's request
        layer, then sees both paid."""
        tickets = self.sudo().exists()
        if not tickets:
            return
        self.env.cr.execute(
            "UPDATE helpdesk_ticket SET write_date = (now() at time zone 'UTC') "
            "WHERE id IN %s", (tuple(tickets.ids),))
        for ticket in tickets:
            invoices = ticket.invoice_ids.filtered(
                lambda i: i.type == "out_invoice" and i.state != "cancel")
            if ticket.state == "delivered" and invoices and \
                    all(i.state == "paid" for i in invoices):
                ticket._action_close()
                ticket._notify_customer("tktit_helpdesk.mail_template_ticket_closed")

    # ------------------------------------------------------------------ escrow
    # The portal fee is held at PayPal when the customer confirms the quote (the ticket
    # then reaches the dispatcher), captured on their satisfied closure (the capture
    # pays the fee invoice and creates the expert's bill), released on cancellation.
    # ``payment_state`` and its bookkeeping are written by these methods only.
    payment_transaction_id = fields.Many2one(
        "payment.transaction", string="Fee Payment", readonly=True, copy=False,
        groups="base.group_user",
        help="The PayPal transaction that holds, then takes, the ticket's fee.")
    payment_state = fields.Selection(
        PAYMENT_STATES, string="Fee Payment Status", default="none", required=True,
        readonly=True, copy=False, index=True, track_visibility="onchange",
        help="Held at PayPal: the customer approved the fee; it is taken only when they "
             "confirm the closure and their satisfaction, and released if the ticket is "
             "cancelled.")
    fee_dispatch_pending = fields.Boolean(
        string="Dispatch When Held", readonly=True, copy=False, groups="base.group_user",
        help="Operations sent the ticket to dispatch with a fee: it goes there as soon "
             "as the customer's fee is held.")
    fee_quote_open = fields.Boolean(
        compute="_compute_fee_quote_open",
        help="The customer can confirm the quoted fee (and be sent to PayPal).")
    payment_error = fields.Char(
        string="Payment Problem", readonly=True, copy=False, groups="base.group_user",
        help="Why PayPal's last call for this fee failed; empty once it succeeded.")
    payment_attempts = fields.Integer(readonly=True, copy=False, groups="base.group_user")
    payment_next_try = fields.Datetime(
        string="Next PayPal Attempt", readonly=True, copy=False, groups="base.group_user")
    fee_invoice_id = fields.Many2one(
        "account.invoice", string="Fee Invoice", readonly=True, copy=False,
        groups=INVOICE_READERS, help="The customer invoice the captured fee pays.")
    expert_bill_id = fields.Many2one(
        "account.invoice", string="Expert's Bill", readonly=True, copy=False,
        groups=INVOICE_READERS,
        help="The vendor bill of the expert's share, created by the capture.")
    # the money's own clock (calendar hours: money waits on weekends too)
    delivered_on = fields.Datetime(readonly=True, copy=False, groups="base.group_user")
    customer_confirmed_on = fields.Datetime(readonly=True, copy=False,
                                            groups="base.group_user")
    fee_captured_on = fields.Datetime(readonly=True, copy=False, groups="base.group_user")
    expert_paid_on = fields.Datetime(readonly=True, copy=False, groups="base.group_user")
    confirm_hours = fields.Float(
        string="Delivery to Confirmation (h)", compute="_compute_escrow_hours", store=True,
        group_operator="avg", groups="base.group_user")
    capture_hours = fields.Float(
        string="Confirmation to Capture (h)", compute="_compute_escrow_hours", store=True,
        group_operator="avg", groups="base.group_user")
    payout_hours = fields.Float(
        string="Capture to Expert Payment (h)", compute="_compute_escrow_hours",
        store=True, group_operator="avg", groups="base.group_user")
    fee_reminder_count = fields.Integer(readonly=True, copy=False, groups="base.group_user")
    fee_reminder_sent_on = fields.Datetime(readonly=True, copy=False,
                                           groups="base.group_user")
    fee_expiry_warned = fields.Boolean(readonly=True, copy=False, groups="base.group_user")
    fee_held_since = fields.Datetime(
        related="payment_transaction_id.paypal_rest_authorized_on", readonly=True,
        groups="base.group_user")
    fee_held_days = fields.Float(compute="_compute_fee_clock", string="Held (days)",
                                 groups="base.group_user")
    fee_honor_days_left = fields.Float(compute="_compute_fee_clock",
                                       string="Honor Period Left (days)",
                                       groups="base.group_user")
    fee_valid_days_left = fields.Float(compute="_compute_fee_clock",
                                       string="Authorization Left (days)",
                                       groups="base.group_user")

    @api.depends("fee_amount", "payment_state", "state")
    def _compute_fee_quote_open(self):
        # read as sudo: reading the ticket's fields here prefetches others, some of
        # which a portal reader may not read (their read of all fields would fail)
        for ticket in self:
            sudo = ticket.sudo()
            ticket.fee_quote_open = sudo.state in FEE_QUOTE_STATES and \
                sudo.fee_amount > 0 and sudo.payment_state not in HELD_STATES

    @api.depends("delivered_on", "customer_confirmed_on", "fee_captured_on",
                 "expert_paid_on")
    def _compute_escrow_hours(self):
        for ticket in self:
            ticket.confirm_hours = _hours(ticket.delivered_on, ticket.customer_confirmed_on)
            ticket.capture_hours = _hours(ticket.customer_confirmed_on, ticket.fee_captured_on)
            ticket.payout_hours = _hours(ticket.fee_captured_on, ticket.expert_paid_on)

    def _compute_fee_clock(self):
        now = fields.Datetime.from_string(fields.Datetime.now())
        for ticket in self:
            tx = ticket.sudo().payment_transaction_id
            held = ticket.payment_state == "authorized" and tx.paypal_rest_authorized_on
            ticket.fee_held_days = _days(tx.paypal_rest_authorized_on, now) if held else 0.0
            ticket.fee_honor_days_left = max(0.0, -_days(tx.paypal_rest_honor_until, now)) \
                if held and tx.paypal_rest_honor_until else 0.0
            ticket.fee_valid_days_left = max(0.0, -_days(tx.paypal_rest_valid_until, now)) \
                if held and tx.paypal_rest_valid_until else 0.0

    @api.constrains("fee_amount")
    def _check_fee_amount(self):
        for ticket in self:
            if ticket.fee_amount < 0:
                raise ValidationError(_("The fee of ticket %s cannot be negative.")
                                      % ticket.number)

    def _check_write_fields(self, vals):
        # the escrow's bookkeeping is PayPal's answers: only its own methods write it
        # (through _write_state, or as superuser after their checks), not even managers
        escrow = set(vals) & ESCROW_FIELDS
        if escrow and self.env.uid != SUPERUSER_ID:
            raise AccessError(_("The fee's payment (%s) is recorded from PayPal's answers "
                                "only.") % ", ".join(sorted(escrow)))
        if "fee_amount" in vals:
            self._check_fee_change(vals["fee_amount"])
        return super(HelpdeskTicket, self)._check_write_fields(vals)

    def _check_fee_change(self, fee_amount):
        """A fee held or taken at PayPal is the fee: it is not changed afterwards."""
        if fee_amount is None:
            return
        for ticket in self.sudo():
            if ticket.payment_state in HELD_STATES and \
                    ticket.currency_id.compare_amounts(ticket.fee_amount, fee_amount or 0.0):
                raise UserError(_("The fee of ticket %(number)s (%(amount)s) is already "
                                  "held at PayPal: it cannot be changed.") % {
                                      "number": ticket.number,
                                      "amount": ticket.fee_amount})

    # ----------------------------------------------------- quote and hold
    def _action_send_to_dispatch(self, fee_amount=None):
        """A ticket with a fee waits for its fee to be held before reaching the
        dispatcher; the customer gets the quote to confirm. Without a fee, or with it
        held already, it goes as before."""
        self._check_fee_change(fee_amount)
        if fee_amount is not None and fee_amount > 0:
            PayPal = self.env["payment.acquirer"]
            PayPal._paypal_rest_amount(fee_amount, self[:1].currency_id)
        waiting = self.filtered(lambda t: t.payment_state not in HELD_STATES and (
            fee_amount if fee_amount is not None else t.fee_amount) > 0)
        for ticket in waiting:
            requote = fee_amount is not None and ticket.currency_id.compare_amounts(
                ticket.fee_amount, fee_amount)
            first_quote = not ticket.fee_dispatch_pending
            vals = {"fee_dispatch_pending": True}
            if fee_amount is not None:
                vals["fee_amount"] = fee_amount
            if requote:
                ticket._drop_pending_payment()
            ticket._write_state(vals)
            if requote or first_quote:
                ticket._notify_customer("tktit_helpdesk_billing.mail_template_ticket_fee_quote")
        rest = self - waiting
        if rest:
            return super(HelpdeskTicket, rest)._action_send_to_dispatch(fee_amount)
        return None

    def _drop_pending_payment(self):
        """A new quote: the PayPal payment of the old amount (never approved, so
        nothing held) is forgotten; the customer confirms the new one."""
        for ticket in self.sudo():
            tx = ticket.payment_transaction_id
            if tx and tx.state in ("draft", "pending"):
                tx._paypal_rest_void()
                ticket._write_state({"payment_transaction_id": False})

    def _check_fee_customer(self):
        """The ticket's customer (a portal user of its organisation) confirms its fee, or
        the portal as superuser once it checked the visitor (logged in, or with the
        ticket's token)."""
        self.check_access_rights("read")
        self.check_access_rule("read")
        user = self.env.user
        if self.env.uid == SUPERUSER_ID:
            return
        if not user.share or any(t.commercial_partner_id != user.commercial_partner_id
                                 for t in self.sudo()):
            raise AccessError(_("Only the customer confirms the fee of a ticket."))

    def _lock_ticket(self):
        """The ticket's row lock: a second fee confirmation (a double click) waits for
        the first, then is refused by PostgreSQL and retried by Odoo's request layer,
        when it finds the first one's PayPal payment."""
        self.env.cr.execute("SELECT id FROM helpdesk_ticket WHERE id IN %s FOR UPDATE",
                            (tuple(self.ids),))
        self.invalidate_cache(ids=self.ids)

    def _get_escrow_acquirer(self):
        self.ensure_one()
        acquirer = self.env["payment.acquirer"].sudo().search(
            [("provider", "=", PROVIDER), ("company_id", "=", self.company_id.id)],
            limit=1)
        if not acquirer:
            raise UserError(_("Online payment of fees is not set up: ask our operations "
                              "team."))
        return acquirer

    @api.multi
    def action_confirm_fee(self, return_url=None, cancel_url=None):
        """The customer accepts the quoted fee: a PayPal payment (intent authorize) is
        created, once per quote; returns the PayPal page where they approve it.
        ``return_url``/``cancel_url``: where PayPal sends them back (default: this
        server's /payment/paypal_rest/return and /cancel)."""
        self.ensure_one()
        self._check_fee_customer()
        ticket = self.sudo()
        ticket._lock_ticket()
        if ticket.payment_state in HELD_STATES:
            raise UserError(_("The fee of ticket %s is already held at PayPal.")
                            % ticket.number)
        if not ticket.fee_quote_open:
            raise UserError(_("Ticket %s has no fee to confirm.") % ticket.number)
        tx = ticket.payment_transaction_id
        if tx and tx.state == "pending" and tx.paypal_rest_approval_url:
            return tx.paypal_rest_approval_url  # confirmed twice: the same payment
        acquirer = ticket._get_escrow_acquirer()
        acquirer._paypal_rest_amount(ticket.fee_amount, ticket.currency_id)
        Transaction = self.env["payment.transaction"].sudo()
        partner = ticket.partner_id
        # Odoo requires a country on a transaction (PayPal does not need it here)
        country = partner.country_id or partner.commercial_partner_id.country_id or \
            ticket.company_id.country_id
        if not country:
            _logger.error("fee of ticket %s: neither the customer nor company %s has a "
                          "country, which Odoo's payment transactions require",
                          ticket.number, ticket.company_id.name)
            raise UserError(_("Online payment of fees is not fully set up (the company "
                              "has no country): ask our operations team."))
        tx = Transaction.create({
            "acquirer_id": acquirer.id,
            "amount": ticket.fee_amount,
            "currency_id": ticket.currency_id.id,
            "partner_id": partner.id,
            "partner_country_id": country.id,
            "reference": Transaction.get_next_reference(ticket.number),
            "helpdesk_ticket_id": ticket.id,
            "type": "form",
        })
        ticket._write_state({"payment_transaction_id": tx.id})
        base_url = self.env["ir.config_parameter"].sudo().get_param("web.base.url")
        return tx._paypal_rest_create_payment(
            return_url or "%s/payment/paypal_rest/return" % base_url,
            cancel_url or "%s/payment/paypal_rest/cancel" % base_url,
            _("Fee of ticket %(number)s: %(name)s") % {"number": ticket.number,
                                                       "name": ticket.name})

    @api.multi
    def action_hold_fee(self, payment_id, token, payer_id):
        """PayPal sent the customer back approved (``paymentId``, ``token``,
        ``PayerID`` of the return URL): the payment is executed and the fee held. A
        return that is not this ticket's payment is refused, nothing recorded."""
        self.ensure_one()
        self._check_fee_customer()
        ticket = self.sudo()
        tx = ticket.payment_transaction_id
        if not tx or not consteq(tx.paypal_rest_token or "", token or "") or \
                not consteq(tx.paypal_rest_payment_id or "", payment_id or ""):
            raise ValidationError(_("This PayPal return is not the payment of ticket %s: "
                                    "nothing was recorded.") % ticket.number)
        if ticket.payment_state in HELD_STATES:
            return True  # the browser came back twice
        if tx.state != "pending":
            raise UserError(_("This PayPal payment of ticket %s was cancelled: confirm "
                              "the fee again.") % ticket.number)
        tx._paypal_rest_execute(payment_id, payer_id)
        ticket._action_hold_fee()
        return True

    def _fee_label(self):
        """The fee as the customer reads it (amount and currency)."""
        self.ensure_one()
        ticket = self.sudo()
        env = ticket.with_context(lang=ticket.partner_id.lang or "en_US").env
        return formatLang(env, ticket.fee_amount, currency_obj=ticket.currency_id)

    def _action_hold_fee(self):
        """Hook: the fee is held at PayPal. The customer is told; a ticket operations
        already sent to dispatch goes there now."""
        for ticket in self:
            ticket._write_state({"payment_state": "authorized", "payment_error": False,
                                 "payment_attempts": 0, "payment_next_try": False})
            ticket._notify_customer("tktit_helpdesk_billing.mail_template_ticket_fee_held")
            if ticket.fee_dispatch_pending and ticket.state in FEE_QUOTE_STATES:
                ticket._write_state({"fee_dispatch_pending": False})
                ticket._action_send_to_dispatch()

    @api.multi
    def action_cancel_fee_payment(self, token):
        """The customer cancelled at PayPal: nothing is held; the quote stays open."""
        self.ensure_one()
        self._check_fee_customer()
        ticket = self.sudo()
        tx = ticket.payment_transaction_id
        if not tx or not consteq(tx.paypal_rest_token or "", token or ""):
            raise ValidationError(_("This PayPal return is not the payment of ticket %s.")
                                  % ticket.number)
        if ticket.payment_state in HELD_STATES:
            return True  # approved in another tab: the hold stands
        ticket._drop_pending_payment()
        return True

    # ------------------------------------------------- capture and release
    def _is_fee_billed(self):
        """The fee is the price of the work: no other invoice of hours or materials."""
        self.ensure_one()
        return self.sudo().payment_state in HELD_STATES

    def _action_deliver(self, values=None):
        vals = dict(values or {}, delivered_on=fields.Datetime.now())
        return super(HelpdeskTicket, self)._action_deliver(vals)

    def _escrow_capture_due(self):
        self.ensure_one()
        return self.payment_state == "authorized" and self.satisfaction == "satisfied" \
            and self.state in ("delivered", "closed")

    def _escrow_release_due(self):
        self.ensure_one()
        return self.payment_state == "authorized" and self.state == "cancelled"

    def _prepare_customer_confirm_values(self, satisfied, comment=None):
        vals = super(HelpdeskTicket, self)._prepare_customer_confirm_values(
            satisfied, comment)
        if satisfied:
            vals["customer_confirmed_on"] = fields.Datetime.now()
        return vals

    def _action_cancel(self):
        res = super(HelpdeskTicket, self)._action_cancel()
        for ticket in self.sudo():
            if ticket.payment_state == "authorized":
                ticket._escrow_release()
            else:
                ticket._drop_pending_payment()
        return res

    def _get_fee_invoice(self):
        """The customer invoice of the fee (created and validated once): what the
        capture pays."""
        self.ensure_one()
        ticket = self.sudo()
        if ticket.fee_invoice_id:
            return ticket.fee_invoice_id
        product = ticket.company_id.helpdesk_fee_product_id
        if not product:
            raise UserError(_("No fee product is set for company %s.")
                            % ticket.company_id.name)
        invoice = ticket._create_invoice([{
            "name": _("Fee of ticket %(number)s: %(name)s") % {
                "number": ticket.number, "name": ticket.name},
            "product_id": product.id, "quantity": 1.0, "uom_id": product.uom_id.id,
            "price_unit": ticket.fee_amount, "tax_ids": [],
        }], send=False)
        ticket._write_state({"fee_invoice_id": invoice.id})
        ticket.payment_transaction_id.write({"account_invoice_id": invoice.id})
        return invoice

    def _escrow_capture(self):
        """Capture the held fee (the customer confirmed their satisfaction). PayPal
        down or failing: nothing is lost, the ticket keeps the customer's answer, the
        cron tries again later (the same PayPal-Request-Id: never twice)."""
        self.ensure_one()
        ticket = self.sudo()
        if not ticket._escrow_capture_due():
            return False
        ticket._get_fee_invoice()
        if not ticket._escrow_call(_("capture"),
                                   ticket.payment_transaction_id._paypal_rest_capture):
            return False
        ticket._action_fee_captured()
        return True

    def _escrow_call(self, step, call):
        """Run one PayPal ``call`` of the escrow in a savepoint: True when it went
        through; a PayPal failure is recorded (``_escrow_failed``) and gives False,
        leaving the ticket as it was for the next attempt."""
        self.ensure_one()
        try:
            with self.env.cr.savepoint():
                call()
        except PayPalError as error:
            self._escrow_failed(step, error)
            return False
        return True

    def _action_fee_captured(self):
        """Hook: the fee was taken. The customer is told; the expert's share is billed
        so that accounting pays them from what was captured."""
        for ticket in self:
            ticket._write_state({
                "payment_state": "captured", "fee_captured_on": fields.Datetime.now(),
                "payment_error": False, "payment_next_try": False})
            ticket._create_expert_bill()
            ticket._notify_customer(
                "tktit_helpdesk_billing.mail_template_ticket_fee_captured")

    def _escrow_release(self):
        """Release the held fee (the ticket is cancelled); retried like a capture."""
        self.ensure_one()
        ticket = self.sudo()
        if not ticket._escrow_release_due() or not ticket._escrow_call(
                _("release"), ticket.payment_transaction_id._paypal_rest_void):
            return False
        ticket._write_state({"payment_state": "voided", "payment_error": False,
                             "payment_next_try": False})
        ticket._notify_customer("tktit_helpdesk_billing.mail_template_ticket_fee_released")
        return True

    def _escrow_failed(self, step, error):
        """PayPal failed at ``step``: a retryable failure is tried again with back-off
        (5 minutes doubling to 6 hours); a refusal marks the payment failed. Either way
        operations see it (the Held Funds board, an activity at the first failure)."""
        self.ensure_one()
        attempts = self.payment_attempts + 1
        vals = {"payment_error": error.name, "payment_attempts": attempts}
        if getattr(error, "retry", False):
            delay = min(RETRY_FIRST_MINUTES * 2 ** (attempts - 1), RETRY_MAX_MINUTES)
            vals["payment_next_try"] = fields.Datetime.to_string(
                fields.Datetime.from_string(fields.Datetime.now()) +
                timedelta(minutes=delay))
        else:
            vals.update(payment_state="failed", payment_next_try=False)
        self._write_state(vals)
        self.message_post(body=_("PayPal %(step)s failed (attempt %(n)d): %(error)s") % {
            "step": step, "n": attempts, "error": error.name}, subtype="mail.mt_note")
        if attempts == 1 or vals.get("payment_state") == "failed":
            self._schedule_activity(
                "mail.mail_activity_data_todo", self._get_operations_user(),
                _("Fee payment of %(number)s: PayPal %(step)s failed") % {
                    "number": self.number, "step": step}, note=error.name)

    # ----------------------------------------------------------- expert share
    def _get_commission_rate(self):
        """The expert's share of the fee, in percent: the expert's own rate, else the
        queue's, else the company's."""
        self.ensure_one()
        ticket = self.sudo()
        return ticket.user_id.helpdesk_commission_rate or \
            ticket.queue_id.expert_commission_rate or \
            ticket.company_id.helpdesk_expert_commission_rate

    def _create_expert_bill(self):
        """The expert's vendor bill for their share of the captured fee, validated so
        that accounting pays it (once per ticket)."""
        self.ensure_one()
        ticket = self.sudo()
        if ticket.expert_bill_id or not ticket.user_id:
            return ticket.expert_bill_id
        product = ticket.company_id.helpdesk_expert_product_id
        rate = ticket._get_commission_rate()
        amount = ticket.currency_id.round(ticket.fee_amount * rate / 100.0)
        if not product or ticket.currency_id.is_zero(amount):
            return ticket.expert_bill_id
        product = product.with_context(force_company=ticket.company_id.id)
        account = product.property_account_expense_id or \
            product.categ_id.property_account_expense_categ_id
        journal = self.env["account.journal"].sudo().search(
            [("type", "=", "purchase"), ("company_id", "=", ticket.company_id.id)], limit=1)
        if not account or not journal:
            raise UserError(_("Company %s has no purchase journal or expense account for "
                              "the experts' bills.") % ticket.company_id.name)
        partner = ticket.user_id.partner_id
        bill = self.env["account.invoice"].sudo().with_context(
            type="in_invoice", mail_create_nolog=True).create({
                "type": "in_invoice",
                "partner_id": partner.id,
                "account_id": partner.property_account_payable_id.id,
                "journal_id": journal.id,
                "company_id": ticket.company_id.id,
                "currency_id": ticket.currency_id.id,
                "origin": ticket.number,
                "reference": "%s / %s" % (ticket.number, ticket.payment_transaction_id
                                          .paypal_rest_capture_id or ""),
                "invoice_line_ids": [(0, 0, {
                    "name": _("Expert's share (%(rate)s%%) of the fee of ticket "
                              "%(number)s") % {"rate": rate, "number": ticket.number},
                    "product_id": product.id, "quantity": 1.0,
                    "uom_id": product.uom_id.id, "price_unit": amount,
                    "account_id": account.id,
                    "account_analytic_id": ticket.project_id.analytic_account_id.id,
                })],
            })
        bill.action_invoice_open()
        ticket._write_state({"expert_bill_id": bill.id})
        return bill

    def _on_expert_bill_paid(self):
        """Hook: accounting paid the expert's bill: the payout ends the money's clock."""
        self.sudo()._write_state({"expert_paid_on": fields.Datetime.now()})

    # --------------------------------------------------------------- the cron
    @api.model
    def _cron_escrow(self):
        """The money's clock, every few minutes: retry failed captures and releases
        (back-off), reauthorize past the honor period, warn operations before an
        authorization expires, remind customers who have not confirmed a delivery.
        Each ticket in its own transaction outside tests: one PayPal failure or a
        concurrent change does not undo the others' work."""
        now = fields.Datetime.now()
        company = self.env.user.company_id
        Ticket = self.sudo()
        held = [("payment_state", "=", "authorized")]
        due = Ticket.search(held + [
            "|", ("payment_next_try", "=", False), ("payment_next_try", "<=", now),
            "|", "&", ("satisfaction", "=", "satisfied"), ("state", "in", ("delivered", "closed")),
            ("state", "=", "cancelled")])
        self._escrow_each(due, lambda t: t._escrow_capture() if t._escrow_capture_due()
                          else t._escrow_release())
        reauth = Ticket.search(held + [
            ("payment_transaction_id.paypal_rest_honor_until", "<=", now),
            ("payment_transaction_id.paypal_rest_reauthorized", "=", False),
            ("state", "not in", ("closed", "cancelled"))])
        self._escrow_each(reauth, lambda t: t._escrow_reauthorize())
        warn_before = fields.Datetime.to_string(
            fields.Datetime.from_string(now) +
            timedelta(days=company.helpdesk_fee_expiry_warn_days))
        expiring = Ticket.search(held + [
            ("fee_expiry_warned", "=", False),
            ("payment_transaction_id.paypal_rest_valid_until", "<=", warn_before)])
        self._escrow_each(expiring, lambda t: t._escrow_warn_expiry())
        remind_days = company.helpdesk_fee_reminder_days
        if remind_days > 0:
            before = fields.Datetime.to_string(
                fields.Datetime.from_string(now) - timedelta(days=remind_days))
            late = Ticket.search(held + [
                ("state", "=", "delivered"), ("delivered_on", "<=", before),
                "|", ("fee_reminder_sent_on", "=", False),
                ("fee_reminder_sent_on", "<=", before)])
            self._escrow_each(late, lambda t: t._escrow_remind_customer())
        return True

    @api.model
    def _escrow_each(self, tickets, work):
        auto_commit = not (getattr(threading.currentThread(), "testing", False) or
                           self.env.registry.in_test_mode())
        for ticket in tickets:
            try:
                with self.env.cr.savepoint():
                    work(ticket)
            except (UserError, ValidationError) as error:
                _logger.warning("escrow of ticket %s: %s", ticket.number, error.name)
            if auto_commit:
                # PayPal is not part of our transaction: what it did for this ticket is
                # recorded now, whatever happens to the next ones (as Odoo's mail queue)
                self.env.cr.commit()  # pylint: disable=invalid-commit

    def _escrow_reauthorize(self):
        self.ensure_one()
        try:
            with self.env.cr.savepoint():
                done = self.payment_transaction_id._paypal_rest_reauthorize()
        except PayPalError as error:
            self._escrow_failed(_("reauthorization"), error)
            return False
        if done:
            self.message_post(body=_("The fee's hold was renewed at PayPal (a new honor "
                                     "period)."), subtype="mail.mt_note")
        return done

    def _escrow_warn_expiry(self):
        self.ensure_one()
        tx = self.payment_transaction_id
        self._write_state({"fee_expiry_warned": True})
        summary = _("Fee of %(number)s: PayPal's hold expires on %(date)s UTC") % {
            "number": self.number, "date": (tx.paypal_rest_valid_until or "")[:16]}
        self.message_post(body=summary, subtype="mail.mt_note")
        self._schedule_activity("mail.mail_activity_data_todo",
                                self._get_operations_user(), summary,
                                note=_("Ask the customer to confirm the delivery, or "
                                       "cancel the ticket to release the fee."))

    def _escrow_remind_customer(self):
        self.ensure_one()
        self._write_state({"fee_reminder_sent_on": fields.Datetime.now(),
                           "fee_reminder_count": self.fee_reminder_count + 1})
        self._notify_customer("tktit_helpdesk_billing.mail_template_ticket_fee_reminder")

    @api.multi
    def action_retry_fee_payment(self):
        """Operations (or accounting) try the pending PayPal call again now."""
        if not (self.env.user.has_group(OPERATIONS) or
                self.env.user.has_group("account.group_account_manager")):
            raise AccessError(_("Operations and accounting managers retry fee payments."))
        for ticket in self.sudo():
            if ticket._escrow_capture_due():
                ticket._escrow_capture()
            elif ticket._escrow_release_due():
                ticket._escrow_release()
            elif ticket.payment_state not in ("captured", "voided"):
                # (captured or released meanwhile, e.g. by the cron: nothing left to do)
                raise UserError(_("Ticket %s has no PayPal call to retry.") % ticket.number)
        return True
