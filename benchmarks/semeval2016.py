"""SemEval-2016 Task 6A (stance in tweets), retrained through stancekit's API.

Usage::

    python -m benchmarks.semeval2016 --data DIR [--repeats 1] [--out FILE]

The benchmark's licence forbids redistribution, so nothing of it is in this
repository: ``DIR`` holds the official files, tab-separated with the columns
``ID, Target, Tweet, Stance`` (more columns are ignored), for example the
``data/`` folder of the public GitHub repository ``BinLiang-NLP/TPDG``:

- training: ``trainingdata-all-annotations.txt`` and the trial file
  ``trialdata-all-annotations.txt`` (together the 2,914 training tweets of
  the task), or ``semeval2016-task6-trainingdata.txt`` / ``-trialdata.txt``;
- test: ``testdata-taskA-all-annotations.txt`` or
  ``SemEval2016-Task6-subtaskA-testdata-gold.txt`` (1,249 tweets).

``--train`` and ``--test`` name the files instead. Every tweet is the
stance of its author (no ``actor`` column) on one of five targets; labels map
FAVOR -> favor, AGAINST -> against, NONE -> neutral. The metric is the task's
F_avg: the mean of the F1 of favor and of against over all test tweets
pooled.

The configuration (one model per target, or one model with the target as a
feature; classifier; C) is chosen by grouped 5-fold cross-validation on the
training tweets alone, each tweet its own group; the best configuration of
each approach is then trained on all training tweets with ``stancekit.train``
and scored once on the test file. Writes
``benchmarks/results/semeval2016.json`` and Markdown tables to standard
output. The committed results come from ``--repeats 3`` (three fold seeds
per configuration; about 15 minutes on two cores, 5 with one seed).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import platform
import re
import sys
import time

import numpy as np
import pandas as pd

import stancekit
from stancekit.evaluate import cross_validate_stance, grouped_folds, stance_metrics
from stancekit.features import locate_mentions, mark_mentions

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.join(HERE, "results", "semeval2016.json")

#: Published test F_avg (x100) on Task A.
ANCHORS = [
    ("Majority class (organisers' baseline)", 65.22),
    ("SVM, word 1-3 + char 2-5 n-grams (organisers' baseline)", 68.98),
    ("MITRE (best team of the task)", 67.82),
    ("BERTweet (fine-tuned transformer)", 71.2),
]
TARGETS = {
    "Atheism": "Atheism",
    "Climate Change is a Real Concern": "Climate",
    "Feminist Movement": "Feminism",
    "Hillary Clinton": "Hillary",
    "Legalization of Abortion": "Abortion",
}
LABELS = {"FAVOR": "favor", "AGAINST": "against", "NONE": "neutral"}
COLUMNS = ("ID", "Target", "Tweet", "Stance")
WORDS = ("text", "text_char")

SHARED = ("text", "text_char_wb")

#: Candidate configurations: (approach, classifier, C, feature groups, per_target,
#: share_features).
CANDIDATES = [
    *[("per target", "svm", c, WORDS, True, False) for c in (0.1, 0.3, 1.0, 3.0)],
    ("per target", "logreg", None, WORDS, True, False),
    *[("per target, shared idf", "svm", c, SHARED, True, True) for c in (0.1, 0.3, 1.0, 3.0)],
    *[
        ("target feature", "svm", c, (*WORDS, "target"), False, False)
        for c in (0.1, 0.3, 1.0, 3.0)
    ],
]

# Every tweet of the task ends with this marker, added by the organisers.
_MARKER = re.compile(r"\s*#SemST\b", re.IGNORECASE)


class SemEvalFormatError(ValueError):
    """A file that is not in the task's format."""


