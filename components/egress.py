"""Egress the stack owns: a NAT gateway (userAssignedNATGateway). The firewall lives in firewall.py."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
from pulumi_azure_native import network

from aksnet.config.stack import Environment
from aksnet.plan.naming import azure_name, tags
from components.network import standard_public_ip


@dataclass(frozen=True)
class NatGatewayEgressArgs:
    environment: Environment
    resource_group_name: pulumi.Input[str]
    public_ip_count: int


class NatGatewayEgress(pulumi.ComponentResource):
    """A NAT gateway with Standard static public IPs, for subnets to associate.

    https://learn.microsoft.com/azure/aks/nat-gateway#create-an-aks-cluster-with-a-user-assigned-nat-gateway
    """

    nat_gateway_id: pulumi.Output[str]
    """The NAT gateway's resource id."""
    public_ips: list[pulumi.Output[str | None]]
    """The addresses the cluster's egress leaves from."""

    def __init__(self, name: str, args: NatGatewayEgressArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("aks-networking:egress:NatGatewayEgress", name, None, opts)
        env = args.environment
        child = pulumi.ResourceOptions(parent=self)
        ips = [standard_public_ip(f"{name}-pip-{index}", env, f"nat-{index}", args.resource_group_name, (), self)
               for index in range(1, args.public_ip_count + 1)]
        gateway = network.NatGateway(
            f"{name}-gateway", nat_gateway_name=azure_name(env, "ng", "egress"),
            resource_group_name=args.resource_group_name, location=env.location,
            sku=network.NatGatewaySkuArgs(name="Standard"), idle_timeout_in_minutes=4,
            public_ip_addresses=[network.SubResourceArgs(id=ip.id) for ip in ips], tags=tags(env), opts=child)
        self.nat_gateway_id = gateway.id
        self.public_ips = [ip.ip_address for ip in ips]
        self.register_outputs({"natGatewayId": self.nat_gateway_id, "publicIps": self.public_ips})
