"""Scoring speed and memory on one core, against the floor, in one run.

Usage::

    python -m benchmarks.speed [--articles 400] [--repeat 3]

Workload: the example articles plus generated news articles of about 5 kB,
assembled with a fixed seed from the sentences of the bundled corpus (our
own writing). Measures, for the default model on one core:

- end to end (``model.score_articles``): articles/s, MB/s, mention rows/s;
- time per stage: segmentation, actor finding, mention rows, features,
  classifier, aggregation;
- model load time, model size on disk, training time (from the model card),
  peak resident memory;
- the floor on the same text: reading it from disk, tokenising it
  (``re.findall(r"\\w+")``), hashing the word 1-2-grams of the sentences that
  name an actor and one linear predict; and stancekit / floor.

Figures are medians of ``--repeat`` runs. Writes
``benchmarks/results/speed.json`` and a Markdown table to standard output.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import re  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
from sklearn.feature_extraction.text import HashingVectorizer  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402

import stancekit  # noqa: E402
from stancekit.aggregate import aggregate_stances  # noqa: E402
from stancekit.datasets import load_articles  # noqa: E402
from stancekit.features import mark_mentions  # noqa: E402
from stancekit.model import _gc_paused, _rows_frame  # noqa: E402
from stancekit.persist import default_model_path  # noqa: E402
from stancekit.segment import sentence_spans  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLES = os.path.join(HERE, "..", "examples")
_WORD = re.compile(r"\w+")


def workload(n_articles: int = 400, size: int = 5000, seed: int = 0) -> list[str]:
    """The example articles, then generated ~``size``-character articles."""
    texts = [
        open(os.path.join(EXAMPLES, f), encoding="utf-8").read()
        for f in sorted(os.listdir(EXAMPLES))
        if f.endswith(".txt")
    ]
    articles = load_articles()
    rng = np.random.default_rng(seed)
    while len(texts) < n_articles:
        # Paragraphs of consecutive sentences from several bundled articles.
        parts, length = [], 0
        while length < size:
            art = articles[rng.integers(len(articles))]
            sents = [s["text"] for s in art["sentences"]]
            at = rng.integers(len(sents))
            para = " ".join(sents[at : at + int(rng.integers(2, 6))])
            parts.append(para)
            length += len(para) + 2
        texts.append("\n\n".join(parts))
    return texts[:n_articles]


def _median_time(fn, repeat):
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def stages(model, texts, repeat):
    """Seconds per stage over the whole workload (medians), timed as scoring runs them."""
    with _gc_paused():
        return _stages(model, texts, repeat)


def _stages(model, texts, repeat):
    gaz = model.gazetteer
    pipe = model.pipeline
    cleaned = [stancekit.model._check_text(t) for t in texts]
    spans = [sentence_spans(t) for t in cleaned]
    out = {"segment": _median_time(lambda: [sentence_spans(t) for t in cleaned], repeat)}
    out["actors"] = _median_time(
        lambda: [gaz.find(t, None, spans=s) for t, s in zip(cleaned, spans, strict=True)], repeat
    )
    rows_of = model._mention_rows
    out["mention rows"] = max(
        0.0,
        _median_time(lambda: [rows_of(t, str(i), None) for i, t in enumerate(texts)], repeat)
        - out["segment"]
        - out["actors"],
    )
    frame = _rows_frame([r for i, t in enumerate(texts) for r in rows_of(t, str(i), None)])
    features = pipe[:-1]
    out["features"] = _median_time(lambda: features.transform(mark_mentions(frame)), repeat)
    X = features.transform(mark_mentions(frame))
    out["classifier"] = _median_time(lambda: pipe[-1].predict_proba(X), repeat)
    scored = model._score_frame(frame)
    out["aggregate"] = _median_time(lambda: aggregate_stances(scored), repeat)
    return out, frame


def floor(texts, frame, path, repeat):
    """Reading, tokenising, hashing the actor sentences and a linear predict."""
    vec = HashingVectorizer(ngram_range=(1, 2), n_features=2**20, alternate_sign=False)
    corpus = stancekit.datasets.load_troops()
    clf = LogisticRegression(max_iter=300).fit(
        vec.transform(corpus["text"]), corpus["stance"].to_numpy()
    )
    sentences = frame["sentence"].tolist()

    def read():
        with open(path, encoding="utf-8") as fh:
            return [json.loads(line)["text"] for line in fh]

    parts = {
        "read": _median_time(read, repeat),
        "tokenise": _median_time(lambda: [_WORD.findall(t) for t in texts], repeat),
        "hash + predict": _median_time(
            lambda: clf.predict_proba(vec.transform(sentences)), repeat
        ),
    }
    parts["total"] = sum(parts.values())
    return parts


def peak_rss_mb() -> float:
    with open("/proc/self/status") as fh:
        return int(re.search(r"VmHWM:\s+(\d+)", fh.read())[1]) / 1024


def run(n_articles=400, repeat=3) -> dict:
    texts = workload(n_articles)
    mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    load_s = _median_time(lambda: stancekit.load_model(), repeat)
    model = stancekit.load_model()
    model.score_articles(texts[:10], progress=False)  # warm caches
    e2e = _median_time(lambda: model.score_articles(texts, progress=False), repeat)
    stage, frame = stages(model, texts, repeat)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "workload.jsonl")
        with open(path, "w", encoding="utf-8") as fh:
            for i, t in enumerate(texts):
                fh.write(json.dumps({"doc_id": str(i), "text": t}) + "\n")
        base = floor(texts, frame, path, repeat)
    card = model.metadata
    model_file = os.path.join(default_model_path(), "model.skops")
    return {
        "measured": time.strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores (1 used), Python "
        f"{platform.python_version()}",
        "articles": len(texts),
        "megabytes": mb,
        "mention_rows": len(frame),
        "end_to_end_seconds": e2e,
        "articles_per_s": len(texts) / e2e,
        "mb_per_s": mb / e2e,
        "mention_rows_per_s": len(frame) / e2e,
        "stages_seconds": stage,
        "floor_seconds": base,
        "floor_articles_per_s": len(texts) / base["total"],
        "ratio_to_floor": e2e / base["total"],
        "model_load_seconds": load_s,
        "model_mb": os.path.getsize(model_file) / 1e6,
        "train_seconds": card.get("train_seconds"),
        "fit_seconds": card.get("fit_seconds"),
        "peak_rss_mb": peak_rss_mb(),
    }


def markdown(r: dict) -> str:
    stage = ", ".join(f"{k} {v:.2f}" for k, v in r["stages_seconds"].items())
    fl = r["floor_seconds"]
    return "\n".join(
        [
            f"{r['articles']} articles ({r['megabytes']:.2f} MB, {r['mention_rows']:,} mention "
            f"rows), measured {r['measured']} on {r['machine']}; medians.",
            "",
            "| | articles/s | MB/s | mention rows/s |",
            "|---|---:|---:|---:|",
            f"| stancekit, end to end | {r['articles_per_s']:.0f} | {r['mb_per_s']:.2f} | "
            f"{r['mention_rows_per_s']:.0f} |",
            f"| floor (read, tokenise, hash + linear predict) | "
            f"{r['floor_articles_per_s']:.0f} | {r['megabytes'] / fl['total']:.2f} | "
            f"{r['mention_rows'] / fl['total']:.0f} |",
            "",
            f"stancekit / floor: {r['ratio_to_floor']:.1f}x. Seconds per stage: {stage}. "
            f"Floor: read {fl['read']:.3f}, tokenise {fl['tokenise']:.3f}, hash + predict "
            f"{fl['hash + predict']:.3f}.",
            f"Model: {r['model_mb']:.1f} MB on disk, loads in {r['model_load_seconds']:.2f} s; "
            f"training on the bundled corpus {r['train_seconds']} s in all (grouped CV of "
            f"every classifier), final fit {r['fit_seconds']} s. Peak memory "
            f"{r['peak_rss_mb']:.0f} MB.",
        ]
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=400)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    result = run(args.articles, args.repeat)
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    with open(os.path.join(HERE, "results", "speed.json"), "w") as fh:
        json.dump(result, fh, indent=2)
    print(markdown(result))


if __name__ == "__main__":
    main()
