"""Node pools: a System pool, and pods per node in AKS's range. Pure, no Pulumi."""

from __future__ import annotations

from collections.abc import Iterator

from aksnet.config.problems import Problem
from aksnet.config.stack import StackConfig
from aksnet.rules.design.common import IP_PLANNING
from aksnet.rules.rule import Rule, RuleBook

MAX_PODS_RANGE = (10, 250)
POOL_MIN_PODS = 30

book = RuleBook()


@book.refusal("system-pool-present", "AKS needs a System node pool.",
              "https://learn.microsoft.com/azure/aks/use-system-pools")
def system_pool_present(spec: StackConfig) -> Iterator[Problem]:
    pools = spec.cluster.node_pools
    if pools and not any(p.mode == "System" for p in pools):
        yield Problem.at("cluster.nodePools", "has no pool with mode System; AKS needs at least one for "
                 "its own components")


@book.refusal("max-pods-in-range", "Max pods per node between 10 and 250; every node pool holds 30 pods.", IP_PLANNING)
def max_pods_in_range(spec: StackConfig) -> Iterator[Problem]:
    # maxPods goes as low as 10 only where each node pool, User pools included, has room for 30 pods
    # (IP_PLANNING: maxPods 10 asks for 3 nodes in every pool, each one added later too).
    low, high = MAX_PODS_RANGE
    for index, pool in enumerate(spec.cluster.node_pools):
        path = f"cluster.nodePools[{index}].maxPods"
        if not low <= pool.max_pods <= high:
            yield Problem.at(path, f"is {pool.max_pods}; AKS allows {low} to {high} pods per node "
                     f"with networkPlugin {spec.cluster.network_plugin}")
            continue
        # A User pool may scale to zero nodes; it is judged as one node, the fewest it runs pods on.
        fewest = max(pool.count if pool.count is not None else (pool.min_count or 1), 1)
        if pool.max_pods * fewest < POOL_MIN_PODS:
            yield Problem.at(path, f"is {pool.max_pods} on {fewest} node(s); a {pool.mode} pool needs "
                     f"room for {POOL_MIN_PODS} pods: raise maxPods or the node count")


RULES: tuple[Rule, ...] = tuple(book.rules)
