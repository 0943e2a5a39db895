"""Every term of every design rule's trigger, held at the place its documentation puts it (issue 27).

A design rule fires on a conjunction or disjunction of facts about the stack (a plugin, a mode, an
outbound type, a SKU, a region, a count at a limit). A test that shows a rule firing on one stack and
not on another holds one term at most; a mistake that widens or narrows another term passes it. Each
row here varies a committed stack file in one place, reads it with the stack's reader
(`aksnet.config.stack.load_spec`) and runs the one rule of `aksnet.rules.design` that states the fact,
asserting whether a problem lands at the key path. Rows come in pairs: the smallest change where the
documented condition holds, and the same change with exactly one term made false. Expected outcomes
come from the page cited beside each group, never from running our code. Pure: no program run.
"""

from __future__ import annotations

import datetime
import functools
import json
from typing import Any

import pytest

from aksnet.config.kubernetes_versions import MINORS, WARN_DAYS
from aksnet.config.stack import StackConfig, load_spec
from aksnet.rules.design import RULES
from tests.stacks import DELETE, committed, variant

C = "aks-networking:"
_DROP = "<delete this key>"
TODAY = datetime.date(2026, 12, 7)

AUTHORIZED = "https://learn.microsoft.com/azure/aks/api-server-authorized-ip-ranges"
PRIVATE = "https://learn.microsoft.com/azure/aks/private-clusters"
VNET_INTEGRATION = "https://learn.microsoft.com/azure/aks/api-server-vnet-integration"
LOCAL_ACCOUNTS = "https://learn.microsoft.com/azure/aks/manage-local-accounts-managed-azure-ad"
AZURE_RBAC = "https://learn.microsoft.com/azure/aks/manage-azure-rbac"
NAMESPACES = "https://learn.microsoft.com/azure/aks/concepts-clusters-workloads#namespaces"
NAMES = "https://kubernetes.io/docs/concepts/overview/working-with-objects/names/"
REGIONS = "https://learn.microsoft.com/azure/reliability/regions-list"
VERSIONS = "https://learn.microsoft.com/azure/aks/supported-kubernetes-versions"
AUTO_UPGRADE = "https://learn.microsoft.com/azure/aks/auto-upgrade-cluster"
EGRESS = "https://learn.microsoft.com/azure/aks/egress-outboundtype"
FIREWALL_FAQ = "https://learn.microsoft.com/azure/firewall/firewall-faq"
FIREWALL_FQDN = "https://learn.microsoft.com/azure/firewall/fqdn-filtering-network-rules"
BASTION = "https://learn.microsoft.com/azure/bastion/configuration-settings"
NAT_GATEWAY = "https://learn.microsoft.com/azure/nat-gateway/nat-gateway-resource"
AGIC_PROBES = "https://learn.microsoft.com/azure/application-gateway/ingress-controller-add-health-probes"
AGIC_KEY_VAULT = "https://learn.microsoft.com/azure/application-gateway/key-vault-certs"
LOCK = "https://learn.microsoft.com/azure/azure-resource-manager/management/lock-resources"
RESOLVER = "https://learn.microsoft.com/azure/dns/dns-private-resolver-overview#subnet-restrictions"
ACR_PRIVATE_LINK = "https://learn.microsoft.com/azure/container-registry/container-registry-private-link"
APPGW_INFRA = "https://learn.microsoft.com/azure/application-gateway/configuration-infrastructure"
AGIC_OVERLAY = ("https://learn.microsoft.com/azure/application-gateway/ingress-controller-overview"
                "#container-networking-and-agic")
WAF = "https://learn.microsoft.com/azure/web-application-firewall/ag/ag-overview"
APP_ROUTING = "https://learn.microsoft.com/azure/aks/app-routing"
INTERNAL_LB = "https://learn.microsoft.com/azure/aks/internal-lb"
OVERLAY = "https://learn.microsoft.com/azure/aks/azure-cni-overlay"
CILIUM = "https://learn.microsoft.com/azure/aks/azure-cni-powered-by-cilium"
POLICIES = "https://learn.microsoft.com/azure/aks/use-network-policies"
IP_PLANNING = "https://learn.microsoft.com/azure/aks/concepts-network-ip-address-planning"
ISTIO = "https://learn.microsoft.com/azure/aks/istio-about"
SYSTEM_POOLS = "https://learn.microsoft.com/azure/aks/use-system-pools"


_stack = committed  # read once, shared: `variant` copies it before changing anything


@functools.cache
def _spec(stack: str, changes: str) -> StackConfig:
    return load_spec(variant(_stack(stack), {k if ":" in k else f"{C}{k}": DELETE if v == _DROP else v
                                             for k, v in json.loads(changes).items()}), stack)


def _paths(stack: str, changes: str, rule_id: str, day: datetime.date) -> tuple[str, ...]:
    rule = next(r for r in RULES if r.id == rule_id)
    return tuple(p.path.removeprefix(C) for p in rule.spec_problems(_spec(stack, changes), day))


def paths(stack: str, changes: dict[str, Any], rule_id: str, day: datetime.date = TODAY) -> tuple[str, ...]:
    """Key paths the one rule finds problems at, in the committed stack varied by key path."""
    return _paths(stack, json.dumps(changes, sort_keys=True), rule_id, day)


def _pool(**extra: Any) -> dict[str, Any]:
    return {"name": "user", "mode": "User", "vmSize": "Standard_D4ds_v5", "count": 1, **extra}


def _policy(namespace: str, name: str = "deny-in") -> dict[str, Any]:
    return {"name": name, "namespace": namespace, "spec": {"podSelector": {}, "policyTypes": ["Ingress"]}}


_NO_ENTRA = {"cluster.entraId": {"enabled": False}}
_PATCH = {"cluster.kubernetesVersion": "1.36.1"}
_DEV_UDR = {"cluster.outboundType": "userDefinedRouting", "cluster.egressNextHopIp": "10.0.5.4"}
_DEV_AGIC = {"ingress.controller": "appgw", "network.spoke.subnets.appgw": "192.168.4.0/24"}
_FLAT = {"cluster.networkPluginMode": _DROP, "cluster.podCidr": _DROP}
_FQDN_RULE = [{"name": "ntp", "protocols": ["UDP"], "destinationFqdns": ["time.windows.com"],
               "ports": ["123"]}]
