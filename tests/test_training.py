"""The training recipe: early stopping that judges only what it can, augmentation
of training batches, distillation from a fitted teacher."""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.cluster import KMeans
from sklearn.exceptions import NotFittedError
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression, RidgeClassifier
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer
from skorch.callbacks import Callback

from skmicrobi import MicroBiClassifier, count_parameters
from skmicrobi.augment import IMUAugmentation, random_rotations
from skmicrobi.classifier import (
    EARLY_STOPPING_START,
    MIN_VALIDATION_PER_CLASS,
    _DistillationLoss,
)
from skmicrobi.exceptions import ValidationTooSmallWarning

# Fits on data too small for early_stopping="auto" warn; the tests of that
# behaviour catch the warning themselves.
pytestmark = pytest.mark.filterwarnings(
    "ignore::skmicrobi.exceptions.ValidationTooSmallWarning"
)


def _learnable(n: int, n_classes: int, n_channels: int = 3, t: int = 16, seed=0):
    """Random windows whose class shifts the mean of a channel: easy to learn."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % n_classes
    X = rng.normal(size=(n, n_channels, t)).astype(np.float32)
    X[:, 0, :] += y[:, None].astype(np.float32)
    return X, y


def _flatten():
    return FunctionTransformer(lambda X: np.asarray(X).reshape(len(X), -1))


# -- early stopping -------------------------------------------------------------
def test_small_data_warns_and_trains_the_whole_schedule():
    # 30 windows of 6 classes: a 10 % split holds out 3, at most 1 per class.
    # Today's defaults stopped on such a split after patience epochs.
    X, y = _learnable(30, 6)
    clf = MicroBiClassifier(max_epochs=12, patience=1, random_state=0)
    with pytest.warns(ValidationTooSmallWarning, match="as few as 0 of a class"):
        clf.fit(X, y)
    assert clf.n_epochs_ == 12 and clf.best_epoch_ == 12
    assert clf.early_stopping_used_ is False and clf.n_validation_ == 0
    assert clf.stop_reason_ == "max_epochs"
    assert "valid_loss" not in clf.history_[-1]  # trained on all 30 windows
    assert clf.history_[-1, "batches", -1, "train_batch_size"] == 30


def test_a_large_enough_split_still_stops_but_not_before_half_the_schedule():
    # 600 windows of 3 classes: 60 held out, 20 per class. lr=1e-6 makes the
    # validation loss stall at once, so the stop comes as early as allowed.
    X, y = _learnable(600, 3)
    clf = MicroBiClassifier(max_epochs=20, patience=1, lr=1e-6, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ValidationTooSmallWarning)
        clf.fit(X, y)
    assert clf.early_stopping_used_ is True and clf.n_validation_ == 60
    assert clf.stop_reason_ == "early_stopping"
    assert clf.n_epochs_ == int(np.ceil(EARLY_STOPPING_START * 20)) == 10
    losses = clf.history_[:, "valid_loss"]
    assert clf.best_epoch_ == int(np.argmin(losses)) + 1


def test_without_a_schedule_the_stop_may_come_at_once():
    X, y = _learnable(600, 3)
    clf = MicroBiClassifier(
        max_epochs=20, patience=1, lr=1e-6, lr_schedule=None, random_state=0
    ).fit(X, y)
    assert clf.stop_reason_ == "early_stopping" and clf.n_epochs_ <= 3


def test_early_stopping_true_holds_out_even_a_small_split():
    X, y = _learnable(30, 6)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ValidationTooSmallWarning)
        clf = MicroBiClassifier(max_epochs=4, early_stopping=True, random_state=0)
        clf.fit(X, y)
    assert clf.early_stopping_used_ and clf.n_validation_ == 3
    assert "valid_loss" in clf.history_[-1]


def test_auto_split_is_judged_per_class():
    # 1,000 windows, but one class has only 20: 2 held out, too few to judge it.
    X, y = _learnable(1000, 2)
    y[:980] = 0
    y[980:] = 1
    with pytest.warns(ValidationTooSmallWarning, match="as few as 2 of a class"):
        clf = MicroBiClassifier(max_epochs=1, random_state=0).fit(X, y)
    assert not clf.early_stopping_used_
    assert MIN_VALIDATION_PER_CLASS == 5


def test_auto_with_one_group_trains_on_all_instead_of_failing():
    X, y = _learnable(30, 3)
    with pytest.warns(ValidationTooSmallWarning, match="single value"):
        clf = MicroBiClassifier(max_epochs=1, random_state=0)
        clf.fit(X, y, groups=np.zeros(30))
    assert not clf.early_stopping_used_
    with pytest.raises(ValueError, match="single value"):
        MicroBiClassifier(max_epochs=1, early_stopping=True).fit(
            X, y, groups=np.zeros(30)
        )


def test_bad_early_stopping_value_is_refused():
    X, y = _learnable(30, 3)
    with pytest.raises(ValueError, match="early_stopping"):
        MicroBiClassifier(early_stopping="yes").fit(X, y)


# -- augmentation ----------------------------------------------------------------
class BatchRecorder(Callback):
    """Keeps the inputs of every training and validation batch."""

    def on_train_begin(self, net, **kwargs):
        self.train_, self.valid_ = [], []

    def on_batch_begin(self, net, batch, training, **kwargs):
        (self.train_ if training else self.valid_).append(batch[0].numpy().copy())


def _rows_of(batches: list[np.ndarray], X: np.ndarray) -> np.ndarray:
    """For each window of the batches, whether it is exactly one of X's rows."""
    rows = {x.tobytes() for x in X}
    return np.array([w.tobytes() in rows for b in batches for w in b])


