"""The stack readers' Azure and Kubernetes facts, pinned surface by surface (issue 27).

Each table below walks one reader's bounds, accepted values and defaults against the documented
value, on both sides of every bound: a value Azure or the Kubernetes API accepts must load, the
neighbouring value it refuses must be refused once, at its own key path. The expected outcomes come
from the page cited beside each row (our words, their facts), never from running the readers.
Pure readers only (`load_spec`, `load_hub_spec`, `check_policy_spec`): no program run.
"""

from __future__ import annotations

import copy
import datetime
from typing import Any

import pytest

from aksnet.config.hub import load_hub_spec
from aksnet.config.image_reference import reference_problem
from aksnet.config.ingress_controllers import (
    AGC_DELEGATION,
    AGC_FREE_ADDRESSES,
    AGC_SUBNET_PREFIX,
    ALB_CONTROLLER,
    ALB_SERVICE_ACCOUNT,
    ENVOY_GATEWAY,
)
from aksnet.config.landing_zone import read_landing_zone
from aksnet.config.lifecycle import APP_ROUTING_NGINX, AZURE_NPM_LINUX, KUBENET, MINORS, creatable
from aksnet.config.policy_spec import check_policy_spec
from aksnet.config.problems import ConfigError
from aksnet.config.regions import REGIONS
from aksnet.config.schema import Obj, Problems
from aksnet.config.stack import load_spec
from tests.stacks import committed, variant
from tools.stackfile import read_stack_file

C = "aks-networking:"
CL = f"{C}cluster"
FW = f"{C}egress.firewall"
AG = f"{C}ingress.appGateway"
K = f"{C}kubernetes"


_stack = committed  # read once, shared: `variant` copies it before changing anything


def stack_config(stack: str) -> dict[str, Any]:
    """A committed stack's config map, read once and copied for each test."""
    return copy.deepcopy(_stack(stack))


def problem_paths(config: dict[str, Any], stack: str = "dev") -> list[str]:
    """The key path of each problem the readers find; [] when the stack file loads."""
    try:
        load_spec(config, stack)
    except ConfigError as refused:
        return [p.path for p in refused.problems]
    return []


def spec_of(config: dict[str, Any], stack: str = "dev") -> Any:
    return load_spec(config, stack)


def _pools(count: int) -> list[dict[str, Any]]:
    names = [f"p{index}" for index in range(count - 1)]
    return [{"name": "system", "mode": "System", "count": 1}] + [{"name": n, "count": 1} for n in names]


def _ranges(count: int) -> list[str]:
    return [f"203.0.{index // 256}.{index % 256}/32" for index in range(count)]


AKS_QUOTAS = "https://learn.microsoft.com/azure/aks/quotas-skus-regions#service-quotas-and-limits"
AKS_AUTOSCALER = "https://learn.microsoft.com/azure/aks/cluster-autoscaler"
AKS_LB = "https://learn.microsoft.com/azure/aks/load-balancer-standard"
AKS_AGENTPOOL_API = "https://learn.microsoft.com/rest/api/aks/agent-pools/create-or-update"
FIREWALL_IPS = "https://learn.microsoft.com/azure/firewall/deploy-multi-public-ip-powershell"
FIREWALL_RULES = "https://learn.microsoft.com/azure/firewall/rule-processing"
FIREWALL_TAGS = "https://learn.microsoft.com/azure/firewall/service-tags"
APPGW_SCALE = "https://learn.microsoft.com/azure/application-gateway/application-gateway-autoscaling-zone-redundant"
NAME_RULES = "https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules"
KV_NAMES = ("https://learn.microsoft.com/azure/key-vault/general/about-keys-secrets-certificates"
            "#vault-name-and-object-name")
LA_RETENTION = "https://learn.microsoft.com/azure/azure-monitor/logs/data-retention-configure"
TAG_LIMITS = "https://learn.microsoft.com/azure/azure-resource-manager/management/tag-resources#limitations"
K8S_LABELS = "https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#syntax-and-character-set"
K8S_SERVICE = "https://kubernetes.io/docs/reference/kubernetes-api/service-resources/service-v1/#ServiceSpec"

