"""What the engine finds: endpoint groups no policy tells apart, and the ports allowed between them.
Pure, no Pulumi."""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass

from aksnet.analysis.reachability.model import Pod
from aksnet.analysis.reachability.ports import NOTHING, PortSet


@dataclass(frozen=True)
class External:
    """A region of outside addresses no ipBlock boundary splits, as CIDRs."""

    cidrs: tuple[ipaddress.IPv4Network, ...]

    @property
    def id(self) -> str:
        return ",".join(str(c) for c in self.cidrs)


def member_text(member: str) -> str:
    """An endpoint's name in a sentence: an outside region can span many CIDRs, so name the first
    and count the rest."""
    ranges = member.split(",")
    return member if len(ranges) == 1 else f"{ranges[0]} (+{len(ranges) - 1} more ranges)"


@dataclass
class Group:
    """Endpoints no policy can tell apart: pods of one class, or one outside region."""

    members: list[str]
    pods: list[Pod]
    external: External | None = None


@dataclass
class Reachability:
    groups: list[Group]
    allowed: dict[tuple[int, int], PortSet]
    """(source group, destination group) -> ports allowed; absent: nothing."""

    def pairs(self) -> Iterable[tuple[str, str, PortSet]]:
        """Every allowed (source, destination, ports), endpoint by endpoint."""
        for (s, d), ports in sorted(self.allowed.items()):
            for src in self.groups[s].members:
                for dst in self.groups[d].members:
                    if src != dst:
                        yield src, dst, ports

    @functools.cached_property
    def _group_of(self) -> dict[str, int]:
        return {m: i for i, g in enumerate(self.groups) for m in g.members}

    def allowed_between(self, source: str, destination: str) -> PortSet:
        index = self._group_of
        return self.allowed.get((index[source], index[destination]), NOTHING)
