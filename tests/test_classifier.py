"""MicroBiClassifier as users drive it: fit on real data, clone, pickle, search."""

from __future__ import annotations

import pickle
import subprocess
import sys
import textwrap

import joblib
import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.metrics import f1_score
from sklearn.model_selection import GridSearchCV, cross_val_score, cross_validate
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer
from skorch.callbacks import Callback

from skmicrobi import MicroBiClassifier, MicroBiConvLSTM

FAST = {"max_epochs": 3, "random_state": 0}

# Most fits here are on toy data too small for early_stopping="auto" to hold out
# a split; tests of that behaviour catch the warning with pytest.warns.
pytestmark = pytest.mark.filterwarnings(
    "ignore::skmicrobi.exceptions.ValidationTooSmallWarning"
)


class ThreadProbe(Callback):
    """Records torch's intra-op thread count when training starts."""

    def on_train_begin(self, net, **kwargs):
        self.threads_ = torch.get_num_threads()


def test_learns_basic_motions_with_string_labels(basic_motions):
    X_train, y_train, X_test, y_test = basic_motions
    clf = MicroBiClassifier(max_epochs=30, batch_size=8, random_state=0)
    clf.fit(X_train, y_train)
    assert list(clf.classes_) == sorted(set(y_train))
    assert set(clf.predict(X_test)) <= set(y_train)
    assert f1_score(y_test, clf.predict(X_test), average="macro") >= 0.85
    proba = clf.predict_proba(X_test)
    assert proba.shape == (40, 4)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-12)
    assert clf.n_channels_ == 6 and clf.n_timepoints_ == 100 and clf.n_features_in_ == 6
    assert 1 <= clf.best_epoch_ <= clf.n_epochs_ <= 30
    assert len(clf.history_) == clf.n_epochs_


def test_standardisation_is_learned_into_the_module(toy_windows):
    X, y = toy_windows
    X = X * 10.0 + 3.0
    clf = MicroBiClassifier(max_epochs=1, early_stopping=False).fit(X, y)
    np.testing.assert_allclose(
        clf.module_.input_mean.numpy(), X.mean(axis=(0, 2)), rtol=1e-4
    )
    np.testing.assert_allclose(
        clf.module_.input_scale.numpy(), X.std(axis=(0, 2)), rtol=1e-4
    )


def test_same_seed_same_predictions_and_global_rng_untouched(toy_windows):
    X, y = toy_windows
    torch.manual_seed(123)
    state = torch.get_rng_state()
    a = MicroBiClassifier(**FAST).fit(X, y).predict_proba(X)
    assert torch.equal(torch.get_rng_state(), state)
    b = MicroBiClassifier(**FAST).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(a, b)
    c = MicroBiClassifier(max_epochs=3, random_state=1).fit(X, y).predict_proba(X)
    assert not np.array_equal(a, c)


def test_sktime_panel_mtypes_give_the_same_model(basic_motions):
    from sktime.datasets import load_basic_motions

    X_train, y_train, X_test, _ = basic_motions
    ref = MicroBiClassifier(**FAST).fit(X_train, y_train).predict_proba(X_test)
    for mtype in ("nested_univ", "pd-multiindex"):
        Xs, ys = load_basic_motions(split="train", return_type=mtype)
        Xt, _ = load_basic_motions(split="test", return_type=mtype)
        proba = MicroBiClassifier(**FAST).fit(Xs, ys).predict_proba(Xt)
        np.testing.assert_allclose(proba, ref, atol=1e-5)


def test_2d_input_is_one_channel(toy_windows):
    X, y = toy_windows
    clf = MicroBiClassifier(**FAST).fit(X[:, 0, :], y)
    assert clf.n_channels_ == 1 and clf.n_features_in_ == X.shape[2]
    assert clf.predict(X[:5, 0, :]).shape == (5,)


def test_early_stopping_holds_out_whole_groups(toy_windows):
    X, y = toy_windows
    groups = np.arange(len(y)) // 9  # ten "subjects"
    clf = MicroBiClassifier(
        max_epochs=2, early_stopping=True, validation_fraction=0.2, random_state=0
    )
    clf.fit(X, y, groups=groups)
    valid = clf.net_.train_split.keywords["valid_ds"].indices
    train = np.setdiff1d(np.arange(len(y)), valid)
    assert len(valid) > 0
    assert not set(groups[valid]) & set(groups[train])


def test_early_stopping_stops_and_restores_the_best_epoch(toy_windows):
    X, y = toy_windows
    clf = MicroBiClassifier(
        max_epochs=200,
        early_stopping=True,
        lr_schedule=None,  # a stop may come at any epoch
        patience=2,
        lr=0.05,
        random_state=0,
    )
    clf.fit(X, y)
    assert clf.n_epochs_ < 200 and clf.stop_reason_ == "early_stopping"
    losses = clf.history_[:, "valid_loss"]
    assert clf.best_epoch_ == int(np.argmin(losses)) + 1


