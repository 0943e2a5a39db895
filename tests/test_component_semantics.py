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
