"""Pins every Azure and Kubernetes fact the plan encodes (aksnet/plan/*.py, landing zone aside)
that no other behavioural test held: reserved ranges, bounds, NSG rules, firewall rules, network
and pool profiles, manifests and names, each checked against the documented value.

The expected values come from the Microsoft, Kubernetes, Gateway API and Flux pages cited beside
each test, never from running the plan. They were written while sweeping the plan's files line by
line with one-place mistakes (a neighbouring value, the other tier, an off-by-one, a dropped guard
or element): where no behavioural test failed under a mistake, a test here now does.
"""

from __future__ import annotations

import functools
import json

import pytest

from aksnet.config.stack import load_spec
from aksnet.plan.addressing import plan_addresses
from tests.stacks import DELETE, variant
from tests.stacks import load as load_afresh

NS = "aks-networking"


@functools.cache
def _committed(stack):
    return load_afresh(stack)


def load(stack):
    """A committed stack's config, read once (variant() copies before it changes anything)."""
    return _committed(stack)


def problems_at(config, key, stack="prod"):
    return [p.message for p in plan_addresses(load_spec(config, stack)).problems if p.path == key]


# Addresses ----------------------------------------------------------------------------------

# AKS refuses 169.254.0.0/16, 172.30.0.0/16, 172.31.0.0/16 and 192.0.2.0/24 for the service,
# pod and cluster ranges: https://learn.microsoft.com/azure/aks/configure-kubenet (prerequisites).
@pytest.mark.parametrize("reserved", ["169.254.0.0/16", "172.30.0.0/16", "172.31.0.0/16", "192.0.2.0/24"])
def test_a_service_cidr_in_a_range_aks_reserves_is_refused(reserved):
    import ipaddress
    dns = str(ipaddress.IPv4Network(reserved).network_address + 10)
    config = variant(load("prod"), {f"{NS}:cluster.serviceCidr": reserved, f"{NS}:cluster.dnsServiceIp": dns})
    assert any("which AKS reserves" in m for m in problems_at(config, f"{NS}:cluster.serviceCidr"))


# CNI Overlay pod CIDRs: any RFC 1918 range or RFC 6598's whole 100.64.0.0/10.
# https://learn.microsoft.com/azure/aks/concepts-network-azure-cni-overlay (pod CIDR: private ranges)
@pytest.mark.parametrize("pod_cidr,private", [
    ("100.64.0.0/16", True), ("100.127.0.0/16", True), ("100.128.0.0/16", False),
    ("172.31.255.0/24", True), ("172.32.0.0/16", False), ("10.255.0.0/16", True), ("11.0.0.0/16", False),
    ("192.168.0.0/16", True), ("192.169.0.0/16", False),
])
def test_overlay_pod_cidr_must_be_rfc1918_or_rfc6598(pod_cidr, private):
    config = variant(load("prod"), {f"{NS}:cluster.podCidr": pod_cidr})
    refused = any("not a private range" in m for m in problems_at(config, f"{NS}:cluster.podCidr"))
    assert refused is not private, pod_cidr


# The smallest prefix of each fixed-purpose subnet, at the limit and one smaller:
# AzureFirewallSubnet and AzureFirewallManagementSubnet /26 (https://learn.microsoft.com/azure/firewall/firewall-faq),
# AzureBastionSubnet /26 (https://learn.microsoft.com/azure/bastion/configuration-settings),
# GatewaySubnet /27 (https://learn.microsoft.com/azure/vpn-gateway/vpn-gateway-about-vpn-gateway-settings),
# API server VNet integration /28 (https://learn.microsoft.com/azure/aks/api-server-vnet-integration),
# DNS Private Resolver inbound /28 (https://learn.microsoft.com/azure/dns/dns-private-resolver-overview#subnet-restrictions).
FIXED_MINIMUM = {"AzureFirewallSubnet": ("hub", 26), "AzureFirewallManagementSubnet": ("hub", 26),
                 "AzureBastionSubnet": ("hub", 26), "GatewaySubnet": ("hub", 27), "dns": ("hub", 28),
                 "apiserver": ("spoke", 28)}


@pytest.mark.parametrize("role", sorted(FIXED_MINIMUM))
@pytest.mark.parametrize("larger_by", [0, 1, -1])
def test_fixed_subnets_take_their_documented_minimum(role, larger_by):
    vnet, minimum = FIXED_MINIMUM[role]
    prefix = minimum - larger_by
    base = "10.201.0.0" if vnet == "hub" else "10.240.64.0"
    config = variant(load("prod"), {f"{NS}:network.hub.addressSpace": ["10.200.0.0/24", "10.201.0.0/24"],
                                    f"{NS}:network.{vnet}.subnets.{role}": f"{base}/{prefix}"})
    if role in ("AzureFirewallSubnet", "AzureBastionSubnet", "dns"):  # moved out of prod's own place
        pass
    found = problems_at(config, f"{NS}:network.{vnet}.subnets.{role}")
    refused = [m for m in found if f"must be a /{minimum} or larger" in m]
    assert bool(refused) is (prefix > minimum), (role, prefix, found)


_SPECS: dict[str, object] = {}


def spec_of(changes=None, stack="prod"):
    key = json.dumps([stack, changes or {}], sort_keys=True, default=repr)
    if key not in _SPECS:
        _SPECS[key] = load_spec(variant(load(stack), changes or {}), stack)
    return _SPECS[key]


# NSG rules ----------------------------------------------------------------------------------

def rule_rows(rules):
    return {(r.direction, r.name): (r.priority, r.access, r.protocol, r.source, r.destination, tuple(r.ports))
            for r in rules}


# Azure Bastion's required NSG rules, each as the page lists it (protocol Any written "*").
# https://learn.microsoft.com/azure/bastion/bastion-nsg
BASTION_DOCUMENTED = {
    "Inbound": [("Tcp", "Internet", "*", ("443",)), ("Tcp", "GatewayManager", "*", ("443",)),
                ("Tcp", "AzureLoadBalancer", "*", ("443",)),
                ("*", "VirtualNetwork", "VirtualNetwork", ("5701", "8080"))],
    "Outbound": [("*", "*", "VirtualNetwork", ("22", "3389")), ("Tcp", "*", "AzureCloud", ("443",)),
                 ("*", "VirtualNetwork", "VirtualNetwork", ("5701", "8080")), ("*", "*", "Internet", ("80",))],
}


def test_bastion_subnet_rules_are_the_documented_ones():
    from aksnet.plan.security_rules import subnet_rules
    rules = subnet_rules(spec_of())["AzureBastionSubnet"]
    for direction, documented in BASTION_DOCUMENTED.items():
        ours = sorted((r.protocol, r.source, r.destination, tuple(sorted(r.ports)))
                      for r in rules if r.direction == direction)
        assert ours == sorted(documented), direction
    assert all(r.access == "Allow" for r in rules)
    # Priorities: 100-4096, unique per direction (https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview#security-rules)
    for direction in ("Inbound", "Outbound"):
        priorities = [r.priority for r in rules if r.direction == direction]
        assert len(set(priorities)) == len(priorities) and all(100 <= p <= 4096 for p in priorities)


# Application Gateway v2: GatewayManager on TCP 65200-65535 and the AzureLoadBalancer tag on any port
# inbound; listeners from the internet. https://learn.microsoft.com/azure/application-gateway/configuration-infrastructure#network-security-groups
def test_gateway_subnet_rules_are_the_documented_ones():
    from aksnet.plan.security_rules import subnet_rules
    rules = subnet_rules(spec_of())["appgw"]
    assert all(r.direction == "Inbound" and r.access == "Allow" for r in rules)
    ours = sorted((r.protocol, r.source, r.destination, tuple(r.ports)) for r in rules)
    # prod's ingress has TLS: 443, and 80 for the redirect to it.
    assert ours == sorted([("Tcp", "GatewayManager", "*", ("65200-65535",)), ("*", "AzureLoadBalancer", "*", ("*",)),
                           ("Tcp", "Internet", "*", ("80", "443"))])


# The cluster as AKS receives it ---------------------------------------------------------------

# Field names and values of ContainerServiceNetworkProfile in the AKS REST API:
# https://learn.microsoft.com/rest/api/aks/managed-clusters/create-or-update#containerservicenetworkprofile
# Standard load balancer only (Basic is retired for AKS): https://learn.microsoft.com/azure/aks/load-balancer-standard
# Overlay and kubenet take a pod CIDR; flat CNI must not: https://learn.microsoft.com/azure/aks/concepts-network-cni-overview
NETWORK_PROFILES = {
    "prod": {"networkPlugin": "azure", "networkPluginMode": "overlay", "networkDataplane": "cilium",
             "networkPolicy": "cilium", "podCidr": "192.168.0.0/16", "serviceCidr": "172.16.0.0/16",
             "dnsServiceIP": "172.16.0.10", "outboundType": "userDefinedRouting", "loadBalancerSku": "standard"},
    "dev": {"networkPlugin": "kubenet", "networkPolicy": "calico", "podCidr": "10.244.0.0/16",
            "serviceCidr": "10.0.0.0/16", "dnsServiceIP": "10.0.0.10", "outboundType": "loadBalancer",
            "loadBalancerSku": "standard", "loadBalancerProfile": {"managedOutboundIPs": {"count": 1}}},
    # A NAT gateway of ours carries egress: no load balancer outbound IPs
    # (https://learn.microsoft.com/azure/aks/nat-gateway).
    "dev-nat": {"networkPlugin": "kubenet", "networkPolicy": "calico", "podCidr": "10.244.0.0/16",
                "serviceCidr": "10.0.0.0/16", "dnsServiceIP": "10.0.0.10", "outboundType": "userAssignedNATGateway",
                "loadBalancerSku": "standard"},
    # Managed outbound IPs as many as the stack asks (https://learn.microsoft.com/azure/aks/load-balancer-standard#scale-the-number-of-managed-outbound-public-ips).
    "dev-ips": {"networkPlugin": "kubenet", "networkPolicy": "calico", "podCidr": "10.244.0.0/16",
                "serviceCidr": "10.0.0.0/16", "dnsServiceIP": "10.0.0.10", "outboundType": "loadBalancer",
                "loadBalancerSku": "standard", "loadBalancerProfile": {"managedOutboundIPs": {"count": 3}}},
    # Flat Azure CNI without a network policy engine: no pod CIDR, no networkPolicy field.
    "flat": {"networkPlugin": "azure", "networkDataplane": "azure", "serviceCidr": "172.16.0.0/16",
             "dnsServiceIP": "172.16.0.10", "outboundType": "userDefinedRouting", "loadBalancerSku": "standard"},
}


