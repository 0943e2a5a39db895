"""The `cluster` section: the AKS cluster, its network profile, node pools, identity and upgrades.
Pure, no Pulumi."""

from __future__ import annotations

import ipaddress
from dataclasses import replace

from aksnet.config.model import (
    POD_SECURITY_INITIATIVES,
    ClusterSpec,
    EntraId,
    Environment,
    NetworkSpec,
    NodePool,
    PodSecurity,
)
from aksnet.config.network import cidr_item
from aksnet.config.schema import GUID, Obj, string_item, zone_item

NETWORK_PLUGINS = ("kubenet", "azure", "none")
PLUGIN_MODES = ("overlay",)
DATAPLANES = ("azure", "cilium")
POLICY_ENGINES = ("none", "azure", "calico", "cilium")
OUTBOUND_TYPES = ("loadBalancer", "managedNATGateway", "userAssignedNATGateway", "userDefinedRouting")
PRIVATE_DNS_ZONES = ("system", "none", "hub")
SERVICE_MESHES = ("none", "istio")
POOL_MODES = ("System", "User")
OS_DISK_TYPES = ("Ephemeral", "Managed")
POOL_NAME_PATTERN = r"[a-z][a-z0-9]{0,11}"
K8S_VERSION_PATTERN = r"1\.[0-9]{2}(\.[0-9]{1,2})?"
# https://learn.microsoft.com/azure/aks/auto-upgrade-cluster, https://learn.microsoft.com/azure/aks/auto-upgrade-node-os-image
UPGRADE_CHANNELS = ("patch", "stable", "rapid", "node-image", "none")
NODE_OS_CHANNELS = ("NodeImage", "SecurityPatch", "Unmanaged", "None")
SURGE_PATTERN = r"[1-9][0-9]{0,2}%?"


def default_max_pods(plugin: str, mode: str | None, has_pod_subnet: bool) -> int:
    """AKS's own defaults (https://learn.microsoft.com/azure/aks/concepts-network-ip-address-planning)."""
    if plugin == "azure" and mode == "overlay":
        return 250
    if plugin == "azure" and not has_pod_subnet:
        return 30
    return 110


def _pool(obj: Obj, *, plugin: str, mode: str | None, has_pod_subnet: bool) -> NodePool | None:
    path = obj.path
    name = obj.text("name", pattern=POOL_NAME_PATTERN,
                    hint="lower-case letters and digits, starting with a letter, at most 12 characters",
                    doc="the pool's name")
    pool_mode = obj.choice("mode", POOL_MODES, "User", doc="System pools run the cluster's own pods")
    vm_size = obj.text("vmSize", "Standard_D4ds_v5", pattern=r"Standard_[A-Za-z0-9_]+",
                       hint="an Azure VM size such as Standard_D4ds_v5",
                       doc="the nodes' VM size")
    fewest = 0 if pool_mode == "User" else 1
    count = obj.whole("count", None, minimum=fewest, maximum=1000,
                      doc="a fixed node count; or minCount and maxCount for the autoscaler, which then owns the count")
    min_count = obj.whole("minCount", None, minimum=fewest, maximum=1000, doc="the autoscaler's fewest nodes")
    max_count = obj.whole("maxCount", None, minimum=1, maximum=1000,
                          doc="the autoscaler's most nodes, counted in the address plan")
    if count is not None and (min_count is not None or max_count is not None):
        obj.problems.add(f"{path}.count", "is set together with minCount/maxCount; choose a fixed count "
                         "or the autoscaler's minCount and maxCount")
    elif count is None and (min_count is None or max_count is None):
        obj.problems.add(path, "needs count, or both minCount and maxCount for the autoscaler")
    elif min_count is not None and max_count is not None and min_count > max_count:
        obj.problems.add(f"{path}.minCount", f"is {min_count}, greater than maxCount {max_count}")
    max_pods = obj.whole("maxPods", default_max_pods(plugin, mode, has_pod_subnet),
                         doc="pods per node (10 to 250)",
                         default_doc="AKS's: 250 with Overlay, 110 with kubenet or a pod subnet, 30 on flat Azure CNI",
                         source="https://learn.microsoft.com/azure/aks/concepts-network-ip-address-planning")
    zones = obj.items("zones", zone_item, (), max_items=3, doc="the availability zones of its nodes")
    os_disk = obj.choice("osDiskType", OS_DISK_TYPES, None, doc="unset: AKS chooses")
    os_disk_size = obj.whole("osDiskSizeGB", None, minimum=1, maximum=2048,
                             doc="the OS disk's size in GB; an ephemeral one fits the size's temporary disk",
                             source="https://learn.microsoft.com/rest/api/aks/agent-pools/create-or-update")
    critical = obj.flag("onlyCriticalAddons", False, doc="a System pool that runs only critical add-ons")
    if not name:
        return None
    if count is not None:
        min_count = max_count = None
    return NodePool(name=name, mode=pool_mode, vm_size=vm_size, count=count, min_count=min_count,
                    max_count=max_count, max_pods=max_pods, zones=zones, os_disk_type=os_disk,
                    only_critical_addons=critical, os_disk_size_gb=os_disk_size)


