"""Every flow a stack declares or implies, walked through the path model. Pure, no Pulumi.

Declared flows: `kubernetes.flows`, each Ingress (from the internet, on its listeners), each
public Service, each firewall DNAT rule. Derived flows, which nobody types: each registry the
apps pull from, AKS's required endpoints, the enabled add-ons' endpoints, the Flux extension's.
Exposures: what the internet reaches of the apps although nothing declares it.
"""

from __future__ import annotations

import dataclasses
import ipaddress
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from aksnet.analysis.paths import Hop, Network, Path, Place, Tracer, network_of
from aksnet.config.workloads import Endpoint, Flow, PortRange
from aksnet.plan.cluster_profile import nodes_reach_api_through_egress
from aksnet.plan.manifests import app_images, controller_registries, pulled_registries
from aksnet.plan.outbound import (
    AKS_REQUIRED_FQDNS,
    AZURE_POLICY,
    image_registry,
    public_api_server_fqdn,
    registry_endpoints,
    registry_fqdns,
)
from aksnet.plan.plan import per_plan


@dataclass(frozen=True)
class PathEntry:
    flow: str
    origin: str
    """The stack key that declares or implies the flow."""
    kind: str
    """`declared` or `derived`."""
    source: str
    destination: str
    port: str
    path: Path

    def as_dict(self) -> dict[str, Any]:
        decided = self.path.as_dict()["decidedBy"]
        return {"flow": self.flow, "kind": self.kind, "from": self.source, "to": self.destination,
                "ports": [self.port], "verdict": self.path.verdict, "decidedBy": decided, "key": self.origin}

    def describe(self) -> str:
        hop = self.path.decided_by
        how = f" by {hop.layer} ({hop.resource}: {hop.rule})" if hop is not None else ""
        return f"{self.source} -> {self.destination} {self.port}: {self.path.verdict}{how}"


@dataclass(frozen=True)
class PathReport:
    paths: tuple[PathEntry, ...]
    exposures: tuple[PathEntry, ...]
    imprecise: tuple[tuple[str, str], ...]
    """(stack key, message): firewall rules whose source is wider than the flow's pods."""

    def as_json(self) -> dict[str, Any]:
        return {"paths": [p.as_dict() for p in self.paths], "exposures": [p.as_dict() for p in self.exposures]}


def _places(endpoint: Endpoint, spec: Any, tracer: Tracer) -> list[Place]:
    if endpoint.fqdn is not None:
        return [tracer.fqdn(endpoint.fqdn)]
    if endpoint.cidr is not None:
        return [tracer.cidr_place(endpoint.cidr, str(endpoint.cidr))]
    if endpoint.ingress_controller:
        return []
    return [tracer.app_place(f"{app.namespace}/{app.name}")
            for app in spec.kubernetes.workloads.apps_selected_by(endpoint)]


def _ports(ports: Sequence[PortRange], destination: Place, spec: Any) -> list[tuple[str, int, str]]:
    """(protocol, port, label) to walk: a range by its first port, a named port by the Service port of
    that name, every port by the destination's first Service port (or HTTPS)."""
    app = None
    if destination.app is not None:
        namespace, name = destination.app.key.split("/")
        app = spec.kubernetes.workloads.app(namespace, name)
    if not ports:
        first = app.ports[0] if app is not None and app.ports else None
        return [(first.protocol, first.port, "all") if first else ("TCP", 443, "all")]
    out = []
    for port in ports:
        if port.name is not None:
            match = next((p for p in (app.ports if app else ()) if p.name == port.name), None)
            if match is not None:
                out.append((port.protocol, match.port, port.text()))
        elif port.port is not None:
            out.append((port.protocol, port.port, port.text()))
    return out


