"""What the benchmarks share: the line naming the machine their figures come from, a timed
process, and the way a figure is printed (the median of its rounds)."""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import time
from collections.abc import Iterable

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def machine() -> str:
    return f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def timed(command: list[str], check: bool = True) -> float:
    """Seconds a process takes, run from the project's root with its output discarded."""
    start = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=check, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def median(label: str, seconds: Iterable[float], target: str | None = None, digits: int = 2) -> str:
    line = f"{label}: median {statistics.median(seconds):.{digits}f} s"
    return f"{line} (target {target})" if target else line
