"""Pins every Azure/Kubernetes fact the design rules and the NetworkPolicy engine encode.

Each case names one documented fact (a bound at the limit and one past it, a SKU, a region, a
combination Azure or AKS refuses or accepts, a number the refusal tells the user) and runs the one
rule that states it against a committed stack varied in that one place. The expected outcome comes
from the page cited beside the case, never from running our code. The second half pins the
NetworkPolicy semantics of `aksnet.analysis.reachability` against the Kubernetes API reference.
No stack is run under the mock engine here: the rules are pure and read the parsed spec.
"""

from __future__ import annotations

import dataclasses
import datetime
import ipaddress
from typing import Any

import pytest

from aksnet.analysis.reachability import (
    PortSet,
    Selector,
    SelectorError,
    cluster_from_objects,
    evaluate,
    parse_policy,
    resolve_ports,
)
from aksnet.config.model import AgcSpec, NetworkRule, NginxSpec
from aksnet.config.stack import load_spec
from aksnet.rules import cluster_egress, path_rules
from aksnet.rules import ingress as gateway_rules
from aksnet.rules import node_pools as size_rules
from aksnet.rules.design import api_server, cluster, egress, gateway_backends, hub, images, network_profile, node_pools
from aksnet.rules.design import ingress as ingress_rules
from tests.stacks import load

DROP = object()
NET = ipaddress.ip_network
_SPECS: dict[str, Any] = {}


def spec_of(stack: str) -> Any:
    if stack not in _SPECS:
        _SPECS[stack] = load_spec(load(stack), stack)
    return _SPECS[stack]


def _set(obj: Any, steps: list[str], value: Any) -> Any:
    if not steps:
        return value
    head, rest = steps[0], steps[1:]
    if isinstance(obj, dict):
        out = dict(obj)
        new = _set(obj.get(head), rest, value)
        if new is DROP:
            out.pop(head, None)
        else:
            out[head] = new
        return out
    if isinstance(obj, tuple):
        items = list(obj)
        items[int(head)] = _set(items[int(head)], rest, value)
        return tuple(items)
    return dataclasses.replace(obj, **{head: _set(getattr(obj, head), rest, value)})


def vary(stack: str, changes: dict[str, Any]) -> Any:
    """The parsed spec of a committed stack with attributes replaced by dotted path (`DROP` removes a dict key)."""
    spec = spec_of(stack)
    for path, value in changes.items():
        spec = _set(spec, path.split("."), value)
    return spec


def by_id(module: Any, rule_id: str) -> Any:
    return next(r.spec for r in module.RULES if r.id == rule_id)


def found(check: Any, spec: Any, *day: datetime.date) -> list[tuple[str, str]]:
    return [(p.path.removeprefix("aks-networking:"), p.message) for p in check(spec, *day)]


