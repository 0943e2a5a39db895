"""The VM sizes a node pool may use: data from Microsoft's size pages, with each family's source and
the day it was checked (`data/vm_sizes.json`, rewritten by `tools/refresh_vm_sizes.py`). Pure.

Only what a page states is recorded: vCPUs, memory, the temporary disk's size, premium storage and
ephemeral OS disk support by series, and the CPU architecture that the size's name spells.
"""

from __future__ import annotations

import datetime
import difflib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "vm_sizes.json")


@dataclass(frozen=True)
class VmSize:
    name: str
    family: str
    vcpus: int
    memory_gb: float
    temp_disk_gib: int | None
    """None: the series has no local (temporary) disk."""
    premium_storage: bool
    ephemeral_os_disk: bool
    """Whether the series' page says it supports ephemeral OS disks."""
    architecture: str
    """x64 or Arm64."""
    source: str
    checked: datetime.date


@cache
def catalog() -> Mapping[str, VmSize]:
    """Every size of the vendored families, by name."""
    with open(DATA, encoding="utf-8") as handle:
        families = json.load(handle)["families"]
    sizes: dict[str, VmSize] = {}
    for family, data in families.items():
        for name, size in data["sizes"].items():
            sizes[name] = VmSize(name, family, int(size["vcpus"]), float(size["memoryGB"]), size["tempDiskGiB"],
                                 bool(data["premiumStorage"]), bool(data["ephemeralOsDisk"]), data["architecture"],
                                 data["source"], datetime.date.fromisoformat(data["checked"]))
    return sizes


def families() -> tuple[str, ...]:
    return tuple(sorted({size.family for size in catalog().values()}))


def lookup(name: str) -> VmSize | None:
    """A size by its name; Azure's size names are case-insensitive."""
    sizes = catalog()
    if name in sizes:
        return sizes[name]
    folded = {key.lower(): size for key, size in sizes.items()}
    return folded.get(name.lower())


def _series_letter(name: str) -> str:
    """The family letter a size's name starts with after `Standard_` (D, E, F, B ...), lower case."""
    return name.lower().removeprefix("standard_")[:1]


def nearest(name: str) -> str | None:
    """The catalogued size whose name is closest to `name`, for a did-you-mean, looked for only among sizes of
    the same family letter: a near name of another family (Standard_F4s_v2 -> Standard_B4s_v2) is a different
    machine, not a typo's fix."""
    letter = _series_letter(name)
    same = {key.lower(): key for key in catalog() if _series_letter(key) == letter}
    found = difflib.get_close_matches(name.lower(), list(same), n=1, cutoff=0.9)
    return same[found[0]] if found else None
