"""Writing the benchmarks' JSON results."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any


def write_json(path: Path, payload: Any, indent: int = 1, default=None) -> None:
    """Write ``payload`` as JSON to ``path`` atomically (a temporary file, renamed).

    A stopped benchmark never leaves a half-written results file; the temporary
    name carries the process id, so parallel writers do not share one.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".json.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(payload, indent=indent, default=default) + "\n")
    os.replace(tmp, path)
