"""Training from memory-mapped windows without loading them: reads, copies, RSS."""

from __future__ import annotations

import pickle
import sys
import tracemalloc

import numpy as np
import pytest
from numpy.lib.stride_tricks import sliding_window_view

from benchmarks.environment import proc_status_bytes, reset_peak_rss
from skmicrobi import MicroBiClassifier, SlidingWindowTransformer
from skmicrobi._memmap import RowReader
from skmicrobi._validation import check_panel

TINY = {"conv_channels": (4, 4), "lstm_hidden": 4, "max_epochs": 1, "batch_size": 50}


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """A small .npy of windows, and a raw file written through a w+ memmap."""
    folder = tmp_path_factory.mktemp("memmap")
    rng = np.random.default_rng(0)
    windows = rng.normal(size=(9, 3, 40)).astype(np.float32)
    np.save(folder / "windows.npy", windows)
    raw = np.memmap(folder / "raw.f64", dtype=np.float64, mode="w+", shape=(5, 4, 6))
    raw[:] = rng.normal(size=raw.shape)  # not flushed: still only in the mapping
    return folder, windows, raw


def _views(folder, raw):
    m = np.load(folder / "windows.npy", mmap_mode="r")
    return {
        "memmap": (m, True),
        "rows 2:7": (m[2:7], True),
        "every other row": (m[::2], True),
        "rows reversed": (m[::-1], True),
        "channels 1:": (m[:, 1:], True),
        "every other channel": (m[:, ::2], True),
        "time 5:20": (m[:, :, 5:20], True),
        "windows of one recording": (
            sliding_window_view(m[0], 8, axis=1)[:, ::3].transpose(1, 0, 2),
            True,
        ),
        "one channel, 2D": (m[:, 1], True),
        "one value per row, 1D": (m[:, 0, 0], True),
        "w+ memmap, unflushed": (raw, True),
        "w+ view": (raw[1:, 2:, 1:], True),
        # the last axis is strided: nothing contiguous to read with pread
        "time axis first": (raw.transpose(0, 2, 1), False),
    }


@pytest.mark.parametrize(
    "case",
    [
        "memmap",
        "rows 2:7",
        "every other row",
        "rows reversed",
        "channels 1:",
        "every other channel",
        "time 5:20",
        "windows of one recording",
        "one channel, 2D",
        "one value per row, 1D",
        "w+ memmap, unflushed",
        "w+ view",
        "time axis first",
    ],
)
def test_row_reader_reads_what_indexing_reads(saved, case):
    folder, _, raw = saved
    X, from_file = _views(folder, raw)[case]
    reader = RowReader(X)
    assert reader.from_file is from_file
    n = len(X)
    for i in [*range(n), -1, -n]:
        row = reader[i]
        np.testing.assert_array_equal(row, X[i])
        assert row.flags.writeable and not np.may_share_memory(row, X)
    rows = np.array([0, 1, 2, n - 1, 1])
    np.testing.assert_array_equal(reader[rows], X[rows])
    np.testing.assert_array_equal(reader[1:n], X[1:n])
    np.testing.assert_array_equal(reader[np.arange(n) % 2 == 0], X[::2])
    copy = pickle.loads(pickle.dumps(reader))  # reopens the file, in any process
    np.testing.assert_array_equal(copy[n - 1], X[n - 1])
    with pytest.raises(IndexError, match="out of bounds"):
        reader[n]


def test_row_reader_never_reads_a_copy_on_write_memmap_from_its_file(saved):
    folder, windows, _ = saved
    private = np.load(folder / "windows.npy", mmap_mode="c")
    private[3] = 7.0  # a change the file does not have
    reader = RowReader(private)
    assert not reader.from_file
    np.testing.assert_array_equal(reader[3], np.full_like(windows[3], 7.0))
    in_memory = RowReader(windows)
    assert not in_memory.from_file
    row = in_memory[2]
    row[:] = 0  # a copy, not a view of the caller's array
    assert windows[2].any()


def test_nan_in_a_memmap_is_found_chunk_by_chunk(tmp_path):
    X = np.lib.format.open_memmap(
        tmp_path / "x.npy", mode="w+", dtype=np.float32, shape=(300, 2, 64)
    )
    X[:] = 1.0
    X[271, 1, 5] = np.nan
    X.flush()
    X = np.load(tmp_path / "x.npy", mmap_mode="r")
    with pytest.raises(ValueError, match="first in sample 271"):
        check_panel(X)
    from skmicrobi import _validation

    with pytest.raises(ValueError, match="first in sample 271"):
        _validation._check_finite(X, "X", chunk_bytes=X[0].nbytes * 7)
    assert check_panel(X[:271]) is not None


def _separable(n, n_channels, n_timepoints, seed=0):
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    X = rng.normal(size=(n, n_channels, n_timepoints)).astype(np.float32)
    X[y == 1, 0] += 1.5
    return X, y


def test_fit_on_a_memmap_equals_fit_in_memory(tmp_path):
    X, y = _separable(120, 3, 32)
    np.save(tmp_path / "X.npy", X)
    mapped = np.load(tmp_path / "X.npy", mmap_mode="r")
    params = dict(TINY, max_epochs=2, random_state=0)
    a = MicroBiClassifier(**params).fit(X, y)
    b = MicroBiClassifier(**params).fit(mapped, y)
    np.testing.assert_array_equal(a.module_.input_mean, b.module_.input_mean)
    np.testing.assert_array_equal(a.module_.input_scale, b.module_.input_scale)
    np.testing.assert_allclose(b.predict_proba(mapped), a.predict_proba(X), atol=1e-6)


