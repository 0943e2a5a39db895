"""The landing zone's joined walk (`aksnet/analysis/paths/joined.py`), pinned branch by branch (issue 27).

A spoke's packet to another spoke crosses: the sender's NetworkPolicy, its subnet's NSG (outbound), its
routes, its peering to the hub, the hub's firewall policy, the hub's peering into the receiver, the
receiver's NSG (inbound), its internal load balancer and its NetworkPolicy; the reply must come back the
same way. The committed landing zone takes only the branches its one flow needs; each table below takes
the others, one row per branch (a next hop, a protocol, a peering flag, a direction), with the outcome
Azure or Kubernetes documents beside it, never one read off our code's output.

The spokes are the committed stack files (or a variant by key path), loaded and planned once each; the
hub is read from hub/Pulumi.hub.yaml. No program runs under the mock engine here.
"""

from __future__ import annotations

import dataclasses
import functools
import ipaddress
from typing import Any

import pytest

from aksnet.analysis.paths import Hop, Path, Route, network_of
from aksnet.analysis.paths.joined import JoinedHub, JoinedSpoke, LandingZoneTracer
from aksnet.config.hub import load_hub_spec
from aksnet.pipeline import load_stack
from aksnet.plan.landing_zone import read_registry, spoke_attachment
from aksnet.plan.security_rules import Rule as NsgRule
from tests.stacks import committed, landing_zone_document, variant
from tools.stackfile import read_stack_file

IP = ipaddress.IPv4Address
NET = ipaddress.IPv4Network

PAYMENTS = IP("10.120.4.10")      # spoke-b's internal load balancer frontend (Pulumi.spoke-b.yaml)
A_NODES = NET("10.110.0.0/22")    # spoke-a's node subnet: CNI Overlay pods leave with their node's address
FLOW_RULE = "checkout-to-payments"

UDR = "https://learn.microsoft.com/azure/virtual-network/virtual-networks-udr-overview"
PEERING = "https://learn.microsoft.com/azure/virtual-network/virtual-network-manage-peering#create-a-peering"
ASYMMETRIC = "https://learn.microsoft.com/azure/firewall/integrate-lb#asymmetric-routing"
NSG = "https://learn.microsoft.com/azure/virtual-network/network-security-group-how-it-works"
LB_RULES = "https://learn.microsoft.com/azure/load-balancer/components#load-balancer-rules"
IP_GROUPS = "https://learn.microsoft.com/azure/firewall/ip-groups"
NETPOL = "https://kubernetes.io/docs/concepts/services-networking/network-policies/#prerequisites"

# Variants of the committed spokes, by key path (tests.stacks.variant).
FLOWS = "aks-networking:kubernetes.flows[0].ports"
VARIANTS: dict[str, dict[str, Any]] = {
    # Both flows also declare UDP/8080 (the firewall, the NSG and both policies then carry it); the
    # payments Service still serves TCP/8080 only.
    "udp-flow-a": {FLOWS: ["TCP/8080", "UDP/8080"]},
    "udp-flow-b": {FLOWS: ["TCP/8080", "UDP/8080"]},
    # spoke-a lets its nodes' IP group (named `aks`, as spoke-b's is) reach payments by a network rule.
    "group-rule-a": {"aks-networking:egress.firewall": {"networkRules": [
        {"name": "payments-by-group", "protocols": ["TCP"], "destinationAddresses": ["10.120.4.0/28"],
         "ports": ["8080"]}]}},
    # A cluster without a NetworkPolicy engine (its policies are still written).
    "no-engine-a": {"aks-networking:cluster.networkPolicy": "none", "aks-networking:cluster.networkDataplane": "azure"},
    "no-engine-b": {"aks-networking:cluster.networkPolicy": "none", "aks-networking:cluster.networkDataplane": "azure"},
}


# spoke-b's VNet with a second range (10.121.0.0/16), its internal load balancer there, and spoke-a's flow to it.
TWO_SPACES = ("10.120.0.0/16", "10.121.0.0/16")
VARIANTS.update({
    "two-spaces-b": {"aks-networking:network.spoke.addressSpace": list(TWO_SPACES),
                     "aks-networking:network.spoke.subnets.ilb": "10.121.4.0/28",
                     "aks-networking:kubernetes.apps[0].staticIp": "10.121.4.10"},
    "two-spaces-a": {"aks-networking:kubernetes.flows[0].to": {"cidr": "10.121.4.10/32"}},
})


