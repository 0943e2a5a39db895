"""aks-networking: wiring only. Load the checked plan, build one component per concern, export.

Order matters only where Azure needs it: resource groups first; the route table before the
subnets that use it; the firewall before the default route through it; the route, the DNS
zone's links and the role assignments before the cluster; AGIC's permissions after it.
"""

import pulumi

from aksnet.config.ingress_controllers import AGC_ID_VARIABLE, ALB_CLIENT_ID_VARIABLE
from aksnet.plan.gateway_api import agc_frontend_name, chart_release
from aksnet.vocabulary import KEY_VAULT_PRIVATE_ZONE, REGISTRY_PRIVATE_ZONE
from components.appgateway import AgicPermissions, AgicPermissionsArgs, AppGateway, AppGatewayArgs
from components.bastion import Bastion, BastionArgs
from components.cluster import Cluster, ClusterArgs
from components.diagnostics import Diagnostics, DiagnosticsArgs
from components.dns import DnsResolver, DnsResolverArgs, PrivateApiDns, PrivateApiDnsArgs, PrivateZone, PrivateZoneArgs
from components.egress import NatGatewayEgress, NatGatewayEgressArgs
from components.firewall import EgressFirewall, EgressFirewallArgs
from components.gitops import GitOpsDelivery, GitOpsDeliveryArgs
from components.ingress_agc import AppGatewayForContainers, AppGatewayForContainersArgs
from components.keyvault import KeyVault, KeyVaultArgs
from components.kubernetes_layer import KubernetesLayer, KubernetesLayerArgs
from components.landing_zone import SpokeAttachment, SpokeAttachmentArgs
from components.network import (
    HubSpokePeering,
    HubSpokePeeringArgs,
    ResourceGroups,
    ResourceGroupsArgs,
    RouteTable,
    RouteTableArgs,
    VirtualNetwork,
    VirtualNetworkArgs,
)
from components.registry import PrivateRegistry, PrivateRegistryArgs
from program.landing_zone import HubZone, hub_of_spoke
from program.stack_config import load_running_stack

stack = load_running_stack()
spec, plan = stack.spec, stack.plan
env, net, cluster_spec, ingress = spec.environment, spec.network, spec.cluster, spec.ingress
hub_link = hub_of_spoke(stack)  # a spoke of a landing zone: its hub is another stack's


def egress_firewall(edge: VirtualNetwork, edge_group: pulumi.Input[str]) -> EgressFirewall | None:
    """The firewall in the VNet that holds its subnet (the hub, or the single VNet)."""
    if spec.egress.firewall is None or plan.firewall is None:
        return None
    return EgressFirewall("firewall", EgressFirewallArgs(
        env, spec.egress.firewall, edge_group, edge.subnet_ids["AzureFirewallSubnet"],
        edge.subnet_ids.get("AzureFirewallManagementSubnet"), plan.firewall))


groups = ResourceGroups("groups", ResourceGroupsArgs(env, list(plan.resource_groups), lock_hub=env.lock_hub))
spoke_group = groups.names["spoke"]
hub_group = groups.names.get("hub", spoke_group)
hub = VirtualNetwork("hub", VirtualNetworkArgs(env, net.hub, hub_group, security_rules=plan.nsg_rules)) \
    if net.hub else None
# With a hub, the firewall comes first: the spoke may resolve names through its DNS proxy.
firewall = egress_firewall(hub, hub_group) if hub is not None else None

routes = RouteTable("routes", RouteTableArgs(env, "aks", spoke_group)) if plan.route_table else None
nat = NatGatewayEgress("nat", NatGatewayEgressArgs(env, spoke_group, cluster_spec.outbound_ip_count)) \
    if plan.nat_gateway_subnets else None
spoke = VirtualNetwork("spoke", VirtualNetworkArgs(
    env, net.spoke, spoke_group,
    route_tables=dict.fromkeys(plan.route_table_subnets, routes.route_table_id) if routes else {},
    nat_gateways=dict.fromkeys(plan.nat_gateway_subnets, nat.nat_gateway_id) if nat else {},
    security_rules=plan.nsg_rules,
    dns_servers=[firewall.private_ip] if plan.dns_through_firewall and firewall is not None else ()))
