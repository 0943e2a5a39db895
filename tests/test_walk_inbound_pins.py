"""Pins for the inbound walk and the per-hop judges (`aksnet/analysis/paths/inbound.py`, `nsg.py`,
`packet.py`, `firewall.py`) in the branches the committed stacks never reach: a frontend, rule, route,
port or protocol they do not write. Each row builds that case and states the outcome the page cited
beside it documents (allowed or denied, and the layer, hop or rule that decides), never a run of our
code. Tracers are built once per module from stack variants or from the plan with one thing changed."""

from __future__ import annotations

import dataclasses
import ipaddress

import pytest

from aksnet.analysis.paths import Route, Tracer, network_of
from aksnet.pipeline import load_stack
from tests.stacks import DELETE, committed, variant
from tests.test_paths import ADVISORY, tracer_of
from tests.test_paths_edges import without

IP = ipaddress.IPv4Address
NET = ipaddress.IPv4Network


def _hops(path):
    return [(h.layer, h.rule, h.action) for h in path.hops]


def _decided(path):
    hop = path.decided_by
    return path.verdict, hop.layer, hop.rule


# dev with one more app whose Service port (8080) differs from its container port (9090) and from the
# listener (80) an Ingress routes it on: where the walk takes one port for another, the port a layer
# judges changes.
API = {"name": "api", "namespace": "development", "image": "nginxinc/nginx-unprivileged:1.27-alpine",
       "labels": {"app": "api"}, "ports": [{"name": "http", "port": 8080, "targetPort": 9090}]}


# And a public UDP Service: DNS on Service port 53, targetPort 5353, which the internet may reach.
DNS = {"name": "dns", "namespace": "development", "image": "nginxinc/nginx-unprivileged:1.27-alpine",
       "labels": {"app": "dns"}, "ports": [{"name": "dns", "port": 53, "targetPort": 5353, "protocol": "UDP"}],
       "serviceType": "LoadBalancer"}
TO_DNS = {"name": "internet-to-dns", "from": {"cidr": "0.0.0.0/0"}, "to": {"app": "dns", "namespace": "development"},
          "ports": ["UDP/53"]}


def _dev_with_api(changes=None):
    config = committed("dev")
    kubernetes = config["aks-networking:kubernetes"]
    ingress = kubernetes["ingresses"][0]
    routed = {**ingress, "paths": [*ingress["paths"], {"path": "/c", "app": "api", "port": 8080}]}
    return variant(config, {"aks-networking:kubernetes.apps": [*kubernetes["apps"], API, DNS],
                            "aks-networking:kubernetes.flows": [*kubernetes["flows"], TO_DNS],
                            "aks-networking:kubernetes.ingresses": [routed], **(changes or {})})


@pytest.fixture(scope="module")
def dev():
    return tracer_of(committed("dev"), "dev")[0]


@pytest.fixture(scope="module")
def envoy():
    return tracer_of(_dev_with_api(), "dev", advisory=ADVISORY)[0]


@pytest.fixture(scope="module")
def nginx():
    return tracer_of(_dev_with_api({"aks-networking:ingress": {"controller": "nginx", "nginx": {"visibility": "public"}},
                                    "aks-networking:cluster.authorizedIpRanges": DELETE}), "dev", advisory=ADVISORY)[0]


# Ingress controllers proxy to the port the Ingress names on the Service, whose targetPort is the pod's
# port (https://kubernetes.io/docs/concepts/services-networking/ingress/#ingress-rules: a backend is a
# Service name and port; https://kubernetes.io/docs/concepts/services-networking/service/#defining-a-service:
# the Service's targetPort is where the pods listen); a NetworkPolicy judges the pod's port
# (https://kubernetes.io/docs/concepts/services-networking/network-policies/#networkpolicy-resource:
# ports are those of the selected pods).

def test_public_nginx_reaches_the_pod_on_the_target_port_of_the_service_port_the_ingress_names(nginx):
    path = nginx.trace(nginx.internet(), nginx.app_place("development/api"), "TCP", 80, via="ingress")
    assert _hops(path) == [("loadBalancer", "TCP/80", "forward"),
                           ("nsg", "AllowPublicServicesTcp (inbound, priority 100)", "allow"),
                           ("networkPolicy", "TCP/9090", "allow")]
    assert path.hops[-1].resource == "app-routing-system/ingress-controller -> development/api"


