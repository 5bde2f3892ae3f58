"""Multiply-accumulate operations per window, counted by running the network once.

``count_macs`` feeds one window of zeros through a PyTorch module and counts
the multiply-accumulates of every operation that has them:

* convolutions and linear layers (``F.conv1d``/``conv2d``/``conv3d`` and
  ``F.linear``, whether called by ``nn.Conv1d``/``nn.Linear`` or by hand),
  including grouped and depthwise convolutions;
* matrix products written in the forward code (``torch.matmul``, ``@``,
  ``bmm``, ``mm``, ``baddbmm``, ``addmm``, ``einsum``), which is how attention
  layers compute their scores and weighted sums, plus
  ``F.scaled_dot_product_attention`` and ``F.multi_head_attention_forward``;
* recurrent layers (``nn.LSTM``, ``nn.GRU``, ``nn.RNN``): per step and
  direction, ``gates * hidden * (input + hidden)``.

Element-wise work (biases, batch norm, activations, pooling, softmax, the gate
non-linearities) is not counted, following the convention of the MAC figures
in the HAR literature (and of the MicroBi-ConvLSTM paper, whose 420.1K MACs
for UCI-HAR this reproduces exactly).
"""

from __future__ import annotations

import math
import string

import torch
from torch import nn
from torch.overrides import TorchFunctionMode

#: Gates of each recurrent cell type: each gate is one input and one recurrent
#: matrix-vector product.
_RNN_GATES = {"LSTM": 4, "GRU": 3, "RNN_TANH": 1, "RNN_RELU": 1}


