"""Shared fixtures: real data from sktime's bundled BasicMotions and ../shared/data."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]

if os.environ.get("PYTEST_XDIST_WORKER"):
    # Each xdist worker gets one core's worth of torch threads: two workers with
    # two threads each on CI's two cores slow small-batch training ten-fold.
    import torch

    torch.set_num_threads(1)


def shared_data_dir() -> Path:
    """The read-only real-data folder ($SKMICROBI_SHARED_DATA or ../shared/data)."""
    default = ROOT.parent / "shared" / "data"
    return Path(os.environ.get("SKMICROBI_SHARED_DATA", default))


@pytest.fixture(scope="session")
def basic_motions():
    """BasicMotions (smartwatch IMU, 6 x 100, 4 classes), train and test splits."""
    from sktime.datasets import load_basic_motions

    X_train, y_train = load_basic_motions(split="train", return_type="numpy3D")
    X_test, y_test = load_basic_motions(split="test", return_type="numpy3D")
    return (
        X_train.astype(np.float32),
        np.asarray(y_train),
        X_test.astype(np.float32),
        np.asarray(y_test),
    )


@pytest.fixture(scope="session")
def basic_motions_quantizer(basic_motions):
    """An Int8Quantizer around a MicroBiClassifier trained 3 epochs on BasicMotions
    (the C export's tests, on the host and under QEMU)."""
    from sklearn.frozen import FrozenEstimator

    from skmicrobi import Int8Quantizer, MicroBiClassifier

    X_train, y_train, _, _ = basic_motions
    clf = MicroBiClassifier(max_epochs=3, early_stopping=False, random_state=0)
    clf.fit(X_train, y_train)
    return Int8Quantizer(FrozenEstimator(clf)).fit(X_train, y_train)


@pytest.fixture(scope="session")
def toy_windows():
    """Small separable 3-channel windows with string labels, quick to train on."""
    rng = np.random.default_rng(0)
    n, t = 90, 16
    y = np.array(["sit", "walk", "run"])[np.arange(n) % 3]
    freq = {"sit": 0.0, "walk": 1.0, "run": 3.0}
    steps = np.arange(t)
    X = rng.normal(scale=0.3, size=(n, 3, t))
    for i, label in enumerate(y):
        X[i, 0] += np.sin(2 * np.pi * freq[label] * steps / t)
        X[i, 1] += freq[label]
    return X.astype(np.float32), y
