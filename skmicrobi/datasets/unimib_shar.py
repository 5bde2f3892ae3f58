"""UniMiB-SHAR: smartphone accelerometer windows of daily activities and falls."""

from __future__ import annotations

import os

import numpy as np
from sklearn.utils import Bunch

from skmicrobi.datasets._base import encode_labels, read_mat
from skmicrobi.datasets._fetch import RemoteArchive, fetch_archive

ARCHIVE = RemoteArchive(
    name="UniMiB-SHAR",
    # The download linked from http://www.sal.disco.unimib.it/technologies/unimib-shar/
    url="https://www.dropbox.com/s/x2fpfqj0bpf8ep6/UniMiB-SHAR.zip?dl=1",
    filename="UniMiB-SHAR.zip",
    # Not pinned: no checksum is published, and no network here to compute
    # one. The download is still checked to be a complete archive before it
    # is kept (zip CRCs, or a full tar read).
    sha256=None,
    folder="UniMiB-SHAR",
    marker="data/adl_data.mat",
)

SAMPLING_RATE = 50.0
WINDOW_LENGTH = 151
CHANNEL_NAMES = ("acc_x", "acc_y", "acc_z")

DESCR = """\
UniMiB-SHAR
-----------

30 subjects (18-60 years) carried a Samsung Galaxy Nexus in a trouser pocket
while performing 9 activities of daily living (ADL: standing up from sitting or
lying, walking, running, going up or down stairs, jumping, lying down, sitting
down) and 8 kinds of falls. The archive holds windows of 151 samples (about
3 s at 50 Hz) of the 3-axis accelerometer in m/s^2, centred on each event.

**Returned**: ``data`` of shape (n, 3, 151) (acc_x, acc_y, acc_z), ``target``
class indices into ``target_names``, ``groups`` the subject (1-30),
``trials`` the trial number. ``subset="adl"``: 7,579 windows, 9 classes;
``"fall"``: 4,192 windows, 8 classes; ``"acc"``: all 11,771 windows, 17 classes.

**Quirks**: each row of ``*_data.mat`` holds the 151 x values, then the 151 y
values, then the 151 z values (not interleaved).

:Citation: D. Micucci, M. Mobilio, P. Napoletano. UniMiB SHAR: A Dataset for
    Human Activity Recognition Using Acceleration Data from Smartphones.
    Applied Sciences 7(10): 1101, 2017.
:Licence: distributed by the authors for research use with the citation above;
    the download page states no licence (the article is CC BY 4.0).
:URL: http://www.sal.disco.unimib.it/technologies/unimib-shar/
"""


