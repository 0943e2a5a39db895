"""Azure and Kubernetes semantics of the landing zone, the plan, the manifests and their components that no
other test pinned down: each test here fails under one realistic, one-place mistake in those modules.

- The registry: peered VNets may not overlap at all, a range around another included; a spoke's VNet lies
  inside the range registered for it, not merely across it.
- A spoke's attachment: its flattened rule collection group keeps the order Azure processed its groups in;
  the group goes in the hub policy's resource group and its IP groups in the spoke's own; its zone links
  are global, register nothing and carry its name, as does its half of the hub's peerings.
- The hub's plan: the DNS Private Resolver's inbound address (and none without a resolver), Azure's five
  reserved addresses, the NSG rules Bastion requires, and a Basic firewall's missing DNS proxy.
- The layer: no TCP probe on a UDP-only port; only apps that ask get a load balancer; AGIC redirects a TLS
  ingress's HTTP; DNAT reaches pods on the translated port and protocol; Prefix paths of Ingresses and
  HTTPRoutes; a Gateway takes routes from its own namespace only and terminates TLS for its HTTPRoute;
  Flux manages the layer cluster-wide and prunes; the firewall's metrics and a zone-less region's registry.

Expected outcomes come from the Microsoft, Kubernetes, Gateway API and Flux documents cited beside each
case, never from the code's own output. Two mock-engine runs at most: the shared `prod`/`dev` fixtures
and one spoke against a hub whose VNet, policy and zones sit in three resource groups.
"""

from __future__ import annotations

import copy
import ipaddress
from typing import Any

import pytest

from aksnet.config.hub import load_hub_spec
from aksnet.config.problems import ConfigError
from aksnet.plan.egress_rules import FirewallPolicyPlan, RuleGroup
from aksnet.plan.landing_zone import RegistryError, hub_plan, read_registry, registration_problems, spoke_rule_group
from aksnet.review.resource_diff import walk_strings
from tests.stacks import landing_zone_document
from tools.stackfile import read_stack_file

SOURCE = "landing-zone.yaml"


# The registry ---------------------------------------------------------------------------------------

def test_a_later_spokes_range_around_an_earlier_ones_is_refused():
    """Peered VNets' address spaces must not overlap: a range that contains another overlaps it as much as
    one inside it does.
    https://learn.microsoft.com/azure/virtual-network/virtual-network-manage-peering#requirements-and-constraints"""
    document = landing_zone_document()
    document["spokes"]["spoke-b"]["addressSpace"] = ["10.110.0.0/15"]  # holds spoke-a's 10.110.0.0/16
    with pytest.raises(RegistryError) as refused:
        read_registry(document, SOURCE)
    assert [line.split(":")[1].strip() for line in refused.value.lines] == ["spokes.spoke-b.addressSpace"]
    assert "10.110.0.0/15 of spoke-b (owner payments-team) overlaps 10.110.0.0/16 of spoke-a" in refused.value.lines[0]


def test_a_spoke_vnet_across_the_edge_of_its_registered_range_is_refused():
    """A VNet of 10.110.0.0/15 reaches into 10.111.0.0/16, which the registry never gave the spoke: it
    must lie inside the registered range, not only overlap it (the next spoke may be given 10.111.0.0/16,
    and peered VNets must not overlap:
    https://learn.microsoft.com/azure/virtual-network/virtual-network-manage-peering#requirements-and-constraints)."""
    registry = read_registry(landing_zone_document(), SOURCE)
    path = "network.spoke.addressSpace"
    assert registration_problems(registry, "spoke-a", "spoke", {path: [ipaddress.IPv4Network("10.110.64.0/18")]}) == []
    [problem] = registration_problems(registry, "spoke-a", "spoke", {path: [ipaddress.IPv4Network("10.110.0.0/15")]})
    assert problem.path.endswith(path) and problem.message.startswith("10.110.0.0/15 is outside the ranges")


# A spoke's rule collection group on the hub's policy -----------------------------------------------------

def _collection(name: str, priority: int, action: str) -> dict[str, Any]:
    return {"ruleCollectionType": "FirewallPolicyFilterRuleCollection", "name": name, "priority": priority,
            "action": {"type": action}, "rules": []}


