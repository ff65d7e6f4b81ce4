import io
import json
import os
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest

import stancekit
from stancekit import _text
from stancekit.cli import main
from stancekit.exceptions import InputTextError, StancekitError
from stancekit.stream import _Output, empty_result, score_batch, score_corpus


def short_articles(n, sentences=4):
    """``n`` articles (headline and first sentences of the bundled ones)."""
    bundled = stancekit.datasets.load_articles()
    rows = []
    for i in range(n):
        art = bundled[i % len(bundled)]
        body = " ".join(s["text"] for s in art["sentences"][:sentences])
        rows.append(
            {
                "doc_id": f"{art['doc_id']}-{i}",
                "text": f"{art['headline']}\n\n{body}",
                "date": art["date"],
            }
        )
    return pd.DataFrame(rows)


def write_jsonl(frame, path):
    frame.to_json(path, orient="records", lines=True, force_ascii=False)
    return str(path)


@pytest.fixture(scope="module")
def articles():
    frame = short_articles(60)
    frame.loc[7, "text"] = "Nothing to see here."  # an article without actors
    return frame


def test_score_batch_is_score_articles(default_model, articles):
    for mentions in (False, True):
        expected = default_model.score_articles(articles, progress=False, mentions=mentions)
        got = score_batch(articles, default_model, mentions=mentions)
        pd.testing.assert_frame_equal(got, expected, check_exact=True)


def test_score_batch_empty_and_bad_articles(default_model, monkeypatch):
    none = pd.DataFrame({"doc_id": ["a", "b"], "text": ["Nothing here.", " "]})
    for mentions in (False, True):
        got = score_batch(none, default_model, mentions=mentions)
        assert got.empty
        pd.testing.assert_series_equal(got.dtypes, empty_result(mentions).dtypes)
    monkeypatch.setattr("stancekit.model.MAX_TEXT_CHARS", 100)
    monkeypatch.setattr(_text, "MAX_TEXT_CHARS", 100)
    frame = pd.DataFrame(
        {
            "doc_id": ["long", "ok", "date"],
            "text": ["Keir Starmer " * 20, "Giorgia Meloni ruled out troops.", "Macron spoke."],
            "date": [None, None, "soon"],
        }
    )
    with pytest.raises(InputTextError, match="'long'.*over the limit"):
        score_batch(frame.iloc[:2], default_model)
    kept = score_batch(frame, default_model, errors="skip")
    assert list(kept["doc_id"].unique()) == ["ok"]
    with pytest.raises(ValueError, match="text_col='body'"):
        score_batch(frame, default_model, text_col="body")


def test_stream_writes_what_one_shot_scoring_prints(default_model, articles, tmp_path, capsys):
    src = write_jsonl(articles, tmp_path / "a.jsonl")
    for fmt, extra in (("csv", []), ("jsonl", ["--mentions"])):
        assert main(["score", src, "--format", fmt, "-q", *extra]) == 0
        printed = capsys.readouterr().out.encode("utf-8")
        out = tmp_path / f"out.{fmt}"
        summary = score_corpus(
            src,
            out,
            default_model,
            mentions=bool(extra),
            chunk_size=7,
            batch_size=3,
            progress=False,
        )
        assert out.read_bytes() == printed
        assert summary["articles"] == 60 and summary["errors"] == 0
        assert summary["chunks"] == 9 and not os.path.exists(f"{out}.progress")


def test_parquet_output_is_a_folder_of_parts(default_model, articles, tmp_path):
    src = write_jsonl(articles, tmp_path / "a.jsonl")
    out = tmp_path / "out.parquet"
    score_corpus(src, out, default_model, chunk_size=25, progress=False)
    assert sorted(os.listdir(out)) == [f"part-00000{i}.parquet" for i in range(3)]
    got = pd.read_parquet(out)
    got["evidence"] = got["evidence"].map(list)
    expected = default_model.score_articles(articles, progress=False)
    pd.testing.assert_frame_equal(got, expected, check_dtype=False, check_exact=True)
    empty = tmp_path / "empty.parquet"
    score_corpus(write_jsonl(articles.iloc[7:8], tmp_path / "e.jsonl"), empty, default_model)
    assert pd.read_parquet(empty).empty