def read_semeval(path) -> pd.DataFrame:
    """Read one SemEval-2016 Task 6 file as a stancekit author-stance corpus.

    The files are tab-separated with a header; the training file is Latin-1
    (it holds a few bytes that are not UTF-8), the test file UTF-8 or ASCII,
    so each file is decoded as UTF-8 and, failing that, as Latin-1. Tweets
    contain unbalanced double quotes, so no quoting is applied. The
    organisers' ``#SemST`` marker is removed.

    Returns
    -------
    pandas.DataFrame
        ``doc_id`` (the ID), ``target``, ``text``, ``stance``.

    Raises
    ------
    SemEvalFormatError
        A missing column, a short row, an unknown label or an empty tweet,
        naming the file and line.
    """
    path = os.fspath(path)
    with open(path, "rb") as fh:
        data = fh.read()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    lines = text.splitlines()
    if not lines:
        raise SemEvalFormatError(f"{path}: the file is empty.")
    rows = list(csv.reader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))
    header = [h.strip() for h in rows[0]]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise SemEvalFormatError(
            f"{path}, line 1: missing column(s) {missing}; expected a tab-separated header "
            f"with {list(COLUMNS)}; got {header}."
        )
    at = {c: header.index(c) for c in COLUMNS}
    need = max(at.values()) + 1
    out = []
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < need:
            raise SemEvalFormatError(
                f"{path}, line {line}: {len(row)} tab-separated field(s); expected {need}."
            )
        raw = row[at["Stance"]].strip().upper()
        if raw not in LABELS:
            raise SemEvalFormatError(
                f"{path}, line {line}, column 'Stance': expected one of {sorted(LABELS)}; "
                f"got {row[at['Stance']]!r} (a file without gold labels cannot be used)."
            )
        tweet = _MARKER.sub("", row[at["Tweet"]]).strip()
        if not tweet:
            raise SemEvalFormatError(f"{path}, line {line}, column 'Tweet': empty tweet.")
        out.append((row[at["ID"]].strip(), row[at["Target"]].strip(), tweet, LABELS[raw]))
    if not out:
        raise SemEvalFormatError(f"{path}: a header but no rows.")
    return pd.DataFrame(out, columns=["doc_id", "target", "text", "stance"])


def find_files(data_dir) -> tuple[list[str], str]:
    """The training files (training and trial data) and the Task A test file in a folder."""
    names = sorted(os.listdir(data_dir))

    def pick(*needles, without=()):
        return [
            os.path.join(data_dir, n)
            for n in names
            if all(x in n.lower() for x in needles)
            and not any(x in n.lower() for x in ("ids", "augmented", *without))
        ]

    train = pick("trainingdata") + pick("trialdata")
    test = [p for p in pick("testdata") if "taska" in os.path.basename(p).lower()] or pick(
        "testdata", without=("taskb",)
    )
    if not pick("trainingdata"):
        raise FileNotFoundError(
            f"{data_dir}: no training file (a name with 'trainingdata', such as "
            "trainingdata-all-annotations.txt); pass --train FILE."
        )
    if len(test) != 1:
        raise FileNotFoundError(
            f"{data_dir}: expected one Task A test file (a name with 'testdata' and "
            f"'taskA'); found {[os.path.basename(p) for p in test]}; pass --test FILE."
        )
    return train, test[0]


def _sha256(path) -> str:
    with open(path, "rb") as fh:
        return hashlib.sha256(fh.read()).hexdigest()


def _label(approach, classifier, C) -> str:
    return f"{approach}, {classifier}" + ("" if C is None else f", C={C:g}")


def _scores(gold, pred, targets) -> dict:
    overall = stance_metrics(gold, pred)
    out = {
        "f_avg": 100 * overall["f_avg"],
        "macro_f1": 100 * overall["macro_f1"],
        "f1_favor": 100 * overall["per_label"]["favor"]["f1"],
        "f1_against": 100 * overall["per_label"]["against"]["f1"],
        "per_target": {},
    }
    gold, pred, targets = (np.asarray(a, dtype=object) for a in (gold, pred, targets))
    for target in TARGETS:
        rows = targets == target
        if rows.any():
            out["per_target"][target] = 100 * stance_metrics(gold[rows], pred[rows])["f_avg"]
    return out


