"""Every input the network components send to Azure, pinned against Microsoft's documentation.

The components (components/network.py, firewall.py, egress.py, dns.py, bastion.py, landing_zone.py,
hub_access.py, roles.py) decide nothing, but each line of them still encodes an Azure fact: a SKU, a
tier, a flag, a delegation's service name, a role's GUID, which subnet an IP configuration names, which
write waits for which. Here every one of them is compared, key by key, with the value the cited page
documents, so that one wrong value in one place fails a test that says which fact it broke.

One run of the mock engine builds every component directly, from hand-written arguments that exercise
each branch (a Basic firewall with two public IPs and a DNAT rule, a NAT gateway with two IPs, a spoke
attachment with two zones and a rule group, a hub lock, multi-port NSG rules); the session's `prod`
run pins the Premium firewall the committed stack deploys.
"""

from __future__ import annotations

import ipaddress
import itertools
import uuid
from typing import Any

import pytest

from aksnet.config.stack import Environment, FirewallSpec, VNetSpec
from aksnet.plan.egress_rules import AKS_SOURCES, PUBLIC_ADDRESS, FirewallPolicyPlan, RuleGroup
from aksnet.plan.hub_contract import HubContract
from aksnet.plan.landing_zone import HUB_ACTIONS_FOR_SPOKES, SpokeAttachmentPlan
from aksnet.plan.security_rules import Rule
from tools.mock_engine import SUBSCRIPTION_ID, Record, RunResult, run_program

ENV = Environment(name="pin", location="westeurope", protect=True, lock_hub=True)
NET = ipaddress.ip_network
SUB = f"/subscriptions/{SUBSCRIPTION_ID}"

HUB = VNetSpec(role="hub", address_space=(NET("10.50.0.0/24"), NET("10.51.0.0/24")), subnets={
    "AzureFirewallSubnet": NET("10.50.0.0/26"), "AzureFirewallManagementSubnet": NET("10.50.0.64/26"),
    "AzureBastionSubnet": NET("10.50.0.128/26"), "dns": NET("10.50.0.192/28")})
SPOKE = VNetSpec(role="spoke", address_space=(NET("10.60.0.0/16"),), subnets={
    "nodes": NET("10.60.0.0/22"), "pods": NET("10.60.8.0/22"), "apiserver": NET("10.60.4.0/28"),
    "agc": NET("10.60.5.0/24"), "appgw": NET("10.60.6.0/24"), "endpoints": NET("10.60.7.0/28")})

# Two rules of the nodes' NSG: one port, and three ports (destinationPortRanges), one of them outbound.
NODE_RULES = (Rule("AllowWeb", 200, "Inbound", "Allow", "Tcp", "Internet", "10.60.0.0/22", ("443",)),
              Rule("DenyRemote", 4000, "Outbound", "Deny", "*", "10.60.0.0/22", "Internet", ("22", "3389", "5985-5986")))

FIREWALL = FirewallSpec(sku="Basic", threat_intel_mode="Alert", zones=("1", "2"), public_ip_count=2,
                        dns_proxy=False, allowed_fqdns=(), network_rules=(), dnat_rules=())
# A Standard firewall of another environment, with its DNS proxy off: what Standard takes and Basic does not.
STANDARD_ENV = Environment(name="std", location="westeurope")
STANDARD = FirewallSpec(sku="Standard", threat_intel_mode="Deny", zones=(), public_ip_count=1,
                        dns_proxy=False, allowed_fqdns=(), network_rules=(), dnat_rules=())
NAT_RULE = {"ruleType": "NatRule", "name": "ssh-in", "ipProtocols": ["TCP"], "sourceAddresses": ["203.0.113.0/24"],
            "destinationAddresses": [PUBLIC_ADDRESS], "destinationPorts": ["2222"],
            "translatedAddress": "10.60.0.10", "translatedPort": "22"}
NETWORK_RULE = {"ruleType": "NetworkRule", "name": "ntp", "ipProtocols": ["UDP"], "sourceIpGroups": [AKS_SOURCES],
                "destinationAddresses": ["*"], "destinationPorts": ["123"]}
POLICY = FirewallPolicyPlan(
    ip_groups={AKS_SOURCES: ("10.60.0.0/22", "10.60.8.0/22")},
    groups=(RuleGroup("aks-egress", "aks", 200, ({"ruleCollectionType": "FirewallPolicyFilterRuleCollection",
                                                 "name": "net", "priority": 210, "action": {"type": "Allow"},
                                                 "rules": [NETWORK_RULE]},)),
            RuleGroup("dnat", "dnat", 150, ({"ruleCollectionType": "FirewallPolicyNatRuleCollection",
                                            "name": "in", "priority": 160, "action": {"type": "Dnat"},
                                            "rules": [NAT_RULE]},)),
            RuleGroup("workload-egress", "workloads", 300, ())),
    dns_proxy=False, workload_sources=())

HUB_POLICY = "/subscriptions/h/resourceGroups/rg-hub-policy/providers/Microsoft.Network/firewallPolicies/afwp-hub"
ZONES = ("privatelink.azurecr.io", "privatelink.vaultcore.azure.net")
CONTRACT = HubContract(
    location="westeurope", resource_group_name="rg-hub-net", vnet_id="/subscriptions/h/resourceGroups/rg-hub-net/"
    "providers/Microsoft.Network/virtualNetworks/vnet-hub", vnet_name="vnet-hub", address_space=("10.10.0.0/24",),
    firewall_private_ip="10.10.0.4", firewall_policy_id=HUB_POLICY, dns_proxy=True,
    dns_zone_ids={zone: f"/subscriptions/h/resourceGroups/rg-zones-{zone.split('.')[1]}/providers/"
                        f"Microsoft.Network/privateDnsZones/{zone}" for zone in ZONES})
