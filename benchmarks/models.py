"""Baseline HAR networks and the estimators the benchmarks compare.

The three HAR baselines of the MicroBi-ConvLSTM paper are plain ``nn.Module``
ports, trained by :class:`~skmicrobi.MicroBiClassifier` through its ``module``
parameter (:func:`baseline_classifier`): same optimizer, schedule, clipping,
early stopping, standardisation and label handling as MicroBi, so a difference
in the table is a difference of the network.

* :class:`DeepConvLSTM`: the variant in the MicroBi paper's table (4 Conv1d of
  64 filters with batch norm, no pooling, 2-layer LSTM of 64): 132,038
  parameters on UCI-HAR, as the paper says.
* :class:`TinyHAR` and :class:`TinierHAR`: faithful ports of
  ``models/TinyHAR.py`` and ``models/TinierHAR.py`` of GitHub
  ``zhaxidele/TinierHAR`` (the reference code's ``(batch, 1, time, channels)``
  layout is built inside ``forward``; the per-time-step loop of TinyHAR's
  channel attention is batched, same arithmetic). Their widths are the ones
  that reproduce the paper's parameter counts: TinyHAR ``filter_num=24``
  (42,704 on UCI-HAR, exactly the paper's figure; the repository's yaml says
  20, which gives 29,828) and TinierHAR ``nb_filters=8``, two extra blocks,
  GRU 16 (17,053 vs the paper's 16,931, and 33.6K averaged over the paper's
  eight datasets vs its 33.5K; the yaml's 4 filters and 4 blocks give 9,589).

Every network takes raw values ``(batch, channels, time)`` and standardises
them with its ``input_mean``/``input_scale`` buffers, which the classifier sets.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from skmicrobi import MicroBiClassifier

#: Dropout of each baseline in its reference code (DeepConvLSTM: Ordonez and
#: Roggen 2016; TinyHAR/TinierHAR: the TinierHAR repository's defaults).
REFERENCE_DROPOUT = {"DeepConvLSTM": 0.5, "TinyHAR": 0.1, "TinierHAR": 0.3}


class _Standardised(nn.Module):
    """Base of the baselines: per-channel standardisation buffers, as MicroBi's."""

    def __init__(self, n_channels: int) -> None:
        super().__init__()
        self.register_buffer("input_mean", torch.zeros(n_channels))
        self.register_buffer("input_scale", torch.ones(n_channels))

    def standardise(self, x: torch.Tensor) -> torch.Tensor:
        return (x - self.input_mean[:, None]) / self.input_scale[:, None]


