"""Label set, column names and actor vocabularies shared by every module.

Column names and labels are constants here so that no module spells them
twice. ``LABELS`` is sorted the way scikit-learn sorts ``classes_``; code that
reads probabilities must still look columns up through ``classes_``.
"""

from __future__ import annotations

FAVOR = "favor"
AGAINST = "against"
NEUTRAL = "neutral"
LABELS = (AGAINST, FAVOR, NEUTRAL)
STANCE_LABELS = (FAVOR, AGAINST)

DEFAULT_TARGET = "troop_deployment"

ACTOR_TYPES = ("person", "country", "organization", "group")

# Column names of annotated corpora and of every frame stancekit returns.
TEXT = "text"
ACTOR = "actor"
ACTOR_TYPE = "actor_type"
AFFILIATION = "affiliation"
STANCE = "stance"
DOC_ID = "doc_id"
TARGET = "target"
DATE = "date"
MENTION = "mention"
SENTENCE_ID = "sentence_id"
SENTENCE = "sentence"
START = "start"
END = "end"
CONFIDENCE = "confidence"
N_MENTIONS = "n_mentions"
EVIDENCE = "evidence"
MIXED = "mixed"

REQUIRED_CORPUS_COLUMNS = (TEXT, STANCE)
OPTIONAL_CORPUS_COLUMNS = (
    ACTOR,
    ACTOR_TYPE,
    AFFILIATION,
    DOC_ID,
    TARGET,
    DATE,
    MENTION,
    SENTENCE_ID,
    "outlet_style",
)


def proba_column(label: str) -> str:
    """Return the name of the probability column of ``label``.

    Examples
    --------
    >>> proba_column("favor")
    'p_favor'
    """
    return f"p_{label}"


PROBA_COLUMNS = tuple(proba_column(label) for label in (FAVOR, AGAINST, NEUTRAL))
