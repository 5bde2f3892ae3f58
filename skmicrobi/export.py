"""C99 export of the integer model: one header, one source, no float, no malloc.

:func:`export_c` writes ``name.h`` and ``name.c``. The source holds the constants as
``static const`` tables and one function

.. code-block:: c

    void name_predict(const int16_t *in, int32_t *logits);

that computes exactly what :func:`skmicrobi.int8.engine.predict_logits` computes
(the arithmetic is specified in :mod:`skmicrobi.quantization`). ``in`` is one
window, channel-major (``in[c * T + t]``); ``logits`` receives one int32 per class.
Activations live in a static scratch buffer of ``NAME_SCRATCH_BYTES`` bytes inside
``name.c``, so the function is not reentrant; there is no recursion, no dynamic
allocation and no floating-point type anywhere. The code needs ``<stdint.h>``
with ``int64_t`` and an arithmetic right shift of negative integers (checked by
the preprocessor); both hold on every mainstream compiler for Cortex-M, RISC-V,
ESP32 and hosts.

Two implementations of the dot products and gate activations sit side by side:
plain C, and SSE2 kernels (``<emmintrin.h>``) that the compiler takes where it
targets SSE2, i.e. on every x86-64 host, unless ``NAME_PORTABLE`` is defined.
Both compute the same integers (the tests run both against the numpy engine).
The weight tables hold each int8 weight plus 128 as a ``uint8_t``, so the SSE2
code widens weights by zero-extension, and the LSTM rows are stored in groups of
eight hidden units, gate by gate, so that one vector holds a gate of eight units.

:func:`compile_c` measures the compiled object's ``.text + .data + .rodata`` with
the system compiler, and :func:`run_c` runs the exported code on windows through
a small stdin/stdout harness, for comparison with the numpy engine.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from skmicrobi.int8.fixedpoint import GATE_FRAC_BITS, SIGMOID_TABLE
from skmicrobi.int8.model import IntegerMicroBi, padded_lstm_row, padded_taps

#: Flags of the C compiler in :func:`compile_c` and :func:`run_c`.
DEFAULT_CFLAGS = ("-std=c99", "-Wall", "-Wextra", "-Werror", "-O2")
#: int32 slots at the start of ``work32`` for the eight dot products of a conv
#: pair (four rows at two positions); the running max or the LSTM state follow.
_DOT_SLOTS = 8
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


# -- scratch memory ----------------------------------------------------------------
def scratch_layout(model: IntegerMicroBi) -> dict[str, int]:
    """Sizes of the static buffers that hold the activations.

    Three buffers, one per element type, so that no byte is ever read through a
    type other than the one it was written with (C's aliasing rules):

    - ``act`` (int8): the output of each conv stage. Even stages write from the
      start, odd stages from the end, so a stage's input and output never
      overlap; its size is the largest sum of two consecutive stage outputs.
    - ``work16`` (int16): a conv stage's receptive fields at two positions
      (``in_channels * kernel_size`` each, padded like the weight rows), or the
      LSTM's ``v = [x_t, h]`` (zero-padded, see
      :func:`~skmicrobi.int8.model.padded_lstm_row`) and the activations of its
      ``4 * hidden`` gate rows.
    - ``work32`` (int32): eight dot products, then a conv stage's running max
      per output channel (rounded up to a multiple of 4), or the LSTM's cell
      state and the reduced features.

    Parameters
    ----------
    model : IntegerMicroBi

    Returns
    -------
    dict
        ``act_bytes``, ``work16_len``, ``work32_len`` (elements) and ``total``
        (bytes of all three).

    Examples
    --------
    >>> import numpy as np
    >>> from skmicrobi import MicroBiConvLSTM
    >>> from skmicrobi.quantization import build_integer_model
    >>> from skmicrobi.export import scratch_layout
    >>> X = np.random.default_rng(0).normal(size=(4, 9, 128))
    >>> scratch_layout(build_integer_model(MicroBiConvLSTM(9, 6), X))
    {'act_bytes': 1536, 'work16_len': 160, 'work32_len': 80, 'total': 2176}
    """
    lengths = model.stage_lengths
    outs = [s.weight.shape[0] * lengths[i + 1] for i, s in enumerate(model.convs)]
    act = max(a + b for a, b in zip(outs, outs[1:] + [0]))
    hidden = model.hidden_size
    n_in = model.lstm[0].weight_ih.shape[1]
    work16 = max(
        max(2 * padded_taps(s) for s in model.convs),
        padded_lstm_row(n_in, hidden) + 4 * hidden,
    )
    work32 = _DOT_SLOTS + max(
        max(-(-s.weight.shape[0] // 4) * 4 for s in model.convs),
        hidden + hidden * len(model.lstm),
    )
    return {
        "act_bytes": act,
        "work16_len": work16,
        "work32_len": work32,
        "total": act + 2 * work16 + 4 * work32,
    }


# -- code generation ---------------------------------------------------------------
def _array(ctype: str, name: str, values: np.ndarray, per_line: int = 16) -> str:
    flat = [str(int(v)) for v in np.ravel(values)]
    lines = [
        "    " + ", ".join(flat[i : i + per_line])
        for i in range(0, len(flat), per_line)
    ]
    body = ",\n".join(lines)
    return f"static const {ctype} {name}[{len(flat)}] = {{\n{body}\n}};\n"


def _label_text(label: Any) -> str:
    """A class label as C comment text: its Python repr, never closing the comment."""
    if isinstance(label, np.generic):
        label = label.item()
    return repr(label).replace("*/", "* /")


def _header(model: IntegerMicroBi, name: str, classes: Sequence[Any] | None) -> str:
    up = name.upper()
    c, t, k = model.n_channels, model.n_timepoints, model.n_classes
    layout = scratch_layout(model)
    lengths = model.stage_lengths
    lines = [
        f"/* {name}.h: MicroBi-ConvLSTM as a fully integer model (generated by",
        " * skmicrobi.export.export_c; do not edit).",
        " *",
        f" * {name}_predict(in, logits): in[c * {t} + t], int16, c < {c} channels,",
        f" * t < {t} steps, raw value x = INPUT_SCALE[c] * in; values beyond the int16",
        f" * range must be saturated by the caller. logits[k], int32, k < {k} classes;",
        f" * real logit = {model.logit_scale:.9g} * logits[k]; prediction = argmax.",
        " *",
        " * INPUT_SCALE (one per channel): "
        + ", ".join(f"{s:.9g}" for s in model.input_scale),
        " * Input zero points (folded standardisation): "
        + ", ".join(str(int(z)) for z in model.convs[0].input_zero_point),
    ]
    if classes is not None:
        lines.append(
            " * Classes: "
            + ", ".join(
                f"{i} = {_label_text(label)}" for i, label in enumerate(classes)
            )
        )
    lines.append(" * Layers:")
    for i, stage in enumerate(model.convs):
        out_ch, in_ch, kernel = stage.weight.shape
        lines.append(
            f" *   conv{i}: {in_ch} x {lengths[i]} -> {out_ch} x {lengths[i + 1]}, "
            f"kernel {kernel}, ReLU, max-pool {stage.pool}; int8 output scale "
            f"{stage.output_scale:.9g}, zero point {stage.output_zero_point}"
        )
    dirs = "bidirectional" if len(model.lstm) == 2 else "unidirectional"
    lines += [
        f" *   lstm: {dirs}, {model.lstm[0].weight_ih.shape[1]} -> {model.hidden_size}"
        f" per direction over {lengths[-1]} steps; hidden int8 scale "
        f'{model.hidden_scale:.9g}; reduction "{model.reduction}"',
        f" *   linear: {model.head_weight.shape[1]} -> {k}",
        f" * Scratch: {layout['total']} bytes of static buffers inside {name}.c",
        f" * ({name}_predict is not reentrant). No float, no malloc, no recursion.",
        f" * On SSE2 targets {name}.c uses SSE2 kernels; define {up}_PORTABLE for the",
        " * plain C path there (the same integers).",
        " */",
        f"#ifndef {up}_H",
        f"#define {up}_H",
        "",
        "#include <stdint.h>",
        "",
        f"#define {up}_N_CHANNELS {c}",
        f"#define {up}_N_TIMEPOINTS {t}",
        f"#define {up}_N_CLASSES {k}",
        f"#define {up}_SCRATCH_BYTES {layout['total']}",
        "",
        "#ifdef __cplusplus",
        'extern "C" {',
        "#endif",
        "",
        f"void {name}_predict(const int16_t *in, int32_t *logits);",
        "",
        "#ifdef __cplusplus",
        "}",
        "#endif",
        "",
        f"#endif /* {up}_H */",
        "",
    ]
    return "\n".join(lines)


_HELPERS = """\
#if (-1 >> 1) != -1
#error "{name}.c needs an arithmetic right shift of negative integers"
#endif