def test_inputs_of_every_kind_give_the_same_rows(default_model, articles, tmp_path):
    frame = articles.iloc[:12]
    frame.to_csv(tmp_path / "a.csv", index=False)
    frame.to_parquet(tmp_path / "a.parquet", index=False)
    write_jsonl(frame, tmp_path / "a.jsonl")
    folder = tmp_path / "txt"
    folder.mkdir()
    for doc, text in zip(frame["doc_id"], frame["text"]):
        (folder / f"{doc}.txt").write_text(text, encoding="utf-8")
    outputs = {}
    for name in ("a.csv", "a.parquet", "a.jsonl"):
        out = tmp_path / f"{name}.out.csv"
        score_corpus(tmp_path / name, out, default_model, chunk_size=5, progress=False)
        outputs[name] = out.read_bytes()
    assert outputs["a.csv"] == outputs["a.parquet"] == outputs["a.jsonl"]
    # .txt files have no date: compare with scoring the same articles without one
    out = tmp_path / "txt.csv"
    score_corpus(folder, out, default_model, chunk_size=5, progress=False)
    by_name = frame.sort_values("doc_id").drop(columns="date")
    expected = default_model.score_articles(by_name, progress=False)
    got = pd.read_csv(out, keep_default_na=False)
    assert list(got["doc_id"]) == list(expected["doc_id"])
    assert list(got["stance"]) == list(expected["stance"])


def test_bad_articles_go_to_the_errors_file(default_model, tmp_path, monkeypatch):
    monkeypatch.setattr(_text, "MAX_TEXT_CHARS", 1000)
    good = "Giorgia Meloni ruled out sending Italian troops."
    lines = [
        json.dumps({"doc_id": "g1", "text": good}),
        json.dumps({"doc_id": "empty", "text": ""}),
        json.dumps({"doc_id": "blank", "text": " \n\t "}),
        json.dumps({"doc_id": "huge", "text": "Keir Starmer said so. " * 100}),
        json.dumps({"doc_id": "number", "text": 42}),
        json.dumps({"doc_id": "when", "text": good, "date": "last week"}),
        json.dumps({"doc_id": "none", "text": None}),
        '{"doc_id": "broken", "text": ',
        json.dumps({"doc_id": "notext"}),
        json.dumps({"doc_id": "g2", "text": "Emmanuel Macron backs a reassurance force."}),
    ]
    src = tmp_path / "a.jsonl"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    raw = src.read_bytes().replace(b"backs a", b"backs \xff a")  # not UTF-8
    (tmp_path / "b.jsonl").write_bytes(raw)
    out = tmp_path / "out.csv"
    summary = score_corpus(tmp_path / "b.jsonl", out, default_model, chunk_size=4)
    errors = pd.read_csv(f"{out}.errors.csv", keep_default_na=False)
    reasons = dict(zip(errors["doc_id"], errors["reason"]))
    assert list(errors["doc_id"]) == [
        "empty",
        "blank",
        "huge",
        "number",
        "when",
        "none",
        "b:8",
        "notext",
        "g2",
    ]
    assert reasons["empty"] == reasons["blank"] == "empty text"
    assert "2,200 characters is over the limit of 1,000" in reasons["huge"]
    assert "not a string" in reasons["number"] and reasons["none"] == "no text"
    assert "date" in reasons["when"] and "last week" in reasons["when"]
    assert reasons["b:8"].startswith("line 8: not valid JSON")
    assert reasons["notext"] == "line 9: no field 'text'"
    assert "not valid UTF-8" in reasons["g2"]
    assert set(pd.read_csv(out)["doc_id"]) == {"g1"}
    assert summary["errors"] == 9 and summary["articles"] == 10

    folder = tmp_path / "txt"
    folder.mkdir()
    (folder / "ok.txt").write_text(good, encoding="utf-8")
    (folder / "latin.txt").write_bytes("Fran\xe7ois Bayrou said no.".encode("latin-1"))
    (folder / "empty.txt").write_bytes(b"")
    out = tmp_path / "txt.jsonl"
    main(["score", str(folder), "-o", str(out), "--errors", str(tmp_path / "e.csv"), "-q"])
    errors = pd.read_csv(tmp_path / "e.csv")
    assert list(errors["doc_id"]) == ["empty", "latin"]
    assert errors["reason"].tolist() == ["empty text", "not valid UTF-8 at byte 4"]
    assert {json.loads(line)["doc_id"] for line in out.read_text().splitlines()} == {"ok"}


def test_existing_output_needs_resume_or_force(default_model, articles, tmp_path, capsys):
    src = write_jsonl(articles.iloc[:3], tmp_path / "a.jsonl")
    out = tmp_path / "out.csv"
    out.write_text("precious\n")
    code = main(["score", src, "-o", str(out), "-q"])
    err = capsys.readouterr().err
    assert code == 2 and "exists; add --resume" in err and err.count("\n") == 1
    assert out.read_text() == "precious\n"
    code = main(["score", src, "-o", str(out), "-q", "--resume"])
    assert code == 2 and "nothing to resume" in capsys.readouterr().err
    assert main(["score", src, "-o", str(out), "-q", "--force"]) == 0
    assert "Giorgia" in out.read_text() or len(pd.read_csv(out)) > 0
    code = main(["score", src, "--resume", "-q"])
    assert code == 2 and "--resume needs --output" in capsys.readouterr().err


