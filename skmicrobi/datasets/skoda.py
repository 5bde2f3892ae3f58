"""SKODA mini checkpoint: car-assembly quality-check gestures, 10 arm sensors."""

from __future__ import annotations

import os

import numpy as np
from sklearn.utils import Bunch

from skmicrobi.datasets._base import encode_labels, read_mat, recordings_bunch
from skmicrobi.datasets._fetch import RemoteArchive, fetch_archive

ARCHIVE = RemoteArchive(
    name="SKODA Mini Checkpoint",
    # Plain http: whether the host also serves https could not be checked
    # offline. Nothing vouches for the bytes in transit, so the download is kept
    # only if it reads back as a complete zip (every member's CRC).
    url="http://har-dataset.org/lib/exe/fetch.php?"
    "media=wiki:dataset:skodaminicp:skodaminicp_2015_08.zip",
    filename="SkodaMiniCP_2015_08.zip",
    # Not pinned: no checksum is published, and no network here to compute
    # one. The download is still checked to be a complete archive before it
    # is kept (zip CRCs, or a full tar read).
    sha256=None,
    folder="SkodaMiniCP_2015_08",
    marker="right_classall_clean.mat",
)

#: Nominal rate of the archive (its readme: about 98 Hz).
SAMPLING_RATE = 98.0
N_SENSORS = 10
#: Per sensor, after its id: calibrated x y z, then raw x y z.
_SENSOR_FIELDS = ("cal_x", "cal_y", "cal_z", "raw_x", "raw_y", "raw_z")
#: Label codes of the archive's readme; 32 is the null class.
GESTURES = {
    32: "null",
    48: "write_on_notepad",
    49: "open_hood",
    50: "close_hood",
    51: "check_gaps_front_door",
    52: "open_left_front_door",
    53: "close_left_front_door",
    54: "close_both_left_doors",
    55: "check_trunk_gaps",
    56: "open_and_close_trunk",
    57: "check_steering_wheel",
}

DESCR = """\
SKODA Mini Checkpoint
---------------------

One worker performed 10 quality-check gestures of a car-assembly line (about 70
repetitions each) wearing 10 3-axis accelerometers on each arm, sampled at
about 98 Hz; everything between gestures is the null class.

**Returned**: one recording for the chosen arm, ``data[0]`` of shape (60, T)
(per sensor: calibrated x y z, then raw x y z; ``channel_names``
"s01_cal_x", ...), ``target[0]`` per-sample class indices into
``target_names`` (null and the 10 gestures; archive codes 32 and 48-57 in
``target_codes``), ``groups`` [1]. ``sensor_ids`` holds the id the archive
stores for each sensor.

**Quirks**: each row of ``right_classall_clean.mat`` / ``left_classall_clean.mat``
is the label followed by 10 blocks of 7 values (sensor id, calibrated x y z,
raw x y z). There is a single subject, so subject-wise splits do not apply;
the paper splits each class in time instead.

:Citation: P. Zappi, C. Lombriser, T. Stiefmeier, E. Farella, D. Roggen,
    L. Benini, G. Troester. Activity recognition from on-body sensors:
    accuracy-power trade-off by dynamic sensor selection. EWSN 2008.
:Licence: distributed by the authors for research use with the citation
    above; no licence is stated.
:URL: http://har-dataset.org/doku.php?id=wiki:dataset
"""


def load_skoda(
    data_home: str | os.PathLike | None = None,
    *,
    arm: str = "right",
    download_if_missing: bool = True,
    return_X_y: bool = False,
) -> Bunch | tuple:
    """Load the SKODA mini checkpoint recording of one arm (10 sensors, ~98 Hz).

    The folder ``data_home/SkodaMiniCP_2015_08`` (with
    ``right_classall_clean.mat`` and ``left_classall_clean.mat``, as the archive
    unpacks) is used when present; otherwise the archive is downloaded.

    Citation: P. Zappi et al., "Activity recognition from on-body sensors:
    accuracy-power trade-off by dynamic sensor selection", EWSN 2008. Licence:
    research use with citation (none stated). URL:
    http://har-dataset.org/doku.php?id=wiki:dataset (65 MB zip).

    Parameters
    ----------
    data_home : str or path-like, default=None
        Folder that holds (or will hold) ``SkodaMiniCP_2015_08``; see
        :func:`~skmicrobi.datasets.get_data_home`.
    arm : {"right", "left"}, default="right"
        Which arm's sensors to load; the paper uses the right arm.
    download_if_missing : bool, default=True
        Download the archive when the folder is absent.
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of a Bunch.

    Returns
    -------
    data : Bunch
        ``data``: list of one float64 array (60, T) (T about 22,000 for the
        right arm). ``target``: list of one int64 array (T,), class indices
        0-10 into ``target_names``. ``groups``: [1]. ``sensor_ids``,
        ``recording_names``, ``channel_names``, ``target_codes``,
        ``sampling_rate`` (98.0), ``DESCR``.
    (data, target) : tuple
        When ``return_X_y`` is True.

    Examples
    --------
    >>> from skmicrobi.datasets import load_skoda
    >>> skoda = load_skoda()  # doctest: +SKIP
    >>> skoda.data[0].shape[0], len(skoda.target_names)  # doctest: +SKIP
    (60, 11)
    """
    if arm not in ("right", "left"):
        raise ValueError(f"arm must be 'right' or 'left'; got {arm!r}.")
    folder = fetch_archive(ARCHIVE, data_home, download_if_missing)
    name = f"{arm}_classall_clean"
    content = read_mat(folder / f"{name}.mat")
    if name not in content:
        raise ValueError(f"{folder / name}.mat has no variable {name!r}.")
    table = np.asarray(content[name], dtype=np.float64)
    width = 1 + 7 * N_SENSORS
    if table.ndim != 2 or table.shape[1] != width:
        raise ValueError(
            f"{name} should have {width} columns (label, then 10 x [id, 3 "
            f"calibrated, 3 raw]); found shape {table.shape}."
        )
    blocks = table[:, 1:].reshape(len(table), N_SENSORS, 7)
    sensor_ids = blocks[0, :, 0].astype(np.int64)
    # (T, sensor, 6) -> (sensor * 6, T), sensor-major like channel_names.
    values = blocks[:, :, 1:].reshape(len(table), -1).T
    codes = list(GESTURES)
    target = encode_labels(
        table[:, 0].astype(np.int64), {code: i for i, code in enumerate(codes)}
    )
    if (target < 0).any():
        bad = np.unique(table[target < 0, 0]).astype(int).tolist()
        raise ValueError(f"{name} has label codes {bad} that SKODA does not define.")
    channel_names = [
        f"s{k + 1:02d}_{field}" for k in range(N_SENSORS) for field in _SENSOR_FIELDS
    ]
    return recordings_bunch(
        data=[np.ascontiguousarray(values)],
        target=[target],
        groups=np.array([1]),
        recording_names=[name],
        channel_names=channel_names,
        target_names=list(GESTURES.values()),
        target_codes=codes,
        sampling_rate=SAMPLING_RATE,
        descr=DESCR,
        return_X_y=return_X_y,
        sensor_ids=sensor_ids,
    )