# (stack, changes, the one key path refused or None when it loads, source) ------------------------------
BOUNDS: list[tuple[str, str, dict[str, Any], str | None]] = [
    # Node pools: 1 to 1000 nodes; a User pool may scale to zero, a System pool keeps one; the autoscaler
    # takes minCount up to maxCount, equal included; a cluster holds at most 100 node pools.
    (AKS_QUOTAS, "prod", {f"{CL}.nodePools[1].minCount": 0}, None),
    (AKS_QUOTAS, "prod", {f"{CL}.nodePools[0].minCount": 0}, f"{CL}.nodePools[0].minCount"),
    (AKS_AUTOSCALER, "prod", {f"{CL}.nodePools[1].minCount": 5, f"{CL}.nodePools[1].maxCount": 5}, None),
    (AKS_AUTOSCALER, "prod", {f"{CL}.nodePools[1].minCount": 6, f"{CL}.nodePools[1].maxCount": 5},
     f"{CL}.nodePools[1].minCount"),
    (AKS_QUOTAS, "prod", {f"{CL}.nodePools[1].maxCount": 1000}, None),
    (AKS_QUOTAS, "prod", {f"{CL}.nodePools[1].maxCount": 1001}, f"{CL}.nodePools[1].maxCount"),
    (AKS_QUOTAS, "dev", {f"{CL}.nodePools": _pools(100)}, None),
    (AKS_QUOTAS, "dev", {f"{CL}.nodePools": _pools(101)}, f"{CL}.nodePools"),
    (AKS_AGENTPOOL_API, "dev", {f"{CL}.nodePools[0].osDiskSizeGB": 2048}, None),
    (AKS_AGENTPOOL_API, "dev", {f"{CL}.nodePools[0].osDiskSizeGB": 2049}, f"{CL}.nodePools[0].osDiskSizeGB"),
    # A zone is 1, 2 or 3.
    ("https://learn.microsoft.com/azure/reliability/availability-zones-overview", "prod",
     {f"{CL}.nodePools[0].zones": [1, 2, 4]}, f"{CL}.nodePools[0].zones[2]"),
    # Managed outbound IPs of the cluster's load balancer: 1 to 100.
    (AKS_LB, "dev", {f"{CL}.outboundIpCount": 100}, None),
    (AKS_LB, "dev", {f"{CL}.outboundIpCount": 101}, f"{CL}.outboundIpCount"),
    (AKS_LB, "dev", {f"{CL}.outboundIpCount": 0}, f"{CL}.outboundIpCount"),
    # Upgrade surge: a node count or a percentage; with no maxUnavailable, surge must be above 0.
    (AKS_AGENTPOOL_API, "dev", {f"{CL}.maxSurge": "100%"}, None),
    (AKS_AGENTPOOL_API, "dev", {f"{CL}.maxSurge": 1}, None),
    (AKS_AGENTPOOL_API, "dev", {f"{CL}.maxSurge": "0"}, f"{CL}.maxSurge"),
    (AKS_AGENTPOOL_API, "dev", {f"{CL}.maxSurge": "0%"}, f"{CL}.maxSurge"),
    # Every network plugin, plugin mode, dataplane, policy engine and outbound type AKS names is accepted.
    ("https://learn.microsoft.com/azure/aks/concepts-network-cni-overview", "dev",
     {f"{CL}.networkPlugin": "none", f"{CL}.networkPolicy": "none"}, None),
    ("https://learn.microsoft.com/azure/aks/use-network-policies", "prod",
     {f"{CL}.networkDataplane": "azure", f"{CL}.networkPolicy": "azure"}, None),
    ("https://learn.microsoft.com/azure/aks/egress-outboundtype", "dev",
     {f"{CL}.outboundType": "userAssignedNATGateway"}, None),
    ("https://learn.microsoft.com/azure/aks/egress-outboundtype", "dev",
     {f"{CL}.outboundType": "managedNATGateway"}, None),
    ("https://learn.microsoft.com/azure/aks/auto-upgrade-cluster", "dev",
     {f"{CL}.upgradeChannel": "node-image"}, None),
    ("https://learn.microsoft.com/azure/aks/auto-upgrade-node-os-image", "dev",
     {f"{CL}.nodeOsUpgradeChannel": "SecurityPatch"}, None),
    ("https://learn.microsoft.com/azure/aks/auto-upgrade-node-os-image", "dev",
     {f"{CL}.nodeOsUpgradeChannel": "Unmanaged"}, None),
    ("https://learn.microsoft.com/azure/aks/free-standard-pricing-tiers", "dev", {f"{CL}.skuTier": "Premium"}, None),
    ("https://learn.microsoft.com/azure/aks/free-standard-pricing-tiers", "dev", {f"{CL}.skuTier": "Basic"},
     f"{CL}.skuTier"),
    ("https://learn.microsoft.com/azure/aks/private-clusters#configure-a-private-dns-zone", "prod",
     {f"{CL}.privateDnsZone": "none"}, None),
    ("https://learn.microsoft.com/azure/aks/istio-about", "dev", {f"{CL}.serviceMesh": "istio"}, None),
    ("https://learn.microsoft.com/azure/aks/concepts-storage#ephemeral-os-disk", "dev",
     {f"{CL}.nodePools[0].osDiskType": "Managed"}, None),
    ("https://learn.microsoft.com/azure/aks/concepts-storage#ephemeral-os-disk", "dev",
     {f"{CL}.nodePools[0].osDiskType": "Premium"}, f"{CL}.nodePools[0].osDiskType"),
    # Azure Firewall: up to 250 public IPs, at least one.
    (FIREWALL_IPS, "prod", {f"{FW}.publicIpCount": 250}, None),
    (FIREWALL_IPS, "prod", {f"{FW}.publicIpCount": 251}, f"{FW}.publicIpCount"),
    (FIREWALL_IPS, "prod", {f"{FW}.publicIpCount": 0}, f"{FW}.publicIpCount"),
    # Application Gateway v2 autoscaling: 0 to 125 instances; the minimum may equal the maximum.
    (APPGW_SCALE, "prod", {f"{AG}.minCapacity": 0, f"{AG}.maxCapacity": 125}, None),
    (APPGW_SCALE, "prod", {f"{AG}.maxCapacity": 126}, f"{AG}.maxCapacity"),
    (APPGW_SCALE, "prod", {f"{AG}.minCapacity": 10, f"{AG}.maxCapacity": 10}, None),
    (APPGW_SCALE, "prod", {f"{AG}.minCapacity": 11, f"{AG}.maxCapacity": 10}, f"{AG}.minCapacity"),
    (APPGW_SCALE, "prod", {f"{AG}.minCapacity": -1}, f"{AG}.minCapacity"),
    # Key Vault: 3 to 24 letters, digits and hyphens, a letter first, no two hyphens in a row;
    # a secret's name 1 to 127 letters, digits and hyphens.
    (KV_NAMES, "prod", {f"{C}tls.keyVault": "kv" + "a" * 22}, None),
    (KV_NAMES, "prod", {f"{C}tls.keyVault": "kv" + "a" * 23}, f"{C}tls.keyVault"),
    (KV_NAMES, "prod", {f"{C}tls.keyVault": "kva"}, None),
    (KV_NAMES, "prod", {f"{C}tls.keyVault": "kv"}, f"{C}tls.keyVault"),
    (KV_NAMES, "prod", {f"{C}tls.keyVault": "kv--contoso"}, f"{C}tls.keyVault"),
    (KV_NAMES, "prod", {f"{C}tls.keyVault": "1kv-contoso"}, f"{C}tls.keyVault"),
    (KV_NAMES, "prod", {f"{C}tls.certificates[0].name": "c" * 127}, None),
    (KV_NAMES, "prod", {f"{C}tls.certificates[0].name": "c" * 128}, f"{C}tls.certificates[0].name"),
    (KV_NAMES, "prod", {f"{C}tls.certificates": []}, f"{C}tls.certificates"),
    # Container registry: 5 to 50 alphanumerics.
    (f"{NAME_RULES}#microsoftcontainerregistry", "prod", {f"{C}registry.name": "a" * 50}, None),
    (f"{NAME_RULES}#microsoftcontainerregistry", "prod", {f"{C}registry.name": "a" * 51}, f"{C}registry.name"),
    (f"{NAME_RULES}#microsoftcontainerregistry", "prod", {f"{C}registry.name": "a" * 5}, None),
    # Log Analytics retention on pay-as-you-go: 30 to 730 days.
    (LA_RETENTION, "dev", {f"{C}diagnostics": {"retentionDays": 730}}, None),
    (LA_RETENTION, "dev", {f"{C}diagnostics": {"retentionDays": 731}}, f"{C}diagnostics.retentionDays"),
    (LA_RETENTION, "dev", {f"{C}diagnostics": {"retentionDays": 29}}, f"{C}diagnostics.retentionDays"),
    # Traffic analytics reads the flow logs.
    ("https://learn.microsoft.com/azure/network-watcher/traffic-analytics", "dev",
     {f"{C}diagnostics": {"flowLogs": False, "trafficAnalytics": True}}, f"{C}diagnostics.trafficAnalytics"),
    # Resource groups: 1 to 90 characters, not ending in a period. Workspaces: 4 to 63 characters.
    (f"{NAME_RULES}#microsoftresources", "dev", {f"{C}diagnostics": {"networkWatcherResourceGroup": "g" * 90}},
     None),
    (f"{NAME_RULES}#microsoftresources", "dev", {f"{C}diagnostics": {"networkWatcherResourceGroup": "g" * 91}},
     f"{C}diagnostics.networkWatcherResourceGroup"),
    (f"{NAME_RULES}#microsoftresources", "dev", {f"{C}diagnostics": {"networkWatcherResourceGroup": "rg-net."}},
     f"{C}diagnostics.networkWatcherResourceGroup"),
    (f"{NAME_RULES}#microsoftoperationalinsights", "dev", {f"{C}diagnostics": {"workspaceId": (
        "/subscriptions/6f1a2b3c-4d5e-4f60-8a71-92b3c4d5e6f7/resourceGroups/rg/providers/"
        "Microsoft.OperationalInsights/workspaces/" + "w" * 63)}}, None),
    (f"{NAME_RULES}#microsoftoperationalinsights", "dev", {f"{C}diagnostics": {"workspaceId": (
        "/subscriptions/6f1a2b3c-4d5e-4f60-8a71-92b3c4d5e6f7/resourceGroups/rg/providers/"
        "Microsoft.OperationalInsights/workspaces/" + "w" * 64)}}, f"{C}diagnostics.workspaceId"),
    # Tags: a name of at most 512 characters without < > % & \ ? /, a value of at most 256.
    (TAG_LIMITS, "dev", {f"{C}environment.tags": {"n" * 512: "v" * 256}}, None),
    (TAG_LIMITS, "dev", {f"{C}environment.tags": {"n" * 513: "v"}}, f"{C}environment.tags.{'n' * 513}"),
    (TAG_LIMITS, "dev", {f"{C}environment.tags": {"n": "v" * 257}}, f"{C}environment.tags.n"),
    *[(TAG_LIMITS, "dev", {f"{C}environment.tags": {f"cost{c}centre": "v"}}, f"{C}environment.tags.cost{c}centre")
      for c in "<>%&\\?/"],
    # Kubernetes: a Service port 1 to 65535; a label key's prefix up to 253 characters; zero replicas.
    (K8S_SERVICE, "dev", {f"{K}.apps[2].ports[0].port": 65535}, None),
    (K8S_SERVICE, "dev", {f"{K}.apps[2].ports[0].port": 65536}, f"{K}.apps[2].ports[0].port"),
    (K8S_SERVICE, "dev", {f"{K}.apps[0].ports[0].targetPort": 0}, f"{K}.apps[0].ports[0].targetPort"),
    ("https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/deployment-v1/#DeploymentSpec", "dev",
     {f"{K}.apps[2].replicas": 0}, None),
    (K8S_LABELS, "dev", {f"{K}.namespaces[0].labels": {"a" * 63 + "." + "b" * 189 + "/team": "x"}}, None),
    (K8S_LABELS, "dev", {f"{K}.namespaces[0].labels": {"a" * 63 + "." + "b" * 190 + "/team": "x"}},
     f"{K}.namespaces[0].labels.{'a' * 63 + '.' + 'b' * 190 + '/team'}"),
    ("https://kubernetes.io/docs/reference/kubernetes-api/service-resources/service-v1/#ServiceSpec", "dev",
     {f"{K}.apps[2].serviceType": "None", f"{K}.apps[2].ports": []}, None),
    # An ipBlock's except lies strictly inside its cidr; a flow has pods of the cluster on one side at least.
    ("https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/#NetworkPolicySpec",
     "dev", {f"{K}.flows[2].from": {"cidr": "0.0.0.0/0", "except": ["0.0.0.0/0"]}}, f"{K}.flows[2].from.except[0]"),
    ("https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/#NetworkPolicySpec",
     "dev", {f"{K}.flows[2].from": {"cidr": "0.0.0.0/0", "except": ["10.0.0.0/8"]}}, None),
    ("https://kubernetes.io/docs/concepts/services-networking/network-policies/", "dev",
     {f"{K}.flows[2].to": {"cidr": "10.0.0.0/8"}}, f"{K}.flows[2]"),
    # An Entra ID object id is a GUID, 8-4-4-4-12 hex digits (RFC 4122 section 3).
    ("https://www.rfc-editor.org/rfc/rfc4122#section-3", "prod",
     {f"{CL}.entraId.adminGroupObjectIds": ["6f1a2b3c-4d5e-4f60-8a71-92b3c4d5"]}, f"{CL}.entraId.adminGroupObjectIds[0]"),
    # An ingress block of another controller than the one chosen is a mistake, said at the block.
    ("https://learn.microsoft.com/azure/application-gateway/for-containers/overview", "dev",
     {f"{C}ingress": {"controller": "envoyGateway", "agc": {}}}, f"{C}ingress.agc"),
    # The spoke names its nodes' subnet; with a hub, the firewall and Bastion subnets are the hub's.
    ("https://learn.microsoft.com/azure/aks/configure-azure-cni", "dev", {f"{C}network.spoke.subnets": {
        "ilb": "192.168.2.0/24"}}, f"{C}network.spoke.subnets.nodes"),
    ("https://learn.microsoft.com/azure/architecture/networking/architecture/hub-spoke", "prod",
     {f"{C}network.spoke.subnets.AzureFirewallSubnet": "10.240.7.0/26"}, f"{C}network.spoke.subnets.AzureFirewallSubnet"),
    ("https://learn.microsoft.com/azure/architecture/networking/architecture/hub-spoke", "dev",
     {f"{C}network.spoke.subnets.AzureFirewallSubnet": "192.168.3.0/26"}, None),
    # A NetworkPolicy port is 1 to 65535.
    ("https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/", "dev",
     {f"{K}.flows[0].ports": ["TCP/65535"]}, None),
    ("https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/", "dev",
     {f"{K}.flows[0].ports": ["TCP/0"]}, f"{K}.flows[0].ports[0]"),
]


