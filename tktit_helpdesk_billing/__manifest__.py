# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
{
    "name": "tktit Helpdesk Billing",
    "summary": "Hours and materials on tickets, signed delivery notes, invoices, "
               "PayPal escrow",
    "version": "11.0.1.4.0",
    "license": "AGPL-3",
    "author": "tktit",
    "website": "https://github.com/tktit/tktit",
    "category": "Helpdesk",
    "development_status": "Alpha",
    "maintainers": ["tktit"],
    # account_payment: the customer pays an invoice from its portal page; the generic
    # chart of accounts (loaded only for a company that has none, as Odoo itself does
    # when accounting is installed) so that invoices can be created from day one
    "depends": ["tktit_helpdesk", "hr_timesheet", "account_invoicing", "account_payment",
                "l10n_generic_coa", "stock", "payment"],
    "data": [
        "security/helpdesk_billing_security.xml",
        "security/ir.model.access.csv",
        "data/helpdesk_project_data.xml",
        "data/helpdesk_billing_data.xml",
        "data/mail_template_data.xml",
        "data/payment_acquirer_data.xml",
        "data/escrow_data.xml",
        "report/delivery_note_report.xml",
        "views/helpdesk_ticket_views.xml",
        "views/helpdesk_delivery_note_views.xml",
        "views/helpdesk_support_contract_views.xml",
        "views/account_invoice_views.xml",
        "views/stock_production_lot_views.xml",
        "views/helpdesk_queue_views.xml",
        "views/menu.xml",
        "views/portal_templates.xml",
        "views/field_templates.xml",
        "views/payment_acquirer_views.xml",
        "views/escrow_views.xml",
        "data/helpdesk_home_data.xml",
    ],
    "demo": [
        "demo/helpdesk_billing_demo.xml",
    ],
    "post_init_hook": "post_init_hook",
    "installable": True,
}
