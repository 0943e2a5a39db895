"""Pins, one table per layer, every Azure and Kubernetes fact the path model encodes
(`aksnet/analysis/paths/`, `aksnet/analysis/path_report.py`, `aksnet/analysis/intent.py`): Azure's
default NSG rules and service tags, its system routes and route selection, Azure Firewall's
processing order and name matching, and the model's own decisions built on them (which hop, rule
or setting decides). Each expected value comes from the document cited beside it, never from a run
of our code; a one-place change to any of these facts fails a test here."""

from __future__ import annotations

import ipaddress

import pytest

from aksnet.analysis.intent import _difference, intent_of
from aksnet.analysis.path_report import parse_port, path_report
from aksnet.analysis.paths import (
    DEFAULT_NSG_RULES,
    AddressBook,
    FirewallContext,
    Hop,
    Packet,
    Route,
    firewall_decide,
    firewall_rules,
    fqdn_matches,
    nsg_decide,
    route_lookup,
    system_routes,
)
from aksnet.analysis.reachability import PortSet
from aksnet.plan.egress_rules import RuleGroup
from aksnet.plan.security_rules import Rule as NsgRule
from tests.stacks import DELETE, example, load, variant
from tests.test_paths import ADVISORY, tracer_of, with_app

IP = ipaddress.IPv4Address
NET = ipaddress.IPv4Network

# NSG ------------------------------------------------------------------------------------------
# The six default rules, as the overview's tables list them (name: priority, direction, access,
# protocol, source, destination, destination ports):
# https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview#default-security-rules
AZURE_DEFAULT_RULES = {
    "AllowVnetInBound": (65000, "Inbound", "Allow", "*", "VirtualNetwork", "VirtualNetwork", ("*",)),
    "AllowAzureLoadBalancerInBound": (65001, "Inbound", "Allow", "*", "AzureLoadBalancer", "*", ("*",)),
    "DenyAllInBound": (65500, "Inbound", "Deny", "*", "*", "*", ("*",)),
    "AllowVnetOutBound": (65000, "Outbound", "Allow", "*", "VirtualNetwork", "VirtualNetwork", ("*",)),
    "AllowInternetOutBound": (65001, "Outbound", "Allow", "*", "*", "Internet", ("*",)),
    "DenyAllOutBound": (65500, "Outbound", "Deny", "*", "*", "*", ("*",)),
}


def test_the_default_nsg_rules_are_azures_six_field_by_field():
    ours = {r.name: (r.priority, r.direction, r.access, r.protocol, r.source, r.destination, tuple(r.ports))
            for r in DEFAULT_NSG_RULES}
    assert set(ours) == set(AZURE_DEFAULT_RULES)
    for name, expected in AZURE_DEFAULT_RULES.items():
        assert ours[name] == expected, name


SPOKE = NET("10.240.0.0/16")
ON_PREMISES = NET("172.20.0.0/16")
BOOK = AddressBook((SPOKE, ON_PREMISES))
HOST = IP("168.63.129.16")

# Service tags (https://learn.microsoft.com/azure/virtual-network/service-tags-overview#available-service-tags):
# VirtualNetwork is the VNet's space, connected on-premises ranges, peers and the host's virtual IP
# (168.63.129.16); AzureLoadBalancer is that host address alone, where the health probes come from;
# Internet is what lies outside the virtual network and is reachable on the public internet.
SERVICE_TAGS = [
    ("VirtualNetwork", IP("10.240.3.7"), frozenset(), True),
    ("VirtualNetwork", IP("172.20.1.1"), frozenset(), True),       # on-premises, through the gateway
    ("VirtualNetwork", HOST, frozenset(), True),                   # the host's virtual IP
    ("VirtualNetwork", IP("10.50.0.1"), frozenset(), False),       # private, but in no network of ours
    ("VirtualNetwork", IP("8.8.8.8"), frozenset(), False),
    ("AzureLoadBalancer", HOST, frozenset(), True),
    ("AzureLoadBalancer", IP("10.240.3.7"), frozenset(), False),   # not the VNet
    ("AzureLoadBalancer", IP("8.8.8.8"), frozenset(), False),
    ("Internet", IP("8.8.8.8"), frozenset(), True),
    ("Internet", IP("10.240.3.7"), frozenset(), False),
    ("Internet", IP("172.20.1.1"), frozenset(), False),
    ("Internet", IP("10.50.0.1"), frozenset(), False),             # RFC 1918: not reachable on the internet
    ("Internet", HOST, frozenset(), False),
    ("AzureCloud.westeurope", IP("20.50.0.1"), frozenset({"AzureCloud.westeurope"}), True),
    ("AzureCloud.westeurope", IP("20.50.0.1"), frozenset(), False),
    ("10.240.0.0/22", IP("10.240.3.255"), frozenset(), True),
    ("10.240.0.0/22", IP("10.240.4.0"), frozenset(), False),
    ("*", IP("8.8.8.8"), frozenset(), True),
]


@pytest.mark.parametrize("prefix,address,tags,expected", SERVICE_TAGS)
def test_service_tags_cover_what_azure_says_they_cover(prefix, address, tags, expected):
    assert BOOK.matches(prefix, address, tags) is expected