@pytest.mark.parametrize("source, stack, changes, refused", BOUNDS,
                         ids=[f"{stack}:{','.join(f'{k.rsplit(chr(46), 2)[-1]}={str(v)[:12]}' for k, v in ch.items())}"
                              for _, stack, ch, _ in BOUNDS])
def test_each_documented_bound_is_held_on_both_sides(source, stack, changes, refused):
    paths = problem_paths(variant(stack_config(stack), changes), stack)
    assert paths == ([] if refused is None else [refused]), source


# Azure Firewall rules ---------------------------------------------------------------------------------
# Destination ports: `*`, a port 1-65535 or a range of them; protocols TCP, UDP, ICMP and Any; a
# destination by address, CIDR or service tag (a regional one has a dot: AzureCloud.westeurope).
# DNAT: TCP or UDP, ports 1-65535 both sides.

def _network_rule(**changes: Any) -> dict[str, Any]:
    return {"name": "ntp", "protocols": ["UDP"], "destinationAddresses": ["*"], "ports": ["123"], **changes}


def _dnat_rule(**changes: Any) -> dict[str, Any]:
    return {"name": "ssh", "protocol": "TCP", "port": 2222, "translatedAddress": "10.240.0.4", "translatedPort": 22,
            **changes}


FIREWALL_ROWS = [
    (FIREWALL_RULES, {"networkRules": [_network_rule(ports=["*", "1", "65535", "1-65535", "443-443"])]}, None),
    (FIREWALL_RULES, {"networkRules": [_network_rule(ports=["0"])]}, "networkRules[0].ports[0]"),
    (FIREWALL_RULES, {"networkRules": [_network_rule(ports=["65536"])]}, "networkRules[0].ports[0]"),
    (FIREWALL_RULES, {"networkRules": [_network_rule(ports=["8080-8000"])]}, "networkRules[0].ports[0]"),
    (FIREWALL_RULES, {"networkRules": [_network_rule(protocols=["TCP", "UDP", "ICMP", "Any"])]}, None),
    (FIREWALL_RULES, {"networkRules": [_network_rule(protocols=["SCTP"])]}, "networkRules[0].protocols[0]"),
    (FIREWALL_TAGS, {"networkRules": [_network_rule(destinationAddresses=["AzureCloud.westeurope", "Storage",
                                                                           "10.1.0.0/16", "10.1.2.3"])]}, None),
    (FIREWALL_TAGS, {"networkRules": [_network_rule(destinationAddresses=["10.1.2.0/16"])]},
     "networkRules[0].destinationAddresses[0]"),
    (FIREWALL_RULES, {"networkRules": [_network_rule(destinationAddresses=[])]}, "networkRules[0]"),
    (f"{NAME_RULES}#microsoftnetwork", {"networkRules": [_network_rule(name="r" * 80)]}, None),
    (f"{NAME_RULES}#microsoftnetwork", {"networkRules": [_network_rule(name="r" * 81)]}, "networkRules[0].name"),
    ("https://learn.microsoft.com/azure/firewall/tutorial-firewall-dnat", {"dnatRules": [
        _dnat_rule(), _dnat_rule(name="dns", protocol="UDP", port=65535, translatedPort=65535)]}, None),
    ("https://learn.microsoft.com/azure/firewall/tutorial-firewall-dnat", {"dnatRules": [_dnat_rule(port=0)]},
     "dnatRules[0].port"),
    ("https://learn.microsoft.com/azure/firewall/tutorial-firewall-dnat",
     {"dnatRules": [_dnat_rule(translatedPort=65536)]}, "dnatRules[0].translatedPort"),
    ("https://learn.microsoft.com/azure/firewall/tutorial-firewall-dnat",
     {"dnatRules": [_dnat_rule(protocol="ICMP")]}, "dnatRules[0].protocol"),
    ("https://learn.microsoft.com/azure/firewall/tutorial-firewall-dnat",
     {"dnatRules": [_dnat_rule(translatedPort=0)]}, "dnatRules[0].translatedPort"),
]


