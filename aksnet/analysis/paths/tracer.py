"""The tracer: one packet's path, from any place to any other, name resolution included. Pure, no Pulumi."""

from __future__ import annotations

from aksnet.analysis.paths.inbound import InboundWalk
from aksnet.analysis.paths.network import Place
from aksnet.analysis.paths.packet import INTERNET_ADDRESS, Packet
from aksnet.analysis.paths.verdict import Hop, Path
from aksnet.plan.outbound import public_api_server_fqdn
from aksnet.plan.routing import PEERING


class Tracer(InboundWalk):
    """Walks packets through a `Network`; `trace` is the one entry."""

    # Paths ----------------------------------------------------------------------------------

    def trace(self, source: Place, destination: Place, protocol: str, port: int, via: str | None = None) -> Path:
        """The path of one packet. `via` limits the internet's ways in to one kind of frontend:
        `ingress`, `service` or `dnat` (None: whichever lets the packet through)."""
        hops: list[Hop] = []
        if destination.kind == "apiserver":
            return Path(tuple(self._to_api(source, protocol, port, hops)))
        if destination.fqdn is not None:
            destination = self._resolve(source, destination, hops)
        if source.kind == "internet" and destination.kind == "privateEndpoint":
            return Path((*hops, Hop("privateEndpoint", f"public endpoint of {destination.fqdn}",
                                    "public network access disabled: private endpoint only", "deny")))
        if source.kind == "internet" and destination.kind == "apiserver":
            # A private cluster's API server has no public endpoint (https://learn.microsoft.com/azure/aks/private-clusters).
            return Path((*hops, Hop("privateEndpoint", "private endpoint of API server",
                                    "private cluster: no public endpoint", "deny")))
        if source.kind == "internet":
            return self._inbound(source, destination, protocol, port, via)
        if source.kind == "onprem":
            return Path(tuple(self._from_onprem(source, destination, protocol, port, hops)))
        return Path(tuple(self._from_inside(source, destination, protocol, port, hops)))

    def _resolve(self, source: Place, destination: Place, hops: list[Hop]) -> Place:
        name = destination.fqdn or ""
        private = self.net.private_names.get(name)
        if private is not None:
            zone, address = private
            if source.kind == "internet":  # public DNS answers, but the service's public access is off
                hops.append(Hop("dns", "public DNS", f"{name} -> its public endpoint", "resolve"))
                return Place("privateEndpoint", destination.label, None, fqdn=name)
            hops.append(Hop("dns", f"private zone {zone}", f"{name} -> {address}", "resolve"))
            return Place("privateEndpoint", destination.label, address, subnet=self.net.subnet_of(address), fqdn=name)
        api_zone = self.net.api_zone
        if api_zone is not None and self.net.api_address is not None and name.endswith("." + api_zone):
            if source.kind == "internet":  # the private zone is not the internet's: no public endpoint behind the name
                hops.append(Hop("dns", "public DNS", f"{name}: no public address of the API server", "resolve"))
                return Place("apiserver", destination.label, None, fqdn=name)
            hops.append(Hop("dns", f"private zone {api_zone}", f"{name} -> {self.net.api_address}", "resolve"))
            return Place("apiserver", destination.label, self.net.api_address, fqdn=name)
        hops.append(Hop("dns", "public DNS", f"{name} -> a public address", "resolve"))
        return Place("internet", destination.label, INTERNET_ADDRESS, fqdn=name, tags=frozenset({"Internet"}))

    def _from_onprem(self, source: Place, destination: Place, protocol: str, port: int,
                     hops: list[Hop]) -> list[Hop]:
        hops.append(Hop("route", "hub gateway", f"{source.address} arrives through the hub's gateway", "forward"))
        if destination.address is None or self.net.vnet_of(destination.address) is None:
            return [*hops, Hop("route", "hub gateway", "on-premises reaches only the stack's VNets", "deny")]
        if self.net.vnet_of(destination.address) == "spoke" and self.net.hub and \
                not (PEERING.allow_gateway_transit and PEERING.use_remote_gateways):
            return [*hops, Hop("peering", "hub -> spoke", "no gateway transit: the spoke's ranges are not "
                               "advertised on-premises", "deny")]
        assert source.address is not None and destination.address is not None
        packet = Packet(source.address, destination.address, protocol, port)
        return self._deliver(destination, packet, "hub" if self.net.hub else "spoke", hops, forwarded=True)

    def _to_api(self, source: Place, protocol: str, port: int, hops: list[Hop]) -> list[Hop]:
        net = self.net
        if not net.private_api:
            address = source.address if source.kind in ("internet", "onprem") else None
            if address is None:
                # A VNet-wide range without a subnet sends by its VNet's system routes (_vnet_subnet).
                return self._from_inside(source, self.fqdn_destination(), protocol, port, hops) \
                    if source.subnet is not None or source.vnet is not None else hops
            ok = not net.authorized_ranges or any(address in r for r in net.authorized_ranges)
            return [*hops, Hop("loadBalancer", "API server public endpoint",
                               "authorizedIpRanges" if net.authorized_ranges else "open to the internet",
                               "allow" if ok else "deny")]
        if source.kind == "internet":
            return [*hops, Hop("privateEndpoint", "private endpoint of API server",
                               "private cluster: no public endpoint", "deny")]
        if net.api_zone is not None:
            hops.append(Hop("dns", f"private zone {net.api_zone}", f"API server -> {net.api_address}", "resolve"))
        destination = self.apiserver()
        if source.kind == "onprem":
            return self._from_onprem(source, destination, protocol, port, hops)
        return self._from_inside(source, destination, protocol, port, hops)

    def fqdn_destination(self) -> Place:
        """A public API server, as the cluster reaches it: a name under the AKS FQDN tag."""
        return Place("internet", "apiserver", INTERNET_ADDRESS, fqdn=public_api_server_fqdn(self.net.location),
                     tags=frozenset({"Internet"}))