@pytest.mark.parametrize("augmentation", [None, "imu"])
def test_augmentation_changes_training_batches_only(augmentation):
    X, y = _learnable(120, 3, n_channels=6)
    clf = MicroBiClassifier(
        max_epochs=2,
        early_stopping=True,
        augmentation=augmentation,
        callbacks=[("rec", BatchRecorder())],
        random_state=0,
    ).fit(X, y)
    rec = dict(clf.net_.callbacks_)["rec"]
    # the control (None) shows the check can fail: plain batches are X's rows
    assert _rows_of(rec.train_, X).all() == (augmentation is None)
    assert not _rows_of(rec.train_, X).any() or augmentation is None
    assert _rows_of(rec.valid_, X).all()  # validation is never augmented
    seen = []
    hook = clf.module_.register_forward_pre_hook(lambda m, a: seen.append(a[0]))
    clf.predict(X)
    hook.remove()
    np.testing.assert_array_equal(torch.cat(seen).numpy(), X)


def test_augmentation_is_seeded_and_keeps_the_network():
    X, y = _learnable(90, 3, n_channels=6)
    params = {"max_epochs": 3, "early_stopping": False}
    a = MicroBiClassifier(augmentation="imu", random_state=0, **params).fit(X, y)
    b = MicroBiClassifier(augmentation="imu", random_state=0, **params).fit(X, y)
    c = MicroBiClassifier(augmentation="imu", random_state=1, **params).fit(X, y)
    plain = MicroBiClassifier(random_state=0, **params).fit(X, y)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    assert not np.array_equal(a.predict_proba(X), c.predict_proba(X))
    assert not np.array_equal(a.predict_proba(X), plain.predict_proba(X))
    assert count_parameters(a.module_) == count_parameters(plain.module_)
    shapes = {k: v.shape for k, v in a.module_.state_dict().items()}
    assert shapes == {k: v.shape for k, v in plain.module_.state_dict().items()}
    restored = pickle.loads(pickle.dumps(a))
    np.testing.assert_array_equal(restored.predict_proba(X), a.predict_proba(X))


