"""The firewall policy's rule collection groups, in the words of the Azure API. Pure, no Pulumi.

Three groups, each its own resource (Azure updates one group of a policy at a time):
- `publish` (priority 100): DNAT rules publishing services on the firewall's first public address.
- `aks-egress` (200): what the cluster needs to run
  (https://learn.microsoft.com/azure/aks/outbound-rules-control-egress):
  - the FQDN tag `AzureKubernetesService` on HTTP 80 and HTTPS 443;
  - UDP 1194 and TCP 9000 to `AzureCloud.<region>`, the tunnel to a public API server (a private
    cluster reaches its API server over Private Link and needs neither);
  - the enabled add-ons' and the Flux extension's endpoints, and the stack's own FQDNs and network rules.
  Sources are the cluster's ranges through an IP group, never `*`.
- `workload-egress` (300), only when egress is routed through the firewall: a network rule for each
  flow to a CIDR, an application rule for each flow to an FQDN, and an application rule for each
  registry the apps pull from (`aksnet.plan.outbound`). Their sources are as precise as the
  network plugin allows (`workload_sources`).

Sources and the public address are named here, not given: `sourceIpGroups` holds IP group names
(`FirewallPolicyPlan.ip_groups`) and DNAT rules hold `PUBLIC_ADDRESS`; the component puts in the
resources' ids and address. Azure processes DNAT, then network, then application rules, each kind
by group priority, collection priority and rule order (https://learn.microsoft.com/azure/firewall/rule-processing).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from aksnet.config.stack import FirewallSpec, StackConfig
from aksnet.config.workloads import Flow
from aksnet.plan.manifests import controller_registries, pulled_registries
from aksnet.plan.outbound import AKS_FQDN_TAG, AZURE_POLICY, registry_fqdns

AKS_SOURCES = "aks"
"""The IP group of the cluster's ranges (node subnet, and pod subnet when pods have VNet addresses)."""
PUBLIC_ADDRESS = "firewall-public-address-1"
"""Stands for the firewall's first public address in DNAT rules until the address exists."""
NETWORK_COLLECTION_PRIORITY = 100
APPLICATION_COLLECTION_PRIORITY = 200
DNAT_COLLECTION_PRIORITY = 100
FIREWALL_PROTOCOLS = {"TCP": "TCP", "UDP": "UDP"}
"""Kubernetes protocols an Azure Firewall network rule can name (it has no SCTP)."""


@dataclass(frozen=True)
class RuleGroup:
    name: str
    """The rule collection group's name in Azure."""
    key: str
    """Its resource's name suffix: `aks`, `workloads`, `dnat`."""
    priority: int
    collections: tuple[Mapping[str, Any], ...]


@dataclass(frozen=True)
class FirewallPolicyPlan:
    ip_groups: Mapping[str, tuple[str, ...]]
    groups: tuple[RuleGroup, ...]
    """In the order they are created, each after the one before."""
    dns_proxy: bool
    """Network rules with FQDNs resolve only through the firewall's DNS proxy."""
    workload_sources: tuple[str, ...]
    """What the firewall sees workload traffic come from."""


def _collection(kind: str, name: str, priority: int, rules: Sequence[Mapping[str, Any]],
                action: str = "Allow") -> dict[str, Any]:
    return {"ruleCollectionType": kind, "name": name, "priority": priority, "action": {"type": action},
            "rules": list(rules)}


def _aks_collections(spec: StackConfig, firewall: FirewallSpec, gitops: Sequence[str]) -> list[dict[str, Any]]:
    sources = [AKS_SOURCES]
    network: list[dict[str, Any]] = []
    if not spec.cluster.private:
        region = f"AzureCloud.{spec.environment.location}"
        network += [{"ruleType": "NetworkRule", "name": f"aks-tunnel-{protocol.lower()}", "ipProtocols": [protocol],
                     "sourceIpGroups": sources, "destinationAddresses": [region], "destinationPorts": [port]}
                    for protocol, port in (("UDP", "1194"), ("TCP", "9000"))]
    for rule in firewall.network_rules:
        entry: dict[str, Any] = {"ruleType": "NetworkRule", "name": rule.name, "ipProtocols": list(rule.protocols),
                                 "sourceIpGroups": sources, "destinationPorts": list(rule.ports)}
        if rule.destination_addresses:
            entry["destinationAddresses"] = list(rule.destination_addresses)
        if rule.destination_fqdns:
            entry["destinationFqdns"] = list(rule.destination_fqdns)
        network.append(entry)
    https = [{"protocolType": "Https", "port": 443}]
    application: list[dict[str, Any]] = [{
        "ruleType": "ApplicationRule", "name": "aks-fqdn-tag", "sourceIpGroups": sources, "fqdnTags": [AKS_FQDN_TAG],
        "protocols": [{"protocolType": "Http", "port": 80}, *https]}]
    named = [("stack-allowed-fqdns", firewall.allowed_fqdns), ("gitops", tuple(gitops)),
             (AZURE_POLICY.name, AZURE_POLICY.fqdns if spec.cluster.azure_policy else ())]
    application += [{"ruleType": "ApplicationRule", "name": name, "sourceIpGroups": sources,
                     "targetFqdns": list(fqdns), "protocols": https} for name, fqdns in named if fqdns]
    collections = []
    if network:
        collections.append(_collection("FirewallPolicyFilterRuleCollection", "aks-network",
                                       NETWORK_COLLECTION_PRIORITY, network))
    collections.append(_collection("FirewallPolicyFilterRuleCollection", "aks-application",
                                   APPLICATION_COLLECTION_PRIORITY, application))
    return collections


