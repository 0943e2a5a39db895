"""What the stack's rules refuse and accept, pinned to the AKS, Azure and Kubernetes behaviour each
one cites: the channels that move a pinned patch, one line per wrong setting, every zoned resource
in a region without zones, the Gateway API's HTTPS listeners, default-deny policies, and the guardrails'
readings of Azure's defaults. Each expected outcome comes from the page in the test's docstring.
"""

from __future__ import annotations

import pytest

from aksnet.config.stack import load_spec
from aksnet.rules.registry import BY_ID, spec_verdicts
from tests.pinned_day import PINNED_DAY
from tests.stacks import DELETE, load, variant

C = "aks-networking:"


def spec_of(stack, changes=None):
    return load_spec(variant(load(stack), changes or {}), stack)


def found(rule_id, stack, changes=None, day=PINNED_DAY):
    """The problems one rule finds in a variant of a committed stack: (key, message) pairs."""
    return [(p.path, p.message) for p in BY_ID[rule_id].spec_problems(spec_of(stack, changes), day)]


def refused_at(stack, changes):
    """Every mandatory problem of the first stage, each as its key path."""
    return [p.path for p in spec_verdicts(spec_of(stack, changes), PINNED_DAY).refused()]


# https://learn.microsoft.com/azure/aks/auto-upgrade-cluster: patch, stable and rapid move the
# cluster to newer patch releases; node-image upgrades only the nodes' image and none keeps the
# cluster's version, so neither moves a pinned patch.
@pytest.mark.parametrize("channel,moves", [("patch", True), ("stable", True), ("rapid", True),
                                           ("node-image", False), ("none", False)])
def test_a_pinned_patch_is_refused_exactly_under_the_channels_that_move_it(channel, moves):
    problems = found("patch-pin-without-patch-upgrades", "dev",
                     {f"{C}cluster.kubernetesVersion": "1.36.2", f"{C}cluster.upgradeChannel": channel})
    assert [key for key, _ in problems] == (["aks-networking:cluster.kubernetesVersion"] if moves else [])


def test_the_cilium_dataplane_on_kubenet_is_told_once_at_its_key():
    """https://learn.microsoft.com/azure/aks/azure-cni-powered-by-cilium: the Cilium dataplane runs on
    Azure CNI; on kubenet that is the one thing wrong, and the user gets one line for it."""
    keys = refused_at("dev", {f"{C}cluster.networkDataplane": "cilium", f"{C}cluster.networkPolicy": "cilium"})
    assert keys == ["aks-networking:cluster.networkDataplane"]


def test_every_zoned_resource_in_a_region_without_zones_is_named():
    """https://learn.microsoft.com/azure/reliability/regions-list: UK West has no availability zones, so
    no pool, firewall or gateway placed there can list zones."""
    keys = [key for key, _ in found("zones-need-a-zonal-region", "prod", {"azure-native:location": "ukwest"})]
    assert keys == [f"{C}cluster.nodePools[0].zones", f"{C}cluster.nodePools[1].zones", f"{C}egress.firewall.zones",
                    f"{C}ingress.appGateway.zones"]



def test_every_network_rule_with_fqdns_needs_the_dns_proxy_not_only_the_first():
    """https://learn.microsoft.com/azure/firewall/fqdn-filtering-network-rules: FQDNs in network rules
    resolve through the firewall's DNS proxy; each rule that names one is refused without it."""
    rules = [{"name": "ntp-ip", "protocols": ["UDP"], "destinationAddresses": ["203.0.113.10"], "ports": ["123"]},
             {"name": "ntp", "protocols": ["UDP"], "destinationFqdns": ["ntp.ubuntu.com"], "ports": ["123"]},
             {"name": "time", "protocols": ["UDP"], "destinationFqdns": ["time.windows.com"], "ports": ["123"]}]
    keys = [key for key, _ in found("fqdn-network-rules-need-dns-proxy", "prod",
                                    {f"{C}egress.firewall.dnsProxy": False, f"{C}egress.firewall.networkRules": rules})]
    assert keys == [f"{C}egress.firewall.networkRules[1].destinationFqdns",
                    f"{C}egress.firewall.networkRules[2].destinationFqdns"]


