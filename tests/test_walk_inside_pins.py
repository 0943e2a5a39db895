"""The walk inside the VNets and out of them (`aksnet/analysis/paths/inside.py`, `routes.py`,
`network.py`), on the branches the committed stacks never take: user routes of each next-hop type on
subnets other than the nodes', a hub subnet routed through the firewall, a peering that refuses forwarded
traffic, pods with VNet addresses, a Service with one port number on two protocols. Each expected
outcome comes from the page cited beside its row, never from a run of the model."""

from __future__ import annotations

import dataclasses
import ipaddress

import pytest

from aksnet.analysis.paths import Hop, Route, Tracer, network_of
from aksnet.plan.egress_rules import RuleGroup
from aksnet.plan.routing import PeeringSettings
from aksnet.plan.security_rules import Rule as NsgRule
from tests.stacks import DELETE, load, variant
from tests.test_paths import ADVISORY, tracer_of
from tests.test_paths_edges import with_nsg_rule

IP = ipaddress.IPv4Address
NET = ipaddress.IPv4Network
FIREWALL = IP("10.200.0.4")  # prod's firewall: the first usable address of AzureFirewallSubnet 10.200.0.0/26
RESOLVER = IP("10.200.0.132")  # an address of prod's hub subnet `dns` (10.200.0.128/28), whose NSG has no rules
BASTION = IP("10.200.0.70")  # an address of prod's AzureBastionSubnet (10.200.0.64/26)


def steps(path):
    return [(hop.layer, hop.action) for hop in path.hops]


def with_routes(tracer: Tracer, role: str, *routes: Route) -> Tracer:
    """The tracer's network with `routes` added to the route table of subnet `role`."""
    net = tracer.net
    subnet = net.subnets[role]
    return Tracer(dataclasses.replace(net, subnets={**net.subnets, role: dataclasses.replace(
        subnet, routes=(*subnet.routes, *routes))}))


@pytest.fixture(scope="module")
def prod():
    return tracer_of(load("prod"))


@pytest.fixture(scope="module")
def dev_both():
    return tracer_of(load("dev"), "dev")


@pytest.fixture(scope="module")
def dev(dev_both):
    return dev_both[0]


@pytest.fixture(scope="module")
def flat():
    """prod with Azure CNI and a pod subnet: pods take VNet addresses of snet-pods
    (https://learn.microsoft.com/azure/aks/configure-azure-cni-dynamic-ip-allocation)."""
    return tracer_of(variant(load("prod"), {"aks-networking:cluster.networkPluginMode": DELETE,
                                            "aks-networking:cluster.podCidr": DELETE,
                                            "aks-networking:network.spoke.subnets.pods": "10.240.8.0/21"}),
                     advisory=ADVISORY)


# Places ------------------------------------------------------------------------------------------
# A range given on the command line or in a flow is walked from one address of it. A /32 is that one
# host; a /31 holds two usable hosts (RFC 3021, https://www.rfc-editor.org/rfc/rfc3021); in a longer
# range the network address names the range and is no host's (RFC 1122 3.2.1.3; Azure reserves it in
# every subnet: https://learn.microsoft.com/azure/virtual-network/virtual-networks-faq#are-there-any-restrictions-on-using-ip-addresses-within-these-subnets).

@pytest.mark.parametrize("cidr, role", [
    ("10.240.3.255/32", "nodes"),   # the nodes' last address: the next one is the gateway's subnet
    ("10.240.4.0/31", "appgw"),
    ("10.240.4.0/24", "appgw"),
    ("10.240.0.0/16", "nodes"),
])
def test_a_range_is_walked_from_a_host_address_inside_it(prod, cidr, role):
    t, _ = prod
    network = NET(cidr)
    place = t.cidr_place(network, cidr)
    assert place.address in network and place.subnet is not None and place.subnet.role == role, place
    if network.num_addresses > 2:
        assert place.address != network.network_address, place