def test_augmentation_parameters_search_and_clone():
    X, y = _learnable(60, 2, n_channels=3)
    clf = MicroBiClassifier(
        max_epochs=1, augmentation=IMUAugmentation(rotation=5.0), random_state=0
    )
    assert clf.get_params()["augmentation__rotation"] == 5.0
    twin = clone(clf)
    assert twin.augmentation is not clf.augmentation
    assert twin.augmentation.get_params() == clf.augmentation.get_params()
    search = GridSearchCV(
        clf,
        {"augmentation__rotation": [0.0, 20.0], "augmentation__shift": [0, 2]},
        cv=2,
    ).fit(X, y)
    assert set(search.best_params_) == {"augmentation__rotation", "augmentation__shift"}
    search = GridSearchCV(clf, {"augmentation": [None, "imu"]}, cv=2).fit(X, y)
    assert search.best_params_["augmentation"] in (None, "imu")


def test_rotation_turns_each_triple_and_keeps_its_norm():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(5, 6, 20)).astype(np.float32)
    aug = IMUAugmentation(jitter=0, scaling=0, rotation=30, shift=0)
    out = aug.augment(X, random_state=0)
    for group in ([0, 1, 2], [3, 4, 5]):
        np.testing.assert_allclose(
            np.linalg.norm(out[:, group], axis=1),
            np.linalg.norm(X[:, group], axis=1),
            rtol=1e-5,
        )
    assert not np.allclose(out, X)
    # one rigid sensor: both triples turn by the same rotation
    aug = aug.set_params(rotation_groups=[[0, 1, 2, 3, 4, 5]])
    out = aug.augment(np.concatenate([X[:, :3], X[:, :3]], axis=1), random_state=0)
    np.testing.assert_array_equal(out[:, :3], out[:, 3:])
    R = random_rotations(100, 10.0, np.random.default_rng(1))
    cos = np.clip((np.trace(R, axis1=1, axis2=2) - 1) / 2, -1, 1)
    angles = np.degrees(np.arccos(cos))
    assert angles.max() <= 10.0 + 1e-3 and angles.max() > 5.0


def test_shift_scaling_and_jitter():
    X = np.arange(2 * 2 * 10, dtype=np.float32).reshape(2, 2, 10)
    out = IMUAugmentation(jitter=0, scaling=0, rotation=0, shift=3).augment(X, 0)
    for w in range(2):
        rolls = [np.roll(X[w], s, axis=1) for s in range(-3, 4)]
        assert any(np.array_equal(out[w], r) for r in rolls)
    pad = IMUAugmentation(jitter=0, scaling=0, rotation=0, shift=3, shift_mode="pad")
    out = pad.augment(X, 1, mean=np.array([-1.0, -2.0]), scale=np.ones(2))
    assert set(np.unique(out)) - set(np.unique(X)) <= {-1.0, -2.0}
    big = np.random.default_rng(0).normal(size=(400, 2, 50)).astype(np.float32)
    jit = IMUAugmentation(jitter=0.5, scaling=0, rotation=0, shift=0)
    noise = jit.augment(big, 0, mean=np.zeros(2), scale=np.array([1.0, 4.0])) - big
    np.testing.assert_allclose(noise.std(axis=(0, 2)), [0.5, 2.0], rtol=0.02)
    gain = IMUAugmentation(jitter=0, scaling=0.2, rotation=0, shift=0).augment(
        np.ones((2000, 1, 4), np.float32), 0
    )
    assert np.allclose(gain, gain[:, :, :1])  # one gain per window and channel
    np.testing.assert_allclose(gain[:, 0, 0].std(), 0.2, rtol=0.1)


