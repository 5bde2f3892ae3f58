"""C99 export: the generated code's contract, and bit-exact agreement with numpy."""

import os
import re
import subprocess
import threading

import numpy as np
import pytest
import torch
from _export_variants import VARIANTS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from skmicrobi import Int8Quantizer, MicroBiClassifier, MicroBiConvLSTM, export_c
from skmicrobi.export import (
    DEFAULT_CFLAGS,
    RUNTIME_FILES,
    build_harness,
    compile_c,
    find_compiler,
    fingerprint,
    run_c,
    runtime_sources,
    scratch_layout,
)
from skmicrobi.int8 import (
    SIGMOID_TABLE,
    build_integer_model,
    predict_logits,
    to_integer_input,
)

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
def quantizer(basic_motions_quantizer):
    return basic_motions_quantizer


@pytest.fixture(scope="module")
def exported(quantizer, tmp_path_factory):
    directory = tmp_path_factory.mktemp("c")
    return export_c(quantizer, directory, name="bm")


#: The runtime builds its SSE2 kernels where the compiler targets SSE2 and the
#: plain ones elsewhere; MICROBI_PORTABLE selects the plain C on an SSE2 host.
#: Both must give the numpy engine's integers (the Arm DSP kernels run under
#: QEMU in test_mcu.py).
PATHS = {"default": (), "portable": ("-DMICROBI_PORTABLE",)}


def _flags(base, path, name=None):
    return tuple(base) + PATHS[path]


@pytest.fixture(scope="module", params=sorted(PATHS))
def harness(exported, request):
    if find_compiler() is None:
        pytest.skip("no C compiler (cc)")
    return build_harness(
        exported,
        exported[0].parent / f"harness_{request.param}",
        flags=_flags(DEFAULT_CFLAGS, request.param, "bm"),
    )


def _random_model(seed, n_channels=6, n_timepoints=40, n_classes=5, **kwargs):
    torch.manual_seed(seed)
    net = MicroBiConvLSTM(n_channels, n_classes, **kwargs)
    X = np.random.default_rng(seed).normal(size=(32, n_channels, n_timepoints))
    return build_integer_model(net, X * 3 + 1)


# -- the files ---------------------------------------------------------------------
def test_export_writes_header_source_and_runtime(exported, quantizer):
    header, source, *runtime = exported
    assert (header.name, source.name) == ("bm.h", "bm.c")
    assert [p.name for p in runtime] == list(RUNTIME_FILES)
    h, c = header.read_text(), source.read_text()
    assert "void bm_predict(const int16_t *in, int32_t *logits, void *scratch);" in h
    layout = scratch_layout(quantizer.integer_model_)
    assert f"#define BM_SCRATCH_BYTES {layout['total']}" in h
    assert "#define BM_N_CHANNELS 6" in h and "#define BM_N_TIMEPOINTS 100" in h
    assert "#define BM_N_CLASSES 4" in h
    for i, label in enumerate(quantizer.classes_):
        assert f"{i} = {str(label)!r}" in h
    assert "INPUT_SCALE" in h
    # No floating point, allocation or recursion in the deployed code; the model
    # is constants only (signed int8 weights) and one call into the runtime.
    code = "\n".join(
        re.sub(r"/\*.*?\*/", "", p.read_text(), flags=re.S) for p in exported
    )
    for banned in ("float", "double", "malloc", "free(", "math.h"):
        assert banned not in code
    definitions = re.findall(
        r"^(?:static )?(?:inline )?\w+ \*?(mb_\w+)\([^;{]*?\)\n\{(.*?)^\}",
        code,
        flags=re.M | re.S,
    )
    defined = {f for f, _ in definitions}
    assert {"mb_predict", "mb_conv_dots", "mb_lstm_gates"} <= defined
    for fn, body in definitions:
        assert f"{fn}(" not in body, f"{fn} is recursive"
    model_code = re.sub(r"/\*.*?\*/", "", c, flags=re.S)
    assert "int8_t w[" in model_code and "uint8_t" not in model_code
    assert "mb_predict(&bm_model, in, logits, scratch);" in model_code


