# Minimal import shim: diffusers' randn_tensor on CPU is torch.randn(shape, generator=g, dtype=dtype).
import torch
def randn_tensor(shape, generator=None, device=None, dtype=None, layout=None):
    return torch.randn(shape, generator=generator, dtype=dtype, layout=layout or torch.strided)
