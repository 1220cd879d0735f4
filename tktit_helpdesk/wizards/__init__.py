from . import helpdesk_ticket_assign
from . import helpdesk_ticket_qc_reject
from . import helpdesk_ticket_reply
