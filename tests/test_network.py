"""Network components under the mock engine (preview=False): VNets, subnets, NSGs, peering."""

import ipaddress

import pulumi

from aksnet.config.stack import Environment, VNetSpec
from tools.mock_engine import run_program

ENV = Environment(name="t", location="westeurope")


def net(text):
    return ipaddress.ip_network(text)


def spoke_spec():
    return VNetSpec(role="spoke", address_space=(net("10.1.0.0/16"),), subnets={
        "nodes": net("10.1.0.0/22"), "appgw": net("10.1.4.0/24"), "apiserver": net("10.1.5.0/28"),
        "AzureFirewallSubnet": net("10.1.6.0/26"), "AzureBastionSubnet": net("10.1.7.0/26")})


def run_vnet(**kwargs):
    from aksnet.plan.security_rules import APPGW_RULES, BASTION_RULES
    from components.network import VirtualNetwork, VirtualNetworkArgs
    kwargs.setdefault("security_rules", {"appgw": APPGW_RULES, "AzureBastionSubnet": BASTION_RULES})
    captured = {}

    def program():
        captured["vnet"] = VirtualNetwork("spoke", VirtualNetworkArgs(ENV, spoke_spec(), "rg-t-spoke", **kwargs))
    result = run_program("t", {}, program=program)
    assert result.error is None, result.error
    return result, captured["vnet"]


def test_every_subnet_is_standalone_with_its_exact_name_and_prefix():
    result, _ = run_vnet()
    subnets = {r.inputs["subnetName"]: r.inputs for r in result.of_type("azure-native:network:Subnet")}
    assert subnets["AzureFirewallSubnet"]["addressPrefix"] == "10.1.6.0/26"
    assert subnets["snet-nodes"]["addressPrefix"] == "10.1.0.0/22"
    assert all(s["defaultOutboundAccess"] is False for s in subnets.values())
    vnet = result.one("azure-native:network:VirtualNetwork")
    assert "subnets" not in vnet.inputs  # never inline and standalone both


def test_nsg_on_every_subnet_that_takes_one_and_none_on_the_firewall_subnet():
    result, _ = run_vnet()
    subnets = {r.inputs["subnetName"]: r.inputs for r in result.of_type("azure-native:network:Subnet")}
    assert "networkSecurityGroup" not in subnets["AzureFirewallSubnet"]
    for name in ("snet-nodes", "snet-appgw", "snet-apiserver", "AzureBastionSubnet"):
        assert subnets[name]["networkSecurityGroup"]["id"].endswith(f"nsg-t-spoke-{name.removeprefix('snet-')}")


def test_application_gateway_subnet_nsg_admits_gateway_manager_and_load_balancer():
    result, _ = run_vnet()
    nsg = next(r for r in result.of_type("azure-native:network:NetworkSecurityGroup")
               if r.inputs["networkSecurityGroupName"] == "nsg-t-spoke-appgw")
    rules = {r["name"]: r for r in nsg.inputs["securityRules"]}
    manager = rules["AllowGatewayManager"]
    assert (manager["sourceAddressPrefix"], manager["destinationPortRange"], manager["direction"]) == \
        ("GatewayManager", "65200-65535", "Inbound")
    assert rules["AllowAzureLoadBalancer"]["sourceAddressPrefix"] == "AzureLoadBalancer"
    assert not any(r["direction"] == "Outbound" and r["access"] == "Deny" for r in rules.values())


def test_api_server_subnet_is_delegated_to_aks():
    result, _ = run_vnet()
    subnet = next(r for r in result.of_type("azure-native:network:Subnet") if r.inputs["subnetName"] == "snet-apiserver")
    assert subnet.inputs["delegations"][0]["serviceName"] == "Microsoft.ContainerService/managedClusters"