class Interrupt:
    """Patch _Output.commit to stop the run (as Ctrl-C would) after some chunks."""

    def __init__(self, monkeypatch, after):
        self.left = after
        original = _Output.commit

        def commit(out, *args):
            if self.left == 0:
                raise KeyboardInterrupt
            self.left -= 1
            original(out, *args)

        monkeypatch.setattr(_Output, "commit", commit)


@pytest.mark.parametrize("suffix", ["csv", "jsonl", "parquet"])
def test_interrupted_run_resumes_to_the_same_rows(
    default_model, articles, tmp_path, monkeypatch, suffix
):
    src = write_jsonl(articles, tmp_path / "a.jsonl")
    full = tmp_path / f"full.{suffix}"
    score_corpus(src, full, default_model, chunk_size=8, mentions=True)
    out = tmp_path / f"out.{suffix}"
    with monkeypatch.context() as patch:
        Interrupt(patch, after=3)
        with pytest.raises(KeyboardInterrupt):
            score_corpus(src, out, default_model, chunk_size=8, mentions=True)
    state = json.loads(open(f"{out}.progress").read())
    assert state["chunks"] == 3 and state["articles"] == 24
    partial = pd.read_parquet(out) if suffix == "parquet" else None
    if suffix == "parquet":
        assert len(partial) == state["rows"]
        (out / "part-000003.parquet").write_bytes(b"half a part")  # beyond the progress file
        (out / ".part-000004.parquet.tmp-1").write_bytes(b"PAR1")
    else:
        assert full.read_bytes().startswith(out.read_bytes())
        with open(out, "ab") as fh:
            fh.write(b'"a torn last ro')  # as a power cut could leave
    summary = score_corpus(src, out, default_model, chunk_size=8, mentions=True, resume=True)
    assert summary["resumed"] == 24 and summary["articles"] == 60
    if suffix == "parquet":
        pd.testing.assert_frame_equal(pd.read_parquet(out), pd.read_parquet(full))
        assert all(name.startswith("part-") for name in os.listdir(out))
    else:
        assert out.read_bytes() == full.read_bytes()
    assert not os.path.exists(f"{out}.progress")


def test_ctrl_c_during_a_commit_waits_for_it(default_model, articles, tmp_path, monkeypatch):
    import stancekit.stream as stream

    src = write_jsonl(articles, tmp_path / "a.jsonl")
    out = tmp_path / "out.jsonl"
    appended = []
    original = stream._append

    def append(path, data):
        if path == str(out) and len(appended) == 2:
            os.kill(os.getpid(), signal.SIGINT)  # arrives in the middle of chunk 3
        appended.append(path)
        return original(path, data)

    monkeypatch.setattr(stream, "_append", append)
    # Ctrl-C as in a user's process, whatever handler earlier tests left behind.
    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with pytest.raises(KeyboardInterrupt):
            score_corpus(src, out, default_model, chunk_size=10)
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    finally:
        signal.signal(signal.SIGINT, before)
    state = json.loads(open(f"{out}.progress").read())
    assert state["chunks"] == 3 and os.path.getsize(out) == state["output_bytes"]
    lines = out.read_text().splitlines()
    assert len(lines) == state["rows"] and all(json.loads(line) for line in lines)


def test_cli_reports_an_interrupted_run(default_model, articles, tmp_path, monkeypatch, capsys):
    src = write_jsonl(articles, tmp_path / "a.jsonl")
    out = tmp_path / "out.csv"
    Interrupt(monkeypatch, after=1)
    assert main(["score", src, "-o", str(out), "--chunk-size", "10", "-q"]) == 130
    err = capsys.readouterr().err
    assert "holds every completed chunk" in err and "--resume" in err
    monkeypatch.undo()
    assert main(["score", src, "-o", str(out), "--chunk-size", "10", "--resume"]) == 0
    assert "60 articles" in capsys.readouterr().err
    assert len(pd.read_csv(out)) == len(default_model.score_articles(articles, progress=False))


