"""The path model's Azure and Kubernetes semantics that the other tests left open (issue 27).

Each test pins one behaviour a user relies on, where a one-place mistake in the path model (a tag's
meaning, a port a frontend answers on, who a proxy's traffic comes from, a boundary) would pass every
other test. The expected outcomes come from the documentation cited beside each test, never from
running the model.
"""

from __future__ import annotations

import ipaddress

import pytest

from aksnet.analysis.paths import DEFAULT_NSG_RULES, AddressBook, Packet, nsg_decide
from tests.stacks import load, variant
from tests.test_paths import ADVISORY, tracer_of

IP = ipaddress.IPv4Address
NET = ipaddress.IPv4Network


@pytest.fixture(scope="module")
def prod_both():
    return tracer_of(load("prod"))


@pytest.fixture(scope="module")
def prod_tracer(prod_both):
    return prod_both[0]


# NSG service tags --------------------------------------------------------------------------------
# https://learn.microsoft.com/azure/virtual-network/service-tags-overview#available-service-tags
#   Internet: the address space outside the virtual network that the public internet reaches.
# https://www.rfc-editor.org/rfc/rfc1918 (section 3): private addresses are not routed on the internet.
# https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview#default-security-rules
#   AllowInternetOutBound (65001) admits the Internet tag; DenyAllOutBound (65500) takes the rest.

@pytest.mark.parametrize("destination", ["10.50.0.9", "172.16.5.5", "192.168.200.1"])
def test_a_private_address_outside_every_vnet_is_not_the_internet_tag(destination):
    book = AddressBook((NET("10.0.0.0/16"),))
    packet = Packet(IP("10.0.0.5"), IP(destination), "TCP", 443)
    assert nsg_decide((), "Outbound", packet, book).name == "DenyAllOutBound"
    public = Packet(IP("10.0.0.5"), IP("52.1.2.3"), "TCP", 443)
    assert nsg_decide((), "Outbound", public, book).name == "AllowInternetOutBound"
    assert {r.name for r in DEFAULT_NSG_RULES} >= {"AllowInternetOutBound", "DenyAllOutBound"}


# Private endpoints -------------------------------------------------------------------------------
# https://learn.microsoft.com/azure/aks/private-clusters: the nodes reach a private cluster's API
# server through its private endpoint; https://learn.microsoft.com/azure/aks/outbound-rules-control-egress
#   (required rules): the API server is reached on TCP 443. Nothing else answers behind the endpoint.

def test_the_private_api_server_answers_on_tcp_443_only(prod_tracer):
    t = prod_tracer
    assert t.trace(t.node(), t.apiserver(), "TCP", 443).verdict == "allowed"
    for protocol, port in (("TCP", 22), ("TCP", 80), ("UDP", 443)):
        path = t.trace(t.node(), t.apiserver(), protocol, port)
        assert path.verdict == "denied", (protocol, port)
        assert path.decided_by.layer == "privateEndpoint", path.as_dict()


# https://learn.microsoft.com/azure/aks/private-clusters: a private cluster's API server has no public
# endpoint; its name in the private zone resolves only in the VNets linked to the zone. Asked from the
# internet, the name leads to no API server (a defect fixed here: the model let the internet reach it).

def test_the_private_api_servers_name_asked_from_the_internet_reaches_nothing(prod_tracer):
    t = prod_tracer
    path = t.trace(t.internet(), t.fqdn("aks-prod.privatelink.westeurope.azmk8s.io"), "TCP", 443)
    assert path.verdict == "denied", path.as_dict()
    assert path.hops[0].layer == "dns" and path.decided_by.layer == "privateEndpoint", path.as_dict()
    # Public DNS answers the internet: the private zone, linked to the stack's VNets only, does not
    # (https://learn.microsoft.com/azure/dns/private-dns-overview), so no private address is handed out.
    assert path.hops[0].resource == "public DNS" and "10.240.0.4" not in path.hops[0].rule, path.as_dict()
    inside = t.trace(t.node(), t.fqdn("aks-prod.privatelink.westeurope.azmk8s.io"), "TCP", 443)
    assert inside.verdict == "allowed" and inside.hops[0].rule.endswith("-> 10.240.0.4"), inside.as_dict()


