import json
import os
import pickle
import shutil
import signal
import subprocess
import sys
import time

import joblib
import numpy as np
import pytest

import stancekit
from stancekit import ModelFileError
from stancekit.persist import CARD_FILE, MODEL_FILE

TEXT = (
    "Keir Starmer said Britain was ready to send troops, but Moscow called the idea unacceptable."
)


@pytest.fixture
def saved(small_model, tmp_path):
    path = tmp_path / "m"
    small_model.save(path)
    return path


def test_round_trip_gives_identical_probabilities(small_model, saved):
    loaded = stancekit.load_model(saved)
    a = small_model.score_mentions(TEXT)
    b = loaded.score_mentions(TEXT)
    np.testing.assert_array_equal(
        a[["p_favor", "p_against", "p_neutral"]].to_numpy(),
        b[["p_favor", "p_against", "p_neutral"]].to_numpy(),
    )
    card = json.loads((saved / CARD_FILE).read_text())
    for key in (
        "stancekit_version",
        "sklearn_version",
        "numpy_version",
        "python_version",
        "corpus",
        "labels",
        "classifier",
        "hyperparameters",
        "cv",
        "model_sha256",
        "train_seconds",
    ):
        assert key in card
    assert card["corpus"]["sha256"] and card["corpus"]["rows"] > 0


def test_save_never_overwrites_silently(small_model, saved):
    before = (saved / MODEL_FILE).read_bytes()
    with pytest.raises(FileExistsError, match="overwrite=True"):
        small_model.save(saved)
    assert (saved / MODEL_FILE).read_bytes() == before
    small_model.save(saved, overwrite=True)
    assert stancekit.load_model(saved).score_mentions(TEXT).shape[0] > 0
    assert [p for p in os.listdir(saved.parent) if p.startswith(".")] == []


def test_missing_folder_and_files(saved, tmp_path):
    with pytest.raises(ModelFileError, match="no such model"):
        stancekit.load_model(tmp_path / "nothing")
    (saved / CARD_FILE).unlink()
    with pytest.raises(ModelFileError, match="no model_card.json"):
        stancekit.load_model(saved)


def test_tampered_or_truncated_file_is_refused(saved):
    data = (saved / MODEL_FILE).read_bytes()
    (saved / MODEL_FILE).write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelFileError, match="does not match the card"):
        stancekit.load_model(saved)
    (saved / MODEL_FILE).write_bytes(b"")
    with pytest.raises(ModelFileError, match="empty"):
        stancekit.load_model(saved)


def _rehash(folder):
    import hashlib

    card = json.loads((folder / CARD_FILE).read_text())
    card["model_sha256"] = hashlib.sha256((folder / MODEL_FILE).read_bytes()).hexdigest()
    (folder / CARD_FILE).write_text(json.dumps(card))


def test_foreign_files_give_clear_errors(saved):
    (saved / MODEL_FILE).write_bytes(pickle.dumps({"a": 1}))
    _rehash(saved)
    with pytest.raises(ModelFileError, match="not a readable skops file"):
        stancekit.load_model(saved)
    (saved / MODEL_FILE).write_text("just some text")
    _rehash(saved)
    with pytest.raises(ModelFileError, match="not a readable skops file"):
        stancekit.load_model(saved)
    (saved / CARD_FILE).write_text("{not json")
    with pytest.raises(ModelFileError, match="not a valid JSON model card"):
        stancekit.load_model(saved)


def test_untrusted_types_are_refused(saved, tmp_path):
    import skops.io as sio
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import FunctionTransformer

    hostile = Pipeline([("f", FunctionTransformer(os.system)), ("c", RandomForestClassifier())])
    sio.dump(hostile, saved / MODEL_FILE)
    _rehash(saved)
    with pytest.raises(ModelFileError, match="does not trust.*posix.system|does not trust"):
        stancekit.load_model(saved)


