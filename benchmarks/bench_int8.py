"""Float vs fully integer (INT8) MicroBi-ConvLSTM: macro-F1, footprint, latency.

For each dataset and seed: train :class:`~skmicrobi.MicroBiClassifier`, quantize it
with :class:`~skmicrobi.Int8Quantizer` (frozen, calibrated on training windows),
and score both on the test split. Then, for the UCI-HAR configuration (9 channels
x 128 steps, 6 classes): the footprint of the exported C, and the host latency of
one window through the compiled C (``-O2`` and ``-O3`` with the SSE2 kernels,
``-O2`` with the plain C path; median over repeats of the mean over many calls,
timed inside a C harness) next to float PyTorch's single-window latency (one
thread, ``inference_mode``).

Datasets: BasicMotions (sktime's bundled copy), UCI-HAR rebuilt from HAPT
(``load_benchmark("uci_har_hapt")``, needs ``$SKMICROBI_SHARED_DATA`` or
``../shared/data``), and the UEA sets in ``<data>/UEA``.

Usage::

    python -m benchmarks.bench_int8                       # all, seeds 0 1 2
    python -m benchmarks.bench_int8 --datasets basic_motions --seeds 0

Prints a table and writes ``benchmarks/results/int8.json``.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from sklearn.frozen import FrozenEstimator
from sklearn.metrics import f1_score

from benchmarks._io import write_json
from benchmarks.c_latency import c_latency_us
from skmicrobi import Int8Quantizer, MicroBiClassifier, MicroBiConvLSTM
from skmicrobi.export import compile_c, export_c, find_compiler, object_bytes
from skmicrobi.int8 import build_integer_model, to_integer_input

RESULTS = Path(__file__).parent / "results" / "int8.json"
#: The paper's INT8 (PyTorch dynamic quantization) footprint for UCI-HAR, bytes.
PAPER_UCI_HAR_INT8_BYTES = 21.2 * 1024
UEA_SETS = {
    "racket_sports": "RacketSports",
    "natops": "NATOPS",
    "ering": "ERing",
    "articulary_word_recognition": "ArticularyWordRecognition",
}
TORCH_CALLS = 300



def _data_home() -> Path:
    return Path(os.environ.get("SKMICROBI_SHARED_DATA", "../shared/data"))


def load(name: str):
    """Train/test windows of one dataset and the classifier settings to use."""
    settings = {"max_epochs": 100, "batch_size": 8, "patience": 15}
    if name == "basic_motions":
        from sktime.datasets import load_basic_motions

        X_train, y_train = load_basic_motions(split="train", return_type="numpy3D")
        X_test, y_test = load_basic_motions(split="test", return_type="numpy3D")
        return X_train, y_train, X_test, y_test, settings
    if name == "uci_har_hapt":
        from skmicrobi.datasets import load_benchmark

        b = load_benchmark(name, data_home=_data_home(), download_if_missing=False)
        settings = {**b.hyperparameters, "max_epochs": 60, "patience": 10}
        return b.X_train, b.y_train, b.X_test, b.y_test, settings
    if name in UEA_SETS:
        from sktime.datasets import load_from_tsfile

        folder = _data_home() / "UEA" / UEA_SETS[name]
        parts = [
            load_from_tsfile(
                str(folder / f"{UEA_SETS[name]}_{split}.ts"),
                return_data_type="numpy3D",
            )
            for split in ("TRAIN", "TEST")
        ]
        (X_train, y_train), (X_test, y_test) = parts
        return X_train, y_train, X_test, y_test, settings
    raise ValueError(f"Unknown dataset {name!r}.")


def run_dataset(name: str, seeds: list[int], max_epochs: int | None) -> list[dict]:
    """Train, quantize and score one dataset for each seed."""
    X_train, y_train, X_test, y_test, settings = load(name)
    if max_epochs is not None:
        settings["max_epochs"] = max_epochs
    rows = []
    for seed in seeds:
        start = time.perf_counter()
        clf = MicroBiClassifier(**settings, random_state=seed).fit(X_train, y_train)
        fit_s = time.perf_counter() - start
        start = time.perf_counter()
        quantizer = Int8Quantizer(FrozenEstimator(clf), random_state=seed)
        quantizer.fit(X_train, y_train)
        quantize_s = time.perf_counter() - start
        pred_float = clf.predict(X_test)
        pred_int8 = quantizer.predict(X_test)
        f1_float = 100 * f1_score(y_test, pred_float, average="macro")
        f1_int8 = 100 * f1_score(y_test, pred_int8, average="macro")
        rows.append(
            {
                "dataset": name,
                "seed": seed,
                "shape": list(X_train.shape[1:]),
                "n_classes": len(clf.classes_),
                "n_train": len(X_train),
                "n_test": len(X_test),
                "epochs": clf.n_epochs_,
                "fit_s": round(fit_s, 1),
                "quantize_s": round(quantize_s, 2),
                "f1_macro_float": round(f1_float, 2),
                "f1_macro_int8": round(f1_int8, 2),
                "f1_drop_points": round(f1_float - f1_int8, 2),
                "agreement": round(float(np.mean(pred_float == pred_int8)), 4),
                "footprint": quantizer.footprint_,
                "object_bytes": object_bytes(quantizer) if seed == seeds[0] else None,
                "quantizer": quantizer,
            }
        )
        print(
            f"{name:>28} seed {seed}: F1 float {f1_float:6.2f}  int8 {f1_int8:6.2f}"
            f"  ({rows[-1]['epochs']} epochs, {fit_s:.0f} s)",
            flush=True,
        )
    return rows


def torch_latency_us(module: torch.nn.Module, window: np.ndarray) -> dict:
    """Median wall and thread-CPU time of one float window, one thread."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        module = module.cpu().eval()
        x = torch.as_tensor(window[None], dtype=torch.float32)
        wall, cpu = [], []
        with torch.inference_mode():
            for _ in range(30):
                module(x)
            for _ in range(TORCH_CALLS):
                w0, c0 = time.perf_counter_ns(), time.thread_time_ns()
                module(x)
                cpu.append(time.thread_time_ns() - c0)
                wall.append(time.perf_counter_ns() - w0)
    finally:
        torch.set_num_threads(threads)
    return {
        "wall_us": round(float(np.median(wall)) / 1000, 1),
        "cpu_us": round(float(np.median(cpu)) / 1000, 1),
    }


