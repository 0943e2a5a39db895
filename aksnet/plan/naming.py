"""Deterministic Azure names from the environment and a role, and shared tags.

Azure names are set explicitly (Pulumi's autonaming adds a random suffix): operators find
`vnet-prod-spoke` in the portal, and fixed-name subnets such as `AzureFirewallSubnet` are
accepted only under their exact name.
"""

from __future__ import annotations

from collections.abc import Mapping

from aksnet.config.stack import Environment
from aksnet.vocabulary import FIXED_SUBNETS


def azure_name(env: Environment, kind: str, role: str) -> str:
    """`<kind>-<environment>-<role>`, e.g. `vnet-prod-hub`, `nsg-dev-spoke-nodes`."""
    return f"{kind}-{env.name}-{role}"


def subnet_name(role: str) -> str:
    """Fixed-name subnets keep Azure's name; role subnets are `snet-<role>`."""
    return role if role in FIXED_SUBNETS else f"snet-{role}"


def tags(env: Environment, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    return {"environment": env.name, "managed-by": "pulumi-aks-networking", **env.tags, **(extra or {})}


def api_server_zone_name(location: str, vnet_integration: bool) -> str:
    """The zone AKS accepts for a private API server in `location`.

    Private Link clusters take `privatelink.<region>.azmk8s.io`; with API server VNet
    integration the zone is `private.<region>.azmk8s.io`.
    https://learn.microsoft.com/azure/aks/private-clusters#configure-a-private-dns-zone
    """
    return f"{'private' if vnet_integration else 'privatelink'}.{location}.azmk8s.io"
