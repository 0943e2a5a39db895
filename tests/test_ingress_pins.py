"""The ingress surface's facts pinned row by row (issue 27): App Gateway, WAF, AGC, Envoy Gateway, Gateway API.

A line-by-line sweep of aksnet/config/ingress_controllers.py, aksnet/rules/ingress.py,
aksnet/rules/design/ingress.py, aksnet/plan/gateway_api.py, aksnet/plan/manifests.py,
aksnet/analysis/paths/inbound.py and the ingress components made one realistic wrong variant of each
fact; the rows below hold those no behavioural test caught. Expected values come from the page beside
each row, never from running our code. Pure: the readers, the rules and the planners; no program run.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from typing import Any

import pytest

from aksnet.config.problems import ConfigError
from aksnet.config.stack import load_spec
from aksnet.rules.registry import spec_verdicts
from tests.pinned_day import PINNED_DAY
from tests.stacks import DELETE, example, load, variant

NS = "aks-networking:"
_DROP = "<delete>"


def _config(stack: str, changes: dict[str, Any]) -> dict[str, Any]:
    base = example(stack) if stack == "agc" else load(stack)
    return variant(base, {k if ":" in k else f"{NS}{k}": DELETE if v == _DROP else v for k, v in changes.items()})


@functools.cache
def _verdicts(stack: str, changes: str) -> tuple[tuple[str, str, str], ...]:
    config = _config(stack, json.loads(changes))
    try:
        spec = load_spec(config, stack)
    except ConfigError as refused:
        return tuple((p.path.removeprefix(NS), p.message, "mandatory") for p in refused.problems)
    verdicts = spec_verdicts(spec, PINNED_DAY)
    return tuple((p.path.removeprefix(NS), p.message, verdicts.levels[rule_id])
                 for rule_id, problems in verdicts.found.items() for p in problems)


def refused(stack: str, changes: dict[str, Any], level: str = "mandatory") -> dict[str, list[str]]:
    """Key path to the messages of every refusal (the readers', else the rules') of the stack varied by key
    path, judged on the pinned day: the mandatory ones, or those of `level`."""
    out: dict[str, list[str]] = {}
    for path, message, found_level in _verdicts(stack, json.dumps(changes, sort_keys=True)):
        if found_level == level:
            out.setdefault(path, []).append(message)
    return out


# ---------------------------------------------------------------------------------------------------
# Remedies: a refusal that suggests a value must suggest one that is itself accepted there.
# The application routing add-on's NGINX got critical patches through November 2026 only
# (https://learn.microsoft.com/azure/aks/app-routing-nginx-to-gateway-api-migration), so since
# 2026-12-01 a production stack choosing nginx is refused: a remedy that says "use nginx" sends the user
# from one refusal to the next. Each row: (stack, changes, key refused, pattern whose groups are the
# suggestion, the suggestion written back as changes (into the stack `__stack__` names, else the same),
# the keys that must then not be refused, source).
Remedy = tuple[str, dict[str, Any], str, str, Callable[..., dict[str, Any]], tuple[str, ...], str]
PROD_NOT_PRODUCTION = {"environment.production": False}
REMEDIES: dict[str, Remedy] = {
    # AGIC reaches CNI Overlay pods everywhere but Azure Government.
    "AGIC on Overlay in Azure Government: another controller": (
        "prod", {"azure-native:location": "usgovvirginia"}, "ingress.controller", r"use (\w+), or Azure CNI",
        lambda controller: {"azure-native:location": "usgovvirginia", "ingress.controller": controller,
                            "ingress.appGateway": _DROP},
        ("ingress.controller",),
        "https://learn.microsoft.com/azure/application-gateway/ingress-controller-overview"
        "#container-networking-and-agic"),
    "AGIC on Overlay in Azure Government: Azure CNI without Overlay": (
        "prod", {"azure-native:location": "usgovvirginia"}, "ingress.controller", r"or (Azure CNI) without Overlay",
        lambda _: {"azure-native:location": "usgovvirginia", "cluster.networkPluginMode": _DROP,
                   "cluster.podCidr": _DROP},
        ("ingress.controller",),
        "https://learn.microsoft.com/azure/application-gateway/ingress-controller-overview"
        "#container-networking-and-agic"),
    # A v2 gateway's subnet takes no 0.0.0.0/0 to a virtual appliance, which kubenet's route table carries
    # there under userDefinedRouting.
    "AGIC on kubenet with UDR: another controller": (
        "prod", {"cluster.networkPlugin": "kubenet", "cluster.networkPluginMode": _DROP,
                 "cluster.networkDataplane": _DROP, "cluster.networkPolicy": "calico"},
        "ingress.controller", r"use Azure CNI, or (\w+)",
        lambda controller: {"cluster.networkPlugin": "kubenet", "cluster.networkPluginMode": _DROP,
                            "cluster.networkDataplane": _DROP, "cluster.networkPolicy": "calico",
                            "ingress.controller": controller, "ingress.appGateway": _DROP},
        ("ingress.controller",),
        "https://learn.microsoft.com/azure/application-gateway/configuration-infrastructure"),
    # AGC does not support kubenet; Envoy Gateway runs on any plugin (dev runs it on kubenet).
    "AGC on kubenet: keep kubenet with another controller": (
        "dev", {"ingress.controller": "agc", "network.spoke.subnets.agc": "192.168.3.0/24"}, "ingress.controller",
        r"keep kubenet with (\w+)", lambda controller: {"ingress.controller": controller},
        ("ingress.controller",),
        "https://learn.microsoft.com/azure/application-gateway/for-containers/container-networking"),
    "AGC on kubenet: move to CNI Overlay": (
        "dev", {"ingress.controller": "agc", "network.spoke.subnets.agc": "192.168.3.0/24"}, "ingress.controller",
        r"cluster\.networkPlugin (\w+), networkPluginMode (\w+)",
        lambda plugin, mode: {"ingress.controller": "agc", "network.spoke.subnets.agc": "192.168.3.0/24",
                              "cluster.networkPlugin": plugin, "cluster.networkPluginMode": mode,
                              "cluster.networkPolicy": "cilium", "cluster.networkDataplane": "cilium"},
        ("ingress.controller", "cluster.networkPlugin", "cluster.networkPluginMode"),
        "https://learn.microsoft.com/azure/application-gateway/for-containers/container-networking"),
    # AGC's WAF is in preview; Application Gateway's WAF_v2 is GA.
    "AGC WAF in production: the gateway's SKU": (
        "agc", {"environment.production": True, "ingress.agc": {"wafPolicyId": (
            "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Network/"
            "ApplicationGatewayWebApplicationFirewallPolicies/waf")}},
        "ingress.agc.wafPolicyId", r"use appgw with (\w+)",
        lambda sku: {"__stack__": "prod", "ingress.appGateway.sku": sku},
        ("ingress.appGateway.sku",),
        "https://learn.microsoft.com/azure/application-gateway/for-containers/web-application-firewall"),
    # Only WAF_v2 has a web application firewall; AGIC takes Standard_v2 and WAF_v2 only.
    "Standard_v2 in production: the SKU with a WAF": (
        "prod", {"ingress.appGateway.sku": "Standard_v2"}, "ingress.appGateway.sku", r"needs (\S+)$",
        lambda sku: {"ingress.appGateway.sku": sku}, ("ingress.appGateway.sku",),
        "https://learn.microsoft.com/azure/web-application-firewall/ag/ag-overview"),
    "WAF in Detection in production: the blocking mode": (
        "prod", {"ingress.appGateway.wafMode": "Detection"}, "ingress.appGateway.wafMode", r"needs (\w+)$",
        lambda mode: {"ingress.appGateway.wafMode": mode}, ("ingress.appGateway.wafMode",),
        "https://learn.microsoft.com/azure/web-application-firewall/ag/ag-overview"),
}


@pytest.mark.parametrize("name", REMEDIES)
def test_a_suggested_remedy_is_accepted_where_it_is_written_back(name: str) -> None:
    stack, changes, key, pattern, write_back, keys, _source = REMEDIES[name]
    messages = refused(stack, changes).get(key, [])
    match = next((m for m in (re.search(pattern, message) for message in messages) if m), None)
    assert match, (key, messages)
    back = write_back(*match.groups())
    after = refused(back.pop("__stack__", stack), back)
    assert not {k: after[k] for k in keys if k in after}, after



# An advisory finding's suggestion, written back, silences it: AGC with CNI Overlay is in preview, AGC with
# Azure CNI (flat, pods on the VNet) is generally available.
# https://learn.microsoft.com/azure/application-gateway/for-containers/container-networking
def test_agc_overlay_preview_finding_suggests_the_generally_available_plugin_mode() -> None:
    messages = refused("agc", {}, "advisory")["cluster.networkPluginMode"]
    match = re.search(r"(Azure CNI(?: Overlay)?)(?: without Overlay)? is GA", messages[0])
    assert match and match.group(0) == "Azure CNI without Overlay is GA", messages
    flat = {"cluster.networkPluginMode": _DROP, "cluster.podCidr": _DROP, "network.spoke.subnets.pods": "10.240.16.0/20"}
    assert "cluster.networkPluginMode" not in refused("agc", flat, "advisory")
    assert not refused("agc", flat)


# Envoy Gateway v1.9 supports Kubernetes 1.33 to 1.36 (https://gateway.envoyproxy.io/news/releases/matrix/):
# a production stack on 1.37 with it is refused; a development one is told.
ENVOY_ON_PROD = {"ingress.controller": "envoyGateway", "ingress.appGateway": _DROP, "tls": _DROP,
                 "kubernetes.ingresses[0].tlsSecret": _DROP, "cluster.kubernetesVersion": "1.37"}


@pytest.mark.parametrize("production,level", [(True, "mandatory"), (False, "advisory")])
def test_envoy_gateway_on_a_minor_it_does_not_support(production: bool, level: str) -> None:
    found = refused("prod", {**ENVOY_ON_PROD, "environment.production": production}, level)
    assert any("1.33" in m and "1.36" in m for m in found.get("cluster.kubernetesVersion", [])), found


# Each controller a refusal lists as a choice is one the stack may choose today: written into prod (its
# gateway block and TLS dropped, which only appgw uses), none is refused at ingress.controller.
# The controllers: https://learn.microsoft.com/azure/aks/app-routing-nginx-to-gateway-api-migration
NO_CONTROLLER = ("prod", {"ingress.controller": "none", "ingress.appGateway": _DROP, "tls": _DROP,
                          "kubernetes.ingresses[0].tlsSecret": _DROP})


INGRESS_FLOW = {"name": "proxies-to-web", "from": {"ingressController": True},
                "to": {"app": "web", "namespace": "shop"}, "ports": ["TCP/http"]}


@pytest.mark.parametrize("key,pattern", [
    ("kubernetes.ingresses", r"set ingress\.controller to (.+)$"),
    ("kubernetes.flows[3].from.ingressController", r"set one \((.+?)\)"),
])
def test_each_controller_a_refusal_offers_is_accepted(key: str, pattern: str) -> None:
    stack, changes = NO_CONTROLLER
    changes = {**changes, "kubernetes.flows[3]": INGRESS_FLOW}
    messages = refused(stack, changes)[key]
    match = re.search(pattern, messages[0])
    assert match, messages
    offered = re.split(r", | or ", match.group(1))
    assert "envoyGateway" in offered, offered
    for controller in offered:
        after = refused(stack, {**changes, "ingress.controller": controller})
        assert "ingress.controller" not in after, (controller, after)


# ---------------------------------------------------------------------------------------------------
# What the plan sends to Kubernetes and Flux for the Gateway API controllers.
AGC_WAF_POLICY = ("/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Network/"
                  "ApplicationGatewayWebApplicationFirewallPolicies/waf")


@functools.cache
def _spec(stack: str, changes: str) -> Any:
    return load_spec(_config(stack, json.loads(changes)), stack)


def spec_of(stack: str, changes: dict[str, Any] | None = None) -> Any:
    return _spec(stack, json.dumps(changes or {}, sort_keys=True))


def _agc_with_waf() -> Any:
    return spec_of("agc", {"ingress.agc": {"wafPolicyId": AGC_WAF_POLICY}})


def test_agc_waf_policy_object_targets_the_gateway_as_the_custom_resource_reads_it() -> None:
    """https://learn.microsoft.com/azure/application-gateway/for-containers/web-application-firewall: a
    WebApplicationFirewallPolicy (alb.networking.azure.io/v1) targets a Gateway of gateway.networking.k8s.io
    by name and namespace, and names the Azure WAF policy by its resource id."""
    from aksnet.plan.gateway_api import gateway_objects
    spec = _agc_with_waf()
    objects = [o for _, o in gateway_objects(spec)]
    gateways = {(o["metadata"]["namespace"], o["metadata"]["name"]) for o in objects if o["kind"] == "Gateway"}
    policies = [o for o in objects if o["kind"] == "WebApplicationFirewallPolicy"]
    assert gateways and len(policies) == len(gateways)
    for policy in policies:
        assert policy["apiVersion"] == "alb.networking.azure.io/v1"
        target = policy["spec"]["targetRef"]
        assert (target["group"], target["kind"]) == ("gateway.networking.k8s.io", "Gateway")
        assert (target["namespace"], target["name"]) in gateways
        assert policy["metadata"]["namespace"] == target["namespace"]
        assert policy["spec"]["webApplicationFirewall"] == {"id": AGC_WAF_POLICY}


def test_agc_gateway_names_its_resource_and_frontend_as_the_byo_deployment_does() -> None:
    """https://learn.microsoft.com/azure/application-gateway/for-containers/quickstart-create-application-gateway-for-containers-byo-deployment:
    a bring-your-own Gateway carries the annotation alb.networking.azure.io/alb-id (the AGC resource id) and an
    address of type alb.networking.azure.io/alb-frontend naming a frontend; its class is azure-alb-external."""
    from aksnet.plan.gateway_api import gateway_objects
    gateways = [o for _, o in gateway_objects(_agc_with_waf()) if o["kind"] == "Gateway"]
    assert gateways
    for gateway in gateways:
        assert gateway["spec"]["gatewayClassName"] == "azure-alb-external"
        assert list(gateway["metadata"]["annotations"]) == ["alb.networking.azure.io/alb-id"]
        assert [a["type"] for a in gateway["spec"]["addresses"]] == ["alb.networking.azure.io/alb-frontend"]


def test_alb_controller_chart_values_name_its_namespace_and_workload_identity_client() -> None:
    """https://learn.microsoft.com/azure/application-gateway/for-containers/quickstart-deploy-application-gateway-for-containers-alb-controller-helm:
    `helm install alb-controller oci://mcr.microsoft.com/application-lb/charts/alb-controller` with
    `--set albController.namespace=azure-alb-system --set albController.podIdentity.clientID=<identity>`;
    the controller's service account is alb-controller-sa."""
    from aksnet.config.ingress_controllers import ALB_SERVICE_ACCOUNT
    from aksnet.plan.gateway_api import chart_release
    release = chart_release(_agc_with_waf())
    assert release is not None
    chart = release.controller.chart
    assert chart.reference == "oci://mcr.microsoft.com/application-lb/charts/alb-controller"
    assert release.controller.controller_namespace == "azure-alb-system"
    values = release.values["albController"]
    assert values["namespace"] == "azure-alb-system"
    assert set(values["podIdentity"]) == {"clientID"}
    assert ALB_SERVICE_ACCOUNT == "alb-controller-sa"