def _declared(spec: Any, tracer: Tracer) -> Iterator[PathEntry]:
    workloads = spec.kubernetes.workloads
    for index, flow in enumerate(workloads.flows):
        yield from _flow_paths(f"kubernetes.flows[{index}]", flow, spec, tracer)
    internet = tracer.internet()
    for index, route in enumerate(workloads.ingresses):
        listeners = (443,) if route.tls_secret else (80,)  # with TLS, 80 only redirects
        seen = set()
        for entry in route.paths:
            key = f"{route.namespace}/{entry.app}"
            for listener in listeners:
                if (key, listener) in seen:
                    continue
                seen.add((key, listener))
                yield PathEntry(f"ingress-{route.name}", f"kubernetes.ingresses[{index}]", "declared",
                                f"internet ({route.host})", key, f"TCP/{listener}",
                                tracer.trace(internet, tracer.app_place(key), "TCP", listener, via="ingress"))
    for index, app in enumerate(workloads.apps):
        if app.service_type != "LoadBalancer":
            continue
        key = f"{app.namespace}/{app.name}"
        for port in app.ports:
            yield PathEntry(f"service-{app.name}", f"kubernetes.apps[{index}].serviceType", "declared", "internet",
                            key, f"{port.protocol}/{port.port}",
                            tracer.trace(internet, tracer.app_place(key), port.protocol, port.port, via="service"))
    firewall = spec.egress.firewall
    for index, rule in enumerate(firewall.dnat_rules if firewall is not None else ()):
        target = next((a for a in workloads.apps if a.static_ip == rule.translated_address), None)
        place = tracer.app_place(f"{target.namespace}/{target.name}") if target is not None else \
            tracer.address_place(rule.translated_address)
        yield PathEntry(f"dnat-{rule.name}", f"egress.firewall.dnatRules[{index}]", "declared", "internet",
                        place.label, f"{rule.protocol}/{rule.port}",
                        tracer.trace(internet, place, rule.protocol, rule.port, via="dnat"))


def _flow_paths(origin: str, flow: Flow, spec: Any, tracer: Tracer) -> Iterator[PathEntry]:
    for source in _places(flow.source, spec, tracer):
        for destination in _places(flow.destination, spec, tracer):
            if source.label == destination.label:
                continue
            for protocol, port, label in _ports(flow.ports, destination, spec):
                yield PathEntry(flow.name, origin, "declared", source.label, destination.label, label,
                                tracer.trace(source, destination, protocol, port))


def _derived(spec: Any, plan: Any, tracer: Tracer) -> Iterator[PathEntry]:
    node = tracer.node()

    def to(name: str, origin: str, fqdn: str) -> PathEntry:
        host = fqdn.replace("*.", "any.")
        return PathEntry(name, origin, "derived", "nodes", host, "TCP/443",
                         tracer.trace(node, tracer.fqdn(host), "TCP", 443))

    images = app_images(spec)
    if spec.registry is not None and any(image_registry(i) == spec.registry.login_server for i in images):
        index = next(i for i, image in enumerate(images) if image_registry(image) == spec.registry.login_server)
        for fqdn in registry_endpoints(spec.registry, spec.environment.location):
            yield to("pull-platform", f"kubernetes.apps[{index}].image", fqdn)
    for host, index in pulled_registries(spec):
        for fqdn in registry_fqdns(host):
            yield to(f"pull-{host}", f"kubernetes.apps[{index}].image", fqdn)
    for host in controller_registries(spec):
        for fqdn in registry_fqdns(host):
            yield to(f"pull-{host}", "ingress.controller", fqdn)
    for fqdn in AKS_REQUIRED_FQDNS:
        yield to("aks-required", "cluster", fqdn)
    if not spec.cluster.private:
        entry = to("aks-api-server", "cluster.private", public_api_server_fqdn(spec.environment.location))
        endpoint = _api_endpoint(spec)
        if entry.path.verdict == "allowed" and endpoint is not None:
            entry = dataclasses.replace(entry, path=Path((*entry.path.hops, endpoint)))
        yield entry
    if spec.cluster.azure_policy:
        for fqdn in AZURE_POLICY.fqdns:
            yield to(AZURE_POLICY.name, "cluster.azurePolicy", fqdn)
    for fqdn in plan.gitops_fqdns:
        yield to("gitops", "kubernetes.gitops.url", fqdn)


def _api_endpoint(spec: Any) -> Hop | None:
    """Where the nodes' packet meets a public API server limited to authorized ranges: from the egress
    address the outbound type gives it (https://learn.microsoft.com/azure/aks/nat-gateway: "API server
    cluster traffic is routed and processed through the clusters outbound type")."""
    cluster = spec.cluster
    if not cluster.authorized_ip_ranges:
        return None
    if cluster.api_server_vnet_integration:
        return None  # the nodes reach it inside the VNet
    if cluster.outbound_type == "loadBalancer":
        rule = "authorizedIpRanges and the load balancer's outbound address, which AKS authorizes itself"
    elif nodes_reach_api_through_egress(cluster) and (spec.egress.firewall is not None
                                                      or cluster.outbound_type == "userAssignedNATGateway"):
        owner = "firewall's" if spec.egress.firewall is not None else "NAT gateway's"
        rule = f"authorizedIpRanges and the {owner} public addresses, which the program adds to them"
    else:
        return Hop("loadBalancer", "API server public endpoint", "authorizedIpRanges: the egress appliance's "
                   "public addresses are not known to the stack (nodes-reach-their-public-api-server)", "forward")
    # It passes by construction (the ranges hold the address), so the layer that decided stays the decider.
    return Hop("loadBalancer", "API server public endpoint", rule, "forward")


