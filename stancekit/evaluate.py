"""Metrics, article-level gold, grouped cross-validation and training."""

from __future__ import annotations

import logging
import time

import numpy as np
import pandas as pd
from sklearn.metrics import (
    accuracy_score,
    confusion_matrix,
    f1_score,
    precision_recall_fscore_support,
)
from sklearn.model_selection import GroupKFold, StratifiedGroupKFold, StratifiedKFold

from .labels import ACTOR, AGAINST, DOC_ID, FAVOR, LABELS, NEUTRAL, STANCE, TARGET, TEXT

__all__ = [
    "stance_metrics",
    "article_gold",
    "cross_validate_stance",
    "train",
    "grouped_folds",
]

logger = logging.getLogger(__name__)


def stance_metrics(gold, pred) -> dict:
    """Macro-F1, F_avg, accuracy, per-label scores, confusion and Brier score.

    Parameters
    ----------
    gold : array-like of str
    pred : pandas.DataFrame or array-like of str
        A frame with ``stance`` and ``p_*`` columns (then the Brier score is
        reported), or plain labels.

    Returns
    -------
    dict

    Examples
    --------
    >>> m = stance_metrics(["favor", "against"], ["favor", "neutral"])
    >>> round(m["macro_f1"], 3), round(m["f_avg"], 3)
    (0.333, 0.5)
    """
    gold = np.asarray(gold, dtype=object)
    probs = None
    if isinstance(pred, pd.DataFrame):
        probs = pred
        pred = pred[STANCE].to_numpy(dtype=object)
    pred = np.asarray(pred, dtype=object)
    labels = list(LABELS)
    p, r, f, s = precision_recall_fscore_support(gold, pred, labels=labels, zero_division=0)
    per_label = {
        lab: {
            "precision": float(p[i]),
            "recall": float(r[i]),
            "f1": float(f[i]),
            "support": int(s[i]),
        }
        for i, lab in enumerate(labels)
    }
    out = {
        "n": int(len(gold)),
        "macro_f1": float(f1_score(gold, pred, labels=labels, average="macro", zero_division=0)),
        "f_avg": float((per_label[FAVOR]["f1"] + per_label[AGAINST]["f1"]) / 2),
        "accuracy": float(accuracy_score(gold, pred)) if len(gold) else 0.0,
        "per_label": per_label,
        "labels": labels,
        "confusion": confusion_matrix(gold, pred, labels=labels).tolist(),
    }
    if probs is not None and len(gold):
        onehot = np.stack([(gold == lab).astype(float) for lab in labels], axis=1)
        proba = np.stack([probs[f"p_{lab}"].to_numpy(float) for lab in labels], axis=1)
        out["brier"] = float(np.mean(np.sum((proba - onehot) ** 2, axis=1)))
    return out


def article_gold(frame: pd.DataFrame, pred: pd.DataFrame):
    """Article-level gold and predictions for an annotated frame.

    Gold per (doc_id, actor) is the majority non-neutral label of its rows
    (``neutral`` when none, ties broken by the first stance-bearing row);
    the prediction aggregates the row predictions the way
    :func:`stancekit.aggregate_stances` does.

    Returns
    -------
    tuple of (numpy.ndarray, pandas.DataFrame)
        Gold labels and a frame with ``stance`` and ``p_*`` columns.
    """
    from .aggregate import aggregate_stances

    rows = frame[[DOC_ID, "actor", STANCE, TEXT]].reset_index(drop=True)
    gold = []
    for _, g in rows.groupby([DOC_ID, "actor"], sort=False):
        bearing = [s for s in g[STANCE] if s != NEUTRAL]
        if not bearing:
            gold.append(NEUTRAL)
        else:
            fav, ag = bearing.count(FAVOR), bearing.count(AGAINST)
            gold.append(FAVOR if fav > ag else AGAINST if ag > fav else bearing[0])
    mentions = pd.DataFrame(
        {
            DOC_ID: rows[DOC_ID].to_numpy(),
            "actor": rows["actor"].to_numpy(),
            "actor_type": "",
            "affiliation": "",
            "sentence": rows[TEXT].to_numpy(),
            STANCE: pred[STANCE].to_numpy(),
            "p_favor": pred["p_favor"].to_numpy(),
            "p_against": pred["p_against"].to_numpy(),
            "p_neutral": pred["p_neutral"].to_numpy(),
        }
    )
    table = aggregate_stances(mentions)
    return np.asarray(gold, dtype=object), table


