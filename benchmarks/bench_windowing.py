"""Time and memory of cutting a long stream into windows.

A 1-hour, 9-channel, 50 Hz stream (180,000 samples, UCI-HAR's sensors and rate)
is cut into the paper's 128-sample windows with stride 64 (2,811 windows).
For each way of cutting it, the median time over repeats and the peak memory
allocated during the call (``tracemalloc``, which numpy reports to) are set
against the size of the output, so a ratio near 1 means the stream was copied
once, straight into the output:

* ``SlidingWindowTransformer.transform`` on the stream as float64 and as float32;
* ``fit_resample`` with a label per time step (adds the window labels);
* two hand-written references: stacking per-window slices in a Python loop, and
  gathering with a fancy index, which materialises the windows twice;
* ``StreamingPredictor`` fed one second (50 samples) at a time, as samples/s.

Run with ``python -m benchmarks.bench_windowing``; prints a table and writes
``benchmarks/results/windowing.json``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
from sklearn.preprocessing import FunctionTransformer

from benchmarks._io import write_json
from benchmarks.environment import environment
from skmicrobi import SlidingWindowTransformer, StreamingPredictor

RATE_HZ, SECONDS, N_CHANNELS = 50, 3600, 9
N_SAMPLES = RATE_HZ * SECONDS
WINDOW_LENGTH, STRIDE = 128, 64
#: Samples per streaming update: one second of sensor data.
CHUNK = RATE_HZ


def _stream(dtype) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((N_CHANNELS, N_SAMPLES)).astype(dtype)
    # activities of 30 s to 5 min, as a labelled HAR session has them
    runs = rng.integers(30 * RATE_HZ, 300 * RATE_HZ, size=N_SAMPLES // 1500)
    labels = np.repeat(rng.integers(0, 6, size=len(runs)), runs)[:N_SAMPLES]
    return x, labels


def loop_stack(x: np.ndarray) -> np.ndarray:
    """Reference: one slice per window, stacked (one copy, Python-speed loop)."""
    starts = range(0, x.shape[1] - WINDOW_LENGTH + 1, STRIDE)
    return np.stack([x[:, s : s + WINDOW_LENGTH] for s in starts]).astype(np.float32)


def fancy_gather(x: np.ndarray) -> np.ndarray:
    """Reference: gather with an index array (windows materialised twice)."""
    starts = np.arange(0, x.shape[1] - WINDOW_LENGTH + 1, STRIDE)
    index = starts[:, None] + np.arange(WINDOW_LENGTH)
    return np.ascontiguousarray(x[:, index].transpose(1, 0, 2), dtype=np.float32)


def stream_all(x: np.ndarray) -> np.ndarray:
    """All windows through StreamingPredictor, one second of samples per update."""
    identity = FunctionTransformer(lambda w: w).fit(np.zeros((1, 1)))
    predictor = StreamingPredictor(identity, WINDOW_LENGTH, STRIDE, method="transform")
    n_windows = (x.shape[1] - WINDOW_LENGTH) // STRIDE + 1
    windows = np.empty((n_windows, x.shape[0], WINDOW_LENGTH), dtype=np.float32)
    done = 0
    for i in range(0, x.shape[1], CHUNK):
        out = predictor.update(x[:, i : i + CHUNK])
        if len(out):
            windows[done : done + len(out)] = out
            done += len(out)
    return windows


def measure(fn, repeats: int) -> dict:
    """Median seconds over repeats, then peak traced bytes of one more call."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
        del out
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    out = fn()
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    windows = out[0] if isinstance(out, tuple) else out
    return {
        "median_s": statistics.median(times),
        "min_s": min(times),
        "peak_bytes": peak,
        "output_bytes": int(windows.nbytes),
        "n_windows": int(len(windows)),
        "windows": windows,
    }


def run(repeats: int, out_path: Path, command: str) -> dict:
    x64, labels = _stream(np.float64)
    x32 = x64.astype(np.float32)
    win = SlidingWindowTransformer(WINDOW_LENGTH, STRIDE).fit([x64])
    cases = {
        "transform float64 stream": lambda: win.transform([x64]),
        "transform float32 stream": lambda: win.transform([x32]),
        "fit_resample, per-step labels": lambda: win.fit_resample([x64], [labels]),
        "reference: loop + np.stack": lambda: loop_stack(x64),
        "reference: fancy-index gather": lambda: fancy_gather(x64),
        "StreamingPredictor, 1 s chunks": lambda: stream_all(x64),
    }
    rows = {name: measure(fn, repeats) for name, fn in cases.items()}
    expected = rows["transform float64 stream"].pop("windows")
    for name, row in rows.items():
        windows = row.pop("windows", expected)
        row["same_windows"] = bool(np.array_equal(windows, expected))
        row["peak_over_output"] = row["peak_bytes"] / row["output_bytes"]
        row["samples_per_s"] = N_SAMPLES / row["median_s"]
    result = {
        "command": command,
        "stream": {
            "samples": N_SAMPLES,
            "channels": N_CHANNELS,
            "rate_hz": RATE_HZ,
            "float64_bytes": int(x64.nbytes),
            "window_length": WINDOW_LENGTH,
            "stride": STRIDE,
        },
        "repeats": repeats,
        "results": rows,
        "environment": environment(),
    }
    write_json(out_path, result)
    print(format_table(result))
    print(f"\nwrote {out_path}")
    return result


def format_table(result: dict) -> str:
    s = result["stream"]
    lines = [
        f"{s['samples']:,} samples x {s['channels']} channels "
        f"({s['float64_bytes'] / 1e6:.1f} MB as float64) -> windows of "
        f"{s['window_length']}, stride {s['stride']}; median of "
        f"{result['repeats']} repeats",
        "",
        f"{'method':34} {'windows':>8} {'median ms':>10} {'Msamples/s':>11} "
        f"{'output MB':>10} {'peak MB':>8} {'peak/output':>12} {'same':>5}",
    ]
    for name, r in result["results"].items():
        lines.append(
            f"{name:34} {r['n_windows']:8d} {r['median_s'] * 1e3:10.1f} "
            f"{r['samples_per_s'] / 1e6:11.1f} {r['output_bytes'] / 1e6:10.2f} "
            f"{r['peak_bytes'] / 1e6:8.2f} {r['peak_over_output']:12.2f} "
            f"{'yes' if r['same_windows'] else 'NO':>5}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.bench_windowing",
        description=__doc__.split("\n")[0],
    )
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(__file__).parent / "results" / "windowing.json",
    )
    argv = sys.argv[1:] if argv is None else argv
    args = parser.parse_args(argv)
    command = " ".join(["python -m benchmarks.bench_windowing", *argv])
    run(args.repeats, args.out, command)
    return 0


if __name__ == "__main__":
    sys.exit(main())
