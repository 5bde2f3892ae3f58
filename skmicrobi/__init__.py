"""skmicrobi: MicroBi-ConvLSTM human activity recognition for scikit-learn and microcontrollers."""

from skmicrobi.network import MicroBiConvLSTM, count_parameters

__version__ = "0.1.0"

__all__ = [
    "MicroBiConvLSTM",
    "__version__",
    "count_parameters",
]
