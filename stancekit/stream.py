"""Score corpora of any size: read in chunks, score, write chunk by chunk, resume.

Everything here is built on one batch function, :func:`score_batch`, which
:meth:`StanceModel.score_articles`, :func:`score_corpus`, the Dask partitions
of :func:`stancekit.dask.score_dataframe` and a Spark ``mapInPandas`` job all
call, so they give the same rows.

How the output survives an interruption
---------------------------------------
:func:`score_corpus` keeps a progress file, ``OUT.progress`` (JSON), beside
the output. It records how many input articles are done, a SHA-256 of their
``doc_id`` sequence, and how many bytes of ``OUT`` (and of the errors file)
hold complete chunks. Each chunk is committed in three steps, with SIGINT and
SIGTERM held back until all three are done:

1. its errors are appended to the errors file and flushed to disk;
2. its rows are appended to ``OUT`` (CSV, JSON Lines) in one ``write`` call
   and flushed to disk (``fsync``), or, for Parquet, written to a hidden
   temporary file in the ``OUT/`` folder and renamed to ``part-NNNNNN.parquet``;
3. the progress file is written under a temporary name and renamed into place.

A killed process therefore leaves ``OUT`` ending on a chunk boundary (the
kernel completes a ``write`` to a regular file before the process dies);
after a power cut ``--resume`` cuts any tail beyond the last recorded chunk.
``resume=True`` reads the input again, checks that its first articles are the
ones already done (same ``doc_id`` sequence), skips them and goes on. When the
run completes the progress file is removed.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import re
import signal
import threading
import time
from collections import deque

import pandas as pd

from . import _text
from ._io import write_atomic
from .actors import _parse_date
from .exceptions import StancekitError
from .labels import DATE, DOC_ID, EVIDENCE, TEXT

__all__ = ["score_batch", "score_corpus", "empty_result", "CHUNK_SIZE", "MAX_FILE_BYTES"]

#: Articles read, scored and written together (the unit of resuming).
CHUNK_SIZE = 1000
#: ``.txt`` files larger than this are reported as errors without being read.
MAX_FILE_BYTES = 4 * _text.MAX_TEXT_CHARS

_ERROR = "error"
_CHUNK_COLUMNS = [DOC_ID, TEXT, DATE, _ERROR]
_SURROGATE = re.compile("[\ud800-\udfff]")
_FORMATS = ("csv", "jsonl", "parquet")
_PROGRESS_VERSION = 1


# -- the batch function ------------------------------------------------------------
def score_batch(
    frame: pd.DataFrame,
    model,
    text_col: str = TEXT,
    id_col: str = DOC_ID,
    date_col: str = DATE,
    *,
    mentions: bool = False,
    errors: str = "raise",
) -> pd.DataFrame:
    """Score a frame of articles: the batch function behind every scoring path.

    Local chunked scoring (:func:`score_corpus`), Dask partitions
    (:func:`stancekit.dask.score_dataframe`) and Spark ``mapInPandas`` jobs
    all call this function, so they return the same rows as
    :meth:`StanceModel.score_articles` on the same articles.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per article, with ``text_col`` and optionally ``id_col`` and
        ``date_col``. Without ``id_col`` the index gives the ``doc_id``.
    model : StanceModel
        A loaded model (:func:`stancekit.load_model`).
    text_col, id_col, date_col : str
        Column names.
    mentions : bool, default=False
        Return one row per (sentence, actor) instead of one per actor.
    errors : {"raise", "skip"}, default="raise"
        What to do with an article that cannot be scored (missing, empty or
        over-long text, bad date): raise, or leave it out of the result.

    Returns
    -------
    pandas.DataFrame
        The actor table (columns ``doc_id, actor, actor_type, affiliation,
        stance, confidence, p_favor, p_against, p_neutral, n_mentions, mixed,
        evidence``) or, with ``mentions=True``, the mention table of
        :meth:`StanceModel.score_mentions`; rows in input order, a fresh
        ``RangeIndex``, and the same dtypes when no article has an actor.

    Examples
    --------
    >>> import pandas as pd, stancekit
    >>> from stancekit.stream import score_batch
    >>> model = stancekit.load_model()
    >>> articles = pd.DataFrame({"doc_id": ["a1"],
    ...     "text": ["Giorgia Meloni ruled out sending Italian troops."]})
    >>> score_batch(articles, model)[["doc_id", "actor", "stance"]]
      doc_id           actor   stance
    0     a1  Giorgia Meloni  against
    """
    if errors not in ("raise", "skip"):
        raise ValueError(f"errors: expected 'raise' or 'skip'; got {errors!r}.")
    if text_col not in frame.columns:
        raise ValueError(f"text_col={text_col!r} is not a column; got {list(frame.columns)}.")
    if id_col not in frame.columns:
        frame = frame.assign(**{id_col: [str(i) for i in frame.index]})
    if errors == "skip":
        return _score_checked(frame, model, text_col, id_col, date_col, mentions)[0]
    return _score(frame, model, text_col, id_col, date_col, mentions)


def _is_missing(value) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # not a scalar
        return False


def _score(frame, model, text_col, id_col, date_col, mentions) -> pd.DataFrame:
    from .model import _iter_articles

    if date_col in frame.columns and frame[date_col].hasnans:
        # pd.NA (Arrow-backed strings, as Dask makes them) means no date
        dates = [None if _is_missing(d) else d for d in frame[date_col]]
        frame = frame.assign(**{date_col: pd.Series(dates, index=frame.index, dtype=object)})
    items = list(_iter_articles(frame, text_col, id_col, date_col))
    out = model._score_batch(items, mentions) if items else None
    if out is None or out.empty:
        return empty_result(mentions)
    return out.reset_index(drop=True)


def _score_checked(frame, model, text_col, id_col, date_col, mentions):
    """Score what can be scored; return (rows, [(position, doc_id, reason)])."""
    problems = []
    keep = []
    dates = frame[date_col] if date_col in frame.columns else [None] * len(frame)
    for pos, (doc, text, day) in enumerate(
        zip(frame[id_col], frame[text_col], dates, strict=True)
    ):
        reason, _ = _check_article(text, day)
        if reason is None:
            keep.append(pos)
        else:
            problems.append((pos, str(doc), reason))
    good = frame.iloc[keep]
    try:
        return _score(good, model, text_col, id_col, date_col, mentions), problems
    except Exception:  # one article breaks the batch: score them one by one
        pass
    outs = []
    for pos in keep:
        one = frame.iloc[pos : pos + 1]
        try:
            outs.append(_score(one, model, text_col, id_col, date_col, mentions))
        except Exception as exc:  # report the article, keep going
            problems.append((pos, str(frame[id_col].iloc[pos]), f"{type(exc).__name__}: {exc}"))
    problems.sort(key=lambda p: p[0])
    outs = [o for o in outs if not o.empty]
    rows = pd.concat(outs, ignore_index=True) if outs else empty_result(mentions)
    return rows, problems


def empty_result(mentions: bool = False) -> pd.DataFrame:
    """Return the result table with no rows and the dtypes of a non-empty one.

    Text columns take the dtype pandas gives to strings (``str`` on pandas 3,
    ``object`` before), ``evidence`` stays ``object`` (lists of sentences).
    This is the ``meta`` of :func:`stancekit.dask.score_dataframe`.
    """
    from .aggregate import empty_actor_table
    from .model import _empty_mentions

    frame = _empty_mentions() if mentions else empty_actor_table()
    text = pd.Series(["x"]).dtype
    return frame.astype(
        {c: text for c in frame.columns if frame[c].dtype == object and c != EVIDENCE}
    )


def _check_article(text, date):
    """Return (reason, iso_date): reason is None when the article can be scored."""
    if text is None or text is pd.NA or (isinstance(text, float) and text != text):
        return "no text", None
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            return f"text is not valid UTF-8 (byte {exc.start})", None
    if not isinstance(text, str):
        return f"text is not a string (got {type(text).__name__})", None
    limit = _text.MAX_TEXT_CHARS
    if len(text) > limit:
        return (
            f"{len(text):,} characters is over the limit of {limit:,}; split the text "
            "into articles",
            None,
        )
    bad = _SURROGATE.search(text)
    if bad:
        return f"text is not valid UTF-8 (character {bad.start()})", None
    if not text.strip():
        return "empty text", None
    try:
        return None, None if _is_missing(date) else _parse_date(date)
    except ValueError as exc:
        return str(exc), None


# -- reading in chunks -------------------------------------------------------------
def _read_records(paths, text_col, id_col, date_col):
    """Yield (doc_id, text, date, error) for every article of the inputs, in order."""
    import sys

    for path in paths:
        path = os.fspath(path)
        if path == "-":
            data = sys.stdin.buffer.read()
            yield _text_record("stdin", data)
            continue
        if os.path.isdir(path):
            files = sorted(f for f in os.listdir(path) if f.endswith(".txt"))
            if not files:
                raise StancekitError(f"{path}: no .txt files in this folder.")
            for name in files:
                yield _file_record(os.path.join(path, name))
            continue
        if not os.path.exists(path):
            raise StancekitError(f"{path}: no such file.")
        suffix = os.path.splitext(path)[1].lower()
        if suffix in (".jsonl", ".json", ".ndjson"):
            yield from _jsonl_records(path, text_col, id_col, date_col)
        elif suffix in (".csv", ".tsv"):
            yield from _csv_records(path, text_col, id_col, date_col)
        elif suffix in (".parquet", ".pq"):
            yield from _parquet_records(path, text_col, id_col, date_col)
        else:
            yield _file_record(path)


def _stem(path) -> str:
    return os.path.splitext(os.path.basename(path))[0]


def _file_record(path):
    stem = _stem(path)
    size = os.path.getsize(path)
    if size > MAX_FILE_BYTES:
        return (stem, None, None, f"{size:,} bytes is over the limit of {MAX_FILE_BYTES:,}")
    with open(path, "rb") as fh:
        return _text_record(stem, fh.read())


def _text_record(doc, data: bytes):
    try:
        return (doc, data.decode("utf-8-sig"), None, None)
    except UnicodeDecodeError as exc:
        return (doc, None, None, f"not valid UTF-8 at byte {exc.start}")


def _missing_column(path, text_col, columns):
    return StancekitError(
        f"{path}: no column {text_col!r} (columns: {list(columns)}); "
        "name the text column with --text-col."
    )


def _jsonl_records(path, text_col, id_col, date_col):
    stem = _stem(path)
    n = 0
    with open(path, "rb") as fh:
        for lineno, raw in enumerate(fh, 1):
            if not raw.strip():
                continue
            n += 1
            doc = f"{stem}:{n}"
            line = raw.decode("utf-8", "surrogateescape")
            if n == 1:
                line = line.lstrip("\ufeff")
            try:
                record = json.loads(line)
            except ValueError as exc:
                yield (doc, None, None, f"line {lineno}: not valid JSON ({exc})")
                continue
            if not isinstance(record, dict):
                yield (doc, None, None, f"line {lineno}: expected a JSON object")
                continue
            if record.get(id_col) is not None:
                doc = str(record[id_col])
            if text_col not in record:
                if n == 1:
                    raise _missing_column(path, text_col, record)
                yield (doc, None, None, f"line {lineno}: no field {text_col!r}")
                continue
            yield (doc, record[text_col], record.get(date_col), None)


def _csv_records(path, text_col, id_col, date_col):
    stem = _stem(path)
    sep = "\t" if path.lower().endswith(".tsv") else ","
    try:
        reader = pd.read_csv(
            path,
            sep=sep,
            dtype=object,
            keep_default_na=False,
            encoding="utf-8-sig",
            encoding_errors="surrogateescape",
            chunksize=CHUNK_SIZE,
        )
        n = 0
        for block in reader:
            if text_col not in block.columns:
                raise _missing_column(path, text_col, block.columns)
            ids = block[id_col] if id_col in block.columns else [None] * len(block)
            dates = block[date_col] if date_col in block.columns else [None] * len(block)
            for doc, text, day in zip(ids, block[text_col], dates, strict=True):
                n += 1
                yield (f"{stem}:{n}" if doc is None else str(doc), text, day, None)
    except pd.errors.EmptyDataError:
        raise StancekitError(f"{path}: the file is empty.") from None
    except pd.errors.ParserError as exc:
        raise StancekitError(f"{path}: cannot be parsed as CSV: {exc}") from None


def _parquet_records(path, text_col, id_col, date_col):
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise StancekitError(
            f"{path}: reading Parquet needs pyarrow: pip install 'stancekit[parquet]'."
        ) from None
    try:
        source = pq.ParquetFile(path)
    except Exception as exc:  # pyarrow raises its own error types
        raise StancekitError(f"{path}: cannot be read as Parquet: {exc}") from None
    names = source.schema_arrow.names
    if text_col not in names:
        raise _missing_column(path, text_col, names)
    columns = [c for c in (id_col, text_col, date_col) if c in names]
    stem = _stem(path)
    n = 0
    for batch in source.iter_batches(batch_size=CHUNK_SIZE, columns=columns):
        block = batch.to_pandas()
        ids = block[id_col] if id_col in block.columns else [None] * len(block)
        dates = block[date_col] if date_col in block.columns else [None] * len(block)
        for doc, text, day in zip(ids, block[text_col], dates, strict=True):
            n += 1
            missing = doc is None or (isinstance(doc, float) and doc != doc)
            yield (f"{stem}:{n}" if missing else str(doc), text, day, None)


def _read_chunks(paths, text_col, id_col, date_col, chunk_size):
    """Yield frames of at most ``chunk_size`` articles (columns doc_id, text, date, error)."""
    block = []
    for record in _read_records(paths, text_col, id_col, date_col):
        block.append(record)
        if len(block) == chunk_size:
            yield pd.DataFrame(block, columns=_CHUNK_COLUMNS, dtype=object)
            block = []
    if block:
        yield pd.DataFrame(block, columns=_CHUNK_COLUMNS, dtype=object)


def _count_articles(paths):
    """How many articles the inputs hold (for the progress bar), or None."""
    total = 0
    try:
        for path in paths:
            path = os.fspath(path)
            suffix = os.path.splitext(path)[1].lower()
            if path == "-":
                total += 1
            elif os.path.isdir(path):
                total += sum(f.endswith(".txt") for f in os.listdir(path))
            elif suffix in (".jsonl", ".json", ".ndjson"):
                with open(path, "rb") as fh:
                    total += sum(1 for line in fh if line.strip())
            elif suffix in (".csv", ".tsv"):
                sep = "\t" if suffix == ".tsv" else ","
                for block in pd.read_csv(
                    path, sep=sep, usecols=[0], dtype=object, chunksize=100_000
                ):
                    total += len(block)
            elif suffix in (".parquet", ".pq"):
                import pyarrow.parquet as pq

                total += pq.ParquetFile(path).metadata.num_rows
            else:
                total += 1
    except Exception:  # the count only feeds the progress bar
        return None
    return total


# -- writing chunk by chunk --------------------------------------------------------
def _fsync_dir(path):
    try:
        fd = os.open(path or ".", os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _append(path, data: bytes) -> int:
    """Append ``data`` in one write, flush it to disk, return the new size."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
        return os.fstat(fd).st_size
    finally:
        os.close(fd)


