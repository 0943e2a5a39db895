"""Combinations of choices that AKS, Azure networking or a sound design refuse: one rule each.

Each check is a pure function over `StackConfig` yielding problems that name the key to change;
each rule carries the document that forces it. A module per theme; `RULES` lists them in the
order the registry checks them, which is the order findings come out in.
"""

from __future__ import annotations

from aksnet.rules.design import (
    api_server,
    cluster,
    egress,
    gateway_backends,
    hub,
    images,
    ingress,
    network_profile,
    node_pools,
)
from aksnet.rules.rule import Rule

RULES: tuple[Rule, ...] = (
    *network_profile.RULES, *cluster.RULES, *hub.RULES, *node_pools.RULES, *api_server.RULES, *images.RULES,
    *gateway_backends.RULES, *egress.RULES, *ingress.RULES,
)
