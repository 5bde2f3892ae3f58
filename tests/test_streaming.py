"""StreamingPredictor: chunks of any size give the windows of batch windowing."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import FunctionTransformer

from skmicrobi import SlidingWindowTransformer, StreamingPredictor, WindowPipeline


def flatten(windows):
    return windows.reshape(len(windows), -1)


def summarize(windows):
    return np.concatenate([windows.mean(axis=2), windows.std(axis=2)], axis=1)


def identity_windows():
    """A fitted 'estimator' whose transform returns each window, flattened."""
    return FunctionTransformer(flatten).fit(np.zeros((1, 1)))


def chunk_sizes(total, cuts):
    """Split ``total`` samples at the sorted ``cuts`` (repeats give empty chunks)."""
    bounds = [0, *sorted(c % (total + 1) for c in cuts), total]
    return np.diff(bounds)


@settings(max_examples=150, deadline=None)
@given(
    T=st.integers(1, 120),
    n_channels=st.integers(1, 3),
    L=st.integers(1, 20),
    s=st.integers(1, 25),
    cuts=st.lists(st.integers(0, 10**6), max_size=30),
    seed=st.integers(0, 2**16),
)
def test_random_chunks_equal_batch_windowing(T, n_channels, L, s, cuts, seed):
    stream = np.random.default_rng(seed).normal(size=(n_channels, T))
    predictor = StreamingPredictor(identity_windows(), L, s, method="transform")
    outputs, position = [], 0
    for size in chunk_sizes(T, cuts):
        outputs.append(predictor.update(stream[:, position : position + size]))
        position += size
        # one window of state, never more
        assert predictor._buffer.shape == (n_channels, L)
        assert predictor._n_buffered < L
    n_expected = (T - L) // s + 1 if T >= L else 0
    assert sum(map(len, outputs)) == predictor.n_windows_ == n_expected
    assert predictor.n_samples_seen_ == T
    if n_expected:
        streamed = np.concatenate([o for o in outputs if len(o)])
        batch = SlidingWindowTransformer(L, s).fit_transform([stream])
        np.testing.assert_array_equal(streamed, flatten(batch))


@pytest.fixture(scope="module")
def fitted_pipeline():
    rng = np.random.default_rng(0)
    recordings = [rng.normal(size=(2, 300)) + 2 * (i % 3) for i in range(6)]
    pipe = WindowPipeline(
        [
            ("win", SlidingWindowTransformer(40, 15)),
            ("features", FunctionTransformer(summarize)),
            ("clf", LogisticRegression()),
        ]
    )
    return pipe.fit(recordings, ["sit", "stand", "walk"] * 2)


def test_one_sample_at_a_time_matches_pipeline_predict(fitted_pipeline):
    rng = np.random.default_rng(1)
    stream = np.concatenate(
        [rng.normal(size=(2, 90)) + 2 * level for level in (0, 2, 1, 0)], axis=1
    )
    predictor = StreamingPredictor(fitted_pipeline)
    streamed = np.concatenate([predictor.update(stream[:, [t]]) for t in range(360)])
    np.testing.assert_array_equal(streamed, fitted_pipeline.predict([stream]))
    assert set(streamed) == {"sit", "stand", "walk"}


def test_predict_proba_and_empty_outputs(fitted_pipeline):
    predictor = StreamingPredictor(fitted_pipeline, method="predict_proba")
    assert predictor.update(np.zeros((2, 39))).shape == (0, 3)
    proba = predictor.update(np.zeros((2, 31)))
    assert proba.shape == (3, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    empty = StreamingPredictor(fitted_pipeline).update(np.zeros((2, 5)))
    assert empty.shape == (0,) and empty.dtype == fitted_pipeline.classes_.dtype


def test_reset_starts_a_new_stream(fitted_pipeline):
    predictor = StreamingPredictor(fitted_pipeline)
    predictor.update(np.ones((2, 70)))
    predictor.reset()
    assert predictor.n_samples_seen_ == 0 and predictor.n_windows_ == 0
    assert len(predictor.update(np.ones((2, 40)))) == 1


def test_window_level_estimator_needs_window_length(fitted_pipeline):
    clf = fitted_pipeline[1:]
    with pytest.raises(ValueError, match="window_length is required"):
        StreamingPredictor(clf)
    with pytest.raises(ValueError, match="stride must be an integer >= 1"):
        StreamingPredictor(clf, 40, 0)
    with pytest.raises(ValueError, match="window_length must be an integer >= 1"):
        StreamingPredictor(clf, True, 15)  # not 1
    with pytest.raises(ValueError, match="window_length=50 differs.*40"):
        StreamingPredictor(fitted_pipeline, window_length=50)
    with pytest.raises(ValueError, match="no method 'transform'"):
        StreamingPredictor(clf, 40, 15, method="transform")


def test_bad_chunks(fitted_pipeline):
    predictor = StreamingPredictor(fitted_pipeline)
    with pytest.raises(ValueError, match="chunk has 3 channels but the stream has 2"):
        predictor.update(np.zeros((3, 10)))
    with pytest.raises(ValueError, match="must be 2D.*shape \\(C, 1\\)"):
        predictor.update(np.zeros(2))
    with pytest.raises(ValueError, match="NaN"):
        predictor.update(np.array([[0.0, np.nan], [0.0, 0.0]]))
    with pytest.raises(ValueError, match="real numbers"):
        predictor.update(np.array([["a"], ["b"]]))
    # a rejected chunk leaves the stream as it was
    assert predictor.n_samples_seen_ == 0


def test_unfitted_estimator_is_refused():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        StreamingPredictor(LogisticRegression(), 40, 20)


def fails_once():
    """A fitted transformer of windows whose first call raises (a transient fault)."""
    calls = []

    def transform(windows):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("transient")
        return flatten(windows)

    return FunctionTransformer(transform).fit(np.zeros((1, 1)))


def test_a_failed_predict_loses_no_window():
    """If the estimator raises, the stream is unchanged; a retry gives every window."""
    stream = np.random.default_rng(2).normal(size=(2, 200))
    predictor = StreamingPredictor(fails_once(), 40, 15, method="transform")
    outputs = [predictor.update(stream[:, :30])]
    with pytest.raises(RuntimeError, match="transient"):
        predictor.update(stream[:, 30:120])
    assert predictor.n_samples_seen_ == 30 and predictor.n_windows_ == 0
    outputs += [predictor.update(stream[:, 30:120]), predictor.update(stream[:, 120:])]
    batch = SlidingWindowTransformer(40, 15).fit_transform([stream])
    streamed = np.concatenate([o for o in outputs if len(o)])
    np.testing.assert_array_equal(streamed, flatten(batch))


def test_values_beyond_float32_are_refused_and_lose_no_window(fitted_pipeline):
    """A finite float64 1e39 would be inf in the float32 buffer: refuse the chunk."""
    rng = np.random.default_rng(3)
    stream = rng.normal(size=(2, 200))
    chunks = [stream[:, i : i + 20] for i in range(0, 200, 20)]
    predictor = StreamingPredictor(fitted_pipeline)
    outputs = [predictor.update(c) for c in chunks[:4]]
    bad = chunks[4].copy()
    bad[1, 3] = 1e39
    with pytest.raises(ValueError, match="beyond float32's range.*1e\\+39"):
        predictor.update(bad)
    outputs += [predictor.update(c) for c in chunks[4:]]
    streamed = np.concatenate(outputs)
    assert len(streamed) == (200 - 40) // 15 + 1 == 11
    np.testing.assert_array_equal(streamed, fitted_pipeline.predict([stream]))