def _nsg(rules, direction, source, destination, protocol="TCP", port=443, source_tags=frozenset()):
    return nsg_decide(rules, direction, Packet(IP(source), IP(destination), protocol, port, source_tags=source_tags),
                      BOOK).name


# What the defaults decide alone, and what a stack rule in the API's words (protocol `Tcp`, a
# range `8000-8080` that includes both ends) decides before them.
# https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview#security-rules
CUSTOM = (NsgRule("AllowWeb", 200, "Inbound", "Allow", "Tcp", "Internet", "*", ("8000-8080", "443")),
          NsgRule("DenyProbeUdp", 300, "Inbound", "Deny", "Udp", "AzureLoadBalancer", "*", ("*",)))
NSG_CASES = [
    ((), "Inbound", "10.240.1.1", "10.240.2.2", "UDP", 53, "AllowVnetInBound"),
    ((), "Inbound", "168.63.129.16", "10.240.2.2", "TCP", 80, "AllowVnetInBound"),
    ((), "Inbound", "8.8.8.8", "10.240.2.2", "TCP", 443, "DenyAllInBound"),
    ((), "Outbound", "10.240.1.1", "8.8.8.8", "TCP", 443, "AllowInternetOutBound"),
    ((), "Outbound", "10.240.1.1", "172.20.1.1", "TCP", 22, "AllowVnetOutBound"),
    ((), "Outbound", "10.240.1.1", "10.50.0.1", "TCP", 443, "DenyAllOutBound"),
    (CUSTOM, "Inbound", "8.8.8.8", "10.240.2.2", "TCP", 8000, "AllowWeb"),
    (CUSTOM, "Inbound", "8.8.8.8", "10.240.2.2", "TCP", 8080, "AllowWeb"),
    (CUSTOM, "Inbound", "8.8.8.8", "10.240.2.2", "TCP", 8081, "DenyAllInBound"),
    (CUSTOM, "Inbound", "8.8.8.8", "10.240.2.2", "TCP", 443, "AllowWeb"),
    (CUSTOM, "Inbound", "8.8.8.8", "10.240.2.2", "TCP", 444, "DenyAllInBound"),
    (CUSTOM, "Inbound", "8.8.8.8", "10.240.2.2", "UDP", 443, "DenyAllInBound"),
    (CUSTOM, "Outbound", "10.240.2.2", "8.8.8.8", "TCP", 8000, "AllowInternetOutBound"),  # inbound rules only
    (CUSTOM, "Inbound", "168.63.129.16", "10.240.2.2", "UDP", 9, "DenyProbeUdp"),
]


@pytest.mark.parametrize("rules,direction,source,destination,protocol,port,expected", NSG_CASES)
def test_the_nsg_rule_that_decides(rules, direction, source, destination, protocol, port, expected):
    assert _nsg(rules, direction, source, destination, protocol, port) == expected


# Routes ---------------------------------------------------------------------------------------
# System routes (https://learn.microsoft.com/azure/virtual-network/virtual-networks-udr-overview#default):
# the VNet's space to VnetLocal, 0.0.0.0/0 to Internet, and 10.0.0.0/8, 172.16.0.0/12,
# 192.168.0.0/16 and 100.64.0.0/10 to None, unless that range lies within the VNet's space (then
# it is the VNet's); a peer's space goes to VNetPeering, only when the two are peered.
RESERVED = {"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"}
SYSTEM_ROUTES = [
    ({"spoke": ["10.240.0.0/16"]}, False,
     {("0.0.0.0/0", "Internet"), ("10.240.0.0/16", "VnetLocal"), *((r, "None") for r in RESERVED)}),
    ({"spoke": ["10.0.0.0/8"]}, False,
     {("0.0.0.0/0", "Internet"), ("10.0.0.0/8", "VnetLocal"), *((r, "None") for r in RESERVED - {"10.0.0.0/8"})}),
    ({"spoke": ["100.64.0.0/10", "192.168.0.0/16"]}, False,
     {("0.0.0.0/0", "Internet"), ("100.64.0.0/10", "VnetLocal"), ("192.168.0.0/16", "VnetLocal"),
      ("10.0.0.0/8", "None"), ("172.16.0.0/12", "None")}),
    ({"spoke": ["10.240.0.0/16"], "hub": ["10.200.0.0/24"]}, True,
     {("0.0.0.0/0", "Internet"), ("10.240.0.0/16", "VnetLocal"), ("10.200.0.0/24", "VNetPeering"),
      *((r, "None") for r in RESERVED)}),
    ({"spoke": ["10.240.0.0/16"], "hub": ["10.200.0.0/24"]}, False,
     {("0.0.0.0/0", "Internet"), ("10.240.0.0/16", "VnetLocal"), *((r, "None") for r in RESERVED)}),
]


@pytest.mark.parametrize("spaces,peered,expected", SYSTEM_ROUTES)
def test_system_routes_are_azures_defaults(spaces, peered, expected):
    routes = system_routes("spoke", {v: [NET(p) for p in ps] for v, ps in spaces.items()}, peered)
    assert {(str(r.prefix), r.next_hop) for r in routes} == expected
    assert all(r.origin == "system" for r in routes)


