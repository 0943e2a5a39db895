"""Azure and Kubernetes semantics of the plan's builders that no other test pinned down (issue 27).

Each test states what Azure or Kubernetes does, with the page it comes from, and checks that the plan
(subnets, NSG rules, firewall rules, NetworkPolicies, address checks) or the path model agrees. Each was
written against a one-place mistake the rest of the suite let through.
"""

import ipaddress

import pytest

from aksnet.config.stack import load_spec
from aksnet.pipeline import load_stack
from tests.stacks import DELETE, load, variant

# prod with Azure CNI and a pod subnet (dynamic pod IP allocation): pods take addresses from snet-pods.
POD_SUBNET = {"aks-networking:cluster.networkPluginMode": None, "aks-networking:cluster.networkDataplane": "azure",
              "aks-networking:cluster.networkPolicy": "calico", "aks-networking:cluster.podCidr": None,
              "aks-networking:network.spoke.subnets.pods": "10.240.8.0/22"}


def test_a_user_assigned_nat_gateway_serves_the_pod_subnet_as_well_as_the_nodes():
    """A NAT gateway gives outbound connectivity to the subnets it is associated with, and only those
    (https://learn.microsoft.com/azure/nat-gateway/nat-overview); with a pod subnet, pods send from its
    addresses (https://learn.microsoft.com/azure/aks/configure-azure-cni-dynamic-ip-allocation), so under
    outbound type userAssignedNATGateway (https://learn.microsoft.com/azure/aks/nat-gateway) both subnets need it."""
    config = variant(load("prod"), {**POD_SUBNET, "aks-networking:cluster.outboundType": "userAssignedNATGateway",
                                    "aks-networking:egress.firewall": DELETE})
    plan = load_stack(config, "prod").plan
    assert plan.nat_gateway_subnets == ("nodes", "pods")
    assert plan.route_table_subnets == ()  # no appliance to route to


def test_the_gateway_listens_on_443_when_any_ingress_has_tls_and_on_80_for_the_others():
    """Application Gateway listens on the frontend ports its listeners use, and its subnet's NSG must admit
    them from the internet (https://learn.microsoft.com/azure/application-gateway/configuration-infrastructure#network-security-groups).
    One Ingress with TLS needs 443 even when another has none, which needs 80."""
    from aksnet.plan.security_rules import subnet_rules
    config = variant(load("prod"), {"aks-networking:kubernetes.ingresses[1]": {
        "name": "status", "namespace": "shop", "host": "status.example.com",
        "paths": [{"path": "/", "app": "web", "port": 80}]}})
    rules = {r.name: r for r in subnet_rules(load_spec(config, "prod"))["appgw"]}
    listeners = rules["AllowListenersFromInternet"]
    assert (listeners.source, listeners.direction, listeners.access) == ("Internet", "Inbound", "Allow")
    assert listeners.ports == ("80", "443")


def test_only_public_load_balancer_services_open_the_node_subnet_to_the_internet():
    """A Service of type LoadBalancer with the `azure-load-balancer-internal` annotation gets a frontend in the
    VNet, not a public address (https://learn.microsoft.com/azure/aks/internal-lb); nothing on the internet can
    reach it, so the node subnet's NSG must not admit the internet on its port. A public one does need it."""
    from aksnet.plan.security_rules import subnet_rules
    config = variant(load("dev"), {"aks-networking:kubernetes.apps[3].ports": [{"name": "http", "port": 9443}]})
    nodes = subnet_rules(load_spec(config, "dev"))["nodes"]
    from_internet = {port for rule in nodes if rule.source == "Internet" and rule.access == "Allow"
                     for port in rule.ports}
    assert "80" in from_internet  # frontend: a public LoadBalancer Service on 80
    assert "9443" not in from_internet  # internal-api: an internal one


# prod with two flows out through the firewall: to an FQDN on HTTPS and PostgreSQL, and to a range on every port.
TWO_FLOWS = {
    "aks-networking:kubernetes.flows[3]": {"name": "api-to-db", "from": {"app": "api", "namespace": "shop"},
                                           "to": {"fqdn": "db.example.com"}, "ports": ["TCP/443", "TCP/5432"]},
    "aks-networking:kubernetes.flows[4]": {"name": "api-to-partner", "from": {"app": "api", "namespace": "shop"},
                                           "to": {"cidr": "192.0.2.0/24"}}}


