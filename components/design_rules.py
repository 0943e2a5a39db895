"""Combinations of choices that AKS, Azure networking or a sound design refuse.

Pure functions over `StackConfig`; each problem names the key to change. Sources:
- Plugins, modes, dataplanes and policy engines:
  https://learn.microsoft.com/azure/aks/azure-cni-overlay,
  https://learn.microsoft.com/azure/aks/azure-cni-powered-by-cilium,
  https://learn.microsoft.com/azure/aks/use-network-policies (Azure NPM needs Azure CNI).
- Max pods 10 to 250 for every plugin, and system pools with room for 30 pods:
  https://learn.microsoft.com/azure/aks/concepts-network-ip-address-planning
- userDefinedRouting needs a 0.0.0.0/0 route to a virtual appliance:
  https://learn.microsoft.com/azure/aks/egress-outboundtype
- Private clusters, private DNS zones, authorized ranges:
  https://learn.microsoft.com/azure/aks/private-clusters, https://learn.microsoft.com/azure/aks/api-server-authorized-ip-ranges
- Disabling local accounts needs Entra ID: https://learn.microsoft.com/azure/aks/manage-local-accounts-managed-azure-ad
- AGIC supports only v2 gateways; no 0.0.0.0/0 appliance route on a v2 gateway subnet:
  https://learn.microsoft.com/azure/application-gateway/configuration-infrastructure
- AGIC with CNI Overlay: supported since 2025 outside Azure Government:
  https://learn.microsoft.com/azure/application-gateway/ingress-controller-overview#container-networking-and-agic
- Asymmetric routing of public load balancers behind a firewall:
  https://learn.microsoft.com/azure/aks/limit-egress-traffic
"""

from __future__ import annotations

from typing import Iterator

from components.config import NS, StackConfig
from components.problems import Problem

MAX_PODS_RANGE = (10, 250)
SYSTEM_POOL_MIN_PODS = 30


def _p(path: str, message: str) -> Problem:
    return Problem(f"{NS}:{path}", message)


def check(spec: StackConfig) -> list[Problem]:
    return [*_network_profile(spec), *_node_pools(spec), *_api_server(spec), *_identity(spec),
            *_egress(spec), *_ingress(spec), *_services(spec)]


def _network_profile(spec: StackConfig) -> Iterator[Problem]:
    c = spec.cluster
    subnets = spec.network.spoke.subnets
    if c.network_plugin_mode == "overlay" and c.network_plugin != "azure":
        yield _p("cluster.networkPluginMode", f"overlay needs networkPlugin azure, not {c.network_plugin}")
    if c.network_plugin == "kubenet" and c.network_policy == "azure":
        yield _p("cluster.networkPolicy", "azure (Azure NPM) does not run on kubenet; use calico, or "
                 "networkPlugin azure")
    if c.network_plugin == "none":
        if c.network_policy != "none":
            yield _p("cluster.networkPolicy", f"{c.network_policy} cannot be installed with networkPlugin "
                     "none (bring your own CNI); set none and install policy with your CNI")
        if c.network_dataplane != "azure":
            yield _p("cluster.networkDataplane", "cilium needs networkPlugin azure, not none")
    if c.network_policy == "cilium" and c.network_dataplane != "cilium":
        yield _p("cluster.networkPolicy", "cilium needs networkDataplane cilium")
    if c.network_dataplane == "cilium":
        if c.network_plugin != "azure":
            yield _p("cluster.networkDataplane", f"cilium needs networkPlugin azure, not {c.network_plugin}")
        elif c.network_plugin_mode != "overlay" and "pods" not in subnets:
            yield _p("cluster.networkDataplane", "cilium needs networkPluginMode overlay or a pods subnet "
                     "(network.spoke.subnets.pods) for dynamic pod IPs")
        if c.network_policy in ("azure", "calico"):
            yield _p("cluster.networkPolicy", f"{c.network_policy} cannot run beside the cilium dataplane, "
                     "which enforces policies itself; use cilium")
        elif c.network_policy == "none":
            yield _p("cluster.networkPolicy", "none does not hold with the cilium dataplane, which always "
                     "enforces NetworkPolicies; set cilium")
    if "pods" in subnets and (c.network_plugin != "azure" or c.network_plugin_mode == "overlay"):
        yield _p("network.spoke.subnets.pods", "a pod subnet is only used by Azure CNI without Overlay "
                 "(dynamic pod IPs); remove it, or use networkPlugin azure without networkPluginMode")
    if c.pod_cidr is not None and not c.uses_pod_cidr:
        yield _p("cluster.podCidr", "flat Azure CNI gives pods VNet addresses and takes no pod CIDR; "
                 "remove podCidr, or set networkPluginMode overlay")
    if c.service_mesh == "istio" and c.network_plugin == "none":
        yield _p("cluster.serviceMesh", "the Istio add-on needs an AKS-managed network plugin")


