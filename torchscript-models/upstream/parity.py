#!/usr/bin/env python3
"""Java vs diffusers itself, on a random-init checkpoint of the real classes.

Exports a checkpoint (make_checkpoint.py) with the project's exporter, runs diffusers' own
``AudioLDM2Pipeline.__call__`` and the Java CLI (``audioldm4j generate``) with the same settings
and the same initial latents (drawn as diffusers draws them: ``randn_tensor`` with a CPU
generator seeded with --seed, passed to both as ``latents=`` / ``--initial-latents``), and prints
one JSON object with the max abs / max rel (to the reference peak) errors of the final latents
and of every waveform, per scheduler. Exit 0 when every error is within --tolerance (relative,
default 1e-4), 1 otherwise, 2 on bad usage.

    python parity.py --config small --work /tmp/parity --scheduler DDIMScheduler \\
        --scheduler DPMSolverMultistepScheduler --prompt "A dog barking" --steps 10 --length 2.56

Covered: text-to-audio generation with each of the 8 schedulers audioldm4j implements. Not yet
covered here (see the upstream-parity issue): VAE and vocoder round trips, CLAP re-ranking order,
SDEdit.
"""

import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.dirname(HERE))
import export_audioldm2 as ex  # noqa: E402  (its compare; torch and numpy only at import)
SCHEDULERS = ("DDIMScheduler", "PNDMScheduler", "DPMSolverMultistepScheduler", "EulerDiscreteScheduler",
              "EulerAncestralDiscreteScheduler", "LMSDiscreteScheduler", "HeunDiscreteScheduler",
              "UniPCMultistepScheduler")


def compare(actual, expected):
    """The exporter's comparison (max abs, max rel to the expected peak, peak) on numpy arrays."""
    return ex.compare(torch.from_numpy(np.asarray(actual, dtype=np.float32)),
                      torch.from_numpy(np.asarray(expected, dtype=np.float32)))


