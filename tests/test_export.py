"""C99 export: the generated code's contract, and bit-exact agreement with numpy."""

import os
import re

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.frozen import FrozenEstimator
from sktime.datasets import load_basic_motions

from skmicrobi import Int8Quantizer, MicroBiClassifier, MicroBiConvLSTM, export_c
from skmicrobi.export import (
    DEFAULT_CFLAGS,
    build_harness,
    compile_c,
    find_compiler,
    run_c,
    scratch_layout,
)
from skmicrobi.int8 import predict_logits
from skmicrobi.quantization import build_integer_model

needs_cc = pytest.mark.skipif(find_compiler() is None, reason="no C compiler (cc)")
SANITIZE = (
    "-std=c99",
    "-Wall",
    "-Wextra",
    "-Werror",
    "-O1",
    "-g",
    "-fsanitize=address,undefined",
    "-fno-sanitize-recover=all",
)


@pytest.fixture(scope="module")
def basic_motions():
    X_train, y_train = load_basic_motions(split="train", return_type="numpy3D")
    X_test, y_test = load_basic_motions(split="test", return_type="numpy3D")
    return X_train, y_train, X_test, y_test


@pytest.fixture(scope="module")
def quantizer(basic_motions):
    X_train, y_train, _, _ = basic_motions
    clf = MicroBiClassifier(max_epochs=3, early_stopping=False, random_state=0)
    clf.fit(X_train, y_train)
    return Int8Quantizer(FrozenEstimator(clf), measure_object_size=False).fit(
        X_train, y_train
    )


@pytest.fixture(scope="module")
def exported(quantizer, tmp_path_factory):
    directory = tmp_path_factory.mktemp("c")
    return export_c(quantizer, directory, name="bm")


#: The generated code has SSE2 kernels where the compiler targets SSE2 and plain
#: C everywhere; NAME_PORTABLE selects the plain C on an SSE2 host. Both must give
#: the numpy engine's integers.
PATHS = {"default": (), "portable": ("-D{up}_PORTABLE",)}


def _flags(base, path, name):
    return tuple(base) + tuple(f.format(up=name.upper()) for f in PATHS[path])


@pytest.fixture(scope="module", params=sorted(PATHS))
def harness(exported, request):
    if find_compiler() is None:
        pytest.skip("no C compiler (cc)")
    return build_harness(
        exported,
        exported[1].parent / f"harness_{request.param}",
        flags=_flags(DEFAULT_CFLAGS, request.param, "bm"),
    )


def _random_model(seed, n_channels=6, n_timepoints=40, n_classes=5, **kwargs):
    torch.manual_seed(seed)
    net = MicroBiConvLSTM(n_channels, n_classes, **kwargs)
    X = np.random.default_rng(seed).normal(size=(32, n_channels, n_timepoints))
    return build_integer_model(net, X * 3 + 1)


# -- the files ---------------------------------------------------------------------
def test_export_writes_header_and_source(exported, quantizer):
    header, source = exported
    assert (header.name, source.name) == ("bm.h", "bm.c")
    h, c = header.read_text(), source.read_text()
    assert "void bm_predict(const int16_t *in, int32_t *logits);" in h
    layout = scratch_layout(quantizer.integer_model_)
    assert f"#define BM_SCRATCH_BYTES {layout['total']}" in h
    assert "#define BM_N_CHANNELS 6" in h and "#define BM_N_TIMEPOINTS 100" in h
    assert "#define BM_N_CLASSES 4" in h
    for i, label in enumerate(quantizer.classes_):
        assert f"{i} = {str(label)!r}" in h
    assert "INPUT_SCALE" in h
    # No floating point, allocation or recursion in the deployed code.
    code = re.sub(r"/\*.*?\*/", "", c, flags=re.S)
    for banned in ("float", "double", "malloc", "free(", "math.h"):
        assert banned not in code
    calls = re.findall(r"\b(bm_\w+)\(", code)
    definitions = re.findall(r"^static (?:inline )?\w+ (bm_\w+)\(", code, flags=re.M)
    for fn in definitions:
        body = code.split(f" {fn}(", 1)[1].split("\n}\n", 1)[0]
        assert f"{fn}(" not in body, f"{fn} is recursive"
    assert set(definitions) <= set(calls)
    assert "static const uint8_t bm_conv0_w[" in code  # weights + 128


def test_export_keeps_labels_inside_the_comment(quantizer, tmp_path):
    model = quantizer.integer_model_
    hostile = ["a */ int x;", "b\nc", 3, "d", "e"][: model.n_classes]

    class Fitted:
        integer_model_ = model
        classes_ = np.array(hostile, dtype=object)

    header, _ = export_c(Fitted(), tmp_path)
    comment = header.read_text().split("*/", 1)[0]
    assert "a * / int x;" in comment and "2 = 3" in comment
    assert repr("b\nc") in comment  # escaped: the comment stays on its line


@pytest.mark.parametrize("name", ["1model", "my-model", "", "a b", None])
def test_export_rejects_bad_names(quantizer, tmp_path, name):
    with pytest.raises(ValueError, match="C identifier"):
        export_c(quantizer, tmp_path, name=name)


def test_export_rejects_unfitted_and_foreign(tmp_path):
    with pytest.raises(ValueError, match="not fitted"):
        export_c(Int8Quantizer(MicroBiClassifier()), tmp_path)
    with pytest.raises(TypeError, match="Int8Quantizer or an IntegerMicroBi"):
        export_c(MicroBiConvLSTM(3, 2), tmp_path)


