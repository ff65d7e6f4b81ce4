import gc
import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import GridSearchCV, GroupKFold, cross_val_score

import stancekit
from stancekit import InputTextError
from stancekit.features import locate_mentions, mark_mentions

from .conftest import EXAMPLES

ACTOR_COLUMNS = [
    "doc_id",
    "actor",
    "actor_type",
    "affiliation",
    "stance",
    "confidence",
    "p_favor",
    "p_against",
    "p_neutral",
    "n_mentions",
    "mixed",
    "evidence",
]
MENTION_COLUMNS = [
    "doc_id",
    "sentence_id",
    "sentence",
    "start",
    "end",
    "actor",
    "actor_type",
    "affiliation",
    "mention",
    "kind",
    "stance",
    "p_favor",
    "p_against",
    "p_neutral",
]
ARTICLE = open(os.path.join(EXAMPLES, "reassurance_force.txt"), encoding="utf-8").read()


def test_score_article_columns_and_probabilities(default_model):
    table = default_model.score_article(ARTICLE, doc_id="ex1")
    assert list(table.columns) == ACTOR_COLUMNS
    assert set(table["doc_id"]) == {"ex1"}
    probs = table[["p_favor", "p_against", "p_neutral"]].to_numpy()
    assert np.all((probs >= 0) & (probs <= 1))
    assert table["n_mentions"].min() >= 1
    assert all(isinstance(e, list) and e for e in table["evidence"])


def test_default_model_reads_the_example_article(default_model):
    table = default_model.score_article(ARTICLE).set_index("actor")
    assert table.loc["Keir Starmer", "stance"] == "favor"
    assert table.loc["Emmanuel Macron", "stance"] == "favor"
    assert table.loc["Giorgia Meloni", "stance"] == "against"
    assert table.loc["Dmitry Peskov", "stance"] == "against"
    assert table.loc["Volodymyr Zelensky", "stance"] == "favor"


def test_same_sentence_different_actors(default_model):
    text = (
        "Paris and London want a reassurance force in Ukraine, but the Kremlin "
        "calls any European soldier there a legitimate target."
    )
    table = default_model.score_article(text).set_index("actor")
    assert table.loc["France", "stance"] == "favor"
    assert table.loc["United Kingdom", "stance"] == "favor"
    assert table.loc["Russia", "stance"] == "against"


def test_score_mentions_rows_lie_in_their_sentences(default_model):
    text = "  " + ARTICLE
    rows = default_model.score_mentions(text, doc_id="x")
    assert list(rows.columns) == MENTION_COLUMNS
    for r in rows.itertuples():
        assert text[r.start : r.end] == r.sentence
        assert r.mention in r.sentence
    assert not rows.duplicated(["sentence_id", "actor"]).any()
    total = rows[["p_favor", "p_against", "p_neutral"]].sum(axis=1)
    np.testing.assert_allclose(total, 1.0, atol=1e-6)


def test_score_articles_equals_one_by_one(default_model):
    texts = [ARTICLE, open(os.path.join(EXAMPLES, "berlin_debate.txt")).read(), ""]
    frame = pd.DataFrame({"doc_id": ["a", "b", "c"], "text": texts})
    many = default_model.score_articles(frame, progress=False, batch_size=2)
    one = pd.concat(
        [default_model.score_article(t, doc_id=d) for d, t in zip(frame["doc_id"], texts)],
        ignore_index=True,
    )
    pd.testing.assert_frame_equal(many, one)
    parallel = default_model.score_articles(frame, progress=False, batch_size=1, n_jobs=2)
    pd.testing.assert_frame_equal(parallel, one)


def test_threads_give_sequential_results(default_model):
    texts = [ARTICLE[: 200 * k] for k in range(1, 9)]
    sequential = [default_model.score_article(t) for t in texts]
    with ThreadPoolExecutor(8) as pool:
        threaded = list(pool.map(default_model.score_article, texts))
    for a, b in zip(sequential, threaded):
        pd.testing.assert_frame_equal(a, b)


def test_scoring_leaves_the_garbage_collector_as_it_was(default_model):
    """Scoring pauses the cyclic collector per batch and restores the caller's setting."""
    assert gc.isenabled()
    default_model.score_articles([ARTICLE, ARTICLE[:500]], progress=False)
    with pytest.raises(InputTextError):
        default_model.score_article(b"Paris \xff said")
    assert gc.isenabled()
    gc.disable()
    try:
        default_model.score_article(ARTICLE)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_empty_and_actorless_text(default_model):
    assert list(default_model.score_article("").columns) == ACTOR_COLUMNS
    assert default_model.score_article("The weather was mild.").empty
    assert default_model.score_mentions("   ").empty


