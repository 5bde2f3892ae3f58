"""The documentation stays true to the code.

- numpydoc ``Parameters`` (``Attributes`` for dataclasses) name exactly the
  signature's arguments, in order, for every public class, function and method;
- every public class and function has an ``Examples`` section (pytest runs them
  with ``--doctest-modules``);
- the API reference lists every public object;
- the index page's example is the README's (which ``test_readme`` runs);
- the ``main.c`` of the deployment guide, compiled with an exported model, makes
  the numpy engine's predictions on a stream;
- the "How it compares" page renders benchmark JSON, and says so when there is none.

The sphinx build itself (``python -m sphinx -W ...``) runs in ``.ci/run``.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

# numpydoc comes with the "docs" extra, which .ci/run installs.
docscrape = pytest.importorskip("numpydoc.docscrape")
ClassDoc, FunctionDoc = docscrape.ClassDoc, docscrape.FunctionDoc

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"

#: Packages whose ``__all__`` is public API.
PACKAGES = ("skmicrobi", "skmicrobi.datasets", "skmicrobi.int8")
#: Modules whose public classes and functions are public API.
MODULES = (
    "skmicrobi.cli",
    "skmicrobi.exceptions",
    "skmicrobi.export",
    "skmicrobi.pipeline",
    "skmicrobi.quantization",
)

#: Gaps known when this test was written, with the module's owner to close them.
#: The tests fail when a gap is closed and still listed, so the list only shrinks.
KNOWN_MISSING_EXAMPLES = {
    "skmicrobi.cli.demo": "cli",
    "skmicrobi.cli.export": "cli",
    "skmicrobi.cli.main": "cli",
    "skmicrobi.export.build_harness": "export",
    "skmicrobi.export.run_c": "export",
    "skmicrobi.int8.engine.integer_features": "int8",
    "skmicrobi.int8.engine.predict_logits": "int8",
    "skmicrobi.int8.layers.conv_stage": "int8",
    "skmicrobi.int8.layers.linear_head": "int8",
    "skmicrobi.int8.layers.lstm_cell": "int8",
    "skmicrobi.int8.layers.lstm_direction": "int8",
    "skmicrobi.int8.layers.lstm_gates": "int8",
    "skmicrobi.int8.model.ConvStage": "int8",
    "skmicrobi.int8.model.IntegerMicroBi": "int8",
    "skmicrobi.int8.model.LSTMDirection": "int8",
}
KNOWN_PARAMETER_GAPS = {
    "skmicrobi.cli.export": "cli",
    "skmicrobi.cli.main": "cli",
    "skmicrobi.network.MicroBiConvLSTM.embed": "network",
    "skmicrobi.network.MicroBiConvLSTM.forward": "network",
}


def _public_objects() -> dict[str, object]:
    """Public classes, functions and data, by the name of their definition."""
    found = {}
    for package in PACKAGES:
        module = importlib.import_module(package)
        for name in module.__all__:
            if name == "__version__":
                continue
            obj = getattr(module, name)
            found[_qualified(obj, f"{package}.{name}")] = obj
    for module_name in MODULES:
        module = importlib.import_module(module_name)
        for name, obj in vars(module).items():
            if name.startswith("_") or getattr(obj, "__module__", None) != module_name:
                continue
            if inspect.isclass(obj) or inspect.isfunction(obj):
                found[_qualified(obj, f"{module_name}.{name}")] = obj
    return found


def _qualified(obj, fallback: str) -> str:
    if inspect.isclass(obj) or inspect.isfunction(obj):
        return f"{obj.__module__}.{obj.__qualname__}"
    return fallback


def _documented_callables() -> dict[str, object]:
    """Public classes and functions, and the public methods classes define."""
    found = {}
    for name, obj in _public_objects().items():
        if not (inspect.isclass(obj) or inspect.isfunction(obj)):
            continue
        found[name] = obj
        if inspect.isclass(obj):
            for attr, member in vars(obj).items():
                generated = attr.startswith("set_") and attr.endswith("_request")
                if attr.startswith("_") or generated or not inspect.isfunction(member):
                    continue
                found[f"{name}.{attr}"] = member
    return found


def _names(section) -> list[str]:
    names = []
    for entry in section:
        names += [n.strip().lstrip("*") for n in entry.name.split(",") if n.strip()]
    return names


def _signature_names(obj) -> list[str]:
    target = obj.__init__ if inspect.isclass(obj) else obj
    if not inspect.isfunction(target):
        return []  # e.g. a warning class: Python's own constructor, nothing to list
    params = inspect.signature(target).parameters
    return [n for n in params if n not in ("self", "cls")]


def _parameter_problem(obj) -> str | None:
    if inspect.isclass(obj) and dataclasses.is_dataclass(obj):
        fields = [f.name for f in dataclasses.fields(obj)]
        documented = _names(ClassDoc(obj)["Attributes"])
        if documented == fields:
            return None
        return f"fields {fields}, documented {documented}"
    doc = ClassDoc(obj) if inspect.isclass(obj) else FunctionDoc(obj)
    documented = _names(doc["Parameters"])
    expected = _signature_names(obj)
    if documented == expected:
        return None
    return f"signature {expected}, documented {documented}"


CALLABLES = _documented_callables()


@pytest.mark.parametrize("name", sorted(CALLABLES))
def test_parameters_match_signature(name):
    problem = _parameter_problem(CALLABLES[name])
    if name in KNOWN_PARAMETER_GAPS:
        assert problem is not None, f"{name} is fixed: remove it from the known gaps"
    else:
        assert problem is None, f"{name}: {problem}"


#: Classes and functions, without the methods (their class's Examples show them).
OBJECTS = {
    name: obj
    for name, obj in CALLABLES.items()
    if not inspect.isclass(CALLABLES.get(name.rsplit(".", 1)[0]))
}


@pytest.mark.parametrize("name", sorted(OBJECTS))
def test_public_objects_have_examples(name):
    obj = OBJECTS[name]
    doc = ClassDoc(obj) if inspect.isclass(obj) else FunctionDoc(obj)
    has_examples = bool("".join(doc["Examples"]).strip())
    if name in KNOWN_MISSING_EXAMPLES:
        assert not has_examples, f"{name} has Examples: remove it from the known gaps"
    else:
        assert has_examples, f"{name} has no Examples section"


def _api_entries() -> list[str]:
    """Full names of the objects the API reference's autosummary tables list."""
    entries, module = [], None
    in_table = False
    for line in (DOCS / "api.rst").read_text().splitlines():
        current = re.match(r"\.\. currentmodule:: (\S+)", line)
        if current:
            module = current.group(1)
            continue
        if line.startswith(".. autosummary::"):
            in_table = True
            continue
        if in_table:
            if line.startswith("   :") or not line.strip():
                continue
            if not line.startswith("   "):
                in_table = False
                continue
            name = line.strip()
            full = name if name.startswith("skmicrobi") else f"{module}.{name}"
            entries.append(full)
    return entries


