"""The landing zone's refusals on pure functions: a registry that does not hold together, a hub contract a
spoke cannot read, a `landingZone` section or a hub stack file Azure would refuse.

Each refusal names the file, the key path, what is wrong and what would be right; expected outcomes come
from the Azure and Pulumi documents cited beside each case, never from the code's own output."""

from __future__ import annotations

import copy
from types import SimpleNamespace
from typing import Any

import pytest

from aksnet.config.hub import load_hub_spec
from aksnet.config.landing_zone import read_landing_zone
from aksnet.config.problems import ConfigError
from aksnet.config.schema import Obj, Problems
from aksnet.plan.hub_contract import ContractError, HubContract, read_contract
from aksnet.plan.landing_zone import (
    RegistryError,
    read_registry,
    registration_problems,
    spoke_rule_group,
    spoke_zones,
)
from tests.stacks import landing_zone_document
from tools.stackfile import read_stack_file

SOURCE = "landing-zone.yaml"


def _refused(document: Any) -> list[str]:
    with pytest.raises(RegistryError) as refused:
        read_registry(document, SOURCE)
    return refused.value.lines


def test_committed_shape_reads():
    registry = read_registry(landing_zone_document(), SOURCE)
    assert registry.hub.owner == "network-team" and registry.spokes["spoke-b"].priorities == (1100, 1199)


# The registry's own refusals ---------------------------------------------------------------------

def _set(path: str, value: Any):
    def change(document: dict[str, Any]) -> dict[str, Any]:
        *parents, last = path.split(".")
        target = document
        for key in parents:
            target = target[key]
        if value is _DROP:
            del target[last]
        else:
            target[last] = value
        return document
    return change


_DROP = object()

# Rule collection group priorities run 100-65000: https://learn.microsoft.com/azure/firewall/policy-rule-sets
PRIORITIES = ("landing-zone.yaml: spokes.spoke-b.ruleCollectionPriorities: expected [first, last], 100 <= first <= "
              "last <= 65000: the rule collection group priorities the hub assigns this spoke")


@pytest.mark.parametrize("change, lines", [
    (_set("spokes.spoke-b", "10.120.0.0/16"),
     ["landing-zone.yaml: spokes.spoke-b: expected a mapping with stack, owner and addressSpace"]),
    (_set("spokes.spoke-b.ruleCollectionPriority", 1100),
     ["landing-zone.yaml: spokes.spoke-b.ruleCollectionPriority: is not a known key; known: addressSpace, owner, "
      "ruleCollectionPriorities, stack"]),
    (_set("hub.ruleCollectionPriorities", [100, 199]),  # a hub writes no group of its own on its policy
     ["landing-zone.yaml: hub.ruleCollectionPriorities: is not a known key; known: addressSpace, owner, stack"]),
    (_set("spokes.spoke-b.addressSpace", ["10.120.0.1/16"]),
     ["landing-zone.yaml: spokes.spoke-b.addressSpace[0]: '10.120.0.1/16' is not an IPv4 CIDR with host bits zero"]),
    (_set("spokes.spoke-b.addressSpace", _DROP),
     ["landing-zone.yaml: spokes.spoke-b.addressSpace: is required: the ranges this stack's VNets may use"]),
    (_set("spokes.spoke-b.addressSpace", []),
     ["landing-zone.yaml: spokes.spoke-b.addressSpace: is required: the ranges this stack's VNets may use"]),
    (_set("spokes.spoke-b.owner", _DROP), ["landing-zone.yaml: spokes.spoke-b.owner: is required (text)"]),
    (_set("hub.stack", ""), ["landing-zone.yaml: hub.stack: is required (text)"]),
    (_set("spokes.spoke-b.ruleCollectionPriorities", _DROP), [PRIORITIES]),
    (_set("spokes.spoke-b.ruleCollectionPriorities", [99, 1199]), [PRIORITIES]),
    (_set("spokes.spoke-b.ruleCollectionPriorities", [64000, 65001]), [PRIORITIES]),
    (_set("spokes.spoke-b.ruleCollectionPriorities", [1199, 1100]), [PRIORITIES]),
    (_set("spokes.spoke-b.ruleCollectionPriorities", [1100]), [PRIORITIES]),
    (_set("spokes.spoke-b.ruleCollectionPriorities", [1100, "1199"]), [PRIORITIES]),
    (_set("spokes", ["spoke-a", "spoke-b"]),
     ["landing-zone.yaml: spokes: expected a mapping of spoke names to their entries"]),
    (_set("spoke", {}), ["landing-zone.yaml: spoke: is not a known key; known: hub, spokes"]),
], ids=["entry-not-mapping", "spoke-unknown-key", "hub-has-no-priorities", "host-bits", "no-space", "empty-space",
        "no-owner", "empty-stack", "no-priorities", "priority-under-100", "priority-over-65000", "first-after-last",
        "one-priority", "priority-text", "spokes-not-mapping", "unknown-top-key"])
