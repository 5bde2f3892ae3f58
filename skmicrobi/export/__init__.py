"""C99 export of the integer model: the model's constants next to the kernels.

:func:`export_c` writes ``name.h`` and ``name.c`` (the model: its int8 weights,
int32 biases and fixed-point scales as ``static const`` tables, described by one
``mb_model_t`` structure) next to the runtime, real C files that ship inside
the package (``skmicrobi/export/kernels``) and are the same for every model:

=============================  ==================================================
``microbi.h``                  the model structure and ``mb_predict``
``microbi.c``                  the layer sequence, pooling, the LSTM cell, tables
``microbi_kernels.h``          what a kernel file provides; fixed-point helpers
``microbi_kernels_plain.c``    reference kernels in plain C (Cortex-M0+, RISC-V)
``microbi_kernels_sse2.c``     x86 hosts (``__SSE2__``)
``microbi_kernels_arm_dsp.c``  Cortex-M4/M7/M33/M55 (``__ARM_FEATURE_DSP``): dual
                               16-bit MACs (SMLAD on SXTB16-widened weights)
=============================  ==================================================

The preprocessor builds exactly one kernel file (defining ``MICROBI_PORTABLE``
forces the plain one). Every path computes exactly the integers of
:func:`skmicrobi.int8.engine.predict_logits` (the tests run each against the
numpy engine, on the host and under QEMU for Cortex-M0+, M4 and M7). The
function

.. code-block:: c

    void name_predict(const int16_t *in, int32_t *logits, void *scratch);

takes one window channel-major (``in[c * T + t]``; ``int8_t`` for a model
quantized with ``input_bits=8``), writes one int32 per class, and works in the
caller's scratch buffer of ``NAME_SCRATCH_BYTES`` bytes (4-byte aligned), so it
is reentrant. No float, no malloc, no recursion; ``int64_t`` is used only by a
conv stage whose requantisation shift is below 17 (none of the paper's models).

``name.c`` refuses to compile against a ``name.h`` of another model (sizes and a
fingerprint of the constants) or another runtime version. :func:`compile_c`
measures the compiled objects with the system compiler, and :func:`run_c` runs
the exported code on windows through a small stdin/stdout harness, for
comparison with the numpy engine.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from skmicrobi._cnames import check_model_name
from skmicrobi._files import new_file_mode
from skmicrobi.int8.model import (
    ROW_MULTIPLE,
    IntegerMicroBi,
    padded_lstm_row,
    padded_taps,
)

#: Flags of the C compiler in :func:`compile_c` and :func:`run_c`.
DEFAULT_CFLAGS = ("-std=c99", "-Wall", "-Wextra", "-Werror", "-O2")
#: The runtime files written next to every model (``skmicrobi/export/kernels``).
RUNTIME_FILES = (
    "microbi.h",
    "microbi_kernels.h",
    "microbi.c",
    "microbi_kernels_plain.c",
    "microbi_kernels_sse2.c",
    "microbi_kernels_arm_dsp.c",
)
#: ``MICROBI_RUNTIME_VERSION`` of the runtime files; a model's source checks it.
RUNTIME_VERSION = 2
_REDUCTIONS = {
    "final": "MB_REDUCE_FINAL",
    "last": "MB_REDUCE_LAST",
    "mean": "MB_REDUCE_MEAN",
}


# -- scratch memory ----------------------------------------------------------------
def scratch_layout(model: IntegerMicroBi) -> dict[str, int]:
    """Sizes of the regions of the caller's scratch buffer.

    ``name_predict`` carves one 4-byte aligned buffer into three regions, one
    per element type, so that no byte is ever read through a type other than
    the one it was written with (C's aliasing rules):

    - ``work32`` (int32), first: a conv stage's dot products at two positions
      and its running max (``3 * out_channels``), or the LSTM's cell state and
      the reduced features (``hidden + directions * hidden``).
    - ``work16`` (int16): a conv stage's receptive fields at two positions (two
      padded weight rows), or the LSTM's ``v = [x_t, h, 0...]`` (one padded gate
      row) and the activations of its ``4 * hidden`` gate rows.
    - ``act`` (int8), last: the output of each conv stage. Even stages write
      from the start, odd stages up to the end, so a stage's input and output
      never overlap; its size is the largest sum of two consecutive outputs.

    Parameters
    ----------
    model : IntegerMicroBi

    Returns
    -------
    dict
        ``work32_len``, ``work16_len`` (elements), ``act_bytes`` and ``total``
        (bytes of all three: ``NAME_SCRATCH_BYTES``).

    Examples
    --------
    >>> import numpy as np
    >>> from skmicrobi import MicroBiConvLSTM
    >>> from skmicrobi.int8 import build_integer_model
    >>> from skmicrobi.export import scratch_layout
    >>> X = np.random.default_rng(0).normal(size=(4, 9, 128))
    >>> scratch_layout(build_integer_model(MicroBiConvLSTM(9, 6), X))
    {'work32_len': 72, 'work16_len': 160, 'act_bytes': 1536, 'total': 2144}
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
    work32 = max(
        max(3 * s.weight.shape[0] for s in model.convs),
        hidden + hidden * len(model.lstm),
    )
    # work16 follows work32 (4-byte aligned) and act follows work16: round the
    # int16 region up to an even count so the total stays a multiple of 4
    work16 += work16 % 2
    act_bytes = -(-act // 4) * 4
    return {
        "work32_len": work32,
        "work16_len": work16,
        "act_bytes": act_bytes,
        "total": 4 * work32 + 2 * work16 + act_bytes,
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


def _weights(name: str, values: np.ndarray) -> str:
    """An int8 weight table aligned to 4 bytes (the kernels load words, and
    LDRD needs word alignment): C99 has no alignment specifier, a union with a
    uint32_t member gives it."""
    flat = [str(int(v)) for v in np.ravel(values)]
    lines = ["    " + ", ".join(flat[i : i + 16]) for i in range(0, len(flat), 16)]
    body = ",\n".join(lines)
    return (
        f"static const union {{\n    uint32_t align;\n    int8_t w[{len(flat)}];\n}} "
        f"{name} = {{.w = {{\n{body}\n}}}};\n"
    )


def _label_text(label: Any) -> str:
    """A class label as C comment text: its Python repr, never closing the comment."""
    if isinstance(label, np.generic):
        label = label.item()
    return repr(label).replace("*/", "* /")


def macro_prefix(name: str) -> str:
    """The prefix of a model's macros and include guard.

    ``name.upper()`` for a name without capitals (``har`` -> ``HAR``); a name
    with capitals gets a suffix that records which letters were capitals
    (``Har`` -> ``HAR_x1``), so that two names differing only in case never
    share a macro or an include guard (an upper-cased name has no lowercase
    letter, the suffix has one).

    Parameters
    ----------
    name : str
        The model's C name.

    Returns
    -------
    str

    Examples
    --------
    >>> from skmicrobi.export import macro_prefix
    >>> macro_prefix("har"), macro_prefix("Har"), macro_prefix("HAR")
    ('HAR', 'HAR_x1', 'HAR_x7')
    """
    mask = sum(1 << i for i, ch in enumerate(name) if ch.isupper())
    return name.upper() + (f"_x{mask:x}" if mask else "")


def _weight_rows(rows: np.ndarray, length: int, block: int) -> np.ndarray:
    """The weight table of a layer as the kernels read it (one flat int8 array).

    Each row is padded with zeros to ``length`` (a multiple of four) and each of
    its groups of four weights is stored w0 w2 w1 w3: on Arm, SXTB16 of the word
    and of the word rotated by 8 bits give the int16 pairs (w0, w1) and (w2, w3)
    that meet the inputs (v0, v1) and (v2, v3) in one SMLAD each. Rows go in
    blocks of ``block`` rows (2 for a conv stage, 4 for the LSTM) whose words
    alternate (word k of each row of the block, then word k + 1, ...), so that
    one load brings the next word of every row of the block; rows past the last
    full block follow one after the other.
    """
    rows = np.pad(rows, ((0, 0), (0, length - rows.shape[1])))
    rows = rows.reshape(len(rows), -1, ROW_MULTIPLE)[:, :, [0, 2, 1, 3]]
    full = len(rows) // block * block
    blocks = rows[:full].reshape(full // block, block, -1, ROW_MULTIPLE)
    blocks = blocks.transpose(0, 2, 1, 3)
    return np.concatenate([blocks.ravel(), rows[full:].ravel()])


def _lstm_row_order(hidden: int) -> np.ndarray:
    """The C tables' LSTM row order, as indices into PyTorch's gate-major rows.

    Hidden units go in groups of eight, each group's 32 rows gate by gate (a
    kernel gets a gate of eight units in a row), then the remaining units with
    their four gate rows together (see ``mb_gate_of`` in ``microbi_kernels.h``).
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


def _check_runtime_limits(model: IntegerMicroBi) -> None:
    """The C descriptors hold sizes in uint16 and the kernels index with int32."""
    layout = scratch_layout(model)
    sizes = [model.n_channels, model.n_timepoints, layout["total"]]
    sizes += [s.weight.size for s in model.convs]
    if max(sizes) > 0xFFFF:
        raise ValueError(
            f"This model is too large for the C runtime's 16-bit sizes (largest "
            f"{max(sizes)}; scratch {layout['total']} bytes): use shorter windows "
            "or fewer channels."
        )


def fingerprint(model: IntegerMicroBi) -> int:
    """A 32-bit fingerprint of the model's integers (``NAME_FINGERPRINT``).

    Parameters
    ----------
    model : IntegerMicroBi

    Returns
    -------
    int
        The first four bytes of the SHA-256 of every constant the C model holds.

    Examples
    --------
    >>> import numpy as np
    >>> from skmicrobi import MicroBiConvLSTM
    >>> from skmicrobi.int8 import build_integer_model
    >>> from skmicrobi.export import fingerprint
    >>> X = np.random.default_rng(0).normal(size=(4, 3, 32))
    >>> a = build_integer_model(MicroBiConvLSTM(3, 2), X)
    >>> b = build_integer_model(MicroBiConvLSTM(3, 2), 2 * X)
    >>> fingerprint(a) == fingerprint(a), fingerprint(a) == fingerprint(b)
    (True, False)
    """
    digest = hashlib.sha256()
    parts: list[Any] = [model.n_channels, model.n_timepoints, model.reduction]
    for s in model.convs:
        parts += [s.weight, s.bias, s.input_zero_point, s.multiplier, s.shift]
        parts += [s.output_zero_point, s.pool]
    for d in model.lstm:
        parts += [d.weight_ih, d.weight_hh, d.bias, d.multiplier, d.shift, d.reverse]
    parts += [model.hidden_multiplier, model.hidden_shift]
    parts += [model.head_weight, model.head_bias, model.input_bits]
    for part in parts:
        data = np.ascontiguousarray(part).astype(np.int64).tobytes() if not isinstance(
            part, str
        ) else part.encode()
        digest.update(len(data).to_bytes(4, "little") + data)
    return int.from_bytes(digest.digest()[:4], "big")


def _input_type(model: IntegerMicroBi) -> str:
    return "int8_t" if model.input_bits == 8 else "int16_t"


def _header(model: IntegerMicroBi, name: str, classes: Sequence[Any] | None) -> str:
    up = macro_prefix(name)
    c, t, k = model.n_channels, model.n_timepoints, model.n_classes
    layout = scratch_layout(model)
    lengths = model.stage_lengths
    in_type = _input_type(model)
    runtime = ", ".join(f for f in RUNTIME_FILES if f.endswith(".c"))
    lo, hi = (-128, 127) if model.input_bits == 8 else (-32768, 32767)
    lines = [
        f"/* {name}.h: MicroBi-ConvLSTM as a fully integer model (generated by",
        " * skmicrobi.export.export_c; do not edit).",
        " *",
        f" * {name}_predict(in, logits, scratch): in[c * {t} + t], {in_type}, c < {c}",
        f" * channels, t < {t} steps, raw value x = INPUT_SCALE[c] * in; values beyond",
        f" * [{lo}, {hi}] must be saturated by the caller. logits[k], int32, k < {k}",
        f" * classes; real logit = {model.logit_scale:.9g} * logits[k]; prediction =",
        f" * argmax. scratch: {up}_SCRATCH_BYTES bytes, 4-byte aligned, owned by the",
        " * caller (one buffer per concurrent call).",
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
        f" * Build {name}.c with the runtime's .c files next to it ({runtime});",
        " * the preprocessor picks the kernels (define MICROBI_PORTABLE for plain C).",
        " * No float, no malloc, no recursion.",
        " */",
        f"#ifndef {up}_H",
        f"#define {up}_H",
        "",
        "#include <stdint.h>",
        "",
        f"#define {up}_N_CHANNELS {c}",
        f"#define {up}_N_TIMEPOINTS {t}",
        f"#define {up}_N_CLASSES {k}",
        f"#define {up}_INPUT_BITS {model.input_bits}",
        f"#define {up}_SCRATCH_BYTES {layout['total']}",
        f"#define {up}_FINGERPRINT 0x{fingerprint(model):08x}UL",
        "",
        "#ifdef __cplusplus",
        'extern "C" {',
        "#endif",
        "",
        f"void {name}_predict(const {in_type} *in, int32_t *logits, void *scratch);",
        "",
        "#ifdef __cplusplus",
        "}",
        "#endif",
        "",
        f"#endif /* {up}_H */",
        "",
    ]
    return "\n".join(lines)


def _source(model: IntegerMicroBi, name: str) -> str:
    up = macro_prefix(name)
    layout = scratch_layout(model)
    lengths = model.stage_lengths
    hidden = model.hidden_size
    n_in = model.lstm[0].weight_ih.shape[1]
    lstm_row = padded_lstm_row(n_in, hidden)
    outs = [s.weight.shape[0] * lengths[i + 1] for i, s in enumerate(model.convs)]
    parts = [
        f"/* {name}.c: generated by skmicrobi.export.export_c; see {name}.h. */\n",
        f'#include "{name}.h"\n#include "microbi.h"\n\n',
        "/* A header or runtime of another export must not build with this file */\n",
        f"#if {up}_N_CHANNELS != {model.n_channels} || {up}_N_TIMEPOINTS != "
        f"{model.n_timepoints} \\\n"
        f"    || {up}_N_CLASSES != {model.n_classes} || {up}_INPUT_BITS != "
        f"{model.input_bits} \\\n"
        f"    || {up}_SCRATCH_BYTES != {layout['total']} \\\n"
        f"    || {up}_FINGERPRINT != 0x{fingerprint(model):08x}UL\n"
        f'#error "{name}.h belongs to another model than {name}.c: export both again"\n'
        "#endif\n"
        f"#if MICROBI_RUNTIME_VERSION != {RUNTIME_VERSION}\n"
        f'#error "microbi.h is another runtime version than {name}.c expects"\n'
        "#endif\n\n",
    ]
    for i, stage in enumerate(model.convs):
        rows = stage.weight.reshape(len(stage.weight), -1).astype(np.int64)
        table = _weight_rows(rows, padded_taps(stage), 2)
        parts.append(_weights(f"{name}_conv{i}_w", table))
        parts.append(_array("int32_t", f"{name}_conv{i}_b", stage.bias, 8))
        parts.append(_array("int16_t", f"{name}_conv{i}_m", stage.multiplier))
        parts.append(_array("int8_t", f"{name}_conv{i}_s", stage.shift))
        if i == 0:
            parts.append(_array("int16_t", f"{name}_conv0_z", stage.input_zero_point))
    order = _lstm_row_order(hidden)
    for d, direction in enumerate(model.lstm):
        rows = np.concatenate([direction.weight_ih, direction.weight_hh], axis=1)
        rows = rows[order].astype(np.int64)
        parts.append(_weights(f"{name}_lstm{d}_w", _weight_rows(rows, lstm_row, 4)))
        parts.append(_array("int32_t", f"{name}_lstm{d}_b", direction.bias[order], 8))
        parts.append(
            _array("int16_t", f"{name}_lstm{d}_m", direction.multiplier[order])
        )
    parts.append(_array("int8_t", f"{name}_head_w", model.head_weight))
    parts.append(_array("int32_t", f"{name}_head_b", model.head_bias, 8))

    convs = []
    for i, stage in enumerate(model.convs):
        out_ch, in_ch, kernel = stage.weight.shape
        zero_in = f"{name}_conv0_z" if i == 0 else "0"
        zero_pad = 0 if i == 0 else int(stage.input_zero_point[0])
        offset = 0 if i % 2 == 0 else layout["act_bytes"] - outs[i]
        convs.append(
            f"    {{{name}_conv{i}_w.w, {name}_conv{i}_b, {name}_conv{i}_m, "
            f"{name}_conv{i}_s, {zero_in}, {zero_pad},\n"
            f"     {in_ch}, {out_ch}, {kernel}, {padded_taps(stage)}, {lengths[i]}, "
            f"{lengths[i + 1]}, {stage.pool}, {int(stage.output_zero_point)}, "
            f"{offset}}}"
        )
    dirs = [
        f"    {{{name}_lstm{d}_w.w, {name}_lstm{d}_b, {name}_lstm{d}_m, "
        f"{int(direction.shift)}, {int(direction.reverse)}}}"
        for d, direction in enumerate(model.lstm)
    ]
    parts.append(
        "\n/* in_ch, out_ch, kernel, row_len, in_len, out_len, pool, zero_out, "
        "out_offset */\n"
        f"static const mb_conv_t {name}_conv[{len(convs)}] = {{\n"
        + ",\n".join(convs)
        + "\n};\n\n"
        f"static const mb_lstm_t {name}_lstm[{len(dirs)}] = {{\n"
        + ",\n".join(dirs)
        + "\n};\n\n"
        f"static const mb_model_t {name}_model = {{\n"
        f"    {model.n_channels}, {model.n_timepoints}, {model.n_classes}, "
        f"{model.input_bits},\n"
        f"    {name}_conv, {len(convs)},\n"
        f"    {name}_lstm, {len(dirs)}, {hidden}, {n_in}, {lengths[-1]}, {lstm_row},\n"
        f"    {int(model.hidden_multiplier)}, {int(model.hidden_shift)}, "
        f"{_REDUCTIONS[model.reduction]},\n"
        f"    {name}_head_w, {name}_head_b,\n"
        f"    {layout['work32_len']}, {layout['work16_len']}, {layout['total']}\n"
        "};\n\n"
        f"void {name}_predict(const {_input_type(model)} *in, int32_t *logits, "
        "void *scratch)\n{\n"
        f"    mb_predict(&{name}_model, in, logits, scratch);\n}}\n"
    )
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


def runtime_sources() -> dict[str, str]:
    """The runtime's C files as they ship in the package.

    Returns
    -------
    dict
        File name -> text, for every file of :data:`RUNTIME_FILES`.

    Examples
    --------
    >>> from skmicrobi.export import runtime_sources
    >>> sorted(runtime_sources())[:2]
    ['microbi.c', 'microbi.h']
    >>> "void mb_predict(" in runtime_sources()["microbi.h"]
    True
    """
    kernels = resources.files("skmicrobi.export") / "kernels"
    return {f: (kernels / f).read_text(encoding="ascii") for f in RUNTIME_FILES}


@contextlib.contextmanager
def _directory_lock(directory: Path) -> Iterator[None]:
    """Hold an exclusive lock on the directory: concurrent exports to one folder
    replace their files one export after the other, never interleaved."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _write_atomically(files: dict[Path, str]) -> None:
    """Write every file to a temporary name, then rename them all; the files get
    the permissions of any new file (``0o666`` less the umask)."""
    mode = new_file_mode()
    temps = []
    try:
        for path, text in files.items():
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
            temps.append(tmp)
            with os.fdopen(fd, "w", encoding="ascii", newline="\n") as fh:
                fh.write(text)
            os.chmod(tmp, mode)
        for tmp, path in zip(temps, files):
            os.replace(tmp, path)
    finally:
        for tmp in temps:
            if os.path.exists(tmp):
                os.unlink(tmp)


def export_c(
    quantized: Any, directory: str | os.PathLike, name: str = "model"
) -> tuple[Path, ...]:
    """Write the integer model as C99 next to the runtime's C files.

    Parameters
    ----------
    quantized : Int8Quantizer or IntegerMicroBi
        A fitted quantizer (its ``classes_`` go into the header comment) or an
        integer model.
    directory : str or path-like
        Output folder, created if missing. Every file is written to a temporary
        file and renamed, all of them under a lock on the folder, so no
        half-written file is left behind and two exports into one folder never
        mix their files.
    name : str, default="model"
        C identifier for the file names and the function ``name_predict``; the
        macros ``NAME_N_CHANNELS``, ``NAME_N_TIMEPOINTS``, ``NAME_N_CLASSES``,
        ``NAME_INPUT_BITS``, ``NAME_SCRATCH_BYTES`` and ``NAME_FINGERPRINT`` use
        :func:`macro_prefix` of it. It must not start with an underscore, contain
        ``__`` or start with ``mb_``/``microbi`` (reserved for C and the runtime).

    Returns
    -------
    tuple of pathlib.Path
        ``name.h``, ``name.c``, then the runtime files (:data:`RUNTIME_FILES`).
        Compile every ``.c`` among them.

    Raises
    ------
    ValueError
        If ``name`` is not an allowed C identifier or the quantizer is not fitted.
    TypeError
        If ``quantized`` is neither a quantizer nor an integer model.

    Examples
    --------
    >>> import tempfile
    >>> import numpy as np
    >>> from skmicrobi import MicroBiConvLSTM
    >>> from skmicrobi.int8 import build_integer_model
    >>> from skmicrobi.export import export_c
    >>> X = np.random.default_rng(0).normal(size=(4, 3, 32))
    >>> model = build_integer_model(MicroBiConvLSTM(3, 2), X)
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     header, source, *runtime = export_c(model, tmp, name="har")
    ...     print(header.name, source.name, "float" in source.read_text())
    har.h har.c False
    """
    check_model_name(name)
    model, classes = _integer_model(quantized)
    _check_runtime_limits(model)
    directory = Path(directory)
    if directory.exists() and not directory.is_dir():
        raise NotADirectoryError(
            f"export_c writes into a folder, but {str(directory)!r} is a file."
        )
    directory.mkdir(parents=True, exist_ok=True)
    files = {
        directory / f"{name}.h": _header(model, name, classes),
        directory / f"{name}.c": _source(model, name),
    }
    files.update({directory / f: text for f, text in runtime_sources().items()})
    with _directory_lock(directory):
        _write_atomically(files)
    return tuple(files)


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


def _sources_of(paths: Sequence[str | os.PathLike]) -> list[Path]:
    sources = [Path(p) for p in paths if str(p).endswith(".c")]
    if not sources:
        raise ValueError(
            f"No .c file among {list(map(str, paths))}; pass export_c's paths."
        )
    return sources


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
    """Compile the exported sources to objects and measure their size.

    Parameters
    ----------
    paths : sequence of path
        The paths :func:`export_c` returned (headers next to the sources).
    flags : sequence of str, default=DEFAULT_CFLAGS
        Compiler flags (``-std=c99 -Wall -Wextra -Werror -O2``).

    Returns
    -------
    int or None
        ``.text + .data + .rodata`` of all objects in bytes (from ``size -A``),
        or None when no C compiler or no ``size`` tool is installed.

    Raises
    ------
    RuntimeError
        If the compiler rejects the code (with its messages).

    Examples
    --------
    >>> import tempfile
    >>> import numpy as np
    >>> from skmicrobi import MicroBiConvLSTM
    >>> from skmicrobi.int8 import build_integer_model
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
    total = 0
    with tempfile.TemporaryDirectory() as tmp:
        for source in _sources_of(paths):
            obj = Path(tmp) / (source.stem + ".o")
            _run([compiler, *flags, "-c", str(source), "-o", str(obj)])
            report = _run([size_tool, "-A", str(obj)], text=True).stdout
            total += section_bytes(report)
    return total


def object_bytes(
    quantized: Any, *, flags: Sequence[str] = DEFAULT_CFLAGS
) -> int | None:
    """Export to a temporary folder and measure the compiled objects.

    Parameters
    ----------
    quantized : Int8Quantizer or IntegerMicroBi
        What :func:`export_c` takes.
    flags : sequence of str, default=DEFAULT_CFLAGS
        Compiler flags.

    Returns
    -------
    int or None
        :func:`compile_c` of the export: ``.text + .data + .rodata`` of the
        model and the runtime on this host, or None without a C compiler.

    Examples
    --------
    >>> import numpy as np
    >>> from skmicrobi import MicroBiConvLSTM
    >>> from skmicrobi.int8 import build_integer_model
    >>> from skmicrobi.export import object_bytes
    >>> X = np.random.default_rng(0).normal(size=(4, 3, 32))
    >>> size = object_bytes(build_integer_model(MicroBiConvLSTM(3, 2), X))
    >>> size is None or size > 9000
    True
    """
    with tempfile.TemporaryDirectory(prefix="skmicrobi_") as tmp:
        return compile_c(export_c(quantized, tmp), flags=flags)


def section_bytes(report: str) -> int:
    """``.text + .data + .rodata`` (and their subsections) of a ``size -A`` report.

    Parameters
    ----------
    report : str
        The output of ``size -A`` (or a cross toolchain's ``size -A``) for one object.

    Returns
    -------
    int

    Examples
    --------
    >>> from skmicrobi.export import section_bytes
    >>> report = '''har.o  :
    ... section     size   addr
    ... .text       2180      0
    ... .rodata    12112      0
    ... .bss           0      0
    ... '''
    >>> section_bytes(report)
    14292
    """
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
    static int16_t raw[{up}_N_CHANNELS * {up}_N_TIMEPOINTS];
    static {in_type} in[{up}_N_CHANNELS * {up}_N_TIMEPOINTS];
    static int32_t scratch[({up}_SCRATCH_BYTES + 3) / 4];
    int32_t logits[{up}_N_CLASSES];
    const size_t n = sizeof(raw) / sizeof(raw[0]);
    size_t i;
    while (fread(raw, sizeof(raw[0]), n, stdin) == n) {{
        for (i = 0; i < n; i++) in[i] = ({in_type})raw[i];
        {name}_predict(in, logits, scratch);
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
    native byte order; converted to int8 for a model with ``input_bits=8``) from
    stdin and writes each window's int32 logits to stdout.

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
    sources = _sources_of(paths)
    model_source = next((p for p in sources if not p.name.startswith("microbi")), None)
    if model_source is None:
        raise ValueError("No model source (name.c) among the paths.")
    name = model_source.stem
    header = (model_source.parent / f"{name}.h").read_text(encoding="ascii")
    in_type = "int8_t" if "const int8_t *in" in header else "int16_t"
    harness = model_source.parent / f"{name}_harness.c"
    harness.write_text(
        _HARNESS.format(name=name, up=macro_prefix(name), in_type=in_type),
        encoding="ascii",
    )
    executable = Path(executable)
    _run(
        [
            compiler,
            *flags,
            "-I",
            str(model_source.parent),
            str(harness),
            *map(str, sources),
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