# (rule, stack, changes, key refused or None for accepted, fragment the message must hold)
ACCEPT = None
CASES: dict[str, tuple[Any, str, dict[str, Any], str | None, str]] = {
    # https://learn.microsoft.com/azure/aks/api-server-authorized-ip-ranges: ranges restrict a public API server only.
    "ranges on a public API server": (by_id(api_server, "authorized-ranges-only-on-public-api"), "dev", {}, ACCEPT, ""),
    "ranges on a private API server": (by_id(api_server, "authorized-ranges-only-on-public-api"), "dev", {"cluster.private": True},
                                       "cluster.authorizedIpRanges", "public API server"),
    # https://learn.microsoft.com/azure/aks/private-clusters: a zone in the hub needs a private API and the hub VNet.
    "hub zone without a hub": (api_server.hub_zone_needs_private_api_and_hub, "prod", {"network.hub": None},
                               "cluster.privateDnsZone", "needs a hub VNet"),
    "hub zone on a public API server": (api_server.hub_zone_needs_private_api_and_hub, "prod",
                                        {"cluster.private": False}, "cluster.privateDnsZone", "set private true"),
    "hub zone with a hub": (api_server.hub_zone_needs_private_api_and_hub, "prod", {}, ACCEPT, ""),
    # https://learn.microsoft.com/azure/aks/api-server-vnet-integration: the API server subnet is /28 at least.
    "VNet integration without its subnet": (api_server.vnet_integration_needs_its_subnet, "dev",
                                            {"cluster.api_server_vnet_integration": True},
                                            "cluster.apiServerVnetIntegration", "/28 or larger"),
    # https://learn.microsoft.com/azure/aks/manage-local-accounts-managed-azure-ad: local accounts off needs Entra ID.
    "local accounts off with Entra ID": (by_id(api_server, "local-accounts-off-needs-entra-id"), "dev", {}, ACCEPT, ""),
    "local accounts off without Entra ID": (by_id(api_server, "local-accounts-off-needs-entra-id"), "dev", {"cluster.entra_id": None},
                                            "cluster.localAccounts", "needs Entra ID"),
    # https://learn.microsoft.com/azure/reliability/regions-list: australiacentral has no availability zones.
    "firewall zones in a zoneless region": (cluster.zones_need_a_zonal_region, "prod",
                                            {"environment.location": "australiacentral",
                                             "cluster.node_pools.0.zones": (), "cluster.node_pools.1.zones": (),
                                             "ingress.app_gateway.zones": ()},
                                            "egress.firewall.zones", "no availability zones"),
    "gateway zones in a zoneless region": (cluster.zones_need_a_zonal_region, "prod",
                                           {"environment.location": "australiacentral",
                                            "cluster.node_pools.0.zones": (), "cluster.node_pools.1.zones": (),
                                            "egress.firewall.zones": ()},
                                           "ingress.appGateway.zones", "no availability zones"),
    "zones in a zonal region": (cluster.zones_need_a_zonal_region, "prod", {}, ACCEPT, ""),
    # https://learn.microsoft.com/azure/aks/auto-upgrade-cluster: patch, stable and rapid move the version;
    # node-image and none keep it.
    "patch pin under node-image": (cluster.patch_pin_without_patch_upgrades, "dev",
                                   {"cluster.kubernetes_version": "1.36.2", "cluster.upgrade_channel": "node-image"},
                                   ACCEPT, ""),
    "patch pin under none": (cluster.patch_pin_without_patch_upgrades, "dev",
                             {"cluster.kubernetes_version": "1.36.2", "cluster.upgrade_channel": "none"}, ACCEPT, ""),
    "patch pin under patch": (cluster.patch_pin_without_patch_upgrades, "dev",
                              {"cluster.kubernetes_version": "1.36.2", "cluster.upgrade_channel": "patch"},
                              "cluster.kubernetesVersion", "downgrade"),
    "patch pin under stable": (cluster.patch_pin_without_patch_upgrades, "dev",
                               {"cluster.kubernetes_version": "1.36.2", "cluster.upgrade_channel": "stable"},
                               "cluster.kubernetesVersion", "downgrade"),
    "minor under patch": (cluster.patch_pin_without_patch_upgrades, "dev", {}, ACCEPT, ""),
    # https://learn.microsoft.com/azure/aks/manage-azure-rbac: with Azure RBAC and no local accounts, the
    # deployer needs a role; with Kubernetes RBAC (azure_rbac false) it is not Azure's role that admits it.
    "deployer not granted under Azure RBAC": (cluster.someone_may_apply_the_layer, "dev",
                                              {"cluster.entra_id.grant_deployer": False},
                                              "cluster.entraId.grantDeployer", "no role"),
    "deployer not granted under Kubernetes RBAC": (cluster.someone_may_apply_the_layer, "dev",
                                                   {"cluster.entra_id.grant_deployer": False,
                                                    "cluster.entra_id.azure_rbac": False}, ACCEPT, ""),
    # https://learn.microsoft.com/azure/nat-gateway/nat-gateway-resource: 16 public IPs at most.
    "NAT gateway with 16 IPs": (egress.nat_gateway_ip_limit, "dev",
                                {"cluster.outbound_type": "userAssignedNATGateway", "cluster.outbound_ip_count": 16},
                                ACCEPT, ""),
    "NAT gateway with 17 IPs": (egress.nat_gateway_ip_limit, "dev",
                                {"cluster.outbound_type": "userAssignedNATGateway", "cluster.outbound_ip_count": 17},
                                "cluster.outboundIpCount", "at most 16"),
    "managed NAT gateway with 17 IPs": (egress.nat_gateway_ip_limit, "dev",
                                        {"cluster.outbound_type": "managedNATGateway",
                                         "cluster.outbound_ip_count": 17}, "cluster.outboundIpCount", "at most 16"),
    # https://learn.microsoft.com/azure/aks/egress-outboundtype: userDefinedRouting needs a route to an appliance.
    "UDR to a given appliance": (egress.udr_needs_an_appliance, "dev",
                                 {"cluster.outbound_type": "userDefinedRouting",
                                  "cluster.egress_next_hop_ip": ipaddress.ip_address("10.1.0.4")}, ACCEPT, ""),
    "UDR to nothing": (egress.udr_needs_an_appliance, "dev", {"cluster.outbound_type": "userDefinedRouting"},
                       "cluster.outboundType", "virtual appliance"),
    "next hop beside the firewall": (egress.next_hop_only_for_udr_without_firewall, "prod",
                                     {"cluster.egress_next_hop_ip": ipaddress.ip_address("10.1.0.4")},
                                     "cluster.egressNextHopIp", "egress.firewall already is the next hop"),
    "firewall behind a NAT gateway": (egress.firewall_carries_egress, "prod",
                                      {"cluster.outbound_type": "userAssignedNATGateway"}, "egress.firewall",
                                      "no traffic leaves through it"),
    # https://learn.microsoft.com/azure/firewall/firewall-faq: AzureFirewallSubnet, a /26.
    "firewall without its subnet": (egress.firewall_needs_its_subnets, "prod",
                                    {"network.hub.subnets.AzureFirewallSubnet": DROP},
                                    "egress.firewall", "AzureFirewallSubnet in network.hub.subnets (/26"),
    "a spoke's firewall is its hub's": (egress.firewall_needs_its_subnets, "prod",
                                        {"network.hub.subnets.AzureFirewallSubnet": DROP,
                                         "landing_zone.role": "spoke"}, ACCEPT, ""),
    # https://learn.microsoft.com/azure/firewall/basic-features: Basic needs the management subnet, a /26.
    "Basic without its management subnet": (egress.firewall_needs_its_subnets, "prod",
                                            {"egress.firewall.sku": "Basic"}, "egress.firewall.sku",
                                            "AzureFirewallManagementSubnet (/26)"),
    "Standard without a management subnet": (egress.firewall_needs_its_subnets, "prod",
                                             {"egress.firewall.sku": "Standard"}, ACCEPT, ""),
    # https://learn.microsoft.com/azure/firewall/fqdn-filtering-network-rules: FQDNs in network rules need DNS proxy.
    "FQDN network rule with DNS proxy": (egress.fqdn_network_rules_need_dns_proxy, "prod",
                                         {"egress.firewall.network_rules": (
                                             NetworkRule("ntp", ("UDP",), (), ("time.example.com",), ("123",)),)},
                                         ACCEPT, ""),
    "FQDN network rule without DNS proxy": (egress.fqdn_network_rules_need_dns_proxy, "prod",
                                            {"egress.firewall.dns_proxy": False, "egress.firewall.network_rules": (
                                                NetworkRule("ntp", ("UDP",), (), ("time.example.com",), ("123",)),)},
                                            "egress.firewall.networkRules[0].destinationFqdns", "DNS proxy"),
    # https://learn.microsoft.com/azure/bastion/configuration-settings: AzureBastionSubnet, /26 or larger.
    "Bastion with its subnet": (egress.bastion_needs_its_subnet, "prod", {}, ACCEPT, ""),
    "Bastion without its subnet": (egress.bastion_needs_its_subnet, "prod",
                                   {"network.hub.subnets.AzureBastionSubnet": DROP}, "network.bastion",
                                   "AzureBastionSubnet in network.hub.subnets (/26 or larger)"),
    # https://learn.microsoft.com/azure/application-gateway/ingress-controller-add-health-probes: AGIC probes the
    # port the backend serves (the Service's targetPort); other controllers are not AGIC.
    "AGIC probe on the target port": (gateway_backends.agic_backends_probe_over_http, "prod", {}, ACCEPT, ""),
    "no probe behind nginx": (gateway_backends.agic_backends_probe_over_http, "prod",
                              {"ingress.controller": "nginx", "kubernetes.workloads.apps.0.readiness": None},
                              ACCEPT, ""),
    # https://learn.microsoft.com/azure/application-gateway/key-vault-certs: the gateway's certificates.
    "TLS secret nobody provides": (gateway_backends.ingress_tls_has_a_certificate, "prod",
                                   {"kubernetes.workloads.ingresses.0.tls_secret": "other-tls"},
                                   "kubernetes.ingresses[0].tlsSecret", "provided: shop-tls"),
    "gateway certificates under nginx": (gateway_backends.ingress_tls_has_a_certificate, "prod",
                                         {"ingress.controller": "nginx",
                                          "kubernetes.workloads.ingresses.0.tls_secret": None}, "tls", "use appgw"),
    # https://learn.microsoft.com/azure/azure-resource-manager/management/lock-resources
    "hub lock without a hub": (hub.hub_lock_needs_a_hub, "dev", {"environment.lock_hub": True},
                               "environment.lockHub", "no hub"),
    # https://learn.microsoft.com/azure/container-registry/container-registry-private-link
    "platform images from the platform registry": (images.images_from_known_registries, "prod", {}, ACCEPT, ""),
    "an image from mcr.microsoft.com": (images.images_from_known_registries, "dev",
                                        {"kubernetes.workloads.apps.0.image": "mcr.microsoft.com/azurelinux/base:3"},
                                        ACCEPT, ""),
    "a platform image without a registry": (images.images_from_known_registries, "prod", {"registry": None},
                                            "kubernetes.apps[0].image", "the stack has none"),
    "Key Vault without the endpoints subnet": (images.private_endpoints_and_their_subnet, "prod",
                                               {"network.spoke.subnets.endpoints": DROP, "registry": None},
                                               "tls", "private endpoint"),
    "endpoints subnet used by the Key Vault alone": (images.private_endpoints_and_their_subnet, "prod",
                                                     {"registry": None}, ACCEPT, ""),
    # https://learn.microsoft.com/azure/dns/dns-private-resolver-overview#subnet-restrictions: /28 to /24.
    "DNS resolver without its subnet": (hub.dns_resolver_has_its_subnet, "prod", {"network.hub.subnets.dns": DROP},
                                        "network.dnsResolver", "/28 to /24"),
    "no resolver and no hub": (hub.dns_resolver_has_its_subnet, "dev", {}, ACCEPT, ""),
    # https://learn.microsoft.com/azure/application-gateway/configuration-infrastructure: a dedicated subnet,
    # /24 recommended.
    "gateway without its subnet": (ingress_rules.gateway_needs_its_subnet, "prod",
                                   {"network.spoke.subnets.appgw": DROP}, "ingress.controller", "/24 recommended"),
    # https://learn.microsoft.com/azure/aks/azure-cni-powered-by-cilium: Overlay or a pod subnet (dynamic pod IPs).
    "Cilium dataplane on flat CNI with a pod subnet": (network_profile.cilium_dataplane_needs_dynamic_pod_ips, "prod",
                                                       {"cluster.network_plugin_mode": None,
                                                        "network.spoke.subnets.pods": NET("10.240.64.0/18")},
                                                       ACCEPT, ""),
    "Cilium dataplane on flat CNI without one": (network_profile.cilium_dataplane_needs_dynamic_pod_ips, "prod",
                                                 {"cluster.network_plugin_mode": None}, "cluster.networkDataplane",
                                                 "dynamic pod IPs"),
    # https://learn.microsoft.com/azure/application-gateway/for-containers/container-networking: the subnet is
    # delegated to AGC alone.
    "AGC subnet under another controller": (gateway_rules.agc_subnet, "prod",
                                            {"network.spoke.subnets.agc": NET("10.240.16.0/24")},
                                            "network.spoke.subnets.agc", "ingress.controller is appgw"),
    "AGC on kubenet": (gateway_rules.agc_needs_azure_cni, "dev", {"ingress.controller": "agc"}, "ingress.controller",
                       "does not support kubenet"),
    # https://learn.microsoft.com/azure/application-gateway/configuration-infrastructure: AGIC on v2 SKUs only.
    "AGIC on Standard_v2": (ingress_rules.agic_needs_a_v2_gateway, "prod", {"ingress.app_gateway.sku": "Standard_v2"},
                            ACCEPT, ""),
    "AGIC on WAF_v2": (ingress_rules.agic_needs_a_v2_gateway, "prod", {}, ACCEPT, ""),
    "AGIC on WAF_Medium": (ingress_rules.agic_needs_a_v2_gateway, "prod", {"ingress.app_gateway.sku": "WAF_Medium"},
                           "ingress.appGateway.sku", "v1 SKU"),
    "gateway with a private frontend only": (ingress_rules.gateway_needs_a_frontend, "prod",
                                             {"ingress.app_gateway.public_frontend": False,
                                              "ingress.app_gateway.private_ip": ipaddress.ip_address("10.240.1.10")},
                                             ACCEPT, ""),
    "gateway without a frontend": (ingress_rules.gateway_needs_a_frontend, "prod",
                                   {"ingress.app_gateway.public_frontend": False}, "ingress.appGateway", "neither"),
    # https://learn.microsoft.com/azure/web-application-firewall/ag/ag-overview: Detection logs, Prevention blocks.
    "WAF in Prevention": (ingress_rules.waf_prevention_in_production, "prod", {}, ACCEPT, ""),
    "WAF in Detection": (ingress_rules.waf_prevention_in_production, "prod",
                         {"ingress.app_gateway.waf_mode": "Detection"}, "ingress.appGateway.wafMode", "Prevention"),
    "Standard_v2 in production": (ingress_rules.waf_prevention_in_production, "prod",
                                  {"ingress.app_gateway.sku": "Standard_v2"}, "ingress.appGateway.sku", "WAF_v2"),
    # https://learn.microsoft.com/azure/application-gateway/ingress-controller-overview: not in Azure Government.
    "AGIC on Overlay in usdodeast": (ingress_rules.agic_overlay_outside_government, "prod",
                                     {"environment.location": "usdodeast"}, "ingress.controller", "Azure Government"),
    "AGIC on Overlay in usgovvirginia": (ingress_rules.agic_overlay_outside_government, "prod",
                                         {"environment.location": "usgovvirginia"}, "ingress.controller",
                                         "Azure Government"),
    # https://learn.microsoft.com/azure/application-gateway/configuration-infrastructure: a v2 gateway subnet
    # takes no 0.0.0.0/0 route to an appliance; kubenet with a load balancer puts none there.
    "AGIC on kubenet with a load balancer": (ingress_rules.agic_kubenet_route_table_without_udr, "prod",
                                             {"cluster.network_plugin": "kubenet",
                                              "cluster.outbound_type": "loadBalancer"}, ACCEPT, ""),
    "AGIC on kubenet with UDR": (ingress_rules.agic_kubenet_route_table_without_udr, "prod",
                                 {"cluster.network_plugin": "kubenet"}, "ingress.controller", "0.0.0.0/0"),
    # https://learn.microsoft.com/azure/aks/app-routing: an internal nginx sits on the ILB subnet; a public one's
    # address comes from Azure; a block for a controller not chosen would be ignored.
    "public nginx with a static IP": (ingress_rules.nginx_fits_its_network, "dev",
                                      {"ingress.controller": "nginx",
                                       "ingress.nginx": NginxSpec("public", ipaddress.ip_address("192.168.2.10"))},
                                      "ingress.nginx.staticIp", "internal load balancer"),
    "internal nginx without the ILB subnet": (ingress_rules.nginx_fits_its_network, "dev",
                                              {"ingress.controller": "nginx", "network.spoke.subnets.ilb": DROP,
                                               "ingress.nginx": NginxSpec("internal", None)},
                                              "ingress.nginx.visibility", "network.spoke.subnets.ilb"),
    "internal nginx with its static IP": (ingress_rules.nginx_fits_its_network, "dev",
                                          {"ingress.controller": "nginx",
                                           "ingress.nginx": NginxSpec("internal",
                                                                      ipaddress.ip_address("192.168.2.10"))},
                                          ACCEPT, ""),
    "nginx block under appgw": (ingress_rules.ingress_block_matches_controller, "prod",
                                {"ingress.nginx": NginxSpec("internal", None)}, "ingress.nginx", "controller is appgw"),
    "Ingresses without a controller": (ingress_rules.ingresses_need_a_controller, "dev",
                                       {"ingress.controller": "none"}, "kubernetes.ingresses", "ingress controller"),
    # https://learn.microsoft.com/azure/aks/internal-lb
    "public LoadBalancer Service without the ILB subnet": (
        ingress_rules.internal_services_need_ilb_subnet, "dev",
        {"network.spoke.subnets.ilb": DROP, "kubernetes.workloads.apps.3.service_type": "LoadBalancer"}, ACCEPT, ""),
    "internal Service without the ILB subnet": (
        ingress_rules.internal_services_need_ilb_subnet, "dev",
        {"network.spoke.subnets.ilb": DROP, "kubernetes.workloads.apps.0.service_type": "InternalLoadBalancer"},
        "kubernetes.apps[0].serviceType", "network.spoke.subnets.ilb"),
    # https://learn.microsoft.com/azure/aks/use-network-policies: Calico runs on kubenet, Azure NPM does not.
    "Calico on kubenet": (by_id(network_profile, "azure-npm-needs-azure-cni"), "dev", {}, ACCEPT, ""),
    "Cilium policy with a brought CNI": (by_id(network_profile, "byo-cni-brings-its-policy"), "dev",
                                         {"cluster.network_plugin": "none", "cluster.network_policy": "cilium"},
                                         "cluster.networkPolicy", "networkPlugin none"),
    "Cilium dataplane on kubenet": (by_id(network_profile, "cilium-dataplane-needs-azure-cni"), "dev",
                                    {"cluster.network_dataplane": "cilium"}, "cluster.networkDataplane",
                                    "not kubenet"),
    "Cilium dataplane with no policy": (by_id(network_profile, "cilium-dataplane-enforces-policies"), "prod",
                                        {"cluster.network_policy": "none"}, "cluster.networkPolicy", "set cilium"),
    "Cilium policy on the Azure dataplane": (by_id(network_profile, "cilium-policy-needs-cilium-dataplane"), "prod",
                                             {"cluster.network_dataplane": "azure"}, "cluster.networkPolicy",
                                             "needs networkDataplane cilium"),
    "pod subnet on kubenet": (network_profile.pod_subnet_only_for_dynamic_ips, "dev",
                              {"network.spoke.subnets.pods": NET("192.168.4.0/22")}, "network.spoke.subnets.pods",
                              "only used by Azure CNI"),
    # https://learn.microsoft.com/azure/aks/istio-about: the add-on on kubenet is an AKS-managed CNI.
    "Istio on kubenet": (network_profile.istio_needs_managed_cni, "dev", {"cluster.service_mesh": "istio"},
                         ACCEPT, ""),
    # https://learn.microsoft.com/azure/aks/concepts-network-ip-address-planning: maxPods 10 to 250;
    # https://learn.microsoft.com/azure/aks/use-system-pools: room for 30 pods on a System pool.
    "maxPods 10 on a user pool": (node_pools.max_pods_in_range, "prod", {"cluster.node_pools.1.max_pods": 10},
                                  ACCEPT, ""),
    "maxPods 250": (node_pools.max_pods_in_range, "prod", {"cluster.node_pools.1.max_pods": 250}, ACCEPT, ""),
    "maxPods 251": (node_pools.max_pods_in_range, "prod", {"cluster.node_pools.1.max_pods": 251},
                    "cluster.nodePools[1].maxPods", "10 to 250"),
    "maxPods 9": (node_pools.max_pods_in_range, "prod", {"cluster.node_pools.1.max_pods": 9},
                  "cluster.nodePools[1].maxPods", "10 to 250"),
    "System pool with room for exactly 30": (node_pools.max_pods_in_range, "dev",
                                             {"cluster.node_pools.0.max_pods": 10, "cluster.node_pools.0.count": 3},
                                             ACCEPT, ""),
    "System pool with room for 29": (node_pools.max_pods_in_range, "dev",
                                     {"cluster.node_pools.0.max_pods": 29, "cluster.node_pools.0.count": 1},
                                     "cluster.nodePools[0].maxPods", "room for 30 pods"),
    "autoscaled System pool judged at its minimum": (node_pools.max_pods_in_range, "prod",
                                                     {"cluster.node_pools.0.max_pods": 10,
                                                      "cluster.node_pools.0.min_count": 2},
                                                     "cluster.nodePools[0].maxPods", "on 2 node(s)"),
    # https://learn.microsoft.com/azure/aks/use-system-pools#system-and-user-node-pools: 4 vCPUs and 4 GB, no B-series.
    "System pool on 2 vCPUs": (size_rules.system_pool_vm_minimum, "dev",
                               {"cluster.node_pools.0.vm_size": "Standard_D2ds_v5"}, "cluster.nodePools[0].vmSize",
                               "at least 4 vCPUs and 4 GB"),
    "System pool on 4 vCPUs and 8 GB": (size_rules.system_pool_vm_minimum, "dev",
                                        {"cluster.node_pools.0.vm_size": "Standard_F4s_v2"}, ACCEPT, ""),
    "System pool on B-series v2": (size_rules.system_pool_vm_minimum, "dev",
                                   {"cluster.node_pools.0.vm_size": "Standard_B4s_v2"}, "cluster.nodePools[0].vmSize",
                                   "B-series"),
    "User pool on 2 vCPUs": (size_rules.system_pool_vm_minimum, "prod",
                             {"cluster.node_pools.1.vm_size": "Standard_D2ds_v5"}, ACCEPT, ""),
    # https://learn.microsoft.com/azure/virtual-machines/ephemeral-os-disks#size-requirements: the OS disk fits
    # the temporary disk (Standard_D4ds_v5: 150 GiB).
    "ephemeral OS disk the size of the temp disk": (size_rules.ephemeral_os_disk_fits_the_local_disk, "prod",
                                                    {"cluster.node_pools.0.os_disk_size_gb": 150}, ACCEPT, ""),
    "ephemeral OS disk over the temp disk": (size_rules.ephemeral_os_disk_fits_the_local_disk, "prod",
                                             {"cluster.node_pools.0.os_disk_size_gb": 151},
                                             "cluster.nodePools[0].osDiskSizeGB", "at most 150"),
    "ephemeral OS disk on Ddsv5, which has one": (size_rules.ephemeral_os_disk_needs_a_size_that_has_it, "prod", {},
                                                   ACCEPT, ""),
    "ephemeral OS disk on a size without a local disk": (size_rules.ephemeral_os_disk_needs_a_size_that_has_it,
                                                         "prod", {"cluster.node_pools.1.vm_size": "Standard_D8s_v5"},
                                                         "cluster.nodePools[1].osDiskType", "Dsv5"),
    # https://learn.microsoft.com/azure/application-gateway/for-containers/container-networking: AGC subnet /24,
    # 250 free addresses (Azure keeps 5 of every subnet), exactly /24 with Overlay, no kubenet, no plugin-less cluster.
    "AGC on a cluster without a plugin": (gateway_rules.agc_needs_azure_cni, "prod",
                                          {"ingress.controller": "agc", "cluster.network_plugin": "none"},
                                          "ingress.controller", "needs Azure CNI"),
    "AGC subnet /23 with Overlay": (gateway_rules.agc_subnet, "prod",
                                    {"ingress.controller": "agc", "network.spoke.subnets.agc": NET("10.240.16.0/23")},
                                    "network.spoke.subnets.agc", "exactly a /24"),
    "AGC subnet /24 with Overlay": (gateway_rules.agc_subnet, "prod",
                                    {"ingress.controller": "agc", "network.spoke.subnets.agc": NET("10.240.16.0/24")},
                                    ACCEPT, ""),
    "AGC subnet /25 on flat CNI": (gateway_rules.agc_subnet, "prod",
                                   {"ingress.controller": "agc", "cluster.network_plugin_mode": None,
                                    "network.spoke.subnets.agc": NET("10.240.16.0/25")},
                                   "network.spoke.subnets.agc", "(123 usable addresses)"),
    "AGC without workload identity": (gateway_rules.agc_needs_workload_identity, "prod",
                                      {"ingress.controller": "agc", "cluster.workload_identity": False},
                                      "cluster.workloadIdentity", "workload identity"),
    # https://learn.microsoft.com/azure/application-gateway/for-containers/web-application-firewall: in preview.
    "AGC with a WAF policy": (gateway_rules.agc_waf_generally_available, "prod",
                              {"ingress.controller": "agc",
                               "ingress.agc": AgcSpec(waf_policy_id="/subscriptions/0/resourceGroups/rg/providers/"
                                                      "Microsoft.Network/applicationGatewayWebApplicationFirewall"
                                                      "Policies/waf")},
                              "ingress.agc.wafPolicyId", "preview"),
    "AGC on flat CNI is GA": (gateway_rules.agc_overlay_preview, "prod",
                              {"ingress.controller": "agc", "cluster.network_plugin_mode": None}, ACCEPT, ""),
    # https://learn.microsoft.com/azure/application-gateway/for-containers/alb-controller-release-notes: 1.32 or later.
    "ALB Controller on 1.32": (gateway_rules.gateway_controller_supports_kubernetes, "prod",
                               {"ingress.controller": "agc", "cluster.kubernetes_version": "1.32"}, ACCEPT, ""),
    "ALB Controller on 1.31": (gateway_rules.gateway_controller_supports_kubernetes, "prod",
                               {"ingress.controller": "agc", "cluster.kubernetes_version": "1.31"},
                               "cluster.kubernetesVersion", "needs Kubernetes 1.32 or later"),
    # https://gateway.envoyproxy.io/news/releases/matrix/: Envoy Gateway v1.9 supports Kubernetes 1.33 to 1.36.
    "Envoy Gateway on 1.36": (gateway_rules.gateway_controller_supports_kubernetes, "dev", {}, ACCEPT, ""),
    "Envoy Gateway on 1.33": (gateway_rules.gateway_controller_supports_kubernetes, "dev",
                              {"cluster.kubernetes_version": "1.33"}, ACCEPT, ""),
    "Envoy Gateway on 1.32": (gateway_rules.gateway_controller_supports_kubernetes, "dev",
                              {"cluster.kubernetes_version": "1.32"}, "cluster.kubernetesVersion",
                              "1.33, 1.34, 1.35, 1.36"),
    # https://learn.microsoft.com/azure/aks/nat-gateway: the nodes reach a public API server through the egress;
    # a private one they reach inside the VNet, and the stack's own firewall's addresses the program adds itself.
    "next hop of someone else's with ranges": (cluster_egress.nodes_reach_their_public_api_server, "dev",
                                               {"cluster.outbound_type": "userDefinedRouting",
                                                "cluster.egress_next_hop_ip": ipaddress.ip_address("10.1.0.4")},
                                               "cluster.authorizedIpRanges", "10.1.0.4"),
    "next hop of someone else's, private API": (cluster_egress.nodes_reach_their_public_api_server, "dev",
                                                {"cluster.outbound_type": "userDefinedRouting",
                                                 "cluster.private": True, "cluster.authorized_ip_ranges": (),
                                                 "cluster.egress_next_hop_ip": ipaddress.ip_address("10.1.0.4")},
                                                ACCEPT, ""),
    "the stack's own firewall as next hop": (cluster_egress.nodes_reach_their_public_api_server, "prod",
                                             {"cluster.private": False,
                                              "cluster.authorized_ip_ranges": (NET("203.0.113.0/24"),),
                                              "cluster.egress_next_hop_ip": ipaddress.ip_address("10.1.0.4")},
                                             ACCEPT, ""),
}


