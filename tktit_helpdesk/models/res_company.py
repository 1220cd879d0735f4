# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Who hears of the customers' satisfaction, per company.

Hooks for other addons (extend them with ``super()``; the SLA addon gives both to the
company's QA manager):

- ``_helpdesk_low_rating_recipients()``: who is alerted at once of a 1-2 star rating of
  one of the company's tickets (the first of them also gets the activity on the ticket);
- ``_helpdesk_digest_recipients()``: who receives the company's weekly satisfaction
  digest.
"""
from odoo import api, models

MANAGER_GROUP = "tktit_helpdesk.group_helpdesk_manager"
DIGEST_GROUP = "tktit_helpdesk.group_helpdesk_digest"


class ResCompany(models.Model):
    _inherit = "res.company"

    @api.multi
    def _helpdesk_group_members(self, group_xmlid):
        """The active internal users of ``group_xmlid`` who work for this company."""
        self.ensure_one()
        # sudo: a customer's rating (or the cron) triggers the alert; it may not read groups
        group = self.env.ref(group_xmlid).sudo()
        return group.users.filtered(
            lambda user: user.active and not user.share and self in user.company_ids)

    @api.multi
    def _helpdesk_low_rating_recipients(self):
        """Who hears at once of a 1-2 star rating (res.users, the first one owning the
        activity): here the helpdesk managers of the company."""
        return self._helpdesk_group_members(MANAGER_GROUP)

    @api.multi
    def _helpdesk_digest_recipients(self):
        """Who receives the weekly satisfaction digest (res.users): the members of the
        "Satisfaction Digest" group who work for the company."""
        return self._helpdesk_group_members(DIGEST_GROUP)