# Ingress controllers are proxies ----------------------------------------------------------------
# https://kubernetes.github.io/ingress-nginx/user-guide/miscellaneous/#source-ip-address and
# https://learn.microsoft.com/azure/aks/app-routing: the application routing add-on's nginx runs as pods
# in app-routing-system and proxies each request, so the app's pods see the connection come from the
# controller's pods: their NetworkPolicy must admit the controller, not the client.

def test_through_nginx_the_apps_policy_sees_the_controller_pods_not_the_client():
    config = variant(load("dev"), {"aks-networking:ingress": {"controller": "nginx", "nginx": {"visibility": "public"}}})
    t, _ = tracer_of(config, "dev", advisory=ADVISORY)
    path = t.trace(t.internet(), t.app_place("development/frontend"), "TCP", 80, via="ingress")
    assert path.verdict == "allowed", path.as_dict()
    policy = next(h for h in path.hops if h.layer == "networkPolicy")
    assert policy.resource.startswith("app-routing-system/"), policy


@pytest.fixture(scope="module")
def onprem_tracer():
    return tracer_of(variant(load("prod"), {"aks-networking:network.onPremises": ["172.20.0.0/16"]}))[0]


# Gateway transit ---------------------------------------------------------------------------------
# https://learn.microsoft.com/azure/virtual-network/virtual-network-peering-overview#gateways-and-on-premises-connectivity
#   Transit needs both halves: "allow gateway transit" on the hub's peering and "use remote gateways" on
#   the spoke's. With only one, on-premises does not learn the spoke's ranges.

@pytest.mark.parametrize("transit, remote, verdict", [(True, False, "denied"), (False, True, "denied"),
                                                      (True, True, "allowed")])
def test_on_premises_reaches_the_spoke_only_with_both_halves_of_gateway_transit(monkeypatch, onprem_tracer, transit,
                                                                               remote, verdict):
    from aksnet.analysis.paths import tracer as tracer_module
    from aksnet.plan.routing import PeeringSettings
    monkeypatch.setattr(tracer_module, "PEERING", PeeringSettings(allow_gateway_transit=transit,
                                                                   use_remote_gateways=remote))
    t = onprem_tracer
    path = t.trace(t.onprem(), t.node(), "TCP", 22)
    assert path.verdict == verdict, path.as_dict()


# API Server VNet Integration ----------------------------------------------------------------------
# https://learn.microsoft.com/azure/aks/api-server-vnet-integration: the API server is projected into a
# delegated subnet of the cluster's VNet, behind an internal load balancer there; the nodes reach it at
# that address (not at an address of their own subnet, as a private endpoint's would be).

def test_with_vnet_integration_the_api_server_answers_from_its_delegated_subnet():
    config = variant(load("prod"), {"aks-networking:cluster.apiServerVnetIntegration": True,
                                    "aks-networking:network.spoke.subnets.apiserver": "10.240.7.0/28"})
    t, _ = tracer_of(config, advisory=ADVISORY)
    path = t.trace(t.node(), t.apiserver(), "TCP", 443)
    assert path.verdict == "allowed", path.as_dict()
    resolved = IP(path.hops[0].rule.rsplit(" ", 1)[-1])
    assert path.hops[0].layer == "dns" and resolved in NET("10.240.7.0/28"), path.hops[0]


# What the report walks ---------------------------------------------------------------------------
# https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/#NetworkPolicySpec:
#   a rule without `ports` matches every port. https://kubernetes.io/docs/reference/kubernetes-api/service-resources/service-v1/#ServiceSpec:
#   a Service answers only on the ports it lists; an internal load balancer's frontend has no other.
#   So a flow without ports, or naming the Service's port by its name, to an app behind an internal load
#   balancer arrives on the Service's port, and the pod on its target port.