def test_export_keeps_labels_inside_the_comment(quantizer, tmp_path):
    model = quantizer.integer_model_
    hostile = ["a */ int x;", "b\nc", 3, "d", "e"][: model.n_classes]

    class Fitted:
        integer_model_ = model
        classes_ = np.array(hostile, dtype=object)

    header, *_ = export_c(Fitted(), tmp_path)
    comment = header.read_text().split("*/", 1)[0]
    assert "a * / int x;" in comment and "2 = 3" in comment
    assert repr("b\nc") in comment  # escaped: the comment stays on its line


@pytest.mark.parametrize(
    "name", ["1model", "my-model", "", "a b", None, "_har", "__har", "har__x", "Å"]
)
def test_export_rejects_bad_and_reserved_names(quantizer, tmp_path, name):
    with pytest.raises(ValueError, match="C identifier"):
        export_c(quantizer, tmp_path, name=name)


@pytest.mark.parametrize("name", ["mb", "mb_har", "microbi", "MICROBI_x"])
def test_export_rejects_the_runtimes_names(quantizer, tmp_path, name):
    with pytest.raises(ValueError, match="runtime"):
        export_c(quantizer, tmp_path, name=name)


@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002])
def test_export_files_get_the_umasks_permissions(quantizer, tmp_path, umask):
    old = os.umask(umask)
    try:
        paths = export_c(quantizer, tmp_path)
    finally:
        os.umask(old)
    for path in paths:
        assert path.stat().st_mode & 0o777 == 0o666 & ~umask, path.name


def test_export_into_a_file_says_so(quantizer, tmp_path):
    (tmp_path / "f").write_text("x")
    with pytest.raises(NotADirectoryError, match="is a file"):
        export_c(quantizer, tmp_path / "f")


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
    header, source, *_ = export_c(quantizer.integer_model_, tmp_path / "a" / "b")
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
@pytest.mark.parametrize("kwargs", VARIANTS)
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


@needs_cc
def test_uci_har_config_fits_the_budget(tmp_path):
    # UCI-HAR: 9 channels, 128 steps, 6 classes (the paper's 10,454 parameters;
    # its dynamic-quantised INT8 model takes 21.2 KB).
    model = _random_model(4, n_channels=9, n_timepoints=128, n_classes=6)
    memory = model.memory_bytes()
    assert memory["total_bytes"] <= 12 * 1024
    # the flash budget (<= 16 KB) is checked where it applies, on Cortex-M4
    # objects (test_mcu.py); the x86 host object is larger code
    size = compile_c(export_c(model, tmp_path))
    assert size is not None and memory["total_bytes"] < size
    # activations, two receptive fields (the conv kernels read positions in
    # pairs), LSTM gates, cell state and features
    assert scratch_layout(model)["total"] <= 2176


def test_compile_c_reports_compiler_errors(quantizer, tmp_path):
    if find_compiler() is None:
        pytest.skip("no C compiler (cc)")
    header, source, *_ = export_c(quantizer, tmp_path)
    source.write_text(source.read_text() + "\nint broken(void) { return ; }\n")
    with pytest.raises(RuntimeError, match="failed"):
        compile_c([header, source])


def test_compile_c_without_compiler(quantizer, tmp_path, monkeypatch):
    paths = export_c(quantizer, tmp_path)
    monkeypatch.setenv("CC", "no-such-compiler-skmicrobi")
    assert compile_c(paths) is None
    with pytest.raises(RuntimeError, match="No C compiler"):
        build_harness(paths, tmp_path / "h")


# -- the pair of files, names, the runtime ------------------------------------------
def _compile_only(paths, tmp_path, extra=()):
    compiler = find_compiler()
    for p in paths:
        if str(p).endswith(".c"):
            subprocess.run(
                [compiler, *DEFAULT_CFLAGS, "-pedantic", *extra, "-c", str(p),
                 "-I", str(p.parent), "-o", str(tmp_path / (p.stem + ".o"))],
                check=True, capture_output=True, text=True,
            )


@needs_cc
def test_a_header_of_another_model_does_not_compile(tmp_path):
    a, b = _random_model(5), _random_model(6)
    first = export_c(a, tmp_path / "a", name="har")
    second = export_c(b, tmp_path / "b", name="har")
    # same shapes and name, other weights: only the fingerprint differs
    first[0].write_text(second[0].read_text())
    with pytest.raises(subprocess.CalledProcessError) as err:
        _compile_only(first[1:2], tmp_path)
    assert "belongs to another model" in err.value.stderr


