"""Fail when a dated fact of the project was last checked against its source too long ago.

    python -m tools.check_dates [--today YYYY-MM-DD]     # make check-dates

Every fact that ages is data with the page it comes from and the day it was last read there: the
lifecycle table (Kubernetes minors on AKS, retirements), the outbound endpoints the firewall rules
are built from, the region table, the ingress controllers' pinned charts. A source read more than 60
days before today (or "read" on a day still to come, a typo that would silence this check) is named,
one line each, with the file that holds it; the exit status is then 1. Needs nothing but the
standard library: the weekly workflow runs it without installing the project.
How to refresh the rows: docs/lifecycle.md.
"""

from __future__ import annotations

import argparse
import datetime
import sys
from collections.abc import Sequence

from aksnet.config import ingress_controllers, lifecycle, regions
from aksnet.config.lifecycle import STALE_AFTER_DAYS, Checked
from aksnet.plan import outbound
from aksnet.review import provider_rules

REGIONS_SOURCE = "https://learn.microsoft.com/azure/reliability/regions-list"


def dated_sources() -> list[tuple[str, Checked]]:
    """Each source of a dated fact, with the file that holds what was read there."""
    return [*(("aksnet/config/lifecycle.py", c) for c in lifecycle.checks()),
            *(("aksnet/plan/outbound.py", c) for c in outbound.checks()),
            *(("aksnet/review/provider_rules.py", c) for c in provider_rules.checks()),
            ("aksnet/config/regions.py", Checked(REGIONS_SOURCE, datetime.date.fromisoformat(regions.CHECKED))),
            # The ingress controllers' pinned charts: their values and their support dates age too.
            *(("aksnet/config/ingress_controllers.py",
               Checked(c.chart.values_read_at, datetime.date.fromisoformat(c.chart.checked)))
              for c in ingress_controllers.GATEWAY_CONTROLLERS.values())]


def problems(today: datetime.date, sources: Sequence[tuple[str, Checked]]) -> list[str]:
    found = []
    for path, checked in sources:
        if checked.stale(today):
            found.append(f"{path}: {checked.source} was checked on {checked.on}, {checked.age(today)} days before "
                         f"{today} (more than {STALE_AFTER_DAYS}): re-read that page, update what {path} takes from "
                         "it, and its check date")
        elif checked.on > today:
            found.append(f"{path}: {checked.source} has the check date {checked.on}, after {today}: give the day "
                         "the page was read")
    return found


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.check_dates", description=__doc__.splitlines()[0])
    parser.add_argument("--today", type=datetime.date.fromisoformat, default=None,
                        help="judge as on this day (YYYY-MM-DD) instead of the calendar's")
    args = parser.parse_args(argv)
    today: datetime.date = args.today or datetime.date.today()
    sources = dated_sources()
    found = problems(today, sources)
    for line in found:
        print(line, file=sys.stderr)
    if found:
        return 1
    oldest = min(sources, key=lambda item: item[1].on)
    print(f"{len(sources)} sources, each checked within {STALE_AFTER_DAYS} days of {today}; the oldest, "
          f"{oldest[1].source} ({oldest[0]}, checked {oldest[1].on}), is due by {oldest[1].due}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
