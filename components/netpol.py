"""Flows to NetworkPolicies, and the intent the compiled policies must equal. Pure, no Pulumi.

For every namespace that runs apps: a default deny for ingress and egress (empty pod
selector, no rules) and an allowance for DNS to kube-system's DNS pods. For every flow: an
egress rule on the source's pods (when they live in a namespace of ours) and an ingress rule
on the destination's (likewise). Ingress routes add a flow from the ingress controller to
each backend. https://kubernetes.io/docs/concepts/services-networking/network-policies/
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Optional

from components.reachability import PortSet, Reachability, cluster_from_objects, evaluate
from components.workloads import App, Endpoint, Flow, PortRange, Workloads

NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"
DNS_PEER = {"namespaceSelector": {"matchLabels": {NAMESPACE_NAME_LABEL: "kube-system"}},
            "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}}
DNS_PORTS = [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}]
APP_ROUTING_NAMESPACE = "app-routing-system"


@dataclass(frozen=True)
class IngressController:
    """Where the ingress controller's traffic comes from: its pods' namespace, or the gateway subnet."""

    namespace: Optional[str] = None
    cidr: Optional[ipaddress.IPv4Network] = None

    def peer(self) -> dict:
        if self.cidr is not None:
            return {"ipBlock": {"cidr": str(self.cidr)}}
        return {"namespaceSelector": {"matchLabels": {NAMESPACE_NAME_LABEL: self.namespace}}}


def _labels(labels: Mapping[str, str]) -> dict:
    return {"matchLabels": dict(labels)} if labels else {}


def container_ports(flow: Flow, workloads: Workloads) -> tuple[PortRange, ...]:
    """A flow's ports as the destination pod sees them: an app's Service ports become its
    container ports (NetworkPolicies act after the Service's translation)."""
    destination = flow.destination
    app = workloads.app(destination.namespace or "", destination.app) if destination.app else None
    return _as_container_ports(flow.ports, app)


def _as_container_ports(ports: tuple[PortRange, ...], app: Optional[App]) -> tuple[PortRange, ...]:
    if app is None:
        return ports
    return tuple(PortRange(p.protocol, app.container_port_of(p.port, p.protocol), p.end_port)
                 if p.name is None and p.end_port is None and p.port is not None else p for p in ports)


def _ports(ports: Iterable[PortRange]) -> list[dict]:
    out = []
    for port in ports:
        entry: dict[str, Any] = {"protocol": port.protocol, "port": port.name if port.name else port.port}
        if port.end_port is not None:
            entry["endPort"] = port.end_port
        out.append(entry)
    return out


def _peer(endpoint: Endpoint, workloads: Workloads, controller: Optional[IngressController]) -> dict:
    """The NetworkPolicy peer that selects an endpoint, from anywhere in the cluster."""
    if endpoint.cidr is not None:
        block: dict[str, Any] = {"cidr": str(endpoint.cidr)}
        if endpoint.except_:
            block["except"] = [str(e) for e in endpoint.except_]
        return {"ipBlock": block}
    if endpoint.ingress_controller:
        assert controller is not None
        return controller.peer()
    if endpoint.app is not None:
        app = workloads.app(endpoint.namespace or "", endpoint.app)
        assert app is not None
        return {"namespaceSelector": {"matchLabels": {NAMESPACE_NAME_LABEL: app.namespace}},
                "podSelector": _labels(app.labels)}
    namespaces = {"matchLabels": {NAMESPACE_NAME_LABEL: endpoint.namespace}} if endpoint.namespace else \
        _labels(endpoint.namespace_labels or {})
    return {"namespaceSelector": namespaces, "podSelector": _labels(endpoint.pod_labels or {})}


def _targets(endpoint: Endpoint, workloads: Workloads) -> list[tuple[str, dict]]:
    """(namespace, podSelector) in our app namespaces where an endpoint's pods live."""
    if endpoint.cidr is not None or endpoint.ingress_controller:
        return []
    if endpoint.app is not None:
        app = workloads.app(endpoint.namespace or "", endpoint.app)
        return [(app.namespace, _labels(app.labels))] if app is not None else []
    out = []
    for namespace in workloads.app_namespaces:
        labels = {**workloads.namespaces.get(namespace, {}), NAMESPACE_NAME_LABEL: namespace}
        if endpoint.namespace is not None and endpoint.namespace != namespace:
            continue
        if endpoint.namespace_labels and any(labels.get(k) != v for k, v in endpoint.namespace_labels.items()):
            continue
        out.append((namespace, _labels(endpoint.pod_labels or {})))
    return out


def ingress_flows(workloads: Workloads) -> list[Flow]:
    """A flow from the ingress controller to each Ingress backend, on its port."""
    flows = []
    seen: set[tuple[str, str, int]] = set()
    for route in workloads.ingresses:
        for entry in route.paths:
            key = (route.namespace, entry.app, entry.port)
            if key in seen:
                continue
            seen.add(key)
            # Services map each port to the same container port, which is what policies see.
            flows.append(Flow(name=f"ingress-{route.name}-{entry.app}-{entry.port}",
                              source=Endpoint(ingress_controller=True),
                              destination=Endpoint(app=entry.app, namespace=route.namespace),
                              ports=(PortRange("TCP", entry.port),)))
    return flows


def compile_policies(workloads: Workloads, controller: Optional[IngressController]) -> list[dict]:
    """NetworkPolicy manifests for the stack's flows, default deny and DNS."""
    policies: list[dict] = []

    def policy(namespace: str, name: str, spec: dict) -> None:
        policies.append({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                         "metadata": {"name": name, "namespace": namespace}, "spec": spec})

    if workloads.default_deny:
        for namespace in workloads.app_namespaces:
            policy(namespace, "default-deny", {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]})
            policy(namespace, "allow-dns", {"podSelector": {}, "policyTypes": ["Egress"],
                                            "egress": [{"to": [DNS_PEER], "ports": DNS_PORTS}]})
    for flow in (*workloads.flows, *ingress_flows(workloads)):
        ports = _ports(container_ports(flow, workloads))
        rule_ports = {"ports": ports} if ports else {}
        for namespace, selector in _targets(flow.source, workloads):
            policy(namespace, f"{flow.name}-egress", {
                "podSelector": selector, "policyTypes": ["Egress"],
                "egress": [{"to": [_peer(flow.destination, workloads, controller)], **rule_ports}]})
        for namespace, selector in _targets(flow.destination, workloads):
            policy(namespace, f"{flow.name}-ingress", {
                "podSelector": selector, "policyTypes": ["Ingress"],
                "ingress": [{"from": [_peer(flow.source, workloads, controller)], **rule_ports}]})
    for literal in workloads.policies:
        policy(literal.namespace, literal.name, dict(literal.spec))
    return policies


