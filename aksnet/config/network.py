"""The `network` section: the hub and spoke VNets, their subnets, on-premises ranges, Bastion and the
DNS resolver. Pure, no Pulumi."""

from __future__ import annotations

from collections.abc import Mapping

from aksnet.config.model import NetworkSpec, VNetSpec
from aksnet.config.schema import Network4, Obj, Problems, did_you_mean, element, parse_cidr
from aksnet.vocabulary import FIXED_SUBNETS, ROLE_SUBNETS

# Subnet roles. Role subnets get names of ours; fixed-name subnets keep the name Azure demands.
HUB_SUBNETS = (*FIXED_SUBNETS, "dns")


def resolver_subnet_refusals(subnet: Network4 | None, dns_resolver: bool) -> list[str]:
    """What is wrong with a hub's `dns` subnet, the DNS Private Resolver's inbound endpoint's: declared
    without the resolver, or larger than the /24 the resolver takes. One list for the spoke's and the
    hub's stack files. https://learn.microsoft.com/azure/dns/dns-private-resolver-overview#subnet-restrictions"""
    refusals = []
    if subnet is not None and not dns_resolver:
        refusals.append("is declared but network.dnsResolver is false; enable it or remove the subnet")
    if subnet is not None and subnet.prefixlen < 24:
        refusals.append(f"is a /{subnet.prefixlen}; a resolver's subnet is /28 to /24")
    return refusals


@element("an IPv4 CIDR such as 10.1.0.0/16 (host bits zero)")
def cidr_item(problems: Problems, path: str, value: object) -> Network4 | None:
    return parse_cidr(problems, path, value)


def _vnet(obj: Obj, role: str, allowed: tuple[str, ...]) -> VNetSpec | None:
    space = obj.items("addressSpace", cidr_item, min_items=1, doc="the VNet's address ranges")

    def read_subnet(problems: Problems, path: str, name: str, value: object) -> Network4 | None:
        if name not in allowed:
            close = did_you_mean(name, allowed)
            hint = f"did you mean '{close}'?" if close else f"expected one of {', '.join(allowed)}"
            problems.add(path, f"is not a subnet role of the {role} VNet; {hint}")
            return None
        return parse_cidr(problems, path, value)

    subnets = obj.mapping("subnets", read_subnet, required=True, keys=allowed, element="an IPv4 CIDR",
                          doc="subnet role (or Azure's fixed name) to its CIDR: `nodes` (required in the spoke), "
                              "`pods` (flat CNI dynamic pod IPs), `appgw`, `agc` (Application Gateway for "
                              "Containers, delegated), `ilb`, `apiserver` (VNet integration), "
                              "`endpoints` (private endpoints); the hub's `dns` is the DNS Private Resolver's; "
                              "without a hub the spoke also takes the fixed-name subnets")
    obj.done()
    if not obj.valid:
        return None
    return VNetSpec(role=role, address_space=space, subnets=subnets)


def read_network(obj: Obj, private_api: bool) -> NetworkSpec | None:
    hub_obj = obj.nested("hub", doc="the hub VNet; absent means a single VNet")
    bastion = obj.flag("bastion", private_api,
                       doc="Azure Bastion Standard in `AzureBastionSubnet`",
                       default_doc="`cluster.private`")
    on_premises = obj.items("onPremises", cidr_item, (), max_items=500,
                            doc="ranges reached through the hub (VPN, ExpressRoute); the VNets, service and pod "
                                "ranges must not overlap them")
    dns_resolver = obj.flag("dnsResolver", False,
                            doc="an Azure DNS Private Resolver in the hub, its inbound endpoint at the first usable "
                                "address of `hub.subnets.dns` (/28 to /24), exported as `dnsResolverAddress`; "
                                "on-premises DNS servers forward `privatelink.<region>.azmk8s.io` (and any other zone "
                                "linked to the hub) to it")
    spoke_obj = obj.nested("spoke", required=True, doc="the cluster's VNet")
    hub = _vnet(hub_obj, "hub", HUB_SUBNETS) if hub_obj is not None else None
    # Without a hub, the single VNet also holds the firewall and Bastion subnets.
    spoke_roles = ROLE_SUBNETS if hub_obj is not None else ROLE_SUBNETS + FIXED_SUBNETS
    spoke = _vnet(spoke_obj, "spoke", spoke_roles) if spoke_obj is not None else None
    obj.done()
    raw_subnets = spoke_obj.data.get("subnets") if spoke_obj is not None else None
    if spoke is not None and isinstance(raw_subnets, Mapping) and "nodes" not in raw_subnets:
        obj.problems.add(f"{obj.path}.spoke.subnets.nodes", "is required: the subnet of the cluster's nodes")
    if spoke is None:
        return None
    return NetworkSpec(spoke=spoke, hub=hub, bastion=bastion, on_premises=on_premises, dns_resolver=dns_resolver)
