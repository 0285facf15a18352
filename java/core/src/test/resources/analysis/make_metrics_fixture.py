#!/usr/bin/python3
"""Writes metrics_fixture.json: independent Python values of the analysis metrics for MetricsFixtureTest.

Run with Debian's /usr/bin/python3 (torch 1.13 + numpy):  /usr/bin/python3 make_metrics_fixture.py
The formulas are re-typed from their upstream sources (no librosa/auraloss installed here):
- LSD: haoheliu/versatile_audio_super_resolution example/lsd_calculation_pitfall/demo_comparison.py `lsd`
  (EPS=1e-8) on librosa.stft(n_fft=2048, hop_length=512) magnitudes; librosa>=0.10 stft = centred, zero padding,
  periodic Hann = torch.stft(center=True, pad_mode="constant", window=hann_window(2048)).
- MR-STFT / spectral convergence: csteinmetz1/auraloss auraloss/freq.py (STFTLoss, MultiResolutionSTFTLoss defaults).
- SI-SDR: Le Roux et al. 2019, zero-mean.
- band powers and centroid/roll-off: the definitions in BandEnergies / SpectralShape (librosa spectral_centroid,
  spectral_rolloff) written with numpy.
Signals are float32 and all arithmetic float64. Output is deterministic.
"""
import json
import math
import os

import numpy as np
import torch

rng = np.random.default_rng(20240611)


def arr32(x):
    x = np.asarray(x, dtype=np.float32)
    # shortest decimal that round-trips to the float32 value (keeps the file small)
    data = [float(np.format_float_positional(v, unique=True)) for v in x.reshape(-1)]
    return {"dtype": "float32", "shape": list(x.shape), "data": data}


def mag(x, n_fft, hop, win, pad_mode):
    w = torch.hann_window(win, periodic=True, dtype=torch.float64)
    s = torch.stft(torch.from_numpy(x.astype(np.float64)), n_fft, hop, win, w, center=True, pad_mode=pad_mode,
                   return_complex=True)
    return s.abs().numpy().T  # [frames, bins]


def lsd(ref, est):
    eps = 1e-8
    r = mag(ref, 2048, 512, 2048, "constant")
    e = mag(est, 2048, 512, 2048, "constant")
    v = np.log10(r ** 2 / ((e + eps) ** 2) + eps) ** 2
    return float(np.mean(np.mean(v, axis=1) ** 0.5))


def aura_mag(x, n_fft, hop, win):
    w = torch.hann_window(win, periodic=True, dtype=torch.float64)
    s = torch.stft(torch.from_numpy(x.astype(np.float64)), n_fft, hop, win, w, return_complex=True)
    return torch.sqrt(torch.clamp(s.real ** 2 + s.imag ** 2, min=1e-8)).numpy()


def stft_loss(ref, est, n_fft, hop, win):
    y = aura_mag(ref, n_fft, hop, win)
    x = aura_mag(est, n_fft, hop, win)
    sc = np.linalg.norm(y - x) / np.linalg.norm(y)
    logmag = np.mean(np.abs(np.log(x) - np.log(y)))
    return float(sc), float(logmag)


def mrstft(ref, est):
    total = 0.0
    for n_fft, hop, win in [(1024, 120, 600), (2048, 240, 1200), (512, 50, 240)]:
        sc, lm = stft_loss(ref, est, n_fft, hop, win)
        total += sc + lm
    return total / 3


def si_sdr(ref, est):
    r = ref.astype(np.float64) - np.mean(ref.astype(np.float64))
    e = est.astype(np.float64) - np.mean(est.astype(np.float64))
    alpha = np.dot(e, r) / np.dot(r, r)
    t = alpha * r
    return float(10 * np.log10(np.sum(t ** 2) / np.sum((e - t) ** 2)))


def bands(x, sr):
    n_fft = 2048
    p = mag(x, n_fft, 512, n_fft, "constant") ** 2
    frames, nbins = p.shape
    edges = [0, 1000, 2000, 4000, 8000]
    nyq = sr / 2
    bl = []
    for i, lo in enumerate(edges):
        if lo >= nyq:
            break
        hi = min(edges[i + 1], nyq) if i + 1 < len(edges) else nyq
        bl.append((lo, hi))
    w = torch.hann_window(n_fft, periodic=True, dtype=torch.float64).numpy()
    wsum = 0.0
    for t in range(frames):
        start = t * 512 - n_fft // 2
        idx = np.arange(n_fft) + start
        inside = (idx >= 0) & (idx < len(x))
        wsum += np.sum(w[inside] ** 2)
    f = np.arange(nbins) * sr / n_fft
    c = np.full(nbins, 2.0)
    c[0] = c[-1] = 1.0
    out = []
    for b, (lo, hi) in enumerate(bl):
        top = b == len(bl) - 1
        sel = (f >= lo) & ((f < hi) | (top & (f <= hi)))
        pw = np.sum(p[:, sel] * c[sel]) / (n_fft * wsum)
        out.append(10 * np.log10(max(pw, 1e-12)))
    return out


def shape(x, sr):
    s = mag(x, 2048, 512, 2048, "constant")  # [frames, bins]
    f = np.arange(s.shape[1]) * sr / 2048
    tot = s.sum(axis=1)
    cen = np.where(tot > 0, (s * f).sum(axis=1) / np.where(tot > 0, tot, 1), 0.0)
    cum = np.cumsum(s, axis=1)
    ind = np.where(cum < 0.85 * cum[:, -1:], np.nan, 1.0)
    roll = np.nanmin(ind * f, axis=1)
    return float(cen.mean()), float(roll.mean())


def signal_pair(sr, n):
    t = np.arange(n) / sr
    ref = 0.3 * np.sin(2 * np.pi * 440 * t) + 0.1 * np.sin(2 * np.pi * 3100 * t + 0.3) \
        + 0.05 * rng.standard_normal(n) + 0.02 * np.sin(2 * np.pi * 9000 * t) * (sr > 20000)
    ref = ref.astype(np.float32)
    # candidate: low-passed (FFT brick wall at 3.5 kHz), scaled by 0.8, plus a little noise and a small delay
    spec = np.fft.rfft(ref.astype(np.float64))
    spec[np.fft.rfftfreq(n, 1 / sr) > 3500] = 0
    est = 0.8 * np.fft.irfft(spec, n) + 0.01 * rng.standard_normal(n)
    est = np.roll(est, 3)
    return ref, est.astype(np.float32)


cases = []
for name, sr, n in [("sr16k", 16000, 4000), ("sr44k", 44100, 5000)]:
    ref, est = signal_pair(sr, n)
    ref64 = ref.astype(np.float64)
    est64 = est.astype(np.float64)
    sc, _ = stft_loss(ref64, est64, 1024, 256, 1024)
    cases.append({
        "name": name,
        "sample_rate": sr,
        "reference": arr32(ref),
        "candidate": arr32(est),
        "lsd": lsd(ref64, est64),
        "lsd_identity": lsd(ref64, ref64),
        "mrstft": mrstft(ref64, est64),
        "spectral_convergence": sc,
        "si_sdr": si_sdr(ref, est),
        "reference_band_db": bands(ref64, sr),
        "candidate_band_db": bands(est64, sr),
        "reference_shape": shape(ref64, sr),
        "candidate_shape": shape(est64, sr),
    })

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "metrics_fixture.json")
with open(out, "w") as fh:
    json.dump({"cases": cases}, fh)
print("wrote", out)
for c in cases:
    print(c["name"], {k: v for k, v in c.items() if k not in ("reference", "candidate", "name")})
