"""Every term of the change review's conditions and of the cluster profile's branches, held both ways (issue 27).

Each table's rows come in pairs: the smallest change where the documented condition holds (the consequence,
finding or input is there) and the same change with exactly one term made false (it is not). Expected outcomes
come from the page cited beside the table, never from running the review. Pure: the two runs' records are built
by hand as the mock engine records them, and the stacks go through the readers only.
"""

from __future__ import annotations

import functools
from dataclasses import replace
from typing import Any

import pytest

from aksnet.config.model import ClusterSpec, NodePool, StackConfig
from aksnet.plan.cluster_profile import api_server_profile, pool_settings
from aksnet.review.network import NetworkDiff
from aksnet.review.resource_diff import resource_changes
from tests.stacks import load, validate_stack_config
from tests.test_review_pins import cluster, levels, review
from tests.test_review_semantics import record

MC = "azure-native:containerservice:ManagedCluster"
NET_ID = "/subscriptions/0000/resourceGroups/rg-dev/providers/Microsoft.Network"
UPDATE_CNI = "https://learn.microsoft.com/azure/aks/update-azure-cni"
"""Update Azure CNI IPAM mode and data plane (the review cites its old address, upgrade-aks-ipam-and-dataplane)."""
PROTECT = "https://www.pulumi.com/docs/iac/concepts/options/protect/"


def _protected_cluster(plugin: str | None, mode: str | None, pod_subnet: bool = False) -> dict[str, Any]:
    pool: dict[str, Any] = {"name": "system", "vnetSubnetID": f"{NET_ID}/virtualNetworks/spoke/subnets/nodes"}
    if pod_subnet:
        pool["podSubnetID"] = f"{NET_ID}/virtualNetworks/spoke/subnets/pods"
    return {**cluster({"agentPoolProfiles": [pool]}, networkPlugin=plugin, networkPluginMode=mode), "protect": True}


# PROTECT: pulumi up stops before it replaces a protected resource. Where Azure could migrate the cluster in
# place (UPDATE_CNI: kubenet or Azure CNI Node Subnet to Overlay, one way), the safe way the finding gives is that
# migration's command; where Azure has no in-place path (a pod subnet), it is a new cluster.
SAFE_WAYS = [
    # (base plugin, base mode, pod subnet, the protected finding's safe way names the in-place migration)
    ("kubenet", None, False, True),
    ("azure", None, True, False),
]


@pytest.mark.parametrize(("plugin", "mode", "pod_subnet", "migrates"), SAFE_WAYS)
def test_a_protected_cluster_replaced_names_azures_migration_as_the_safe_way_only_where_it_exists(
        plugin: str, mode: str | None, pod_subnet: bool, migrates: bool) -> None:
    result = review([_protected_cluster(plugin, mode, pod_subnet)], [_protected_cluster("azure", "overlay", pod_subnet)])
    [finding] = [f for f in result.findings if f.id == "protected:cluster-aks"]
    assert finding.level == "mandatory", PROTECT
    assert ("--network-plugin-mode overlay" in finding.message) is migrates, (finding.message, UPDATE_CNI)


# The cluster profile ------------------------------------------------------------------------------------------

@functools.cache
def _dev() -> StackConfig:
    return validate_stack_config(load("dev"), "dev")


def _dev_cluster(**fields: Any) -> ClusterSpec:
    return replace(_dev().cluster, **fields)


def _dev_pool(**fields: Any) -> NodePool:
    return replace(_dev().cluster.node_pools[0], **fields)


SYSTEM_POOLS = "https://learn.microsoft.com/azure/aks/use-system-pools#system-and-user-node-pools"
RUN_COMMAND = "https://learn.microsoft.com/azure/aks/access-private-cluster#disable-run-command"
POOL_ROWS = [
    # (pool fields, the nodeTaints AKS receives) SYSTEM_POOLS: a System pool runs application pods too unless it
    # carries CriticalAddonsOnly=true:NoSchedule, which the stack asks for with onlyCriticalAddons.
    ({"mode": "System", "only_critical_addons": True}, ["CriticalAddonsOnly=true:NoSchedule"]),
    ({"mode": "System", "only_critical_addons": False}, None),
]


