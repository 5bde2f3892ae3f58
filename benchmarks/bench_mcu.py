"""The exported model on microcontrollers: flash, RAM and counted instructions.

For the UCI-HAR configuration (``MicroBiConvLSTM(9, 6)`` defaults, 9 channels
x 128 steps, 6 classes; integer model from random calibration data, which
fixes every shape and size) and each target x flags of :mod:`benchmarks.mcu`:

* flash of the exported objects as cross-compiled: code (``.text``) and
  constants (``.rodata + .data``);
* RAM of one prediction: the caller-owned scratch (``NAME_SCRATCH_BYTES``), the
  stack (the larger of GCC's worst call path from ``-fstack-usage`` and the
  high-water mark measured on a painted stack, which also sees the C library
  and libgcc helpers) and the int16 input window;
* instructions executed per window, counted exactly under QEMU (plugin
  ``mcu/insn_plugin.c``), per MAC (:func:`skmicrobi.count_macs`), the hottest
  functions, and an ESTIMATE of milliseconds at a stated clock that assumes
  one instruction per cycle (no wait states, caches or multi-cycle loads and
  multiplies: a real part is slower, how much depends on its flash).

Counts depend on the shapes, barely on the values: every window is counted
separately (min-max reported), and the same windows are counted again on a
second model with other random weights.

Then a flash-only table (Cortex-M4, -Os) for every dataset configuration of
:mod:`skmicrobi.datasets` (channels, window length, classes) and for the UEA
sets found in the shared data folder.

Run as ``python -m benchmarks run mcu`` (JSON to ``benchmarks/results/mcu.json``)
or ``python -m benchmarks.bench_mcu``.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from benchmarks import mcu
from benchmarks._io import write_json
from benchmarks.data import shared_data_dir
from benchmarks.environment import environment
from skmicrobi import MicroBiConvLSTM, count_macs, count_parameters, export_c
from skmicrobi.int8 import build_integer_model, to_integer_input

#: The UCI-HAR configuration: channels, time points, classes.
UCI_HAR = (9, 128, 6)
OPTS = ("-Os", "-O2")
#: (target, flags) also measured with an int8 input window (input_bits=8): the
#: RAM goal of issue 13, UCI-HAR <= 4,096 B in all.
INT8_INPUT_BUILDS = (("cortex-m4", "-O2"), ("cortex-m0plus", "-Os"))
#: Flash targets of issue 13 (Cortex-M4, -Os): code beside the constants, and
#: the whole object (Opportunity's 79 channels exempt from the latter).
CODE_TARGET, OBJECT_TARGET = 2560, 16384
FLASH_TARGET = "cortex-m4"


def _log(message: str) -> None:
    print(f"[mcu] {message}", file=sys.stderr, flush=True)


def integer_model(
    n_channels: int, n_timepoints: int, n_classes: int, seed: int = 0, input_bits=16
):
    """``MicroBiConvLSTM(n_channels, n_classes)`` with default settings, as an
    integer model calibrated on random windows; also its float network."""
    torch.manual_seed(seed)
    net = MicroBiConvLSTM(n_channels, n_classes)
    X = np.random.default_rng(seed).normal(size=(64, n_channels, n_timepoints))
    return build_integer_model(net, X, input_bits=input_bits), net


def _versions(targets) -> dict:
    out = {}
    for t in targets:
        for prog in (t.cc, t.qemu):
            if prog not in out:
                try:
                    text = subprocess.run([prog, "--version"], capture_output=True,
                                          text=True, timeout=30).stdout
                    out[prog] = text.splitlines()[0] if text else None
                except OSError:
                    out[prog] = None
    return out


def _short(function: str) -> str:
    """``har_lstm.constprop.0`` -> ``har_lstm``: GCC's clone suffixes dropped."""
    return re.sub(r"(\.(constprop|isra|part|cold)\.\d+)+$", "", function)