@pytest.mark.parametrize("name", CASES)
def test_each_rule_refuses_or_accepts_as_documented(name):
    check, stack, changes, key, fragment = CASES[name]
    problems = found(check, vary(stack, changes))
    if key is None:
        assert problems == [], problems
    else:
        at_key = [message for path, message in problems if path == key]
        assert at_key, problems
        assert fragment in at_key[0], at_key[0]


# The dated rules, judged on the day itself and the day either side.
# https://learn.microsoft.com/azure/aks/supported-kubernetes-versions: 1.37 GA on AKS 2026-10-01 (aksnet's table).
GA, EOL = datetime.date(2026, 10, 1), datetime.date(2027, 10, 31)
DAY = datetime.timedelta(days=1)
DATED: dict[str, tuple[Any, str, dict[str, Any], datetime.date, str | None, str]] = {
    "1.37 on its GA day": (cluster.kubernetes_version_creatable, "dev", {"cluster.kubernetes_version": "1.37"}, GA,
                           ACCEPT, ""),
    "1.37 the day before GA": (cluster.kubernetes_version_creatable, "dev", {"cluster.kubernetes_version": "1.37"},
                               GA - DAY, "cluster.kubernetesVersion", "not generally available"),
    "1.37 on its end-of-life day": (cluster.kubernetes_version_creatable, "dev",
                                    {"cluster.kubernetes_version": "1.37"}, EOL, "cluster.kubernetesVersion",
                                    "left AKS support"),
    "1.37 sixty days before its end": (cluster.kubernetes_version_ending_soon, "dev",
                                       {"cluster.kubernetes_version": "1.37"}, EOL - 60 * DAY,
                                       "cluster.kubernetesVersion", "within 60 days"),
    "1.37 sixty-one days before its end": (cluster.kubernetes_version_ending_soon, "dev",
                                           {"cluster.kubernetes_version": "1.37"}, EOL - 61 * DAY, ACCEPT, ""),
    # https://gateway.envoyproxy.io/news/releases/matrix/: v1.9 gets fixes until 2027-02-14, that day included.
    "Envoy Gateway on its last day": (gateway_rules.gateway_controller_end_of_life, "dev", {},
                                      datetime.date(2027, 2, 14), ACCEPT, ""),
    "Envoy Gateway the day after": (gateway_rules.gateway_controller_end_of_life, "dev", {},
                                    datetime.date(2027, 2, 15), "ingress.controller", "reached its end of life"),
    "Envoy Gateway's end told on its last day": (gateway_rules.gateway_controller_support_ends, "dev", {},
                                                 datetime.date(2027, 2, 14), "ingress.controller", "2027-02-14"),
}


