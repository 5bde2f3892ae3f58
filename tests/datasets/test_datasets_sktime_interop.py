"""What sktime's loaders return goes straight into the windowing and the classifier."""

from __future__ import annotations

import numpy as np
import pytest
from sktime.classification.feature_based import SummaryClassifier
from sktime.datasets import load_basic_motions

from skmicrobi import MicroBiClassifier, SlidingWindowTransformer


@pytest.fixture(scope="module")
def basic_motions():
    return {
        (split, mtype): load_basic_motions(split=split, return_type=mtype)
        for split in ("train", "test")
        for mtype in ("nested_univ", "numpy3D")
    }


def test_microbi_beside_an_sktime_classifier(basic_motions):
    """Both fit sktime's nested DataFrame as loaded, and both learn BasicMotions."""
    X_train, y_train = basic_motions["train", "nested_univ"]
    X_test, y_test = basic_motions["test", "nested_univ"]
    microbi = MicroBiClassifier(max_epochs=60, random_state=0, n_threads=1)
    microbi.fit(X_train, y_train)
    summary = SummaryClassifier(random_state=0).fit(X_train, y_train)
    scores = {
        "microbi": microbi.score(X_test, y_test),
        "sktime SummaryClassifier": summary.score(X_test, y_test),
    }
    assert min(scores.values()) >= 0.85, scores
    assert set(microbi.classes_) == set(np.unique(y_train))  # string labels
    # The same test data as numpy3D gets the same predictions.
    X3_test, _ = basic_motions["test", "numpy3D"]
    np.testing.assert_array_equal(microbi.predict(X3_test), microbi.predict(X_test))


def test_windowing_accepts_sktime_panels(basic_motions):
    X_nested, y = basic_motions["train", "nested_univ"]
    X3, _ = basic_motions["train", "numpy3D"]
    win = SlidingWindowTransformer(window_length=50, stride=25)
    Xw_nested, yw_nested, _ = win.fit_resample(X_nested, y)
    Xw_3d, yw_3d, _ = win.fit_resample(X3, y)
    assert Xw_nested.shape == (len(y) * 3, 6, 50)
    np.testing.assert_allclose(Xw_nested, Xw_3d)
    np.testing.assert_array_equal(yw_nested, yw_3d)
