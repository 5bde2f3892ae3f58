"""``.. benchmark-results::``: the benchmark tables, read from their JSON at build time.

The numbers on the "How it compares" page are never typed by hand: this directive
reads every ``benchmarks/results/*.json`` when the docs build and renders each
with the benchmark package's own formatters (:mod:`benchmarks.report` for the
``paper`` and ``smoke`` suites, ``bench_speed`` and ``bench_windowing`` for theirs),
so the page and ``benchmarks/RESULTS.md`` cannot disagree. A missing results
folder gives a note saying which command produces it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from docutils.parsers.rst import Directive
from docutils.statemachine import StringList

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "benchmarks" / "results"
#: Order of the sections; other JSON files follow by name.
ORDER = ("paper", "smoke", "int8", "speed", "mcu", "windowing", "memmap",
         "long_stream")
TITLES = {
    "paper": "The paper's datasets and protocol",
    "smoke": "Smoke suite (few epochs, minutes)",
    "int8": "Float against fully integer (INT8)",
    "speed": "Training and inference speed",
    "mcu": "Microcontrollers: flash, RAM and counted instructions",
    "windowing": "Windowing throughput and memory",
    "memmap": "Training from a memory-mapped file larger than RAM allows",
    "long_stream": "Predicting on hours-long recordings",
}
#: Results shown as their benchmark script prints them (benchmarks.report's
#: TEXT_TABLES, plus the speed suite).
TEXT_TABLES = ("speed", "mcu", "windowing", "memmap", "long_stream")


def _title(text: str, char: str = "-") -> list[str]:
    return [text, char * len(text), ""]


def _literal(text: str) -> list[str]:
    return ["::", ""] + ["    " + line for line in text.splitlines()] + [""]


def _list_table(rows: list[list[str]]) -> list[str]:
    lines = [".. list-table::", "   :header-rows: 1", "   :class: benchmark-table", ""]
    for row in rows:
        lines.append("   * - " + _cell(row[0]))
        lines += ["     - " + _cell(cell) for cell in row[1:]]
    return lines + [""]


def _esc(value) -> str:
    """Free text (error messages, reasons) as plain RST text."""
    text = str(value).replace("\\", "\\\\")
    for char in "*`|_[]":
        text = text.replace(char, "\\" + char)
    return " ".join(text.split())


def _cell(value) -> str:
    text = _esc(value)
    if not text.strip():
        return "\\ "
    # A lone "-" (a missing value) or "+ x" would start a bullet list in the cell.
    return "\\" + text if re.match(r"[-+](\s|$)", text) else text


def _runs(results: dict) -> list[dict]:
    """(command, environment) of each run that wrote into a results file."""
    if results.get("runs"):
        return list(results["runs"])
    commands = results.get("commands") or [results.get("command")]
    environments = results.get("environments") or [results.get("environment")]
    runs = []
    for i, command in enumerate(commands):
        env = environments[i] if i < len(environments) else None
        runs.append({"command": command, "environment": env})
    return runs


def _machine(env: dict) -> str:
    versions = env.get("versions", {})
    described = [
        f"{env.get('cpu_model', '?')} ({env.get('logical_cpus', '?')} logical CPUs, "
        f"{env.get('torch_threads', '?')} torch threads)"
    ]
    described += [f"{name} {v}" for name, v in versions.items()]
    if env.get("git_commit"):
        described.append(f"commit {env['git_commit']}")
    if env.get("date"):
        described.append(str(env["date"]))
    return ", ".join(described)


def _commands(results: dict) -> list[str]:
    runs = [r for r in _runs(results) if r.get("command")]
    if not runs:
        return []
    lines = ["Produced by:", ""]
    for run in runs:
        lines += [f"- ``{run['command']}``"]
        if run.get("environment"):
            lines += [f"  on {_esc(_machine(run['environment']))}"]
    return lines + [""]


def _records_suite(name: str, results: dict) -> list[str]:
    from benchmarks.report import table_rows

    lines = _commands(results)
    settings = {k: v for k, v in results.get("settings", {}).items()
                if not isinstance(v, dict)}
    if settings:
        described = ", ".join(
            f"{k} {', '.join(map(str, v)) if isinstance(v, list) else v}"
            for k, v in settings.items()
        )
        lines += [f"Settings: {_esc(described)}.", ""]
    rows = table_rows(results)
    if len(rows) > 1:
        lines += _list_table(rows)
    else:
        lines += ["No finished run in this file yet.", ""]
    for skipped, reason in results.get("skipped", {}).items():
        lines += [f"- not run, ``{skipped}``: {_esc(reason)}"]
    errors = [r for r in results.get("records", []) if "error" in r]
    for r in errors:
        lines += [
            f"- failed, {r['dataset']} {r['model']} seed {r['seed']}: "
            f"{_esc(r['error'][:200])}"
        ]
    lines.append("")
    for png in sorted(RESULTS.glob(f"{name}_*.png")):
        lines += [f".. image:: /../benchmarks/results/{png.name}",
                  f"   :alt: {png.stem}", ""]
    return lines


def _int8(results: dict) -> list[str]:
    lines = []
    summary = results.get("summary", {})
    if summary:
        header = ["dataset", "seeds", "F1 float %", "F1 INT8 %", "drop (mean)",
                  "drop (max)", "agreement", "INT8 bytes", "object bytes"]
        rows = [header]
        for dataset, s in summary.items():
            rows.append([
                dataset, s.get("seeds"),
                f"{s.get('f1_float_mean')} ± {s.get('f1_float_std')}",
                f"{s.get('f1_int8_mean')} ± {s.get('f1_int8_std')}",
                s.get("f1_drop_mean"), s.get("f1_drop_max"),
                s.get("agreement_mean"), s.get("int8_total_bytes"),
                s.get("object_bytes") or "-",
            ])
        lines += _list_table(rows)
    config = results.get("uci_har_config")
    if config:
        lines += [f"UCI-HAR configuration (9 x 128 windows, 6 classes; "
                  f"{config.get('source')}):", ""]
        lines += [f"- ``{key}``: {value}" for key, value in config.items()
                  if key != "source"]
        lines.append("")
    machine = results.get("machine")
    if machine:
        lines += ["Machine: " + ", ".join(f"{k} {v}" for k, v in machine.items())
                  + ".", ""]
    return lines


def _text_table(stem: str, results: dict) -> list[str]:
    """The results as the benchmark script prints them (see TEXT_TABLES)."""
    import importlib

    from benchmarks.report import TEXT_TABLES as formatters

    formatters = {"speed": (None, "benchmarks.bench_speed", "format_speed"),
                  **formatters}
    _, module, function = formatters[stem]
    text = getattr(importlib.import_module(module), function)(results)
    return _commands(results) + _literal(text)


def render(
    folder: Path = RESULTS, only: str | None = None
) -> tuple[list[str], list[Path]]:
    """RST of every results file in ``folder`` (or of ``only.json``), and the
    files read."""
    files = sorted(folder.glob("*.json"),
                   key=lambda p: (ORDER.index(p.stem) if p.stem in ORDER
                                  else len(ORDER), p.stem))
    if only is not None:
        files = [p for p in files if p.stem == only]
    if not files:
        return [
            ".. note::",
            "",
            f"   No benchmark results yet: ``benchmarks/results/`` holds no JSON"
            f" ({'folder missing' if not folder.is_dir() else 'folder empty'}).",
            "   Run ``python -m benchmarks run smoke`` (minutes) or "
            "``python -m benchmarks run paper`` and rebuild the docs.",
            "",
        ], []
    lines = []
    for path in files:
        results = json.loads(path.read_text())
        if only is None:
            lines += _title(TITLES.get(path.stem, f"``{path.name}``"))
        lines += [f"From ``benchmarks/results/{path.name}``.", ""]
        if path.stem == "int8":
            lines += _int8(results)
        elif path.stem in TEXT_TABLES:
            lines += _text_table(path.stem, results)
        elif "records" in results:
            lines += _records_suite(path.stem, results)
        else:
            lines += _commands(results)
            lines += ["No table for this file yet; it is in the repository as "
                      f"``benchmarks/results/{path.name}``.", ""]
    return lines, files


class BenchmarkResults(Directive):
    """Insert the benchmark tables as if they had been written in the page;
    with an argument (``.. benchmark-results:: mcu``), one suite's, untitled."""

    has_content = False
    optional_arguments = 1

    def run(self):
        env = self.state.document.settings.env
        try:
            lines, files = render(only=self.arguments[0] if self.arguments else None)
        except Exception as exc:  # a results format the page cannot read
            error = self.state.document.reporter.warning(
                f"benchmark-results: cannot render benchmarks/results: "
                f"{type(exc).__name__}: {exc}",
                line=self.lineno,
            )
            return [error]
        for path in files:
            env.note_dependency(str(path))
        source = self.state_machine.input_lines.source(
            self.lineno - self.state_machine.input_offset - 1
        )
        self.state_machine.insert_input(StringList(lines, source=source), source)
        return []


def setup(app):
    app.add_directive("benchmark-results", BenchmarkResults)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
