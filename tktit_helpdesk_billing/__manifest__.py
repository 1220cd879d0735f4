# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
{
    "name": "tktit Helpdesk Billing",
    "summary": "Hours and materials on tickets, signed delivery notes, invoices, "
               "PayPal escrow",
    "version": "11.0.1.0.0",
    "license": "AGPL-3",
    "author": "tktit",
    "website": "https://github.com/tktit/tktit",
    "category": "Helpdesk",
    "development_status": "Alpha",
    "maintainers": ["tktit"],
    "depends": ["tktit_helpdesk", "hr_timesheet", "account_invoicing", "stock", "payment"],
    "data": [
        "security/helpdesk_billing_security.xml",
        "security/ir.model.access.csv",
        "data/helpdesk_project_data.xml",
        "views/helpdesk_ticket_views.xml",
        "views/portal_templates.xml",
    ],
    "demo": [
        "demo/helpdesk_billing_demo.xml",
    ],
    "post_init_hook": "post_init_hook",
    "installable": True,
}
