"""Private DNS: the zones of the private API server and of private endpoints, held in the hub and
linked to hub and spoke; and the DNS Private Resolver that answers for them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
from pulumi_azure_native import dnsresolver, privatedns

from aksnet.config.stack import Environment
from aksnet.plan.naming import azure_name, tags


@dataclass(frozen=True)
class PrivateZoneArgs:
    environment: Environment
    resource_group_name: pulumi.Input[str]
    zone_name: str
    vnet_ids: Mapping[str, pulumi.Input[str]]
    """Role (hub, spoke) to the id of each VNet whose resolvers must answer for the zone."""
    after: Sequence[pulumi.Resource] = ()
    """The last writes to the linked VNets: a link waits for them (Azure takes one VNet write at a time)."""


PrivateApiDnsArgs = PrivateZoneArgs


class PrivateZone(pulumi.ComponentResource):
    """A private DNS zone and its links to the VNets that resolve it. Records come from elsewhere
    (AKS writes the API server's, a private endpoint's zone group writes its own): no VM
    auto-registers in it."""

    TYPE = "aks-networking:dns:PrivateZone"
    zone_id: pulumi.Output[str]
    """The zone's resource id."""
    zone_name: pulumi.Output[str]
    """The zone's name."""
    links: list[privatedns.VirtualNetworkLink]
    """The VNet links; whoever needs the names resolved waits for them."""

    def __init__(self, name: str, args: PrivateZoneArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(self.TYPE, name, None, opts)
        zone = privatedns.PrivateZone(
            f"{name}-zone", private_zone_name=args.zone_name, resource_group_name=args.resource_group_name,
            location="global", tags=tags(args.environment),
            opts=pulumi.ResourceOptions(parent=self, protect=args.environment.protect))
        self.links = [
            privatedns.VirtualNetworkLink(
                f"{name}-link-{role}", virtual_network_link_name=f"link-{role}", private_zone_name=zone.name,
                resource_group_name=args.resource_group_name, location="global",
                virtual_network=privatedns.SubResourceArgs(id=vnet_id),
                registration_enabled=False, tags=tags(args.environment),
                opts=pulumi.ResourceOptions(parent=self, depends_on=list(args.after)))
            for role, vnet_id in args.vnet_ids.items()]
        self.zone_id = zone.id
        self.zone_name = zone.name
        self.register_outputs({"zoneId": self.zone_id, "zoneName": self.zone_name})


class PrivateApiDns(PrivateZone):
    """The private API server's zone (`privatelink.<region>.azmk8s.io`), handed to the cluster as
    `privateDNSZone`; AKS writes the API server's record."""

    TYPE = "aks-networking:dns:PrivateApiDns"


@dataclass(frozen=True)
class DnsResolverArgs:
    environment: Environment
    resource_group_name: pulumi.Input[str]
    vnet_id: pulumi.Input[str]
    """The hub: the resolver answers with the private zones linked to it."""
    subnet_id: pulumi.Input[str]
    address: str
    """The inbound endpoint's static address (the plan's `dns_resolver_address`)."""


class DnsResolver(pulumi.ComponentResource):
    """An Azure DNS Private Resolver in the hub with an inbound endpoint at a fixed address.

    On-premises DNS servers forward the private zones (`privatelink.<region>.azmk8s.io` and the
    like) to that address. https://learn.microsoft.com/azure/dns/dns-private-resolver-overview
    """

    address: str
    """The inbound endpoint's address."""

    def __init__(self, name: str, args: DnsResolverArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("aks-networking:dns:DnsResolver", name, None, opts)
        env = args.environment
        resolver = dnsresolver.DnsResolver(
            f"{name}-resolver", dns_resolver_name=azure_name(env, "dnspr", "hub"),
            resource_group_name=args.resource_group_name, location=env.location,
            virtual_network=dnsresolver.SubResourceArgs(id=args.vnet_id), tags=tags(env),
            opts=pulumi.ResourceOptions(parent=self))
        dnsresolver.InboundEndpoint(
            f"{name}-inbound", inbound_endpoint_name="inbound", dns_resolver_name=resolver.name,
            resource_group_name=args.resource_group_name, location=env.location,
            ip_configurations=[dnsresolver.IpConfigurationArgs(
                subnet=dnsresolver.SubResourceArgs(id=args.subnet_id), private_ip_address=args.address,
                private_ip_allocation_method="Static")],
            tags=tags(env), opts=pulumi.ResourceOptions(parent=self))
        self.address = args.address
        self.register_outputs({"address": self.address})
