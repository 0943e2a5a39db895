"""The AKS cluster: identity, role assignments, node pools, network and API server profiles.

Node pools: the first System pool is declared inline on the cluster, because AKS cannot
create a cluster without one; every other pool is a standalone `AgentPool`. Each pool has
exactly one declaration. Inline pools are updated through the cluster, whose API does not
remove or replace pools cleanly; standalone pools are added, changed and deleted on their own,
so the pools that come and go are the standalone ones. The autoscaler owns `count` of an
autoscaled pool: Pulumi sets it at creation and ignores it afterwards.
https://learn.microsoft.com/azure/aks/manage-node-pools
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
from pulumi_azure_native import authorization, containerservice, managedidentity

from aksnet.config.stack import POD_SECURITY_INITIATIVES, ClusterSpec, Environment, IngressSpec, KubernetesSpec
from aksnet.plan.cluster_profile import (
    addon_profiles,
    api_server_profile,
    authorized_ranges_with,
    ingress_profile,
    nodes_reach_api_through_egress,
    pool_settings,
)
from aksnet.plan.naming import azure_name, tags
from components.roles import assign_role


@dataclass(frozen=True)
class ClusterArgs:
    environment: Environment
    spec: ClusterSpec
    kubernetes: KubernetesSpec
    resource_group_name: pulumi.Input[str]
    node_subnet_id: pulumi.Input[str]
    pod_subnet_id: pulumi.Input[str] | None = None
    api_server_subnet_id: pulumi.Input[str] | None = None
    ilb_subnet_id: pulumi.Input[str] | None = None
    vnet_id: pulumi.Input[str] | None = None
    """The cluster's VNet: with a private DNS zone of ours, AKS links the zone to it, so it needs
    Network Contributor there (aks-baseline and AKS-Construction grant at VNet scope)."""
    route_table_id: pulumi.Input[str] | None = None
    """The cluster's route table (kubenet writes pod routes into it; UDR holds the default route)."""
    private_dns_zone_id: pulumi.Input[str] | None = None
    """The hub's private DNS zone for the API server, when `privateDnsZone` is `hub`."""
    ingress: IngressSpec = field(default_factory=IngressSpec)
    network_profile: Mapping[str, Any] = field(default_factory=dict)
    """The plan's `networkProfile` (engine camelCase), sent as it is."""
    app_gateway_id: pulumi.Input[str] | None = None
    """The gateway the AGIC add-on runs, when the ingress controller is appgw."""
    depends_on: Sequence[pulumi.Resource] = ()
    """What must exist before the cluster: the default route, the DNS zone's links."""
    egress_public_ips: Sequence[pulumi.Input[str | None]] = ()
    """The firewall's or the NAT gateway's public addresses, which the nodes leave from: with a public
    API server limited to authorized ranges, they join the ranges, or the nodes could not reach it."""