def test_registry_refuses_an_entry_it_cannot_read(change, lines):
    assert _refused(change(landing_zone_document())) == lines


@pytest.mark.parametrize("document", [None, [], {"spokes": {}}, {"hub": "hub/Pulumi.hub.yaml"}],
                         ids=["empty-file", "list", "no-hub", "hub-not-mapping"])
def test_registry_without_a_hub_is_refused(document):
    assert _refused(document) == ["landing-zone.yaml: hub: is required: the hub's stack, owner and addressSpace"]


@pytest.mark.parametrize("priorities", [[100, 100], [65000, 65000], [100, 65000]], ids=["lowest", "highest", "all"])
def test_registry_accepts_priorities_at_azures_bounds(priorities):
    # https://learn.microsoft.com/azure/firewall/policy-rule-sets: 100 (highest) to 65000 (lowest).
    document = landing_zone_document()
    del document["spokes"]["spoke-a"]
    document["spokes"]["spoke-b"]["ruleCollectionPriorities"] = priorities
    assert read_registry(document, SOURCE).spokes["spoke-b"].priorities == tuple(priorities)


@pytest.mark.parametrize("b_range, overlaps", [
    ([1099, 1199], True),   # shares 1099 with spoke-a's last
    ([900, 1000], True),    # shares 1000 with spoke-a's first
    ([1010, 1020], True),   # inside spoke-a's
    ([900, 2000], True),    # around spoke-a's
    ([1100, 1199], False),  # adjacent after
    ([900, 999], False),    # adjacent before
])
def test_two_spokes_sharing_a_rule_collection_priority_are_refused(b_range, overlaps):
    # Two groups of one policy are processed by priority; the registry gives each spoke a range of its own so that
    # no spoke's group can take another's place. https://learn.microsoft.com/azure/firewall/policy-rule-sets
    document = landing_zone_document()
    document["spokes"]["spoke-b"]["ruleCollectionPriorities"] = b_range
    if not overlaps:
        assert read_registry(document, SOURCE).spokes["spoke-b"].priorities == tuple(b_range)
        return
    assert _refused(document) == [
        f"landing-zone.yaml: spokes.spoke-b.ruleCollectionPriorities: {b_range} of spoke-b overlaps [1000, 1099] of "
        "spoke-a; each spoke's rule collection groups need a range of their own"]


def test_spoke_overlapping_the_hub_is_refused_naming_both_owners():
    # Peered VNets cannot overlap. https://learn.microsoft.com/azure/virtual-network/virtual-network-manage-peering#requirements-and-constraints
    document = landing_zone_document()
    document["spokes"]["spoke-a"]["addressSpace"] = ["10.110.0.0/16", "10.100.0.128/25"]
    assert _refused(document) == [
        "landing-zone.yaml: spokes.spoke-a.addressSpace: 10.100.0.128/25 of spoke-a (owner shop-team) overlaps "
        "10.100.0.0/24 of hub (owner network-team); peered VNets need ranges of their own: give one of them "
        "another range"]


# A stack against its entry -----------------------------------------------------------------------

@pytest.mark.parametrize("name, role, known", [
    ("spoke-c", "spoke", "spoke-a, spoke-b"),  # not registered
    ("hub", "spoke", "spoke-a, spoke-b"),      # registered, as the hub
    ("spoke-a", "hub", "hub"),                 # registered, as a spoke
])
def test_stack_the_registry_does_not_hold_in_its_role_is_refused(name, role, known):
    # The hub peers and routes only to the spokes it knows: a spoke registers its ranges first.
    # https://learn.microsoft.com/azure/architecture/networking/architecture/hub-spoke
    registry = read_registry(landing_zone_document(), SOURCE)
    problems = registration_problems(registry, name, role, {"network.spoke.addressSpace": ()})
    assert [(p.path, p.message) for p in problems] == [
        ("aks-networking:landingZone.name", f"{name} is not a {role} of landing-zone.yaml (its {role}s: {known}); "
                                            "register the stack there first")]


