"""Flows to NetworkPolicies. Pure, no Pulumi (aksnet.analysis.intent proves the result).

For every namespace that runs apps: a default deny for ingress and egress (empty pod
selector, no rules) and an allowance for DNS to kube-system's DNS pods. For every flow: an
egress rule on the source's pods (when they live in a namespace of ours) and an ingress rule
on the destination's (likewise). Ingress routes add a flow from the ingress controller to
each backend. https://kubernetes.io/docs/concepts/services-networking/network-policies/
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from aksnet.config.workloads import App, Endpoint, Flow, PortRange, Workloads
from aksnet.vocabulary import NAMESPACE_NAME_LABEL

DNS_PEER = {"namespaceSelector": {"matchLabels": {NAMESPACE_NAME_LABEL: "kube-system"}},
            "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}}
DNS_PORTS = [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}]


@dataclass(frozen=True)
class IngressController:
    """Where the ingress controller's traffic comes from: its pods (their namespace, and their labels
    when the namespace holds more than the proxies), or the gateway's subnet."""

    namespace: str | None = None
    cidr: ipaddress.IPv4Network | None = None
    pod_labels: tuple[tuple[str, str], ...] = ()
    """(key, value) pairs: hashable, as the plan is."""

    def peer(self) -> dict[str, Any]:
        if self.cidr is not None:
            return {"ipBlock": {"cidr": str(self.cidr)}}
        peer: dict[str, Any] = {"namespaceSelector": {"matchLabels": {NAMESPACE_NAME_LABEL: self.namespace}}}
        if self.pod_labels:
            peer["podSelector"] = {"matchLabels": dict(self.pod_labels)}
        return peer


def _labels(labels: Mapping[str, str]) -> dict[str, Any]:
    return {"matchLabels": dict(labels)} if labels else {}


def container_ports(flow: Flow, workloads: Workloads) -> tuple[PortRange, ...]:
    """A flow's ports as the destination pod sees them: an app's Service ports become its
    container ports (NetworkPolicies act after the Service's translation)."""
    destination = flow.destination
    app = workloads.app(destination.namespace or "", destination.app) if destination.app else None
    return as_container_ports(flow.ports, app)


def as_container_ports(ports: tuple[PortRange, ...], app: App | None) -> tuple[PortRange, ...]:
    if app is None:
        return ports
    return tuple(PortRange(p.protocol, app.container_port_of(p.port, p.protocol), p.end_port)
                 if p.name is None and p.end_port is None and p.port is not None else p for p in ports)


def _ports(ports: Iterable[PortRange]) -> list[dict[str, Any]]:
    out = []
    for port in ports:
        entry: dict[str, Any] = {"protocol": port.protocol, "port": port.name if port.name else port.port}
        if port.end_port is not None:
            entry["endPort"] = port.end_port
        out.append(entry)
    return out


def _peer(endpoint: Endpoint, workloads: Workloads, controller: IngressController | None) -> dict[str, Any]:
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


def _targets(endpoint: Endpoint, workloads: Workloads) -> list[tuple[str, dict[str, Any]]]:
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
    return [flow for _, flow in _ingress_flows(workloads)]


def _ingress_flows(workloads: Workloads) -> list[tuple[str, Flow]]:
    """Each ingress flow with the key of the Ingress that declares it."""
    flows = []
    seen: set[tuple[str, str, int]] = set()
    for index, route in enumerate(workloads.ingresses):
        for entry in route.paths:
            key = (route.namespace, entry.app, entry.port)
            if key in seen:
                continue
            seen.add(key)
            # Services map each port to the same container port, which is what policies see.
            flows.append((f"kubernetes.ingresses[{index}]", Flow(
                name=f"ingress-{route.name}-{entry.app}-{entry.port}", source=Endpoint(ingress_controller=True),
                destination=Endpoint(app=entry.app, namespace=route.namespace), ports=(PortRange("TCP", entry.port),))))
    return flows


def compile_policies(workloads: Workloads, controller: IngressController | None,
                     published: Sequence[tuple[str, Flow]] = ()) -> list[tuple[str, dict[str, Any]]]:
    """NetworkPolicy manifests for the stack's flows, default deny and DNS, each with the stack key
    that declares it. `published`: flows other layers imply (a firewall DNAT rule's), with their keys."""
    policies: list[tuple[str, dict[str, Any]]] = []

    def policy(origin: str, namespace: str, name: str, spec: dict[str, Any]) -> None:
        policies.append((origin, {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                                  "metadata": {"name": name, "namespace": namespace}, "spec": spec}))

    if workloads.default_deny:
        for namespace in workloads.app_namespaces:
            policy("kubernetes.defaultDeny", namespace, "default-deny",
                   {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]})
            policy("kubernetes.defaultDeny", namespace, "allow-dns",
                   {"podSelector": {}, "policyTypes": ["Egress"], "egress": [{"to": [DNS_PEER], "ports": DNS_PORTS}]})
    declared = [(f"kubernetes.flows[{index}]", flow) for index, flow in enumerate(workloads.flows)]
    for origin, flow in (*declared, *_ingress_flows(workloads), *published):
        ports = _ports(container_ports(flow, workloads))
        rule_ports = {"ports": ports} if ports else {}
        egress: list[dict[str, Any]] = [{"to": [_peer(flow.destination, workloads, controller)], **rule_ports}]
        if not workloads.default_deny:
            # Without the namespace's default deny and its DNS allowance, this policy alone isolates the source's
            # egress, name lookups included: it lets DNS out too, or the source could not resolve its destination.
            egress.append({"to": [DNS_PEER], "ports": DNS_PORTS})
        for namespace, selector in _targets(flow.source, workloads):
            policy(origin, namespace, f"{flow.name}-egress", {
                "podSelector": selector, "policyTypes": ["Egress"], "egress": egress})
        for namespace, selector in _targets(flow.destination, workloads):
            policy(origin, namespace, f"{flow.name}-ingress", {
                "podSelector": selector, "policyTypes": ["Ingress"],
                "ingress": [{"from": [_peer(flow.source, workloads, controller)], **rule_ports}]})
    for index, literal in enumerate(workloads.policies):
        policy(f"kubernetes.policies[{index}]", literal.namespace, literal.name, dict(literal.spec))
    return policies
