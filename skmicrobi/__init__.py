"""skmicrobi: MicroBi-ConvLSTM activity recognition, from scikit-learn to an MCU.

The public names are imported on first use (PEP 562), so that ``import
skmicrobi`` and the ``skmicrobi`` command's ``--help`` do not wait for torch,
scikit-learn and sktime to load.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from skmicrobi.classifier import MicroBiClassifier
    from skmicrobi.export import export_c
    from skmicrobi.macs import count_macs
    from skmicrobi.network import MicroBiConvLSTM, count_parameters
    from skmicrobi.pipeline import WindowPipeline
    from skmicrobi.quantization import Int8Quantizer
    from skmicrobi.sktime_classifier import MicroBiSktimeClassifier
    from skmicrobi.streaming import StreamingPredictor
    from skmicrobi.windowing import SlidingWindowTransformer

__version__ = "0.1.0"

#: Public name -> the module that defines it.
_LAZY = {
    "Int8Quantizer": "skmicrobi.quantization",
    "MicroBiClassifier": "skmicrobi.classifier",
    "MicroBiConvLSTM": "skmicrobi.network",
    "MicroBiSktimeClassifier": "skmicrobi.sktime_classifier",
    "SlidingWindowTransformer": "skmicrobi.windowing",
    "StreamingPredictor": "skmicrobi.streaming",
    "WindowPipeline": "skmicrobi.pipeline",
    "count_macs": "skmicrobi.macs",
    "count_parameters": "skmicrobi.network",
    "export_c": "skmicrobi.export",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'skmicrobi' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later look-ups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "Int8Quantizer",
    "MicroBiClassifier",
    "MicroBiConvLSTM",
    "MicroBiSktimeClassifier",
    "SlidingWindowTransformer",
    "StreamingPredictor",
    "WindowPipeline",
    "__version__",
    "count_macs",
    "count_parameters",
    "export_c",
]
