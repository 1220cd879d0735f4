# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import SUPERUSER_ID, api


def post_init_hook(cr, registry):
    """Tickets that existed before the addon get their plan and clocks, from their
    submission date."""
    env = api.Environment(cr, SUPERUSER_ID, {})
    cr.execute("UPDATE helpdesk_ticket SET sla_start_on = create_date "
               "WHERE sla_start_on IS NULL OR sla_start_on > create_date")
    tickets = env["helpdesk.ticket"].with_context(active_test=False).search([])
    tickets.invalidate_cache()
    tickets._sla_recompute(creating=True)
