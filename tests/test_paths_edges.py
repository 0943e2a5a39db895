"""The path model's less travelled decisions: a public API server behind authorized ranges, private
endpoints asked for from the internet, on-premises sources, pods reached from the VNet with and without
a pod CIDR, the report's bookkeeping and the undeclared-exposure rule. Each expectation comes from the
page cited beside it, never from running the model."""

from __future__ import annotations

import dataclasses
import ipaddress

import pytest

from aksnet.analysis.intent import _difference, check_intent
from aksnet.analysis.path_report import path_report
from aksnet.analysis.paths import Place, Tracer, network_of
from aksnet.analysis.paths.policy import PolicyLayer
from aksnet.analysis.reachability import PortSet
from aksnet.config.problems import ConfigError
from aksnet.pipeline import load_stack
from aksnet.plan.manifests import published_flows
from aksnet.rules.path_rules import no_undeclared_exposure
from tests.stacks import DELETE, load, variant
from tests.test_paths import ADVISORY, tracer_of, with_app

IP = ipaddress.IPv4Address


def steps(path):
    return [(hop.layer, hop.action) for hop in path.hops]


@pytest.fixture(scope="module")
def dev():
    return tracer_of(load("dev"), "dev")[0]


@pytest.fixture(scope="module")
def prod_onprem():
    return tracer_of(variant(load("prod"), {"aks-networking:network.onPremises": ["172.20.0.0/16"]}))[0]


# A public API server limited to authorized ranges (dev: 203.0.113.0/24).
# https://learn.microsoft.com/azure/aks/api-server-authorized-ip-ranges
#   ("the API server only accepts requests from the IP address ranges you specify")

@pytest.mark.parametrize("address, action", [
    ("203.0.113.0", "allow"), ("203.0.113.7", "allow"), ("203.0.113.255", "allow"),  # inside the range
    ("203.0.112.255", "deny"), ("203.0.114.0", "deny"),  # one under, one over
    ("198.51.100.10", "deny"),  # the model's anonymous internet client
])
def test_a_public_api_server_admits_only_its_authorized_ranges(dev, address, action):
    source = dev.internet() if address == "198.51.100.10" else dev.address_place(IP(address))
    path = dev.trace(source, dev.apiserver(), "TCP", 443)
    assert [(h.layer, h.resource, h.rule, h.action) for h in path.hops] == [
        ("loadBalancer", "API server public endpoint", "authorizedIpRanges", action)]


def test_a_public_api_server_without_authorized_ranges_is_open_to_the_internet():
    config = variant(load("dev"), {"aks-networking:cluster.authorizedIpRanges": DELETE})
    t, _ = tracer_of(config, "dev", advisory=ADVISORY)
    path = t.trace(t.internet(), t.apiserver(), "TCP", 443)
    assert path.verdict == "allowed" and path.decided_by.rule == "open to the internet"


def test_the_nodes_reach_a_public_api_server_by_the_outbound_route_to_the_internet(dev):
    """Dev's outbound type is loadBalancer: the nodes leave by the system default route
    (https://learn.microsoft.com/azure/virtual-network/virtual-networks-udr-overview#default), and the API
    server's traffic takes the cluster's outbound type (https://learn.microsoft.com/azure/aks/nat-gateway)."""
    path = dev.trace(dev.node(), dev.apiserver(), "TCP", 443)
    assert path.verdict == "allowed" and steps(path) == [("nsg", "allow"), ("route", "forward")]
    assert path.hops[1].rule == "0.0.0.0/0 -> Internet (system)"
    # An app needs its NetworkPolicy to let it out (dev denies by default); the policies see a
    # public API server as an outside address.
    app = dev.trace(dev.app_place("development/backend"), dev.apiserver(), "TCP", 443)
    assert steps(app) == [("networkPolicy", "deny")]


def test_a_vnet_wide_source_reaches_a_public_api_server_through_the_vnets_routes(dev):
    """A range of the VNet outside every subnet sends by the VNet's system routes; the default one
    leads to the internet (https://learn.microsoft.com/azure/virtual-network/virtual-networks-udr-overview#default)."""
    source = dev.address_place(IP("192.168.200.1"), "192.168.200.0/24")
    assert source.subnet is None and source.vnet == "spoke"
    path = dev.trace(source, dev.apiserver(), "TCP", 443)
    assert steps(path) == [("route", "forward")] and path.hops[0].rule == "0.0.0.0/0 -> Internet (system)"


