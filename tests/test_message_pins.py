"""The Azure and Kubernetes names inside the refusals a user reads, pinned row by row (issue 27).

A refusal that names the wrong SKU, delegation, add-on or namespace sends the user to the wrong fix,
and a reviewer's mutants showed such a name can change with every other test still green. Each row
varies a committed stack file in one place, runs the whole check (`aksnet.pipeline.load_stack`:
readers, then the rule registry) and asserts that a refusal lands at the expected key path and
names the fact(s) the cited page states: not the sentence, the fact. Expected values come from the
page beside each row, never from running our code. Pure: no program run under the mock engine.
"""

from __future__ import annotations

import functools
from typing import Any

import pytest

from aksnet.config.policy_spec import check_policy_spec
from aksnet.config.problems import ConfigError
from aksnet.config.schema import Problems
from aksnet.pipeline import load_stack
from aksnet.rules.registry import RULES
from tests.stacks import DELETE, load, variant
from tests.test_review_semantics import cluster, record, review

C = "aks-networking:"
_DROP = "<delete this key>"


@functools.cache
def _refusals(stack: str, changes: str) -> tuple[tuple[str, str], ...]:
    import json
    config = variant(load(stack), {k if ":" in k else f"{C}{k}": DELETE if v == _DROP else v
                                   for k, v in json.loads(changes).items()})
    try:
        loaded = load_stack(config, stack)
    except ConfigError as refused:
        return tuple((p.path.removeprefix(C), p.message) for p in refused.problems)
    return tuple((f.resource.removeprefix(C), f.message) for f in loaded.checked.findings)


