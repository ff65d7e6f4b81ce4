import pandas as pd
import pytest

from stancekit import CorpusError, load_corpus

GOOD = [
    {
        "text": "Paris backs a reassurance force.",
        "actor": "France",
        "stance": "favor",
        "doc_id": "a1",
        "date": "2025-03-01",
    },
    {
        "text": "Moscow rejects any such force.",
        "actor": "Russia",
        "stance": "against",
        "doc_id": "a1",
        "date": "2025-03-01",
    },
    {
        "text": "Rome hosted the talks.",
        "actor": "Italy",
        "stance": "neutral",
        "doc_id": "a2",
        "date": "2025-03-02",
    },
]


def write(tmp_path, rows, name="c.csv"):
    path = tmp_path / name
    frame = pd.DataFrame(rows)
    if name.endswith(".csv"):
        frame.to_csv(path, index=False)
    elif name.endswith(".jsonl"):
        frame.to_json(path, orient="records", lines=True)
    else:
        frame.to_parquet(path)
    return path


@pytest.mark.parametrize("name", ["c.csv", "c.jsonl", "c.parquet"])
def test_reads_every_format_with_documented_columns(tmp_path, name):
    frame = load_corpus(write(tmp_path, GOOD, name))
    assert list(frame.columns) == ["text", "actor", "stance", "doc_id", "date", "target"]
    assert list(frame["stance"]) == ["favor", "against", "neutral"]
    assert set(frame["target"]) == {"troop_deployment"}
    assert frame["text"].map(type).eq(str).all()


def test_missing_required_column(tmp_path):
    path = write(tmp_path, [{"text": "x", "actor": "France"}])
    with pytest.raises(CorpusError, match=r"c.csv.*column 'stance'.*missing required"):
        load_corpus(path)


def test_unknown_label_names_row_and_suggests(tmp_path):
    rows = [dict(r) for r in GOOD]
    rows[1]["stance"] = "pro"
    with pytest.raises(CorpusError, match=r"row 2, column 'stance'.*'pro'.*'favor'"):
        load_corpus(write(tmp_path, rows))
    rows[1]["stance"] = "agaisnt"
    with pytest.raises(CorpusError, match=r"did you mean 'against'"):
        load_corpus(write(tmp_path, rows))


def test_labels_are_normalised_with_a_warning(tmp_path):
    rows = [dict(r) for r in GOOD]
    rows[0]["stance"] = "FAVOR"
    rows[2]["stance"] = "Neutral "
    with pytest.warns(UserWarning, match="normalised 2 stance label"):
        frame = load_corpus(write(tmp_path, rows))
    assert list(frame["stance"]) == ["favor", "against", "neutral"]
    assert len(frame) == 3  # nothing dropped


def test_empty_text(tmp_path):
    rows = [dict(r) for r in GOOD]
    rows[2]["text"] = "   "
    with pytest.raises(CorpusError, match=r"row 3, column 'text'.*empty text"):
        load_corpus(write(tmp_path, rows))


def test_actor_missing_from_sentence_and_gazetteer(tmp_path):
    rows = [dict(r) for r in GOOD]
    rows[0]["actor"] = "Atlantis Party"
    with pytest.raises(CorpusError, match=r"row 1, column 'actor'.*Atlantis Party"):
        load_corpus(write(tmp_path, rows))
    rows[0]["text"] = "The Atlantis Party backs a reassurance force."
    assert len(load_corpus(write(tmp_path, rows))) == 3


def test_duplicate_and_conflicting_rows(tmp_path):
    rows = [dict(r) for r in GOOD] + [dict(GOOD[0])]
    with pytest.raises(CorpusError, match=r"row 4.*duplicate of row 1"):
        load_corpus(write(tmp_path, rows))
    rows[-1]["stance"] = "against"
    with pytest.raises(CorpusError, match=r"row 4.*conflicts with row 1"):
        load_corpus(write(tmp_path, rows))


def test_doc_id_with_two_dates(tmp_path):
    rows = [dict(r) for r in GOOD]
    rows[1]["date"] = "2025-04-01"
    with pytest.raises(CorpusError, match=r"row 2, column 'date'.*'a1'"):
        load_corpus(write(tmp_path, rows))


