"""WISDM v1.1: phone-in-pocket accelerometer streams of 36 users."""

from __future__ import annotations

import os
import re

import numpy as np
from sklearn.utils import Bunch

from skmicrobi.datasets._base import recordings_bunch
from skmicrobi.datasets._fetch import RemoteArchive, fetch_archive

ARCHIVE = RemoteArchive(
    name="WISDM Activity Prediction v1.1",
    url="https://www.cis.fordham.edu/wisdm/includes/datasets/latest/"
    "WISDM_ar_latest.tar.gz",
    filename="WISDM_ar_latest.tar.gz",
    # Not pinned: no checksum is published, and no network here to compute
    # one. The download is still checked to be a complete archive before it
    # is kept (zip CRCs, or a full tar read).
    sha256=None,
    folder="WISDM_ar_v1.1",
    marker="WISDM_ar_v1.1_raw.txt",
)

SAMPLING_RATE = 20.0
CHANNEL_NAMES = ("acc_x", "acc_y", "acc_z")
#: The archive's activity names, in the order of its documentation.
ACTIVITIES = ("Walking", "Jogging", "Upstairs", "Downstairs", "Sitting", "Standing")

_RECORD_SEPARATOR = re.compile(r"[;\n]")

DESCR = """\
WISDM Activity Prediction dataset v1.1
--------------------------------------

36 users carried an Android phone in the front trouser pocket while walking,
jogging, climbing stairs up and down, sitting and standing; its 3-axis
accelerometer was sampled at 20 Hz (1,098,207 samples). Values are in the
phone's units, where 10 is about 1 g (9.81 m/s^2).

**Returned**: one recording per contiguous run of one user's rows in the file
(the file is ordered by user, then activity); ``data[i]`` of shape (3, T_i)
(acc_x, acc_y, acc_z), ``target[i]`` per-sample class indices into
``target_names``, ``groups[i]`` the user id.

**Quirks**: each record ends with a semicolon; some lines hold several
records, some records end with a stray comma, and a few are truncated (a
missing axis) or empty. Records are split on semicolons and newlines, a
trailing empty field is ignored, and records that still do not have six
fields, numeric values and a known activity are skipped; their count is
``n_malformed``. Timestamps (some are 0) are not used.

:Citation: J. R. Kwapisz, G. M. Weiss, S. A. Moore. Activity Recognition using
    Cell Phone Accelerometers. SIGKDD Explorations 12(2): 74-82, 2010.
:Licence: made freely available by the WISDM Lab (Fordham University) for
    research, with the citation above; no formal licence is attached.
:URL: https://www.cis.fordham.edu/wisdm/dataset.php
"""


def load_wisdm(
    data_home: str | os.PathLike | None = None,
    *,
    download_if_missing: bool = True,
    return_X_y: bool = False,
) -> Bunch | tuple:
    """Load the WISDM v1.1 accelerometer streams (20 Hz, 36 users, 6 activities).

    The folder ``data_home/WISDM_ar_v1.1`` (holding ``WISDM_ar_v1.1_raw.txt``,
    as the archive unpacks) is used when present; otherwise the archive is
    downloaded from the WISDM Lab. Malformed records of the raw file are skipped
    and counted (see ``DESCR``).

    Citation: J. R. Kwapisz, G. M. Weiss, S. A. Moore, "Activity Recognition
    using Cell Phone Accelerometers", SIGKDD Explorations 12(2): 74-82, 2010.
    Licence: free for research with that citation (no formal licence). URL:
    https://www.cis.fordham.edu/wisdm/dataset.php (11 MB tar.gz).

    Parameters
    ----------
    data_home : str or path-like, default=None
        Folder that holds (or will hold) ``WISDM_ar_v1.1``; see
        :func:`~skmicrobi.datasets.get_data_home`.
    download_if_missing : bool, default=True
        Download the archive when the folder is absent.
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of a Bunch.

    Returns
    -------
    data : Bunch
        ``data``: list of float64 arrays (3, T_i), about 1.1 million samples in
        all. ``target``: list of int64 arrays (T_i,), class indices 0-5 into
        ``target_names``. ``groups``: user id of each recording.
        ``recording_names``, ``channel_names``, ``target_codes`` (the archive's
        activity names), ``sampling_rate`` (20.0), ``n_malformed`` (records
        skipped), ``DESCR``.
    (data, target) : tuple
        When ``return_X_y`` is True.

    Examples
    --------
    >>> from skmicrobi.datasets import load_wisdm
    >>> wisdm = load_wisdm()  # doctest: +SKIP
    >>> wisdm.data[0].shape[0], wisdm.sampling_rate  # doctest: +SKIP
    (3, 20.0)
    """
    folder = fetch_archive(ARCHIVE, data_home, download_if_missing)
    users, labels, values, n_malformed = parse_raw(folder / ARCHIVE.marker)

    # A new recording starts wherever the user changes in file order.
    starts = np.flatnonzero(np.r_[True, users[1:] != users[:-1]])
    bounds = np.r_[starts, len(users)]
    data, target, groups, names = [], [], [], []
    runs_per_user: dict[int, int] = {}
    for a, b in zip(bounds[:-1], bounds[1:]):
        user = int(users[a])
        runs_per_user[user] = runs_per_user.get(user, 0) + 1
        data.append(np.ascontiguousarray(values[a:b].T))
        target.append(labels[a:b].copy())
        groups.append(user)
        names.append(f"user{user:02d}_run{runs_per_user[user]}")
    return recordings_bunch(
        data=data,
        target=target,
        groups=np.asarray(groups),
        recording_names=names,
        channel_names=CHANNEL_NAMES,
        target_names=[a.lower() for a in ACTIVITIES],
        target_codes=ACTIVITIES,
        sampling_rate=SAMPLING_RATE,
        descr=DESCR,
        return_X_y=return_X_y,
        n_malformed=n_malformed,
    )


def parse_raw(
    path: str | os.PathLike,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Parse ``WISDM_ar_v1.1_raw.txt`` into users, class indices and (T, 3) values.

    Returns ``(users, labels, values, n_malformed)``; see :func:`load_wisdm`
    for the quirks handled.
    """
    activity_index = {name: i for i, name in enumerate(ACTIVITIES)}
    users, labels, values = [], [], []
    n_malformed = 0
    with open(path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    for record in _RECORD_SEPARATOR.split(text):
        record = record.strip()
        if not record:
            continue
        fields = [field.strip() for field in record.split(",")]
        if len(fields) == 7 and fields[-1] == "":
            fields.pop()
        if len(fields) != 6 or fields[1] not in activity_index:
            n_malformed += 1
            continue
        try:
            user = int(fields[0])
            xyz = (float(fields[3]), float(fields[4]), float(fields[5]))
        except ValueError:
            n_malformed += 1
            continue
        if not all(np.isfinite(xyz)):
            n_malformed += 1
            continue
        users.append(user)
        labels.append(activity_index[fields[1]])
        values.append(xyz)
    if not users:
        raise ValueError(f"{path} holds no valid WISDM record.")
    return (
        np.asarray(users, dtype=np.int64),
        np.asarray(labels, dtype=np.int64),
        np.asarray(values, dtype=np.float64),
        n_malformed,
    )