@pytest.mark.parametrize(("fields", "taints"), POOL_ROWS, ids=["critical-only", "system-shared"])
def test_only_a_pool_asked_to_run_critical_addons_alone_is_tainted(fields: dict[str, Any], taints: Any) -> None:
    assert pool_settings(_dev_pool(**fields), "10%").get("nodeTaints") == taints, SYSTEM_POOLS


AGENT_POOLS = "https://learn.microsoft.com/rest/api/aks/agent-pools/create-or-update#osdisktype"


# AGENT_POOLS: osDiskType is Managed or Ephemeral; the stack's choice is sent either way, and left to AKS unset.
@pytest.mark.parametrize("disk", ["Managed", "Ephemeral", None])
def test_the_os_disk_type_the_stack_names_is_sent_whichever_it_is(disk: str | None) -> None:
    assert pool_settings(_dev_pool(os_disk_type=disk), "10%").get("osDiskType") == disk, AGENT_POOLS


API_ROWS = [
    # (cluster fields, the keys of apiServerAccessProfile and their values that must be sent; None: absent)
    # RUN_COMMAND: disableRunCommand is the stack's choice, on a public API server as on a private one.
    ({"private": False, "disable_run_command": True}, {"disableRunCommand": True}),
    ({"private": False, "disable_run_command": False}, {"disableRunCommand": None}),
    ({"private": True, "authorized_ip_ranges": (), "disable_run_command": False}, {"disableRunCommand": None}),
]


@pytest.mark.parametrize(("fields", "sent"), API_ROWS)
def test_the_api_server_profile_sends_each_choice_exactly_where_the_stack_makes_it(fields: dict[str, Any],
                                                                                 sent: dict[str, Any]) -> None:
    profile = api_server_profile(_dev_cluster(**fields), zone="zone-id", subnet="subnet-id")
    assert {key: profile.get(key) for key in sent} == sent


# Azure's consequences of a changed input ------------------------------------------------------------------------

SUBNET = "azure-native:network:Subnet"
VNET = "azure-native:network:VirtualNetwork"
FIREWALL = "azure-native:network:AzureFirewall"
NETWORK_POLICIES = "https://learn.microsoft.com/azure/aks/use-network-policies"
OUTBOUND = "https://learn.microsoft.com/azure/aks/egress-outboundtype"
API_VNET = "https://learn.microsoft.com/azure/aks/api-server-vnet-integration"
FIREWALL_SKU = "https://learn.microsoft.com/azure/firewall/premium-migrate"
SUBNET_DOC = "https://learn.microsoft.com/azure/virtual-network/virtual-network-manage-subnet"
SPOKE_ID = f"{NET_ID}/virtualNetworks/spoke"
LB_ANNOTATIONS = "https://cloud-provider-azure.sigs.k8s.io/topics/loadbalancer/"
PEERING_SYNC = "https://learn.microsoft.com/azure/virtual-network/update-virtual-network-peering-address-space"


def _api(**profile: Any) -> dict[str, Any]:
    return cluster({"apiServerAccessProfile": profile})


def _firewall(tier: str) -> dict[str, Any]:
    return record(FIREWALL, "hub-fw", {"resourceGroupName": "rg-dev", "azureFirewallName": "fw-dev",
                                       "sku": {"name": "AZFW_VNet", "tier": tier}})


def _subnet(name: str, prefix: str) -> dict[str, Any]:
    return record(SUBNET, f"spoke-{name}", {"resourceGroupName": "rg-dev", "virtualNetworkName": "spoke",
                                           "subnetName": name, "addressPrefix": prefix},
                  id=f"{SPOKE_ID}/subnets/{name}")


def _subnet_listed(prefixes: list[str]) -> dict[str, Any]:
    return record(SUBNET, "spoke-ilb", {"resourceGroupName": "rg-dev", "virtualNetworkName": "spoke",
                                        "subnetName": "ilb", "addressPrefixes": prefixes}, id=f"{SPOKE_ID}/subnets/ilb")


def _user_of(subnet_id: str) -> dict[str, Any]:
    return record("azure-native:network:PrivateEndpoint", "kv-pe", {"resourceGroupName": "rg-dev",
                                                                     "privateEndpointName": "pe-kv",
                                                                     "subnet": {"id": subnet_id}})


