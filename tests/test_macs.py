"""count_macs: the paper's MAC figures, each layer type, the module left as found."""

import pytest
import torch
from torch import nn

from skmicrobi import MicroBiConvLSTM, count_macs

# (dataset, C, T, K, MACs per window in the paper's table)
PAPER_MACS = [
    ("UCI-HAR", 9, 128, 6, 420.1e3),
    ("MotionSense", 6, 128, 6, 389.4e3),
    ("WISDM", 3, 128, 6, 358.7e3),
    ("PAMAP2", 19, 128, 12, 523.0e3),
    ("Opportunity", 79, 128, 5, 1.14e6),
    ("UniMiB-SHAR", 3, 128, 9, 358.9e3),
    ("SKODA", 30, 98, 11, 443.9e3),
]


@pytest.mark.parametrize("name, C, T, K, paper", PAPER_MACS)
def test_reproduces_paper_macs(name, C, T, K, paper):
    macs = count_macs(MicroBiConvLSTM(C, K, reduction="last"), C, T)
    assert abs(macs - paper) / paper <= 0.10, (name, macs, paper)


def test_uci_har_exact_breakdown():
    # conv 9*16*5*128 + conv 16*16*5*64 + BiLSTM 32 steps * 2 * 4*24*(16+24) + 48*6
    assert count_macs(MicroBiConvLSTM(9, 6), 9, 128) == 92160 + 81920 + 245760 + 288


def test_daphnet_paper_figure_is_not_its_own_architecture():
    # The paper's 245.4K for Daphnet (C=9, T=64, K=2) matches no window length
    # of its own network; at T=64 the network does 3280*T + 96 MACs.
    assert count_macs(MicroBiConvLSTM(9, 2), 9, 64) == 3280 * 64 + 96


def test_each_layer_type():
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.depthwise = nn.Conv1d(4, 4, 3, padding=1, groups=4)
            self.conv2d = nn.Conv2d(1, 2, (3, 1))
            self.gru = nn.GRU(4, 5, num_layers=2, batch_first=True)
            self.rnn = nn.RNN(5, 3)
            self.fc = nn.Linear(3, 2)

        def forward(self, x):  # x: (1, 4, 10)
            x = self.depthwise(x)  # 4 * 10 * 3
            self.conv2d(x.unsqueeze(1))  # 2 * (2 * 10) * 3 ... out (1,2,2,10)
            scores = x @ x.transpose(1, 2)  # 4 * 4 * 10
            torch.einsum("bct,bdt->bcd", x, x)  # 4 * 4 * 10
            torch.bmm(scores, x)  # 4 * 10 * 4
            out, _ = self.gru(x.transpose(1, 2))  # 10 steps
            out, _ = self.rnn(out.transpose(0, 1))  # time-first, 10 steps
            return self.fc(out[-1])  # 3 * 2

    expected = (
        4 * 10 * 3
        + 2 * 2 * 10 * 3
        + 3 * (4 * 4 * 10)
        + 10 * (3 * 5 * (4 + 5) + 3 * 5 * (5 + 5))
        + 10 * 3 * (5 + 3)
        + 3 * 2
    )
    assert count_macs(Net(), 4, 10) == expected


def test_attention():
    class Attn(nn.Module):
        def __init__(self):
            super().__init__()
            self.mha = nn.MultiheadAttention(8, 2, batch_first=True)

        def forward(self, x):
            x = x.transpose(1, 2)  # (1, 5, 8)
            a = nn.functional.scaled_dot_product_attention(x, x, x)  # 5*5*(8+8)
            return self.mha(a, a, a)[0]  # 3*5*64 + 2*5*5*8 + 5*64

    assert count_macs(Attn(), 8, 5) == 5 * 5 * 16 + 3 * 5 * 64 + 2 * 5 * 5 * 8 + 5 * 64


def test_module_left_as_found():
    net = MicroBiConvLSTM(3, 4).train()
    before = {k: v.clone() for k, v in net.state_dict().items()}
    count_macs(net, 3, 32)
    assert net.training and all(m.training for m in net.modules())
    assert not net.lstm._forward_hooks
    for key, value in net.state_dict().items():
        assert torch.equal(value, before[key]), key  # BN running stats untouched


def test_independent_of_batch_norm_and_pooling_choices():
    no_pool = count_macs(MicroBiConvLSTM(9, 6, pool_sizes=(1, 1)), 9, 128)
    assert no_pool > 2.5 * count_macs(MicroBiConvLSTM(9, 6), 9, 128)  # paper: ~3x


@pytest.mark.parametrize("bad", [0, -1, 2.5, True])
def test_rejects_bad_sizes(bad):
    with pytest.raises(ValueError, match="positive int"):
        count_macs(MicroBiConvLSTM(3, 2), 3, bad)


def test_rejects_non_module():
    with pytest.raises(TypeError, match="torch.nn.Module"):
        count_macs(lambda x: x, 3, 32)
