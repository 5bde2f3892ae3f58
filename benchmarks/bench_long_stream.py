"""Peak memory of predicting a 1-hour and a 4-hour recording: one call vs chunks.

A fitted :class:`~skmicrobi.WindowPipeline` (the paper's 128-sample windows,
stride 64, default :class:`~skmicrobi.MicroBiClassifier`) predicts a 9-channel
50 Hz recording saved on disk, in two ways, each in a fresh process whose peak
resident set (``VmHWM``, reset after loading the model) is recorded:

* **one call**: read the whole recording, ``pipe.predict([recording])``: the
  recording and all its windows are in memory at once;
* **chunks**: read one minute of samples at a time from the file and feed
  :class:`~skmicrobi.StreamingPredictor`, which keeps one window of samples
  between chunks: memory is that of a chunk, whatever the length.

Both give the same labels (checked). Run with
``python -m benchmarks.bench_long_stream``; prints a table and writes
``benchmarks/results/long_stream.json``.
"""

from __future__ import annotations

import argparse
import json
import pickle
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from benchmarks._io import write_json
from benchmarks.environment import environment, proc_status_bytes, reset_peak_rss

RATE_HZ, N_CHANNELS = 50, 9
WINDOW_LENGTH, STRIDE = 128, 64
#: Samples per chunk: one minute, as a phone app might hand over its buffer.
CHUNK = 60 * RATE_HZ
HOURS = (1, 4)