def measure_build(target: mcu.Target, opt: str, paths, other_paths, q, macs) -> dict:
    """Flash, RAM and counted instructions of one target and flag set."""
    build = mcu.build(target, opt, paths)
    counted = mcu.count(build, q)
    again = mcu.count(build, q[:1])
    other = mcu.count(mcu.build(target, opt, other_paths), q)
    stack_static = mcu.static_stack(build)
    stack = max(stack_static["bytes"], counted.stack_bytes)
    per = counted.per_window
    mean = float(np.mean(per))
    other_mean = float(np.mean(other.per_window))
    return {
        "target": target.name,
        "title": target.title,
        "opt": opt,
        "input_bits": build.input_bits,
        "cflags": " ".join([*target.cflags, *build.flags]),
        "qemu": f"{target.qemu} -cpu {target.qemu_cpu}",
        "flash": mcu.flash(build),
        "ram": mcu.ram(build, stack),
        "stack_static": stack_static,
        "stack_measured": counted.stack_bytes,
        "instructions_per_window": round(mean),
        "instructions_min": min(per),
        "instructions_max": max(per),
        "instructions_all": per,
        "repeat_identical": again.per_window[0] == per[0],
        "other_weights_per_window": round(other_mean),
        "other_weights_relative_difference": other_mean / mean - 1,
        "instructions_per_mac": mean / macs,
        "hottest": [[f, n, share] for f, n, share in counted.hottest(5)],
        "dual_mac_instructions": mcu.dual_mac_instructions(build),
        "clock_mhz": target.clock_mhz,
        "clock_note": target.clock_note,
        "estimate_ms_at_clock": mean / (target.clock_mhz * 1e3),
    }


def uea_shapes(folder: Path | None) -> dict[str, tuple[int, int, int]]:
    """``(channels, series length, classes)`` of each UEA set, from ``.ts`` headers.

    Unequal-length sets use their longest series (``@seriesLength`` absent:
    skipped).
    """
    shapes = {}
    if folder is None or not folder.is_dir():
        return shapes
    for ts in sorted(folder.glob("*/*_TRAIN.ts")):
        header = {}
        with open(ts, errors="replace") as fh:
            for line in fh:
                if line.lower().startswith("@data"):
                    break
                if line.startswith("@"):
                    key, _, value = line[1:].strip().partition(" ")
                    header[key.lower()] = value.strip()
        try:
            labels = header["classlabel"].split()
            shapes[ts.parent.name] = (int(header["dimensions"]),
                                      int(header["serieslength"]), len(labels) - 1)
        except (KeyError, ValueError):
            continue
    return shapes


def dataset_shapes(names: list[str] | None, data_home: Path | None) -> dict:
    """The paper's configurations (from :mod:`skmicrobi.datasets`) and the UEA sets."""
    from skmicrobi.datasets.benchmark import BENCHMARKS

    configs: dict[tuple, dict] = {}
    for name, spec in sorted(BENCHMARKS.items()):
        shape = (spec.n_channels, spec.window_length, spec.n_classes)
        entry = configs.setdefault(shape, {"names": [], "source": "paper"})
        entry["names"].append(name)
    uea = uea_shapes(data_home / "UEA" if data_home else None)
    for name, shape in uea.items():
        configs.setdefault(shape, {"names": [], "source": "UEA"})["names"].append(name)
    if names:
        configs = {s: e for s, e in configs.items() if set(e["names"]) & set(names)}
    return configs


def flash_by_dataset(configs: dict, directory: Path) -> list[dict]:
    """Cortex-M4 -Os flash of the default network for each configuration."""
    target = mcu.TARGETS[FLASH_TARGET]
    rows = []
    for (c, t, k), entry in configs.items():
        label = ", ".join(entry["names"])
        _log(f"flash, {target.title} -Os: {label} ({c} x {t}, {k} classes)")
        model, net = integer_model(c, t, k)
        paths = export_c(model, directory / f"flash_{c}_{t}_{k}", name="model")
        size = mcu.flash(mcu.build(target, "-Os", paths))
        exempt = "opportunity" in entry["names"]
        rows.append({
            "datasets": entry["names"], "source": entry["source"],
            "n_channels": c, "n_timepoints": t, "n_classes": k,
            "params": count_parameters(net), "macs": count_macs(net, c, t),
            **{key: size[key] for key in ("code", "constants", "total")},
            "kernel_objects": sum(v for kk, v in size["kernels"].items()
                                  if kk != "bss"),
            "model_object": sum(v for kk, v in size["model"].items() if kk != "bss"),
            "meets_code_target": size["code"] <= CODE_TARGET,
            "object_target_exempt": exempt,
            "meets_object_target": exempt or size["total"] <= OBJECT_TARGET,
        })
    return rows


