"""Opportunity: body-worn and ambient sensors in a daily-living scenario."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence

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
    name="OPPORTUNITY Activity Recognition",
    url="https://archive.ics.uci.edu/static/public/226/"
    "opportunity+activity+recognition.zip",
    filename="opportunity.zip",
    # Not pinned: UCI publishes none, and no network here to compute
    # one. The download is still checked to be a complete archive before it
    # is kept (zip CRCs, or a full tar read).
    sha256=None,
    folder="OpportunityUCIDataset",
    marker="dataset/column_names.txt",
)

SAMPLING_RATE = 30.0
#: 1-based column of the locomotion labels in each .dat file.
LOCOMOTION_COLUMN = 244
#: Sensor columns: 2 .. 243 (column 1 is the time in milliseconds).
FIRST_SENSOR_COLUMN, LAST_SENSOR_COLUMN = 2, 243
#: Locomotion label codes of the archive's label_legend.txt; Null is a class.
LOCOMOTION = {0: "Null", 1: "Stand", 2: "Walk", 4: "Sit", 5: "Lie"}

_SESSION_FILE = re.compile(r"S(\d)-(ADL\d|Drill)\.dat$")
_COLUMN_LINE = re.compile(r"^\s*Column:\s*(\d+)\s+([^;]+)")

DESCR = """\
OPPORTUNITY Activity Recognition
--------------------------------

4 subjects, each recorded in 5 daily-living runs (ADL1-ADL5) and one "drill"
run of scripted repetitions, in a room instrumented with body-worn, object and
ambient sensors sampled at 30 Hz: 12 3-axis accelerometers on the body, 5 IMUs
on the arms and back, 2 IMU shoes, and sensors on objects and furniture (242
sensor columns; units as in column_names.txt, e.g. milli g).

**Returned**: one recording per run file (``recording_names`` "S1-ADL1", ...),
``data[i]`` of shape (n_channels, T_i) with the selected sensor columns,
``target[i]`` the per-sample locomotion label as class indices into
``target_names`` (Null, Stand, Walk, Sit, Lie; archive codes 0 1 2 4 5 in
``target_codes``), ``groups[i]`` the subject (1-4).

**Quirks**: sensors that lost their wireless link are NaN for stretches (some
for a whole run). With ``fill_missing=True`` (default) gaps are filled by
linear interpolation per channel, edges with the nearest reading; a channel
that is NaN for a whole run stays NaN. Only the locomotion track is loaded.

:Citation: D. Roggen et al. Collecting complex activity datasets in highly rich
    networked sensor environments. INSS 2010; R. Chavarriaga et al. The
    Opportunity challenge: A benchmark database for on-body sensor-based
    activity recognition. Pattern Recognition Letters 34(15), 2013.
