"""What the change review and the lifecycle rules tell a user about Azure's and the provider's behaviour,
pinned case by case.

The review reads two runs of a stack and says, without credentials, which change replaces or disrupts
a resource and what Azure does beyond the provider. These cases build the two sides by hand (the
records the mock engine would give) and run the review's pure functions on them, so each case names
one fact and fails when the review believes otherwise. Expected outcomes come from the sources cited
beside each test (pulumi-azure-native's diff.go and replacement.go, Microsoft's pages, Pulumi's
resource option docs), never from the review's own output.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

import pytest

from aksnet.config.stack import load_spec
from aksnet.review.network import NetworkDiff, address_plan_diff, path_diff
from aksnet.review.report import Review, build_review
from aksnet.review.resource_diff import resource_changes
from aksnet.rules.registry import BY_ID
from tests.pinned_day import PINNED_DAY
from tests.stacks import load, variant

MC = "azure-native:containerservice:ManagedCluster"
POOL = "azure-native:containerservice:AgentPool"
SUBNET = "azure-native:network:Subnet"
RG_ID = "/subscriptions/0000/resourceGroups/rg-dev"

UPGRADE_IPAM = "https://learn.microsoft.com/azure/aks/upgrade-aks-ipam-and-dataplane"
OUTBOUND = "https://learn.microsoft.com/azure/aks/egress-outboundtype"
API_VNET = "https://learn.microsoft.com/azure/aks/api-server-vnet-integration"
POLICIES = "https://learn.microsoft.com/azure/aks/use-network-policies"
RESIZE_POOL = "https://learn.microsoft.com/azure/aks/resize-node-pool"
SUBNET_DOC = "https://learn.microsoft.com/azure/virtual-network/virtual-network-manage-subnet"
FIREWALL_SKU = "https://learn.microsoft.com/azure/firewall/premium-migrate"
PROTECT = "https://www.pulumi.com/docs/iac/concepts/options/protect/"
DELETE_BEFORE_REPLACE = "https://www.pulumi.com/docs/iac/concepts/options/deletebeforereplace/"
PEERING_SYNC = "https://learn.microsoft.com/azure/virtual-network/update-virtual-network-peering-address-space"
PRIVATE = "https://learn.microsoft.com/azure/aks/private-clusters"
REPLACEMENT_GO = "https://github.com/pulumi/pulumi-azure-native/blob/master/provider/pkg/gen/replacement.go"
"""Its forceNewMap as pulumi-azure-native 3.29.0 ships it (PR #4771 included), read on 2026-12-07."""


def record(typ: str, name: str, inputs: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"urn": f"urn:pulumi:dev::aks-networking::{typ}::{name}", "type": typ, "name": name, "inputs": inputs,
            **extra}


def cluster(**profile: Any) -> dict[str, Any]:
    network = {"networkPlugin": "azure", "networkPluginMode": "overlay", "podCidr": "10.244.0.0/16",
               "serviceCidr": "10.0.0.0/16", "dnsServiceIP": "10.0.0.10", "outboundType": "loadBalancer"}
    network.update(profile)
    return record(MC, "cluster-aks", {"resourceGroupName": "rg-dev", "resourceName": "aks-dev",
                                      "networkProfile": {k: v for k, v in network.items() if v is not None}})


def with_inputs(base: dict[str, Any], **inputs: Any) -> dict[str, Any]:
    return {**base, "inputs": {**base["inputs"], **inputs}}


def review(base: list[dict[str, Any]], head: list[dict[str, Any]], network: NetworkDiff | None = None) -> Review:
    return build_review("dev", "base", "head", base, head, network or NetworkDiff())


def kinds(result: Review, input_path: str) -> list[str]:
    return [c.kind for c in result.consequences if c.input == input_path]


def levels(result: Review) -> dict[str, str]:
    return {f.id: f.level for f in result.findings}


# IPAM and dataplane: the provider replaces (forceNewMap), Azure migrates some of these in place.

def test_flat_azure_cni_to_overlay_is_azures_in_place_migration_not_a_new_cluster():
    # UPGRADE_IPAM: the one IPAM migration goes to Overlay, from kubenet or from Azure
    # CNI (node subnet); both are in place and one way.
    result = review([cluster(networkPluginMode=None)], [cluster()])
    assert kinds(result, "networkProfile.networkPluginMode") == ["migrates"]
    assert "Azure migrates azure to Azure CNI Overlay" in result.consequences[0].what
    # From kubenet both fields change; the user gets the migration once, not once per field.
    kubenet = review([cluster(networkPlugin="kubenet", networkPluginMode=None)], [cluster()])
    assert [c.kind for c in kubenet.consequences] == ["migrates"]
    assert len([f for f in kubenet.findings if f.id.startswith("azure-migrates:")]) == 1
    assert levels(result)["azure-migrates:cluster-aks:networkProfile.networkPluginMode"] == "advisory"


def test_no_in_place_path_leads_away_from_overlay_or_from_azure_cni_to_kubenet():
    # UPGRADE_IPAM: the one IPAM migration leads to Overlay and is irreversible; nothing
    # leads back to a node subnet mode, nor from Azure CNI to kubenet: only a new cluster has that plugin.
    overlay, flat, kubenet = ("azure", "overlay"), ("azure", None), ("kubenet", None)
    for (old_plugin, old_mode), (plugin, mode) in ((overlay, kubenet), (overlay, flat), (flat, kubenet)):
        result = review([cluster(networkPlugin=old_plugin, networkPluginMode=old_mode)],
                        [cluster(networkPlugin=plugin, networkPluginMode=mode)])
        assert {c.kind for c in result.consequences} == {"recreate"}, (old_plugin, old_mode, plugin)
        assert not [f for f in result.findings if f.id.startswith("azure-migrates:")]


def test_cilium_dataplane_migrates_in_place_on_any_azure_cni_mode_and_never_on_kubenet():
    # UPGRADE_IPAM: the Cilium dataplane update is supported on every Azure CNI IPAM mode
    # (node subnet included, without moving to Overlay first); Cilium runs on Azure CNI only, not kubenet.
    for plugin, mode in (("azure", None), ("azure", "overlay")):
        result = review([cluster(networkPlugin=plugin, networkPluginMode=mode)],
                        [cluster(networkPlugin=plugin, networkPluginMode=mode, networkDataplane="cilium")])
        assert kinds(result, "networkProfile.networkDataplane") == ["migrates"], (plugin, mode)
        # The documented command moves the dataplane (--network-dataplane), not the policy engine.
        [step] = [c for c in result.consequences if c.input == "networkProfile.networkDataplane"]
        assert "az aks update --network-dataplane cilium" in step.what and step.safe is not None
        assert "az aks update --network-dataplane cilium" in step.safe and "--network-policy" not in step.what
    kubenet = review([cluster(networkPlugin="kubenet", networkPluginMode=None)],
                     [cluster(networkPlugin="kubenet", networkPluginMode=None, networkDataplane="cilium")])
    assert kinds(kubenet, "networkProfile.networkDataplane") == []


def test_cilium_back_to_the_azure_dataplane_is_no_in_place_migration():
    # UPGRADE_IPAM: the dataplane update goes to Cilium only (forward, one way).
    result = review([cluster(networkDataplane="cilium", networkPolicy="cilium")],
                    [cluster(networkDataplane="azure", networkPolicy="cilium")])
    assert kinds(result, "networkProfile.networkDataplane") == []
    assert result.changes[0].action == "replace"  # forceNewMap: networkDataplane


def test_calico_and_azure_npm_are_both_uninstalled_in_place():
    # POLICIES: `az aks update --network-policy none` uninstalls Azure NPM or Calico in place.
    for engine in ("azure", "calico"):
        result = review([cluster(networkPolicy=engine)], [cluster(networkPolicy="none")])
        assert kinds(result, "networkProfile.networkPolicy") == ["migrates"], engine
        assert engine in result.consequences[0].what


# Outbound type: the provider replaces; Azure updates between these types in place on a BYO VNet.

def test_load_balancer_to_user_defined_routing_is_an_in_place_outbound_change_with_new_egress():
    # OUTBOUND, "Updating outboundType after cluster creation": on a BYO VNet loadBalancer,
    # userAssignedNATGateway and userDefinedRouting change into each other in place.
    for old, new in (("loadBalancer", "userDefinedRouting"), ("userDefinedRouting", "userAssignedNATGateway"),
                     ("userAssignedNATGateway", "loadBalancer")):
        result = review([cluster(outboundType=old)], [cluster(outboundType=new)])
        assert sorted(kinds(result, "networkProfile.outboundType")) == ["egress", "migrates"], (old, new)
        assert levels(result)["new-egress:cluster-aks"] == "advisory"
    # One address of one's own swapped for another: the egress address changes as well.
    own = [{"outboundIPs": {"publicIPs": [{"id": f"{RG_ID}/providers/Microsoft.Network/publicIPAddresses/{name}"}]}}
           for name in ("e", "f")]
    result = review([cluster(loadBalancerProfile=own[0])], [cluster(loadBalancerProfile=own[1])])
    assert [c.kind for c in result.consequences if c.input.startswith("networkProfile.loadBalancerProfile.outboundIPs")] \
        == ["egress"], result.consequences


# API Server VNet Integration: on, one way; off, refused.

def _api(enabled: bool | None, private: bool | None = None) -> dict[str, Any]:
    profile = {k: v for k, v in (("enableVnetIntegration", enabled), ("enablePrivateCluster", private))
               if v is not None}
    return with_inputs(cluster(), apiServerAccessProfile=profile)


def test_api_server_vnet_integration_is_enabled_on_an_existing_cluster_and_never_disabled():
    # API_VNET: an existing cluster can be converted to API Server VNet Integration
    # (its pools are reimaged), and the feature cannot be disabled afterwards.
    enable = review([_api(None)], [_api(True)])
    assert enable.changes[0].action == "update"
    assert kinds(enable, "apiServerAccessProfile.enableVnetIntegration") == ["one-way"]
    assert enable.exit_code == 0
    disable = review([_api(True)], [_api(False)])
    assert kinds(disable, "apiServerAccessProfile.enableVnetIntegration") == ["refused"]
    assert levels(disable)["azure-refuses:cluster-aks:apiServerAccessProfile.enableVnetIntegration"] == "mandatory"
    assert disable.exit_code == 1



def test_with_vnet_integration_the_api_server_turns_private_in_place_and_without_it_is_refused():
    # API_VNET: a cluster with API Server VNet Integration switches between public and
    # private access in place; PRIVATE: without it, public or private is fixed at creation.
    integrated = review([_api(True, False)], [_api(True, True)])
    assert kinds(integrated, "apiServerAccessProfile.enablePrivateCluster") == ["in-place"]
    assert integrated.exit_code == 0
    plain = review([_api(None, False)], [_api(None, True)])
    assert kinds(plain, "apiServerAccessProfile.enablePrivateCluster") == ["refused"]
    assert plain.exit_code == 1

# Node pools: what the provider updates in place and Azure refuses.

def _pool(**inputs: Any) -> dict[str, Any]:
    base = {"resourceGroupName": "rg-dev", "resourceName": "aks-dev", "agentPoolName": "user",
            "vmSize": "Standard_D4ds_v5", "maxPods": 30, "osDiskType": "Ephemeral",
            "vnetSubnetID": f"{RG_ID}/providers/Microsoft.Network/virtualNetworks/spoke/subnets/nodes"}
    return record(POOL, "cluster-pool-user", {**base, **inputs})


def test_a_pools_max_pods_and_node_subnet_are_sent_in_place_and_azure_refuses_them():
    # REPLACEMENT_GO: AgentPool forces new only for gpuInstanceProfile, vmSize and nodePublicIPTags, so
    # maxPods and vnetSubnetID go out as an update. Azure fixes both when the pool is created; a new value
    # takes a new pool beside the old one, then a drain (RESIZE_POOL).
    new_subnet = f"{RG_ID}/providers/Microsoft.Network/virtualNetworks/spoke/subnets/nodes2"
    for inputs, key in (({"maxPods": 50}, "maxPods"), ({"vnetSubnetID": new_subnet}, "vnetSubnetID")):
        result = review([_pool()], [_pool(**inputs)])
        assert result.changes[0].action == "update", key
        assert kinds(result, key) == ["refused"], key
        assert levels(result)[f"azure-refuses:cluster-pool-user:{key}"] == "mandatory"
        assert result.exit_code == 1


def test_an_inline_pools_max_pods_is_refused_at_its_own_key():
    # The cluster's agentPoolProfiles are not in its forceNewMap (REPLACEMENT_GO): an update, refused by AKS.
    profile = {"name": "system", "vmSize": "Standard_D4ds_v5", "maxPods": 30}
    base = with_inputs(cluster(), agentPoolProfiles=[profile])
    head = with_inputs(cluster(), agentPoolProfiles=[{**profile, "maxPods": 60}])
    result = review([base], [head])
    assert result.changes[0].action == "update"
    assert [f.id for f in result.findings if f.level == "mandatory"] == \
        ["azure-refuses:cluster-aks:agentPoolProfiles[0].maxPods"]


# Subnets: the provider updates an address range in place; Azure refuses it while the subnet is in use.

SUBNET_ID = f"{RG_ID}/providers/Microsoft.Network/virtualNetworks/spoke/subnets/ilb"


def _subnet(prefix: str) -> dict[str, Any]:
    return record(SUBNET, "spoke-subnet-ilb", {"resourceGroupName": "rg-dev", "virtualNetworkName": "spoke",
                                               "subnetName": "ilb", "addressPrefix": prefix}, id=SUBNET_ID)


def _service(annotations: dict[str, str], spec: dict[str, Any]) -> dict[str, Any]:
    return record("kubernetes:core/v1:Service", "k8s-service-api", {
        "metadata": {"name": "api", "namespace": "development", "annotations": annotations}, "spec": spec})


INTERNAL = {"service.beta.kubernetes.io/azure-load-balancer-internal": "true"}


def test_a_load_balancer_frontend_address_inside_the_subnet_holds_it_even_without_the_subnet_annotation():
    # SUBNET_DOC: a subnet's address range changes only while nothing is deployed in it;
    # an internal load balancer's static frontend address (the azure-load-balancer-ipv4 annotation) is a
    # resource inside the subnet whose range holds that address.
    service = _service({**INTERNAL, "service.beta.kubernetes.io/azure-load-balancer-ipv4": "192.168.2.10"},
                       {"type": "LoadBalancer"})
    result = review([_subnet("192.168.2.0/24"), service], [_subnet("192.168.3.0/24"), service])
    assert kinds(result, "addressPrefix") == ["refused"]
    assert levels(result)["azure-refuses:spoke-subnet-ilb:addressPrefix"] == "mandatory"
    # The same Service as ClusterIP takes no address of the subnet: the range moves in place.
    cluster_ip = _service({"service.beta.kubernetes.io/azure-load-balancer-ipv4": "192.168.2.10"},
                          {"type": "ClusterIP"})
    free = review([_subnet("192.168.2.0/24"), cluster_ip], [_subnet("192.168.3.0/24"), cluster_ip])
    assert kinds(free, "addressPrefix") == [] and free.exit_code == 0


# Azure Firewall SKU: the provider updates sku.tier in place (no force-new for AzureFirewall).

def _firewall(tier: str) -> dict[str, Any]:
    return record("azure-native:network:AzureFirewall", "firewall-firewall", {
        "resourceGroupName": "rg-hub", "azureFirewallName": "fw-hub", "sku": {"name": "AZFW_VNet", "tier": tier}})


def test_a_firewall_changes_between_standard_and_premium_in_place_both_ways():
    # FIREWALL_SKU (Change SKU): Standard upgrades to Premium and Premium downgrades to Standard in place,
    # without downtime, for a firewall managed by a Firewall Policy.
    for old, new in (("Standard", "Premium"), ("Premium", "Standard")):
        result = review([_firewall(old)], [_firewall(new)])
        assert kinds(result, "sku.tier") == ["in-place"], (old, new)
        assert result.exit_code == 0


def test_a_basic_firewall_changes_sku_neither_up_nor_down():
    # FIREWALL_SKU: the Basic SKU supports no SKU change; Basic goes to Standard by a new deployment.
    for old, new in (("Basic", "Standard"), ("Standard", "Basic"), ("Premium", "Basic")):
        result = review([_firewall(old)], [_firewall(new)])
        assert kinds(result, "sku.tier") == ["refused"], (old, new)
        assert levels(result)["azure-refuses:firewall-firewall:sku.tier"] == "mandatory"


# Peered VNets: a new address range is reached by the peer only after a sync, on either side.

def _vnet(name: str, prefixes: list[str]) -> dict[str, Any]:
    return record("azure-native:network:VirtualNetwork", f"{name}-vnet", {
        "resourceGroupName": "rg-dev", "virtualNetworkName": name, "addressSpace": {"addressPrefixes": prefixes}},
        id=f"{RG_ID}/providers/Microsoft.Network/virtualNetworks/{name}")


def test_a_new_range_on_either_end_of_a_peering_needs_a_sync():
    # PEERING_SYNC: after a peered VNet's address space changes, the
    # peering is synced so that the other VNet learns the new range. One peering resource names both ends:
    # its own VNet (virtualNetworkName) and the remote one (remoteVirtualNetwork.id).
    peering = record("azure-native:network:VirtualNetworkPeering", "spoke-to-hub", {
        "resourceGroupName": "rg-dev", "virtualNetworkName": "spoke", "virtualNetworkPeeringName": "to-hub",
        "remoteVirtualNetwork": {"id": f"{RG_ID}/providers/Microsoft.Network/virtualNetworks/hub"}})
    for name in ("spoke", "hub"):
        base = [_vnet(name, ["10.1.0.0/16"]), peering]
        head = [_vnet(name, ["10.1.0.0/16", "10.2.0.0/16"]), peering]
        result = review(base, head)
        assert kinds(result, "addressSpace.addressPrefixes") == ["peering"], name
        assert levels(result)[f"peering-sync:{name}-vnet"] == "advisory"
    # No peering, no sync.
    alone = review([_vnet("spoke", ["10.1.0.0/16"])], [_vnet("spoke", ["10.1.0.0/16", "10.2.0.0/16"])])
    assert kinds(alone, "addressSpace.addressPrefixes") == []


def test_new_load_balancer_outbound_addresses_are_new_egress_addresses():
    # OUTBOUND (outbound type loadBalancer): the cluster's egress leaves from the load balancer's
    # outbound public addresses; more managed addresses, or other addresses of one's own, change what
    # partners see. networkProfile.loadBalancerProfile is updated in place (REPLACEMENT_GO).
    base = cluster(loadBalancerProfile={"managedOutboundIPs": {"count": 1}})
    for profile in ({"managedOutboundIPs": {"count": 2}},
                    {"outboundIPs": {"publicIPs": [{"id": f"{RG_ID}/providers/Microsoft.Network/publicIPAddresses/e"}]}}):
        result = review([base], [cluster(loadBalancerProfile=profile)])
        assert result.changes[0].action == "update", profile
        assert "egress" in {c.kind for c in result.consequences}, profile
        assert levels(result)["new-egress:cluster-aks"] == "advisory"


# The provider's replacement rules (pulumi-azure-native 3.29.0): what replaces and what updates.

def _action(typ: str, old: dict[str, Any], new: dict[str, Any]) -> tuple[str, list[str]]:
    change = resource_changes([record(typ, "r", old)], [record(typ, "r", new)])[0]
    return change.action, change.forced_by


def test_the_clusters_create_only_fields_replace_it_and_its_load_balancer_profile_updates():
    # REPLACEMENT_GO, ManagedCluster: nodeResourceGroup and, in networkProfile, podCidr among
    # others replace; the rest of networkProfile (loadBalancerProfile named) updates in place (PR #4771).
    base = cluster()["inputs"]
    assert _action(MC, {**base, "nodeResourceGroup": "mc-a"}, {**base, "nodeResourceGroup": "mc-b"}) == \
        ("replace", ["nodeResourceGroup"])
    # dnsPrefix names the API server's FQDN, fixed at creation (forceNewMap's ManagedCluster row).
    assert _action(MC, {**base, "dnsPrefix": "aks-a"}, {**base, "dnsPrefix": "aks-b"}) == ("replace", ["dnsPrefix"])
    new_pods = {**base, "networkProfile": {**base["networkProfile"], "podCidr": "10.245.0.0/16"}}
    assert _action(MC, base, new_pods) == ("replace", ["networkProfile.podCidr"])
    lb = {**base, "networkProfile": {**base["networkProfile"], "loadBalancerProfile": {"idleTimeoutInMinutes": 4}}}
    lb2 = {**base, "networkProfile": {**base["networkProfile"], "loadBalancerProfile": {"idleTimeoutInMinutes": 10}}}
    assert _action(MC, lb, lb2) == ("update", [])


def test_network_resources_forced_new_by_the_hand_kept_map():
    # REPLACEMENT_GO: PublicIPAddress sku, PrivateEndpoint subnet, RoleAssignment principalId.
    pip = {"resourceGroupName": "rg", "publicIpAddressName": "pip", "sku": {"name": "Standard"}}
    assert _action("azure-native:network:PublicIPAddress", {**pip, "sku": {"name": "Basic"}}, pip)[0] == "replace"
    # An address of the other IP version is another address (publicIPAddressVersion, fixed at creation).
    assert _action("azure-native:network:PublicIPAddress", {**pip, "publicIPAddressVersion": "IPv4"},
                   {**pip, "publicIPAddressVersion": "IPv6"}) == ("replace", ["publicIPAddressVersion"])
    endpoint = {"resourceGroupName": "rg", "privateEndpointName": "pe", "subnet": {"id": "a"}}
    assert _action("azure-native:network:PrivateEndpoint", endpoint, {**endpoint, "subnet": {"id": "b"}}) == \
        ("replace", ["subnet.id"])
    role = {"scope": "/s", "roleAssignmentName": "n", "principalId": "a", "roleDefinitionId": "r"}
    assert _action("azure-native:authorization:RoleAssignment", role, {**role, "principalId": "b"}) == \
        ("replace", ["principalId"])
    # A resource's location is fixed at creation: a VNet (and its resource group) in another region is a new
    # one (REPLACEMENT_GO; https://learn.microsoft.com/azure/virtual-network/move-across-regions-vnet-portal).
    vnet = {"resourceGroupName": "rg", "virtualNetworkName": "vnet", "location": "westeurope"}
    assert _action("azure-native:network:VirtualNetwork", vnet, {**vnet, "location": "northeurope"}) == \
        ("replace", ["location"])
    group = {"resourceGroupName": "rg", "location": "westeurope"}
    assert _action("azure-native:resources:ResourceGroup", group, {**group, "location": "northeurope"}) == \
        ("replace", ["location"])


def test_a_kubernetes_object_moved_to_another_namespace_is_a_new_object():
    # https://kubernetes.io/docs/concepts/overview/working-with-objects/names/: a name is unique within its
    # namespace; another namespace is another object, so the provider replaces it.
    typ = "kubernetes:core/v1:ConfigMap"
    old = {"metadata": {"name": "settings", "namespace": "development"}, "data": {"a": "1"}}
    new = {"metadata": {"name": "settings", "namespace": "shop"}, "data": {"a": "1"}}
    assert _action(typ, old, new) == ("replace", ["metadata.namespace"])
    assert _action(typ, old, {**old, "data": {"a": "2"}}) == ("update", [])


# What the review refuses: protection, create-before-delete under one name, renames.

def test_protect_removed_in_the_change_that_replaces_the_cluster_is_still_refused():
    # PROTECT: a protected resource is deleted only after a first `pulumi up` that turns
    # protect off; turning it off in the same change that replaces the cluster does not let it through.
    base = {**cluster(), "protect": True}
    head = {**cluster(serviceCidr="10.1.0.0/16", dnsServiceIP="10.1.0.10"), "protect": False}
    result = review([base], [head])
    assert result.changes[0].action == "replace"
    assert levels(result)["protected:cluster-aks"] == "mandatory"


def test_a_replacement_under_the_same_azure_name_collides_unless_deleted_first_or_renamed():
    # DELETE_BEFORE_REPLACE: Pulumi creates the replacement before deleting the old resource, unless
    # deleteBeforeReplace is set; under the same Azure name (the URL path parameters) the create fails.
    base = _pool()
    head = _pool(vmSize="Standard_D8ds_v5")
    assert levels(review([base], [head]))["replace-collides:cluster-pool-user"] == "mandatory"
    first = review([base], [{**head, "deleteBeforeReplace": True}])
    assert first.changes[0].action == "replace"
    assert "replace-collides:cluster-pool-user" not in levels(first)
    # A new agentPoolName is a new Azure resource: created beside the old one, no collision.
    renamed = review([base], [_pool(vmSize="Standard_D8ds_v5", agentPoolName="user2")])
    assert renamed.changes[0].action == "replace"
    assert "replace-collides:cluster-pool-user" not in levels(renamed)


def test_a_deleted_and_a_created_resource_of_different_types_under_the_same_names_are_no_rename():
    # An ARM id carries its resource type: a route table and a security group of the same resource group
    # and name are two resources (https://learn.microsoft.com/azure/azure-resource-manager/management/
    # resource-name-rules); Pulumi deletes one and creates the other without collision.
    table = record("azure-native:network:RouteTable", "spoke-rt", {"resourceGroupName": "rg-dev",
                                                                   "routeTableName": "spoke"})
    nsg = record("azure-native:network:NetworkSecurityGroup", "spoke-nsg", {"resourceGroupName": "rg-dev",
                                                                            "networkSecurityGroupName": "spoke"})
    result = review([table], [nsg])
    assert sorted(c.action for c in result.changes) == ["create", "delete"]
    assert not [f for f in result.findings if f.id.startswith("alias-missing:")]
    # The same type under a new URN with the same Azure name is the rename that needs an alias.
    moved = record("azure-native:network:RouteTable", "spoke-routes", table["inputs"])
    assert levels(review([table], [moved]))["alias-missing:spoke-routes"] == "mandatory"


def test_a_replaced_cluster_replaces_its_kubernetes_provider_and_objects_even_those_updated_too():
    # pulumi-kubernetes DiffConfig replaces the provider when its kubeconfig's cluster changes or is not yet
    # known (https://github.com/pulumi/pulumi-kubernetes/pull/2771), and the provider's objects with it:
    # an object also updated in the same change goes to the new cluster all the same.
    provider_urn = "urn:pulumi:dev::aks-networking::pulumi:providers:kubernetes::k8s"
    provider = {"urn": provider_urn, "type": "pulumi:providers:kubernetes", "name": "k8s",
                "inputs": {"enableServerSideApply": "true"}}
    config_map = record("kubernetes:core/v1:ConfigMap", "k8s-settings", {
        "metadata": {"name": "settings", "namespace": "development"}, "data": {"a": "1"}},
        provider=f"{provider_urn}::0000")
    base = [cluster(), provider, config_map]
    head = [cluster(dnsServiceIP="10.0.0.53"), {**provider, "inputs": {"enableServerSideApply": "false"}},
            with_inputs(config_map, data={"a": "2"})]
    actions = {c.name: (c.action, c.forced_by) for c in resource_changes(base, head)}
    assert actions["cluster-aks"] == ("replace", ["networkProfile.dnsServiceIP"])
    assert actions["k8s"][0] == "replace" and "kubeconfig" in actions["k8s"][1]
    assert actions["k8s-settings"][0] == "replace"


# The network side: which verdict changes reach the user, and when a range falls short.

def _path(flow: str, verdict: str, kind: str = "declared") -> dict[str, Any]:
    return {"flow": flow, "kind": kind, "from": "development/frontend", "to": "development/backend",
            "ports": ["TCP/8080"], "verdict": verdict, "decidedBy": {"layer": "networkPolicy", "rule": "default deny"}}


def test_only_a_declared_flow_that_becomes_denied_is_refused():
    # A declared flow is the stack's promise; a derived path (what the layers happen to allow) carries none.
    diff = path_diff([], [_path("new-declared", "denied"), _path("derived", "denied", kind="derived")],
                     lambda entry: None)
    assert [d["flow"] for d in diff.denied] == ["new-declared"]
    result = review([], [], diff)
    assert levels(result) == {"flow-denied:new-declared": "mandatory"}
    # A derived path whose verdict turns to denied is listed, and refused only when a flow declares it.
    turned = path_diff([_path("derived", "allowed", kind="derived")], [_path("derived", "denied", kind="derived")],
                       lambda entry: None)
    assert [(d["flow"], d["before"], d["after"]) for d in turned.denied] == [("derived", "allowed", "denied")]
    assert review([], [], turned).exit_code == 0
    # A path newly allowed from on premises opens the platform to another network: the reader is told.
    onprem = {**_path("onprem-to-backend", "allowed"), "from": "onprem/10.50.0.0/16"}
    assert levels(review([], [], path_diff([], [onprem], lambda entry: None))) == \
        {"newly-allowed:onprem-to-backend": "advisory"}
    # A base flow that was already denied and is gone from the head is no news: it is not walked again.
    walked: list[str] = []

    def retrace(entry: Mapping[str, Any]) -> None:
        walked.append(entry["flow"])

    path_diff([_path("gone", "denied")], [], retrace)
    assert walked == []
    path_diff([_path("gone", "allowed")], [], retrace)
    assert walked == ["gone"]


def test_a_range_that_holds_exactly_its_need_is_not_short():
    # headroom = addresses the range holds beyond its need: zero fits, below zero falls short.
    rows = address_plan_diff([], [{"role": "pods", "cidr": "10.1.0.0/24", "headroom": 0},
                                  {"role": "nodes", "cidr": "10.2.0.0/24", "headroom": -1}])
    assert [(r["role"], r["change"]) for r in rows if r["change"] == "short"] == [("nodes", "short")]


def test_an_ignored_input_absent_from_the_old_state_stays_absent():
    # pulumi/pulumi pkg/resource/deploy/step_generator.go processIgnoreChanges: an ignored path the old
    # inputs lack is deleted from the new inputs, so adding it is no change (the old value is kept, even
    # when the old value is "nothing").
    base = cluster()
    head = cluster(loadBalancerProfile={"managedOutboundIPs": {"count": 2}})
    head["ignoreChanges"] = ["networkProfile.loadBalancerProfile"]
    result = review([base], [head])
    assert [c.action for c in result.changes] == ["same"] and result.consequences == []


# The lifecycle rules: which dated thing a stack uses, and what it is told to move to.

SUPPORTED_VERSIONS = "https://learn.microsoft.com/azure/aks/supported-kubernetes-versions"


def _lifecycle(rule: str, config: dict[str, Any], stack: str, day: datetime.date) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for problem in BY_ID[rule].spec_problems(load_spec(config, stack), day):
        out.setdefault(problem.path.removeprefix("aks-networking:"), []).append(problem.message)
    return out


def test_calico_is_not_the_retiring_azure_network_policy_manager():
    # POLICIES: the announced end (30 September 2028) is Azure Network Policy Manager's on
    # Linux; Calico, the other engine AKS installs, has no such date. dev runs Calico on kubenet.
    found = _lifecycle("lifecycle-announced-end", load("dev"), "dev", PINNED_DAY)
    assert "cluster.networkPolicy" not in found and "cluster.networkPlugin" in found
    assert "cluster.networkPolicy" not in _lifecycle("lifecycle-past-end", load("dev"), "dev", datetime.date(2028, 10, 1))


def test_the_upgrade_named_is_the_next_minor_not_the_newest():
    # SUPPORTED_VERSIONS: an AKS cluster upgrades one minor at a time (minors cannot be skipped), so 1.35
    # is told to go to 1.36 while 1.37 is also available.
    config = variant(load("prod"), {"aks-networking:cluster.kubernetesVersion": "1.35"})
    [message] = _lifecycle("lifecycle-announced-end", config, "prod", PINNED_DAY)["cluster.kubernetesVersion"]
    assert "reaches its end of life on AKS on 2027-03-31" in message and "upgrade to 1.36 " in message


def test_a_minor_before_its_aks_ga_gets_no_announced_end():
    # SUPPORTED_VERSIONS (release calendar): 1.37 reaches AKS GA in October 2026; before that day the
    # version rules refuse it as not yet available, and it has no support window to announce.
    config = variant(load("prod"), {"aks-networking:cluster.kubernetesVersion": "1.37"})
    before = _lifecycle("lifecycle-announced-end", config, "prod", datetime.date(2026, 9, 30))
    assert "cluster.kubernetesVersion" not in before
    after = _lifecycle("lifecycle-announced-end", config, "prod", datetime.date(2026, 10, 1))
    assert "2027-10-31" in after["cluster.kubernetesVersion"][0]


def test_a_minor_is_told_ending_soon_until_its_end_of_life_day_and_refused_from_that_day():
    # SUPPORTED_VERSIONS (release calendar): a month in the end-of-life column means its last day
    # ("Jun 2027" is 30 June 2027), the day support ends. The day before, the stack is told to plan the
    # upgrade; from that day AKS creates no cluster of the minor. Neither day is left without a word.
    config = load("prod")  # 1.36
    last = datetime.date(2027, 6, 29)
    assert _lifecycle("kubernetes-version-ending-soon", config, "prod", last)
    assert not _lifecycle("kubernetes-version-creatable", config, "prod", last)
    end = datetime.date(2027, 6, 30)
    assert not _lifecycle("kubernetes-version-ending-soon", config, "prod", end)
    [refused] = _lifecycle("kubernetes-version-creatable", config, "prod", end)["cluster.kubernetesVersion"]
    # The minors offered instead are those AKS creates that day: 1.36 no longer, 1.35 not since its end in March.
    assert refused.endswith("use one AKS creates today: 1.37")


# forceNewMap, row by row, for the resource types the program declares, as replacement.go lists them
# (REPLACEMENT_GO, read 2026-12-07): a change of each property replaces the resource. Written from the
# source's table, not from ours, so a row our table drops or misplaces fails here.
FORCE_NEW_ROWS = {
    MC: ("diskEncryptionSetID", "dnsPrefix", "fqdnSubdomain", "linuxProfile", "location", "nodeResourceGroup",
         "windowsProfile", *(f"networkProfile.{p}" for p in (
             "serviceCidr", "serviceCidrs", "dnsServiceIP", "networkMode", "networkPlugin", "networkPluginMode",
             "podCidr", "networkDataplane", "networkPolicy", "outboundType"))),
    POOL: ("gpuInstanceProfile", "vmSize", "networkProfile.nodePublicIPTags"),
    "azure-native:authorization:RoleAssignment": ("principalId", "scope"),
    "azure-native:network:PrivateEndpoint": ("subnet",),
    "azure-native:network:PublicIPAddress": ("location", "publicIPAddressVersion", "publicIPPrefix", "sku"),
    "azure-native:network:VirtualNetwork": ("location",),
    "azure-native:resources:ResourceGroup": ("location",),
    "azure-native:storage:StorageAccount": ("isHnsEnabled", "location"),
}


def _with(inputs: dict[str, Any], path: str, value: str) -> dict[str, Any]:
    head, _, rest = path.partition(".")
    return {**inputs, head: _with(dict(inputs.get(head) or {}), rest, value) if rest else value}


@pytest.mark.parametrize("typ,prop", [(typ, prop) for typ, props in FORCE_NEW_ROWS.items() for prop in props])
def test_every_force_new_row_of_the_provider_replaces_its_resource(typ, prop):
    base = {"resourceGroupName": "rg", "resourceName": "r", "agentPoolName": "p", "roleAssignmentName": "n",
            "scope": "/subscriptions/s", "privateEndpointName": "pe", "publicIpAddressName": "pip",
            "virtualNetworkName": "vnet", "accountName": "st"}
    action, forced_by = _action(typ, _with(base, prop, "old-value"), _with(base, prop, "new-value"))
    assert action == "replace" and any(p == prop or p.startswith(prop + ".") for p in forced_by), (action, forced_by)
