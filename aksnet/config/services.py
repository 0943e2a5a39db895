"""The `registry` and `diagnostics` sections: the platform's container registry, and where its logs go.
Pure, no Pulumi."""

from __future__ import annotations

from aksnet.config.model import DiagnosticsSpec, RegistrySpec
from aksnet.config.schema import GUID, Obj


def read_registry(obj: Obj) -> RegistrySpec | None:
    """https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules#microsoftcontainerregistry"""
    if not obj.valid:
        return None
    name = obj.text("name", pattern=r"[A-Za-z0-9]{5,50}", hint="5 to 50 letters and digits, unique in Azure",
                    doc="the platform's container registry, `<name>.azurecr.io`; unique in Azure",
                    source="https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules#microsoftcontainerregistry")
    obj.done()
    return RegistrySpec(name) if name else None


WORKSPACE_ID = (rf"/subscriptions/{GUID}/resourceGroups/[-\w._()]{{1,90}}/providers/"
                r"Microsoft\.OperationalInsights/workspaces/[A-Za-z0-9][A-Za-z0-9-]{2,61}[A-Za-z0-9]")
RESOURCE_GROUP_NAME = r"[-\w._()]{1,89}[-\w_()]"


def read_diagnostics(obj: Obj) -> DiagnosticsSpec:
    """Log Analytics retention: 30 to 730 days on the pay-as-you-go tier.
    https://learn.microsoft.com/azure/azure-monitor/logs/data-retention-configure"""
    enabled = obj.flag("enabled", True, doc="a Log Analytics workspace, diagnostic settings and flow logs")
    flow_logs = obj.flag("flowLogs", enabled,
                         doc="VNet flow logs of every VNet, to a storage account of the stack",
                         default_doc="`enabled`")
    spec = DiagnosticsSpec(
        enabled=enabled,
        workspace_id=obj.text("workspaceId", None, pattern=WORKSPACE_ID,
                              hint="a Log Analytics workspace's resource id, /subscriptions/<id>/resourceGroups/"
                                   "<group>/providers/Microsoft.OperationalInsights/workspaces/<name>",
                              doc="send to an existing workspace instead of creating one"),
        retention_days=obj.whole("retentionDays", 30, minimum=30, maximum=730,
                                 doc="the workspace's retention (when the stack creates it) and the flow logs'",
                                 source="https://learn.microsoft.com/azure/azure-monitor/logs/data-retention-configure"),
        flow_logs=flow_logs,
        traffic_analytics=obj.flag("trafficAnalytics", False,
                                   doc="traffic analytics over the flow logs, every 10 minutes"),
        network_watcher_group=obj.text("networkWatcherResourceGroup", "NetworkWatcherRG", pattern=RESOURCE_GROUP_NAME,
                                       hint="a resource group name",
                                       doc="where Azure keeps the region's Network Watcher"))
    obj.done()
    if not enabled and (flow_logs or spec.traffic_analytics or spec.workspace_id):
        for key in ("flowLogs", "trafficAnalytics", "workspaceId"):
            if obj.has(key) and obj.data.get(key) not in (False, None):
                obj.problems.add(obj.key_path(key), "is set, but diagnostics.enabled is false; remove one of them")
        spec = DiagnosticsSpec(enabled=False, flow_logs=False)
    if spec.traffic_analytics and not spec.flow_logs:
        obj.problems.add(obj.key_path("trafficAnalytics"), "needs flowLogs: traffic analytics reads the flow logs")
    return spec