@pytest.mark.parametrize("case", sorted(NETWORK_PROFILES))
def test_network_profile_is_what_the_aks_api_takes(case):
    from aksnet.plan.cluster_profile import network_profile
    if case == "flat":
        spec = spec_of({f"{NS}:cluster.networkPluginMode": None, f"{NS}:cluster.networkDataplane": "azure",
                        f"{NS}:cluster.networkPolicy": "none"})
    elif case == "dev-nat":
        spec = spec_of({f"{NS}:cluster.outboundType": "userAssignedNATGateway"}, "dev")
    elif case == "dev-ips":
        spec = spec_of({f"{NS}:cluster.outboundIpCount": 3}, "dev")
    else:
        spec = spec_of(stack=case)
    assert network_profile(spec.cluster) == NETWORK_PROFILES[case]


# Agent pool properties: https://learn.microsoft.com/rest/api/aks/agent-pools/create-or-update#managedclusteragentpoolprofile
# osType Linux, type VirtualMachineScaleSets (required for multiple pools and the autoscaler,
# https://learn.microsoft.com/azure/aks/create-node-pools); a system pool for critical add-ons only
# carries the CriticalAddonsOnly=true:NoSchedule taint (https://learn.microsoft.com/azure/aks/use-system-pools).
def test_pool_settings_are_what_the_aks_api_takes():
    from aksnet.plan.cluster_profile import pool_settings
    spec = spec_of()
    system, user = spec.cluster.node_pools
    assert pool_settings(system, "33%") == {
        "mode": "System", "vmSize": "Standard_D4ds_v5", "osType": "Linux", "type": "VirtualMachineScaleSets",
        "maxPods": 30, "upgradeSettings": {"maxSurge": "33%"}, "enableAutoScaling": True, "minCount": 3,
        "maxCount": 4, "count": 3, "availabilityZones": ["1", "2", "3"], "osDiskType": "Ephemeral",
        "nodeTaints": ["CriticalAddonsOnly=true:NoSchedule"]}
    assert "nodeTaints" not in pool_settings(user, "33%")
    fixed = spec_of(stack="dev").cluster.node_pools[0]
    settings = pool_settings(fixed, "1")
    assert settings["enableAutoScaling"] is False and settings["count"] == 2 and "minCount" not in settings


def test_an_autoscaled_user_pool_may_start_from_zero():
    # A user pool may scale from zero and starts at its minimum (https://learn.microsoft.com/azure/aks/cluster-autoscaler);
    # a system pool keeps at least one node (https://learn.microsoft.com/azure/aks/use-system-pools).
    from aksnet.plan.cluster_profile import pool_settings
    pools = [{"name": "system", "mode": "System", "vmSize": "Standard_D4ds_v5", "minCount": 1, "maxCount": 3},
             {"name": "user", "mode": "User", "vmSize": "Standard_D4ds_v5", "minCount": 0, "maxCount": 3}]
    system, user = spec_of({f"{NS}:cluster.nodePools": pools}).cluster.node_pools
    assert (pool_settings(system, "1")["count"], pool_settings(user, "1")["count"]) == (1, 0)
    assert (pool_settings(user, "1")["minCount"], pool_settings(user, "1")["maxCount"]) == (0, 3)


# ManagedClusterAPIServerAccessProfile:
# https://learn.microsoft.com/rest/api/aks/managed-clusters/create-or-update#managedclusterapiserveraccessprofile
# Authorized IP ranges apply to a public API server only (https://learn.microsoft.com/azure/aks/api-server-authorized-ip-ranges);
# the public FQDN of a private cluster is needed with privateDNSZone none alone
# (https://learn.microsoft.com/azure/aks/private-clusters#configure-a-private-dns-zone).
def test_api_server_profile_is_what_the_aks_api_takes():
    from aksnet.plan.cluster_profile import api_server_profile
    assert api_server_profile(spec_of().cluster, zone="ZONE-ID") == {
        "enablePrivateCluster": True, "disableRunCommand": True, "privateDNSZone": "ZONE-ID",
        "enablePrivateClusterPublicFQDN": False}
    assert api_server_profile(spec_of(stack="dev").cluster) == {
        "enablePrivateCluster": False, "authorizedIPRanges": ["203.0.113.0/24"]}
    for zone, public_fqdn in (("system", False), ("none", True)):
        profile = api_server_profile(spec_of({f"{NS}:cluster.privateDnsZone": zone,
                                              f"{NS}:cluster.authorizedIpRanges": ["203.0.113.0/24"]}).cluster)
        assert profile["privateDNSZone"] == zone and profile["enablePrivateClusterPublicFQDN"] is public_fqdn
        assert "authorizedIPRanges" not in profile


# Firewall policy ----------------------------------------------------------------------------

def groups_of(spec, routed=True):
    from aksnet.plan.egress_rules import firewall_policy
    from aksnet.plan.routing import firewall_sources
    policy = firewall_policy(spec, firewall_sources(spec), routed,
                             ("westeurope.dp.kubernetesconfiguration.azure.com", "github.com"))
    assert policy is not None
    return policy, {g.name: g for g in policy.groups}


def test_aks_egress_group_is_the_documented_required_outbound():
    # https://learn.microsoft.com/azure/aks/outbound-rules-control-egress: the FQDN tag
    # AzureKubernetesService on HTTP 80 and HTTPS 443; for a public API server, UDP 1194 and TCP 9000
    # to the AzureCloud.<region> service tag (a private cluster needs neither); add-ons on HTTPS 443.
    _, groups = groups_of(spec_of({f"{NS}:cluster.private": False}))
    aks = groups["aks-egress"]
    assert aks.priority == 200
    collections = {c["name"]: c for c in aks.collections}
    network = collections["aks-network"]
    assert network["ruleCollectionType"] == "FirewallPolicyFilterRuleCollection"
    assert network["action"] == {"type": "Allow"}
    assert sorted((r["ipProtocols"], r["destinationAddresses"], r["destinationPorts"]) for r in network["rules"]) == [
        (["TCP"], ["AzureCloud.westeurope"], ["9000"]), (["UDP"], ["AzureCloud.westeurope"], ["1194"])]
    assert all(r["sourceIpGroups"] == ["aks"] and "sourceAddresses" not in r for r in network["rules"])
    application = {r["name"]: r for r in collections["aks-application"]["rules"]}
    assert collections["aks-application"]["action"] == {"type": "Allow"}
    tag = application["aks-fqdn-tag"]
    assert tag["fqdnTags"] == ["AzureKubernetesService"]
    assert sorted((p["protocolType"], p["port"]) for p in tag["protocols"]) == [("Http", 80), ("Https", 443)]
    # Azure Policy add-on (prod turns it on): its three FQDNs on HTTPS.
    policy = application["azure-policy"]
    assert sorted(policy["targetFqdns"]) == sorted(["data.policy.core.windows.net", "store.policy.core.windows.net",
                                                    "dc.services.visualstudio.com"])
    assert policy["protocols"] == [{"protocolType": "Https", "port": 443}]
    # The Flux extension's regional data plane and the Git host, on HTTPS.
    assert application["gitops"]["protocols"] == [{"protocolType": "Https", "port": 443}]


def test_a_private_cluster_needs_no_tunnel_rules():
    _, groups = groups_of(spec_of())
    assert "aks-network" not in {c["name"] for c in groups["aks-egress"].collections}


def test_without_the_azure_policy_add_on_no_policy_rule():
    _, groups = groups_of(spec_of({f"{NS}:cluster.azurePolicy": False}))
    names = {r["name"] for c in groups["aks-egress"].collections for r in c["rules"]}
    assert "azure-policy" not in names and "aks-fqdn-tag" in names


def test_gitops_fqdns_are_the_regional_data_plane_and_the_git_host():
    # https://learn.microsoft.com/azure/aks/outbound-rules-control-egress#cluster-extensions
    from aksnet.plan.egress_rules import gitops_fqdns
    assert gitops_fqdns("westeurope", "https://github.com/contoso/aks-networking") == (
        "westeurope.dp.kubernetesconfiguration.azure.com", "github.com")
    assert gitops_fqdns("eastus", "ssh://git@gitlab.example.com:2222/team/repo") == (
        "eastus.dp.kubernetesconfiguration.azure.com", "gitlab.example.com")


# Routes, peering, NAT gateway ---------------------------------------------------------------

def test_peering_settings_are_the_hub_and_spoke_ones():
    # Virtual network access on; forwarded traffic allowed (the firewall forwards DNAT traffic and
    # replies into the spoke); no gateway transit, and so no remote gateways, without a hub gateway.
    # https://learn.microsoft.com/azure/virtual-network/virtual-network-peering-overview
    from aksnet.plan.routing import PEERING
    assert (PEERING.allow_virtual_network_access, PEERING.allow_forwarded_traffic,
            PEERING.allow_gateway_transit, PEERING.use_remote_gateways) == (True, True, False, False)