# Envoy Gateway's proxies sit behind the public load balancer of their own LoadBalancer Service: the
# nodes' NSG sees the listener's port on that frontend (https://learn.microsoft.com/azure/aks/load-balancer-standard:
# AKS opens the Service's ports, from the internet, in the nodes' NSG), the proxies forward to the port
# the route names on the Service, and the app's NetworkPolicy judges the proxies' pods on its targetPort
# (https://gateway-api.sigs.k8s.io/reference/spec/#gateway.networking.k8s.io/v1.BackendRef: a backend is
# a Service and its port).

def test_envoy_gateway_is_judged_on_the_listener_at_the_nsg_and_on_the_target_port_at_the_pod(envoy):
    path = envoy.trace(envoy.internet(), envoy.app_place("development/api"), "TCP", 80, via="ingress")
    assert _hops(path) == [("loadBalancer", "TCP/80", "forward"),
                           ("nsg", "AllowPublicServicesTcp (inbound, priority 100)", "allow"),
                           ("ingressController", "webapp.dev.example.com:80 -> development/api:8080", "forward"),
                           ("networkPolicy", "TCP/9090", "allow")]
    assert path.hops[-1].resource == "envoy-gateway-system/ingress-controller -> development/api"


# A Service port has one protocol, and the Azure load balancer AKS programs for a LoadBalancer Service
# has one rule per Service port and protocol
# (https://kubernetes.io/docs/reference/networking/service-protocols/;
# https://learn.microsoft.com/azure/load-balancer/components#load-balancing-rules): UDP to a TCP-only
# Service finds no frontend rule, before any NSG sees it.

def test_udp_to_a_tcp_only_public_service_finds_no_load_balancing_rule(dev):
    path = dev.trace(dev.internet(), dev.app_place("development/frontend"), "UDP", 80, via="service")
    assert _hops(path) == [("loadBalancer", "none serves UDP/80 for development/frontend", "deny")]


# The UDP Service's rule is UDP: the nodes' NSG admits it by its UDP rule, and the pod's NetworkPolicy
# judges UDP on the targetPort; TCP to it finds no rule.
@pytest.mark.parametrize("protocol, expected", [
    ("UDP", [("loadBalancer", "UDP/53", "forward"), ("nsg", "AllowPublicServicesUdp (inbound, priority 101)", "allow"),
             ("networkPolicy", "UDP/5353", "allow")]),
    ("TCP", [("loadBalancer", "none serves TCP/53 for development/dns", "deny")]),
])
def test_a_public_udp_service_is_walked_on_udp_alone(envoy, protocol, expected):
    path = envoy.trace(envoy.internet(), envoy.app_place("development/dns"), protocol, 53, via="service")
    assert _hops(path) == expected


# The internet reaches an app if any of its frontends lets the packet through
# (https://learn.microsoft.com/azure/aks/concepts-network-ingress: a LoadBalancer Service and an ingress
# controller are two independent ways in): dev's frontend is both a LoadBalancer Service and an Ingress
# backend; with the policy admitting Envoy's proxies gone, the Ingress way is denied at the pod, yet the
# Service's way still arrives.

def test_an_app_reached_by_one_frontend_is_allowed_though_a_longer_way_in_is_denied():
    loaded = load_stack(committed("dev"), "dev")
    admitting = tuple(m["metadata"]["name"] for m in loaded.plan.manifests if m["kind"] == "NetworkPolicy"
                      and "envoy-gateway-system" in str(m["spec"].get("ingress", "")))
    t, _ = without(loaded, policy_prefix=admitting)
    by_ingress = t.trace(t.internet(), t.app_place("development/frontend"), "TCP", 80, via="ingress")
    assert _decided(by_ingress)[:2] == ("denied", "networkPolicy")
    either = t.trace(t.internet(), t.app_place("development/frontend"), "TCP", 80)
    assert either.verdict == "allowed", either.as_dict()
    assert either.hops[0].resource == "public load balancer (development/frontend)"


