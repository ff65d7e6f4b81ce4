import copy
import os

import pytest

import stancekit

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DEV_CSV = os.path.normpath(os.path.join(ROOT, "..", "shared", "data", "dev.csv"))
EXAMPLES = os.path.join(ROOT, "examples")


@pytest.fixture(scope="session")
def corpus():
    return stancekit.datasets.load_troops()


@pytest.fixture(scope="session")
def small_corpus(corpus):
    docs = sorted(corpus["doc_id"].unique())[::3]
    return corpus[corpus["doc_id"].isin(docs)].reset_index(drop=True)


@pytest.fixture(scope="session")
def _trained(small_corpus):
    return stancekit.train(small_corpus, classifier="logreg", cv=3, random_state=0)


@pytest.fixture
def small_model(_trained):
    return copy.deepcopy(_trained)


@pytest.fixture(scope="session")
def default_model():
    return stancekit.load_model()