# The source address the VNet sees. Under CNI Overlay a pod leaves with its node's address
# (https://learn.microsoft.com/azure/aks/azure-cni-overlay#pods-and-nodes-networking), but nothing else
# in the VNets does: a hub address keeps its own, so a nodes' NSG rule against the bastion's subnet
# stops the bastion (https://learn.microsoft.com/azure/virtual-network/network-security-group-how-it-works).

def test_under_overlay_only_pods_take_the_nodes_address_a_hub_source_keeps_its_own(prod):
    _, loaded = prod
    t = with_nsg_rule(loaded, "nodes", NsgRule("DenyBastionSsh", 300, "Inbound", "Deny", "Tcp", "10.200.0.64/26",
                                                 "*", ("22",)))
    path = t.trace(t.address_place(BASTION), t.node(), "TCP", 22)
    assert path.verdict == "denied" and path.decided_by.rule == "DenyBastionSsh (inbound, priority 300)", \
        path.as_dict()


# With a pod subnet, a pod sends from that subnet: its NSG, not the nodes', judges the pod's packets
# (https://learn.microsoft.com/azure/aks/configure-azure-cni-dynamic-ip-allocation: pods take addresses
# of their own subnet; an NSG applies to what leaves its subnet).

def test_with_a_pod_subnet_the_pod_subnets_nsg_judges_what_a_pod_sends(flat):
    _, loaded = flat
    t = with_nsg_rule(loaded, "pods", NsgRule("DenyPaymentsOut", 300, "Outbound", "Deny", "*", "*",
                                              "203.0.113.0/24", ("*",)))
    path = t.trace(t.app_place("shop/api"), t.address_place(IP("203.0.113.10")), "TCP", 443)
    assert path.verdict == "denied", path.as_dict()
    assert (path.decided_by.resource, path.decided_by.rule) == ("nsg of snet-pods",
                                                                "DenyPaymentsOut (outbound, priority 300)")


# Pods and Services ------------------------------------------------------------------------------
# A Service's `port` is what clients ask for; `targetPort` is the pod's port it forwards to
# (https://kubernetes.io/docs/reference/kubernetes-api/service-resources/service-v1/#ServicePort), and a
# NetworkPolicy's port is a port on the pod
# (https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/#NetworkPolicySpec).
# dev's backend Service answers on 80 for the pods' 8080; frontend-to-backend is declared on TCP/80.

def test_pod_to_pod_the_policy_judges_the_target_port_of_the_service(dev):
    path = dev.trace(dev.app_place("development/frontend"), dev.app_place("development/backend"), "TCP", 80)
    assert [(h.layer, h.rule, h.action) for h in path.hops] == [
        ("route", "pod to pod", "forward"), ("networkPolicy", "TCP/8080", "allow")]


# A Service may use one port number on two protocols, each with its own target port (kube-dns's 53 on
# UDP and TCP is the usual case): the pair (protocol, port) picks the target port
# (https://kubernetes.io/docs/concepts/services-networking/service/#multi-port-services,
# https://kubernetes.io/docs/reference/kubernetes-api/service-resources/service-v1/#ServicePort).
DNS_APP = {"name": "resolver", "namespace": "development", "image": "coredns/coredns:1.11.3",
           "labels": {"app": "resolver"}, "serviceType": "InternalLoadBalancer", "staticIp": "192.168.2.20",
           "ports": [{"name": "dns-tcp", "port": 53, "targetPort": 8053, "protocol": "TCP"},
                     {"name": "dns-udp", "port": 53, "targetPort": 5353, "protocol": "UDP"}]}
DNS_FLOW = {"name": "vnet-to-resolver", "from": {"cidr": "192.168.0.0/16"},
            "to": {"app": "resolver", "namespace": "development"}, "ports": ["UDP/53", "TCP/53"]}