def test_pickles_need_explicit_trust(small_model, tmp_path):
    path = tmp_path / "m.joblib"
    joblib.dump(small_model, path)
    with pytest.raises(ModelFileError, match="trusted=True"):
        stancekit.load_model(path)
    with pytest.warns(UserWarning, match="pickle-based"):
        model = stancekit.load_model(path, trusted=True)
    assert model.score_mentions(TEXT).shape[0] > 0


def test_version_mismatch_warns_with_rebuild_command(saved):
    card = json.loads((saved / CARD_FILE).read_text())
    card["sklearn_version"] = "0.0.1"
    (saved / CARD_FILE).write_text(json.dumps(card))
    with pytest.warns(UserWarning, match=r"scikit-learn 0\.0\.1.*stancekit train --default"):
        stancekit.load_model(saved)


def test_interrupted_save_keeps_the_previous_model(small_model, saved, monkeypatch):
    before = stancekit.load_model(saved).score_mentions(TEXT)

    def boom(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("skops.io.dump", boom)
    with pytest.raises(KeyboardInterrupt):
        small_model.save(saved, overwrite=True)
    after = stancekit.load_model(saved).score_mentions(TEXT)
    assert before.equals(after)
    assert [p for p in os.listdir(saved.parent) if p.startswith(".")] == []


def test_default_model_card_matches_its_file():
    from stancekit.persist import default_model_path, read_card

    card = read_card(default_model_path())
    assert card["corpus"]["source"] == "bundled"
    assert card["cv"]["macro_f1"] > 0.6
    shutil.disk_usage(default_model_path())


@pytest.mark.slow
def test_default_model_reproduces_from_the_bundled_corpus():
    """`stancekit train --default` rebuilds the shipped model exactly."""
    from stancekit.persist import default_model_path, read_card

    card = read_card(default_model_path())
    shipped = stancekit.load_model()
    rebuilt = stancekit.train(
        classifier=card["classifier"],
        cv=card["cv"]["folds"],
        random_state=card["random_state"],
        features=card["features"],
    )
    assert rebuilt.metadata["corpus"]["sha256"] == card["corpus"]["sha256"]
    assert rebuilt.metadata["cv"]["macro_f1"] == pytest.approx(card["cv"]["macro_f1"])
    corpus = stancekit.datasets.load_troops().sample(300, random_state=0)
    np.testing.assert_allclose(
        rebuilt.predict_corpus(corpus)[["p_favor", "p_against", "p_neutral"]].to_numpy(),
        shipped.predict_corpus(corpus)[["p_favor", "p_against", "p_neutral"]].to_numpy(),
        atol=1e-9,
    )


def test_save_killed_between_its_two_renames_is_recovered(saved):
    before = stancekit.load_model(saved).score_mentions(TEXT)
    # The state a kill leaves between "old folder aside" and "new folder in".
    os.replace(saved, saved.parent / f".{saved.name}.old-x1y2")
    after = stancekit.load_model(saved).score_mentions(TEXT)
    assert before.equals(after)
    assert not (saved.parent / f".{saved.name}.old-x1y2").exists()


def _kill_when(proc, ready, timeout=180):
    deadline = time.monotonic() + timeout
    while not ready():
        assert proc.poll() is None, "training ended before it could be interrupted"
        assert time.monotonic() < deadline, "training never reached the point to interrupt"
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)


@pytest.mark.slow
@pytest.mark.parametrize("when", ["training", "writing"])
def test_training_killed_midway_leaves_the_previous_model(saved, small_corpus, tmp_path, when):
    before = stancekit.load_model(saved).score_mentions(TEXT)
    corpus = tmp_path / "corpus.csv"
    small_corpus.to_csv(corpus, index=False)
    proc = subprocess.Popen(
        [sys.executable, "-m", "stancekit", "train", str(corpus), "-o", str(saved), "--force"]
        + ["--classifier", "logreg", "--cv", "2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    started = time.monotonic()

    def ready():
        if when == "training":
            return time.monotonic() - started > 3.0
        # The new model's temporary folder exists: the save is under way.
        return any(".tmp-" in f for f in os.listdir(saved.parent))

    _kill_when(proc, ready)
    after = stancekit.load_model(saved).score_mentions(TEXT)
    assert before.equals(after)
