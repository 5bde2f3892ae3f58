"""
=================================================
Load HAPT's raw streams and cut them into windows
=================================================

HAPT holds the raw 50 Hz smartphone recordings behind UCI-HAR: 61 experiments
of 30 volunteers, a waist-worn accelerometer (g) and gyroscope (rad/s), with a
label per sample for six activities and six postural transitions.
:func:`~skmicrobi.datasets.load_hapt` returns them as recordings, the input of
:class:`~skmicrobi.SlidingWindowTransformer`, and
:func:`~skmicrobi.datasets.load_benchmark` rebuilds UCI-HAR's windows from them.
"""

# %%
# Load the recordings
# -------------------
# The loader looks for the unpacked archive in ``data_home`` first. Here that is
# the shared data folder (``$SKMICROBI_SHARED_DATA``, or ``../shared/data`` next
# to the repository); without it, ``load_hapt()`` downloads the archive (80 MB)
# into ``~/skmicrobi_data``, and says where to put it by hand when offline.
import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from skmicrobi import SlidingWindowTransformer
from skmicrobi.datasets import load_benchmark, load_hapt

candidates = [
    os.environ.get("SKMICROBI_SHARED_DATA"),
    "../shared/data",
    "../../shared/data",
]
if "__file__" in globals():
    candidates.append(Path(__file__).resolve().parents[2] / "shared" / "data")
data_home = next(
    (Path(c) for c in candidates if c and (Path(c) / "HAPT" / "RawData").is_dir()), None
)
print(f"HAPT from: {data_home / 'HAPT' if data_home else 'download'}")

hapt = load_hapt(data_home=data_home)
print(
    f"{len(hapt.data)} recordings, channels {list(hapt.channel_names)}, "
    f"{hapt.sampling_rate:g} Hz"
)
print(f"first recording: {hapt.recording_names[0]}, shape {hapt.data[0].shape}")

# %%
# A stretch of signal with its labels
# -----------------------------------
# Samples outside every labelled segment carry the label -1.
rec = 0
x, y = hapt.data[rec], hapt.target[rec]
fs = hapt.sampling_rate
start, stop = 4000, 9000  # 100 s
t = np.arange(start, stop) / fs

fig, (ax_acc, ax_gyro) = plt.subplots(2, 1, figsize=(10, 5), sharex=True)
for k, axis in enumerate("xyz"):
    ax_acc.plot(t, x[k, start:stop], lw=0.6, label=f"acc {axis}")
    ax_gyro.plot(t, x[3 + k, start:stop], lw=0.6, label=f"gyro {axis}")
colors = plt.cm.tab20(np.linspace(0, 1, len(hapt.target_names)))
segment = y[start:stop]
edges = np.flatnonzero(np.diff(segment)) + 1
for a, b in zip(np.r_[0, edges], np.r_[edges, len(segment)]):
    label = segment[a]
    if label < 0:
        continue
    for ax in (ax_acc, ax_gyro):
        ax.axvspan(t[a], t[b - 1], color=colors[label], alpha=0.25, lw=0)
    ax_acc.text(
        (t[a] + t[b - 1]) / 2,
        ax_acc.get_ylim()[1],
        hapt.target_names[label],
        ha="center",
        va="bottom",
        fontsize=7,
        rotation=20,
    )
ax_acc.set_ylabel("acceleration (g)")
ax_gyro.set_ylabel("angular velocity (rad/s)")
ax_gyro.set_xlabel("time (s)")
ax_acc.legend(loc="lower right", fontsize=7, ncol=3)
fig.suptitle(f"HAPT {hapt.recording_names[rec]} (volunteer {hapt.groups[rec]})", y=1.02)
fig.tight_layout()

# %%
# Cut windows
# -----------
# Windows of 128 samples (2.56 s) with stride 64, as UCI-HAR. With
# ``purity=1.0`` a window is kept only when all its samples share one label;
# windows of unlabelled samples (-1) are dropped afterwards.
win = SlidingWindowTransformer(window_length=128, stride=64, purity=1.0)
Xw, yw, gw = win.fit_resample(hapt.data, hapt.target, hapt.groups)
labelled = yw >= 0
Xw, yw, gw = Xw[labelled], yw[labelled], gw[labelled]
print(
    f"{len(yw)} pure windows of shape {Xw.shape[1:]} from "
    f"{len(np.unique(gw))} volunteers"
)
index = win.window_index(hapt.data, hapt.target)[labelled]
print(index.head())

# %%
# Where the windows of the stretch above lie: one bar per window, in the
# colour of its label.
mine = index[
    (index.recording == rec) & (index.start >= start) & (index.start + 128 <= stop)
]
fig, ax = plt.subplots(figsize=(10, 1.6))
for row, (i, w) in enumerate(mine.iterrows()):
    ax.barh(
        row % 2,
        128 / fs,
        left=w.start / fs,
        height=0.8,
        color=colors[yw[index.index.get_loc(i)]],
    )
ax.set_yticks([])
ax.set_xlim(start / fs, stop / fs)
ax.set_xlabel("time (s)")
ax.set_title("windows kept (overlapping windows alternate rows)")
fig.tight_layout()

# %%
# UCI-HAR rebuilt from HAPT
# -------------------------
# ``load_benchmark("uci_har_hapt")`` applies UCI-HAR's recipe (median and
# 20 Hz low-pass filters, a 0.3 Hz gravity split into body and total
# acceleration, windows within each labelled segment, the official test
# volunteers), giving the paper's first benchmark with its training settings.
b = load_benchmark("uci_har_hapt", data_home=data_home)
print(f"train {b.X_train.shape}, test {b.X_test.shape}")
print(f"channels: {list(b.channel_names)}")
print(f"the paper's training settings: {b.hyperparameters}")
plt.show()
