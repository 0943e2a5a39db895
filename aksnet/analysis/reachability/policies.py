"""A `networking.k8s.io/v1` NetworkPolicy manifest, read into the engine's model. Pure, no Pulumi."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import Any

from aksnet.analysis.reachability.model import Peer, Policy, Rule
from aksnet.analysis.reachability.ports import MAX_PORT, PROTOCOLS
from aksnet.analysis.reachability.selectors import Selector
from aksnet.config.workloads import PortRange


def parse_policy(manifest: Mapping[str, Any], default_namespace: str = "default") -> Policy:
    """A `networking.k8s.io/v1` NetworkPolicy; raises `SelectorError` or `ValueError` when invalid."""
    meta = manifest.get("metadata") or {}
    spec = manifest.get("spec") or {}
    if not isinstance(spec, Mapping):
        raise ValueError("spec must be a mapping")
    namespace = meta.get("namespace") or default_namespace
    types = spec.get("policyTypes")
    if not types:
        # As the API server defaults it (SetDefaults_NetworkPolicy, pkg/apis/networking/v1/defaults.go): a list
        # of length 0, absent or empty, becomes Ingress, and Egress joins only when the egress list is not empty.
        types = ["Ingress"] + (["Egress"] if spec.get("egress") else [])
    for kind in types:
        if kind not in ("Ingress", "Egress"):
            raise ValueError(f"policyTypes entry {kind!r} is not Ingress or Egress")

    def rules(section: str, peer_key: str) -> tuple[Rule, ...]:
        out = []
        for raw in spec.get(section) or []:
            raw = raw or {}
            peers_raw = raw.get(peer_key)
            peers = None if not peers_raw else tuple(_peer(p) for p in peers_raw)
            ports_raw = raw.get("ports")
            ports = None if not ports_raw else tuple(_port(p) for p in ports_raw)
            out.append(Rule(peers, ports))
        return tuple(out)

    return Policy(
        namespace=namespace, name=str(meta.get("name", "")),
        selector=Selector.parse(spec.get("podSelector") if spec.get("podSelector") is not None else {}),
        ingress=rules("ingress", "from") if "Ingress" in types else None,
        egress=rules("egress", "to") if "Egress" in types else None)


def _peer(raw: Any) -> Peer:
    if not isinstance(raw, Mapping):
        raise ValueError("a peer must be a mapping")
    # A null selector is an absent one: the fields are pointers, JSON null decodes to nil, and the API server
    # counts only set ones (ValidateNetworkPolicyPeer, pkg/apis/networking/validation/validation.go).
    pods, namespaces, block = raw.get("podSelector"), raw.get("namespaceSelector"), raw.get("ipBlock")
    if block is not None:
        if pods is not None or namespaces is not None:
            raise ValueError("ipBlock cannot be combined with podSelector or namespaceSelector in one peer")
        cidr = ipaddress.ip_network(str(block.get("cidr")), strict=False)
        excepts = tuple(ipaddress.ip_network(str(e), strict=False) for e in block.get("except") or ())
        for excluded in excepts:
            if not excluded.subnet_of(cidr) or excluded == cidr:  # type: ignore[arg-type]
                raise ValueError(f"except {excluded} must lie strictly inside {cidr}")
        if cidr.version != 4:
            raise ValueError("only IPv4 ipBlocks are evaluated")
        return Peer(cidr=cidr, excepts=excepts)  # type: ignore[arg-type]
    if pods is None and namespaces is None:
        raise ValueError("a peer needs podSelector, namespaceSelector or ipBlock")
    return Peer(pod_selector=Selector.parse(pods) if pods is not None else None,
                namespace_selector=Selector.parse(namespaces) if namespaces is not None else None)


def _port(raw: Any) -> PortRange:
    if not isinstance(raw, Mapping):
        raise ValueError("a port entry must be a mapping")
    # An unset protocol is TCP (SetDefaults_NetworkPolicyPort, pkg/apis/networking/v1/defaults.go); the field is a
    # pointer, so JSON null is unset too, while an empty string is a value validation refuses.
    protocol = raw.get("protocol")
    protocol = "TCP" if protocol is None else protocol
    if protocol not in PROTOCOLS:
        raise ValueError(f"protocol {protocol!r} is not TCP, UDP or SCTP")
    port, end = raw.get("port"), raw.get("endPort")
    if isinstance(port, str) and not port.isdigit():
        if end is not None:
            raise ValueError("endPort needs a numeric port")
        return PortRange(protocol, name=port)
    if port is None:
        if end is not None:
            raise ValueError("endPort needs a port")
        return PortRange(protocol)
    number = int(port)
    if not 1 <= number <= MAX_PORT or (end is not None and not number <= int(end) <= MAX_PORT):
        raise ValueError(f"port {port}-{end} is out of range")
    return PortRange(protocol, number, int(end) if end is not None else None)
