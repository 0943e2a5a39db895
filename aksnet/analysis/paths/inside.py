"""Paths from inside the VNets: from a subnet, an app or a VNet-wide range, through policies, NSGs,
routes, peerings, the firewall and internal load balancers, to their destination and back. The
tracer (`aksnet.analysis.paths.tracer`) builds on it. Pure, no Pulumi."""

from __future__ import annotations

from aksnet.analysis.paths.firewall import CompiledFirewall, FirewallRule
from aksnet.analysis.paths.network import Network, Place, Subnet
from aksnet.analysis.paths.nsg import nsg_decide
from aksnet.analysis.paths.packet import INTERNET_ADDRESS, PRIVATE, IPv4, Net, Packet
from aksnet.analysis.paths.policy import PolicyLayer
from aksnet.analysis.paths.routes import RESERVED, Route, route_lookup, system_routes
from aksnet.analysis.paths.verdict import Hop, stops
from aksnet.plan.routing import PEERING


class VnetWalk:
    """Places, each layer's hop, and the walk of a packet that starts inside the VNets."""

    def __init__(self, net: Network):
        self.net = net
        self.book = net.book()
        self.policy = PolicyLayer(net.reach)
        self._firewall = CompiledFirewall(net.firewall_rules, net.firewall_context) \
            if net.firewall_context is not None else None

    # Places ---------------------------------------------------------------------------------

    def node(self) -> Place:
        nodes = self.net.subnets["nodes"]
        return Place("node", "nodes", nodes.prefix.network_address + 5, subnet=nodes)

    def app_place(self, key: str) -> Place:
        app = self.net.apps[key]
        subnet = self.net.subnets[self.net.node_subnet]
        return Place("app", key, app.address, subnet=subnet, app=app)

    def address_place(self, address: IPv4, label: str | None = None) -> Place:
        label = label or str(address)
        subnet = self.net.subnet_of(address)
        if subnet is not None:
            return Place("address", label, address, subnet=subnet)
        vnet = self.net.vnet_of(address)
        if vnet is not None:
            return Place("address", label, address, vnet=vnet)
        if any(address in n for n in self.net.on_premises):
            return Place("onprem", label, address)
        # A private address outside the VNets is not in the Internet tag, which covers only what the public
        # internet reaches (https://learn.microsoft.com/azure/virtual-network/service-tags-overview#available-service-tags).
        public = not any(address in n for n in PRIVATE)
        return Place("internet", label, address, tags=frozenset({"Internet"}) if public else frozenset())

    def cidr_place(self, network: Net, label: str) -> Place:
        """A range, as one address of it stands for it (the first usable one of a range of more than two)."""
        return self.address_place(network.network_address + (1 if network.num_addresses > 2 else 0), label)

    def internet(self) -> Place:
        return Place("internet", "internet", INTERNET_ADDRESS, tags=frozenset({"Internet"}))

    def onprem(self) -> Place | None:
        if not self.net.on_premises:
            return None
        return Place("onprem", "onprem", self.net.on_premises[0].network_address + 1)

    def fqdn(self, name: str) -> Place:
        return Place("fqdn", f"fqdn:{name}", None, fqdn=name.lower())

    def apiserver(self) -> Place:
        return Place("apiserver", "apiserver", self.net.api_address)

    def _egress_address(self, place: Place) -> IPv4:
        """The source the VNet sees: pods behind kubenet or Overlay leave with their node's address."""
        if place.kind == "app" and self.net.pod_cidr is not None:
            return self.node().address  # type: ignore[return-value]
        assert place.address is not None
        return place.address

    # NetworkPolicy --------------------------------------------------------------------------

    def _member(self, place: Place, address: IPv4 | None = None) -> str | None:
        return self.policy.member(place, address)

    def _policy_hop(self, source: str | None, destination: str | None, protocol: str, port: int,
                    shown: tuple[str, str] | None = None) -> Hop | None:
        return self.policy.hop(source, destination, protocol, port, shown)

    # Layers ---------------------------------------------------------------------------------

    def _nsg_hop(self, subnet: Subnet, direction: str, packet: Packet) -> Hop | None:
        if subnet.nsg is None:
            return None
        rule = nsg_decide(subnet.nsg, direction, packet, self.book)
        return Hop("nsg", f"nsg of {subnet.azure_name}", f"{rule.name} ({direction.lower()}, priority {rule.priority})",
                   "allow" if rule.access == "Allow" else "deny")

    def _route_hop(self, subnet: Subnet, address: IPv4) -> tuple[Hop, Route]:
        route = route_lookup(subnet.routes, address)
        target = f" {route.address}" if route.address is not None else ""
        rule = f"{route.prefix} -> {route.next_hop}{target} ({route.origin})"
        return Hop("route", f"routes of {subnet.azure_name}", rule,
                   "deny" if route.next_hop == "None" else "forward"), route

    def _peering_hop(self, origin: str, target: str, forwarded: bool) -> Hop:
        admitted = PEERING.allow_virtual_network_access and (PEERING.allow_forwarded_traffic or not forwarded)
        rule = "allowForwardedTraffic" if forwarded else "allowVirtualNetworkAccess"
        return Hop("peering", f"{origin} -> {target}", rule, "forward" if admitted else "deny")

    def _firewall_hop(self, packet: Packet) -> tuple[Hop, FirewallRule | None]:
        assert self._firewall is not None
        rule = self._firewall.decide(packet)
        if rule is None:
            return Hop("firewall", "firewall policy", "no rule matches: denied by default", "deny"), None
        action = {"Allow": "allow", "Deny": "deny", "DNAT": "translate"}[rule.action]
        return Hop("firewall", "firewall policy", rule.name, action), rule

    def _from_inside(self, source: Place, destination: Place, protocol: str, port: int,
                     hops: list[Hop]) -> list[Hop]:
        if source.app is not None and destination.app is not None:
            hops.append(Hop("route", "cluster network", "pod to pod", "forward"))
            hop = self._policy_hop(source.app.key, destination.app.key, protocol, self._container_port(
                destination, protocol, port))
            return hops + ([hop] if hop else [])
        if destination.app is not None:
            return self._to_app(source, destination, protocol, port, hops)
        return self._vnet_path(source, destination, protocol, port, hops)

    def _to_app(self, source: Place, destination: Place, protocol: str, port: int, hops: list[Hop]) -> list[Hop]:
        """From an address of the VNets to an app: through its internal load balancer, or straight to
        its pods when they have VNet addresses."""
        app = destination.app
        assert app is not None
        if app.service_type == "InternalLoadBalancer" and any(
                p == protocol and s == port for p, s, _ in app.service_ports):
            ilb = self.net.subnets.get("ilb") or self.net.subnets["nodes"]
            frontend = app.static_ip or ilb.prefix.network_address + 4
            hops = self._vnet_path(source, self.address_place(frontend), protocol, port, hops)
            if hops and hops[-1].action == "deny":
                return hops
            hops.append(Hop("loadBalancer", f"internal load balancer {frontend}", f"{app.key} {protocol}/{port}",
                            "forward"))
        elif self.net.pod_cidr is None:
            pods = Place("address", app.key, app.address, subnet=self.net.subnets[self.net.node_subnet])
            hops = self._vnet_path(source, pods, protocol, port, hops)
            if hops and hops[-1].action == "deny":
                return hops
        else:
            return [*hops, Hop("route", "cluster network", f"{app.key}: pod addresses from the pod CIDR are routable "
                               "only inside the cluster; reach the app through an internal load balancer", "deny")]
        hop = self._policy_hop(self._member(source), app.key, protocol, self._container_port(destination, protocol,
                                                                                             port),
                               (source.label, app.key))
        return hops + ([hop] if hop else [])

    def _vnet_subnet(self, place: Place) -> Subnet:
        """The subnet a place sends from: its own, or for a VNet-wide range the VNet's system routes."""
        if place.subnet is not None:
            return place.subnet
        assert place.vnet is not None
        return Subnet(place.vnet, place.vnet, self.net.vnet_spaces[place.vnet][0], f"vnet {place.vnet}", None,
                      tuple(system_routes(place.vnet, self.net.vnet_spaces, self.net.hub)))

    def _vnet_path(self, source: Place, destination: Place, protocol: str, port: int, hops: list[Hop]) -> list[Hop]:
        assert destination.address is not None
        subnet = self._vnet_subnet(source)
        if source.app is not None and stops(hops, self._policy_hop(
                source.app.key, self._member(destination), protocol, port, (source.app.key, destination.label))):
            return hops
        packet = Packet(self._egress_address(source), destination.address, protocol, port, destination.fqdn,
                        destination_tags=destination.tags)
        if stops(hops, self._nsg_hop(subnet, "Outbound", packet)):
            return hops
        route_hop, route = self._route_hop(subnet, destination.address)
        hops.append(route_hop)
        if route.next_hop == "None":
            return hops
        if route.next_hop == "VirtualAppliance":
            if route.address is None or route.address != self.net.firewall_address or \
                    self.net.firewall_context is None:
                hops.append(Hop("route", f"appliance {route.address}", "not modelled: assumed to forward", "forward"))
                return hops
            firewall_vnet = self.net.vnet_of(route.address)
            if firewall_vnet is not None and firewall_vnet != subnet.vnet and \
                    stops(hops, self._peering_hop(subnet.vnet, firewall_vnet, forwarded=False)):
                return hops
            firewall_hop, _ = self._firewall_hop(packet)
            hops.append(firewall_hop)
            if firewall_hop.action != "allow":
                return hops
            if destination.subnet is None and destination.kind not in ("apiserver", "privateEndpoint"):
                return hops  # to the internet, from the firewall's public addresses
            return self._deliver(destination, packet, firewall_vnet or subnet.vnet, hops, forwarded=True)
        if route.next_hop == "Internet":
            # Sent to the internet, a VNet's address is not routed back in, nor is a private or shared address
            # routed on it at all (RFC 1918 section 3, RFC 6598): the packet never arrives.
            what = "an address of the VNets" if self.net.vnet_of(destination.address) is not None else \
                "a private address" if any(destination.address in n for n in RESERVED) else None
            if what is not None:
                hops[-1] = Hop("route", route_hop.resource, f"{route_hop.rule}: the internet does not route to "
                               f"{destination.address}, {what}", "deny")
            return hops
        return self._deliver(destination, packet, subnet.vnet, hops, forwarded=False)

    def _deliver(self, destination: Place, packet: Packet, from_vnet: str, hops: list[Hop],
                 forwarded: bool) -> list[Hop]:
        assert destination.address is not None
        target_vnet = self.net.vnet_of(destination.address)
        if target_vnet is not None and target_vnet != from_vnet:
            hops.append(self._peering_hop(from_vnet, target_vnet, forwarded))
            if hops[-1].action == "deny":
                return hops
        if destination.kind in ("apiserver", "privateEndpoint"):
            what = "API server" if destination.kind == "apiserver" else destination.fqdn
            hops.append(Hop("privateEndpoint", f"private endpoint of {what}", f"{packet.protocol}/{packet.port}",
                            "allow" if (packet.protocol, packet.port) == ("TCP", 443) else "deny"))
            return hops
        subnet = destination.subnet
        if subnet is not None:
            hop = self._nsg_hop(subnet, "Inbound", packet)
            if hop is not None:
                hops.append(hop)
        return hops

    def _container_port(self, destination: Place, protocol: str, port: int) -> int:
        if destination.app is None:
            return port
        for proto, service, container in destination.app.service_ports:
            if proto == protocol and service == port:
                return container
        return port

    def _reply(self, subnet: Subnet, to: IPv4, expected: str, hops: list[Hop]) -> list[Hop]:
        """The reply leaves `subnet` by its own routes: through anything but the way the request came
        (`expected`: `direct` or the firewall) is asymmetric, and the stateful device that sees only
        the reply drops it."""
        route = route_lookup(subnet.routes, to)
        through_firewall = route.next_hop == "VirtualAppliance"
        if through_firewall != (expected == "firewall"):
            via = f"{route.next_hop} {route.address}" if route.address else route.next_hop
            why = "which never saw the request (asymmetric routing)" if through_firewall else \
                "not back through the firewall the request came through (asymmetric routing)"
            hops.append(Hop("route", f"routes of {subnet.azure_name}", f"the reply to {to} leaves by {route.prefix} "
                            f"-> {via}, {why}", "deny"))
        return hops