def _exposures(spec: Any, tracer: Tracer, declared: Sequence[PathEntry]) -> Iterator[PathEntry]:
    """Internet paths to the apps that are allowed although no declared flow is that path."""
    internet = tracer.internet()
    known = {(p.destination, p.port) for p in declared if p.source.startswith("internet")}
    firewall = spec.egress.firewall
    public_ports = {("TCP", 80), ("TCP", 443)} | {(r.protocol, r.port) for r in
                                                 (firewall.dnat_rules if firewall is not None else ())}
    for app in spec.kubernetes.workloads.apps:
        key = f"{app.namespace}/{app.name}"
        ports = public_ports | {(p.protocol, p.port) for p in app.ports} | {(p.protocol, p.container_port)
                                                                            for p in app.ports}
        for protocol, port in sorted(ports):
            if (key, f"{protocol}/{port}") in known:
                continue
            path = tracer.trace(internet, tracer.app_place(key), protocol, port)
            if path.verdict == "allowed":
                yield PathEntry("undeclared", f"kubernetes.apps[{spec.kubernetes.workloads.apps.index(app)}]",
                                "exposure", "internet", key, f"{protocol}/{port}", path)


def _imprecise(spec: Any, plan: Any, net: Network) -> Iterator[tuple[str, str]]:
    firewall = plan.firewall
    if firewall is None:
        return
    names = {rule["name"] for group in firewall.groups if group.name == "workload-egress"
             for collection in group.collections for rule in collection["rules"]}
    why = "pods leave with their node's address (SNAT)" if net.pod_cidr is not None else \
        "every pod of the cluster takes an address there"
    for index, flow in enumerate(spec.kubernetes.workloads.flows):
        if flow.name in names:
            yield (f"kubernetes.flows[{index}]", f"the firewall rule {flow.name} admits all of "
                   f"{', '.join(firewall.workload_sources)} ({why}); only its NetworkPolicy keeps the rest of "
                   "the cluster from it")


@per_plan
def path_report(spec: Any, plan: Any) -> PathReport:
    """The stack's paths, exposures and imprecise firewall sources."""
    net = network_of(spec, plan)
    tracer = Tracer(net)
    declared = list(_declared(spec, tracer))
    return PathReport(tuple(declared + list(_derived(spec, plan, tracer))),
                      tuple(_exposures(spec, tracer, declared)), tuple(_imprecise(spec, plan, net)))


def parse_port(text: str) -> tuple[str, int] | None:
    """`TCP/443` -> ("TCP", 443), or None."""
    protocol, _, number = text.partition("/")
    if protocol.upper() not in ("TCP", "UDP", "SCTP") or not number.isdigit() or not 0 < int(number) < 65536:
        return None
    return protocol.upper(), int(number)


def place_of(text: str, tracer: Tracer) -> Place | str:
    """A place from the command line's words, or what is wrong with them."""
    net = tracer.net
    if text == "internet":
        return tracer.internet()
    if text == "onprem":
        return tracer.onprem() or "onprem: the stack declares no network.onPremises ranges"
    if text == "apiserver":
        return tracer.apiserver()
    if text.startswith("fqdn:"):
        return tracer.fqdn(text[5:]) if text[5:] else "fqdn: needs a name, such as fqdn:api.github.com"
    if "/" in text and not text[0].isdigit():
        if text in net.apps:
            return tracer.app_place(text)
        known = ", ".join(sorted(net.apps)) or "none"
        return f"{text}: not an app of the stack (its apps: {known})"
    try:
        network = ipaddress.IPv4Network(text, strict=False)
    except ValueError:
        return (f"{text}: expected internet, onprem, apiserver, NAMESPACE/APP, fqdn:NAME, or an IPv4 address "
                "or CIDR")
    return tracer.cidr_place(network, text)
