"""The console script, as a user runs it."""

import subprocess
import sys

import joblib
import numpy as np
import pytest

from skmicrobi.cli import main
from skmicrobi.export import find_compiler


def test_demo_prints_the_report_and_saves_what_it_says(tmp_path, capsys):
    assert main(["demo", "--epochs", "3", "--seed", "1", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    for field in ("parameters", "epochs run", "fit time", "test macro-F1", "confusion"):
        assert field in out
    assert "10,116" in out  # 80 * 6 + 9440 + 49 * 4 for BasicMotions
    clf = joblib.load(tmp_path / "model.joblib")
    quantizer = joblib.load(tmp_path / "model_int8.joblib")
    assert clf.n_epochs_ == 3
    assert quantizer.integer_model_.head_weight.dtype == np.int8
    assert (tmp_path / "microbi.h").exists() and (tmp_path / "microbi.c").exists()
    assert not list(tmp_path.glob("*.tmp"))
    if find_compiler() is not None:
        assert "compiled microbi.c" in out


def test_export_subcommand_writes_c_from_a_saved_quantizer(tmp_path):
    main(["demo", "--epochs", "1", "--out", str(tmp_path / "run")])
    main(["export", str(tmp_path / "run" / "model_int8.joblib"), str(tmp_path / "c")])
    assert (tmp_path / "c" / "model.c").exists()


def test_console_script_rejects_bad_options():
    result = subprocess.run(
        [sys.executable, "-m", "skmicrobi.cli", "demo", "--epochs", "0"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2 and "--epochs must be at least 1" in result.stderr
    with pytest.raises(SystemExit):
        main(["nonsense"])
