"""Tables, plots and ``RESULTS.md``, all generated from the suites' JSON."""

from __future__ import annotations

import json
import math
from pathlib import Path

from benchmarks.bench_speed import format_speed
from benchmarks.suites import RESULTS_DIR, _load_results, summarise

#: Row order of the tables: the paper's model first, then the baselines.
TABLE_ORDER = (
    "MicroBi", "DeepConvLSTM", "TinyHAR", "TinierHAR", "CNNClassifierTorch",
    "MiniRocket",
)
RESULTS_MD = Path(__file__).parent / "RESULTS.md"

_PROTOCOLS_MD = """\
Protocols: **honest** = early stopping on a validation split of whole training
subjects (stratified windows where a dataset has no subject ids), test split
scored once at the end; sktime's CNNClassifierTorch trains a fixed number of
epochs and MiniRocket's ridge picks its alpha by internal cross-validation, both
without seeing the test split. **test-selected** = the paper's reference
protocol, reported only for comparison: no validation split, the epoch with the
best *test* macro-F1 is kept (patience 10), which is optimistic by construction.
"""


def _fmt(value, spec: str, missing: str = "-") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return missing
    return format(value, spec)


def _si(value) -> str:
    if value is None:
        return "-"
    for div, suffix in ((1e6, "M"), (1e3, "K")):
        if value >= div:
            return f"{value / div:.1f}{suffix}"
    return f"{value:.0f}"


def _ordered(rows: list[dict]) -> list[dict]:
    order = {m: i for i, m in enumerate(TABLE_ORDER)}
    return sorted(rows, key=lambda r: (r["dataset"], order.get(r["model"], 99),
                                       r["protocol"] != "honest"))


def table_rows(results: dict) -> list[list[str]]:
    """Header and rows of a suite's summary table, as strings."""
    header = ["dataset", "model", "protocol", "seeds", "macro-F1 %", "accuracy %",
              "F1 INT8 %", "params", "MACs/window", "INT8 bytes", "fit s",
              "predict win/s", "paper F1 %", "ours - paper"]
    rows = [header]

    def pm(mean, std, n):
        if mean is None:
            return "-"
        return f"{mean:.2f}" if n < 2 else f"{mean:.2f} ± {std:.2f}"

    for r in _ordered(summarise(results.get("records", []))):
        f1, n = r["macro_f1"], r["n_seeds"]
        gap = (f1 - r["paper_macro_f1"]) if r["paper_macro_f1"] is not None else None
        rows.append([
            r["dataset"], r["model"], r["protocol"], str(r["n_seeds"]),
            pm(f1, r["macro_f1_std"], n), pm(r["accuracy"], r["accuracy_std"], n),
            pm(r["macro_f1_int8"], r["macro_f1_int8_std"], n),
            _fmt(r["params"], ",.0f"), _si(r["macs"]), _fmt(r["int8_bytes"], ",.0f"),
            _fmt(r["fit_time_s"], ".0f"), _fmt(r["predict_windows_per_s"], ",.0f"),
            _fmt(r["paper_macro_f1"], ".2f"), _fmt(gap, "+.2f"),
        ])
    return rows


def text_table(rows: list[list[str]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths)) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def markdown_table(rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(rows[0]) + " |",
             "|" + "|".join("---" for _ in rows[0]) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows[1:]]
    return "\n".join(lines)


def print_suite(results: dict) -> None:
    """Print a suite's summary table to stdout."""
    print(text_table(table_rows(results)))
    for name, reason in results.get("skipped", {}).items():
        print(f"skipped {name}: {reason}")