@functools.cache
def _registry(two_spaces: bool = False) -> Any:
    document = landing_zone_document()
    if two_spaces:
        document["spokes"]["spoke-b"]["addressSpace"] = list(TWO_SPACES)
    return read_registry(document, "landing-zone.yaml")


@functools.cache
def _hub() -> JoinedHub:
    """The hub as its stack file declares it: Azure gives the firewall the first usable address of
    AzureFirewallSubnet, the fifth of the subnet (Azure keeps the first four).
    https://learn.microsoft.com/azure/virtual-network/virtual-networks-faq#are-there-any-restrictions-on-using-ip-addresses-within-these-subnets"""
    spec = load_hub_spec(dict(read_stack_file("hub/Pulumi.hub.yaml").config), "hub")
    assert spec.firewall is not None
    return JoinedHub("hub", tuple(spec.hub.address_space), spec.hub.subnets["AzureFirewallSubnet"].network_address + 4,
                     spec.firewall.dns_proxy, spec.environment.location)


@functools.cache
def _spoke(name: str, change: str | None = None) -> JoinedSpoke:
    """A committed spoke (or its variant `change`) as the landing zone joins it."""
    config = committed(name) if change is None else variant(committed(name), VARIANTS[change])
    loaded = load_stack(config, name)
    attachment = spoke_attachment(loaded.spec, loaded.plan, _registry(change is not None and "two-spaces" in change))
    return JoinedSpoke(name, network_of(loaded.spec, loaded.plan), attachment.rule_group, attachment.ip_groups,
                       attachment.routes, attachment.peering)


def _trace(a: JoinedSpoke | None = None, b: JoinedSpoke | None = None, protocol: str = "TCP", port: int = 8080,
           destination: ipaddress.IPv4Address = PAYMENTS) -> Path:
    tracer = LandingZoneTracer(_hub(), [a or _spoke("spoke-a"), b or _spoke("spoke-b")])
    return tracer.trace("spoke-a", "shop/checkout", destination, protocol, port, "payments")


def _steps(path: Path) -> list[tuple[str, str]]:
    return [(h.layer, h.action) for h in path.hops]


def _decided(path: Path) -> Hop:
    decided = path.decided_by
    assert decided is not None, path.as_dict()
    return decided


def _layers(path: Path) -> list[str]:
    return [h.layer for h in path.hops]


def _with_route(spoke: JoinedSpoke, subnet: str, prefix: str, next_hop: str, address: str | None) -> JoinedSpoke:
    """`spoke` with one more user route on `subnet`'s route table."""
    target = spoke.net.subnets[subnet]
    route = Route(NET(prefix), next_hop, "user", "extra", IP(address) if address else None)
    subnets = {**spoke.net.subnets, subnet: dataclasses.replace(target, routes=(*target.routes, route))}
    return dataclasses.replace(spoke, net=dataclasses.replace(spoke.net, subnets=subnets))


def _with_nsg_rule(spoke: JoinedSpoke, subnet: str, rule: NsgRule) -> JoinedSpoke:
    target = spoke.net.subnets[subnet]
    assert target.nsg is not None
    subnets = {**spoke.net.subnets, subnet: dataclasses.replace(target, nsg=(rule, *target.nsg))}
    return dataclasses.replace(spoke, net=dataclasses.replace(spoke.net, subnets=subnets))


def _with_peering(spoke: JoinedSpoke, **flags: bool) -> JoinedSpoke:
    return dataclasses.replace(spoke, peering=dataclasses.replace(spoke.peering, **flags))


def _without_rule(spoke: JoinedSpoke, name: str) -> JoinedSpoke:
    group = spoke.rule_group
    assert group is not None
    collections = tuple({**c, "rules": [r for r in c["rules"] if r["name"] != name]} for c in group.collections)
    assert collections != group.collections, name
    return dataclasses.replace(spoke, rule_group=dataclasses.replace(group, collections=collections))


def test_the_committed_flow_arrives_through_the_hubs_firewall():
    path = _trace()
    assert path.verdict == "allowed", path.as_dict()
    assert _steps(path) == [("networkPolicy", "allow"), ("nsg", "allow"), ("route", "forward"), ("peering", "forward"),
                            ("firewall", "allow"), ("peering", "forward"), ("nsg", "allow"),
                            ("loadBalancer", "forward"), ("networkPolicy", "allow")]


