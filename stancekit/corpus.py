"""Read and validate annotated corpora (CSV, JSON Lines, Parquet).

The format is the one of ANNOTATION.md: one row per (sentence, actor) with
``text`` and ``stance`` required, ``actor``, ``actor_type``, ``affiliation``,
``doc_id``, ``date`` and ``target`` optional. Errors name the file, the data
row (1-based, the header not counted) and the column.
"""

from __future__ import annotations

import codecs
import contextlib
import difflib
import os
import warnings

import numpy as np
import pandas as pd

from ._text import fold
from .exceptions import CorpusError
from .labels import (
    ACTOR,
    ACTOR_TYPE,
    ACTOR_TYPES,
    AFFILIATION,
    DATE,
    DEFAULT_TARGET,
    DOC_ID,
    LABELS,
    STANCE,
    TARGET,
    TEXT,
)

__all__ = ["load_corpus", "validate_corpus", "validate_file", "read_table", "iter_table"]

_SYNONYMS = {
    "pro": "favor",
    "support": "favor",
    "supports": "favor",
    "positive": "favor",
    "for": "favor",
    "favour": "favor",
    "yes": "favor",
    "con": "against",
    "anti": "against",
    "oppose": "against",
    "opposed": "against",
    "negative": "against",
    "no": "against",
    "none": "neutral",
    "other": "neutral",
    "neither": "neutral",
    "unrelated": "neutral",
}


_SUFFIXES = (".csv", ".tsv", ".txt", ".jsonl", ".json", ".ndjson", ".parquet", ".pq")


def _table_suffix(path: str, what: str) -> str:
    """The file's suffix, after checking that it exists, is not empty and is known."""
    if not os.path.exists(path):
        raise CorpusError(f"no such {what} file.", path=path)
    if os.path.getsize(path) == 0:
        raise CorpusError(f"the {what} file is empty.", path=path)
    suffix = os.path.splitext(path)[1].lower()
    if suffix not in _SUFFIXES:
        raise CorpusError(
            f"unknown file type {suffix!r}; expected .csv, .jsonl or .parquet.", path=path
        )
    return suffix


@contextlib.contextmanager
def _reading(path: str, suffix: str):
    """Turn the readers' errors into a CorpusError naming the file."""
    try:
        yield
    except CorpusError:
        raise
    except ImportError as exc:
        raise CorpusError(
            f"reading Parquet needs pyarrow: pip install 'stancekit[parquet]' ({exc}).",
            path=path,
        ) from None
    except (ValueError, pd.errors.ParserError, OSError) as exc:
        raise CorpusError(f"cannot be parsed as {suffix[1:]}: {exc}", path=path) from None


def read_table(path, *, what: str = "corpus") -> pd.DataFrame:
    """Read a CSV, JSON Lines or Parquet file into a DataFrame of strings.

    Parameters
    ----------
    path : str or os.PathLike
        ``.csv``, ``.jsonl`` / ``.json`` (JSON Lines) or ``.parquet``.
    what : str, default="corpus"
        How to call the file in error messages.

    Raises
    ------
    CorpusError
        Missing, empty, not UTF-8, malformed, or of an unknown suffix.
    """
    path = os.fspath(path)
    suffix = _table_suffix(path, what)
    with _reading(path, suffix):
        if suffix in (".csv", ".tsv", ".txt"):
            _check_utf8(path)
            sep = "\t" if suffix == ".tsv" else ","
            frame = pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False, encoding="utf-8")
        elif suffix in (".jsonl", ".json", ".ndjson"):
            _check_utf8(path)
            frame = pd.read_json(path, lines=True, dtype=False, encoding="utf-8")
        else:
            frame = pd.read_parquet(path)
    if frame.empty and len(frame.columns) == 0:
        raise CorpusError(f"the {what} file has no header and no rows.", path=path)
    return frame


