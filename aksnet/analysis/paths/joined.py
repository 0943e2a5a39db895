"""Paths across the spokes of a landing zone, through its hub's firewall. Pure, no Pulumi.

Each spoke is its own stack and its own `Network`; the hub joins them: a spoke reaches another
only through the hub's firewall (peering is not transitive:
https://learn.microsoft.com/azure/virtual-network/virtual-network-peering-overview), on the routes
its attachment adds to its route table. A packet from an app of spoke A to an address of spoke B
is walked through A's NetworkPolicy, A's NSG, A's routes, the peering to the hub, the hub's
firewall policy (every spoke's rule collection group on it, in Azure's order), the peering into
B (forwarded traffic), B's NSG, B's internal load balancer and B's NetworkPolicy; the reply must
come back through the firewall (B's routes), or the firewall, which never saw it leave, drops it, and
the firewall forwards it into A, whose peering must then admit forwarded traffic too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from aksnet.analysis.paths.firewall import CompiledFirewall, FirewallContext, firewall_rules
from aksnet.analysis.paths.network import Network, Place
from aksnet.analysis.paths.nsg import nsg_decide
from aksnet.analysis.paths.packet import FIREWALL_PUBLIC_ADDRESS, AddressBook, IPv4, Net, Packet
from aksnet.analysis.paths.routes import Route, route_lookup
from aksnet.analysis.paths.tracer import Tracer
from aksnet.analysis.paths.verdict import Hop, Path, stops
from aksnet.plan.egress_rules import RuleGroup
from aksnet.plan.outbound import AKS_FQDN_TAG, AKS_TAG_FQDNS
from aksnet.plan.routing import PeeringSettings


@dataclass(frozen=True)
class JoinedSpoke:
    name: str
    net: Network
    rule_group: RuleGroup | None
    ip_groups: Mapping[str, Sequence[str]]
    routes: tuple[tuple[str, str], ...]
    """The attachment's routes to the other spokes, through the hub's firewall."""
    peering: PeeringSettings
    has_return_peering: bool = True
    """The hub's half of the peering exists (a peering works only with both halves)."""


@dataclass(frozen=True)
class JoinedHub:
    name: str
    address_space: tuple[Net, ...]
    firewall_address: IPv4
    dns_proxy: bool
    location: str