def _node_pools(spec: StackConfig) -> Iterator[Problem]:
    c = spec.cluster
    low, high = MAX_PODS_RANGE
    if c.node_pools and not any(p.mode == "System" for p in c.node_pools):
        yield _p("cluster.nodePools", "has no pool with mode System; AKS needs at least one for "
                 "its own components")
    for index, pool in enumerate(c.node_pools):
        path = f"cluster.nodePools[{index}]"
        if not low <= pool.max_pods <= high:
            yield _p(f"{path}.maxPods", f"is {pool.max_pods}; AKS allows {low} to {high} pods per node "
                     f"with networkPlugin {c.network_plugin}")
        elif pool.mode == "System":
            fewest = pool.count if pool.count is not None else max(pool.min_count or 1, 1)
            if pool.max_pods * fewest < SYSTEM_POOL_MIN_PODS:
                yield _p(f"{path}.maxPods", f"is {pool.max_pods} on {fewest} node(s); a System pool needs "
                         f"room for {SYSTEM_POOL_MIN_PODS} pods: raise maxPods or the node count")


def _api_server(spec: StackConfig) -> Iterator[Problem]:
    c = spec.cluster
    if c.private and c.authorized_ip_ranges:
        yield _p("cluster.authorizedIpRanges", "apply only to a public API server; remove them or set "
                 "private false")
    if not c.private and c.private_dns_zone == "hub":
        yield _p("cluster.privateDnsZone", "hub is for a private API server; set private true or remove it")
    if c.private and c.private_dns_zone == "hub" and spec.network.hub is None:
        yield _p("cluster.privateDnsZone", "hub needs a hub VNet (network.hub) to hold the zone; "
                 "use system, or declare the hub")
    has_subnet = "apiserver" in spec.network.spoke.subnets
    if c.api_server_vnet_integration and not has_subnet:
        yield _p("cluster.apiServerVnetIntegration", "needs an apiserver subnet "
                 "(network.spoke.subnets.apiserver, /28 or larger)")
    if has_subnet and not c.api_server_vnet_integration:
        yield _p("network.spoke.subnets.apiserver", "is declared but cluster.apiServerVnetIntegration is "
                 "false; enable it or remove the subnet")


def _identity(spec: StackConfig) -> Iterator[Problem]:
    c = spec.cluster
    if not c.local_accounts and c.entra_id is None:
        yield _p("cluster.localAccounts", "false (local accounts disabled) needs Entra ID; enable "
                 "cluster.entraId or set localAccounts true")


def _egress(spec: StackConfig) -> Iterator[Problem]:
    c = spec.cluster
    fw = spec.egress.firewall
    fw_subnet = spec.network.subnet("AzureFirewallSubnet")
    if c.outbound_type == "userDefinedRouting" and fw is None and c.egress_next_hop_ip is None:
        yield _p("cluster.outboundType", "userDefinedRouting needs a default route to a virtual appliance: "
                 "declare egress.firewall, or give cluster.egressNextHopIp")
    if c.egress_next_hop_ip is not None and (fw is not None or c.outbound_type != "userDefinedRouting"):
        why = "egress.firewall already is the next hop" if fw is not None else \
            f"outboundType is {c.outbound_type}, which routes nothing to it"
        yield _p("cluster.egressNextHopIp", f"is set but {why}; remove it")
    if fw is not None and c.outbound_type != "userDefinedRouting":
        yield _p("egress.firewall", f"is declared but cluster.outboundType is {c.outbound_type}, so no "
                 "traffic leaves through it; set outboundType userDefinedRouting or remove the firewall")
    if fw is not None and fw_subnet is None:
        where = "network.hub.subnets" if spec.network.hub is not None else "network.spoke.subnets"
        yield _p("egress.firewall", f"needs a subnet named exactly AzureFirewallSubnet in {where} (/26 or larger)")
    if fw is not None and fw.sku == "Basic" and spec.network.subnet("AzureFirewallManagementSubnet") is None:
        yield _p("egress.firewall.sku", "Basic needs an AzureFirewallManagementSubnet (/26) beside "
                 "AzureFirewallSubnet")
    if fw is not None and fw.sku == "Basic":
        if fw.threat_intel_mode == "Deny":
            yield _p("egress.firewall.threatIntelMode", "Deny is not available on the Basic SKU; use Alert, "
                     "or sku Standard")
        if fw.dns_proxy:
            yield _p("egress.firewall.dnsProxy", "the Basic SKU has no DNS proxy; set false, or sku Standard")
    if fw is not None and not fw.dns_proxy:
        for index, rule in enumerate(fw.network_rules):
            if rule.destination_fqdns:
                yield _p(f"egress.firewall.networkRules[{index}].destinationFqdns", "FQDNs in network rules "
                         "need the firewall's DNS proxy; set egress.firewall.dnsProxy true")
    if spec.network.bastion and spec.network.subnet("AzureBastionSubnet") is None:
        where = "network.hub.subnets" if spec.network.hub is not None else "network.spoke.subnets"
        yield _p("network.bastion", f"needs a subnet named exactly AzureBastionSubnet in {where} (/26 or "
                 "larger); add it, or set network.bastion false")
    if c.outbound_type == "userAssignedNATGateway" and c.outbound_ip_count > 16:
        yield _p("cluster.outboundIpCount", f"is {c.outbound_ip_count}; a NAT gateway takes at most 16 public IPs")
    if c.outbound_type == "managedNATGateway" and c.outbound_ip_count > 16:
        yield _p("cluster.outboundIpCount", f"is {c.outbound_ip_count}; a managed NAT gateway takes at most 16")


