"""The stack model and its loader: typed, validated, with secure defaults. Pure, no Pulumi.

`load_spec` takes a stack's `config` map (keys with their namespace, values as YAML gives them
or as the engine hands them, JSON strings) and returns a frozen `StackConfig`, or raises
`ConfigError` with one problem per mistake. Cross-field rules live in the registry
(`aksnet.rules.registry.check_stack`); `aksnet.pipeline.load_stack` runs both, so a user
sees every problem of the file at once.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from aksnet.config.problems import ConfigError
from aksnet.config.regions import CHECKED as REGIONS_CHECKED
from aksnet.config.regions import REGIONS
from aksnet.config.schema import (
    Address4,
    Network4,
    Obj,
    Problems,
    choice_item,
    did_you_mean,
    mapping_of,
    parse_cidr,
    show,
    string_item,
    zone_item,
)
from aksnet.config.workloads import Workloads, check_workloads, parse_workloads
from aksnet.vocabulary import CONFIG_NAMESPACES, FIXED_SUBNETS, FQDN, FQDN_HINT, NS, ROLE_SUBNETS

# Subnet roles. Role subnets get names of ours; fixed-name subnets keep the name Azure demands.
HUB_SUBNETS = (*FIXED_SUBNETS, "dns")

NETWORK_PLUGINS = ("kubenet", "azure", "none")
PLUGIN_MODES = ("overlay",)
DATAPLANES = ("azure", "cilium")
POLICY_ENGINES = ("none", "azure", "calico", "cilium")
OUTBOUND_TYPES = ("loadBalancer", "managedNATGateway", "userAssignedNATGateway", "userDefinedRouting")
PRIVATE_DNS_ZONES = ("system", "none", "hub")
SERVICE_MESHES = ("none", "istio")
POOL_MODES = ("System", "User")
OS_DISK_TYPES = ("Ephemeral", "Managed")
FIREWALL_SKUS = ("Basic", "Standard", "Premium")
THREAT_INTEL_MODES = ("Deny", "Alert", "Off")
INGRESS_CONTROLLERS = ("appgw", "nginx", "none")
APPGW_SKUS = ("WAF_v2", "Standard_v2", "Standard", "WAF")
WAF_MODES = ("Prevention", "Detection")
NGINX_VISIBILITY = ("internal", "public")
FIREWALL_PROTOCOLS = ("TCP", "UDP", "ICMP", "Any")

NAME_PATTERN = r"[a-z][a-z0-9-]{0,14}[a-z0-9]|[a-z]"
POOL_NAME_PATTERN = r"[a-z][a-z0-9]{0,11}"
K8S_VERSION_PATTERN = r"1\.[0-9]{2}(\.[0-9]{1,2})?"
# https://learn.microsoft.com/azure/aks/auto-upgrade-cluster, https://learn.microsoft.com/azure/aks/auto-upgrade-node-os-image
UPGRADE_CHANNELS = ("patch", "stable", "rapid", "node-image", "none")
NODE_OS_CHANNELS = ("NodeImage", "SecurityPatch", "Unmanaged", "None")
SURGE_PATTERN = r"[1-9][0-9]{0,2}%?"
RULE_NAME_PATTERN = r"[A-Za-z0-9][A-Za-z0-9_.-]{0,79}"  # Azure Firewall rule names
RULE_NAME_HINT = "letters, digits, '.', '_' and '-', at most 80 characters"


# Model -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Environment:
    name: str
    """Stem of every Azure name (`vnet-<name>-spoke`), lower case, at most 16 characters."""
    location: str
    """Azure region, from `azure-native:location`."""
    production: bool = False
    """Production stacks get the strict rules (WAF Prevention, zones, mandatory policies)."""
    tags: Mapping[str, str] = field(default_factory=dict)
    protect: bool = False
    lock_hub: bool = False
    """A CanNotDelete management lock on the hub's resource group: nobody, in the portal or a pipeline,
    deletes the shared network by accident. It also stops an update that removes something there
    (a subnet, a rule collection group): lift it for such a change."""
    """Protect the VNets, firewall, gateway and cluster from deletion (`pulumi up` refuses)."""


@dataclass(frozen=True)
class VNetSpec:
    role: str
    """`hub` or `spoke`."""
    address_space: tuple[Network4, ...]
    subnets: Mapping[str, Network4]
    """Subnet role (or fixed Azure name) to its prefix."""


@dataclass(frozen=True)
class NetworkSpec:
    spoke: VNetSpec
    hub: VNetSpec | None = None
    bastion: bool = False
    """Azure Bastion in AzureBastionSubnet; on by default for a private API server."""
    on_premises: tuple[Network4, ...] = ()
    """Ranges reached through the hub (VPN, ExpressRoute): nothing of ours may overlap them."""
    dns_resolver: bool = False
    """An Azure DNS Private Resolver in the hub: its inbound endpoint (in the hub's `dns` subnet) answers
    on-premises and other networks for the private zones linked to the hub."""

    def subnet(self, role: str) -> Network4 | None:
        """The prefix of a subnet role, wherever it lives (fixed subnets may sit in the hub)."""
        for vnet in (self.spoke, self.hub):
            if vnet is not None and role in vnet.subnets:
                return vnet.subnets[role]
        return None

    @property
    def vnets(self) -> tuple[VNetSpec, ...]:
        return tuple(v for v in (self.hub, self.spoke) if v is not None)


@dataclass(frozen=True)
class NodePool:
    name: str
    mode: str
    vm_size: str
    count: int | None
    """Fixed node count, or None when the autoscaler decides between min and max."""
    min_count: int | None
    max_count: int | None
    max_pods: int
    zones: tuple[str, ...]
    os_disk_type: str | None
    only_critical_addons: bool

    @property
    def autoscaled(self) -> bool:
        return self.count is None

    @property
    def most_nodes(self) -> int:
        """The most nodes this pool can reach: its count, or the autoscaler's maximum."""
        return self.count if self.count is not None else int(self.max_count or 0)


@dataclass(frozen=True)
class EntraId:
    admin_group_object_ids: tuple[str, ...]
    """Groups that administer the cluster: with Azure RBAC, "Azure Kubernetes Service RBAC Cluster Admin"."""
    azure_rbac: bool
    reader_group_object_ids: tuple[str, ...] = ()
    """Groups that read it: "Azure Kubernetes Service RBAC Reader"."""
    grant_deployer: bool | None = None
    """Whether the principal that runs `pulumi up` gets Cluster Admin; None: when Pulumi applies the
    Kubernetes layer, which it could not otherwise."""
    deployer_type: str = "ServicePrincipal"
    """What that principal is: ServicePrincipal (CI through OIDC), or User (a person's `az login`)."""


POD_SECURITY_INITIATIVES = {
    "baseline": "a8640138-9b0a-4a28-b8cb-1666c838647d",
    "restricted": "42b8ef37-b724-4e24-bbc8-7a7708edfe00",
}
"""The built-in initiatives "Kubernetes cluster pod security baseline (restricted) standards for
Linux-based workloads". https://learn.microsoft.com/azure/aks/use-azure-policy"""


@dataclass(frozen=True)
class PodSecurity:
    """The pod security standard assigned at the cluster: its `initiative`, baseline or restricted (a key
    of POD_SECURITY_INITIATIVES), and the `effect` of a violation, audit or deny."""

    initiative: str
    effect: str


@dataclass(frozen=True)
class ClusterSpec:
    name: str
    kubernetes_version: str | None
    upgrade_channel: str
    """AKS's cluster auto-upgrade channel: none, patch, stable, rapid or node-image."""
    node_os_upgrade_channel: str
    """How node images are updated: None, Unmanaged, NodeImage or SecurityPatch."""
    network_plugin: str
    network_plugin_mode: str | None
    network_dataplane: str
    network_policy: str
    pod_cidr: Network4 | None
    service_cidr: Network4
    dns_service_ip: Address4
    outbound_type: str
    outbound_ip_count: int
    egress_next_hop_ip: Address4 | None
    private: bool
    private_dns_zone: str
    api_server_vnet_integration: bool
    authorized_ip_ranges: tuple[Network4, ...]
    node_pools: tuple[NodePool, ...]
    max_surge: str
    service_mesh: str
    entra_id: EntraId | None
    local_accounts: bool
    disable_run_command: bool
    """`az aks command invoke` off: on a private cluster, the way in that bypasses the network."""
    workload_identity: bool
    azure_policy: bool
    sku_tier: str
    pod_security: PodSecurity | None = None
    """The pod security initiative the Azure Policy add-on enforces; None without the add-on."""

    @property
    def uses_pod_cidr(self) -> bool:
        """kubenet and CNI Overlay give pods addresses from a pod CIDR outside the VNet."""
        return self.network_plugin == "kubenet" or self.network_plugin_mode == "overlay"


@dataclass(frozen=True)
class NetworkRule:
    name: str
    protocols: tuple[str, ...]
    destination_addresses: tuple[str, ...]
    destination_fqdns: tuple[str, ...]
    ports: tuple[str, ...]


@dataclass(frozen=True)
class DnatRule:
    name: str
    protocol: str
    port: int
    translated_address: Address4
    translated_port: int


@dataclass(frozen=True)
class FirewallSpec:
    sku: str
    threat_intel_mode: str
    zones: tuple[str, ...]
    public_ip_count: int
    dns_proxy: bool
    allowed_fqdns: tuple[str, ...]
    network_rules: tuple[NetworkRule, ...]
    dnat_rules: tuple[DnatRule, ...]


@dataclass(frozen=True)
class EgressSpec:
    firewall: FirewallSpec | None = None


@dataclass(frozen=True)
class AppGatewaySpec:
    """The application gateway AGIC drives: WAF_v2 or Standard_v2, autoscaling between `min_capacity`
    and `max_capacity` instances, a public frontend, a private one at `private_ip`, or both."""

    sku: str
    waf_mode: str
    """Prevention or Detection (a WAF_v2 gateway's policy)."""
    min_capacity: int
    max_capacity: int
    zones: tuple[str, ...]
    public_frontend: bool
    private_ip: Address4 | None


@dataclass(frozen=True)
class NginxSpec:
    visibility: str
    static_ip: Address4 | None


@dataclass(frozen=True)
class IngressSpec:
    controller: str = "none"
    app_gateway: AppGatewaySpec | None = None
    nginx: NginxSpec | None = None


@dataclass(frozen=True)
class GitOpsSpec:
    """Where the AKS Flux extension finds the layer: a Git repository, a branch and a path in it."""

    url: str
    branch: str
    path: str
    """The directory `make render STACK=<stack>` writes and Flux reconciles."""
    interval_seconds: int


@dataclass(frozen=True)
class KubernetesSpec:
    delivery: str = "apply"
    """How the layer reaches the cluster: `apply` (Pulumi's Kubernetes provider, through the
    cluster's kubeconfig), `gitops` (the AKS Flux extension, from the rendered manifests in Git),
    or `none`."""
    gitops: GitOpsSpec | None = None
    workloads: Workloads = field(default_factory=Workloads)
    """Namespaces, apps, ingresses, flows and literal policies."""
    allowed_registries: tuple[str, ...] = ()
    """Registries besides the platform's whose images the apps may run; the firewall lets their pulls out."""

    @property
    def mode(self) -> str:
        """`apply`, `gitops` or `none`."""
        return self.delivery

    def describe(self) -> str:
        """What happens to the layer, for the stack's outputs."""
        if self.gitops is not None and self.delivery == "gitops":
            return f"reconciled by Flux from {self.gitops.url} ({self.gitops.branch}:{self.gitops.path})"
        return {"apply": "applied through the cluster's kubeconfig",
                "none": "not delivered (kubernetes.delivery is none)"}.get(self.delivery, self.delivery)


@dataclass(frozen=True)
class RegistrySpec:
    """The platform's own container registry: ACR Premium behind a private endpoint."""

    name: str
    """Globally unique, 5-50 letters and digits: the login server is `<name>.azurecr.io`."""

    @property
    def login_server(self) -> str:
        return f"{self.name.lower()}.azurecr.io"


@dataclass(frozen=True)
class Certificate:
    """A certificate of the gateway: its `name` is the Key Vault secret's and what an Ingress's `tlsSecret`
    names; its `pfx` holds the certificate and its key, a password-less PFX in base64 (a Pulumi secret)."""

    name: str
    pfx: str


@dataclass(frozen=True)
class TlsSpec:
    """The gateway's certificates, held in a Key Vault of the stack behind a private endpoint."""

    key_vault: str
    """The vault's name, unique in Azure: `https://<name>.vault.azure.net`."""
    certificates: tuple[Certificate, ...]

    @property
    def vault_uri(self) -> str:
        return f"https://{self.key_vault.lower()}.vault.azure.net"

    def secret_id(self, certificate: str) -> str:
        """The versionless secret id the gateway reads, so that a renewed certificate is picked up."""
        return f"{self.vault_uri}/secrets/{certificate}"


@dataclass(frozen=True)
class DiagnosticsSpec:
    """Where the platform's logs go: a Log Analytics workspace (the stack's, or an existing one),
    diagnostic settings on the firewall, gateway, Bastion and cluster, and VNet flow logs."""

    enabled: bool = True
    workspace_id: str | None = None
    """An existing workspace's resource id; None: the stack creates one."""
    retention_days: int = 30
    flow_logs: bool = True
    """VNet flow logs (Network Watcher), to a storage account of the stack."""
    traffic_analytics: bool = False
    network_watcher_group: str = "NetworkWatcherRG"
    """The resource group of the region's Network Watcher, which Azure creates with the first VNet."""


@dataclass(frozen=True)
class StackConfig:
    environment: Environment
    network: NetworkSpec
    cluster: ClusterSpec
    egress: EgressSpec
    ingress: IngressSpec
    kubernetes: KubernetesSpec
    diagnostics: DiagnosticsSpec = field(default_factory=DiagnosticsSpec)
    registry: RegistrySpec | None = None
    tls: TlsSpec | None = None


# Parsing ---------------------------------------------------------------------------------

SECTIONS = ("environment", "network", "cluster", "egress", "ingress", "kubernetes", "diagnostics", "registry",
            "tls")
GUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"


def _key(name: str) -> str:
    return f"{NS}:{name}"


def decode_value(value: object) -> object:
    """Pulumi hands structured config to programs as JSON strings (a null as "null"); YAML gives objects."""
    if value == "null":
        return None
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            decoded: object = json.loads(value)
        except ValueError:
            return value
        return decoded
    return value


def load_spec(config: Mapping[str, object], stack: str) -> StackConfig:
    """Read and validate every `aks-networking:` key of a stack's config map.

    `config` maps full keys (`aks-networking:cluster`, `azure-native:location`) to values.
    Raises `ConfigError` listing every problem found.
    """
    problems = Problems()
    known = {_key(k) for k in SECTIONS}
    for key in config:
        namespace, colon, name = key.partition(":")
        if not colon:
            problems.add(key, f"has no namespace; write {NS}:{key}")
        elif namespace not in CONFIG_NAMESPACES:
            close = did_you_mean(namespace, CONFIG_NAMESPACES)
            hint = f"did you mean '{close}:{name}'?" if close else f"known: {', '.join(CONFIG_NAMESPACES)}"
            problems.add(key, f"is in namespace '{namespace}', which nothing reads; {hint}")
        elif namespace == NS and key not in known:
            close = did_you_mean(key, sorted(known))
            hint = f"did you mean '{close}'?" if close else f"known keys: {', '.join(sorted(known))}"
            problems.add(key, f"is not a known key; {hint}")

    def section(name: str, required: bool = False) -> Obj:
        key = _key(name)
        if key not in config and required:
            problems.add(key, "is required but missing")
        return Obj(problems, key, decode_value(config.get(key)))

    raw_location = config.get("azure-native:location")
    location = "unknown"
    if not isinstance(raw_location, str) or not raw_location.strip():
        problems.add("azure-native:location", "is required: the Azure region, e.g. westeurope")
    else:
        location = raw_location.replace(" ", "").lower()
        if location not in REGIONS:
            close = did_you_mean(location, list(REGIONS))
            hint = f"did you mean '{close}'?" if close else (
                f"the region table (aksnet/config/regions.py, checked {REGIONS_CHECKED}) lists Azure's regions; "
                "add a row if Azure opened this one since")
            problems.add("azure-native:location", f"'{raw_location}' is not an Azure region; {hint}")

    environment = _environment(section("environment"), stack, location)
    cluster_raw = decode_value(config.get(_key("cluster")))
    private_api = isinstance(cluster_raw, Mapping) and cluster_raw.get("private") is True
    network = _network(section("network", required=True), private_api)
    cluster = _cluster(section("cluster", required=True), environment, network)
    egress = _egress(section("egress"))
    ingress = _ingress(section("ingress"))
    kubernetes = _kubernetes(section("kubernetes"))
    diagnostics = _diagnostics(section("diagnostics"))
    registry = _registry(section("registry"))
    tls = _tls(section("tls"))
    if problems:
        raise ConfigError(problems.items)
    if network is None or cluster is None:  # each reports why, so this is a defect of ours
        raise AssertionError("a section could not be read, yet no problem was recorded")
    return StackConfig(environment, network, cluster, egress, ingress, kubernetes, diagnostics, registry, tls)


def _certificate(obj: Obj) -> Certificate | None:
    """https://learn.microsoft.com/azure/application-gateway/key-vault-certs#supported-certificates"""
    name = obj.text("name", pattern=r"[A-Za-z0-9-]{1,127}", hint="letters, digits and '-', at most 127")
    pfx = obj.text("pfx", pattern=r"\[secret\]|[A-Za-z0-9+/=]{16,}",
                   hint="a password-less PFX in base64, set as a secret: pulumi config set --path --secret "
                        "'aks-networking:tls.certificates[0].pfx' \"$(base64 -w0 cert.pfx)\"")
    return Certificate(name, pfx) if name and pfx else None


def _tls(obj: Obj) -> TlsSpec | None:
    """Key Vault names: https://learn.microsoft.com/azure/key-vault/general/about-keys-secrets-certificates#vault-name-and-object-name"""
    if not obj.valid:
        return None
    vault = obj.text("keyVault", pattern=r"[A-Za-z](?!.*--)[A-Za-z0-9-]{1,22}[A-Za-z0-9]",
                     hint="3 to 24 letters, digits and single hyphens, a letter first, unique in Azure")
    certificates = obj.records("certificates", _certificate)
    obj.done()
    if not certificates:
        obj.problems.add(obj.key_path("certificates"), "is empty; name at least one certificate, or remove tls")
    return TlsSpec(vault, certificates) if vault else None


def _registry(obj: Obj) -> RegistrySpec | None:
    """https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules#microsoftcontainerregistry"""
    if not obj.valid:
        return None
    name = obj.text("name", pattern=r"[A-Za-z0-9]{5,50}", hint="5 to 50 letters and digits, unique in Azure")
    obj.done()
    return RegistrySpec(name) if name else None


WORKSPACE_ID = (rf"/subscriptions/{GUID}/resourceGroups/[-\w._()]{{1,90}}/providers/"
                r"Microsoft\.OperationalInsights/workspaces/[A-Za-z0-9][A-Za-z0-9-]{2,61}[A-Za-z0-9]")
RESOURCE_GROUP_NAME = r"[-\w._()]{1,89}[-\w_()]"


def _diagnostics(obj: Obj) -> DiagnosticsSpec:
    """Log Analytics retention: 30 to 730 days on the pay-as-you-go tier.
    https://learn.microsoft.com/azure/azure-monitor/logs/data-retention-configure"""
    enabled = obj.flag("enabled", True)
    flow_logs = obj.flag("flowLogs", enabled)
    spec = DiagnosticsSpec(
        enabled=enabled,
        workspace_id=obj.text("workspaceId", None, pattern=WORKSPACE_ID,
                              hint="a Log Analytics workspace's resource id, /subscriptions/<id>/resourceGroups/"
                                   "<group>/providers/Microsoft.OperationalInsights/workspaces/<name>"),
        retention_days=obj.whole("retentionDays", 30, minimum=30, maximum=730),
        flow_logs=flow_logs,
        traffic_analytics=obj.flag("trafficAnalytics", False),
        network_watcher_group=obj.text("networkWatcherResourceGroup", "NetworkWatcherRG", pattern=RESOURCE_GROUP_NAME,
                                       hint="a resource group name"))
    obj.done()
    if not enabled and (flow_logs or spec.traffic_analytics or spec.workspace_id):
        for key in ("flowLogs", "trafficAnalytics", "workspaceId"):
            if obj.has(key) and obj.data.get(key) not in (False, None):
                obj.problems.add(obj.key_path(key), "is set, but diagnostics.enabled is false; remove one of them")
        spec = DiagnosticsSpec(enabled=False, flow_logs=False)
    if spec.traffic_analytics and not spec.flow_logs:
        obj.problems.add(obj.key_path("trafficAnalytics"), "needs flowLogs: traffic analytics reads the flow logs")
    return spec


def _environment(obj: Obj, stack: str, location: str) -> Environment:
    default_name = stack.lower() if _fits_name(stack.lower()) else "aks"
    env = Environment(
        name=obj.text("name", default_name, pattern=NAME_PATTERN,
                      hint="lower-case letters, digits and hyphens, 1 to 16 characters"),
        location=location,
        production=obj.flag("production", False),
        tags=azure_tags(obj, "tags"),
        protect=obj.flag("protect", False),
        lock_hub=obj.flag("lockHub", False),
    )
    obj.done()
    return env


def _fits_name(text: str) -> bool:
    return re.fullmatch(NAME_PATTERN, text) is not None


def _cidr_item(problems: Problems, path: str, value: object) -> Network4 | None:
    return parse_cidr(problems, path, value)


def _vnet(obj: Obj, role: str, allowed: tuple[str, ...]) -> VNetSpec | None:
    space = obj.items("addressSpace", _cidr_item, min_items=1)

    def read_subnet(problems: Problems, path: str, name: str, value: object) -> Network4 | None:
        if name not in allowed:
            close = did_you_mean(name, allowed)
            hint = f"did you mean '{close}'?" if close else f"expected one of {', '.join(allowed)}"
            problems.add(path, f"is not a subnet role of the {role} VNet; {hint}")
            return None
        return parse_cidr(problems, path, value)

    subnets = mapping_of(obj.problems, obj.key_path("subnets"), obj.raw("subnets"), read_subnet)
    obj.done()
    if not obj.valid:
        return None
    return VNetSpec(role=role, address_space=space, subnets=subnets)


def _network(obj: Obj, private_api: bool) -> NetworkSpec | None:
    hub_obj = obj.nested("hub")
    bastion = obj.flag("bastion", private_api)
    on_premises = obj.items("onPremises", _cidr_item, (), max_items=500)
    dns_resolver = obj.flag("dnsResolver", False)
    spoke_obj = obj.nested("spoke", required=True)
    hub = _vnet(hub_obj, "hub", HUB_SUBNETS) if hub_obj is not None else None
    # Without a hub, the single VNet also holds the firewall and Bastion subnets.
    spoke_roles = ROLE_SUBNETS if hub_obj is not None else ROLE_SUBNETS + FIXED_SUBNETS
    spoke = _vnet(spoke_obj, "spoke", spoke_roles) if spoke_obj is not None else None
    obj.done()
    raw_subnets = spoke_obj.data.get("subnets") if spoke_obj is not None else None
    if spoke is not None and isinstance(raw_subnets, Mapping) and "nodes" not in raw_subnets:
        obj.problems.add(f"{obj.path}.spoke.subnets.nodes", "is required: the subnet of the cluster's nodes")
    if spoke is None:
        return None
    return NetworkSpec(spoke=spoke, hub=hub, bastion=bastion, on_premises=on_premises, dns_resolver=dns_resolver)


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
                    hint="lower-case letters and digits, starting with a letter, at most 12 characters")
    pool_mode = obj.choice("mode", POOL_MODES, "User")
    vm_size = obj.text("vmSize", "Standard_D4ds_v5", pattern=r"Standard_[A-Za-z0-9_]+",
                       hint="an Azure VM size such as Standard_D4ds_v5")
    fewest = 0 if pool_mode == "User" else 1
    count = obj.whole("count", None, minimum=fewest, maximum=1000)
    min_count = obj.whole("minCount", None, minimum=fewest, maximum=1000)
    max_count = obj.whole("maxCount", None, minimum=1, maximum=1000)
    if count is not None and (min_count is not None or max_count is not None):
        obj.problems.add(f"{path}.count", "is set together with minCount/maxCount; choose a fixed count "
                         "or the autoscaler's minCount and maxCount")
    elif count is None and (min_count is None or max_count is None):
        obj.problems.add(path, "needs count, or both minCount and maxCount for the autoscaler")
    elif min_count is not None and max_count is not None and min_count > max_count:
        obj.problems.add(f"{path}.minCount", f"is {min_count}, greater than maxCount {max_count}")
    max_pods = obj.whole("maxPods", default_max_pods(plugin, mode, has_pod_subnet))
    zones = obj.items("zones", zone_item, (), max_items=3)
    os_disk = obj.choice("osDiskType", OS_DISK_TYPES, None)
    critical = obj.flag("onlyCriticalAddons", False)
    if not name:
        return None
    if count is not None:
        min_count = max_count = None
    return NodePool(name=name, mode=pool_mode, vm_size=vm_size, count=count, min_count=min_count,
                    max_count=max_count, max_pods=max_pods, zones=zones, os_disk_type=os_disk,
                    only_critical_addons=critical)


