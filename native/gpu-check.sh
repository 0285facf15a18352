#!/usr/bin/env bash
# The GPU check in one command (issue: CUDA fp16 / bf16 / CUDA graphs measured on a real-size model).
#
#   native/gpu-check.sh [--cpu] [--out DIR] [--work DIR] [--python PY] [--upstream DIR]
#                       [--config small|base|large|music] [--seconds S] [--steps N] [--rounds N]
#
# 1. builds libaldm2 against the libtorch of PY's torch (torch.utils.cmake_prefix_path), with
#    -DALDM2_CUDA_ARCHS=90 on CUDA (ninja when present);
# 2. runs the C test (native/tests/aldm2_c_api_test.c) on the tiny bundle with its component checks
#    on CUDA in fp32, fp16, bf16 and fp16 with CUDA-graph replay (--cpu: on the CPU in fp32 and bf16);
# 3. native/gpu_check.py: a random-init checkpoint of the real diffusers/transformers classes
#    (default config base on CUDA, small with --cpu), exported with the project's exporter on the
#    device (fp16 on CUDA, fp32 on the CPU), timed through the C ABI and in torch; writes
#    gpu-check.json and gpu-check.md into --out (default $OUT, else ./gpu-check-out).
#
# Python needs torch, transformers, tokenizers, safetensors, numpy, Pillow and diffusers >= 0.39;
# when diffusers is missing it is installed (no network) from diffusers-0.40.0.tar.gz in --upstream
# (default: ../shared/upstream beside the checkout, else .gpu-carry/ in it) into the work folder.
# Exit status: 0 when every step passed, 1 when a C test or a measurement failed, 2 on bad usage,
# 3 when the environment lacks something (named in the message).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"

mode=cuda
out="${OUT:-$PWD/gpu-check-out}"
work=""
python="${PYTHON:-python3}"
upstream=""
extra=()
usage() { sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
    case "$1" in
        --cpu) mode=cpu ;;
        --out) out="${2:?--out needs a folder}"; shift ;;
        --work) work="${2:?--work needs a folder}"; shift ;;
        --python) python="${2:?--python needs a path}"; shift ;;
        --upstream) upstream="${2:?--upstream needs a folder}"; shift ;;
        --config|--seconds|--steps|--rounds) extra+=("$1" "${2:?$1 needs a value}"); shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "gpu-check: unknown option '$1'" >&2; usage >&2; exit 2 ;;
    esac
    shift
done
mkdir -p "$out"
out="$(cd "$out" && pwd)"
if [ -z "$work" ]; then work="$(mktemp -d "${TMPDIR:-/tmp}/gpu-check.XXXXXX")"; fi
mkdir -p "$work"
work="$(cd "$work" && pwd)"
log() { echo "== gpu-check: $*"; }
# no progress bars or info chatter from huggingface_hub / transformers / diffusers in logs
export HF_HUB_DISABLE_PROGRESS_BARS=1 TRANSFORMERS_VERBOSITY=error DIFFUSERS_VERBOSITY=error TQDM_DISABLE=1
missing() { echo "gpu-check: $*" >&2; exit 3; }

# ---- Python environment -------------------------------------------------------------------------
command -v "$python" >/dev/null || missing "no Python '$python' (use --python)"
"$python" -c "import torch, numpy, transformers, tokenizers, safetensors" 2>/dev/null \
    || missing "$python lacks one of torch, numpy, transformers, tokenizers, safetensors"
"$python" -c "import PIL" 2>/dev/null || missing "$python lacks Pillow (diffusers imports PIL)"
if ! "$python" -c "import diffusers" 2>/dev/null; then
    if [ -z "$upstream" ]; then
        for d in "$root/../shared/upstream" "$root/.gpu-carry"; do
            if [ -f "$d/diffusers-0.40.0.tar.gz" ]; then upstream="$d"; break; fi
        done
    fi
    [ -n "$upstream" ] && [ -f "$upstream/diffusers-0.40.0.tar.gz" ] \
        || missing "diffusers is not installed and no diffusers-0.40.0.tar.gz was found (--upstream DIR)"
    log "installing diffusers 0.40.0 from $upstream into $work/pydeps"
    rm -rf "$work/diffusers-src" && mkdir -p "$work/diffusers-src"
    tar xzf "$upstream/diffusers-0.40.0.tar.gz" -C "$work/diffusers-src"
    src="$(find "$work/diffusers-src" -maxdepth 1 -mindepth 1 -type d | head -1)"
    "$python" -m pip install -q --no-deps --no-build-isolation --no-index --target "$work/pydeps" "$src" \
        || missing "pip could not install diffusers from $src"
    export PYTHONPATH="$work/pydeps${PYTHONPATH:+:$PYTHONPATH}"
    "$python" -c "import diffusers" || missing "diffusers from $src does not import (see above)"
