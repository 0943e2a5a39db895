"""The stack model and its loader: typed, validated, with secure defaults. Pure, no Pulumi.

`load_spec` takes a stack's `config` map (keys with their namespace, values as YAML gives them
or as the engine hands them, JSON strings) and returns a frozen `StackConfig`, or raises
`ConfigError` with one problem per mistake. Cross-field rules live in the registry
(`aksnet.rules.registry.check_stack`); `aksnet.pipeline.load_stack` runs both, so a user
sees every problem of the file at once.
"""

from __future__ import annotations

import difflib
import ipaddress
import json
import re
from dataclasses import dataclass, field
from typing import Any, Mapping, Optional

from aksnet.spec.problems import ConfigError, Problem
from aksnet.vocabulary import FIXED_SUBNETS, NS, ROLE_SUBNETS
from aksnet.spec.schema import Obj, Problems, labels_item, mapping_of, parse_cidr, string_item, zone_item
from aksnet.spec.workloads import Workloads, check_workloads, parse_workloads

Network4 = ipaddress.IPv4Network
Address4 = ipaddress.IPv4Address

# Subnet roles. Role subnets get names of ours; fixed-name subnets keep the name Azure demands.
HUB_SUBNETS = FIXED_SUBNETS

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
    hub: Optional[VNetSpec] = None
    bastion: bool = False
    """Azure Bastion in AzureBastionSubnet; on by default for a private API server."""
    on_premises: tuple[Network4, ...] = ()
    """Ranges reached through the hub (VPN, ExpressRoute): nothing of ours may overlap them."""

    def subnet(self, role: str) -> Optional[Network4]:
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
    count: Optional[int]
    """Fixed node count, or None when the autoscaler decides between min and max."""
    min_count: Optional[int]
    max_count: Optional[int]
    max_pods: int
    zones: tuple[str, ...]
    os_disk_type: Optional[str]
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
    azure_rbac: bool


@dataclass(frozen=True)
class ClusterSpec:
    name: str
    kubernetes_version: Optional[str]
    network_plugin: str
    network_plugin_mode: Optional[str]
    network_dataplane: str
    network_policy: str
    pod_cidr: Optional[Network4]
    service_cidr: Network4
    dns_service_ip: Address4
    outbound_type: str
    outbound_ip_count: int
    egress_next_hop_ip: Optional[Address4]
    private: bool
    private_dns_zone: str
    api_server_vnet_integration: bool
    authorized_ip_ranges: tuple[Network4, ...]
    node_pools: tuple[NodePool, ...]
    max_surge: str
    service_mesh: str
    entra_id: Optional[EntraId]
    local_accounts: bool
    workload_identity: bool
    azure_policy: bool
    sku_tier: str

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
    firewall: Optional[FirewallSpec] = None


@dataclass(frozen=True)
class AppGatewaySpec:
    sku: str
    waf_mode: str
    min_capacity: int
    max_capacity: int
    zones: tuple[str, ...]
    public_frontend: bool
    private_ip: Optional[Address4]


@dataclass(frozen=True)
class NginxSpec:
    visibility: str
    static_ip: Optional[Address4]


@dataclass(frozen=True)
class IngressSpec:
    controller: str = "none"
    app_gateway: Optional[AppGatewaySpec] = None
    nginx: Optional[NginxSpec] = None


@dataclass(frozen=True)
class KubernetesSpec:
    apply: bool = True
    """False skips the Kubernetes layer (a private API the runner cannot reach)."""
    render_dir: Optional[str] = None
    """Write the Kubernetes objects as YAML to this directory instead of applying them."""
    workloads: Workloads = field(default_factory=Workloads)
    """Namespaces, apps, ingresses, flows and literal policies."""

    @property
    def mode(self) -> str:
        """`apply`, `render` or `skip`."""
        return "render" if self.render_dir is not None else ("apply" if self.apply else "skip")

    def describe(self) -> str:
        """What happens to the layer, for the stack's outputs."""
        return {"apply": "applied through the cluster's kubeconfig", "render": f"rendered to {self.render_dir}",
                "skip": "skipped (kubernetes.apply is false)"}[self.mode]


@dataclass(frozen=True)
class StackConfig:
    environment: Environment
    network: NetworkSpec
    cluster: ClusterSpec
    egress: EgressSpec
    ingress: IngressSpec
    kubernetes: KubernetesSpec


