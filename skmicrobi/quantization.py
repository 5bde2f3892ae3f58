r"""Post-training quantization of a MicroBi-ConvLSTM to a fully integer model.

:class:`Int8Quantizer` fits (or takes, frozen) a :class:`~skmicrobi.MicroBiClassifier`,
calibrates activation ranges on training windows and builds an
:class:`~skmicrobi.int8.IntegerMicroBi`: no float is left at run time. The numpy
engine in :mod:`skmicrobi.int8` is the specification of the arithmetic below, and
:func:`skmicrobi.export.export_c` writes the same arithmetic as C99.

Notation: a real tensor ``r`` is stored as integers ``q`` with a scale ``s > 0``
and a zero point ``z``: ``r = s * (q - z)``. ``round`` rounds to nearest;
``sat_a^b`` clamps to ``[a, b]``.

Input
-----
The deployed function takes raw sensor values as int16, one scale per channel:
``x[c, t] = s_in[c] * q_in[c, t]``. Unless given (``input_scale``, e.g. the
sensor's LSB), ``s_in[c] = input_headroom * max |x[c]| / 32767`` over the
calibration windows. Values beyond ``+-32767 * s_in[c]`` **saturate** to the
int16 limits; :meth:`Int8Quantizer.quantize_input` counts them and warns with
:class:`InputSaturationWarning`.

The network standardises first, ``u = (x - mu[c]) / sigma[c]``; with the input
zero point ``z_in[c] = round(mu[c] / s_in[c])`` this is
``u = (s_in[c] / sigma[c]) * (q_in - z_in[c])``, so the standardisation folds into
the first convolution and padding with ``z_in`` equals the float net's padding
with 0.

Convolution stages (BatchNorm folded)
-------------------------------------
With BatchNorm ``gamma, beta, m, v, eps`` and ``g[o] = gamma[o] / sqrt(v[o] + eps)``,
the stage ``Conv -> BN`` is one convolution with weights
``W'[o, c, k] = g[o] * W[o, c, k] * a[c]`` and bias ``b'[o] = g[o] * (b[o] - m[o])
+ beta[o]``, where ``a[c]`` is the real size of one integer input step
(``s_in[c] / sigma[c]`` for the first stage, the previous stage's output scale
``s_prev`` after). Weights are int8, symmetric, one scale per output channel:
``s_w[o] = max |W'[o]| / 127``, ``Wq = round(W' / s_w[o])`` in [-127, 127],
``bq[o] = round(b'[o] / s_w[o])`` in int32. Then, in int32::

    acc[o, t] = bq[o] + sum_{c,k} Wq[o, c, k] * (q[c, t + k - K//2] - z_in[c])

(out-of-range positions contribute 0), and the real pre-activation is
``s_w[o] * acc[o, t]``. The engine computes the same integer as
``bq'[o] + sum Wq[o, c, k] * x[c, t + k]`` with ``x`` = ``q`` padded by ``z_in``
and the zero point folded into the bias, ``bq'[o] = bq[o] - sum_{c,k} Wq[o, c, k]
* z_in[c]``: a plain dot product over the receptive field.

Max-pooling runs on ``acc``: requantisation is non-decreasing, so ``max``
commutes with it. The output is int8 with a
per-tensor scale and zero point from calibration::

    q_out = sat_{z_out}^{127}(z_out + requantize(acc, M[o])),  M[o] = s_w[o] / s_out,

and the lower clamp at ``z_out`` (real 0) is the ReLU. Calibration takes the range
``[lo, hi]`` of the stage's float output (``method="minmax"``: min and max;
``"percentile"``: the ``100 - p`` and ``p`` percentiles), widened to contain 0:
``s_out = (hi - lo) / 255``, ``z_out = round(-128 - lo / s_out)``; after ReLU
``lo = 0`` and ``z_out = -128``.

Requantisation
--------------
A real multiplier ``M > 0`` is stored as ``M ~ m * 2**-n`` with an int16 mantissa
``2**14 <= m < 2**15`` (relative error <= ``2**-15``) and ``1 <= n <= 62``::

    requantize(acc, M) = (acc * m + 2**(n - 1)) >> n        (int64 product)

i.e. ``floor(acc * m / 2**n + 1/2)``: round to nearest, ties toward +infinity.
This form serves the convolutions and the hidden state; the LSTM gates, the
bulk of the work, use an int32 form with one shift per direction (below).

LSTM (each direction)
---------------------
Input ``x_t`` is the last stage's int8 output (scale ``s_x``, zero point ``z_x``);
the hidden state ``h`` is int8 with zero point 0 and scale
``s_h = max |h| / 127`` from calibration. The input and recurrent weights of a gate
row share one scale: ``[W_ih[g] * s_x, W_hh[g] * s_h]`` is quantized as one int8
row with ``s_w[g] = max |.| / 127``, and ``b[g] = b_ih[g] + b_hh[g]`` as
``bq[g] = round(b[g] / s_w[g])``. Each step, in int32::

    acc[g]  = bq[g] + sum_i Wq_ih[g, i] * (x_t[i] - z_x) + sum_j Wq_hh[g, j] * h[j]
            = bq'[g] + [Wq_ih | Wq_hh][g] . [x_t, h]   (bq' = bq - z_x sum_i Wq_ih)
    pre[g]  = sat16((acc[g] * M[g] + 2**(S - 1)) >> S)                (Q3.12)
    i, f, o = sigmoid_q15(pre_i, pre_f, pre_o);  g = tanh_q15(pre_g)  (Q0.15)
    c      <- ((f * c + 2**14) >> 15) + ((i * g + 2**17) >> 18)         (Q.12, int32)
    h      <- sat_{-127}^{127}(requantize((o * tanh_q15(c)) >> 16, 2**-14 / s_h))

with ``h = c = 0`` at the start and the backward direction reading steps from last
to first. The gate requantisation has one shift ``S`` per direction and an
int16 multiplier per row, ``M[g] = round(s_w[g] * 2**12 * 2**S)``: ``S`` is the
largest value (at most 31) for which every ``M[g] <= 32767`` and
``|acc[g]| * M[g] + 2**(S - 1) < 2**31`` for every reachable accumulator
(``|acc[g]| <= |bq'[g]| + 128 sum |Wq[g]|``), so the product is exact in int32
(the C code computes four rows at once with 32-bit lanes). Its relative error
``<= 1 / (2 M[g])`` is about ``2**-12`` for a UCI-HAR model.

``sigmoid_q15`` reads a 129-entry int16 table of ``sigmoid(k / 16)``,
``k = 0..128``, with linear interpolation and ``sigmoid(-x) = 1 - sigmoid(x)``;
``tanh_q15(x) = 2 * sigmoid_q15(2x) - 1`` (see
:mod:`skmicrobi.int8.fixedpoint`). Since ``f < 1`` and ``|i * g| <= 1``, ``|c|``
grows by at most 1.0 per step, so it fits int32 for any practical length.

Reduction and head
------------------
``reduction="final"``: the forward direction's last ``h`` next to the backward
direction's ``h`` after the whole window; ``"last"``: both directions' ``h`` at
the last position (the reference code); ``"mean"``: the int32 *sum* of ``h``
over the ``S`` steps, with ``1 / S`` folded into the scale. Dropout is the
identity at inference. The linear head has one weight scale for all classes,
``s_w = max |W| / 127``, so its int32 logits share one scale
``s_logit = s_w * s_h`` (``/ S`` for ``"mean"``)::

    logits[k] = bq[k] + sum_j Wq[k, j] * feature[j],   bq[k] = round(b[k] / s_logit)

``predict`` is their argmax; ``predict_proba`` is the softmax of
``s_logit * logits``.

Every accumulator's worst case, ``|bq'| + sum |Wq| * max |input|`` over all int16
or int8 inputs, bounds every partial sum in any order of summation; it is checked
to fit int32 when the model is built (a clear error otherwise), so the int32
arithmetic of the C code never overflows, whatever the input.
"""

