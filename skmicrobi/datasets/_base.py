"""Helpers shared by the dataset loaders: reading tables, gaps, filters, labels."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import signal
from sklearn.utils import Bunch

#: Per-sample label of a time step that belongs to no class of the archive
#: (HAPT samples outside every labelled segment, Daphnet's "not part of the
#: experiment", PAMAP2's transient activities). Benchmarks drop windows that
#: carry it.
UNLABELLED = -1


def read_table(
    path: str | os.PathLike, *, sep: str = r"\s+", usecols: Sequence[int] | None = None
) -> np.ndarray:
    """Read a headerless numeric text table into a float64 array.

    ``NaN`` (any case) is read as missing. pandas' C parser is used: several
    times faster than ``np.loadtxt`` on the larger archives.
    """
    try:
        frame = pd.read_csv(
            path, sep=sep, header=None, usecols=usecols, dtype=np.float64, engine="c"
        )
    except ValueError as exc:  # pandas' parser errors, bad numbers, bad bytes
        raise damaged_file(path, exc) from exc
    return frame.to_numpy(dtype=np.float64)


def read_mat(path: str | os.PathLike) -> dict:
    """Read a MATLAB file; a damaged one raises an error that names it."""
    import zlib

    from scipy import io as sio

    try:
        return sio.loadmat(path)
    except PermissionError:
        raise
    except (
        ValueError,
        TypeError,
        EOFError,
        OSError,  # a truncated file ends scipy's stream reader with OSError
        zlib.error,
        sio.matlab.MatReadError,
    ) as exc:
        raise damaged_file(path, exc) from exc


def damaged_file(path: str | os.PathLike, exc: BaseException) -> ValueError:
    """The error for a dataset file that cannot be parsed: which file, what to do."""
    return ValueError(
        f"{path} could not be read ({type(exc).__name__}: {exc}). The dataset "
        "folder looks damaged or incomplete; delete it and call the loader again "
        "to download and unpack a fresh copy."
    )


def interpolate_missing(x: np.ndarray) -> np.ndarray:
    """Fill NaNs of each channel of ``x`` (channels, time) by linear interpolation.

    Leading and trailing gaps take the nearest valid value. A channel with no
    valid value at all is left NaN, so the problem stays visible downstream.
    """
    x = np.array(x, dtype=np.float64, copy=True)
    t = np.arange(x.shape[1])
    for row in x:
        missing = np.isnan(row)
        if missing.any() and not missing.all():
            row[missing] = np.interp(t[missing], t[~missing], row[~missing])
    return x


def lowpass(x: np.ndarray, cutoff: float, fs: float, order: int) -> np.ndarray:
    """Zero-phase Butterworth low-pass of ``x`` (channels, time) along time.

    Zero phase (forward-backward, ``sosfiltfilt``) as in the reference code, so
    that filtering does not shift events relative to their labels.
    """
    sos = signal.butter(order, cutoff, btype="low", fs=fs, output="sos")
    return signal.sosfiltfilt(sos, x, axis=-1)


def encode_labels(codes: np.ndarray, code_to_index: Mapping[int, int]) -> np.ndarray:
    """Map archive label codes to class indices; unknown codes become UNLABELLED."""
    codes = np.asarray(codes)
    out = np.full(codes.shape, UNLABELLED, dtype=np.int64)
    for code, index in code_to_index.items():
        out[codes == code] = index
    return out


def recordings_bunch(
    *,
    data: list[np.ndarray],
    target: list[np.ndarray],
    groups: np.ndarray,
    recording_names: list[str],
    channel_names: Sequence[str],
    target_names: Sequence[str],
    target_codes: Sequence,
    sampling_rate: float,
    descr: str,
    return_X_y: bool,
    **extra,
) -> Bunch | tuple:
    """The Bunch every recordings loader returns (or ``(data, target)``)."""
    if return_X_y:
        return data, target
    return Bunch(
        data=data,
        target=target,
        groups=np.asarray(groups, dtype=np.int64),
        recording_names=list(recording_names),
        channel_names=np.asarray(channel_names, dtype=object),
        target_names=np.asarray(target_names, dtype=object),
        target_codes=np.asarray(target_codes),
        sampling_rate=float(sampling_rate),
        DESCR=descr,
        **extra,
    )


def require_files(paths: Sequence[Path], what: str) -> None:
    """Raise a clear error when a loader finds its folder but not its files."""
    if not paths:
        raise FileNotFoundError(
            f"No {what} found. The dataset folder looks incomplete; delete it and "
            f"call the loader again to download a fresh copy."
        )