def grouped_folds(frame: pd.DataFrame, cv: int = 5, random_state=0):
    """Fold indices that never cut an article (or, without doc_id, a sentence).

    Uses :class:`~sklearn.model_selection.StratifiedGroupKFold` over
    ``doc_id`` (falling back to the sentence text as group).
    """
    groups = frame[DOC_ID] if DOC_ID in frame.columns else frame[TEXT]
    groups = groups.fillna(frame[TEXT]).to_numpy()
    y = frame[STANCE].to_numpy()
    n_groups = len(set(groups))
    if n_groups < cv:
        raise ValueError(f"cv={cv} folds need at least {cv} articles; the corpus has {n_groups}.")
    try:
        splitter = StratifiedGroupKFold(n_splits=cv, shuffle=True, random_state=random_state)
        return list(splitter.split(frame, y, groups))
    except ValueError:
        return list(GroupKFold(n_splits=cv).split(frame, y, groups))


def _calibration_cv(frame: pd.DataFrame, random_state):
    """Calibration folds for the SVM: in row order for one target, shuffled for several.

    Rows of several targets usually come sorted by target; folds cut in row
    order would then calibrate each part on targets it never saw.
    """
    if TARGET in frame.columns and frame[TARGET].nunique() > 1:
        return StratifiedKFold(3, shuffle=True, random_state=random_state)
    return 3


def cross_validate_stance(
    prepared: pd.DataFrame,
    classifier="logreg",
    *,
    cv=5,
    random_state=0,
    features=None,
    folds=None,
    per_target: bool = False,
    share_features: bool = False,
    C=None,
) -> dict:
    """Grouped cross-validation of one configuration on a prepared frame.

    Parameters
    ----------
    prepared : pandas.DataFrame
        Annotated rows with span and view columns (see
        :func:`stancekit.features.mark_mentions`).
    classifier : str
    cv : int, default=5
    random_state : int, default=0
    features : sequence of str, default=None (all groups)
    folds : list of (train, test) index arrays, default=None
    per_target : bool, default=False
        One model per value of the ``target`` column (see
        :func:`stancekit.build_pipeline`).
    share_features : bool, default=False
        With ``per_target``, features fitted on the rows of all targets (see
        :func:`stancekit.build_pipeline`).
    C : float, default=None
        Regularisation of ``logreg`` / ``svm``; None keeps their default.

    Returns
    -------
    dict
        :func:`stance_metrics` of the out-of-fold predictions, plus
        ``fit_seconds`` and ``oof`` (the out-of-fold probability frame).
    """
    from .model import FEATURE_GROUPS, _proba_frame, build_pipeline

    folds = folds or grouped_folds(prepared, cv, random_state)
    y = prepared[STANCE].to_numpy()
    oof = pd.DataFrame(
        index=range(len(prepared)), columns=["p_favor", "p_against", "p_neutral", STANCE]
    )
    start = time.perf_counter()
    calibration = _calibration_cv(prepared, random_state)
    for train_idx, test_idx in folds:
        pipe = build_pipeline(
            classifier,
            features=features or FEATURE_GROUPS,
            random_state=random_state,
            C=C,
            calibration_cv=calibration,
            per_target=per_target,
            share_features=share_features,
        )
        pipe.fit(prepared.iloc[train_idx], y[train_idx])
        part = _proba_frame(pipe, prepared.iloc[test_idx])
        oof.iloc[test_idx] = part[oof.columns].to_numpy()
    oof = oof.astype({"p_favor": float, "p_against": float, "p_neutral": float})
    report = stance_metrics(y, oof)
    report["fit_seconds"] = (time.perf_counter() - start) / len(folds)
    report["oof"] = oof
    return report


