"""The landing zone's hub reader, registry, contract and plan, pinned where one-place mistakes survived (issue 27).

A sweep of aksnet/config/hub.py, aksnet/plan/landing_zone.py, aksnet/plan/hub_contract.py and
aksnet/analysis/paths/joined.py changed one fact at a time (a section name, a default, a bound, a
guard, an element of a list, a name in a message); the rows below hold the ones no behavioural test
held. Each expected outcome comes from the Azure or Pulumi page cited beside it, never from running
our code. Pure readers and planners only: no program run under the mock engine.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from aksnet.config.hub import load_hub_spec
from aksnet.config.problems import ConfigError
from aksnet.plan.landing_zone import hub_plan
from tools.stackfile import read_stack_file

NS = "aks-networking"
HUB_FILE = "hub/Pulumi.hub.yaml"

PRIVATE_CLUSTERS = "https://learn.microsoft.com/azure/aks/private-clusters"
REGIONS_LIST = "https://learn.microsoft.com/azure/reliability/regions-list"
HUB_SPOKE = "https://learn.microsoft.com/azure/architecture/networking/architecture/hub-spoke"
RESOLVER = "https://learn.microsoft.com/azure/dns/dns-private-resolver-overview#subnet-restrictions"


def _hub_config() -> dict[str, Any]:
    return copy.deepcopy(dict(read_stack_file(HUB_FILE).config))


def _hub_refusals(config: dict[str, Any]) -> list[tuple[str, str]]:
    """(key path, message) of every problem the hub's stack file is refused for; [] when it loads."""
    try:
        load_hub_spec(config, "hub")
    except ConfigError as refused:
        return [(p.path, p.message) for p in refused.problems]
    return []


# The hub's stack file ------------------------------------------------------------------------------------

def test_a_hub_refuses_a_section_it_does_not_hold_and_names_each_one_it_does():
    # A hub is the shared network alone: its file holds environment, network, egress and landingZone; the
    # cluster belongs to a spoke's stack (HUB_SPOKE: the hub holds shared services, the spokes the workloads).
    config = _hub_config()
    config[f"{NS}:kubernetes"] = {}
    [(path, message)] = _hub_refusals(config)
    assert path == f"{NS}:kubernetes"
    for section in ("environment", "network", "egress", "landingZone"):
        assert section in message, HUB_SPOKE


@pytest.mark.parametrize("written", ["West Europe", "WestEurope", "westeurope"])
def test_a_hub_region_written_as_azure_displays_it_names_the_api_servers_zone_by_its_programmatic_name(written):
    # Azure lists a region by display name (West Europe) and programmatic name (westeurope) (REGIONS_LIST);
    # a private API server's zone is privatelink.<region>.azmk8s.io, by the programmatic name (PRIVATE_CLUSTERS),
    # and a DNS name holds no space.
    config = _hub_config()
    config["azure-native:location"] = written
    spec = load_hub_spec(config, "hub")
    assert spec.environment.location == "westeurope", REGIONS_LIST
    assert "privatelink.westeurope.azmk8s.io" in hub_plan(spec).zones, PRIVATE_CLUSTERS


def test_a_hub_without_its_vnet_is_refused_at_network_hub():
    # The hub VNet is what the spokes peer with and what holds AzureFirewallSubnet (HUB_SPOKE): a hub's
    # stack without it cannot deploy, and says where.
    config = _hub_config()
    del config[f"{NS}:network"]["hub"]
    refused = _hub_refusals(config)
    assert f"{NS}:network.hub" in [path for path, _ in refused]


def test_a_hub_that_does_not_ask_for_a_dns_resolver_needs_no_subnet_for_one():
    # The DNS Private Resolver is an optional resource of the hub (HUB_SPOKE); its inbound endpoint's subnet
    # is needed only where it is deployed (RESOLVER). A hub file silent about it deploys none.
    config = _hub_config()
    del config[f"{NS}:network"]["dnsResolver"]
    del config[f"{NS}:network"]["hub"]["subnets"]["dns"]
    spec = load_hub_spec(config, "hub")
    assert spec.dns_resolver is False and hub_plan(spec).dns_resolver_address is None


