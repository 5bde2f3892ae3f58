"""The INT8 post-training step as a scikit-learn meta-estimator.

:class:`Int8Quantizer` fits (or takes, frozen) a :class:`~skmicrobi.MicroBiClassifier`,
builds its fully integer model with :func:`skmicrobi.int8.build_integer_model`
(where the arithmetic is specified) and predicts with the integer engine, so
``score``, ``cross_val_score`` and ``GridSearchCV`` measure the INT8 model itself.
"""


from __future__ import annotations

import warnings
from numbers import Integral, Real
from typing import Any

import numpy as np
from scipy.special import softmax
from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    MetaEstimatorMixin,
    clone,
)
from sklearn.exceptions import NotFittedError
from sklearn.frozen import FrozenEstimator
from sklearn.metrics import f1_score
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from skmicrobi._sklearn_compat import (
    HasMethods,
    Interval,
    Options,
    StrOptions,
    _fit_context,
)
from skmicrobi._validation import check_panel
from skmicrobi.classifier import MicroBiClassifier, _non_finite_weight
from skmicrobi.exceptions import SkmicrobiWarning
from skmicrobi.export import scratch_layout
from skmicrobi.int8.build import _as_input_scale, build_integer_model, to_integer_input
from skmicrobi.int8.engine import predict_logits
from skmicrobi.int8.model import IntegerMicroBi
from skmicrobi.network import MicroBiConvLSTM, count_parameters

#: Windows per batch of the integer engine in predict: bounds its int64
#: intermediates (45 KiB per UCI-HAR window at peak) to about 45 MiB.
PREDICT_BATCH_SIZE = 1024


class InputSaturationWarning(SkmicrobiWarning):
    """Raw input values fell outside the integer model's input range.

    Such values are clamped to the int16 (or, with ``input_bits=8``, int8) limits
    (times the channel's input scale),
    as the deployed C function would see them from a saturating sensor driver.
    The message says how many values saturated.

    Examples
    --------
    >>> from skmicrobi.quantization import InputSaturationWarning
    >>> from skmicrobi.exceptions import SkmicrobiWarning
    >>> issubclass(InputSaturationWarning, SkmicrobiWarning)
    True
    """


# -- the estimator ----------------------------------------------------------------
def _fmt(values: np.ndarray) -> str:
    """Per-channel values in a message: one number when they are all equal."""
    values = np.atleast_1d(values)
    if np.all(values == values[0]):
        return f"{values[0]:.4g}"
    return "[" + ", ".join(f"{v:.4g}" for v in values) + "]"


def _check_input_scale_resolution(
    input_scale: Any, X: np.ndarray, input_bits: int = 16
) -> None:
    """Refuse an ``input_scale`` under which a channel's calibration data is all 0.

    One integer input step is ``input_scale[c]``: a channel whose values all lie
    within half a step of 0 reads as 0 everywhere, and the integer model cannot
    see it (its activation ranges collapse while the weights are folded).
    """
    scale = _as_input_scale(input_scale, X.shape[1])
    in_max = 2 ** (input_bits - 1) - 1
    peak = np.abs(X).max(axis=(0, 2))
    lost = (peak > 0) & (peak < scale / 2)
    if lost.any():
        c = int(np.argmax(lost))
        raise ValueError(
            f"input_scale={input_scale!r} is coarser than the data: one integer "
            f"input step of channel {c} is {scale[c]:.4g}, but its calibration "
            f"values reach only |x| = {peak[c]:.4g}, so the integer model would "
            f"read {int(lost.sum())} channel(s) as 0 everywhere. input_scale is "
            "the real value of one input step (e.g. the sensor's LSB in the data's "
            f"units); max|x| / {in_max} = {_fmt(peak / in_max)} uses the "
            f"int{input_bits} range fully, or input_scale=None derives it from the "
            "data."
        )