def test_an_application_gateway_with_only_a_private_frontend_has_a_frontend():
    """https://learn.microsoft.com/azure/application-gateway/configuration-frontend-ip: a v2 gateway may
    listen on a private frontend IP; it needs one frontend, public or private, not the public one."""
    private_only = {f"{C}ingress.appGateway.publicFrontend": False, f"{C}ingress.appGateway.privateIp": "10.240.4.10"}
    assert found("gateway-needs-a-frontend", "prod", private_only) == []
    assert [k for k, _ in found("gateway-needs-a-frontend", "prod", {f"{C}ingress.appGateway.publicFrontend": False})] \
        == [f"{C}ingress.appGateway"]


def test_a_pod_subnet_on_kubenet_is_refused():
    """https://learn.microsoft.com/azure/aks/concepts-network-ip-address-planning: only Azure CNI with
    dynamic pod IPs gives pods addresses from a pod subnet; kubenet takes them from its pod CIDR."""
    keys = [k for k, _ in found("pod-subnet-only-for-dynamic-ips", "dev",
                                {f"{C}network.spoke.subnets.pods": "192.168.16.0/20"})]
    assert keys == [f"{C}network.spoke.subnets.pods"]


@pytest.mark.parametrize("min_count,max_pods,refused", [(1, 10, True), (3, 10, False), (1, 30, False)])
def test_an_autoscaled_system_pool_has_room_for_30_pods_at_its_minimum(min_count, max_pods, refused):
    """https://learn.microsoft.com/azure/aks/concepts-network-ip-address-planning: maxPods may be as low as
    10 only where the pool has room for 30 pods; the autoscaler may shrink the pool to minCount nodes."""
    changes = {f"{C}cluster.nodePools[0].minCount": min_count, f"{C}cluster.nodePools[0].maxCount": 5,
               f"{C}cluster.nodePools[0].maxPods": max_pods}
    keys = [k for k, _ in found("max-pods-in-range", "prod", changes)]
    assert keys == ([f"{C}cluster.nodePools[0].maxPods"] if refused else [])




def test_the_registry_and_the_key_vault_each_need_the_private_endpoint_subnet():
    """https://learn.microsoft.com/azure/container-registry/container-registry-private-link and
    https://learn.microsoft.com/azure/key-vault/general/private-link-service: each is reached by a private
    endpoint, which takes an address of a subnet of the VNet."""
    keys = [k for k, _ in found("private-endpoints-and-their-subnet", "prod",
                                {f"{C}network.spoke.subnets.endpoints": DELETE})]
    assert keys == [f"{C}registry", f"{C}tls"]


def test_a_flow_from_the_ingress_controller_needs_a_controller():
    """https://learn.microsoft.com/azure/aks/app-routing: the controller's proxies are the source of such a
    flow; with ingress.controller none there are none, and the flow is refused at its key."""
    flow = {"name": "edge-to-backend", "from": {"ingressController": True},
            "to": {"app": "backend", "namespace": "development"}, "ports": ["TCP/http"]}
    flows = [*load("dev")[f"{C}kubernetes"]["flows"], flow]
    keys = [k for k, _ in found("ingresses-need-a-controller", "dev",
                                {f"{C}ingress": {"controller": "none"}, f"{C}kubernetes.ingresses": [],
                                 f"{C}kubernetes.flows": flows})]
    assert keys == [f"{C}kubernetes.flows[{len(flows) - 1}].from.ingressController"]


def test_a_prefix_path_with_a_trailing_slash_is_the_same_route():
    """https://kubernetes.io/docs/concepts/services-networking/ingress/#examples: a Prefix path ignores a
    trailing slash (/aaa/bbb/ matches the request /aaa/bbb), so /a and /a/ on one host are one route."""
    paths = [{"path": "/a", "app": "frontend", "port": 80}, {"path": "/a/", "app": "backend", "port": 80}]
    keys = [k for k, _ in found("one-route-per-host-and-path", "dev", {f"{C}kubernetes.ingresses[0].paths": paths})]
    assert keys == [f"{C}kubernetes.ingresses[0].paths[1].path"]




