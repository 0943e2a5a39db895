"""The path model: its evaluators against naive ones, Microsoft's documented scenarios as path
expectations, and what the prod stack's paths must be."""

from __future__ import annotations

import dataclasses
import ipaddress
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aksnet.analysis.path_report import path_report
from aksnet.analysis.paths import (
    DEFAULT_NSG_RULES,
    AddressBook,
    FirewallContext,
    FirewallRule,
    Hop,
    Packet,
    Route,
    Tracer,
    firewall_decide,
    firewall_rule_matches,
    firewall_rules,
    network_of,
    nsg_decide,
    nsg_matches,
    route_lookup,
)
from aksnet.pipeline import load_stack
from aksnet.plan.egress_rules import RuleGroup
from aksnet.plan.outbound import image_registry
from aksnet.plan.security_rules import Rule as NsgRule
from aksnet.rules.path_rules import RULES as PATH_RULES
from tests.stacks import load, variant
from tools import path as path_cli
from tools import preview

IP = ipaddress.IPv4Address
NET = ipaddress.IPv4Network
ADVISORY = frozenset(rule.id for rule in PATH_RULES)


def tracer_of(config, stack="prod", advisory=frozenset()):
    loaded = load_stack(config, stack, advisory=advisory)
    return Tracer(network_of(loaded.spec, loaded.plan)), loaded


@pytest.fixture(scope="module")
def prod_tracer():
    return tracer_of(load("prod"))[0]


def layers(path):
    return [hop.layer for hop in path.hops]


# Evaluators against naive ones --------------------------------------------------------------

ADDRESSES = st.sampled_from([IP("10.0.0.5"), IP("10.0.1.7"), IP("192.168.3.4"), IP("198.51.100.9"),
                             IP("168.63.129.16"), IP("172.16.0.1")])
PREFIXES = st.sampled_from(["*", "VirtualNetwork", "Internet", "AzureLoadBalancer", "GatewayManager",
                            "10.0.0.0/24", "10.0.0.0/16", "192.168.0.0/16", "198.51.100.0/24"])
PORTS = st.sampled_from(["*", "80", "443", "1-1024", "8000-9000", "53"])
BOOK = AddressBook((NET("10.0.0.0/16"),))


@st.composite
def nsg_rules(draw):
    priorities = draw(st.lists(st.integers(100, 4096), unique=True, max_size=12))
    return [NsgRule(f"r{p}", p, draw(st.sampled_from(["Inbound", "Outbound"])), draw(st.sampled_from(["Allow", "Deny"])),
                    draw(st.sampled_from(["Tcp", "Udp", "*"])), draw(PREFIXES), draw(PREFIXES),
                    tuple(draw(st.lists(PORTS, min_size=1, max_size=2)))) for p in priorities]


packets = st.builds(Packet, ADDRESSES, ADDRESSES, st.sampled_from(["TCP", "UDP"]),
                    st.sampled_from([22, 53, 80, 443, 8080, 8443, 65000]),
                    source_tags=st.sampled_from([frozenset(), frozenset({"GatewayManager"})]))


@settings(max_examples=200, deadline=None)
@given(nsg_rules(), packets, st.sampled_from(["Inbound", "Outbound"]))
def test_nsg_evaluator_agrees_with_a_naive_one(rules, packet, direction):
    matching = [r for r in (*rules, *DEFAULT_NSG_RULES) if nsg_matches(r, direction, packet, BOOK)]
    naive = min(matching, key=lambda r: r.priority)  # the lowest number wins; a Deny-all always matches
    assert nsg_decide(rules, direction, packet, BOOK) == naive


ROUTE_PREFIXES = st.sampled_from(["0.0.0.0/0", "10.0.0.0/8", "10.0.0.0/16", "10.0.0.0/24", "10.0.0.128/25",
                                  "10.0.0.5/32", "192.168.0.0/16", "198.51.100.0/24"])


@st.composite
def route_tables(draw):
    routes = [Route(NET("0.0.0.0/0"), "Internet", "system", "default")]
    for index in range(draw(st.integers(0, 10))):
        routes.append(Route(NET(draw(ROUTE_PREFIXES)), draw(st.sampled_from(["VnetLocal", "VirtualAppliance", "None"])),
                            draw(st.sampled_from(["user", "system", "aks"])), f"r{index}"))
    return routes


