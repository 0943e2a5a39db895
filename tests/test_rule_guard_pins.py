"""Each term of each rule's trigger, held both ways (issue 27).

A rule's trigger is a conjunction or disjunction of terms; a test showing that the rule fires on one stack
and not on another holds only the terms the two stacks differ in. Here each row is one committed stack
varied in one place, the rule it concerns, and whether that rule must fire on it; rows come in pairs: the
minimal stack where the documented condition holds, and the same stack with exactly one term made false.
Each rule runs alone on the spec as the readers accept it (`load_spec`), so one rule's row is not hidden
by another rule's refusal. Expected outcomes come from the page cited beside each group of rows, never
from running our code. Pure: no program run under the mock engine.
"""

from __future__ import annotations

import datetime
import functools
import json
from typing import Any

import pytest

from aksnet.config.stack import StackConfig, load_spec
from aksnet.rules.registry import BY_ID, RecordedResource
from tests.stacks import DELETE, load, variant

C = "aks-networking:"
_DROP = "<delete this key>"
TODAY = datetime.date(2026, 12, 7)


@functools.cache
def _spec(stack: str, changes: str) -> StackConfig:
    config = variant(load(stack), {k if ":" in k else f"{C}{k}": DELETE if v == _DROP else v
                                   for k, v in json.loads(changes).items()})
    return load_spec(config, stack)


def fires(rule_id: str, stack: str, changes: dict[str, Any], today: datetime.date = TODAY) -> bool:
    """Whether the rule, alone, finds a problem in the stack varied by key path."""
    spec = _spec(stack, json.dumps(changes, sort_keys=True))
    return bool(BY_ID[rule_id].spec_problems(spec, today))


# (rule id, stack, changes by key path, whether the rule fires); each group cites its page.
SPEC_ROWS: dict[str, tuple[str, str, dict[str, Any], bool]] = {}


def rows(rule_id: str, stack: str, base: dict[str, Any], cases: dict[str, tuple[dict[str, Any], bool]]) -> None:
    for name, (changes, expected) in cases.items():
        merged = {**base, **changes}  # a key the base adds and the row drops is simply not set
        merged = {k: v for k, v in merged.items() if not (v == _DROP and k in base)}
        SPEC_ROWS[f"{rule_id}: {name}"] = (rule_id, stack, merged, expected)


# "In non-private clusters, API server cluster traffic is routed and processed through the clusters
# outbound type" (https://learn.microsoft.com/azure/aks/nat-gateway); with authorized ranges, the nodes'
# egress addresses must be among them (https://learn.microsoft.com/azure/aks/api-server-authorized-ip-ranges).
# The stack knows the addresses of its own NAT gateway and firewall; only an appliance of someone else's
# (egressNextHopIp, no firewall of the stack) leaves from addresses it cannot add.
_APPLIANCE = {"cluster.outboundType": "userDefinedRouting", "cluster.egressNextHopIp": "10.10.0.4"}
rows("nodes-reach-their-public-api-server", "dev", _APPLIANCE, {
    "public, ranges, someone else's appliance": ({}, True),
    "a user-assigned NAT gateway: its addresses are the stack's": (
        {"cluster.outboundType": "userAssignedNATGateway", "cluster.egressNextHopIp": _DROP}, False),
    "private API server": ({"cluster.private": True}, False),
    "no authorized ranges": ({"cluster.authorizedIpRanges": []}, False),
    "VNet-integrated API server": ({"cluster.apiServerVnetIntegration": True}, False),
})


@pytest.mark.parametrize("case", SPEC_ROWS)
def test_each_term_of_a_rule_holds(case: str) -> None:
    rule_id, stack, changes, expected = SPEC_ROWS[case]
    assert fires(rule_id, stack, changes) is expected, case