def refusals(stack: str, changes: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """(key path, message) of every problem the stack, varied by key path, is refused for; when it is not
    refused, of every advisory finding it gets instead."""
    import json
    return _refusals(stack, json.dumps(changes, sort_keys=True))


def _namespaces(*extra: str) -> list[dict[str, Any]]:
    return [{"name": "development", "labels": {"purpose": "development"}}] + [{"name": n} for n in extra]


# id: (stack, changes by key path, key path refused, facts the message must name, source of the facts)
CASES: dict[str, tuple[str, dict[str, Any], str, tuple[str, ...], str]] = {
    # Basic supports threat intelligence in alert mode only; Deny (alert and deny) starts at Standard.
    "basic firewall with threat-intel Deny": (
        "prod", {"egress.firewall.sku": "Basic"}, "egress.firewall.threatIntelMode", ("sku Standard", "Alert"),
        "https://learn.microsoft.com/azure/firewall/basic-features"),
    # DNS proxy is a Standard (and Premium) feature, not a Basic one.
    "basic firewall with DNS proxy": (
        "prod", {"egress.firewall.sku": "Basic", "egress.firewall.threatIntelMode": "Alert",
                 "egress.firewall.dnsProxy": True}, "egress.firewall.dnsProxy", ("sku Standard",),
        "https://learn.microsoft.com/azure/firewall/choose-firewall-sku"),
    # AGC's subnet is delegated to Microsoft.ServiceNetworking/trafficControllers and is a /24 or larger.
    "agc without its subnet": (
        "dev", {"ingress.controller": "agc"}, "network.spoke.subnets.agc",
        ("Microsoft.ServiceNetworking/trafficControllers", "/24"),
        "https://learn.microsoft.com/azure/application-gateway/for-containers/container-networking"),
    # Gatekeeper, the Azure Policy add-on's admission controller, runs in gatekeeper-system.
    "namespace gatekeeper-system": (
        "dev", {"kubernetes.namespaces": _namespaces("gatekeeper-system")}, "kubernetes.namespaces[1].name",
        ("'gatekeeper-system'", "Azure Policy add-on"),
        "https://learn.microsoft.com/azure/governance/policy/concepts/policy-for-kubernetes"),
    # Kubernetes starts with four namespaces of its own: default, kube-node-lease, kube-public, kube-system.
    "namespace kube-node-lease": (
        "dev", {"kubernetes.namespaces": _namespaces("kube-node-lease")}, "kubernetes.namespaces[1].name",
        ("'kube-node-lease'",),
        "https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/#initial-namespaces"),
    "namespace kube-public": (
        "dev", {"kubernetes.namespaces": _namespaces("kube-public")}, "kubernetes.namespaces[1].name",
        ("'kube-public'",),
        "https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/#initial-namespaces"),
    "namespace default": (
        "dev", {"kubernetes.namespaces": _namespaces("default")}, "kubernetes.namespaces[1].name",
        ("'default'",),
        "https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/#initial-namespaces"),
    # kube-system holds CoreDNS and the CNI's pods on AKS.
    "namespace kube-system": (
        "dev", {"kubernetes.namespaces": _namespaces("kube-system")}, "kubernetes.namespaces[1].name",
        ("'kube-system'", "cluster DNS"),
        "https://learn.microsoft.com/azure/aks/concepts-clusters-workloads#namespaces"),
    # outboundType userDefinedRouting needs a route to an appliance: the firewall, or a next hop given.
    "udr without an appliance": (
        "dev", {"cluster.outboundType": "userDefinedRouting"}, "cluster.outboundType",
        ("egress.firewall", "egressNextHopIp"), "https://learn.microsoft.com/azure/aks/egress-outboundtype"),
    # Azure Firewall lives in a subnet named AzureFirewallSubnet, at least a /26.
    "firewall without AzureFirewallSubnet": (
        "prod", {"network.hub.subnets.AzureFirewallSubnet": _DROP}, "egress.firewall",
        ("AzureFirewallSubnet", "/26"), "https://learn.microsoft.com/azure/firewall/firewall-faq"),
    # The Basic SKU needs a management subnet, AzureFirewallManagementSubnet, a /26.
    "basic firewall without its management subnet": (
        "prod", {"egress.firewall.sku": "Basic"}, "egress.firewall.sku", ("AzureFirewallManagementSubnet", "/26"),
        "https://learn.microsoft.com/azure/firewall/deploy-firewall-basic-portal-powershell"),
    # FQDNs in network rules are resolved by the firewall's DNS proxy, which must be on.
    "fqdn network rule without the DNS proxy": (
        "prod", {"egress.firewall.dnsProxy": False, "egress.firewall.networkRules": [
            {"name": "ntp", "protocols": ["UDP"], "destinationFqdns": ["ntp.ubuntu.com"], "ports": [123]}]},
        "egress.firewall.networkRules[0].destinationFqdns", ("DNS proxy", "dnsProxy true"),
        "https://learn.microsoft.com/azure/firewall/fqdn-filtering-network-rules"),
    # Azure Bastion lives in a subnet named AzureBastionSubnet, at least a /26.
    "bastion without AzureBastionSubnet": (
        "prod", {"network.hub.subnets.AzureBastionSubnet": _DROP}, "network.bastion",
        ("AzureBastionSubnet", "/26"), "https://learn.microsoft.com/azure/bastion/configuration-settings#subnet"),
    # A NAT gateway takes up to 16 public IP addresses.
    "NAT gateway with 17 IPs": (
        "dev", {"cluster.outboundType": "userAssignedNATGateway", "cluster.outboundIpCount": 17},
        "cluster.outboundIpCount", ("16",), "https://learn.microsoft.com/azure/nat-gateway/nat-gateway-resource"),
    # AGC supports Azure CNI and CNI Overlay, not kubenet.
    "agc with kubenet": (
        "dev", {"ingress.controller": "agc"}, "ingress.controller", ("support kubenet", "networkPluginMode overlay"),
        "https://learn.microsoft.com/azure/application-gateway/for-containers/container-networking"),
    # With CNI Overlay, AGC's delegated subnet is exactly a /24.
    "agc overlay subnet a /23": (
        "prod", {"ingress.controller": "agc", "ingress.appGateway": _DROP,
                 "network.spoke.subnets.agc": "10.240.8.0/23"}, "network.spoke.subnets.agc", ("/24",),
        "https://learn.microsoft.com/azure/application-gateway/for-containers/container-networking"),
    # AGIC supports the v2 SKUs only: Standard_v2 and WAF_v2.
    "appgw v1 sku": (
        "prod", {"ingress.appGateway.sku": "Standard"}, "ingress.appGateway.sku", ("Standard_v2", "WAF_v2"),
        "https://learn.microsoft.com/azure/application-gateway/ingress-controller-overview"),
    # Detection mode only logs; Prevention blocks.
    "production WAF in Detection": (
        "prod", {"ingress.appGateway.wafMode": "Detection"}, "ingress.appGateway.wafMode", ("Prevention",),
        "https://learn.microsoft.com/azure/web-application-firewall/ag/ag-overview#waf-modes"),
    "production gateway without WAF": (
        "prod", {"ingress.appGateway.sku": "Standard_v2"}, "ingress.appGateway.sku", ("WAF_v2",),
        "https://learn.microsoft.com/azure/web-application-firewall/ag/ag-overview"),
    # The Cilium dataplane needs CNI Overlay or Azure CNI with dynamic pod IPs (a pod subnet).
    "cilium without overlay or a pod subnet": (
        "prod", {"cluster.networkPluginMode": _DROP, "cluster.podCidr": _DROP}, "cluster.networkDataplane",
        ("networkPluginMode overlay", "network.spoke.subnets.pods"),
        "https://learn.microsoft.com/azure/aks/azure-cni-powered-by-cilium"),
    # Flat Azure CNI gives pods VNet addresses: no pod CIDR.
    "flat azure cni with a pod cidr": (
        "prod", {"cluster.networkPluginMode": _DROP, "cluster.networkDataplane": "azure",
                 "cluster.networkPolicy": "azure"}, "cluster.podCidr", ("podCidr", "networkPluginMode overlay"),
        "https://learn.microsoft.com/azure/aks/configure-azure-cni"),
    # A pod subnet is for Azure CNI with dynamic pod IPs, not Overlay.
    "pod subnet under overlay": (
        "prod", {"network.spoke.subnets.pods": "10.240.16.0/20"}, "network.spoke.subnets.pods",
        ("Overlay", "networkPlugin azure"), "https://learn.microsoft.com/azure/aks/concepts-network-azure-cni-pod-subnet"),
    # A private DNS zone in the hub is for a private cluster, and needs the hub.
    "hub zone on a public API server": (
        "prod", {"cluster.private": False}, "cluster.privateDnsZone", ("private true",),
        "https://learn.microsoft.com/azure/aks/private-clusters"),
    # API Server VNet Integration needs a delegated subnet of /28 or larger.
    "vnet integration without its subnet": (
        "dev", {"cluster.apiServerVnetIntegration": True}, "cluster.apiServerVnetIntegration",
        ("network.spoke.subnets.apiserver", "/28"), "https://learn.microsoft.com/azure/aks/api-server-vnet-integration"),
    # An internal load balancer Service needs the ILB subnet.
    "internal service without the ilb subnet": (
        "dev", {"network.spoke.subnets.ilb": _DROP, "kubernetes.apps[0].serviceType": "InternalLoadBalancer"},
        "kubernetes.apps[0].serviceType", ("network.spoke.subnets.ilb",),
        "https://learn.microsoft.com/azure/aks/internal-lb"),
    # Availability zones exist only in some regions; northcentralus has none.
    "zones in a region without zones": (
        "prod", {"azure-native:location": "northcentralus"}, "cluster.nodePools[0].zones", ("northcentralus",),
        "https://learn.microsoft.com/azure/reliability/availability-zones-region-support"),
    # "System node pools require a VM SKU of at least 4 vCPUs and 4 GB of memory."
    "system pool of 2 vCPUs": (
        "dev", {"cluster.nodePools[0].vmSize": "Standard_D2s_v5"}, "cluster.nodePools[0].vmSize",
        ("4 vCPUs", "4 GB"), "https://learn.microsoft.com/azure/aks/use-system-pools"),
    # AKS needs at least one System pool for its own pods.
    "no system pool": (
        "dev", {"cluster.nodePools[0].mode": "User"}, "cluster.nodePools", ("mode System",),
        "https://learn.microsoft.com/azure/aks/use-system-pools"),
    # Max pods per node: 10 to 250 on every plugin.
    "max pods 251": (
        "dev", {"cluster.nodePools[0].maxPods": 251}, "cluster.nodePools[0].maxPods", ("250",),
        "https://learn.microsoft.com/azure/aks/concepts-network-ip-address-planning#maximum-pods-per-node"),
    # A System pool must fit 30 pods.
    "system pool with room for 20 pods": (
        "dev", {"cluster.nodePools[0].maxPods": 10}, "cluster.nodePools[0].maxPods", ("30",),
        "https://learn.microsoft.com/azure/aks/use-system-pools"),
    # managedNATGateway is for the VNet AKS creates; a stack's own VNet takes userAssignedNATGateway.
    "managed NAT gateway on our own VNet": (
        "dev", {"cluster.outboundType": "managedNATGateway"}, "cluster.outboundType", ("userAssignedNATGateway",),
        "https://learn.microsoft.com/azure/aks/nat-gateway"),
    # The DNS Private Resolver's inbound subnet is /28 to /24.
    "resolver subnet a /23": (
        "prod", {"network.hub.addressSpace": ["10.200.0.0/24", "10.201.0.0/23"],
                 "network.hub.subnets.dns": "10.201.0.0/23"}, "network.hub.subnets.dns", ("/28", "/24"),
        "https://learn.microsoft.com/azure/dns/dns-private-resolver-overview#subnet-restrictions"),
    # YAML reads 1.30 as the number 1.3: the version must be a quoted string.
    "kubernetes version as a number": (
        "dev", {"cluster.kubernetesVersion": 1.30}, "cluster.kubernetesVersion", ("1.3", "quote"),
        "https://yaml.org/spec/1.2.2/#1022-tag-resolution"),
    # Pod security standards on AKS come through the Azure Policy add-on.
    "pod security without azure policy": (
        "dev", {"cluster.podSecurity": {"initiative": "baseline"}}, "cluster.podSecurity",
        ("Azure Policy add-on", "azurePolicy true"),
        "https://learn.microsoft.com/azure/aks/use-azure-policy"),
    # Regions are named as `az account list-locations` spells them.
    "unknown region": (
        "dev", {"azure-native:location": "westeuropa"}, "azure-native:location", ("westeurope",),
        "https://learn.microsoft.com/azure/reliability/regions-list"),
    # A label key's name part is at most 63 characters; a label value too.
    "label key of 64 characters": (
        "dev", {"kubernetes.apps[0].labels": {"app": "webapp", "role": "backend", "a" * 64: "x"}},
        f"kubernetes.apps[0].labels.{'a' * 64}", ("63",),
        "https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#syntax-and-character-set"),
    "label value of 64 characters": (
        "dev", {"kubernetes.apps[0].labels": {"app": "webapp", "role": "b" * 64}}, "kubernetes.apps[0].labels.role",
        ("63",), "https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#syntax-and-character-set"),
    # Tag names: at most 512 characters, none of < > % & \ ? /; tag values: at most 256 characters.
    "tag name with <": (
        "dev", {"environment.tags": {"cost<center": "x"}}, "environment.tags.cost<center",
        ("512", "< > % & \\ ? /"), "https://learn.microsoft.com/azure/azure-resource-manager/management/tag-resources#limitations"),
    "tag value of 257 characters": (
        "dev", {"environment.tags": {"owner": "x" * 257}}, "environment.tags.owner", ("257", "256"),
        "https://learn.microsoft.com/azure/azure-resource-manager/management/tag-resources#limitations"),
    # Traffic analytics processes NSG or VNet flow logs: no flow logs, nothing to analyse.
    "traffic analytics without flow logs": (
        "dev", {"diagnostics": {"trafficAnalytics": True, "flowLogs": False}}, "diagnostics.trafficAnalytics",
        ("flowLogs",), "https://learn.microsoft.com/azure/network-watcher/traffic-analytics"),
    # loadBalancerIP-style static addresses are for internal load balancer Services here.
    "static ip on a ClusterIP app": (
        "dev", {"kubernetes.apps[0].staticIp": "192.168.2.10"}, "kubernetes.apps[0].staticIp",
        ("InternalLoadBalancer",), "https://learn.microsoft.com/azure/aks/internal-lb#specify-an-ip-address"),
    # NetworkPolicy ports: 1 to 65535, and endPort not below port.
    "port range backwards": (
        "dev", {"kubernetes.flows[0].ports": ["TCP/9000-80"]}, "kubernetes.flows[0].ports[0]", ("1-65535",),
        "https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/"),
    # WAF on AGC is in preview: a production stack refuses it and names the GA alternative.
    "agc waf in production": (
        "prod", {"ingress.controller": "agc", "ingress.appGateway": _DROP, "cluster.networkPluginMode": _DROP,
                 "cluster.podCidr": _DROP, "cluster.networkDataplane": "azure", "cluster.networkPolicy": "azure",
                 "network.spoke.subnets.agc": "10.240.8.0/24", "cluster.workloadIdentity": True,
                 "ingress.agc": {"wafPolicyId": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/"
                                 "rg/providers/Microsoft.Network/ApplicationGatewayWebApplicationFirewallPolicies/waf"}},
        "ingress.agc.wafPolicyId", ("preview", "WAF_v2"),
        "https://learn.microsoft.com/azure/application-gateway/for-containers/web-application-firewall"),
    # AGC with CNI Overlay is in preview; Azure CNI without Overlay is generally available.
    "agc with overlay (advisory)": (
        "prod", {"ingress.controller": "agc", "ingress.appGateway": _DROP, "cluster.workloadIdentity": True,
                 "network.spoke.subnets.agc": "10.240.8.0/24", "tls": _DROP, "kubernetes.ingresses[0].tlsSecret": _DROP},
        "cluster.networkPluginMode", ("preview", "GA"),
        "https://learn.microsoft.com/azure/application-gateway/for-containers/container-networking"),
    # The ALB Controller needs Kubernetes 1.32 or later (1.31: refused in production).
    "agc on kubernetes 1.31": (
        "prod", {"ingress.controller": "agc", "ingress.appGateway": _DROP, "cluster.workloadIdentity": True,
                 "network.spoke.subnets.agc": "10.240.8.0/24", "cluster.kubernetesVersion": "1.31"},
        "cluster.kubernetesVersion", ("1.32",),
        "https://learn.microsoft.com/azure/application-gateway/for-containers/alb-controller-release-notes"),
    # Envoy Gateway v1.9 supports Kubernetes 1.33 to 1.36 (advisory in dev).
    "envoy gateway on kubernetes 1.37": (
        "dev", {"cluster.kubernetesVersion": "1.37"}, "cluster.kubernetesVersion", ("1.33, 1.34, 1.35, 1.36",),
        "https://gateway.envoyproxy.io/news/releases/matrix/"),
    # Kubenet retires on 31 March 2028; the migration is to Azure CNI Overlay.
    "kubenet's retirement (advisory)": (
        "dev", {"cluster.kubernetesVersion": "1.37"}, "cluster.networkPlugin", ("2028-03-31", "Azure CNI Overlay"),
        "https://learn.microsoft.com/azure/aks/upgrade-azure-cni"),
    # AKS's calendar: 1.32 reached its end of life in March 2026.
    "kubernetes 1.32 after its end of life": (
        "dev", {"cluster.kubernetesVersion": "1.32"}, "cluster.kubernetesVersion", ("2026-03",),
        "https://learn.microsoft.com/azure/aks/supported-kubernetes-versions#aks-kubernetes-release-calendar"),
    # The DNS Private Resolver's inbound endpoint takes a subnet of its own, /28 to /24.
    "resolver without its subnet": (
        "prod", {"network.hub.subnets.dns": _DROP}, "network.dnsResolver", ("network.hub.subnets.dns", "/28 to /24"),
        "https://learn.microsoft.com/azure/dns/dns-private-resolver-overview#subnet-restrictions"),
    # A private endpoint takes an address in a subnet of the VNet.
    "registry without the endpoints subnet": (
        "prod", {"network.spoke.subnets.endpoints": _DROP}, "registry", ("network.spoke.subnets.endpoints",),
        "https://learn.microsoft.com/azure/private-link/private-endpoint-overview"),
    # Without a readiness probe, AGIC's health probe asks GET / on the backend pod's port.
    "gateway backend without a readiness probe": (
        "prod", {"kubernetes.apps[0].probes": _DROP}, "kubernetes.apps[0].probes", ("GET / on port 8080",),
        "https://learn.microsoft.com/azure/application-gateway/ingress-controller-add-health-probes"),
    # With CNI Overlay, pods leaving the cluster are SNATed to the node's address: the firewall sees the node subnet.
    "firewall rule widened to the node subnet (advisory)": (
        "prod", {}, "kubernetes.flows[2]", ("10.240.0.0/22", "SNAT"),
        "https://learn.microsoft.com/azure/aks/azure-cni-overlay#pods-and-nodes"),
    # A lock on the hub needs a hub.
    "hub lock without a hub": (
        "dev", {"environment.lockHub": True}, "environment.lockHub", ("network.hub",),
        "https://learn.microsoft.com/azure/azure-resource-manager/management/lock-resources"),
}


@pytest.mark.parametrize("case", CASES)
def test_refusal_names_the_documented_fact(case: str) -> None:
    stack, changes, path, facts, _source = CASES[case]
    found = refusals(stack, changes)
    messages = [message for at, message in found if at == path]
    assert messages, f"nothing refused at {path}; refused: {found}"
    assert any(all(fact in message for fact in facts) for message in messages), (path, facts, messages)


# A literal NetworkPolicySpec (kubernetes.policies[].spec), held to the API's validation: the refusal names
# the values the NetworkPolicy API reference allows.
NP = "https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/"
LS = "https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/label-selector/"
POLICY_CASES: dict[str, tuple[dict[str, Any], str, tuple[str, ...], str]] = {
    "policy type": ({"podSelector": {}, "policyTypes": ["Both"]}, "s.policyTypes[0]", ("Ingress", "Egress"), NP),
    "protocol": ({"podSelector": {}, "ingress": [{"ports": [{"protocol": "ICMP"}]}]},
                 "s.ingress[0].ports[0].protocol", ("TCP", "UDP", "SCTP"), NP),
    "port 0": ({"podSelector": {}, "ingress": [{"ports": [{"port": 0}]}]}, "s.ingress[0].ports[0].port",
               ("1", "65535"), NP),
    "endPort 65536": ({"podSelector": {}, "egress": [{"ports": [{"port": 80, "endPort": 65536}]}]},
                      "s.egress[0].ports[0].endPort", ("65535",), NP),
    "endPort below port": ({"podSelector": {}, "egress": [{"ports": [{"port": 80, "endPort": 79}]}]},
                           "s.egress[0].ports[0].endPort", ("79", "80"), NP),
    "endPort beside a named port": ({"podSelector": {}, "egress": [{"ports": [{"port": "http", "endPort": 90}]}]},
                                    "s.egress[0].ports[0].endPort", ("numeric port",), NP),
    "operator": ({"podSelector": {"matchExpressions": [{"key": "app", "operator": "Equals", "values": ["a"]}]}},
                 "s.podSelector.matchExpressions[0].operator", ("In", "NotIn", "Exists", "DoesNotExist"), LS),
    "In without values": ({"podSelector": {"matchExpressions": [{"key": "app", "operator": "In", "values": []}]}},
                          "s.podSelector.matchExpressions[0].values", ("In",), LS),
    "Exists with values": ({"podSelector": {"matchExpressions": [{"key": "app", "operator": "Exists",
                                                                   "values": ["a"]}]}},
                           "s.podSelector.matchExpressions[0].values", ("Exists", "empty"), LS),
    "label value of 64": ({"podSelector": {"matchLabels": {"app": "a" * 64}}}, "s.podSelector.matchLabels.app",
                          ("63",), "https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/"),
    "ipBlock with a selector": ({"podSelector": {}, "ingress": [{"from": [{"ipBlock": {"cidr": "10.0.0.0/8"},
                                                                          "podSelector": {}}]}]},
                                "s.ingress[0].from[0]", ("ipBlock",), NP),
    "except outside cidr": ({"podSelector": {}, "ingress": [{"from": [{"ipBlock": {
        "cidr": "10.0.0.0/16", "except": ["10.1.0.0/24"]}}]}]}, "s.ingress[0].from[0].ipBlock.except[0]",
        ("10.0.0.0/16",), NP),
    "podSelector missing": ({"policyTypes": ["Ingress"]}, "s.podSelector", ("empty {}",), NP),
}


@pytest.mark.parametrize("case", POLICY_CASES)
def test_policy_spec_refusal_names_the_api_values(case: str) -> None:
    spec, path, facts, _source = POLICY_CASES[case]
    problems = Problems()
    check_policy_spec(problems, "s", spec)
    messages = [p.message for p in problems.items if p.path == path]
    assert messages, [(p.path, p.message) for p in problems.items]
    assert any(all(fact in message for fact in facts) for message in messages), (path, facts, messages)


# A rule's description is what the offline preview and the CrossGuard pack show beside each finding.
DESCRIPTIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "max-pods-in-range": (("10", "250", "30 pods"),
                          "https://learn.microsoft.com/azure/aks/concepts-network-ip-address-planning"),
    "udr-needs-an-appliance": (("virtual appliance",), "https://learn.microsoft.com/azure/aks/egress-outboundtype"),
    "firewall-needs-its-subnets": (("AzureFirewallSubnet", "Basic"),
                                   "https://learn.microsoft.com/azure/firewall/firewall-faq"),
    "basic-firewall-features": (("threat-intel Deny", "DNS proxy"),
                                "https://learn.microsoft.com/azure/firewall/basic-features"),
    "bastion-needs-its-subnet": (("AzureBastionSubnet",),
                                 "https://learn.microsoft.com/azure/bastion/configuration-settings#subnet"),
    "nat-gateway-ip-limit": (("16",), "https://learn.microsoft.com/azure/nat-gateway/nat-gateway-resource"),
    "agic-needs-a-v2-gateway": (("Standard_v2", "WAF_v2"),
                                "https://learn.microsoft.com/azure/application-gateway/ingress-controller-overview"),
    "waf-prevention-in-production": (("WAF_v2", "Prevention"),
                                     "https://learn.microsoft.com/azure/web-application-firewall/ag/ag-overview"),
    "agc-subnet": (("/24", "250"),
                   "https://learn.microsoft.com/azure/application-gateway/for-containers/container-networking"),
    "system-pool-vm-minimum": (("4 vCPUs", "4 GB", "B-series"), "https://learn.microsoft.com/azure/aks/use-system-pools"),
    "no-docker-bridge-cidr": (("dockerBridgeCidr",), "https://learn.microsoft.com/azure/aks/configure-kubenet"),
    "no-ingress-class-annotation": (("ingressClassName",),
                                    "https://kubernetes.io/docs/concepts/services-networking/ingress/#deprecated-annotation"),
}


