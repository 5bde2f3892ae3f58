"""Input checks shared by the estimators: windows and recordings in every form.

Two shapes of input reach the estimators:

* a *panel* of windows, equal-length multichannel series, stored as an array of
  shape ``(n_samples, n_channels, n_timepoints)`` (:func:`check_panel`, used by
  :class:`~skmicrobi.MicroBiClassifier` and :class:`~skmicrobi.Int8Quantizer`);
* *recordings*, ``(n_channels, n_timepoints)`` streams of any lengths
  (:func:`check_recordings`, used by :class:`~skmicrobi.SlidingWindowTransformer`).

Users hold them as numpy arrays (3D, or 2D for a single channel), lists of
arrays, or any of sktime's Panel mtypes (nested DataFrame, pd-multiindex,
df-list, ...). Both functions share the checks below, so one input gets one
error, whichever estimator reads it:

* sparse matrices: ``TypeError``, as :func:`sklearn.utils.check_array` raises;
* a dtype that is not real numbers (strings, bytes, complex, dates): ``ValueError``,
  as ``check_array(dtype="numeric")`` raises ("dtype='numeric' is not compatible
  with arrays of bytes/strings", "Complex data not supported"): the value is of
  the right type (an array) but holds the wrong content;
* an object array is read as float64; objects that are not numbers raise
  numpy's own error, ``TypeError`` for a non-number (``float({})``, what
  scikit-learn's ``check_dtype_object`` requires) and ``ValueError`` for a string
  that is no number, exactly as ``check_array`` lets them through;
* NaN or infinite values: ``ValueError``, scanned in blocks so that a memmap is
  never loaded whole; so are float64 values beyond float32's range, which the
  float32 windows would hold as infinite;
* a pd-multiindex Panel whose time points are out of order within an instance
  is sorted by time (instances keep their order, so labels stay aligned).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from skmicrobi._memmap import RowReader

#: The sktime Panel mtypes users most often hold, named in error messages.
_SKTIME_PANELS = "an sktime Panel (nested_univ, pd-multiindex, df-list)"

#: What each check accepts besides sktime Panels, for error messages.
_ACCEPTED = {
    "windows": "a numpy array of shape (n_samples, n_channels, n_timepoints)",
    "recordings": "a 3D array (n_recordings, n_channels, n_timepoints) or a list "
    "of 2D (n_channels, n_timepoints) arrays",
}


def _check_not_sparse(X: Any, name: str) -> None:
    """Raise ``TypeError`` for a scipy sparse matrix or array."""
    if hasattr(X, "toarray") or type(X).__module__.startswith("scipy.sparse"):
        raise TypeError(
            f"Sparse input is not supported: {name} must be dense (call "
            "X.toarray() first)."
        )


def _as_real(x: np.ndarray, what: str) -> np.ndarray:
    """``x`` itself when it holds real numbers, an object array read as float64.

    Raises ``ValueError`` for any other dtype; see the module docstring.
    """
    if x.dtype == object:
        try:
            return x.astype(np.float64)
        except (TypeError, ValueError) as exc:
            raise type(exc)(
                f"{what} must hold real numbers; it holds objects that are not ("
                f"{exc})."
            ) from None
    if x.dtype.kind not in "biuf":
        hint = (
            " Complex data not supported; convert it to floats."
            if x.dtype.kind == "c"
            else " Convert your data to numeric values explicitly."
        )
        raise ValueError(f"{what} must hold real numbers, got dtype {x.dtype}.{hint}")
    return x


def _is_sktime_panel(X: Any) -> bool:
    """True for the pandas containers that sktime uses for panels.

    A plain numeric DataFrame is a 2D table (one channel per row), not a panel:
    sktime panels are a list of DataFrames (df-list), a DataFrame with a row
    MultiIndex (pd-multiindex) or one whose cells hold Series (nested_univ).
    """
    import pandas as pd

    if isinstance(X, (list, tuple)) or (
        isinstance(X, np.ndarray) and X.dtype == object and X.ndim == 1
    ):
        return any(isinstance(x, pd.DataFrame) for x in X)
    if not isinstance(X, pd.DataFrame):
        return False
    if isinstance(X.index, pd.MultiIndex):
        return True
    return X.shape[0] > 0 and X.shape[1] > 0 and isinstance(X.iloc[0, 0], pd.Series)


def _from_sktime(X: Any, name: str, *, expected: str) -> tuple[Any, bool]:
    """Check an sktime Panel; return it and whether its series share a length.

    A pd-multiindex frame comes back with its rows sorted by time within each
    instance. ``expected`` names what else the caller accepts, for the error
    message.
    """
    from sktime.datatypes import check_is_scitype

    X = _sort_time_within_instances(X)
    valid, reasons, metadata = check_is_scitype(
        X, scitype="Panel", return_metadata=["is_equal_length"]
    )
    if not valid:
        import pandas as pd

        closest = (
            "pd-multiindex"
            if isinstance(X, pd.DataFrame) and isinstance(X.index, pd.MultiIndex)
            else "df-list"
            if isinstance(X, (list, tuple))
            else "nested_univ"
        )
        reason = reasons.get(closest) if isinstance(reasons, dict) else None
        raise TypeError(
            f"{name} is a {type(X).__name__} that is neither {expected} nor an sktime "
            f"Panel. Pass {_ACCEPTED[expected]} or {_SKTIME_PANELS}."
            + (f" As {closest}, sktime says: {reason}" if reason else "")
        )
    return X, bool(metadata.get("is_equal_length", True))


def _sort_time_within_instances(X: Any) -> Any:
    """A pd-multiindex frame with each instance's rows in time order.

    sktime requires the time index to increase within each instance. Its advice,
    ``sort_index()``, would also sort the instances by name and so misalign them
    with ``y``; here instances keep the order of their first row and only the
    rows within each are sorted (stably) by time.
    """
    import pandas as pd

    if not (
        isinstance(X, pd.DataFrame)
        and isinstance(X.index, pd.MultiIndex)
        and X.index.nlevels >= 2
    ):
        return X
    duplicated = X.index.duplicated()
    if duplicated.any():
        raise ValueError(
            f"The Panel has {int(duplicated.sum())} rows whose index repeats an "
            f"earlier one, e.g. {X.index[duplicated][0]!r}: each time point of an "
            "instance must appear once. Drop them, e.g. X[~X.index.duplicated()]."
        )
    keys = pd.DataFrame(
        {
            "instance": pd.factorize(X.index.get_level_values(0))[0],
            "time": X.index.get_level_values(-1),
        }
    )
    try:
        order = keys.sort_values(["instance", "time"], kind="stable").index
    except TypeError:  # times that cannot be compared: sktime explains
        return X
    if (order == np.arange(len(X))).all():
        return X
    return X.iloc[np.asarray(order)]


def check_panel(
    X: Any,
    *,
    name: str = "X",
    dtype: type = np.float32,
    copy: bool = False,
    return_n_features: bool = False,
) -> np.ndarray | tuple[np.ndarray, int]:
    """Validate a panel of windows and return it as an array ``(n, channels, time)``.

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
        If ``X`` is empty, has the wrong number of dimensions, does not hold real
        numbers, or holds NaN or infinite values.
    TypeError
        If ``X`` is sparse, neither array-like nor an sktime Panel, or holds
        objects that are not numbers.

    Examples
    --------
    >>> import numpy as np
    >>> from skmicrobi._validation import check_panel
    >>> check_panel(np.zeros((4, 100))).shape
    (4, 1, 100)
    """
    _check_not_sparse(X, name)
    if _is_sktime_panel(X):
        from sktime.datatypes import convert_to

        X, equal_length = _from_sktime(X, name, expected="windows")
        if not equal_length:
            raise ValueError(
                f"{name} holds series of unequal length; the classifier needs windows "
                "of one length. Cut the recordings with SlidingWindowTransformer "
                "first."
            )
        X = np.asarray(convert_to(X, to_type="numpy3D"))
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
            f"{name} must be {_ACCEPTED['windows']} or {_SKTIME_PANELS}, got "
            f"{type(X).__name__}."
        )
    X = _as_real(X, name)
    given_shape = X.shape
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
        raise ValueError(_empty_message(name, given_shape))
    narrowing = X.dtype.kind == "f" and X.dtype.itemsize > np.dtype(dtype).itemsize
    if narrowing:  # before the cast, which would turn 1e39 into inf
        _check_finite(X, name, fits=np.dtype(dtype))
    X = np.array(X, dtype=dtype, copy=True) if copy else X.astype(dtype, copy=False)
    if not narrowing:
        _check_finite(X, name)
    return (X, int(n_features)) if return_n_features else X


def _empty_message(name: str, shape: tuple[int, ...]) -> str:
    """Why a panel of input ``shape`` (2D or 3D, as given) is empty."""
    if shape[0] == 0:
        return f"{name} is empty (shape {shape}); pass at least one sample."
    if shape[1] == 0:
        # n_features_in_ is shape[1] as given: time points in 2D, channels in 3D;
        # the wording is scikit-learn's (check_array's) for the same case.
        what = "time points" if len(shape) == 2 else "channels"
        return (
            f"{name} has no {what}: found array with 0 feature(s) (shape={shape}) "
            "while a minimum of 1 is required."
        )
    return (
        f"{name} has windows of 0 time points (shape {shape}); pass windows of at "
        "least one time point."
    )


def check_recordings(
    X: Any, *, name: str = "X"
) -> tuple[list[np.ndarray], np.ndarray | None]:
    """Validate recordings and return them as a list of ``(channels, time)`` arrays.

    Parameters
    ----------
    X : array-like, list of array-like or sktime Panel
        A 3D array ``(n_recordings, n_channels, n_timepoints)``, a 2D array or
        plain DataFrame ``(n_recordings, n_timepoints)`` (one channel), a list of 2D
        ``(n_channels, n_timepoints)`` arrays of any lengths (a 1D array in the
        list is one channel), or any sktime Panel mtype, equal length or not.
    name : str, default="X"
        Name used in error messages.

    Returns
    -------
    recordings : list of numpy.ndarray
        One ``(n_channels, n_timepoints)`` array per recording, real and finite;
        views of ``X`` where it was already an array of real numbers.
    panel : numpy.ndarray or None
        ``X`` as one 3D array when it was given as one (2D read as one channel),
        else None: the windowing copies such an input in one vectorised step.

    Raises
    ------
    ValueError
        If ``X`` holds no recording, an empty recording, recordings of different
        channel counts, values that are not real numbers or NaN/infinite values,
        or has the wrong number of dimensions.
    TypeError
        If ``X`` is sparse, neither array-like nor an sktime Panel, or holds
        objects that are not numbers.

    Examples
    --------
    >>> import numpy as np
    >>> from skmicrobi._validation import check_recordings
    >>> recordings, panel = check_recordings([np.zeros((3, 50)), np.zeros((3, 40))])
    >>> [r.shape for r in recordings], panel
    ([(3, 50), (3, 40)], None)
    """
    _check_not_sparse(X, name)
    panel = None
    sktime_panel = _is_sktime_panel(X)
    if not (sktime_panel or isinstance(X, (list, tuple))) and hasattr(X, "__array__"):
        X = np.asarray(X)
        if X.dtype == object and X.ndim == 1:
            try:
                X = X.astype(np.float64)
            except (TypeError, ValueError):
                pass  # ragged recordings in an object array: read one by one
        else:
            X = _as_real(X, name)
    if not sktime_panel and isinstance(X, np.ndarray) and X.dtype != object:
        if X.ndim == 2:
            X = X[:, np.newaxis, :]
        if X.ndim != 3:
            raise ValueError(
                f"{name} must be 3D (n_recordings, n_channels, n_timepoints), 2D "
                f"(n_recordings, n_timepoints) for one channel, or a list of 2D "
                f"(n_channels, n_timepoints) arrays; got {X.ndim}D with shape "
                f"{X.shape}. Reshape your data: a single stream is a list of one "
                "(n_channels, n_timepoints) array."
            )
        panel, recordings = X, list(X)
    elif not sktime_panel and isinstance(X, (list, tuple, np.ndarray)):
        recordings = [_as_recording(x, i, name) for i, x in enumerate(X)]
    else:
        from sktime.datatypes import convert_to

        X, _ = _from_sktime(X, name, expected="recordings")
        frames = convert_to(X, to_type="df-list", as_scitype="Panel")
        recordings = [
            _as_recording(f.to_numpy().T, i, name) for i, f in enumerate(frames)
        ]
    if not recordings:
        raise ValueError(f"{name} holds no recording; pass at least one.")
    n_channels = recordings[0].shape[0]
    for i, r in enumerate(recordings):
        if r.shape[0] != n_channels:
            raise ValueError(
                f"Recording {i} of {name} has {r.shape[0]} channels but recording 0 "
                f"has {n_channels}; all recordings need the same channels."
            )
        if 0 in r.shape:
            raise ValueError(
                f"Recording {i} of {name} is empty (shape {r.shape}); remove it."
            )
    # The windows are float32: wider floats must fit it (1e39 would become inf).
    fits = np.dtype(np.float32)
    if panel is not None:
        _check_finite(panel, name, unit="recording", fits=fits)
    else:
        for i, r in enumerate(recordings):
            _check_finite(r[np.newaxis], name, unit="recording", offset=i, fits=fits)
    return recordings, panel


def _as_recording(x: Any, i: int, name: str) -> np.ndarray:
    """One recording as a real ``(channels, time)`` array (1D is one channel)."""
    x = _as_real(np.asarray(x), f"Recording {i} of {name}")
    if x.ndim == 1:
        return x[np.newaxis, :]
    if x.ndim != 2:
        raise ValueError(
            f"Recording {i} of {name} must be 2D (n_channels, n_timepoints) or 1D "
            f"for one channel; got {x.ndim}D with shape {x.shape}."
        )
    return x


def _check_finite(
    X: np.ndarray,
    name: str,
    chunk_bytes: int = 4 * 2**20,
    *,
    unit: str = "sample",
    offset: int = 0,
    fits: np.dtype | None = None,
) -> None:
    """Raise on NaN/inf along axis 0 of ``X``, in blocks so a memmap is never loaded.

    ``unit`` names what axis 0 counts in the message, ``offset`` the index of
    ``X[0]`` in the caller's input. With ``fits`` (a float dtype), values beyond
    its range are refused too: a cast to it would make them infinite.
    """
    limit = np.finfo(fits).max if fits is not None else np.inf
    rows = max(1, chunk_bytes // max(1, X[:1].nbytes))
    reader = RowReader(X)
    for start in range(0, X.shape[0], rows):
        block = (
            reader[start : start + rows]
            if reader.from_file
            else X[start : start + rows]
        )
        # min and max propagate NaN and show inf without a temporary of the block's
        # size; only a block that fails is searched for its first bad row.
        low, high = block.min(), block.max()
        if np.isfinite(low) and np.isfinite(high):
            if -limit <= low and high <= limit:
                continue
            bad = offset + start + int(np.argwhere(np.abs(block) > limit)[0][0])
            raise ValueError(
                f"{name} has values beyond {fits}'s range (+-{limit:.4g}), e.g. "
                f"{low if low < -limit else high:.6g} (first in {unit} {bad}); the "
                f"windows are {fits}, where they would be infinite. Rescale the "
                "data (e.g. to physical units) first."
            )
        bad = offset + start + int(np.argwhere(~np.isfinite(block))[0][0])
        raise ValueError(
            f"{name} contains NaN or infinite values (first in {unit} {bad}). "
            "Impute them (e.g. interpolate sensor gaps), or drop or cut what holds "
            "them, first."
        )
