"""MicroBiClassifier: a scikit-learn classifier training MicroBi-ConvLSTM via skorch.

The estimator composes a :class:`skorch.NeuralNetClassifier` (built in ``fit``
and kept as ``net_``) instead of subclassing it, so that its parameters are
explicit, ``clone``/``get_params``/``GridSearchCV`` behave exactly as for any
scikit-learn estimator, and skorch's gaps are closed here:

* labels: any hashable labels go in and come out (skorch predicts indices);
* ``random_state``: seeds weight initialisation, shuffling and dropout inside a
  forked torch RNG, so the caller's global RNG state is left alone;
* ``predict_proba``: softmax of the logits, rows summing to 1 in float64;
* early stopping: on a stratified (group-aware when ``groups`` is given)
  validation split carved from the training data, restoring the best epoch,
  only when that split is large enough to judge (``early_stopping="auto"``:
  ``MIN_VALIDATION_PER_CLASS`` windows of every class, ``MIN_VALIDATION_WINDOWS``
  in all; otherwise the whole schedule on all the data, with a
  :class:`~skmicrobi.exceptions.ValidationTooSmallWarning`), and never in the
  first half of a cosine schedule (``EARLY_STOPPING_START``);
* training techniques that leave the deployed network as it is: augmentation
  of the training batches (:class:`~skmicrobi.augment.IMUAugmentation`) and
  distillation from a fitted ``teacher``;
* threads: under ``GridSearchCV(n_jobs=k)`` joblib's workers start with
  ``OMP_NUM_THREADS = cores // k``, which torch honours; inside a dask worker
  torch gets at most the worker's share of the cores; ``n_threads`` pins it;
* data larger than RAM: a float32 memmap is read window by window from its file
  (``skmicrobi._memmap``), so neither a copy nor its mapped pages build up;
* pickles: the network travels only inside ``net_``, which skorch maps to the
  CPU when CUDA is absent, and never with the training data.
"""

from __future__ import annotations

import copy
import inspect
import os
import sys
import warnings
from collections.abc import Callable, Sequence
from numbers import Integral, Real
from typing import Any

import numpy as np
import torch
from scipy.special import softmax
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import DataConversionWarning, NotFittedError
from sklearn.model_selection import StratifiedGroupKFold, train_test_split
from sklearn.preprocessing import LabelEncoder
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, check_random_state
from torch import nn
from torch.utils.data import Subset, default_collate

from skmicrobi._memmap import RowReader
from skmicrobi._sklearn_compat import HasMethods, Interval, StrOptions, _fit_context
from skmicrobi._validation import check_panel
from skmicrobi.augment import IMUAugmentation, _TrainBatches
from skmicrobi.exceptions import ValidationTooSmallWarning
from skmicrobi.network import REDUCTIONS, MicroBiConvLSTM, _check_stage_sizes

#: Batch size used for inference (results do not depend on it: BatchNorm and
#: dropout are in eval mode). Batches of a few hundred windows amortise the LSTM's
#: per-step cost while the activations stay in cache: on a 2-core EPYC, UCI-HAR
#: windows go 20,500/s in batches of 512 and 14,300/s in batches of 3,640.
PREDICT_BATCH_SIZE = 512

#: Upper bound of one inference batch in bytes, so that long windows of many
#: channels do not make a batch of ``PREDICT_BATCH_SIZE`` windows huge.
PREDICT_BATCH_BYTES = 4 * 2**20

#: Floor of the cosine learning-rate schedule, as in the reference training script.
COSINE_ETA_MIN = 1e-6

_OPTIMIZERS = {
    "adamw": torch.optim.AdamW,
    "adam": torch.optim.Adam,
    "sgd": torch.optim.SGD,
}

#: ``early_stopping="auto"`` holds out a validation split only when it has at
#: least this many windows of every class: the validation loss of a class seen
#: 1-2 times is noise (UEA Handwriting, 150 windows of 26 classes: 15 held out,
#: stopping at epoch 11 and keeping epoch 1).
MIN_VALIDATION_PER_CLASS = 5

#: ... and at least this many windows in all.
MIN_VALIDATION_WINDOWS = 50

#: With the cosine schedule, early stopping may end training only from this
#: fraction of ``max_epochs`` on (the learning rate is then half of ``lr``), so
#: that it can cut the annealed tail of the schedule but never stop while the
#: learning rate is still near its peak; the best epoch is tracked throughout.
EARLY_STOPPING_START = 0.5

#: Teacher probabilities are clipped at this floor before their logarithm.
_PROBA_FLOOR = 1e-7

#: Bytes of windows per block of the one-pass channel statistics.
_STATS_CHUNK_BYTES = 4 * 2**20


