"""Odd, broken and hostile input: scoring gives a sensible result or a clear error."""

import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import stancekit
from stancekit import InputTextError
from stancekit._text import clean_text

from .test_model import ACTOR_COLUMNS

ARTICLE_COLUMNS = ACTOR_COLUMNS
PROBA = ["p_favor", "p_against", "p_neutral"]
NEWS = (
    "Emmanuel Macron said France was ready to send troops to Ukraine after a ceasefire. "
    "The Kremlin rejected any European deployment, and Giorgia Meloni ruled out Italian "
    "soldiers. "
)

# Pieces that hypothesis mixes with arbitrary Unicode: actor names, punctuation that
# ends or does not end sentences, quotes, HTML fragments, control characters.
PIECES = st.sampled_from(
    [
        "Macron",
        "Keir Starmer",
        "the Kremlin",
        "Poland's",
        "NATO",
        "Kyiv",
        "the chancellor",
        "he said",
        "troops",
        "peacekeepers",
        "ruled out",
        "backs",
        ". ",
        "? ",
        "\n\n",
        '"',
        "U.S.",
        "Mr.",
        "<p>",
        "</p>",
        "&amp;",
        "\x00",
        "\u200b",
        "🇺🇦",
        "-",
        " ",
    ]
)
TEXT = st.lists(st.one_of(PIECES, st.text(max_size=12)), max_size=40).map("".join)


def _check_mentions(text, frame):
    cleaned = clean_text(text)
    assert list(frame.columns[: len(stancekit.model.MENTION_COLUMNS)]) == (
        stancekit.model.MENTION_COLUMNS
    )
    assert frame["start"].dtype == np.int64 and frame["end"].dtype == np.int64
    for row in frame.itertuples():
        assert cleaned[row.start : row.end] == row.sentence
        assert row.mention and row.mention.casefold() in row.sentence.casefold()
    if len(frame):
        np.testing.assert_allclose(frame[PROBA].sum(axis=1), 1.0, atol=1e-9)
        assert set(frame["stance"]) <= {"favor", "against", "neutral"}


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(TEXT)
def test_fuzzed_text_scores_with_documented_columns(default_model, text):
    _check_mentions(text, default_model.score_mentions(text))
    table = default_model.score_article(text)
    assert list(table.columns) == ARTICLE_COLUMNS
    if len(table):
        np.testing.assert_allclose(table[PROBA].sum(axis=1), 1.0, atol=1e-9)
        assert table["n_mentions"].min() >= 1


@pytest.mark.parametrize("text", ["", " ", "\n\n\t  \n", "\x00\x00"])
def test_empty_text_gives_an_empty_table(default_model, text):
    assert default_model.score_article(text).empty
    assert list(default_model.score_article(text).columns) == ARTICLE_COLUMNS


def test_text_without_actors(default_model):
    text = "It rained all week in the valley, and the harvest was late. " * 20
    assert default_model.score_article(text).empty


def test_html_page(default_model):
    page = (
        "<!doctype html><html><head><title>News</title><style>p{color:red}</style>"
        "<script>var s = 'Macron backs troops';</script></head><body><nav>Home | World</nav>"
        "<p>Emmanuel Macron said France &amp; Britain would lead a force &#8220;after a "
        "ceasefire&#8221;.</p><p>The Kremlin called it unacceptable.</p></body></html>"
    )
    mentions = default_model.score_mentions(page)
    assert set(mentions["actor"]) >= {"Emmanuel Macron", "Russia"}
    assert not mentions["sentence"].str.contains("<|var s|color:", regex=True).any()
    assert mentions["sentence"].str.contains("France & Britain", regex=False).any()
    assert mentions["sentence"].str.contains("\u201cafter a ceasefire\u201d", regex=False).any()


def test_latin1_and_invalid_utf8_bytes(default_model):
    latin1 = "Le président Macron a parlé à Kyiv.".encode("latin-1")
    with pytest.raises(InputTextError, match=r"not valid UTF-8 at byte \d+.*latin-1"):
        default_model.score_article(latin1)
    with pytest.raises(InputTextError, match="article 'x1'"):
        default_model.score_article(b"Macron \xff\xfe said", doc_id="x1")
    # Valid UTF-8 bytes are read as text.
    assert "Emmanuel Macron" in set(default_model.score_article(NEWS.encode())["actor"])


def test_nul_bytes_mixed_scripts_and_emoji(default_model):
    text = (
        "🇫🇷 Emmanuel\x00Macron 🙂 said France\x00was ready to send troops. Путин отказался. 马克龙"
    )
    mentions = default_model.score_mentions(text)
    _check_mentions(text, mentions)
    assert "France" in set(mentions["actor"])


def test_aliases_inside_other_words_do_not_match(default_model):
    text = "Frances Smith, a Ukrainian-born writer, praised the Natoism exhibit in Parisian style."
    assert default_model.score_article(text).empty


def test_a_200_kb_sentence(default_model):
    sentence = ("Macron and Meloni discussed troops for Ukraine with Tusk and " * 4000)[:200_000]
    mentions = default_model.score_mentions(sentence)
    _check_mentions(sentence, mentions)
    assert {"Emmanuel Macron", "Giorgia Meloni", "Donald Tusk"} <= set(mentions["actor"])


def test_a_10_mb_article_in_bounded_memory(tmp_path):
    # News paragraphs spread through 10 MB of filler, scored in a fresh process
    # whose peak memory is then read back.
    script = textwrap.dedent(
        f"""
        import json, re, stancekit
        news = {NEWS!r}
        filler = "The committee discussed the budget, the roads and the schools. " * 1600
        text = (news + "\\n\\n" + filler + "\\n\\n") * 100
        assert len(text) > 10_000_000
        table = stancekit.load_model().score_article(text)
        print(json.dumps({{
            "actors": sorted(table["actor"]),
            "mentions": int(table["n_mentions"].sum()),
            "rss_mb": int(re.search(r"VmHWM:\\s+(\\d+)", open("/proc/self/status").read())[1])
            / 1024,
        }}))
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=600, check=True
    )
    result = json.loads(out.stdout)
    assert result["actors"] == ["Emmanuel Macron", "France", "Giorgia Meloni", "Russia"]
    assert result["mentions"] == 400
    assert result["rss_mb"] < 1000


def test_over_the_limit_is_a_clear_error(default_model, monkeypatch):
    monkeypatch.setattr(stancekit.model, "MAX_TEXT_CHARS", 1000)
    with pytest.raises(InputTextError, match=r"1,001 characters is over the limit of 1,000"):
        default_model.score_article("x" * 1001)


@pytest.mark.parametrize("bad", [None, 42, ["Macron"], {"text": "Macron"}])
def test_wrong_types_are_named(default_model, bad):
    with pytest.raises(InputTextError, match=f"expected str; got {type(bad).__name__}"):
        default_model.score_article(bad)


def test_score_articles_keeps_going_over_odd_rows(default_model):
    frame = pd.DataFrame(
        {"doc_id": ["a", "b", "c"], "text": [NEWS, "", "<p>Keir Starmer backs a force.</p>"]}
    )
    table = default_model.score_articles(frame, progress=False)
    assert set(table["doc_id"]) == {"a", "c"}


def test_locale_independent(tmp_path):
    env = {**os.environ, "LC_ALL": "C", "LANG": "C", "PYTHONIOENCODING": "ascii:replace"}
    script = f"import stancekit; t = stancekit.score_article({NEWS!r}); print(sorted(t['actor']))"
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True
    )
    assert "Emmanuel Macron" in out.stdout
