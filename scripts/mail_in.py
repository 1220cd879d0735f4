# Run by scripts/setup_db.sh in `odoo shell` when IMAP_PORT is set (make run, make test):
# mail in, as production does it. Odoo's fetchmail reads the support mailbox of the local
# IMAP server (scripts/imap_server.py) every minute; a mail to a queue's alias
# (support@ALIAS_DOMAIN for the General queue) opens a ticket there, a reply threads into
# its ticket. Sets the alias domain (mail.catchall.domain), the catchall and bounce aliases
# (Odoo records delivery reports to bounce+...@ALIAS_DOMAIN on the partner), unless an
# administrator set them already, and (re)creates the incoming mail server named below.
# To read a real mailbox instead: Settings > Technical > Email > Incoming Mail Servers,
# change this one's server, port, SSL, login and password (README: Mail in).
import os

NAME = "tktit support mailbox (local IMAP)"
ICP = env["ir.config_parameter"].sudo()  # noqa: F821  (odoo shell's env)
domain = os.environ.get("ALIAS_DOMAIN", "tktit.example")
for key, value in (("mail.catchall.domain", domain), ("mail.catchall.alias", "catchall"),
                   ("mail.bounce.alias", "bounce")):
    if not ICP.get_param(key):
        ICP.set_param(key, value)
Server = env["fetchmail.server"].sudo()  # noqa: F821
values = {
    "name": NAME, "type": "imap", "server": "127.0.0.1",
    "port": int(os.environ["IMAP_PORT"]), "is_ssl": False,
    "user": "support", "password": os.environ.get("IMAP_PASSWORD", "tktit-imap"),
    # mails to no queue's alias: a ticket too (for a known customer; others get the
    # "use the portal or register" answer)
    "object_id": env["ir.model"]._get("helpdesk.ticket").id,  # noqa: F821
    "attach": True, "original": False, "priority": 1, "active": True,
}
server = Server.with_context(active_test=False).search([("name", "=", NAME)], limit=1)
if server:
    server.write(dict(values, state="draft"))
else:
    server = Server.create(values)
server.button_confirm_login()  # connects once: fails loudly when the IMAP server is not up
cron = env.ref("fetchmail.ir_cron_mail_gateway_action")  # noqa: F821
cron.sudo().write({"interval_number": 1, "interval_type": "minutes", "active": True})
env.cr.commit()  # noqa: F821
print("[mail in] fetchmail reads support@%s (127.0.0.1:%s) every minute" % (
    domain, values["port"]))