@pytest.fixture(scope="module")
def dev_resolver():
    config = load("dev")
    kubernetes = config["aks-networking:kubernetes"]
    return tracer_of(variant(config, {"aks-networking:kubernetes.apps": [*kubernetes["apps"], DNS_APP],
                                      "aks-networking:kubernetes.flows": [*kubernetes["flows"], DNS_FLOW]}),
                     "dev", advisory=ADVISORY)[0]


@pytest.mark.parametrize("protocol, pod_port", [("UDP", 5353), ("TCP", 8053)])
def test_one_service_port_on_two_protocols_reaches_each_protocols_target_port(dev_resolver, protocol, pod_port):
    t = dev_resolver
    path = t.trace(t.cidr_place(NET("192.168.0.0/16"), "192.168.0.0/16"), t.app_place("development/resolver"),
                   protocol, 53)
    assert path.verdict == "allowed", path.as_dict()
    assert [(h.layer, h.rule) for h in path.hops[-2:]] == [("loadBalancer", f"development/resolver {protocol}/53"),
                                                           ("networkPolicy", f"{protocol}/{pod_port}")]


# An internal load balancer's frontend without a static address takes a free address of its subnet; the
# first four and the last address of every subnet are Azure's, never a frontend's
# (https://learn.microsoft.com/azure/virtual-network/virtual-networks-faq#are-there-any-restrictions-on-using-ip-addresses-within-these-subnets).

def test_an_internal_frontend_without_a_static_address_is_a_usable_address_of_its_subnet(dev):
    net = dev.net
    app = net.apps["development/internal-api"]
    t = Tracer(dataclasses.replace(net, apps={**net.apps, app.key: dataclasses.replace(app, static_ip=None)}))
    path = t.trace(t.cidr_place(NET("192.168.0.0/16"), "192.168.0.0/16"), t.app_place(app.key), "TCP", 80)
    assert path.verdict == "allowed", path.as_dict()
    frontend = IP(next(h for h in path.hops if h.layer == "loadBalancer").resource.rsplit(" ", 1)[-1])
    ilb = net.subnets["ilb"].prefix
    assert ilb.network_address + 4 <= frontend < ilb.broadcast_address, frontend


# Without its own subnet for internal load balancers, an internal Service's frontend takes an address of
# the cluster's subnet, the nodes' (https://learn.microsoft.com/azure/aks/internal-lb: the address comes
# from the subnet the cluster is in), even when pods take theirs from a pod subnet; a Service that is not
# internal has a public frontend, none in the VNet (https://learn.microsoft.com/azure/aks/load-balancer-standard).

def test_without_an_ilb_subnet_the_internal_frontend_is_in_the_node_subnet_not_the_pod_subnet(flat):
    t, _ = flat
    net = t.net
    app = dataclasses.replace(net.apps["shop/api"], service_type="InternalLoadBalancer", static_ip=None)
    t = Tracer(dataclasses.replace(net, apps={**net.apps, app.key: app},
                                   subnets={role: s for role, s in net.subnets.items() if role != "ilb"}))
    path = t.trace(t.address_place(RESOLVER), t.app_place(app.key), "TCP", 8080)
    frontend = next(h for h in path.hops if h.layer == "loadBalancer").resource
    assert IP(frontend.rsplit(" ", 1)[-1]) in net.subnets["nodes"].prefix, path.as_dict()


def test_a_public_service_has_no_internal_frontend_in_the_vnet(dev):
    path = dev.trace(dev.cidr_place(NET("192.168.0.0/16"), "192.168.0.0/16"), dev.app_place("development/frontend"),
                     "TCP", 80)
    assert not [h for h in path.hops if h.layer == "loadBalancer"], path.as_dict()


# A route whose next hop is None drops the packet
# (https://learn.microsoft.com/azure/virtual-network/virtual-networks-udr-overview#user-defined): what lies
# behind it (a load balancer, the pods, their policy) is never reached, whatever it would have said.

