"""Combinations of choices that AKS, Azure networking or a sound design refuse: one rule each.

Each check is a pure function over `StackConfig` yielding problems that name the key to change;
each rule carries the document that forces it.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator

from aksnet.config.kubernetes_versions import CHECKED as VERSIONS_CHECKED
from aksnet.config.kubernetes_versions import MINORS, WARN_DAYS, creatable
from aksnet.config.problems import Problem
from aksnet.config.regions import REGIONS
from aksnet.config.stack import ClusterSpec, StackConfig
from aksnet.plan.manifests import app_images, declared_objects, object_key
from aksnet.plan.outbound import ALWAYS_ALLOWED_REGISTRIES, image_registry
from aksnet.rules.rule import Rule, RuleBook
from aksnet.vocabulary import PLATFORM_IMAGE, PLATFORM_NAMESPACES

MAX_PODS_RANGE = (10, 250)
SYSTEM_POOL_MIN_PODS = 30
NAT_GATEWAY_MAX_IPS = 16

OVERLAY = "https://learn.microsoft.com/azure/aks/azure-cni-overlay"
CILIUM = "https://learn.microsoft.com/azure/aks/azure-cni-powered-by-cilium"
POLICIES = "https://learn.microsoft.com/azure/aks/use-network-policies"
IP_PLANNING = "https://learn.microsoft.com/azure/aks/concepts-network-ip-address-planning"
EGRESS = "https://learn.microsoft.com/azure/aks/egress-outboundtype"
PRIVATE = "https://learn.microsoft.com/azure/aks/private-clusters"
AUTHORIZED = "https://learn.microsoft.com/azure/aks/api-server-authorized-ip-ranges"
VNET_INTEGRATION = "https://learn.microsoft.com/azure/aks/api-server-vnet-integration"
LOCAL_ACCOUNTS = "https://learn.microsoft.com/azure/aks/manage-local-accounts-managed-azure-ad"
FIREWALL_FAQ = "https://learn.microsoft.com/azure/firewall/firewall-faq"
FIREWALL_BASIC = "https://learn.microsoft.com/azure/firewall/basic-features"
FIREWALL_FQDN = "https://learn.microsoft.com/azure/firewall/fqdn-filtering-network-rules"
BASTION = "https://learn.microsoft.com/azure/bastion/configuration-settings"
NAT_GATEWAY = "https://learn.microsoft.com/azure/nat-gateway/nat-gateway-resource"
APPGW_INFRA = "https://learn.microsoft.com/azure/application-gateway/configuration-infrastructure"
AGIC_OVERLAY = ("https://learn.microsoft.com/azure/application-gateway/ingress-controller-overview"
                "#container-networking-and-agic")
WAF = "https://learn.microsoft.com/azure/web-application-firewall/ag/ag-overview"
APP_ROUTING = "https://learn.microsoft.com/azure/aks/app-routing"
INTERNAL_LB = "https://learn.microsoft.com/azure/aks/internal-lb"
ASYMMETRIC = "https://learn.microsoft.com/azure/aks/limit-egress-traffic"
ISTIO = "https://learn.microsoft.com/azure/aks/istio-about"


book = RuleBook()


def _fixed_subnet_home(spec: StackConfig) -> str:
    return "network.hub.subnets" if spec.network.hub is not None else "network.spoke.subnets"


# Network profile ------------------------------------------------------------------------------

def _cluster_refusal(rule_id: str, description: str, source: str, key: str, refused: Callable[[ClusterSpec], bool],
                     message: Callable[[ClusterSpec], str]) -> None:
    """A refusal of one combination of the cluster's settings, named at one key."""
    @book.refusal(rule_id, description, source)
    def check(spec: StackConfig) -> Iterator[Problem]:
        if refused(spec.cluster):
            yield Problem.at(key, message(spec.cluster))


_cluster_refusal(
    "overlay-needs-azure-cni", "CNI Overlay is a mode of Azure CNI.", OVERLAY, "cluster.networkPluginMode",
    lambda c: c.network_plugin_mode == "overlay" and c.network_plugin != "azure",
    lambda c: f"overlay needs networkPlugin azure, not {c.network_plugin}")
_cluster_refusal(
    "azure-npm-needs-azure-cni", "Azure NPM does not run on kubenet.", POLICIES, "cluster.networkPolicy",
    lambda c: c.network_plugin == "kubenet" and c.network_policy == "azure",
    lambda c: "azure (Azure NPM) does not run on kubenet; use calico, or networkPlugin azure")
