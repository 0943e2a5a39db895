"""The private DNS zone of a private API server, held in the hub and linked to hub and spoke."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
from pulumi_azure_native import privatedns

from aksnet.plan.naming import tags
from aksnet.spec.stack import Environment


@dataclass(frozen=True)
class PrivateApiDnsArgs:
    environment: Environment
    resource_group_name: pulumi.Input[str]
    zone_name: str
    vnet_ids: Mapping[str, pulumi.Input[str]]
    after: Sequence[pulumi.Resource] = ()
    """The last writes to the linked VNets: a link waits for them (Azure takes one VNet write at a time)."""
    """Role (hub, spoke) to the id of each VNet whose resolvers must answer for the zone."""


class PrivateApiDns(pulumi.ComponentResource):
    """A private DNS zone for the API server and its links to the VNets that resolve it."""

    zone_id: pulumi.Output[str]
    """The zone's resource id, handed to the cluster as `privateDNSZone`."""
    zone_name: pulumi.Output[str]
    """The zone's name."""
    links: list[privatedns.VirtualNetworkLink]
    """The VNet links; the cluster waits for them."""

    def __init__(self, name: str, args: PrivateApiDnsArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("aks-networking:dns:PrivateApiDns", name, None, opts)
        zone = privatedns.PrivateZone(
            f"{name}-zone", private_zone_name=args.zone_name, resource_group_name=args.resource_group_name,
            location="global", tags=tags(args.environment),
            opts=pulumi.ResourceOptions(parent=self, protect=args.environment.protect))
        self.links = [
            privatedns.VirtualNetworkLink(
                f"{name}-link-{role}", virtual_network_link_name=f"link-{role}", private_zone_name=zone.name,
                resource_group_name=args.resource_group_name, location="global",
                virtual_network=privatedns.SubResourceArgs(id=vnet_id),
                # AKS writes the API server's record itself; VMs must not register here.
                registration_enabled=False, tags=tags(args.environment),
                opts=pulumi.ResourceOptions(parent=self, depends_on=list(args.after)))
            for role, vnet_id in args.vnet_ids.items()]
        self.zone_id = zone.id
        self.zone_name = zone.name
        self.register_outputs({"zoneId": self.zone_id, "zoneName": self.zone_name})