def test_rotation_groups_are_checked():
    assert IMUAugmentation().groups(4) == []  # not a multiple of 3: no rotation
    with pytest.raises(ValueError, match="multiple of 3"):
        IMUAugmentation(rotation_groups=[[0, 1]]).groups(6)
    with pytest.raises(ValueError, match="twice"):
        IMUAugmentation(rotation_groups=[[0, 1, 2], [2, 3, 4]]).groups(6)
    X, y = _learnable(30, 3, n_channels=3)
    with pytest.raises(ValueError, match=r"in \[0, 3\)"):
        MicroBiClassifier(
            max_epochs=1, augmentation=IMUAugmentation(rotation_groups=[[3, 4, 5]])
        ).fit(X, y)
    with pytest.raises(ValueError, match="jitter"):
        MicroBiClassifier(max_epochs=1, augmentation=IMUAugmentation(jitter=-1)).fit(
            X, y
        )


# -- distillation ----------------------------------------------------------------
@pytest.fixture(scope="module")
def teacher_data():
    X, y = _learnable(90, 3)
    labels = np.array(["sit", "walk", "run"])[y]
    teacher = make_pipeline(_flatten(), LogisticRegression(max_iter=500)).fit(X, labels)
    return X, labels, teacher


def test_distillation_weight_zero_is_plain_training_bit_for_bit(teacher_data):
    X, y, teacher = teacher_data
    params = {"max_epochs": 3, "early_stopping": True, "random_state": 0}
    plain = MicroBiClassifier(**params).fit(X, y)
    zero = MicroBiClassifier(teacher=teacher, distillation_weight=0.0, **params)
    zero.fit(X, y)
    np.testing.assert_array_equal(zero.predict_proba(X), plain.predict_proba(X))
    np.testing.assert_array_equal(
        zero.history_[:, "train_loss"], plain.history_[:, "train_loss"]
    )
    np.testing.assert_array_equal(
        zero.history_[:, "valid_loss"], plain.history_[:, "valid_loss"]
    )
    half = MicroBiClassifier(teacher=teacher, distillation_weight=0.5, **params)
    half.fit(X, y)
    assert not np.array_equal(half.predict_proba(X), plain.predict_proba(X))
    # validation is judged on the labels alone: same criterion as plain training
    assert count_parameters(half.module_) == count_parameters(plain.module_)


def test_distillation_loss_is_the_documented_formula():
    rng = np.random.default_rng(0)
    s, t = rng.normal(size=(2, 4, 3))
    labels = np.array([0, 2, 1, 1])
    T, w = 3.0, 0.25
    loss = _DistillationLoss(T, w)(
        torch.tensor(s), (torch.tensor(labels), torch.tensor(t))
    ).item()

    def log_softmax(z):
        z = z - z.max(axis=1, keepdims=True)
        return z - np.log(np.exp(z).sum(axis=1, keepdims=True))

    ce = -log_softmax(s)[np.arange(4), labels].mean()
    p_t = np.exp(log_softmax(t / T))
    kl = (p_t * (np.log(p_t) - log_softmax(s / T))).sum(axis=1).mean()
    assert loss == pytest.approx((1 - w) * ce + w * T * T * kl, rel=1e-10)
    # validation batches carry labels only: plain cross-entropy
    plain = _DistillationLoss(T, w)(torch.tensor(s), torch.tensor(labels)).item()
    assert plain == pytest.approx(ce, rel=1e-10)


def test_decision_function_teachers_two_classes_and_class_weight():
    X, y = _learnable(60, 2)
    ridge = make_pipeline(_flatten(), RidgeClassifier()).fit(X, y)
    assert not hasattr(ridge, "predict_proba")
    clf = MicroBiClassifier(
        max_epochs=2,
        teacher=ridge,
        distillation_temperature=0.5,
        class_weight="balanced",
        random_state=0,
    ).fit(X, y)
    assert clf.predict(X).shape == (60,)
    assert clf.net_.criterion_.weight.shape == (2,)