class MicroBiClassifier(ClassifierMixin, BaseEstimator):
    """MicroBi-ConvLSTM human activity recognition classifier.

    Trains the network of arXiv 2602.06523 (two convolution stages with 4x
    temporal pooling, one bidirectional LSTM layer, ~10K parameters) on windows
    of multichannel sensor data, with AdamW, a cosine learning-rate schedule,
    gradient clipping and early stopping on a validation split carved from the
    training data when it is large enough to judge.

    Parameters
    ----------
    conv_channels : tuple of int, default=(16, 16)
        Filters of each convolution stage.
    kernel_size : int, default=5
        Odd convolution kernel size.
    pool_sizes : tuple of int, default=(2, 2)
        Max-pooling factor after each convolution stage (``1`` for none). Input
        series must be at least as long as their product.
    lstm_hidden : int, default=24
        LSTM hidden units per direction.
    bidirectional : bool, default=True
        Bidirectional (paper) or unidirectional (ablation) LSTM.
    reduction : {"final", "last", "mean"}, default="final"
        Reduction of the LSTM outputs over time; ``"last"`` is the paper's exact
        model, ``"final"`` concatenates both directions' final states (see
        :class:`~skmicrobi.network.MicroBiConvLSTM`).
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
        ``"cosine"`` anneals the learning rate to 1e-6 over ``max_epochs``.
    gradient_clip : float or None, default=1.0
        Maximum gradient norm; ``None`` disables clipping.
    class_weight : dict, "balanced" or None, default=None
        Weights of the cross-entropy per class: ``"balanced"`` uses inverse
        class frequencies (as the paper on imbalanced datasets), a dict maps
        labels to weights.
    early_stopping : "auto" or bool, default="auto"
        Hold out ``validation_fraction`` of the windows, stop when their loss
        has not improved for ``patience`` epochs and restore the best epoch's
        weights. ``"auto"`` does so only when the held-out part has at least
        ``MIN_VALIDATION_PER_CLASS`` (5) windows of every class and
        ``MIN_VALIDATION_WINDOWS`` (50) in all; otherwise it trains the whole
        schedule on all the windows and warns
        (:class:`~skmicrobi.exceptions.ValidationTooSmallWarning`). ``True``
        holds out and stops whatever the split's size; ``False`` never does.
        With ``lr_schedule="cosine"``, training never stops before
        ``EARLY_STOPPING_START`` (half) of ``max_epochs``, so that a stop cuts
        only the annealed end of the schedule; the epoch kept may be any one.
    validation_fraction : float, default=0.1
        Fraction of the training data held out for early stopping; stratified
        by class, and by whole groups when ``fit`` is given ``groups``.
    patience : int, default=10
        Epochs without improvement before stopping.
    augmentation : None, "imu" or IMUAugmentation, default=None
        Random rotation, scaling, time shift and jitter of the training
        batches (:class:`~skmicrobi.augment.IMUAugmentation`; ``"imu"`` is its
        defaults), seeded by ``random_state``. Validation and prediction
        inputs are never augmented, and the network is the same as without.
        Its values are searchable, e.g. ``augmentation__rotation``.
    teacher : fitted classifier or None, default=None
        Knowledge distillation: a fitted scikit-learn classifier (a pipeline
        of a MiniRocket transform and a linear model, an ensemble of
        MicroBiClassifiers, ...) with ``predict_proba`` (its log-probabilities
        are the teacher's logits) or else ``decision_function`` (its scores
        are), and the same ``classes_``. ``fit`` calls it once on ``X`` as
        given to ``fit`` and trains on ``(1 - w) * CE + w * T**2 *
        KL(p_teacher,T || p_student,T)``, with ``p_T`` the softmax of logits
        divided by ``T``. The teacher's outputs on the training windows are
        used as they are (not out-of-fold: a teacher that fits its training
        data perfectly teaches little beyond the labels). A fitted
        MicroBiClassifier does not keep its teacher when pickled or copied
        (``teacher`` is then None). ``clone``, and so ``GridSearchCV``, unfit
        estimator parameters: wrap the teacher in
        :class:`sklearn.frozen.FrozenEstimator` to search with one.
    distillation_temperature : float, default=2.0
        The temperature ``T``; higher values pass on more of the teacher's
        view of the wrong classes. Scores of ``decision_function`` teachers
        that are not logits (e.g. a ridge classifier's, near +-1) want a ``T``
        below 1.
    distillation_weight : float, default=0.5
        The weight ``w`` in [0, 1] of the teacher's term; 0 is plain
        cross-entropy. Unused without a teacher.
    callbacks : list of skorch callbacks or (name, callback) tuples, default=None
        Extra skorch callbacks (checkpointing, logging, ...). They are copied
        in ``fit``; the objects you pass are not modified.
    device : str, default="cpu"
        Torch device to train and predict on, e.g. ``"cuda"``.
    n_threads : int or None, default=None
        Torch intra-op threads while fitting and predicting; ``None`` keeps
        torch's setting (one per core, or ``OMP_NUM_THREADS``), except inside a
        dask worker, where it is at most the worker's share of the cores
        (cores // worker threads) so that concurrent tasks do not oversubscribe.
    random_state : int, RandomState instance or None, default=None
        Seed of weight initialisation, data shuffling, dropout and the
        validation split. Two fits with the same integer give identical
        predictions on CPU.
    verbose : int, default=0
        0 is silent; 1 reports each epoch on stderr (epoch, training loss,
        validation loss and accuracy when early stopping holds data out, time
        left; see :class:`skmicrobi.progress.ProgressLog`); 2 also prints
        skorch's per-epoch table.
    module : class or callable returning a torch.nn.Module, default=None
        The network to train. ``None`` is :class:`~skmicrobi.MicroBiConvLSTM`,
        built from the network parameters above. Otherwise ``fit`` calls
        ``module(n_channels=..., n_classes=..., **module_params)`` (adding
        ``n_timepoints=...`` when it takes a parameter of that name) with the sizes
        of the training data, as skorch's ``module=`` does. The network maps raw
        windows ``(batch, channels, time)`` to logits after standardising them with
        its ``input_mean`` and ``input_scale`` buffers of shape ``(n_channels,)``,
        which ``fit`` sets from the training data; a ``min_length`` attribute, if
        it has one, is the shortest series it takes. The MicroBi network
        parameters (``conv_channels`` to ``dropout``) are then unused.
    module_params : dict or None, default=None
        Keyword arguments of ``module`` (e.g. ``{"dropout": 0.5}``); tune them as
        whole dicts in a search. Must be None when ``module`` is None.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    n_features_in_ : int
        ``X.shape[1]`` of the training input as given: channels for 3D input,
        time points for 2D (single-channel) input.
    n_channels_ : int
        Number of input channels.
    n_timepoints_ : int
        Length of the training windows; predict requires the same length.
    net_ : skorch.NeuralNetClassifier
        The fitted skorch net (its ``history``, callbacks, ``save_params``).
    module_ : torch.nn.Module
        The trained network (a :class:`~skmicrobi.MicroBiConvLSTM` unless
        ``module`` says otherwise); its ``input_mean`` and ``input_scale`` buffers hold
        the per-channel standardisation learned from the training data.
    history_ : skorch.History
        Per-epoch losses and timings.
    n_epochs_ : int
        Epochs run (fewer than ``max_epochs`` when early stopping fired).
    best_epoch_ : int
        Epoch whose weights are kept: the best on the validation split with
        early stopping, otherwise the last one.
    early_stopping_used_ : bool
        Whether a validation split was held out and monitored (with
        ``early_stopping="auto"``, False when it would have been too small).
    n_validation_ : int
        Windows held out for early stopping (0 when none).
    stop_reason_ : {"max_epochs", "early_stopping", "interrupted"}
        Why training ended: the whole schedule ran, early stopping ended it, or
        a callback (or Ctrl-C) interrupted it.

    See Also
    --------
    skmicrobi.network.MicroBiConvLSTM : the network itself.

    Examples
    --------
    >>> import numpy as np
    >>> from skmicrobi import MicroBiClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(60, 3, 32)).astype("float32")
    >>> y = np.where(X[:, 0].mean(axis=1) > 0, "walk", "sit")
    >>> clf = MicroBiClassifier(max_epochs=3, random_state=0).fit(X, y)
    >>> clf.classes_
    array(['sit', 'walk'], dtype='<U4')
    >>> clf.predict_proba(X[:2]).sum(axis=1)
    array([1., 1.])
    """

    _parameter_constraints: dict = {
        "conv_channels": [tuple, list],
        "kernel_size": [Interval(Integral, 1, None, closed="left")],
        "pool_sizes": [tuple, list],
        "lstm_hidden": [Interval(Integral, 1, None, closed="left")],
        "bidirectional": ["boolean"],
        "reduction": [StrOptions(set(REDUCTIONS))],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "optimizer": [StrOptions(set(_OPTIMIZERS)), type],
        "lr_schedule": [StrOptions({"cosine"}), None],
        "gradient_clip": [Interval(Real, 0, None, closed="neither"), None],
        "class_weight": [StrOptions({"balanced"}), dict, None],
        "early_stopping": [StrOptions({"auto"}), "boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "patience": [Interval(Integral, 1, None, closed="left")],
        "augmentation": [StrOptions({"imu"}), IMUAugmentation, None],
        "teacher": [
            HasMethods(["predict_proba"]),
            HasMethods(["decision_function"]),
            None,
        ],
        "distillation_temperature": [Interval(Real, 0, None, closed="neither")],
        "distillation_weight": [Interval(Real, 0, 1, closed="both")],
        "callbacks": [list, None],
        "device": [str, torch.device],
        "n_threads": [Interval(Integral, 1, None, closed="left"), None],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "module": [callable, None],
        "module_params": [dict, None],
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
        augmentation: str | IMUAugmentation | None = None,
        teacher: Any = None,
        distillation_temperature: float = 2.0,
        distillation_weight: float = 0.5,
        callbacks: list | None = None,
        device: str = "cpu",
        n_threads: int | None = None,
        random_state: int | np.random.RandomState | None = None,
        verbose: int = 0,
        module: Callable[..., nn.Module] | None = None,
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

    # -- the network ---------------------------------------------------------
    def _check_module(self) -> None:
        """Reject a ``module``/``module_params`` pair that ``fit`` cannot build."""
        if self.module is None and self.module_params is not None:
            raise ValueError(
                "module_params configures a custom module, but module=None "
                "trains MicroBiConvLSTM, whose parameters are the estimator's "
                "own (conv_channels, ..., dropout). Set them instead."
            )
        if isinstance(self.module, nn.Module):
            raise TypeError(
                f"module is a {type(self.module).__name__} instance; pass its class "
                "(or a function building it), which fit calls with the data's sizes: "
                "module(n_channels=..., n_classes=..., **module_params)."
            )

    def _build_module(
        self, n_channels: int, n_classes: int, n_timepoints: int
    ) -> nn.Module:
        """The untrained network: ``module`` or MicroBiConvLSTM, for these sizes."""
        if self.module is None:
            return MicroBiConvLSTM(
                n_channels=n_channels,
                n_classes=n_classes,
                conv_channels=self.conv_channels,
                kernel_size=self.kernel_size,
                pool_sizes=self.pool_sizes,
                lstm_hidden=self.lstm_hidden,
                bidirectional=self.bidirectional,
                dropout=self.dropout,
                reduction=self.reduction,
            )
        sizes = {"n_channels": n_channels, "n_classes": n_classes}
        if _takes(self.module, "n_timepoints"):
            sizes["n_timepoints"] = n_timepoints
        network = self.module(**sizes, **(self.module_params or {}))
        for buffer in ("input_mean", "input_scale"):
            if not isinstance(getattr(network, buffer, None), torch.Tensor):
                raise TypeError(
                    f"The module {type(network).__name__} has no {buffer!r} buffer. "
                    "Register input_mean and input_scale of shape (n_channels,) and "
                    "standardise the input with them: fit learns them from X."
                )
        return network

    # -- fitting -------------------------------------------------------------
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: Any, y: Any, groups: Any = None) -> MicroBiClassifier:
        """Train the network on windows ``X`` with labels ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_channels, n_timepoints) or sktime Panel
            Training windows; 2D input ``(n_samples, n_timepoints)`` is one channel.
            A float32 numpy memmap is read batch by batch, never loaded whole.
        y : array-like of shape (n_samples,)
            Labels, any hashable values.
        groups : array-like of shape (n_samples,), default=None
            Group (e.g. subject) of each window; the early-stopping validation
            split then holds out whole groups.

        Returns
        -------
        self : MicroBiClassifier
            The fitted estimator.
        """
        self._check_module()
        X_given = X  # what the teacher is called on
        X, n_features = check_panel(X, return_n_features=True)
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y is "
                "None. Pass one label per window."
            )
        y = np.asarray(y)
        if y.ndim == 2 and y.shape[1] == 1:
            warnings.warn(
                "A column-vector y was passed when a 1d array was expected; pass a "
                "1D array of shape (n_samples,).",
                DataConversionWarning,
                stacklevel=2,
            )
            y = y.ravel()
        if y.ndim != 1:
            raise ValueError(
                f"y must be 1D of shape (n_samples,), got shape {y.shape}."
            )
        if len(y) != len(X):
            raise ValueError(
                f"X has {len(X)} samples but y has {len(y)} labels; they must match."
            )
        _check_label_types(y)
        check_classification_targets(y)
        encoder = _label_encoder(y)
        if len(encoder.classes_) < 2:
            raise ValueError(
                f"y has 1 class ({encoder.classes_[0]!r}); a classifier needs at "
                "least two classes."
            )
        y_enc = encoder.transform(y).astype(np.int64)
        if groups is not None:
            groups = np.asarray(groups)
            if groups.shape != (len(X),):
                raise ValueError(
                    f"groups must have one entry per sample ({len(X)}), got shape "
                    f"{groups.shape}."
                )
        if self.module is None:  # fail before any work; the network checks again
            _check_stage_sizes(self.conv_channels, "conv_channels")
            _check_stage_sizes(self.pool_sizes, "pool_sizes")
        _check_device(self.device)

        try:
            augmentation = _augmentation(self.augmentation)
            if augmentation is not None:
                augmentation.groups(X.shape[1])  # bad groups fail before any work
            teacher_logits = (
                None
                if self.teacher is None
                else _teacher_logits(self.teacher, X_given, encoder.classes_, len(X))
            )
            return self._fit(
                X, y_enc, encoder, n_features, groups, augmentation, teacher_logits
            )
        except BaseException:
            # A fit that fails leaves no fitted state behind: otherwise predict
            # would run a half-trained (or diverged) network without complaint.
            for name in _FITTED_ATTRIBUTES:
                self.__dict__.pop(name, None)
            raise

    def _fit(
        self,
        X: np.ndarray,
        y_enc: np.ndarray,
        encoder: LabelEncoder,
        n_features: int,
        groups: np.ndarray | None,
        augmentation: IMUAugmentation | None,
        teacher_logits: np.ndarray | None,
    ) -> MicroBiClassifier:
        self.classes_ = encoder.classes_
        self.n_channels_ = int(X.shape[1])
        self.n_timepoints_ = int(X.shape[2])
        self.n_features_in_ = n_features

        rng = check_random_state(self.random_state)
        seed = int(rng.randint(np.iinfo(np.int32).max))
        train_idx, valid_idx = self._split(y_enc, groups, rng)
        mean, scale = _channel_stats(X, train_idx)
        weight = self._class_weights(y_enc)
        augment_seed = int(rng.randint(np.iinfo(np.int32).max))

        with torch.random.fork_rng(devices=[]), _torch_threads(self._n_threads()):
            torch.manual_seed(seed)
            module = self._build_module(
                self.n_channels_, len(self.classes_), self.n_timepoints_
            )
            _check_long_enough(module, self.n_timepoints_)
            module.input_mean.copy_(torch.as_tensor(mean))
            module.input_scale.copy_(torch.as_tensor(scale))
            self.net_ = self._build_net(module, weight, valid_idx is not None, seed)
            if augmentation is not None:
                self.net_.set_params(
                    iterator_train__collate_fn=_TrainBatches(
                        _collate,
                        augmentation,
                        augmentation.groups(self.n_channels_),
                        mean,
                        scale,
                        augment_seed,
                    )
                )
            data = _ArrayDataset(X, y_enc)
            # the teacher's logits go with the training batches only
            train_data = (
                data
                if teacher_logits is None
                else _ArrayDataset(X, y_enc, teacher_logits)
            )
            train = train_data
            if valid_idx is not None:
                from skorch.helper import predefined_split

                train = Subset(train_data, train_idx)
                self.net_.set_params(
                    train_split=predefined_split(Subset(data, valid_idx))
                )
            try:
                self.net_.fit(train, None)
            finally:
                data.close()
                if train_data is not data:
                    train_data.close()

        self.module_ = self.net_.module_
        self.module_.eval()
        self.history_ = self.net_.history
        self.n_epochs_ = len(self.history_)
        _check_trained(self.module_, self)
        self.early_stopping_used_ = valid_idx is not None
        self.n_validation_ = 0 if valid_idx is None else len(valid_idx)
        stopper = dict(self.net_.callbacks_).get("early_stopping")
        if self.early_stopping_used_:
            self.best_epoch_ = int(stopper.best_epoch_)
        else:
            self.best_epoch_ = self.n_epochs_
        if stopper is not None and stopper.stopped_:
            self.stop_reason_ = "early_stopping"
        elif self.n_epochs_ == self.max_epochs:
            self.stop_reason_ = "max_epochs"
        else:
            self.stop_reason_ = "interrupted"
        return self

    def _n_threads(self) -> int | None:
        """Torch threads to use: ``n_threads``, or a dask worker's share, or None."""
        if self.n_threads is not None:
            return self.n_threads
        share = _dask_worker_share()
        if share is not None and share < torch.get_num_threads():
            return share
        return None

    def _split(
        self, y: np.ndarray, groups: np.ndarray | None, rng: np.random.RandomState
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """Indices of the training part and of the early-stopping validation part.

        The validation part is None when there is none: ``early_stopping=False``,
        or ``"auto"`` with a split too small to judge (which warns).
        """
        all_idx = np.arange(len(y))
        auto = isinstance(self.early_stopping, str)
        if not auto and not self.early_stopping:
            return all_idx, None
        seed = int(rng.randint(np.iinfo(np.int32).max))
        if groups is not None:
            n_groups = len(np.unique(groups))
            n_splits = max(2, round(1 / self.validation_fraction))
            if n_groups < 2:
                if auto:
                    return self._no_validation(
                        "groups has a single value, so no whole group can be "
                        "held out",
                        len(y),
                    )
                raise ValueError(
                    "early stopping holds out whole groups, but groups has a single "
                    "value. Pass more groups, or early_stopping=False."
                )
            n_splits = min(n_splits, n_groups)
            splitter = StratifiedGroupKFold(n_splits, shuffle=True, random_state=seed)
            with warnings.catch_warnings():
                # Fewer members than n_splits in a class is fine for a holdout.
                warnings.simplefilter("ignore", UserWarning)
                train_idx, valid_idx = next(splitter.split(all_idx, y, groups))
        else:
            n_valid = max(1, int(round(self.validation_fraction * len(y))))
            if n_valid >= len(y):
                if auto:
                    return self._no_validation(f"{len(y)} windows are too few", len(y))
                raise ValueError(
                    f"{len(y)} samples leave nothing to train on after holding out "
                    f"validation_fraction={self.validation_fraction}; pass more data "
                    "or early_stopping=False."
                )
            counts = np.bincount(y)
            stratify = y if counts.min() >= 2 and n_valid >= len(counts) else None
            train_idx, valid_idx = train_test_split(
                all_idx, test_size=n_valid, stratify=stratify, random_state=seed
            )
            train_idx, valid_idx = np.sort(train_idx), np.sort(valid_idx)
        if auto:
            per_class = np.bincount(y[valid_idx], minlength=len(self.classes_))
            if (
                per_class.min() < MIN_VALIDATION_PER_CLASS
                or len(valid_idx) < MIN_VALIDATION_WINDOWS
            ):
                return self._no_validation(
                    f"validation_fraction={self.validation_fraction:g} of "
                    f"{len(y)} windows holds out {len(valid_idx)}, as few as "
                    f"{per_class.min()} of a class ({len(per_class)} classes)",
                    len(y),
                )
        return train_idx, valid_idx

    def _no_validation(self, why: str, n: int) -> tuple[np.ndarray, None]:
        """Warn that ``early_stopping="auto"`` holds nothing out; train on all."""
        warnings.warn(
            f"early_stopping='auto' did not hold out a validation split: {why}; "
            f"stopping on it needs at least {MIN_VALIDATION_PER_CLASS} windows of "
            f"every class and {MIN_VALIDATION_WINDOWS} in all. Training the whole "
            f"schedule (max_epochs={self.max_epochs}) on all the windows instead. "
            "Pass early_stopping=False to say so, or early_stopping=True to stop "
            "on the split anyway.",
            ValidationTooSmallWarning,
            stacklevel=6,  # _split, _fit, fit, _fit_context's wrapper, the caller
        )
        return np.arange(n), None

    def _early_stopping_start(self) -> int:
        """First epoch at which early stopping may end training."""
        if self.lr_schedule == "cosine":
            return max(1, int(np.ceil(EARLY_STOPPING_START * self.max_epochs)))
        return 1

    def _class_weights(self, y: np.ndarray) -> np.ndarray | None:
        """Cross-entropy weight per encoded class, or None."""
        if self.class_weight is None:
            return None
        if isinstance(self.class_weight, dict):
            unknown = set(self.class_weight) - set(self.classes_.tolist())
            if unknown:
                raise ValueError(
                    f"class_weight names labels {sorted(map(str, unknown))} that "
                    f"are not in y (classes: {self.classes_.tolist()})."
                )
            return np.array(
                [float(self.class_weight.get(c, 1.0)) for c in self.classes_],
                dtype=np.float32,
            )
        classes = np.arange(len(self.classes_))
        return compute_class_weight("balanced", classes=classes, y=y).astype(np.float32)

    def _build_net(
        self, module: nn.Module, weight: np.ndarray | None, validate: bool, seed: int
    ) -> Any:
        """Assemble the skorch net with the training recipe's callbacks."""
        from skorch import NeuralNetClassifier
        from skorch.callbacks import GradientNormClipping, LRScheduler

        from skmicrobi._callbacks import ArmedEarlyStopping, StopOnDivergence
        from skmicrobi.progress import ProgressLog

        progress = ProgressLog() if self.verbose else None
        callbacks: list = [
            (
                "divergence",
                StopOnDivergence(lr=self.lr, gradient_clip=self.gradient_clip),
            )
        ]
        if self.lr_schedule == "cosine":
            callbacks.append(
                (
                    "lr_schedule",
                    LRScheduler(
                        policy="CosineAnnealingLR",
                        T_max=self.max_epochs,
                        eta_min=min(COSINE_ETA_MIN, self.lr),
                    ),
                )
            )
        if self.gradient_clip is not None:
            callbacks.append(
                (
                    "gradient_clip",
                    GradientNormClipping(gradient_clip_value=self.gradient_clip),
                )
            )
        if validate:
            callbacks.append(
                (
                    "early_stopping",
                    ArmedEarlyStopping(
                        start_epoch=self._early_stopping_start(),
                        monitor="valid_loss",
                        patience=self.patience,
                        load_best=True,
                        sink=progress.message if progress else _silent,
                    ),
                )
            )
        callbacks.extend(copy.deepcopy(self.callbacks or []))
        if progress is not None:
            callbacks.append(("progress_log", progress))
        optimizer = (
            _OPTIMIZERS[self.optimizer]
            if isinstance(self.optimizer, str)
            else self.optimizer
        )
        params: dict[str, Any] = {}
        if weight is not None:
            params["criterion__weight"] = torch.as_tensor(weight)
        criterion: type = nn.CrossEntropyLoss
        if self.teacher is not None:
            criterion = _DistillationLoss
            params["criterion__temperature"] = self.distillation_temperature
            params["criterion__distillation_weight"] = self.distillation_weight
        return NeuralNetClassifier(
            module,
            criterion=criterion,
            optimizer=optimizer,
            optimizer__weight_decay=self.weight_decay,
            lr=self.lr,
            max_epochs=self.max_epochs,
            batch_size=self.batch_size,
            iterator_train__shuffle=True,
            iterator_train__collate_fn=_collate,
            iterator_valid__collate_fn=_collate,
            iterator_valid__batch_size=_predict_batch_size(
                self.n_channels_, self.n_timepoints_
            ),
            train_split=None,
            callbacks=callbacks,
            classes=np.arange(len(self.classes_)),
            device=self.device,
            verbose=max(0, self.verbose - 1),  # 2: skorch's table too
            **params,
        )

    # -- prediction ----------------------------------------------------------
    def _check_predict_input(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "net_")
        X, n_features = check_panel(X, return_n_features=True)
        if n_features != self.n_features_in_:
            raise ValueError(
                f"X has {n_features} features, but {type(self).__name__} is expecting "
                f"{self.n_features_in_} features as input: it was fitted on windows "
                f"of {self.n_channels_} channels x {self.n_timepoints_} time points. "
                "Pass the same sensor channels and window length as in fit."
            )
        if X.shape[1] != self.n_channels_:
            raise ValueError(
                f"X has {X.shape[1]} channels, but {type(self).__name__} was fitted "
                f"with {self.n_channels_}. Pass the same sensor channels as in fit."
            )
        if X.shape[2] != self.n_timepoints_:
            raise ValueError(
                f"X has series of length {X.shape[2]}, but {type(self).__name__} was "
                f"fitted on windows of length {self.n_timepoints_}. Cut windows of the "
                "same length (SlidingWindowTransformer)."
            )
        return X

    def decision_function(self, X: Any) -> np.ndarray:
        """Logits of the network, one column per class.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_channels, n_timepoints) or sktime Panel
            Windows, as in ``fit``.

        Returns
        -------
        ndarray of shape (n_samples, n_classes) or (n_samples,)
            Unnormalised class scores (``predict`` takes their argmax); for two
            classes, scikit-learn's convention: the score of ``classes_[1]``
            minus that of ``classes_[0]``.
        """
        logits = self._logits(X)
        return logits[:, 1] - logits[:, 0] if logits.shape[1] == 2 else logits

    def _logits(self, X: Any) -> np.ndarray:
        """Logits of the float network, ``(n_samples, n_classes)`` float64."""
        X = self._check_predict_input(X)
        # fork_rng: the DataLoader draws a seed from the global RNG even without
        # shuffling, and predicting must not change the caller's random stream.
        with torch.random.fork_rng(devices=[]), _torch_threads(self._n_threads()):
            logits = self.net_.forward(
                _ArrayDataset(X, None), training=False, device="cpu"
            )
        logits = logits.numpy().astype(np.float64)
        bad = ~np.isfinite(logits).all(axis=1)
        if bad.any():
            broken = _non_finite_weight(self.module_)
            if broken is not None:
                raise ValueError(
                    f"The network's {broken} is NaN or infinite, so its outputs "
                    "are too; it was changed or diverged after fit. Refit it."
                )
            raise ValueError(
                f"The network's outputs are NaN or infinite for {int(bad.sum())} of "
                f"{len(bad)} windows (the first is window {int(np.argmax(bad))}); "
                "their values are probably far outside the range of the training "
                "data. Check the input's units and scaling."
            )
        return logits

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities (softmax of the logits).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_channels, n_timepoints) or sktime Panel
            Windows, as in ``fit``.

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            Probabilities in the order of ``classes_``; rows sum to 1.
        """
        return softmax(self._logits(X), axis=1)

    def predict(self, X: Any) -> np.ndarray:
        """Predicted label of each window.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_channels, n_timepoints) or sktime Panel
            Windows, as in ``fit``.

        Returns
        -------
        ndarray of shape (n_samples,)
            Labels from ``classes_``.
        """
        logits = self._logits(X)
        return self.classes_[np.argmax(logits, axis=1)]

    def __sklearn_tags__(self):  # noqa: D105
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.classifier_tags.multi_label = False
        return tags

    def __getstate__(self) -> dict:
        # a copy: object.__getstate__ returns the instance's own __dict__
        state = dict(super().__getstate__())
        if "net_" in state:
            # module_ is net_.module_: pickled beside it, a network trained on
            # CUDA would only load where CUDA is; skorch's own pickling of net_
            # maps it to the CPU there.
            state.pop("module_", None)
            # the student is what was trained; its teacher (often much bigger,
            # e.g. MiniRocket) does not travel with it
            if state.get("teacher") is not None:
                state["teacher"] = None
        return state

    def __setstate__(self, state: dict) -> None:
        super().__setstate__(state)
        if "net_" in state:
            self.module_ = self.net_.module_


class _ArrayDataset(torch.utils.data.Dataset):
    """Windows (and labels) served as tensors, a batch at a time (``__getitems__``).

    The attributes are not named ``X`` and ``y``: skorch's ``data_from_dataset``
    would find those and index the whole training set out of a ``Subset`` (a
    full copy of a memmap) just to infer classes, which ``fit`` passes anyway.

    The fitted ``net_`` keeps its validation ``Subset`` of this dataset (skorch's
    ``train_split``). Pickling the model leaves the windows out, so a saved model
    does not carry its training data (or read a memmap whole); in the unpickled
    copy the dataset is empty and says so if used.
    """

    def __init__(
        self,
        windows: np.ndarray,
        labels: np.ndarray | None,
        teacher_logits: np.ndarray | None = None,
    ) -> None:
        self.windows = windows
        self.labels = labels
        self.teacher_logits = teacher_logits
        self._rows = RowReader(windows)

    def __len__(self) -> int:
        return 0 if self.windows is None else len(self.windows)

    def __getitem__(self, i):
        if self.windows is None:
            raise RuntimeError(
                "The training windows are not saved with a pickled MicroBiClassifier; "
                "pass data explicitly, e.g. net_.partial_fit(X, y)."
            )
        x = torch.from_numpy(self._rows[i].astype(np.float32, copy=False))
        if self.labels is None:
            return x, torch.tensor(0)
        if self.teacher_logits is not None:
            return x, (
                torch.tensor(self.labels[i]),
                torch.from_numpy(self.teacher_logits[i]),
            )
        return x, torch.tensor(self.labels[i])

    def __getitems__(self, indices: list[int]) -> _Batch:
        # A whole batch in one read and one conversion: the DataLoader calls
        # this instead of __getitem__ per window, then ``_collate`` passes the
        # batch through (per-window items plus stacking cost 20x more).
        if self.windows is None:
            return self[0]  # raises the explanation
        idx = np.asarray(indices, dtype=np.intp)
        x = torch.from_numpy(self._rows[idx].astype(np.float32, copy=False))
        if self.labels is None:
            y = torch.zeros(len(idx), dtype=torch.int64)
        else:
            y = torch.from_numpy(np.asarray(self.labels[idx]))
        if self.teacher_logits is not None:
            # (labels, teacher logits): _DistillationLoss takes both
            y = (y, torch.from_numpy(self.teacher_logits[idx]))
        return _Batch((x, y))

    def close(self) -> None:
        """Close the memmap's file, which the fitted net_ need not keep open."""
        if self._rows is not None:
            self._rows.close()

    def __getstate__(self) -> dict:
        return {
            "windows": None,
            "labels": None,
            "teacher_logits": None,
            "_rows": None,
        }

    def __deepcopy__(self, memo: dict) -> _ArrayDataset:
        # read-only training data: copies share it rather than duplicate it
        return self


