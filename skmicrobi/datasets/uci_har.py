"""UCI-HAR: Human Activity Recognition Using Smartphones (the official windows)."""

from __future__ import annotations

import os

import numpy as np
from sklearn.utils import Bunch

from skmicrobi.datasets._base import read_table
from skmicrobi.datasets._fetch import RemoteArchive, fetch_archive

ARCHIVE = RemoteArchive(
    name="UCI-HAR (Human Activity Recognition Using Smartphones)",
    url="https://archive.ics.uci.edu/static/public/240/"
    "human+activity+recognition+using+smartphones.zip",
    filename="uci_har.zip",
    # The outer UCI download (it wraps "UCI HAR Dataset.zip"), as published by
    # several independent users of this URL; not verified from this machine.
    sha256="c00b803081a5c797cd5e4b83700a9810b38d53d9d84e01917e090e1fdbc81031",
    folder="UCI HAR Dataset",
    marker="train/Inertial Signals/body_acc_x_train.txt",
)

SAMPLING_RATE = 50.0
WINDOW_LENGTH = 128

#: The nine inertial signals in the order of the paper's 9-channel input.
SIGNALS = (
    "body_acc_x",
    "body_acc_y",
    "body_acc_z",
    "body_gyro_x",
    "body_gyro_y",
    "body_gyro_z",
    "total_acc_x",
    "total_acc_y",
    "total_acc_z",
)

#: The official test volunteers (the other 21 of the 30 are the training set).
TEST_SUBJECTS = (2, 4, 9, 10, 12, 13, 18, 20, 24)

DESCR = """\
UCI-HAR: Human Activity Recognition Using Smartphones
------------------------------------------------------

30 volunteers (19-48 years) wore a Samsung Galaxy S II on the waist while
walking, walking upstairs, walking downstairs, sitting, standing and lying.
Accelerometer and gyroscope at 50 Hz were median filtered and low-pass filtered
(3rd-order Butterworth, 20 Hz); the acceleration was split into body and
gravity parts with a 0.3 Hz Butterworth low-pass; the signals were cut into
windows of 128 samples (2.56 s) with 50% overlap. 7,352 training windows (21
volunteers) and 2,947 test windows (9 volunteers: 2 4 9 10 12 13 18 20 24).

**Returned**: ``data`` of shape (n, 9, 128), channels body_acc xyz (g, gravity
removed), body_gyro xyz (rad/s), total_acc xyz (g); ``target`` class indices
0-5 (archive ids 1-6); ``groups`` the volunteer; ``split`` "train" or "test".
The 561 hand-crafted features of the archive are not loaded.

:Citation: D. Anguita, A. Ghio, L. Oneto, X. Parra, J. L. Reyes-Ortiz. A Public
    Domain Dataset for Human Activity Recognition Using Smartphones. ESANN 2013.
:Licence: CC BY 4.0.
:URL: https://archive.ics.uci.edu/dataset/240
"""


def load_uci_har(
    data_home: str | os.PathLike | None = None,
    *,
    subset: str = "all",
    download_if_missing: bool = True,
    return_X_y: bool = False,
) -> Bunch | tuple:
    """Load UCI-HAR's official windows of the nine inertial signals.

    10,299 windows of 128 samples (2.56 s at 50 Hz) from 30 volunteers, six
    activities, with the official split (7,352 training windows from 21
    volunteers, 2,947 test windows from 9). The folder ``data_home/UCI HAR
    Dataset`` (as the archive unpacks) is used when present; otherwise the
    archive is downloaded from the UCI repository.

    Citation: D. Anguita, A. Ghio, L. Oneto, X. Parra, J. L. Reyes-Ortiz, "A
    Public Domain Dataset for Human Activity Recognition Using Smartphones",
    ESANN 2013. Licence: CC BY 4.0. URL: https://archive.ics.uci.edu/dataset/240
    (61 MB zip).

    Parameters
    ----------
    data_home : str or path-like, default=None
        Folder that holds (or will hold) ``UCI HAR Dataset``; see
        :func:`~skmicrobi.datasets.get_data_home`.
    subset : {"all", "train", "test"}, default="all"
        Which official split to load; "all" is the training windows followed
        by the test windows.
    download_if_missing : bool, default=True
        Download the archive when the folder is absent.
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of a Bunch.

    Returns
    -------
    data : Bunch
        ``data``: float64 array (n, 9, 128) (n = 10,299, 7,352 or 2,947),
        channels in ``channel_names`` order (body_acc xyz, body_gyro xyz,
        total_acc xyz). ``target``: (n,) class indices 0-5 into
        ``target_names``. ``groups``: (n,) volunteer ids. ``split``: (n,)
        "train"/"test". ``target_codes`` (archive ids 1-6), ``sampling_rate``
        (50.0), ``DESCR``.
    (data, target) : tuple
        When ``return_X_y`` is True.

    Examples
    --------
    >>> from skmicrobi.datasets import load_uci_har
    >>> X, y = load_uci_har(subset="train", return_X_y=True)  # doctest: +SKIP
    >>> X.shape  # doctest: +SKIP
    (7352, 9, 128)
    """
    subsets = {"all": ("train", "test"), "train": ("train",), "test": ("test",)}
    if subset not in subsets:
        raise ValueError(f"subset must be one of {sorted(subsets)}; got {subset!r}.")
    folder = fetch_archive(ARCHIVE, data_home, download_if_missing)
    names, codes = [], []
    with open(folder / "activity_labels.txt") as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 2:
                codes.append(int(parts[0]))
                names.append(parts[1])
    code_to_index = {code: i for i, code in enumerate(codes)}

    X, y, groups, split = [], [], [], []
    for part in subsets[subset]:
        signals = []
        for signal_name in SIGNALS:
            path = folder / part / "Inertial Signals" / f"{signal_name}_{part}.txt"
            table = read_table(path)
            if table.shape[1] != WINDOW_LENGTH:
                raise ValueError(
                    f"{path} should have {WINDOW_LENGTH} values per row; found "
                    f"{table.shape[1]}."
                )
            signals.append(table)
        labels = read_table(folder / part / f"y_{part}.txt")[:, 0].astype(np.int64)
        subjects = read_table(folder / part / f"subject_{part}.txt")[:, 0]
        lengths = {len(s) for s in signals} | {len(labels), len(subjects)}
        if len(lengths) != 1:
            raise ValueError(
                f"The {part} files of {folder} disagree on the number of windows "
                f"({sorted(lengths)}); the copy is damaged."
            )
        unknown = set(np.unique(labels)) - set(code_to_index)
        if unknown:
            raise ValueError(
                f"y_{part}.txt has activity ids {sorted(unknown)} that "
                f"activity_labels.txt does not define."
            )
        X.append(np.stack(signals, axis=1))
        y.append(np.array([code_to_index[c] for c in labels], dtype=np.int64))
        groups.append(subjects.astype(np.int64))
        split.append(np.full(len(labels), part, dtype=object))

    data, target = np.concatenate(X), np.concatenate(y)
    if return_X_y:
        return data, target
    return Bunch(
        data=data,
        target=target,
        groups=np.concatenate(groups),
        split=np.concatenate(split),
        channel_names=np.asarray(SIGNALS, dtype=object),
        target_names=np.asarray(names, dtype=object),
        target_codes=np.asarray(codes),
        sampling_rate=SAMPLING_RATE,
        DESCR=DESCR,
    )
