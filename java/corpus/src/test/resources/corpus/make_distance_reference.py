#!/usr/bin/env python3
"""Reference FAD and KAD for EmbeddingDistancesTest, computed the way fadtk and kadtk do:

* FAD = |mu_r - mu_c|^2 + tr(S_r) + tr(S_c) - 2 tr(sqrtm(S_r S_c)), numpy.cov (unbiased),
  scipy.linalg.sqrtm (real part), float64.
* KAD = 1000 * unbiased MMD^2 with the Gaussian kernel exp(-d^2 / (2 h^2)), h = the median of the
  pairwise distances within the reference set (numpy.median over i < j).

Cases (seeded numpy normals; written with the embeddings so the Java test reads everything from
the file): small and CLAP-sized dimensions, shifted and scaled candidates.

    /usr/bin/python3 java/corpus/src/test/resources/corpus/make_distance_reference.py
"""
import json
import os

import numpy as np
from scipy import linalg
from scipy.spatial.distance import cdist, pdist

HERE = os.path.dirname(os.path.abspath(__file__))


def fad(r, c):
    mr, mc = r.mean(0), c.mean(0)
    sr, sc = np.cov(r, rowvar=False), np.cov(c, rowvar=False)
    root = linalg.sqrtm(sr.dot(sc))
    if np.iscomplexobj(root):
        root = root.real
    return float(((mr - mc) ** 2).sum() + np.trace(sr) + np.trace(sc) - 2 * np.trace(root))


def kad(r, c):
    h = np.median(pdist(r))
    g = 1.0 / (2 * h * h)
    kxx = np.exp(-g * cdist(r, r, "sqeuclidean"))
    kyy = np.exp(-g * cdist(c, c, "sqeuclidean"))
    kxy = np.exp(-g * cdist(r, c, "sqeuclidean"))
    m, n = len(r), len(c)
    mmd = (kxx.sum() - np.trace(kxx)) / (m * (m - 1)) + (kyy.sum() - np.trace(kyy)) / (n * (n - 1)) - 2 * kxy.mean()
    return float(1000 * mmd), float(h)


cases = []
rng = np.random.default_rng(2026)
for name, m, n, d, shift, scale in [("small", 12, 10, 4, 0.3, 1.2), ("clap_sized", 60, 50, 32, 0.1, 0.9),
                                    ("identical_distribution", 40, 40, 8, 0.0, 1.0)]:
    r = rng.standard_normal((m, d))
    c = rng.standard_normal((n, d)) * scale + shift
    k, h = kad(r, c)
    cases.append({"name": name, "reference": r.tolist(), "candidate": c.tolist(), "fad": fad(r, c), "kad": k,
                  "bandwidth": h})
json.dump({"description": __doc__.strip().split("\n")[0], "cases": cases}, open(os.path.join(HERE, "distances.json"),
                                                                                 "w"))
print("wrote", os.path.join(HERE, "distances.json"))