@pytest.mark.parametrize("stack", ["agc", "dev"])
def test_flux_installs_the_pinned_chart_from_an_oci_repository_with_its_crds(stack: str) -> None:
    """https://fluxcd.io/flux/components/source/helmrepositories/#helm-oci-repository: an OCI chart source is
    a HelmRepository (source.toolkit.fluxcd.io/v1) of `type: oci`.
    https://fluxcd.io/flux/components/helm/helmreleases/#crds: HelmRelease (helm.toolkit.fluxcd.io/v2) installs
    CRDs with `Create` and, on upgrade, skips them unless `CreateReplace` is set."""
    from aksnet.plan.gateway_api import chart_release, flux_chart_objects
    release = chart_release(spec_of(stack))
    assert release is not None
    repository, helm_release = flux_chart_objects(release)
    assert (repository["apiVersion"], repository["kind"]) == ("source.toolkit.fluxcd.io/v1", "HelmRepository")
    assert repository["spec"]["type"] == "oci"
    assert repository["spec"]["url"].startswith("oci://")
    assert (helm_release["apiVersion"], helm_release["kind"]) == ("helm.toolkit.fluxcd.io/v2", "HelmRelease")
    spec = helm_release["spec"]
    assert spec["install"]["crds"] == "Create" and spec["upgrade"]["crds"] == "CreateReplace"
    assert spec["install"]["createNamespace"] is True
    assert spec["chart"]["spec"]["sourceRef"] == {"kind": "HelmRepository", "name": repository["metadata"]["name"],
                                                  "namespace": repository["metadata"]["namespace"]}