def _entra_id(obj: Obj) -> EntraId | None:
    entra = obj.nested("entraId")
    if entra is None:
        return EntraId((), True)
    enabled = entra.flag("enabled", True)
    group = string_item(GUID, "an Entra ID group object id (a GUID)")
    admins = entra.items("adminGroupObjectIds", group, ())
    readers = entra.items("readerGroupObjectIds", group, ())
    rbac = entra.flag("azureRbac", True)
    deployer = entra.flag("grantDeployer") if entra.has("grantDeployer") else None
    deployer_type = entra.choice("deployerType", ("ServicePrincipal", "User"), "ServicePrincipal")
    entra.done()
    return EntraId(admins, rbac, readers, deployer, deployer_type) if enabled else None


def _cluster(obj: Obj, env: Environment, network: NetworkSpec | None) -> ClusterSpec | None:
    plugin = obj.choice("networkPlugin", NETWORK_PLUGINS, "azure")
    mode = obj.choice("networkPluginMode", PLUGIN_MODES, None)
    dataplane = obj.choice("networkDataplane", DATAPLANES, "azure")
    default_policy = "none" if plugin == "none" else ("cilium" if dataplane == "cilium" else "calico")
    policy = obj.choice("networkPolicy", POLICY_ENGINES, default_policy)
    has_pod_subnet = network is not None and "pods" in network.spoke.subnets
    uses_pod_cidr = plugin == "kubenet" or mode == "overlay"
    pod_cidr = obj.cidr("podCidr", ipaddress.IPv4Network("10.244.0.0/16") if uses_pod_cidr else None)
    service_cidr = obj.cidr("serviceCidr", ipaddress.IPv4Network("10.0.0.0/16"))
    dns_ip = obj.address("dnsServiceIp", ipaddress.IPv4Address("10.0.0.10"))
    pools = obj.records("nodePools", lambda pool: _pool(pool, plugin=plugin, mode=mode, has_pod_subnet=has_pod_subnet),
                        min_items=1, max_items=100, required=True,
                        null_hint="is null, expected a mapping with at least name and count (or minCount and maxCount)")
    spec = ClusterSpec(
        # The name is also the cluster's DNS prefix, which is the stricter of the two: 1 to 54
        # characters, letters, digits and hyphens, a letter first and a letter or digit last.
        # https://learn.microsoft.com/azure/aks/troubleshoot-dns-prefix (DnsPrefix), and the AKS
        # REST API's managedClusters dnsPrefix.
        name=obj.text("name", f"aks-{env.name}", pattern=r"[a-zA-Z]([a-zA-Z0-9-]{0,52}[a-zA-Z0-9])?",
                      hint="the cluster's DNS prefix too: letters, digits and hyphens, 1 to 54 characters, "
                      "a letter first and a letter or digit last"),
        kubernetes_version=_kubernetes_version(obj),
        upgrade_channel=obj.choice("upgradeChannel", UPGRADE_CHANNELS, "patch"),
        node_os_upgrade_channel=obj.choice("nodeOsUpgradeChannel", NODE_OS_CHANNELS, "NodeImage"),
        network_plugin=plugin,
        network_plugin_mode=mode,
        network_dataplane=dataplane,
        network_policy=policy,
        pod_cidr=pod_cidr,
        service_cidr=service_cidr or ipaddress.IPv4Network("10.0.0.0/16"),
        dns_service_ip=dns_ip or ipaddress.IPv4Address("10.0.0.10"),
        outbound_type=obj.choice("outboundType", OUTBOUND_TYPES, "loadBalancer"),
        outbound_ip_count=obj.whole("outboundIpCount", 1, minimum=1, maximum=100),
        egress_next_hop_ip=obj.address("egressNextHopIp", None),
        private=obj.flag("private", False),
        private_dns_zone=obj.choice("privateDnsZone", PRIVATE_DNS_ZONES, "system"),
        api_server_vnet_integration=obj.flag("apiServerVnetIntegration", False),
        authorized_ip_ranges=obj.items("authorizedIpRanges", _cidr_item, (), max_items=200),
        node_pools=pools,
        max_surge=_max_surge(obj),
        service_mesh=obj.choice("serviceMesh", SERVICE_MESHES, "none"),
        entra_id=_entra_id(obj),
        local_accounts=obj.flag("localAccounts", False),
        disable_run_command=obj.flag("disableRunCommand", False),
        workload_identity=obj.flag("workloadIdentity", True),
        azure_policy=obj.flag("azurePolicy", False),
        sku_tier=obj.choice("skuTier", ("Free", "Standard", "Premium"), "Standard"),
    )
    spec = replace(spec, pod_security=_pod_security(obj, spec.azure_policy, env.production))
    obj.done()
    if not obj.valid or service_cidr is None or dns_ip is None:
        return None
    return spec


