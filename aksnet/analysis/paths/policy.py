"""The NetworkPolicy layer: the stack's NetworkPolicies, decided by the reachability engine, for the
ends of a path (an app, or an outside region of the policies). Pure, no Pulumi."""

from __future__ import annotations

import bisect
from typing import Any

from aksnet.analysis.paths.network import Place
from aksnet.analysis.paths.packet import IPv4
from aksnet.analysis.paths.verdict import Hop
from aksnet.analysis.reachability import Reachability, member_text


def ports_allow(ports: Any, protocol: str, port: int) -> bool:
    return any(p == protocol and any(a <= port <= b for a, b in intervals) for p, intervals in ports.ranges)


class PolicyLayer:
    """Who a path's ends are to the policies, and what the policies let between them."""

    def __init__(self, reach: Reachability | None):
        self.reach = reach
        regions = [g.external for g in reach.groups if g.external is not None] if reach else []
        # The outside regions as sorted integer ranges, to find an address's region by bisection.
        self._region_ranges = sorted((int(c.network_address), int(c.broadcast_address), r.id)
                                     for r in regions for c in r.cidrs)
        self._region_starts = [start for start, _, _ in self._region_ranges]

    def member(self, place: Place, address: IPv4 | None = None) -> str | None:
        """The app, or the outside region, a place is to the policies; None: neither."""
        if place.app is not None:
            return place.app.key
        address = address or place.address
        if address is None:
            return None
        index = bisect.bisect_right(self._region_starts, int(address)) - 1
        if index >= 0 and self._region_ranges[index][1] >= int(address):
            return self._region_ranges[index][2]
        return None

    def hop(self, source: str | None, destination: str | None, protocol: str, port: int,
            shown: tuple[str, str] | None = None) -> Hop | None:
        """`shown`: how to name the two ends, when an outside region's CIDRs would say less than a label."""
        if self.reach is None or source is None or destination is None:
            return None
        allowed = self.reach.allowed_between(source, destination)
        ok = ports_allow(allowed, protocol, port)
        names = shown or (member_text(source), member_text(destination))
        return Hop("networkPolicy", f"{names[0]} -> {names[1]}", f"{protocol}/{port}", "allow" if ok else "deny")