# Private endpoints and a private API server.
# https://learn.microsoft.com/azure/container-registry/container-registry-private-link
#   (with public network access disabled, the registry refuses clients on the internet)
# https://learn.microsoft.com/azure/aks/private-clusters (no public endpoint)

def test_a_private_endpoint_name_asked_from_the_internet_meets_a_closed_public_endpoint():
    t = tracer_of(load("prod"))[0]
    path = t.trace(t.internet(), t.fqdn("contosoaksnetprod.azurecr.io"), "TCP", 443)
    assert [(h.layer, h.resource, h.action) for h in path.hops] == [
        ("dns", "public DNS", "resolve"),
        ("privateEndpoint", "public endpoint of contosoaksnetprod.azurecr.io", "deny")]
    assert path.hops[0].rule == "contosoaksnetprod.azurecr.io -> its public endpoint"
    # From the nodes, the private zone answers with the endpoint's address (privatelink.azurecr.io).
    inside = t.trace(t.node(), t.fqdn("contosoaksnetprod.azurecr.io"), "TCP", 443)
    assert inside.hops[0].resource == "private zone privatelink.azurecr.io" and inside.verdict == "allowed"


# On-premises behind the hub's gateway, without gateway transit on the peering.
# https://learn.microsoft.com/azure/virtual-network/virtual-network-peering-overview#gateways-and-on-premises-connectivity
#   (a spoke's ranges reach on-premises through the hub's gateway only with gateway transit)

def test_on_premises_does_not_reach_the_private_api_server_without_gateway_transit(prod_onprem):
    t = prod_onprem
    path = t.trace(t.onprem(), t.apiserver(), "TCP", 443)
    assert steps(path) == [("dns", "resolve"), ("route", "forward"), ("peering", "deny")]
    assert path.decided_by.resource == "hub -> spoke"


def test_an_address_of_the_on_premises_ranges_is_an_on_premises_place(prod_onprem):
    t = prod_onprem
    place = t.address_place(IP("172.20.3.4"))
    assert (place.kind, place.address) == ("onprem", IP("172.20.3.4"))
    assert t.trace(place, t.node(), "TCP", 22).decided_by.layer == "peering"
    assert t.address_place(IP("172.21.0.1")).kind == "internet"  # just past the declared /16


# Pods reached from the VNet.
# https://learn.microsoft.com/azure/aks/azure-cni-overlay ("Endpoints outside the cluster can't connect to
#   a pod directly; publish the application as a Kubernetes Load Balancer service")
# https://learn.microsoft.com/azure/aks/configure-azure-cni (flat CNI: each pod takes a VNet address,
#   which the VNet reaches directly)

def test_an_overlay_pod_is_unreachable_from_the_vnet_except_through_a_load_balancer(prod_onprem):
    t = prod_onprem
    resolver = t.address_place(IP("10.200.0.132"))  # the hub's DNS resolver subnet
    path = t.trace(resolver, t.app_place("shop/cache"), "TCP", 6379)
    assert steps(path) == [("route", "deny")] and path.decided_by.resource == "cluster network"
    assert "through an internal load balancer" in path.decided_by.rule


def test_a_flat_cni_pod_is_reached_from_the_vnet_and_its_network_policy_decides():
    config = variant(load("prod"), {"aks-networking:cluster.networkPluginMode": DELETE,
                                    "aks-networking:cluster.podCidr": DELETE,
                                    "aks-networking:network.spoke.subnets.pods": "10.240.64.0/18"})
    t, _ = tracer_of(config, advisory=ADVISORY)
    path = t.trace(t.address_place(IP("10.200.0.132")), t.app_place("shop/cache"), "TCP", 6379)
    assert steps(path) == [("nsg", "allow"), ("route", "forward"), ("peering", "forward"), ("nsg", "allow"),
                           ("networkPolicy", "deny")]
    assert path.hops[3].resource == "nsg of snet-pods"  # the pods' own subnet, not the nodes'
    assert path.decided_by.resource == "10.200.0.132 -> shop/cache"  # only shop/api may reach the cache