def test_a_dropped_packet_to_an_internal_frontend_never_meets_the_load_balancer(dev):
    ilb = dev.net.subnets["ilb"].prefix
    t = with_routes(dev, "nodes", Route(ilb, "None", "user", "drop-ilb"))
    path = t.trace(t.address_place(IP("192.168.1.20")), t.app_place("development/internal-api"), "TCP", 80)
    assert steps(path) == [("nsg", "allow"), ("route", "deny")], path.as_dict()
    assert path.decided_by.rule == "192.168.2.0/24 -> None (user)"


def test_a_dropped_packet_to_a_pod_with_a_vnet_address_never_meets_its_policy(flat):
    t, _ = flat
    t = with_routes(t, "dns", Route(NET("10.240.8.0/21"), "None", "user", "drop-pods"))
    path = t.trace(t.address_place(RESOLVER), t.app_place("shop/api"), "TCP", 8080)
    assert steps(path) == [("nsg", "allow"), ("route", "deny")], path.as_dict()
    assert path.decided_by.rule == "10.240.8.0/21 -> None (user)"


# Between the hub and the spoke -------------------------------------------------------------------
# Peered VNets reach each other by the VNet peering system route of each other's space
# (https://learn.microsoft.com/azure/virtual-network/virtual-networks-udr-overview#optional-default-routes);
# a VNet's range outside every subnet sends by its VNet's system routes as well. A VNet's own packets enter
# the peer under allowVirtualNetworkAccess; allowForwardedTraffic is for what an appliance forwards from
# elsewhere (https://learn.microsoft.com/azure/virtual-network/virtual-network-peering-overview, and
# https://learn.microsoft.com/azure/virtual-network/virtual-network-manage-peering#peering-settings).

@pytest.mark.parametrize("source", [IP("10.240.1.20"), IP("10.240.200.1")], ids=["nodes", "spoke-outside-subnets"])
def test_the_spoke_reaches_the_hub_by_the_peering_route_as_its_own_traffic(prod, source):
    t, _ = prod
    path = t.trace(t.address_place(source), t.address_place(RESOLVER), "UDP", 53)
    assert path.verdict == "allowed", path.as_dict()
    route = next(h for h in path.hops if h.layer == "route")
    assert route.rule == "10.200.0.0/24 -> VNetPeering (system)"
    assert [h for h in path.hops if h.layer == "peering"] == [
        Hop("peering", "spoke -> hub", "allowVirtualNetworkAccess", "forward")]
    assert (path.hops[-1].resource, path.hops[-1].action) == ("nsg of snet-dns", "allow"), path.as_dict()


def _network_rule(name, source, destination):
    return {"ruleType": "NetworkRule", "name": name, "sourceAddresses": [source],
            "destinationAddresses": [destination], "ipProtocols": ["Any"], "destinationPorts": ["*"]}


HUB_TO_SPOKE = RuleGroup("hub-inspection", "inspection", 150, ({
    "ruleCollectionType": "FirewallPolicyFilterRuleCollection", "name": "hub-to-spoke", "priority": 100,
    "action": {"type": "Allow"}, "rules": [_network_rule("resolver-to-spoke", "10.200.0.128/28", "10.240.0.0/16"),
                                           _network_rule("nodes-to-ilb", "10.240.0.0/22", "10.240.5.0/28")]},))


@pytest.fixture(scope="module")
def inspected(prod):
    """prod, with the hub's resolver subnet routing the spoke's space through the firewall, and the nodes
    routing the internal load balancers' subnet through it (route tables as designs that inspect east-west
    traffic write them), and firewall rules allowing both."""
    _, loaded = prod
    firewall = dataclasses.replace(loaded.plan.firewall, groups=(*loaded.plan.firewall.groups, HUB_TO_SPOKE))
    t = Tracer(network_of(loaded.spec, dataclasses.replace(loaded.plan, firewall=firewall)))
    t = with_routes(t, "dns", Route(NET("10.240.0.0/16"), "VirtualAppliance", "user", "spoke-via-firewall", FIREWALL))
    return with_routes(t, "nodes", Route(NET("10.240.5.0/28"), "VirtualAppliance", "user", "ilb-via-firewall",
                                         FIREWALL))


