"""Single-window latency of the exported INT8 C function, compiled at -O2."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import numpy as np
from sklearn.frozen import FrozenEstimator

from skmicrobi.export import export_c, find_compiler
from skmicrobi.quantization import Int8Quantizer, quantize_input

#: Calls of the C function per timing; the median of REPEATS timings is kept.
CALLS, REPEATS = 500, 31

_TIMER = """\
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "{name}.h"

/* Reads one int16 window from stdin, times `calls` predictions `repeats` times,
   prints the nanoseconds per call of each repeat. */
int main(int argc, char **argv)
{{
    static int16_t in[{up}_N_CHANNELS * {up}_N_TIMEPOINTS];
    int32_t logits[{up}_N_CLASSES];
    volatile int32_t sink = 0;
    long calls = atol(argv[1]), repeats = atol(argv[2]), r, i;
    if (argc < 3) return 2;
    if (fread(in, sizeof(in[0]), sizeof(in) / sizeof(in[0]), stdin)
            != sizeof(in) / sizeof(in[0])) return 1;
    for (r = 0; r < repeats; ++r) {{
        struct timespec a, b;
        clock_gettime(CLOCK_MONOTONIC, &a);
        for (i = 0; i < calls; ++i) {{
            {name}_predict(in, logits);
            sink += logits[0];
        }}
        clock_gettime(CLOCK_MONOTONIC, &b);
        printf("%.1f\\n", ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec))
               / (double)calls);
    }}
    return sink == 12345 ? 3 : 0;
}}
"""


def measure_c_latency(clf, X: np.ndarray, y: np.ndarray) -> dict:
    """Quantize ``clf``, export it, compile at -O2, time one window.

    Returns a dict with ``int8_c_single_window_latency_us`` (median over
    repeats of the mean over calls) or, without a C compiler, None and a note.
    """
    compiler = find_compiler()
    if compiler is None:
        return {"int8_c_single_window_latency_us": None,
                "int8_c_note": "no C compiler (cc or $CC) found"}
    quantizer = Int8Quantizer(
        FrozenEstimator(clf), random_state=0, measure_object_size=False
    ).fit(X[:512], y[:512])
    q, _ = quantize_input(quantizer.integer_model_, X[:1])
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        header, source = export_c(quantizer, tmp, name="har")
        timer = tmp / "timer.c"
        timer.write_text(_TIMER.format(name="har", up="HAR"))
        exe = tmp / "timer"
        subprocess.run(
            [compiler, "-std=c99", "-O2", "-I", str(tmp), str(timer), str(source),
             "-o", str(exe)],
            check=True, capture_output=True,
        )
        out = subprocess.run(
            [str(exe), str(CALLS), str(REPEATS)], input=q[0].tobytes(),
            check=True, capture_output=True,
        ).stdout.decode()
    per_call_ns = sorted(float(v) for v in out.split())
    return {
        "int8_c_single_window_latency_us": per_call_ns[len(per_call_ns) // 2] / 1e3,
        "int8_c_note": f"{compiler} -std=c99 -O2, median of {REPEATS} x {CALLS} calls",
        "int8_constant_bytes": quantizer.footprint_["total_bytes"],
        "int8_scratch_bytes": quantizer.footprint_["scratch_bytes"],
    }
