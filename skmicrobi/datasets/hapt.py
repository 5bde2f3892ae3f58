"""HAPT: the raw smartphone streams behind UCI-HAR, with postural transitions."""

from __future__ import annotations

import os
import re

import numpy as np
from sklearn.utils import Bunch

from skmicrobi.datasets._base import (
    UNLABELLED,
    read_table,
    recordings_bunch,
    require_files,
)
from skmicrobi.datasets._fetch import RemoteArchive, fetch_archive

ARCHIVE = RemoteArchive(
    name="HAPT (Smartphone-Based Recognition of Human Activities and Postural "
    "Transitions)",
    url="https://archive.ics.uci.edu/static/public/341/"
    "smartphone+based+recognition+of+human+activities+and+postural+transitions.zip",
    filename="hapt.zip",
    # Published by several independent users of this exact URL (79,596,192
    # bytes); not verified from this code's development machine (no network).
    sha256="4ac4ae064227c07045a99551876b54d204837e995e298b6488559e209b3deb09",
    folder="HAPT",
    marker="RawData/labels.txt",
)

SAMPLING_RATE = 50.0
CHANNEL_NAMES = ("acc_x", "acc_y", "acc_z", "gyro_x", "gyro_y", "gyro_z")

_RAW_FILE = re.compile(r"acc_exp(\d+)_user(\d+)\.txt$")

DESCR = """\
HAPT: Smartphone-Based Recognition of Human Activities and Postural Transitions
--------------------------------------------------------------------------------

Raw 50 Hz streams of a waist-mounted Samsung Galaxy S II: 3-axis accelerometer
(in g) and 3-axis gyroscope (rad/s), 30 volunteers aged 19-48, 61 experiments,
1,122,772 samples. Six activities (walking, walking upstairs, walking
downstairs, sitting, standing, lying) and six postural transitions between the
static ones. UCI-HAR (Anguita et al., 2013) was cut from these recordings.

**Returned**: one recording per experiment, ``data[i]`` of shape (6, T_i) with
channels acc_x, acc_y, acc_z, gyro_x, gyro_y, gyro_z; ``target[i]`` of shape
(T_i,) with class indices 0-11 into ``target_names`` (activity ids 1-12 of the
archive, ``target_codes``), and -1 for samples outside every labelled segment
(the start and end of each experiment and short gaps between activities);
``groups[i]`` the volunteer (1-30).

**Quirks**: ``RawData/labels.txt`` gives each segment as inclusive start and end
sample numbers; they are read as 1-based (the archive was produced with
MATLAB), which places each boundary within one sample (20 ms) of either reading.

:Citation: J.-L. Reyes-Ortiz, L. Oneto, A. Samà, X. Parra, D. Anguita.
    Transition-Aware Human Activity Recognition Using Smartphones.
    Neurocomputing 171: 754-767, 2016.
:Licence: CC BY 4.0.
:URL: https://archive.ics.uci.edu/dataset/341
"""