def test_without_early_stopping_every_epoch_runs(toy_windows):
    X, y = toy_windows
    clf = MicroBiClassifier(max_epochs=4, early_stopping=False).fit(X, y)
    assert clf.n_epochs_ == 4 and clf.best_epoch_ == 4
    assert not clf.early_stopping_used_ and clf.n_validation_ == 0
    assert clf.stop_reason_ == "max_epochs"


def test_class_weight(toy_windows):
    X, y = toy_windows
    X, y = X[:50], y[:50]
    clf = MicroBiClassifier(max_epochs=1, class_weight="balanced").fit(X, y)
    counts = np.array([np.sum(y == c) for c in clf.classes_])
    expected = len(y) / (len(counts) * counts)
    np.testing.assert_allclose(clf.net_.criterion_.weight.numpy(), expected, rtol=1e-6)
    clf = MicroBiClassifier(max_epochs=1, class_weight={"run": 3.0}).fit(X, y)
    np.testing.assert_allclose(clf.net_.criterion_.weight.numpy(), [3.0, 1.0, 1.0])
    with pytest.raises(ValueError, match="not in y"):
        MicroBiClassifier(max_epochs=1, class_weight={"jump": 2.0}).fit(X, y)


def test_callbacks_are_copied_not_mutated(toy_windows):
    X, y = toy_windows
    probe = ThreadProbe()
    clf = MicroBiClassifier(max_epochs=1, callbacks=[("probe", probe)]).fit(X, y)
    assert not hasattr(probe, "threads_")
    assert dict(clf.net_.callbacks_)["probe"].threads_ >= 1


def test_clone_get_set_params_and_pipeline(toy_windows):
    X, y = toy_windows
    clf = MicroBiClassifier(lstm_hidden=8, **FAST)
    params = clf.get_params()
    assert params["lstm_hidden"] == 8 and params["conv_channels"] == (16, 16)
    twin = clone(clf).set_params(lstm_hidden=12)
    assert twin.lstm_hidden == 12 and clf.lstm_hidden == 8
    pipe = Pipeline([("scale", FunctionTransformer(lambda a: a * 2.0)), ("clf", clf)])
    assert pipe.fit(X, y).score(X, y) > 0.5