class LandingZoneTracer:
    """The joined network: `trace` walks a packet from one spoke's app to another spoke's address."""

    def __init__(self, hub: JoinedHub, spokes: Sequence[JoinedSpoke]):
        self.hub = hub
        self.spokes = {s.name: s for s in spokes}
        groups, ip_groups = [], {}
        for spoke in spokes:
            if spoke.rule_group is None:
                continue
            # Each spoke's IP groups are its own resources: name them apart on the shared policy.
            ip_groups.update({f"{spoke.name}/{key}": tuple(v) for key, v in spoke.ip_groups.items()})
            prefix = f"{spoke.name}/"
            collections = tuple({**c, "rules": [{**r, "sourceIpGroups": [prefix + g for g in r["sourceIpGroups"]]}
                                                if "sourceIpGroups" in r else r for r in c["rules"]]}
                                for c in spoke.rule_group.collections)
            groups.append(replace(spoke.rule_group, collections=collections))
        tag_fqdns = {AKS_FQDN_TAG: (*AKS_TAG_FQDNS, f"*.hcp.{hub.location}.azmk8s.io")}
        self.firewall = CompiledFirewall(firewall_rules(groups),
                                         FirewallContext(ip_groups, FIREWALL_PUBLIC_ADDRESS, hub.dns_proxy, tag_fqdns))

    def spoke_of(self, address: IPv4) -> JoinedSpoke | None:
        return next((s for s in self.spokes.values()
                     if any(address in n for spaces in s.net.vnet_spaces.values() for n in spaces)), None)

    def _book(self, spoke: JoinedSpoke, routes: Sequence[Route]) -> AddressBook:
        """The VirtualNetwork tag of a subnet of a spoke: its VNet's space, its peer's (the hub's),
        on-premises, and the prefixes of its user-defined routes (the default route aside).
        https://learn.microsoft.com/azure/virtual-network/service-tags-overview#available-service-tags"""
        routed = tuple(r.prefix for r in routes if r.origin == "user" and r.prefix.prefixlen > 0)
        return AddressBook((*spoke.net.book().virtual_network, *self.hub.address_space, *routed))

    def _routes(self, spoke: JoinedSpoke, subnet_routes: Sequence[Route]) -> list[Route]:
        """A subnet's routes with the attachment's: the default route and the other spokes' to the firewall."""
        routes = [replace(r, address=self.hub.firewall_address) if r.next_hop == "VirtualAppliance"
                  and r.address is None else r for r in subnet_routes]
        if any(r.next_hop == "VirtualAppliance" for r in routes):
            routes += [Route(Net(prefix), "VirtualAppliance", "user", name, self.hub.firewall_address)
                       for name, prefix in spoke.routes]
        return routes

    def trace(self, source: str, app: str, destination: IPv4, protocol: str, port: int, label: str) -> Path:
        """The path of one packet from `app` (namespace/name) of spoke `source` to `destination`."""
        a = self.spokes[source]
        b = self.spoke_of(destination)
        walk_a = Tracer(a.net)
        place = walk_a.app_place(app)
        hops: list[Hop] = []
        outside = Place("address", label, destination)
        if stops(hops, walk_a.policy.hop(app, walk_a.policy.member(outside, destination), protocol, port,
                                         (app, label))):
            return Path(tuple(hops))
        sender = walk_a._egress_address(place)  # the node's, behind kubenet or Overlay
        packet = Packet(sender, destination, protocol, port)
        subnet = place.subnet
        assert subnet is not None
        routes = self._routes(a, subnet.routes)
        if subnet.nsg is not None:
            rule = nsg_decide(subnet.nsg, "Outbound", packet, self._book(a, routes))
            if stops(hops, Hop("nsg", f"nsg of {subnet.azure_name} ({source})",
                               f"{rule.name} (outbound, priority {rule.priority})",
                               "allow" if rule.access == "Allow" else "deny")):
                return Path(tuple(hops))
        route = route_lookup(routes, destination)
        through = route.next_hop == "VirtualAppliance" and route.address == self.hub.firewall_address
        hops.append(Hop("route", f"routes of {subnet.azure_name} ({source})",
                        f"{route.prefix} -> {route.next_hop}{f' {route.address}' if route.address else ''} "
                        f"({route.origin}: {route.name})", "forward" if through else "deny"))
        if not through:
            return Path(tuple(hops))
        hops.append(Hop("peering", f"{source} -> {self.hub.name}", "allowVirtualNetworkAccess",
                        "forward" if a.peering.allow_virtual_network_access and a.has_return_peering else "deny"))
        if hops[-1].action == "deny":
            return Path(tuple(hops))
        decided = self.firewall.decide(packet)
        hops.append(Hop("firewall", f"firewall policy of {self.hub.name}",
                        decided.name if decided is not None else "no rule matches: denied by default",
                        "allow" if decided is not None and decided.action == "Allow" else "deny"))
        if hops[-1].action == "deny":
            return Path(tuple(hops))
        if b is None:
            return Path((*hops, Hop("route", f"firewall of {self.hub.name}", f"{destination} is in no spoke of the "
                                    "landing zone", "deny")))
        admitted = b.peering.allow_virtual_network_access and b.peering.allow_forwarded_traffic and b.has_return_peering
        hops.append(Hop("peering", f"{self.hub.name} -> {b.name}", "allowForwardedTraffic",
                        "forward" if admitted else "deny"))
        if not admitted:
            return Path(tuple(hops))
        return Path(tuple(self._into(b, packet, protocol, port, label, source, hops)))

    def _into(self, b: JoinedSpoke, packet: Packet, protocol: str, port: int, label: str, source: str,
              hops: list[Hop]) -> list[Hop]:
        destination = packet.destination
        assert destination is not None
        subnet = b.net.subnet_of(destination)
        if subnet is not None and subnet.nsg is not None:
            rule = nsg_decide(subnet.nsg, "Inbound", packet, self._book(b, self._routes(b, subnet.routes)))
            if stops(hops, Hop("nsg", f"nsg of {subnet.azure_name} ({b.name})",
                               f"{rule.name} (inbound, priority {rule.priority})",
                               "allow" if rule.access == "Allow" else "deny")):
                return hops
        app = next((a for a in b.net.apps.values() if a.service_type == "InternalLoadBalancer"
                    and a.static_ip == destination), None)
        if app is None:
            return [*hops, Hop("loadBalancer", f"{destination} ({b.name})", "no internal load balancer frontend of "
                               "an app at this address", "deny")]
        service = next(((p, s, c) for p, s, c in app.service_ports if p == protocol and s == port), None)
        if service is None:
            return [*hops, Hop("loadBalancer", f"internal load balancer {destination} ({b.name})",
                               f"{app.key} has no {protocol}/{port} frontend", "deny")]
        hops.append(Hop("loadBalancer", f"internal load balancer {destination} ({b.name})",
                        f"{app.key} {protocol}/{port}", "forward"))
        walk_b = Tracer(b.net)
        sender = Place("address", f"{source} nodes", packet.source)
        if stops(hops, walk_b.policy.hop(walk_b.policy.member(sender, packet.source), app.key, protocol, service[2],
                                         (f"{source} ({packet.source})", f"{b.name}: {app.key}"))):
            return hops
        # The reply leaves B's nodes by B's routes: back through the firewall, or it is asymmetric.
        nodes = b.net.subnets.get(b.net.node_subnet)
        if nodes is not None:
            back = route_lookup(self._routes(b, nodes.routes), packet.source)
            if not (back.next_hop == "VirtualAppliance" and back.address == self.hub.firewall_address):
                return [*hops, Hop("route", f"routes of {nodes.azure_name} ({b.name})",
                                   f"the reply to {packet.source} leaves by {back.prefix} -> {back.next_hop}, not "
                                   "back through the hub's firewall (asymmetric routing)", "deny")]
        # The firewall forwards the reply into A: A's peering must admit forwarded traffic too, as each
        # spoke's must for traffic between spokes through the hub to flow.
        # https://learn.microsoft.com/azure/virtual-network/virtual-network-manage-peering#create-a-peering
        if not self.spokes[source].peering.allow_forwarded_traffic:
            hops.append(Hop("peering", f"{self.hub.name} -> {source}",
                            "allowForwardedTraffic: the reply the hub's firewall forwards back", "deny"))
        return hops
