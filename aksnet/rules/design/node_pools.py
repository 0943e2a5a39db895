"""Node pools: a System pool, and pods per node in AKS's range. Pure, no Pulumi."""

from __future__ import annotations

from collections.abc import Iterator

from aksnet.config.problems import Problem
from aksnet.config.stack import StackConfig
from aksnet.rules.design.common import IP_PLANNING
from aksnet.rules.rule import Rule, RuleBook

MAX_PODS_RANGE = (10, 250)
SYSTEM_POOL_MIN_PODS = 30

book = RuleBook()


@book.refusal("system-pool-present", "AKS needs a System node pool.",
              "https://learn.microsoft.com/azure/aks/use-system-pools")
def system_pool_present(spec: StackConfig) -> Iterator[Problem]:
    pools = spec.cluster.node_pools
    if pools and not any(p.mode == "System" for p in pools):
        yield Problem.at("cluster.nodePools", "has no pool with mode System; AKS needs at least one for "
                 "its own components")


@book.refusal("max-pods-in-range", "Max pods per node between 10 and 250; a System pool holds 30 pods.", IP_PLANNING)
def max_pods_in_range(spec: StackConfig) -> Iterator[Problem]:
    low, high = MAX_PODS_RANGE
    for index, pool in enumerate(spec.cluster.node_pools):
        path = f"cluster.nodePools[{index}].maxPods"
        if not low <= pool.max_pods <= high:
            yield Problem.at(path, f"is {pool.max_pods}; AKS allows {low} to {high} pods per node "
                     f"with networkPlugin {spec.cluster.network_plugin}")
        elif pool.mode == "System":
            fewest = pool.count if pool.count is not None else max(pool.min_count or 1, 1)
            if pool.max_pods * fewest < SYSTEM_POOL_MIN_PODS:
                yield Problem.at(path, f"is {pool.max_pods} on {fewest} node(s); a System pool needs "
                         f"room for {SYSTEM_POOL_MIN_PODS} pods: raise maxPods or the node count")


RULES: tuple[Rule, ...] = tuple(book.rules)
