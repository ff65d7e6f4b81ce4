"""Author stance: corpora without an actor column, and several targets."""

import numpy as np
import pandas as pd
import pytest

import stancekit
from benchmarks.semeval2016 import SemEvalFormatError, find_files, read_semeval
from stancekit.features import TextNgramVectorizer, split_hashtags
from stancekit.model import PerTargetClassifier

TOLL = "Congestion charge"
UNIFORM = "School uniforms"

ROWS = [
    # (target, stance, text)
    (TOLL, "favor", "Charging cars to enter the centre finally gave us cleaner air."),
    (TOLL, "favor", "Since the toll came in, buses run on time and kids walk to school."),
    (TOLL, "favor", "Fewer cars, quieter streets: the road charge works. #CleanAir"),
    (TOLL, "favor", "Make drivers pay for the space they take; the charge is fair."),
    (TOLL, "favor", "Cleaner air and faster buses, all thanks to the road toll."),
    (TOLL, "favor", "The toll pays for new bus lanes, and I am glad of it."),
    (TOLL, "against", "The toll is just another tax on working people who must drive."),
    (TOLL, "against", "Shops in the centre are dying since the charge scared customers off."),
    (TOLL, "against", "A road charge punishes nurses on night shifts. #ScrapTheToll"),
    (TOLL, "against", "Another tax on drivers, and the traffic is as bad as ever."),
    (TOLL, "against", "Scrap the toll: it hurts shops and the people who need a car."),
    (TOLL, "against", "The charge is a tax grab dressed up as clean air policy."),
    (TOLL, "neutral", "The council meets on Tuesday to publish the traffic figures."),
    (TOLL, "neutral", "Road works close the ring road this weekend."),
    (TOLL, "neutral", "A survey of commuters will be out next month."),
    (UNIFORM, "favor", "Uniforms mean nobody is mocked for wearing cheap clothes."),
    (UNIFORM, "favor", "A blazer and tie made my son proud of his school. #UniformPride"),
    (UNIFORM, "favor", "No more morning fights about what to wear: uniforms are great."),
    (UNIFORM, "favor", "Uniforms put rich and poor pupils on an equal footing."),
    (UNIFORM, "favor", "Proud of the school, proud of the uniform."),
    (UNIFORM, "favor", "Uniforms are great for equality in the classroom."),
    (UNIFORM, "against", "Forcing children into identical blazers kills their creativity."),
    (UNIFORM, "against", "The jumper costs three times a supermarket one. #DitchTheBlazer"),
    (UNIFORM, "against", "Uniforms teach conformity, not learning."),
    (UNIFORM, "against", "Ditch the blazer: it is costly and stifles creativity."),
    (UNIFORM, "against", "Pupils should not be punished for the colour of their socks."),
    (UNIFORM, "against", "Identical clothes teach conformity and cost parents a fortune."),
    (UNIFORM, "neutral", "Term starts on the fourth of September."),
    (UNIFORM, "neutral", "The school fair raised money for the library."),
    (UNIFORM, "neutral", "Parents' evening moves to the sports hall this year."),
]


@pytest.fixture(scope="module")
def tweets():
    frame = pd.DataFrame(ROWS, columns=["target", "stance", "text"])
    frame["doc_id"] = [f"t{i}" for i in range(len(frame))]
    return frame


@pytest.fixture(scope="module")
def per_target_model(tweets):
    return stancekit.train(
        tweets, classifier="nb", features=("text", "text_char"), cv=3, per_target=True
    )


def test_corpus_without_actor_column_loads_with_its_targets(tweets):
    corpus = stancekit.load_corpus(tweets)
    assert "actor" not in corpus.columns
    assert set(corpus["target"]) == {TOLL, UNIFORM}


def test_train_without_actor_column_records_author_stance(per_target_model):
    meta = per_target_model.metadata
    assert meta["author_stance"] is True
    assert meta["per_target"] is True
    assert meta["targets"] == [TOLL, UNIFORM]
    assert 0.0 <= meta["cv"]["f_avg"] <= 1.0


