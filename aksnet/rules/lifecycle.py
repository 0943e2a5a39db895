"""What a stack uses that has an announced end, judged on the day the pipeline passes in.

The dates are the lifecycle table's (`aksnet.config.lifecycle`), each with its source:
- before its end, a thing the stack uses gets an advisory finding naming the day and the migration;
- past its end, a mandatory one in production (an advisory one in development, which may run on);
- the table's own age is an advisory finding, so that a preview says how old its dates are.
Kubernetes minors past their end, or not yet GA, are refused by `kubernetes-version-creatable`
and get `kubernetes-version-ending-soon` in their last `WARN_DAYS` (aksnet/rules/design.py).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from aksnet.config import lifecycle
from aksnet.config.lifecycle import (
    APP_ROUTING_NGINX,
    AZURE_NPM_LINUX,
    KUBENET,
    MINORS,
    STALE_AFTER_DAYS,
    WARN_DAYS,
    Retirement,
    creatable,
)
from aksnet.config.problems import Problem
from aksnet.config.stack import StackConfig
from aksnet.rules.rule import Rule, RuleBook

TABLE = "aksnet/config/lifecycle.py"
book = RuleBook()


def retirements_used(spec: StackConfig) -> Iterator[tuple[str, Retirement]]:
    """Each dated thing of the table the stack chooses, with the key that chooses it."""
    if spec.ingress.controller == "nginx":
        yield "ingress.controller", APP_ROUTING_NGINX
    if spec.cluster.network_plugin == "kubenet":
        yield "cluster.networkPlugin", KUBENET
    if spec.cluster.network_policy == "azure":  # the project's node pools are Linux
        yield "cluster.networkPolicy", AZURE_NPM_LINUX


def _minor(spec: StackConfig) -> str | None:
    version = spec.cluster.kubernetes_version
    return ".".join(version.split(".")[:2]) if version else None


@book.dated_refusal("lifecycle-announced-end", "What the stack uses has an announced end: its day and the migration.",
                    lifecycle.CALENDAR.source, production="advisory", development="advisory")
def announced_end(spec: StackConfig, today: datetime.date) -> Iterator[Problem]:
    for key, retirement in retirements_used(spec):
        if not retirement.ended(today):
            yield Problem.at(key, f"{retirement.what} reaches its end of support on {retirement.ends}; before then, "
                             f"move to {retirement.migration} ({retirement.guide})")
    minor = _minor(spec)
    life = MINORS.get(minor) if minor else None
    # Outside this window the version rules speak: not yet GA or ended (refused), or ending within WARN_DAYS.
    if life is not None and life.ga <= today and today + datetime.timedelta(days=WARN_DAYS) < life.end_of_life:
        newer = [m for m in creatable(today) if MINORS[m].end_of_life > life.end_of_life]
        upgrade = f"upgrade to {newer[0]}" if newer else "upgrade to the next minor once AKS makes it GA"
        yield Problem.at("cluster.kubernetesVersion", f"Kubernetes {minor} reaches its end of life on AKS on "
                         f"{life.end_of_life}; before then, {upgrade} (one minor at a time: {life.checked.source})")


@book.dated_refusal("lifecycle-past-end", "Nothing the stack uses is past its announced end of support.",
                    lifecycle.CALENDAR.source, production="mandatory", development="advisory")
def past_end(spec: StackConfig, today: datetime.date) -> Iterator[Problem]:
    for key, retirement in retirements_used(spec):
        if retirement.ended(today):
            yield Problem.at(key, f"{retirement.what}: its support ended on {retirement.ends} and it gets no "
                             f"more fixes, security ones included; move to {retirement.migration} ({retirement.guide})")


@book.dated_refusal("lifecycle-table-age", "The lifecycle table's dates were checked against their sources lately.",
                    TABLE, production="advisory", development="advisory")
def table_age(spec: StackConfig, today: datetime.date) -> Iterator[Problem]:
    checks = lifecycle.checks()
    oldest = min(checks, key=lambda c: c.on)
    stale = [c for c in checks if c.stale(today)]
    if stale:
        pages = ", ".join(f"{c.source} (checked {c.on})" for c in stale)
        yield Problem(TABLE, f"the lifecycle table's dates were checked {oldest.age(today)} days ago, more than "
                             f"{STALE_AFTER_DAYS}: the support windows judged here may be wrong; re-read {pages}, "
                             "update the rows and their dates (docs/lifecycle.md, make check-dates)")
    else:
        yield Problem(TABLE, f"the lifecycle table's dates were checked {oldest.age(today)} days ago (on {oldest.on}); "
                             f"they are due to be re-read by {oldest.due} (make check-dates)")


RULES: tuple[Rule, ...] = tuple(book.rules)
