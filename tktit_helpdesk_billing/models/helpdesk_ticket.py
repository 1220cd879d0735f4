# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import SUPERUSER_ID, _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import plaintext2html

from odoo.addons.tktit_helpdesk.models.helpdesk_ticket import DONE_STATES, EXPERT_STATES

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
        ticket = super(HelpdeskTicket, self).create(vals)
        if not vals.get("project_id"):
            ticket.sudo()._set_default_project()
        return ticket

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
        return self.queue_id.project_id or self.company_id.helpdesk_project_id

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
        if note.coverage != "billable" or note.invoice_id:
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
        confirms the closure (field tickets were invoiced at the signature)."""
        if satisfied:
            for ticket in self.filtered(lambda t: t.coverage == "billable"):
                timesheets = ticket._uninvoiced_timesheets()
                if timesheets:
                    ticket._invoice_remote_hours(timesheets)
        return super(HelpdeskTicket, self)._action_customer_confirm(satisfied, comment)

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
