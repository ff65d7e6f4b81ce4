import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.utils.estimator_checks import (
    check_do_not_raise_errors_in_init_or_set_params,
    check_estimator_cloneable,
    check_estimator_repr,
    check_get_params_invariance,
    check_no_attributes_set_in_init,
    check_parameters_default_constructible,
    check_set_params,
)

from stancekit.features import (
    ActorMaskVectorizer,
    ClauseNgramVectorizer,
    CueCounter,
    MentionMarker,
    ScopeVectorizer,
    WindowVectorizer,
    _ngram_index,
    _tfidf_transform,
    locate_mentions,
    mark_mentions,
)

SENT = "Macron wants troops on the ground, while Moscow calls it unacceptable."
ESTIMATORS = [
    MentionMarker(),
    ActorMaskVectorizer(min_df=1),
    ClauseNgramVectorizer(min_df=1),
    ClauseNgramVectorizer(analyzer="char_wb", ngram_range=(3, 4), min_df=1),
    WindowVectorizer(min_df=1),
    ScopeVectorizer(min_df=1),
    CueCounter(),
]


@pytest.fixture
def frame():
    return locate_mentions(
        pd.DataFrame(
            {
                "text": [
                    SENT,
                    SENT,
                    "Poland has not ruled out sending soldiers.",
                    "Poland has ruled out sending soldiers.",
                ],
                "actor": ["Emmanuel Macron", "Russia", "Poland", "Poland"],
            }
        )
    )


def test_same_sentence_gives_each_actor_its_own_view(frame):
    marked = mark_mentions(frame)
    assert marked["masked"][0] != marked["masked"][1]
    assert "TGT" in marked["clause"][0] and "unacceptable" not in marked["clause"][0]
    assert "unacceptable" in marked["clause"][1] and "wants" not in marked["clause"][1]
    assert marked["window"][1].startswith("L1=while R1=calls")


def test_scope_keeps_the_targets_predicate_and_stops_at_other_actors():
    X = locate_mentions(
        pd.DataFrame(
            {
                "text": [
                    "Poland has not ruled out sending soldiers, but Moscow objects.",
                    "Hungary rejected Macron's suggestion that troops be sent.",
                ],
                "actor": ["Poland", "Emmanuel Macron"],
            }
        )
    )
    scope = list(mark_mentions(X)["scope"])
    assert scope[0] == "TGT has not ruled out sending soldiers ,"
    assert scope[1].startswith("rejected TGT ' s suggestion")


def test_attribution_clause_borrows_the_clause_before():
    X = locate_mentions(
        pd.DataFrame(
            {"text": ["Warsaw will not send troops; Donald Tusk said."], "actor": ["Donald Tusk"]}
        )
    )
    assert "not send troops" in mark_mentions(X)["clause"][0]


def test_negation_scope_of_cues(frame):
    cues = CueCounter().fit(frame)
    names = list(cues.get_feature_names_out())
    values = cues.transform(frame).toarray()
    neg = names.index("cue__clause_against_neg")
    plain = names.index("cue__clause_against")
    assert values[2, neg] > 0 and values[2, plain] == 0  # "has not ruled out"
    assert values[3, plain] > 0 and values[3, neg] == 0  # "has ruled out"


@pytest.mark.parametrize("est", ESTIMATORS, ids=lambda e: repr(e))
def test_contract(est, frame):
    est = clone(est)
    with pytest.raises(NotFittedError):
        est.transform(frame)
    assert est.fit(frame) is est
    out = est.transform(frame)
    assert out.shape[0] == len(frame)
    if not isinstance(est, MentionMarker):
        assert len(est.get_feature_names_out()) == out.shape[1]
        again = clone(est).fit(frame).transform(frame)
        assert (abs(out - again)).sum() == 0
    params = est.get_params()
    assert clone(est).set_params(**params).get_params() == params


@pytest.mark.parametrize("est", ESTIMATORS, ids=lambda e: repr(e))
@pytest.mark.parametrize(
    "check",
    [
        check_estimator_cloneable,
        check_estimator_repr,
        check_no_attributes_set_in_init,
        check_get_params_invariance,
        check_set_params,
        check_parameters_default_constructible,
        check_do_not_raise_errors_in_init_or_set_params,
    ],
)
def test_sklearn_data_free_checks(est, check):
    check(type(est).__name__, est)


def test_feature_names_are_prefixed(frame):
    names = ActorMaskVectorizer(min_df=1).fit(frame).get_feature_names_out()
    assert all(n.startswith("mask__") for n in names)
    assert "mask__TGT wants" in set(names)


