"""skmicrobi: MicroBi-ConvLSTM activity recognition, from scikit-learn to an MCU."""

from skmicrobi.classifier import MicroBiClassifier
from skmicrobi.network import MicroBiConvLSTM, count_parameters

__version__ = "0.1.0"

__all__ = [
    "MicroBiClassifier",
    "MicroBiConvLSTM",
    "__version__",
    "count_parameters",
]