class _DistillationLoss(nn.Module):
    """Cross-entropy mixed with the teacher's softened distribution (Hinton 2015).

    ``(1 - w) * CE(logits, y) + w * T**2 * KL(softmax(t / T) || softmax(s / T))``
    on training batches, whose target is ``(labels, teacher_logits)``; plain
    (class-weighted) cross-entropy on validation batches, whose target is the
    labels alone, so that early stopping judges the student on the labels.
    ``T**2`` keeps the soft term's gradients on the scale of the hard term's.

    Parameters
    ----------
    temperature : float
        ``T``.
    distillation_weight : float
        ``w``.
    weight : torch.Tensor or None, default=None
        Class weights of the cross-entropy (``criterion__weight``).
    """

    def __init__(
        self,
        temperature: float,
        distillation_weight: float,
        weight: torch.Tensor | None = None,
    ) -> None:
        super().__init__()
        self.temperature = temperature
        self.distillation_weight = distillation_weight
        self.register_buffer("weight", weight)

    def forward(self, logits: torch.Tensor, target: Any) -> torch.Tensor:
        """The loss of a batch; ``target`` is labels or (labels, teacher logits)."""
        if not isinstance(target, (list, tuple)):
            return nn.functional.cross_entropy(logits, target, weight=self.weight)
        labels, teacher = target
        hard = nn.functional.cross_entropy(logits, labels, weight=self.weight)
        T = self.temperature
        soft = nn.functional.kl_div(
            nn.functional.log_softmax(logits / T, dim=1),
            nn.functional.log_softmax(teacher / T, dim=1),
            reduction="batchmean",
            log_target=True,
        )
        w = self.distillation_weight
        return (1 - w) * hard + w * T * T * soft


