#!/usr/bin/python3
"""Writes a bundle exported by export_audioldm2.export_bundle from the stand-in models of standins.py.

    /usr/bin/python3 torchscript-models/tests/export_standin_bundle.py OUT_DIR

The same code path as a real export (wrappers, tracing, checks, tokenizers, manifest, component and
pipeline references), with tiny models: the Java tests (ExportedBundleTest, VerifyBundleTest) open the
result with ModelBundle.open and re-run its references through the Java runtime and pipeline.
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [os.path.dirname(HERE), HERE]

import torch  # noqa: E402

import export_audioldm2 as ex  # noqa: E402
import standins  # noqa: E402


def main(argv):
    if len(argv) != 2:
        print("usage: export_standin_bundle.py OUT_DIR", file=sys.stderr)
        return 2
    torch.set_num_threads(1)
    source = standins.make_source(seed=0)
    opts = standins.standin_options(ex, overwrite=True, log=print)
    ex.export_bundle(source, argv[1], opts)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