# kubenet: the route table on the node subnet, and with AGIC on the gateway subnet too
# (https://learn.microsoft.com/azure/aks/configure-kubenet#bring-your-own-subnet-and-route-table-with-kubenet,
# https://learn.microsoft.com/azure/application-gateway/tutorial-ingress-controller-add-on-existing);
# userDefinedRouting: node and pod subnets send 0.0.0.0/0 to the appliance
# (https://learn.microsoft.com/azure/aks/egress-outboundtype#outbound-type-of-userdefinedrouting).
ROUTE_CASES = [
    ("prod", {}, ("nodes",), "firewall"),
    ("prod", {f"{NS}:network.spoke.subnets.pods": "10.240.128.0/17", f"{NS}:cluster.networkPluginMode": None,
              f"{NS}:cluster.podCidr": None}, ("nodes", "pods"), "firewall"),
    ("prod", {f"{NS}:cluster.networkPlugin": "kubenet", f"{NS}:cluster.networkPluginMode": None,
              f"{NS}:cluster.networkDataplane": DELETE, f"{NS}:cluster.networkPolicy": "calico"},
     ("nodes", "appgw"), "firewall"),
    ("prod", {f"{NS}:cluster.outboundType": "loadBalancer"}, (), None),
    ("dev", {}, ("nodes",), None),
    ("dev", {f"{NS}:cluster.networkPlugin": "azure", f"{NS}:cluster.networkPluginMode": "overlay"}, (), None),
]


@pytest.mark.parametrize("stack,changes,subnets,hop", ROUTE_CASES)
def test_route_table_subnets_and_default_route(stack, changes, subnets, hop):
    from aksnet.plan.routing import default_route_next_hop, needs_route_table, route_table_subnets
    spec = spec_of(changes, stack)
    assert route_table_subnets(spec) == subnets
    assert needs_route_table(spec) is bool(subnets)
    assert default_route_next_hop(spec) == hop


def test_a_nat_gateway_of_ours_carries_the_node_and_pod_subnets():
    # The NAT gateway is associated with each subnet whose egress it carries: the node subnet and the
    # pod subnet. https://learn.microsoft.com/azure/aks/nat-gateway#create-an-aks-cluster-with-a-user-assigned-nat-gateway
    from aksnet.plan.routing import nat_gateway_subnets
    nat = {f"{NS}:cluster.outboundType": "userAssignedNATGateway"}
    assert nat_gateway_subnets(spec_of(nat, "dev")) == ("nodes",)
    assert nat_gateway_subnets(spec_of({**nat, f"{NS}:network.spoke.subnets.pods": "192.168.64.0/18",
                                        f"{NS}:cluster.networkPlugin": "azure", f"{NS}:cluster.podCidr": None},
                                       "dev")) == ("nodes", "pods")
    assert nat_gateway_subnets(spec_of(stack="dev")) == ()
    assert nat_gateway_subnets(spec_of({f"{NS}:cluster.outboundType": "managedNATGateway"}, "dev")) == ()
    # Under userDefinedRouting the subnets' 0.0.0.0/0 route to the appliance takes precedence over a NAT
    # gateway for internet traffic, so one would carry nothing: none is deployed.
    # https://learn.microsoft.com/azure/nat-gateway/nat-overview (a UDR to a virtual appliance or virtual
    # network gateway takes precedence over NAT gateway); https://learn.microsoft.com/azure/aks/egress-outboundtype
    assert nat_gateway_subnets(spec_of(stack="prod")) == ()


# What the firewall sees a pod's traffic come from: with kubenet and CNI Overlay, the node's address
# (pods are SNATed to it, https://learn.microsoft.com/azure/aks/concepts-network-azure-cni-overlay);
# with a pod subnet, the pod's own VNet address (https://learn.microsoft.com/azure/aks/concepts-network-azure-cni-pod-subnet).
POD_SUBNET = {f"{NS}:network.spoke.subnets.pods": "10.240.128.0/17", f"{NS}:cluster.networkPluginMode": None,
              f"{NS}:cluster.podCidr": None}


@pytest.mark.parametrize("changes,sources,workload", [
    ({}, ("10.240.0.0/22",), ("10.240.0.0/22",)),
    (POD_SUBNET, ("10.240.0.0/22", "10.240.128.0/17"), ("10.240.128.0/17",)),
])
def test_firewall_and_workload_sources(changes, sources, workload):
    from aksnet.plan.egress_rules import workload_sources
    from aksnet.plan.routing import firewall_sources
    spec = spec_of(changes)
    assert firewall_sources(spec) == sources
    assert workload_sources(spec) == workload


def flow(name, to, ports):
    return {"name": name, "from": {"app": "api", "namespace": "shop"}, "to": to, "ports": ports}


def workload_rules(flows, changes=None):
    _, groups = groups_of(spec_of({**(changes or {}), f"{NS}:kubernetes.flows": flows}))
    group = groups["workload-egress"]
    assert group.priority == 300
    return {r["name"]: r for c in group.collections for r in c["rules"]}, {c["name"]: c for c in group.collections}


# Azure Firewall rule kinds: application rules filter HTTP/HTTPS to FQDNs; network rules take TCP,
# UDP, ICMP or Any with addresses or (through the DNS proxy) FQDNs, and ports or ranges.
# https://learn.microsoft.com/azure/firewall/features#application-fqdn-filtering-rules,
# https://learn.microsoft.com/azure/firewall/fqdn-filtering-network-rules,
# https://learn.microsoft.com/rest/api/firewall/firewall-policy-rule-collection-groups/create-or-update
def test_each_flow_becomes_the_firewall_rule_azure_can_match():
    rules, collections = workload_rules([
        flow("to-cidr", {"cidr": "203.0.113.0/24"}, ["TCP/443", "UDP/500-510"]),
        flow("to-web", {"fqdn": "api.example.com"}, ["TCP/443", "TCP/80"]),
        flow("to-fqdn-other", {"fqdn": "db.example.com"}, ["TCP/5432"]),
        flow("to-fqdn-udp443", {"fqdn": "quic.example.com"}, ["UDP/443"]),
        flow("to-fqdn-range", {"fqdn": "range.example.com"}, ["TCP/80-443"]),
        flow("to-any", {"cidr": "198.51.100.0/24"}, []),
    ])
    nodes = ["10.240.0.0/22"]  # Overlay: the node subnet
    assert rules["to-cidr"] == {"ruleType": "NetworkRule", "name": "to-cidr", "ipProtocols": ["TCP", "UDP"],
                                "sourceAddresses": nodes, "destinationAddresses": ["203.0.113.0/24"],
                                "destinationPorts": ["443", "500-510"]}
    assert rules["to-web"] == {"ruleType": "ApplicationRule", "name": "to-web", "sourceAddresses": nodes,
                               "targetFqdns": ["api.example.com"],
                               "protocols": [{"protocolType": "Https", "port": 443}, {"protocolType": "Http", "port": 80}]}
    assert rules["to-fqdn-other"]["ruleType"] == "NetworkRule"
    assert rules["to-fqdn-other"]["destinationFqdns"] == ["db.example.com"]
    assert rules["to-fqdn-other"]["destinationPorts"] == ["5432"] and rules["to-fqdn-other"]["ipProtocols"] == ["TCP"]
    assert rules["to-fqdn-udp443"]["ruleType"] == "NetworkRule" and rules["to-fqdn-udp443"]["ipProtocols"] == ["UDP"]
    assert rules["to-fqdn-range"]["ruleType"] == "NetworkRule"
    assert rules["to-fqdn-range"]["destinationPorts"] == ["80-443"]
    assert rules["to-any"]["ipProtocols"] == ["Any"] and rules["to-any"]["destinationPorts"] == ["*"]
    # Network rules before application rules within the group, each collection allowing.
    assert collections["flows"]["priority"] < collections["flows-and-registries"]["priority"]
    assert all(c["action"] == {"type": "Allow"} and c["ruleCollectionType"] == "FirewallPolicyFilterRuleCollection"
               for c in collections.values())


def test_an_sctp_flow_gets_no_firewall_rule_rather_than_any():
    # Azure Firewall network rules have no SCTP; widening to Any would let more through than declared.
    rules, _ = workload_rules([flow("sctp", {"cidr": "203.0.113.0/24"}, ["SCTP/3868"]),
                               flow("keep", {"cidr": "203.0.113.0/24"}, ["TCP/443"])])
    assert "sctp" not in rules and "keep" in rules


def test_registry_pulls_come_from_the_nodes_and_reach_every_host_of_the_registry():
    # The kubelet pulls images from the node's address whatever the plugin; a Docker Hub pull reaches
    # its registry, token service and blob storage (https://docs.docker.com/desktop/setup/allow-list/);
    # MCR is already allowed by the AzureKubernetesService FQDN tag.
    apps = load("prod")[f"{NS}:kubernetes"]["apps"]
    extra = [{**apps[2], "name": "hub", "image": "redis:7.4-alpine"},
             {**apps[2], "name": "ms", "image": "mcr.microsoft.com/oss/nginx/nginx:1.27"},
             {**apps[2], "name": "quay", "image": "quay.io/prometheus/node-exporter:v1.8.2"}]
    rules, _ = workload_rules([], {**POD_SUBNET, f"{NS}:kubernetes.apps": [*apps, *extra]})
    assert set(rules) == {"pull-docker-io", "pull-quay-io"}
    hub = rules["pull-docker-io"]
    assert hub["sourceAddresses"] == ["10.240.0.0/22"]
    assert hub["protocols"] == [{"protocolType": "Https", "port": 443}]
    assert {"registry-1.docker.io", "auth.docker.io", "production.cloudflare.docker.com"} <= set(hub["targetFqdns"])
    assert set(rules["pull-quay-io"]["targetFqdns"]) >= {"quay.io", "cdn01.quay.io", "cdn02.quay.io", "cdn03.quay.io"}


