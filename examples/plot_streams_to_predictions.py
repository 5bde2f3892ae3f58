"""
=====================================================================
From raw streams to subject-wise macro-F1 and predictions over time
=====================================================================

Activity recognition starts from streams: per subject, a multichannel sensor
recording with a label per time step. This example builds such streams from
BasicMotions (a smartwatch's accelerometer and gyroscope at 10 Hz, bundled with
sktime), then:

1. cuts them into windows with :class:`~skmicrobi.SlidingWindowTransformer`,
2. trains :class:`~skmicrobi.MicroBiClassifier` on the windows inside a
   :class:`~skmicrobi.WindowPipeline`, so that the pipeline takes the streams and
   per-time-step labels directly,
3. scores it subject-wise (no subject in both training and test folds) by
   macro-F1 of the windows,
4. plots the predictions along a held-out subject's stream, and replays that
   stream through :class:`~skmicrobi.StreamingPredictor` in small chunks, as a
   live sensor would deliver it.
"""

# %%
# Streams with a label per time step
# ----------------------------------
# BasicMotions has 80 cases of 100 samples (10 s), 20 per activity. Each of
# eight "subjects" gets one stream of ten cases in random order, so its activity
# changes every 10 s and some windows straddle two activities.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.model_selection import GroupKFold, cross_validate
from sktime.datasets import load_basic_motions

from skmicrobi import (
    MicroBiClassifier,
    SlidingWindowTransformer,
    StreamingPredictor,
    WindowPipeline,
)
from skmicrobi.pipeline import window_scorer

X, y = load_basic_motions(return_type="numpy3D")
fs = 10.0  # Hz
rng = np.random.default_rng(0)
cases = rng.permutation(len(X)).reshape(8, 10)
streams = [np.concatenate(list(X[c]), axis=1) for c in cases]
labels = [np.repeat(y[c], X.shape[2]) for c in cases]
subjects = np.arange(len(streams))
print(f"{len(streams)} streams of shape {streams[0].shape} (channels, time)")

activities = np.unique(y)
colour = dict(zip(activities, plt.cm.tab10.colors))
fig, ax = plt.subplots(figsize=(10, 3))
t = np.arange(streams[0].shape[1]) / fs
ax.plot(t, streams[0][:3].T, lw=0.7)
case_s = X.shape[2] / fs
for i, activity in enumerate(labels[0][:: X.shape[2]]):
    ax.axvspan(case_s * i, case_s * (i + 1), color=colour[activity], alpha=0.15, lw=0)
    ax.text(case_s * (i + 0.5), ax.get_ylim()[1], activity, ha="center", va="bottom")
ax.set(xlabel="time (s)", ylabel="acceleration")
ax.set_title("Subject 0's stream: three of its six channels", pad=16)
fig.tight_layout()

# %%
# Windows
# -------
# Windows of 50 samples (5 s) with stride 25. Each window's label is the
# majority of its time steps' labels (a tie goes to the label first in sorted
# order); ``purity`` could drop the mixed ones instead.
win = SlidingWindowTransformer(window_length=50, stride=25)
Xw, yw, gw = win.fit_resample(streams, labels, subjects)
print(f"{Xw.shape[0]} windows of shape {Xw.shape[1:]}; per subject:")
print(np.bincount(gw))

# %%
# Subject-wise cross-validation
# -----------------------------
# The pipeline takes streams and per-time-step labels; ``GroupKFold`` over
# subjects keeps each subject's whole stream on one side. The recordings are
# the samples that cross-validation splits, so ``groups`` has one entry per
# stream. :func:`~skmicrobi.pipeline.window_scorer` windows the test labels the
# way ``fit`` does, then computes macro-F1 over the windows.
# One torch thread: batches of 32 short windows gain nothing from a second one,
# and spinning threads slow everything down on a busy machine.
clf = MicroBiClassifier(max_epochs=20, batch_size=32, n_threads=1, random_state=0)
pipe = WindowPipeline(
    [("win", SlidingWindowTransformer(window_length=50, stride=25)), ("clf", clf)]
)
cv = cross_validate(
    pipe,
    streams,
    labels,
    groups=subjects,
    cv=GroupKFold(n_splits=4),
    scoring=window_scorer("f1_macro"),
)
scores = cv["test_score"]
print(f"macro-F1 per fold: {np.round(scores, 3)}")
print(f"subject-wise macro-F1: {scores.mean():.3f} +- {scores.std():.3f}")

# %%
# Predictions over time
# ---------------------
# Train on six subjects, predict the two others' streams. ``predict`` returns
# one label per window; :meth:`~skmicrobi.SlidingWindowTransformer.window_index`
# says where each window starts, so the prediction can be drawn at the window's
# centre against the true label of every time step.
train, test = subjects[:6], subjects[6:]
pipe.fit([streams[i] for i in train], [labels[i] for i in train], groups=train)
held_out = streams[test[0]]
y_pred = pipe.predict([held_out])
starts = pipe.named_steps["win"].window_index([held_out])["start"].to_numpy()
centres = (starts + 25) / fs

order = {activity: k for k, activity in enumerate(activities)}
fig, ax = plt.subplots(figsize=(10, 2.8))
t = np.arange(held_out.shape[1]) / fs
ax.plot(t, [order[a] for a in labels[test[0]]], color="k", lw=2, label="true")
ax.plot(centres, [order[a] for a in y_pred], "o", color="C3", label="predicted")
ax.set_yticks(range(len(activities)), activities)
ax.set(
    xlabel="time (s)", title=f"Held-out subject {test[0]}: one prediction per window"
)
ax.legend(loc="upper right", ncol=2)
fig.tight_layout()

# %%
# The same predictions from a live stream
# ---------------------------------------
# A sensor delivers samples in chunks of whatever size its driver reads.
# :class:`~skmicrobi.StreamingPredictor` keeps one window of samples and
# predicts each window as soon as it completes; fed 7 samples at a time, it
# gives exactly the predictions of the whole stream.
stream = StreamingPredictor(pipe)
live = [stream.update(held_out[:, i : i + 7]) for i in range(0, held_out.shape[1], 7)]
live = np.concatenate([p for p in live if len(p)])
print(
    f"{len(live)} windows predicted live; same as batch: {np.array_equal(live, y_pred)}"
)