def test_only_the_application_gateway_probes_get_slash_on_a_backend_without_a_readiness_probe():
    """https://learn.microsoft.com/azure/application-gateway/ingress-controller-add-health-probes: AGIC
    derives the gateway's health probe from the pod's readiness probe, else probes GET /. Envoy Gateway
    health-checks a backend actively only when a BackendTrafficPolicy asks it to
    (healthCheck.active,
    https://gateway.envoyproxy.io/v1.8/api/extension_types/), so its backends need none."""
    assert [k for k, _ in found("agic-backends-probe-over-http", "prod", {f"{C}kubernetes.apps[0].probes": DELETE})] \
        == [f"{C}kubernetes.apps[0].probes"]
    dev = spec_of("dev")
    behind = {entry.app for route in dev.kubernetes.workloads.ingresses for entry in route.paths}
    assert behind and all(a.readiness is None for a in dev.kubernetes.workloads.apps if a.name in behind)
    assert dev.ingress.controller == "envoyGateway"
    assert found("agic-backends-probe-over-http", "dev") == []



def test_a_resolver_subnet_without_the_resolver_is_refused_at_the_subnet():
    """https://learn.microsoft.com/azure/dns/dns-private-resolver-overview#subnet-restrictions: the inbound
    endpoint's subnet is delegated to Microsoft.Network/dnsResolvers and holds nothing else, so without the
    resolver it is a subnet nothing can use; with it, the subnet is what the resolver needs."""
    assert [k for k, _ in found("dns-resolver-has-its-subnet", "prod", {f"{C}network.dnsResolver": False})] \
        == [f"{C}network.hub.subnets.dns"]
    assert found("dns-resolver-has-its-subnet", "prod") == []



KUBENET_PROD = {f"{C}cluster.networkPlugin": "kubenet", f"{C}cluster.networkPluginMode": DELETE,
                f"{C}cluster.networkDataplane": "azure", f"{C}cluster.networkPolicy": "calico",
                f"{C}cluster.nodePools[0].maxPods": 110, f"{C}cluster.nodePools[1].maxPods": 110}


@pytest.mark.parametrize("outbound,refused", [("userDefinedRouting", True), ("managedNATGateway", False),
                                              ("loadBalancer", False)])
def test_kubenets_route_table_breaks_the_gateway_only_with_an_appliance_default_route(outbound, refused):
    """https://learn.microsoft.com/azure/application-gateway/configuration-infrastructure#supported-user-defined-routes:
    a v2 gateway subnet takes a route table, but not a 0.0.0.0/0 route to a virtual appliance. Kubenet's
    table holds that route only under userDefinedRouting; with NAT gateway or load balancer egress it holds
    the pod routes alone, which the gateway needs."""
    keys = [k for k, _ in found("agic-kubenet-route-table-without-udr", "prod",
                                {**KUBENET_PROD, f"{C}cluster.outboundType": outbound})]
    assert keys == ([f"{C}ingress.controller"] if refused else [])



def test_an_explicit_next_hop_beside_the_firewall_is_refused():
    """https://learn.microsoft.com/azure/aks/egress-outboundtype: under userDefinedRouting the subnet's
    default route has one next hop; with egress.firewall declared, the firewall is it, and another address
    would never be used."""
    keys = [k for k, _ in found("next-hop-only-for-udr-without-firewall", "prod",
                                {f"{C}cluster.egressNextHopIp": "10.200.0.4"})]
    assert keys == [f"{C}cluster.egressNextHopIp"]


# Guardrails over the recorded resources -----------------------------------------------------------

def flagged(rule_id, resource_type, props, namespace=None):
    """The messages a resource guardrail reports for one resource with these engine properties."""
    from aksnet.rules.registry import RecordedResource
    messages = []
    BY_ID[rule_id].resource(RecordedResource(resource_type, "r", "urn:r", props), lambda m, urn=None: messages.append(m))
    return messages


def stack_flagged(rule_id, resources):
    from aksnet.rules.registry import RecordedResource, RecordedStack
    recorded = [RecordedResource(t, "r", "urn:r", p) for t, p in resources]
    messages = []
    BY_ID[rule_id].stack(RecordedStack(recorded), lambda m, urn=None: messages.append(m))
    return messages