def test_dnat_rules_publish_on_the_firewall_address_to_the_translated_one():
    # DNAT collections: ruleCollectionType FirewallPolicyNatRuleCollection, action DNAT, a NatRule per
    # published port. https://learn.microsoft.com/azure/firewall/policy-rule-sets,
    # https://learn.microsoft.com/rest/api/firewall/firewall-policy-rule-collection-groups/create-or-update
    apps = load("prod")[f"{NS}:kubernetes"]["apps"]
    internal = {**apps[2], "name": "published", "serviceType": "InternalLoadBalancer", "staticIp": "10.240.5.10"}
    spec = spec_of({f"{NS}:kubernetes.apps": [*apps, internal],
                    f"{NS}:egress.firewall.dnatRules": [{"name": "redis", "protocol": "TCP", "port": 16379,
                                                         "translatedAddress": "10.240.5.10", "translatedPort": 6379}]})
    _, groups = groups_of(spec)
    publish = groups["publish"]
    assert publish.priority == 100
    (collection,) = publish.collections
    assert collection["ruleCollectionType"] == "FirewallPolicyNatRuleCollection"
    assert collection["action"] == {"type": "DNAT"}
    assert collection["rules"] == [{"ruleType": "NatRule", "name": "redis", "ipProtocols": ["TCP"], "sourceAddresses": ["*"],
                                    "destinationAddresses": ["firewall-public-address-1"], "destinationPorts": ["16379"],
                                    "translatedAddress": "10.240.5.10", "translatedPort": "6379"}]
    # The published app admits the firewall's subnet (DNAT traffic leaves from the firewall's private
    # address, https://learn.microsoft.com/azure/firewall/firewall-faq) on the translated port.
    from aksnet.plan.manifests import published_flows
    ((key, published),) = published_flows(spec)
    assert key == "egress.firewall.dnatRules[0]"
    assert str(published.source.cidr) == "10.200.0.0/26"
    assert (published.destination.app, published.destination.namespace) == ("published", "shop")
    assert [(p.protocol, p.port) for p in published.ports] == [("TCP", 6379)]


def test_without_routed_egress_no_workload_group():
    _, groups = groups_of(spec_of(), routed=False)
    assert "workload-egress" not in groups


# Kubernetes objects ---------------------------------------------------------------------------

def objects_of(changes=None, stack="prod"):
    from aksnet.plan.manifests import kubernetes_objects
    return kubernetes_objects(spec_of(changes, stack))


def one(objects, kind, name, namespace=None):
    found = [o for o in objects if o["kind"] == kind and o["metadata"]["name"] == name
             and (namespace is None or o["metadata"].get("namespace") == namespace)]
    assert len(found) == 1, (kind, name, [(o["kind"], o["metadata"]["name"]) for o in objects])
    return found[0]


def test_an_internal_service_carries_azures_internal_annotations():
    # https://learn.microsoft.com/azure/aks/internal-lb: type LoadBalancer with
    # azure-load-balancer-internal "true", the subnet by its Azure name, the static address in azure-load-balancer-ipv4;
    # the Service's targetPort is the container's port.
    service = one(objects_of(stack="dev"), "Service", "internal-api", "development")
    assert service["spec"]["type"] == "LoadBalancer"
    assert service["metadata"]["annotations"] == {
        "service.beta.kubernetes.io/azure-load-balancer-internal": "true",
        "service.beta.kubernetes.io/azure-load-balancer-internal-subnet": "snet-ilb",
        "service.beta.kubernetes.io/azure-load-balancer-ipv4": "192.168.2.10"}
    assert service["spec"]["ports"] == [{"name": "http", "port": 80, "targetPort": 8080, "protocol": "TCP"}]
    objects = objects_of(stack="dev")
    assert one(objects, "Service", "store", "development")["spec"]["type"] == "ClusterIP"
    assert one(objects, "Service", "frontend", "development")["spec"]["type"] == "LoadBalancer"
    assert "annotations" not in one(objects, "Service", "frontend", "development")["metadata"]


def test_deployments_meet_the_restricted_pod_security_standard():
    # https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted: no privilege
    # escalation, every capability dropped, non-root (a non-zero uid), seccomp RuntimeDefault; no
    # hostPath volumes (baseline). The service account token is not mounted (the apps call no API).
    for deployment in (o for o in objects_of() if o["kind"] == "Deployment"):
        pod = deployment["spec"]["template"]["spec"]
        (container,) = pod["containers"]
        security = container["securityContext"]
        assert security["allowPrivilegeEscalation"] is False and security["capabilities"] == {"drop": ["ALL"]}
        assert security["runAsNonRoot"] is True and security["runAsUser"] != 0
        assert security["readOnlyRootFilesystem"] is True
        assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
        assert pod["securityContext"]["runAsNonRoot"] is True and pod["securityContext"]["runAsUser"] != 0
        assert pod["automountServiceAccountToken"] is False
        assert all(set(v) == {"name", "emptyDir"} for v in pod["volumes"])
        assert deployment["apiVersion"] == "apps/v1"
        assert deployment["spec"]["selector"] == {"matchLabels": deployment["spec"]["template"]["metadata"]["labels"]}


def test_probes_are_on_the_container_port():
    # The web app of prod: readiness and liveness httpGet on / (AGIC builds the gateway's probe from it,
    # https://learn.microsoft.com/azure/application-gateway/ingress-controller-add-health-probes); the
    # cache without probes gets TCP checks on its first container port.
    objects = objects_of()
    (web,) = one(objects, "Deployment", "web", "shop")["spec"]["template"]["spec"]["containers"]
    assert web["ports"] == [{"name": "http", "containerPort": 8080, "protocol": "TCP"}]
    assert web["readinessProbe"]["httpGet"] == {"path": "/", "port": 8080}
    assert "initialDelaySeconds" not in web["readinessProbe"] and web["livenessProbe"]["initialDelaySeconds"] > 0
    (cache,) = one(objects, "Deployment", "cache", "shop")["spec"]["template"]["spec"]["containers"]
    assert cache["readinessProbe"]["tcpSocket"] == {"port": 6379}
    assert cache["imagePullPolicy"] == "Always"


def test_agic_ingress_is_networking_v1_with_its_class_and_tls_annotations():
    # https://kubernetes.io/docs/concepts/services-networking/ingress/ (v1, ingressClassName, pathType
    # Prefix, service backends); AGIC's class and its appgw-ssl-certificate and ssl-redirect annotations:
    # https://azure.github.io/application-gateway-kubernetes-ingress/annotations/
    ingress = one(objects_of(), "Ingress", "shop", "shop")
    assert ingress["apiVersion"] == "networking.k8s.io/v1"
    assert ingress["spec"]["ingressClassName"] == "azure-application-gateway"
    assert ingress["metadata"]["annotations"] == {"appgw.ingress.kubernetes.io/appgw-ssl-certificate": "shop-tls",
                                                  "appgw.ingress.kubernetes.io/ssl-redirect": "true"}
    (rule,) = ingress["spec"]["rules"]
    assert rule["host"] == "shop.example.com"
    assert rule["http"]["paths"] == [
        {"path": "/", "pathType": "Prefix", "backend": {"service": {"name": "web", "port": {"number": 80}}}},
        {"path": "/api", "pathType": "Prefix", "backend": {"service": {"name": "api", "port": {"number": 8080}}}}]