def run(
    out: Path | None = None,
    command: str | None = None,
    targets: list[str] | None = None,
    n_windows: int = 4,
    datasets: list[str] | None = None,
    data_home: Path | None = None,
) -> dict:
    """Measure every available target at -Os and -O2, print the table, write JSON."""
    started = time.strftime("%Y-%m-%dT%H:%M:%S")
    wanted = [mcu.TARGETS[t] for t in (targets or mcu.TARGETS)]
    present = [t for t in wanted if t.available()]
    skipped = {t.name: f"missing {', '.join(t.missing())}" for t in wanted
               if not t.available()}
    c, t, k = UCI_HAR
    model, net = integer_model(c, t, k, seed=0)
    other, _ = integer_model(c, t, k, seed=1)
    macs = count_macs(net, c, t)
    rng = np.random.default_rng(2)
    windows = rng.normal(size=(n_windows, c, t))
    q, _ = to_integer_input(model, windows)
    builds = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        paths = export_c(model, tmp / "har", name="har")
        other_paths = export_c(other, tmp / "other", name="har")
        for target in present:
            for opt in OPTS:
                _log(f"{target.title} {opt}: build, run and count {n_windows} "
                     "windows")
                builds.append(measure_build(target, opt, paths, other_paths, q, macs))
        model8, _ = integer_model(c, t, k, seed=0, input_bits=8)
        other8, _ = integer_model(c, t, k, seed=1, input_bits=8)
        q8, _ = to_integer_input(model8, windows)
        paths8 = export_c(model8, tmp / "har8", name="har")
        other_paths8 = export_c(other8, tmp / "other8", name="har")
        for target in present:
            for opt in OPTS:
                if (target.name, opt) in INT8_INPUT_BUILDS:
                    _log(f"{target.title} {opt}, int8 input: build, run and count")
                    builds.append(
                        measure_build(target, opt, paths8, other_paths8, q8, macs)
                    )
        flash_rows = []
        if FLASH_TARGET in {p.name for p in present}:
            flash_rows = flash_by_dataset(dataset_shapes(datasets, data_home), tmp)
    if data_home is None or not (data_home / "UEA").is_dir():
        skipped["UEA"] = "no UEA folder in the shared data"
    result = {
        "suite": "mcu",
        "command": command,
        "started": started,
        "environment": environment(),
        "toolchains": _versions(present),
        "settings": {
            "model": f"MicroBiConvLSTM({c}, {k}) defaults, {c} channels x {t} "
                     "steps, integer model from 64 random calibration windows "
                     "(seed 0; second model for the value check: seed 1)",
            "n_windows": n_windows,
            "windows": "quantised N(0, 1) windows, each counted in its own "
                       "QEMU process",
            "opts": list(OPTS),
            "strict_cflags": " ".join(mcu.STRICT_CFLAGS),
            "flash_target": f"{FLASH_TARGET} -Os",
            "code_target_bytes": CODE_TARGET,
            "object_target_bytes": OBJECT_TARGET,
        },
        "params": count_parameters(net),
        "macs_per_window": macs,
        "builds": builds,
        "flash_by_dataset": flash_rows,
        "skipped": skipped,
    }
    print(format_table(result))
    if out is not None:
        write_json(out, result)
        _log(f"wrote {out}")
    return result


def _table(rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for j, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(w) if i == 0 else cell.rjust(w)
                               for i, (cell, w) in enumerate(zip(row, widths))))
        if j == 0:
            lines.append("  ".join("-" * w for w in widths))
    return lines