def _import(dotted: str):
    parts = dotted.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        for attr in parts[i:]:
            obj = getattr(obj, attr)
        return obj
    raise ImportError(dotted)


def test_api_reference_lists_every_public_object():
    listed = {id(_import(entry)) for entry in _api_entries()}
    missing = sorted(
        name for name, obj in _public_objects().items() if id(obj) not in listed
    )
    assert not missing, f"add to docs/api.rst: {missing}"


def test_index_example_is_the_readmes():
    readme = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    index = (DOCS / "index.rst").read_text()
    block = re.search(r"\.\. code-block:: python\n\n((?:   .*\n|\n)+)", index).group(1)
    code = "\n".join(line[3:] for line in block.splitlines()).strip()
    assert code == readme[0].strip()


# -- the deployment guide's main.c -------------------------------------------------
_BOARD_HOST = r"""
#include <stdio.h>
#include <stdlib.h>
#include "board.h"
#include "har.h"

void board_init(void) {}

void board_wait_sample(int16_t *sample)
{
    if (fread(sample, sizeof(int16_t), HAR_N_CHANNELS, stdin) != HAR_N_CHANNELS) {
        exit(0);
    }
}

void board_report(uint32_t class_index)
{
    printf("%u\n", (unsigned)class_index);
}
"""


@pytest.mark.parametrize("hop", [7, 32, 45])
def test_deployment_main_c_predicts_like_the_engine(tmp_path, hop):
    from skmicrobi import MicroBiConvLSTM
    from skmicrobi.export import DEFAULT_CFLAGS, export_c, find_compiler
    from skmicrobi.int8 import build_integer_model, predict_logits

    compiler = find_compiler()
    if compiler is None:
        pytest.skip("no C compiler")
    import torch

    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    n_channels, length = 6, 32
    model = build_integer_model(
        MicroBiConvLSTM(n_channels, 5), rng.normal(size=(16, n_channels, length))
    )
    sources = [str(p) for p in export_c(model, tmp_path, name="har")
               if p.suffix == ".c"]
    (tmp_path / "board_host.c").write_text(_BOARD_HOST)
    deploy = DOCS / "user_guide" / "deploy"
    exe = tmp_path / "har_main"
    subprocess.run(
        [compiler, *DEFAULT_CFLAGS, f"-DHOP={hop}", "-I", str(deploy), "-I",
         str(tmp_path), str(deploy / "main.c"), *sources,
         str(tmp_path / "board_host.c"), "-o", str(exe)],
        check=True, capture_output=True, text=True,
    )
    stream = rng.integers(-20000, 20000, size=(n_channels, 300)).astype(np.int16)
    out = subprocess.run(
        [str(exe)], input=np.ascontiguousarray(stream.T).tobytes(),
        capture_output=True, check=True,
    ).stdout.decode()
    starts = range(0, stream.shape[1] - length + 1, hop)
    windows = np.stack([stream[:, s : s + length] for s in starts])
    expected = predict_logits(model, windows).argmax(axis=1)
    assert [int(v) for v in out.split()] == expected.tolist()