# Parsing ---------------------------------------------------------------------------------

def _key(name: str) -> str:
    return f"{NS}:{name}"


def decode_value(value: Any) -> Any:
    """Pulumi hands structured config to programs as JSON strings; YAML gives objects."""
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def load_spec(config: Mapping[str, Any], stack: str) -> StackConfig:
    """Read and validate every `aks-networking:` key of a stack's config map.

    `config` maps full keys (`aks-networking:cluster`, `azure-native:location`) to values.
    Raises `ConfigError` listing every problem found.
    """
    problems = Problems()
    known = {_key(k) for k in ("environment", "network", "cluster", "egress", "ingress", "kubernetes")}
    for key in config:
        if key.startswith(f"{NS}:") and key not in known:
            problems.add(key, f"is not a known key; known keys: {', '.join(sorted(known))}")

    def section(name: str, required: bool = False) -> Obj:
        key = _key(name)
        if key not in config and required:
            problems.add(key, "is required but missing")
        return Obj(problems, key, decode_value(config.get(key)))

    location = config.get("azure-native:location")
    if not isinstance(location, str) or not location.strip():
        problems.add("azure-native:location", "is required: the Azure region, e.g. westeurope")
        location = "unknown"
    elif not location.replace(" ", "").isalnum():
        problems.add("azure-native:location", f"'{location}' is not an Azure region name, e.g. westeurope")
    location = location.replace(" ", "").lower()

    environment = _environment(section("environment"), stack, location)
    cluster_raw = decode_value(config.get(_key("cluster")))
    private_api = isinstance(cluster_raw, Mapping) and cluster_raw.get("private") is True
    network = _network(section("network", required=True), private_api)
    cluster = _cluster(section("cluster", required=True), environment, network)
    egress = _egress(section("egress"))
    ingress = _ingress(section("ingress"))
    kubernetes = _kubernetes(section("kubernetes"))
    if problems:
        raise ConfigError(problems.items)
    assert network is not None and cluster is not None
    return StackConfig(environment, network, cluster, egress, ingress, kubernetes)


def _environment(obj: Obj, stack: str, location: str) -> Environment:
    default_name = stack.lower() if _fits_name(stack.lower()) else "aks"
    env = Environment(
        name=obj.str("name", default_name, pattern=NAME_PATTERN,
                     pattern_hint="lower-case letters, digits and hyphens, 1 to 16 characters"),
        location=location,
        production=obj.bool("production", False),
        tags=labels_item(obj.problems, obj.key_path("tags"), obj.raw("tags", {})),
        protect=obj.bool("protect", False),
    )
    obj.done()
    return env


def _fits_name(text: str) -> bool:
    return re.fullmatch(NAME_PATTERN, text) is not None


def _vnet(obj: Obj, role: str, allowed: tuple[str, ...]) -> Optional[VNetSpec]:
    space = obj.list("addressSpace", lambda p, path, v: parse_cidr(p, path, v), min_items=1)
    subnets_path = obj.key_path("subnets")

    def read_subnet(problems: Problems, path: str, name: str, value: Any) -> Optional[Network4]:
        if name not in allowed:
            close = difflib.get_close_matches(name, allowed, n=1, cutoff=0.6)
            hint = f"did you mean '{close[0]}'?" if close else f"expected one of {', '.join(allowed)}"
            problems.add(path, f"is not a subnet role of the {role} VNet; {hint}")
            return None
        return parse_cidr(problems, path, value)

    subnets = mapping_of(obj.problems, subnets_path, obj.raw("subnets"), read_subnet)
    obj.done()
    if not obj.valid:
        return None
    return VNetSpec(role=role, address_space=tuple(space or ()), subnets=subnets)


def _network(obj: Obj, private_api: bool) -> Optional[NetworkSpec]:
    hub_obj = obj.obj("hub")
    bastion = obj.bool("bastion", private_api)
    on_premises = obj.list("onPremises", lambda p, path, v: parse_cidr(p, path, v), (), max_items=500)
    spoke_obj = obj.obj("spoke", required=True)
    hub = _vnet(hub_obj, "hub", HUB_SUBNETS) if hub_obj is not None else None
    # Without a hub, the single VNet also holds the firewall and Bastion subnets.
    spoke_roles = ROLE_SUBNETS if hub_obj is not None else ROLE_SUBNETS + FIXED_SUBNETS
    spoke = _vnet(spoke_obj, "spoke", spoke_roles) if spoke_obj is not None else None
    obj.done()
    if spoke is not None and "nodes" not in spoke.subnets and spoke_obj is not None and spoke_obj.has("subnets"):
        obj.problems.add(f"{obj.path}.spoke.subnets.nodes", "is required: the subnet of the cluster's nodes")
    if spoke is None:
        return None
    return NetworkSpec(spoke=spoke, hub=hub, bastion=bastion, on_premises=tuple(on_premises))