def brute_force_route(routes, address):
    """Mask the address at each length from /32 down; the first length with a route decides, and
    there the user's route beats AKS's, AKS's the system's, and a route with a next hop a None route."""
    for length in range(32, -1, -1):
        network = NET(f"{address}/{length}", strict=False)
        here = [r for r in routes if r.prefix == network]
        for origin in ("user", "aks", "system"):
            ranked = [r for r in here if r.origin == origin]
            if ranked:
                return next((r for r in ranked if r.next_hop != "None"), ranked[0])
    raise AssertionError("no default route")


@settings(max_examples=200, deadline=None)
@given(route_tables(), ADDRESSES)
def test_longest_prefix_routing_agrees_with_brute_force(routes, address):
    assert route_lookup(routes, address) == brute_force_route(routes, address)


@st.composite
def policies(draw):
    groups = []
    for g, priority in enumerate(draw(st.lists(st.integers(100, 900), unique=True, min_size=1, max_size=3))):
        collections = []
        for c, c_priority in enumerate(draw(st.lists(st.integers(100, 900), unique=True, min_size=1, max_size=3))):
            kind = draw(st.sampled_from(["NetworkRule", "ApplicationRule", "NatRule"]))
            rules = []
            for r in range(draw(st.integers(1, 3))):
                rule = {"ruleType": kind, "name": f"g{g}c{c}r{r}",
                        "sourceAddresses": [draw(st.sampled_from(["*", "10.0.0.0/24", "10.0.1.0/24"]))]}
                if kind == "ApplicationRule":
                    rule["targetFqdns"] = [draw(st.sampled_from(["*.example.com", "api.example.com", "ghcr.io"]))]
                    rule["protocols"] = [{"protocolType": "Https", "port": 443}]
                else:
                    rule["ipProtocols"] = [draw(st.sampled_from(["TCP", "UDP", "Any"]))]
                    rule["destinationAddresses"] = [draw(st.sampled_from(["*", "198.51.100.0/24", "192.0.2.250"]))]
                    rule["destinationPorts"] = [draw(PORTS)]
                    if kind == "NatRule":
                        rule.update(translatedAddress="10.0.0.9", translatedPort="443")
                rules.append(rule)
            action = {"NatRule": "DNAT"}.get(kind, draw(st.sampled_from(["Allow", "Deny"])))
            collections.append({"name": f"c{c}", "priority": c_priority, "action": {"type": action}, "rules": rules})
        groups.append(RuleGroup(f"g{g}", f"g{g}", priority, tuple(collections)))
    return groups


CONTEXT = FirewallContext({}, IP("192.0.2.250"), True, {})
fw_packets = st.builds(Packet, st.sampled_from([IP("10.0.0.4"), IP("10.0.1.4"), IP("203.0.113.1")]),
                       st.sampled_from([IP("198.51.100.7"), IP("192.0.2.250")]), st.sampled_from(["TCP", "UDP"]),
                       st.sampled_from([443, 80, 53]), st.sampled_from([None, "api.example.com", "ghcr.io"]))


def naive_firewall(groups, packet):
    """DNAT, then network, then application rules; in each, groups by priority, collections by
    priority, rules in order: the first match decides."""
    for kind in ("NatRule", "NetworkRule", "ApplicationRule"):
        for group in sorted(groups, key=lambda g: g.priority):
            for collection in sorted(group.collections, key=lambda c: c["priority"]):
                for index, rule in enumerate(collection["rules"]):
                    entry = FirewallRule(group.name, group.priority, collection["name"], collection["priority"], index,
                                         collection["action"]["type"], rule)
                    if rule["ruleType"] == kind and firewall_rule_matches(entry, packet, CONTEXT):
                        return entry
    return None


@settings(max_examples=200, deadline=None)
@given(policies(), fw_packets)
def test_firewall_evaluator_agrees_with_a_naive_one(groups, packet):
    assert firewall_decide(firewall_rules(groups), packet, CONTEXT) == naive_firewall(groups, packet)


def test_network_rules_come_before_application_rules_whatever_the_group_priority():
    network = {"ruleType": "NetworkRule", "name": "deny-all", "sourceAddresses": ["*"], "ipProtocols": ["TCP"],
               "destinationAddresses": ["*"], "destinationPorts": ["443"]}
    application = {"ruleType": "ApplicationRule", "name": "allow", "sourceAddresses": ["*"],
                   "targetFqdns": ["ghcr.io"], "protocols": [{"protocolType": "Https", "port": 443}]}
    groups = [RuleGroup("first", "a", 100, ({"name": "apps", "priority": 100, "action": {"type": "Allow"},
                                              "rules": [application]},)),
              RuleGroup("later", "b", 500, ({"name": "net", "priority": 100, "action": {"type": "Deny"},
                                              "rules": [network]},))]
    decided = firewall_decide(firewall_rules(groups), Packet(IP("10.0.0.4"), IP("198.51.100.7"), "TCP", 443,
                                                            "ghcr.io"), CONTEXT)
    assert decided is not None and decided.name == "later/net/deny-all" and decided.action == "Deny"


