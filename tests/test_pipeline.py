"""WindowPipeline: fit on recordings, predict per window, score windowed labels."""

import pickle
import subprocess
import sys
from pathlib import Path

import joblib
import numpy as np
import pytest
import sklearn
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin, clone
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import GridSearchCV, GroupKFold, cross_val_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

from skmicrobi import MicroBiClassifier, SlidingWindowTransformer, WindowPipeline
from skmicrobi.pipeline import make_pipeline, window_scorer


def summarize(windows):
    """Mean and standard deviation of each channel: cheap features of a window."""
    return np.concatenate([windows.mean(axis=2), windows.std(axis=2)], axis=1)


def summary_names(transformer, input_features):
    return np.array([f"{stat}{c}" for stat in ("mean", "std") for c in range(3)])


class Summarize(FunctionTransformer):
    """summarize, naming its outputs so that set_output can build DataFrames."""

    def __init__(self):
        super().__init__(summarize, feature_names_out=summary_names)


class GroupSpy(ClassifierMixin, BaseEstimator):
    """Logistic regression on window summaries that records the groups it got."""

    def fit(self, X, y, groups=None):
        self.groups_ = groups
        self.model_ = LogisticRegression().fit(summarize(X), y)
        self.classes_ = self.model_.classes_
        return self

    def predict(self, X):
        return self.model_.predict(summarize(X))


def activity_streams(n_streams=9, seed=0):
    """Streams of 3 channels whose mean says the activity; labels per time step."""
    rng = np.random.default_rng(seed)
    recordings, labels = [], []
    for i in range(n_streams):
        segments = rng.permutation(3) if i % 2 else rng.integers(0, 3, 4)
        lengths = rng.integers(60, 140, size=len(segments))
        y = np.repeat(np.array(["sit", "stand", "walk"])[segments], lengths)
        level = np.repeat(segments * 2.0, lengths)
        recordings.append(rng.normal(size=(3, len(y))) * 0.5 + level)
        labels.append(y)
    return recordings, labels


def simple_pipeline(**win):
    return WindowPipeline(
        [
            (
                "win",
                SlidingWindowTransformer(**{"window_length": 32, "stride": 16, **win}),
            ),
            ("features", FunctionTransformer(summarize)),
            ("clf", LogisticRegression()),
        ]
    )


@pytest.fixture(scope="module")
def streams():
    return activity_streams()


def test_fit_predict_score_on_recordings(streams):
    recordings, labels = streams
    pipe = simple_pipeline().fit(recordings, labels)
    win, clf = pipe.named_steps["win"], pipe.named_steps["clf"]
    Xw, yw, _ = win.resample(recordings, labels)
    y_pred = pipe.predict(recordings)
    assert len(y_pred) == len(win.window_index(recordings)) == len(Xw)
    np.testing.assert_array_equal(y_pred, clf.predict(summarize(Xw)))
    assert pipe.predict_proba(recordings).shape == (len(Xw), 3)
    assert pipe.score(recordings, labels) == accuracy_score(yw, y_pred) > 0.9
    np.testing.assert_array_equal(pipe.classes_, ["sit", "stand", "walk"])


def test_score_uses_the_fit_rule_and_drops_mixed_windows(streams):
    recordings, labels = streams
    pipe = simple_pipeline(purity=1.0).fit(recordings, labels)
    Xw, yw, _ = pipe.named_steps["win"].resample(recordings, labels)
    assert len(Xw) < len(pipe.predict(recordings))
    expected = accuracy_score(yw, pipe.named_steps["clf"].predict(summarize(Xw)))
    assert pipe.score(recordings, labels) == expected


def test_score_windows_sample_weight_per_recording(streams):
    recordings, labels = streams
    pipe = simple_pipeline().fit(recordings, labels)
    weights = np.arange(1.0, len(recordings) + 1)
    Xw, yw, rec = pipe.named_steps["win"].resample(recordings, labels)
    y_pred = pipe.named_steps["clf"].predict(summarize(Xw))
    expected = accuracy_score(yw, y_pred, sample_weight=weights[rec])
    assert pipe.score(recordings, labels, sample_weight=weights) == pytest.approx(
        expected
    )


def test_final_estimator_gets_window_groups(streams):
    recordings, labels = streams
    subjects = np.arange(len(recordings)) // 3
    pipe = WindowPipeline(
        [("win", SlidingWindowTransformer(32, 16)), ("clf", GroupSpy())]
    )
    _, _, expected = pipe.named_steps["win"].fit_resample(recordings, labels, subjects)
    np.testing.assert_array_equal(
        pipe.fit(recordings, labels, groups=subjects)[-1].groups_, expected
    )
    # without groups, the final estimator gets none
    assert pipe.fit(recordings, labels)[-1].groups_ is None