# When every way in is denied, the path reported is the one that went furthest: prod's web made a
# LoadBalancer Service as well as the gateway's backend, TCP 80 meets the gateway's redirect to HTTPS
# at once (https://learn.microsoft.com/azure/application-gateway/redirect-overview), and through the
# public load balancer gets as far as the pod, whose NetworkPolicy admits only the gateway's subnet
# (https://kubernetes.io/docs/concepts/services-networking/network-policies/#the-two-sorts-of-pod-isolation).

def test_of_several_denied_ways_in_the_furthest_is_reported():
    config = variant(committed("prod"), {"aks-networking:kubernetes.apps[0].serviceType": "LoadBalancer"})
    t, _ = tracer_of(config, advisory=ADVISORY)
    path = t.trace(t.internet(), t.app_place("shop/web"), "TCP", 80)
    assert _hops(path) == [("loadBalancer", "TCP/80", "forward"),
                           ("nsg", "AllowPublicServicesTcp (inbound, priority 100)", "allow"),
                           ("networkPolicy", "TCP/8080", "deny")]


def _with_nsg_rules(loaded, role, *rules):
    plan = dataclasses.replace(loaded.plan, nsg_rules={**loaded.plan.nsg_rules,
                                                       role: (*loaded.plan.nsg_rules.get(role, ()), *rules)})
    return Tracer(network_of(loaded.spec, plan))


@pytest.fixture(scope="module")
def prod_loaded():
    return load_stack(committed("prod"), "prod")


# An Application Gateway listener is HTTP or HTTPS, both over TCP
# (https://learn.microsoft.com/azure/application-gateway/configuration-listeners#protocol): UDP that the
# gateway subnet's NSG lets in still finds no listener.

def test_udp_let_in_by_the_gateway_subnets_nsg_finds_no_listener(prod_loaded):
    from aksnet.plan.security_rules import Rule

    t = _with_nsg_rules(prod_loaded, "appgw", Rule("AllowAnyProtocol", 130, "Inbound", "Allow", "*", "Internet", "*",
                                                   ("443",)))
    path = t.trace(t.internet(), t.app_place("shop/web"), "UDP", 443, via="ingress")
    assert _hops(path) == [("nsg", "AllowAnyProtocol (inbound, priority 130)", "allow"),
                           ("appGateway", "listens on TCP only, not UDP", "deny")]


# The gateway sends to the pods' own addresses, on the port their Service's targetPort names: AGIC
# writes the pod IPs and that port into the backend pool and settings, with no NodePort or kube-proxy
# between (https://learn.microsoft.com/azure/application-gateway/ingress-controller-overview: "talks to
# pods directly using their private IP addresses"). The nodes' NSG judges that packet inbound: from the
# gateway's subnet, to the container port (prod's web: Service port 80, targetPort 8080; listener 443).
# https://learn.microsoft.com/azure/virtual-network/network-security-group-how-it-works

@pytest.mark.parametrize("denied_port, verdict", [
    ("8080", "denied"),   # the container port: what the gateway sends to
    ("80", "allowed"),    # the Service port: never on the wire from the gateway
    ("443", "allowed"),   # the listener: the client's port, not the backend's
])
def test_the_nodes_nsg_judges_the_gateways_packet_on_the_pods_port(prod_loaded, denied_port, verdict):
    from aksnet.plan.security_rules import Rule

    appgw = str(prod_loaded.spec.network.spoke.subnets["appgw"])
    t = _with_nsg_rules(prod_loaded, "nodes", Rule("DenyGatewayPort", 200, "Inbound", "Deny", "Tcp", appgw, "*",
                                                   (denied_port,)))
    path = t.trace(t.internet(), t.app_place("shop/web"), "TCP", 443, via="ingress")
    assert path.verdict == verdict, path.as_dict()
    nsg = [h for h in path.hops if h.resource == "nsg of snet-nodes"]
    assert [h.rule for h in nsg] == ["DenyGatewayPort (inbound, priority 200)" if verdict == "denied" else
                                     "AllowVnetInBound (inbound, priority 65000)"]