LOOKUPS = [
    # The longest prefix wins, whatever its origin.
    ({"spoke": ["10.240.0.0/16"]}, [], "10.240.9.9", "VnetLocal"),
    ({"spoke": ["10.240.0.0/16"]}, [], "10.50.0.1", "None"),          # private, outside the VNet: dropped
    ({"spoke": ["10.240.0.0/16"]}, [], "100.64.0.1", "None"),         # RFC 6598 too
    ({"spoke": ["10.240.0.0/16"]}, [], "8.8.8.8", "Internet"),
    ({"spoke": ["10.0.0.0/8"]}, [], "10.50.0.1", "VnetLocal"),
    # A peer using a reserved range exactly: the peering route, not the None route, carries it.
    ({"spoke": ["10.240.0.0/16"], "hub": ["100.64.0.0/10"]}, [], "100.64.0.1", "VNetPeering"),
    # A user-defined route overrides a system route of the same prefix.
    ({"spoke": ["10.240.0.0/16"]}, [Route(NET("0.0.0.0/0"), "VirtualAppliance", "user", "udr")], "8.8.8.8",
     "VirtualAppliance"),
    ({"spoke": ["10.240.0.0/16"]}, [Route(NET("10.0.0.0/8"), "VirtualAppliance", "user", "udr")], "10.50.0.1",
     "VirtualAppliance"),
    # ...but not a longer one (the VNet's own space keeps its traffic local).
    ({"spoke": ["10.240.0.0/16"]}, [Route(NET("10.0.0.0/8"), "VirtualAppliance", "user", "udr")], "10.240.0.9",
     "VnetLocal"),
]


@pytest.mark.parametrize("spaces,extra,address,expected", LOOKUPS)
def test_the_route_azure_picks(spaces, extra, address, expected):
    routes = system_routes("spoke", {v: [NET(p) for p in ps] for v, ps in spaces.items()}, "hub" in spaces) + extra
    assert route_lookup(routes, IP(address)).next_hop == expected


def test_on_equal_prefixes_a_user_route_beats_aks_and_aks_beats_the_system():
    """A route table's route overrides what else shares its prefix; AKS's pod-CIDR routing overrides
    only Azure's system None route of that range (udr-overview, "How Azure selects a route")."""
    pods = NET("192.168.0.0/16")
    system = Route(pods, "None", "system", "private-range")
    aks = Route(pods, "Cluster", "aks", "pod-cidr")
    user = Route(pods, "VirtualAppliance", "user", "udr")
    address = IP("192.168.4.4")
    for order in ([system, aks, user], [user, aks, system], [aks, user, system]):
        assert route_lookup(order, address) is user
    for order in ([system, aks], [aks, system]):
        assert route_lookup(order, address) is aks


# Firewall -------------------------------------------------------------------------------------
# Target FQDNs (https://learn.microsoft.com/azure/firewall/firewall-faq, "How do wildcards work in
# target FQDNs"): `*.contoso.com` matches any name under contoso.com but not contoso.com itself, and
# not a name that merely ends in the same letters; a name without a wildcard matches only itself;
# `*` matches every name. Names compare without regard to case (RFC 4343).
FQDNS = [
    ("*.contoso.com", "www.contoso.com", True),
    ("*.contoso.com", "a.b.contoso.com", True),
    ("*.contoso.com", "contoso.com", False),
    ("*.contoso.com", "evilcontoso.com", False),
    ("contoso.com", "www.contoso.com", False),
    ("contoso.com", "contoso.com", True),
    ("*", "anything.example.org", True),
    ("MCR.Microsoft.com", "mcr.microsoft.com", True),
    ("*.Blob.Core.Windows.Net", "acct.blob.core.windows.net", True),
]


@pytest.mark.parametrize("pattern,name,expected", FQDNS)
def test_target_fqdns_match_as_azure_firewall_matches_them(pattern, name, expected):
    assert fqdn_matches(pattern, name) is expected


def _collection(name, priority, action, rules):
    return {"name": name, "priority": priority, "action": {"type": action}, "rules": rules}


def _net_rule(name, ports=("443",), protocols=("TCP",), destinations=("*",), fqdns=()):
    rule = {"ruleType": "NetworkRule", "name": name, "sourceAddresses": ["10.240.0.0/16"],
            "ipProtocols": list(protocols), "destinationPorts": list(ports)}
    if fqdns:
        rule["destinationFqdns"] = list(fqdns)
    else:
        rule["destinationAddresses"] = list(destinations)
    return rule


def _app_rule(name, fqdns=("*",), port=443):
    return {"ruleType": "ApplicationRule", "name": name, "sourceAddresses": ["10.240.0.0/16"],
            "protocols": [{"protocolType": "Https", "port": port}], "targetFqdns": list(fqdns)}


CONTEXT = FirewallContext({}, IP("192.0.2.250"), True, {})


def _decide(groups, protocol="TCP", port=443, fqdn="www.contoso.com", destination="20.1.2.3",
            source="10.240.0.9", context=CONTEXT):
    rule = firewall_decide(firewall_rules(groups), Packet(IP(source), IP(destination), protocol, port, fqdn), context)
    return None if rule is None else rule.name