vnets = {"hub": hub, "spoke": spoke} if hub else {"spoke": spoke}
vnet_ids = {role: vnet.vnet_id for role, vnet in vnets.items()}
edge = vnets[plan.edge]  # the VNet holding the firewall and Bastion subnets
edge_group = groups.names[plan.edge]
if hub is None and hub_link is None:
    firewall = egress_firewall(spoke, spoke_group)
# Writes to a VNet go one at a time: its subnets in a chain, then the peerings, then the zone links.
vnet_writes: list[pulumi.Resource] = [vnet.last_write for vnet in vnets.values()]
cluster_depends_on: list[pulumi.Resource] = []
if hub is not None:
    peering = HubSpokePeering("peering", HubSpokePeeringArgs(hub, spoke, after=vnet_writes))
    vnet_writes = list(peering.peerings)
    cluster_depends_on += peering.peerings  # nodes reach the internet only through the hub's firewall
attachment = None
if hub_link is not None:
    attachment = SpokeAttachment("hub-attachment", SpokeAttachmentArgs(
        env, spoke, hub_link.contract, hub_link.attachment, after=vnet_writes))
    vnet_writes = [*attachment.peerings, *attachment.links]
    cluster_depends_on += vnet_writes

next_hop = plan.default_route_next_hop
if routes is not None and next_hop is not None:
    address = firewall.private_ip if firewall is not None and next_hop == "firewall" else next_hop
    if hub_link is not None and next_hop == "firewall":
        address = hub_link.firewall_private_ip
        for route_name, prefix in hub_link.attachment.routes:  # the other spokes, through the hub firewall
            cluster_depends_on.append(routes.add_route(route_name, prefix, "VirtualAppliance", address))
    cluster_depends_on.append(routes.add_route("default", "0.0.0.0/0", "VirtualAppliance", address))

dns = None
if plan.api_server_zone is not None:
    dns = PrivateApiDns("api-dns", PrivateApiDnsArgs(
        env, hub_group, plan.api_server_zone, vnet_ids, after=vnet_writes))
    cluster_depends_on += dns.links

if hub is not None and plan.dns_resolver_address is not None:
    DnsResolver("dns-resolver", DnsResolverArgs(env, hub_group, hub.vnet_id, hub.subnet_ids["dns"],
                                                plan.dns_resolver_address))
    pulumi.export("dnsResolverAddress", plan.dns_resolver_address)

bastion = Bastion("bastion", BastionArgs(env, edge_group, edge.subnet_ids["AzureBastionSubnet"],
                                         spec.egress.firewall.zones if spec.egress.firewall else ())) \
    if net.bastion else None

zone_links: list[pulumi.Resource] = list(dns.links) if dns is not None else []


def private_endpoint_zone(name: str, zone: str) -> PrivateZone | HubZone:
    """A private endpoints' zone in the hub, linked to every VNet. Its links wait for the zones'
    before it (links of two zones to one VNet at once can conflict), and the cluster for them all."""
    if hub_link is not None:  # a spoke's: the hub's zone, which the attachment linked
        return hub_link.zone(zone)
    created = PrivateZone(name, PrivateZoneArgs(env, hub_group, zone, vnet_ids, after=[*vnet_writes, *zone_links]))
    zone_links.extend(created.links)
    cluster_depends_on.extend(created.links)  # the first pulls resolve the registry privately
    return created


registry = None
if spec.registry is not None:
    registry = PrivateRegistry("registry", PrivateRegistryArgs(
        env, spec.registry, spoke_group, spoke.subnet_ids["endpoints"],
        private_endpoint_zone("registry-dns", REGISTRY_PRIVATE_ZONE).zone_id, plan.registry_zone_redundant))

key_vault = None
if spec.tls is not None:
    key_vault = KeyVault("keyvault", KeyVaultArgs(
        env, spec.tls, spoke_group, spoke.subnet_ids["endpoints"],
        private_endpoint_zone("keyvault-dns", KEY_VAULT_PRIVATE_ZONE).zone_id))

gateway = None
if ingress.controller == "appgw" and ingress.app_gateway is not None:
    gateway = AppGateway("appgw", AppGatewayArgs(
        env, ingress.app_gateway, spoke_group, spoke.subnet_ids["appgw"], plan.gateway_certificates,
        key_vault.vault_id if key_vault is not None else None))