def train(
    corpus=None,
    *,
    classifier: str = "auto",
    cv: int = 5,
    random_state: int = 0,
    features=None,
    gazetteer=None,
    dev=None,
    verbose: bool = False,
    per_target: bool = False,
    share_features: bool = False,
    C=None,
    scoring: str = "macro_f1",
):
    """Train a stance model with grouped cross-validation.

    Parameters
    ----------
    corpus : str, os.PathLike, pandas.DataFrame or None
        Annotated rows; None trains on the bundled corpus. Without an
        ``actor`` column each row's label is the stance of the text's author
        (tweets, comments); a ``target`` column may then hold several
        targets (see ``per_target`` and the ``target`` feature group).
    classifier : {"auto", "logreg", "svm", "nb", "ensemble"}, default="auto"
        ``auto`` cross-validates every classifier and keeps the one with the
        best ``scoring``.
    cv : int, default=5
        Folds, grouped by ``doc_id`` so an article never sits on both sides.
    random_state : int, default=0
    features : sequence of str, default=None
        Feature groups (see :func:`stancekit.build_pipeline`); the actor-aware
        groups of ``FEATURE_GROUPS`` by default. For author stance the
        whole-text groups ``("text", "text_char")`` fit better, with
        ``"target"`` added for one model over several targets.
    gazetteer : Gazetteer, default=None
    dev : str, os.PathLike or pandas.DataFrame, default=None
        A held-out annotated set to evaluate once after fitting; its metrics
        go into the model card.
    verbose : bool, default=False
        Log each classifier's cross-validated scores.
    per_target : bool, default=False
        Fit one model per value of the ``target`` column and send each row
        to the model of its target (:class:`stancekit.model.PerTargetClassifier`).
        The alternative is one model with the ``target`` feature group.
    share_features : bool, default=False
        With ``per_target``, fit the n-gram vocabulary and idf once on the
        texts of all targets and only the classifier per target.
    C : float, default=None
        Regularisation of ``logreg`` and ``svm``; None keeps their default.
    scoring : {"macro_f1", "f_avg"}, default="macro_f1"
        What ``auto`` maximises: macro-F1 over the three labels, or F_avg,
        the mean F1 of favor and against (the SemEval stance metric).

    Notes
    -----
    With several targets the SVM's calibration folds are shuffled (seeded by
    ``random_state``), since such corpora are usually sorted by target.

    Returns
    -------
    StanceModel
        Fitted on the whole corpus; ``metadata["cv"]`` holds the chosen
        configuration's grouped-CV report and ``metadata["candidates"]``
        every candidate's macro-F1.

    Examples
    --------
    >>> import stancekit
    >>> corpus = stancekit.datasets.load_troops().head(400)
    >>> model = stancekit.train(corpus, classifier="nb", cv=3)
    >>> model.metadata["classifier"]
    'nb'

    The stance of a text's author on several targets, one model per target:

    >>> tweets = pd.DataFrame({
    ...     "text": ["Love this", "Hate this", "So good", "So bad", "Meh"] * 4,
    ...     "stance": ["favor", "against", "favor", "against", "neutral"] * 4,
    ...     "target": ["A"] * 10 + ["B"] * 10})
    >>> model = stancekit.train(tweets, classifier="nb", features=("text",), cv=2,
    ...                         per_target=True, scoring="f_avg")
    >>> model.predict_corpus(pd.DataFrame({"text": ["So good"], "target": ["B"]}))["stance"][0]
    'favor'
    """
    from threadpoolctl import threadpool_limits

    from .actors import load_gazetteer
    from .corpus import load_corpus
    from .datasets import troops_path
    from .features import locate_mentions, mark_mentions
    from .model import CLASSIFIERS, FEATURE_GROUPS, StanceModel, build_pipeline, model_metadata

    if scoring not in ("macro_f1", "f_avg"):
        raise ValueError(f"scoring: expected 'macro_f1' or 'f_avg'; got {scoring!r}.")
    started = time.perf_counter()
    gaz = gazetteer or load_gazetteer()
    source = (
        "bundled"
        if corpus is None
        else ("frame" if isinstance(corpus, pd.DataFrame) else str(corpus))
    )
    if corpus is None:
        corpus = troops_path()
    frame = corpus if isinstance(corpus, pd.DataFrame) else load_corpus(corpus, gazetteer=gaz)
    if STANCE not in frame.columns or frame[STANCE].nunique() < 2:
        raise ValueError("the corpus needs at least two stance labels to train on.")
    prepared = mark_mentions(locate_mentions(frame, gazetteer=gaz))
    features = tuple(features or FEATURE_GROUPS)
    names = CLASSIFIERS if classifier == "auto" else (classifier,)
    folds = grouped_folds(prepared, cv, random_state)
    options = {"per_target": per_target, "share_features": share_features, "C": C}
    # One BLAS thread: the solvers then sum in the same order on every machine,
    # so a model retrained elsewhere reproduces the recorded metrics exactly.
    with threadpool_limits(limits=1, user_api="blas"):
        candidates = {}
        best = None
        for name in names:
            report = cross_validate_stance(
                prepared,
                name,
                cv=cv,
                random_state=random_state,
                features=features,
                folds=folds,
                **options,
            )
            report.pop("oof")
            candidates[name] = report
            if verbose:
                logger.info(
                    "%s: macro-F1 %.3f F_avg %.3f", name, report["macro_f1"], report["f_avg"]
                )
            if best is None or report[scoring] > candidates[best][scoring]:
                best = name
        pipe = build_pipeline(
            best,
            features=features,
            random_state=random_state,
            calibration_cv=_calibration_cv(prepared, random_state),
            **options,
        )
        fit_start = time.perf_counter()
        pipe.fit(prepared, prepared[STANCE].to_numpy())
    fit_seconds = time.perf_counter() - fit_start
    final = pipe.estimator[-1] if per_target else pipe[-1]
    extra = {}
    if per_target or C is not None or scoring != "macro_f1" or ACTOR not in frame.columns:
        # Recorded only when used, so default cards stay as they were.
        extra = {
            "per_target": per_target,
            "share_features": share_features,
            "scoring": scoring,
            "author_stance": ACTOR not in frame.columns,
            "targets": sorted(map(str, frame[TARGET].dropna().unique()))
            if TARGET in frame.columns
            else [],
        }
    meta = model_metadata(
        classifier=best,
        features=list(features),
        random_state=random_state,
        hyperparameters={k: repr(v) for k, v in final.get_params(deep=False).items()},
        corpus=_corpus_summary(frame, source),
        cv={
            "folds": cv,
            "grouped_by": DOC_ID if DOC_ID in frame.columns else TEXT,
            **candidates[best],
        },
        candidates={
            k: {"macro_f1": v["macro_f1"], "f_avg": v["f_avg"]} for k, v in candidates.items()
        },
        gazetteer_sha256=gaz.fingerprint(),
        fit_seconds=round(fit_seconds, 3),
        train_seconds=0.0,
        **extra,
    )
    model = StanceModel(pipe, meta, gazetteer=gaz)
    if dev is not None:
        model.metadata["dev"] = model.evaluate(dev)
    model.metadata["train_seconds"] = round(time.perf_counter() - started, 3)
    return model