# A route whose next hop is the peering carries the packet into the peered VNet
# (https://learn.microsoft.com/azure/virtual-network/virtual-networks-udr-overview#default: "VNet peering"
# routes each peer's address space to it), not to the cluster: a gateway subnet without AKS's route to
# the pods, whose range it sends to a peer, does not reach them.

def test_a_gateway_subnet_sending_the_pod_range_to_a_peer_does_not_reach_the_pods(prod_loaded):
    net = network_of(prod_loaded.spec, prod_loaded.plan)
    appgw = net.subnets["appgw"]
    routes = (*(r for r in appgw.routes if r.next_hop != "Cluster"), Route(net.pod_cidr, "VNetPeering", "system", "peer"))
    t = Tracer(dataclasses.replace(net, subnets={**net.subnets, "appgw": dataclasses.replace(appgw, routes=routes)}))
    path = t.trace(t.internet(), t.app_place("shop/web"), "TCP", 443, via="ingress")
    assert _decided(path)[:2] == ("denied", "route"), path.as_dict()
    assert path.decided_by.resource == "routes of snet-appgw"
    assert path.decided_by.rule.startswith("192.168.0.0/16 -> VNetPeering")


# A reply leaves by its own subnet's routes. Behind a public frontend, a default route to an appliance
# sends the reply through a stateful device that never saw the request, which drops it
# (https://learn.microsoft.com/azure/firewall/integrate-lb#asymmetric-routing); Application Gateway v2's
# subnet must send 0.0.0.0/0 to the Internet for the same reason
# (https://learn.microsoft.com/azure/application-gateway/configuration-infrastructure#supported-user-defined-routes).

@pytest.fixture(scope="module")
def dev_udr():
    config = variant(committed("dev"), {"aks-networking:cluster.outboundType": "userDefinedRouting",
                                        "aks-networking:cluster.egressNextHopIp": "192.168.2.200"})
    return tracer_of(config, "dev", advisory=ADVISORY)[0]


@pytest.mark.parametrize("key, via", [("development/backend", "ingress"),    # Envoy Gateway's proxies' reply
                                      ("development/frontend", "service")])  # a LoadBalancer Service's reply
def test_a_reply_from_the_nodes_through_an_appliance_the_request_bypassed_is_dropped(dev_udr, key, via):
    path = dev_udr.trace(dev_udr.internet(), dev_udr.app_place(key), "TCP", 80, via=via)
    assert path.hops[-2].layer == "networkPolicy" and path.hops[-2].action == "allow", path.as_dict()
    assert _decided(path) == ("denied", "route", "the reply to 198.51.100.10 leaves by 0.0.0.0/0 -> VirtualAppliance "
                              "192.168.2.200, which never saw the request (asymmetric routing)")
    assert path.decided_by.resource == "routes of snet-nodes"


def test_a_gateway_subnet_replying_through_the_firewall_drops_the_reply(prod_loaded):
    net = network_of(prod_loaded.spec, prod_loaded.plan)
    appgw = net.subnets["appgw"]
    default = Route(NET("0.0.0.0/0"), "VirtualAppliance", "user", "default", net.firewall_address)
    t = Tracer(dataclasses.replace(net, subnets={**net.subnets, "appgw": dataclasses.replace(
        appgw, routes=(*appgw.routes, default))}))
    path = t.trace(t.internet(), t.app_place("shop/web"), "TCP", 443, via="ingress")
    assert path.hops[-2].layer == "networkPolicy" and path.hops[-2].action == "allow", path.as_dict()
    assert _decided(path)[:2] == ("denied", "route") and path.decided_by.resource == "routes of snet-appgw"
    assert "VirtualAppliance 10.200.0.4" in path.decided_by.rule and "asymmetric" in path.decided_by.rule


# Azure Firewall DNAT: a rule publishes a protocol and port of the firewall's public address and
# translates the destination to an address and port of its own (the translated port may differ:
# https://learn.microsoft.com/azure/firewall/tutorial-firewall-dnat-policy; the rule's fields:
# https://learn.microsoft.com/azure/templates/microsoft.network/firewallpolicies/rulecollectiongroups),
# and the source to the firewall's private address
# (https://learn.microsoft.com/azure/firewall/firewall-faq#does-azure-firewall-outbound-snat-between-private-networks).
# Behind it, an internal Service's load balancer rule serves one protocol and Service port
# (https://learn.microsoft.com/azure/load-balancer/components#load-balancing-rules), whose targetPort the
# pods' NetworkPolicy judges. Here TCP 9443 is published to shop/public's TCP 443 (targetPort 8443), and
# UDP 443 to the same address, where no UDP rule listens; shop/other is a second internal Service.