# The Gateway API release each controller implements: the CRD schemas its objects are held to.
# Envoy Gateway v1.9: Gateway API v1.6.1 (https://gateway.envoyproxy.io/news/releases/matrix/);
# ALB Controller 1.12.1: Gateway API v1.5.1
# (https://learn.microsoft.com/azure/application-gateway/for-containers/alb-controller-release-notes).
@pytest.mark.parametrize("key,bundle", [("envoyGateway", "v1.6.1"), ("agc", "v1.5.1")])
def test_each_controller_is_held_to_the_gateway_api_release_it_ships(key: str, bundle: str) -> None:
    from aksnet.config.ingress_controllers import GATEWAY_CONTROLLERS
    assert GATEWAY_CONTROLLERS[key].gateway_api_bundle == bundle


def test_agc_traffic_reaches_the_pods_from_its_association_subnet() -> None:
    """https://learn.microsoft.com/azure/application-gateway/for-containers/container-networking: AGC's proxies
    run in Azure, in the subnet of its association, and reach the pods directly, so the apps' policies admit
    that subnet (no in-cluster proxy namespace)."""
    from aksnet.plan.gateway_api import controller_source
    spec = spec_of("agc")
    source = controller_source(spec)
    assert source is not None and source.namespace is None
    assert source.cidr == spec.network.spoke.subnets["agc"]