def _pod_security(obj: Obj, azure_policy: bool, production: bool) -> PodSecurity | None:
    """With the Azure Policy add-on, the pod security baseline by default, denying in production
    and auditing in development."""
    security = obj.nested("podSecurity")
    if security is None or not security.valid:
        return PodSecurity("baseline", "deny" if production else "audit") if azure_policy else None
    if not azure_policy:
        security.problems.add(security.path, "needs the Azure Policy add-on: set azurePolicy true, or remove it")
    result = PodSecurity(security.choice("initiative", tuple(POD_SECURITY_INITIATIVES), "baseline"),
                         security.choice("effect", ("audit", "deny"), "deny" if production else "audit"))
    security.done()
    return result if azure_policy else None


def _max_surge(obj: Obj) -> str:
    """A node count or a percentage (`pulumi config set --path ...maxSurge 1` stores the number 1,
    which reads as "1")."""
    return obj.text("maxSurge", "10%", pattern=SURGE_PATTERN, hint="a node count such as 1 or a percentage such as 33%")


def _kubernetes_version(obj: Obj) -> str | None:
    value = obj.data.get("kubernetesVersion")
    if isinstance(value, int | float) and not isinstance(value, bool):
        obj.raw("kubernetesVersion")
        obj.problems.add(obj.key_path("kubernetesVersion"), f"is the number {value}: YAML reads an unquoted "
                         "version as a number (1.30 becomes 1.3); quote it, e.g. \"1.35\"")
        return None
    return obj.text("kubernetesVersion", None, pattern=K8S_VERSION_PATTERN,
                    hint="a Kubernetes version such as 1.35 or 1.35.2")


