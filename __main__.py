"""aks-networking: wiring only. Load the stack, build one component per concern, export."""

import pulumi

from components.addressing import plan_addresses
from components.config import load_stack_config
from components.network import (HubSpokePeering, HubSpokePeeringArgs, VirtualNetwork,
                                VirtualNetworkArgs)

spec = load_stack_config()
env = spec.environment

hub = VirtualNetwork("hub", VirtualNetworkArgs(env, spec.network.hub)) if spec.network.hub else None
spoke = VirtualNetwork("spoke", VirtualNetworkArgs(env, spec.network.spoke))
if hub is not None:
    HubSpokePeering("peering", HubSpokePeeringArgs(
        hub_resource_group_name=hub.resource_group_name, hub_vnet_name=hub.vnet_name, hub_vnet_id=hub.vnet_id,
        spoke_resource_group_name=spoke.resource_group_name, spoke_vnet_name=spoke.vnet_name,
        spoke_vnet_id=spoke.vnet_id))

pulumi.export("addressPlan", [row.as_dict() for row in plan_addresses(spec).rows])
pulumi.export("spokeVnetId", spoke.vnet_id)
pulumi.export("subnetIds", spoke.subnet_ids)
if hub is not None:
    pulumi.export("hubVnetId", hub.vnet_id)
