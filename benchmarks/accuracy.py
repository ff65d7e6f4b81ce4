"""Accuracy on the development set against baselines, in one run.

Usage::

    python -m benchmarks.accuracy [--dev ../shared/data/dev.csv] [--model DIR]

Trains the baselines, each stancekit classifier and each feature-group
ablation on the bundled corpus (the ablation also by grouped cross-validation,
the criterion that decides which groups stay), scores the development set (sentence level
with the gold actor given, article level, per affiliation, and the sentences
with two or more actors), measures counterfactual robustness (the actor's
name swapped for an actor of another affiliation), calibration (Brier score,
per-class reliability) and the actor finder's recall, and writes
``benchmarks/results/accuracy.json`` and Markdown tables to standard output.
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
from stancekit.labels import LABELS

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


def _fit_predict(prepared, dev, classifier, features, gazetteer):
    from stancekit.model import StanceModel, build_pipeline

    pipe = build_pipeline(classifier, features=features, random_state=0)
    started = time.perf_counter()
    pipe.fit(prepared, prepared["stance"].to_numpy())
    seconds = time.perf_counter() - started
    model = StanceModel(pipe, {"classifier": classifier}, gazetteer=gazetteer)
    return model.predict_corpus(dev), seconds


def per_affiliation(dev, pred, top=15):
    """Macro-F1 on the rows of each of the ``top`` largest affiliations."""
    out = []
    for aff in dev["affiliation"].value_counts().index[:top]:
        rows = (dev["affiliation"] == aff).to_numpy()
        m = stance_metrics(dev["stance"][rows], pred[rows])
        counts = dev["stance"][rows].value_counts()
        out.append(
            {
                "affiliation": aff,
                "rows": int(rows.sum()),
                "gold": {k: int(counts.get(k, 0)) for k in LABELS},
                "macro_f1": m["macro_f1"],
                "accuracy": m["accuracy"],
            }
        )
    return out


def multi_actor_rows(dev):
    key = [dev["doc_id"], dev["text"]] if "doc_id" in dev.columns else [dev["text"]]
    return (dev.groupby(key)["text"].transform("size") >= 2).to_numpy()


# Replacement actors for the counterfactual: well-known names of each type, spread
# over affiliations with opposite reputations on the question.
_SWAPS = {
    "country": ["France", "Russia", "Hungary", "United Kingdom", "Italy", "Poland", "Estonia"],
    "person": [
        "Emmanuel Macron",
        "Vladimir Putin",
        "Viktor Orbán",
        "Keir Starmer",
        "Giorgia Meloni",
        "Donald Tusk",
        "Kaja Kallas",
    ],
}


def counterfactual(model, dev, seed=0):
    """Swap each target's name for an actor of another affiliation; count flips.

    Rows whose target is named in the sentence by its full canonical name (a
    country or a person) are rewritten with another actor's name, chosen at
    random among a fixed list with a different affiliation; the rewritten row
    is scored with the new actor as target. Returns the flip rate (share of
    rewritten rows whose label changes) and the rows.
    """
    from stancekit._text import fold

    rng = np.random.default_rng(seed)
    known = model.gazetteer.actors_.drop_duplicates("actor").set_index("actor")
    base = model.predict_corpus(dev)["stance"].to_numpy()
    rows, keep = [], []
    for i, r in enumerate(dev.itertuples(index=False)):
        kind = r.actor_type
        if kind not in _SWAPS or fold(r.actor) not in fold(r.text):
            continue
        pool = [
            a
            for a in _SWAPS[kind]
            if a in known.index
            and known.loc[a, "affiliation"] != r.affiliation
            and fold(a) not in fold(r.text)
        ]
        if not pool:
            continue
        new = pool[rng.integers(len(pool))]
        at = fold(r.text).find(fold(r.actor))
        text = r.text[:at] + new + r.text[at + len(r.actor) :]
        rows.append(
            {
                "text": text,
                "actor": new,
                "actor_type": kind,
                "affiliation": known.loc[new, "affiliation"],
                "doc_id": f"cf{i}",
                "stance": r.stance,
            }
        )
        keep.append(i)
    swapped = pd.DataFrame(rows)
    after = model.predict_corpus(swapped)["stance"].to_numpy()
    before = base[keep]
    flips = before != after
    return {
        "rows": len(swapped),
        "flip_rate": float(flips.mean()) if len(flips) else 0.0,
        "examples": [
            {
                "original": dev["text"].iat[keep[j]],
                "actor": dev["actor"].iat[keep[j]],
                "swapped_to": swapped["actor"].iat[j],
                "before": before[j],
                "after": after[j],
            }
            for j in np.flatnonzero(flips)[:10]
        ],
    }


def reliability(gold, pred, bins=10):
    """Per-class reliability: mean predicted probability vs observed frequency."""
    gold = np.asarray(gold, dtype=object)
    out = {}
    for label in LABELS:
        p = pred[f"p_{label}"].to_numpy()
        y = (gold == label).astype(float)
        edges = np.linspace(0, 1, bins + 1)
        which = np.clip(np.digitize(p, edges[1:-1]), 0, bins - 1)
        table = []
        ece = 0.0
        for b in range(bins):
            sel = which == b
            if sel.any():
                conf, freq = float(p[sel].mean()), float(y[sel].mean())
                table.append({"bin": b, "n": int(sel.sum()), "mean_p": conf, "observed": freq})
                ece += sel.mean() * abs(conf - freq)
        out[label] = {"ece": float(ece), "bins": table}
    return out


def run(dev_path=DEFAULT_DEV, model_path=None, *, quick=False) -> dict:
    from stancekit.model import CLASSIFIERS, FEATURE_GROUPS

    corpus = stancekit.datasets.load_troops()
    dev = pd.read_csv(dev_path, dtype=str, keep_default_na=False)
    model = stancekit.load_model(model_path)
    gaz = model.gazetteer
    chosen = model.metadata.get("classifier", "logreg")
    groups = tuple(model.metadata.get("features") or FEATURE_GROUPS)
    prepared = mark_mentions(locate_mentions(corpus, gazetteer=gaz))
    shipped = model.predict_corpus(dev)
    rows = [
        summarise("majority class", dev, majority(corpus, dev)),
        summarise("cue-word rule", dev, cue_rule(corpus, dev)),
        summarise("actor-blind TF-IDF + LR", dev, blind_tfidf(corpus, dev)),
    ]
    fits = {}
    for name in () if quick else CLASSIFIERS:
        pred, seconds = _fit_predict(prepared, dev, name, groups, gaz)
        fits[name] = round(seconds, 2)
        rows.append(summarise(f"stancekit {name}", dev, pred))
    rows.append(summarise(f"stancekit shipped ({chosen})", dev, shipped))
    cv = cross_validate_stance(prepared, chosen, features=groups)
    cv.pop("oof")
    ablation = []
    for group in () if quick else groups:
        rest = tuple(g for g in groups if g != group)
        pred, seconds = _fit_predict(prepared, dev, chosen, rest, gaz)
        # The selection criterion: grouped CV on the corpus, same folds as above.
        rest_cv = cross_validate_stance(prepared, chosen, features=rest)
        ablation.append(
            {
                **summarise(f"without {group}", dev, pred),
                "fit_seconds": seconds,
                "cv_macro_f1": rest_cv["macro_f1"],
                "cv_macro_f1_change": rest_cv["macro_f1"] - cv["macro_f1"],
            }
        )
    multi = multi_actor_rows(dev)
    multi_m = stance_metrics(dev["stance"][multi], shipped[multi])
    recall = actor_recall(dev, gazetteer=gaz)
    sent = stance_metrics(dev["stance"], shipped)
    return {
        "measured": time.strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}",
        "dev_rows": len(dev),
        "dev": rows,
        "fit_seconds": fits,
        "ablation": ablation,
        "per_affiliation": per_affiliation(dev, shipped),
        "multi_actor": {
            "rows": int(multi.sum()),
            "macro_f1": multi_m["macro_f1"],
            "f_avg": multi_m["f_avg"],
        },
        "counterfactual": counterfactual(model, dev),
        "calibration": {
            "brier": sent["brier"],
            "reliability": reliability(dev["stance"], shipped),
        },
        "actor_recall": {k: v for k, v in recall.items() if k != "missed"},
        "corpus_cv": {
            "macro_f1": cv["macro_f1"],
            "f_avg": cv["f_avg"],
            "per_label": {k: v["f1"] for k, v in cv["per_label"].items()},
            "brier": cv["brier"],
        },
    }


def markdown(result: dict) -> str:
    head = "| system | macro-F1 | F_avg | F1 favor | F1 against | F1 neutral | article macro-F1 |"
    lines = [
        f"Development set ({result['dev_rows']} rows, never trained on), measured "
        f"{result['measured']} on {result['machine']}.",
        "",
        head,
        "|---|---:|---:|---:|---:|---:|---:|",
    ]

    def row(r):
        return (
            f"| {r['system']} | {r['macro_f1']:.3f} | {r['f_avg']:.3f} | "
            f"{r['f1_favor']:.3f} | {r['f1_against']:.3f} | {r['f1_neutral']:.3f} | "
            f"{r['article_macro_f1']:.3f} |"
        )

    lines += [row(r) for r in result["dev"]]
    if result["ablation"]:
        lines += ["", "Ablation of the shipped classifier (each feature group removed):", ""]
        lines += [
            head + " grouped-CV macro-F1 (change) |",
            "|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
        lines += [
            row(r) + f" {r['cv_macro_f1']:.3f} ({r['cv_macro_f1_change']:+.3f}) |"
            for r in result["ablation"]
        ]
    lines += ["", "| affiliation | rows | macro-F1 | accuracy |", "|---|---:|---:|---:|"]
    lines += [
        f"| {a['affiliation']} | {a['rows']} | {a['macro_f1']:.3f} | {a['accuracy']:.3f} |"
        for a in result["per_affiliation"]
    ]
    cv = result["corpus_cv"]
    cf = result["counterfactual"]
    cal = result["calibration"]
    ece = ", ".join(f"{k} {v['ece']:.3f}" for k, v in cal["reliability"].items())
    lines += [
        "",
        f"Sentences with two or more actors ({result['multi_actor']['rows']} rows): "
        f"macro-F1 {result['multi_actor']['macro_f1']:.3f}, F_avg "
        f"{result['multi_actor']['f_avg']:.3f}.",
        f"Counterfactual: {cf['rows']} rows with the actor's name swapped for an actor of "
        f"another affiliation; flip rate {cf['flip_rate']:.3f}.",
        f"Calibration: Brier {cal['brier']:.3f}; expected calibration error per class: {ece}.",
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
    parser.add_argument(
        "--quick", action="store_true", help="skip the per-classifier fits and the ablation"
    )
    args = parser.parse_args(argv)
    result = run(args.dev, args.model, quick=args.quick)
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    with open(os.path.join(HERE, "results", "accuracy.json"), "w") as fh:
        json.dump(result, fh, indent=2)
    print(markdown(result))


if __name__ == "__main__":
    main()
