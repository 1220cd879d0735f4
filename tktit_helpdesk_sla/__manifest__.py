# Copyright 2026 tktit
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
{
    "name": "tktit Helpdesk SLA",
    "summary": "Support plans, business-hour SLA clocks, per-reply deadlines, "
               "QA escalation and auto-close for helpdesk tickets",
    "version": "11.0.1.0.0",
    "license": "AGPL-3",
    "author": "tktit",
    "website": "https://github.com/tktit/tktit",
    "category": "Helpdesk",
    "development_status": "Alpha",
    "maintainers": ["tktit"],
    "depends": ["tktit_helpdesk", "resource"],
    "external_dependencies": {"python": ["pytz", "babel"]},
    "data": [
        "security/ir.model.access.csv",
        "data/resource_calendar_data.xml",
        "data/helpdesk_support_plan_data.xml",
        "data/ir_config_parameter_data.xml",
        "data/mail_activity_type_data.xml",
        "data/mail_template_data.xml",
        "data/ir_cron_data.xml",
        "views/resource_calendar_views.xml",
        "views/helpdesk_support_plan_views.xml",
        "views/helpdesk_sla_policy_views.xml",
        "views/res_partner_views.xml",
        "views/res_company_views.xml",
        "views/helpdesk_ticket_views.xml",
        "views/portal_templates.xml",
        "report/helpdesk_sla_report_views.xml",
        "views/menu.xml",
    ],
    "demo": [
        "demo/helpdesk_sla_demo.xml",
    ],
    "post_init_hook": "post_init_hook",
    "installable": True,
}