# The firewall lives in the hub, like the resolver: no peering lies between them. What it forwards to the
# spoke did not start in the hub's firewall (Azure Firewall does not SNAT network-rule traffic to a private
# destination: https://learn.microsoft.com/azure/firewall/snat-private-range), so it enters the spoke as
# forwarded traffic, and the spoke's subnet NSG then judges it inbound.

def test_a_hub_subnet_routed_through_the_firewall_reaches_the_spoke_as_forwarded_traffic(inspected):
    t = inspected
    path = t.trace(t.address_place(RESOLVER), t.node(), "TCP", 22)
    assert [(h.layer, h.resource, h.rule, h.action) for h in path.hops] == [
        ("nsg", "nsg of snet-dns", "AllowVnetOutBound (outbound, priority 65000)", "allow"),
        ("route", "routes of snet-dns", "10.240.0.0/16 -> VirtualAppliance 10.200.0.4 (user)", "forward"),
        ("firewall", "firewall policy", "hub-inspection/hub-to-spoke/resolver-to-spoke", "allow"),
        ("peering", "hub -> spoke", "allowForwardedTraffic", "forward"),
        ("nsg", "nsg of snet-nodes", "AllowVnetInBound (inbound, priority 65000)", "allow")], path.as_dict()


def test_a_spoke_subnet_routed_through_the_hubs_firewall_crosses_the_peering_both_ways(inspected):
    """Out to the hub's firewall, the nodes' own packets; back from it, what the firewall forwards."""
    t = inspected
    path = t.trace(t.node(), t.address_place(IP("10.240.5.6")), "TCP", 443)
    assert [(h.layer, h.resource, h.rule, h.action) for h in path.hops] == [
        ("nsg", "nsg of snet-nodes", "AllowVnetOutBound (outbound, priority 65000)", "allow"),
        ("route", "routes of snet-nodes", "10.240.5.0/28 -> VirtualAppliance 10.200.0.4 (user)", "forward"),
        ("peering", "spoke -> hub", "allowVirtualNetworkAccess", "forward"),
        ("firewall", "firewall policy", "hub-inspection/hub-to-spoke/nodes-to-ilb", "allow"),
        ("peering", "hub -> spoke", "allowForwardedTraffic", "forward"),
        ("nsg", "nsg of snet-ilb", "AllowVnetInBound (inbound, priority 65000)", "allow")], path.as_dict()


def test_what_the_firewall_lets_through_to_the_private_api_server_still_meets_its_endpoint(inspected):
    """The private API server answers HTTPS only (https://learn.microsoft.com/azure/aks/private-clusters):
    a firewall rule allowing every protocol does not make its endpoint answer UDP."""
    t = inspected
    ok = t.trace(t.address_place(RESOLVER), t.apiserver(), "TCP", 443)
    assert ok.verdict == "allowed" and ok.decided_by.layer == "privateEndpoint", ok.as_dict()
    udp = t.trace(t.address_place(RESOLVER), t.apiserver(), "UDP", 443)
    assert udp.verdict == "denied" and udp.decided_by.layer == "privateEndpoint", udp.as_dict()
    assert "firewall" in [h.layer for h in udp.hops]


