"""Actor-aware feature transformers over the mention frame.

The mention frame has one row per (sentence, actor): the sentence in column
``text``, the target actor's character spans in ``target_spans`` and the
other actors' spans in ``other_spans`` (lists of ``(start, end)``). Frames
without span columns get them from the bundled gazetteer through the
``actor`` column (see :func:`locate_mentions`).

Every transformer reads the same derived views of a row, computed once by
:func:`mark_mentions` and cached in the frame when :class:`MentionMarker`
runs first in a pipeline:

- ``masked``: the folded sentence with the target replaced by ``TGT`` and
  other actors by ``OTH``, so the same sentence gives different vectors for
  different actors and actor identity is not a feature;
- ``clause``: the clause holding the target (split at "but", "while",
  "whereas", ";", dashes), widened to the neighbouring clause when it is only
  an attribution ("..., TGT said");
- ``window``: position-tagged words around the target (``L1=warned``,
  ``R1=has``, ``R12=has_ruled``).
"""

from __future__ import annotations

import csv
import io
import re
from bisect import bisect_left, bisect_right
from functools import lru_cache
from importlib import resources
from itertools import chain, repeat

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.utils.validation import check_is_fitted

from ._text import fold
from .labels import ACTOR, DEFAULT_TARGET, DOC_ID, TARGET, TEXT

__all__ = [
    "MentionMarker",
    "ActorMaskVectorizer",
    "ClauseNgramVectorizer",
    "WindowVectorizer",
    "ScopeVectorizer",
    "CueCounter",
    "TextNgramVectorizer",
    "mark_mentions",
    "locate_mentions",
    "split_hashtags",
]

_SEP = "\x1f"
TARGET_SPANS = "target_spans"
OTHER_SPANS = "other_spans"
MARKED = ("masked", "clause", "window", "scope")
TGT = "TGT"
OTH = "OTH"

_TOKEN = re.compile(r"TGT|OTH|[a-z0-9]+(?:'[a-z]+)?|[^\sA-Za-z0-9]")
_CONTRAST = (
    r"but|while|whereas|although|even though|(?<!even )though|"
    r"however|unlike|even as|despite|meanwhile"
)
_CLAUSE_SPLIT = re.compile(r"\s*(?:;|\s[-–—]\s|(?=\b(?:" + _CONTRAST + r")\b))\s*")
# The same markers without the surrounding spaces: a quick test for whether
# a sentence splits at all (most do not).
_CLAUSE_MARKER = re.compile(r";|\s[-–—]\s|\b(?:" + _CONTRAST + r")\b")
_WORD = re.compile(r"[a-z]+")
_REPORTING = re.compile(
    r"\b(?:said|says|say|told|added|according|stated|wrote|insisted|argued|noted|"
    r"stressed|claimed|tweeted|posted)\b"
)


def _apply_masks(sentence: str, target, others) -> str:
    """Fold ``sentence`` and replace the spans by ``TGT`` / ``OTH``."""
    marks = [(s, e, TGT) for s, e in target] + [(s, e, OTH) for s, e in others]
    if not marks:
        return fold(sentence)
    marks.sort()
    out = []
    pos = 0
    last_tag = None
    for s, e, tag in marks:
        if s < pos:  # overlapping spans: keep the first
            continue
        gap = sentence[pos:s]
        if tag == last_tag and out and not gap.strip(" ,"):
            # "Prime Minister Donald Tusk", "Tusk, Poland's premier": one mention.
            pos = e
            continue
        out.append(fold(gap))
        out.append(f" {tag} ")
        pos = e
        last_tag = tag
    out.append(fold(sentence[pos:]))
    return "".join(out)


_STANCE_WORD = re.compile(r"\b(?:no|not|never|nor|yes|backs?|supports?|opposes?|rejects?)\b|n't")


_NEGATION_SCOPE = re.compile(
    r"\b(not|n't|never|no|neither|nor|without|cannot|hardly)\b((?:\s+(?!TGT\b|OTH\b)[a-z][a-z'-]*){1,3})"
)


_NEGATED_WORD = re.compile(r"([a-z][a-z'-]*)")


def mark_negation(text: str) -> str:
    """Prefix the words after a negator with ``NOT_`` (up to three words).

    "has not ruled out sending" becomes "has not NOT_ruled NOT_out NOT_sending",
    so the n-grams of a negated phrase differ from those of the plain one.

    Examples
    --------
    >>> mark_negation(" TGT  has not ruled out sending troops, but OTH refused.")
    ' TGT  has not NOT_ruled NOT_out NOT_sending troops, but OTH refused.'
    """
    return _negated(text)


def _negate_match(m):
    return m.group(1) + _NEGATED_WORD.sub(r"NOT_\1", m.group(2))


# Several views read the same strings (the clause is often the whole masked
# sentence, and the character view reads the clause again).
@lru_cache(maxsize=1 << 15)
def _negated(text: str) -> str:
    return _NEGATION_SCOPE.sub(_negate_match, text)


