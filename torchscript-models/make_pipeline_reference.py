#!/usr/bin/python3
"""Reference outputs of the audioldm4j pipelines on the tiny bundle, computed in Python.

An independent re-implementation (our own code, no audioldm4j code involved) of the pipeline math
around the same tiny TorchScript modules:

* diffusers AudioLDM2Pipeline.__call__ / encode_prompt / generate_language_model
  (src/diffusers/pipelines/audioldm2/pipeline_audioldm2.py): CLAP padding to max_length, T5
  padding to the longest prompt, the negative T5 sequence padded or truncated to the positive
  length, projection, the 8-step GPT-2 loop, CFG row order cat([negative, positive]),
  num_waveforms_per_prompt repetition, latents / scaling_factor, VAE decode, vocoder, crop;
* diffusers DDIMScheduler (src/diffusers/schedulers/scheduling_ddim.py) in float32 torch ops,
  leading spacing + steps_offset, set_alpha_to_one=False, eta with variance noise drawn from the
  shared CPU generator, add_noise; StableDiffusionImg2ImgPipeline.get_timesteps for SDEdit;
* the original AudioLDM2 wav_to_fbank normalisation and TacotronSTFT log-mel (torch.stft with the
  librosa-0.9.2 mel basis stored in shared/golden/logmel_audioldm2.json).

Token ids are given explicitly (no Python tokenizers package here); TextTokenizerTest checks that
the Java tokenizer produces exactly these ids from the bundle's tokenizer.json files.

    /usr/bin/python3 torchscript-models/make_pipeline_reference.py [golden_dir]

writes torchscript-models/parity/{cases.json, *.npy}. ATEN_CPU_CAPABILITY=default is pinned so
torch.randn uses the scalar kernel that audioldm4j's TorchGenerator reproduces bit-exactly.
"""

import json
import os
import sys

if os.environ.get("ATEN_CPU_CAPABILITY") != "default":
    os.environ["ATEN_CPU_CAPABILITY"] = "default"
    os.execv(sys.executable, [sys.executable] + sys.argv)

import numpy as np  # noqa: E402
import torch  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
BUNDLE = os.path.join(HERE, "tiny-bundle")
OUT = os.path.join(HERE, "parity")

CLAP_IDS = {
    "A dog barking": [0, 36, 272, 274, 273, 78, 268, 2],
    "rain on the wooden surface": [0, 85, 68, 264, 224, 266, 263, 269, 82, 82, 71, 72, 81, 267, 88, 85, 73, 68, 70, 72, 2],
    "music": [0, 80, 88, 86, 76, 70, 2],
    "hammer hitting wood": [0, 75, 68, 80, 80, 265, 224, 75, 76, 87, 87, 268, 269, 82, 82, 71, 2],
    "": [0, 2],
}
T5_IDS = {
    "A dog barking": [35, 8, 10, 13, 1],
    "rain on the wooden surface": [16, 18, 4, 20, 23, 24, 27, 1],
    "music": [32, 1],
    "hammer hitting wood": [28, 30, 72, 13, 20, 1],
    "": [1],
}
CLAP_PAD, T5_PAD, CLAP_LEN, T5_LEN = 1, 0, 512, 128


def load(name):
    m = torch.jit.load(os.path.join(BUNDLE, name + ".pt"))
    m.eval()
    return m


MODELS = {n: load(n) for n in ["clap_text", "t5_encoder", "projection", "gpt2", "unet", "vae_encoder",
                               "vae_decoder", "vocoder"]}
MANIFEST = json.load(open(os.path.join(BUNDLE, "manifest.json")))
SCALING = MANIFEST["vae"]["scaling_factor"]


# ---------------------------------------------------------------------------------------------
# text conditioning
# ---------------------------------------------------------------------------------------------

def pad_rows(rows, length, pad):
    ids = torch.full((len(rows), length), pad, dtype=torch.long)
    mask = torch.zeros((len(rows), length), dtype=torch.long)
    for i, r in enumerate(rows):
        r = r[:length] if len(r) <= length else r[:length - 1] + [r[-1]]  # HF truncation keeps the final special
        ids[i, :len(r)] = torch.tensor(r)
        mask[i, :len(r)] = 1
    return ids, mask


def branch(texts, lt):
    clap_ids, clap_mask = pad_rows([CLAP_IDS[t] for t in texts], CLAP_LEN, CLAP_PAD)
    clap = MODELS["clap_text"](clap_ids, clap_mask)[:, None, :]
    t5_rows = [T5_IDS[t] for t in texts]
    ids_lt, mask_lt = pad_rows(t5_rows, lt, T5_PAD)
    ids_full = torch.full((len(texts), T5_LEN), T5_PAD, dtype=torch.long)
    mask_full = torch.zeros((len(texts), T5_LEN), dtype=torch.long)
    ids_full[:, :lt], mask_full[:, :lt] = ids_lt, mask_lt
    t5 = MODELS["t5_encoder"](ids_full, mask_full)[:, :lt, :]
    hidden, mask = MODELS["projection"](clap, t5, mask_lt)
    # generate_language_model: max_new_tokens forward passes, append the last hidden state
    for _ in range(8):
        out = MODELS["gpt2"](hidden, mask)
        hidden = torch.cat([hidden, out[:, -1:, :]], dim=1)
        mask = torch.cat([mask, torch.ones(mask.shape[0], 1, dtype=torch.long)], dim=1)
    return hidden[:, -8:, :], t5, mask_lt


