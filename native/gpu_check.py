#!/usr/bin/env python3
"""The measuring half of native/gpu-check.sh (which builds libaldm2 and runs the C tests first).

Builds a random-init AudioLDM2 checkpoint with the real diffusers/transformers classes
(torchscript-models/upstream/make_checkpoint.py), exports it with the project's exporter on the
target device and dtype, and times through the C ABI of libaldm2 (ctypes, host buffers in and
out: the way the Java shim runtime drives it):

* one UNet CFG step (batch 2) eager, and replayed from a CUDA graph (CUDA only);
* one VAE decode and one vocoder call;
* a DPM-Solver++ loop of --steps steps driven the way Java drives it (host latents each step,
  the scheduler on the host) against the same loop device-resident in torch (TorchScript UNet,
  diffusers' scheduler on the device);
* peak device memory of each phase (CUDA: torch's caching allocator, shared with libaldm2 because
  both use this torch's libtorch; CPU: peak RSS of the process).

On CUDA, times are CUDA-event times of the device work (``gpu_ms``) and wall times of the whole
call including host copies (``wall_ms``); on the CPU, wall times. Results: one JSON object
(``gpu-check.json``) and one markdown table (``gpu-check.md``) in --out.
"""

import argparse
import ctypes
import datetime
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

F32, F16, BF16, I64, BOOL = 0, 1, 2, 3, 4
CPU, CUDA = 0, 1
MAX_DIMS = 16
# anchors quoted by the issue (not measured here)
ANCHORS = {"hf_blog_fp16_compile_ms_per_cfg_step": 20.4, "h200_compute_floor_ms_per_cfg_step": 0.35}


class LoadParams(ctypes.Structure):
    _fields_ = [("device_type", ctypes.c_int32), ("device_index", ctypes.c_int32), ("dtype", ctypes.c_int32),
                ("cuda_graph", ctypes.c_int32)]


class Aldm2:
    """ctypes binding of the calls this script uses (native/include/aldm2.h)."""

    def __init__(self, path):
        lib = ctypes.CDLL(path)
        p, i32, i64 = ctypes.c_void_p, ctypes.c_int32, ctypes.c_int64
        lib.aldm2_build_info.restype = ctypes.c_char_p
        lib.aldm2_last_error.restype = ctypes.c_char_p
        lib.aldm2_module_last_error.restype = ctypes.c_char_p
        lib.aldm2_module_last_error.argtypes = [p]
        lib.aldm2_runtime_new.argtypes = [p, ctypes.POINTER(p)]
        lib.aldm2_runtime_free.argtypes = [p]
        lib.aldm2_load_params_init.argtypes = [ctypes.POINTER(LoadParams)]
        lib.aldm2_module_load.argtypes = [p, ctypes.c_char_p, ctypes.POINTER(LoadParams), ctypes.POINTER(p)]
        lib.aldm2_module_free.argtypes = [p]
        lib.aldm2_module_add_input.argtypes = [p, i32, ctypes.POINTER(i64), i32, p, ctypes.c_size_t]
        lib.aldm2_module_forward.argtypes = [p]
        lib.aldm2_module_output_info.argtypes = [p, i32, ctypes.POINTER(i32), ctypes.POINTER(i32),
                                                 ctypes.POINTER(i64), i32]
        lib.aldm2_module_output_copy.argtypes = [p, i32, i32, p, ctypes.c_size_t]
        self.lib = lib
        self.rt = ctypes.c_void_p()
        self._ok(lib.aldm2_runtime_new(None, ctypes.byref(self.rt)), "aldm2_runtime_new")

    def _ok(self, status, what, module=None):
        if status != 0:
            msg = (self.lib.aldm2_module_last_error(module) if module else self.lib.aldm2_last_error()) or b""
            raise RuntimeError("%s failed (status %d): %s" % (what, status, msg.decode(errors="replace")))

    def build_info(self):
        return self.lib.aldm2_build_info().decode()

    def load(self, path, device, dtype, graph=False):
        lp = LoadParams()
        self.lib.aldm2_load_params_init(ctypes.byref(lp))
        lp.device_type = CUDA if device == "cuda" else CPU
        lp.dtype = {"fp32": F32, "fp16": F16, "bf16": BF16}[short_dtype(dtype)]
        lp.cuda_graph = 1 if graph else 0
        m = ctypes.c_void_p()
        self._ok(self.lib.aldm2_module_load(self.rt, path.encode(), ctypes.byref(lp), ctypes.byref(m)),
                 "aldm2_module_load(%s)" % os.path.basename(path))
        return Module(self, m)

    def close(self):
        self.lib.aldm2_runtime_free(self.rt)