def azure_tags(obj: Obj, key: str) -> dict[str, str]:
    """Azure tags: names of at most 512 characters without < > % & \\ ? /, values of at most 256.
    https://learn.microsoft.com/azure/azure-resource-manager/management/tag-resources#limitations"""
    tags = obj.labels(key)
    for name, value in tags.items():
        path = f"{obj.key_path(key)}.{name}"
        if len(name) > 512 or any(c in name for c in "<>%&\\?/"):
            obj.problems.add(path, "is not a valid tag name: at most 512 characters, none of < > % & \\ ? /")
        if len(value) > 256:
            obj.problems.add(path, f"is {len(value)} characters long; a tag value holds at most 256")
    return tags


def firewall_port(problems: Problems, path: str, value: object) -> str | None:
    """A destination port of an Azure Firewall rule: `*`, a port 1-65535, or a range `low-high`.
    https://learn.microsoft.com/azure/firewall/rule-processing"""
    text = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    if text == "*":
        return text
    match = re.fullmatch(r"([0-9]{1,5})(?:-([0-9]{1,5}))?", text) if isinstance(text, str) else None
    low, high = (int(match.group(1)), int(match.group(2) or match.group(1))) if match else (0, 0)
    if match is None or not 1 <= low <= high <= 65535:
        problems.add(path, f"{show(value)} is not a port; expected * , a port from 1 to 65535, or a range "
                     "such as 8000-8080")
        return None
    return str(text)


