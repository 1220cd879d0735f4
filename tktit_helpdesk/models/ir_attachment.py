from odoo import SUPERUSER_ID, _, api, models
from odoo.exceptions import AccessError

OCTET_STREAM = "application/octet-stream"
TICKET_MODEL = "helpdesk.ticket"
# zipped XML office documents: no browser runs them (Odoo 11's "xml in the type" rule
# catches them by mistake)
SAFE_XML_PREFIXES = ("application/vnd.openxmlformats-officedocument.",)
SAFE_TEXT = ("text/plain", "text/csv")
SCRIPTABLE = (
    "application/x-shockwave-flash", "application/futuresplash", "message/rfc822",
    "application/x-mimearchive",
)


def is_scriptable_mimetype(mimetype):
    """Whether a browser could run something from a file served with this type from our
    domain: Odoo's own rule (``ht`` or ``xml`` in the type: HTML, XHTML, HTA, SVG, XML),
    scripts, Flash, MHTML, and any text type but plain text and CSV."""
    mimetype = (mimetype or "").split(";")[0].strip().lower()
    if mimetype.startswith(SAFE_XML_PREFIXES) or mimetype in SAFE_TEXT:
        return False
    return ("ht" in mimetype or "xml" in mimetype or "script" in mimetype or
            mimetype.startswith(("text/", "multipart/")) or mimetype in SCRIPTABLE)


class IrAttachment(models.Model):
    """Attachments of tickets never carry a type a browser would run.

    Odoo 11 (``_check_contents``) stores HTML/XML-like types as ``text/plain``, but not for
    administrators (nor the superuser, who creates the portal's and the gateway's files)
    and not for scripts. On a ticket, whoever uploads, any scriptable type is stored as
    ``text/plain``. The customer uploads' allow-list is ``helpdesk.ticket.intake``'s."""

    _inherit = "ir.attachment"

    def _tktit_on_ticket(self, values):
        if "res_model" in values:
            return values["res_model"] == TICKET_MODEL
        # sudo: the model of attachments being written, to decide their stored type
        return TICKET_MODEL in self.sudo().mapped("res_model")

    def _check_contents(self, values):
        on_ticket = self._tktit_on_ticket(values)
        # the type Odoo computes (declared, else by file name, else by content), before
        # its own rule turns some of it into text/plain
        computed = self._compute_mimetype(values) if on_ticket else None
        values = super(IrAttachment, self)._check_contents(values)
        if on_ticket:
            values["mimetype"] = "text/plain" if is_scriptable_mimetype(computed) \
                else computed
        return values

    @api.multi
    def write(self, vals):
        result = super(IrAttachment, self).write(vals)
        if vals.get("res_model") == TICKET_MODEL and "mimetype" not in vals and \
                "datas" not in vals:
            # moved onto a ticket (e.g. from the mail composer): same rule
            unsafe = self.sudo().filtered(lambda a: is_scriptable_mimetype(a.mimetype))
            if unsafe:
                unsafe.write({"mimetype": "text/plain"})
        return result

    @api.model
    def check(self, mode, values=None):
        """Odoo lets whoever reads a document read all its attachments: on a ticket, a
        customer reads only those of the conversation and their own posts, never the
        files of staff's internal notes (whatever the path: /web/content, RPC read)."""
        super(IrAttachment, self).check(mode, values)
        if mode != "read" or not self or self.env.uid == SUPERUSER_ID or \
                not self.env.user.share:
            return
        # sudo: which tickets these files belong to, to apply the customers' rule
        on_tickets = self.sudo().filtered(lambda a: a.res_model == TICKET_MODEL and a.res_id)
        for ticket in self.env[TICKET_MODEL].sudo().browse(
                set(on_tickets.mapped("res_id"))).exists():
            files = on_tickets.filtered(lambda a: a.res_id == ticket.id)
            if files - ticket._portal_attachments():
                raise AccessError(_("Sorry, you are not allowed to access this document."))