cluster = Cluster("cluster", ClusterArgs(
    environment=env, spec=cluster_spec, kubernetes=spec.kubernetes, resource_group_name=spoke_group,
    node_subnet_id=spoke.subnet_ids["nodes"], pod_subnet_id=spoke.subnet_ids.get("pods"),
    api_server_subnet_id=spoke.subnet_ids.get("apiserver"), ilb_subnet_id=spoke.subnet_ids.get("ilb"),
    vnet_id=spoke.vnet_id, route_table_id=routes.route_table_id if routes else None,
    private_dns_zone_id=dns.zone_id if dns else None, ingress=ingress, network_profile=plan.network_profile,
    app_gateway_id=gateway.gateway_id if gateway else None, depends_on=cluster_depends_on,
    egress_public_ips=firewall.public_ips if firewall else nat.public_ips if nat else ()))

if gateway is not None:
    AgicPermissions("agic", AgicPermissionsArgs(
        agic_principal_id=cluster.addon_identities.apply(lambda ids: ids["ingressApplicationGateway"]),
        gateway_id=gateway.gateway_id, resource_group_name=spoke_group, subnet_id=spoke.subnet_ids["appgw"],
        gateway_identity_id=gateway.identity_id))

if registry is not None:
    registry.grant_pull(cluster.kubelet_object_id)
    pulumi.export("registryLoginServer", registry.login_server)

# What the Kubernetes layer needs from Azure once it exists (`${NAME}` in the plan's manifests).
substitutions: dict[str, pulumi.Input[str]] = {}
agc = None
if ingress.controller == "agc":
    agc = AppGatewayForContainers("agc", AppGatewayForContainersArgs(
        env, spoke_group, spoke.subnet_ids["agc"], [agc_frontend_name(r) for r in spec.kubernetes.workloads.ingresses],
        cluster.node_resource_group, cluster.oidc_issuer_url, ingress.agc.waf_policy_id if ingress.agc else None))
    substitutions = {AGC_ID_VARIABLE: agc.traffic_controller_id, ALB_CLIENT_ID_VARIABLE: agc.controller_client_id}
    pulumi.export("ingressFrontendFqdns", agc.frontend_fqdns)

if cluster.kubernetes_provider is not None:
    KubernetesLayer("k8s", KubernetesLayerArgs(plan.manifests, cluster.kubernetes_provider,
                                               chart_release(spec), substitutions))
if spec.kubernetes.gitops is not None:
    GitOpsDelivery("gitops", GitOpsDeliveryArgs(spec.kubernetes.gitops, cluster.cluster_name, spoke_group,
                                                substitutions))
if spec.diagnostics.enabled:
    # The workspace and the flow logs' account live with the shared network (the hub, when there is one).
    diagnostics = Diagnostics("diagnostics", DiagnosticsArgs(
        env, spec.diagnostics, edge_group, vnet_ids))
    watched = {"firewall": firewall.firewall_id if firewall else None,
               "appGateway": gateway.gateway_id if gateway else None,
               "bastion": bastion.bastion_id if bastion else None, "cluster": cluster.cluster_id,
               "registry": registry.registry_id if registry else None,
               "keyVault": key_vault.vault_id if key_vault else None}
    for key, resource_id in watched.items():
        if resource_id is not None:
            diagnostics.watch(key, resource_id)
    pulumi.export("workspaceId", diagnostics.workspace_id)
pulumi.export("kubernetesLayer", spec.kubernetes.describe())
pulumi.export("addressPlan", [row.as_dict() for row in plan.address_plan])
pulumi.export("vnetIds", vnet_ids)
pulumi.export("subnetIds", spoke.subnet_ids)
pulumi.export("clusterName", cluster.cluster_name)
pulumi.export("clusterId", cluster.cluster_id)
pulumi.export("apiServerFqdn", cluster.api_server_fqdn)
pulumi.export("nodeResourceGroup", cluster.node_resource_group)
pulumi.export("controlPlanePrincipalId", cluster.control_plane_principal_id)
pulumi.export("kubeletObjectId", cluster.kubelet_object_id)
pulumi.export("kubeconfig", cluster.kubeconfig)
if firewall is not None:
    pulumi.export("firewallPrivateIp", firewall.private_ip)
    pulumi.export("egressPublicIps", firewall.public_ips)
if gateway is not None and gateway.public_ip is not None:
    pulumi.export("ingressPublicIp", gateway.public_ip)