static inline int32_t {name}_sat(int64_t v, int32_t lo, int32_t hi)
{{
    return v < lo ? lo : (v > hi ? hi : (int32_t)v);
}}

/* floor(acc * m / 2^shift + 1/2); |acc| < 2^31, m < 2^15, 1 <= shift <= 62. */
static inline int64_t {name}_requantize(int64_t acc, int32_t m, int32_t shift)
{{
    return (acc * m + ((int64_t)1 << (shift - 1))) >> shift;
}}

/* sigmoid: Q3.12 in [-32768, 32767] -> Q0.15, table + linear interpolation,
   sigmoid(-x) = 1 - sigmoid(x). */
static inline int32_t {name}_sigmoid(int32_t x)
{{
    uint32_t a = (uint32_t)(x < 0 ? (x < -32767 ? 32767 : -x) : x);
    const int16_t *p = {name}_sigmoid_table + (a >> 8);
    int32_t s = p[0] + (((p[1] - p[0]) * (int32_t)(a & 255) + 128) >> 8);
    return x < 0 ? 32768 - s : s;
}}

/* tanh(x) = 2 sigmoid(2x) - 1 for any int32 x in Q.12: sat16(2 sat16(x)). */
static inline int32_t {name}_tanh(int32_t x)
{{
    int32_t y = x > 16383 ? 32767 : (x < -16384 ? -32768 : 2 * x);
    return 2 * {name}_sigmoid(y) - 32768;
}}
"""

_DOT8 = """\

#if {up}_SIMD
/* Horizontal sums of four int32x4 vectors, as one vector (a, b, c, d). */
static inline __m128i {name}_hsum4(__m128i a, __m128i b, __m128i c, __m128i d)
{{
    __m128i ab = _mm_add_epi32(_mm_unpacklo_epi32(a, b), _mm_unpackhi_epi32(a, b));
    __m128i cd = _mm_add_epi32(_mm_unpacklo_epi32(c, d), _mm_unpackhi_epi32(c, d));
    return _mm_add_epi32(_mm_unpacklo_epi64(ab, cd), _mm_unpackhi_epi64(ab, cd));
}}

#endif

/* out[r] = w_r . va and out[4 + r] = w_r . vb (sums over len entries, a
   multiple of 8) for four weight rows w_0..w_3 and two receptive fields. The
   tables hold each weight plus 128 as a uint8 (zero-extending is one
   instruction less than sign-extending); w . v = (w + 128) . v - 128 sum(v),
   and the SSE2 kernel subtracts corr_a = 128 sum(va) and corr_b = 128 sum(vb),
   which the plain loops (the same integers) do not need. */
#if {up}_SIMD
/* 128 * sum(v[0..len)), len a multiple of 8. */
static int32_t {name}_sum128(const int16_t *v, int32_t len)
{{
    __m128i s = _mm_setzero_si128();
    int32_t n;
    for (n = 0; n < len; n += 8)
        s = _mm_add_epi32(s, _mm_madd_epi16(_mm_set1_epi16(128),
            _mm_loadu_si128((const __m128i *)(const void *)(v + n))));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(1, 0, 3, 2)));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(2, 3, 0, 1)));
    return _mm_cvtsi128_si32(s);
}}