def test_registry_without_spokes_names_none_to_a_spoke():
    document = landing_zone_document()
    del document["spokes"]
    registry = read_registry(document, SOURCE)
    [problem] = registration_problems(registry, "spoke-a", "spoke", {})
    assert "(its spokes: none)" in problem.message


def test_spoke_priority_at_the_bounds_of_its_range_is_accepted_and_defaults_to_the_first():
    # https://learn.microsoft.com/azure/firewall/policy-rule-sets
    registry = read_registry(landing_zone_document(), SOURCE)
    for priority in (1100, 1199, None):
        assert registration_problems(registry, "spoke-b", "spoke", {}, priority) == []
    [problem] = registration_problems(registry, "spoke-b", "spoke", {}, 1099)
    assert problem.message.startswith("1099 is outside 1100-1199")


# A spoke's attachment ----------------------------------------------------------------------------

def _spec(*, private: bool = False, zone: str = "system", registry: bool = False, tls: bool = False) -> Any:
    return SimpleNamespace(cluster=SimpleNamespace(private=private, private_dns_zone=zone,
                                                   api_server_vnet_integration=False),
                           environment=SimpleNamespace(location="westeurope"),
                           registry=object() if registry else None, tls=object() if tls else None)


@pytest.mark.parametrize("spec, zones", [
    (_spec(), ()),
    (_spec(registry=True), ("privatelink.azurecr.io",)),
    (_spec(tls=True), ("privatelink.vaultcore.azure.net",)),
    (_spec(private=True, registry=True, tls=True), ("privatelink.azurecr.io", "privatelink.vaultcore.azure.net")),
], ids=["none", "registry", "key-vault", "private-system-zone"])
def test_spoke_links_the_hubs_zones_of_its_private_endpoints(spec, zones):
    # A private endpoint's name resolves to its private address only in VNets linked to its zone:
    # privatelink.azurecr.io (Container Registry), privatelink.vaultcore.azure.net (Key Vault).
    # https://learn.microsoft.com/azure/private-link/private-endpoint-dns
    assert spoke_zones(spec) == zones


def test_spoke_without_firewall_rules_writes_no_group_on_the_hubs_policy():
    assert spoke_rule_group("spoke-a", None, 1000) is None


# The hub contract ---------------------------------------------------------------------------------

HUB = "contoso/aks-networking/hub"
GROUP = "/subscriptions/s/resourceGroups/rg-hub/providers/Microsoft.Network"
ARM = "; expected /subscriptions/<id>/resourceGroups/<group>/providers/<namespace>/<type>/<name>"


def _outputs() -> dict[str, Any]:
    return HubContract(
        location="westeurope", resource_group_name="rg-hub", vnet_id=f"{GROUP}/virtualNetworks/vnet-hub",
        vnet_name="vnet-hub", address_space=("10.100.0.0/24",), firewall_private_ip="10.100.0.4",
        firewall_policy_id=f"{GROUP}/firewallPolicies/afwp-hub",
        dns_proxy=True, dns_zone_ids={"privatelink.azurecr.io": f"{GROUP}/privateDnsZones/privatelink.azurecr.io"},
    ).as_output()


def test_contract_written_by_the_hub_reads_back():
    contract = read_contract(_outputs(), HUB, "spoke-a")
    assert contract.firewall_policy_group == "rg-hub" and contract.firewall_policy_name == "afwp-hub"
    assert contract.zone_group("privatelink.azurecr.io") == "rg-hub" and contract.dns_resolver_address is None


@pytest.mark.parametrize("change, message", [
    ({"firewallPolicyIds": "x"}, "the contract holds unknown fields firewallPolicyIds; known: version, location, "
                                 "resourceGroupName, vnetId, vnetName, addressSpace, firewallPrivateIp, "
                                 "firewallPolicyId, dnsProxy, dnsZoneIds, dnsResolverAddress"),
    ({"dnsZoneIds": ["privatelink.azurecr.io"]}, "dnsZoneIds must map zone names to ids and addressSpace list prefixes"),
    ({"addressSpace": "10.100.0.0/24"}, "dnsZoneIds must map zone names to ids and addressSpace list prefixes"),
    ({"firewallPrivateIp": "10.100.0.0/26"}, "firewallPrivateIp '10.100.0.0/26' is not an IPv4 address; expected "
                                             "the firewall's private address, the spoke's next hop"),
    ({"addressSpace": ["10.100.0.1/24"]}, "addressSpace: 10.100.0.1/24 has host bits set; expected IPv4 CIDRs with "
                                          "host bits zero"),
    ({"vnetId": "vnet-hub"}, "vnetId: 'vnet-hub' is not an Azure resource id" + ARM),
    ({"firewallPolicyId": "/subscriptions/s/resourceGroups/rg-hub/providers/Microsoft.Network/firewallPolicies"},
     "firewallPolicyId: '/subscriptions/s/resourceGroups/rg-hub/providers/Microsoft.Network/firewallPolicies' is not "
     "an Azure resource id" + ARM),
    ({"dnsZoneIds": {"privatelink.azurecr.io": "privatelink.azurecr.io"}},
     "dnsZoneIds.privatelink.azurecr.io: 'privatelink.azurecr.io' is not an Azure resource id" + ARM),
], ids=["unknown-field", "zones-list", "space-text", "address-a-range", "space-host-bits", "vnet-name-not-id",
        "policy-id-without-name", "zone-name-not-id"])