def test_grid_search_in_parallel_without_thread_oversubscription(toy_windows):
    X, y = toy_windows
    clf = MicroBiClassifier(
        max_epochs=2, random_state=0, callbacks=[("probe", ThreadProbe())]
    )
    search = GridSearchCV(
        clf,
        {"lstm_hidden": [8, 16], "lr": [1e-3, 5e-3]},
        cv=2,
        n_jobs=2,
        scoring="f1_macro",
    ).fit(X, y)
    results = search.cv_results_
    best = results["params"][int(np.argmax(results["mean_test_score"]))]
    assert search.best_params_ == best
    # the refitted network has the winning width and learning rate
    assert search.best_estimator_.module_.lstm_hidden == best["lstm_hidden"]
    assert search.best_estimator_.net_.lr == best["lr"]
    results = cross_validate(clf, X, y, cv=2, n_jobs=2, return_estimator=True)
    n_cores = joblib.cpu_count()
    for est in results["estimator"]:
        # joblib gives each of the 2 workers cores // 2 threads; torch honours it.
        assert dict(est.net_.callbacks_)["probe"].threads_ == max(n_cores // 2, 1)
    scores = cross_val_score(clf, X, y, cv=3, scoring="f1_macro")
    assert scores.shape == (3,)


def test_joblib_round_trip_in_a_fresh_process(tmp_path, toy_windows):
    X, y = toy_windows
    clf = MicroBiClassifier(**FAST).fit(X, y)
    path = tmp_path / "model.joblib"
    joblib.dump(clf, path)
    np.save(tmp_path / "X.npy", X)
    code = textwrap.dedent(
        f"""
        import joblib, numpy as np
        clf = joblib.load({str(path)!r})
        X = np.load({str(tmp_path / "X.npy")!r})
        np.save({str(tmp_path / "p.npy")!r}, clf.predict_proba(X))
        """
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    np.testing.assert_array_equal(np.load(tmp_path / "p.npy"), clf.predict_proba(X))


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda_model_loads_on_cpu(tmp_path, toy_windows):
    X, y = toy_windows
    clf = MicroBiClassifier(device="cuda", **FAST).fit(X, y)
    path = tmp_path / "cuda.joblib"
    joblib.dump(clf, path)
    code = textwrap.dedent(
        f"""
        import os, joblib
        os.environ["CUDA_VISIBLE_DEVICES"] = ""
        clf = joblib.load({str(path)!r})
        print(clf.net_.device)
        """
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
    assert b"cpu" in out.stdout


# -- the module seam -----------------------------------------------------------
class _MeanNet(torch.nn.Module):
    """A network that is not MicroBi's: a linear map of the time-averaged input."""

    def __init__(self, n_channels, n_classes, n_timepoints, hidden=4):
        super().__init__()
        self.register_buffer("input_mean", torch.zeros(n_channels))
        self.register_buffer("input_scale", torch.ones(n_channels))
        self.n_timepoints = n_timepoints
        self.min_length = 8
        self.hidden = torch.nn.Linear(n_channels, hidden)
        self.out = torch.nn.Linear(hidden, n_classes)

    def forward(self, x):
        x = (x - self.input_mean[:, None]) / self.input_scale[:, None]
        return self.out(torch.relu(self.hidden(x.mean(dim=2))))


def test_module_trains_the_network_it_names(toy_windows):
    X, y = toy_windows
    clf = MicroBiClassifier(
        module=_MeanNet, module_params={"hidden": 6}, early_stopping=False, **FAST
    ).fit(X, y)
    assert isinstance(clf.module_, _MeanNet)
    assert clf.module_.hidden.out_features == 6
    assert clf.module_.n_timepoints == 16  # passed: _MeanNet takes n_timepoints
    np.testing.assert_allclose(
        clf.module_.input_mean.numpy(), X.mean(axis=(0, 2)), rtol=1e-5
    )
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(restored.predict_proba(X), clf.predict_proba(X))


def test_module_microbi_is_the_default_network(toy_windows):
    X, y = toy_windows
    default = MicroBiClassifier(lstm_hidden=8, **FAST).fit(X, y)
    seam = MicroBiClassifier(
        module=MicroBiConvLSTM, module_params={"lstm_hidden": 8}, **FAST
    ).fit(X, y)
    np.testing.assert_array_equal(seam.predict_proba(X), default.predict_proba(X))


def test_module_params_clone_and_grid_search(toy_windows):
    X, y = toy_windows
    clf = MicroBiClassifier(
        module=MicroBiConvLSTM, module_params={"lstm_hidden": 4}, **FAST
    )
    twin = clone(clf)
    assert twin.module is MicroBiConvLSTM
    assert twin.module_params == {"lstm_hidden": 4}
    assert twin.module_params is not clf.module_params
    grid = [{"lstm_hidden": 4}, {"lstm_hidden": 12}]
    search = GridSearchCV(clf, {"module_params": grid}, cv=2).fit(X, y)
    results = search.cv_results_
    best = results["params"][int(np.argmax(results["mean_test_score"]))]
    assert search.best_params_ == best
    hidden = search.best_estimator_.module_.lstm_hidden
    assert hidden == best["module_params"]["lstm_hidden"]


@pytest.mark.parametrize(
    "params, error, match",
    [
        ({"module": _MeanNet(3, 3, 16)}, TypeError, "instance; pass its class"),
        ({"module_params": {"lstm_hidden": 8}}, ValueError, "module=None trains"),
        ({"module": torch.nn.Identity}, TypeError, "no 'input_mean' buffer"),
        ({"module": _MeanNet}, ValueError, "4 time points, but _MeanNet needs .* 8"),
    ],
    ids=["instance", "params-without-module", "no-buffers", "too-short"],
)
def test_module_misuse_is_explained(toy_windows, params, error, match):
    X, y = toy_windows
    with pytest.raises(error, match=match):
        MicroBiClassifier(max_epochs=1, **params).fit(X[:, :, :4], y)


# -- bad input ----------------------------------------------------------------
def test_predict_before_fit_raises_not_fitted(toy_windows):
    X, _ = toy_windows
    with pytest.raises(NotFittedError):
        MicroBiClassifier().predict(X)


@pytest.mark.parametrize(
    "mutate, match",
    [
        (
            lambda X, y: (
                np.where(np.arange(X.size).reshape(X.shape) == 7, np.nan, X),
                y,
            ),
            "NaN",
        ),
        (
            lambda X, y: (
                np.where(np.arange(X.size).reshape(X.shape) == 7, np.inf, X),
                y,
            ),
            "infinite",
        ),
        (
            lambda X, y: (
                np.where(np.arange(X.size).reshape(X.shape) == 7, 1e39, X.astype("f8")),
                y,
            ),
            "beyond float32's range",
        ),
        (lambda X, y: (X[:, :, :, None], y), "3D"),
        (lambda X, y: (X[:, :, :3], y), "at least 4"),
        (lambda X, y: (X, np.zeros(len(y))), "1 class"),
        (lambda X, y: (X[:0], y[:0]), "empty"),
        (lambda X, y: (X, y[:-1]), "must match"),
    ],
    ids=[
        "nan",
        "inf",
        "beyond-float32",
        "ndim",
        "too-short",
        "one-class",
        "empty",
        "length-mismatch",
    ],
)
def test_bad_training_input_is_explained(toy_windows, mutate, match):
    X, y = mutate(*toy_windows)
    with pytest.raises(ValueError, match=match):
        MicroBiClassifier(max_epochs=1).fit(X, y)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"class_weight": "inverse"}, "class_weight"),
        ({"reduction": "max"}, "reduction"),
        ({"pool_sizes": (0, 2)}, "pool_sizes must hold integers >= 1"),
        ({"pool_sizes": (2.5, 2)}, "2.5 is not an integer"),
        ({"conv_channels": (0, 16)}, "conv_channels must hold integers >= 1"),
        ({"device": "meta"}, "device='meta' holds shapes but no values"),
        ({"device": "gpu"}, "device='gpu' is not a torch device"),
    ],
)
def test_bad_parameters_are_explained(toy_windows, params, match):
    X, y = toy_windows
    with pytest.raises(ValueError, match=match):
        MicroBiClassifier(max_epochs=1, **params).fit(X, y)


