"""Actor gazetteer and mention finding.

The gazetteer lists canonical actors (persons, countries, organisations,
groups) with their aliases, titles and the period in which each speaks for an
affiliation. :class:`Gazetteer` compiles every alias into one regular
expression shaped as a character trie and runs it over a case- and
diacritic-folded copy of the text, so one pass finds the longest alias at
every position. Persons missing from the gazetteer but introduced by role
("Dutch Defence Minister Ruben Brekelmans", "Kremlin spokesman Dmitry
Peskov") are found by pattern and affiliated through the role's country;
later bare surnames, generic titles ("the chancellor") and subject pronouns
("he said") resolve to a person named in the same or previous sentence when
only one candidate fits.
"""

from __future__ import annotations

import bisect
import csv
import io
import os
import re
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date as _date
from datetime import datetime
from functools import lru_cache
from importlib import resources

import pandas as pd

from ._text import UPPER, fold
from .exceptions import CorpusError
from .labels import (
    ACTOR,
    ACTOR_TYPE,
    ACTOR_TYPES,
    AFFILIATION,
    END,
    MENTION,
    SENTENCE_ID,
    START,
)
from .segment import sentence_spans

__all__ = [
    "Gazetteer",
    "load_gazetteer",
    "find_mentions",
    "find_actors",
    "ActorMention",
]

