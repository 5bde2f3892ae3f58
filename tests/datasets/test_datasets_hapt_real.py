"""HAPT and UCI-HAR-from-HAPT on the real archive in ../shared/data (if present)."""

from __future__ import annotations

import numpy as np
import pytest
from archive_fixtures import shared_data_dir

from skmicrobi.datasets import load_benchmark, load_hapt

DATA = shared_data_dir()
pytestmark = pytest.mark.skipif(
    DATA is None or not (DATA / "HAPT" / "RawData" / "labels.txt").is_file(),
    reason="real HAPT data not found at ../shared/data or $SKMICROBI_SHARED_DATA",
)


@pytest.fixture(scope="module")
def hapt():
    return load_hapt(data_home=DATA, download_if_missing=False)


def test_hapt_archive_facts(hapt):
    # The archive's README: 30 volunteers, 61 experiments, 1,122,772 samples.
    assert len(hapt.data) == 61
    assert sum(x.shape[1] for x in hapt.data) == 1_122_772
    assert set(hapt.groups) == set(range(1, 31))
    assert all(x.shape[0] == 6 and np.isfinite(x).all() for x in hapt.data)
    labelled = np.concatenate(hapt.target)
    assert set(np.unique(labelled)) == set(range(-1, 12))
    # The accelerometer is in g: the magnitude averages about 1 g.
    magnitude = np.linalg.norm(hapt.data[0][:3], axis=0)
    assert 0.9 < magnitude.mean() < 1.1


def test_uci_har_rebuilt_from_hapt():
    b = load_benchmark("uci_har_hapt", data_home=DATA, download_if_missing=False)
    # UCI-HAR itself has 7,352 / 2,947 windows; the rebuild is within 2%.
    assert b.X_train.shape == (7415, 9, 128) and b.X_test.shape == (2996, 9, 128)
    assert set(b.groups_test) == {2, 4, 9, 10, 12, 13, 18, 20, 24}
    assert len(set(b.groups_train)) == 21
    # The dynamic activities match UCI-HAR's training counts to the window
    # (1226, 1073, 986): the recipe and segment boundaries are right.
    np.testing.assert_allclose(np.bincount(b.y_train)[:3], [1226, 1073, 986], atol=1)
    # Gravity went to total_acc: body_acc averages ~0, total_acc's norm ~1 g.
    assert np.abs(b.X_train[:, :3].mean(axis=(0, 2))).max() < 0.01
    norm = np.linalg.norm(b.X_train[:, 6:9].mean(axis=2), axis=1)
    assert 0.9 < np.median(norm) < 1.1
