"""The stance model: pipeline construction, training, scoring, persistence.

Two layers, as in sentence-transformers over scikit-learn parts:

1. the estimator layer, a scikit-learn :class:`~sklearn.pipeline.Pipeline`
   over the mention frame (:func:`build_pipeline`), usable in
   ``cross_val_score`` and ``GridSearchCV``;
2. the facade :class:`StanceModel`, which holds the fitted pipeline, its
   metadata and a gazetteer, and scores raw articles.
"""

from __future__ import annotations

import bisect
import gc
import logging
import platform
import time
from contextlib import contextmanager

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import VotingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import ComplementNB
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.svm import LinearSVC
from sklearn.utils.validation import check_is_fitted

from . import __version__
from ._text import MAX_TEXT_CHARS, clean_text
from .actors import Gazetteer, _parse_date, load_gazetteer
from .aggregate import aggregate_stances, empty_actor_table
from .exceptions import InputTextError
from .features import (
    OTHER_SPANS,
    TARGET_SPANS,
    ActorMaskVectorizer,
    ClauseNgramVectorizer,
    CueCounter,
    MentionMarker,
    ScopeVectorizer,
    TextNgramVectorizer,
    WindowVectorizer,
    locate_mentions,
    mark_mentions,
)
from .labels import (
    ACTOR,
    ACTOR_TYPE,
    AFFILIATION,
    DEFAULT_TARGET,
    DOC_ID,
    END,
    MENTION,
    SENTENCE,
    SENTENCE_ID,
    STANCE,
    START,
    TARGET,
    TEXT,
    proba_column,
)
from .segment import sentence_spans

__all__ = [
    "StanceModel",
    "build_pipeline",
    "PerTargetClassifier",
    "CLASSIFIERS",
    "FEATURE_GROUPS",
    "AUTHOR_FEATURE_GROUPS",
    "MENTION_COLUMNS",
]

logger = logging.getLogger(__name__)

CLASSIFIERS = ("logreg", "svm", "nb", "ensemble")
FEATURE_GROUPS = ("mask", "clause", "window", "scope", "cue", "char")
# Whole-text groups for author stance (no actor column), e.g. tweets.
AUTHOR_FEATURE_GROUPS = ("text", "text_char", "target", "text_char_wb")
_ALL_GROUPS = FEATURE_GROUPS + AUTHOR_FEATURE_GROUPS

MENTION_COLUMNS = [
    DOC_ID,
    SENTENCE_ID,
    SENTENCE,
    START,
    END,
    ACTOR,
    ACTOR_TYPE,
    AFFILIATION,
    MENTION,
    "kind",
    STANCE,
    "p_favor",
    "p_against",
    "p_neutral",
]

MODEL_FILE = "model.skops"
CARD_FILE = "model_card.json"


def _feature_step(name: str):
    if name == "mask":
        return ActorMaskVectorizer(ngram_range=(1, 2), min_df=2)
    if name == "clause":
        return ClauseNgramVectorizer(ngram_range=(1, 3), min_df=2)
    if name == "window":
        return WindowVectorizer(min_df=2)
    if name == "scope":
        return ScopeVectorizer(ngram_range=(1, 3), min_df=2)
    if name == "cue":
        return CueCounter(scale=1.0)
    if name == "char":
        return ClauseNgramVectorizer(
            analyzer="char_wb", ngram_range=(3, 5), min_df=3, max_features=40000
        )
    if name == "text":
        return TextNgramVectorizer(ngram_range=(1, 3))
    if name == "text_char":
        return TextNgramVectorizer(analyzer="char", ngram_range=(2, 5))
    if name == "text_char_wb":
        return TextNgramVectorizer(analyzer="char_wb", ngram_range=(3, 5))
    if name == "target":
        return FeatureUnion(
            [
                ("word", TextNgramVectorizer(ngram_range=(1, 3), by_target=True)),
                ("char", TextNgramVectorizer(analyzer="char", ngram_range=(2, 5), by_target=True)),
            ]
        )
    raise ValueError(f"features: unknown group {name!r}; expected some of {_ALL_GROUPS}.")


