"""Every term of every reader's cross-field check, held on both sides (issue 27).

A check fires when a conjunction of terms holds; a test that shows it firing on one stack and not on
another holds one term at most. Each table below is one reader's checks: a row varies a minimal input in
one place, and names the key path that must (or must not) be refused. Rows come in pairs: the documented
condition holding, and the same input with exactly one term made false. Expected outcomes come from the
page cited beside each table, never from running our code. Pure readers: no rule registry, no program run.
"""

from __future__ import annotations

import copy
import functools
import ipaddress
from typing import Any

import pytest

from aksnet.config.egress import basic_sku_refusals, read_egress
from aksnet.config.environment import read_environment, read_location, zones_refusal
from aksnet.config.hub import load_hub_spec
from aksnet.config.image_reference import reference_problem
from aksnet.config.ingress import read_ingress, read_tls
from aksnet.config.kubernetes import read_kubernetes
from aksnet.config.landing_zone import read_landing_zone
from aksnet.config.network import read_network, resolver_subnet_refusals
from aksnet.config.policy_spec import check_policy_spec
from aksnet.config.problems import ConfigError
from aksnet.config.schema import Obj, Problems
from aksnet.config.services import read_diagnostics
from tools.stackfile import read_stack_file

C = "aks-networking:"
NET = ipaddress.IPv4Network


def read(reader: Any, data: Any, *args: Any) -> tuple[Any, list[str]]:
    """What `reader` makes of the section `data` at `x`, and the key path of each problem it finds."""
    problems = Problems()
    value = reader(Obj(problems, "x", data), *args)
    return value, [p.path for p in problems.items]


def paths(reader: Any, data: Any, *args: Any) -> list[str]:
    return read(reader, data, *args)[1]


# Application Gateway for Containers is its own product (its own resource and delegated subnet), not an
# Application Gateway driven by AGIC; Envoy Gateway uses neither. AGC's options apply to AGC alone.
# https://learn.microsoft.com/azure/application-gateway/for-containers/overview
# Application Gateway v2 autoscales from 0 to 125 instances, the minimum not above the maximum.
# https://learn.microsoft.com/azure/application-gateway/application-gateway-autoscaling-zone-redundant
# WAF runs in Detection or Prevention mode. https://learn.microsoft.com/azure/web-application-firewall/ag/ag-overview#waf-modes
@pytest.mark.parametrize("section, key, refused", [
    ({"controller": "agc", "agc": {}}, "x.agc", False),
    ({"controller": "envoyGateway", "agc": {}}, "x.agc", True),
    ({"controller": "appgw", "agc": {}}, "x.agc", True),
    ({"controller": "none", "agc": {}}, "x.agc", True),
    ({"controller": "appgw", "appGateway": {"minCapacity": 2, "maxCapacity": 125}}, "x.appGateway.maxCapacity", False),
    ({"controller": "appgw", "appGateway": {"minCapacity": 100, "maxCapacity": 100}}, "x.appGateway.minCapacity", False),
    ({"controller": "appgw", "appGateway": {"minCapacity": 2, "maxCapacity": 126}}, "x.appGateway.maxCapacity", True),
    ({"controller": "appgw", "appGateway": {"minCapacity": 126, "maxCapacity": 126}}, "x.appGateway.minCapacity", True),
    ({"controller": "appgw", "appGateway": {"wafMode": "Detection"}}, "x.appGateway.wafMode", False),
    ({"controller": "appgw", "appGateway": {"wafMode": "Prevention"}}, "x.appGateway.wafMode", False),
    ({"controller": "appgw", "appGateway": {"wafMode": "Audit"}}, "x.appGateway.wafMode", True),
])
def test_ingress_reader_refuses_exactly_where_the_pages_say(section, key, refused):
    assert (key in paths(read_ingress, section)) is refused


# Which controller brings which Azure resource: AGIC an Application Gateway, the application routing add-on
# its nginx, AGC its own traffic controller; Envoy Gateway runs in the cluster alone.
# https://learn.microsoft.com/azure/application-gateway/ingress-controller-overview,
# https://learn.microsoft.com/azure/aks/app-routing, https://learn.microsoft.com/azure/application-gateway/for-containers/overview
@pytest.mark.parametrize("controller, app_gateway, nginx, agc", [
    ("appgw", True, False, False),
    ("nginx", False, True, False),
    ("agc", False, False, True),
    ("envoyGateway", False, False, False),
    ("none", False, False, False),
])
def test_each_controller_brings_its_own_resource_alone(controller, app_gateway, nginx, agc):
    spec, problems = read(read_ingress, {"controller": controller})
    assert problems == []
    assert (spec.app_gateway is not None, spec.nginx is not None, spec.agc is not None) == (app_gateway, nginx, agc)


# Unless told otherwise the gateway blocks what its WAF detects (Prevention) on the SKU that has a WAF;
# AGIC drives only the v2 SKUs. https://learn.microsoft.com/azure/web-application-firewall/ag/ag-overview#waf-modes,
# https://learn.microsoft.com/azure/application-gateway/ingress-controller-overview
@pytest.mark.parametrize("section", [{"controller": "appgw"}, {"controller": "appgw", "appGateway": {}}])
def test_the_gateway_defaults_to_waf_v2_in_prevention(section):
    gateway = read(read_ingress, section)[0].app_gateway
    assert (gateway.sku, gateway.waf_mode) == ("WAF_v2", "Prevention")


# The application gateway's certificates come from Key Vault; `tls` without one names nothing to serve.
# https://learn.microsoft.com/azure/application-gateway/key-vault-certs
@pytest.mark.parametrize("certificates, refused", [
    ([], True),
    ([{"name": "webapp", "pfx": "[secret]"}], False),
])
def test_tls_needs_at_least_one_certificate(certificates, refused):
    assert ("x.certificates" in paths(read_tls, {"keyVault": "kv-guard", "certificates": certificates})) is refused


WORKSPACE = ("/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-logs/providers/"
             "Microsoft.OperationalInsights/workspaces/law-guard")


