"""Dated facts about what AKS supports and until when: one table, each row with the page it comes
from and the day it was last checked against that page. Data, pure, no Pulumi.

- `MINORS`: the Kubernetes minors of the AKS release calendar, with AKS GA and end of life.
- `RETIREMENTS`: other things a stack can choose that have an announced end (the application
  routing add-on's NGINX, kubenet, Azure Network Policy Manager on Linux), with Microsoft's
  migration for each.

The rules over this table are `aksnet.rules.lifecycle` (and the version rules); `make check-dates`
(`tools.check_dates`) fails when a row was checked more than `STALE_AFTER_DAYS` before today.
How to refresh it: docs/lifecycle.md.
"""

from __future__ import annotations

import calendar
import datetime
import os
from collections.abc import Mapping
from dataclasses import dataclass

STALE_AFTER_DAYS = 60
"""A row checked longer ago than this is stale: `make check-dates` fails, and the preview says so."""
WARN_DAYS = 60
"""A Kubernetes minor that ends within this many days gets the ending-soon finding: plan the upgrade."""
TODAY_VARIABLE = "AKSNET_TODAY"
"""When set (YYYY-MM-DD), the day the stack is judged on instead of the calendar's: the tests pin
it, and a reviewer can ask "would this stack still pass on 2027-05-01?"."""


@dataclass(frozen=True)
class Checked:
    """Where a fact comes from and the day someone last read it there."""

    source: str
    on: datetime.date

    def age(self, today: datetime.date) -> int:
        return (today - self.on).days

    def stale(self, today: datetime.date) -> bool:
        return self.age(today) > STALE_AFTER_DAYS

    @property
    def due(self) -> datetime.date:
        """The last day on which the check is not stale yet."""
        return self.on + datetime.timedelta(days=STALE_AFTER_DAYS)


@dataclass(frozen=True)
class Minor:
    ga: datetime.date
    """AKS general availability: the first day of the calendar's AKS GA month."""
    end_of_life: datetime.date
    """End of AKS community support: from this day on, no cluster of it can be created. The
    calendar's months mean their last day ("Mar 2026 indicates March 31, 2026"). Long-term support
    on the Premium tier extends some minors; the project does not count on it."""
    checked: Checked


@dataclass(frozen=True)
class Retirement:
    """Something a stack can choose whose support ends on an announced day."""

    what: str
    """What it is, in the stack's words."""
    ends: datetime.date
    """The announced end of support: from this day on it is out of support (a month the source
    names counts as its last day, as the release calendar reads its months)."""
    migration: str
    """What Microsoft says to move to."""
    guide: str
    """Microsoft's migration guide."""
    checked: Checked

    def ended(self, today: datetime.date) -> bool:
        return today >= self.ends


def _ga(month: str) -> datetime.date:
    year, number = (int(part) for part in month.split("-"))
    return datetime.date(year, number, 1)


def _end_of(month: str) -> datetime.date:
    year, number = (int(part) for part in month.split("-"))
    return datetime.date(year, number, calendar.monthrange(year, number)[1])


CALENDAR = Checked("https://learn.microsoft.com/azure/aks/supported-kubernetes-versions"
                   "#aks-kubernetes-release-calendar-and-upcoming-versions", datetime.date(2026, 12, 7))
"""Read on 2026-12-07 (the page's revision of 2026-08-05): 1.37's AKS GA was planned for October 2026."""

MINORS: dict[str, Minor] = {
    # 1.31 is in the page's LTS table only, with an explicit end of community support: Nov 1, 2025.
    "1.31": Minor(_ga("2024-11"), datetime.date(2025, 11, 1), CALENDAR),
    "1.32": Minor(_ga("2025-04"), _end_of("2026-03"), CALENDAR),
    "1.33": Minor(_ga("2025-06"), _end_of("2026-07"), CALENDAR),
    "1.34": Minor(_ga("2025-11"), _end_of("2026-11"), CALENDAR),
    "1.35": Minor(_ga("2026-03"), _end_of("2027-03"), CALENDAR),
    "1.36": Minor(_ga("2026-06"), _end_of("2027-06"), CALENDAR),
    "1.37": Minor(_ga("2026-10"), _end_of("2027-10"), CALENDAR),
}
"""Add a row when the calendar lists a new minor; keep the rows in order."""


_NGINX_MIGRATION = "https://learn.microsoft.com/azure/aks/app-routing-nginx-to-gateway-api-migration"
APP_ROUTING_NGINX = Retirement(
    "the application routing add-on's NGINX ingress",
    # "official support for critical security patches ... through November 2026"
    _end_of("2026-11"),
    "the application routing Gateway API implementation (GatewayClass approuting-istio), or Application "
    "Gateway for Containers",
    _NGINX_MIGRATION, Checked(_NGINX_MIGRATION, datetime.date(2026, 12, 7)))
KUBENET = Retirement(
    "kubenet",
    datetime.date(2028, 3, 31),  # "On 31 March 2028, kubenet networking for AKS will be retired"
    "Azure CNI Overlay (networkPlugin azure, networkPluginMode overlay)",
    "https://learn.microsoft.com/azure/aks/upgrade-azure-cni",
    Checked("https://learn.microsoft.com/azure/aks/use-network-policies", datetime.date(2026, 12, 7)))
AZURE_NPM_LINUX = Retirement(
    "Azure Network Policy Manager on Linux nodes",
    datetime.date(2028, 9, 30),  # "On 30 September 2028, we'll end support for Azure NPM on Linux nodes"
    "Cilium network policy (networkDataplane cilium, networkPolicy cilium)",
    "https://learn.microsoft.com/azure/aks/migrate-from-npm-to-cilium-network-policy",
    Checked("https://learn.microsoft.com/azure/aks/use-network-policies", datetime.date(2026, 12, 7)))

RETIREMENTS: tuple[Retirement, ...] = (APP_ROUTING_NGINX, KUBENET, AZURE_NPM_LINUX)


def checks() -> tuple[Checked, ...]:
    """Every distinct source of the table with its check date."""
    return tuple(dict.fromkeys([*(m.checked for m in MINORS.values()), *(r.checked for r in RETIREMENTS)]))


def creatable(on: datetime.date) -> list[str]:
    """The minors AKS creates clusters of on a day."""
    return [minor for minor, life in MINORS.items() if life.ga <= on < life.end_of_life]


def judging_day(environ: Mapping[str, str] = os.environ) -> datetime.date:
    """The day support windows are judged on: `AKSNET_TODAY` when set, else the calendar's. The one
    place the clock is read; the rules receive the day as an input."""
    pinned = environ.get(TODAY_VARIABLE)
    if not pinned:
        return datetime.date.today()
    try:
        return datetime.date.fromisoformat(pinned)
    except ValueError:
        raise ValueError(f"{TODAY_VARIABLE}={pinned!r} is not a day; give YYYY-MM-DD, or unset it") from None
