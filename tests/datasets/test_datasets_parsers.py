"""Each archive's parser on a tiny copy written in its true format (conftest.py)."""

from __future__ import annotations

import numpy as np
import pytest
from archive_fixtures import (
    DAPHNET_ANNOTATION,
    HAPT_LENGTH,
    OPPORTUNITY_ROWS,
    PAMAP2_PLAN,
    UCI_HAR_SPLITS,
    UNIMIB_NAMES,
    opportunity_channel_name,
    skoda_labels,
)

from skmicrobi.datasets import (
    ArchiveNotFoundError,
    load_daphnet,
    load_hapt,
    load_motionsense,
    load_opportunity,
    load_pamap2,
    load_skoda,
    load_uci_har,
    load_unimib_shar,
    load_wisdm,
)

LOADERS = [
    load_daphnet,
    load_hapt,
    load_motionsense,
    load_opportunity,
    load_pamap2,
    load_skoda,
    load_uci_har,
    load_unimib_shar,
    load_wisdm,
]


@pytest.mark.parametrize("loader", LOADERS, ids=lambda f: f.__name__)
def test_docstring_gives_citation_licence_url_and_shapes(loader):
    doc = loader.__doc__
    assert "Citation" in doc and "Licence" in doc and "URL" in doc
    assert "Returns" in doc
    # The shapes are spelled out in the Returns section.
    assert any(
        token in doc
        for token in (
            "(n, ",
            "(6, T_i)",
            "(3, T_i)",
            "(52, T_i)",
            "(60, T)",
            "(9, T_i)",
            "(12, T_i)",
            "(n_channels, T_i)",
        )
    )


@pytest.mark.parametrize("loader", LOADERS, ids=lambda f: f.__name__)
def test_missing_folder_without_download_names_url_and_path(loader, tmp_path):
    with pytest.raises(ArchiveNotFoundError) as excinfo:
        loader(data_home=tmp_path, download_if_missing=False)
    message = str(excinfo.value)
    assert str(tmp_path) in message and "http" in message


def test_hapt_recordings_and_one_based_segments(hapt_home):
    b = load_hapt(data_home=hapt_home)
    assert len(b.data) == 2
    assert b.data[0].shape == (6, HAPT_LENGTH) and b.data[0].dtype == np.float64
    assert list(b.groups) == [1, 2]
    assert b.recording_names == ["exp01_user01", "exp02_user02"]
    assert list(b.channel_names) == [
        "acc_x",
        "acc_y",
        "acc_z",
        "gyro_x",
        "gyro_y",
        "gyro_z",
    ]
    assert b.target_names[4] == "STANDING" and b.target_codes[4] == 5
    y = b.target[0]
    # Segment (5, 50, 400) is samples 50..400 counted from 1.
    assert y[48] == -1 and y[49] == 4 and y[399] == 4
    assert y[400] == 6  # STAND_TO_SIT (id 7) starts at sample 401
    assert y[899] == 3 and y[900] == -1
    np.testing.assert_allclose(b.data[0][0].mean(), 1.0, atol=0.05)  # acc x
    X, y_only = load_hapt(data_home=hapt_home, return_X_y=True)
    assert len(X) == len(y_only) == 2
    assert "1-based" in b.DESCR


def test_uci_har_windows_channels_and_subsets(uci_har_home):
    b = load_uci_har(data_home=uci_har_home)
    n_train, n_test = (len(UCI_HAR_SPLITS[s][0]) for s in ("train", "test"))
    assert b.data.shape == (n_train + n_test, 9, 128)
    # The fixture writes 10 * signal + axis into each channel.
    np.testing.assert_allclose(
        b.data[0].mean(axis=1), [0, 1, 2, 10, 11, 12, 20, 21, 22], atol=0.01
    )
    assert list(b.target) == [
        c - 1 for s in ("train", "test") for c in UCI_HAR_SPLITS[s][0]
    ]
    assert list(b.groups) == UCI_HAR_SPLITS["train"][1] + UCI_HAR_SPLITS["test"][1]
    assert list(b.split) == ["train"] * n_train + ["test"] * n_test
    X, y = load_uci_har(data_home=uci_har_home, subset="test", return_X_y=True)
    assert X.shape == (n_test, 9, 128) and list(y) == [1, 3, 5]
    with pytest.raises(ValueError, match="subset"):
        load_uci_har(data_home=uci_har_home, subset="validation")


def test_wisdm_quirks_are_handled_and_counted(wisdm_home):
    b = load_wisdm(data_home=wisdm_home)
    # 4 valid quirky records join user 1's run; 3 are malformed.
    assert b.n_malformed == 3
    assert [d.shape[1] for d in b.data] == [600 + 4, 600]
    assert list(b.groups) == [1, 33]
    y = b.target[0]
    assert set(np.unique(y)) == {0, 1}  # walking, jogging
    assert list(b.target_names) == [
        "walking",
        "jogging",
        "upstairs",
        "downstairs",
        "sitting",
        "standing",
    ]
    # The record with a stray trailing comma keeps all three axes.
    np.testing.assert_allclose(b.data[0][:, 102], [-0.61291564, 18.496431, 3.0237172])
    assert np.isfinite(np.concatenate(b.data, axis=1)).all()
    assert "semicolon" in b.DESCR and "malformed" in b.DESCR.lower()


