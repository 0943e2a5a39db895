"""The stack model: the typed, frozen values `load_spec` returns (`aksnet.config.stack`). Pure, no Pulumi."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from aksnet.config.landing_zone import LandingZoneSpec
from aksnet.config.schema import Address4, Network4
from aksnet.config.workloads import Workloads


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
    os_disk_size_gb: int | None = None
    """The OS disk's size; None: AKS's default for the size."""

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
class AgcSpec:
    """Application Gateway for Containers' options (`ingress.agc`)."""

    waf_policy_id: str | None = None
    """An Application Gateway WAF policy to attach: in preview on AGC (aksnet/rules/ingress.py)."""


@dataclass(frozen=True)
class IngressSpec:
    controller: str = "none"
    app_gateway: AppGatewaySpec | None = None
    nginx: NginxSpec | None = None
    agc: AgcSpec | None = None


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
    landing_zone: LandingZoneSpec = field(default_factory=LandingZoneSpec)
    """The stack's role in a landing zone: combined (hub and spoke in one stack, the default), hub or spoke."""