# Gateway API listeners serve HTTP, over TCP only.
# https://gateway-api.sigs.k8s.io/reference/spec/#gateway.networking.k8s.io/v1.ProtocolType
#   (HTTP and HTTPS listeners run over TCP; UDP needs a UDPRoute, which the program never declares)

def test_a_gateway_api_listener_refuses_udp(dev):
    path = dev.trace(dev.internet(), dev.app_place("development/backend"), "UDP", 80, via="ingress")
    assert steps(path) == [("ingressController", "deny")]
    assert path.decided_by.rule == "listens on TCP only, not UDP"


def test_between_two_internet_places_the_stack_is_not_on_the_way(dev):
    path = dev.trace(dev.internet(), dev.fqdn("example.org"), "TCP", 443)
    assert steps(path) == [("route", "forward")] and path.verdict == "allowed"


# The NetworkPolicy layer's ends.
# https://kubernetes.io/docs/concepts/services-networking/network-policies/#networkpolicy-resource
#   (ipBlock selects cluster-external ranges; a pod is selected by its labels, never by its address)

def test_the_policies_see_an_app_as_itself_not_as_the_range_its_address_falls_in(dev):
    layer = dev.policy
    app = dev.app_place("development/backend")
    assert layer.member(app) == "development/backend"
    assert layer.member(Place("address", "x", app.address)) != "development/backend"
    assert layer.member(Place("fqdn", "fqdn:example.org", None)) is None
    nothing = PolicyLayer(None)  # a stack without Kubernetes objects: no policy hop at all
    assert nothing.member(Place("address", "x", IP("10.0.0.1"))) is None
    assert nothing.hop("a/b", "c/d", "TCP", 80) is None


# The intent check: what the policies allow against what the stack declares.

def test_a_declared_flow_the_policies_do_not_allow_is_reported_missing():
    loaded = load_stack(load("prod"), "prod")
    manifests = [m for m in loaded.plan.manifests if m["metadata"]["name"] != "api-to-cache-ingress"]
    assert len(manifests) == len(loaded.plan.manifests) - 1
    check = check_intent(loaded.spec.kubernetes.workloads, manifests, loaded.plan.ingress_controller,
                         [flow for _, flow in published_flows(loaded.spec)])
    # The cache's pods are isolated for ingress by default-deny; with their allowing policy gone,
    # api -> cache is not allowed (https://kubernetes.io/docs/concepts/services-networking/network-policies/#the-two-sorts-of-pod-isolation).
    assert [(m["from"], m["to"], m["ports"]) for m in check.missing] == [("shop/api", "shop/cache", ["TCP/6379"])]
    assert check.unintended == []



def test_dns_allowed_by_coredns_port_names_is_dns_allowed():
    """CoreDNS's pods name their ports `dns` (UDP 53) and `dns-tcp` (TCP 53), as the kube-dns Service's
    targetPorts do (https://github.com/coredns/deployment/blob/master/kubernetes/coredns.yaml.sed); a policy
    naming them is resolved against the destination pod's container ports
    (https://kubernetes.io/docs/concepts/services-networking/network-policies/#targeting-a-range-of-ports),
    so it allows DNS as `port: 53` does, on each protocol."""
    loaded = load_stack(load("prod"), "prod")
    by_name = [{**m, "spec": {**m["spec"], "egress": [{**m["spec"]["egress"][0], "ports": [
        {"protocol": "UDP", "port": "dns"}, {"protocol": "TCP", "port": "dns-tcp"}]}]}}
        if m["metadata"]["name"] == "allow-dns" else m for m in loaded.plan.manifests]
    published = [flow for _, flow in published_flows(loaded.spec)]
    check = check_intent(loaded.spec.kubernetes.workloads, by_name, loaded.plan.ingress_controller, published)
    assert check.missing == [] and check.unintended == []
    # named the other way round, neither name exists on its protocol: DNS is missing for every app
    swapped = [{**m, "spec": {**m["spec"], "egress": [{**m["spec"]["egress"][0], "ports": [
        {"protocol": "TCP", "port": "dns"}, {"protocol": "UDP", "port": "dns-tcp"}]}]}}
        if m["metadata"]["name"] == "allow-dns" else m for m in loaded.plan.manifests]
    check = check_intent(loaded.spec.kubernetes.workloads, swapped, loaded.plan.ingress_controller, published)
    assert {(m["to"], tuple(m["ports"])) for m in check.missing} == {("kube-system/coredns", ("TCP/53", "UDP/53"))}

