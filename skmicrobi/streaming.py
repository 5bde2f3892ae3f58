"""Predict on a live sensor stream, one window at a time.

A sensor delivers samples in chunks of whatever size its driver reads: one sample,
seven, five hundred. :class:`StreamingPredictor` keeps the last samples that may
still belong to a window (never more than one window of them) and, each time a
window completes, predicts it. Its windows are exactly those that
:class:`~skmicrobi.SlidingWindowTransformer` (``tail="drop"``) cuts from the whole
stream: window ``j`` starts at sample ``j * stride``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

from skmicrobi._validation import _as_real
from skmicrobi.windowing import WINDOW_DTYPE, SlidingWindowTransformer

__all__ = ["StreamingPredictor"]


class StreamingPredictor:
    """Emit a prediction each time a window of a live stream completes.

    Parameters
    ----------
    estimator : fitted estimator
        Either a fitted pipeline whose first step is a
        :class:`~skmicrobi.SlidingWindowTransformer` (e.g. a fitted
        :class:`~skmicrobi.WindowPipeline`; its window length and stride are
        used, and the rest of the pipeline predicts each window), or an estimator
        fitted on windows, such as :class:`~skmicrobi.MicroBiClassifier`, with
        ``window_length`` and ``stride`` given.
    window_length : int, default=None
        Time steps per window; taken from the window step when None.
    stride : int, default=None
        Time steps between window starts; taken from the window step when None.
    method : str, default="predict"
        Method of the estimator applied to completed windows, e.g.
        ``"predict_proba"``.

    Attributes
    ----------
    n_samples_seen_ : int
        Time steps received since creation or the last :meth:`reset`.
    n_windows_ : int
        Windows completed so far; the next one starts at
        ``n_windows_ * stride``.

    See Also
    --------
    skmicrobi.SlidingWindowTransformer : The same windows from a whole recording.

    Notes
    -----
    The state is one window: the samples received since the start of the next
    window (fewer than ``window_length``) in a ``(channels, window_length)``
    float32 buffer. The end of a stream that fills no window gives no prediction,
    as with ``tail="drop"``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.preprocessing import FunctionTransformer
    >>> from skmicrobi import SlidingWindowTransformer, StreamingPredictor
    >>> from skmicrobi import WindowPipeline
    >>> rng = np.random.default_rng(0)
    >>> recordings = [rng.normal(size=(2, 300)) + i % 2 for i in range(4)]
    >>> pipe = WindowPipeline([
    ...     ("win", SlidingWindowTransformer(window_length=50, stride=25)),
    ...     ("flat", FunctionTransformer(lambda w: w.reshape(len(w), -1))),
    ...     ("clf", LogisticRegression()),
    ... ]).fit(recordings, [0, 1, 0, 1])
    >>> stream = StreamingPredictor(pipe)
    >>> stream.update(recordings[1][:, :40])  # no window complete yet
    array([], dtype=int64)
    >>> stream.update(recordings[1][:, 40:100])  # windows at 0, 25 and 50 end
    array([1, 1, 1])
    >>> stream.n_windows_
    3
    """

    def __init__(
        self,
        estimator: Any,
        window_length: int | None = None,
        stride: int | None = None,
        *,
        method: str = "predict",
    ) -> None:
        self.estimator = estimator
        self.window_length = window_length
        self.stride = stride
        self.method = method
        self._predictor, window_step, self._n_channels = _split_window_step(estimator)
        for name in ("window_length", "stride"):
            value = getattr(self, name)
            if value is None and window_step is None:
                raise ValueError(
                    f"{name} is required when the estimator has no "
                    "SlidingWindowTransformer as its first step."
                )
            if value is None:
                value = getattr(window_step, name)
            elif window_step is not None and value != getattr(window_step, name):
                raise ValueError(
                    f"{name}={value} differs from the pipeline's window step "
                    f"({getattr(window_step, name)}); leave it None."
                )
            if isinstance(value, bool) or not (
                isinstance(value, (int, np.integer)) and value >= 1
            ):
                raise ValueError(f"{name} must be an integer >= 1, got {value!r}.")
            setattr(self, f"_{name}", int(value))
        if not hasattr(self._predictor, method):
            raise ValueError(
                f"{type(self._predictor).__name__} has no method {method!r}."
            )
        self._call = getattr(self._predictor, method)
        self.reset()

    def reset(self) -> StreamingPredictor:
        """Forget the stream: the next sample starts a new stream at index 0.

        Returns
        -------
        self : StreamingPredictor
            This predictor, empty.
        """
        self._buffer = None
        self._n_buffered = 0
        self.n_samples_seen_ = 0
        self.n_windows_ = 0
        self._empty = None
        return self

    def update(self, chunk: Any) -> np.ndarray:
        """Add samples; return the outputs of the windows they complete.

        The stream's state changes only when the call succeeds: a chunk that is
        refused, or whose windows the estimator fails to predict, leaves the
        stream as it was, so passing the (fixed) chunk again loses no window.

        Parameters
        ----------
        chunk : array-like of shape (n_channels, n_samples)
            The next samples of the stream, any number of them (also 0).

        Returns
        -------
        ndarray
            One output of ``method`` per completed window, in time order; empty
            when no window completes.
        """
        chunk, n_channels = self._check_chunk(chunk)
        L, s = self._window_length, self._stride
        next_start = self.n_windows_ * s
        # With a stride longer than the window, samples before the next start are
        # never part of a window.
        skip = min(max(next_start - self.n_samples_seen_, 0), chunk.shape[1])
        buffered = (
            self._buffer[:, : self._n_buffered]
            if self._buffer is not None
            else np.empty((n_channels, 0), WINDOW_DTYPE)
        )
        pending = np.concatenate(
            [buffered, chunk[:, skip:]], axis=1, dtype=WINDOW_DTYPE
        )
        n_done = (pending.shape[1] - L) // s + 1 if pending.shape[1] >= L else 0
        out = None
        if n_done:
            windows = sliding_window_view(pending, L, axis=1)[:, ::s][:, :n_done]
            # The state changes only once the predictor has answered: if it
            # raises, the same samples can be passed again and no window is lost.
            out = np.asarray(
                self._call(np.ascontiguousarray(windows.transpose(1, 0, 2)))
            )
        kept = pending[:, n_done * s :]
        if self._buffer is None:
            self._buffer = np.empty((n_channels, L), WINDOW_DTYPE)
        self._buffer[:, : kept.shape[1]] = kept
        self._n_buffered = kept.shape[1]
        self.n_samples_seen_ += chunk.shape[1]
        if out is None:
            return self._empty_output()
        self.n_windows_ += n_done
        self._empty = out[:0]
        return out

    def _check_chunk(self, chunk: Any) -> tuple[np.ndarray, int]:
        """The chunk as an array that float32 holds exactly as finite values."""
        chunk = _as_real(np.asarray(chunk), "chunk")
        if chunk.ndim != 2:
            raise ValueError(
                "chunk must be 2D (n_channels, n_samples), got shape "
                f"{chunk.shape}; a single sample of C channels is shape (C, 1)."
            )
        if self._buffer is not None:
            n_channels = self._buffer.shape[0]
        else:
            n_channels = self._n_channels or chunk.shape[0]
        if chunk.shape[0] != n_channels:
            raise ValueError(
                f"chunk has {chunk.shape[0]} channels but the stream has "
                f"{n_channels}; pass chunks of shape (n_channels, n)."
            )
        if chunk.size and not np.isfinite(chunk).all():
            raise ValueError(
                "chunk contains NaN or infinite values; impute sensor gaps before "
                "streaming, or reset() and restart after the gap."
            )
        if chunk.size and chunk.dtype.kind == "f" and chunk.dtype != WINDOW_DTYPE:
            # float64 values beyond float32's range would become inf in the
            # buffer; the windows are float32, so such values cannot be kept.
            limit = np.finfo(WINDOW_DTYPE).max
            too_large = np.abs(chunk) > limit
            if too_large.any():
                raise ValueError(
                    f"chunk has {int(too_large.sum())} values beyond float32's "
                    f"range (+-{limit:.4g}), e.g. {chunk[too_large][0]:.6g}; windows "
                    "are float32. Rescale the signal (e.g. to physical units); "
                    "the stream is unchanged, so pass the chunk again once fixed."
                )
        return chunk, n_channels

    def _empty_output(self) -> np.ndarray:
        if self._empty is not None:
            return self._empty
        classes = getattr(self._predictor, "classes_", None)
        if self.method == "predict" and classes is not None:
            return np.empty(0, dtype=np.asarray(classes).dtype)
        if self.method.startswith("predict_") and classes is not None:
            return np.empty((0, len(classes)))
        return np.empty(0)


def _split_window_step(estimator: Any) -> tuple[Any, Any, int | None]:
    """The estimator that predicts windows, the window step, the channel count."""
    check_is_fitted(estimator)
    if isinstance(estimator, Pipeline):
        steps = [(n, s) for n, s in estimator.steps if s not in (None, "passthrough")]
        if steps and isinstance(steps[0][1], SlidingWindowTransformer):
            window_step, rest = steps[0][1], steps[1:]
            if not rest:
                raise ValueError("The pipeline has nothing after its window step.")
            predictor = rest[0][1] if len(rest) == 1 else Pipeline(rest)
            return predictor, window_step, window_step.n_channels_
    return estimator, None, getattr(estimator, "n_channels_", None)