def test_firewall_rules_go_by_kind_then_group_then_collection_then_rule_order():
    """rule-processing ("Rule processing by using Firewall Policy"): DNAT, then network, then
    application rules; within a kind, the group of the lowest priority number first, within it
    the collection of the lowest number, within that the rules in order."""
    # An application rule in the first group loses to a network rule of a later group.
    early_app = RuleGroup("g100", "a", 100, (_collection("apps", 100, "Deny", [_app_rule("deny-all")]),))
    late_net = RuleGroup("g900", "b", 900, (_collection("nets", 100, "Allow", [_net_rule("allow-443")]),))
    assert _decide([early_app, late_net]) == "g900/nets/allow-443"
    # Within one kind, the group's priority comes before the collection's.
    g200 = RuleGroup("g200", "a", 200, (_collection("c100", 100, "Allow", [_net_rule("allow")]),))
    g300 = RuleGroup("g300", "b", 300, (_collection("c50", 50, "Deny", [_net_rule("deny")]),))
    assert _decide([g300, g200]) == "g200/c100/allow"
    # Within one group, the collection's priority before the rules' order.
    one = RuleGroup("g", "a", 100, (_collection("late", 400, "Allow", [_net_rule("first")]),
                                    _collection("early", 300, "Deny", [_net_rule("ssh", ports=("22",)),
                                                                       _net_rule("second")])))
    assert _decide([one]) == "g/early/second"
    # Within a collection, the first rule that matches.
    ordered = RuleGroup("g", "a", 100, (_collection("c", 100, "Allow", [_net_rule("a", ports=("22",)),
                                                                        _net_rule("b"), _net_rule("c")]),))
    assert _decide([ordered]) == "g/c/b"


FIREWALL_MATCHES = [
    # (rules, packet fields, expected rule or None)
    ([_net_rule("any", protocols=("Any",))], {"protocol": "UDP", "port": 443}, "any"),
    ([_net_rule("tcp")], {"protocol": "UDP", "port": 443}, None),
    ([_net_rule("range", ports=("8000-8080",))], {"port": 8080}, "range"),
    ([_net_rule("range", ports=("8000-8080",))], {"port": 8081}, None),
    ([_net_rule("dst", destinations=("20.1.2.0/24",))], {"destination": "20.1.3.1"}, None),
    ([_net_rule("dst", destinations=("20.1.2.0/24",))], {"source": "10.241.0.9"}, None),  # source outside
    ([_app_rule("https")], {"protocol": "UDP"}, None),                                   # HTTP(S) is TCP
    ([_app_rule("https")], {"port": 8443}, None),                                        # its protocol:port list
    ([_app_rule("https", fqdns=("*.contoso.com",))], {"fqdn": "contoso.com"}, None),
    ([_net_rule("by-name", fqdns=("www.contoso.com",))], {}, "by-name"),                 # DNS proxy on
    ([_net_rule("by-name", fqdns=("www.contoso.com",))], {"context": FirewallContext({}, None, False, {})}, None),
]


@pytest.mark.parametrize("rules,packet,expected", FIREWALL_MATCHES)
def test_the_firewall_rule_that_matches(rules, packet, expected):
    group = RuleGroup("g", "a", 100, (_collection("c", 100, "Allow", list(rules)),))
    decided = _decide([group], **packet)
    assert decided == (None if expected is None else f"g/c/{expected}")


def test_a_rule_of_service_tag_addresses_matches_a_packet_labelled_with_it():
    group = RuleGroup("g", "a", 100, (_collection("c", 100, "Allow", [
        {**_net_rule("tag", destinations=("AzureCloud.westeurope",)), "ipProtocols": ["UDP"], "destinationPorts": ["1194"]}]),))
    tagged = Packet(IP("10.240.0.9"), IP("20.50.0.1"), "UDP", 1194, destination_tags=frozenset({"AzureCloud.westeurope"}))
    plain = Packet(IP("10.240.0.9"), IP("20.50.0.1"), "UDP", 1194)
    rules = firewall_rules([group])
    assert firewall_decide(rules, tagged, CONTEXT).name == "g/c/tag"
    assert firewall_decide(rules, plain, CONTEXT) is None


# The network model of the committed stacks ----------------------------------------------------
# Stack variants are read with the loader alone (no mock engine): `tracer_of` in tests/test_paths.py.



@pytest.fixture(scope="module")
def prod_walk():
    return tracer_of(load("prod"))


@pytest.fixture(scope="module")
def dev_walk():
    return tracer_of(load("dev"), stack="dev")


def _first_usable(prefix):
    """Azure reserves a subnet's first four addresses (network, gateway, two for DNS) and its last:
    https://learn.microsoft.com/azure/virtual-network/virtual-networks-faq#are-there-any-restrictions-on-using-ip-addresses-within-these-subnets"""
    return prefix.network_address + 4


