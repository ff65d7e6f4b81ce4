"""Saving and loading model folders safely.

A model folder holds ``model.skops`` (the fitted pipeline in skops format,
which loads without running code from the file) and ``model_card.json``
(versions, corpus hash, metrics and the SHA-256 of ``model.skops``). Loading
checks the hash, refuses types outside stancekit's own known list, and warns
when the model was built with another scikit-learn or stancekit version.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import warnings
import zipfile
from importlib import resources

from .exceptions import ModelFileError

__all__ = ["save_model", "load_model", "default_model_path", "TRUSTED_TYPES"]

MODEL_FILE = "model.skops"
CARD_FILE = "model_card.json"
REBUILD = "stancekit train --default"

# Types a stancekit model may contain beyond what skops trusts by default.
# Built from stancekit's own classes and the scikit-learn / NumPy / SciPy
# parts its pipelines use; never read from the file being loaded.
TRUSTED_TYPES = frozenset(
    {
        "stancekit.features.MentionMarker",
        "stancekit.features.ActorMaskVectorizer",
        "stancekit.features.ClauseNgramVectorizer",
        "stancekit.features.WindowVectorizer",
        "stancekit.features.ScopeVectorizer",
        "stancekit.features.CueCounter",
        "stancekit.features.TextNgramVectorizer",
        "stancekit.model.PerTargetClassifier",
        "sklearn.pipeline.Pipeline",
        "sklearn.pipeline.FeatureUnion",
        "sklearn.feature_extraction.text.TfidfVectorizer",
        "sklearn.feature_extraction.text.TfidfTransformer",
        "sklearn.linear_model._logistic.LogisticRegression",
        "sklearn.svm._classes.LinearSVC",
        "sklearn.calibration.CalibratedClassifierCV",
        "sklearn.calibration._CalibratedClassifier",
        "sklearn.calibration._SigmoidCalibration",
        "sklearn.model_selection._split.StratifiedKFold",
        "sklearn.naive_bayes.ComplementNB",
        "sklearn.ensemble._voting.VotingClassifier",
        "sklearn.preprocessing._label.LabelEncoder",
        "sklearn.utils._bunch.Bunch",
        "builtins.slice",
        "numpy.float32",
        "numpy.float64",
        "numpy.int64",
        "numpy.dtype",
        "numpy.ndarray",
        "scipy.sparse._csr.csr_matrix",
        "scipy.sparse._csc.csc_matrix",
    }
)


def default_model_path() -> str:
    """Folder of the default model shipped inside the package."""
    return str(resources.files("stancekit") / "data" / "default_model")


def _sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _json_default(obj):
    import numpy as np

    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    return str(obj)


def _recover_interrupted(path: str) -> None:
    """Put back a model folder that a killed save moved aside.

    Replacing a folder takes two renames (old folder to a hidden backup, new
    folder into place); a save killed between them leaves only the backup,
    which is renamed back here before anything else reads or writes ``path``.
    """
    if os.path.exists(path):
        return
    parent, name = os.path.split(os.path.abspath(path))
    try:
        backups = [f for f in os.listdir(parent) if f.startswith(f".{name}.old-")]
    except OSError:
        return
    if backups:
        newest = max(backups, key=lambda f: os.path.getmtime(os.path.join(parent, f)))
        os.replace(os.path.join(parent, newest), path)


def save_model(model, path, *, overwrite: bool = False) -> str:
    """Write ``model`` to the folder ``path`` atomically.

    Raises
    ------
    FileExistsError
        ``path`` exists and ``overwrite`` is False.
    """
    import skops.io as sio

    path = os.path.abspath(os.fspath(path))
    _recover_interrupted(path)
    if os.path.exists(path) and not overwrite:
        raise FileExistsError(f"{path} exists; pass overwrite=True (or --force) to replace it.")
    parent = os.path.dirname(path)
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=f".{os.path.basename(path)}.tmp-", dir=parent)
    try:
        model_file = os.path.join(tmp, MODEL_FILE)
        sio.dump(model.pipeline, model_file, compression=zipfile.ZIP_DEFLATED, compresslevel=6)
        card = dict(model.metadata)
        card["model_file"] = MODEL_FILE
        card["model_sha256"] = _sha256(model_file)
        card["model_bytes"] = os.path.getsize(model_file)
        with open(os.path.join(tmp, CARD_FILE), "w", encoding="utf-8") as fh:
            json.dump(card, fh, indent=2, default=_json_default, ensure_ascii=False)
            fh.write("\n")
            fh.flush()
            os.fsync(fh.fileno())
        with open(os.path.join(tmp, "README.md"), "w", encoding="utf-8") as fh:
            fh.write(render_card(card))
        model.metadata = card
        backup = None
        if os.path.exists(path):
            backup = tempfile.mkdtemp(prefix=f".{os.path.basename(path)}.old-", dir=parent)
            os.rmdir(backup)
            os.replace(path, backup)
        os.chmod(tmp, 0o755)
        os.replace(tmp, path)
        if backup:
            shutil.rmtree(backup, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return path


def _f(x) -> str:
    return f"{x:.3f}" if isinstance(x, (int, float)) else "n/a"


def render_card(card: dict) -> str:
    """Markdown model card from a ``model_card.json`` record."""
    cv = card.get("cv", {})
    lines = [
        "# stancekit model card",
        "",
        "Labels each actor mentioned in an English news sentence with its stance on the",
        "deployment of European / Western troops to Ukraine: favor, against or neutral.",
        "",
        "| | |",
        "|---|---|",
        f"| classifier | {card.get('classifier')} |",
        f"| feature groups | {', '.join(card.get('features', []))} |",
        f"| stancekit / scikit-learn / numpy / Python | {card.get('stancekit_version')} / "
        f"{card.get('sklearn_version')} / {card.get('numpy_version')} / "
        f"{card.get('python_version')} |",
        f"| training corpus | {card.get('corpus', {}).get('source')}: "
        f"{card.get('corpus', {}).get('rows')} rows, "
        f"{card.get('corpus', {}).get('articles')} articles, SHA-256 "
        f"`{str(card.get('corpus', {}).get('sha256'))[:16]}...` |",
        f"| training time | {card.get('train_seconds')} s in all, final fit "
        f"{card.get('fit_seconds')} s |",
        f"| model file | `{card.get('model_file')}`, {card.get('model_bytes')} bytes, "
        f"SHA-256 `{str(card.get('model_sha256'))[:16]}...` |",
        "",
        f"## Grouped {cv.get('folds')}-fold cross-validation (by {cv.get('grouped_by')})",
        "",
        f"macro-F1 {_f(cv.get('macro_f1'))}, F_avg {_f(cv.get('f_avg'))}, accuracy "
        f"{_f(cv.get('accuracy'))}, Brier {_f(cv.get('brier'))}.",
        "",
        "| label | precision | recall | F1 | support |",
        "|---|---:|---:|---:|---:|",
    ]
    for label, m in cv.get("per_label", {}).items():
        lines.append(
            f"| {label} | {_f(m['precision'])} | {_f(m['recall'])} | "
            f"{_f(m['f1'])} | {m['support']} |"
        )
    cands = card.get("candidates", {})
    if cands:
        lines += [
            "",
            "Candidates (macro-F1 / F_avg): "
            + ", ".join(f"{k} {_f(v['macro_f1'])} / {_f(v['f_avg'])}" for k, v in cands.items()),
        ]
    dev = card.get("dev")
    if dev:
        lines += [
            "",
            "## Development set (never trained on)",
            "",
            f"Sentence level, gold actor given ({dev['n']} rows): macro-F1 "
            f"{_f(dev['macro_f1'])}, F_avg {_f(dev['f_avg'])}, Brier {_f(dev.get('brier'))}.",
        ]
        if "article" in dev:
            lines.append(
                f"Article level ({dev['article']['n']} article x actor pairs): "
                f"macro-F1 {_f(dev['article']['macro_f1'])}, F_avg "
                f"{_f(dev['article']['f_avg'])}."
            )
    lines += [
        "",
        "## Use and limits",
        "",
        "Trained on original English news-register text about 2024-2026 reporting; it",
        "reads the text around each actor and never uses the actor's identity. It has",
        "not been tested on other languages, other targets or social-media text.",
        f"Rebuild: `{REBUILD}`.",
        "",
    ]
    return "\n".join(lines)


def read_card(path) -> dict:
    """Read and check a model folder's ``model_card.json``."""
    card_file = os.path.join(path, CARD_FILE)
    if not os.path.isfile(card_file):
        raise ModelFileError(
            f"{path}: no {CARD_FILE}; a stancekit model folder holds {MODEL_FILE} "
            f"and {CARD_FILE} (written by StanceModel.save)."
        )
    try:
        with open(card_file, encoding="utf-8") as fh:
            card = json.load(fh)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelFileError(f"{card_file}: not a valid JSON model card ({exc}).") from None
    if not isinstance(card, dict) or "model_sha256" not in card:
        raise ModelFileError(f"{card_file}: not a stancekit model card (no model_sha256).")
    return card


