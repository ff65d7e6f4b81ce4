import os
import subprocess
import sys
import xml.etree.ElementTree as ET

import matplotlib
import numpy as np
import pandas as pd
import pytest

from stancekit.plots import (
    STANCE_COLORS,
    ActorStanceDisplay,
    AgreementNetworkDisplay,
    CalibrationCurvesDisplay,
    StanceConfusionMatrixDisplay,
    StanceOverTimeDisplay,
)

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


SCORES = pd.DataFrame(
    {
        "doc_id": ["a", "a", "a", "b", "b", "b", "c", "c"],
        "actor": ["France", "Russia", "Italy", "France", "Russia", "Italy", "France", "Italy"],
        "affiliation": ["FR", "RU", "IT", "FR", "RU", "IT", "FR", "IT"],
        "stance": [
            "favor",
            "against",
            "neutral",
            "favor",
            "against",
            "against",
            "against",
            "neutral",
        ],
        "confidence": [0.9, 0.8, 0.6, 0.7, 0.9, 0.6, 0.55, 0.7],
        "date": [
            "2025-03-02",
            "2025-03-02",
            "2025-03-02",
            "2025-03-20",
            "2025-03-20",
            "2025-03-20",
            "2025-04-05",
            "2025-04-05",
        ],
    }
)