def test_prod_network_model_pins_each_azure_fact(prod_walk):
    t, _ = prod_walk
    net = t.net
    firewall = net.subnets["AzureFirewallSubnet"]
    # Azure Firewall takes the first usable address of its subnet; the UDR points there.
    assert net.firewall_address == _first_usable(firewall.prefix) == IP("10.200.0.4")
    # AzureFirewallSubnet takes no NSG (firewall-faq); every other subnet of prod has one.
    assert firewall.nsg is None
    assert all(s.nsg is not None for role, s in net.subnets.items() if role != "AzureFirewallSubnet")
    # Private endpoints (the API server's, the registry's) take usable addresses of their subnets.
    for name, (zone, address) in net.private_names.items():
        endpoints = net.subnets["endpoints"].prefix
        assert zone == "privatelink.azurecr.io" and address in endpoints and address >= _first_usable(endpoints), name
    assert net.api_address is not None and net.api_address in net.subnets["nodes"].prefix
    assert net.api_address >= _first_usable(net.subnets["nodes"].prefix)
    # The user-defined default route is the route table's (origin user), through the firewall.
    nodes = {(str(r.prefix), r.next_hop, r.origin, r.address) for r in net.subnets["nodes"].routes if r.origin != "system"}
    assert ("0.0.0.0/0", "VirtualAppliance", "user", IP("10.200.0.4")) in nodes
    # Overlay: the pod CIDR is reached from the nodes, and from the gateway's subnet with AGIC
    # (https://learn.microsoft.com/azure/application-gateway/ingress-controller-overview, Overlay support);
    # from nothing in the hub.
    pod_routed = {role for role, s in net.subnets.items() if any(r.origin == "aks" for r in s.routes)}
    assert pod_routed == {"nodes", "appgw"}
    assert net.hub is True and any(r.next_hop == "VNetPeering" for r in net.subnets["nodes"].routes)
    # With TLS, the gateway serves 443; port 80 only redirects (no backend sees it).
    assert {route[4] for route in net.ingress_routes} == {443}
    # The AzureKubernetesService FQDN tag covers the public API server's *.hcp.<region>.azmk8s.io.
    assert "*.hcp.westeurope.azmk8s.io" in net.firewall_context.tag_fqdns["AzureKubernetesService"]


def test_dev_network_model_has_no_peering_and_no_firewall(dev_walk):
    t, _ = dev_walk
    assert t.net.hub is False and t.net.firewall_address is None
    assert not any(r.next_hop == "VNetPeering" for s in t.net.subnets.values() for r in s.routes)


def _hops(path):
    return [(h.layer, h.rule, h.action) for h in path.hops]


def test_prod_traces_name_the_azure_fact_that_decides(prod_walk):
    t, _ = prod_walk
    bastion = t.address_place(IP("10.200.0.70"))
    # An Overlay pod address from the hub's bastion: outside the VNets, so not in the VirtualNetwork tag, and
    # private, so not in the Internet tag either (service-tags-overview): the bastion subnet's NSG allows only
    # those outbound, and DenyAllOutBound ends it before any route (network-security-groups-overview).
    to_pod = t.trace(bastion, t.address_place(IP("192.168.0.10")), "TCP", 80)
    assert to_pod.verdict == "denied" and to_pod.decided_by.rule.startswith("DenyAllOutBound"), _hops(to_pod)
    # A private address outside every VNet: dropped by the None route of 10.0.0.0/8.
    private = t.trace(t.node(), t.address_place(IP("10.50.0.9")), "TCP", 443)
    assert private.verdict == "denied" and private.decided_by.layer in ("nsg", "route"), _hops(private)
    # With TLS, the gateway answers port 80 with a redirect; only 443 reaches the app
    # (https://learn.microsoft.com/azure/application-gateway/redirect-overview).
    http = t.trace(t.internet(), t.app_place("shop/web"), "TCP", 80)
    assert http.verdict == "denied" and http.decided_by.layer == "appGateway", _hops(http)
    assert http.decided_by.rule.endswith("redirects to https://shop.example.com")
    assert t.trace(t.internet(), t.app_place("shop/web"), "TCP", 443).verdict == "allowed"
    # The registry's private endpoint answers HTTPS only.
    registry = t.fqdn("contosoaksnetprod.azurecr.io")
    assert t.trace(t.node(), registry, "TCP", 443).verdict == "allowed"
    for protocol, port in (("TCP", 80), ("UDP", 443), ("TCP", 22)):
        path = t.trace(t.node(), registry, protocol, port)
        assert path.verdict == "denied" and path.decided_by.layer in ("privateEndpoint", "nsg"), (protocol, port)
    # The private API zone answers its own subdomains only, not a name that merely ends in its letters.
    lookalike = t.trace(t.node(), t.fqdn("evilprivatelink.westeurope.azmk8s.io"), "TCP", 443)
    assert lookalike.hops[0].resource == "public DNS", _hops(lookalike)
    # From the internet, private names resolve publicly, to endpoints that are off or absent.
    for name in ("contosoaksnetprod.azurecr.io", "aks-x.privatelink.westeurope.azmk8s.io"):
        outside = t.trace(t.internet(), t.fqdn(name), "TCP", 443)
        assert outside.verdict == "denied" and outside.hops[0].resource == "public DNS", _hops(outside)
    own = t.trace(t.node(), t.fqdn("aks-x.privatelink.westeurope.azmk8s.io"), "TCP", 443)
    assert own.hops[0].resource == "private zone privatelink.westeurope.azmk8s.io", _hops(own)