@pytest.fixture(scope="module")
def two_flows():
    from tests.test_paths import tracer_of
    return tracer_of(variant(load("prod"), TWO_FLOWS))[0]


@pytest.mark.parametrize("port", [443, 5432])
def test_a_flow_to_an_fqdn_on_a_port_beside_https_passes_the_firewall_on_every_port(two_flows, port):
    """Application rules speak HTTP, HTTPS and MSSQL only; a flow to an FQDN on any other port needs a network
    rule with the FQDN (resolved by the firewall's DNS proxy)
    (https://learn.microsoft.com/azure/firewall/fqdn-filtering-network-rules). A flow on 443 and 5432 must
    pass on both, not on 443 alone."""
    path = two_flows.trace(two_flows.app_place("shop/api"), two_flows.fqdn("db.example.com"), "TCP", port)
    assert path.verdict == "allowed", path.as_dict()
    assert path.decided_by.layer == "firewall"


def test_a_flow_to_an_fqdn_on_udp_443_passes_by_a_network_rule_not_an_application_rule():
    """HTTP/3 runs over UDP 443 (QUIC, https://www.rfc-editor.org/rfc/rfc9114). Application rules carry
    HTTP, HTTPS and MSSQL over TCP only (https://learn.microsoft.com/azure/firewall/features#application-fqdn-filtering-rules),
    so a flow to a name on UDP/443 needs a network rule with the FQDN, or the firewall drops it."""
    from tests.test_paths import tracer_of
    t = tracer_of(variant(load("prod"), {"aks-networking:kubernetes.flows[3]": {
        "name": "api-to-quic", "from": {"app": "api", "namespace": "shop"}, "to": {"fqdn": "quic.example.com"},
        "ports": ["UDP/443"]}}))[0]
    path = t.trace(t.app_place("shop/api"), t.fqdn("quic.example.com"), "UDP", 443)
    assert path.verdict == "allowed", path.as_dict()
    assert path.decided_by.rule == "workload-egress/flows/api-to-quic", path.as_dict()


@pytest.mark.parametrize("ports,refused", [(["SCTP/3868"], True), (["SCTP/3868", "TCP/3868"], True),
                                           (["TCP/3868"], False)])
def test_a_flow_port_the_firewall_cannot_name_is_never_widened_to_every_port(ports, refused):
    """A firewall network rule names TCP, UDP, ICMP or Any (FirewallPolicyRuleNetworkProtocol,
    https://learn.microsoft.com/rest/api/firewall/firewall-policy-rule-collection-groups/create-or-update):
    SCTP is not among them. A flow on SCTP through the firewall cannot be allowed by port, so the stack
    is refused there (its path denied at the firewall) rather than given a rule for every protocol and
    port, which would open the range to every pod of the cluster."""
    from aksnet.config.problems import ConfigError
    config = variant(load("prod"), {"aks-networking:kubernetes.flows[3]": {
        "name": "api-to-diameter", "from": {"app": "api", "namespace": "shop"}, "to": {"cidr": "192.0.2.0/24"},
        "ports": ports}})
    if refused:
        with pytest.raises(ConfigError, match=r"flows\[3\]: flow api-to-diameter: .* SCTP/3868: denied by firewall"):
            load_stack(config, "prod")
        return
    rules = [rule for group in load_stack(config, "prod").plan.firewall.groups for collection in group.collections
             for rule in collection["rules"] if rule["name"] == "api-to-diameter"]
    assert [(r["ipProtocols"], r["destinationPorts"]) for r in rules] == [(["TCP"], ["3868"])]


@pytest.mark.parametrize("protocol,port", [("TCP", 5000), ("UDP", 5000), ("UDP", 53)])
def test_a_flow_to_a_range_without_ports_passes_the_firewall_on_every_protocol(two_flows, protocol, port):
    """A flow that names no ports allows every port and protocol (as a NetworkPolicy rule without `ports`:
    https://kubernetes.io/docs/concepts/services-networking/network-policies/); the firewall's network rule
    for it must say protocol Any, not TCP alone (https://learn.microsoft.com/azure/firewall/rule-processing),
    or UDP to the range is dropped there while the policy allows it."""
    partner = two_flows.address_place(ipaddress.IPv4Address("192.0.2.9"))
    path = two_flows.trace(two_flows.app_place("shop/api"), partner, protocol, port)
    assert path.verdict == "allowed", path.as_dict()
    assert path.decided_by.layer == "firewall"