def firewall_address(problems: Problems, path: str, value: object) -> str | None:
    """A destination of an Azure Firewall network rule: `*`, an IPv4 address or CIDR, or a service tag
    such as `AzureCloud.westeurope`. https://learn.microsoft.com/azure/firewall/service-tags"""
    if isinstance(value, str) and (value == "*" or re.fullmatch(r"[A-Za-z][A-Za-z0-9]*(\.[A-Za-z0-9]+)?", value)):
        return value
    if isinstance(value, str) and re.fullmatch(r"[0-9./]+", value):
        try:
            ipaddress.IPv4Network(value, strict=True)
            return value
        except ValueError:
            pass
    problems.add(path, f"{show(value)} is not an IPv4 address, CIDR (host bits zero) or service tag such as "
                 "AzureCloud.westeurope")
    return None


def _network_rule(obj: Obj) -> NetworkRule | None:
    rule = NetworkRule(
        name=obj.text("name", pattern=RULE_NAME_PATTERN, hint=RULE_NAME_HINT),
        protocols=obj.items("protocols", choice_item(FIREWALL_PROTOCOLS), min_items=1),
        destination_addresses=obj.items("destinationAddresses", firewall_address, ()),
        destination_fqdns=obj.items("destinationFqdns", string_item(
            r"[A-Za-z0-9*][A-Za-z0-9.-]*", "a host name such as ntp.ubuntu.com"), ()),
        ports=obj.items("ports", firewall_port, min_items=1),
    )
    if not rule.destination_addresses and not rule.destination_fqdns:
        obj.problems.add(obj.path, "needs destinationAddresses or destinationFqdns")
    return rule


