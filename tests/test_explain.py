import io
import os

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import VotingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.tree import DecisionTreeClassifier

import stancekit
from stancekit import aggregate_stances
from stancekit.cli import main
from stancekit.explain import GROUP_NAMES, feature_groups, linear_members

from .conftest import EXAMPLES

EXAMPLE = os.path.join(EXAMPLES, "reassurance_force.txt")
TEXT = (
    "Germany has not ruled out sending soldiers to Ukraine, but the Kremlin called any "
    "European deployment unacceptable. Berlin said it would decide after a ceasefire."
)


def _rows(model, text, actor):
    from stancekit.features import mark_mentions

    frame = model.mention_frame(text)
    rows = frame[frame["actor"] == actor].reset_index(drop=True)
    return model.pipeline[:-1].transform(mark_mentions(rows))


def _score_gap(scores, labels, stance):
    """Score of the predicted label minus the mean score of the others."""
    k = labels.index(stance)
    others = [c for c in range(len(labels)) if c != k]
    return scores[k] - scores[others].mean()


def test_logreg_contributions_add_up_to_the_log_odds_gap(small_model):
    ex = small_model.explain(TEXT, "Germany")
    assert ex.members == ["logreg"]
    assert "classifier itself" in ex.note
    Xt = _rows(small_model, TEXT, "Germany")
    clf = small_model.pipeline[-1]
    labels = list(clf.classes_)
    z = clf.decision_function(Xt)
    c = ex.contributions
    for i, m in ex.mentions.reset_index(drop=True).iterrows():
        mine = c[c["sentence_id"] == m["sentence_id"]]
        assert mine["contribution"].sum() == pytest.approx(
            _score_gap(z[i], labels, m["stance"]), rel=1e-5, abs=1e-5
        )
        assert (mine["stance"] == m["stance"]).all()
    # Probabilities reported are the model's own.
    scored = small_model.score_mentions(TEXT)
    scored = scored[scored["actor"] == "Germany"].reset_index(drop=True)
    np.testing.assert_allclose(ex.mentions["p_favor"], scored["p_favor"])
    assert ex.mentions["stance"].tolist() == scored["stance"].tolist()


def test_ensemble_is_explained_through_each_linear_member(default_model):
    ex = default_model.explain(TEXT, "Germany")
    assert sorted(ex.members) == ["logreg", "nb", "svm"]
    assert ex.unexplained == {}
    assert "soft-voting ensemble" in ex.note and "not linear" in ex.note
    Xt = _rows(default_model, TEXT, "Germany")
    vote = default_model.pipeline[-1]
    labels = list(vote.classes_)
    stance = ex.mentions["stance"].iloc[0]
    sid = ex.mentions["sentence_id"].iloc[0]
    first = ex.contributions[ex.contributions["sentence_id"] == sid]
    total = first.groupby("member")["contribution"].sum()
    est = vote.named_estimators_
    # logistic regression: log-odds
    lr = est["logreg"].decision_function(Xt)[0]
    assert total["logreg"] == pytest.approx(_score_gap(lr, labels, stance), rel=1e-5, abs=1e-5)
    # calibrated SVM: the fold SVMs' margins, averaged
    margins = np.mean(
        [cc.estimator.decision_function(Xt)[0] for cc in est["svm"].calibrated_classifiers_],
        axis=0,
    )
    assert total["svm"] == pytest.approx(_score_gap(margins, labels, stance), rel=1e-5, abs=1e-5)
    # complement naive Bayes: joint log-likelihood
    jll = np.asarray(Xt[0] @ est["nb"].feature_log_prob_.T).ravel()
    assert total["nb"] == pytest.approx(_score_gap(jll, labels, stance), rel=1e-5, abs=1e-5)
    member_p = first.groupby("member")["member_proba"].first()
    k = labels.index(stance)
    assert member_p["logreg"] == pytest.approx(est["logreg"].predict_proba(Xt)[0, k])


def test_negation_and_groups_are_readable(default_model):
    ex = default_model.explain(TEXT, "Germany")
    c = ex.contributions
    allowed = set(GROUP_NAMES.values()) | {"negation", "bias"}
    assert set(c["group"]) <= allowed
    assert not c["feature"].str.contains("__").any()
    first = c[c["sentence_id"] == ex.mentions["sentence_id"].iloc[0]]
    negated = first[first["group"] == "negation"]
    assert negated["feature"].str.contains("NOT_|_neg|_flip").all() and len(negated)
    by_group = ex.by_group()
    assert {"doc_id", "sentence_id", "member", "group", "contribution"} == set(by_group.columns)
    text = ex.to_text(top=3)
    assert "predicted" in text and "by group:" in text and "negation" in text