def workload_sources(spec: StackConfig) -> tuple[str, ...]:
    """The range the firewall sees a pod's traffic come from: the node subnet when pods are SNATed
    to their node's address (kubenet, CNI Overlay), the pod subnet when pods have addresses there,
    else the node subnet they share with their nodes (flat Azure CNI)."""
    subnets = spec.network.spoke.subnets
    if not spec.cluster.uses_pod_cidr and "pods" in subnets:
        return (str(subnets["pods"]),)
    return (str(subnets["nodes"]),)


def _flow_rule(flow: Flow, sources: Sequence[str]) -> dict[str, Any] | None:
    """The firewall rule that lets a flow from pods to a CIDR or an FQDN through, or None."""
    destination = flow.destination
    ports = [p for p in flow.ports if p.name is None and p.protocol in FIREWALL_PROTOCOLS]
    if flow.ports and not ports:
        return None  # only ports a network rule cannot name (SCTP): never widen them to Any/*
    numbers = [str(p.port) if p.end_port is None else f"{p.port}-{p.end_port}" for p in ports] or ["*"]
    protocols = sorted({FIREWALL_PROTOCOLS[p.protocol] for p in ports}) or ["Any"]
    if destination.fqdn is not None:
        web = [p for p in ports if p.protocol == "TCP" and p.end_port is None and p.port in (80, 443)]
        if ports and len(web) == len(ports):
            return {"ruleType": "ApplicationRule", "name": flow.name, "sourceAddresses": list(sources),
                    "targetFqdns": [destination.fqdn],
                    "protocols": [{"protocolType": "Https" if p.port == 443 else "Http", "port": p.port}
                                  for p in web]}
        return {"ruleType": "NetworkRule", "name": flow.name, "ipProtocols": protocols,
                "sourceAddresses": list(sources), "destinationFqdns": [destination.fqdn],
                "destinationPorts": numbers}
    if destination.cidr is None:
        return None
    return {"ruleType": "NetworkRule", "name": flow.name, "ipProtocols": protocols, "sourceAddresses": list(sources),
            "destinationAddresses": [str(destination.cidr)], "destinationPorts": numbers}


def registry_rule_name(host: str) -> str:
    return "pull-" + host.replace(".", "-").replace(":", "-")


def _workload_collections(spec: StackConfig) -> list[dict[str, Any]]:
    sources = workload_sources(spec)
    workloads = spec.kubernetes.workloads
    network: list[dict[str, Any]] = []
    application: list[dict[str, Any]] = []
    for flow in workloads.flows:
        if flow.source.cidr is not None or flow.source.ingress_controller:
            continue  # inbound: DNAT, an ingress or a Service lets it in, not an egress rule
        rule = _flow_rule(flow, sources)
        if rule is not None:
            (application if rule["ruleType"] == "ApplicationRule" else network).append(rule)
    # The kubelet pulls images from the node's address, whatever the plugin.
    nodes = [str(spec.network.spoke.subnets["nodes"])]
    for host in [h for h, _ in pulled_registries(spec)] + list(controller_registries(spec)):
        application.append({"ruleType": "ApplicationRule", "name": registry_rule_name(host), "sourceAddresses": nodes,
                            "targetFqdns": list(registry_fqdns(host)),
                            "protocols": [{"protocolType": "Https", "port": 443}]})
    collections = []
    if network:
        collections.append(_collection("FirewallPolicyFilterRuleCollection", "flows", NETWORK_COLLECTION_PRIORITY,
                                       network))
    if application:
        collections.append(_collection("FirewallPolicyFilterRuleCollection", "flows-and-registries",
                                       APPLICATION_COLLECTION_PRIORITY, application))
    return collections


def dnat_collections(firewall: FirewallSpec) -> list[dict[str, Any]]:
    if not firewall.dnat_rules:
        return []
    return [_collection("FirewallPolicyNatRuleCollection", "publish", DNAT_COLLECTION_PRIORITY, [
        {"ruleType": "NatRule", "name": rule.name, "ipProtocols": [rule.protocol], "sourceAddresses": ["*"],
         "destinationAddresses": [PUBLIC_ADDRESS], "destinationPorts": [str(rule.port)],
         "translatedAddress": str(rule.translated_address), "translatedPort": str(rule.translated_port)}
        for rule in firewall.dnat_rules], action="DNAT")]


def firewall_policy(spec: StackConfig, firewall_sources: Sequence[str], routed: bool,
                    gitops: Sequence[str] = ()) -> FirewallPolicyPlan | None:
    """The stack's firewall policy, or None without a firewall. `routed`: the cluster's egress
    takes the firewall (its default route), so workload egress needs rules there."""
    firewall = spec.egress.firewall
    if firewall is None:
        return None
    groups = [RuleGroup("aks-egress", "aks", 200, tuple(_aks_collections(spec, firewall, gitops)))]
    workload = _workload_collections(spec) if routed else []
    if workload:
        groups.append(RuleGroup("workload-egress", "workloads", 300, tuple(workload)))
    dnat = dnat_collections(firewall)
    if dnat:
        groups.append(RuleGroup("publish", "dnat", 100, tuple(dnat)))
    return FirewallPolicyPlan({AKS_SOURCES: tuple(firewall_sources)}, tuple(groups),
                              firewall.dns_proxy, workload_sources(spec))


def gitops_fqdns(location: str, repository_url: str) -> tuple[str, ...]:
    """What the AKS Flux extension reaches: its regional data plane, and the Git host of the source.
    https://learn.microsoft.com/azure/aks/outbound-rules-control-egress#cluster-extensions
    (its images come from MCR, which the AzureKubernetesService tag already allows)."""
    host = repository_url.split("://", 1)[-1].split("/", 1)[0].split("@")[-1].split(":")[0]
    return (f"{location}.dp.kubernetesconfiguration.azure.com", host)