def test_contract_a_spoke_cannot_use_is_refused_naming_both_stacks(change, message):
    # The spoke peers to the hub VNet, joins its policy and links its zones by resource id
    # (/subscriptions/{id}/resourceGroups/{group}/providers/{namespace}/{type}/{name}):
    # https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-resource#resourceid
    # and routes to the firewall's private address: https://learn.microsoft.com/azure/firewall/tutorial-firewall-deploy-portal
    outputs = {**copy.deepcopy(_outputs()), **change}
    with pytest.raises(ContractError) as refused:
        read_contract(outputs, HUB, "spoke-a")
    assert str(refused.value) == f"spoke spoke-a reads hub {HUB}: {message}"


def test_optional_resolver_address_is_read_when_the_hub_has_one():
    contract = read_contract({**_outputs(), "dnsResolverAddress": "10.100.0.132"}, HUB, "spoke-a")
    assert contract.dns_resolver_address == "10.100.0.132"
    assert contract.as_output()["dnsResolverAddress"] == "10.100.0.132"


# The landingZone section ---------------------------------------------------------------------------

def _landing_zone(section: dict[str, Any]) -> tuple[Any, list[tuple[str, str]]]:
    problems = Problems()
    spec = read_landing_zone(Obj(problems, "aks-networking:landingZone", section), "spoke-a")
    return spec, [(p.path, p.message) for p in problems.items]


@pytest.mark.parametrize("hub", ["contoso/hub", "hub", 42, ["contoso/aks-networking/hub"]],
                         ids=["two-parts", "one-part", "number", "list"])
def test_spokes_hub_that_is_neither_a_stack_nor_ids_is_refused(hub):
    # A StackReference names a stack fully: organization/project/stack.
    # https://www.pulumi.com/docs/iac/concepts/stacks/#stackreferences
    spec, problems = _landing_zone({"role": "spoke", "hub": hub})
    assert len(problems) == 1 and problems[0][0] == "aks-networking:landingZone.hub"
    assert problems[0][1].endswith("; expected the hub's stack as organization/project/stack, or a mapping of a "
                                   "brownfield hub's resource ids")
    assert spec.hub_stack is None and spec.hub_outputs == {}


def test_spoke_without_a_hub_is_refused():
    _, problems = _landing_zone({"role": "spoke"})
    assert problems == [("aks-networking:landingZone.hub", "is required for a spoke: the hub's stack "
                                                           "(organization/project/stack) or a brownfield hub's "
                                                           "resource ids")]


@pytest.mark.parametrize("role", ["hub", "combined"])
@pytest.mark.parametrize("key, value", [("hub", "contoso/aks-networking/hub"), ("ruleCollectionPriority", 1000)])
def test_spoke_only_keys_are_refused_in_other_roles(role, key, value):
    spec, problems = _landing_zone({"role": role, key: value})
    assert problems == [(f"aks-networking:landingZone.{key}", f"applies to role spoke only; this stack's role is "
                                                              f"{role}")]
    assert spec.role == role


# The hub's stack file ----------------------------------------------------------------------------------

def _hub_config() -> dict[str, Any]:
    return copy.deepcopy(dict(read_stack_file("hub/Pulumi.hub.yaml").config))


def _hub_problems(config: dict[str, Any]) -> list[str]:
    with pytest.raises(ConfigError) as refused:
        load_hub_spec(config, "hub")
    return refused.value.lines("hub/Pulumi.hub.yaml")


def _subnets(config: dict[str, Any]) -> dict[str, str]:
    subnets: dict[str, str] = config["aks-networking:network"]["hub"]["subnets"]
    return subnets