def _truncate(path, size):
    with open(path, "r+b") as fh:
        fh.truncate(size)
        fh.flush()
        os.fsync(fh.fileno())


def _write_atomic(path, data: bytes):
    write_atomic(path, lambda fh: fh.write(data), binary=True, fsync=True)
    _fsync_dir(os.path.dirname(os.path.abspath(path)))


def _flat(frame: pd.DataFrame, fmt: str) -> pd.DataFrame:
    """Evidence lists joined with `` || `` and, for CSV, formulas neutralised."""
    from .cli import _escape_cell

    frame = frame.copy()
    if EVIDENCE in frame.columns:
        frame[EVIDENCE] = [" || ".join(e) if isinstance(e, list) else e for e in frame[EVIDENCE]]
    if fmt == "csv":
        for col in frame.columns:
            if pd.api.types.is_object_dtype(frame[col]) or pd.api.types.is_string_dtype(
                frame[col]
            ):
                frame[col] = frame[col].map(_escape_cell)
    return frame


def _encode(frame: pd.DataFrame, fmt: str, header: bool = False) -> bytes:
    if fmt == "csv":
        text = _flat(frame, fmt).to_csv(index=False, header=header, lineterminator="\n")
    elif frame.empty:
        text = ""
    else:
        text = _flat(frame, fmt).to_json(orient="records", lines=True, force_ascii=False)
        if not text.endswith("\n"):
            text += "\n"
    return text.encode("utf-8", "backslashreplace")


