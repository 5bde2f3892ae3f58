"""Int8Quantizer: the scikit-learn contract of the INT8 model, and its accuracy."""

import warnings

import joblib
import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer
from sktime.datasets import load_basic_motions

from skmicrobi import (
    Int8Quantizer,
    MicroBiClassifier,
    SlidingWindowTransformer,
    WindowPipeline,
)
from skmicrobi.quantization import InputSaturationWarning

TINY = {"max_epochs": 2, "early_stopping": False, "random_state": 0}


@pytest.fixture(scope="module")
def basic_motions():
    X_train, y_train = load_basic_motions(split="train", return_type="numpy3D")
    X_test, y_test = load_basic_motions(split="test", return_type="numpy3D")
    return X_train, y_train, X_test, y_test


@pytest.fixture(scope="module")
def trained(basic_motions):
    X_train, y_train, _, _ = basic_motions
    clf = MicroBiClassifier(
        max_epochs=10, batch_size=8, early_stopping=False, random_state=0
    )
    return clf.fit(X_train, y_train)


@pytest.fixture(scope="module")
def quantizer(trained, basic_motions):
    X_train, y_train, _, _ = basic_motions
    return Int8Quantizer(FrozenEstimator(trained)).fit(X_train, y_train)


@pytest.fixture(scope="module")
def small():
    """Two separable classes, 3 channels x 32 steps, for the contract tests."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(48, 3, 32)).astype(np.float32)
    y = np.repeat(["still", "moving"], 24)
    X[y == "moving", 0] += 2.0 * np.sin(np.arange(32) / 2.0)
    return X, y


def test_int8_macro_f1_within_half_a_point_of_float(quantizer, trained, basic_motions):
    _, _, X_test, y_test = basic_motions
    f1_float = f1_score(y_test, trained.predict(X_test), average="macro")
    f1_int8 = f1_score(y_test, quantizer.predict(X_test), average="macro")
    assert f1_float >= 0.85
    assert f1_int8 >= f1_float - 0.005
    assert np.mean(quantizer.predict(X_test) == trained.predict(X_test)) >= 0.95
    assert quantizer.score(X_test, y_test) == pytest.approx(
        np.mean(quantizer.predict(X_test) == y_test)
    )


def test_frozen_estimator_is_used_as_is(quantizer, trained):
    assert quantizer.estimator_ is trained
    assert list(quantizer.classes_) == list(trained.classes_)
    assert quantizer.n_features_in_ == trained.n_features_in_


def test_probabilities_follow_dequantised_logits(quantizer, basic_motions):
    _, _, X_test, _ = basic_motions
    proba = quantizer.predict_proba(X_test)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    scores = quantizer.decision_function(X_test)
    assert np.array_equal(
        quantizer.classes_[scores.argmax(axis=1)], quantizer.predict(X_test)
    )
    assert np.array_equal(proba.argmax(axis=1), scores.argmax(axis=1))
    # The dequantised logits stay close to the float network's.
    float_scores = quantizer.estimator_.decision_function(X_test)
    assert np.abs(scores - float_scores).max() < 0.1 * np.abs(float_scores).max()


def test_footprint_and_calibration_report(quantizer):
    fp = quantizer.footprint_
    parts = ["weights_bytes", "biases_bytes", "scales_bytes", "tables_bytes"]
    assert fp["total_bytes"] == sum(fp[k] for k in parts)
    # int8 weights: about one byte per parameter (BatchNorm is folded away).
    assert fp["weights_bytes"] < fp["n_parameters"] < fp["total_bytes"] * 1.2
    assert fp["scratch_bytes"] > 0 and fp["input_bytes"] == 2 * 6 * 100
    assert "object_bytes" not in fp  # compiling is the export's job, not fit's
    scores = quantizer.calibration_scores_
    assert scores["n_windows"] == 40 and scores["n_saturated"] == 0
    assert scores["agreement"] >= 0.95
    assert abs(scores["f1_macro_float"] - scores["f1_macro_int8"]) <= 0.05


def test_saturating_inputs_warn(quantizer, basic_motions):
    X = basic_motions[2][:3].copy()
    X[0, 0, :4] = 1e6
    with pytest.warns(InputSaturationWarning, match="4 of 1800 input values"):
        pred = quantizer.predict(X)
    assert pred.shape == (3,)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        quantizer.predict(basic_motions[2][:3])


def test_predict_in_batches_matches_the_engine_and_warns_once(
    quantizer, basic_motions, monkeypatch
):
    from skmicrobi import quantization
    from skmicrobi.int8 import predict_logits

    X = basic_motions[2][:10].copy()
    X[1, 0, 0] = X[8, 1, 5] = 1e6  # saturated values in two different batches
    with pytest.warns(InputSaturationWarning):
        whole = predict_logits(quantizer.integer_model_, quantizer.quantize_input(X))
    monkeypatch.setattr(quantization, "PREDICT_BATCH_SIZE", 3)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        scores = quantizer.decision_function(X)
    saturation = [w for w in caught if w.category is InputSaturationWarning]
    assert len(saturation) == 1 and "2 of 6000 input values" in str(saturation[0])
    np.testing.assert_array_equal(scores, whole * quantizer.integer_model_.logit_scale)


def test_binary_decision_function_is_one_score_per_window(small):
    X, y = small
    q = Int8Quantizer(MicroBiClassifier(**TINY)).fit(X, y)
    scores = q.decision_function(X)
    assert scores.shape == (len(X),)
    # scikit-learn's convention, as the float classifier: > 0 means classes_[1]
    assert np.array_equal(q.classes_[(scores > 0).astype(int)], q.predict(X))
    assert q.estimator_.decision_function(X).shape == (len(X),)


def test_quantize_input_matches_documented_scale(quantizer, basic_motions):
    X = basic_motions[2][:2]
    q = quantizer.quantize_input(X)
    scale = quantizer.integer_model_.input_scale
    assert q.dtype == np.int16
    np.testing.assert_allclose(q * scale[None, :, None], X, atol=scale.max())


def test_two_d_windows_are_one_channel(small):
    X, y = small
    X2 = X[:, 0]  # (n_samples, n_timepoints)
    q = Int8Quantizer(MicroBiClassifier(**TINY)).fit(X2, y)
    assert q.integer_model_.n_channels == 1 and q.n_features_in_ == 32
    # the calibration report compares with the float classifier on 2D windows too
    agreement = np.mean(q.predict(X2) == q.estimator_.predict(X2))
    assert q.calibration_scores_["agreement"] == agreement
    with pytest.raises(ValueError, match="X has 1 features, but Int8Quantizer is"):
        q.predict(X2[:, None])  # n_features_in_ is checked, as for the classifier


def test_fit_trains_a_clone(small):
    X, y = small
    clf = MicroBiClassifier(**TINY)
    q = Int8Quantizer(clf).fit(X, y)
    assert q.estimator_ is not clf and not hasattr(clf, "module_")
    assert set(q.predict(X)) <= {"still", "moving"}


def test_explicit_input_scale_and_percentile(small):
    X, y = small
    q = Int8Quantizer(
        MicroBiClassifier(**TINY),
        method="percentile",
        percentile=99.0,
        input_scale=1e-3,
    ).fit(X, y)
    np.testing.assert_array_equal(q.integer_model_.input_scale, np.full(3, 1e-3))
    # 1e-3 * 32767 = 32.8 covers the data, so nothing saturates.
    assert q.calibration_scores_["n_saturated"] == 0
    per_channel = Int8Quantizer(
        FrozenEstimator(q.estimator_), input_scale=[1e-3, 2e-3, 4e-3]
    ).fit(X, y)
    np.testing.assert_array_equal(
        per_channel.integer_model_.input_scale, [1e-3, 2e-3, 4e-3]
    )


def test_calibration_subset_is_seeded(small):
    X, y = small
    clf = FrozenEstimator(MicroBiClassifier(**TINY).fit(X, y))
    a = Int8Quantizer(
        clf, calibration_size=10, random_state=1
    )
    b = clone(a)
    a.fit(X, y)
    b.fit(X, y)
    assert a.calibration_scores_["n_windows"] == 10
    np.testing.assert_array_equal(
        a.integer_model_.input_scale, b.integer_model_.input_scale
    )
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))


def test_grid_search_and_cross_val_score_measure_int8(small):
    X, y = small
    # A coarse input step makes the INT8 model disagree with the float one on
    # some windows, so that their scores tell them apart.
    clf = MicroBiClassifier(max_epochs=8, lr=1e-2, early_stopping=False, random_state=0)
    q = Int8Quantizer(clf, input_scale=0.5)
    assert "estimator__lstm_hidden" in q.get_params()
    cv = StratifiedKFold(2)
    search = GridSearchCV(
        q, {"estimator__lstm_hidden": [4, 8]}, cv=cv, scoring="f1_macro"
    ).fit(X, y)
    results = search.cv_results_
    best = int(np.argmax(results["mean_test_score"]))
    assert search.best_params_ == results["params"][best]
    assert (
        search.best_estimator_.integer_model_.hidden_size
        == search.best_params_["estimator__lstm_hidden"]
    )
    # Each split's score is the macro-F1 of the INT8 predictions, not the float ones.
    int8_scores, float_scores = [], []
    for train, test in cv.split(X, y):
        fitted = clone(q).set_params(**search.best_params_).fit(X[train], y[train])
        int8_scores.append(f1_score(y[test], fitted.predict(X[test]), average="macro"))
        float_pred = fitted.estimator_.predict(X[test])
        float_scores.append(f1_score(y[test], float_pred, average="macro"))
    split_scores = [results[f"split{i}_test_score"][best] for i in range(2)]
    assert split_scores == int8_scores
    assert int8_scores != float_scores
    best_q = clone(q).set_params(**search.best_params_)
    scores = cross_val_score(best_q, X, y, cv=cv, scoring="f1_macro")
    assert scores.tolist() == int8_scores


def test_last_step_of_a_pipeline(small):
    X, y = small
    pipe = Pipeline(
        [
            ("gain", FunctionTransformer(lambda a: 2.0 * a)),
            (
                "int8",
                Int8Quantizer(MicroBiClassifier(**TINY)),
            ),
        ]
    ).fit(X, y)
    assert pipe.predict(X).shape == (48,)
    assert pipe.predict_proba(X).shape == (48, 2)


def test_last_step_of_a_window_pipeline(basic_motions):
    X_train, y_train, X_test, _ = basic_motions
    pipe = WindowPipeline(
        [
            ("windows", SlidingWindowTransformer(window_length=50, stride=25)),
            (
                "int8",
                Int8Quantizer(MicroBiClassifier(**TINY)),
            ),
        ]
    ).fit(X_train[:12], y_train[:12])
    assert pipe[-1].integer_model_.n_timepoints == 50
    assert pipe.predict(X_test[:2]).shape == (6,)  # three windows per recording


def test_joblib_round_trip(quantizer, basic_motions, tmp_path):
    X = basic_motions[2]
    before = quantizer.predict_proba(X)
    joblib.dump(quantizer, tmp_path / "q.joblib")
    # Saving must leave the fitted model as it was.
    np.testing.assert_array_equal(quantizer.predict_proba(X), before)
    assert quantizer.estimator_.module_ is not None
    loaded = joblib.load(tmp_path / "q.joblib")
    np.testing.assert_array_equal(loaded.predict_proba(X), before)
    assert loaded.footprint_ == quantizer.footprint_


# -- bad input -------------------------------------------------------------------
def test_unfitted_frozen_estimator(small):
    X, y = small
    with pytest.raises(NotFittedError, match="inside FrozenEstimator is not fitted"):
        Int8Quantizer(FrozenEstimator(MicroBiClassifier())).fit(X, y)


def test_predict_before_fit(small):
    with pytest.raises(NotFittedError):
        Int8Quantizer(MicroBiClassifier()).predict(small[0])


@pytest.mark.parametrize(
    "estimator",
    [LogisticRegression(), FrozenEstimator(LogisticRegression())],
    ids=["plain", "frozen"],
)
def test_non_microbi_estimator(small, estimator):
    X, y = small
    with pytest.raises(TypeError, match="quantizes a MicroBiClassifier"):
        Int8Quantizer(estimator).fit(X, y)


class _LinearNet(torch.nn.Module):
    """Not a MicroBiConvLSTM, but trainable by MicroBiClassifier's machinery."""

    def __init__(self, n_channels, n_classes):
        super().__init__()
        self.register_buffer("input_mean", torch.zeros(n_channels))
        self.register_buffer("input_scale", torch.ones(n_channels))
        self.linear = torch.nn.Linear(n_channels, n_classes)

    def forward(self, x):
        return self.linear(x.mean(dim=2))


