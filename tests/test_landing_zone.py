"""The landing zone: a hub stack, spoke stacks joined by its contract, one address registry.

Expected outcomes come from Azure's and Pulumi's documents, cited beside each test."""

from __future__ import annotations

import copy
import os

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
    # And to each other spoke's range: the system route of 10.0.0.0/8 (next hop None) is longer than 0.0.0.0/0.
    # https://learn.microsoft.com/azure/virtual-network/virtual-networks-udr-overview#default
    routes = {r.inputs["addressPrefix"]: (r.inputs["nextHopType"], r.inputs["nextHopIpAddress"])
              for r in spoke_a.of_type("azure-native:network:Route")}
    assert routes == {"0.0.0.0/0": ("VirtualAppliance", "10.100.0.4"),
                      "10.120.0.0/16": ("VirtualAppliance", "10.100.0.4")}
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


# The landing zone previewed as one ---------------------------------------------------------------

def _reporter():
    from tools.landing_zone import StackReporter
    from tools.preview import analyze, render_tree, resources_json
    return StackReporter(analyze, resources_json, render_tree)


@pytest.fixture(scope="module")
def zone():
    from tools.landing_zone import run_landing_zone
    run = run_landing_zone("landing-zone.yaml", _reporter())
    assert run.problems == []
    return run


def _hop_layers(entry):
    return [(hop["layer"], hop["action"]) for hop in entry["hops"]]


def test_committed_landing_zone_previews_as_one(zone):
    assert list(zone.stacks) == ["hub", "spoke-a", "spoke-b"]
    assert [f for f in zone.findings if f["level"] == "mandatory"] == []
    spoke = zone.as_json()["stacks"]["spoke-a"]
    assert [r for r in spoke["resources"] if r["type"] == "pulumi:pulumi:StackReference"]


def test_cross_spoke_flow_is_walked_through_both_spokes_and_the_hub(zone):
    [entry] = zone.paths
    assert entry["verdict"] == "allowed" and entry["stacks"] == ["spoke-a", "spoke-b"]
    # A's pod -> A's route table -> the hub firewall -> B's NSG -> B's internal load balancer -> B's policy.
    assert _hop_layers(entry) == [("networkPolicy", "allow"), ("nsg", "allow"), ("route", "forward"),
                                  ("peering", "forward"), ("firewall", "allow"), ("peering", "forward"),
                                  ("nsg", "allow"), ("loadBalancer", "forward"), ("networkPolicy", "allow")]
    route = entry["hops"][2]
    assert "10.120.0.0/16 -> VirtualAppliance 10.100.0.4" in route["rule"]
    assert entry["hops"][4]["resource"] == "firewall policy of hub"
    assert entry["decidedBy"]["layer"] == "networkPolicy"