@pytest.mark.parametrize(
    "shape, match",
    [
        ((0, 3, 16), r"X is empty \(shape \(0, 3, 16\)\)"),
        ((12, 0), r"no time points: .*0 feature\(s\) \(shape=\(12, 0\)\)"),
        ((12, 0, 16), r"no channels: .*0 feature\(s\) \(shape=\(12, 0, 16\)\)"),
        ((12, 3, 0), r"windows of 0 time points \(shape \(12, 3, 0\)\)"),
    ],
)
def test_empty_input_names_its_own_shape(shape, match):
    with pytest.raises(ValueError, match=match):
        MicroBiClassifier(max_epochs=1).fit(np.zeros(shape), np.arange(shape[0]) % 2)


def test_predict_input_must_match_fit(toy_windows):
    X, y = toy_windows
    clf = MicroBiClassifier(max_epochs=1).fit(X, y)
    with pytest.raises(ValueError, match="channels"):
        clf.predict(X[:, :2])
    with pytest.raises(ValueError, match="length"):
        clf.predict(X[:, :, :8])
    with pytest.raises(ValueError, match="NaN"):
        clf.predict(np.full_like(X[:2], np.nan))


@pytest.mark.parametrize("first", ["sit", "walk"], ids=["int-first", "str-first"])
def test_mixed_str_and_int_labels_are_explained(toy_windows, first):
    X, y = toy_windows
    y = np.array([1 if label == first else label for label in y], dtype=object)
    with pytest.raises(TypeError, match="y mixes labels of types int, str"):
        MicroBiClassifier(max_epochs=1).fit(X, y)


@pytest.mark.parametrize("early_stopping", [False, True])
def test_a_diverged_fit_raises_and_leaves_the_estimator_unfitted(
    toy_windows, early_stopping
):
    """lr=1e10 without clipping: NaN weights; fit must not report success."""
    X, y = toy_windows
    clf = MicroBiClassifier(
        lr=1e10, gradient_clip=None, early_stopping=early_stopping, **FAST
    )
    with pytest.raises(FloatingPointError, match="Training diverged.*lr.*1e\\+10"):
        clf.fit(X, y)
    with pytest.raises(NotFittedError):
        clf.predict(X)


def test_a_failed_refit_does_not_keep_the_previous_model(toy_windows):
    X, y = toy_windows
    clf = MicroBiClassifier(max_epochs=1).fit(X, y)
    with pytest.raises(ValueError, match="1 class"):
        clf.fit(X, np.zeros(len(y)))
    clf.set_params(lr=1e10, gradient_clip=None, **FAST)
    with pytest.raises(FloatingPointError):
        clf.fit(X, y)
    assert not hasattr(clf, "net_") and not hasattr(clf, "classes_")


def test_non_finite_outputs_at_predict_are_explained(toy_windows):
    X, y = toy_windows
    clf = MicroBiClassifier(max_epochs=1).fit(X, y)
    huge = X[:3].copy()
    huge[1] = 3e38  # finite float32, but the network overflows on it
    with pytest.raises(ValueError, match="NaN or infinite for 1 of 3 windows.*1"):
        clf.predict(huge)


def test_predictions_do_not_depend_on_the_batch(toy_windows):
    # scikit-learn's check_methods_subset_invariance asks for atol=1e-7, which a
    # float32 network meets only by luck (tests/test_common.py); float32's own
    # precision is what the outputs must keep, windows alone or all together.
    X, y = toy_windows
    clf = MicroBiClassifier(max_epochs=2, random_state=0).fit(X, y)
    full = clf.decision_function(X)
    alone = np.concatenate([clf.decision_function(X[i : i + 1]) for i in range(30)])
    np.testing.assert_allclose(alone, full[:30], rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(clf.predict(X[:30]), clf.predict(X)[:30])