def _dnat_rule(obj: Obj) -> DnatRule | None:
    address = obj.address("translatedAddress")
    rule = DnatRule(
        name=obj.text("name", pattern=RULE_NAME_PATTERN, hint=RULE_NAME_HINT),
        protocol=obj.choice("protocol", ("TCP", "UDP"), "TCP"),
        port=obj.whole("port", minimum=1, maximum=65535),
        translated_address=address or ipaddress.IPv4Address("0.0.0.0"),
        translated_port=obj.whole("translatedPort", minimum=1, maximum=65535),
    )
    return rule if address is not None else None


def _egress(obj: Obj) -> EgressSpec:
    fw = obj.nested("firewall")
    obj.done()
    if fw is None or not fw.valid:
        return EgressSpec()
    sku = fw.choice("sku", FIREWALL_SKUS, "Standard")
    basic = sku == "Basic"  # Basic has threat intelligence in Alert mode only and no DNS proxy
    spec = FirewallSpec(
        sku=sku,
        threat_intel_mode=fw.choice("threatIntelMode", THREAT_INTEL_MODES, "Alert" if basic else "Deny"),
        zones=fw.items("zones", zone_item, (), max_items=3),
        public_ip_count=fw.whole("publicIpCount", 1, minimum=1, maximum=250),
        dns_proxy=fw.flag("dnsProxy", not basic),
        allowed_fqdns=fw.items("allowedFqdns", string_item(FQDN, FQDN_HINT), ()),
        network_rules=fw.records("networkRules", _network_rule),
        dnat_rules=fw.records("dnatRules", _dnat_rule),
    )
    fw.done()
    return EgressSpec(firewall=spec)