# -- the "How it compares" page ----------------------------------------------------
@pytest.fixture
def benchmark_results():
    sys.path.insert(0, str(DOCS / "_ext"))
    sys.path.insert(0, str(ROOT))
    try:
        yield importlib.import_module("benchmark_results")
    finally:
        sys.path.remove(str(DOCS / "_ext"))
        sys.path.remove(str(ROOT))


def _rst_problems(lines: list[str]) -> list[str]:
    """docutils' complaints about the RST, and table cells that parse as lists."""
    from docutils import nodes
    from docutils.core import publish_doctree
    from docutils.utils import Reporter

    doctree = publish_doctree(
        "\n".join(lines),
        settings_overrides={"report_level": Reporter.INFO_LEVEL + 1, "halt_level": 5},
    )
    problems = [m.astext() for m in doctree.findall(nodes.system_message)]
    for entry in doctree.findall(nodes.entry):
        if any(True for _ in entry.findall(nodes.bullet_list)):
            problems.append(f"table cell read as a list: {entry.astext()!r}")
    return problems


def test_comparison_page_without_results_says_how_to_make_them(
    tmp_path, benchmark_results
):
    lines, files = benchmark_results.render(tmp_path / "results")
    assert files == []
    assert "python -m benchmarks run smoke" in "\n".join(lines)
    assert _rst_problems(lines) == []


def test_comparison_page_renders_odd_results_as_valid_rst(tmp_path, benchmark_results):
    folder = tmp_path / "results"
    folder.mkdir()
    (folder / "smoke.json").write_text(
        '{"suite": "smoke", "settings": {"seeds": [0, 1], "max_epochs": 3},'
        ' "runs": [{"command": "python -m benchmarks run smoke", "environment":'
        ' {"cpu_model": "x_86 *fast*", "versions": {"torch": "2.13"}}}],'
        ' "records": [{"dataset": "d", "model": "MicroBi", "protocol": "honest",'
        ' "seed": 0, "error": "ValueError: bad `x` *and* _y_ | z"},'
        ' {"dataset": "d", "model": "MicroBi", "protocol": "honest", "seed": 1,'
        ' "macro_f1": 0.9, "accuracy": 0.95}],'
        ' "skipped": {"pamap2": "OSError: no file data_home/PAMAP2_*"}}'
    )
    (folder / "later.json").write_text('{"command": "python -m benchmarks.later"}')
    lines, files = benchmark_results.render(folder)
    assert [f.name for f in files] == ["smoke.json", "later.json"]
    text = "\n".join(lines)
    assert "failed, d MicroBi seed 0" in text and "not run, ``pamap2``" in text
    assert _rst_problems(lines) == []


def test_comparison_page_renders_the_repository_results(benchmark_results):
    lines, files = benchmark_results.render()
    assert _rst_problems(lines) == []
    text = "\n".join(lines)
    for path in files:
        assert f"benchmarks/results/{path.name}" in text
    # every results file of the repository has its table, none a placeholder
    assert "No table" not in text


def test_optional_scaling_page_enters_the_toctree_only_when_present(tmp_path):
    sys.path.insert(0, str(DOCS / "_ext"))
    try:
        optional_pages = importlib.import_module("optional_pages")
    finally:
        sys.path.remove(str(DOCS / "_ext"))
    index = (DOCS / "user_guide" / "index.rst").read_text()
    (tmp_path / "user_guide").mkdir()
    app = type("App", (), {"srcdir": str(tmp_path)})()
    source = [index]
    optional_pages._add_existing(app, "user_guide/index", source)
    assert "optional" not in source[0] and "scaling" not in source[0]
    (tmp_path / "user_guide" / "scaling.rst").write_text("Scaling\n=======\n")
    source = [index]
    optional_pages._add_existing(app, "user_guide/index", source)
    assert "\n   scaling\n" in source[0]