def test_spoke_rule_group_keeps_the_order_azure_processed_its_groups_and_collections_in():
    """Azure processes rule collection groups by priority (lowest number first), then the collections of a
    group by their priority, whatever the order they were declared in; the first match wins.
    https://learn.microsoft.com/azure/firewall/policy-rule-sets
    Flattened into one group on the hub, the spoke's collections must keep that order, so a deny of a
    higher-priority group still comes before an allow of a lower one."""
    policy = FirewallPolicyPlan({}, (
        RuleGroup("late", "workloads", 400, (_collection("allow-all-web", 100, "Allow"),)),
        RuleGroup("early", "aks", 200, (_collection("allow-aks", 300, "Allow"), _collection("deny-bad", 110, "Deny"))),
    ), True, ())
    group = spoke_rule_group("spoke-a", policy, 1000)
    assert group is not None and group.priority == 1000
    processed = [c["name"] for c in sorted(group.collections, key=lambda c: c["priority"])]
    assert processed == ["spoke-a-deny-bad", "spoke-a-allow-aks", "spoke-a-allow-all-web"]
    assert len({c["priority"] for c in group.collections}) == 3  # no tie left for Azure to break


# The hub's plan ---------------------------------------------------------------------------------------

def _hub_config() -> dict[str, Any]:
    return copy.deepcopy(dict(read_stack_file("hub/Pulumi.hub.yaml").config))


@pytest.fixture(scope="module")
def hub():
    config = _hub_config()
    return hub_plan(load_hub_spec(config, "hub")), config


def test_hub_resolver_takes_the_first_address_azure_leaves_usable(hub):
    """Azure keeps the first four addresses of every subnet (network, gateway, two for DNS) and the last:
    the resolver's inbound endpoint in dns 10.100.0.128/28 can be 10.100.0.132 at the earliest.
    https://learn.microsoft.com/azure/virtual-network/virtual-networks-faq#are-there-any-restrictions-on-using-ip-addresses-within-these-subnets"""
    plan, config = hub
    assert config["aks-networking:network"]["hub"]["subnets"]["dns"] == "10.100.0.128/28"
    assert plan.dns_resolver_address == "10.100.0.132"
    usable = {row["role"]: row["usable"] for row in plan.address_plan}
    assert usable["hub subnet dns"] == 16 - 5 and usable["hub subnet AzureFirewallSubnet"] == 64 - 5


def test_hub_without_a_resolver_declares_no_inbound_address_and_refuses_a_subnet_for_it():
    """`dnsResolver: false` deploys no DNS Private Resolver: spokes must not be told of an inbound endpoint
    that does not exist, and a `dns` subnet for none is a mistake the hub names, as a single stack does
    (https://learn.microsoft.com/azure/dns/dns-private-resolver-overview#subnet-restrictions)."""
    config = _hub_config()
    config["aks-networking:network"]["dnsResolver"] = False
    with pytest.raises(ConfigError) as refused:
        load_hub_spec(config, "hub")
    assert [(p.path, p.message) for p in refused.value.problems] == [
        ("aks-networking:network.hub.subnets.dns",
         "is declared but network.dnsResolver is false; enable it or remove the subnet")]
    del config["aks-networking:network"]["hub"]["subnets"]["dns"]
    assert hub_plan(load_hub_spec(config, "hub")).dns_resolver_address is None
    config = _hub_config()
    config["aks-networking:network"]["hub"]["subnets"]["dns"] = "10.100.0.0/23"
    config["aks-networking:network"]["hub"]["addressSpace"] = ["10.100.0.0/22"]
    config["aks-networking:network"]["hub"]["subnets"]["AzureFirewallSubnet"] = "10.100.2.0/26"
    config["aks-networking:network"]["hub"]["subnets"]["AzureBastionSubnet"] = "10.100.2.64/26"
    with pytest.raises(ConfigError, match=r"network\.hub\.subnets\.dns: is a /23; a resolver's subnet is /28 to /24"):
        load_hub_spec(config, "hub")