@pytest.mark.parametrize("image, host", [
    ("redis:7.4-alpine", "docker.io"), ("nginxinc/nginx-unprivileged:1.27", "docker.io"),
    ("ghcr.io/example/api:1.0", "ghcr.io"), ("mcr.microsoft.com/azuredocs/aks-helloworld:v1", "mcr.microsoft.com"),
    ("registry.example.com:5000/team/app@sha256:" + "a" * 64, "registry.example.com:5000"),
    ("localhost/app:dev", "localhost"), ("library/redis", "docker.io"), ("Contoso.azurecr.io/app:1", "contoso.azurecr.io"),
])
def test_image_registry_is_read_as_the_container_runtime_reads_it(image, host):
    assert image_registry(image) == host


# Microsoft's documented scenarios -------------------------------------------------------------
# AKS egress through Azure Firewall with user-defined routes:
# https://learn.microsoft.com/azure/aks/limit-egress-traffic

def test_egress_through_the_firewall_allows_aks_required_endpoints_and_denies_the_rest(prod_tracer):
    t = prod_tracer
    allowed = t.trace(t.node(), t.fqdn("mcr.microsoft.com"), "TCP", 443)
    assert allowed.verdict == "allowed" and layers(allowed) == ["dns", "nsg", "route", "peering", "firewall"]
    assert allowed.hops[2].rule == "0.0.0.0/0 -> VirtualAppliance 10.200.0.4 (user)"
    assert allowed.decided_by.rule == "aks-egress/aks-application/aks-fqdn-tag"
    # The nodes' own packets start in the spoke: the peering admits them as VNet access, not as forwarded
    # traffic, which is traffic from outside the peered VNet.
    # https://learn.microsoft.com/azure/virtual-network/virtual-network-peering-overview
    assert allowed.hops[3] == Hop("peering", "spoke -> hub", "allowVirtualNetworkAccess", "forward")
    denied = t.trace(t.node(), t.fqdn("example.org"), "TCP", 443)
    assert denied.verdict == "denied" and denied.decided_by.layer == "firewall"
    assert t.trace(t.node(), t.fqdn("mcr.microsoft.com"), "TCP", 22).verdict == "denied"  # HTTPS only


APP = {"name": "public", "namespace": "shop", "image": "mcr.microsoft.com/azuredocs/aks-helloworld:v1",
       "labels": {"app": "public"}, "ports": [{"port": 443, "targetPort": 8443}]}
FROM_INTERNET = {"name": "internet-to-public", "from": {"cidr": "0.0.0.0/0"}, "to": {"app": "public", "namespace": "shop"},
                 "ports": ["TCP/443"]}


def with_app(changes=None, **app):
    config = load("prod")
    kubernetes = config["aks-networking:kubernetes"]
    return variant(config, {"aks-networking:kubernetes.apps": [*kubernetes["apps"], {**APP, **app}],
                            "aks-networking:kubernetes.flows": [*kubernetes["flows"], FROM_INTERNET], **(changes or {})})


def test_the_asymmetric_routing_trap_is_found_by_the_model():
    """A public load balancer behind a default route to the firewall: the request arrives directly,
    the reply leaves through the firewall, which drops it. No rule is written for the case."""
    t, _ = tracer_of(with_app(serviceType="LoadBalancer"), advisory=ADVISORY)
    path = t.trace(t.internet(), t.app_place("shop/public"), "TCP", 443, via="service")
    assert path.verdict == "denied" and path.decided_by.layer == "route"
    assert "asymmetric" in path.decided_by.rule and "VirtualAppliance 10.200.0.4" in path.decided_by.rule
    assert layers(path) == ["loadBalancer", "nsg", "networkPolicy", "route"]


