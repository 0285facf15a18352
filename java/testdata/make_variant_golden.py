#!/usr/bin/env python3
"""Writes a golden folder of the same format as java/testdata/golden but with other cases, to check
that the golden tests read everything from the files (issue 11):

    python3 java/testdata/make_variant_golden.py java/testdata/golden /tmp/golden-variant
    mvn -B test -Daudioldm4j.golden=/tmp/golden-variant

What changes: every case list is subset and reordered (every second case dropped, the rest
reversed), the raw add_noise list and the random sequences lose entries, and when torch is
importable the torch_random*.json cases are redrawn with other seeds and shapes
(torch.Generator('cpu').manual_seed, ATEN_CPU_CAPABILITY as the file states; set it in the
environment before running, since torch reads it at import). Numbers that come from upstream
code are never edited, only dropped or reordered."""
import json
import os
import shutil
import sys


def thin(lst):
    kept = [c for i, c in enumerate(lst) if i % 2 == 0]
    return list(reversed(kept)) if kept else lst


def fmt(x):
    import numpy as np
    # str(np.float32) is the shortest decimal that round-trips the float32 (the folder's convention)
    return {"dtype": "float32", "shape": list(x.shape), "data": [float(str(np.float32(v))) for v in x.flatten()]}


def main(src, dst):
    if os.path.exists(dst):
        shutil.rmtree(dst)
    shutil.copytree(src, dst)
    for f in sorted(os.listdir(dst)):
        if not f.endswith(".json"):
            continue
        p = os.path.join(dst, f)
        d = json.load(open(p))
        for key in ("cases", "strength_cases"):
            if isinstance(d.get(key), list) and len(d[key]) > 1:
                d[key] = thin(d[key])
        if isinstance(d.get("raw_add_noise"), list) and len(d["raw_add_noise"]) > 1:
            d["raw_add_noise"] = d["raw_add_noise"][1:]
        if isinstance(d.get("sequences"), list) and len(d["sequences"]) > 1:
            d["sequences"] = d["sequences"][1:]
        if f.startswith("torch_random"):
            redraw(d)
        json.dump(d, open(p, "w"))
    print("wrote", dst)


def redraw(d):
    try:
        import torch
    except ImportError:
        print("torch not importable: torch_random cases only thinned")
        return
    want = d.get("aten_cpu_capability")
    have = os.environ.get("ATEN_CPU_CAPABILITY")
    if want != have:
        print("ATEN_CPU_CAPABILITY is %r, file wants %r: torch_random cases only thinned" % (have, want))
        return
    cases = []
    for seed, shape in [(99, [2, 8, 5, 3]), (2024, [17]), (31337, [1, 8, 64, 16]), (5, [33])]:
        for fn in ("randn", "rand"):
            g = torch.Generator("cpu").manual_seed(seed)
            x = getattr(torch, fn)(shape, generator=g)
            cases.append({"name": "%s_%s_seed%d" % (fn, "x".join(map(str, shape)), seed), "fn": fn,
                          "seed": seed, "shape": shape, "values": fmt(x.numpy())})
    d["cases"] = cases


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