@pytest.mark.parametrize("source, destination, verdict, peering", [
    # What the firewall forwards from the hub into the spoke: refused without allowForwardedTraffic.
    ("resolver", "node", "denied", Hop("peering", "hub -> spoke", "allowForwardedTraffic", "deny")),
    # The spoke's own packets, straight to the hub, or to the hub's firewall on their way out: VNet access.
    ("node", "resolver", "allowed", Hop("peering", "spoke -> hub", "allowVirtualNetworkAccess", "forward")),
    ("node", "mcr", "allowed", Hop("peering", "spoke -> hub", "allowVirtualNetworkAccess", "forward")),
])
def test_without_allow_forwarded_traffic_only_what_an_appliance_forwards_is_refused(
        monkeypatch, inspected, source, destination, verdict, peering):
    from aksnet.analysis.paths import inside
    monkeypatch.setattr(inside, "PEERING", PeeringSettings(allow_forwarded_traffic=False))
    t = inspected
    places = {"resolver": t.address_place(RESOLVER), "node": t.node(), "mcr": t.fqdn("mcr.microsoft.com")}
    path = t.trace(places[source], places[destination], "TCP", 443)
    assert path.verdict == verdict, path.as_dict()
    assert [h for h in path.hops if h.layer == "peering"] == [peering], path.as_dict()


# Next hop Internet hands the packet to Azure's internet edge
# (https://learn.microsoft.com/azure/virtual-network/virtual-networks-udr-overview#user-defined); a private
# address of the hub (RFC 1918: https://www.rfc-editor.org/rfc/rfc1918#section-3) is not routed back in
# from there, whether or not a subnet holds it.

def test_a_user_route_to_the_internet_for_a_hub_range_outside_its_subnets_never_arrives(prod):
    t, _ = prod
    unused = IP("10.200.0.200")  # in the hub's 10.200.0.0/24, in none of its subnets
    assert t.net.subnet_of(unused) is None and t.net.vnet_of(unused) == "hub"
    kept = t.trace(t.node(), t.address_place(unused), "TCP", 443)
    assert kept.verdict == "allowed" and "peering" in [h.layer for h in kept.hops], kept.as_dict()
    out = with_routes(t, "nodes", Route(NET("10.200.0.192/26"), "Internet", "user", "out"))
    path = out.trace(out.node(), out.address_place(unused), "TCP", 443)
    assert path.verdict == "denied" and path.decided_by.layer == "route", path.as_dict()
    assert "peering" not in [h.layer for h in path.hops]


# A pod's address and the routes it leaves by, with a pod subnet -------------------------------------
# Pods take addresses of the pod subnet, never the four Azure reserves at its start nor its broadcast
# address (https://learn.microsoft.com/azure/aks/configure-azure-cni-dynamic-ip-allocation,
# https://learn.microsoft.com/azure/virtual-network/virtual-networks-faq#are-there-any-restrictions-on-using-ip-addresses-within-these-subnets);
# with outbound type userDefinedRouting, the pod subnet carries the route table too, so a pod's egress
# meets the firewall like the nodes' (https://learn.microsoft.com/azure/aks/egress-outboundtype#outbound-type-of-userdefinedrouting).

def test_with_a_pod_subnet_each_app_has_a_usable_pod_subnet_address(flat):
    t, _ = flat
    pods = t.net.subnets["pods"].prefix
    for app in t.net.apps.values():
        assert pods.network_address + 4 <= app.address < pods.broadcast_address, app


def test_with_a_pod_subnet_a_pods_egress_leaves_by_the_route_table_to_the_firewall(flat):
    t, _ = flat
    path = t.trace(t.app_place("shop/api"), t.address_place(IP("203.0.113.10")), "TCP", 443)
    route = next(h for h in path.hops if h.layer == "route")
    assert (route.resource, route.rule) == ("routes of snet-pods", "0.0.0.0/0 -> VirtualAppliance 10.200.0.4 (user)")
    assert "firewall" in [h.layer for h in path.hops], path.as_dict()


# Defects found by this sweep -----------------------------------------------------------------------

# The Internet service tag is the address space outside the virtual network that the public internet
# reaches (https://learn.microsoft.com/azure/virtual-network/service-tags-overview#available-service-tags);
# a private address in no VNet is not in it, so no NSG rule of the Internet tag decides a packet to it:
# the nodes' NSG ends it at DenyAllOutBound, not at AllowInternetOutBound
# (https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview#default-security-rules).