def test_cli_json_has_stacks_paths_and_findings(capsys):
    import json

    from tools.preview import main
    assert main(["--landing-zone", "landing-zone.yaml", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert set(document) == {"stacks", "paths", "findings"}
    assert set(document["paths"][0]) >= {"verdict", "hops", "decidedBy"}
    assert set(document["paths"][0]["hops"][0]) == {"layer", "resource", "rule", "action"}


def _records_without(run, name, drop):
    return [r for r in run.stacks[name].result.records if not drop(r)]


def _spoke_check(zone, name, records, priorities=(1000, 1099)):
    from aksnet.plan.landing_zone import read_registry, spoke_attachment
    from tools.landing_zone import spoke_findings
    registry = read_registry(_registry_document(), "landing-zone.yaml")
    contract = read_contract(zone.stacks["hub"].result.exports[CONTRACT_OUTPUT], "hub", name)
    loaded = zone.stacks[name].loaded
    return spoke_findings(name, "hub", records, contract, spoke_attachment(loaded.spec, loaded.plan, registry),
                          priorities)


def test_peering_without_its_return_half_is_refused_naming_the_stacks(zone):
    # A peering connects only once both VNets hold their half.
    # https://learn.microsoft.com/azure/virtual-network/virtual-network-manage-peering#create-a-peering
    assert _spoke_check(zone, "spoke-a", zone.stacks["spoke-a"].result.records) == []
    records = _records_without(zone, "spoke-a", lambda r: r.name == "hub-attachment-hub-to-spoke")
    [finding] = _spoke_check(zone, "spoke-a", records)
    assert finding["policy"] == "landing-zone-peering-pair" and finding["stacks"] == ["spoke-a", "hub"]
    assert "has no return half (hub -> spoke-a)" in finding["message"]


def test_missing_dns_link_is_refused_naming_the_stacks(zone):
    # A private endpoint's name resolves privately only in VNets linked to its zone.
    # https://learn.microsoft.com/azure/private-link/private-endpoint-dns
    records = _records_without(zone, "spoke-b", lambda r: r.type == "azure-native:privatedns:VirtualNetworkLink")
    [finding] = _spoke_check(zone, "spoke-b", records, (1100, 1199))
    assert finding["policy"] == "landing-zone-dns-link" and finding["stacks"] == ["spoke-b", "hub"]
    assert "privatelink.azurecr.io" in finding["message"]


def test_recorded_rule_priority_outside_the_range_is_refused(zone):
    [finding] = _spoke_check(zone, "spoke-a", zone.stacks["spoke-a"].result.records, (1100, 1199))
    assert finding["policy"] == "landing-zone-rule-priority"
    assert "priority 1000, outside 1100-1199, the range hub assigns it" in finding["message"]


def test_cross_spoke_flow_the_firewall_drops_is_refused_naming_both_stacks(zone):
    # A firewall denies what no rule allows. https://learn.microsoft.com/azure/firewall/rule-processing
    import dataclasses

    from aksnet.plan.landing_zone import read_registry
    from tools.landing_zone import cross_spoke_paths, dropped_flow_findings

    def without_the_flow_rule(spoke):
        if spoke.name != "spoke-a":
            return spoke
        group = spoke.rule_group
        collections = tuple({**c, "rules": [r for r in c["rules"] if r["name"] != "checkout-to-payments"]}
                            for c in group.collections)
        return dataclasses.replace(spoke, rule_group=dataclasses.replace(group, collections=collections))

    registry = read_registry(_registry_document(), "landing-zone.yaml")
    [entry] = cross_spoke_paths(zone, registry, without_the_flow_rule)
    assert entry["verdict"] == "denied"
    assert entry["decidedBy"] == {"layer": "firewall", "resource": "firewall policy of hub",
                                  "rule": "no rule matches: denied by default"}
    [finding] = dropped_flow_findings([entry])
    assert finding["stacks"] == ["spoke-a", "spoke-b"] and "checkout-to-payments" in finding["message"]


def test_spoke_without_routes_to_other_spokes_never_reaches_the_firewall(zone):
    import dataclasses

    from aksnet.plan.landing_zone import read_registry
    from tools.landing_zone import cross_spoke_paths
    registry = read_registry(_registry_document(), "landing-zone.yaml")
    [entry] = cross_spoke_paths(zone, registry, lambda s: dataclasses.replace(s, routes=()))
    # Without them, spoke-b's range is neither in spoke-a's VirtualNetwork tag nor routed to the firewall.
    # https://learn.microsoft.com/azure/virtual-network/service-tags-overview#available-service-tags
    assert entry["verdict"] == "denied" and "firewall" not in [hop["layer"] for hop in entry["hops"]]


def test_landing_zone_with_overlapping_spokes_stops_naming_both(tmp_path):
    import yaml

    from tools.landing_zone import run_landing_zone
    document = _registry_document()
    for entry in (document["hub"], *document["spokes"].values()):
        entry["stack"] = os.path.abspath(entry["stack"])
    document["spokes"]["spoke-b"]["addressSpace"] = ["10.110.0.0/16"]
    path = tmp_path / "landing-zone.yaml"
    path.write_text(yaml.safe_dump(document))
    run = run_landing_zone(str(path), _reporter())
    assert len(run.problems) == 1 and "10.110.0.0/16 of spoke-b (owner payments-team) overlaps 10.110.0.0/16 of " \
        "spoke-a (owner shop-team)" in run.problems[0]


def test_spoke_previews_alone_with_its_hubs_outputs(capsys):
    import json

    from tools.preview import main
    assert main(["spoke-b", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    [reference] = [r for r in document["resources"] if r["type"] == "pulumi:pulumi:StackReference"]
    assert reference["inputs"]["name"] == HUB_REFERENCE


def test_root_program_refuses_a_hub_stack(capsys):
    from tools.preview import main
    assert main(["hub", "--config", "hub/Pulumi.hub.yaml"]) == 1
    assert "aks-networking:landingZone.role: hub: a hub has a program of its own" in capsys.readouterr().err


def test_a_production_spoke_leaves_its_cross_spoke_flows_to_the_landing_zone():
    # Alone, a spoke cannot know the other spoke's routes and rules: the joined preview judges its flows
    # with them; everything else the stack judges as before.
    from aksnet.pipeline import load_stack
    config = load("spoke-a")
    config["aks-networking:environment"]["production"] = True
    loaded = load_stack(config, "spoke-a")  # mandatory in production: a denied flow would raise here
    assert [f for f in loaded.checked.findings if f.policy == "declared-paths-arrive"] == []
    config["aks-networking:landingZone"] = {"role": "combined"}  # the same flow, judged by a stack alone
    del config["aks-networking:egress"]
    config["aks-networking:cluster"]["outboundType"] = "loadBalancer"
    from aksnet.config.problems import ConfigError
    with pytest.raises(ConfigError, match="flow checkout-to-payments"):
        load_stack(config, "spoke-a")


def test_spoke_of_a_brownfield_hub_takes_its_ids_from_the_stack_file(hub_run):
    brownfield = copy.deepcopy(hub_run.exports[CONTRACT_OUTPUT]) | {
        "vnetId": "/subscriptions/s/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet-legacy",
        "vnetName": "vnet-legacy", "resourceGroupName": "rg-net", "firewallPrivateIp": "10.100.0.68"}
    config = load("spoke-a")
    config["aks-networking:landingZone"]["hub"] = brownfield
    result = run_program("spoke-a", config)  # no hub stack to read
    assert result.error is None, result.error
    assert not result.of_type("pulumi:pulumi:StackReference")
    hub_side = [p.inputs for p in result.of_type("azure-native:network:VirtualNetworkPeering")
                if p.inputs["virtualNetworkName"] == "vnet-legacy"]
    assert hub_side and hub_side[0]["resourceGroupName"] == "rg-net"
    assert {r.inputs["nextHopIpAddress"] for r in result.of_type("azure-native:network:Route")} == {"10.100.0.68"}
    del brownfield["firewallPolicyId"]
    result = run_program("spoke-a", config)
    assert "spoke spoke-a reads hub landingZone.hub: the contract lacks firewallPolicyId" in str(result.error)


def test_spoke_refuses_the_hubs_api_zone_and_dnat_rules_and_accepts_the_system_zone():
    from aksnet.config.problems import ConfigError
    from aksnet.pipeline import load_stack
    config = load("spoke-a")
    assert load_stack(config, "spoke-a").spec.cluster.private_dns_zone == "system"  # accepted
    config["aks-networking:cluster"]["privateDnsZone"] = "hub"
    with pytest.raises(ConfigError, match=r"cluster\.privateDnsZone: hub: a spoke cannot yet"):
        load_stack(config, "spoke-a")
    # A public cluster has no private zone at all (private-clusters#configure-a-private-dns-zone):
    # one error says so, not a second about the spoke's zone as well.
    config["aks-networking:cluster"]["private"] = False
    with pytest.raises(ConfigError) as refused:
        load_stack(config, "spoke-a")
    zone_problems = [p.message for p in refused.value.problems if p.path.endswith("cluster.privateDnsZone")]
    assert zone_problems == ["hub is for a private API server; set private true or remove it"]
    config = load("spoke-a")
    config["aks-networking:egress"]["firewall"] = {"dnatRules": [
        {"name": "ssh", "port": 22, "translatedAddress": "10.110.0.10", "translatedPort": 22}]}
    with pytest.raises(ConfigError, match=r"egress\.firewall\.dnatRules: a spoke cannot publish"):
        load_stack(config, "spoke-a")


# Denials across the joined stacks: each layer of the walk decides alone ------------------------

PAYMENTS = "10.120.4.10"  # spoke-b's internal load balancer frontend (Pulumi.spoke-b.yaml)


def _joined_tracer(zone, names=("spoke-a", "spoke-b")):
    """The joined network of the committed landing zone, as `cross_spoke_paths` builds it, with only `names`."""
    import ipaddress

    from aksnet.analysis.paths import network_of
    from aksnet.analysis.paths.joined import JoinedHub, JoinedSpoke, LandingZoneTracer
    from aksnet.plan.landing_zone import read_registry, spoke_attachment
    registry = read_registry(_registry_document(), "landing-zone.yaml")
    contract = read_contract(zone.stacks["hub"].result.exports[CONTRACT_OUTPUT], "hub", "the landing zone")
    spokes = []
    for name in names:
        loaded = zone.stacks[name].loaded
        attachment = spoke_attachment(loaded.spec, loaded.plan, registry)
        spokes.append(JoinedSpoke(name, network_of(loaded.spec, loaded.plan), attachment.rule_group,
                                  attachment.ip_groups, attachment.routes, attachment.peering))
    hub = JoinedHub("hub", tuple(ipaddress.IPv4Network(s) for s in contract.address_space),
                    ipaddress.IPv4Address(contract.firewall_private_ip), contract.dns_proxy, "westeurope")
    return LandingZoneTracer(hub, spokes)


def _walk(zone, adjust):
    from aksnet.plan.landing_zone import read_registry
    from tools.landing_zone import cross_spoke_paths
    [entry] = cross_spoke_paths(zone, read_registry(_registry_document(), "landing-zone.yaml"), adjust)
    return entry


def _only(name, change):
    return lambda spoke: change(spoke) if spoke.name == name else spoke


def _reach_with_flow_port(name, flow, port):
    """The NetworkPolicy model of a committed spoke whose flow `flow` declares `port` instead of its own."""
    from aksnet.analysis.paths import network_of
    from aksnet.pipeline import load_stack
    config = load(name)
    [declared] = [f for f in config["aks-networking:kubernetes"]["flows"] if f["name"] == flow]
    declared["ports"] = [f"TCP/{port}"]
    loaded = load_stack(config, name)
    return network_of(loaded.spec, loaded.plan).reach


def test_senders_network_policy_denies_a_port_its_flow_does_not_declare(zone):
    # A pod selected by an egress policy sends only what a policy allows: the flow declares TCP/8080.
    # https://kubernetes.io/docs/concepts/services-networking/network-policies/#the-two-sorts-of-pod-isolation
    import ipaddress
    tracer = _joined_tracer(zone)
    path = tracer.trace("spoke-a", "shop/checkout", ipaddress.IPv4Address(PAYMENTS), "TCP", 9090, "payments")
    assert [(h.layer, h.rule, h.action) for h in path.hops] == [("networkPolicy", "TCP/9090", "deny")]
    allowed = tracer.trace("spoke-a", "shop/checkout", ipaddress.IPv4Address(PAYMENTS), "TCP", 8080, "payments")
    assert allowed.hops[-1].action != "deny"


def test_spoke_that_writes_no_rule_group_is_denied_by_the_hub_firewall(zone):
    # Without spoke-a's group the hub's policy holds no rule for the flow: denied by default.
    # https://learn.microsoft.com/azure/firewall/rule-processing
    import dataclasses
    entry = _walk(zone, _only("spoke-a", lambda s: dataclasses.replace(s, rule_group=None, ip_groups={})))
    assert entry["verdict"] == "denied"
    assert entry["decidedBy"] == {"layer": "firewall", "resource": "firewall policy of hub",
                                  "rule": "no rule matches: denied by default"}


def _no_return_half(spoke):
    import dataclasses
    return dataclasses.replace(spoke, has_return_peering=False)


def _no_vnet_access(spoke):
    import dataclasses
    return dataclasses.replace(spoke, peering=dataclasses.replace(spoke.peering, allow_virtual_network_access=False))


@pytest.mark.parametrize("change", [_no_return_half, _no_vnet_access], ids=["no-hub-half", "no-vnet-access"])
def test_peering_without_the_hubs_half_stops_the_flow_at_the_senders_peering(zone, change):
    # A peering carries traffic only once both VNets hold their half (state Connected), and a half with
    # allowVirtualNetworkAccess false lets no traffic of the peered VNet across it, in either direction.
    # https://learn.microsoft.com/azure/virtual-network/virtual-network-manage-peering#create-a-peering
    entry = _walk(zone, _only("spoke-a", change))
    assert entry["verdict"] == "denied"
    assert entry["decidedBy"] == {"layer": "peering", "resource": "spoke-a -> hub", "rule": "allowVirtualNetworkAccess"}
    assert "firewall" not in [hop["layer"] for hop in entry["hops"]]


def _no_forwarded_traffic(spoke):
    import dataclasses
    return dataclasses.replace(spoke, peering=dataclasses.replace(spoke.peering, allow_forwarded_traffic=False))


@pytest.mark.parametrize("change", [_no_forwarded_traffic, _no_vnet_access, _no_return_half],
                         ids=["no-forwarded-traffic", "no-vnet-access", "no-hub-half"])
def test_receiving_spoke_refuses_what_the_firewall_forwards_without_forwarded_traffic(zone, change):
    # Traffic the hub's firewall forwards did not start in the hub VNet: it enters a peered VNet only with
    # allowForwardedTraffic (and, like all peered traffic, allowVirtualNetworkAccess), over a peering whose
    # two halves both exist (state Connected).
    # https://learn.microsoft.com/azure/virtual-network/virtual-network-peering-overview
    # https://learn.microsoft.com/azure/virtual-network/virtual-network-manage-peering#create-a-peering
    entry = _walk(zone, _only("spoke-b", change))
    assert entry["verdict"] == "denied"
    assert entry["decidedBy"] == {"layer": "peering", "resource": "hub -> spoke-b", "rule": "allowForwardedTraffic"}
    assert [hop["layer"] for hop in entry["hops"]][-2] == "firewall"


def test_address_the_firewall_allows_but_no_spoke_holds_is_denied_after_the_firewall(zone):
    # spoke-b left the landing zone while spoke-a kept its route and rule: the hub's firewall lets the packet
    # through, but no peered VNet holds the address (peering is not transitive, the hub routes only to its peers).
    # https://learn.microsoft.com/azure/virtual-network/virtual-network-peering-overview
    import ipaddress
    path = _joined_tracer(zone, ("spoke-a",)).trace("spoke-a", "shop/checkout", ipaddress.IPv4Address(PAYMENTS),
                                                    "TCP", 8080, "payments")
    assert [(h.layer, h.action) for h in path.hops][-2:] == [("firewall", "allow"), ("route", "deny")]
    assert path.hops[-1].rule == f"{PAYMENTS} is in no spoke of the landing zone"


def test_receiving_nsg_without_the_flows_rule_denies_it(zone):
    # The ILB subnet's routes add no user route to spoke-a, so spoke-a's range is not in its VirtualNetwork tag
    # and AllowVnetInBound does not match: DenyAllInBound decides.
    # https://learn.microsoft.com/azure/virtual-network/service-tags-overview#available-service-tags
    # https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview#default-security-rules
    import dataclasses

    def without_flow_rule(spoke):
        ilb = spoke.net.subnets["ilb"]
        kept = tuple(r for r in ilb.nsg if not r.name.startswith("AllowFlow-checkout-from-spoke-a"))
        assert len(kept) < len(ilb.nsg)
        subnets = {**spoke.net.subnets, "ilb": dataclasses.replace(ilb, nsg=kept)}
        return dataclasses.replace(spoke, net=dataclasses.replace(spoke.net, subnets=subnets))

    entry = _walk(zone, _only("spoke-b", without_flow_rule))
    assert entry["verdict"] == "denied"
    assert entry["decidedBy"] == {"layer": "nsg", "resource": "nsg of snet-ilb (spoke-b)",
                                  "rule": "DenyAllInBound (inbound, priority 65500)"}


@pytest.mark.parametrize("app_change, rule", [
    ({"static_ip": __import__("ipaddress").IPv4Address("10.120.4.11")},
     "no internal load balancer frontend of an app at this address"),
    ({"service_ports": (("TCP", 8443, 8443),)}, "payments/payments has no TCP/8080 frontend"),
], ids=["frontend-moved", "port-not-served"])
def test_internal_load_balancer_without_the_frontend_denies(zone, app_change, rule):
    # A load balancer forwards only what a load-balancing rule holds: its frontend address and port.
    # https://learn.microsoft.com/azure/load-balancer/components#load-balancer-rules
    import dataclasses

    def moved(spoke):
        apps = {k: dataclasses.replace(a, **app_change) for k, a in spoke.net.apps.items()}
        return dataclasses.replace(spoke, net=dataclasses.replace(spoke.net, apps=apps))

    entry = _walk(zone, _only("spoke-b", moved))
    assert entry["verdict"] == "denied"
    assert entry["decidedBy"]["layer"] == "loadBalancer" and entry["decidedBy"]["rule"] == rule
    assert [hop["layer"] for hop in entry["hops"]][-2] == "nsg"


def test_receiving_network_policy_denies_a_port_its_flow_does_not_declare(zone):
    # spoke-b's NSG admits TCP/8080 but its pods' ingress policy declares TCP/8443: each layer decides alone.
    # https://kubernetes.io/docs/concepts/services-networking/network-policies/#the-two-sorts-of-pod-isolation
    import dataclasses
    reach = _reach_with_flow_port("spoke-b", "checkout-from-spoke-a", 8443)
    entry = _walk(zone, _only("spoke-b", lambda s: dataclasses.replace(s, net=dataclasses.replace(s.net, reach=reach))))
    assert entry["verdict"] == "denied"
    assert entry["decidedBy"]["layer"] == "networkPolicy" and entry["decidedBy"]["rule"] == "TCP/8080"
    assert [hop["layer"] for hop in entry["hops"]][-2] == "loadBalancer"


def test_reply_that_leaves_the_receiving_spoke_around_the_firewall_is_denied(zone):
    # Without its route to spoke-a, spoke-b's reply takes the system route of 10.0.0.0/8 (next hop None),
    # longer than its 0.0.0.0/0 to the firewall: the reply never returns through the firewall that saw the request.
    # https://learn.microsoft.com/azure/virtual-network/virtual-networks-udr-overview#default
    # https://learn.microsoft.com/azure/firewall/integrate-lb#asymmetric-routing (a stateful firewall drops the reply)
    import dataclasses
    entry = _walk(zone, _only("spoke-b", lambda s: dataclasses.replace(s, routes=())))
    assert entry["verdict"] == "denied"
    last = entry["hops"][-1]
    assert last["layer"] == "route" and last["resource"] == "routes of snet-nodes (spoke-b)"
    assert "leaves by 10.0.0.0/8 -> None, not back through the hub's firewall" in last["rule"]
    assert [hop["action"] for hop in entry["hops"][:-1]] == ["allow", "allow", "forward", "forward", "allow",
                                                             "forward", "allow", "forward", "allow"]


@pytest.mark.parametrize("next_hop,address,told", [
    ("VirtualAppliance", "10.120.0.100", "leaves by 10.110.0.0/22 -> VirtualAppliance, not back"),
    ("Internet", None, "leaves by 10.110.0.0/22 -> Internet, not back"),
    ("VnetLocal", None, "leaves by 10.110.0.0/22 -> VnetLocal, not back")], ids=["other-appliance", "internet", "vnet"])
def test_reply_by_a_longer_route_anywhere_but_the_hubs_firewall_is_denied(zone, next_hop, address, told):
    # A stateful firewall drops a reply that does not come back through it, whatever the reply's next hop is
    # instead: another appliance, the internet, the VNet itself.
    # https://learn.microsoft.com/azure/firewall/integrate-lb#asymmetric-routing
    # Azure picks the longest prefix among a subnet's routes, so a /22 to spoke-a's nodes beats the attachment's
    # route to the firewall: https://learn.microsoft.com/azure/virtual-network/virtual-networks-udr-overview#how-azure-selects-a-route
    import dataclasses
    import ipaddress

    from aksnet.analysis.paths.routes import Route

    def reply_around(spoke):
        nodes = spoke.net.subnets["nodes"]
        around = Route(ipaddress.IPv4Network("10.110.0.0/22"), next_hop, "user", "around",
                       ipaddress.IPv4Address(address) if address else None)
        subnets = {**spoke.net.subnets, "nodes": dataclasses.replace(nodes, routes=(*nodes.routes, around))}
        return dataclasses.replace(spoke, net=dataclasses.replace(spoke.net, subnets=subnets))

    entry = _walk(zone, _only("spoke-b", reply_around))
    assert entry["verdict"] == "denied"
    last = entry["hops"][-1]
    assert last["layer"] == "route" and last["resource"] == "routes of snet-nodes (spoke-b)"
    assert told in last["rule"] and "asymmetric routing" in last["rule"]


def test_longer_route_to_another_appliance_takes_the_flow_around_the_hubs_firewall(zone):
    # Azure picks the longest prefix: a stale /24 to another appliance wins over the attachment's /16 to the
    # firewall, so the packet never reaches the hub's policy.
    # https://learn.microsoft.com/azure/virtual-network/virtual-networks-udr-overview#how-azure-selects-a-route
    import dataclasses
    import ipaddress

    from aksnet.analysis.paths.routes import Route

    def stale_route(spoke):
        nodes = spoke.net.subnets["nodes"]
        stale = Route(ipaddress.IPv4Network("10.120.4.0/24"), "VirtualAppliance", "user", "old-nva",
                      ipaddress.IPv4Address("10.100.0.100"))
        subnets = {**spoke.net.subnets, "nodes": dataclasses.replace(nodes, routes=(*nodes.routes, stale))}
        return dataclasses.replace(spoke, net=dataclasses.replace(spoke.net, subnets=subnets))

    entry = _walk(zone, _only("spoke-a", stale_route))
    assert entry["verdict"] == "denied" and "firewall" not in [hop["layer"] for hop in entry["hops"]]
    assert entry["decidedBy"]["layer"] == "route"
    assert entry["decidedBy"]["rule"] == "10.120.4.0/24 -> VirtualAppliance 10.100.0.100 (user: old-nva)"


def test_the_receiving_spokes_policy_admits_the_pods_target_port_behind_the_service_port(zone):
    """Across spokes, the packet reaches the internal load balancer on the Service's port and the pod on its
    targetPort (https://kubernetes.io/docs/reference/kubernetes-api/service-resources/service-v1/#ServiceSpec);
    the receiving pods' NetworkPolicy judges the port the pod receives on
    (https://kubernetes.io/docs/concepts/services-networking/network-policies/#behavior-of-to-and-from-selectors:
    policies act on pod traffic after the Service's translation)."""
    import dataclasses
    import ipaddress

    from aksnet.analysis.paths import network_of
    from aksnet.pipeline import load_stack
    from aksnet.plan.landing_zone import read_registry, spoke_attachment
    config = load("spoke-b")
    config["aks-networking:kubernetes"]["apps"][0]["ports"] = [{"name": "http", "port": 8080, "targetPort": 9443}]
    loaded = load_stack(config, "spoke-b")
    attachment = spoke_attachment(loaded.spec, loaded.plan, read_registry(_registry_document(), "landing-zone.yaml"))
    from aksnet.analysis.paths.joined import LandingZoneTracer
    joined = _joined_tracer(zone)
    a, b = joined.spokes["spoke-a"], joined.spokes["spoke-b"]
    tracer = LandingZoneTracer(joined.hub, [a, dataclasses.replace(b, net=network_of(loaded.spec, loaded.plan),
                                                                   rule_group=attachment.rule_group)])
    path = tracer.trace("spoke-a", "shop/checkout", ipaddress.IPv4Address(PAYMENTS), "TCP", 8080, "payments")
    assert path.verdict == "allowed", path.as_dict()
    assert [(h.layer, h.rule) for h in path.hops if h.layer in ("loadBalancer", "networkPolicy")][-2:] == [
        ("loadBalancer", "payments/payments TCP/8080"), ("networkPolicy", "TCP/9443")]
