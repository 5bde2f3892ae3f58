r"""From a trained float network to the integer model: the specification.

:func:`build_integer_model` calibrates activation ranges on training windows,
folds BatchNorm and the input standardisation into the convolutions and builds
an :class:`~skmicrobi.int8.IntegerMicroBi`: no float is left at run time. This
page is the specification of the integer arithmetic: the engine in
:mod:`skmicrobi.int8` (:mod:`~skmicrobi.int8.layers`,
:mod:`~skmicrobi.int8.fixedpoint`) computes exactly these formulas, and the C
runtime written by :func:`skmicrobi.export.export_c` computes the same integers.
:class:`skmicrobi.Int8Quantizer` is the estimator around it.

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
from typing import Any

import numpy as np
import torch

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
from skmicrobi.network import MicroBiConvLSTM

#: Windows per forward pass during calibration (bounds memory, not results).
_CALIBRATION_BATCH = 256


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
    input_bits: int = 16,
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
        With ``input_scale=None``: the integer input range covers
        ``input_headroom`` times the largest absolute calibration value of each
        channel.
    input_bits : {16, 8}, default=16
        Width of the integer input: int16, or int8.

    Returns
    -------
    IntegerMicroBi
        The integer model (the formulas are in this module's description).

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
    >>> from skmicrobi.int8 import build_integer_model
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
    if input_bits not in (8, 16):
        raise ValueError(f"input_bits must be 8 or 16, got {input_bits!r}.")
    in_max = INT8_MAX if input_bits == 8 else INT16_MAX
    if input_scale is None:
        peak = np.abs(X).max(axis=(0, 2))
        # A channel that is 0 in every calibration window still needs a scale.
        peak = np.where(peak > 0, peak, 1.0)
        s_in = input_headroom * peak / in_max
    else:
        s_in = _as_input_scale(input_scale, n_channels)
    mean = module.input_mean.numpy()
    sigma = module.input_scale.numpy()
    z_in = np.clip(np.round(mean / s_in), INT16_MIN, INT16_MAX).astype(np.int64)

    stage_ranges, h_max = _calibrate(module, X, method, percentile)
    convs = []
    # the first stage pads with z_in: its accumulator bound covers those too
    reach = max(in_max + 1, int(np.abs(z_in).max()))
    step, zero_point = s_in / sigma, z_in
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
        input_bits=input_bits,
    )


def to_integer_input(model: IntegerMicroBi, X: np.ndarray) -> tuple[np.ndarray, int]:
    """Convert raw windows to the model's integer input, saturating.

    ``q[c, t] = sat(round(x[c, t] / input_scale[c]))`` (``round`` to nearest
    even; this runs on the host, the device receives ``q``), saturated to int16,
    or to int8 for a model with ``input_bits=8``. The estimator's
    :meth:`~skmicrobi.Int8Quantizer.quantize_input` validates its input, calls
    this and warns about saturation.

    Parameters
    ----------
    model : IntegerMicroBi
    X : ndarray of shape (n, n_channels, n_timepoints)
        Raw sensor values.

    Returns
    -------
    q : ndarray of int16 or int8, same shape
    n_saturated : int
        How many values were clamped to the integer limits.

    Examples
    --------
    >>> import numpy as np
    >>> from skmicrobi import MicroBiConvLSTM
    >>> from skmicrobi.int8 import build_integer_model, to_integer_input
    >>> X = np.random.default_rng(0).normal(size=(4, 2, 16))
    >>> model = build_integer_model(MicroBiConvLSTM(2, 2), X)
    >>> q, n_saturated = to_integer_input(model, 10 * X)
    >>> q.dtype, n_saturated > 0
    (dtype('int16'), True)
    """
    lo, hi, dtype = (
        (INT8_MIN, INT8_MAX, np.int8)
        if model.input_bits == 8
        else (INT16_MIN, INT16_MAX, np.int16)
    )
    scaled = np.rint(np.asarray(X, dtype=np.float64) / model.input_scale[None, :, None])
    n_saturated = int(np.count_nonzero((scaled < lo) | (scaled > hi)))
    return np.clip(scaled, lo, hi).astype(dtype), n_saturated
