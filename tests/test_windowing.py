"""SlidingWindowTransformer: window counts, contents, labels, inputs and errors."""

import warnings
from collections import Counter

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone

from skmicrobi import SlidingWindowTransformer
from skmicrobi.exceptions import ShortRecordingWarning, SkmicrobiWarning

# -- naive references ----------------------------------------------------------


def naive_starts(T, L, s, tail):
    """Window starts by walking the recording one stride at a time."""
    starts, k = [], 0
    while k * s + L <= T:
        starts.append(k * s)
        k += 1
    if tail == "pad" and k * s < T and (not starts or starts[-1] + L < T):
        starts.append(k * s)
    return starts


def naive_label(labels, rule, L):
    """Label and purity of one window from its real (unpadded) labels."""
    counts = Counter(labels.tolist())
    if rule == "majority":
        top = max(counts.values())
        chosen = min(label for label, c in counts.items() if c == top)
    elif rule == "last":
        chosen = labels[-1]
    else:
        chosen = labels[min(L // 2, len(labels) - 1)]
    return chosen, counts[chosen] / len(labels)


def naive_resample(recordings, labels, L, s, rule, purity, tail, pad_value):
    Xw, yw, gw = [], [], []
    for r, (x, lab) in enumerate(zip(recordings, labels)):
        T = x.shape[1]
        for start in naive_starts(T, L, s, tail):
            window = np.full((x.shape[0], L), pad_value)
            real = x[:, start : start + L]
            window[:, : real.shape[1]] = real
            chosen, frac = naive_label(lab[start : start + L], rule, L)
            if purity is None or frac >= purity:
                Xw.append(window)
                yw.append(chosen)
                gw.append(r)
    return np.array(Xw), np.array(yw), np.array(gw)


# -- strategies -----------------------------------------------------------------

lengths = st.lists(st.integers(1, 60), min_size=1, max_size=4)
window = st.tuples(st.integers(1, 16), st.integers(1, 16))


def make_recordings(lengths, n_channels, seed):
    rng = np.random.default_rng(seed)
    return [rng.normal(size=(n_channels, T)) for T in lengths]


# -- properties ---------------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(
    lengths=lengths,
    n_channels=st.integers(1, 3),
    wl=window,
    tail=st.sampled_from(["drop", "pad"]),
    seed=st.integers(0, 2**16),
)
def test_windows_are_the_slices_they_claim(lengths, n_channels, wl, tail, seed):
    L, s = wl
    recordings = make_recordings(lengths, n_channels, seed)
    win = SlidingWindowTransformer(L, s, tail=tail, pad_value=-7.0)
    expected = [naive_starts(T, L, s, tail) for T in lengths]
    if not any(expected):
        with pytest.raises(ValueError, match="longer than every recording"):
            win.fit_transform(recordings)
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ShortRecordingWarning)
        Xw = win.fit_transform(recordings)
        index = win.window_index(recordings)
    for T, starts in zip(lengths, expected):
        if T >= L:
            assert len([st for st in starts if st + L <= T]) == (T - L) // s + 1
    assert Xw.shape == (sum(map(len, expected)), n_channels, L)
    assert Xw.dtype == np.float32
    assert index["recording"].tolist() == [
        r for r, starts in enumerate(expected) for _ in starts
    ]
    assert index["start"].tolist() == [st for starts in expected for st in starts]
    for w, r, start in zip(Xw, index["recording"], index["start"]):
        real = recordings[r][:, start : start + L]
        np.testing.assert_array_equal(w[:, : real.shape[1]], real.astype(np.float32))
        assert (w[:, real.shape[1] :] == -7.0).all()


