"""scikit-learn's estimator checks over every public estimator, and one input error."""

import warnings

import numpy as np
import pytest
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from skmicrobi import (
    Int8Quantizer,
    MicroBiClassifier,
    SlidingWindowTransformer,
    StreamingPredictor,
    WindowPipeline,
)
from skmicrobi.exceptions import ShortRecordingWarning


def _fast_classifier() -> MicroBiClassifier:
    # The checks pass tabular data: each row is read as a one-channel series of
    # n_features time points, often only 2-5 long, shorter than the default 4x
    # pooling; without pooling the same network passes them all.
    return MicroBiClassifier(
        max_epochs=10, lr=1e-2, pool_sizes=(1, 1), n_threads=1, random_state=0
    )


class Flatten(TransformerMixin, BaseEstimator):
    """Windows ``(n, channels, time)`` as rows for a tabular classifier.

    A class rather than ``FunctionTransformer(func)``: the test ids hold the
    estimators' repr, which must not hold a function's address (pytest-xdist
    workers must collect the same ids).
    """

    def fit(self, X, y=None):
        return self

    def transform(self, X):
        return np.asarray(X).reshape(len(X), -1)


# Why a check cannot apply; every expected failure names one of these.
_SAMPLES_CHANGE = (
    "windowing changes the number of samples: a row yields several windows"
)
_ANY_LENGTH = (
    "recordings may have any number of time steps; transform checks the channel "
    "count (n_channels_), not n_features_in_"
)
_EMPTY_RECORDING = (
    "an empty recording is reported as such ('Recording 0 of X is empty'), not in "
    "terms of features"
)
_PIPELINE_STEPS = (
    "as scikit-learn's own Pipeline (its expected failure for these checks): fit "
    "fits the estimators in `steps` in place"
)

ESTIMATORS = [
    _fast_classifier(),
    # The float classifier and the calibration: every fit trains, calibrates and
    # builds the integer model, and predict runs the integer engine.
    Int8Quantizer(_fast_classifier(), random_state=0),
    # The checks pass tabular rows of 2-5 values: each row is a one-channel
    # recording, so windows of 2 fit every row.
    SlidingWindowTransformer(window_length=2, stride=1),
    # Without a window step: a Pipeline, run as scikit-learn runs its own.
    WindowPipeline([("scale", StandardScaler()), ("clf", LogisticRegression())]),
    # With one: each row is a recording cut into windows, a window per prediction.
    WindowPipeline(
        [
            ("win", SlidingWindowTransformer(window_length=2, stride=1)),
            ("flat", Flatten()),
            ("clf", LogisticRegression()),
        ]
    ),
]


#: The network computes in float32: torch's CPU kernels may sum in another order
#: for another batch size, so an output can move by an ulp (2e-7 on a logit of
#: 0.58) between X and a subset of X, past the check's atol=1e-7. It passes or not
#: with the trained weights; test_classifier's
#: test_predictions_do_not_depend_on_the_batch holds it to float32's rtol.
_FLOAT32_ULP = "float32 outputs, 1-ulp differences"


def _expected_failed_checks(estimator) -> dict[str, str]:
    if isinstance(estimator, MicroBiClassifier):
        return {"check_methods_subset_invariance": _FLOAT32_ULP}
    if isinstance(estimator, SlidingWindowTransformer):
        return {
            "check_transformer_general": _SAMPLES_CHANGE,
            "check_transformer_data_not_an_array": _SAMPLES_CHANGE,
            "check_methods_sample_order_invariance": _SAMPLES_CHANGE,
            "check_n_features_in": _ANY_LENGTH,
            "check_n_features_in_after_fitting": _ANY_LENGTH,
            "check_estimators_empty_data_messages": _EMPTY_RECORDING,
        }
    if not isinstance(estimator, WindowPipeline):
        return {}
    failed = {
        "check_dont_overwrite_parameters": _PIPELINE_STEPS,
        "check_estimators_overwrite_params": _PIPELINE_STEPS,
    }
    if "win" in estimator.named_steps:
        failed.update(
            {
                "check_methods_sample_order_invariance": _SAMPLES_CHANGE,
                "check_classifiers_train": _ANY_LENGTH,
                "check_n_features_in": _ANY_LENGTH,
                "check_n_features_in_after_fitting": _ANY_LENGTH,
                "check_estimators_empty_data_messages": _EMPTY_RECORDING,
                "check_fit2d_1feature": (
                    "a recording of one time step gives no window of 2; the error "
                    "says so in windows, not features"
                ),
                "check_supervised_y_2d": (
                    "a 2D y is one label per time step (n_recordings, n_timepoints), "
                    "not a column of one label per recording"
                ),
            }
        )
    return failed



@parametrize_with_checks(
    ESTIMATORS, expected_failed_checks=_expected_failed_checks, xfail_strict=True
)
def test_sklearn_compatible_estimator(estimator, check):
    with warnings.catch_warnings():
        # rows shorter than a window are dropped with this warning, by design
        warnings.simplefilter("ignore", ShortRecordingWarning)
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