@pytest.mark.parametrize("have, covered, left", [
    ([("TCP", 1, 100)], [("TCP", 40, 50)], [("TCP", 1, 39), ("TCP", 51, 100)]),  # a hole in the middle
    ([("TCP", 1, 100)], [("TCP", 1, 100)], []),
    ([("TCP", 1, 100)], [("TCP", 2, 100)], [("TCP", 1, 1)]),
    ([("TCP", 1, 100)], [("TCP", 1, 99)], [("TCP", 100, 100)]),
    ([("TCP", 1, 100)], [("UDP", 1, 100)], [("TCP", 1, 100)]),  # another protocol covers nothing
])
def test_the_ports_left_over_are_exactly_those_not_covered(have, covered, left):
    assert _difference(PortSet.of(have), PortSet.of(covered)) == PortSet.of(left)


# The report.

def test_an_ingress_with_two_paths_to_one_app_is_one_declared_path():
    config = load("prod")
    ingress = config["aks-networking:kubernetes"]["ingresses"][0]
    twice = {**ingress, "paths": [*ingress["paths"], {**ingress["paths"][0], "path": "/again"}]}
    loaded = load_stack(variant(config, {"aks-networking:kubernetes.ingresses": [twice]}), "prod")
    report = path_report(loaded.spec, loaded.plan)
    entries = [(p.destination, p.port) for p in report.paths if p.flow == f"ingress-{ingress['name']}"]
    assert len(entries) == len(set(entries)) == len({p["app"] for p in ingress["paths"]})
    document = report.as_json()
    assert set(document) == {"paths", "exposures"} and len(document["paths"]) == len(report.paths)
    assert document["paths"][0]["key"] == report.paths[0].origin


def test_a_dnat_rule_nobody_declared_is_an_undeclared_exposure():
    """A DNAT rule publishes the internal Service to the internet whether or not the stack declares
    it (https://learn.microsoft.com/azure/firewall/tutorial-firewall-dnat-policy); a firewall policy
    holding one the stack file does not list is the exposure the rule refuses."""
    config = with_app({"aks-networking:egress.firewall.dnatRules": [
        {"name": "public", "port": 443, "translatedAddress": "10.240.5.10", "translatedPort": 443}]},
        serviceType="InternalLoadBalancer", staticIp="10.240.5.10")
    loaded = load_stack(config, "prod")
    assert list(no_undeclared_exposure(loaded.spec, loaded.plan)) == []  # declared: no finding
    spec = loaded.spec
    firewall = dataclasses.replace(spec.egress.firewall, dnat_rules=())
    undeclared = dataclasses.replace(spec, egress=dataclasses.replace(spec.egress, firewall=firewall))
    plan = dataclasses.replace(loaded.plan)  # another plan object: the report is kept per plan
    index = len(config["aks-networking:kubernetes"]["apps"]) - 1
    problems = [(p.path, p.message) for p in no_undeclared_exposure(undeclared, plan)]
    assert problems == [(f"aks-networking:kubernetes.apps[{index}]",
                         "undeclared exposure: internet -> shop/public TCP/443: allowed by networkPolicy "
                         "(10.200.0.0/26 -> shop/public: TCP/8443)")]  # the ipBlock of the firewall subnet


# The report's derived paths to a public API server with authorized ranges.
# https://learn.microsoft.com/azure/aks/api-server-authorized-ip-ranges (with a Standard load balancer,
#   AKS adds the cluster's outbound address to the authorized ranges itself)
# https://learn.microsoft.com/azure/aks/api-server-vnet-integration (with VNet integration the nodes
#   reach the API server through an internal load balancer in the delegated subnet, not its public one)

def api_server_path(config):
    loaded = load_stack(config, "dev", advisory=ADVISORY)
    return next(p.path for p in path_report(loaded.spec, loaded.plan).paths if p.flow == "aks-api-server")


