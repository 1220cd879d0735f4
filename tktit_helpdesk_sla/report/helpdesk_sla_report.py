# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import SUPERUSER_ID, _, api, fields, models, tools
from odoo.exceptions import AccessError

from odoo.addons.tktit_helpdesk.models.helpdesk_ticket import PRIORITIES, STATES

from ..models.helpdesk_ticket import SLA_STATES

RESULTS = [("met", "Met"), ("breached", "Breached"), ("pending", "Pending")]


class HelpdeskSlaReport(models.Model):
    """SLA results per ticket, for pivot and graph analysis (a SQL view)."""

    _name = "helpdesk.sla.report"
    _description = "Helpdesk SLA Analysis"
    _auto = False
    _rec_name = "ticket_id"
    _order = "create_date desc"

    ticket_id = fields.Many2one("helpdesk.ticket", string="Ticket", readonly=True)
    create_date = fields.Datetime(string="Submitted On", readonly=True)
    closed_on = fields.Datetime(readonly=True)
    plan_id = fields.Many2one("helpdesk.support.plan", string="Support Plan", readonly=True)
    priority = fields.Selection(PRIORITIES, readonly=True)
    queue_id = fields.Many2one("helpdesk.queue", string="Expert Queue", readonly=True)
    user_id = fields.Many2one("res.users", string="Expert", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer Organisation", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    state = fields.Selection(STATES, readonly=True)
    sla_state = fields.Selection(SLA_STATES, string="SLA", readonly=True)
    first_response_result = fields.Selection(RESULTS, readonly=True)
    resolution_result = fields.Selection(RESULTS, readonly=True)
    escalated = fields.Boolean(readonly=True)
    auto_closed = fields.Boolean(readonly=True)
    nbr = fields.Integer(string="# Tickets", readonly=True)
    met_count = fields.Integer(string="# SLA Met", readonly=True)
    breached_count = fields.Integer(string="# SLA Breached", readonly=True)
    escalated_count = fields.Integer(string="# Escalated", readonly=True)
    response_breach_count = fields.Integer(string="# Missed Responses", readonly=True)
    first_response_hours = fields.Float(
        string="Avg First Response (business hours)", readonly=True, group_operator="avg")
    resolution_hours = fields.Float(
        string="Avg Resolution (business hours)", readonly=True, group_operator="avg")

    @api.model_cr
    def init(self):
        # a public name, hence callable by RPC: (re)creating the view is the registry's job
        if self.env.uid != SUPERUSER_ID:
            raise AccessError(_("Only the installation (re)creates the SLA analysis."))
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute("""
            CREATE VIEW %s AS (
                SELECT
                    t.id AS id,
                    t.id AS ticket_id,
                    t.create_date,
                    t.closed_on,
                    t.sla_plan_id AS plan_id,
                    t.priority,
                    t.queue_id,
                    t.user_id,
                    t.commercial_partner_id AS partner_id,
                    t.company_id,
                    t.state,
                    t.sla_state,
                    CASE WHEN t.sla_first_response_breached THEN 'breached'
                         WHEN t.first_support_reply_on IS NOT NULL THEN 'met'
                         ELSE 'pending' END AS first_response_result,
                    CASE WHEN t.sla_resolution_breached THEN 'breached'
                         WHEN t.state = 'closed' THEN 'met'
                         ELSE 'pending' END AS resolution_result,
                    COALESCE(t.escalated, FALSE) AS escalated,
                    COALESCE(t.sla_auto_closed, FALSE) AS auto_closed,
                    1 AS nbr,
                    CASE WHEN t.sla_state = 'met' THEN 1 ELSE 0 END AS met_count,
                    CASE WHEN t.sla_state = 'breached' THEN 1 ELSE 0 END AS breached_count,
                    CASE WHEN t.escalated THEN 1 ELSE 0 END AS escalated_count,
                    COALESCE(t.sla_response_breach_count, 0) AS response_breach_count,
                    CASE WHEN t.first_support_reply_on IS NOT NULL
                         THEN t.sla_first_response_hours END AS first_response_hours,
                    CASE WHEN t.state = 'closed'
                         THEN t.sla_resolution_hours END AS resolution_hours
                FROM helpdesk_ticket t
                WHERE t.state != 'cancelled' AND t.sla_plan_id IS NOT NULL
            )""" % self._table)