@pytest.mark.parametrize("destination, rule", [
    ("10.50.0.9", "DenyAllOutBound (outbound, priority 65500)"),
    ("172.31.0.1", "DenyAllOutBound (outbound, priority 65500)"),
    ("203.0.113.10", "AllowInternetOutBound (outbound, priority 65001)"),
])
def test_a_private_address_in_no_vnet_is_not_the_internet_to_an_nsg(dev, destination, rule):
    path = dev.trace(dev.node(), dev.address_place(IP(destination)), "TCP", 443)
    assert path.hops[0].resource == "nsg of snet-nodes" and path.hops[0].rule == rule, path.as_dict()


# Next hop Internet: a VNet's address is not routed back in from the internet, and a private (RFC 1918,
# https://www.rfc-editor.org/rfc/rfc1918#section-3) or shared (RFC 6598, https://www.rfc-editor.org/rfc/rfc6598)
# address is not routed on it at all; a public address is reached
# (https://learn.microsoft.com/azure/virtual-network/virtual-networks-udr-overview#user-defined).

@pytest.mark.parametrize("prefix, destination, verdict", [
    ("10.50.0.0/16", "10.50.0.9", "denied"),
    ("100.64.0.0/10", "100.64.1.1", "denied"),
    ("203.0.113.0/24", "203.0.113.10", "allowed"),
])
def test_a_user_route_to_the_internet_delivers_only_public_addresses(dev_both, prefix, destination, verdict):
    _, loaded = dev_both
    t = with_nsg_rule(loaded, "nodes", NsgRule("AllowPartners", 300, "Outbound", "Allow", "*", "*", prefix, ("*",)))
    t = with_routes(t, "nodes", Route(NET(prefix), "Internet", "user", "partners"))
    path = t.trace(t.node(), t.address_place(IP(destination)), "TCP", 443)
    assert path.verdict == verdict, path.as_dict()
    assert [(h.layer, h.rule.split(":")[0]) for h in path.hops] == [
        ("nsg", "AllowPartners (outbound, priority 300)"), ("route", f"{prefix} -> Internet (user)")]


# A peering that refuses the spoke's own traffic (allowVirtualNetworkAccess off) stops it before the hub's
# firewall: the firewall never sees it, so its rules decide nothing
# (https://learn.microsoft.com/azure/virtual-network/virtual-network-manage-peering#peering-settings).

def test_a_peering_refusing_the_spokes_traffic_stops_it_before_the_hubs_firewall(monkeypatch, prod):
    from aksnet.analysis.paths import inside
    monkeypatch.setattr(inside, "PEERING", PeeringSettings(allow_virtual_network_access=False))
    t, _ = prod
    path = t.trace(t.node(), t.fqdn("mcr.microsoft.com"), "TCP", 443)
    assert path.verdict == "denied", path.as_dict()
    assert path.decided_by == Hop("peering", "spoke -> hub", "allowVirtualNetworkAccess", "deny")
    assert "firewall" not in [h.layer for h in path.hops]


# On-premises, behind a gateway of the hub: the gateway adds a route for each on-premises range, next hop
# Virtual network gateway, to the hub's subnets (udr-overview#optional-default-routes); the spoke learns them
# only with gateway transit (peering overview #gateways-and-on-premises-connectivity), and a subnet whose
# route table disables gateway route propagation, as the cluster's does, never (udr-overview#border-gateway-protocol).
# Without a route, on-premises 172.20.0.0/16 meets Azure's None route of 172.16.0.0/12.
ON_PREMISES = NET("172.20.0.0/16")
VIA_GATEWAY = "172.20.0.0/16 -> VirtualNetworkGateway (gateway)"
DROPPED = "172.16.0.0/12 -> None (system)"


@pytest.fixture(scope="module")
def with_onprem():
    return tracer_of(variant(load("prod"), {"aks-networking:network.onPremises": [str(ON_PREMISES)]}))