def _classifier(name: str, random_state, C=None, calibration_cv=3):
    if name == "logreg":
        return LogisticRegression(
            C=8.0 if C is None else C,
            max_iter=3000,
            class_weight="balanced",
            random_state=random_state,
        )
    if name == "svm":
        return CalibratedClassifierCV(
            LinearSVC(
                C=1.0 if C is None else C, class_weight="balanced", random_state=random_state
            ),
            cv=calibration_cv,
            method="sigmoid",
        )
    if name == "nb":
        return ComplementNB(alpha=0.3)
    if name == "ensemble":
        return VotingClassifier(
            [
                ("logreg", _classifier("logreg", random_state, C)),
                ("svm", _classifier("svm", random_state, C, calibration_cv)),
                ("nb", _classifier("nb", random_state)),
            ],
            voting="soft",
        )
    raise ValueError(f"classifier: expected one of {CLASSIFIERS} or 'auto'; got {name!r}.")


def build_pipeline(
    classifier: str = "logreg",
    *,
    features=FEATURE_GROUPS,
    random_state=0,
    C=None,
    calibration_cv=3,
    per_target: bool = False,
    share_features: bool = False,
):
    """Return an unfitted stance pipeline over mention frames.

    Parameters
    ----------
    classifier : {"logreg", "svm", "nb", "ensemble"}, default="logreg"
        Logistic regression, a sigmoid-calibrated linear SVM, complement
        naive Bayes, or their soft-voting ensemble.
    features : sequence of str, default=FEATURE_GROUPS
        Feature groups to use: ``mask`` (masked sentence n-grams), ``clause``
        (target clause n-grams), ``window`` (position-tagged words around the
        target), ``cue`` (stance cue counts with negation), ``char``
        (character n-grams of the target clause); for the stance of a text's
        author (a corpus without ``actor``), the whole-text groups of
        ``AUTHOR_FEATURE_GROUPS``: ``text`` (word 1-3-grams, hashtags split),
        ``text_char`` (character 2-5-grams), ``text_char_wb`` (character
        3-5-grams inside words) and ``target`` (word and character n-grams
        conjoined with the row's ``target``, for one model over several
        targets).
    random_state : int, default=0
    C : float, default=None
        Inverse regularisation of ``logreg`` and ``svm`` (also inside the
        ensemble); None keeps their defaults, 8.0 and 1.0.
    calibration_cv : int or cross-validation splitter, default=3
        Folds of the SVM's sigmoid calibration. An int cuts them in row
        order; rows sorted by target or label need a shuffled splitter such
        as ``StratifiedKFold(3, shuffle=True, random_state=0)``.
    per_target : bool, default=False
        Wrap the pipeline in a :class:`PerTargetClassifier`: one model per
        value of the ``target`` column.
    share_features : bool, default=False
        With ``per_target``, fit the feature steps once on the rows of all
        targets (vocabulary and idf from every target's texts) and only the
        classifier per target (see :class:`PerTargetClassifier`).

    Returns
    -------
    sklearn.pipeline.Pipeline or PerTargetClassifier
        Steps ``marker`` -> ``features`` (a FeatureUnion) -> ``clf``.

    Examples
    --------
    >>> build_pipeline("nb", features=("mask", "cue")).named_steps["clf"]
    ComplementNB(alpha=0.3)
    >>> build_pipeline("svm", features=AUTHOR_FEATURE_GROUPS[:2], per_target=True)
    PerTargetClassifier(estimator=Pipeline(...))
    """
    features = tuple(features)
    if not features:
        raise ValueError("features: give at least one feature group.")
    union = FeatureUnion([(name, _feature_step(name)) for name in features])
    pipe = Pipeline(
        [
            ("marker", MentionMarker()),
            ("features", union),
            ("clf", _classifier(classifier, random_state, C, calibration_cv)),
        ]
    )
    return PerTargetClassifier(pipe, share_features=share_features) if per_target else pipe


