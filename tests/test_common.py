"""scikit-learn's estimator checks over every public estimator."""

import numpy as np
import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from skmicrobi import (
    Int8Quantizer,
    MicroBiClassifier,
    SlidingWindowTransformer,
    StreamingPredictor,
)


def _expected_failed_checks(estimator):
    if isinstance(estimator, MicroBiClassifier):
        # The network computes in float32: torch's CPU kernels may sum in another
        # order for another batch size, so an output can move by an ulp (2e-7 on
        # a logit of 0.58) between X and a subset of X, past the check's
        # atol=1e-7. It passes or not with the trained weights; test_classifier's
        # test_predictions_do_not_depend_on_the_batch holds it to float32's rtol.
        return {
            "check_methods_subset_invariance": "float32 outputs, 1-ulp differences"
        }
    return {}


@parametrize_with_checks(
    [
        # The checks pass tabular data: each row is read as a one-channel series of
        # n_features time points, often only 2-5 long, shorter than the default
        # 4x pooling; without pooling the same network passes them all.
        MicroBiClassifier(
            max_epochs=10, lr=1e-2, pool_sizes=(1, 1), n_threads=1, random_state=0
        ),
    ],
    expected_failed_checks=_expected_failed_checks,
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


# -- one input, one error ---------------------------------------------------------


def _fit_classifier(X):
    MicroBiClassifier(max_epochs=1).fit(X, np.arange(len(X)) % 2)


def _fit_windows(X):
    SlidingWindowTransformer(2, 1).fit(X)


def _fit_quantizer(X):
    Int8Quantizer(MicroBiClassifier(max_epochs=1)).fit(X, np.arange(len(X)) % 2)


def _stream(X):
    clf = MicroBiClassifier(max_epochs=1, pool_sizes=(1, 1), early_stopping=False)
    clf.fit(np.zeros((2, 2, 4)), [0, 1])
    StreamingPredictor(clf, window_length=4, stride=1).update(X[0])


_READERS = [_fit_classifier, _fit_windows, _fit_quantizer, _stream]


@pytest.mark.parametrize("read", _READERS)
@pytest.mark.parametrize(
    "X, error, match",
    [
        (np.full((4, 2, 8), "a"), ValueError, "real numbers, got dtype <U1"),
        (np.zeros((4, 2, 8), dtype=complex), ValueError, "Complex data not supported"),
        (np.full((4, 2, 8), {}, dtype=object), TypeError, "argument must be a string"),
        (np.full((4, 2, 8), np.nan), ValueError, "NaN"),
    ],
    ids=["strings", "complex", "objects", "nan"],
)
def test_one_input_gets_one_error_everywhere(read, X, error, match):
    # Windows, recordings and stream chunks go through one validator
    # (skmicrobi._validation), so the same bad values raise the same error.
    with pytest.raises(error, match=match):
        read(X)
