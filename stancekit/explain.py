"""Why a mention got its stance: signed feature contributions.

Every classifier stancekit trains is linear in the feature vector, or (the
soft-voting ensemble) an average of the probabilities of linear members:

- logistic regression: ``coef_`` and ``intercept_`` (log-odds);
- the sigmoid-calibrated linear SVM: the ``coef_`` of the LinearSVC of each
  calibration fold, averaged (margins; the calibration maps each class's
  margin through an increasing sigmoid);
- complement naive Bayes: ``feature_log_prob_`` (joint log-likelihood).

For one mention with feature vector ``x`` and predicted label ``k``, the
contribution of feature ``j`` in a member with weights ``W`` is
``x[j] * (W[k, j] - mean(W[c, j] for c != k))``: how much the feature raised
the member's score of ``k`` above the average of the other labels (for
logistic regression, the mean log-odds of ``k`` against each other label).
Contributions plus the ``(bias)`` row add up to that score difference.

The ensemble's average of probabilities is not linear, so it is explained
through each member separately; every member's own probability of the
predicted label is reported beside its contributions.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._text import fold
from .labels import (
    ACTOR,
    DOC_ID,
    MENTION,
    SENTENCE,
    SENTENCE_ID,
    STANCE,
    proba_column,
)

__all__ = ["Explanation", "explain", "feature_groups", "linear_members", "GROUP_NAMES"]

#: Readable names of the feature blocks of :func:`stancekit.build_pipeline`.
GROUP_NAMES = {
    "mask": "sentence words",
    "clause": "clause words",
    "window": "window words",
    "scope": "scope words",
    "cue": "cues",
    "char": "characters",
}
NEGATION_GROUP = "negation"
BIAS = "(bias)"

_SCORE_NAMES = {
    "logreg": "log-odds",
    "svm": "SVM margin",
    "nb": "naive Bayes log-likelihood",
}

CONTRIBUTION_COLUMNS = [
    DOC_ID,
    SENTENCE_ID,
    ACTOR,
    MENTION,
    STANCE,
    "p_favor",
    "p_against",
    "p_neutral",
    "member",
    "member_proba",
    "feature",
    "group",
    "value",
    "contribution",
]


def feature_groups(names) -> tuple[np.ndarray, np.ndarray]:
    """Readable feature names and their groups.

    The feature union prefixes every name with its block and each vectorizer
    with its view (``mask__mask__TGT backs``, ``cue__cue__clause_favor_neg``).
    The readable name drops both prefixes; the group is the block's readable
    name (:data:`GROUP_NAMES`), except that negated n-grams (``NOT_`` words)
    and negated cue counts form the group ``negation``.

    Parameters
    ----------
    names : array-like of str
        Output of ``pipeline[:-1].get_feature_names_out()``.

    Returns
    -------
    tuple of numpy.ndarray
        ``(labels, groups)``, both of dtype object and the length of ``names``.

    Examples
    --------
    >>> labels, groups = feature_groups(
    ...     ["clause__clause__ready to", "cue__cue__clause_favor_neg", "window__win__L1=not"])
    >>> list(labels), list(groups)
    (['ready to', 'clause_favor_neg', 'L1=not'], ['clause words', 'negation', 'window words'])
    """
    labels = []
    groups = []
    for name in names:
        block, _, rest = str(name).partition("__")
        if not rest:
            block, rest = "", block
        _, sep, tail = rest.partition("__")
        label = tail if sep else rest
        negated = "NOT_" in label or (
            block == "cue" and ("_neg" in label or label.endswith("_flip"))
        )
        labels.append(label)
        groups.append(NEGATION_GROUP if negated else GROUP_NAMES.get(block, block or "other"))
    return np.asarray(labels, dtype=object), np.asarray(groups, dtype=object)


def _as_two_class(W, b):
    """Binary linear models store one row; give them one row per class."""
    W = np.asarray(W, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64).reshape(-1)
    if W.shape[0] == 1:
        return np.vstack([-W[0] / 2, W[0] / 2]), np.array([-b[0] / 2, b[0] / 2])
    return W, b


def _linear_weights(est):
    """``(W, b, reason)`` of one fitted estimator; W is None when not linear."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.naive_bayes import ComplementNB

    if isinstance(est, CalibratedClassifierCV):
        bases = [cc.estimator for cc in est.calibrated_classifiers_]
        if not all(hasattr(b, "coef_") for b in bases):
            return None, None, "its calibrated base estimator has no linear coefficients"
        W = np.mean([np.asarray(b.coef_, dtype=np.float64) for b in bases], axis=0)
        b = np.mean([np.asarray(b.intercept_, dtype=np.float64) for b in bases], axis=0)
        return *_as_two_class(W, b), None
    if isinstance(est, ComplementNB):
        W = est.feature_log_prob_
        b = np.zeros(W.shape[0]) if W.shape[0] > 1 else est.class_log_prior_
        return np.asarray(W, dtype=np.float64), np.asarray(b, dtype=np.float64), None
    if hasattr(est, "feature_log_prob_") and hasattr(est, "class_log_prior_"):
        return (
            np.asarray(est.feature_log_prob_, dtype=np.float64),
            np.asarray(est.class_log_prior_, dtype=np.float64),
            None,
        )
    if hasattr(est, "coef_"):
        W = est.coef_.toarray() if hasattr(est.coef_, "toarray") else est.coef_
        return *_as_two_class(W, getattr(est, "intercept_", np.zeros(len(W)))), None
    return None, None, f"{type(est).__name__} is not a linear model"