def _warn_calibration_saturated(
    X: np.ndarray, model: IntegerMicroBi, scores: dict
) -> None:
    """Warn that ``input_scale`` clamps calibration values, and by how much."""
    in_max = 2 ** (model.input_bits - 1) - 1
    scaled = np.rint(X / model.input_scale[None, :, None])
    saturated = (scaled < -in_max - 1) | (scaled > in_max)
    n_windows = int(saturated.any(axis=(1, 2)).sum())
    peak = np.abs(X).max(axis=(0, 2))
    warnings.warn(
        f"{scores['n_saturated']} of {X.size} calibration input values, in "
        f"{n_windows} of {len(X)} windows, lie outside the integer model's input "
        f"range (+-{in_max} * input_scale = +-{_fmt(in_max * model.input_scale)} "
        f"per channel; the data reach {_fmt(peak)}) and saturate. On the "
        f"calibration windows the INT8 macro-F1 is {scores['f1_macro_int8']:.3f} "
        f"(float {scores['f1_macro_float']:.3f}). Pass input_scale >= max|x| / "
        f"{in_max} = {_fmt(peak / in_max)}, or input_scale=None.",
        InputSaturationWarning,
        stacklevel=4,  # the user's fit (through _fit_context)
    )


class Int8Quantizer(ClassifierMixin, MetaEstimatorMixin, BaseEstimator):
    """Fit a MicroBi classifier, then predict with a fully integer (INT8) copy of it.

    ``fit`` clones and fits ``estimator`` (or, wrapped in
    :class:`sklearn.frozen.FrozenEstimator`, uses the fitted one as is), calibrates
    activation ranges on training windows and builds an
    :class:`~skmicrobi.int8.IntegerMicroBi`: int8 weights, int32 biases and
    accumulators, int8 activations, integer LSTM with table-driven gates, no float
    at run time (formulas in :mod:`skmicrobi.int8.build`). ``predict``,
    ``predict_proba`` and ``score`` run the numpy integer engine, so
    ``cross_val_score`` and ``GridSearchCV`` measure the INT8 model, and
    :func:`~skmicrobi.export_c` writes it as C99 that computes the same logits bit
    for bit.

    Parameters
    ----------
    estimator : MicroBiClassifier or FrozenEstimator
        The float classifier. Tune its parameters as ``estimator__<name>``.
    calibration_size : int or None, default=512
        Number of training windows, drawn at random, used to calibrate activation
        ranges and to report float-vs-int8 agreement; None uses all.
    method : {"minmax", "percentile"}, default="minmax"
        Activation range of each int8 tensor: the calibration min and max, or the
        ``100 - percentile`` and ``percentile`` percentiles (clips rare outliers
        for finer steps).
    percentile : float, default=99.99
        Percentile for ``method="percentile"``.
    input_scale : float, array-like of shape (n_channels,) or None, default=None
        Real value of one integer input step per channel (e.g. the sensor's LSB
        in physical units). None derives it from the calibration windows.
    input_headroom : float, default=2.0
        With ``input_scale=None``, the integer input range covers this many times
        the largest absolute calibration value of each channel; values beyond it
        saturate (see :meth:`quantize_input`).
    input_bits : {16, 8}, default=16
        Width of the integer input window: int16, or int8 (half the RAM for the
        window on a microcontroller, e.g. 1,152 instead of 2,304 bytes for
        UCI-HAR; 256 instead of 65,536 input steps per channel).
    random_state : int, RandomState instance or None, default=None
        Draw of the calibration windows.

    Attributes
    ----------
    estimator_ : MicroBiClassifier
        The fitted float classifier.
    integer_model_ : IntegerMicroBi
        The integer model that ``predict`` runs and ``export_c`` writes.
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    n_features_in_ : int
        As the float classifier's.
    footprint_ : dict
        ``weights_bytes``, ``biases_bytes``, ``scales_bytes``, ``tables_bytes``
        and their sum ``total_bytes`` (constant data of the C export);
        ``scratch_bytes`` (peak activation RAM: the C function's scratch
        buffer); ``input_bytes`` (one integer input window); ``n_parameters``
        (of the float network). Compiled sizes are the export's to measure
        (:func:`skmicrobi.export.compile_c`, ``python -m benchmarks run mcu``).
    calibration_scores_ : dict
        On the calibration windows: ``n_windows``, ``agreement`` (share of equal
        float and int8 predictions), ``f1_macro_float``, ``f1_macro_int8``,
        ``n_saturated`` (input values clamped).

    See Also
    --------
    skmicrobi.export_c : Write the fitted integer model as C99.

    Notes
    -----
    Raw values outside the int16 input range saturate, as a clamping sensor
    driver would deliver them; ``predict`` warns with
    :class:`InputSaturationWarning` and says how many.

    Examples
    --------
    >>> import numpy as np
    >>> from skmicrobi import Int8Quantizer, MicroBiClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(40, 3, 32)).astype(np.float32)
    >>> y = np.repeat([0, 1], 20)
    >>> X[y == 1, 0] += 2.0
    >>> clf = MicroBiClassifier(max_epochs=3, early_stopping=False, random_state=0)
    >>> q = Int8Quantizer(clf, random_state=0).fit(X, y)
    >>> q.predict(X[:4]).shape, q.integer_model_.head_weight.dtype
    ((4,), dtype('int8'))
    >>> sorted(q.calibration_scores_)
    ['agreement', 'f1_macro_float', 'f1_macro_int8', 'n_saturated', 'n_windows']
    """

    _parameter_constraints: dict = {
        "estimator": [HasMethods(["fit", "predict"])],
        "calibration_size": [Interval(Integral, 1, None, closed="left"), None],
        "method": [StrOptions({"minmax", "percentile"})],
        "percentile": [Interval(Real, 50, 100, closed="right")],
        "input_scale": [None, Interval(Real, 0, None, closed="neither"), "array-like"],
        "input_headroom": [Interval(Real, 1, None, closed="left")],
        "input_bits": [Options(Integral, {8, 16})],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        estimator: Any,
        *,
        calibration_size: int | None = 512,
        method: str = "minmax",
        percentile: float = 99.99,
        input_scale: Any = None,
        input_headroom: float = 2.0,
        input_bits: int = 16,
        random_state: int | np.random.RandomState | None = None,
    ) -> None:
        self.estimator = estimator
        self.calibration_size = calibration_size
        self.method = method
        self.percentile = percentile
        self.input_scale = input_scale
        self.input_headroom = input_headroom
        self.input_bits = input_bits
        self.random_state = random_state

    def _fitted_estimator(self, X: Any, y: Any, groups: Any, fit_params: dict) -> Any:
        if isinstance(self.estimator, FrozenEstimator):
            inner = self.estimator.estimator
            if not isinstance(inner, MicroBiClassifier):
                raise TypeError(
                    "Int8Quantizer quantizes a MicroBiClassifier; the FrozenEstimator "
                    f"wraps a {type(inner).__name__}."
                )
            try:
                check_is_fitted(inner)
            except NotFittedError as exc:
                raise NotFittedError(
                    "The MicroBiClassifier inside FrozenEstimator is not fitted. Fit "
                    "it before freezing, or pass it unfrozen so Int8Quantizer fits it."
                ) from exc
            return inner
        if not isinstance(self.estimator, MicroBiClassifier):
            raise TypeError(
                "Int8Quantizer quantizes a MicroBiClassifier, got "
                f"{type(self.estimator).__name__}. To quantize inside a Pipeline, make "
                "Int8Quantizer(MicroBiClassifier(...)) the Pipeline's last step."
            )
        if groups is not None:
            fit_params = {**fit_params, "groups": groups}
        return clone(self.estimator).fit(X, y, **fit_params)

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(
        self, X: Any, y: Any, groups: Any = None, **fit_params: Any
    ) -> Int8Quantizer:
        """Fit the float classifier (unless frozen), calibrate and quantize.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_channels, n_timepoints) or sktime Panel
            Training windows; a random subset of ``calibration_size`` of them
            calibrates the integer model.
        y : array-like of shape (n_samples,)
            Labels.
        groups : array-like of shape (n_samples,), default=None
            Group (e.g. subject) of each window, passed to the classifier's ``fit``
            (its early-stopping split holds out whole groups); a
            :class:`~skmicrobi.WindowPipeline` passes the window groups.
        **fit_params : dict
            Further arguments of the classifier's ``fit``. Both are ignored when the
            classifier is frozen.

        Returns
        -------
        self : Int8Quantizer
            The fitted quantizer.
        """
        estimator = self._fitted_estimator(X, y, groups, fit_params)
        module = getattr(estimator, "module_", None)
        if not isinstance(module, MicroBiConvLSTM):
            raise TypeError(
                "Int8Quantizer quantizes MicroBiConvLSTM networks; the classifier "
                f"trained a {type(module).__name__}."
            )
        X, n_features = check_panel(X, name="X", return_n_features=True)
        y = np.asarray(y)
        if len(y) != len(X):
            raise ValueError(
                f"X has {len(X)} samples but y has {len(y)} labels; they must match."
            )
        expected = (estimator.n_channels_, estimator.n_timepoints_)
        if X.shape[1:] != expected:
            raise ValueError(
                f"Calibration windows have shape {X.shape[1:]} (channels, time) but "
                f"the classifier was fitted on {expected}. Pass the training windows."
            )
        rng = check_random_state(self.random_state)
        n = len(X)
        if self.calibration_size is not None and self.calibration_size < n:
            idx = np.sort(rng.choice(n, size=self.calibration_size, replace=False))
            X_cal, y_cal = X[idx], y[idx]
        else:
            X_cal, y_cal = X, y

        broken = _non_finite_weight(module)
        if broken is not None:
            raise ValueError(
                f"The classifier's network has a NaN or infinite {broken}: it "
                "diverged or was changed after fit, and no integer model can "
                "represent it. Refit the classifier."
            )
        if self.input_scale is not None:
            _check_input_scale_resolution(self.input_scale, X_cal, self.input_bits)
        try:
            model = build_integer_model(
                module,
                X_cal,
                method=self.method,
                percentile=self.percentile,
                input_scale=self.input_scale,
                input_headroom=self.input_headroom,
                input_bits=self.input_bits,
            )
        except ValueError as exc:
            if self.input_scale is None:
                raise
            # The integer model's every scale derives from the input step: name
            # the parameter the user set, beside what failed.
            raise ValueError(
                f"Quantizing with input_scale={self.input_scale!r} failed: {exc} "
                f"The calibration windows reach |x| = "
                f"{_fmt(np.abs(X_cal).max(axis=(0, 2)))} per channel; an "
                f"input_scale near max|x| / {2 ** (self.input_bits - 1) - 1} (or "
                f"input_scale=None) uses the int{self.input_bits} input range fully."
            ) from exc
        self.estimator_ = estimator
        self.integer_model_ = model
        self.classes_ = estimator.classes_
        self.n_features_in_ = estimator.n_features_in_

        q, n_saturated = to_integer_input(model, X_cal)
        pred_int8 = self.classes_[np.argmax(predict_logits(model, q), axis=1)]
        # The float classifier checks n_features_in_ against the input as given:
        # windows given as 2D (n_samples, n_timepoints) go back to it in 2D.
        given_2d = n_features != X.shape[1]
        pred_float = estimator.predict(X_cal[:, 0] if given_2d else X_cal)
        self.calibration_scores_ = {
            "n_windows": len(X_cal),
            "agreement": float(np.mean(pred_int8 == pred_float)),
            "f1_macro_float": float(f1_score(y_cal, pred_float, average="macro")),
            "f1_macro_int8": float(f1_score(y_cal, pred_int8, average="macro")),
            "n_saturated": n_saturated,
        }
        if n_saturated:
            _warn_calibration_saturated(X_cal, model, self.calibration_scores_)
        self.footprint_ = self._footprint(model, module)
        return self

    def _footprint(self, model: IntegerMicroBi, module: MicroBiConvLSTM) -> dict:
        footprint = model.memory_bytes()
        footprint["scratch_bytes"] = scratch_layout(model)["total"]
        footprint["input_bytes"] = model.input_bits // 8 * model.n_channels * (
            model.n_timepoints
        )
        footprint["n_parameters"] = count_parameters(module)
        return footprint

    def quantize_input(self, X: Any) -> np.ndarray:
        """Raw windows as the integer input of the model (and the C function).

        ``q[c, t] = sat(round(x[c, t] / input_scale[c]))`` to int16, or int8 with
        ``input_bits=8``; warns with
        :class:`InputSaturationWarning` when values had to be clamped.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_channels, n_timepoints) or sktime Panel
            Raw windows, as in ``fit``.

        Returns
        -------
        ndarray of int16 or int8, shape (n_samples, n_channels, n_timepoints)
            Input windows for :func:`skmicrobi.int8.predict_logits` or the C
            function (``in[c * n_timepoints + t]`` per window).
        """
        X = self._check_windows(X)
        q, n_saturated = to_integer_input(self.integer_model_, X)
        self._warn_saturated(n_saturated, X.size, stacklevel=3)
        return q

    def _check_windows(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "integer_model_")
        X, n_features = check_panel(X, name="X", return_n_features=True)
        model = self.integer_model_
        if n_features != self.n_features_in_:
            raise ValueError(
                f"X has {n_features} features, but {type(self).__name__} is expecting "
                f"{self.n_features_in_} features as input: it was fitted on windows "
                f"of {model.n_channels} channels x {model.n_timepoints} time points."
            )
        if X.shape[1:] != (model.n_channels, model.n_timepoints):
            raise ValueError(
                f"X has windows of shape {X.shape[1:]} (channels, time), but "
                f"{type(self).__name__} was fitted on "
                f"{(model.n_channels, model.n_timepoints)}."
            )
        return X

    @staticmethod
    def _warn_saturated(n_saturated: int, n_values: int, stacklevel: int) -> None:
        if n_saturated:
            warnings.warn(
                f"{n_saturated} of {n_values} input values lie outside the integer "
                "model's input range (the int16 or int8 limits times input_scale "
                "per channel) and were "
                "saturated. Refit with a larger input_headroom or input_scale if "
                "such values are expected.",
                InputSaturationWarning,
                stacklevel=stacklevel,  # the user's call
            )

    def _logits(self, X: Any) -> np.ndarray:
        """Dequantised integer logits, ``(n_samples, n_classes)``, in batches.

        Batches bound the engine's int64 intermediates (and read a memmap a
        part at a time); one warning counts the saturated values of all of them.
        """
        X = self._check_windows(X)
        model = self.integer_model_
        logits = np.empty((len(X), model.n_classes))
        n_saturated = 0
        for start in range(0, len(X), PREDICT_BATCH_SIZE):
            q, n = to_integer_input(model, X[start : start + PREDICT_BATCH_SIZE])
            n_saturated += n
            logits[start : start + len(q)] = predict_logits(model, q)
        self._warn_saturated(n_saturated, X.size, stacklevel=4)
        return logits * model.logit_scale

    def decision_function(self, X: Any) -> np.ndarray:
        """Dequantised logits of the integer model: ``logit_scale * int32 logits``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_channels, n_timepoints) or sktime Panel
            Raw windows, as in ``fit``.

        Returns
        -------
        ndarray of shape (n_samples, n_classes) or (n_samples,)
            Class scores (``predict`` takes their argmax); for two classes,
            scikit-learn's convention, as :class:`~skmicrobi.MicroBiClassifier`:
            the score of ``classes_[1]`` minus that of ``classes_[0]``.
        """
        logits = self._logits(X)
        return logits[:, 1] - logits[:, 0] if logits.shape[1] == 2 else logits

    def predict_proba(self, X: Any) -> np.ndarray:
        """Softmax of the dequantised integer logits.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_channels, n_timepoints) or sktime Panel
            Raw windows, as in ``fit``.

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            Probabilities in the order of ``classes_``; rows sum to 1.
        """
        return softmax(self._logits(X), axis=1)

    def predict(self, X: Any) -> np.ndarray:
        """Labels predicted by the integer model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_channels, n_timepoints) or sktime Panel
            Raw windows, as in ``fit``.

        Returns
        -------
        ndarray of shape (n_samples,)
            Labels from ``classes_``.
        """
        logits = self._logits(X)  # first: raises NotFittedError before fit
        return self.classes_[np.argmax(logits, axis=1)]

    def __sklearn_tags__(self):  # noqa: D105
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.classifier_tags.multi_label = False
        return tags
