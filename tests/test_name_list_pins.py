"""Every element of the program's lists of Azure and Kubernetes names, pinned one by one (issue 27).

A list of names (reserved namespaces, allowed values, FQDNs, SKUs by feature) fails silently when one
element goes missing: the rest of the list still works, so a test of "a" platform namespace or "an"
allowed value passes. Each row below holds one element to the behaviour it gives a user, with the
documented fact as the expected outcome (the page cited on the row), never our code's output. Only
elements that no other behavioural test held when dropped alone are here (the sweep in the report).
Pure readers and rules only: no program run.
"""

from __future__ import annotations

import functools
from typing import Any

import pytest
import yaml

from aksnet.config.stack import load_spec
from aksnet.rules.design import cluster
from tests.stacks import committed, variant
from tests.test_plan import ENVOY_ON_PROD, _registry_rules

NS = "aks-networking"

K8S_NAMESPACES = "https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/#initial-namespaces"
AKS_NAMESPACES = "https://learn.microsoft.com/azure/aks/concepts-clusters-workloads#namespaces"
AZURE_POLICY_K8S = "https://learn.microsoft.com/azure/governance/policy/concepts/policy-for-kubernetes"
CALICO_ON_AKS = "https://learn.microsoft.com/azure/aks/use-network-policies"
ISTIO_ADDON = "https://learn.microsoft.com/azure/aks/istio-about"
FLUX_EXTENSION = "https://learn.microsoft.com/azure/azure-arc/kubernetes/conceptual-gitops-flux2"
APP_ROUTING = "https://learn.microsoft.com/azure/aks/app-routing"
ENVOY_GATEWAY = "https://gateway.envoyproxy.io/docs/install/install-helm/"
UPGRADE = "https://learn.microsoft.com/azure/aks/auto-upgrade-cluster#cluster-auto-upgrade-channels"
NODE_OS_UPGRADE = "https://learn.microsoft.com/azure/aks/auto-upgrade-node-os-image#channels-for-node-os-image-upgrades"
ALB_CONTROLLER = "https://learn.microsoft.com/azure/application-gateway/for-containers/quickstart-deploy-application-gateway-for-containers-alb-controller"


_committed = committed  # read once, shared: `variant` copies it before changing anything


def _dev() -> dict[str, Any]:
    return _committed("dev")  # variant() copies before it changes anything


# A namespace Kubernetes, AKS or one of its add-ons creates and runs in: a stack that declares it as
# its own would fight the owner over it (and a default deny there breaks the add-on), so it is refused
# at the declaration's key path, with the namespace named. (namespace, page that says who owns it)
PLATFORM_NAMESPACES = [
    ("kube-system", K8S_NAMESPACES),
    ("kube-public", K8S_NAMESPACES),
    ("kube-node-lease", K8S_NAMESPACES),
    ("default", K8S_NAMESPACES),
    ("app-routing-system", APP_ROUTING),
    ("gatekeeper-system", AZURE_POLICY_K8S),
    ("calico-system", CALICO_ON_AKS),
    ("tigera-operator", CALICO_ON_AKS),
    ("aks-istio-system", ISTIO_ADDON),
    ("aks-istio-ingress", ISTIO_ADDON),
    ("aks-istio-egress", ISTIO_ADDON),
    ("flux-system", FLUX_EXTENSION),
    ("envoy-gateway-system", ENVOY_GATEWAY),
    ("azure-alb-system", ALB_CONTROLLER),
]


@pytest.mark.parametrize(("namespace", "source"), PLATFORM_NAMESPACES, ids=[n for n, _ in PLATFORM_NAMESPACES])
def test_each_platform_namespace_is_refused_as_a_stack_namespace(namespace: str, source: str) -> None:
    config = variant(_dev(), {f"{NS}:kubernetes.namespaces[1]": {"name": namespace}})
    refused = [(p.path, p.message) for p in cluster.no_platform_namespaces(load_spec(config, "dev"))]
    assert [path for path, _ in refused] == [f"{NS}:kubernetes.namespaces[1].name"], source
    assert f"'{namespace}'" in refused[0][1]


def test_a_namespace_of_the_stacks_own_is_not_a_platform_namespace() -> None:
    # The other side of the table: an ordinary name (and one that merely resembles a platform one) loads.
    for name in ("shop", "kube-systems"):
        config = variant(_dev(), {f"{NS}:kubernetes.namespaces[1]": {"name": name}})
        assert list(cluster.no_platform_namespaces(load_spec(config, "dev"))) == [], name


