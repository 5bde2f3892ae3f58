"""
==================================================
Benchmark results: accuracy against size and cost
==================================================

Which tiny model to ship is a trade: macro-F1 against parameters (flash) and
multiply-accumulates per window (time and energy). ``python -m benchmarks run
paper`` measures that on the paper's datasets and writes one JSON record per
dataset, model and seed to ``benchmarks/results/paper.json``. This example
reads that file from the repository, as the :ref:`comparison` page does, and
plots it; nothing is retrained, it runs in a second.

The records come from the *honest* protocol (early stopping on a validation split
of training subjects, test split scored once) unless a record says
``test-selected``, the paper's checkpoint choice on the test split, kept only to
compare with its figures.
"""

# %%
# Load the records
# ----------------
# One record per run; the environment of each run (versions, CPU, threads, load)
# is kept beside the records in ``runs``.
import json
import statistics
from pathlib import Path

import matplotlib.pyplot as plt

# The repository's results folder, looked up from this file's folder (or the
# working directory, interactively) upwards.
try:
    here = Path(__file__).resolve().parent
except NameError:
    here = Path.cwd()
found = [d / "benchmarks" / "results" / "paper.json" for d in (here, *here.parents)]
found = [p for p in found if p.is_file()]
if not found:
    raise FileNotFoundError(
        "benchmarks/results/paper.json not found above " + str(here) + ": run this "
        "example from a clone of the repository, after `python -m benchmarks run "
        "paper`."
    )
path = found[0]
results = json.loads(path.read_text())
records = [r for r in results["records"] if "error" not in r]
print(f"{len(records)} records; datasets {sorted({r['dataset'] for r in records})}")

# %%
# One row per dataset, model and protocol
# ---------------------------------------
# Means and standard deviations over seeds, next to the paper's figure where it
# reports one.
rows = {}
for r in records:
    rows.setdefault((r["dataset"], r["model"], r["protocol"]), []).append(r)


def f1_mean_std(rs):
    """Mean and standard deviation of macro-F1 (%) over a group's seeds."""
    f1 = [100 * r["macro_f1"] for r in rs]
    return statistics.fmean(f1), statistics.stdev(f1) if len(f1) > 1 else 0.0


f1 = {key: f1_mean_std(rs) for key, rs in rows.items()}
print(f"{'dataset':14s} {'model':19s} {'protocol':14s} {'seeds':>5s} "
      f"{'macro-F1 %':>13s} {'params':>8s} {'MACs':>7s} {'paper %':>8s}")
for (dataset, model, protocol), rs in sorted(rows.items()):
    mean, std = f1[dataset, model, protocol]
    macs = f"{rs[0]['macs'] / 1e6:.2f}M" if rs[0].get("macs") else "-"
    paper = rs[0].get("paper_macro_f1")
    print(f"{dataset:14s} {model:19s} {protocol:14s} {len(rs):5d} "
          f"{mean:6.2f} ± {std:4.2f} {rs[0]['params']:8,d} "
          f"{macs:>7s} {paper if paper is not None else '-':>8}")

# %%
# Macro-F1 against parameters and MACs
# ------------------------------------
# Honest protocol only. MiniRocket has no MAC count (its transform is not a
# torch network), so it appears in the left panel only.
fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=True, layout="constrained")
colors = dict(zip(sorted({m for _, m, _ in rows}), plt.cm.tab10.colors))
for (dataset, model, protocol), rs in sorted(rows.items()):
    if protocol != "honest":
        continue
    mean, err = f1[dataset, model, protocol]
    for ax, x in zip(axes, (rs[0]["params"], rs[0].get("macs"))):
        if x is None:
            continue
        ax.errorbar(x, mean, yerr=err, fmt="o", capsize=3, color=colors[model])
        ax.annotate(model, (x, mean), textcoords="offset points", xytext=(5, 5),
                    fontsize=8)
axes[0].set(xscale="log", xlabel="trainable parameters (log)",
            ylabel="test macro-F1 % (mean ± std over seeds)")
axes[1].set(xscale="log", xlabel="multiply-accumulates per window (log)")
for ax in axes:
    ax.grid(alpha=0.3)
fig.suptitle("The paper's suite, honest protocol")
plt.show()

# %%
# Honest against test-selected
# ----------------------------
# The gap between the two protocols is what choosing the checkpoint on the test
# split adds: it is why the paper's figures are optimistic.
for (dataset, model, protocol), (mean, _) in sorted(f1.items()):
    if protocol == "test-selected" and (dataset, model, "honest") in f1:
        gap = mean - f1[dataset, model, "honest"][0]
        print(f"{dataset} {model}: test-selected is {gap:+.2f} points over honest")
