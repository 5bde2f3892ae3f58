"""
===========================================================
sktime's data and classifiers side by side with MicroBi
===========================================================

:class:`~skmicrobi.MicroBiClassifier` takes sktime's Panel formats as they
come, so sktime's loaders and classifiers sit next to it without conversion
code. This example loads two UEA archive datasets of smartwatch motion with
sktime, and compares MicroBi with MiniRocket (sktime's
``MiniRocketMultivariate`` features into a ridge classifier), the usual strong
baseline on this archive, on accuracy, fit and predict time, and size.

BasicMotions is bundled with sktime. RacketSports is read from the shared data
folder (``$SKMICROBI_SHARED_DATA`` or ``../shared/data``) with sktime's
``load_from_tsfile``; without that folder it is left out and the example says
so. MicroBi trains 60 epochs on each, a few seconds on one CPU core.
"""

# %%
# sktime's loaders
# ----------------
# ``load_basic_motions`` returns a ``nested_univ`` DataFrame: one row per case,
# one column per channel, each cell a pandas Series. ``load_from_tsfile`` reads
# the UEA ``.ts`` files the same way.
import os
import time
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from sklearn.linear_model import RidgeClassifierCV
from sklearn.metrics import f1_score
from sktime.classification.compose import SklearnClassifierPipeline
from sktime.datasets import load_basic_motions, load_from_tsfile
from sktime.transformations.panel.rocket import MiniRocketMultivariate

from skmicrobi import MicroBiClassifier, count_parameters

datasets = {
    "BasicMotions": (
        *load_basic_motions(split="train"),
        *load_basic_motions(split="test"),
    )
}
X_train = datasets["BasicMotions"][0]
print(type(X_train).__name__, X_train.shape, "- first cell:")
print(X_train.iloc[0, 0].head(3))

# shared/ sits next to the repository: ../shared from its root, ../../shared
# from examples/ (where the documentation build runs the examples).
candidates = [
    os.environ.get("SKMICROBI_SHARED_DATA"),
    "../shared/data",
    "../../shared/data",
]
uea = next(
    (Path(c) / "UEA" for c in candidates if c and (Path(c) / "UEA").is_dir()), None
)
if uea is not None and (uea / "RacketSports").is_dir():
    folder = uea / "RacketSports"
    datasets["RacketSports"] = (
        *load_from_tsfile(str(folder / "RacketSports_TRAIN.ts")),
        *load_from_tsfile(str(folder / "RacketSports_TEST.ts")),
    )
else:
    print(
        "RacketSports left out: no UEA folder in the shared data "
        "(set SKMICROBI_SHARED_DATA to the folder that holds UEA/)."
    )
for name, (X, y, X_te, y_te) in datasets.items():
    length = len(X.iloc[0, 0])
    print(
        f"{name}: {len(X)} train / {len(X_te)} test cases, {X.shape[1]} channels "
        f"x {length} steps, classes: {', '.join(map(str, np.unique(y)))}"
    )


# %%
# Two classifiers, one API
# ------------------------
# Both take the DataFrames as loaded. MicroBi converts them to a
# ``(cases, channels, time)`` array itself (any sktime Panel mtype works);
# MiniRocket transforms each case into about 10,000 features for a ridge
# classifier. RacketSports cases are 30 steps long: MicroBi's two pooling stages
# leave 7 LSTM steps, enough here.
#
# ``n_threads=1``: a network of 10,000 weights gains nothing from more threads,
# and MiniRocket's numba kernels reset the OpenMP thread count that torch
# shares, which would otherwise slow MicroBi's later fits several times over.
def make_estimators(seed: int) -> dict:
    return {
        "MicroBi": MicroBiClassifier(
            max_epochs=60,
            batch_size=16,
            early_stopping=False,
            n_threads=1,
            random_state=seed,
        ),
        "MiniRocket": SklearnClassifierPipeline(
            RidgeClassifierCV(alphas=np.logspace(-3, 3, 10)),
            [MiniRocketMultivariate(random_state=seed)],
        ),
    }


def size(name: str, est) -> int:
    """Learned numbers the model keeps: weights, or ridge weights for MiniRocket."""
    if name == "MicroBi":
        return count_parameters(est.module_)
    ridge = est.classifier_
    return ridge.coef_.size + np.size(ridge.intercept_)


rows = []
for dataset, (X, y, X_te, y_te) in datasets.items():
    for name, est in make_estimators(seed=0).items():
        start = time.perf_counter()
        est.fit(X, y)
        fit_s = time.perf_counter() - start
        start = time.perf_counter()
        y_pred = est.predict(X_te)
        predict_ms = 1e3 * (time.perf_counter() - start) / len(X_te)
        rows.append(
            {
                "dataset": dataset,
                "model": name,
                "accuracy": np.mean(y_pred == np.asarray(y_te)),
                "macro_f1": f1_score(y_te, y_pred, average="macro"),
                "fit_s": fit_s,
                "predict_ms": predict_ms,
                "size": size(name, est),
            }
        )
print(f"{'dataset':13} {'model':10} {'acc':>6} {'F1':>6} {'fit s':>6} "
      f"{'ms/case':>8} {'learned numbers':>16}")
for r in rows:
    print(
        f"{r['dataset']:13} {r['model']:10} {r['accuracy']:6.3f} "
        f"{r['macro_f1']:6.3f} {r['fit_s']:6.1f} {r['predict_ms']:8.2f} "
        f"{r['size']:16,}"
    )

# %%
# MiniRocket's first fit also compiles its numba kernels, so its fit time on
# the first dataset includes that one-off cost.
#
# Accuracy against size
# ---------------------
# On BasicMotions both classify every test case correctly. On RacketSports,
# MiniRocket is ahead by several points of macro-F1 in the table above, as it is
# on much of the UEA archive; with one seed and 152 test cases, a few cases
# move the score by a point. What the figure adds is what each model costs
# where it runs: MicroBi keeps about 10,000 weights, which
# :class:`~skmicrobi.Int8Quantizer` turns into about 11 KB of integers for a
# microcontroller; MiniRocket keeps a ridge weight per feature and class, and
# its transform convolves each case with 84 kernels at many dilations.
names = list(datasets)
models = ["MicroBi", "MiniRocket"]
fig, (ax_f1, ax_size) = plt.subplots(1, 2, figsize=(10, 3.6))
for k, model in enumerate(models):
    mine = [next(r for r in rows if r["dataset"] == d and r["model"] == model)
            for d in names]
    offset = (k - 0.5) * 0.38
    ax_f1.bar(np.arange(len(names)) + offset, [r["macro_f1"] for r in mine], 0.36,
              label=model)
    ax_size.bar(np.arange(len(names)) + offset, [r["size"] for r in mine], 0.36,
                label=model)
ax_f1.set_xticks(range(len(names)), names)
ax_f1.set(ylabel="test macro-F1", ylim=(0, 1.05), title="Macro-F1")
ax_size.set_xticks(range(len(names)), names)
ax_size.set(ylabel="learned numbers", title="Model size")
ax_f1.legend(loc="lower right")
fig.tight_layout()
plt.show()