def _entra_id(obj: Obj) -> EntraId | None:
    entra = obj.nested("entraId", doc="Entra ID authentication; absent: enabled, with Azure RBAC")
    if entra is None:
        return EntraId((), True)
    enabled = entra.flag("enabled", True, doc="Entra ID authentication")
    group = string_item(GUID, "an Entra ID group object id (a GUID)")
    admins = entra.items("adminGroupObjectIds", group, (),
                         doc="groups given Azure Kubernetes Service RBAC Cluster Admin on the cluster")
    readers = entra.items("readerGroupObjectIds", group, (),
                          doc="groups given Azure Kubernetes Service RBAC Reader on the cluster")
    rbac = entra.flag("azureRbac", True, doc="Kubernetes authorization by Azure RBAC")
    deployer = entra.flag("grantDeployer", None,
                          doc="Cluster Admin for the principal running `pulumi up`; applying the layer with nobody "
                              "allowed to is refused",
                          default_doc="true when Pulumi applies the Kubernetes layer (`kubernetes.delivery: apply`)")
    deployer_type = entra.choice("deployerType", ("ServicePrincipal", "User"), "ServicePrincipal",
                                 doc="what that principal is: a service principal (CI through OIDC) or a user (`az "
                                     "login`)")
    entra.done()
    return EntraId(admins, rbac, readers, deployer, deployer_type) if enabled else None


def read_cluster(obj: Obj, env: Environment, network: NetworkSpec | None) -> ClusterSpec | None:
    plugin = obj.choice("networkPlugin", NETWORK_PLUGINS, "azure", doc="the CNI")
    mode = obj.choice("networkPluginMode", PLUGIN_MODES, None, doc="overlay: Azure CNI Overlay; unset: flat")
    dataplane = obj.choice("networkDataplane", DATAPLANES, "azure", doc="cilium needs Overlay or a `pods` subnet")
    default_policy = "none" if plugin == "none" else ("cilium" if dataplane == "cilium" else "calico")
    policy = obj.choice("networkPolicy", POLICY_ENGINES, default_policy,
                        doc="the NetworkPolicy engine",
                        default_doc="none with networkPlugin none, cilium with the cilium dataplane, else calico")
    has_pod_subnet = network is not None and "pods" in network.spoke.subnets
    uses_pod_cidr = plugin == "kubenet" or mode == "overlay"
    pod_cidr = obj.cidr("podCidr", ipaddress.IPv4Network("10.244.0.0/16") if uses_pod_cidr else None,
                        doc="the pods' range for kubenet and Overlay; refused on flat Azure CNI",
                        default_doc="`10.244.0.0/16` for kubenet and Overlay, unset on flat Azure CNI")
    service_cidr = obj.cidr("serviceCidr", ipaddress.IPv4Network("10.0.0.0/16"),
                            doc="the Services' range: smaller than /12, outside every VNet")
    dns_ip = obj.address("dnsServiceIp", ipaddress.IPv4Address("10.0.0.10"),
                         doc="cluster DNS: inside the service range, not its first address")
    pools = obj.records("nodePools", lambda pool: _pool(pool, plugin=plugin, mode=mode, has_pod_subnet=has_pod_subnet),
                        min_items=1, max_items=100, required=True,
                        null_hint="is null, expected a mapping with at least name and count (or minCount and maxCount)",
                        doc="the node pools, one System pool at least")
    spec = ClusterSpec(
        # The name is also the cluster's DNS prefix, which is the stricter of the two: 1 to 54
        # characters, letters, digits and hyphens, a letter first and a letter or digit last.
        # https://learn.microsoft.com/azure/aks/troubleshoot-dns-prefix (DnsPrefix), and the AKS
        # REST API's managedClusters dnsPrefix.
        name=obj.text("name", f"aks-{env.name}", pattern=r"[a-zA-Z]([a-zA-Z0-9-]{0,52}[a-zA-Z0-9])?",
                      hint="the cluster's DNS prefix too: letters, digits and hyphens, 1 to 54 characters, "
                      "a letter first and a letter or digit last",
                      doc="the cluster's name and DNS prefix",
                      default_doc="`aks-<environment.name>`",
                      source="https://learn.microsoft.com/azure/aks/troubleshoot-dns-prefix"),
        kubernetes_version=_kubernetes_version(obj),
        upgrade_channel=obj.choice("upgradeChannel", UPGRADE_CHANNELS, "patch",
                                   doc="AKS cluster auto-upgrade; a patch pin (`1.35.2`) needs none or node-image",
                                   source="https://learn.microsoft.com/azure/aks/auto-upgrade-cluster"),
        node_os_upgrade_channel=obj.choice("nodeOsUpgradeChannel", NODE_OS_CHANNELS, "NodeImage",
                                           doc="how node images are updated",
                                           source="https://learn.microsoft.com/azure/aks/auto-upgrade-node-os-image"),
        network_plugin=plugin,
        network_plugin_mode=mode,
        network_dataplane=dataplane,
        network_policy=policy,
        pod_cidr=pod_cidr,
        service_cidr=service_cidr or ipaddress.IPv4Network("10.0.0.0/16"),
        dns_service_ip=dns_ip or ipaddress.IPv4Address("10.0.0.10"),
        outbound_type=obj.choice("outboundType", OUTBOUND_TYPES, "loadBalancer",
                                 doc="how the cluster reaches the internet"),
        outbound_ip_count=obj.whole("outboundIpCount", 1, minimum=1, maximum=100,
                                    doc="managed outbound IPs (a NAT gateway takes at most 16)"),
        egress_next_hop_ip=obj.address("egressNextHopIp", None,
                                       doc="the appliance for userDefinedRouting when the stack has no firewall"),
        private=obj.flag("private", False, doc="a private API server"),
        private_dns_zone=obj.choice("privateDnsZone", PRIVATE_DNS_ZONES, "system",
                                    doc="the private API server's zone; hub: a zone of ours in the hub, linked to hub "
                                        "and spoke"),
        api_server_vnet_integration=obj.flag("apiServerVnetIntegration", False,
                                             doc="API server VNet integration; needs the `apiserver` subnet"),
        authorized_ip_ranges=obj.items("authorizedIpRanges", cidr_item, (), max_items=200,
                                       doc="who may reach a public API server"),
        node_pools=pools,
        max_surge=_max_surge(obj),
        service_mesh=obj.choice("serviceMesh", SERVICE_MESHES, "none", doc="istio: the Istio add-on"),
        entra_id=_entra_id(obj),
        local_accounts=obj.flag("localAccounts", False, doc="local accounts; false: disabled (needs Entra ID)"),
        disable_run_command=obj.flag("disableRunCommand", False, doc="`az aks command invoke` off"),
        workload_identity=obj.flag("workloadIdentity", True, doc="the OIDC issuer and workload identity"),
        azure_policy=obj.flag("azurePolicy", False,
                              doc="the Azure Policy add-on; the firewall lets its endpoints out"),
        sku_tier=obj.choice("skuTier", ("Free", "Standard", "Premium"), "Standard", doc="the control plane's tier"),
    )
    spec = replace(spec, pod_security=_pod_security(obj, spec.azure_policy, env.production))
    obj.done()
    if not obj.valid or service_cidr is None or dns_ip is None:
        return None
    return spec


