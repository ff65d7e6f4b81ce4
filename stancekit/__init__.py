"""stancekit: who stands where on sending European troops to Ukraine.

Finds the actors of English news articles and labels each actor's stance on
the deployment of European / Western troops to Ukraine (favor, against,
neutral) with a confidence and the sentences that show it.
"""

__version__ = "0.1.0"

from .actors import Gazetteer, find_actors, find_mentions, load_gazetteer
from .aggregate import aggregate_stances
from .corpus import load_corpus
from .evaluate import train
from .exceptions import CorpusError, InputTextError, ModelFileError, StancekitError
from .model import StanceModel, build_pipeline
from .persist import load_model
from .segment import segment_sentences

__all__ = [
    "__version__",
    "CorpusError",
    "Gazetteer",
    "InputTextError",
    "ModelFileError",
    "StanceModel",
    "StancekitError",
    "aggregate_stances",
    "build_pipeline",
    "datasets",
    "find_actors",
    "find_mentions",
    "load_corpus",
    "load_gazetteer",
    "load_model",
    "score_article",
    "segment_sentences",
    "show_versions",
    "train",
]


def score_article(text, doc_id=None, date=None):
    """Score one article with the default model (see StanceModel.score_article)."""
    return _default_model().score_article(text, doc_id=doc_id, date=date)


_DEFAULT = []


def _default_model():
    if not _DEFAULT:
        _DEFAULT.append(load_model())
    return _DEFAULT[0]


def __getattr__(name):
    # ``stancekit.datasets`` is imported on first use, so that
    # ``python -m stancekit.datasets`` does not find it already imported.
    if name == "datasets":
        import importlib

        return importlib.import_module(".datasets", __name__)
    raise AttributeError(f"module 'stancekit' has no attribute {name!r}")


def show_versions():
    """Print the versions of stancekit and its dependencies."""
    import platform

    import joblib
    import numpy
    import pandas
    import sklearn

    for name, version in (
        ("stancekit", __version__),
        ("python", platform.python_version()),
        ("scikit-learn", sklearn.__version__),
        ("numpy", numpy.__version__),
        ("pandas", pandas.__version__),
        ("joblib", joblib.__version__),
    ):
        print(f"{name:>13}: {version}")