# The application routing add-on's NGINX: ingressProfile.webAppRouting with defaultIngressControllerType
# External, Internal or None (https://learn.microsoft.com/azure/aks/app-routing-nginx-configuration,
# https://learn.microsoft.com/rest/api/aks/managed-clusters/create-or-update#managedclusteringressprofilenginx);
# its class webapprouting.kubernetes.azure.com, its pods in app-routing-system
# (https://learn.microsoft.com/azure/aks/app-routing); a controller of our own by NginxIngressController
# with the internal load balancer annotations.
@pytest.mark.parametrize("nginx,kind,ingress_class", [
    ({"visibility": "public"}, "External", "webapprouting.kubernetes.azure.com"),
    ({"visibility": "internal"}, "Internal", "webapprouting.kubernetes.azure.com"),
    ({"visibility": "internal", "staticIp": "192.168.2.20"}, "None", "nginx-internal"),
])
def test_app_routing_nginx_profile_and_class(nginx, kind, ingress_class):
    from aksnet.plan.cluster_profile import ingress_profile
    from aksnet.plan.manifests import ingress_class as class_of
    from aksnet.plan.manifests import ingress_controller
    spec = spec_of({f"{NS}:ingress": {"controller": "nginx", "nginx": nginx}}, "dev")
    assert ingress_profile(spec.ingress) == {"webAppRouting": {"enabled": True,
                                                               "nginx": {"defaultIngressControllerType": kind}}}
    assert class_of(spec) == ingress_class
    assert ingress_controller(spec).peer() == {
        "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "app-routing-system"}}}
    controllers = [o for o in objects_of({f"{NS}:ingress": {"controller": "nginx", "nginx": nginx}}, "dev")
                   if o["kind"] == "NginxIngressController"]
    if "staticIp" not in nginx:
        assert controllers == []
        return
    (controller,) = controllers
    assert controller["apiVersion"] == "approuting.kubernetes.azure.com/v1alpha1"
    assert controller["spec"]["ingressClassName"] == "nginx-internal"
    assert controller["spec"]["loadBalancerAnnotations"] == {
        "service.beta.kubernetes.io/azure-load-balancer-internal": "true",
        "service.beta.kubernetes.io/azure-load-balancer-internal-subnet": "snet-ilb",
        "service.beta.kubernetes.io/azure-load-balancer-ipv4": "192.168.2.20"}


def test_add_on_profiles_use_the_aks_add_on_names():
    # Add-on keys: azurepolicy (https://learn.microsoft.com/azure/governance/policy/concepts/policy-for-kubernetes)
    # and ingressApplicationGateway with config.applicationGatewayId
    # (https://learn.microsoft.com/azure/application-gateway/tutorial-ingress-controller-add-on-existing).
    from aksnet.plan.cluster_profile import addon_profiles
    spec = spec_of()
    assert addon_profiles(spec.cluster, spec.ingress, "GW-ID") == {
        "azurepolicy": {"enabled": True},
        "ingressApplicationGateway": {"enabled": True, "config": {"applicationGatewayId": "GW-ID"}}}
    dev = spec_of(stack="dev")
    assert addon_profiles(dev.cluster, dev.ingress) == {}
    assert __import__("aksnet.plan.cluster_profile", fromlist=["x"]).ingress_profile(dev.ingress) is None


# Which public API servers must authorize the stack's egress addresses: limited to authorized ranges,
# not private, not VNet-integrated, and leaving through addresses the stack chooses (a NAT gateway or
# an appliance). With loadBalancer AKS authorizes its own outbound IPs.
# https://learn.microsoft.com/azure/aks/api-server-authorized-ip-ranges, https://learn.microsoft.com/azure/aks/nat-gateway
@pytest.mark.parametrize("changes,expected", [
    ({}, False),  # dev: loadBalancer
    ({f"{NS}:cluster.outboundType": "userAssignedNATGateway"}, True),
    ({f"{NS}:cluster.outboundType": "userDefinedRouting", f"{NS}:cluster.egressNextHopIp": "192.168.3.4"}, True),
    ({f"{NS}:cluster.outboundType": "managedNATGateway"}, False),
    ({f"{NS}:cluster.outboundType": "userAssignedNATGateway", f"{NS}:cluster.authorizedIpRanges": []}, False),
    ({f"{NS}:cluster.outboundType": "userAssignedNATGateway", f"{NS}:cluster.apiServerVnetIntegration": True}, False),
    ({f"{NS}:cluster.outboundType": "userAssignedNATGateway", f"{NS}:cluster.private": True}, False),
])
def test_when_nodes_reach_the_api_server_through_chosen_egress(changes, expected):
    from aksnet.plan.cluster_profile import nodes_reach_api_through_egress
    assert nodes_reach_api_through_egress(spec_of(changes, "dev").cluster) is expected


def test_egress_addresses_join_the_authorized_ranges_as_single_addresses():
    from aksnet.plan.cluster_profile import authorized_ranges_with
    cluster = spec_of(stack="dev").cluster  # 203.0.113.0/24
    assert authorized_ranges_with(cluster, ["203.0.113.7", "198.51.100.4", "198.51.100.4"]) == [
        "203.0.113.0/24", "198.51.100.4/32"]


def test_gateway_listens_on_80_alone_without_tls():
    from aksnet.plan.security_rules import subnet_rules
    ingresses = load("prod")[f"{NS}:kubernetes"]["ingresses"]
    plain = [{k: v for k, v in i.items() if k != "tlsSecret"} for i in ingresses]
    rules = subnet_rules(spec_of({f"{NS}:kubernetes.ingresses": plain}))["appgw"]
    (listeners,) = [r for r in rules if r.source == "Internet"]
    assert tuple(listeners.ports) == ("80",)


# The node subnet's NSG admits the internet on the ports of the public load balancers the cluster
# serves (public LoadBalancer Services, a public NGINX on 80 and 443, Envoy Gateway's proxies on the
# Gateways' ports); an internal load balancer needs no internet rule.
# https://learn.microsoft.com/azure/aks/concepts-network#network-security-groups
@pytest.mark.parametrize("changes,expected", [
    ({}, [("Tcp", ("80",))]),  # dev: frontend LoadBalancer on 80, Envoy Gateway on 80
    ({f"{NS}:ingress": {"controller": "nginx", "nginx": {"visibility": "public"}}}, [("Tcp", ("443", "80"))]),
    ({f"{NS}:ingress": {"controller": "nginx", "nginx": {"visibility": "internal"}}}, [("Tcp", ("80",))]),
    ({f"{NS}:kubernetes.apps[1].serviceType": "ClusterIP", f"{NS}:kubernetes.ingresses": [],
      f"{NS}:kubernetes.flows": []}, None),
    # Envoy Gateway alone: 80 for a plain Gateway, 80 and 443 with TLS.
    ({f"{NS}:kubernetes.apps[1].serviceType": "ClusterIP", f"{NS}:kubernetes.flows": []}, [("Tcp", ("80",))]),
    ({f"{NS}:kubernetes.apps[1].serviceType": "ClusterIP", f"{NS}:kubernetes.flows": [],
      f"{NS}:kubernetes.ingresses[0].tlsSecret": "webapp-tls"}, [("Tcp", ("443", "80"))]),
    ({f"{NS}:kubernetes.apps[2].serviceType": "LoadBalancer",
      f"{NS}:kubernetes.apps[2].ports": [{"name": "dns", "port": 53, "protocol": "UDP"}]},
     [("Tcp", ("80",)), ("Udp", ("53",))]),
])
def test_node_subnet_admits_the_internet_on_public_load_balancer_ports(changes, expected):
    from aksnet.plan.security_rules import subnet_rules
    rules = subnet_rules(spec_of(changes, "dev")).get("nodes")
    if expected is None:
        assert rules is None
        return
    assert all((r.direction, r.access, r.source, r.destination) == ("Inbound", "Allow", "Internet", "*") for r in rules)
    assert sorted((r.protocol, tuple(sorted(r.ports))) for r in rules) == expected
    assert all(100 <= r.priority < 300 for r in rules)


# A spoke's ILB subnet admits the other spokes' ranges by address: they are not in its VirtualNetwork
# tag (peering is not transitive, https://learn.microsoft.com/azure/virtual-network/virtual-network-peering-overview)
# and the hub firewall forwards them unSNATed (https://learn.microsoft.com/azure/firewall/snat-private-range).
# NSG priorities run from 100 to 4096 (https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview).
@pytest.mark.parametrize("ports,static,expected_ports", [
    (["TCP/8080"], True, ("8080",)),
    (["TCP/8000-8080"], True, ("8080",)),
    (["TCP/8080-8090"], False, ("8080",)),
    (["TCP/8081"], True, None),
    (["UDP/8080"], True, None),
    ([], True, ("8080",)),
])
def test_cross_spoke_flows_open_the_ilb_subnet_to_their_source_range(ports, static, expected_ports):
    from aksnet.plan.security_rules import cross_spoke_inbound
    changes = {f"{NS}:kubernetes.flows[0].ports": ports}
    if not static:
        changes[f"{NS}:kubernetes.apps[0].staticIp"] = DELETE
    rules = cross_spoke_inbound(spec_of(changes, "spoke-b"))
    if expected_ports is None:
        assert rules == ()
        return
    (rule,) = rules
    assert (rule.direction, rule.access, rule.protocol, rule.source) == ("Inbound", "Allow", "Tcp", "10.110.0.0/22")
    assert rule.destination == ("10.120.4.10/32" if static else "10.120.4.0/28")
    assert tuple(rule.ports) == expected_ports
    assert 300 <= rule.priority <= 4096


def test_a_hub_and_spoke_stack_of_its_own_needs_no_cross_spoke_rules():
    from aksnet.plan.security_rules import cross_spoke_inbound
    assert cross_spoke_inbound(spec_of()) == () and cross_spoke_inbound(spec_of(stack="dev")) == ()


# NetworkPolicies ------------------------------------------------------------------------------
# https://kubernetes.io/docs/concepts/services-networking/network-policies/: an empty podSelector
# selects every pod of the namespace; policyTypes [Ingress, Egress] with no rules denies both; a peer
# with namespaceSelector and podSelector in one element needs both; CoreDNS pods carry
# k8s-app=kube-dns in kube-system (https://kubernetes.io/docs/tasks/administer-cluster/dns-custom-nameservers/)
# and answer on UDP and TCP 53; namespaces carry kubernetes.io/metadata.name
# (https://kubernetes.io/docs/reference/labels-annotations-taints/#kubernetes-io-metadata-name).
def policies_of(changes=None, stack="prod"):
    return {(o["metadata"]["namespace"], o["metadata"]["name"]): o["spec"]
            for o in objects_of(changes, stack) if o["kind"] == "NetworkPolicy"}


def test_default_deny_and_dns_policies():
    policies = policies_of()
    assert policies[("shop", "default-deny")] == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
    assert policies[("shop", "allow-dns")] == {
        "podSelector": {}, "policyTypes": ["Egress"],
        "egress": [{"to": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
                            "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}}],
                    "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}]}]}


def test_a_flow_between_apps_is_an_egress_and_an_ingress_policy_on_container_ports():
    policies = policies_of()
    api = {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "shop"}},
           "podSelector": {"matchLabels": {"app": "shop", "tier": "api"}}}
    cache = {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "shop"}},
             "podSelector": {"matchLabels": {"app": "shop", "tier": "cache"}}}
    assert policies[("shop", "api-to-cache-egress")] == {
        "podSelector": api["podSelector"], "policyTypes": ["Egress"],
        "egress": [{"to": [cache], "ports": [{"protocol": "TCP", "port": 6379}]}]}
    assert policies[("shop", "api-to-cache-ingress")] == {
        "podSelector": cache["podSelector"], "policyTypes": ["Ingress"],
        "ingress": [{"from": [api], "ports": [{"protocol": "TCP", "port": 6379}]}]}
    # web-to-api names the Service port `http`: the api's container port 8080, as the pod sees it.
    assert policies[("shop", "web-to-api-ingress")]["ingress"][0]["ports"] == [{"protocol": "TCP", "port": "http"}]
    # An egress flow to a CIDR: an ipBlock peer, no ingress policy anywhere.
    assert policies[("shop", "api-to-payments-egress")]["egress"] == [
        {"to": [{"ipBlock": {"cidr": "203.0.113.0/24"}}], "ports": [{"protocol": "TCP", "port": 443}]}]
    assert ("shop", "api-to-payments-ingress") not in policies