def test_the_nodes_meet_the_authorized_ranges_from_the_load_balancers_address_unless_vnet_integrated():
    public = api_server_path(load("dev"))
    assert public.hops[-1].resource == "API server public endpoint"
    assert public.hops[-1].rule.startswith("authorizedIpRanges and the load balancer's outbound address")
    integrated = api_server_path(variant(load("dev"), {
        "aks-networking:cluster.apiServerVnetIntegration": True,
        "aks-networking:network.spoke.subnets.apiserver": "192.168.3.0/28"}))
    assert "API server public endpoint" not in [h.resource for h in integrated.hops]
    assert integrated.verdict == "allowed"


def test_a_gateway_controllers_registry_behind_the_firewall_is_a_derived_path():
    """Envoy Gateway's chart and images come from Docker Hub
    (https://gateway.envoyproxy.io/docs/install/install-helm/: oci://docker.io/envoyproxy/gateway-helm); behind
    the firewall the nodes must reach Docker Hub's endpoints
    (https://docs.docker.com/desktop/setup/allow-list/: registry-1.docker.io, auth.docker.io,
    production.cloudflare.docker.com), although no app pulls from there."""
    config = load("prod")
    ingresses = [{k: v for k, v in i.items() if k != "tlsSecret"} for i in config["aks-networking:kubernetes"]["ingresses"]]
    loaded = load_stack(variant(config, {"aks-networking:ingress": {"controller": "envoyGateway"},
                                         "aks-networking:tls": DELETE,
                                         "aks-networking:kubernetes.ingresses": ingresses}), "prod", advisory=ADVISORY)
    pulls = [p for p in path_report(loaded.spec, loaded.plan).paths if p.origin == "ingress.controller"]
    assert {p.flow for p in pulls} == {"pull-docker.io"}
    assert {"registry-1.docker.io", "auth.docker.io", "production.cloudflare.docker.com"} <= {p.destination for p in pulls}
    assert all(p.path.verdict == "allowed" and p.path.decided_by.layer == "firewall" for p in pulls)


def test_a_flow_from_the_ingress_controller_is_walked_by_the_ingress_paths_not_as_a_flow():
    """The controller's proxies have no address of their own to start a walk from; the Ingress's own
    declared paths walk the controller's way in."""
    flows = load("dev")["aks-networking:kubernetes"]["flows"]
    config = variant(load("dev"), {"aks-networking:kubernetes.flows": [*flows, {
        "name": "proxies-to-store", "from": {"ingressController": True},
        "to": {"app": "store", "namespace": "development"}, "ports": ["TCP/6379"]}]})
    loaded = load_stack(config, "dev", advisory=ADVISORY)
    flows_walked = {p.flow for p in path_report(loaded.spec, loaded.plan).paths}
    assert "proxies-to-store" not in flows_walked and "backend-to-store" in flows_walked


# Application Gateway with AGIC: listeners serve HTTP(S) over TCP, and only a public frontend takes
# traffic from the internet.
# https://learn.microsoft.com/azure/application-gateway/configuration-infrastructure#network-security-groups
#   (the subnet admits the listeners' TCP ports from the internet; DenyAllInBound, priority 65500, does the rest:
#   https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview#default-security-rules)
# https://learn.microsoft.com/azure/application-gateway/configuration-frontend-ip (a private frontend only:
#   no public IP, so nothing on the internet reaches the listeners)

def test_udp_to_an_agic_listener_stops_at_the_gateway_subnets_nsg():
    t = tracer_of(load("prod"))[0]
    path = t.trace(t.internet(), t.app_place("shop/api"), "UDP", 443, via="ingress")
    assert steps(path) == [("nsg", "deny")]
    assert (path.decided_by.resource, path.decided_by.rule) == ("nsg of snet-appgw",
                                                               "DenyAllInBound (inbound, priority 65500)")


def test_a_gateway_with_only_a_private_frontend_is_not_reached_from_the_internet():
    config = variant(load("prod"), {"aks-networking:ingress.appGateway.publicFrontend": False,
                                    "aks-networking:ingress.appGateway.privateIp": "10.240.4.10"})
    t = tracer_of(config, advisory=ADVISORY)[0]
    path = t.trace(t.internet(), t.app_place("shop/api"), "TCP", 443)
    assert path.verdict == "denied" and path.decided_by.layer == "appGateway"
    assert path.decided_by.rule == "no public frontend"


