"""AKS's Kubernetes minors and their lifecycle. Data, with its source and the day it was checked.

Source: the AKS Kubernetes release calendar,
https://learn.microsoft.com/azure/aks/supported-kubernetes-versions#aks-kubernetes-release-calendar,
read with the 2026-11 audit (1.33 left AKS support in July 2026; 1.34 leaves it in November
2026). AKS supports a minor for 12 months from its AKS GA; after that it is in platform support,
where no new cluster can be created. The calendar gives months: a minor counts as ended from the
first day of its end-of-life month, the cautious reading. Add a row when AKS ships a minor.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

CHECKED = "2026-11-28"
WARN_DAYS = 60
"""A version that ends within this many days gets a finding: plan the upgrade."""


@dataclass(frozen=True)
class Minor:
    ga: datetime.date
    """AKS general availability."""
    end_of_life: datetime.date
    """End of AKS community support: from then on, clusters of it cannot be created. (Long-term
    support on the Premium tier extends some minors; the project does not count on it.)"""


def _month(text: str) -> datetime.date:
    year, month = text.split("-")
    return datetime.date(int(year), int(month), 1)


MINORS: dict[str, Minor] = {
    "1.31": Minor(_month("2024-11"), _month("2025-11")),
    "1.32": Minor(_month("2025-04"), _month("2026-03")),
    "1.33": Minor(_month("2025-07"), _month("2026-07")),
    "1.34": Minor(_month("2025-11"), _month("2026-11")),
    "1.35": Minor(_month("2026-03"), _month("2027-03")),
    "1.36": Minor(_month("2026-07"), _month("2027-07")),
}


def creatable(on: datetime.date) -> list[str]:
    """The minors AKS creates clusters of on a day."""
    return [minor for minor, life in MINORS.items() if life.ga <= on < life.end_of_life]