def test_hub_bastion_subnet_nsg_holds_what_bastion_requires(hub):
    """An NSG on AzureBastionSubnet must admit HTTPS from the Internet and from GatewayManager and let
    Bastion reach the VMs on SSH and RDP, or Bastion stops working.
    https://learn.microsoft.com/azure/bastion/bastion-nsg"""
    plan, _ = hub
    rules = plan.nsg_rules["AzureBastionSubnet"]

    def allowed(direction: str, source: str, destination: str, port: str) -> bool:
        return any(r.direction == direction and r.access == "Allow" and r.source in (source, "*")
                   and r.destination in (destination, "*") and (port in r.ports or "*" in r.ports) for r in rules)

    assert allowed("Inbound", "Internet", "*", "443") and allowed("Inbound", "GatewayManager", "*", "443")
    assert allowed("Outbound", "*", "VirtualNetwork", "22") and allowed("Outbound", "*", "VirtualNetwork", "3389")


def test_basic_hub_firewall_has_no_dns_proxy_to_tell_its_spokes_of():
    """The Basic firewall has no DNS proxy and no threat-intelligence Deny
    (https://learn.microsoft.com/azure/firewall/basic-features): the hub refuses either, one line each, as
    a single stack does; by default a Basic hub tells its spokes it has no proxy, so none sends its DNS to
    an address that does not answer it."""
    config = _hub_config()
    config["aks-networking:egress"]["firewall"] = {"sku": "Basic", "dnsProxy": True, "threatIntelMode": "Deny"}
    config["aks-networking:network"]["hub"]["subnets"]["AzureFirewallManagementSubnet"] = "10.100.0.192/26"
    with pytest.raises(ConfigError) as refused:
        load_hub_spec(config, "hub")
    assert sorted(p.path for p in refused.value.problems) == [
        "aks-networking:egress.firewall.dnsProxy", "aks-networking:egress.firewall.threatIntelMode"]
    config["aks-networking:egress"]["firewall"] = {"sku": "Basic"}
    assert hub_plan(load_hub_spec(config, "hub")).firewall.dns_proxy is False


# The Kubernetes layer ---------------------------------------------------------------------------------

def _dev_with(app: dict[str, Any]) -> Any:
    from aksnet.pipeline import load_stack
    from tests.stacks import load
    config = load("dev")
    config["aks-networking:kubernetes"]["apps"].append(app)
    return load_stack(config, "dev")


UDP_APP = {"name": "dns-cache", "namespace": "development", "image": "nginxinc/nginx-unprivileged:1.27-alpine",
           "labels": {"app": "dns-cache"}, "ports": [{"name": "dns", "port": 53, "targetPort": 5353, "protocol": "UDP"}],
           "writablePaths": ["/tmp"]}


@pytest.fixture(scope="module")
def udp_stack():
    return _dev_with(UDP_APP)


def test_an_app_serving_udp_only_gets_no_tcp_probe_on_its_port(udp_stack):
    """A tcpSocket probe succeeds only if the kubelet can open a TCP connection to the port; a server
    listening on UDP alone never accepts one, so a TCP probe there would keep the pod unready and restart
    it forever. https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/#define-a-tcp-liveness-probe"""
    deployment = next(m for m in udp_stack.plan.manifests
                      if m["kind"] == "Deployment" and m["metadata"]["name"] == "dns-cache")
    [container] = deployment["spec"]["template"]["spec"]["containers"]
    assert container["ports"] == [{"name": "dns", "containerPort": 5353, "protocol": "UDP"}]
    probes = [container[key] for key in ("readinessProbe", "livenessProbe", "startupProbe") if key in container]
    assert not any("tcpSocket" in probe for probe in probes)


# A spoke's attachment, under the mock engine ---------------------------------------------------------------

HUB_REFERENCE = "contoso/aks-networking/hub"  # Pulumi.spoke-a.yaml's landingZone.hub
SUB = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups"


def _contract(leave_out: str = "") -> dict[str, Any]:
    """A hub whose VNet, firewall policy and DNS zones sit in three resource groups, as its contract."""
    from aksnet.plan.hub_contract import HubContract
    from aksnet.plan.landing_zone import hub_zones
    return HubContract(
        location="westeurope", resource_group_name="rg-net", vnet_id=f"{SUB}/rg-net/providers/"
        "Microsoft.Network/virtualNetworks/vnet-hub", vnet_name="vnet-hub", address_space=("10.100.0.0/24",),
        firewall_private_ip="10.100.0.4", firewall_policy_id=f"{SUB}/rg-policy/providers/Microsoft.Network/"
        "firewallPolicies/afwp-central", dns_proxy=True,
        dns_zone_ids={z: f"{SUB}/rg-dns/providers/Microsoft.Network/privateDnsZones/{z}"
                      for z in hub_zones("westeurope") if z != leave_out}).as_output()