def test_a_bad_teacher_is_explained(teacher_data):
    X, y, teacher = teacher_data
    unfitted = make_pipeline(_flatten(), LogisticRegression())
    with pytest.raises(NotFittedError, match="teacher Pipeline is not fitted.*Frozen"):
        MicroBiClassifier(max_epochs=1, teacher=unfitted).fit(X, y)
    with pytest.raises(ValueError, match="classes_.*same labels"):
        MicroBiClassifier(max_epochs=1, teacher=teacher).fit(X[:60], y[:60] == "sit")
    other = make_pipeline(_flatten(), LogisticRegression()).fit(X, np.arange(90) % 3)
    with pytest.raises(ValueError, match="same labels"):
        MicroBiClassifier(max_epochs=1, teacher=other).fit(X, y)
    with pytest.raises(ValueError, match="teacher"):  # neither proba nor scores
        MicroBiClassifier(max_epochs=1, teacher=KMeans(2)).fit(X, y)
    clf = MicroBiClassifier(max_epochs=1, random_state=0).fit(X, y)
    with pytest.raises(NotFittedError):
        clf.set_params(teacher=unfitted).fit(X, y)
    assert not hasattr(clf, "net_")  # a failed refit leaves no old model behind


class _HeavyTeacher(LogisticRegression):
    """A teacher that weighs 8 MB when pickled."""

    def fit(self, X, y):
        super().fit(np.asarray(X).reshape(len(X), -1), y)
        self.ballast_ = np.ones(2**20)
        return self

    def predict_proba(self, X):
        return super().predict_proba(np.asarray(X).reshape(len(X), -1))


def test_the_teacher_is_not_pickled_with_the_student(teacher_data):
    X, y, _ = teacher_data
    teacher = _HeavyTeacher(max_iter=500).fit(X, y)
    assert len(pickle.dumps(teacher)) > 8 * 10**6
    unfitted = MicroBiClassifier(max_epochs=1, teacher=teacher, random_state=0)
    # an unfitted student keeps it: joblib sends it to a search's workers
    assert pickle.loads(pickle.dumps(unfitted)).teacher is not None
    student = unfitted.fit(X, y)
    blob = pickle.dumps(student)
    assert len(blob) < 10**6
    loaded = pickle.loads(blob)
    assert loaded.teacher is None and student.teacher is teacher
    np.testing.assert_array_equal(loaded.predict_proba(X), student.predict_proba(X))


def test_distillation_parameters_search_with_a_frozen_teacher(teacher_data):
    X, y, teacher = teacher_data
    frozen = FrozenEstimator(teacher)
    clf = MicroBiClassifier(max_epochs=1, teacher=frozen, random_state=0)
    assert clone(clf).teacher is frozen  # FrozenEstimator clones to itself
    search = GridSearchCV(
        clf,
        {"distillation_weight": [0.0, 0.7], "distillation_temperature": [1.0, 4.0]},
        cv=2,
    ).fit(X, y)
    assert len(search.cv_results_["params"]) == 4
    assert search.best_estimator_.teacher is frozen
    with pytest.raises(ValueError, match="distillation_weight"):
        MicroBiClassifier(teacher=frozen, distillation_weight=1.5).fit(X, y)


def test_the_deployed_network_is_the_same_size_with_both_techniques(teacher_data):
    # augmentation and distillation change the weights' values, never the
    # network: same parameters, same INT8 constants (what export_c writes)
    from skmicrobi import Int8Quantizer

    X, y, teacher = teacher_data
    params = {"max_epochs": 2, "early_stopping": False, "random_state": 0}
    plain = MicroBiClassifier(**params).fit(X, y)
    recipe = MicroBiClassifier(
        augmentation="imu", teacher=FrozenEstimator(teacher), **params
    ).fit(X, y)
    q_plain = Int8Quantizer(FrozenEstimator(plain)).fit(X, y)
    q_recipe = Int8Quantizer(FrozenEstimator(recipe)).fit(X, y)
    assert q_recipe.footprint_ == q_plain.footprint_
    # unfrozen, Int8Quantizer clones the student, and with it a frozen teacher
    q = Int8Quantizer(recipe).fit(X, y)
    assert q.estimator_.teacher is recipe.teacher
