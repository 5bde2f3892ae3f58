"""The integer model: the constants the engine and the C export share."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from skmicrobi.int8.fixedpoint import SIGMOID_TABLE

#: The C export stores every weight row (a conv stage's ``in_channels *
#: kernel_size`` taps, an LSTM gate row's ``input_size + hidden`` weights) padded
#: with zeros to a multiple of this: the kernels read four int8 weights as one
#: 32-bit word (two SXTB16 give two pairs for SMLAD on Arm) and need no scalar
#: remainder loop.
ROW_MULTIPLE = 4


def padded_row(n_weights: int) -> int:
    """Length of a weight row of ``n_weights`` as the C export stores it."""
    return -(-n_weights // ROW_MULTIPLE) * ROW_MULTIPLE


def padded_taps(stage: ConvStage) -> int:
    """Length of one conv weight row as the C export stores it."""
    return padded_row(stage.weight.shape[1] * stage.weight.shape[2])


def padded_lstm_row(n_inputs: int, hidden_size: int) -> int:
    """Length of one LSTM gate row ``[W_ih | W_hh]`` as the C export stores it.

    The C code takes its dot product with ``[x_t, h]`` zero-padded to this length.
    """
    return padded_row(n_inputs + hidden_size)


@dataclass(frozen=True)
class ConvStage:
    """One ``Conv1d -> BatchNorm -> ReLU -> MaxPool`` stage with BatchNorm folded in.

    Attributes
    ----------
    weight : ndarray of int8, shape (out_channels, in_channels, kernel_size)
    bias : ndarray of int32, shape (out_channels,)
        At the accumulator scale ``weight_scale[o]``, with the input zero point
        folded in: ``round(b'[o] / weight_scale[o]) - sum_{c,k} weight[o, c, k] *
        input_zero_point[c]``.
    input_zero_point : ndarray of int32, shape (in_channels,)
        Integer that stands for real 0 on each input channel; the stage pads
        with it. Per channel for the int16 model input (it carries the folded
        input mean), one repeated value for int8 activations.
    multiplier, shift : ndarray of int16 / int8, shape (out_channels,)
        Fixed-point ``weight_scale[o] / output_scale``.
    output_zero_point : int
        Int8 code of real 0 at the output; ReLU clamps to it.
    pool : int
        Max-pooling factor (1: none).
    weight_scale : ndarray of float64, shape (out_channels,)
        Real value of one accumulator unit (documentation and tests only).
    output_scale : float
        Real value of one output step (documentation and tests only).
    """

    weight: np.ndarray
    bias: np.ndarray
    input_zero_point: np.ndarray
    multiplier: np.ndarray
    shift: np.ndarray
    output_zero_point: int
    pool: int
    weight_scale: np.ndarray
    output_scale: float


@dataclass(frozen=True)
class LSTMDirection:
    """One LSTM direction; input and recurrent weights share one scale per gate row.

    Attributes
    ----------
    weight_ih : ndarray of int8, shape (4 * hidden, input_size)
        Gate rows in PyTorch's order (input, forget, cell, output).
    weight_hh : ndarray of int8, shape (4 * hidden, hidden)
    bias : ndarray of int32, shape (4 * hidden,)
        ``b_ih + b_hh`` at the accumulator scale of each row, with the input zero
        point folded in (``- z_x * sum_i weight_ih[g, i]``).
    multiplier : ndarray of int16, shape (4 * hidden,)
        ``round(row_scale[g] * 2**12 * 2**shift)``, in ``[0, 32767]``: with the
        shift, the fixed-point factor from accumulator to Q3.12.
    shift : int
        One shift for the whole direction, chosen so that ``acc * multiplier +
        2**(shift - 1)`` fits int32 for every reachable accumulator (the C code
        computes it in 32 bits, four rows at a time).
    reverse : bool
        True for the backward direction.
    row_scale : ndarray of float64, shape (4 * hidden,)
        Real value of one accumulator unit (documentation and tests only).
    """

    weight_ih: np.ndarray
    weight_hh: np.ndarray
    bias: np.ndarray
    multiplier: np.ndarray
    shift: int
    reverse: bool
    row_scale: np.ndarray


@dataclass(frozen=True)
class IntegerMicroBi:
    """A MicroBi-ConvLSTM in integers, as built by :class:`~skmicrobi.Int8Quantizer`.

    Attributes
    ----------
    n_channels, n_timepoints : int
        Shape of one input window ``(n_channels, n_timepoints)`` of int16.
    input_scale : ndarray of float64, shape (n_channels,)
        Real value of one input step per channel: ``x = input_scale[c] * in[c]``.
    convs : tuple of ConvStage
    lstm : tuple of LSTMDirection
        One or two directions (forward first).
    lstm_input_zero_point : int
        Zero point of the last stage's int8 output, which the LSTM reads.
    lstm_input_scale : float
    hidden_multiplier, hidden_shift : int
        Fixed-point ``2**-14 / hidden_scale``: the Q14 product
        ``(o * tanh(c)) >> 16`` to int8.
    hidden_scale : float
        Real value of one step of the int8 hidden state (zero point 0).
    reduction : {"final", "last", "mean"}
    head_weight : ndarray of int8, shape (n_classes, n_features)
    head_bias : ndarray of int32, shape (n_classes,)
    logit_scale : float
        Real value of one step of the int32 logits (one scale for all classes, so
        the argmax needs no rescaling).
    input_bits : {16, 8}
        Width of the integer input: int16 windows, or int8 windows (half the
        RAM for the window on a microcontroller, coarser input steps).
    """

    n_channels: int
    n_timepoints: int
    input_scale: np.ndarray
    convs: tuple[ConvStage, ...]
    lstm: tuple[LSTMDirection, ...]
    lstm_input_zero_point: int
    lstm_input_scale: float
    hidden_multiplier: int
    hidden_shift: int
    hidden_scale: float
    reduction: str
    head_weight: np.ndarray
    head_bias: np.ndarray
    logit_scale: float
    input_bits: int = 16

    @property
    def hidden_size(self) -> int:
        """Hidden units per direction."""
        return self.lstm[0].weight_hh.shape[1]

    @property
    def n_classes(self) -> int:
        """Number of logits."""
        return self.head_weight.shape[0]

    @property
    def stage_lengths(self) -> tuple[int, ...]:
        """Time length entering each conv stage, then entering the LSTM."""
        lengths = [self.n_timepoints]
        for stage in self.convs:
            lengths.append(lengths[-1] // stage.pool)
        return tuple(lengths)

    def memory_bytes(self) -> dict[str, int]:
        """Bytes of constant data, grouped as the C export stores them.

        Returns
        -------
        dict
            ``weights_bytes`` (int8 weights, rows padded to
            :data:`ROW_MULTIPLE`),
            ``biases_bytes`` (int32),
            ``scales_bytes`` (per-row multipliers and shifts, the input zero
            points), ``tables_bytes``
            (the sigmoid table) and ``total_bytes`` (their sum).
        """
        weights = sum(s.weight.shape[0] * padded_taps(s) for s in self.convs)
        n_in = self.lstm[0].weight_ih.shape[1]
        row = padded_lstm_row(n_in, self.hidden_size)
        weights += sum(d.weight_ih.shape[0] * row for d in self.lstm)
        weights += self.head_weight.size
        biases = 4 * (
            sum(s.bias.size for s in self.convs)
            + sum(d.bias.size for d in self.lstm)
            + self.head_bias.size
        )
        # int16 multiplier + int8 shift per conv row, int16 multiplier per LSTM
        # row, int16 input zero point per channel. The per-layer integers (a
        # direction's shift, later stages' zero points, the hidden state's
        # multiplier) are fields of the C model's layer descriptors, counted
        # with them in the compiled object, not here.
        scales = sum(3 * s.multiplier.size for s in self.convs)
        scales += sum(2 * d.multiplier.size for d in self.lstm)
        scales += 2 * self.n_channels
        tables = SIGMOID_TABLE.nbytes
        return {
            "weights_bytes": int(weights),
            "biases_bytes": int(biases),
            "scales_bytes": int(scales),
            "tables_bytes": int(tables),
            "total_bytes": int(weights + biases + scales + tables),
        }