def _target_clause(masked: str) -> str:
    """The clause that holds the target.

    Clauses are split at contrast markers, but a clause that names no actor
    continues the one before it ("TGT ruled it out while fighting continues,
    but said ..."), so splits only ever separate different actors.
    """
    if not _CLAUSE_MARKER.search(masked):
        return masked
    pieces = [p for p in _CLAUSE_SPLIT.split(masked) if p and p.strip()]
    if len(pieces) <= 1:
        return masked
    parts: list[str] = []
    for piece in pieces:
        if parts and TGT not in piece and OTH not in piece:
            parts[-1] = parts[-1] + " " + piece
        else:
            parts.append(piece)
    for i, part in enumerate(parts):
        if TGT in part:
            words = _WORD.findall(part)
            if (
                i > 0
                and len(words) <= 6
                and _REPORTING.search(part)
                and not _STANCE_WORD.search(part)
            ):
                # "..., TGT said": the stance sits in the clause before.
                return parts[i - 1] + " " + part
            return part
    return masked


def _window(masked: str, width: int) -> str:
    tokens = _TOKEN.findall(masked)
    try:
        at = tokens.index(TGT)
    except ValueError:
        return "NOTGT"
    feats = []
    for k in range(1, width + 1):
        if at - k >= 0:
            feats.append(f"L{k}={tokens[at - k]}")
        if at + k < len(tokens):
            feats.append(f"R{k}={tokens[at + k]}")
    if at + 2 < len(tokens):
        feats.append(f"R12={tokens[at + 1]}_{tokens[at + 2]}")
    if at - 2 >= 0:
        feats.append(f"L21={tokens[at - 2]}_{tokens[at - 1]}")
    if at == 0 or (at == 1 and tokens[0] in ("the", '"')):
        feats.append("START")
    return " ".join(feats)


_SCOPE_STOP = re.compile(r"[;]|\b(?:but|while|whereas|although|though|however)\b")


def _scope(masked: str) -> str:
    """The words the target governs: from the previous actor to the next one.

    Up to 6 words before the target (not past another actor) and up to 14
    after it (not past another actor or a contrast marker), so that "TGT has
    not ruled out sending troops" and "rejected TGT 's suggestion" keep their
    predicate, and a list of other actors does not.
    """
    at = masked.find(TGT)
    if at < 0:
        return masked  # no target located (or author stance): the whole sentence
    left = masked[:at]
    cut = max(left.rfind(OTH), 0)
    if cut:
        left = left[cut + 3 :]
    right = masked[at + 3 :]
    stops = [i for i in (right.find(OTH), _first(_SCOPE_STOP, right)) if i >= 0]
    if stops:
        right = right[: min(stops)]
    lw = _TOKEN.findall(left)[-6:]
    rw = _TOKEN.findall(right)[:14]
    return " ".join([*lw, TGT, *rw])


def _first(regex, text):
    m = regex.search(text)
    return m.start() if m else -1


def _as_spans(value):
    if value is None or (isinstance(value, float) and value != value):
        return []
    return [tuple(int(x) for x in pair) for pair in value]


def mark_mentions(X: pd.DataFrame, *, window: int = 4) -> pd.DataFrame:
    """Compute the masked sentence, target clause and window of each row.

    Parameters
    ----------
    X : pandas.DataFrame
        Mention frame with ``text`` and either ``target_spans`` /
        ``other_spans`` or ``actor`` (spans are then located with the bundled
        gazetteer).
    window : int, default=4
        Words on each side of the target in the ``window`` view.

    Returns
    -------
    pandas.DataFrame
        ``X`` with added string columns ``masked``, ``clause`` and ``window``.

    Examples
    --------
    >>> X = pd.DataFrame({"text": ["Paris backs it, but Moscow says no."],
    ...                   "target_spans": [[(20, 26)]], "other_spans": [[(0, 5)]]})
    >>> mark_mentions(X)["clause"][0]
    'but  TGT  says no.'
    """
    if all(c in X.columns for c in MARKED):
        return X
    if TARGET_SPANS not in X.columns:
        X = locate_mentions(X)
    masked = [
        _apply_masks(t, _as_spans(ts), _as_spans(os_))
        for t, ts, os_ in zip(X[TEXT], X[TARGET_SPANS], X[OTHER_SPANS], strict=True)
    ]
    out = X.copy()
    out["masked"] = masked
    out["clause"] = [_target_clause(m) for m in masked]
    out["window"] = [_window(m, window) for m in masked]
    out["scope"] = [_scope(m) for m in masked]
    return out


