#!/usr/bin/env python3
"""Reference outputs of the inversion and editing algorithms on the tiny bundle's UNet, written
from the papers (not from audioldm4j's Java code):

* DDIM inversion: Song et al., "Denoising Diffusion Implicit Models" (ICLR 2021), eq. (12) run from
  the clean latent towards noise (the inverse step of Mokady et al., "Null-text Inversion", CVPR 2023,
  and diffusers' DDIMInverseScheduler); then deterministic DDIM sampling back.
* Edit-friendly DDPM inversion: Huberman-Spiegelglas, Kulikov, Michaeli, "An Edit Friendly DDPM
  Noise Space" (CVPR 2024), Algorithm 1, with the eta=1 DDIM posterior (DDIM eq. (16)) as the
  DDPM sampler; then sampling with the extracted noise maps under another conditioning from a
  later step (ZETA, Manor & Michaeli, ICML 2024).

Schedule: AudioLDM2's (scaled_linear 0.0015..0.0195, 1000 steps, leading spacing, steps_offset 1,
set_alpha_to_one False). The conditioning and the clean latent are fixed random tensors; every
input and output is written to java/integration/src/test/resources/edit-parity/.

    /usr/bin/python3 torchscript-models/make_inversion_reference.py
"""
import json
import os

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
BUNDLE = os.path.join(HERE, "tiny-bundle")
OUT = os.path.join(HERE, "..", "java", "integration", "src", "test", "resources", "edit-parity")
STEPS, GUIDANCE, TARGET_GUIDANCE, START = 10, 3.0, 4.0, 4
SHAPE = (1, 8, 8, 16)
torch.set_grad_enabled(False)
unet = torch.jit.load(os.path.join(BUNDLE, "unet.pt")).eval()

betas = torch.linspace(0.0015 ** 0.5, 0.0195 ** 0.5, 1000, dtype=torch.float32) ** 2
alpha_bar = torch.cumprod(1.0 - betas, dim=0)
final_alpha = alpha_bar[0]  # set_alpha_to_one = False
ratio = 1000 // STEPS
timesteps = [int(t) for t in (np.arange(0, STEPS) * ratio)[::-1] + 1]


def a(t):
    return alpha_bar[t] if t >= 0 else final_alpha


def eps(x, t, cond, g):
    gen, t5, mask = cond
    x_in = torch.cat([x, x])
    noise = unet(x_in, torch.full((2,), float(t)), gen, t5, mask)
    u, c = noise.chunk(2)
    return u + g * (c - u)


def ddim_step(e, t, x, eta=0.0, z=None):
    """x_t -> x_{t-1} (DDIM eq. (12) with sigma of eq. (16) scaled by eta); mu is the step without
    its noise term, and z (eta = 1) the noise added: x_{t-1} = mu + sigma z."""
    tp = t - ratio
    at, ap = a(t), a(tp)
    x0 = (x - (1 - at) ** 0.5 * e) / at ** 0.5
    sigma = eta * ((1 - ap) / (1 - at) * (1 - at / ap)) ** 0.5
    mu = ap ** 0.5 * x0 + (1 - ap - sigma ** 2) ** 0.5 * e
    return (mu + sigma * z) if z is not None else mu, mu, sigma


def rng(seed, shape):
    return torch.from_numpy(np.random.default_rng(seed).standard_normal(shape).astype(np.float32))


cond_src = (rng(1, (2, 8, 768)), rng(2, (2, 4, 1024)), torch.ones((2, 4), dtype=torch.int64))
cond_tgt = (rng(3, (2, 8, 768)), rng(4, (2, 5, 1024)), torch.ones((2, 5), dtype=torch.int64))
x0 = rng(5, SHAPE)
level_noise = rng(6, (STEPS,) + SHAPE)

# --- DDIM inversion and reconstruction
x = x0.clone()
for t in reversed(timesteps):
    e = eps(x, t, cond_src, GUIDANCE)
    a_from, a_to = a(t - ratio), a(t)
    pred = (x - (1 - a_from) ** 0.5 * e) / a_from ** 0.5
    x = a_to ** 0.5 * pred + (1 - a_to) ** 0.5 * e
ddim_noise = x
for t in timesteps:
    x, _, _ = ddim_step(eps(x, t, cond_src, GUIDANCE), t, x)
ddim_reconstruction = x

# --- edit-friendly DDPM inversion, reconstruction and edit
levels = [alpha_bar[t] ** 0.5 * x0 + (1 - alpha_bar[t]) ** 0.5 * level_noise[i] for i, t in enumerate(timesteps)]
levels.append(x0)
maps = []
for i, t in enumerate(timesteps):
    _, mu, sigma = ddim_step(eps(levels[i], t, cond_src, GUIDANCE), t, levels[i], eta=1.0)
    maps.append((levels[i + 1] - mu) / sigma)


def regenerate(start, cond, g):
    x = levels[start].clone()
    for i in range(start, STEPS):
        t = timesteps[i]
        x, _, _ = ddim_step(eps(x, t, cond, g), t, x, eta=1.0, z=maps[i])
    return x


os.makedirs(OUT, exist_ok=True)
arrays = {
    "cond_src_generated": cond_src[0], "cond_src_t5": cond_src[1], "cond_src_mask": cond_src[2],
    "cond_tgt_generated": cond_tgt[0], "cond_tgt_t5": cond_tgt[1], "cond_tgt_mask": cond_tgt[2],
    "x0": x0, "level_noise": level_noise, "ddim_noise": ddim_noise, "ddim_reconstruction": ddim_reconstruction,
    "ddpm_maps": torch.stack(maps), "ddpm_reconstruction": regenerate(0, cond_src, GUIDANCE),
    "ddpm_edit": regenerate(START, cond_tgt, TARGET_GUIDANCE),
}
for name, t in arrays.items():
    arr = t.numpy()
    np.save(os.path.join(OUT, name + ".npy"), np.ascontiguousarray(arr), allow_pickle=False)
json.dump({"steps": STEPS, "guidance": GUIDANCE, "target_guidance": TARGET_GUIDANCE, "start_index": START,
           "shape": list(SHAPE), "timesteps": timesteps, "torch": torch.__version__,
           "description": __doc__.strip().split("\n")[0]}, open(os.path.join(OUT, "index.json"), "w"), indent=1)
print("wrote", OUT)