def test_actor_matching_and_unknown_actor(default_model):
    text = open(EXAMPLE, encoding="utf-8").read()
    assert default_model.explain(text, "macron").actor == "Emmanuel Macron"
    assert default_model.explain(text, "Emmanuel Macron").actor == "Emmanuel Macron"
    with pytest.raises(
        ValueError, match=r"'Spain' is not mentioned.*actors found: .*Giorgia Meloni"
    ):
        default_model.explain(text, "Spain")
    with pytest.raises(ValueError, match="actors found: none"):
        default_model.explain("Nothing to see here.", "France")


def test_feature_groups_strip_prefixes():
    labels, groups = feature_groups(
        ["mask__mask__TGT NOT_backs", "char__char__ rea", "scope__scope__TGT said"]
    )
    assert list(labels) == ["TGT NOT_backs", " rea", "TGT said"]
    assert list(groups) == ["negation", "characters", "scope words"]


def test_non_linear_member_is_reported_not_hidden():
    X = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]] * 3)
    y = np.array(["favor", "against", "neutral", "favor"] * 3)
    vote = VotingClassifier(
        [("logreg", LogisticRegression()), ("tree", DecisionTreeClassifier(random_state=0))],
        voting="soft",
    ).fit(X, y)
    members, unexplained = linear_members(vote)
    assert [m["name"] for m in members] == ["logreg"]
    assert members[0]["labels"] == ["against", "favor", "neutral"]
    assert "tree" in unexplained and "not a linear model" in unexplained["tree"]


def test_cli_explain(capsys, tmp_path):
    assert main(["explain", EXAMPLE, "--actor", "Meloni", "--top", "2"]) == 0
    out = capsys.readouterr().out
    assert "Giorgia Meloni" in out and "predicted against" in out
    assert "logreg" in out and "svm" in out and "nb" in out
    assert main(["explain", EXAMPLE, "--actor", "Meloni", "--format", "csv"]) == 0
    table = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert {"feature", "group", "contribution", "member"} <= set(table.columns)
    out_file = tmp_path / "why.jsonl"
    assert (
        main(["explain", EXAMPLE, "--actor", "Meloni", "--format", "jsonl", "-o", str(out_file)])
        == 0
    )
    assert len(pd.read_json(out_file, lines=True)) == len(table)
    assert main(["explain", EXAMPLE, "--actor", "Spain"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Spain" in err and "Keir Starmer" in err


def test_evidence_is_ordered_by_support_for_the_predicted_stance(default_model):
    text = open(EXAMPLE, encoding="utf-8").read()
    mentions = default_model.score_mentions(text, doc_id="a")
    table = aggregate_stances(mentions, max_evidence=10)
    for row in table.itertuples(index=False):
        mine = mentions[mentions["actor"] == row.actor].set_index("sentence")
        support = [mine.loc[s, f"p_{row.stance}"] for s in row.evidence]
        assert support == sorted(support, reverse=True), row.actor
    # Synthetic case: the weakest sentence comes first in the text.
    m = pd.DataFrame(
        {
            "doc_id": "d",
            "actor": "France",
            "actor_type": "country",
            "affiliation": "FR",
            "sentence": ["weak", "strong", "neutral", "middle"],
            "stance": ["favor", "favor", "neutral", "favor"],
            "p_favor": [0.55, 0.95, 0.10, 0.70],
            "p_against": [0.05, 0.02, 0.10, 0.10],
            "p_neutral": [0.40, 0.03, 0.80, 0.20],
        }
    )
    assert aggregate_stances(m, max_evidence=4)["evidence"][0] == [
        "strong",
        "middle",
        "weak",
        "neutral",
    ]


@pytest.mark.parametrize("share", [False, True])
def test_per_target_model_is_explained_by_its_troop_model(small_corpus, share):
    """A model of several targets explains article mentions with the model that scores them."""
    troops = small_corpus.iloc[::2]
    other = small_corpus.iloc[1::2].assign(target="arms_deliveries")
    model = stancekit.train(
        pd.concat([troops, other], ignore_index=True),
        classifier="logreg",
        cv=2,
        per_target=True,
        share_features=share,
    )
    ex = model.explain(TEXT, "Germany")
    scored = model.score_mentions(TEXT)
    scored = scored[scored["actor"] == "Germany"].reset_index(drop=True)
    np.testing.assert_allclose(ex.mentions["p_favor"], scored["p_favor"])
    assert ex.mentions["stance"].tolist() == scored["stance"].tolist()
    assert ex.members == ["logreg"] and len(ex.contributions)

    only_other = stancekit.train(
        other, classifier="logreg", cv=2, per_target=True, share_features=share
    )
    with pytest.raises(ValueError, match="no model for"):
        only_other.explain(TEXT, "Germany")