def locate_mentions(
    X: pd.DataFrame, *, gazetteer=None, date_col="date", by_article=True
) -> pd.DataFrame:
    """Add ``target_spans`` and ``other_spans`` to an annotated frame.

    The actor finder runs once per distinct sentence; with ``by_article``
    and a ``doc_id`` column it reads each article's sentences in order, so
    that titles and pronouns ("the minister added") resolve as they do when
    an article is scored. The target is the
    actor of the row's ``actor`` column; when the finder does not name it,
    mentions of the same affiliation and type, then the row's ``mention``
    text, then the actor's last name are tried. Rows without an ``actor``
    (author stance, as in tweets) get no target span.

    Returns
    -------
    pandas.DataFrame
        A copy of ``X`` with the two span columns (lists of ``(start, end)``).
    """
    from .actors import load_gazetteer

    gaz = gazetteer or load_gazetteer()
    cache: dict = {}
    has_actor = ACTOR in X.columns
    dates = X[date_col] if date_col in X.columns else [None] * len(X)
    affs = X["affiliation"] if "affiliation" in X.columns else [None] * len(X)
    kinds = X["actor_type"] if "actor_type" in X.columns else [None] * len(X)
    given = X["mention"] if "mention" in X.columns else [None] * len(X)
    actors = X[ACTOR] if has_actor else [None] * len(X)
    if by_article and DOC_ID in X.columns:
        docs = X[DOC_ID]
        for doc, group in X.groupby(DOC_ID, sort=False):
            sentences = list(dict.fromkeys(group[TEXT]))
            day = group[date_col].iloc[0] if date_col in group.columns else None
            day = None if day is None or (isinstance(day, float) and day != day) else day
            found_all = gaz.find_in_sentences(sentences, day)
            for sent, found in zip(sentences, found_all, strict=True):
                cache[(doc, sent)] = found
    else:
        docs = [None] * len(X)
    targets, others = [], []
    for text, actor, day, aff, kind, mention, doc in zip(
        X[TEXT], actors, dates, affs, kinds, given, docs, strict=True
    ):
        day = None if day is None or (isinstance(day, float) and day != day) else day
        found = cache.get((doc, text)) if doc is not None else None
        key = (text, str(day))
        if found is None:
            found = cache.get(key)
        if found is None:
            found = gaz.find(text, day)
            cache[key] = found
        if actor is None or (isinstance(actor, float) and actor != actor):
            targets.append([])
            others.append([(m.start, m.end) for m in found])
            continue
        tgt = [m for m in found if m.actor == actor]
        if not tgt and aff:
            tgt = [m for m in found if m.affiliation == aff and m.actor_type == kind]
        spans = [(m.start, m.end) for m in tgt]
        if not spans:
            for needle in (mention, actor, str(actor).split()[-1]):
                if isinstance(needle, str) and len(needle) > 2:
                    at = fold(text).find(fold(needle))
                    if at >= 0:
                        spans = [(at, at + len(needle))]
                        break
        rest = [
            (m.start, m.end) for m in found if not any(m.start < e and s < m.end for s, e in spans)
        ]
        targets.append(spans)
        others.append(rest)
    out = X.copy()
    out[TARGET_SPANS] = targets
    out[OTHER_SPANS] = others
    return out


class _FrameTransformer(TransformerMixin, BaseEstimator):
    """Base of the transformers that read a mention frame."""

    def fit(self, X, y=None):
        """Check the frame; return self."""
        _check_frame(X)
        self.n_features_in_ = 1
        return self

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # Input is a mention frame with named text columns, not a numeric array.
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        return tags


class MentionMarker(_FrameTransformer):
    """Add the masked, clause and window views to a mention frame.

    Put it first in a pipeline so the vectorizers after it share one pass.

    Parameters
    ----------
    window : int, default=4
        Words on each side of the target in the window view.
    """

    def __init__(self, *, window=4):
        self.window = window

    def transform(self, X):
        """Return ``X`` with the ``masked``, ``clause``, ``window`` and ``scope`` columns."""
        check_is_fitted(self)
        _check_frame(X)
        return mark_mentions(X, window=self.window)

    def get_feature_names_out(self, input_features=None):
        """Names of the added views."""
        return np.asarray(MARKED, dtype=object)


def _check_frame(X):
    if not isinstance(X, pd.DataFrame):
        raise TypeError(
            "expected a mention frame (pandas.DataFrame with a 'text' column); "
            f"got {type(X).__name__}."
        )
    if TEXT not in X.columns:
        raise ValueError(
            f"the mention frame needs a {TEXT!r} column; got columns {list(X.columns)}."
        )


# Token patterns whose tokens never hold a space, so that a vocabulary
# n-gram splits back into its tokens at the spaces.
_AUTHOR_TOKEN = r"(?u)[#@]?\w+|[!?\"]"
_SPACELESS_TOKENS = {r"(?u)\b\w\w+\b", r"(?u)\b\w+\b|[?\"]", r"\S+", _AUTHOR_TOKEN}


class _NgramIndex:
    """A word vocabulary as integer keys: each n-gram is its token ids in base ``V + 1``."""

    __slots__ = ("vocabulary", "tokens", "base", "keys", "columns")

    def __init__(self, vocabulary, tokens, base, keys, columns):
        self.vocabulary, self.tokens, self.base = vocabulary, tokens, base
        self.keys = pd.Index(keys)  # a hash table: unique keys, -1 for a miss
        self.columns = columns


