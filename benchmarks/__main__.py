"""``python -m benchmarks run SUITE`` and ``python -m benchmarks report``.

Suites: ``smoke`` (BasicMotions and a UEA set, few epochs, minutes), ``paper``
(the paper's datasets found in the data folder, its settings, 5 seeds, honest
and test-selected protocols), ``speed`` (estimator vs bare PyTorch), ``mcu``
(the C export cross-compiled for Cortex-M0+/M4/M7 and RV32IMC: flash, RAM,
instructions counted under QEMU). Each
prints its table and writes ``benchmarks/results/SUITE.json``; ``paper`` and
``smoke`` resume from that file when re-run. ``report`` regenerates
``benchmarks/RESULTS.md`` and the plots from the JSON.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from benchmarks import data, mcu
from benchmarks.suites import RESULTS_DIR, make_suite, run_suite


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    sub = parser.add_subparsers(dest="action", required=True)
    run = sub.add_parser("run", help="run a suite, print its table, write JSON")
    run.add_argument("suite", choices=["smoke", "paper", "speed", "mcu"])
    run.add_argument("--out", type=Path, default=RESULTS_DIR,
                     help="folder of the JSON (default benchmarks/results)")
    run.add_argument("--seeds", type=int, help="seeds per model (paper: 5)")
    run.add_argument("--datasets", nargs="+",
                     help="dataset names to run (mcu: of the flash table)")
    run.add_argument("--models", nargs="+", help="subset of the models")
    run.add_argument("--max-epochs", type=int, help="override the epoch budget")
    run.add_argument("--data-home", type=Path, default=None,
                     help="folder with the archives (default: the shared data)")
    run.add_argument("--threads", type=int,
                     help="torch intra-op threads (default: torch's, one per core)")
    run.add_argument("--redo", action="store_true",
                     help="paper/smoke: run again the records already in the JSON")
    run.add_argument("--no-report", action="store_true",
                     help="do not regenerate RESULTS.md afterwards")
    run.add_argument("--epochs", type=int, default=3, help="speed: epochs per repeat")
    run.add_argument("--repeats", type=int, default=3, help="speed: repeats")
    run.add_argument("--targets", nargs="+", choices=sorted(mcu.TARGETS),
                     help="mcu: targets (default: every installed one)")
    run.add_argument("--windows", type=int, default=4,
                     help="mcu: windows counted per build")
    report = sub.add_parser("report", help="regenerate RESULTS.md and plots from JSON")
    report.add_argument("--out", type=Path, default=RESULTS_DIR)
    args = parser.parse_args(argv)
    command = "python -m benchmarks " + " ".join(shlex.quote(a) for a in argv)

    from benchmarks.report import RESULTS_MD, print_suite, write_results_md

    if args.action == "report":
        # RESULTS.md beside the JSON, except for the canonical results folder.
        md = RESULTS_MD if args.out == RESULTS_DIR else args.out / "RESULTS.md"
        print(f"wrote {write_results_md(args.out, md)}")
        return 0
    if args.threads:
        import torch

        torch.set_num_threads(args.threads)
    if args.suite == "speed":
        from benchmarks import bench_speed

        bench_speed.run(args.epochs, args.repeats, out=args.out / "speed.json",
                        command=command)
    elif args.suite == "mcu":
        from benchmarks import bench_mcu

        bench_mcu.run(args.out / "mcu.json", command, args.targets, args.windows,
                      args.datasets, args.data_home or data.shared_data_dir())
    else:
        data_home = args.data_home or data.shared_data_dir()
        suite = make_suite(args.suite, args.seeds, args.datasets, args.models,
                           args.max_epochs, data_home)
        results = run_suite(suite, args.out / f"{args.suite}.json", data_home,
                            command, redo=args.redo)
        print_suite(results)
    if not args.no_report and args.out == RESULTS_DIR:
        print(f"wrote {write_results_md(args.out)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
