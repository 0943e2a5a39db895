"""Role assignments by built-in role name: the one helper every component uses."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pulumi
from pulumi_azure_native import authorization

# Built-in role definition ids, the same in every tenant.
# https://learn.microsoft.com/azure/role-based-access-control/built-in-roles
BUILTIN_ROLES: Mapping[str, str] = {
    "Contributor": "b24988ac-6180-42a0-ab88-20f7382dd24c",
    "Reader": "acdd72a7-3385-48ef-bd42-f606fba81ae7",
    "Network Contributor": "4d97b98b-1d4f-4787-a291-c67834d212e7",
    "Private DNS Zone Contributor": "b12aa53e-6015-4669-85d0-8515ebb3ae7f",
    "Managed Identity Operator": "f1a07417-d97a-45cb-824c-7a7467783830",
    "Azure Kubernetes Service RBAC Cluster Admin": "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b",
    "Azure Kubernetes Service RBAC Reader": "7f6c6a51-bcf8-42ba-9220-52d62157d7db",
    "AcrPull": "7f951dda-4ed3-4680-a7ca-43fe172d538d",
    "Key Vault Secrets User": "4633458b-17de-408a-b874-0445c86b69e6",
    # https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/networking#appgw-for-containers-configuration-manager
    "AppGw for Containers Configuration Manager": "fbc52c3f-28ad-4303-a892-8a056630b8f1",
}


def resource_group_id(group: pulumi.Input[str]) -> pulumi.Output[str]:
    """The resource id of a group in the subscription the program deploys to."""
    return pulumi.Output.all(authorization.get_client_config_output().subscription_id, group).apply(
        lambda v: f"/subscriptions/{v[0]}/resourceGroups/{v[1]}")


def role_definition_id(role: str) -> pulumi.Output[str]:
    """The subscription-scoped id of a built-in role."""
    guid = BUILTIN_ROLES[role]
    return authorization.get_client_config_output().apply(
        lambda c: f"/subscriptions/{c.subscription_id}/providers/Microsoft.Authorization/roleDefinitions/{guid}")


def assign_role(name: str, role: str, scope: pulumi.Input[str], principal_id: pulumi.Input[str],
                parent: pulumi.Resource, depends_on: Sequence[pulumi.Resource] | None = None,
                principal_type: str = "ServicePrincipal") -> authorization.RoleAssignment:
    """Grant a principal a built-in role on a scope: a managed identity (a service principal) by default.

    `principal_type` is always set: Azure then does not look the principal up in Entra ID, which
    fails for identities created moments before (replication delay), and the SDK's default (User)
    never stands in for a group or a service principal.
    """
    return authorization.RoleAssignment(
        name, role_definition_id=role_definition_id(role), scope=scope, principal_id=principal_id,
        principal_type=principal_type,
        opts=pulumi.ResourceOptions(parent=parent, depends_on=list(depends_on or [])))
