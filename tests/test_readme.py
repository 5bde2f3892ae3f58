"""The README's example runs as written and its set-up commands are the real ones."""

import re
import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib  # the dev extra installs it on Python 3.10

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"


def test_readme_example_runs(tmp_path, monkeypatch, capsys):
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    assert len(blocks) == 1 and len(blocks[0].strip().splitlines()) <= 15
    monkeypatch.chdir(tmp_path)
    exec(compile(blocks[0], str(README), "exec"), {})
    out = capsys.readouterr().out
    f1_int8 = float(re.search(r"int8  F1 ([0-9.]+)", out).group(1))
    assert f1_int8 >= 0.9
    assert (tmp_path / "build" / "har.c").exists()


def test_ci_runs_the_readme_test_command():
    commands = re.findall(r"```bash\n(.*?)\n```", README.read_text(), flags=re.S)
    assert len(commands) == 2
    ci = (README.parent / ".ci" / "run").read_text()
    assert commands[1] in ci


def _extras(command: str) -> set[str]:
    """The extras a ``pip install ... -e ".[a,b]"`` command names."""
    found = re.search(r'-e "\.\[([^\]]*)\]"', command)
    assert found, command
    return {e.strip() for e in found.group(1).split(",")}


def _expand(extras: set[str]) -> set[str]:
    """The requirements of ``extras``, following ``skmicrobi[...]`` inside them."""
    table = tomllib.loads((ROOT / "pyproject.toml").read_text())
    optional = table["project"]["optional-dependencies"]
    todo, seen, requirements = list(extras), set(), set()
    while todo:
        extra = todo.pop()
        if extra in seen:
            continue
        seen.add(extra)
        for requirement in optional[extra]:
            inner = re.fullmatch(r"skmicrobi\[([^\]]*)\]", requirement)
            if inner:
                todo += [e.strip() for e in inner.group(1).split(",")]
            else:
                requirements.add(requirement)
    return requirements


def test_readme_set_up_installs_all_that_ci_installs():
    # After the README's set-up, its test command runs what CI runs, with no
    # test skipped for a missing package, and its docs command works.
    setup = re.findall(r"```bash\n(.*?)\n```", README.read_text(), flags=re.S)[0]
    ci = (ROOT / ".ci" / "run").read_text()
    ci_install = next(line for line in ci.splitlines() if '-e ".[' in line)
    missing = _expand(_extras(ci_install)) - _expand(_extras(setup))
    assert not missing, f"CI installs {missing}, the README's set-up does not"
    docs = _expand(_extras(setup))
    for package in ("sphinx", "sphinx-gallery", "pydata-sphinx-theme", "numba"):
        assert any(r.startswith(package + ">") for r in docs), package
    for package in ("dask[distributed]", "numpydoc", "pytest-xdist", "hypothesis"):
        assert any(r.startswith(package) for r in docs), package


def test_torch_advice_gives_cpu_users_pytorch_cpu_index():
    cpu_index = "--index-url https://download.pytorch.org/whl/cpu"
    for page in (README, ROOT / "docs" / "install.rst"):
        text = page.read_text()
        assert f"pip install torch==2.13.0 {cpu_index}" in text, page
        assert "picks the CPU wheel" not in text  # only true on our machines