def _reset_peak_rss() -> bool:
    """Reset VmHWM to the current RSS (Linux >= 4.0); False where impossible."""
    try:
        reset_peak_rss()
        return True
    except OSError:
        return False


@pytest.mark.skipif(sys.platform != "linux", reason="pread reads and /proc are Linux's")
def test_fit_on_a_memmap_neither_copies_it_nor_maps_it(tmp_path, monkeypatch):
    # 131 MB of windows, large next to what fit holds at once: a batch of 16
    # windows, a 4 MiB block of the NaN scan and of the statistics, and an
    # inference batch of the validation windows, whose byte cap (4 MiB by
    # default, with a few temporaries of its size) is scaled down with the file.
    # A copy of the data (or of its training part), or its pages left mapped in
    # the process, would stand out.
    from skmicrobi import classifier

    monkeypatch.setattr(classifier, "PREDICT_BATCH_BYTES", 2**20)
    n, n_channels, n_timepoints = 1000, 128, 256
    path = tmp_path / "windows.npy"
    out = np.lib.format.open_memmap(
        path, mode="w+", dtype=np.float32, shape=(n, n_channels, n_timepoints)
    )
    rng = np.random.default_rng(0)
    for start in range(0, n, 100):
        out[start : start + 100] = rng.normal(size=(100, n_channels, n_timepoints))
    out.flush()
    del out
    y = np.arange(n) % 2
    X = np.load(path, mmap_mode="r")
    size = X.nbytes
    params = {**TINY, "batch_size": 16}
    # torch imports modules and sizes its allocator on the first fit
    MicroBiClassifier(**params).fit(np.asarray(X[:20]), y[:20])

    can_reset = _reset_peak_rss()
    rss_before = proc_status_bytes("VmRSS")
    tracemalloc.start()
    try:
        clf = MicroBiClassifier(**params, random_state=0).fit(X, y)
        traced_peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert traced_peak < size / 4, f"numpy allocated {traced_peak / size:.2f}x X"
    if can_reset:
        rss_growth = proc_status_bytes("VmHWM") - rss_before
        assert rss_growth < size / 4, f"peak RSS grew by {rss_growth / size:.2f}x X"

    # the fitted model does not carry its training data either
    blob = pickle.dumps(clf)
    assert len(blob) < size / 20
    restored = pickle.loads(blob)
    np.testing.assert_array_equal(restored.predict(X[:50]), clf.predict(X[:50]))
    valid = restored.net_.train_split.keywords["valid_ds"]
    with pytest.raises(RuntimeError, match="not saved with a pickled"):
        valid[0]


def test_windows_cut_from_memmapped_recordings_train_without_a_copy(tmp_path):
    rng = np.random.default_rng(1)
    lengths = [700, 520, 900, 610]
    recordings = []
    for i, length in enumerate(lengths):
        x = rng.normal(size=(3, length)).astype(np.float32)
        x[0] += i % 2
        np.save(tmp_path / f"rec{i}.npy", x)
        recordings.append(np.load(tmp_path / f"rec{i}.npy", mmap_mode="r"))
    labels = [i % 2 for i in range(len(lengths))]
    win = SlidingWindowTransformer(window_length=64, stride=32)
    X_ref, y_ref, g_ref = win.fit_resample(recordings, labels)

    # recording by recording into a windows file, as the scaling guide does it:
    # RAM holds one recording's windows at a time
    counts = [len(win.window_index([r], [lab])) for r, lab in zip(recordings, labels)]
    X_disk = np.lib.format.open_memmap(
        tmp_path / "windows.npy",
        mode="w+",
        dtype=np.float32,
        shape=(sum(counts), 3, 64),
    )
    y_disk, start = [], 0
    for recording, label, n in zip(recordings, labels, counts):
        Xr, yr, _ = win.resample([recording], [label])
        X_disk[start : start + n] = Xr
        y_disk.append(yr)
        start += n
    X_disk.flush()
    del X_disk
    np.testing.assert_array_equal(np.concatenate(y_disk), y_ref)
    X_disk = np.load(tmp_path / "windows.npy", mmap_mode="r")
    np.testing.assert_array_equal(X_disk, X_ref)

    # or, for one recording, the windows as a strided view of its memmap: no copy
    view = sliding_window_view(recordings[2], 64, axis=1)[:, ::32].transpose(1, 0, 2)
    np.testing.assert_array_equal(view, X_ref[g_ref == 2])
    assert RowReader(view).from_file

    params = dict(TINY, max_epochs=2, random_state=0)
    ref = MicroBiClassifier(**params).fit(X_ref, y_ref, groups=g_ref)
    disk = MicroBiClassifier(**params).fit(X_disk, y_ref, groups=g_ref)
    np.testing.assert_allclose(disk.predict_proba(X_ref), ref.predict_proba(X_ref))
    y_view = y_ref[g_ref == 2]
    y_view[::2] = 1 - y_view[::2]  # two classes from one recording
    ref_view = MicroBiClassifier(**params).fit(X_ref[g_ref == 2], y_view)
    on_view = MicroBiClassifier(**params).fit(view, y_view)
    np.testing.assert_allclose(
        on_view.predict_proba(view), ref_view.predict_proba(X_ref[g_ref == 2])
    )