@pytest.mark.parametrize("visibility,opened", [("internal", set()), ("public", {"80", "443"})])
def test_an_internal_nginx_leaves_the_node_subnet_closed_to_the_internet(visibility, opened):
    """An internal nginx sits behind an internal load balancer, whose frontend is a private address of the VNet
    (https://learn.microsoft.com/azure/aks/internal-lb): the internet cannot reach it, so the node subnet's NSG
    opens nothing for it. A public one is reached on 80 and 443 from the internet through the nodes' NSG
    (https://learn.microsoft.com/azure/aks/concepts-network#network-security-groups)."""
    from aksnet.plan.security_rules import subnet_rules
    config = variant(load("dev"), {"aks-networking:ingress.controller": "nginx",
                                   "aks-networking:ingress.nginx": {"visibility": visibility},
                                   "aks-networking:kubernetes.apps[1].serviceType": DELETE})
    nodes = subnet_rules(load_spec(config, "dev")).get("nodes", ())
    assert {port for rule in nodes if rule.source == "Internet" for port in rule.ports} == opened


def test_a_dnat_rule_forwards_to_its_translated_port_not_the_public_one():
    """A DNAT rule receives on its destination port and forwards to `translatedPort`, which may differ
    (https://learn.microsoft.com/azure/firewall/tutorial-firewall-dnat-policy). Published on 8443, the
    internal Service's frontend on 443 must be the one reached; nothing listens on its 8443."""
    from tests.test_paths import ADVISORY, tracer_of, with_app
    config = with_app({"aks-networking:egress.firewall.dnatRules": [
        {"name": "public", "port": 8443, "translatedAddress": "10.240.5.10", "translatedPort": 443}]},
        serviceType="InternalLoadBalancer", staticIp="10.240.5.10")
    t, loaded = tracer_of(config, advisory=ADVISORY)  # the declared flow names 443, the Service's port
    rule = next(r for g in loaded.plan.firewall.groups for c in g.collections for r in c["rules"]
                if r["name"] == "public")
    assert (rule["destinationPorts"], rule["translatedPort"]) == (["8443"], "443")
    path = t.trace(t.internet(), t.app_place("shop/public"), "TCP", 8443, via="dnat")
    assert path.verdict == "allowed", path.as_dict()
    assert any(h.layer == "loadBalancer" and h.rule == "shop/public TCP/443" for h in path.hops)


@pytest.mark.parametrize("labels,selected", [
    ({"purpose": "production"}, True),
    ({"purpose": "production", "team": "ops"}, False),  # shop has purpose but not team: not selected
    ({"purpose": "staging", "team": "ops"}, False),
])
def test_a_flow_to_namespaces_by_label_selects_those_carrying_every_label(labels, selected):
    """`matchLabels` is a conjunction: a namespace is selected only when it carries every pair
    (https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors,
    "all of the requirements ... must be satisfied"). A flow to namespaces by label must open ingress only in
    the namespaces of ours that match all its labels; prod's `shop` carries `purpose: production` alone."""
    from aksnet.plan.netpol import IngressController, compile_policies
    config = variant(load("prod"), {"aks-networking:kubernetes.flows[3]": {
        "name": "web-to-labelled", "from": {"app": "web", "namespace": "shop"},
        "to": {"namespaceLabels": labels}, "ports": ["TCP/9000"]}})
    workloads = load_spec(config, "prod").kubernetes.workloads
    names = {(m["metadata"]["namespace"], m["metadata"]["name"])
             for _, m in compile_policies(workloads, IngressController(cidr=ipaddress.IPv4Network("10.240.4.0/24")))}
    assert (("shop", "web-to-labelled-ingress") in names) is selected
    assert ("shop", "web-to-labelled-egress") in names  # the source's side, whatever the destination


@pytest.mark.parametrize("prefix,refused", [("10.200.0.192/26", False), ("10.200.0.224/27", False),
                                            ("10.200.0.240/28", True)])