def count_macs(module: nn.Module, n_channels: int, n_timepoints: int) -> int:
    """Count the multiply-accumulates ``module`` spends on one window.

    The module is run once, in eval mode and without gradients, on a zero
    window of shape ``(1, n_channels, n_timepoints)``; its training mode is
    restored afterwards and its weights are left untouched.

    Parameters
    ----------
    module : torch.nn.Module
        A network taking ``(batch, channels, time)`` input, such as
        :class:`~skmicrobi.network.MicroBiConvLSTM` or the ``module_`` of a fitted
        :class:`~skmicrobi.MicroBiClassifier`.
    n_channels : int
        Channels of one window.
    n_timepoints : int
        Time points of one window.

    Returns
    -------
    int
        Multiply-accumulates for one window (convolutions, linear layers,
        matrix products and recurrent layers; element-wise work excluded).

    Examples
    --------
    >>> from skmicrobi import MicroBiConvLSTM, count_macs
    >>> count_macs(MicroBiConvLSTM(n_channels=9, n_classes=6), 9, 128)
    420128
    """
    if not isinstance(module, nn.Module):
        raise TypeError(
            f"module must be a torch.nn.Module, got {type(module).__name__}."
        )
    for name, value in (("n_channels", n_channels), ("n_timepoints", n_timepoints)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive int, got {value!r}.")

    param = next(module.parameters(), None)
    device = param.device if param is not None else torch.device("cpu")
    dtype = param.dtype if param is not None and param.is_floating_point() else None
    x = torch.zeros(1, n_channels, n_timepoints, device=device, dtype=dtype)

    counter = _MacCounter()
    modes = {m: m.training for m in module.modules()}
    handles = [
        m.register_forward_hook(counter.rnn_hook)
        for m in module.modules()
        if isinstance(m, nn.RNNBase)
    ]
    try:
        module.eval()
        with torch.no_grad(), counter:
            module(x)
    finally:
        for handle in handles:
            handle.remove()
        for m, training in modes.items():
            m.training = training
    return counter.total


class _MacCounter(TorchFunctionMode):
    """Adds up the MACs of the torch functions called inside its context."""

    def __init__(self) -> None:
        super().__init__()
        self.total = 0

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        out = func(*args, **kwargs)
        counter = _FUNCTION_MACS.get(getattr(func, "__name__", None))
        if counter is not None:
            self.total += int(counter(out, *args, **kwargs))
        return out

    def rnn_hook(self, module: nn.RNNBase, inputs, output) -> None:
        x = inputs[0]
        if isinstance(x, nn.utils.rnn.PackedSequence):
            steps, batch = int(x.batch_sizes.sum()), 1  # all (step, sequence) pairs
        elif x.dim() == 2:
            steps, batch = x.shape[0], 1  # unbatched (time, features)
        elif module.batch_first:
            batch, steps = x.shape[:2]
        else:
            steps, batch = x.shape[:2]
        gates = _RNN_GATES[module.mode]
        n_dir = 2 if module.bidirectional else 1
        hidden = module.hidden_size
        out_size = module.proj_size or hidden
        macs = 0
        for layer in range(module.num_layers):
            in_size = module.input_size if layer == 0 else n_dir * out_size
            per_step = gates * hidden * (in_size + out_size)
            if module.proj_size:
                per_step += hidden * module.proj_size
            macs += n_dir * per_step
        self.total += macs * steps * batch


def _conv(out, input, weight, *args, **kwargs):
    # weight is (out_channels, in_channels / groups, *kernel): each output
    # element is one dot product of that length.
    return out.numel() * math.prod(weight.shape[1:])


def _linear(out, input, weight, *args, **kwargs):
    return out.numel() * weight.shape[-1]


def _matmul(out, a, b, *args, **kwargs):
    # Every output element of A @ B is a dot product over A's last dimension.
    return out.numel() * (a.shape[-1] if a.dim() > 0 else 1)


def _addmm(out, bias, a, b, *args, **kwargs):
    return out.numel() * a.shape[-1]


def _einsum(out, equation, *operands, **kwargs):
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = operands[0]
    if len(operands) < 2:
        return 0
    inputs = equation.replace(" ", "").split("->")[0].split(",")
    sizes: dict[str, int] = {}
    for labels, tensor in zip(inputs, operands):
        labels = labels.replace("...", "")
        # Ellipsis dimensions are the leading ones not named by letters.
        n_ellipsis = tensor.dim() - len(labels)
        for i in range(n_ellipsis):
            sizes[string.digits[i % 10] + str(i)] = tensor.shape[i]
        for label, size in zip(labels, tensor.shape[n_ellipsis:]):
            sizes[label] = size
    # A contraction of several operands costs one MAC per point of the joint
    # index space, per extra operand.
    return math.prod(sizes.values()) * (len(operands) - 1)


def _sdpa(out, query, key, value, *args, **kwargs):
    batch = math.prod(query.shape[:-2])
    q_len, dim = query.shape[-2:]
    k_len, v_dim = key.shape[-2], value.shape[-1]
    return batch * q_len * k_len * (dim + v_dim)


def _mha(out, query, key, value, embed_dim, num_heads, *args, **kwargs):
    # nn.MultiheadAttention runs as one function: projections of q, k, v,
    # scores, weighted sum and the output projection.
    batched = query.dim() == 3
    q_len = query.shape[0]
    k_len = key.shape[0]
    batch = query.shape[1] if batched else 1
    kdim, vdim = key.shape[-1], value.shape[-1]
    proj = q_len * embed_dim * embed_dim + k_len * embed_dim * (kdim + vdim)
    attention = 2 * q_len * k_len * embed_dim
    out_proj = q_len * embed_dim * embed_dim
    return batch * (proj + attention + out_proj)


_FUNCTION_MACS = {
    "conv1d": _conv,
    "conv2d": _conv,
    "conv3d": _conv,
    "linear": _linear,
    "matmul": _matmul,
    "__matmul__": _matmul,
    "__rmatmul__": lambda out, a, b, *r, **k: _matmul(out, b, a),
    "bmm": _matmul,
    "mm": _matmul,
    "baddbmm": _addmm,
    "addmm": _addmm,
    "einsum": _einsum,
    "scaled_dot_product_attention": _sdpa,
    "multi_head_attention_forward": _mha,
}

__all__ = ["count_macs"]
