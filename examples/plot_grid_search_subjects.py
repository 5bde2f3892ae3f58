"""
===================================================================
Tune the window length with GridSearchCV, keeping subjects apart
===================================================================

A model of human activity is used on people it has never seen, so it must be
judged on people it was not trained on. Windows cut from one person's
recordings are alike (the same gait, the same phone in the same pocket) and
overlap in time; when they land on both sides of a split, the score measures
memory of that person, not recognition of the activity.

This example tunes the window length of a
:class:`~skmicrobi.WindowPipeline` (windowing, then
:class:`~skmicrobi.MicroBiClassifier`) with scikit-learn's
:class:`~sklearn.model_selection.GridSearchCV` and
:class:`~sklearn.model_selection.GroupKFold` over subjects, then scores the
chosen model on two subjects that the search never saw.

The data are HAPT's raw 50 Hz smartphone recordings of eight volunteers (from
the shared data folder, see :func:`~skmicrobi.datasets.load_hapt`). Where that
folder is absent, the example says so and runs on BasicMotions (bundled with
sktime) with made-up subjects instead, so that the code still runs.
To keep the search short, each fit trains 5 epochs only. On HAPT, on a
two-core machine shared with other jobs, the whole example took 15 s in the
documentation build (one torch thread) but 230 s run alone with torch's
default of two threads (``time python examples/plot_grid_search_subjects.py``):
small networks train fastest on one thread, ``n_threads=1``.
"""

# %%
# Recordings, labels and subjects
# -------------------------------
# Each labelled stretch of one activity (a "bout", e.g. 20 s of walking) is one
# recording with one label, and its subject is its group. Postural transitions
# and unlabelled samples are left out.
import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from sklearn.metrics import ConfusionMatrixDisplay, f1_score
from sklearn.model_selection import GridSearchCV, GroupKFold
from sktime.datasets import load_basic_motions

from skmicrobi import MicroBiClassifier, SlidingWindowTransformer, WindowPipeline
from skmicrobi.datasets import load_hapt
from skmicrobi.pipeline import window_scorer

# shared/ sits next to the repository: ../shared from its root, ../../shared
# from examples/ (where the documentation build runs the examples).
candidates = [
    os.environ.get("SKMICROBI_SHARED_DATA"),
    "../shared/data",
    "../../shared/data",
]
data_home = next(
    (Path(c) for c in candidates if c and (Path(c) / "HAPT" / "RawData").is_dir()),
    None,
)

recordings, labels, subjects = [], [], []
if data_home is not None:
    hapt = load_hapt(data_home=data_home)
    for x, y, subject in zip(hapt.data, hapt.target, hapt.groups):
        if subject > 8:
            continue
        edges = np.flatnonzero(np.diff(y)) + 1
        for start, stop in zip(np.r_[0, edges], np.r_[edges, len(y)]):
            if 0 <= y[start] < 6:  # the six activities
                recordings.append(x[:, start:stop])
                labels.append(hapt.target_names[y[start]])
                subjects.append(subject)
    fs, window_lengths = hapt.sampling_rate, [64, 128]
    print(f"HAPT from {data_home}")
else:
    print(
        "The shared data folder with HAPT was not found (set "
        "SKMICROBI_SHARED_DATA): using BasicMotions, whose 80 cases are dealt "
        "to 8 made-up subjects; its scores say nothing about new people."
    )
    X, y = load_basic_motions(return_type="numpy3D")
    recordings, labels = list(X), list(y)
    subjects = np.random.default_rng(0).permutation(np.arange(len(X)) % 8) + 1
    fs, window_lengths = 10.0, [25, 50]
subjects = np.asarray(subjects)
labels = np.asarray(labels)
print(f"{len(recordings)} recordings of subjects {np.unique(subjects)}")

# %%
# Subjects 1 to 6 are for the search; 7 and 8 are kept for the end.
search_idx = np.flatnonzero(subjects <= 6)
test_idx = np.flatnonzero(subjects > 6)
X_search = [recordings[i] for i in search_idx]
X_test = [recordings[i] for i in test_idx]
y_search, y_test = labels[search_idx], labels[test_idx]
g_search, g_test = subjects[search_idx], subjects[test_idx]

# %%
# The search
# ----------
# The pipeline takes recordings: its window step cuts each into windows (half
# overlapping) that inherit the recording's label. The grid pairs each window
# length with a stride of half of it. ``GroupKFold`` over the six search
# subjects trains each candidate on four subjects and scores it on the other
# two, three times. :func:`~skmicrobi.pipeline.window_scorer` scores the
# pipeline's per-window predictions against the windows' labels, here by
# macro-F1 (every activity counts the same).
pipe = WindowPipeline(
    [
        ("win", SlidingWindowTransformer()),
        (
            "clf",
            MicroBiClassifier(max_epochs=5, early_stopping=False, random_state=0),
        ),
    ]
)
param_grid = [
    {"win__window_length": [length], "win__stride": [length // 2]}
    for length in window_lengths
]
search = GridSearchCV(
    pipe,
    param_grid,
    cv=GroupKFold(n_splits=3),
    scoring=window_scorer("f1_macro"),
)
search.fit(X_search, y_search, groups=g_search)
print(f"best: {search.best_params_}, subject-wise macro-F1 {search.best_score_:.3f}")

# %%
# Each dot is one fold (two unseen subjects), the bar their mean. The spread
# between folds is the spread between people: a single split would have shown
# one of these dots as "the" score.
fig, ax = plt.subplots(figsize=(6, 3.5))
for k, length in enumerate(window_lengths):
    folds = [search.cv_results_[f"split{i}_test_score"][k] for i in range(3)]
    ax.bar(k, np.mean(folds), color="C0", alpha=0.4, width=0.6)
    ax.plot([k] * 3, folds, "o", color="C0")
ax.set_xticks(
    range(len(window_lengths)),
    [f"{n} samples\n({n / fs:g} s)" for n in window_lengths],
)
ax.set(ylabel="macro-F1 on held-out subjects", ylim=(0, 1))
ax.set_title("GroupKFold over subjects: one dot per fold")
fig.tight_layout()

# %%
# Subjects never seen
# -------------------
# ``refit=True`` (the default) retrained the best candidate on all six search
# subjects. Its score on subjects 7 and 8 is the figure to report; the search
# score above was used to choose, so it is slightly optimistic.
best = search.best_estimator_
y_pred = best.predict(X_test)
# The test windows' labels, cut exactly as the pipeline cuts its input.
_, y_true, window_subject = best.named_steps["win"].resample(X_test, y_test, g_test)
for subject in np.unique(window_subject):
    mine = window_subject == subject
    f1 = f1_score(y_true[mine], y_pred[mine], average="macro")
    print(f"subject {subject}: {mine.sum()} windows, macro-F1 {f1:.3f}")

ConfusionMatrixDisplay.from_predictions(
    y_true, y_pred, cmap="Blues", xticks_rotation=45
)
plt.title("Best window length, unseen subjects")
plt.tight_layout()
plt.show()

# %%
# Inside the search, ``groups`` goes to the splitter only. For early stopping
# on a validation split of whole subjects inside each fit, enable scikit-learn's
# metadata routing and call ``pipe.set_fit_request(groups=True)``; the
# :doc:`user guide </user_guide/evaluation>` shows how.