# The request's route, by next hop ------------------------------------------------------------------
# Azure takes the longest prefix among the subnet's routes (UDR: how Azure selects a route), so a /24 to
# payments' subnet beats the attachment's /16 to the hub's firewall. Only the firewall forwards between
# spokes: peering is not transitive, and the spoke uses no remote gateway (useRemoteGateways false), so
# a route to a gateway, the VNet, the internet, nowhere (None drops the packet) or another appliance never
# brings the packet through the hub's firewall policy to spoke-b.
# https://learn.microsoft.com/azure/virtual-network/virtual-network-peering-overview, UDR (next hop types).
@pytest.mark.parametrize("next_hop, address, arrives", [
    ("VirtualAppliance", "10.100.0.4", True),       # the hub's firewall itself, by a longer prefix
    ("VirtualAppliance", "10.100.0.100", False),    # another appliance in the hub
    ("VirtualNetworkGateway", None, False),
    ("VnetLocal", None, False),
    ("Internet", None, False),                      # a private address is not routed back in from the internet
    ("None", None, False),                          # dropped
], ids=["firewall", "other-appliance", "gateway", "vnet-local", "internet", "none"])
def test_the_requests_longer_route_reaches_spoke_b_only_through_the_hubs_firewall(next_hop, address, arrives):
    path = _trace(a=_with_route(_spoke("spoke-a"), "nodes", "10.120.4.0/24", next_hop, address))
    route = next(h for h in path.hops if h.layer == "route")
    assert route.rule.startswith(f"10.120.4.0/24 -> {next_hop}"), route
    if arrives:
        assert path.verdict == "allowed", path.as_dict()
        assert route.action == "forward" and "firewall" in _layers(path)
        return
    assert path.verdict == "denied", path.as_dict()
    assert _decided(path) == route and route.resource == "routes of snet-nodes (spoke-a)"
    assert "firewall" not in _layers(path) and "peering" not in _layers(path)


# The reply's route, by next hop --------------------------------------------------------------------
# The hub's firewall is stateful: it drops a reply it did not see leave, so the reply must take spoke-b's
# route back to the firewall; a longer route to spoke-a's nodes by any other next hop loses the connection.
# ASYMMETRIC; longest prefix: UDR.
@pytest.mark.parametrize("next_hop, address, arrives", [
    ("VirtualAppliance", "10.100.0.4", True),
    ("VirtualAppliance", "10.120.0.100", False),
    ("VirtualNetworkGateway", None, False),
    ("VnetLocal", None, False),
    ("Internet", None, False),
    ("None", None, False),
], ids=["firewall", "other-appliance", "gateway", "vnet-local", "internet", "none"])
def test_the_reply_returns_only_through_the_hubs_firewall(next_hop, address, arrives):
    path = _trace(b=_with_route(_spoke("spoke-b"), "nodes", str(A_NODES), next_hop, address))
    if arrives:
        assert path.verdict == "allowed", path.as_dict()
        assert path.hops[-1].layer == "networkPolicy"
        return
    assert path.verdict == "denied", path.as_dict()
    last = path.hops[-1]
    assert (last.layer, last.resource) == ("route", "routes of snet-nodes (spoke-b)")
    assert f"leaves by {A_NODES} -> {next_hop}," in last.rule and "asymmetric" in last.rule
    # The request itself arrived: every layer before the reply let it through.
    assert _layers(path)[-2] == "networkPolicy" and all(h.action != "deny" for h in path.hops[:-1])


# The sender's NSG, outbound --------------------------------------------------------------------------
# A subnet's NSG judges traffic leaving it by its outbound rules, by priority, before the route
# (NSG: outbound traffic); an inbound rule says nothing about it.
@pytest.mark.parametrize("direction, protocol, denied", [
    ("Outbound", "Tcp", True),
    ("Outbound", "*", True),
    ("Outbound", "Udp", False),     # another protocol: the rule does not match the TCP flow
    ("Inbound", "Tcp", False),      # another direction
], ids=["outbound-tcp", "outbound-any", "outbound-udp", "inbound"])
def test_the_senders_outbound_nsg_rule_stops_the_flow_before_its_route(direction, protocol, denied):
    rule = NsgRule("DenyPayments", 100, direction, "Deny", protocol, "*", "10.120.4.0/28", ("8080",))
    path = _trace(a=_with_nsg_rule(_spoke("spoke-a"), "nodes", rule))
    if not denied:
        assert path.verdict == "allowed", path.as_dict()
        assert path.hops[1].rule == "AllowVnetOutBound (outbound, priority 65000)"
        return
    assert path.verdict == "denied", path.as_dict()
    assert _steps(path) == [("networkPolicy", "allow"), ("nsg", "deny")]
    assert (_decided(path).resource, _decided(path).rule) == ("nsg of snet-nodes (spoke-a)",
                                                                "DenyPayments (outbound, priority 100)")


