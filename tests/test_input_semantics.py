"""The stack reader's Azure and Kubernetes semantics, each pinned by what the cited documentation says.

Each test names a rule Azure or AKS applies to a value of the stack file (a default, a bound, a
requirement of a SKU) and checks the reader (`aksnet.config`) agrees, at the limit and beside it.
Expected outcomes come from the Microsoft documentation cited beside each test, not from our code.
Pure: `load_spec` and the section readers, no Pulumi engine.
"""

from __future__ import annotations

from typing import Any

import pytest

from aksnet.config.hub import load_hub_spec
from aksnet.config.problems import ConfigError
from aksnet.config.stack import StackConfig, load_spec
from tests.stacks import DELETE, load, variant
from tools.stackfile import read_stack_file

CLUSTER = "aks-networking:cluster"
EGRESS = "aks-networking:egress"


def _spec(stack: str, changes: dict[str, Any]) -> StackConfig:
    return load_spec(variant(load(stack), changes), stack)


def _refused(stack: str, changes: dict[str, Any]) -> list[tuple[str, str]]:
    """The reader's problems for a variant of a committed stack: (key path, message)."""
    with pytest.raises(ConfigError) as refused:
        load_spec(variant(load(stack), changes), stack)
    return [(p.path, p.message) for p in refused.value.problems]


def _hub(changes: dict[str, Any]) -> list[tuple[str, str]]:
    """The hub reader's problems for a variant of the committed hub stack (empty: accepted)."""
    config = variant(dict(read_stack_file("hub/Pulumi.hub.yaml").config), changes)
    try:
        load_hub_spec(config, "hub")
    except ConfigError as refused:
        return [(p.path, p.message) for p in refused.problems]
    return []


# Node pools ---------------------------------------------------------------------------------------
# A System pool always keeps nodes for the cluster's own pods (CoreDNS, metrics-server); a User pool
# may have none. https://learn.microsoft.com/azure/aks/use-system-pools#system-and-user-node-pools
# ("user node pools may contain zero or more nodes"), https://learn.microsoft.com/azure/aks/manage-node-pools
@pytest.mark.parametrize("key", ["count", "minCount"])
def test_a_system_pool_is_refused_zero_nodes_and_a_user_pool_is_not(key):
    pool = {"name": "system", "mode": "System", "vmSize": "Standard_D4ds_v5", "minCount": 1, "maxCount": 3}
    pool = {k: v for k, v in pool.items() if key == "minCount" or k not in ("minCount", "maxCount")}
    pool[key] = 0
    problems = _refused("dev", {f"{CLUSTER}.nodePools": [pool]})
    assert [path for path, _ in problems] == [f"{CLUSTER}.nodePools[0].{key}"]
    user = {**pool, "name": "user", "mode": "User"}
    system = {"name": "system", "mode": "System", "vmSize": "Standard_D4ds_v5", "count": 1}
    spec = _spec("dev", {f"{CLUSTER}.nodePools": [system, user]})
    assert getattr(spec.cluster.node_pools[1], "min_count" if key == "minCount" else "count") == 0
    assert spec.cluster.node_pools[0].count == 1


# The Basic firewall -------------------------------------------------------------------------------
# Azure Firewall Basic has threat intelligence in alert mode only and no DNS proxy, so a Basic
# firewall written with no more than its SKU must default to both, not be refused for defaults it
# never asked for. https://learn.microsoft.com/azure/firewall/basic-features,
# https://learn.microsoft.com/azure/firewall/choose-firewall-sku
def test_a_basic_firewall_defaults_to_alert_mode_and_no_dns_proxy():
    from aksnet.rules.design.egress import basic_firewall_features

    spec = _spec("prod", {f"{EGRESS}.firewall": {"sku": "Basic"},
                          "aks-networking:network.hub.subnets.AzureFirewallManagementSubnet": "10.200.0.192/26"})
    firewall = spec.egress.firewall
    assert firewall is not None and (firewall.threat_intel_mode, firewall.dns_proxy) == ("Alert", False)
    assert list(basic_firewall_features(spec)) == []
    standard = _spec("prod", {f"{EGRESS}.firewall": {"sku": "Standard"}}).egress.firewall
    assert standard is not None and (standard.threat_intel_mode, standard.dns_proxy) == ("Deny", True)


# The hub's subnets --------------------------------------------------------------------------------
# A subnet's range must lie inside its VNet's address space: overlapping it is not enough (Azure
# refuses a subnet that is not contained, NetcfgInvalidSubnet / SubnetNotInVnetAddressSpace).
# https://learn.microsoft.com/azure/virtual-network/virtual-network-manage-subnet#add-a-subnet
HUB_SUBNETS = "aks-networking:network.hub.subnets"


