"""The console script, as a user runs it."""

import os
import stat
import subprocess
import sys

import joblib
import numpy as np
import pytest

from skmicrobi.cli import _save_joblib, main
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
    assert (tmp_path / "motion.h").exists() and (tmp_path / "motion.c").exists()
    assert (tmp_path / "microbi.c").exists()  # the C runtime beside the model
    assert not list(tmp_path.glob("*.tmp"))
    if find_compiler() is not None:
        assert "compiled motion.c and the C runtime" in out


def test_export_subcommand_writes_c_from_a_saved_quantizer(tmp_path, capsys):
    main(["demo", "--epochs", "1", "--quiet", "--out", str(tmp_path / "run")])
    saved = str(tmp_path / "run" / "model_int8.joblib")
    assert main(["export", saved, str(tmp_path / "c")]) == 0
    assert (tmp_path / "c" / "model.c").exists()
    capsys.readouterr()
    # an output "folder" that is a file, and the float model instead of the int8 one
    for argv, says in (
        ([saved, str(tmp_path / "c" / "model.c")], "model.c"),
        ([str(tmp_path / "run" / "model.joblib"), str(tmp_path)], "MicroBiClassifier"),
    ):
        assert main(["export", *argv]) == 1
        err = capsys.readouterr().err
        assert len(err.splitlines()) == 1 and says in err, err


def test_console_script_rejects_bad_options():
    result = subprocess.run(
        [sys.executable, "-m", "skmicrobi.cli", "demo", "--epochs", "0"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert "--epochs: must be at least 1" in result.stderr
    # demo's own usage, not the top-level one
    assert result.stderr.startswith("usage: skmicrobi demo ")
    with pytest.raises(SystemExit):
        main(["nonsense"])


def test_help_and_argument_errors_do_not_import_the_heavy_packages():
    # --help and a bad argument must not wait for torch, scikit-learn or sktime.
    probe = (
        "import sys\n"
        "from skmicrobi.cli import main\n"
        "for argv in (['--help'], ['demo', '--help'], ['demo', '--epochs', '-3'],\n"
        "             ['export', '--help'], ['export', 'm', 'd', '--name', '1x']):\n"
        "    try:\n"
        "        main(argv)\n"
        "    except SystemExit:\n"
        "        pass\n"
        "heavy = [m for m in ('torch', 'sklearn', 'sktime', 'skorch', 'numpy')\n"
        "         if m in sys.modules]\n"
        "print('HEAVY', heavy)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert "HEAVY []" in result.stdout, result.stdout
    assert "(default: 80)" in result.stdout  # demo --help shows defaults
    assert "``" not in result.stdout  # no raw reStructuredText in the help
    assert "only files you" in result.stdout  # export --help: joblib runs code


def test_demo_help_shows_defaults(capsys):
    with pytest.raises(SystemExit):
        main(["demo", "--help"])
    out = capsys.readouterr().out
    assert "(default: 80)" in out and "(default: 0)" in out


@pytest.mark.parametrize("umask", [0o022, 0o027])
def test_saved_models_follow_the_umask(tmp_path, umask):
    old = os.umask(umask)
    try:
        _save_joblib({"a": 1}, tmp_path / "model.joblib")
    finally:
        os.umask(old)
    mode = stat.S_IMODE((tmp_path / "model.joblib").stat().st_mode)
    assert mode == 0o666 & ~umask
    assert joblib.load(tmp_path / "model.joblib") == {"a": 1}


def _export(capsys, *argv):
    status = main(["export", *argv])
    err = capsys.readouterr().err
    return status, err


def test_export_reports_user_errors_in_one_line(tmp_path, capsys):
    out = str(tmp_path / "c")
    junk = tmp_path / "junk.joblib"
    junk.write_bytes(b"this is not a pickle")
    wrong = tmp_path / "wrong.joblib"
    joblib.dump({"not": "a quantizer"}, wrong)
    cases = {
        "missing": (str(tmp_path / "missing.joblib"), "does not exist"),
        "folder": (str(tmp_path), "is a folder"),
        "junk": (str(junk), "cannot load"),
        "wrong kind": (str(wrong), "holds a dict, not an Int8Quantizer"),
    }
    for case, (model, says) in cases.items():
        status, err = _export(capsys, model, out)
        assert status == 1, case
        assert err.startswith("skmicrobi export: error: ") and says in err, err
        assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    assert not (tmp_path / "c").exists()


def test_export_rejects_a_bad_name_before_loading(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(
            ["export", str(tmp_path / "missing.joblib"), str(tmp_path), "--name", "1x"]
        )
    assert exit_info.value.code == 2
    assert "must be a C identifier" in capsys.readouterr().err


def test_export_of_an_unfitted_quantizer_is_one_line(tmp_path, capsys):
    from skmicrobi import Int8Quantizer, MicroBiClassifier

    unfitted = tmp_path / "unfitted.joblib"
    joblib.dump(Int8Quantizer(MicroBiClassifier()), unfitted)
    status, err = _export(capsys, str(unfitted), str(tmp_path / "c"))
    assert status == 1 and "not fitted" in err and len(err.splitlines()) == 1


def test_demo_rejects_an_out_path_that_is_a_file(tmp_path, capsys):
    (tmp_path / "file").write_text("")
    with pytest.raises(SystemExit) as exit_info:
        main(["demo", "--out", str(tmp_path / "file")])
    assert exit_info.value.code == 2
    assert "is not a folder" in capsys.readouterr().err


def test_demo_shows_progress_on_stderr_unless_quiet(capsys):
    assert main(["demo", "--epochs", "2"]) == 0
    err = capsys.readouterr().err
    assert "epoch 1/2  train_loss" in err and "epoch 2/2" in err
    assert "\r" not in err  # captured stderr is no terminal: plain lines
    assert main(["demo", "--epochs", "1", "--quiet"]) == 0
    assert "epoch" not in capsys.readouterr().err