def _ngram_index(vec: TfidfVectorizer):
    """The integer index of ``vec``'s word vocabulary, or None where it does not apply.

    Built once per fitted vocabulary and kept on the vectorizer (saved
    models never hold it: :class:`_ViewVectorizer` saves only the terms).
    """
    vocabulary = vec.vocabulary_
    cached = vec.__dict__.get("_ngram_index_")
    if cached is not None and cached.vocabulary is vocabulary:
        return cached
    plain = (
        not vec.lowercase
        and vec.preprocessor is None
        and vec.tokenizer is None
        and vec.stop_words is None
        and vec.strip_accents is None
        and vec.token_pattern in _SPACELESS_TOKENS
    )
    min_n, max_n = vec.ngram_range
    if not plain or not vocabulary:
        return None
    tokens: dict[str, int] = {}
    grams = []
    for term in vocabulary:
        parts = term.split(" ")
        if not min_n <= len(parts) <= max_n:
            return None
        grams.append([tokens.setdefault(t, len(tokens) + 1) for t in parts])
    base = len(tokens) + 1
    if base**max_n >= 2**62:
        return None
    keys = np.zeros(len(grams), dtype=np.int64)
    for i, ids in enumerate(grams):
        key = 0
        for t in ids:
            key = key * base + t
        keys[i] = key
    columns = np.fromiter(vocabulary.values(), dtype=np.int64, count=len(vocabulary))
    index = _NgramIndex(vocabulary, tokens, base, keys, columns)
    vec.__dict__["_ngram_index_"] = index
    return index


def _word_ngram_hits(vec: TfidfVectorizer, index: _NgramIndex, docs):
    """Row and column of every vocabulary n-gram occurrence in ``docs``.

    Each document is tokenised once; tokens become integer ids and the
    n-grams of all documents are formed and looked up as integer keys in
    a few array operations, instead of one joined string and one dictionary
    look-up per n-gram.
    """
    tokenize = vec.build_tokenizer()
    per_doc = [tokenize(doc) for doc in docs]
    lengths = np.fromiter(map(len, per_doc), dtype=np.int64, count=len(per_doc))
    n_tokens = int(lengths.sum())
    ids = np.fromiter(
        map(index.tokens.get, chain.from_iterable(per_doc), repeat(0)),
        dtype=np.int64,
        count=n_tokens,
    )
    doc_of = np.repeat(np.arange(len(per_doc)), lengths)
    min_n, max_n = vec.ngram_range
    rows, cols = [], []
    key = np.zeros(n_tokens, dtype=np.int64)
    known = np.ones(n_tokens, dtype=bool)
    for n in range(1, max_n + 1):
        # key[i] = ids[i .. i+n-1] in base V+1; known: every one of those tokens is known
        width = n_tokens - n + 1
        if width <= 0:
            break
        key = key[:width] * index.base + ids[n - 1 :]
        known = known[:width] & (ids[n - 1 :] > 0)
        if n < min_n:
            continue
        ok = known & (doc_of[:width] == doc_of[n - 1 :])
        at = index.keys.get_indexer(key[ok])
        hit = at >= 0
        rows.append(doc_of[:width][ok][hit])
        cols.append(index.columns[at[hit]])
    if not rows:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(rows), np.concatenate(cols)


def _tfidf_transform(vec: TfidfVectorizer, docs) -> sp.csr_matrix:
    """``vec.transform(docs)``, with the same output, counted faster.

    scikit-learn joins every n-gram into a string and looks it up in a
    Python loop that raises an exception for every n-gram outside the
    vocabulary, which is most of the bigrams and trigrams here. Word
    n-grams are instead formed from integer token ids and looked up as
    integer keys for all documents at once (:func:`_word_ngram_hits`);
    character n-grams of each distinct word are computed once (``char_wb``
    n-grams never cross a space). The counts are then weighted by the
    vectorizer's own TF-IDF step, so the matrix is identical to
    ``vec.transform(docs)``.
    """
    tfidf = getattr(vec, "_tfidf", None)
    if tfidf is None or vec.binary or vec.input != "content":
        return vec.transform(docs)
    analyze = vec.build_analyzer()
    get = vec.vocabulary_.get
    missing = repeat(-1)
    docs = list(docs)
    n_docs = len(docs)
    if vec.analyzer == "char_wb":
        # counts = (documents x words) @ (words x n-grams), each word analysed once.
        words = [doc.split() for doc in docs]
        codes, uniques = pd.factorize(pd.Series(list(chain.from_iterable(words)), dtype=object))
        rows = np.repeat(np.arange(n_docs), [len(w) for w in words])
        by_doc = sp.csr_matrix(
            (np.ones(len(codes), dtype=vec.dtype), (rows, codes)), shape=(n_docs, len(uniques))
        )
        grams = [[j for j in map(get, analyze(w), missing) if j >= 0] for w in uniques]
        by_word = sp.csr_matrix(
            (
                np.ones(sum(map(len, grams)), dtype=vec.dtype),
                (
                    np.repeat(np.arange(len(grams)), [len(g) for g in grams]),
                    np.fromiter(chain.from_iterable(grams), dtype=np.int64),
                ),
            ),
            shape=(len(uniques), len(vec.vocabulary_)),
        )
        counts = sp.csr_matrix(by_doc @ by_word)
    else:
        index = _ngram_index(vec) if vec.analyzer == "word" else None
        if index is not None:
            rows, cols = _word_ngram_hits(vec, index, docs)
        else:
            lengths = []
            ids: list[int] = []
            for doc in docs:
                feats = analyze(doc)
                ids.extend(map(get, feats, missing))
                lengths.append(len(feats))
            cols = np.asarray(ids, dtype=np.int64)
            rows = np.repeat(np.arange(n_docs), lengths)
            keep = cols >= 0
            rows, cols = rows[keep], cols[keep]
        counts = sp.csr_matrix(
            (np.ones(len(cols), dtype=vec.dtype), (rows, cols)),
            shape=(n_docs, len(vec.vocabulary_)),
        )
    counts.sum_duplicates()
    counts.sort_indices()
    return tfidf.transform(counts, copy=False)


