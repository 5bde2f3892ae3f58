"""MicroBi-ConvLSTM as an sktime classifier: :class:`MicroBiSktimeClassifier`.

:class:`~skmicrobi.MicroBiClassifier` already accepts sktime's Panel formats, but
it is a scikit-learn estimator. This module wraps it in sktime's own
``BaseClassifier``, with sktime's tags, so that it goes wherever sktime expects
one of its classifiers: sktime's pipelines and ensembles, ``evaluate`` and its
benchmarking, ``check_estimator``, and the registry's tag searches.

Importing :mod:`skmicrobi` does not import this module (nor sktime);
``skmicrobi.MicroBiSktimeClassifier`` loads it on first use.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sktime.classification.base import BaseClassifier


class MicroBiSktimeClassifier(BaseClassifier):
    """MicroBi-ConvLSTM as an sktime classifier, delegating to MicroBiClassifier.

    The same network, training recipe and parameters as
    :class:`~skmicrobi.MicroBiClassifier` (each parameter is passed on as it
    is), behind sktime's ``BaseClassifier``: sktime checks and converts the
    input (any Panel mtype of equal-length series without missing values) and
    the labels, then ``fit``, ``predict`` and ``predict_proba`` delegate to the
    fitted :class:`~skmicrobi.MicroBiClassifier` in ``estimator_``, which
    :class:`~skmicrobi.Int8Quantizer` and :func:`~skmicrobi.export_c` take as it
    is. Use :class:`~skmicrobi.MicroBiClassifier` itself in scikit-learn
    pipelines and searches, and where ``fit`` needs ``groups`` (a
    subject-aware early-stopping split): sktime's ``fit`` has no ``groups``.

    Parameters
    ----------
    conv_channels : tuple of int, default=(16, 16)
        Output channels of the two convolution stages.
    kernel_size : int, default=5
        Temporal kernel size of both convolutions.
    pool_sizes : tuple of int, default=(2, 2)
        Max-pooling factor after each convolution stage.
    lstm_hidden : int, default=24
        Hidden units per LSTM direction.
    bidirectional : bool, default=True
        Bidirectional LSTM.
    reduction : str, default="final"
        How the LSTM's outputs become one feature vector (see
        :class:`~skmicrobi.MicroBiClassifier`).
    dropout : float, default=0.15
        Dropout before the linear head.
    max_epochs : int, default=100
        Maximum number of training epochs.
    batch_size : int, default=64
        Training mini-batch size.
    lr : float, default=2e-3
        Initial learning rate.
    weight_decay : float, default=1e-4
        Weight decay of the optimizer.
    optimizer : {"adamw", "adam", "sgd"} or torch optimizer class, default="adamw"
        Optimizer.
    lr_schedule : {"cosine"} or None, default="cosine"
        Learning-rate schedule.
    gradient_clip : float or None, default=1.0
        Maximum gradient norm; ``None`` disables clipping.
    class_weight : dict, "balanced" or None, default=None
        Weights of the cross-entropy per class.
    early_stopping : "auto" or bool, default="auto"
        Early stopping on a held-out validation split; ``"auto"`` holds one
        out only when it is large enough to judge (see
        :class:`~skmicrobi.MicroBiClassifier`).
    validation_fraction : float, default=0.1
        Fraction of the training data held out for early stopping.
    patience : int, default=10
        Epochs without improvement before stopping.
    augmentation : None, "imu" or IMUAugmentation, default=None
        Augmentation of the training batches
        (:class:`~skmicrobi.augment.IMUAugmentation`).
    teacher : fitted classifier or None, default=None
        Knowledge distillation from a fitted classifier with the same classes;
        it is called on the windows as sktime passes them on (numpy3D).
    distillation_temperature : float, default=2.0
        Temperature of the distillation.
    distillation_weight : float, default=0.5
        Weight of the teacher's term in the loss.
    callbacks : list of skorch callbacks or (name, callback) tuples, default=None
        Extra skorch callbacks.
    device : str, default="cpu"
        Torch device to train and predict on.
    n_threads : int or None, default=None
        Torch intra-op threads while fitting and predicting.
    random_state : int, RandomState instance or None, default=None
        Seed of weight initialisation, data shuffling, dropout and the
        validation split; with an integer, two fits give the same predictions
        on CPU.
    verbose : int, default=0
        0 is silent; 1 reports each epoch on stderr.
    module : class or callable returning a torch.nn.Module, default=None
        The network to train; None is :class:`~skmicrobi.MicroBiConvLSTM` (see
        :class:`~skmicrobi.MicroBiClassifier`).
    module_params : dict or None, default=None
        Keyword arguments of ``module``.

    Attributes
    ----------
    estimator_ : MicroBiClassifier
        The fitted classifier that ``predict`` and ``predict_proba`` use.
    classes_ : ndarray of shape (n_classes,)
        Class labels (set by sktime's ``fit``).

    See Also
    --------
    skmicrobi.MicroBiClassifier : the scikit-learn estimator underneath.

    Examples
    --------
    >>> from sktime.datasets import load_basic_motions
    >>> from skmicrobi import MicroBiSktimeClassifier
    >>> X, y = load_basic_motions(split="train")  # sktime's nested_univ Panel
    >>> clf = MicroBiSktimeClassifier(max_epochs=2, random_state=0).fit(X, y)
    >>> clf.predict_proba(X[:3]).shape
    (3, 4)
    >>> clf.get_tag("capability:multivariate")
    True
    """

    _tags = {
        "authors": ["skmicrobi developers"],
        "maintainers": ["skmicrobi developers"],
        "python_dependencies": ["torch", "skorch"],
        "X_inner_mtype": "numpy3D",
        "y_inner_mtype": "numpy1D",
        "capability:multivariate": True,
        "capability:multioutput": False,
        "capability:unequal_length": False,
        "capability:missing_values": False,
        "capability:categorical_in_X": False,
        "capability:predict_proba": True,
        "capability:class_weight": True,
        "capability:random_state": True,
        "property:randomness": "derandomized",
        "capability:train_estimate": False,
        "capability:contractable": False,
        "capability:multithreading": False,
    }

    def __init__(
        self,
        conv_channels: Sequence[int] = (16, 16),
        kernel_size: int = 5,
        pool_sizes: Sequence[int] = (2, 2),
        lstm_hidden: int = 24,
        bidirectional: bool = True,
        reduction: str = "final",
        dropout: float = 0.15,
        max_epochs: int = 100,
        batch_size: int = 64,
        lr: float = 2e-3,
        weight_decay: float = 1e-4,
        optimizer: str | type = "adamw",
        lr_schedule: str | None = "cosine",
        gradient_clip: float | None = 1.0,
        class_weight: str | dict | None = None,
        early_stopping: str | bool = "auto",
        validation_fraction: float = 0.1,
        patience: int = 10,
        augmentation: Any = None,
        teacher: Any = None,
        distillation_temperature: float = 2.0,
        distillation_weight: float = 0.5,
        callbacks: list | None = None,
        device: str = "cpu",
        n_threads: int | None = None,
        random_state: int | np.random.RandomState | None = None,
        verbose: int = 0,
        module: Any = None,
        module_params: dict | None = None,
    ) -> None:
        self.conv_channels = conv_channels
        self.kernel_size = kernel_size
        self.pool_sizes = pool_sizes
        self.lstm_hidden = lstm_hidden
        self.bidirectional = bidirectional
        self.reduction = reduction
        self.dropout = dropout
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.weight_decay = weight_decay
        self.optimizer = optimizer
        self.lr_schedule = lr_schedule
        self.gradient_clip = gradient_clip
        self.class_weight = class_weight
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.augmentation = augmentation
        self.teacher = teacher
        self.distillation_temperature = distillation_temperature
        self.distillation_weight = distillation_weight
        self.callbacks = callbacks
        self.device = device
        self.n_threads = n_threads
        self.random_state = random_state
        self.verbose = verbose
        self.module = module
        self.module_params = module_params
        super().__init__()

    def _fit(self, X: np.ndarray, y: np.ndarray) -> MicroBiSktimeClassifier:
        """Fit a MicroBiClassifier on ``X`` of shape (cases, channels, time)."""
        from skmicrobi.classifier import MicroBiClassifier

        # the same parameters, by name, as the test checks
        self.estimator_ = MicroBiClassifier(**self.get_params(deep=False)).fit(X, y)
        return self

    def _predict(self, X: np.ndarray) -> np.ndarray:
        """Labels of ``X`` of shape (cases, channels, time)."""
        return self.estimator_.predict(X)

    def _predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Probabilities of ``X``, columns in the order of ``classes_``."""
        return self.estimator_.predict_proba(X)

    @classmethod
    def get_test_params(cls, parameter_set: str = "default") -> list[dict[str, Any]]:
        """Small, fast settings for sktime's estimator checks.

        Parameters
        ----------
        parameter_set : str, default="default"
            Name of the set (sktime's convention; there is one).

        Returns
        -------
        list of dict
            Two parameter sets: a tiny network trained two epochs without
            early stopping, and one with early stopping and a mean reduction.

        Examples
        --------
        >>> from skmicrobi import MicroBiSktimeClassifier
        >>> [p["max_epochs"] for p in MicroBiSktimeClassifier.get_test_params()]
        [2, 2]
        """
        tiny = {
            "conv_channels": (4, 4),
            "lstm_hidden": 4,
            "max_epochs": 2,
            "batch_size": 8,
            "n_threads": 1,
            "random_state": 0,
        }
        return [
            {**tiny, "early_stopping": False},
            {
                **tiny,
                "early_stopping": True,  # "auto" would not hold out on tiny data
                "reduction": "mean",
                "patience": 1,
                "lr_schedule": None,
            },
        ]


__all__ = ["MicroBiSktimeClassifier"]