# Diagnostics off sends nothing anywhere: a destination or flow logs beside `enabled: false` contradict it,
# an explicit false does not. Traffic analytics processes the VNet flow logs, so it needs them.
# https://learn.microsoft.com/azure/network-watcher/traffic-analytics, https://learn.microsoft.com/azure/network-watcher/vnet-flow-logs-overview
# A workspace keeps data 30 to 730 days. https://learn.microsoft.com/azure/azure-monitor/logs/data-retention-configure
@pytest.mark.parametrize("section, key, refused", [
    ({"enabled": False, "workspaceId": WORKSPACE}, "x.workspaceId", True),
    ({"enabled": True, "workspaceId": WORKSPACE}, "x.workspaceId", False),
    ({"enabled": False, "flowLogs": True}, "x.flowLogs", True),
    ({"enabled": False, "flowLogs": False}, "x.flowLogs", False),
    ({"enabled": False, "flowLogs": False, "workspaceId": WORKSPACE}, "x.flowLogs", False),  # false agrees
    ({"enabled": False, "trafficAnalytics": False, "workspaceId": WORKSPACE}, "x.trafficAnalytics", False),
    ({"enabled": False, "trafficAnalytics": False}, "x.trafficAnalytics", False),
    ({"enabled": False, "flowLogs": False, "trafficAnalytics": True}, "x.trafficAnalytics", True),
    ({"enabled": True, "flowLogs": False, "trafficAnalytics": True}, "x.trafficAnalytics", True),
    ({"enabled": True, "flowLogs": True, "trafficAnalytics": True}, "x.trafficAnalytics", False),
    ({"enabled": True, "trafficAnalytics": True}, "x.trafficAnalytics", False),  # flow logs default to enabled
    ({"retentionDays": 30}, "x.retentionDays", False),
    ({"retentionDays": 29}, "x.retentionDays", True),
    ({"retentionDays": 730}, "x.retentionDays", False),
    ({"retentionDays": 731}, "x.retentionDays", True),
])
def test_diagnostics_reader_refuses_exactly_where_the_pages_say(section, key, refused):
    assert (key in paths(read_diagnostics, section)) is refused


def test_diagnostics_off_turns_flow_logs_off():
    spec, problems = read(read_diagnostics, {"enabled": False})
    assert problems == [] and (spec.enabled, spec.flow_logs) == (False, False)


# Tag names: at most 512 characters, none of < > % & \ ? /; values at most 256 characters.
# https://learn.microsoft.com/azure/azure-resource-manager/management/tag-resources#limitations
@pytest.mark.parametrize("name, value, refused", [
    ("n" * 512, "v", False),
    ("n" * 513, "v", True),
    ("team", "v" * 256, False),
    ("team", "v" * 257, True),
    ("cost-center_1.a", "v", False),
    *[(f"a{c}b", "v", True) for c in "<>%&\\?/"],
])
def test_tag_limits_hold_at_the_documented_bounds(name, value, refused):
    problems = Problems()
    read_environment(Obj(problems, "x", {"tags": {name: value}}), "dev", "westeurope")
    assert (f"x.tags.{name}" in [p.path for p in problems.items]) is refused


# Regions go by their programmatic name, lower case without spaces (`West Europe` is `westeurope`); a region
# without availability zones takes none. https://learn.microsoft.com/azure/reliability/regions-list
@pytest.mark.parametrize("given, location, refused", [
    ("westeurope", "westeurope", False),
    ("West Europe", "westeurope", False),
    ("WestEurope", "westeurope", False),
    ("westeurop", "westeurop", True),
])
def test_location_reads_programmatic_names(given, location, refused):
    problems = Problems()
    assert read_location(problems, given) == location
    assert bool(problems.items) is refused


@pytest.mark.parametrize("location, refused", [
    ("westeurope", False), ("francesouth", True), ("canadaeast", True), ("nowhere", False),
])
def test_zones_are_refused_only_in_a_known_region_without_zones(location, refused):
    assert (zones_refusal(location) is not None) is refused


HUB_STACK = "contoso/aks-networking/hub"


# A spoke deploys from its hub's outputs; a hub or a combined stack has no hub of another stack, and its
# rule collection group priority (100 to 65000) is the spoke's on the hub's policy.
# https://github.com/mspnp/aks-baseline/blob/main/docs/deploy/04-networking.md,
# https://learn.microsoft.com/azure/firewall/policy-rule-sets
@pytest.mark.parametrize("section, key, refused", [
    ({"role": "spoke", "hub": HUB_STACK}, "x.hub", False),
    ({"role": "spoke"}, "x.hub", True),
    ({"role": "hub"}, "x.hub", False),
    ({"role": "combined"}, "x.hub", False),
    ({"role": "hub", "hub": HUB_STACK}, "x.hub", True),
    ({"role": "combined", "hub": HUB_STACK}, "x.hub", True),
    ({"role": "spoke", "hub": HUB_STACK, "ruleCollectionPriority": 1000}, "x.ruleCollectionPriority", False),
    ({"role": "hub", "ruleCollectionPriority": 1000}, "x.ruleCollectionPriority", True),
    ({"role": "combined", "ruleCollectionPriority": 1000}, "x.ruleCollectionPriority", True),
    ({"role": "spoke", "hub": HUB_STACK, "ruleCollectionPriority": 100}, "x.ruleCollectionPriority", False),
    ({"role": "spoke", "hub": HUB_STACK, "ruleCollectionPriority": 99}, "x.ruleCollectionPriority", True),
    ({"role": "spoke", "hub": HUB_STACK, "ruleCollectionPriority": 65000}, "x.ruleCollectionPriority", False),
    ({"role": "spoke", "hub": HUB_STACK, "ruleCollectionPriority": 65001}, "x.ruleCollectionPriority", True),
    ({"role": "spoke", "hub": {"vnetId": "x"}}, "x.hub", False),
    ({"role": "spoke", "hub": "hub"}, "x.hub", True),  # not organization/project/stack
])
def test_landing_zone_reader_refuses_exactly_where_the_pages_say(section, key, refused):
    assert (key in paths(read_landing_zone, section, "spoke-a")) is refused


