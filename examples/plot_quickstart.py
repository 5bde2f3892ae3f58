"""
==============================================
Quickstart: fit, predict and score MicroBi
==============================================

:class:`~skmicrobi.MicroBiClassifier` is a scikit-learn classifier: ``fit`` on
windows of sensor data and their labels, then ``predict``, ``predict_proba`` and
``score``. This example trains it on BasicMotions, four activities (standing,
walking, running, badminton) recorded by a smartwatch's accelerometer and
gyroscope at 10 Hz, bundled with sktime so nothing is downloaded.

Training runs 60 epochs on 40 windows; the example prints how long they took
where it ran (skorch times each epoch).
"""

# %%
# Load the windows
# ----------------
# Each case is one window of shape ``(channels, time)``: six channels (three
# axes of acceleration, three of rotation rate) and 100 time steps (10 s).
# ``return_type="numpy3D"`` gives ``(n_windows, channels, time)`` arrays; the
# classifier also takes sktime's other Panel formats as they are.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.metrics import ConfusionMatrixDisplay, classification_report
from sktime.datasets import load_basic_motions

from skmicrobi import MicroBiClassifier, count_parameters

X_train, y_train = load_basic_motions(split="train", return_type="numpy3D")
X_test, y_test = load_basic_motions(split="test", return_type="numpy3D")
print(f"train {X_train.shape}, test {X_test.shape}, classes {np.unique(y_train)}")

# %%
# One window of each activity: the first three channels, acceleration.
fig, axes = plt.subplots(1, 4, figsize=(11, 2.6), sharey=True)
for ax, activity in zip(axes, np.unique(y_train)):
    window = X_train[np.flatnonzero(y_train == activity)[0]]
    ax.plot(np.arange(100) / 10, window[:3].T, lw=0.8)
    ax.set(title=activity, xlabel="time (s)")
axes[0].set_ylabel("acceleration")
axes[0].legend(["x", "y", "z"], fontsize=7, loc="upper left")
fig.tight_layout()

# %%
# Fit
# ---
# With only 40 training windows, a validation split for early stopping would
# hold 4 windows, too few to judge by, so this trains a fixed 60 epochs in
# batches of 8 (``early_stopping=False``). ``random_state`` seeds weights,
# shuffling and dropout: a second fit with the same seed gives the same model.
clf = MicroBiClassifier(
    max_epochs=60, batch_size=8, early_stopping=False, random_state=0
)
clf.fit(X_train, y_train)
train_s = sum(clf.history_[:, "dur"])
print(
    f"{count_parameters(clf.module_):,} parameters, {clf.n_epochs_} epochs "
    f"in {train_s:.1f} s"
)

# %%
# ``history_`` is skorch's training history: one entry per epoch.
fig, ax = plt.subplots(figsize=(6, 3))
ax.plot(clf.history_[:, "train_loss"])
ax.set(xlabel="epoch", ylabel="training loss (cross-entropy)", yscale="log")
ax.set_title("Training loss")
fig.tight_layout()

# %%
# Predict and score
# -----------------
# ``predict`` returns labels as given to ``fit``; ``predict_proba`` has one
# column per entry of ``classes_``; ``score`` is the accuracy, as for every
# scikit-learn classifier.
print("predicted:", clf.predict(X_test[::10]), "true:", y_test[::10])
print(clf.classes_)
print(np.round(clf.predict_proba(X_test[::10]), 3))
print(f"test accuracy: {clf.score(X_test, y_test):.3f}")
print(classification_report(y_test, clf.predict(X_test), digits=3))

# %%
# Which activities are confused with which: rows are the true activities,
# columns the predicted ones.
# sphinx_gallery_thumbnail_number = 3
ConfusionMatrixDisplay.from_estimator(clf, X_test, y_test, cmap="Blues")
plt.title("MicroBi on BasicMotions (test split)")
plt.tight_layout()
plt.show()

# %%
# Where next: the other examples in the :ref:`gallery <gallery>` start from raw
# streams instead of ready-cut windows, search hyper-parameters with subjects
# kept apart, and turn the fitted classifier into a fully integer model and a
# C file.
