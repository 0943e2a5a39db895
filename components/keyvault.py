"""The platform's Key Vault: the application gateway's certificates, reached only privately."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
from pulumi_azure_native import authorization, keyvault

from aksnet.config.stack import TlsSpec
from aksnet.plan.naming import tags
from aksnet.vocabulary import KEY_VAULT_PRIVATE_ZONE
from components.args import PrivateServiceArgs
from components.network import private_endpoint


@dataclass(frozen=True)
class KeyVaultArgs(PrivateServiceArgs[TlsSpec]):
    """Its zone: `privatelink.vaultcore.azure.net`."""


class KeyVault(pulumi.ComponentResource):
    """A vault with Azure RBAC authorization (no access policies), purge protection, public network
    access off (Azure's trusted services pass: the application gateway reads its certificates as
    one), and a private endpoint in the spoke's `endpoints` subnet. Each certificate is stored as a
    secret holding its PFX, which is what the gateway reads.
    https://learn.microsoft.com/azure/application-gateway/key-vault-certs
    """

    vault_id: pulumi.Output[str]

    def __init__(self, name: str, args: KeyVaultArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("aks-networking:tls:KeyVault", name, None, opts)
        env, spec = args.environment, args.spec
        vault = keyvault.Vault(  # type: ignore[call-overload]  # engine-shaped mappings
            f"{name}-vault", vault_name=spec.key_vault, resource_group_name=args.resource_group_name,
            location=env.location,
            properties={"tenantId": authorization.get_client_config_output().tenant_id,
                        "sku": {"family": "A", "name": "standard"}, "enableRbacAuthorization": True,
                        "enableSoftDelete": True, "softDeleteRetentionInDays": 90, "enablePurgeProtection": True,
                        "publicNetworkAccess": "Disabled",
                        "networkAcls": {"defaultAction": "Deny", "bypass": "AzureServices"}},
            tags=tags(env), opts=pulumi.ResourceOptions(parent=self, protect=env.protect))
        private_endpoint(name, env, "keyvault", args.resource_group_name, args.endpoint_subnet_id, vault.id, "vault",
                         args.zone_id, KEY_VAULT_PRIVATE_ZONE, self)
        for certificate in spec.certificates:
            # Written through Azure Resource Manager, which the vault's network rules do not stop.
            keyvault.Secret(  # type: ignore[call-overload]  # engine-shaped mappings
                f"{name}-certificate-{certificate.name}", secret_name=certificate.name, vault_name=vault.name,
                resource_group_name=args.resource_group_name,
                properties={"value": pulumi.Output.secret(certificate.pfx), "contentType": "application/x-pkcs12"},
                opts=pulumi.ResourceOptions(parent=self))
        self.vault_id = vault.id
        self.register_outputs({"vaultId": self.vault_id})