# A hub's and a spoke's entry in the registry goes by name; a combined stack has no entry.
@pytest.mark.parametrize("section, name", [
    ({"role": "combined"}, None),
    ({"role": "hub"}, "spoke-a"),
    ({"role": "spoke", "hub": HUB_STACK}, "spoke-a"),
    ({"role": "spoke", "hub": HUB_STACK, "name": "other"}, "other"),
])
def test_only_a_landing_zone_member_has_a_registry_name(section, name):
    assert read(read_landing_zone, section, "spoke-a")[0].name == name


GITOPS = {"url": "https://github.com/contoso/platform", "path": "./deploy/prod"}


# Flux reconciles `spec.path` from the repository's root; delivery gitops needs its source, other deliveries
# take none. Flux's interval is a duration; ours is at least a minute.
# https://fluxcd.io/flux/components/kustomize/kustomizations/#path
@pytest.mark.parametrize("section, key, refused", [
    ({"delivery": "gitops", "gitops": GITOPS}, "x.gitops", False),
    ({"delivery": "gitops"}, "x.gitops", True),
    ({"delivery": "apply"}, "x.gitops", False),
    ({"delivery": "apply", "gitops": GITOPS}, "x.gitops", True),
    ({"delivery": "none", "gitops": GITOPS}, "x.gitops", True),
    ({"delivery": "gitops", "gitops": {**GITOPS, "path": "deploy/prod"}}, "x.gitops.path", False),
    ({"delivery": "gitops", "gitops": {**GITOPS, "path": "./deploy/../prod"}}, "x.gitops.path", True),
    ({"delivery": "gitops", "gitops": {**GITOPS, "path": "deploy/./prod"}}, "x.gitops.path", True),
    ({"delivery": "gitops", "gitops": {**GITOPS, "path": "deploy/.prod"}}, "x.gitops.path", False),
    ({"delivery": "gitops", "gitops": {**GITOPS, "intervalSeconds": 60}}, "x.gitops.intervalSeconds", False),
    ({"delivery": "gitops", "gitops": {**GITOPS, "intervalSeconds": 59}}, "x.gitops.intervalSeconds", True),
])
def test_kubernetes_delivery_reader_refuses_exactly_where_the_pages_say(section, key, refused):
    assert (key in paths(read_kubernetes, section)) is refused


def spec_problems(spec: Any) -> list[str]:
    problems = Problems()
    check_policy_spec(problems, "s", spec)
    return [p.path for p in problems.items]


def expression(operator: str, values: list[str] | None) -> dict[str, Any]:
    found: dict[str, Any] = {"key": "app", "operator": operator}
    return found if values is None else {**found, "values": values}


# LabelSelectorRequirement: "If the operator is In or NotIn, the values array must be non-empty. If the
# operator is Exists or DoesNotExist, the values array must be empty"; key and operator are required.
# https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/label-selector/
@pytest.mark.parametrize("requirement, refused", [
    (expression("In", ["a"]), False),
    (expression("In", []), True),
    (expression("NotIn", ["a"]), False),
    (expression("NotIn", []), True),
    (expression("NotIn", None), True),
    (expression("Exists", None), False),
    (expression("Exists", ["a"]), True),
    (expression("DoesNotExist", []), False),
    (expression("DoesNotExist", ["a"]), True),
])
def test_selector_values_follow_the_operator(requirement, refused):
    found = spec_problems({"podSelector": {"matchExpressions": [requirement]}})
    assert ("s.podSelector.matchExpressions[0].values" in found) is refused


@pytest.mark.parametrize("requirement, key", [
    ({"operator": "Exists"}, "key"), ({"key": "app"}, "operator"),
])
def test_a_selector_requirement_needs_key_and_operator(requirement, key):
    assert f"s.podSelector.matchExpressions[0].{key}" in spec_problems(
        {"podSelector": {"matchExpressions": [requirement]}})


