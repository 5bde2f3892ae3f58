"""Fixed-point primitives of the integer engine: saturation, requantisation, gates.

Every function takes and returns numpy integer arrays and does exactly what the
generated C does (``skmicrobi.export``); the formulas are in
:mod:`skmicrobi.int8.build`. Intermediate values are held in ``int64`` so that the
numpy code never wraps around; the C code holds them in ``int32`` or ``int64`` as the
proven bounds require.
"""

from __future__ import annotations

import math

import numpy as np

#: Requantisation multipliers are ``m * 2**-shift`` with ``2**14 <= m < 2**15``
#: (they fit an ``int16``): a relative error of at most ``2**-15``, far below the
#: ``2**-8`` step of an int8 weight.
MULTIPLIER_BITS = 15
#: Largest shift allowed, so that ``acc * m + 2**(shift - 1)`` stays inside int64
#: for any int32 ``acc``.
MAX_SHIFT = 62
#: Gate pre-activations and the cell state are fixed point with 12 fraction bits
#: (``Q3.12`` in an int16 for the gates: the range [-8, 8) is where sigmoid and
#: tanh are not yet saturated to within a Q15 step or two).
GATE_FRAC_BITS = 12
#: Sigmoid and tanh outputs have 15 fraction bits (``Q0.15``).
Q15_ONE = 1 << 15
#: The sigmoid table holds sigmoid(k / 16) for k = 0..128, i.e. [0, 8] in steps of
#: 1/16; lookups interpolate linearly between entries with 8 fraction bits.
SIGMOID_TABLE_STEP_BITS = 8
INT8_MIN, INT8_MAX = -128, 127
INT16_MIN, INT16_MAX = -(1 << 15), (1 << 15) - 1
INT32_MIN, INT32_MAX = -(1 << 31), (1 << 31) - 1


def _make_sigmoid_table() -> np.ndarray:
    n = ((INT16_MAX + 1) >> SIGMOID_TABLE_STEP_BITS) + 1
    x = np.arange(n) * 2.0 ** (SIGMOID_TABLE_STEP_BITS - GATE_FRAC_BITS)
    return np.round(Q15_ONE / (1.0 + np.exp(-x))).astype(np.int16)


#: ``round(2**15 * sigmoid(k / 16))`` for ``k = 0..128`` (129 int16, 258 bytes).
SIGMOID_TABLE = _make_sigmoid_table()
SIGMOID_TABLE.flags.writeable = False


