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
    rows = []
    for key, group in frame.groupby(keys, sort=False, dropna=False):
        pf = group["p_favor"].to_numpy(float)
        pa = group["p_against"].to_numpy(float)
        pn = group["p_neutral"].to_numpy(float)
        labels = group[STANCE].to_numpy()
        bearing = labels != NEUTRAL
        if bearing.any():
            mf, ma, mn = pf[bearing].mean(), pa[bearing].mean(), pn[bearing].mean()
            stance = FAVOR if pf[bearing].sum() >= pa[bearing].sum() else AGAINST
            confidence = mf if stance == FAVOR else ma
            support = pf if stance == FAVOR else pa
        else:
            mf, ma, mn = pf.mean(), pa.mean(), pn.mean()
            stance, confidence, support = NEUTRAL, mn, pn
        mixed = bool((labels == FAVOR).any() and (labels == AGAINST).any())
        order = np.argsort(-support, kind="stable")[:max_evidence]
        sentences = group[SENTENCE].to_numpy()
        evidence = list(dict.fromkeys(sentences[i] for i in order))
        rows.append(
            (
                *key,
                stance,
                float(confidence),
                float(mf),
                float(ma),
                float(mn),
                len(group),
                mixed,
                evidence,
            )
        )
    out = pd.DataFrame(rows, columns=ACTOR_TABLE_COLUMNS)
    return out.astype({N_MENTIONS: "int64", MIXED: bool})