def test_a_firewall_policy_that_does_not_set_threat_intel_runs_in_alert_mode():
    """https://learn.microsoft.com/azure/firewall/threat-intel: threat intelligence-based filtering is on
    in Alert mode by default; a policy that leaves the mode unset denies nothing."""
    from aksnet.vocabulary import FIREWALL_POLICY
    assert flagged("firewall-threat-intel-deny", FIREWALL_POLICY, {})
    assert flagged("firewall-threat-intel-deny", FIREWALL_POLICY, {"threatIntelMode": "Deny"}) == []


def test_a_disabled_waf_policy_protects_nothing_whatever_its_mode():
    """https://learn.microsoft.com/azure/web-application-firewall/ag/policy-overview: a WAF policy's
    state enables or disables it; disabled, its Prevention mode blocks nothing."""
    from aksnet.vocabulary import WAF_POLICY
    assert flagged("waf-prevention", WAF_POLICY, {"policySettings": {"state": "Disabled", "mode": "Prevention"}})
    assert flagged("waf-prevention", WAF_POLICY, {"policySettings": {"state": "Enabled", "mode": "Prevention"}}) == []


def test_a_listener_is_https_only_by_its_protocol_not_by_a_certificate_reference():
    """https://gateway-api.sigs.k8s.io/reference/spec/#listener: tls applies to the HTTPS and TLS protocols
    and is invalid beside HTTP; an HTTP listener serves plain HTTP whatever certificateRefs it carries."""
    from aksnet.vocabulary import GATEWAY
    tls = {"mode": "Terminate", "certificateRefs": [{"kind": "Secret", "name": "a-tls"}]}
    listener = {"name": "web", "port": 443, "hostname": "a.example.com", "tls": tls}
    assert flagged("gateway-host-and-tls", GATEWAY, {"spec": {"listeners": [{**listener, "protocol": "HTTP"}]}})
    assert flagged("gateway-host-and-tls", GATEWAY, {"spec": {"listeners": [{**listener, "protocol": "HTTPS"}]}}) == []


DEPLOYMENT_IN_SHOP = ("kubernetes:apps/v1:Deployment", {"metadata": {"name": "web", "namespace": "shop"}})


def deny(spec, namespace="shop"):
    metadata = {"name": "default-deny", **({"namespace": namespace} if namespace else {})}
    return "kubernetes:networking.k8s.io/v1:NetworkPolicy", {"metadata": metadata, "spec": spec}