@pytest.mark.parametrize("rule_id", DESCRIPTIONS)
def test_rule_description_names_the_documented_fact(rule_id: str) -> None:
    facts, _source = DESCRIPTIONS[rule_id]
    description = next(rule.description for rule in RULES if rule.id == rule_id)
    assert all(fact in description for fact in facts), (rule_id, facts, description)


# The change review's consequences: the command or the path Azure documents for each change it names.
UPGRADE_CNI = "https://learn.microsoft.com/azure/aks/upgrade-azure-cni"


def _firewall(tier: str) -> dict[str, Any]:
    return record("azure-native:network:AzureFirewall", "fw", {"resourceGroupName": "rg-dev",
                                                               "azureFirewallName": "afw-dev",
                                                               "sku": {"name": "AZFW_VNet", "tier": tier}})


REVIEW_CASES: dict[str, tuple[list[dict[str, Any]], list[dict[str, Any]], str, tuple[str, ...], str]] = {
    # "az aks update --network-plugin azure --network-plugin-mode overlay" migrates kubenet and flat Azure CNI.
    "kubenet to overlay": ([cluster(networkPlugin="kubenet", networkPluginMode=None)], [cluster()],
                           "networkProfile.networkPlugin",
                           ("kubenet", "--network-plugin azure --network-plugin-mode overlay"), UPGRADE_CNI),
    # The documented migrations all lead to Overlay: back to kubenet is a new cluster.
    "overlay to kubenet": ([cluster()], [cluster(networkPlugin="kubenet", networkPluginMode=None)],
                           "networkProfile.networkPlugin", ("no in-place path", "Azure CNI Overlay"), UPGRADE_CNI),
    # "az aks update --network-dataplane cilium" upgrades an Azure CNI cluster to Cilium.
    "dataplane to cilium": ([cluster()], [cluster(networkDataplane="cilium")], "networkProfile.networkDataplane",
                            ("--network-dataplane cilium",), UPGRADE_CNI),
    # "az aks update --network-policy none" uninstalls Azure NPM or Calico.
    "calico uninstalled": ([cluster(networkPolicy="calico")], [cluster(networkPolicy="none")],
                           "networkProfile.networkPolicy", ("calico", "--network-policy none"),
                           "https://learn.microsoft.com/azure/aks/use-network-policies"),
    # "az aks update --outbound-type" migrates between the types of one table.
    "outbound to UDR": ([cluster()], [cluster(outboundType="userDefinedRouting")], "networkProfile.outboundType",
                        ("--outbound-type", "from loadBalancer to userDefinedRouting",
                         "safe:--outbound-type userDefinedRouting"),
                        "https://learn.microsoft.com/azure/aks/egress-outboundtype"),
    # A Basic firewall does not change SKU in place; Standard and Premium change between each other.
    "basic firewall to standard": ([_firewall("Basic")], [_firewall("Standard")], "sku.tier",
                                   ("Basic", "Standard", "new firewall"),
                                   "https://learn.microsoft.com/azure/firewall/premium-migrate"),
    "standard firewall to premium": ([_firewall("Standard")], [_firewall("Premium")], "sku.tier",
                                     ("Standard", "Premium", "Firewall Policy"),
                                     "https://learn.microsoft.com/azure/firewall/premium-migrate"),
}