_cluster_refusal(
    "byo-cni-brings-its-policy", "With networkPlugin none, the CNI brought installs policy.", POLICIES,
    "cluster.networkPolicy", lambda c: c.network_plugin == "none" and c.network_policy != "none",
    lambda c: f"{c.network_policy} cannot be installed with networkPlugin none (bring your own CNI); set none "
              "and install policy with your CNI")
_cluster_refusal(
    "cilium-policy-needs-cilium-dataplane", "Cilium policy runs on the Cilium dataplane.", CILIUM,
    "cluster.networkPolicy", lambda c: c.network_policy == "cilium" and c.network_dataplane != "cilium",
    lambda c: "cilium needs networkDataplane cilium")
_cluster_refusal(
    "cilium-dataplane-needs-azure-cni", "The Cilium dataplane runs on Azure CNI.", CILIUM, "cluster.networkDataplane",
    lambda c: c.network_dataplane == "cilium" and c.network_plugin != "azure",
    lambda c: f"cilium needs networkPlugin azure, not {c.network_plugin}")
_cluster_refusal(
    "cilium-dataplane-enforces-policies", "The Cilium dataplane enforces policies itself.", CILIUM,
    "cluster.networkPolicy", lambda c: c.network_dataplane == "cilium" and c.network_policy != "cilium",
    lambda c: f"{c.network_policy} cannot run beside the cilium dataplane, which enforces policies itself; use cilium"
    if c.network_policy in ("azure", "calico") else
    "none does not hold with the cilium dataplane, which always enforces NetworkPolicies; set cilium")


@book.refusal("cilium-dataplane-needs-dynamic-pod-ips", "The Cilium dataplane needs Overlay or a pod subnet.", CILIUM)
def cilium_dataplane_needs_dynamic_pod_ips(spec: StackConfig) -> Iterator[Problem]:
    c = spec.cluster
    if c.network_dataplane == "cilium" and c.network_plugin == "azure" and c.network_plugin_mode != "overlay" \
            and "pods" not in spec.network.spoke.subnets:
        yield Problem.at("cluster.networkDataplane", "cilium needs networkPluginMode overlay or a pods subnet "
                         "(network.spoke.subnets.pods) for dynamic pod IPs")


@book.refusal("pod-subnet-only-for-dynamic-ips", "A pod subnet is for Azure CNI with dynamic pod IPs.", IP_PLANNING)
def pod_subnet_only_for_dynamic_ips(spec: StackConfig) -> Iterator[Problem]:
    c = spec.cluster
    if "pods" in spec.network.spoke.subnets and (c.network_plugin != "azure" or c.network_plugin_mode == "overlay"):
        yield Problem.at("network.spoke.subnets.pods", "a pod subnet is only used by Azure CNI without Overlay "
                 "(dynamic pod IPs); remove it, or use networkPlugin azure without networkPluginMode")


@book.refusal("pod-cidr-only-with-overlay-or-kubenet", "Flat Azure CNI takes no pod CIDR.", IP_PLANNING)
def pod_cidr_only_with_overlay_or_kubenet(spec: StackConfig) -> Iterator[Problem]:
    c = spec.cluster
    if c.pod_cidr is not None and not c.uses_pod_cidr:
        yield Problem.at("cluster.podCidr", "flat Azure CNI gives pods VNet addresses and takes no pod CIDR; "
                 "remove podCidr, or set networkPluginMode overlay")


@book.refusal("istio-needs-managed-cni", "The Istio add-on needs an AKS-managed CNI.", ISTIO)
def istio_needs_managed_cni(spec: StackConfig) -> Iterator[Problem]:
    if spec.cluster.service_mesh == "istio" and spec.cluster.network_plugin == "none":
        yield Problem.at("cluster.serviceMesh", "the Istio add-on needs an AKS-managed network plugin")


# Node pools -----------------------------------------------------------------------------------

@book.refusal("no-platform-namespaces", "The stack manages no platform namespace and puts nothing in one.",
              "https://learn.microsoft.com/azure/aks/concepts-clusters-workloads#namespaces")
