"""The landing zone: a hub stack, spoke stacks joined by its contract, one address registry.

Expected outcomes come from Azure's and Pulumi's documents, cited beside each test."""

from __future__ import annotations

import copy

import pytest

from aksnet.config.hub import load_hub_spec
from aksnet.plan.hub_contract import CONTRACT_OUTPUT, ContractError, read_contract
from aksnet.plan.landing_zone import RegistryError, read_registry, registration_problems
from tests.stacks import load
from tools.mock_engine import run_program
from tools.stackfile import read_stack_file

HUB_REFERENCE = "contoso/aks-networking/hub"


def _registry_document() -> dict:
    import yaml
    with open("landing-zone.yaml", encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@pytest.fixture(scope="module")
def hub_run():
    config = read_stack_file("hub/Pulumi.hub.yaml").config
    result = run_program("hub", config, main="hub/__main__.py")
    assert result.error is None, result.error
    return result


@pytest.fixture(scope="module")
def spoke_a(hub_run):
    result = run_program("spoke-a", load("spoke-a"), stack_outputs={HUB_REFERENCE: hub_run.exports})
    assert result.error is None, result.error
    return result


def test_committed_stacks_stay_combined():
    from aksnet.pipeline import load_stack
    for stack in ("dev", "prod"):
        assert load_stack(load(stack), stack).spec.landing_zone.role == "combined"


def test_hub_contract_carries_the_firewall_address_azure_assigns(hub_run):
    # Azure gives the firewall the first usable address of AzureFirewallSubnet (10.100.0.0/26: .4).
    # https://learn.microsoft.com/azure/virtual-network/virtual-networks-faq#are-there-any-restrictions-on-using-ip-addresses-within-these-subnets
    contract = read_contract(hub_run.exports[CONTRACT_OUTPUT], HUB_REFERENCE, "spoke-a")
    assert contract.firewall_private_ip == "10.100.0.4"
    assert contract.address_space == ("10.100.0.0/24",)
    assert set(contract.dns_zone_ids) == {"privatelink.westeurope.azmk8s.io", "privatelink.azurecr.io",
                                          "privatelink.vaultcore.azure.net"}
    assert not hub_run.of_type("azure-native:containerservice:ManagedCluster")  # a hub has no cluster


def test_spoke_reads_its_hub_through_a_stack_reference(spoke_a):
    # https://www.pulumi.com/docs/iac/concepts/stacks/#stackreferences
    reference = spoke_a.one("pulumi:pulumi:StackReference")
    assert reference.inputs["name"] == HUB_REFERENCE
    assert not spoke_a.of_type("azure-native:network:AzureFirewall")  # the hub's firewall, not one of its own


def test_spoke_creates_both_halves_of_its_peering_with_forwarded_traffic(spoke_a, hub_run):
    # Peering is made on both VNets, and traffic forwarded by the hub's firewall enters a spoke only with
    # allowForwardedTraffic. https://learn.microsoft.com/azure/virtual-network/virtual-network-peering-overview
    contract = read_contract(hub_run.exports[CONTRACT_OUTPUT], HUB_REFERENCE, "spoke-a")
    spoke_vnet = spoke_a.one("azure-native:network:VirtualNetwork").outputs["id"]
    peerings = {p.inputs["virtualNetworkName"]: p.inputs for p in spoke_a.of_type(
        "azure-native:network:VirtualNetworkPeering")}
    assert peerings["vnet-spoke-a-spoke"]["remoteVirtualNetwork"]["id"] == contract.vnet_id
    assert peerings[contract.vnet_name]["remoteVirtualNetwork"]["id"] == spoke_vnet
    assert peerings[contract.vnet_name]["resourceGroupName"] == contract.resource_group_name
    assert all(p["allowForwardedTraffic"] and not p["useRemoteGateways"] for p in peerings.values())


def test_spoke_routes_to_the_hub_firewall_and_links_the_hub_zone(spoke_a):
    # With userDefinedRouting, the node subnet's default route goes to the firewall.
    # https://learn.microsoft.com/azure/aks/egress-outboundtype#outbound-type-of-userdefinedrouting
    route = spoke_a.one("azure-native:network:Route").inputs
    assert (route["addressPrefix"], route["nextHopType"], route["nextHopIpAddress"]) == \
        ("0.0.0.0/0", "VirtualAppliance", "10.100.0.4")
    link = spoke_a.one("azure-native:privatedns:VirtualNetworkLink").inputs
    assert link["privateZoneName"] == "privatelink.azurecr.io" and link["resourceGroupName"] == "rg-hub-hub"
    endpoint_zones = spoke_a.one("azure-native:network:PrivateDnsZoneGroup").inputs["privateDnsZoneConfigs"]
    assert endpoint_zones[0]["privateDnsZoneId"].endswith("/rg-hub-hub/providers/Microsoft.Network/"
                                                          "privateDnsZones/privatelink.azurecr.io")


def test_spoke_writes_one_rule_collection_group_on_the_hub_policy_in_its_range(spoke_a):
    group = spoke_a.one("azure-native:network:FirewallPolicyRuleCollectionGroup").inputs
    assert group["firewallPolicyName"] == "afwp-hub-egress" and group["resourceGroupName"] == "rg-hub-hub"
    assert 1000 <= group["priority"] <= 1099  # landing-zone.yaml's range for spoke-a
    cross = [rule for c in group["ruleCollections"] for rule in c["rules"] if "10.120.4.10/32" in
             rule.get("destinationAddresses", [])]
    assert cross and cross[0]["destinationPorts"] == ["8080"]


def test_contract_without_a_field_is_refused_naming_both_stacks(hub_run):
    outputs = copy.deepcopy(hub_run.exports[CONTRACT_OUTPUT])
    outputs["firewallIp"] = outputs.pop("firewallPrivateIp")
    with pytest.raises(ContractError, match=r"spoke spoke-a reads hub contoso/aks-networking/hub: .*lacks "
                                            r"firewallPrivateIp \(renamed to firewallIp\?\)"):
        read_contract(outputs, HUB_REFERENCE, "spoke-a")
    outputs = copy.deepcopy(hub_run.exports[CONTRACT_OUTPUT]) | {"version": 2}
    with pytest.raises(ContractError, match="contract version 2"):
        read_contract(outputs, HUB_REFERENCE, "spoke-a")


def test_spoke_of_a_hub_without_the_stack_output_fails_before_deploying(hub_run):
    outputs = {k: v for k, v in hub_run.exports.items() if k != CONTRACT_OUTPUT}
    result = run_program("spoke-a", load("spoke-a"), stack_outputs={HUB_REFERENCE: outputs})
    assert result.error is not None and "exports no landingZoneHub output" in str(result.error)


def test_overlapping_spokes_are_refused_naming_both_owners():
    # Peered VNets cannot overlap. https://learn.microsoft.com/azure/virtual-network/virtual-network-manage-peering#requirements-and-constraints
    document = _registry_document()
    document["spokes"]["spoke-b"]["addressSpace"] = ["10.110.128.0/17"]
    with pytest.raises(RegistryError) as refused:
        read_registry(document, "landing-zone.yaml")
    assert refused.value.lines == [
        "landing-zone.yaml: spokes.spoke-b.addressSpace: 10.110.128.0/17 of spoke-b (owner payments-team) overlaps "
        "10.110.0.0/16 of spoke-a (owner shop-team); peered VNets need ranges of their own: give one of them "
        "another range"]
    document = _registry_document()
    document["spokes"]["spoke-b"]["addressSpace"] = ["10.111.0.0/16"]  # adjacent, not overlapping
    assert read_registry(document, "landing-zone.yaml").spokes["spoke-b"].owner == "payments-team"


def test_spoke_priority_outside_its_range_is_refused_naming_the_stack():
    registry = read_registry(_registry_document(), "landing-zone.yaml")
    spaces = {"network.spoke.addressSpace": ()}
    assert registration_problems(registry, "spoke-a", "spoke", spaces, 1099) == []
    [problem] = registration_problems(registry, "spoke-a", "spoke", spaces, 1100)
    assert problem.message == ("1100 is outside 1000-1099, the range the hub assigns spoke-a in landing-zone.yaml; "
                               "pick one in it")
    config = load("spoke-a")
    config["aks-networking:landingZone"]["ruleCollectionPriority"] = 1100
    result = run_program("spoke-a", config, stack_outputs={})
    assert "aks-networking:landingZone.ruleCollectionPriority: 1100 is outside 1000-1099" in str(result.error)


def test_spoke_outside_its_registered_range_is_refused():
    config = load("spoke-a")
    config["aks-networking:network"]["spoke"]["addressSpace"] = ["10.110.0.0/16", "10.130.0.0/16"]
    result = run_program("spoke-a", config, stack_outputs={})
    assert "network.spoke.addressSpace: 10.130.0.0/16 is outside the ranges landing-zone.yaml gives spoke-a" \
        in str(result.error)


def test_hub_stack_refuses_a_cluster_section():
    config = dict(read_stack_file("hub/Pulumi.hub.yaml").config)
    config["aks-networking:cluster"] = {}
    from aksnet.config.problems import ConfigError
    with pytest.raises(ConfigError, match="aks-networking:cluster: is not a key of a hub's stack"):
        load_hub_spec(config, "hub")