# Intent -----------------------------------------------------------------------------------

PLATFORM_PODS = [
    {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "kube-system"}},
    {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "coredns", "namespace": "kube-system",
                                                      "labels": {"k8s-app": "kube-dns"}},
     "spec": {"containers": [{"name": "coredns", "ports": [
         {"name": "dns", "containerPort": 53, "protocol": "UDP"},
         {"name": "dns-tcp", "containerPort": 53, "protocol": "TCP"}]}]}},
]


def platform_objects(controller: Optional[IngressController]) -> list[dict]:
    """The platform pods a stack's policies talk to: DNS, and the in-cluster ingress controller."""
    objects = list(PLATFORM_PODS)
    if controller is not None and controller.namespace is not None:
        objects += [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": controller.namespace}},
                    {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "ingress-controller",
                                                                     "namespace": controller.namespace,
                                                                     "labels": {"app": "nginx"}}}]
    return objects


@dataclass
class IntentCheck:
    reachability: Reachability
    allowed: list[dict]
    """Each allowed connection touching an app of the stack: {from, to, ports}."""
    unintended: list[dict]
    """Allowed but not intended."""
    missing: list[dict]
    """Intended but not allowed."""


def check_intent(workloads: Workloads, manifests: list[Mapping[str, Any]],
                 controller: Optional[IngressController]) -> IntentCheck:
    """Evaluate the stack's policies and compare what they allow with the declared flows."""
    cluster, errors = cluster_from_objects([*platform_objects(controller), *manifests])
    if errors:
        raise ValueError("; ".join(errors))
    result = evaluate(cluster)
    apps = {f"{a.namespace}/{a.name}": a for a in workloads.apps}
    managed = set(apps) if workloads.default_deny else set()
    intended = _intended(workloads, controller, result)
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


def _intended(workloads: Workloads, controller: Optional[IngressController],
              result: Reachability) -> dict[tuple[str, str], PortSet]:
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
        out = []
        for key, app in apps.items():
            labels = {**workloads.namespaces.get(app.namespace, {}), NAMESPACE_NAME_LABEL: app.namespace}
            if endpoint.app is not None and (app.name, app.namespace) != (endpoint.app, endpoint.namespace):
                continue
            if endpoint.namespace is not None and app.namespace != endpoint.namespace:
                continue
            if endpoint.namespace_labels and any(labels.get(k) != v for k, v in endpoint.namespace_labels.items()):
                continue
            if endpoint.pod_labels and any(app.labels.get(k) != v for k, v in endpoint.pod_labels.items()):
                continue
            out.append(key)
        return out

    intended: dict[tuple[str, str], PortSet] = {}

    def add(source: str, destination: str, ports: PortSet) -> None:
        if source != destination and ports:
            intended[(source, destination)] = intended.get((source, destination), PortSet()).union(ports)

    if workloads.default_deny:
        for key in apps:
            add(key, "kube-system/coredns", PortSet.of([("UDP", 53, 53), ("TCP", 53, 53)]))
    for flow in (*workloads.flows, *ingress_flows(workloads)):
        for destination in members(flow.destination):
            app = apps.get(destination)
            ports = _resolve(_as_container_ports(flow.ports, app), app)
            for source in members(flow.source):
                add(source, destination, ports)
    return intended


def _inside(address: ipaddress.IPv4Address, endpoint: Endpoint) -> bool:
    assert endpoint.cidr is not None
    return address in endpoint.cidr and not any(address in e for e in endpoint.except_)


def _resolve(ports: tuple[PortRange, ...], app: Optional[App]) -> PortSet:
    if not ports:
        return PortSet.all()
    items = []
    for port in ports:
        if port.name is not None:
            items += [(p.protocol, p.container_port, p.container_port) for p in (app.ports if app else ())
                      if p.name == port.name and p.protocol == port.protocol]
        else:
            items.append((port.protocol, port.port, port.end_port or port.port))
    return PortSet.of(items)