def test_export_is_atomic(quantizer, tmp_path, monkeypatch):
    (tmp_path / "model.h").write_text("old header")
    calls = []
    real_replace = os.replace

    def failing_replace(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise OSError("disk full")
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(OSError, match="disk full"):
        export_c(quantizer, tmp_path)
    # The file renamed before the failure is complete; nothing half-written or
    # temporary is left.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.h"]
    assert (tmp_path / "model.h").read_text().startswith("/* model.h")


def test_export_creates_directory(quantizer, tmp_path):
    header, source = export_c(quantizer.integer_model_, tmp_path / "a" / "b")
    assert header.exists() and source.exists()


# -- compiled ----------------------------------------------------------------------
@needs_cc
def test_c_matches_numpy_on_every_basic_motions_window(
    quantizer, harness, basic_motions
):
    X_train, _, X_test, _ = basic_motions
    q = quantizer.quantize_input(np.concatenate([X_train, X_test]))
    expected = predict_logits(quantizer.integer_model_, q)
    got = run_c(harness, q, len(quantizer.classes_))
    assert got.dtype == np.int32
    np.testing.assert_array_equal(got, expected)


extreme = st.sampled_from([-32768, -32767, -1, 0, 1, 32766, 32767])
int16_values = st.one_of(extreme, st.integers(-32768, 32767))


@needs_cc
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    q=arrays(np.int16, (3, 6, 100), elements=int16_values, fill=int16_values),
)
def test_c_matches_numpy_on_generated_inputs(quantizer, harness, q):
    expected = predict_logits(quantizer.integer_model_, q)
    np.testing.assert_array_equal(run_c(harness, q, 4), expected)


@needs_cc
@pytest.mark.parametrize("path", sorted(PATHS))
def test_c_matches_numpy_under_sanitizers_at_extremes(
    exported, quantizer, tmp_path, path
):
    exe = build_harness(exported, tmp_path / "asan", flags=_flags(SANITIZE, path, "bm"))
    rng = np.random.default_rng(0)
    q = np.concatenate(
        [
            np.full((1, 6, 100), 32767, dtype=np.int16),
            np.full((1, 6, 100), -32768, dtype=np.int16),
            rng.choice(np.array([-32768, 32767], dtype=np.int16), size=(4, 6, 100)),
            rng.integers(-32768, 32768, size=(4, 6, 100)).astype(np.int16),
        ]
    )
    expected = predict_logits(quantizer.integer_model_, q)
    np.testing.assert_array_equal(run_c(exe, q, 4), expected)


@needs_cc
@pytest.mark.parametrize(
    "kwargs",
    [
        {"reduction": "last"},
        {"reduction": "mean"},
        {"bidirectional": False},
        {"conv_channels": (16,), "pool_sizes": (4,)},
        {"conv_channels": (8, 8, 8), "pool_sizes": (2, 1, 2), "kernel_size": 3},
        {"pool_sizes": (1, 1), "lstm_hidden": 5},
        # channel counts that are not multiples of the SSE2 kernels' 4 rows, an
        # odd pooling factor (the generic pair path), an odd number of units
        {"conv_channels": (6, 5), "pool_sizes": (3, 2), "lstm_hidden": 7},
        # one group of eight hidden units (vector cell) next to four single ones
        {"conv_channels": (8, 12), "lstm_hidden": 12, "reduction": "mean"},
        # first-stage rows too long for the SSE2 sums: plain C only
        {"conv_channels": (4, 4), "kernel_size": 45},
    ],
)
def test_c_matches_numpy_for_network_variants(kwargs, tmp_path):
    model = _random_model(2, **kwargs)
    paths = export_c(model, tmp_path)
    rng = np.random.default_rng(3)
    q = rng.integers(-32768, 32768, size=(6, 6, 40)).astype(np.int16)
    q[0] = 32767
    q[1] = -32768
    expected = predict_logits(model, q)
    for path in PATHS:
        exe = build_harness(
            paths, tmp_path / path, flags=_flags(DEFAULT_CFLAGS, path, "model")
        )
        np.testing.assert_array_equal(run_c(exe, q, 5), expected, err_msg=path)
    simd = "#define MODEL_SIMD 0\n\n" not in paths[1].read_text()
    assert simd == (kwargs.get("kernel_size") != 45)


@needs_cc
def test_uci_har_config_fits_the_budget(tmp_path):
    # UCI-HAR: 9 channels, 128 steps, 6 classes (the paper's 10,454 parameters;
    # its dynamic-quantised INT8 model takes 21.2 KB).
    model = _random_model(4, n_channels=9, n_timepoints=128, n_classes=6)
    memory = model.memory_bytes()
    assert memory["total_bytes"] <= 12 * 1024
    size = compile_c(export_c(model, tmp_path))
    assert size is not None and memory["total_bytes"] < size <= 16 * 1024
    # activations, two receptive fields (the SSE2 conv kernel reads positions in
    # pairs), LSTM gates, cell state and features
    assert scratch_layout(model)["total"] <= 2304


def test_compile_c_reports_compiler_errors(quantizer, tmp_path):
    if find_compiler() is None:
        pytest.skip("no C compiler (cc)")
    header, source = export_c(quantizer, tmp_path)
    source.write_text(source.read_text() + "\nint broken(void) { return ; }\n")
    with pytest.raises(RuntimeError, match="failed"):
        compile_c([header, source])


def test_compile_c_without_compiler(quantizer, tmp_path, monkeypatch):
    paths = export_c(quantizer, tmp_path)
    monkeypatch.setenv("CC", "no-such-compiler-skmicrobi")
    assert compile_c(paths) is None
    with pytest.raises(RuntimeError, match="No C compiler"):
        build_harness(paths, tmp_path / "h")