def linear_members(clf) -> tuple[list[dict], dict[str, str]]:
    """The linear parts of a fitted stance classifier.

    Parameters
    ----------
    clf : estimator
        The last step of a stancekit pipeline: a linear classifier, a
        calibrated linear SVM, a naive Bayes model or a soft-voting ensemble
        of those.

    Returns
    -------
    members : list of dict
        One per linear member: ``name``, ``estimator``, ``W`` (classes x
        features), ``b`` (per class), ``labels`` (the stance of each row of
        ``W``) and ``score`` (what ``W @ x + b`` measures).
    unexplained : dict
        Member name -> why it cannot be explained linearly.
    """
    from sklearn.ensemble import VotingClassifier

    if isinstance(clf, VotingClassifier):
        parts = list(clf.named_estimators_.items())
        label_of = np.asarray(clf.classes_, dtype=object)
    else:
        parts = [(_member_name(clf), clf)]
        label_of = None
    members, unexplained = [], {}
    for name, est in parts:
        if est == "drop" or est is None:
            continue
        W, b, reason = _linear_weights(est)
        if W is None:
            unexplained[name] = reason
            continue
        classes = np.asarray(est.classes_)
        labels = label_of[classes] if label_of is not None else classes.astype(object)
        members.append(
            {
                "name": name,
                "estimator": est,
                "W": W,
                "b": b,
                "labels": [str(x) for x in labels],
                "score": _SCORE_NAMES.get(name, "decision score"),
            }
        )
    return members, unexplained


def _member_name(est) -> str:
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.linear_model import LogisticRegression
    from sklearn.naive_bayes import ComplementNB

    if isinstance(est, LogisticRegression):
        return "logreg"
    if isinstance(est, CalibratedClassifierCV):
        return "svm"
    if isinstance(est, ComplementNB):
        return "nb"
    return type(est).__name__