from __future__ import annotations

import copy
import shutil
import tempfile
import warnings
from numbers import Integral, Real
from typing import Any

import numpy as np
import torch
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

from skmicrobi._sklearn_compat import HasMethods, Interval, StrOptions, _fit_context
from skmicrobi._validation import check_panel
from skmicrobi.classifier import MicroBiClassifier
from skmicrobi.exceptions import SkmicrobiWarning
from skmicrobi.int8.engine import predict_logits
from skmicrobi.int8.fixedpoint import (
    GATE_FRAC_BITS,
    INT8_MAX,
    INT8_MIN,
    INT16_MAX,
    INT16_MIN,
    INT32_MAX,
    quantize_multiplier,
)
from skmicrobi.int8.model import ConvStage, IntegerMicroBi, LSTMDirection
from skmicrobi.network import MicroBiConvLSTM, count_parameters

#: Windows per forward pass during calibration (bounds memory, not results).
_CALIBRATION_BATCH = 256

#: Windows per batch of the integer engine in predict: bounds its int64
#: intermediates (45 KiB per UCI-HAR window at peak) to about 45 MiB.
PREDICT_BATCH_SIZE = 1024


class InputSaturationWarning(SkmicrobiWarning):
    """Raw input values fell outside the integer model's int16 input range.

    Such values are clamped to -32768 or 32767 (times the channel's input scale),
    as the deployed C function would see them from a saturating sensor driver.
    The message says how many values saturated.

    Examples
    --------
    >>> from skmicrobi.quantization import InputSaturationWarning
    >>> from skmicrobi.exceptions import SkmicrobiWarning
    >>> issubclass(InputSaturationWarning, SkmicrobiWarning)
    True
    """