@pytest.mark.parametrize("spec,denies", [
    ({"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}, True),
    # Without policyTypes and without egress rules a policy is of type Ingress only: egress stays open.
    ({"podSelector": {}}, False),
    ({"podSelector": {}, "policyTypes": ["Ingress"]}, False),
    # A selector with labels isolates only the pods it selects, not the namespace.
    ({"podSelector": {"matchLabels": {"app": "web"}}, "policyTypes": ["Ingress", "Egress"]}, False),
])
def test_a_default_deny_isolates_every_pod_of_its_namespace_both_ways(spec, denies):
    """https://kubernetes.io/docs/concepts/services-networking/network-policies/#default-policies: the
    default deny of all ingress and egress selects every pod (an empty podSelector) and lists both
    policy types; policyTypes defaults to Ingress alone when the policy has no egress section."""
    found_ = stack_flagged("default-deny-per-app-namespace", [DEPLOYMENT_IN_SHOP, deny(spec)])
    assert (found_ == []) is denies


def test_objects_without_a_namespace_are_in_the_default_namespace():
    """https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/#initial-namespaces: an
    object created without a namespace lands in `default`, one of Kubernetes' own namespaces, which the
    rule leaves alone as it does every platform namespace; the same Deployment in an app's namespace
    needs that namespace's default deny."""
    assert stack_flagged("default-deny-per-app-namespace", [("kubernetes:apps/v1:Deployment",
                                                             {"metadata": {"name": "web"}})]) == []
    assert stack_flagged("default-deny-per-app-namespace", [DEPLOYMENT_IN_SHOP])


def test_a_cluster_that_leaves_local_accounts_unset_keeps_them():
    """https://learn.microsoft.com/azure/aks/manage-local-accounts-managed-azure-ad: local accounts are
    enabled by default; a cluster whose inputs leave disableLocalAccounts out keeps them."""
    from aksnet.vocabulary import CLUSTER
    assert flagged("local-accounts-disabled", CLUSTER, {})
    assert flagged("local-accounts-disabled", CLUSTER, {"disableLocalAccounts": True}) == []


def test_a_firewall_without_a_policy_is_flagged_even_without_classic_rules():
    """https://learn.microsoft.com/azure/firewall/policy-rule-sets: rules live in a Firewall Policy's rule
    collection groups; a firewall that references no policy has none of them."""
    from aksnet.vocabulary import FIREWALL
    assert flagged("firewall-uses-policy", FIREWALL, {"sku": {"name": "AZFW_VNet", "tier": "Premium"}})
    assert flagged("firewall-uses-policy", FIREWALL, {"firewallPolicy": {"id": "/subscriptions/x/firewallPolicies/p"}}) \
        == []


def test_objects_flux_applies_are_typed_as_pulumi_types_them():
    """https://www.pulumi.com/registry/packages/kubernetes/api-docs/core/v1/service/: the core group's type
    token is kubernetes:core/v1:Service; the guardrails match these tokens, so the objects Flux applies
    under gitops carry the same ones, or no guardrail over Services and Namespaces would see them."""
    from aksnet.pipeline import load_stack
    from aksnet.rules.registry import unregistered_objects
    loaded = load_stack(load("prod"), "prod")
    types = {r.resource_type for r in unregistered_objects(loaded.spec, loaded.plan)}
    assert {"kubernetes:core/v1:Service", "kubernetes:core/v1:Namespace", "kubernetes:apps/v1:Deployment",
            "kubernetes:networking.k8s.io/v1:NetworkPolicy"} <= types


def test_a_spoke_leaves_only_its_flows_to_other_private_networks_to_the_landing_zone():
    """https://learn.microsoft.com/azure/architecture/networking/architecture/hub-spoke: another spoke or
    on-premises is a private range reached through the hub, which only the landing zone's preview sees
    whole; the internet is not another spoke, so a spoke's flow to a public range stays the spoke's own
    to prove."""
    from aksnet.rules.path_rules import _across_spokes
    spoke = load("spoke-a")
    flows = [*spoke[f"{C}kubernetes"]["flows"],
             {"name": "checkout-to-psp", "from": {"app": "checkout", "namespace": "shop"},
              "to": {"cidr": "93.184.216.0/24"}, "ports": ["TCP/443"]}]
    spec = load_spec(variant(spoke, {f"{C}kubernetes.flows": flows}), "spoke-a")
    assert _across_spokes(spec) == {"checkout-to-payments"}


def test_a_rule_the_config_does_not_name_runs_at_the_packs_default_level():
    """https://www.pulumi.com/docs/iac/packages-and-automation/crossguard/configuration/: a policy the pack's
    configuration does not set keeps the enforcement level the pack gives it, which for this pack is the
    rule's production level (policies/pack.py); the offline check runs it the same way."""
    from aksnet.rules.registry import RecordedResource, check_resources
    from aksnet.vocabulary import FIREWALL
    rule = BY_ID["zones-in-production"]
    assert (rule.production, rule.development) == ("mandatory", "disabled")
    findings = check_resources([RecordedResource(FIREWALL, "fw", "urn:fw", {"zones": []})], {})
    assert [(f.policy, f.level) for f in findings if f.policy == rule.id] == [(rule.id, "mandatory")]


def test_reporting_instead_of_refusing_never_runs_a_disabled_rule():
    """https://www.pulumi.com/docs/iac/packages-and-automation/crossguard/core-concepts/: a disabled policy
    does not run. Asking for mandatory rules to report only (tools.path's advisory set) leaves a rule the
    stack's kind disables disabled."""
    verdicts = spec_verdicts(spec_of("dev"), PINNED_DAY, advisory=frozenset(BY_ID))
    assert verdicts.levels["waf-prevention-in-production"] == "disabled"
    assert "waf-prevention-in-production" not in verdicts.found
    assert verdicts.levels["address-plan"] == "advisory"
