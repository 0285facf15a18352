#!/usr/bin/env bash
# Exports one random-init checkpoint with the pinned stack (Debian 13 chroot: torch 2.6, diffusers 0.39.0,
# transformers 4.49.0, huggingface_hub 0.36.2 from ../shared/upstream) and with today's stack (a venv of the
# machine's wheelhouse: torch 2.13, transformers 5.x, diffusers 0.40.0), then runs audioldm4j on both bundles
# (generate with a seed, VAE round trip) and prints the differences, the manifest fields that differ and
# the tokenizations that differ. Needs root (debootstrap, chroot), Debian's mirror, the wheelhouse, and the
# built distribution (mvn -B -q install -DskipTests).
#
#   bash torchscript-models/upstream/two_stacks.sh WORK_DIR [TODAY_PYTHON]
#
# TODAY_PYTHON: a python with torch 2.13 / transformers 5 / diffusers 0.40 (default: target/upstream-venv,
# which .ci/run makes).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="${1:?usage: two_stacks.sh WORK_DIR [TODAY_PYTHON]}"
today="${2:-$root/target/upstream-venv/bin/python}"
upstream="$root/../shared/upstream"
launcher="$root/examples/target/audioldm4j/bin/audioldm4j"
for f in diffusers-0.39.0 transformers-4.49.0 huggingface_hub-0.36.2; do
    [ -f "$upstream/$f.tar.gz" ] || { echo "missing $upstream/$f.tar.gz" >&2; exit 2; }
done
[ -x "$today" ] || { echo "TODAY_PYTHON $today is not executable" >&2; exit 2; }
[ -x "$launcher" ] || { echo "build the distribution first: mvn -B -q install -DskipTests" >&2; exit 2; }
mkdir -p "$work"
work="$(cd "$work" && pwd)"
chroot_dir="$work/trixie"
if [ ! -x "$chroot_dir/opt/venv/bin/python" ]; then
    echo "== Debian 13 chroot with torch 2.6 (debootstrap, about 2 min)"
    command -v debootstrap >/dev/null || apt-get install -y -qq debootstrap >/dev/null
    debootstrap --variant=minbase trixie "$chroot_dir" http://deb.debian.org/debian >"$work/debootstrap.log" 2>&1
    cp /etc/resolv.conf "$chroot_dir/etc/resolv.conf"
    chroot "$chroot_dir" bash -c "export DEBIAN_FRONTEND=noninteractive; apt-get update -qq && apt-get install -y -qq \
        --no-install-recommends python3-torch python3-numpy python3-pip python3-venv python3-setuptools python3-wheel \
        libopenblas0-pthread python3-safetensors python3-sentencepiece python3-scipy python3-yaml python3-requests \
        python3-filelock python3-tqdm python3-packaging python3-regex python3-pil python3-httpx \
        python3-importlib-metadata >/dev/null"
    mkdir -p "$chroot_dir/opt/src"
    for f in diffusers-0.39.0 transformers-4.49.0 huggingface_hub-0.36.2; do
        tar xzf "$upstream/$f.tar.gz" -C "$chroot_dir/opt/src"
    done
    # tokenizers (Rust) is not a Debian package; the wheelhouse's abi3 wheel works on Python 3.13
    whl="$(ls /opt/pypi/files/tokenizers-0.22.*-abi3-manylinux*_x86_64*.whl 2>/dev/null | head -1 || true)"
    [ -n "$whl" ] || { echo "no tokenizers 0.22 abi3 wheel in /opt/pypi/files" >&2; exit 1; }
    cp "$whl" "$chroot_dir/opt/src/"
    chroot "$chroot_dir" bash -c "python3 -m venv --system-site-packages /opt/venv && cd /opt/src && \
        /opt/venv/bin/pip install -q --no-index --no-deps tokenizers-*.whl && \
        for d in huggingface_hub-0.36.2 transformers-4.49.0 diffusers-0.39.0; do \
            /opt/venv/bin/pip install -q --no-deps --no-build-isolation --no-index ./\$d || exit 1; done"
    # transformers 4.49 pins tokenizers<0.22 at import; 0.21 is not in the wheelhouse (noted in the README)
    sed -i 's/"tokenizers": "tokenizers>=0.21,<0.22"/"tokenizers": "tokenizers>=0.21,<0.23"/' \
        "$chroot_dir"/opt/venv/lib/python3.*/site-packages/transformers/dependency_versions_table.py