def test_labels_per_recording():
    rng = np.random.default_rng(3)
    y = np.array(["a", "b", "c"] * 3)
    recordings = [
        rng.normal(size=(3, rng.integers(50, 120))) + 2.0 * "abc".index(label)
        for label in y
    ]
    pipe = simple_pipeline().fit(recordings, y)
    _, yw, gw = pipe.named_steps["win"].resample(recordings, y)
    np.testing.assert_array_equal(yw, y[gw])
    assert pipe.score(recordings, y) > 0.9


def test_grid_search_with_groups_over_window_length(streams):
    recordings, labels = streams
    subjects = np.arange(len(recordings)) // 3
    search = GridSearchCV(
        simple_pipeline(),
        {"win__window_length": [16, 32], "win__stride": [16]},
        cv=GroupKFold(3),
        scoring=window_scorer("f1_macro"),
    ).fit(recordings, labels, groups=subjects)
    results = search.cv_results_
    best = results["params"][int(np.argmax(results["mean_test_score"]))]
    assert search.best_params_ == best
    # the refitted pipeline windows with the winning length
    win = search.best_estimator_.named_steps["win"]
    assert win.window_length == best["win__window_length"]
    assert results["mean_test_score"].min() > 0.8
    # one fold by hand: train on two subjects, macro-F1 on the windows of the third
    train, test = next(GroupKFold(3).split(recordings, groups=subjects))
    pipe = clone(simple_pipeline()).set_params(win__window_length=16, win__stride=16)
    pipe.fit([recordings[i] for i in train], [labels[i] for i in train])
    rec_test, lab_test = [recordings[i] for i in test], [labels[i] for i in test]
    _, yw, _ = pipe.named_steps["win"].resample(rec_test, lab_test)
    expected = f1_score(yw, pipe.predict(rec_test), average="macro")
    assert search.cv_results_["split0_test_score"][0] == pytest.approx(expected)


def test_cross_val_score_with_default_score(streams):
    recordings, labels = streams
    scores = cross_val_score(
        simple_pipeline(),
        recordings,
        labels,
        groups=np.arange(len(recordings)) // 3,
        cv=GroupKFold(3),
    )
    assert scores.shape == (3,) and scores.min() > 0.8


def test_metadata_routing_passes_groups_to_fit(streams):
    recordings, labels = streams
    subjects = np.arange(len(recordings)) // 3
    with sklearn.config_context(enable_metadata_routing=True):
        pipe = WindowPipeline(
            [("win", SlidingWindowTransformer(32, 16)), ("clf", GroupSpy())]
        ).set_fit_request(groups=True)
        search = GridSearchCV(pipe, {"win__stride": [16]}, cv=GroupKFold(3))
        search.fit(recordings, labels, groups=subjects)
        groups_seen = np.unique(search.best_estimator_[-1].groups_)
        assert pipe.fit(recordings, labels).score(recordings, labels) > 0.9
    np.testing.assert_array_equal(groups_seen, np.unique(subjects))


def test_clone_params_and_make_pipeline():
    pipe = make_pipeline(SlidingWindowTransformer(64, 32), LogisticRegression())
    assert isinstance(pipe, WindowPipeline)
    params = clone(pipe).get_params()
    assert params["slidingwindowtransformer__window_length"] == 64
    pipe.set_params(slidingwindowtransformer__stride=8)
    assert pipe[0].stride == 8


def test_joblib_round_trip_in_a_fresh_process(streams, tmp_path):
    recordings, labels = streams
    pipe = simple_pipeline().fit(recordings, labels)
    joblib.dump((pipe, recordings), tmp_path / "pipe.joblib")
    code = (
        "import joblib, numpy as np;"
        f"pipe, recs = joblib.load({str(tmp_path / 'pipe.joblib')!r});"
        f"np.save({str(tmp_path / 'proba.npy')!r}, pipe.predict_proba(recs))"
    )
    # the pickle refers to this module's summarize: run where it can be imported
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parent)
    np.testing.assert_array_equal(
        np.load(tmp_path / "proba.npy"), pipe.predict_proba(recordings)
    )


def test_set_output_configures_the_2d_steps(streams):
    recordings, labels = streams
    pipe = WindowPipeline(
        [
            ("win", SlidingWindowTransformer(32, 16)),
            ("features", Summarize()),
            ("scale", StandardScaler()),
            ("clf", LogisticRegression()),
        ]
    ).set_output(transform="pandas")
    pipe.fit(recordings, labels)
    assert type(pipe[:-1].transform(recordings)).__name__ == "DataFrame"
    assert pipe.score(recordings, labels) > 0.9


class CountedWindows(SlidingWindowTransformer):
    """A window step that counts its fit_resample calls (in the class: clones)."""

    calls = 0

    def fit_resample(self, X, y, groups=None):
        type(self).calls += 1
        return super().fit_resample(X, y, groups)


