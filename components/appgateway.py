"""Application Gateway v2 with a WAF policy, run by the AGIC add-on, and AGIC's permissions.

AGIC rewrites the gateway's listeners, rules, pools, probes and settings after the first
deployment; the gateway ignores changes to them so that `pulumi up` never undoes AGIC's work.
https://learn.microsoft.com/azure/application-gateway/ingress-controller-overview
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi
from pulumi_azure_native import managedidentity, network

from aksnet.config.stack import AppGatewaySpec
from aksnet.plan.naming import azure_name, tags
from components.args import SpecArgs
from components.network import standard_public_ip
from components.roles import assign_role, resource_group_id

# What AGIC owns on the gateway (engine property names).
AGIC_MANAGED = ("backendAddressPools", "backendHttpSettingsCollection", "httpListeners", "probes",
                "requestRoutingRules", "redirectConfigurations", "urlPathMaps", "sslCertificates",
                "frontendPorts", "rewriteRuleSets", "tags")

# TLS 1.2 at least: https://learn.microsoft.com/azure/application-gateway/application-gateway-ssl-policy-overview
SSL_POLICY = {"policyType": "Predefined", "policyName": "AppGwSslPolicy20220101"}


@dataclass(frozen=True)
class AppGatewayArgs(SpecArgs[AppGatewaySpec]):
    subnet_id: pulumi.Input[str]
    certificates: Mapping[str, str] = field(default_factory=dict)
    """Certificate name to its versionless Key Vault secret id: the listeners AGIC builds use them."""
    key_vault_id: pulumi.Input[str] | None = None
    """The vault that holds them: the gateway's identity reads its secrets."""


