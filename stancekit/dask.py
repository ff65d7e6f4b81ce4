"""Score a Dask DataFrame of articles on a cluster (``pip install 'stancekit[dask]'``).

Each partition is scored by :func:`stancekit.stream.score_batch`, the batch
function of local scoring, so the rows are the same as
:meth:`StanceModel.score_articles` gives on the same articles. This module
imports dask only when its functions are called; ``import stancekit`` never
imports dask.
"""

from __future__ import annotations

import os

from .labels import DATE, DOC_ID, TEXT

__all__ = ["score_dataframe"]


def _import_dask():
    try:
        import dask.dataframe as dd
    except ImportError as exc:
        raise ImportError(
            f"stancekit.dask needs dask[dataframe]: pip install 'stancekit[dask]' ({exc})."
        ) from None
    return dd


def _current_client():
    try:
        from distributed import default_client
    except ImportError:
        return None
    try:
        return default_client()
    except ValueError:  # no client in this process
        return None


def score_dataframe(
    ddf,
    model=None,
    text_col: str = TEXT,
    id_col: str = DOC_ID,
    *,
    date_col: str = DATE,
    mentions: bool = False,
    errors: str = "raise",
    client=None,
):
    """Score a Dask DataFrame of articles; return a Dask DataFrame of actor rows.

    Built on ``ddf.map_partitions`` with :func:`stancekit.stream.score_batch`
    and an explicit ``meta``. When a ``distributed`` client is active (or
    given), the model is scattered to every worker once and the tasks refer to
    it, instead of shipping it inside the task graph.

    Parameters
    ----------
    ddf : dask.dataframe.DataFrame
        One row per article, with ``text_col`` and preferably ``id_col`` and
        ``date_col``. Without ``id_col`` the index gives the ``doc_id``.
    model : StanceModel, str or os.PathLike, default=None
        A loaded model or a model folder; None loads the default model.
    text_col, id_col, date_col : str
        Column names.
    mentions : bool, default=False
        One row per (sentence, actor) instead of one per actor.
    errors : {"raise", "skip"}, default="raise"
        What to do with an article that cannot be scored (empty or over-long
        text, bad date): fail the task, or leave the article out.
    client : distributed.Client, default=None
        Client to scatter the model with; the current client by default.
        Without any client the model travels inside the graph (fine for the
        local threaded scheduler).

    Returns
    -------
    dask.dataframe.DataFrame
        The columns of :func:`stancekit.stream.score_batch` (see
        :func:`stancekit.stream.empty_result` for the dtypes); each partition
        keeps its articles' order and has its own ``RangeIndex``, so call
        ``.compute().reset_index(drop=True)`` for one table. Empty partitions
        give empty, correctly typed frames.

    Examples
    --------
    >>> import dask.dataframe as dd, pandas as pd
    >>> from stancekit.dask import score_dataframe
    >>> articles = pd.DataFrame({"doc_id": ["a1", "a2"], "text": [
    ...     "Giorgia Meloni ruled out sending Italian troops.",
    ...     "Emmanuel Macron said France was ready to send troops."]})
    >>> scores = score_dataframe(dd.from_pandas(articles, npartitions=2))
    >>> scores.compute()[["doc_id", "actor", "stance"]].reset_index(drop=True)
      doc_id            actor   stance
    0     a1   Giorgia Meloni  against
    1     a2  Emmanuel Macron    favor
    2     a2           France    favor
    """
    _import_dask()
    from .stream import empty_result, score_batch

    if text_col not in ddf.columns:
        raise ValueError(f"text_col={text_col!r} is not a column; got {list(ddf.columns)}.")
    if errors not in ("raise", "skip"):
        raise ValueError(f"errors: expected 'raise' or 'skip'; got {errors!r}.")
    if model is None or isinstance(model, (str, os.PathLike)):
        from .persist import load_model

        model = load_model(model)
    client = client if client is not None else _current_client()
    ref = client.scatter(model, broadcast=True, hash=False) if client is not None else model
    return ddf.map_partitions(
        score_batch,
        ref,
        text_col,
        id_col,
        date_col,
        mentions=mentions,
        errors=errors,
        meta=empty_result(mentions),
    )