def test_memory_caches_the_window_step(streams, tmp_path):
    recordings, labels = streams
    pipe = WindowPipeline(
        [("win", CountedWindows(32, 16)), ("clf", GroupSpy())],
        memory=str(tmp_path),
    )
    CountedWindows.calls = 0
    first = pipe.fit(recordings, labels).predict(recordings)
    assert CountedWindows.calls == 1
    # the second fit on the same recordings reads the windows from the cache
    second = pipe.fit(recordings, labels).predict(recordings)
    assert CountedWindows.calls == 1
    np.testing.assert_array_equal(second, first)
    assert pipe.named_steps["win"].n_channels_ == 3  # the cached step, fitted
    # new recordings are windowed again
    pipe.fit(recordings[:-1], labels[:-1])
    assert CountedWindows.calls == 2


def test_fit_transform_returns_training_windows(streams):
    recordings, labels = streams
    pipe = WindowPipeline(
        [
            ("win", SlidingWindowTransformer(32, 16, purity=1.0)),
            ("features", Summarize()),
        ]
    )
    Xt = pipe.fit_transform(recordings, labels)
    Xw, _, _ = pipe.named_steps["win"].resample(recordings, labels)
    np.testing.assert_array_equal(Xt, summarize(Xw))


def test_plain_sklearn_pipeline_predicts_on_recordings(streams):
    recordings, labels = streams
    fitted = simple_pipeline().fit(recordings, labels)
    plain = Pipeline(fitted.steps)
    np.testing.assert_array_equal(plain.predict(recordings), fitted.predict(recordings))


class WindowsWithoutResample(TransformerMixin, BaseEstimator):
    """A window step that can fit_resample but not resample."""

    def fit(self, X, y=None):
        self.win_ = SlidingWindowTransformer(32, 16).fit(X)
        return self

    def transform(self, X):
        return self.win_.transform(X)

    def fit_resample(self, X, y, groups=None):
        return self.fit(X).win_.resample(X, y, groups)


def test_score_needs_resample_on_window_steps(streams):
    recordings, labels = streams
    pipe = WindowPipeline(
        [
            ("win", WindowsWithoutResample()),
            ("features", FunctionTransformer(summarize)),
            ("clf", LogisticRegression()),
        ]
    ).fit(recordings, labels)
    assert len(pipe.predict(recordings)) == len(pipe[0].transform(recordings))
    with pytest.raises(TypeError, match="'win'.*no resample method"):
        pipe.score(recordings, labels)


def test_window_scorer_pickles_and_rejects_other_estimators(streams):
    recordings, labels = streams
    scorer = pickle.loads(pickle.dumps(window_scorer("f1_macro")))
    pipe = simple_pipeline().fit(recordings, labels)
    assert scorer(pipe, recordings, labels) > 0.9
    with pytest.raises(TypeError, match="scores a WindowPipeline"):
        scorer(Pipeline(pipe.steps), recordings, labels)


# -- real data: sktime's BasicMotions (smartwatch IMU, 6 channels, 10 Hz) ----------


@pytest.fixture(scope="module")
def basic_motions_streams():
    """10 streams of 8 BasicMotions cases (2 per activity, shuffled), 5 subjects.

    Each stream changes activity every 100 samples, so labels are per time step
    and some windows straddle two activities.
    """
    from sktime.datasets import load_basic_motions

    X, y = load_basic_motions(return_type="numpy3D")
    rng = np.random.default_rng(0)
    pool = {c: list(rng.permutation(np.flatnonzero(y == c))) for c in np.unique(y)}
    recordings, labels = [], []
    for _ in range(10):
        cases = rng.permutation([pool[c].pop() for c in pool for _ in range(2)])
        recordings.append(np.concatenate(list(X[cases]), axis=1))
        labels.append(np.repeat(y[cases], X.shape[2]))
    return recordings, labels, np.arange(10) // 2


def microbi_pipeline():
    clf = MicroBiClassifier(max_epochs=10, batch_size=32, n_threads=1, random_state=0)
    return WindowPipeline([("win", SlidingWindowTransformer(50, 25)), ("clf", clf)])


def test_microbi_pipeline_on_basic_motions_streams(basic_motions_streams):
    recordings, labels, subjects = basic_motions_streams
    train, test = np.flatnonzero(subjects < 4), np.flatnonzero(subjects == 4)
    pipe = microbi_pipeline().fit(
        [recordings[i] for i in train], [labels[i] for i in train], subjects[train]
    )
    test_recordings = [recordings[i] for i in test]
    test_labels = [labels[i] for i in test]
    y_pred = pipe.predict(test_recordings)
    assert len(y_pred) == 2 * ((800 - 50) // 25 + 1)
    assert pipe.score(test_recordings, test_labels) > 0.8
    np.testing.assert_array_equal(Pipeline(pipe.steps).predict(test_recordings), y_pred)

    search = GridSearchCV(
        microbi_pipeline(),
        {"win__window_length": [40, 50]},
        cv=GroupKFold(3),
        scoring=window_scorer("f1_macro"),
    ).fit(recordings, labels, groups=subjects)
    assert search.best_score_ > 0.8
    best_length = search.best_params_["win__window_length"]
    assert len(search.predict(recordings[:1])) == (800 - best_length) // 25 + 1
