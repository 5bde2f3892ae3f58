"""Predicting hours of recording in chunks: one call's output, bounded memory."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from skmicrobi import (
    MicroBiClassifier,
    SlidingWindowTransformer,
    StreamingPredictor,
    WindowPipeline,
)

RATE_HZ, N_CHANNELS = 50, 9
WINDOW_LENGTH, STRIDE = 128, 64
#: A minute of samples per chunk, deliberately not a multiple of the stride.
CHUNK = 60 * RATE_HZ + 7


def _recording(minutes: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A 9-channel 50 Hz recording, alternating activities of 30 s to 3 min."""
    rng = np.random.default_rng(seed)
    n = minutes * 60 * RATE_HZ
    runs = rng.integers(30 * RATE_HZ, 180 * RATE_HZ, size=n // (30 * RATE_HZ) + 1)
    labels = np.repeat(np.arange(len(runs)) % 2, runs)[:n]  # rest, move, ...
    x = rng.normal(scale=0.5, size=(N_CHANNELS, n)).astype(np.float32)
    x[0] += labels * np.sin(np.arange(n) / 4).astype(np.float32)
    x[1] += labels
    return x, labels


@pytest.fixture(scope="module")
def pipeline():
    x, labels = _recording(minutes=6, seed=0)
    pipe = WindowPipeline(
        [
            ("win", SlidingWindowTransformer(WINDOW_LENGTH, STRIDE, purity=1.0)),
            (
                "clf",
                MicroBiClassifier(
                    conv_channels=(4, 4),
                    lstm_hidden=4,
                    max_epochs=3,
                    early_stopping=False,
                    random_state=0,
                ),
            ),
        ]
    )
    return pipe.fit([x], [labels])


@pytest.fixture(scope="module")
def saved_streams(tmp_path_factory):
    """A 10-minute and a 40-minute recording saved as .npy, read as memmaps."""
    folder = tmp_path_factory.mktemp("streams")
    paths = {}
    for minutes in (10, 40):
        x, _ = _recording(minutes, seed=minutes)
        paths[minutes] = folder / f"{minutes}min.npy"
        np.save(paths[minutes], x)
    return paths


def predict_in_chunks(pipe, recording, method="predict"):
    """Predict a long recording chunk by chunk: state is one window, not the stream."""
    stream = StreamingPredictor(pipe, method=method)
    outputs = [
        stream.update(recording[:, start : start + CHUNK])
        for start in range(0, recording.shape[1], CHUNK)
    ]
    return np.concatenate(outputs)


def test_chunked_prediction_equals_one_call(pipeline, saved_streams):
    recording = np.load(saved_streams[10], mmap_mode="r")
    one_call = pipeline.predict_proba([recording])
    chunked = predict_in_chunks(pipeline, recording, method="predict_proba")
    assert chunked.shape == one_call.shape == (467, 2)
    np.testing.assert_allclose(chunked, one_call, atol=1e-6)
    labels = predict_in_chunks(pipeline, recording)
    np.testing.assert_array_equal(labels, pipeline.predict([recording]))
    assert len(np.unique(labels)) == 2  # a model that predicts something


def _peak_bytes(fn) -> int:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_chunked_prediction_memory_does_not_grow_with_the_stream(
    pipeline, saved_streams
):
    short = np.load(saved_streams[10], mmap_mode="r")
    long = np.load(saved_streams[40], mmap_mode="r")
    chunked_short = _peak_bytes(lambda: predict_in_chunks(pipeline, short))
    chunked_long = _peak_bytes(lambda: predict_in_chunks(pipeline, long))
    one_call_long = _peak_bytes(lambda: pipeline.predict([long]))
    n_windows_long = (long.shape[1] - WINDOW_LENGTH) // STRIDE + 1
    # 4x the stream: only the outputs (one int64 label per window) and the list
    # holding them may grow, not the windows or the chunks
    growth = chunked_long - chunked_short
    assert growth < 64 * n_windows_long + 2**20, growth
    # while one call holds every window of the long stream
    assert one_call_long > n_windows_long * N_CHANNELS * WINDOW_LENGTH * 4
    assert chunked_long < one_call_long / 8
