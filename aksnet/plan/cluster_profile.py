"""The cluster's network profile and pool settings, as AKS receives them. Pure, no Pulumi.

The network profile is sent as a plain mapping, not `ContainerServiceNetworkProfileArgs`: that
class writes `podCidr 10.244.0.0/16`, `serviceCidr 10.0.0.0/16` and `outboundType loadBalancer`
into every profile whose fields are left out, which would put a pod CIDR on a flat Azure CNI
cluster and could place the service range over a VNet. Only the fields the mode uses are sent;
`dockerBridgeCidr` never is (removed from the AKS API in 2023-04-01).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from typing import Any

from aksnet.config.stack import ClusterSpec, IngressSpec, NodePool

# kubenet and Overlay send the pod CIDR; flat Azure CNI and pod-subnet CNI give pods VNet
# addresses and must not. https://learn.microsoft.com/azure/aks/concepts-network-cni-overview


def network_profile(cluster: ClusterSpec) -> dict[str, Any]:
    """The `networkProfile` mapping (engine camelCase) for the chosen plugin, mode and egress."""
    profile: dict[str, Any] = {
        "networkPlugin": cluster.network_plugin,
        "serviceCidr": str(cluster.service_cidr),
        "dnsServiceIP": str(cluster.dns_service_ip),
        "outboundType": cluster.outbound_type,
        "loadBalancerSku": "standard",
    }
    if cluster.network_plugin_mode is not None:
        profile["networkPluginMode"] = cluster.network_plugin_mode
    if cluster.network_plugin == "azure":
        profile["networkDataplane"] = cluster.network_dataplane
    if cluster.network_policy != "none":
        profile["networkPolicy"] = cluster.network_policy
    if cluster.uses_pod_cidr and cluster.pod_cidr is not None:
        profile["podCidr"] = str(cluster.pod_cidr)
    if cluster.outbound_type == "loadBalancer":
        profile["loadBalancerProfile"] = {"managedOutboundIPs": {"count": cluster.outbound_ip_count}}
    return profile


def pool_settings(pool: NodePool, max_surge: str) -> dict[str, Any]:
    """A node pool's own settings (engine camelCase), without the subnets it joins."""
    settings: dict[str, Any] = {
        "mode": pool.mode,
        "vmSize": pool.vm_size,
        "osType": "Linux",
        "type": "VirtualMachineScaleSets",
        "maxPods": pool.max_pods,
        "upgradeSettings": {"maxSurge": max_surge},
    }
    if pool.autoscaled:
        # AKS needs a count at creation; the autoscaler owns it afterwards (see ignore_changes).
        settings.update(enableAutoScaling=True, minCount=pool.min_count, maxCount=pool.max_count,
                        count=max(pool.min_count or 0, 1) if pool.mode == "System" else pool.min_count)
    else:
        settings.update(enableAutoScaling=False, count=pool.count)
    if pool.zones:
        settings["availabilityZones"] = list(pool.zones)
    if pool.os_disk_type is not None:
        settings["osDiskType"] = pool.os_disk_type
    if pool.os_disk_size_gb is not None:
        settings["osDiskSizeGB"] = pool.os_disk_size_gb
    if pool.only_critical_addons:
        # https://learn.microsoft.com/azure/aks/use-system-pools#system-and-user-node-pools
        settings["nodeTaints"] = ["CriticalAddonsOnly=true:NoSchedule"]
    return settings


def api_server_profile(cluster: ClusterSpec, zone: Any = None, subnet: Any = None) -> dict[str, Any]:
    """`apiServerAccessProfile`: public with authorized ranges, or private with its DNS zone.

    `zone` is the private DNS zone's resource id when the stack brings its own (`hub`);
    `subnet` the delegated subnet's id for API server VNet integration. Both may be Outputs.
    """
    profile: dict[str, Any] = {"enablePrivateCluster": cluster.private}
    if cluster.disable_run_command:
        profile["disableRunCommand"] = True
    if cluster.private:
        profile["privateDNSZone"] = zone if cluster.private_dns_zone == "hub" else cluster.private_dns_zone
        # No public record of the private address, except with privateDNSZone none: AKS then makes no private
        # zone and the public FQDN is the only name the API server has (az aks refuses --disable-public-fqdn for
        # none). https://learn.microsoft.com/azure/aks/private-clusters#configure-a-private-dns-zone
        profile["enablePrivateClusterPublicFQDN"] = cluster.private_dns_zone == "none"
    elif cluster.authorized_ip_ranges:
        profile["authorizedIPRanges"] = [str(r) for r in cluster.authorized_ip_ranges]
    if cluster.api_server_vnet_integration:
        profile["enableVnetIntegration"] = True
        profile["subnetId"] = subnet
    return profile


def nodes_reach_api_through_egress(cluster: ClusterSpec) -> bool:
    """Whether the nodes reach a public API server, limited to authorized ranges, from public
    addresses the stack chooses: those of a firewall, a NAT gateway or another appliance.

    A public cluster's API server traffic leaves through its outbound type
    (https://learn.microsoft.com/azure/aks/nat-gateway); with `loadBalancer`, AKS authorizes its own
    outbound address (https://learn.microsoft.com/azure/aks/api-server-authorized-ip-ranges), and with
    VNet integration the nodes reach the API server inside the VNet
    (https://learn.microsoft.com/azure/aks/api-server-vnet-integration).
    """
    return (not cluster.private and bool(cluster.authorized_ip_ranges) and not cluster.api_server_vnet_integration
            and cluster.outbound_type in ("userAssignedNATGateway", "userDefinedRouting"))


def authorized_ranges_with(cluster: ClusterSpec, egress_addresses: Sequence[str]) -> list[str]:
    """The stack's authorized ranges and, as /32s, each egress address none of them covers already."""
    ranges = [str(r) for r in cluster.authorized_ip_ranges]
    for address in egress_addresses:
        ip = ipaddress.ip_address(address)
        if not any(ip in r for r in cluster.authorized_ip_ranges) and f"{ip}/32" not in ranges:
            ranges.append(f"{ip}/32")
    return ranges


# The nginx ingress controller is the AKS application routing add-on (managed NGINX).
# https://learn.microsoft.com/azure/aks/app-routing


def ingress_profile(ingress: IngressSpec) -> dict[str, Any] | None:
    """`ingressProfile` for nginx: the default controller public or internal.

    With a static internal address the default controller is not created ("None"): the
    Kubernetes layer declares a NginxIngressController with the address annotations instead.
    """
    if ingress.controller != "nginx" or ingress.nginx is None:
        return None
    nginx = ingress.nginx
    kind = "External" if nginx.visibility == "public" else ("None" if nginx.static_ip else "Internal")
    return {"webAppRouting": {"enabled": True, "nginx": {"defaultIngressControllerType": kind}}}


def addon_profiles(cluster: ClusterSpec, ingress: IngressSpec, app_gateway_id: Any = None) -> dict[str, Any]:
    """Add-ons the stack turns on: Azure Policy, and AGIC with the gateway's id."""
    addons: dict[str, Any] = {}
    if cluster.azure_policy:
        addons["azurepolicy"] = {"enabled": True}
    if ingress.controller == "appgw":
        addons["ingressApplicationGateway"] = {"enabled": True, "config": {"applicationGatewayId": app_gateway_id}}
    return addons
