"""What machine and software produced a benchmark: recorded with every result."""

from __future__ import annotations

import os
import platform
import subprocess
import time
from importlib import metadata
from pathlib import Path

import torch

_PACKAGES = ("skmicrobi", "torch", "skorch", "scikit-learn", "sktime", "numpy", "numba")

#: fp32 multiply-accumulates per cycle and core, by widest SIMD FMA the CPU
#: advertises: two FMA pipes of 16 lanes (AVX-512) or 8 lanes (AVX2).
_FMA_LANES = (("avx512f", 32), ("fma", 16))


def _cpuinfo() -> dict[str, str]:
    info: dict[str, str] = {}
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return info
    for line in text.splitlines():
        key, _, value = line.partition(":")
        key = key.strip()
        if key and key not in info:
            info[key] = value.strip()
    return info


def cpu_model() -> str:
    """The CPU's marketing name (``/proc/cpuinfo`` or ``platform``)."""
    return _cpuinfo().get("model name") or platform.processor() or "unknown"


def cpu_peak_macs_per_s(threads: int | None = None) -> float | None:
    """Rough fp32 peak of ``threads`` cores: clock x FMA lanes, no turbo.

    A yardstick for "how much of the CPU does a forward pass use", not a
    measurement: it assumes two SIMD FMA pipes per core at the reported clock.
    """
    info = _cpuinfo()
    mhz = info.get("cpu MHz")
    flags = set(info.get("flags", "").split())
    if mhz is None:
        return None
    lanes = next((n for flag, n in _FMA_LANES if flag in flags), 1)
    threads = torch.get_num_threads() if threads is None else threads
    return float(mhz) * 1e6 * lanes * threads


def _git_commit() -> str | None:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=Path(__file__).parent, capture_output=True, text=True, timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def environment() -> dict:
    """Versions, CPU, threads, load and date, as one JSON-ready dict."""
    versions = {}
    for name in _PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return {
        "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "versions": versions,
        "cpu_model": cpu_model(),
        "logical_cpus": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "load_average": [round(v, 2) for v in os.getloadavg()],
        "git_commit": _git_commit(),
    }


def proc_status_bytes(field: str) -> int:
    """A size of this process from ``/proc/self/status`` (``VmRSS``, ``VmHWM``), bytes.

    Linux only; raises KeyError if the field is absent.
    """
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise KeyError(field)


def reset_peak_rss() -> None:
    """Set this process's peak RSS (``VmHWM``) to its current RSS.

    Linux >= 4.0, so that ``VmHWM`` read later is the peak of what ran since;
    raises OSError where ``/proc/self/clear_refs`` cannot be written.
    """
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
