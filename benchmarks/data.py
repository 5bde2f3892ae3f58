"""The benchmarks' datasets: the paper's (via ``load_benchmark``) and two UEA sets.

Every loader returns a :class:`Dataset`: train and test windows with labels and,
where the archive records them, subjects (so the early-stopping validation
split holds out whole training subjects), plus the paper's training settings
and figures when the dataset is one of the paper's benchmarks.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

#: The paper's per-dataset figures for the baselines (macro-F1 %, mean of five
#: seeds; MicroBi-ConvLSTM, arXiv 2602.06523, results table). MicroBi's own come
#: from ``load_benchmark(...).paper_macro_f1``.
PAPER_BASELINE_MACRO_F1 = {
    "uci_har": {"DeepConvLSTM": 93.53, "TinyHAR": 96.53, "TinierHAR": 96.37},
    "motionsense": {"DeepConvLSTM": 92.90, "TinyHAR": 92.67, "TinierHAR": 91.99},
    "wisdm": {"DeepConvLSTM": 81.84, "TinyHAR": 77.09, "TinierHAR": 83.06},
    "pamap2": {"DeepConvLSTM": 67.79, "TinyHAR": 73.22, "TinierHAR": 74.07},
    "opportunity": {"DeepConvLSTM": 88.30, "TinyHAR": 88.69, "TinierHAR": 87.09},
    "unimib_shar": {"DeepConvLSTM": 85.83, "TinyHAR": 77.61, "TinierHAR": 79.67},
    "skoda": {"DeepConvLSTM": 94.63, "TinyHAR": 97.01, "TinierHAR": 96.99},
    "daphnet": {"DeepConvLSTM": 88.95, "TinyHAR": 86.42, "TinierHAR": 89.84},
}
# UCI-HAR rebuilt from HAPT's raw streams stands in for UCI-HAR.
PAPER_BASELINE_MACRO_F1["uci_har_hapt"] = PAPER_BASELINE_MACRO_F1["uci_har"]

#: UEA sets of the smoke suite, read from the shared data folder.
UEA_SETS = ("RacketSports",)


@dataclass
class Dataset:
    """Train/test windows of one benchmark and what is known about it."""

    name: str
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    groups_train: np.ndarray | None = None
    #: MicroBiClassifier parameters (batch_size, lr, weight_decay, dropout,
    #: class_weight) of the paper for this dataset; {} when not a paper dataset.
    hyperparameters: dict = field(default_factory=dict)
    #: The paper's macro-F1 (%) per model name, for the models it reports.
    paper_macro_f1: dict = field(default_factory=dict)
    source: str = ""

    @property
    def shape(self) -> tuple[int, int, int]:
        """(channels, time points, classes)."""
        return (self.X_train.shape[1], self.X_train.shape[2],
                len(np.unique(self.y_train)))


def shared_data_dir() -> Path | None:
    """The shared data folder: ``$SKMICROBI_SHARED_DATA`` or ``../shared/data``."""
    env = os.environ.get("SKMICROBI_SHARED_DATA")
    candidates = [Path(env)] if env else []
    candidates.append(Path(__file__).resolve().parents[1].parent / "shared" / "data")
    return next((p for p in candidates if p.is_dir()), None)


def load_basic_motions() -> Dataset:
    """sktime's bundled BasicMotions (smartwatch IMU, 6 x 100, 4 classes)."""
    from sktime.datasets import load_basic_motions as load

    X_train, y_train = load(split="train", return_X_y=True, return_type="numpy3D")
    X_test, y_test = load(split="test", return_X_y=True, return_type="numpy3D")
    return Dataset(
        "basic_motions", X_train.astype(np.float32), np.asarray(y_train),
        X_test.astype(np.float32), np.asarray(y_test),
        source="sktime.datasets.load_basic_motions (bundled, UEA split)",
    )


def load_uea(name: str, data_home: Path | None = None) -> Dataset:
    """A UEA archive set from ``data_home/UEA/name/name_{TRAIN,TEST}.ts``."""
    from sktime.datasets import load_from_tsfile

    root = Path(data_home or shared_data_dir() or ".") / "UEA" / name
    if not (root / f"{name}_TRAIN.ts").is_file():
        raise FileNotFoundError(
            f"UEA set {name} not found under {root}; set SKMICROBI_SHARED_DATA to the "
            "folder holding UEA/."
        )
    parts = {}
    for split in ("TRAIN", "TEST"):
        X, y = load_from_tsfile(
            str(root / f"{name}_{split}.ts"), return_data_type="numpy3D"
        )
        parts[split] = (X.astype(np.float32), np.asarray(y))
    return Dataset(
        f"uea_{name}", *parts["TRAIN"], *parts["TEST"],
        source=f"UEA archive {name} (.ts files, official split)",
    )


def load_paper_benchmark(name: str, data_home: Path | None = None) -> Dataset:
    """One of the paper's benchmarks through ``skmicrobi.datasets.load_benchmark``.

    Raises ``skmicrobi.datasets.ArchiveNotFoundError`` (an ``OSError``) when its
    archive is not in ``data_home``; nothing is downloaded.
    """
    from skmicrobi.datasets import load_benchmark

    b = load_benchmark(name, data_home=data_home, download_if_missing=False)
    paper = {"MicroBi": b.paper_macro_f1, **PAPER_BASELINE_MACRO_F1.get(name, {})}
    return Dataset(
        name, b.X_train, b.y_train, b.X_test, b.y_test, b.groups_train,
        hyperparameters=dict(b.hyperparameters), paper_macro_f1=paper,
        source=f"skmicrobi.datasets.load_benchmark({name!r}): {b.window_length}-step"
        f" windows, stride {b.stride}, subject-wise split",
    )


def paper_benchmark_names() -> list[str]:
    """Names accepted by ``load_benchmark``."""
    from skmicrobi.datasets import benchmark_names

    return list(benchmark_names())


def load(name: str, data_home: Path | None = None) -> Dataset:
    """Load a benchmark dataset by its name in the results."""
    if name == "basic_motions":
        return load_basic_motions()
    if name.startswith("uea_"):
        return load_uea(name[len("uea_"):], data_home)
    return load_paper_benchmark(name, data_home)


def subsample(data: Dataset, n_train: int | None, seed: int = 0) -> Dataset:
    """At most ``n_train`` training windows, stratified (for quick suites)."""
    if n_train is None or len(data.y_train) <= n_train:
        return data
    from sklearn.model_selection import train_test_split

    keep, _ = train_test_split(
        np.arange(len(data.y_train)), train_size=n_train,
        stratify=data.y_train, random_state=seed,
    )
    keep = np.sort(keep)
    groups = None if data.groups_train is None else data.groups_train[keep]
    return Dataset(
        data.name, data.X_train[keep], data.y_train[keep], data.X_test,
        data.y_test, groups, data.hyperparameters, data.paper_macro_f1,
        data.source + f"; {n_train} training windows drawn (stratified)",
    )
