import io
import json
import os
import subprocess
import sys

import pandas as pd

from stancekit.cli import main

from .conftest import EXAMPLES

EXAMPLE = os.path.join(EXAMPLES, "reassurance_force.txt")


def run(argv, capsys):
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_score_table(capsys):
    code, out, err = run(["score", EXAMPLE, "-q"], capsys)
    assert code == 0
    assert "Keir Starmer" in out and "favor" in out and "against" in out


def test_score_csv_jsonl_and_mentions(capsys, tmp_path):
    code, out, _ = run(["score", EXAMPLE, "--format", "csv", "-q"], capsys)
    table = pd.read_csv(io.StringIO(out))
    assert code == 0 and {"actor", "stance", "confidence", "evidence"} <= set(table.columns)
    code, out, _ = run(["score", EXAMPLE, "--format", "jsonl", "--mentions", "-q"], capsys)
    rows = [json.loads(line) for line in out.splitlines() if line.strip()]
    assert rows and {"sentence_id", "mention", "p_favor"} <= set(rows[0])


def test_score_table_files_and_output(capsys, tmp_path):
    src = tmp_path / "articles.jsonl"
    pd.DataFrame({"id": ["x", "y"], "body": [open(EXAMPLE).read(), "Nothing here."]}).to_json(
        src, orient="records", lines=True
    )
    out = tmp_path / "scores.csv"
    code, _, _ = run(
        ["score", str(src), "--text-col", "body", "--id-col", "id", "-o", str(out), "-q"], capsys
    )
    assert code == 0
    assert set(pd.read_csv(out)["doc_id"]) == {"x"}


def test_csv_export_escapes_formulas(capsys, tmp_path):
    src = tmp_path / "a.txt"
    src.write_text('=HYPERLINK("x") Keir Starmer said Britain would send troops.')
    code, out, _ = run(["score", str(src), "--format", "csv", "--mentions", "-q"], capsys)
    assert code == 0
    assert "'=HYPERLINK" in out


def test_user_errors_are_one_line(capsys, tmp_path):
    code, out, err = run(["score", str(tmp_path / "missing.txt")], capsys)
    assert code == 2 and err.count("\n") == 1 and "no such file" in err
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"Paris \xff said")
    code, _, err = run(["score", str(bad)], capsys)
    assert code == 2 and "not valid UTF-8" in err
    code, _, err = run(["score", EXAMPLE, "--model", str(tmp_path)], capsys)
    assert code == 2 and "model_card.json" in err
    code, _, err = run(["evaluate", str(tmp_path / "x.csv")], capsys)
    assert code == 2 and "no such corpus file" in err


def test_train_and_evaluate(capsys, tmp_path, small_corpus):
    corpus = tmp_path / "c.csv"
    small_corpus.head(500).to_csv(corpus, index=False)
    out = tmp_path / "model"
    code, text, _ = run(
        ["train", str(corpus), "-o", str(out), "--classifier", "nb", "--cv", "2"], capsys
    )
    assert code == 0 and "macro-F1" in text and (out / "model.skops").exists()
    code, _, err = run(["train", str(corpus), "-o", str(out), "--classifier", "nb"], capsys)
    assert code == 2 and "--force" in err
    code, text, _ = run(["evaluate", str(corpus), "--model", str(out)], capsys)
    assert code == 0 and "macro-F1" in text and "articles x actors" in text


def test_actors_command(capsys):
    code, out, _ = run(["actors", EXAMPLE], capsys)
    assert code == 0 and "Dmitry Peskov" in out and "RU" in out


def test_console_script_runs_installed():
    exe = os.path.join(os.path.dirname(sys.executable), "stancekit")
    proc = subprocess.run(
        [exe, "score", "-", "--format", "csv", "-q"],
        input="Giorgia Meloni ruled out sending Italian troops.",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    table = pd.read_csv(io.StringIO(proc.stdout))
    assert table.set_index("actor").loc["Giorgia Meloni", "stance"] == "against"


def test_validate_command(capsys, tmp_path, small_corpus):
    path = tmp_path / "c.csv"
    small_corpus.to_csv(path, index=False)
    assert main(["validate", str(path), "--chunksize", "500"]) == 0
    out = capsys.readouterr().out
    assert f"valid, {len(small_corpus)} rows" in out
    frame = small_corpus.copy()
    frame.loc[1234, "stance"] = "pro-war"
    frame.to_csv(path, index=False)
    assert main(["validate", str(path), "--chunksize", "500"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0
    assert "c.csv, row 1235, column 'stance'" in err
