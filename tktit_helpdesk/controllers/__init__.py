from . import portal
from . import registration
from . import mail
from . import rating