def latent_shape(pipe, length_s, batch):
    """diffusers __call__ section 0 and prepare_latents: [batch, C, height / vae_factor, mel / vae_factor]."""
    vocoder_upsample_factor = np.prod(pipe.vocoder.config.upsample_rates) / pipe.vocoder.config.sampling_rate
    height = int(length_s / vocoder_upsample_factor)
    if height % pipe.vae_scale_factor != 0:
        height = int(np.ceil(height / pipe.vae_scale_factor)) * pipe.vae_scale_factor
    return (batch, pipe.unet.config.in_channels, height // pipe.vae_scale_factor,
            int(pipe.vocoder.config.model_in_dim) // pipe.vae_scale_factor)


def run_diffusers(pipe, a, scheduler, latents):
    import diffusers
    original = pipe.scheduler
    pipe.scheduler = getattr(diffusers, scheduler).from_config(original.config)
    final = {}

    def callback(step, timestep, lat):
        final["latents"] = lat.detach().float().cpu().numpy().copy()

    try:
        audio = pipe(prompt=list(a.prompt), negative_prompt=list(a.negative_prompt) if a.negative_prompt else None,
                     audio_length_in_s=a.length, num_inference_steps=a.steps, guidance_scale=a.guidance,
                     num_waveforms_per_prompt=a.waveforms, generator=torch.Generator("cpu").manual_seed(a.seed),
                     latents=None if latents is None else torch.from_numpy(latents.copy()), callback=callback,
                     callback_steps=1,
                     output_type="np").audios
    finally:
        pipe.scheduler = original
    return final["latents"], np.asarray(audio, dtype=np.float32)


def run_java(a, bundle, scheduler, latents_file, out_dir):
    cmd = [a.java, "generate", "--bundle", bundle, "--prompt", "|".join(a.prompt), "--length", repr(a.length),
           "--steps", str(a.steps), "--guidance", repr(a.guidance), "--seed", str(a.seed), "--waveforms",
           str(a.waveforms), "--scheduler", scheduler, "--npy-out", out_dir,
           "--out", os.path.join(out_dir, "java.wav"), "--json", "--quiet", "--runtime", a.runtime]
    if latents_file is not None:
        cmd += ["--initial-latents", latents_file]
    if a.negative_prompt:
        cmd += ["--negative", "|".join(a.negative_prompt)]
    if a.threads:
        cmd += ["--threads", str(a.threads)]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError("Java generate failed (exit %d): %s\n%s" % (p.returncode, " ".join(cmd), p.stderr[-3000:]))
    report = json.loads(p.stdout)
    lat = np.load(os.path.join(out_dir, "final_latents.npy"))
    waves = [np.load(os.path.join(out_dir, "waveform_%d.npy" % i)) for i in range(len(report["files"]))]
    return lat, waves


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    src = ap.add_mutually_exclusive_group()
    src.add_argument("--checkpoint", help="a diffusers AudioLDM2 checkpoint folder (default: build --config)")
    src.add_argument("--config", choices=("small", "base", "large", "music"), default="small")
    ap.add_argument("--weights-seed", type=int, default=0, help="seed of the random weights (with --config)")
    ap.add_argument("--bundle", help="an exported bundle of that checkpoint (default: export into --work)")
    ap.add_argument("--work", required=True, help="scratch folder")
    ap.add_argument("--java", default=os.path.join(ROOT, "examples", "target", "audioldm4j", "bin", "audioldm4j"),
                    help="the audioldm4j launcher (default: the built distribution)")
    ap.add_argument("--runtime", choices=("presets", "shim"), default="presets")
    ap.add_argument("--threads", type=int, default=1, help="libtorch threads of both sides (default 1)")
    ap.add_argument("--prompt", action="append", help="prompt (repeatable; default \"A dog barking\")")
    ap.add_argument("--negative-prompt", action="append", help="negative prompt (one per prompt)")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--length", type=float, default=2.56, help="seconds (default 2.56)")
    ap.add_argument("--guidance", type=float, default=3.5)
    ap.add_argument("--waveforms", type=int, default=1)
    ap.add_argument("--scheduler", action="append", help="scheduler class (repeatable, or 'all'; default DDIM)")
    ap.add_argument("--tolerance", type=float, default=1e-4, help="max relative error (default 1e-4)")
    a = ap.parse_args(argv)
    a.prompt = a.prompt or ["A dog barking"]
    scheds = a.scheduler or ["DDIMScheduler"]
    if "all" in scheds:
        scheds = list(SCHEDULERS)
    for s in scheds:
        if s not in SCHEDULERS:
            ap.error("--scheduler must be one of %s or all, got %r" % (", ".join(SCHEDULERS), s))
    if a.negative_prompt and len(a.negative_prompt) != len(a.prompt):
        ap.error("--negative-prompt must be given once per --prompt (%d), got %d" % (len(a.prompt),
                                                                                    len(a.negative_prompt)))
    for name, v, lo in (("--steps", a.steps, 1), ("--waveforms", a.waveforms, 1), ("--threads", a.threads, 1)):
        if v < lo:
            ap.error("%s must be >= %d, got %d" % (name, lo, v))
    if not (0 < a.tolerance < 1):
        ap.error("--tolerance must be in (0, 1), got %g" % a.tolerance)
    if not os.access(a.java, os.X_OK):
        ap.error("--java %s is not an executable launcher (build it: mvn -B -q install -DskipTests)" % a.java)
    torch.set_num_threads(a.threads)
    os.makedirs(a.work, exist_ok=True)
    from diffusers import AudioLDM2Pipeline
    import diffusers
    import transformers

    t0 = time.perf_counter()
    ckpt = a.checkpoint
    if ckpt is None:
        sys.path.insert(0, HERE)
        import make_checkpoint
        ckpt = os.path.join(a.work, "checkpoint-%s-%d" % (a.config, a.weights_seed))
        if not os.path.exists(os.path.join(ckpt, "model_index.json")):
            make_checkpoint.build(a.config, a.weights_seed).save_pretrained(ckpt, safe_serialization=True)
    bundle = a.bundle
    if bundle is None:
        bundle = os.path.join(a.work, "bundle")
        if not os.path.exists(os.path.join(bundle, "manifest.json")):
            cmd = [sys.executable, os.path.join(ROOT, "torchscript-models", "export_audioldm2.py"), ckpt, "--out",
                   bundle, "--overwrite", "--no-pipeline-reference", "--no-diffusers-check"]
            with open(os.path.join(a.work, "export.log"), "w") as log:
                if subprocess.run(cmd, stdout=log, stderr=subprocess.STDOUT).returncode != 0:
                    raise RuntimeError("export failed: see %s" % os.path.join(a.work, "export.log"))
    diffusers.utils.logging.disable_progress_bar()
    pipe = AudioLDM2Pipeline.from_pretrained(ckpt)  # float32, as saved
    pipe.set_progress_bar_config(disable=True)
    prep = time.perf_counter() - t0

    shape = latent_shape(pipe, a.length, len(a.prompt) * a.waveforms)
    from diffusers.utils.torch_utils import randn_tensor
    latents = randn_tensor(shape, generator=torch.Generator("cpu").manual_seed(a.seed),
                           dtype=torch.float32).numpy()
    latents_file = os.path.join(a.work, "initial_latents.npy")
    np.save(latents_file, latents)

    from diffusers.utils import is_librosa_available
    # diffusers ranks several waveforms per prompt with CLAP only when librosa is installed (score_waveforms)
    ranked = a.waveforms == 1 or is_librosa_available()
    cases, ok = [], True
    # every scheduler from the same given latents; the first also from the seed alone on both sides
    # (diffusers draws with torch's CPU generator, Java with TorchGenerator.matchingTorch)
    runs = [(s, True) for s in scheds] + [(scheds[0], False)]
    for s, given in runs:
        t = time.perf_counter()
        d_lat, d_audio = run_diffusers(pipe, a, s, latents if given else None)
        td = time.perf_counter() - t
        out_dir = os.path.join(a.work, "java-" + s + ("" if given else "-seeded"))
        t = time.perf_counter()
        j_lat, j_waves = run_java(a, bundle, s, latents_file if given else None, out_dir)
        tj = time.perf_counter() - t
        if ranked:
            pairs = list(range(len(j_waves)))
        else:
            # diffusers returned the generation order: match each Java waveform (CLAP-ranked) to its closest
            pairs = [int(np.argmin([np.max(np.abs(w - d)) if d.shape == w.shape else np.inf for d in d_audio]))
                     for w in j_waves]
        case = {"scheduler": s, "initial_latents": "given to both" if given else "drawn from the seed by each side",
                "final_latents": compare(j_lat.reshape(d_lat.shape) if j_lat.size == d_lat.size
                                                         else j_lat, d_lat),
                "waveforms": [compare(w, d_audio[pairs[i]]) for i, w in enumerate(j_waves)],
                "waveform_order": {"java_to_diffusers": pairs, "ranking_compared": ranked},
                "waveform_lengths": {"java": [len(w) for w in j_waves], "diffusers": [int(d_audio.shape[-1])]},
                "seconds": {"diffusers": round(td, 2), "java_cli": round(tj, 2)}}
        errs = [case["final_latents"].get("max_rel")] + [w.get("max_rel") for w in case["waveforms"]]
        case["ok"] = (all(e is not None and e <= a.tolerance for e in errs) and sorted(pairs) == list(range(len(pairs)))
                      and len(j_waves) == d_audio.shape[0]
                      and all(len(w) == d_audio.shape[-1] for w in j_waves))
        ok = ok and case["ok"]
        cases.append(case)
    result = {"kind": "audioldm4j upstream parity", "checkpoint": ckpt, "bundle": bundle, "config": a.config
              if a.checkpoint is None else None, "torch": torch.__version__, "diffusers": diffusers.__version__,
              "transformers": transformers.__version__, "runtime": a.runtime, "threads": a.threads,
              "settings": {"prompts": a.prompt, "negative_prompts": a.negative_prompt, "seed": a.seed,
                           "steps": a.steps, "length_s": a.length, "guidance": a.guidance,
                           "waveforms": a.waveforms, "latent_shape": list(shape)},
              "clap_ranking": ("compared (diffusers ranked with librosa)" if is_librosa_available() and a.waveforms > 1
                               else "not compared: diffusers lacks librosa and returns the generation order; "
                               "Java's CLAP-ranked waveforms are matched to their closest diffusers waveform"
                               if a.waveforms > 1 else "one waveform per prompt"),
              "tolerance_rel": a.tolerance, "prepare_seconds": round(prep, 1), "cases": cases, "ok": ok}
    print(json.dumps(result, indent=1))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