def saturate(x: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """Clamp integers to ``[lo, hi]`` (the C ``sat`` helpers).

    Parameters
    ----------
    x : ndarray of int
        Values.
    lo, hi : int
        Bounds, inclusive.

    Returns
    -------
    ndarray of int64
        ``min(max(x, lo), hi)``.

    Examples
    --------
    >>> from skmicrobi.int8.fixedpoint import saturate
    >>> saturate(np.array([-300, 5, 300]), -128, 127).tolist()
    [-128, 5, 127]
    """
    return np.clip(np.asarray(x, dtype=np.int64), lo, hi)


def quantize_multiplier(real: float) -> tuple[int, int]:
    """Represent a positive real multiplier as ``m * 2**-shift``.

    Parameters
    ----------
    real : float
        The multiplier, ``> 0`` (a ratio of scales).

    Returns
    -------
    m : int
        Mantissa with ``2**14 <= m < 2**15``, or smaller when ``real`` is so small
        that ``shift`` hits :data:`MAX_SHIFT`.
    shift : int
        ``1 <= shift <= 62``.

    Raises
    ------
    ValueError
        If ``real`` is not positive and finite, or ``>= 2**14`` (a scale ratio that
        large means a calibration range collapsed to nothing).

    Examples
    --------
    >>> from skmicrobi.int8.fixedpoint import quantize_multiplier
    >>> quantize_multiplier(0.5)
    (16384, 15)
    >>> m, s = quantize_multiplier(0.1234)
    >>> abs(m / 2**s - 0.1234) < 0.1234 * 2**-15
    True
    """
    if not (math.isfinite(real) and real > 0):
        raise ValueError(f"A requantisation multiplier must be positive, got {real!r}.")
    _, exponent = math.frexp(real)  # real = f * 2**exponent, 0.5 <= f < 1
    shift = MULTIPLIER_BITS - exponent
    if shift < 1:
        raise ValueError(
            f"Requantisation multiplier {real!r} is too large (>= 2**14): an "
            "activation range collapsed during calibration; calibrate on more "
            "varied windows."
        )
    shift = min(shift, MAX_SHIFT)
    m = round(real * 2.0**shift)
    if m == 1 << MULTIPLIER_BITS:
        m >>= 1
        shift -= 1
    return int(m), int(shift)


def requantize(acc: np.ndarray, m: np.ndarray, shift: np.ndarray) -> np.ndarray:
    """Multiply integers by ``m * 2**-shift`` and round to nearest, ties up.

    ``requantize(a, m, s) = floor((a * m + 2**(s - 1)) / 2**s)``, computed as an
    arithmetic right shift of an int64 product.

    Parameters
    ----------
    acc : ndarray of int
        Accumulators, each within int32.
    m, shift : ndarray of int or int
        Multiplier mantissas and shifts from :func:`quantize_multiplier`, broadcast
        against ``acc``.

    Returns
    -------
    ndarray of int64
        The rounded products (not saturated).

    Examples
    --------
    >>> from skmicrobi.int8.fixedpoint import requantize
    >>> requantize(np.array([-3, -1, 1, 3, 100]), 16384, 15).tolist()  # times 1/2
    [-1, 0, 1, 2, 50]
    """
    acc = np.asarray(acc, dtype=np.int64)
    m = np.asarray(m, dtype=np.int64)
    shift = np.asarray(shift, dtype=np.int64)
    return (acc * m + (np.int64(1) << (shift - 1))) >> shift


def sigmoid_q15(x: np.ndarray) -> np.ndarray:
    """Sigmoid of a Q3.12 value, in Q0.15, by table and linear interpolation.

    With ``a = min(|x|, 32767)``, ``i = a >> 8`` and ``f = a & 255``:
    ``s = T[i] + (((T[i+1] - T[i]) * f + 128) >> 8)``, and the result is ``s``
    for ``x >= 0`` and ``32768 - s`` for ``x < 0`` (so ``sigmoid(-x) = 1 -
    sigmoid(x)`` holds exactly). Inputs beyond [-8, 8) saturate.

    Parameters
    ----------
    x : ndarray of int
        Pre-activations in Q3.12 (any int32 value is accepted).

    Returns
    -------
    ndarray of int64
        Values in ``[11, 32757]``, non-decreasing in ``x``.

    Examples
    --------
    >>> from skmicrobi.int8.fixedpoint import sigmoid_q15
    >>> sigmoid_q15(np.array([-(1 << 20), 0, 4096])).tolist()  # -256, 0, 1.0
    [11, 16384, 23955]
    """
    x = np.asarray(x, dtype=np.int64)
    a = np.minimum(np.abs(x), INT16_MAX)
    i = a >> SIGMOID_TABLE_STEP_BITS
    f = a & ((1 << SIGMOID_TABLE_STEP_BITS) - 1)
    table = SIGMOID_TABLE.astype(np.int64)
    lo = table[i]
    s = lo + (
        ((table[i + 1] - lo) * f + (1 << (SIGMOID_TABLE_STEP_BITS - 1)))
        >> SIGMOID_TABLE_STEP_BITS
    )
    return np.where(x < 0, Q15_ONE - s, s)


def tanh_q15(x: np.ndarray) -> np.ndarray:
    """Tanh of a Q3.12 value, in Q0.15, as ``2 * sigmoid(2x) - 1``.

    ``tanh_q15(x) = 2 * sigmoid_q15(sat16(2 * sat16(x))) - 32768``; inputs
    beyond [-4, 4) saturate at ``+-32746`` (tanh(4) = 0.99933).

    Parameters
    ----------
    x : ndarray of int
        Values in Q.12 (any int32 value is accepted).

    Returns
    -------
    ndarray of int64
        Values in ``[-32746, 32746]``, odd and non-decreasing in ``x``.

    Examples
    --------
    >>> from skmicrobi.int8.fixedpoint import tanh_q15
    >>> tanh_q15(np.array([-4096, 0, 4096])).tolist()  # tanh(+-1) = +-0.7616
    [-24956, 0, 24956]
    """
    x = saturate(x, INT16_MIN, INT16_MAX)
    return 2 * sigmoid_q15(saturate(2 * x, INT16_MIN, INT16_MAX)) - Q15_ONE
