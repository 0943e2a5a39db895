"""What each resource sends to the Log Analytics workspace. Pure, no Pulumi.

Resource-specific tables (`Dedicated`) where the service offers them, so that a query reads
`AZFWNetworkRule` or `AGWFirewallLogs` rather than the shared `AzureDiagnostics`:
- Azure Firewall: every log (rule hits, threat intelligence, IDPS, DNS proxy).
  https://learn.microsoft.com/azure/firewall/monitor-firewall#structured-azure-firewall-logs
- Application Gateway: access, performance and WAF logs.
  https://learn.microsoft.com/azure/application-gateway/application-gateway-diagnostics
- Bastion: who opened which session (its audit log has no resource-specific table).
  https://learn.microsoft.com/azure/bastion/diagnostic-logs
- Container Registry: logins and repository events.
  https://learn.microsoft.com/azure/container-registry/monitor-container-registry
- Key Vault: who read or changed what (its audit log goes to AzureDiagnostics).
  https://learn.microsoft.com/azure/key-vault/general/logging
- AKS control plane: the API server, the audit of writes (kube-audit-admin, without the reads
  that make kube-audit costly), the Entra ID webhook (guard), the controller manager and the
  cluster autoscaler. https://learn.microsoft.com/azure/aks/monitor-aks#resource-logs
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LogSettings:
    category_groups: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    dedicated: bool = True
    """Resource-specific tables rather than AzureDiagnostics."""
    metrics: bool = True

    def logs(self) -> list[dict[str, object]]:
        """The `logs` of a diagnostic setting, in the words of the Azure API."""
        return [*({"categoryGroup": group, "enabled": True} for group in self.category_groups),
                *({"category": category, "enabled": True} for category in self.categories)]


DIAGNOSTICS = {
    "firewall": LogSettings(category_groups=("allLogs",)),
    "appGateway": LogSettings(category_groups=("allLogs",)),
    "bastion": LogSettings(categories=("BastionAuditLogs",), dedicated=False),
    "registry": LogSettings(category_groups=("allLogs",)),
    "keyVault": LogSettings(category_groups=("audit",), dedicated=False),
    "cluster": LogSettings(categories=("kube-apiserver", "kube-audit-admin", "guard", "kube-controller-manager",
                                       "cluster-autoscaler")),
}
"""What each kind of resource sends, by the key `__main__.py` names it with."""
FLOW_LOG_FORMAT = {"type": "JSON", "version": 2}
"""VNet flow logs, version 2 (bytes and packets per flow). NSG flow logs retire: VNet flow logs
replace them. https://learn.microsoft.com/azure/network-watcher/vnet-flow-logs-overview"""
TRAFFIC_ANALYTICS_INTERVAL = 10
"""Minutes between traffic analytics runs (10 or 60)."""
