#!/usr/bin/env python3
"""Real-size CPU benchmark: Java (audioldm4j, a bundle) vs diffusers eager (the checkpoint it was exported from).

Rounds alternate between the sides (default: java-presets, diffusers; add java-shim with --sides), each round
its own process, so each peak RSS is its own and no side runs warm in another's process. Every round runs a
one-step warm-up generation, then the timed generation (default 20 DPM-Solver++ steps, 10.24 s, guidance 3.5,
prompt + negative prompt, one waveform). Reported per round: generation seconds, the UNet seconds per CFG
step, the per-component time (text encoders, projection, GPT-2 loop, UNet, VAE decode, vocoder) and the rest
(host code), peak RSS; then medians per side and the ratios to diffusers. One JSON object on stdout; with
--markdown also a table for BENCHMARKS.md.

    python bench_realsize.py --checkpoint CKPT --bundle BUNDLE --classpath examples/target/bench.classpath \\
        --rounds 2 --threads 2 --markdown

Java per-component times come from examples' TimedRuntime (wall time of each TorchScript forward); diffusers'
from timing wrappers on the modules' entry points the pipeline calls (ClapModel.get_text_features,
T5EncoderModel / AudioLDM2ProjectionModel / GPT-2 / UNet / SpeechT5HifiGan forward, AutoencoderKL.decode).
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
PROMPT = "A dog barking in the rain"
NEGATIVE = "low quality"


def diffusers_round(a):
    import torch
    import diffusers
    from diffusers import AudioLDM2Pipeline
    torch.set_num_threads(a.threads)
    diffusers.utils.logging.disable_progress_bar()
    t0 = time.perf_counter()
    pipe = AudioLDM2Pipeline.from_pretrained(a.checkpoint)
    pipe.set_progress_bar_config(disable=True)
    pipe.scheduler = getattr(diffusers, a.scheduler).from_config(pipe.scheduler.config)
    tallies = {}

    def timed(name, fn):
        def wrapper(*args, **kw):
            t = time.perf_counter()
            try:
                return fn(*args, **kw)
            finally:
                c = tallies.setdefault(name, [0, 0.0])
                c[0] += 1
                c[1] += time.perf_counter() - t
        return wrapper

    pipe.text_encoder.get_text_features = timed("clap_text", pipe.text_encoder.get_text_features)
    for name, m in (("t5_encoder", pipe.text_encoder_2), ("projection", pipe.projection_model),
                    ("gpt2", pipe.language_model), ("unet", pipe.unet), ("vocoder", pipe.vocoder)):
        m.forward = timed(name, m.forward)
    pipe.vae.decode = timed("vae_decoder", pipe.vae.decode)

    def run(steps):
        with torch.no_grad():
            return pipe(prompt=[PROMPT], negative_prompt=[NEGATIVE], audio_length_in_s=a.length,
                        num_inference_steps=steps, guidance_scale=3.5, num_waveforms_per_prompt=1,
                        generator=torch.Generator("cpu").manual_seed(a.seed), output_type="np").audios

    run(1)
    load = time.perf_counter() - t0
    tallies.clear()
    t1 = time.perf_counter()
    audio = run(a.steps)
    total = time.perf_counter() - t1
    comps = {k: {"calls": v[0], "seconds": v[1]} for k, v in sorted(tallies.items())}
    unet = tallies.get("unet", [0, 0.0])
    print(json.dumps({"side": "diffusers", "runtime": "torch %s eager" % torch.__version__, "threads": a.threads,
                      "steps": a.steps, "length_s": a.length, "scheduler": a.scheduler,
                      "warmup_and_load_seconds": load, "total_seconds": total,
                      "unet_seconds_per_step": unet[1] / unet[0] if unet[0] else None, "components": comps,
                      "host_seconds": total - sum(v[1] for v in tallies.values()),
                      "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
                      "samples": int(audio.shape[-1])}))


def run_side(a, side):
    if side == "diffusers":
        cmd = [sys.executable, os.path.abspath(__file__), "--diffusers-round", "--checkpoint", a.checkpoint,
               "--threads", str(a.threads), "--steps", str(a.steps), "--length", repr(a.length), "--scheduler",
               a.scheduler, "--seed", str(a.seed)]
    else:
        with open(a.classpath) as f:
            cp = os.path.join(ROOT, "examples", "target", "classes") + os.pathsep + f.read().strip()
        cmd = ["java"] + (["-Daudioldm4j.shim.path=" + a.shim_path] if side == "java-shim" else []) + [
               "-cp", cp, "io.github.audioldm4j.examples.bench.RealSizeBench", a.bundle,
               side.split("-", 1)[1], str(a.threads), str(a.steps), repr(a.length), a.scheduler, str(a.seed)]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError("%s round failed (exit %d): %s\n%s" % (side, p.returncode, " ".join(cmd), p.stderr[-3000:]))
    return json.loads(p.stdout.strip().splitlines()[-1])


def markdown(summary):
    names = ["clap_text", "t5_encoder", "projection", "gpt2", "unet", "vae_decoder", "vocoder"]
    lines = ["| side | generation s (per round) | x diffusers | UNet s per CFG step | x diffusers | peak RSS MB | "
             + " | ".join(names) + " | host |", "|" + "---|" * (7 + len(names))]
    for side, s in summary["sides"].items():
        share = [s["median_component_seconds"].get(n) for n in names]
        lines.append("| %s | %s | %.3f | %.2f | %.3f | %.0f | %s | %.2f |" % (
            side, " / ".join("%.1f" % t for t in s["total_seconds"]), s["ratio_total_to_diffusers"],
            s["median_unet_seconds_per_step"], s["ratio_unet_step_to_diffusers"], max(s["peak_rss_mb"]),
            " | ".join("-" if v is None else "%.2f" % v for v in share), s["median_host_seconds"]))
    return "\n".join(lines)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--checkpoint", required=True, help="diffusers AudioLDM2 checkpoint folder (make_checkpoint.py)")
    ap.add_argument("--bundle", help="the bundle exported from it (required for the Java sides)")
    ap.add_argument("--classpath", default=os.path.join(ROOT, "examples", "target", "bench.classpath"),
                    help="file with the examples' dependency class path (mvn dependency:build-classpath)")
    ap.add_argument("--sides", default="java-presets,diffusers",
                    help="comma-separated: java-presets, java-shim, diffusers (default java-presets,diffusers)")
    ap.add_argument("--shim-path", help="libaldm2.so for the java-shim side (e.g. built against this Python's torch: "
                    "native/gpu-check.sh builds one; the JNI glue needs -DALDM2_JNI=ON)")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--length", type=float, default=10.24)
    ap.add_argument("--scheduler", default="DPMSolverMultistepScheduler")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--markdown", action="store_true", help="also print a markdown table to stderr")
    ap.add_argument("--diffusers-round", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    for name, v in (("--rounds", a.rounds), ("--threads", a.threads), ("--steps", a.steps)):
        if v < 1:
            ap.error("%s must be >= 1, got %d" % (name, v))
    if not a.length > 0:
        ap.error("--length must be > 0, got %g" % a.length)
    if not os.path.isfile(os.path.join(a.checkpoint, "model_index.json")):
        ap.error("--checkpoint %s is not a diffusers checkpoint (no model_index.json)" % a.checkpoint)
    if a.diffusers_round:
        diffusers_round(a)
        return 0
    sides = [s.strip() for s in a.sides.split(",") if s.strip()]
    for s in sides:
        if s not in ("java-presets", "java-shim", "diffusers"):
            ap.error("--sides: each must be java-presets, java-shim or diffusers, got %r" % s)
    if "diffusers" not in sides:
        ap.error("--sides must include diffusers (the baseline of the ratios)")
    if "java-shim" in sides and not (a.shim_path and os.path.isfile(a.shim_path)):
        ap.error("--shim-path must be a libaldm2.so for the java-shim side, got %r" % a.shim_path)
    if any(s.startswith("java") for s in sides):
        if not a.bundle or not os.path.isfile(os.path.join(a.bundle, "manifest.json")):
            ap.error("--bundle must be an exported bundle (manifest.json) for the Java sides, got %r" % a.bundle)
        if not os.path.isfile(a.classpath):
            ap.error("--classpath %s does not exist (mvn -q -B -o -pl examples dependency:build-classpath "
                     "-Dmdep.outputFile=target/bench.classpath)" % a.classpath)
    rounds = []
    for r in range(a.rounds):
        order = sides if r % 2 == 0 else list(reversed(sides))
        for s in order:
            res = run_side(a, s)
            res["round"] = r
            rounds.append(res)
            print("round %d %s: %.1f s, UNet %.2f s/step, RSS %.0f MB" % (r, s, res["total_seconds"],
                  res["unet_seconds_per_step"], res["peak_rss_mb"]), file=sys.stderr, flush=True)
    summary = {"settings": {"threads": a.threads, "steps": a.steps, "length_s": a.length, "scheduler": a.scheduler,
                            "rounds": a.rounds, "prompt": PROMPT, "negative_prompt": NEGATIVE},
               "rounds": rounds, "sides": {}}
    by = {s: [r for r in rounds if r["side"] == s] for s in sides}
    base_total = statistics.median(r["total_seconds"] for r in by["diffusers"])
    base_unet = statistics.median(r["unet_seconds_per_step"] for r in by["diffusers"])
    for s, rs in by.items():
        comps = sorted({k for r in rs for k in r["components"]})
        summary["sides"][s] = {
            "runtime": rs[0]["runtime"], "total_seconds": [r["total_seconds"] for r in rs],
            "median_total_seconds": statistics.median(r["total_seconds"] for r in rs),
            "ratio_total_to_diffusers": statistics.median(r["total_seconds"] for r in rs) / base_total,
            "median_unet_seconds_per_step": statistics.median(r["unet_seconds_per_step"] for r in rs),
            "ratio_unet_step_to_diffusers": statistics.median(r["unet_seconds_per_step"] for r in rs) / base_unet,
            "median_component_seconds": {k: statistics.median(r["components"].get(k, {"seconds": 0.0})["seconds"]
                                                              for r in rs) for k in comps},
            "median_host_seconds": statistics.median(r["host_seconds"] for r in rs),
            "peak_rss_mb": [r["peak_rss_mb"] for r in rs]}
    print(json.dumps(summary, indent=1))
    if a.markdown:
        print(markdown(summary), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