def run(train_paths, test_path, *, repeats=1, log=print) -> dict:
    """Select by cross-validation, train, score the test file once; return the results."""
    started = time.perf_counter()
    train = pd.concat([read_semeval(p) for p in train_paths], ignore_index=True)
    test = read_semeval(test_path)
    corpus = stancekit.load_corpus(train)
    log(f"training tweets: {len(corpus)}, test tweets: {len(test)}")
    prepared = mark_mentions(locate_mentions(corpus))
    foldsets = [grouped_folds(prepared, 5, seed) for seed in range(repeats)]

    grid = []
    for approach, classifier, C, features, per_target, share_features in CANDIDATES:
        t0 = time.perf_counter()
        reports = [
            cross_validate_stance(
                prepared,
                classifier,
                folds=folds,
                features=features,
                per_target=per_target,
                share_features=share_features,
                C=C,
            )
            for folds in foldsets
        ]
        f_avg = [100 * r["f_avg"] for r in reports]
        grid.append(
            {
                "approach": approach,
                "classifier": classifier,
                "C": C,
                "features": list(features),
                "per_target": per_target,
                "share_features": share_features,
                "cv_f_avg": float(np.mean(f_avg)),
                "cv_f_avg_runs": f_avg,
                "cv_macro_f1": float(np.mean([100 * r["macro_f1"] for r in reports])),
                "seconds": round(time.perf_counter() - t0, 1),
            }
        )
        log(f"CV {_label(approach, classifier, C)}: F_avg {np.mean(f_avg):.2f}")

    # Trivial reference, from the training file's majority label of each target.
    majority = corpus.groupby("target")["stance"].agg(lambda s: s.value_counts().idxmax())
    systems = [
        {
            "system": "majority class of each target (recomputed here)",
            **_scores(test["stance"], test["target"].map(majority), test["target"]),
        }
    ]
    chosen = {}
    for approach in dict.fromkeys(row["approach"] for row in grid):
        best = max((r for r in grid if r["approach"] == approach), key=lambda r: r["cv_f_avg"])
        model = stancekit.train(
            corpus,
            classifier=best["classifier"],
            C=best["C"],
            features=best["features"],
            per_target=best["per_target"],
            share_features=best["share_features"],
            cv=5,
            random_state=0,
            scoring="f_avg",
        )
        pred = model.predict_corpus(test[["text", "target"]])
        chosen[approach] = best
        systems.append(
            {
                "system": f"stancekit, {_label(approach, best['classifier'], best['C'])}",
                "approach": approach,
                "cv_f_avg": best["cv_f_avg"],
                **_scores(test["stance"], pred["stance"], test["target"]),
            }
        )
        log(f"test {systems[-1]['system']}: F_avg {systems[-1]['f_avg']:.2f}")
    documented = max(chosen, key=lambda a: chosen[a]["cv_f_avg"])
    return {
        "benchmark": "SemEval-2016 Task 6, subtask A (tweet stance, five targets)",
        "metric": "F_avg x 100: mean F1 of FAVOR and AGAINST over all test tweets pooled",
        "selection": (
            f"grouped 5-fold CV on the training tweets only ({repeats} fold seed(s)); "
            "test file scored once per approach"
        ),
        "files": {os.path.basename(p): {"sha256": _sha256(p)} for p in [*train_paths, test_path]},
        "train_rows": int(len(corpus)),
        "test_rows": int(len(test)),
        "train_labels": {k: int(v) for k, v in corpus["stance"].value_counts().items()},
        "anchors": [{"system": name, "f_avg": value} for name, value in ANCHORS],
        "cv_grid": grid,
        "documented_approach": documented,
        "test": systems,
        "versions": {
            "stancekit": stancekit.__version__,
            "python": platform.python_version(),
            "sklearn": __import__("sklearn").__version__,
        },
        "seconds": round(time.perf_counter() - started, 1),
    }


def markdown(results) -> str:
    short = list(TARGETS.values())
    lines = [
        "| system | F_avg | " + " | ".join(short) + " |",
        "|---|---:|" + "---:|" * len(short),
    ]
    for row in results["anchors"]:
        lines.append(f"| {row['system']} | {row['f_avg']:.2f} |" + " |" * len(short))
    for row in results["test"]:
        cells = [f"{row['per_target'].get(t, float('nan')):.2f}" for t in TARGETS]
        name = row["system"]
        if row.get("approach") == results["documented_approach"]:
            name = f"**{name}**"
        lines.append(f"| {name} | {row['f_avg']:.2f} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "| configuration (cross-validated on the training tweets) | CV F_avg | CV macro-F1 |",
        "|---|---:|---:|",
    ]
    for row in results["cv_grid"]:
        label = _label(row["approach"], row["classifier"], row["C"])
        lines.append(f"| {label} | {row['cv_f_avg']:.2f} | {row['cv_macro_f1']:.2f} |")
    return "\n".join(lines)


def _write_json(results, path):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = f"{path}.tmp-{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(results, fh, indent=2)
        fh.write("\n")
    os.replace(tmp, path)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", help="folder with the official train and test files")
    parser.add_argument("--train", action="append", help="a training file (repeatable)")
    parser.add_argument("--test", help="the Task A test file with gold labels")
    parser.add_argument("--repeats", type=int, default=1, help="CV fold seeds (default 1)")
    parser.add_argument("--out", default=DEFAULT_OUT, help="results JSON")
    args = parser.parse_args(argv)
    try:
        if args.train and args.test:
            train_paths, test_path = args.train, args.test
        elif args.data:
            train_paths, test_path = find_files(args.data)
            train_paths = args.train or train_paths
            test_path = args.test or test_path
        else:
            parser.error("give --data DIR, or --train FILE and --test FILE.")
        results = run(
            train_paths,
            test_path,
            repeats=args.repeats,
            log=lambda msg: print(msg, file=sys.stderr, flush=True),
        )
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    _write_json(results, args.out)
    print(markdown(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