def _arrow_schema(mentions):
    import pyarrow as pa

    fields = []
    for name, dtype in empty_result(mentions).dtypes.items():
        if name == EVIDENCE:
            typ = pa.list_(pa.string())
        elif dtype == "float64":
            typ = pa.float64()
        elif dtype == "int64":
            typ = pa.int64()
        elif pd.api.types.is_bool_dtype(dtype):
            typ = pa.bool_()
        else:
            typ = pa.string()
        fields.append(pa.field(name, typ))
    return pa.schema(fields)


def _part_name(n: int) -> str:
    return f"part-{n:06d}.parquet"


class _Output:
    """The output (file or Parquet folder), its errors file and its progress file."""

    def __init__(self, path, fmt, errors_path, mentions, settings):
        self.path = os.fspath(path)
        self.fmt = fmt
        self.errors_path = os.fspath(errors_path)
        self.progress_path = f"{self.path}.progress"
        self.mentions = mentions
        self.settings = settings
        self.state = {
            "version": _PROGRESS_VERSION,
            **settings,
            "chunks": 0,
            "articles": 0,
            "rows": 0,
            "errors": 0,
            "ids_sha256": hashlib.sha256().hexdigest(),
            "output_bytes": 0,
            "errors_bytes": 0,
            "parts": 0,
        }
        self.ids = hashlib.sha256()

    # -- starting ---------------------------------------------------------------
    def start(self, *, resume: bool, force: bool) -> int:
        """Create or reopen the output; return how many articles are done."""
        if resume and os.path.exists(self.progress_path):
            return self._reopen()
        if resume and os.path.lexists(self.path):
            raise StancekitError(
                f"{self.path}: nothing to resume (no {os.path.basename(self.progress_path)}): "
                "the run that wrote it finished, or it was not written by stancekit score; "
                "add --force to score again."
            )
        exists = [p for p in (self.path, self.errors_path) if os.path.lexists(p)]
        # With resume and no output yet, nothing was scored: start afresh.
        if exists and not (force or resume):
            raise StancekitError(
                f"{exists[0]} exists; add --resume to continue an interrupted run or "
                "--force to replace it."
            )
        for p in exists:
            self._remove(p)
        self._create()
        return 0

    def _remove(self, path):
        if os.path.isdir(path) and not os.path.islink(path):
            names = os.listdir(path)
            foreign = [n for n in names if not _is_part_file(n)]
            if foreign:
                raise StancekitError(
                    f"{path}: this folder holds files other than Parquet parts "
                    f"({foreign[0]!r}); remove them or choose another --output."
                )
            for name in names:
                os.remove(os.path.join(path, name))
            os.rmdir(path)
        else:
            os.remove(path)

    def _create(self):
        if self.fmt == "parquet":
            os.makedirs(self.path)
        else:
            header = _encode(empty_result(self.mentions), self.fmt, header=True)
            _write_atomic(self.path, header)
            self.state["output_bytes"] = len(header)
        self._save_state()

    def _reopen(self) -> int:
        try:
            with open(self.progress_path, encoding="utf-8") as fh:
                state = json.load(fh)
        except (OSError, ValueError) as exc:
            raise StancekitError(f"{self.progress_path}: cannot be read: {exc}") from None
        if state.get("version") != _PROGRESS_VERSION:
            raise StancekitError(
                f"{self.progress_path}: written by another stancekit version; "
                "add --force to score again."
            )
        for key, value in self.settings.items():
            if state.get(key) != value:
                raise StancekitError(
                    f"{self.progress_path}: the interrupted run had {key}={state.get(key)!r}, "
                    f"this one {value!r}; resume with the same settings or add --force."
                )
        if self.fmt == "parquet":
            if not os.path.isdir(self.path):
                raise StancekitError(f"{self.path}: the output folder is missing; add --force.")
            for name in os.listdir(self.path):
                if name.startswith(".") or (
                    _is_part_file(name) and int(name[5:11]) >= state["parts"]
                ):
                    os.remove(os.path.join(self.path, name))
        else:
            size = os.path.getsize(self.path) if os.path.exists(self.path) else -1
            if size < state["output_bytes"]:
                raise StancekitError(
                    f"{self.path}: shorter than its progress file records "
                    f"({size} < {state['output_bytes']} bytes); add --force to score again."
                )
            _truncate(self.path, state["output_bytes"])
        if os.path.exists(self.errors_path):
            if state["errors_bytes"]:
                _truncate(self.errors_path, state["errors_bytes"])
            else:
                os.remove(self.errors_path)
        self.state = state
        return state["articles"]

    # -- committing a chunk ---------------------------------------------------------
    def commit(self, ids, rows: pd.DataFrame, problems) -> None:
        """Write one chunk: errors, rows, then the progress file."""
        state = self.state
        with _signals_held():
            if problems:
                errors = pd.DataFrame(problems, columns=[DOC_ID, "reason"])
                data = _encode(errors, "csv", header=state["errors_bytes"] == 0)
                state["errors_bytes"] = _append(self.errors_path, data)
                state["errors"] += len(problems)
            if self.fmt == "parquet":
                if not rows.empty:
                    self._write_part(rows)
            else:
                state["output_bytes"] = _append(self.path, _encode(rows, self.fmt))
            for doc in ids:
                self.ids.update(str(doc).encode("utf-8", "surrogateescape") + b"\n")
            state["ids_sha256"] = self.ids.hexdigest()
            state["articles"] += len(ids)
            state["rows"] += len(rows)
            state["chunks"] += 1
            self._save_state()

    def _write_part(self, rows):
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.Table.from_pandas(
            rows.reset_index(drop=True), schema=_arrow_schema(self.mentions), preserve_index=False
        )
        name = _part_name(self.state["parts"])
        tmp = os.path.join(self.path, f".{name}.tmp-{os.getpid()}")
        try:
            pq.write_table(table, tmp)
            with open(tmp, "rb") as fh:
                os.fsync(fh.fileno())
            os.replace(tmp, os.path.join(self.path, name))
        finally:
            if os.path.exists(tmp):
                os.remove(tmp)
        _fsync_dir(self.path)
        self.state["parts"] += 1

    def _save_state(self):
        _write_atomic(self.progress_path, json.dumps(self.state, indent=1).encode("utf-8"))

    def finish(self):
        """Mark the output complete: an empty Parquet part if none, no progress file."""
        if self.fmt == "parquet" and self.state["parts"] == 0:
            with _signals_held():
                self._write_part(empty_result(self.mentions))
                self._save_state()
        os.remove(self.progress_path)
        _fsync_dir(os.path.dirname(os.path.abspath(self.progress_path)))


