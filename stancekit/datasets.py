"""The bundled annotated corpus and its description.

``troops_articles.jsonl`` holds the annotated articles (headline, date,
outlet style, every sentence with its actors and stances); ``troops.csv``
is the same annotation flattened to one row per (sentence, actor), the
format of ANNOTATION.md. ``python -m stancekit.datasets --describe`` prints
the corpus statistics of the datasheet.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections import Counter
from importlib import resources

import pandas as pd

from .labels import AFFILIATION, AGAINST, DOC_ID, FAVOR, NEUTRAL, STANCE, TEXT

__all__ = [
    "load_troops",
    "load_articles",
    "troops_path",
    "articles_path",
    "describe",
    "rows_from_articles",
    "article_text",
    "label_agreement",
    "ngram_overlap",
]

ROW_COLUMNS = [
    "text",
    "actor",
    "actor_type",
    "affiliation",
    "stance",
    "doc_id",
    "sentence_id",
    "mention",
    "date",
    "outlet_style",
    "target",
]


def _data(name: str) -> str:
    return str(resources.files("stancekit") / "data" / name)


def troops_path() -> str:
    """Path of the bundled (sentence, actor) corpus, ``troops.csv``."""
    return _data("troops.csv")


def articles_path() -> str:
    """Path of the bundled annotated articles, ``troops_articles.jsonl``."""
    return _data("troops_articles.jsonl")


def load_troops() -> pd.DataFrame:
    """Return the bundled corpus: one row per (sentence, actor).

    Returns
    -------
    pandas.DataFrame
        Columns ``text, actor, actor_type, affiliation, stance, doc_id,
        sentence_id, mention, date, outlet_style, target``.

    Examples
    --------
    >>> corpus = load_troops()
    >>> {"favor", "against", "neutral"} == set(corpus["stance"])
    True
    """
    from .corpus import load_corpus

    return load_corpus(troops_path(), check_actors=False)


def load_articles() -> list[dict]:
    """Return the bundled annotated articles as a list of dicts."""
    with open(articles_path(), encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def article_text(article: dict, *, headline: bool = True) -> str:
    """Plain text of an annotated article: headline, blank line, sentences."""
    body = " ".join(s["text"] for s in article["sentences"])
    return f"{article['headline']}\n\n{body}" if headline else body


def rows_from_articles(articles) -> pd.DataFrame:
    """Flatten annotated articles to one row per (sentence, actor)."""
    rows = []
    for art in articles:
        for sid, sent in enumerate(art["sentences"]):
            for a in sent["actors"]:
                rows.append(
                    {
                        "text": sent["text"],
                        "actor": a["actor"],
                        "actor_type": a["actor_type"],
                        "affiliation": a["affiliation"],
                        "stance": a["stance"],
                        "doc_id": art["doc_id"],
                        "sentence_id": sid,
                        "mention": a["mention"],
                        "date": art["date"],
                        "outlet_style": art["outlet_style"],
                        "target": "troop_deployment",
                    }
                )
    return pd.DataFrame(rows, columns=ROW_COLUMNS)


def label_agreement(first, second) -> dict:
    """Cohen's kappa between two annotators, overall and per label.

    Per-label kappa treats each label one-vs-rest.

    Examples
    --------
    >>> label_agreement(["favor", "against", "neutral"], ["favor", "against", "neutral"])["kappa"]
    1.0
    """
    from sklearn.metrics import cohen_kappa_score

    a = [str(x) for x in first]
    b = [str(x) for x in second]
    out = {
        "n": len(a),
        "agreement": sum(x == y for x, y in zip(a, b, strict=True)) / len(a),
        "kappa": float(cohen_kappa_score(a, b, labels=[FAVOR, AGAINST, NEUTRAL])),
        "per_label": {},
    }
    for label in (FAVOR, AGAINST, NEUTRAL):
        out["per_label"][label] = float(
            cohen_kappa_score(
                [x == label for x in a], [y == label for y in b], labels=[False, True]
            )
        )
    return out


_WORDS = re.compile(r"[a-z0-9]+")


def _ngrams(text: str, n: int) -> set:
    words = _WORDS.findall(text.lower())
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def ngram_overlap(texts, reference_texts, n: int = 5) -> dict:
    """Share of ``texts`` sharing word n-grams with ``reference_texts``.

    Returns
    -------
    dict
        ``max_share``: the largest share of one sentence's n-grams found in the
        reference; ``sentences_over_half``: how many sentences have more than
        half of their n-grams in the reference; ``exact``: identical sentences.
    """
    ref = set()
    ref_sentences = {t.strip().lower() for t in reference_texts}
    for t in reference_texts:
        ref |= _ngrams(t, n)
    worst = 0.0
    over = 0
    worst_text = None
    for t in set(texts):
        grams = _ngrams(t, n)
        if not grams:
            continue
        share = len(grams & ref) / len(grams)
        if share > worst:
            worst, worst_text = share, t
        over += share > 0.5
    exact = sum(t.strip().lower() in ref_sentences for t in set(texts))
    return {
        "n": n,
        "max_share": worst,
        "sentences_over_half": over,
        "exact": exact,
        "worst_sentence": worst_text,
    }


def describe(corpus: pd.DataFrame | None = None, *, dev_path=None) -> dict:
    """Statistics of the corpus for its datasheet.

    Returns
    -------
    dict
        Counts of articles, rows, sentences; label shares; affiliations; the
        share of stance-bearing rows in sentences with two or more actors; the
        label mix of the 25 most frequent affiliations; outlet styles; years;
        inter-annotator agreement; and, when ``dev_path`` exists, the word
        5-gram overlap with that evaluation set.
    """
    corpus = load_troops() if corpus is None else corpus
    sentences = corpus.groupby([DOC_ID, TEXT], sort=False).size()
    n_actors = corpus.groupby([DOC_ID, TEXT])[STANCE].transform("size")
    bearing = corpus[STANCE] != NEUTRAL
    multi = corpus[bearing & (n_actors >= 2)]
    differing = corpus.groupby([DOC_ID, TEXT])[STANCE].transform(
        lambda s: s[s != NEUTRAL].nunique() > 1 or (s.nunique() > 1 and len(s) > 1)
    )
    top = corpus[AFFILIATION].value_counts().head(25)
    mix = {
        aff: {
            lab: int(((corpus[AFFILIATION] == aff) & (corpus[STANCE] == lab)).sum())
            for lab in (FAVOR, AGAINST, NEUTRAL)
        }
        for aff in top.index
    }
    out = {
        "articles": int(corpus[DOC_ID].nunique()),
        "rows": int(len(corpus)),
        "sentences": int(len(sentences)),
        "distinct_actors": int(corpus["actor"].nunique()),
        "labels": {lab: int((corpus[STANCE] == lab).sum()) for lab in (FAVOR, AGAINST, NEUTRAL)},
        "label_shares": {
            lab: float((corpus[STANCE] == lab).mean()) for lab in (FAVOR, AGAINST, NEUTRAL)
        },
        "affiliations": int(corpus[AFFILIATION].nunique()),
        "multi_actor_share_of_stance_rows": float(len(multi) / max(1, bearing.sum())),
        "rows_in_sentences_with_differing_labels": int(differing.sum()),
        "top25_label_mix": mix,
        "top25_all_three_labels": all(min(v.values()) > 0 for v in mix.values()),
        "outlet_styles": dict(Counter(corpus.drop_duplicates(DOC_ID)["outlet_style"])),
        "years": dict(sorted(Counter(corpus.drop_duplicates(DOC_ID)["date"].str[:4]).items())),
    }
    second = _data("second_annotation.csv")
    if os.path.exists(second):
        ann = pd.read_csv(second, dtype=str, keep_default_na=False)
        out["agreement"] = label_agreement(ann["first"], ann["second"])
        out["agreement"]["sample_rows"] = int(len(ann))
    if dev_path and os.path.exists(dev_path):
        dev = pd.read_csv(dev_path, dtype=str, keep_default_na=False)
        out["dev_overlap"] = ngram_overlap(corpus[TEXT], dev[TEXT], n=5)
    return out


def _default_dev_path() -> str | None:
    here = os.path.dirname(os.path.abspath(__file__))
    for base in (os.getcwd(), os.path.dirname(here)):
        cand = os.path.join(base, "..", "shared", "data", "dev.csv")
        if os.path.exists(cand):
            return os.path.normpath(cand)
    return None


def main(argv=None) -> int:
    """``python -m stancekit.datasets --describe [--dev PATH] [--json]``."""
    parser = argparse.ArgumentParser(
        prog="python -m stancekit.datasets", description="Describe the bundled corpus."
    )
    parser.add_argument("--describe", action="store_true", help="print the statistics")
    parser.add_argument("--dev", default=None, help="evaluation set for the overlap check")
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args(argv)
    if not args.describe:
        parser.print_help()
        return 0
    stats = describe(dev_path=args.dev or _default_dev_path())
    if args.json:
        json.dump(stats, sys.stdout, indent=2)
        print()
        return 0
    print(
        f"articles {stats['articles']}  rows {stats['rows']}  sentences "
        f"{stats['sentences']}  distinct actors {stats['distinct_actors']}  "
        f"affiliations {stats['affiliations']}"
    )
    print(
        "labels: "
        + "  ".join(
            f"{k} {v} ({stats['label_shares'][k]:.1%})" for k, v in stats["labels"].items()
        )
    )
    print(
        f"stance-bearing rows in sentences with 2+ actors: "
        f"{stats['multi_actor_share_of_stance_rows']:.1%}"
    )
    print(
        f"25 most frequent affiliations all have the three labels: "
        f"{stats['top25_all_three_labels']}"
    )
    print(f"{'affiliation':<12}{'favor':>7}{'against':>9}{'neutral':>9}")
    for aff, mix in stats["top25_label_mix"].items():
        print(f"{aff:<12}{mix['favor']:>7}{mix['against']:>9}{mix['neutral']:>9}")
    print(
        "outlet styles: "
        + ", ".join(f"{k} {v}" for k, v in sorted(stats["outlet_styles"].items()))
    )
    print("years: " + ", ".join(f"{k} {v}" for k, v in stats["years"].items()))
    if "agreement" in stats:
        ag = stats["agreement"]
        print(
            f"second annotator on {ag['sample_rows']} rows: agreement "
            f"{ag['agreement']:.1%}, Cohen's kappa {ag['kappa']:.3f}; per label "
            + ", ".join(f"{k} {v:.3f}" for k, v in ag["per_label"].items())
        )
    if "dev_overlap" in stats:
        ov = stats["dev_overlap"]
        print(
            f"overlap with the development set: max word-5-gram share "
            f"{ov['max_share']:.1%}, sentences over half {ov['sentences_over_half']}, "
            f"identical sentences {ov['exact']}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
