"""
===========================================================
sktime's data and classifiers side by side with MicroBi
===========================================================

:class:`~skmicrobi.MicroBiSktimeClassifier` is MicroBi-ConvLSTM as an sktime
classifier (sktime's ``BaseClassifier``, delegating to
:class:`~skmicrobi.MicroBiClassifier`), so it sits next to sktime's own
classifiers, in sktime's loops, pipelines and evaluation, without conversion
code. This example loads two UEA archive datasets of smartwatch motion with
sktime and compares MicroBi with two sktime classifiers: MiniRocket
(``MiniRocketMultivariate`` features into a ridge classifier), the usual strong
baseline on this archive, and sktime's own convolutional network
(``CNNClassifierTorch``), on accuracy, fit and predict time, and size.

BasicMotions is bundled with sktime. RacketSports is read from the shared data
folder (``$SKMICROBI_SHARED_DATA`` or ``../shared/data``) with sktime's
``load_from_tsfile``; without that folder it is left out and the example says
so. MicroBi trains 60 epochs and the CNN 100 on each; the table gives each
fit's time as measured when the example runs.
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
import torch
from sklearn.linear_model import RidgeClassifierCV
from sklearn.metrics import f1_score
from sktime.classification.compose import SklearnClassifierPipeline
from sktime.classification.deep_learning.cnn import CNNClassifierTorch
from sktime.datasets import load_basic_motions, load_from_tsfile
from sktime.transformations.panel.rocket import MiniRocketMultivariate

from skmicrobi import MicroBiSktimeClassifier, count_parameters

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
# Three sktime classifiers, one API
# ---------------------------------
# All three are sktime classifiers: sktime checks and converts the DataFrames
# as loaded (any Panel mtype works) and each says what it can take in its tags.
# MiniRocket transforms each case into about 10,000 features for a ridge
# classifier; the CNN is sktime's two-layer convolutional network in torch.
# RacketSports cases are 30 steps long: MicroBi's two pooling stages leave 7
# LSTM steps, enough here.
print(
    {
        tag: MicroBiSktimeClassifier().get_tag(tag)
        for tag in (
            "capability:multivariate",
            "capability:unequal_length",
            "capability:missing_values",
        )
    }
)


# One torch thread: networks this small gain nothing from more threads, and
# MiniRocket's numba kernels reset the OpenMP thread count that torch shares,
# which would otherwise slow the later network fits several times over.
def make_estimators(seed: int) -> dict:
    return {
        "MicroBi": MicroBiSktimeClassifier(
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
        "CNN": CNNClassifierTorch(num_epochs=100, random_state=seed),
    }


def size(name: str, est) -> int:
    """Learned numbers the model keeps: weights, or ridge weights for MiniRocket."""
    if name == "MicroBi":
        return count_parameters(est.estimator_.module_)
    if name == "CNN":
        return sum(p.numel() for p in est.network.parameters())
    ridge = est.classifier_
    return ridge.coef_.size + np.size(ridge.intercept_)


rows = []
for dataset, (X, y, X_te, y_te) in datasets.items():
    for name, est in make_estimators(seed=0).items():
        torch.set_num_threads(1)
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
# On BasicMotions, MicroBi and MiniRocket classify every test case correctly,
# the CNN all but one. On RacketSports, MiniRocket is ahead by several points of
# macro-F1 in the table above, as it is on much of the UEA archive, and the CNN
# and MicroBi are within a few points of each other; with one seed and 152 test
# cases, a few cases move the score by a point. What the figure adds is what
# each model keeps: MicroBi about 10,000 weights, which
# :class:`~skmicrobi.Int8Quantizer` turns into about 11 KB of integers for a
# microcontroller; sktime's CNN about a tenth of that (two convolutions of 6 and
# 12 filters and a dense layer, in float32); MiniRocket a ridge weight per
# feature and class, and its transform convolves each case with 84 kernels at
# many dilations.
names = list(datasets)
models = ["MicroBi", "MiniRocket", "CNN"]
fig, (ax_f1, ax_size) = plt.subplots(1, 2, figsize=(10, 3.6))
for k, model in enumerate(models):
    mine = [next(r for r in rows if r["dataset"] == d and r["model"] == model)
            for d in names]
    offset = (k - 1) * 0.27
    ax_f1.bar(np.arange(len(names)) + offset, [r["macro_f1"] for r in mine], 0.25,
              label=model)
    ax_size.bar(np.arange(len(names)) + offset, [r["size"] for r in mine], 0.25,
                label=model)
ax_f1.set_xticks(range(len(names)), names)
ax_f1.set(ylabel="test macro-F1", ylim=(0, 1.05), title="Macro-F1")
ax_size.set_xticks(range(len(names)), names)
ax_size.set(ylabel="learned numbers", title="Model size")
ax_f1.legend(loc="lower right")
fig.tight_layout()
plt.show()