static void {name}_dot8(const uint8_t *w0, const uint8_t *w1, const uint8_t *w2,
                        const uint8_t *w3, const int16_t *va, const int16_t *vb,
                        int32_t len, int32_t corr_a, int32_t corr_b, int32_t *out)
{{
    const __m128i zero = _mm_setzero_si128();
    __m128i a0 = zero, a1 = zero, a2 = zero, a3 = zero, b0 = zero, b1 = zero,
            b2 = zero, b3 = zero, xa, xb, y;
    int32_t n;
    for (n = 0; n < len; n += 8) {{
        xa = _mm_loadu_si128((const __m128i *)(const void *)(va + n));
        xb = _mm_loadu_si128((const __m128i *)(const void *)(vb + n));
#define {up}_MAC(a, b, w) \\
        y = _mm_unpacklo_epi8( \\
            _mm_loadl_epi64((const __m128i *)(const void *)((w) + n)), zero); \\
        a = _mm_add_epi32(a, _mm_madd_epi16(y, xa)); \\
        b = _mm_add_epi32(b, _mm_madd_epi16(y, xb))
        {up}_MAC(a0, b0, w0);
        {up}_MAC(a1, b1, w1);
        {up}_MAC(a2, b2, w2);
        {up}_MAC(a3, b3, w3);
#undef {up}_MAC
    }}
    a0 = _mm_sub_epi32({name}_hsum4(a0, a1, a2, a3), _mm_set1_epi32(corr_a));
    b0 = _mm_sub_epi32({name}_hsum4(b0, b1, b2, b3), _mm_set1_epi32(corr_b));
    _mm_storeu_si128((__m128i *)(void *)out, a0);
    _mm_storeu_si128((__m128i *)(void *)(out + 4), b0);
}}
#else
static void {name}_dot8(const uint8_t *w0, const uint8_t *w1, const uint8_t *w2,
                        const uint8_t *w3, const int16_t *va, const int16_t *vb,
                        int32_t len, int32_t corr_a, int32_t corr_b, int32_t *out)
{{
    const uint8_t *w[4];
    int32_t r, n, a, b;
    (void)corr_a;
    (void)corr_b;
    w[0] = w0;
    w[1] = w1;
    w[2] = w2;
    w[3] = w3;
    for (r = 0; r < 4; r++) {{
        a = 0;
        b = 0;
        for (n = 0; n < len; n++) {{
            a += (w[r][n] - 128) * va[n];
            b += (w[r][n] - 128) * vb[n];
        }}
        out[r] = a;
        out[4 + r] = b;
    }}
}}
#endif
"""

_CONV_PAIR = """\

/* Positions t (pool index j0, output u0) and t + 1 (j1, u1; absent when
   j1 < 0) of a conv stage with out_ch output channels, weight rows of len
   entries, receptive fields ca and cb: add the bias, keep the running max per
   channel in best, and requantise it when a pooling window closes. Output
   channels go four at a time (a short last group repeats its first row and
   drops the extra sums). */
static void {name}_conv_pair(const uint8_t *w, const int32_t *b, const int16_t *m,
                             const int8_t *s, int32_t out_ch, int32_t len,
                             int32_t pool, int32_t out_len, int32_t z_out,
                             const int16_t *ca, const int16_t *cb, int32_t j0,
                             int32_t u0, int32_t j1, int32_t u1, int32_t *best,
                             int32_t *acc, int8_t *y)
{{
    int32_t o, k, q, a, j, u, sa = 0, sb = 0;
#if {up}_SIMD
    sa = {name}_sum128(ca, len);
    sb = {name}_sum128(cb, len);
#endif
    for (o = 0; o < out_ch; o += 4) {{
        const uint8_t *r = w + o * len;
        {name}_dot8(r, o + 1 < out_ch ? r + len : r, o + 2 < out_ch ? r + 2 * len : r,
                    o + 3 < out_ch ? r + 3 * len : r, ca, cb, len, sa, sb, acc);
        for (k = 0; k < 4 && o + k < out_ch; k++)
            for (q = 0; q < 2; q++) {{
                j = q ? j1 : j0;
                u = q ? u1 : u0;
                if (j < 0) break;
                a = acc[4 * q + k] + b[o + k];
                if (j == 0 || a > best[o + k]) best[o + k] = a;
                if (j == pool - 1)
                    y[(o + k) * out_len + u] = (int8_t){name}_sat(z_out
                        + {name}_requantize(best[o + k], m[o + k], s[o + k]),
                        z_out, 127);
            }}
    }}
}}
"""

_CONV_POOL2 = """\

/* SSE2, for an even pooling factor: positions t and t + 1 (from ca and cb) share
   a pooling window, so their max and the running max in best are vector
   operations (max commutes with adding the bias); first: t opens the window,
   last: t + 1 closes it (requantise into output u). */
static void {name}_conv_pool2(const uint8_t *w, const int32_t *b, const int16_t *m,
                              const int8_t *s, int32_t out_ch, int32_t len,
                              int32_t out_len, int32_t z_out, const int16_t *ca,
                              const int16_t *cb, int32_t first, int32_t last,
                              int32_t u, int32_t *best, int32_t *acc, int8_t *y)
{{
    int32_t o, k;
    const int32_t sa = {name}_sum128(ca, len), sb = {name}_sum128(cb, len);
    __m128i a, c, gt;
    for (o = 0; o < out_ch; o += 4) {{
        const uint8_t *r = w + o * len;
        const int32_t k1 = o + 1 < out_ch, k2 = 2 * (o + 2 < out_ch),
                      k3 = 3 * (o + 3 < out_ch);
        {name}_dot8(r, r + k1 * len, r + k2 * len, r + k3 * len, ca, cb, len, sa, sb,
                    acc);
        a = _mm_loadu_si128((const __m128i *)(const void *)acc);
        c = _mm_loadu_si128((const __m128i *)(const void *)(acc + 4));
        gt = _mm_cmpgt_epi32(c, a);
        a = _mm_or_si128(_mm_and_si128(gt, c), _mm_andnot_si128(gt, a));
        a = _mm_add_epi32(a, _mm_setr_epi32(b[o], b[o + k1], b[o + k2], b[o + k3]));
        if (!first) {{
            c = _mm_loadu_si128((const __m128i *)(const void *)(best + o));
            gt = _mm_cmpgt_epi32(c, a);
            a = _mm_or_si128(_mm_and_si128(gt, c), _mm_andnot_si128(gt, a));
        }}
        _mm_storeu_si128((__m128i *)(void *)(best + o), a);
        if (last)
            for (k = 0; k < 4 && o + k < out_ch; k++)
                y[(o + k) * out_len + u] = (int8_t){name}_sat(z_out
                    + {name}_requantize(best[o + k], m[o + k], s[o + k]), z_out, 127);
    }}
}}
"""

_CONV = """\
/* Conv (padded with the zero point), then max-pool and requantise. Positions go
   two at a time: ca and cb hold the receptive fields of positions t and t + 1;
   each is the other slid by one step, so only the newest column of each input
   channel is read. */
