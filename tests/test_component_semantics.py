"""What the components declare to Azure, pinned by the documented rule each property answers to.

Each test states a property Azure (or AKS) needs of a resource the program declares, where no
other test held it: which SKU gets which companion resource, which identity holds which role on
which scope. Expected values come from the Microsoft documentation cited beside each test, read
under the mock engine (the session's `prod` run, or one `run_program` of a variant).
"""

from __future__ import annotations

import pytest

from tests.stacks import load, variant
from tools.mock_engine import RunResult, run_program


@pytest.fixture(scope="module")
def standard_v2() -> RunResult:
    """dev with AGIC driving a Standard_v2 gateway (no WAF), in a gateway subnet of its own."""
    config = variant(load("dev"), {
        "aks-networking:ingress": {"controller": "appgw", "appGateway": {"sku": "Standard_v2"}},
        "aks-networking:network.spoke.subnets.appgw": "192.168.3.0/24"})
    result = run_program("dev", config)
    assert result.error is None, result.error
    return result


# A WAF policy is associated with a WAF_v2 gateway only; a Standard_v2 gateway has no WAF and Azure
# refuses a firewallPolicy on it. https://learn.microsoft.com/azure/web-application-firewall/ag/policy-overview,
# https://learn.microsoft.com/azure/application-gateway/overview-v2#feature-comparison-between-v1-sku-and-v2-sku
def test_a_standard_v2_gateway_gets_no_waf_policy_and_a_waf_v2_one_does(standard_v2, prod):
    gateway = standard_v2.one("azure-native:network:ApplicationGateway").inputs
    assert gateway["sku"] == {"name": "Standard_v2", "tier": "Standard_v2"}
    assert "firewallPolicy" not in gateway
    assert standard_v2.of_type("azure-native:network:WebApplicationFirewallPolicy") == []
    waf = prod.one("azure-native:network:WebApplicationFirewallPolicy")
    assert prod.one("azure-native:network:ApplicationGateway").inputs["firewallPolicy"]["id"] == waf.outputs["id"]


# Traffic analytics names its workspace twice: by resource id (workspaceResourceId) and by the
# workspace's own GUID, its customer id (workspaceId), with the workspace's region; it processes
# every 10 or 60 minutes. https://learn.microsoft.com/rest/api/network-watcher/flow-logs/create
# (TrafficAnalyticsConfigurationProperties), https://learn.microsoft.com/azure/network-watcher/traffic-analytics
def test_traffic_analytics_names_the_stacks_workspace_by_id_and_by_guid():
    config = variant(load("prod"), {"aks-networking:diagnostics": {"trafficAnalytics": True}})
    result = run_program("prod", config)
    assert result.error is None, result.error
    workspace = result.one("azure-native:operationalinsights:Workspace")
    flow_logs = result.of_type("azure-native:network:FlowLog")
    assert len(flow_logs) == 2
    for flow_log in flow_logs:
        analytics = flow_log.inputs["flowAnalyticsConfiguration"]["networkWatcherFlowAnalyticsConfiguration"]
        assert (analytics["enabled"], analytics["workspaceResourceId"], analytics["workspaceId"],
                analytics["workspaceRegion"]) == (True, workspace.outputs["id"], workspace.outputs["customerId"],
                                                  workspace.inputs["location"])
        assert analytics["trafficAnalyticsInterval"] in (10, 60)


CLUSTER = "azure-native:containerservice:ManagedCluster"


# The managed cluster's SKU name is Base (Automatic is AKS Automatic's); the tier is the stack's.
# https://learn.microsoft.com/rest/api/aks/managed-clusters/create-or-update (ManagedClusterSKUName),
# https://learn.microsoft.com/azure/aks/free-standard-pricing-tiers
def test_the_cluster_is_a_base_cluster_of_the_stacks_tier(prod):
    assert prod.one(CLUSTER).inputs["sku"] == {"name": "Base", "tier": "Standard"}