@needs_cc
def test_names_differing_in_case_share_no_macro(quantizer, tmp_path):
    export_c(quantizer, tmp_path, name="har")
    export_c(quantizer, tmp_path, name="Har")
    both = tmp_path / "both.c"
    both.write_text(
        '#include "har.h"\n#include "Har.h"\n'
        "int n(void) { return HAR_N_CLASSES + HAR_x1_N_CLASSES; }\n"
    )
    _compile_only([both], tmp_path)
    assert "#define HAR_x1_N_CLASSES" in (tmp_path / "Har.h").read_text()


def test_concurrent_exports_into_one_folder_never_mix(tmp_path):
    models = [_random_model(seed) for seed in (7, 8)]
    expected = {fingerprint(m) for m in models}

    def export(model):
        for _ in range(5):
            export_c(model, tmp_path, name="har")

    threads = [threading.Thread(target=export, args=(m,)) for m in models]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    header = (tmp_path / "har.h").read_text()
    source = (tmp_path / "har.c").read_text()
    printed = {f"0x{f:08x}UL" for f in expected}
    in_header = [p for p in printed if p in header]
    assert len(in_header) == 1 and in_header[0] in source


def test_the_runtime_sigmoid_table_is_the_specification():
    text = runtime_sources()["microbi.c"]
    body = text.split("mb_sigmoid_table[128] = {", 1)[1].split("}", 1)[0]
    entries = np.array([int(v) for v in body.replace("\n", " ").split(",")])
    table = SIGMOID_TABLE.astype(np.int64)
    np.testing.assert_array_equal(entries >> 16, table[:-1])
    np.testing.assert_array_equal(entries & 0xFFFF, np.diff(table))


@needs_cc
def test_the_code_keeps_no_state_between_calls(quantizer, tmp_path):
    # all mutable memory is the caller's scratch: no .data, no .bss
    paths = export_c(quantizer, tmp_path)
    _compile_only(paths, tmp_path)
    for obj in tmp_path.glob("*.o"):
        report = subprocess.run(
            ["size", "-A", str(obj)], capture_output=True, text=True, check=True
        ).stdout
        for line in report.splitlines():
            fields = line.split()
            if fields and fields[0] in (".data", ".bss"):
                assert int(fields[1]) == 0, (obj.name, line)


@needs_cc
@pytest.mark.parametrize("path", sorted(PATHS))
def test_int8_input_models_match_numpy(path, tmp_path):
    torch.manual_seed(9)
    net = MicroBiConvLSTM(6, 5)
    X = np.random.default_rng(9).normal(size=(32, 6, 40)) * 3 + 1
    model = build_integer_model(net, X, input_bits=8)
    q, _ = to_integer_input(model, X)
    assert q.dtype == np.int8
    rng = np.random.default_rng(10)
    extremes = rng.choice(np.array([-128, 127], dtype=np.int8), size=(3, 6, 40))
    q = np.concatenate([q, extremes])
    paths = export_c(model, tmp_path, name="small")
    assert "void small_predict(const int8_t *in" in paths[0].read_text()
    exe = build_harness(paths, tmp_path / "h", flags=_flags(SANITIZE, path))
    np.testing.assert_array_equal(run_c(exe, q, 5), predict_logits(model, q))


@needs_cc
@pytest.mark.parametrize(
    "kwargs",
    [{"lstm_hidden": 64}, {"conv_channels": (16,), "pool_sizes": (4,)}, {}],
)
def test_plain_c_compiles_clean_at_O3(kwargs, tmp_path):
    model = _random_model(11, **kwargs)
    paths = export_c(model, tmp_path)
    flags = ("-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic", "-O3")
    exe = build_harness(paths, tmp_path / "h", flags=flags + PATHS["portable"])
    q = np.random.default_rng(12).integers(-32768, 32768, (4, 6, 40)).astype(np.int16)
    np.testing.assert_array_equal(run_c(exe, q, 5), predict_logits(model, q))