def load_model(path=None, *, gazetteer=None, actors=None, trusted: bool = False):
    """Load a stancekit model.

    Parameters
    ----------
    path : str or os.PathLike, default=None
        A model folder written by :meth:`StanceModel.save`; None loads the
        default model shipped with stancekit. A ``.joblib`` / ``.pkl`` file
        is accepted only with ``trusted=True``, since unpickling runs code.
    gazetteer : Gazetteer, default=None
        Actor finder to use; see ``actors``.
    actors : str, os.PathLike or pandas.DataFrame, default=None
        A user actor file that extends the bundled gazetteer.
    trusted : bool, default=False
        Allow pickle-based files (joblib) from a source you trust.

    Returns
    -------
    StanceModel

    Raises
    ------
    ModelFileError
        Missing, empty, corrupt, truncated, tampered with (hash mismatch),
        foreign, or holding types outside stancekit's trusted list.

    Examples
    --------
    >>> import stancekit
    >>> model = stancekit.load_model()
    >>> sorted(model.classes_)
    ['against', 'favor', 'neutral']
    """
    from .actors import load_gazetteer
    from .model import StanceModel

    gaz = gazetteer or load_gazetteer(actors)
    path = default_model_path() if path is None else os.fspath(path)
    _recover_interrupted(path)
    if not os.path.exists(path):
        raise ModelFileError(f"{path}: no such model folder or file.")
    if os.path.isfile(path):
        if path.endswith((".joblib", ".pkl", ".pickle")):
            return _load_pickle(path, gaz, trusted)
        raise ModelFileError(
            f"{path}: expected a model folder (with {MODEL_FILE} and {CARD_FILE}); got a file."
        )
    card = read_card(path)
    model_file = os.path.join(path, card.get("model_file", MODEL_FILE))
    if not os.path.isfile(model_file):
        raise ModelFileError(f"{path}: {MODEL_FILE} is missing.")
    if os.path.getsize(model_file) == 0:
        raise ModelFileError(f"{model_file}: the model file is empty.")
    digest = _sha256(model_file)
    if digest != card["model_sha256"]:
        raise ModelFileError(
            f"{model_file}: SHA-256 {digest[:12]}... does not match the card's "
            f"{card['model_sha256'][:12]}...; the file was changed or truncated. "
            f"Restore it or rebuild with `{REBUILD}`."
        )
    _check_versions(card, path)
    pipeline = _load_skops(model_file)
    return StanceModel(pipeline, card, gazetteer=gaz)