def test_the_dnat_fix_publishes_an_internal_service_through_the_firewall():
    """The documented fix: an internal Service, published by a firewall DNAT rule. The firewall
    translates the source too, so the reply returns to it."""
    config = with_app({"aks-networking:egress.firewall.dnatRules": [
        {"name": "public", "port": 443, "translatedAddress": "10.240.5.10", "translatedPort": 443}]},
        serviceType="InternalLoadBalancer", staticIp="10.240.5.10")
    t, loaded = tracer_of(config)  # accepted in production: every declared path arrives
    path = t.trace(t.internet(), t.app_place("shop/public"), "TCP", 443, via="dnat")
    assert path.verdict == "allowed", path.as_dict()
    assert [(h.layer, h.action) for h in path.hops] == [
        ("firewall", "translate"), ("route", "forward"), ("peering", "forward"), ("loadBalancer", "forward"),
        ("nsg", "allow"), ("networkPolicy", "allow")]
    assert path.hops[0].rule == "publish/publish/public" and path.hops[-1].rule == "TCP/8443"
    # The DNAT rule implies the NetworkPolicy from the firewall's subnet: nobody wrote it by hand.
    policy = next(m for m in loaded.plan.manifests if m["metadata"]["name"] == "dnat-public-ingress")
    assert policy["spec"]["ingress"][0]["from"] == [{"ipBlock": {"cidr": "10.200.0.0/26"}}]


def test_an_internal_load_balancer_answers_on_the_service_port_and_the_pod_on_its_target_port():
    """A Service's `port` is the one it exposes, here on the internal load balancer's frontend; `targetPort`
    is the port on the pods it forwards to
    (https://kubernetes.io/docs/reference/kubernetes-api/service-resources/service-v1/#ServiceSpec). From the
    hub, the app is reached on 443, and its NetworkPolicy admits the pods' 8443; nothing listens on the
    frontend's 8443, and Overlay pod addresses are not routable from the VNets."""
    t, _ = tracer_of(with_app(serviceType="InternalLoadBalancer", staticIp="10.240.5.10"), advisory=ADVISORY)
    bastion = t.address_place(ipaddress.IPv4Address("10.200.0.70"))
    path = t.trace(bastion, t.app_place("shop/public"), "TCP", 443)
    assert path.verdict == "allowed", path.as_dict()
    assert [(h.layer, h.rule) for h in path.hops[-2:]] == [("loadBalancer", "shop/public TCP/443"),
                                                          ("networkPolicy", "TCP/8443")]
    target = t.trace(bastion, t.app_place("shop/public"), "TCP", 8443)
    assert target.verdict == "denied" and "loadBalancer" not in layers(target)
    # A load-balancing rule maps one frontend address, protocol and port to the backends: the TCP/443 rule
    # of a TCP-only Service carries no UDP/443 (https://learn.microsoft.com/azure/load-balancer/components#load-balancing-rules).
    udp = t.trace(bastion, t.app_place("shop/public"), "UDP", 443)
    assert udp.verdict == "denied" and "loadBalancer" not in layers(udp), udp.as_dict()

# Application Gateway with AGIC:
# https://learn.microsoft.com/azure/application-gateway/ingress-controller-overview

def test_agic_reaches_the_pods_from_the_gateway_subnet(prod_tracer):
    t = prod_tracer
    path = t.trace(t.internet(), t.app_place("shop/api"), "TCP", 443)
    assert path.verdict == "allowed"
    assert layers(path) == ["nsg", "appGateway", "route", "nsg", "networkPolicy"]
    assert path.hops[1].rule == "ingress shop: shop.example.com:443 -> shop/api:8080"
    assert path.hops[2].rule == "192.168.0.0/16 -> Cluster (aks)"  # the overlay reaches the gateway's subnet
    assert path.hops[4].resource == "10.240.4.0/24 -> shop/api"


def test_a_gateway_subnet_route_to_an_appliance_takes_the_pods_traffic_away_from_them(prod_tracer):
    # A route whose next hop is a virtual appliance sends what it matches to the appliance's address; the
    # VNet does not deliver it to the destination (https://learn.microsoft.com/azure/virtual-network/
    # virtual-networks-udr-overview#user-defined): a longer route to an appliance for the pods' range on the
    # gateway's subnet beats AKS's route to them, and the gateway no longer reaches the pods.
    import dataclasses

    from aksnet.analysis.paths import Tracer
    from aksnet.analysis.paths.routes import Route
    net = prod_tracer.net
    gateway = net.subnets["appgw"]
    detour = tuple(Route(ipaddress.IPv4Network(prefix), "VirtualAppliance", "user", "detour",
                         ipaddress.IPv4Address("10.200.0.4")) for prefix in ("192.168.0.0/17", "192.168.128.0/17"))
    t = Tracer(dataclasses.replace(net, subnets={**net.subnets, "appgw": dataclasses.replace(
        gateway, routes=(*gateway.routes, *detour))}))
    path = t.trace(t.internet(), t.app_place("shop/api"), "TCP", 443)
    assert path.verdict == "denied", path.as_dict()
    assert path.decided_by.layer == "route" and "VirtualAppliance 10.200.0.4" in path.decided_by.rule
    assert "networkPolicy" not in layers(path)