def encode_prompt(prompts, negatives, n, guided):
    lt = max(len(T5_IDS[p][:T5_LEN]) for p in prompts)
    gen, t5, m = branch(prompts, lt)
    rep = lambda x: x.repeat_interleave(n, dim=0)  # noqa: E731  (== repeat(1,n,1).view(B*n, ...))
    gen, t5, m = rep(gen), rep(t5), rep(m)
    if not guided:
        return gen, t5, m
    ngen, nt5, nm = branch(negatives if negatives is not None else [""] * len(prompts), lt)
    return torch.cat([rep(ngen), gen]), torch.cat([rep(nt5), t5]), torch.cat([rep(nm), m])


# ---------------------------------------------------------------------------------------------
# DDIM (float32, diffusers semantics)
# ---------------------------------------------------------------------------------------------

class Ddim:
    def __init__(self, eta):
        betas = torch.linspace(0.0015 ** 0.5, 0.0195 ** 0.5, 1000, dtype=torch.float32) ** 2
        self.ac = torch.cumprod(1.0 - betas, dim=0)
        self.final = self.ac[0]
        self.eta = eta

    def set_timesteps(self, n):
        self.n = n
        ratio = 1000 // n
        self.timesteps = torch.from_numpy((np.arange(0, n) * ratio).round()[::-1].copy().astype(np.int64)) + 1

    def step(self, eps, t, x, generator):
        prev_t = t - 1000 // self.n
        a_t = self.ac[t]
        a_prev = self.ac[prev_t] if prev_t >= 0 else self.final
        b_t = 1 - a_t
        x0 = (x - b_t ** 0.5 * eps) / a_t ** 0.5
        b_prev = 1 - a_prev
        variance = (b_prev / b_t) * (1 - a_t / a_prev)
        std = self.eta * variance ** 0.5
        direction = (1 - a_prev - std ** 2) ** 0.5 * eps
        prev = a_prev ** 0.5 * x0 + direction
        if self.eta > 0:
            prev = prev + std * torch.randn(eps.shape, generator=generator, dtype=eps.dtype)
        return prev

    def add_noise(self, x0, noise, t):
        sa = self.ac[t] ** 0.5
        s1 = (1 - self.ac[t]) ** 0.5
        return sa * x0 + s1 * noise


def denoise(latents, timesteps, sched, cond, guidance, generator):
    gen, t5, m = cond
    guided = guidance > 1.0
    for t in timesteps:
        x_in = torch.cat([latents] * 2) if guided else latents
        ts = torch.full((x_in.shape[0],), float(t), dtype=torch.float32)
        noise = MODELS["unet"](x_in, ts, gen, t5, m)
        if guided:
            u, c = noise.chunk(2)
            noise = u + guidance * (c - u)
        latents = sched.step(noise, int(t), latents, generator)
    return latents


def decode(latents, samples):
    mel = MODELS["vae_decoder"](latents / SCALING)
    audio = MODELS["vocoder"](mel.squeeze(1))
    return audio[:, :samples]


def lengths(seconds):
    up = 160 / 16000
    height = int(seconds / up)
    samples = int(seconds * 16000)
    if height % 4 != 0:
        height = int(np.ceil(height / 4)) * 4
    return height, samples


