"""skorch callbacks of :class:`~skmicrobi.MicroBiClassifier` (imported with skorch)."""

from __future__ import annotations

from copy import deepcopy
from typing import Any

import numpy as np
from skorch.callbacks import Callback, EarlyStopping


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


class ArmedEarlyStopping(EarlyStopping):
    """skorch's EarlyStopping that may stop only from epoch ``start_epoch`` on.

    The best epoch is tracked from the first one (and restored with
    ``load_best``); only the stop waits, so that early stopping cannot cut a
    learning-rate schedule before it has annealed. ``stopped_`` says whether it
    ended training.

    Parameters
    ----------
    start_epoch : int
        First epoch (1-based, counted in ``net.history``) at which training may
        stop.
    **kwargs : dict
        skorch's :class:`~skorch.callbacks.EarlyStopping` parameters.
    """

    def __init__(self, start_epoch: int = 1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.start_epoch = start_epoch
        self.stopped_ = False

    def on_train_begin(self, net: Any, **kwargs: Any) -> None:
        """Reset the state of a previous fit."""
        super().on_train_begin(net, **kwargs)
        self.stopped_ = False

    def on_epoch_end(self, net: Any, **kwargs: Any) -> None:
        """Track the best epoch; stop after ``patience`` misses once armed."""
        score = net.history[-1, self.monitor]
        if self._is_score_improved(score):
            self.misses_ = 0
            self.dynamic_threshold_ = self._calc_new_threshold(score)
            self.best_epoch_ = net.history[-1, "epoch"]
            if self.load_best:
                self.best_model_weights_ = deepcopy(net.module_.state_dict())
        else:
            self.misses_ += 1
        # >=, not skorch's ==: misses may pass patience before the stop is armed
        armed = net.history[-1, "epoch"] >= self.start_epoch
        if armed and self.misses_ >= self.patience:
            self.stopped_ = True
            if net.verbose:
                self._sink(
                    f"Stopping since {self.monitor} has not improved in the last "
                    f"{self.misses_} epochs.",
                    verbose=net.verbose,
                )
            raise KeyboardInterrupt
