"""Training progress: quiet by default, one plain line per epoch in a log, in
place on a terminal, with the time left."""

import io
import pickle

import numpy as np
import pytest

from skmicrobi import MicroBiClassifier
from skmicrobi.progress import ProgressLog, format_duration


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3, 16)).astype("float32")
    return X, np.arange(40) % 2


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_quiet_by_default(data, capsys):
    MicroBiClassifier(max_epochs=2, random_state=0).fit(*data)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


def test_verbose_reports_each_epoch_on_stderr_with_validation_and_time_left(
    data, capsys
):
    clf = MicroBiClassifier(
        max_epochs=3, early_stopping=True, patience=5, verbose=1, random_state=0
    )
    clf.fit(*data)
    captured = capsys.readouterr()
    assert captured.out == ""  # stdout stays the user's
    lines = captured.err.splitlines()
    assert "\r" not in captured.err and "\x1b" not in captured.err
    assert lines[-1] == "Restoring best model from epoch 1."  # skorch's message
    lines = lines[:-1]
    assert len(lines) == 3
    for epoch, line in enumerate(lines, 1):
        assert line.startswith(f"epoch {epoch}/3  train_loss ")
        assert "valid_loss " in line and "valid_acc " in line and "s/epoch" in line
    assert lines[0].endswith("left") and lines[-1].endswith("in all")
    pickle.loads(pickle.dumps(clf))  # the callback keeps no stream


def test_early_stopping_is_reported(data):
    log = io.StringIO()
    MicroBiClassifier(
        max_epochs=50,
        early_stopping=True,
        patience=1,
        lr=1e-6,
        callbacks=[ProgressLog(log)],
        random_state=0,
    ).fit(*data)
    text = log.getvalue()
    assert "at most" in text.splitlines()[0]  # early stopping may end it sooner
    assert "early stopping after epoch" in text.splitlines()[-1]


def test_a_terminal_gets_one_line_rewritten_in_place(data):
    term = Terminal()
    MicroBiClassifier(
        max_epochs=3, early_stopping=False, callbacks=[ProgressLog(term)]
    ).fit(*data)
    text = term.getvalue()
    assert text.count("\r") == 3 and text.count("\n") == 1 and text.endswith("\n")
    assert "epoch 3/3" in text.split("\r")[-1]


def test_format_duration():
    assert format_duration(-1) == "0 s"
    assert format_duration(0.03) == "<1 s"  # not "0 s left" with work to do
    assert format_duration(59.6) == "1:00"
    assert format_duration(7322) == "2:02:02"