def test_agic_reaches_backends_from_the_gateway_subnet_on_the_container_port():
    # AGIC's gateway sends to pod addresses from its own subnet:
    # https://learn.microsoft.com/azure/application-gateway/ingress-controller-overview
    policies = policies_of()
    web = policies[("shop", "ingress-shop-web-80-ingress")]
    assert web["policyTypes"] == ["Ingress"]
    assert web["ingress"] == [{"from": [{"ipBlock": {"cidr": "10.240.4.0/24"}}],
                               "ports": [{"protocol": "TCP", "port": 8080}]}]


def test_ports_ranges_and_excepts_are_kept():
    # endPort makes a range (https://kubernetes.io/docs/concepts/services-networking/network-policies/#targeting-a-range-of-ports);
    # except removes ranges from an ipBlock.
    flows = [{"name": "api-out", "from": {"app": "api", "namespace": "shop"},
              "to": {"cidr": "203.0.113.0/24", "except": ["203.0.113.128/25"]}, "ports": ["TCP/8000-8100"]}]
    spec = policies_of({f"{NS}:kubernetes.flows": flows})[("shop", "api-out-egress")]
    assert spec["egress"] == [{"to": [{"ipBlock": {"cidr": "203.0.113.0/24", "except": ["203.0.113.128/25"]}}],
                               "ports": [{"protocol": "TCP", "port": 8000, "endPort": 8100}]}]


def test_a_namespace_endpoint_selects_by_namespace_name_and_a_flow_without_ports_allows_all():
    flows = [{"name": "shop-to-api", "from": {"namespace": "shop"}, "to": {"app": "api", "namespace": "shop"}}]
    policies = policies_of({f"{NS}:kubernetes.flows": flows})
    egress = policies[("shop", "shop-to-api-egress")]
    assert egress["podSelector"] == {} and "ports" not in egress["egress"][0]
    ingress = policies[("shop", "shop-to-api-ingress")]
    assert ingress["ingress"] == [{"from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "shop"}},
                                             "podSelector": {}}]}]


# Capacity, at the limit and one over ------------------------------------------------------------

# Application Gateway v2's subnet holds one address per instance at maximum capacity, one for a
# private frontend, and Azure's five: https://learn.microsoft.com/azure/application-gateway/configuration-infrastructure#size-of-the-subnet
@pytest.mark.parametrize("capacity,private_ip,fits", [
    (10, "10.240.4.4", True), (11, "10.240.4.4", False), (11, None, True), (12, None, False)])
def test_gateway_subnet_holds_instances_and_a_private_frontend(capacity, private_ip, fits):
    changes = {f"{NS}:network.spoke.subnets.appgw": "10.240.4.0/28", f"{NS}:ingress.appGateway.maxCapacity": capacity}
    if private_ip:
        changes[f"{NS}:ingress.appGateway.privateIp"] = private_ip
    found = problems_at(variant(load("prod"), changes), f"{NS}:network.spoke.subnets.appgw")
    assert (not any("usable addresses" in m for m in found)) is fits, found


# Gateway API ----------------------------------------------------------------------------------
# gateway.networking.k8s.io/v1 Gateway and HTTPRoute (https://gateway-api.sigs.k8s.io/reference/spec/):
# a listener per protocol and port (HTTP 80; HTTPS 443 terminating TLS with a Secret certificateRef),
# routes from the Gateway's own namespace, PathPrefix matches; HTTP redirected to HTTPS with a
# RequestRedirect filter (https://gateway-api.sigs.k8s.io/guides/http-redirect-rewrite/).
def gateway_objects_of(changes=None, stack="dev"):
    return [o for o in objects_of(changes, stack) if o["apiVersion"].startswith("gateway.networking.k8s.io/")]


def test_a_plain_ingress_is_a_gateway_on_80_and_a_route_to_it():
    objects = gateway_objects_of()
    assert {o["apiVersion"] for o in objects} == {"gateway.networking.k8s.io/v1"}
    gateway_class = one(objects, "GatewayClass", "envoy-gateway")
    assert gateway_class["spec"] == {"controllerName": "gateway.envoyproxy.io/gatewayclass-controller"}
    gateway = one(objects, "Gateway", "webapp", "development")
    assert gateway["spec"] == {"gatewayClassName": "envoy-gateway", "listeners": [
        {"name": "http", "protocol": "HTTP", "port": 80, "hostname": "webapp.dev.example.com",
         "allowedRoutes": {"namespaces": {"from": "Same"}}}]}
    route = one(objects, "HTTPRoute", "webapp", "development")
    assert route["spec"] == {"parentRefs": [{"name": "webapp", "sectionName": "http"}],
                             "hostnames": ["webapp.dev.example.com"], "rules": [
        {"matches": [{"path": {"type": "PathPrefix", "value": "/a"}}], "backendRefs": [{"name": "frontend", "port": 80}]},
        {"matches": [{"path": {"type": "PathPrefix", "value": "/b"}}], "backendRefs": [{"name": "backend", "port": 80}]}]}


def test_a_tls_ingress_terminates_on_443_and_redirects_80():
    objects = gateway_objects_of({f"{NS}:kubernetes.ingresses[0].tlsSecret": "webapp-tls"})
    gateway = one(objects, "Gateway", "webapp", "development")
    https = [listener for listener in gateway["spec"]["listeners"] if listener["name"] == "https"]
    assert https == [{"name": "https", "protocol": "HTTPS", "port": 443, "hostname": "webapp.dev.example.com",
                      "tls": {"mode": "Terminate", "certificateRefs": [{"kind": "Secret", "name": "webapp-tls"}]},
                      "allowedRoutes": {"namespaces": {"from": "Same"}}}]
    assert one(objects, "HTTPRoute", "webapp", "development")["spec"]["parentRefs"] == [
        {"name": "webapp", "sectionName": "https"}]
    redirect = one(objects, "HTTPRoute", "webapp-redirect", "development")["spec"]
    assert redirect["parentRefs"] == [{"name": "webapp", "sectionName": "http"}]
    assert redirect["rules"] == [{"filters": [{"type": "RequestRedirect",
                                               "requestRedirect": {"scheme": "https", "statusCode": 301}}]}]


def test_under_gitops_the_controller_chart_is_a_flux_oci_helm_release():
    # https://fluxcd.io/flux/components/source/helmrepositories/#helm-oci-repository (source.toolkit.fluxcd.io/v1,
    # type oci) and https://fluxcd.io/flux/components/helm/helmreleases/#crds (helm.toolkit.fluxcd.io/v2,
    # CRDs Create on install, CreateReplace on upgrade).
    objects = objects_of({f"{NS}:kubernetes.delivery": "gitops",
                          f"{NS}:kubernetes.gitops": {"url": "https://github.com/contoso/x", "branch": "main",
                                                      "path": "deploy/dev"}}, "dev")
    repository = one(objects, "HelmRepository", "eg-charts", "flux-system")
    assert repository["apiVersion"] == "source.toolkit.fluxcd.io/v1"
    assert repository["spec"]["type"] == "oci" and repository["spec"]["url"] == "oci://docker.io/envoyproxy"
    release = one(objects, "HelmRelease", "eg", "flux-system")
    assert release["apiVersion"] == "helm.toolkit.fluxcd.io/v2"
    assert release["spec"]["install"] == {"createNamespace": True, "crds": "Create"}
    assert release["spec"]["upgrade"] == {"crds": "CreateReplace"}
    assert release["spec"]["chart"]["spec"]["sourceRef"] == {"kind": "HelmRepository", "name": "eg-charts",
                                                             "namespace": "flux-system"}


def test_agc_gateways_name_their_resource_and_frontend_and_admit_the_agc_subnet():
    # https://learn.microsoft.com/azure/application-gateway/for-containers/quickstart-create-application-gateway-for-containers-byo-deployment
    # and https://learn.microsoft.com/azure/application-gateway/for-containers/container-networking (the
    # proxies reach pods from the association's subnet).
    from tests.stacks import example
    config = example("agc")
    spec = load_spec(config, "agc")
    from aksnet.plan.manifests import ingress_controller, kubernetes_objects
    objects = kubernetes_objects(spec)
    (gateway,) = [o for o in objects if o["kind"] == "Gateway"]
    assert gateway["metadata"]["annotations"] == {"alb.networking.azure.io/alb-id": "${AGC_RESOURCE_ID}"}
    assert gateway["spec"]["gatewayClassName"] == "azure-alb-external"
    assert gateway["spec"]["addresses"] == [{"type": "alb.networking.azure.io/alb-frontend",
                                             "value": f"fe-{gateway['metadata']['name']}"}]
    assert ingress_controller(spec).peer() == {"ipBlock": {"cidr": "10.240.4.0/24"}}


# Names, zones, diagnostics ----------------------------------------------------------------------