@pytest.mark.parametrize("ports", [None, ["TCP/redis"]])
def test_a_flow_to_an_internal_service_is_walked_on_the_services_port_then_the_target_port(ports):
    from aksnet.analysis.path_report import path_report
    config = load("prod")
    kubernetes = config["aks-networking:kubernetes"]
    app = {"name": "kv", "namespace": "shop", "image": "mcr.microsoft.com/azuredocs/aks-helloworld:v1",
           "labels": {"app": "kv"}, "ports": [{"name": "redis", "port": 6379, "targetPort": 7000}],
           "serviceType": "InternalLoadBalancer", "staticIp": "10.240.5.10"}
    flow = {"name": "resolver-to-kv", "from": {"cidr": "10.200.0.128/28"}, "to": {"app": "kv", "namespace": "shop"},
            **({"ports": ports} if ports else {})}
    _, loaded = tracer_of(variant(config, {"aks-networking:kubernetes.apps": [*kubernetes["apps"], app],
                                          "aks-networking:kubernetes.flows": [*kubernetes["flows"], flow]}),
                         advisory=ADVISORY)
    entry = next(p for p in path_report(loaded.spec, loaded.plan).paths if p.flow == "resolver-to-kv")
    assert entry.path.verdict == "allowed", entry.describe()
    assert [(h.layer, h.rule) for h in entry.path.hops[-2:]] == [("loadBalancer", "shop/kv TCP/6379"),
                                                                ("networkPolicy", "TCP/7000")]


# https://www.rfc-editor.org/rfc/rfc9293#section-3.1 (TCP) and https://www.rfc-editor.org/rfc/rfc768 (UDP):
# a port is a 16-bit number. https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/#ports:
# a container port must be a valid port number, 0 < x < 65536. The path CLI takes PROTO/PORT within them.

@pytest.mark.parametrize("text, parsed", [("TCP/1", ("TCP", 1)), ("udp/65535", ("UDP", 65535)),
                                          ("TCP/0", None), ("TCP/65536", None), ("ICMP/1", None)])
def test_a_port_on_the_command_line_is_one_to_65535(text, parsed):
    from aksnet.analysis.path_report import parse_port
    assert parse_port(text) == parsed


# NetworkPolicy ports -----------------------------------------------------------------------------
# https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/#NetworkPolicyPort:
#   `endPort`: the range from `port` to `endPort`, inclusive; `protocol`: the protocol traffic must match.

@pytest.fixture(scope="module")
def ranged_tracer():
    config = load("prod")
    flows = [dict(f, ports=["TCP/6379-6380"]) if f["name"] == "api-to-cache" else f
             for f in config["aks-networking:kubernetes"]["flows"]]
    return tracer_of(variant(config, {"aks-networking:kubernetes.flows": flows}), advisory=ADVISORY)[0]


@pytest.mark.parametrize("protocol, port, verdict", [("TCP", 6379, "allowed"), ("TCP", 6380, "allowed"),
                                                     ("TCP", 6381, "denied"), ("TCP", 6378, "denied"),
                                                     ("UDP", 6379, "denied"), ("UDP", 6380, "denied")])
def test_a_flows_port_range_admits_both_ends_of_its_protocol_only(ranged_tracer, protocol, port, verdict):
    t = ranged_tracer
    path = t.trace(t.app_place("shop/api"), t.app_place("shop/cache"), protocol, port)
    assert path.verdict == verdict, path.as_dict()
    assert path.decided_by.layer == "networkPolicy"


# A public load balancer forwards only its Service's ports -----------------------------------------
# https://kubernetes.io/docs/reference/kubernetes-api/service-resources/service-v1/#ServiceSpec (`port`: the
# port the Service exposes; `targetPort`: the pod's) and https://learn.microsoft.com/azure/load-balancer/components#load-balancing-rules
# (a frontend forwards only the protocol and port a load-balancing rule names): the internet reaches the
# app on 443, and nothing answers on the pods' 8443 at the frontend.

