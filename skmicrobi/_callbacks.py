"""skorch callbacks of :class:`~skmicrobi.MicroBiClassifier` (imported with skorch)."""

from __future__ import annotations

from typing import Any

import numpy as np
from skorch.callbacks import Callback


def diverged_message(what: str, lr: float, gradient_clip: float | None) -> str:
    """The message of a training run whose losses or weights are not finite."""
    clip = (
        "set gradient_clip (e.g. 1.0)"
        if gradient_clip is None
        else f"lower gradient_clip (now {gradient_clip:g})"
    )
    return (
        f"Training diverged: {what}. Lower lr (now {lr:g}), {clip}, or check the "
        "training data for extreme values; the network's outputs would be "
        "meaningless."
    )


class StopOnDivergence(Callback):
    """Raise at the end of the first epoch whose losses are not finite.

    A diverged network predicts NaN probabilities and the first class for every
    window; stopping with a :class:`FloatingPointError` that says what to change
    replaces a ``fit`` that reports success.

    Parameters
    ----------
    lr : float
        The classifier's learning rate, named in the message.
    gradient_clip : float or None
        The classifier's gradient clipping, named in the message.
    """

    def __init__(self, lr: float, gradient_clip: float | None) -> None:
        self.lr = lr
        self.gradient_clip = gradient_clip

    def on_epoch_end(self, net: Any, **kwargs: Any) -> None:
        """Check the epoch's training and validation losses."""
        epoch = net.history[-1]
        for key in ("train_loss", "valid_loss"):
            value = epoch.get(key)
            if value is not None and not np.isfinite(value):
                raise FloatingPointError(
                    diverged_message(
                        f"the {key} of epoch {epoch['epoch']} is {value}",
                        self.lr,
                        self.gradient_clip,
                    )
                )
