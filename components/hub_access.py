"""The custom role a spoke's deploy identity holds on the hub: exactly `HUB_ACTIONS_FOR_SPOKES`.

The hub declares the role's definition, assignable only within the hub's resource group, so the
role the spokes' identities hold is reviewed and versioned with the hub, not typed into the portal.
The network team assigns it to each spoke's deploy identity at the hub VNet, its private DNS zones and
its firewall policy (docs/azure-setup.md): the hub's stack never needs to know the spokes' identities.
https://learn.microsoft.com/azure/role-based-access-control/custom-roles
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pulumi
from pulumi_azure_native import authorization

from aksnet.config.stack import Environment
from aksnet.plan.landing_zone import HUB_ACTIONS_FOR_SPOKES
from components.roles import resource_group_id

ROLE_ID_NAMESPACE = uuid.UUID("6f1c2f4e-5b8a-4c59-9d0e-4a7b2f1c8e31")
"""The namespace of the role's GUID: one GUID per project and stack, the same on every run."""


@dataclass(frozen=True)
class SpokeAccessRoleArgs:
    environment: Environment
    resource_group: pulumi.Input[str]
    """The hub's resource group: the role's scope and the only scope it can be assigned within."""


class SpokeAccessRole(pulumi.ComponentResource):
    """The role definition; `role_definition_id` is the id to assign."""

    role_definition_id: pulumi.Output[str]

    def __init__(self, name: str, args: SpokeAccessRoleArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("aksnet:landingZone:SpokeAccessRole", name, None, opts)
        scope = resource_group_id(args.resource_group)
        # A role definition's name is a GUID of the caller's choosing; its roleName is unique in the tenant.
        # https://learn.microsoft.com/rest/api/authorization/role-definitions/create-or-update
        guid = str(uuid.uuid5(ROLE_ID_NAMESPACE, f"{pulumi.get_project()}/{pulumi.get_stack()}/spoke-access"))
        definition = authorization.RoleDefinition(
            f"{name}-definition", role_definition_id=guid, scope=scope,
            role_name=f"aks-networking spoke on hub {args.environment.name}",
            description="A landing zone's spoke on its hub: its half of the peering, its links to the hub's "
                        "private DNS zones, its rule collection group on the hub's firewall policy.",
            permissions=[authorization.PermissionArgs(actions=list(HUB_ACTIONS_FOR_SPOKES))],
            assignable_scopes=[scope], opts=pulumi.ResourceOptions(parent=self))
        self.role_definition_id = definition.id
        self.register_outputs({"role_definition_id": self.role_definition_id})
