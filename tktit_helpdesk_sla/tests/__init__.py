from . import test_business_time
from . import test_sla_config
from . import test_sla_clocks
from . import test_sla_sweep
from . import test_sla_report
from . import test_sla_security
from . import test_satisfaction_qa_manager