# Cluster auto-upgrade and node OS auto-upgrade are two channels of two vocabularies: the cluster's
# (patch, stable, rapid, node-image, none) and the node OS's (NodeImage, SecurityPatch, Unmanaged, None).
# https://learn.microsoft.com/azure/aks/auto-upgrade-cluster, https://learn.microsoft.com/azure/aks/auto-upgrade-node-os-image
def test_each_auto_upgrade_channel_goes_to_its_own_property(prod):
    assert prod.one(CLUSTER).inputs["autoUpgradeProfile"] == {"upgradeChannel": "patch",
                                                              "nodeOSUpgradeChannel": "NodeImage"}


# With Entra ID, the user kubeconfig is asked for in the exec format (kubelogin): the legacy azure
# format stopped working with Kubernetes 1.24. https://learn.microsoft.com/azure/aks/kubelogin-authentication,
# https://learn.microsoft.com/rest/api/aks/managed-clusters/list-cluster-user-credentials (format)
def test_an_entra_cluster_hands_out_an_exec_kubeconfig(prod):
    asked = [args for token, args in prod.invokes if token.endswith(":listManagedClusterUserCredentials")]
    assert [a.get("format") for a in asked] == ["exec"]


# Private DNS zones and their VNet links are global resources: Azure accepts no region for them.
# https://learn.microsoft.com/azure/dns/private-dns-privatednszone,
# https://learn.microsoft.com/rest/api/dns/privatednszones/create-or-update (location: global)
def test_private_zones_and_their_links_are_global(prod):
    zones = prod.of_type("azure-native:privatedns:PrivateZone") + \
        prod.of_type("azure-native:privatedns:VirtualNetworkLink")
    assert len(zones) >= 6 and {z.inputs["location"] for z in zones} == {"global"}


# A firewall policy takes one rule collection group write at a time (each write refreshes every
# firewall of the policy); groups written together fail with the policy busy. So the groups of one
# policy wait for each other, one after another. https://github.com/Azure/bicep/issues/1013
# (Microsoft's answer: "Only one Rule Collection Group can be updated at a time"),
# https://github.com/hashicorp/terraform-provider-azurerm/issues/15440
def test_the_rule_collection_groups_of_a_policy_are_written_one_at_a_time(prod):
    groups = prod.of_type("azure-native:network:FirewallPolicyRuleCollectionGroup")
    urns = {g.urn for g in groups}
    waits = {g.urn: {d for d in g.dependencies if d in urns} for g in groups}
    for _ in groups:  # what each group waits for, directly or through another group
        waits = {u: before | {d for b in before for d in waits[b]} for u, before in waits.items()}
    assert len(groups) >= 2
    # Any two groups are ordered: one of them waits for the other.
    assert all(a == b or b in waits[a] or a in waits[b] for a in urns for b in urns)


# Azure CNI with a pod subnet (dynamic pod IP allocation): AKS places every pod's address in the pod
# subnet, so the cluster identity needs Network Contributor there, as on the node subnet.
# https://learn.microsoft.com/azure/aks/configure-azure-cni-dynamic-ip-allocation,
# https://learn.microsoft.com/azure/aks/use-managed-identity#add-a-role-assignment
def test_the_cluster_identity_holds_network_contributor_on_the_pod_subnet():
    from components.roles import BUILTIN_ROLES
    from tests.test_addressing import flat_cni
    config = variant(flat_cni(10, 2, 50, "10.240.0.0/24"), {"aks-networking:network.spoke.subnets.pods": "10.240.8.0/22"})
    result = run_program("prod", config)
    assert result.error is None, result.error
    identity = next(i for i in result.of_type("azure-native:managedidentity:UserAssignedIdentity")
                    if i.name == "cluster-identity")
    grants = {(r.inputs["roleDefinitionId"].rsplit("/", 1)[-1], r.inputs["scope"].rsplit("/", 1)[-1])
              for r in result.of_type("azure-native:authorization:RoleAssignment")
              if r.inputs["principalId"] == identity.outputs["principalId"]}
    assert {(BUILTIN_ROLES["Network Contributor"], "snet-pods"),
            (BUILTIN_ROLES["Network Contributor"], "snet-nodes")} <= grants
