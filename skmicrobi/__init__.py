"""skmicrobi: MicroBi-ConvLSTM activity recognition, from scikit-learn to an MCU."""

from skmicrobi.classifier import MicroBiClassifier
from skmicrobi.export import export_c
from skmicrobi.macs import count_macs
from skmicrobi.network import MicroBiConvLSTM, count_parameters
from skmicrobi.pipeline import WindowPipeline
from skmicrobi.quantization import Int8Quantizer
from skmicrobi.streaming import StreamingPredictor
from skmicrobi.windowing import SlidingWindowTransformer

__version__ = "0.1.0"

__all__ = [
    "Int8Quantizer",
    "MicroBiClassifier",
    "MicroBiConvLSTM",
    "SlidingWindowTransformer",
    "StreamingPredictor",
    "WindowPipeline",
    "__version__",
    "count_macs",
    "count_parameters",
    "export_c",
]
