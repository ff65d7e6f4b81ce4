from hypothesis import given, settings
from hypothesis import strategies as st

from stancekit import segment_sentences
from stancekit.segment import sentence_spans


def texts(text):
    return [text[s:e] for s, e in sentence_spans(text)]


def test_abbreviations_and_initials_do_not_end_sentences():
    text = (
        "Gen. Mark Milley met Mr. Sikorski in the U.S. capital. "
        "J. D. Vance spoke at 3 p.m. on Friday. The talks ended."
    )
    assert texts(text) == [
        "Gen. Mark Milley met Mr. Sikorski in the U.S. capital.",
        "J. D. Vance spoke at 3 p.m. on Friday.",
        "The talks ended.",
    ]


def test_dotted_abbreviation_ends_sentence_before_an_opener():
    assert texts("Troops came from the U.S. The next day they left.") == [
        "Troops came from the U.S.",
        "The next day they left.",
    ]


def test_quotes_questions_and_headlines():
    text = (
        "Paris presses allies on Ukraine force\n"
        '"We are ready," Macron said. Will Rome join? Nobody knows!'
    )
    assert texts(text) == [
        "Paris presses allies on Ukraine force",
        '"We are ready," Macron said.',
        "Will Rome join?",
        "Nobody knows!",
    ]


def test_paragraph_breaks_end_sentences_even_without_punctuation():
    assert texts("First paragraph without stop\n\nsecond one.") == [
        "First paragraph without stop",
        "second one.",
    ]


def test_hard_wrapped_lines_stay_one_sentence():
    text = "The minister said the\nforce would need a mandate."
    assert texts(text) == ["The minister said the\nforce would need a mandate."]


def test_frame_columns_and_offsets():
    text = "Mr. Tusk said no. Warsaw agreed."
    frame = segment_sentences(text)
    assert list(frame.columns) == ["sentence_id", "start", "end", "sentence"]
    for row in frame.itertuples():
        assert text[row.start : row.end] == row.sentence


def test_empty_and_whitespace_text():
    assert sentence_spans("") == []
    assert sentence_spans(" \n\n\t ") == []


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=400))
def test_offsets_slice_back_and_are_monotone(text):
    spans = sentence_spans(text)
    last = 0
    for s, e in spans:
        assert last <= s < e <= len(text)
        piece = text[s:e]
        assert piece == piece.strip() and piece
        last = e