static void {name}_conv{i}(const {in_type} *restrict x, int8_t *restrict y,
                           int16_t *restrict col, int32_t *restrict best,
                           int32_t *restrict acc)
{{
    int16_t *ca = col, *cb = col + {row};
    int32_t t, c, k, n, pos;
    for (c = 0; c < {in_ch}; c++)
        for (k = 0; k < {kernel}; k++) {{
            pos = k - {pad};
            ca[c * {kernel} + k] = (int16_t)(pos >= 0 && pos < {length}
                ? x[c * {length} + pos] : {zero_point});
        }}
    for (n = {taps}; n < {row}; n++) ca[n] = cb[n] = 0;
    for (t = 0; t < {positions}; t += 2) {{
        if (t > 0) {{
            memcpy(ca, cb + 1, ({taps} - 1) * sizeof *ca);
            pos = t + {kernel} - 1 - {pad};
            for (c = 0; c < {in_ch}; c++)
                ca[c * {kernel} + {kernel} - 1] = (int16_t)(pos < {length}
                    ? x[c * {length} + pos] : {zero_point});
        }}
        memcpy(cb, ca + 1, ({taps} - 1) * sizeof *cb);
        pos = t + {kernel} - {pad};
        for (c = 0; c < {in_ch}; c++)
            cb[c * {kernel} + {kernel} - 1] = (int16_t)(pos < {length}
                ? x[c * {length} + pos] : {zero_point});
{pair_call}
    }}
}}
"""

_LSTM = """\
{simd_helpers}
/* Row of gate k (0 i, 1 f, 2 g, 3 o) of hidden unit j in the tables: units go
   in groups of eight, each group's rows gate by gate (i of its eight units, then
   f, g, o), then the {tail} remaining units with their four rows together. */
#define {up}_ROW_OF(j, k) ((j) < {grouped} ? (j) / 8 * 32 + (k) * 8 + (j) % 8 \\
                           : {grouped4} + ((j) - {grouped}) * 4 + (k))
#define {up}_GATE_OF(r) ((r) < {grouped4} ? (r) / 8 % 4 : ((r) - {grouped4}) % 4)

/* Cell state and new hidden state of unit j from its activations in a. */
static void {name}_cell(const int16_t *a, int32_t j, int32_t *c, int16_t *h)
{{
    int32_t i = a[{up}_ROW_OF(j, 0)], f = a[{up}_ROW_OF(j, 1)];
    int32_t g = a[{up}_ROW_OF(j, 2)], o = a[{up}_ROW_OF(j, 3)];
    c[j] = (int32_t)((((int64_t)f * c[j] + {half_keep}) >> 15)
                     + ((i * g + {half_gain}) >> {gain}));
    h[j] = (int16_t){name}_sat({name}_requantize(
        (o * {name}_tanh(c[j])) >> 16, {h_m}, {h_s}), -127, 127);
}}

/* One direction. v = [x_t, h, 0, ...] holds the step's input next to the
   hidden state, then zeros up to {padded} entries, the length of every row's dot
   product: past its {row} weights a row reads the next row's weights, or the
   zeros that end the table, against the zeros of v. First every gate row:
   pre = sat16((acc * m + 2^(shift-1)) >> shift), which never leaves int32 (the
   bound is checked when the model is built), then its sigmoid or tanh; then
   every unit's cell (every dot product has read h, so the new h goes straight
   into v). */
static void {name}_lstm(const int8_t *restrict x, const uint8_t *restrict w,
                        const int32_t *restrict b, const int16_t *restrict m,
                        int32_t shift, int32_t reverse, int16_t *restrict v,
                        int16_t *restrict pre, int32_t *restrict c,
                        int32_t *restrict feat)
{{
    int32_t step, t, i, j, n;
    const int32_t half = (int32_t)1 << (shift - 1);
#if {up}_SIMD
    const __m128i half4 = _mm_set1_epi32(half), shift4 = _mm_cvtsi32_si128(shift);
#endif
    for (n = {n_in}; n < {padded}; n++) v[n] = 0;
    for (j = 0; j < {hidden}; j++) {{
        c[j] = 0;
        feat[j] = 0;
    }}
    for (step = 0; step < {steps}; step++) {{
        t = reverse ? {steps} - 1 - step : step;
        for (i = 0; i < {n_in}; i++) v[i] = x[i * {steps} + t];
        i = 0;
#if {up}_SIMD
        {{
{load_x}
            const __m128i zero = _mm_setzero_si128(), ones = _mm_set1_epi16(-1);
            const __m128i corr = _mm_set1_epi32({name}_sum128(v, {padded}));
            __m128i p[4], q[8];
            int32_t k;
            for (; i < {grouped4}; i += 32) {{
                const uint8_t *r = w + i * {row};
                for (k = 0; k < 8; k++) {{
                    for (n = 0; n < 4; n++, r += {row}) p[n] = {up}_ROW(r);
                    q[k] = _mm_sub_epi32({name}_hsum4(p[0], p[1], p[2], p[3]), corr);
                    q[k] = {name}_gate4(q[k], b + i + 4 * k, m + i + 4 * k,
                                        half4, shift4);
                }}
                for (k = 0; k < 4; k++)
                    _mm_storeu_si128((__m128i *)(void *)(pre + i + 8 * k),
                        {name}_act8(_mm_packs_epi32(q[2 * k], q[2 * k + 1]),
                                    k == 2 ? ones : zero));
            }}
        }}
#endif
        for (; i < {gates}; i++) {{
            const uint8_t *restrict r = w + i * {row};
            int32_t acc = b[i];
            for (n = 0; n < {row}; n++) acc += (r[n] - 128) * v[n];
            acc = {name}_sat((acc * m[i] + half) >> shift, -32768, 32767);
            pre[i] = (int16_t)({up}_GATE_OF(i) == 2 ? {name}_tanh(acc)
                                                    : {name}_sigmoid(acc));
        }}
        j = 0;
#if {up}_SIMD
        for (; j < {grouped}; j += 8) {name}_cell8(pre + 4 * j, c + j, v + {n_in} + j);
#endif
        for (; j < {hidden}; j++) {name}_cell(pre, j, c, v + {n_in});
{reduce_step}    }}
{reduce_end}}}
"""

_LSTM_SIMD = """
#if {up}_SIMD
/* (acc + b) * m + half >> shift per lane: int32 throughout (SSE2 has no
   pmulld: two pmuludq give the low halves of the products). */
static inline __m128i {name}_gate4(__m128i acc, const int32_t *b, const int16_t *m,
                                   __m128i half, __m128i shift)
{{
    __m128i mm = _mm_unpacklo_epi16(
        _mm_loadl_epi64((const __m128i *)(const void *)m), _mm_setzero_si128());
    __m128i even, odd;
    acc = _mm_add_epi32(acc, _mm_loadu_si128((const __m128i *)(const void *)b));
    even = _mm_mul_epu32(acc, mm);
    odd = _mm_mul_epu32(_mm_srli_epi64(acc, 32), _mm_srli_epi64(mm, 32));
    acc = _mm_unpacklo_epi32(_mm_shuffle_epi32(even, _MM_SHUFFLE(0, 0, 2, 0)),
                             _mm_shuffle_epi32(odd, _MM_SHUFFLE(0, 0, 2, 0)));
    return _mm_sra_epi32(_mm_add_epi32(acc, half), shift);
}}

