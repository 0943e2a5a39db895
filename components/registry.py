"""The platform's container registry: ACR Premium reached only through a private endpoint."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
from pulumi_azure_native import containerregistry

from aksnet.config.stack import RegistrySpec
from aksnet.plan.naming import tags
from aksnet.vocabulary import REGISTRY_PRIVATE_ZONE
from components.args import PrivateServiceArgs
from components.network import private_endpoint
from components.roles import assign_role


@dataclass(frozen=True)
class PrivateRegistryArgs(PrivateServiceArgs[RegistrySpec]):
    """Its zone: `privatelink.azurecr.io`."""

    zone_redundant: bool


class PrivateRegistry(pulumi.ComponentResource):
    """ACR Premium with public network access off, anonymous pull and the admin user off, a dedicated
    data endpoint (the one name layers come from, so the private endpoint covers every pull), and
    export off (images leave only through the endpoint). Its private endpoint sits in the spoke's
    `endpoints` subnet; a DNS zone group keeps the login server's and the data endpoint's records
    in the private zone as Azure assigns the addresses.
    https://learn.microsoft.com/azure/container-registry/container-registry-private-link
    """

    registry_id: pulumi.Output[str]
    login_server: pulumi.Output[str]

    def __init__(self, name: str, args: PrivateRegistryArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("aks-networking:registry:PrivateRegistry", name, None, opts)
        env = args.environment
        self._name = name
        registry = containerregistry.Registry(  # type: ignore[call-overload]  # engine-shaped mappings
            f"{name}-acr", registry_name=args.spec.name, resource_group_name=args.resource_group_name,
            location=env.location, sku={"name": "Premium"}, admin_user_enabled=False,
            anonymous_pull_enabled=False, public_network_access="Disabled", network_rule_bypass_options="AzureServices",
            data_endpoint_enabled=True, zone_redundancy="Enabled" if args.zone_redundant else "Disabled",
            policies={"exportPolicy": {"status": "disabled"}}, tags=tags(env),
            opts=pulumi.ResourceOptions(parent=self, protect=env.protect))
        private_endpoint(name, env, "registry", args.resource_group_name, args.endpoint_subnet_id, registry.id,
                         "registry", args.zone_id, REGISTRY_PRIVATE_ZONE, self)
        self._registry = registry
        self.registry_id = registry.id
        self.login_server = registry.login_server
        self.register_outputs({"registryId": self.registry_id, "loginServer": self.login_server})

    def grant_pull(self, kubelet_object_id: pulumi.Input[str]) -> None:
        """AcrPull for the cluster's kubelet identity, on this registry alone."""
        assign_role(f"{self._name}-kubelet-acrpull", "AcrPull", self._registry.id, kubelet_object_id, parent=self)