def _ingress(obj: Obj) -> IngressSpec:
    controller = obj.choice("controller", INGRESS_CONTROLLERS, "none")
    appgw_obj = obj.nested("appGateway")
    nginx_obj = obj.nested("nginx")
    obj.done()
    appgw = None
    if appgw_obj is not None and appgw_obj.valid:
        appgw = AppGatewaySpec(
            sku=appgw_obj.choice("sku", APPGW_SKUS, "WAF_v2"),
            waf_mode=appgw_obj.choice("wafMode", WAF_MODES, "Prevention"),
            min_capacity=appgw_obj.whole("minCapacity", 0, minimum=0, maximum=125),
            max_capacity=appgw_obj.whole("maxCapacity", 10, minimum=1, maximum=125),
            zones=appgw_obj.items("zones", zone_item, (), max_items=3),
            public_frontend=appgw_obj.flag("publicFrontend", True),
            private_ip=appgw_obj.address("privateIp", None),
        )
        if appgw.min_capacity > appgw.max_capacity:
            obj.problems.add(appgw_obj.key_path("minCapacity"),
                             f"is {appgw.min_capacity}, greater than maxCapacity {appgw.max_capacity}")
        appgw_obj.done()
    elif controller == "appgw":
        appgw = AppGatewaySpec("WAF_v2", "Prevention", 0, 10, (), True, None)
    nginx = None
    if nginx_obj is not None and nginx_obj.valid:
        nginx = NginxSpec(visibility=nginx_obj.choice("visibility", NGINX_VISIBILITY, "internal"),
                          static_ip=nginx_obj.address("staticIp", None))
        nginx_obj.done()
    elif controller == "nginx":
        nginx = NginxSpec("internal", None)
    return IngressSpec(controller=controller, app_gateway=appgw, nginx=nginx)