def test_a_route_to_an_appliance_other_than_the_firewall_is_not_judged_by_the_firewalls_policy(prod_tracer):
    # A VirtualAppliance route sends the packet to the next-hop address it names
    # (https://learn.microsoft.com/azure/virtual-network/virtual-networks-udr-overview#user-defined): a longer
    # route to another appliance takes the packet past the hub's firewall, whose rules then decide nothing.
    import dataclasses

    from aksnet.analysis.paths import Tracer
    from aksnet.analysis.paths.routes import Route
    net = prod_tracer.net
    nodes = net.subnets[net.node_subnet]
    other = Route(ipaddress.IPv4Network("203.0.113.0/24"), "VirtualAppliance", "user", "partner-nva",
                  ipaddress.IPv4Address("10.200.0.100"))
    t = Tracer(dataclasses.replace(net, subnets={**net.subnets, net.node_subnet: dataclasses.replace(
        nodes, routes=(*nodes.routes, other))}))
    path = t.trace(t.node(), t.address_place(ipaddress.IPv4Address("203.0.113.10")), "TCP", 443)
    assert "firewall" not in layers(path), path.as_dict()
    assert path.hops[-1].resource == "appliance 10.200.0.100"


def test_a_user_route_to_the_internet_for_an_address_of_the_vnets_never_arrives(prod_tracer):
    # Next hop Internet sends the packet to Azure's internet edge
    # (https://learn.microsoft.com/azure/virtual-network/virtual-networks-udr-overview#next-hop-types-across-azure-tools),
    # where the hub's private address (RFC 1918, https://www.rfc-editor.org/rfc/rfc1918#section-3: not routed on
    # the internet) is not delivered: without the route, the peering carries it.
    import dataclasses

    from aksnet.analysis.paths import Tracer
    from aksnet.analysis.paths.routes import Route
    net = prod_tracer.net
    nodes = net.subnets[net.node_subnet]
    bastion = ipaddress.IPv4Address("10.200.0.70")
    assert prod_tracer.trace(prod_tracer.node(), prod_tracer.address_place(bastion), "TCP", 22).verdict == "allowed"
    out = Route(ipaddress.IPv4Network("10.200.0.64/26"), "Internet", "user", "out", None)
    t = Tracer(dataclasses.replace(net, subnets={**net.subnets, net.node_subnet: dataclasses.replace(
        nodes, routes=(*nodes.routes, out))}))
    path = t.trace(t.node(), t.address_place(bastion), "TCP", 22)
    assert path.verdict == "denied", path.as_dict()
    assert path.decided_by.layer == "route" and "10.200.0.64/26 -> Internet" in path.decided_by.rule
    assert "peering" not in layers(path)


def test_a_port_no_listener_serves_is_denied_by_the_gateway_subnet_nsg(prod_tracer):
    t = prod_tracer
    path = t.trace(t.internet(), t.app_place("shop/web"), "TCP", 8080, via="ingress")
    assert path.verdict == "denied"


# A private cluster's API server and DNS:
# https://learn.microsoft.com/azure/aks/private-clusters

def test_the_private_api_server_resolves_in_its_zone_and_has_no_public_endpoint(prod_tracer):
    t = prod_tracer
    inside = t.trace(t.node(), t.apiserver(), "TCP", 443)
    assert inside.verdict == "allowed" and inside.hops[0].layer == "dns"
    assert inside.hops[0].resource == "private zone privatelink.westeurope.azmk8s.io"
    assert inside.decided_by.layer == "privateEndpoint"
    outside = t.trace(t.internet(), t.apiserver(), "TCP", 443)
    assert outside.verdict == "denied" and outside.decided_by.layer == "privateEndpoint"
    named = t.trace(t.node(), t.fqdn("aks-prod.privatelink.westeurope.azmk8s.io"), "TCP", 443)
    assert named.hops[0].rule.endswith("-> 10.240.0.4") and named.verdict == "allowed"
    # An app reaches it only when a flow says so: default deny holds for the API server too.
    assert t.trace(t.app_place("shop/web"), t.apiserver(), "TCP", 443).decided_by.layer == "networkPolicy"


def test_on_premises_does_not_reach_the_spoke_without_gateway_transit():
    config = variant(load("prod"), {"aks-networking:network.onPremises": ["172.20.0.0/16"]})
    t, _ = tracer_of(config)
    onprem = t.onprem()
    assert t.trace(onprem, t.node(), "TCP", 22).decided_by.layer == "peering"
    assert t.trace(onprem, t.app_place("shop/web"), "TCP", 80).verdict == "denied"  # an Overlay address
    resolver = t.address_place(IP("10.200.0.132"))
    assert t.trace(onprem, resolver, "UDP", 53).verdict == "allowed"



