"""Where the platform's logs go: a Log Analytics workspace, diagnostic settings, VNet flow logs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
from pulumi_azure_native import monitor, network, operationalinsights, storage

from aksnet.config.stack import DiagnosticsSpec
from aksnet.plan.diagnostics import DIAGNOSTICS, FLOW_LOG_FORMAT, TRAFFIC_ANALYTICS_INTERVAL
from aksnet.plan.naming import azure_name, tags
from components.args import SpecArgs


@dataclass(frozen=True)
class DiagnosticsArgs(SpecArgs[DiagnosticsSpec]):
    vnet_ids: Mapping[str, pulumi.Input[str]]
    """VNet role to id: each gets a flow log."""


class Diagnostics(pulumi.ComponentResource):
    """The workspace (the stack's, or an existing one), a storage account for the flow logs, a VNet
    flow log per VNet, and the diagnostic settings `watch` adds.

    Flow logs are children of the region's Network Watcher, which Azure creates with the first
    VNet of a subscription in a region (`NetworkWatcher_<region>` in `NetworkWatcherRG`).
    https://learn.microsoft.com/azure/network-watcher/network-watcher-create
    """

    workspace_id: pulumi.Output[str]

    def __init__(self, name: str, args: DiagnosticsArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("aks-networking:diagnostics:Diagnostics", name, None, opts)
        env, spec = args.environment, args.spec
        self._name = name
        child = pulumi.ResourceOptions(parent=self)
        workspace = None
        if spec.workspace_id is not None:
            self.workspace_id = pulumi.Output.from_input(spec.workspace_id)
        else:
            workspace = operationalinsights.Workspace(
                f"{name}-workspace", workspace_name=azure_name(env, "log", "platform"),
                resource_group_name=args.resource_group_name, location=env.location,
                sku={"name": "PerGB2018"}, retention_in_days=spec.retention_days, tags=tags(env),
                opts=pulumi.ResourceOptions(parent=self, protect=env.protect))
            self.workspace_id = workspace.id
        if spec.flow_logs:
            # Storage names are global: Pulumi adds a random suffix to the logical name.
            account = storage.StorageAccount(  # type: ignore[call-overload]  # engine-shaped mappings
                f"{name}flowlogs", resource_group_name=args.resource_group_name, location=env.location,
                kind="StorageV2", sku={"name": "Standard_ZRS" if env.production else "Standard_LRS"},
                allow_blob_public_access=False, minimum_tls_version="TLS1_2",
                enable_https_traffic_only=True,
                # Network Watcher writes as a trusted Azure service; nothing else reaches the account.
                network_rule_set={"defaultAction": "Deny", "bypass": "AzureServices"},
                tags=tags(env), opts=child)
            analytics = None
            if spec.traffic_analytics:
                workspace_guid = workspace.customer_id if workspace is not None else \
                    operationalinsights.get_workspace_output(
                        resource_group_name=spec.workspace_id.split("/")[4],  # type: ignore[union-attr]
                        workspace_name=spec.workspace_id.rsplit("/", 1)[-1],  # type: ignore[union-attr]
                        opts=pulumi.InvokeOptions(parent=self)).customer_id
                analytics = {"networkWatcherFlowAnalyticsConfiguration": {
                    "enabled": True, "workspaceResourceId": self.workspace_id, "workspaceId": workspace_guid,
                    "workspaceRegion": env.location, "trafficAnalyticsInterval": TRAFFIC_ANALYTICS_INTERVAL}}
            for role, vnet_id in sorted(args.vnet_ids.items()):
                network.FlowLog(  # type: ignore[call-overload]  # engine-shaped mappings
                    f"{name}-flow-{role}", flow_log_name=azure_name(env, "fl", role),
                    network_watcher_name=f"NetworkWatcher_{env.location}",
                    resource_group_name=spec.network_watcher_group, location=env.location,
                    target_resource_id=vnet_id, storage_id=account.id, enabled=True, format=FLOW_LOG_FORMAT,
                    retention_policy={"days": spec.retention_days, "enabled": True},
                    flow_analytics_configuration=analytics, tags=tags(env), opts=child)
        self.register_outputs({"workspaceId": self.workspace_id})

    def watch(self, key: str, resource_id: pulumi.Input[str]) -> monitor.DiagnosticSetting:
        """Send a resource's logs and metrics to the workspace, as `aksnet.plan.diagnostics` says for `key`."""
        settings = DIAGNOSTICS[key]
        return monitor.DiagnosticSetting(
            f"{self._name}-{key}", name="to-log-analytics", resource_uri=resource_id, workspace_id=self.workspace_id,
            log_analytics_destination_type="Dedicated" if settings.dedicated else None,
            logs=settings.logs(),  # type: ignore[arg-type]
            metrics=[{"category": "AllMetrics", "enabled": True}] if settings.metrics else None,
            opts=pulumi.ResourceOptions(parent=self))