def test_route_tables_are_associated_by_role():
    table = "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/routeTables/rt"
    result, _ = run_vnet(route_tables={"nodes": table})
    subnets = {r.inputs["subnetName"]: r.inputs for r in result.of_type("azure-native:network:Subnet")}
    assert subnets["snet-nodes"]["routeTable"]["id"] == table
    assert "routeTable" not in subnets["snet-appgw"]


def test_children_are_parented_to_the_component():
    result, _ = run_vnet()
    component = result.one("aks-networking:network:VirtualNetwork")
    assert all(r.parent == component.urn for r in result.records if r.custom)


def test_subnet_ids_output_resolves_to_arm_ids():
    captured = {}

    def program():
        from components.network import VirtualNetwork, VirtualNetworkArgs
        vnet = VirtualNetwork("spoke", VirtualNetworkArgs(ENV, spoke_spec(), "rg-t-spoke"))
        captured["ids"] = pulumi.Output.all(**vnet.subnet_ids).apply(dict)
        # the Output is awaited by the mock run: the check runs inside it
        return captured["ids"].apply(check)

    def check(ids):
        captured["checked"] = ids
        assert ids["nodes"].endswith("/virtualNetworks/vnet-t-spoke/subnets/snet-nodes")
        assert ids["AzureFirewallSubnet"].endswith("/subnets/AzureFirewallSubnet")

    result = run_program("t", {}, program=program)
    assert result.error is None, result.error
    assert "checked" in captured


def test_peering_both_ways_with_forwarded_traffic(prod):
    peerings = prod.of_type("azure-native:network:VirtualNetworkPeering")
    assert len(peerings) == 2
    by_vnet = {p.inputs["virtualNetworkName"]: p.inputs for p in peerings}
    assert by_vnet["vnet-prod-hub"]["remoteVirtualNetwork"]["id"].endswith("/virtualNetworks/vnet-prod-spoke")
    assert by_vnet["vnet-prod-spoke"]["remoteVirtualNetwork"]["id"].endswith("/virtualNetworks/vnet-prod-hub")
    for peering in by_vnet.values():
        assert peering["allowForwardedTraffic"] is True and peering["allowVirtualNetworkAccess"] is True
        assert peering["useRemoteGateways"] is False


def test_node_subnet_admits_the_internet_on_public_service_ports_only(dev, prod):
    def nsg(result, name):
        return next(r for r in result.of_type("azure-native:network:NetworkSecurityGroup")
                    if r.inputs["networkSecurityGroupName"] == name).inputs.get("securityRules", [])
    # dev: a public frontend Service on 80, Envoy Gateway's proxies on 80 (no ingress with TLS: no 443)
    rules = nsg(dev, "nsg-dev-spoke-nodes")
    assert [(r["sourceAddressPrefix"], r["protocol"], r.get("destinationPortRanges") or [r["destinationPortRange"]])
            for r in rules] == [("Internet", "Tcp", ["80"])]
    assert nsg(prod, "nsg-prod-spoke-nodes") == []  # prod publishes through the gateway only


def test_every_nsg_rule_the_plan_writes_has_a_priority_azure_accepts_once_per_direction():
    """An NSG rule's priority is a number from 100 to 4096, unique among the rules of its direction
    (https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview#security-rules);
    Azure refuses the NSG otherwise. Every committed stack, the spokes' cross-spoke rules included."""
    from aksnet.config.stack import load_spec
    from aksnet.plan.security_rules import subnet_rules
    from tests.stacks import load

    written = 0
    for stack in ("dev", "prod", "spoke-a", "spoke-b"):
        for role, rules in subnet_rules(load_spec(load(stack), stack)).items():
            for direction in ("Inbound", "Outbound"):
                priorities = [r.priority for r in rules if r.direction == direction]
                assert all(100 <= p <= 4096 for p in priorities), (stack, role, priorities)
                assert len(priorities) == len(set(priorities)), (stack, role, priorities)
                written += len(priorities)
    assert written >= 20, written