# A subnet that refuses an NSG (AzureFirewallSubnet, GatewaySubnet) filters nothing on the way out, so
# the layers after it decide: the system routes, and the destination subnet's NSG.
# https://learn.microsoft.com/azure/firewall/firewall-faq (no NSG on AzureFirewallSubnet)
# https://learn.microsoft.com/azure/virtual-network/virtual-networks-udr-overview#default
#   ("10.0.0.0/8 ... None": Azure drops traffic to a reserved private range no VNet holds)
# https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview#default-security-rules
#   (AllowVnetInBound, priority 65000, admits the peered hub's addresses)

def test_a_subnet_without_an_nsg_lets_the_later_layers_decide(prod_tracer):
    t = prod_tracer
    firewall_subnet = t.address_place(IP("10.200.0.10"))  # prod's AzureFirewallSubnet is 10.200.0.0/26
    nowhere = t.trace(firewall_subnet, t.address_place(IP("10.50.0.1")), "TCP", 443)
    assert nowhere.verdict == "denied", nowhere.as_dict()
    assert (nowhere.decided_by.layer, nowhere.decided_by.rule) == ("route", "10.0.0.0/8 -> None (system)")
    # What the firewall forwards to the peered spoke (a DNAT rule's target, say): the nodes' NSG decides.
    spoke = t.trace(firewall_subnet, t.node(), "TCP", 443)
    assert spoke.verdict == "allowed", spoke.as_dict()
    assert spoke.decided_by.resource == "nsg of snet-nodes"
    assert spoke.decided_by.rule.startswith("AllowVnetInBound ")
    assert [h.layer for h in spoke.hops] == ["route", "peering", "nsg"]  # no NSG hop for the firewall's subnet


def test_the_gateway_subnet_has_no_nsg_either():
    # "Network security groups on the gateway subnet aren't supported" (VPN gateway settings, #gwsub):
    # from the hub's GatewaySubnet, as from the firewall's, the route decides, not an NSG of the program's.
    # https://learn.microsoft.com/azure/vpn-gateway/vpn-gateway-about-vpn-gateway-settings#gwsub
    t, _ = tracer_of(variant(load("prod"), {"aks-networking:network.hub.subnets.GatewaySubnet": "10.200.0.192/27"}))
    gateway_subnet = t.address_place(IP("10.200.0.196"))
    nowhere = t.trace(gateway_subnet, t.address_place(IP("10.50.0.1")), "TCP", 443)
    assert (nowhere.decided_by.layer, nowhere.decided_by.rule) == ("route", "10.0.0.0/8 -> None (system)")
    assert [h.layer for h in t.trace(gateway_subnet, t.node(), "TCP", 443).hops] == ["route", "peering", "nsg"]

# What prod's paths must be -------------------------------------------------------------------

@pytest.fixture(scope="module")
def prod_preview():
    import contextlib
    import io
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert preview.main(["prod", "--json"]) == 0
    return json.loads(out.getvalue())


def test_prod_lists_an_allowed_path_for_every_declared_and_derived_flow(prod_preview):
    paths = prod_preview["paths"]
    flows = {p["flow"] for p in paths}
    declared = {f["name"] for f in load("prod")["aks-networking:kubernetes"]["flows"]}
    assert declared | {"ingress-shop", "pull-platform", "aks-required", "azure-policy", "gitops"} == flows
    assert all(p["verdict"] == "allowed" for p in paths), [p for p in paths if p["verdict"] != "allowed"]
    assert prod_preview["exposures"] == []
    pulls = {p["to"]: p["decidedBy"]["layer"] for p in paths if p["flow"].startswith("pull-")}
    assert pulls == {"contosoaksnetprod.azurecr.io": "privateEndpoint",
                     "contosoaksnetprod.westeurope.data.azurecr.io": "privateEndpoint"}


