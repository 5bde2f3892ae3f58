"""Cut recordings into fixed-length windows, and their labels with them.

Human activity recognition starts from recordings: per subject or session, a
``(channels, time)`` stream with a label per time step (or one per recording), of
different lengths. :class:`SlidingWindowTransformer` turns them into the equal-length
windows ``(n_windows, channels, window_length)`` that a classifier is trained on.

``transform(X)`` cuts windows only (prediction, streaming). ``fit_resample(X, y,
groups)`` also gives each window a label and a group, which is what a scikit-learn
transformer cannot do; :class:`skmicrobi.WindowPipeline` calls it in ``fit``.

Windows of one recording start at ``0, stride, 2 * stride, ...``: a recording of
``T`` time steps gives ``floor((T - window_length) / stride) + 1`` windows (none when
``T < window_length``), plus one padded window with ``tail="pad"``. Windows are read
through :func:`numpy.lib.stride_tricks.sliding_window_view`, so the only copy made is
the output itself.
"""

from __future__ import annotations

import warnings
from numbers import Integral, Real
from typing import Any

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from skmicrobi._sklearn_compat import Interval, StrOptions, _fit_context
from skmicrobi._validation import check_recordings
from skmicrobi.exceptions import ShortRecordingWarning

#: Windows are float32, the dtype the network trains in: casting while copying
#: the windows out avoids a second full copy later.
WINDOW_DTYPE = np.float32