def _compiler_version() -> str | None:
    compiler = find_compiler()
    if compiler is None:
        return None
    out = subprocess.run([compiler, "--version"], capture_output=True, text=True)
    return out.stdout.splitlines()[0] if out.stdout else compiler


def uci_har_config(rows: list[dict]) -> dict:
    """Footprint and C latency of the UCI-HAR configuration."""
    # Latency and footprint of the UCI-HAR configuration: from the trained model
    # when UCI-HAR ran, else from an untrained network of the same shape (both
    # footprint and latency depend on the shape only).
    uci = [r for r in rows if r["dataset"] == "uci_har_hapt"]
    if uci:
        quantizer = uci[0]["quantizer"]
        module = quantizer.estimator_.module_
        window = load("uci_har_hapt")[2][0]
        q_window = quantizer.quantize_input(window[None])[0]
        target, source = quantizer, "trained on UCI-HAR (HAPT)"
    else:
        torch.manual_seed(0)
        module = MicroBiConvLSTM(9, 6)
        window = np.random.default_rng(0).normal(size=(9, 128)).astype(np.float32)
        target = build_integer_model(module, window[None].astype(np.float64))
        q_window = to_integer_input(target, window[None])[0]
        source = "untrained network of the UCI-HAR shape"
    model = target.integer_model_ if hasattr(target, "integer_model_") else target
    memory = model.memory_bytes()
    with tempfile.TemporaryDirectory() as tmp:
        object_bytes = compile_c(export_c(model, tmp))
        object_bytes_os = compile_c(
            export_c(model, tmp), flags=("-std=c99", "-Wall", "-Os")
        )
    from skmicrobi.export import scratch_layout

    uci_config = {
        "source": source,
        **memory,
        "scratch_bytes": scratch_layout(model)["total"],
        "input_bytes": 2 * 9 * 128,
        "object_bytes_O2": object_bytes,
        "object_bytes_Os": object_bytes_os,
        "paper_int8_bytes": PAPER_UCI_HAR_INT8_BYTES,
        "c_int8_O2": c_latency_us(model, q_window, "-O2"),
        "c_int8_O3": c_latency_us(model, q_window, "-O3"),
        "c_int8_O2_portable": c_latency_us(model, q_window, "-O2", portable=True),
        "torch_float_1_thread": torch_latency_us(module, window),
        "compiler": _compiler_version(),
    }
    return uci_config


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--datasets",
        nargs="+",
        default=["basic_motions", "uci_har_hapt", "racket_sports", "natops", "ering"],
        help="basic_motions, uci_har_hapt, " + ", ".join(UEA_SETS),
    )
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument(
        "--max-epochs", type=int, default=None, help="override every dataset's"
    )
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument(
        "--threads", type=int, default=None,
        help="torch threads for training (default: up to 2)",
    )
    parser.add_argument(
        "--config-only", action="store_true",
        help="re-measure only the UCI-HAR footprint and C latency (an untrained "
        "network of its shape: both depend on the shape only) into the existing "
        "results file, keeping its F1 runs",
    )
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads or max(1, min(2, os.cpu_count() or 1)))
    if args.config_only:
        import json

        payload = json.loads(Path(args.out).read_text())
        payload["uci_har_config"] = uci_har_config([])
        write_json(args.out, payload, indent=2, default=str)
        print(json.dumps(payload["uci_har_config"], indent=2))
        return 0

    rows = []
    for name in args.datasets:
        try:
            rows += run_dataset(name, args.seeds, args.max_epochs)
        except (FileNotFoundError, OSError) as exc:
            print(f"{name}: skipped ({exc})", flush=True)

    uci_config = uci_har_config(rows)

    summary = {}
    for name in dict.fromkeys(r["dataset"] for r in rows):
        sel = [r for r in rows if r["dataset"] == name]
        f = np.array([r["f1_macro_float"] for r in sel])
        i = np.array([r["f1_macro_int8"] for r in sel])
        summary[name] = {
            "seeds": len(sel),
            "f1_float_mean": round(float(f.mean()), 2),
            "f1_float_std": round(float(f.std()), 2),
            "f1_int8_mean": round(float(i.mean()), 2),
            "f1_int8_std": round(float(i.std()), 2),
            "f1_drop_mean": round(float((f - i).mean()), 2),
            "f1_drop_max": round(float((f - i).max()), 2),
            "agreement_mean": round(float(np.mean([r["agreement"] for r in sel])), 4),
            "int8_total_bytes": sel[0]["footprint"]["total_bytes"],
            "object_bytes": sel[0]["object_bytes"],
        }

    print()
    print(
        f"{'dataset':>28} {'seeds':>5} {'F1 float':>13} {'F1 int8':>13} "
        f"{'drop':>6} {'max':>6} {'agree':>6} {'bytes':>6} {'object':>6}"
    )
    for name, s in summary.items():
        print(
            f"{name:>28} {s['seeds']:>5} "
            f"{s['f1_float_mean']:6.2f}+-{s['f1_float_std']:<5.2f}"
            f"{s['f1_int8_mean']:6.2f}+-{s['f1_int8_std']:<5.2f}"
            f"{s['f1_drop_mean']:6.2f} {s['f1_drop_max']:6.2f} "
            f"{s['agreement_mean']:6.3f} {s['int8_total_bytes']:>6} "
            f"{s['object_bytes'] or '-':>6}"
        )
    u = uci_config
    print()
    print(f"UCI-HAR configuration (9 x 128, 6 classes; {u['source']}):")
    print(
        f"  weights {u['weights_bytes']} + biases {u['biases_bytes']} + scales "
        f"{u['scales_bytes']} + tables {u['tables_bytes']} = {u['total_bytes']} B "
        f"({u['total_bytes'] / 1024:.2f} KiB; paper INT8: 21.2 KB)"
    )
    print(
        f"  compiled object .text+.data+.rodata: {u['object_bytes_O2']} B at -O2, "
        f"{u['object_bytes_Os']} B at -Os; scratch RAM {u['scratch_bytes']} B "
        f"+ input {u['input_bytes']} B"
    )
    o2, o3, pt = u["c_int8_O2"], u["c_int8_O3"], u["torch_float_1_thread"]
    plain = u["c_int8_O2_portable"]
    print(
        "  one window, us of thread CPU time: median (10th-90th percentile; the VM"
        " is shared)"
    )

    def spread(t: dict) -> str:
        return f"{t.get('cpu_us')} ({t.get('cpu_us_p10')}-{t.get('cpu_us_p90')})"

    print(f"    C int8 -O2:              {spread(o2)}")
    print(f"    C int8 -O3:              {spread(o3)}")
    print(f"    C int8 -O2, plain C:     {spread(plain)}")
    print(f"    PyTorch float, 1 thread: {pt['cpu_us']}")

    for r in rows:
        del r["quantizer"]
    payload = {
        "machine": {
            "platform": platform.platform(),
            "processor": platform.processor() or platform.machine(),
            "cpu_count": os.cpu_count(),
            "torch": torch.__version__,
            "load_average": os.getloadavg(),
        },
        "summary": summary,
        "uci_har_config": uci_config,
        "runs": rows,
    }
    write_json(args.out, payload, indent=2, default=str)
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