def default_max_pods(plugin: str, mode: Optional[str], has_pod_subnet: bool) -> int:
    """AKS's own defaults (https://learn.microsoft.com/azure/aks/concepts-network-ip-address-planning)."""
    if plugin == "azure" and mode == "overlay":
        return 250
    if plugin == "azure" and not has_pod_subnet:
        return 30
    return 110


def _pool(problems: Problems, path: str, value: Any, *, plugin: str, mode: Optional[str],
          has_pod_subnet: bool) -> Optional[NodePool]:
    obj = Obj(problems, path, value)
    if not obj.valid:
        if value is None:
            problems.add(path, "is null, expected a mapping with at least name and count (or minCount and maxCount)")
        return None
    name = obj.str("name", pattern=POOL_NAME_PATTERN,
                   pattern_hint="lower-case letters and digits, starting with a letter, at most 12 characters")
    pool_mode = obj.enum("mode", POOL_MODES, "User")
    vm_size = obj.str("vmSize", "Standard_D4ds_v5", pattern=r"Standard_[A-Za-z0-9_]+",
                      pattern_hint="an Azure VM size such as Standard_D4ds_v5")
    count = obj.int("count", None, minimum=0 if pool_mode == "User" else 1, maximum=1000)
    min_count = obj.int("minCount", None, minimum=0 if pool_mode == "User" else 1, maximum=1000)
    max_count = obj.int("maxCount", None, minimum=1, maximum=1000)
    if count is not None and (min_count is not None or max_count is not None):
        problems.add(f"{path}.count", "is set together with minCount/maxCount; choose a fixed count "
                     "or the autoscaler's minCount and maxCount")
    elif count is None and (min_count is None or max_count is None):
        problems.add(path, "needs count, or both minCount and maxCount for the autoscaler")
    elif min_count is not None and max_count is not None and min_count > max_count:
        problems.add(f"{path}.minCount", f"is {min_count}, greater than maxCount {max_count}")
    max_pods = obj.int("maxPods", default_max_pods(plugin, mode, has_pod_subnet))
    zones = obj.list("zones", zone_item, (), max_items=3)
    os_disk = obj.enum("osDiskType", OS_DISK_TYPES, None)
    critical = obj.bool("onlyCriticalAddons", False)
    obj.done()
    if name is None:
        return None
    if count is not None:
        min_count = max_count = None
    return NodePool(name=name, mode=pool_mode, vm_size=vm_size, count=count, min_count=min_count,
                    max_count=max_count, max_pods=max_pods, zones=tuple(zones), os_disk_type=os_disk,
                    only_critical_addons=critical)