DELIVERIES = ("apply", "gitops", "none")


def _gitops(obj: Obj) -> GitOpsSpec | None:
    gitops = obj.nested("gitops")
    if gitops is None:
        return None
    spec = GitOpsSpec(
        url=gitops.text("url", pattern=r"(https://|ssh://)[A-Za-z0-9.-]+(:[0-9]+)?/[A-Za-z0-9._~/-]+",
                        hint="an https:// or ssh:// Git repository URL"),
        branch=gitops.text("branch", "main", pattern=r"[A-Za-z0-9._/-]+", hint="a branch name"),
        path=gitops.text("path", pattern=r"[A-Za-z0-9_-][A-Za-z0-9_./-]*", hint="a relative directory such as "
                         "deploy/prod"),
        interval_seconds=gitops.whole("intervalSeconds", 300, minimum=60, maximum=86400),
    )
    gitops.done()
    return spec


def _kubernetes(obj: Obj) -> KubernetesSpec:
    for retired in ("apply", "renderDir"):
        if obj.has(retired):
            obj.raw(retired)
            obj.problems.add(obj.key_path(retired), "is replaced by kubernetes.delivery: apply (Pulumi applies the "
                             "layer), gitops (the Flux extension reconciles it from Git) or none")
    spec = KubernetesSpec(
        delivery=obj.choice("delivery", DELIVERIES, "apply"),
        gitops=_gitops(obj),
        workloads=parse_workloads(obj),
        allowed_registries=tuple(r.lower() for r in obj.items("allowedRegistries", string_item(
            r"[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*(:[0-9]{1,5})?",
            "a registry host such as docker.io or ghcr.io"), ())),
    )
    if spec.delivery == "gitops" and spec.gitops is None:
        obj.problems.add(obj.key_path("gitops"), "is required with delivery gitops: {url, branch, path}")
    if spec.delivery != "gitops" and spec.gitops is not None:
        obj.problems.add(obj.key_path("gitops"), f"is set but delivery is {spec.delivery}; set delivery gitops "
                         "or remove it")
    obj.done()
    check_workloads(spec.workloads, obj.path, obj.problems)
    return spec