def test_importing_stancekit_does_not_import_matplotlib():
    code = (
        "import sys, stancekit, stancekit.plots, stancekit.report, stancekit.explain\n"
        "stancekit.load_model().score_article('Paris backs a force for Ukraine.')\n"
        "assert 'matplotlib' not in sys.modules, 'matplotlib imported'\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_actor_stance_chart_counts_sorts_and_diverges():
    disp = ActorStanceDisplay.from_scores(SCORES)
    # Most favourable at the top, most opposed at the bottom.
    assert list(disp.counts.index) == ["France", "Italy", "Russia"]
    assert disp.counts.loc["France"].tolist() == [2, 1, 0]
    assert disp.counts.loc["Italy"].tolist() == [0, 1, 2]
    bars = disp.bars_
    fav = [b.get_width() for b in bars["favor"]]
    ag = [b.get_width() for b in bars["against"]]
    assert fav == [2, 0, 0] and ag == [-1, -1, -2]  # against drawn to the left of zero
    labels = [t.get_text() for t in disp.ax_.get_yticklabels()]
    assert labels == ["France", "Italy", "Russia"]
    assert disp.ax_.get_yticks()[0] > disp.ax_.get_yticks()[-1]
    texts = {t.get_text() for t in disp.ax_.texts}
    assert {"n=3", "n=2"} <= texts
    top = ActorStanceDisplay.from_scores(SCORES, top=2, plot=False)
    assert set(top.counts.index) == {"France", "Italy"}


def test_actor_stance_chart_from_mentions_counts_sentences():
    mentions = pd.DataFrame(
        {"actor": ["A", "A", "A", "B"], "stance": ["favor", "favor", "neutral", "against"]}
    )
    disp = ActorStanceDisplay.from_predictions(mentions)
    assert disp.unit == "sentences"
    assert disp.counts.loc["A"].tolist() == [2, 0, 1]
    assert "sentences" in disp.ax_.get_xlabel()
    with pytest.raises(ValueError, match=r"missing column\(s\) \['stance'\]"):
        ActorStanceDisplay.from_scores(mentions.drop(columns="stance"))


def test_stance_over_time_shares_and_dates():
    disp = StanceOverTimeDisplay.from_scores(SCORES, freq="M")
    fr = disp.data[disp.data["group"] == "FR"]
    assert fr["n"].tolist() == [2, 1]
    assert fr["favor"].tolist() == [1.0, 0.0] and fr["against"].tolist() == [0.0, 1.0]
    it = disp.data[disp.data["group"] == "IT"]
    assert it["favor"].tolist() == [0.0, 0.0] and it["against"].tolist() == [0.5, 0.0]
    assert it["neutral"].tolist() == [0.5, 1.0]
    assert len(disp.ax_) == 3
    # Dates given apart from the scores (scores files have no date column).
    dates = dict(zip(SCORES["doc_id"], SCORES["date"], strict=True))
    other = StanceOverTimeDisplay.from_scores(SCORES.drop(columns="date"), dates=dates, plot=False)
    pd.testing.assert_frame_equal(other.data, disp.data)
    weekly = StanceOverTimeDisplay.from_scores(SCORES, freq="W", top=1, plot=False)
    assert set(weekly.data["group"]) == {"FR"} and len(weekly.data) == 3
    with pytest.raises(ValueError, match="no 'date' column"):
        StanceOverTimeDisplay.from_scores(SCORES.drop(columns="date"))


def test_confusion_matrix_is_row_normalised():
    report = {
        "labels": ["against", "favor", "neutral"],
        "confusion": [[8, 1, 1], [2, 6, 2], [0, 0, 5]],
    }
    disp = StanceConfusionMatrixDisplay.from_evaluation(report)
    np.testing.assert_allclose(disp.matrix.sum(axis=1), 1.0)
    assert disp.matrix[0, 0] == pytest.approx(0.8)
    shown = {t.get_text() for t in disp.ax_.texts}
    assert {"0.80", "0.60", "1.00"} <= shown
    assert "n=25" in disp.ax_.get_title()
    raw = StanceConfusionMatrixDisplay.from_predictions(
        ["favor", "favor", "against"],
        pd.DataFrame({"stance": ["favor", "neutral", "against"]}),
        normalize=False,
        plot=False,
    )
    assert raw.matrix.tolist() == [[1, 0, 0], [0, 1, 1], [0, 0, 0]]


def test_calibration_curves_per_label():
    rng = np.random.default_rng(0)
    y = rng.choice(["favor", "against", "neutral"], size=300)
    proba = pd.DataFrame(
        {
            f"p_{lab}": np.where(y == lab, 0.7, 0.15) + rng.uniform(0, 0.1, 300)
            for lab in ("favor", "against", "neutral")
        }
    )
    disp = CalibrationCurvesDisplay.from_predictions(y, proba, n_bins=5)
    assert set(disp.curves) == {"favor", "against", "neutral"}
    hit = (y == "favor").astype(float)
    assert disp.brier["favor"] == pytest.approx(np.mean((proba["p_favor"] - hit) ** 2))
    legend = [t.get_text() for t in disp.ax_.get_legend().get_texts()]
    assert any(t.startswith("favor (Brier") for t in legend)


def test_agreement_network_weights_and_exports(tmp_path):
    scores = pd.concat(
        [
            SCORES,
            pd.DataFrame(
                {
                    "doc_id": ["c", "d", "d", "d"],
                    "actor": ["Emmanuel Macron", "A & B <co>", "France", "Sergei Lavrov"],
                    "affiliation": ["FR", 'A&B "x"', "FR", "RU"],
                    "stance": ["favor", "favor", "favor", "against"],
                    "confidence": [0.9, 0.8, 0.8, 0.9],
                }
            ),
        ],
        ignore_index=True,
    )
    net = AgreementNetworkDisplay.from_scores(scores)
    edges = net.edges.set_index(["source", "target"])
    # In article c France (0.55 against) and Macron (0.9 favor): FR takes the favor side.
    assert edges.loc[("FR", "RU")].tolist() == [0, 3]
    assert edges.loc[("IT", "RU")].tolist() == [1, 0]
    assert edges.loc[("FR", "IT")].tolist() == [0, 1]
    assert edges.loc[('A&B "x"', "FR")].tolist() == [1, 0]
    nodes = net.nodes.set_index("node")
    assert nodes.loc["FR", "favor"] == 4 and nodes.loc["FR", "stance"] == "favor"
    assert nodes.loc["RU", "stance"] == "against"
    colours = {tuple(np.round(c.get_facecolor()[0][:3], 3)) for c in net.ax_.collections}
    assert tuple(np.round(matplotlib.colors.to_rgb(STANCE_COLORS["against"]), 3)) in colours

    graphml = net.to_graphml(tmp_path / "net.graphml")
    root = ET.parse(graphml).getroot()
    ns = {"g": "http://graphml.graphdrawing.org/xmlns"}
    ids = {n.get("id") for n in root.iterfind(".//g:node", ns)}
    assert ids == set(net.nodes["node"])
    assert len(root.findall(".//g:edge", ns)) == len(net.edges)
    csv = net.to_csv(tmp_path / "edges.csv")
    back = pd.read_csv(csv, keep_default_na=False)
    pd.testing.assert_frame_equal(back, net.edges)
    assert sorted(os.listdir(tmp_path)) == ["edges.csv", "net.graphml"]  # no temporary files


def test_agreement_network_export_does_not_clobber_on_failure(tmp_path, monkeypatch):
    net = AgreementNetworkDisplay.from_scores(SCORES, plot=False)
    target = tmp_path / "edges.csv"
    target.write_text("old\n")

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(pd.DataFrame, "to_csv", boom)
    with pytest.raises(OSError, match="disk full"):
        net.to_csv(target)
    assert target.read_text() == "old\n"
    assert os.listdir(tmp_path) == ["edges.csv"]