def test_a_public_service_answers_on_its_port_and_not_on_its_target_port():
    config = load("dev")
    kubernetes = config["aks-networking:kubernetes"]
    app = {"name": "edge", "namespace": "development", "image": "nginxinc/nginx-unprivileged:1.27-alpine",
           "labels": {"app": "edge"}, "ports": [{"port": 443, "targetPort": 8443}], "serviceType": "LoadBalancer"}
    flow = {"name": "internet-to-edge", "from": {"cidr": "0.0.0.0/0"},
            "to": {"app": "edge", "namespace": "development"}, "ports": ["TCP/443"]}
    t, _ = tracer_of(variant(config, {"aks-networking:kubernetes.apps": [*kubernetes["apps"], app],
                                      "aks-networking:kubernetes.flows": [*kubernetes["flows"], flow]}),
                     "dev", advisory=ADVISORY)
    served = t.trace(t.internet(), t.app_place("development/edge"), "TCP", 443, via="service")
    assert served.verdict == "allowed" and served.hops[-1].rule == "TCP/8443", served.as_dict()
    target = t.trace(t.internet(), t.app_place("development/edge"), "TCP", 8443, via="service")
    assert target.verdict == "denied" and target.decided_by.layer == "loadBalancer", target.as_dict()


# The registry's private endpoint ------------------------------------------------------------------
# https://learn.microsoft.com/azure/container-registry/container-registry-private-link: the private
# endpoint takes a private address for the registry's login server and another for its regional data
# endpoint, each with its record in privatelink.azurecr.io; the nodes pull over HTTPS from both.

def test_the_registrys_login_server_and_data_endpoint_resolve_to_two_private_addresses(prod_tracer):
    t = prod_tracer
    resolved = []
    for name in ("contosoaksnetprod.azurecr.io", "contosoaksnetprod.westeurope.data.azurecr.io"):
        path = t.trace(t.node(), t.fqdn(name), "TCP", 443)
        assert path.verdict == "allowed" and path.hops[0].resource == "private zone privatelink.azurecr.io", path.as_dict()
        resolved.append(IP(path.hops[0].rule.rsplit(" ", 1)[-1]))
    assert len(set(resolved)) == 2 and all(a in NET("10.240.6.0/28") for a in resolved), resolved


# A public API server from on-premises -------------------------------------------------------------
# https://learn.microsoft.com/azure/aks/api-server-authorized-ip-ranges: a public API server limited to
# authorized ranges accepts requests only from them, whoever sends them; on-premises is no exception
# (dev authorizes 203.0.113.0/24 alone).

@pytest.mark.parametrize("ranges, action", [(["203.0.113.0/24"], "deny"), (["203.0.113.0/24", "172.20.0.0/16"], "allow")])
def test_on_premises_meets_a_public_api_servers_authorized_ranges(ranges, action):
    config = variant(load("dev"), {"aks-networking:network.onPremises": ["172.20.0.0/16"],
                                   "aks-networking:cluster.authorizedIpRanges": ranges})
    t, _ = tracer_of(config, "dev", advisory=ADVISORY)
    path = t.trace(t.onprem(), t.apiserver(), "TCP", 443)
    assert [(h.layer, h.rule, h.action) for h in path.hops] == [("loadBalancer", "authorizedIpRanges", action)]


# A Deny rule of the firewall denies ---------------------------------------------------------------
# https://learn.microsoft.com/azure/firewall/rule-processing: rules are terminating; the first matching
# rule decides, and a rule collection's action (Allow or Deny) is what happens to what it matches. The
# program writes only Allow and DNAT collections, but the walk must stop at a Deny one where a policy has it.

DENY_FIRST = (
    {"ruleCollectionType": "FirewallPolicyFilterRuleCollection", "name": "deny-web", "priority": 100,
     "action": {"type": "Deny"}, "rules": [
         {"ruleType": "NetworkRule", "name": "no-443", "ipProtocols": ["TCP"], "sourceAddresses": ["*"],
          "destinationAddresses": ["*"], "destinationPorts": ["443"]}]},
    {"ruleCollectionType": "FirewallPolicyFilterRuleCollection", "name": "allow-all", "priority": 200,
     "action": {"type": "Allow"}, "rules": [
         {"ruleType": "NetworkRule", "name": "any", "ipProtocols": ["Any"], "sourceAddresses": ["*"],
          "destinationAddresses": ["*"], "destinationPorts": ["*"]}]},
)


