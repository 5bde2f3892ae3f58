"""Train on ~4 GB of windows on disk with a few hundred MB of RAM.

A study of weeks of 50 Hz wrist data cuts into more windows than fit in RAM. This
benchmark writes them to disk once and trains from a ``np.memmap``:

1. *build* (its own process): synthetic 9-channel 50 Hz recordings of 10 minutes,
   cut by :class:`~skmicrobi.SlidingWindowTransformer` (the paper's 128-sample
   windows, stride 64) recording by recording into one ``.npy`` of float32
   windows (``np.lib.format.open_memmap``), so RAM holds one recording's windows.
2. *fit* (a fresh process): ``np.load(path, mmap_mode="r")`` and
   ``MicroBiClassifier(max_epochs=1).fit``: the NaN scan and the per-channel
   statistics read the whole file, and the epoch reads every window in random
   order (``--max-batches`` stops it early). The process's peak resident set
   (``VmHWM``) is set against the file.

The file goes to a temporary folder under ``--dir`` and is deleted afterwards.
Run with ``python -m benchmarks.bench_memmap``; prints a table and writes
``benchmarks/results/memmap.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from skorch.callbacks import Callback

from benchmarks._io import write_json
from benchmarks.environment import environment, proc_status_bytes, reset_peak_rss

RATE_HZ, N_CHANNELS = 50, 9
WINDOW_LENGTH, STRIDE = 128, 64
#: Minutes per synthetic recording: one session of a subject.
RECORDING_MINUTES = 10


def _recording(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """One session: alternating activities of 30 s to 3 min with their signatures."""
    rng = np.random.default_rng(seed)
    n = RECORDING_MINUTES * 60 * RATE_HZ
    runs = rng.integers(30 * RATE_HZ, 180 * RATE_HZ, size=n // (30 * RATE_HZ) + 1)
    activity = rng.integers(0, 6)
    labels = np.repeat((activity + np.arange(len(runs))) % 6, runs)[:n]
    x = rng.standard_normal((N_CHANNELS, n), dtype=np.float32)
    x[labels % 3, np.arange(n)] += 1.0  # each activity lifts one of three channels
    x[3] += labels.astype(np.float32) / 3
    return x, labels


def build(folder: Path, target_bytes: float) -> dict:
    """Write windows, labels and groups of enough recordings to fill target_bytes."""
    from skmicrobi import SlidingWindowTransformer

    win = SlidingWindowTransformer(WINDOW_LENGTH, STRIDE, label="majority")
    per_recording = (RECORDING_MINUTES * 60 * RATE_HZ - WINDOW_LENGTH) // STRIDE + 1
    window_bytes = N_CHANNELS * WINDOW_LENGTH * 4
    n_recordings = max(2, int(target_bytes // (per_recording * window_bytes)))
    n_windows = n_recordings * per_recording
    start = time.perf_counter()
    path = folder / "windows.npy"
    # open_memmap writes the .npy header and sizes the file; the windows are
    # then written with plain file writes, which map nothing into this process
    header = np.lib.format.open_memmap(
        path, mode="w+", dtype=np.float32, shape=(n_windows, N_CHANNELS, WINDOW_LENGTH)
    ).offset
    y = np.empty(n_windows, dtype=np.int64)
    groups = np.empty(n_windows, dtype=np.int64)
    with open(path, "r+b") as f:
        for r in range(n_recordings):
            x, labels = _recording(seed=r)
            Xr, yr, _ = win.fit_resample([x], [labels])
            rows = slice(r * per_recording, (r + 1) * per_recording)
            f.seek(header + rows.start * window_bytes)
            f.write(np.ascontiguousarray(Xr).data)
            y[rows], groups[rows] = yr, r // 6  # six sessions a subject
    np.save(folder / "labels.npy", y)
    np.save(folder / "groups.npy", groups)
    return {
        "n_recordings": n_recordings,
        "n_windows": n_windows,
        "file_bytes": os.path.getsize(folder / "windows.npy"),
        "build_s": time.perf_counter() - start,
    }


class StopAfter(Callback):
    """End training after ``n`` batches.

    skorch ends ``fit`` cleanly on ``KeyboardInterrupt`` (its Ctrl+C handling);
    this callback raises it once the batch budget is spent.
    """

    def __init__(self, n: int) -> None:
        self.n = n

    def on_batch_end(self, net, training=None, **kwargs):
        if training:
            self.n_seen_ = getattr(self, "n_seen_", 0) + 1
            if self.n_seen_ >= self.n:
                raise KeyboardInterrupt


def fit(folder: Path, max_batches: int, batch_size: int, threads: int | None) -> dict:
    """Fit one epoch (or max_batches batches) from the memmap; peak RSS."""
    import torch
    from sklearn.base import clone

    from skmicrobi import MicroBiClassifier

    X = np.load(folder / "windows.npy", mmap_mode="r")
    y = np.load(folder / "labels.npy")
    callbacks = [("stop_after", StopAfter(max_batches))] if max_batches else None
    clf = MicroBiClassifier(
        max_epochs=1,
        batch_size=batch_size,
        early_stopping=False,
        callbacks=callbacks,
        n_threads=threads,
        random_state=0,
    )
    # torch imports modules and sizes its allocator on the first fit: warm up
    # on a few windows in memory so the growth below is that of the data
    warm = np.arange(0, len(X), max(1, len(X) // 64))[:64]
    clone(clf).set_params(callbacks=None).fit(X[warm], y[warm])
    reset_peak_rss()  # VmHWM from here is the peak of this fit only
    baseline = proc_status_bytes("VmRSS")
    start = time.perf_counter()
    clf.fit(X, y)
    fit_s = time.perf_counter() - start
    peak = proc_status_bytes("VmHWM")
    batches = len(clf.history_[-1]["batches"])
    probe = np.sort(np.random.default_rng(1).choice(len(X), 4096, replace=False))
    accuracy = float(np.mean(clf.predict(X[probe]) == y[probe]))
    return {
        "baseline_rss_bytes": baseline,
        "peak_rss_bytes": peak,
        "fit_s": fit_s,
        "batches": batches,
        "windows_trained": min(batches * batch_size, len(X)),
        "train_accuracy_on_4096": accuracy,
        "torch_threads": threads or torch.get_num_threads(),
    }


def _child(mode: str, folder: Path, **kwargs) -> dict:
    """Run build or fit in a fresh interpreter, so its peak RSS is its own."""
    args = [sys.executable, "-m", "benchmarks.bench_memmap", "--child", mode]
    args += ["--dir", str(folder), "--child-args", json.dumps(kwargs)]
    out = subprocess.run(args, capture_output=True, text=True, check=False)
    if out.returncode:
        raise RuntimeError(f"{mode} failed:\n{out.stderr[-4000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def run(args: argparse.Namespace, command: str) -> dict:
    folder = Path(tempfile.mkdtemp(prefix="skmicrobi-memmap-", dir=args.dir))
    try:
        built = _child("build", folder, target_bytes=args.gb * 1e9)
        fitted = _child(
            "fit",
            folder,
            max_batches=args.max_batches,
            batch_size=args.batch_size,
            threads=args.threads,
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    result = {
        "command": command,
        "windows": {
            "channels": N_CHANNELS,
            "length": WINDOW_LENGTH,
            "stride": STRIDE,
            "rate_hz": RATE_HZ,
            "recording_minutes": RECORDING_MINUTES,
            **built,
        },
        "fit": fitted,
        "peak_rss_over_file": fitted["peak_rss_bytes"] / built["file_bytes"],
        "fit_rss_growth_bytes": fitted["peak_rss_bytes"] - fitted["baseline_rss_bytes"],
        "environment": environment(),
    }
    write_json(args.out, result)
    print(format_table(result))
    print(f"\nwrote {args.out}")
    return result


def format_table(result: dict) -> str:
    w, f = result["windows"], result["fit"]
    mb = 1e6
    return "\n".join(
        [
            f"{w['n_windows']:,} windows of {w['channels']} x {w['length']} float32 "
            f"from {w['n_recordings']} recordings of {w['recording_minutes']} min "
            f"(built in {w['build_s']:.0f} s)",
            "",
            f"{'windows file on disk':38} {w['file_bytes'] / mb:10.0f} MB",
            f"{'fit process RSS before fit':38} "
            f"{f['baseline_rss_bytes'] / mb:10.0f} MB",
            f"{'fit process peak RSS (VmHWM)':38} {f['peak_rss_bytes'] / mb:10.0f} MB",
            f"{'peak RSS growth during fit':38} "
            f"{result['fit_rss_growth_bytes'] / mb:10.0f} MB",
            f"{'peak RSS / file size':38} {result['peak_rss_over_file']:10.3f}",
            "",
            f"fit: NaN scan and channel statistics over all windows, then "
            f"{f['batches']} batches ({f['windows_trained']:,} windows drawn at "
            f"random from the whole file) in {f['fit_s']:.0f} s on "
            f"{f['torch_threads']} torch threads; training accuracy on 4096 "
            f"windows {f['train_accuracy_on_4096']:.2f}",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.bench_memmap",
        description=__doc__.split("\n")[0],
    )
    parser.add_argument("--gb", type=float, default=4.0, help="size of the windows")
    parser.add_argument(
        "--dir", default=tempfile.gettempdir(), help="where the file is written"
    )
    parser.add_argument(
        "--max-batches",
        type=int,
        default=0,
        help="training batches before stopping (default 0: the full epoch)",
    )
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(__file__).parent / "results" / "memmap.json",
    )
    parser.add_argument("--child", choices=["build", "fit"], help=argparse.SUPPRESS)
    parser.add_argument("--child-args", default="{}", help=argparse.SUPPRESS)
    argv = sys.argv[1:] if argv is None else argv
    args = parser.parse_args(argv)
    if args.child:
        kwargs = json.loads(args.child_args)
        step = build if args.child == "build" else fit
        print(json.dumps(step(Path(args.dir), **kwargs)))
        return 0
    if sys.platform != "linux":
        parser.error("reads peak RSS from /proc/self/status: Linux only")
    command = " ".join(["python -m benchmarks.bench_memmap", *argv])
    run(args, command)
    return 0


if __name__ == "__main__":
    sys.exit(main())
