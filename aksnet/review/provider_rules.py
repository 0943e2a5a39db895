"""What pulumi-azure-native replaces, for the version in requirements.lock. Pure data, no Pulumi.

The provider decides in its binary, not in the Python wheel (which holds none of it), from:
- `provider/pkg/provider/diff.go` `calculateDetailedDiff`: every URL path parameter of the PUT
  replaces; a body property marked force-new replaces, checked at the top level, one object level
  down (`prop.sub`) and in an array's objects (`prop[].sub`), never deeper; an array element added
  or removed never replaces; a force-new object's changed children replace.
- `provider/pkg/gen/properties.go` `forceNew`: a property whose `x-ms-mutability` has `create`
  without `update` is force-new only at the top level of the body (on a nested type it is not);
  otherwise the hand-kept `forceNewMap` of `provider/pkg/gen/replacement.go` decides, at the top
  level and on the resource's nested types.
Each row names where it comes from and the day it was read. `resource_diff` applies them.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from aksnet.config.lifecycle import Checked

PROVIDER = "pulumi-azure-native"
PROVIDER_VERSION = "3.29.0"
"""The version of requirements.lock whose rules these are (PR #4771, merged 2026-07-16, is in it)."""
CHECKED = "2026-12-07"

DIFF_GO = "pulumi/pulumi-azure-native provider/pkg/provider/diff.go (calculateDetailedDiff: URL path parameters)"
FORCE_NEW_MAP = "pulumi/pulumi-azure-native provider/pkg/gen/replacement.go forceNewMap"
FORCE_NEW_MAP_4771 = (FORCE_NEW_MAP + " after PR #4771 (only these networkProfile fields force; "
                      "the rest of networkProfile updates in place)")
SCHEMA_SNAPSHOT = ("pulumi/pulumi-azure-native provider/pkg/gen/__snapshots__/gen_managedcluster_test.snap "
                   "(willReplaceOnChanges of ManagedCluster's inputs)")
K8S_NAMES = ("https://kubernetes.io/docs/concepts/overview/working-with-objects/names/ "
             "(an object is its namespace and name)")


@dataclass(frozen=True)
class ForceNew:
    """One input path of one resource type whose change makes the provider replace the resource."""

    type: str
    path: str
    """The provider's replace key: `name`, `prop.sub` or `prop[].sub`, in the SDK's camelCase."""
    source: str
    checked: str = CHECKED


def _path_parameters(typ: str, *names: str) -> tuple[ForceNew, ...]:
    return tuple(ForceNew(typ, name, DIFF_GO) for name in names)


def _mapped(typ: str, *paths: str, source: str = FORCE_NEW_MAP) -> tuple[ForceNew, ...]:
    return tuple(ForceNew(typ, path, source) for path in paths)


_RG = "resourceGroupName"
MC = "azure-native:containerservice:ManagedCluster"
POOL = "azure-native:containerservice:AgentPool"

TABLE: tuple[ForceNew, ...] = (
    # Every URL path parameter of each type's PUT (the REST specs' paths, as the SDK names them).
    *_path_parameters("azure-native:resources:ResourceGroup", _RG),
    *_path_parameters("azure-native:network:VirtualNetwork", _RG, "virtualNetworkName"),
    *_path_parameters("azure-native:network:Subnet", _RG, "virtualNetworkName", "subnetName"),
    *_path_parameters("azure-native:network:NetworkSecurityGroup", _RG, "networkSecurityGroupName"),
    *_path_parameters("azure-native:network:VirtualNetworkPeering", _RG, "virtualNetworkName",
                      "virtualNetworkPeeringName"),
    *_path_parameters("azure-native:network:RouteTable", _RG, "routeTableName"),
    *_path_parameters("azure-native:network:Route", _RG, "routeTableName", "routeName"),
    *_path_parameters("azure-native:network:PublicIPAddress", _RG, "publicIpAddressName"),
    *_path_parameters("azure-native:network:NatGateway", _RG, "natGatewayName"),
    *_path_parameters("azure-native:network:AzureFirewall", _RG, "azureFirewallName"),
    *_path_parameters("azure-native:network:FirewallPolicy", _RG, "firewallPolicyName"),
    *_path_parameters("azure-native:network:FirewallPolicyRuleCollectionGroup", _RG, "firewallPolicyName",
                      "ruleCollectionGroupName"),
    *_path_parameters("azure-native:network:IpGroup", _RG, "ipGroupsName"),
    *_path_parameters("azure-native:network:ApplicationGateway", _RG, "applicationGatewayName"),
    *_path_parameters("azure-native:network:WebApplicationFirewallPolicy", _RG, "policyName"),
    *_path_parameters("azure-native:network:BastionHost", _RG, "bastionHostName"),
    *_path_parameters("azure-native:network:PrivateEndpoint", _RG, "privateEndpointName"),
    *_path_parameters("azure-native:network:PrivateDnsZoneGroup", _RG, "privateEndpointName",
                      "privateDnsZoneGroupName"),
    *_path_parameters("azure-native:network:FlowLog", _RG, "networkWatcherName", "flowLogName"),
    *_path_parameters("azure-native:authorization:ManagementLockAtResourceGroupLevel", _RG, "lockName"),
    *_path_parameters("azure-native:authorization:RoleAssignment", "scope", "roleAssignmentName"),
    *_path_parameters("azure-native:authorization:PolicyAssignment", "scope", "policyAssignmentName"),
    *_path_parameters("azure-native:monitor:DiagnosticSetting", "resourceUri", "name"),
    *_path_parameters("azure-native:dnsresolver:DnsResolver", _RG, "dnsResolverName"),
    *_path_parameters("azure-native:dnsresolver:InboundEndpoint", _RG, "dnsResolverName", "inboundEndpointName"),
    *_path_parameters("azure-native:kubernetesconfiguration:Extension", _RG, "clusterRp", "clusterResourceName",
                      "clusterName", "extensionName"),
    *_path_parameters("azure-native:kubernetesconfiguration:FluxConfiguration", _RG, "clusterRp",
                      "clusterResourceName", "clusterName", "fluxConfigurationName"),
    *_path_parameters("azure-native:privatedns:PrivateZone", _RG, "privateZoneName"),
    *_path_parameters("azure-native:privatedns:VirtualNetworkLink", _RG, "privateZoneName", "virtualNetworkLinkName"),
    *_path_parameters("azure-native:managedidentity:UserAssignedIdentity", _RG, "resourceName"),
    *_path_parameters("azure-native:managedidentity:FederatedIdentityCredential", _RG, "resourceName",
                      "federatedIdentityCredentialResourceName"),
    *_path_parameters("azure-native:servicenetworking:TrafficControllerInterface", _RG, "trafficControllerName"),
    *_path_parameters("azure-native:servicenetworking:AssociationsInterface", _RG, "trafficControllerName",
                      "associationName"),
    *_path_parameters("azure-native:servicenetworking:SecurityPoliciesInterface", _RG, "trafficControllerName",
                      "securityPolicyName"),
    *_path_parameters("azure-native:servicenetworking:FrontendsInterface", _RG, "trafficControllerName",
                      "frontendName"),
    *_path_parameters(MC, _RG, "resourceName"),
    *_path_parameters(POOL, _RG, "resourceName", "agentPoolName"),
    *_path_parameters("azure-native:operationalinsights:Workspace", _RG, "workspaceName"),
    *_path_parameters("azure-native:storage:StorageAccount", _RG, "accountName"),
    *_path_parameters("azure-native:containerregistry:Registry", _RG, "registryName"),
    *_path_parameters("azure-native:keyvault:Vault", _RG, "vaultName"),
    *_path_parameters("azure-native:keyvault:Secret", _RG, "vaultName", "secretName"),
    # forceNewMap: the cluster's own create-only fields (also willReplaceOnChanges in the schema).
    *_mapped(MC, "diskEncryptionSetID", "dnsPrefix", "fqdnSubdomain", "linuxProfile", "location",
             "nodeResourceGroup", "windowsProfile", source=FORCE_NEW_MAP + "; " + SCHEMA_SNAPSHOT),
    # forceNewMap on ContainerServiceNetworkProfile, one level down: `networkProfile.<field>`.
    *_mapped(MC, *(f"networkProfile.{field}" for field in (
        "serviceCidr", "serviceCidrs", "dnsServiceIP", "networkMode", "networkPlugin", "networkPluginMode",
        "podCidr", "networkDataplane", "networkPolicy", "outboundType")), source=FORCE_NEW_MAP_4771),
    # nodePublicIPTags sits two levels down on the cluster (agentPoolProfiles[].networkProfile.…), deeper
    # than diff.go looks; on the standalone pool it is `networkProfile.nodePublicIPTags`, one level.
    *_mapped(POOL, "gpuInstanceProfile", "vmSize", "networkProfile.nodePublicIPTags", source=FORCE_NEW_MAP_4771),
    *_mapped("azure-native:authorization:RoleAssignment", "principalId"),
    *_mapped("azure-native:network:PrivateEndpoint", "subnet"),
    *_mapped("azure-native:network:PublicIPAddress", "location", "publicIPAddressVersion", "publicIPPrefix", "sku"),
    *_mapped("azure-native:network:VirtualNetwork", "location"),
    *_mapped("azure-native:resources:ResourceGroup", "location"),
    *_mapped("azure-native:storage:StorageAccount", "isHnsEnabled", "location"),
    # pulumi-kubernetes: an object is its namespace and name; another name is another object.
    *(ForceNew(typ, path, K8S_NAMES) for typ in ("kubernetes:*",) for path in ("metadata.name", "metadata.namespace")),
)


def replace_keys(typ: str) -> frozenset[str]:
    """The provider's replace keys of a resource type (`prop`, `prop.sub`, `prop[].sub`)."""
    wildcard = typ.split(":", 1)[0] + ":*"
    return frozenset(row.path for row in TABLE if row.type in (typ, wildcard))


def path_parameters(typ: str) -> tuple[str, ...]:
    """The inputs that name the resource in Azure (its URL path parameters)."""
    return tuple(row.path for row in TABLE if row.type == typ and row.source == DIFF_GO)


def known_type(typ: str) -> bool:
    """Whether the table covers the type (a type it does not know is reported as such, not guessed)."""
    return any(row.type in (typ, typ.split(":", 1)[0] + ":*") for row in TABLE)


def checks() -> list[Checked]:
    """Each source of the table with the day it was read, for `tools.check_dates` (60 days at most)."""
    seen: dict[tuple[str, str], Checked] = {}
    for row in TABLE:
        seen.setdefault((row.source, row.checked), Checked(row.source, datetime.date.fromisoformat(row.checked)))
    return list(seen.values())