def load_unimib_shar(
    data_home: str | os.PathLike | None = None,
    *,
    subset: str = "adl",
    download_if_missing: bool = True,
    return_X_y: bool = False,
) -> Bunch | tuple:
    """Load UniMiB-SHAR's accelerometer windows (151 samples at 50 Hz, 30 subjects).

    The folder ``data_home/UniMiB-SHAR`` (with ``data/adl_data.mat`` and its
    siblings, as the archive unpacks) is used when present; otherwise the
    archive is downloaded from the authors' link.

    Citation: D. Micucci, M. Mobilio, P. Napoletano, "UniMiB SHAR: A Dataset for
    Human Activity Recognition Using Acceleration Data from Smartphones",
    Applied Sciences 7(10): 1101, 2017. Licence: research use with citation (no
    licence stated on the download page). URL:
    http://www.sal.disco.unimib.it/technologies/unimib-shar/ (255 MB zip).

    Parameters
    ----------
    data_home : str or path-like, default=None
        Folder that holds (or will hold) ``UniMiB-SHAR``; see
        :func:`~skmicrobi.datasets.get_data_home`.
    subset : {"adl", "fall", "acc"}, default="adl"
        Activities of daily living (9 classes, the paper's benchmark), falls
        (8 classes) or both (17 classes).
    download_if_missing : bool, default=True
        Download the archive when the folder is absent.
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of a Bunch.

    Returns
    -------
    data : Bunch
        ``data``: float64 array (n, 3, 151); n = 7,579 (adl), 4,192 (fall) or
        11,771 (acc). ``target``: (n,) class indices into ``target_names``.
        ``groups``: (n,) subject ids. ``trials``: (n,) trial numbers.
        ``channel_names``, ``target_codes`` (the archive's 1-based ids),
        ``sampling_rate`` (50.0), ``DESCR``.
    (data, target) : tuple
        When ``return_X_y`` is True.

    Examples
    --------
    >>> from skmicrobi.datasets import load_unimib_shar
    >>> X, y = load_unimib_shar(return_X_y=True)  # doctest: +SKIP
    >>> X.shape  # doctest: +SKIP
    (7579, 3, 151)
    """
    if subset not in ("adl", "fall", "acc"):
        raise ValueError(
            f"subset must be one of ['acc', 'adl', 'fall']; got {subset!r}."
        )
    folder = fetch_archive(ARCHIVE, data_home, download_if_missing) / "data"
    rows = _load_mat_variable(folder / f"{subset}_data.mat", f"{subset}_data")
    labels = _load_mat_variable(folder / f"{subset}_labels.mat", f"{subset}_labels")
    names = _class_names(folder / f"{subset}_names.mat", f"{subset}_names")
    if rows.ndim != 2 or rows.shape[1] != 3 * WINDOW_LENGTH:
        raise ValueError(
            f"{subset}_data should be (n, {3 * WINDOW_LENGTH}); found {rows.shape}."
        )
    if labels.ndim != 2 or labels.shape != (rows.shape[0], 3):
        raise ValueError(
            f"{subset}_labels should be ({rows.shape[0]}, 3) (class, subject, "
            f"trial); found {labels.shape}."
        )
    # Rows are [x_1..x_151, y_1..y_151, z_1..z_151], so this is (n, axis, time).
    data = rows.reshape(rows.shape[0], 3, WINDOW_LENGTH).astype(np.float64)
    codes = list(range(1, len(names) + 1))
    target = encode_labels(
        labels[:, 0].astype(np.int64), {code: i for i, code in enumerate(codes)}
    )
    if (target < 0).any():
        bad = np.unique(labels[target < 0, 0])
        raise ValueError(
            f"{subset}_labels has class ids {bad.tolist()} outside 1..{len(names)} "
            f"({subset}_names.mat defines {len(names)} classes)."
        )
    if return_X_y:
        return data, target
    return Bunch(
        data=data,
        target=target,
        groups=labels[:, 1].astype(np.int64),
        trials=labels[:, 2].astype(np.int64),
        channel_names=np.asarray(CHANNEL_NAMES, dtype=object),
        target_names=np.asarray(names, dtype=object),
        target_codes=np.asarray(codes),
        sampling_rate=SAMPLING_RATE,
        DESCR=DESCR,
    )


def _load_mat_variable(path, name: str) -> np.ndarray:
    content = read_mat(path)
    if name not in content:
        raise ValueError(
            f"{path} has no variable {name!r}; found "
            f"{sorted(k for k in content if not k.startswith('__'))}."
        )
    return np.asarray(content[name])


def _class_names(path, name: str) -> list[str]:
    # A MATLAB cell array with a row of descriptions and a row of short names
    # (2, n_classes); the transposed layout is accepted too.
    cells = _load_mat_variable(path, name)
    if cells.ndim == 2 and cells.shape[0] != 2 and cells.shape[1] == 2:
        cells = cells.T
    if cells.ndim != 2 or cells.shape[0] != 2:
        raise ValueError(
            f"{name} should be a 2 x n_classes cell array; found shape {cells.shape}."
        )
    return [str(np.asarray(cell).ravel()[0]) for cell in cells[1]]
