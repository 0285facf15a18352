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

Checks (--check, repeatable; default all):
  generate  text-to-audio with each --scheduler: final latents and waveforms vs AudioLDM2Pipeline.__call__,
            from given latents and from the seed alone; with --waveforms > 1 and librosa installed, the CLAP
            re-ranking order vs diffusers' score_waveforms and Java's CLAP scores vs the same math
  vae       VAE round trip of an input (--input, default a generated 3.3 s signal): Java's log-mel through
            diffusers' AutoencoderKL.encode / decode and SpeechT5HifiGan (mel_spectrogram_to_waveform) vs
            Java's posterior, decoded mel and waveform
  vocoder   the vocoder round trip of the same input
  sdedit    SDEdit (--strength) with each --scheduler: img2img's get_timesteps / add_noise with diffusers'
            scheduler, the pipeline's encode_prompt and denoising loop with the upstream modules, vs Java's
            refine --mode sdedit (timesteps, final latents, waveform); the first scheduler also with posterior
            sampling (--sampling sample)
The log-mel itself is Java's (the AudioLDM2 log-mel is checked against the original repository's code
by the golden vectors); every model step after it is diffusers'.
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


CHECKS = ("generate", "vae", "vocoder", "sdedit")


def java_common(a):
    cmd = ["--json", "--quiet", "--runtime", a.runtime]
    if a.threads:
        cmd += ["--threads", str(a.threads)]
    return cmd


