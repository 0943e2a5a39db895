"""Refusals and findings of the Gateway API controllers (Envoy Gateway, Application Gateway for
Containers): one rule each, with the document that forces it. Pure, no Pulumi.
Why these controllers: docs/ingress.md."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from aksnet.config.ingress_controllers import (
    AGC_FREE_ADDRESSES,
    AGC_OVERLAY_PREVIEW,
    AGC_SUBNET_PREFIX,
    AGC_WAF_PREVIEW,
    GATEWAY_CONTROLLERS,
)
from aksnet.config.problems import Problem
from aksnet.config.stack import StackConfig
from aksnet.rules.rule import Rule, RuleBook
from aksnet.vocabulary import AZURE_RESERVED_PER_SUBNET

AGC_NETWORKING = "https://learn.microsoft.com/azure/application-gateway/for-containers/container-networking"
AGC_BYO = ("https://learn.microsoft.com/azure/application-gateway/for-containers/"
           "quickstart-create-application-gateway-for-containers-byo-deployment")
ALB_HELM = ("https://learn.microsoft.com/azure/application-gateway/for-containers/"
            "quickstart-deploy-application-gateway-for-containers-alb-controller-helm")
ENVOY_MATRIX = "https://gateway.envoyproxy.io/news/releases/matrix/"
ENVOY_KUBERNETES = ("1.33", "1.34", "1.35", "1.36")
"""Kubernetes minors Envoy Gateway v1.9 supports: ENVOY_MATRIX."""
ALB_MIN_KUBERNETES = "1.32"
"""ALB Controller 1.12.1's minimum: https://learn.microsoft.com/azure/application-gateway/for-containers/alb-controller-release-notes"""

book = RuleBook()


def _agc(spec: StackConfig) -> bool:
    return spec.ingress.controller == "agc"


def _minor(version: str | None) -> tuple[int, int] | None:
    if not version:
        return None
    major, minor = version.split(".")[:2]
    return int(major), int(minor)


@book.refusal("agc-needs-azure-cni", "Application Gateway for Containers runs with Azure CNI or CNI Overlay only.",
              AGC_NETWORKING)
def agc_needs_azure_cni(spec: StackConfig) -> Iterator[Problem]:
    plugin = spec.cluster.network_plugin
    if _agc(spec) and plugin == "kubenet":
        yield Problem.at("ingress.controller", "agc: Application Gateway for Containers does not support kubenet; "
                         "move the cluster to Azure CNI Overlay (cluster.networkPlugin azure, networkPluginMode "
                         "overlay), or keep kubenet with envoyGateway")
    elif _agc(spec) and plugin == "none":
        yield Problem.at("ingress.controller", "agc: Application Gateway for Containers needs Azure CNI or CNI "
                         "Overlay, not a cluster without a network plugin")


@book.refusal("agc-subnet", "AGC's subnet: declared, a /24 or larger (250 free addresses), exactly a /24 with "
              "CNI Overlay, and only with agc.", AGC_NETWORKING)
def agc_subnet(spec: StackConfig) -> Iterator[Problem]:
    subnet = spec.network.spoke.subnets.get("agc")
    key = "network.spoke.subnets.agc"
    if not _agc(spec):
        if subnet is not None:
            yield Problem.at(key, f"is delegated to Application Gateway for Containers, but ingress.controller is "
                             f"{spec.ingress.controller}; set controller agc or remove the subnet")
        return
    if subnet is None:
        yield Problem.at(key, "is missing: agc needs a subnet of its own, a /24, delegated to "
                         "Microsoft.ServiceNetworking/trafficControllers (the program delegates it)")
        return
    overlay = spec.cluster.network_plugin_mode == "overlay"
    free = subnet.num_addresses - AZURE_RESERVED_PER_SUBNET
    if overlay and subnet.prefixlen != AGC_SUBNET_PREFIX:
        yield Problem.at(key, f"is {subnet}; with CNI Overlay, Application Gateway for Containers needs exactly a "
                         f"/{AGC_SUBNET_PREFIX}, no larger and no smaller")
    elif free < AGC_FREE_ADDRESSES:
        yield Problem.at(key, f"is {subnet} ({free} usable addresses); Application Gateway for Containers needs "
                         f"at least {AGC_FREE_ADDRESSES} free: a /{AGC_SUBNET_PREFIX} or larger")


