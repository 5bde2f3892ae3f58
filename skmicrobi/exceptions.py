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


class ValidationTooSmallWarning(SkmicrobiWarning):
    """The validation split is too small to stop training on; none was held out.

    Raised by :class:`~skmicrobi.MicroBiClassifier` with ``early_stopping="auto"``
    (the default) when the windows it would hold out for early stopping have
    fewer than ``MIN_VALIDATION_PER_CLASS`` of some class or fewer than
    ``MIN_VALIDATION_WINDOWS`` in all (see :mod:`skmicrobi.classifier`): the
    validation loss of so few windows is noise, and stopping on it can keep a
    network from its first epochs. The classifier then trains the whole
    schedule (``max_epochs``) on all the windows; its ``early_stopping_used_``
    is False. Pass ``early_stopping=False`` to say that this is intended, or
    ``early_stopping=True`` to stop on the small split anyway.

    Examples
    --------
    >>> from skmicrobi.exceptions import SkmicrobiWarning, ValidationTooSmallWarning
    >>> issubclass(ValidationTooSmallWarning, SkmicrobiWarning)
    True
    """
