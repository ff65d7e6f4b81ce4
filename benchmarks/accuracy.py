"""Accuracy on the development set against baselines, in one run.

Usage::

    python -m benchmarks.accuracy [--dev ../shared/data/dev.csv] [--model DIR]

Trains the baselines on the bundled corpus, scores the development set
(sentence level with the gold actor given, and article level), measures the
actor finder's recall, and writes ``benchmarks/results/accuracy.json`` and a
Markdown table to standard output.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

import stancekit
from stancekit.evaluate import actor_recall, article_gold, cross_validate_stance, stance_metrics
from stancekit.features import _CUES, _NEGATOR, locate_mentions, mark_mentions

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_DEV = os.path.normpath(os.path.join(HERE, "..", "..", "shared", "data", "dev.csv"))


def _labels_frame(labels):
    labels = np.asarray(labels, dtype=object)
    frame = pd.DataFrame(
        {f"p_{k}": (labels == k).astype(float) for k in ("favor", "against", "neutral")}
    )
    frame["stance"] = labels
    return frame


def majority(train, test):
    label = train["stance"].value_counts().idxmax()
    return _labels_frame([label] * len(test))


def cue_rule(train, test):
    """Favor and against cue counts in the sentence, negation flipping them."""
    out = []
    for text in test["text"]:
        low = stancekit._text.fold(text)
        score = {"favor": 0, "against": 0}
        for group in ("favor", "against"):
            for m in _CUES[group].finditer(low):
                negated = bool(_NEGATOR.search(low[max(0, m.start() - 25) : m.start()]))
                other = "against" if group == "favor" else "favor"
                score[other if negated else group] += 1
        if score["favor"] == score["against"]:
            out.append("neutral")
        else:
            out.append(max(score, key=score.get))
    return _labels_frame(out)


def blind_tfidf(train, test):
    """What a user writes in ten lines: TF-IDF of the sentence + logistic regression."""
    pipe = make_pipeline(
        TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True),
        LogisticRegression(max_iter=2000, class_weight="balanced"),
    )
    pipe.fit(train["text"], train["stance"])
    proba = pipe.predict_proba(test["text"])
    classes = list(pipe.classes_)
    frame = pd.DataFrame(
        {f"p_{k}": proba[:, classes.index(k)] for k in ("favor", "against", "neutral")}
    )
    frame["stance"] = np.asarray(classes, dtype=object)[proba.argmax(axis=1)]
    return frame


def summarise(name, dev, pred):
    sent = stance_metrics(dev["stance"], pred)
    gold, table = article_gold(dev, pred)
    art = stance_metrics(gold, table)
    return {
        "system": name,
        "macro_f1": sent["macro_f1"],
        "f_avg": sent["f_avg"],
        "f1_favor": sent["per_label"]["favor"]["f1"],
        "f1_against": sent["per_label"]["against"]["f1"],
        "f1_neutral": sent["per_label"]["neutral"]["f1"],
        "brier": sent.get("brier"),
        "article_macro_f1": art["macro_f1"],
        "article_f_avg": art["f_avg"],
    }


def run(dev_path=DEFAULT_DEV, model_path=None) -> dict:
    corpus = stancekit.datasets.load_troops()
    dev = pd.read_csv(dev_path, dtype=str, keep_default_na=False)
    model = stancekit.load_model(model_path)
    rows = [
        summarise("majority class", dev, majority(corpus, dev)),
        summarise("cue-word rule", dev, cue_rule(corpus, dev)),
        summarise("actor-blind TF-IDF + LR", dev, blind_tfidf(corpus, dev)),
        summarise(
            f"stancekit ({model.metadata.get('classifier')})", dev, model.predict_corpus(dev)
        ),
    ]
    recall = actor_recall(dev, gazetteer=model.gazetteer)
    prepared = mark_mentions(locate_mentions(corpus, gazetteer=model.gazetteer))
    cv = cross_validate_stance(
        prepared,
        model.metadata.get("classifier", "logreg"),
        features=model.metadata.get("features"),
    )
    cv.pop("oof")
    return {
        "measured": time.strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}",
        "dev_rows": len(dev),
        "dev": rows,
        "actor_recall": {k: v for k, v in recall.items() if k != "missed"},
        "corpus_cv": {
            "macro_f1": cv["macro_f1"],
            "f_avg": cv["f_avg"],
            "per_label": {k: v["f1"] for k, v in cv["per_label"].items()},
            "brier": cv["brier"],
        },
    }


def markdown(result: dict) -> str:
    lines = [
        f"Development set ({result['dev_rows']} rows, never trained on), measured "
        f"{result['measured']} on {result['machine']}.",
        "",
        "| system | macro-F1 | F_avg | F1 favor | F1 against | F1 neutral | article macro-F1 |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in result["dev"]:
        lines.append(
            f"| {r['system']} | {r['macro_f1']:.3f} | {r['f_avg']:.3f} | "
            f"{r['f1_favor']:.3f} | {r['f1_against']:.3f} | {r['f1_neutral']:.3f} | "
            f"{r['article_macro_f1']:.3f} |"
        )
    cv = result["corpus_cv"]
    lines += [
        "",
        f"Grouped 5-fold CV on the bundled corpus: macro-F1 {cv['macro_f1']:.3f}, F_avg "
        f"{cv['f_avg']:.3f} (favor {cv['per_label']['favor']:.3f}, against "
        f"{cv['per_label']['against']:.3f}, neutral {cv['per_label']['neutral']:.3f}), "
        f"Brier {cv['brier']:.3f}.",
        f"Actor recall on the development set: {result['actor_recall']['recall']:.3f} "
        f"(exact canonical name {result['actor_recall']['exact_recall']:.3f}).",
    ]
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev", default=DEFAULT_DEV)
    parser.add_argument("--model", default=None)
    args = parser.parse_args(argv)
    result = run(args.dev, args.model)
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    with open(os.path.join(HERE, "results", "accuracy.json"), "w") as fh:
        json.dump(result, fh, indent=2)
    print(markdown(result))


if __name__ == "__main__":
    main()
