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
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


# -- scratch memory ----------------------------------------------------------------
def scratch_layout(model: IntegerMicroBi) -> dict[str, int]:
    """Sizes of the static buffers that hold the activations.

    Three buffers, one per element type, so that no byte is ever read through a
    type other than the one it was written with (C's aliasing rules):

    - ``act`` (int8): the output of each conv stage. Even stages write from the
      start, odd stages from the end, so a stage's input and output never
      overlap; its size is the largest sum of two consecutive stage outputs.
    - ``work16`` (int16): a conv stage's receptive field ``col`` (``in_channels *
      kernel_size``, padded like the weight rows), or the LSTM's ``v = [x_t, h]``
      (zero-padded, see :func:`~skmicrobi.int8.model.padded_lstm_row`)
      and new hidden state.
    - ``work32`` (int32): a conv stage's running max per output channel, or the
      LSTM's cell state and the reduced features.

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
    {'act_bytes': 1536, 'work16_len': 80, 'work32_len': 72, 'total': 1984}
    """
    lengths = model.stage_lengths
    outs = [s.weight.shape[0] * lengths[i + 1] for i, s in enumerate(model.convs)]
    act = max(a + b for a, b in zip(outs, outs[1:] + [0]))
    hidden = model.hidden_size
    n_in = model.lstm[0].weight_ih.shape[1]
    work16 = max(
        max(padded_taps(s) for s in model.convs),
        padded_lstm_row(n_in, hidden) + hidden,
    )
    work32 = max(
        max(s.weight.shape[0] for s in model.convs),
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

static int32_t {name}_sat(int64_t v, int32_t lo, int32_t hi)
{{
    return v < lo ? lo : (v > hi ? hi : (int32_t)v);
}}

/* floor(acc * m / 2^shift + 1/2); |acc| < 2^31, m < 2^15, 1 <= shift <= 62. */
static int64_t {name}_requantize(int64_t acc, int32_t m, int32_t shift)
{{
    return (acc * m + ((int64_t)1 << (shift - 1))) >> shift;
}}

/* sigmoid: Q3.12 -> Q0.15, table + linear interpolation, odd symmetry. */
static int32_t {name}_sigmoid(int32_t x)
{{
    int32_t a = x < 0 ? -x : x;
    int32_t i, f, s;
    if (a > 32767) a = 32767;
    i = a >> 8;
    f = a & 255;
    s = {name}_sigmoid_table[i]
        + ((({name}_sigmoid_table[i + 1] - {name}_sigmoid_table[i]) * f + 128) >> 8);
    return x < 0 ? 32768 - s : s;
}}

/* tanh(x) = 2 sigmoid(2x) - 1: Q.12 -> Q0.15. */
static int32_t {name}_tanh(int32_t x)
{{
    int32_t y = {name}_sat(x, -32768, 32767);
    return 2 * {name}_sigmoid({name}_sat(2 * (int64_t)y, -32768, 32767)) - 32768;
}}

/* Q3.12 gate pre-activation of one accumulator row. */
static int32_t {name}_gate(int64_t acc, int32_t m, int32_t shift)
{{
    return {name}_sat({name}_requantize(acc, m, shift), -32768, 32767);
}}
"""

_CONV = """\
/* Conv (padded with the zero point), then max-pool and requantise; the running
   max per output channel is kept in best. col holds the receptive field of
   position t; from one position to the next it slides by one step, so only the
   newest column of each input channel is read. */
static void {name}_conv{i}(const {in_type} *restrict x, int8_t *restrict y,
                           int16_t *restrict col, int32_t *restrict best)
{{
    int32_t u, j, t, c, k, o, n, pos;
    for (c = 0; c < {in_ch}; c++)
        for (k = 0; k < {kernel}; k++) {{
            pos = k - {pad};
            col[c * {kernel} + k] = (int16_t)(pos >= 0 && pos < {length}
                ? x[c * {length} + pos] : {zero_point});
        }}
    for (n = {taps}; n < {row}; n++) col[n] = 0;
    for (u = 0; u < {out_len}; u++) {{
        for (j = 0; j < {pool}; j++) {{
            t = u * {pool} + j;
            if (t > 0) {{
                memmove(col, col + 1, ({taps} - 1) * sizeof *col);
                pos = t + {kernel} - 1 - {pad};
                for (c = 0; c < {in_ch}; c++)
                    col[c * {kernel} + {kernel} - 1] = (int16_t)(pos < {length}
                        ? x[c * {length} + pos] : {zero_point});
            }}
            for (o = 0; o < {out_ch}; o++) {{
                const int8_t *restrict w = {name}_conv{i}_w + o * {row};
                int32_t a = {name}_conv{i}_b[o];
                for (n = 0; n < {row}; n++) a += w[n] * col[n];
                if (j == 0 || a > best[o]) best[o] = a;
            }}
        }}
        for (o = 0; o < {out_ch}; o++)
            y[o * {out_len} + u] = (int8_t){name}_sat({z_out}
                + {name}_requantize(best[o], {name}_conv{i}_m[o], {name}_conv{i}_s[o]),
                {z_out}, 127);
    }}
}}
"""

_LSTM = """\
/* One direction. v = [x_t, h, 0, ...] holds the step's input next to the hidden
   state, then zeros up to {padded} entries, so the four gate rows of hidden unit
   j are four dot products with v over {padded} entries (a loop the compiler
   vectorises). Past the end of its {row} weights a row reads the next row's
   first weights, or the zeros that end the table, and meets the zeros of v. */
static void {name}_lstm(const int8_t *restrict x, const int8_t *restrict w,
                        const int32_t *restrict b, const int16_t *restrict m,
                        const int8_t *restrict s, int32_t reverse,
                        int16_t *restrict v, int16_t *restrict h_new,
                        int32_t *restrict c, int32_t *restrict feat)
{{
    int32_t step, t, i, j, n;
    for (n = {n_in}; n < {padded}; n++) v[n] = 0;
    for (j = 0; j < {hidden}; j++) {{
        c[j] = 0;
        feat[j] = 0;
    }}
    for (step = 0; step < {steps}; step++) {{
        t = reverse ? {steps} - 1 - step : step;
        for (i = 0; i < {n_in}; i++) v[i] = x[i * {steps} + t];
        for (j = 0; j < {hidden}; j++) {{
            const int8_t *restrict wi = w + j * {row};
            const int8_t *restrict wf = wi + {gate_stride};
            const int8_t *restrict wg = wf + {gate_stride};
            const int8_t *restrict wo = wg + {gate_stride};
            int32_t ai = b[j], af = b[{hidden} + j], ag = b[{hidden2} + j],
                    ao = b[{hidden3} + j], ig, fg, gg, og;
            for (n = 0; n < {padded}; n++) {{
                ai += wi[n] * v[n];
                af += wf[n] * v[n];
                ag += wg[n] * v[n];
                ao += wo[n] * v[n];
            }}
            ig = {name}_sigmoid({name}_gate(ai, m[j], s[j]));
            fg = {name}_sigmoid({name}_gate(af, m[{hidden} + j], s[{hidden} + j]));
            gg = {name}_tanh({name}_gate(ag, m[{hidden2} + j], s[{hidden2} + j]));
            og = {name}_sigmoid({name}_gate(ao, m[{hidden3} + j], s[{hidden3} + j]));
            c[j] = (int32_t)((((int64_t)fg * c[j] + {half_keep}) >> 15)
                             + ((ig * gg + {half_gain}) >> {gain}));
            h_new[j] = (int16_t){name}_sat({name}_requantize(
                (int64_t)og * {name}_tanh(c[j]), {h_m}, {h_s}), -127, 127);
        }}
        for (j = 0; j < {hidden}; j++) v[{n_in} + j] = h_new[j];
{reduce_step}    }}
{reduce_end}}}
"""


def _source(model: IntegerMicroBi, name: str) -> str:
    layout = scratch_layout(model)
    lengths = model.stage_lengths
    hidden = model.hidden_size
    n_in = model.lstm[0].weight_ih.shape[1]
    padded = padded_lstm_row(n_in, hidden)
    parts = [
        f"/* {name}.c: generated by skmicrobi.export.export_c; see {name}.h. */\n",
        f'#include <string.h>\n#include "{name}.h"\n\n',
    ]
    for i, stage in enumerate(model.convs):
        rows = stage.weight.reshape(len(stage.weight), -1)
        rows = np.pad(rows, ((0, 0), (0, padded_taps(stage) - rows.shape[1])))
        parts.append(_array("int8_t", f"{name}_conv{i}_w", rows))
        parts.append(_array("int32_t", f"{name}_conv{i}_b", stage.bias, 8))
        parts.append(_array("int16_t", f"{name}_conv{i}_m", stage.multiplier))
        parts.append(_array("int8_t", f"{name}_conv{i}_s", stage.shift))
        if i == 0:
            parts.append(_array("int16_t", f"{name}_conv0_z", stage.input_zero_point))
    for d, direction in enumerate(model.lstm):
        rows = np.concatenate([direction.weight_ih, direction.weight_hh], axis=1)
        table = np.concatenate([rows.ravel(), np.zeros(padded - rows.shape[1], int)])
        parts.append(_array("int8_t", f"{name}_lstm{d}_w", table))
        parts.append(_array("int32_t", f"{name}_lstm{d}_b", direction.bias, 8))
        parts.append(_array("int16_t", f"{name}_lstm{d}_m", direction.multiplier))
        parts.append(_array("int8_t", f"{name}_lstm{d}_s", direction.shift))
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
    for i, stage in enumerate(model.convs):
        out_ch, in_ch, kernel = stage.weight.shape
        zero_point = (
            f"{name}_conv0_z[c]" if i == 0 else str(int(stage.input_zero_point[0]))
        )
        parts.append(
            "\n"
            + _CONV.format(
                name=name,
                i=i,
                in_type="int16_t" if i == 0 else "int8_t",
                out_ch=out_ch,
                in_ch=in_ch,
                kernel=kernel,
                pad=kernel // 2,
                taps=in_ch * kernel,
                row=padded_taps(stage),
                length=lengths[i],
                out_len=lengths[i + 1],
                pool=stage.pool,
                zero_point=zero_point,
                z_out=int(stage.output_zero_point),
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
    parts.append(
        "\n"
        + _LSTM.format(
            name=name,
            hidden=hidden,
            steps=steps,
            n_in=n_in,
            row=n_in + hidden,
            padded=padded,
            gate_stride=hidden * (n_in + hidden),
            hidden2=2 * hidden,
            hidden3=3 * hidden,
            half_keep=1 << 14,
            half_gain=1 << (gain - 1),
            gain=gain,
            h_m=int(model.hidden_multiplier),
            h_s=int(model.hidden_shift),
            reduce_step=reduce_step,
            reduce_end=reduce_end,
        )
    )

    n_features = model.head_weight.shape[1]
    outs = [s.weight.shape[0] * lengths[i + 1] for i, s in enumerate(model.convs)]
    body = [
        f"\nvoid {name}_predict(const int16_t *in, int32_t *logits)\n{{",
        f"    int32_t *feat = {name}_work32 + {hidden};",
        "    int32_t k, j;",
    ]
    source = "in"
    for i in range(len(model.convs)):
        offset = 0 if i % 2 == 0 else layout["act_bytes"] - outs[i]
        out = f"{name}_act + {offset}"
        body.append(
            f"    {name}_conv{i}({source}, {out}, {name}_work16, {name}_work32);"
        )
        source = out
    for d in range(len(model.lstm)):
        body.append(
            f"    {name}_lstm({source}, {name}_lstm{d}_w, {name}_lstm{d}_b, "
            f"{name}_lstm{d}_m, {name}_lstm{d}_s, {int(model.lstm[d].reverse)},\n"
            f"              {name}_work16, {name}_work16 + {padded}, "
            f"{name}_work32, feat + {d * hidden});"
        )
    body += [
        f"    for (k = 0; k < {model.n_classes}; k++) {{",
        f"        int32_t a = {name}_head_b[k];",
        f"        for (j = 0; j < {n_features}; j++)",
        f"            a += {name}_head_w[k * {n_features} + j] * feat[j];",
        "        logits[k] = a;",
        "    }",
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
