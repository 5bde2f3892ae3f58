"""Tiny copies of each archive, written in its true on-disk format (with its quirks).

Each fixture returns a ``data_home`` holding the archive's unpacked folder, so a
loader finds it there and never touches the network.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from scipy import io as sio


def shared_data_dir() -> Path | None:
    """The real-data folder (../shared/data or $SKMICROBI_SHARED_DATA), if present."""
    root = Path(__file__).resolve().parents[2]
    default = root.parent / "shared" / "data"
    path = Path(os.environ.get("SKMICROBI_SHARED_DATA", default))
    return path if path.is_dir() else None


# -- HAPT -----------------------------------------------------------------------
HAPT_ACTIVITY_LABELS = """1 WALKING
2 WALKING_UPSTAIRS
3 WALKING_DOWNSTAIRS
4 SITTING
5 STANDING
6 LAYING
7 STAND_TO_SIT
8 SIT_TO_STAND
9 SIT_TO_LIE
10 LIE_TO_SIT
11 STAND_TO_LIE
12 LIE_TO_STAND
"""
#: (experiment, user): segments (activity, first, last), 1-based inclusive.
HAPT_SEGMENTS = {
    (1, 1): [(5, 50, 400), (7, 401, 470), (4, 471, 900)],
    (2, 2): [(1, 20, 400), (2, 460, 900)],
}
HAPT_LENGTH = 1000


@pytest.fixture
def hapt_home(tmp_path):
    rng = np.random.default_rng(0)
    raw = tmp_path / "HAPT" / "RawData"
    raw.mkdir(parents=True)
    (tmp_path / "HAPT" / "activity_labels.txt").write_text(HAPT_ACTIVITY_LABELS)
    lines = []
    for (exp, user), segments in HAPT_SEGMENTS.items():
        for kind, offset in (("acc", 1.0), ("gyro", 0.0)):
            values = rng.normal(size=(HAPT_LENGTH, 3)) * 0.1
            values[:, 0] += offset  # gravity on x for the accelerometer
            np.savetxt(
                raw / f"{kind}_exp{exp:02d}_user{user:02d}.txt",
                values,
                fmt="%.12g",
                delimiter=" ",
            )
        lines += [f"{exp} {user} {a} {s} {e}" for a, s, e in segments]
    (raw / "labels.txt").write_text("\n".join(lines) + "\n")
    return tmp_path


# -- UCI-HAR --------------------------------------------------------------------
UCI_HAR_SPLITS = {
    "train": ([1, 5, 6, 1], [1, 1, 3, 3]),  # labels, subjects
    "test": ([2, 4, 6], [2, 2, 4]),
}


@pytest.fixture
def uci_har_home(tmp_path):
    rng = np.random.default_rng(1)
    top = tmp_path / "UCI HAR Dataset"
    top.mkdir()
    (top / "activity_labels.txt").write_text(HAPT_ACTIVITY_LABELS.split("7 ")[0])
    for split, (labels, subjects) in UCI_HAR_SPLITS.items():
        signals = top / split / "Inertial Signals"
        signals.mkdir(parents=True)
        for i, kind in enumerate(["body_acc", "body_gyro", "total_acc"]):
            for j, axis in enumerate("xyz"):
                # Channel code in the values so the test can check the order.
                values = rng.normal(size=(len(labels), 128)) * 1e-3 + 10 * i + j
                # The archive's layout: two leading spaces, %.7e per value.
                rows = ["  " + "  ".join(f"{v:.7e}" for v in row) for row in values]
                (signals / f"{kind}_{axis}_{split}.txt").write_text(
                    "\n".join(rows) + "\n"
                )
        (top / split / f"y_{split}.txt").write_text("".join(f"{v}\n" for v in labels))
        (top / split / f"subject_{split}.txt").write_text(
            "".join(f"{v}\n" for v in subjects)
        )
    return tmp_path


# -- WISDM ----------------------------------------------------------------------
def _wisdm_lines(user, activity, n, t0, rng):
    return [
        f"{user},{activity},{t0 + 50_000_000 * k},{x:.7g},{y:.7g},{z:.7g};"
        for k, (x, y, z) in enumerate(rng.normal(size=(n, 3)) * 4)
    ]


@pytest.fixture
def wisdm_home(tmp_path):
    rng = np.random.default_rng(2)
    lines = []
    for user in (1, 33):
        for activity in ("Walking", "Jogging"):
            lines += _wisdm_lines(user, activity, 300, 49105962326000, rng)
    # The raw file's quirks, placed inside user 1's walking run:
    quirks = [
        # two records on one line (both valid)
        "1,Walking,49106062271000,5.012288,11.264028,0.95342433;"
        "1,Walking,49106112167000,4.903325,10.882658,-0.08172209;",
        "1,Walking,49106162248000,-0.61291564,18.496431,3.0237172,;",  # stray comma
        "1,Walking,49106212255000,-1.1849703,12.108489,;",  # truncated: malformed
        "",  # empty line
        "1,Walking,0,-1.2,12.1,7.2",  # no semicolon, zero timestamp: valid
        "1,Strolling,49106262240000,1.0,2.0,3.0;",  # unknown activity: malformed
        "1,Walking,49106312244000,1.0,abc,3.0;",  # not a number: malformed
    ]
    lines[100:100] = quirks
    folder = tmp_path / "WISDM_ar_v1.1"
    folder.mkdir()
    (folder / "WISDM_ar_v1.1_raw.txt").write_text("\n".join(lines) + "\n")
    return tmp_path


# -- PAMAP2 ---------------------------------------------------------------------
#: (activity id, rows) in order, per subject file.
PAMAP2_PLAN = [(0, 100), (1, 400), (0, 50), (4, 400), (9, 50)]


def _pamap2_table(rng):
    rows = sum(n for _, n in PAMAP2_PLAN)
    table = np.empty((rows, 54))
    table[:, 0] = np.arange(rows) / 100.0 + 5.64
    table[:, 1] = np.concatenate([[a] * n for a, n in PAMAP2_PLAN])
    table[:, 2] = np.nan
    table[::11, 2] = 100 + rng.integers(0, 20, size=len(table[::11]))  # ~9 Hz HR
    table[:, 3:] = rng.normal(size=(rows, 51))
    table[300:311, 3:20] = np.nan  # a wireless drop-out of the hand IMU
    return table


@pytest.fixture
def pamap2_home(tmp_path):
    rng = np.random.default_rng(3)
    protocol = tmp_path / "PAMAP2_Dataset" / "Protocol"
    protocol.mkdir(parents=True)
    (tmp_path / "PAMAP2_Dataset" / "Optional").mkdir()
    for subject in (101, 105):
        np.savetxt(
            protocol / f"subject{subject}.dat",
            _pamap2_table(rng),
            fmt="%.6g",
            delimiter=" ",
        )
    return tmp_path


# -- Opportunity ------------------------------------------------------------------
OPPORTUNITY_LABEL_COLUMNS = (
    "Locomotion",
    "HL_Activity",
    "LL_Left_Arm",
    "LL_Left_Arm_Object",
    "LL_Right_Arm",
    "LL_Right_Arm_Object",
    "ML_Both_Arms",
)
OPPORTUNITY_ROWS = 300


def opportunity_channel_name(col: int) -> str:
    return f"Accelerometer P{col} acc{'XYZ'[col % 3]}"


@pytest.fixture
def opportunity_home(tmp_path):
    rng = np.random.default_rng(4)
    dataset = tmp_path / "OpportunityUCIDataset" / "dataset"
    dataset.mkdir(parents=True)
    lines = [
        "Data columns:",
        "Column: 1 MILLISEC; value = round(original_value), unit = ms",
    ]
    lines += [
        f"Column: {c} {opportunity_channel_name(c)}; value = "
        f"round(original_value), unit = milli g"
        for c in range(2, 244)
    ]
    lines += [" ", "Label columns: "]
    lines += [
        f"Column: {244 + i} {name}" for i, name in enumerate(OPPORTUNITY_LABEL_COLUMNS)
    ]
    (dataset / "column_names.txt").write_text("\n".join(lines) + "\n")
    locomotion = np.repeat([0, 1, 2, 4, 5, 1], OPPORTUNITY_ROWS // 6)
    for subject in (1, 2, 3, 4):
        for run in ("ADL1", "ADL2", "ADL3", "ADL4", "ADL5", "Drill"):
            table = np.zeros((OPPORTUNITY_ROWS, 250))
            table[:, 0] = np.arange(OPPORTUNITY_ROWS) * 33
            table[:, 1:243] = rng.integers(-1000, 1000, size=(OPPORTUNITY_ROWS, 242))
            table[:, 1] = subject * 1000  # column 2 tells runs apart
            table[40:60, 5] = np.nan  # a lost wireless link
            table[:, 243] = locomotion
            np.savetxt(
                dataset / f"S{subject}-{run}.dat", table, fmt="%.10g", delimiter=" "
            )
    return tmp_path


# -- UniMiB-SHAR ------------------------------------------------------------------
UNIMIB_NAMES = (
    "StandingUpFS",
    "StandingUpFL",
    "Walking",
    "Running",
    "GoingUpS",
    "Jumping",
    "GoingDownS",
    "LyingDownFS",
    "SittingDown",
)


@pytest.fixture
def unimib_home(tmp_path):
    rng = np.random.default_rng(5)
    data = tmp_path / "UniMiB-SHAR" / "data"
    data.mkdir(parents=True)
    n = 36
    xyz = rng.normal(size=(n, 3, 151))
    xyz[:, 0] += 100.0  # x stands out, to check the de-flattening
    xyz[:, 2] -= 100.0
    rows = xyz.reshape(n, 453)  # [x..., y..., z...] per row, as the archive
    labels = np.stack(
        [np.arange(n) % 9 + 1, np.arange(n) % 8 + 1, np.arange(n) % 2 + 1], axis=1
    ).astype(np.float64)
    names = np.empty((2, 9), dtype=object)
    names[0] = [f"description of {v}" for v in UNIMIB_NAMES]
    names[1] = list(UNIMIB_NAMES)
    sio.savemat(data / "adl_data.mat", {"adl_data": rows})
    sio.savemat(data / "adl_labels.mat", {"adl_labels": labels})
    sio.savemat(data / "adl_names.mat", {"adl_names": names})
    return tmp_path


# -- SKODA ------------------------------------------------------------------------
SKODA_GESTURES = (48, 49, 50, 51, 52, 53, 54, 55, 56, 57)


def skoda_labels(repetitions: int = 5) -> np.ndarray:
    """Null between gestures, each gesture repeated, as in the recording."""
    parts = []
    for _ in range(repetitions):
        for g in SKODA_GESTURES:
            parts += [np.full(120, 32), np.full(110, g)]
    return np.concatenate(parts)


@pytest.fixture
def skoda_home(tmp_path):
    rng = np.random.default_rng(6)
    labels = skoda_labels()
    table = np.empty((len(labels), 71))
    table[:, 0] = labels
    for s in range(10):
        base = 1 + 7 * s
        table[:, base] = 10 + s  # sensor id
        table[:, base + 1 : base + 4] = rng.normal(size=(len(labels), 3)) + 100 * s
        table[:, base + 4 : base + 7] = rng.integers(0, 1024, size=(len(labels), 3))
    folder = tmp_path / "SkodaMiniCP_2015_08"
    folder.mkdir()
    sio.savemat(folder / "right_classall_clean.mat", {"right_classall_clean": table})
    sio.savemat(folder / "left_classall_clean.mat", {"left_classall_clean": table})
    return tmp_path


# -- Daphnet ----------------------------------------------------------------------
DAPHNET_ANNOTATION = np.concatenate(
    [np.zeros(100), np.ones(400), np.full(200, 2), np.ones(300), np.zeros(100)]
).astype(int)


@pytest.fixture
def daphnet_home(tmp_path):
    rng = np.random.default_rng(7)
    dataset = tmp_path / "dataset_fog_release" / "dataset"
    dataset.mkdir(parents=True)
    for name in ("S01R01", "S01R02", "S09R01"):
        n = len(DAPHNET_ANNOTATION)
        table = np.column_stack(
            [
                np.arange(n) * 15,
                rng.integers(-2000, 2000, size=(n, 9)),
                DAPHNET_ANNOTATION,
            ]
        )
        np.savetxt(dataset / f"{name}.txt", table, fmt="%d", delimiter=" ")
    return tmp_path


# -- MotionSense ------------------------------------------------------------------
MOTIONSENSE_COLUMNS = (
    "attitude.roll",
    "attitude.pitch",
    "attitude.yaw",
    "gravity.x",
    "gravity.y",
    "gravity.z",
    "rotationRate.x",
    "rotationRate.y",
    "rotationRate.z",
    "userAcceleration.x",
    "userAcceleration.y",
    "userAcceleration.z",
)


@pytest.fixture
def motionsense_home(tmp_path):
    rng = np.random.default_rng(8)
    top = tmp_path / "A_DeviceMotion_data"
    for trial in ("dws_1", "wlk_7", "sit_5"):
        (top / trial).mkdir(parents=True)
        for subject in (1, 2, 5):
            n = 300
            values = rng.normal(size=(n, 12))
            values[:, 9] += 7.0  # userAcceleration.x marked for the column test
            header = "," + ",".join(MOTIONSENSE_COLUMNS)
            rows = [
                f"{i}," + ",".join(f"{v:.6f}" for v in row)
                for i, row in enumerate(values)
            ]
            (top / trial / f"sub_{subject}.csv").write_text(
                header + "\n" + "\n".join(rows) + "\n"
            )
    return tmp_path