@settings(max_examples=150, deadline=None)
@given(
    lengths=lengths,
    wl=window,
    rule=st.sampled_from(["majority", "last", "centre"]),
    purity=st.sampled_from([None, 0.5, 0.6, 0.75, 1.0]),
    tail=st.sampled_from(["drop", "pad"]),
    n_labels=st.integers(1, 3),
    seed=st.integers(0, 2**16),
)
def test_label_rules_agree_with_naive_reference(
    lengths, wl, rule, purity, tail, n_labels, seed
):
    L, s = wl
    rng = np.random.default_rng(seed)
    recordings = make_recordings(lengths, 2, seed)
    # runs of labels, as activities come, so that some windows are pure
    alphabet = ["sit", "stand", "walk"][:n_labels]
    labels = [
        np.repeat(rng.choice(alphabet, T), rng.integers(1, 12, size=T))[:T]
        for T in lengths
    ]
    groups = np.array([f"s{i}" for i in range(len(lengths))])
    Xe, ye, ge = naive_resample(recordings, labels, L, s, rule, purity, tail, 0.0)
    win = SlidingWindowTransformer(L, s, label=rule, purity=purity, tail=tail)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ShortRecordingWarning)
        if len(ye) == 0:
            with pytest.raises(ValueError, match="longer than every|purity"):
                win.fit_resample(recordings, labels, groups)
            return
        Xw, yw, gw = win.fit_resample(recordings, labels, groups)
        index = win.window_index(recordings, labels)
    np.testing.assert_array_equal(Xw, Xe.astype(np.float32))
    np.testing.assert_array_equal(yw, ye)
    np.testing.assert_array_equal(gw, groups[ge])
    np.testing.assert_array_equal(index["recording"], ge)


@settings(max_examples=50, deadline=None)
@given(n=st.integers(1, 4), T=st.integers(1, 50), wl=window, seed=st.integers(0, 99))
def test_panel_fast_path_equals_list_of_recordings(n, T, wl, seed):
    L, s = wl
    panel = np.random.default_rng(seed).normal(size=(n, 3, T))
    win = SlidingWindowTransformer(L, s, tail="pad", pad_value=1.5)
    np.testing.assert_array_equal(
        win.fit_transform(panel), win.fit_transform(list(panel))
    )


def test_majority_tie_goes_to_smallest_label():
    x = [np.zeros((1, 4))]
    win = SlidingWindowTransformer(4, 4)
    assert win.fit_resample(x, [np.array(["walk", "walk", "sit", "sit"])])[1] == ["sit"]
    assert win.fit_resample(x, [np.array([3, 1, 1, 3])])[1] == [1]


def test_last_and_centre_rules():
    x = [np.zeros((1, 6))]
    y = [np.array([0, 1, 2, 3, 4, 5])]
    assert SlidingWindowTransformer(6, 1, label="last").fit_resample(x, y)[1] == [5]
    # even length: the later of the two middle steps
    assert SlidingWindowTransformer(6, 1, label="centre").fit_resample(x, y)[1] == [3]
    assert SlidingWindowTransformer(5, 1, label="centre").fit_resample(x, y)[
        1
    ].tolist() == [2, 3]


def test_purity_one_drops_mixed_windows():
    x = [np.zeros((1, 8))]
    y = [np.array([0, 0, 0, 0, 1, 1, 1, 1])]
    Xw, yw, _ = SlidingWindowTransformer(4, 2, purity=1.0).fit_resample(x, y)
    assert yw.tolist() == [0, 1]
    # transform has no labels: it keeps every window
    assert SlidingWindowTransformer(4, 2, purity=1.0).fit_transform(x).shape[0] == 3


def test_labels_one_per_recording_and_padded_labels():
    recordings = [np.ones((2, 10)), np.ones((2, 3))]
    win = SlidingWindowTransformer(4, 4, tail="pad")
    Xw, yw, gw = win.fit_resample(recordings, ["a", "b"])
    assert yw.tolist() == ["a", "a", "a", "b"]
    assert gw.tolist() == [0, 0, 0, 1]
    # the last window of recording 0 holds steps 8, 9 and two padded steps
    assert Xw[2, 0].tolist() == [1, 1, 0, 0]
    # padded steps carry no label: "last" reads the last real step
    y = [np.array([0] * 9 + [1]), np.array([2, 2, 2])]
    assert win.set_params(label="last").fit_resample(recordings, y)[1].tolist() == [
        0,
        0,
        1,
        2,
    ]


def test_equal_length_labels_as_2d_array():
    X = np.random.default_rng(0).normal(size=(2, 3, 8))
    y = np.array([[0] * 8, [1] * 4 + [2] * 4])
    _, yw, gw = SlidingWindowTransformer(4, 4).fit_resample(X, y)
    assert yw.tolist() == [0, 0, 1, 2] and gw.tolist() == [0, 0, 1, 1]