/* Eight activations from Q3.12 values x: {name}_sigmoid where the mask t is 0,
   {name}_tanh where it is all ones, as vector operations around an eight-lane
   table lookup (the same integers). */
static __m128i {name}_act8(__m128i x, __m128i t)
{{
    const __m128i top = _mm_set1_epi16(-32768), k256 = _mm_set1_epi16(256);
    const __m128i half = _mm_set1_epi32(128), zero = _mm_setzero_si128();
    __m128i a, neg, f, lo = zero, hi = zero, s0, s1;
    const int16_t *p;
    x = _mm_adds_epi16(x, _mm_and_si128(x, t));           /* tanh: sat16(2x) */
    a = _mm_max_epi16(x, _mm_subs_epi16(zero, x));         /* min(|x|, 32767) */
    neg = _mm_cmpgt_epi16(zero, x);
    f = _mm_and_si128(a, _mm_set1_epi16(255));
    a = _mm_srli_epi16(a, 8);
#define {up}_GATHER(k) \\
    p = {name}_sigmoid_table + _mm_extract_epi16(a, k); \\
    lo = _mm_insert_epi16(lo, p[0], k); \\
    hi = _mm_insert_epi16(hi, p[1], k)
    {up}_GATHER(0);
    {up}_GATHER(1);
    {up}_GATHER(2);
    {up}_GATHER(3);
    {up}_GATHER(4);
    {up}_GATHER(5);
    {up}_GATHER(6);
    {up}_GATHER(7);
#undef {up}_GATHER
    hi = _mm_sub_epi16(hi, lo);
    /* (T[i+1] - T[i]) * f + 256 T[i] + 128 >> 8 */
    s0 = _mm_madd_epi16(_mm_unpacklo_epi16(hi, lo), _mm_unpacklo_epi16(f, k256));
    s1 = _mm_madd_epi16(_mm_unpackhi_epi16(hi, lo), _mm_unpackhi_epi16(f, k256));
    s0 = _mm_srai_epi32(_mm_add_epi32(s0, half), 8);
    s1 = _mm_srai_epi32(_mm_add_epi32(s1, half), 8);
    x = _mm_packs_epi32(s0, s1);
    /* x < 0: 32768 - s, computed modulo 2^16 */
    x = _mm_or_si128(_mm_and_si128(neg, _mm_xor_si128(_mm_sub_epi16(zero, x), top)),
                     _mm_andnot_si128(neg, x));
    x = _mm_add_epi16(x, _mm_and_si128(x, t));             /* tanh: 2 s - 32768 */
    return _mm_xor_si128(x, _mm_and_si128(top, t));
}}

/* 32-bit products of two int16 vectors: lanes 0-3 in *lo, 4-7 in *hi. */
static inline void {name}_mul32(__m128i a, __m128i b, __m128i *lo, __m128i *hi)
{{
    __m128i l = _mm_mullo_epi16(a, b), h = _mm_mulhi_epi16(a, b);
    *lo = _mm_unpacklo_epi16(l, h);
    *hi = _mm_unpackhi_epi16(l, h);
}}

/* {name}_cell for eight units j..j+7 whose activations a hold i, f, g, o of the
   eight units in turn. f * c is split as c = ch 2^15 + cl so that both
   products fit 32 bits: (f c + 2^14) >> 15 = f ch + ((f cl + 2^14) >> 15). */
static void {name}_cell8(const int16_t *a, int32_t *c, int16_t *h)
{{
    const __m128i f = _mm_loadu_si128((const __m128i *)(const void *)(a + 8));
    const __m128i c0 = _mm_loadu_si128((const __m128i *)(const void *)c);
    const __m128i c1 = _mm_loadu_si128((const __m128i *)(const void *)(c + 4));
    const __m128i low15 = _mm_set1_epi32(32767);
    __m128i x0, x1, y0, y1;
    {name}_mul32(f, _mm_packs_epi32(_mm_and_si128(c0, low15),
                                    _mm_and_si128(c1, low15)), &x0, &x1);
    x0 = _mm_srai_epi32(_mm_add_epi32(x0, _mm_set1_epi32({half_keep})), 15);
    x1 = _mm_srai_epi32(_mm_add_epi32(x1, _mm_set1_epi32({half_keep})), 15);
    {name}_mul32(f, _mm_packs_epi32(_mm_srai_epi32(c0, 15), _mm_srai_epi32(c1, 15)),
                 &y0, &y1);
    x0 = _mm_add_epi32(x0, y0);
    x1 = _mm_add_epi32(x1, y1);
    {name}_mul32(_mm_loadu_si128((const __m128i *)(const void *)a),
                 _mm_loadu_si128((const __m128i *)(const void *)(a + 16)), &y0, &y1);
    x0 = _mm_add_epi32(x0, _mm_srai_epi32(
        _mm_add_epi32(y0, _mm_set1_epi32({half_gain})), {gain}));
    x1 = _mm_add_epi32(x1, _mm_srai_epi32(
        _mm_add_epi32(y1, _mm_set1_epi32({half_gain})), {gain}));
    _mm_storeu_si128((__m128i *)(void *)c, x0);
    _mm_storeu_si128((__m128i *)(void *)(c + 4), x1);
    /* (o tanh(c) >> 16) * m_h, rounded, >> shift_h, clamped to [-127, 127] */
    x0 = _mm_mulhi_epi16(_mm_loadu_si128((const __m128i *)(const void *)(a + 24)),
                         {name}_act8(_mm_packs_epi32(x0, x1), _mm_set1_epi16(-1)));
    {name}_mul32(x0, _mm_set1_epi16({h_m}), &y0, &y1);
    y0 = _mm_srai_epi32(_mm_add_epi32(y0, _mm_set1_epi32({h_half})), {h_s});
    y1 = _mm_srai_epi32(_mm_add_epi32(y1, _mm_set1_epi32({h_half})), {h_s});
    x0 = _mm_max_epi16(_mm_min_epi16(_mm_packs_epi32(y0, y1), _mm_set1_epi16(127)),
                       _mm_set1_epi16(-127));
    _mm_storeu_si128((__m128i *)(void *)h, x0);
}}

/* Partial sums (int32x4) of (w + 128) . v for one weight row at r, with v in
   x0, x1, ... */
#define {up}_MAC(r, n, x) _mm_madd_epi16(_mm_unpacklo_epi8( \\
    _mm_loadl_epi64((const __m128i *)(const void *)((r) + (n))), zero), x)
#define {up}_ROW(r) \\
    {row_expr}