def test_predicting_texts_without_actors_gives_probabilities(per_target_model):
    texts = pd.DataFrame(
        {
            "text": ["Cleaner air at last, thanks to the toll.", "Uniforms kill creativity."],
            "target": [TOLL, UNIFORM],
        }
    )
    pred = per_target_model.predict_corpus(texts)
    proba = pred[["p_favor", "p_against", "p_neutral"]].to_numpy()
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert list(pred["stance"]) == ["favor", "against"]


def test_per_target_model_sends_each_row_to_the_model_of_its_target(per_target_model, tweets):
    clf = per_target_model.pipeline
    assert isinstance(clf, PerTargetClassifier)
    assert clf.targets_ == [TOLL, UNIFORM]
    mixed = tweets.sample(frac=1.0, random_state=1).reset_index(drop=True)
    from stancekit.features import locate_mentions, mark_mentions

    got = clf.predict_proba(mark_mentions(locate_mentions(mixed)))
    for target, est in zip(clf.targets_, clf.estimators_):
        rows = (mixed["target"] == target).to_numpy()
        own = est.predict_proba(mark_mentions(locate_mentions(mixed[rows])))
        order = [list(est.classes_).index(c) for c in clf.classes_]
        np.testing.assert_allclose(got[rows], own[:, order])


def test_shared_features_fit_one_vocabulary_and_a_classifier_per_target(tweets):
    model = stancekit.train(
        tweets,
        classifier="logreg",
        features=("text", "text_char_wb"),
        cv=3,
        per_target=True,
        share_features=True,
    )
    clf = model.pipeline
    assert model.metadata["share_features"] is True
    # One vocabulary and idf from both targets' texts ...
    names = set(clf.features_.get_feature_names_out())
    assert {"text__text__toll", "text__text__uniforms"} <= names
    assert any(n.startswith("text_char_wb__textcharwb__") for n in names)
    # ... and per target only a classifier over that shared space.
    assert [type(e).__name__ for e in clf.estimators_] == ["LogisticRegression"] * 2
    assert all(e.n_features_in_ == len(names) for e in clf.estimators_)
    # Each row is still scored by the classifier of its own target.
    from stancekit.features import locate_mentions, mark_mentions

    X = mark_mentions(locate_mentions(tweets))
    got = clf.predict_proba(X)
    matrix = clf.features_.transform(X)
    for target, est in zip(clf.targets_, clf.estimators_):
        rows = (tweets["target"] == target).to_numpy()
        order = [list(est.classes_).index(c) for c in clf.classes_]
        np.testing.assert_allclose(got[rows], est.predict_proba(matrix[rows])[:, order])


def test_shared_features_model_round_trips_through_save_and_load(tweets, tmp_path):
    model = stancekit.train(
        tweets, classifier="nb", features=("text",), cv=3, per_target=True, share_features=True
    )
    loaded = stancekit.load_model(model.save(tmp_path / "shared"))
    assert loaded.pipeline.share_features
    pd.testing.assert_frame_equal(model.predict_corpus(tweets), loaded.predict_corpus(tweets))


def test_shared_features_need_a_pipeline(tweets):
    from sklearn.naive_bayes import ComplementNB

    with pytest.raises(ValueError, match="share_features=True needs a Pipeline"):
        PerTargetClassifier(ComplementNB(), share_features=True).fit(tweets, tweets["stance"])


def test_per_target_model_refuses_a_target_it_never_saw(per_target_model):
    frame = pd.DataFrame({"text": ["Bike lanes everywhere!"], "target": ["Bike lanes"]})
    with pytest.raises(ValueError, match=r"'Bike lanes'.*expected one of"):
        per_target_model.predict_corpus(frame)


def test_per_target_needs_two_labels_for_each_target(tweets):
    one_sided = tweets[(tweets["target"] == TOLL) | (tweets["stance"] == "favor")]
    with pytest.raises(ValueError, match=r"School uniforms.*two labels"):
        PerTargetClassifier(stancekit.build_pipeline("nb", features=("text",))).fit(
            one_sided, one_sided["stance"]
        )


def test_target_feature_gives_one_model_a_view_per_target(tweets):
    model = stancekit.train(
        tweets, classifier="nb", features=("text", "target"), cv=3, scoring="f_avg"
    )
    names = model.pipeline[:-1].get_feature_names_out()
    assert any("congestion_charge|toll" in n for n in names)
    same = pd.DataFrame({"text": ["Proud of it, it is fair."] * 2, "target": [TOLL, UNIFORM]})
    proba = model.predict_corpus(same)[["p_favor", "p_against", "p_neutral"]].to_numpy()
    assert not np.allclose(proba[0], proba[1])


