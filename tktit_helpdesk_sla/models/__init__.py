from . import resource_calendar
from . import resource_calendar_attendance
from . import resource_calendar_leaves
from . import helpdesk_support_plan
from . import helpdesk_sla_policy
from . import res_company
from . import res_partner
from . import helpdesk_ticket