def _load_balancer_service(annotations: dict[str, str], **spec: Any) -> dict[str, Any]:
    return record("kubernetes:core/v1:Service", "app-svc", {"metadata": {"name": "app", "annotations": annotations},
                                                            "spec": {"type": "LoadBalancer", **spec}})


def _vnet(prefixes: list[str]) -> dict[str, Any]:
    return record(VNET, "spoke-vnet", {"resourceGroupName": "rg-dev", "virtualNetworkName": "spoke",
                                       "addressSpace": {"addressPrefixes": prefixes}}, id=SPOKE_ID)


def _peering(local: str, remote_id: str) -> dict[str, Any]:
    return record("azure-native:network:VirtualNetworkPeering", f"{local}-peering",
                  {"resourceGroupName": "rg-dev", "virtualNetworkName": local,
                   "virtualNetworkPeeringName": f"{local}-to-peer", "remoteVirtualNetwork": {"id": remote_id}})


def _pair(build: Any, old: Any, new: Any, *others: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    return [build(old), *others], [build(new), *others]


CONSEQUENCES = [
    # (row id, base and head records, the changed resource's logical name, input, kind, whether it is told)
    # NETWORK_POLICIES "Uninstall Azure Network Policy Manager or Calico": az aks update --network-policy none
    # removes either engine in place; no such update removes Cilium, and none swaps one engine for another.
    ("npm-uninstalled", _pair(lambda p: cluster(networkPolicy=p), "azure", "none"), "cluster-aks",
     "networkProfile.networkPolicy", "migrates", True),
    ("calico-uninstalled", _pair(lambda p: cluster(networkPolicy=p), "calico", "none"), "cluster-aks",
     "networkProfile.networkPolicy", "migrates", True),
    ("calico-dropped-from-the-profile", _pair(lambda p: cluster(networkPolicy=p), "calico", None), "cluster-aks",
     "networkProfile.networkPolicy", "migrates", True),
    ("cilium-uninstalled", _pair(lambda p: cluster(networkPolicy=p), "cilium", "none"), "cluster-aks",
     "networkProfile.networkPolicy", "migrates", False),
    ("calico-swapped-for-npm", _pair(lambda p: cluster(networkPolicy=p), "calico", "azure"), "cluster-aks",
     "networkProfile.networkPolicy", "migrates", False),
    # OUTBOUND "Supported migration paths": on a managed VNet loadBalancer, managedNATGateway, none and block
    # migrate among themselves; on your own VNet loadBalancer, userAssignedNATGateway, userDefinedRouting and
    # none. managedNATGateway never meets the user-assigned kinds (no VNet holds both).
    ("lb-to-managed-nat", _pair(lambda o: cluster(outboundType=o), "loadBalancer", "managedNATGateway"),
     "cluster-aks", "networkProfile.outboundType", "migrates", True),
    ("lb-to-block", _pair(lambda o: cluster(outboundType=o), "loadBalancer", "block"),
     "cluster-aks", "networkProfile.outboundType", "migrates", True),
    ("nat-to-udr", _pair(lambda o: cluster(outboundType=o), "userAssignedNATGateway", "userDefinedRouting"),
     "cluster-aks", "networkProfile.outboundType", "migrates", True),
    ("lb-to-udr", _pair(lambda o: cluster(outboundType=o), "loadBalancer", "userDefinedRouting"),
     "cluster-aks", "networkProfile.outboundType", "migrates", True),
    ("managed-to-user-nat", _pair(lambda o: cluster(outboundType=o), "managedNATGateway", "userAssignedNATGateway"),
     "cluster-aks", "networkProfile.outboundType", "migrates", False),
    ("udr-to-managed-nat", _pair(lambda o: cluster(outboundType=o), "userDefinedRouting", "managedNATGateway"),
     "cluster-aks", "networkProfile.outboundType", "migrates", False),
    ("udr-to-block", _pair(lambda o: cluster(outboundType=o), "userDefinedRouting", "block"),
     "cluster-aks", "networkProfile.outboundType", "migrates", False),
    # UPDATE_CNI: the Cilium data plane is an in-place, one-way update on any Azure CNI IPAM mode (Node Subnet,
    # Overlay), from the Azure data plane or none set; kubenet is no Azure CNI mode, and nothing goes back.
    ("overlay-to-cilium", _pair(lambda d: cluster(networkDataplane=d), "azure", "cilium"), "cluster-aks",
     "networkProfile.networkDataplane", "migrates", True),
    ("unset-to-cilium", _pair(lambda d: cluster(networkDataplane=d), None, "cilium"), "cluster-aks",
     "networkProfile.networkDataplane", "migrates", True),
    ("node-subnet-to-cilium", _pair(lambda d: cluster(networkPluginMode=None, podCidr=None, networkDataplane=d),
                                    "azure", "cilium"), "cluster-aks", "networkProfile.networkDataplane", "migrates",
     True),
    ("kubenet-to-cilium", _pair(lambda d: cluster(networkPlugin="kubenet", networkPluginMode=None,
                                                  networkDataplane=d), "azure", "cilium"), "cluster-aks",
     "networkProfile.networkDataplane", "migrates", False),
    ("cilium-back-to-azure", _pair(lambda d: cluster(networkDataplane=d), "cilium", "azure"), "cluster-aks",
     "networkProfile.networkDataplane", "migrates", False),
    ("kubenet-to-overlay-and-cilium", ([cluster(networkPlugin="kubenet", networkPluginMode=None)],
                                       [cluster(networkDataplane="cilium")]), "cluster-aks",
     "networkProfile.networkDataplane", "migrates", True),
    # UPDATE_CNI: the one IPAM migration leads to Overlay; kubenet to flat Azure CNI is a new cluster.
    ("kubenet-to-node-subnet", ([cluster(networkPlugin="kubenet", networkPluginMode=None)],
                                [cluster(networkPluginMode=None, podCidr=None)]), "cluster-aks",
     "networkProfile.networkPlugin", "migrates", False),
    ("kubenet-to-node-subnet-is-new", ([cluster(networkPlugin="kubenet", networkPluginMode=None)],
                                       [cluster(networkPluginMode=None, podCidr=None)]), "cluster-aks",
     "networkProfile.networkPlugin", "recreate", True),
    # API_VNET: integration is enabled on an existing cluster, one way; it cannot be disabled, whether the
    # stack writes false or drops the field.
    ("integration-enabled", _pair(lambda v: _api(enableVnetIntegration=v), None, True), "cluster-aks",
     "apiServerAccessProfile.enableVnetIntegration", "one-way", True),
    ("integration-set-false", _pair(lambda v: _api(enableVnetIntegration=v), True, False), "cluster-aks",
     "apiServerAccessProfile.enableVnetIntegration", "refused", True),
    ("integration-dropped", _pair(lambda v: _api(enableVnetIntegration=v), True, None), "cluster-aks",
     "apiServerAccessProfile.enableVnetIntegration", "refused", True),
    # API_VNET: only a cluster with integration switches public <-> private in place; on both runs, since the
    # switch in a change that also turns it off meets a cluster that keeps it.
    ("private-with-integration", ([_api(enableVnetIntegration=True, enablePrivateCluster=False)],
                                  [_api(enableVnetIntegration=True, enablePrivateCluster=True)]), "cluster-aks",
     "apiServerAccessProfile.enablePrivateCluster", "in-place", True),
    ("private-while-integration-goes", ([_api(enableVnetIntegration=True, enablePrivateCluster=False)],
                                        [_api(enableVnetIntegration=False, enablePrivateCluster=True)]),
     "cluster-aks", "apiServerAccessProfile.enablePrivateCluster", "refused", True),
    ("private-as-integration-arrives", ([_api(enableVnetIntegration=False, enablePrivateCluster=False)],
                                        [_api(enableVnetIntegration=True, enablePrivateCluster=True)]),
     "cluster-aks", "apiServerAccessProfile.enablePrivateCluster", "refused", True),
    # FIREWALL_SKU: Standard <-> Premium changes in place both ways; a Basic firewall's SKU changes in neither
    # direction.
    ("standard-to-premium", _pair(_firewall, "Standard", "Premium"), "hub-fw", "sku.tier", "in-place", True),
    ("premium-to-standard", _pair(_firewall, "Premium", "Standard"), "hub-fw", "sku.tier", "in-place", True),
    ("basic-to-standard", _pair(_firewall, "Basic", "Standard"), "hub-fw", "sku.tier", "refused", True),
    ("standard-to-basic", _pair(_firewall, "Standard", "Basic"), "hub-fw", "sku.tier", "refused", True),
    ("basic-to-premium", _pair(_firewall, "Basic", "Premium"), "hub-fw", "sku.tier", "in-place", False),
    # SUBNET_DOC: a subnet's range cannot change while something holds an address of it. A user of another
    # subnet whose name begins the same holds none of it; a subnet nobody points at changes freely; a load
    # balancer address inside the old range holds it (the new range is what Azure would refuse to set).
    ("subnet-in-use", _pair(lambda p: _subnet("nodes", p), "10.1.0.0/24", "10.1.0.0/23",
                            _user_of(f"{SPOKE_ID}/subnets/nodes")), "spoke-nodes", "addressPrefix", "refused", True),
    ("neighbour-in-use", _pair(lambda p: _subnet("nodes", p), "10.1.0.0/24", "10.1.0.0/23",
                               _user_of(f"{SPOKE_ID}/subnets/nodes2")), "spoke-nodes", "addressPrefix", "refused",
     False),
    ("lb-address-in-the-old-range", _pair(lambda p: _subnet("ilb", p), "10.1.2.0/24", "10.1.3.0/24",
                                          _load_balancer_service({}, loadBalancerIP="10.1.2.10")),
     "spoke-ilb", "addressPrefix", "refused", True),
    ("lb-address-annotated", _pair(lambda p: _subnet("ilb", p), "10.1.2.0/24", "10.1.2.0/23", _load_balancer_service(
        {"service.beta.kubernetes.io/azure-load-balancer-ipv4": "10.1.2.10"})), "spoke-ilb", "addressPrefix", "refused",
     True),
    ("lb-subnet-named", _pair(lambda p: _subnet("ilb", p), "10.1.2.0/24", "10.1.2.0/23", _load_balancer_service(
        {"service.beta.kubernetes.io/azure-load-balancer-internal-subnet": "ilb"})), "spoke-ilb", "addressPrefix",
     "refused", True),
    # LB_ANNOTATIONS: the cloud provider reads these annotations on Services of type LoadBalancer only; a
    # ClusterIP Service that carries one holds no frontend address.
    ("cluster-ip-annotated", _pair(lambda p: _subnet("ilb", p), "10.1.2.0/24", "10.1.2.0/23", {
        **_load_balancer_service({"service.beta.kubernetes.io/azure-load-balancer-internal-subnet": "ilb"}),
        "inputs": {"metadata": {"name": "app", "annotations": {
            "service.beta.kubernetes.io/azure-load-balancer-internal-subnet": "ilb"}}, "spec": {"type": "ClusterIP"}}}),
     "spoke-ilb", "addressPrefix", "refused", False),
    ("lb-elsewhere", _pair(lambda p: _subnet("ilb", p), "10.1.2.0/24", "10.1.2.0/23",
                           _load_balancer_service({}, loadBalancerIP="10.1.9.10")), "spoke-ilb", "addressPrefix",
     "refused", False),
    ("lb-address-in-a-listed-range", ([_subnet_listed(["10.1.2.0/24"]), _load_balancer_service({}, loadBalancerIP="10.1.2.10")],
                                      [_subnet_listed(["10.1.3.0/24"]), _load_balancer_service({}, loadBalancerIP="10.1.2.10")]),
     "spoke-ilb", "addressPrefixes", "refused", True),
    ("subnet-of-unknown-id", ([{**_subnet("nodes", "10.1.0.0/24"), "id": None}, _user_of(f"{SPOKE_ID}/subnets/pods")],
                              [{**_subnet("nodes", "10.1.0.0/23"), "id": None}, _user_of(f"{SPOKE_ID}/subnets/pods")]),
     "spoke-nodes", "addressPrefix", "refused", False),
    # PEERING_SYNC: a new range on a peered VNet reaches the peer only after the peering is synced; the VNet is
    # peered whether it holds the peering or is the peering's remote end, and an unpeered VNet needs no sync.
    ("vnet-holds-the-peering", _pair(_vnet, ["10.1.0.0/16"], ["10.1.0.0/16", "10.2.0.0/16"],
                                     _peering("spoke", f"{NET_ID}/virtualNetworks/hub")), "spoke-vnet",
     "addressSpace.addressPrefixes", "peering", True),
    ("vnet-is-the-remote-end", _pair(_vnet, ["10.1.0.0/16"], ["10.1.0.0/16", "10.2.0.0/16"],
                                     _peering("hub", SPOKE_ID)), "spoke-vnet", "addressSpace.addressPrefixes",
     "peering", True),
    ("vnet-unpeered", _pair(_vnet, ["10.1.0.0/16"], ["10.1.0.0/16", "10.2.0.0/16"],
                            _peering("hub", f"{NET_ID}/virtualNetworks/other")), "spoke-vnet",
     "addressSpace.addressPrefixes", "peering", False),
]


@pytest.mark.parametrize(("runs", "name", "input_path", "kind", "told"), [row[1:] for row in CONSEQUENCES],
                         ids=[row[0] for row in CONSEQUENCES])
def test_each_term_of_azures_consequence_holds_on_its_own(runs: tuple[list[dict[str, Any]], list[dict[str, Any]]],
                                                          name: str, input_path: str, kind: str, told: bool) -> None:
    result = review(*runs)
    found = {(c.input, c.kind) for c in result.consequences if c.urn.endswith(f"::{name}")}
    assert ((input_path, kind) in found) is told, found


# Findings of the path model's diff. DESIGN.md's change review contract: a path from outside (the internet or
# on-premises) that becomes allowed is told for a reader's eye; an east-west one that a declared flow allows is
# the stack's intent and is not.
def _allowed(source: str) -> dict[str, Any]:
    return {"flow": "f", "kind": "declared", "from": source, "to": "development/backend", "ports": ["TCP/80"],
            "before": None, "after": "allowed", "why": "a new flow, allowed", "decidedBy": None}


NEWLY_ALLOWED = [("internet", True), ("onprem", True), ("development/frontend", False)]


@pytest.mark.parametrize(("source", "told"), NEWLY_ALLOWED)
def test_a_path_newly_allowed_is_an_advisory_exactly_when_it_comes_from_outside(source: str, told: bool) -> None:
    found = levels(review([], [], NetworkDiff(allowed=[_allowed(source)])))
    assert found == ({"newly-allowed:f": "advisory"} if told else {})


def test_kubenet_to_overlay_is_one_migration_though_plugin_and_mode_both_change() -> None:
    # UPDATE_CNI: one az aks update moves kubenet to Overlay; the review tells it once, not once per input.
    result = review([cluster(networkPlugin="kubenet", networkPluginMode=None)], [cluster()])
    assert [c.input for c in result.consequences if c.kind == "migrates"] == ["networkProfile.networkPlugin"]


# The provider's diff ------------------------------------------------------------------------------------------
DIFF_GO = "https://github.com/pulumi/pulumi-azure-native/blob/master/provider/pkg/provider/diff.go"
ALIASES = "https://www.pulumi.com/docs/iac/concepts/options/aliases/"
RG = "azure-native:resources:ResourceGroup"


def _group(location: str | None) -> dict[str, Any]:
    return record(RG, "rg", {"resourceGroupName": "rg-dev", **({"location": location} if location else {})})


# DIFF_GO applyAzureSpecificDiff: a location differing only in letter case or spaces is the same region.
LOCATIONS = [
    ("westeurope", "West Europe", "same"),
    ("westeurope", "WestEurope", "same"),
    ("westeurope", "northeurope", "replace"),
    (None, "westeurope", "replace"),  # a create-only field the base did not set is still a new value
]


@pytest.mark.parametrize(("old", "new", "action"), LOCATIONS)
def test_a_location_is_compared_as_azure_names_regions(old: str | None, new: str, action: str) -> None:
    [change] = resource_changes([_group(old)], [_group(new)])
    assert change.action == action, (change.changes, DIFF_GO)


def test_an_alias_to_a_resource_that_still_exists_carries_nothing_over() -> None:
    # ALIASES: an alias names the old URN a resource had; while a resource of that URN is still declared, it is
    # that resource, and the aliased one is new.
    kept = _group("westeurope")
    twin = {**record(RG, "rg2", {"resourceGroupName": "rg-two", "location": "westeurope"}), "aliases": [kept["urn"]]}
    changes = {c.name: c.action for c in resource_changes([kept], [kept, twin])}
    assert changes == {"rg": "same", "rg2": "create"}, ALIASES