ATTACHMENT = SpokeAttachmentPlan(
    name="spoke-x", zones=ZONES, ip_groups={"spoke-x": ("10.60.0.0/22", "10.60.8.0/22")},
    rule_group=RuleGroup("spoke-x", "spoke-x", 1010, ({"ruleCollectionType": "FirewallPolicyFilterRuleCollection",
                                                      "name": "flows", "priority": 1011, "action": {"type": "Allow"},
                                                      "rules": [{**NETWORK_RULE, "sourceIpGroups": ["spoke-x"]}]},)))


def _program() -> None:
    import pulumi

    from components.bastion import Bastion, BastionArgs
    from components.dns import DnsResolver, DnsResolverArgs, PrivateZone, PrivateZoneArgs
    from components.egress import NatGatewayEgress, NatGatewayEgressArgs
    from components.firewall import EgressFirewall, EgressFirewallArgs
    from components.hub_access import SpokeAccessRole, SpokeAccessRoleArgs
    from components.landing_zone import SpokeAttachment, SpokeAttachmentArgs
    from components.network import (
        HubSpokePeering,
        HubSpokePeeringArgs,
        ResourceGroups,
        ResourceGroupsArgs,
        RouteTable,
        RouteTableArgs,
        VirtualNetwork,
        VirtualNetworkArgs,
        private_endpoint,
    )
    from components.roles import assign_role

    groups = ResourceGroups("groups", ResourceGroupsArgs(ENV, ["hub", "spoke"], lock_hub=True))
    routes = RouteTable("routes", RouteTableArgs(ENV, "aks", groups.names["spoke"]))
    nat = NatGatewayEgress("nat", NatGatewayEgressArgs(ENV, groups.names["spoke"], 2))
    hub = VirtualNetwork("hub", VirtualNetworkArgs(ENV, HUB, groups.names["hub"]))
    spoke = VirtualNetwork("spoke", VirtualNetworkArgs(
        ENV, SPOKE, groups.names["spoke"], route_tables={"nodes": routes.route_table_id},
        nat_gateways={"nodes": nat.nat_gateway_id}, security_rules={"nodes": NODE_RULES},
        dns_servers=["10.50.0.4"]))
    firewall = EgressFirewall("firewall", EgressFirewallArgs(
        ENV, FIREWALL, groups.names["hub"], hub.subnet_ids["AzureFirewallSubnet"],
        hub.subnet_ids["AzureFirewallManagementSubnet"], POLICY))
    EgressFirewall("standard", EgressFirewallArgs(
        STANDARD_ENV, STANDARD, "rg-std", hub.subnet_ids["AzureFirewallSubnet"], None,
        FirewallPolicyPlan(ip_groups={}, groups=(), dns_proxy=False, workload_sources=())))
    peering = HubSpokePeering("peering", HubSpokePeeringArgs(hub, spoke, after=[hub.last_write, spoke.last_write]))
    routes.add_route("default", "0.0.0.0/0", "VirtualAppliance", firewall.private_ip)
    zone = PrivateZone("zone", PrivateZoneArgs(ENV, groups.names["hub"], "privatelink.azurecr.io",
                                               {"hub": hub.vnet_id, "spoke": spoke.vnet_id}, after=peering.peerings))
    private_endpoint("registry", ENV, "registry", groups.names["spoke"], spoke.subnet_ids["endpoints"],
                     f"{SUB}/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/acr", "registry",
                     zone.zone_id, "privatelink.azurecr.io", spoke)
    DnsResolver("resolver", DnsResolverArgs(ENV, groups.names["hub"], hub.vnet_id, hub.subnet_ids["dns"], "10.50.0.196"))
    Bastion("bastion", BastionArgs(ENV, groups.names["hub"], hub.subnet_ids["AzureBastionSubnet"], ("1", "2", "3")))
    SpokeAccessRole("spoke-access", SpokeAccessRoleArgs(ENV, groups.names["hub"]))
    contract = pulumi.Output.from_input("hub").apply(lambda _: CONTRACT)
    SpokeAttachment("attachment", SpokeAttachmentArgs(ENV, spoke, contract, ATTACHMENT, after=[spoke.last_write]))
    assign_role("grant", "Network Contributor", spoke.subnet_ids["nodes"], "principal-1", spoke,
                depends_on=peering.peerings)
    pulumi.export("firewall", {"privateIp": firewall.private_ip, "publicIps": firewall.public_ips})
    pulumi.export("nat", nat.public_ips)


@pytest.fixture(scope="module")
def built() -> RunResult:
    result = run_program("pin", {}, program=_program)
    assert result.error is None, result.error
    return result


def _by(result: RunResult, typ: str, key: str) -> dict[str, Record]:
    return {r.inputs[key]: r for r in result.of_type(f"azure-native:{typ}")}


def _waits_for(result: RunResult, record: Record) -> set[str]:
    """The logical names of the resources `record` depends on."""
    names = {r.urn: r.name for r in result.records}
    return {names[d] for d in record.dependencies if d in names}


