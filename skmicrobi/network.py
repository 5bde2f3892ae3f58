"""MicroBi-ConvLSTM, the network of arXiv 2602.06523, as a plain PyTorch module.

The default arguments reproduce the author's reference model exactly
(``models/microBiConvLstm.py``): two ``Conv1d -> BatchNorm1d -> ReLU -> MaxPool1d(2)``
stages of 16 filters with kernel 5, one bidirectional LSTM layer of 24 hidden
units per direction, dropout and a linear classifier. Its parameter count is
``80 * C + 9440 + 49 * K`` for ``C`` input channels and ``K`` classes.

The paper's ablations are arguments, not copies of the class:

======================  ===============================================
ablation                arguments
======================  ===============================================
no max-pooling          ``pool_sizes=(1, 1)``
unidirectional LSTM     ``bidirectional=False``
single conv stage       ``conv_channels=(16,), pool_sizes=(4,)``
mean over time          ``reduction="mean"``
======================  ===============================================
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

#: How the LSTM outputs over time are reduced to one feature vector.
REDUCTIONS = ("final", "last", "mean")


class MicroBiConvLSTM(nn.Module):
    """Two convolution stages, temporal pooling, one (bi)LSTM layer, a linear head.

    Parameters
    ----------
    n_channels : int
        Number of input channels ``C``.
    n_classes : int
        Number of output classes ``K``.
    conv_channels : sequence of int, default=(16, 16)
        Filters of each convolution stage; its length is the number of stages.
    kernel_size : int, default=5
        Odd kernel size of every convolution (``same`` padding).
    pool_sizes : sequence of int, default=(2, 2)
        Max-pooling factor after each stage (same length as ``conv_channels``);
        ``1`` disables pooling for that stage.
    lstm_hidden : int, default=24
        Hidden units per LSTM direction.
    bidirectional : bool, default=True
        Whether the LSTM runs in both directions.
    dropout : float, default=0.15
        Dropout probability before the linear layer.
    reduction : {"final", "last", "mean"}, default="final"
        How LSTM outputs are turned into one vector per window.
        ``"final"`` concatenates the forward direction's final state with the
        backward direction's final state (which has seen the whole window);
        ``"last"`` takes the output at the last time step, as the paper's
        reference does (so its backward half has seen one step only);
        ``"mean"`` averages outputs over time (the paper's ablation).

    Notes
    -----
    The module maps raw sensor values to logits: its buffers ``input_mean`` and
    ``input_scale`` (one value per channel, identity by default) standardise the
    input first. They hold no trainable parameters; the classifier sets them
    from the training data and the INT8 quantizer folds them into the first
    convolution.

    Examples
    --------
    >>> import torch
    >>> from skmicrobi.network import MicroBiConvLSTM, count_parameters
    >>> net = MicroBiConvLSTM(n_channels=9, n_classes=6)
    >>> count_parameters(net)
    10454
    >>> net(torch.zeros(2, 9, 128)).shape
    torch.Size([2, 6])
    """

    def __init__(
        self,
        n_channels: int,
        n_classes: int,
        conv_channels: Sequence[int] = (16, 16),
        kernel_size: int = 5,
        pool_sizes: Sequence[int] = (2, 2),
        lstm_hidden: int = 24,
        bidirectional: bool = True,
        dropout: float = 0.15,
        reduction: str = "final",
    ) -> None:
        super().__init__()
        n_channels = _check_positive_int(n_channels, "n_channels")
        n_classes = _check_positive_int(n_classes, "n_classes")
        conv_channels = _check_stage_sizes(conv_channels, "conv_channels")
        pool_sizes = _check_stage_sizes(pool_sizes, "pool_sizes")
        kernel_size = _check_positive_int(kernel_size, "kernel_size")
        lstm_hidden = _check_positive_int(lstm_hidden, "lstm_hidden")
        if len(conv_channels) != len(pool_sizes):
            raise ValueError(
                f"conv_channels {conv_channels} and pool_sizes {pool_sizes} must "
                "have the same length: one pooling factor per convolution stage."
            )
        if kernel_size % 2 != 1:
            raise ValueError(
                f"kernel_size must be odd for 'same' padding, got {kernel_size}."
            )
        if reduction not in REDUCTIONS:
            raise ValueError(
                f"reduction must be one of {REDUCTIONS}, got {reduction!r}."
            )
        self.n_channels = int(n_channels)
        self.n_classes = int(n_classes)
        self.conv_channels = conv_channels
        self.kernel_size = int(kernel_size)
        self.pool_sizes = pool_sizes
        self.lstm_hidden = int(lstm_hidden)
        self.bidirectional = bool(bidirectional)
        self.reduction = reduction

        self.register_buffer("input_mean", torch.zeros(self.n_channels))
        self.register_buffer("input_scale", torch.ones(self.n_channels))
        stages = []
        in_ch = self.n_channels
        for out_ch, pool in zip(conv_channels, pool_sizes):
            layers = [
                nn.Conv1d(in_ch, out_ch, kernel_size, padding=kernel_size // 2),
                nn.BatchNorm1d(out_ch),
                nn.ReLU(),
            ]
            if pool > 1:
                layers.append(nn.MaxPool1d(pool))
            stages.append(nn.Sequential(*layers))
            in_ch = out_ch
        self.features = nn.Sequential(*stages)
        self.lstm = nn.LSTM(
            in_ch, self.lstm_hidden, batch_first=True, bidirectional=self.bidirectional
        )
        self.dropout = nn.Dropout(dropout)
        n_dir = 2 if self.bidirectional else 1
        self.classifier = nn.Linear(n_dir * self.lstm_hidden, self.n_classes)
        self.reset_parameters()

    @property
    def min_length(self) -> int:
        """Shortest input series the pooling stages accept (their product)."""
        product = 1
        for pool in self.pool_sizes:
            product *= pool
        return product

    def reset_parameters(self) -> None:
        """Initialise weights as the reference code does."""
        for module in self.modules():
            if isinstance(module, nn.Conv1d):
                nn.init.kaiming_normal_(
                    module.weight, mode="fan_out", nonlinearity="relu"
                )
                nn.init.zeros_(module.bias)
            elif isinstance(module, nn.BatchNorm1d):
                nn.init.ones_(module.weight)
                nn.init.zeros_(module.bias)
            elif isinstance(module, nn.Linear):
                nn.init.xavier_uniform_(module.weight)
                nn.init.zeros_(module.bias)
        hidden = self.lstm_hidden
        for name, param in self.lstm.named_parameters():
            if name.startswith("weight_ih"):
                nn.init.xavier_uniform_(param)
            elif name.startswith("weight_hh"):
                nn.init.orthogonal_(param)
            elif name.startswith("bias"):
                nn.init.zeros_(param)
                # PyTorch gate order is (input, forget, cell, output); the
                # reference sets the forget-gate bias to 1.
                if name.startswith("bias_ih"):
                    param.data[hidden : 2 * hidden].fill_(1.0)

    def embed(self, x: torch.Tensor) -> torch.Tensor:
        """Return the reduced LSTM features ``(batch, n_dir * lstm_hidden)``."""
        x = (x - self.input_mean[:, None]) / self.input_scale[:, None]
        x = self.features(x)  # (batch, channels, steps)
        out, (h_n, _) = self.lstm(x.transpose(1, 2))
        if self.reduction == "last":
            return out[:, -1, :]
        if self.reduction == "mean":
            return out.mean(dim=1)
        # "final": h_n is (n_dir, batch, hidden); the backward direction's final
        # state is its state after reading the window from the end to step 0.
        return h_n.transpose(0, 1).reshape(x.shape[0], -1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Map a batch ``(batch, channels, time)`` of raw values to logits."""
        return self.classifier(self.dropout(self.embed(x)))


def _check_positive_int(value: object, name: str) -> int:
    """``value`` as an int, if it is an integer >= 1 (not a float or a bool).

    Parameters
    ----------
    value : object
        The value to check.
    name : str
        Its parameter name, for the message.

    Returns
    -------
    int
        ``value``.

    Raises
    ------
    ValueError
        If ``value`` is not an integer >= 1.

    Examples
    --------
    >>> from skmicrobi.network import _check_positive_int
    >>> _check_positive_int(3, "kernel_size")
    3
    """
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} must be an integer >= 1, got {value!r}.")
    if value < 1:
        raise ValueError(f"{name} must be an integer >= 1, got {value!r}.")
    return int(value)


