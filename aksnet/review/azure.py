"""What Azure does with a changed input, beyond what the provider models. Pure, no Pulumi.

The provider answers "update or replace"; Azure then accepts the update, refuses it (`pulumi up`
fails half-way), or could have migrated in place what the provider replaces. Each rule cites the
Microsoft document that states the behaviour.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from aksnet.review.resource_diff import InputChange, ResourceChange, field_path, pattern, walk_strings

UPGRADE_IPAM = "https://learn.microsoft.com/azure/aks/upgrade-aks-ipam-and-dataplane"
OUTBOUND = "https://learn.microsoft.com/azure/aks/egress-outboundtype"
RESIZE_POOL = "https://learn.microsoft.com/azure/aks/resize-node-pool"
API_VNET = "https://learn.microsoft.com/azure/aks/api-server-vnet-integration"
PRIVATE = "https://learn.microsoft.com/azure/aks/private-clusters"
FIREWALL_SKU = "https://learn.microsoft.com/azure/firewall/premium-migrate"
SUBNET = "https://learn.microsoft.com/azure/virtual-network/virtual-network-manage-subnet"
PEERING_SYNC = "https://learn.microsoft.com/azure/virtual-network/update-virtual-network-peering-address-space"
MOVE_REGION = "https://learn.microsoft.com/azure/azure-resource-manager/management/move-region"
SERVICE_CIDR = ("https://github.com/pulumi/pulumi-azure-native/pull/4771 (serviceCidr, serviceCidrs, dnsServiceIP: "
                "create-only, no update path in the AKS API)")

MC = "azure-native:containerservice:ManagedCluster"
POOL = "azure-native:containerservice:AgentPool"

NEW_POOL = ("add a node pool with the new value beside this one, cordon and drain the old pool, then remove it "
            f"({RESIZE_POOL})")
NEW_CLUSTER = "a new cluster beside this one behind the same gateway, traffic moved over, then the old one removed"


@dataclass(frozen=True)
class Consequence:
    urn: str
    input: str
    what: str
    kind: str
    """`refused` (the provider updates, Azure refuses), `migrates` (the provider replaces, Azure could
    migrate in place), `recreate`, `reimage`, `one-way`, `egress`, `peering`, `in-place`."""
    source: str
    safe: str | None = None

    @property
    def refuses(self) -> bool:
        return self.kind == "refused"

    def as_dict(self) -> dict[str, Any]:
        return {"urn": self.urn, "input": self.input, "what": self.what, "kind": self.kind, "source": self.source,
                **({"safe": self.safe} if self.safe else {})}


@dataclass(frozen=True)
class Context:
    """What the head run declares around a changed resource."""

    referenced: frozenset[str]
    """Every string the inputs of resources that take addresses or attach to a network hold (ARM ids of
    subnets, VNets, public addresses); role assignments, diagnostics and flow logs only point at them."""
    load_balancer_subnets: frozenset[str]
    """Subnet names internal load balancer Services ask for."""
    load_balancer_addresses: frozenset[str]
    """Static frontend addresses of load balancer Services."""
    peered_vnets: frozenset[str]
    """ARM ids and names of the VNets a peering touches."""
    egress_addresses: frozenset[str]
    """ARM ids of the public addresses a firewall, NAT gateway or load balancer sends egress from."""


POINTERS = ("azure-native:authorization:", "azure-native:monitor:", "azure-native:network:FlowLog")
ILB_SUBNET = "service.beta.kubernetes.io/azure-load-balancer-internal-subnet"
LB_ADDRESS = "service.beta.kubernetes.io/azure-load-balancer-ipv4"


def context_of(head: list[Mapping[str, Any]]) -> Context:
    referenced: set[str] = set()
    peered: set[str] = set()
    egress: set[str] = set()
    lb_subnets: set[str] = set()
    lb_addresses: set[str] = set()
    for record in head:
        inputs = record.get("inputs") or {}
        if not record["type"].startswith(POINTERS):
            referenced |= set(walk_strings(inputs))
        if record["type"] == "kubernetes:core/v1:Service":
            annotations = (inputs.get("metadata") or {}).get("annotations") or {}
            spec = inputs.get("spec") or {}
            if spec.get("type") == "LoadBalancer":
                lb_subnets |= {annotations[ILB_SUBNET]} if ILB_SUBNET in annotations else set()
                lb_addresses |= {a for a in (annotations.get(LB_ADDRESS), spec.get("loadBalancerIP")) if a}
        if record["type"] == "azure-native:network:VirtualNetworkPeering":
            peered |= {str(inputs.get("virtualNetworkName")), str((inputs.get("remoteVirtualNetwork") or {}).get("id"))}
        if record["type"] in ("azure-native:network:AzureFirewall", "azure-native:network:NatGateway"):
            egress |= {s for s in walk_strings(inputs) if "/publicIPAddresses/" in s}
        if record["type"] == MC:
            egress |= {s for s in walk_strings((inputs.get("networkProfile") or {}).get("loadBalancerProfile"))
                       if "/publicIPAddresses/" in s}
    return Context(frozenset(referenced), frozenset(lb_subnets), frozenset(lb_addresses), frozenset(peered),
                   frozenset(egress))


def _value(inputs: Mapping[str, Any] | None, path: str) -> Any:
    value: Any = inputs or {}
    for step in path.split("."):
        value = value.get(step) if isinstance(value, Mapping) else None
    return value


def _plugin(inputs: Mapping[str, Any] | None) -> str:
    profile = (inputs or {}).get("networkProfile") or {}
    plugin = profile.get("networkPlugin") or "kubenet"
    return f"{plugin}+{profile['networkPluginMode']}" if profile.get("networkPluginMode") else plugin


Rule = Callable[[ResourceChange, InputChange, Context], Iterator[Consequence]]


def _dynamic_pod_ips(inputs: Mapping[str, Any] | None) -> bool:
    """Whether a pool of the cluster takes pod addresses from a pod subnet (Azure CNI dynamic IP allocation)."""
    return any(isinstance(pool, Mapping) and pool.get("podSubnetID")
               for pool in (inputs or {}).get("agentPoolProfiles") or ())


def _cluster_ipam(change: ResourceChange, item: InputChange, _: Context) -> Iterator[Consequence]:
    base, head = change.base and change.base["inputs"], change.head and change.head["inputs"]
    before, after = _plugin(base), _plugin(head)
    if before == after:
        return
    # UPGRADE_IPAM: the one migration leads to Overlay from kubenet or from Azure CNI Node Subnet; a cluster with
    # dynamic IP allocation (a pod subnet) has none, and no network policy engine may be installed during it.
    if after == "azure+overlay" and before in ("kubenet", "azure") and not _dynamic_pod_ips(base):
        pod_cidr = _value(head, "networkProfile.podCidr")
        command = "az aks update --network-plugin azure --network-plugin-mode overlay" + (
            f" --pod-cidr {pod_cidr}" if pod_cidr else "")
        engine = _value(base, "networkProfile.networkPolicy")
        first = (f"uninstall the {engine} network policy engine first (az aks update --network-policy none), since "
                 "Azure migrates no cluster with one; then " if engine in ("azure", "calico") else "")
        yield Consequence(change.urn, item.path, (
            f"Azure migrates {before} to Azure CNI Overlay in place ({command}): one way, and every node pool is "
            "reimaged at once"), "migrates", UPGRADE_IPAM,
            f"{first}run {command} as its own step while the program ignores networkProfile (ignoreChanges); then "
            "land the stack's new values and drop the ignoreChanges")
    else:
        origin = f"{before} with a pod subnet (dynamic IP allocation)" if before == "azure" and _dynamic_pod_ips(base) \
            else before
        yield Consequence(change.urn, item.path, f"Azure has no in-place path from {origin} to {after}: only a new "
                          "cluster (the documented migrations lead to Azure CNI Overlay, one way, from kubenet or "
                          "Azure CNI Node Subnet)", "recreate", UPGRADE_IPAM, NEW_CLUSTER)


def _cluster_dataplane(change: ResourceChange, item: InputChange, _: Context) -> Iterator[Consequence]:
    if item.new == "cilium" and item.old in (None, "azure") and _plugin(change.head and change.head["inputs"]) in (
            "azure+overlay", "azure"):
        yield Consequence(change.urn, item.path, "Azure upgrades the dataplane to Cilium in place (az aks update "
                          "--network-dataplane cilium): one way, every node pool reimaged", "migrates", UPGRADE_IPAM,
                          "run az aks update --network-dataplane cilium as its own step while the program ignores "
                          "networkProfile (ignoreChanges); then land the stack's new values")


def _cluster_service_range(change: ResourceChange, item: InputChange, _: Context) -> Iterator[Consequence]:
    if not item.replaces:
        # diff.go replaces for `serviceCidrs` itself, not for a changed element of it (`serviceCidrs[]`): the
        # provider sends the new range as an update, which AKS refuses.
        yield Consequence(change.urn, field_path(item.path), "the provider sends it as an in-place update, and "
                          "AKS refuses it: the service range is fixed at creation", "refused", SERVICE_CIDR,
                          NEW_CLUSTER)
        return
    yield Consequence(change.urn, item.path, "fixed at creation: only a new cluster has another service range; "
                      "every Service's cluster IP and the cluster DNS address change with it", "recreate",
                      SERVICE_CIDR, NEW_CLUSTER)


NETWORK_POLICIES = "https://learn.microsoft.com/azure/aks/use-network-policies"


def _cluster_policy_engine(change: ResourceChange, item: InputChange, _: Context) -> Iterator[Consequence]:
    if item.old in ("azure", "calico") and item.new in (None, "none"):
        yield Consequence(change.urn, item.path, f"Azure uninstalls the {item.old} network policy engine in place "
                          "(az aks update --network-policy none); every NetworkPolicy stops being enforced",
                          "migrates", NETWORK_POLICIES, "run az aks update --network-policy none as its own step "
                          "while the program ignores networkProfile (ignoreChanges); then land the stack's new values")


OUTBOUND_IN_PLACE = (
    frozenset({"loadBalancer", "managedNATGateway", "none", "block"}),  # on a VNet AKS manages
    frozenset({"loadBalancer", "userAssignedNATGateway", "userDefinedRouting", "none"}),  # on your own VNet
)
"""OUTBOUND's two tables of supported migrations ("Supported migration paths for managed VNet / BYO VNet"):
every pair inside one set migrates in place; managedNATGateway never to or from userAssignedNATGateway or
userDefinedRouting, for no VNet holds both."""


def _cluster_outbound(change: ResourceChange, item: InputChange, _: Context) -> Iterator[Consequence]:
    if any(item.old in kinds and item.new in kinds for kinds in OUTBOUND_IN_PLACE):
        yield Consequence(change.urn, item.path, f"Azure changes the outbound type from {item.old} to {item.new} in "
                          "place (az aks update --outbound-type; managedNATGateway only on a VNet AKS manages, "
                          "userAssignedNATGateway and userDefinedRouting only on your own)", "migrates", OUTBOUND,
                          f"run az aks update --outbound-type {item.new} as its own step while the program ignores "
                          "networkProfile (ignoreChanges); then land the stack's new values")
    yield Consequence(change.urn, item.path, "the cluster's egress leaves from new public addresses: partners that "
                      "allow-list the old ones must add the new ones first", "egress", OUTBOUND)


def _cluster_outbound_ips(change: ResourceChange, item: InputChange, _: Context) -> Iterator[Consequence]:
    yield Consequence(change.urn, field_path(item.path), "the load balancer's outbound addresses change: partners "
                      "that allow-list them must add the new ones", "egress", OUTBOUND)


def _api_vnet_integration(change: ResourceChange, item: InputChange, _: Context) -> Iterator[Consequence]:
    if item.new is True and not item.old:
        yield Consequence(change.urn, item.path, "Azure enables API Server VNet Integration on the existing cluster "
                          "(a delegated API server subnet; the control plane moves into the VNet and every node "
                          "pool is reimaged); it cannot be turned off again", "one-way", API_VNET)
    elif item.old is True and not item.new:
        yield Consequence(change.urn, item.path, "Azure cannot turn API Server VNet Integration off on an existing "
                          "cluster", "refused", API_VNET, NEW_CLUSTER)


def _private_cluster(change: ResourceChange, item: InputChange, _: Context) -> Iterator[Consequence]:
    integrated = all(_value(r and r["inputs"], "apiServerAccessProfile.enableVnetIntegration") is True
                     for r in (change.base, change.head))
    if integrated:
        yield Consequence(change.urn, item.path, "with API Server VNet Integration Azure switches the API server "
                          "between public and private in place", "in-place", API_VNET)
    else:
        yield Consequence(change.urn, item.path, "Azure does not turn an existing cluster's API server private or "
                          "public without API Server VNet Integration", "refused", PRIVATE,
                          f"enable API Server VNet Integration first ({API_VNET}), or {NEW_CLUSTER}")


FIXED_POOL_FIELDS = ("vmSize", "availabilityZones", "vnetSubnetID", "podSubnetID", "maxPods", "osDiskType")
_POOL_WHY = {
    "vmSize": "a pool's VM size is fixed at creation",
    "availabilityZones": "a pool's availability zones are fixed at creation",
    "vnetSubnetID": "a pool's node subnet is fixed at creation",
    "podSubnetID": "a pool's pod subnet is fixed at creation",
    "maxPods": "a pool's max pods per node is fixed at creation",
    "osDiskType": "a pool's OS disk type is fixed at creation",
}


def _pool_fixed(name: str) -> Rule:
    def rule(change: ResourceChange, item: InputChange, _: Context) -> Iterator[Consequence]:
        if item.replaces:
            return
        yield Consequence(change.urn, field_path(item.path), f"the provider sends it as an in-place update, and "
                          f"Azure refuses it: {_POOL_WHY[name]}", "refused", RESIZE_POOL, NEW_POOL)
    return rule


def _pool_replaced_vm_size(change: ResourceChange, item: InputChange, _: Context) -> Iterator[Consequence]:
    if item.replaces:
        yield Consequence(change.urn, item.path, "a new pool replaces this one: its nodes are deleted and created "
                          "again, and under the same agentPoolName the new pool cannot exist beside the old",
                          "recreate", RESIZE_POOL, NEW_POOL)


def _in_prefix(address: str, prefix: Any) -> bool:
    import ipaddress
    try:
        return ipaddress.ip_address(address) in ipaddress.ip_network(str(prefix), strict=False)
    except ValueError:
        return False


def _subnet_prefix(change: ResourceChange, item: InputChange, context: Context) -> Iterator[Consequence]:
    subnet_id = (change.head or {}).get("id") or ""
    base_inputs = (change.base or {}).get("inputs") or {}
    used = bool(subnet_id) and any(s == subnet_id or s.startswith(subnet_id + "/") for s in context.referenced)
    # A subnet's range is `addressPrefix` or the list `addressPrefixes` (the REST API takes either).
    prefixes = [base_inputs.get("addressPrefix"), *(base_inputs.get("addressPrefixes") or ())]
    used = used or base_inputs.get("subnetName") in context.load_balancer_subnets or any(
        _in_prefix(a, prefix) for a in context.load_balancer_addresses for prefix in prefixes if prefix)
    if used:
        yield Consequence(change.urn, field_path(item.path), "the subnet holds resources (nodes, load balancer "
                          "frontends, endpoints) and Azure refuses to change the address range of a subnet in use",
                          "refused", SUBNET, "a new subnet beside it; move its users there (a new node pool, then "
                          "drain the old one), then remove the old subnet")


def _vnet_space(change: ResourceChange, item: InputChange, context: Context) -> Iterator[Consequence]:
    head = change.head or {}
    if head.get("id") in context.peered_vnets or (head.get("inputs") or {}).get("virtualNetworkName") in \
            context.peered_vnets:
        yield Consequence(change.urn, "addressSpace.addressPrefixes", "the VNet is peered: the peerings must be "
                          "synced on both sides (az network vnet peering sync) before the peer reaches the new range",
                          "peering", PEERING_SYNC)


def _firewall_sku(change: ResourceChange, item: InputChange, _: Context) -> Iterator[Consequence]:
    tiers = {item.old, item.new}
    if "Basic" in tiers:
        yield Consequence(change.urn, item.path, "Azure does not change a Basic firewall's SKU: Basic moves to "
                          "Standard by a new firewall first", "refused", FIREWALL_SKU,
                          "a new firewall of the new SKU beside it, the route tables moved to it, the old one removed")
    elif tiers == {"Standard", "Premium"}:
        yield Consequence(change.urn, item.path, f"Azure changes the SKU {item.old} to {item.new} in place without "
                          "downtime (change SKU), for a firewall managed by a Firewall Policy; the policy's tier must "
                          "match", "in-place", FIREWALL_SKU)


def _location(change: ResourceChange, item: InputChange, _: Context) -> Iterator[Consequence]:
    if not item.replaces:
        yield Consequence(change.urn, item.path, "the provider sends a new location as an update, and Azure moves no "
                          "resource to another region by an update", "refused", MOVE_REGION,
                          "a new resource in the new region (a new name), then remove the old one")


RULES: tuple[tuple[str, str, Rule], ...] = (
    (MC, "networkProfile.networkPlugin", _cluster_ipam),
    (MC, "networkProfile.networkDataplane", _cluster_dataplane),
    (MC, "networkProfile.networkPolicy", _cluster_policy_engine),
    (MC, "networkProfile.serviceCidr", _cluster_service_range),
    (MC, "networkProfile.serviceCidrs", _cluster_service_range),
    (MC, "networkProfile.dnsServiceIP", _cluster_service_range),
    (MC, "networkProfile.outboundType", _cluster_outbound),
    (MC, "networkProfile.loadBalancerProfile.managedOutboundIPs", _cluster_outbound_ips),
    (MC, "networkProfile.loadBalancerProfile.outboundIPs", _cluster_outbound_ips),
    (MC, "apiServerAccessProfile.enableVnetIntegration", _api_vnet_integration),
    (MC, "apiServerAccessProfile.enablePrivateCluster", _private_cluster),
    *((MC, f"agentPoolProfiles[].{name}", _pool_fixed(name)) for name in FIXED_POOL_FIELDS),
    *((POOL, name, _pool_fixed(name)) for name in FIXED_POOL_FIELDS),
    (POOL, "vmSize", _pool_replaced_vm_size),
    ("azure-native:network:Subnet", "addressPrefix", _subnet_prefix),
    ("azure-native:network:Subnet", "addressPrefixes", _subnet_prefix),
    ("azure-native:network:VirtualNetwork", "addressSpace.addressPrefixes", _vnet_space),
    ("azure-native:network:AzureFirewall", "sku.tier", _firewall_sku),
    ("*", "location", _location),
)


def _matches(rule_path: str, change_path: str) -> bool:
    shape = pattern(change_path)
    return shape == rule_path or shape.startswith(rule_path + ".") or shape.startswith(rule_path + "[")


def consequences(changes: list[ResourceChange], context: Context) -> list[Consequence]:
    """Azure's consequences of every changed input, once each (an array's elements count as the array);
    plus new egress addresses where a public address in an egress role is created or replaced."""
    out: list[Consequence] = []
    seen: set[tuple[str, str, str]] = set()

    def add(found: Consequence) -> None:
        key = (found.urn, found.input, found.what)
        if key not in seen:
            seen.add(key)
            out.append(found)

    for change in changes:
        if change.action in ("update", "replace"):
            ipam = [c for c in change.changes if pattern(c.path) in (
                "networkProfile.networkPlugin", "networkProfile.networkPluginMode")] if change.type == MC else []
            for item in change.changes:
                for typ, path, rule in RULES:
                    if typ in (change.type, "*") and _matches(path, item.path):
                        for found in rule(change, item, context):
                            # A replaced resource is created anew: no in-place update is sent to refuse.
                            if not (found.refuses and change.action == "replace"):
                                add(found)
                if ipam and item is ipam[0] and pattern(item.path) == "networkProfile.networkPluginMode":
                    for found in _cluster_ipam(change, item, context):
                        add(found)
        if change.type == "pulumi:providers:kubernetes" and change.action == "replace" and \
                "kubeconfig" in change.forced_by:
            objects = sum(1 for c in changes if str((c.head or {}).get("provider", "")).startswith(change.urn + "::"))
            add(Consequence(change.urn, "kubeconfig", f"the cluster is new: this provider is replaced and the "
                            f"{objects} Kubernetes objects it applies are created again on the new cluster", "recreate",
                            "https://github.com/pulumi/pulumi-kubernetes/pull/2771 (DiffConfig replaces the provider "
                            "when the kubeconfig's active cluster changes or is unknown)"))
        if change.type == "azure-native:network:PublicIPAddress" and change.action in ("create", "replace"):
            record = change.head or {}
            if record.get("id") in context.egress_addresses:
                add(Consequence(change.urn, "publicIpAddressName" if change.action == "create" else
                                (change.forced_by or ["sku"])[0], "a new egress address: partners that allow-list "
                                "this platform's egress must add it before traffic leaves from it", "egress", OUTBOUND))
    return out