@pytest.mark.parametrize("case", REVIEW_CASES)
def test_review_consequence_names_the_documented_path(case: str) -> None:
    base, head, input_path, facts, _source = REVIEW_CASES[case]
    found = [c for c in review(base, head).consequences if c.input == input_path]
    assert found, input_path
    # A fact is in what Azure does, a command it names is repeated in the safe way where there is one,
    # and a fact marked "safe:" is in the safe way alone.
    def names(c: Any, fact: str) -> bool:
        if fact.startswith("safe:"):
            return fact.removeprefix("safe:") in (c.safe or "")
        return fact in c.what and (not fact.startswith("--") or fact in (c.safe or c.what))
    assert any(all(names(c, fact) for fact in facts) for c in found), (facts, [(c.what, c.safe) for c in found])



# A refusal that suggests a VM size: the stack change that triggers it, and the key path it is told at.
SIZE_REMEDIES = {
    # An ephemeral OS disk lives on the VM's local (temporary) disk: the Ddsv5 sizes have one, Dsv5 none.
    # https://learn.microsoft.com/azure/virtual-machines/ephemeral-os-disks
    "ephemeral OS disk on a size without a local disk": (
        {"vmSize": "Standard_D4s_v5", "osDiskType": "Ephemeral"}, "osDiskType"),
    # System pools: at least 4 vCPUs and 4 GB, and no B-series size.
    # https://learn.microsoft.com/azure/aks/use-system-pools#system-and-user-node-pools
    "B-series System pool": ({"vmSize": "Standard_B4s_v2"}, "vmSize"),
    "System pool under 4 vCPUs": ({"vmSize": "Standard_D2s_v5"}, "vmSize"),
}


