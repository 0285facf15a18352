# Minimal import shim: records __init__ arguments (with defaults) as .config, like diffusers' register_to_config.
import functools, inspect
class _Config(dict):
    def __getattr__(self, k):
        try:
            return self[k]
        except KeyError:
            raise AttributeError(k)
class ConfigMixin:
    pass
def register_to_config(init):
    @functools.wraps(init)
    def inner(self, *args, **kwargs):
        bound = inspect.signature(init).bind(self, *args, **kwargs)
        bound.apply_defaults()
        self.config = _Config({k: v for k, v in bound.arguments.items() if k != "self"})
        init(self, *args, **kwargs)
    return inner