def test_dev_traces_through_envoy_gateway_and_the_internal_load_balancer(dev_walk):
    t, _ = dev_walk
    # dev's public API server admits its authorized range only.
    assert t.trace(t.internet(), t.apiserver(), "TCP", 443).verdict == "denied"
    assert t.trace(t.address_place(IP("203.0.113.5")), t.apiserver(), "TCP", 443).verdict == "allowed"
    # Envoy Gateway's proxies listen unprivileged: listener port 80 on container port 10080
    # (https://gateway.envoyproxy.io/docs/tasks/operations/customize-envoyproxy/); the app's
    # NetworkPolicy sees the app's container port (8080), not the Service port (80).
    web = t.trace(t.internet(), t.app_place("development/frontend"), "TCP", 80, via="ingress")
    assert web.verdict == "allowed", _hops(web)
    proxies = next(h for h in web.hops if h.layer == "ingressController")
    assert "container port 10080" in proxies.resource
    assert next(h for h in web.hops if h.layer == "networkPolicy").rule == "TCP/8080"
    # An internal Service with a static address: the load balancer answers on that address.
    vnet = t.cidr_place(NET("192.168.0.0/16"), "192.168.0.0/16")
    ilb = t.trace(vnet, t.app_place("development/internal-api"), "TCP", 80)
    assert ilb.verdict == "allowed", _hops(ilb)
    assert any(h.layer == "loadBalancer" and h.resource == "internal load balancer 192.168.2.10" for h in ilb.hops)


# path_report ----------------------------------------------------------------------------------

# A NetworkPolicy port's protocol is TCP, UDP or SCTP, and a port number is 1 to 65535
# (https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/#NetworkPolicySpec).
PORTS = [("TCP/443", ("TCP", 443)), ("udp/53", ("UDP", 53)), ("SCTP/9", ("SCTP", 9)), ("TCP/1", ("TCP", 1)),
         ("TCP/65535", ("TCP", 65535)), ("TCP/0", None), ("TCP/65536", None), ("ICMP/8", None), ("TCP/x", None),
         ("443", None)]


@pytest.mark.parametrize("text,expected", PORTS)
def test_parse_port_takes_the_protocols_and_ports_kubernetes_takes(text, expected):
    assert parse_port(text) == expected


def test_prod_report_walks_the_add_on_endpoints_and_no_public_api_server(prod_walk):
    _, loaded = prod_walk
    report = path_report(loaded.spec, loaded.plan)
    flows = {(p.flow, p.destination) for p in report.paths}
    # azurePolicy is on: its endpoints (outbound-rules-control-egress, "Azure Policy") are walked.
    for fqdn in ("data.policy.core.windows.net", "store.policy.core.windows.net", "dc.services.visualstudio.com"):
        assert ("azure-policy", fqdn) in flows
    # A private cluster's nodes reach the API server by its private endpoint, not a public FQDN.
    assert not any(p.flow == "aks-api-server" for p in report.paths)
    # With TLS the ingress is walked on 443 only.
    assert {p.port for p in report.paths if p.flow == "ingress-shop"} == {"TCP/443"}


def test_kubenet_with_agic_reaches_the_pods_through_the_shared_route_table():
    """kubenet with AGIC: the cluster's route table, where AKS writes a route per node's pod range,
    must also be on the gateway's subnet, or the gateway cannot reach a pod
    (https://learn.microsoft.com/azure/application-gateway/tutorial-ingress-controller-add-on-existing)."""
    config = variant(load("dev"), {"aks-networking:network.spoke.subnets.appgw": "192.168.3.0/24",
                                   "aks-networking:ingress": {"controller": "appgw", "appGateway": {
                                       "sku": "Standard_v2", "minCapacity": 0, "maxCapacity": 2}}})
    t, _ = tracer_of(config, stack="dev", advisory=ADVISORY)
    path = t.trace(t.internet(), t.app_place("development/frontend"), "TCP", 80, via="ingress")
    assert path.verdict == "allowed", _hops(path)
    assert ("route", "10.244.0.0/16 -> Cluster (aks)", "forward") in _hops(path)


def test_agc_reaches_overlay_pods_from_its_own_subnet():
    """With CNI Overlay, AGC's subnet joins the pods' routing domain
    (https://learn.microsoft.com/azure/application-gateway/for-containers/container-networking)."""
    t, _ = tracer_of(example("agc"), stack="agc", advisory=ADVISORY)
    _, _, key, _, listener = t.net.ingress_routes[0]
    path = t.trace(t.internet(), t.app_place(key), "TCP", listener, via="ingress")
    assert path.verdict == "allowed", _hops(path)
    assert ("route", f"{t.net.pod_cidr} -> Cluster (aks)", "forward") in _hops(path)