@pytest.mark.parametrize("case", SIZE_REMEDIES)
def test_a_suggested_vm_size_is_one_the_refusal_accepts(case: str) -> None:
    """The remedy a refusal names must work: each size it suggests, written instead, is not refused for
    the same reason (a suggestion of another B-series size, or of a size without a local disk, would send
    the user round again)."""
    import re
    pool = "cluster.nodePools[0]"
    changes, key = SIZE_REMEDIES[case]
    refused = [m for p, m in refusals("dev", {f"{pool}.{k}": v for k, v in changes.items()}) if p == f"{pool}.{key}"]
    assert len(refused) == 1, refused
    suggested = re.findall(r"Standard_\w+", refused[0].split("such as", 1)[1])
    assert suggested
    for size in suggested:
        again = refusals("dev", {f"{pool}.{k}": v for k, v in {**changes, "vmSize": size}.items()})
        assert not [(p, m) for p, m in again if p in (f"{pool}.vmSize", f"{pool}.{key}")], (size, again)


def test_the_endpoints_subnet_size_a_refusal_suggests_is_accepted() -> None:
    """A registry or Key Vault without the private endpoints' subnet is told the size to give it; that size
    must be one Azure takes (a subnet is at least a /29: five addresses are reserved in each).
    https://learn.microsoft.com/azure/virtual-network/virtual-networks-faq#are-there-any-restrictions-on-using-ip-addresses-within-these-subnets"""
    import ipaddress
    import re

    from aksnet.config.stack import load_spec
    subnet = "network.spoke.subnets.endpoints"
    endpoints = load_spec(load("prod"), "prod").network.spoke.subnets["endpoints"]
    told = [m for p, m in refusals("prod", {subnet: _DROP}) if p == "registry"]
    assert len(told) == 1, told
    [prefix] = re.findall(r"a /(\d+)", told[0])
    sized = str(ipaddress.ip_network(f"{endpoints.network_address}/{prefix}", strict=False))
    assert not [(p, m) for p, m in refusals("prod", {subnet: sized}) if "endpoints" in p or p == "registry"], sized


