# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import http
from odoo.http import request

from odoo.addons.portal.controllers.mail import PortalChatter

from ..models.helpdesk_ticket import DONE_STATES


class HelpdeskPortalChatter(PortalChatter):
    """Odoo's generic portal chatter, for tickets: the poster sends a message (and the
    ticket's token) and nothing else. Odoo passes any other posted field on to
    message_post (author, subtype, message type, recipients), and with a token as
    superuser: for tickets the server decides those."""

    @http.route()
    def portal_chatter_post(self, res_model, res_id, message, **kw):
        if res_model == "helpdesk.ticket":
            kw = {key: kw[key] for key in ("token",) if kw.get(key)}
            ticket = request.env["helpdesk.ticket"].sudo().browse(int(res_id))
            if ticket.exists() and ticket.state in DONE_STATES:
                # closed: the portal page says how to reopen, nothing is posted
                return request.redirect(request.httprequest.referrer or "/my")
        return super(HelpdeskPortalChatter, self).portal_chatter_post(
            res_model, res_id, message, **kw)