def _check_utf8(path: str, block: int = 1 << 20) -> None:
    """Check that a file is UTF-8, a block at a time (any size of file)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = lines = 0
    with open(path, "rb") as fh:
        while True:
            data = fh.read(block)
            try:
                decoder.decode(data, final=not data)
            except UnicodeDecodeError as exc:
                # The decoder may hold up to 3 bytes of the previous block.
                held = len(exc.object) - len(data)
                at = offset + exc.start - held
                line = lines + data.count(b"\n", 0, max(0, exc.start - held)) + 1
                raise CorpusError(
                    f"not valid UTF-8 at byte {at} (line {line}); re-save the file "
                    "as UTF-8 (e.g. iconv -f latin1 -t utf-8).",
                    path=path,
                ) from None
            if not data:
                return
            offset += len(data)
            lines += data.count(b"\n")


def iter_table(path, *, chunksize: int = 50_000, what: str = "corpus"):
    """Read a CSV, JSON Lines or Parquet file in chunks of ``chunksize`` rows.

    Like :func:`read_table`, with memory bounded by the chunk, not the file.

    Yields
    ------
    pandas.DataFrame
        Consecutive chunks of rows (strings), with their original index.
    """
    path = os.fspath(path)
    suffix = _table_suffix(path, what)
    with _reading(path, suffix):
        if suffix in (".csv", ".tsv", ".txt", ".jsonl", ".json", ".ndjson"):
            _check_utf8(path)
        if suffix in (".csv", ".tsv", ".txt"):
            sep = "\t" if suffix == ".tsv" else ","
            reader = pd.read_csv(
                path,
                sep=sep,
                dtype=str,
                keep_default_na=False,
                encoding="utf-8",
                chunksize=chunksize,
            )
        elif suffix in (".jsonl", ".json", ".ndjson"):
            reader = pd.read_json(
                path, lines=True, dtype=False, encoding="utf-8", chunksize=chunksize
            )
        else:
            import pyarrow.parquet as pq

            reader = (
                batch.to_pandas()
                for batch in pq.ParquetFile(path).iter_batches(batch_size=chunksize)
            )
        yield from reader


def validate_file(
    path, *, chunksize: int = 50_000, gazetteer=None, check_actors: bool = True
) -> dict:
    """Validate an annotated file of any size, streaming it chunk by chunk.

    Applies every rule of :func:`validate_corpus`, across chunks too
    (duplicate rows, one date per article), holding one chunk in memory plus
    a hash per row and a date per article.

    Returns
    -------
    dict
        ``rows``, ``labels`` (counts), ``articles``, ``columns``.

    Raises
    ------
    CorpusError
        With the file, row (counted over the whole file) and column at fault.

    Examples
    --------
    >>> import stancekit
    >>> report = validate_file(stancekit.datasets.troops_path(), chunksize=2000)
    >>> report["rows"] > 8000
    True
    """
    from .actors import load_gazetteer

    path = os.fspath(path)
    gaz = (gazetteer or load_gazetteer()) if check_actors else None
    # Row-level state across chunks is kept as 64-bit hashes in arrays
    # (24 bytes a row); the rare error path reads the rows it names back.
    keys, docs, days, dated = [], [], [], []
    labels = dict.fromkeys(LABELS, 0)
    rows = 0
    columns = None
    for chunk in iter_table(path, chunksize=chunksize):
        if columns is None:
            columns = [str(c).strip() for c in chunk.columns]
        if len(chunk) == 0:
            continue
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)
                frame = validate_corpus(chunk, path=path, gazetteer=gaz, check_actors=check_actors)
        except CorpusError as exc:
            row = None if exc.row is None else exc.row + rows
            raise CorpusError(exc.message, path=path, row=row, column=exc.column) from None
        key_cols = [c for c in (DOC_ID, TEXT, ACTOR, TARGET) if c in frame.columns]
        keys.append(pd.util.hash_pandas_object(frame[key_cols], index=False).to_numpy())
        if DOC_ID in frame.columns and DATE in frame.columns:
            both = (frame[DOC_ID].fillna("") != "") & (frame[DATE].fillna("") != "")
            docs.append(
                pd.util.hash_pandas_object(frame.loc[both, DOC_ID], index=False).to_numpy()
            )
            days.append(pd.util.hash_pandas_object(frame.loc[both, DATE], index=False).to_numpy())
            dated.append(np.flatnonzero(both.to_numpy()) + rows)
        for label, n in frame[STANCE].value_counts().items():
            labels[label] += int(n)
        rows += len(frame)
    if rows == 0:
        raise CorpusError("the corpus has a header but no rows.", path=path)
    _streamed_duplicates(np.concatenate(keys), path, chunksize, columns)
    articles = None
    if docs:
        doc_h, day_h, at = np.concatenate(docs), np.concatenate(days), np.concatenate(dated)
        _streamed_dates(doc_h, day_h, at, path, chunksize)
        articles = int(len(np.unique(doc_h)))
    return {"rows": rows, "labels": labels, "articles": articles, "columns": columns}


def _first_of_runs(values):
    """Stable order of ``values`` and, per position, the first index of its run."""
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    first = order[np.searchsorted(ordered, ordered, side="left")]
    return order, first


def _rows_at(path, chunksize, wanted):
    found = {}
    seen = 0
    for chunk in iter_table(path, chunksize=chunksize):
        for i in wanted:
            if seen <= i < seen + len(chunk):
                found[i] = chunk.iloc[i - seen].to_dict()
        seen += len(chunk)
    return found


def _streamed_duplicates(hashes, path, chunksize, columns):
    order, first = _first_of_runs(hashes)
    later = order != first
    if not later.any():
        return
    row = int(order[later].min())
    orig = int(first[later][order[later] == row][0])
    got = _rows_at(path, chunksize, (row, orig))
    same = str(got[row].get(STANCE, "")).strip().lower() == (
        str(got[orig].get(STANCE, "")).strip().lower()
    )
    raise CorpusError(
        f"{'duplicate of' if same else 'conflicts with'} row {orig + 1}: the same sentence "
        "and actor appear twice"
        + ("" if same else " with different stances")
        + "; keep one row per (sentence, actor).",
        path=path,
        row=row + 1,
        column=ACTOR if ACTOR in columns else TEXT,
    )


def _streamed_dates(doc_h, day_h, at, path, chunksize):
    order, first = _first_of_runs(doc_h)
    bad = day_h[order] != day_h[first]
    if not bad.any():
        return
    row = int(at[order][bad].min())
    orig = int(at[first[bad][at[order][bad] == row][0]])
    got = _rows_at(path, chunksize, (row, orig))
    doc, day, then = got[row][DOC_ID], got[row][DATE], got[orig][DATE]
    raise CorpusError(
        f"doc_id {doc!r} has date {day!r} here but {then!r} in row {orig + 1}; "
        "an article has one date.",
        path=path,
        row=row + 1,
        column=DATE,
    )


def _closest(value: str) -> str:
    low = value.strip().lower()
    if low in _SYNONYMS:
        return _SYNONYMS[low]
    match = difflib.get_close_matches(low, LABELS, n=1, cutoff=0.0)
    return match[0]


def validate_corpus(
    frame: pd.DataFrame, *, path=None, gazetteer=None, check_actors: bool = True
) -> pd.DataFrame:
    """Check an annotated frame and return a normalised copy.

    Rules: required columns present; no empty text; stance labels valid
    (``FAVOR`` or ``Favor `` are normalised with a warning, unknown labels
    raise with the closest valid one suggested); actor types valid; an actor
    neither named in its sentence nor known to the gazetteer raises; no
    duplicate (text, actor, target) rows; one date per ``doc_id``.

    Parameters
    ----------
    frame : pandas.DataFrame
    path : str, default=None
        File the frame came from, for messages.
    gazetteer : Gazetteer, default=None
        Known actors; defaults to the bundled gazetteer.
    check_actors : bool, default=True
        Check that each actor is named in its sentence or known.

    Returns
    -------
    pandas.DataFrame
        Columns in the documented order, string dtypes (object), ``target``
        filled with ``troop_deployment`` when absent, a fresh RangeIndex.

    Raises
    ------
    CorpusError
    """
    if len(frame) == 0:
        raise CorpusError("the corpus has a header but no rows.", path=path)
    columns = [str(c).strip() for c in frame.columns]
    frame = frame.copy()
    frame.columns = columns
    for col in (TEXT, STANCE):
        if col not in frame.columns:
            raise CorpusError(
                f"missing required column {col!r}; got columns {columns}. "
                "A corpus needs 'text' and 'stance' (and usually 'actor').",
                path=path,
                column=col,
            )
    frame = frame.astype(object).where(frame.notna(), None)
    for col in frame.columns:
        frame[col] = [None if v is None else str(v) for v in frame[col]]
    # Text
    for i, text in enumerate(frame[TEXT], start=1):
        if text is None or not text.strip():
            raise CorpusError("empty text.", path=path, row=i, column=TEXT)
    # Labels
    normalised = []
    changed = 0
    for i, label in enumerate(frame[STANCE], start=1):
        raw = "" if label is None else label
        low = raw.strip().lower()
        if low not in LABELS:
            raise CorpusError(
                f"expected one of 'favor', 'against', 'neutral'; got {raw!r} "
                f"(did you mean {_closest(raw)!r}?).",
                path=path,
                row=i,
                column=STANCE,
            )
        changed += low != raw
        normalised.append(low)
    if changed:
        warnings.warn(
            f"{os.path.basename(str(path)) if path else 'corpus'}: normalised "
            f"{changed} stance label(s) to lower case without spaces.",
            UserWarning,
            stacklevel=2,
        )
    frame[STANCE] = normalised
    if ACTOR_TYPE in frame.columns:
        for i, kind in enumerate(frame[ACTOR_TYPE], start=1):
            if kind is not None and kind.strip() and kind.strip() not in ACTOR_TYPES:
                raise CorpusError(
                    f"expected one of {', '.join(ACTOR_TYPES)}; got {kind!r}.",
                    path=path,
                    row=i,
                    column=ACTOR_TYPE,
                )
    if TARGET not in frame.columns:
        frame[TARGET] = DEFAULT_TARGET
    else:
        frame[TARGET] = [t if t else DEFAULT_TARGET for t in frame[TARGET]]
    if ACTOR in frame.columns:
        for i, actor in enumerate(frame[ACTOR], start=1):
            if actor is None or not actor.strip():
                raise CorpusError(
                    "empty actor; leave the column out for author-stance data.",
                    path=path,
                    row=i,
                    column=ACTOR,
                )
        if check_actors:
            _check_actors(frame, path, gazetteer)
    _check_duplicates(frame, path)
    if DOC_ID in frame.columns and DATE in frame.columns:
        _check_dates(frame, path)
    order = [
        c
        for c in (TEXT, ACTOR, ACTOR_TYPE, AFFILIATION, STANCE, DOC_ID, DATE, TARGET)
        if c in frame.columns
    ]
    rest = [c for c in frame.columns if c not in order]
    return frame[order + rest].reset_index(drop=True)


def _check_actors(frame, path, gazetteer):
    from .actors import load_gazetteer

    gaz = gazetteer or load_gazetteer()
    known = set(gaz.actors_[ACTOR])
    folded_cache: dict[str, str] = {}
    for i, (text, actor) in enumerate(zip(frame[TEXT], frame[ACTOR], strict=True), 1):
        if actor in known:
            continue
        folded = folded_cache.get(text)
        if folded is None:
            folded = folded_cache[text] = fold(text)
        name = fold(actor)
        if name in folded or name.split()[-1] in folded:
            continue
        if "mention" in frame.columns and frame["mention"].iat[i - 1]:
            if fold(frame["mention"].iat[i - 1]) in folded:
                continue
        raise CorpusError(
            f"actor {actor!r} is neither named in the sentence nor in the "
            "gazetteer; fix the name, or add the actor with its aliases to an "
            "actor file (load_gazetteer(actors=...)).",
            path=path,
            row=i,
            column=ACTOR,
        )


def _check_duplicates(frame, path):
    cols = [c for c in (DOC_ID, TEXT, ACTOR, TARGET) if c in frame.columns]
    seen: dict[tuple, int] = {}
    for i, key in enumerate(zip(*(frame[c] for c in cols), strict=True), start=1):
        if key in seen:
            first = seen[key]
            same = frame[STANCE].iat[first - 1] == frame[STANCE].iat[i - 1]
            what = "duplicate of" if same else "conflicts with"
            raise CorpusError(
                f"{what} row {first}: the same sentence and actor appear twice"
                + ("" if same else " with different stances")
                + "; keep one row per (sentence, actor).",
                path=path,
                row=i,
                column=ACTOR if ACTOR in cols else TEXT,
            )
        seen[key] = i


def _check_dates(frame, path):
    first: dict[str, tuple[str, int]] = {}
    for i, (doc, day) in enumerate(zip(frame[DOC_ID], frame[DATE], strict=True), 1):
        if not doc or not day:
            continue
        if doc in first and first[doc][0] != day:
            raise CorpusError(
                f"doc_id {doc!r} has date {day!r} here but {first[doc][0]!r} in row "
                f"{first[doc][1]}; an article has one date.",
                path=path,
                row=i,
                column=DATE,
            )
        first.setdefault(doc, (day, i))


def load_corpus(path_or_frame, *, gazetteer=None, check_actors: bool = True) -> pd.DataFrame:
    """Load and validate an annotated corpus.

    Parameters
    ----------
    path_or_frame : str, os.PathLike or pandas.DataFrame
        A ``.csv``, ``.jsonl`` or ``.parquet`` file, or a frame.
    gazetteer : Gazetteer, default=None
        Known actors for the actor check (bundled gazetteer by default).
    check_actors : bool, default=True

    Returns
    -------
    pandas.DataFrame
        See :func:`validate_corpus`.

    Raises
    ------
    CorpusError
        With the file, row and column at fault.

    Examples
    --------
    >>> import stancekit
    >>> corpus = stancekit.load_corpus(stancekit.datasets.troops_path())
    >>> sorted(corpus["stance"].unique())
    ['against', 'favor', 'neutral']
    """
    if isinstance(path_or_frame, pd.DataFrame):
        return validate_corpus(path_or_frame, gazetteer=gazetteer, check_actors=check_actors)
    frame = read_table(path_or_frame)
    return validate_corpus(
        frame,
        path=os.fspath(path_or_frame),
        gazetteer=gazetteer,
        check_actors=check_actors,
    )
