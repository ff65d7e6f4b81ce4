import os
import re
import shutil
import subprocess

import matplotlib
import numpy as np
import pandas as pd
import pytest

from stancekit.cli import main
from stancekit.report import actor_summary, read_scores, render_report, write_report

from .conftest import EXAMPLES

matplotlib.use("Agg")

CORPUS = os.path.join(EXAMPLES, "troops_news_2024_2026.jsonl")
EXAMPLE = os.path.join(EXAMPLES, "reassurance_force.txt")


@pytest.fixture(scope="module")
def corpus_report(default_model, tmp_path_factory):
    path = tmp_path_factory.mktemp("report") / "report.html"
    write_report(CORPUS, path, model=default_model)
    return path


def _srcs(page: str) -> list[str]:
    return re.findall(r'(?:src|href)="([^"]*)"', page)


def test_dated_corpus_is_original_and_well_formed():
    frame = pd.read_json(CORPUS, lines=True, dtype=False)
    assert list(frame.columns) == ["doc_id", "date", "headline", "text"]
    assert 24 <= len(frame) <= 30 and frame["doc_id"].is_unique
    dates = pd.to_datetime(frame["date"], format="%Y-%m-%d")
    assert dates.min() >= pd.Timestamp("2024-01-01")
    assert dates.max() <= pd.Timestamp("2026-10-31")
    assert dates.is_monotonic_increasing


def test_report_of_articles_is_self_contained(corpus_report):
    page = corpus_report.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert '<table id="actor-table">' in page
    for chart in ("chart-actors", "chart-time", "chart-network"):
        assert f'<figure id="{chart}"><img src="data:image/png;base64,' in page
    # Nothing is loaded from outside the file, and the page forbids it.
    assert all(s.startswith(("data:", "#")) for s in _srcs(page))
    assert "default-src 'none'" in page
    assert not re.search(r"https?://(?!graphml)", page)
    assert "<mark>Keir Starmer</mark>" in page and "<mark>The Kremlin</mark>" in page
    # No temporary file is left beside the report.
    assert os.listdir(corpus_report.parent) == ["report.html"]


def test_report_escapes_text_and_highlights_the_actor():
    scores = pd.DataFrame(
        {
            "doc_id": ["x<1>", "x<1>"],
            "actor": ["<script>alert(1)</script>", "France"],
            "actor_type": ["group", "country"],
            "affiliation": ["ZZ", "FR"],
            "stance": ["against", "favor"],
            "confidence": [0.8, 0.9],
            "evidence": [["Bad <b>bold</b> & co"], ["Paris said France & <i>allies</i> back it."]],
        }
    )
    page = render_report(scores, title="T & <T>")
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Bad &lt;b&gt;bold&lt;/b&gt; &amp; co" in page
    assert "<title>T &amp; &lt;T&gt;</title>" in page
    assert "<mark>France</mark> &amp; &lt;i&gt;allies&lt;/i&gt;" in page


def test_report_from_a_scores_file_written_by_score(capsys, tmp_path):
    assert main(["score", EXAMPLE, "--format", "csv", "-q"]) == 0
    scores_csv = tmp_path / "scores.csv"
    scores_csv.write_text(capsys.readouterr().out, encoding="utf-8")
    scores = read_scores(scores_csv)
    assert all(isinstance(e, list) for e in scores["evidence"])
    assert max(len(e) for e in scores["evidence"]) >= 2  # " || " joins were split
    out = tmp_path / "report.html"
    assert main(["report", str(scores_csv), "-o", str(out), "-q"]) == 0
    page = out.read_text(encoding="utf-8")
    assert "Scores from scores.csv" in page
    assert "<mark>Giorgia Meloni</mark>" in page
    assert page.count("<tr>") == len(actor_summary(scores)) + 1  # with the header row
    # The formula guard of CSV exports is removed on reading.
    guarded = tmp_path / "guarded.csv"
    pd.DataFrame(
        {"doc_id": ["a"], "actor": ["France"], "stance": ["favor"], "evidence": ["'=1+1 || ok"]}
    ).to_csv(guarded, index=False)
    assert read_scores(guarded)["evidence"][0] == ["=1+1", "ok"]


def test_report_cli_articles_and_errors(capsys, tmp_path):
    out = tmp_path / "one.html"
    assert main(["report", EXAMPLE, "-o", str(out)]) == 0
    assert f"wrote {out}" in capsys.readouterr().err
    page = out.read_text(encoding="utf-8")
    assert "Sentences predicted favor" in page  # one article: sentence counts
    bad = tmp_path / "bad.csv"
    pd.DataFrame({"actor": ["France"], "stance": ["pro"]}).to_csv(bad, index=False)
    out.write_text("previous")
    assert main(["report", str(bad), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "row 1" in err and "'stance'" in err and "'pro'" in err
    assert out.read_text() == "previous"  # nothing half-written


# -- in a real browser -------------------------------------------------------------


def _chromium() -> str:
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI=true but chromium is not installed (.ci/run installs it)")
        pytest.skip("chromium is not installed")
    return exe


def _browse(tmp_path, page, *args) -> subprocess.CompletedProcess:
    profile = tmp_path / f"profile-{len(os.listdir(tmp_path))}"
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        f"--user-data-dir={profile}",
        "--enable-logging=stderr",
        "--v=0",
        "--virtual-time-budget=5000",
    ]
    return subprocess.run(
        [_chromium(), *flags, *args, page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
    )


def _console(stderr: str) -> list[str]:
    return re.findall(r":CONSOLE[^\]]*\] (.*)", stderr)


def test_browser_console_check_catches_errors(tmp_path):
    page = tmp_path / "broken.html"
    page.write_text("<!DOCTYPE html><p>x</p><script>missing();</script>")
    done = _browse(tmp_path, page, "--dump-dom")
    assert any("missing is not defined" in line for line in _console(done.stderr))


def test_report_renders_in_headless_chromium(corpus_report, tmp_path):
    import matplotlib.image

    dom = _browse(tmp_path, corpus_report, "--dump-dom")
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert _console(dom.stderr) == []  # no errors, no warnings, no CSP violations
    body = re.search(r"<body[^>]*>", dom.stdout).group(0)
    assert 'data-charts-ready="yes"' in body and 'data-images="3"' in body
    assert '<table id="actor-table">' in dom.stdout and "<mark>" in dom.stdout

    shot = tmp_path / "report.png"
    done = _browse(tmp_path, corpus_report, f"--screenshot={shot}", "--window-size=1280,2000")
    assert done.returncode == 0 and shot.exists(), done.stderr[-2000:]
    assert _console(done.stderr) == []
    pixels = matplotlib.image.imread(shot)[..., :3]
    assert pixels.shape[:2] == (2000, 1280)
    assert pixels.std() > 0.05  # not a blank page
    # The charts come first: the favor blue and against orange of the bars are on screen.
    for colour in ("#2166ac", "#c2410c"):
        rgb = np.asarray(matplotlib.colors.to_rgb(colour))
        close = np.abs(pixels - rgb).max(axis=-1) < 0.04
        assert close.sum() > 2000, colour
