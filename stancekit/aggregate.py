"""From mention-level predictions to one stance per (article, actor)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .labels import (
    ACTOR,
    ACTOR_TYPE,
    AFFILIATION,
    AGAINST,
    CONFIDENCE,
    DOC_ID,
    EVIDENCE,
    FAVOR,
    MIXED,
    N_MENTIONS,
    NEUTRAL,
    SENTENCE,
    STANCE,
)

__all__ = ["aggregate_stances", "ACTOR_TABLE_COLUMNS"]

ACTOR_TABLE_COLUMNS = [
    DOC_ID,
    ACTOR,
    ACTOR_TYPE,
    AFFILIATION,
    STANCE,
    CONFIDENCE,
    "p_favor",
    "p_against",
    "p_neutral",
    N_MENTIONS,
    MIXED,
    EVIDENCE,
]


def empty_actor_table() -> pd.DataFrame:
    """Return an actor table with no rows and the documented dtypes."""
    return pd.DataFrame(
        {
            DOC_ID: pd.Series(dtype=object),
            ACTOR: pd.Series(dtype=object),
            ACTOR_TYPE: pd.Series(dtype=object),
            AFFILIATION: pd.Series(dtype=object),
            STANCE: pd.Series(dtype=object),
            CONFIDENCE: pd.Series(dtype="float64"),
            "p_favor": pd.Series(dtype="float64"),
            "p_against": pd.Series(dtype="float64"),
            "p_neutral": pd.Series(dtype="float64"),
            N_MENTIONS: pd.Series(dtype="int64"),
            MIXED: pd.Series(dtype=bool),
            EVIDENCE: pd.Series(dtype=object),
        }
    )


def aggregate_stances(mentions: pd.DataFrame, *, max_evidence: int = 3) -> pd.DataFrame:
    """Aggregate scored mentions to one row per (article, actor).

    The article-level stance follows ANNOTATION.md: the label of the actor's
    stance-bearing sentences (those predicted ``favor`` or ``against``); when
    they disagree, the side with more probability mass wins and ``mixed`` is
    set; ``neutral`` when no sentence bears a stance.

    Parameters
    ----------
    mentions : pandas.DataFrame
        Output of ``StanceModel.score_mentions`` (columns ``doc_id``,
        ``actor``, ``actor_type``, ``affiliation``, ``sentence``, ``stance``,
        ``p_favor``, ``p_against``, ``p_neutral``).
    max_evidence : int, default=3
        How many evidence sentences to keep per actor.

    Returns
    -------
    pandas.DataFrame
        Columns ``doc_id, actor, actor_type, affiliation, stance, confidence,
        p_favor, p_against, p_neutral, n_mentions, mixed, evidence``;
        ``evidence`` is a list of sentences, strongest support for the
        predicted stance first. Rows keep the order of first mention.

    Examples
    --------
    >>> m = pd.DataFrame({"doc_id": ["a", "a"], "actor": ["France", "France"],
    ...     "actor_type": "country", "affiliation": "FR",
    ...     "sentence": ["Paris backs it.", "Paris met Rome."],
    ...     "stance": ["favor", "neutral"], "p_favor": [0.8, 0.2],
    ...     "p_against": [0.1, 0.1], "p_neutral": [0.1, 0.7]})
    >>> aggregate_stances(m)[["actor", "stance", "n_mentions"]]
        actor stance  n_mentions
    0  France  favor           2
    """
    if mentions.empty:
        return empty_actor_table()
    keys = [DOC_ID, ACTOR, ACTOR_TYPE, AFFILIATION]
    frame = mentions.reset_index(drop=True)
    # Groups are numbered in order of first mention; every sum is a bincount.
    gid = frame.groupby(keys, sort=False, dropna=False).ngroup().to_numpy()
    n_groups = int(gid.max()) + 1
    labels = frame[STANCE].to_numpy()
    pf = frame["p_favor"].to_numpy(float)
    pa = frame["p_against"].to_numpy(float)
    pn = frame["p_neutral"].to_numpy(float)
    bearing = labels != NEUTRAL

    def total(values):
        return np.bincount(gid, weights=values, minlength=n_groups)

    n = total(np.ones(len(frame)))
    n_b = total(bearing.astype(float))
    has_b = n_b > 0
    denom = np.where(has_b, n_b, n)
    sums_b = [total(p * bearing) for p in (pf, pa, pn)]
    sums = [total(p) for p in (pf, pa, pn)]
    mf, ma, mn = (np.where(has_b, sb, s) / denom for sb, s in zip(sums_b, sums, strict=True))
    stance = np.where(has_b, np.where(sums_b[0] >= sums_b[1], FAVOR, AGAINST), NEUTRAL)
    confidence = np.where(stance == FAVOR, mf, np.where(stance == AGAINST, ma, mn))
    mixed = (total((labels == FAVOR).astype(float)) > 0) & (
        total((labels == AGAINST).astype(float)) > 0
    )
    row_stance = stance[gid]
    support = np.where(row_stance == FAVOR, pf, np.where(row_stance == AGAINST, pa, pn))
    order = np.lexsort((-support, gid))  # by group, strongest support first (stable)
    sentences = frame[SENTENCE].to_numpy()
    evidence: list[list] = [[] for _ in range(n_groups)]
    taken = np.zeros(n_groups, dtype=int)
    for i in order:
        g = gid[i]
        if taken[g] < max_evidence:
            taken[g] += 1
            if sentences[i] not in evidence[g]:
                evidence[g].append(sentences[i])
    _, first = np.unique(gid, return_index=True)
    out = frame.loc[first, keys].reset_index(drop=True)
    out[STANCE] = stance
    out[CONFIDENCE] = confidence
    out["p_favor"], out["p_against"], out["p_neutral"] = mf, ma, mn
    out[N_MENTIONS] = n.astype("int64")
    out[MIXED] = mixed
    out[EVIDENCE] = evidence
    out = out[ACTOR_TABLE_COLUMNS]
    return out.astype({N_MENTIONS: "int64", MIXED: bool})