@pytest.mark.parametrize("name", DATED)
def test_each_dated_rule_turns_on_the_documented_day(name):
    check, stack, changes, day, key, fragment = DATED[name]
    problems = found(check, vary(stack, changes), day)
    if key is None:
        assert problems == [], problems
    else:
        assert [p for p, _ in problems] == [key], problems
        assert fragment in problems[0][1], problems[0][1]


def test_a_spoke_walks_flows_to_other_private_ranges_through_its_hub():
    """A spoke's flows to RFC 1918 or RFC 6598 addresses outside its own VNet are another spoke's, judged in the landing zone;
    public addresses and its own VNet's stay its own (https://learn.microsoft.com/azure/architecture/networking/
    architecture/hub-spoke)."""
    from aksnet.config.workloads import Endpoint
    spec = vary("prod", {"landing_zone.role": "spoke"})
    flow = spec.kubernetes.workloads.flows[0]

    def to(cidr: str) -> Any:
        return dataclasses.replace(flow, name=f"to-{cidr}", destination=Endpoint(cidr=NET(cidr)))
    flows = (to("10.200.0.0/24"), to("20.50.0.0/24"), to("10.240.4.0/24"),  # the spoke is 10.240.0.0/16
             to("100.64.8.0/24"), to("169.254.169.254/32"), to("203.0.113.0/24"))
    across = path_rules._across_spokes(_set(spec, ["kubernetes", "workloads", "flows"], flows))
    # RFC 6598's shared space is routed privately like RFC 1918's (virtual-networks-udr-overview#default) and
    # can hold a VNet; link-local and documentation ranges cannot, so they stay the spoke's own to judge.
    assert across == frozenset({"to-10.200.0.0/24", "to-100.64.8.0/24"})
    assert path_rules._across_spokes(_set(vary("prod", {}), ["kubernetes", "workloads", "flows"], flows)) == frozenset()


