# Minimal import shim for diffusers.utils (no computation).
import logging as _logging
class BaseOutput:
    pass
def is_scipy_available():
    return False
class logging:
    @staticmethod
    def get_logger(name):
        return _logging.getLogger(name)
