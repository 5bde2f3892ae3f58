"""Speed of the estimator against bare PyTorch, side by side in one run.

Measures, on UCI-HAR-sized random data (7,352 windows x 9 channels x 128
steps, 6 classes, batch 64), with medians over interleaved repeats so that a
busy machine slows every variant alike:

* epoch time of :class:`~skmicrobi.MicroBiClassifier` (skorch) against two bare
  training loops over the same network, optimizer, clipping and schedule: the
  fastest one (shuffled index slicing of tensors in memory) and the textbook
  one (``DataLoader(TensorDataset)``); the overhead ratio is against the fastest;
* batched predict throughput (windows/s) of ``predict`` and of the bare module;
* single-window latency of the torch module, and of the INT8 C function
  compiled at ``-O2`` when :mod:`skmicrobi.export` is available;
* MACs/s of the batched forward pass against a rough peak of this CPU.

Run alone with ``python -m benchmarks.bench_speed`` or as the ``speed`` suite
of ``python -m benchmarks run speed``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn

from benchmarks._io import write_json
from benchmarks.environment import cpu_peak_macs_per_s, environment
from skmicrobi import MicroBiClassifier, count_macs
from skmicrobi.classifier import _predict_batch_size

N_WINDOWS, N_CHANNELS, N_TIMEPOINTS, N_CLASSES, BATCH_SIZE = 7352, 9, 128, 6, 64
#: Targets of issue 2: skorch's epoch overhead and batched predict throughput.
TARGET_OVERHEAD = 0.10
TARGET_WINDOWS_PER_S = 15_000
#: Batch of the bare forward pass: the classifier's predict batch.
PREDICT_BATCH = _predict_batch_size(N_CHANNELS, N_TIMEPOINTS)


def _data(n_windows: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_windows, N_CHANNELS, N_TIMEPOINTS), dtype=np.float32)
    y = rng.integers(0, N_CLASSES, n_windows)
    return X, y


def _estimator(epochs: int, seed: int) -> MicroBiClassifier:
    return MicroBiClassifier(
        max_epochs=epochs, batch_size=BATCH_SIZE, early_stopping=False,
        random_state=seed,
    )


def skorch_epochs(X: np.ndarray, y: np.ndarray, epochs: int, seed: int) -> list[float]:
    """Seconds of each epoch of ``MicroBiClassifier.fit`` (skorch's ``dur``)."""
    clf = _estimator(epochs, seed).fit(X, y)
    return [float(d) for d in clf.history_[:, "dur"]]


def bare_epochs(
    X: np.ndarray, y: np.ndarray, epochs: int, seed: int, loader: bool
) -> list[float]:
    """Seconds of each epoch of a hand-written loop with the classifier's recipe.

    Same network (built by the estimator, so same initialisation and input
    standardisation), AdamW, cross-entropy, norm-1 clipping, cosine schedule
    stepped per epoch. ``loader=False`` shuffles indices and slices in-memory
    tensors; ``loader=True`` uses ``DataLoader(TensorDataset, shuffle=True)``.
    """
    est = _estimator(epochs, seed)
    torch.manual_seed(seed)
    module = est._build_module(N_CHANNELS, N_CLASSES)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    module.input_mean.copy_(Xt.mean(dim=(0, 2)))
    module.input_scale.copy_(Xt.std(dim=(0, 2)))
    optimizer = torch.optim.AdamW(
        module.parameters(), lr=est.lr, weight_decay=est.weight_decay
    )
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(
        optimizer, T_max=epochs, eta_min=1e-6
    )
    criterion = nn.CrossEntropyLoss()
    batches = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(Xt, yt), batch_size=BATCH_SIZE, shuffle=True
    )
    durations = []
    module.train()
    for _ in range(epochs):
        start = time.perf_counter()
        if loader:
            iterator = iter(batches)
        else:
            order = torch.randperm(len(Xt))
            iterator = (
                (Xt[idx], yt[idx]) for idx in torch.split(order, BATCH_SIZE)
            )
        for xb, yb in iterator:
            optimizer.zero_grad()
            loss = criterion(module(xb), yb)
            loss.backward()
            nn.utils.clip_grad_norm_(module.parameters(), est.gradient_clip)
            optimizer.step()
        schedule.step()
        durations.append(time.perf_counter() - start)
    return durations