@pytest.mark.parametrize("source, firewall, refused", FIREWALL_ROWS)
def test_firewall_rules_hold_azure_firewalls_ports_protocols_and_destinations(source, firewall, refused):
    config = stack_config("prod")
    config[f"{C}egress"]["firewall"].update(copy.deepcopy(firewall))
    assert problem_paths(config, "prod") == ([] if refused is None else [f"{FW}.{refused}"]), source


# Defaults ---------------------------------------------------------------------------------------------

def _bare_cluster(**keys: Any) -> dict[str, Any]:
    """dev with a cluster section holding only its node pool and what is given."""
    config = stack_config("dev")
    config[f"{C}cluster"] = {"nodePools": [{"name": "system", "mode": "System", "count": 2}], **keys}
    return config


def test_an_unset_network_profile_reads_as_aks_documents_its_defaults():
    # AKS's own defaults: pod CIDR 10.244.0.0/16 (kubenet, Overlay), service CIDR 10.0.0.0/16 and the
    # DNS service at 10.0.0.10. https://learn.microsoft.com/azure/aks/configure-kubenet,
    # https://learn.microsoft.com/azure/aks/azure-cni-overlay#ip-address-planning
    for keys, pod_cidr in (({"networkPlugin": "kubenet"}, "10.244.0.0/16"),
                           ({"networkPlugin": "azure", "networkPluginMode": "overlay"}, "10.244.0.0/16"),
                           ({"networkPlugin": "azure"}, None)):
        cluster = spec_of(_bare_cluster(**keys)).cluster
        assert (str(cluster.pod_cidr) if cluster.pod_cidr else None, str(cluster.service_cidr),
                str(cluster.dns_service_ip)) == (pod_cidr, "10.0.0.0/16", "10.0.0.10"), keys


@pytest.mark.parametrize("keys, policy", [
    # With the Cilium dataplane the policy engine is Cilium's, and only it
    # (https://learn.microsoft.com/azure/aks/azure-cni-powered-by-cilium#limitations); a cluster with
    # no CNI of AKS's (bring your own) has no AKS policy engine
    # (https://learn.microsoft.com/azure/aks/use-byo-cni); otherwise the project's default is calico
    # (DESIGN.md: policies on by default).
    ({"networkPlugin": "azure", "networkPluginMode": "overlay", "networkDataplane": "cilium"}, "cilium"),
    ({"networkPlugin": "none"}, "none"),
    ({"networkPlugin": "kubenet"}, "calico"),
    ({"networkPlugin": "azure", "networkPluginMode": "overlay"}, "calico"),
])
def test_the_policy_engine_defaults_to_the_one_the_dataplane_takes(keys, policy):
    assert spec_of(_bare_cluster(**keys)).cluster.network_policy == policy