class Module:
    def __init__(self, a, handle):
        self.a = a
        self.h = handle

    def __call__(self, *arrays):
        """Host arrays in (float32 / int64 / bool), the first output back as a float32 array."""
        lib = self.a.lib
        for x in arrays:
            x = np.ascontiguousarray(x)
            dt = {np.dtype(np.float32): F32, np.dtype(np.int64): I64, np.dtype(np.bool_): BOOL}[x.dtype]
            shape = (ctypes.c_int64 * max(1, x.ndim))(*x.shape)
            self.a._ok(lib.aldm2_module_add_input(self.h, dt, shape, x.ndim, x.ctypes.data_as(ctypes.c_void_p),
                                                  x.nbytes), "add_input", self.h)
        self.a._ok(lib.aldm2_module_forward(self.h), "forward", self.h)
        dtype, ndim = ctypes.c_int32(), ctypes.c_int32()
        shape = (ctypes.c_int64 * MAX_DIMS)()
        self.a._ok(lib.aldm2_module_output_info(self.h, 0, ctypes.byref(dtype), ctypes.byref(ndim), shape, MAX_DIMS),
                   "output_info", self.h)
        out = np.empty([shape[i] for i in range(ndim.value)], dtype=np.float32)
        self.a._ok(lib.aldm2_module_output_copy(self.h, 0, F32, out.ctypes.data_as(ctypes.c_void_p), out.nbytes),
                   "output_copy", self.h)
        return out

    def close(self):
        self.a.lib.aldm2_module_free(self.h)


def short_dtype(name):
    """fp32/fp16/bf16 from either spelling (the manifest writes float32, float16, bfloat16)."""
    return {"float32": "fp32", "float16": "fp16", "bfloat16": "bf16"}.get(name, name)


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


class Timer:
    """Median over rounds of wall time and (CUDA) event time around fn()."""

    def __init__(self, device):
        self.cuda = device == "cuda"

    def measure(self, fn, warmup, rounds):
        for _ in range(warmup):
            fn()
        if self.cuda:
            torch.cuda.synchronize()
        walls, gpus = [], []
        for _ in range(rounds):
            if self.cuda:
                start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
                start.record()
            t0 = time.perf_counter()
            fn()
            if self.cuda:
                end.record()
                torch.cuda.synchronize()
                gpus.append(start.elapsed_time(end))
            walls.append((time.perf_counter() - t0) * 1000.0)
        r = {"wall_ms": statistics.median(walls), "wall_ms_rounds": [round(x, 3) for x in walls], "rounds": rounds}
        if gpus:
            r["gpu_ms"] = statistics.median(gpus)
        return r


def memory_phase_start(device):
    if device == "cuda":
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()


def memory_phase_peak(device):
    if device == "cuda":
        torch.cuda.synchronize()
        return {"peak_gpu_mb": torch.cuda.max_memory_allocated() / 2 ** 20,
                "peak_gpu_reserved_mb": torch.cuda.max_memory_reserved() / 2 ** 20}
    return {"peak_rss_mb": peak_rss_mb()}