def test_fixed_subnets_keep_azures_names_and_api_server_zones_follow_the_mode():
    # Azure accepts these subnets only under their exact names (https://learn.microsoft.com/azure/firewall/firewall-faq,
    # https://learn.microsoft.com/azure/bastion/configuration-settings,
    # https://learn.microsoft.com/azure/vpn-gateway/vpn-gateway-about-vpn-gateway-settings#gwsub);
    # the API server's zone: privatelink.<region>.azmk8s.io, or private.<region>.azmk8s.io with VNet
    # integration (https://learn.microsoft.com/azure/aks/private-clusters#configure-a-private-dns-zone).
    from aksnet.plan.naming import api_server_zone_name, subnet_name
    for fixed in ("AzureFirewallSubnet", "AzureFirewallManagementSubnet", "AzureBastionSubnet", "GatewaySubnet"):
        assert subnet_name(fixed) == fixed
    assert subnet_name("nodes") == "snet-nodes"
    assert api_server_zone_name("westeurope", False) == "privatelink.westeurope.azmk8s.io"
    assert api_server_zone_name("westeurope", True) == "private.westeurope.azmk8s.io"


def test_diagnostic_settings_use_categories_the_services_publish():
    # Firewall, Application Gateway, Container Registry: every log (allLogs) into resource-specific
    # tables; Bastion's BastionAuditLogs and Key Vault's audit group, which have no such tables
    # (https://learn.microsoft.com/azure/bastion/diagnostic-logs, https://learn.microsoft.com/azure/key-vault/general/logging);
    # AKS: kube-apiserver, kube-audit-admin, guard, kube-controller-manager, cluster-autoscaler
    # (https://learn.microsoft.com/azure/aks/monitor-aks-reference#resource-logs);
    # VNet flow logs JSON version 2, traffic analytics every 10 or 60 minutes
    # (https://learn.microsoft.com/azure/network-watcher/vnet-flow-logs-overview,
    # https://learn.microsoft.com/azure/network-watcher/traffic-analytics).
    from aksnet.plan.diagnostics import DIAGNOSTICS, FLOW_LOG_FORMAT, TRAFFIC_ANALYTICS_INTERVAL
    expected = {"firewall": ([{"categoryGroup": "allLogs", "enabled": True}], True),
                "appGateway": ([{"categoryGroup": "allLogs", "enabled": True}], True),
                "registry": ([{"categoryGroup": "allLogs", "enabled": True}], True),
                "bastion": ([{"category": "BastionAuditLogs", "enabled": True}], False),
                "keyVault": ([{"categoryGroup": "audit", "enabled": True}], False),
                "cluster": ([{"category": c, "enabled": True} for c in
                             ("kube-apiserver", "kube-audit-admin", "guard", "kube-controller-manager",
                              "cluster-autoscaler")], True)}
    assert {key: (settings.logs(), settings.dedicated) for key, settings in DIAGNOSTICS.items()} == expected
    assert FLOW_LOG_FORMAT == {"type": "JSON", "version": 2}
    assert TRAFFIC_ANALYTICS_INTERVAL in (10, 60)


# Required outbound, registries ----------------------------------------------------------------

def test_aks_required_outbound_lists_are_the_documented_ones():
    # https://learn.microsoft.com/azure/aks/outbound-rules-control-egress, Azure Global required FQDNs.
    from aksnet.plan.outbound import AKS_FQDN_TAG, AKS_REQUIRED_FQDNS, AKS_TAG_FQDNS, public_api_server_fqdn
    assert AKS_FQDN_TAG == "AzureKubernetesService"
    assert set(AKS_TAG_FQDNS) == {"mcr.microsoft.com", "*.data.mcr.microsoft.com", "mcr-0001.mcr-msedge.net",
                                  "management.azure.com", "login.microsoftonline.com", "packages.microsoft.com",
                                  "acs-mirror.azureedge.net", "packages.aks.azure.com"}
    assert set(AKS_REQUIRED_FQDNS) <= set(AKS_TAG_FQDNS)
    assert {"mcr.microsoft.com", "management.azure.com", "login.microsoftonline.com", "packages.aks.azure.com",
            "acs-mirror.azureedge.net"} == set(AKS_REQUIRED_FQDNS)
    assert public_api_server_fqdn("westeurope").endswith(".hcp.westeurope.azmk8s.io")


@pytest.mark.parametrize("image,host", [
    ("redis:7", "docker.io"), ("library/redis:7", "docker.io"), ("bitnami/redis:7", "docker.io"),
    ("localhost/app:1", "localhost"), ("registry:5000/app:1", "registry:5000"),
    ("GHCR.IO/owner/app:1", "ghcr.io"), ("mcr.microsoft.com/oss/nginx/nginx:1", "mcr.microsoft.com"),
])
def test_image_registry_is_read_as_the_container_runtime_does(image, host):
    # The first path component is a registry host when it holds a dot or a port, or is localhost;
    # hosts are case-insensitive (https://github.com/distribution/reference/blob/main/normalize.go).
    from aksnet.plan.outbound import image_registry
    assert image_registry(image) == host


def test_a_registry_private_endpoint_answers_for_its_login_server_and_regional_data_endpoint():
    # <registry>.<region>.data.azurecr.io, lower case:
    # https://learn.microsoft.com/azure/container-registry/container-registry-dedicated-data-endpoints
    from aksnet.plan.outbound import registry_endpoints
    spec = spec_of()
    assert registry_endpoints(spec.registry, "westeurope") == (
        "contosoaksnetprod.azurecr.io", "contosoaksnetprod.westeurope.data.azurecr.io")


def test_registry_fqdns_include_their_blob_hosts():
    # https://docs.docker.com/desktop/setup/allow-list/, https://access.redhat.com/articles/7084334,
    # GitHub's packages domains (https://api.github.com/meta), MCR's data endpoints (AKS outbound page).
    from aksnet.plan.outbound import registry_fqdns
    assert {"registry-1.docker.io", "auth.docker.io", "production.cloudflare.docker.com"} <= set(registry_fqdns("docker.io"))
    assert set(registry_fqdns("ghcr.io")) == {"ghcr.io", "pkg-containers.githubusercontent.com"}
    assert set(registry_fqdns("mcr.microsoft.com")) == {"mcr.microsoft.com", "*.data.mcr.microsoft.com"}
    assert {"quay.io", "cdn01.quay.io", "cdn02.quay.io", "cdn03.quay.io"} <= set(registry_fqdns("quay.io"))
    assert registry_fqdns("registry.example.com") == ("registry.example.com",)


# The plan's own decisions -------------------------------------------------------------------------

def plan_of(changes=None, stack="prod"):
    from aksnet.plan.plan import make_plan
    spec = spec_of(changes, stack)
    return make_plan(spec, plan_addresses(spec))


def test_the_resolver_takes_the_first_address_azure_hands_out():
    # Azure keeps the first four addresses of a subnet (https://learn.microsoft.com/azure/virtual-network/virtual-networks-faq):
    # 10.200.0.128/28's first usable is .132.
    assert plan_of().dns_resolver_address == "10.200.0.132"


@pytest.mark.parametrize("stack,changes,zone,through_firewall", [
    ("prod", {}, "privatelink.westeurope.azmk8s.io", True),
    ("prod", {f"{NS}:cluster.apiServerVnetIntegration": True,
              f"{NS}:network.spoke.subnets.apiserver": "10.240.7.0/28"}, "private.westeurope.azmk8s.io", True),
    ("prod", {f"{NS}:cluster.privateDnsZone": "system"}, None, True),
    ("prod", {f"{NS}:egress.firewall.dnsProxy": False}, "privatelink.westeurope.azmk8s.io", False),
    ("dev", {}, None, False),
])
def test_api_server_zone_and_dns_through_the_firewall(stack, changes, zone, through_firewall):
    # The zone of our own only for a private cluster with privateDnsZone hub; spokes resolve through the
    # firewall's DNS proxy when it has one (https://learn.microsoft.com/azure/firewall/dns-details).
    plan = plan_of(changes, stack)
    assert plan.api_server_zone == zone
    assert plan.dns_through_firewall is through_firewall


def test_the_registry_is_zone_redundant_in_production_where_the_region_has_zones():
    # https://learn.microsoft.com/azure/container-registry/zone-redundancy
    assert plan_of().registry_zone_redundant is True
    assert plan_of({f"{NS}:environment.production": False}).registry_zone_redundant is False
    # West India has no availability zones (https://learn.microsoft.com/azure/reliability/availability-zones-region-support).
    assert plan_of({"azure-native:location": "westindia"}).registry_zone_redundant is False


def test_workload_rules_only_when_egress_takes_the_firewall():
    assert "workload-egress" in {g.name for g in plan_of().firewall.groups}
    plan = plan_of({f"{NS}:cluster.outboundType": "loadBalancer"})
    assert plan.firewall is not None and "workload-egress" not in {g.name for g in plan.firewall.groups}
    assert plan.default_route_next_hop is None