@pytest.fixture(scope="module")
def spoke_apart():
    """spoke-a against `_contract()`'s hub, read through its stack reference."""
    from tests.stacks import load
    from tools.mock_engine import run_program
    result = run_program("spoke-a", load("spoke-a"), stack_outputs={HUB_REFERENCE: {"landingZoneHub": _contract()}})
    assert result.error is None, result.error
    return result


def test_spoke_writes_its_rule_group_in_the_policys_group_and_its_ip_groups_in_its_own(spoke_apart):
    """A rule collection group is a child of its firewall policy, so it lives in the policy's resource group
    (https://learn.microsoft.com/azure/templates/microsoft.network/firewallpolicies/rulecollectiongroups);
    the spoke's deploy identity may write only what HUB_ACTIONS_FOR_SPOKES lists on the hub
    (no Microsoft.Network/ipGroups/write), so its IP groups go in its own resource group.
    https://learn.microsoft.com/azure/role-based-access-control/permissions/networking"""
    from aksnet.plan.landing_zone import HUB_ACTIONS_FOR_SPOKES
    group = spoke_apart.one("azure-native:network:FirewallPolicyRuleCollectionGroup").inputs
    assert (group["resourceGroupName"], group["firewallPolicyName"]) == ("rg-policy", "afwp-central")
    ip_groups = spoke_apart.of_type("azure-native:network:IpGroup")
    assert ip_groups and not any(a.startswith("Microsoft.Network/ipGroups") for a in HUB_ACTIONS_FOR_SPOKES)
    spoke_group = spoke_apart.one("azure-native:network:VirtualNetwork").inputs["resourceGroupName"]
    assert {g.inputs["resourceGroupName"] for g in ip_groups} == {spoke_group}


def test_spoke_links_to_hub_zones_are_global_and_register_nothing_under_a_name_of_its_own(spoke_apart):
    """A private DNS zone and its virtual network links are global resources; a link with auto-registration
    would write the spoke's VMs into the hub's private-endpoint zone; link names are unique within a zone,
    so each spoke's link (and its half of the hub's peerings, unique within the hub VNet) carries its name.
    https://learn.microsoft.com/azure/dns/private-dns-virtual-network-links"""
    links = spoke_apart.of_type("azure-native:privatedns:VirtualNetworkLink")
    assert links
    for link in links:
        inputs = link.inputs
        assert inputs["location"] == "global" and inputs["registrationEnabled"] is False
        assert inputs["resourceGroupName"] == "rg-dns" and inputs["virtualNetworkLinkName"].endswith("spoke-a")
    hub_side = [p.inputs for p in spoke_apart.of_type("azure-native:network:VirtualNetworkPeering")
                if p.inputs["virtualNetworkName"] == "vnet-hub"]
    assert [p["resourceGroupName"] for p in hub_side] == ["rg-net"]
    assert hub_side[0]["virtualNetworkPeeringName"].endswith("spoke-a")


def test_flux_delivers_the_layer_cluster_wide_prunes_what_leaves_git_and_waits_for_its_extension(prod):
    """The layer holds Namespaces and other cluster-scoped objects, which only a Flux configuration of scope
    `cluster` may manage; with `prune`, an object removed from Git is removed from the cluster; the
    configuration needs the `microsoft.flux` extension installed first.
    https://learn.microsoft.com/azure/azure-arc/kubernetes/conceptual-gitops-flux2,
    https://fluxcd.io/flux/components/kustomize/kustomizations/#prune,
    https://learn.microsoft.com/azure/azure-arc/kubernetes/tutorial-use-gitops-flux2"""
    extension = prod.one("azure-native:kubernetesconfiguration:Extension")
    flux = prod.one("azure-native:kubernetesconfiguration:FluxConfiguration")
    assert extension.inputs["extensionType"] == "microsoft.flux"
    assert flux.inputs["scope"] == "cluster" and flux.inputs["kustomizations"]["layer"]["prune"] is True
    assert extension.urn in flux.dependencies


