from . import portal
from . import registration