# NetworkPolicy, https://kubernetes.io/docs/concepts/services-networking/network-policies/ and the API reference
# https://kubernetes.io/docs/reference/kubernetes-api/networking-resources/network-policy-v1/.
def policy(spec: dict[str, Any], **meta: str) -> dict[str, Any]:
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": {"name": "p", **meta}, "spec": {"podSelector": {}, **spec}}


def test_policy_types_default_and_isolate_as_the_api_server_sets_them():
    # policyTypes unset: Ingress always, Egress only when the policy has egress rules; an empty egress list adds none.
    assert parse_policy(policy({"egress": []})["spec"] and policy({"egress": []})).egress is None
    assert parse_policy(policy({"egress": [{}]})).egress == (parse_policy(policy({"egress": [{}]})).egress[0],)
    assert parse_policy(policy({})).ingress == ()
    assert parse_policy(policy({}, namespace="shop")).namespace == "shop"
    # protocol: "If not specified, this field defaults to TCP"; JSON null leaves it unspecified.
    unset = parse_policy(policy({"ingress": [{"ports": [{"port": 80, "protocol": None}, {"port": 53}]}]}))
    assert resolve_ports(unset.ingress[0].ports, ()).describe() == ["TCP/53", "TCP/80"]
    with pytest.raises(ValueError):  # only Ingress and Egress are policy types
        parse_policy(policy({"policyTypes": ["Both"]}))