def _cluster(obj: Obj, env: Environment, network: Optional[NetworkSpec]) -> Optional[ClusterSpec]:
    plugin = obj.enum("networkPlugin", NETWORK_PLUGINS, "azure")
    mode = obj.enum("networkPluginMode", PLUGIN_MODES, None)
    dataplane = obj.enum("networkDataplane", DATAPLANES, "azure")
    default_policy = "none" if plugin == "none" else ("cilium" if dataplane == "cilium" else "calico")
    policy = obj.enum("networkPolicy", POLICY_ENGINES, default_policy)
    has_pod_subnet = network is not None and "pods" in network.spoke.subnets
    uses_pod_cidr = plugin == "kubenet" or mode == "overlay"
    pod_cidr = obj.cidr("podCidr", ipaddress.ip_network("10.244.0.0/16") if uses_pod_cidr else None)
    service_cidr = obj.cidr("serviceCidr", ipaddress.ip_network("10.0.0.0/16"))
    dns_ip = obj.ip("dnsServiceIp", ipaddress.ip_address("10.0.0.10"))
    outbound = obj.enum("outboundType", OUTBOUND_TYPES, "loadBalancer")
    outbound_ips = obj.int("outboundIpCount", 1, minimum=1, maximum=100)
    next_hop = obj.ip("egressNextHopIp", None)
    private = obj.bool("private", False)
    private_zone = obj.enum("privateDnsZone", PRIVATE_DNS_ZONES, "system")
    vnet_integration = obj.bool("apiServerVnetIntegration", False)
    authorized = obj.list("authorizedIpRanges", lambda p, path, v: parse_cidr(p, path, v), (), max_items=200)
    pools = obj.list("nodePools", lambda p, path, v: _pool(p, path, v, plugin=plugin, mode=mode,
                                                               has_pod_subnet=has_pod_subnet),
                     min_items=1, max_items=100)
    entra_obj = obj.obj("entraId")
    entra: Optional[EntraId] = EntraId((), True)
    if entra_obj is not None:
        enabled = entra_obj.bool("enabled", True)
        groups = entra_obj.list("adminGroupObjectIds", string_item(
            r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}",
            "an Entra ID group object id (a GUID)"), ())
        rbac = entra_obj.bool("azureRbac", True)
        entra_obj.done()
        entra = EntraId(tuple(groups), rbac) if enabled else None
    spec = ClusterSpec(
        name=obj.str("name", f"aks-{env.name}", pattern=r"[a-zA-Z0-9][a-zA-Z0-9_-]{0,62}",
                     pattern_hint="letters, digits, hyphens and underscores, at most 63 characters"),
        kubernetes_version=obj.str("kubernetesVersion", None, pattern=K8S_VERSION_PATTERN,
                                   pattern_hint="a Kubernetes version such as 1.33 or 1.33.2"),
        network_plugin=plugin,
        network_plugin_mode=mode,
        network_dataplane=dataplane,
        network_policy=policy,
        pod_cidr=pod_cidr,
        service_cidr=service_cidr,
        dns_service_ip=dns_ip,
        outbound_type=outbound,
        outbound_ip_count=outbound_ips,
        egress_next_hop_ip=next_hop,
        private=private,
        private_dns_zone=private_zone,
        api_server_vnet_integration=vnet_integration,
        authorized_ip_ranges=tuple(authorized),
        node_pools=tuple(pools or ()),
        max_surge=obj.str("maxSurge", "10%", pattern=SURGE_PATTERN,
                          pattern_hint="a node count such as 1 or a percentage such as 33%"),
        service_mesh=obj.enum("serviceMesh", SERVICE_MESHES, "none"),
        entra_id=entra,
        local_accounts=obj.bool("localAccounts", False),
        workload_identity=obj.bool("workloadIdentity", True),
        azure_policy=obj.bool("azurePolicy", False),
        sku_tier=obj.enum("skuTier", ("Free", "Standard", "Premium"), "Standard"),
    )
    obj.done()
    if not obj.valid or service_cidr is None or dns_ip is None:
        return None
    return spec


def _network_rule(problems: Problems, path: str, value: Any) -> Optional[NetworkRule]:
    obj = Obj(problems, path, value)
    if not obj.valid:
        return None
    rule = NetworkRule(
        name=obj.str("name", pattern=RULE_NAME_PATTERN, pattern_hint=RULE_NAME_HINT),
        protocols=tuple(obj.list("protocols", _enum_item(FIREWALL_PROTOCOLS), min_items=1)),
        destination_addresses=tuple(obj.list("destinationAddresses", string_item(
            r"[A-Za-z0-9.:/*]+(\.[A-Za-z]+)?", "an address, CIDR or service tag such as AzureCloud.westeurope"), ())),
        destination_fqdns=tuple(obj.list("destinationFqdns", string_item(
            r"[A-Za-z0-9*][A-Za-z0-9.-]*", "a host name such as ntp.ubuntu.com"), ())),
        ports=tuple(obj.list("ports", string_item(r"\*|[0-9]{1,5}(-[0-9]{1,5})?", "a port or range such as 443 or 8000-8080"),
                             min_items=1)),
    )
    if not rule.destination_addresses and not rule.destination_fqdns:
        problems.add(path, "needs destinationAddresses or destinationFqdns")
    obj.done()
    return rule


