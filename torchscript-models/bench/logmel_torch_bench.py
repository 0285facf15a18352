#!/usr/bin/python3
"""Throughput baseline for the AudioLDM2 log-mel front end in PyTorch.

Computes log(clamp(mel_basis @ |torch.stft(x)|, 1e-5)) with AudioLDM2's parameters (16 kHz, n_fft 1024, hop 160,
win 1024, periodic Hann, centre/reflect, 64 Slaney mels 0-8000 Hz) on float32 CPU tensors and prints the
throughput in seconds of audio per second of wall time. The Java benchmark
(io.github.audioldm4j.examples.bench.DspBench) runs this script and parses the line starting with
"TORCH_LOGMEL_THROUGHPUT".

Usage: /usr/bin/python3 logmel_torch_bench.py [--seconds 10.24] [--min-time 2.0] [--rounds 5] [--threads N]
"""
import argparse
import statistics
import time

import numpy as np
import torch


def slaney_mel_basis(sr=16000, n_fft=1024, n_mels=64, fmin=0.0, fmax=8000.0):
    """Slaney-scale, Slaney-normalised triangular filters (same definition as librosa.filters.mel), float32."""
    f_sp = 200.0 / 3
    min_log_hz = 1000.0
    min_log_mel = min_log_hz / f_sp
    logstep = np.log(6.4) / 27.0

    def hz_to_mel(f):
        f = np.asarray(f, dtype=np.float64)
        return np.where(f >= min_log_hz, min_log_mel + np.log(np.maximum(f, 1e-12) / min_log_hz) / logstep, f / f_sp)

    def mel_to_hz(m):
        m = np.asarray(m, dtype=np.float64)
        return np.where(m >= min_log_mel, min_log_hz * np.exp(logstep * (m - min_log_mel)), f_sp * m)

    fft_freqs = np.fft.rfftfreq(n_fft, 1.0 / sr)
    mel_f = mel_to_hz(np.linspace(hz_to_mel(fmin), hz_to_mel(fmax), n_mels + 2))
    fdiff = np.diff(mel_f)
    ramps = mel_f[:, None] - fft_freqs[None, :]
    lower = -ramps[:-2] / fdiff[:-1, None]
    upper = ramps[2:] / fdiff[1:, None]
    weights = np.maximum(0, np.minimum(lower, upper))
    weights *= (2.0 / (mel_f[2:] - mel_f[:-2]))[:, None]
    return torch.from_numpy(weights.astype(np.float32))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=10.24, help="audio length per call")
    ap.add_argument("--min-time", type=float, default=2.0, help="minimum wall time per measurement round")
    ap.add_argument("--rounds", type=int, default=5, help="measurement rounds (median reported)")
    ap.add_argument("--threads", type=int, default=0, help="torch.set_num_threads (0 = torch default)")
    args = ap.parse_args()
    if args.threads > 0:
        torch.set_num_threads(args.threads)

    sr = 16000
    n = int(round(args.seconds * sr))
    gen = torch.Generator().manual_seed(0)
    x = (torch.rand(n, generator=gen) - 0.5).float()
    basis = slaney_mel_basis()
    window = torch.hann_window(1024, periodic=True)

    def logmel(sig):
        spec = torch.stft(sig, 1024, hop_length=160, win_length=1024, window=window, center=True,
                          pad_mode="reflect", normalized=False, onesided=True, return_complex=True)
        return torch.log(torch.clamp(torch.matmul(basis, spec.abs()), min=1e-5))

    with torch.inference_mode():
        out = logmel(x)
        assert out.shape == (64, 1 + n // 160), out.shape
        warm_end = time.perf_counter() + 1.0
        while time.perf_counter() < warm_end:
            logmel(x)
        rates = []
        for _ in range(args.rounds):
            calls = 0
            start = time.perf_counter()
            while True:
                logmel(x)
                calls += 1
                elapsed = time.perf_counter() - start
                if elapsed >= args.min_time:
                    break
            rates.append(calls * args.seconds / elapsed)
    print("torch %s, threads %d, signal %.2f s, rounds %s" % (torch.__version__, torch.get_num_threads(), args.seconds,
                                                            " ".join("%.1f" % r for r in rates)))
    print("TORCH_LOGMEL_THROUGHPUT %.3f threads=%d" % (statistics.median(rates), torch.get_num_threads()))


if __name__ == "__main__":
    main()
