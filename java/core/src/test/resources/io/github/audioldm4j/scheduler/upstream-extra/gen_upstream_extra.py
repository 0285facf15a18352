"""Reference vectors for scheduler options the shared golden files do not cover.

Runs diffusers' own scheduler classes (scheduling_euler_discrete.py,
scheduling_euler_ancestral_discrete.py, scheduling_heun_discrete.py of
huggingface/diffusers@58eb52c0803ea9af3abec60841c2a093bdf1f951, copied unchanged into
shimdiff/schedulers/ at generation time and not committed) under Debian python3 + torch 1.13 CPU
with ATEN_CPU_CAPABILITY=default. shimdiff/ only provides the import glue those files need
(ConfigMixin/register_to_config that records the __init__ arguments as .config, BaseOutput,
logging, randn_tensor = torch.randn on CPU); it takes no part in any computation.

Usage:
  git --git-dir=<diffusers snapshot> show 58eb52c0...:src/diffusers/schedulers/<file> > shimdiff/schedulers/<file>
  ATEN_CPU_CAPABILITY=default /usr/bin/python3 gen_upstream_extra.py > upstream_extra.json
Loop and stand-in model are those of the shared golden README (AudioLDM2Pipeline loop without
CFG; model_output = f32(f32(0.3f*scaled) + f32(0.05*sin(t/100)))).
"""
import json
import math
import os
import sys

import numpy as np
import torch

assert os.environ.get("ATEN_CPU_CAPABILITY") == "default"
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from shimdiff.schedulers.scheduling_euler_discrete import EulerDiscreteScheduler  # noqa: E402
from shimdiff.schedulers.scheduling_euler_ancestral_discrete import EulerAncestralDiscreteScheduler  # noqa: E402
from shimdiff.schedulers.scheduling_heun_discrete import HeunDiscreteScheduler  # noqa: E402

AUDIOLDM2 = dict(num_train_timesteps=1000, beta_start=0.0015, beta_end=0.0195, beta_schedule="scaled_linear",
                 steps_offset=1, prediction_type="epsilon", timestep_spacing="leading")
CLASSES = {"EulerDiscreteScheduler": EulerDiscreteScheduler,
           "EulerAncestralDiscreteScheduler": EulerAncestralDiscreteScheduler,
           "HeunDiscreteScheduler": HeunDiscreteScheduler}
SHAPE = [1, 2, 3, 4]


def arr(t):
    t = torch.as_tensor(t)
    dtype = {torch.float32: "float32", torch.float64: "float64"}[t.dtype]
    if dtype == "float32":
        # shortest decimal that round-trips the float32 (as in the shared golden files)
        data = [float(str(v)) for v in t.flatten().numpy()]
    else:
        data = [float(v) for v in t.flatten().tolist()]
    return {"dtype": dtype, "shape": list(t.shape), "data": data}


def model(scaled, t):
    c = float(np.float32(0.05 * math.sin(float(t) / 100.0)))
    return scaled * 0.3 + c


def run(name, cls_name, config, n, step_kwargs=None, base=AUDIOLDM2):
    cls = CLASSES[cls_name]
    import inspect
    accepted = inspect.signature(cls.__init__).parameters
    full = dict(base)
    full.update(config)
    kwargs = {k: v for k, v in full.items() if k in accepted}
    s = cls(**kwargs)
    s.set_timesteps(n)
    latent_seed = 0
    g = torch.Generator("cpu").manual_seed(latent_seed)
    sample = torch.randn(SHAPE, generator=g, dtype=torch.float32) * s.init_noise_sigma
    case = {"name": name, "scheduler_class": cls_name, "config": kwargs, "num_inference_steps": n,
            "timesteps": arr(s.timesteps), "sigmas": arr(s.sigmas),
            "init_noise_sigma": float(s.init_noise_sigma), "latent_seed": latent_seed,
            "latent_shape": SHAPE, "initial_sample": arr(sample), "steps": []}
    kw = {}
    if step_kwargs:
        case["step_kwargs"] = {k: v for k, v in step_kwargs.items() if k != "noise_seed"}
        if "noise_seed" in step_kwargs:
            case["noise_seed"] = step_kwargs["noise_seed"]
            kw["generator"] = torch.Generator("cpu").manual_seed(step_kwargs["noise_seed"])
        kw.update({k: v for k, v in step_kwargs.items() if k != "noise_seed"})
    for i, t in enumerate(s.timesteps):
        scaled = s.scale_model_input(sample, t)
        mo = model(scaled, t)
        out = s.step(mo, t, sample, **kw)
        sample = out.prev_sample
        case["steps"].append({"i": i, "t": float(t), "scaled_input": arr(scaled), "model_output": arr(mo),
                              "pred_original_sample": arr(out.pred_original_sample),
                              "prev_sample": arr(out.prev_sample)})
    case["final_sample"] = arr(sample)
    return case


