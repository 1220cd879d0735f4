# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.http import request

from odoo.addons.account.controllers.portal import PortalAccount


class HelpdeskPortalAccount(PortalAccount):
    """Odoo's invoice counter on /my: an employee without invoicing rights (an expert, a
    field operator) gets no error page, only no invoice counter."""

    def _prepare_portal_layout_values(self):
        if request.env["account.invoice"].check_access_rights("read", raise_exception=False):
            return super(HelpdeskPortalAccount, self)._prepare_portal_layout_values()
        # skip account's counter only: the rest of the chain runs as usual
        values = super(PortalAccount, self)._prepare_portal_layout_values()
        values["invoice_count"] = 0
        return values