def test_a_matching_deny_collection_stops_the_nodes_egress_at_the_firewall(prod_tracer):
    import dataclasses

    from aksnet.analysis.paths import Tracer, firewall_rules
    from aksnet.plan.egress_rules import RuleGroup
    net = prod_tracer.net
    rules = firewall_rules([RuleGroup("first", "first", 100, DENY_FIRST)])
    t = Tracer(dataclasses.replace(net, firewall_rules=rules + net.firewall_rules))
    denied = t.trace(t.node(), t.fqdn("mcr.microsoft.com"), "TCP", 443)
    assert denied.verdict == "denied", denied.as_dict()
    assert (denied.decided_by.layer, denied.decided_by.rule) == ("firewall", "first/deny-web/no-443")
    assert t.trace(t.node(), t.fqdn("mcr.microsoft.com"), "TCP", 80).decided_by.rule == "first/allow-all/any"


def test_a_matching_deny_collection_on_the_hubs_policy_stops_a_spokes_flow(prod_tracer):
    from aksnet.analysis.paths.joined import JoinedHub, JoinedSpoke, LandingZoneTracer
    from aksnet.plan.egress_rules import RuleGroup
    from aksnet.plan.routing import PeeringSettings
    spoke = JoinedSpoke("a", prod_tracer.net, RuleGroup("a", "a", 100, DENY_FIRST), {}, (), PeeringSettings())
    hub = JoinedHub("hub", (NET("10.200.0.0/24"),), IP("10.200.0.4"), True, "westeurope")
    path = LandingZoneTracer(hub, [spoke]).trace("a", "shop/api", IP("203.0.113.10"), "TCP", 443, "partner")
    assert path.verdict == "denied", path.as_dict()
    assert (path.decided_by.layer, path.decided_by.rule) == ("firewall", "a/deny-web/no-443"), path.as_dict()


# An internal load balancer's frontend without a static address -----------------------------------
# https://learn.microsoft.com/azure/aks/internal-lb#specify-a-subnet: with the
# service.beta.kubernetes.io/azure-load-balancer-internal-subnet annotation (the program sets it to the
# `ilb` subnet), the internal load balancer takes its frontend address from that subnet, not the nodes'.

def test_an_internal_service_without_a_static_address_answers_from_the_ilb_subnet():
    from tests.test_paths import with_app
    t, _ = tracer_of(with_app(serviceType="InternalLoadBalancer"), advisory=ADVISORY)
    path = t.trace(t.address_place(IP("10.200.0.132")), t.app_place("shop/public"), "TCP", 443)
    assert path.verdict == "allowed", path.as_dict()
    frontend = next(h for h in path.hops if h.layer == "loadBalancer").resource
    assert IP(frontend.rsplit(" ", 1)[-1]) in NET("10.240.5.0/28"), frontend


# Which firewall rules are wider than their flow ----------------------------------------------------
# https://learn.microsoft.com/azure/aks/azure-cni-overlay#pods-and-nodes-networking: traffic a pod sends
# outside the cluster is SNATed to its node's address, so the firewall sees the nodes, not the pod. A flow
# that leaves the cluster through the firewall (prod's api-to-payments) has a rule wider than its pods; a
# flow between pods (web-to-api, api-to-cache) never meets the firewall and is not reported.

def test_only_flows_through_the_firewall_are_reported_wider_than_their_pods(prod_both):
    from aksnet.analysis.path_report import path_report
    loaded = prod_both[1]
    flows = [f.name for f in loaded.spec.kubernetes.workloads.flows]
    imprecise = path_report(loaded.spec, loaded.plan).imprecise
    assert [origin for origin, _ in imprecise] == [f"kubernetes.flows[{flows.index('api-to-payments')}]"]
    assert "pods leave with their node's address (SNAT)" in imprecise[0][1]
