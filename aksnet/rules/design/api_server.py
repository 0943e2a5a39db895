"""The API server: private or public, authorized ranges, its private DNS zone, VNet integration and
local accounts. Pure, no Pulumi."""

from __future__ import annotations

from collections.abc import Iterator

from aksnet.config.problems import Problem
from aksnet.config.stack import StackConfig
from aksnet.rules.design.common import cluster_refusal
from aksnet.rules.rule import Rule, RuleBook

PRIVATE = "https://learn.microsoft.com/azure/aks/private-clusters"
AUTHORIZED = "https://learn.microsoft.com/azure/aks/api-server-authorized-ip-ranges"
VNET_INTEGRATION = "https://learn.microsoft.com/azure/aks/api-server-vnet-integration"
LOCAL_ACCOUNTS = "https://learn.microsoft.com/azure/aks/manage-local-accounts-managed-azure-ad"

book = RuleBook()


cluster_refusal(
    book, "authorized-ranges-only-on-public-api", "Authorized IP ranges apply to a public API server.", AUTHORIZED,
    "cluster.authorizedIpRanges", lambda c: c.private and bool(c.authorized_ip_ranges),
    lambda c: "apply only to a public API server; remove them or set private false")


@book.refusal("hub-zone-needs-private-api-and-hub", "A private DNS zone in the hub needs a private API and a hub.",
              PRIVATE)
def hub_zone_needs_private_api_and_hub(spec: StackConfig) -> Iterator[Problem]:
    c = spec.cluster
    if not c.private and c.private_dns_zone == "hub":
        yield Problem.at("cluster.privateDnsZone", "hub is for a private API server; set private true or remove it")
    if c.private and c.private_dns_zone == "hub" and spec.network.hub is None:
        yield Problem.at("cluster.privateDnsZone", "hub needs a hub VNet (network.hub) to hold the zone; "
                 "use system, or declare the hub")


@book.refusal("vnet-integration-needs-its-subnet", "API server VNet integration and its subnet go together.",
              VNET_INTEGRATION)
def vnet_integration_needs_its_subnet(spec: StackConfig) -> Iterator[Problem]:
    c = spec.cluster
    has_subnet = "apiserver" in spec.network.spoke.subnets
    if c.api_server_vnet_integration and not has_subnet:
        yield Problem.at("cluster.apiServerVnetIntegration", "needs an apiserver subnet "
                 "(network.spoke.subnets.apiserver, /28 or larger)")
    if has_subnet and not c.api_server_vnet_integration:
        yield Problem.at("network.spoke.subnets.apiserver", "is declared but cluster.apiServerVnetIntegration is "
                 "false; enable it or remove the subnet")


cluster_refusal(
    book, "local-accounts-off-needs-entra-id", "Disabling local accounts needs Entra ID.", LOCAL_ACCOUNTS,
    "cluster.localAccounts", lambda c: not c.local_accounts and c.entra_id is None,
    lambda c: "false (local accounts disabled) needs Entra ID; enable cluster.entraId or set localAccounts true")


RULES: tuple[Rule, ...] = tuple(book.rules)
