"""
=================================================================
From a fitted classifier to a fully integer model and one C file
=================================================================

A microcontroller without a floating-point unit needs a model with no float at
run time. :class:`~skmicrobi.Int8Quantizer` turns a fitted
:class:`~skmicrobi.MicroBiClassifier` into such a model: BatchNorm and the input
standardisation folded into the convolutions, int8 weights, int32 accumulators,
int8 activations, an integer LSTM whose gates read a 258-byte table. Its
``predict`` runs the integer arithmetic in numpy, so the usual scikit-learn
metrics measure the INT8 model itself, and :func:`~skmicrobi.export_c` writes the
same arithmetic as one C99 function that gives the same logits bit for bit.

This example trains on BasicMotions (smartwatch accelerometer and gyroscope,
bundled with sktime) for 10 short epochs, quantizes, compares float and INT8
macro-F1, and exports, compiles and runs the C code when a C compiler is there.
"""

# %%
# Train the float classifier
# --------------------------
import tempfile

import matplotlib.pyplot as plt
import numpy as np
from sklearn.frozen import FrozenEstimator
from sklearn.metrics import f1_score
from sktime.datasets import load_basic_motions

from skmicrobi import Int8Quantizer, MicroBiClassifier, export_c
from skmicrobi.export import build_harness, compile_c, find_compiler, run_c
from skmicrobi.int8 import predict_logits

X_train, y_train = load_basic_motions(split="train", return_type="numpy3D")
X_test, y_test = load_basic_motions(split="test", return_type="numpy3D")
print(f"train {X_train.shape}, test {X_test.shape}, classes {sorted(set(y_train))}")

clf = MicroBiClassifier(max_epochs=10, batch_size=8, random_state=0)
clf.fit(X_train, y_train)

# %%
# Quantize without refitting
# --------------------------
# Wrapped in :class:`~sklearn.frozen.FrozenEstimator`, the fitted classifier is
# used as is; the quantizer calibrates activation ranges on the training windows.
# (Passed unfrozen, ``Int8Quantizer(MicroBiClassifier(...))`` fits it first,
# which is how ``GridSearchCV`` can tune ``estimator__lstm_hidden`` for the best
# INT8 score.)
quantizer = Int8Quantizer(FrozenEstimator(clf)).fit(X_train, y_train)

f1_float = f1_score(y_test, clf.predict(X_test), average="macro")
f1_int8 = f1_score(y_test, quantizer.predict(X_test), average="macro")
agreement = np.mean(clf.predict(X_test) == quantizer.predict(X_test))
print(f"macro-F1 float {f1_float:.4f}, int8 {f1_int8:.4f}; agreement {agreement:.3f}")

footprint = quantizer.footprint_
for key, value in footprint.items():
    print(f"{key:>15}: {value}")

# %%
# The deployed input is int16, one scale per channel
# --------------------------------------------------
# ``x = input_scale[c] * q``: the C function takes raw sensor values in these
# units. Values beyond the int16 range saturate, and ``predict`` warns.
print(
    "input scale per channel:",
    np.array2string(quantizer.integer_model_.input_scale, precision=6),
)
q_test = quantizer.quantize_input(X_test)
print("int16 window:", q_test.shape, q_test.dtype)

# %%
# Export the C code, compile it, compare with numpy
# -------------------------------------------------
directory = tempfile.mkdtemp(prefix="microbi_c_")
paths = export_c(quantizer, directory, name="motion")
header = paths[0]
print("files:", ", ".join(p.name for p in paths))
print(header.read_text().split("*/")[0])
object_size = None
if find_compiler() is not None:
    # the model and the C runtime beside it, compiled for this host
    object_size = compile_c(paths)
    print("object .text + .data + .rodata:", object_size, "bytes")
    harness = build_harness(paths, f"{directory}/harness")
    c_logits = run_c(harness, q_test, n_classes=len(quantizer.classes_))
    numpy_logits = predict_logits(quantizer.integer_model_, q_test)
    print("C logits equal numpy logits:", np.array_equal(c_logits, numpy_logits))

# %%
# Float vs INT8, and where the bytes go
# -------------------------------------
# The paper's INT8 model (PyTorch dynamic quantization: int8 weights of the LSTM
# and the linear layer only, float activations) takes 21.2 KB for UCI-HAR's
# configuration, about 2 bytes per parameter; here every weight is one byte.
fig, (ax_f1, ax_mem) = plt.subplots(1, 2, figsize=(9, 3.5))
ax_f1.bar(["float32", "INT8"], [f1_float, f1_int8], color=["tab:gray", "tab:blue"])
ax_f1.set_ylim(0, 1.05)
ax_f1.set_ylabel("macro-F1 on the test split")
ax_f1.set_title("BasicMotions")
for i, v in enumerate([f1_float, f1_int8]):
    ax_f1.text(i, v + 0.02, f"{v:.3f}", ha="center")

parts = ["weights_bytes", "biases_bytes", "scales_bytes", "tables_bytes"]
labels = ["weights", "biases", "scales", "tables"]
left = 0
for part, label in zip(parts, labels):
    ax_mem.barh(["INT8 constants"], [footprint[part] / 1024], left=left, label=label)
    left += footprint[part] / 1024
ax_mem.barh(["scratch RAM"], [footprint["scratch_bytes"] / 1024], color="tab:purple")
if object_size:
    ax_mem.barh(["compiled object (host)"], [object_size / 1024], color="tab:olive")
ax_mem.barh(
    ["float32 params"], [4 * footprint["n_parameters"] / 1024], color="tab:gray"
)
ax_mem.set_xlabel("KiB")
ax_mem.legend(loc="lower right", fontsize=8)
ax_mem.set_title("Footprint")
fig.tight_layout()
plt.show()