def test_target_conjoined_features_are_zero_for_an_unseen_target(tweets):
    vec = TextNgramVectorizer(ngram_range=(1, 1), by_target=True).fit(tweets)
    seen = vec.transform(tweets.head(1))
    unseen = vec.transform(tweets.head(1).assign(target="Bike lanes"))
    assert seen.nnz > 0 and unseen.nnz == 0
    assert seen.shape == unseen.shape == (1, len(vec.get_feature_names_out()))


def test_hashtags_are_split_into_words():
    assert split_hashtags("#ScrapTheToll now") == "#ScrapTheToll Scrap The Toll now"
    assert split_hashtags("#toll") == "#toll"


def test_per_target_model_round_trips_through_save_and_load(per_target_model, tweets, tmp_path):
    path = per_target_model.save(tmp_path / "tweets")
    loaded = stancekit.load_model(path)
    before = per_target_model.predict_corpus(tweets)
    after = loaded.predict_corpus(tweets)
    pd.testing.assert_frame_equal(before, after)


def test_evaluate_an_author_stance_corpus_with_doc_ids(per_target_model, tweets):
    report = per_target_model.evaluate(tweets)
    assert report["n"] == len(tweets)
    assert "article" not in report


# -- the SemEval-2016 reader of the benchmark ------------------------------------

HEADER = b"ID\tTarget\tTweet\tStance\tOpinion towards\tSentiment\r\n"


def test_semeval_reader_handles_latin1_quotes_and_the_marker(tmp_path):
    path = tmp_path / "trainingdata-all-annotations.txt"
    path.write_bytes(
        HEADER
        + b'101\tAtheism\t"Faith is a caf\xe9 for the soul #SemST\tAGAINST\tTARGET\tPOSITIVE\r\n'
        + b'102\tHillary Clinton\tShe said "no" twice #HillaryForPresident #SemST\tFAVOR'
        b"\tTARGET\tNEITHER\r\n"
        + b"103\tAtheism\tNice weather today #SemST\tNONE\tNO ONE\tPOSITIVE\r\n"
    )
    frame = read_semeval(path)
    assert list(frame.columns) == ["doc_id", "target", "text", "stance"]
    assert list(frame["doc_id"]) == ["101", "102", "103"]
    assert frame["text"][0] == '"Faith is a café for the soul'
    assert frame["text"][1] == 'She said "no" twice #HillaryForPresident'
    assert list(frame["stance"]) == ["against", "favor", "neutral"]
    assert set(stancekit.load_corpus(frame)["target"]) == {"Atheism", "Hillary Clinton"}


def test_semeval_reader_reads_utf8_and_names_the_line_of_a_bad_label(tmp_path):
    good = tmp_path / "test.txt"
    good.write_bytes(HEADER + "1\tAtheism\tCafé talk #SemST\tNONE\tX\tY\n".encode())
    assert read_semeval(good)["text"][0] == "Café talk"
    bad = tmp_path / "bad.txt"
    bad.write_bytes(HEADER + b"1\tAtheism\tok #SemST\tUNKNOWN\tX\tY\n")
    with pytest.raises(SemEvalFormatError, match=r"line 2, column 'Stance'.*UNKNOWN"):
        read_semeval(bad)


def test_semeval_files_are_found_among_the_other_files_of_the_folder(tmp_path):
    for name in (
        "trainingdata-all-annotations.txt",
        "trainingdata-augmented-annotations.txt",
        "trainingdata-ids.txt",
        "trialdata-all-annotations.txt",
        "testdata-taskA-all-annotations.txt",
        "testdata-taskA-ids.txt",
        "testdata-taskB-all-annotations.txt",
        "atheism_train_data.txt",
    ):
        (tmp_path / name).write_bytes(HEADER)
    train, test = find_files(tmp_path)
    assert [p.rsplit("/", 1)[-1] for p in train] == [
        "trainingdata-all-annotations.txt",
        "trialdata-all-annotations.txt",
    ]
    assert test.endswith("testdata-taskA-all-annotations.txt")