class _ViewVectorizer(_FrameTransformer):
    """A TF-IDF vectorizer over one derived view of the mention frame."""

    _view = "masked"
    _prefix = "mask"

    def _texts(self, X):
        _check_frame(X)
        return [mark_negation(t) for t in mark_mentions(X)[self._view]]

    # A fitted vocabulary is stored as one string and an idf array, not as a
    # dict of tens of thousands of entries: saved models stay small and load
    # fast, and the file holds no scikit-learn vectorizer object at all.
    def __getstate__(self):
        state = dict(super().__getstate__())  # a copy: never strip the live object
        vec = state.pop("vectorizer_", None)
        if vec is not None:
            terms = vec.get_feature_names_out()
            if any(_SEP in t for t in terms):
                raise ValueError("a vocabulary term contains the separator U+001F")
            state["vocabulary_terms_"] = _SEP.join(terms)
            state["idf_"] = np.asarray(vec.idf_, dtype=np.float64)
        return state

    def __setstate__(self, state):
        state = dict(state)
        terms = state.pop("vocabulary_terms_", None)
        idf = state.pop("idf_", None)
        super().__setstate__(state)
        if terms is not None:
            vec = self._make()
            vec.vocabulary_ = {t: i for i, t in enumerate(terms.split(_SEP))}
            vec.fixed_vocabulary_ = False
            vec.idf_ = idf
            self.vectorizer_ = vec

    def _make(self):
        return TfidfVectorizer(
            lowercase=False,
            analyzer=getattr(self, "analyzer", "word"),
            ngram_range=self.ngram_range,
            min_df=self.min_df,
            max_features=self.max_features,
            sublinear_tf=True,
            token_pattern=(
                r"(?u)\b\w+\b|[?\"]" if getattr(self, "analyzer", "word") == "word" else None
            ),
            dtype=np.float32,
        )

    def fit(self, X, y=None):
        """Learn the vocabulary and idf from the mention frame."""
        self.vectorizer_ = self._make().fit(self._texts(X))
        self.n_features_in_ = 1
        return self

    def transform(self, X):
        """Return the sparse TF-IDF matrix of the view."""
        check_is_fitted(self)
        return _tfidf_transform(self.vectorizer_, self._texts(X))

    def get_feature_names_out(self, input_features=None):
        """Feature names prefixed with the view, e.g. ``clause__ready to``."""
        check_is_fitted(self)
        names = self.vectorizer_.get_feature_names_out()
        return np.asarray([f"{self._prefix}__{n}" for n in names], dtype=object)


_URL = re.compile(r"\bhttps?://\S+|\bwww\.\S+")
_HASHTAG = re.compile(r"#(\w+)")
_WORD_BREAK = re.compile(
    r"_+|(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])|(?<=[A-Za-z])(?=[0-9])|(?<=[0-9])(?=[A-Za-z])"
)


def split_hashtags(text: str) -> str:
    """Follow each hashtag with its words, split at case changes, digits and underscores.

    Examples
    --------
    >>> split_hashtags("Vote! #HillaryForPrison2016 #pro_life")
    'Vote! #HillaryForPrison2016 Hillary For Prison 2016 #pro_life pro life'
    """

    def repl(m):
        words = " ".join(w for w in _WORD_BREAK.split(m.group(1)) if w)
        return m.group(0) if words == m.group(1) else f"{m.group(0)} {words}"

    return _HASHTAG.sub(repl, text)


def _author_view(text: str) -> str:
    """The whole text as the author-stance vectorizers read it."""
    return fold(split_hashtags(_URL.sub(" URL ", text)))


def _target_token(value) -> str:
    if value is None or (isinstance(value, float) and value != value) or not str(value).strip():
        value = DEFAULT_TARGET
    return re.sub(r"\W+", "_", fold(str(value)).strip()).strip("_") or DEFAULT_TARGET


