"""Single-window latency of the exported INT8 C function, compiled and timed here.

One timing harness for both benchmarks that report it: ``bench_int8`` (the
UCI-HAR configuration at -O2 and -O3) and the ``speed`` suite (-O2, next to
torch's single-window latency).
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import numpy as np
from sklearn.frozen import FrozenEstimator

from skmicrobi.export import DEFAULT_CFLAGS, export_c, find_compiler
from skmicrobi.int8 import to_integer_input
from skmicrobi.quantization import Int8Quantizer

#: Calls of the C function per timing; the median of REPEATS timings is kept.
#: Short timings (about 10 ms each) so that the percentiles show this VM's fast
#: and slow phases.
CALLS, REPEATS = 200, 151

_TIMER = """\
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "{name}.h"

static double elapsed_ns(struct timespec a, struct timespec b)
{{
    return (b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec);
}}

/* Reads one int16 window from stdin; for each of `repeats` timings of `calls`
   back-to-back predictions prints wall-clock and thread-CPU ns per call. */
int main(int argc, char **argv)
{{
    static int16_t in[{up}_N_CHANNELS * {up}_N_TIMEPOINTS];
    static int32_t scratch[({up}_SCRATCH_BYTES + 3) / 4];
    int32_t logits[{up}_N_CLASSES];
    volatile int32_t sink = 0;
    long calls, repeats, r, i;
    if (argc < 3) return 2;
    calls = atol(argv[1]);
    repeats = atol(argv[2]);
    if (fread(in, sizeof(in[0]), sizeof(in) / sizeof(in[0]), stdin)
            != sizeof(in) / sizeof(in[0])) return 1;
    for (i = 0; i < calls; ++i) {name}_predict(in, logits, scratch);  /* warm-up */
    for (r = 0; r < repeats; ++r) {{
        struct timespec wa, wb, ca, cb;
        clock_gettime(CLOCK_MONOTONIC, &wa);
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ca);
        for (i = 0; i < calls; ++i) {{
            {name}_predict(in, logits, scratch);
            sink += logits[0];
        }}
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cb);
        clock_gettime(CLOCK_MONOTONIC, &wb);
        printf("%.1f %.1f\\n", elapsed_ns(wa, wb) / calls, elapsed_ns(ca, cb) / calls);
    }}
    return 0;
}}
"""


def c_latency_us(
    model, window: np.ndarray, opt: str = "-O2", calls: int = CALLS,
    repeats: int = REPEATS, portable: bool = False,
) -> dict:
    """Median wall and thread-CPU time per call of the compiled C, microseconds.

    ``model`` is an integer model or a fitted Int8Quantizer (anything
    :func:`~skmicrobi.export_c` takes), ``window`` one int16 input window;
    ``portable=True`` compiles the plain C kernels (``MICROBI_PORTABLE``) instead
    of the SSE2 ones. Without a C compiler, returns only a ``note``.
    """
    compiler = find_compiler()
    if compiler is None:
        return {"note": "no C compiler (cc or $CC) found"}
    flags = [f for f in DEFAULT_CFLAGS if not f.startswith("-O")] + [opt]
    if portable:
        flags.append("-DMICROBI_PORTABLE")
    with tempfile.TemporaryDirectory() as tmp:
        sources = [str(p) for p in export_c(model, tmp, name="har") if p.suffix == ".c"]
        timer = Path(tmp) / "timer.c"
        timer.write_text(_TIMER.format(name="har", up="HAR"))
        exe = Path(tmp) / "timer"
        subprocess.run(
            [compiler, *flags, "-I", tmp, str(timer), *sources, "-o", str(exe)],
            check=True,
            capture_output=True,
        )
        out = subprocess.run(
            [str(exe), str(calls), str(repeats)],
            input=np.ascontiguousarray(window, dtype=np.int16).tobytes(),
            capture_output=True,
            check=True,
        ).stdout.decode()
    ns = np.array([[float(v) for v in line.split()] for line in out.splitlines()])
    return {
        "wall_us": round(float(np.median(ns[:, 0])) / 1000, 1),
        "cpu_us": round(float(np.median(ns[:, 1])) / 1000, 1),
        "cpu_us_min": round(float(ns[:, 1].min()) / 1000, 1),
        # this VM alternates between a fast and a ~1.45x slower phase (co-tenants)
        # on a sub-second scale: the spread shows which phases a run saw
        "cpu_us_p10": round(float(np.percentile(ns[:, 1], 10)) / 1000, 1),
        "cpu_us_p90": round(float(np.percentile(ns[:, 1], 90)) / 1000, 1),
        "flags": " ".join(flags),
    }


def measure_c_latency(clf, X: np.ndarray, y: np.ndarray) -> dict:
    """Quantize ``clf``, export it, compile at -O2, time one window.

    Returns a dict with ``int8_c_single_window_latency_us`` (median over
    repeats of the mean wall time over calls) or, without a C compiler, None and a
    note.
    """
    quantizer = Int8Quantizer(
        FrozenEstimator(clf), random_state=0
    ).fit(X[:512], y[:512])
    q, _ = to_integer_input(quantizer.integer_model_, X[:1])
    timing = c_latency_us(quantizer, q[0], "-O2")
    if "note" in timing:
        return {"int8_c_single_window_latency_us": None, "int8_c_note": timing["note"]}
    return {
        "int8_c_single_window_latency_us": timing["wall_us"],
        "int8_c_note": f"{find_compiler()} {timing['flags']}, median of "
                       f"{REPEATS} x {CALLS} calls (thread CPU p10-p90: "
                       f"{timing['cpu_us_p10']}-{timing['cpu_us_p90']} us)",
        "int8_constant_bytes": quantizer.footprint_["total_bytes"],
        "int8_scratch_bytes": quantizer.footprint_["scratch_bytes"],
    }