@pytest.mark.parametrize("source, verdict, rule", [
    (RESOLVER, "allowed", VIA_GATEWAY),
    (BASTION, "allowed", VIA_GATEWAY),
    (IP("10.200.0.10"), "allowed", VIA_GATEWAY),   # AzureFirewallSubnet
    (IP("10.240.1.20"), "denied", DROPPED),        # nodes: no transit, and their route table stops propagation
    (IP("10.240.6.5"), "denied", DROPPED),         # endpoints: no transit
])
def test_the_hubs_subnets_reach_on_premises_through_the_gateway_and_the_spoke_does_not(with_onprem, source,
                                                                                      verdict, rule):
    t, _ = with_onprem
    onprem = t.onprem()
    assert onprem.address in ON_PREMISES and onprem.address != ON_PREMISES.network_address  # a host, not the range
    path = t.trace(t.address_place(source), onprem, "TCP", 443)
    assert path.verdict == verdict, path.as_dict()
    assert next(h for h in path.hops if h.layer == "route").rule == rule


@pytest.mark.parametrize("transit, remote, source, verdict, rule", [
    (True, True, IP("10.240.6.5"), "allowed", VIA_GATEWAY),   # endpoints: the hub's gateway routes, through transit
    (True, True, IP("10.240.1.20"), "denied", DROPPED),       # nodes: their route table stops propagation
    (True, False, IP("10.240.6.5"), "denied", DROPPED),       # transit needs both halves of the peering
    (False, True, IP("10.240.6.5"), "denied", DROPPED),
])
def test_with_gateway_transit_the_spoke_learns_the_routes_except_where_propagation_is_off(
        monkeypatch, with_onprem, transit, remote, source, verdict, rule):
    from aksnet.analysis.paths import network
    monkeypatch.setattr(network, "PEERING", PeeringSettings(allow_gateway_transit=transit, use_remote_gateways=remote))
    _, loaded = with_onprem
    t = Tracer(network_of(loaded.spec, loaded.plan))
    path = t.trace(t.address_place(source), t.onprem(), "TCP", 443)
    assert path.verdict == verdict, path.as_dict()
    assert next(h for h in path.hops if h.layer == "route").rule == rule


def test_without_a_hub_the_gateway_of_the_vnet_itself_routes_on_premises_except_past_the_route_table():
    """dev has no hub: on-premises comes through a gateway of its own VNet, whose routes reach every subnet
    but the nodes', whose route table (kubenet's) disables gateway route propagation."""
    t, _ = tracer_of(variant(load("dev"), {"aks-networking:network.onPremises": [str(ON_PREMISES)]}), "dev",
                     advisory=ADVISORY)
    ilb = t.trace(t.address_place(IP("192.168.2.20")), t.onprem(), "TCP", 443)
    assert ilb.verdict == "allowed" and ilb.hops[-1].rule == VIA_GATEWAY, ilb.as_dict()
    nodes = t.trace(t.address_place(IP("192.168.1.20")), t.onprem(), "TCP", 443)
    assert nodes.verdict == "denied" and nodes.decided_by.rule == DROPPED, nodes.as_dict()


def test_a_gateway_route_beats_a_system_route_and_loses_to_a_user_route_of_the_same_prefix():
    """udr-overview#how-azure-selects-a-route: on equal prefixes, a user-defined route, then a BGP route,
    then a system route."""
    from aksnet.analysis.paths import route_lookup
    system = Route(ON_PREMISES, "Internet", "system", "system")
    gateway = Route(ON_PREMISES, "VirtualNetworkGateway", "gateway", "on-premises")
    user = Route(ON_PREMISES, "VirtualAppliance", "user", "udr", FIREWALL)
    address = IP("172.20.1.1")
    for order in ([system, gateway], [gateway, system]):
        assert route_lookup(order, address) is gateway
    for order in ([system, gateway, user], [user, gateway, system], [gateway, user, system]):
        assert route_lookup(order, address) is user