class TextNgramVectorizer(_ViewVectorizer):
    """Word or character n-grams of the whole text, for the stance of its author.

    The view of texts whose stance is their author's (tweets, comments,
    op-eds) rather than an actor's: the text is read whole, with no actor
    masked, URLs become ``url`` and each hashtag is followed by its words
    (``#StopTheWar`` -> ``#stopthewar stop the war``). With
    ``by_target=True`` every n-gram is conjoined with the row's ``target``
    (``atheism|god``: one copy of the vector per target seen in training,
    filled only for rows of that target, zero for other targets), so that a
    model trained on several targets learns what words mean for each target
    beside what all targets share.

    Parameters
    ----------
    ngram_range : tuple of int, default=(1, 3)
    min_df : int or float, default=1
    max_features : int, default=None
    analyzer : {"word", "char", "char_wb"}, default="word"
        ``char_wb`` takes character n-grams only inside words (padded with
        spaces), as in :class:`~sklearn.feature_extraction.text.TfidfVectorizer`.
    by_target : bool, default=False
        Conjoin each n-gram with the row's target (``troop_deployment``
        when the frame has no ``target`` column).

    Attributes
    ----------
    targets_ : list of str
        With ``by_target``, the targets seen in training, in block order.

    Examples
    --------
    >>> X = pd.DataFrame({"text": ["#StopTheWar now"], "target": ["Peace"]})
    >>> list(TextNgramVectorizer(ngram_range=(1, 1)).fit(X).get_feature_names_out())
    ['text__#stopthewar', 'text__now', 'text__stop', 'text__the', 'text__war']
    >>> v = TextNgramVectorizer(ngram_range=(1, 1), by_target=True).fit(X)
    >>> list(v.get_feature_names_out())[:2], v.transform(X).shape
    (['target__peace|#stopthewar', 'target__peace|now'], (1, 5))
    """

    _view = TEXT

    def __init__(
        self, *, ngram_range=(1, 3), min_df=1, max_features=None, analyzer="word", by_target=False
    ):
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.max_features = max_features
        self.analyzer = analyzer
        self.by_target = by_target

    @property
    def _prefix(self):
        name = "target" if self.by_target else "text"
        return {"word": name, "char": name + "char"}.get(self.analyzer, name + "charwb")

    def _texts(self, X):
        _check_frame(X)
        return [_author_view(t) for t in X[TEXT]]

    def _make(self):
        if self.analyzer not in ("word", "char", "char_wb"):
            raise ValueError(
                f"analyzer: expected 'word', 'char' or 'char_wb'; got {self.analyzer!r}."
            )
        return TfidfVectorizer(
            lowercase=False,
            analyzer=self.analyzer,
            ngram_range=self.ngram_range,
            token_pattern=_AUTHOR_TOKEN if self.analyzer == "word" else None,
            min_df=self.min_df,
            max_features=self.max_features,
            sublinear_tf=True,
            dtype=np.float32,
        )

    def _targets(self, X):
        targets = X[TARGET] if TARGET in X.columns else [None] * len(X)
        return [_target_token(t) for t in targets]

    def fit(self, X, y=None):
        """Learn the vocabulary, idf and (with ``by_target``) the targets."""
        super().fit(X, y)
        if self.by_target:
            self.targets_ = sorted(set(self._targets(X)))
        return self

    def transform(self, X):
        """Return the sparse TF-IDF matrix (one block per target with ``by_target``)."""
        matrix = super().transform(X)
        if not self.by_target:
            return matrix
        width = matrix.shape[1]
        block = {t: i for i, t in enumerate(self.targets_)}
        # Rows of a target not seen in training keep no conjoined feature.
        where = np.asarray([block.get(t, -1) for t in self._targets(X)])
        matrix = sp.csr_matrix(matrix)
        matrix = sp.diags((where >= 0).astype(matrix.dtype)) @ matrix
        matrix.eliminate_zeros()
        counts = np.diff(matrix.indptr)
        indices = matrix.indices + np.repeat(np.maximum(where, 0) * width, counts)
        return sp.csr_matrix(
            (matrix.data, indices, matrix.indptr),
            shape=(matrix.shape[0], width * len(self.targets_)),
        )

    def get_feature_names_out(self, input_features=None):
        """Names such as ``text__stop the war`` or ``target__atheism|god``."""
        check_is_fitted(self)
        names = self.vectorizer_.get_feature_names_out()
        if not self.by_target:
            return np.asarray([f"{self._prefix}__{n}" for n in names], dtype=object)
        return np.asarray(
            [f"{self._prefix}__{t}|{n}" for t in self.targets_ for n in names], dtype=object
        )


class ActorMaskVectorizer(_ViewVectorizer):
    """Word n-grams of the sentence with the target masked as ``TGT``.

    Parameters
    ----------
    ngram_range : tuple of int, default=(1, 2)
    min_df : int or float, default=2
    max_features : int, default=None
    analyzer : str, default="word"

    Examples
    --------
    >>> X = pd.DataFrame({"text": ["Paris backs it."], "target_spans": [[(0, 5)]],
    ...                   "other_spans": [[]]})
    >>> v = ActorMaskVectorizer(min_df=1).fit(X)
    >>> list(v.get_feature_names_out())[:3]
    ['mask__TGT', 'mask__TGT backs', 'mask__backs']
    """

    _view = "masked"
    _prefix = "mask"

    def __init__(self, *, ngram_range=(1, 2), min_df=2, max_features=None, analyzer="word"):
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.max_features = max_features
        self.analyzer = analyzer


class ClauseNgramVectorizer(_ViewVectorizer):
    """Word or character n-grams of the clause that holds the target.

    Parameters
    ----------
    ngram_range : tuple of int, default=(1, 3)
    min_df : int or float, default=2
    max_features : int, default=None
    analyzer : {"word", "char_wb"}, default="word"
        ``char_wb`` gives spelling-robust character n-grams (prefix ``char``)
        over the clause only, which keeps them cheap.
    """

    _view = "clause"

    def __init__(self, *, ngram_range=(1, 3), min_df=2, max_features=None, analyzer="word"):
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.max_features = max_features
        self.analyzer = analyzer

    @property
    def _prefix(self):
        return "clause" if self.analyzer == "word" else "char"