def _dnat_config():
    from tests.test_paths import APP, FROM_INTERNET

    config = committed("prod")
    kubernetes = config["aks-networking:kubernetes"]
    public = {**APP, "serviceType": "InternalLoadBalancer", "staticIp": "10.240.5.10"}
    other = {**APP, "name": "other", "labels": {"app": "other"}, "serviceType": "InternalLoadBalancer",
             "staticIp": "10.240.5.11"}
    return variant(config, {
        "aks-networking:kubernetes.apps": [*kubernetes["apps"], public, other],
        "aks-networking:kubernetes.flows": [*kubernetes["flows"], FROM_INTERNET],
        "aks-networking:egress.firewall.dnatRules": [
            {"name": "public", "port": 9443, "translatedAddress": "10.240.5.10", "translatedPort": 443},
            {"name": "udp", "protocol": "UDP", "port": 443, "translatedAddress": "10.240.5.10", "translatedPort": 443}]})


@pytest.fixture(scope="module")
def dnat_loaded():
    return load_stack(_dnat_config(), "prod", advisory=ADVISORY)


@pytest.fixture(scope="module")
def dnat(dnat_loaded):
    return Tracer(network_of(dnat_loaded.spec, dnat_loaded.plan))


FORWARDED = [("firewall", "publish/publish/public", "translate"),
             ("route", "10.240.0.0/16 -> VNetPeering (system)", "forward"),
             ("peering", "allowVirtualNetworkAccess", "forward"),
             ("loadBalancer", "shop/public TCP/443", "forward"),
             ("nsg", "AllowVnetInBound (inbound, priority 65000)", "allow"),
             ("networkPolicy", "TCP/8443", "allow")]


@pytest.mark.parametrize("key, protocol, port, expected", [
    # published on 9443, arriving on the Service's 443, judged by the pods' policy on 8443
    ("shop/public", "TCP", 9443, FORWARDED),
    # the translated port is not what the firewall publishes
    ("shop/public", "TCP", 443, [("firewall", "no DNAT rule publishes TCP/443", "deny")]),
    # translated to an address whose load balancer has no UDP rule on 443
    ("shop/public", "UDP", 443, [("firewall", "publish/publish/udp", "translate"),
                                 ("loadBalancer", "no internal Service of shop/public listens here", "deny")]),
    # the rule publishes shop/public, not shop/other
    ("shop/other", "TCP", 9443, [("firewall", "publish/publish/public", "translate"),
                                 ("loadBalancer", "no internal Service of shop/other listens here", "deny")]),
])
def test_dnat_delivers_the_translated_address_and_port_and_nothing_else(dnat, key, protocol, port, expected):
    path = dnat.trace(dnat.internet(), dnat.app_place(key), protocol, port, via="dnat")
    assert _hops(path) == expected


def test_dnat_reaches_the_translated_address_asked_for_by_address(dnat):
    """Asked for by its private address rather than as an app, the internal Service is still what the
    DNAT rule publishes: the internet reaches that address through the firewall alone."""
    path = dnat.trace(dnat.internet(), dnat.address_place(IP("10.240.5.10")), "TCP", 9443)
    assert _hops(path) == FORWARDED


def test_the_nodes_nsg_sees_the_firewall_and_the_translated_port_of_a_dnat_packet(dnat_loaded):
    from aksnet.plan.security_rules import Rule

    firewall = str(dnat_loaded.spec.network.hub.subnets["AzureFirewallSubnet"])
    for denied, verdict in (("443", "denied"), ("9443", "allowed")):
        t = _with_nsg_rules(dnat_loaded, "nodes", Rule("DenyFirewallPort", 200, "Inbound", "Deny", "Tcp", firewall, "*",
                                                       (denied,)))
        path = t.trace(t.internet(), t.app_place("shop/public"), "TCP", 9443, via="dnat")
        assert path.verdict == verdict, (denied, path.as_dict())