def _recording(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Alternating activities of 30 s to 3 min, each lifting its own channel."""
    rng = np.random.default_rng(seed)
    runs = rng.integers(30 * RATE_HZ, 180 * RATE_HZ, size=n // (30 * RATE_HZ) + 1)
    labels = np.repeat(np.arange(len(runs)) % 4, runs)[:n]
    x = rng.standard_normal((N_CHANNELS, n), dtype=np.float32)
    x[labels, np.arange(n)] += 1.5
    return x, labels


def prepare(folder: Path) -> dict:
    """Fit the pipeline on 20 minutes; save it and the 1 h and 4 h recordings."""
    from skmicrobi import MicroBiClassifier, SlidingWindowTransformer, WindowPipeline

    x, labels = _recording(20 * 60 * RATE_HZ, seed=0)
    pipe = WindowPipeline(
        [
            ("win", SlidingWindowTransformer(WINDOW_LENGTH, STRIDE)),
            ("clf", MicroBiClassifier(max_epochs=5, random_state=0)),
        ]
    ).fit([x], [labels])
    with open(folder / "pipe.pkl", "wb") as f:
        pickle.dump(pipe, f)
    sizes = {}
    for hours in HOURS:
        x, _ = _recording(hours * 3600 * RATE_HZ, seed=hours)
        # time-major (samples, channels), so a chunk of time is one file read
        np.ascontiguousarray(x.T).tofile(folder / f"{hours}h.f32")
        sizes[hours] = x.nbytes
    return sizes


def predict(folder: Path, hours: int, mode: str) -> dict:
    """Predict one recording one way; peak RSS above the loaded model."""
    from skmicrobi import StreamingPredictor

    with open(folder / "pipe.pkl", "rb") as f:
        pipe = pickle.load(f)
    # warm torch up on a few windows, then start the peak from here
    pipe.predict([np.zeros((N_CHANNELS, 4 * WINDOW_LENGTH), np.float32)])
    reset_peak_rss()
    baseline = proc_status_bytes("VmRSS")
    path = folder / f"{hours}h.f32"
    start = time.perf_counter()
    if mode == "one call":
        recording = np.fromfile(path, dtype=np.float32).reshape(-1, N_CHANNELS).T
        labels = pipe.predict([recording])
    else:
        stream = StreamingPredictor(pipe)
        outputs = []
        with open(path, "rb") as f:
            while True:
                chunk = np.fromfile(f, dtype=np.float32, count=CHUNK * N_CHANNELS)
                if not len(chunk):
                    break
                outputs.append(stream.update(chunk.reshape(-1, N_CHANNELS).T))
        labels = np.concatenate(outputs)
    seconds = time.perf_counter() - start
    peak = proc_status_bytes("VmHWM")
    np.save(folder / f"{hours}h-{mode}.npy", labels)
    return {
        "baseline_rss_bytes": baseline,
        "peak_rss_bytes": peak,
        "growth_bytes": peak - baseline,
        "seconds": seconds,
        "n_windows": int(len(labels)),
    }


def _child(step: str, folder: Path, **kwargs) -> dict:
    args = [sys.executable, "-m", "benchmarks.bench_long_stream", "--child", step]
    args += ["--dir", str(folder), "--child-args", json.dumps(kwargs)]
    out = subprocess.run(args, capture_output=True, text=True, check=False)
    if out.returncode:
        raise RuntimeError(f"{step} failed:\n{out.stderr[-4000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def run(out_path: Path, command: str) -> dict:
    folder = Path(tempfile.mkdtemp(prefix="skmicrobi-stream-"))
    rows = []
    try:
        sizes = _child("prepare", folder)
        for hours in HOURS:
            for mode in ("one call", "chunks"):
                row = _child("predict", folder, hours=hours, mode=mode)
                rows.append(
                    {"hours": hours, "mode": mode, "stream_bytes": sizes[str(hours)]}
                    | row
                )
            same = np.array_equal(
                np.load(folder / f"{hours}h-one call.npy"),
                np.load(folder / f"{hours}h-chunks.npy"),
            )
            for row in rows[-2:]:
                row["same_labels"] = bool(same)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    result = {
        "command": command,
        "stream": {
            "channels": N_CHANNELS,
            "rate_hz": RATE_HZ,
            "window_length": WINDOW_LENGTH,
            "stride": STRIDE,
            "chunk_samples": CHUNK,
        },
        "results": rows,
        "environment": environment(),
    }
    write_json(out_path, result)
    print(format_table(result))
    print(f"\nwrote {out_path}")
    return result


def format_table(result: dict) -> str:
    mb = 1e6
    lines = [
        f"{result['stream']['channels']}-channel {result['stream']['rate_hz']} Hz "
        f"recordings, windows of {result['stream']['window_length']} stride "
        f"{result['stream']['stride']}, chunks of "
        f"{result['stream']['chunk_samples']} samples; peak RSS above the "
        "loaded model",
        "",
        f"{'hours':>5} {'mode':9} {'stream MB':>10} {'windows':>8} "
        f"{'peak growth MB':>15} {'seconds':>8} {'same labels':>12}",
    ]
    for r in result["results"]:
        lines.append(
            f"{r['hours']:5d} {r['mode']:9} {r['stream_bytes'] / mb:10.1f} "
            f"{r['n_windows']:8d} {r['growth_bytes'] / mb:15.1f} "
            f"{r['seconds']:8.1f} {'yes' if r['same_labels'] else 'NO':>12}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.bench_long_stream",
        description=__doc__.split("\n")[0],
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(__file__).parent / "results" / "long_stream.json",
    )
    parser.add_argument(
        "--child", choices=["prepare", "predict"], help=argparse.SUPPRESS
    )
    parser.add_argument("--dir", help=argparse.SUPPRESS)
    parser.add_argument("--child-args", default="{}", help=argparse.SUPPRESS)
    argv = sys.argv[1:] if argv is None else argv
    args = parser.parse_args(argv)
    if args.child:
        step = prepare if args.child == "prepare" else predict
        print(json.dumps(step(Path(args.dir), **json.loads(args.child_args))))
        return 0
    if sys.platform != "linux":
        parser.error("reads peak RSS from /proc/self/status: Linux only")
    command = " ".join(["python -m benchmarks.bench_long_stream", *argv])
    run(args.out, command)
    return 0


if __name__ == "__main__":
    sys.exit(main())
