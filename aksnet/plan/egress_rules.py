"""The firewall policy's rule collections for AKS egress. Pure, no Pulumi.

Required outbound for AKS (https://learn.microsoft.com/azure/aks/outbound-rules-control-egress):
- application rule with the FQDN tag `AzureKubernetesService` on HTTP 80 and HTTPS 443;
- network rules UDP 1194 and TCP 9000 to `AzureCloud.<region>` for the tunnel between nodes and
  a public API server (a private cluster reaches its API server over Private Link and needs
  neither);
- NTP (UDP 123 to ntp.ubuntu.com) only for old node images: not added, a stack may add it.
Sources are the cluster's own ranges through an IP group, never `*`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aksnet.spec.stack import FirewallSpec

NETWORK_COLLECTION_PRIORITY = 100
APPLICATION_COLLECTION_PRIORITY = 200
DNAT_COLLECTION_PRIORITY = 100


def network_rules(firewall: FirewallSpec, location: str, public_api: bool,
                  sources: Sequence[Any]) -> list[dict[str, Any]]:
    rules: list[dict[str, Any]] = []
    if public_api:
        rules += [
            {"ruleType": "NetworkRule", "name": "aks-tunnel-udp", "ipProtocols": ["UDP"],
             "sourceIpGroups": list(sources), "destinationAddresses": [f"AzureCloud.{location}"],
             "destinationPorts": ["1194"]},
            {"ruleType": "NetworkRule", "name": "aks-tunnel-tcp", "ipProtocols": ["TCP"],
             "sourceIpGroups": list(sources), "destinationAddresses": [f"AzureCloud.{location}"],
             "destinationPorts": ["9000"]},
        ]
    for rule in firewall.network_rules:
        entry: dict[str, Any] = {"ruleType": "NetworkRule", "name": rule.name, "ipProtocols": list(rule.protocols),
                                 "sourceIpGroups": list(sources), "destinationPorts": list(rule.ports)}
        if rule.destination_addresses:
            entry["destinationAddresses"] = list(rule.destination_addresses)
        if rule.destination_fqdns:
            entry["destinationFqdns"] = list(rule.destination_fqdns)
        rules.append(entry)
    return rules


def gitops_fqdns(location: str, repository_url: str) -> tuple[str, ...]:
    """What the AKS Flux extension reaches: its regional data plane, and the Git host of the source.
    https://learn.microsoft.com/azure/aks/outbound-rules-control-egress#cluster-extensions
    (its images come from MCR, which the AzureKubernetesService tag already allows)."""
    host = repository_url.split("://", 1)[-1].split("/", 1)[0].split("@")[-1].split(":")[0]
    return (f"{location}.dp.kubernetesconfiguration.azure.com", host)


def application_rules(firewall: FirewallSpec, sources: Sequence[Any],
                      gitops: Sequence[str] = ()) -> list[dict[str, Any]]:
    rules: list[dict[str, Any]] = [{
        "ruleType": "ApplicationRule", "name": "aks-fqdn-tag", "sourceIpGroups": list(sources),
        "fqdnTags": ["AzureKubernetesService"],
        "protocols": [{"protocolType": "Http", "port": 80}, {"protocolType": "Https", "port": 443}],
    }]
    if firewall.allowed_fqdns:
        rules.append({"ruleType": "ApplicationRule", "name": "stack-allowed-fqdns", "sourceIpGroups": list(sources),
                      "targetFqdns": list(firewall.allowed_fqdns),
                      "protocols": [{"protocolType": "Https", "port": 443}]})
    if gitops:
        rules.append({"ruleType": "ApplicationRule", "name": "gitops", "sourceIpGroups": list(sources),
                      "targetFqdns": list(gitops), "protocols": [{"protocolType": "Https", "port": 443}]})
    return rules


def egress_rule_collections(firewall: FirewallSpec, location: str, public_api: bool,
                            sources: Sequence[Any], gitops: Sequence[str] = ()) -> list[dict[str, Any]]:
    """The filter collections of the AKS egress rule collection group."""
    collections = []
    network = network_rules(firewall, location, public_api, sources)
    if network:
        collections.append({"ruleCollectionType": "FirewallPolicyFilterRuleCollection", "name": "aks-network",
                            "priority": NETWORK_COLLECTION_PRIORITY, "action": {"type": "Allow"}, "rules": network})
    collections.append({"ruleCollectionType": "FirewallPolicyFilterRuleCollection", "name": "aks-application",
                        "priority": APPLICATION_COLLECTION_PRIORITY, "action": {"type": "Allow"},
                        "rules": application_rules(firewall, sources, gitops)})
    return collections


def dnat_rule_collections(firewall: FirewallSpec, public_ip: Any) -> list[dict[str, Any]]:
    """DNAT rules publishing services through the firewall's first public address."""
    if not firewall.dnat_rules:
        return []
    return [{"ruleCollectionType": "FirewallPolicyNatRuleCollection", "name": "publish",
             "priority": DNAT_COLLECTION_PRIORITY, "action": {"type": "DNAT"},
             "rules": [{"ruleType": "NatRule", "name": rule.name, "ipProtocols": [rule.protocol],
                        "sourceAddresses": ["*"], "destinationAddresses": [public_ip],
                        "destinationPorts": [str(rule.port)], "translatedAddress": str(rule.translated_address),
                        "translatedPort": str(rule.translated_port)} for rule in firewall.dnat_rules]}]