@book.refusal("agc-needs-workload-identity", "The ALB Controller authenticates with workload identity.", ALB_HELM)
def agc_needs_workload_identity(spec: StackConfig) -> Iterator[Problem]:
    if _agc(spec) and not spec.cluster.workload_identity:
        yield Problem.at("cluster.workloadIdentity", "is off, but agc's ALB Controller authenticates as its "
                         "managed identity through workload identity; set it true")


@book.refusal("agc-waf-generally-available", "WAF on Application Gateway for Containers is in preview: not in "
              "production.", AGC_WAF_PREVIEW, production="mandatory", development="advisory")
def agc_waf_generally_available(spec: StackConfig) -> Iterator[Problem]:
    agc = spec.ingress.agc
    if _agc(spec) and agc is not None and agc.waf_policy_id is not None:
        yield Problem.at("ingress.agc.wafPolicyId", "WAF on Application Gateway for Containers is in preview "
                         f"({AGC_WAF_PREVIEW}, checked 2026-12-07), without an SLA; a production stack takes "
                         "only generally available features: remove it, or use appgw with WAF_v2")


@book.refusal("agc-overlay-preview", "AGC with CNI Overlay is in preview.", AGC_OVERLAY_PREVIEW,
              production="advisory", development="advisory")
def agc_overlay_preview(spec: StackConfig) -> Iterator[Problem]:
    if _agc(spec) and spec.cluster.network_plugin_mode == "overlay":
        yield Problem.at("cluster.networkPluginMode", "Application Gateway for Containers with CNI Overlay is in "
                         f"preview ({AGC_OVERLAY_PREVIEW}, checked 2026-12-07); Azure CNI without Overlay is GA")


@book.refusal("gateway-controller-supports-kubernetes", "The pinned Gateway API controller supports the cluster's "
              "Kubernetes minor.", ENVOY_MATRIX, production="mandatory", development="advisory")
def gateway_controller_supports_kubernetes(spec: StackConfig) -> Iterator[Problem]:
    minor = _minor(spec.cluster.kubernetes_version)
    if minor is None:
        return
    version = f"{minor[0]}.{minor[1]}"
    if spec.ingress.controller == "envoyGateway" and version not in ENVOY_KUBERNETES:
        yield Problem.at("cluster.kubernetesVersion", f"is {version}; Envoy Gateway "
                         f"{GATEWAY_CONTROLLERS['envoyGateway'].chart.version} supports Kubernetes "
                         f"{', '.join(ENVOY_KUBERNETES)} ({ENVOY_MATRIX})")
    if _agc(spec) and minor < _minor(ALB_MIN_KUBERNETES):  # type: ignore[operator]
        yield Problem.at("cluster.kubernetesVersion", f"is {version}; ALB Controller "
                         f"{GATEWAY_CONTROLLERS['agc'].chart.version} needs Kubernetes {ALB_MIN_KUBERNETES} or later")


def _support_end(spec: StackConfig) -> tuple[str, datetime.date, str] | None:
    controller = GATEWAY_CONTROLLERS.get(spec.ingress.controller)
    if controller is None or controller.end_of_life is None:
        return None
    return (f"{controller.title} {controller.chart.version}", datetime.date.fromisoformat(controller.end_of_life),
            controller.end_of_life_source or "")


@book.dated_refusal("gateway-controller-end-of-life", "The pinned Gateway API controller is within its support.",
                    ENVOY_MATRIX, production="mandatory", development="advisory")
def gateway_controller_end_of_life(spec: StackConfig, today: datetime.date) -> Iterator[Problem]:
    end = _support_end(spec)
    if end is not None and today > end[1]:
        yield Problem.at("ingress.controller", f"{end[0]} reached its end of life on {end[1]} ({end[2]}); move the "
                         "pin in aksnet/config/ingress_controllers.py to a supported minor")


@book.dated_refusal("gateway-controller-support-ends", "The day the pinned Gateway API controller's support ends.",
                    ENVOY_MATRIX, production="advisory", development="advisory")
def gateway_controller_support_ends(spec: StackConfig, today: datetime.date) -> Iterator[Problem]:
    end = _support_end(spec)
    if end is not None and today <= end[1]:
        yield Problem.at("ingress.controller", f"{end[0]} gets fixes until {end[1]} ({end[2]}); move the pin "
                         "before then")


RULES: tuple[Rule, ...] = tuple(book.rules)