class DeepConvLSTM(_Standardised):
    """DeepConvLSTM as sized in the MicroBi paper: 4 convolutions, 2-layer LSTM.

    ``Conv1d(k=5, valid) -> BatchNorm1d -> ReLU`` four times with 64 filters
    (no pooling, as Ordonez and Roggen), a 2-layer LSTM of 64 units, dropout and
    a linear layer on the last step.

    Parameters
    ----------
    n_channels, n_classes : int
        Input channels and output classes.
    filters, kernel_size, lstm_hidden, lstm_layers : int
        Widths; the defaults give 132,038 parameters for ``C=9, K=6``.
    dropout : float, default=0.5
        Dropout before the linear layer.
    """

    def __init__(
        self,
        n_channels: int,
        n_classes: int,
        filters: int = 64,
        kernel_size: int = 5,
        lstm_hidden: int = 64,
        lstm_layers: int = 2,
        dropout: float = 0.5,
    ) -> None:
        super().__init__(n_channels)
        #: Shortest series it takes: one step left after four unpadded kernels.
        self.min_length = 4 * (kernel_size - 1) + 1
        layers = []
        in_ch = n_channels
        for _ in range(4):
            layers += [
                nn.Conv1d(in_ch, filters, kernel_size),
                nn.BatchNorm1d(filters),
                nn.ReLU(),
            ]
            in_ch = filters
        self.features = nn.Sequential(*layers)
        self.lstm = nn.LSTM(filters, lstm_hidden, lstm_layers, batch_first=True)
        self.dropout = nn.Dropout(dropout)
        self.classifier = nn.Linear(lstm_hidden, n_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.features(self.standardise(x))
        out, _ = self.lstm(x.transpose(1, 2))
        return self.classifier(self.dropout(out[:, -1]))


class _ChannelSelfAttention(nn.Module):
    """TinyHAR's ``SelfAttention_interaction``: attention across sensor channels."""

    def __init__(self, filters: int) -> None:
        super().__init__()
        self.query = nn.Linear(filters, filters, bias=False)
        self.key = nn.Linear(filters, filters, bias=False)
        self.value = nn.Linear(filters, filters, bias=False)
        self.gamma = nn.Parameter(torch.zeros(1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # x: (batch, sensor_channels, filters)
        f, g, h = self.query(x), self.key(x), self.value(x)
        # The reference normalises over dim=1 (the query index); kept as is.
        beta = F.softmax(torch.bmm(f, g.transpose(1, 2)), dim=1)
        o = self.gamma * torch.bmm(h.transpose(1, 2), beta) + x.transpose(1, 2)
        return o.transpose(1, 2)


class _TemporalWeightedAggregation(nn.Module):
    """TinyHAR's ``Temporal_Weighted_Aggregation``: last step + gated attention."""

    def __init__(self, hidden: int) -> None:
        super().__init__()
        self.fc_1 = nn.Linear(hidden, hidden)
        self.fc_2 = nn.Linear(hidden, 1, bias=False)
        self.gamma = nn.Parameter(torch.zeros(1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # x: (batch, steps, hidden)
        weights = F.softmax(self.fc_2(torch.tanh(self.fc_1(x))).squeeze(2), dim=1)
        context = torch.sum(weights.unsqueeze(2) * x, dim=1)
        return x[:, -1, :] + self.gamma * context


class TinyHAR(_Standardised):
    """TinyHAR (Zhou et al., ISWC 2022), ported from ``zhaxidele/TinierHAR``.

    Per-channel temporal convolutions (``Conv2d((5, 1))``, strides 1, 2, 1, 2,
    ``ReLU`` then ``BatchNorm2d``), self-attention across sensor channels at each
    step, a fully connected fusion of channels, an LSTM, and TinyHAR's
    temporal weighted aggregation.

    Parameters
    ----------
    n_channels, n_classes : int
        Input channels and output classes.
    filter_num : int, default=24
        Filters per convolution; 24 gives the paper's 42,704 for ``C=9, K=6``.
    nb_conv_layers : int, default=4
        Convolution layers (every second one has stride 2).
    filter_size : int, default=5
        Temporal kernel size.
    dropout : float, default=0.1
        Dropout after the channel attention.
    """

    def __init__(
        self,
        n_channels: int,
        n_classes: int,
        filter_num: int = 24,
        nb_conv_layers: int = 4,
        filter_size: int = 5,
        dropout: float = 0.1,
    ) -> None:
        super().__init__(n_channels)
        strides = [2 if i % 2 == 1 else 1 for i in range(nb_conv_layers)]
        #: Shortest series it takes: one step left after the unpadded convolutions
        #: (25 by default: 1 <- 5 <- 9 <- 21 <- 25 through strides 2, 1, 2, 1).
        self.min_length = 1
        for stride in reversed(strides):
            self.min_length = (self.min_length - 1) * stride + filter_size
        convs = []
        in_ch = 1
        for stride in strides:
            convs.append(
                nn.Sequential(
                    nn.Conv2d(in_ch, filter_num, (filter_size, 1), (stride, 1)),
                    nn.ReLU(),
                    nn.BatchNorm2d(filter_num),
                )
            )
            in_ch = filter_num
        self.layers_conv = nn.Sequential(*convs)
        self.channel_interaction = _ChannelSelfAttention(filter_num)
        self.dropout = nn.Dropout(dropout)
        self.channel_fusion = nn.Linear(n_channels * filter_num, 2 * filter_num)
        self.temporal_interaction = nn.LSTM(
            2 * filter_num, 2 * filter_num, batch_first=True
        )
        self.temporal_fusion = _TemporalWeightedAggregation(2 * filter_num)
        self.prediction = nn.Linear(2 * filter_num, n_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.standardise(x).transpose(1, 2).unsqueeze(1)  # (B, 1, T, C)
        x = self.layers_conv(x)  # (B, F, L, C)
        batch, filters, steps, channels = x.shape
        # Attention across channels at each step, all steps as one batch.
        x = x.permute(0, 2, 3, 1).reshape(batch * steps, channels, filters)
        x = self.channel_interaction(x).reshape(batch, steps, channels * filters)
        x = F.relu(self.channel_fusion(self.dropout(x)))
        x, _ = self.temporal_interaction(x)
        return self.prediction(self.temporal_fusion(x))


class _DepthwiseSeparableConv(nn.Module):
    def __init__(self, in_ch: int, out_ch: int, kernel_size: int) -> None:
        super().__init__()
        self.depthwise = nn.Conv2d(
            in_ch, in_ch, (kernel_size, 1), padding=(kernel_size // 2, 0), groups=in_ch
        )
        self.pointwise = nn.Conv2d(in_ch, out_ch, (1, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.pointwise(self.depthwise(x))


class _ResidualBlock(nn.Module):
    """TinierHAR's ``ConvBlock``: separable conv, BN, ReLU, pool, plus a shortcut."""

    def __init__(self, in_ch: int, out_ch: int, kernel_size: int, pool: bool) -> None:
        super().__init__()
        main = [
            _DepthwiseSeparableConv(in_ch, out_ch, kernel_size),
            nn.BatchNorm2d(out_ch),
            nn.ReLU(),
        ]
        shortcut: list[nn.Module] = []
        if in_ch != out_ch:
            shortcut += [nn.Conv2d(in_ch, out_ch, (1, 1)), nn.BatchNorm2d(out_ch)]
        if pool:
            main.append(nn.MaxPool2d((2, 1)))
            shortcut.append(nn.MaxPool2d((2, 1)))
        self.conv = nn.Sequential(*main)
        self.shortcut = nn.Sequential(*shortcut) if shortcut else nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv(x) + self.shortcut(x)


class TinierHAR(_Standardised):
    """TinierHAR (Bian et al., 2025), ported from ``zhaxidele/TinierHAR``.

    Residual depthwise-separable convolution blocks over each sensor channel
    (the first two halve time), a bidirectional GRU over the flattened
    (filters x channels) features, attention pooling over time, a linear head.

    Parameters
    ----------
    n_channels, n_classes : int
        Input channels and output classes.
    nb_filters : int, default=8
        Filters of the first block (later blocks have twice as many).
    nb_conv_blocks : int, default=2
        Extra blocks without pooling after the two pooling blocks.
    nb_units_gru : int, default=16
        GRU units per direction.
    dropout : float, default=0.3
        Dropout before the GRU.
    """

    def __init__(
        self,
        n_channels: int,
        n_classes: int,
        nb_filters: int = 8,
        nb_conv_blocks: int = 2,
        nb_units_gru: int = 16,
        dropout: float = 0.3,
    ) -> None:
        super().__init__(n_channels)
        #: Shortest series the two 2x pooling blocks take.
        self.min_length = 4
        blocks = [
            _ResidualBlock(1, nb_filters, 5, pool=True),
            _ResidualBlock(nb_filters, 2 * nb_filters, 5, pool=True),
        ]
        blocks += [
            _ResidualBlock(2 * nb_filters, 2 * nb_filters, 5, pool=False)
            for _ in range(nb_conv_blocks)
        ]
        self.conv_blocks = nn.Sequential(*blocks)
        self.dropout = nn.Dropout(dropout)
        self.gru = nn.GRU(
            2 * nb_filters * n_channels,
            nb_units_gru,
            bidirectional=True,
            batch_first=True,
        )
        self.attention = nn.Linear(2 * nb_units_gru, 1)
        self.classifier = nn.Linear(2 * nb_units_gru, n_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.standardise(x).transpose(1, 2).unsqueeze(1)  # (B, 1, T, C)
        x = self.conv_blocks(x)  # (B, F, T/4, C)
        batch, filters, steps, channels = x.shape
        x = x.permute(0, 2, 1, 3).reshape(batch, steps, filters * channels)
        x, _ = self.gru(self.dropout(x))
        weights = torch.softmax(self.attention(x), dim=1)
        return self.classifier(torch.sum(weights * x, dim=1))


#: The baseline networks by the name the benchmark tables use.
BASELINES = {"DeepConvLSTM": DeepConvLSTM, "TinyHAR": TinyHAR, "TinierHAR": TinierHAR}


def baseline_classifier(name: str, **params) -> MicroBiClassifier:
    """A :class:`~skmicrobi.MicroBiClassifier` training the baseline ``name``.

    The network is the classifier's ``module``, with the reference dropout of
    :data:`REFERENCE_DROPOUT` as its ``module_params``; ``params`` are the
    classifier's (training recipe, seeds, callbacks). Its MicroBi network
    parameters (``conv_channels``, ``dropout``, ...) are unused.
    """
    return MicroBiClassifier(
        module=BASELINES[name],
        module_params={"dropout": REFERENCE_DROPOUT[name]},
        **params,
    )


class ChannelsLastAdapter(nn.Module):
    """Feeds ``(batch, channels, time)`` to a network taking (batch, time, channels).

    sktime's torch classifiers transpose panels before their network; this lets
    :func:`skmicrobi.count_macs` count such a network like ours.
    """

    def __init__(self, network: nn.Module) -> None:
        super().__init__()
        self.network = network

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.network(x.transpose(1, 2))
