"""Every number the stack file takes is held to its documented range, at both ends."""

import pytest

from aksnet.config.problems import ConfigError
from tests.stacks import load, validate_stack_config, variant

K8S = "aks-networking:kubernetes"
DNAT = {"name": "https", "port": 443, "translatedAddress": "10.240.4.10", "translatedPort": 443}
# (stack, key path, lowest accepted, highest accepted, other changes the value needs)
RANGES = [
    ("dev", "aks-networking:cluster.nodePools[0].count", 1, 1000, {"aks-networking:cluster.nodePools[0].maxPods": 110}),
    ("prod", "aks-networking:cluster.nodePools[1].minCount", 0, 5, {}),
    ("prod", "aks-networking:cluster.nodePools[1].maxCount", 1, 1000, {"aks-networking:cluster.nodePools[1].minCount": 1}),
    ("dev", "aks-networking:cluster.outboundIpCount", 1, 100, {}),
    ("prod", "aks-networking:egress.firewall.publicIpCount", 1, 250, {}),
    ("prod", "aks-networking:egress.firewall.dnatRules[0].port", 1, 65535, {"aks-networking:egress.firewall.dnatRules": [DNAT]}),
    ("prod", "aks-networking:egress.firewall.dnatRules[0].translatedPort", 1, 65535,
     {"aks-networking:egress.firewall.dnatRules": [DNAT]}),
    ("prod", "aks-networking:ingress.appGateway.minCapacity", 0, 10, {}),
    ("prod", "aks-networking:ingress.appGateway.maxCapacity", 1, 125, {"aks-networking:ingress.appGateway.minCapacity": 0}),
    ("dev", f"{K8S}.apps[0].replicas", 0, 1000, {}),
    ("dev", f"{K8S}.apps[2].ports[0].port", 1, 65535, {f"{K8S}.flows": []}),
    ("dev", f"{K8S}.apps[0].ports[0].targetPort", 1, 65535, {}),
]


def refused_at(config, stack, key):
    try:
        validate_stack_config(config, stack)
    except ConfigError as error:
        return [p.path for p in error.problems if p.path == key]
    return []


@pytest.mark.parametrize("stack,key,low,high,extra", RANGES, ids=[r[1].split(":")[1] for r in RANGES])
def test_a_range_holds_at_both_ends(stack, key, low, high, extra):
    base = variant(load(stack), extra)
    assert refused_at(variant(base, {key: low}), stack, key) == []
    assert refused_at(variant(base, {key: low - 1}), stack, key) == [key]
    assert refused_at(variant(base, {key: high}), stack, key) == []
    assert refused_at(variant(base, {key: high + 1}), stack, key) == [key]


def test_gateway_capacity_may_be_fixed_but_not_inverted():
    config = load("prod")
    validate_stack_config(variant(config, {"aks-networking:ingress.appGateway.minCapacity": 10}), "prod")
    assert refused_at(variant(config, {"aks-networking:ingress.appGateway.minCapacity": 11}), "prod",
                      "aks-networking:ingress.appGateway.minCapacity")