fi
echo "== pinned stack: $(chroot "$chroot_dir" /opt/venv/bin/python -c 'import torch, diffusers, transformers; \
print("torch", torch.__version__, "diffusers", diffusers.__version__, "transformers", transformers.__version__)' 2>/dev/null)"
rm -rf "$chroot_dir/opt/x" && mkdir -p "$chroot_dir/opt/x"
cp -r "$root/torchscript-models" "$chroot_dir/opt/x/tm"
echo "== the exporter's unit tests under the chroot's torch 2.6"
timeout 600 chroot "$chroot_dir" bash -c "cd /opt/x/tm && /usr/bin/python3 -m unittest discover -s tests -p 'test_*.py'" \
    2>&1 | tail -3
# the checkpoint comes from the pinned stack: transformers 5 writes tokenizer configs transformers 4.49 cannot read
chroot "$chroot_dir" bash -c "cd /opt/x && /opt/venv/bin/python tm/upstream/make_checkpoint.py --config small \
    --out ckpt >/dev/null 2>&1 && HF_HUB_OFFLINE=1 /opt/venv/bin/python tm/export_audioldm2.py ckpt --out bundle \
    --overwrite --no-diffusers-check" >"$work/export-pinned.log" 2>&1 || { tail -30 "$work/export-pinned.log"; exit 1; }
rm -rf "$work/bundle-pinned" "$work/bundle-today"
cp -r "$chroot_dir/opt/x/bundle" "$work/bundle-pinned"
HF_HUB_OFFLINE=1 "$today" "$root/torchscript-models/export_audioldm2.py" "$chroot_dir/opt/x/ckpt" --out \
    "$work/bundle-today" --overwrite --no-diffusers-check >"$work/export-today.log" 2>&1 \
    || { tail -30 "$work/export-today.log"; exit 1; }
echo "== audioldm4j on both bundles"
"$today" - "$work" "$launcher" "$here" <<'PY'
import json, os, subprocess, sys
import numpy as np
work, launcher = sys.argv[1], sys.argv[2]
sys.path.insert(0, sys.argv[3])
from parity import make_input  # parity.py's test signal
wav = os.path.join(work, "input.wav")
make_input(wav, 3.3)
out = {}
for b in ("pinned", "today"):
    bd = os.path.join(work, "bundle-" + b)
    for cmd, d in ((["generate", "--prompt", "A dog barking", "--negative", "low quality", "--length", "2.56", "--steps",
                     "10", "--seed", "42", "--scheduler", "DPMSolverMultistepScheduler"], "gen"),
                   (["reconstruct", "--input", wav, "--mode", "vae"], "vae")):
        nd = os.path.join(work, "%s-%s" % (d, b))
        subprocess.run([launcher] + cmd + ["--bundle", bd, "--npy-out", nd, "--out", os.path.join(nd, "a.wav"), "--quiet",
                        "--threads", "1"], check=True, capture_output=True)
def cmp(f):
    a = np.load(os.path.join(work, f.replace("@", "pinned"))).astype(np.float64)
    b = np.load(os.path.join(work, f.replace("@", "today"))).astype(np.float64)
    d = np.abs(a - b).max()
    return {"max_abs": float(d), "max_rel": float(d / np.abs(b).max())}
res = {k: cmp(k) for k in ("gen-@/final_latents.npy", "gen-@/waveform_0.npy", "vae-@/posterior_mean.npy",
                            "vae-@/decoded_mel.npy", "vae-@/waveform.npy")}
m1 = json.load(open(os.path.join(work, "bundle-pinned", "manifest.json")))
m2 = json.load(open(os.path.join(work, "bundle-today", "manifest.json")))
res["manifest_fields_differing"] = sorted(k for k in set(m1) | set(m2) if k not in ("export", "reference", "description",
                                          "model_id", "components") and m1.get(k) != m2.get(k))
res["component_fields_differing"] = sorted({f for c in m1["components"] for f in set(m1["components"][c]) |
                                            set(m2["components"][c]) if m1["components"][c].get(f) != m2["components"][c].get(f)})
from tokenizers import Tokenizer
texts = ["A dog barking", "low quality", "  double  spaces ", "tab\tseparated\nnewline", "Ünïcödé café ﬁ ①",
         "A DOG's bark!!!", "rain…on a roof", "ｆｕｌｌｗｉｄｔｈ"]
for t in ("clap", "t5"):
    a = Tokenizer.from_file(os.path.join(work, "bundle-pinned", "tokenizers", t + ".json"))
    b = Tokenizer.from_file(os.path.join(work, "bundle-today", "tokenizers", t + ".json"))
    res["tokenization_differs_" + t] = [s for s in texts if a.encode(s).ids != b.encode(s).ids]
print(json.dumps(res, indent=1))
PY
