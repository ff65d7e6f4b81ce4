"""Re-execute the notebooks in place so that their stored outputs and charts are current.

Usage: python tools/run_notebooks.py [NOTEBOOK ...]

Runs every ``notebooks/*.ipynb`` (or the ones named) top to bottom in a fresh
kernel, from the ``notebooks/`` folder, and writes each back with its new
outputs (atomically). Run it whenever the default model, the plots or the
example corpus change, and commit the notebooks with their outputs. The test
suite executes the same notebooks with nbmake.
"""

from __future__ import annotations

import glob
import os
import sys
import time

import nbformat
from nbclient import NotebookClient

HERE = os.path.dirname(os.path.abspath(__file__))
NOTEBOOKS = os.path.join(os.path.dirname(HERE), "notebooks")


def run(path: str, timeout: int = 600) -> float:
    """Execute ``path`` in place; return the seconds it took."""
    book = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    NotebookClient(
        book,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": os.path.dirname(os.path.abspath(path))}},
    ).execute()
    elapsed = time.perf_counter() - start
    # Keep the stored notebooks free of per-run noise.
    book.metadata.pop("widgets", None)
    for cell in book.cells:
        cell.metadata.pop("execution", None)
    tmp = os.path.join(os.path.dirname(path), f".{os.path.basename(path)}.tmp-{os.getpid()}")
    try:
        nbformat.write(book, tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return elapsed


def main(argv=None) -> int:
    paths = (argv if argv is not None else sys.argv[1:]) or sorted(
        glob.glob(os.path.join(NOTEBOOKS, "*.ipynb"))
    )
    if not paths:
        print(f"no notebooks in {NOTEBOOKS}", file=sys.stderr)
        return 2
    for path in paths:
        elapsed = run(path)
        print(f"{os.path.relpath(path)}: executed in {elapsed:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