def test_bad_text_types(default_model):
    with pytest.raises(InputTextError, match="not valid UTF-8"):
        default_model.score_article(b"Paris \xff\xfe said")
    with pytest.raises(InputTextError, match="expected str"):
        default_model.score_article(42)


def test_html_is_stripped(default_model):
    html = (
        "<html><head><script>var x = 'Macron';</script></head><body><p>Keir "
        "Starmer said Britain was ready to send troops to Ukraine.</p></body></html>"
    )
    rows = default_model.score_mentions(html)
    assert "United Kingdom" in set(rows["actor"])
    assert all("<" not in s for s in rows["sentence"])


def test_pipeline_works_with_sklearn_model_selection(small_corpus):
    X = mark_mentions(locate_mentions(small_corpus))
    y = X["stance"].to_numpy()
    pipe = stancekit.build_pipeline("nb", features=("mask", "cue"))
    scores = cross_val_score(pipe, X, y, groups=X["doc_id"], cv=GroupKFold(3), scoring="f1_macro")
    assert scores.shape == (3,) and scores.mean() > 0.4
    grid = GridSearchCV(pipe, {"clf__alpha": [0.1, 1.0]}, cv=GroupKFold(2), scoring="f1_macro")
    grid.fit(X, y, groups=X["doc_id"])
    assert grid.best_params_["clf__alpha"] in (0.1, 1.0)
    assert list(grid.classes_) == ["against", "favor", "neutral"]


def test_train_records_grouped_cv(small_model, small_corpus):
    meta = small_model.metadata
    assert meta["classifier"] == "logreg"
    assert meta["cv"]["grouped_by"] == "doc_id" and meta["cv"]["folds"] == 3
    assert 0.4 < meta["cv"]["macro_f1"] <= 1
    assert meta["corpus"]["rows"] == len(small_corpus)
    assert set(meta["cv"]["per_label"]) == {"favor", "against", "neutral"}
    assert "brier" in meta["cv"]


def test_training_is_deterministic(small_corpus):
    a = stancekit.train(small_corpus.head(600), classifier="logreg", cv=2)
    b = stancekit.train(small_corpus.head(600), classifier="logreg", cv=2)
    pa = a.score_mentions(ARTICLE)
    pb = b.score_mentions(ARTICLE)
    pd.testing.assert_frame_equal(pa, pb)


def test_auto_picks_the_best_candidate(small_corpus):
    model = stancekit.train(small_corpus.head(800), classifier="auto", cv=2)
    cands = model.metadata["candidates"]
    assert set(cands) == {"logreg", "svm", "nb", "ensemble"}
    best = max(cands, key=lambda k: cands[k]["macro_f1"])
    assert model.metadata["classifier"] == best


def test_evaluate_reports_sentence_and_article_levels(small_model, corpus, small_corpus):
    held_out = corpus[~corpus["doc_id"].isin(set(small_corpus["doc_id"]))]
    report = small_model.evaluate(held_out.head(300))
    for key in ("macro_f1", "f_avg", "accuracy", "brier", "per_label", "confusion"):
        assert key in report
    assert np.sum(report["confusion"]) == 300
    assert report["article"]["n"] == held_out.head(300).groupby(["doc_id", "actor"]).ngroups


def test_author_stance_training_without_actor_column():
    rows = []
    for i in range(30):
        rows.append(
            {
                "text": f"We must send troops to help now, case {i}.",
                "stance": "favor",
                "doc_id": f"f{i}",
            }
        )
        rows.append(
            {
                "text": f"Sending soldiers would be a dangerous mistake {i}.",
                "stance": "against",
                "doc_id": f"a{i}",
            }
        )
        rows.append(
            {
                "text": f"The summit took place on Monday {i}.",
                "stance": "neutral",
                "doc_id": f"n{i}",
            }
        )
    model = stancekit.train(pd.DataFrame(rows), classifier="logreg", cv=3)
    assert model.metadata["cv"]["macro_f1"] > 0.9


def test_text_over_the_limit_is_refused(default_model, monkeypatch):
    monkeypatch.setattr("stancekit.model.MAX_TEXT_CHARS", 100)
    with pytest.raises(InputTextError, match="over the limit"):
        default_model.score_article("x" * 101, doc_id="big")