def test_vnet_integration_puts_the_api_server_in_its_subnet_and_management_subnets_take_no_nsg():
    """API server VNet integration projects the API server into its delegated subnet
    (https://learn.microsoft.com/azure/aks/api-server-vnet-integration); AzureFirewallManagementSubnet,
    like AzureFirewallSubnet, takes no NSG (https://learn.microsoft.com/azure/firewall/firewall-faq)."""
    config = variant(load("prod"), {"aks-networking:cluster.apiServerVnetIntegration": True,
                                    "aks-networking:network.spoke.subnets.apiserver": "10.240.7.0/28",
                                    "aks-networking:cluster.privateDnsZone": "system",
                                    "aks-networking:network.hub.subnets.AzureFirewallManagementSubnet": "10.200.0.192/26",
                                    "aks-networking:network.onPremises": ["172.20.0.0/16"]})
    t, _ = tracer_of(config, stack="prod", advisory=ADVISORY)
    # On-premises arrives through the hub's gateway: it reaches the hub, but the spoke only with gateway
    # transit, which the peering does not set; and nothing beyond the VNets
    # (https://learn.microsoft.com/azure/virtual-network/virtual-network-peering-overview#gateways-and-on-premises-connectivity).
    onprem = t.onprem()
    hub = t.trace(onprem, t.address_place(IP("10.200.0.132")), "TCP", 443)
    assert hub.verdict == "allowed" and "peering" not in [h.layer for h in hub.hops], _hops(hub)
    spoke = t.trace(onprem, t.address_place(IP("10.240.0.9")), "TCP", 443)
    assert spoke.verdict == "denied" and spoke.decided_by.layer == "peering", _hops(spoke)
    beyond = t.trace(onprem, t.address_place(IP("8.8.8.8")), "TCP", 443)
    assert beyond.verdict == "denied" and beyond.decided_by.rule == "on-premises reaches only the stack's VNets"
    apiserver = t.net.subnets["apiserver"].prefix
    assert t.net.api_address in apiserver and t.net.api_address >= _first_usable(apiserver)
    path = t.trace(t.node(), t.apiserver(), "TCP", 443)
    assert path.verdict == "allowed" and path.hops[-1].layer == "privateEndpoint", _hops(path)
    assert t.net.subnets["AzureFirewallManagementSubnet"].nsg is None


# Intent ---------------------------------------------------------------------------------------

DIFFERENCES = [
    ([("TCP", 1, 100)], [("TCP", 10, 20), ("TCP", 50, 50)], ["TCP/1-9", "TCP/21-49", "TCP/51-100"]),
    ([("TCP", 80, 80)], [("TCP", 80, 80)], []),
    ([("TCP", 53, 53), ("UDP", 53, 53)], [("UDP", 53, 53)], ["TCP/53"]),
    ([("TCP", 8000, 8080)], [("TCP", 8080, 9000)], ["TCP/8000-8079"]),
]


@pytest.mark.parametrize("a,b,expected", DIFFERENCES)
def test_the_ports_one_set_allows_beyond_another(a, b, expected):
    assert _difference(PortSet.of(a), PortSet.of(b)).describe() == expected


def test_dev_policies_equal_the_intent_and_leave_dns_open_on_udp_and_tcp(dev_walk):
    """Default-deny egress blocks DNS unless it is allowed; DNS answers on UDP and TCP 53, from the
    pods labelled k8s-app=kube-dns in kube-system
    (https://kubernetes.io/docs/concepts/services-networking/dns-pod-service/,
    https://github.com/coredns/deployment/blob/master/kubernetes/coredns.yaml.sed)."""
    _, loaded = dev_walk
    check = intent_of(loaded.spec, loaded.plan)
    assert check.missing == [] and check.unintended == []
    allowed = {(a["from"], a["to"]): a["ports"] for a in check.allowed}
    for app in loaded.spec.kubernetes.workloads.apps:
        assert allowed[(f"{app.namespace}/{app.name}", "kube-system/coredns")] == ["TCP/53", "UDP/53"], app.name
    # Envoy Gateway's proxies reach each app it routes to on the app's container port.
    assert allowed[("envoy-gateway-system/ingress-controller", "development/frontend")] == ["TCP/8080"]


def test_dev_nginx_answers_the_internet_only_when_public_and_the_app_sees_the_controller():
    """The application routing add-on's NGINX is internal (a private frontend, from an internal load
    balancer) unless made public; behind it, the app's NetworkPolicy sees the controller's pods, not the
    client (https://learn.microsoft.com/azure/aks/app-routing-nginx-configuration)."""
    internal, _ = tracer_of(variant(load("dev"), {"aks-networking:ingress": {"controller": "nginx"}}), stack="dev",
                            advisory=ADVISORY)
    path = internal.trace(internal.internet(), internal.app_place("development/frontend"), "TCP", 80, via="ingress")
    assert path.verdict == "denied" and path.decided_by.layer == "loadBalancer", _hops(path)
    public, _ = tracer_of(variant(load("dev"), {"aks-networking:ingress": {
        "controller": "nginx", "nginx": {"visibility": "public"}},
        "aks-networking:cluster.authorizedIpRanges": DELETE}), stack="dev", advisory=ADVISORY)
    # A public API server without authorized ranges is open to every address
    # (https://learn.microsoft.com/azure/aks/api-server-authorized-ip-ranges).
    api = public.trace(public.internet(), public.apiserver(), "TCP", 443)
    assert api.verdict == "allowed" and api.decided_by.rule == "open to the internet"
    path = public.trace(public.internet(), public.app_place("development/frontend"), "TCP", 80, via="ingress")
    assert path.verdict == "allowed", _hops(path)
    policy = next(h for h in path.hops if h.layer == "networkPolicy")
    assert (policy.resource, policy.rule) == ("app-routing-system/ingress-controller -> development/frontend", "TCP/8080")


def test_a_default_route_to_an_appliance_that_is_not_the_firewall_is_not_judged_as_the_firewall():
    config = variant(load("dev"), {"aks-networking:cluster.outboundType": "userDefinedRouting",
                                   "aks-networking:cluster.egressNextHopIp": "192.168.2.200"})
    t, _ = tracer_of(config, stack="dev", advisory=ADVISORY)
    path = t.trace(t.node(), t.fqdn("example.org"), "TCP", 443)
    assert "firewall" not in [h.layer for h in path.hops]
    assert path.hops[-1] == Hop("route", "appliance 192.168.2.200", "not modelled: assumed to forward", "forward")


