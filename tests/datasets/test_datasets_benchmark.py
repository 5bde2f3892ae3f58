"""load_benchmark: the paper's protocol per dataset, on tiny archives (conftest.py)."""

from __future__ import annotations

import numpy as np
import pytest

from skmicrobi import MicroBiClassifier
from skmicrobi.datasets import benchmark_names, load_benchmark
from skmicrobi.datasets.benchmark import BENCHMARKS, skoda_time_split

HOMES = {
    "uci_har": "uci_har_home",
    "uci_har_hapt": "hapt_home",
    "motionsense": "motionsense_home",
    "wisdm": "wisdm_home",
    "pamap2": "pamap2_home",
    "opportunity": "opportunity_home",
    "unimib_shar": "unimib_home",
    "skoda": "skoda_home",
    "daphnet": "daphnet_home",
}

#: (train windows, test windows) that each tiny archive must give.
EXPECTED_COUNTS = {
    "uci_har": (4, 3),
    # user 1: standing 351 samples -> 4 windows, sitting 430 -> 5; user 2 (test):
    # walking 381 -> 4, upstairs 441 -> 5; the transition gives none.
    "uci_har_hapt": (9, 9),
    "motionsense": (18, 9),  # 3 trials x (2 | 1) subjects x 3 windows of 300
    "wisdm": (6, 6),  # per user: walking (304 records) 3 + jogging (300) 3
    "opportunity": (36, 12),  # 12 | 4 runs x 3 windows of 300 rows
    "unimib_shar": (8, 28),  # 36 windows of subjects 1-8 in turn: 7-8 | 1-6
}


def test_names():
    assert benchmark_names() == sorted(HOMES)
    with pytest.raises(ValueError, match="Unknown benchmark 'har'"):
        load_benchmark("har")


@pytest.mark.parametrize("name", sorted(HOMES))
def test_benchmark_windows_and_metadata(name, request):
    home = request.getfixturevalue(HOMES[name])
    spec = BENCHMARKS[name]
    b = load_benchmark(name, data_home=home)
    for split in ("train", "test"):
        X, y, g = b[f"X_{split}"], b[f"y_{split}"], b[f"groups_{split}"]
        assert X.dtype == np.float32 and np.isfinite(X).all()
        assert X.shape[1:] == (spec.n_channels, spec.window_length)
        assert len(X) == len(y) == len(g) > 0
        assert y.min() >= 0 and y.max() < spec.n_classes
    assert len(b.channel_names) == spec.n_channels
    assert len(b.target_names) == spec.n_classes
    if name in EXPECTED_COUNTS:
        assert (len(b.y_train), len(b.y_test)) == EXPECTED_COUNTS[name]
    if name not in ("opportunity", "skoda"):  # run-wise / time-wise splits
        assert not set(b.groups_train) & set(b.groups_test)
    # The paper's training settings are MicroBiClassifier parameters.
    clf = MicroBiClassifier(**b.hyperparameters)
    assert clf.get_params()["lr"] == b.hyperparameters["lr"]
    assert b.DESCR.count(str(spec.window_length)) >= 1
    assert str(len(b.y_train)) in b.DESCR


def test_paper_settings_are_recorded():
    # paper.md: per-dataset batch, lr, weight decay, dropout; class weights on
    # PAMAP2, Opportunity, SKODA and Daphnet.
    assert BENCHMARKS["uci_har"].hyperparameters == {
        "batch_size": 64,
        "lr": 0.002185,
        "weight_decay": 1.42e-4,
        "dropout": 0.15,
        "class_weight": None,
    }
    assert BENCHMARKS["daphnet"].hyperparameters["batch_size"] == 512
    weighted = {
        n
        for n, s in BENCHMARKS.items()
        if s.hyperparameters["class_weight"] == "balanced"
    }
    assert weighted == {"pamap2", "opportunity", "skoda", "daphnet"}
    params = {
        n: s.n_channels * 80 + 9440 + 49 * s.n_classes for n, s in BENCHMARKS.items()
    }
    # The paper's parameter counts follow from channels and classes.
    assert params["uci_har"] == 10454 and params["opportunity"] == 16005
    assert params["skoda"] == 12379 and params["pamap2"] == 11548