def run_java_cmd(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError("Java failed (exit %d): %s\n%s" % (p.returncode, " ".join(cmd), p.stderr[-3000:]))
    return json.loads(p.stdout)


def make_input(path, seconds, seed=7):
    """A deterministic test signal (float32 WAV, 16 kHz): a chirp, two partials with vibrato, decaying clicks and
    noise, so that every mel band carries energy and the normalisation's mean removal matters (DC offset)."""
    from scipy.io import wavfile
    sr = 16000
    n = int(round(seconds * sr))
    t = np.arange(n) / sr
    rng = np.random.default_rng(seed)
    f = 200 + 3000 * t / max(seconds, 1e-9)
    x = 0.3 * np.sin(2 * np.pi * np.cumsum(f) / sr)
    x += 0.2 * np.sin(2 * np.pi * 440 * t + 3 * np.sin(2 * np.pi * 5 * t)) + 0.1 * np.sin(2 * np.pi * 3520 * t)
    clicks = np.zeros(n)
    clicks[:: sr // 4] = 1.0
    x += 0.3 * np.convolve(clicks, np.exp(-np.arange(400) / 60.0))[:n]
    x += 0.05 * rng.standard_normal(n) + 0.02
    x = (0.7 * x / np.max(np.abs(x))).astype(np.float32)
    wavfile.write(path, sr, x)
    return x


def crop_div(wave, samples, gain):
    """The Java side's end of an audio-in call: crop (or zero-pad) to the input length, divide by the gain."""
    w = np.zeros(samples, dtype=np.float32)
    k = min(samples, wave.shape[-1])
    w[:k] = wave[:k]
    return w / np.float32(gain)


def check_vae(pipe, a, wav, out_dir):
    cmd = [a.java, "reconstruct", "--bundle", a.bundle_dir, "--input", wav, "--mode", "vae", "--chunked", "never",
           "--npy-out", out_dir, "--out", os.path.join(out_dir, "java.wav")] + java_common(a)
    t = time.perf_counter()
    run_java_cmd(cmd)
    tj = time.perf_counter() - t
    meta = json.load(open(os.path.join(out_dir, "npy.json")))
    npy = {k: np.load(os.path.join(out_dir, k + ".npy")) for k in ("input", "mel", "posterior_mean",
                                                                   "posterior_logvar", "decoded_mel", "waveform")}
    t = time.perf_counter()
    with torch.no_grad():
        dist = pipe.vae.encode(torch.from_numpy(npy["mel"])).latent_dist
        z = dist.mode()
        dec = pipe.vae.decode(z).sample
        wave = pipe.mel_spectrogram_to_waveform(dec)[0].numpy()
    td = time.perf_counter() - t
    return {"input_seconds": meta["samples"] / meta["sample_rate"], "gain": meta["gain"],
            "posterior_mean": compare(npy["posterior_mean"], dist.mean.numpy()),
            "posterior_logvar": compare(npy["posterior_logvar"], dist.logvar.numpy()),
            "decoded_mel": compare(npy["decoded_mel"], dec.numpy()),
            "waveform": compare(npy["waveform"], crop_div(wave, meta["samples"], meta["gain"])),
            "seconds": {"diffusers": round(td, 2), "java_cli": round(tj, 2)}}, npy["input"]


def check_vocoder(pipe, a, wav, out_dir):
    cmd = [a.java, "reconstruct", "--bundle", a.bundle_dir, "--input", wav, "--mode", "vocoder", "--chunked",
           "never", "--npy-out", out_dir, "--out", os.path.join(out_dir, "java.wav")] + java_common(a)
    run_java_cmd(cmd)
    meta = json.load(open(os.path.join(out_dir, "npy.json")))
    mel = np.load(os.path.join(out_dir, "mel.npy"))
    with torch.no_grad():
        wave = pipe.mel_spectrogram_to_waveform(torch.from_numpy(mel))[0].numpy()
    return {"waveform": compare(np.load(os.path.join(out_dir, "waveform.npy")),
                                crop_div(wave, meta["samples"], meta["gain"]))}


def sdedit_diffusers(pipe, a, scheduler, mel, samples, gain, sampling):
    """SDEdit as diffusers' img2img pipelines do it (get_timesteps, prepare_latents: latent_dist.mode()/sample
    * scaling_factor, randn_tensor noise, scheduler.add_noise at the first timestep), with AudioLDM2Pipeline's
    own encode_prompt, prepare_extra_step_kwargs, CFG denoising loop and decode (pipeline_audioldm2.py
    __call__ sections 3, 6, 7, 8), one generator for every draw."""
    import diffusers
    from diffusers.utils.torch_utils import randn_tensor
    sched = getattr(diffusers, scheduler).from_config(pipe.scheduler.config)
    gen = torch.Generator("cpu").manual_seed(a.seed)
    cfg = a.guidance > 1.0
    neg = [a.negative_prompt[0]] if a.negative_prompt else None
    with torch.no_grad():
        prompt_embeds, mask, generated = pipe.encode_prompt([a.prompt[0]], torch.device("cpu"), 1, cfg,
                                                            negative_prompt=neg, max_new_tokens=8)
        dist = pipe.vae.encode(torch.from_numpy(mel)).latent_dist
        sf = pipe.vae.config.scaling_factor
        init = (dist.mode() if sampling == "mode" else dist.sample(generator=gen)) * sf
        sched.set_timesteps(a.steps)
        init_timestep = min(int(a.steps * a.strength), a.steps)
        t_start = max(a.steps - init_timestep, 0)
        timesteps = sched.timesteps[t_start * sched.order:]
        if hasattr(sched, "set_begin_index"):
            sched.set_begin_index(t_start * sched.order)
        noise = randn_tensor(init.shape, generator=gen, dtype=init.dtype)
        latents = sched.add_noise(init, noise, timesteps[:1].repeat(init.shape[0]))
        original, pipe.scheduler = pipe.scheduler, sched  # prepare_extra_step_kwargs inspects pipe.scheduler.step
        try:
            extra = pipe.prepare_extra_step_kwargs(gen, 0.0)
        finally:
            pipe.scheduler = original
        for t in timesteps:
            x = torch.cat([latents] * 2) if cfg else latents
            x = sched.scale_model_input(x, t)
            eps = pipe.unet(x, t, encoder_hidden_states=generated, encoder_hidden_states_1=prompt_embeds,
                            encoder_attention_mask_1=mask, return_dict=False)[0]
            if cfg:
                u, c = eps.chunk(2)
                eps = u + a.guidance * (c - u)
            latents = sched.step(eps, t, latents, **extra).prev_sample
        final = latents.numpy().copy()
        dec = pipe.vae.decode(1 / sf * latents).sample
        wave = pipe.mel_spectrogram_to_waveform(dec)[0].numpy()
    return [float(t) for t in timesteps], final, crop_div(wave, samples, gain)


def check_sdedit(pipe, a, wav, scheduler, sampling, out_dir):
    cmd = [a.java, "refine", "--bundle", a.bundle_dir, "--input", wav, "--mode", "sdedit", "--chunked", "never",
           "--prompt", a.prompt[0], "--strength", repr(a.strength), "--steps", str(a.steps), "--guidance",
           repr(a.guidance), "--seed", str(a.seed), "--sampling", sampling, "--scheduler", scheduler,
           "--npy-out", out_dir, "--out", os.path.join(out_dir, "java.wav")] + java_common(a)
    if a.negative_prompt:
        cmd += ["--negative", a.negative_prompt[0]]
    t = time.perf_counter()
    run_java_cmd(cmd)
    tj = time.perf_counter() - t
    meta = json.load(open(os.path.join(out_dir, "npy.json")))
    mel = np.load(os.path.join(out_dir, "mel.npy"))
    t = time.perf_counter()
    d_ts, d_lat, d_wave = sdedit_diffusers(pipe, a, scheduler, mel, meta["samples"], meta["gain"], sampling)
    td = time.perf_counter() - t
    return {"scheduler": scheduler, "sampling": sampling, "strength": a.strength,
            "timesteps_equal": [float(x) for x in meta["timesteps"]] == d_ts, "timesteps": d_ts,
            "final_latents": compare(np.load(os.path.join(out_dir, "final_latents.npy")), d_lat),
            "waveform": compare(np.load(os.path.join(out_dir, "waveform.npy")), d_wave),
            "seconds": {"diffusers": round(td, 2), "java_cli": round(tj, 2)}}


def clap_cosines(pipe, prompt, waves):
    """diffusers' score_waveforms (librosa resample to 48 kHz, ClapFeatureExtractor, ClapModel logits_per_text)
    for one prompt, as cosine similarities (logits / exp(logit_scale_t)), the quantity Java reports."""
    import librosa
    inputs = pipe.tokenizer([prompt], return_tensors="pt", padding=True)
    audio = np.stack(waves)
    resampled = librosa.resample(audio, orig_sr=pipe.vocoder.config.sampling_rate,
                                 target_sr=pipe.feature_extractor.sampling_rate)
    inputs["input_features"] = pipe.feature_extractor(list(resampled), return_tensors="pt",
                                                      sampling_rate=pipe.feature_extractor.sampling_rate).input_features
    with torch.no_grad():
        logits = pipe.text_encoder(**inputs).logits_per_text[0]
        scale = pipe.text_encoder.logit_scale_t.exp()
    return (logits / scale).numpy()


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
    return lat, waves, [f.get("clap_score") for f in report["files"]]


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
    ap.add_argument("--clap-tolerance", type=float, default=2e-3,
                    help="max abs difference of CLAP cosine scores (default 2e-3; resamplers differ)")
    ap.add_argument("--check", action="append", choices=CHECKS + ("all",),
                    help="what to compare (repeatable; default all): " + ", ".join(CHECKS))
    ap.add_argument("--input", help="audio file for vae / vocoder / sdedit (default: a generated signal)")
    ap.add_argument("--input-seconds", type=float, default=3.3, help="length of the generated signal (default 3.3)")
    ap.add_argument("--strength", type=float, default=0.6, help="SDEdit strength (default 0.6)")
    a = ap.parse_args(argv)
    checks = a.check or ["all"]
    checks = list(CHECKS) if "all" in checks else list(dict.fromkeys(checks))
    if not (0 < a.strength <= 1):
        ap.error("--strength must be in (0, 1], got %g" % a.strength)
    if int(a.steps * a.strength) < 1 and "sdedit" in checks:
        ap.error("--steps * --strength must be >= 1 (SDEdit runs int(steps * strength) steps), got %d * %g"
                 % (a.steps, a.strength))
    if not (0.5 <= a.input_seconds <= 60):
        ap.error("--input-seconds must be in [0.5, 60], got %g" % a.input_seconds)
    if a.input is not None and not os.path.isfile(a.input):
        ap.error("--input %s is not a file" % a.input)
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

    a.bundle_dir = bundle
    result = {"kind": "audioldm4j upstream parity", "checkpoint": ckpt, "bundle": bundle, "config": a.config
              if a.checkpoint is None else None, "torch": torch.__version__, "diffusers": diffusers.__version__,
              "transformers": transformers.__version__, "runtime": a.runtime, "threads": a.threads,
              "checks": checks, "tolerance_rel": a.tolerance, "prepare_seconds": round(prep, 1)}
    ok = True

    def within(r):
        return r.get("max_rel") is not None and r["max_rel"] <= a.tolerance and r.get("finite", True)

    if any(c in checks for c in ("vae", "vocoder", "sdedit")):
        wav = a.input
        if wav is None:
            wav = os.path.join(a.work, "input-%gs.wav" % a.input_seconds)
            signal = make_input(wav, a.input_seconds)
        else:
            signal = None
        audio_in = {"input": wav}
        if "vae" in checks:
            vae, decoded = check_vae(pipe, a, wav, os.path.join(a.work, "java-vae"))
            if signal is not None:
                vae["input_decode"] = compare(decoded, signal)
            vae["ok"] = all(within(vae[k]) for k in ("posterior_mean", "posterior_logvar", "decoded_mel", "waveform")) \
                and (signal is None or vae["input_decode"]["max_abs"] == 0)
            audio_in["vae"] = vae
            ok = ok and vae["ok"]
        if "vocoder" in checks:
            voc = check_vocoder(pipe, a, wav, os.path.join(a.work, "java-vocoder"))
            voc["ok"] = within(voc["waveform"])
            audio_in["vocoder"] = voc
            ok = ok and voc["ok"]
        if "sdedit" in checks:
            runs = [(s, "mode") for s in scheds] + [(scheds[0], "sample")]
            audio_in["sdedit"] = []
            for s, sampling in runs:
                c = check_sdedit(pipe, a, wav, s, sampling, os.path.join(a.work, "java-sdedit-%s-%s" % (s, sampling)))
                c["ok"] = c["timesteps_equal"] and within(c["final_latents"]) and within(c["waveform"])
                audio_in["sdedit"].append(c)
                ok = ok and c["ok"]
        result["audio_in"] = audio_in
    if "generate" not in checks:
        result["ok"] = ok
        print(json.dumps(result, indent=1))
        return 0 if ok else 1

    shape = latent_shape(pipe, a.length, len(a.prompt) * a.waveforms)
    from diffusers.utils.torch_utils import randn_tensor
    latents = randn_tensor(shape, generator=torch.Generator("cpu").manual_seed(a.seed),
                           dtype=torch.float32).numpy()
    latents_file = os.path.join(a.work, "initial_latents.npy")
    np.save(latents_file, latents)

    from diffusers.utils import is_librosa_available
    # diffusers ranks several waveforms per prompt with CLAP only when librosa is installed (score_waveforms)
    # (with several prompts diffusers sorts each prompt's scores over the whole batch, which can hand a prompt
    # another prompt's audio, diffusers issue #13602; Java ranks each prompt's own candidates: order compared
    # for one prompt only)
    ranked = a.waveforms == 1 or (is_librosa_available() and len(a.prompt) == 1)
    cases = []
    # every scheduler from the same given latents; the first also from the seed alone on both sides
    # (diffusers draws with torch's CPU generator, Java with TorchGenerator.matchingTorch)
    runs = [(s, True) for s in scheds] + [(scheds[0], False)]
    for s, given in runs:
        t = time.perf_counter()
        d_lat, d_audio = run_diffusers(pipe, a, s, latents if given else None)
        td = time.perf_counter() - t
        out_dir = os.path.join(a.work, "java-" + s + ("" if given else "-seeded"))
        t = time.perf_counter()
        j_lat, j_waves, j_scores = run_java(a, bundle, s, latents_file if given else None, out_dir)
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
        if a.waveforms > 1 and is_librosa_available() and all(x is not None for x in j_scores):
            # Java's CLAP scores of its (ranked) waveforms vs diffusers' scoring math on the same waveforms;
            # the 16 -> 48 kHz resampler differs (Java's windowed sinc vs librosa's soxr_hq), hence its own tolerance
            sc = []
            for pi, prompt in enumerate(a.prompt):
                k = slice(pi * a.waveforms, (pi + 1) * a.waveforms)
                sc += [float(x) for x in clap_cosines(pipe, prompt, j_waves[k])]
            diff = float(np.max(np.abs(np.asarray(j_scores) - np.asarray(sc))))
            gaps = [float(x) for p in range(len(a.prompt)) for x in
                    -np.diff(np.asarray(sc[p * a.waveforms:(p + 1) * a.waveforms]))]
            case["clap_scores"] = {"java": j_scores, "diffusers_math": sc, "max_abs": diff,
                                   "min_gap_between_ranks": min(gaps), "ranked_order_agrees": min(gaps) >= 0,
                                   "tolerance_abs": a.clap_tolerance}
        errs = [case["final_latents"].get("max_rel")] + [w.get("max_rel") for w in case["waveforms"]]
        case["ok"] = (all(e is not None and e <= a.tolerance for e in errs) and sorted(pairs) == list(range(len(pairs)))
                      and len(j_waves) == d_audio.shape[0]
                      and all(len(w) == d_audio.shape[-1] for w in j_waves)
                      and ("clap_scores" not in case or (case["clap_scores"]["max_abs"] <= a.clap_tolerance
                                                         and case["clap_scores"]["ranked_order_agrees"])))
        ok = ok and case["ok"]
        cases.append(case)
    result.update({"settings": {"prompts": a.prompt, "negative_prompts": a.negative_prompt, "seed": a.seed,
                           "steps": a.steps, "length_s": a.length, "guidance": a.guidance,
                           "waveforms": a.waveforms, "latent_shape": list(shape)},
              "clap_ranking": ("compared (diffusers ranked with librosa)" if is_librosa_available() and a.waveforms > 1
                               else "not compared: diffusers lacks librosa and returns the generation order; "
                               "Java's CLAP-ranked waveforms are matched to their closest diffusers waveform"
                               if a.waveforms > 1 else "one waveform per prompt"),
              "cases": cases, "ok": ok})
    print(json.dumps(result, indent=1))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