def test_azure_cni_with_a_pod_subnet_gives_pods_vnet_addresses_the_gateway_and_the_hub_reach():
    """Azure CNI with dynamic pod IPs: pods take addresses of the pod subnet, routable in the VNet and
    its peers (https://learn.microsoft.com/azure/aks/configure-azure-cni-dynamic-ip-allocation), so the
    gateway reaches them by the VNet's own route, and their subnet's NSG applies."""
    config = variant(load("prod"), {"aks-networking:cluster.networkPluginMode": DELETE,
                                    "aks-networking:cluster.podCidr": DELETE,
                                    "aks-networking:network.spoke.subnets.pods": "10.240.8.0/21"})
    t, _ = tracer_of(config, stack="prod", advisory=ADVISORY)
    assert t.net.apps["shop/web"].address in NET("10.240.8.0/21")
    web = t.trace(t.internet(), t.app_place("shop/web"), "TCP", 443)
    assert web.verdict == "allowed", _hops(web)
    assert ("route", "10.240.0.0/16 -> VnetLocal (system)", "forward") in _hops(web)
    assert any(h.layer == "nsg" and h.resource == "nsg of snet-pods" for h in web.hops)
    bastion = t.trace(t.address_place(IP("10.200.0.70")), t.app_place("shop/web"), "TCP", 80)
    assert [h.layer for h in bastion.hops] == ["nsg", "route", "peering", "nsg", "networkPolicy"], _hops(bastion)


def test_dev_report_walks_service_ports_public_services_and_the_public_api_server(dev_walk):
    """A flow's ports are walked where the traffic meets them: a named port or "all ports" to an app
    behind an internal load balancer on the Service's port (the frontend the load balancer answers on,
    https://kubernetes.io/docs/concepts/services-networking/service/#defining-a-service); only
    LoadBalancer Services are walked from the internet; a public API server with authorized ranges
    behind the load balancer's outbound address is reached from it
    (https://learn.microsoft.com/azure/aks/api-server-authorized-ip-ranges)."""
    _, loaded = dev_walk
    config = variant(load("dev"), {
        "aks-networking:kubernetes.flows[4]": {"name": "vnet-named", "from": {"cidr": "192.168.0.0/16"},
                                               "to": {"app": "internal-api", "namespace": "development"},
                                               "ports": ["TCP/http"]},
        "aks-networking:kubernetes.flows[5]": {"name": "vnet-all", "from": {"cidr": "192.168.0.0/16"},
                                               "to": {"app": "internal-api", "namespace": "development"}}})
    _, changed = tracer_of(config, stack="dev", advisory=ADVISORY)
    report = path_report(changed.spec, changed.plan)
    walked = {p.flow: p for p in report.paths}
    for flow, label in (("vnet-named", "TCP/http"), ("vnet-all", "all")):
        entry = walked[flow]
        assert entry.port == label and entry.path.verdict == "allowed", (flow, _hops(entry.path))
        assert ("loadBalancer", "development/internal-api TCP/80", "forward") in _hops(entry.path)
    services = {p.flow for p in path_report(loaded.spec, loaded.plan).paths if p.flow.startswith("service-")}
    assert services == {"service-frontend"}
    api = next(p for p in path_report(loaded.spec, loaded.plan).paths if p.flow == "aks-api-server")
    assert api.path.verdict == "allowed" and "load balancer's outbound address" in api.path.hops[-1].rule


def test_dnat_publishes_an_internal_service_with_the_firewall_as_the_source():
    """A DNAT rule translates the destination to the internal Service's address and port, and the
    source to the firewall's private address, so the reply returns through it
    (https://learn.microsoft.com/azure/firewall/firewall-faq, https://learn.microsoft.com/azure/firewall/tutorial-firewall-dnat):
    the spoke admits it as the hub's own traffic, the NSG and the NetworkPolicy see the firewall's
    subnet, the policy the container port; nothing else is published."""
    config = with_app({"aks-networking:egress.firewall.dnatRules": [
        {"name": "public", "port": 443, "translatedAddress": "10.240.5.10", "translatedPort": 443}]},
        serviceType="InternalLoadBalancer", staticIp="10.240.5.10")
    t, _ = tracer_of(config, advisory=ADVISORY)
    path = t.trace(t.internet(), t.app_place("shop/public"), "TCP", 443, via="dnat")
    assert _hops(path) == [
        ("firewall", "publish/publish/public", "translate"),
        ("route", "10.240.0.0/16 -> VNetPeering (system)", "forward"),
        ("peering", "allowVirtualNetworkAccess", "forward"),
        ("loadBalancer", "shop/public TCP/443", "forward"),
        ("nsg", "AllowVnetInBound (inbound, priority 65000)", "allow"),
        ("networkPolicy", "TCP/8443", "allow")]
    assert path.hops[-1].resource == "10.200.0.0/26 -> shop/public"
    assert path.hops[3].resource == "internal load balancer 10.240.5.10"
    for protocol, port in (("TCP", 80), ("UDP", 443)):
        other = t.trace(t.internet(), t.app_place("shop/public"), protocol, port, via="dnat")
        assert other.verdict == "denied" and other.decided_by.layer == "firewall", (protocol, port)