def test_an_allow_rule_that_is_not_dnat_does_not_publish_the_firewalls_public_address(dnat_loaded):
    """Inbound traffic from the internet is let in by DNAT rules; an address the firewall does not
    translate has nowhere to go (https://learn.microsoft.com/azure/firewall/rule-processing#dnat-rules-and-network-rules)."""
    from aksnet.analysis.paths import FirewallRule

    net = network_of(dnat_loaded.spec, dnat_loaded.plan)
    anything = FirewallRule("open", 200, "open", 100, 0, "Allow", {
        "ruleType": "NetworkRule", "name": "any", "sourceAddresses": ["*"], "destinationAddresses": ["*"],
        "ipProtocols": ["Any"], "destinationPorts": ["*"]})
    t = Tracer(dataclasses.replace(net, firewall_rules=[*net.firewall_rules, anything]))
    path = t.trace(t.internet(), t.app_place("shop/public"), "TCP", 8000, via="dnat")
    assert _hops(path) == [("firewall", "no DNAT rule publishes TCP/8000", "deny")]


# UDP to an HTTPS-only gateway backend: no listener, no redirect (a redirect is an HTTP answer, over
# TCP: https://learn.microsoft.com/azure/application-gateway/redirect-overview), no other frontend.

def test_udp_80_to_a_gateway_backend_served_over_https_meets_no_frontend(prod_loaded):
    t = Tracer(network_of(prod_loaded.spec, prod_loaded.plan))
    path = t.trace(t.internet(), t.app_place("shop/web"), "UDP", 80, via="ingress")
    assert _hops(path) == [("loadBalancer", "none serves UDP/80 for shop/web", "deny")]


# NSGs judge inbound traffic after Azure has translated a public address to the private one it reaches
# (https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview#security-rules):
# the gateway's instances have addresses of its subnet, so a rule for that subnet applies to the listeners'
# traffic. A source carrying a service tag (Front Door's backend addresses, a common restriction in front
# of a gateway or a public Service: https://learn.microsoft.com/azure/frontdoor/origin-security) is
# admitted by a rule naming the tag, before a rule denying the rest of the internet.
FRONT_DOOR = "AzureFrontDoor.Backend"


@pytest.fixture(scope="module")
def dev_loaded():
    return load_stack(committed("dev"), "dev")


def _front_door():
    from aksnet.analysis.paths import Place

    return Place("internet", "front door", IP("20.119.0.1"), tags=frozenset({"Internet", FRONT_DOOR}))


def _only_front_door(port):
    from aksnet.plan.security_rules import Rule

    return (Rule("AllowFrontDoor", 90, "Inbound", "Allow", "Tcp", FRONT_DOOR, "*", (port,)),
            Rule("DenyInternet", 95, "Inbound", "Deny", "*", "Internet", "*", ("*",)))


@pytest.mark.parametrize("stack, role, key, port, via, nsg", [
    ("prod", "appgw", "shop/web", 443, "ingress", "nsg of snet-appgw"),
    ("dev", "nodes", "development/frontend", 80, "service", "nsg of snet-nodes"),
    ("dev", "nodes", "development/backend", 80, "ingress", "nsg of snet-nodes"),
])
def test_an_nsg_rule_of_a_service_tag_admits_a_source_carrying_it_and_no_other(prod_loaded, dev_loaded, stack, role, key,
                                                                                port, via, nsg):
    loaded = prod_loaded if stack == "prod" else dev_loaded
    t = _with_nsg_rules(loaded, role, *_only_front_door(str(port)))
    tagged = t.trace(_front_door(), t.app_place(key), "TCP", port, via=via)
    assert tagged.verdict == "allowed", tagged.as_dict()
    assert next(h.rule for h in tagged.hops if h.resource == nsg) == "AllowFrontDoor (inbound, priority 90)"
    other = t.trace(t.internet(), t.app_place(key), "TCP", port, via=via)
    assert _decided(other) == ("denied", "nsg", "DenyInternet (inbound, priority 95)")