def test_taking_the_generated_rule_away_turns_the_flow_into_a_firewall_denial():
    loaded = load_stack(load("prod"), "prod")
    firewall = loaded.plan.firewall
    groups = []
    for group in firewall.groups:
        collections = tuple({**c, "rules": [r for r in c["rules"] if r["name"] != "api-to-payments"]}
                            for c in group.collections)
        groups.append(dataclasses.replace(group, collections=collections))
    stripped = dataclasses.replace(loaded.plan, firewall=dataclasses.replace(firewall, groups=tuple(groups)))
    t = Tracer(network_of(loaded.spec, stripped))
    source, destination = t.app_place("shop/api"), t.address_place(IP("203.0.113.1"), "203.0.113.0/24")
    before = Tracer(network_of(loaded.spec, loaded.plan)).trace(source, destination, "TCP", 443)
    after = t.trace(source, destination, "TCP", 443)
    assert before.verdict == "allowed" and before.decided_by.rule == "workload-egress/flows/api-to-payments"
    assert after.verdict == "denied" and dataclasses.asdict(after.decided_by) == {
        "layer": "firewall", "resource": "firewall policy", "rule": "no rule matches: denied by default",
        "action": "deny"}
    report = path_report(loaded.spec, stripped)
    assert [p.flow for p in report.paths if p.path.verdict == "denied"] == ["api-to-payments"]


def cli(capsys, *argv):
    code = path_cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_allows_the_payments_flow_with_a_firewall_hop_naming_the_generated_rule(capsys):
    code, out, _ = cli(capsys, "prod", "--from", "shop/api", "--to", "203.0.113.0/24", "--port", "TCP/443", "--json")
    document = json.loads(out)
    assert code == 0 and document["verdict"] == "allowed"
    assert {"layer": "firewall", "resource": "firewall policy", "rule": "workload-egress/flows/api-to-payments",
            "action": "allow"} in document["hops"]
    assert set(document) == {"verdict", "hops", "decidedBy"}


def test_cli_denies_the_cache_from_the_internet_and_names_the_layer(capsys):
    code, out, _ = cli(capsys, "prod", "--from", "internet", "--to", "shop/cache", "--port", "TCP/6379", "--json")
    document = json.loads(out)
    assert code == 0 and document["verdict"] == "denied" and document["decidedBy"]["layer"] == "firewall"
    code, out, _ = cli(capsys, "prod", "--from", "internet", "--to", "shop/cache", "--port", "TCP/6379")
    assert code == 0 and out.splitlines()[-1].startswith("denied by firewall")


@pytest.mark.parametrize("argv, fragment", [
    (["--from", "shop/nope", "--to", "internet"], "not an app of the stack"),
    (["--from", "internet", "--to", "shop/web", "--port", "TCP/0"], "expected PROTO/PORT"),
    (["--from", "onprem", "--to", "shop/web"], "no network.onPremises"),
    (["--from", "apiserver", "--to", "shop/web"], "destinations only"),
    (["--from", "internet", "--to", "nowhere"], "expected internet, onprem"),
    (["--from", "internet", "--to", "fqdn:"], "needs a name, such as fqdn:"),
])
def test_cli_usage_errors_exit_2_with_one_line(capsys, argv, fragment):
    with pytest.raises(SystemExit) as exited:
        path_cli.main(["prod", *argv])
    assert exited.value.code == 2 and fragment in capsys.readouterr().err


def test_cli_refused_stack_file_exits_1(capsys, tmp_path):
    path = tmp_path / "stack.yaml"
    path.write_text("config:\n  aks-networking:cluster:\n    podCidr: nonsense\n")
    code, out, err = cli(capsys, "prod", "--config", str(path), "--from", "internet", "--to", "internet")
    assert code == 1 and out == "" and "Traceback" not in err


def test_cli_walks_a_stack_whose_declared_flow_is_denied(capsys, tmp_path):
    """The path rules refuse such a prod stack for `pulumi up`; the command shows why instead."""
    import yaml
    config = with_app(serviceType="LoadBalancer")
    path = tmp_path / "stack.yaml"
    path.write_text(yaml.safe_dump({"config": config}))
    code, out, _ = cli(capsys, "prod", "--config", str(path), "--from", "internet", "--to", "shop/public", "--json")
    assert code == 0 and json.loads(out)["decidedBy"]["layer"] == "route"


# The flow language: FQDN destinations ----------------------------------------------------------

