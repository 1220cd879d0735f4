# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models


class ResLang(models.Model):
    _inherit = "res.lang"

    @api.model
    def _wrap_html_direction(self, lang_code, html):
        """``html`` (a mail body) in a block of ``lang_code``'s writing direction: a mail
        to a Persian reader reads right to left in every mail client, whatever the
        client's own direction. A documented hook of tktit_helpdesk (billing's invoice
        mail uses it too)."""
        lang = self._lang_get(lang_code or "en_US") if lang_code else self.browse()
        if not html or not lang or lang.direction != "rtl":
            return html
        return '<div dir="rtl" style="direction: rtl; text-align: right;">%s</div>' % html
