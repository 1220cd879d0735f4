from . import account_analytic_line
from . import helpdesk_queue
from . import helpdesk_ticket
from . import helpdesk_ticket_material
from . import helpdesk_ticket_timer
from . import res_company
from . import res_users