def no_platform_namespaces(spec: StackConfig) -> Iterator[Problem]:
    workloads = spec.kubernetes.workloads
    owned = {"kube-system": "cluster DNS and the CNI", "app-routing-system": "the nginx add-on",
             "gatekeeper-system": "the Azure Policy add-on", "flux-system": "the GitOps extension"}

    def problem(path: str, namespace: str) -> Problem:
        what = owned.get(namespace, "Kubernetes, AKS or an add-on")
        return Problem.at(path, f"'{namespace}' is a platform namespace ({what} run there); the stack must not "
                          "manage it or put apps, Ingresses or policies in it: use a namespace of your own")
    for index, name in enumerate(workloads.namespaces):
        if name in PLATFORM_NAMESPACES:
            yield problem(f"kubernetes.namespaces[{index}].name", name)
    placed = [("apps", [a.namespace for a in workloads.apps]),
              ("ingresses", [i.namespace for i in workloads.ingresses]),
              ("policies", [p.namespace for p in workloads.policies])]
    for key, namespaces in placed:
        for index, namespace in enumerate(namespaces):
            if namespace in PLATFORM_NAMESPACES:
                yield problem(f"kubernetes.{key}[{index}].namespace", namespace)


@book.refusal("unique-kubernetes-objects", "No two Kubernetes objects of the stack share a kind and name.",
              "https://kubernetes.io/docs/concepts/overview/working-with-objects/names/", over_plan=True)
def unique_kubernetes_objects(spec: StackConfig) -> Iterator[Problem]:
    first: dict[tuple[str, str], str] = {}
    for origin, manifest in declared_objects(spec):
        key = (manifest["apiVersion"], object_key(manifest))
        meta = manifest["metadata"]
        name = "/".join(part for part in (meta.get("namespace"), meta["name"]) if part)
        if key in first and first[key] != origin:
            yield Problem.at(origin, f"declares {manifest['kind']} {name}, which {first[key]} declares too; "
                             "give one of them another name")
        elif key in first:
            yield Problem.at(origin, f"declares {manifest['kind']} {name} twice; give its parts distinct names")
        first.setdefault(key, origin)


@book.refusal("zones-need-a-zonal-region", "Availability zones only in a region that has them.",
              "https://learn.microsoft.com/azure/reliability/regions-list")
def zones_need_a_zonal_region(spec: StackConfig) -> Iterator[Problem]:
    location = spec.environment.location
    if REGIONS.get(location, True):
        return
    zoned = [(f"cluster.nodePools[{index}].zones", pool.zones) for index, pool in enumerate(spec.cluster.node_pools)]
    if spec.egress.firewall is not None:
        zoned.append(("egress.firewall.zones", spec.egress.firewall.zones))
    if spec.ingress.app_gateway is not None:
        zoned.append(("ingress.appGateway.zones", spec.ingress.app_gateway.zones))
    for path, zones in zoned:
        if zones:
            yield Problem.at(path, f"lists zones, but {location} has no availability zones; remove them, or choose "
                             "a region with zones")


VERSIONS = "https://learn.microsoft.com/azure/aks/supported-kubernetes-versions"


@book.dated_refusal("kubernetes-version-creatable", "A Kubernetes minor AKS creates clusters of today.", VERSIONS)
def kubernetes_version_creatable(spec: StackConfig, today: datetime.date) -> Iterator[Problem]:
    version = spec.cluster.kubernetes_version
    if version is None:
        return
    minor = ".".join(version.split(".")[:2])
    life = MINORS.get(minor)
    now = ", ".join(creatable(today)) or "none in the table"
    if life is None:
        yield Problem.at("cluster.kubernetesVersion", f"{minor} is not a minor AKS offers (the table of "
                         f"{VERSIONS_CHECKED}, aksnet/config/kubernetes_versions.py, knows {', '.join(MINORS)}); "
                         f"AKS creates {now} today")
    elif today >= life.end_of_life:
        yield Problem.at("cluster.kubernetesVersion", f"{minor} left AKS support in {life.end_of_life:%Y-%m} and no "
                         f"cluster of it can be created; use one AKS creates today: {now}")
    elif today < life.ga:
        yield Problem.at("cluster.kubernetesVersion", f"{minor} is not generally available on AKS before "
                         f"{life.ga:%Y-%m}; use one AKS creates today: {now}")


@book.dated_refusal("kubernetes-version-ending-soon", "The Kubernetes minor has two months of support left, or more.",
                    VERSIONS, production="advisory", development="advisory")
def kubernetes_version_ending_soon(spec: StackConfig, today: datetime.date) -> Iterator[Problem]:
    version = spec.cluster.kubernetes_version
    life = MINORS.get(".".join(version.split(".")[:2])) if version else None
    if life is not None and today < life.end_of_life <= today + datetime.timedelta(days=WARN_DAYS):
        yield Problem.at("cluster.kubernetesVersion", f"{version} leaves AKS support in {life.end_of_life:%Y-%m}, "
                         f"within {WARN_DAYS} days: plan the upgrade")