def test_committed_hub_reads():
    spec = load_hub_spec(_hub_config(), "hub")
    assert spec.firewall.sku == "Premium" and spec.dns_resolver and str(spec.hub.subnets["dns"]) == "10.100.0.128/28"


def test_hub_without_a_region_is_refused():
    config = _hub_config()
    del config["azure-native:location"]
    assert "hub/Pulumi.hub.yaml: azure-native:location: is required: the Azure region, e.g. westeurope" \
        in _hub_problems(config)


def test_hub_without_a_firewall_is_refused():
    config = _hub_config()
    del config["aks-networking:egress"]
    assert _hub_problems(config) == ["hub/Pulumi.hub.yaml: aks-networking:egress.firewall: is required in a hub: "
                                     "the spokes route through it"]


@pytest.mark.parametrize("role", ["spoke", "combined"])
def test_hub_program_refuses_a_stack_of_another_role(role):
    config = _hub_config()
    config["aks-networking:landingZone"] = {"role": role, **({"hub": HUB} if role == "spoke" else {})}
    assert f"hub/Pulumi.hub.yaml: aks-networking:landingZone.role: is {role}, but hub/__main__.py builds hubs; set " \
        "role hub, or deploy this stack from the repository's root" in _hub_problems(config)


FIXED = "hub/Pulumi.hub.yaml: aks-networking:network.hub.subnets"


@pytest.mark.parametrize("subnets, lines", [
    # https://learn.microsoft.com/azure/firewall/firewall-faq#why-does-azure-firewall-need-a--26-subnet-size
    ({"AzureFirewallSubnet": "10.100.0.0/27"},
     [f"{FIXED}.AzureFirewallSubnet: is 10.100.0.0/27, a /27; Azure needs a /26 or larger"]),
    # https://learn.microsoft.com/azure/bastion/configuration-settings#subnet
    ({"AzureBastionSubnet": None}, [f"{FIXED}.AzureBastionSubnet: is required: a /26 or larger"]),
    ({"AzureBastionSubnet": "10.100.0.64/27"},
     [f"{FIXED}.AzureBastionSubnet: is 10.100.0.64/27, a /27; Azure needs a /26 or larger"]),
    # https://learn.microsoft.com/azure/dns/dns-private-resolver-overview#subnet-restrictions
    ({"dns": None}, [f"{FIXED}.dns: is required: a /28 or larger"]),
    ({"dns": "10.100.0.128/29"}, [f"{FIXED}.dns: is 10.100.0.128/29, a /29; Azure needs a /28 or larger"]),
    ({"dns": "10.100.0.128/27"}, []),
    ({"dns": "10.100.1.0/28"}, [f"{FIXED}.dns: 10.100.1.0/28 is outside the hub's addressSpace"]),
    ({"dns": "10.100.0.64/28"}, [f"{FIXED}.dns: 10.100.0.64/28 overlaps AzureBastionSubnet (10.100.0.64/26)"]),
], ids=["firewall-27", "no-bastion", "bastion-27", "no-dns", "dns-29", "dns-27", "dns-outside", "dns-overlaps"])
def test_hub_subnets_azure_requires_by_name_and_size(subnets, lines):
    config = _hub_config()
    for name, prefix in subnets.items():
        if prefix is None:
            del _subnets(config)[name]
        else:
            _subnets(config)[name] = prefix
    if not lines:
        assert load_hub_spec(config, "hub").hub.subnets["dns"].prefixlen == 27
        return
    assert _hub_problems(config) == lines


def test_hub_without_bastion_or_resolver_needs_neither_subnet():
    config = _hub_config()
    config["aks-networking:network"].update(bastion=False, dnsResolver=False)
    for name in ("AzureBastionSubnet", "dns"):
        del _subnets(config)[name]
    assert load_hub_spec(config, "hub").bastion is False


def test_basic_firewall_needs_its_management_subnet():
    # Azure Firewall Basic sends its management traffic through AzureFirewallManagementSubnet, a /26.
    # https://learn.microsoft.com/azure/firewall/basic-features
    config = _hub_config()
    config["aks-networking:egress"]["firewall"] = {"sku": "Basic"}
    assert _hub_problems(config) == [f"{FIXED}.AzureFirewallManagementSubnet: is required: a /26 or larger"]
    _subnets(config)["AzureFirewallManagementSubnet"] = "10.100.0.192/26"
    assert load_hub_spec(config, "hub").firewall.sku == "Basic"