def test_a_hub_subnet_straddling_the_address_space_is_refused():
    # The committed hub's firewall and Bastion subnets fill 10.100.0.0/25; its resolver's subnet goes.
    inside = {"aks-networking:network.hub.addressSpace": ["10.100.0.0/25"], f"{HUB_SUBNETS}.dns": DELETE,
              "aks-networking:network.dnsResolver": False}
    assert _hub(inside) == []
    # 10.100.0.64/26 lies inside at the range's end; 10.100.0.0/24 overlaps the range, but half of it lies outside.
    problems = _hub({**inside, f"{HUB_SUBNETS}.AzureBastionSubnet": "10.100.0.0/24"})
    assert (f"{HUB_SUBNETS}.AzureBastionSubnet", "10.100.0.0/24 is outside the hub's addressSpace") in problems


# Azure's limits, each at the limit and one beyond --------------------------------------------------
ACR_NAMES = "https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules#microsoftcontainerregistry"
VAULT_NAMES = "https://learn.microsoft.com/azure/key-vault/general/about-keys-secrets-certificates#vault-name-and-object-name"
APPGW_AUTOSCALE = "https://learn.microsoft.com/azure/application-gateway/application-gateway-autoscaling-zone-redundant"
RULE_GROUPS = "https://learn.microsoft.com/azure/templates/microsoft.network/firewallpolicies/rulecollectiongroups"  # priority 100-65000
FIREWALL_IPS = "https://learn.microsoft.com/azure/firewall/firewall-faq"
LB_OUTBOUND = "https://learn.microsoft.com/azure/aks/load-balancer-standard#scale-the-number-of-managed-outbound-public-ips"
FIREWALL_DNAT = "https://learn.microsoft.com/azure/firewall/tutorial-firewall-dnat-policy"
APPGW = "aks-networking:ingress.appGateway"
LIMITS = [
    # A registry's name: 5 to 50 letters and digits (ACR_NAMES).
    ("prod", {"aks-networking:registry.name": "a" * 5}, None, ACR_NAMES),
    ("prod", {"aks-networking:registry.name": "a" * 4}, "aks-networking:registry.name", ACR_NAMES),
    ("prod", {"aks-networking:registry.name": "a" * 50}, None, ACR_NAMES),
    ("prod", {"aks-networking:registry.name": "a" * 51}, "aks-networking:registry.name", ACR_NAMES),
    # A vault's name: 3 to 24 characters (VAULT_NAMES).
    ("prod", {"aks-networking:tls.keyVault": "kv" + "a" * 22}, None, VAULT_NAMES),
    ("prod", {"aks-networking:tls.keyVault": "kv" + "a" * 23}, "aks-networking:tls.keyVault", VAULT_NAMES),
    ("prod", {"aks-networking:tls.keyVault": "kva"}, None, VAULT_NAMES),
    ("prod", {"aks-networking:tls.keyVault": "kv"}, "aks-networking:tls.keyVault", VAULT_NAMES),
    # Autoscaling gateways: a minimum from 0, a maximum up to 125, a minimum equal to the maximum
    # being a fixed capacity (APPGW_AUTOSCALE).
    ("prod", {f"{APPGW}.minCapacity": 3, f"{APPGW}.maxCapacity": 3}, None, APPGW_AUTOSCALE),
    ("prod", {f"{APPGW}.minCapacity": 4, f"{APPGW}.maxCapacity": 3}, f"{APPGW}.minCapacity", APPGW_AUTOSCALE),
    ("prod", {f"{APPGW}.maxCapacity": 125}, None, APPGW_AUTOSCALE),
    ("prod", {f"{APPGW}.maxCapacity": 126}, f"{APPGW}.maxCapacity", APPGW_AUTOSCALE),
    # A rule collection group's priority: 100 to 65000 (RULE_GROUPS).
    ("spoke-a", {"aks-networking:landingZone.ruleCollectionPriority": 100}, None, RULE_GROUPS),
    ("spoke-a", {"aks-networking:landingZone.ruleCollectionPriority": 99},
     "aks-networking:landingZone.ruleCollectionPriority", RULE_GROUPS),
    ("spoke-a", {"aks-networking:landingZone.ruleCollectionPriority": 65000}, None, RULE_GROUPS),
    ("spoke-a", {"aks-networking:landingZone.ruleCollectionPriority": 65001},
     "aks-networking:landingZone.ruleCollectionPriority", RULE_GROUPS),
    # A firewall takes up to 250 public addresses (FIREWALL_IPS).
    ("prod", {f"{EGRESS}.firewall.publicIpCount": 250}, None, FIREWALL_IPS),
    ("prod", {f"{EGRESS}.firewall.publicIpCount": 251}, f"{EGRESS}.firewall.publicIpCount", FIREWALL_IPS),
    # AKS's managed outbound IPs: 1 to 100 (LB_OUTBOUND).
    ("dev", {f"{CLUSTER}.outboundIpCount": 1}, None, LB_OUTBOUND),
    ("dev", {f"{CLUSTER}.outboundIpCount": 0}, f"{CLUSTER}.outboundIpCount", LB_OUTBOUND),
    ("dev", {f"{CLUSTER}.outboundIpCount": 100}, None, LB_OUTBOUND),
    ("dev", {f"{CLUSTER}.outboundIpCount": 101}, f"{CLUSTER}.outboundIpCount", LB_OUTBOUND),
    # A DNAT rule translates TCP or UDP, never Any or ICMP (FIREWALL_DNAT).
    ("prod", {f"{EGRESS}.firewall.dnatRules": [{"name": "ssh", "protocol": "UDP", "port": 5000,
                                                  "translatedAddress": "10.240.5.10", "translatedPort": 53}]},
     None, FIREWALL_DNAT),
    ("prod", {f"{EGRESS}.firewall.dnatRules": [{"name": "ssh", "protocol": "Any", "port": 5000,
                                                  "translatedAddress": "10.240.5.10", "translatedPort": 53}]},
     f"{EGRESS}.firewall.dnatRules[0].protocol", FIREWALL_DNAT),
]