def load_hapt(
    data_home: str | os.PathLike | None = None,
    *,
    download_if_missing: bool = True,
    return_X_y: bool = False,
) -> Bunch | tuple:
    """Load the HAPT raw recordings (the 50 Hz streams behind UCI-HAR).

    30 volunteers, 61 experiments, 6 channels (accelerometer in g, gyroscope in
    rad/s) at 50 Hz, with per-sample labels for 6 activities and 6 postural
    transitions. The folder ``data_home/HAPT`` (the archive's contents:
    ``RawData/acc_expXX_userYY.txt``, ``RawData/gyro_expXX_userYY.txt``,
    ``RawData/labels.txt``, ``activity_labels.txt``) is used when present;
    otherwise the archive is downloaded from the UCI repository.

    Citation: J.-L. Reyes-Ortiz, L. Oneto, A. Samà, X. Parra, D. Anguita,
    "Transition-Aware Human Activity Recognition Using Smartphones",
    Neurocomputing 171: 754-767, 2016. Licence: CC BY 4.0. URL:
    https://archive.ics.uci.edu/dataset/341 (79.6 MB zip).

    Parameters
    ----------
    data_home : str or path-like, default=None
        Folder that holds (or will hold) ``HAPT``; see
        :func:`~skmicrobi.datasets.get_data_home`.
    download_if_missing : bool, default=True
        Download the archive when ``data_home/HAPT`` is absent.
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of a Bunch.

    Returns
    -------
    data : Bunch
        ``data``: list of 61 float64 arrays of shape (6, T_i), 1,122,772 samples
        in all. ``target``: list of int64 arrays of shape (T_i,), class indices
        0-11 into ``target_names``, -1 where no label applies. ``groups``: (61,)
        volunteer ids. ``recording_names``: ``"exp01_user01"``, ...
        ``channel_names``, ``target_names``, ``target_codes`` (the archive's
        activity ids 1-12), ``sampling_rate`` (50.0), ``DESCR``.
    (data, target) : tuple
        When ``return_X_y`` is True.

    See Also
    --------
    load_benchmark : ``load_benchmark("uci_har_hapt")`` derives UCI-HAR's
        windows from these streams.

    Examples
    --------
    >>> from skmicrobi.datasets import load_hapt
    >>> hapt = load_hapt(data_home="../shared/data")  # doctest: +SKIP
    >>> hapt.data[0].shape, hapt.groups[0]  # doctest: +SKIP
    ((6, 20598), 1)
    """
    folder = fetch_archive(ARCHIVE, data_home, download_if_missing)
    raw = folder / "RawData"
    names, codes = _read_activity_labels(folder / "activity_labels.txt")
    code_to_index = {code: i for i, code in enumerate(codes)}

    acc_files = sorted(p for p in raw.iterdir() if _RAW_FILE.search(p.name))
    require_files(acc_files, f"acc_expXX_userYY.txt files in {raw}")
    segments = read_table(raw / "labels.txt").astype(np.int64)
    if segments.ndim != 2 or segments.shape[1] != 5:
        raise ValueError(
            f"{raw / 'labels.txt'} should have 5 columns (experiment, user, "
            f"activity, start, end); found shape {segments.shape}."
        )

    data, target, groups, rec_names = [], [], [], []
    for acc_path in acc_files:
        exp, user = (int(v) for v in _RAW_FILE.search(acc_path.name).groups())
        gyro_path = raw / acc_path.name.replace("acc_", "gyro_", 1)
        acc = read_table(acc_path)
        gyro = read_table(gyro_path)
        if acc.shape != gyro.shape or acc.shape[1] != 3:
            raise ValueError(
                f"{acc_path.name} and {gyro_path.name} should both be (T, 3) "
                f"tables of the same length; found {acc.shape} and {gyro.shape}."
            )
        labels = np.full(acc.shape[0], UNLABELLED, dtype=np.int64)
        mine = segments[(segments[:, 0] == exp) & (segments[:, 1] == user)]
        for _, _, activity, start, end in mine:
            if activity not in code_to_index:
                raise ValueError(
                    f"labels.txt has activity id {activity}, which "
                    f"activity_labels.txt does not define."
                )
            labels[start - 1 : end] = code_to_index[activity]
        data.append(np.concatenate([acc.T, gyro.T]))
        target.append(labels)
        groups.append(user)
        rec_names.append(f"exp{exp:02d}_user{user:02d}")

    return recordings_bunch(
        data=data,
        target=target,
        groups=np.asarray(groups),
        recording_names=rec_names,
        channel_names=CHANNEL_NAMES,
        target_names=names,
        target_codes=codes,
        sampling_rate=SAMPLING_RATE,
        descr=DESCR,
        return_X_y=return_X_y,
    )


def _read_activity_labels(path) -> tuple[list[str], list[int]]:
    names, codes = [], []
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 2:
                codes.append(int(parts[0]))
                names.append(parts[1])
    require_files(codes, f"activity labels in {path}")
    return names, codes
