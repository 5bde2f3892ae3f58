"""Integer layers of the engine, vectorised over the batch.

Each function reads like its formula in :mod:`skmicrobi.int8.build`. Integer
values are carried in int64; the bounds checked when the model is built guarantee
that every accumulator fits int32, so the C code (which uses int32) computes the
same numbers.
"""

from __future__ import annotations

import numpy as np

from skmicrobi.int8.fixedpoint import (
    GATE_FRAC_BITS,
    INT8_MAX,
    INT16_MAX,
    INT16_MIN,
    requantize,
    saturate,
    sigmoid_q15,
    tanh_q15,
)
from skmicrobi.int8.model import ConvStage, LSTMDirection


def conv_stage(q: np.ndarray, stage: ConvStage) -> np.ndarray:
    """Convolution, ReLU and max-pooling of integer activations.

    With ``x`` the input padded by ``K // 2`` positions on each side with the
    zero point ``z_in[c]`` (the integer that stands for real 0):
    ``acc[o, t] = bias[o] + sum_{c,k} W[o, c, k] * x[c, t + k]``, where the bias
    holds ``-sum_{c,k} W[o, c, k] * z_in[c]``, so this equals
    ``sum W * (q - z_in)`` over the real positions plus the unfolded bias;
    ``p[o, u] = max_{j < pool} acc[o, u * pool + j]`` (max-pooling commutes with
    the non-decreasing requantisation below, so it runs on the accumulators);
    ``out[o, u] = clamp(z_out + requantize(p[o, u], m[o], shift[o]), z_out, 127)``.

    Parameters
    ----------
    q : ndarray of int, shape (n, in_channels, length)
        Int16 model input or int8 activations.
    stage : ConvStage

    Returns
    -------
    ndarray of int64, shape (n, out_channels, length // pool)
        Int8 activations.
    """
    n, in_channels, length = q.shape
    kernel = stage.weight.shape[2]
    pad = np.broadcast_to(
        stage.input_zero_point[None, :, None].astype(np.int64),
        (n, in_channels, kernel // 2),
    )
    x = np.concatenate([pad, np.asarray(q, dtype=np.int64), pad], axis=2)
    # windows[n, c, t, k] = x[n, c, t + k]
    windows = np.lib.stride_tricks.sliding_window_view(x, kernel, axis=2)
    acc = np.einsum("nctk,ock->not", windows, stage.weight.astype(np.int64))
    acc += stage.bias[None, :, None].astype(np.int64)
    pooled_len = length // stage.pool
    acc = acc[:, :, : pooled_len * stage.pool]
    acc = acc.reshape(n, acc.shape[1], pooled_len, stage.pool).max(axis=3)
    out = stage.output_zero_point + requantize(
        acc, stage.multiplier[None, :, None], stage.shift[None, :, None]
    )
    return saturate(out, stage.output_zero_point, INT8_MAX)


def lstm_gates(acc: np.ndarray, direction: LSTMDirection) -> np.ndarray:
    """Gate pre-activations in Q3.12 from int32 accumulators.

    ``pre[g] = sat16(requantize(acc[g], m[g], shift[g]))``.

    Parameters
    ----------
    acc : ndarray of int, shape (n, 4 * hidden)
    direction : LSTMDirection

    Returns
    -------
    ndarray of int64, shape (n, 4 * hidden)
    """
    pre = requantize(acc, direction.multiplier, direction.shift)
    return saturate(pre, INT16_MIN, INT16_MAX)


def lstm_cell(
    pre: np.ndarray,
    c: np.ndarray,
    hidden_multiplier: int,
    hidden_shift: int,
) -> tuple[np.ndarray, np.ndarray]:
    """One LSTM cell update in fixed point.

    With ``i, f, o = sigmoid_q15(pre_i, pre_f, pre_o)`` and ``g = tanh_q15(pre_g)``
    (all Q0.15) and the cell state ``c`` in Q.12 (int32):
    ``c' = ((f * c + 2**14) >> 15) + ((i * g + 2**17) >> 18)`` and
    ``h' = clamp(requantize((o * tanh_q15(c')) >> 16, m_h, shift_h), -127, 127)``
    (the product in Q14, as one 16-bit high multiply gives it).

    Parameters
    ----------
    pre : ndarray of int, shape (n, 4 * hidden)
        Gate pre-activations (input, forget, cell, output) in Q3.12.
    c : ndarray of int, shape (n, hidden)
        Cell state in Q.12.
    hidden_multiplier, hidden_shift : int
        Fixed-point ``2**-14 / hidden_scale``.

    Returns
    -------
    h : ndarray of int64, shape (n, hidden)
        New int8 hidden state.
    c : ndarray of int64, shape (n, hidden)
        New cell state.
    """
    i, f, g, o = np.split(pre, 4, axis=1)
    i, f, o = sigmoid_q15(i), sigmoid_q15(f), sigmoid_q15(o)
    g = tanh_q15(g)
    # Q15 * Q12 -> Q27 and Q15 * Q15 -> Q30, both rounded back to Q12.
    keep = 15
    gain = 30 - GATE_FRAC_BITS
    c = ((f * c + (1 << (keep - 1))) >> keep) + ((i * g + (1 << (gain - 1))) >> gain)
    h = requantize((o * tanh_q15(c)) >> 16, hidden_multiplier, hidden_shift)
    return saturate(h, -INT8_MAX, INT8_MAX), c


def lstm_direction(
    x: np.ndarray,
    direction: LSTMDirection,
    hidden_multiplier: int,
    hidden_shift: int,
) -> np.ndarray:
    """Run one LSTM direction over a sequence of int8 inputs.

    ``acc_t = bias + W_ih x_t + W_hh h_{t-1}`` (the bias holds
    ``-z_x * sum_i W_ih[g, i]``, so this is ``W_ih (x_t - z_x)`` plus the unfolded
    bias), then :func:`lstm_gates` and :func:`lstm_cell`; ``h_0 = 0`` and
    ``c_0 = 0``; the backward direction reads the steps from last to first.

    Parameters
    ----------
    x : ndarray of int, shape (n, input_size, steps)
        Int8 activations of the last convolution stage.
    direction : LSTMDirection
    hidden_multiplier, hidden_shift : int

    Returns
    -------
    ndarray of int64, shape (n, steps, hidden)
        The int8 hidden state at every step, indexed by input position (so for the
        backward direction ``[:, -1]`` is its state after its first step).
    """
    n, _, steps = x.shape
    hidden = direction.weight_hh.shape[1]
    w_ih = direction.weight_ih.astype(np.int64)
    w_hh = direction.weight_hh.astype(np.int64)
    # The input part of every step's accumulator does not depend on h: all steps
    # at once.
    x_part = np.einsum("nit,gi->ntg", np.asarray(x, dtype=np.int64), w_ih)
    x_part += direction.bias.astype(np.int64)
    h = np.zeros((n, hidden), dtype=np.int64)
    c = np.zeros((n, hidden), dtype=np.int64)
    out = np.empty((n, steps, hidden), dtype=np.int64)
    order = range(steps - 1, -1, -1) if direction.reverse else range(steps)
    for t in order:
        acc = x_part[:, t] + h @ w_hh.T
        pre = lstm_gates(acc, direction)
        h, c = lstm_cell(pre, c, hidden_multiplier, hidden_shift)
        out[:, t] = h
    return out


def linear_head(
    features: np.ndarray, weight: np.ndarray, bias: np.ndarray
) -> np.ndarray:
    """Int32 logits: ``logits[k] = bias[k] + sum_j W[k, j] * features[j]``.

    Parameters
    ----------
    features : ndarray of int, shape (n, n_features)
    weight : ndarray of int8, shape (n_classes, n_features)
    bias : ndarray of int32, shape (n_classes,)

    Returns
    -------
    ndarray of int64, shape (n, n_classes)
    """
    return np.asarray(features, dtype=np.int64) @ weight.astype(np.int64).T + bias