# -- inputs ---------------------------------------------------------------------


@pytest.mark.parametrize("mtype", ["nested_univ", "pd-multiindex", "df-list"])
@pytest.mark.parametrize("equal", [True, False])
def test_sktime_panels_give_the_same_windows(mtype, equal):
    from sktime.datatypes import convert_to

    rng = np.random.default_rng(1)
    lengths = [30, 30, 30] if equal else [30, 45, 22]
    recordings = [rng.normal(size=(2, T)) for T in lengths]
    frames = [pd.DataFrame(r.T, columns=["acc_x", "acc_y"]) for r in recordings]
    panel = convert_to(frames, to_type=mtype, as_scitype="Panel")
    win = SlidingWindowTransformer(10, 5)
    expected = win.fit_transform(recordings)
    np.testing.assert_array_equal(win.fit_transform(panel), expected)
    if equal:
        np.testing.assert_array_equal(win.fit_transform(np.stack(recordings)), expected)


def test_unsorted_multiindex_panel_is_sorted_within_instances():
    """Rows out of time order: sorted by time; instances keep their order (and y)."""
    idx = pd.MultiIndex.from_product([["b", "a"], range(6)], names=["id", "t"])
    panel = pd.DataFrame({"c0": np.arange(12.0), "c1": -np.arange(12.0)}, index=idx)
    rng = np.random.default_rng(0)
    shuffled = panel.iloc[np.concatenate([rng.permutation(6), 6 + rng.permutation(6)])]
    win = SlidingWindowTransformer(3, 3)
    expected = win.fit_transform(panel)
    np.testing.assert_array_equal(win.fit_transform(shuffled), expected)
    assert expected[0, 0, 0] == 0.0  # instance "b", the first given, comes first
    duplicated = pd.concat([panel, panel.iloc[[4]]])
    with pytest.raises(ValueError, match=r"repeats an earlier one, e.g. \('b', 4\)"):
        win.fit_transform(duplicated)


def test_float64_beyond_float32_is_refused_not_made_infinite():
    recordings = [np.zeros((2, 10)), np.zeros((2, 20))]
    recordings[1][0, 3] = -1e39
    match = r"beyond float32's range.*-1e\+39 \(first in recording 1\)"
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        with pytest.raises(ValueError, match=match):
            SlidingWindowTransformer(4, 2).fit_transform(recordings)
    assert [w for w in record if issubclass(w.category, RuntimeWarning)] == []


def test_two_d_array_is_one_channel_and_1d_recording_too():
    win = SlidingWindowTransformer(4, 2)
    assert win.fit_transform(np.zeros((3, 8))).shape == (9, 1, 4)
    # a plain DataFrame is a 2D table, as for the classifier: one recording per row
    table = np.arange(24.0).reshape(3, 8)
    np.testing.assert_array_equal(
        win.fit_transform(pd.DataFrame(table)), win.fit_transform(table)
    )
    assert win.fit_transform([np.zeros(8), np.zeros(6)]).shape == (5, 1, 4)


def test_transform_copies_the_stream_once_into_float32():
    stream = np.arange(2 * 100, dtype=np.float64).reshape(2, 100)
    Xw = SlidingWindowTransformer(10, 5).fit_transform([stream])
    assert Xw.dtype == np.float32 and Xw.flags.c_contiguous
    assert not np.shares_memory(Xw, stream)


def test_clone_and_params_are_sklearn_style():
    win = SlidingWindowTransformer(64, 32, label="last", purity=0.8, tail="pad")
    assert clone(win).get_params() == win.get_params()
    with pytest.raises(AttributeError):
        win.n_channels_


# -- errors --------------------------------------------------------------------------


def test_window_longer_than_every_recording():
    with pytest.raises(ValueError, match="longer than every recording.*100"):
        SlidingWindowTransformer(128, 64).fit_transform([np.zeros((3, 100))])


@pytest.mark.parametrize("stride", [0, -1, 1.5])
def test_stride_below_one(stride):
    with pytest.raises(ValueError, match="stride"):
        SlidingWindowTransformer(8, stride).fit([np.zeros((1, 10))])