# NetworkPolicySpec: podSelector is required. NetworkPolicyPort: port is a number 1-65535 or a name;
# "endPort ... cannot be defined if the port field is not defined or if the port field is defined as a
# named (string) port"; "The endPort must be equal or greater than port". A peer is an ipBlock, or
# namespaceSelector and podSelector; an ipBlock's except lies strictly inside its cidr.
# https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/
@pytest.mark.parametrize("spec, key, refused", [
    ({"podSelector": {}}, "s.podSelector", False),
    ({"policyTypes": ["Ingress"]}, "s.podSelector", True),
    ({"podSelector": {}, "ingress": [{"ports": [{"port": 1}]}]}, "s.ingress[0].ports[0].port", False),
    ({"podSelector": {}, "ingress": [{"ports": [{"port": 0}]}]}, "s.ingress[0].ports[0].port", True),
    ({"podSelector": {}, "ingress": [{"ports": [{"port": 65535}]}]}, "s.ingress[0].ports[0].port", False),
    ({"podSelector": {}, "ingress": [{"ports": [{"port": 65536}]}]}, "s.ingress[0].ports[0].port", True),
    ({"podSelector": {}, "ingress": [{"ports": [{"port": 80, "endPort": 80}]}]}, "s.ingress[0].ports[0].endPort",
     False),
    ({"podSelector": {}, "ingress": [{"ports": [{"port": 80, "endPort": 79}]}]}, "s.ingress[0].ports[0].endPort",
     True),
    ({"podSelector": {}, "ingress": [{"ports": [{"port": 80, "endPort": 90}]}]}, "s.ingress[0].ports[0].endPort",
     False),
    ({"podSelector": {}, "ingress": [{"ports": [{"port": "http", "endPort": 90}]}]},
     "s.ingress[0].ports[0].endPort", True),
    ({"podSelector": {}, "ingress": [{"ports": [{"protocol": "TCP", "endPort": 90}]}]},
     "s.ingress[0].ports[0].endPort", True),
    ({"podSelector": {}, "egress": [{"to": [{"ipBlock": {"cidr": "10.0.0.0/8"}}]}]}, "s.egress[0].to[0]", False),
    ({"podSelector": {}, "egress": [{"to": [{"ipBlock": {"cidr": "10.0.0.0/8"}, "podSelector": {}}]}]},
     "s.egress[0].to[0]", True),
    ({"podSelector": {}, "egress": [{"to": [{"namespaceSelector": {}, "podSelector": {}}]}]}, "s.egress[0].to[0]",
     False),
    ({"podSelector": {}, "egress": [{"to": [{"ipBlock": {"cidr": "10.0.0.0/8", "except": ["10.0.0.0/8"]}}]}]},
     "s.egress[0].to[0].ipBlock.except[0]", True),
    ({"podSelector": {}, "egress": [{"to": [{"ipBlock": {"cidr": "10.0.0.0/8", "except": ["10.1.0.0/16"]}}]}]},
     "s.egress[0].to[0].ipBlock.except[0]", False),
    ({"podSelector": {}, "egress": [{"to": [{"ipBlock": {"cidr": "10.0.0.0"}}]}]}, "s.egress[0].to[0].ipBlock.cidr",
     True),
    ({"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}, "s.policyTypes[1]", False),
    ({"podSelector": {}, "policyTypes": ["Ingress", "egress"]}, "s.policyTypes[1]", True),
])
def test_policy_spec_refuses_exactly_where_the_api_does(spec, key, refused):
    assert (key in spec_problems(spec)) is refused


APP = {"name": "api", "namespace": "shop", "image": "registry.example.com/shop/api:1.4.2", "labels": {"app": "api"},
       "ports": [{"name": "http", "port": 80, "targetPort": 8080}]}
WEB = {**APP, "name": "web", "labels": {"app": "web"}}


def workloads(apps: list[dict[str, Any]] | None = None, **sections: Any) -> dict[str, Any]:
    """A `kubernetes` section: namespace `shop` with the apps `api` and `web`, and the sections given."""
    return {"namespaces": [{"name": "shop"}], "apps": copy.deepcopy(apps if apps is not None else [APP, WEB]),
            **sections}


def app(**changes: Any) -> dict[str, Any]:
    return {**APP, **changes}


def flow(source: dict[str, Any], destination: dict[str, Any], ports: list[Any] | None = None) -> dict[str, Any]:
    return {"name": "f", "from": source, "to": destination, **({"ports": ports} if ports is not None else {})}


API = {"app": "api", "namespace": "shop"}
WEB_PODS = {"app": "web", "namespace": "shop"}


# A Service: an internal load balancer takes a static address of its subnet
# (https://learn.microsoft.com/azure/aks/internal-lb#specify-an-ip-address); every Service but a headless
# one needs a port ("spec.ports: Required value", https://kubernetes.io/docs/concepts/services-networking/service/).
# An HTTP probe connects over TCP (https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/).
@pytest.mark.parametrize("entry, key, refused", [
    (app(serviceType="InternalLoadBalancer", staticIp="192.168.2.10"), "x.apps[0].staticIp", False),
    (app(serviceType="LoadBalancer", staticIp="192.168.2.10"), "x.apps[0].staticIp", True),
    (app(serviceType="ClusterIP", staticIp="192.168.2.10"), "x.apps[0].staticIp", True),
    (app(serviceType="ClusterIP", ports=[]), "x.apps[0].ports", True),
    (app(serviceType="LoadBalancer", ports=[]), "x.apps[0].ports", True),
    (app(serviceType="InternalLoadBalancer", ports=[]), "x.apps[0].ports", True),
    (app(serviceType="None", ports=[]), "x.apps[0].ports", False),
    (app(ports=[{"port": 53, "protocol": "UDP"}, {"port": 80}], probes={"readiness": {"path": "/h", "port": 80}}),
     "x.apps[0].probes.readiness.port", False),
    (app(ports=[{"port": 53, "protocol": "UDP"}, {"port": 80}], probes={"readiness": {"path": "/h", "port": 53}}),
     "x.apps[0].probes.readiness.port", True),
    (app(probes={"liveness": {"path": "/h", "port": 8080}}), "x.apps[0].probes.liveness.port", False),
    (app(image="platform://shop/api:1.4.2"), "x.apps[0].image", False),
    (app(image="platform://registry.example.com:5000/shop/api:1.4.2"), "x.apps[0].image", True),
    (app(image="registry.example.com/shop/api:1.4.2"), "x.apps[0].image", False),
    (app(labels={}), "x.apps[0].labels", True),
    (app(namespace="kube-system"), "x.apps[0].namespace", False),
    (app(namespace="payments"), "x.apps[0].namespace", True),
])
def test_app_reader_refuses_exactly_where_the_pages_say(entry, key, refused):
    assert (key in paths(read_kubernetes, workloads([entry]))) is refused


def test_an_app_name_is_unique_in_its_namespace_only():
    # Names of a kind are unique within a namespace. https://kubernetes.io/docs/concepts/overview/working-with-objects/names/
    twice = workloads([APP, APP])
    apart = workloads([APP, app(namespace="kube-system")])
    assert "x.apps[1].name" in paths(read_kubernetes, twice)
    assert "x.apps[1].name" not in paths(read_kubernetes, apart)


# A flow's ends: pods (a NetworkPolicy peer's podSelector and namespaceSelector), an ipBlock, an FQDN the
# firewall resolves, or the ingress controller. A policy selects pods, so one side is pods; ipBlock's
# except lies strictly inside its cidr; a named port is "a numerical or named port on a pod", so an address
# outside the cluster needs a number; a port number is 1 to 65535 and a range runs upward.
# https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/
@pytest.mark.parametrize("entry, key, refused", [
    (flow(WEB_PODS, API, ["TCP/80"]), "x.flows[0]", False),
    (flow(WEB_PODS, {}, ["TCP/80"]), "x.flows[0].to", True),
    (flow(WEB_PODS, {"cidr": "10.0.0.0/8", "fqdn": "example.com"}), "x.flows[0].to", True),
    (flow(WEB_PODS, {"namespaceLabels": {}, "podLabels": {"app": "api"}}), "x.flows[0].to", False),
    (flow(WEB_PODS, {"podLabels": {"app": "api"}}), "x.flows[0].to", False),
    (flow(WEB_PODS, {"namespaceLabels": {}}), "x.flows[0].to", False),  # {}: every namespace
    (flow(WEB_PODS, {"podLabels": {}}), "x.flows[0].to", False),  # {}: every pod of the flow's namespace
    (flow(WEB_PODS, {"app": "api"}), "x.flows[0].to.app", True),
    (flow(WEB_PODS, {"app": "api", "namespace": "shop", "podLabels": {"app": "api"}}), "x.flows[0].to.podLabels",
     True),
    (flow(WEB_PODS, {"namespace": "shop", "podLabels": {"app": "api"}}), "x.flows[0].to.podLabels", False),
    (flow(WEB_PODS, {"namespace": "shop", "namespaceLabels": {"a": "b"}}), "x.flows[0].to.namespaceLabels", True),
    (flow(WEB_PODS, {"namespaceLabels": {"a": "b"}}), "x.flows[0].to.namespaceLabels", False),
    (flow(WEB_PODS, {"cidr": "10.0.0.0/8", "except": ["10.1.0.0/16"]}), "x.flows[0].to.except[0]", False),
    (flow(WEB_PODS, {"cidr": "10.0.0.0/8", "except": ["10.0.0.0/8"]}), "x.flows[0].to.except[0]", True),
    (flow(WEB_PODS, {"cidr": "10.0.0.0/8", "except": ["11.0.0.0/16"]}), "x.flows[0].to.except[0]", True),
    (flow({"fqdn": "example.com"}, API), "x.flows[0].from.fqdn", True),
    (flow(WEB_PODS, {"fqdn": "example.com"}, ["TCP/443"]), "x.flows[0].to.fqdn", False),
    # A wildcard name needs an application rule (HTTP, HTTPS); a network rule matches names exactly
    # (https://learn.microsoft.com/azure/firewall/fqdn-filtering-network-rules).
    (flow(WEB_PODS, {"fqdn": "*.example.com"}, ["TCP/443", "TCP/80"]), "x.flows[0].to.fqdn", False),
    (flow(WEB_PODS, {"fqdn": "*.example.com"}, ["TCP/5432"]), "x.flows[0].to.fqdn", True),
    (flow(WEB_PODS, {"fqdn": "*.example.com"}, ["UDP/443"]), "x.flows[0].to.fqdn", True),
    (flow(WEB_PODS, {"fqdn": "*.example.com"}), "x.flows[0].to.fqdn", True),
    (flow(WEB_PODS, {"fqdn": "db.example.com"}, ["TCP/5432"]), "x.flows[0].to.fqdn", False),
    (flow({"ingressController": True}, API), "x.flows[0].from.ingressController", False),
    (flow(WEB_PODS, {"ingressController": True}), "x.flows[0].to.ingressController", True),
    (flow(WEB_PODS, API, ["TCP/http"]), "x.flows[0].ports[0]", False),
    (flow(WEB_PODS, API, ["TCP/grpc"]), "x.flows[0].ports[0]", True),
    (flow(WEB_PODS, {"cidr": "10.0.0.0/8"}, ["TCP/http"]), "x.flows[0].ports[0]", True),
    (flow(WEB_PODS, {"fqdn": "example.com"}, ["TCP/http"]), "x.flows[0].ports[0]", True),
    (flow(WEB_PODS, {"cidr": "10.0.0.0/8"}, ["TCP/443"]), "x.flows[0].ports[0]", False),
    (flow(WEB_PODS, API, ["TCP/1"]), "x.flows[0].ports[0]", False),
    (flow(WEB_PODS, API, ["TCP/0"]), "x.flows[0].ports[0]", True),
    (flow(WEB_PODS, API, ["TCP/65535"]), "x.flows[0].ports[0]", False),
    (flow(WEB_PODS, API, ["TCP/65536"]), "x.flows[0].ports[0]", True),
    (flow(WEB_PODS, API, ["TCP/8000-8080"]), "x.flows[0].ports[0]", False),
    (flow(WEB_PODS, API, ["TCP/8080-8000"]), "x.flows[0].ports[0]", True),
    (flow(WEB_PODS, API, ["TCP/8000-65536"]), "x.flows[0].ports[0]", True),
    (flow({"cidr": "10.0.0.0/8"}, {"cidr": "172.16.0.0/12"}), "x.flows[0]", True),
    (flow({"cidr": "10.0.0.0/8"}, {"fqdn": "example.com"}, ["TCP/443"]), "x.flows[0]", True),
    (flow({"cidr": "10.0.0.0/8"}, API), "x.flows[0]", False),
    (flow(WEB_PODS, {"cidr": "10.0.0.0/8"}), "x.flows[0]", False),
    (flow(WEB_PODS, {"namespace": "kube-system"}), "x.flows[0].to.namespace", False),
    (flow(WEB_PODS, {"namespace": "payments"}), "x.flows[0].to.namespace", True),
    (flow(WEB_PODS, {"app": "db", "namespace": "shop"}), "x.flows[0].to.app", True),
    # NetworkPolicies see the port the pod listens on: api's Service port 80 is its pods' 8080. To the app
    # alone the flow's Service port is translated; to pods selected otherwise one port serves every pod,
    # so a Service port some selected app listens on elsewhere is refused, and the pods' port accepted.
    (flow(WEB_PODS, API, ["TCP/80"]), "x.flows[0].ports[0]", False),
    (flow(WEB_PODS, {"namespace": "shop"}, ["TCP/80"]), "x.flows[0].ports[0]", True),
    (flow(WEB_PODS, {"namespace": "shop"}, ["TCP/8080"]), "x.flows[0].ports[0]", False),
    (flow(WEB_PODS, {"namespace": "shop", "podLabels": {"app": "api"}}, ["TCP/80"]), "x.flows[0].ports[0]", True),
    (flow(WEB_PODS, {"namespace": "shop", "podLabels": {"app": "api"}}, ["TCP/8080"]), "x.flows[0].ports[0]",
     False),
    (flow(WEB_PODS, {"namespace": "shop"}, ["UDP/80"]), "x.flows[0].ports[0]", False),
    (flow(WEB_PODS, {"namespace": "shop"}, ["TCP/80-81"]), "x.flows[0].ports[0]", False),
])
def test_flow_reader_refuses_exactly_where_the_pages_say(entry, key, refused):
    assert (key in paths(read_kubernetes, workloads(flows=[entry]))) is refused


def test_an_fqdn_destination_is_the_internet_outside_rfc1918():
    # The internet is what RFC 1918 leaves out: https://www.rfc-editor.org/rfc/rfc1918
    spec, problems = read(read_kubernetes, workloads(flows=[flow(WEB_PODS, {"fqdn": "example.com"}, ["TCP/443"])]))
    assert problems == []
    destination = spec.workloads.flows[0].destination
    assert destination.cidr == NET("0.0.0.0/0")
    assert set(destination.except_) == {NET("10.0.0.0/8"), NET("172.16.0.0/12"), NET("192.168.0.0/16")}


# An Ingress routes to a Service port; an app without a Service (serviceType None) has none.
# https://kubernetes.io/docs/concepts/services-networking/ingress/#the-ingress-resource
# A NetworkPolicy lives in a namespace that exists, Kubernetes' own included.
@pytest.mark.parametrize("apps, section, key, refused", [
    ([APP], {"ingresses": [{"name": "i", "namespace": "shop", "host": "a.example.com",
                            "paths": [{"path": "/", "app": "api", "port": 80}]}]}, "x.ingresses[0].paths[0].port", False),
    ([app(serviceType="None")], {"ingresses": [{"name": "i", "namespace": "shop", "host": "a.example.com",
                                                "paths": [{"path": "/", "app": "api", "port": 80}]}]},
     "x.ingresses[0].paths[0].port", True),
    ([APP], {"ingresses": [{"name": "i", "namespace": "shop", "host": "a.example.com",
                            "paths": [{"path": "/", "app": "api", "port": 8080}]}]}, "x.ingresses[0].paths[0].port", True),
    ([APP], {"policies": [{"name": "p", "namespace": "kube-system", "spec": {"podSelector": {}}}]},
     "x.policies[0].namespace", False),
    ([APP], {"policies": [{"name": "p", "namespace": "payments", "spec": {"podSelector": {}}}]},
     "x.policies[0].namespace", True),
])
def test_ingress_and_policy_references_resolve(apps, section, key, refused):
    assert (key in paths(read_kubernetes, workloads(apps, **section))) is refused


@functools.cache
def _hub_file() -> dict[str, Any]:
    return dict(read_stack_file("hub/Pulumi.hub.yaml").config)


def hub_problems(subnets: dict[str, str] | None = None, address_space: list[str] | None = None,
                 firewall: dict[str, Any] | None = None, **changes: Any) -> list[str]:
    """The key paths a hub's stack file is refused at: the committed hub, its subnets, firewall and other keys
    (`network.bastion`, `landingZone.role`, `azure-native:location` ...) varied."""
    config = copy.deepcopy(_hub_file())
    network = config[f"{C}network"]
    if subnets is not None:
        network["hub"]["subnets"] = subnets
    if address_space is not None:
        network["hub"]["addressSpace"] = address_space
    if firewall is not None:
        config[f"{C}egress"]["firewall"] = {**config[f"{C}egress"]["firewall"], **firewall}
    for path, value in changes.items():
        section, _, key = path.partition(".")
        if ":" in section:
            config[section] = value
        elif key:
            config[f"{C}{section}"][key] = value
        else:
            config[f"{C}{section}"] = value
    try:
        load_hub_spec(config, "hub")
    except ConfigError as refused:
        return [p.path.removeprefix(C) for p in refused.problems]
    return []


SUBNETS = "network.hub.subnets"
HUB = {"AzureFirewallSubnet": "10.100.0.0/26", "AzureBastionSubnet": "10.100.0.64/26", "dns": "10.100.0.128/28"}
BASIC = {"sku": "Basic", "threatIntelMode": "Alert", "dnsProxy": False, "zones": []}
WIDE = ["10.100.0.0/16"]


# A hub's subnets: AzureFirewallSubnet /26 or larger; AzureFirewallManagementSubnet /26 for the Basic SKU
# only; AzureBastionSubnet /26 or larger when Bastion is deployed; the resolver's inbound subnet /28 to /24,
# only with the resolver; each inside the VNet's address space.
# https://learn.microsoft.com/azure/firewall/firewall-faq#why-does-azure-firewall-need-a--26-subnet-size,
# https://learn.microsoft.com/azure/firewall/deploy-firewall-basic-portal-policy,
# https://learn.microsoft.com/azure/bastion/configuration-settings#subnet,
# https://learn.microsoft.com/azure/dns/dns-private-resolver-overview#subnet-restrictions,
# https://learn.microsoft.com/azure/virtual-network/virtual-network-manage-subnet
@pytest.mark.parametrize("subnets, address_space, firewall, changes, key, refused", [
    (HUB, None, None, {}, SUBNETS, False),
    ({**HUB, "AzureBastionSubnet": None}, None, None, {}, f"{SUBNETS}.AzureBastionSubnet", True),
    ({k: v for k, v in HUB.items() if k != "AzureBastionSubnet"}, None, None, {"network.bastion": False},
     f"{SUBNETS}.AzureBastionSubnet", False),
    ({k: v for k, v in HUB.items() if k != "AzureBastionSubnet"}, None, None, {}, f"{SUBNETS}.AzureBastionSubnet",
     True),
    ({**HUB, "AzureBastionSubnet": "10.100.0.64/27"}, None, None, {}, f"{SUBNETS}.AzureBastionSubnet", True),
    ({**HUB, "AzureFirewallSubnet": "10.100.0.0/27"}, None, None, {}, f"{SUBNETS}.AzureFirewallSubnet", True),
    ({k: v for k, v in HUB.items() if k != "AzureFirewallSubnet"}, None, None, {}, f"{SUBNETS}.AzureFirewallSubnet",
     True),
    (HUB, None, BASIC, {}, f"{SUBNETS}.AzureFirewallManagementSubnet", True),
    ({**HUB, "AzureFirewallManagementSubnet": "10.100.0.192/26"}, None, BASIC, {},
     f"{SUBNETS}.AzureFirewallManagementSubnet", False),
    ({**HUB, "AzureFirewallManagementSubnet": "10.100.0.224/27"}, None, BASIC, {},
     f"{SUBNETS}.AzureFirewallManagementSubnet", True),
    (HUB, None, {"sku": "Standard"}, {}, f"{SUBNETS}.AzureFirewallManagementSubnet", False),
    (HUB, None, {"sku": "Premium"}, {}, f"{SUBNETS}.AzureFirewallManagementSubnet", False),
    ({k: v for k, v in HUB.items() if k != "dns"}, None, None, {}, f"{SUBNETS}.dns", True),
    ({k: v for k, v in HUB.items() if k != "dns"}, None, None, {"network.dnsResolver": False}, f"{SUBNETS}.dns",
     False),
    (HUB, None, None, {"network.dnsResolver": False}, f"{SUBNETS}.dns", True),
    ({**HUB, "dns": "10.100.0.128/29"}, None, None, {}, f"{SUBNETS}.dns", True),
    ({**HUB, "dns": "10.100.1.0/24"}, WIDE, None, {}, f"{SUBNETS}.dns", False),
    ({**HUB, "dns": "10.100.2.0/23"}, WIDE, None, {}, f"{SUBNETS}.dns", True),
    ({**HUB, "GatewaySubnet": "10.100.3.0/26"}, ["10.100.0.0/24", "10.100.3.0/24"], None, {},
     f"{SUBNETS}.GatewaySubnet", False),
    ({**HUB, "GatewaySubnet": "10.100.2.0/23"}, ["10.100.0.0/24", "10.100.3.0/24"], None, {},
     f"{SUBNETS}.GatewaySubnet", True),
    ({**HUB, "GatewaySubnet": "10.100.0.192/26"}, None, None, {}, f"{SUBNETS}.GatewaySubnet", False),
    ({**HUB, "GatewaySubnet": "10.100.0.128/26"}, None, None, {}, f"{SUBNETS}.GatewaySubnet", True),  # overlaps dns
])
def test_hub_subnets_are_refused_exactly_where_the_pages_say(subnets, address_space, firewall, changes, key, refused):
    subnets = {k: v for k, v in subnets.items() if v is not None}
    found = hub_problems(subnets, address_space, firewall, **changes)
    assert (key in found if key != SUBNETS else bool(found)) is refused, found


# A hub stack builds a hub: another role, another section, or zones in a region without them is refused.
# https://learn.microsoft.com/azure/reliability/regions-list
@pytest.mark.parametrize("firewall, changes, key, refused", [
    (None, {}, "landingZone.role", False),
    (None, {"landingZone.role": "combined"}, "landingZone.role", True),
    (None, {"landingZone.role": "spoke", "landingZone.hub": HUB_STACK}, "landingZone.role", True),
    (None, {"azure-native:location": "francesouth"}, "egress.firewall.zones", True),
    ({"zones": []}, {"azure-native:location": "francesouth"}, "egress.firewall.zones", False),
    (None, {"azure-native:location": "westeurope"}, "egress.firewall.zones", False),
    (None, {"cluster": {"networkPlugin": "azure"}}, "cluster", True),
    (None, {"azure-native:subscriptionId": "00000000-0000-0000-0000-000000000000"}, "azure-native:subscriptionId",
     False),
    ({"sku": "Basic"}, {}, "egress.firewall.threatIntelMode", True),
])
def test_hub_stack_is_refused_exactly_where_the_pages_say(firewall, changes, key, refused):
    assert (key in hub_problems(firewall=firewall, **changes)) is refused


# A resolver's inbound endpoint's subnet: /28 to /24, and only with a resolver.
# https://learn.microsoft.com/azure/dns/dns-private-resolver-overview#subnet-restrictions
@pytest.mark.parametrize("subnet, resolver, count", [
    (None, False, 0), (None, True, 0), ("10.0.0.0/28", False, 1), ("10.0.0.0/28", True, 0),
    ("10.0.0.0/24", True, 0), ("10.0.0.0/23", True, 1), ("10.0.0.0/23", False, 2),
])
def test_resolver_subnet_refusals(subnet, resolver, count):
    assert len(resolver_subnet_refusals(NET(subnet) if subnet else None, resolver)) == count


SPOKE = {"addressSpace": ["10.1.0.0/16"], "subnets": {"nodes": "10.1.0.0/22"}}


# Without a hub the one VNet holds the firewall's and Bastion's fixed-name subnets; with a hub they are the
# hub's, and the spoke takes role subnets alone. Every spoke has its nodes' subnet.
@pytest.mark.parametrize("section, key, refused", [
    ({"spoke": {**SPOKE, "subnets": {"nodes": "10.1.0.0/22", "AzureFirewallSubnet": "10.1.4.0/26"}}},
     "x.spoke.subnets.AzureFirewallSubnet", False),
    ({"hub": {"addressSpace": ["10.0.0.0/24"], "subnets": {"AzureFirewallSubnet": "10.0.0.0/26"}},
      "spoke": {**SPOKE, "subnets": {"nodes": "10.1.0.0/22", "AzureFirewallSubnet": "10.1.4.0/26"}}},
     "x.spoke.subnets.AzureFirewallSubnet", True),
    ({"spoke": {**SPOKE, "subnets": {"ilb": "10.1.4.0/24"}}}, "x.spoke.subnets.nodes", True),
    ({"spoke": SPOKE}, "x.spoke.subnets.nodes", False),
])
def test_spoke_subnets_are_refused_exactly_where_the_design_says(section, key, refused):
    assert (key in paths(read_network, section, False)) is refused


# Bastion is how a private cluster's API server is reached; it follows `cluster.private` unless set.
@pytest.mark.parametrize("private, given, bastion", [
    (True, None, True), (False, None, False), (False, True, True), (True, False, False),
])
def test_bastion_follows_a_private_api_server_by_default(private, given, bastion):
    section = {"spoke": SPOKE, **({"bastion": given} if given is not None else {})}
    assert read(read_network, section, private)[0].bastion is bastion


def firewall_problems(firewall: dict[str, Any]) -> tuple[Any, list[str]]:
    spec, found = read(read_egress, {"firewall": firewall})
    return spec.firewall, found


RULE = {"name": "ntp", "protocols": ["UDP"], "destinationAddresses": ["AzureCloud.westeurope"], "ports": ["123"]}


# Azure Firewall rules: a destination port is `*`, 1-65535 or a range low-high; a network rule names
# addresses, service tags or FQDNs; DNAT translates TCP or UDP; a firewall takes up to 250 public IPs.
# https://learn.microsoft.com/azure/firewall/rule-processing, https://learn.microsoft.com/azure/firewall/features#multiple-public-ip-addresses,
# https://learn.microsoft.com/azure/firewall/tutorial-firewall-dnat
@pytest.mark.parametrize("firewall, key, refused", [
    ({"networkRules": [RULE]}, "x.firewall.networkRules[0]", False),
    ({"networkRules": [{**RULE, "destinationAddresses": []}]}, "x.firewall.networkRules[0]", True),
    ({"networkRules": [{k: v for k, v in RULE.items() if k != "destinationAddresses"}]},
     "x.firewall.networkRules[0]", True),
    ({"networkRules": [{**RULE, "destinationAddresses": [], "destinationFqdns": ["ntp.ubuntu.com"]}]},
     "x.firewall.networkRules[0]", False),
    # A network rule matches names exactly, no wildcards
    # (https://learn.microsoft.com/azure/firewall/fqdn-filtering-network-rules).
    ({"networkRules": [{**RULE, "destinationAddresses": [], "destinationFqdns": ["*.ubuntu.com"]}]},
     "x.firewall.networkRules[0].destinationFqdns[0]", True),
    ({"networkRules": [{**RULE, "destinationAddresses": [], "destinationFqdns": ["*"]}]},
     "x.firewall.networkRules[0].destinationFqdns[0]", True),
    *[({"networkRules": [{**RULE, "ports": [port]}]}, "x.firewall.networkRules[0].ports[0]", refused)
      for port, refused in (("1", False), ("0", True), ("65535", False), ("65536", True), ("8000-8080", False),
                            ("8080-8000", True), ("0-80", True), ("*", False))],
    ({"publicIpCount": 250}, "x.firewall.publicIpCount", False),
    ({"publicIpCount": 251}, "x.firewall.publicIpCount", True),
    ({"dnatRules": [{"name": "d", "protocol": "UDP", "port": 53, "translatedAddress": "10.1.0.4",
                     "translatedPort": 53}]}, "x.firewall.dnatRules[0].protocol", False),
    ({"dnatRules": [{"name": "d", "protocol": "ICMP", "port": 53, "translatedAddress": "10.1.0.4",
                     "translatedPort": 53}]}, "x.firewall.dnatRules[0].protocol", True),
    ({"dnatRules": [{"name": "d", "protocol": "Any", "port": 53, "translatedAddress": "10.1.0.4",
                     "translatedPort": 53}]}, "x.firewall.dnatRules[0].protocol", True),
])
def test_firewall_reader_refuses_exactly_where_the_pages_say(firewall, key, refused):
    assert (key in firewall_problems(firewall)[1]) is refused


# The Basic SKU: threat intelligence in alert mode only, no DNS proxy; Standard and Premium have both.
# https://learn.microsoft.com/azure/firewall/basic-features, https://learn.microsoft.com/azure/firewall/choose-firewall-sku
@pytest.mark.parametrize("firewall, keys", [
    ({"sku": "Basic", "threatIntelMode": "Deny", "dnsProxy": False}, ["egress.firewall.threatIntelMode"]),
    ({"sku": "Basic", "threatIntelMode": "Alert", "dnsProxy": False}, []),
    ({"sku": "Basic", "threatIntelMode": "Alert", "dnsProxy": True}, ["egress.firewall.dnsProxy"]),
    ({"sku": "Basic"}, []),  # its defaults are what Basic has
    ({"sku": "Standard", "threatIntelMode": "Deny", "dnsProxy": True}, []),
    ({"sku": "Premium", "threatIntelMode": "Deny", "dnsProxy": True}, []),
    ({"sku": "Standard"}, []),
])
def test_basic_sku_refusals_name_what_basic_lacks(firewall, keys):
    spec, found = firewall_problems(firewall)
    assert found == [] and [key for key, _ in basic_sku_refusals(spec)] == keys


@pytest.mark.parametrize("sku, threat_intel, dns_proxy", [
    ("Basic", "Alert", False), ("Standard", "Deny", True), ("Premium", "Deny", True),
])
def test_firewall_defaults_are_the_strongest_its_sku_has(sku, threat_intel, dns_proxy):
    spec = firewall_problems({"sku": sku})[0]
    assert (spec.threat_intel_mode, spec.dns_proxy) == (threat_intel, dns_proxy)


# An image reference (distribution/reference): the repository name at most 255 characters, a tag at most
# 128 ([\w][\w.-]{0,127}), a digest's hex at least 32 characters. https://github.com/distribution/reference/blob/main/regexp.go
@pytest.mark.parametrize("image, refused", [
    ("registry.example.com/" + "a" * (255 - len("registry.example.com/")) + ":1", False),
    ("registry.example.com/" + "a" * (256 - len("registry.example.com/")) + ":1", True),
    ("shop/api:" + "t" * 128, False),
    ("shop/api:" + "t" * 129, True),
    ("shop/api@sha256:" + "a" * 32, False),
    ("shop/api@sha256:" + "a" * 31, True),
    ("shop/API:1", True),
    ("registry.example.com:5000/shop/api:1", False),
])
def test_image_references_follow_the_distribution_grammar(image, refused):
    assert (reference_problem(image) is not None) is refused