# -- calibration -----------------------------------------------------------------
def _activation_range(values: np.ndarray, method: str, percentile: float) -> tuple:
    if method == "percentile":
        lo, hi = np.percentile(values, [100.0 - percentile, percentile])
    else:
        lo, hi = values.min(), values.max()
    return min(float(lo), 0.0), max(float(hi), 0.0)


def _calibrate(module: MicroBiConvLSTM, X: np.ndarray, method: str, percentile: float):
    """Float activations of each conv stage output and of the LSTM hidden states."""
    stage_values: list[list[np.ndarray]] = [[] for _ in module.features]
    hidden_values = []
    with torch.no_grad():
        for start in range(0, len(X), _CALIBRATION_BATCH):
            x = torch.as_tensor(X[start : start + _CALIBRATION_BATCH])
            x = (x - module.input_mean[:, None]) / module.input_scale[:, None]
            for i, stage in enumerate(module.features):
                x = stage(x)
                stage_values[i].append(x.numpy().ravel())
            out, _ = module.lstm(x.transpose(1, 2))
            hidden_values.append(out.numpy().ravel())
    stage_ranges = [
        _activation_range(np.concatenate(v).astype(np.float64), method, percentile)
        for v in stage_values
    ]
    h = np.abs(np.concatenate(hidden_values).astype(np.float64))
    h_max = float(np.percentile(h, percentile) if method == "percentile" else h.max())
    return stage_ranges, h_max


# -- folding and quantizing ------------------------------------------------------
def _int8_scale_zero_point(lo: float, hi: float) -> tuple[float, int]:
    if hi - lo <= 0:
        # A stage that outputs 0 everywhere: any scale represents it exactly.
        return 1.0, INT8_MIN
    scale = (hi - lo) / (INT8_MAX - INT8_MIN)
    zero_point = int(np.clip(round(INT8_MIN - lo / scale), INT8_MIN, INT8_MAX))
    return scale, zero_point


