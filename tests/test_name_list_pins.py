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

from aksnet.config.stack import load_spec
from aksnet.rules.design import cluster
from tests.stacks import load, variant

NS = "aks-networking"

K8S_NAMESPACES = "https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/#initial-namespaces"
AKS_NAMESPACES = "https://learn.microsoft.com/azure/aks/concepts-clusters-workloads#namespaces"
AZURE_POLICY_K8S = "https://learn.microsoft.com/azure/governance/policy/concepts/policy-for-kubernetes"
CALICO_ON_AKS = "https://learn.microsoft.com/azure/aks/use-network-policies"
ISTIO_ADDON = "https://learn.microsoft.com/azure/aks/istio-about"
FLUX_EXTENSION = "https://learn.microsoft.com/azure/azure-arc/kubernetes/conceptual-gitops-flux2"
APP_ROUTING = "https://learn.microsoft.com/azure/aks/app-routing"
ENVOY_GATEWAY = "https://gateway.envoyproxy.io/docs/install/install-helm/"
ALB_CONTROLLER = "https://learn.microsoft.com/azure/application-gateway/for-containers/quickstart-deploy-application-gateway-for-containers-alb-controller"


@functools.cache
def _dev() -> dict[str, Any]:
    return load("dev")


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
]


@pytest.mark.parametrize(("stack", "path", "value", "source"), ACCEPTED,
                         ids=[f"{p.split('.')[-1]}={v}" for _, p, v, _ in ACCEPTED])
def test_each_documented_value_of_a_choice_loads_when_written_out(stack: str, path: str, value: Any,
                                                                  source: str) -> None:
    config = variant(load(stack), {path: value})
    load_spec(config, stack)  # raises ConfigError, naming the key path, when the value is refused
