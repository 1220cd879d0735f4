from . import account_analytic_line
from . import helpdesk_ticket