def test_a_spoke_refuses_a_hub_contract_it_cannot_read():
    from aksnet.plan.hub_contract import ContractError, read_contract
    good = {"version": 1, "location": "westeurope", "resourceGroupName": "rg", "addressSpace": ["10.200.0.0/24"],
            "vnetId": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/hub",
            "vnetName": "hub", "firewallPrivateIp": "10.200.0.4", "dnsProxy": False, "dnsZoneIds": {},
            "firewallPolicyId": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/firewallPolicies/p"}
    contract = read_contract(good, "hub", "spoke-a")
    assert (contract.firewall_policy_group, contract.firewall_policy_name, contract.dns_proxy) == ("rg", "p", False)
    for broken in ({"version": 2}, {"firewallPrivateIp": "hub-firewall"}, {"addressSpace": ["10.200.0.1/24"]}):
        with pytest.raises(ContractError):
            read_contract({**good, **broken}, "hub", "spoke-a")


def test_the_service_range_row_counts_what_kubernetes_allocates():
    # The API server's ClusterIP allocator leaves out an IPv4 range's network and broadcast addresses
    # (https://github.com/kubernetes/kubernetes/blob/master/pkg/registry/core/service/ipallocator/bitmap.go,
    # NewAllocatorCIDRRange): a /16 holds 65,534.
    rows = [r for r in plan_addresses(spec_of()).rows if r.role == "Kubernetes services"]
    assert [(r.cidr, r.size, r.usable) for r in rows] == [("172.16.0.0/16", 65536, 65534)]


@pytest.mark.parametrize("reserved", ["169.254.0.0/16", "172.30.0.0/16", "172.31.0.0/16", "192.0.2.0/24"])
def test_a_pod_cidr_in_a_range_aks_reserves_is_refused(reserved):
    # Same prerequisite as the service CIDR's (https://learn.microsoft.com/azure/aks/configure-kubenet).
    config = variant(load("dev"), {f"{NS}:cluster.podCidr": reserved})
    assert any("which AKS reserves" in m for m in problems_at(config, f"{NS}:cluster.podCidr", "dev"))


def test_pod_and_service_ranges_must_not_overlap():
    # https://learn.microsoft.com/azure/aks/configure-kubenet: the pod CIDR must not overlap the service CIDR.
    config = variant(load("dev"), {f"{NS}:cluster.podCidr": "10.0.0.0/16"})
    assert any("the service CIDR" in m for m in problems_at(config, f"{NS}:cluster.podCidr", "dev"))
    assert problems_at(load("dev"), f"{NS}:cluster.podCidr", "dev") == []


def test_api_server_vnet_integration_is_sent_for_public_and_private_clusters():
    # API server VNet integration serves public and private clusters alike, in a delegated subnet:
    # https://learn.microsoft.com/azure/aks/api-server-vnet-integration
    from aksnet.plan.cluster_profile import api_server_profile
    for private in (False, True):
        cluster = spec_of({f"{NS}:cluster.apiServerVnetIntegration": True, f"{NS}:cluster.private": private,
                           f"{NS}:network.spoke.subnets.apiserver": "10.240.7.0/28"}).cluster
        profile = api_server_profile(cluster, zone="ZONE-ID", subnet="SUBNET-ID")
        assert (profile["enableVnetIntegration"], profile["subnetId"]) == (True, "SUBNET-ID")
        assert profile["enablePrivateCluster"] is private
    assert "enableVnetIntegration" not in api_server_profile(spec_of().cluster)


def test_cross_spoke_rules_take_distinct_priorities_azure_accepts():
    # Priorities are unique per direction and run from 100 to 4096
    # (https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview#security-rules).
    from aksnet.plan.security_rules import cross_spoke_inbound
    rules = cross_spoke_inbound(spec_of({
        f"{NS}:kubernetes.flows[0].ports": [],
        f"{NS}:kubernetes.apps[0].ports": [{"name": "http", "port": 8080}, {"name": "dns", "port": 53, "protocol": "UDP"}],
    }, "spoke-b"))
    assert sorted((r.protocol, tuple(r.ports)) for r in rules) == [("Tcp", ("8080",)), ("Udp", ("53",))]
    priorities = [r.priority for r in rules]
    assert len(set(priorities)) == 2 and all(300 <= p <= 4096 for p in priorities)


# The DNS service IP: inside the service CIDR, not its first address (the kubernetes Service's,
# https://learn.microsoft.com/azure/aks/configure-kubenet), and one the ClusterIP allocator can hand out:
# not the network or broadcast address (ipallocator/bitmap.go, cited above).
@pytest.mark.parametrize("dns,refused", [("10.0.0.0", True), ("10.0.0.1", True), ("10.0.0.2", False),
                                         ("10.0.0.10", False), ("10.0.255.254", False), ("10.0.255.255", True),
                                         ("10.1.0.10", True)])
def test_dns_service_ip_is_one_kubernetes_can_allocate(dns, refused):
    config = variant(load("dev"), {f"{NS}:cluster.dnsServiceIp": dns})
    assert bool(problems_at(config, f"{NS}:cluster.dnsServiceIp", "dev")) is refused


def test_only_internal_load_balancers_are_opened_across_spokes():
    # A ClusterIP Service has no VNet address another spoke could reach
    # (https://kubernetes.io/docs/concepts/services-networking/service/#type-clusterip), so no NSG rule.
    from aksnet.plan.security_rules import cross_spoke_inbound
    for service_type in ("ClusterIP", "LoadBalancer"):
        changes = {f"{NS}:kubernetes.apps[0].serviceType": service_type, f"{NS}:kubernetes.apps[0].staticIp": DELETE}
        assert cross_spoke_inbound(spec_of(changes, "spoke-b")) == ()


def test_a_udp_app_gets_no_tcp_probe():
    # A tcpSocket probe opens a TCP connection (https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/#define-a-tcp-liveness-probe):
    # on a UDP-only port it would always fail and keep the pod unready.
    apps = load("prod")[f"{NS}:kubernetes"]["apps"]
    dns = {**apps[2], "name": "dns", "ports": [{"name": "dns", "port": 53, "protocol": "UDP"}]}
    objects = objects_of({f"{NS}:kubernetes.apps": [*apps, dns]})
    (container,) = one(objects, "Deployment", "dns", "shop")["spec"]["template"]["spec"]["containers"]
    assert "readinessProbe" not in container and "livenessProbe" not in container


def test_the_400_route_limit_binds_kubenet_only():
    # kubenet writes a route per node into a table of at most 400 routes
    # (https://learn.microsoft.com/azure/aks/configure-kubenet); CNI Overlay needs no route table and
    # scales to 5,000 nodes (https://learn.microsoft.com/azure/aks/concepts-network-azure-cni-overlay).
    changes = {f"{NS}:cluster.nodePools[1].maxCount": 440, f"{NS}:cluster.podCidr": "100.64.0.0/10"}
    assert problems_at(variant(load("prod"), changes), f"{NS}:cluster.nodePools") == []
    kubenet = {**changes, f"{NS}:cluster.networkPlugin": "kubenet", f"{NS}:cluster.networkPluginMode": None,
               f"{NS}:cluster.networkDataplane": DELETE, f"{NS}:cluster.networkPolicy": "calico"}
    assert any("at most 400 routes" in m for m in problems_at(variant(load("prod"), kubenet), f"{NS}:cluster.nodePools"))


def test_agic_annotations_only_on_agic_ingresses():
    # AGIC's annotations are read by AGIC alone (https://azure.github.io/application-gateway-kubernetes-ingress/annotations/);
    # an NGINX Ingress carries its class and no appgw.ingress.kubernetes.io keys.
    objects = objects_of({f"{NS}:ingress": {"controller": "nginx", "nginx": {"visibility": "public"}},
                          f"{NS}:kubernetes.ingresses[0].tlsSecret": "webapp-tls"}, "dev")
    ingress = one(objects, "Ingress", "webapp", "development")
    assert ingress["spec"]["ingressClassName"] == "webapprouting.kubernetes.azure.com"
    assert not any(k.startswith("appgw.ingress.kubernetes.io/") for k in ingress["metadata"].get("annotations", {}))


def test_a_dnat_rule_publishes_the_app_at_its_translated_address():
    from aksnet.plan.manifests import published_flows
    apps = load("prod")[f"{NS}:kubernetes"]["apps"]
    first = {**apps[2], "name": "first", "serviceType": "InternalLoadBalancer", "staticIp": "10.240.5.9"}
    second = {**apps[2], "name": "second", "serviceType": "InternalLoadBalancer", "staticIp": "10.240.5.10"}
    spec = spec_of({f"{NS}:kubernetes.apps": [*apps, first, second],
                    f"{NS}:egress.firewall.dnatRules": [{"name": "redis", "protocol": "TCP", "port": 16379,
                                                         "translatedAddress": "10.240.5.10", "translatedPort": 6379}]})
    assert [flow.destination.app for _, flow in published_flows(spec)] == ["second"]


def test_the_stacks_own_network_rules_keep_their_fqdns():
    # A network rule names addresses or FQDNs (resolved by the DNS proxy):
    # https://learn.microsoft.com/azure/firewall/fqdn-filtering-network-rules. UDP 123 to ntp.ubuntu.com
    # is the outbound page's example (https://learn.microsoft.com/azure/aks/outbound-rules-control-egress).
    rule = {"name": "ntp", "protocols": ["UDP"], "destinationFqdns": ["ntp.ubuntu.com"], "ports": ["123"]}
    _, groups = groups_of(spec_of({f"{NS}:egress.firewall.networkRules": [rule]}))
    (network,) = [c for c in groups["aks-egress"].collections if c["name"] == "aks-network"]
    assert network["rules"] == [{"ruleType": "NetworkRule", "name": "ntp", "ipProtocols": ["UDP"],
                                 "sourceIpGroups": ["aks"], "destinationPorts": ["123"],
                                 "destinationFqdns": ["ntp.ubuntu.com"]}]


def test_envoy_gateways_proxies_are_selected_by_namespace_and_labels():
    # Envoy Gateway runs its proxies in envoy-gateway-system beside its controller, labelled
    # app.kubernetes.io/name=envoy, component proxy (https://gateway.envoyproxy.io/docs/tasks/operations/deployment-mode/):
    # the backends admit those pods, not the whole namespace.
    from aksnet.plan.manifests import ingress_controller
    assert ingress_controller(spec_of(stack="dev")).peer() == {
        "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "envoy-gateway-system"}},
        "podSelector": {"matchLabels": {"app.kubernetes.io/name": "envoy", "app.kubernetes.io/component": "proxy",
                                        "app.kubernetes.io/managed-by": "envoy-gateway"}}}