fi
if [ "$mode" = cuda ]; then
    "$python" -c "import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)" \
        || missing "torch.cuda.is_available() is false (run with --cpu on a machine without a GPU)"
fi
"$python" -c "import torch, diffusers, transformers; print('torch', torch.__version__, '| diffusers', \
diffusers.__version__, '| transformers', transformers.__version__, '| cuda', torch.version.cuda)"

# ---- libaldm2 against this torch's libtorch -----------------------------------------------------
tdir="$("$python" -c "import os, torch; print(os.path.dirname(torch.__file__))")"
# torch/share/cmake for TorchConfig.cmake, and torch/ itself so that find_library looks in torch/lib
# before the system folders (a system libtorch, e.g. Debian's libtorch-dev, would be linked instead)
cmake_args=(-S "$here" -B "$work/build" -DALDM2_JNI=OFF -DCMAKE_BUILD_TYPE=Release
            "-DCMAKE_PREFIX_PATH=$tdir/share/cmake;$tdir")
if [ "$mode" = cuda ]; then cmake_args+=(-DALDM2_CUDA=ON -DALDM2_CUDA_ARCHS=90); else cmake_args+=(-DALDM2_CUDA=OFF); fi
if command -v ninja >/dev/null; then cmake_args+=(-G Ninja); fi
log "building libaldm2 ($mode) in $work/build"
t0=$(date +%s)
cmake "${cmake_args[@]}" > "$work/cmake.log" 2>&1 || { tail -40 "$work/cmake.log"; exit 1; }
cmake --build "$work/build" --parallel > "$work/build.log" 2>&1 || { tail -40 "$work/build.log"; exit 1; }
echo "built in $(( $(date +%s) - t0 )) s: $(ls "$work/build"/libaldm2.so)"

# ---- C tests: the component checks in each setting ----------------------------------------------
if [ "$mode" = cuda ]; then
    matrix="cuda:f32:0 cuda:f16:0 cuda:bf16:0 cuda:f16:1 cpu:f32:0"
else
    matrix="cpu:f32:0 cpu:bf16:0"
fi
failed=0
results="$work/c-tests.json"
echo "{" > "$results"
first=1
for cell in $matrix; do
    IFS=: read -r dev dt graph <<< "$cell"
    name="$dev-$dt$([ "$graph" = 1 ] && echo -graph || true)"
    log "C test $name"
    set +e
    ALDM2_TEST_DEVICE=$dev ALDM2_TEST_DTYPE=$dt ALDM2_TEST_CUDA_GRAPH=$graph \
        "$work/build/aldm2_c_api_test" "$root/torchscript-models/tiny-bundle" "$work/build" > "$out/c-test-$name.log" 2>&1
    rc=$?
    set -e
    grep -E "components on|  [a-z_0-9]+ +(max|bf16|skipped)|FAIL|checks" "$out/c-test-$name.log" || true
    summary="$(grep -E 'checks, [0-9]+ failures' "$out/c-test-$name.log" | tail -1 || true)"
    if [ $rc -ne 0 ]; then failed=1; result="FAILED (exit $rc)"; else result="passed"; fi
    [ $first = 1 ] || echo "," >> "$results"
    first=0
    printf '  "%s": {"result": "%s", "summary": "%s"}' "$name" "$result" "$summary" >> "$results"
done
echo "" >> "$results"
echo "}" >> "$results"
cp "$results" "$out/c-tests.json"

# ---- measurements ---------------------------------------------------------------------------------
log "measurements (native/gpu_check.py)"
set +e
"$python" "$here/gpu_check.py" --lib "$work/build/libaldm2.so" --device "$mode" --work "$work" --out "$out" \
    --c-tests "$results" ${extra[@]+"${extra[@]}"}
rc=$?
set -e
[ $rc -eq 0 ] || { echo "gpu-check: measurements failed (exit $rc)" >&2; exit 1; }
log "wrote $out/gpu-check.json and $out/gpu-check.md"
[ $failed -eq 0 ] || { echo "gpu-check: a C test failed (logs in $out)" >&2; exit 1; }
