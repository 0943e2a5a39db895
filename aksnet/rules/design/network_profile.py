"""The network profile: plugin, mode, dataplane, policy engine and mesh that AKS runs together. Pure, no Pulumi."""

from __future__ import annotations

from collections.abc import Iterator

from aksnet.config.problems import Problem
from aksnet.config.stack import StackConfig
from aksnet.rules.design.common import IP_PLANNING, cluster_refusal
from aksnet.rules.rule import Rule, RuleBook

OVERLAY = "https://learn.microsoft.com/azure/aks/azure-cni-overlay"
CILIUM = "https://learn.microsoft.com/azure/aks/azure-cni-powered-by-cilium"
POLICIES = "https://learn.microsoft.com/azure/aks/use-network-policies"
ISTIO = "https://learn.microsoft.com/azure/aks/istio-about"

book = RuleBook()


cluster_refusal(
    book, "overlay-needs-azure-cni", "CNI Overlay is a mode of Azure CNI.", OVERLAY, "cluster.networkPluginMode",
    lambda c: c.network_plugin_mode == "overlay" and c.network_plugin != "azure",
    lambda c: f"overlay needs networkPlugin azure, not {c.network_plugin}")
cluster_refusal(
    book, "azure-npm-needs-azure-cni", "Azure NPM does not run on kubenet.", POLICIES, "cluster.networkPolicy",
    lambda c: c.network_plugin == "kubenet" and c.network_policy == "azure",
    lambda c: "azure (Azure NPM) does not run on kubenet; use calico, or networkPlugin azure")
cluster_refusal(
    book, "byo-cni-brings-its-policy", "With networkPlugin none, the CNI brought installs policy.", POLICIES,
    "cluster.networkPolicy", lambda c: c.network_plugin == "none" and c.network_policy != "none",
    lambda c: f"{c.network_policy} cannot be installed with networkPlugin none (bring your own CNI); set none "
              "and install policy with your CNI")
cluster_refusal(
    book, "cilium-policy-needs-cilium-dataplane", "Cilium policy runs on the Cilium dataplane.", CILIUM,
    "cluster.networkPolicy", lambda c: c.network_policy == "cilium" and c.network_dataplane != "cilium",
    lambda c: "cilium needs networkDataplane cilium")
cluster_refusal(
    book, "cilium-dataplane-needs-azure-cni", "The Cilium dataplane runs on Azure CNI.", CILIUM,
    "cluster.networkDataplane",
    lambda c: c.network_dataplane == "cilium" and c.network_plugin != "azure",
    lambda c: f"cilium needs networkPlugin azure, not {c.network_plugin}")
cluster_refusal(
    book, "cilium-dataplane-enforces-policies", "The Cilium dataplane enforces policies itself.", CILIUM,
    "cluster.networkPolicy", lambda c: c.network_dataplane == "cilium" and c.network_policy != "cilium",
    lambda c: f"{c.network_policy} cannot run beside the cilium dataplane, which enforces policies itself; use cilium"
    if c.network_policy in ("azure", "calico") else
    "none does not hold with the cilium dataplane, which always enforces NetworkPolicies; set cilium")


@book.refusal("cilium-dataplane-needs-dynamic-pod-ips", "The Cilium dataplane needs Overlay or a pod subnet.", CILIUM)
def cilium_dataplane_needs_dynamic_pod_ips(spec: StackConfig) -> Iterator[Problem]:
    c = spec.cluster
    if c.network_dataplane == "cilium" and c.network_plugin == "azure" and c.network_plugin_mode != "overlay" \
            and "pods" not in spec.network.spoke.subnets:
        yield Problem.at("cluster.networkDataplane", "cilium needs networkPluginMode overlay or a pods subnet "
                         "(network.spoke.subnets.pods) for dynamic pod IPs")


@book.refusal("pod-subnet-only-for-dynamic-ips", "A pod subnet is for Azure CNI with dynamic pod IPs.", IP_PLANNING)
def pod_subnet_only_for_dynamic_ips(spec: StackConfig) -> Iterator[Problem]:
    c = spec.cluster
    if "pods" in spec.network.spoke.subnets and (c.network_plugin != "azure" or c.network_plugin_mode == "overlay"):
        yield Problem.at("network.spoke.subnets.pods", "a pod subnet is only used by Azure CNI without Overlay "
                 "(dynamic pod IPs); remove it, or use networkPlugin azure without networkPluginMode")


@book.refusal("pod-cidr-only-with-overlay-or-kubenet", "Flat Azure CNI takes no pod CIDR.", IP_PLANNING)
def pod_cidr_only_with_overlay_or_kubenet(spec: StackConfig) -> Iterator[Problem]:
    c = spec.cluster
    if c.pod_cidr is not None and not c.uses_pod_cidr:
        yield Problem.at("cluster.podCidr", "flat Azure CNI gives pods VNet addresses and takes no pod CIDR; "
                 "remove podCidr, or set networkPluginMode overlay")


@book.refusal("istio-needs-managed-cni", "The Istio add-on needs an AKS-managed CNI.", ISTIO)
def istio_needs_managed_cni(spec: StackConfig) -> Iterator[Problem]:
    if spec.cluster.service_mesh == "istio" and spec.cluster.network_plugin == "none":
        yield Problem.at("cluster.serviceMesh", "the Istio add-on needs an AKS-managed network plugin")


RULES: tuple[Rule, ...] = tuple(book.rules)