@book.refusal("patch-pin-without-patch-upgrades", "A pinned patch version and automatic patch upgrades exclude "
              "each other.", "https://learn.microsoft.com/azure/aks/auto-upgrade-cluster")
def patch_pin_without_patch_upgrades(spec: StackConfig) -> Iterator[Problem]:
    c = spec.cluster
    if c.kubernetes_version and c.kubernetes_version.count(".") == 2 and c.upgrade_channel != "none":
        yield Problem.at("cluster.kubernetesVersion", f"pins the patch {c.kubernetes_version} while upgradeChannel "
                         f"{c.upgrade_channel} moves it: after AKS patches the cluster, the next update would ask for "
                         "a downgrade; give the minor alone, or set upgradeChannel none")


@book.refusal("someone-may-apply-the-layer", "When Pulumi applies the Kubernetes layer, its principal may.",
              "https://learn.microsoft.com/azure/aks/manage-azure-rbac")
def someone_may_apply_the_layer(spec: StackConfig) -> Iterator[Problem]:
    c, entra = spec.cluster, spec.cluster.entra_id
    if spec.kubernetes.mode == "apply" and entra is not None and entra.azure_rbac and not c.local_accounts \
            and entra.grant_deployer is False:
        yield Problem.at("cluster.entraId.grantDeployer", "is false while Pulumi applies the Kubernetes layer "
                         "(kubernetes.delivery apply) with Azure RBAC and no local accounts: the principal running "
                         "it would hold no role on the cluster; grant it, or deliver the layer by gitops")


@book.refusal("hub-lock-needs-a-hub", "A hub lock needs a hub.",
              "https://learn.microsoft.com/azure/azure-resource-manager/management/lock-resources")
def hub_lock_needs_a_hub(spec: StackConfig) -> Iterator[Problem]:
    if spec.environment.lock_hub and spec.network.hub is None:
        yield Problem.at("environment.lockHub", "is true but the stack has no hub (network.hub); remove it")


@book.refusal("dns-resolver-has-its-subnet", "A DNS Private Resolver and its hub subnet go together.",
              "https://learn.microsoft.com/azure/dns/dns-private-resolver-overview#subnet-restrictions")
def dns_resolver_has_its_subnet(spec: StackConfig) -> Iterator[Problem]:
    network = spec.network
    subnet = network.hub.subnets.get("dns") if network.hub is not None else None
    if network.dns_resolver and subnet is None:
        yield Problem.at("network.dnsResolver", "needs a hub (network.hub) with a subnet for its inbound "
                         "endpoint (network.hub.subnets.dns, /28 to /24)")
    if subnet is not None and not network.dns_resolver:
        yield Problem.at("network.hub.subnets.dns", "is declared but network.dnsResolver is false; enable it "
                         "or remove the subnet")
    if subnet is not None and subnet.prefixlen < 24:
        yield Problem.at("network.hub.subnets.dns", f"is a /{subnet.prefixlen}; a resolver's subnet is /28 to /24")


@book.refusal("system-pool-present", "AKS needs a System node pool.",
              "https://learn.microsoft.com/azure/aks/use-system-pools")
def system_pool_present(spec: StackConfig) -> Iterator[Problem]:
    pools = spec.cluster.node_pools
    if pools and not any(p.mode == "System" for p in pools):
        yield Problem.at("cluster.nodePools", "has no pool with mode System; AKS needs at least one for "
                 "its own components")


@book.refusal("max-pods-in-range", "Max pods per node between 10 and 250; a System pool holds 30 pods.", IP_PLANNING)
def max_pods_in_range(spec: StackConfig) -> Iterator[Problem]:
    low, high = MAX_PODS_RANGE
    for index, pool in enumerate(spec.cluster.node_pools):
        path = f"cluster.nodePools[{index}].maxPods"
        if not low <= pool.max_pods <= high:
            yield Problem.at(path, f"is {pool.max_pods}; AKS allows {low} to {high} pods per node "
                     f"with networkPlugin {spec.cluster.network_plugin}")
        elif pool.mode == "System":
            fewest = pool.count if pool.count is not None else max(pool.min_count or 1, 1)
            if pool.max_pods * fewest < SYSTEM_POOL_MIN_PODS:
                yield Problem.at(path, f"is {pool.max_pods} on {fewest} node(s); a System pool needs "
                         f"room for {SYSTEM_POOL_MIN_PODS} pods: raise maxPods or the node count")


