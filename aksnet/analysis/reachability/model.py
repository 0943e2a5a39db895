"""A cluster as the engine sees it: namespaces, pods and the NetworkPolicies. Pure, no Pulumi."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field

from aksnet.analysis.reachability.selectors import Selector
from aksnet.config.workloads import PortRange
from aksnet.vocabulary import NAMESPACE_NAME_LABEL

ALL_ADDRESSES = ipaddress.ip_network("0.0.0.0/0")


@dataclass(frozen=True)
class Pod:
    namespace: str
    name: str
    labels: Mapping[str, str]
    ports: tuple[tuple[str, int, str], ...] = ()
    """Named container ports: (name, port, protocol)."""
    ip: ipaddress.IPv4Address | None = None

    @property
    def id(self) -> str:
        return f"{self.namespace}/{self.name}"


@dataclass(frozen=True)
class Peer:
    pod_selector: Selector | None = None
    namespace_selector: Selector | None = None
    cidr: ipaddress.IPv4Network | None = None
    excepts: tuple[ipaddress.IPv4Network, ...] = ()


@dataclass(frozen=True)
class Rule:
    peers: tuple[Peer, ...] | None
    """None: every peer."""
    ports: tuple[PortRange, ...] | None
    """None: every port."""


@dataclass(frozen=True)
class Policy:
    namespace: str
    name: str
    selector: Selector
    ingress: tuple[Rule, ...] | None
    """None when the policy does not isolate for ingress."""
    egress: tuple[Rule, ...] | None


@dataclass
class Cluster:
    namespaces: dict[str, dict[str, str]] = field(default_factory=dict)
    pods: list[Pod] = field(default_factory=list)
    policies: list[Policy] = field(default_factory=list)

    def add_namespace(self, name: str, labels: Mapping[str, str] | None = None) -> None:
        merged = dict(self.namespaces.get(name, {}))
        merged.update(labels or {})
        merged[NAMESPACE_NAME_LABEL] = name
        self.namespaces[name] = merged