class SlidingWindowTransformer(TransformerMixin, BaseEstimator):
    """Cut recordings into sliding windows; label and group each window.

    Parameters
    ----------
    window_length : int, default=128
        Time steps per window (the paper uses 128; 64 on Daphnet, 98 on SKODA).
    stride : int, default=64
        Time steps between the starts of consecutive windows (the paper uses half
        a window). A stride larger than ``window_length`` skips samples.
    label : {"majority", "last", "centre"}, default="majority"
        How a window gets one label from per-time-step labels:

        - ``"majority"``: the most frequent label in the window; a tie goes to the
          label that comes first in sorted order (the smallest), e.g. a window
          half ``"sit"`` and half ``"walk"`` is labelled ``"sit"``.
        - ``"last"``: the label of the window's last time step.
        - ``"centre"``: the label at offset ``window_length // 2`` (for an even
          length, the later of the two middle steps).

        Ignored for labels given one per recording.
    purity : float in (0, 1], default=None
        Keep a window only if at least this fraction of its (unpadded) time steps
        carries the window's label; ``purity=1.0`` drops every window that mixes
        activities. ``None`` keeps all windows. Only :meth:`fit_resample` and
        :meth:`resample` see labels, so :meth:`transform` always keeps every
        window.
    tail : {"drop", "pad"}, default="drop"
        What to do with the end of a recording that no full window reaches:

        - ``"drop"``: ignore it; a recording shorter than ``window_length`` gives no
          window (a :class:`~skmicrobi.exceptions.ShortRecordingWarning` says how
          many were dropped).
        - ``"pad"``: add one window at the next stride position, filled with
          ``pad_value`` past the recording's end; a recording shorter than a window
          gives one padded window. Padded steps carry no label: the label rules and
          ``purity`` use the real steps only, and ``"last"``/``"centre"`` read the
          last real step when their position falls in the padding.
    pad_value : float, default=0.0
        Value written into the padded part of a window.

    Attributes
    ----------
    n_channels_ : int
        Number of channels seen in ``fit``.

    See Also
    --------
    skmicrobi.WindowPipeline : A Pipeline that calls :meth:`fit_resample` in ``fit``.
    skmicrobi.StreamingPredictor : The same windows cut from a live stream.

    Notes
    -----
    Recordings may be a 3D array ``(n_recordings, channels, time)``, a 2D array
    or plain DataFrame ``(n_recordings, time)`` (one channel), a list of 2D
    ``(channels, time)`` arrays of different lengths (a 1D array in the list is
    one channel), or any sktime Panel mtype, equal or unequal length (``nested_univ``,
    ``pd-multiindex``, ``df-list``, ...). A single stream is a list of one array.

    Labels are either one per recording (a 1D array of length ``n_recordings``)
    or one per time step: a list with one 1D array per recording (each as long as
    its recording), or a 2D array ``(n_recordings, time)`` for equal lengths.

    Windows are float32 and always a fresh array; for numpy input nothing else of
    the size of the recordings is allocated, so memory stays that of the output.

    :meth:`window_index` tells which recording and start index each window came
    from, for plots and for matching predictions to time.

    Inside scikit-learn's own :class:`~sklearn.pipeline.Pipeline` this transformer
    works for ``predict`` (recordings in, one prediction per window out), but
    ``fit`` cannot window ``y``: fit with :class:`skmicrobi.WindowPipeline`.

    Examples
    --------
    >>> import numpy as np
    >>> from skmicrobi import SlidingWindowTransformer
    >>> recordings = [np.arange(20.0).reshape(2, 10), np.zeros((2, 7))]
    >>> labels = [np.array([0] * 6 + [1] * 4), np.array([2] * 7)]
    >>> win = SlidingWindowTransformer(window_length=4, stride=2)
    >>> Xw, yw, gw = win.fit_resample(recordings, labels)
    >>> Xw.shape
    (6, 2, 4)
    >>> yw
    array([0, 0, 0, 1, 2, 2])
    >>> gw
    array([0, 0, 0, 0, 1, 1])
    >>> Xw[1, 0]
    array([2., 3., 4., 5.], dtype=float32)
    >>> win.window_index(recordings)
       recording  start
    0          0      0
    1          0      2
    2          0      4
    3          0      6
    4          1      0
    5          1      2
    """

    _parameter_constraints: dict = {
        "window_length": [Interval(Integral, 1, None, closed="left")],
        "stride": [Interval(Integral, 1, None, closed="left")],
        "label": [StrOptions({"majority", "last", "centre"})],
        "purity": [Interval(Real, 0, 1, closed="right"), None],
        "tail": [StrOptions({"drop", "pad"})],
        "pad_value": [Real],
    }

    def __init__(
        self,
        window_length: int = 128,
        stride: int = 64,
        *,
        label: str = "majority",
        purity: float | None = None,
        tail: str = "drop",
        pad_value: float = 0.0,
    ) -> None:
        self.window_length = window_length
        self.stride = stride
        self.label = label
        self.purity = purity
        self.tail = tail
        self.pad_value = pad_value

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: Any, y: Any = None) -> SlidingWindowTransformer:
        """Check the recordings and remember their number of channels.

        Parameters
        ----------
        X : array-like, list of arrays or sktime Panel
            Recordings (see Notes of the class).
        y : None
            Ignored.

        Returns
        -------
        self : SlidingWindowTransformer
            The fitted transformer.
        """
        recordings, _ = check_recordings(X)
        self.n_channels_ = recordings[0].shape[0]
        return self

    def transform(self, X: Any) -> np.ndarray:
        """Cut recordings into windows.

        Parameters
        ----------
        X : array-like, list of arrays or sktime Panel
            Recordings with the channels seen in ``fit``.

        Returns
        -------
        ndarray of shape (n_windows, n_channels, window_length), float32
            The windows of every recording, recording by recording, in time order.
        """
        check_is_fitted(self)
        recordings, panel = self._check_recordings(X)
        rec, start = self._plan([r.shape[1] for r in recordings])
        return _copy_windows(
            recordings,
            panel,
            rec,
            start,
            self.window_length,
            self.stride,
            self.pad_value,
        )

    def resample(
        self, X: Any, y: Any, groups: Any = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Cut labelled recordings into windows with the fitted transformer.

        Same as :meth:`fit_resample` without fitting: :class:`WindowPipeline` uses
        it to window the labels of test recordings in ``score``.

        Parameters
        ----------
        X : array-like, list of arrays or sktime Panel
            Recordings with the channels seen in ``fit``.
        y : array-like or list of array-like
            One label per recording, or one label array per recording with a label
            per time step.
        groups : array-like of shape (n_recordings,), default=None
            Group (e.g. subject) of each recording.

        Returns
        -------
        X_windows : ndarray of shape (n_windows, n_channels, window_length)
            The windows kept (see ``purity``), float32.
        y_windows : ndarray of shape (n_windows,)
            The label of each window, from the values of ``y``.
        groups_windows : ndarray of shape (n_windows,)
            The group of each window's recording, or the recording's index when
            ``groups`` is None.
        """
        check_is_fitted(self)
        recordings, panel = self._check_recordings(X)
        lengths = [r.shape[1] for r in recordings]
        groups = _check_groups(groups, len(recordings))
        rec, start, labels = self._labelled_plan(lengths, y)
        X_windows = _copy_windows(
            recordings,
            panel,
            rec,
            start,
            self.window_length,
            self.stride,
            self.pad_value,
        )
        return X_windows, labels, rec if groups is None else groups[rec]

    def fit_resample(
        self, X: Any, y: Any, groups: Any = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Fit, then cut labelled recordings into windows, labels and groups.

        Parameters
        ----------
        X : array-like, list of arrays or sktime Panel
            Recordings (see Notes of the class).
        y : array-like or list of array-like
            One label per recording, or one label array per recording with a label
            per time step.
        groups : array-like of shape (n_recordings,), default=None
            Group (e.g. subject) of each recording, so that ``GroupKFold`` on the
            windows keeps a subject's windows together.

        Returns
        -------
        X_windows : ndarray of shape (n_windows, n_channels, window_length)
            The windows kept (see ``purity``), float32.
        y_windows : ndarray of shape (n_windows,)
            The label of each window, from the values of ``y``.
        groups_windows : ndarray of shape (n_windows,)
            The group of each window's recording, or the recording's index when
            ``groups`` is None.
        """
        return self.fit(X).resample(X, y, groups)

    def window_index(self, X: Any, y: Any = None) -> pd.DataFrame:
        """Where each window comes from: its recording and its first time step.

        Rows are in the order of the windows that :meth:`transform` returns, or,
        when ``y`` is given, that :meth:`fit_resample` returns (``purity`` may
        drop windows). Needs no fitting and copies no data.

        Parameters
        ----------
        X : array-like, list of arrays or sktime Panel
            Recordings, as given to ``transform`` or ``fit_resample``.
        y : array-like or list of array-like, default=None
            Labels, as given to ``fit_resample``.

        Returns
        -------
        pandas.DataFrame
            Columns ``recording`` (index into ``X``) and ``start`` (index of the
            window's first time step in its recording), one row per window.
        """
        self._validate_params()
        recordings, _ = check_recordings(X)
        lengths = [r.shape[1] for r in recordings]
        if y is None:
            rec, start = self._plan(lengths)
        else:
            rec, start, _ = self._labelled_plan(lengths, y)
        return pd.DataFrame({"recording": rec, "start": start})

    def set_output(self, *, transform: str | None = None) -> SlidingWindowTransformer:
        """Accept a container setting and keep windows as arrays.

        Windows are 3D and have no DataFrame form, so this setting does not change
        them; it exists so that :meth:`sklearn.pipeline.Pipeline.set_output` can
        configure the 2D steps after the window step.

        Parameters
        ----------
        transform : {"default", "pandas", "polars"} or None, default=None
            Output container requested for ``transform``; windows stay numpy.

        Returns
        -------
        self : SlidingWindowTransformer
            This transformer, unchanged.
        """
        if transform not in (None, "default", "pandas", "polars"):
            raise ValueError(
                "transform must be 'default', 'pandas', 'polars' or None, got "
                f"{transform!r}."
            )
        return self

    # -- internals -------------------------------------------------------------
    def _check_recordings(self, X: Any) -> tuple[list[np.ndarray], Any]:
        recordings, panel = check_recordings(X)
        if recordings[0].shape[0] != self.n_channels_:
            raise ValueError(
                f"X has {recordings[0].shape[0]} channels, but "
                f"{type(self).__name__} was fitted with {self.n_channels_}. Pass the "
                "same sensor channels as in fit."
            )
        return recordings, panel

    def _plan(self, lengths: list[int]) -> tuple[np.ndarray, np.ndarray]:
        """Recording and start of every window; warn or raise when some get none."""
        L, s = self.window_length, self.stride
        lengths = np.asarray(lengths, dtype=np.int64)
        n_full = np.where(lengths >= L, (lengths - L) // s + 1, 0)
        if self.tail == "pad":
            covered = np.where(n_full > 0, (n_full - 1) * s + L, 0)
            n_padded = ((covered < lengths) & (n_full * s < lengths)).astype(np.int64)
        else:
            n_padded = 0
        counts = n_full + n_padded
        if counts.sum() == 0:
            raise ValueError(
                f"window_length={L} is longer than every recording (the longest has "
                f"{lengths.max()} time steps), so there is no window. Lower "
                "window_length or use tail='pad'."
            )
        n_empty = int((counts == 0).sum())
        if n_empty:
            warnings.warn(
                f"{n_empty} of {len(lengths)} recordings are shorter than "
                f"window_length={L} and give no window; they were dropped. Use "
                "tail='pad' to keep them.",
                ShortRecordingWarning,
                stacklevel=3,
            )
        rec = np.repeat(np.arange(len(lengths)), counts)
        first_row = np.cumsum(counts) - counts
        start = (np.arange(len(rec)) - first_row[rec]) * s
        return rec, start

    def _labelled_plan(
        self, lengths: list[int], y: Any
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Plan, window labels and the purity filter."""
        codes, classes, per_step = _encode_labels(y, lengths)
        rec, start = self._plan(lengths)
        if not per_step:
            return rec, start, classes[codes[rec]]
        window_codes, purity = _window_codes(
            codes, rec, start, self.window_length, self.label, lengths
        )
        if self.purity is not None:
            keep = purity >= self.purity
            if not keep.any():
                raise ValueError(
                    f"purity={self.purity} leaves no window: the purest window has "
                    f"{purity.max():.3f} of its time steps in one label. Lower "
                    "purity, shorten window_length, or use purity=None."
                )
            rec, start, window_codes = rec[keep], start[keep], window_codes[keep]
        return rec, start, classes[window_codes]

    def __sklearn_tags__(self):  # noqa: D105
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags


def _check_groups(groups: Any, n_recordings: int) -> np.ndarray | None:
    if groups is None:
        return None
    groups = np.asarray(groups)
    if groups.shape != (n_recordings,):
        raise ValueError(
            f"groups must have one entry per recording ({n_recordings}), got shape "
            f"{groups.shape}."
        )
    return groups


def _encode_labels(y: Any, lengths: list[int]) -> tuple[Any, np.ndarray, bool]:
    """Integer codes of the labels, the sorted classes, and whether per time step.

    Codes are one array per recording for per-step labels, else one array.
    """
    n = len(lengths)
    if y is None:
        raise ValueError(
            "y is required: one label per recording, or one label array per "
            "recording with a label per time step."
        )
    if isinstance(y, (pd.Series, pd.DataFrame)):
        y = y.to_numpy()
    elif not isinstance(y, (list, tuple, np.ndarray)) and hasattr(y, "__array__"):
        y = np.asarray(y)  # any other array-like (scikit-learn's _NotAnArray, ...)
    if isinstance(y, np.ndarray) and y.dtype != object and y.ndim != 1:
        if y.ndim != 2:
            raise ValueError(
                f"y must be 1D (one label per recording) or 2D (n_recordings, "
                f"n_timepoints); got {y.ndim}D with shape {y.shape}."
            )
        y = list(y)
    elif isinstance(y, (str, bytes)) or not hasattr(y, "__len__"):
        raise TypeError(f"y must be array-like, got {type(y).__name__}.")
    per_step = len(y) > 0 and all(np.ndim(item) > 0 for item in y)
    if len(y) != n:
        hint = (
            " For the per-time-step labels of a single recording, wrap them in a "
            "list: y=[labels]."
            if n == 1 and len(y) == lengths[0]
            else ""
        )
        raise ValueError(
            f"y has {len(y)} entries but X has {n} recordings. Pass one label per "
            f"recording, or one label array per recording with a label per time "
            f"step.{hint}"
        )
    if not per_step:
        if any(np.ndim(item) > 0 for item in y):
            raise ValueError(
                "y mixes single labels and label arrays; pass one label per recording "
                "or one label array per recording, not both."
            )
        classes, codes = _unique(np.asarray(y))
        return codes, classes, False
    per_rec = [np.asarray(item) for item in y]
    for i, (labels, T) in enumerate(zip(per_rec, lengths)):
        if labels.shape != (T,):
            raise ValueError(
                f"The labels of recording {i} have shape {labels.shape} but the "
                f"recording has {T} time steps; pass one label per time step."
            )
    classes, flat_codes = _unique(np.concatenate(per_rec))
    codes = np.split(flat_codes, np.cumsum(lengths)[:-1])
    return codes, classes, True


def _unique(labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    try:
        return np.unique(labels, return_inverse=True)
    except TypeError:
        raise TypeError(
            "y mixes label types that cannot be sorted (e.g. strings and numbers); "
            "use labels of one type."
        ) from None


def _window_codes(
    codes: list[np.ndarray],
    rec: np.ndarray,
    start: np.ndarray,
    window_length: int,
    rule: str,
    lengths: list[int],
) -> tuple[np.ndarray, np.ndarray]:
    """Label code and purity of every window from per-time-step label codes."""
    window_codes = np.empty(len(rec), dtype=np.int64)
    purity = np.empty(len(rec), dtype=np.float64)
    bounds = np.searchsorted(rec, np.arange(len(lengths) + 1))
    for r, (a, b) in enumerate(zip(bounds[:-1], bounds[1:])):
        if a == b:
            continue
        c, T = codes[r], lengths[r]
        st = start[a:b]
        end = np.minimum(st + window_length, T)
        present = np.unique(c)
        # Counts of each label per window from cumulative sums: O(T) memory per
        # label, whatever the overlap between windows.
        counts = np.empty((b - a, len(present)), dtype=np.int64)
        for k, code in enumerate(present):
            cumulative = np.concatenate(([0], np.cumsum(c == code)))
            counts[:, k] = cumulative[end] - cumulative[st]
        if rule == "majority":
            # argmax takes the first maximum: ties go to the smallest label.
            chosen = counts.argmax(axis=1)
        else:
            offset = window_length - 1 if rule == "last" else window_length // 2
            position = np.minimum(st + offset, end - 1)
            chosen = np.searchsorted(present, c[position])
        window_codes[a:b] = present[chosen]
        purity[a:b] = counts[np.arange(b - a), chosen] / (end - st)
    return window_codes, purity


def _copy_windows(
    recordings: list[np.ndarray],
    panel: np.ndarray | None,
    rec: np.ndarray,
    start: np.ndarray,
    window_length: int,
    stride: int,
    pad_value: float,
) -> np.ndarray:
    """Copy the planned windows into one float32 array: the only copy made."""
    L, s = window_length, stride
    n_channels = recordings[0].shape[0]
    out = np.empty((len(rec), n_channels, L), dtype=WINDOW_DTYPE)
    n_rec = len(recordings)
    k = len(rec) // n_rec
    if (
        panel is not None
        and k * n_rec == len(rec)
        and np.array_equal(start, np.tile(np.arange(k) * s, n_rec))
    ):
        # Every recording has the same windows: one strided copy for all of them.
        T = panel.shape[2]
        n_full = int(np.searchsorted(start[:k], T - L, side="right"))
        out4 = out.reshape(n_rec, k, n_channels, L)
        if n_full:
            views = sliding_window_view(panel, L, axis=2)[:, :, ::s][:, :, :n_full]
            out4[:, :n_full] = views.transpose(0, 2, 1, 3)
        for j in range(n_full, k):
            first = int(start[j])
            out4[:, j] = pad_value
            out4[:, j, :, : T - first] = panel[:, :, first:]
        return out
    bounds = np.searchsorted(rec, np.arange(n_rec + 1))
    for r, (a, b) in enumerate(zip(bounds[:-1], bounds[1:])):
        if a == b:
            continue
        x = recordings[r]
        T = x.shape[1]
        st = start[a:b]
        n_full = int(np.searchsorted(st, T - L, side="right"))
        if n_full:
            views = sliding_window_view(x, L, axis=1)
            # Runs of consecutive windows copy from one strided view each, so a
            # purity filter never makes an intermediate copy.
            breaks = np.flatnonzero(np.diff(st[:n_full]) != s) + 1
            for lo, hi in zip(np.r_[0, breaks], np.r_[breaks, n_full]):
                first = int(st[lo])
                run = views[:, first : first + (hi - lo - 1) * s + 1 : s]
                out[a + lo : a + hi] = run.transpose(1, 0, 2)
        for row in range(a + n_full, b):
            first = int(start[row])
            out[row] = pad_value
            out[row, :, : T - first] = x[:, first:]
    return out
