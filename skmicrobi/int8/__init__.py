"""Integer-only MicroBi-ConvLSTM engine in numpy: the specification of the arithmetic.

The functions here compute, on whole batches, exactly the integers that the C code
from :func:`skmicrobi.export_c` computes for one window; the formulas are in
:mod:`skmicrobi.int8.build`.
"""

from skmicrobi.int8.build import build_integer_model, to_integer_input
from skmicrobi.int8.engine import integer_features, predict_logits
from skmicrobi.int8.fixedpoint import (
    SIGMOID_TABLE,
    quantize_multiplier,
    requantize,
    saturate,
    sigmoid_q15,
    tanh_q15,
)
from skmicrobi.int8.layers import (
    conv_stage,
    linear_head,
    lstm_cell,
    lstm_direction,
    lstm_gates,
)
from skmicrobi.int8.model import ConvStage, IntegerMicroBi, LSTMDirection

__all__ = [
    "SIGMOID_TABLE",
    "build_integer_model",
    "to_integer_input",
    "ConvStage",
    "IntegerMicroBi",
    "LSTMDirection",
    "conv_stage",
    "integer_features",
    "linear_head",
    "lstm_cell",
    "lstm_direction",
    "lstm_gates",
    "predict_logits",
    "quantize_multiplier",
    "requantize",
    "saturate",
    "sigmoid_q15",
    "tanh_q15",
]