# Peering flags, on the request and on the reply -------------------------------------------------------
# PEERING: allowVirtualNetworkAccess false lets no traffic of the peered VNet across; allowForwardedTraffic
# admits what an appliance of the peered VNet forwards but did not originate. In a hub and spoke, each
# spoke's peering to the hub needs it, or spoke-to-spoke traffic does not flow: the firewall forwards the
# request into spoke-b, and forwards spoke-b's reply into spoke-a.
def test_a_sender_that_refuses_forwarded_traffic_loses_the_reply_the_firewall_forwards_back():
    path = _trace(a=_with_peering(_spoke("spoke-a"), allow_forwarded_traffic=False))
    assert path.verdict == "denied", path.as_dict()
    # The request left spoke-a (its own traffic, not forwarded) and arrived in spoke-b ...
    assert ("spoke-a -> hub", "forward") in [(h.resource, h.action) for h in path.hops if h.layer == "peering"]
    assert ("loadBalancer", "forward") in _steps(path) and ("networkPolicy", "allow") in _steps(path)[-2:]
    # ... but the reply the hub's firewall forwards into spoke-a is refused by spoke-a's peering.
    assert (_decided(path).layer, _decided(path).resource) == ("peering", "hub -> spoke-a")
    assert _decided(path).rule.startswith("allowForwardedTraffic")


@pytest.mark.parametrize("flags, decided", [
    ({"allow_virtual_network_access": False}, "spoke-a -> hub"),
    ({"allow_forwarded_traffic": False}, "hub -> spoke-a"),
], ids=["sender-no-vnet-access", "sender-no-forwarded-traffic"])
def test_each_flag_of_the_senders_peering_decides_on_its_own_leg(flags, decided):
    path = _trace(a=_with_peering(_spoke("spoke-a"), **flags))
    assert path.verdict == "denied" and _decided(path).layer == "peering", path.as_dict()
    assert _decided(path).resource == decided
    assert ("firewall" in _layers(path)) is (decided == "hub -> spoke-a")


# The receiver's internal load balancer: a rule per frontend protocol and port ------------------------
# A load-balancing rule maps one frontend address, protocol and port to the backends (LB_RULES); a
# Service's port is one protocol (https://kubernetes.io/docs/reference/kubernetes-api/service-resources/service-v1/#ServicePort),
# so UDP to a TCP-only Service finds no rule, even when every other layer lets UDP through (here spoke-b's
# network team opens its ILB subnet to spoke-a's nodes on port 8080 for any protocol).
@pytest.mark.parametrize("protocol, arrives", [("TCP", True), ("UDP", False)])
def test_udp_to_a_tcp_only_internal_service_finds_no_load_balancing_rule(protocol, arrives):
    any_protocol = NsgRule("AllowSpokeA", 200, "Inbound", "Allow", "*", str(A_NODES), "10.120.4.0/28", ("8080",))
    b = _with_nsg_rule(_spoke("spoke-b", "udp-flow-b"), "ilb", any_protocol)
    path = _trace(a=_spoke("spoke-a", "udp-flow-a"), b=b, protocol=protocol)
    assert [h.action for h in path.hops if h.layer == "firewall"] == ["allow"], path.as_dict()
    assert [h.action for h in path.hops if h.layer == "nsg"] == ["allow", "allow"], path.as_dict()
    if arrives:
        assert path.verdict == "allowed", path.as_dict()
        return
    assert path.verdict == "denied"
    assert (_decided(path).layer, _decided(path).rule) == ("loadBalancer", "payments/payments has no UDP/8080 frontend")


# The hub's firewall policy: each spoke's IP groups are its own ------------------------------------------
# An IP group is a resource of its own, and a rule names it by resource id (IP_GROUPS): spoke-a's group
# `aks` and spoke-b's group `aks` are two groups; spoke-a's rule matches spoke-a's nodes, not spoke-b's.
def test_a_spokes_rule_by_ip_group_matches_its_own_group_not_another_spokes_of_the_same_name():
    a = _without_rule(_spoke("spoke-a", "group-rule-a"), FLOW_RULE)
    b = _spoke("spoke-b")
    assert set(a.ip_groups) == set(b.ip_groups) == {"aks"}  # the same name on both spokes
    path = _trace(a=a, b=b)
    assert path.verdict == "allowed", path.as_dict()
    [firewall] = [h for h in path.hops if h.layer == "firewall"]
    assert firewall.rule.endswith("/payments-by-group"), firewall


