from . import test_field_operator
from . import test_materials
from . import test_portal_hours
from . import test_ticket_hours
from . import test_timesheet
