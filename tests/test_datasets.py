import os

import pandas as pd
import pytest

from stancekit import datasets

from .conftest import DEV_CSV


@pytest.fixture(scope="module")
def stats(corpus):
    return datasets.describe(corpus)


def test_corpus_size_and_breadth(stats):
    assert stats["articles"] >= 400
    assert stats["rows"] >= 6000
    assert stats["affiliations"] >= 70


def test_label_shares(stats):
    shares = stats["label_shares"]
    assert shares["favor"] >= 0.18 and shares["against"] >= 0.18
    assert 0.40 <= shares["neutral"] <= 0.60


# Affiliations whose real 2024-2026 record holds no position of one label; the
# datasheet says why. Every other frequent affiliation must carry all three.
ONE_SIDED = {"HU": "favor"}


def test_multi_actor_sentences_and_label_mix(stats):
    assert stats["multi_actor_share_of_stance_rows"] >= 0.30
    for aff, mix in stats["top25_label_mix"].items():
        missing = {label for label, n in mix.items() if n == 0}
        assert missing <= {ONE_SIDED.get(aff)}, (aff, mix)


def test_every_article_has_date_and_outlet_style(corpus):
    per_doc = corpus.groupby("doc_id").agg(
        dates=("date", "nunique"), styles=("outlet_style", "nunique")
    )
    assert (per_doc["dates"] == 1).all() and (per_doc["styles"] == 1).all()
    assert corpus["date"].str.match(r"^20(24|25|26)-\d\d-\d\d$").all()
    assert corpus["outlet_style"].nunique() >= 8


def test_csv_is_the_flattened_articles(corpus):
    rows = datasets.rows_from_articles(datasets.load_articles())
    pd.testing.assert_frame_equal(
        rows[["text", "actor", "stance", "doc_id"]].reset_index(drop=True),
        corpus[["text", "actor", "stance", "doc_id"]].reset_index(drop=True),
    )


def test_mentions_are_in_their_sentences(corpus):
    assert all(m in t for m, t in zip(corpus["mention"], corpus["text"]))


def test_second_annotation_agreement(stats):
    agreement = stats["agreement"]
    assert agreement["sample_rows"] >= 0.1 * stats["rows"] * 0.95
    assert agreement["kappa"] >= 0.75


@pytest.mark.skipif(not os.path.exists(DEV_CSV), reason="development set not present")
def test_no_sentence_of_the_development_set_is_copied(corpus):
    dev = pd.read_csv(DEV_CSV, dtype=str, keep_default_na=False)
    overlap = datasets.ngram_overlap(corpus["text"], dev["text"], n=5)
    assert overlap["exact"] == 0
    assert overlap["max_share"] < 0.4, overlap["worst_sentence"]


def test_kappa_helper():
    same = datasets.label_agreement(["favor", "against"] * 5, ["favor", "against"] * 5)
    assert same["kappa"] == 1.0
    off = datasets.label_agreement(
        ["favor"] * 5 + ["against"] * 5, ["against"] * 5 + ["favor"] * 5
    )
    assert off["kappa"] < 0