#endif
"""


def _pair_call(name: str, up: str, i: int, stage, row: int, out_len: int) -> str:
    """The call that handles positions t and t + 1 of conv stage i."""
    out_ch, pool = stage.weight.shape[0], stage.pool
    z_out = int(stage.output_zero_point)
    tables = f"{name}_conv{i}_w, {name}_conv{i}_b, {name}_conv{i}_m, {name}_conv{i}_s"
    generic = (
        f"        {name}_conv_pair({tables},\n"
        f"            {out_ch}, {row}, {pool}, {out_len}, {z_out}, ca, cb,\n"
        f"            t % {pool}, t / {pool},\n"
        f"            t + 1 < {out_len * pool} ? (t + 1) % {pool} : -1,\n"
        f"            (t + 1) / {pool}, best, acc, y);\n"
    )
    if pool % 2:
        return generic.rstrip("\n")
    return (
        f"#if {up}_SIMD\n"
        f"        {name}_conv_pool2({tables},\n"
        f"            {out_ch}, {row}, {out_len}, {z_out}, ca, cb, t % {pool} == 0,\n"
        f"            t % {pool} == {pool - 2}, t / {pool}, best, acc, y);\n"
        f"#else\n{generic}#endif"
    )


def _lstm_row_order(hidden: int) -> np.ndarray:
    """The C tables' LSTM row order, as indices into PyTorch's gate-major rows.

    Hidden units go in groups of eight, each group's 32 rows gate by gate (the
    SSE2 code gets a gate of eight units as one vector), then the remaining units
    with their four gate rows together (see ``NAME_ROW_OF`` in the source).
    """
    grouped = hidden // 8 * 8
    order = [
        gate * hidden + start + u
        for start in range(0, grouped, 8)
        for gate in range(4)
        for u in range(8)
    ]
    order += [gate * hidden + j for j in range(grouped, hidden) for gate in range(4)]
    return np.array(order, dtype=np.int64)


def _simd_fits(model: IntegerMicroBi) -> bool:
    """Whether the SSE2 kernels' int32 arithmetic cannot wrap for this model.

    ``len * 255 * max|input| < 2**31`` for every convolution row (int16 input to
    the first stage, int8 after) and the LSTM rows (int8 inputs), and the hidden
    state's requantisation shift fits a 32-bit lane.
    """
    lengths = [
        padded_taps(s) * (32768 if i == 0 else 128) for i, s in enumerate(model.convs)
    ]
    n_in = model.lstm[0].weight_ih.shape[1]
    lengths.append(padded_lstm_row(n_in, model.hidden_size) * 128)
    # the hidden state's requantisation runs in int32 lanes: its shift must be
    # below 31 (it is at most 21 for any hidden scale <= 1 / 127)
    return max(lengths) * 255 < 2**31 and model.hidden_shift <= 30


def _source(model: IntegerMicroBi, name: str) -> str:
    layout = scratch_layout(model)
    lengths = model.stage_lengths
    hidden = model.hidden_size
    n_in = model.lstm[0].weight_ih.shape[1]
    padded = padded_lstm_row(n_in, hidden)
    up = name.upper()
    parts = [
        f"/* {name}.c: generated by skmicrobi.export.export_c; see {name}.h. */\n",
        f'#include <string.h>\n#include "{name}.h"\n\n',
    ]
    if _simd_fits(model):
        parts.append(
            "/* SSE2 kernels where the compiler targets SSE2 (every x86-64 host);\n"
            f"   define {up}_PORTABLE to build the plain C path there too. */\n"
            f"#if defined(__SSE2__) && !defined({up}_PORTABLE)\n"
            f"#define {up}_SIMD 1\n#include <emmintrin.h>\n"
            f"#else\n#define {up}_SIMD 0\n#endif\n\n"
        )
    else:
        parts.append(
            "/* Plain C only: this model's sizes or scales are beyond what the\n"
            "   SSE2 kernels' int32 arithmetic holds. */\n"
            f"#define {up}_SIMD 0\n\n"
        )
    for i, stage in enumerate(model.convs):
        rows = stage.weight.reshape(len(stage.weight), -1)
        rows = np.pad(rows, ((0, 0), (0, padded_taps(stage) - rows.shape[1])))
        parts.append(_array("uint8_t", f"{name}_conv{i}_w", rows.astype(int) + 128))
        parts.append(_array("int32_t", f"{name}_conv{i}_b", stage.bias, 8))
        parts.append(_array("int16_t", f"{name}_conv{i}_m", stage.multiplier))
        parts.append(_array("int8_t", f"{name}_conv{i}_s", stage.shift))
        if i == 0:
            parts.append(_array("int16_t", f"{name}_conv0_z", stage.input_zero_point))
    order = _lstm_row_order(hidden)
    for d, direction in enumerate(model.lstm):
        rows = np.concatenate([direction.weight_ih, direction.weight_hh], axis=1)
        rows = rows[order]
        table = np.concatenate([rows.ravel(), np.zeros(padded - rows.shape[1], int)])
        parts.append(_array("uint8_t", f"{name}_lstm{d}_w", table.astype(int) + 128))
        parts.append(_array("int32_t", f"{name}_lstm{d}_b", direction.bias[order], 8))
        parts.append(
            _array("int16_t", f"{name}_lstm{d}_m", direction.multiplier[order])
        )
    parts.append(_array("int8_t", f"{name}_head_w", model.head_weight))
    parts.append(_array("int32_t", f"{name}_head_b", model.head_bias, 8))
    parts.append(_array("int16_t", f"{name}_sigmoid_table", SIGMOID_TABLE, 12))
    parts.append(
        "\n/* Activations: one buffer per element type (see scratch_layout). */\n"
        f"static int8_t {name}_act[{layout['act_bytes']}];\n"
        f"static int16_t {name}_work16[{layout['work16_len']}];\n"
        f"static int32_t {name}_work32[{layout['work32_len']}];\n\n"
    )
    parts.append(_HELPERS.format(name=name))
    parts.append(_DOT8.format(name=name, up=up))
    even = [stage.pool % 2 == 0 for stage in model.convs]
    if all(even):
        parts.append(
            f"\n#if !{up}_SIMD" + _CONV_PAIR.format(name=name, up=up) + "#endif\n"
        )
    else:
        parts.append(_CONV_PAIR.format(name=name, up=up))
    if any(even):
        parts.append(f"\n#if {up}_SIMD" + _CONV_POOL2.format(name=name) + "#endif\n")
    for i, stage in enumerate(model.convs):
        _, in_ch, kernel = stage.weight.shape
        zero_point = (
            f"{name}_conv0_z[c]" if i == 0 else str(int(stage.input_zero_point[0]))
        )
        row = padded_taps(stage)
        parts.append(
            "\n"
            + _CONV.format(
                name=name,
                i=i,
                in_type="int16_t" if i == 0 else "int8_t",
                in_ch=in_ch,
                kernel=kernel,
                pad=kernel // 2,
                taps=in_ch * kernel,
                row=row,
                length=lengths[i],
                positions=lengths[i + 1] * stage.pool,
                pair_call=_pair_call(name, up, i, stage, row, lengths[i + 1]),
                zero_point=zero_point,
            )
        )
    steps = lengths[-1]
    h = f"v[{n_in} + j]"
    if model.reduction == "mean":
        reduce_step = f"        for (j = 0; j < {hidden}; j++) feat[j] += {h};\n"
        reduce_end = ""
    elif model.reduction == "last":
        reduce_step = (
            f"        if (t == {steps} - 1)\n"
            f"            for (j = 0; j < {hidden}; j++) feat[j] = {h};\n"
        )
        reduce_end = ""
    else:
        reduce_step = ""
        reduce_end = f"    for (j = 0; j < {hidden}; j++) feat[j] = {h};\n"
    gain = 30 - GATE_FRAC_BITS
    row = n_in + hidden
    chunks = padded // 8
    grouped = hidden // 8 * 8
    row_expr = ", \\\n    ".join(
        ["_mm_add_epi32(" * (chunks - 1) + f"{up}_MAC(r, 0, x0)"]
        + [f"{up}_MAC(r, {8 * k}, x{k}))" for k in range(1, chunks)]
    )
    load_x = "\n".join(
        f"            const __m128i x{k} = _mm_loadu_si128("
        f"(const __m128i *)(const void *)(v + {8 * k}));"
        for k in range(chunks)
    )
    constants = {
        "name": name,
        "up": up,
        "half_keep": 1 << 14,
        "half_gain": 1 << (gain - 1),
        "gain": gain,
        "h_m": int(model.hidden_multiplier),
        "h_s": int(model.hidden_shift),
        "h_half": 1 << (int(model.hidden_shift) - 1),
    }
    parts.append(
        "\n"
        + _LSTM.format(
            hidden=hidden,
            steps=steps,
            n_in=n_in,
            row=row,
            padded=padded,
            gates=4 * hidden,
            grouped=grouped,
            grouped4=4 * grouped,
            tail=hidden - grouped,
            simd_helpers=_LSTM_SIMD.format(row_expr=row_expr, **constants),
            load_x=load_x,
            reduce_step=reduce_step,
            reduce_end=reduce_end,
            **constants,
        )
    )

    n_features = model.head_weight.shape[1]
    outs = [s.weight.shape[0] * lengths[i + 1] for i, s in enumerate(model.convs)]
    body = [
        f"\nvoid {name}_predict(const int16_t *in, int32_t *logits)\n{{",
        f"    int32_t *feat = {name}_work32 + {_DOT_SLOTS + hidden};",
        "    int32_t k, j;",
    ]
    source = "in"
    for i in range(len(model.convs)):
        offset = 0 if i % 2 == 0 else layout["act_bytes"] - outs[i]
        out = f"{name}_act + {offset}"
        body.append(
            f"    {name}_conv{i}({source}, {out}, {name}_work16, "
            f"{name}_work32 + {_DOT_SLOTS}, {name}_work32);"
        )
        source = out
    for d in range(len(model.lstm)):
        body.append(
            f"    {name}_lstm({source}, {name}_lstm{d}_w, {name}_lstm{d}_b, "
            f"{name}_lstm{d}_m, {int(model.lstm[d].shift)}, "
            f"{int(model.lstm[d].reverse)},\n"
            f"              {name}_work16, {name}_work16 + {padded}, "
            f"{name}_work32 + {_DOT_SLOTS}, feat + {d * hidden});"
        )
    body += [
        "    /* the linear head, feature by feature (a few hundred MACs: compact",
        "       scalar code) */",
        f"    for (k = 0; k < {model.n_classes}; k++) logits[k] = {name}_head_b[k];",
        f"    for (j = 0; j < {n_features}; j++)",
        f"        for (k = 0; k < {model.n_classes}; k++)",
        f"            logits[k] += {name}_head_w[k * {n_features} + j] * feat[j];",
        "}",
        "",
    ]
    parts.append("\n".join(body))
    return "".join(parts)


def _integer_model(quantized: Any) -> tuple[IntegerMicroBi, Sequence[Any] | None]:
    if isinstance(quantized, IntegerMicroBi):
        return quantized, None
    model = getattr(quantized, "integer_model_", None)
    if isinstance(model, IntegerMicroBi):
        return model, list(getattr(quantized, "classes_", []))
    if (
        hasattr(quantized, "integer_model_")
        or type(quantized).__name__ == "Int8Quantizer"
    ):
        raise ValueError(
            "The Int8Quantizer is not fitted yet; call fit before export_c."
        )
    raise TypeError(
        "export_c expects a fitted Int8Quantizer or an IntegerMicroBi, got "
        f"{type(quantized).__name__}."
    )


def _write_atomically(files: dict[Path, str]) -> None:
    temps = []
    try:
        for path, text in files.items():
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
            temps.append(tmp)
            with os.fdopen(fd, "w", encoding="ascii", newline="\n") as fh:
                fh.write(text)
        for tmp, path in zip(temps, files):
            os.replace(tmp, path)
    finally:
        for tmp in temps:
            if os.path.exists(tmp):
                os.unlink(tmp)


def export_c(
    quantized: Any, directory: str | os.PathLike, name: str = "model"
) -> tuple[Path, Path]:
    """Write the integer model as C99: ``name.h`` and ``name.c`` in ``directory``.

    Parameters
    ----------
    quantized : Int8Quantizer or IntegerMicroBi
        A fitted quantizer (its ``classes_`` go into the header comment) or an
        integer model.
    directory : str or path-like
        Output folder, created if missing. Each file is written to a temporary
        file and renamed, so no half-written file is ever left behind.
    name : str, default="model"
        C identifier used for the file names, the function ``name_predict`` and
        the macros ``NAME_N_CHANNELS``, ``NAME_N_TIMEPOINTS``, ``NAME_N_CLASSES``,
        ``NAME_SCRATCH_BYTES``.

    Returns
    -------
    header, source : pathlib.Path
        The written files.

    Raises
    ------
    ValueError
        If ``name`` is not a C identifier or the quantizer is not fitted.
    TypeError
        If ``quantized`` is neither a quantizer nor an integer model.

    Examples
    --------
    >>> import tempfile
    >>> import numpy as np
    >>> from skmicrobi import MicroBiConvLSTM
    >>> from skmicrobi.quantization import build_integer_model
    >>> from skmicrobi.export import export_c
    >>> X = np.random.default_rng(0).normal(size=(4, 3, 32))
    >>> model = build_integer_model(MicroBiConvLSTM(3, 2), X)
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     header, source = export_c(model, tmp, name="har")
    ...     print(header.name, source.name, "float" in source.read_text())
    har.h har.c False
    """
    if not isinstance(name, str) or not _IDENTIFIER.match(name):
        raise ValueError(
            f"name must be a C identifier (letters, digits, underscore; not starting "
            f"with a digit), got {name!r}."
        )
    model, classes = _integer_model(quantized)
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    header = directory / f"{name}.h"
    source = directory / f"{name}.c"
    _write_atomically(
        {
            header: _header(model, name, classes),
            source: _source(model, name),
        }
    )
    return header, source


# -- compiling ---------------------------------------------------------------------
def find_compiler() -> str | None:
    """The C compiler to use: ``$CC`` or ``cc`` on the PATH, else None.

    Returns
    -------
    str or None
        Absolute path of the compiler.

    Examples
    --------
    >>> from skmicrobi.export import find_compiler
    >>> find_compiler() is None or isinstance(find_compiler(), str)
    True
    """
    return shutil.which(os.environ.get("CC", "cc"))


def _source_of(paths: Sequence[str | os.PathLike]) -> Path:
    for p in paths:
        if str(p).endswith(".c"):
            return Path(p)
    raise ValueError(
        f"No .c file among {list(map(str, paths))}; pass export_c's paths."
    )


def _run(cmd: list[str], **kwargs) -> subprocess.CompletedProcess:
    proc = subprocess.run(cmd, capture_output=True, **kwargs)
    if proc.returncode != 0:
        err = (
            proc.stderr.decode(errors="replace")
            if isinstance(proc.stderr, bytes)
            else proc.stderr
        )
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err}")
    return proc


def compile_c(
    paths: Sequence[str | os.PathLike], *, flags: Sequence[str] = DEFAULT_CFLAGS
) -> int | None:
    """Compile the exported source to an object and measure its size.

    Parameters
    ----------
    paths : sequence of path
        The paths :func:`export_c` returned (the header must sit next to the source).
    flags : sequence of str, default=DEFAULT_CFLAGS
        Compiler flags (``-std=c99 -Wall -Wextra -Werror -O2``).

    Returns
    -------
    int or None
        ``.text + .data + .rodata`` of the object in bytes (from ``size -A``), or
        None when no C compiler or no ``size`` tool is installed.

    Raises
    ------
    RuntimeError
        If the compiler rejects the code (with its messages).

    Examples
    --------
    >>> import tempfile
    >>> import numpy as np
    >>> from skmicrobi import MicroBiConvLSTM
    >>> from skmicrobi.quantization import build_integer_model
    >>> from skmicrobi.export import compile_c, export_c
    >>> X = np.random.default_rng(0).normal(size=(4, 3, 32))
    >>> model = build_integer_model(MicroBiConvLSTM(3, 2), X)
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     size = compile_c(export_c(model, tmp))
    >>> size is None or size > 9000
    True
    """
    compiler, size_tool = find_compiler(), shutil.which("size")
    if compiler is None or size_tool is None:
        return None
    source = _source_of(paths)
    with tempfile.TemporaryDirectory() as tmp:
        obj = Path(tmp) / (source.stem + ".o")
        _run([compiler, *flags, "-c", str(source), "-o", str(obj)])
        report = _run([size_tool, "-A", str(obj)], text=True).stdout
    total = 0
    for line in report.splitlines():
        fields = line.split()
        if (
            len(fields) >= 2
            and fields[1].isdigit()
            and fields[0].startswith((".text", ".data", ".rodata"))
        ):
            total += int(fields[1])
    return total


_HARNESS = """\
#include <stdio.h>
#include "{name}.h"