def format_table(r: dict) -> str:
    """The results as text tables (also used for RESULTS.md)."""
    lines = [f"UCI-HAR configuration: {r['settings']['model']}; "
             f"{r['params']:,} parameters, {r['macs_per_window']:,} MACs per window."]
    rows = [["target, flags", "code B", "const B", "flash B", "scratch", "stack",
             "input", "RAM B", "instr/window", "instr/MAC", "ESTIMATE ms @ clock"]]
    for b in r["builds"]:
        f, m = b["flash"], b["ram"]
        rows.append([
            f"{b['title']} {b['opt']}"
            + (", int8 input" if b.get("input_bits") == 8 else ""),
            f"{f['code']:,}", f"{f['constants']:,}",
            f"{f['total']:,}", f"{m['scratch']:,}", f"{m['stack']:,}",
            f"{m['input']:,}", f"{m['total']:,}",
            f"{b['instructions_per_window']:,}", f"{b['instructions_per_mac']:.2f}",
            f"{b['estimate_ms_at_clock']:.1f} @ {b['clock_mhz']} MHz",
        ])
    lines += ["", *_table(rows)]
    if r["builds"]:
        spread = max((b["instructions_max"] - b["instructions_min"])
                     / b["instructions_per_window"] for b in r["builds"])
        values = max(abs(b["other_weights_relative_difference"]) for b in r["builds"])
        repeat = all(b["repeat_identical"] for b in r["builds"])
        lines += [
            "",
            "Instructions: executed by the model's functions (C library and libgcc "
            "helpers included, harness excluded), counted exactly under QEMU "
            "(TCG plugin), mean of "
            f"{r['settings']['n_windows']} windows; spread over windows at most "
            f"{100 * spread:.3f}%, other random weights {100 * values:.3f}%; "
            f"a window counted twice gives {'the same' if repeat else 'ANOTHER'} "
            "count. ESTIMATE ms = instructions / clock, one instruction per "
            "cycle: ignores flash wait states, caches and multi-cycle loads, "
            "multiplies and branches. Arm code runs on qemu-arm -cpu max (QEMU "
            "7.2 cannot start Linux programs on its M-profile CPUs): ISA-level "
            "counts of the code compiled for each core. Stack: the larger of "
            "GCC's worst call path (-fstack-usage) and the painted-stack "
            "high-water mark. Logits (4 B per class) not in RAM.",
            "",
            "Hottest functions (share of the window's instructions):",
        ]
        for b in r["builds"]:
            hot = ", ".join(f"{_short(f)} {100 * s:.1f}%" for f, _, s in b["hottest"])
            dsp = b.get("dual_mac_instructions") or {}
            dsp_text = (", ".join(f"{n} {m.upper()}" for m, n in dsp.items())
                        if dsp else "none")
            label = f"{b['title']} {b['opt']}" + (
                ", int8 input" if b.get("input_bits") == 8 else ""
            )
            lines.append(f"  {label}: {hot}; dual-MAC instructions "
                         f"in the code: {dsp_text}")
    if r.get("flash_by_dataset"):
        s = r["settings"]
        lines += ["", f"Flash per dataset configuration ({s['flash_target']}; "
                  f"targets: code <= {s['code_target_bytes']:,} B, whole object "
                  f"<= {s['object_target_bytes']:,} B except Opportunity):", ""]
        rows = [["datasets", "C x T, K", "params", "code B", "const B",
                 "object B", "kernels B", "model B", "targets"]]
        for d in r["flash_by_dataset"]:
            ok = d["meets_code_target"] and d["meets_object_target"]
            status = "met" if ok else "MISSED"
            if ok and d.get("object_target_exempt"):
                status = "met (object exempt)"
            rows.append([
                f"{', '.join(d['datasets'])} ({d['source']})",
                f"{d['n_channels']} x {d['n_timepoints']}, {d['n_classes']}",
                f"{d['params']:,}", f"{d['code']:,}", f"{d['constants']:,}",
                f"{d['total']:,}", f"{d['kernel_objects']:,}",
                f"{d['model_object']:,}", status,
            ])
        lines += _table(rows)
    for name, reason in r.get("skipped", {}).items():
        lines.append(f"not measured, {name}: {reason}")
    for prog, version in r.get("toolchains", {}).items():
        lines.append(f"{prog}: {version}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.bench_mcu", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--targets", nargs="+", choices=sorted(mcu.TARGETS))
    parser.add_argument("--windows", type=int, default=4)
    parser.add_argument("--datasets", nargs="+",
                        help="flash table: only these dataset names")
    parser.add_argument("--out", type=Path,
                        default=Path(__file__).parent / "results" / "mcu.json")
    argv = sys.argv[1:] if argv is None else argv
    args = parser.parse_args(argv)
    command = " ".join(["python -m benchmarks.bench_mcu", *argv])
    run(args.out, command, args.targets, args.windows, args.datasets,
        shared_data_dir())
    return 0


if __name__ == "__main__":
    sys.exit(main())