class AppGateway(pulumi.ComponentResource):
    """A v2 application gateway with a bootstrap listener AGIC replaces, and its WAF policy."""

    gateway_id: pulumi.Output[str]
    """The gateway's resource id, handed to the AGIC add-on."""
    public_ip: pulumi.Output[str | None] | None
    """The public frontend's address, when the gateway has one."""
    identity_id: pulumi.Output[str] | None
    """The gateway's user-assigned identity (with certificates): AGIC must be allowed to assign it."""

    def __init__(self, name: str, args: AppGatewayArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("aks-networking:ingress:AppGateway", name, None, opts)
        env, spec = args.environment, args.spec
        child = pulumi.ResourceOptions(parent=self)
        gateway_name = azure_name(env, "agw", "ingress")
        waf = None
        if spec.sku == "WAF_v2":
            # A WAF policy, not the inline configuration that retires in 2027.
            # https://learn.microsoft.com/azure/web-application-firewall/ag/policy-overview
            waf = network.WebApplicationFirewallPolicy(  # type: ignore[call-overload]  # engine-shaped mappings

                f"{name}-waf", policy_name=azure_name(env, "waf", "ingress"),
                resource_group_name=args.resource_group_name, location=env.location,
                policy_settings={"state": "Enabled", "mode": spec.waf_mode, "requestBodyCheck": True,
                                 "fileUploadLimitInMb": 10, "maxRequestBodySizeInKb": 128},
                managed_rules={"managedRuleSets": [
                    {"ruleSetType": "Microsoft_DefaultRuleSet", "ruleSetVersion": "2.1"},
                    {"ruleSetType": "Microsoft_BotManagerRuleSet", "ruleSetVersion": "1.0"}]},
                tags=tags(env), opts=child)
        self.public_ip = None
        frontends: list[dict[str, Any]] = []
        if spec.public_frontend:
            ip = standard_public_ip(f"{name}-pip", env, "agw", args.resource_group_name, spec.zones, self)
            frontends.append({"name": "frontend-public", "publicIPAddress": {"id": ip.id}})
            self.public_ip = ip.ip_address
        if spec.private_ip is not None:
            frontends.append({"name": "frontend-private", "privateIPAddress": str(spec.private_ip),
                              "privateIPAllocationMethod": "Static", "subnet": {"id": args.subnet_id}})

        # With certificates, the gateway reads them from Key Vault as a user-assigned identity.
        # https://learn.microsoft.com/azure/application-gateway/key-vault-certs
        identity = None
        self.identity_id = None
        if args.certificates:
            identity = managedidentity.UserAssignedIdentity(
                f"{name}-identity", resource_name_=azure_name(env, "id", "agw"),
                resource_group_name=args.resource_group_name, location=env.location, tags=tags(env), opts=child)
            assert args.key_vault_id is not None
            reader = assign_role(f"{name}-keyvault-secrets", "Key Vault Secrets User", args.key_vault_id,
                                 identity.principal_id, self)
            self.identity_id = identity.id

        def own(kind: str, item: str) -> pulumi.Output[str]:
            """The id of one of the gateway's own sub-resources (they reference each other by id)."""
            return resource_group_id(args.resource_group_name).apply(
                lambda group: f"{group}/providers/Microsoft.Network/applicationGateways/{gateway_name}/{kind}/{item}")

        gateway = network.ApplicationGateway(  # type: ignore[call-overload,misc]  # engine-shaped mappings
            f"{name}-gateway", application_gateway_name=gateway_name, resource_group_name=args.resource_group_name,
            location=env.location, sku={"name": spec.sku, "tier": spec.sku},
            autoscale_configuration={"minCapacity": spec.min_capacity, "maxCapacity": spec.max_capacity},
            zones=list(spec.zones) or None, enable_http2=False, ssl_policy=SSL_POLICY,
            firewall_policy={"id": waf.id} if waf is not None else None,
            gateway_ip_configurations=[{"name": "gateway", "subnet": {"id": args.subnet_id}}],
            frontend_ip_configurations=frontends,
            # A bootstrap listener and pool: a v2 gateway needs one of each; AGIC replaces them.
            frontend_ports=[{"name": "port-80", "port": 80}],
            backend_address_pools=[{"name": "bootstrap"}],
            backend_http_settings_collection=[{"name": "bootstrap", "port": 80, "protocol": "Http",
                                               "cookieBasedAffinity": "Disabled", "requestTimeout": 30}],
            http_listeners=[{"name": "bootstrap", "protocol": "Http",
                             "frontendIPConfiguration": {"id": own("frontendIPConfigurations", frontends[0]["name"])},
                             "frontendPort": {"id": own("frontendPorts", "port-80")}}],
            request_routing_rules=[{"name": "bootstrap", "ruleType": "Basic", "priority": 20000,
                                    "httpListener": {"id": own("httpListeners", "bootstrap")},
                                    "backendAddressPool": {"id": own("backendAddressPools", "bootstrap")},
                                    "backendHttpSettings": {"id": own("backendHttpSettingsCollection", "bootstrap")}}],
            identity={"type": "UserAssigned", "userAssignedIdentities": [identity.id]} if identity else None,
            ssl_certificates=[{"name": certificate, "keyVaultSecretId": secret_id}
                              for certificate, secret_id in sorted(args.certificates.items())] or None,
            tags=tags(env),
            opts=pulumi.ResourceOptions(parent=self, ignore_changes=list(AGIC_MANAGED), protect=env.protect,
                                        depends_on=[reader] if identity else None,
                                        custom_timeouts=pulumi.CustomTimeouts(create="45m", update="45m")))
        self.gateway_id = gateway.id
        self.register_outputs({"gatewayId": self.gateway_id, "publicIp": self.public_ip})


@dataclass(frozen=True)
class AgicPermissionsArgs:
    agic_principal_id: pulumi.Input[str]
    """The object id of the identity AKS created for the AGIC add-on."""
    gateway_id: pulumi.Input[str]
    resource_group_name: pulumi.Input[str]
    subnet_id: pulumi.Input[str]
    gateway_identity_id: pulumi.Input[str] | None = None
    """The gateway's own identity: AGIC rewrites a gateway that has one only if it may assign it."""


class AgicPermissions(pulumi.ComponentResource):
    """What AGIC's identity needs: Contributor on the gateway, Reader on its group, and
    Network Contributor on its subnet (subnets/join/action).

    https://learn.microsoft.com/azure/application-gateway/ingress-controller-install-existing#multi-cluster--shared-application-gateway
    """

    def __init__(self, name: str, args: AgicPermissionsArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("aks-networking:ingress:AgicPermissions", name, None, opts)
        group_id = resource_group_id(args.resource_group_name)
        assign_role(f"{name}-gateway", "Contributor", args.gateway_id, args.agic_principal_id, self)
        assign_role(f"{name}-group", "Reader", group_id, args.agic_principal_id, self)
        assign_role(f"{name}-subnet", "Network Contributor", args.subnet_id, args.agic_principal_id, self)
        if args.gateway_identity_id is not None:
            assign_role(f"{name}-gateway-identity", "Managed Identity Operator", args.gateway_identity_id,
                        args.agic_principal_id, self)
        self.register_outputs({})