def test_bad_encoding_names_the_byte(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes("text,actor,stance\nBerlin d\xe9cline,Germany,against\n".encode("latin-1"))
    with pytest.raises(CorpusError, match=r"latin.csv: not valid UTF-8 at byte 26 \(line 2\)"):
        load_corpus(path)


def test_empty_and_header_only_files(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(CorpusError, match=r"empty.csv: the corpus file is empty"):
        load_corpus(empty)
    header = tmp_path / "header.csv"
    header.write_text("text,actor,stance\n")
    with pytest.raises(CorpusError, match=r"header but no rows"):
        load_corpus(header)


def test_malformed_csv_and_unknown_suffix(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "x", "stance": \n')
    with pytest.raises(CorpusError, match=r"bad.jsonl: cannot be parsed"):
        load_corpus(bad)
    odd = tmp_path / "c.xlsx"
    odd.write_text("x")
    with pytest.raises(CorpusError, match=r"unknown file type '.xlsx'"):
        load_corpus(odd)


def test_missing_file(tmp_path):
    with pytest.raises(CorpusError, match=r"nope.csv: no such corpus file"):
        load_corpus(tmp_path / "nope.csv")


def test_author_stance_corpus_without_actor_column(tmp_path):
    frame = load_corpus(
        write(
            tmp_path,
            [
                {"text": "Send the troops now.", "stance": "favor", "target": "troops"},
                {"text": "Never.", "stance": "against", "target": "troops"},
            ],
        )
    )
    assert "actor" not in frame.columns and len(frame) == 2


def _many(n, start=0):
    """n distinct valid rows (three per article), as a user's large file would hold."""
    return [
        {
            "text": f"Paris backs a reassurance force, officials said in briefing {i}.",
            "actor": "France",
            "stance": ("favor", "against", "neutral")[i % 3],
            "doc_id": f"d{i // 3}",
            "date": "2025-03-01",
        }
        for i in range(start, start + n)
    ]


@pytest.mark.parametrize("name", ["c.csv", "c.jsonl", "c.parquet"])
def test_streamed_validation_counts_every_chunk(tmp_path, name):
    from stancekit.corpus import validate_file

    report = validate_file(write(tmp_path, _many(1000), name), chunksize=64)
    assert report["rows"] == 1000
    assert report["labels"] == {"favor": 334, "against": 333, "neutral": 333}
    assert report["articles"] == 334


@pytest.mark.parametrize(
    ("change", "message", "column"),
    [
        ({"stance": "maybe"}, "got 'maybe'", "stance"),
        ({"text": " "}, "empty text", "text"),
        ({"text": _many(1)[0]["text"], "doc_id": "d0"}, "duplicate of row 1", "actor"),
        ({"doc_id": "d0", "date": "2025-04-01"}, "doc_id 'd0' has date", "date"),
    ],
)
def test_streamed_validation_names_the_row_of_the_whole_file(tmp_path, change, message, column):
    from stancekit.corpus import validate_file

    rows = _many(700)
    rows[612] = {**rows[612], **change}
    with pytest.raises(CorpusError, match=message) as err:
        validate_file(write(tmp_path, rows), chunksize=100)
    assert (err.value.row, err.value.column) == (613, column)
    assert str(err.value).startswith(f"c.csv, row 613, column '{column}'")


def test_bad_byte_deep_in_a_large_file(tmp_path):
    from stancekit.corpus import validate_file

    path = write(tmp_path, _many(30_000))
    data = path.read_bytes()
    at = len(data) - 500
    path.write_bytes(data[:at] + b"\xe9" + data[at + 1 :])
    line = data.count(b"\n", 0, at) + 1
    with pytest.raises(CorpusError, match=rf"not valid UTF-8 at byte {at} \(line {line}\)"):
        validate_file(path)


@pytest.mark.slow
def test_streamed_validation_memory_does_not_grow_with_the_file(tmp_path):
    import json
    import subprocess
    import sys

    script = (
        "import json, re, sys\n"
        "from stancekit.corpus import validate_file\n"
        "from stancekit.actors import load_gazetteer\n"
        "load_gazetteer()\n"
        "def kb(key):\n"
        "    return int(re.search(key + r':\\s+(\\d+)', open('/proc/self/status').read())[1])\n"
        "base = kb('VmRSS')\n"
        "report = validate_file(sys.argv[1], chunksize=20_000)\n"
        "peak = kb('VmHWM')\n"
        "print(json.dumps({'rows': report['rows'], 'grew_mb': (peak - base) / 1024}))\n"
    )
    grew = {}
    for n in (50_000, 250_000):
        path = tmp_path / f"big{n}.csv"
        pd.DataFrame(_many(n)).to_csv(path, index=False)
        out = subprocess.run(
            [sys.executable, "-c", script, str(path)], capture_output=True, text=True, check=True
        )
        result = json.loads(out.stdout)
        assert result["rows"] == n
        grew[n] = result["grew_mb"]
        size_mb = path.stat().st_size / 2**20
    # Five times the rows: memory grows by the per-row hashes only, far less than
    # the file (which pandas would hold several times over if read at once).
    assert grew[250_000] - grew[50_000] < 0.5 * size_mb
