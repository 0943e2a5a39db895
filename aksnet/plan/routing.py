"""Which subnets route through the cluster's route table, and where the default route goes.

Pure functions, no Pulumi; `__main__.py` wires what they decide.
- kubenet: AKS writes a route per node into a route table that must be on the node subnet
  before the cluster exists; with AGIC the gateway subnet needs the same table to reach pods.
  https://learn.microsoft.com/azure/aks/configure-kubenet#bring-your-own-subnet-and-route-table-with-kubenet,
  https://learn.microsoft.com/azure/application-gateway/tutorial-ingress-controller-add-on-existing#peer-the-two-virtual-networks-together
- userDefinedRouting: the node (and pod) subnets send 0.0.0.0/0 to a virtual appliance.
  https://learn.microsoft.com/azure/aks/egress-outboundtype#outbound-type-of-userdefinedrouting
"""

from __future__ import annotations

from dataclasses import dataclass

from aksnet.config.stack import StackConfig


@dataclass(frozen=True)
class PeeringSettings:
    """Both sides of the hub-spoke peering alike. Forwarded traffic is allowed: what the firewall
    forwards (DNAT, and replies to what it forwarded) enters the spoke although it did not start in
    the hub. No gateway transit: the stack brings no VPN or ExpressRoute gateway, so on-premises
    ranges reach the spoke only once a gateway of the hub is shared with it.
    https://learn.microsoft.com/azure/virtual-network/virtual-network-peering-overview"""

    allow_virtual_network_access: bool = True
    allow_forwarded_traffic: bool = True
    allow_gateway_transit: bool = False
    use_remote_gateways: bool = False


PEERING = PeeringSettings()


def needs_route_table(spec: StackConfig) -> bool:
    return spec.cluster.network_plugin == "kubenet" or spec.cluster.outbound_type == "userDefinedRouting"


def route_table_subnets(spec: StackConfig) -> tuple[str, ...]:
    """Subnet roles associated with the cluster's route table."""
    if not needs_route_table(spec):
        return ()
    subnets = spec.network.spoke.subnets
    roles = ["nodes"]
    if "pods" in subnets:
        roles.append("pods")
    if spec.cluster.network_plugin == "kubenet" and spec.ingress.controller == "appgw" and "appgw" in subnets:
        roles.append("appgw")
    return tuple(roles)


def default_route_next_hop(spec: StackConfig) -> str | None:
    """`firewall`, an appliance address from the stack, or None when egress is not routed."""
    if spec.cluster.outbound_type != "userDefinedRouting":
        return None
    if spec.egress.firewall is not None:
        return "firewall"
    return str(spec.cluster.egress_next_hop_ip)


def nat_gateway_subnets(spec: StackConfig) -> tuple[str, ...]:
    """Subnet roles whose egress leaves through a NAT gateway of ours."""
    if spec.cluster.outbound_type != "userAssignedNATGateway":
        return ()
    return tuple(role for role in ("nodes", "pods") if role in spec.network.spoke.subnets)


def firewall_sources(spec: StackConfig) -> tuple[str, ...]:
    """The ranges whose traffic reaches the firewall: the node subnet, and the pod subnet when
    pods have VNet addresses. kubenet and Overlay pods leave through their node's address (SNAT),
    so the pod CIDR never appears at the firewall."""
    subnets = spec.network.spoke.subnets
    return tuple(str(subnets[role]) for role in ("nodes", "pods") if role in subnets)
