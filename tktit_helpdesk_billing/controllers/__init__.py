from . import portal
from . import field
