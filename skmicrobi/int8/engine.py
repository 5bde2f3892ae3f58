"""The whole integer forward pass: int16 windows in, int32 logits out."""

from __future__ import annotations

import numpy as np

from skmicrobi.int8.fixedpoint import INT8_MAX, INT8_MIN, INT16_MAX, INT16_MIN
from skmicrobi.int8.layers import conv_stage, linear_head, lstm_direction
from skmicrobi.int8.model import IntegerMicroBi


def integer_features(model: IntegerMicroBi, q: np.ndarray) -> np.ndarray:
    """Reduced LSTM features that feed the linear head.

    ``"final"``: the forward direction's last hidden state next to the backward
    direction's state after it has read the whole window (int8 each).
    ``"last"``: both directions' hidden states at the last input position.
    ``"mean"``: the *sum* over steps of each hidden state (int32); the division
    by the number of steps is folded into the head's scale.

    Parameters
    ----------
    model : IntegerMicroBi
    q : ndarray of int, shape (n, n_channels, n_timepoints)
        Int16 input windows.

    Returns
    -------
    ndarray of int64, shape (n, n_directions * hidden)
    """
    x = np.asarray(q, dtype=np.int64)
    for stage in model.convs:
        x = conv_stage(x, stage)
    parts = []
    for direction in model.lstm:
        h = lstm_direction(x, direction, model.hidden_multiplier, model.hidden_shift)
        if model.reduction == "mean":
            parts.append(h.sum(axis=1))
        elif model.reduction == "final" and direction.reverse:
            parts.append(h[:, 0])
        else:
            parts.append(h[:, -1])
    return np.concatenate(parts, axis=1)


def predict_logits(model: IntegerMicroBi, q: np.ndarray) -> np.ndarray:
    """Int32 logits of the integer model; real logits are ``logit_scale * logits``.

    Parameters
    ----------
    model : IntegerMicroBi
    q : array-like of int, shape (n, n_channels, n_timepoints)
        Int16 input windows, ``q[i, c, t] = round(x / input_scale[c])`` saturated
        to [-32768, 32767].

    Returns
    -------
    ndarray of int32, shape (n, n_classes)

    Raises
    ------
    ValueError
        If ``q`` has the wrong shape or values outside int16.
    """
    q = np.asarray(q)
    expected = (model.n_channels, model.n_timepoints)
    if q.ndim != 3 or q.shape[1:] != expected:
        raise ValueError(
            f"Integer model expects windows of shape (n, {expected[0]}, "
            f"{expected[1]}), got {q.shape}."
        )
    if not np.issubdtype(q.dtype, np.integer):
        raise ValueError(
            f"Integer model expects int16 windows, got dtype {q.dtype}; convert raw "
            "values with Int8Quantizer.quantize_input."
        )
    lo, hi = (INT8_MIN, INT8_MAX) if model.input_bits == 8 else (INT16_MIN, INT16_MAX)
    if q.size and (q.min() < lo or q.max() > hi):
        raise ValueError(
            f"Integer model inputs must lie within int{model.input_bits} [{lo}, {hi}]."
        )
    features = integer_features(model, q)
    logits = linear_head(features, model.head_weight, model.head_bias)
    return logits.astype(np.int32)