def _augmentation(augmentation: str | IMUAugmentation | None) -> IMUAugmentation | None:
    """The IMUAugmentation that ``augmentation`` names (validated), or None."""
    if augmentation is None:
        return None
    if isinstance(augmentation, str):  # "imu"
        return IMUAugmentation()
    augmentation._validate_params()
    return augmentation


def _teacher_logits(
    teacher: Any, X: Any, classes: np.ndarray, n_windows: int
) -> np.ndarray:
    """The teacher's logits on ``X``, ``(n_windows, n_classes)`` float32."""
    name = type(teacher).__name__
    try:
        check_is_fitted(teacher)
    except NotFittedError as exc:
        raise NotFittedError(
            f"The teacher {name} is not fitted. Fit it on the training windows "
            "before passing it as teacher. In a search or cross-validation, which "
            "clone (and so unfit) estimator parameters, wrap the fitted teacher in "
            "sklearn.frozen.FrozenEstimator."
        ) from exc
    teacher_classes = getattr(teacher, "classes_", None)
    if teacher_classes is None or not (
        len(teacher_classes) == len(classes)
        and np.array_equal(np.asarray(teacher_classes), classes)
    ):
        raise ValueError(
            f"The teacher {name} has classes_ {teacher_classes!r}, but y has "
            f"classes {classes.tolist()}: distillation needs the teacher fitted on "
            "the same labels, so that its outputs line up with the student's."
        )
    if hasattr(teacher, "predict_proba"):
        proba = np.asarray(teacher.predict_proba(X), dtype=np.float64)
        logits = np.log(np.clip(proba, _PROBA_FLOOR, None))
    else:
        logits = np.asarray(teacher.decision_function(X), dtype=np.float64)
        if logits.ndim == 1:  # two classes: the score of classes_[1]
            logits = np.stack([np.zeros_like(logits), logits], axis=1)
    if logits.shape != (n_windows, len(classes)):
        raise ValueError(
            f"The teacher {name} gives outputs of shape {logits.shape} for "
            f"{n_windows} windows of {len(classes)} classes; expected "
            f"{(n_windows, len(classes))}."
        )
    if not np.isfinite(logits).all():
        raise ValueError(f"The teacher {name} gives NaN or infinite outputs.")
    return logits.astype(np.float32)


