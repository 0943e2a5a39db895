"""Diagnostics: the workspace, what each resource sends to it, and the VNet flow logs."""

import pytest

from aksnet.config.problems import ConfigError
from tests.stacks import load, validate_stack_config, variant
from tools.mock_engine import run_program

EXISTING = ("/subscriptions/00000000-0000-4000-8000-000000000000/resourceGroups/rg-logs/providers/"
            "Microsoft.OperationalInsights/workspaces/log-central")


def settings_by_target(result):
    return {s.inputs["resourceUri"]: s.inputs for s in result.of_type("azure-native:monitor:DiagnosticSetting")}


def test_prod_sends_the_firewall_gateway_bastion_registry_and_control_plane_logs_to_its_workspace(prod):
    workspace = prod.one("azure-native:operationalinsights:Workspace")
    assert workspace.inputs["retentionInDays"] == 30 and workspace.protect
    settings = settings_by_target(prod)
    targets = {
        prod.one("azure-native:network:AzureFirewall").outputs["id"]: ("allLogs", "Dedicated"),
        prod.one("azure-native:network:ApplicationGateway").outputs["id"]: ("allLogs", "Dedicated"),
        prod.one("azure-native:network:BastionHost").outputs["id"]: ("BastionAuditLogs", None),
    }
    for target, (logs, destination) in targets.items():
        setting = settings[target]
        assert setting["workspaceId"] == workspace.outputs["id"]
        assert setting.get("logAnalyticsDestinationType") == destination
        assert logs in {entry.get("categoryGroup") or entry.get("category") for entry in setting["logs"]}
    cluster = settings[prod.one("azure-native:containerservice:ManagedCluster").outputs["id"]]
    categories = {entry["category"] for entry in cluster["logs"]}
    assert {"kube-audit-admin", "guard", "kube-apiserver"} <= categories and "kube-audit" not in categories
    registry = settings[prod.one("azure-native:containerregistry:Registry").outputs["id"]]
    assert registry["logAnalyticsDestinationType"] == "Dedicated"
    vault = settings[prod.one("azure-native:keyvault:Vault").outputs["id"]]
    assert vault["logs"] == [{"categoryGroup": "audit", "enabled": True}]
    assert len(settings) == 6


def test_every_vnet_has_a_flow_log_to_a_closed_storage_account(prod):
    account = prod.one("azure-native:storage:StorageAccount")
    assert account.inputs["allowBlobPublicAccess"] is False and account.inputs["minimumTlsVersion"] == "TLS1_2"
    assert account.inputs["networkRuleSet"] == {"defaultAction": "Deny", "bypass": "AzureServices"}
    logs = {f.inputs["targetResourceId"]: f.inputs for f in prod.of_type("azure-native:network:FlowLog")}
    vnets = {v.outputs["id"] for v in prod.of_type("azure-native:network:VirtualNetwork")}
    assert set(logs) == vnets and len(vnets) == 2
    for flow_log in logs.values():
        assert flow_log["storageId"] == account.outputs["id"] and flow_log["format"] == {"type": "JSON", "version": 2}
        assert (flow_log["networkWatcherName"], flow_log["resourceGroupName"]) == \
            ("NetworkWatcher_westeurope", "NetworkWatcherRG")
        assert flow_log["retentionPolicy"] == {"days": 30, "enabled": True}
        assert "flowAnalyticsConfiguration" not in flow_log
        # a flow log records only while enabled
        # (https://learn.microsoft.com/rest/api/network-watcher/flow-logs/create-or-update: properties.enabled)
        assert flow_log["enabled"] is True


def test_an_existing_workspace_with_traffic_analytics_and_longer_retention():
    config = variant(load("prod"), {"aks-networking:diagnostics": {
        "workspaceId": EXISTING, "retentionDays": 90, "trafficAnalytics": True}})
    result = run_program("prod", config)
    assert result.error is None, result.error
    assert result.of_type("azure-native:operationalinsights:Workspace") == []
    assert all(s["workspaceId"] == EXISTING for s in settings_by_target(result).values())
    for flow_log in result.of_type("azure-native:network:FlowLog"):
        analytics = flow_log.inputs["flowAnalyticsConfiguration"]["networkWatcherFlowAnalyticsConfiguration"]
        assert analytics["enabled"] is True and analytics["workspaceResourceId"] == EXISTING
        assert flow_log.inputs["retentionPolicy"]["days"] == 90
    assert result.exports["workspaceId"] == EXISTING
    # traffic analytics needs the workspace's own GUID too, read once from the workspace the id names
    assert [args for token, args in result.invokes if token == "azure-native:operationalinsights:getWorkspace"] \
        == [{"resourceGroupName": "rg-logs", "workspaceName": "log-central"}]


def test_diagnostics_can_be_turned_off_whole():
    result = run_program("dev", variant(load("dev"), {"aks-networking:diagnostics": {"enabled": False}}))
    assert result.error is None
    assert not [r for r in result.records if r.type.split(":")[1] in ("monitor", "operationalinsights", "storage")]
    assert result.of_type("azure-native:network:FlowLog") == []


@pytest.mark.parametrize("diagnostics, key", [
    ({"retentionDays": 7}, "retentionDays"),
    ({"workspaceId": "log-central"}, "workspaceId"),
    ({"flowLogs": False, "trafficAnalytics": True}, "trafficAnalytics"),
    ({"enabled": False, "workspaceId": EXISTING}, "workspaceId"),
    ({"retension": 30}, "retension"),
])
def test_diagnostics_mistakes_are_refused_by_key(diagnostics, key):
    with pytest.raises(ConfigError) as refused:
        validate_stack_config(variant(load("dev"), {"aks-networking:diagnostics": diagnostics}), "dev")
    assert any(p.path == f"aks-networking:diagnostics.{key}" for p in refused.value.problems), \
        refused.value.lines()
