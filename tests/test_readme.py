"""The README's example runs as written and its set-up commands are the real ones."""

import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


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