def test_a_hub_in_a_region_azure_does_not_have_is_refused_and_the_region_it_suggests_loads():
    # Azure deploys only to the regions it lists (REGIONS_LIST): a typo in the hub's region must fail before
    # `pulumi up`, as it does in a spoke's stack file, and the name the refusal offers must itself load.
    config = _hub_config()
    config["azure-native:location"] = "westeurpoe"
    [(path, message)] = _hub_refusals(config)
    assert path == "azure-native:location" and "'westeurpoe'" in message and "'westeurope'" in message
    config["azure-native:location"] = "westeurope"
    assert _hub_refusals(config) == []


# The hub's contract, as a spoke reads it -----------------------------------------------------------------

RESOURCE_ID = "https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-resource#resourceid"
NAME_RULES = "https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules"
HUB_STACK = "contoso/aks-networking/hub"


def _contract_outputs(**ids: str) -> dict[str, Any]:
    network = "/subscriptions/s/resourceGroups/rg-hub/providers/Microsoft.Network"
    return {"version": 1, "location": "westeurope", "resourceGroupName": "rg-hub",
            "vnetId": f"{network}/virtualNetworks/vnet-hub", "vnetName": "vnet-hub", "addressSpace": ["10.100.0.0/24"],
            "firewallPrivateIp": "10.100.0.4", "firewallPolicyId": f"{network}/firewallPolicies/afwp-hub",
            "dnsProxy": True, "dnsZoneIds": {"privatelink.azurecr.io": f"{network}/privateDnsZones/privatelink.azurecr.io"},
            **ids}


def test_a_hub_id_in_the_casing_azure_returns_it_reads_with_its_resource_group():
    # Resource group names and the segments of a resource id are case-insensitive (NAME_RULES), and Azure's
    # services return ids with `resourcegroups` in lower case (https://github.com/Azure/azure-cli/issues/8283):
    # a brownfield hub's ids copied from such output are the same resources.
    from aksnet.plan.hub_contract import read_contract
    policy = "/subscriptions/s/resourcegroups/rg-hub-policy/providers/Microsoft.Network/firewallPolicies/afwp-hub"
    contract = read_contract(_contract_outputs(firewallPolicyId=policy), HUB_STACK, "spoke-a")
    assert (contract.firewall_policy_group, contract.firewall_policy_name) == ("rg-hub-policy", "afwp-hub")


def test_a_child_resources_id_is_not_the_hubs_vnet_id():
    # A child resource's id continues its parent's with /{child type}/{child name} (RESOURCE_ID): a subnet's id
    # is not the VNet's, and a spoke peering to it would name a resource that is no virtual network.
    from aksnet.plan.hub_contract import ContractError, read_contract
    subnet = "/subscriptions/s/resourceGroups/rg-hub/providers/Microsoft.Network/virtualNetworks/vnet-hub/subnets/x"
    with pytest.raises(ContractError) as refused:
        read_contract(_contract_outputs(vnetId=subnet), HUB_STACK, "spoke-a")
    assert "vnetId" in str(refused.value) and HUB_STACK in str(refused.value)


# What a spoke links to and writes on its hub ---------------------------------------------------------------

API_VNET_INTEGRATION = "https://learn.microsoft.com/azure/aks/api-server-vnet-integration"


def _spoke(*, private: bool, zone: str, vnet_integration: bool = False) -> Any:
    from types import SimpleNamespace
    return SimpleNamespace(cluster=SimpleNamespace(private=private, private_dns_zone=zone,
                                                   api_server_vnet_integration=vnet_integration),
                           environment=SimpleNamespace(location="westeurope"), registry=None, tls=None)


@pytest.mark.parametrize(("spec", "zones", "source"), [
    # A private cluster whose API server zone is the hub's resolves it there: privatelink.<region>.azmk8s.io.
    (_spoke(private=True, zone="hub"), ("privatelink.westeurope.azmk8s.io",), PRIVATE_CLUSTERS),
    # With API server VNet integration the zone is private.<region>.azmk8s.io instead.
    (_spoke(private=True, zone="hub", vnet_integration=True), ("private.westeurope.azmk8s.io",), API_VNET_INTEGRATION),
    # AKS makes and links its own zone (system): nothing of the hub's to link.
    (_spoke(private=True, zone="system"), (), PRIVATE_CLUSTERS),
    # A public API server resolves through public DNS: no private zone to link.
    (_spoke(private=False, zone="hub"), (), PRIVATE_CLUSTERS),
], ids=["hub-zone", "hub-zone-vnet-integration", "system-zone", "public"])
def test_a_spoke_links_the_hubs_api_server_zone_only_when_its_private_api_server_resolves_there(spec, zones, source):
    from aksnet.plan.landing_zone import spoke_zones
    assert spoke_zones(spec) == zones, source