def _subset(actual: dict[str, Any], expected: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """The keys whose values differ: (expected, actual)."""
    return {k: (v, actual.get(k, "<absent>")) for k, v in expected.items() if actual.get(k, "<absent>") != v}


# Public IPs -----------------------------------------------------------------------------------

# The firewall, Bastion, a NAT gateway: Standard SKU, Regional tier (Global is for cross-region load
# balancers only), static allocation (a Standard IP cannot be dynamic); zonal resources take zonal IPs,
# and a NAT gateway placed in no zone takes non-zonal IPs.
# https://learn.microsoft.com/azure/virtual-network/ip-services/public-ip-addresses#sku,
# https://learn.microsoft.com/azure/nat-gateway/nat-availability-zones,
# https://learn.microsoft.com/azure/firewall/deploy-availability-zone-powershell
def test_every_public_ip_is_standard_regional_static_in_its_owners_zones(built):
    ips = _by(built, "network:PublicIPAddress", "publicIpAddressName")
    zones = {"pip-pin-fw-1": ["1", "2"], "pip-pin-fw-2": ["1", "2"], "pip-pin-fw-mgmt": ["1", "2"],
             "pip-pin-bastion": ["1", "2", "3"], "pip-pin-nat-1": None, "pip-pin-nat-2": None, "pip-std-fw-1": None}
    assert sorted(ips) == sorted(zones)
    for name, ip in ips.items():
        assert _subset(ip.inputs, {"sku": {"name": "Standard", "tier": "Regional"},
                                   "publicIPAllocationMethod": "Static", "location": "westeurope"}) == {}, name
        assert ip.inputs.get("zones") == zones[name], name
        # A replaced IP is a new address that partners must allow-list again.
        assert ip.protect is name.startswith("pip-pin-"), name  # the environment's protect flag


# Resource groups and the hub's lock ---------------------------------------------------------------

# CanNotDelete lets authorised users read and modify, never delete; ReadOnly would also refuse every
# update of the hub (and, for a resource group, even listing some keys).
# https://learn.microsoft.com/azure/azure-resource-manager/management/lock-resources
def test_the_hub_group_holds_a_can_not_delete_lock_and_groups_are_protected(built):
    groups = _by(built, "resources:ResourceGroup", "resourceGroupName")
    assert sorted(groups) == ["rg-pin-hub", "rg-pin-spoke"]
    assert all(g.protect for g in groups.values())
    [lock] = built.of_type("azure-native:authorization:ManagementLockAtResourceGroupLevel")
    assert _subset(lock.inputs, {"level": "CanNotDelete", "resourceGroupName": "rg-pin-hub"}) == {}


def test_no_lock_without_the_stacks_flag():
    from components.network import ResourceGroups, ResourceGroupsArgs

    def program() -> None:
        ResourceGroups("groups", ResourceGroupsArgs(Environment(name="nolock", location="westeurope"), ["hub"]))
    result = run_program("nolock", {}, program=program)
    assert result.error is None, result.error
    assert result.of_type("azure-native:authorization:ManagementLockAtResourceGroupLevel") == []


# VNets and subnets ----------------------------------------------------------------------------

# Every address space of the VNet is sent (a VNet may hold several prefixes); its DNS servers are the
# DHCP options' dnsServers. https://learn.microsoft.com/azure/virtual-network/manage-virtual-network#add-or-remove-an-address-range,
# https://learn.microsoft.com/azure/virtual-network/manage-virtual-network#change-dns-servers
def test_the_vnet_carries_every_address_space_and_its_dns_servers(built):
    vnets = _by(built, "network:VirtualNetwork", "virtualNetworkName")
    assert vnets["vnet-pin-hub"].inputs["addressSpace"] == {"addressPrefixes": ["10.50.0.0/24", "10.51.0.0/24"]}
    assert "dhcpOptions" not in vnets["vnet-pin-hub"].inputs  # Azure's own resolver, 168.63.129.16
    assert vnets["vnet-pin-spoke"].inputs["dhcpOptions"] == {"dnsServers": ["10.50.0.4"]}
    assert all(v.protect for v in vnets.values())


# Which subnets take an NSG: all but AzureFirewallSubnet and AzureFirewallManagementSubnet (the firewall
# refuses one); AzureBastionSubnet takes one. Delegations: API server VNet integration to
# Microsoft.ContainerService/managedClusters, the DNS resolver's endpoint to Microsoft.Network/dnsResolvers,
# AGC's association to Microsoft.ServiceNetworking/trafficControllers; node, pod, gateway and endpoint
# subnets are not delegated. No implicit outbound access on any subnet.
# https://learn.microsoft.com/azure/firewall/firewall-faq#are-network-security-groups-nsgs-supported-on-the-azurefirewallsubnet,
# https://learn.microsoft.com/azure/bastion/bastion-nsg, https://learn.microsoft.com/azure/aks/api-server-vnet-integration,
# https://learn.microsoft.com/azure/dns/dns-private-resolver-overview#subnet-restrictions,
# https://learn.microsoft.com/azure/application-gateway/for-containers/quickstart-create-application-gateway-for-containers-byo-deployment,
# https://learn.microsoft.com/azure/virtual-network/ip-services/default-outbound-access
SUBNETS = {  # Azure name: (prefix, has an NSG, delegated to)
    "AzureFirewallSubnet": ("10.50.0.0/26", False, None),
    "AzureFirewallManagementSubnet": ("10.50.0.64/26", False, None),
    "AzureBastionSubnet": ("10.50.0.128/26", True, None),
    "snet-dns": ("10.50.0.192/28", True, "Microsoft.Network/dnsResolvers"),
    "snet-nodes": ("10.60.0.0/22", True, None),
    "snet-pods": ("10.60.8.0/22", True, None),
    "snet-apiserver": ("10.60.4.0/28", True, "Microsoft.ContainerService/managedClusters"),
    "snet-agc": ("10.60.5.0/24", True, "Microsoft.ServiceNetworking/trafficControllers"),
    "snet-appgw": ("10.60.6.0/24", True, None),
    "snet-endpoints": ("10.60.7.0/28", True, None),
}


def test_each_subnet_has_its_prefix_nsg_and_delegation(built):
    subnets = _by(built, "network:Subnet", "subnetName")
    assert sorted(subnets) == sorted(SUBNETS)
    for name, (prefix, has_nsg, delegated_to) in SUBNETS.items():
        inputs = subnets[name].inputs
        assert inputs["addressPrefix"] == prefix, name
        assert inputs["defaultOutboundAccess"] is False, name
        nsg = inputs.get("networkSecurityGroup", {}).get("id", "")
        vnet = "hub" if name in ("AzureFirewallSubnet", "AzureFirewallManagementSubnet", "AzureBastionSubnet",
                                 "snet-dns") else "spoke"
        assert nsg.endswith(f"/networkSecurityGroups/nsg-pin-{vnet}-{name.removeprefix('snet-')}") is has_nsg, name
        services = [d["serviceName"] for d in inputs.get("delegations", [])]
        assert services == ([delegated_to] if delegated_to else []), name


# The route table and the NAT gateway are associated with the subnets given them, no other.
# https://learn.microsoft.com/azure/aks/configure-kubenet#bring-your-own-subnet-and-route-table-with-kubenet,
# https://learn.microsoft.com/azure/aks/nat-gateway#create-an-aks-cluster-with-a-user-assigned-nat-gateway
def test_route_table_and_nat_gateway_go_on_the_nodes_subnet_only(built):
    subnets = _by(built, "network:Subnet", "subnetName")
    table = built.one("azure-native:network:RouteTable").outputs["id"]
    gateway = built.one("azure-native:network:NatGateway").outputs["id"]
    assert subnets["snet-nodes"].inputs["routeTable"] == {"id": table}
    assert subnets["snet-nodes"].inputs["natGateway"] == {"id": gateway}
    assert [n for n, s in subnets.items() if "routeTable" in s.inputs or "natGateway" in s.inputs] == ["snet-nodes"]


# Azure writes one subnet of a VNet at a time (AnotherOperationInProgress otherwise): each subnet waits
# for the one before, and the VNet's last write is its last subnet.
# https://learn.microsoft.com/azure/virtual-network/virtual-network-troubleshoot-peering-issues,
# https://github.com/Azure/azure-rest-api-specs/issues/16838
def test_subnets_of_a_vnet_are_written_one_after_another(built):
    for vnet, spec in (("hub", HUB), ("spoke", SPOKE)):
        subnets = [f"{vnet}-subnet-{role}" for role in spec.subnets]  # in the spec's order
        records = {r.name: r for r in built.of_type("azure-native:network:Subnet")}
        for before, after in itertools.pairwise(subnets):
            assert before in _waits_for(built, records[after]), (before, after)
    peerings = built.of_type("azure-native:network:VirtualNetworkPeering")
    last = {f"{v}-subnet-{list(spec.subnets)[-1]}" for v, spec in (("hub", HUB), ("spoke", SPOKE))}
    for peering in [p for p in peerings if p.name.startswith("peering-")]:
        assert last <= _waits_for(built, peering), peering.name


# An NSG rule as Azure takes it: the rule's own direction, access, protocol, source and destination;
# any source port; one port in destinationPortRange, several in destinationPortRanges (all of them).
# https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview#security-rules,
# https://learn.microsoft.com/rest/api/virtualnetwork/security-rules/create-or-update
def test_nsg_rules_are_sent_as_written(built):
    nsgs = _by(built, "network:NetworkSecurityGroup", "networkSecurityGroupName")
    rules = {r["name"]: r for r in nsgs["nsg-pin-spoke-nodes"].inputs["securityRules"]}
    assert rules == {
        "AllowWeb": {"name": "AllowWeb", "priority": 200, "direction": "Inbound", "access": "Allow",
                     "protocol": "Tcp", "sourceAddressPrefix": "Internet", "sourcePortRange": "*",
                     "destinationAddressPrefix": "10.60.0.0/22", "destinationPortRange": "443"},
        "DenyRemote": {"name": "DenyRemote", "priority": 4000, "direction": "Outbound", "access": "Deny",
                       "protocol": "*", "sourceAddressPrefix": "10.60.0.0/22", "sourcePortRange": "*",
                       "destinationAddressPrefix": "Internet",
                       "destinationPortRanges": ["22", "3389", "5985-5986"]}}


# Peering ---------------------------------------------------------------------------------------

# Each VNet peers towards the other (a one-sided peering stays Initiated); both sides allow VNet access and
# forwarded traffic (what the hub firewall forwards did not start in the hub); no gateway transit without
# a gateway. https://learn.microsoft.com/azure/virtual-network/virtual-network-manage-peering#create-a-peering,
# https://learn.microsoft.com/azure/virtual-network/virtual-network-peering-overview
PEERING_FLAGS = {"allowVirtualNetworkAccess": True, "allowForwardedTraffic": True,
                 "allowGatewayTransit": False, "useRemoteGateways": False}


def test_hub_spoke_peering_pairs_each_vnet_with_the_other(built):
    peerings = {r.inputs["virtualNetworkName"]: r.inputs
                for r in built.of_type("azure-native:network:VirtualNetworkPeering") if r.name.startswith("peering-")}
    assert sorted(peerings) == ["vnet-pin-hub", "vnet-pin-spoke"]
    assert peerings["vnet-pin-hub"]["remoteVirtualNetwork"]["id"].endswith("/virtualNetworks/vnet-pin-spoke")
    assert peerings["vnet-pin-spoke"]["remoteVirtualNetwork"]["id"].endswith("/virtualNetworks/vnet-pin-hub")
    assert peerings["vnet-pin-hub"]["resourceGroupName"] == "rg-pin-hub"
    assert peerings["vnet-pin-spoke"]["resourceGroupName"] == "rg-pin-spoke"
    for vnet, inputs in peerings.items():
        assert _subset(inputs, PEERING_FLAGS) == {}, vnet


# Route table ------------------------------------------------------------------------------------

# Gateway route propagation off: routes learned over BGP must not bypass the firewall. The default route
# goes to a virtual appliance at the firewall's private address (AKS refuses 0.0.0.0/0 to Internet there).
# https://learn.microsoft.com/azure/virtual-network/virtual-networks-udr-overview#border-gateway-protocol,
# https://learn.microsoft.com/azure/aks/egress-outboundtype#outbound-type-of-userdefinedrouting
def test_route_table_and_default_route_to_the_firewall(built):
    table = built.one("azure-native:network:RouteTable").inputs
    assert _subset(table, {"disableBgpRoutePropagation": True, "location": "westeurope",
                           "routeTableName": "rt-pin-aks"}) == {}
    route = built.one("azure-native:network:Route").inputs
    private_ip = built.exports["firewall"]["privateIp"]
    assert private_ip == "10.50.0.4"  # the first usable address of AzureFirewallSubnet
    assert _subset(route, {"addressPrefix": "0.0.0.0/0", "nextHopType": "VirtualAppliance",
                           "nextHopIpAddress": private_ip, "routeTableName": "rt-pin-aks"}) == {}


# Private endpoint --------------------------------------------------------------------------------

# A registry's endpoint takes the sub-resource (group id) `registry`, sits in the endpoints subnet, and its
# zone group writes the records into privatelink.azurecr.io.
# https://learn.microsoft.com/azure/private-link/private-endpoint-overview#private-link-resource,
# https://learn.microsoft.com/azure/private-link/private-endpoint-dns
def test_private_endpoint_names_its_service_group_subnet_and_zone(built):
    endpoint = built.one("azure-native:network:PrivateEndpoint").inputs
    subnets = _by(built, "network:Subnet", "subnetName")
    assert endpoint["subnet"] == {"id": subnets["snet-endpoints"].outputs["id"]}
    [connection] = endpoint["privateLinkServiceConnections"]
    assert connection["groupIds"] == ["registry"]
    assert connection["privateLinkServiceId"].endswith("/registries/acr")
    group = built.one("azure-native:network:PrivateDnsZoneGroup").inputs
    zone = built.one("azure-native:privatedns:PrivateZone")
    assert [c["privateDnsZoneId"] for c in group["privateDnsZoneConfigs"]] == [zone.outputs["id"]]


# Azure Firewall ---------------------------------------------------------------------------------

# Basic: the firewall's SKU is AZFW_VNet (AZFW_Hub is a Virtual WAN hub's), the tier the stack's; the
# policy's tier matches; Basic has no DNS proxy (dnsSettings absent) and no IDPS; threat intelligence in
# Alert mode. Basic always takes a management IP configuration in AzureFirewallManagementSubnet with a
# public IP of its own. Only the first IP configuration names AzureFirewallSubnet; each further one
# carries one more public IP. https://learn.microsoft.com/azure/firewall/basic-features,
# https://learn.microsoft.com/azure/firewall/choose-firewall-sku, https://learn.microsoft.com/azure/firewall/deploy-firewall-basic-portal-policy,
# https://learn.microsoft.com/azure/firewall/firewall-multiple-ip, https://learn.microsoft.com/rest/api/firewall/azure-firewalls/create-or-update
def test_a_basic_firewall_as_azure_takes_it(built):
    firewall = _by(built, "network:AzureFirewall", "azureFirewallName")["afw-pin-egress"]
    ips = {r.inputs["publicIpAddressName"]: r.outputs["id"] for r in built.of_type("azure-native:network:PublicIPAddress")}
    subnets = {r.inputs["subnetName"]: r.outputs["id"] for r in built.of_type("azure-native:network:Subnet")}
    policy = _by(built, "network:FirewallPolicy", "firewallPolicyName")["afwp-pin-egress"]
    assert _subset(firewall.inputs, {
        "sku": {"name": "AZFW_VNet", "tier": "Basic"}, "zones": ["1", "2"], "firewallPolicy": {"id": policy.outputs["id"]},
        "ipConfigurations": [
            {"name": "ipconfig-1", "subnet": {"id": subnets["AzureFirewallSubnet"]},
             "publicIPAddress": {"id": ips["pip-pin-fw-1"]}},
            {"name": "ipconfig-2", "publicIPAddress": {"id": ips["pip-pin-fw-2"]}}],
        "managementIpConfiguration": {"name": "management", "subnet": {"id": subnets["AzureFirewallManagementSubnet"]},
                                      "publicIPAddress": {"id": ips["pip-pin-fw-mgmt"]}}}) == {}
    assert firewall.protect is True and policy.protect is True
    assert _subset(policy.inputs, {"sku": {"tier": "Basic"}, "threatIntelMode": "Alert"}) == {}
    assert "dnsSettings" not in policy.inputs and "intrusionDetection" not in policy.inputs
    assert sorted(built.exports["firewall"]["publicIps"]) == sorted(
        r.outputs["ipAddress"] for r in built.of_type("azure-native:network:PublicIPAddress")
        if r.inputs["publicIpAddressName"] in ("pip-pin-fw-1", "pip-pin-fw-2"))


# The committed prod stack's Premium firewall: policy tier Premium with IDPS in Deny mode (Premium only),
# threat intelligence Deny, DNS proxy on (FQDNs in network rules need it); no management configuration
# (Standard and Premium take one only for forced tunnelling); three public IPs, three zones.
# https://learn.microsoft.com/azure/firewall/premium-features#idps, https://learn.microsoft.com/azure/firewall/dns-settings,
# https://learn.microsoft.com/azure/firewall/fqdn-filtering-network-rules, https://learn.microsoft.com/azure/firewall/forced-tunneling
def test_the_prod_premium_firewall_as_azure_takes_it(prod):
    firewall = prod.one("azure-native:network:AzureFirewall").inputs
    policy = prod.one("azure-native:network:FirewallPolicy").inputs
    assert _subset(policy, {"sku": {"tier": "Premium"}, "threatIntelMode": "Deny",
                            "dnsSettings": {"enableProxy": True}, "intrusionDetection": {"mode": "Deny"}}) == {}
    assert firewall["sku"] == {"name": "AZFW_VNet", "tier": "Premium"}
    assert firewall["zones"] == ["1", "2", "3"] and "managementIpConfiguration" not in firewall
    configs = firewall["ipConfigurations"]
    assert [c["name"] for c in configs] == ["ipconfig-1", "ipconfig-2", "ipconfig-3"]
    assert ["subnet" in c for c in configs] == [True, False, False]
    assert len({c["publicIPAddress"]["id"] for c in configs}) == 3
    assert len(prod.exports["egressPublicIps"]) == 3


# Standard: DNS proxy as the stack sets it (here off), no IDPS (a Premium feature), no management IP
# configuration (only Basic and forced tunnelling take one), threat intelligence as the stack sets it.
# https://learn.microsoft.com/azure/firewall/features, https://learn.microsoft.com/azure/firewall/premium-features#idps,
# https://learn.microsoft.com/azure/firewall/dns-settings, https://learn.microsoft.com/azure/firewall/choose-firewall-sku
def test_a_standard_firewall_as_azure_takes_it(built):
    policy = _by(built, "network:FirewallPolicy", "firewallPolicyName")["afwp-std-egress"].inputs
    assert _subset(policy, {"sku": {"tier": "Standard"}, "threatIntelMode": "Deny",
                            "dnsSettings": {"enableProxy": False}}) == {}
    assert "intrusionDetection" not in policy
    firewall = _by(built, "network:AzureFirewall", "azureFirewallName")["afw-std-egress"].inputs
    assert firewall["sku"] == {"name": "AZFW_VNet", "tier": "Standard"}
    assert "managementIpConfiguration" not in firewall and "zones" not in firewall
    assert [c["name"] for c in firewall["ipConfigurations"]] == ["ipconfig-1"]


# The policy's rule collection groups carry the plan's priorities; a DNAT rule's destination is the
# firewall's first public address (a DNAT rule translates traffic sent to one of the firewall's public
# IPs), network rules name their sources by IP group id; IP groups hold every range.
# https://learn.microsoft.com/azure/firewall/policy-rule-sets, https://learn.microsoft.com/azure/firewall/tutorial-firewall-dnat-policy,
# https://learn.microsoft.com/azure/firewall/ip-groups
def test_rule_groups_dnat_destination_and_ip_groups(built):
    groups = _by(built, "network:FirewallPolicyRuleCollectionGroup", "ruleCollectionGroupName")
    assert {n: g.inputs["priority"] for n, g in groups.items()} == {
        "aks-egress": 200, "dnat": 150, "workload-egress": 300, "spoke-x": 1010}
    first_ip = next(r.outputs["ipAddress"] for r in built.of_type("azure-native:network:PublicIPAddress")
                    if r.inputs["publicIpAddressName"] == "pip-pin-fw-1")
    [nat] = groups["dnat"].inputs["ruleCollections"][0]["rules"]
    assert nat == {**NAT_RULE, "destinationAddresses": [first_ip]}
    ip_group = next(r for r in built.of_type("azure-native:network:IpGroup") if r.name == "firewall-cluster-sources")
    assert ip_group.inputs["ipAddresses"] == ["10.60.0.0/22", "10.60.8.0/22"]
    [rule] = groups["aks-egress"].inputs["ruleCollections"][0]["rules"]
    assert rule == {**NETWORK_RULE, "sourceIpGroups": [ip_group.outputs["id"]]}


# Azure writes one rule collection group of a policy at a time, and the firewall waits for them.
# https://github.com/Azure/bicep/issues/1013 (only one rule collection group can be updated at a time)
def test_rule_groups_are_written_in_a_chain_and_the_firewall_after_them(built):
    groups = [r for r in built.of_type("azure-native:network:FirewallPolicyRuleCollectionGroup")
              if r.name.startswith("firewall-rules-")]
    assert [g.name for g in groups] == ["firewall-rules-aks", "firewall-rules-dnat", "firewall-rules-workloads"]
    for before, after in itertools.pairwise(groups):
        assert before.name in _waits_for(built, after)
    firewall = _by(built, "network:AzureFirewall", "azureFirewallName")["afw-pin-egress"]
    assert {g.name for g in groups} <= _waits_for(built, firewall)


# NAT gateway --------------------------------------------------------------------------------------

# SKU Standard, TCP idle timeout 4 minutes (Azure's default, in 4..120), every public IP attached (up to 16);
# placed in no zone, like its public IPs (a zonal NAT gateway takes only IPs of its own zone).
# https://learn.microsoft.com/azure/nat-gateway/nat-gateway-resource#tcp-idle-timeout,
# https://learn.microsoft.com/azure/nat-gateway/nat-overview
def test_nat_gateway_as_azure_takes_it(built):
    gateway = built.one("azure-native:network:NatGateway").inputs
    ips = {r.inputs["publicIpAddressName"]: r for r in built.of_type("azure-native:network:PublicIPAddress")}
    assert _subset(gateway, {"sku": {"name": "Standard"}, "idleTimeoutInMinutes": 4, "natGatewayName": "ng-pin-egress",
                             "publicIpAddresses": [{"id": ips["pip-pin-nat-1"].outputs["id"]},
                                                   {"id": ips["pip-pin-nat-2"].outputs["id"]}]}) == {}
    assert "zones" not in gateway  # a NAT gateway in no zone, as its non-zonal public IPs
    assert sorted(built.exports["nat"]) == sorted(ips[n].outputs["ipAddress"] for n in ("pip-pin-nat-1", "pip-pin-nat-2"))


# Private DNS -------------------------------------------------------------------------------------

# Private zones and their links are global; the links of a zone whose records Azure writes (private
# endpoints, the API server) do not auto-register VMs; every VNet given is linked; a link is a write to
# its VNet and waits for the VNet's writes before it. The resolver's inbound endpoint keeps a static address.
# https://learn.microsoft.com/azure/dns/private-dns-virtual-network-links,
# https://learn.microsoft.com/azure/dns/private-dns-autoregistration,
# https://learn.microsoft.com/azure/dns/dns-private-resolver-get-started-portal#create-an-inbound-endpoint,
# https://learn.microsoft.com/rest/api/dns/dnsresolver/inbound-endpoints/create-or-update
def test_private_zone_links_and_resolver(built):
    zone = built.one("azure-native:privatedns:PrivateZone")
    assert zone.inputs["location"] == "global" and zone.protect is True
    links = {r.inputs["virtualNetworkLinkName"]: r for r in built.of_type("azure-native:privatedns:VirtualNetworkLink")
             if r.name.startswith("zone-")}
    vnets = _by(built, "network:VirtualNetwork", "virtualNetworkName")
    assert {n: (link.inputs["virtualNetwork"]["id"], link.inputs["location"], link.inputs["registrationEnabled"])
            for n, link in links.items()} == {"link-hub": (vnets["vnet-pin-hub"].outputs["id"], "global", False),
                                            "link-spoke": (vnets["vnet-pin-spoke"].outputs["id"], "global", False)}
    for link in links.values():
        assert {"peering-hub-to-spoke", "peering-spoke-to-hub"} <= _waits_for(built, link)
    resolver = built.one("azure-native:dnsresolver:DnsResolver").inputs
    assert resolver["virtualNetwork"] == {"id": vnets["vnet-pin-hub"].outputs["id"]}
    [config] = built.one("azure-native:dnsresolver:InboundEndpoint").inputs["ipConfigurations"]
    assert _subset(config, {"privateIpAddress": "10.50.0.196", "privateIpAllocationMethod": "Static"}) == {}
    assert config["subnet"]["id"].endswith("/subnets/snet-dns")


# Bastion -----------------------------------------------------------------------------------------

# Native-client tunnelling (az network bastion ssh/tunnel) needs the Standard SKU or higher and
# enableTunneling; the IP configuration names AzureBastionSubnet and a Standard public IP in the zones given.
# https://learn.microsoft.com/azure/bastion/native-client, https://learn.microsoft.com/azure/bastion/configuration-settings#skus
def test_bastion_standard_with_native_client_tunnelling(built):
    host = built.one("azure-native:network:BastionHost").inputs
    ips = {r.inputs["publicIpAddressName"]: r.outputs["id"] for r in built.of_type("azure-native:network:PublicIPAddress")}
    subnets = {r.inputs["subnetName"]: r.outputs["id"] for r in built.of_type("azure-native:network:Subnet")}
    assert _subset(host, {"sku": {"name": "Standard"}, "enableTunneling": True, "ipConfigurations": [
        {"name": "bastion", "subnet": {"id": subnets["AzureBastionSubnet"]},
         "publicIPAddress": {"id": ips["pip-pin-bastion"]}}]}) == {}


# The spoke's custom role on the hub ---------------------------------------------------------------

# A custom role: exactly the actions the spoke needs, assignable only within (and defined at) the hub's
# resource group, under a GUID that is the same on every run of the same stack.
# https://learn.microsoft.com/azure/role-based-access-control/custom-roles#custom-role-properties,
# https://learn.microsoft.com/rest/api/authorization/role-definitions/create-or-update
def test_the_spoke_access_role_is_scoped_to_the_hub_group(built):
    role = built.one("azure-native:authorization:RoleDefinition").inputs
    scope = f"{SUB}/resourceGroups/rg-pin-hub"
    assert role["scope"] == scope and role["assignableScopes"] == [scope]
    assert role["permissions"] == [{"actions": list(HUB_ACTIONS_FOR_SPOKES)}]
    from components.hub_access import ROLE_ID_NAMESPACE
    assert role["roleDefinitionId"] == str(uuid.uuid5(ROLE_ID_NAMESPACE, "aks-networking/pin/spoke-access"))


# A landing zone spoke's attachment ------------------------------------------------------------------

# Its two halves of the peering (the hub's in the hub's group, named per spoke so two spokes do not
# overwrite each other's), with the same flags as above; the hub's half after the spoke's. Its links to the
# hub's zones: global, no auto-registration, in each zone's own group, named per spoke, one at a time.
# Its rule collection group on the hub's policy, at its priority, in the policy's group, after its IP
# groups. https://learn.microsoft.com/azure/virtual-network/virtual-network-manage-peering,
# https://learn.microsoft.com/azure/dns/private-dns-virtual-network-links,
# https://learn.microsoft.com/azure/firewall/policy-rule-sets, https://learn.microsoft.com/azure/firewall/ip-groups
def test_the_spoke_attachment_as_azure_takes_it(built):
    peerings = {r.name: r for r in built.of_type("azure-native:network:VirtualNetworkPeering")
                if r.name.startswith("attachment-")}
    to_hub, to_spoke = peerings["attachment-spoke-to-hub"], peerings["attachment-hub-to-spoke"]
    assert _subset(to_hub.inputs, {**PEERING_FLAGS, "virtualNetworkPeeringName": "peer-spoke-to-hub",
                                   "resourceGroupName": "rg-pin-spoke", "virtualNetworkName": "vnet-pin-spoke",
                                   "remoteVirtualNetwork": {"id": CONTRACT.vnet_id}}) == {}
    spoke_id = _by(built, "network:VirtualNetwork", "virtualNetworkName")["vnet-pin-spoke"].outputs["id"]
    assert _subset(to_spoke.inputs, {**PEERING_FLAGS, "virtualNetworkPeeringName": "peer-hub-to-spoke-x",
                                     "resourceGroupName": "rg-hub-net", "virtualNetworkName": "vnet-hub",
                                     "remoteVirtualNetwork": {"id": spoke_id}}) == {}
    assert "attachment-spoke-to-hub" in _waits_for(built, to_spoke)
    assert "spoke-subnet-endpoints" in _waits_for(built, to_hub)
    links = {r.inputs["privateZoneName"]: r for r in built.of_type("azure-native:privatedns:VirtualNetworkLink")
             if r.name.startswith("attachment-")}
    assert {zone: (link.inputs["resourceGroupName"], link.inputs["virtualNetworkLinkName"], link.inputs["location"],
                   link.inputs["registrationEnabled"], link.inputs["virtualNetwork"]["id"])
            for zone, link in links.items()} == {
        zone: (f"rg-zones-{zone.split('.')[1]}", "link-spoke-x", "global", False, spoke_id) for zone in ZONES}
    first, second = (links[zone] for zone in ZONES)
    assert {to_hub.name, to_spoke.name} <= _waits_for(built, first)
    assert first.name in _waits_for(built, second)  # two links to one VNet at once conflict
    group = _by(built, "network:FirewallPolicyRuleCollectionGroup", "ruleCollectionGroupName")["spoke-x"]
    ip_group = next(r for r in built.of_type("azure-native:network:IpGroup") if r.name == "attachment-sources-spoke-x")
    assert ip_group.inputs["ipAddresses"] == ["10.60.0.0/22", "10.60.8.0/22"]
    assert _subset(group.inputs, {"priority": 1010, "firewallPolicyName": "afwp-hub",
                                  "resourceGroupName": "rg-hub-policy"}) == {}
    [rule] = group.inputs["ruleCollections"][0]["rules"]
    assert rule["sourceIpGroups"] == [ip_group.outputs["id"]]
    assert ip_group.name in _waits_for(built, group)


# Role assignments --------------------------------------------------------------------------------

# The built-in roles' ids, the same in every tenant, from Microsoft's built-in roles pages.
# https://learn.microsoft.com/azure/role-based-access-control/built-in-roles (general, networking, containers,
# security, identity, integration)
BUILTIN = {
    "Contributor": "b24988ac-6180-42a0-ab88-20f7382dd24c",
    "Reader": "acdd72a7-3385-48ef-bd42-f606fba81ae7",
    "Network Contributor": "4d97b98b-1d4f-4787-a291-c67834d212e7",
    "Private DNS Zone Contributor": "b12aa53e-6015-4669-85d0-8515ebb3ae7f",
    "Managed Identity Operator": "f1a07417-d97a-45cb-824c-7a7467783830",
    "Azure Kubernetes Service RBAC Cluster Admin": "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b",
    "Azure Kubernetes Service RBAC Reader": "7f6c6a51-bcf8-42ba-9220-52d62157d7db",
    "AcrPull": "7f951dda-4ed3-4680-a7ca-43fe172d538d",
    "Key Vault Secrets User": "4633458b-17de-408a-b874-0445c86b69e6",
    "AppGw for Containers Configuration Manager": "fbc52c3f-28ad-4303-a892-8a056630b8f1",
}


def test_every_builtin_role_id_is_microsofts():
    from components.roles import BUILTIN_ROLES
    assert dict(BUILTIN_ROLES) == BUILTIN


# A role assignment names the role by its subscription-scoped definition id, and a managed identity as a
# ServicePrincipal (Azure then skips the Entra ID lookup that fails for a just-created identity); it waits for
# what it was told to. https://learn.microsoft.com/rest/api/authorization/role-assignments/create,
# https://learn.microsoft.com/azure/role-based-access-control/role-assignments-template#new-service-principal
def test_a_role_assignment_as_azure_takes_it(built):
    grant = next(r for r in built.of_type("azure-native:authorization:RoleAssignment") if r.name == "grant")
    assert _subset(grant.inputs, {
        "roleDefinitionId": f"{SUB}/providers/Microsoft.Authorization/roleDefinitions/{BUILTIN['Network Contributor']}",
        "principalId": "principal-1", "principalType": "ServicePrincipal"}) == {}
    assert grant.inputs["scope"].endswith("/subnets/snet-nodes")
    assert {"peering-hub-to-spoke", "peering-spoke-to-hub"} <= _waits_for(built, grant)