class _Batch(tuple):
    """A batch ``(X, y)`` already collated by ``_ArrayDataset.__getitems__``."""


def _collate(batch: Any) -> Any:
    """The DataLoader's collate: batches from ``_ArrayDataset`` pass as they are.

    Anything else (skorch's own datasets, when ``net_`` is used directly) goes
    through torch's default collate.
    """
    if isinstance(batch, _Batch):
        return tuple(batch)
    return default_collate(batch)


def _predict_batch_size(n_channels: int, n_timepoints: int) -> int:
    """``PREDICT_BATCH_SIZE`` windows, fewer when they would pass the byte bound."""
    window_bytes = n_channels * n_timepoints * np.dtype(np.float32).itemsize
    return max(1, min(PREDICT_BATCH_SIZE, PREDICT_BATCH_BYTES // window_bytes))


def _channel_stats(X: np.ndarray, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-channel mean and standard deviation over the rows ``idx``, in one pass."""
    n_channels = X.shape[1]
    total = np.zeros(n_channels)
    total_sq = np.zeros(n_channels)
    count = 0
    idx = np.sort(idx)
    rows = max(1, _STATS_CHUNK_BYTES // (X.shape[1] * X.shape[2] * 8))
    reader = RowReader(X)
    shift = reader[idx[:1]].astype(np.float64).mean(axis=(0, 2))
    for start in range(0, len(idx), rows):
        block = reader[idx[start : start + rows]].astype(np.float64)
        block -= shift[None, :, None]  # shifted sums stay accurate
        total += block.sum(axis=(0, 2))
        block *= block  # in place: no second block in memory
        total_sq += block.sum(axis=(0, 2))
        count += block.shape[0] * block.shape[2]
    mean = total / count
    var = np.maximum(total_sq / count - mean**2, 0.0)
    scale = np.sqrt(var)
    scale[scale < 1e-8] = 1.0  # constant channels are left unscaled
    return (mean + shift).astype(np.float32), scale.astype(np.float32)


class _torch_threads:
    """Context manager that sets torch's intra-op threads and restores them."""

    def __init__(self, n: int | None) -> None:
        self.n = n
        self.before = None

    def __enter__(self):
        if self.n is not None:
            self.before = torch.get_num_threads()
            torch.set_num_threads(self.n)

    def __exit__(self, *exc):
        if self.before is not None:
            torch.set_num_threads(self.before)


def _dask_worker_share() -> int | None:
    """Cores per task slot of the dask worker running this task; None outside dask."""
    distributed = sys.modules.get("distributed")
    if distributed is None:  # dask never imported: not a dask worker
        return None
    try:
        worker = distributed.get_worker()
    except ValueError:
        return None
    cores = (
        len(os.sched_getaffinity(0))
        if hasattr(os, "sched_getaffinity")
        else os.cpu_count() or 1
    )
    return max(1, cores // max(1, worker.state.nthreads))


#: What ``fit`` sets; a fit that raises removes them all again.
_FITTED_ATTRIBUTES = (
    "classes_",
    "n_channels_",
    "n_timepoints_",
    "n_features_in_",
    "net_",
    "module_",
    "history_",
    "n_epochs_",
    "best_epoch_",
    "early_stopping_used_",
    "n_validation_",
    "stop_reason_",
)


def _mixed_labels_error(y: np.ndarray) -> TypeError:
    # TypeError, as SlidingWindowTransformer raises for the same labels
    types = sorted({type(v).__name__ for v in y.ravel()})
    return TypeError(
        f"y mixes labels of types {', '.join(types)}, which cannot be sorted into "
        "classes_. Use one type for all labels, e.g. y.astype(str)."
    )


def _check_label_types(y: np.ndarray) -> None:
    """Refuse labels that mix strings with other types (numbers, None, ...)."""
    if y.dtype == object and y.size:
        is_str = np.fromiter((isinstance(v, str) for v in y.ravel()), bool, y.size)
        if is_str.any() and not is_str.all():
            raise _mixed_labels_error(y)


def _label_encoder(y: np.ndarray) -> LabelEncoder:
    """A LabelEncoder fitted on ``y``; labels of types that cannot be sorted fail."""
    try:
        return LabelEncoder().fit(y)
    except TypeError as exc:
        raise _mixed_labels_error(y) from exc


def _check_device(device: str | torch.device) -> None:
    """Raise unless ``device`` names a device that can hold and return tensors."""
    try:
        torch_device = torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise ValueError(
            f"device={device!r} is not a torch device ({exc}); use 'cpu' or an "
            "accelerator such as 'cuda'."
        ) from exc
    if torch_device.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            f"device={device!r} was requested but CUDA is not available; "
            "use device='cpu'."
        )
    if torch_device.type == "meta":
        raise ValueError(
            f"device={device!r} holds shapes but no values, so a network cannot be "
            "trained on it; use 'cpu' or an accelerator such as 'cuda'."
        )
    try:
        torch.ones(1, device=torch_device).cpu()
    except (RuntimeError, NotImplementedError, AssertionError) as exc:
        raise ValueError(
            f"device={device!r} cannot be used here ({exc}); use 'cpu' or an "
            "available accelerator."
        ) from exc


def _non_finite_weight(module: nn.Module) -> str | None:
    """The name of the first parameter or buffer of ``module`` that is not finite."""
    for name, tensor in module.state_dict().items():
        if tensor.is_floating_point() and not torch.isfinite(tensor).all():
            return name
    return None


def _check_trained(module: nn.Module, clf: MicroBiClassifier) -> None:
    """Raise if the kept weights are not all finite (e.g. a diverged last epoch)."""
    from skmicrobi._callbacks import diverged_message

    name = _non_finite_weight(module)
    if name is not None:
        raise FloatingPointError(
            diverged_message(
                f"the network's {name} is NaN or infinite", clf.lr, clf.gradient_clip
            )
        )


def _takes(builder: Callable, name: str) -> bool:
    """Whether the class or function ``builder`` has a parameter ``name``."""
    try:
        return name in inspect.signature(builder).parameters
    except (TypeError, ValueError):  # no signature to read, e.g. a C builtin
        return False


def _check_long_enough(module: nn.Module, n_timepoints: int) -> None:
    """Raise when the windows are shorter than the network's ``min_length``."""
    min_length = getattr(module, "min_length", None)
    if min_length is None or n_timepoints >= min_length:
        return
    hint = (
        f"the pooling pool_sizes={module.pool_sizes} needs at least {min_length}. "
        "Use longer windows or smaller pool_sizes."
        if isinstance(module, MicroBiConvLSTM)
        else f"{type(module).__name__} needs at least {min_length}. Use longer windows."
    )
    raise ValueError(f"The series have {n_timepoints} time points, but {hint}")


def _silent(*args, **kwargs) -> None:
    """Sink that drops skorch's messages when ``verbose=0``."""


__all__ = ["MicroBiClassifier"]
