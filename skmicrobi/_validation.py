"""Input checks shared by the estimators: panels of windows in every form users hold.

A *panel* here is a collection of equal-length multichannel series, stored as a
float32 array of shape ``(n_samples, n_channels, n_timepoints)``. Users hold them
as numpy arrays (3D, or 2D for a single channel) or as any of sktime's Panel
mtypes (nested DataFrame, pd-multiindex, df-list, ...); all of them arrive here.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from skmicrobi._memmap import RowReader


def _is_sktime_panel(X: Any) -> bool:
    """True for the pandas containers that sktime uses for panels.

    A plain numeric DataFrame is a 2D table (one channel per row), not a panel:
    sktime panels are a list of DataFrames (df-list), a DataFrame with a row
    MultiIndex (pd-multiindex) or one whose cells hold Series (nested_univ).
    """
    import pandas as pd

    if isinstance(X, list):
        return len(X) > 0 and isinstance(X[0], pd.DataFrame)
    if not isinstance(X, pd.DataFrame):
        return False
    if isinstance(X.index, pd.MultiIndex):
        return True
    return X.shape[0] > 0 and X.shape[1] > 0 and isinstance(X.iloc[0, 0], pd.Series)


def _from_sktime(X: Any, name: str) -> np.ndarray:
    """Convert any sktime Panel mtype to numpy3D with sktime's own converters."""
    from sktime.datatypes import check_is_scitype, convert_to

    valid, _, metadata = check_is_scitype(
        X, scitype="Panel", return_metadata=["is_equal_length"]
    )
    if not valid:
        raise TypeError(
            f"{name} is a {type(X).__name__} that is not an sktime Panel. Pass a numpy "
            "array of shape (n_samples, n_channels, n_timepoints) or an sktime Panel "
            "(nested DataFrame, pd-multiindex, df-list)."
        )
    if not metadata.get("is_equal_length", True):
        raise ValueError(
            f"{name} holds series of unequal length; the classifier needs windows of "
            "one length. Cut the recordings with SlidingWindowTransformer first."
        )
    return np.asarray(convert_to(X, to_type="numpy3D"))


def check_panel(
    X: Any,
    *,
    name: str = "X",
    dtype: type = np.float32,
    copy: bool = False,
    return_n_features: bool = False,
) -> np.ndarray | tuple[np.ndarray, int]:
    """Validate a panel and return it as an array ``(n, channels, time)``.

    Parameters
    ----------
    X : array-like or sktime Panel
        A 3D array ``(n_samples, n_channels, n_timepoints)``, a 2D array
        ``(n_samples, n_timepoints)`` read as one channel, or any sktime Panel
        mtype of equal-length series.
    name : str, default="X"
        Name used in error messages.
    dtype : numpy dtype, default=numpy.float32
        Output dtype. An input that already has it (a numpy memmap, say) is
        returned without a copy.
    copy : bool, default=False
        Force a copy.
    return_n_features : bool, default=False
        Also return ``X.shape[1]`` of the input as given (channels for a panel,
        time points for a 2D array), scikit-learn's ``n_features_in_``.

    Returns
    -------
    numpy.ndarray
        The panel, 3D, of ``dtype``, finite.
    int
        Only when ``return_n_features``: the input's number of features.

    Raises
    ------
    ValueError
        If ``X`` is empty, has the wrong number of dimensions, or holds NaN or
        infinite values.
    TypeError
        If ``X`` is neither array-like nor an sktime Panel.

    Examples
    --------
    >>> import numpy as np
    >>> from skmicrobi._validation import check_panel
    >>> check_panel(np.zeros((4, 100))).shape
    (4, 1, 100)
    """
    if hasattr(X, "toarray") or type(X).__module__.startswith("scipy.sparse"):
        raise TypeError(
            f"Sparse input is not supported: {name} must be a dense array of shape "
            "(n_samples, n_channels, n_timepoints). Call X.toarray() first."
        )
    if _is_sktime_panel(X):
        X = _from_sktime(X, name)
    elif hasattr(X, "__array__") or isinstance(X, (list, tuple)):
        try:
            X = np.asarray(X)
        except ValueError as exc:
            raise ValueError(
                f"{name} could not be read as one array ({exc}). If your series have "
                "different lengths, cut them into windows with "
                "SlidingWindowTransformer first."
            ) from None
    else:
        raise TypeError(
            f"{name} must be an array of shape (n_samples, n_channels, n_timepoints) "
            f"or an sktime Panel, got {type(X).__name__}."
        )
    if X.dtype.kind == "O":
        try:
            X = X.astype(np.float64)
        except (TypeError, ValueError) as exc:
            raise TypeError(
                f"{name} holds objects that are not numbers ({exc}); pass a numeric "
                "array."
            ) from None
    if X.dtype.kind not in "biuf":
        raise ValueError(
            f"{name} must hold real numbers, got dtype {X.dtype}. Complex data not "
            "supported; convert it to floats."
        )
    if X.ndim in (2, 3):
        n_features = X.shape[1]
    if X.ndim == 2:
        X = X[:, np.newaxis, :]
    if X.ndim != 3:
        raise ValueError(
            f"{name} must be 3D (n_samples, n_channels, n_timepoints) or 2D "
            f"(n_samples, n_timepoints) for one channel; got {X.ndim}D with shape "
            f"{X.shape}. Reshape your data, e.g. X.reshape(1, -1) for one series."
        )
    if 0 in X.shape:
        raise ValueError(
            f"{name} is empty: {X.shape[2]} time point(s) in {X.shape[1]} channel(s) "
            f"and {X.shape[0]} sample(s). Found array with 0 feature(s) "
            f"(shape=({X.shape[0]}, 0)) while a minimum of 1 is required."
            if X.shape[0] and 0 in X.shape[1:]
            else f"{name} is empty (shape {X.shape}); pass at least one sample."
        )
    X = np.array(X, dtype=dtype, copy=True) if copy else X.astype(dtype, copy=False)
    _check_finite(X, name)
    return (X, int(n_features)) if return_n_features else X


def _check_finite(X: np.ndarray, name: str, chunk_bytes: int = 4 * 2**20) -> None:
    """Raise on NaN/inf, scanning in chunks so a memmap is never loaded whole."""
    rows = max(1, chunk_bytes // max(1, X[:1].nbytes))
    reader = RowReader(X)
    for start in range(0, X.shape[0], rows):
        block = (
            reader[start : start + rows]
            if reader.from_file
            else X[start : start + rows]
        )
        if not np.isfinite(block).all():
            bad = start + int(np.argwhere(~np.isfinite(block))[0][0])
            raise ValueError(
                f"{name} contains NaN or infinite values (first in sample {bad}). "
                "Impute or drop those samples (e.g. interpolate sensor gaps) first."
            )