def test_an_fqdn_flow_becomes_an_application_rule_and_an_internet_egress_policy():
    flows = load("prod")["aks-networking:kubernetes"]["flows"]
    config = variant(load("prod"), {"aks-networking:kubernetes.flows": [*flows, {
        "name": "api-to-stripe", "from": {"app": "api", "namespace": "shop"}, "to": {"fqdn": "API.Stripe.com"},
        "ports": ["TCP/443"]}, {"name": "api-to-smtp", "from": {"app": "api", "namespace": "shop"},
                                "to": {"fqdn": "smtp.example.com"}, "ports": ["TCP/587"]}]})
    t, loaded = tracer_of(config)
    rules = {r["name"]: r for g in loaded.plan.firewall.groups for c in g.collections for r in c["rules"]}
    assert rules["api-to-stripe"]["targetFqdns"] == ["api.stripe.com"] and rules["api-to-stripe"]["ruleType"] == \
        "ApplicationRule"
    assert rules["api-to-smtp"]["destinationFqdns"] == ["smtp.example.com"]  # not HTTP(S): a network rule
    policy = next(m for m in loaded.plan.manifests if m["metadata"]["name"] == "api-to-stripe-egress")
    assert policy["spec"]["egress"][0]["to"][0]["ipBlock"] == {
        "cidr": "0.0.0.0/0", "except": ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]}
    for name, port in (("api.stripe.com", 443), ("smtp.example.com", 587)):
        assert t.trace(t.app_place("shop/api"), t.fqdn(name), "TCP", port).verdict == "allowed"
    assert t.trace(t.app_place("shop/web"), t.fqdn("api.stripe.com"), "TCP", 443).decided_by.layer == "networkPolicy"


def test_flat_cni_firewall_rules_name_the_pod_subnet():
    config = variant(load("prod"), {"aks-networking:cluster.networkPluginMode": None,
                                    "aks-networking:cluster.podCidr": None,
                                    "aks-networking:network.spoke.subnets.pods": "10.240.64.0/18"})
    config["aks-networking:cluster"] = {k: v for k, v in config["aks-networking:cluster"].items() if v is not None}
    loaded = load_stack(config, "prod", advisory=ADVISORY)
    assert loaded.plan.firewall.workload_sources == ("10.240.64.0/18",)
    report = path_report(loaded.spec, loaded.plan)
    assert report.imprecise and "every pod of the cluster takes an address there" in report.imprecise[0][1]


def test_every_hop_names_a_layer_the_docs_explain():
    """A path's hops name their layer from one vocabulary (`LAYERS`), which docs/paths-and-reachability.md
    explains row by row: a reader of `tools.path --json` or of the preview finds each layer there."""
    import re
    from pathlib import Path as FilePath

    from aksnet.analysis.path_report import path_report
    from aksnet.analysis.paths import LAYERS

    documented = re.findall(r"^\| `(\w+)` \|", (FilePath(__file__).parents[1] / "docs" / "paths-and-reachability.md")
                            .read_text(encoding="utf-8"), re.M)
    assert sorted(documented) == sorted(LAYERS)
    named = set()
    for stack in ("dev", "prod"):
        loaded = load_stack(load(stack), stack)
        named |= {hop.layer for entry in path_report(loaded.spec, loaded.plan).paths for hop in entry.path.hops}
    assert named <= set(LAYERS) and len(named) >= 8, named


# The required FQDNs of AKS's outbound page ("Azure Global required FQDN / application rules",
# https://learn.microsoft.com/azure/aks/outbound-rules-control-egress), which the AzureKubernetesService
# FQDN tag covers: each, as a node asks for it, passes prod's firewall by the tag's rule.
@pytest.mark.parametrize("name", [
    "mcr.microsoft.com", "westeurope.data.mcr.microsoft.com", "mcr-0001.mcr-msedge.net", "management.azure.com",
    "login.microsoftonline.com", "packages.microsoft.com", "acs-mirror.azureedge.net", "packages.aks.azure.com"])
def test_the_aks_fqdn_tag_lets_the_nodes_reach_each_required_name(prod_tracer, name):
    t = prod_tracer
    path = t.trace(t.node(), t.fqdn(name), "TCP", 443)
    assert path.verdict == "allowed" and path.decided_by.rule == "aks-egress/aks-application/aks-fqdn-tag", \
        path.as_dict()


def test_the_nodes_required_endpoints_are_each_a_derived_path_of_the_report():
    """The endpoints a node must reach on HTTPS (the outbound page's required FQDNs,
    https://learn.microsoft.com/azure/aks/outbound-rules-control-egress: the registry, Azure Resource Manager,
    Entra ID, and the binaries' mirrors) are each proven as a derived `aks-required` path, allowed."""
    from aksnet.analysis.path_report import path_report
    loaded = load_stack(load("prod"), "prod")
    required = {e.destination: e.path.verdict for e in path_report(loaded.spec, loaded.plan).paths
                if e.flow == "aks-required" and e.port == "TCP/443"}
    assert required == dict.fromkeys(["mcr.microsoft.com", "management.azure.com", "login.microsoftonline.com",
                                      "packages.aks.azure.com", "acs-mirror.azureedge.net"], "allowed")