def _is_part_file(name: str) -> bool:
    return bool(re.fullmatch(r"part-\d{6}\.parquet", name)) or name.startswith(".part-")


@contextlib.contextmanager
def _signals_held():
    """Defer SIGINT and SIGTERM until a chunk is committed, then act on them.

    Python runs signal handlers in the main thread whichever thread receives
    the signal, so swapping the handlers (rather than masking the signal in
    one thread) covers a process that also runs pool or client threads.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught = []
    previous = {}
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            previous[sig] = signal.signal(sig, lambda signum, frame: caught.append(signum))
        except (ValueError, OSError):
            pass
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        for sig in caught:
            handler = previous.get(sig)
            if callable(handler):
                handler(sig, None)
            elif handler == signal.SIG_DFL:
                signal.raise_signal(sig)


# -- running the batches -----------------------------------------------------------
_WORKER_MODEL = None


def _init_worker(model):
    global _WORKER_MODEL
    _WORKER_MODEL = model
    # The parent handles Ctrl-C and shuts the workers down.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _score_task(frame, mentions):
    return _score_checked(frame, _WORKER_MODEL, TEXT, DOC_ID, DATE, mentions)


def _score_with(frame, model, mentions):
    return _score_checked(frame, model, TEXT, DOC_ID, DATE, mentions)


class _Done:
    def __init__(self, value):
        self._value = value

    def result(self):
        return self._value


class _Runner:
    """Runs batches in this process, in worker processes or on a Dask cluster."""

    def __init__(self, model, mentions, n_jobs, scheduler):
        self.model = model
        self.mentions = mentions
        self.pool = None
        self.client = None
        self.own_client = False
        self.workers = 1
        if scheduler is not None:
            self._connect(scheduler)
        elif n_jobs != 1:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            self.workers = (os.cpu_count() or 1) if n_jobs < 0 else n_jobs
            self.pool = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_init_worker,
                initargs=(model,),
            )

    def _connect(self, scheduler):
        try:
            from distributed import Client
        except ImportError:
            raise StancekitError(
                "a Dask scheduler needs dask: pip install 'stancekit[dask]'."
            ) from None
        if isinstance(scheduler, str):
            try:
                self.client = Client(scheduler, timeout="30s")
            except (OSError, TimeoutError) as exc:
                raise StancekitError(
                    f"cannot reach the Dask scheduler at {scheduler}: {exc}"
                ) from None
            self.own_client = True
        else:
            self.client = scheduler
        self.workers = max(1, sum(self.client.nthreads().values()))
        self.model_ref = self.client.scatter(self.model, broadcast=True, hash=False)

    def submit(self, frame):
        if self.client is not None:
            return self.client.submit(
                _score_with, frame, self.model_ref, self.mentions, pure=False
            )
        if self.pool is not None:
            return self.pool.submit(_score_task, frame, self.mentions)
        return _Done(_score_with(frame, self.model, self.mentions))

    def close(self, cancel=False):
        if self.pool is not None:
            self.pool.shutdown(wait=not cancel, cancel_futures=cancel)
        if self.own_client:
            self.client.close()


def _output_format(path, output_format):
    if output_format is not None:
        if output_format not in _FORMATS:
            raise ValueError(f"output_format: expected one of {_FORMATS}; got {output_format!r}.")
        return output_format
    suffix = os.path.splitext(os.fspath(path))[1].lower()
    return {
        ".jsonl": "jsonl",
        ".json": "jsonl",
        ".ndjson": "jsonl",
        ".parquet": "parquet",
        ".pq": "parquet",
    }.get(suffix, "csv")


def score_corpus(
    inputs,
    output,
    model=None,
    *,
    text_col: str = TEXT,
    id_col: str = DOC_ID,
    date_col: str = DATE,
    mentions: bool = False,
    output_format: str | None = None,
    errors_path=None,
    chunk_size: int = CHUNK_SIZE,
    batch_size: int = 64,
    n_jobs: int = 1,
    scheduler=None,
    resume: bool = False,
    force: bool = False,
    progress: bool | None = None,
) -> dict:
    """Score a corpus of any size into a file, chunk by chunk, in bounded memory.

    Articles are read ``chunk_size`` at a time, scored in batches of
    ``batch_size`` (in this process, in ``n_jobs`` worker processes, or on a
    Dask cluster), and each chunk is appended to ``output`` before the next
    is read, so memory does not grow with the corpus. An interrupted run
    leaves every completed chunk readable in ``output`` and continues with
    ``resume=True`` (see the module notes). Articles that cannot be scored
    are listed in the errors file and the run goes on.

    Parameters
    ----------
    inputs : str, os.PathLike or list of them
        JSON Lines, CSV, Parquet, a folder of ``.txt`` files, a text file, or
        ``"-"`` for one article on standard input.
    output : str or os.PathLike
        ``.csv``, ``.jsonl`` or ``.parquet`` (a folder of part files).
    model : StanceModel, str or os.PathLike, default=None
        A loaded model or a model folder; None loads the default model.
    text_col, id_col, date_col : str
        Column (or JSON field) names. Without ``id_col`` an article's
        ``doc_id`` is ``<file stem>:<row>`` (``<file stem>`` for ``.txt``).
    mentions : bool, default=False
        Write one row per (sentence, actor) instead of one per actor.
    output_format : {"csv", "jsonl", "parquet"}, default=None
        None picks it from the suffix of ``output`` (CSV when unknown).
    errors_path : str or os.PathLike, default=None
        CSV of articles that could not be scored (``doc_id, reason``);
        ``<output>.errors.csv`` by default, written only when there are some.
    chunk_size : int, default=CHUNK_SIZE
        Articles per chunk: the unit of writing and of resuming.
    batch_size : int, default=64
        Articles per call of the classifier (and per task for workers).
    n_jobs : int, default=1
        Worker processes, each receiving the model once; -1 uses every core.
        The rows and their order do not depend on it.
    scheduler : str or distributed.Client, default=None
        Address of a Dask scheduler (``"tcp://host:8786"``) or a client:
        batches are scored on that cluster, the model scattered once.
    resume : bool, default=False
        Continue an interrupted run, skipping the articles already done.
    force : bool, default=False
        Replace an existing output. Without ``resume`` or ``force`` an
        existing output is an error.
    progress : bool or None, default=None
        tqdm progress bar (articles/s and time left); None shows it only when
        standard error is a terminal.

    Returns
    -------
    dict
        ``articles`` (done in total), ``resumed`` (done before this run),
        ``rows``, ``errors``, ``chunks``, ``output``, ``errors_path``,
        ``seconds`` (this run).

    Raises
    ------
    StancekitError
        Unreadable input, an existing output without ``resume``/``force``, a
        progress file that does not match the input or the settings.

    Examples
    --------
    >>> import os, tempfile
    >>> from stancekit.stream import score_corpus
    >>> folder = tempfile.mkdtemp()
    >>> src = os.path.join(folder, "articles.jsonl")
    >>> with open(src, "w") as fh:
    ...     _ = fh.write('{"doc_id": "a1", "text": "Giorgia Meloni ruled out troops."}\\n')
    ...     _ = fh.write('{"doc_id": "a2", "text": ""}\\n')
    >>> summary = score_corpus(src, os.path.join(folder, "scores.csv"), progress=False)
    >>> summary["articles"], summary["rows"], summary["errors"]
    (2, 1, 1)
    """
    from tqdm.auto import tqdm

    if isinstance(inputs, (str, os.PathLike)):
        inputs = [inputs]
    inputs = [os.fspath(p) for p in inputs]
    if chunk_size < 1 or batch_size < 1:
        raise ValueError("chunk_size and batch_size must be at least 1.")
    if n_jobs == 0:
        raise ValueError("n_jobs: expected a positive number or -1; got 0.")
    if model is None or isinstance(model, (str, os.PathLike)):
        from .persist import load_model

        model = load_model(model)
    output = os.fspath(output)
    fmt = _output_format(output, output_format)
    if fmt == "parquet":
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise StancekitError(
                f"{output}: writing Parquet needs pyarrow: pip install 'stancekit[parquet]'."
            ) from None
    errors_path = os.fspath(errors_path) if errors_path else f"{output}.errors.csv"
    settings = {
        "inputs": [p if p == "-" else os.path.abspath(p) for p in inputs],
        "format": fmt,
        "mentions": mentions,
        "text_col": text_col,
        "id_col": id_col,
        "date_col": date_col,
    }
    out = _Output(output, fmt, errors_path, mentions, settings)
    runner = _Runner(model, mentions, n_jobs, scheduler)  # fails early: no cluster
    bar = None
    finished = False
    try:
        done = out.start(resume=resume, force=force)
        started = time.perf_counter()
        show = progress if progress is not None else _stderr_is_terminal()
        bar = tqdm(
            total=_count_articles(inputs) if show else None,
            initial=done,
            unit=" articles",
            disable=not show,
            dynamic_ncols=True,
            smoothing=0.05,
        )
        chunks = _read_chunks(inputs, text_col, id_col, date_col, chunk_size)
        chunks = _skip_done(chunks, done, out.state["ids_sha256"], out)
        in_flight = max(0, math.ceil(2 * runner.workers * batch_size / chunk_size))
        if runner.pool is None and runner.client is None:
            in_flight = 0
        pending: deque = deque()
        for chunk in chunks:
            pending.append(_submit(chunk, runner, batch_size))
            while len(pending) > in_flight:
                _commit(pending.popleft(), out, bar, mentions)
        while pending:
            _commit(pending.popleft(), out, bar, mentions)
        out.finish()
        finished = True
    finally:
        if bar is not None:
            bar.close()
        runner.close(cancel=not finished)
    state = out.state
    return {
        "articles": state["articles"],
        "resumed": done,
        "rows": state["rows"],
        "errors": state["errors"],
        "chunks": state["chunks"],
        "output": output,
        "errors_path": errors_path if state["errors"] else None,
        "seconds": time.perf_counter() - started,
    }


def _stderr_is_terminal() -> bool:
    import sys

    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


def _skip_done(chunks, done, digest, out):
    """Drop the first ``done`` articles, checking they are the ones already scored."""
    if not done:
        yield from chunks
        return
    ids = out.ids
    seen = 0
    for chunk in chunks:
        if seen >= done:
            yield chunk
            continue
        take = min(done - seen, len(chunk))
        for doc in chunk[DOC_ID].iloc[:take]:
            ids.update(str(doc).encode("utf-8", "surrogateescape") + b"\n")
        seen += take
        if seen == done:
            if ids.hexdigest() != digest:
                raise StancekitError(
                    f"{out.progress_path}: the first {done:,} articles of the input are not "
                    "the ones the interrupted run scored (their doc_ids differ); resume with "
                    "the same input, or add --force to score again."
                )
            if take < len(chunk):
                yield chunk.iloc[take:].reset_index(drop=True)
    if seen < done:
        raise StancekitError(
            f"{out.progress_path}: the input has {seen:,} articles but the interrupted run "
            f"already scored {done:,}; resume with the same input, or add --force."
        )


def _submit(chunk, runner, batch_size):
    problems = []
    keep = []
    dates = []
    for pos, (doc, text, day, error) in enumerate(chunk.itertuples(index=False, name=None)):
        reason, iso = (error, None) if error is not None else _check_article(text, day)
        if reason is None:
            keep.append(pos)
            dates.append(iso)
        else:
            problems.append((pos, str(doc), reason))
    good = chunk.iloc[keep][[DOC_ID, TEXT]].reset_index(drop=True)
    good[DOC_ID] = [str(d) for d in good[DOC_ID]]
    good[DATE] = pd.Series(dates, dtype=object)
    futures = []
    for start in range(0, len(good), batch_size):
        batch = good.iloc[start : start + batch_size].reset_index(drop=True)
        futures.append((start, len(batch), runner.submit(batch)))
    return list(chunk[DOC_ID]), keep, futures, problems


def _commit(item, out, bar, mentions):
    ids, keep, futures, problems = item
    frames = []
    problems = list(problems)
    bar.update(len(problems))
    for start, size, future in futures:
        rows, failed = future.result()
        if not rows.empty:
            frames.append(rows)
        problems.extend((keep[start + pos], doc, reason) for pos, doc, reason in failed)
        bar.update(size)
    problems.sort(key=lambda p: p[0])
    rows = pd.concat(frames, ignore_index=True) if frames else empty_result(mentions)
    out.commit(ids, rows, [(doc, reason) for _, doc, reason in problems])