# Each value Azure or AKS documents for a stack key, written out explicitly in the stack file, loads:
# a value dropped from the reader's list of allowed values would refuse a stack Azure accepts.
# (stack, key path, value, page that documents the value)
ACCEPTED: list[tuple[str, str, Any, str]] = [
    # The Istio add-on is off unless asked for (serviceMeshProfile.mode Disabled or Istio); `none` says "off".
    ("dev", f"{NS}:cluster.serviceMesh", "none", "https://learn.microsoft.com/azure/aks/istio-deploy-addon"),
    ("dev", f"{NS}:cluster.serviceMesh", "istio", "https://learn.microsoft.com/azure/aks/istio-deploy-addon"),
    # The cluster auto-upgrade channels AKS offers, and "none" to opt out.
    *[("dev", f"{NS}:cluster.upgradeChannel", channel, UPGRADE)
      for channel in ("patch", "stable", "rapid", "node-image", "none")],
    # The node OS upgrade channels (nodeOSUpgradeChannel).
    *[("dev", f"{NS}:cluster.nodeOsUpgradeChannel", channel, NODE_OS_UPGRADE)
      for channel in ("NodeImage", "SecurityPatch", "Unmanaged", "None")],
    # The control plane's pricing tiers.
    *[("dev", f"{NS}:cluster.skuTier", tier, "https://learn.microsoft.com/azure/aks/free-standard-pricing-tiers")
      for tier in ("Free", "Standard", "Premium")],
    # A node pool is System or User.
    ("dev", f"{NS}:cluster.nodePools[0].mode", "System", "https://learn.microsoft.com/azure/aks/use-system-pools"),
    # The API server's private DNS zone: system (AKS makes it) or none (public FQDN) are both AKS values.
    ("prod", f"{NS}:cluster.privateDnsZone", "system", "https://learn.microsoft.com/azure/aks/private-clusters"),
    # A DNAT rule forwards TCP or UDP.
    ("dev", f"{NS}:egress.firewall.dnatRules", [{"name": "ssh", "protocol": "UDP", "port": 2222,
                                                 "translatedAddress": "10.240.0.10", "translatedPort": 22}],
     "https://learn.microsoft.com/azure/firewall/tutorial-firewall-dnat"),
    # Kubernetes Service ports speak TCP, UDP or SCTP; TCP is the API's default.
    *[("dev", f"{NS}:kubernetes.apps[0].ports[0].protocol", protocol,
       "https://kubernetes.io/docs/reference/networking/service-protocols/") for protocol in ("TCP", "UDP", "SCTP")],
    ("prod", f"{NS}:cluster.nodePools[1].mode", "User", "https://learn.microsoft.com/azure/aks/use-system-pools"),
    ("dev", f"{NS}:egress.firewall.dnatRules", [{"name": "web", "protocol": "TCP", "port": 8443,
                                                 "translatedAddress": "10.240.0.10", "translatedPort": 443}],
     "https://learn.microsoft.com/azure/firewall/tutorial-firewall-dnat"),
    # Application Gateway v2 comes as Standard_v2 or WAF_v2; WAF runs in Prevention or Detection mode.
    *[("prod", f"{NS}:ingress.appGateway.sku", sku, "https://learn.microsoft.com/azure/application-gateway/overview-v2")
      for sku in ("WAF_v2", "Standard_v2")],
    *[("prod", f"{NS}:ingress.appGateway.wafMode", mode,
       "https://learn.microsoft.com/azure/web-application-firewall/ag/ag-overview#waf-modes") for mode in ("Prevention",)],
    # Azure Firewall's SKUs: Basic, Standard and Premium.
    *[("prod", f"{NS}:egress.firewall.sku", sku, "https://learn.microsoft.com/azure/firewall/choose-firewall-sku")
      for sku in ("Standard", "Premium")],
    # An Azure Policy assignment's effect for the pod security initiatives: Audit or Deny.
    *[("prod", f"{NS}:cluster.podSecurity", {"initiative": "baseline", "effect": effect},
       "https://learn.microsoft.com/azure/aks/use-azure-policy") for effect in ("audit", "deny")],
    ("dev", f"{NS}:kubernetes.apps[0].serviceType", "ClusterIP",
     "https://kubernetes.io/docs/concepts/services-networking/service/#publishing-services-service-types"),
]


@pytest.mark.parametrize(("stack", "path", "value", "source"), ACCEPTED,
                         ids=[f"{p.split('.')[-1]}={v}" for _, p, v, _ in ACCEPTED])
def test_each_documented_value_of_a_choice_loads_when_written_out(stack: str, path: str, value: Any,
                                                                  source: str) -> None:
    # As a stack file writes it: the YAML reader's own string, never the test's literal (a literal can be
    # the very object the reader's default is, which would skip the check of the allowed values).
    written = yaml.safe_load(yaml.safe_dump({"value": value}))["value"]
    config = variant(_committed(stack), {path: written})
    load_spec(config, stack)  # raises ConfigError, naming the key path, when the value is refused


# Docker Hub's pull endpoints, as its allowlist names them: a firewall rule that lets a node pull from
# docker.io must name each, or a pull stalls on the host left out (anonymous pulls fetch layers from the
# R2 bucket). Envoy Gateway's images come from docker.io, so prod with Envoy needs the rule.
DOCKER_ALLOWLIST = "https://docs.docker.com/desktop/setup/allow-list/"
DOCKER_PULL_HOSTS = ["registry-1.docker.io", "auth.docker.io", "production.cloudflare.docker.com",
                     "docker-images-prod.6aa30f8b08e16409b46e0173d6de2f56.r2.cloudflarestorage.com"]


@functools.cache
def _docker_pull_fqdns() -> frozenset[str]:
    (rule,) = _registry_rules(ENVOY_ON_PROD)
    return frozenset(rule["targetFqdns"])


@pytest.mark.parametrize("host", DOCKER_PULL_HOSTS)
def test_a_docker_hub_pull_rule_names_each_host_the_allowlist_names(host: str) -> None:
    assert host in _docker_pull_fqdns(), DOCKER_ALLOWLIST