class Explanation:
    """Signed feature contributions behind the stance of each actor mention.

    Returned by :meth:`stancekit.StanceModel.explain`; print it for a
    readable summary.

    Attributes
    ----------
    actor : str
        The canonical actor explained.
    mentions : pandas.DataFrame
        One row per mention (sentence): ``doc_id, sentence_id, actor,
        mention, sentence, stance, p_favor, p_against, p_neutral``.
    contributions : pandas.DataFrame
        The tidy table: one row per (mention, member, non-zero feature), plus
        a ``(bias)`` row per (mention, member); columns ``doc_id,
        sentence_id, actor, mention, stance, p_favor, p_against, p_neutral,
        member, member_proba, feature, group, value, contribution``, largest
        contribution first within each (mention, member). ``value`` is the
        feature's value in the mention's vector, ``member_proba`` the
        member's own probability of the predicted stance.
    members : list of str
        The linear members the contributions come from.
    unexplained : dict
        Members that could not be explained, with the reason.
    note : str
        One sentence saying what the contributions measure.
    """

    def __init__(self, actor, mentions, contributions, members, unexplained, note):
        self.actor = actor
        self.mentions = mentions
        self.contributions = contributions
        self.members = list(members)
        self.unexplained = dict(unexplained)
        self.note = note

    def __repr__(self) -> str:
        return (
            f"Explanation(actor={self.actor!r}, mentions={len(self.mentions)}, "
            f"members={self.members})"
        )

    def __str__(self) -> str:
        return self.to_text()

    def to_frame(self) -> pd.DataFrame:
        """Return the tidy contributions table (see the class docstring)."""
        return self.contributions

    def by_group(self) -> pd.DataFrame:
        """Contributions summed per (mention, member, group).

        Returns
        -------
        pandas.DataFrame
            Columns ``doc_id, sentence_id, member, group, contribution``,
            largest first within each (mention, member).
        """
        c = self.contributions
        parts = []
        for _, m in self.mentions.iterrows():
            mine = c[_rows_of(c, m) & (c["feature"] != BIAS).to_numpy()]
            for member in self.members:
                sums = (
                    mine[mine["member"].to_numpy() == member]
                    .groupby("group", sort=False)["contribution"]
                    .sum()
                    .sort_values(ascending=False, kind="stable")
                )
                parts.append(
                    pd.DataFrame(
                        {
                            DOC_ID: m[DOC_ID],
                            SENTENCE_ID: m[SENTENCE_ID],
                            "member": member,
                            "group": sums.index.to_numpy(dtype=object),
                            "contribution": sums.to_numpy(),
                        }
                    )
                )
        columns = [DOC_ID, SENTENCE_ID, "member", "group", "contribution"]
        if not parts:
            return pd.DataFrame({col: [] for col in columns})
        return pd.concat(parts, ignore_index=True)[columns]

    def to_text(self, top: int = 5) -> str:
        """A readable rendering: per mention, its stance and strongest features.

        Parameters
        ----------
        top : int, default=5
            Features shown on each side (for and against the predicted stance)
            for each member.
        """
        lines = [f"{self.actor}: {len(self.mentions)} mention(s)", self.note]
        for name, reason in self.unexplained.items():
            lines.append(f"not explained: {name} ({reason})")
        c = self.contributions
        for _, m in self.mentions.iterrows():
            sentence = m[SENTENCE]
            short = sentence if len(sentence) <= 160 else sentence[:157] + "..."
            where = "" if pd.isna(m[DOC_ID]) else f"{m[DOC_ID]}, "
            lines.append("")
            lines.append(f'[{where}sentence {m[SENTENCE_ID]}] "{short}"')
            probs = ", ".join(
                f"{lab} {m[proba_column(lab)]:.2f}" for lab in ("favor", "against", "neutral")
            )
            lines.append(f"  predicted {m[STANCE]} ({probs})")
            mine = c[_rows_of(c, m)]
            for member in self.members:
                rows = mine[mine["member"].to_numpy() == member]
                if rows.empty:
                    continue
                feats = rows[rows["feature"] != BIAS]
                lines.append(
                    f"  {member}: p({m[STANCE]}) {rows['member_proba'].iloc[0]:.2f}, "
                    f"{m[STANCE]} vs other labels {rows['contribution'].sum():+.2f} "
                    f"(bias {rows['contribution'].iloc[-1]:+.2f})"
                )
                by_group = feats.groupby("group", sort=False)["contribution"].sum()
                by_group = by_group.sort_values(ascending=False, kind="stable")
                lines.append(
                    "    by group: " + ", ".join(f"{g} {v:+.2f}" for g, v in by_group.items())
                )
                pos = feats[feats["contribution"] > 0].head(top)
                neg = feats[feats["contribution"] < 0].sort_values("contribution").head(top)
                for label, part in (("toward", pos), ("away from", neg)):
                    if part.empty:
                        continue
                    lines.append(f"    {label} {m[STANCE]}:")
                    for r in part.itertuples():
                        lines.append(f"      {r.contribution:+.3f}  {r.group:<14} {r.feature}")
        return "\n".join(lines)


