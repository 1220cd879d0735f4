# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import SUPERUSER_ID, _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from odoo.addons.tktit_helpdesk.models.helpdesk_ticket import DONE_STATES

TIMESHEET_USER = "hr_timesheet.group_hr_timesheet_user"
MANAGER = "tktit_helpdesk.group_helpdesk_manager"
FIELD_OPERATOR = "tktit_helpdesk_billing.group_field_operator"
OPERATIONS = "tktit_helpdesk.group_helpdesk_user"
MATERIAL_GROUPS = "%s,%s" % (OPERATIONS, FIELD_OPERATOR)


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
