# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import SUPERUSER_ID, api


def post_init_hook(cr, registry):
    """The experts who exist when the addon is installed become employees."""
    env = api.Environment(cr, SUPERUSER_ID, {})
    experts = env["res.users"].with_context(active_test=True).search(
        [("groups_id", "in", env.ref("tktit_helpdesk.group_helpdesk_expert").ids)])
    experts._ensure_helpdesk_employee()
