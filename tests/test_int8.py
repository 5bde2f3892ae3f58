"""The integer engine: primitives against exact references, layers against loops."""

from fractions import Fraction
from math import floor

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from skmicrobi import MicroBiConvLSTM
from skmicrobi.int8 import (
    SIGMOID_TABLE,
    build_integer_model,
    conv_stage,
    lstm_cell,
    lstm_direction,
    predict_logits,
    quantize_multiplier,
    requantize,
    saturate,
    sigmoid_q15,
    tanh_q15,
    to_integer_input,
)
from skmicrobi.int8.fixedpoint import INT16_MAX, INT16_MIN, INT32_MAX, INT32_MIN

int32s = st.integers(INT32_MIN + 1, INT32_MAX)
mantissas = st.integers(1 << 14, (1 << 15) - 1)
shifts = st.integers(1, 62)


# -- requantisation ----------------------------------------------------------------
@given(acc=int32s, m=mantissas, shift=shifts)
def test_requantize_rounds_half_up_exactly(acc, m, shift):
    exact = Fraction(acc * m, 2**shift)
    assert requantize(np.array([acc]), m, shift)[0] == floor(exact + Fraction(1, 2))


@given(acc=st.lists(int32s, min_size=1, max_size=20), m=mantissas, shift=shifts)
def test_requantize_is_monotone(acc, m, shift):
    acc = np.sort(np.array(acc, dtype=np.int64))
    assert np.all(np.diff(requantize(acc, m, shift)) >= 0)


@given(real=st.floats(2.0**-40, 2.0**13, allow_nan=False))
def test_quantize_multiplier_relative_error(real):
    m, shift = quantize_multiplier(real)
    assert 1 << 14 <= m < 1 << 15
    assert 1 <= shift <= 62
    assert abs(m / 2.0**shift - real) <= real * 2.0**-15


@given(real=st.floats(2.0**-30, 2.0**10), acc=int32s)
def test_requantize_tracks_real_multiplier(real, acc):
    m, shift = quantize_multiplier(real)
    got = int(requantize(np.array([acc]), m, shift)[0])
    # Rounding (1/2) plus the mantissa's relative error.
    assert abs(got - acc * real) <= 0.5 + abs(acc) * real * 2.0**-15 + 1e-9


@pytest.mark.parametrize("bad", [0.0, -1.0, float("nan"), float("inf"), 2.0**14])
def test_quantize_multiplier_rejects(bad):
    with pytest.raises(ValueError, match="multiplier"):
        quantize_multiplier(bad)


@given(st.lists(st.integers(-(2**40), 2**40), min_size=1), st.integers(-300, 300))
def test_saturate(values, lo):
    hi = lo + 100
    out = saturate(np.array(values), lo, hi)
    assert np.all((out >= lo) & (out <= hi))
    inside = (np.array(values) >= lo) & (np.array(values) <= hi)
    assert np.array_equal(out[inside], np.array(values)[inside])


# -- gate non-linearities ----------------------------------------------------------
ALL_INT16 = np.arange(INT16_MIN, INT16_MAX + 1)


def test_sigmoid_table():
    assert SIGMOID_TABLE.dtype == np.int16 and SIGMOID_TABLE.shape == (129,)
    assert np.all(np.diff(SIGMOID_TABLE) >= 0)
    assert SIGMOID_TABLE[0] == 1 << 14


def test_sigmoid_monotone_symmetric_accurate_on_every_int16():
    s = sigmoid_q15(ALL_INT16)
    assert np.all(np.diff(s) >= 0)
    # sigmoid(-x) = 1 - sigmoid(x) exactly (x = -32768 saturates like -32767).
    assert np.array_equal(s[1:] + s[1:][::-1], np.full(len(s) - 1, 1 << 15))
    exact = 1.0 / (1.0 + np.exp(-ALL_INT16 / 4096.0))
    assert np.abs(s / 32768.0 - exact).max() < 3e-4
    assert s.min() >= 0 and s.max() < 1 << 15


def test_tanh_monotone_odd_accurate_on_every_int16():
    t = tanh_q15(ALL_INT16)
    assert np.all(np.diff(t) >= 0)
    assert np.array_equal(t[1:], -t[1:][::-1])
    exact = np.tanh(ALL_INT16 / 4096.0)
    assert np.abs(t / 32768.0 - exact).max() < 7e-4
    assert np.abs(t).max() < 1 << 15


@given(st.integers(INT32_MIN + 1, INT32_MAX))
def test_gates_saturate_beyond_int16(x):
    clamped = min(max(x, INT16_MIN), INT16_MAX)
    assert sigmoid_q15(np.array([x]))[0] == sigmoid_q15(np.array([clamped]))[0]
    assert tanh_q15(np.array([x]))[0] == tanh_q15(np.array([clamped]))[0]


