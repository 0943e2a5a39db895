"""The change review's lists, element by element, and the remedies its consequences suggest (issue 27).

Each row holds one element of the review's lists (the inputs that name a resource in its REST URL, the
network profile fields the provider updates in place, the migrations Azure offers) to the behaviour a
user sees, with the expected outcome from the page beside the row, never from the review's own output.
A remedy that names a command or an ignoreChanges path is written back: the named path, ignored on the
head, must leave the cluster unreplaced. Pure: the two runs' records are built by hand.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from aksnet.review.resource_diff import azure_name, resource_changes
from tests.test_review_pins import cluster, kinds, review
from tests.test_review_semantics import record

MC = "azure-native:containerservice:ManagedCluster"
NET_ID = "/subscriptions/0000/resourceGroups/rg-dev/providers/Microsoft.Network"
UPDATE_CNI = "https://learn.microsoft.com/azure/aks/update-azure-cni"
"""Update Azure CNI IPAM mode and data plane (upgrade-aks-ipam-and-dataplane redirects here), read 2026-12-07."""
REPLACEMENT_GO = "https://github.com/pulumi/pulumi-azure-native/blob/master/provider/pkg/gen/replacement.go"

# Every name in the PUT URL of a resource names it: another value is another resource, and the provider
# replaces. (type, the URL's names in order, REST reference)
URL_NAMES = [
    ("azure-native:resources:ResourceGroup", ("resourceGroupName",),
     "https://learn.microsoft.com/rest/api/resources/resource-groups/create-or-update"),
    ("azure-native:kubernetesconfiguration:FluxConfiguration",
     ("resourceGroupName", "clusterRp", "clusterResourceName", "clusterName", "fluxConfigurationName"),
     "https://learn.microsoft.com/rest/api/kubernetesconfiguration/flux-configurations/create-or-update"),
]


@pytest.mark.parametrize(("typ", "names", "source"), URL_NAMES, ids=[t.rsplit(":", 1)[-1] for t, _, _ in URL_NAMES])
def test_each_name_in_the_put_url_replaces_the_resource_and_is_its_azure_name(typ: str, names: tuple[str, ...],
                                                                             source: str) -> None:
    old = {name: f"{name}-a" for name in names}
    assert azure_name({"type": typ, "inputs": old}) == tuple(old[n] for n in names), source
    for name in names:
        [change] = resource_changes([record(typ, "r", old)], [record(typ, "r", {**old, name: f"{name}-b"})])
        assert (change.action, change.forced_by) == ("replace", [name]), (typ, name, source)


# replacement.go after PR #4771: of networkProfile only ten fields force a new cluster; the rest (its comment
# names advancedNetworking, loadBalancerProfile, natGatewayProfile, loadBalancerSku) updates in place.
IN_PLACE_PROFILE_FIELDS = [
    ("advancedNetworking", {"enabled": False}, {"enabled": True}),
    ("natGatewayProfile", {"idleTimeoutInMinutes": 4}, {"idleTimeoutInMinutes": 10}),
    ("loadBalancerSku", "basic", "standard"),
    ("ipFamilies", None, ["IPv4"]),
]


@pytest.mark.parametrize(("field", "old", "new"), IN_PLACE_PROFILE_FIELDS, ids=[f for f, _, _ in IN_PLACE_PROFILE_FIELDS])
def test_a_network_profile_field_outside_the_providers_ten_updates_the_cluster_in_place(field: str, old: Any,
                                                                                       new: Any) -> None:
    [change] = resource_changes([cluster(**{field: old})], [cluster(**{field: new})])
    assert change.action == "update", (field, change.forced_by, REPLACEMENT_GO)


# The IPAM migration (UPDATE_CNI, "Supported migration paths"): to Overlay only, from kubenet or from Azure
# CNI Node Subnet; a pod subnet (dynamic IP allocation) or a CNI of one's own (`none`) has no in-place path.
def _pools(pod_subnet: bool) -> dict[str, Any]:
    pool = {"name": "system", "vnetSubnetID": f"{NET_ID}/virtualNetworks/spoke/subnets/nodes"}
    if pod_subnet:
        pool["podSubnetID"] = f"{NET_ID}/virtualNetworks/spoke/subnets/pods"
    return {"agentPoolProfiles": [pool]}


IPAM_PATHS = [
    # (plugin, pod subnet, migrates in place)
    ("kubenet", False, True),
    ("azure", False, True),
    ("azure", True, False),
    ("none", False, False),
]


@pytest.mark.parametrize(("plugin", "pod_subnet", "migrates"), IPAM_PATHS,
                         ids=[f"{p}{'+podsubnet' if s else ''}" for p, s, _ in IPAM_PATHS])
def test_only_kubenet_and_node_subnet_azure_cni_migrate_to_overlay_in_place(plugin: str, pod_subnet: bool,
                                                                            migrates: bool) -> None:
    base = cluster(_pools(pod_subnet), networkPlugin=plugin, networkPluginMode=None)
    result = review([base], [cluster(_pools(False))])
    found = {c.kind for c in result.consequences if c.input.startswith("networkProfile.networkPlugin")}
    assert found == ({"migrates"} if migrates else {"recreate"}), (plugin, pod_subnet, UPDATE_CNI)


def test_the_overlay_migration_names_the_documented_command_with_the_stacks_pod_cidr():
    # UPDATE_CNI: `az aks update --network-plugin azure --network-plugin-mode overlay`, with `--pod-cidr` for the
    # overlay space (the stack's, so the migrated cluster already holds the value the stack lands next).
    result = review([cluster(networkPlugin="kubenet", networkPluginMode=None, podCidr="10.244.0.0/16")],
                    [cluster(podCidr="192.168.0.0/16")])
    [step] = [c for c in result.consequences if c.kind == "migrates"]
    for text in (step.what, step.safe or ""):
        assert "--network-plugin azure" in text and "--network-plugin-mode overlay" in text, text
        assert "--pod-cidr 192.168.0.0/16" in text, text


@pytest.mark.parametrize("engine", ["azure", "calico"])
def test_the_overlay_migration_first_uninstalls_an_installed_policy_engine(engine: str) -> None:
    # UPDATE_CNI: a cluster is updated to Overlay only while no network policy engine is enabled; the engine is
    # uninstalled first with `az aks update --network-policy none` (use-network-policies, "Uninstall").
    result = review([cluster(networkPlugin="azure", networkPluginMode=None, networkPolicy=engine)],
                    [cluster(networkPolicy="none")])
    [step] = [c for c in result.consequences if c.input.startswith("networkProfile.networkPlugin")]
    assert step.kind == "migrates" and "az aks update --network-policy none" in (step.safe or ""), step
    assert (step.safe or "").index("--network-policy none") < (step.safe or "").index("--network-plugin-mode overlay")


# Cilium (UPDATE_CNI, "Data plane migration"): from any Azure CNI mode, the data plane as sent today
# (`azure`) included; kubenet only after its move to Overlay, as a separate operation.
def test_the_cilium_update_starts_from_the_azure_dataplane_written_out():
    result = review([cluster(networkDataplane="azure")], [cluster(networkDataplane="cilium", networkPolicy="cilium")])
    assert kinds(result, "networkProfile.networkDataplane") == ["migrates"]


def test_kubenet_to_overlay_with_cilium_is_two_migrations_each_its_own_step():
    result = review([cluster(networkPlugin="kubenet", networkPluginMode=None)],
                    [cluster(networkDataplane="cilium", networkPolicy="cilium")])
    steps = {c.input: c for c in result.consequences if c.kind == "migrates"}
    assert "networkProfile.networkDataplane" in steps, result.consequences
    assert any(i.startswith("networkProfile.networkPlugin") for i in steps), result.consequences
    assert all("as its own step" in (c.safe or "") for c in steps.values())


# A remedy that says "while the program ignores X (ignoreChanges)", written back: ignoring X on the head leaves
# the cluster unreplaced, so the in-place step can run without pulumi up replacing the cluster meanwhile.
MIGRATIONS = [
    ({"networkPlugin": "kubenet", "networkPluginMode": None}, {}),
    ({"networkDataplane": "azure"}, {"networkDataplane": "cilium", "networkPolicy": "cilium"}),
    ({"networkPolicy": "calico"}, {"networkPolicy": "none"}),
    ({"outboundType": "loadBalancer"}, {"outboundType": "userDefinedRouting"}),
]


@pytest.mark.parametrize(("before", "after"), MIGRATIONS, ids=["overlay", "cilium", "uninstall", "outbound"])
def test_the_ignore_changes_a_migration_suggests_keeps_the_cluster_when_written_back(before: dict[str, Any],
                                                                                    after: dict[str, Any]) -> None:
    base, head = cluster(**before), cluster(**after)
    migrations = [c for c in review([base], [head]).consequences if c.kind == "migrates"]
    assert migrations
    for step in migrations:
        named = re.search(r"ignores (\S+) \(ignoreChanges\)", step.safe or "")
        assert named is not None, step.safe
        [change] = resource_changes([base], [{**head, "ignoreChanges": [named.group(1)]}])
        assert change.action in ("same", "update"), (named.group(1), change.forced_by)


# The safe way a consequence suggests names the value Azure takes, not the one it leaves or a wider remedy.
OUTBOUND = "https://learn.microsoft.com/azure/aks/egress-outboundtype"
POLICIES = "https://learn.microsoft.com/azure/aks/use-network-policies"
API_VNET = "https://learn.microsoft.com/azure/aks/api-server-vnet-integration"
RESIZE_POOL = "https://learn.microsoft.com/azure/aks/resize-node-pool"
POOL = "azure-native:containerservice:AgentPool"


def _pool(**inputs: Any) -> dict[str, Any]:
    return record(POOL, "cluster-pool-user", {"resourceGroupName": "rg-dev", "resourceName": "aks-dev",
                                              "agentPoolName": "user", "vmSize": "Standard_D4ds_v5", "maxPods": 30,
                                              "upgradeSettings": {"maxSurge": "33%"}, "count": 3, **inputs})


def _only(result: Any, input_path: str) -> Any:
    [step] = [c for c in result.consequences if c.input == input_path and c.kind != "egress"]
    return step


def test_the_uninstall_step_is_network_policy_none_and_says_policies_stop_being_enforced():
    # POLICIES, "Uninstall Azure Network Policy Manager or Calico": az aks update --network-policy none; with no
    # engine left, nothing enforces the cluster's NetworkPolicies.
    step = _only(review([cluster(networkPolicy="azure")], [cluster(networkPolicy="none")]),
                 "networkProfile.networkPolicy")
    assert "--network-policy none" in (step.safe or "") and "--network-policy azure" not in (step.safe or "")
    assert "no longer enforced" in step.what or "stops being enforced" in step.what, step.what


@pytest.mark.parametrize(("old", "new"), [("loadBalancer", "userDefinedRouting"), ("userDefinedRouting", "loadBalancer")])
def test_the_outbound_step_names_the_new_outbound_type(old: str, new: str) -> None:
    # OUTBOUND, "Update cluster outbound type": az aks update --outbound-type <the type wanted>.
    step = _only(review([cluster(outboundType=old)], [cluster(outboundType=new)]), "networkProfile.outboundType")
    assert f"--outbound-type {new}" in (step.safe or "") and f"--outbound-type {old}" not in (step.safe or "")


def test_going_private_without_vnet_integration_suggests_enabling_it_first():
    # API_VNET: with API Server VNet Integration an existing cluster switches to private; without it, it cannot.
    base = cluster({"apiServerAccessProfile": {"enablePrivateCluster": False}})
    head = cluster({"apiServerAccessProfile": {"enablePrivateCluster": True}})
    step = _only(review([base], [head]), "apiServerAccessProfile.enablePrivateCluster")
    assert step.kind == "refused" and "API Server VNet Integration" in (step.safe or ""), step.safe


@pytest.mark.parametrize(("inputs", "path"), [({"maxPods": 50}, "maxPods"), ({"vmSize": "Standard_D8ds_v5"}, "vmSize")])
def test_a_pool_fixed_at_creation_is_remade_as_a_new_pool_not_a_new_cluster(inputs: dict[str, Any], path: str) -> None:
    # RESIZE_POOL: a new node pool beside the old one, cordon and drain, then delete the old pool.
    step = _only(review([_pool()], [_pool(**inputs)]), path)
    assert "node pool" in (step.safe or "") and "new cluster" not in (step.safe or ""), step.safe


@pytest.mark.parametrize(("inputs", "source"), [
    ({"upgradeSettings": {"maxSurge": "50%"}}, "https://learn.microsoft.com/azure/aks/upgrade-aks-node-pools"),
    ({"count": 5}, "https://learn.microsoft.com/azure/aks/scale-cluster"),
])
def test_a_pools_surge_and_count_update_in_place_without_refusal(inputs: dict[str, Any], source: str) -> None:
    result = review([_pool()], [_pool(**inputs)])
    assert result.changes[0].action == "update" and result.exit_code == 0, (result.findings, source)