@pytest.fixture(scope="module")
def dev_services():
    from aksnet.pipeline import load_stack
    from tests.stacks import load
    return {m["metadata"]["name"]: m for m in load_stack(load("dev"), "dev").plan.manifests if m["kind"] == "Service"}


def test_only_apps_that_ask_for_a_load_balancer_get_one(dev_services):
    """A Service of type LoadBalancer gets a frontend on the cluster's load balancer (a public one unless
    annotated internal); ClusterIP is reachable only inside the cluster.
    https://kubernetes.io/docs/concepts/services-networking/service/#publishing-services-service-types,
    https://learn.microsoft.com/azure/aks/internal-lb"""
    internal = "service.beta.kubernetes.io/azure-load-balancer-internal"
    kinds = {name: (s["spec"]["type"], s["metadata"].get("annotations", {}).get(internal))
             for name, s in dev_services.items()}
    assert kinds == {"backend": ("ClusterIP", None), "store": ("ClusterIP", None),
                     "frontend": ("LoadBalancer", None), "internal-api": ("LoadBalancer", "true")}


def test_a_tls_ingress_on_agic_redirects_http_to_https():
    """AGIC serves a TLS Ingress on 443 and, with `ssl-redirect: "true"`, answers port 80 with a redirect
    to HTTPS instead of serving the app in clear text.
    https://azure.github.io/application-gateway-kubernetes-ingress/annotations/#ssl-redirect"""
    from aksnet.pipeline import load_stack
    from tests.stacks import load
    loaded = load_stack(load("prod"), "prod")
    assert loaded.spec.ingress.controller == "appgw"
    [ingress] = [m for m in loaded.plan.manifests if m["kind"] == "Ingress"]
    annotations = ingress["metadata"]["annotations"]
    assert annotations["appgw.ingress.kubernetes.io/ssl-redirect"] == "true"
    assert annotations["appgw.ingress.kubernetes.io/appgw-ssl-certificate"] == "shop-tls"


def test_what_the_firewall_publishes_reaches_the_pods_on_the_translated_port_and_protocol():
    """Azure Firewall DNAT rewrites the destination to the translated address and port and sends the packet
    from its own private address (https://learn.microsoft.com/azure/firewall/tutorial-firewall-dnat,
    https://learn.microsoft.com/azure/firewall/firewall-faq); the internal load balancer then hands it to the
    pod's target port (https://kubernetes.io/docs/concepts/services-networking/service/#defining-a-service).
    The pod's NetworkPolicy must admit the firewall's subnet on that port, in the rule's protocol, and not on
    the public port the client dialled (https://kubernetes.io/docs/concepts/services-networking/network-policies/)."""
    from aksnet.pipeline import load_stack
    from tests.stacks import load
    config = load("prod")
    config["aks-networking:kubernetes"]["apps"].append({
        "name": "partner", "namespace": "shop", "image": "platform://example/partner:1.0.0", "labels": {"app": "partner"},
        "serviceType": "InternalLoadBalancer", "staticIp": "10.240.5.10",
        "ports": [{"name": "https", "port": 4443, "targetPort": 8443},
                  {"name": "syslog", "port": 5514, "targetPort": 6514, "protocol": "UDP"}]})
    config["aks-networking:egress"]["firewall"]["dnatRules"] = [
        {"name": "partner", "port": 443, "translatedAddress": "10.240.5.10", "translatedPort": 4443},
        {"name": "syslog", "protocol": "UDP", "port": 514, "translatedAddress": "10.240.5.10", "translatedPort": 5514}]
    loaded = load_stack(config, "prod")
    firewall = str(loaded.spec.network.subnet("AzureFirewallSubnet"))
    admitted = {(port["protocol"], port["port"])
                for policy in loaded.plan.manifests if policy["kind"] == "NetworkPolicy"
                and policy["spec"]["podSelector"].get("matchLabels") == {"app": "partner"}
                for rule in policy["spec"].get("ingress", [])
                if any(peer.get("ipBlock", {}).get("cidr") == firewall for peer in rule.get("from", []))
                for port in rule.get("ports", [])}
    assert admitted == {("TCP", 8443), ("UDP", 6514)}