# -- layers ------------------------------------------------------------------------
def _reference_conv_stage(q, stage):
    """The docstring formula with plain loops: pad, convolve, requantise, pool."""
    n, in_ch, length = q.shape
    out_ch, _, kernel = stage.weight.shape
    pad = kernel // 2
    out_len = length // stage.pool
    out = np.zeros((n, out_ch, out_len), dtype=np.int64)
    for i in range(n):
        for o in range(out_ch):
            acc = []
            for t in range(out_len * stage.pool):
                a = int(stage.bias[o])
                for c in range(in_ch):
                    for k in range(kernel):
                        pos = t + k - pad
                        # Padding with the zero point, the integer for real 0.
                        x = (
                            q[i, c, pos]
                            if 0 <= pos < length
                            else stage.input_zero_point[c]
                        )
                        a += int(stage.weight[o, c, k]) * int(x)
                acc.append(a)
            for u in range(out_len):
                r = [
                    floor(
                        Fraction(a * int(stage.multiplier[o]), 2 ** int(stage.shift[o]))
                        + Fraction(1, 2)
                    )
                    for a in acc[u * stage.pool : (u + 1) * stage.pool]
                ]
                # Requantise every position, then pool: the order the float net uses.
                v = max(stage.output_zero_point + x for x in r)
                out[i, o, u] = min(max(v, stage.output_zero_point), 127)
    return out


@pytest.fixture(scope="module")
def small_model():
    torch.manual_seed(0)
    net = MicroBiConvLSTM(3, 4, conv_channels=(4, 5), lstm_hidden=6, pool_sizes=(2, 3))
    X = np.random.default_rng(0).normal(size=(16, 3, 24)) * [[1.0], [5.0], [0.1]]
    return net, X, build_integer_model(net, X)


def test_conv_stage_matches_loop_reference(small_model):
    _, X, model = small_model
    q, _ = to_integer_input(model, X[:2])
    x = q.astype(np.int64)
    for stage in model.convs:
        expected = _reference_conv_stage(x, stage)
        x = conv_stage(x, stage)
        assert np.array_equal(x, expected)


def _half_up(value: Fraction) -> int:
    """``value`` to the nearest integer, halves up, as ``(a + 2**(s-1)) >> s``."""
    return floor(value + Fraction(1, 2))


def _sigmoid(v: int) -> int:
    return int(sigmoid_q15(np.array([v]))[0])


def _tanh(v: int) -> int:
    return int(tanh_q15(np.array([v]))[0])


def _reference_lstm_cell(pre, c, hidden_multiplier, hidden_shift):
    """lstm_cell's docstring, one unit at a time, in exact rational arithmetic."""
    n, width = pre.shape
    hidden = width // 4
    h_new = np.zeros((n, hidden), dtype=np.int64)
    c_new = np.zeros((n, hidden), dtype=np.int64)
    for b in range(n):
        for j in range(hidden):
            # gate order (input, forget, cell, output), as torch's LSTM
            i, f, g, o = (int(pre[b, k * hidden + j]) for k in range(4))
            i, f, g, o = _sigmoid(i), _sigmoid(f), _tanh(g), _sigmoid(o)
            # Q0.15 x Q.12 and Q0.15 x Q0.15 (Q30) back to Q.12, halves up
            cell = _half_up(Fraction(f * int(c[b, j]), 2**15)) + _half_up(
                Fraction(i * g, 2 ** (30 - 12))
            )
            # o x tanh(c') is Q30; the high multiply keeps Q14, rounding down
            product = floor(Fraction(o * _tanh(cell), 2**16))
            h = _half_up(Fraction(product * hidden_multiplier, 2**hidden_shift))
            h_new[b, j] = min(max(h, -127), 127)
            c_new[b, j] = cell
    return h_new, c_new


def _reference_lstm_direction(x, d, hidden_multiplier, hidden_shift):
    """lstm_direction's docstring: per window, per step, per gate row, with loops."""
    n, inputs, steps = x.shape
    hidden = d.weight_hh.shape[1]
    out = np.zeros((n, steps, hidden), dtype=np.int64)
    for b in range(n):
        h, c = [0] * hidden, [0] * hidden
        for t in reversed(range(steps)) if d.reverse else range(steps):
            pre = []
            for r in range(4 * hidden):
                acc = int(d.bias[r])
                for i in range(inputs):
                    acc += int(d.weight_ih[r, i]) * int(x[b, i, t])
                for j in range(hidden):
                    acc += int(d.weight_hh[r, j]) * h[j]
                gate = _half_up(Fraction(acc * int(d.multiplier[r]), 2**d.shift))
                pre.append(min(max(gate, INT16_MIN), INT16_MAX))
            h_row, c_row = _reference_lstm_cell(
                np.array([pre]), np.array([c]), hidden_multiplier, hidden_shift
            )
            h, c = h_row[0].tolist(), c_row[0].tolist()
            out[b, t] = h
    return out