cases = []
E, A, H = "EulerDiscreteScheduler", "EulerAncestralDiscreteScheduler", "HeunDiscreteScheduler"
cases.append(run("euler_default_leading_N10", E, {}, 10))  # same as the shared golden (shim check)
for sp in ["linspace", "trailing", "leading"]:
    for n in [7, 10]:
        cases.append(run(f"euler_{sp}_N{n}", E, {"timestep_spacing": sp}, n))
cases.append(run("euler_vpred_linspace_N10", E, {"prediction_type": "v_prediction", "timestep_spacing": "linspace"}, 10))
cases.append(run("euler_sample_pred_N10", E, {"prediction_type": "sample"}, 10))
cases.append(run("euler_karras_leading_N10", E, {"use_karras_sigmas": True}, 10))
cases.append(run("euler_karras_linspace_N7", E, {"use_karras_sigmas": True, "timestep_spacing": "linspace"}, 7))
cases.append(run("euler_exponential_N8", E, {"use_exponential_sigmas": True}, 8))
cases.append(run("euler_final_sigma_min_N10", E, {"final_sigmas_type": "sigma_min"}, 10))
cases.append(run("euler_zero_snr_trailing_vpred_N10", E, {"rescale_betas_zero_snr": True, "timestep_spacing": "trailing",
                                                           "prediction_type": "v_prediction"}, 10))
cases.append(run("euler_linear_betas_N10", E, {"beta_schedule": "linear", "beta_start": 0.0001, "beta_end": 0.02}, 10))
cases.append(run("euler_cosine_betas_N10", E, {"beta_schedule": "squaredcos_cap_v2"}, 10))
cases.append(run("euler_churn_N10", E, {}, 10, {"s_churn": 2.0, "s_tmin": 0.5, "s_tmax": 20.0, "s_noise": 1.003,
                                              "noise_seed": 99}))
cases.append(run("euler_class_defaults_N10", E, {}, 10, base={}))
for sp in ["linspace", "trailing"]:
    cases.append(run(f"euler_ancestral_{sp}_N7", A, {"timestep_spacing": sp}, 7, {"noise_seed": 1234}))
cases.append(run("euler_ancestral_vpred_N10", A, {"prediction_type": "v_prediction"}, 10, {"noise_seed": 5}))
cases.append(run("euler_ancestral_zero_snr_trailing_N10", A, {"rescale_betas_zero_snr": True,
                                                               "timestep_spacing": "trailing"}, 10, {"noise_seed": 6}))
for sp in ["linspace", "trailing"]:
    cases.append(run(f"heun_{sp}_N7", H, {"timestep_spacing": sp}, 7))
cases.append(run("heun_vpred_N10", H, {"prediction_type": "v_prediction"}, 10))
cases.append(run("heun_karras_N10", H, {"use_karras_sigmas": True}, 10))
cases.append(run("heun_exponential_N6", H, {"use_exponential_sigmas": True}, 6))
cases.append(run("heun_clip_sample_N10", H, {"clip_sample": True, "clip_sample_range": 2.5}, 10))
cases.append(run("heun_exp_betas_N10", H, {"beta_schedule": "exp"}, 10))
cases.append(run("heun_class_defaults_N10", H, {}, 10, base={}))

json.dump({"description": __doc__, "torch_version": torch.__version__,
           "diffusers_commit": "58eb52c0803ea9af3abec60841c2a093bdf1f951", "cases": cases},
          sys.stdout, indent=None)