def text_to_audio(prompts, negatives, seconds, steps, guidance, eta, seed, n):
    height, samples = lengths(seconds)
    guided = guidance > 1.0
    cond = encode_prompt(prompts, negatives, n, guided)
    sched = Ddim(eta)
    sched.set_timesteps(steps)
    g = torch.Generator().manual_seed(seed)
    latents = torch.randn((len(prompts) * n, 8, height // 4, 16), generator=g, dtype=torch.float32)
    init = latents.clone()
    latents = denoise(latents, sched.timesteps, sched, cond, guidance, g)
    return init, latents, decode(latents, samples)


# ---------------------------------------------------------------------------------------------
# audio in: wav_to_fbank + TacotronSTFT with the librosa mel basis
# ---------------------------------------------------------------------------------------------

def log_mel(wav, mel_basis):
    x = torch.from_numpy(wav)[None, None, :]
    x = torch.nn.functional.pad(x, (512, 512), mode="reflect")[0, 0]
    window = torch.hann_window(1024, periodic=True, dtype=torch.float64)
    spec = torch.stft(x.double(), 1024, 160, 1024, window=window, center=False, return_complex=True)
    mag = spec.abs()
    mel = torch.matmul(torch.from_numpy(mel_basis).double(), mag)
    return torch.log(torch.clamp(mel, min=1e-5)).float().T  # [frames, 64]


def wav_to_fbank(audio, target_length, mel_basis):
    x = audio - np.float32(np.mean(audio, dtype=np.float64))
    x = x / np.float32(np.max(np.abs(x)) + 1e-8) * np.float32(0.5)
    seg = target_length * 160
    if len(x) < seg:
        buf = np.zeros(seg, dtype=np.float64)
        buf[: len(x)] = x
        x = (buf / np.max(np.abs(buf)) * 0.5).astype(np.float32)
    else:
        x = (x / np.max(np.abs(x)) * np.float32(0.5)).astype(np.float32)
    mel = log_mel(np.clip(x, -1, 1).astype(np.float32), mel_basis)
    fb = torch.zeros(target_length, 64)
    k = min(target_length, mel.shape[0])
    fb[:k] = mel[:k]
    return x, fb


def sdedit(audio, mel_basis, prompt, strength, steps, guidance, seed):
    height, samples = lengths(len(audio) / 16000)
    norm, fb = wav_to_fbank(audio, height, mel_basis)
    centred = audio - np.float32(np.mean(audio, dtype=np.float64))
    gain = float(np.max(np.abs(norm))) / float(np.max(np.abs(centred)))
    moments = MODELS["vae_encoder"](fb[None, None])
    mean = moments[:, :8]
    init = mean * SCALING
    cond = encode_prompt([prompt], None, 1, guidance > 1.0)
    sched = Ddim(0.0)
    sched.set_timesteps(steps)
    init_timestep = min(int(steps * strength), steps)
    t_start = max(steps - init_timestep, 0)
    timesteps = sched.timesteps[t_start:]
    g = torch.Generator().manual_seed(seed)
    noise = torch.randn(init.shape, generator=g, dtype=torch.float32)
    latents = sched.add_noise(init, noise, int(timesteps[0]))
    latents = denoise(latents, timesteps, sched, cond, guidance, g)
    wave = decode(latents, len(audio))[0] / gain
    return fb, wave


def save(name, t):
    a = t.detach().numpy() if isinstance(t, torch.Tensor) else t
    np.save(os.path.join(OUT, name + ".npy"), np.ascontiguousarray(a.astype(np.float32)), allow_pickle=False)
    return name + ".npy"


def main():
    golden = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "java", "testdata", "golden")
    mel_basis = np.array(json.load(open(os.path.join(golden, "logmel_audioldm2.json")))["mel_basis"]["data"],
                         dtype=np.float32).reshape(64, 513)
    os.makedirs(OUT, exist_ok=True)
    torch.set_num_threads(1)
    cases = []
    with torch.no_grad():
        # 1. one prompt, CFG, 10 DDIM steps, 0.64 s
        init, lat, audio = text_to_audio(["A dog barking"], None, 0.64, 10, 3.5, 0.0, 42, 1)
        cases.append({"name": "t2a_single", "kind": "text_to_audio", "prompts": ["A dog barking"],
                      "negative_prompts": None, "audio_length_s": 0.64, "steps": 10, "guidance": 3.5, "eta": 0.0,
                      "seed": 42, "waveforms_per_prompt": 1, "initial_latents": save("t2a_single.init", init),
                      "latents": save("t2a_single.latents", lat), "audio": save("t2a_single.audio", audio)})
        # 2. two prompts, negatives, 2 waveforms each, eta=1 (shared generator), 0.29 s (height quirk)
        prompts = ["A dog barking", "rain on the wooden surface"]
        negs = ["", "music"]
        init, lat, audio = text_to_audio(prompts, negs, 0.29, 5, 2.5, 1.0, 7, 2)
        cases.append({"name": "t2a_batch_eta", "kind": "text_to_audio", "prompts": prompts,
                      "negative_prompts": negs, "audio_length_s": 0.29, "steps": 5, "guidance": 2.5, "eta": 1.0,
                      "seed": 7, "waveforms_per_prompt": 2, "initial_latents": save("t2a_batch_eta.init", init),
                      "latents": save("t2a_batch_eta.latents", lat), "audio": save("t2a_batch_eta.audio", audio)})
        # 3. SDEdit of a synthetic 1 s signal
        t = np.arange(16000, dtype=np.float64) / 16000
        rs = np.random.RandomState(0)
        sig = (0.3 * np.sin(2 * np.pi * 440 * t) + 0.2 * np.sin(2 * np.pi * 3000 * t * (1 + t))
               + 0.05 * rs.standard_normal(16000)).astype(np.float32)
        fb, wave = sdedit(sig, mel_basis, "hammer hitting wood", 0.6, 10, 3.0, 11)
        cases.append({"name": "sdedit", "kind": "sdedit", "prompt": "hammer hitting wood", "strength": 0.6,
                      "steps": 10, "guidance": 3.0, "seed": 11, "input": save("sdedit.input", sig),
                      "fbank": save("sdedit.fbank", fb), "audio": save("sdedit.audio", wave)})
    with open(os.path.join(OUT, "cases.json"), "w") as f:
        json.dump({"description": "Python reference runs of the tiny bundle (make_pipeline_reference.py)",
                   "torch": torch.__version__, "tolerance_abs": 1e-4, "cases": cases}, f, indent=1)
    print("wrote", OUT)


if __name__ == "__main__":
    main()
