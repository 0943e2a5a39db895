"""Virtual networks, their subnets and security groups, hub-spoke peering, route tables.

Subnets are standalone `Subnet` resources, never inline on the VNet (the two forms fight and
delete each other). Routes are standalone `Route` resources for the same reason, and because
AKS writes its own routes into a kubenet cluster's route table.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
from pulumi_azure_native import authorization, network, resources

from aksnet.config.ingress_controllers import AGC_DELEGATION
from aksnet.config.stack import Environment, VNetSpec
from aksnet.plan.naming import azure_name, subnet_name, tags
from aksnet.plan.routing import PEERING
from aksnet.plan.security_rules import Rule
from aksnet.vocabulary import NO_NSG_SUBNETS
from components.args import SpecArgs


def standard_public_ip(name: str, env: Environment, role: str, resource_group_name: pulumi.Input[str],
                       zones: Sequence[str], parent: pulumi.Resource) -> network.PublicIPAddress:
    """A Standard, static public IP (the only kind the firewall, gateways, Bastion and NAT take).

    Protected with the environment: partners allow-list egress addresses, and a replaced IP is a new one.
    """
    return network.PublicIPAddress(
        name, public_ip_address_name=azure_name(env, "pip", role), resource_group_name=resource_group_name,
        location=env.location, sku=network.PublicIPAddressSkuArgs(name="Standard", tier="Regional"),
        public_ip_allocation_method="Static", zones=list(zones) or None, tags=tags(env),
        opts=pulumi.ResourceOptions(parent=parent, protect=env.protect))


def _rule_args(rule: Rule) -> network.SecurityRuleArgs:
    single = len(rule.ports) == 1
    return network.SecurityRuleArgs(
        name=rule.name, priority=rule.priority, direction=rule.direction, access=rule.access,
        protocol=rule.protocol, source_address_prefix=rule.source, source_port_range="*",
        destination_address_prefix=rule.destination,
        destination_port_range=rule.ports[0] if single else None,
        destination_port_ranges=None if single else list(rule.ports))


# API server VNet integration delegates its subnet to AKS; AGC's association, to its traffic controllers.
# https://learn.microsoft.com/azure/aks/api-server-vnet-integration
# https://learn.microsoft.com/azure/application-gateway/for-containers/container-networking
DELEGATIONS: Mapping[str, str] = {"apiserver": "Microsoft.ContainerService/managedClusters",
                                  "dns": "Microsoft.Network/dnsResolvers",
                                  "agc": AGC_DELEGATION}


@dataclass(frozen=True)
class ResourceGroupsArgs:
    environment: Environment
    roles: Sequence[str]
    """One group per role: `hub` for the shared network, `spoke` for the cluster's."""
    lock_hub: bool = False
    """A CanNotDelete lock on the hub's group."""


