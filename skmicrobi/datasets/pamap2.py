"""PAMAP2: three IMUs and a heart-rate monitor, 18 physical activities."""

from __future__ import annotations

import os
import re

import numpy as np
from sklearn.utils import Bunch

from skmicrobi.datasets._base import (
    encode_labels,
    interpolate_missing,
    read_table,
    recordings_bunch,
    require_files,
)
from skmicrobi.datasets._fetch import RemoteArchive, fetch_archive

ARCHIVE = RemoteArchive(
    name="PAMAP2 Physical Activity Monitoring",
    url="https://archive.ics.uci.edu/static/public/231/"
    "pamap2+physical+activity+monitoring.zip",
    filename="pamap2.zip",
    # Not pinned: UCI publishes none, and no network here to compute
    # one. The download is still checked to be a complete archive before it
    # is kept (zip CRCs, or a full tar read).
    sha256=None,
    folder="PAMAP2_Dataset",
    marker="Protocol/subject101.dat",
)

SAMPLING_RATE = 100.0

#: The archive's activity ids and names (its readme); 0 ("other", transient
#: activities between the protocol's) is not a class and becomes -1.
ACTIVITIES = {
    1: "lying",
    2: "sitting",
    3: "standing",
    4: "walking",
    5: "running",
    6: "cycling",
    7: "nordic_walking",
    9: "watching_tv",
    10: "computer_work",
    11: "car_driving",
    12: "ascending_stairs",
    13: "descending_stairs",
    16: "vacuum_cleaning",
    17: "ironing",
    18: "folding_laundry",
    19: "house_cleaning",
    20: "playing_soccer",
    24: "rope_jumping",
}

_IMU_FIELDS = (
    "temperature",
    "acc16_x",
    "acc16_y",
    "acc16_z",
    "acc6_x",
    "acc6_y",
    "acc6_z",
    "gyro_x",
    "gyro_y",
    "gyro_z",
    "mag_x",
    "mag_y",
    "mag_z",
    "orientation_1",
    "orientation_2",
    "orientation_3",
    "orientation_4",
)
#: Columns 3-54 of each .dat file (after timestamp and activity id).
CHANNEL_NAMES = ("heart_rate",) + tuple(
    f"{imu}_{field}" for imu in ("hand", "chest", "ankle") for field in _IMU_FIELDS
)

_SUBJECT_FILE = re.compile(r"subject(\d+)\.dat$")

DESCR = """\
PAMAP2 Physical Activity Monitoring
-----------------------------------

9 subjects wore three Colibri IMUs (dominant wrist, chest, dominant ankle;
100 Hz: temperature, 3-axis acceleration at +-16 g and +-6 g in m/s^2,
gyroscope in rad/s, magnetometer in uT, orientation) and a heart-rate monitor
(about 9 Hz) while following a protocol of 12 activities; some also recorded
optional activities (watching TV, computer work, car driving, folding laundry,
house cleaning, playing soccer).

**Returned**: one recording per subject file, ``data[i]`` of shape (52, T_i)
(heart rate, then 17 channels per IMU in ``channel_names`` order),
``target[i]`` per-sample class indices into ``target_names`` (the 18 activity
ids of ``target_codes``), -1 for activity id 0 (transient periods between
activities), ``groups[i]`` the subject id (101-109).

**Quirks**: the heart rate is sampled at about 9 Hz, so the 100 Hz rows hold
NaN between its readings; wireless drop-outs leave NaN gaps in the IMU
columns. With ``fill_missing=True`` (default) every gap is filled by linear
interpolation per channel (edges take the nearest reading). The orientation
columns are documented as invalid in this collection.

:Citation: A. Reiss, D. Stricker. Introducing a New Benchmarked Dataset for
    Activity Monitoring. ISWC 2012.
:Licence: CC BY 4.0.
:URL: https://archive.ics.uci.edu/dataset/231
"""


def load_pamap2(
    data_home: str | os.PathLike | None = None,
    *,
    subset: str = "protocol",
    fill_missing: bool = True,
    download_if_missing: bool = True,
    return_X_y: bool = False,
) -> Bunch | tuple:
    """Load the PAMAP2 recordings (3 IMUs + heart rate at 100 Hz, 9 subjects).

    The folder ``data_home/PAMAP2_Dataset`` (with ``Protocol/subject10X.dat``
    and ``Optional/``, as the archive unpacks) is used when present; otherwise
    the archive is downloaded from the UCI repository.

    Citation: A. Reiss, D. Stricker, "Introducing a New Benchmarked Dataset for
    Activity Monitoring", ISWC 2012. Licence: CC BY 4.0. URL:
    https://archive.ics.uci.edu/dataset/231 (657 MB zip).

    Parameters
    ----------
    data_home : str or path-like, default=None
        Folder that holds (or will hold) ``PAMAP2_Dataset``; see
        :func:`~skmicrobi.datasets.get_data_home`.
    subset : {"protocol", "optional"}, default="protocol"
        The protocol recordings (9 subjects, 12 activities, about 2.87 million
        samples) or the optional ones (5 subjects).
    fill_missing : bool, default=True
        Fill heart-rate holes and IMU drop-outs by linear interpolation; with
        False they stay NaN.
    download_if_missing : bool, default=True
        Download the archive when the folder is absent.
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of a Bunch.

    Returns
    -------
    data : Bunch
        ``data``: list of float64 arrays (52, T_i). ``target``: list of int64
        arrays (T_i,), class indices into ``target_names`` (18 activities), -1
        for transient periods. ``groups``: subject ids (101-109).
        ``recording_names``, ``channel_names``, ``target_codes`` (the archive's
        activity ids), ``sampling_rate`` (100.0), ``DESCR``.
    (data, target) : tuple
        When ``return_X_y`` is True.

    Examples
    --------
    >>> from skmicrobi.datasets import load_pamap2
    >>> pamap2 = load_pamap2()  # doctest: +SKIP
    >>> pamap2.data[0].shape[0], len(pamap2.target_names)  # doctest: +SKIP
    (52, 18)
    """
    subsets = {"protocol": "Protocol", "optional": "Optional"}
    if subset not in subsets:
        raise ValueError(f"subset must be one of {sorted(subsets)}; got {subset!r}.")
    folder = fetch_archive(ARCHIVE, data_home, download_if_missing) / subsets[subset]
    files = sorted(
        p for p in folder.glob("subject*.dat") if _SUBJECT_FILE.search(p.name)
    )
    require_files(files, f"subjectXXX.dat files in {folder}")

    codes = list(ACTIVITIES)
    code_to_index = {code: i for i, code in enumerate(codes)}
    data, target, groups, names = [], [], [], []
    for path in files:
        table = read_table(path)
        if table.shape[1] != 2 + len(CHANNEL_NAMES):
            raise ValueError(
                f"{path} should have {2 + len(CHANNEL_NAMES)} columns; found "
                f"{table.shape[1]}."
            )
        values = table[:, 2:].T
        if fill_missing:
            values = interpolate_missing(values)
        data.append(np.ascontiguousarray(values))
        target.append(encode_labels(table[:, 1].astype(np.int64), code_to_index))
        groups.append(int(_SUBJECT_FILE.search(path.name).group(1)))
        names.append(path.stem)
    return recordings_bunch(
        data=data,
        target=target,
        groups=np.asarray(groups),
        recording_names=names,
        channel_names=CHANNEL_NAMES,
        target_names=list(ACTIVITIES.values()),
        target_codes=codes,
        sampling_rate=SAMPLING_RATE,
        descr=DESCR,
        return_X_y=return_X_y,
    )