def _corpus_summary(frame: pd.DataFrame, source: str) -> dict:
    import hashlib

    h = hashlib.sha256()
    cols = [c for c in ("text", "actor", "stance", "doc_id") if c in frame.columns]
    for row in frame[cols].itertuples(index=False):
        h.update(("\t".join("" if v is None else str(v) for v in row) + "\n").encode())
    return {
        "source": source,
        "sha256": h.hexdigest(),
        "rows": int(len(frame)),
        "articles": int(frame[DOC_ID].nunique()) if DOC_ID in frame.columns else None,
        "labels": {k: int(v) for k, v in frame[STANCE].value_counts().items()},
    }


def _same_kind(found: str, gold: str) -> bool:
    collective = ("organization", "group")
    return found == gold or (found in collective and gold in collective)


def actor_recall(frame: pd.DataFrame, *, gazetteer=None, by_article: bool = True) -> dict:
    """Share of annotated (sentence, actor) rows whose actor the finder detects.

    A row counts as found when the finder names its actor in the sentence,
    or an actor of the same affiliation and type (group phrasings such as
    "European allies" / "European countries" are one group actor each, and
    "NATO countries" may be annotated as the group or the organisation).

    Parameters
    ----------
    frame : pandas.DataFrame
        Annotated rows (``text``, ``actor``, ``affiliation``, ``actor_type``,
        optionally ``doc_id`` and ``date``).
    gazetteer : Gazetteer, default=None
    by_article : bool, default=True
        Run the finder over each article (the rows' distinct sentences of one
        ``doc_id`` in order), as it runs on real articles, so that titles and
        pronouns can resolve to a person named in the previous sentence;
        False runs it on each sentence alone.

    Returns
    -------
    dict
        ``recall``, ``exact_recall`` (canonical name only), ``n`` and the
        ``missed`` rows (text, actor).
    """
    from .actors import load_gazetteer

    gaz = gazetteer or load_gazetteer()
    found_in = _mentions_by_sentence(frame, gaz, by_article)
    exact = loose = 0
    missed = []
    affs = frame["affiliation"] if "affiliation" in frame.columns else [None] * len(frame)
    kinds = frame["actor_type"] if "actor_type" in frame.columns else [None] * len(frame)
    docs = frame[DOC_ID] if (by_article and DOC_ID in frame.columns) else [None] * len(frame)
    for text, actor, aff, kind, doc in zip(
        frame[TEXT], frame["actor"], affs, kinds, docs, strict=True
    ):
        found = found_in[(doc, text)]
        if any(m.actor == actor for m in found):
            exact += 1
            loose += 1
        elif any(m.affiliation == aff and _same_kind(m.actor_type, kind) for m in found):
            loose += 1
        else:
            missed.append((text, actor))
    n = len(frame)
    return {
        "n": n,
        "recall": loose / n if n else 0.0,
        "exact_recall": exact / n if n else 0.0,
        "missed": missed,
        "by_article": bool(by_article and DOC_ID in frame.columns),
    }


def _mentions_by_sentence(frame, gaz, by_article):
    """Mentions found for each (doc_id, sentence) of an annotated frame."""
    out: dict = {}
    dates = frame["date"] if "date" in frame.columns else [None] * len(frame)
    if not (by_article and DOC_ID in frame.columns):
        for text, day in zip(frame[TEXT], dates, strict=True):
            if (None, text) not in out:
                out[(None, text)] = gaz.find(text, day or None)
        return out
    for doc, group in frame.groupby(DOC_ID, sort=False):
        sentences = list(dict.fromkeys(group[TEXT]))
        day = group["date"].iloc[0] if "date" in group.columns else None
        for sent, found in zip(
            sentences, gaz.find_in_sentences(sentences, day or None), strict=True
        ):
            out[(doc, sent)] = found
    return out
