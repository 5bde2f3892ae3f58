"""The benchmark harness: baseline sizes, baseline training, suites, resume, report."""

import json
import os
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # benchmarks/ is a top-level folder, not installed
    sys.path.insert(0, str(ROOT))

from benchmarks import suites  # noqa: E402
from benchmarks.data import Dataset  # noqa: E402
from benchmarks.models import (  # noqa: E402
    DeepConvLSTM,
    TinierHAR,
    TinyHAR,
    baseline_classifier,
)
from benchmarks.report import table_rows, write_results_md  # noqa: E402
from skmicrobi import count_macs, count_parameters  # noqa: E402

# The paper's table: (UCI-HAR C=9 K=6 count, average over its eight datasets).
PAPER_SIZES = {
    DeepConvLSTM: (132_038, 135.6e3),
    TinyHAR: (42_704, 55.1e3),
    TinierHAR: (16_931, 33.5e3),
}
# (C, K) of the paper's eight datasets.
PAPER_DATASETS = [(9, 6), (6, 6), (3, 6), (19, 12), (79, 5), (3, 9), (30, 11), (9, 2)]


@pytest.mark.parametrize("network", list(PAPER_SIZES), ids=lambda n: n.__name__)
def test_parameter_counts_match_paper(network):
    uci_har, average = PAPER_SIZES[network]
    count = count_parameters(network(9, 6))
    assert abs(count - uci_har) / uci_har <= 0.10, count
    mean = np.mean([count_parameters(network(c, k)) for c, k in PAPER_DATASETS])
    assert abs(mean - average) / average <= 0.10, mean


def test_deepconvlstm_and_tinyhar_counts_are_exact():
    assert count_parameters(DeepConvLSTM(9, 6)) == 132_038
    assert count_parameters(TinyHAR(9, 6)) == 42_704


def test_tinyhar_macs_include_channel_attention():
    # Convs (valid, strides 1,2,1,2 -> 124, 60, 56, 26 steps, 9 channels each),
    # per step q/k/v projections and two 9x9x24 attention products, channel
    # fusion, LSTM(48, 48), temporal attention, head.
    convs = 9 * 5 * (24 * 124 + 24 * 24 * (60 + 56 + 26))
    attention = 26 * (3 * 9 * 24 * 24 + 2 * 9 * 9 * 24)
    rest = 26 * (216 * 48 + 4 * 48 * 96 + 48 * 48 + 48) + 48 * 6
    assert count_macs(TinyHAR(9, 6), 9, 128) == convs + attention + rest