def test_the_gateway_subnet_is_a_27_or_larger(prefix, refused):
    """A VPN or ExpressRoute gateway's subnet, GatewaySubnet, should be a /27 or larger so that the gateway's
    instances and later features have addresses
    (https://learn.microsoft.com/azure/vpn-gateway/vpn-gateway-about-vpn-gateway-settings#gwsub): held at the
    limit, one under and one over."""
    from aksnet.plan.addressing import plan_addresses
    spec = load_spec(variant(load("prod"), {"aks-networking:network.hub.subnets.GatewaySubnet": prefix}), "prod")
    problems = [p for p in plan_addresses(spec).problems if p.path.endswith("subnets.GatewaySubnet")]
    assert bool(problems) is refused, problems


@pytest.mark.parametrize("zone,public_fqdn", [("hub", False), ("system", False), ("none", True)])
def test_a_private_cluster_keeps_its_public_fqdn_only_when_it_has_no_private_zone(zone, public_fqdn):
    """A private cluster's API server gets a private DNS zone and, unless turned off, a public FQDN resolving to
    its private address. With `privateDNSZone: none`, AKS makes no private zone and the public FQDN is the only
    name the API server has (https://learn.microsoft.com/azure/aks/private-clusters#configure-a-private-dns-zone);
    the Azure CLI refuses `--disable-public-fqdn` there for that reason. Elsewhere the public record is left off."""
    from aksnet.plan.cluster_profile import api_server_profile
    cluster = load_spec(variant(load("prod"), {"aks-networking:cluster.privateDnsZone": zone}), "prod").cluster
    profile = api_server_profile(cluster, zone="zone-id")
    assert profile["enablePrivateCluster"] is True
    assert profile["enablePrivateClusterPublicFQDN"] is public_fqdn


def test_a_flow_from_an_app_of_another_namespace_is_admitted_from_that_namespace():
    """A NetworkPolicy peer with a podSelector alone selects pods in the policy's own namespace; pods of another
    namespace are selected only with a namespaceSelector beside it
    (https://kubernetes.io/docs/concepts/services-networking/network-policies/#behavior-of-to-and-from-selectors).
    A flow from an app in `ops` to one in `shop` must be admitted by shop's policy from ops' pods."""
    from aksnet.analysis.intent import check_intent
    from aksnet.plan.manifests import published_flows
    base = load("prod")
    kubernetes = base["aks-networking:kubernetes"]
    probe = {"name": "probe", "namespace": "ops", "image": "platform://example/probe:1.0.0", "labels": {"app": "probe"},
             "ports": [{"name": "http", "port": 8080}]}
    config = variant(base, {
        "aks-networking:kubernetes.namespaces": [*kubernetes["namespaces"], {"name": "ops"}],
        "aks-networking:kubernetes.apps": [*kubernetes["apps"], probe],
        "aks-networking:kubernetes.flows": [*kubernetes["flows"], {
            "name": "probe-to-api", "from": {"app": "probe", "namespace": "ops"},
            "to": {"app": "api", "namespace": "shop"}, "ports": ["TCP/8080"]}]})
    loaded = load_stack(config, "prod")
    policy = next(m for m in loaded.plan.manifests if m["metadata"]["name"] == "probe-to-api-ingress")
    assert policy["metadata"]["namespace"] == "shop"
    published = [flow for _, flow in published_flows(loaded.spec)]
    check = check_intent(loaded.spec.kubernetes.workloads, loaded.plan.manifests, loaded.plan.ingress_controller,
                         published)
    assert check.missing == [] and check.unintended == []


@pytest.mark.parametrize("nginx,kind", [
    ({"visibility": "public"}, "External"),
    ({"visibility": "internal"}, "Internal"),
    ({"visibility": "internal", "staticIp": "192.168.2.20"}, "None"),
])
def test_the_routing_add_on_makes_a_default_controller_only_where_none_of_ours_replaces_it(nginx, kind):
    """The application routing add-on's default NGINX controller is `External`, `Internal` or `None`
    (https://learn.microsoft.com/azure/aks/app-routing-nginx-configuration). With a static internal address the
    stack declares its own NginxIngressController with the load balancer annotations; a default `Internal` one
    beside it would take a second, dynamic address of the ilb subnet."""
    from aksnet.plan.cluster_profile import ingress_profile
    config = variant(load("dev"), {"aks-networking:ingress.controller": "nginx", "aks-networking:ingress.nginx": nginx})
    profile = ingress_profile(load_spec(config, "dev").ingress)
    assert profile == {"webAppRouting": {"enabled": True, "nginx": {"defaultIngressControllerType": kind}}}