def test_agic_traffic_reaches_the_pods_from_the_gateway_subnet() -> None:
    """https://learn.microsoft.com/azure/application-gateway/ingress-controller-overview: the application gateway
    sends to the pod IPs from its own subnet."""
    from aksnet.plan.manifests import ingress_controller
    spec = spec_of("prod")
    source = ingress_controller(spec)
    assert source is not None and source.cidr == spec.network.spoke.subnets["appgw"]


# Where each controller's chart and images come from, which a firewalled cluster must let in.
# Envoy Gateway: the chart oci://docker.io/envoyproxy/gateway-helm, the images docker.io/envoyproxy/gateway and
# docker.io/envoyproxy/envoy (https://gateway.envoyproxy.io/docs/install/install-helm/). The ALB Controller:
# mcr.microsoft.com (its chart's `albController.image.registry`,
# https://learn.microsoft.com/azure/application-gateway/for-containers/alb-controller-helm-chart), which the
# AzureKubernetesService FQDN tag already allows
# (https://learn.microsoft.com/azure/aks/outbound-rules-control-egress).
@pytest.mark.parametrize("stack,changes,registries", [
    ("prod", {k: v for k, v in ENVOY_ON_PROD.items() if k != "cluster.kubernetesVersion"}, ("docker.io",)),
    ("agc", {}, ()),
])
def test_a_firewalled_stack_lets_in_the_registry_its_controller_pulls_from(
        stack: str, changes: dict[str, Any], registries: tuple[str, ...]) -> None:
    from aksnet.plan.gateway_api import gateway_controller
    from aksnet.plan.manifests import controller_registries
    spec = spec_of(stack, changes)
    assert controller_registries(spec) == registries
    controller = gateway_controller(spec)
    assert controller is not None
    assert controller.chart.repository.removeprefix("oci://").split("/")[0] == controller.image_registry