def test_a_flow_from_the_ingress_controller_without_a_controller_is_refused_by_key():
    """Found while covering the intent check: such a stack ended in an AssertionError traceback. The flow's
    policy admits the controller's pods by their namespace; with ingress.controller none there are none
    to name (https://kubernetes.io/docs/concepts/services-networking/network-policies/#behavior-of-to-and-from-selectors)."""
    flows = load("dev")["aks-networking:kubernetes"]["flows"]
    config = variant(load("dev"), {"aks-networking:ingress": {"controller": "none"},
                                   "aks-networking:kubernetes.ingresses": [],
                                   "aks-networking:kubernetes.flows": [*flows, {
                                       "name": "proxies-to-store", "from": {"ingressController": True},
                                       "to": {"app": "store", "namespace": "development"}, "ports": ["TCP/6379"]}]})
    with pytest.raises(ConfigError) as refused:
        load_stack(config, "dev")
    assert [p.path for p in refused.value.problems] == [f"aks-networking:kubernetes.flows[{len(flows)}].from.ingressController"]
    assert "ingress.controller is none" in refused.value.problems[0].message


def test_the_intent_check_refuses_a_policy_the_api_server_would_refuse():
    """An ipBlock's except must lie inside its cidr (the API server's validation:
    https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/#NetworkPolicySpec,
    ipBlock.except "Except values will be rejected if they are outside the cidr range")."""
    loaded = load_stack(load("prod"), "prod")
    bad = {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "bad", "namespace": "shop"},
           "spec": {"podSelector": {}, "egress": [{"to": [{"ipBlock": {"cidr": "10.0.0.0/24",
                                                                       "except": ["10.1.0.0/24"]}}]}]}}
    with pytest.raises(ValueError, match=r"NetworkPolicy shop/bad: except 10\.1\.0\.0/24 must lie strictly inside"):
        check_intent(loaded.spec.kubernetes.workloads, [*loaded.plan.manifests, bad], loaded.plan.ingress_controller)


# Each layer of an inbound path can stop it: taken away from a checked plan, the subnet NSG's rule or the
# NetworkPolicy that admits the frontend leaves the path denied at that layer.
# https://learn.microsoft.com/azure/virtual-network/network-security-group-how-it-works (inbound, the
#   subnet's NSG is processed first; DenyAllInBound, priority 65500, drops what no rule allows)
# https://kubernetes.io/docs/concepts/services-networking/network-policies/#the-two-sorts-of-pod-isolation
#   (an isolated pod admits only what some policy allows)

def without(loaded, nsg_prefix=None, policy_prefix=None):
    plan = loaded.plan
    rules = {role: tuple(r for r in found if not (nsg_prefix and r.name.startswith(nsg_prefix)))
             for role, found in plan.nsg_rules.items()}
    manifests = tuple(m for m in plan.manifests if not (policy_prefix and m["kind"] == "NetworkPolicy"
                                                         and m["metadata"]["name"].startswith(policy_prefix)))
    stripped = dataclasses.replace(plan, nsg_rules=rules, manifests=manifests)
    return Tracer(network_of(loaded.spec, stripped)), stripped


@pytest.fixture(scope="module")
def dev_loaded():
    return load_stack(load("dev"), "dev")


def test_without_the_nodes_nsg_rule_the_public_frontends_are_stopped_at_the_nodes_subnet(dev_loaded):
    t, plan = without(dev_loaded, nsg_prefix="AllowPublicServices")
    assert plan.nsg_rules["nodes"] != dev_loaded.plan.nsg_rules["nodes"]
    for key, via in (("development/backend", "ingress"), ("development/frontend", "service")):
        path = t.trace(t.internet(), t.app_place(key), "TCP", 80, via=via)
        assert steps(path) == [("loadBalancer", "forward"), ("nsg", "deny")], (key, path.as_dict())
        assert path.decided_by.rule == "DenyAllInBound (inbound, priority 65500)"
    kept = Tracer(network_of(dev_loaded.spec, dev_loaded.plan))
    assert kept.trace(kept.internet(), kept.app_place("development/frontend"), "TCP", 80, via="service").verdict == \
        "allowed"


