"""Training on CUDA, and a model trained there that loads and predicts on a CPU.

The CUDA tests skip without a GPU. The first test runs everywhere: it checks the
mechanism that makes a CUDA-trained model load on a CPU, that the network is
pickled only inside ``net_``, whose skorch pickling maps tensors to the CPU when
CUDA is absent.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import torch

from skmicrobi import MicroBiClassifier

cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")

FAST = {"max_epochs": 4, "batch_size": 32, "random_state": 0}


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    y = np.arange(200) % 3
    X = rng.normal(size=(200, 3, 32)).astype(np.float32)
    X[:, 0] += y[:, None]
    return X, y


def test_the_network_is_pickled_once_inside_net_(data):
    X, y = data
    clf = MicroBiClassifier(**FAST).fit(X, y)
    state = clf.__getstate__()
    assert "net_" in state and "module_" not in state
    assert clf.module_ is clf.net_.module_  # pickling left the model as it was
    restored = pickle.loads(pickle.dumps(clf))
    assert restored.module_ is restored.net_.module_
    np.testing.assert_array_equal(restored.predict_proba(X), clf.predict_proba(X))
    unfitted = pickle.loads(pickle.dumps(MicroBiClassifier()))
    assert not hasattr(unfitted, "module_")


@cuda
def test_fit_and_predict_on_cuda(data):
    X, y = data
    clf = MicroBiClassifier(**FAST, device="cuda").fit(X, y)
    assert next(clf.module_.parameters()).device.type == "cuda"
    assert clf.score(X, y) > 0.9
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    # the same recipe on the CPU lands close (cuDNN sums in another order)
    cpu = MicroBiClassifier(**FAST).fit(X, y)
    assert np.mean(cpu.predict(X) == clf.predict(X)) > 0.9


@cuda
def test_a_model_trained_on_cuda_loads_and_predicts_on_a_cpu(data, tmp_path):
    X, y = data
    clf = MicroBiClassifier(**FAST, device="cuda").fit(X, y)
    np.save(tmp_path / "X.npy", X)
    np.save(tmp_path / "proba.npy", clf.predict_proba(X))
    with open(tmp_path / "model.pkl", "wb") as f:
        pickle.dump(clf, f)
    script = textwrap.dedent(
        """
        import pickle, sys, warnings
        import numpy as np, torch
        assert not torch.cuda.is_available()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # skorch's "moved to CPU" warning
            with open(sys.argv[1] + "/model.pkl", "rb") as f:
                clf = pickle.load(f)
        assert next(clf.module_.parameters()).device.type == "cpu"
        assert clf.module_ is clf.net_.module_
        X = np.load(sys.argv[1] + "/X.npy")
        expected = np.load(sys.argv[1] + "/proba.npy")
        np.testing.assert_allclose(clf.predict_proba(X), expected, atol=1e-4)
        print("ok")
        """
    )
    env = {**os.environ, "CUDA_VISIBLE_DEVICES": ""}
    result = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("ok")