def test_the_dns_service_address_a_refusal_suggests_is_accepted() -> None:
    """The cluster DNS address must be a usable address of the service CIDR, not its first or last (Kubernetes
    allocates Service addresses between them); the address a refusal suggests instead must be one it accepts.
    https://learn.microsoft.com/azure/aks/configure-kubenet#create-an-aks-cluster-in-the-virtual-network"""
    import re
    key = "cluster.dnsServiceIp"
    for wrong in ("10.0.0.0", "10.0.255.255"):  # dev's service CIDR is 10.0.0.0/16
        told = [m for p, m in refusals("dev", {key: wrong}) if p == key]
        assert len(told) == 1, told
        [suggested] = re.findall(r"such as (\d+\.\d+\.\d+\.\d+)", told[0])
        assert not [m for p, m in refusals("dev", {key: suggested}) if p == key], suggested


def test_the_pod_cidr_size_a_refusal_suggests_holds_every_node() -> None:
    """kubenet gives each node a /24 of the pod CIDR; a refusal for a pod CIDR too small for the pools' nodes
    (maximum plus surge) suggests a size, which written back must hold them.
    https://learn.microsoft.com/azure/aks/configure-kubenet#ip-address-availability-and-exhaustion"""
    import ipaddress
    import re
    key = "cluster.podCidr"
    told = [m for p, m in refusals("dev", {key: "10.244.0.0/24"}) if p == key]
    assert len(told) == 1, told
    [prefix] = re.findall(r"use a /(\d+) or larger", told[0])
    sized = str(ipaddress.ip_network(f"10.244.0.0/{prefix}"))
    assert not [m for p, m in refusals("dev", {key: sized}) if p == key], sized
