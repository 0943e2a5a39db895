"""Outbound types against who owns the VNet, and a public API server's authorized ranges against the
addresses the nodes leave from, both ways.

Sources: "Managed NAT gateway is incompatible with custom virtual networks" and "In non-private
clusters, API server cluster traffic is routed and processed through the clusters outbound type"
(https://learn.microsoft.com/azure/aks/nat-gateway); "Select userAssignedNatGateway when using
bring-your-own virtual networking" (https://learn.microsoft.com/azure/aks/egress-outboundtype).
"""

import ipaddress

import pytest

from aksnet.config.problems import ConfigError
from aksnet.pipeline import load_stack
from tests.stacks import load, variant
from tools.mock_engine import run_program

CLUSTER = "aks-networking:cluster"
NAT = {f"{CLUSTER}.outboundType": "userAssignedNATGateway"}
PUBLIC_PROD = {f"{CLUSTER}.private": False, f"{CLUSTER}.privateDnsZone": "system",
               f"{CLUSTER}.authorizedIpRanges": ["203.0.113.0/24"]}


def test_managed_nat_gateway_on_the_stack_s_own_vnet_is_refused_naming_the_user_assigned_one():
    with pytest.raises(ConfigError) as refused:
        load_stack(variant(load("dev"), {**NAT, f"{CLUSTER}.outboundType": "managedNATGateway"}), "dev")
    lines = [f"{p.path}: {p.message}" for p in refused.value.problems]
    assert len(lines) == 1 and lines[0].startswith(f"{CLUSTER}.outboundType: ") and "userAssignedNATGateway" in lines[0]
    load_stack(variant(load("dev"), NAT), "dev")  # the one for a VNet of one's own is accepted


def _authorized(result):
    cluster = result.one("azure-native:containerservice:ManagedCluster")
    return cluster.inputs["apiServerAccessProfile"].get("authorizedIPRanges")


def _public_ips(result, component):
    return sorted(r.outputs["ipAddress"] for r in result.of_type("azure-native:network:PublicIPAddress")
                  if r.name.startswith(f"{component}-"))


def test_the_nat_gateway_s_addresses_join_a_public_api_server_s_authorized_ranges():
    result = run_program("dev", variant(load("dev"), NAT))
    assert result.error is None, result.error
    ips = _public_ips(result, "nat")
    assert ips and _authorized(result) == ["203.0.113.0/24", *[f"{ip}/32" for ip in ips]]


def test_the_firewall_s_addresses_join_a_public_api_server_s_authorized_ranges():
    result = run_program("prod", variant(load("prod"), PUBLIC_PROD))
    assert result.error is None, result.error
    ips = _public_ips(result, "firewall")
    assert len(ips) == 3 and sorted(_authorized(result)) == sorted(["203.0.113.0/24", *[f"{ip}/32" for ip in ips]])


def test_load_balancer_egress_keeps_the_ranges_as_written(dev):
    # AKS authorizes the load balancer's own outbound address (api-server-authorized-ip-ranges).
    assert _authorized(dev) == ["203.0.113.0/24"]


def test_an_egress_address_inside_a_range_already_authorized_is_not_added_twice():
    from aksnet.plan.cluster_profile import authorized_ranges_with
    spec = load_stack(variant(load("dev"), NAT), "dev").spec
    assert authorized_ranges_with(spec.cluster, ["203.0.113.7", "198.51.100.1"]) == \
        ["203.0.113.0/24", "198.51.100.1/32"]
    assert ipaddress.ip_address("203.0.113.7") in ipaddress.ip_network("203.0.113.0/24")


def test_an_appliance_of_someone_else_s_is_a_finding_and_a_private_api_server_is_not():
    udr = {f"{CLUSTER}.outboundType": "userDefinedRouting", f"{CLUSTER}.egressNextHopIp": "192.168.3.4",
           "aks-networking:kubernetes.apps[1].serviceType": "ClusterIP"}
    findings = load_stack(variant(load("dev"), udr), "dev").checked.findings
    mine = [f for f in findings if f.policy == "nodes-reach-their-public-api-server"]
    assert len(mine) == 1 and mine[0].level == "advisory" and "192.168.3.4" in mine[0].message
    private = {**udr, f"{CLUSTER}.private": True, f"{CLUSTER}.authorizedIpRanges": [],
               "aks-networking:network.bastion": False}
    findings = load_stack(variant(load("dev"), private), "dev").checked.findings
    assert not [f for f in findings if f.policy == "nodes-reach-their-public-api-server"]


def _api_hop(stack, changes):
    from aksnet.analysis.path_report import path_report
    loaded = load_stack(variant(load(stack), changes), stack)
    entry = next(p for p in path_report(loaded.spec, loaded.plan).paths if p.flow == "aks-api-server")
    return entry.path.verdict, entry.path.hops[-1]


def test_the_path_model_shows_the_nodes_reaching_their_public_api_server_from_the_firewall():
    verdict, hop = _api_hop("prod", PUBLIC_PROD)
    assert verdict == "allowed" and hop.resource == "API server public endpoint"
    assert "firewall's public addresses" in hop.rule
    verdict, hop = _api_hop("dev", {})
    assert verdict == "allowed" and "load balancer's outbound address" in hop.rule


def test_the_stack_s_own_firewall_is_never_the_unknown_appliance_the_advisory_warns_of():
    # With egress.firewall the program adds the firewall's addresses to the ranges (the test above), so
    # the advisory about an appliance of someone else's says nothing, even beside a stray egressNextHopIp,
    # which its own refusal names instead.
    import dataclasses

    from aksnet.rules.cluster_egress import nodes_reach_their_public_api_server
    spec = load_stack(variant(load("prod"), PUBLIC_PROD), "prod").spec
    stray = dataclasses.replace(spec, cluster=dataclasses.replace(
        spec.cluster, egress_next_hop_ip=ipaddress.IPv4Address("192.168.3.4")))
    assert list(nodes_reach_their_public_api_server(stray)) == []
    with pytest.raises(ConfigError, match=r"cluster\.egressNextHopIp: is set but egress\.firewall already is the "
                       r"next hop; remove it"):
        load_stack(variant(load("prod"), {**PUBLIC_PROD, f"{CLUSTER}.egressNextHopIp": "192.168.3.4"}), "prod")
