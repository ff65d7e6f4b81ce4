"""Sentence segmentation with character offsets.

A rule-based splitter tuned for news prose: it breaks after ``.``, ``!`` and
``?`` (with closing quotes or brackets) when the next word starts a sentence,
keeps abbreviations such as "U.S.", "Mr." and "Gen." and initials such as
"J. D. Vance" inside the sentence, and treats line breaks after a headline or
a paragraph as boundaries. Offsets always slice back to the sentence:
``text[start:end] == sentence``.
"""

from __future__ import annotations

import re

import pandas as pd

from .labels import END, SENTENCE, SENTENCE_ID, START

__all__ = ["segment_sentences", "sentence_spans"]

# Words that end with a period without ending the sentence.
_ABBREVIATIONS = frozenset(
    """
    mr mrs ms dr gen lt col maj sgt capt cpt adm gov sen rep reps rev prof st jr sr
    inc ltd co corp vs etc fig jan feb mar apr jun jul aug sep sept oct nov dec
    approx dept est min max mt ft pres brig cmdr cdr pvt cpl hon amb sec ave blvd
    """.split()
)
# "No. 10", "Nos. 3": abbreviations only before a number.
_NUMBER_ABBREVIATIONS = frozenset({"no", "nos"})
# Multi-period abbreviations; they end a sentence only before a clear opener.
_DOTTED = re.compile(r"(?:[A-Za-z]\.){2,}$")
_OPENERS = frozenset(
    """
    the a an he she it they we i this that these those but and in on at on after
    before however meanwhile his her their its there when while what why how
    """.split()
)

_CANDIDATE = re.compile(
    r"""[.!?…]+["”’')\]]*(?=\s+["“‘'(\[]*[A-Z0-9À-ÖØ-Þ])"""
    r"""|(?<=[a-z0-9%])[.!?]+["”’')\]]*(?=["“][A-Z])"""
)
_WORD_BEFORE = re.compile(r"([\w.]+)$")
_LOOKBACK = 64
_LINE = re.compile(r"[^\n]+")
_TERMINAL = re.compile(r"""[.!?:;…]["”’')\]]*\s*$""")
_NEXT_WORD = re.compile(r"\s*[\"“‘'(\[]*(\w+)")


def _is_boundary(block: str, end: int, period_at: int) -> bool:
    """Decide whether the punctuation ending at ``end`` closes a sentence."""
    if block[period_at] != ".":
        return True
    # Look back a bounded stretch: scanning from the block's start would make
    # segmentation quadratic in the length of a paragraph.
    match = _WORD_BEFORE.search(block, max(0, period_at - _LOOKBACK), period_at + 1)
    if match is None:
        return True
    word = match.group(1)
    bare = word.rstrip(".")
    if "." in bare or _DOTTED.search(word):
        nxt = _NEXT_WORD.match(block, end)
        return bool(nxt) and nxt.group(1).lower() in _OPENERS
    if len(bare) == 1 and bare.isalpha() and bare.isupper():
        return False  # an initial: "J. D. Vance"
    low = bare.lower()
    if low in _NUMBER_ABBREVIATIONS:
        nxt = _NEXT_WORD.match(block, end)
        return not (nxt and nxt.group(1)[:1].isdigit())
    return low not in _ABBREVIATIONS


def _split_block(block: str, offset: int, out: list) -> None:
    start = 0
    for match in _CANDIDATE.finditer(block):
        period_at = match.start()
        end = match.end()
        if not _is_boundary(block, end, period_at):
            continue
        _emit(block, start, end, offset, out)
        start = end
    _emit(block, start, len(block), offset, out)


def _emit(block: str, start: int, end: int, offset: int, out: list) -> None:
    piece = block[start:end]
    stripped = piece.strip()
    if not stripped:
        return
    lead = len(piece) - len(piece.lstrip())
    s = offset + start + lead
    out.append((s, s + len(stripped)))


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Return ``(start, end)`` character offsets of the sentences of ``text``.

    The fast path behind :func:`segment_sentences`: no DataFrame is built.

    Parameters
    ----------
    text : str
        The article. Lines that do not end with sentence punctuation and are
        followed by a blank line or by a line starting with a capital (a
        headline, a dateline, a list item) end a sentence.

    Returns
    -------
    list of tuple of int
        Spans in order, with no overlap; ``text[start:end]`` is the sentence
        with surrounding white space removed.

    Examples
    --------
    >>> text = "Gen. Smith met U.S. envoys. Paris said no."
    >>> [text[s:e] for s, e in sentence_spans(text)]
    ['Gen. Smith met U.S. envoys.', 'Paris said no.']
    """
    spans: list[tuple[int, int]] = []
    lines = [(m.start(), m.end()) for m in _LINE.finditer(text)]
    block_start = None
    block_end = None
    for i, (ls, le) in enumerate(lines):
        if block_start is None:
            block_start = ls
        block_end = le
        line = text[ls:le]
        if not line.strip():
            continue
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        closes = nxt is None or "\n\n" in text[le : nxt[0]].replace("\r", "")
        if not closes:
            nxt_line = text[nxt[0] : nxt[1]].lstrip().lstrip("\"“‘'([")
            closes = bool(_TERMINAL.search(line)) or (len(line) < 140 and nxt_line[:1].isupper())
        if closes:
            _split_block(text[block_start:block_end], block_start, spans)
            block_start = None
    if block_start is not None:
        _split_block(text[block_start:block_end], block_start, spans)
    return spans


def segment_sentences(text: str) -> pd.DataFrame:
    """Split an article into sentences with character offsets.

    Parameters
    ----------
    text : str
        The article as plain text.

    Returns
    -------
    pandas.DataFrame
        One row per sentence with columns ``sentence_id`` (0-based, int),
        ``start`` and ``end`` (character offsets, int) and ``sentence`` (str),
        such that ``text[start:end] == sentence``.

    Examples
    --------
    >>> frame = segment_sentences("Mr. Tusk said no. Warsaw agreed.")
    >>> frame[["start", "end"]].values.tolist()
    [[0, 17], [18, 32]]
    >>> frame["sentence"].tolist()
    ['Mr. Tusk said no.', 'Warsaw agreed.']
    """
    spans = sentence_spans(text)
    return pd.DataFrame(
        {
            SENTENCE_ID: pd.Series(range(len(spans)), dtype="int64"),
            START: pd.Series([s for s, _ in spans], dtype="int64"),
            END: pd.Series([e for _, e in spans], dtype="int64"),
            SENTENCE: pd.Series([text[s:e] for s, e in spans], dtype=object),
        }
    )