def _prefix_match(path: str, prefix: str) -> bool:
    """pathType Prefix: matched element by element on the `/`-split path
    (https://kubernetes.io/docs/concepts/services-networking/ingress/#path-types)."""
    wanted = [p for p in prefix.split("/") if p]
    return [p for p in path.split("/") if p][:len(wanted)] == wanted


def test_an_ingress_path_serves_everything_under_it():
    """`/api` routes `/api/orders/7` to the api, and `/` every other path to the web app: Prefix paths,
    longest match first (https://kubernetes.io/docs/concepts/services-networking/ingress/#multiple-matches).
    An Exact path would serve `/api` alone and leave `/api/orders/7` to `/`, or to nothing."""
    from aksnet.pipeline import load_stack
    from tests.stacks import load
    [ingress] = [m for m in load_stack(load("prod"), "prod").plan.manifests if m["kind"] == "Ingress"]
    paths = ingress["spec"]["rules"][0]["http"]["paths"]

    def served(request: str) -> str | None:
        candidates = [p for p in paths if (p["pathType"] == "Exact" and p["path"] == request)
                      or (p["pathType"] == "Prefix" and _prefix_match(request, p["path"]))]
        best = max(candidates, key=lambda p: (p["pathType"] == "Exact", len(p["path"])), default=None)
        return None if best is None else best["backend"]["service"]["name"]

    assert served("/api/orders/7") == "api" and served("/api") == "api"
    assert served("/basket/3") == "web" and served("/apiary") == "web"


def test_a_registry_in_a_region_without_availability_zones_is_not_zone_redundant():
    """ACR zone redundancy exists only in regions with availability zones; canadaeast has none.
    https://learn.microsoft.com/azure/container-registry/zone-redundancy,
    https://learn.microsoft.com/azure/reliability/availability-zones-region-support"""
    from aksnet.pipeline import load_stack
    from tests.stacks import load
    config = load("prod")
    config["azure-native:location"] = "canadaeast"
    for pool in config["aks-networking:cluster"]["nodePools"]:
        pool.pop("zones", None)
    config["aks-networking:egress"]["firewall"].pop("zones", None)
    config["aks-networking:ingress"]["appGateway"].pop("zones", None)
    loaded = load_stack(config, "prod")
    assert loaded.spec.environment.production and loaded.spec.registry is not None
    assert loaded.plan.registry_zone_redundant is False
    assert load_stack(load("prod"), "prod").plan.registry_zone_redundant is True  # westeurope has zones


def _attaches(listener: dict[str, Any], gateway_namespace: str, route_namespace: str) -> bool:
    """Whether an HTTPRoute of `route_namespace` may attach to a listener: `allowedRoutes.namespaces.from`
    is Same by default, All admits every namespace, Selector those a label selector picks (none here).
    https://gateway-api.sigs.k8s.io/reference/spec/#routenamespaces"""
    origin = listener.get("allowedRoutes", {}).get("namespaces", {}).get("from", "Same")
    return origin == "All" or (origin == "Same" and route_namespace == gateway_namespace)


def test_a_gateway_takes_routes_only_from_its_own_namespace():
    """A listener open to every namespace would let a team's HTTPRoute in any namespace claim the Gateway's
    host and paths; the stack's Gateway serves only the routes of its ingress's namespace."""
    from aksnet.pipeline import load_stack
    from tests.stacks import load
    manifests = load_stack(load("dev"), "dev").plan.manifests
    [gateway] = [m for m in manifests if m["kind"] == "Gateway"]
    namespace = gateway["metadata"]["namespace"]
    routes = [m for m in manifests if m["kind"] == "HTTPRoute"]
    assert routes and all(r["metadata"]["namespace"] == namespace for r in routes)
    for listener in gateway["spec"]["listeners"]:
        assert _attaches(listener, namespace, namespace)
        assert not _attaches(listener, namespace, "kube-system")


