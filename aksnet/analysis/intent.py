"""Does what the compiled NetworkPolicies allow equal what the stack declares? Pure, no Pulumi.

The plan compiles flows into policies (`aksnet.plan.netpol`); this evaluates the policies back
with the reachability engine, over the platform pods they talk to, and compares: anything
allowed that no flow declares, and anything declared that is not allowed, is a finding.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from aksnet.analysis.reachability import PortSet, Reachability, cluster_from_objects, evaluate
from aksnet.config.workloads import App, Endpoint, Flow, PortRange, Workloads
from aksnet.plan.manifests import published_flows
from aksnet.plan.netpol import IngressController, as_container_ports, ingress_flows
from aksnet.plan.plan import per_plan

PLATFORM_PODS = [
    {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "kube-system"}},
    {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "coredns", "namespace": "kube-system",
                                                      "labels": {"k8s-app": "kube-dns"}},
     "spec": {"containers": [{"name": "coredns", "ports": [
         {"name": "dns", "containerPort": 53, "protocol": "UDP"},
         {"name": "dns-tcp", "containerPort": 53, "protocol": "TCP"}]}]}},
]


def platform_objects(controller: IngressController | None) -> list[dict[str, Any]]:
    """The platform pods a stack's policies talk to: DNS, and the in-cluster ingress controller."""
    objects = list(PLATFORM_PODS)
    if controller is not None and controller.namespace is not None:
        objects += [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": controller.namespace}},
                    {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "ingress-controller",
                                                                     "namespace": controller.namespace,
                                                                     "labels": dict(controller.pod_labels)
                                                                     or {"app": "nginx"}}}]
    return objects


@dataclass
class IntentCheck:
    reachability: Reachability
    allowed: list[dict[str, Any]]
    """Each allowed connection touching an app of the stack: {from, to, ports}."""
    unintended: list[dict[str, Any]]
    """Allowed but not intended."""
    missing: list[dict[str, Any]]
    """Intended but not allowed."""


def check_intent(workloads: Workloads, manifests: Sequence[Mapping[str, Any]],
                 controller: IngressController | None, published: Sequence[Flow] = ()) -> IntentCheck:
    """Evaluate the stack's policies and compare what they allow with the declared flows (and the
    `published` ones other layers imply: `aksnet.plan.manifests.published_flows`)."""
    cluster, errors = cluster_from_objects([*platform_objects(controller), *manifests])
    if errors:
        raise ValueError("; ".join(errors))
    result = evaluate(cluster)
    apps = {f"{a.namespace}/{a.name}": a for a in workloads.apps}
    managed = set(apps) if workloads.default_deny else set()
    intended = _intended(workloads, controller, result, published)
    allowed, unintended, missing = [], [], []
    seen: set[tuple[str, str]] = set()
    for source, destination, ports in result.pairs():
        if source not in apps and destination not in apps:
            continue
        allowed.append({"from": source, "to": destination, "ports": ports.describe()})
        seen.add((source, destination))
        expected = intended.get((source, destination), PortSet())
        if (source in managed or destination in managed) and ports != expected:
            extra = _difference(ports, expected)
            if extra:
                unintended.append({"from": source, "to": destination, "ports": extra.describe()})
    for (source, destination), ports in sorted(intended.items()):
        actual = result.allowed_between(source, destination) if (source, destination) in seen else PortSet()
        lacking = _difference(ports, actual)
        if lacking:
            missing.append({"from": source, "to": destination, "ports": lacking.describe()})
    return IntentCheck(result, allowed, unintended, missing)


@per_plan
def intent_of(spec: Any, plan: Any) -> IntentCheck | None:
    """The intent check of a checked stack's plan (the rule, the path model and the preview read
    it); None when the stack declares no Kubernetes objects."""
    if not plan.manifests:
        return None
    return check_intent(spec.kubernetes.workloads, plan.manifests, plan.ingress_controller,
                        [flow for _, flow in published_flows(spec)])


def _difference(a: PortSet, b: PortSet) -> PortSet:
    """Ports in a but not in b."""
    out = []
    theirs = b.as_dict()
    for protocol, intervals in a.ranges:
        for start, end in intervals:
            cursor = start
            for c, d in theirs.get(protocol, ()):
                if d < cursor or c > end:
                    continue
                if c > cursor:
                    out.append((protocol, cursor, c - 1))
                cursor = max(cursor, d + 1)
            if cursor <= end:
                out.append((protocol, cursor, end))
    return PortSet.of(out)


def _intended(workloads: Workloads, controller: IngressController | None,
              result: Reachability, published: Sequence[Flow] = ()) -> dict[tuple[str, str], PortSet]:
    """(source, destination) -> ports the stack declares, over the engine's endpoints."""
    apps = {f"{a.namespace}/{a.name}": a for a in workloads.apps}
    regions = [g.external for g in result.groups if g.external is not None]

    def members(endpoint: Endpoint) -> list[str]:
        if endpoint.cidr is not None:
            return [r.id for r in regions if _inside(r.cidrs[0].network_address, endpoint)]
        if endpoint.ingress_controller:
            if controller is None:
                return []
            if controller.cidr is not None:
                return [r.id for r in regions if r.cidrs[0].network_address in controller.cidr]
            return [f"{controller.namespace}/ingress-controller"]
        return [f"{app.namespace}/{app.name}" for app in workloads.apps_selected_by(endpoint)]

    intended: dict[tuple[str, str], PortSet] = {}

    def add(source: str, destination: str, ports: PortSet) -> None:
        if source != destination and ports:
            intended[(source, destination)] = intended.get((source, destination), PortSet()).union(ports)

    dns = PortSet.of([("UDP", 53, 53), ("TCP", 53, 53)])
    if workloads.default_deny:
        for key in apps:
            add(key, "kube-system/coredns", dns)
    for flow in (*workloads.flows, *ingress_flows(workloads), *published):
        if not workloads.default_deny:  # a flow's egress policy isolates its source, which must keep DNS
            for source in members(flow.source):
                if source in apps:
                    add(source, "kube-system/coredns", dns)
        for destination in members(flow.destination):
            app = apps.get(destination)
            ports = _resolve(as_container_ports(flow.ports, app), app)
            for source in members(flow.source):
                add(source, destination, ports)
    return intended


def _inside(address: ipaddress.IPv4Address, endpoint: Endpoint) -> bool:
    assert endpoint.cidr is not None
    return address in endpoint.cidr and not any(address in e for e in endpoint.except_)


def _resolve(ports: tuple[PortRange, ...], app: App | None) -> PortSet:
    if not ports:
        return PortSet.all()
    items: list[tuple[str, int, int]] = []
    for port in ports:
        if port.name is not None:
            items += [(p.protocol, p.container_port, p.container_port) for p in (app.ports if app else ())
                      if p.name == port.name and p.protocol == port.protocol]
        elif port.port is not None:
            items.append((port.protocol, port.port, port.end_port or port.port))
    return PortSet.of(items)