def _ingress(spec: StackConfig) -> Iterator[Problem]:
    ingress = spec.ingress
    c = spec.cluster
    appgw = ingress.app_gateway
    # The parser fills a block's defaults only for the chosen controller, so a block present
    # under another controller was written by the user and would be ignored.
    if ingress.controller != "appgw" and appgw is not None:
        yield _p("ingress.appGateway", f"is declared but ingress.controller is {ingress.controller}; "
                 "set controller appgw or remove appGateway")
    if ingress.controller == "appgw" and appgw is not None:
        if appgw.sku not in ("Standard_v2", "WAF_v2"):
            yield _p("ingress.appGateway.sku", f"{appgw.sku} is a v1 SKU; AGIC supports only Standard_v2 "
                     "and WAF_v2")
        if "appgw" not in spec.network.spoke.subnets:
            yield _p("ingress.controller", "appgw needs a dedicated gateway subnet "
                     "(network.spoke.subnets.appgw, /24 recommended)")
        if spec.environment.production and appgw.sku == "WAF_v2" and appgw.waf_mode == "Detection":
            yield _p("ingress.appGateway.wafMode", "Detection only logs attacks; a production stack "
                     "needs Prevention")
        if spec.environment.production and appgw.sku != "WAF_v2":
            yield _p("ingress.appGateway.sku", f"{appgw.sku} has no web application firewall; a "
                     "production stack needs WAF_v2")
        if not appgw.public_frontend and appgw.private_ip is None:
            yield _p("ingress.appGateway", "has neither a public frontend nor a privateIp; give it one")
        # AGIC reaches Overlay pods through an OverlayExtensionConfig for the gateway subnet,
        # everywhere but Azure Government: https://aka.ms/agic/overlay
        if c.network_plugin_mode == "overlay" and spec.environment.location.startswith(("usgov", "usdod")):
            yield _p("ingress.controller", f"appgw (AGIC) does not support Azure CNI Overlay in Azure "
                     f"Government ({spec.environment.location}); use nginx, or Azure CNI without Overlay")
        if c.network_plugin == "kubenet" and c.outbound_type == "userDefinedRouting":
            yield _p("ingress.controller", "appgw with kubenet puts the cluster's route table on the "
                     "gateway subnet, and with userDefinedRouting that table sends 0.0.0.0/0 to an "
                     "appliance, which a v2 gateway does not support; use Azure CNI or nginx")
    nginx = ingress.nginx
    if ingress.controller == "nginx" and nginx is not None:
        if nginx.visibility == "internal" and "ilb" not in spec.network.spoke.subnets:
            yield _p("ingress.nginx.visibility", "internal needs an internal load balancer subnet "
                     "(network.spoke.subnets.ilb)")
        if nginx.visibility == "public" and nginx.static_ip is not None:
            yield _p("ingress.nginx.staticIp", "is for an internal load balancer; a public one takes its "
                     "address from Azure")
        if nginx.visibility == "public" and c.outbound_type == "userDefinedRouting" and not _has_dnat(spec):
            yield _p("ingress.nginx.visibility", "public behind userDefinedRouting answers through the "
                     "firewall and breaks (asymmetric routing); use internal and publish it with a "
                     "firewall DNAT rule (egress.firewall.dnatRules) or an application gateway")
    elif nginx is not None:
        yield _p("ingress.nginx", f"is declared but ingress.controller is {ingress.controller}; "
                 "set controller nginx or remove nginx")


def _has_dnat(spec: StackConfig) -> bool:
    return spec.egress.firewall is not None and bool(spec.egress.firewall.dnat_rules)



def _services(spec: StackConfig) -> Iterator[Problem]:
    """Services and Ingresses of the Kubernetes layer against the network under them."""
    workloads = spec.kubernetes.workloads
    for index, app in enumerate(workloads.apps):
        path = f"kubernetes.apps[{index}].serviceType"
        if app.service_type == "InternalLoadBalancer" and "ilb" not in spec.network.spoke.subnets:
            yield _p(path, "InternalLoadBalancer needs an internal load balancer subnet (network.spoke.subnets.ilb)")
        if app.service_type == "LoadBalancer" and spec.cluster.outbound_type == "userDefinedRouting" \
                and not _has_dnat(spec):
            yield _p(path, "LoadBalancer (public) behind userDefinedRouting answers through the firewall and "
                     "breaks (asymmetric routing); use InternalLoadBalancer and publish it with a firewall DNAT "
                     "rule (egress.firewall.dnatRules), or route it through the ingress controller")
    if workloads.ingresses and spec.ingress.controller == "none":
        yield _p("kubernetes.ingresses", "need an ingress controller; set ingress.controller to appgw or nginx")