@pytest.mark.parametrize("peer_or_port, valid", [
    ({"from": [{"ipBlock": {"cidr": "10.0.0.0/24", "except": ["10.0.0.0/24"]}}]}, False),  # except strictly inside
    ({"from": [{"ipBlock": {"cidr": "10.0.0.0/24", "except": ["10.0.0.0/25"]}}]}, True),
    ({"ports": [{"port": 0}]}, False),  # ports are 1-65535
    ({"ports": [{"port": 65535}]}, True),
    ({"ports": [{"port": 80, "endPort": 80}]}, True),  # endPort equal to or greater than port
    ({"ports": [{"port": 80, "endPort": 79}]}, False),
    ({"ports": [{"port": "http", "endPort": 90}]}, False),  # endPort needs a numeric port
    ({"ports": [{"port": 80, "protocol": ""}]}, False),  # an empty protocol is set, and not TCP, UDP or SCTP
])
def test_peers_and_ports_are_validated_as_the_api_server_does(peer_or_port, valid):
    manifest = policy({"ingress": [peer_or_port]})
    if valid:
        parse_policy(manifest)
    else:
        with pytest.raises(ValueError):
            parse_policy(manifest)


@pytest.mark.parametrize("selector, labels, matches", [
    ({"matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["db"]}]}, {}, True),  # absent key: NotIn
    ({"matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["db"]}]}, {"tier": "db"}, False),
    ({"matchExpressions": [{"key": "tier", "operator": "NotIn", "values": []}]}, {}, SelectorError),  # needs values
    ({"matchExpressions": [{"key": "tier", "operator": "In", "values": []}]}, {}, SelectorError),
])
def test_label_selectors_follow_the_api_reference(selector, labels, matches):
    # https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/label-selector/
    if matches is SelectorError:
        with pytest.raises(SelectorError):
            Selector.parse(selector)
    else:
        assert Selector.parse(selector).matches(labels) is matches


def test_port_sets_are_inclusive_ranges_up_to_65535():
    from aksnet.config.workloads import PortRange
    assert resolve_ports((PortRange("TCP", 8000, 8080),), ()).describe() == ["TCP/8000-8080"]
    assert resolve_ports((PortRange("TCP", 65535),), ()).describe() == ["TCP/65535"]
    assert resolve_ports((PortRange("UDP"),), ()).describe() == ["UDP/all"]
    assert PortSet.of([("TCP", 1, 10), ("TCP", 11, 20)]).describe() == ["TCP/1-20"]
    assert PortSet.of([("TCP", 80, 80)]).intersect(PortSet.of([("TCP", 80, 90)])).describe() == ["TCP/80"]


def workload(kind: str, name: str, labels: dict[str, str], ports: list[dict[str, Any]] | None = None,
             namespace: str = "a") -> dict[str, Any]:
    template = {"metadata": {"labels": labels}, "spec": {"containers": [{"name": "c", "ports": ports or []}]}}
    spec = {"jobTemplate": {"spec": {"template": template}}} if kind == "CronJob" else {"template": template}
    return {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": name, "namespace": namespace}, "spec": spec}


def test_a_cluster_is_read_from_every_pod_template_kind():
    # https://kubernetes.io/docs/concepts/workloads/controllers/: each kind's pods come from its template; a
    # container port's protocol defaults to TCP; kubernetes.io/metadata.name is the namespace's own name.
    objects = [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "a", "labels": {
            "kubernetes.io/metadata.name": "other", "team": "a"}}},
        workload("CronJob", "nightly", {"app": "nightly"}),
        workload("ReplicationController", "legacy", {"app": "legacy"}, [{"name": "http", "containerPort": 8080},
                                                                        {"containerPort": 9090},
                                                                        {"name": "m", "containerPort": 9100,
                                                                         "protocol": None}]),
        {**policy({}, namespace="a"), "apiVersion": "extensions/v1beta1"},
    ]
    cluster, errors = cluster_from_objects(objects)
    pods = {p.name: p for p in cluster.pods}
    assert pods["nightly"].labels == {"app": "nightly"}
    assert pods["legacy"].ports == (("http", 8080, "TCP"), ("m", 9100, "TCP"))
    assert cluster.namespaces["a"]["kubernetes.io/metadata.name"] == "a"
    assert len(errors) == 1 and "networking.k8s.io/v1" in errors[0]


def test_networkpolicy_peers_ports_and_ip_blocks_admit_what_the_reference_says():
    web_port = [{"name": "http", "containerPort": 8080}]
    objects = [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "a", "labels": {"team": "a"}}},
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "b", "labels": {"team": "b"}}},
        {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web", "namespace": "a", "labels": {"app": "web"}},
         "spec": {"containers": [{"name": "c", "ports": web_port}]}},
        workload("Deployment", "client", {"app": "client"}),
        workload("Deployment", "client", {"app": "client"}, namespace="b"),
        {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "cache", "namespace": "b", "labels": {"app": "c"}},
         "status": {"podIP": "10.0.0.5"}},
        workload("Deployment", "probe", {"app": "probe"}),
        workload("Deployment", "twin1", {"app": "twin"}),
        workload("Deployment", "twin2", {"app": "twin"}),
        # A podSelector alone: pods of the policy's namespace; a namespaceSelector alone: every pod of those.
        policy({"podSelector": {"matchLabels": {"app": "web"}}, "ingress": [
            {"from": [{"podSelector": {"matchLabels": {"app": "client"}}}], "ports": [{"port": "http"}]},
            {"from": [{"namespaceSelector": {"matchLabels": {"team": "b"}}}], "ports": [{"port": 9090}]}]},
               namespace="a"),
        # An ipBlock admits addresses in cidr but not in except; endPort makes an inclusive range.
        policy({"podSelector": {"matchLabels": {"app": "probe"}}, "policyTypes": ["Egress"], "egress": [
            {"to": [{"ipBlock": {"cidr": "10.0.0.0/24", "except": ["10.0.0.128/25"]}}],
             "ports": [{"port": 443, "endPort": 444}]}]}, namespace="a"),
    ]
    cluster, errors = cluster_from_objects(objects)
    assert errors == []
    reach = evaluate(cluster)
    assert reach.allowed_between("a/client", "a/web").describe() == ["TCP/8080"]  # the named port, resolved
    assert reach.allowed_between("b/client", "a/web").describe() == ["TCP/9090"]
    assert reach.allowed_between("b/cache", "a/web").describe() == ["TCP/9090"]
    assert reach.allowed_between("a/twin1", "a/web").describe() == []  # team a is not team b; not a client
    assert reach.allowed_between("a/probe", "10.0.0.0/25").describe() == ["TCP/443-444"]
    assert reach.allowed_between("a/probe", "10.0.0.128/25").describe() == []
    assert reach.allowed_between("a/probe", "b/cache").describe() == ["TCP/443-444"]  # its IP is in the block
    assert reach.allowed_between("a/probe", "b/client").describe() == []
    externals = {i for i, g in enumerate(reach.groups) if g.external is not None}
    assert not any(s in externals and d in externals for s, d in reach.allowed)  # outside to outside: not ours
    pairs = {(s, d) for s, d, _ in reach.pairs()}
    assert ("a/twin1", "a/twin2") in pairs and ("a/twin1", "a/twin1") not in pairs