_ADDRESS_RULE = [{"name": "payments", "protocols": ["TCP"], "destinationAddresses": ["203.0.113.0/24"],
                  "ports": ["443"]}]
_FROM_CONTROLLER = {"name": "gateway-to-backend", "from": {"ingressController": True},
                    "to": {"app": "backend", "namespace": "development"}}
_NGINX = {"ingress.controller": "nginx"}
_BYO = {"cluster.networkPlugin": "none", "cluster.networkPolicy": "none", "cluster.podCidr": _DROP}

# id: (stack, changes by key path, rule id, key path, fires, source)
CASES: dict[str, tuple[str, dict[str, Any], str, str, bool, str]] = {
    # Authorized IP ranges restrict a public API server; a private one is reached over Private Link.
    "ranges on a private API": ("dev", {"cluster.private": True}, "authorized-ranges-only-on-public-api",
                                "cluster.authorizedIpRanges", True, AUTHORIZED),
    "ranges on a public API": ("dev", {}, "authorized-ranges-only-on-public-api",
                               "cluster.authorizedIpRanges", False, AUTHORIZED),
    "private API without ranges": ("dev", {"cluster.private": True, "cluster.authorizedIpRanges": []},
                                   "authorized-ranges-only-on-public-api", "cluster.authorizedIpRanges", False,
                                   AUTHORIZED),
    # A private DNS zone (hub: one of ours) belongs to a private API server, and a hub zone to a hub.
    "hub zone on a public API": ("dev", {"cluster.privateDnsZone": "hub"}, "hub-zone-needs-private-api-and-hub",
                                 "cluster.privateDnsZone", True, PRIVATE),
    "zone none on a public API": ("dev", {"cluster.privateDnsZone": "none"}, "hub-zone-needs-private-api-and-hub",
                                  "cluster.privateDnsZone", False, PRIVATE),
    "hub zone, private API, no hub": ("dev", {"cluster.private": True, "cluster.authorizedIpRanges": [],
                                              "cluster.privateDnsZone": "hub"},
                                      "hub-zone-needs-private-api-and-hub", "cluster.privateDnsZone", True, PRIVATE),
    "system zone, private API, no hub": ("dev", {"cluster.private": True, "cluster.authorizedIpRanges": [],
                                                 "cluster.privateDnsZone": "system"},
                                         "hub-zone-needs-private-api-and-hub", "cluster.privateDnsZone", False,
                                         PRIVATE),
    "hub zone, private API, a hub": ("prod", {}, "hub-zone-needs-private-api-and-hub", "cluster.privateDnsZone",
                                     False, PRIVATE),
    "hub zone, public API, a hub": ("prod", {"cluster.private": False}, "hub-zone-needs-private-api-and-hub",
                                    "cluster.privateDnsZone", True, PRIVATE),
    # VNet integration projects the API server into a delegated subnet of the cluster's VNet.
    "integration without its subnet": ("dev", {"cluster.apiServerVnetIntegration": True},
                                       "vnet-integration-needs-its-subnet", "cluster.apiServerVnetIntegration",
                                       True, VNET_INTEGRATION),
    "integration without its subnet, a hub": ("prod", {"cluster.apiServerVnetIntegration": True},
                                              "vnet-integration-needs-its-subnet",
                                              "cluster.apiServerVnetIntegration", True, VNET_INTEGRATION),
    "integration with its subnet": ("dev", {"cluster.apiServerVnetIntegration": True,
                                            "network.spoke.subnets.apiserver": "192.168.3.0/28"},
                                    "vnet-integration-needs-its-subnet", "cluster.apiServerVnetIntegration", False,
                                    VNET_INTEGRATION),
    "apiserver subnet without integration": ("dev", {"network.spoke.subnets.apiserver": "192.168.3.0/28"},
                                             "vnet-integration-needs-its-subnet",
                                             "network.spoke.subnets.apiserver", True, VNET_INTEGRATION),
    "apiserver subnet with integration": ("dev", {"network.spoke.subnets.apiserver": "192.168.3.0/28",
                                                  "cluster.apiServerVnetIntegration": True},
                                          "vnet-integration-needs-its-subnet", "network.spoke.subnets.apiserver",
                                          False, VNET_INTEGRATION),
    # Disabling local accounts needs Microsoft Entra integration; Azure RBAC is not asked for.
    "local accounts off, no Entra ID": ("dev", _NO_ENTRA, "local-accounts-off-needs-entra-id",
                                        "cluster.localAccounts", True, LOCAL_ACCOUNTS),
    "local accounts on, no Entra ID": ("dev", {**_NO_ENTRA, "cluster.localAccounts": True},
                                       "local-accounts-off-needs-entra-id", "cluster.localAccounts", False,
                                       LOCAL_ACCOUNTS),
    "local accounts off, Entra ID without Azure RBAC": ("dev", {"cluster.entraId": {"azureRbac": False}},
                                                         "local-accounts-off-needs-entra-id",
                                                         "cluster.localAccounts", False, LOCAL_ACCOUNTS),
    "local accounts off, no Entra ID, private API": ("prod", _NO_ENTRA, "local-accounts-off-needs-entra-id",
                                                     "cluster.localAccounts", True, LOCAL_ACCOUNTS),
    # kube-system (and every AKS add-on's namespace) is the platform's, for every kind of object.
    "kube-system managed by the stack": ("dev", {"kubernetes.namespaces[1]": {"name": "kube-system"}},
                                         "no-platform-namespaces", "kubernetes.namespaces[1].name", True, NAMESPACES),
    "a namespace of the stack's own": ("dev", {"kubernetes.namespaces[1]": {"name": "tools"}},
                                       "no-platform-namespaces", "kubernetes.namespaces[1].name", False, NAMESPACES),
    "ingress in kube-system": ("dev", {"kubernetes.ingresses[0].namespace": "kube-system",
                                       "kubernetes.apps[0].namespace": "kube-system",
                                       "kubernetes.apps[1].namespace": "kube-system", "kubernetes.flows": []},
                               "no-platform-namespaces", "kubernetes.ingresses[0].namespace", True, NAMESPACES),
    "ingress in its own namespace": ("dev", {}, "no-platform-namespaces", "kubernetes.ingresses[0].namespace",
                                     False, NAMESPACES),
    "policy in kube-system": ("dev", {"kubernetes.policies": [_policy("kube-system")]},
                              "no-platform-namespaces", "kubernetes.policies[0].namespace", True, NAMESPACES),
    "policy in its own namespace": ("dev", {"kubernetes.policies": [_policy("development")]},
                                    "no-platform-namespaces", "kubernetes.policies[0].namespace", False, NAMESPACES),
    # Names are unique per kind (and namespace): objects of two kinds, even of one API group, may share one.
    "a Gateway and its HTTPRoute share a name": ("dev", {}, "unique-kubernetes-objects", "kubernetes.ingresses[0]",
                                                 False, NAMES),
    "a policy named like the default deny": ("dev", {"kubernetes.policies": [_policy("development", "default-deny")]},
                                             "unique-kubernetes-objects", "kubernetes.policies[0]", True, NAMES),
    "a policy named apart from the default deny": ("dev", {"kubernetes.policies": [_policy("development")]},
                                                   "unique-kubernetes-objects", "kubernetes.policies[0]", False,
                                                   NAMES),
    # Zones only in a region that has them, for every zonal resource.
    "firewall zones in a region without zones": ("prod", {"azure-native:location": "australiasoutheast"},
                                                 "zones-need-a-zonal-region", "egress.firewall.zones", True, REGIONS),
    "no firewall zones in a region without zones": ("prod", {"azure-native:location": "australiasoutheast",
                                                             "egress.firewall.zones": []},
                                                    "zones-need-a-zonal-region", "egress.firewall.zones", False,
                                                    REGIONS),
    "gateway zones in a region without zones": ("prod", {"azure-native:location": "australiasoutheast"},
                                                "zones-need-a-zonal-region", "ingress.appGateway.zones", True,
                                                REGIONS),
    "gateway zones in a region with zones": ("prod", {}, "zones-need-a-zonal-region", "ingress.appGateway.zones",
                                             False, REGIONS),
    # The patch channel (and stable, rapid) moves the patch; none and node-image never move the version.
    "patch pinned, channel patch": ("dev", _PATCH, "patch-pin-without-patch-upgrades", "cluster.kubernetesVersion",
                                    True, AUTO_UPGRADE),
    "patch pinned, channel stable": ("dev", {**_PATCH, "cluster.upgradeChannel": "stable"},
                                     "patch-pin-without-patch-upgrades", "cluster.kubernetesVersion", True,
                                     AUTO_UPGRADE),
    "patch pinned, channel node-image": ("dev", {**_PATCH, "cluster.upgradeChannel": "node-image"},
                                         "patch-pin-without-patch-upgrades", "cluster.kubernetesVersion", False,
                                         AUTO_UPGRADE),
    "patch pinned, channel none": ("dev", {**_PATCH, "cluster.upgradeChannel": "none"},
                                   "patch-pin-without-patch-upgrades", "cluster.kubernetesVersion", False,
                                   AUTO_UPGRADE),
    "minor alone, channel patch": ("dev", {}, "patch-pin-without-patch-upgrades", "cluster.kubernetesVersion",
                                   False, AUTO_UPGRADE),
    # With Azure RBAC and no local accounts, whoever applies the layer needs an Azure role on the cluster.
    "apply, Azure RBAC, no local accounts, deployer not granted": (
        "dev", {"cluster.entraId": {"grantDeployer": False}}, "someone-may-apply-the-layer",
        "cluster.entraId.grantDeployer", True, AZURE_RBAC),
    "gitops, deployer not granted": (
        "prod", {"cluster.entraId.grantDeployer": False}, "someone-may-apply-the-layer",
        "cluster.entraId.grantDeployer", False, AZURE_RBAC),
    "apply, Kubernetes RBAC, deployer not granted": (
        "dev", {"cluster.entraId": {"grantDeployer": False, "azureRbac": False}}, "someone-may-apply-the-layer",
        "cluster.entraId.grantDeployer", False, AZURE_RBAC),
    "apply, local accounts on, deployer not granted": (
        "dev", {"cluster.entraId": {"grantDeployer": False}, "cluster.localAccounts": True},
        "someone-may-apply-the-layer", "cluster.entraId.grantDeployer", False, AZURE_RBAC),
    "apply, Azure RBAC, deployer left to its default": (
        "dev", {}, "someone-may-apply-the-layer", "cluster.entraId.grantDeployer", False, AZURE_RBAC),
    # userDefinedRouting: a default route to a virtual appliance must exist (the firewall, or one given).
    "UDR with neither firewall nor next hop": ("dev", {"cluster.outboundType": "userDefinedRouting"},
                                               "udr-needs-an-appliance", "cluster.outboundType", True, EGRESS),
    "UDR with a next hop": ("dev", _DEV_UDR, "udr-needs-an-appliance", "cluster.outboundType", False, EGRESS),
    "UDR with a firewall": ("prod", {}, "udr-needs-an-appliance", "cluster.outboundType", False, EGRESS),
    "UDR with a firewall and no next hop": ("prod", {}, "next-hop-only-for-udr-without-firewall",
                                            "cluster.egressNextHopIp", False, EGRESS),
    "NAT gateway with neither firewall nor next hop": ("dev", {"cluster.outboundType": "managedNATGateway"},
                                                       "udr-needs-an-appliance", "cluster.outboundType", False, EGRESS),
    "next hop beside a firewall": ("prod", {"cluster.egressNextHopIp": "10.200.0.4"},
                                   "next-hop-only-for-udr-without-firewall", "cluster.egressNextHopIp", True, EGRESS),
    "next hop, UDR, no firewall": ("dev", _DEV_UDR, "next-hop-only-for-udr-without-firewall",
                                   "cluster.egressNextHopIp", False, EGRESS),
    # A firewall carries egress only under userDefinedRouting; a NAT gateway or load balancer bypasses it.
    "firewall with loadBalancer": ("prod", {"cluster.outboundType": "loadBalancer"}, "firewall-carries-egress",
                                   "egress.firewall", True, EGRESS),
    "firewall with managedNATGateway": ("prod", {"cluster.outboundType": "managedNATGateway"},
                                        "firewall-carries-egress", "egress.firewall", True, EGRESS),
    "firewall with userAssignedNATGateway": ("prod", {"cluster.outboundType": "userAssignedNATGateway"},
                                             "firewall-carries-egress", "egress.firewall", True, EGRESS),
    "firewall with UDR": ("prod", {}, "firewall-carries-egress", "egress.firewall", False, EGRESS),
    # Azure Firewall needs AzureFirewallSubnet; Basic also AzureFirewallManagementSubnet (not Premium).
    "firewall without AzureFirewallSubnet": ("prod", {"network.hub.subnets.AzureFirewallSubnet": _DROP},
                                             "firewall-needs-its-subnets", "egress.firewall", True, FIREWALL_FAQ),
    "firewall with AzureFirewallSubnet": ("prod", {}, "firewall-needs-its-subnets", "egress.firewall", False,
                                          FIREWALL_FAQ),
    "a spoke's firewall is its hub's": ("spoke-a", {}, "firewall-needs-its-subnets", "egress.firewall", False,
                                        FIREWALL_FAQ),
    "Basic without the management subnet": ("prod", {"egress.firewall.sku": "Basic",
                                                     "egress.firewall.threatIntelMode": "Alert"},
                                            "firewall-needs-its-subnets", "egress.firewall.sku", True, FIREWALL_FAQ),
    "Basic with the management subnet": ("prod", {"egress.firewall.sku": "Basic",
                                                  "egress.firewall.threatIntelMode": "Alert",
                                                  "network.hub.subnets.AzureFirewallManagementSubnet":
                                                      "10.200.0.192/26"},
                                         "firewall-needs-its-subnets", "egress.firewall.sku", False, FIREWALL_FAQ),
    "Premium without the management subnet": ("prod", {}, "firewall-needs-its-subnets", "egress.firewall.sku",
                                              False, FIREWALL_FAQ),
    # FQDNs in network rules resolve through the firewall's DNS proxy.
    "FQDN network rule without DNS proxy": ("prod", {"egress.firewall.networkRules": _FQDN_RULE,
                                                     "egress.firewall.dnsProxy": False},
                                            "fqdn-network-rules-need-dns-proxy",
                                            "egress.firewall.networkRules[0].destinationFqdns", True, FIREWALL_FQDN),
    "FQDN network rule with DNS proxy": ("prod", {"egress.firewall.networkRules": _FQDN_RULE,
                                                  "egress.firewall.dnsProxy": True},
                                         "fqdn-network-rules-need-dns-proxy",
                                         "egress.firewall.networkRules[0].destinationFqdns", False, FIREWALL_FQDN),
    "address network rule without DNS proxy": ("prod", {"egress.firewall.networkRules": _ADDRESS_RULE,
                                                        "egress.firewall.dnsProxy": False},
                                               "fqdn-network-rules-need-dns-proxy",
                                               "egress.firewall.networkRules[0].destinationFqdns", False, FIREWALL_FQDN),
    # Azure Bastion deploys into AzureBastionSubnet.
    "Bastion without AzureBastionSubnet": ("prod", {"network.hub.subnets.AzureBastionSubnet": _DROP},
                                           "bastion-needs-its-subnet", "network.bastion", True, BASTION),
    "no Bastion, no AzureBastionSubnet": ("prod", {"network.hub.subnets.AzureBastionSubnet": _DROP,
                                                   "network.bastion": False},
                                          "bastion-needs-its-subnet", "network.bastion", False, BASTION),
    # A NAT gateway takes up to 16 public IPs; the load balancer is not a NAT gateway.
    "NAT gateway with 16 IPs": ("dev", {"cluster.outboundType": "managedNATGateway", "cluster.outboundIpCount": 16},
                                "nat-gateway-ip-limit", "cluster.outboundIpCount", False, NAT_GATEWAY),
    "managed NAT gateway with 17 IPs": ("dev", {"cluster.outboundType": "managedNATGateway",
                                                "cluster.outboundIpCount": 17},
                                        "nat-gateway-ip-limit", "cluster.outboundIpCount", True, NAT_GATEWAY),
    "user NAT gateway with 17 IPs": ("dev", {"cluster.outboundType": "userAssignedNATGateway",
                                             "cluster.outboundIpCount": 17},
                                     "nat-gateway-ip-limit", "cluster.outboundIpCount", True, NAT_GATEWAY),
    "load balancer with 17 IPs": ("dev", {"cluster.outboundIpCount": 17}, "nat-gateway-ip-limit",
                                  "cluster.outboundIpCount", False, NAT_GATEWAY),
    # AGIC probes the backend from its readiness probe, on the port the pod serves (the target port).
    "gateway backend reached by two paths, without a probe": ("prod", {
        "kubernetes.apps[0].probes": _DROP, "kubernetes.ingresses[0].paths[2]": {"path": "/b", "app": "web", "port": 80}},
        "agic-backends-probe-over-http", "kubernetes.apps[0].probes", True, AGIC_PROBES),
    "gateway backend without a readiness probe": ("prod", {"kubernetes.apps[0].probes": _DROP},
                                                  "agic-backends-probe-over-http", "kubernetes.apps[0].probes", True,
                                                  AGIC_PROBES),
    "Envoy Gateway backend without a readiness probe": ("dev", {}, "agic-backends-probe-over-http",
                                                        "kubernetes.apps[0].probes", False, AGIC_PROBES),
    # api serves the gateway on 8080 and metrics on 9090: the gateway probes 8080, whatever else it serves.
    "readiness on a port the gateway does not reach": ("prod", {
        "kubernetes.apps[1].ports[1]": {"name": "metrics", "port": 9090},
        "kubernetes.apps[1].probes.readiness.port": 9090}, "agic-backends-probe-over-http",
        "kubernetes.apps[1].probes.readiness.port", True, AGIC_PROBES),
    "readiness on the port the gateway reaches": ("prod", {
        "kubernetes.apps[1].ports[1]": {"name": "metrics", "port": 9090},
        "kubernetes.apps[1].probes.readiness.port": 8080}, "agic-backends-probe-over-http",
        "kubernetes.apps[1].probes.readiness.port", False, AGIC_PROBES),
    # web's Service port is 80, its container's 8080: the gateway probes the pod, on 8080.
    "readiness on the target port": ("prod", {"kubernetes.apps[0].probes.readiness.port": 8080},
                                     "agic-backends-probe-over-http", "kubernetes.apps[0].probes.readiness.port",
                                     False, AGIC_PROBES),
    # The gateway takes each listener's certificate from Key Vault: the name must be one the stack provides.
    "TLS secret the stack provides": ("prod", {}, "ingress-tls-has-a-certificate", "kubernetes.ingresses[0].tlsSecret",
                                      False, AGIC_KEY_VAULT),
    "TLS secret the stack does not provide": ("prod", {"kubernetes.ingresses[0].tlsSecret": "other-tls"},
                                              "ingress-tls-has-a-certificate", "kubernetes.ingresses[0].tlsSecret",
                                              True, AGIC_KEY_VAULT),
    "TLS through Envoy Gateway": ("dev", {"kubernetes.ingresses[0].tlsSecret": "webapp-tls"},
                                  "ingress-tls-has-a-certificate", "kubernetes.ingresses[0].tlsSecret", True,
                                  AGIC_KEY_VAULT),
    "TLS through Envoy Gateway, the certificate in tls": ("prod", {"ingress.controller": "envoyGateway",
                                                                   "ingress.appGateway": _DROP},
                                                          "ingress-tls-has-a-certificate",
                                                          "kubernetes.ingresses[0].tlsSecret", True, AGIC_KEY_VAULT),
    "gateway certificates with Envoy Gateway": ("prod", {"ingress.controller": "envoyGateway",
                                                         "ingress.appGateway": _DROP,
                                                         "kubernetes.ingresses[0].tlsSecret": _DROP},
                                                "ingress-tls-has-a-certificate", "tls", True, AGIC_KEY_VAULT),
    "gateway certificates with the gateway": ("prod", {}, "ingress-tls-has-a-certificate", "tls", False,
                                              AGIC_KEY_VAULT),
    # A lock on the hub needs a hub to lock.
    "hub lock without a hub": ("dev", {"environment.lockHub": True}, "hub-lock-needs-a-hub", "environment.lockHub",
                               True, LOCK),
    "hub lock with a hub": ("prod", {"environment.lockHub": True}, "hub-lock-needs-a-hub", "environment.lockHub",
                            False, LOCK),
    # The resolver's inbound endpoint needs a dedicated subnet (/28 to /24) in the hub.
    "resolver without its subnet": ("prod", {"network.hub.subnets.dns": _DROP}, "dns-resolver-has-its-subnet",
                                    "network.dnsResolver", True, RESOLVER),
    "no resolver, no subnet": ("prod", {"network.hub.subnets.dns": _DROP, "network.dnsResolver": False},
                               "dns-resolver-has-its-subnet", "network.dnsResolver", False, RESOLVER),
    "resolver with its subnet": ("prod", {}, "dns-resolver-has-its-subnet", "network.dnsResolver", False, RESOLVER),
    # Images come from the platform registry (reached by its private endpoint), MCR, or a listed registry.
    "platform image without a platform registry": ("prod", {"registry": _DROP}, "images-from-known-registries",
                                                   "kubernetes.apps[0].image", True, ACR_PRIVATE_LINK),
    "platform image with a platform registry": ("prod", {}, "images-from-known-registries",
                                                "kubernetes.apps[0].image", False, ACR_PRIVATE_LINK),
    "image from MCR": ("dev", {"kubernetes.apps[0].image": "mcr.microsoft.com/oss/nginx/nginx:1.27"},
                       "images-from-known-registries", "kubernetes.apps[0].image", False, ACR_PRIVATE_LINK),
    "image from an unlisted registry": ("dev", {"kubernetes.apps[0].image": "quay.io/example/nginx:1.27"},
                                        "images-from-known-registries", "kubernetes.apps[0].image", True,
                                        ACR_PRIVATE_LINK),
    "endpoints subnet used by the Key Vault alone": ("prod", {"registry": _DROP}, "private-endpoints-and-their-subnet",
                                                     "network.spoke.subnets.endpoints", False, ACR_PRIVATE_LINK),
    "endpoints subnet used by nothing": ("prod", {"registry": _DROP, "tls": _DROP,
                                                  "kubernetes.ingresses[0].tlsSecret": _DROP},
                                         "private-endpoints-and-their-subnet", "network.spoke.subnets.endpoints",
                                         True, ACR_PRIVATE_LINK),
    "registry without the endpoints subnet": ("prod", {"network.spoke.subnets.endpoints": _DROP},
                                              "private-endpoints-and-their-subnet", "registry", True, ACR_PRIVATE_LINK),
    "registry with the endpoints subnet": ("prod", {}, "private-endpoints-and-their-subnet", "registry", False,
                                           ACR_PRIVATE_LINK),
    "Key Vault without the endpoints subnet": ("prod", {"network.spoke.subnets.endpoints": _DROP},
                                               "private-endpoints-and-their-subnet", "tls", True, ACR_PRIVATE_LINK),
    "Key Vault with the endpoints subnet": ("prod", {}, "private-endpoints-and-their-subnet", "tls", False,
                                            ACR_PRIVATE_LINK),
    "platform registry listed as allowed": ("prod", {"kubernetes.allowedRegistries": ["contosoaksnetprod.azurecr.io"]},
                                            "private-endpoints-and-their-subnet", "kubernetes.allowedRegistries",
                                            True, ACR_PRIVATE_LINK),
    "another registry listed as allowed": ("prod", {"kubernetes.allowedRegistries": ["docker.io"]},
                                           "private-endpoints-and-their-subnet", "kubernetes.allowedRegistries",
                                           False, ACR_PRIVATE_LINK),
    # A controller's block is read only for that controller.
    "appGateway block under Envoy Gateway": ("dev", {"ingress.appGateway": {"sku": "WAF_v2"}},
                                             "ingress-block-matches-controller", "ingress.appGateway", True,
                                             APP_ROUTING),
    "nginx block under Envoy Gateway": ("dev", {"ingress.nginx": {"visibility": "public"}},
                                        "ingress-block-matches-controller", "ingress.nginx", True, APP_ROUTING),
    "nginx block under nginx": ("dev", {**_NGINX, "ingress.nginx": {"visibility": "public"}},
                                "ingress-block-matches-controller", "ingress.nginx", False, APP_ROUTING),
    # AGIC supports the v2 SKUs (Standard_v2, WAF_v2) only.
    "AGIC on WAF_v2": ("prod", {}, "agic-needs-a-v2-gateway", "ingress.appGateway.sku", False, APPGW_INFRA),
    "AGIC on Standard_v2": ("prod", {"ingress.appGateway.sku": "Standard_v2"}, "agic-needs-a-v2-gateway",
                            "ingress.appGateway.sku", False, APPGW_INFRA),
    "AGIC on v1 WAF": ("prod", {"ingress.appGateway.sku": "WAF"}, "agic-needs-a-v2-gateway",
                       "ingress.appGateway.sku", True, APPGW_INFRA),
    # An application gateway needs a dedicated subnet; other controllers do not.
    "gateway without its subnet": ("prod", {"network.spoke.subnets.appgw": _DROP}, "gateway-needs-its-subnet",
                                   "ingress.controller", True, APPGW_INFRA),
    "Envoy Gateway without a gateway subnet": ("dev", {}, "gateway-needs-its-subnet", "ingress.controller", False,
                                               APPGW_INFRA),
    # A v2 gateway has a public frontend, a private one, or both.
    "gateway with neither frontend": ("prod", {"ingress.appGateway.publicFrontend": False},
                                      "gateway-needs-a-frontend", "ingress.appGateway", True, APPGW_INFRA),
    "gateway with a private frontend only": ("prod", {"ingress.appGateway.publicFrontend": False,
                                                      "ingress.appGateway.privateIp": "10.240.4.10"},
                                             "gateway-needs-a-frontend", "ingress.appGateway", False, APPGW_INFRA),
    "gateway with a public frontend only": ("prod", {}, "gateway-needs-a-frontend", "ingress.appGateway", False,
                                            APPGW_INFRA),
    # WAF runs on WAF_v2 only, and blocks only in Prevention mode.
    "WAF_v2 in Detection": ("prod", {"ingress.appGateway.wafMode": "Detection"}, "waf-prevention-in-production",
                            "ingress.appGateway.wafMode", True, WAF),
    "Standard_v2 with wafMode Detection": ("prod", {"ingress.appGateway.sku": "Standard_v2",
                                                    "ingress.appGateway.wafMode": "Detection"},
                                           "waf-prevention-in-production", "ingress.appGateway.wafMode", False, WAF),
    "Standard_v2 in production": ("prod", {"ingress.appGateway.sku": "Standard_v2"}, "waf-prevention-in-production",
                                  "ingress.appGateway.sku", True, WAF),
    "WAF_v2 in Prevention": ("prod", {}, "waf-prevention-in-production", "ingress.appGateway.sku", False, WAF),
    # AGIC with CNI Overlay: everywhere but Azure Government (usgov* and usdod* regions).
    "AGIC on Overlay in usgovvirginia": ("prod", {"azure-native:location": "usgovvirginia"},
                                         "agic-overlay-outside-government", "ingress.controller", True, AGIC_OVERLAY),
    "AGIC on Overlay in usdodeast": ("prod", {"azure-native:location": "usdodeast"},
                                     "agic-overlay-outside-government", "ingress.controller", True, AGIC_OVERLAY),
    "AGIC on Overlay in westeurope": ("prod", {}, "agic-overlay-outside-government", "ingress.controller", False,
                                      AGIC_OVERLAY),
    "AGIC on flat Azure CNI in usgovvirginia": ("prod", {"azure-native:location": "usgovvirginia", **_FLAT},
                                                "agic-overlay-outside-government", "ingress.controller", False,
                                                AGIC_OVERLAY),
    # A v2 gateway's subnet takes no 0.0.0.0/0 route to a virtual appliance; kubenet puts its table there.
    "AGIC, kubenet, UDR": ("dev", {**_DEV_AGIC, **_DEV_UDR}, "agic-kubenet-route-table-without-udr",
                           "ingress.controller", True, APPGW_INFRA),
    "AGIC, kubenet, loadBalancer": ("dev", _DEV_AGIC, "agic-kubenet-route-table-without-udr", "ingress.controller",
                                    False, APPGW_INFRA),
    "AGIC, Azure CNI, UDR": ("dev", {**_DEV_AGIC, **_DEV_UDR, "cluster.networkPlugin": "azure",
                                     "cluster.podCidr": _DROP},
                             "agic-kubenet-route-table-without-udr", "ingress.controller", False, APPGW_INFRA),
    "Envoy Gateway, kubenet, UDR": ("dev", _DEV_UDR, "agic-kubenet-route-table-without-udr", "ingress.controller",
                                    False, APPGW_INFRA),
    # The add-on's internal nginx uses an internal load balancer; a public one gets its IP from Azure.
    "internal nginx without the ILB subnet": ("dev", {**_NGINX, "network.spoke.subnets.ilb": _DROP,
                                                      "kubernetes.apps[3].staticIp": _DROP},
                                              "nginx-fits-its-network", "ingress.nginx.visibility", True,
                                              APP_ROUTING),
    "public nginx without the ILB subnet": ("dev", {**_NGINX, "ingress.nginx": {"visibility": "public"},
                                                    "network.spoke.subnets.ilb": _DROP,
                                                    "kubernetes.apps[3].staticIp": _DROP},
                                            "nginx-fits-its-network", "ingress.nginx.visibility", False, APP_ROUTING),
    "public nginx with a static IP": ("dev", {**_NGINX, "ingress.nginx": {"visibility": "public",
                                                                          "staticIp": "192.168.2.20"}},
                                      "nginx-fits-its-network", "ingress.nginx.staticIp", True, APP_ROUTING),
    "internal nginx with a static IP": ("dev", {**_NGINX, "ingress.nginx": {"visibility": "internal",
                                                                            "staticIp": "192.168.2.20"}},
                                        "nginx-fits-its-network", "ingress.nginx.staticIp", False, APP_ROUTING),
    # An internal LoadBalancer Service takes its frontend from the ILB subnet; a public one does not.
    "internal LB Service without the ILB subnet": ("dev", {"network.spoke.subnets.ilb": _DROP,
                                                           "kubernetes.apps[3].staticIp": _DROP},
                                                   "internal-services-need-ilb-subnet",
                                                   "kubernetes.apps[3].serviceType", True, INTERNAL_LB),
    "internal LB Service with the ILB subnet": ("dev", {}, "internal-services-need-ilb-subnet",
                                                "kubernetes.apps[3].serviceType", False, INTERNAL_LB),
    "public LB Service without the ILB subnet": ("dev", {"network.spoke.subnets.ilb": _DROP,
                                                         "kubernetes.apps[3].staticIp": _DROP},
                                                 "internal-services-need-ilb-subnet",
                                                 "kubernetes.apps[1].serviceType", False, INTERNAL_LB),
    # Ingresses (and flows from the controller's proxies) need a controller.
    "ingresses without a controller": ("dev", {"ingress.controller": "none"}, "ingresses-need-a-controller",
                                       "kubernetes.ingresses", True, APP_ROUTING),
    "ingresses with nginx": ("dev", _NGINX, "ingresses-need-a-controller", "kubernetes.ingresses", False,
                             APP_ROUTING),
    "flow from the controller without one": ("dev", {"ingress.controller": "none",
                                                     "kubernetes.flows[1]": _FROM_CONTROLLER},
                                             "ingresses-need-a-controller", "kubernetes.flows[1].from.ingressController",
                                             True, APP_ROUTING),
    "flow from the controller with one": ("dev", {"kubernetes.flows[1]": _FROM_CONTROLLER},
                                          "ingresses-need-a-controller", "kubernetes.flows[1].from.ingressController",
                                          False, APP_ROUTING),
    # Overlay is a mode of Azure CNI only: not kubenet, not a CNI brought by the user.
    "Overlay on kubenet": ("dev", {"cluster.networkPluginMode": "overlay"}, "overlay-needs-azure-cni",
                           "cluster.networkPluginMode", True, OVERLAY),
    "Overlay on no plugin": ("dev", {**_BYO, "cluster.networkPluginMode": "overlay"}, "overlay-needs-azure-cni",
                             "cluster.networkPluginMode", True, OVERLAY),
    "kubenet without Overlay": ("dev", {}, "overlay-needs-azure-cni", "cluster.networkPluginMode", False, OVERLAY),
    "Overlay on Azure CNI": ("prod", {}, "overlay-needs-azure-cni", "cluster.networkPluginMode", False, OVERLAY),
    # Azure NPM runs on Azure CNI only; Calico runs on kubenet too.
    "Azure NPM on kubenet": ("dev", {"cluster.networkPolicy": "azure"}, "azure-npm-needs-azure-cni",
                             "cluster.networkPolicy", True, POLICIES),
    "Calico on kubenet": ("dev", {}, "azure-npm-needs-azure-cni", "cluster.networkPolicy", False, POLICIES),
    "Azure NPM on Azure CNI": ("prod", {"cluster.networkPolicy": "azure", "cluster.networkDataplane": "azure"},
                               "azure-npm-needs-azure-cni", "cluster.networkPolicy", False, POLICIES),
    # With networkPlugin none, AKS installs no policy engine: the CNI brought does.
    "Calico with no plugin": ("dev", {**_BYO, "cluster.networkPolicy": "calico"}, "byo-cni-brings-its-policy",
                              "cluster.networkPolicy", True, POLICIES),
    "Calico on kubenet, no BYO CNI": ("dev", {}, "byo-cni-brings-its-policy", "cluster.networkPolicy", False,
                                      POLICIES),
    "no policy with no plugin": ("dev", _BYO, "byo-cni-brings-its-policy", "cluster.networkPolicy", False, POLICIES),
    # Cilium policy comes with the Cilium dataplane, which runs on Azure CNI and enforces policy itself.
    "Cilium policy on the Azure dataplane": ("prod", {"cluster.networkDataplane": "azure"},
                                             "cilium-policy-needs-cilium-dataplane", "cluster.networkPolicy", True,
                                             CILIUM),
    "Cilium policy on the Cilium dataplane": ("prod", {}, "cilium-policy-needs-cilium-dataplane",
                                              "cluster.networkPolicy", False, CILIUM),
    "Cilium dataplane on kubenet": ("dev", {"cluster.networkDataplane": "cilium", "cluster.networkPolicy": "cilium"},
                                    "cilium-dataplane-needs-azure-cni", "cluster.networkDataplane", True, CILIUM),
    "Cilium dataplane on no plugin": ("dev", {**_BYO, "cluster.networkDataplane": "cilium"},
                                      "cilium-dataplane-needs-azure-cni", "cluster.networkDataplane", True, CILIUM),
    "Cilium dataplane on Azure CNI": ("prod", {}, "cilium-dataplane-needs-azure-cni", "cluster.networkDataplane",
                                      False, CILIUM),
    "Cilium dataplane with no policy": ("prod", {"cluster.networkPolicy": "none"},
                                        "cilium-dataplane-enforces-policies", "cluster.networkPolicy", True, CILIUM),
    "Cilium dataplane with Calico": ("prod", {"cluster.networkPolicy": "calico"},
                                     "cilium-dataplane-enforces-policies", "cluster.networkPolicy", True, CILIUM),
    "Cilium dataplane with Cilium policy": ("prod", {}, "cilium-dataplane-enforces-policies", "cluster.networkPolicy",
                                            False, CILIUM),
    # The Cilium dataplane assigns pod IPs by Overlay or from a pod subnet (dynamic IP allocation).
    "Cilium on flat Azure CNI without a pod subnet": ("prod", _FLAT, "cilium-dataplane-needs-dynamic-pod-ips",
                                                      "cluster.networkDataplane", True, CILIUM),
    "Cilium on flat Azure CNI with a pod subnet": ("prod", {**_FLAT, "network.spoke.subnets.pods": "10.240.16.0/20"},
                                                   "cilium-dataplane-needs-dynamic-pod-ips",
                                                   "cluster.networkDataplane", False, CILIUM),
    "Cilium on kubenet, no pod subnet": ("dev", {"cluster.networkDataplane": "cilium",
                                                 "cluster.networkPolicy": "cilium"},
                                         "cilium-dataplane-needs-dynamic-pod-ips", "cluster.networkDataplane", False,
                                         CILIUM),
    "Cilium on Overlay without a pod subnet": ("prod", {}, "cilium-dataplane-needs-dynamic-pod-ips",
                                               "cluster.networkDataplane", False, CILIUM),
    # The Istio add-on runs on the network plugins AKS manages, not on a CNI the user brings.
    "Istio with no plugin": ("dev", {**_BYO, "cluster.serviceMesh": "istio"}, "istio-needs-managed-cni",
                             "cluster.serviceMesh", True, ISTIO),
    "no mesh with no plugin": ("dev", _BYO, "istio-needs-managed-cni", "cluster.serviceMesh", False, ISTIO),
    # A pod subnet is for Azure CNI without Overlay: kubenet, Overlay and BYO CNI take no pod subnet.
    "pod subnet with Overlay": ("prod", {"network.spoke.subnets.pods": "10.240.16.0/20"},
                                "pod-subnet-only-for-dynamic-ips", "network.spoke.subnets.pods", True, IP_PLANNING),
    "pod subnet with flat Azure CNI": ("prod", {**_FLAT, "network.spoke.subnets.pods": "10.240.16.0/20"},
                                       "pod-subnet-only-for-dynamic-ips", "network.spoke.subnets.pods", False,
                                       IP_PLANNING),
    "pod subnet with kubenet": ("dev", {"network.spoke.subnets.pods": "192.168.16.0/20"},
                                "pod-subnet-only-for-dynamic-ips", "network.spoke.subnets.pods", True, IP_PLANNING),
    "pod subnet with no plugin": ("dev", {**_BYO, "network.spoke.subnets.pods": "192.168.16.0/20"},
                                  "pod-subnet-only-for-dynamic-ips", "network.spoke.subnets.pods", True, IP_PLANNING),
    # Pods take VNet addresses on flat Azure CNI: a pod CIDR is for Overlay and kubenet.
    "pod CIDR on flat Azure CNI": ("prod", {"cluster.networkPluginMode": _DROP}, "pod-cidr-only-with-overlay-or-kubenet",
                                   "cluster.podCidr", True, IP_PLANNING),
    "pod CIDR on Overlay": ("prod", {}, "pod-cidr-only-with-overlay-or-kubenet", "cluster.podCidr", False,
                            IP_PLANNING),
    "pod CIDR on kubenet": ("dev", {}, "pod-cidr-only-with-overlay-or-kubenet", "cluster.podCidr", False,
                            IP_PLANNING),
    # AKS needs at least one System pool; User pools may sit beside it.
    "only a User pool": ("dev", {"cluster.nodePools[0].mode": "User"}, "system-pool-present", "cluster.nodePools",
                         True, SYSTEM_POOLS),
    "a System pool and a User pool": ("dev", {"cluster.nodePools[1]": _pool()}, "system-pool-present",
                                      "cluster.nodePools", False, SYSTEM_POOLS),
    # Max pods per node: 10 to 250; a System pool has room for at least 30 pods over its fewest nodes.
    "User pool with 10 pods per node": ("dev", {"cluster.nodePools[1]": _pool(maxPods=10)}, "max-pods-in-range",
                                        "cluster.nodePools[1].maxPods", False, IP_PLANNING),
    "User pool with 9 pods per node": ("dev", {"cluster.nodePools[1]": _pool(maxPods=9)}, "max-pods-in-range",
                                       "cluster.nodePools[1].maxPods", True, IP_PLANNING),
    "User pool with 250 pods per node": ("dev", {"cluster.nodePools[1]": _pool(maxPods=250)}, "max-pods-in-range",
                                         "cluster.nodePools[1].maxPods", False, IP_PLANNING),
    "User pool with 251 pods per node": ("dev", {"cluster.nodePools[1]": _pool(maxPods=251)}, "max-pods-in-range",
                                         "cluster.nodePools[1].maxPods", True, IP_PLANNING),
    "System pool, 2 nodes of 15 pods": ("dev", {"cluster.nodePools[0].maxPods": 15}, "max-pods-in-range",
                                        "cluster.nodePools[0].maxPods", False, IP_PLANNING),
    "System pool, 2 nodes of 14 pods": ("dev", {"cluster.nodePools[0].maxPods": 14}, "max-pods-in-range",
                                        "cluster.nodePools[0].maxPods", True, IP_PLANNING),
    "System pool, at least 3 nodes of 10 pods": ("prod", {"cluster.nodePools[0].maxPods": 10}, "max-pods-in-range",
                                                 "cluster.nodePools[0].maxPods", False, IP_PLANNING),
    "System pool, at least 2 nodes of 10 pods": ("prod", {"cluster.nodePools[0].maxPods": 10,
                                                          "cluster.nodePools[0].minCount": 2},
                                                 "max-pods-in-range", "cluster.nodePools[0].maxPods", True,
                                                 IP_PLANNING),
}