def test_pamap2_fills_heart_rate_holes_and_imu_gaps(pamap2_home):
    b = load_pamap2(data_home=pamap2_home)
    assert [d.shape for d in b.data] == [(52, 1000), (52, 1000)]
    assert list(b.groups) == [101, 105]
    assert np.isfinite(b.data[0]).all()
    hr = b.data[0][0]
    # Between two readings 11 rows apart the heart rate is interpolated.
    raw = np.loadtxt(pamap2_home / "PAMAP2_Dataset" / "Protocol" / "subject101.dat")
    np.testing.assert_allclose(hr[5], raw[0, 2] + (raw[11, 2] - raw[0, 2]) * 5 / 11)
    y = b.target[0]
    codes = list(b.target_codes)
    expected = np.concatenate(
        [[codes.index(a) if a else -1] * n for a, n in PAMAP2_PLAN]
    )
    np.testing.assert_array_equal(y, expected)
    assert b.target_names[codes.index(9)] == "watching_tv"
    kept = load_pamap2(data_home=pamap2_home, fill_missing=False)
    assert np.isnan(kept.data[0][0]).sum() > 800  # HR holes stay without filling
    assert np.isnan(kept.data[0][1:18, 300:311]).all()
    assert "heart rate" in b.DESCR and "NaN" in b.DESCR


def test_opportunity_channels_labels_and_gaps(opportunity_home):
    name = opportunity_channel_name(2)
    b = load_opportunity(
        data_home=opportunity_home, channels=[name, opportunity_channel_name(6)]
    )
    assert len(b.data) == 24 and b.data[0].shape == (2, OPPORTUNITY_ROWS)
    assert list(b.channel_columns) == [2, 6]
    assert b.recording_names[0] == "S1-ADL1" and list(b.groups[:6]) == [1] * 6
    assert b.data[6][0, 0] == 2000  # column 2 holds 1000 * subject
    assert np.isfinite(b.data[0]).all()  # the NaN gap in column 6 was filled
    assert list(b.target_names) == ["Null", "Stand", "Walk", "Sit", "Lie"]
    assert list(np.unique(b.target[0])) == [0, 1, 2, 3, 4]
    full = load_opportunity(data_home=opportunity_home, fill_missing=False)
    assert full.data[0].shape == (242, OPPORTUNITY_ROWS)
    assert np.isnan(full.data[0][4, 40:60]).all()
    with pytest.raises(ValueError, match="Unknown Opportunity channels"):
        load_opportunity(data_home=opportunity_home, channels=["nope"])


def test_unimib_rows_are_x_then_y_then_z(unimib_home):
    b = load_unimib_shar(data_home=unimib_home)
    assert b.data.shape == (36, 3, 151)
    np.testing.assert_allclose(b.data[:, 0].mean(), 100.0, atol=0.2)
    np.testing.assert_allclose(b.data[:, 2].mean(), -100.0, atol=0.2)
    assert list(b.target_names) == list(UNIMIB_NAMES)
    assert list(b.target[:10]) == [0, 1, 2, 3, 4, 5, 6, 7, 8, 0]
    assert list(b.groups[:9]) == [1, 2, 3, 4, 5, 6, 7, 8, 1]
    with pytest.raises(ValueError, match="subset"):
        load_unimib_shar(data_home=unimib_home, subset="falls")


def test_skoda_blocks_and_codes(skoda_home):
    b = load_skoda(data_home=skoda_home)
    labels = skoda_labels()
    assert b.data[0].shape == (60, len(labels))
    assert list(b.sensor_ids) == list(range(10, 20))
    assert b.channel_names[0] == "s01_cal_x" and b.channel_names[6] == "s02_cal_x"
    # Calibrated values of sensor s were written around 100 * s.
    np.testing.assert_allclose(b.data[0][6:9].mean(), 100.0, atol=0.2)
    assert b.target_names[0] == "null" and len(b.target_names) == 11
    np.testing.assert_array_equal(b.target[0] == 0, labels == 32)
    assert "left" in load_skoda(data_home=skoda_home, arm="left").recording_names[0]


def test_daphnet_annotation_zero_is_unlabelled(daphnet_home):
    b = load_daphnet(data_home=daphnet_home)
    assert b.recording_names == ["S01R01", "S01R02", "S09R01"]
    assert list(b.groups) == [1, 1, 9]
    assert b.data[0].shape == (9, len(DAPHNET_ANNOTATION))
    np.testing.assert_array_equal(b.target[0], DAPHNET_ANNOTATION - 1)
    assert list(b.target_names) == ["no_freeze", "freeze"]
    assert "not part of the experiment" in b.DESCR


def test_motionsense_recordings_and_columns(motionsense_home):
    b = load_motionsense(data_home=motionsense_home)
    assert len(b.data) == 9 and b.data[0].shape == (12, 300)
    assert b.recording_names[0] == "dws_1/sub_1"
    np.testing.assert_allclose(b.data[0][9].mean(), 7.0, atol=0.3)
    assert list(b.trials[:3]) == [1, 1, 1] and list(b.groups[:3]) == [1, 2, 5]
    assert set(np.unique(np.concatenate(b.target))) == {0, 2, 4}  # dws, wlk, sit
    assert all(len(np.unique(y)) == 1 for y in b.target)


def test_damaged_text_file_is_named(hapt_home):
    """A truncated or garbled file in an unpacked folder: which file, what to do."""
    path = next((hapt_home / "HAPT" / "RawData").glob("acc_exp*.txt"))
    path.write_bytes(path.read_bytes()[:200] + b"\xff\xfe garbage 1.0.0\n")
    with pytest.raises(ValueError, match="could not be read") as excinfo:
        load_hapt(data_home=hapt_home)
    assert str(path) in str(excinfo.value) and "delete it" in str(excinfo.value)


def test_damaged_mat_file_is_named(skoda_home):
    path = skoda_home / "SkodaMiniCP_2015_08" / "right_classall_clean.mat"
    path.write_bytes(path.read_bytes()[:300])
    with pytest.raises(ValueError, match="could not be read") as excinfo:
        load_skoda(data_home=skoda_home)
    assert str(path) in str(excinfo.value)