class Cluster(pulumi.ComponentResource):
    """An AKS cluster with a user-assigned control-plane identity and its network permissions."""

    cluster_name: pulumi.Output[str]
    """The cluster's Azure name."""
    cluster_id: pulumi.Output[str]
    """The cluster's resource id."""
    api_server_fqdn: pulumi.Output[str]
    """The API server's FQDN: the private one for a private cluster."""
    node_resource_group: pulumi.Output[str]
    """The resource group AKS manages for the nodes."""
    control_plane_principal_id: pulumi.Output[str]
    """The control-plane identity's principal id."""
    kubelet_object_id: pulumi.Output[str]
    """The kubelet identity's object id (pulls images, reads Key Vault)."""
    addon_identities: pulumi.Output[dict]
    """Add-on name to the object id of the identity AKS created for it."""
    kubeconfig: pulumi.Output[str]
    """The user kubeconfig (Entra ID, kubelogin exec format), secret."""
    oidc_issuer_url: pulumi.Output[str]
    """The OIDC issuer workload identities federate with (empty when workload identity is off)."""
    kubernetes_provider: pulumi.ProviderResource | None
    """The provider for the Kubernetes layer, or None when the stack skips that layer."""

    def __init__(self, name: str, args: ClusterArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("aks-networking:cluster:Cluster", name, None, opts)
        env, spec = args.environment, args.spec
        child = pulumi.ResourceOptions(parent=self)

        identity = managedidentity.UserAssignedIdentity(
            f"{name}-identity", resource_name_=azure_name(env, "id", "aks-control-plane"),
            resource_group_name=args.resource_group_name, location=env.location, tags=tags(env), opts=child)

        # The control plane joins subnets (nodes, pods, internal load balancers, API server),
        # writes kubenet routes, and writes the API server's record in a zone of ours.
        # https://learn.microsoft.com/azure/aks/use-managed-identity#add-a-role-assignment
        grants = [("nodes", args.node_subnet_id, "Network Contributor"),
                  ("pods", args.pod_subnet_id, "Network Contributor"),
                  ("ilb", args.ilb_subnet_id, "Network Contributor"),
                  ("apiserver", args.api_server_subnet_id, "Network Contributor"),
                  ("routes", args.route_table_id, "Network Contributor"),
                  ("dns", args.private_dns_zone_id, "Private DNS Zone Contributor"),
                  # https://learn.microsoft.com/azure/aks/private-clusters#configure-a-private-dns-zone
                  ("vnet", args.vnet_id if args.private_dns_zone_id is not None else None, "Network Contributor")]
        assignments = [assign_role(f"{name}-role-{what}", role, scope, identity.principal_id, self)
                       for what, scope, role in grants if scope is not None]

        pools = spec.node_pools
        inline = next(p for p in pools if p.mode == "System")
        standalone = [p for p in pools if p is not inline]

        def subnets(profile: dict[str, Any]) -> dict[str, Any]:
            profile["vnetSubnetID"] = args.node_subnet_id
            if args.pod_subnet_id is not None:
                profile["podSubnetID"] = args.pod_subnet_id
            return profile

        addons = addon_profiles(spec, args.ingress, args.app_gateway_id)
        api_profile = api_server_profile(spec, args.private_dns_zone_id, args.api_server_subnet_id)
        if nodes_reach_api_through_egress(spec) and args.egress_public_ips:
            api_profile["authorizedIPRanges"] = pulumi.Output.all(*args.egress_public_ips).apply(
                lambda ips: authorized_ranges_with(spec, [ip for ip in ips if ip]))

        aad = None
        if spec.entra_id is not None:
            aad = {"managed": True, "enableAzureRBAC": spec.entra_id.azure_rbac,
                   "adminGroupObjectIDs": list(spec.entra_id.admin_group_object_ids),
                   "tenantID": authorization.get_client_config_output().tenant_id}

        ignore = ["agentPoolProfiles[0].count"] if inline.autoscaled else []
        cluster = containerservice.ManagedCluster(  # type: ignore[call-overload,misc]  # engine-shaped mappings
            f"{name}-aks", resource_name_=spec.name, resource_group_name=args.resource_group_name,
            location=env.location, dns_prefix=spec.name, kubernetes_version=spec.kubernetes_version,
            node_resource_group=azure_name(env, "rg", "aks-nodes"),
            sku={"name": "Base", "tier": spec.sku_tier},
            identity={"type": "UserAssigned", "userAssignedIdentities": [identity.id]},
            agent_pool_profiles=[subnets({"name": inline.name, **pool_settings(inline, spec.max_surge)})],
            network_profile=dict(args.network_profile),
            api_server_access_profile=api_profile,
            aad_profile=aad,
            enable_rbac=True,
            disable_local_accounts=not spec.local_accounts,
            oidc_issuer_profile={"enabled": spec.workload_identity},
            security_profile={"workloadIdentity": {"enabled": spec.workload_identity}},
            service_mesh_profile={"mode": "Istio"} if spec.service_mesh == "istio" else None,
            addon_profiles=addons or None,
            ingress_profile=ingress_profile(args.ingress),
            auto_upgrade_profile={"upgradeChannel": spec.upgrade_channel,
                                  "nodeOSUpgradeChannel": spec.node_os_upgrade_channel},
            tags=tags(env),
            opts=pulumi.ResourceOptions(
                parent=self, protect=env.protect, ignore_changes=ignore,
                depends_on=[*assignments, *args.depends_on],
                custom_timeouts=pulumi.CustomTimeouts(create="60m", update="60m", delete="60m")))

        if spec.pod_security is not None:
            # The add-on enforces what is assigned at the cluster: the pod security initiative.
            # https://learn.microsoft.com/azure/aks/use-azure-policy
            authorization.PolicyAssignment(
                f"{name}-pod-security", policy_assignment_name=f"pod-security-{spec.pod_security.initiative}",
                scope=cluster.id, display_name=f"Kubernetes pod security {spec.pod_security.initiative} ({env.name})",
                policy_definition_id="/providers/Microsoft.Authorization/policySetDefinitions/"
                                     f"{POD_SECURITY_INITIATIVES[spec.pod_security.initiative]}",
                parameters={"effect": {"value": spec.pod_security.effect}}, enforcement_mode="Default",
                opts=pulumi.ResourceOptions(parent=self))

        # With Entra ID and Azure RBAC, Entra principals are authorized by Azure RBAC alone:
        # nobody can use the cluster until a role on it is granted.
        # https://learn.microsoft.com/azure/aks/manage-azure-rbac
        entra = spec.entra_id
        if entra is not None and entra.azure_rbac:
            for role, groups in (("Azure Kubernetes Service RBAC Cluster Admin", entra.admin_group_object_ids),
                                 ("Azure Kubernetes Service RBAC Reader", entra.reader_group_object_ids)):
                kind = "admins" if "Admin" in role else "readers"
                for index, group in enumerate(groups):
                    assign_role(f"{name}-access-{kind}-{index}", role, cluster.id, group, self, principal_type="Group")
            applies_layer = args.kubernetes.mode == "apply"
            if entra.grant_deployer or (entra.grant_deployer is None and applies_layer):
                assign_role(f"{name}-access-deployer", "Azure Kubernetes Service RBAC Cluster Admin", cluster.id,
                            authorization.get_client_config_output().object_id, self,
                            principal_type=entra.deployer_type)

        for pool in standalone:
            settings = subnets(pool_settings(pool, spec.max_surge))
            containerservice.AgentPool(
                f"{name}-pool-{pool.name}", agent_pool_name=pool.name, resource_name_=cluster.name,
                resource_group_name=args.resource_group_name,
                **{_snake(k): v for k, v in settings.items()},
                opts=pulumi.ResourceOptions(parent=self, ignore_changes=["count"] if pool.autoscaled else None,
                                            custom_timeouts=pulumi.CustomTimeouts(create="30m", update="30m")))

        self.cluster_name = cluster.name
        self.cluster_id = cluster.id
        self.api_server_fqdn = cluster.private_fqdn if spec.private else cluster.fqdn
        self.node_resource_group = cluster.node_resource_group
        self.control_plane_principal_id = identity.principal_id
        self.kubelet_object_id = cluster.identity_profile.apply(
            lambda p: p["kubeletidentity"].object_id if p and "kubeletidentity" in p else None)
        self.addon_identities = cluster.addon_profiles.apply(
            lambda profiles: {k: v.identity.object_id for k, v in (profiles or {}).items()
                              if v.identity is not None})
        credentials = containerservice.list_managed_cluster_user_credentials_output(
            resource_group_name=args.resource_group_name, resource_name=cluster.name,
            format="exec" if spec.entra_id is not None else None)
        self.kubeconfig = pulumi.Output.secret(credentials.kubeconfigs.apply(
            lambda configs: base64.b64decode(configs[0].value).decode()))
        self.oidc_issuer_url = cluster.oidc_issuer_profile.apply(lambda p: (p.issuer_url if p else None) or "")
        self.kubernetes_provider = self._kubernetes_provider(name, args.kubernetes)
        self.register_outputs({
            "clusterName": self.cluster_name, "clusterId": self.cluster_id,
            "apiServerFqdn": self.api_server_fqdn, "nodeResourceGroup": self.node_resource_group,
            "controlPlanePrincipalId": self.control_plane_principal_id,
            "kubeletObjectId": self.kubelet_object_id, "addonIdentities": self.addon_identities,
            "kubeconfig": self.kubeconfig, "oidcIssuerUrl": self.oidc_issuer_url})

    def _kubernetes_provider(self, name: str, kubernetes: KubernetesSpec) -> pulumi.ProviderResource | None:
        """A provider for the Kubernetes layer when Pulumi applies it, through the kubeconfig."""
        if kubernetes.delivery != "apply":
            return None
        import pulumi_kubernetes as k8s
        return k8s.Provider(f"{name}-k8s", kubeconfig=self.kubeconfig, enable_server_side_apply=True,
                            opts=pulumi.ResourceOptions(parent=self))


def _snake(name: str) -> str:
    """`vmSize` -> `vm_size`, `vnetSubnetID` -> `vnet_subnet_id`: AgentPool takes keyword arguments."""
    out = []
    for index, char in enumerate(name):
        if char.isupper() and index and (not name[index - 1].isupper() or
                                         (index + 1 < len(name) and name[index + 1].islower())):
            out.append("_")
        out.append(char.lower())
    return "".join(out)