def _load_skops(model_file: str):
    import skops.io as sio

    try:
        untrusted = sio.get_untrusted_types(file=model_file)
    except Exception as exc:  # noqa: BLE001 - any parse failure means "not skops"
        raise ModelFileError(
            f"{model_file}: not a readable skops file ({type(exc).__name__}: {exc})."
        ) from None
    unknown = sorted(set(untrusted) - TRUSTED_TYPES)
    if unknown:
        raise ModelFileError(
            f"{model_file}: refused to load types stancekit does not trust: {', '.join(unknown)}."
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return sio.load(model_file, trusted=sorted(untrusted))
    except Exception as exc:  # noqa: BLE001
        raise ModelFileError(
            f"{model_file}: could not be loaded ({type(exc).__name__}: {exc})."
        ) from None


def _check_versions(card: dict, path: str) -> None:
    import sklearn

    from . import __version__

    built = card.get("sklearn_version")
    if built and built != sklearn.__version__:
        warnings.warn(
            f"{path}: built with scikit-learn {built}, running {sklearn.__version__}; "
            f"predictions may differ. Rebuild with `{REBUILD}`.",
            UserWarning,
            stacklevel=3,
        )
    made = card.get("stancekit_version")
    if made and made != __version__:
        warnings.warn(
            f"{path}: built with stancekit {made}, running {__version__}. "
            f"Rebuild with `{REBUILD}`.",
            UserWarning,
            stacklevel=3,
        )


def _load_pickle(path: str, gaz, trusted: bool):
    from .model import StanceModel

    if not trusted:
        raise ModelFileError(
            f"{path}: pickle-based files run code when loaded; pass trusted=True "
            "only for a file from a source you trust, or use a .skops model folder."
        )
    import joblib

    warnings.warn(
        f"{path}: loading a pickle-based model (trusted=True).", UserWarning, stacklevel=3
    )
    try:
        obj = joblib.load(path)
    except Exception as exc:  # noqa: BLE001
        raise ModelFileError(f"{path}: could not be unpickled ({exc}).") from None
    if isinstance(obj, StanceModel):
        obj.gazetteer = gaz
        return obj
    if hasattr(obj, "predict_proba"):
        return StanceModel(obj, {}, gazetteer=gaz)
    raise ModelFileError(f"{path}: holds a {type(obj).__name__}, not a stance model.")
