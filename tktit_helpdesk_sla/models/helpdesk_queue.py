# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import _, api, fields, models

from odoo.addons.tktit_helpdesk.models.helpdesk_ticket import DONE_STATES

# the overview's SLA measures: field computed by the queue's overview hook, sla_state
SLA_MEASURES = (("at_risk_count", "at_risk"), ("breached_count", "breached"))


class HelpdeskQueue(models.Model):
    """The SLA's measures on the helpdesk overview's cards: open tickets at risk of
    missing a deadline and those that missed one (``sla_state``), through the queue's
    overview hooks (``_overview_counts``, ``_overview_ticket_domain``)."""

    _inherit = "helpdesk.queue"

    at_risk_count = fields.Integer(
        compute="_compute_overview_counts", string="SLA At Risk",
        help="Open tickets that used 80% of the business time of a running SLA clock.")
    breached_count = fields.Integer(
        compute="_compute_overview_counts", string="SLA Breached",
        help="Open tickets that missed an SLA deadline.")

    @api.multi
    def _overview_counts(self):
        result = super(HelpdeskQueue, self)._overview_counts()
        for fname, measure in SLA_MEASURES:
            counts = self._overview_ticket_counts(self._overview_ticket_domain(measure))
            for queue_id, values in result.items():
                values[fname] = counts.get(queue_id, 0)
        return result

    @api.model
    def _overview_ticket_domain(self, measure):
        if measure in [sla_state for _fname, sla_state in SLA_MEASURES]:
            return [("state", "not in", DONE_STATES), ("sla_state", "=", measure)]
        return super(HelpdeskQueue, self)._overview_ticket_domain(measure)

    @api.model
    def _overview_measure_label(self, measure):
        labels = {"at_risk": _("SLA At Risk"), "breached": _("SLA Breached")}
        return labels.get(measure) or \
            super(HelpdeskQueue, self)._overview_measure_label(measure)
