# Minimal import shim (no computation).
from enum import Enum
class KarrasDiffusionSchedulers(Enum):
    DDIMScheduler = 1
class SchedulerMixin:
    pass