@pytest.mark.parametrize("network", list(PAPER_SIZES), ids=lambda n: n.__name__)
def test_baselines_standardise_raw_input(network):
    torch.manual_seed(0)
    net = network(3, 4).eval()
    x = torch.randn(2, 3, 64)
    expected = net(x)
    mean, scale = torch.tensor([1.0, -2.0, 5.0]), torch.tensor([2.0, 0.5, 10.0])
    net.input_mean.copy_(mean)
    net.input_scale.copy_(scale)
    raw = x * scale[:, None] + mean[:, None]
    torch.testing.assert_close(net(raw), expected, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("network", list(PAPER_SIZES), ids=lambda n: n.__name__)
def test_min_length(network):
    net = network(2, 3).eval()
    net(torch.zeros(1, 2, net.min_length))
    with pytest.raises(RuntimeError):
        net(torch.zeros(1, 2, net.min_length - 1))


def test_min_length_follows_the_network_arguments():
    assert DeepConvLSTM(2, 3).min_length == 17
    assert DeepConvLSTM(2, 3, kernel_size=3).min_length == 9
    assert TinyHAR(2, 3).min_length == 25
    net = TinyHAR(2, 3, nb_conv_layers=2, filter_size=3).eval()
    net(torch.zeros(1, 2, net.min_length))
    with pytest.raises(RuntimeError):
        net(torch.zeros(1, 2, net.min_length - 1))


def _toy(n=48, C=3, T=32, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, C, T)).astype(np.float32)
    y = np.repeat(np.array(["a", "b"]), n // 2)
    X[y == "b", 0] += 1.5
    return X, y


def test_baseline_classifier_trains_through_microbi_machinery():
    X, y = _toy()
    groups = np.arange(len(y)) % 6
    clf = baseline_classifier("TinierHAR", max_epochs=4, random_state=0)
    assert clf.get_params()["module"] is TinierHAR
    assert clf.get_params()["module_params"] == {"dropout": 0.3}
    clf.fit(X, y, groups=groups)
    assert isinstance(clf.module_, TinierHAR)
    assert clf.module_.dropout.p == 0.3
    assert clf.module_.input_scale.numpy().min() > 0.5  # learned from X
    assert set(clf.predict(X)) <= {"a", "b"}
    again = baseline_classifier("TinierHAR", max_epochs=4, random_state=0)
    np.testing.assert_array_equal(
        again.fit(X, y, groups=groups).predict_proba(X), clf.predict_proba(X)
    )


def test_baseline_classifier_rejects_too_short_series():
    X, y = _toy(T=20)
    with pytest.raises(ValueError, match="at least 25"):
        baseline_classifier("TinyHAR", max_epochs=1).fit(X, y)


def test_test_set_selection_keeps_best_test_epoch():
    X, y = _toy(n=60)
    Xt, yt = _toy(n=40, seed=1)
    ds = Dataset("toy", X, y, Xt, yt)
    suite = suites.Suite("t", ["toy"], ["MicroBi"], seeds=1, max_epochs=6,
                         patience=2, cnn_epochs=1)
    record = suites.run_one("MicroBi", "test-selected", ds, suite, seed=0)
    assert 1 <= record["best_epoch"] <= record["n_epochs"] <= 6
    assert record["n_epochs"] - record["best_epoch"] <= 2  # patience on test F1
    # The restored weights are the best epoch's: the final score is the best one.
    est = suites._torch_estimator("MicroBi", "test-selected", ds, suite, 0)
    est.fit(X, y)
    best = max(est.history_[:, "test_f1"])
    from sklearn.metrics import f1_score

    assert f1_score(yt, est.predict(Xt), average="macro") == pytest.approx(best)


def _fake_loader(monkeypatch, n_fits):
    X, y = _toy(n=40, T=32)
    Xt, yt = _toy(n=20, T=32, seed=2)

    def load(name, data_home=None):
        if name == "missing":
            raise FileNotFoundError("no archive for missing")
        return Dataset(name, X, y, Xt, yt, np.arange(len(y)) % 4,
                       paper_macro_f1={"MicroBi": 90.0})

    real_run_one = suites.run_one

    def counting_run_one(*args, **kwargs):
        n_fits.append(args[:2])
        return real_run_one(*args, **kwargs)

    monkeypatch.setattr(suites.datasets, "load", load)
    monkeypatch.setattr(suites, "run_one", counting_run_one)


def test_runs_in_the_same_second_stay_two_runs(tmp_path, monkeypatch):
    # Two invocations with equal environments (same second, same load) once
    # merged into one run entry, so the second command went missing.
    fits = []
    _fake_loader(monkeypatch, fits)
    monkeypatch.setattr(suites, "environment", lambda: {"date": "same second"})
    suite = suites.Suite("smoke", ["toy"], ["CNNClassifierTorch"], seeds=1,
                         max_epochs=1, patience=1, cnn_epochs=1)
    out = tmp_path / "smoke.json"
    suites.run_suite(suite, out, None, "python -m benchmarks run smoke")
    suite.seeds = 2
    results = suites.run_suite(suite, out, None, "python -m benchmarks run smoke")
    assert len(results["runs"]) == 2
    assert len(json.loads(out.read_text())["runs"]) == 2


def test_suite_writes_json_resumes_and_reports(tmp_path, monkeypatch):
    fits = []
    _fake_loader(monkeypatch, fits)
    suite = suites.Suite("smoke", ["toy", "missing"], ["MicroBi", "CNNClassifierTorch"],
                         seeds=1, max_epochs=2, patience=1, cnn_epochs=1,
                         microbi_protocols=("honest", "test-selected"))
    out = tmp_path / "smoke.json"
    results = suites.run_suite(suite, out, None, "python -m benchmarks run smoke")
    assert len(fits) == 3  # 2 MicroBi protocols + CNNClassifierTorch
    saved = json.loads(out.read_text())
    assert len(saved["records"]) == 3 and "missing" in saved["skipped"]
    env = saved["runs"][0]["environment"]
    assert {"cpu_model", "torch_threads", "versions", "date"} <= set(env)
    rec = next(r for r in saved["records"] if r["model"] == "MicroBi")
    assert {"macro_f1", "accuracy", "params", "macs", "fit_time_s",
            "predict_windows_per_s"} <= set(rec)
    assert rec["params"] == 80 * 3 + 9440 + 49 * 2  # the paper's formula, K=2
    assert rec["macro_f1_int8"] is not None and rec["int8_bytes"] > 0

    suite.seeds = 2  # resume: only the second seed runs
    results = suites.run_suite(suite, out, None, "python -m benchmarks run smoke")
    assert len(fits) == 6 and len(results["records"]) == 6
    commands = [r["command"] for r in results["runs"]]
    assert commands == ["python -m benchmarks run smoke"] * 2

    rows = table_rows(results)
    models = [row[1] for row in rows[1:]]
    assert models == ["MicroBi", "MicroBi", "CNNClassifierTorch"]
    honest = rows[1]
    assert honest[2] == "honest" and honest[3] == "2" and "±" in honest[4]

    md = write_results_md(tmp_path, tmp_path / "RESULTS.md").read_text()
    assert "python -m benchmarks run smoke" in md and "| CNNClassifierTorch |" in md
    assert (tmp_path / "smoke_f1_vs_params.png").stat().st_size > 0
    assert (tmp_path / "smoke_float_vs_int8.png").stat().st_size > 0

    # --redo: one model's records are run again and replace the old ones
    old = {r["seed"]: r for r in results["records"]
           if r["model"] == "CNNClassifierTorch"}
    suite.models = ["CNNClassifierTorch"]
    results = suites.run_suite(suite, out, None, "python -m benchmarks run smoke "
                               "--models CNNClassifierTorch --redo", redo=True)
    assert len(fits) == 8 and len(results["records"]) == 6
    new = {r["seed"]: r for r in json.loads(out.read_text())["records"]
           if r["model"] == "CNNClassifierTorch"}
    assert sorted(new) == [0, 1]
    assert all(new[s]["fit_time_s"] != old[s]["fit_time_s"] for s in new)


def test_parallel_saves_keep_the_newest_measurement(tmp_path):
    # Process P loaded the file when run X held its old record; process Q has
    # since measured X again (--redo). P's next save, of its own run Y, must not
    # write the stale X back.
    def record(model, f1):
        return {"dataset": "d", "model": model, "protocol": "honest", "seed": 0,
                "macro_f1": f1}

    out = tmp_path / "paper.json"
    suites._save(out, {"suite": "paper", "records": [record("X", 0.1)]})
    p_view = json.loads(out.read_text())
    suites._save(out, {"suite": "paper", "records": [record("X", 0.2)]},
                 mine={("d", "X", "honest", 0)})
    p_view["records"].append(record("Y", 0.3))
    suites._save(out, p_view, mine={("d", "Y", "honest", 0)})
    saved = {r["model"]: r["macro_f1"] for r in json.loads(out.read_text())["records"]}
    assert saved == {"X": 0.2, "Y": 0.3}


def test_suite_refuses_other_suites_json(tmp_path):
    out = tmp_path / "x.json"
    out.write_text(json.dumps({"suite": "paper", "records": []}))
    suite = suites.Suite("smoke", [], ["MicroBi"], 1, 1, 1, 1)
    with pytest.raises(ValueError, match="suite 'paper'"):
        suites.run_suite(suite, out, None, "cmd")


def test_suite_refuses_to_mix_recipes(tmp_path):
    out = tmp_path / "smoke.json"
    suite = suites.Suite("smoke", [], ["MicroBi"], 1, max_epochs=3, patience=1,
                         cnn_epochs=1)
    suites.run_suite(suite, out, None, "cmd")
    suite.max_epochs = 4
    with pytest.raises(ValueError, match="max_epochs"):
        suites.run_suite(suite, out, None, "cmd")


def test_make_suite_validates_models():
    with pytest.raises(ValueError, match="Unknown models"):
        suites.make_suite("smoke", models=["ResNet"])
    with pytest.raises(ValueError, match="Unknown suite"):
        suites.make_suite("huge")


def test_mcu_suite_runs_end_to_end(tmp_path):
    from benchmarks import mcu
    from benchmarks.__main__ import main

    target = mcu.TARGETS["cortex-m4"]
    if target.missing():
        message = f"missing {', '.join(target.missing())}"
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the MCU builds: {message}")
        pytest.skip(message)
    assert main(["run", "mcu", "--out", str(tmp_path), "--no-report", "--targets",
                 "cortex-m4", "--windows", "2", "--datasets", "daphnet"]) == 0
    saved = json.loads((tmp_path / "mcu.json").read_text())
    assert saved["macs_per_window"] == 420_128
    assert [(b["opt"], b["input_bits"]) for b in saved["builds"]] == [
        ("-Os", 16), ("-O2", 16), ("-O2", 8)  # int8 input: the RAM goal's build
    ]
    for b in saved["builds"]:
        assert b["repeat_identical"] and len(b["instructions_all"]) == 2
        assert b["instructions_per_window"] > saved["macs_per_window"]
        window = b["input_bits"] // 8 * 9 * 128
        assert b["ram"]["input"] == window and b["flash"]["code"] > 0
        assert b["estimate_ms_at_clock"] > 0 and len(b["hottest"]) == 5
    (row,) = saved["flash_by_dataset"]
    assert row["datasets"] == ["daphnet"] and (row["n_channels"], row["n_classes"]) \
        == (9, 2)
    md = write_results_md(tmp_path, tmp_path / "RESULTS.md").read_text()
    assert "## Microcontrollers" in md and "Cortex-M4 -O2" in md
    assert "ESTIMATE ms" in md