class ResourceGroups(pulumi.ComponentResource):
    """The stack's resource groups, created first: route tables, NAT gateways and VNets go in them."""

    names: dict[str, pulumi.Output[str]]
    """Role to the group's name."""

    def __init__(self, name: str, args: ResourceGroupsArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("aks-networking:network:ResourceGroups", name, None, opts)
        env = args.environment
        self.names = {
            role: resources.ResourceGroup(
                f"{name}-{role}", resource_group_name=azure_name(env, "rg", role), location=env.location,
                tags=tags(env), opts=pulumi.ResourceOptions(parent=self, protect=env.protect)).name
            for role in args.roles}
        if args.lock_hub and "hub" in self.names:
            # https://learn.microsoft.com/azure/azure-resource-manager/management/lock-resources
            authorization.ManagementLockAtResourceGroupLevel(
                f"{name}-hub-lock", lock_name="do-not-delete-the-hub", level="CanNotDelete",
                resource_group_name=self.names["hub"],
                notes="The shared network of every spoke: lift the lock only for a reviewed change.",
                opts=pulumi.ResourceOptions(parent=self, protect=env.protect))
        self.register_outputs({"names": self.names})


@dataclass(frozen=True)
class VirtualNetworkArgs(SpecArgs[VNetSpec]):
    route_tables: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """Subnet role to the id of the route table to associate."""
    nat_gateways: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """Subnet role to the id of the NAT gateway to associate."""
    security_rules: Mapping[str, Sequence[Rule]] = field(default_factory=dict)
    """Subnet role to the rules of its NSG beyond Azure's defaults (aksnet.plan.security_rules)."""
    dns_servers: Sequence[pulumi.Input[str]] = ()
    """The VNet's DNS servers; none: Azure's (168.63.129.16)."""


class VirtualNetwork(pulumi.ComponentResource):
    """A resource group, a VNet, its subnets and an NSG on every subnet that takes one."""

    vnet_id: pulumi.Output[str]
    """The VNet's resource id."""
    vnet_name: pulumi.Output[str]
    """The VNet's Azure name."""
    resource_group_name: pulumi.Input[str]
    """The group it lives in."""
    subnet_ids: dict[str, pulumi.Output[str]]
    """Subnet role (or fixed Azure name) to the subnet's resource id."""
    last_write: pulumi.Resource
    """The VNet's last subnet: what another write to the VNet (a peering, a zone link) waits for."""

    def __init__(self, name: str, args: VirtualNetworkArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("aks-networking:network:VirtualNetwork", name, None, opts)
        env, spec = args.environment, args.spec
        child = pulumi.ResourceOptions(parent=self)
        group = self.resource_group_name = args.resource_group_name
        vnet = network.VirtualNetwork(
            f"{name}-vnet", virtual_network_name=azure_name(env, "vnet", spec.role),
            resource_group_name=group, location=env.location,
            address_space=network.AddressSpaceArgs(address_prefixes=[str(s) for s in spec.address_space]),
            dhcp_options=network.DhcpOptionsArgs(dns_servers=list(args.dns_servers)) if args.dns_servers else None,
            tags=tags(env),
            opts=pulumi.ResourceOptions(parent=self, protect=env.protect))
        self.vnet_id = vnet.id
        self.vnet_name = vnet.name
        self.subnet_ids = {}
        previous: network.Subnet | None = None
        for role, prefix in spec.subnets.items():
            nsg = None
            if role not in NO_NSG_SUBNETS:
                nsg = network.NetworkSecurityGroup(
                    f"{name}-nsg-{role}", network_security_group_name=azure_name(env, "nsg", f"{spec.role}-{role}"),
                    resource_group_name=group, location=env.location,
                    security_rules=[_rule_args(r) for r in args.security_rules.get(role, ())], tags=tags(env),
                    opts=child)
            route_table = args.route_tables.get(role)
            nat_gateway = args.nat_gateways.get(role)
            delegation = DELEGATIONS.get(role)
            subnet = network.Subnet(
                f"{name}-subnet-{role}", subnet_name=subnet_name(role),
                resource_group_name=group, virtual_network_name=vnet.name,
                address_prefix=str(prefix),
                # New subnets get no implicit outbound address: egress is always declared.
                # https://learn.microsoft.com/azure/virtual-network/ip-services/default-outbound-access
                default_outbound_access=False,
                network_security_group=network.NetworkSecurityGroupArgs(id=nsg.id) if nsg else None,
                route_table=network.RouteTableArgs(id=route_table) if route_table is not None else None,
                nat_gateway=network.SubResourceArgs(id=nat_gateway) if nat_gateway is not None else None,
                delegations=[network.DelegationArgs(name=f"delegation-{role}", service_name=delegation)]
                if delegation else None,
                # Azure updates one subnet of a VNet at a time; in parallel they conflict
                # (AnotherOperationInProgress), so each waits for the one before.
                opts=pulumi.ResourceOptions(parent=self, depends_on=[previous] if previous else None))
            previous = subnet
            self.subnet_ids[role] = subnet.id
        self.last_write = previous or vnet
        self.register_outputs({"vnetId": self.vnet_id,
                               "vnetName": self.vnet_name, "subnetIds": self.subnet_ids})


@dataclass(frozen=True)
class HubSpokePeeringArgs:
    hub: VirtualNetwork
    spoke: VirtualNetwork
    after: Sequence[pulumi.Resource] = ()
    """The last writes to both VNets: a peering is one more write to each, and Azure takes one at a time."""


class HubSpokePeering(pulumi.ComponentResource):
    """Peering in both directions; forwarded traffic allowed so the hub firewall's traffic flows."""

    peerings: list[network.VirtualNetworkPeering]
    """Both sides: the cluster waits for them (its egress crosses them to the hub's firewall)."""

    hub_to_spoke_id: pulumi.Output[str]
    """The hub side's peering id."""
    spoke_to_hub_id: pulumi.Output[str]
    """The spoke side's peering id."""

    def __init__(self, name: str, args: HubSpokePeeringArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("aks-networking:network:HubSpokePeering", name, None, opts)
        child = pulumi.ResourceOptions(parent=self, depends_on=list(args.after))

        def peer(suffix: str, local: VirtualNetwork, remote: VirtualNetwork) -> network.VirtualNetworkPeering:
            return network.VirtualNetworkPeering(
                f"{name}-{suffix}", virtual_network_peering_name=f"peer-{suffix}",
                resource_group_name=local.resource_group_name, virtual_network_name=local.vnet_name,
                remote_virtual_network=network.SubResourceArgs(id=remote.vnet_id),
                allow_virtual_network_access=PEERING.allow_virtual_network_access,
                allow_forwarded_traffic=PEERING.allow_forwarded_traffic,
                allow_gateway_transit=PEERING.allow_gateway_transit, use_remote_gateways=PEERING.use_remote_gateways,
                opts=child)

        hub_side = peer("hub-to-spoke", args.hub, args.spoke)
        spoke_side = peer("spoke-to-hub", args.spoke, args.hub)
        self.hub_to_spoke_id = hub_side.id
        self.spoke_to_hub_id = spoke_side.id
        self.peerings = [hub_side, spoke_side]
        self.register_outputs({"hubToSpokeId": self.hub_to_spoke_id, "spokeToHubId": self.spoke_to_hub_id})


@dataclass(frozen=True)
class RouteTableArgs:
    environment: Environment
    role: str
    resource_group_name: pulumi.Input[str]


class RouteTable(pulumi.ComponentResource):
    """A route table whose routes are standalone resources added with `add_route`.

    Routes come after construction because the subnets that use the table exist before the
    appliance a route points to (the firewall needs its own subnet first).
    """

    route_table_id: pulumi.Output[str]
    """The route table's resource id."""
    route_table_name: pulumi.Output[str]
    """The route table's Azure name."""

    def __init__(self, name: str, args: RouteTableArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("aks-networking:network:RouteTable", name, None, opts)
        self._name = name
        self._resource_group_name = args.resource_group_name
        table = network.RouteTable(
            f"{name}-table", route_table_name=azure_name(args.environment, "rt", args.role),
            resource_group_name=args.resource_group_name, location=args.environment.location,
            # Routes learned over BGP (a VPN or ExpressRoute in the hub) must not bypass the firewall.
            disable_bgp_route_propagation=True, tags=tags(args.environment),
            opts=pulumi.ResourceOptions(parent=self))
        self.route_table_id = table.id
        self.route_table_name = table.name
        self.register_outputs({"routeTableId": self.route_table_id, "routeTableName": self.route_table_name})

    def add_route(self, suffix: str, address_prefix: str, next_hop_type: str,
                  next_hop_ip: pulumi.Input[str] | None = None) -> network.Route:
        return network.Route(
            f"{self._name}-route-{suffix}", route_name=suffix, resource_group_name=self._resource_group_name,
            route_table_name=self.route_table_name, address_prefix=address_prefix,
            next_hop_type=next_hop_type, next_hop_ip_address=next_hop_ip,
            opts=pulumi.ResourceOptions(parent=self))


def private_endpoint(name: str, env: Environment, role: str, resource_group_name: pulumi.Input[str],
                     subnet_id: pulumi.Input[str], target_id: pulumi.Input[str], group: str,
                     zone_id: pulumi.Input[str], zone: str, parent: pulumi.Resource) -> network.PrivateEndpoint:
    """A private endpoint to one sub-resource (`group`: registry, vault) of a service, and the DNS
    zone group that keeps its records in the private zone as Azure assigns the addresses.
    https://learn.microsoft.com/azure/private-link/private-endpoint-dns"""
    endpoint = network.PrivateEndpoint(  # type: ignore[call-overload]  # engine-shaped mappings
        f"{name}-endpoint", private_endpoint_name=azure_name(env, "pe", role), resource_group_name=resource_group_name,
        location=env.location, subnet={"id": subnet_id},
        private_link_service_connections=[{"name": group, "privateLinkServiceId": target_id, "groupIds": [group]}],
        tags=tags(env), opts=pulumi.ResourceOptions(parent=parent))
    network.PrivateDnsZoneGroup(
        f"{name}-endpoint-dns", private_dns_zone_group_name=group, private_endpoint_name=endpoint.name,
        resource_group_name=resource_group_name,
        private_dns_zone_configs=[{"name": zone.replace(".", "-"), "privateDnsZoneId": zone_id}],  # type: ignore[list-item]
        opts=pulumi.ResourceOptions(parent=parent))
    return endpoint