:Licence: CC BY 4.0.
:URL: https://archive.ics.uci.edu/dataset/226
"""


def load_opportunity(
    data_home: str | os.PathLike | None = None,
    *,
    channels: Sequence[str] | None = None,
    fill_missing: bool = True,
    download_if_missing: bool = True,
    return_X_y: bool = False,
) -> Bunch | tuple:
    """Load the Opportunity runs with their locomotion labels (30 Hz, 4 subjects).

    The folder ``data_home/OpportunityUCIDataset`` (with ``dataset/S1-ADL1.dat``
    ... ``dataset/S4-Drill.dat`` and ``dataset/column_names.txt``, as the archive
    unpacks) is used when present; otherwise the archive is downloaded from the
    UCI repository.

    Citation: D. Roggen et al., "Collecting complex activity datasets in highly
    rich networked sensor environments", INSS 2010; R. Chavarriaga et al., "The
    Opportunity challenge", Pattern Recognition Letters 34(15), 2013. Licence:
    CC BY 4.0. URL: https://archive.ics.uci.edu/dataset/226 (306 MB zip).

    Parameters
    ----------
    data_home : str or path-like, default=None
        Folder that holds (or will hold) ``OpportunityUCIDataset``; see
        :func:`~skmicrobi.datasets.get_data_home`.
    channels : sequence of str, default=None
        Sensor columns to load, by their names in ``column_names.txt`` (e.g.
        ``"Accelerometer RKN^ accX"``); ``None`` loads all 242. Loading only
        what you need saves memory (all channels of all runs take ~1.7 GB).
    fill_missing : bool, default=True
        Fill NaN gaps by linear interpolation; with False they stay NaN.
    download_if_missing : bool, default=True
        Download the archive when the folder is absent.
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of a Bunch.

    Returns
    -------
    data : Bunch
        ``data``: list of 24 float64 arrays (n_channels, T_i). ``target``: list
        of int64 arrays (T_i,), locomotion class indices 0-4 into
        ``target_names``. ``groups``: subject (1-4) of each run.
        ``recording_names``, ``channel_names``, ``channel_columns`` (1-based
        column of each channel in the .dat files), ``target_codes``,
        ``sampling_rate`` (30.0), ``DESCR``.
    (data, target) : tuple
        When ``return_X_y`` is True.

    Examples
    --------
    >>> from skmicrobi.datasets import load_opportunity
    >>> opp = load_opportunity(channels=["Accelerometer RKN^ accX"])  # doctest: +SKIP
    >>> opp.data[0].shape[0], list(opp.target_names)  # doctest: +SKIP
    (1, ['Null', 'Stand', 'Walk', 'Sit', 'Lie'])
    """
    folder = fetch_archive(ARCHIVE, data_home, download_if_missing) / "dataset"
    column_of = read_column_names(folder / "column_names.txt")
    sensor_names = [
        name
        for name, col in column_of.items()
        if FIRST_SENSOR_COLUMN <= col <= LAST_SENSOR_COLUMN
    ]
    if channels is None:
        channels = sensor_names
    unknown = [c for c in channels if c not in sensor_names]
    if unknown:
        raise ValueError(
            f"Unknown Opportunity channels {unknown[:5]}; channel names are those "
            f"of column_names.txt, e.g. {sensor_names[:2]}."
        )
    columns = [column_of[c] for c in channels]

    files = sorted(p for p in folder.glob("S*.dat") if _SESSION_FILE.search(p.name))
    require_files(files, f"S?-ADL?.dat / S?-Drill.dat files in {folder}")
    code_to_index = {code: i for i, code in enumerate(LOCOMOTION)}
    usecols = sorted(set(columns) | {LOCOMOTION_COLUMN})
    position = {col: i for i, col in enumerate(usecols)}
    data, target, groups, names = [], [], [], []
    for path in files:
        # pandas columns are 0-based.
        table = read_table(path, usecols=[c - 1 for c in usecols])
        values = table[:, [position[c] for c in columns]].T
        if fill_missing:
            values = interpolate_missing(values)
        data.append(np.ascontiguousarray(values))
        labels = table[:, position[LOCOMOTION_COLUMN]]
        if np.isnan(labels).any():
            raise ValueError(f"{path} has rows without a locomotion label.")
        target.append(encode_labels(labels.astype(np.int64), code_to_index))
        groups.append(int(_SESSION_FILE.search(path.name).group(1)))
        names.append(path.stem)
    return recordings_bunch(
        data=data,
        target=target,
        groups=np.asarray(groups),
        recording_names=names,
        channel_names=list(channels),
        target_names=list(LOCOMOTION.values()),
        target_codes=list(LOCOMOTION),
        sampling_rate=SAMPLING_RATE,
        descr=DESCR,
        return_X_y=return_X_y,
        channel_columns=np.asarray(columns),
    )


def read_column_names(path: str | os.PathLike) -> dict[str, int]:
    """Map each column name of Opportunity's ``column_names.txt`` to its column.

    Lines look like ``Column: 2 Accelerometer RKN^ accX; value = ..., unit =
    milli g``; the name is the text between the column number and the first
    semicolon.
    """
    column_of: dict[str, int] = {}
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            match = _COLUMN_LINE.match(line)
            if match:
                column_of[match.group(2).strip()] = int(match.group(1))
    if LOCOMOTION_COLUMN not in column_of.values():
        raise ValueError(
            f"{path} does not name column {LOCOMOTION_COLUMN} (Locomotion); it is "
            f"not Opportunity's column_names.txt."
        )
    return column_of