RULE_SETS = "https://learn.microsoft.com/azure/firewall/policy-rule-sets"


def test_each_collection_of_a_spokes_group_on_the_hub_has_a_priority_azure_accepts():
    # A rule collection's priority, like a group's, runs from 100 (first) to 65000 (last) (RULE_SETS): the
    # spoke's collections, renumbered into its one group on the hub's policy, must each stay in that range.
    from aksnet.plan.egress_rules import FirewallPolicyPlan, RuleGroup
    from aksnet.plan.landing_zone import spoke_rule_group

    def collection(name: str, priority: int) -> dict[str, Any]:
        return {"ruleCollectionType": "FirewallPolicyFilterRuleCollection", "name": name, "priority": priority,
                "action": {"type": "Allow"}, "rules": []}

    policy = FirewallPolicyPlan({}, (RuleGroup("aks", "aks", 200, (collection("a", 100), collection("b", 200))),
                                     RuleGroup("flows", "flows", 300, (collection("c", 100),))), True, ())
    group = spoke_rule_group("spoke-a", policy, 1000)
    assert group is not None
    assert all(100 <= c["priority"] <= 65000 for c in group.collections), RULE_SETS


@pytest.mark.parametrize(("location", "refused"), [("westus", True), ("northcentralus", True), ("westus2", False),
                                                   ("westeurope", False)])
def test_a_hub_firewall_lists_zones_only_in_a_region_that_has_them(location, refused):
    # West US and North Central US have no availability zones; West US 2 and West Europe have (REGIONS_LIST).
    # The hub's firewall (and its Bastion, which takes the same zones) cannot be zonal where no zones exist.
    config = _hub_config()
    config["azure-native:location"] = location
    refused_at = [path for path, message in _hub_refusals(config) if location in message]
    assert refused_at == ([f"{NS}:egress.firewall.zones"] if refused else []), REGIONS_LIST
    # The remedy the refusal gives, no zones, loads.
    config[f"{NS}:egress"]["firewall"]["zones"] = []
    assert _hub_refusals(config) == []


PRIVATE_ENDPOINT_DNS = "https://learn.microsoft.com/azure/private-link/private-endpoint-dns"


@pytest.mark.parametrize(("zone", "source"), [
    ("privatelink.westeurope.azmk8s.io", PRIVATE_CLUSTERS),  # a private API server's (Private Link) zone
    ("privatelink.azurecr.io", PRIVATE_ENDPOINT_DNS),        # Container Registry's private endpoints
    ("privatelink.vaultcore.azure.net", PRIVATE_ENDPOINT_DNS),  # Key Vault's private endpoints
])
def test_the_hub_holds_each_private_zone_its_spokes_link_to(zone, source):
    # Every spoke links to the hub's zones rather than holding its own (HUB_SPOKE: shared services in the hub).
    assert zone in hub_plan(load_hub_spec(_hub_config(), "hub")).zones, source


# The registry -------------------------------------------------------------------------------------------

def test_a_spokes_priority_range_is_exactly_first_and_last():
    # A spoke's range is [first, last] within Azure's 100-65000 (RULE_SETS); a third number is no range, and
    # reading only the first two would hide a typo. The two-number form of the same range loads.
    from aksnet.plan.landing_zone import RegistryError, read_registry
    from tests.stacks import landing_zone_document
    document = landing_zone_document()
    document["spokes"]["spoke-b"]["ruleCollectionPriorities"] = [1100, 1199, 1300]
    with pytest.raises(RegistryError) as refused:
        read_registry(document, "landing-zone.yaml")
    assert [line.split(": ")[1] for line in refused.value.lines] == ["spokes.spoke-b.ruleCollectionPriorities"]
    document["spokes"]["spoke-b"]["ruleCollectionPriorities"] = [1100, 1199]
    assert read_registry(document, "landing-zone.yaml").spokes["spoke-b"].priorities == (1100, 1199), RULE_SETS