def test_lstm_cell_matches_loop_reference(small_model):
    _, _, model = small_model
    rng = np.random.default_rng(3)
    hidden = 5
    # every gate from deep saturation to zero; cell states up to +-64 in Q.12
    pre = rng.integers(INT16_MIN, INT16_MAX + 1, size=(200, 4 * hidden))
    pre[:20] = rng.integers(-300, 300, size=(20, 4 * hidden))
    c = rng.integers(-(1 << 18), 1 << 18, size=(200, hidden))
    m, shift = model.hidden_multiplier, model.hidden_shift
    h_ref, c_ref = _reference_lstm_cell(pre, c, m, shift)
    h, c_new = lstm_cell(pre, c, m, shift)
    assert np.array_equal(c_new, c_ref)
    assert np.array_equal(h, h_ref)
    assert len(np.unique(h)) > 20  # the test reaches many hidden values, not only 0


@pytest.mark.parametrize("inputs", ["model", "random"])
def test_lstm_direction_matches_loop_reference(small_model, inputs):
    _, X, model = small_model
    if inputs == "model":
        q, _ = to_integer_input(model, X)
        x = q.astype(np.int64)
        for stage in model.convs:
            x = conv_stage(x, stage)
    else:  # any int8 input, beyond what the calibration windows give
        x = np.random.default_rng(4).integers(-128, 128, size=(8, 5, 7))
    m, shift = model.hidden_multiplier, model.hidden_shift
    assert len(model.lstm) == 2  # forward and backward
    for d in model.lstm:
        expected = _reference_lstm_direction(x, d, m, shift)
        assert np.array_equal(lstm_direction(x, d, m, shift), expected)


def _float_logits(net, X):
    with torch.no_grad():
        return net.eval()(torch.as_tensor(X, dtype=torch.float32)).numpy()


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"reduction": "last"},
        {"reduction": "mean"},
        {"bidirectional": False},
        {"conv_channels": (16,), "pool_sizes": (4,)},
        {"pool_sizes": (1, 1)},
        {"kernel_size": 3, "lstm_hidden": 8},
    ],
)
def test_integer_logits_track_float_logits(kwargs):
    torch.manual_seed(1)
    net = MicroBiConvLSTM(6, 5, **kwargs).eval()
    rng = np.random.default_rng(1)
    X = rng.normal(size=(64, 6, 40)) * rng.uniform(0.1, 10, size=(1, 6, 1)) + 2.0
    net.input_mean.copy_(torch.as_tensor(X.mean(axis=(0, 2))))
    net.input_scale.copy_(torch.as_tensor(X.std(axis=(0, 2))))
    model = build_integer_model(net, X)
    q, n_saturated = to_integer_input(model, X)
    assert n_saturated == 0 and q.dtype == np.int16
    logits = predict_logits(model, q)
    assert logits.dtype == np.int32 and logits.shape == (64, 5)
    ref = _float_logits(net, X)
    err = np.abs(logits * model.logit_scale - ref).max()
    assert err < 0.05 * np.abs(ref).max()


def test_predict_logits_validates_input(small_model):
    _, X, model = small_model
    q, _ = to_integer_input(model, X)
    with pytest.raises(ValueError, match="shape"):
        predict_logits(model, q[:, :2])
    with pytest.raises(ValueError, match="int16"):
        predict_logits(model, q.astype(np.float32))
    with pytest.raises(ValueError, match="int16"):
        predict_logits(model, q.astype(np.int32) * 4)


def test_quantize_input_saturates_and_counts(small_model):
    _, X, model = small_model
    big = X.copy()
    big[0, 1, :5] = 1e9
    big[1, 0, 0] = -1e9
    q, n_saturated = to_integer_input(model, big)
    assert n_saturated == 6
    assert q[0, 1, :5].tolist() == [INT16_MAX] * 5 and q[1, 0, 0] == INT16_MIN


@pytest.mark.parametrize("gain", [0.5, 5.0, 50.0])
def test_lstm_gate_products_fit_int32(gain):
    """acc * M + 2**(S-1) stays within int32 for every reachable accumulator."""
    torch.manual_seed(2)
    net = MicroBiConvLSTM(3, 4, lstm_hidden=8)
    with torch.no_grad():
        for p in net.lstm.parameters():
            p.mul_(gain)
    X = np.random.default_rng(2).normal(size=(16, 3, 32))
    model = build_integer_model(net, X)
    for d in model.lstm:
        w = np.concatenate([d.weight_ih, d.weight_hh], axis=1).astype(np.int64)
        reach = np.abs(d.bias.astype(np.int64)) + 128 * np.abs(w).sum(axis=1)
        m = d.multiplier.astype(np.int64)
        assert isinstance(d.shift, int) and 1 <= d.shift <= 31
        assert m.min() >= 0 and m.max() <= INT16_MAX
        assert np.all(reach * m + (1 << (d.shift - 1)) <= INT32_MAX)
        # M / 2**S is the real factor to Q3.12, rounded to the nearest integer M
        real = d.row_scale * 2.0**12 * 2.0**d.shift
        assert np.all(np.abs(m - real) <= 0.5 + 1e-9)