def run(cmd, log):
    print("+ " + " ".join(cmd), flush=True)
    t0 = time.perf_counter()
    with open(log, "w") as f:
        p = subprocess.run(cmd, stdout=f, stderr=subprocess.STDOUT)
    if p.returncode != 0:
        with open(log) as f:
            tail = f.read()[-4000:]
        raise RuntimeError("%s failed (exit %d); log %s:\n%s" % (cmd[1], p.returncode, log, tail))
    return time.perf_counter() - t0


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--lib", required=True, help="libaldm2.so built against this Python's torch")
    ap.add_argument("--device", choices=("cpu", "cuda"), required=True)
    ap.add_argument("--dtype", choices=("fp32", "fp16", "bf16"), default=None,
                    help="export and compute dtype (default fp16 on cuda, fp32 on cpu)")
    ap.add_argument("--config", choices=("small", "base", "large", "music"), default=None,
                    help="checkpoint size (default base on cuda, small on cpu)")
    ap.add_argument("--seconds", type=float, default=10.24, help="audio length (default 10.24)")
    ap.add_argument("--steps", type=int, default=20, help="DPM-Solver++ steps of the loops (default 20)")
    ap.add_argument("--rounds", type=int, default=None, help="timed calls per measurement (default 20 cuda, 5 cpu)")
    ap.add_argument("--t5-tokens", type=int, default=16, help="T5 sequence length of the UNet inputs (default 16)")
    ap.add_argument("--work", required=True, help="scratch folder (checkpoint, bundle, logs)")
    ap.add_argument("--out", required=True, help="folder for gpu-check.json and gpu-check.md")
    ap.add_argument("--c-tests", default=None, help="JSON file with the C test results of gpu-check.sh")
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args(argv)
    device = a.device
    dtype = a.dtype or ("fp16" if device == "cuda" else "fp32")
    config = a.config or ("base" if device == "cuda" else "small")
    rounds = a.rounds or (20 if device == "cuda" else 5)
    if a.steps < 1 or rounds < 1 or a.t5_tokens < 1:
        ap.error("--steps, --rounds and --t5-tokens must be >= 1, got %d, %d, %d" % (a.steps, rounds, a.t5_tokens))
    if not (0.32 <= a.seconds <= 60):
        ap.error("--seconds must be in [0.32, 60], got %g" % a.seconds)
    if dtype == "fp16" and device != "cuda":
        ap.error("--dtype fp16 needs --device cuda (the exporter refuses fp16 on the CPU)")
    if device == "cuda" and not torch.cuda.is_available():
        ap.error("--device cuda but torch.cuda.is_available() is false")
    os.makedirs(a.work, exist_ok=True)
    os.makedirs(a.out, exist_ok=True)
    if device == "cuda":
        # the exporter's setting; cuDNN/cuBLAS may otherwise pick TF32 paths in fp32
        torch.backends.cuda.matmul.allow_tf32 = False
    torch.set_grad_enabled(False)

    report = {"kind": "audioldm4j gpu-check", "mode": device, "date": datetime.datetime.now(datetime.timezone.utc)
              .strftime("%Y-%m-%dT%H:%M:%SZ"), "config": config, "dtype": dtype, "seconds": a.seconds,
              "steps": a.steps, "rounds": rounds, "torch": torch.__version__, "python": platform.python_version(),
              "machine": platform.machine(), "cpu_count": os.cpu_count(), "anchors": ANCHORS}
    if device == "cuda":
        props = torch.cuda.get_device_properties(0)
        report["device_name"] = props.name
        report["device_memory_gb"] = round(props.total_memory / 1e9, 1)
        report["cuda"] = torch.version.cuda
    if a.c_tests and os.path.exists(a.c_tests):
        with open(a.c_tests) as f:
            report["c_tests"] = json.load(f)

    # 1. checkpoint with the real classes, exported with the project's exporter on the device
    sys.path.insert(0, os.path.join(ROOT, "torchscript-models", "upstream"))
    import make_checkpoint  # noqa: E402
    import diffusers
    import transformers
    report["diffusers"] = diffusers.__version__
    report["transformers"] = transformers.__version__
    ckpt = os.path.join(a.work, "checkpoint-" + config)
    bundle = os.path.join(a.work, "bundle-%s-%s-%s" % (config, device, dtype))
    t0 = time.perf_counter()
    pipe = make_checkpoint.build(config, a.seed)
    pipe.save_pretrained(ckpt, safe_serialization=True)
    params = {k: sum(x.numel() for x in getattr(pipe, k).parameters()) for k in
              ("text_encoder", "text_encoder_2", "language_model", "projection_model", "unet", "vae", "vocoder")}
    scheduler_config = dict(pipe.scheduler.config)
    del pipe
    report["checkpoint"] = {"seconds": time.perf_counter() - t0, "parameters": params}
    export_cmd = [sys.executable, os.path.join(ROOT, "torchscript-models", "export_audioldm2.py"), ckpt,
                  "--out", bundle, "--device", device, "--dtype", dtype, "--overwrite",
                  "--no-pipeline-reference", "--no-diffusers-check"]
    report["export"] = {"seconds": run(export_cmd, os.path.join(a.work, "export.log")), "command": export_cmd[1:]}
    with open(os.path.join(bundle, "manifest.json")) as f:
        manifest = json.load(f)
    report["export"]["component_dtypes"] = {k: v.get("dtype") for k, v in manifest["components"].items()}

    # 2. shapes of one 10.24 s generation (diffusers __call__ section 0, the exporter's Constants)
    c_hop = 160
    height = int(a.seconds / (c_hop / 16000.0))
    height = -(-height // 4) * 4
    h_lat, w_lat, lat_ch = height // 4, 64 // 4, manifest["vae"]["latent_channels"]
    rng = np.random.default_rng(a.seed)
    sample = rng.standard_normal((2, lat_ch, h_lat, w_lat)).astype(np.float32)
    ehs = rng.standard_normal((2, 8, 768)).astype(np.float32)
    ehs1 = (0.2 * rng.standard_normal((2, a.t5_tokens, 1024))).astype(np.float32)
    mask = np.ones((2, a.t5_tokens), dtype=np.int64)
    mask[1, a.t5_tokens // 2:] = 0
    t = np.array([801.0, 801.0], dtype=np.float32)
    z = rng.standard_normal((1, lat_ch, h_lat, w_lat)).astype(np.float32)
    mel = (rng.standard_normal((1, height, 64)) - 5).astype(np.float32)
    report["shapes"] = {"unet_sample": list(sample.shape), "t5_tokens": a.t5_tokens, "vae_z": list(z.shape),
                        "vocoder_mel": list(mel.shape)}

    lib = Aldm2(a.lib)
    report["libaldm2"] = lib.build_info()
    timer = Timer(device)
    timings = {}
    path = lambda name: os.path.join(bundle, name + ".pt")  # noqa: E731
    vae_dtype = manifest["components"]["vae_decoder"].get("dtype", dtype)

    # 3. component calls through the C ABI
    memory_phase_start(device)
    unet = lib.load(path("unet"), device, dtype)
    timings["unet_cfg_step_eager"] = dict(timer.measure(lambda: unet(sample, t, ehs, ehs1, mask), 3, rounds),
                                          **memory_phase_peak(device))
    eager_out = unet(sample, t, ehs, ehs1, mask)
    unet.close()
    if device == "cuda":
        memory_phase_start(device)
        unet_g = lib.load(path("unet"), device, dtype, graph=True)
        timings["unet_cfg_step_cuda_graph"] = dict(timer.measure(lambda: unet_g(sample, t, ehs, ehs1, mask), 2,
                                                                 rounds), **memory_phase_peak(device))
        graph_out = unet_g(sample, t, ehs, ehs1, mask)
        timings["unet_cfg_step_cuda_graph"]["max_abs_diff_to_eager"] = float(np.max(np.abs(graph_out - eager_out)))
        unet_g.close()
    for name, x, comp in (("vae_decode", z, "vae_decoder"), ("vocoder", mel, "vocoder")):
        memory_phase_start(device)
        m = lib.load(path(comp), device, manifest["components"][comp].get("dtype", dtype))
        timings[name] = dict(timer.measure(lambda: m(x), 2, rounds), **memory_phase_peak(device))
        m.close()
    report["vae_dtype"] = vae_dtype

    # 4. DPM-Solver++ loops: host-driven through the C ABI (as Java) vs device-resident in torch
    from diffusers import DPMSolverMultistepScheduler
    guidance = 3.5
    init = rng.standard_normal((1, lat_ch, h_lat, w_lat)).astype(np.float32)

    def host_loop(module):
        s = DPMSolverMultistepScheduler.from_config(scheduler_config)
        s.set_timesteps(a.steps)
        lat = torch.from_numpy(init.copy()) * s.init_noise_sigma
        for step_t in s.timesteps:
            x = torch.cat([lat, lat]).numpy()
            tt = np.full((2,), float(step_t), dtype=np.float32)
            eps = torch.from_numpy(module(x, tt, ehs, ehs1, mask))
            uncond, cond = eps.chunk(2)
            lat = s.step(uncond + guidance * (cond - uncond), step_t, lat).prev_sample
        return lat.numpy()

    torch_dtype = {"fp32": torch.float32, "fp16": torch.float16, "bf16": torch.bfloat16}[dtype]
    dev = torch.device(device)
    ts_unet = torch.jit.load(path("unet"), map_location=dev).eval()
    ehs_d = torch.from_numpy(ehs).to(dev, torch_dtype)
    ehs1_d = torch.from_numpy(ehs1).to(dev, torch_dtype)
    mask_d = torch.from_numpy(mask).to(dev)

    def device_loop():
        s = DPMSolverMultistepScheduler.from_config(scheduler_config)
        s.set_timesteps(a.steps, device=dev)
        lat = torch.from_numpy(init).to(dev) * s.init_noise_sigma
        for step_t in s.timesteps:
            x = torch.cat([lat, lat]).to(torch_dtype)
            eps = ts_unet(x, step_t.float().expand(2), ehs_d, ehs1_d, mask_d).float()
            uncond, cond = eps.chunk(2)
            lat = s.step(uncond + guidance * (cond - uncond), step_t, lat).prev_sample
        return lat.cpu().numpy()

    loop_rounds = max(1, min(3, rounds))
    memory_phase_start(device)
    unet = lib.load(path("unet"), device, dtype)
    result = {}
    timings["dpm_loop_host_driven_c_abi"] = dict(timer.measure(lambda: result.__setitem__("host", host_loop(unet)),
                                                               1, loop_rounds), **memory_phase_peak(device))
    unet.close()
    if device == "cuda":
        memory_phase_start(device)
        unet_g = lib.load(path("unet"), device, dtype, graph=True)
        timings["dpm_loop_host_driven_c_abi_cuda_graph"] = dict(
            timer.measure(lambda: result.__setitem__("graph", host_loop(unet_g)), 1, loop_rounds),
            **memory_phase_peak(device))
        unet_g.close()
    memory_phase_start(device)
    timings["dpm_loop_device_resident_torch"] = dict(
        timer.measure(lambda: result.__setitem__("device", device_loop()), 1, loop_rounds),
        **memory_phase_peak(device))
    ref = result["device"]
    for k in ("host", "graph"):
        if k in result:
            diff = np.abs(result[k] - ref)
            timings["dpm_loop_host_driven_c_abi" + ("" if k == "host" else "_cuda_graph")]["final_latents_rel_diff"] = \
                float(diff.max() / max(1e-12, np.abs(ref).max()))
    for k in list(timings):
        if k.startswith("dpm_loop"):
            timings[k]["per_step_ms"] = timings[k]["wall_ms"] / a.steps
    lib.close()
    report["timings"] = timings
    report["peak_rss_mb"] = peak_rss_mb()
    report["java_on_device"] = ("not run: the device has no JDK, and a jlink runtime plus the shim runtime's jars "
                                "(core, shim, javacpp, DJL tokenizers, Jackson, JTransforms) exceed what a call "
                                "carries beside the checkout (64 MiB)")

    with open(os.path.join(a.out, "gpu-check.json"), "w") as f:
        json.dump(report, f, indent=2)
    md = markdown(report)
    with open(os.path.join(a.out, "gpu-check.md"), "w") as f:
        f.write(md)
    print(md)
    return 0


def markdown(r):
    t = r["timings"]
    cuda = r["mode"] == "cuda"
    lines = ["## gpu-check (%s, %s, %s, config %s, %s, %.2f s audio, %d steps)" % (
        r["date"][:10], r.get("device_name", "CPU: %d cores" % r["cpu_count"]), r["mode"], r["config"], r["dtype"],
        r["seconds"], r["steps"]), "",
             "torch %s, diffusers %s, transformers %s; %s" % (r["torch"], r["diffusers"], r["transformers"],
                                                               r["libaldm2"]), ""]
    if "c_tests" in r:
        lines.append("C tests: " + ", ".join("%s %s" % (k, v["result"]) for k, v in r["c_tests"].items()))
        lines.append("")
    lines.append("| measurement | %s wall ms (median) | peak memory MB | note |" % ("GPU event ms /" if cuda else ""))
    lines.append("|---|---|---|---|")
    for k, v in t.items():
        time_s = ("%.3f / %.3f" % (v["gpu_ms"], v["wall_ms"])) if "gpu_ms" in v else "%.3f" % v["wall_ms"]
        mem = v.get("peak_gpu_mb", v.get("peak_rss_mb"))
        note = []
        if "per_step_ms" in v:
            note.append("%.3f ms per step" % v["per_step_ms"])
        if "final_latents_rel_diff" in v:
            note.append("final latents vs device-resident: max rel %.2g" % v["final_latents_rel_diff"])
        if "max_abs_diff_to_eager" in v:
            note.append("output vs eager: max abs %.2g" % v["max_abs_diff_to_eager"])
        if k.startswith("unet_cfg_step") and cuda:
            note.append("anchors: %.1f ms (HF blog, fp16 + compile), %.2f ms (H200 floor)" % (
                ANCHORS["hf_blog_fp16_compile_ms_per_cfg_step"], ANCHORS["h200_compute_floor_ms_per_cfg_step"]))
        lines.append("| %s | %s | %.0f | %s |" % (k, time_s, mem, "; ".join(note)))
    lines += ["", "checkpoint %.1f s (%s parameters), export %.1f s; peak RSS %.0f MB" % (
        r["checkpoint"]["seconds"], "{:,}".format(sum(r["checkpoint"]["parameters"].values())),
        r["export"]["seconds"], r["peak_rss_mb"]), ""]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
