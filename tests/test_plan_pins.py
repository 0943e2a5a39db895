"""Pins every Azure and Kubernetes fact the plan encodes (aksnet/plan/*.py, landing zone aside)
that no other behavioural test held: reserved ranges, bounds, NSG rules, firewall rules, network
and pool profiles, manifests and names, each checked against the documented value.

The expected values come from the Microsoft and Kubernetes pages cited beside each test, never
from running the plan; each test was seen to fail with the one-place mistake it names.
"""

from __future__ import annotations

import pytest

from aksnet.config.stack import load_spec
from aksnet.plan.addressing import plan_addresses
from tests.stacks import DELETE, load, variant

NS = "aks-networking"


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


def spec_of(changes=None, stack="prod"):
    return load_spec(variant(load(stack), changes or {}), stack)


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
    policy, groups = groups_of(spec)
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