def _interleaved(fn_a, fn_b, repeats: int) -> tuple[float, float]:
    """Median seconds of ``fn_a`` and of ``fn_b``, timed alternately."""
    times: tuple[list, list] = ([], [])
    for _ in range(repeats):
        for fn, out in ((fn_a, times[0]), (fn_b, times[1])):
            start = time.perf_counter()
            fn()
            out.append(time.perf_counter() - start)
    return statistics.median(times[0]), statistics.median(times[1])


def predict_throughput(X: np.ndarray, y: np.ndarray, repeats: int) -> dict:
    """Windows/s of ``predict`` and of the bare module, and single-window latency."""
    clf = _estimator(1, 0).fit(X[:512], y[:512])
    module = clf.module_.eval()
    Xt = torch.from_numpy(X)

    def bare_forward():
        with torch.no_grad():
            for chunk in torch.split(Xt, PREDICT_BATCH):
                module(chunk)

    clf.predict(X[:64])  # warm-up: first calls allocate
    one, one_np = Xt[:1], X[:1]

    def single_forward():
        with torch.no_grad():
            module(one)

    # Each pair is timed back to back, so that load from other processes
    # weighs on both sides of every ratio alike.
    t_predict, t_bare = _interleaved(lambda: clf.predict(X), bare_forward, repeats)
    t_single_predict, t_single = _interleaved(
        lambda: clf.predict(one_np), single_forward, 100
    )
    macs = count_macs(module, N_CHANNELS, N_TIMEPOINTS)
    return {
        "predict_windows_per_s": len(X) / t_predict,
        "bare_forward_windows_per_s": len(X) / t_bare,
        "torch_single_window_latency_us": t_single * 1e6,
        "predict_single_window_latency_us": t_single_predict * 1e6,
        "macs_per_window": macs,
        "bare_forward_macs_per_s": macs * len(X) / t_bare,
        "_fitted": clf,
    }


def c_latency(clf: MicroBiClassifier, X: np.ndarray, y: np.ndarray) -> dict:
    """Single-window latency of the exported INT8 C function at -O2, if available."""
    try:
        from benchmarks.c_latency import measure_c_latency
    except ImportError as exc:  # export or quantization not in this checkout
        return {"int8_c_single_window_latency_us": None, "int8_c_note": str(exc)}
    return measure_c_latency(clf, X, y)


def run(
    epochs: int = 3,
    repeats: int = 3,
    n_windows: int = N_WINDOWS,
    out: Path | None = None,
    command: str | None = None,
) -> dict:
    """Run every measurement, print a table, write JSON to ``out`` when given."""
    X, y = _data(n_windows)
    started = time.strftime("%Y-%m-%dT%H:%M:%S")
    variants = {
        "skorch": lambda s: skorch_epochs(X, y, epochs, s),
        "bare_slicing": lambda s: bare_epochs(X, y, epochs, s, loader=False),
        "bare_dataloader": lambda s: bare_epochs(X, y, epochs, s, loader=True),
    }
    epoch_times: dict[str, list[float]] = {name: [] for name in variants}
    for r in range(repeats):
        # Interleaved so that load from other processes hits all variants alike.
        for name, fn in variants.items():
            print(f"[speed] repeat {r + 1}/{repeats}: {name} ({epochs} epochs)",
                  file=sys.stderr, flush=True)
            durations = fn(r)
            # The first epoch also pays one-off allocation and thread start-up.
            epoch_times[name].extend(durations[1:] if len(durations) > 1 else durations)
    med = {name: statistics.median(t) for name, t in epoch_times.items()}
    print("[speed] predict throughput and latency", file=sys.stderr, flush=True)
    pred = predict_throughput(X, y, repeats)
    clf = pred.pop("_fitted")
    c = c_latency(clf, X, y)
    peak = cpu_peak_macs_per_s()
    result = {
        "suite": "speed",
        "command": command,
        "started": started,
        "environment": environment(),
        "settings": {
            "n_windows": n_windows, "n_channels": N_CHANNELS,
            "n_timepoints": N_TIMEPOINTS, "n_classes": N_CLASSES,
            "batch_size": BATCH_SIZE, "epochs_per_repeat": epochs,
            "repeats": repeats,
            "epochs_timed": {k: len(v) for k, v in epoch_times.items()},
        },
        "epoch_s_median": med,
        "epoch_s_all": epoch_times,
        "skorch_overhead_vs_bare_slicing": med["skorch"] / med["bare_slicing"] - 1,
        "skorch_overhead_vs_bare_dataloader": (
            med["skorch"] / med["bare_dataloader"] - 1
        ),
        **pred,
        **c,
        "cpu_peak_macs_per_s": peak,
        "fraction_of_peak": pred["bare_forward_macs_per_s"] / peak if peak else None,
        "targets": {"overhead": TARGET_OVERHEAD, "windows_per_s": TARGET_WINDOWS_PER_S},
    }
    print(format_speed(result))
    if out is not None:
        write_json(out, result)
        print(f"wrote {out}", file=sys.stderr)
    return result


