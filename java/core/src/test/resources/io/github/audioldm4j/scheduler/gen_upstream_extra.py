#!/usr/bin/env python3
"""Generates upstream_extra.json: diffusers scheduler behaviour on the paths that the shared golden
vectors (shared/golden) do not cover -- timestep spacings for many N, PNDM's Runge-Kutta warm-up,
DPM-Solver orders 1/3, heun, noise-prediction and SDE variants, Lu/exponential sigmas,
lambda_min_clipped, UniPC orders 1/3, bh1, predict_x0=False, Karras sigmas, disable_corrector, DDIM
clip_sample / set_alpha_to_one / sample prediction / zero-terminal-SNR, trained_betas.

It imports the real scheduler modules of a diffusers checkout (src/diffusers/schedulers/scheduling_*.py)
with minimal stand-ins for diffusers' config/utils plumbing (which take no part in the arithmetic),
runs them with torch on the CPU and stores every array.

usage: ATEN_CPU_CAPABILITY=default python3 gen_upstream_extra.py <diffusers-checkout> <out.json>
Produced with diffusers 58eb52c0803ea9af3abec60841c2a093bdf1f951, torch 1.13, numpy 1.24.
"""
import json
import math
import os
import shutil
import sys
import tempfile

import numpy as np
import torch

STUBS = {
    "__init__.py": "",
    "configuration_utils.py": '''
import functools, inspect
class _Cfg(dict):
    def __getattr__(self, k):
        try:
            return self[k]
        except KeyError:
            raise AttributeError(k)
    def __setattr__(self, k, v):
        self[k] = v
class ConfigMixin:
    def register_to_config(self, **kw):
        self.config.update(kw)
def register_to_config(init):
    sig = inspect.signature(init)
    @functools.wraps(init)
    def wrapper(self, *args, **kwargs):
        b = sig.bind(self, *args, **kwargs)
        b.apply_defaults()
        d = dict(b.arguments)
        d.pop("self")
        object.__setattr__(self, "config", _Cfg(d))
        init(self, *args, **kwargs)
    return wrapper
''',
    "utils/__init__.py": '''
def deprecate(*a, **k):
    pass
def is_scipy_available():
    return False
class BaseOutput(dict):
    def __init__(self, *a, **k):
        super().__init__(**k)
        for kk, v in k.items():
            setattr(self, kk, v)
''',
    "utils/torch_utils.py": '''
import torch
def randn_tensor(shape, generator=None, device=None, dtype=None, layout=None):
    raise RuntimeError("the generator must not draw: noise is always supplied")
''',
    "schedulers/__init__.py": "",
    "schedulers/scheduling_utils.py": '''
from dataclasses import dataclass
from enum import Enum
import torch
class KarrasDiffusionSchedulers(Enum):
    DDIMScheduler = 1
class SchedulerMixin:
    pass
@dataclass
class SchedulerOutput:
    prev_sample: torch.Tensor
''',
}

AUDIOLDM2 = dict(num_train_timesteps=1000, beta_start=0.0015, beta_end=0.0195, beta_schedule="scaled_linear",
                 clip_sample=False, set_alpha_to_one=False, steps_offset=1, prediction_type="epsilon",
                 timestep_spacing="leading")
SHAPE = [1, 4, 2, 2]