def _check_stage_sizes(values: Sequence[int], name: str) -> tuple[int, ...]:
    """One integer >= 1 per convolution stage, at least one stage.

    ``pool_sizes=(0, 2)`` used to mean "no pooling" and ``(2.5, 2)`` pooling by
    2; both are refused, as is a ``conv_channels`` entry of 0.

    Parameters
    ----------
    values : sequence of int
        ``conv_channels`` or ``pool_sizes``.
    name : str
        Which of the two, for the message.

    Returns
    -------
    tuple of int
        ``values``.

    Raises
    ------
    ValueError
        If ``values`` is empty or holds anything but integers >= 1.

    Examples
    --------
    >>> from skmicrobi.network import _check_stage_sizes
    >>> _check_stage_sizes([16, 16], "conv_channels")
    (16, 16)
    """
    try:
        values = tuple(values)
    except TypeError:
        raise ValueError(
            f"{name} must be a sequence of integers >= 1, got {values!r}."
        ) from None
    if not values:
        raise ValueError(f"{name} must have one entry per convolution stage (>= 1).")
    for value in values:
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise ValueError(
                f"{name} must hold integers >= 1, got {values!r}: {value!r} is not "
                "an integer."
            )
        if value < 1:
            hint = " (1 means no pooling)" if name == "pool_sizes" else ""
            raise ValueError(f"{name} must hold integers >= 1{hint}, got {values!r}.")
    return tuple(int(v) for v in values)


def count_parameters(module: nn.Module) -> int:
    """Number of trainable parameters of ``module``.

    Parameters
    ----------
    module : torch.nn.Module
        Any PyTorch module.

    Returns
    -------
    int
        Sum of the element counts of its parameters that require gradients.

    Examples
    --------
    >>> from skmicrobi.network import MicroBiConvLSTM, count_parameters
    >>> count_parameters(MicroBiConvLSTM(9, 6, bidirectional=False))
    6278
    """
    return sum(p.numel() for p in module.parameters() if p.requires_grad)