def test_a_gateway_subnet_rule_applies_to_the_listeners_traffic(prod_loaded):
    from aksnet.plan.security_rules import Rule

    appgw = str(prod_loaded.spec.network.spoke.subnets["appgw"])
    t = _with_nsg_rules(prod_loaded, "appgw", Rule("DenyToGateway", 90, "Inbound", "Deny", "Tcp", "*", appgw, ("443",)))
    path = t.trace(t.internet(), t.app_place("shop/web"), "TCP", 443, via="ingress")
    assert _hops(path) == [("nsg", "DenyToGateway (inbound, priority 90)", "deny")]


# An NSG rule names addresses, service tags or any (https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview#security-rules):
# a packet whose address is not known (a name the model has not resolved) matches only `*` or a tag
# it is labelled with, never an address prefix or a tag of address ranges.

@pytest.mark.parametrize("prefix, tags, expected", [
    ("*", frozenset(), True),
    ("Storage", frozenset({"Storage"}), True),
    ("VirtualNetwork", frozenset(), False),
    ("Internet", frozenset(), False),
    ("AzureLoadBalancer", frozenset(), False),
    ("0.0.0.0/0", frozenset(), False),
])
def test_an_unknown_address_matches_only_any_or_a_tag_it_carries(prefix, tags, expected):
    from aksnet.analysis.paths import AddressBook

    assert AddressBook((NET("10.240.0.0/16"),)).matches(prefix, None, tags) is expected


# The reply to DNAT traffic is addressed to the firewall's private address (the firewall translated the
# source to it: https://learn.microsoft.com/azure/firewall/firewall-faq). A spoke route sending the hub's
# range to the firewall (a common way to inspect spoke-to-hub traffic) lands that reply on the firewall
# itself, the device that holds the session; a route sending it to another appliance
# (https://learn.microsoft.com/azure/virtual-network/virtual-networks-udr-overview#user-defined: the
# packet goes to the appliance's address) reaches a device that never saw the request, and it is dropped
# (https://learn.microsoft.com/azure/firewall/integrate-lb#asymmetric-routing).

@pytest.mark.parametrize("appliance, verdict", [("10.200.0.4", "allowed"), ("10.200.0.100", "denied")])
def test_the_reply_to_dnat_traffic_returns_to_the_firewall_by_a_route_through_it_not_through_another(
        dnat_loaded, appliance, verdict):
    net = network_of(dnat_loaded.spec, dnat_loaded.plan)
    nodes = net.subnets["nodes"]
    hub = Route(NET("10.200.0.0/24"), "VirtualAppliance", "user", "hub", IP(appliance))
    t = Tracer(dataclasses.replace(net, subnets={**net.subnets, "nodes": dataclasses.replace(
        nodes, routes=(*nodes.routes, hub))}))
    path = t.trace(t.internet(), t.app_place("shop/public"), "TCP", 9443, via="dnat")
    assert path.verdict == verdict, path.as_dict()
    assert _hops(path)[:6] == FORWARDED
    if verdict == "denied":
        assert _decided(path) == ("denied", "route", "the reply to 10.200.0.4 leaves by 10.200.0.0/24 -> "
                                  "VirtualAppliance 10.200.0.100, which never saw the request (asymmetric routing)")


# A DNAT rule's destination is the firewall's public address
# (https://learn.microsoft.com/azure/firewall/tutorial-firewall-dnat-policy: "Destination: the firewall's
# public IP address"); the plan writes a placeholder for it until Azure assigns it. Both evaluators, the
# compiled one the walk uses and the rule-by-rule one it is measured against, read the placeholder as that
# address, and no other.

