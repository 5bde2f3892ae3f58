"""Loaders for human activity recognition datasets, in scikit-learn's style.

One function per archive returns its recordings (or, where the archive is
already cut into windows, its windows) exactly as published, with quirks
handled and described in ``DESCR``; :func:`load_benchmark` turns them into the
paper's train and test windows. Archives are looked for in ``data_home`` (see
:func:`get_data_home`) and downloaded when missing.
"""

from skmicrobi.datasets._fetch import (
    ArchiveNotFoundError,
    ChecksumError,
    CorruptArchiveError,
    download_progress,
    get_data_home,
)
from skmicrobi.datasets.benchmark import benchmark_names, load_benchmark
from skmicrobi.datasets.daphnet import load_daphnet
from skmicrobi.datasets.hapt import load_hapt
from skmicrobi.datasets.motionsense import load_motionsense
from skmicrobi.datasets.opportunity import load_opportunity
from skmicrobi.datasets.pamap2 import load_pamap2
from skmicrobi.datasets.skoda import load_skoda
from skmicrobi.datasets.uci_har import load_uci_har
from skmicrobi.datasets.unimib_shar import load_unimib_shar
from skmicrobi.datasets.wisdm import load_wisdm

__all__ = [
    "ArchiveNotFoundError",
    "ChecksumError",
    "CorruptArchiveError",
    "benchmark_names",
    "download_progress",
    "get_data_home",
    "load_benchmark",
    "load_daphnet",
    "load_hapt",
    "load_motionsense",
    "load_opportunity",
    "load_pamap2",
    "load_skoda",
    "load_uci_har",
    "load_unimib_shar",
    "load_wisdm",
]