def _row_targets(X) -> np.ndarray:
    """The ``target`` of each row, ``troop_deployment`` where absent or empty."""
    if TARGET not in X.columns:
        return np.full(len(X), DEFAULT_TARGET, dtype=object)
    return np.asarray(
        [
            DEFAULT_TARGET
            if t is None or (isinstance(t, float) and t != t) or not str(t).strip()
            else str(t)
            for t in X[TARGET]
        ],
        dtype=object,
    )


class PerTargetClassifier(ClassifierMixin, BaseEstimator):
    """One clone of a stance pipeline per target, chosen by each row's ``target``.

    For corpora annotated on several targets (a ``target`` column): each
    target gets its own model, trained on its rows only; at prediction time
    every row goes to the model of its target.

    Parameters
    ----------
    estimator : estimator
        Unfitted classifier over mention frames, e.g. from
        :func:`build_pipeline`.
    share_features : bool, default=False
        Fit all steps of ``estimator`` but the last (a ``Pipeline``) once on
        the rows of all targets and one clone of its last step (the
        classifier) per target. The n-gram idf is then estimated on every
        target's texts, which tells words common to all tweets from the
        words of one target better than a target's few hundred rows do.

    Attributes
    ----------
    targets_ : list of str
        Targets seen in training, sorted.
    estimators_ : list of estimators
        The fitted clone of each target, aligned with ``targets_`` (with
        ``share_features``, clones of the last step only).
    features_ : estimator
        With ``share_features``, the feature steps fitted on all rows.
    classes_ : ndarray of str
        Labels of all targets, sorted; a target without some label gives it
        probability 0.

    Examples
    --------
    >>> X = pd.DataFrame({"text": ["good", "bad", "fine", "awful"] * 3,
    ...                   "target": ["a"] * 6 + ["b"] * 6})
    >>> y = ["favor", "against"] * 6
    >>> pipe = build_pipeline("nb", features=("text",), per_target=True).fit(X, y)
    >>> pipe.targets_, list(pipe.predict(X.head(2)))
    (['a', 'b'], ['favor', 'against'])
    """

    def __init__(self, estimator, *, share_features=False):
        self.estimator = estimator
        self.share_features = share_features

    def _split(self):
        if not self.share_features:
            return None, self.estimator
        if not isinstance(self.estimator, Pipeline) or len(self.estimator) < 2:
            raise ValueError(
                "share_features=True needs a Pipeline of feature steps and a classifier; "
                f"got {type(self.estimator).__name__}."
            )
        return self.estimator[:-1], self.estimator[-1]

    def fit(self, X, y):
        """Fit one clone of ``estimator`` on the rows of each target; return self."""
        if not isinstance(X, pd.DataFrame):
            raise TypeError(
                f"expected a mention frame (pandas.DataFrame); got {type(X).__name__}."
            )
        targets = _row_targets(X)
        y = np.asarray(y, dtype=object)
        self.classes_ = np.unique(y)
        self.targets_ = sorted(set(targets))
        features, final = self._split()
        if features is not None:
            self.features_ = clone(features)
            X = self.features_.fit_transform(X, y)
        self.estimators_ = []
        for target in self.targets_:
            rows = np.flatnonzero(targets == target)
            labels = np.unique(y[rows])
            if len(labels) < 2:
                raise ValueError(
                    f"target {target!r}: all {len(rows)} rows are {labels[0]!r}; "
                    "one model per target needs at least two labels for each target."
                )
            part = X[rows] if features is not None else X.iloc[rows]
            self.estimators_.append(clone(final).fit(part, y[rows]))
        self.n_features_in_ = 1
        return self

    def predict_proba(self, X):
        """Probabilities of ``classes_``, each row from the model of its target."""
        check_is_fitted(self)
        targets = _row_targets(X)
        unknown = sorted(set(targets) - set(self.targets_))
        if unknown:
            raise ValueError(
                f"target {unknown[0]!r} is not one the model was trained on; "
                f"expected one of {self.targets_}."
            )
        classes = list(self.classes_)
        out = np.zeros((len(X), len(classes)))
        matrix = self.features_.transform(X) if self.share_features else None
        for target, est in zip(self.targets_, self.estimators_, strict=True):
            rows = np.flatnonzero(targets == target)
            if len(rows):
                part = matrix[rows] if matrix is not None else X.iloc[rows]
                proba = est.predict_proba(part)
                for j, label in enumerate(est.classes_):
                    out[rows, classes.index(label)] = proba[:, j]
        return out

    def predict(self, X):
        """The most probable label of each row."""
        return self.classes_[self.predict_proba(X).argmax(axis=1)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # Input is a mention frame with named text columns, not a numeric array.
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        return tags


def _proba_frame(pipeline, X) -> pd.DataFrame:
    proba = pipeline.predict_proba(X)
    classes = list(pipeline.classes_)
    out = {}
    for label in ("favor", "against", "neutral"):
        out[proba_column(label)] = (
            proba[:, classes.index(label)] if label in classes else np.zeros(len(X))
        )
    frame = pd.DataFrame(out)
    frame[STANCE] = np.asarray(classes, dtype=object)[proba.argmax(axis=1)]
    return frame


_SCORE_ROWS = 4096  # mention rows per call of the pipeline


class StanceModel:
    """A trained stance model: score articles, evaluate, save, load.

    Build one with :func:`stancekit.train` or load one with
    :func:`stancekit.load_model`.

    Parameters
    ----------
    pipeline : sklearn.pipeline.Pipeline
        Fitted pipeline over mention frames (see :func:`build_pipeline`).
    metadata : dict, default=None
        What made the model (versions, corpus, metrics); saved as its card.
    gazetteer : Gazetteer, default=None
        Actor finder for raw text; the bundled gazetteer by default.

    Attributes
    ----------
    classes_ : ndarray of str
        Labels in the order of the pipeline's ``predict_proba`` columns.
    """

    def __init__(
        self, pipeline: Pipeline, metadata: dict | None = None, gazetteer: Gazetteer | None = None
    ):
        self.pipeline = pipeline
        self.metadata = dict(metadata or {})
        self.gazetteer = gazetteer or load_gazetteer()

    @property
    def classes_(self):
        return self.pipeline.classes_

    def __repr__(self) -> str:
        clf = self.metadata.get("classifier", type(self.pipeline[-1]).__name__)
        f1 = self.metadata.get("cv", {}).get("macro_f1")
        extra = f", cv macro-F1={f1:.3f}" if isinstance(f1, float) else ""
        return f"StanceModel({clf}{extra})"

    # -- mention frames -----------------------------------------------------
    def mention_frame(self, text: str, doc_id=None, date=None) -> pd.DataFrame:
        """Return the unscored mention frame of an article.

        One row per (sentence, actor), in order of first mention, with the
        sentence, its offsets and the target and other actors' spans relative
        to the sentence.
        """
        return _rows_frame(self._mention_rows(text, doc_id, date))

    def _mention_rows(self, text, doc_id, date) -> list[tuple]:
        text = _check_text(text, doc_id)
        spans = sentence_spans(text)
        found = self.gazetteer.find(text, date, spans=spans)
        starts = [s for s, _ in spans]
        per_sentence: dict[int, list] = {}
        for m in found:
            sid = max(0, bisect.bisect_right(starts, m.start) - 1)
            per_sentence.setdefault(sid, []).append(m)
        rows = []
        for sid in sorted(per_sentence):
            ms = per_sentence[sid]
            s0, e0 = spans[sid]
            sentence = text[s0:e0]
            by_actor: dict[str, list] = {}
            for m in ms:
                by_actor.setdefault(m.actor, []).append(m)
            for actor, group in by_actor.items():
                first = group[0]
                tgt = [(m.start - s0, m.end - s0) for m in group]
                oth = [(m.start - s0, m.end - s0) for m in ms if m.actor != actor]
                rows.append(
                    (
                        doc_id,
                        sid,
                        sentence,
                        s0,
                        e0,
                        actor,
                        first.actor_type,
                        first.affiliation,
                        text[first.start : first.end],
                        first.kind,
                        tgt,
                        oth,
                    )
                )
        return rows

    def _score_frame(self, frame: pd.DataFrame) -> pd.DataFrame:
        if frame.empty:
            return _empty_mentions()
        # Feature matrices are built a slice at a time, so that a huge
        # article costs memory in proportion to the slice, not the article.
        scored = pd.concat(
            [
                _proba_frame(self.pipeline, mark_mentions(frame.iloc[i : i + _SCORE_ROWS]))
                for i in range(0, len(frame), _SCORE_ROWS)
            ],
            ignore_index=True,
        )
        out = frame[[c for c in MENTION_COLUMNS if c in frame.columns]].copy()
        for col in scored.columns:
            out[col] = scored[col].to_numpy()
        return out[MENTION_COLUMNS]

    # -- scoring --------------------------------------------------------------
    def score_mentions(self, text: str, doc_id=None, date=None) -> pd.DataFrame:
        """Score every (sentence, actor) pair of an article.

        Parameters
        ----------
        text : str
            The article (plain text or HTML, which is stripped).
        doc_id : str, default=None
            Carried into the ``doc_id`` column.
        date : str or datetime-like, default=None
            Article date; picks office holders and affiliations valid then.

        Returns
        -------
        pandas.DataFrame
            Columns ``doc_id, sentence_id, sentence, start, end, actor,
            actor_type, affiliation, mention, kind, stance, p_favor, p_against,
            p_neutral``; ``start``/``end`` are the sentence's offsets in the
            cleaned text, ``mention`` the actor's first surface form in it.
        """
        with _gc_paused():
            return self._score_frame(self.mention_frame(text, doc_id, date))

    def score_article(self, text: str, doc_id=None, date=None) -> pd.DataFrame:
        """Score an article: one row per actor with its stance and evidence.

        Returns
        -------
        pandas.DataFrame
            Columns ``doc_id, actor, actor_type, affiliation, stance,
            confidence, p_favor, p_against, p_neutral, n_mentions, mixed,
            evidence`` (see :func:`stancekit.aggregate_stances`).
        """
        return aggregate_stances(self.score_mentions(text, doc_id, date))

    def score_articles(
        self,
        articles,
        text_col: str = TEXT,
        id_col: str = DOC_ID,
        *,
        date_col: str = "date",
        n_jobs: int = 1,
        progress: bool | None = True,
        batch_size: int = 64,
        mentions: bool = False,
    ) -> pd.DataFrame:
        """Score many articles; return their concatenated actor tables.

        Parameters
        ----------
        articles : pandas.DataFrame or iterable of str or dict
            A frame with ``text_col`` (and optionally ``id_col``,
            ``date_col``), or an iterable of texts or of dicts with those keys.
        text_col, id_col, date_col : str
        n_jobs : int, default=1
            Worker processes (joblib); -1 uses every core. Results are the
            same as with one process, in the same order.
        progress : bool or None, default=True
            tqdm progress bar; None shows it only on a terminal.
        batch_size : int, default=64
            Articles scored per call of the classifier.
        mentions : bool, default=False
            Return mention-level rows instead of actor tables.

        Returns
        -------
        pandas.DataFrame
        """
        if progress is False:
            from tqdm import tqdm  # no widget machinery (and no warning) in notebooks
        else:
            from tqdm.auto import tqdm

        items = list(_iter_articles(articles, text_col, id_col, date_col))
        batches = [items[i : i + batch_size] for i in range(0, len(items), batch_size)]
        bar = tqdm(
            total=len(items), disable=None if progress is None else not progress, unit="article"
        )
        results = []
        if n_jobs == 1 or len(batches) <= 1:
            for batch in batches:
                results.append(self._score_batch(batch, mentions))
                bar.update(len(batch))
        else:
            from joblib import Parallel, delayed

            parallel = Parallel(n_jobs=n_jobs, return_as="generator")
            for batch, out in zip(
                batches,
                parallel(delayed(self._score_batch)(b, mentions) for b in batches),
                strict=True,
            ):
                results.append(out)
                bar.update(len(batch))
        bar.close()
        if not results:
            return _empty_mentions() if mentions else empty_actor_table()
        return pd.concat(results, ignore_index=True)

    def _score_batch(self, batch, mentions: bool) -> pd.DataFrame:
        with _gc_paused():
            rows = []
            for doc, text, day in batch:
                rows.extend(self._mention_rows(text, doc, day))
            if not rows:
                return _empty_mentions() if mentions else empty_actor_table()
            scored = self._score_frame(_rows_frame(rows))
            return scored if mentions else aggregate_stances(scored)

    def explain(self, text: str, actor: str, *, doc_id=None, date=None):
        """Explain the stance of ``actor`` in each sentence that mentions it.

        Signed feature contributions (coefficient x feature value) of each
        linear member of the classifier; see :func:`stancekit.explain.explain`.

        Returns
        -------
        stancekit.explain.Explanation
            ``.mentions`` (stance and probabilities per sentence),
            ``.contributions`` (tidy table), ``.to_text()``.

        Raises
        ------
        ValueError
            When the actor is not mentioned (the message lists those found).
        """
        from .explain import explain

        return explain(self, text, actor, doc_id=doc_id, date=date)

    # -- evaluation -----------------------------------------------------------
    def predict_corpus(self, corpus: pd.DataFrame) -> pd.DataFrame:
        """Probabilities and labels for an annotated frame (gold actor given).

        Rows without an ``actor`` (a frame with only ``text``, and ``target``
        for a model of several targets) get the stance of the text's author.

        Returns
        -------
        pandas.DataFrame
            ``p_favor, p_against, p_neutral, stance`` aligned with ``corpus``.
        """
        X = mark_mentions(locate_mentions(corpus, gazetteer=self.gazetteer))
        return _proba_frame(self.pipeline, X)

    def evaluate(self, corpus) -> dict:
        """Sentence- and article-level metrics on an annotated corpus.

        Parameters
        ----------
        corpus : str, os.PathLike or pandas.DataFrame
            Annotated rows (see :func:`stancekit.load_corpus`).

        Returns
        -------
        dict
            ``macro_f1``, ``f_avg`` (mean F1 of favor and against),
            ``accuracy``, ``brier``, ``per_label`` (precision, recall, F1,
            support), ``confusion`` (rows = gold, columns = predicted, in
            ``labels`` order), and ``article`` metrics when ``doc_id`` exists.
        """
        from .corpus import load_corpus
        from .evaluate import article_gold, stance_metrics

        # Another team's canonical names may differ from the gazetteer's
        # ("Ministry of Defence of the Czech Republic"); the target is then
        # located through its affiliation, so the actor check is not applied.
        frame = (
            corpus
            if isinstance(corpus, pd.DataFrame)
            else load_corpus(corpus, gazetteer=self.gazetteer, check_actors=False)
        )
        pred = self.predict_corpus(frame)
        report = stance_metrics(frame[STANCE], pred)
        if DOC_ID in frame.columns and ACTOR in frame.columns and frame[DOC_ID].notna().all():
            gold, predicted = article_gold(frame, pred)
            report["article"] = stance_metrics(gold, predicted)
        return report

    # -- persistence ------------------------------------------------------------
    def save(self, path, *, overwrite: bool = False) -> str:
        """Save the model folder atomically: ``model.skops`` + ``model_card.json``.

        The folder is written under a temporary name beside ``path`` and
        renamed into place, so an interrupted save never leaves a half-written
        model, and an existing model is replaced only with ``overwrite=True``.

        Returns
        -------
        str
            The folder written.
        """
        from .persist import save_model

        return save_model(self, path, overwrite=overwrite)

    @classmethod
    def load(cls, path=None, *, gazetteer=None) -> StanceModel:
        """Load a model folder saved by :meth:`save` (see stancekit.load_model)."""
        from .persist import load_model

        return load_model(path, gazetteer=gazetteer)


@contextmanager
def _gc_paused():
    """Pause the cyclic garbage collector while a batch of articles is scored.

    Scoring makes millions of short-lived strings, lists and tuples, which
    trigger collections that each walk every live object, the loaded model
    included; the batch creates no reference cycles, and reference counting
    frees its objects either way. The collector's state is restored after
    the batch (a collector the caller turned off stays off).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _rows_frame(rows: list[tuple]) -> pd.DataFrame:
    """The mention frame of rows built by ``StanceModel._mention_rows``."""
    frame = pd.DataFrame(rows, columns=[*MENTION_COLUMNS[:10], TARGET_SPANS, OTHER_SPANS])
    frame[TEXT] = frame[SENTENCE]
    return frame.astype({SENTENCE_ID: "int64", START: "int64", END: "int64"})


def _empty_mentions() -> pd.DataFrame:
    dtypes = {
        SENTENCE_ID: "int64",
        START: "int64",
        END: "int64",
        "p_favor": "float64",
        "p_against": "float64",
        "p_neutral": "float64",
    }
    return pd.DataFrame({c: pd.Series(dtype=dtypes.get(c, object)) for c in MENTION_COLUMNS})


def _check_text(text, doc_id=None) -> str:
    where = f"article {doc_id!r}: " if doc_id is not None else ""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputTextError(
                f"{where}bytes are not valid UTF-8 at byte {exc.start}; decode them "
                "first (e.g. data.decode('latin-1'))."
            ) from None
    if not isinstance(text, str):
        raise InputTextError(f"{where}expected str; got {type(text).__name__}.")
    if len(text) > MAX_TEXT_CHARS:
        raise InputTextError(
            f"{where}{len(text):,} characters is over the limit of "
            f"{MAX_TEXT_CHARS:,}; split the text into articles."
        )
    return clean_text(text)


def _iter_articles(articles, text_col, id_col, date_col):
    if isinstance(articles, pd.DataFrame):
        if text_col not in articles.columns:
            raise ValueError(
                f"text_col={text_col!r} is not a column; got {list(articles.columns)}."
            )
        ids = articles[id_col] if id_col in articles.columns else range(len(articles))
        days = articles[date_col] if date_col in articles.columns else [None] * len(articles)
        for doc, text, day in zip(ids, articles[text_col], days, strict=True):
            yield str(doc), text, _parse_date(day)
        return
    if isinstance(articles, (str, bytes)):
        articles = [articles]
    for i, item in enumerate(articles):
        if isinstance(item, dict):
            yield str(item.get(id_col, i)), item[text_col], _parse_date(item.get(date_col))
        else:
            yield str(i), item, None


def model_metadata(**extra) -> dict:
    """Versions of everything that shapes a model (for its card)."""
    import sklearn

    meta = {
        "stancekit_version": __version__,
        "sklearn_version": sklearn.__version__,
        "numpy_version": np.__version__,
        "pandas_version": pd.__version__,
        "python_version": platform.python_version(),
        "labels": ["against", "favor", "neutral"],
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    meta.update(extra)
    return meta