def _quantize_rows(w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Symmetric int8 quantization with one scale per leading index (row)."""
    flat = w.reshape(w.shape[0], -1)
    scale = np.abs(flat).max(axis=1) / INT8_MAX
    scale = np.where(scale > 0, scale, 1.0)  # an all-zero row stays all zero
    q = np.clip(np.round(flat / scale[:, None]), -INT8_MAX, INT8_MAX)
    return q.astype(np.int8).reshape(w.shape), scale


def _quantize_bias(b: np.ndarray, scale: np.ndarray, what: str) -> np.ndarray:
    q = np.round(b / scale)
    if np.abs(q).max(initial=0) > INT32_MAX:
        raise ValueError(
            f"The {what} bias does not fit int32 at its accumulator scale; the "
            "weights are nearly all zero. Retrain with weight decay or fewer units."
        )
    return q.astype(np.int32)


def _multipliers(real: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    pairs = [quantize_multiplier(float(r)) for r in np.ravel(real)]
    m = np.array([p[0] for p in pairs], dtype=np.int16)
    shift = np.array([p[1] for p in pairs], dtype=np.int8)
    return m, shift


def _gate_multipliers(real: np.ndarray, reach: np.ndarray) -> tuple[np.ndarray, int]:
    """Int16 multipliers with one shift for all rows, products within int32.

    The shift is the largest ``S <= 31`` with every ``M[g] = round(real[g] *
    2**S) <= 32767`` and ``reach[g] * M[g] + 2**(S - 1) < 2**31``, where
    ``reach[g]`` bounds ``|acc[g]|``; the relative error of ``M[g] * 2**-S`` is at
    most ``1 / (2 M[g])``.
    """
    for shift in range(31, 0, -1):
        m = np.round(real * 2.0**shift)
        if m.max() > INT16_MAX:
            continue
        m = m.astype(np.int64)
        if np.all(reach * m + (1 << (shift - 1)) <= INT32_MAX):
            return m.astype(np.int16), shift
    raise ValueError(
        "The LSTM gate rows cannot be rescaled to Q3.12 within int32: a gate "
        "pre-activation can reach beyond 2**18 in magnitude. Retrain with weight "
        "decay or fewer hidden units."
    )


def _accumulator_bound(bias: np.ndarray, weight: np.ndarray, reach: int) -> np.ndarray:
    """Per row, ``|bias| + sum_i |W[i]| * reach``.

    It bounds every partial sum of ``bias + sum_i W[i] * x[i]``, in any order, for
    inputs ``|x[i]| <= reach``.
    """
    w = np.abs(weight.astype(np.int64))
    return np.abs(bias.astype(np.int64)) + w.sum(axis=1) * reach


def _fold_zero_point(
    bias: np.ndarray, weight: np.ndarray, zero_point: np.ndarray, reach: int, what: str
) -> np.ndarray:
    """``bias - W @ zero_point``, after checking that no accumulation can overflow.

    ``weight`` is ``(rows, inputs)`` and ``zero_point`` ``(inputs,)``; ``reach`` is
    the largest absolute input value. Every partial sum of
    ``bias' + sum_i W[i] * x[i]``, in any order, is bounded by
    ``|bias'| + sum_i |W[i]| * reach``, which must fit int32.
    """
    w = weight.astype(np.int64)
    folded = bias.astype(np.int64) - w @ zero_point.astype(np.int64)
    worst = int(np.max(_accumulator_bound(folded, w, reach)))
    if worst > INT32_MAX:
        raise ValueError(
            f"The {what} accumulator can reach {worst}, beyond int32, for extreme "
            "inputs; reduce the number of input channels or the kernel size, or "
            "pass a larger input_scale so fewer integer steps cover the range."
        )
    return folded.astype(np.int32)


def _np(tensor: torch.Tensor) -> np.ndarray:
    return tensor.detach().double().numpy()


def _fold_conv_stage(
    stage: torch.nn.Sequential,
    step: np.ndarray,
    zero_point: np.ndarray,
    reach: int,
    out_range: tuple[float, float],
    index: int,
) -> ConvStage:
    """Fold BatchNorm and the input step into one stage's conv, then quantize it."""
    conv, bn = stage[0], stage[1]
    w = _np(conv.weight)
    b = _np(conv.bias) if conv.bias is not None else np.zeros(w.shape[0])
    g = _np(bn.weight) / np.sqrt(_np(bn.running_var) + bn.eps)
    w_fold = g[:, None, None] * w * step[None, :, None]
    b_fold = g * (b - _np(bn.running_mean)) + _np(bn.bias)
    wq, w_scale = _quantize_rows(w_fold)
    what = f"convolution stage {index}"
    bq = _quantize_bias(b_fold, w_scale, what)
    kernel = wq.shape[2]
    bq = _fold_zero_point(
        bq, wq.reshape(len(wq), -1), np.repeat(zero_point, kernel), reach, what
    )
    out_scale, out_zero_point = _int8_scale_zero_point(*out_range)
    m, shift = _multipliers(w_scale / out_scale)
    pool = stage[3].kernel_size if len(stage) > 3 else 1
    return ConvStage(
        weight=wq,
        bias=bq,
        input_zero_point=zero_point.astype(np.int32),
        multiplier=m,
        shift=shift,
        output_zero_point=out_zero_point,
        pool=int(pool),
        weight_scale=w_scale,
        output_scale=out_scale,
    )


def _fold_lstm(
    lstm: torch.nn.LSTM, s_x: float, z_x: int, s_h: float
) -> tuple[LSTMDirection, ...]:
    """Quantize each direction's ``[W_ih * s_x, W_hh * s_h]`` rows with one scale."""
    suffixes = ["", "_reverse"] if lstm.bidirectional else [""]
    directions = []
    for suffix in suffixes:
        w_ih = _np(getattr(lstm, f"weight_ih_l0{suffix}"))
        w_hh = _np(getattr(lstm, f"weight_hh_l0{suffix}"))
        b = np.zeros(w_ih.shape[0])
        if lstm.bias:
            b = b + _np(getattr(lstm, f"bias_ih_l0{suffix}"))
            b = b + _np(getattr(lstm, f"bias_hh_l0{suffix}"))
        wq, row_scale = _quantize_rows(np.concatenate([w_ih * s_x, w_hh * s_h], axis=1))
        bq = _quantize_bias(b, row_scale, "LSTM")
        # x and h are int8 (h within +-127): one bound for the whole row.
        zero_points = np.zeros(wq.shape[1], dtype=np.int64)
        zero_points[: w_ih.shape[1]] = z_x
        bq = _fold_zero_point(bq, wq, zero_points, -INT8_MIN, "LSTM gate")
        wq_ih, wq_hh = wq[:, : w_ih.shape[1]], wq[:, w_ih.shape[1] :]
        reach = _accumulator_bound(bq, wq, -INT8_MIN)
        m, shift = _gate_multipliers(row_scale * 2.0**GATE_FRAC_BITS, reach)
        directions.append(
            LSTMDirection(
                weight_ih=wq_ih,
                weight_hh=wq_hh,
                bias=bq,
                multiplier=m,
                shift=shift,
                reverse=suffix == "_reverse",
                row_scale=row_scale,
            )
        )
    return tuple(directions)


def _as_input_scale(input_scale: Any, n_channels: int) -> np.ndarray:
    scale = np.asarray(input_scale, dtype=np.float64)
    if scale.ndim > 1 or scale.size not in (1, n_channels):
        raise ValueError(
            f"input_scale must be one value or one per channel ({n_channels}), got "
            f"shape {scale.shape}."
        )
    scale = np.broadcast_to(scale.ravel(), (n_channels,)).copy()
    if not np.all(np.isfinite(scale) & (scale > 0)):
        raise ValueError(f"input_scale must be positive and finite, got {scale}.")
    return scale


def build_integer_model(
    module: MicroBiConvLSTM,
    X: np.ndarray,
    *,
    method: str = "minmax",
    percentile: float = 99.99,
    input_scale: Any = None,
    input_headroom: float = 2.0,
) -> IntegerMicroBi:
    """Fold, calibrate and quantize a trained network into an integer model.

    Parameters
    ----------
    module : MicroBiConvLSTM
        The trained network (it is copied, never modified).
    X : ndarray of shape (n_windows, n_channels, n_timepoints)
        Raw calibration windows, as the network's ``forward`` takes them.
    method : {"minmax", "percentile"}, default="minmax"
        How activation ranges are taken from the calibration activations.
    percentile : float, default=99.99
        Upper percentile of the ``"percentile"`` method.
    input_scale : float, array-like of shape (n_channels,) or None, default=None
        Real value of one int16 input step per channel; ``None`` derives it from
        ``X`` and ``input_headroom``.
    input_headroom : float, default=2.0
        With ``input_scale=None``: the int16 range covers ``input_headroom`` times
        the largest absolute calibration value of each channel.

    Returns
    -------
    IntegerMicroBi
        The integer model (see :mod:`skmicrobi.quantization` for the formulas).

    Raises
    ------
    TypeError
        If ``module`` is not a :class:`~skmicrobi.MicroBiConvLSTM`.
    ValueError
        If ``X`` does not match the network or an accumulator could overflow int32.

    Examples
    --------
    >>> import numpy as np
    >>> from skmicrobi import MicroBiConvLSTM
    >>> from skmicrobi.quantization import build_integer_model
    >>> net = MicroBiConvLSTM(n_channels=3, n_classes=2)
    >>> X = np.random.default_rng(0).normal(size=(8, 3, 32))
    >>> model = build_integer_model(net, X)
    >>> model.convs[0].weight.dtype, model.head_weight.shape
    (dtype('int8'), (2, 48))
    """
    if not isinstance(module, MicroBiConvLSTM):
        raise TypeError(
            f"Int8Quantizer quantizes MicroBiConvLSTM networks, got "
            f"{type(module).__name__}."
        )
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 3 or X.shape[1] != module.n_channels:
        raise ValueError(
            f"Calibration windows must have shape (n, {module.n_channels}, time), "
            f"got {X.shape}."
        )
    module = copy.deepcopy(module).cpu().double().eval()
    n_channels, n_timepoints = X.shape[1], X.shape[2]
    if input_scale is None:
        peak = np.abs(X).max(axis=(0, 2))
        # A channel that is 0 in every calibration window still needs a scale.
        peak = np.where(peak > 0, peak, 1.0)
        s_in = input_headroom * peak / INT16_MAX
    else:
        s_in = _as_input_scale(input_scale, n_channels)
    mean = module.input_mean.numpy()
    sigma = module.input_scale.numpy()
    z_in = np.clip(np.round(mean / s_in), INT16_MIN, INT16_MAX).astype(np.int64)

    stage_ranges, h_max = _calibrate(module, X, method, percentile)
    convs = []
    step, zero_point, reach = s_in / sigma, z_in, -INT16_MIN
    for i, (stage, out_range) in enumerate(zip(module.features, stage_ranges)):
        folded = _fold_conv_stage(stage, step, zero_point, reach, out_range, i)
        convs.append(folded)
        n_out = folded.weight.shape[0]
        step = np.full(n_out, folded.output_scale)
        zero_point = np.full(n_out, folded.output_zero_point, dtype=np.int64)
        reach = -INT8_MIN
    s_x, z_x = convs[-1].output_scale, convs[-1].output_zero_point

    # |h| < 1 always; a dead LSTM (h == 0 throughout calibration) keeps 1/127.
    s_h = min(h_max, 1.0) / INT8_MAX if h_max > 0 else 1.0 / INT8_MAX
    directions = _fold_lstm(module.lstm, s_x, z_x, s_h)
    h_m, h_shift = quantize_multiplier(2.0**-14 / s_h)

    steps = n_timepoints
    for stage in convs:
        steps //= stage.pool
    head = module.classifier
    w = head.weight.detach().numpy()
    b = head.bias.detach().numpy() if head.bias is not None else np.zeros(w.shape[0])
    feature_scale = s_h / steps if module.reduction == "mean" else s_h
    feature_reach = INT8_MAX * (steps if module.reduction == "mean" else 1)
    w_scale = max(np.abs(w).max() / INT8_MAX, np.finfo(float).tiny)
    wq = np.clip(np.round(w / w_scale), -INT8_MAX, INT8_MAX).astype(np.int8)
    logit_scale = w_scale * feature_scale
    bq = _quantize_bias(b, np.full(w.shape[0], logit_scale), "linear head")
    no_zero_point = np.zeros(wq.shape[1], dtype=np.int64)
    bq = _fold_zero_point(bq, wq, no_zero_point, feature_reach, "linear head")

    return IntegerMicroBi(
        n_channels=n_channels,
        n_timepoints=n_timepoints,
        input_scale=s_in,
        convs=tuple(convs),
        lstm=directions,
        lstm_input_zero_point=z_x,
        lstm_input_scale=s_x,
        hidden_multiplier=h_m,
        hidden_shift=h_shift,
        hidden_scale=s_h,
        reduction=module.reduction,
        head_weight=wq,
        head_bias=bq,
        logit_scale=logit_scale,
    )


def quantize_input(model: IntegerMicroBi, X: np.ndarray) -> tuple[np.ndarray, int]:
    """Convert raw windows to the model's int16 input, saturating.

    ``q[c, t] = sat16(round(x[c, t] / input_scale[c]))`` (``round`` to nearest
    even; this runs on the host, the device receives ``q``).

    Parameters
    ----------
    model : IntegerMicroBi
    X : ndarray of shape (n, n_channels, n_timepoints)
        Raw sensor values.

    Returns
    -------
    q : ndarray of int16, same shape
    n_saturated : int
        How many values were clamped to the int16 limits.

    Examples
    --------
    >>> import numpy as np
    >>> from skmicrobi import MicroBiConvLSTM
    >>> from skmicrobi.quantization import build_integer_model, quantize_input
    >>> X = np.random.default_rng(0).normal(size=(4, 2, 16))
    >>> model = build_integer_model(MicroBiConvLSTM(2, 2), X)
    >>> q, n_saturated = quantize_input(model, 10 * X)
    >>> q.dtype, n_saturated > 0
    (dtype('int16'), True)
    """
    scaled = np.rint(np.asarray(X, dtype=np.float64) / model.input_scale[None, :, None])
    n_saturated = int(np.count_nonzero((scaled < INT16_MIN) | (scaled > INT16_MAX)))
    return np.clip(scaled, INT16_MIN, INT16_MAX).astype(np.int16), n_saturated


# -- the estimator ----------------------------------------------------------------
class Int8Quantizer(ClassifierMixin, MetaEstimatorMixin, BaseEstimator):
    """Fit a MicroBi classifier, then predict with a fully integer (INT8) copy of it.

    ``fit`` clones and fits ``estimator`` (or, wrapped in
    :class:`sklearn.frozen.FrozenEstimator`, uses the fitted one as is), calibrates
    activation ranges on training windows and builds an
    :class:`~skmicrobi.int8.IntegerMicroBi`: int8 weights, int32 biases and
    accumulators, int8 activations, integer LSTM with table-driven gates, no float
    at run time (formulas in :mod:`skmicrobi.quantization`). ``predict``,
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
        Real value of one int16 input step per channel (e.g. the sensor's LSB in
        physical units). None derives it from the calibration windows.
    input_headroom : float, default=2.0
        With ``input_scale=None``, the int16 input range covers this many times
        the largest absolute calibration value of each channel; values beyond it
        saturate (see :meth:`quantize_input`).
    measure_object_size : bool, default=True
        Compile the exported C in ``fit`` to report its object size in
        ``footprint_`` (only where a C compiler exists).
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
        ``scratch_bytes`` (peak activation RAM, one static buffer);
        ``input_bytes`` (one int16 window); ``object_bytes`` (compiled
        ``.text + .data + .rodata`` at -O2, None without a C compiler or with
        ``measure_object_size=False``); ``n_parameters`` (of the float network).
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
    >>> q = Int8Quantizer(clf, random_state=0, measure_object_size=False).fit(X, y)
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
        "measure_object_size": ["boolean"],
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
        measure_object_size: bool = True,
        random_state: int | np.random.RandomState | None = None,
    ) -> None:
        self.estimator = estimator
        self.calibration_size = calibration_size
        self.method = method
        self.percentile = percentile
        self.input_scale = input_scale
        self.input_headroom = input_headroom
        self.measure_object_size = measure_object_size
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

        model = build_integer_model(
            module,
            X_cal,
            method=self.method,
            percentile=self.percentile,
            input_scale=self.input_scale,
            input_headroom=self.input_headroom,
        )
        self.estimator_ = estimator
        self.integer_model_ = model
        self.classes_ = estimator.classes_
        self.n_features_in_ = estimator.n_features_in_

        q, n_saturated = quantize_input(model, X_cal)
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
        self.footprint_ = self._footprint(model, module)
        return self

    def _footprint(self, model: IntegerMicroBi, module: MicroBiConvLSTM) -> dict:
        from skmicrobi.export import compile_c, export_c, scratch_layout

        footprint = model.memory_bytes()
        footprint["scratch_bytes"] = scratch_layout(model)["total"]
        footprint["input_bytes"] = 2 * model.n_channels * model.n_timepoints
        footprint["object_bytes"] = None
        footprint["n_parameters"] = count_parameters(module)
        if self.measure_object_size:
            tmp = tempfile.mkdtemp(prefix="skmicrobi_")
            try:
                footprint["object_bytes"] = compile_c(export_c(model, tmp))
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
        return footprint

    def quantize_input(self, X: Any) -> np.ndarray:
        """Raw windows as the int16 input of the integer model (and the C function).

        ``q[c, t] = sat16(round(x[c, t] / input_scale[c]))``; warns with
        :class:`InputSaturationWarning` when values had to be clamped.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_channels, n_timepoints) or sktime Panel
            Raw windows, as in ``fit``.

        Returns
        -------
        ndarray of int16, shape (n_samples, n_channels, n_timepoints)
            Input windows for :func:`skmicrobi.int8.predict_logits` or the C
            function (``in[c * n_timepoints + t]`` per window).
        """
        X = self._check_windows(X)
        q, n_saturated = quantize_input(self.integer_model_, X)
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
                "model's input range (+-32767 * input_scale per channel) and were "
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
            q, n = quantize_input(model, X[start : start + PREDICT_BATCH_SIZE])
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
