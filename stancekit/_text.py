"""Text helpers shared by the actor finder and the features (not public).

``fold`` maps every character to at most one character (lower case, no
diacritics, straight quotes, plain hyphens), so offsets in the folded text are
offsets in the original and matching can run on the folded copy.
"""

from __future__ import annotations

import html
import re
import unicodedata

__all__ = ["fold", "clean_text", "UPPER", "MAX_TEXT_CHARS"]

#: Articles longer than this are refused (about 2,000 pages of news prose).
MAX_TEXT_CHARS = 20_000_000


def _build_fold_table() -> dict[int, int]:
    table: dict[int, int] = {}
    for code in range(0x00C0, 0x0250):
        ch = chr(code)
        base = unicodedata.normalize("NFKD", ch)[:1]
        low = base.lower()
        if len(low) == 1 and low.isascii() and low.isalpha():
            table[code] = ord(low)
    for code in range(ord("A"), ord("Z") + 1):
        table[code] = code + 32
    for ch, rep in {
        "ß": "s",
        "ł": "l",
        "Ł": "l",
        "đ": "d",
        "Đ": "d",
        "ø": "o",
        "Ø": "o",
        "æ": "a",
        "Æ": "a",
        "ı": "i",
        "’": "'",
        "‘": "'",
        "ʼ": "'",
        "`": "'",
        "´": "'",
        "“": '"',
        "”": '"',
        "„": '"',
        "‐": "-",
        "‑": "-",
        "‒": "-",
        "–": "-",
        "—": "-",
        "\u00a0": " ",
        "\u2009": " ",
        "\u202f": " ",
    }.items():
        table[ord(ch)] = ord(rep)
    return table


_FOLD = _build_fold_table()


def fold(text: str) -> str:
    """Lower-case, strip diacritics and straighten quotes, keeping length.

    Examples
    --------
    >>> fold("Zelenskyy’s Élysée")
    "zelenskyy's elysee"
    """
    return text.translate(_FOLD)


#: Upper-case letters of the Latin blocks, for regex character classes.
UPPER = "".join(chr(c) for c in range(0x41, 0x250) if chr(c).isupper())

_TAG = re.compile(
    r"<(script|style|noscript)\b[^>]*>.*?</\1\s*>|<!--.*?-->|<[^>]+>",
    re.IGNORECASE | re.DOTALL,
)
_BLOCK_TAG = re.compile(
    r"</?(?:p|div|br|h[1-6]|li|ul|ol|tr|td|th|table|section|article|header|footer|"
    r"blockquote|title)\b[^>]*>",
    re.IGNORECASE,
)
_LOOKS_HTML = re.compile(r"<(?:html|body|p|div|br|span|a|script|h[1-6])\b", re.I)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(text: str) -> str:
    """Return plain text: HTML stripped and decoded, control characters removed.

    Plain text passes through unchanged except for NUL and other control
    characters, which become spaces (so offsets of plain text stay valid).

    Examples
    --------
    >>> clean_text("<p>Paris &amp; London</p><script>x()</script>")
    'Paris & London'
    """
    if _LOOKS_HTML.search(text):
        text = _BLOCK_TAG.sub("\n\n", text)
        text = _TAG.sub(" ", text)
        text = html.unescape(text)
        text = re.sub(r"[ \t]+", " ", text)
        text = re.sub(r"\n\s*\n(\s*\n)+", "\n\n", text).strip()
    return _CONTROL.sub(" ", text)