@pytest.mark.parametrize("case", list(CASES))
def test_rule_fires_exactly_where_its_documentation_says(case: str) -> None:
    stack, changes, rule_id, key, fires, _source = CASES[case]
    at_key = [p for p in paths(stack, changes, rule_id) if p == key]
    assert at_key == ([key] if fires else []), paths(stack, changes, rule_id)


_LIFE = MINORS["1.36"]
# id: (day, rule id, fires): support ends on the end-of-life date, starts on the GA date; the
# ending-soon advisory covers the last WARN_DAYS days of support.
DATED: dict[str, tuple[datetime.date, str, bool]] = {
    "on the end-of-life day": (_LIFE.end_of_life, "kubernetes-version-creatable", True),
    "the day before end of life": (_LIFE.end_of_life - datetime.timedelta(days=1), "kubernetes-version-creatable",
                                   False),
    "on the GA day": (_LIFE.ga, "kubernetes-version-creatable", False),
    "the day before GA": (_LIFE.ga - datetime.timedelta(days=1), "kubernetes-version-creatable", True),
    "ending soon, on the end-of-life day": (_LIFE.end_of_life, "kubernetes-version-ending-soon", False),
    "ending soon, the day before end of life": (_LIFE.end_of_life - datetime.timedelta(days=1),
                                                "kubernetes-version-ending-soon", True),
    "ending soon, first day of the window": (_LIFE.end_of_life - datetime.timedelta(days=WARN_DAYS),
                                             "kubernetes-version-ending-soon", True),
    "ending soon, the day before the window": (_LIFE.end_of_life - datetime.timedelta(days=WARN_DAYS + 1),
                                               "kubernetes-version-ending-soon", False),
}


@pytest.mark.parametrize("case", list(DATED))
def test_version_support_window_holds_at_its_boundary_days(case: str) -> None:
    day, rule_id, fires = DATED[case]
    assert paths("dev", {}, rule_id, day) == (("cluster.kubernetesVersion",) if fires else ()), VERSIONS


def test_a_name_another_part_of_the_stack_declares_names_that_part() -> None:
    """Two parts of the stack declaring one object: the refusal names the other part, not the same one twice."""
    config = variant(_stack("dev"), {f"{C}kubernetes.policies": [_policy("development", "default-deny")]})
    rule = next(r for r in RULES if r.id == "unique-kubernetes-objects")
    problems = rule.spec_problems(load_spec(config, "dev"), TODAY)
    assert [(p.path.removeprefix(C), "kubernetes.defaultDeny" in p.message) for p in problems] == \
        [("kubernetes.policies[0]", True)], NAMES