def _pod_security(obj: Obj, azure_policy: bool, production: bool) -> PodSecurity | None:
    """With the Azure Policy add-on, the pod security baseline by default, denying in production
    and auditing in development."""
    security = obj.nested("podSecurity",
                          doc="with `azurePolicy`: the built-in initiative \"Kubernetes cluster pod security baseline "
                              "(or restricted) standards for Linux-based workloads\", assigned at the cluster",
                          source="https://learn.microsoft.com/azure/aks/use-azure-policy")
    if security is None or not security.valid:
        return PodSecurity("baseline", "deny" if production else "audit") if azure_policy else None
    if not azure_policy:
        security.problems.add(security.path, "needs the Azure Policy add-on: set azurePolicy true, or remove it")
    result = PodSecurity(security.choice("initiative", tuple(POD_SECURITY_INITIATIVES), "baseline",
                                         doc="the pod security standard"),
                         security.choice("effect", ("audit", "deny"), "deny" if production else "audit",
                                         doc="what a violation does",
                                         default_doc="deny in production, audit in development"))
    security.done()
    return result if azure_policy else None


def _max_surge(obj: Obj) -> str:
    """A node count or a percentage (`pulumi config set --path ...maxSurge 1` stores the number 1,
    which reads as "1")."""
    return obj.text("maxSurge", "10%", pattern=SURGE_PATTERN, hint="a node count such as 1 or a percentage such as 33%",
                    doc="upgrade surge, counted in the address plan")


def _kubernetes_version(obj: Obj) -> str | None:
    value = obj.data.get("kubernetesVersion")
    if isinstance(value, int | float) and not isinstance(value, bool):
        obj.raw("kubernetesVersion")
        obj.problems.add(obj.key_path("kubernetesVersion"), f"is the number {value}: YAML reads an unquoted "
                         "version as a number (1.30 becomes 1.3); quote it, e.g. \"1.35\"")
        return None
    return obj.text("kubernetesVersion", None, pattern=K8S_VERSION_PATTERN,
                    hint="a Kubernetes version such as 1.35, or a patch such as 1.35.2 with upgradeChannel none "
                         "or node-image",
                    doc="a minor AKS creates clusters of on the day the check runs (the dated table in "
                        "`aksnet/config/lifecycle.py`); quote it: YAML reads 1.30 as 1.3",
                    default_doc="AKS's default")