def test_a_tls_gateway_listener_terminates_tls_so_the_http_route_can_attach():
    """An HTTPRoute attaches to HTTP and HTTPS listeners; an HTTPS listener must terminate TLS (mode
    Terminate, the default) with its certificate: a Passthrough listener hands the encrypted stream on and
    takes TLSRoutes only, so the HTTPRoute would never be served.
    https://gateway-api.sigs.k8s.io/guides/tls/#listeners-and-tls"""
    import dataclasses

    from aksnet.plan.gateway_api import gateway_objects
    from tests.stacks import load, validate_stack_config
    spec = validate_stack_config(load("dev"), "dev")
    workloads = spec.kubernetes.workloads
    route = dataclasses.replace(workloads.ingresses[0], tls_secret="webapp-tls")
    spec = dataclasses.replace(spec, kubernetes=dataclasses.replace(
        spec.kubernetes, workloads=dataclasses.replace(workloads, ingresses=(route,))))
    objects = [o for _, o in gateway_objects(spec)]
    [gateway] = [o for o in objects if o["kind"] == "Gateway"]
    listeners = {listener["name"]: listener for listener in gateway["spec"]["listeners"]}
    [served] = [o for o in objects if o["kind"] == "HTTPRoute" and o["metadata"]["name"] == route.name]
    [parent] = served["spec"]["parentRefs"]
    listener = listeners[parent["sectionName"]]
    assert listener["protocol"] == "HTTPS" and listener["port"] == 443
    assert listener["tls"].get("mode", "Terminate") == "Terminate"
    assert listener["tls"]["certificateRefs"] == [{"kind": "Secret", "name": "webapp-tls"}]


def test_the_firewall_sends_its_metrics_to_the_workspace(prod):
    """Azure Firewall's health, throughput and SNAT port utilisation are platform metrics, kept by a
    diagnostic setting's AllMetrics (https://learn.microsoft.com/azure/firewall/monitor-firewall-reference#metrics,
    https://learn.microsoft.com/azure/azure-monitor/essentials/diagnostic-settings)."""
    firewall = prod.one("azure-native:network:AzureFirewall").outputs["id"]
    [setting] = [s.inputs for s in prod.of_type("azure-native:monitor:DiagnosticSetting")
                 if s.inputs["resourceUri"] == firewall]
    assert {"category": "AllMetrics", "enabled": True} in (setting.get("metrics") or [])


def test_an_http_route_path_serves_everything_under_it():
    """An HTTPRoute match of type PathPrefix matches element by element, as an Ingress's Prefix does:
    `/a` serves `/a/list` but not `/ab` (https://gateway-api.sigs.k8s.io/reference/spec/#pathmatchtype)."""
    from aksnet.pipeline import load_stack
    from tests.stacks import load
    [route] = [m for m in load_stack(load("dev"), "dev").plan.manifests if m["kind"] == "HTTPRoute"]

    def served(request: str) -> list[str]:
        return [ref["name"] for rule in route["spec"]["rules"] for match in rule["matches"]
                if (match["path"]["type"] == "PathPrefix" and _prefix_match(request, match["path"]["value"]))
                or (match["path"]["type"] == "Exact" and match["path"]["value"] == request)
                for ref in rule["backendRefs"]]

    assert served("/a/list") == ["frontend"] and served("/b/items/4") == ["backend"]
    assert served("/ab") == []


def test_a_spoke_of_a_hub_without_its_registry_zone_is_refused_before_anything_is_declared():
    """The spoke's registry endpoint resolves only through a zone linked to its VNet
    (https://learn.microsoft.com/azure/private-link/private-endpoint-dns); a brownfield hub that holds no
    privatelink.azurecr.io is refused in one line naming both, and, its ids being in the stack file, before
    the spoke declares a single resource."""
    from tests.stacks import load
    from tools.mock_engine import run_program
    config = load("spoke-a")
    config["aks-networking:landingZone"]["hub"] = _contract(leave_out="privatelink.azurecr.io")
    result = run_program("spoke-a", config)
    assert str(result.error) == (
        "Pulumi.spoke-a.yaml: spoke spoke-a needs the hub's private DNS zones privatelink.azurecr.io, which hub "
        "landingZone.hub does not hold; add them to the hub before the spoke links to them")
    assert result.records == []


def test_the_registry_is_zone_redundant_exactly_where_the_plan_says(prod, spoke_apart):
    """ACR zone redundancy is chosen when the registry is created and exists only in regions with zones
    (https://learn.microsoft.com/azure/container-registry/zone-redundancy): production asks for it, the
    non-production spoke does not, and the registry resource follows."""
    from aksnet.pipeline import load_stack
    from tests.stacks import load
    for run, stack in ((prod, "prod"), (spoke_apart, "spoke-a")):
        wanted = load_stack(load(stack), stack).plan.registry_zone_redundant
        registry = run.one("azure-native:containerregistry:Registry").inputs
        assert registry["zoneRedundancy"] == ("Enabled" if wanted else "Disabled"), stack
    assert load_stack(load("spoke-a"), "spoke-a").plan.registry_zone_redundant is False


