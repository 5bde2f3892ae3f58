"""Warnings raised by skmicrobi.

Every warning the package emits is a subclass of :class:`SkmicrobiWarning`, so users
can silence or escalate all of them at once, e.g.
``warnings.simplefilter("error", SkmicrobiWarning)``.
"""


class SkmicrobiWarning(UserWarning):
    """Base class of every warning emitted by skmicrobi.

    Examples
    --------
    >>> import warnings
    >>> from skmicrobi.exceptions import SkmicrobiWarning, ShortRecordingWarning
    >>> issubclass(ShortRecordingWarning, SkmicrobiWarning)
    True
    """


class ShortRecordingWarning(SkmicrobiWarning):
    """Some recordings are shorter than a window and give no window.

    Raised by :class:`~skmicrobi.SlidingWindowTransformer` with ``tail="drop"``
    when some, but not all, recordings are shorter than ``window_length``; the
    message says how many were dropped. Use ``tail="pad"`` to keep them.

    Examples
    --------
    >>> import warnings
    >>> from skmicrobi.exceptions import ShortRecordingWarning
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warnings.warn("1 of 3 recordings dropped", ShortRecordingWarning)
    >>> caught[0].category.__name__
    'ShortRecordingWarning'
    """