def test_resume_checks_input_and_settings(default_model, articles, tmp_path, monkeypatch):
    src = write_jsonl(articles, tmp_path / "a.jsonl")
    out = tmp_path / "out.csv"
    with monkeypatch.context() as patch:
        Interrupt(patch, after=2)
        with pytest.raises(KeyboardInterrupt):
            score_corpus(src, out, default_model, chunk_size=10)
    write_jsonl(articles.iloc[::-1], tmp_path / "a.jsonl")
    with pytest.raises(StancekitError, match="not the ones the interrupted run scored"):
        score_corpus(src, out, default_model, chunk_size=10, resume=True)
    write_jsonl(articles, tmp_path / "a.jsonl")
    with pytest.raises(StancekitError, match="mentions=False, this one True"):
        score_corpus(src, out, default_model, chunk_size=10, resume=True, mentions=True)
    # a different chunk size is fine: articles, not chunks, are skipped
    score_corpus(src, out, default_model, chunk_size=7, resume=True)
    full = tmp_path / "full.csv"
    score_corpus(src, full, default_model)
    assert out.read_bytes() == full.read_bytes()


def test_worker_processes_give_the_same_rows(default_model, articles, tmp_path):
    src = write_jsonl(articles, tmp_path / "a.jsonl")
    one, two = tmp_path / "one.csv", tmp_path / "two.csv"
    score_corpus(src, one, default_model, chunk_size=10, batch_size=4)
    summary = score_corpus(src, two, default_model, chunk_size=10, batch_size=4, n_jobs=2)
    assert summary["rows"] > 0 and two.read_bytes() == one.read_bytes()


def test_progress_bar_only_when_asked(default_model, articles, tmp_path, capsys):
    src = write_jsonl(articles.iloc[:5], tmp_path / "a.jsonl")
    score_corpus(src, tmp_path / "quiet.csv", default_model)  # stderr is not a terminal
    assert capsys.readouterr().err == ""
    score_corpus(src, tmp_path / "shown.csv", default_model, progress=True)
    err = capsys.readouterr().err
    assert "5/5" in err and "articles/s" in err


BLOCK_DASK = """
import sys


class NoDask:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("dask", "distributed"):
            raise ModuleNotFoundError(f"No module named {name!r}")


sys.meta_path.insert(0, NoDask())
"""


def test_core_works_without_dask(tmp_path):
    # With dask installed, skops' trusted-type discovery (scikit-learn's
    # all_estimators) imports it while loading a model; stancekit itself must
    # neither import nor need it, so score with dask made unimportable.
    src = tmp_path / "a.jsonl"
    src.write_text('{"doc_id": "a", "text": "Giorgia Meloni ruled out troops."}\n')
    code = BLOCK_DASK + (
        "import stancekit, stancekit.stream, stancekit.dask\n"
        "assert not any(m.split('.')[0] == 'dask' for m in sys.modules)\n"
        "print(stancekit.score_article('Giorgia Meloni ruled out troops.')['stance'][0])\n"
        f"stancekit.stream.score_corpus({str(src)!r}, {str(tmp_path / 'o.csv')!r})\n"
        "try:\n"
        "    stancekit.dask.score_dataframe(None)\n"
        "except ImportError as exc:\n"
        "    print(exc)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    stance, message = proc.stdout.splitlines()
    assert stance == "against" and "pip install 'stancekit[dask]'" in message
    assert "Giorgia Meloni" in (tmp_path / "o.csv").read_text()


def _run_cli(*args):
    return [sys.executable, "-m", "stancekit", "score", *map(str, args)]


@pytest.mark.slow
def test_killed_command_leaves_complete_chunks_and_resumes(default_model, tmp_path):
    frame = short_articles(150, sentences=3)
    src = write_jsonl(frame, tmp_path / "a.jsonl")
    full = tmp_path / "full.csv"
    score_corpus(src, full, default_model, chunk_size=5)
    out = tmp_path / "out.csv"
    progress = tmp_path / "out.csv.progress"
    proc = subprocess.Popen(
        _run_cli(src, "-o", out, "--chunk-size", 5, "-q"),
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if progress.exists() and json.loads(progress.read_text())["chunks"] >= 2:
            break
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    state = json.loads(progress.read_text())
    written = out.read_bytes()
    # only complete chunks: a prefix of the uninterrupted output, ending on a row
    assert full.read_bytes().startswith(written) and len(written) >= state["output_bytes"]
    partial = pd.read_csv(io.BytesIO(written))
    assert 0 < len(partial) < len(pd.read_csv(full))
    resumed = subprocess.run(
        _run_cli(src, "-o", out, "--chunk-size", 5, "--resume"),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert resumed.returncode == 0, resumed.stderr
    assert "150 articles" in resumed.stderr
    assert out.read_bytes() == full.read_bytes()
    assert not progress.exists()
