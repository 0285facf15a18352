#!/usr/bin/env python3
"""Export a diffusers AudioLDM2 checkpoint as an audioldm4j model bundle (TorchScript, format 1).

    python export_audioldm2.py cvssp/audioldm2 --out bundles/audioldm2 [--dtype fp32] [--device cpu]

MODEL is a hub id (cvssp/audioldm2, cvssp/audioldm2-large, cvssp/audioldm2-music) or a local diffusers
checkpoint directory; it is loaded with ``diffusers.AudioLDM2Pipeline.from_pretrained`` in float32.
Every component is wrapped in a small ``nn.Module`` whose forward takes positional tensors and returns a
tensor or a tuple of tensors (the contract in the README "Bundle layout" / BUNDLE.md), traced with
``torch.jit.trace``, saved, loaded back and compared with the eager module on the trace inputs and on
inputs of other shapes. The bundle gets:

* ``{clap_text,clap_audio,t5_encoder,projection,gpt2,unet,vae_encoder,vae_decoder,vocoder}.pt``;
* ``tokenizers/clap.json`` and ``tokenizers/t5.json`` (the pipeline's ``tokenizer`` / ``tokenizer_2`` as
  HF tokenizer.json, padding and truncation switched off: the Java side pads and truncates itself);
* ``manifest.json``: contract I/O specs, SHA-256 of every file, the scheduler config verbatim, VAE
  constants, defaults, the trace checks and an ``export`` block with tool/library versions and date;
* ``reference/``: component I/O (``index.json``, ``"kind": "component_io"``) produced by the exported
  modules themselves, and a pipeline reference (``pipeline.json``) for a fixed prompt and seed: token ids,
  conditioning, initial latents (CPU generator), the first denoising steps, final latents, mel, waveform.

Design notes (the trace hazards of AUDIOLDM2_FACTS.md section 2):

* UNet: diffusers decides ``forward_upsample_size`` in Python from ``sample.shape`` and a trace freezes
  the decision, so a trace taken at a latent height divisible by 8 fails for heights that are not (and
  vice versa). The wrapper makes the UNet *always* forward the upsample size (the size of the matching
  down-block residual, read from traced shapes), which is exactly what diffusers does for
  non-divisible heights and numerically identical to ``scale_factor=2`` nearest upsampling otherwise.
  The traced module is checked against the unmodified eager UNet at every ``--latent-heights`` value
  (default: 256 = 10.24 s, 250 = 10.0 s, and the pipeline reference height); the checked heights are
  recorded in the manifest.
* Traced graphs freeze the device of tensors created inside the models (e.g. ``torch.arange(...,
  device=timesteps.device)``): a bundle traced on the CPU runs on the CPU, one traced on CUDA runs on CUDA.
  ``export.device`` records it. Export once per target device.
* Traced graphs also freeze dtype constants (``t_emb.to(sample.dtype)``): run a bundle at the dtype it
  was exported in (``components.*.dtype``). With ``--dtype fp16`` the VAE is exported in float32 because its
  config says ``force_upcast`` (fp16 VAE decoding is a known NaN source); audioldm4j runs it in FP32.
* GPT-2 is exported stateless ``(inputs_embeds, attention_mask) -> last_hidden_state`` with default
  positions 0..N-1; the 8-token loop runs in Java (the original AudioLDM2 semantics). The export checks
  causality and padding invariance of the traced module. T5 is exported at a fixed length (128) and the
  export checks that its valid-token outputs equal an unpadded run (Java slices them back).

Only the loading code needs diffusers/transformers; they are imported lazily, so the wrappers and the
bundle writer import (and are unit-tested, ``tests/``) with torch and numpy alone.
"""

import argparse
import copy
import datetime
import hashlib
import inspect
import json
import math
import os
import platform
import re
import shutil
import sys
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F



def no_cpu_fusion() -> bool:
    """Turns off TorchScript's TensorExpr (NNC) fusion on the CPU for this process; returns whether it was on.

    Debian's torch 2.6 is built with LLVM and fuses on the CPU by default (pip's torch 2.13 and the bytedeco
    presets' libtorch do not: `torch._C._jit_can_fuse_on_cpu()` is False there). With it on, the second call
    of the tiny bundle's gpt2.pt compiled for over 25 minutes and the first call of a freshly loaded unet.pt
    differed from later ones by 2.4e-7. The references the exporter records are meant to be what the Java
    runtimes compute, which do not fuse on the CPU, so every TorchScript run here is unfused."""
    was = False
    if hasattr(torch._C, "_jit_can_fuse_on_cpu") and hasattr(torch._C, "_jit_override_can_fuse_on_cpu"):
        was = bool(torch._C._jit_can_fuse_on_cpu())
        torch._C._jit_override_can_fuse_on_cpu(False)
    return was


CPU_FUSION_WAS_ON = no_cpu_fusion()

TOOL = "export_audioldm2"
TOOL_VERSION = "1"
FORMAT_VERSION = 1

#: Component names in pipeline order (the manifest keys).
COMPONENTS = ("clap_text", "clap_audio", "t5_encoder", "projection", "gpt2", "unet", "vae_encoder",
              "vae_decoder", "vocoder")
#: Components a pipeline can run without (CLAP audio only re-ranks candidates).
OPTIONAL_COMPONENTS = ("clap_audio",)

# Contract widths of the public checkpoints (BUNDLE.md).
CLAP_DIM = 512
T5_DIM = 1024
GPT2_DIM = 768
CLAP_AUDIO_FRAMES = 1001
CLAP_AUDIO_MELS = 64

DTYPES = {"fp32": torch.float32, "fp16": torch.float16, "bf16": torch.bfloat16}
DTYPE_NAMES = {torch.float32: "float32", torch.float16: "float16", torch.bfloat16: "bfloat16"}

#: Default trace-vs-eager tolerance per dtype: max |traced - eager| <= tol * max(1, max |eager|).
TRACE_TOLERANCE = {torch.float32: 1e-4, torch.float16: 1e-2, torch.bfloat16: 5e-2}

#: num_upsamplers the UNet wrapper sets while tracing: 2**30 divides no real latent size, so diffusers
#: always forwards the upsample size (see UNetWrapper).
FORCED_UPSAMPLERS = 30


# ================================================================================================
# Wrappers: pure functions of the diffusers / transformers submodules
# ================================================================================================

def first_tensor(out: Any, attr: Optional[str] = None) -> torch.Tensor:
    """The tensor a model call returned: the tensor itself, ``out.<attr>`` (ModelOutput / dataclass),
    or element 0 of a tuple/list (``return_dict=False``)."""
    if torch.is_tensor(out):
        return out
    if attr is not None:
        value = getattr(out, attr, None)
        if torch.is_tensor(value):
            return value
    if isinstance(out, (tuple, list)) and len(out) > 0 and torch.is_tensor(out[0]):
        return out[0]
    raise TypeError("expected a tensor, a tuple of tensors or an output with a '%s' tensor, got %s"
                    % (attr, type(out).__name__))


class ClapTextWrapper(nn.Module):
    """clap_text: (input_ids i64 [B,512], attention_mask i64 [B,512]) -> text_embeds f32 [B,512].

    ``ClapModel.get_text_features`` (transformers ``models/clap/modeling_clap.py``): pooler -> text
    projection -> L2 normalisation. transformers v5 returns a ModelOutput whose ``pooler_output`` the
    pipeline uses (diffusers ``encode_prompt``); normalising again here makes the output L2-normalised in
    both cases (idempotent for v4 up to rounding).
    """

    def __init__(self, clap):
        super().__init__()
        self.clap = clap

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        out = self.clap.get_text_features(input_ids=input_ids, attention_mask=attention_mask)
        return F.normalize(first_tensor(out, "pooler_output"), dim=-1)


class ClapAudioWrapper(nn.Module):
    """clap_audio: (input_features f32 [B,1,1001,64], is_longer bool [B,1]) -> audio_embeds f32 [B,512]
    (``ClapModel.get_audio_features``, L2-normalised; only used to re-rank candidates)."""

    def __init__(self, clap):
        super().__init__()
        self.clap = clap

    def forward(self, input_features: torch.Tensor, is_longer: torch.Tensor) -> torch.Tensor:
        out = self.clap.get_audio_features(input_features=input_features, is_longer=is_longer)
        return F.normalize(first_tensor(out, "pooler_output"), dim=-1)


class T5EncoderWrapper(nn.Module):
    """t5_encoder: (input_ids i64 [B,L], attention_mask i64 [B,L]) -> last_hidden_state f32 [B,L,1024],
    traced at the fixed L = t5_max_length (128); Java slices to the longest real length."""

    def __init__(self, t5):
        super().__init__()
        self.t5 = t5

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        out = self.t5(input_ids=input_ids, attention_mask=attention_mask, return_dict=False)
        return first_tensor(out, "last_hidden_state")