def test_without_the_policy_admitting_the_envoy_proxies_the_gateway_leg_is_denied(dev_loaded):
    admitting = [m["metadata"]["name"] for m in dev_loaded.plan.manifests if m["kind"] == "NetworkPolicy"
                 and "envoy-gateway-system" in str(m["spec"].get("ingress", ""))]
    assert admitting
    t, _ = without(dev_loaded, policy_prefix=tuple(admitting))
    path = t.trace(t.internet(), t.app_place("development/backend"), "TCP", 80, via="ingress")
    assert steps(path) == [("loadBalancer", "forward"), ("nsg", "allow"), ("ingressController", "forward"),
                           ("networkPolicy", "deny")]
    assert path.decided_by.resource == "envoy-gateway-system/ingress-controller -> development/backend"


def test_without_the_policy_admitting_the_gateway_subnet_agic_is_denied_at_the_pod():
    loaded = load_stack(load("prod"), "prod")
    t, _ = without(loaded, policy_prefix="ingress-shop-api-")
    path = t.trace(t.internet(), t.app_place("shop/api"), "TCP", 443, via="ingress")
    assert steps(path) == [("nsg", "allow"), ("appGateway", "forward"), ("route", "forward"), ("nsg", "allow"),
                           ("networkPolicy", "deny")]
    assert path.decided_by.rule == "TCP/8080"  # the container port behind the Service's port


# A subnet's NSG filters traffic between two addresses of that subnet too
# (https://learn.microsoft.com/azure/virtual-network/network-security-group-how-it-works#intra-subnet-traffic:
# "security rules in an NSG associated to a subnet can affect connectivity between VMs within it"), and a
# Deny rule of a lower number is processed before AllowVnetInBound (65000)
# (https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview#security-rules).

def with_nsg_rule(loaded, role, rule):
    plan = dataclasses.replace(loaded.plan, nsg_rules={**loaded.plan.nsg_rules,
                                                       role: (*loaded.plan.nsg_rules.get(role, ()), rule)})
    return Tracer(network_of(loaded.spec, plan))


@pytest.mark.parametrize("port, verdict, rule", [
    (22, "denied", "DenyNodeToNodeSsh (inbound, priority 200)"),
    (23, "allowed", "AllowVnetInBound (inbound, priority 65000)"),
])
def test_a_subnets_nsg_filters_traffic_between_two_of_its_own_addresses(port, verdict, rule):
    from aksnet.plan.security_rules import Rule

    loaded = load_stack(load("prod"), "prod")
    nodes = loaded.spec.network.spoke.subnets["nodes"]
    t = with_nsg_rule(loaded, "nodes", Rule("DenyNodeToNodeSsh", 200, "Inbound", "Deny", "Tcp", str(nodes),
                                            str(nodes), ("22",)))
    path = t.trace(t.address_place(nodes[10]), t.address_place(nodes[11]), "TCP", port)
    assert path.verdict == verdict, path.as_dict()
    assert path.decided_by.rule == rule, path.as_dict()


# Azure Firewall matches an FQDN in a network rule only through its DNS proxy
# (https://learn.microsoft.com/azure/firewall/fqdn-filtering-network-rules: "to use FQDNs in network rules,
# enable DNS proxy"). A design rule refuses the combination in a stack file; the path model, handed such a
# firewall, must still deny rather than match the name.
@pytest.mark.parametrize("dns_proxy, verdict", [(True, "allowed"), (False, "denied")])
def test_an_fqdn_network_rule_matches_only_through_the_dns_proxy(dns_proxy, verdict):
    flow = {"name": "api-to-db", "from": {"app": "api", "namespace": "shop"}, "to": {"fqdn": "db.example.com"},
            "ports": ["TCP/5432"]}
    config = load("prod")
    config["aks-networking:kubernetes"]["flows"].append(flow)
    loaded = load_stack(config, "prod")
    assert loaded.plan.firewall.dns_proxy
    plan = dataclasses.replace(loaded.plan, firewall=dataclasses.replace(loaded.plan.firewall, dns_proxy=dns_proxy))
    t = Tracer(network_of(loaded.spec, plan))
    path = t.trace(t.app_place("shop/api"), t.fqdn("db.example.com"), "TCP", 5432)
    assert path.verdict == verdict, path.as_dict()
    assert [hop.layer for hop in path.hops if hop.layer == "firewall"] == ["firewall"]


