from . import helpdesk_sla_report
