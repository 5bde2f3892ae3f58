"""Progress on stderr: the ``verbose`` of :class:`~skmicrobi.MicroBiClassifier`.

:class:`ProgressLog` is a skorch callback that reports each epoch as it ends:
the epoch out of ``max_epochs``, the training loss, the validation loss and
accuracy when a validation split is held out, the mean time per epoch and the
time left. On a terminal it rewrites one line in place; anywhere else (a log
file, a pipe, a notebook's captured stream) it writes one plain line per epoch,
so that no carriage return or escape code ends up in a log.
"""

from __future__ import annotations

import copy
import sys
import time
from typing import IO, Any

from skorch.callbacks import Callback, EarlyStopping


def format_duration(seconds: float) -> str:
    """Seconds as ``"42 s"``, ``"3:05"`` (minutes) or ``"1:02:05"`` (hours).

    Parameters
    ----------
    seconds : float
        Duration; negative values count as zero.

    Returns
    -------
    str
        The duration, rounded to whole seconds; ``"<1 s"`` below half a second
        (but above zero).

    Examples
    --------
    >>> from skmicrobi.progress import format_duration
    >>> format_duration(42.4), format_duration(185), format_duration(3725)
    ('42 s', '3:05', '1:02:05')
    >>> format_duration(0.2), format_duration(0)
    ('<1 s', '0 s')
    """
    if 0 < seconds < 0.5:
        return "<1 s"
    total = max(0, round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    if minutes:
        return f"{minutes}:{secs:02d}"
    return f"{secs} s"


class ProgressLog(Callback):
    """skorch callback reporting each epoch on stderr, with the time left.

    ``MicroBiClassifier(verbose=1)`` adds one; it can also be passed in
    ``callbacks`` to any skorch net.

    Parameters
    ----------
    stream : file-like or None, default=None
        Where to write; ``None`` is ``sys.stderr`` at the time of writing.
        Copies of the callback share the stream; pickling drops it (the
        unpickled callback writes to ``sys.stderr``).

    Examples
    --------
    >>> import io
    >>> import numpy as np
    >>> from skmicrobi import MicroBiClassifier
    >>> from skmicrobi.progress import ProgressLog
    >>> X = np.random.default_rng(0).normal(size=(20, 3, 16)).astype("float32")
    >>> y = np.arange(20) % 2
    >>> log = io.StringIO()
    >>> clf = MicroBiClassifier(
    ...     max_epochs=2, early_stopping=False, callbacks=[ProgressLog(log)]
    ... ).fit(X, y)
    >>> print(log.getvalue().splitlines()[-1][:21])
    epoch 2/2  train_loss
    """

    def __init__(self, stream: IO[str] | None = None) -> None:
        self.stream = stream

    def __deepcopy__(self, memo: dict) -> ProgressLog:
        # The classifier copies its callbacks in fit; the copy writes to the same
        # stream (a file object cannot be copied).
        new = object.__new__(type(self))
        memo[id(self)] = new
        for key, value in self.__dict__.items():
            new.__dict__[key] = value if key == "stream" else copy.deepcopy(value, memo)
        return new

    def __getstate__(self) -> dict:
        # A pickled net does not take the stream along: it writes to stderr then.
        return {**self.__dict__, "stream": None}

    def _stream(self) -> IO[str]:
        return sys.stderr if self.stream is None else self.stream

    def initialize(self) -> ProgressLog:
        self.pending_ = 0  # characters of an unfinished terminal line
        return self

    def on_train_begin(self, net: Any, **kwargs: Any) -> None:
        """Start the clock."""
        self.start_ = time.monotonic()
        self.first_epoch_ = len(net.history)  # epochs before this call (warm start)
        self.max_epochs_ = int(kwargs.get("epochs") or net.max_epochs)
        self.pending_ = 0
        self.may_stop_early_ = any(
            isinstance(cb, EarlyStopping) for _, cb in getattr(net, "callbacks_", [])
        )

    def on_epoch_end(self, net: Any, **kwargs: Any) -> None:
        """Write the epoch's line."""
        row = net.history[-1]
        done = len(net.history) - self.first_epoch_
        elapsed = time.monotonic() - self.start_
        per_epoch = elapsed / max(done, 1)
        width = len(str(self.max_epochs_))
        parts = [f"epoch {done:>{width}}/{self.max_epochs_}"]
        for key, fmt in (
            ("train_loss", ".4f"),
            ("valid_loss", ".4f"),
            ("valid_acc", ".3f"),
        ):
            value = row.get(key)
            if value is not None:
                parts.append(f"{key} {value:{fmt}}")
        left = per_epoch * (self.max_epochs_ - done)
        parts.append(f"{per_epoch:.2f} s/epoch")
        if done < self.max_epochs_:
            bound = "at most " if self.may_stop_early_ else ""
            parts.append(f"{bound}{format_duration(left)} left")
        else:
            parts.append(f"{format_duration(elapsed)} in all")
        self._write("  ".join(parts))

    def on_train_end(self, net: Any, **kwargs: Any) -> None:
        """End the terminal line; say so when early stopping ended the fit."""
        self._end_line()
        done = len(net.history) - self.first_epoch_
        if self.may_stop_early_ and 0 < done < self.max_epochs_:
            self.message(
                f"early stopping after epoch {done} of {self.max_epochs_} "
                f"({format_duration(time.monotonic() - self.start_)} in all)"
            )

    def message(self, text: str) -> None:
        """Write ``text`` on its own line (the sink of early stopping's message).

        Parameters
        ----------
        text : str
            The message.
        """
        self._end_line()
        stream = self._stream()
        stream.write(f"{text}\n")
        stream.flush()

    def _write(self, line: str) -> None:
        stream = self._stream()
        if _is_terminal(stream):
            pad = max(0, self.pending_ - len(line))
            stream.write("\r" + line + " " * pad)
            self.pending_ = len(line)
        else:
            stream.write(line + "\n")
        stream.flush()

    def _end_line(self) -> None:
        if getattr(self, "pending_", 0):
            self._stream().write("\n")
            self._stream().flush()
            self.pending_ = 0


def _is_terminal(stream: IO[str]) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except (ValueError, OSError):  # a closed stream
        return False


__all__ = ["ProgressLog", "format_duration"]
