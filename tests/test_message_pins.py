"""The Azure and Kubernetes names inside the refusals a user reads, pinned row by row (issue 27).

A refusal that names the wrong SKU, delegation, add-on or namespace sends the user to the wrong fix,
and a reviewer's mutants showed such a name can change with every other test still green. Each row
varies a committed stack file in one place, runs the whole check (`aksnet.pipeline.load_stack`:
readers, then the rule registry) and asserts that a refusal lands at the expected key path and
names the fact(s) the cited page states: not the sentence, the fact. Expected values come from the
page beside each row, never from running our code. Pure: no program run under the mock engine.
"""

from __future__ import annotations

import functools
from typing import Any

import pytest

from aksnet.config.problems import ConfigError
from aksnet.pipeline import load_stack
from tests.stacks import load, variant

C = "aks-networking:"


@functools.cache
def _refusals(stack: str, changes: str) -> tuple[tuple[str, str], ...]:
    import json
    config = variant(load(stack), {f"{C}{k}": v for k, v in json.loads(changes).items()})
    try:
        load_stack(config, stack)
    except ConfigError as refused:
        return tuple((p.path.removeprefix(C), p.message) for p in refused.problems)
    return ()


def refusals(stack: str, changes: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """(key path, message) of every problem the stack, varied by key path, is refused for."""
    import json
    return _refusals(stack, json.dumps(changes, sort_keys=True))


def _namespaces(*extra: str) -> list[dict[str, Any]]:
    return [{"name": "development", "labels": {"purpose": "development"}}] + [{"name": n} for n in extra]


# id: (stack, changes by key path, key path refused, facts the message must name, source of the facts)
CASES: dict[str, tuple[str, dict[str, Any], str, tuple[str, ...], str]] = {
    # Basic supports threat intelligence in alert mode only; Deny (alert and deny) starts at Standard.
    "basic firewall with threat-intel Deny": (
        "prod", {"egress.firewall.sku": "Basic"}, "egress.firewall.threatIntelMode", ("sku Standard", "Alert"),
        "https://learn.microsoft.com/azure/firewall/basic-features"),
    # DNS proxy is a Standard (and Premium) feature, not a Basic one.
    "basic firewall with DNS proxy": (
        "prod", {"egress.firewall.sku": "Basic", "egress.firewall.threatIntelMode": "Alert",
                 "egress.firewall.dnsProxy": True}, "egress.firewall.dnsProxy", ("sku Standard",),
        "https://learn.microsoft.com/azure/firewall/choose-firewall-sku"),
    # AGC's subnet is delegated to Microsoft.ServiceNetworking/trafficControllers and is a /24 or larger.
    "agc without its subnet": (
        "dev", {"ingress.controller": "agc"}, "network.spoke.subnets.agc",
        ("Microsoft.ServiceNetworking/trafficControllers", "/24"),
        "https://learn.microsoft.com/azure/application-gateway/for-containers/container-networking"),
    # Gatekeeper, the Azure Policy add-on's admission controller, runs in gatekeeper-system.
    "namespace gatekeeper-system": (
        "dev", {"kubernetes.namespaces": _namespaces("gatekeeper-system")}, "kubernetes.namespaces[1].name",
        ("'gatekeeper-system'", "Azure Policy add-on"),
        "https://learn.microsoft.com/azure/governance/policy/concepts/policy-for-kubernetes"),
    # Kubernetes starts with four namespaces of its own: default, kube-node-lease, kube-public, kube-system.
    "namespace kube-node-lease": (
        "dev", {"kubernetes.namespaces": _namespaces("kube-node-lease")}, "kubernetes.namespaces[1].name",
        ("'kube-node-lease'",),
        "https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/#initial-namespaces"),
    "namespace kube-public": (
        "dev", {"kubernetes.namespaces": _namespaces("kube-public")}, "kubernetes.namespaces[1].name",
        ("'kube-public'",),
        "https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/#initial-namespaces"),
    "namespace default": (
        "dev", {"kubernetes.namespaces": _namespaces("default")}, "kubernetes.namespaces[1].name",
        ("'default'",),
        "https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/#initial-namespaces"),
    # kube-system holds CoreDNS and the CNI's pods on AKS.
    "namespace kube-system": (
        "dev", {"kubernetes.namespaces": _namespaces("kube-system")}, "kubernetes.namespaces[1].name",
        ("'kube-system'", "cluster DNS"),
        "https://learn.microsoft.com/azure/aks/concepts-clusters-workloads#namespaces"),
}


@pytest.mark.parametrize("case", CASES)
def test_refusal_names_the_documented_fact(case: str) -> None:
    stack, changes, path, facts, _source = CASES[case]
    found = refusals(stack, changes)
    messages = [message for at, message in found if at == path]
    assert messages, f"nothing refused at {path}; refused: {found}"
    assert any(all(fact in message for fact in facts) for message in messages), (path, facts, messages)
