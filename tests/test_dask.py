"""Hyper-parameter search on a dask.distributed cluster, as on one machine."""

from __future__ import annotations

import os

import numpy as np
import pytest
import torch
from scipy.stats import loguniform
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV
from skorch.callbacks import Callback

from skmicrobi import (
    Int8Quantizer,
    MicroBiClassifier,
    SlidingWindowTransformer,
    WindowPipeline,
)
from skmicrobi.pipeline import window_scorer

distributed = pytest.importorskip("distributed")
joblib = pytest.importorskip("joblib")

TINY = {
    "conv_channels": (4, 4),
    "lstm_hidden": 4,
    "max_epochs": 2,
    "batch_size": 32,
    "early_stopping": False,
    "random_state": 0,
}
# log loss changes with the last bit of any weight; accuracy rarely does
SCORING = {"accuracy": window_scorer(), "log_loss": window_scorer("neg_log_loss")}


@pytest.fixture(scope="module")
def recordings():
    """Eight 3-channel recordings of two activities, one label per recording."""
    rng = np.random.default_rng(0)
    steps = np.arange(256)
    X = rng.normal(scale=0.5, size=(8, 3, 256)).astype(np.float32)
    y = np.array(["sit", "walk"] * 4)
    X[y == "walk", 0] += np.sin(steps / 3).astype(np.float32)
    X[y == "walk", 1] += 0.5
    return X, y


class _torch_threads:
    """Torch threads of this process for the serial reference, restored after."""

    def __init__(self, n: int) -> None:
        self.n = n

    def __enter__(self):
        self.before = torch.get_num_threads()
        torch.set_num_threads(self.n)

    def __exit__(self, *exc):
        torch.set_num_threads(self.before)


def _same_results(serial, parallel):
    assert serial.cv_results_["params"] == parallel.cv_results_["params"]
    for key, values in serial.cv_results_.items():
        if key.startswith(("split", "mean_test", "std_test", "rank_test")):
            np.testing.assert_array_equal(parallel.cv_results_[key], values, key)


def _search_both_ways(search, X, y):
    # A dask worker process runs torch on one thread (threads_per_worker=1), and
    # float sums depend on the thread count, so the serial reference runs with
    # one thread too: then every score is equal to the last bit.
    with _torch_threads(1):
        serial = clone(search).set_params(n_jobs=1).fit(X, y)
    with joblib.parallel_backend("dask"):
        parallel = clone(search).fit(X, y)
    return serial, parallel


class RecordThreads(Callback):
    """Record torch's intra-op threads while the network trains."""

    def on_epoch_begin(self, net, **kwargs):
        self.threads_ = torch.get_num_threads()


def _fit_and_report_threads(X, y, **params):
    clf = MicroBiClassifier(**TINY, callbacks=[("threads", RecordThreads())], **params)
    clf.fit(X, y)
    return dict(clf.net_.callbacks_)["threads"].threads_


def test_searches_on_a_dask_cluster_equal_the_serial_searches(recordings):
    # One test, one cluster: starting worker processes is most of the cost, and
    # pytest-xdist could otherwise start a cluster in each of its workers.
    X, y = recordings
    window = ("win", SlidingWindowTransformer(window_length=32, stride=16))
    float_search = GridSearchCV(
        WindowPipeline([window, ("clf", MicroBiClassifier(**TINY))]),
        {"win__window_length": [16, 32], "clf__lr": [2e-3, 2e-2]},
        cv=2,
        scoring=SCORING,
        refit=False,
    )
    int8 = Int8Quantizer(
        MicroBiClassifier(**TINY), random_state=0
    )
    int8_search = RandomizedSearchCV(
        WindowPipeline([window, ("q", int8)]),
        {"q__estimator__lr": loguniform(1e-3, 5e-2)},
        n_iter=2,
        cv=2,
        scoring=SCORING,
        refit=False,
        random_state=0,
    )
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        workers = set(client.scheduler_info()["workers"])
        with distributed.get_task_stream(client) as tasks:
            serial, parallel = _search_both_ways(float_search, X, y)
        _same_results(serial, parallel)
        assert len(parallel.cv_results_["params"]) == 4
        assert {task["worker"] for task in tasks.data} == workers

        serial, parallel = _search_both_ways(int8_search, X, y)
        _same_results(serial, parallel)

        # each single-threaded worker process trains on one torch thread
        futures = [
            client.submit(_fit_and_report_threads, X[:, :, :32], y, workers=[w])
            for w in sorted(workers)
        ]
        assert client.gather(futures) == [1, 1]


def test_threaded_workers_share_the_cores_instead_of_oversubscribing(recordings):
    X, y = recordings
    X = X[:, :, :32]
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
    n_threads = max(2, cores)
    with (
        distributed.LocalCluster(
            n_workers=1,
            threads_per_worker=n_threads,
            processes=False,
            dashboard_address=None,
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        futures = [
            client.submit(_fit_and_report_threads, X, y, pure=False)
            for _ in range(n_threads)
        ]
        seen = client.gather(futures)
        pinned = client.submit(
            _fit_and_report_threads, X, y, n_threads=3, pure=False
        ).result()
    # n_threads tasks at once, each on cores // n_threads torch threads, not on
    # torch's default of one per core
    assert all(threads * n_threads <= max(cores, n_threads) for threads in seen)
    assert pinned == 3  # an explicit n_threads wins
    # outside dask nothing changes
    assert _fit_and_report_threads(X, y) == torch.get_num_threads()