/* Reads int16 windows from stdin, writes int32 logits to stdout (native order). */
int main(void)
{{
    static int16_t in[{up}_N_CHANNELS * {up}_N_TIMEPOINTS];
    int32_t logits[{up}_N_CLASSES];
    const size_t n = sizeof(in) / sizeof(in[0]);
    while (fread(in, sizeof(in[0]), n, stdin) == n) {{
        {name}_predict(in, logits);
        if (fwrite(logits, sizeof(logits[0]), {up}_N_CLASSES, stdout)
                != {up}_N_CLASSES)
            return 1;
    }}
    return ferror(stdin) ? 1 : 0;
}}
"""


def build_harness(
    paths: Sequence[str | os.PathLike],
    executable: str | os.PathLike,
    *,
    flags: Sequence[str] = DEFAULT_CFLAGS,
) -> Path:
    """Compile the exported code with a harness that maps windows to logits.

    The program reads int16 windows (``n_channels * n_timepoints`` values each,
    native byte order) from stdin and writes each window's int32 logits to stdout.

    Parameters
    ----------
    paths : sequence of path
        The paths :func:`export_c` returned.
    executable : path
        Where to write the program.
    flags : sequence of str, default=DEFAULT_CFLAGS
        Compiler flags, e.g. add ``-fsanitize=address,undefined``.

    Returns
    -------
    pathlib.Path
        The executable.

    Raises
    ------
    RuntimeError
        If no C compiler is found or it rejects the code.
    """
    compiler = find_compiler()
    if compiler is None:
        raise RuntimeError("No C compiler found: install cc or set $CC.")
    source = _source_of(paths)
    name = source.stem
    harness = source.parent / f"{name}_harness.c"
    harness.write_text(_HARNESS.format(name=name, up=name.upper()), encoding="ascii")
    executable = Path(executable)
    _run(
        [
            compiler,
            *flags,
            "-I",
            str(source.parent),
            str(harness),
            str(source),
            "-o",
            str(executable),
        ]
    )
    return executable


def run_c(executable: str | os.PathLike, q: np.ndarray, n_classes: int) -> np.ndarray:
    """Run a harness from :func:`build_harness` on int16 windows.

    Parameters
    ----------
    executable : path
        The harness program.
    q : ndarray of int16, shape (n, n_channels, n_timepoints)
        Input windows (e.g. from :meth:`Int8Quantizer.quantize_input`).
    n_classes : int
        Number of logits per window.

    Returns
    -------
    ndarray of int32, shape (n, n_classes)
        The logits computed by the C code.
    """
    data = np.ascontiguousarray(q, dtype=np.int16).tobytes()
    out = _run([str(executable)], input=data).stdout
    return np.frombuffer(out, dtype=np.int32).reshape(len(q), n_classes).copy()
