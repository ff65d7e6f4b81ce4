"""Scoring at scale, in one run: throughput, peak memory, interrupt and resume.

Usage::

    python -m benchmarks.scale [--sizes 1,10,100] [--throughput-size 10] [--repeat 3]

The 1x corpus is the bundled articles (``stancekit.datasets``) plus the
example articles in ``examples/``; the Nx corpus repeats it N times with new
``doc_id``s, as JSON Lines. The run measures

- articles/s of ``StanceModel.score_articles`` (in memory), of
  ``stancekit score --output`` with ``--n-jobs 1`` and ``--n-jobs 2``, and of
  a ``distributed.LocalCluster`` with 2 worker processes (``score_dataframe``
  and ``score --scheduler``), each as a ratio to single-process
  ``score --output``, best of ``--repeat`` rounds (each runs every path once, so
  other load on the machine falls on all of them), with the CPU time per
  article (this process and its workers), checking that every path gives the
  same rows; the worker processes' start-up counts for ``n_jobs=2`` (a pool
  per run), not for the LocalCluster (an existing cluster);
- the peak RSS of streaming the 1x, 10x and 100x corpora into a CSV file
  (``score_corpus``, chunks of 200 articles), each in a fresh process that
  loads the model, resets the kernel's peak counter (``/proc/self/clear_refs``)
  and reads ``VmHWM`` when done: the peak while scoring, model included;
- a run killed with SIGKILL after two chunks and resumed with ``--resume``,
  compared byte for byte with an uninterrupted run;

and writes ``benchmarks/results/scale.json`` and a Markdown summary. Work
files go to ``benchmarks/results/tmp/`` (ignored by git).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import time

import pandas as pd

import stancekit
from stancekit.stream import score_corpus

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
RESULTS = os.path.join(HERE, "results")
WORK = os.path.join(RESULTS, "tmp")
CHUNK_SIZE = 200  # several full chunks even in the 1x corpus


def base_articles() -> pd.DataFrame:
    """The 1x corpus: bundled articles and the examples, with dates."""
    rows = [
        {"doc_id": a["doc_id"], "text": stancekit.datasets.article_text(a), "date": a["date"]}
        for a in stancekit.datasets.load_articles()
    ]
    folder = os.path.join(ROOT, "examples")
    for name in sorted(os.listdir(folder)):
        if name.endswith(".txt"):
            with open(os.path.join(folder, name), encoding="utf-8") as fh:
                rows.append({"doc_id": name[:-4], "text": fh.read(), "date": None})
    return pd.DataFrame(rows)


def write_corpus(base: pd.DataFrame, times: int) -> str:
    """Write the Nx corpus once per content of the 1x corpus (a changed corpus gets a new file)."""
    digest = hashlib.sha256(base.to_json(orient="records").encode("utf-8")).hexdigest()[:12]
    path = os.path.join(WORK, f"corpus_{times}x_{digest}.jsonl")
    if os.path.exists(path):
        return path
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        for k in range(times):
            copy = base.assign(doc_id=[f"{d}#{k}" for d in base["doc_id"]])
            fh.write(copy.to_json(orient="records", lines=True, force_ascii=False))
    os.replace(tmp, path)
    return path


def command(corpus, out, *extra):
    return [sys.executable, "-m", "stancekit", "score", corpus, "-o", out, "-q", *extra]


def run_measured(argv) -> dict:
    """Run a command in a fresh process; return its wall time (and what it printed)."""
    start = time.perf_counter()
    proc = subprocess.run(argv, capture_output=True, cwd=ROOT)
    seconds = time.perf_counter() - start
    if proc.returncode:
        raise RuntimeError(f"{' '.join(argv)} failed ({proc.returncode}): {proc.stderr.decode()}")
    result = {"seconds": seconds}
    if proc.stdout.strip().startswith(b"{"):
        result.update(json.loads(proc.stdout))
    return result


def fresh(path):
    for p in (path, f"{path}.progress", f"{path}.errors.csv"):
        if os.path.isdir(p):
            shutil.rmtree(p)
        elif os.path.exists(p):
            os.remove(p)
    return path


def _status_mb(field: str) -> float:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")


def child(corpus, out):
    """Score in this process; print RSS after loading and the peak while scoring."""
    model = stancekit.load_model()
    loaded = _status_mb("VmRSS")
    peak_loading = _status_mb("VmHWM")
    try:  # reset the peak (VmHWM) to the current RSS, so it measures scoring alone
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        reset = True
    except OSError:
        reset = False
    score_corpus(corpus, out, model, chunk_size=CHUNK_SIZE, progress=False)
    print(
        json.dumps(
            {
                "rss_after_load_mb": loaded,
                "peak_rss_loading_mb": peak_loading,
                "peak_rss_scoring_mb": _status_mb("VmHWM") if reset else None,
                "rss_at_end_mb": _status_mb("VmRSS"),
            }
        )
    )


def memory(base, sizes) -> list[dict]:
    rows = []
    for times in sizes:
        corpus = write_corpus(base, times)
        out = fresh(os.path.join(WORK, f"memory_{times}x.csv"))
        print(f"peak RSS: {times}x ...", file=sys.stderr, flush=True)
        argv = [sys.executable, "-m", "benchmarks.scale", "--child", corpus, out]
        measured = run_measured(argv)
        n = len(base) * times
        rows.append(
            {
                "times": times,
                "articles": n,
                "corpus_mb": os.path.getsize(corpus) / 2**20,
                "output_mb": os.path.getsize(out) / 2**20,
                "articles_per_s": n / measured["seconds"],
                **measured,
            }
        )
        os.remove(out)
    return rows


def cpu_seconds() -> float:
    """CPU time of this process and of its children, living or reaped."""
    import resource

    import psutil

    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    for proc in psutil.Process().children(recursive=True):
        try:
            times = proc.cpu_times()
            total += times.user + times.system
        except psutil.Error:
            pass
    return total


def throughput(base, times, repeat) -> dict:
    import dask.dataframe as dd
    from distributed import Client, LocalCluster

    from stancekit.dask import score_dataframe

    corpus = write_corpus(base, times)
    frame = pd.read_json(corpus, lines=True, dtype=False)
    n = len(frame)
    model = stancekit.load_model()
    runs, results = {}, {}

    def timed(name, fn):
        cpu = cpu_seconds()
        start = time.perf_counter()
        results[name] = fn()
        seconds = time.perf_counter() - start
        cpu = cpu_seconds() - cpu
        if name not in runs or seconds < runs[name]["seconds"]:
            runs[name] = {
                "seconds": seconds,
                "articles_per_s": n / seconds,
                "cpu_ms_per_article": 1000 * cpu / n,
                "load_average_1min_after": os.getloadavg()[0],
            }

    def stream(**kwargs):
        out = fresh(os.path.join(WORK, "speed.csv"))
        score_corpus(corpus, out, model, **kwargs)
        with open(out, "rb") as fh:
            data = fh.read()
        os.remove(out)
        return data

    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        Client(cluster) as client,
    ):
        ddf = dd.from_pandas(frame, npartitions=16)
        paths = {
            "score_articles (in memory)": lambda: model.score_articles(frame, progress=False),
            "score --output, n_jobs=1": lambda: stream(n_jobs=1),
            "score --output, n_jobs=2": lambda: stream(n_jobs=2),
            "LocalCluster, 2 workers: score_dataframe": (
                lambda: score_dataframe(ddf, model, client=client).compute()
            ),
            "LocalCluster, 2 workers: score --scheduler": (
                lambda: stream(scheduler=cluster.scheduler_address)
            ),
        }
        # Round after round, so that other load on the machine falls on every path alike.
        for attempt in range(repeat):
            for name, fn in paths.items():
                print(f"throughput: {name} ({attempt + 1}/{repeat}) ...", file=sys.stderr)
                timed(name, fn)
    single = runs["score --output, n_jobs=1"]["articles_per_s"]
    for run in runs.values():
        run["ratio_to_single_process"] = run["articles_per_s"] / single
    reference = results["score --output, n_jobs=1"]
    same = {
        "n_jobs=2": results["score --output, n_jobs=2"] == reference,
        "--scheduler": results["LocalCluster, 2 workers: score --scheduler"] == reference,
    }
    try:
        pd.testing.assert_frame_equal(
            results["LocalCluster, 2 workers: score_dataframe"].reset_index(drop=True),
            results["score_articles (in memory)"],
            check_exact=True,
        )
        same["score_dataframe vs score_articles"] = True
    except AssertionError:
        same["score_dataframe vs score_articles"] = False
    return {
        "articles": n,
        "times": times,
        "repeat": repeat,
        "runs": runs,
        "identical_rows": same,
    }


def interrupt_and_resume(base) -> dict:
    corpus = write_corpus(base, 1)
    full = fresh(os.path.join(WORK, "uninterrupted.csv"))
    run_measured(command(corpus, full, "--chunk-size", "50"))
    out = fresh(os.path.join(WORK, "interrupted.csv"))
    progress = f"{out}.progress"
    print("interrupt and resume ...", file=sys.stderr, flush=True)
    proc = subprocess.Popen(command(corpus, out, "--chunk-size", "50"))
    while proc.poll() is None:
        if os.path.exists(progress):
            with open(progress, encoding="utf-8") as fh:
                if json.load(fh)["chunks"] >= 2:
                    break
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    with open(progress, encoding="utf-8") as fh:
        state = json.load(fh)
    with open(out, "rb") as fh:
        partial = fh.read()
    with open(full, "rb") as fh:
        whole = fh.read()
    rows_at_kill = len(pd.read_csv(out))
    run_measured(command(corpus, out, "--chunk-size", "50", "--resume"))
    with open(out, "rb") as fh:
        resumed = fh.read()
    result = {
        "articles": len(base),
        "chunk_size": 50,
        "exit_code_of_killed_run": proc.returncode,
        "chunks_recorded_at_kill": state["chunks"],
        "articles_recorded_at_kill": state["articles"],
        "rows_readable_at_kill": rows_at_kill,
        "killed_output_is_prefix_of_uninterrupted": whole.startswith(partial),
        "rows_uninterrupted": len(pd.read_csv(full)),
        "rows_after_resume": len(pd.read_csv(out)),
        "resumed_equals_uninterrupted": resumed == whole,
    }
    os.remove(out)
    os.remove(full)
    return result


def markdown(result) -> str:
    lines = [
        "| scoring path | articles/s | ratio to single process | CPU ms / article |",
        "|---|---:|---:|---:|",
    ]
    for name, run in result["throughput"]["runs"].items():
        lines.append(
            f"| {name} | {run['articles_per_s']:.0f} | {run['ratio_to_single_process']:.2f} "
            f"| {run['cpu_ms_per_article']:.1f} |"
        )
    lines += [
        "",
        "| corpus | articles | RSS after loading (MB) | peak RSS while scoring (MB) | "
        "peak RSS loading (MB) | articles/s |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for row in result["memory"]:
        lines.append(
            f"| {row['times']}x | {row['articles']:,} | {row['rss_after_load_mb']:.0f} | "
            f"{row['peak_rss_scoring_mb']:.0f} | {row['peak_rss_loading_mb']:.0f} | "
            f"{row['articles_per_s']:.0f} |"
        )
    lines += ["", json.dumps(result["interrupt_and_resume"], indent=1)]
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,10,100", help="corpus multiples for peak RSS")
    parser.add_argument("--throughput-size", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3, help="throughput: best of N rounds")
    parser.add_argument("--child", nargs=2, metavar=("CORPUS", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(*args.child)
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    os.makedirs(WORK, exist_ok=True)
    base = base_articles()
    started = time.time()
    load_before = os.getloadavg()
    result = {
        "date": time.strftime("%Y-%m-%d"),
        "machine": {
            "platform": platform.platform(),
            "machine": platform.machine(),
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "stancekit": stancekit.__version__,
            "pandas": pd.__version__,
        },
        "corpus_1x": {
            "articles": len(base),
            "mean_chars": float(base["text"].str.len().mean()),
            "source": "bundled articles (stancekit.datasets) + examples/*.txt",
        },
        "chunk_size": CHUNK_SIZE,
    }
    result["throughput"] = throughput(base, args.throughput_size, args.repeat)
    result["memory"] = memory(base, sizes)
    rss = [r["peak_rss_scoring_mb"] or float("nan") for r in result["memory"]]
    result["peak_rss_scoring_spread"] = (max(rss) - min(rss)) / min(rss)
    result["interrupt_and_resume"] = interrupt_and_resume(base)
    result["load_average_before_after"] = [list(load_before), list(os.getloadavg())]
    result["total_seconds"] = time.time() - started
    with open(os.path.join(RESULTS, "scale.json"), "w", encoding="utf-8") as fh:
        json.dump(result, fh, indent=2)
        fh.write("\n")
    print(markdown(result))


if __name__ == "__main__":
    main()
