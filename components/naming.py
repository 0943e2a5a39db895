"""Deterministic Azure names from the environment and a role, and shared tags.

Azure names are set explicitly (Pulumi's autonaming adds a random suffix): operators find
`vnet-prod-spoke` in the portal, and fixed-name subnets such as `AzureFirewallSubnet` are
accepted only under their exact name.
"""

from __future__ import annotations

from typing import Mapping

from components.config import Environment

FIXED_NAME_SUBNETS = ("AzureFirewallSubnet", "AzureFirewallManagementSubnet", "AzureBastionSubnet",
                      "GatewaySubnet")


def azure_name(env: Environment, kind: str, role: str) -> str:
    """`<kind>-<environment>-<role>`, e.g. `vnet-prod-hub`, `nsg-dev-spoke-nodes`."""
    return f"{kind}-{env.name}-{role}"


def subnet_name(role: str) -> str:
    """Fixed-name subnets keep Azure's name; role subnets are `snet-<role>`."""
    return role if role in FIXED_NAME_SUBNETS else f"snet-{role}"


def tags(env: Environment, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    return {"environment": env.name, "managed-by": "pulumi-aks-networking", **env.tags, **(extra or {})}
