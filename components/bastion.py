"""Azure Bastion in the hub: the way in to a private cluster's network without public SSH."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
from pulumi_azure_native import network

from aksnet.config.stack import Environment
from aksnet.plan.naming import azure_name, tags
from components.network import standard_public_ip


@dataclass(frozen=True)
class BastionArgs:
    environment: Environment
    resource_group_name: pulumi.Input[str]
    subnet_id: pulumi.Input[str]
    zones: Sequence[str] = ()


class Bastion(pulumi.ComponentResource):
    """Bastion Standard with native-client tunnelling, on a Standard static public IP.

    https://learn.microsoft.com/azure/bastion/configuration-settings
    """

    bastion_id: pulumi.Output[str]
    """The Bastion host's resource id."""

    def __init__(self, name: str, args: BastionArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("aks-networking:access:Bastion", name, None, opts)
        env = args.environment
        child = pulumi.ResourceOptions(parent=self)
        ip = standard_public_ip(f"{name}-pip", env, "bastion", args.resource_group_name, args.zones, self)
        host = network.BastionHost(  # type: ignore[call-overload]  # engine-shaped mappings
            f"{name}-host", bastion_host_name=azure_name(env, "bas", "hub"),
            resource_group_name=args.resource_group_name, location=env.location,
            sku={"name": "Standard"}, enable_tunneling=True,
            ip_configurations=[{"name": "bastion", "subnet": {"id": args.subnet_id},
                                "publicIPAddress": {"id": ip.id}}],
            tags=tags(env), opts=child)
        self.bastion_id = host.id
        self.register_outputs({"bastionId": self.bastion_id})
