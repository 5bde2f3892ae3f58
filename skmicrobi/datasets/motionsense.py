"""MotionSense: iPhone 6s device-motion streams of 24 subjects, 6 activities."""

from __future__ import annotations

import os
import re

import numpy as np
import pandas as pd
from sklearn.utils import Bunch

from skmicrobi.datasets._base import recordings_bunch, require_files
from skmicrobi.datasets._fetch import RemoteArchive, fetch_archive

ARCHIVE = RemoteArchive(
    name="MotionSense (A_DeviceMotion_data)",
    url="https://github.com/mmalekzadeh/motion-sense/raw/master/data/"
    "A_DeviceMotion_data.zip",
    filename="A_DeviceMotion_data.zip",
    # Not pinned: no checksum is published, and no network here to compute
    # one. The download is still checked to be a complete archive before it
    # is kept (zip CRCs, or a full tar read).
    sha256=None,
    folder="A_DeviceMotion_data",
    marker="dws_1/sub_1.csv",
)

SAMPLING_RATE = 50.0
CHANNEL_NAMES = (
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
#: Folder prefixes of the archive and the activities they stand for.
ACTIVITIES = {
    "dws": "downstairs",
    "ups": "upstairs",
    "wlk": "walking",
    "jog": "jogging",
    "sit": "sitting",
    "std": "standing",
}

_TRIAL_DIR = re.compile(r"^(dws|ups|wlk|jog|sit|std)_(\d+)$")
_SUBJECT_FILE = re.compile(r"^sub_(\d+)\.csv$")

DESCR = """\
MotionSense (device motion)
---------------------------

24 subjects (14 men, 10 women) carried an iPhone 6s in the front trouser
pocket in 15 trials of 6 activities (downstairs, upstairs, walking, jogging,
sitting, standing) around a university campus; Core Motion's device-motion
data was recorded at 50 Hz: attitude (rad), gravity (g), rotation rate (rad/s)
and user acceleration (g, gravity removed).

**Returned**: one recording per trial and subject (``recording_names``
"dws_1/sub_1", ...), ``data[i]`` of shape (12, T_i) in ``channel_names``
order, ``target[i]`` per-sample class indices into ``target_names`` (constant
within a recording), ``groups[i]`` the subject (1-24), ``trials[i]`` the trial
number.

**Quirks**: each CSV starts with an unnamed row-index column, which is dropped.

:Citation: M. Malekzadeh, R. G. Clegg, A. Cavallaro, H. Haddadi. Mobile Sensor
    Data Anonymization. IoTDI 2019.
:Licence: Open Data Commons Open Database License (ODbL) v1.0.
:URL: https://github.com/mmalekzadeh/motion-sense
"""


def load_motionsense(
    data_home: str | os.PathLike | None = None,
    *,
    download_if_missing: bool = True,
    return_X_y: bool = False,
) -> Bunch | tuple:
    """Load MotionSense's device-motion recordings (12 channels at 50 Hz, 24 subjects).

    The folder ``data_home/A_DeviceMotion_data`` (trial folders ``dws_1/`` ...
    ``std_14/`` holding ``sub_1.csv`` ... ``sub_24.csv``, as the archive
    unpacks) is used when present; otherwise the archive is downloaded from the
    authors' GitHub repository.

    Citation: M. Malekzadeh, R. G. Clegg, A. Cavallaro, H. Haddadi, "Mobile
    Sensor Data Anonymization", IoTDI 2019. Licence: ODbL v1.0. URL:
    https://github.com/mmalekzadeh/motion-sense (A_DeviceMotion_data.zip, 36 MB).

    Parameters
    ----------
    data_home : str or path-like, default=None
        Folder that holds (or will hold) ``A_DeviceMotion_data``; see
        :func:`~skmicrobi.datasets.get_data_home`.
    download_if_missing : bool, default=True
        Download the archive when the folder is absent.
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of a Bunch.

    Returns
    -------
    data : Bunch
        ``data``: list of 360 float64 arrays (12, T_i) (15 trials x 24
        subjects). ``target``: list of int64 arrays (T_i,), class indices 0-5
        into ``target_names``. ``groups``: subject ids. ``trials``: trial
        numbers. ``recording_names``, ``channel_names``, ``target_codes`` (the
        folder prefixes), ``sampling_rate`` (50.0), ``DESCR``.
    (data, target) : tuple
        When ``return_X_y`` is True.

    Examples
    --------
    >>> from skmicrobi.datasets import load_motionsense
    >>> ms = load_motionsense()  # doctest: +SKIP
    >>> ms.data[0].shape[0], list(ms.target_names)[:2]  # doctest: +SKIP
    (12, ['downstairs', 'upstairs'])
    """
    folder = fetch_archive(ARCHIVE, data_home, download_if_missing)
    codes = list(ACTIVITIES)
    code_to_index = {code: i for i, code in enumerate(codes)}
    entries = []
    for trial_dir in folder.iterdir():
        match = _TRIAL_DIR.match(trial_dir.name)
        if not (match and trial_dir.is_dir()):
            continue
        for path in trial_dir.iterdir():
            sub = _SUBJECT_FILE.match(path.name)
            if sub:
                entries.append(
                    (int(match.group(2)), int(sub.group(1)), match.group(1), path)
                )
    require_files(entries, f"<activity>_<trial>/sub_<n>.csv files in {folder}")

    data, target, groups, trials, names = [], [], [], [], []
    for trial, subject, code, path in sorted(entries):
        frame = pd.read_csv(path)
        missing = [c for c in CHANNEL_NAMES if c not in frame.columns]
        if missing:
            raise ValueError(f"{path} lacks the columns {missing}.")
        values = frame[list(CHANNEL_NAMES)].to_numpy(dtype=np.float64).T
        data.append(np.ascontiguousarray(values))
        target.append(np.full(values.shape[1], code_to_index[code], dtype=np.int64))
        groups.append(subject)
        trials.append(trial)
        names.append(f"{path.parent.name}/{path.stem}")
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
        trials=np.asarray(trials, dtype=np.int64),
    )
