"""Port sets: what a rule, a policy or a path allows, per protocol, as merged ranges. Pure, no Pulumi."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from aksnet.config.workloads import PortRange
from aksnet.vocabulary import KUBERNETES_PROTOCOLS

PROTOCOLS = KUBERNETES_PROTOCOLS
MAX_PORT = 65535


@dataclass(frozen=True)
class PortSet:
    """Ports per protocol as sorted, disjoint, inclusive intervals. `ranges` empty: nothing."""

    ranges: tuple[tuple[str, tuple[tuple[int, int], ...]], ...] = ()

    @staticmethod
    def all() -> PortSet:
        return ALL_PORTS

    @staticmethod
    def of(items: Iterable[tuple[str, int, int]]) -> PortSet:
        by_protocol: dict[str, list[tuple[int, int]]] = {}
        for protocol, start, end in items:
            by_protocol.setdefault(protocol, []).append((start, end))
        return PortSet(tuple((p, _merge(by_protocol[p])) for p in PROTOCOLS if p in by_protocol))

    def __bool__(self) -> bool:
        return bool(self.ranges)

    def as_dict(self) -> dict[str, tuple[tuple[int, int], ...]]:
        return dict(self.ranges)

    def union(self, other: PortSet) -> PortSet:
        if not other.ranges:
            return self
        if not self.ranges:
            return other
        return PortSet.of([(p, a, b) for s in (self, other) for p, iv in s.ranges for a, b in iv])

    def intersect(self, other: PortSet) -> PortSet:
        mine, theirs = self.as_dict(), other.as_dict()
        out = []
        for protocol in PROTOCOLS:
            for a, b in mine.get(protocol, ()):
                for c, d in theirs.get(protocol, ()):
                    if max(a, c) <= min(b, d):
                        out.append((protocol, max(a, c), min(b, d)))
        return PortSet.of(out)

    @property
    def is_all(self) -> bool:
        return self == ALL_PORTS

    def describe(self) -> Any:
        """`"all"`, or a sorted list such as `["TCP/80", "TCP/8000-8080", "UDP/53"]`."""
        if self.is_all:
            return "all"
        out = []
        for protocol, intervals in self.ranges:
            for a, b in intervals:
                out.append(f"{protocol}/{a}" if a == b else (f"{protocol}/all" if (a, b) == (1, MAX_PORT)
                                                             else f"{protocol}/{a}-{b}"))
        return out


ALL_PORTS = PortSet(tuple((p, ((1, MAX_PORT),)) for p in PROTOCOLS))


def _merge(intervals: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    out: list[tuple[int, int]] = []
    for a, b in sorted(intervals):
        if out and a <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return tuple(out)


NOTHING = PortSet()


def resolve_ports(rule_ports: tuple[PortRange, ...] | None, named: tuple[tuple[str, int, str], ...]) -> PortSet:
    """A rule's ports as a port set (None: every port), a named port resolved against the destination's
    named container ports, (name, port, protocol)."""
    if rule_ports is None:
        return PortSet.all()
    items = []
    for rule in rule_ports:
        if rule.name is not None:
            items += [(rule.protocol, port, port) for name, port, protocol in named
                      if name == rule.name and protocol == rule.protocol]
        elif rule.port is None:
            items.append((rule.protocol, 1, MAX_PORT))
        else:
            items.append((rule.protocol, rule.port, rule.end_port or rule.port))
    return PortSet.of(items)