# The landing zone's spokes, each with its whole address space ----------------------------------------
# A VNet's address space may hold several ranges, each a route of its own (UDR: next hop Virtual network),
# and the hub peers with the whole VNet; an address of spoke-b's second range is spoke-b's as much as its first.
def test_an_address_in_a_spokes_second_range_is_delivered_to_that_spoke():
    path = _trace(a=_spoke("spoke-a", "two-spaces-a"), b=_spoke("spoke-b", "two-spaces-b"), destination=IP("10.121.4.10"))
    assert path.verdict == "allowed", path.as_dict()
    assert ("hub -> spoke-b", "forward") in [(h.resource, h.action) for h in path.hops if h.layer == "peering"]


# Rule collection groups of a shared policy are each processed by their own priority
# (https://learn.microsoft.com/azure/firewall/policy-rule-sets): a spoke that writes none takes nothing away
# from the groups the other spokes write, whatever its place in the landing zone.
def test_a_spoke_that_writes_no_group_leaves_the_other_spokes_groups_on_the_hubs_policy():
    b = dataclasses.replace(_spoke("spoke-b"), rule_group=None, ip_groups={})
    tracer = LandingZoneTracer(_hub(), [b, _spoke("spoke-a")])  # the groupless spoke first
    path = tracer.trace("spoke-a", "shop/checkout", PAYMENTS, "TCP", 8080, "payments")
    assert path.verdict == "allowed", path.as_dict()
    assert [h.rule for h in path.hops if h.layer == "firewall"] == [f"spoke-spoke-a/spoke-a-flows/{FLOW_RULE}"]


# NetworkPolicy's place, and which hop a verdict names ---------------------------------------------------
# NetworkPolicy is enforced by the cluster's network plugin: without a policy engine the policies have no
# effect (NETPOL), so the receiving pods take whatever their load balancer forwards. The verdict then names
# the last layer that admitted the packet (spoke-b's NSG rule for the flow), not the load balancer that
# only forwards it: a load-balancing rule maps traffic to backends, it filters nothing (LB_RULES).
def test_a_receiver_without_a_policy_engine_is_decided_by_its_nsg_not_by_its_load_balancer():
    path = _trace(b=_spoke("spoke-b", "no-engine-b"))
    assert path.verdict == "allowed", path.as_dict()
    assert _steps(path)[-3:] == [("peering", "forward"), ("nsg", "allow"), ("loadBalancer", "forward")]
    assert (_decided(path).layer, _decided(path).resource) == ("nsg", "nsg of snet-ilb (spoke-b)")
    assert _decided(path).rule.startswith("AllowFlow-checkout-from-spoke-a")
    assert _steps(path)[0] == ("networkPolicy", "allow")  # spoke-a's own engine still judges its egress


@pytest.mark.parametrize("port, arrives", [(8080, True), (9090, False)])
def test_a_sender_without_a_policy_engine_sends_what_its_policies_do_not_declare(port, arrives):
    # spoke-a's egress policy declares TCP/8080 only; without an engine it is ignored, and port 9090 goes on to
    # the hub's firewall, which holds no rule for it (no match is a denial: https://learn.microsoft.com/azure/firewall/rule-processing).
    path = _trace(a=_spoke("spoke-a", "no-engine-a"), port=port)
    assert _layers(path)[:2] == ["nsg", "route"], path.as_dict()
    if arrives:
        assert path.verdict == "allowed" and path.hops[-1].layer == "networkPolicy", path.as_dict()
        return
    assert (path.verdict, _decided(path).layer) == ("denied", "firewall"), path.as_dict()


# A route says where a packet goes, not whether it may: for a node's packet to the internet without a
# firewall, the NSG's default AllowInternetOutBound admits it and the system route 0.0.0.0/0 -> Internet
# forwards it (NSG overview: default rules; UDR: default routes), so the NSG rule is what the verdict names.
def test_an_allowed_path_names_the_last_rule_that_admitted_it_not_the_route_that_forwarded_it():
    from tests.test_paths import tracer_of
    t = tracer_of(committed("dev"))[0]
    path = t.trace(t.node(), t.internet(), "TCP", 443)
    assert path.verdict == "allowed" and path.hops[-1].action == "forward", path.as_dict()
    assert path.hops[-1].rule.startswith("0.0.0.0/0 -> Internet")
    assert (_decided(path).layer, _decided(path).rule) == ("nsg", "AllowInternetOutBound (outbound, priority 65001)")
    assert path.as_dict()["decidedBy"]["layer"] == "nsg"