def format_speed(r: dict) -> str:
    """The speed results as a small text table."""
    def ok(flag: bool) -> str:
        return "meets target" if flag else "MISSES target"

    med = r["epoch_s_median"]
    lines = [
        f"{'measurement':44s} {'value':>14s}",
        f"{'epoch, MicroBiClassifier (skorch)':44s} {med['skorch']:>12.2f} s",
        f"{'epoch, bare loop (tensor slicing)':44s} {med['bare_slicing']:>12.2f} s",
        f"{'epoch, bare loop (DataLoader)':44s} {med['bare_dataloader']:>12.2f} s",
        f"{'skorch overhead vs slicing loop':44s} "
        f"{100 * r['skorch_overhead_vs_bare_slicing']:>+12.1f} %  "
        f"({ok(r['skorch_overhead_vs_bare_slicing'] <= r['targets']['overhead'])}"
        f" <= {100 * r['targets']['overhead']:.0f}%)",
        f"{'skorch overhead vs DataLoader loop':44s} "
        f"{100 * r['skorch_overhead_vs_bare_dataloader']:>+12.1f} %",
        f"{'predict, batched':44s} {r['predict_windows_per_s']:>10,.0f} w/s  "
        f"({ok(r['predict_windows_per_s'] >= r['targets']['windows_per_s'])}"
        f" >= {r['targets']['windows_per_s']:,})",
        f"{'bare module forward, batched':44s} "
        f"{r['bare_forward_windows_per_s']:>10,.0f} w/s",
        f"{'latency, torch module, 1 window':44s} "
        f"{r['torch_single_window_latency_us']:>11,.0f} us",
        f"{'latency, predict(), 1 window':44s} "
        f"{r['predict_single_window_latency_us']:>11,.0f} us",
    ]
    lines.append(
        f"{'batched: bare forward / predict() speed':44s} "
        f"{r['bare_forward_windows_per_s'] / r['predict_windows_per_s']:>12.2f} x"
    )
    c_us = r.get("int8_c_single_window_latency_us")
    if c_us is not None:
        lines.append(
            f"{'latency, INT8 C -O2, 1 window':44s} {c_us:>11,.1f} us  "
            f"({r['torch_single_window_latency_us'] / c_us:.2f}x the torch "
            "module's speed)"
        )
    else:
        lines.append(f"{'latency, INT8 C -O2, 1 window':44s} "
                     f"{'n/a':>14s}  ({r.get('int8_c_note')})")
    lines.append(f"{'MACs per window':44s} {r['macs_per_window']:>14,}")
    lines.append(
        f"{'MACs/s, batched forward':44s} "
        f"{r['bare_forward_macs_per_s'] / 1e9:>10.2f} G/s"
    )
    if r.get("cpu_peak_macs_per_s"):
        lines.append(
            f"{'rough fp32 FMA peak of the threads used':44s} "
            f"{r['cpu_peak_macs_per_s'] / 1e9:>10.1f} G/s  "
            f"({100 * r['fraction_of_peak']:.1f}% of peak)"
        )
    env = r["environment"]
    lines.append(
        f"machine: {env['cpu_model']}, {env['torch_threads']} torch threads, "
        f"load average at start {env['load_average']}"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.bench_speed", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--epochs", type=int, default=3,
                        help="epochs per repeat (the first of each is not timed)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--n-windows", type=int, default=N_WINDOWS)
    parser.add_argument("--threads", type=int,
                        help="torch intra-op threads (default: torch's, one per core)")
    parser.add_argument("--out", type=Path,
                        default=Path(__file__).parent / "results" / "speed.json")
    argv = sys.argv[1:] if argv is None else argv
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    command = " ".join(["python -m benchmarks.bench_speed", *argv])
    run(args.epochs, args.repeats, args.n_windows, args.out, command)
    return 0


if __name__ == "__main__":
    sys.exit(main())