# API server -----------------------------------------------------------------------------------

_cluster_refusal(
    "authorized-ranges-only-on-public-api", "Authorized IP ranges apply to a public API server.", AUTHORIZED,
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


_cluster_refusal(
    "local-accounts-off-needs-entra-id", "Disabling local accounts needs Entra ID.", LOCAL_ACCOUNTS,
    "cluster.localAccounts", lambda c: not c.local_accounts and c.entra_id is None,
    lambda c: "false (local accounts disabled) needs Entra ID; enable cluster.entraId or set localAccounts true")


# Images ---------------------------------------------------------------------------------------

ACR_PRIVATE_LINK = "https://learn.microsoft.com/azure/container-registry/container-registry-private-link"


@book.refusal("images-from-known-registries", "Every image comes from the platform registry or a registry the "
              "stack allows.", ACR_PRIVATE_LINK)
def images_from_known_registries(spec: StackConfig) -> Iterator[Problem]:
    """A pull from anywhere else is blocked by the firewall, or unreviewed where nothing blocks it."""
    allowed = set(spec.kubernetes.allowed_registries) | set(ALWAYS_ALLOWED_REGISTRIES)
    for index, (app, image) in enumerate(zip(spec.kubernetes.workloads.apps, app_images(spec), strict=True)):
        key = f"kubernetes.apps[{index}].image"
        if app.image.startswith(PLATFORM_IMAGE) and spec.registry is None:
            yield Problem.at(key, f"{app.image} names the platform registry, but the stack has none; declare "
                             "registry.name, or use the image's full reference")
            continue
        host = image_registry(image)
        if spec.registry is not None and host == spec.registry.login_server:
            continue
        if host not in allowed:
            platform = "push it to the platform registry (platform://...) or " if spec.registry else ""
            yield Problem.at(key, f"{app.image} comes from {host}, which the stack does not allow; {platform}add "
                             f"{host} to kubernetes.allowedRegistries")


@book.refusal("private-endpoints-and-their-subnet", "The registry and the Key Vault, reached by private endpoints, "
              "and the subnet for them go together.", ACR_PRIVATE_LINK)
def private_endpoints_and_their_subnet(spec: StackConfig) -> Iterator[Problem]:
    has_subnet = "endpoints" in spec.network.spoke.subnets
    for key, present in (("registry", spec.registry is not None), ("tls", spec.tls is not None)):
        if present and not has_subnet:
            yield Problem.at(key, "needs a subnet for its private endpoint: network.spoke.subnets.endpoints "
                             "(a /28 is plenty)")
    if has_subnet and spec.registry is None and spec.tls is None:
        yield Problem.at("network.spoke.subnets.endpoints", "is declared but nothing uses it; declare registry or "
                         "tls, or remove the subnet")
    for registry in spec.kubernetes.allowed_registries:
        if spec.registry is not None and registry == spec.registry.login_server:
            yield Problem.at("kubernetes.allowedRegistries", f"lists {registry}, the platform registry, which the "
                             "cluster reaches privately; remove it")


AGIC_PROBES = "https://learn.microsoft.com/azure/application-gateway/ingress-controller-add-health-probes"


@book.refusal("agic-backends-probe-over-http", "Every backend of the application gateway has an HTTP readiness "
              "probe on the port it serves.", AGIC_PROBES, production="mandatory", development="advisory")
def agic_backends_probe_over_http(spec: StackConfig) -> Iterator[Problem]:
    """Without one, AGIC probes GET / on the backend: an app that answers only under its own path is
    marked unhealthy, and users get 502. AGIC probes no port but the one the backend serves."""
    if spec.ingress.controller != "appgw":
        return
    workloads = spec.kubernetes.workloads
    reported: set[int] = set()
    for route in workloads.ingresses:
        for entry in route.paths:
            index = next((i for i, a in enumerate(workloads.apps)
                          if (a.namespace, a.name) == (route.namespace, entry.app)), None)
            if index is None or index in reported:
                continue
            app = workloads.apps[index]
            served = app.container_port_of(entry.port, "TCP")
            if app.readiness is None:
                reported.add(index)
                yield Problem.at(f"kubernetes.apps[{index}].probes", f"{app.name} is behind the application "
                                 f"gateway ({route.name}{entry.path}) without an HTTP readiness probe: the gateway "
                                 f"would probe GET / on port {served}; declare probes.readiness {{path, port}}")
            elif app.readiness.port != served:
                reported.add(index)
                yield Problem.at(f"kubernetes.apps[{index}].probes.readiness.port", f"{app.readiness.port} is not "
                                 f"the port the gateway reaches {app.name} on ({served}); AGIC probes that port only")


AGIC_KEY_VAULT = "https://learn.microsoft.com/azure/application-gateway/key-vault-certs"


@book.refusal("ingress-tls-has-a-certificate", "An Ingress's TLS names a certificate the stack provides to its "
              "controller.", AGIC_KEY_VAULT)
def ingress_tls_has_a_certificate(spec: StackConfig) -> Iterator[Problem]:
    """A TLS secret nothing creates leaves HTTPS down. The application gateway takes the stack's
    certificates from its Key Vault; nginx's Key Vault integration is not set up by this project."""
    provided = {c.name for c in spec.tls.certificates} if spec.tls is not None else set()
    controller = spec.ingress.controller
    for index, route in enumerate(spec.kubernetes.workloads.ingresses):
        if route.tls_secret is None:
            continue
        key = f"kubernetes.ingresses[{index}].tlsSecret"
        if controller != "appgw":
            yield Problem.at(key, f"asks for TLS through {controller}, whose certificates this project cannot "
                             "provide yet (the application routing add-on's Key Vault integration); serve it over "
                             "HTTP, or use ingress.controller appgw with tls.certificates")
        elif route.tls_secret not in provided:
            known = ", ".join(sorted(provided)) or "none"
            yield Problem.at(key, f"names {route.tls_secret}, which no tls.certificates provides (provided: {known}); "
                             "add it to tls.certificates, its PFX set as a secret")
    if spec.tls is not None and controller != "appgw":
        yield Problem.at("tls", "holds the application gateway's certificates, but ingress.controller is "
                         f"{controller}; use appgw, or remove tls")


# Egress ---------------------------------------------------------------------------------------

@book.refusal("udr-needs-an-appliance", "userDefinedRouting needs a default route to a virtual appliance.", EGRESS)
def udr_needs_an_appliance(spec: StackConfig) -> Iterator[Problem]:
    c = spec.cluster
    if c.outbound_type == "userDefinedRouting" and spec.egress.firewall is None and c.egress_next_hop_ip is None:
        yield Problem.at("cluster.outboundType", "userDefinedRouting needs a default route to a virtual appliance: "
                 "declare egress.firewall, or give cluster.egressNextHopIp")


@book.refusal("next-hop-only-for-udr-without-firewall", "An explicit next hop only where nothing else is one.", EGRESS)
def next_hop_only_for_udr_without_firewall(spec: StackConfig) -> Iterator[Problem]:
    c = spec.cluster
    fw = spec.egress.firewall
    if c.egress_next_hop_ip is not None and (fw is not None or c.outbound_type != "userDefinedRouting"):
        why = "egress.firewall already is the next hop" if fw is not None else \
            f"outboundType is {c.outbound_type}, which routes nothing to it"
        yield Problem.at("cluster.egressNextHopIp", f"is set but {why}; remove it")


@book.refusal("firewall-carries-egress", "A firewall is declared only when egress leaves through it.", EGRESS)
def firewall_carries_egress(spec: StackConfig) -> Iterator[Problem]:
    outbound = spec.cluster.outbound_type
    if spec.egress.firewall is not None and outbound != "userDefinedRouting":
        yield Problem.at("egress.firewall", f"is declared but cluster.outboundType is {outbound}, so no "
                 "traffic leaves through it; set outboundType userDefinedRouting or remove the firewall")


@book.refusal("firewall-needs-its-subnets", "Azure Firewall needs AzureFirewallSubnet (and, for Basic, the "
            "management subnet).",
              FIREWALL_FAQ)
def firewall_needs_its_subnets(spec: StackConfig) -> Iterator[Problem]:
    fw = spec.egress.firewall
    if fw is None:
        return
    if spec.network.subnet("AzureFirewallSubnet") is None:
        yield Problem.at("egress.firewall", f"needs a subnet named exactly AzureFirewallSubnet in "
                 f"{_fixed_subnet_home(spec)} (/26 or larger)")
    if fw.sku == "Basic" and spec.network.subnet("AzureFirewallManagementSubnet") is None:
        yield Problem.at("egress.firewall.sku", "Basic needs an AzureFirewallManagementSubnet (/26) beside "
                 "AzureFirewallSubnet")


@book.refusal("basic-firewall-features", "The Basic firewall has no threat-intel Deny and no DNS proxy.",
              FIREWALL_BASIC)
def basic_firewall_features(spec: StackConfig) -> Iterator[Problem]:
    fw = spec.egress.firewall
    if fw is None or fw.sku != "Basic":
        return
    if fw.threat_intel_mode == "Deny":
        yield Problem.at("egress.firewall.threatIntelMode", "Deny is not available on the Basic SKU; use Alert, "
                 "or sku Standard")
    if fw.dns_proxy:
        yield Problem.at("egress.firewall.dnsProxy", "the Basic SKU has no DNS proxy; set false, or sku Standard")


@book.refusal("fqdn-network-rules-need-dns-proxy", "FQDNs in network rules need the DNS proxy.", FIREWALL_FQDN)
def fqdn_network_rules_need_dns_proxy(spec: StackConfig) -> Iterator[Problem]:
    fw = spec.egress.firewall
    if fw is None or fw.dns_proxy:
        return
    for index, rule in enumerate(fw.network_rules):
        if rule.destination_fqdns:
            yield Problem.at(f"egress.firewall.networkRules[{index}].destinationFqdns", "FQDNs in network rules "
                     "need the firewall's DNS proxy; set egress.firewall.dnsProxy true")


@book.refusal("bastion-needs-its-subnet", "Azure Bastion needs AzureBastionSubnet.", BASTION)
def bastion_needs_its_subnet(spec: StackConfig) -> Iterator[Problem]:
    if spec.network.bastion and spec.network.subnet("AzureBastionSubnet") is None:
        yield Problem.at("network.bastion", f"needs a subnet named exactly AzureBastionSubnet in "
                 f"{_fixed_subnet_home(spec)} (/26 or larger); add it, or set network.bastion false")


@book.refusal("nat-gateway-ip-limit", "A NAT gateway takes at most 16 public IPs.", NAT_GATEWAY)
def nat_gateway_ip_limit(spec: StackConfig) -> Iterator[Problem]:
    c = spec.cluster
    if c.outbound_ip_count <= NAT_GATEWAY_MAX_IPS:
        return
    if c.outbound_type == "userAssignedNATGateway":
        yield Problem.at("cluster.outboundIpCount", f"is {c.outbound_ip_count}; a NAT gateway takes at most "
                 f"{NAT_GATEWAY_MAX_IPS} public IPs")
    elif c.outbound_type == "managedNATGateway":
        yield Problem.at("cluster.outboundIpCount", f"is {c.outbound_ip_count}; a managed NAT gateway takes at most "
                 f"{NAT_GATEWAY_MAX_IPS}")


# Ingress --------------------------------------------------------------------------------------

@book.refusal("ingress-block-matches-controller", "An ingress block is for the chosen controller.", APP_ROUTING)
def ingress_block_matches_controller(spec: StackConfig) -> Iterator[Problem]:
    # The parser fills a block's defaults only for the chosen controller, so a block present
    # under another controller was written by the user and would be ignored.
    ingress = spec.ingress
    if ingress.controller != "appgw" and ingress.app_gateway is not None:
        yield Problem.at("ingress.appGateway", f"is declared but ingress.controller is {ingress.controller}; "
                 "set controller appgw or remove appGateway")
    if ingress.controller != "nginx" and ingress.nginx is not None:
        yield Problem.at("ingress.nginx", f"is declared but ingress.controller is {ingress.controller}; "
                 "set controller nginx or remove nginx")


def _agic(spec: StackConfig) -> bool:
    return spec.ingress.controller == "appgw" and spec.ingress.app_gateway is not None


@book.refusal("agic-needs-a-v2-gateway", "AGIC supports only Standard_v2 and WAF_v2.", APPGW_INFRA)
def agic_needs_a_v2_gateway(spec: StackConfig) -> Iterator[Problem]:
    appgw = spec.ingress.app_gateway
    if _agic(spec) and appgw is not None and appgw.sku not in ("Standard_v2", "WAF_v2"):
        yield Problem.at("ingress.appGateway.sku",
                         f"{appgw.sku} is a v1 SKU; AGIC supports only Standard_v2 and WAF_v2")


@book.refusal("gateway-needs-its-subnet", "An application gateway needs a dedicated subnet.", APPGW_INFRA)
def gateway_needs_its_subnet(spec: StackConfig) -> Iterator[Problem]:
    if _agic(spec) and "appgw" not in spec.network.spoke.subnets:
        yield Problem.at("ingress.controller", "appgw needs a dedicated gateway subnet "
                 "(network.spoke.subnets.appgw, /24 recommended)")


@book.refusal("gateway-needs-a-frontend", "An application gateway has a public or a private frontend.", APPGW_INFRA)
def gateway_needs_a_frontend(spec: StackConfig) -> Iterator[Problem]:
    appgw = spec.ingress.app_gateway
    if _agic(spec) and appgw is not None and not appgw.public_frontend and appgw.private_ip is None:
        yield Problem.at("ingress.appGateway", "has neither a public frontend nor a privateIp; give it one")


@book.refusal("waf-prevention-in-production", "Production gateways run WAF_v2 in Prevention mode.",
              WAF, development="disabled")
def waf_prevention_in_production(spec: StackConfig) -> Iterator[Problem]:
    appgw = spec.ingress.app_gateway
    if not _agic(spec) or appgw is None:
        return
    if appgw.sku == "WAF_v2" and appgw.waf_mode == "Detection":
        yield Problem.at("ingress.appGateway.wafMode", "Detection only logs attacks; a production stack "
                 "needs Prevention")
    if appgw.sku != "WAF_v2":
        yield Problem.at("ingress.appGateway.sku", f"{appgw.sku} has no web application firewall; a "
                 "production stack needs WAF_v2")


@book.refusal("agic-overlay-outside-government", "AGIC on CNI Overlay is not available in Azure Government.",
              AGIC_OVERLAY)
def agic_overlay_outside_government(spec: StackConfig) -> Iterator[Problem]:
    # AGIC reaches Overlay pods through an OverlayExtensionConfig for the gateway subnet,
    # everywhere but Azure Government.
    location = spec.environment.location
    if _agic(spec) and spec.cluster.network_plugin_mode == "overlay" and location.startswith(("usgov", "usdod")):
        yield Problem.at("ingress.controller", f"appgw (AGIC) does not support Azure CNI Overlay in Azure "
                 f"Government ({location}); use nginx, or Azure CNI without Overlay")


@book.refusal("agic-kubenet-route-table-without-udr", "No appliance default route on a v2 gateway subnet.", APPGW_INFRA)
def agic_kubenet_route_table_without_udr(spec: StackConfig) -> Iterator[Problem]:
    c = spec.cluster
    if _agic(spec) and c.network_plugin == "kubenet" and c.outbound_type == "userDefinedRouting":
        yield Problem.at("ingress.controller", "appgw with kubenet puts the cluster's route table on the "
                 "gateway subnet, and with userDefinedRouting that table sends 0.0.0.0/0 to an "
                 "appliance, which a v2 gateway does not support; use Azure CNI or nginx")


@book.refusal("nginx-fits-its-network", "An internal nginx needs the ILB subnet; a public one takes no static IP.",
              APP_ROUTING)
def nginx_fits_its_network(spec: StackConfig) -> Iterator[Problem]:
    nginx = spec.ingress.nginx
    if spec.ingress.controller != "nginx" or nginx is None:
        return
    if nginx.visibility == "internal" and "ilb" not in spec.network.spoke.subnets:
        yield Problem.at("ingress.nginx.visibility", "internal needs an internal load balancer subnet "
                 "(network.spoke.subnets.ilb)")
    if nginx.visibility == "public" and nginx.static_ip is not None:
        yield Problem.at("ingress.nginx.staticIp", "is for an internal load balancer; a public one takes its "
                 "address from Azure")


@book.refusal("internal-services-need-ilb-subnet", "Internal load balancer Services need the ILB subnet.", INTERNAL_LB)
def internal_services_need_ilb_subnet(spec: StackConfig) -> Iterator[Problem]:
    if "ilb" in spec.network.spoke.subnets:
        return
    for index, app in enumerate(spec.kubernetes.workloads.apps):
        if app.service_type == "InternalLoadBalancer":
            yield Problem.at(f"kubernetes.apps[{index}].serviceType",
                     "InternalLoadBalancer needs an internal load balancer subnet (network.spoke.subnets.ilb)")


@book.refusal("ingresses-need-a-controller", "Ingresses need an ingress controller.", APP_ROUTING)
def ingresses_need_a_controller(spec: StackConfig) -> Iterator[Problem]:
    if spec.kubernetes.workloads.ingresses and spec.ingress.controller == "none":
        yield Problem.at("kubernetes.ingresses", "need an ingress controller; set ingress.controller to appgw or nginx")


RULES: tuple[Rule, ...] = tuple(book.rules)