class ProjectionWrapper(nn.Module):
    """projection: (clap_embeds f32 [B,1,512], t5_hidden f32 [B,L,1024], t5_mask i64 [B,L])
    -> (hidden_states f32 [B,L+5,768], attention_mask i64 [B,L+5]).

    ``AudioLDM2ProjectionModel.forward`` (diffusers ``pipelines/audioldm2/modeling_audioldm2.py``) called as
    ``encode_prompt`` does: both masks given, the CLAP mask being ``ones(B, 1)``.
    """

    def __init__(self, projection):
        super().__init__()
        self.projection = projection

    def forward(self, clap_embeds: torch.Tensor, t5_hidden: torch.Tensor, t5_mask: torch.Tensor):
        clap_mask = t5_mask.new_ones((clap_embeds.shape[0], 1))
        out = self.projection(hidden_states=clap_embeds, hidden_states_1=t5_hidden, attention_mask=clap_mask,
                              attention_mask_1=t5_mask)
        hidden = first_tensor(out, "hidden_states")
        mask = getattr(out, "attention_mask", None)
        if mask is None and isinstance(out, (tuple, list)):
            mask = out[1]
        return hidden, mask.to(torch.long)


def gpt2_base(language_model):
    """The GPT2Model inside a GPT2LMHeadModel (diffusers reads ``hidden_states[-1]``, i.e. the base
    model's ``last_hidden_state``), or the model itself."""
    if hasattr(language_model, "lm_head") and hasattr(language_model, "transformer"):
        return language_model.transformer
    return language_model