def test_a_user_route_to_none_drops_the_packet_and_nothing_after_it_is_walked():
    """A route whose next hop is None drops the traffic
    (https://learn.microsoft.com/azure/virtual-network/virtual-networks-udr-overview#user-defined), and a user
    route beats the system route of the same prefix (#how-azure-selects-a-route): the nodes' packet to the
    internal load balancer's subnet ends at the route, before any NSG of that subnet sees it."""
    from aksnet.analysis.paths.routes import Route

    loaded = load_stack(load("prod"), "prod")
    net = network_of(loaded.spec, loaded.plan)
    nodes, ilb = net.subnets["nodes"], net.subnets["ilb"]
    dropped = dataclasses.replace(nodes, routes=(*nodes.routes, Route(ilb.prefix, "None", "user", "drop-ilb")))
    t = Tracer(dataclasses.replace(net, subnets={**net.subnets, "nodes": dropped}))
    path = t.trace(t.address_place(nodes.prefix[10]), t.address_place(ilb.prefix[4]), "TCP", 443)
    assert steps(path) == [("nsg", "allow"), ("route", "deny")], path.as_dict()
    k = Tracer(net)
    kept = k.trace(k.address_place(nodes.prefix[10]), k.address_place(ilb.prefix[4]), "TCP", 443)
    assert steps(kept)[-1] == ("nsg", "allow") and kept.verdict == "allowed", kept.as_dict()


def test_an_nsg_rule_denying_the_internet_outbound_stops_the_nodes_at_a_public_api_server():
    """A public API server's address is outside every VNet, so it is in the Internet service tag and not in
    VirtualNetwork (https://learn.microsoft.com/azure/virtual-network/service-tags-overview#available-service-tags):
    a nodes' NSG rule denying the Internet outbound (a common lock-down) stops the nodes' path to it, and
    without that rule the path leaves by AllowInternetOutBound."""
    from aksnet.plan.security_rules import Rule

    loaded = load_stack(load("dev"), "dev")
    deny = Rule("DenyInternetOutbound", 4000, "Outbound", "Deny", "*", "*", "Internet", ("*",))
    t = with_nsg_rule(loaded, "nodes", deny)
    path = t.trace(t.node(), t.apiserver(), "TCP", 443)
    assert steps(path) == [("nsg", "deny")] and path.decided_by.rule == "DenyInternetOutbound (outbound, priority 4000)"
    k = Tracer(network_of(loaded.spec, loaded.plan))
    kept = k.trace(k.node(), k.apiserver(), "TCP", 443)
    assert kept.hops[0].rule == "AllowInternetOutBound (outbound, priority 65001)", kept.as_dict()


@pytest.mark.parametrize("protocol, stopped", [("*", True), ("Tcp", True), ("Udp", False)])
def test_a_nodes_nsg_rule_denying_the_gateway_subnet_inbound_stops_agic_at_the_nodes(protocol, stopped):
    """AGIC sends to the pods from the gateway's subnet; the nodes' NSG judges that traffic inbound
    (https://learn.microsoft.com/azure/virtual-network/network-security-group-how-it-works: inbound, the NSG
    of the destination's subnet), so a Deny of the gateway subnet before AllowVnetInBound stops it there.
    The gateway proxies HTTP over TCP, so a Deny of UDP alone lets it through
    (https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview#security-rules: a rule
    matches its protocol)."""
    from aksnet.plan.security_rules import Rule

    loaded = load_stack(load("prod"), "prod")
    appgw = str(loaded.spec.network.spoke.subnets["appgw"])
    t = with_nsg_rule(loaded, "nodes", Rule("DenyGatewayInbound", 200, "Inbound", "Deny", protocol, appgw, "*",
                                            ("*",)))
    path = t.trace(t.internet(), t.app_place("shop/api"), "TCP", 443, via="ingress")
    if stopped:
        assert path.verdict == "denied" and path.decided_by.rule == "DenyGatewayInbound (inbound, priority 200)", \
            path.as_dict()
    else:
        assert path.verdict == "allowed", path.as_dict()