class ScopeVectorizer(_ViewVectorizer):
    """Word n-grams of the words the target governs (see ``_scope``).

    Parameters
    ----------
    ngram_range : tuple of int, default=(1, 3)
    min_df : int or float, default=2
    max_features : int, default=None
    """

    _view = "scope"
    _prefix = "scope"

    def __init__(self, *, ngram_range=(1, 3), min_df=2, max_features=None):
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.max_features = max_features


class WindowVectorizer(_ViewVectorizer):
    """Position-tagged words around the target (``L1=warned``, ``R1=has``).

    Parameters
    ----------
    min_df : int or float, default=2
    max_features : int, default=None
    """

    _view = "window"
    _prefix = "win"

    def __init__(self, *, min_df=2, max_features=None):
        self.min_df = min_df
        self.max_features = max_features

    def _make(self):
        return TfidfVectorizer(
            lowercase=False,
            token_pattern=r"\S+",
            min_df=self.min_df,
            max_features=self.max_features,
            sublinear_tf=True,
            dtype=np.float32,
        )


def _load_cues():
    ref = resources.files("stancekit") / "data" / "cues.csv"
    groups: dict[str, list[str]] = {}
    with ref.open("r", encoding="utf-8") as fh:
        for row in csv.DictReader(io.StringIO(fh.read())):
            groups.setdefault(row["group"], []).append(row["pattern"])
    return {
        g: re.compile(r"\b(?:" + "|".join(f"(?:{p})" for p in pats) + r")")
        for g, pats in groups.items()
    }


_CUES = _load_cues()
_NEGATOR = _CUES.pop("negation")
_OBJECT_BEFORE = re.compile(
    r"(?:warn\w*|urg\w*|told|tell|ask\w*|press\w*|call\w* on|accus\w*|criticis\w*|"
    r"criticiz\w*|with|to|of|by|from|for|against|at|and|between|among|on)\s+(?:the\s+)?$"
)
_SAYS_AFTER = re.compile(
    r"^\s*(?:,\s*)?(?:'s\s+)?\w*\s*(?:said|says|say|told|added|stated|declared|announced|"
    r"insisted|argued|warned|stressed|noted|wrote|tweeted|posted|claimed|"
    r"confirmed|signalled|signaled|made clear|has|have|had|is|was|will|would|"
    r"could|can|does|did|remains|wants|plans|intends|refuses|rejects|supports|"
    r"backs|opposes|ruled|rules)\b"
)
_CUE_GROUPS = ("favor", "against", "neutral", "topic", "other")
_CUE_NAMES = (
    [f"{scope}_{g}" for scope in ("clause", "sent") for g in _CUE_GROUPS]
    + ["sent_favor_flip", "sent_against_flip"]
    + [f"clause_{g}_neg" for g in ("favor", "against")]
    + [f"clause_{g}_topic" for g in ("favor", "against", "favor_neg", "against_neg")]
    + [
        "clause_no_topic",
        "sent_no_topic",
        "other_without_topic",
        "question",
        "quote",
        "tgt_subject",
        "tgt_object",
        "tgt_missing",
        "n_others",
        "tgt_first",
    ]
    + [f"{g}_{where}" for g in ("favor", "against") for where in ("before", "after", "near")]
    + ["tgt_proposal", "tgt_agent", "tgt_list"]
    + [
        f"{g}_{owner}"
        for g in ("favor", "against", "favor_neg", "against_neg")
        for owner in ("own", "other")
    ]
)

_PROPOSAL_AFTER = re.compile(
    r"^\s*(?:'s?|s')\s+(?:\w+\s+)?(?:plan|plans|proposal|proposals|idea|initiative|offer|"
    r"suggestion|call|calls|push|vision|pledge|pledges|commitment|scheme|blueprint|"
    r"push|drive|effort|efforts|remarks?|comments?)\b"
)
_AGENT_BEFORE = re.compile(
    r"\b(?:proposed|floated|led|championed|backed|spearheaded|pushed|advocated|drawn up|"
    r"drafted|put forward|favou?red|supported|initiated|sponsored|driven|convened|"
    r"opposed|rejected|blocked|vetoed|criticised|criticized)\s+by\s+(?:the\s+)?$"
)
_LIST_NEAR = re.compile(r"^\s*(?:,|and|or)\s+(?:the\s+)?OTH|OTH\s*(?:,|and|or)\s*$")


def _scan_cues(text: str) -> dict:
    """Every cue group's matches in ``text``, each group scanned once.

    ``favor`` and ``against`` give ``(starts, negated)``: the start of each
    match and whether a negator precedes it within 25 characters ("has not
    ruled out"); the other groups give their number of matches.
    """
    out: dict = {}
    for g in ("favor", "against"):
        starts = [m.start() for m in _CUES[g].finditer(text)]
        negated = [_NEGATOR.search(text[max(0, s - 25) : s]) is not None for s in starts]
        out[g] = (starts, negated)
    for g in ("neutral", "topic", "other"):
        out[g] = len(_CUES[g].findall(text))
    return out


def _find_all(text: str, word: str):
    """Offsets of the non-overlapping occurrences of ``word`` in ``text``."""
    at = text.find(word)
    while at >= 0:
        yield at
        at = text.find(word, at + len(word))