def _rows_of(frame: pd.DataFrame, mention) -> np.ndarray:
    """Boolean mask of the rows of ``frame`` that belong to ``mention``."""
    doc = mention[DOC_ID]
    same_doc = frame[DOC_ID].isna() if pd.isna(doc) else frame[DOC_ID] == doc
    return (same_doc & (frame[SENTENCE_ID] == mention[SENTENCE_ID])).to_numpy()


def _match_actor(scored: pd.DataFrame, actor: str) -> str:
    """The canonical actor of ``scored`` that ``actor`` names."""
    wanted = fold(str(actor)).strip()
    names = list(dict.fromkeys(scored[ACTOR]))
    for col in (ACTOR, MENTION):
        hits = [a for a, v in zip(scored[ACTOR], scored[col], strict=True) if fold(v) == wanted]
        if hits:
            return hits[0]
    partial = [a for a in names if wanted and wanted in fold(a).split()]
    if len(partial) == 1:
        return partial[0]
    found = ", ".join(repr(a) for a in names) if names else "none"
    raise ValueError(f"actor {actor!r} is not mentioned in the text; actors found: {found}.")


def _mention_pipeline(pipeline):
    """The feature steps and classifier that score an article's mentions.

    A model of several targets (:class:`stancekit.model.PerTargetClassifier`)
    scores article mentions, which carry no ``target``, with the model of
    the default target; that model is returned as one pipeline.
    """
    from sklearn.pipeline import Pipeline

    from .labels import DEFAULT_TARGET
    from .model import PerTargetClassifier

    if not isinstance(pipeline, PerTargetClassifier):
        return pipeline
    if DEFAULT_TARGET not in pipeline.targets_:
        raise ValueError(
            f"this model was trained on the targets {pipeline.targets_}; article mentions "
            f"carry the target {DEFAULT_TARGET!r}, which it has no model for."
        )
    est = pipeline.estimators_[pipeline.targets_.index(DEFAULT_TARGET)]
    if pipeline.share_features:
        return Pipeline([*pipeline.features_.steps, ("clf", est)])
    return est


