"""Run benchmarks: ``python -m benchmarks all [--semeval-data DIR]``.

``all`` runs, one after the other, ``accuracy`` (development set against
baselines, classifiers, ablation, counterfactual swaps, calibration),
``speed`` (one core, against the floor), ``scale`` (streaming, workers,
Dask) and, when ``--semeval-data`` names a folder with the SemEval-2016
Task 6A files, ``semeval2016``. Each also runs alone:
``python -m benchmarks.accuracy`` and so on. Results go to
``benchmarks/results/*.json``; the Markdown tables go to standard output.
"""

from __future__ import annotations

import argparse
import importlib
import os
import time

NAMES = ("accuracy", "speed", "scale", "semeval2016")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("which", nargs="+", choices=("all", *NAMES))
    parser.add_argument("--semeval-data", default=None, help="folder of the SemEval files")
    args = parser.parse_args(argv)
    chosen = NAMES if "all" in args.which else tuple(args.which)
    for name in chosen:
        if name == "semeval2016" and not args.semeval_data:
            if "all" in args.which:
                print("\n## semeval2016: skipped (pass --semeval-data DIR)")
                continue
            parser.error("semeval2016 needs --semeval-data DIR")
        module = importlib.import_module(f"benchmarks.{name}")
        print(f"\n## {name}\n", flush=True)
        started = time.perf_counter()
        extra = ["--data", os.fspath(args.semeval_data)] if name == "semeval2016" else []
        module.main(extra)
        print(f"\n({name}: {time.perf_counter() - started:.0f} s)", flush=True)


if __name__ == "__main__":
    main()