def _cue_row(masked: str, clause: str, scans: dict | None = None) -> list[float]:
    if scans is None:
        scans = {}
    # Cues are lower-case words, so they match alike whichever of the
    # same-length placeholders TGT and OTH sits next to them: the rows of
    # one sentence share one scan.
    key = masked.replace(TGT, OTH)
    sent = scans.get(key)
    if sent is None:
        sent = scans[key] = _scan_cues(masked)
    if clause == masked:
        cl = sent
    else:
        key = clause.replace(TGT, OTH)
        cl = scans.get(key)
        if cl is None:
            cl = scans[key] = _scan_cues(clause)
    # Plain and negated cue counts, in the clause and in the whole sentence.
    c_fav_neg, c_ag_neg = sum(cl["favor"][1]), sum(cl["against"][1])
    c_fav, c_ag = len(cl["favor"][0]) - c_fav_neg, len(cl["against"][0]) - c_ag_neg
    s_fav_neg, s_ag_neg = sum(sent["favor"][1]), sum(sent["against"][1])
    s_fav, s_ag = len(sent["favor"][0]) - s_fav_neg, len(sent["against"][0]) - s_ag_neg
    topic = cl["topic"] > 0
    row = [c_fav, c_ag, cl["neutral"], cl["topic"], cl["other"]]
    row += [s_fav, s_ag, sent["neutral"], sent["topic"], sent["other"]]
    # Negated cues ("has not ruled out") count for the other side.
    row += [s_ag_neg, s_fav_neg, c_fav_neg, c_ag_neg]
    row += [c_fav * topic, c_ag * topic, c_fav_neg * topic, c_ag_neg * topic]
    at = masked.find(TGT)
    before = masked[:at] if at >= 0 else ""
    after = masked[at + 3 :] if at >= 0 else ""
    oth = masked.find(OTH)
    row += [
        not topic,
        sent["topic"] == 0,
        sent["other"] > 0 and sent["topic"] == 0,
        masked.rstrip().endswith("?"),
        '"' in masked,
        bool(_SAYS_AFTER.match(after)),
        bool(_OBJECT_BEFORE.search(before)),
        at < 0,
        min(masked.count(OTH), 5),
        at >= 0 and (oth < 0 or at < oth),
    ]
    cat = clause.find(TGT)
    for g in ("favor", "against"):
        n_before = n_after = n_near = 0
        if cat >= 0:
            for start, negated in zip(*cl[g], strict=True):
                if negated:
                    continue
                if start < cat:
                    n_before += 1
                else:
                    n_after += 1
                    n_near += start - cat < 40
        row += [n_before, n_after, n_near]
    # Who owns each cue: the nearest actor before it (else the first after it),
    # so "TGT backs it, OTH rejects it" gives TGT the support and OTH the refusal.
    slots = sorted((at, tag) for tag in (TGT, OTH) for at in _find_all(masked, tag))
    positions = [pos for pos, _ in slots]
    # favor (TGT, OTH), against (TGT, OTH), favor_neg (...), against_neg (...)
    owned = [0] * 8
    if slots:
        for k, g in enumerate(("favor", "against")):
            for start, negated in zip(*sent[g], strict=True):
                i = bisect_left(positions, start)
                if i:
                    owner = slots[i - 1][1]
                else:
                    j = bisect_right(positions, start)
                    if j == len(slots):
                        continue
                    owner = slots[j][1]
                owned[2 * (k + 2 * negated) + (owner != TGT)] += 1
    row += [
        bool(_PROPOSAL_AFTER.match(after)),
        bool(_AGENT_BEFORE.search(before)),
        bool(_LIST_NEAR.search(before[-20:])) or bool(_LIST_NEAR.match(after[:20])),
    ]
    row += owned
    return row


class CueCounter(_FrameTransformer):
    """Counts of stance cues around the target, with negation scope.

    Cue groups come from ``stancekit/data/cues.csv``: support words
    (``favor``), refusal and threat words (``against``), hedges and meeting
    words (``neutral``), troop words (``topic``) and other-topic words (arms,
    sanctions, membership). Cues preceded by a negator ("has not ruled out")
    are counted apart (``clause_against_neg``), cues are crossed with the
    presence of a troop word, and a few positional flags say whether the
    target is the grammatical subject or an object.

    Parameters
    ----------
    scale : float, default=1.0
        Multiplier of the counts, to weigh this block against the n-grams.
    """

    def __init__(self, *, scale=1.0):
        self.scale = scale

    def transform(self, X):
        """Return a sparse matrix of cue counts (one column per cue feature)."""
        check_is_fitted(self)
        _check_frame(X)
        marked = mark_mentions(X)
        scans: dict = {}
        rows = [
            _cue_row(m, c, scans) for m, c in zip(marked["masked"], marked["clause"], strict=True)
        ]
        data = np.asarray(rows, dtype=np.float32).reshape(len(rows), len(_CUE_NAMES))
        data = np.log1p(data) * self.scale
        return sp.csr_matrix(data)

    def get_feature_names_out(self, input_features=None):
        """Names such as ``cue__clause_against_neg``."""
        return np.asarray([f"cue__{n}" for n in _CUE_NAMES], dtype=object)