def test_uci_har_hapt_labels_follow_segments(hapt_home):
    b = load_benchmark("uci_har_hapt", data_home=hapt_home)
    np.testing.assert_array_equal(b.y_train, [4] * 4 + [3] * 5)
    np.testing.assert_array_equal(b.y_test, [0] * 4 + [1] * 5)
    assert list(b.channel_names[:3]) == ["body_acc_x", "body_acc_y", "body_acc_z"]
    # total_acc keeps the gravity the fixture put on x; body_acc loses it.
    assert abs(b.X_train[:, 6].mean() - 1.0) < 0.05
    assert abs(b.X_train[:, 0].mean()) < 0.05


def test_pamap2_windows_match_a_naive_reference(pamap2_home):
    from archive_fixtures import PAMAP2_PLAN

    b = load_benchmark("pamap2", data_home=pamap2_home)
    codes = np.concatenate([[a] * n for a, n in PAMAP2_PLAN])
    expected = []
    for start in range(0, len(codes) - 128 + 1, 64):
        window = codes[start : start + 128]
        values, counts = np.unique(window, return_counts=True)
        top = values[counts.argmax()]
        if counts.max() / 128 >= 0.8 and top in (1, 4):  # protocol activities
            expected.append({1: "lying", 4: "walking"}[top])
    # One training subject (101), whose file has this label plan.
    assert [b.target_names[v] for v in b.y_train] == expected
    assert list(b.channel_names[:2]) == ["heart_rate", "hand_acc16_x"]


def test_skoda_split_keeps_test_after_train(skoda_home):
    b = load_benchmark("skoda", data_home=skoda_home)
    assert b.stride == 24 and b.stride_test == 98
    assert set(np.unique(b.y_train)) == set(range(11))
    assert len(b.y_test) < len(b.y_train)
    labels = np.array([0, 1, 1, 0, 1, 0, 0, 1, 0, 1])
    train = skoda_time_split(labels, 0.8)
    for c in (0, 1):
        where = np.flatnonzero(labels == c)
        assert train[where].tolist() == [True] * 4 + [False]


def test_daphnet_drops_windows_outside_the_experiment(daphnet_home):
    b = load_benchmark("daphnet", data_home=daphnet_home)
    assert set(np.unique(b.groups_train)) == {1} and set(b.groups_test) == {9}
    assert set(np.unique(b.y_train)) == {0, 1}
    # 1100 samples: 33 windows of 64/32, of which those mostly in the 100
    # unlabelled samples at each end are dropped.
    assert len(b.y_test) < 33


@pytest.mark.parametrize(
    "name, center", [("motionsense", "mean"), ("pamap2", "median")]
)
def test_scale_applies_the_paper_scaling_fitted_on_train(name, center, request):
    home = request.getfixturevalue(HOMES[name])
    raw = load_benchmark(name, data_home=home)
    b = load_benchmark(name, data_home=home, scale=True)
    assert b.scaled and not raw.scaled
    per_channel = np.moveaxis(b.X_train, 1, 0).reshape(b.X_train.shape[1], -1)
    if center == "mean":
        np.testing.assert_allclose(per_channel.mean(axis=1), 0, atol=1e-4)
        np.testing.assert_allclose(per_channel.std(axis=1), 1, atol=1e-3)
    else:
        np.testing.assert_allclose(np.median(per_channel, axis=1), 0, atol=1e-4)
    # The test windows use the training statistics.
    np.testing.assert_allclose(
        b.X_test,
        (raw.X_test - b.scaler_center[:, None]) / b.scaler_scale[:, None],
        rtol=1e-5,
        atol=1e-5,
    )


def test_missing_test_subjects_is_a_clear_error(hapt_home):
    for path in (hapt_home / "HAPT" / "RawData").glob("*_exp02_user02.txt"):
        path.unlink()
    with pytest.raises(ValueError, match="gives no test window"):
        load_benchmark("uci_har_hapt", data_home=hapt_home)
