"""The benchmark suites: which datasets and models, how each run is measured.

A suite is a list of runs (dataset x model x protocol x seed). Each run fits one
estimator on the training windows, scores it once on the test windows and
appends one record to the suite's JSON, which is rewritten after every run so
that a stopped suite resumes where it stopped.

Protocols:

``honest``
    Early stopping on a validation split carved from the training data, whole
    training subjects held out where the dataset records subjects; the test
    split is touched once, at the end. sktime's models, which have no
    validation split, train their fixed number of epochs, also honest.
``test-selected``
    The paper's reference protocol, for comparison only: no validation split,
    the checkpoint with the best test macro-F1 is kept (patience 10 on it).
    Optimistic by construction.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import statistics
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import accuracy_score, f1_score
from skorch.callbacks import Callback

from benchmarks import data as datasets
from benchmarks._io import write_json
from benchmarks.environment import environment

RESULTS_DIR = Path(__file__).parent / "results"

#: The paper's training schedule: at most 200 epochs, patience 10.
PAPER_MAX_EPOCHS, PAPER_PATIENCE = 200, 10

#: Order of models in tables and runs (cheap ones first, so a stopped suite has
#: every model's first seeds).
MODELS = (
    "MicroBi", "TinierHAR", "MiniRocket", "CNNClassifierTorch", "TinyHAR",
    "DeepConvLSTM",
)


@dataclass
class Suite:
    """What a suite runs."""

    name: str
    datasets: list[str]
    models: list[str]
    seeds: int
    max_epochs: int
    patience: int
    #: Epochs of sktime's CNNClassifierTorch (its default is 2,000).
    cnn_epochs: int
    #: Protocols run for MicroBi; the baselines run the honest one.
    microbi_protocols: tuple[str, ...] = ("honest",)
    #: Training windows kept per dataset (stratified draw); None keeps all.
    max_train: int | None = None
    #: Recipe for datasets without the paper's settings (the UEA sets).
    default_hyperparameters: dict = field(default_factory=lambda: {
        "batch_size": 16, "lr": 2e-3, "weight_decay": 1e-4, "class_weight": None,
    })

    def settings(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k != "name"}


def make_suite(
    name: str,
    seeds: int | None = None,
    dataset_names: list[str] | None = None,
    models: list[str] | None = None,
    max_epochs: int | None = None,
    data_home: Path | None = None,
) -> Suite:
    """The named suite, with command-line overrides."""
    if name == "smoke":
        suite = Suite(
            "smoke", ["basic_motions"], list(MODELS), seeds=1, max_epochs=15,
            patience=5, cnn_epochs=100, microbi_protocols=("honest", "test-selected"),
        )
        if data_home is not None and (data_home / "UEA").is_dir():
            suite.datasets += [f"uea_{n}" for n in datasets.UEA_SETS]
    elif name == "paper":
        names = datasets.paper_benchmark_names()
        suite = Suite(
            "paper", names, list(MODELS), seeds=5, max_epochs=PAPER_MAX_EPOCHS,
            patience=PAPER_PATIENCE, cnn_epochs=100,
            microbi_protocols=("honest", "test-selected"),
        )
    else:
        raise ValueError(f"Unknown suite {name!r}; choose smoke, paper or speed.")
    if seeds is not None:
        suite.seeds = seeds
    if dataset_names:
        suite.datasets = list(dataset_names)
    if models:
        unknown = set(models) - set(MODELS)
        if unknown:
            raise ValueError(f"Unknown models {sorted(unknown)}; choose from {MODELS}.")
        suite.models = [m for m in MODELS if m in models]
    if max_epochs is not None:
        suite.max_epochs = max_epochs
        suite.cnn_epochs = min(suite.cnn_epochs, max_epochs)
    return suite


# -- estimators -----------------------------------------------------------------
def _torch_estimator(model: str, protocol: str, ds: datasets.Dataset,
                     suite: Suite, seed: int):
    from benchmarks.models import baseline_classifier
    from skmicrobi import MicroBiClassifier

    params = dict(ds.hyperparameters or suite.default_hyperparameters)
    params.update(max_epochs=suite.max_epochs, patience=suite.patience,
                  random_state=seed, callbacks=[("progress", EpochProgress())])
    if protocol == "test-selected":
        classes_ = np.unique(ds.y_train)
        params["early_stopping"] = False
        params["callbacks"].append((
            "test_selection",
            TestSetSelection(ds.X_test, np.searchsorted(classes_, ds.y_test),
                             suite.patience),
        ))
    if model == "MicroBi":
        return MicroBiClassifier(**params)
    return baseline_classifier(model, **params)


def _sktime_estimator(model: str, suite: Suite, seed: int):
    if model == "CNNClassifierTorch":
        from sktime.classification.deep_learning.cnn import CNNClassifierTorch

        return CNNClassifierTorch(num_epochs=suite.cnn_epochs, random_state=seed)
    from sklearn.linear_model import RidgeClassifierCV
    from sktime.classification.compose import SklearnClassifierPipeline
    from sktime.transformations.rocket import MiniRocketMultivariate

    # sktime's own pipeline: scikit-learn's Pipeline (1.9) fails on sktime
    # transformers, whose fit resets attributes the Pipeline has set on them.
    return SklearnClassifierPipeline(
        RidgeClassifierCV(alphas=np.logspace(-3, 3, 10)),
        [MiniRocketMultivariate(random_state=seed)],
    )


class EpochProgress(Callback):
    """skorch callback printing one short line per epoch to stderr."""

    def on_epoch_end(self, net, **kwargs):
        row = net.history[-1]
        extra = ""
        if row.get("valid_loss") is not None:
            extra += f" valid_loss {row['valid_loss']:.4f}"
        if row.get("test_f1") is not None:
            extra += f" test_f1 {row['test_f1']:.4f}"
        print(f"      epoch {row['epoch']:3d} train_loss {row['train_loss']:.4f}"
              f"{extra} ({row['dur']:.1f} s)", file=sys.stderr, flush=True)


class TestSetSelection(Callback):
    """skorch callback of the paper's protocol: keep the best-on-test epoch.

    Scores macro-F1 on the test windows after every epoch, keeps the weights of
    the best epoch, stops after ``patience`` epochs without improvement and
    restores the best weights at the end. Only for reproducing the paper.
    """

    def __init__(self, X_test: np.ndarray, y_test_encoded: np.ndarray,
                 patience: int) -> None:
        self.X_test = X_test
        self.y_test_encoded = y_test_encoded
        self.patience = patience

    def initialize(self):
        self.best_, self.best_state_, self.waited_ = -1.0, None, 0
        return self

    def on_epoch_end(self, net, **kwargs):
        f1 = f1_score(self.y_test_encoded, net.predict(self.X_test), average="macro")
        net.history.record("test_f1", float(f1))
        if f1 > self.best_:
            self.best_, self.waited_ = f1, 0
            self.best_state_ = copy.deepcopy(net.module_.state_dict())
        else:
            self.waited_ += 1
            if self.waited_ >= self.patience:
                raise KeyboardInterrupt  # how skorch's EarlyStopping ends fit

    def on_train_end(self, net, **kwargs):
        if self.best_state_ is not None:
            net.module_.load_state_dict(self.best_state_)


# -- one run ---------------------------------------------------------------------
def _throughput(predict, X: np.ndarray) -> float:
    start = time.perf_counter()
    predict(X)
    return len(X) / (time.perf_counter() - start)


def _int8(clf, ds: datasets.Dataset, seed: int) -> dict:
    """Scores and footprint of the INT8 model of a fitted MicroBiClassifier."""
    try:
        from sklearn.frozen import FrozenEstimator

        from skmicrobi.export import object_bytes
        from skmicrobi.quantization import Int8Quantizer
    except ImportError as exc:
        return {"int8_note": f"Int8Quantizer not available: {exc}"}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        q = Int8Quantizer(FrozenEstimator(clf), random_state=seed).fit(
            ds.X_train, ds.y_train
        )
        pred = q.predict(ds.X_test)
    fp = q.footprint_
    return {
        "macro_f1_int8": float(f1_score(ds.y_test, pred, average="macro")),
        "accuracy_int8": float(accuracy_score(ds.y_test, pred)),
        "int8_agreement": float(np.mean(pred == clf.predict(ds.X_test))),
        "int8_bytes": fp.get("total_bytes"),
        "int8_scratch_bytes": fp.get("scratch_bytes"),
        "int8_object_bytes": object_bytes(q),
        "int8_warnings": sorted({type(w.message).__name__ for w in caught}),
    }


def run_one(model: str, protocol: str, ds: datasets.Dataset, suite: Suite,
            seed: int) -> dict:
    """Fit, score and measure one model on one dataset; return its record."""
    from benchmarks.models import ChannelsLastAdapter
    from skmicrobi import count_macs, count_parameters

    C, T, K = ds.shape
    record: dict[str, Any] = {
        "dataset": ds.name, "model": model, "protocol": protocol, "seed": seed,
        "n_train": int(len(ds.y_train)), "n_test": int(len(ds.y_test)),
        "n_channels": C, "n_timepoints": T, "n_classes": K,
        "paper_macro_f1": ds.paper_macro_f1.get(model),
    }
    torch_model = model in ("MicroBi", "DeepConvLSTM", "TinyHAR", "TinierHAR")
    est = (_torch_estimator(model, protocol, ds, suite, seed) if torch_model
           else _sktime_estimator(model, suite, seed))
    start, cpu_start = time.perf_counter(), time.process_time()
    if torch_model:
        est.fit(ds.X_train, ds.y_train, groups=ds.groups_train)
    else:
        est.fit(ds.X_train, ds.y_train)
    record["fit_time_s"] = time.perf_counter() - start
    # CPU seconds of all threads: less sensitive than wall time to other load.
    record["fit_cpu_s"] = time.process_time() - cpu_start
    record["predict_windows_per_s"] = _throughput(est.predict, ds.X_test)
    pred = est.predict(ds.X_test)
    record["macro_f1"] = float(f1_score(ds.y_test, pred, average="macro"))
    record["accuracy"] = float(accuracy_score(ds.y_test, pred))
    if torch_model:
        record["params"] = count_parameters(est.module_)
        record["macs"] = count_macs(est.module_, C, T)
        record["n_epochs"] = int(est.n_epochs_)
        if protocol == "test-selected":
            f1s = est.history_[:, "test_f1"]
            record["best_epoch"] = int(np.argmax(f1s)) + 1
        else:
            record["best_epoch"] = int(est.best_epoch_)
        if model == "MicroBi":
            record.update(_int8(est, ds, seed))
    elif model == "CNNClassifierTorch":
        record["params"] = count_parameters(est.network)
        record["macs"] = count_macs(ChannelsLastAdapter(est.network), C, T)
        record["n_epochs"] = suite.cnn_epochs
    else:  # MiniRocket: learned biases and ridge weights; not a torch network
        rocket = est.transformers_.steps_[0][1]
        ridge = est.classifier_
        record["params"] = int(rocket.parameters[-1].size + ridge.coef_.size
                               + np.size(ridge.intercept_))
        record["macs"] = None
        record["macs_note"] = "not counted: count_macs walks torch networks"
    return record


# -- a suite ---------------------------------------------------------------------
def _key(r: dict) -> tuple:
    return (r["dataset"], r["model"], r["protocol"], r["seed"])


def _load_results(path: Path) -> dict:
    if not path.is_file():
        return {}
    results = json.loads(path.read_text())
    if "commands" in results:  # first format: two parallel lists
        results["runs"] = results.get("runs", []) + [
            {"command": c, "environment": e}
            for c, e in zip(results.pop("commands"), results.pop("environments"))
        ]
    return results


def _save(path: Path, results: dict, mine: set | frozenset = frozenset()) -> dict:
    """Merge ``results`` into the file under a lock, so parallel runs add up.

    Two processes may run different models of one suite into the same file
    (e.g. ``--models MicroBi`` and ``--models TinyHAR``); each save re-reads
    the file and keeps every record either process has written. For a run the
    file and ``results`` both hold, the file's record wins unless its key is in
    ``mine`` (the runs this process has measured): another process may have
    measured it again (``--redo``) since this one loaded the file.
    """
    import fcntl

    path.parent.mkdir(parents=True, exist_ok=True)
    # The lock lives in the temp folder, keyed by the JSON's absolute path, so
    # that no lock file is left in the results folder.
    digest = hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:16]
    with open(Path(tempfile.gettempdir()) / f"skmicrobi-bench-{digest}.lock",
              "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        on_disk = _load_results(path)
        records = {_key(r): r for r in on_disk.get("records", []) if "error" not in r}
        for r in results["records"]:
            if _key(r) in mine or _key(r) not in records:
                records[_key(r)] = r
        merged = dict(results)
        merged["records"] = list(records.values())
        seen = list(on_disk.get("runs", []))
        merged["runs"] = seen + [v for v in results.get("runs", []) if v not in seen]
        merged["skipped"] = {**on_disk.get("skipped", {}), **results.get("skipped", {})}
        write_json(path, merged, default=_jsonable)
    return merged


def _jsonable(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return str(value)


def plan(suite: Suite, available: list[str]) -> list[tuple[str, str, str, int]]:
    """Runs of the suite, seed-major so that early seeds cover every model."""
    runs = []
    for seed in range(suite.seeds):
        for name in available:
            for model in suite.models:
                protocols = suite.microbi_protocols if model == "MicroBi" else (
                    "honest",)
                runs += [(name, model, protocol, seed) for protocol in protocols]
    return runs


def run_suite(suite: Suite, out: Path, data_home: Path | None, command: str,
              redo: bool = False) -> dict:
    """Run every missing record of ``suite``, writing ``out`` after each one.

    With ``redo``, the suite's records already in ``out`` are run again (to
    measure them at the current code); each new record replaces the old one as
    it is written, so a stopped redo leaves one record per run.
    """
    results = _load_results(out)
    if results and results.get("suite") != suite.name:
        raise ValueError(
            f"{out} holds results of suite {results.get('suite')!r}, not "
            f"{suite.name!r}; pass another --out."
        )
    # Resuming must not mix records trained with another recipe; the models,
    # datasets and seed count may differ between runs of one suite.
    recipe = ("max_epochs", "patience", "cnn_epochs", "microbi_protocols",
              "max_train", "default_hyperparameters")
    ours = json.loads(json.dumps(suite.settings(), default=_jsonable))
    theirs = results.get("settings", {})
    changed = [k for k in recipe if k in theirs and theirs[k] != ours[k]]
    if changed:
        raise ValueError(
            f"{out} was run with other settings ({', '.join(changed)}: "
            f"{[theirs[k] for k in changed]} vs {[ours[k] for k in changed]}); pass "
            "another --out to start afresh."
        )
    records = [r for r in results.get("records", []) if "error" not in r]
    if redo:
        again = set(plan(suite, suite.datasets))
        records = [r for r in records if _key(r) not in again]
    done = {_key(r) for r in records}
    results.update(
        suite=suite.name, settings=suite.settings(), records=records,
        # the id tells this run from another started within the same second on
        # the same machine (their environments are equal), which _save would
        # otherwise take for one run saved twice
        runs=results.get("runs", []) + [
            {"command": command, "environment": environment(),
             "id": f"{os.getpid()}-{time.time_ns()}"}
        ],
    )
    skipped = dict(results.get("skipped", {}))
    loaded: dict[str, datasets.Dataset] = {}
    for name in suite.datasets:
        if all((name, m, p, s) in done for (n, m, p, s) in plan(suite, [name])):
            continue
        try:
            loaded[name] = datasets.subsample(
                datasets.load(name, data_home), suite.max_train
            )
            skipped.pop(name, None)
        except (OSError, ValueError) as exc:  # archive missing or incomplete
            # The first sentence says what is missing; the rest is advice.
            reason = str(exc).splitlines()[0].split(". ")[0]
            skipped[name] = f"{type(exc).__name__}: {reason}"
            print(f"[{suite.name}] skip {name}: {skipped[name]}", file=sys.stderr)
    results["skipped"] = skipped
    todo = [run for run in plan(suite, list(loaded)) if run not in done]
    print(f"[{suite.name}] {len(done)} records already in {out}, {len(todo)} to run",
          file=sys.stderr, flush=True)
    t0 = time.perf_counter()
    mine: set[tuple] = set()  # the runs measured by this call
    for i, (name, model, protocol, seed) in enumerate(todo, 1):
        print(f"[{suite.name}] {i}/{len(todo)} {name} {model} ({protocol}) "
              f"seed {seed} ...", file=sys.stderr, flush=True)
        try:
            record = run_one(model, protocol, loaded[name], suite, seed)
        except Exception as exc:  # a failing model must not lose the others
            record = {"dataset": name, "model": model, "protocol": protocol,
                      "seed": seed, "error": f"{type(exc).__name__}: {exc}"}
            print(f"[{suite.name}]   FAILED: {record['error']}", file=sys.stderr)
        # replaces a record of the same run (--redo, or another process)
        results["records"] = [r for r in results["records"]
                              if _key(r) != _key(record)] + [record]
        mine.add(_key(record))
        results = _save(out, results, mine)
        elapsed = time.perf_counter() - t0
        if "error" not in record:
            print(f"[{suite.name}]   macro-F1 {100 * record['macro_f1']:.2f} in "
                  f"{record['fit_time_s']:.0f} s; eta "
                  f"{elapsed / i * (len(todo) - i) / 60:.0f} min",
                  file=sys.stderr, flush=True)
    return _save(out, results, mine)


# -- summaries ---------------------------------------------------------------------
def _mean_std(values: list[float]) -> tuple[float, float]:
    if not values:
        return float("nan"), float("nan")
    std = statistics.stdev(values) if len(values) > 1 else 0.0
    return statistics.fmean(values), std


def summarise(records: list[dict]) -> list[dict]:
    """One row per dataset x model x protocol: means and stds over seeds."""
    groups: dict[tuple, list[dict]] = {}
    for r in records:
        if "error" in r:
            continue
        groups.setdefault((r["dataset"], r["model"], r["protocol"]), []).append(r)
    order = {m: i for i, m in enumerate(MODELS)}
    rows = []
    for (name, model, protocol), rs in sorted(
        groups.items(), key=lambda kv: (kv[0][0], order.get(kv[0][1], 99), kv[0][2])
    ):
        row = {"dataset": name, "model": model, "protocol": protocol,
               "n_seeds": len(rs), "paper_macro_f1": rs[0].get("paper_macro_f1")}
        for key in ("macro_f1", "accuracy", "macro_f1_int8", "accuracy_int8"):
            vals = [100 * r[key] for r in rs if r.get(key) is not None]
            row[key], row[key + "_std"] = _mean_std(vals) if vals else (None, None)
        for key in ("params", "macs", "int8_bytes", "n_epochs"):
            vals = [r[key] for r in rs if r.get(key) is not None]
            row[key] = statistics.median(vals) if vals else None
        for key in ("fit_time_s", "predict_windows_per_s"):
            vals = [r[key] for r in rs if r.get(key) is not None]
            row[key] = statistics.median(vals) if vals else None
        rows.append(row)
    return rows
