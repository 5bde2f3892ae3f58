"""The ``skmicrobi`` command: ``skmicrobi demo`` and ``skmicrobi export``.

``skmicrobi demo`` is the main job on embedded data: it trains MicroBiClassifier
on sktime's bundled BasicMotions (real smartwatch accelerometer and gyroscope
recordings, no download), quantizes it to a fully integer model, and prints
float and INT8 scores side by side with the deployment footprint. With
``--out`` it saves the fitted model (joblib) and the C99 files, compiling them
when a C compiler exists.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

# Nothing heavy at import time: ``--help`` and argument errors answer at once; numpy,
# torch, scikit-learn and sktime load inside the commands.
if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

#: What ``skmicrobi --help`` says (the module docstring is reStructuredText).
DESCRIPTION = (
    "MicroBi-ConvLSTM activity recognition from scikit-learn to a microcontroller: "
    "'skmicrobi demo' trains, quantizes and scores the network on sktime's "
    "bundled BasicMotions; 'skmicrobi export' writes the C99 files of a saved "
    "model."
)
#: ``joblib.load`` runs code from the file: the warning the help gives.
TRUSTED_FILES = (
    "joblib files are pickles: loading one runs code stored in it, so load only "
    "files you made or trust."
)

#: BasicMotions has 40 training windows: a validation split of 4 would be noise, so
#: the demo trains for a fixed number of epochs on all of them, in small batches.
DEMO_BATCH_SIZE = 8
DEMO_EPOCHS = 80
#: One torch thread: batches of 8 through 10,000 weights gain nothing from more,
#: and on a busy two-core machine two threads made the demo's fit 9x slower
#: (30.5 s against 3.4 s, ``OMP_NUM_THREADS=1`` and ``=2 skmicrobi demo``).
DEMO_THREADS = 1
#: The demo's exported model: motion.h and motion.c next to the C runtime.
DEMO_C_NAME = "motion"


def _load_basic_motions() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    import numpy as np
    from sktime.datasets import load_basic_motions

    X_train, y_train = load_basic_motions(split="train", return_type="numpy3D")
    X_test, y_test = load_basic_motions(split="test", return_type="numpy3D")
    return X_train, np.asarray(y_train), X_test, np.asarray(y_test)


def _table(rows: Sequence[tuple[str, Any]]) -> str:
    width = max(len(name) for name, _ in rows)
    return "\n".join(f"  {name:<{width}}  {value}" for name, value in rows)


def _confusion_text(y_true: np.ndarray, y_pred: np.ndarray, labels: np.ndarray) -> str:
    from sklearn.metrics import confusion_matrix

    matrix = confusion_matrix(y_true, y_pred, labels=labels)
    width = max(max(len(str(c)) for c in labels), 5)
    head = " " * (width + 4) + " ".join(f"{str(c):>{width}}" for c in labels)
    lines = [head + "   <- predicted"]
    for label, row in zip(labels, matrix):
        lines.append(
            f"  {str(label):>{width}}  " + " ".join(f"{v:>{width}d}" for v in row)
        )
    return "\n".join(lines)


def _save_joblib(obj: Any, path: Path) -> None:
    """Write ``obj`` to ``path`` atomically: a temporary file, then a rename.

    The file gets the mode any tool would give a new file (``0o666`` less the
    umask), not ``mkstemp``'s private ``0o600``.
    """
    import joblib

    from skmicrobi._files import new_file_mode

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        joblib.dump(obj, tmp)
        os.chmod(tmp, new_file_mode())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def demo(
    epochs: int = DEMO_EPOCHS,
    seed: int = 0,
    out: str | None = None,
    progress: bool = False,
) -> dict:
    """Train, quantize and score MicroBi-ConvLSTM on BasicMotions; print a report.

    Parameters
    ----------
    epochs : int, default=80
        Training epochs.
    seed : int, default=0
        ``random_state`` of the classifier and the quantizer.
    out : str or None, default=None
        Folder where the fitted models (``model.joblib``, ``model_int8.joblib``)
        and the C99 files (``motion.h``, ``motion.c`` and the C runtime) are written.
    progress : bool, default=False
        Report each training epoch on stderr (the classifier's ``verbose=1``);
        the ``skmicrobi demo`` command turns it on unless given ``--quiet``.

    Returns
    -------
    dict
        The figures printed: ``f1_macro``, ``accuracy``, ``f1_macro_int8``,
        ``accuracy_int8``, ``n_parameters``, ``n_epochs``, ``fit_seconds``,
        ``footprint``.
    """
    from sklearn.frozen import FrozenEstimator
    from sklearn.metrics import accuracy_score, f1_score

    from skmicrobi import Int8Quantizer, MicroBiClassifier, count_parameters
    from skmicrobi.export import export_c, object_bytes

    X_train, y_train, X_test, y_test = _load_basic_motions()
    print("skmicrobi demo: MicroBi-ConvLSTM on BasicMotions (sktime, smartwatch IMU)")
    clf = MicroBiClassifier(
        max_epochs=epochs,
        batch_size=DEMO_BATCH_SIZE,
        early_stopping=False,
        n_threads=DEMO_THREADS,
        random_state=seed,
        verbose=int(progress),
    )
    start = time.perf_counter()
    clf.fit(X_train, y_train)
    fit_seconds = time.perf_counter() - start
    y_pred = clf.predict(X_test)

    quantizer = Int8Quantizer(FrozenEstimator(clf), random_state=seed)
    quantizer.fit(X_train, y_train)
    y_int8 = quantizer.predict(X_test)
    fp = quantizer.footprint_
    report = {
        "f1_macro": f1_score(y_test, y_pred, average="macro"),
        "accuracy": accuracy_score(y_test, y_pred),
        "f1_macro_int8": f1_score(y_test, y_int8, average="macro"),
        "accuracy_int8": accuracy_score(y_test, y_int8),
        "n_parameters": count_parameters(clf.module_),
        "n_epochs": clf.n_epochs_,
        "fit_seconds": fit_seconds,
        "footprint": fp,
    }
    n_train, n_channels, n_time = X_train.shape
    obj = object_bytes(quantizer)
    print(
        _table(
            [
                (
                    "data",
                    f"{n_train} train / {len(X_test)} test windows of "
                    f"{n_channels} channels x {n_time} steps, "
                    f"{len(clf.classes_)} classes",
                ),
                ("parameters", f"{report['n_parameters']:,}"),
                ("epochs run", report["n_epochs"]),
                ("fit time", f"{fit_seconds:.1f} s"),
                ("", "float32      int8"),
                (
                    "test macro-F1",
                    f"{report['f1_macro']:.3f}        {report['f1_macro_int8']:.3f}",
                ),
                (
                    "test accuracy",
                    f"{report['accuracy']:.3f}        {report['accuracy_int8']:.3f}",
                ),
                (
                    "int8 constants",
                    f"{fp['total_bytes']:,} bytes (weights, biases, scales, tables)",
                ),
                ("int8 scratch RAM", f"{fp['scratch_bytes']:,} bytes"),
                (
                    "compiled object",
                    "no C compiler found"
                    if obj is None
                    else f"{obj:,} bytes on this host (model and C runtime, "
                    ".text + .data + .rodata, -O2)",
                ),
            ]
        )
    )
    print("\nconfusion matrix (float model, test split)")
    print(_confusion_text(y_test, y_pred, clf.classes_))
    if out is not None:
        folder = Path(out)
        _save_joblib(clf, folder / "model.joblib")
        _save_joblib(quantizer, folder / "model_int8.joblib")
        paths = export_c(quantizer, folder, name=DEMO_C_NAME)
        print(
            f"\nwrote {folder / 'model.joblib'}, {folder / 'model_int8.joblib'}, "
            + ", ".join(str(p) for p in paths)
        )
        if obj is not None:
            print(f"compiled {paths[1].name} and the C runtime with cc: {obj:,} bytes")
    return report


def export(model: str, directory: str, name: str) -> None:
    """Write the C99 files of a saved ``Int8Quantizer`` (joblib file).

    ``joblib.load`` runs code stored in the file: load only files you trust.
    Raises ``FileNotFoundError`` for a missing file, ``ValueError`` for one
    that does not load or a bad ``name``, ``TypeError`` for a file that holds
    something other than an ``Int8Quantizer``; ``skmicrobi export`` reports
    each in one line.
    """
    quantizer = _load_quantizer(model)
    from skmicrobi.export import compile_c, export_c

    paths = export_c(quantizer, directory, name=name)
    print("wrote " + ", ".join(str(p) for p in paths))
    size = compile_c(paths)
    if size is not None:
        print(f"compiled object: {size:,} bytes (.text + .data + .rodata, -O2)")


def _load_quantizer(model: str) -> Any:
    """The fitted ``Int8Quantizer`` in the joblib file ``model``, or a clear error."""
    path = Path(model)
    if not path.is_file():
        what = "is a folder" if path.is_dir() else "does not exist"
        raise FileNotFoundError(
            f"{model} {what}: give the joblib file of a fitted Int8Quantizer "
            "(such as the model_int8.joblib of 'skmicrobi demo --out DIR')."
        )
    import joblib

    try:
        quantizer = joblib.load(path)
    except Exception as exc:  # unpickling junk can raise anything
        reason = str(exc).splitlines()[0] if str(exc) else ""
        raise ValueError(
            f"cannot load {model} ({type(exc).__name__}{': ' if reason else ''}"
            f"{reason}): it is not a joblib file that this Python and its packages "
            "can read."
        ) from exc
    from skmicrobi.quantization import Int8Quantizer

    if not isinstance(quantizer, Int8Quantizer):
        raise TypeError(
            f"{model} holds a {type(quantizer).__name__}, not an Int8Quantizer: "
            "export the quantizer (such as the model_int8.joblib of 'skmicrobi "
            "demo --out DIR'), not the float classifier."
        )
    return quantizer


def _out_folder(text: str) -> str:
    if Path(text).exists() and not Path(text).is_dir():
        raise argparse.ArgumentTypeError(f"{text} exists and is not a folder")
    return text


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _identifier(text: str) -> str:
    from skmicrobi._cnames import check_model_name

    try:
        return check_model_name(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


class _DefaultsFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Shows each option's default, unless it is None or False (nothing to say)."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        if action.default is None or action.default is False:
            return action.help
        return super()._get_help_string(action)


def _parser() -> argparse.ArgumentParser:
    formatter = _DefaultsFormatter
    parser = argparse.ArgumentParser(prog="skmicrobi", description=DESCRIPTION)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    p_demo = sub.add_parser(
        "demo",
        help="train, quantize and score on BasicMotions",
        description="Train MicroBi-ConvLSTM on sktime's bundled BasicMotions "
        "(no download), quantize it to the fully integer model and print float "
        "and INT8 test scores with the deployment footprint. Training progress "
        "goes to stderr.",
        formatter_class=formatter,
    )
    p_demo.add_argument(
        "--epochs", type=_positive_int, default=DEMO_EPOCHS, help="training epochs"
    )
    p_demo.add_argument("--seed", type=int, default=0, help="random_state")
    p_demo.add_argument(
        "--out", type=_out_folder, help="folder for the fitted models and C files"
    )
    p_demo.add_argument(
        "-q", "--quiet", action="store_true", help="no per-epoch progress on stderr"
    )
    p_export = sub.add_parser(
        "export",
        help="write C99 files of a saved Int8Quantizer",
        description="Write name.h and name.c, the C99 integer model of a saved, "
        "fitted Int8Quantizer, and report the compiled size where a C compiler "
        "exists. " + TRUSTED_FILES,
        formatter_class=formatter,
    )
    p_export.add_argument(
        "model", help="joblib file of a fitted Int8Quantizer (a trusted file)"
    )
    p_export.add_argument("directory", help="output folder")
    p_export.add_argument(
        "--name", type=_identifier, default="model", help="C identifier prefix"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``skmicrobi`` console script."""
    args = _parser().parse_args(argv)
    # User errors (files, names, folders) in one line, not a traceback.
    expected: tuple[type[Exception], ...] = (OSError,)
    try:
        if args.command == "demo":
            demo(
                epochs=args.epochs,
                seed=args.seed,
                out=args.out,
                progress=not args.quiet,
            )
        else:
            expected = (OSError, ValueError, TypeError)
            export(args.model, args.directory, args.name)
    except expected as exc:
        print(f"skmicrobi {args.command}: error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