def _dnat_rule(problems: Problems, path: str, value: Any) -> Optional[DnatRule]:
    obj = Obj(problems, path, value)
    if not obj.valid:
        return None
    rule = DnatRule(
        name=obj.str("name", pattern=RULE_NAME_PATTERN, pattern_hint=RULE_NAME_HINT),
        protocol=obj.enum("protocol", ("TCP", "UDP"), "TCP"),
        port=obj.int("port", minimum=1, maximum=65535),
        translated_address=obj.ip("translatedAddress"),
        translated_port=obj.int("translatedPort", minimum=1, maximum=65535),
    )
    obj.done()
    return rule


def _enum_item(choices: tuple[str, ...]):
    def read(problems: Problems, path: str, value: Any) -> Optional[str]:
        if value not in choices:
            problems.add(path, f"{value!r} is not one of {', '.join(choices)}")
            return None
        return value
    return read


def _egress(obj: Obj) -> EgressSpec:
    fw = obj.obj("firewall")
    obj.done()
    if fw is None or not fw.valid:
        return EgressSpec()
    sku = fw.enum("sku", FIREWALL_SKUS, "Standard")
    basic = sku == "Basic"  # Basic has threat intelligence in Alert mode only and no DNS proxy
    spec = FirewallSpec(
        sku=sku,
        threat_intel_mode=fw.enum("threatIntelMode", THREAT_INTEL_MODES, "Alert" if basic else "Deny"),
        zones=tuple(fw.list("zones", zone_item, (), max_items=3)),
        public_ip_count=fw.int("publicIpCount", 1, minimum=1, maximum=250),
        dns_proxy=fw.bool("dnsProxy", not basic),
        allowed_fqdns=tuple(fw.list("allowedFqdns", string_item(
            r"(\*\.)?[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)+",
            "a host name such as api.github.com or *.blob.core.windows.net"), ())),
        network_rules=tuple(fw.list("networkRules", _network_rule, ())),
        dnat_rules=tuple(fw.list("dnatRules", _dnat_rule, ())),
    )
    fw.done()
    return EgressSpec(firewall=spec)


def _ingress(obj: Obj) -> IngressSpec:
    controller = obj.enum("controller", INGRESS_CONTROLLERS, "none")
    appgw_obj = obj.obj("appGateway")
    nginx_obj = obj.obj("nginx")
    obj.done()
    appgw = None
    if appgw_obj is not None and appgw_obj.valid:
        appgw = AppGatewaySpec(
            sku=appgw_obj.enum("sku", APPGW_SKUS, "WAF_v2"),
            waf_mode=appgw_obj.enum("wafMode", WAF_MODES, "Prevention"),
            min_capacity=appgw_obj.int("minCapacity", 0, minimum=0, maximum=125),
            max_capacity=appgw_obj.int("maxCapacity", 10, minimum=1, maximum=125),
            zones=tuple(appgw_obj.list("zones", zone_item, (), max_items=3)),
            public_frontend=appgw_obj.bool("publicFrontend", True),
            private_ip=appgw_obj.ip("privateIp", None),
        )
        if appgw.min_capacity > appgw.max_capacity:
            obj.problems.add(appgw_obj.key_path("minCapacity"),
                             f"is {appgw.min_capacity}, greater than maxCapacity {appgw.max_capacity}")
        appgw_obj.done()
    elif controller == "appgw":
        appgw = AppGatewaySpec("WAF_v2", "Prevention", 0, 10, (), True, None)
    nginx = None
    if nginx_obj is not None and nginx_obj.valid:
        nginx = NginxSpec(visibility=nginx_obj.enum("visibility", NGINX_VISIBILITY, "internal"),
                          static_ip=nginx_obj.ip("staticIp", None))
        nginx_obj.done()
    elif controller == "nginx":
        nginx = NginxSpec("internal", None)
    return IngressSpec(controller=controller, app_gateway=appgw, nginx=nginx)


def _kubernetes(obj: Obj) -> KubernetesSpec:
    spec = KubernetesSpec(
        apply=obj.bool("apply", True),
        render_dir=obj.str("renderDir", None, pattern=r"[A-Za-z0-9_./-]+",
                           pattern_hint="a relative directory path"),
        workloads=parse_workloads(obj),
    )
    if obj.data.get("apply") is False and spec.render_dir is not None:
        obj.problems.add(obj.key_path("renderDir"), "is set while apply is false; rendering replaces "
                         "applying, so remove apply: false, or remove renderDir to skip the layer")
    obj.done()
    for path, message in check_workloads(spec.workloads, obj.path):
        obj.problems.add(path, message)
    return spec
