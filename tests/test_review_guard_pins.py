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
from tests.test_review_pins import cluster, kinds, levels, review
from tests.test_review_semantics import record
from tests.stacks import load, validate_stack_config

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