def test_short_recordings_among_long_ones_warn_with_count():
    recordings = [np.zeros((1, 100)), np.zeros((1, 5)), np.zeros((1, 7))]
    with pytest.warns(ShortRecordingWarning, match="2 of 3 recordings") as record:
        Xw = SlidingWindowTransformer(10, 10).fit_transform(recordings)
    assert issubclass(record[0].category, SkmicrobiWarning)
    assert Xw.shape[0] == 10
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        SlidingWindowTransformer(10, 10, tail="pad").fit_transform(recordings)


@pytest.mark.parametrize(
    "y, match",
    [
        (["a", "b", "c"], "3 entries but X has 2 recordings"),
        ([np.zeros(10), np.zeros(11)], "recording 1 have shape \\(11,\\).*12 time"),
        ([np.zeros(10), "b"], "mixes single labels and label arrays"),
        (np.zeros((2, 3, 4)), "1D .* or 2D"),
        (None, "y is required"),
    ],
)
def test_labels_that_match_neither_layout(y, match):
    recordings = [np.zeros((1, 10)), np.zeros((1, 12))]
    with pytest.raises(ValueError, match=match):
        SlidingWindowTransformer(4, 2).fit_resample(recordings, y)


def test_flat_labels_of_a_single_recording_hint_at_a_list():
    with pytest.raises(ValueError, match=r"wrap them in a list: y=\[labels\]"):
        SlidingWindowTransformer(4, 2).fit_resample([np.zeros((1, 10))], np.zeros(10))


def test_mixed_label_types():
    with pytest.raises(TypeError, match="cannot be sorted"):
        SlidingWindowTransformer(4, 2).fit_resample(
            [np.zeros((1, 10))] * 2, np.array(["a", 1], dtype=object)
        )


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_nan_in_a_stream(bad):
    recordings = [np.zeros((2, 10)), np.zeros((2, 20))]
    recordings[1][1, 7] = bad
    with pytest.raises(ValueError, match=r"X contains NaN.*\(first in recording 1\)"):
        SlidingWindowTransformer(4, 2).fit(recordings)
    panel = np.zeros((3, 2, 10))
    panel[2, 0, 0] = bad
    with pytest.raises(ValueError, match=r"X contains NaN.*\(first in recording 2\)"):
        SlidingWindowTransformer(4, 2).fit(panel)


def test_empty_recording_and_empty_input():
    with pytest.raises(ValueError, match="Recording 1 of X is empty"):
        SlidingWindowTransformer(4, 2).fit([np.zeros((2, 10)), np.zeros((2, 0))])
    with pytest.raises(ValueError, match="holds no recording"):
        SlidingWindowTransformer(4, 2).fit([])


def test_purity_that_leaves_no_window():
    y = [np.array([0, 1] * 10)]
    with pytest.raises(ValueError, match="purity=0.9 leaves no window.*0.500"):
        SlidingWindowTransformer(4, 2, purity=0.9).fit_resample([np.zeros((1, 20))], y)


def test_mismatched_groups():
    recordings = [np.zeros((1, 10))] * 3
    with pytest.raises(ValueError, match="one entry per recording \\(3\\)"):
        SlidingWindowTransformer(4, 2).fit_resample(recordings, [0, 1, 0], [1, 2])


def test_channels_must_agree():
    with pytest.raises(ValueError, match="Recording 1 of X has 2 channels"):
        SlidingWindowTransformer(4, 2).fit([np.zeros((3, 10)), np.zeros((2, 10))])
    win = SlidingWindowTransformer(4, 2).fit([np.zeros((3, 10))])
    with pytest.raises(ValueError, match="X has 2 channels.*fitted with 3"):
        win.transform([np.zeros((2, 10))])


def test_not_recordings():
    with pytest.raises(ValueError, match="real numbers, got dtype <U1"):
        SlidingWindowTransformer(4, 2).fit([np.array([["a", "b"]])])
    with pytest.raises(ValueError, match="real numbers.*could not convert string"):
        SlidingWindowTransformer(4, 2).fit(pd.DataFrame({"a": ["x", "y"]}))
    with pytest.raises(TypeError, match="neither recordings nor an sktime Panel"):
        SlidingWindowTransformer(4, 2).fit({"a": [1.0, 2.0]})
    with pytest.raises(ValueError, match="Reshape your data"):
        SlidingWindowTransformer(4, 2).fit(np.zeros(10))
