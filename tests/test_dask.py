import pandas as pd
import pytest

from stancekit.cli import main
from stancekit.stream import empty_result, score_corpus

from .test_stream import short_articles, write_jsonl

distributed = pytest.importorskip("distributed")
dd = pytest.importorskip("dask.dataframe")

from stancekit.dask import score_dataframe  # noqa: E402


@pytest.fixture(scope="module")
def articles():
    frame = short_articles(300, sentences=3)
    frame.loc[[5, 150], "text"] = "Nothing to see here."  # articles without actors
    frame.loc[[6, 151], "date"] = None  # Dask turns these into pd.NA
    return frame


@pytest.fixture(scope="module")
def expected(default_model, articles):
    return default_model.score_articles(articles, progress=False)


@pytest.fixture(scope="module")
def client():
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


def test_without_a_cluster(default_model, articles, expected):
    ddf = dd.from_pandas(articles.iloc[:40], npartitions=3)
    got = score_dataframe(ddf, default_model).compute(scheduler="sync")
    want = expected[expected["doc_id"].isin(articles["doc_id"][:40])].reset_index(drop=True)
    pd.testing.assert_frame_equal(got.reset_index(drop=True), want, check_exact=True)


def test_in_process_cluster_matches_local_scoring(client, default_model, articles, expected):
    ddf = dd.from_pandas(articles, npartitions=5)
    scores = score_dataframe(ddf, default_model, client=client)
    pd.testing.assert_series_equal(scores.dtypes, empty_result().dtypes)
    got = scores.compute().reset_index(drop=True)
    pd.testing.assert_frame_equal(got, expected, check_exact=True)


def test_mentions_and_empty_partitions(client, default_model, articles):
    ddf = dd.from_pandas(articles, npartitions=4)
    first = list(articles["doc_id"][:10])
    only_first = ddf[ddf["doc_id"].isin(first)]  # three partitions left empty
    scores = score_dataframe(only_first, default_model, mentions=True)
    parts = [scores.get_partition(i).compute() for i in range(scores.npartitions)]
    assert [len(p) > 0 for p in parts] == [True, False, False, False]
    for part in parts[1:]:
        pd.testing.assert_series_equal(part.dtypes, empty_result(True).dtypes)
    want = default_model.score_articles(articles.iloc[:10], progress=False, mentions=True)
    got = scores.compute().reset_index(drop=True)
    pd.testing.assert_frame_equal(got, want, check_exact=True)


def test_worker_processes_and_the_command_line(default_model, articles, expected, tmp_path):
    src = write_jsonl(articles, tmp_path / "a.jsonl")
    local = tmp_path / "local.csv"
    score_corpus(src, local, default_model, chunk_size=50)
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        ddf = dd.from_pandas(articles, npartitions=4)
        got = score_dataframe(ddf, default_model, client=client).compute()
        pd.testing.assert_frame_equal(got.reset_index(drop=True), expected, check_exact=True)
        out = tmp_path / "cluster.csv"
        argv = ["score", src, "-o", str(out), "--chunk-size", "50", "-q"]
        assert main([*argv, "--scheduler", cluster.scheduler_address]) == 0
    assert out.read_bytes() == local.read_bytes()


def test_bad_arguments(default_model, articles):
    ddf = dd.from_pandas(articles.iloc[:4], npartitions=1)
    with pytest.raises(ValueError, match="text_col='body'"):
        score_dataframe(ddf, default_model, text_col="body")
    with pytest.raises(ValueError, match="errors"):
        score_dataframe(ddf, default_model, errors="ignore")