def test_a_gitops_controller_chart_creates_its_namespace_the_layer_does_not_declare():
    """Helm installs into an existing namespace unless told to create it; Flux's HelmRelease
    `install.createNamespace` does so (https://fluxcd.io/flux/components/helm/helmreleases/#install-configuration).
    The controller's namespace is not one of the layer's, so the release must create it."""
    from aksnet.pipeline import load_stack
    from tests.stacks import load, variant
    config = variant(load("dev"), {"aks-networking:kubernetes.delivery": "gitops", "aks-networking:kubernetes.gitops": {
        "url": "https://github.com/contoso/aks-networking", "branch": "main", "path": "deploy/dev"}})
    manifests = load_stack(config, "dev").plan.manifests
    [release] = [m for m in manifests if m["kind"] == "HelmRelease"]
    declared = {m["metadata"]["name"] for m in manifests if m["kind"] == "Namespace"}
    assert release["spec"]["targetNamespace"] not in declared
    assert release["spec"]["install"].get("createNamespace") is True


# What Azure Resource Manager checks when a spoke's deployment touches the hub: the write action on the
# resource's own scope, and a linked-access action on every hub resource an input refers to. A missing one
# fails `pulumi up` with LinkedAuthorizationFailed, as in
# https://github.com/Azure/data-landing-zone/issues/203 (a private endpoint's DNS zone group in another
# subscription's zone: "does not have permission to perform action 'Microsoft.Network/privateDnsZones/join/
# action' on the linked scope"). Action names: https://learn.microsoft.com/azure/role-based-access-control/
# permissions/networking
WRITES_ON_THE_HUB = {
    "azure-native:network:VirtualNetworkPeering": "Microsoft.Network/virtualNetworks/virtualNetworkPeerings/write",
    "azure-native:privatedns:VirtualNetworkLink": "Microsoft.Network/privateDnsZones/virtualNetworkLinks/write",
    "azure-native:network:FirewallPolicyRuleCollectionGroup":
        "Microsoft.Network/firewallPolicies/ruleCollectionGroups/write",
}
LINKED_ON_THE_HUB = {
    "/providers/Microsoft.Network/privateDnsZones/": "Microsoft.Network/privateDnsZones/join/action",
    "/providers/Microsoft.Network/virtualNetworks/": "Microsoft.Network/virtualNetworks/peer/action",
}
HUB_GROUPS = ("rg-net", "rg-policy", "rg-dns")


def test_every_write_and_link_a_spoke_makes_on_the_hub_is_in_its_role(spoke_apart):
    """The spoke's deploy identity holds only HUB_ACTIONS_FOR_SPOKES on the hub: each resource it declares in
    a hub group needs its write there, and each hub resource id among its inputs the linked action (its
    registry's and key vault's private endpoints keep their records in the hub's zones: privateDnsZones/
    join/action on them)."""
    from aksnet.plan.landing_zone import HUB_ACTIONS_FOR_SPOKES
    needed: dict[str, set[str]] = {}
    for record in spoke_apart.records:
        if not record.custom:
            continue
        if record.inputs.get("resourceGroupName") in HUB_GROUPS:
            needed.setdefault(WRITES_ON_THE_HUB.get(record.type, f"a write of {record.type}"), set()).add(record.name)
        for text in walk_strings({k: v for k, v in record.inputs.items() if k != "resourceGroupName"}):
            if any(f"{SUB}/{group}/" in text for group in HUB_GROUPS):
                action = next((a for kind, a in LINKED_ON_THE_HUB.items() if kind in text), f"a link to {text}")
                needed.setdefault(action, set()).add(record.name)
    assert "Microsoft.Network/privateDnsZones/join/action" in needed  # the registry's endpoint, at least
    missing = {action: sorted(names) for action, names in needed.items() if action not in HUB_ACTIONS_FOR_SPOKES}
    assert not missing