def test_rejects_non_frames():
    with pytest.raises(TypeError, match="mention frame"):
        CueCounter().fit(np.zeros((2, 2)))
    with pytest.raises(ValueError, match="'text' column"):
        CueCounter().fit(pd.DataFrame({"x": ["a"]}))


def test_locate_falls_back_to_mention_text():
    X = locate_mentions(
        pd.DataFrame(
            {
                "text": ["The Zorblat Union backs the force."],
                "actor": ["Zorblat Union"],
                "mention": ["The Zorblat Union"],
            }
        )
    )
    assert X["target_spans"][0] == [(0, 17)]


def test_locate_reads_an_articles_sentences_in_order():
    frame = pd.DataFrame(
        {
            "doc_id": ["a1", "a1"],
            "text": [
                "German Defence Minister Boris Pistorius spoke in Vilnius on Monday.",
                "The minister said Berlin would not rush into any deployment.",
            ],
            "actor": ["Boris Pistorius", "Boris Pistorius"],
        }
    )
    located = locate_mentions(frame)
    start, end = located["target_spans"][1][0]
    assert frame["text"][1][start:end] == "The minister"
    # Sentence by sentence, the title has nobody to refer to.
    alone = locate_mentions(frame, by_article=False)
    assert alone["target_spans"][1] == []


# Words, placeholders and punctuation that the views are made of, mixed by hypothesis.
_PIECES = st.lists(
    st.sampled_from(
        [
            " TGT ",
            " OTH ",
            "not",
            "ruled out",
            "troops",
            "send",
            "backs",
            "\u00e9t\u00e9",
            ",",
            "?",
            '"',
            "  ",
            "\t",
            "no",
            "would",
            "peacekeepers",
            "x",
            "",
            "\U0001f600",
            "a-b",
        ]
    )
    | st.text(max_size=6),
    max_size=25,
).map(" ".join)


@settings(max_examples=60, deadline=None)
@given(st.lists(_PIECES, min_size=1, max_size=8), st.lists(_PIECES, max_size=8))
def test_fast_counting_gives_scikit_learns_matrix(train, score):
    """The counting shortcut of every view equals TfidfVectorizer.transform, bit for bit."""
    docs = [*train, *score]
    for analyzer, ngrams, pattern in (
        ("word", (1, 3), r"(?u)\b\w+\b|[?\"]"),  # the sentence views
        ("word", (2, 3), r"(?u)\b\w+\b|[?\"]"),
        ("word", (1, 1), r"\S+"),  # the window view
        ("word", (1, 2), r"(?u)[#@]?\w+|[!?\"]"),  # the author views
        ("word", (1, 2), r"(?u)\b\w\w+\b"),  # scikit-learn's default
        ("char_wb", (3, 5), None),
        ("char", (2, 4), None),
    ):
        vec = TfidfVectorizer(
            lowercase=False,
            analyzer=analyzer,
            ngram_range=ngrams,
            sublinear_tf=True,
            token_pattern=pattern,
            dtype=np.float32,
        )
        try:
            vec.fit(train)
        except ValueError:  # empty vocabulary
            continue
        if analyzer == "word":
            assert _ngram_index(vec) is not None  # the integer-key path is the one tested
        want, got = vec.transform(docs), _tfidf_transform(vec, docs)
        assert got.dtype == want.dtype and got.shape == want.shape
        assert got.has_sorted_indices
        np.testing.assert_array_equal(got.indptr, want.indptr)
        np.testing.assert_array_equal(got.indices, want.indices)
        np.testing.assert_array_equal(got.data, want.data)


def test_rows_of_one_sentence_share_cue_scans_without_changing_them():
    """Each actor of a sentence gets the cue counts it gets when scored alone."""
    text = (
        "Paris backs a reassurance force, but Moscow has ruled out any such mission "
        "and Rome has not ruled out joining, Meloni said."
    )
    frame = locate_mentions(
        pd.DataFrame(
            {"text": [text] * 4, "actor": ["France", "Russia", "Italy", "Giorgia Meloni"]}
        )
    )
    cue = CueCounter().fit(frame)
    together = cue.transform(frame).toarray()
    alone = np.vstack([cue.transform(frame.iloc[[i]]).toarray() for i in range(len(frame))])
    np.testing.assert_array_equal(together, alone)
    names = list(cue.get_feature_names_out())
    own_fav, own_ag = names.index("cue__favor_own"), names.index("cue__against_own")
    assert together[0, own_fav] > 0 and together[0, own_ag] == 0  # Paris backs
    assert together[1, own_ag] > 0 and together[1, own_fav] == 0  # Moscow rules out
