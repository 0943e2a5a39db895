"""The hub of a landing zone: wiring only. The hub VNet, its firewall and policy, Bastion, the DNS
resolver, the private DNS zones every spoke links to, and the contract its spokes read.

Deployed before every spoke (`cd hub && pulumi up -s hub`); a spoke writes its own peering half,
zone links and rule collection group here, so the hub's stack never changes for a spoke.
"""

import os
import sys

import pulumi

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # the repository's packages

from aksnet.plan.hub_contract import CONTRACT_OUTPUT, HubContract
from components.bastion import Bastion, BastionArgs
from components.dns import DnsResolver, DnsResolverArgs, PrivateZone, PrivateZoneArgs
from components.firewall import EgressFirewall, EgressFirewallArgs
from components.hub_access import SpokeAccessRole, SpokeAccessRoleArgs
from components.network import ResourceGroups, ResourceGroupsArgs, VirtualNetwork, VirtualNetworkArgs
from program.landing_zone import load_running_hub

loaded = load_running_hub()
spec, plan = loaded.spec, loaded.plan
env = spec.environment

groups = ResourceGroups("groups", ResourceGroupsArgs(env, ["hub"], lock_hub=env.lock_hub))
group = groups.names["hub"]
hub = VirtualNetwork("hub", VirtualNetworkArgs(env, spec.hub, group, security_rules=plan.nsg_rules))
firewall = EgressFirewall("firewall", EgressFirewallArgs(
    env, spec.firewall, group, hub.subnet_ids["AzureFirewallSubnet"],
    hub.subnet_ids.get("AzureFirewallManagementSubnet"), plan.firewall))
# One zone's link after another's: links of two zones to one VNet at once can conflict.
writes: list[pulumi.Resource] = [hub.last_write]
zones: dict[str, PrivateZone] = {}
for zone in plan.zones:
    zones[zone] = PrivateZone(f"zone-{zone.split('.')[1]}", PrivateZoneArgs(env, group, zone, {"hub": hub.vnet_id},
                                                                            after=writes[-1:]))
    writes += zones[zone].links
if spec.bastion:
    Bastion("bastion", BastionArgs(env, group, hub.subnet_ids["AzureBastionSubnet"], spec.firewall.zones))
if plan.dns_resolver_address is not None:
    DnsResolver("dns-resolver", DnsResolverArgs(env, group, hub.vnet_id, hub.subnet_ids["dns"],
                                                plan.dns_resolver_address))
spoke_access = SpokeAccessRole("spoke-access", SpokeAccessRoleArgs(env, group))

contract = pulumi.Output.all(
    group, hub.vnet_id, hub.vnet_name, firewall.private_ip, firewall.policy_id,
    pulumi.Output.all(*(z.zone_id for z in zones.values()))).apply(lambda v: HubContract(
        location=env.location, resource_group_name=v[0], vnet_id=v[1], vnet_name=v[2],
        address_space=tuple(str(s) for s in spec.hub.address_space), firewall_private_ip=v[3],
        firewall_policy_id=v[4], dns_proxy=plan.firewall.dns_proxy, dns_zone_ids=dict(zip(zones, v[5], strict=True)),
        dns_resolver_address=plan.dns_resolver_address).as_output())
pulumi.export(CONTRACT_OUTPUT, contract)
pulumi.export("addressPlan", list(plan.address_plan))
pulumi.export("spokeAccessRoleId", spoke_access.role_definition_id)  # assigned to each spoke's deploy identity