@pytest.mark.parametrize("destination, expected", [("192.0.2.250", True), ("192.0.2.251", False)])
def test_a_dnat_rule_for_the_public_address_placeholder_matches_the_firewalls_public_address(destination, expected):
    from aksnet.analysis.paths import FirewallContext, FirewallRule, Packet, firewall_decide, firewall_rule_matches
    from aksnet.plan.egress_rules import PUBLIC_ADDRESS

    rule = FirewallRule("publish", 100, "publish", 100, 0, "DNAT", {
        "ruleType": "NatRule", "name": "web", "ipProtocols": ["TCP"], "sourceAddresses": ["*"],
        "destinationAddresses": [PUBLIC_ADDRESS], "destinationPorts": ["443"], "translatedAddress": "10.240.5.10",
        "translatedPort": "443"})
    context = FirewallContext({}, IP("192.0.2.250"), True, {})
    packet = Packet(IP("198.51.100.10"), IP(destination), "TCP", 443)
    assert firewall_rule_matches(rule, packet, context) is expected
    assert (firewall_decide([rule], packet, context) is rule) is expected


# A network rule's destination FQDN is resolved by the firewall's DNS proxy and takes no wildcard
# ("FQDN filtering in network rules doesn't support wildcards by design":
# https://learn.microsoft.com/azure/firewall/fqdn-filtering-network-rules); an application rule's target
# FQDN does (https://learn.microsoft.com/azure/firewall/firewall-faq#how-do-wildcards-work-in-target-urls-and-target-fqdns-in-application-rules).
# Names compare without regard to case (https://www.rfc-editor.org/rfc/rfc4343).

@pytest.mark.parametrize("kind, listed, name, expected", [
    ("NetworkRule", "*.ubuntu.com", "ntp.ubuntu.com", False),
    ("NetworkRule", "NTP.Ubuntu.com", "ntp.ubuntu.com", True),
    ("NetworkRule", "ntp.ubuntu.com", "pool.ntp.ubuntu.com", False),
    ("ApplicationRule", "*.ubuntu.com", "ntp.ubuntu.com", True),
])
def test_only_an_application_rule_reads_a_wildcard_in_a_destination_name(kind, listed, name, expected):
    from aksnet.analysis.paths import FirewallContext, FirewallRule, Packet, firewall_decide, firewall_rule_matches

    if kind == "NetworkRule":
        body = {"ipProtocols": ["TCP"], "destinationFqdns": [listed], "destinationPorts": ["443"]}
    else:
        body = {"protocols": [{"protocolType": "Https", "port": 443}], "targetFqdns": [listed]}
    rule = FirewallRule("g", 100, "c", 100, 0, "Allow", {"ruleType": kind, "name": "r",
                                                         "sourceAddresses": ["10.240.0.0/16"], **body})
    context = FirewallContext({}, None, True, {})
    packet = Packet(IP("10.240.0.9"), IP("198.51.100.7"), "TCP", 443, name)
    assert firewall_rule_matches(rule, packet, context) is expected
    assert (firewall_decide([rule], packet, context) is rule) is expected


# An NSG rule's address is any, a single address, a CIDR block or a service tag, and its protocol one
# of Tcp, Udp, Icmp, Esp, Ah or any (`*`)
# (https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview#security-rules).

@pytest.mark.parametrize("protocol, source, packet_protocol, packet_source, expected", [
    ("*", "10.240.5.10", "TCP", "10.240.5.10", "AllowRule"),     # a single address, written without a mask
    ("*", "10.240.5.10", "TCP", "10.240.5.11", "DenyAllInBound"),
    ("Icmp", "*", "ICMP", "198.51.100.7", "AllowRule"),
    ("Tcp", "*", "ICMP", "198.51.100.7", "DenyAllInBound"),         # ICMP is not TCP
    ("Udp", "*", "ICMP", "198.51.100.7", "DenyAllInBound"),
    ("*", "*", "ICMP", "198.51.100.7", "AllowRule"),
    ("Icmp", "*", "TCP", "198.51.100.7", "DenyAllInBound"),
])
def test_an_nsg_rule_matches_its_address_and_protocol_as_azure_writes_them(protocol, source, packet_protocol,
                                                                            packet_source, expected):
    from aksnet.analysis.paths import AddressBook, Packet, nsg_decide
    from aksnet.plan.security_rules import Rule

    rule = Rule("AllowRule", 100, "Inbound", "Allow", protocol, source, "*", ("*",))
    packet = Packet(IP(packet_source), IP("10.240.0.5"), packet_protocol, 0)
    assert nsg_decide((rule,), "Inbound", packet, AddressBook((NET("10.250.0.0/16"),))).name == expected
