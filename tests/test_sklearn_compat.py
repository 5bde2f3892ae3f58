"""scikit-learn's private names enter skmicrobi through one module only."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
COMPAT = ROOT / "skmicrobi" / "_sklearn_compat.py"
SOURCES = sorted(
    p
    for folder in ("skmicrobi", "benchmarks", "examples")
    for p in (ROOT / folder).rglob("*.py")
    if p != COMPAT
)


def _private_sklearn_imports(tree: ast.AST) -> list[str]:
    """``sklearn`` imports of an underscore module or name, as written."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
            "sklearn"
        ):
            private_module = any(
                part.startswith("_") for part in node.module.split(".")
            )
            names = [a.name for a in node.names]
            if private_module or any(name.startswith("_") for name in names):
                found.append(f"from {node.module} import {names}")
        elif isinstance(node, ast.Import):
            found += [
                a.name
                for a in node.names
                if a.name.startswith("sklearn")
                and any(part.startswith("_") for part in a.name.split("."))
            ]
    return found


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_private_sklearn_import_outside_the_compat_module(path):
    found = _private_sklearn_imports(ast.parse(path.read_text()))
    assert not found, f"import these through skmicrobi._sklearn_compat: {found}"


def test_the_scan_finds_a_private_import():
    tree = ast.parse(
        "from sklearn.base import clone, _fit_context\n"
        "from sklearn.utils._param_validation import Interval\n"
        "import sklearn.utils._user_interface\n"
        "from sklearn.metrics import f1_score\n"
    )
    assert len(_private_sklearn_imports(tree)) == 3


def test_the_compat_module_provides_what_pipeline_needs():
    from skmicrobi import _sklearn_compat

    for name in _sklearn_compat.__all__:
        assert hasattr(_sklearn_compat, name)