def test_an_unset_cluster_reads_with_the_documented_and_the_secure_defaults():
    cluster = spec_of(_bare_cluster()).cluster
    got = {"upgrade_channel": cluster.upgrade_channel, "node_os_upgrade_channel": cluster.node_os_upgrade_channel,
           "max_surge": cluster.max_surge, "outbound_type": cluster.outbound_type,
           "outbound_ip_count": cluster.outbound_ip_count, "sku_tier": cluster.sku_tier,
           "private": cluster.private, "private_dns_zone": cluster.private_dns_zone,
           "workload_identity": cluster.workload_identity, "local_accounts": cluster.local_accounts,
           "entra_id": (cluster.entra_id is not None, cluster.entra_id and cluster.entra_id.azure_rbac),
           "vm_size": cluster.node_pools[0].vm_size, "plugin": cluster.network_plugin,
           "dataplane": cluster.network_dataplane, "pod_security": cluster.pod_security,
           "bastion": spec_of(_bare_cluster()).network.bastion}
    assert got == {
        # AKS's defaults: a node image channel of NodeImage, a surge of 10 %, one managed outbound IP
        # on the load balancer, the system private DNS zone.
        # https://learn.microsoft.com/azure/aks/auto-upgrade-node-os-image,
        # https://learn.microsoft.com/azure/aks/upgrade-aks-cluster#customize-node-surge-upgrade,
        # https://learn.microsoft.com/azure/aks/load-balancer-standard, https://learn.microsoft.com/azure/aks/private-clusters
        "node_os_upgrade_channel": "NodeImage", "max_surge": "10%", "outbound_type": "loadBalancer",
        "outbound_ip_count": 1, "private_dns_zone": "system", "plugin": "azure", "dataplane": "azure",
        # The project's secure defaults (DESIGN.md "the defaults are the secure ones"; the AKS security
        # baseline: Entra ID with Azure RBAC, local accounts off, workload identity, a patch channel,
        # the Standard tier's uptime SLA). https://learn.microsoft.com/azure/aks/manage-local-accounts-managed-azure-ad
        "upgrade_channel": "patch", "sku_tier": "Standard", "private": False, "workload_identity": True,
        "local_accounts": False, "entra_id": (True, True), "vm_size": "Standard_D4ds_v5", "pod_security": None,
        # A public API server needs no Bastion; a private one does (below).
        "bastion": False,
    }
    assert spec_of(stack_config("prod"), "prod").network.bastion is True  # private: true, bastion unset


@pytest.mark.parametrize("entra", [{}, {"adminGroupObjectIds": ["6f1a2b3c-4d5e-4f60-8a71-92b3c4d5e6f7"]}])
def test_an_entra_id_block_without_its_switches_keeps_entra_id_and_azure_rbac_on(entra):
    # The AKS security baseline: Entra ID authentication with Azure RBAC for Kubernetes authorization.
    # https://learn.microsoft.com/azure/aks/manage-azure-rbac
    cluster = spec_of(_bare_cluster(entraId=entra)).cluster
    assert cluster.entra_id is not None
    assert (cluster.entra_id.azure_rbac, cluster.entra_id.grant_deployer, cluster.entra_id.deployer_type) == (
        True, None, "ServicePrincipal")


@pytest.mark.parametrize("production, effect", [(True, "deny"), (False, "audit")])
def test_azure_policy_brings_the_baseline_pod_security_initiative_denying_in_production(production, effect):
    # https://learn.microsoft.com/azure/aks/use-azure-policy: the built-in baseline initiative, effect audit or deny.
    config = variant(_bare_cluster(azurePolicy=True), {f"{C}environment.production": production})
    security = spec_of(config).cluster.pod_security
    assert (security.initiative, security.effect) == ("baseline", effect)


def test_pod_security_without_the_azure_policy_add_on_is_refused_at_its_block():
    config = _bare_cluster(podSecurity={"initiative": "restricted"})
    assert problem_paths(config) == [f"{CL}.podSecurity"]


@pytest.mark.parametrize("sku, threat_intel, dns_proxy", [
    # The Basic SKU has threat intelligence in alert mode only and no DNS proxy:
    # https://learn.microsoft.com/azure/firewall/basic-features; Standard and Premium have both
    # (https://learn.microsoft.com/azure/firewall/features), and the secure default is Deny.
    ("Basic", "Alert", False), ("Standard", "Deny", True), ("Premium", "Deny", True), (None, "Deny", True)])
def test_the_firewall_defaults_to_what_its_sku_offers(sku, threat_intel, dns_proxy):
    config = stack_config("prod")
    config[f"{C}egress"] = {"firewall": {} if sku is None else {"sku": sku}}
    firewall = load_spec(config, "prod").egress.firewall
    assert (firewall.sku, firewall.threat_intel_mode, firewall.dns_proxy, firewall.public_ip_count) == (
        sku or "Standard", threat_intel, dns_proxy, 1)


@pytest.mark.parametrize("ingress", [{"controller": "appgw"}, {"controller": "appgw", "appGateway": {}}])
def test_an_unset_application_gateway_is_waf_v2_in_prevention_scaling_from_zero(ingress):
    # The secure default is the WAF in Prevention (Detection only logs):
    # https://learn.microsoft.com/azure/web-application-firewall/ag/ag-overview#waf-modes; autoscaling
    # from 0 instances: https://learn.microsoft.com/azure/application-gateway/application-gateway-autoscaling-zone-redundant
    config = variant(stack_config("prod"), {f"{C}ingress": ingress})
    gateway = load_spec(config, "prod").ingress.app_gateway
    assert (gateway.sku, gateway.waf_mode, gateway.min_capacity, gateway.max_capacity, gateway.public_frontend) == (
        "WAF_v2", "Prevention", 0, 10, True)


@pytest.mark.parametrize("ingress", [{"controller": "nginx"}, {"controller": "nginx", "nginx": {}}])
def test_an_unset_nginx_is_internal(ingress):
    # The secure default: an internal load balancer, not a public one.
    # https://learn.microsoft.com/azure/aks/app-routing-nginx-configuration#create-an-internal-nginx-controller-with-a-private-ip-address
    config = variant(stack_config("dev"), {f"{C}ingress": ingress})
    assert load_spec(config, "dev").ingress.nginx.visibility == "internal"


def test_unset_diagnostics_keep_30_days_and_find_network_watcher_where_azure_creates_it():
    # Azure creates the region's Network Watcher in NetworkWatcherRG:
    # https://learn.microsoft.com/azure/network-watcher/network-watcher-create; 30 days are the
    # retention included in the price: https://learn.microsoft.com/azure/azure-monitor/logs/data-retention-configure
    diagnostics = load_spec(variant(stack_config("dev"), {f"{C}diagnostics": {}}), "dev").diagnostics
    assert (diagnostics.enabled, diagnostics.flow_logs, diagnostics.retention_days,
            diagnostics.network_watcher_group) == (True, True, 30, "NetworkWatcherRG")