def load_classes(diffusers_root):
    tmp = tempfile.mkdtemp()
    pkg = os.path.join(tmp, "diffusers")
    for rel, text in STUBS.items():
        path = os.path.join(pkg, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
    for name in ("scheduling_ddim", "scheduling_pndm", "scheduling_dpmsolver_multistep", "scheduling_unipc_multistep"):
        shutil.copy(os.path.join(diffusers_root, "src/diffusers/schedulers", name + ".py"),
                    os.path.join(pkg, "schedulers", name + ".py"))
    sys.path.insert(0, tmp)
    from diffusers.schedulers.scheduling_ddim import DDIMScheduler
    from diffusers.schedulers.scheduling_pndm import PNDMScheduler
    from diffusers.schedulers.scheduling_dpmsolver_multistep import DPMSolverMultistepScheduler
    from diffusers.schedulers.scheduling_unipc_multistep import UniPCMultistepScheduler
    return {"DDIMScheduler": DDIMScheduler, "PNDMScheduler": PNDMScheduler,
            "DPMSolverMultistepScheduler": DPMSolverMultistepScheduler,
            "UniPCMultistepScheduler": UniPCMultistepScheduler}


def arr(t):
    t = torch.as_tensor(t)
    if t.dtype == torch.float32:
        return {"dtype": "float32", "shape": list(t.shape),
                "data": [float(np.format_float_positional(np.float32(v), unique=True, trim="-"))
                         if math.isfinite(v) else str(v) for v in t.flatten().tolist()]}
    if t.dtype == torch.int64:
        return {"dtype": "int64", "shape": list(t.shape), "data": [int(v) for v in t.flatten().tolist()]}
    raise ValueError(t.dtype)


def make(classes, cls, overrides):
    cfg = dict(AUDIOLDM2)
    cfg.update(overrides)
    sig = classes[cls].__init__.__wrapped__.__code__.co_varnames
    kwargs = {k: v for k, v in cfg.items() if k in sig}
    return classes[cls](**kwargs), cfg


def pseudo(n, phase):
    """Deterministic N(0,1)-ish float32 values (no RNG involved)."""
    i = np.arange(n, dtype=np.float64)
    return torch.tensor((np.sin(1.7 * i + phase) * 1.3 + np.cos(0.37 * i * i + phase)).astype(np.float32))


def stand_in(x, t):
    return (x * torch.tensor(0.3, dtype=torch.float32)) + torch.tensor(np.float32(0.05 * math.sin(float(t) / 100.0)))


def trajectory(classes, name, cls, overrides, n, eta=None, use_clipped=False, sde=False):
    s, cfg = make(classes, cls, overrides)
    s.set_timesteps(n)
    numel = int(np.prod(SHAPE))
    x = pseudo(numel, 0.25).reshape(SHAPE) * s.init_noise_sigma
    case = {"name": name, "scheduler_class": cls, "config": {k: (str(v) if isinstance(v, float) and not math.isfinite(v)
                                                                 else v) for k, v in cfg.items()},
            "num_inference_steps": n, "timesteps": arr(s.timesteps), "initial_sample": arr(x), "steps": []}
    if hasattr(s, "sigmas") and cls in ("DPMSolverMultistepScheduler", "UniPCMultistepScheduler"):
        case["sigmas"] = arr(s.sigmas)
    if eta is not None:
        case["eta"] = eta
        case["use_clipped_model_output"] = use_clipped
    for i, t in enumerate(s.timesteps):
        mo = stand_in(x, t)
        kw = {}
        step = {"t": float(t)}
        if eta is not None:
            kw["eta"] = eta
            kw["use_clipped_model_output"] = use_clipped
            if eta > 0:
                kw["variance_noise"] = pseudo(numel, 10.0 + i).reshape(SHAPE)
                step["noise"] = arr(kw["variance_noise"])
        if sde:
            kw["variance_noise"] = pseudo(numel, 20.0 + i).reshape(SHAPE)
            step["noise"] = arr(kw["variance_noise"])
        out = s.step(mo, t, x, **kw)
        if getattr(out, "pred_original_sample", None) is not None:
            step["pred_original_sample"] = arr(out.pred_original_sample)
        if hasattr(s, "model_outputs") and s.model_outputs[-1] is not None:
            step["converted_model_output"] = arr(s.model_outputs[-1])
        x = out.prev_sample
        step["prev_sample"] = arr(x)
        case["steps"].append(step)
    case["final_sample"] = arr(x)
    return case


def main():
    classes = load_classes(sys.argv[1])
    out = {"description": __doc__.strip(), "latent_shape": SHAPE,
           "stand_in_model": "float32(float32(0.3f * x) + float32(0.05 * sin(t / 100)))",
           "timesteps": [], "trajectories": []}

    ns = [1, 2, 3, 4, 5, 7, 13, 50, 61, 103, 200, 1000]
    for cls, spacings in (("DDIMScheduler", ("leading", "trailing", "linspace")),
                          ("PNDMScheduler", ("leading", "trailing", "linspace")),
                          ("DPMSolverMultistepScheduler", ("leading", "trailing", "linspace")),
                          ("UniPCMultistepScheduler", ("leading", "trailing", "linspace"))):
        for spacing in spacings:
            for skip in ((True, False) if cls == "PNDMScheduler" else (None,)):
                for n in ns:
                    ov = {"timestep_spacing": spacing}
                    if skip is not None:
                        ov["skip_prk_steps"] = skip
                        if not skip and n < 4:
                            continue
                    s, cfg = make(classes, cls, ov)
                    s.set_timesteps(n)
                    e = {"scheduler_class": cls, "overrides": ov, "num_inference_steps": n,
                         "timesteps": arr(s.timesteps)}
                    if cls in ("DPMSolverMultistepScheduler", "UniPCMultistepScheduler") and n <= 200:
                        e["sigmas"] = arr(s.sigmas)
                    out["timesteps"].append(e)
    for cls, ov in (("DPMSolverMultistepScheduler", {"use_karras_sigmas": True}),
                    ("DPMSolverMultistepScheduler", {"use_exponential_sigmas": True}),
                    ("DPMSolverMultistepScheduler", {"use_lu_lambdas": True}),
                    ("DPMSolverMultistepScheduler", {"beta_schedule": "squaredcos_cap_v2", "lambda_min_clipped": -5.1}),
                    ("DPMSolverMultistepScheduler", {"beta_schedule": "squaredcos_cap_v2", "use_karras_sigmas": True}),
                    ("UniPCMultistepScheduler", {"use_karras_sigmas": True}),
                    ("UniPCMultistepScheduler", {"use_exponential_sigmas": True}),
                    ("UniPCMultistepScheduler", {"use_karras_sigmas": True, "sigma_min": 0.05, "sigma_max": 20.0})):
        for n in (1, 2, 7, 20, 50):
            s, cfg = make(classes, cls, ov)
            s.set_timesteps(n)
            out["timesteps"].append({"scheduler_class": cls, "overrides": ov, "num_inference_steps": n,
                                     "timesteps": arr(s.timesteps), "sigmas": arr(s.sigmas)})

    # torch.expm1 on float32 (glibc expm1f on Linux), reproduced bit-exactly by Libm.expm1f
    g = np.random.default_rng(12345)
    xs = np.concatenate([g.uniform(-3, 3, 1500), g.uniform(-0.4, 0.4, 400), g.uniform(-90, 90, 300),
                         np.array([0.0, -0.0, 1e-30, -1e-30, 1e-8, 88.7, 88.8, -88.8, -200.0, 200.0, float("inf"),
                                   -float("inf")])]).astype(np.float32)
    out["expm1f"] = {"x": arr(torch.tensor(xs)), "torch_expm1": arr(torch.expm1(torch.tensor(xs)))}

    T = out["trajectories"]
    P, D, U, G = "PNDMScheduler", "DPMSolverMultistepScheduler", "UniPCMultistepScheduler", "DDIMScheduler"
    T.append(trajectory(classes, "pndm_prk_N6", P, {"skip_prk_steps": False}, 6))
    T.append(trajectory(classes, "pndm_prk_linspace_N9", P, {"skip_prk_steps": False, "timestep_spacing": "linspace"}, 9))
    T.append(trajectory(classes, "pndm_plms_vpred_trailing_N7", P,
                        {"skip_prk_steps": True, "prediction_type": "v_prediction", "timestep_spacing": "trailing"}, 7))
    T.append(trajectory(classes, "ddim_clip_linear_N8", G,
                        {"beta_schedule": "linear", "beta_start": 0.0001, "beta_end": 0.02, "clip_sample": True,
                         "clip_sample_range": 1.5, "set_alpha_to_one": True, "steps_offset": 0}, 8,
                        eta=0.0, use_clipped=True))
    T.append(trajectory(classes, "ddim_sample_pred_cosine_eta05_N8", G,
                        {"beta_schedule": "squaredcos_cap_v2", "prediction_type": "sample"}, 8, eta=0.5))
    T.append(trajectory(classes, "ddim_zero_snr_vpred_trailing_N6", G,
                        {"rescale_betas_zero_snr": True, "prediction_type": "v_prediction",
                         "timestep_spacing": "trailing"}, 6, eta=0.0))
    T.append(trajectory(classes, "ddim_trained_betas_N5", G,
                        {"num_train_timesteps": 100, "steps_offset": 0,
                         "trained_betas": [0.0005 + 0.0003 * i for i in range(100)]}, 5, eta=0.0))
    T.append(trajectory(classes, "dpm_order3_N12", D, {"solver_order": 3}, 12))
    T.append(trajectory(classes, "dpm_order3_no_lower_final_N20", D, {"solver_order": 3, "lower_order_final": False,
                                                                     "final_sigmas_type": "sigma_min"}, 20))
    T.append(trajectory(classes, "dpm_order1_N6", D, {"solver_order": 1}, 6))
    T.append(trajectory(classes, "dpm_heun_N8", D, {"solver_type": "heun"}, 8))
    T.append(trajectory(classes, "dpm_noise_pred_sigma_min_N8", D, {"algorithm_type": "dpmsolver",
                                                                   "final_sigmas_type": "sigma_min"}, 8))
    T.append(trajectory(classes, "dpm_noise_pred_order3_heun_N9", D, {"algorithm_type": "dpmsolver", "solver_order": 3,
                                                                     "solver_type": "heun",
                                                                     "final_sigmas_type": "sigma_min"}, 9))
    T.append(trajectory(classes, "dpm_sample_pred_euler_final_N7", D, {"prediction_type": "sample",
                                                                      "euler_at_final": True,
                                                                      "final_sigmas_type": "sigma_min"}, 7))
    T.append(trajectory(classes, "dpm_sde_pp_N8", D, {"algorithm_type": "sde-dpmsolver++"}, 8, sde=True))
    T.append(trajectory(classes, "dpm_sde_pp_order3_N8", D, {"algorithm_type": "sde-dpmsolver++", "solver_order": 3},
                        8, sde=True))
    T.append(trajectory(classes, "dpm_sde_pp_heun_N6", D, {"algorithm_type": "sde-dpmsolver++",
                                                          "solver_type": "heun"}, 6, sde=True))
    T.append(trajectory(classes, "dpm_sde_noise_pred_N6", D, {"algorithm_type": "sde-dpmsolver",
                                                             "final_sigmas_type": "sigma_min"}, 6, sde=True))
    T.append(trajectory(classes, "dpm_lu_N10", D, {"use_lu_lambdas": True}, 10))
    T.append(trajectory(classes, "dpm_exponential_vpred_N10", D, {"use_exponential_sigmas": True,
                                                                 "prediction_type": "v_prediction"}, 10))
    T.append(trajectory(classes, "dpm_cosine_clipped_N10", D, {"beta_schedule": "squaredcos_cap_v2",
                                                              "lambda_min_clipped": -5.1,
                                                              "timestep_spacing": "linspace"}, 10))
    T.append(trajectory(classes, "dpm_zero_snr_vpred_trailing_N8", D, {"rescale_betas_zero_snr": True,
                                                                      "prediction_type": "v_prediction",
                                                                      "timestep_spacing": "trailing"}, 8))
    T.append(trajectory(classes, "unipc_order3_N12", U, {"solver_order": 3}, 12))
    T.append(trajectory(classes, "unipc_order3_no_lower_final_N20", U, {"solver_order": 3, "lower_order_final": False,
                                                                       "final_sigmas_type": "sigma_min"}, 20))
    T.append(trajectory(classes, "unipc_order1_N6", U, {"solver_order": 1}, 6))
    T.append(trajectory(classes, "unipc_bh1_N8", U, {"solver_type": "bh1",
                                                     "final_sigmas_type": "sigma_min"}, 8))
    T.append(trajectory(classes, "unipc_noise_pred_vpred_N8", U, {"predict_x0": False,
                                                                 "prediction_type": "v_prediction",
                                                                 "final_sigmas_type": "sigma_min"}, 8))
    T.append(trajectory(classes, "unipc_noise_pred_sample_order3_N9", U, {"predict_x0": False, "solver_order": 3,
                                                                         "prediction_type": "sample",
                                                                         "final_sigmas_type": "sigma_min"}, 9))
    T.append(trajectory(classes, "unipc_karras_disable_corrector_N10", U, {"use_karras_sigmas": True,
                                                                          "disable_corrector": [0, 3]}, 10))
    T.append(trajectory(classes, "unipc_exponential_N10", U, {"use_exponential_sigmas": True}, 10))
    T.append(trajectory(classes, "unipc_order4_N14", U, {"solver_order": 4}, 14))
    with open(sys.argv[2], "w") as f:
        json.dump(out, f, separators=(",", ":"))


if __name__ == "__main__":
    main()