def explain(model, text: str, actor: str, *, doc_id=None, date=None) -> Explanation:
    """Explain the stance the model gives ``actor`` in each sentence of ``text``.

    Parameters
    ----------
    model : StanceModel
    text : str
        The article.
    actor : str
        Canonical actor name ("Emmanuel Macron"), the surface form of its
        first mention, or an unambiguous word of the name ("Macron").
    doc_id, date : optional
        As for :meth:`stancekit.StanceModel.score_mentions`.

    Returns
    -------
    Explanation

    Raises
    ------
    ValueError
        When the actor is not mentioned; the message lists the actors found.

    Examples
    --------
    >>> import stancekit
    >>> model = stancekit.load_model()
    >>> ex = model.explain("Macron said France is ready to send troops to Ukraine.", "France")
    >>> ex.mentions["stance"].tolist()
    ['favor']
    >>> sorted(ex.members)
    ['logreg', 'nb', 'svm']
    """
    from .features import mark_mentions

    frame = model.mention_frame(text, doc_id=doc_id, date=date)
    if frame.empty:
        raise ValueError(f"actor {actor!r} is not mentioned in the text; actors found: none.")
    name = _match_actor(frame, actor)
    rows = frame[frame[ACTOR] == name].reset_index(drop=True)
    marked = mark_mentions(rows)
    pipeline = _mention_pipeline(model.pipeline)
    Xt = pipeline[:-1].transform(marked)
    clf = pipeline[-1]
    proba = clf.predict_proba(Xt)
    classes = [str(c) for c in clf.classes_]
    pred = np.asarray(classes, dtype=object)[proba.argmax(axis=1)]
    mentions = rows[[DOC_ID, SENTENCE_ID, ACTOR, MENTION, SENTENCE]].copy()
    mentions[STANCE] = pred
    for lab in ("favor", "against", "neutral"):
        mentions[proba_column(lab)] = (
            proba[:, classes.index(lab)] if lab in classes else np.zeros(len(rows))
        )
    members, unexplained = linear_members(clf)
    labels, groups = feature_groups(pipeline[:-1].get_feature_names_out())
    Xt = Xt.tocsr() if hasattr(Xt, "tocsr") else np.asarray(Xt)
    parts = []
    for member in members:
        est = member["estimator"]
        mproba = est.predict_proba(Xt)
        mlabels = member["labels"]
        W, b = member["W"], member["b"]
        for i in range(len(rows)):
            k = mlabels.index(pred[i]) if pred[i] in mlabels else None
            if k is None:
                continue
            others = [c for c in range(len(mlabels)) if c != k]
            diff = W[k] - W[others].mean(axis=0)
            bias = float(b[k] - b[others].mean())
            if hasattr(Xt, "indices"):
                row = Xt.getrow(i)
                idx, vals = row.indices, row.data.astype(np.float64)
            else:
                idx = np.flatnonzero(Xt[i])
                vals = Xt[i, idx].astype(np.float64)
            contrib = vals * diff[idx]
            order = np.argsort(-contrib, kind="stable")
            part = pd.DataFrame(
                {
                    "feature": np.append(labels[idx][order], BIAS),
                    "group": np.append(groups[idx][order], "bias"),
                    "value": np.append(vals[order], 1.0),
                    "contribution": np.append(contrib[order], bias),
                }
            )
            part.insert(0, "member_proba", float(mproba[i, k]))
            part.insert(0, "member", member["name"])
            for col in reversed(
                [DOC_ID, SENTENCE_ID, ACTOR, MENTION, STANCE, "p_favor", "p_against", "p_neutral"]
            ):
                part.insert(0, col, mentions.loc[i, col])
            parts.append(part)
    if parts:
        contributions = pd.concat(parts, ignore_index=True)[CONTRIBUTION_COLUMNS]
    else:
        contributions = pd.DataFrame({c: [] for c in CONTRIBUTION_COLUMNS})
    note = _note(members, unexplained, clf)
    return Explanation(
        name,
        mentions,
        contributions,
        [m["name"] for m in members],
        unexplained,
        note,
    )


def _note(members, unexplained, clf) -> str:
    from sklearn.ensemble import VotingClassifier

    if not members:
        return "No linear member to explain: " + "; ".join(
            f"{k}: {v}" for k, v in unexplained.items()
        )
    what = ", ".join(f"{m['name']} ({m['score']})" for m in members)
    if isinstance(clf, VotingClassifier):
        return (
            "The soft-voting ensemble averages its members' probabilities, which is not "
            f"linear; contributions come from each linear member separately: {what}. "
            "Each contribution is value x (weight of the predicted label - mean weight of "
            "the other labels)."
        )
    return (
        f"Contributions come from the classifier itself: {what}. Each is value x (weight "
        "of the predicted label - mean weight of the other labels)."
    )
