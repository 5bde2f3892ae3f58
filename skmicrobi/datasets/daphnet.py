"""Daphnet: freezing of gait of Parkinson's patients, three accelerometers."""

from __future__ import annotations

import os
import re

import numpy as np
from sklearn.utils import Bunch

from skmicrobi.datasets._base import (
    encode_labels,
    read_table,
    recordings_bunch,
    require_files,
)
from skmicrobi.datasets._fetch import RemoteArchive, fetch_archive

ARCHIVE = RemoteArchive(
    name="Daphnet Freezing of Gait",
    url="https://archive.ics.uci.edu/static/public/245/daphnet+freezing+of+gait.zip",
    filename="daphnet.zip",
    # Not pinned: UCI publishes none, and no network here to compute
    # one. The download is still checked to be a complete archive before it
    # is kept (zip CRCs, or a full tar read).
    sha256=None,
    folder="dataset_fog_release",
    marker="dataset/S01R01.txt",
)

SAMPLING_RATE = 64.0
CHANNEL_NAMES = tuple(
    f"{place}_{axis}"
    for place in ("ankle", "thigh", "trunk")
    for axis in ("forward", "vertical", "lateral")
)
#: Annotation codes; 0 ("not part of the experiment") is not a class.
ANNOTATIONS = {1: "no_freeze", 2: "freeze"}

_RUN_FILE = re.compile(r"S(\d+)R(\d+)\.txt$")

DESCR = """\
Daphnet Freezing of Gait
------------------------

10 Parkinson's disease patients walked in the lab (straight lines, turns,
daily-life-like tasks) wearing 3-axis accelerometers on the shank (ankle), the
thigh and the lower back (trunk), sampled at 64 Hz, in milli g. Freezing of
gait episodes were annotated from video; 8 of the 10 patients froze.

**Returned**: one recording per run file (S01R01 ... S10R01, 17 runs),
``data[i]`` of shape (9, T_i) (per sensor: horizontal forward, vertical,
horizontal lateral), ``target[i]`` per-sample class indices into
``target_names`` ("no_freeze", "freeze"; archive codes 1 and 2), ``groups[i]``
the patient (1-10).

**Quirks**: annotation 0 means "not part of the experiment" (sensor set-up,
breaks, debriefing); it is not a class and is returned as -1, so windows over
it can be dropped rather than taught as "no freeze".

:Citation: M. Baechlin, M. Plotnik, D. Roggen, I. Maidan, J. M. Hausdorff,
    N. Giladi, G. Troester. Wearable Assistant for Parkinson's Disease Patients
    With the Freezing of Gait Symptom. IEEE Transactions on Information
    Technology in Biomedicine 14(2): 436-446, 2010.
:Licence: CC BY 4.0.
:URL: https://archive.ics.uci.edu/dataset/245
"""


def load_daphnet(
    data_home: str | os.PathLike | None = None,
    *,
    download_if_missing: bool = True,
    return_X_y: bool = False,
) -> Bunch | tuple:
    """Load the Daphnet freezing-of-gait runs (9 channels at 64 Hz, 10 patients).

    The folder ``data_home/dataset_fog_release`` (with ``dataset/S01R01.txt``
    ..., as the archive unpacks) is used when present; otherwise the archive is
    downloaded from the UCI repository.

    Citation: M. Baechlin et al., "Wearable Assistant for Parkinson's Disease
    Patients With the Freezing of Gait Symptom", IEEE Trans. Inf. Technol.
    Biomed. 14(2): 436-446, 2010. Licence: CC BY 4.0. URL:
    https://archive.ics.uci.edu/dataset/245 (23 MB zip).

    Parameters
    ----------
    data_home : str or path-like, default=None
        Folder that holds (or will hold) ``dataset_fog_release``; see
        :func:`~skmicrobi.datasets.get_data_home`.
    download_if_missing : bool, default=True
        Download the archive when the folder is absent.
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of a Bunch.

    Returns
    -------
    data : Bunch
        ``data``: list of 17 float64 arrays (9, T_i), about 1.9 million samples
        in all. ``target``: list of int64 arrays (T_i,): 0 no freeze, 1 freeze,
        -1 not part of the experiment. ``groups``: patient of each run.
        ``recording_names``, ``channel_names``, ``target_codes``,
        ``sampling_rate`` (64.0), ``DESCR``.
    (data, target) : tuple
        When ``return_X_y`` is True.

    Examples
    --------
    >>> from skmicrobi.datasets import load_daphnet
    >>> daphnet = load_daphnet()  # doctest: +SKIP
    >>> daphnet.data[0].shape[0], list(daphnet.target_names)  # doctest: +SKIP
    (9, ['no_freeze', 'freeze'])
    """
    folder = fetch_archive(ARCHIVE, data_home, download_if_missing) / "dataset"
    files = sorted(p for p in folder.glob("S*R*.txt") if _RUN_FILE.search(p.name))
    require_files(files, f"SxxRyy.txt files in {folder}")
    codes = list(ANNOTATIONS)
    code_to_index = {code: i for i, code in enumerate(codes)}
    data, target, groups, names = [], [], [], []
    for path in files:
        table = read_table(path)
        if table.shape[1] != 2 + len(CHANNEL_NAMES):
            raise ValueError(
                f"{path} should have 11 columns (time, 9 accelerations, "
                f"annotation); found {table.shape[1]}."
            )
        annotation = table[:, -1].astype(np.int64)
        unknown = set(np.unique(annotation)) - {0, *codes}
        if unknown:
            raise ValueError(
                f"{path} has annotations {sorted(unknown)}; Daphnet uses 0, 1, 2."
            )
        data.append(np.ascontiguousarray(table[:, 1:-1].T))
        target.append(encode_labels(annotation, code_to_index))
        groups.append(int(_RUN_FILE.search(path.name).group(1)))
        names.append(path.stem)
    return recordings_bunch(
        data=data,
        target=target,
        groups=np.asarray(groups),
        recording_names=names,
        channel_names=CHANNEL_NAMES,
        target_names=list(ANNOTATIONS.values()),
        target_codes=codes,
        sampling_rate=SAMPLING_RATE,
        descr=DESCR,
        return_X_y=return_X_y,
    )