_CODE = re.compile(r"^[A-Z][A-Z0-9]{1,9}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

# Phrases built from a demonym ("French officials") that speak for the state.
_GOVERNMENT_HEADS = (
    "government",
    "officials",
    "ministers",
    "authorities",
    "diplomats",
    "leadership",
    "administration",
    "cabinet",
    "negotiators",
    "side",
    "presidency",
)
_DEFENCE = (
    "defence ministry",
    "defense ministry",
    "ministry of defence",
    "ministry of defense",
    "defence department",
    "defense department",
    "armed forces ministry",
)
_FOREIGN = (
    "foreign ministry",
    "ministry of foreign affairs",
    "foreign affairs ministry",
    "foreign office",
)
_LOCATIVES = frozenset("in into inside within across throughout at near".split())
_TROOP_WORDS = re.compile(
    r"\b(?:troops?|soldiers?|forces?|personnel|peacekeep\w*|deploy\w*|send\w*|"
    r"sent|boots|contingents?|units?|brigades?|battalions?|missions?)\b"
)
_GENERIC_TITLES = {
    "the chancellor": "chancellor",
    "the prime minister": "prime minister",
    "the premier": "premier",
    "the president": "president",
    "the foreign minister": "foreign minister",
    "the defence minister": "defence minister",
    "the defense minister": "defense minister",
    "the defence secretary": "defence secretary",
    "the defense secretary": "defense secretary",
    "the foreign secretary": "foreign secretary",
    "the secretary of state": "secretary of state",
    "the secretary general": "secretary general",
    "the secretary-general": "secretary general",
    "the spokesman": "spokes",
    "the spokeswoman": "spokes",
    "the spokesperson": "spokes",
    "the minister": "minister",
    "the senator": "senator",
    "the vice president": "vice president",
    "the envoy": "envoy",
}
_WORD_BEFORE = re.compile(r"[\w.']+$")
_HYPHEN_OK = ("led", "backed", "brokered", "sponsored", "proposed", "drafted")
_GENERIC_TITLE = re.compile(
    r"\b("
    + "|".join(re.escape(t) for t in sorted(_GENERIC_TITLES, key=len, reverse=True))
    + r")\b"
)
_PRONOUN = re.compile(r"\b(?:he|she|He|She)\b")
_HIS_COUNTRY = re.compile(
    r"\b(?:[Hh]is|[Hh]er) (?:country|government|nation|administration|cabinet)\b"
)
_OFFICES = frozenset(
    """chancellor|prime minister|premier|president|foreign minister|defence minister|
    defense minister|defence secretary|defense secretary|foreign secretary|
    secretary of state""".replace("\n", "")
    .replace("    ", "")
    .split("|")
)
_ROLE_TITLES = (
    r"(?:(?:Deputy|Vice|First|Acting|Outgoing|Incoming|deputy|acting)[ -])?"
    r"(?:Prime Minister|prime minister|PM|President|president|Chancellor|chancellor|"
    r"Premier|premier|Foreign Minister|foreign minister|Defen[cs]e Minister|"
    r"defen[cs]e minister|Defen[cs]e Secretary|defen[cs]e secretary|"
    r"Foreign Secretary|foreign secretary|Secretary of State|Secretary of Defen[cs]e|"
    r"Secretary of War|War Secretary|Interior Minister|interior minister|"
    r"Finance Minister|finance minister|Minister(?: of [A-Z]\w+(?: [A-Z]\w+)?)?|"
    r"minister|Ambassador|ambassador|Spokes(?:man|woman|person)|"
    r"spokes(?:man|woman|person)|Speaker|speaker|Senator|senator|Sen\.|"
    r"Congressman|Congresswoman|MP|MEP|lawmaker|legislator|General|Gen\.|general|"
    r"Admiral|Adm\.|Chief of (?:the )?(?:General |Defen[cs]e )?Staff|army chief|"
    r"military chief|opposition leader|Opposition Leader|party leader|leader|"
    r"Special Envoy|special envoy|envoy|Envoy|negotiator|chief negotiator|"
    r"National Security Advis[eo]r|national security advis[eo]r|adviser|advisor|"
    r"Vice-President|commander|Commander|Secretary General|Secretary-General|"
    r"secretary general|secretary-general|High Representative|Commissioner|"
    r"commissioner|Ministry spokes(?:man|woman|person)|ministry spokes(?:man|woman|person)|"
    r"mayor|Mayor|(?:presidential |party |parliamentary |opposition )?candidate|"
    r"(?:parliamentary |party |group |co-)?leader|co-chair|chair|chairman|chairwoman|"
    r"head|deputy|Deputy|MP|member of parliament|senator|representative)"
)
_NAME_TOKEN = rf"[{UPPER}][^\W\d_]+(?:[-'’][{UPPER}]?[^\W\d_]+)*"
_PARTICLE = (
    r"(?:van der |van den |van |von der |von |de la |de |da |di |del |der |al-|el-|bin |ben )?"
)
_NAME = rf"(?P<name>{_NAME_TOKEN}(?: {_PARTICLE}{_NAME_TOKEN}){{1,2}})"
_STOP_NAME_WORDS = frozenset(
    """
    The A An And But Or Of In On At To For With From By As If When While Monday Tuesday
    Wednesday Thursday Friday Saturday Sunday January February March April May June
    July August September October November December Minister President Prime
    Chancellor Secretary Foreign Defence Defense General Spokesman Spokeswoman Ministry
    Government Office Council Commission Parliament Said Says Told Added Warned
    """.split()
)


@lru_cache(maxsize=1024)
def _surname_regex(names: tuple[str, ...]):
    return re.compile(r"\b(" + "|".join(re.escape(n) for n in names) + r")\b(?!\s[A-Z])")


_DATELINE_AFTER = re.compile(r"(?:,? [A-Z][A-Za-z .]{0,30})?\s*(?:\(|—|–|-\s|:\s)")


_DATELINE_CITY = re.compile(r"\s*[A-Z][A-Z.'-]+(?: [A-Z][A-Z.'-]+){0,3}, ")
_DATELINE_END = re.compile(r"\s*(?:\(|—|–|-\s|:\s)")


def _is_dateline(text: str, s: int, e: int) -> bool:
    """True for the place of a dateline opening a paragraph.

    The city in capitals ("BRUSSELS (Reuters) -") and the country or state
    after it ("KYIV, Ukraine —") are where the story was filed, not actors.
    """
    line = text.rfind("\n", 0, s) + 1
    word = text[s:e]
    if len(word) >= 4 and word.isupper() and not text[line:s].strip():
        return _DATELINE_AFTER.match(text, e) is not None
    return (
        _DATELINE_CITY.fullmatch(text, line, s) is not None
        and _DATELINE_END.match(text, e) is not None
    )


class _Spans:
    """Character spans with overlap queries in logarithmic time.

    Long texts have thousands of mentions; checking each new candidate
    against every span found so far would make finding quadratic.
    """

    def __init__(self, spans=()):
        self._starts: list[int] = []
        self._ends: list[int] = []
        self._reach: list[int] = []  # running maximum of the ends
        for s, e in sorted(spans):
            self.add(s, e)

    def add(self, start: int, end: int) -> None:
        i = bisect.bisect_right(self._starts, start)
        self._starts.insert(i, start)
        self._ends.insert(i, end)
        self._reach.insert(i, end)
        for k in range(i, len(self._reach)):
            self._reach[k] = max(self._ends[k], self._reach[k - 1] if k else end)

    def overlaps(self, start: int, end: int) -> bool:
        """True when a span shares a character with ``[start, end)``."""
        j = bisect.bisect_left(self._starts, end) - 1
        return j >= 0 and self._reach[j] > start

    def starts_within(self, lo: int, hi: int) -> bool:
        """True when a span starts in ``[lo, hi]``."""
        i = bisect.bisect_left(self._starts, lo)
        return i < len(self._starts) and self._starts[i] <= hi


class _ByStart:
    """Mentions sorted by start, sliced by position."""

    def __init__(self, mentions):
        self.items = sorted(mentions, key=lambda m: m.start)
        self._starts = [m.start for m in self.items]

    def between(self, lo: int, hi: int) -> list:
        """Mentions starting in ``[lo, hi)``."""
        a = bisect.bisect_left(self._starts, lo)
        return self.items[a : bisect.bisect_left(self._starts, hi)]


def _drop_titles_of_named_others(found):
    """Drop an office title followed by another person's name.

    "German Chancellor Olaf Scholz" in an undated text: the title alone would
    name today's chancellor, but the name right after it says who is meant.
    """
    named: dict[int, set] = defaultdict(set)
    for n in found:
        if n.actor_type == "person":
            named[n.start].add(n.actor)
    return [
        m
        for m in found
        if not (
            m.kind == "title"
            and any(named[at] - {m.actor} for at in range(m.end, m.end + 3) if at in named)
        )
    ]


def _parse_date(value) -> str | None:
    """Return an ISO ``YYYY-MM-DD`` string, or None for no date."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and value != value:  # NaN
        return None
    if isinstance(value, (datetime, _date, pd.Timestamp)):
        return value.strftime("%Y-%m-%d")
    text = str(value).strip()
    if not text or text.lower() in {"nan", "nat", "none", "<na>"}:
        return None
    if _DATE.match(text[:10]):
        return text[:10]
    try:
        return pd.Timestamp(text).strftime("%Y-%m-%d")
    except (ValueError, TypeError) as exc:
        raise ValueError(
            f"date: expected an ISO date such as '2025-03-02'; got {value!r}."
        ) from exc


@dataclass(frozen=True)
class _Entry:
    actor: str
    actor_type: str
    affiliation: str
    valid_from: str | None
    valid_to: str | None
    roles: tuple[str, ...] = ()

    def valid_on(self, day: str | None) -> bool:
        if day is None:
            return True
        if self.valid_from and day < self.valid_from:
            return False
        if self.valid_to and day >= self.valid_to:
            return False
        return True

    def recency(self) -> tuple[int, str, str]:
        return (self.valid_to is None, self.valid_to or "", self.valid_from or "")


@dataclass(frozen=True)
class ActorMention:
    """One mention of an actor in a text.

    Attributes
    ----------
    start, end : int
        Character offsets of the mention in the text.
    actor, actor_type, affiliation : str
        The canonical actor the mention refers to.
    kind : str
        How it was found: ``alias`` (a gazetteer name or metonym), ``title``
        (an office such as "the French president"), ``pattern`` (a person
        introduced by role and nationality), ``surname`` (a later mention of
        such a person), ``coref`` (a generic title) or ``pronoun``.
    """

    start: int
    end: int
    actor: str
    actor_type: str
    affiliation: str
    kind: str


def _split(field) -> list[str]:
    if field is None:
        return []
    text = str(field)
    if text.lower() == "nan":
        return []
    return [a.strip() for a in text.split("|") if a.strip()]


def _trie_regex(words) -> str:
    """Return a regex matching any of ``words``, longest first, as a trie."""
    trie: dict = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = True

    def emit(node) -> str:
        ends = "" in node
        branches = []
        for ch in sorted(k for k in node if k):
            piece = r"\s+" if ch == " " else re.escape(ch)
            branches.append(piece + emit(node[ch]))
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if ends:
            return "(?:" + body + ")?"
        return body

    return emit(trie)


_SPACES = re.compile(r"\s+")


class Gazetteer:
    """Canonical actors, their aliases, and the compiled mention finder.

    Build it with :func:`load_gazetteer`; users extend or override the bundled
    gazetteer with a file of their own.

    Parameters
    ----------
    rows : iterable of dict
        One dict per (actor, role period) with keys ``actor``, ``actor_type``,
        ``affiliation``, ``aliases`` (list of str), ``titles`` (list of str),
        ``valid_from`` and ``valid_to`` (ISO dates or None).
    lead_words : dict of str to str, default=None
        Words that introduce a role and name its affiliation ("French" -> FR,
        "Kremlin" -> RU), used to find persons missing from the gazetteer.

    Attributes
    ----------
    actors_ : pandas.DataFrame
        One row per canonical actor and role period.
    """

    def __init__(self, rows, lead_words=None, country_words=None):
        self._country_words = {
            k: tuple(fold(w) for w in v) for k, v in (country_words or {}).items()
        }
        self._entries: list[_Entry] = []
        self._aliases: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
        self._display: dict[str, str] = {}
        self._lead_words = dict(lead_words or {})
        self._countries: dict[str, str] = {}
        self._demonym_keys = {
            f"the {w}{plural}"
            for words in self._country_words.values()
            for w in words
            for plural in ("", "s")
        }
        for row in rows:
            self._add(row)
            if row["actor_type"] == "country":
                self._countries.setdefault(row["affiliation"], row["actor"])
        self._compile()

    # -- building ---------------------------------------------------------
    def _add(self, row) -> None:
        entry = _Entry(
            actor=row["actor"],
            actor_type=row["actor_type"],
            affiliation=row["affiliation"],
            valid_from=row.get("valid_from"),
            valid_to=row.get("valid_to"),
            roles=tuple(fold(t) for t in row.get("titles", ())),
        )
        idx = len(self._entries)
        self._entries.append(entry)
        names = [entry.actor, *row.get("aliases", ())]
        for kind, phrases in (("alias", names), ("title", row.get("titles", ()))):
            for phrase in phrases:
                key = _SPACES.sub(" ", fold(phrase)).strip()
                keys = [key]
                if kind == "title":
                    # Both "French president" and "the French president", so the
                    # title outranks "the French" (the plural demonym) at "the".
                    bare = key.removeprefix("the ")
                    keys = [bare, "the " + bare]
                for k in keys:
                    if len(k) < 2:
                        continue
                    slot = self._aliases[k]
                    if all(i != idx for i, _, _ in slot):
                        slot.append((idx, kind, phrase))
                        self._display.setdefault(k, phrase)

    def _compile(self) -> None:
        keys = sorted(self._aliases)
        trie = _trie_regex(keys)
        self._regex = re.compile(r"(?<!\w)(?:" + trie + r")(?!\w)")
        self._strict: dict[str, str] = {}
        for key in keys:
            shown = self._display[key]
            if " " not in key:
                # One word: needs a capital in the text ("Turkey", not "turkey");
                # acronyms of up to three letters must match their case ("US").
                self._strict[key] = "exact" if len(key) <= 3 else "capital"
            elif shown != shown.lower():
                self._strict[key] = "any-capital"
        leads = sorted(self._lead_words, key=len, reverse=True)
        if leads:
            lead = "(?P<lead>" + _trie_regex(leads) + ")"
            self._role_before = re.compile(
                rf"\b{lead}(?:'s|’s)? {_ROLE_TITLES}(?: of \w+)?,? {_NAME}\b"
            )
            self._role_after = re.compile(
                rf"\b{_NAME}, (?:the |a |an )?(?:former )?{lead}(?:'s|’s)? {_ROLE_TITLES}\b"
            )
        else:
            self._role_before = self._role_after = None
        self._hash = None

    @property
    def actors_(self) -> pd.DataFrame:
        return pd.DataFrame(
            [
                {
                    ACTOR: e.actor,
                    ACTOR_TYPE: e.actor_type,
                    AFFILIATION: e.affiliation,
                    "valid_from": e.valid_from,
                    "valid_to": e.valid_to,
                }
                for e in self._entries
            ]
        )

    def __len__(self) -> int:
        return len({e.actor for e in self._entries})

    def __repr__(self) -> str:
        return f"Gazetteer({len(self)} actors, {len(self._aliases)} aliases)"

    # -- look-ups ---------------------------------------------------------
    def _pick(self, slot, day):
        best = None
        for idx, kind, _ in slot:
            entry = self._entries[idx]
            if day is not None and not entry.valid_on(day):
                continue
            if best is None or (
                day is None and entry.recency() > self._entries[best[0]].recency()
            ):
                best = (idx, kind)
        if best is None and day is not None:
            # Out of every period: fall back to the latest role of a name, never
            # to a title (an office names whoever holds it on that day).
            names = [(i, k) for i, k, _ in slot if k == "alias"]
            if names:
                best = max(names, key=lambda ik: self._entries[ik[0]].recency())
        return best

    def lookup(self, alias: str, date=None) -> dict | None:
        """Return the actor an alias names on ``date`` (latest role if None).

        Examples
        --------
        >>> gaz = load_gazetteer()
        >>> gaz.lookup("the Kremlin")["affiliation"]
        'RU'
        """
        key = _SPACES.sub(" ", fold(alias)).strip()
        slot = self._aliases.get(key) or self._aliases.get(key.removeprefix("the "))
        if not slot:
            return None
        best = self._pick(slot, _parse_date(date))
        if best is None:
            return None
        e = self._entries[best[0]]
        return {ACTOR: e.actor, ACTOR_TYPE: e.actor_type, AFFILIATION: e.affiliation}

    def _case_ok(self, key: str, original: str) -> bool:
        rule = self._strict.get(key)
        if rule is None:
            return True
        if rule == "exact":
            shown = self._display[key]
            return original == shown or original.replace(".", "") == shown.replace(".", "")
        if rule == "capital":
            return original[:1].isupper() or original[:1].isdigit()
        return any(ch.isupper() for ch in original)

    def find_in_sentences(self, sentences, date=None) -> list[list[ActorMention]]:
        """Find the mentions of each sentence of one article, in article context.

        The sentences are read as one text, so a title or pronoun ("the
        minister", "he") resolves to the person named in the sentence before,
        as when scoring the article; offsets are relative to each sentence.

        Parameters
        ----------
        sentences : sequence of str
            The article's sentences, in order.
        date : str or datetime-like, default=None

        Returns
        -------
        list of list of ActorMention
            One list per sentence.
        """
        starts, pos = [], 0
        for sent in sentences:
            starts.append(pos)
            pos += len(sent) + 1
        spans = [(s, s + len(t)) for s, t in zip(starts, sentences, strict=True)]
        per: list[list[ActorMention]] = [[] for _ in sentences]
        for m in self.find(" ".join(sentences), date, spans=spans):
            i = bisect.bisect_right(starts, m.start) - 1
            per[i].append(replace(m, start=m.start - starts[i], end=m.end - starts[i]))
        return per

    def find(self, text: str, date=None, *, spans=None) -> list[ActorMention]:
        """Find every actor mention in ``text``.

        Parameters
        ----------
        text : str
            Plain text (an article or a sentence).
        date : str or datetime-like, default=None
            Article date; picks the office holder and affiliation valid then.
        spans : list of (int, int), default=None
            Sentence spans of ``text`` when already computed; used to resolve
            titles and pronouns within the same or previous sentence.

        Returns
        -------
        list of ActorMention
            In text order, not overlapping.
        """
        day = _parse_date(date)
        folded = fold(text)
        found: list[ActorMention] = []
        taken: list[tuple[int, int]] = []
        pos = 0
        while True:
            m = self._regex.search(folded, pos)
            if m is None:
                break
            s, e = m.span()
            key = _SPACES.sub(" ", m.group())
            if key in self._demonym_keys:
                # "The Danish defence ministry": prefer the longer alias after "the".
                alt = self._regex.match(folded, s + 4)
                if alt is not None and alt.end() > e:
                    m = alt
                    s, e = m.span()
                    key = _SPACES.sub(" ", m.group())
            pos = e
            original = text[s:e]
            if not self._case_ok(key, original) or not self._hyphen_ok(text, s, e):
                continue
            slot = self._aliases[key]
            best = self._pick(slot, day)
            if best is None:
                continue
            idx, kind = best
            entry = self._entries[idx]
            if kind == "title" and folded[max(0, s - 7) : s].endswith(
                ("former ", "ex-", "late ", "then-", "then ")
            ):
                continue
            if (entry.actor_type == "country" or key == "europe") and self._is_place(
                folded, s, key, entry
            ):
                continue
            if _is_dateline(text, s, e):
                continue
            found.append(
                ActorMention(s, e, entry.actor, entry.actor_type, entry.affiliation, kind)
            )
            taken.append((s, e))
            if entry.actor_type in ("person", "group") and " " in key:
                lead = self._lead_mention(text, folded, s, e, day, owner=entry)
                if lead is not None:
                    found.append(lead)
        roles: dict[str, str] = {}
        found.extend(self._find_role_persons(text, _Spans(taken), found, roles))
        found = self._find_surnames(text, found)
        found.sort(key=lambda x: x.start)
        found = _drop_titles_of_named_others(found)
        if spans is None:
            spans = sentence_spans(text) if len(found) else []
        found = self._resolve_references(text, found, spans, roles, day)
        return found

    @staticmethod
    def _hyphen_ok(text: str, s: int, e: int) -> bool:
        """Allow "Trump-Putin talks" and "UK-led", not "anti-NATO" or "France-based"."""
        if s >= 2 and text[s - 1] == "-" and text[s - 2].isalnum():
            word = _WORD_BEFORE.search(text, 0, s - 1)
            if word is None or not word.group()[:1].isupper():
                return False
        if e + 1 < len(text) and text[e] == "-" and text[e + 1].isalnum():
            nxt = text[e + 1 : e + 12]
            if not (nxt[:1].isupper() or nxt.startswith(_HYPHEN_OK)):
                return False
        return True

    def _lead_mention(self, text, folded, s, e, day, owner=None):
        """The organisation or country named at the head of a title.

        "Kremlin spokesman Dmitry Peskov" also names Russia, "NATO Secretary
        General Mark Rutte" also names NATO; demonyms and short country codes
        ("US President") only describe the person and name no actor.
        """
        m = self._regex.match(folded, s, e - 1)
        if m is None or m.end() >= e or folded[m.end()] not in " '":
            return None
        key = _SPACES.sub(" ", m.group())
        if not self._case_ok(key, text[m.start() : m.end()]):
            return None
        best = self._pick(self._aliases[key], day)
        if best is None or best[1] != "alias":
            return None
        entry = self._entries[best[0]]
        if entry.actor_type == "person":
            return None
        if owner is not None and owner.actor_type == "person":
            first = fold(owner.actor).split()[0]
            if key == first:
                return None  # "Jordan Bardella": a first name, not Jordan
        if (
            owner is not None
            and owner.actor_type == "group"
            and (entry.affiliation == owner.affiliation)
        ):
            return None  # "NATO countries" is one actor, not NATO and its members
        if entry.actor_type == "country" and (
            len(key.replace(".", "")) <= 3 or key in self._demonym_keys
        ):
            return None
        return ActorMention(
            m.start(), m.end(), entry.actor, entry.actor_type, entry.affiliation, "alias"
        )

    def _is_place(self, folded: str, start: int, key: str, entry: _Entry) -> bool:
        """True when a country or capital name is only a location."""
        before = folded[max(0, start - 60) : start].split()
        if not before:
            return False
        prev = before[-1]
        if prev in _LOCATIVES:
            return True
        if prev in ("to", "on", "onto") and _TROOP_WORDS.search(" ".join(before[-6:])):
            return True
        return False

    def _find_role_persons(self, text, taken, found, roles):
        """Persons introduced by role: 'Czech President Petr Pavel'."""
        if self._role_before is None:
            return []
        out = []
        for regex in (self._role_before, self._role_after):
            for m in regex.finditer(text):
                ns, ne = m.span("name")
                name = m.group("name")
                if set(name.split()) & _STOP_NAME_WORDS:
                    continue
                if taken.overlaps(ns, ne):
                    continue  # the gazetteer already names it
                affiliation = self._lead_words[m.group("lead")]
                out.append(ActorMention(ns, ne, name, "person", affiliation, "pattern"))
                roles[name] = fold(m.group(0))
                taken.add(ns, ne)
        return out

    def _find_surnames(self, text, found):
        """Bare surnames of persons already named in full earlier in the text.

        "Romanian President Nicusor Dan ... Dan said": a surname that is too
        ambiguous to be an alias on its own ("Dan", "Martin", "Montenegro")
        names the person once the article has introduced them, and then wins
        over another actor spelled the same (Montenegro the country).
        """
        firsts: dict[str, ActorMention] = {}
        for m in found:
            if m.actor_type == "person" and m.kind in ("alias", "pattern", "title"):
                if m.end - m.start > len(m.actor.split()[-1]) or m.kind != "alias":
                    last = m.actor.split()[-1]
                    if len(last) > 2 and last[:1].isupper():
                        firsts.setdefault(last, m)
        if not firsts:
            return found
        rx = _surname_regex(tuple(sorted(firsts)))
        by_span = {(f.start, f.end): i for i, f in enumerate(found)}
        out = list(found)
        occupied = _Spans((f.start, f.end) for f in found)
        for m in rx.finditer(text):
            s, e = m.span()
            person = firsts[m.group(1)]
            if s < person.end:
                continue
            i = by_span.get((s, e))
            if i is not None:
                if out[i].actor_type != "person":
                    out[i] = ActorMention(
                        s, e, person.actor, "person", person.affiliation, "surname"
                    )
                continue
            if occupied.overlaps(s, e):
                continue
            out.append(ActorMention(s, e, person.actor, "person", person.affiliation, "surname"))
            occupied.add(s, e)
        return out

    def _office_holder(self, countries, pos, lo, role, day):
        """'Downing Street said the prime minister ...': the office of one country."""
        codes = {m.affiliation for m in countries.between(lo, pos)}
        if len(codes) != 1:
            return None
        code = codes.pop()
        for word in self._country_words.get(code, ()):
            hit = self._aliases.get(f"{word} {role}") or self._aliases.get(f"{word}'s {role}")
            if hit:
                best = self._pick(hit, day)
                if best is not None:
                    e = self._entries[best[0]]
                    return (e.actor, e.actor_type, e.affiliation)
        return None

    def _resolve_references(self, text, found, spans, roles, day=None):
        """Attach generic titles and subject pronouns to one earlier person.

        A reference looks back to the start of the sentence before its own.
        """
        if not spans or not found:
            return found
        folded = fold(text)
        starts = [s for s, _ in spans]

        def window_start(pos):
            here = bisect.bisect_right(starts, pos) - 1
            return starts[here - 1] if here >= 1 else -1

        persons = _ByStart(m for m in found if m.actor_type == "person")
        countries = _ByStart(m for m in found if m.actor_type == "country")
        extra = []
        occupied = _Spans((m.start, m.end) for m in found)
        for m in _GENERIC_TITLE.finditer(folded):
            role = _GENERIC_TITLES[m.group(1)]
            s, e = m.span()
            if occupied.overlaps(s, e):
                continue
            if occupied.starts_within(e, e + 3):
                continue  # "the chancellor, Olaf Scholz": the name follows
            lo = window_start(s)
            cand = self._candidates(persons.between(lo, s), role, roles)
            if len(cand) == 1:
                p = cand[0]
                extra.append(ActorMention(s, e, p.actor, "person", p.affiliation, "coref"))
            elif not cand and role in _OFFICES:
                office = self._office_holder(countries, s, lo, role, day)
                if office is not None:
                    extra.append(ActorMention(s, e, *office, "coref"))
        persons = _ByStart([*persons.items, *(x for x in extra if x.actor_type == "person")])
        for m in _PRONOUN.finditer(text):
            s, e = m.span()
            cand = self._candidates(persons.between(window_start(s), s), None, roles)
            if len(cand) == 1:
                p = cand[0]
                extra.append(ActorMention(s, e, p.actor, "person", p.affiliation, "pronoun"))
        for m in _HIS_COUNTRY.finditer(text):
            s, e = m.span()
            cand = self._candidates(persons.between(window_start(s), s), None, roles)
            codes = {p.affiliation for p in cand}
            if len(codes) == 1:
                code = codes.pop()
                country = self._countries.get(code)
                if country is not None:
                    extra.append(ActorMention(s, e, country, "country", code, "coref"))
        if not extra:
            return found
        return sorted(found + extra, key=lambda x: x.start)

    def _candidates(self, window, role, roles):
        names = {}
        for p in window:
            names[p.actor] = p
        if role is None:
            return list(names.values())
        fitting = [
            p
            for p in names.values()
            if self._has_role(p.actor, role) or role in roles.get(p.actor, "")
        ]
        if fitting:
            return fitting
        unknown = [
            p for p in names.values() if p.actor not in roles and not self._has_any_role(p.actor)
        ]
        return unknown if len(names) == 1 else []

    @lru_cache(maxsize=4096)  # noqa: B019 - the gazetteer lives as long as its model
    def _has_role(self, actor: str, role: str) -> bool:
        return any(role in r for e in self._entries if e.actor == actor for r in e.roles)

    @lru_cache(maxsize=4096)  # noqa: B019
    def _has_any_role(self, actor: str) -> bool:
        return any(e.roles for e in self._entries if e.actor == actor)

    def mentions_frame(self, text: str, date=None) -> pd.DataFrame:
        """Return the mentions of ``text`` as a DataFrame (see find_mentions)."""
        spans = sentence_spans(text)
        found = self.find(text, date, spans=spans)
        starts = [s for s, _ in spans]
        rows = []
        for m in found:
            sid = max(0, bisect.bisect_right(starts, m.start) - 1)
            rows.append(
                (
                    sid,
                    m.start,
                    m.end,
                    text[m.start : m.end],
                    m.actor,
                    m.actor_type,
                    m.affiliation,
                    m.kind,
                )
            )
        return pd.DataFrame(
            rows,
            columns=[SENTENCE_ID, START, END, MENTION, ACTOR, ACTOR_TYPE, AFFILIATION, "kind"],
        ).astype({SENTENCE_ID: "int64", START: "int64", END: "int64"})

    def fingerprint(self) -> str:
        """Return a SHA-256 over the actors and aliases (recorded in model cards)."""
        import hashlib

        if self._hash is None:
            h = hashlib.sha256()
            for key in sorted(self._aliases):
                for idx, kind, _ in self._aliases[key]:
                    e = self._entries[idx]
                    h.update(
                        f"{key}\t{kind}\t{e.actor}\t{e.affiliation}\t{e.valid_from}"
                        f"\t{e.valid_to}\n".encode()
                    )
            self._hash = h.hexdigest()
        return self._hash


# -- reading gazetteer files ------------------------------------------------


def _read_table(source, name):
    """Read a CSV or JSON Lines table into a list of dicts of str."""
    if isinstance(source, pd.DataFrame):
        return source.astype(object).where(source.notna(), None).to_dict("records")
    path = os.fspath(source)
    try:
        if path.endswith((".jsonl", ".json")):
            frame = pd.read_json(path, lines=True, dtype=False)
            return frame.astype(object).where(frame.notna(), None).to_dict("records")
        with open(path, encoding="utf-8", newline="") as fh:
            return list(csv.DictReader(fh))
    except FileNotFoundError:
        raise CorpusError(f"no such {name} file.", path=path) from None
    except UnicodeDecodeError as exc:
        raise CorpusError(
            f"not UTF-8 (byte {exc.start}); save the file as UTF-8.", path=path
        ) from None


def _bundled(name: str) -> list[dict]:
    ref = resources.files("stancekit") / "data" / name
    with ref.open("r", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(io.StringIO(fh.read())))


def _country_rows(rows):
    out = []
    leads = {}
    words = {}
    for r in rows:
        code = r["affiliation"].strip()
        name = r["name"].strip()
        demonyms = _split(r.get("demonyms"))
        aliases = list(_split(r.get("aliases")))
        aliases += _split(r.get("capital"))
        aliases += _split(r.get("seats"))
        for n in [name, *_split(r.get("aliases"))]:
            if not n.isupper():
                aliases += [f"{n} government", f"{n}'s government"]
        for d in demonyms:
            aliases += [f"{d} {h}" for h in _GOVERNMENT_HEADS]
            if d.endswith(("sh", "ch", "ese", "ss")):
                aliases.append(f"the {d}")
            elif d.endswith(("an", "i")) and " " not in d:
                aliases.append(f"the {d}s")
            leads[d] = code
        words[code] = [*demonyms, name]
        for n in [name, *_split(r.get("capital")), *_split(r.get("seats"))]:
            if not n.startswith("the "):
                leads[n] = code
        out.append(
            {"actor": name, "actor_type": "country", "affiliation": code, "aliases": aliases}
        )
        possessives = [f"{name}'s"] + [
            f"{a}'s" for a in _split(r.get("aliases")) if not a.isupper() and " " not in a
        ]
        for ministry, heads in (
            (f"Ministry of Defence of {name}", _DEFENCE),
            (f"Ministry of Foreign Affairs of {name}", _FOREIGN),
        ):
            m_aliases = [f"{d} {h}" for d in demonyms for h in heads]
            m_aliases += [f"{p} {h}" for p in possessives for h in heads]
            out.append(
                {
                    "actor": ministry,
                    "actor_type": "organization",
                    "affiliation": code,
                    "aliases": m_aliases,
                }
            )
    return out, leads, words


def _person_rows(rows):
    out = []
    for r in rows:
        out.append(
            {
                "actor": r["actor"].strip(),
                "actor_type": "person",
                "affiliation": r["affiliation"].strip(),
                "aliases": _split(r.get("aliases")),
                "titles": _split(r.get("titles")),
                "valid_from": _parse_date(r.get("valid_from")),
                "valid_to": _parse_date(r.get("valid_to")),
            }
        )
    return out


def _org_rows(rows):
    return [
        {
            "actor": r["actor"].strip(),
            "actor_type": r["actor_type"].strip(),
            "affiliation": r["affiliation"].strip(),
            "aliases": _split(r.get("aliases")),
            "titles": _split(r.get("titles")),
            "valid_from": _parse_date(r.get("valid_from")),
            "valid_to": _parse_date(r.get("valid_to")),
        }
        for r in rows
    ]


def _validate_user_rows(rows, path):
    out = []
    where = path if isinstance(path, (str, os.PathLike)) else None
    if not rows:
        raise CorpusError("the actor file has no rows.", path=where)
    for col in (ACTOR, ACTOR_TYPE, AFFILIATION):
        if col not in rows[0]:
            raise CorpusError(
                f"missing required column {col!r}; an actor file needs columns "
                "actor, actor_type, affiliation and optionally aliases, titles, "
                "valid_from, valid_to.",
                path=where,
            )
    for i, r in enumerate(rows, start=1):
        for col in (ACTOR, ACTOR_TYPE, AFFILIATION):
            if not str(r.get(col) or "").strip():
                raise CorpusError("empty value.", path=where, row=i, column=col)
        if r[ACTOR_TYPE].strip() not in ACTOR_TYPES:
            raise CorpusError(
                f"expected one of {', '.join(ACTOR_TYPES)}; got {r[ACTOR_TYPE]!r}.",
                path=where,
                row=i,
                column=ACTOR_TYPE,
            )
        if not _CODE.match(r[AFFILIATION].strip()):
            raise CorpusError(
                "expected an ISO 3166-1 alpha-2 code or an organisation code such "
                f"as 'NATO' (upper case); got {r[AFFILIATION]!r}.",
                path=where,
                row=i,
                column=AFFILIATION,
            )
        for col in ("valid_from", "valid_to"):
            try:
                _parse_date(r.get(col))
            except ValueError:
                raise CorpusError(
                    f"expected an ISO date; got {r.get(col)!r}.",
                    path=where,
                    row=i,
                    column=col,
                ) from None
        out.append(r)
    return _org_rows(out)


@lru_cache(maxsize=1)
def _default_gazetteer() -> Gazetteer:
    countries, leads, words = _country_rows(_bundled("countries.csv"))
    persons = _person_rows(_bundled("persons.csv"))
    orgs = _org_rows(_bundled("organizations.csv"))
    for r in orgs:
        if r["actor_type"] == "organization":
            for n in [r["actor"], *r["aliases"]]:
                if n[:1].isupper() and len(n) > 2:
                    leads.setdefault(n, r["affiliation"])
    for extra, code in (
        ("Kremlin", "RU"),
        ("Pentagon", "US"),
        ("White House", "US"),
        ("NATO", "NATO"),
        ("Nato", "NATO"),
        ("EU", "EU"),
        ("UN", "UN"),
        ("U.S.", "US"),
        ("US", "US"),
        ("UK", "GB"),
    ):
        leads.setdefault(extra, code)
    return Gazetteer(countries + orgs + persons, lead_words=leads, country_words=words)


def load_gazetteer(actors=None, *, replace=False) -> Gazetteer:
    """Load the bundled gazetteer, optionally extended by a user file.

    Parameters
    ----------
    actors : str, os.PathLike or pandas.DataFrame, default=None
        A CSV or JSON Lines file (or frame) with columns ``actor``,
        ``actor_type``, ``affiliation`` and optionally ``aliases`` and
        ``titles`` (``|``-separated), ``valid_from`` and ``valid_to`` (ISO
        dates). Its actors are added; an actor already in the bundled
        gazetteer is replaced by the user's rows.
    replace : bool, default=False
        Use only the user's file, not the bundled gazetteer.

    Returns
    -------
    Gazetteer

    Raises
    ------
    CorpusError
        When the user file is missing, not UTF-8 or breaks the format; the
        message names the file, row and column.

    Examples
    --------
    >>> gaz = load_gazetteer()
    >>> gaz.lookup("Downing Street")["actor"]
    'United Kingdom'
    """
    if actors is None:
        return _default_gazetteer()
    rows = _validate_user_rows(_read_table(actors, "actor"), actors)
    if replace:
        return Gazetteer(rows)
    base = _default_gazetteer()
    users = {r["actor"] for r in rows}
    kept = []
    for e in base._entries:
        if e.actor in users:
            continue
        slot_aliases = [
            base._display[k]
            for k, slot in base._aliases.items()
            for idx, kind, _ in slot
            if base._entries[idx] is e and kind == "alias"
        ]
        kept.append(
            {
                "actor": e.actor,
                "actor_type": e.actor_type,
                "affiliation": e.affiliation,
                "aliases": slot_aliases,
                "titles": [
                    base._display[k]
                    for k, slot in base._aliases.items()
                    for idx, kind, _ in slot
                    if base._entries[idx] is e and kind == "title"
                ],
                "valid_from": e.valid_from,
                "valid_to": e.valid_to,
            }
        )
    return Gazetteer(kept + rows, lead_words=base._lead_words, country_words=base._country_words)


def find_mentions(text: str, *, date=None, gazetteer: Gazetteer | None = None):
    """Find the actors mentioned in ``text``, one row per mention.

    Parameters
    ----------
    text : str
        Plain text of an article.
    date : str or datetime-like, default=None
        Article date, to pick office holders and affiliations valid then.
    gazetteer : Gazetteer, default=None
        Defaults to the bundled gazetteer.

    Returns
    -------
    pandas.DataFrame
        Columns ``sentence_id``, ``start``, ``end``, ``mention``, ``actor``,
        ``actor_type``, ``affiliation``, ``kind`` (see :class:`ActorMention`).

    Examples
    --------
    >>> find_mentions("The Kremlin rejected the plan.")[["mention", "actor"]]
           mention   actor
    0  The Kremlin  Russia
    """
    gaz = gazetteer or load_gazetteer()
    return gaz.mentions_frame(text, date)


def find_actors(text: str, *, date=None, gazetteer: Gazetteer | None = None):
    """List the distinct actors of ``text`` with how often each is mentioned.

    Returns
    -------
    pandas.DataFrame
        Columns ``actor``, ``actor_type``, ``affiliation``, ``n_mentions`` and
        ``mentions`` (the distinct surface forms, ``|``-separated), in order of
        first mention.

    Examples
    --------
    >>> find_actors("Macron met Starmer. Macron spoke first.")[["actor", "n_mentions"]]
                 actor  n_mentions
    0  Emmanuel Macron           2
    1     Keir Starmer           1
    """
    frame = find_mentions(text, date=date, gazetteer=gazetteer)
    if frame.empty:
        return pd.DataFrame(
            {c: pd.Series(dtype=object) for c in (ACTOR, ACTOR_TYPE, AFFILIATION)}
            | {"n_mentions": pd.Series(dtype="int64"), "mentions": pd.Series(dtype=object)}
        )
    grouped = frame.groupby([ACTOR, ACTOR_TYPE, AFFILIATION], sort=False)
    out = grouped.agg(
        n_mentions=(MENTION, "size"),
        mentions=(MENTION, lambda s: "|".join(dict.fromkeys(s))),
    ).reset_index()
    return out