def plots(results: dict, folder: Path) -> list[Path]:
    """Macro-F1 vs parameters and float vs INT8 figures of a suite, as PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [r for r in summarise(results.get("records", []))
            if r["protocol"] == "honest"]
    suite = results["suite"]
    written = []
    if rows:
        fig, ax = plt.subplots(figsize=(7, 4.5))
        markers = dict(zip(TABLE_ORDER, "o^sDvP"))
        names = sorted({r["dataset"] for r in rows})
        colours = dict(zip(names, plt.cm.tab10.colors))
        for r in rows:
            if r["params"] is None:
                continue
            ax.scatter(r["params"], r["macro_f1"], marker=markers.get(r["model"], "x"),
                       color=colours[r["dataset"]], s=50)
        for model, marker in markers.items():
            ax.scatter([], [], marker=marker, color="grey", label=model)
        for name, colour in colours.items():
            ax.scatter([], [], marker="_", color=colour, label=name, s=120)
        ax.set_xscale("log")
        ax.set_xlabel("trainable parameters (log)")
        ax.set_ylabel("test macro-F1 % (honest protocol, mean over seeds)")
        ax.set_title(f"{suite}: macro-F1 vs size")
        ax.legend(fontsize=7, loc="lower right", ncol=2)
        ax.grid(alpha=0.3)
        path = folder / f"{suite}_f1_vs_params.png"
        fig.tight_layout()
        fig.savefig(path, dpi=120)
        plt.close(fig)
        written.append(path)
    int8 = [r for r in rows
            if r["model"] == "MicroBi" and r["macro_f1_int8"] is not None]
    if int8:
        fig, ax = plt.subplots(figsize=(max(4, 1.5 * len(int8)), 4))
        xs = range(len(int8))
        ax.bar([x - 0.2 for x in xs], [r["macro_f1"] for r in int8], 0.4,
               yerr=[r["macro_f1_std"] for r in int8], label="float32")
        ax.bar([x + 0.2 for x in xs], [r["macro_f1_int8"] for r in int8], 0.4,
               yerr=[r["macro_f1_int8_std"] for r in int8], label="INT8 (integer only)")
        ax.set_xticks(list(xs), [r["dataset"] for r in int8], fontsize=8)
        ax.set_ylabel("MicroBi test macro-F1 %")
        ax.set_ylim(max(0, min(r["macro_f1_int8"] for r in int8) - 15), 100)
        ax.set_title(f"{suite}: float vs INT8")
        ax.legend(fontsize=8)
        path = folder / f"{suite}_float_vs_int8.png"
        fig.tight_layout()
        fig.savefig(path, dpi=120)
        plt.close(fig)
        written.append(path)
    return written


def _machine(env: dict) -> str:
    v = env.get("versions", {})
    return (f"{env.get('cpu_model')} ({env.get('logical_cpus')} logical CPUs, "
            f"{env.get('torch_threads')} torch threads, load average "
            f"{env.get('load_average')} at start), Python {env.get('python')}, "
            f"torch {v.get('torch')}, skorch {v.get('skorch')}, sktime "
            f"{v.get('sktime')}, scikit-learn {v.get('scikit-learn')}, commit "
            f"{env.get('git_commit')}, {env.get('date')}")


def _suite_md(results: dict, folder: Path) -> str:
    settings = results.get("settings", {})
    lines = [f"## Suite `{results['suite']}`", ""]
    lines += ["Produced by these commands, each on the machine listed under it:", ""]
    for run in results.get("runs", []):
        lines += [f"- `{run['command']}`", f"  on {_machine(run['environment'])}"]
    lines += ["", f"Settings: max_epochs {settings.get('max_epochs')}, patience "
              f"{settings.get('patience')}, CNNClassifierTorch epochs "
              f"{settings.get('cnn_epochs')}, seeds requested "
              f"{settings.get('seeds')}, training windows "
              f"{settings.get('max_train') or 'all'}.", ""]
    rows = summarise(results.get("records", []))
    short = sorted({(r["dataset"], r["model"], r["protocol"], r["n_seeds"])
                    for r in rows if r["n_seeds"] < settings.get("seeds", 0)})
    if short:
        lines += ["**Reduced run**: fewer seeds than requested finished for: "
                  + "; ".join(f"{d} {m} ({p}): {n}" for d, m, p, n in short)
                  + ".", ""]
    errors = [r for r in results.get("records", []) if "error" in r]
    lines += [markdown_table(table_rows(results)), ""]
    for name in sorted({r["dataset"] for r in rows}):
        present = {r["model"] for r in rows if r["dataset"] == name}
        missing = [m for m in TABLE_ORDER if m not in present]
        if missing:
            lines.append(f"- no finished run on `{name}`: {', '.join(missing)}")
    for name, reason in results.get("skipped", {}).items():
        lines.append(f"- not run, `{name}`: {reason}")
    for r in errors:
        lines.append(f"- failed, {r['dataset']} {r['model']} seed {r['seed']}: "
                     f"{r['error'][:200]}")
    for png in sorted(folder.glob(f"{results['suite']}_*.png")):
        lines += ["", f"![{png.stem}](results/{png.name})"]
    return "\n".join(lines) + "\n"


def _speed_md(results: dict) -> str:
    return "\n".join([
        "## Suite `speed`", "", "Produced by:", "", f"    {results.get('command')}",
        "", "Machine:", "", f"- {_machine(results['environment'])}", "", "```",
        format_speed(results), "```", "",
    ])


#: Results printed by their script's own formatter: file stem -> (title, module,
#: function); the docs' comparison page renders the same files.
TEXT_TABLES = {
    "windowing": ("Windowing throughput and memory", "benchmarks.bench_windowing",
                  "format_table"),
    "memmap": ("Training from a memory-mapped file", "benchmarks.bench_memmap",
               "format_table"),
    "long_stream": ("Predicting on hours-long recordings",
                    "benchmarks.bench_long_stream", "format_table"),
    "mcu": ("Microcontrollers: flash, RAM and counted instructions",
            "benchmarks.bench_mcu", "format_table"),
}


def _text_md(stem: str, results: dict) -> str:
    import importlib

    title, module, function = TEXT_TABLES[stem]
    text = getattr(importlib.import_module(module), function)(results)
    return "\n".join([
        f"## {title} (`{stem}.json`)", "", "Produced by:", "",
        f"    {results.get('command')}", "", "Machine:", "",
        f"- {_machine(results.get('environment', {}))}", "", "```", text, "```", "",
    ])


def _int8_md(results: dict) -> str:
    """``bench_int8``: float against INT8 per dataset, and the UCI-HAR footprint."""
    lines = ["## Float against fully integer INT8 (`int8.json`)", "",
             "Produced by `python -m benchmarks.bench_int8` (honest protocol, "
             "seeds as listed); machine: "
             + ", ".join(f"{k} {v}" for k, v in results.get("machine", {}).items())
             + ".", ""]
    rows = [["dataset", "seeds", "F1 float %", "F1 INT8 %", "drop (mean)",
             "drop (max)", "agreement", "INT8 bytes", "object bytes"]]
    for dataset, r in results.get("summary", {}).items():
        rows.append([
            dataset, str(r["seeds"]),
            f"{r['f1_float_mean']:.2f} ± {r['f1_float_std']:.2f}",
            f"{r['f1_int8_mean']:.2f} ± {r['f1_int8_std']:.2f}",
            f"{r['f1_drop_mean']:+.2f}", f"{r['f1_drop_max']:+.2f}",
            f"{r['agreement_mean']:.4f}", f"{r['int8_total_bytes']:,}",
            _fmt(r.get("object_bytes"), ","),
        ])
    lines += [markdown_table(rows), ""]
    config = results.get("uci_har_config")
    if config:
        lines += [f"UCI-HAR configuration ({config.get('source')}):", ""]
        for key, value in config.items():
            if key == "source":
                continue
            if isinstance(value, dict):
                value = ", ".join(f"{k} {v}" for k, v in value.items())
            lines.append(f"- `{key}`: {value}")
        lines.append("")
    return "\n".join(lines)


def write_results_md(folder: Path = RESULTS_DIR, path: Path = RESULTS_MD) -> Path:
    """Regenerate ``RESULTS.md`` (and the plots) from every JSON in ``folder``."""
    parts = [
        "# Benchmark results", "",
        "Generated by `python -m benchmarks report` from the JSON files in "
        "`benchmarks/results/`; do not edit by hand. Macro-F1 and accuracy are "
        "means ± standard deviations over seeds of the test split; parameters, "
        "MACs per window (counted by `skmicrobi.count_macs`), INT8 bytes "
        "(constant data of the integer model), fit time and predict throughput "
        "are medians. \"ours - paper\" is our mean minus the paper's figure.",
        "", _PROTOCOLS_MD,
    ]
    for name in ("paper", "smoke", "speed"):
        file = folder / f"{name}.json"
        if not file.is_file():
            continue
        results = (json.loads(file.read_text()) if name == "speed"
                   else _load_results(file))
        if name == "speed":
            parts.append(_speed_md(results))
        else:
            plots(results, folder)
            parts.append(_suite_md(results, folder))
    if (folder / "int8.json").is_file():
        parts.append(_int8_md(json.loads((folder / "int8.json").read_text())))
    for stem in TEXT_TABLES:
        file = folder / f"{stem}.json"
        if file.is_file():
            parts.append(_text_md(stem, json.loads(file.read_text())))
    path.write_text("\n".join(parts))
    return path
