from . import helpdesk_technology
from . import helpdesk_specialization
from . import helpdesk_queue
from . import helpdesk_priority_matrix
from . import helpdesk_canned_answer
from . import helpdesk_ticket
from . import res_partner
from . import res_users
