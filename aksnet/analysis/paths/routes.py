"""The route layer: the longest prefix over a subnet's effective routes (its route table, the VNet,
its peerings, Azure's system routes:
https://learn.microsoft.com/azure/virtual-network/virtual-networks-udr-overview). Pure, no Pulumi."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from aksnet.analysis.paths.packet import PRIVATE, IPv4, Net


@dataclass(frozen=True)
class Route:
    prefix: Net
    next_hop: str
    """VnetLocal, VNetPeering, Internet, VirtualAppliance, VirtualNetworkGateway, None, or Cluster (AKS's own
    routing of the pod CIDR)."""
    origin: str
    """`user` (the route table), `aks`, `gateway` (a virtual network gateway's, for on-premises) or `system`."""
    name: str
    address: IPv4 | None = None


ORIGIN_RANK = {"user": 3, "aks": 2, "gateway": 1, "system": 0}
"""On equal prefixes a user route overrides what AKS programs, which overrides a virtual network gateway's
routes, which override Azure's system routes (#how-azure-selects-a-route: user, then BGP, then system)."""


def route_lookup(routes: Sequence[Route], address: IPv4) -> Route:
    """Longest prefix wins; on equal prefixes the higher origin (ORIGIN_RANK), then the first listed."""
    best: Route | None = None
    for route in routes:
        if address not in route.prefix:
            continue
        # A VNet's own space overrides the None route of the private range it lies in.
        if best is None or (route.prefix.prefixlen, ORIGIN_RANK[route.origin], route.next_hop != "None") > \
                (best.prefix.prefixlen, ORIGIN_RANK[best.origin], best.next_hop != "None"):
            best = route
    assert best is not None, "0.0.0.0/0 is always a route"
    return best


RESERVED = (*PRIVATE, Net("100.64.0.0/10"))
"""The ranges Azure gives a None route by default: RFC 1918's, and RFC 6598's shared address space."""


def system_routes(vnet: str, spaces: Mapping[str, Sequence[Net]], peered: bool) -> list[Route]:
    routes = [Route(Net("0.0.0.0/0"), "Internet", "system", "default")]
    # A reserved range inside a space of the VNet keeps its None route (the space's longer route wins
    # where it applies); one the VNet's space includes, or equals, becomes Virtual network: Azure
    # removes its None route (https://learn.microsoft.com/azure/virtual-network/virtual-networks-udr-overview#default).
    own = spaces.get(vnet, ())
    routes += [Route(n, "None", "system", "private-range") for n in RESERVED
               if not any(n.subnet_of(space) for space in own)]
    for other, prefixes in spaces.items():
        if other == vnet:
            routes += [Route(p, "VnetLocal", "system", "vnet-local") for p in prefixes]
        elif peered:
            routes += [Route(p, "VNetPeering", "system", f"peering-{other}") for p in prefixes]
    return routes

