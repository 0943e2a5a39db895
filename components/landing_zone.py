"""A spoke's half of its attachment to a hub of another stack: the peering pair, the links to the
hub's private DNS zones, and its rule collection group on the hub's firewall policy.

The hub's side of the peering, the zone links and the rule collection group live in the hub's
resource groups but belong to the spoke's stack: the spoke creates and removes them, with the
narrow rights of `aksnet.plan.landing_zone.HUB_ACTIONS_FOR_SPOKES` on the hub.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi_azure_native import network, privatedns

from aksnet.config.stack import Environment
from aksnet.plan.hub_contract import HubContract
from aksnet.plan.landing_zone import SpokeAttachmentPlan
from aksnet.plan.naming import azure_name, tags
from components.network import VirtualNetwork


@dataclass(frozen=True)
class SpokeAttachmentArgs:
    environment: Environment
    spoke: VirtualNetwork
    contract: pulumi.Output[HubContract]
    plan: SpokeAttachmentPlan
    after: Sequence[pulumi.Resource] = ()
    """The spoke VNet's last writes: each peering and link is one more write to it."""


class SpokeAttachment(pulumi.ComponentResource):
    """The spoke's peering pair with the hub, its links to the hub's zones, its rule collection group."""

    peerings: list[network.VirtualNetworkPeering]
    """Both directions: the spoke's to the hub, and the hub's to the spoke."""
    links: list[privatedns.VirtualNetworkLink]
    """The spoke VNet's links to the hub's zones."""
    rule_group_id: pulumi.Output[str] | None
    """The spoke's rule collection group on the hub's policy, or None without rules."""

    def __init__(self, name: str, args: SpokeAttachmentArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("aks-networking:landing:SpokeAttachment", name, None, opts)
        env, plan, contract, spoke = args.environment, args.plan, args.contract, args.spoke
        settings = plan.peering

        def peering(suffix: str, azure: str, group: Any, vnet: Any, remote: Any,
                    after: Sequence[pulumi.Resource]) -> network.VirtualNetworkPeering:
            # https://learn.microsoft.com/azure/virtual-network/virtual-network-peering-overview
            return network.VirtualNetworkPeering(
                f"{name}-{suffix}", virtual_network_peering_name=azure, resource_group_name=group,
                virtual_network_name=vnet, remote_virtual_network=network.SubResourceArgs(id=remote),
                allow_virtual_network_access=settings.allow_virtual_network_access,
                allow_forwarded_traffic=settings.allow_forwarded_traffic,
                allow_gateway_transit=settings.allow_gateway_transit, use_remote_gateways=settings.use_remote_gateways,
                opts=pulumi.ResourceOptions(parent=self, depends_on=list(after)))

        to_hub = peering("spoke-to-hub", "peer-spoke-to-hub", spoke.resource_group_name, spoke.vnet_name,
                         contract.apply(lambda c: c.vnet_id), args.after)
        # The hub's half waits for the spoke's: one write at a time to the peered pair.
        to_spoke = peering("hub-to-spoke", f"peer-hub-to-{plan.name}", contract.apply(lambda c: c.resource_group_name),
                           contract.apply(lambda c: c.vnet_name), spoke.vnet_id, [to_hub])
        self.peerings = [to_hub, to_spoke]
        self.links = []
        for zone in plan.zones:
            self.links.append(privatedns.VirtualNetworkLink(
                f"{name}-link-{zone.split('.')[1]}", virtual_network_link_name=f"link-{plan.name}",
                private_zone_name=zone, resource_group_name=contract.apply(functools.partial(_zone_group, zone=zone)),
                location="global", virtual_network=privatedns.SubResourceArgs(id=spoke.vnet_id),
                registration_enabled=False, tags=tags(env),
                opts=pulumi.ResourceOptions(parent=self, depends_on=[*self.peerings, *self.links[-1:]])))
        self.rule_group_id = None
        if plan.rule_group is not None:
            ip_groups = {key: network.IpGroup(
                f"{name}-sources-{key}", ip_groups_name=azure_name(env, "ipg", key),
                resource_group_name=spoke.resource_group_name, location=env.location, ip_addresses=list(ranges),
                tags=tags(env), opts=pulumi.ResourceOptions(parent=self))
                for key, ranges in plan.ip_groups.items()}

            def resolved(collection: Mapping[str, Any]) -> dict[str, Any]:
                rules = [{**rule, "sourceIpGroups": [ip_groups[g].id for g in rule["sourceIpGroups"]]}
                         if "sourceIpGroups" in rule else dict(rule) for rule in collection["rules"]]
                return {**collection, "rules": rules}

            group = network.FirewallPolicyRuleCollectionGroup(
                f"{name}-rules", rule_collection_group_name=plan.rule_group.name,
                firewall_policy_name=contract.apply(lambda c: c.firewall_policy_name),
                resource_group_name=contract.apply(lambda c: c.firewall_policy_group),
                priority=plan.rule_group.priority,
                rule_collections=[resolved(c) for c in plan.rule_group.collections],  # type: ignore[misc]
                opts=pulumi.ResourceOptions(parent=self, depends_on=list(ip_groups.values())))
            self.rule_group_id = group.id
        self.register_outputs({"peeringIds": [p.id for p in self.peerings], "ruleGroupId": self.rule_group_id})


def _zone_group(contract: HubContract, zone: str) -> str:
    return contract.zone_group(zone)
