import pytest
import torch

from skmicrobi import MicroBiConvLSTM, count_parameters

# (channels, classes, parameters) of the paper's table, one row per benchmark.
PAPER_COUNTS = {
    "UCI-HAR": (9, 6, 10_454),
    "MotionSense": (6, 6, 10_214),
    "WISDM": (3, 6, 9_974),
    "PAMAP2": (19, 12, 11_548),
    "Opportunity": (79, 5, 16_005),
    "UniMiB-SHAR": (3, 9, 10_121),
    "SKODA": (30, 11, 12_379),
    "Daphnet": (9, 2, 10_258),
}


@pytest.mark.parametrize("name", sorted(PAPER_COUNTS))
def test_parameter_counts_match_the_paper(name):
    channels, classes, expected = PAPER_COUNTS[name]
    assert count_parameters(MicroBiConvLSTM(channels, classes)) == expected
    assert expected == 80 * channels + 9440 + 49 * classes


def test_ablations_change_the_count_as_the_paper_says():
    base = count_parameters(MicroBiConvLSTM(9, 6))
    # Unidirectional: the paper's ~6.3K.
    assert count_parameters(MicroBiConvLSTM(9, 6, bidirectional=False)) == 6278
    # Pooling and the reduction hold no parameters.
    assert count_parameters(MicroBiConvLSTM(9, 6, pool_sizes=(1, 1))) == base
    for reduction in ("last", "mean", "final"):
        assert count_parameters(MicroBiConvLSTM(9, 6, reduction=reduction)) == base
    # A single conv stage drops the 16 -> 16 convolution and its BatchNorm.
    single = MicroBiConvLSTM(9, 6, conv_channels=(16,), pool_sizes=(4,))
    assert count_parameters(single) == base - (16 * 16 * 5 + 16) - 32


@pytest.mark.parametrize(
    "kwargs, steps",
    [
        ({}, 32),
        ({"pool_sizes": (1, 1)}, 128),
        ({"conv_channels": (16,), "pool_sizes": (4,)}, 32),
    ],
)
def test_pooling_sets_the_lstm_length(kwargs, steps):
    net = MicroBiConvLSTM(9, 6, **kwargs).eval()
    x = torch.randn(2, 9, 128)
    assert net.features(x).shape[-1] == steps
    assert net(x).shape == (2, 6)


def test_final_reduction_reads_each_direction_after_the_whole_window():
    torch.manual_seed(0)
    net = MicroBiConvLSTM(3, 4, reduction="final").eval()
    x = torch.randn(5, 3, 40)
    out, _ = net.lstm(net.features(x).transpose(1, 2))
    hidden = net.lstm_hidden
    expected = torch.cat([out[:, -1, :hidden], out[:, 0, hidden:]], dim=1)
    torch.testing.assert_close(net.embed(x), expected)
    last = MicroBiConvLSTM(3, 4, reduction="last").eval()
    last.load_state_dict(net.state_dict())
    torch.testing.assert_close(last.embed(x), out[:, -1, :])


def test_input_standardisation_buffers_apply_first():
    torch.manual_seed(0)
    net = MicroBiConvLSTM(2, 3).eval()
    x = torch.randn(4, 2, 16)
    ref = net(x)
    net.input_mean.fill_(5.0)
    net.input_scale.fill_(2.0)
    torch.testing.assert_close(net(x * 2.0 + 5.0), ref)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"reduction": "max"}, "reduction"),
        ({"conv_channels": (16, 16), "pool_sizes": (2,)}, "same length"),
        ({"kernel_size": 4}, "odd"),
        ({"pool_sizes": (0, 2)}, "pool_sizes must hold integers >= 1"),
        ({"pool_sizes": (-2, 2)}, "pool_sizes must hold integers >= 1"),
        ({"pool_sizes": (2.5, 2)}, "2.5 is not an integer"),
        ({"conv_channels": (0, 16)}, "conv_channels must hold integers >= 1"),
        ({"conv_channels": (), "pool_sizes": ()}, "one entry per convolution"),
        ({"lstm_hidden": 0}, "lstm_hidden must be an integer >= 1"),
        ({"kernel_size": 3.0}, "kernel_size must be an integer"),
    ],
)
def test_bad_arguments_are_explained(kwargs, match):
    with pytest.raises(ValueError, match=match):
        MicroBiConvLSTM(3, 2, **kwargs)