@pytest.mark.parametrize("stack, changes, refused, source", LIMITS,
                         ids=[f"{s}-{'-'.join(f'{k.rsplit(chr(46), 1)[-1]}={v}' for k, v in c.items())[:50]}"
                              for s, c, _, _ in LIMITS])
def test_azure_limits_hold_at_the_limit_and_refuse_one_beyond(stack, changes, refused, source):
    config = variant(load(stack), changes)
    try:
        load_spec(config, stack)
        paths: list[str] = []
    except ConfigError as error:
        paths = [p.path for p in error.problems]
    assert paths == ([refused] if refused else []), source


# A container port's name is an IANA_SVC_NAME: 1 to 15 lower-case letters, digits and hyphens, at
# least one letter, no hyphen at either end or beside another; Kubernetes refuses a Deployment
# otherwise. https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/#ports,
# https://www.rfc-editor.org/rfc/rfc6335#section-5.1
@pytest.mark.parametrize("name, accepted", [
    ("a" * 15, True), ("http-8080", True), ("h2c", True), ("9p", True),
    ("a" * 16, False), ("8080", False), ("web--api", False), ("-http", False), ("http-", False), ("Http", False),
])
def test_a_container_port_name_is_an_iana_service_name(name, accepted):
    changes = {"aks-networking:kubernetes.apps[0].ports[0].name": name,
               "aks-networking:kubernetes.flows": [], "aks-networking:kubernetes.ingresses": []}
    if accepted:
        assert _spec("dev", changes).kubernetes.workloads.apps[0].ports[0].name == name
    else:
        assert [path for path, _ in _refused("dev", changes)] == ["aks-networking:kubernetes.apps[0].ports[0].name"]


# A literal NetworkPolicy's peer is an ipBlock alone, or selectors (a podSelector and a
# namespaceSelector together select pods of those namespaces); its named port is an IANA_SVC_NAME.
# https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/#NetworkPolicySpec
# (NetworkPolicyPeer.ipBlock: "If this field is set then neither of the other fields can be"),
# https://kubernetes.io/docs/concepts/services-networking/network-policies/#behavior-of-to-and-from-selectors
@pytest.mark.parametrize("rule, refused", [
    ({"from": [{"ipBlock": {"cidr": "10.0.0.0/8"}}]}, None),
    ({"from": [{"podSelector": {}, "namespaceSelector": {"matchLabels": {"team": "a"}}}]}, None),
    ({"from": [{"ipBlock": {"cidr": "10.0.0.0/8"}, "podSelector": {}}]}, "spec.ingress[0].from[0]"),
    ({"from": [{"ipBlock": {"cidr": "10.0.0.0/8"}, "namespaceSelector": {}}]}, "spec.ingress[0].from[0]"),
    ({"ports": [{"protocol": "TCP", "port": "metrics"}]}, None),
    ({"ports": [{"protocol": "TCP", "port": "web--api"}]}, "spec.ingress[0].ports[0].port"),
])
def test_a_literal_policys_peers_and_port_names_follow_kubernetes(rule, refused):
    from aksnet.config.policy_spec import check_policy_spec
    from aksnet.config.schema import Problems

    problems = Problems()
    check_policy_spec(problems, "spec", {"podSelector": {}, "ingress": [rule]})
    assert [p.path for p in problems.items] == ([refused] if refused else [])


# A public API server takes at most 200 authorized IP ranges.
# https://learn.microsoft.com/azure/aks/api-server-authorized-ip-ranges#limitations
@pytest.mark.parametrize("count, accepted", [(200, True), (201, False)])
def test_a_public_api_server_takes_up_to_200_authorized_ranges(count, accepted):
    ranges = [f"198.18.{i // 256}.{i % 256}/32" for i in range(count)]
    changes = {f"{CLUSTER}.authorizedIpRanges": ranges}
    if accepted:
        assert len(_spec("dev", changes).cluster.authorized_ip_ranges) == 200
    else:
        assert [path for path, _ in _refused("dev", changes)] == [f"{CLUSTER}.authorizedIpRanges"]