def test_an_unset_app_reads_as_kubernetes_defaults_with_a_writable_tmp():
    # A Service port's protocol defaults to TCP (ServicePort); the app's own defaults: two replicas,
    # a ClusterIP Service, /tmp writable on a read-only root filesystem; an Ingress path's port 80.
    # https://kubernetes.io/docs/reference/kubernetes-api/service-resources/service-v1/#ServiceSpec
    config = stack_config("dev")
    app = {"name": "plain", "namespace": "development", "image": "nginx:1.27", "labels": {"app": "plain"},
           "ports": [{"port": 80}]}
    config[f"{K}"]["apps"].append(app)
    config[f"{K}"]["ingresses"][0]["paths"].append({"path": "/plain", "app": "plain"})
    workloads = load_spec(config, "dev").kubernetes.workloads
    plain = workloads.app("development", "plain")
    assert (plain.replicas, plain.service_type, plain.writable_paths, plain.ports[0].protocol) == (
        2, "ClusterIP", ("/tmp",), "TCP")
    assert workloads.ingresses[0].paths[-1].port == 80


def test_a_flow_to_an_fqdn_is_the_internet_outside_rfc_1918():
    # RFC 1918's private ranges are 10/8, 172.16/12 and 192.168/16: https://www.rfc-editor.org/rfc/rfc1918#section-3
    config = variant(stack_config("dev"), {f"{K}.flows[0].to": {"fqdn": "api.github.com"}, f"{K}.flows[0].ports": ["TCP/443"]})
    destination = load_spec(config, "dev").kubernetes.workloads.flows[0].destination
    assert (str(destination.cidr), sorted(map(str, destination.except_))) == (
        "0.0.0.0/0", ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"])


# The hub's stack file: subnets Azure requires by name and size ---------------------------------------------
# AzureFirewallSubnet /26 (https://learn.microsoft.com/azure/firewall/firewall-faq#why-does-azure-firewall-need-a--26-subnet-size),
# AzureFirewallManagementSubnet /26 for Basic (https://learn.microsoft.com/azure/firewall/basic-features),
# AzureBastionSubnet /26 (https://learn.microsoft.com/azure/bastion/configuration-settings#subnet),
# the DNS Private Resolver's endpoint subnet /28 to /24
# (https://learn.microsoft.com/azure/dns/dns-private-resolver-overview#subnet-restrictions).

HUB_SUBNETS = f"{C}network.hub.subnets"


def _hub(subnets: dict[str, str] | None = None, firewall: dict[str, Any] | None = None, **network: Any) -> Any:
    config = copy.deepcopy(dict(read_stack_file("hub/Pulumi.hub.yaml").config))
    config[f"{C}network"]["hub"]["addressSpace"] = network.pop("addressSpace", ["10.100.0.0/16"])
    if subnets is not None:
        config[f"{C}network"]["hub"]["subnets"] = subnets
    config[f"{C}network"].update(network)
    if firewall is not None:
        config[f"{C}egress"]["firewall"] = firewall
    try:
        load_hub_spec(config, "hub")
    except ConfigError as refused:
        return [p.path for p in refused.problems]
    return []


FW26, BAS26, DNS28 = "10.100.0.0/26", "10.100.0.64/26", "10.100.0.128/28"
HUB_ROWS = [
    ({"AzureFirewallSubnet": FW26, "AzureBastionSubnet": BAS26, "dns": DNS28}, None, {}, []),
    ({"AzureFirewallSubnet": "10.100.0.0/25", "AzureBastionSubnet": "10.100.1.0/24", "dns": "10.100.2.0/24"},
     None, {}, []),
    ({"AzureFirewallSubnet": "10.100.0.0/27", "AzureBastionSubnet": BAS26, "dns": DNS28}, None, {},
     [f"{HUB_SUBNETS}.AzureFirewallSubnet"]),
    ({"AzureFirewallSubnet": FW26, "AzureBastionSubnet": "10.100.0.64/27", "dns": DNS28}, None, {},
     [f"{HUB_SUBNETS}.AzureBastionSubnet"]),
    ({"AzureFirewallSubnet": FW26, "AzureBastionSubnet": BAS26, "dns": "10.100.0.128/29"}, None, {},
     [f"{HUB_SUBNETS}.dns"]),
    ({"AzureFirewallSubnet": FW26, "AzureBastionSubnet": BAS26, "dns": "10.100.2.0/23"}, None, {},
     [f"{HUB_SUBNETS}.dns"]),
    ({"AzureFirewallSubnet": FW26, "AzureBastionSubnet": BAS26}, None, {}, [f"{HUB_SUBNETS}.dns"]),
    ({"AzureFirewallSubnet": FW26, "AzureBastionSubnet": BAS26, "dns": DNS28}, None, {"dnsResolver": False},
     [f"{HUB_SUBNETS}.dns"]),
    ({"AzureFirewallSubnet": FW26, "dns": DNS28}, None, {}, [f"{HUB_SUBNETS}.AzureBastionSubnet"]),
    ({"AzureFirewallSubnet": FW26, "dns": DNS28}, None, {"bastion": False}, []),
    ({"AzureFirewallSubnet": FW26, "AzureBastionSubnet": BAS26, "dns": DNS28}, {"sku": "Basic"}, {},
     [f"{HUB_SUBNETS}.AzureFirewallManagementSubnet"]),
    ({"AzureFirewallSubnet": FW26, "AzureBastionSubnet": BAS26, "dns": DNS28,
      "AzureFirewallManagementSubnet": "10.100.1.0/26"}, {"sku": "Basic"}, {}, []),
    ({"AzureFirewallSubnet": FW26, "AzureBastionSubnet": BAS26, "dns": DNS28,
      "AzureFirewallManagementSubnet": "10.100.1.0/27"}, {"sku": "Basic"}, {},
     [f"{HUB_SUBNETS}.AzureFirewallManagementSubnet"]),
    # Basic has no Deny mode and no DNS proxy.
    ({"AzureFirewallSubnet": FW26, "AzureBastionSubnet": BAS26, "dns": DNS28,
      "AzureFirewallManagementSubnet": "10.100.1.0/26"}, {"sku": "Basic", "threatIntelMode": "Deny"}, {},
     [f"{FW}.threatIntelMode"]),
    ({"AzureFirewallSubnet": FW26, "AzureBastionSubnet": BAS26, "dns": DNS28,
      "AzureFirewallManagementSubnet": "10.100.1.0/26"}, {"sku": "Basic", "dnsProxy": True}, {},
     [f"{FW}.dnsProxy"]),
    # A subnet lies inside its VNet, apart from the others.
    ({"AzureFirewallSubnet": "10.99.255.192/26", "AzureBastionSubnet": BAS26, "dns": DNS28}, None, {},
     [f"{HUB_SUBNETS}.AzureFirewallSubnet"]),
    ({"AzureFirewallSubnet": FW26, "AzureBastionSubnet": BAS26, "dns": "10.100.1.0/24"}, None,
     {"addressSpace": ["10.100.0.0/24", "10.100.1.0/25"]}, [f"{HUB_SUBNETS}.dns"]),  # straddles the space's end
    ({"AzureFirewallSubnet": FW26, "AzureBastionSubnet": "10.100.0.0/25", "dns": DNS28}, None, {},
     [f"{HUB_SUBNETS}.AzureBastionSubnet"]),
]


@pytest.mark.parametrize("subnets, firewall, network, refused", HUB_ROWS)
def test_a_hubs_fixed_subnets_hold_azures_names_and_sizes(subnets, firewall, network, refused):
    assert _hub(subnets, firewall, **network) == refused


# The landing zone's rule collection group: priority 100 to 65000 ------------------------------------------
# https://learn.microsoft.com/azure/firewall/policy-rule-sets

@pytest.mark.parametrize("priority, refused", [(100, False), (99, True), (65000, False), (65001, True)])
def test_a_spokes_rule_collection_priority_is_within_azures_range(priority, refused):
    problems = Problems()
    read_landing_zone(Obj(problems, f"{C}landingZone", {"role": "spoke", "hub": "o/p/hub",
                                                        "ruleCollectionPriority": priority}), "spoke-a")
    assert [p.path for p in problems.items] == ([f"{C}landingZone.ruleCollectionPriority"] if refused else [])


@pytest.mark.parametrize("hub, refused", [
    # A stack reference is fully qualified, organization/project/stack:
    # https://www.pulumi.com/docs/iac/concepts/stacks/#stackreferences
    ("contoso/aks-networking/hub", False), ("aks-networking/hub", True), ("hub", True)])
def test_a_spokes_hub_is_a_fully_qualified_stack_reference(hub, refused):
    problems = Problems()
    spec = read_landing_zone(Obj(problems, f"{C}landingZone", {"role": "spoke", "hub": hub}), "spoke-a")
    assert ([p.path for p in problems.items], spec.hub_stack) == (
        ([f"{C}landingZone.hub"], None) if refused else ([], hub))


# A literal NetworkPolicy spec, as the API server validates it ------------------------------------------
# https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/ and the API's
# validation (k8s.io/kubernetes pkg/apis/networking/validation): policyTypes Ingress or Egress; a peer is an
# ipBlock alone or selectors; endPort needs a numeric port and is at least it; In/NotIn need values,
# Exists/DoesNotExist take none; an except lies strictly inside its cidr, of the same family.

SPEC_ROWS = [
    ({"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}, []),
    ({"podSelector": {}, "policyTypes": ["Both"]}, ["s.policyTypes[0]"]),
    ({"policyTypes": ["Ingress"]}, ["s.podSelector"]),
    ({"podSelector": {}, "ingress": [{"from": [{"ipBlock": {"cidr": "10.0.0.0/8"}, "podSelector": {}}]}]},
     ["s.ingress[0].from[0]"]),
    ({"podSelector": {}, "ingress": [{"from": [{"namespaceSelector": {}, "podSelector": {}}]}]}, []),
    ({"podSelector": {}, "egress": [{"ports": [{"port": 8000, "endPort": 8000}, {"port": 1, "endPort": 65535}]}]},
     []),
    ({"podSelector": {}, "egress": [{"ports": [{"port": "http", "endPort": 8080}]}]}, ["s.egress[0].ports[0].endPort"]),
    ({"podSelector": {}, "egress": [{"ports": [{"port": 80, "endPort": 65536}]}]}, ["s.egress[0].ports[0].endPort"]),
    ({"podSelector": {}, "egress": [{"ports": [{"port": 65536}]}]}, ["s.egress[0].ports[0].port"]),
    ({"podSelector": {}, "egress": [{"ports": [{"port": 0}]}]}, ["s.egress[0].ports[0].port"]),
    ({"podSelector": {}, "egress": [{"ports": [{"protocol": "ICMP"}]}]}, ["s.egress[0].ports[0].protocol"]),
    ({"podSelector": {"matchExpressions": [{"key": "a", "operator": "NotIn"}]}}, ["s.podSelector.matchExpressions[0].values"]),
    ({"podSelector": {"matchExpressions": [{"key": "a", "operator": "In"}]}}, ["s.podSelector.matchExpressions[0].values"]),
    ({"podSelector": {"matchExpressions": [{"key": "a", "operator": "Exists"}, {"key": "b",
                                                                                "operator": "DoesNotExist"}]}}, []),
    ({"podSelector": {"matchExpressions": [{"key": "a", "operator": "Exists", "values": ["x"]}]}},
     ["s.podSelector.matchExpressions[0].values"]),
    ({"podSelector": {"matchExpressions": [{"key": "a", "operator": "in", "values": ["x"]}]}},
     ["s.podSelector.matchExpressions[0].operator"]),
    ({"podSelector": {}, "egress": [{"to": [{"ipBlock": {"cidr": "10.0.0.0/8", "except": ["10.1.0.0/16"]}}]}]}, []),
    ({"podSelector": {}, "egress": [{"to": [{"ipBlock": {"cidr": "10.0.0.0/8", "except": ["10.0.0.0/8"]}}]}]},
     ["s.egress[0].to[0].ipBlock.except[0]"]),
    ({"podSelector": {}, "egress": [{"to": [{"ipBlock": {"cidr": "0.0.0.0/0", "except": ["::/0"]}}]}]},
     ["s.egress[0].to[0].ipBlock.except[0]"]),
]


@pytest.mark.parametrize("spec, refused", SPEC_ROWS)
def test_a_literal_policy_spec_is_held_to_the_apis_validation(spec, refused):
    problems = Problems()
    check_policy_spec(problems, "s", spec)
    assert [p.path for p in problems.items] == refused


# Dated support windows: the AKS release calendar and announced retirements -----------------------------------
# "Mar 2026 indicates March 31, 2026": a minor's end-of-life month means its last day, and from that day
# on AKS creates no cluster of it; a GA month means its first day.
# https://learn.microsoft.com/azure/aks/supported-kubernetes-versions#aks-kubernetes-release-calendar-and-upcoming-versions

def test_a_minor_is_creatable_from_its_ga_day_until_the_day_before_its_end_of_life():
    life = MINORS["1.37"]
    assert life.ga == datetime.date(2026, 10, 1)  # "Oct 2026"
    assert "1.37" not in creatable(datetime.date(2026, 9, 30)) and "1.37" in creatable(datetime.date(2026, 10, 1))
    end = MINORS["1.34"].end_of_life
    assert end == datetime.date(2026, 11, 30)  # "Nov 2026"
    assert "1.34" in creatable(end - datetime.timedelta(days=1)) and "1.34" not in creatable(end)


@pytest.mark.parametrize("retirement, day, source", [
    # "On 31 March 2028, kubenet networking for AKS will be retired": https://learn.microsoft.com/azure/aks/upgrade-azure-cni
    (KUBENET, datetime.date(2028, 3, 31), "kubenet"),
    # "On 30 September 2028, we'll end support for Azure NPM on Linux nodes":
    # https://learn.microsoft.com/azure/aks/migrate-from-npm-to-cilium-network-policy
    (AZURE_NPM_LINUX, datetime.date(2028, 9, 30), "npm"),
    # Critical security patches for the add-on's NGINX "through November 2026":
    # https://learn.microsoft.com/azure/aks/app-routing-nginx-to-gateway-api-migration
    (APP_ROUTING_NGINX, datetime.date(2026, 11, 30), "nginx"),
])
def test_a_retirement_ends_on_its_announced_day(retirement, day, source):
    assert retirement.ends == day, source
    assert not retirement.ended(day - datetime.timedelta(days=1)) and retirement.ended(day)


# Gateway API controllers' chart facts -------------------------------------------------------------------------

def test_envoy_gateway_shifts_only_privileged_listener_ports_by_10000():
    # translator.go: a port below 1024 listens on port + 10000 in the proxy's container (wellKnownPortShift);
    # https://github.com/envoyproxy/gateway/blob/v1.9.0/internal/gatewayapi/translator.go
    assert {port: ENVOY_GATEWAY.container_port(port) for port in (80, 443, 1023, 1024, 8080)} == {
        80: 10080, 443: 10443, 1023: 11023, 1024: 1024, 8080: 8080}
    assert {port: ALB_CONTROLLER.container_port(port) for port in (80, 443)} == {80: 80, 443: 443}


def test_the_controllers_run_where_their_charts_put_them():
    # Envoy Gateway: the release namespace, pods labelled control-plane: envoy-gateway, proxies labelled by
    # EnvoyAppLabel (https://github.com/envoyproxy/gateway/tree/v1.9.0/charts/gateway-helm). The ALB
    # Controller: azure-alb-system, app: alb-controller, service account alb-controller-sa; AGC's subnet
    # delegated to Microsoft.ServiceNetworking/trafficControllers, a /24 with 250 free addresses
    # (https://learn.microsoft.com/azure/application-gateway/for-containers/quickstart-deploy-application-gateway-for-containers-alb-controller-helm,
    # https://learn.microsoft.com/azure/application-gateway/for-containers/container-networking).
    assert (ENVOY_GATEWAY.controller_namespace, dict(ENVOY_GATEWAY.controller_labels), ENVOY_GATEWAY.proxy_namespace,
            dict(ENVOY_GATEWAY.proxy_labels), ENVOY_GATEWAY.controller_name) == (
        "envoy-gateway-system", {"control-plane": "envoy-gateway"}, "envoy-gateway-system",
        {"app.kubernetes.io/name": "envoy", "app.kubernetes.io/component": "proxy",
         "app.kubernetes.io/managed-by": "envoy-gateway"}, "gateway.envoyproxy.io/gatewayclass-controller")
    assert (ALB_CONTROLLER.controller_namespace, dict(ALB_CONTROLLER.controller_labels), ALB_SERVICE_ACCOUNT,
            ALB_CONTROLLER.gateway_class, ALB_CONTROLLER.proxy_namespace) == (
        "azure-alb-system", {"app": "alb-controller"}, "alb-controller-sa", "azure-alb-external", None)
    assert (AGC_DELEGATION, AGC_SUBNET_PREFIX, AGC_FREE_ADDRESSES) == (
        "Microsoft.ServiceNetworking/trafficControllers", 24, 250)


# Image references, as the distribution reference grammar reads them --------------------------------------------
# https://github.com/distribution/reference/blob/main/regexp.go and reference.go: a name of at most 255
# characters, a tag of at most 128, a digest of at least 32 hex digits, a lower-case path.

@pytest.mark.parametrize("image, refused", [
    ("r.example.com/" + "a" * 241, False), ("r.example.com/" + "a" * 242, True),
    ("team/app:" + "t" * 128, False), ("team/app:" + "t" * 129, True),
    ("team/app@sha256:" + "0" * 64, False), ("team/app@md5:" + "0" * 32, False), ("team/app@md5:" + "0" * 31, True),
    ("team/App:1", True), ("R.Example.com:5000/team/app:1", False),
])
def test_an_image_reference_follows_the_distribution_grammar(image, refused):
    assert (reference_problem(image) is not None) == refused


# The regions list's "Availability zones" column (https://learn.microsoft.com/azure/reliability/regions-list):
# three zones, or N/A. A wrong row refuses zones where Azure has them, or lets a zonal stack reach a region
# without them.
ZONAL = ("australiaeast brazilsouth canadacentral centralindia centralus eastasia eastus eastus2 francecentral "
         "germanywestcentral israelcentral italynorth japaneast japanwest koreacentral mexicocentral "
         "newzealandnorth northeurope norwayeast polandcentral qatarcentral southafricanorth southcentralus "
         "southeastasia spaincentral swedencentral switzerlandnorth uaenorth uksouth westeurope westus2 westus3")
ZONELESS = ("australiacentral australiacentral2 australiasoutheast brazilsoutheast canadaeast francesouth "
            "germanynorth jioindiacentral jioindiawest koreasouth northcentralus norwaywest southafricawest "
            "southindia switzerlandwest uaecentral ukwest westcentralus westindia westus")


@pytest.mark.parametrize("region, zones", [*((r, True) for r in ZONAL.split()),
                                           *((r, False) for r in ZONELESS.split())])
def test_a_regions_availability_zones_are_as_azure_lists_them(region, zones):
    assert REGIONS[region] is zones