class Gpt2Wrapper(nn.Module):
    """gpt2: (inputs_embeds f32 [B,N,768], attention_mask i64 [B,N]) -> last_hidden_state f32 [B,N,768].

    Stateless (``use_cache=False``), default positions 0..N-1, causal + padding mask, final ``ln_f``:
    one forward pass of the original AudioLDM2 generation loop; the 8-token loop runs in Java.
    """

    def __init__(self, language_model):
        super().__init__()
        self.gpt2 = gpt2_base(language_model)

    def forward(self, inputs_embeds: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        out = self.gpt2(inputs_embeds=inputs_embeds, attention_mask=attention_mask, use_cache=False,
                        return_dict=False)
        return first_tensor(out, "last_hidden_state")


class UNetWrapper(nn.Module):
    """unet: (sample f32 [B,8,H,16], timestep f32 [B], encoder_hidden_states f32 [B,8,768],
    encoder_hidden_states_1 f32 [B,L,1024], encoder_attention_mask_1 i64 [B,L]) -> noise_pred [B,8,H,16].

    ``AudioLDM2UNet2DConditionModel.forward`` computes ``default_overall_up_factor = 2**num_upsamplers`` and
    forwards the upsample size only if a latent dimension is not a multiple of it — a Python decision a
    trace freezes. With ``force_upsample_size`` the wrapper raises ``num_upsamplers`` during the call so
    the size is always forwarded; the sizes come from traced tensor shapes, so one trace serves every
    latent height. Nearest upsampling to exactly twice the size equals ``scale_factor=2``, so the result
    is the unmodified UNet's at every height (checked at export time).

    The timestep is cast to float32: the sinusoidal embedding is computed in float32 by diffusers anyway,
    and integer timesteps up to 2048 are exact in fp16.
    """

    def __init__(self, unet, force_upsample_size: bool = True):
        super().__init__()
        if force_upsample_size and not hasattr(unet, "num_upsamplers"):
            raise ValueError("force_upsample_size needs a diffusers UNet with a 'num_upsamplers' attribute, got "
                             + type(unet).__name__)
        self.unet = unet
        self.force_upsample_size = force_upsample_size

    def forward(self, sample: torch.Tensor, timestep: torch.Tensor, encoder_hidden_states: torch.Tensor,
                encoder_hidden_states_1: torch.Tensor, encoder_attention_mask_1: torch.Tensor) -> torch.Tensor:
        saved = getattr(self.unet, "num_upsamplers", None)
        if self.force_upsample_size:
            self.unet.num_upsamplers = FORCED_UPSAMPLERS
        try:
            out = self.unet(sample, timestep.to(torch.float32), encoder_hidden_states=encoder_hidden_states,
                            encoder_hidden_states_1=encoder_hidden_states_1,
                            encoder_attention_mask_1=encoder_attention_mask_1, return_dict=False)
        finally:
            if self.force_upsample_size:
                self.unet.num_upsamplers = saved
        return first_tensor(out, "sample")


class VaeEncoderWrapper(nn.Module):
    """vae_encoder: (mel f32 [B,1,T,64]) -> moments f32 [B,16,T/4,16]: ``AutoencoderKL._encode`` (encoder,
    then ``quant_conv`` when present). Mean = channels 0-7, logvar = 8-15; the Gaussian is done in Java."""

    def __init__(self, vae):
        super().__init__()
        self.encoder = vae.encoder
        self.quant_conv = getattr(vae, "quant_conv", None)

    def forward(self, mel: torch.Tensor) -> torch.Tensor:
        h = self.encoder(mel)
        if self.quant_conv is not None:
            h = self.quant_conv(h)
        return h


class VaeDecoderWrapper(nn.Module):
    """vae_decoder: (z f32 [B,8,T/4,16]) -> mel f32 [B,1,T,64]: ``AutoencoderKL._decode`` (``post_quant_conv``
    when present, then the decoder); z = latents / scaling_factor is computed by the caller."""

    def __init__(self, vae):
        super().__init__()
        self.post_quant_conv = getattr(vae, "post_quant_conv", None)
        self.decoder = vae.decoder

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        if self.post_quant_conv is not None:
            z = self.post_quant_conv(z)
        return first_tensor(self.decoder(z), "sample")


class VocoderWrapper(nn.Module):
    """vocoder: (mel f32 [B,T,64]) -> waveform f32 [B,160*T+32] (``SpeechT5HifiGan.forward``)."""

    def __init__(self, vocoder):
        super().__init__()
        self.vocoder = vocoder

    def forward(self, mel: torch.Tensor) -> torch.Tensor:
        return first_tensor(self.vocoder(mel), "waveform")


# ================================================================================================
# The source model: what the exporter needs from a loaded AudioLDM2Pipeline
# ================================================================================================

@dataclass
class Source:
    """The pieces of an AudioLDM2 pipeline the exporter reads. ``load_diffusers_source`` fills it from a
    diffusers checkpoint; tests fill it with small stand-ins of the same interfaces."""
    model_id: str
    text_encoder: Any          # ClapModel: get_text_features / get_audio_features
    text_encoder_2: Any        # T5EncoderModel: (input_ids, attention_mask, return_dict) -> (last_hidden_state,)
    projection_model: Any      # AudioLDM2ProjectionModel
    language_model: Any        # GPT2Model (or GPT2LMHeadModel)
    unet: Any                  # AudioLDM2UNet2DConditionModel (config.in_channels, config.sample_size)
    vae: Any                   # AutoencoderKL (encoder, quant_conv, post_quant_conv, decoder, config)
    vocoder: Any               # SpeechT5HifiGan (config.upsample_rates, sampling_rate, model_in_dim)
    tokenizer: Any             # CLAP (Roberta) tokenizer: HF __call__, pad_token_id, backend_tokenizer
    tokenizer_2: Any           # T5 tokenizer
    scheduler: Any             # diffusers scheduler instance (set_timesteps / step / init_noise_sigma)
    scheduler_config: Dict[str, Any]   # scheduler_config.json verbatim
    scheduler_config_origin: str = "file"
    versions: Dict[str, Optional[str]] = field(default_factory=dict)
    revision: Optional[str] = None
    pipeline: Any = None       # the diffusers pipeline itself, for the --diffusers-check run
    feature_extractor: Any = None  # ClapFeatureExtractor (to_dict()): the CLAP re-ranking's features


@dataclass
class ReferenceSettings:
    """The fixed generation the pipeline reference records (diffusers ``AudioLDM2Pipeline.__call__`` args)."""
    prompts: List[str] = field(default_factory=lambda: ["A hammer hitting a wooden surface"])
    negative_prompts: Optional[List[str]] = None
    audio_length_s: float = 5.12
    num_inference_steps: int = 25
    guidance_scale: float = 3.5
    eta: float = 0.0
    seed: int = 0
    num_waveforms_per_prompt: int = 1
    max_new_tokens: Optional[int] = None   # None: language_model.config.max_new_tokens (8)
    record_steps: int = 3


@dataclass
class ExportOptions:
    dtype: torch.dtype = torch.float32
    device: str = "cpu"
    latent_heights: Tuple[int, ...] = (256, 250)
    component_dtypes: Dict[str, torch.dtype] = field(default_factory=dict)
    skip: Tuple[str, ...] = ()
    clap_max_length: int = 512
    t5_max_length: int = 128
    trace_tolerance: Optional[float] = None
    pipeline_reference: bool = True
    reference: ReferenceSettings = field(default_factory=ReferenceSettings)
    diffusers_check: bool = True
    overwrite: bool = False
    example_prompts: Tuple[str, ...] = ("A hammer hitting a wooden surface", "Rain on a tin roof",
                                        "A dog barking in the distance")
    seed: int = 1234
    log: Callable[[str], None] = print


class ExportError(RuntimeError):
    """The export cannot produce a bundle that honours the contract (a check failed)."""


# ================================================================================================
# Small utilities
# ================================================================================================

def sha256_file(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def save_npy(path: str, t: torch.Tensor) -> None:
    """Saves a host copy as float32, int64 or bool (the dtypes audioldm4j's Npy reads)."""
    t = t.detach().cpu()
    if t.is_floating_point():
        a = t.to(torch.float32).numpy()
    elif t.dtype == torch.bool:
        a = t.numpy()
    else:
        a = t.to(torch.int64).numpy()
    np.save(path, np.ascontiguousarray(a), allow_pickle=False)


def json_safe(value: Any) -> Any:
    """Non-finite floats become strings ("nan", "inf"): strict JSON readers (Jackson) reject NaN literals."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    return value


def write_json(path: str, value: Any) -> None:
    with open(path, "w", encoding="utf-8") as f:
        json.dump(json_safe(value), f, indent=1, allow_nan=False)


def spec(name: str, dtype: str, shape: Sequence[Any]) -> Dict[str, Any]:
    return {"name": name, "dtype": dtype, "shape": list(shape)}


def compare(actual: torch.Tensor, expected: torch.Tensor) -> Dict[str, Any]:
    """Max abs error, max relative error (relative to the expected tensor's peak) and the peak; integer
    and bool tensors report the number of differing elements."""
    a = actual.detach().cpu()
    e = expected.detach().cpu()
    if tuple(a.shape) != tuple(e.shape):
        return {"shape": list(e.shape), "actual_shape": list(a.shape), "shape_mismatch": True}
    if not e.is_floating_point():
        return {"shape": list(e.shape), "mismatches": int((a.to(torch.int64) != e.to(torch.int64)).sum())}
    a64 = a.to(torch.float64)
    e64 = e.to(torch.float64)
    finite = bool(torch.isfinite(a64).all())
    diff = (a64 - e64).abs()
    max_abs = float(diff.max()) if diff.numel() else 0.0
    peak = float(e64.abs().max()) if e64.numel() else 0.0
    return {"shape": list(e.shape), "max_abs": max_abs, "max_rel": max_abs / peak if peak > 0 else max_abs,
            "peak": peak, "finite": finite}


def within(report: Dict[str, Any], tol: float) -> bool:
    """The acceptance rule used throughout (and by VerifyBundle): exact for integers; for floats
    max_abs <= tol * max(1, peak) and every value finite."""
    if report.get("shape_mismatch"):
        return False
    if "mismatches" in report:
        return report["mismatches"] == 0
    if not report["finite"] or math.isnan(report["max_abs"]):
        return False
    return report["max_abs"] <= tol * max(1.0, report["peak"])


def as_tuple(out: Any) -> Tuple[torch.Tensor, ...]:
    return tuple(out) if isinstance(out, (tuple, list)) else (out,)


def to_module_input(x: torch.Tensor, dtype: torch.dtype, device: str) -> torch.Tensor:
    """What the Java runtime does to a host tensor: floats cast to the module dtype, all moved to device."""
    return x.to(device=device, dtype=dtype) if x.is_floating_point() else x.to(device)


class Runner:
    """Calls a component as audioldm4j's runtime does: float32 host inputs are cast to the component's
    dtype and device; outputs come back as float32 (or int64/bool) CPU tensors."""

    def __init__(self, module: Callable, dtype: torch.dtype = torch.float32, device: str = "cpu"):
        self.module = module
        self.dtype = dtype
        self.device = device

    def __call__(self, *inputs: torch.Tensor):
        args = [to_module_input(x, self.dtype, self.device) for x in inputs]
        with torch.no_grad():
            out = self.module(*args)
        outs = tuple(o.detach().cpu().float() if o.is_floating_point() else o.detach().cpu()
                     for o in as_tuple(out))
        return outs if isinstance(out, (tuple, list)) else outs[0]


def cpu_capability() -> Optional[str]:
    """torch's CPU kernel capability (DEFAULT, AVX2, AVX512): it selects the ``randn`` kernel, which
    audioldm4j's TorchGenerator reproduces per kernel."""
    fn = getattr(torch.backends, "cpu", None)
    if fn is not None and hasattr(fn, "get_cpu_capability"):
        try:
            return str(fn.get_cpu_capability())
        except Exception:  # noqa: BLE001 - informational only
            pass
    m = re.search(r"CPU capability usage:\s*([^\n]+)", torch.__config__.show())
    return m.group(1).strip() if m else None


def tokenizer_json(tokenizer) -> Dict[str, Any]:
    """The fast tokenizer's tokenizer.json with padding and truncation switched off (a backend
    tokenizer keeps the settings of its last call)."""
    backend = getattr(tokenizer, "backend_tokenizer", None)
    if backend is None:
        raise ExportError("the tokenizer %s has no backend_tokenizer: a fast (Rust) tokenizer is needed to write "
                          "tokenizer.json; load the pipeline with use_fast tokenizers" % type(tokenizer).__name__)
    data = json.loads(backend.to_str())
    data["padding"] = None
    data["truncation"] = None
    return data


def tokenize(tokenizer, texts: List[str], padding, max_length: int) -> Tuple[torch.Tensor, torch.Tensor]:
    """HF tokenizer call as diffusers' ``encode_prompt`` makes it; returns (input_ids, attention_mask) int64."""
    enc = tokenizer(texts, padding=padding, max_length=max_length, truncation=True, return_tensors="pt")
    return torch.as_tensor(enc["input_ids"]).to(torch.int64), torch.as_tensor(enc["attention_mask"]).to(torch.int64)


def pad_to(ids: torch.Tensor, mask: torch.Tensor, length: int, pad_id: int) -> Tuple[torch.Tensor, torch.Tensor]:
    """Right-pads token ids (with pad_id) and mask (with 0) to ``length``."""
    b, n = ids.shape
    if n > length:
        raise ValueError("cannot pad %d tokens to the shorter length %d" % (n, length))
    out_ids = torch.full((b, length), pad_id, dtype=torch.int64)
    out_mask = torch.zeros((b, length), dtype=torch.int64)
    out_ids[:, :n] = ids
    out_mask[:, :n] = mask
    return out_ids, out_mask


# ================================================================================================
# Model constants
# ================================================================================================

@dataclass
class Constants:
    sample_rate: int
    hop: int
    mel_bins: int
    vae_down: int
    latent_channels: int
    scaling_factor: float
    force_upcast: bool
    default_length_s: float
    max_new_tokens: int
    clap_max_length: int
    t5_max_length: int
    clap_pad_id: int
    t5_pad_id: int

    @property
    def mel_quarter(self) -> int:
        return self.mel_bins // self.vae_down


def cfg(obj, key, default=None):
    """A config value from a diffusers/transformers config object or dict."""
    c = getattr(obj, "config", obj)
    if isinstance(c, dict):
        return c.get(key, default)
    return getattr(c, key, default)


def model_constants(source: Source, opts: ExportOptions) -> Constants:
    rates = cfg(source.vocoder, "upsample_rates")
    hop = int(np.prod(rates))
    sample_rate = int(cfg(source.vocoder, "sampling_rate"))
    mel_bins = int(cfg(source.vocoder, "model_in_dim"))
    vae_down = 2 ** (len(cfg(source.vae, "block_out_channels")) - 1)
    latent_channels = int(cfg(source.vae, "latent_channels"))
    # diffusers __call__: audio_length_in_s = sample_size * vae_scale_factor * vocoder_upsample_factor
    default_length = float(cfg(source.unet, "sample_size")) * vae_down * (hop / sample_rate)
    max_new = cfg(source.language_model, "max_new_tokens", None)
    clap_pad = getattr(source.tokenizer, "pad_token_id", None)
    t5_pad = getattr(source.tokenizer_2, "pad_token_id", None)
    if clap_pad is None or t5_pad is None:
        raise ExportError("both tokenizers need a pad token (pad_token_id), got %r and %r" % (clap_pad, t5_pad))
    in_channels = cfg(source.unet, "in_channels")
    if in_channels != latent_channels:
        raise ExportError("unet.config.in_channels (%s) must equal vae.config.latent_channels (%s)"
                          % (in_channels, latent_channels))
    if mel_bins % vae_down != 0:
        raise ExportError("vocoder.config.model_in_dim (%d) must be a multiple of the VAE factor %d"
                          % (mel_bins, vae_down))
    return Constants(sample_rate=sample_rate, hop=hop, mel_bins=mel_bins, vae_down=vae_down,
                     latent_channels=latent_channels, scaling_factor=float(cfg(source.vae, "scaling_factor")),
                     force_upcast=bool(cfg(source.vae, "force_upcast", False)), default_length_s=default_length,
                     max_new_tokens=int(max_new) if max_new else 8, clap_max_length=opts.clap_max_length,
                     t5_max_length=opts.t5_max_length, clap_pad_id=int(clap_pad), t5_pad_id=int(t5_pad))


def audio_lengths(seconds: float, c: Constants) -> Tuple[int, int]:
    """diffusers ``__call__`` section 0: (spectrogram height, original waveform length)."""
    vocoder_upsample_factor = c.hop / c.sample_rate
    height = int(seconds / vocoder_upsample_factor)
    samples = int(seconds * c.sample_rate)
    if height % c.vae_down != 0:
        height = int(np.ceil(height / c.vae_down)) * c.vae_down
    return height, samples


def vocoder_tail(vocoder_runner: Callable, c: Constants) -> int:
    """Samples the vocoder adds beyond hop * T (32 for AudioLDM2's HiFi-GAN), measured at two lengths."""
    tails = []
    for t in (8, 16):
        out = vocoder_runner(torch.zeros(1, t, c.mel_bins))
        tails.append(int(out.shape[-1]) - c.hop * t)
    if tails[0] != tails[1]:
        raise ExportError("the vocoder output length is not hop*T + constant: %r" % tails)
    return tails[0]


def contract_specs(c: Constants, tail: int) -> Dict[str, Tuple[List[Dict], List[Dict]]]:
    """Manifest inputs/outputs per component (same names, dtypes and shapes as the committed tiny bundle)."""
    lat, q, mel = c.latent_channels, c.mel_quarter, c.mel_bins
    clap, t5 = c.clap_max_length, c.t5_max_length
    return {
        "clap_text": ([spec("input_ids", "int64", ["B", clap]), spec("attention_mask", "int64", ["B", clap])],
                      [spec("text_embeds", "float32", ["B", CLAP_DIM])]),
        "clap_audio": ([spec("input_features", "float32", ["B", 1, CLAP_AUDIO_FRAMES, CLAP_AUDIO_MELS]),
                        spec("is_longer", "bool", ["B", 1])],
                       [spec("audio_embeds", "float32", ["B", CLAP_DIM])]),
        "t5_encoder": ([spec("input_ids", "int64", ["B", t5]), spec("attention_mask", "int64", ["B", t5])],
                       [spec("last_hidden_state", "float32", ["B", t5, T5_DIM])]),
        "projection": ([spec("clap_embeds", "float32", ["B", 1, CLAP_DIM]), spec("t5_hidden", "float32", ["B", "L", T5_DIM]),
                        spec("t5_mask", "int64", ["B", "L"])],
                       [spec("hidden_states", "float32", ["B", "L+5", GPT2_DIM]),
                        spec("attention_mask", "int64", ["B", "L+5"])]),
        "gpt2": ([spec("inputs_embeds", "float32", ["B", "N", GPT2_DIM]), spec("attention_mask", "int64", ["B", "N"])],
                 [spec("last_hidden_state", "float32", ["B", "N", GPT2_DIM])]),
        "unet": ([spec("sample", "float32", ["B", lat, "H", q]), spec("timestep", "float32", ["B"]),
                  spec("encoder_hidden_states", "float32", ["B", 8, GPT2_DIM]),
                  spec("encoder_hidden_states_1", "float32", ["B", "L", T5_DIM]),
                  spec("encoder_attention_mask_1", "int64", ["B", "L"])],
                 [spec("noise_pred", "float32", ["B", lat, "H", q])]),
        "vae_encoder": ([spec("mel", "float32", ["B", 1, "T", mel])],
                        [spec("moments", "float32", ["B", 2 * lat, "T/%d" % c.vae_down, q])]),
        "vae_decoder": ([spec("z", "float32", ["B", lat, "T/%d" % c.vae_down, q])],
                        [spec("mel", "float32", ["B", 1, "T", mel])]),
        "vocoder": ([spec("mel", "float32", ["B", "T", mel])],
                    [spec("waveform", "float32", ["B", "%d*T+%d" % (c.hop, tail)])]),
    }


# ================================================================================================
# Example inputs (trace inputs + differently shaped check inputs)
# ================================================================================================

class Examples:
    """Host (float32/int64/bool CPU) example inputs per component: element 0 is the trace input (and the
    component reference), the others check that the trace generalises (other batch sizes, sequence
    lengths, paddings, latent heights)."""

    def __init__(self, source: Source, c: Constants, opts: ExportOptions):
        self.source = source
        self.c = c
        self.opts = opts
        self.g = torch.Generator().manual_seed(opts.seed)
        self.heights = list(opts.latent_heights)

    def randn(self, *shape, scale=1.0, shift=0.0):
        return torch.randn(*shape, generator=self.g) * scale + shift

    def prompts(self, n):
        p = list(self.opts.example_prompts)
        return [p[i % len(p)] for i in range(n)]

    def padded_mask(self, b, n, lengths):
        m = torch.zeros(b, n, dtype=torch.int64)
        for i, k in enumerate(lengths):
            m[i, :k] = 1
        return m

    def inputs(self, name: str) -> List[Tuple[torch.Tensor, ...]]:
        c = self.c
        h0 = self.heights[0]
        others = self.heights[1:] or [h0]
        if name == "clap_text":
            sets = []
            for b in (2, 3):
                sets.append(tokenize(self.source.tokenizer, self.prompts(b), "max_length", c.clap_max_length))
            return sets
        if name == "clap_audio":
            return [(self.randn(2, 1, CLAP_AUDIO_FRAMES, CLAP_AUDIO_MELS, scale=20.0, shift=-40.0),
                     torch.tensor([[False], [True]])),
                    (self.randn(1, 1, CLAP_AUDIO_FRAMES, CLAP_AUDIO_MELS, scale=20.0, shift=-40.0),
                     torch.tensor([[False]]))]
        if name == "t5_encoder":
            return [tokenize(self.source.tokenizer_2, self.prompts(b), "max_length", c.t5_max_length) for b in (2, 3)]
        if name == "projection":
            sets = []
            for b, n in ((2, 7), (3, 12)):
                clap = F.normalize(self.randn(b, 1, CLAP_DIM), dim=-1)
                sets.append((clap, self.randn(b, n, T5_DIM, scale=0.2),
                             self.padded_mask(b, n, [n] + [max(1, n - 3 - i) for i in range(b - 1)])))
            return sets
        if name == "gpt2":
            sets = []
            for b, n in ((2, 14), (3, 21)):
                mask = torch.ones(b, n, dtype=torch.int64)
                mask[1, 6:9] = 0  # padding inside the sequence, as the projected T5 part has it
                sets.append((self.randn(b, n, GPT2_DIM), mask))
            return sets
        if name == "unet":
            sets = []
            shapes = [(2, h0, 7)] + [(4 if i % 2 == 0 else 2, h, 12) for i, h in enumerate(others)]
            for b, h, n in shapes:
                t = torch.full((b,), 981.0) if not sets else torch.tensor([1.0, 501.0, 999.0, 251.0][:b])
                sets.append((self.randn(b, c.latent_channels, h, c.mel_quarter), t,
                             self.randn(b, 8, GPT2_DIM), self.randn(b, n, T5_DIM, scale=0.2),
                             self.padded_mask(b, n, [n - 2 * (i % 2) for i in range(b)])))
            return sets
        if name == "vae_encoder":
            return [(self.randn(1, 1, h0 * c.vae_down, c.mel_bins, scale=2.0, shift=-5.0),)] + \
                   [(self.randn(2, 1, h * c.vae_down, c.mel_bins, scale=2.0, shift=-5.0),) for h in others]
        if name == "vae_decoder":
            return [(self.randn(1, c.latent_channels, h0, c.mel_quarter, scale=2.0),)] + \
                   [(self.randn(2, c.latent_channels, h, c.mel_quarter, scale=2.0),) for h in others]
        if name == "vocoder":
            return [(self.randn(1, h0 * c.vae_down, c.mel_bins, scale=2.0, shift=-5.0),)] + \
                   [(self.randn(2, h * c.vae_down, c.mel_bins, scale=2.0, shift=-5.0),) for h in others]
        raise KeyError(name)


# ================================================================================================
# Tracing and checking
# ================================================================================================

def without(module: nn.Module, names: Sequence[str], placeholders: Optional[Dict[str, nn.Module]] = None) -> nn.Module:
    """A shallow copy of ``module`` (sharing its parameters) without the submodules ``names``, so that a
    trace of a wrapper saves only what its forward uses: the whole ClapModel was saved twice (777 MB
    each at full size) and GPT-2's token embedding (38.6M parameters) once, none of it used.
    ``placeholders`` replaces a submodule instead (for attributes the model's code may touch)."""
    m = copy.copy(module)
    m._modules = dict(module._modules)
    for n in names:
        # names the model lacks (stand-ins, other model classes) are skipped: nothing to leave out
        m._modules.pop(n, None)
    for n, sub in (placeholders or {}).items():
        m._modules[n] = sub
    return m


def gpt2_without_token_embedding(language_model) -> nn.Module:
    base = gpt2_base(language_model)
    wte = base._modules.get("wte")
    if wte is None:
        return base
    # a 1-row stand-in keeps attribute reads working; inputs_embeds are always given, so it is never looked up
    return without(base, ["wte"], {"wte": nn.Embedding(1, wte.embedding_dim)})


def build_wrappers(source: Source) -> Dict[str, Tuple[nn.Module, nn.Module]]:
    """(module to trace, eager reference) per component. Only the UNet differs: its reference is the
    unmodified diffusers UNet (no forced upsample size)."""
    return {
        "clap_text": (ClapTextWrapper(without(source.text_encoder, ["audio_model", "audio_projection"])),
                      ClapTextWrapper(source.text_encoder)),
        "clap_audio": (ClapAudioWrapper(without(source.text_encoder, ["text_model", "text_projection"])),
                       ClapAudioWrapper(source.text_encoder)),
        "t5_encoder": (T5EncoderWrapper(source.text_encoder_2),) * 2,
        "projection": (ProjectionWrapper(source.projection_model),) * 2,
        "gpt2": (Gpt2Wrapper(gpt2_without_token_embedding(source.language_model)), Gpt2Wrapper(source.language_model)),
        "unet": (UNetWrapper(source.unet, force_upsample_size=True), UNetWrapper(source.unet, force_upsample_size=False)),
        "vae_encoder": (VaeEncoderWrapper(source.vae),) * 2,
        "vae_decoder": (VaeDecoderWrapper(source.vae),) * 2,
        "vocoder": (VocoderWrapper(source.vocoder),) * 2,
    }


def trace_and_save(name: str, module: nn.Module, reference: nn.Module, example_sets: List[Tuple[torch.Tensor, ...]],
                   path: str, dtype: torch.dtype, device: str, tol: float) -> Tuple[torch.jit.ScriptModule, Dict]:
    """Traces ``module`` on example set 0, saves it to ``path``, loads it back and compares the loaded
    module with the eager ``reference`` on every example set. Raises ExportError beyond ``tol``."""
    module.eval()
    reference.eval()
    trace_in = tuple(to_module_input(x, dtype, device) for x in example_sets[0])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with torch.no_grad():
            traced = torch.jit.trace(module, trace_in, check_trace=False)
    tracer_warnings = sorted({str(w.message).split("\n")[0] for w in caught
                              if "Trac" in type(w.message).__name__ or "trac" in str(w.message)})
    traced.save(path)
    loaded = torch.jit.load(path, map_location=device)
    loaded.eval()
    checks = []
    for i, host in enumerate(example_sets):
        args = tuple(to_module_input(x, dtype, device) for x in host)
        with torch.no_grad():
            want = as_tuple(reference(*args))
            got = as_tuple(loaded(*args))
        if len(want) != len(got):
            raise ExportError("%s: the traced module returns %d outputs, eager %d" % (name, len(got), len(want)))
        outs = [compare(g, w) for g, w in zip(got, want)]
        ok = all(within(o, tol) for o in outs)
        checks.append({"inputs": [list(x.shape) for x in host], "role": "trace" if i == 0 else "check",
                       "outputs": outs, "pass": ok})
        if not ok:
            raise ExportError("%s: the traced module differs from eager on inputs %s (tolerance %g x max(1, peak)): %s"
                              % (name, [list(x.shape) for x in host], tol, json.dumps(outs)))
    return loaded, {"tolerance": tol, "checks": checks, "tracer_warnings": tracer_warnings[:8]}


def check_gpt2_semantics(runner: Callable, tol: float) -> Dict[str, Any]:
    """The Java loop relies on causality (outputs at i ignore inputs after i) and on padded positions
    being ignored; both are checked on the traced module."""
    g = torch.Generator().manual_seed(7)
    x = torch.randn(2, 12, GPT2_DIM, generator=g)
    mask = torch.ones(2, 12, dtype=torch.int64)
    mask[1, 4:7] = 0
    base = runner(x, mask)
    later = x.clone()
    later[:, 9:] = torch.randn(2, 3, GPT2_DIM, generator=g)
    causal = compare(runner(later, mask)[:, :9], base[:, :9])
    padded = x.clone()
    padded[1, 4:7] = torch.randn(3, GPT2_DIM, generator=g)
    keep = torch.tensor([0, 1, 2, 3, 7, 8, 9, 10, 11])
    padding = compare(runner(padded, mask)[1, keep], base[1, keep])
    report = {"causal": causal, "padding_ignored": padding}
    if not (within(causal, tol) and within(padding, tol)):
        raise ExportError("gpt2: the traced module is not causal or attends to padded positions: " + json.dumps(report))
    return report


def check_t5_slicing(runner: Callable, reference: nn.Module, c: Constants, source: Source, prompts: Sequence[str],
                     device: str, tol: float) -> Dict[str, Any]:
    """Java runs T5 at the fixed length and slices to the longest real length Lt; check that equals the
    eager model run at Lt (what diffusers does with padding=True)."""
    prompts = list(prompts)
    ids, mask = tokenize(source.tokenizer_2, prompts, True, c.t5_max_length)
    lt = ids.shape[1]
    full_ids, full_mask = pad_to(ids, mask, c.t5_max_length, c.t5_pad_id)
    sliced = runner(full_ids, full_mask)[:, :lt]
    with torch.no_grad():
        direct = reference(ids.to(device), mask.to(device)).float().cpu()
    report = compare(sliced, direct)
    report["lt"] = int(lt)
    if not within(report, tol):
        raise ExportError("t5_encoder: outputs at the fixed length sliced to %d tokens differ from a run at %d tokens: %s"
                          % (lt, lt, json.dumps(report)))
    return report


# ================================================================================================
# Pipeline reference (a Python mirror of audioldm4j's AudioLdm2Pipeline / diffusers __call__)
# ================================================================================================

def scheduler_step_kwargs(scheduler, eta: float, generator) -> Dict[str, Any]:
    """diffusers ``prepare_extra_step_kwargs``: pass eta / generator only if ``step`` accepts them."""
    params = set(inspect.signature(scheduler.step).parameters.keys())
    kwargs = {}
    if "eta" in params:
        kwargs["eta"] = eta
    if "generator" in params:
        kwargs["generator"] = generator
    return kwargs


def generate_language_model(gpt2: Callable, inputs_embeds: torch.Tensor, attention_mask: torch.Tensor,
                            max_new_tokens: int) -> torch.Tensor:
    """The original AudioLDM2 loop (``audiomae_gen/sequence_input.py``) = diffusers'
    ``generate_language_model`` without a KV cache: append the last hidden state and a 1 to the mask."""
    for _ in range(max_new_tokens):
        hidden = gpt2(inputs_embeds, attention_mask)
        inputs_embeds = torch.cat([inputs_embeds, hidden[:, -1:, :]], dim=1)
        attention_mask = torch.cat([attention_mask, attention_mask.new_ones((attention_mask.shape[0], 1))], dim=1)
    return inputs_embeds[:, -max_new_tokens:, :]


def run_reference_pipeline(runners: Dict[str, Callable], source: Source, c: Constants, settings: ReferenceSettings,
                           initial_latents: Optional[torch.Tensor] = None, scheduler=None) -> Dict[str, Any]:
    """Text to audio as audioldm4j's ``AudioLdm2Pipeline.generate`` computes it, following the numbered
    sections of diffusers' ``AudioLDM2Pipeline.__call__`` with the stateless GPT-2 loop. ``runners`` map
    component names to host-tensor callables (see ``Runner``). Host math (CFG, scheduler) is float32 on
    the CPU, as in Java. Returns the recorded tensors."""
    prompts = list(settings.prompts)
    n = settings.num_waveforms_per_prompt
    guided = settings.guidance_scale > 1.0
    max_new = settings.max_new_tokens or c.max_new_tokens
    # 0. audio length -> spectrogram height
    height, samples = audio_lengths(settings.audio_length_s, c)
    rec: Dict[str, Any] = {"height": height, "samples": samples}

    # 3. encode_prompt
    def branch(texts: List[str], lt: int, key: str):
        clap_ids, clap_mask = tokenize(source.tokenizer, texts, "max_length", c.clap_max_length)
        clap = runners["clap_text"](clap_ids, clap_mask)[:, None, :]
        ids, mask = tokenize(source.tokenizer_2, texts, "max_length", lt)
        full_ids, full_mask = pad_to(ids, mask, c.t5_max_length, c.t5_pad_id)
        t5 = runners["t5_encoder"](full_ids, full_mask)[:, :lt, :]
        hidden, hmask = runners["projection"](clap, t5, mask)
        generated = generate_language_model(runners["gpt2"], hidden, hmask, max_new)
        rec[key + "_clap_input_ids"], rec[key + "_clap_attention_mask"] = clap_ids, clap_mask
        rec[key + "_t5_input_ids"], rec[key + "_t5_attention_mask"] = ids, mask
        return generated, t5, mask

    pos_ids, _ = tokenize(source.tokenizer_2, prompts, True, c.t5_max_length)
    lt = int(pos_ids.shape[1])
    gen, t5, mask = branch(prompts, lt, "positive")
    rep = lambda x: x.repeat_interleave(n, dim=0)  # noqa: E731 (== repeat(1, n, 1).view(B*n, ...))
    gen, t5, mask = rep(gen), rep(t5), rep(mask)
    if guided:
        negatives = list(settings.negative_prompts) if settings.negative_prompts is not None else [""] * len(prompts)
        ngen, nt5, nmask = branch(negatives, lt, "negative")
        gen, t5, mask = torch.cat([rep(ngen), gen]), torch.cat([rep(nt5), t5]), torch.cat([rep(nmask), mask])
    rec["generated_prompt_embeds"], rec["prompt_embeds"], rec["attention_mask"] = gen, t5, mask

    # 4. timesteps
    scheduler = scheduler if scheduler is not None else copy.deepcopy(source.scheduler)
    scheduler.set_timesteps(settings.num_inference_steps)
    timesteps = scheduler.timesteps
    rec["timesteps"] = torch.as_tensor(timesteps).to(torch.float32).cpu()
    # 5. latents: randn(shape, CPU generator) unless given, times init_noise_sigma
    generator = torch.Generator("cpu").manual_seed(settings.seed)
    shape = (len(prompts) * n, c.latent_channels, height // c.vae_down, c.mel_quarter)
    if initial_latents is None:
        initial_latents = torch.randn(shape, generator=generator, dtype=torch.float32)
    elif tuple(initial_latents.shape) != shape:
        raise ValueError("initial_latents must have shape %s, got %s" % (shape, tuple(initial_latents.shape)))
    rec["initial_latents"] = initial_latents.clone()
    latents = initial_latents * scheduler.init_noise_sigma
    extra = scheduler_step_kwargs(scheduler, settings.eta, generator)
    # 7. denoising loop
    steps = []
    for i, t in enumerate(timesteps):
        latent_in = torch.cat([latents] * 2) if guided else latents
        latent_in = scheduler.scale_model_input(latent_in, t)
        ts = torch.full((latent_in.shape[0],), float(t), dtype=torch.float32)
        noise_pred = runners["unet"](latent_in, ts, gen, t5, mask)
        if guided:
            noise_pred_uncond, noise_pred_text = noise_pred.chunk(2)
            noise_pred = noise_pred_uncond + settings.guidance_scale * (noise_pred_text - noise_pred_uncond)
        latents = scheduler.step(noise_pred, t, latents, **extra).prev_sample
        if i < settings.record_steps:
            steps.append(latents.clone())
    rec["step_latents"] = steps
    rec["final_latents"] = latents
    # 8. post-processing
    mel = runners["vae_decoder"](1 / c.scaling_factor * latents)
    rec["mel"] = mel
    audio = runners["vocoder"](mel.squeeze(1))
    rec["waveform"] = audio[:, :samples]
    return rec


def run_diffusers_pipeline(pipe, settings: ReferenceSettings, initial_latents: torch.Tensor) -> Dict[str, Any]:
    """Runs diffusers' own ``AudioLDM2Pipeline.__call__`` with the reference settings and latents, capturing
    the encode_prompt outputs and the first step latents (for --diffusers-check)."""
    captured: Dict[str, Any] = {}
    original = pipe.encode_prompt

    def encode_prompt(*args, **kwargs):
        out = original(*args, **kwargs)
        captured["encode_prompt"] = out
        return out

    steps: List[torch.Tensor] = []

    def callback(step, timestep, latents):
        if len(steps) < settings.record_steps:
            steps.append(latents.detach().float().cpu().clone())

    object.__setattr__(pipe, "encode_prompt", encode_prompt)
    try:
        audio = pipe(prompt=list(settings.prompts), negative_prompt=settings.negative_prompts,
                     audio_length_in_s=settings.audio_length_s, num_inference_steps=settings.num_inference_steps,
                     guidance_scale=settings.guidance_scale, num_waveforms_per_prompt=settings.num_waveforms_per_prompt,
                     eta=settings.eta, generator=torch.Generator("cpu").manual_seed(settings.seed),
                     latents=initial_latents.clone(), max_new_tokens=settings.max_new_tokens, callback=callback,
                     callback_steps=1, output_type="pt", return_dict=False)[0]
    finally:
        object.__delattr__(pipe, "encode_prompt")
    prompt_embeds, attention_mask, generated = captured["encode_prompt"]
    return {"waveform": torch.as_tensor(audio).float().cpu(), "step_latents": steps,
            "generated_prompt_embeds": generated.float().cpu(), "prompt_embeds": prompt_embeds.float().cpu(),
            "attention_mask": attention_mask.cpu()}


def diffusers_check_report(ref: Dict[str, Any], diff: Dict[str, Any]) -> Dict[str, Any]:
    report = {}
    for key in ("generated_prompt_embeds", "prompt_embeds", "attention_mask", "waveform"):
        report[key] = compare(ref[key], diff[key])
    report["step_latents"] = [compare(a, b) for a, b in zip(ref["step_latents"], diff["step_latents"])]
    return report


# ================================================================================================
# The bundle writer
# ================================================================================================

def resolve_component_dtypes(opts: ExportOptions, c: Constants) -> Dict[str, torch.dtype]:
    dtypes = {name: opts.dtype for name in COMPONENTS}
    if opts.dtype == torch.float16 and c.force_upcast:
        dtypes["vae_encoder"] = dtypes["vae_decoder"] = torch.float32
    dtypes.update(opts.component_dtypes)
    for a, b in (("clap_text", "clap_audio"), ("vae_encoder", "vae_decoder")):
        if dtypes[a] != dtypes[b]:
            raise ExportError("%s and %s share one model and must have the same dtype, got %s and %s"
                              % (a, b, DTYPE_NAMES[dtypes[a]], DTYPE_NAMES[dtypes[b]]))
    for name, dt in dtypes.items():
        if dt == torch.float16 and str(opts.device).startswith("cpu"):
            raise ExportError("%s: float16 export needs a CUDA device (--device cuda); CPU kernels and the audioldm4j "
                              "CPU runtime do not support fp16" % name)
    return dtypes


def reference_tolerances(dtypes: Dict[str, torch.dtype], device: str) -> Dict[str, float]:
    """Default VerifyBundle tolerance per component (max_abs <= tol * max(1, peak)): re-running the same
    module on another machine of the same kind; CUDA fp32 allows for TF32 convolutions."""
    out = {}
    for name, dt in dtypes.items():
        if dt == torch.float32:
            out[name] = 1e-4 if str(device).startswith("cpu") else 2e-3
        else:
            out[name] = 2e-2 if dt == torch.float16 else 6e-2
    return out


def export_bundle(source: Source, out: str, opts: ExportOptions) -> Dict[str, Any]:
    """Writes a complete bundle to ``out`` and returns its manifest."""
    log = opts.log
    os.makedirs(out, exist_ok=True)
    if os.path.exists(os.path.join(out, "manifest.json")) and not opts.overwrite:
        raise ExportError("%s already contains a bundle (manifest.json); pass --overwrite to replace it" % out)
    if opts.overwrite and os.path.isdir(os.path.join(out, "reference")):
        shutil.rmtree(os.path.join(out, "reference"))   # no stale reference files in the checksum list
    for sub in ("tokenizers", "reference"):
        os.makedirs(os.path.join(out, sub), exist_ok=True)
    device = str(opts.device)
    c = model_constants(source, opts)
    dtypes = resolve_component_dtypes(opts, c)
    names = [n for n in COMPONENTS if n not in opts.skip]
    ref_settings = copy.deepcopy(opts.reference)
    ref_height = audio_lengths(ref_settings.audio_length_s, c)[0] // c.vae_down
    heights = list(dict.fromkeys(list(opts.latent_heights) + ([ref_height] if opts.pipeline_reference else [])))
    opts = copy.copy(opts)
    opts.latent_heights = tuple(heights)
    if torch.cuda.is_available():
        # accurate float32 references: no TF32 in the export's own computations
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False
    for m in (source.text_encoder, source.text_encoder_2, source.projection_model, source.language_model,
              source.unet, source.vae, source.vocoder):
        m.eval()
    files: Dict[str, str] = {}   # relative path -> sha256 (reference files)

    # tokenizers
    tok_files = {}
    for key, tok, pad in (("clap", source.tokenizer, c.clap_pad_id), ("t5", source.tokenizer_2, c.t5_pad_id)):
        rel = "tokenizers/%s.json" % key
        with open(os.path.join(out, rel), "w", encoding="utf-8") as f:
            json.dump(tokenizer_json(tok), f, ensure_ascii=False, indent=1)
        tok_files[key] = {"file": rel, "pad_id": pad, "sha256": sha256_file(os.path.join(out, rel)),
                          "model_max_length": int(min(getattr(tok, "model_max_length", 0) or 0, 2 ** 31 - 1))}
    t5_native = tok_files["t5"]["model_max_length"]
    if t5_native and t5_native != c.t5_max_length:
        log("note: tokenizer_2.model_max_length is %d; the bundle uses t5_max_length %d" % (t5_native, c.t5_max_length))

    # diffusers' own pipeline first (float32, before any dtype conversion)
    diffusers_run = None
    initial = None
    if opts.pipeline_reference:
        h, _ = audio_lengths(ref_settings.audio_length_s, c)
        shape = (len(ref_settings.prompts) * ref_settings.num_waveforms_per_prompt, c.latent_channels,
                 h // c.vae_down, c.mel_quarter)
        initial = torch.randn(shape, generator=torch.Generator("cpu").manual_seed(ref_settings.seed), dtype=torch.float32)
        if opts.diffusers_check and source.pipeline is not None:
            log("running diffusers' AudioLDM2Pipeline for the cross-check ...")
            try:
                diffusers_run = run_diffusers_pipeline(source.pipeline, ref_settings, initial)
            except Exception as e:  # noqa: BLE001 - reported in the bundle, not fatal
                diffusers_run = {"error": "%s: %s" % (type(e).__name__, e)}
                log("diffusers pipeline failed (recorded in reference/pipeline.json): " + diffusers_run["error"])

    # components
    wrappers = build_wrappers(source)
    examples = Examples(source, c, opts)
    tol_default = {n: (opts.trace_tolerance or TRACE_TOLERANCE[dtypes[n]]) for n in COMPONENTS}
    loaded: Dict[str, torch.jit.ScriptModule] = {}
    reports: Dict[str, Any] = {}
    components: Dict[str, Any] = {}
    ref_index: Dict[str, Any] = {}
    optional_failures: Dict[str, str] = {}
    converted = set()
    for name in names:
        module, reference = wrappers[name]
        dt = dtypes[name]
        for m in {id(module): module, id(reference): reference}.values():
            if id(m) not in converted:
                m.to(device=device, dtype=dt)
                converted.add(id(m))
        sets = examples.inputs(name)
        log("tracing %s (%s, %s) ..." % (name, DTYPE_NAMES[dt], device))
        path = os.path.join(out, name + ".pt")
        try:
            loaded[name], reports[name] = trace_and_save(name, module, reference, sets, path, dt, device,
                                                         tol_default[name])
        except (ExportError, RuntimeError) as e:
            if name not in OPTIONAL_COMPONENTS:
                raise
            # an optional component that cannot be exported is left out (pipelines run without it)
            optional_failures[name] = "%s: %s" % (type(e).__name__, str(e).split("\n")[0])
            log("warning: optional component %s left out: %s" % (name, optional_failures[name]))
            if os.path.exists(path):
                os.remove(path)
            continue
        runner = Runner(loaded[name], dt, device)
        if name == "gpt2":
            reports[name]["semantics"] = check_gpt2_semantics(runner, tol_default[name])
        if name == "t5_encoder":
            reports[name]["slicing"] = check_t5_slicing(runner, reference, c, source, opts.example_prompts[:2], device,
                                                          tol_default[name])
        components[name] = {"file": name + ".pt", "sha256": sha256_file(path), "dtype": DTYPE_NAMES[dt],
                            "optional": name in OPTIONAL_COMPONENTS}
        if name == "unet":
            components[name]["latent_heights_checked"] = sorted(set(int(s[0].shape[2]) for s in sets))
            components[name]["upsample_size"] = "forwarded"
        # component I/O reference: the trace inputs through the saved module
        outs = as_tuple(runner(*sets[0]))
        entry = {"inputs": [], "outputs": []}
        for i, t in enumerate(sets[0]):
            rel = "reference/%s.in%d.npy" % (name, i)
            save_npy(os.path.join(out, rel), t)
            entry["inputs"].append(rel)
        for i, t in enumerate(outs):
            rel = "reference/%s.out%d.npy" % (name, i)
            save_npy(os.path.join(out, rel), t)
            entry["outputs"].append(rel)
        ref_index[name] = entry
        for tr in reports[name]["checks"]:
            worst = max((o.get("max_rel", 0.0) for o in tr["outputs"]), default=0.0)
            log("  %s inputs %s: max rel error %.3g" % (tr["role"], tr["inputs"], worst))

    names = [n for n in names if n in loaded]
    tail = vocoder_tail(Runner(loaded["vocoder"], dtypes["vocoder"], device), c) if "vocoder" in loaded else 32
    io = contract_specs(c, tail)
    for name in names:
        components[name]["inputs"], components[name]["outputs"] = io[name]

    tolerances = reference_tolerances({n: dtypes[n] for n in names}, device)
    index = {"kind": "component_io", "tolerance_abs": max(tolerances.values()), "tolerances": tolerances,
             "rule": "max_abs <= tol * max(1, max|expected|); integer outputs exact", "components": ref_index}

    # pipeline reference
    pipeline_summary = None
    if opts.pipeline_reference:
        missing = [n for n in ("clap_text", "t5_encoder", "projection", "gpt2", "unet", "vae_decoder", "vocoder")
                   if n not in loaded]
        if missing:
            raise ExportError("the pipeline reference needs components %s (not exported)" % missing)
        runners = {n: Runner(loaded[n], dtypes[n], device) for n in loaded}
        log("computing the pipeline reference (%d steps) ..." % ref_settings.num_inference_steps)
        rec = run_reference_pipeline(runners, source, c, ref_settings, initial_latents=initial)
        pipeline_summary = write_pipeline_reference(out, rec, ref_settings, c, dtypes, device, diffusers_run)
        index["pipeline"] = "reference/pipeline.json"

    write_json(os.path.join(out, "reference", "index.json"), index)
    for root, _, fnames in os.walk(os.path.join(out, "reference")):
        for fn in sorted(fnames):
            p = os.path.join(root, fn)
            files[os.path.relpath(p, out).replace(os.sep, "/")] = sha256_file(p)

    manifest = {
        "format_version": FORMAT_VERSION,
        "model_id": source.model_id,
        "description": "AudioLDM2 exported by %s %s from %s" % (TOOL, TOOL_VERSION, source.model_id),
        "sample_rate": c.sample_rate,
        "mel": {"n_fft": 1024, "hop": c.hop, "win": 1024, "n_mels": c.mel_bins, "f_min": 0.0,
                "f_max": c.sample_rate / 2.0, "log_clamp": 1e-5},
        "vae": {"scaling_factor": c.scaling_factor, "downsample": c.vae_down, "latent_channels": c.latent_channels,
                "mel_bins": c.mel_bins, "force_upcast": c.force_upcast},
        "scheduler": source.scheduler_config,
        "defaults": {"num_inference_steps": 200, "guidance_scale": 3.5, "audio_length_s": round(c.default_length_s, 6),
                     "eta": 0.0, "max_new_tokens": c.max_new_tokens},
        "tokenizers": {"clap_max_length": c.clap_max_length, "t5_max_length": c.t5_max_length, "files": tok_files},
        "components": components,
        **({"clap_features": clap_features_config(source.feature_extractor, log)} if source.feature_extractor is not None
           else {}),
        "reference": {"index": "reference/index.json", "files": files},
        "export": {
            "tool": "%s %s" % (TOOL, TOOL_VERSION),
            "source": source.model_id,
            "revision": source.revision,
            "diffusers": source.versions.get("diffusers"),
            "transformers": source.versions.get("transformers"),
            "torch": torch.__version__,
            "python": platform.python_version(),
            "date": datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat(),
            "device": device,
            "dtype": DTYPE_NAMES[opts.dtype],
            "scheduler_config_origin": source.scheduler_config_origin,
            "skipped": list(opts.skip),
            "optional_failures": optional_failures,
            "latent_heights_checked": heights,
            "trace_checks": reports,
            "pipeline_reference": pipeline_summary,
        },
    }
    write_json(os.path.join(out, "manifest.json"), manifest)
    log("wrote %s" % out)
    return json_safe(manifest)


def write_pipeline_reference(out: str, rec: Dict[str, Any], s: ReferenceSettings, c: Constants,
                             dtypes: Dict[str, torch.dtype], device: str, diffusers_run: Optional[Dict]) -> Dict:
    tensors: Dict[str, Any] = {}

    def put(key, t):
        rel = "reference/pipeline.%s.npy" % key
        save_npy(os.path.join(out, rel), t)
        return rel

    for key in ("positive_clap_input_ids", "positive_clap_attention_mask", "positive_t5_input_ids",
                "positive_t5_attention_mask", "negative_clap_input_ids", "negative_clap_attention_mask",
                "negative_t5_input_ids", "negative_t5_attention_mask", "generated_prompt_embeds", "prompt_embeds",
                "attention_mask", "timesteps", "initial_latents", "final_latents", "mel", "waveform"):
        if key in rec:
            tensors[key] = put(key, rec[key])
    tensors["step_latents"] = [put("step%d" % (i + 1), t) for i, t in enumerate(rec["step_latents"])]
    strictest = max(reference_tolerances(dtypes, device).values())
    doc = {
        "kind": "pipeline",
        "description": "text to audio with the exported modules, initial latents from a CPU generator; "
                       "step_latents[i] are the latents after denoising step i+1",
        "prompts": list(s.prompts),
        "negative_prompts": list(s.negative_prompts) if s.negative_prompts is not None else None,
        "audio_length_s": s.audio_length_s,
        "num_inference_steps": s.num_inference_steps,
        "guidance_scale": s.guidance_scale,
        "eta": s.eta,
        "seed": s.seed,
        "num_waveforms_per_prompt": s.num_waveforms_per_prompt,
        "max_new_tokens": s.max_new_tokens or c.max_new_tokens,
        "height": rec["height"],
        "samples": rec["samples"],
        "generator": "torch.Generator('cpu').manual_seed(seed); torch.randn(shape, generator=g, dtype=float32)",
        "cpu_capability": cpu_capability(),
        "computed_with": {"modules": "exported TorchScript", "device": device,
                          "dtypes": {k: DTYPE_NAMES[v] for k, v in dtypes.items()}},
        "tolerances": {"embeddings": strictest, "latents": max(strictest, 1e-3), "waveform": max(strictest, 1e-3)},
        "tensors": tensors,
    }
    if diffusers_run is not None:
        doc["diffusers_check"] = ({"error": diffusers_run["error"]} if "error" in diffusers_run
                                  else diffusers_check_report(rec, diffusers_run))
    write_json(os.path.join(out, "reference", "pipeline.json"), doc)
    return {"file": "reference/pipeline.json", "diffusers_check": doc.get("diffusers_check")}


# The ClapFeatureExtractor fields the Java extractor reads (bundle format 1, optional "clap_features"); Java
# refuses a truncation other than rand_trunc and a non-null top_db at bundle open.
CLAP_FEATURE_FIELDS = ("sampling_rate", "feature_size", "fft_window_size", "hop_length", "frequency_min",
                       "frequency_max", "nb_max_samples", "padding", "truncation", "top_db")


def clap_features_config(feature_extractor, log=print) -> Dict[str, Any]:
    """The checkpoint's feature_extractor/preprocessor_config.json fields that CLAP re-ranking depends on."""
    d = feature_extractor.to_dict()
    missing = [k for k in CLAP_FEATURE_FIELDS if k not in d]
    if missing:
        raise ExportError("feature_extractor (%s) lacks %s: not a ClapFeatureExtractor"
                          % (type(feature_extractor).__name__, ", ".join(missing)))
    if d["truncation"] != "rand_trunc" or d["top_db"] is not None:
        log("warning: feature_extractor truncation=%r top_db=%r: audioldm4j implements rand_trunc without top_db "
            "only and will refuse this bundle's CLAP settings at open" % (d["truncation"], d["top_db"]))
    return {k: d[k] for k in CLAP_FEATURE_FIELDS}


# ================================================================================================
# Loading a diffusers checkpoint
# ================================================================================================

def read_scheduler_config(model: str, revision: Optional[str], scheduler) -> Tuple[Dict[str, Any], str]:
    """scheduler/scheduler_config.json verbatim: from the local directory, else from the hub cache, else
    the loaded scheduler's own serialisation."""
    path = None
    if os.path.isdir(model):
        path = os.path.join(model, "scheduler", "scheduler_config.json")
    else:
        try:
            from huggingface_hub import hf_hub_download
            path = hf_hub_download(model, "scheduler_config.json", subfolder="scheduler", revision=revision)
        except Exception:  # noqa: BLE001 - fall back below
            path = None
    if path and os.path.isfile(path):
        with open(path, encoding="utf-8") as f:
            return json.load(f), "file"
    return json.loads(scheduler.to_json_string()), "to_json_string"


def load_diffusers_source(model: str, revision: Optional[str], device: str) -> Source:
    try:
        import diffusers
        import transformers
        from diffusers import AudioLDM2Pipeline
    except ImportError as e:
        raise SystemExit("export_audioldm2.py needs diffusers and transformers (%s); see torchscript-models/README.md "
                         "for the tested versions" % e)
    pipe = AudioLDM2Pipeline.from_pretrained(model, torch_dtype=torch.float32, revision=revision)
    if type(pipe.text_encoder_2).__name__ != "T5EncoderModel":
        raise ExportError("text_encoder_2 is %s: bundle format 1 supports the T5 checkpoints only (not the TTS "
                          "checkpoints with a VitsModel)" % type(pipe.text_encoder_2).__name__)
    pipe.to(device)
    pipe.set_progress_bar_config(disable=True)
    sched_cfg, origin = read_scheduler_config(model, revision, pipe.scheduler)
    return Source(model_id=model, text_encoder=pipe.text_encoder, text_encoder_2=pipe.text_encoder_2,
                  projection_model=pipe.projection_model, language_model=pipe.language_model, unet=pipe.unet,
                  vae=pipe.vae, vocoder=pipe.vocoder, tokenizer=pipe.tokenizer, tokenizer_2=pipe.tokenizer_2,
                  scheduler=pipe.scheduler, scheduler_config=sched_cfg, scheduler_config_origin=origin,
                  versions={"diffusers": diffusers.__version__, "transformers": transformers.__version__},
                  revision=revision, pipeline=pipe, feature_extractor=getattr(pipe, "feature_extractor", None))


# ================================================================================================
# Command line
# ================================================================================================

def parse_heights(text: str) -> Tuple[int, ...]:
    try:
        values = tuple(int(v) for v in text.split(",") if v.strip())
    except ValueError:
        raise argparse.ArgumentTypeError("--latent-heights must be comma-separated integers, got %r" % text)
    if not values or any(v < 1 for v in values):
        raise argparse.ArgumentTypeError("--latent-heights must be positive integers, got %r" % text)
    return values


def parse_component_dtype(text: str) -> Tuple[str, torch.dtype]:
    name, sep, dt = text.partition("=")
    if not sep or name not in COMPONENTS or dt not in DTYPES:
        raise argparse.ArgumentTypeError("--component-dtype must be NAME=fp32|fp16|bf16 with NAME one of %s, got %r"
                                         % (", ".join(COMPONENTS), text))
    return name, DTYPES[dt]


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description="Export a diffusers AudioLDM2 checkpoint as an audioldm4j bundle.")
    p.add_argument("model", help="hub id (cvssp/audioldm2, cvssp/audioldm2-large, cvssp/audioldm2-music) or a local "
                                 "diffusers checkpoint directory")
    p.add_argument("--out", required=True, help="bundle directory to write")
    p.add_argument("--revision", default=None, help="hub revision (commit, branch or tag)")
    p.add_argument("--dtype", choices=sorted(DTYPES), default="fp32", help="export dtype (default fp32)")
    p.add_argument("--device", default="cpu", help="cpu, cuda or cuda:N; the bundle runs on this kind of device")
    p.add_argument("--latent-heights", type=parse_heights, default=(256, 250),
                   help="latent heights (mel frames / 4) the UNet, VAE and vocoder traces are checked at; the first is "
                        "the trace height (default 256,250 = 10.24 s and 10.0 s)")
    p.add_argument("--component-dtype", type=parse_component_dtype, action="append", default=[],
                   help="override one component's dtype, e.g. vae_decoder=fp32 (repeatable)")
    p.add_argument("--skip", action="append", default=[], choices=list(OPTIONAL_COMPONENTS),
                   help="leave out an optional component")
    p.add_argument("--clap-max-length", type=int, default=512)
    p.add_argument("--t5-max-length", type=int, default=128)
    p.add_argument("--trace-tolerance", type=float, default=None,
                   help="traced-vs-eager tolerance (default 1e-4 fp32, 1e-2 fp16, 5e-2 bf16; x max(1, peak))")
    p.add_argument("--reference-prompt", action="append", default=None,
                   help="pipeline reference prompt (repeatable; default 'A hammer hitting a wooden surface')")
    p.add_argument("--reference-negative-prompt", action="append", default=None)
    p.add_argument("--reference-seed", type=int, default=0)
    p.add_argument("--reference-steps", type=int, default=25)
    p.add_argument("--reference-length", type=float, default=5.12, help="seconds (default 5.12)")
    p.add_argument("--reference-guidance", type=float, default=3.5)
    p.add_argument("--reference-record-steps", type=int, default=3, help="denoising steps whose latents are stored")
    p.add_argument("--no-pipeline-reference", action="store_true")
    p.add_argument("--no-diffusers-check", action="store_true",
                   help="do not run diffusers' own pipeline for comparison")
    p.add_argument("--overwrite", action="store_true", help="replace an existing bundle in --out")
    return p


def options_from_args(args, parser) -> ExportOptions:
    dtype = DTYPES[args.dtype]
    device = args.device.strip().lower()
    if not re.fullmatch(r"cpu|cuda(:\d+)?", device):
        parser.error("--device must be cpu, cuda or cuda:N, got %r" % args.device)
    if dtype == torch.float16 and device == "cpu":
        parser.error("--dtype fp16 needs --device cuda (fp16 is not supported on the CPU)")
    if device.startswith("cuda") and not torch.cuda.is_available():
        parser.error("--device %s requested but torch.cuda.is_available() is false" % device)
    if args.reference_steps < 1:
        parser.error("--reference-steps must be >= 1, got %d" % args.reference_steps)
    if not args.reference_length > 0:
        parser.error("--reference-length must be > 0 seconds, got %r" % args.reference_length)
    prompts = args.reference_prompt or ["A hammer hitting a wooden surface"]
    if args.reference_negative_prompt is not None and len(args.reference_negative_prompt) != len(prompts):
        parser.error("--reference-negative-prompt must be given once per --reference-prompt (%d), got %d"
                     % (len(prompts), len(args.reference_negative_prompt)))
    ref = ReferenceSettings(prompts=prompts, negative_prompts=args.reference_negative_prompt,
                            audio_length_s=args.reference_length, num_inference_steps=args.reference_steps,
                            guidance_scale=args.reference_guidance, seed=args.reference_seed,
                            record_steps=max(0, min(args.reference_record_steps, args.reference_steps)))
    return ExportOptions(dtype=dtype, device=device, latent_heights=args.latent_heights,
                         component_dtypes=dict(args.component_dtype), skip=tuple(args.skip),
                         clap_max_length=args.clap_max_length, t5_max_length=args.t5_max_length,
                         trace_tolerance=args.trace_tolerance, pipeline_reference=not args.no_pipeline_reference,
                         reference=ref, diffusers_check=not args.no_diffusers_check, overwrite=args.overwrite)


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    opts = options_from_args(args, parser)
    try:
        source = load_diffusers_source(args.model, args.revision, opts.device)
        m = re.match(r"^(\d+)\.(\d+)", source.versions.get("transformers") or "")
        if m and (int(m.group(1)), int(m.group(2))) >= (4, 52):
            print("note: transformers %s >= 4.52: diffusers' own GPT-2 generation differs from the stateless loop "
                  "(cache positions); the bundle is unaffected, the diffusers cross-check may disagree"
                  % source.versions["transformers"])
        export_bundle(source, args.out, opts)
    except ExportError as e:
        print("export failed: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