def test_classifier_training_another_network(small):
    X, y = small
    with pytest.raises(TypeError, match="trained a _LinearNet"):
        Int8Quantizer(MicroBiClassifier(module=_LinearNet, **TINY)).fit(X, y)


def test_calibration_data_with_nan(small, trained):
    X, y = small
    X = X.copy()
    X[0, 0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        Int8Quantizer(MicroBiClassifier(**TINY)).fit(X, y)


def test_calibration_data_of_the_wrong_shape(trained, basic_motions):
    X_train, y_train, _, _ = basic_motions
    frozen = FrozenEstimator(trained)
    with pytest.raises(ValueError, match="fitted on"):
        Int8Quantizer(frozen).fit(X_train[:, :3], y_train)
    with pytest.raises(ValueError, match="fitted on"):
        Int8Quantizer(frozen).fit(X_train[:, :, :50], y_train)
    with pytest.raises(ValueError, match="labels"):
        Int8Quantizer(frozen).fit(X_train, y_train[:5])


def test_predict_on_the_wrong_shape(quantizer, basic_motions):
    with pytest.raises(ValueError, match="fitted on"):
        quantizer.predict(basic_motions[2][:, :4])


@pytest.mark.parametrize(
    "params",
    [
        {"method": "median"},
        {"percentile": 20.0},
        {"calibration_size": 0},
        {"input_headroom": 0.5},
        {"input_scale": -1.0},
    ],
)
def test_bad_parameters(small, trained, params):
    X, y = small
    with pytest.raises(ValueError):
        Int8Quantizer(FrozenEstimator(trained), **params).fit(X, y)


def test_bad_per_channel_input_scale(trained, basic_motions):
    X_train, y_train, _, _ = basic_motions
    scale = [1.0, -1.0, 1.0, 1.0, 1.0, 1.0]
    with pytest.raises(ValueError, match="positive and finite"):
        Int8Quantizer(FrozenEstimator(trained), input_scale=scale).fit(X_train, y_train)


def test_per_channel_input_scale_of_the_wrong_length(trained, basic_motions):
    X_train, y_train, _, _ = basic_motions
    with pytest.raises(ValueError, match=r"one per channel \(6\)"):
        Int8Quantizer(FrozenEstimator(trained), input_scale=[1.0, 2.0]).fit(
            X_train, y_train
        )


@pytest.fixture(scope="module")
def small_frozen(small):
    X, y = small
    return FrozenEstimator(MicroBiClassifier(**TINY).fit(X, y))


def test_input_scale_that_saturates_calibration_warns(small, small_frozen):
    """input_scale=1e-6 clamps nearly every calibration value: say so in fit."""
    X, y = small
    match = (
        r"of 4608 calibration input values, in 48 of 48 windows.*saturate.*"
        r"INT8 macro-F1 is .*Pass input_scale >= max\|x\| / 32767"
    )
    with pytest.warns(InputSaturationWarning, match=match) as record:
        q = Int8Quantizer(
            small_frozen, input_scale=1e-6
        ).fit(X, y)
    assert record[0].filename == __file__  # points at the user's call
    assert q.calibration_scores_["n_saturated"] > 0.9 * X.size


def test_input_scale_coarser_than_the_data_names_the_input_scale(small, small_frozen):
    X, y = small
    with pytest.raises(ValueError, match=r"input_scale=1000000.0 is coarser than"):
        Int8Quantizer(small_frozen, input_scale=1e6).fit(
            X, y
        )


def test_a_network_with_nan_weights_is_refused(small):
    """A frozen classifier whose weights are NaN: no integer model of garbage."""
    X, y = small
    clf = MicroBiClassifier(**TINY).fit(X, y)
    with torch.no_grad():
        clf.module_.lstm.weight_hh_l0[0, 0] = float("nan")
    with pytest.raises(ValueError, match="NaN or infinite lstm.weight_hh_l0"):
        Int8Quantizer(FrozenEstimator(clf)).fit(X, y)
    with pytest.raises(ValueError, match="lstm.weight_hh_l0 is NaN or infinite"):
        clf.predict(X[:2])
