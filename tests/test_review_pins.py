"""Pins, table by table, the Azure, Kubernetes and Pulumi facts the change review, the landing zone's plan,
the guardrails, the Kubernetes-object refusals, the lifecycle rules and the shared vocabulary encode.

Each table states what the cited source says (Azure's REST API paths, Microsoft's AKS, virtual network
and firewall pages, Pulumi's resource option pages, the Kubernetes API reference), written here from the
source, never from the program's output; every row is one fact, so a one-place slip in the program (a
dropped element, the neighbouring value, a dropped guard) fails here. The review's functions are pure:
the cases build the two runs' records by hand, as the mock engine records them.
"""

from __future__ import annotations

import ipaddress
from typing import Any

import pytest

from aksnet.review.network import NetworkDiff
from aksnet.review.report import Review, build_review
from aksnet.review.resource_diff import azure_name, resource_changes
from tests.test_review_semantics import record

MC = "azure-native:containerservice:ManagedCluster"
POOL = "azure-native:containerservice:AgentPool"
SUBNET = "azure-native:network:Subnet"
RG_ID = "/subscriptions/0000/resourceGroups/rg-dev"
NET_ID = f"{RG_ID}/providers/Microsoft.Network"

OUTBOUND = "https://learn.microsoft.com/azure/aks/egress-outboundtype"
RESIZE_POOL = "https://learn.microsoft.com/azure/aks/resize-node-pool"
POLICIES = "https://learn.microsoft.com/azure/aks/use-network-policies"
MOVE_REGION = "https://learn.microsoft.com/azure/azure-resource-manager/management/move-region"
SUBNET_DOC = "https://learn.microsoft.com/azure/virtual-network/virtual-network-manage-subnet"
PROTECT = "https://www.pulumi.com/docs/iac/concepts/options/protect/"



def review(base: list[dict[str, Any]], head: list[dict[str, Any]], network: NetworkDiff | None = None,
           allowed: tuple[str, ...] = ()) -> Review:
    return build_review("dev", "base", "head", base, head, network or NetworkDiff(), allowed)


def kinds(result: Review, input_path: str) -> list[str]:
    return sorted(c.kind for c in result.consequences if c.input == input_path)


def levels(result: Review) -> dict[str, str]:
    return {f.id: f.level for f in result.findings}


def cluster(inputs: dict[str, Any] | None = None, **profile: Any) -> dict[str, Any]:
    network = {"networkPlugin": "azure", "networkPluginMode": "overlay", "podCidr": "10.244.0.0/16",
               "serviceCidr": "10.0.0.0/16", "dnsServiceIP": "10.0.0.10", "outboundType": "loadBalancer"}
    network.update(profile)
    return record(MC, "cluster-aks", {"resourceGroupName": "rg-dev", "resourceName": "aks-dev",
                                      "networkProfile": {k: v for k, v in network.items() if v is not None},
                                      **(inputs or {})})


# The provider: every URL path parameter of a type's PUT names the resource; a new value is a new resource.
# The REST API reference's PUT paths (https://learn.microsoft.com/rest/api/authorization/role-assignments/create,
# .../rest/api/policy/policy-assignments/create, .../rest/api/monitor/diagnostic-settings/create-or-update,
# .../rest/api/network-watcher/flow-logs/create-or-update, .../rest/api/virtualnetwork/routes/create-or-update,
# .../rest/api/aks/agent-pools/create-or-update, .../rest/api/dns/privatednszones/virtual-network-links,
# .../rest/api/managedidentity/federated-identity-credentials, .../rest/api/keyvault/keyvault/secrets,
# .../rest/api/kubernetesconfiguration/extensions/create), in the SDK's names, in the URL's order.
URL_NAMES = {
    "azure-native:authorization:RoleAssignment": ("scope", "roleAssignmentName"),
    "azure-native:authorization:PolicyAssignment": ("scope", "policyAssignmentName"),
    "azure-native:monitor:DiagnosticSetting": ("resourceUri", "name"),
    "azure-native:network:FlowLog": ("resourceGroupName", "networkWatcherName", "flowLogName"),
    "azure-native:network:Route": ("resourceGroupName", "routeTableName", "routeName"),
    "azure-native:network:VirtualNetworkPeering": ("resourceGroupName", "virtualNetworkName",
                                                   "virtualNetworkPeeringName"),
    "azure-native:network:FirewallPolicyRuleCollectionGroup": ("resourceGroupName", "firewallPolicyName",
                                                               "ruleCollectionGroupName"),
    "azure-native:network:PrivateDnsZoneGroup": ("resourceGroupName", "privateEndpointName",
                                                 "privateDnsZoneGroupName"),
    "azure-native:privatedns:VirtualNetworkLink": ("resourceGroupName", "privateZoneName", "virtualNetworkLinkName"),
    "azure-native:managedidentity:FederatedIdentityCredential": ("resourceGroupName", "resourceName",
                                                                 "federatedIdentityCredentialResourceName"),
    "azure-native:containerservice:AgentPool": ("resourceGroupName", "resourceName", "agentPoolName"),
    "azure-native:keyvault:Secret": ("resourceGroupName", "vaultName", "secretName"),
    "azure-native:dnsresolver:InboundEndpoint": ("resourceGroupName", "dnsResolverName", "inboundEndpointName"),
    "azure-native:authorization:ManagementLockAtResourceGroupLevel": ("resourceGroupName", "lockName"),
    "azure-native:kubernetesconfiguration:Extension": ("resourceGroupName", "clusterRp", "clusterResourceName",
                                                       "clusterName", "extensionName"),
}


@pytest.mark.parametrize("typ", sorted(URL_NAMES))
def test_every_name_in_a_child_resources_url_replaces_it_and_is_its_azure_name(typ):
    names = URL_NAMES[typ]
    old = {name: f"{name}-a" for name in names}
    assert azure_name({"type": typ, "inputs": old}) == tuple(old[n] for n in names)
    for name in names:
        [change] = resource_changes([record(typ, "r", old)], [record(typ, "r", {**old, name: f"{name}-b"})])
        assert (change.action, change.forced_by) == ("replace", [name]), (typ, name)


# Node pools: RESIZE_POOL ("you can't change the VM size of a node pool ... create a new node pool") and the
# AKS API reference (https://learn.microsoft.com/rest/api/aks/agent-pools/create-or-update): a pool's VM size,
# availability zones, node subnet, pod subnet, max pods and OS disk type are set when the pool is created.
# The provider sends all but vmSize as an in-place update (vmSize is forceNewMap's on the standalone pool),
# and AKS refuses it: `pulumi up` would fail half-way.
FIXED_AT_CREATION = {
    "availabilityZones": (["1", "2", "3"], ["1", "2"]),
    "vnetSubnetID": (f"{NET_ID}/virtualNetworks/spoke/subnets/nodes", f"{NET_ID}/virtualNetworks/spoke/subnets/n2"),
    "podSubnetID": (f"{NET_ID}/virtualNetworks/spoke/subnets/pods", f"{NET_ID}/virtualNetworks/spoke/subnets/p2"),
    "maxPods": (30, 50),
    "osDiskType": ("Ephemeral", "Managed"),
}


def _pool(**inputs: Any) -> dict[str, Any]:
    base = {"resourceGroupName": "rg-dev", "resourceName": "aks-dev", "agentPoolName": "user",
            "vmSize": "Standard_D4ds_v5", **{key: old for key, (old, _) in FIXED_AT_CREATION.items()}}
    return record(POOL, "cluster-pool-user", {**base, **inputs})


@pytest.mark.parametrize("key", sorted(FIXED_AT_CREATION))
def test_each_field_a_pool_fixes_at_creation_is_refused_in_place_standalone_and_inline(key):
    _, new = FIXED_AT_CREATION[key]
    standalone = review([_pool()], [_pool(**{key: new})])
    assert standalone.changes[0].action == "update", key
    assert levels(standalone) == {f"azure-refuses:cluster-pool-user:{key}": "mandatory"}
    assert standalone.exit_code == 1
    pool = {"name": "user", "vmSize": "Standard_D4ds_v5", **{k: old for k, (old, _) in FIXED_AT_CREATION.items()}}
    inline = review([cluster({"agentPoolProfiles": [pool]})], [cluster({"agentPoolProfiles": [{**pool, key: new}]})])
    assert inline.changes[0].action == "update", key
    assert levels(inline) == {f"azure-refuses:cluster-aks:agentPoolProfiles[0].{key}": "mandatory"}


def test_a_pools_count_and_the_vm_size_of_a_standalone_pool_are_no_in_place_refusal():
    # RESIZE_POOL / https://learn.microsoft.com/azure/aks/scale-cluster: the node count scales in place.
    scaled = review([_pool(count=3)], [_pool(count=5)])
    assert scaled.changes[0].action == "update" and scaled.findings == [] and scaled.exit_code == 0
    # vmSize replaces the standalone pool (forceNewMap): a new pool, never an in-place update to refuse; under
    # the same agentPoolName the replacement collides with the old pool.
    resized = review([_pool()], [_pool(vmSize="Standard_D8ds_v5")])
    assert resized.changes[0].action == "replace"
    assert kinds(resized, "vmSize") == ["recreate"]
    assert levels(resized) == {"replace-collides:cluster-pool-user": "mandatory"}


# Guardrails (aksnet/rules/guardrails.py): each rule's documented boundary, both sides, as the engine's
# camelCase props reach a CrossGuard policy. (rule id, resource type token, props, violated?)
CLUSTER_T = MC
FIREWALL_T = "azure-native:network:AzureFirewall"
POLICY_T = "azure-native:network:FirewallPolicy"
WAF_T = "azure-native:network:WebApplicationFirewallPolicy"
GATEWAY_T = "azure-native:network:ApplicationGateway"
INGRESS_T = "kubernetes:networking.k8s.io/v1:Ingress"
GATEWAY_API_T = "kubernetes:gateway.networking.k8s.io/v1:Gateway"
SUBNET_T = SUBNET
PRIVATE_OFF = {"enablePrivateCluster": False}
HALF_BUT_ONE = [str(n) for n in ipaddress.summarize_address_range(ipaddress.IPv4Address("0.0.0.0"),
                                                                   ipaddress.IPv4Address("127.255.255.254"))]


def _ingress(annotations: dict[str, str] | None = None, **spec: Any) -> dict[str, Any]:
    return {"metadata": {"name": "shop", "namespace": "shop", "annotations": annotations or {}}, "spec": spec}


def _listener(hostname: str | None, protocol: str, certificates: bool) -> dict[str, Any]:
    listener: dict[str, Any] = {"name": "l", "port": 443 if protocol != "HTTP" else 80, "protocol": protocol}
    if hostname:
        listener["hostname"] = hostname
    if certificates:
        listener["tls"] = {"mode": "Terminate", "certificateRefs": [{"name": "shop-tls"}]}
    return listener


GUARDRAIL_CASES = [
    # https://learn.microsoft.com/azure/aks/api-server-authorized-ip-ranges: the AKS API's field is
    # apiServerAccessProfile.authorizedIPRanges; ranges apply to a public API server only.
    ("private-api-or-authorized-ranges", CLUSTER_T, {"apiServerAccessProfile": {"enablePrivateCluster": True}}, False),
    ("private-api-or-authorized-ranges", CLUSTER_T, {"apiServerAccessProfile": {
        **PRIVATE_OFF, "authorizedIPRanges": ["203.0.113.0/24"]}}, False),
    ("private-api-or-authorized-ranges", CLUSTER_T, {"apiServerAccessProfile": {
        **PRIVATE_OFF, "authorizedIpRanges": ["203.0.113.0/24"]}}, True),  # not the API's spelling: no ranges sent
    # Half of IPv4 (2**31 addresses) or more is as good as none; one address fewer is not.
    ("private-api-or-authorized-ranges", CLUSTER_T, {"apiServerAccessProfile": {
        **PRIVATE_OFF, "authorizedIPRanges": ["0.0.0.0/1"]}}, True),
    ("private-api-or-authorized-ranges", CLUSTER_T, {"apiServerAccessProfile": {
        **PRIVATE_OFF, "authorizedIPRanges": HALF_BUT_ONE}}, False),
    ("private-api-or-authorized-ranges", CLUSTER_T, {"apiServerAccessProfile": {
        **PRIVATE_OFF, "authorizedIPRanges": ["0.0.0.0/0"]}}, True),
    # POLICIES: networkPolicy none (or absent) installs no engine; NetworkPolicies are then ignored.
    ("network-policy-engine-set", CLUSTER_T, {"networkProfile": {"networkPolicy": "none"}}, True),
    ("network-policy-engine-set", CLUSTER_T, {"networkProfile": {}}, True),
    ("network-policy-engine-set", CLUSTER_T, {"networkProfile": {"networkPolicy": "calico"}}, False),
    # https://learn.microsoft.com/azure/aks/manage-local-accounts-managed-azure-ad: local accounts stay on
    # unless disableLocalAccounts is true (the API's default is false).
    ("local-accounts-disabled", CLUSTER_T, {}, True),
    ("local-accounts-disabled", CLUSTER_T, {"disableLocalAccounts": True}, False),
    # https://learn.microsoft.com/azure/aks/availability-zones: two distinct zones at least; a zone listed twice
    # is one zone.
    ("zones-in-production", CLUSTER_T, {"agentPoolProfiles": [{"name": "s", "availabilityZones": ["1", "1"]}]}, True),
    ("zones-in-production", CLUSTER_T, {"agentPoolProfiles": [{"name": "s", "availabilityZones": ["1", "2"]}]}, False),
    ("zones-in-production", FIREWALL_T, {"zones": ["2", "2", "2"]}, True),
    # Subnets that refuse an NSG (https://learn.microsoft.com/azure/firewall/firewall-faq: the firewall's
    # subnets; https://learn.microsoft.com/azure/vpn-gateway/vpn-gateway-about-vpn-gateway-settings#gwsub)
    # need none; Bastion's subnet takes one
    # (https://learn.microsoft.com/azure/bastion/bastion-nsg).
    ("nsg-on-every-subnet", SUBNET_T, {"subnetName": "AzureFirewallSubnet"}, False),
    ("nsg-on-every-subnet", SUBNET_T, {"subnetName": "AzureFirewallManagementSubnet"}, False),
    ("nsg-on-every-subnet", SUBNET_T, {"subnetName": "GatewaySubnet"}, False),
    ("nsg-on-every-subnet", SUBNET_T, {"subnetName": "AzureBastionSubnet"}, True),
    ("nsg-on-every-subnet", SUBNET_T, {"subnetName": "snet-nodes"}, True),
    ("nsg-on-every-subnet", SUBNET_T, {"subnetName": "snet-nodes", "networkSecurityGroup": {"id": "nsg"}}, False),
    # https://learn.microsoft.com/azure/firewall/threat-intel: a policy's threat intelligence mode defaults to
    # Alert, which only logs: an unset mode is no Deny.
    ("firewall-threat-intel-deny", POLICY_T, {}, True),
    ("firewall-threat-intel-deny", POLICY_T, {"threatIntelMode": "Off"}, True),
    ("firewall-threat-intel-deny", POLICY_T, {"threatIntelMode": "Deny"}, False),
    # https://learn.microsoft.com/azure/firewall/policy-rule-sets: a firewall managed by a policy has no classic
    # collections (application, network or NAT) and names its firewallPolicy.
    ("firewall-uses-policy", FIREWALL_T, {"firewallPolicy": {"id": "p"}, "natRuleCollections": [{"name": "c"}]}, True),
    ("firewall-uses-policy", FIREWALL_T, {"firewallPolicy": {"id": "p"},
                                          "applicationRuleCollections": [{"name": "c"}]}, True),
    ("firewall-uses-policy", FIREWALL_T, {}, True),
    ("firewall-uses-policy", FIREWALL_T, {"firewallPolicy": {"id": "p"}}, False),
    # https://learn.microsoft.com/azure/web-application-firewall/ag/policy-overview: a WAF policy blocks only
    # when its state is Enabled and its mode Prevention; a gateway needs the WAF_v2 SKU and a policy.
    ("waf-prevention", WAF_T, {"policySettings": {"state": "Disabled", "mode": "Prevention"}}, True),
    ("waf-prevention", WAF_T, {"policySettings": {"state": "Enabled", "mode": "Detection"}}, True),
    ("waf-prevention", WAF_T, {"policySettings": {"state": "Enabled", "mode": "Prevention"}}, False),
    ("waf-prevention", GATEWAY_T, {"sku": {"name": "Standard_v2"}, "firewallPolicy": {"id": "w"}}, True),
    ("waf-prevention", GATEWAY_T, {"sku": {"name": "WAF_v2"}}, True),
    ("waf-prevention", GATEWAY_T, {"sku": {"name": "WAF_v2"}, "firewallPolicy": {"id": "w"}}, False),
    # https://www.pulumi.com/docs/iac/concepts/secrets/: the engine's input names are camelCase, so a secret's key
    # is matched whatever its case.
    ("no-plain-secrets", CLUSTER_T, {"servicePrincipalProfile": {"clientId": "x", "Secret": "hunter2"}}, True),
    ("no-plain-secrets", CLUSTER_T, {"diagnostics": {"connectionString": "Endpoint=sb://x"}}, True),
    ("no-plain-secrets", CLUSTER_T, {"servicePrincipalProfile": {"clientId": "msi"}}, False),
    # https://kubernetes.io/docs/concepts/services-networking/ingress/: the annotation is deprecated; a rule
    # without a host answers for any name; TLS must cover every host, unless AGIC serves a certificate the
    # gateway holds (https://azure.github.io/application-gateway-kubernetes-ingress/annotations/#appgw-ssl-certificate).
    ("no-ingress-class-annotation", INGRESS_T, _ingress({"kubernetes.io/ingress.class": "nginx"}), True),
    ("ingress-host-and-tls", INGRESS_T, _ingress(rules=[], tls=[{"hosts": ["a.example.com"]}]), True),
    ("ingress-host-and-tls", INGRESS_T, _ingress(rules=[{"host": "a.example.com"}, {"host": "b.example.com"}],
                                                 tls=[{"hosts": ["a.example.com"], "secretName": "t"}]), True),
    ("ingress-host-and-tls", INGRESS_T, _ingress({"appgw.ingress.kubernetes.io/appgw-ssl-certificate": "shop"},
                                                 rules=[{"host": "a.example.com"}]), False),
    ("ingress-host-and-tls", INGRESS_T, _ingress(rules=[{"host": "a.example.com"}],
                                                 tls=[{"hosts": ["a.example.com"], "secretName": "t"}]), False),
    # https://gateway-api.sigs.k8s.io/guides/tls/: HTTPS listeners terminate TLS with certificateRefs; a TLS
    # listener passes TLS through or terminates for TCP routes, and is not HTTPS.
    ("gateway-host-and-tls", GATEWAY_API_T, {"spec": {"listeners": [_listener("a.example.com", "TLS", True)]}}, True),
    ("gateway-host-and-tls", GATEWAY_API_T, {"spec": {"listeners": [_listener("a.example.com", "HTTPS", False)]}},
     True),
    ("gateway-host-and-tls", GATEWAY_API_T, {"spec": {"listeners": [_listener("a.example.com", "HTTPS", True)]}},
     False),
]


@pytest.mark.parametrize("rule_id,typ,props,violated", GUARDRAIL_CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(GUARDRAIL_CASES)])
def test_each_guardrail_at_its_documented_boundary(rule_id, typ, props, violated):
    from types import SimpleNamespace

    from aksnet.rules.guardrails import RULES
    [rule] = [r for r in RULES if r.id == rule_id]
    assert rule.resource is not None
    found: list[str] = []
    args = SimpleNamespace(resource_type=typ, name="r", urn="urn:r", props=props)  # pulumi_policy's shape
    rule.resource(args, lambda message, urn=None: found.append(message))
    assert bool(found) is violated, found


# Subnets: SUBNET_DOC, "change a subnet's address range": only while no resource is deployed in the subnet.
# What is deployed there holds an address of it (a NIC's or a load balancer frontend's ip configuration, a
# private endpoint, a pool's nodes); a role assignment, a diagnostic setting or a flow log scoped to the
# subnet holds none.

def _subnet(name: str = "ilb", prefixes: tuple[str, str] = ("192.168.2.0/24", "192.168.3.0/24"),
            key: str = "addressPrefix") -> tuple[dict[str, Any], dict[str, Any]]:
    subnet_id = f"{NET_ID}/virtualNetworks/spoke/subnets/{name}"

    def make(prefix: str) -> dict[str, Any]:
        value: Any = prefix if key == "addressPrefix" else [prefix]
        return record(SUBNET, f"spoke-subnet-{name}", {"resourceGroupName": "rg-dev", "virtualNetworkName": "spoke",
                                                       "subnetName": name, key: value}, id=subnet_id)
    return make(prefixes[0]), make(prefixes[1])


def _user(typ: str, inputs: dict[str, Any]) -> dict[str, Any]:
    return record(typ, f"user-{typ.rsplit(':', 1)[-1]}", inputs)


SUBNET_ID = f"{NET_ID}/virtualNetworks/spoke/subnets/ilb"
SUBNET_USERS = [
    # (a resource of the head run, does it hold an address of the subnet?)
    (_user(POOL, {"resourceGroupName": "rg-dev", "resourceName": "aks", "agentPoolName": "user",
                  "vnetSubnetID": SUBNET_ID}), True),
    (_user("azure-native:network:PrivateEndpoint", {"resourceGroupName": "rg-dev", "privateEndpointName": "pe",
                                                    "subnet": {"id": SUBNET_ID}}), True),
    (_user("azure-native:network:PrivateEndpoint", {"resourceGroupName": "rg-dev", "privateEndpointName": "pe",
                                                    "subnet": {"id": SUBNET_ID + "2"}}), False),  # snet ilb2, not ilb
    (_user("azure-native:authorization:RoleAssignment", {"scope": SUBNET_ID, "roleAssignmentName": "g",
                                                         "principalId": "p"}), False),
    (_user("azure-native:monitor:DiagnosticSetting", {"resourceUri": SUBNET_ID, "name": "diag"}), False),
    (_user("azure-native:network:FlowLog", {"resourceGroupName": "rg-dev", "networkWatcherName": "nw",
                                            "flowLogName": "fl", "targetResourceId": SUBNET_ID}), False),
    # An internal load balancer Service asking for the subnet by name
    # (https://learn.microsoft.com/azure/aks/internal-lb#specify-a-subnet), or for a static address inside its
    # range, in the annotation or in the deprecated spec.loadBalancerIP
    # (https://learn.microsoft.com/azure/aks/internal-lb#specify-an-ip-address).
    (_user("kubernetes:core/v1:Service", {"metadata": {"name": "api", "namespace": "d", "annotations": {
        "service.beta.kubernetes.io/azure-load-balancer-internal": "true",
        "service.beta.kubernetes.io/azure-load-balancer-internal-subnet": "ilb"}}, "spec": {"type": "LoadBalancer"}}),
     True),
    (_user("kubernetes:core/v1:Service", {"metadata": {"name": "api", "namespace": "d", "annotations": {
        "service.beta.kubernetes.io/azure-load-balancer-internal": "true"}},
        "spec": {"type": "LoadBalancer", "loadBalancerIP": "192.168.2.20"}}), True),
    (_user("kubernetes:core/v1:Service", {"metadata": {"name": "api", "namespace": "d", "annotations": {
        "service.beta.kubernetes.io/azure-load-balancer-internal": "true",
        "service.beta.kubernetes.io/azure-load-balancer-ipv4": "192.168.2.20"}}, "spec": {"type": "LoadBalancer"}}),
     True),
    (_user("kubernetes:core/v1:Service", {"metadata": {"name": "api", "namespace": "d", "annotations": {
        "service.beta.kubernetes.io/azure-load-balancer-internal": "true",
        "service.beta.kubernetes.io/azure-load-balancer-ipv4": "192.168.9.20"}}, "spec": {"type": "LoadBalancer"}}),
     False),
]


@pytest.mark.parametrize("key", ["addressPrefix", "addressPrefixes"])
@pytest.mark.parametrize("user,holds", SUBNET_USERS, ids=[f"{u['type'].rsplit(':', 1)[-1]}-{i}"
                                                          for i, (u, _) in enumerate(SUBNET_USERS)])
def test_a_subnets_range_change_is_refused_exactly_while_something_holds_an_address_of_it(user, holds, key):
    old, new = _subnet(key=key)
    result = review([old, user], [new, user])
    assert result.changes[[c.name for c in result.changes].index("spoke-subnet-ilb")].action == "update"
    assert kinds(result, key) == (["refused"] if holds else []), user
    assert result.exit_code == (1 if holds else 0)


# Location: MOVE_REGION, an update does not move a resource to another region. Where the provider's forceNewMap
# has no `location` (an NSG, a route table), it sends the new region as an update that Azure refuses.

@pytest.mark.parametrize("typ,name_key", [("azure-native:network:NetworkSecurityGroup", "networkSecurityGroupName"),
                                          ("azure-native:network:RouteTable", "routeTableName")])
def test_a_new_region_sent_as_an_update_is_refused(typ, name_key):
    base = record(typ, "r", {"resourceGroupName": "rg-dev", name_key: "n", "location": "westeurope"})
    result = review([base], [{**base, "inputs": {**base["inputs"], "location": "northeurope"}}])
    assert result.changes[0].action == "update"
    assert levels(result) == {"azure-refuses:r:location": "mandatory"}
    # The same region spelled otherwise is no change (diff.go's applyAzureSpecificDiff).
    same = review([base], [{**base, "inputs": {**base["inputs"], "location": "West Europe"}}])
    assert same.changes[0].action == "same" and same.findings == []


# Outbound type: OUTBOUND, "Supported migration paths for managed VNet" and "... for BYO VNet" (read on
# 2026-12-07): on a VNet AKS manages, loadBalancer, managedNATGateway, none and block change into each other;
# on your own VNet, loadBalancer, userAssignedNATGateway, userDefinedRouting and none. managedNATGateway never
# goes to or comes from userAssignedNATGateway or userDefinedRouting. The provider replaces for any change
# (forceNewMap: networkProfile.outboundType); each change sends egress from new addresses.
SUPPORTED_OUTBOUND = {
    ("loadBalancer", "managedNATGateway"), ("managedNATGateway", "loadBalancer"), ("loadBalancer", "none"),
    ("none", "loadBalancer"), ("managedNATGateway", "none"), ("none", "managedNATGateway"),
    ("loadBalancer", "block"), ("block", "loadBalancer"), ("managedNATGateway", "block"),
    ("block", "managedNATGateway"), ("none", "block"), ("block", "none"),
    ("loadBalancer", "userAssignedNATGateway"), ("userAssignedNATGateway", "loadBalancer"),
    ("loadBalancer", "userDefinedRouting"), ("userDefinedRouting", "loadBalancer"),
    ("userAssignedNATGateway", "userDefinedRouting"), ("userDefinedRouting", "userAssignedNATGateway"),
    ("userAssignedNATGateway", "none"), ("none", "userAssignedNATGateway"), ("userDefinedRouting", "none"),
    ("none", "userDefinedRouting"),
}
OUTBOUND_TYPES = ("loadBalancer", "managedNATGateway", "userAssignedNATGateway", "userDefinedRouting", "none", "block")


@pytest.mark.parametrize("old,new", [(a, b) for a in OUTBOUND_TYPES for b in OUTBOUND_TYPES if a != b])
def test_an_outbound_type_change_migrates_in_place_exactly_where_microsofts_tables_say(old, new):
    result = review([cluster(outboundType=old)], [cluster(outboundType=new)])
    assert result.changes[0].action == "replace"
    supported = (old, new) in SUPPORTED_OUTBOUND
    assert kinds(result, "networkProfile.outboundType") == (["egress", "migrates"] if supported else ["egress"])
    assert ("azure-migrates:cluster-aks:networkProfile.outboundType" in levels(result)) is supported
    assert levels(result)["new-egress:cluster-aks"] == "advisory"


# Network policy engines: POLICIES, "Uninstall Azure Network Policy Manager or Calico": `az aks update
# --network-policy none` removes either in place. An absent networkPolicy is none (the API's default).

@pytest.mark.parametrize("old", ["azure", "calico"])
@pytest.mark.parametrize("new", ["none", None])
def test_azure_npm_and_calico_uninstall_in_place_to_none_or_to_an_absent_engine(old, new):
    result = review([cluster(networkPolicy=old)], [cluster(networkPolicy=new)])
    assert kinds(result, "networkProfile.networkPolicy") == ["migrates"], (old, new)


def test_cilium_is_not_uninstalled_and_no_engine_is_installed_in_place_by_the_uninstall_path():
    # POLICIES: the uninstall covers Azure NPM and Calico; Cilium is tied to the Cilium dataplane.
    assert kinds(review([cluster(networkPolicy="cilium", networkDataplane="cilium")],
                        [cluster(networkPolicy="none", networkDataplane="cilium")]), "networkProfile.networkPolicy") == []
    assert kinds(review([cluster(networkPolicy="none")], [cluster(networkPolicy="calico")]),
                 "networkProfile.networkPolicy") == []


def test_the_cilium_dataplane_upgrade_starts_from_the_default_dataplane_too():
    # https://learn.microsoft.com/azure/aks/upgrade-aks-ipam-and-dataplane: a cluster on the default (azure)
    # dataplane, networkDataplane unset, is upgraded to Cilium in place.
    result = review([cluster(networkDataplane=None)], [cluster(networkDataplane="cilium", networkPolicy="cilium")])
    assert kinds(result, "networkProfile.networkDataplane") == ["migrates"]


# Egress addresses: OUTBOUND; https://learn.microsoft.com/azure/nat-gateway/nat-overview (a NAT gateway's
# public addresses are the subnet's outbound addresses); https://learn.microsoft.com/azure/firewall/overview
# (the firewall SNATs to its public addresses). A public address created or replaced in one of these roles
# is a new address partners see.

def _pip(name: str, sku: str = "Standard") -> dict[str, Any]:
    return record("azure-native:network:PublicIPAddress", name, {"resourceGroupName": "rg-dev",
                                                                 "publicIpAddressName": name, "sku": {"name": sku}},
                  id=f"{NET_ID}/publicIPAddresses/{name}")


EGRESS_HOLDERS = {
    "nat": record("azure-native:network:NatGateway", "nat", {"resourceGroupName": "rg-dev", "natGatewayName": "nat",
                                                             "publicIpAddresses": [{"id": f"{NET_ID}/publicIPAddresses/"
                                                                                          "egress"}]}),
    "firewall": record("azure-native:network:AzureFirewall", "fw", {
        "resourceGroupName": "rg-dev", "azureFirewallName": "fw",
        "ipConfigurations": [{"name": "c", "publicIPAddress": {"id": f"{NET_ID}/publicIPAddresses/egress"}}]}),
    "cluster": cluster(loadBalancerProfile={"outboundIPs": {"publicIPs": [{"id": f"{NET_ID}/publicIPAddresses/"
                                                                                  "egress"}]}}),
}


@pytest.mark.parametrize("holder", sorted(EGRESS_HOLDERS))
def test_a_new_or_replaced_public_address_of_an_egress_role_is_a_new_egress_address(holder):
    created = review([EGRESS_HOLDERS[holder]], [EGRESS_HOLDERS[holder], _pip("egress")])
    assert levels(created).get("new-egress:egress") == "advisory", holder
    replaced = review([EGRESS_HOLDERS[holder], _pip("egress", "Basic")], [EGRESS_HOLDERS[holder], _pip("egress")])
    assert levels(replaced).get("new-egress:egress") == "advisory", holder


def test_a_public_address_in_no_egress_role_is_no_egress_news():
    # An application gateway's frontend address receives traffic; egress does not leave from it.
    gateway = record("azure-native:network:ApplicationGateway", "agw", {
        "resourceGroupName": "rg-dev", "applicationGatewayName": "agw", "frontendIPConfigurations": [
            {"name": "f", "publicIPAddress": {"id": f"{NET_ID}/publicIPAddresses/egress"}}]})
    assert "new-egress:egress" not in levels(review([gateway], [gateway, _pip("egress")]))


# Findings and their levels. PROTECT: `pulumi up` stops before it deletes or replaces a protected resource
# (protect on either run's side: turning it off takes an update of its own first). An accepted finding
# (`--allow ID`) no longer refuses; one that matches no id is told back.

def _table(name: str = "rt", protect: bool = False) -> dict[str, Any]:
    return record("azure-native:network:RouteTable", "spoke-rt", {"resourceGroupName": "rg-dev",
                                                                  "routeTableName": name}, protect=protect)


def test_a_protected_resource_deleted_is_refused_whichever_side_holds_protect():
    deleted = review([_table(protect=True)], [])
    assert deleted.changes[0].action == "delete"
    assert levels(deleted) == {"protected:spoke-rt": "mandatory"} and deleted.exit_code == 1
    # Replaced (a new Azure name) with protect set on the head only: refused as well.
    replaced = review([_table()], [_table("rt2", protect=True)])
    assert replaced.changes[0].action == "replace"
    assert levels(replaced) == {"protected:spoke-rt": "mandatory"}
    # Unprotected, the same two changes refuse nothing.
    assert review([_table()], []).exit_code == 0
    assert review([_table()], [_table("rt2")]).exit_code == 0


def test_an_accepted_mandatory_finding_no_longer_refuses_and_an_unknown_allow_is_told():
    result = review([_table(protect=True)], [], allowed=("protected:spoke-rt", "protected:nothing"))
    assert [(f.id, f.level, f.accepted) for f in result.findings] == [("protected:spoke-rt", "mandatory", True)]
    assert result.exit_code == 0 and result.unmatched_allows == ["protected:nothing"]


def test_a_protected_resource_renamed_without_an_alias_is_one_alias_finding():
    # ALIASES (https://www.pulumi.com/docs/iac/concepts/options/aliases/): a new URN for the same Azure name is
    # the rename an alias carries; the finding names the alias, not a deletion of the protected resource.
    moved = {**_table(protect=True), "urn": "urn:pulumi:dev::aks-networking::azure-native:network:RouteTable::rt-new",
             "name": "rt-new"}
    result = review([_table(protect=True)], [moved])
    assert levels(result) == {"alias-missing:rt-new": "mandatory"}


def test_a_subnet_without_room_is_told_and_a_moved_range_is_told():
    from aksnet.review.network import address_plan_diff
    rows = address_plan_diff([{"role": "nodes", "cidr": "10.1.0.0/24", "headroom": 10}],
                             [{"role": "nodes", "cidr": "10.1.1.0/24", "headroom": -3}])
    assert [r["change"] for r in rows] == ["moved", "short"]
    result = review([], [], NetworkDiff(address_plan=rows))
    assert levels(result) == {"address-moved:nodes": "advisory", "address-short:nodes": "advisory"}
    assert "falls short of its need by 3 addresses" in next(f.message for f in result.findings
                                                          if f.id == "address-short:nodes")
    # Two ranges of one role going and one coming is no move: each is told apart.
    apart = address_plan_diff([{"role": "pods", "cidr": "10.2.0.0/24"}, {"role": "pods", "cidr": "10.3.0.0/24"}],
                              [{"role": "pods", "cidr": "10.4.0.0/23"}])
    assert sorted(r["change"] for r in apart) == ["added", "removed", "removed"]


# Kubernetes objects: https://kubernetes.io/docs/concepts/overview/working-with-objects/names/ (an object is
# its kind, namespace and name: another name or namespace is another object, so pulumi-kubernetes replaces it);
# any other field is patched in place.

@pytest.mark.parametrize("typ", ["kubernetes:core/v1:ConfigMap", "kubernetes:networking.k8s.io/v1:NetworkPolicy",
                                 "kubernetes:apps/v1:Deployment"])
def test_a_kubernetes_objects_name_and_namespace_are_its_identity(typ):
    old = {"metadata": {"name": "shop", "namespace": "development", "labels": {"a": "1"}}, "spec": {"x": 1}}
    for path, value in (("name", "shop2"), ("namespace", "staging")):
        new = {**old, "metadata": {**old["metadata"], path: value}}
        [change] = resource_changes([record(typ, "o", old)], [record(typ, "o", new)])
        assert (change.action, change.forced_by) == ("replace", [f"metadata.{path}"]), (typ, path)
    relabelled = {**old, "metadata": {**old["metadata"], "labels": {"a": "2"}}, "spec": {"x": 2}}
    [change] = resource_changes([record(typ, "o", old)], [record(typ, "o", relabelled)])
    assert change.action == "update"


# default-deny-per-app-namespace: https://kubernetes.io/docs/concepts/services-networking/network-policies/
# #default-policies: "default deny all ingress and all egress" is a policy selecting every pod (podSelector {})
# with both policyTypes and no rule; one policy type alone, a selector of some pods, or any rule denies less.
# Namespaces of Kubernetes and AKS add-ons (aksnet/vocabulary.py) are not the stack's to deny.
DENY_SPEC = {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
DEFAULT_DENY_CASES = [
    ("shop", DENY_SPEC, False),
    ("shop", {"podSelector": {}, "policyTypes": ["Ingress"]}, True),
    ("shop", {"podSelector": {"matchLabels": {"app": "web"}}, "policyTypes": ["Ingress", "Egress"]}, True),
    ("shop", {**DENY_SPEC, "ingress": [{}]}, True),
    ("shop", {**DENY_SPEC, "egress": [{"to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}]}]}, True),
    ("kube-system", None, False),
    ("flux-system", None, False),
    ("calico-system", None, False),
    ("gatekeeper-system", None, False),
    ("app-routing-system", None, False),
    ("aks-istio-ingress", None, False),
]


@pytest.mark.parametrize("namespace,spec,violated", DEFAULT_DENY_CASES)
def test_an_app_namespace_needs_a_default_deny_of_both_directions(namespace, spec, violated):
    from types import SimpleNamespace

    from aksnet.rules.guardrails import default_deny_per_app_namespace

    def resource(typ: str, props: dict[str, Any]) -> SimpleNamespace:
        return SimpleNamespace(resource_type=typ, name="r", urn="urn:r", props=props)
    stack = [resource("kubernetes:apps/v1:Deployment", {"metadata": {"name": "web", "namespace": namespace}})]
    if spec is not None:
        stack.append(resource("kubernetes:networking.k8s.io/v1:NetworkPolicy",
                              {"metadata": {"name": "deny", "namespace": namespace}, "spec": spec}))
    found: list[str] = []
    default_deny_per_app_namespace(SimpleNamespace(resources=stack), lambda message, urn=None: found.append(message))
    assert bool(found) is violated, found


# The provider's diff (pulumi/pulumi-azure-native provider/pkg/provider/diff.go, calculateObjectDiff): a key
# of the replace set that is added is ADD_REPLACE and one that is removed is DELETE_REPLACE, as a changed one
# is UPDATE_REPLACE; a key outside the set is a plain add, delete or update.

@pytest.mark.parametrize("path", ["networkProfile.podCidr", "diskEncryptionSetID", "networkProfile.networkPolicy"])
def test_a_force_new_input_removed_replaces_as_a_changed_one_does(path):
    head, _, rest = path.partition(".")
    old = cluster()["inputs"]
    old = {**old, head: {**old[head], rest: "value"}} if rest else {**old, head: "value"}
    new = {**old, head: {k: v for k, v in old[head].items() if k != rest}} if rest else \
        {k: v for k, v in old.items() if k != head}
    [change] = resource_changes([record(MC, "c", old)], [record(MC, "c", new)])
    assert (change.action, change.forced_by, change.changes[0].kind) == ("replace", [path], "delete")
    # The same removal of an input outside the replace set is an update.
    plain = {**old, "networkProfile": {**old["networkProfile"], "loadBalancerSku": "standard"}}
    [change] = resource_changes([record(MC, "c", plain)], [record(MC, "c", old)])
    assert (change.action, change.changes[0].kind) == ("update", "delete")


# The vocabulary's names, as the Kubernetes API checks them
# (https://kubernetes.io/docs/concepts/overview/working-with-objects/names/,
# https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#syntax-and-character-set, and
# IANA_SVC_NAME in https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/#ports).
NAME_CASES = [
    # DNS-1123 label: at most 63 lowercase alphanumerics or '-', alphanumeric at both ends.
    ("DNS_1123_LABEL", "a" * 63, True), ("DNS_1123_LABEL", "a" * 64, False), ("DNS_1123_LABEL", "1shop", True),
    ("DNS_1123_LABEL", "shop-", False), ("DNS_1123_LABEL", "Shop", False),
    # RFC 1035 label (a Service's name): the same, and a letter first.
    ("DNS_1035_LABEL", "1shop", False), ("DNS_1035_LABEL", "s" + "a" * 62, True), ("DNS_1035_LABEL", "s" * 64, False),
    # A label value: empty, or at most 63 of alphanumerics, '-', '_', '.', alphanumeric at both ends.
    ("LABEL_VALUE", "", True), ("LABEL_VALUE", "v" * 63, True), ("LABEL_VALUE", "v" * 64, False),
    ("LABEL_VALUE", "a_b.c-D", True), ("LABEL_VALUE", "-a", False),
    # A label key: an optional DNS subdomain prefix and '/', then a name of at most 63.
    ("LABEL_KEY", "app.kubernetes.io/name", True), ("LABEL_KEY", "k" * 63, True), ("LABEL_KEY", "k" * 64, False),
    ("LABEL_KEY", "", False),
    # IANA_SVC_NAME: at most 15, lowercase alphanumerics and '-', a letter among them, no '--', no '-' at an end.
    ("PORT_NAME", "p" * 15, True), ("PORT_NAME", "p" * 16, False), ("PORT_NAME", "8080", False),
    ("PORT_NAME", "h2c", True), ("PORT_NAME", "web--api", False), ("PORT_NAME", "-web", False),
    ("PORT_NAME", "web-", False), ("PORT_NAME", "Web", False),
]


@pytest.mark.parametrize("constant,text,valid", NAME_CASES)
def test_the_vocabularys_name_grammars_hold_kubernetes_bounds(constant, text, valid):
    import re

    from aksnet import vocabulary
    assert bool(re.fullmatch(getattr(vocabulary, constant), text)) is valid


def test_the_vocabularys_azure_and_kubernetes_names():
    from aksnet import vocabulary as v
    # https://www.rfc-editor.org/rfc/rfc1918 section 3: the three private blocks.
    assert v.PRIVATE_RANGES == ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")
    # https://learn.microsoft.com/azure/virtual-network/virtual-networks-faq: 5 reserved, the first four and the last.
    assert (v.AZURE_RESERVED_FIRST, v.AZURE_RESERVED_LAST, v.AZURE_RESERVED_PER_SUBNET) == (4, 1, 5)
    # https://learn.microsoft.com/azure/private-link/private-endpoint-dns: ACR's and Key Vault's zones.
    assert (v.REGISTRY_PRIVATE_ZONE, v.KEY_VAULT_PRIVATE_ZONE) == ("privatelink.azurecr.io",
                                                                   "privatelink.vaultcore.azure.net")
    # Subnets Azure accepts only under their exact names (firewall-faq, bastion, vpn-gateway settings).
    assert set(v.FIXED_SUBNETS) == {"AzureFirewallSubnet", "AzureFirewallManagementSubnet", "AzureBastionSubnet",
                                    "GatewaySubnet"}
    # https://kubernetes.io/docs/concepts/services-networking/network-policies/: TCP, UDP and SCTP.
    assert set(v.KUBERNETES_PROTOCOLS) == {"TCP", "UDP", "SCTP"}
    # https://learn.microsoft.com/azure/aks/app-routing: the add-on's class and namespace.
    assert (v.APP_ROUTING_INGRESS_CLASS, v.APP_ROUTING_NAMESPACE) == ("webapprouting.kubernetes.azure.com",
                                                                      "app-routing-system")
    # Resource type tokens as the engine and CrossGuard name them (networking.k8s.io/v1 Ingress and
    # NetworkPolicy; gateway.networking.k8s.io/v1 Gateway: https://gateway-api.sigs.k8s.io/reference/spec/).
    assert (v.INGRESS, v.NETWORK_POLICY, v.GATEWAY) == (
        "kubernetes:networking.k8s.io/v1:Ingress", "kubernetes:networking.k8s.io/v1:NetworkPolicy",
        "kubernetes:gateway.networking.k8s.io/v1:Gateway")


# The landing zone's private DNS zones. https://learn.microsoft.com/azure/aks/private-clusters#configure-a-private-
# dns-zone: a Private Link API server resolves in privatelink.<region>.azmk8s.io, one with API Server VNet
# Integration in private.<region>.azmk8s.io; https://learn.microsoft.com/azure/private-link/private-endpoint-dns:
# ACR in privatelink.azurecr.io, Key Vault in privatelink.vaultcore.azure.net. A public API server has no zone.

def test_the_hub_holds_the_private_link_zones_its_spokes_resolve_in():
    from aksnet.plan.landing_zone import hub_zones
    assert hub_zones("westeurope") == ("privatelink.westeurope.azmk8s.io", "privatelink.azurecr.io",
                                       "privatelink.vaultcore.azure.net")


@pytest.mark.parametrize("private,integration,zones", [
    (True, False, ("privatelink.westeurope.azmk8s.io",)),
    (True, True, ("private.westeurope.azmk8s.io",)),
    (False, False, ()),
])
def test_a_spoke_links_the_api_servers_zone_of_its_kind_only_when_private(private, integration, zones):
    from types import SimpleNamespace

    from aksnet.plan.landing_zone import spoke_zones
    spec = SimpleNamespace(cluster=SimpleNamespace(private=private, private_dns_zone="hub",
                                                   api_server_vnet_integration=integration),
                           environment=SimpleNamespace(location="westeurope"), registry=None, tls=None)
    assert spoke_zones(spec) == zones


# A cluster updated in place keeps its API server, so the Kubernetes provider built from its kubeconfig and the
# objects it manages stay (pulumi-kubernetes DiffConfig replaces the provider only when the kubeconfig's cluster
# changes: https://github.com/pulumi/pulumi-kubernetes/pull/2771); a replaced cluster replaces them.

def test_only_a_replaced_cluster_takes_the_kubernetes_provider_and_its_objects_with_it():
    provider_urn = "urn:pulumi:dev::aks-networking::pulumi:providers:kubernetes::k8s"
    provider = {"urn": provider_urn, "type": "pulumi:providers:kubernetes", "name": "k8s", "inputs": {}}
    config_map = record("kubernetes:core/v1:ConfigMap", "k8s-settings", {
        "metadata": {"name": "settings", "namespace": "development"}}, provider=f"{provider_urn}::0000")
    tagged = cluster({"tags": {"team": "platform"}})
    updated = {c.name: c.action for c in resource_changes([cluster(), provider, config_map],
                                                         [tagged, provider, config_map])}
    assert updated == {"cluster-aks": "update", "k8s": "same", "k8s-settings": "same"}
    replaced = {c.name: c.action for c in resource_changes([cluster(), provider, config_map],
                                                          [cluster(dnsServiceIP="10.0.0.53"), provider, config_map])}
    assert replaced == {"cluster-aks": "replace", "k8s": "replace", "k8s-settings": "replace"}


def test_an_autonamed_resource_gone_and_another_created_is_no_rename():
    # https://www.pulumi.com/docs/iac/concepts/resources/names/#autonaming: without its URL name the provider
    # names the resource anew, so the new one cannot collide with the old: no alias is missing.
    old = record("azure-native:network:RouteTable", "rt-old", {"resourceGroupName": "rg-dev"})
    new = record("azure-native:network:RouteTable", "rt-new", {"resourceGroupName": "rg-dev"})
    result = review([old], [new])
    assert sorted(c.action for c in result.changes) == ["create", "delete"] and result.findings == []


@pytest.mark.parametrize("profile", [{"serviceCidr": "10.1.0.0/16", "dnsServiceIP": "10.1.0.10"},
                                     {"dnsServiceIP": "10.0.0.53"},
                                     {"serviceCidrs": ["10.0.0.0/16", "fd00::/108"]}])
def test_a_new_service_range_or_dns_address_is_only_had_with_a_new_cluster(profile):
    # https://github.com/pulumi/pulumi-azure-native/pull/4771 and the AKS API: serviceCidr, serviceCidrs and
    # dnsServiceIP are create-only; every Service's cluster IP and the cluster DNS address move with them.
    result = review([cluster()], [cluster(**profile)])
    assert result.changes[0].action == "replace"
    assert {c.input: c.kind for c in result.consequences} == {f"networkProfile.{key}": "recreate" for key in profile}


def test_a_changed_element_of_the_service_ranges_is_sent_in_place_and_refused():
    # diff.go (calculateValueDiff): an array element's replace key is `serviceCidrs[]`, not in the replace set, so
    # the provider updates; the AKS API has no update path for the service range (PR #4771): `pulumi up` fails.
    # An element added to the array (a second, IPv6 range) is a plain ADD in diff.go: an update as well.
    for ranges in (["10.1.0.0/16"], ["10.0.0.0/16", "fd00::/108"]):
        result = review([cluster(serviceCidrs=["10.0.0.0/16"])], [cluster(serviceCidrs=ranges)])
        assert result.changes[0].action == "update", ranges
        assert levels(result) == {"azure-refuses:cluster-aks:networkProfile.serviceCidrs": "mandatory"}, ranges


def test_a_replaced_pool_gets_no_in_place_refusal_for_its_other_changes():
    # A replacement creates the pool anew: no in-place update of maxPods is ever sent, so nothing is refused for
    # it; the replacement's own collision under the same agentPoolName remains.
    result = review([_pool()], [_pool(vmSize="Standard_D8ds_v5", maxPods=50)])
    assert result.changes[0].action == "replace"
    assert levels(result) == {"replace-collides:cluster-pool-user": "mandatory"}



# Kubernetes minors (https://learn.microsoft.com/azure/aks/supported-kubernetes-versions, the release calendar):
# 1.36 leaves AKS support on 2027-06-30. The announced end is told until WARN_DAYS (60) before that day; from
# that day on the ending-soon rule speaks instead (aksnet/rules/design/cluster.py: end <= today + WARN_DAYS).

@pytest.mark.parametrize("day,announced", [("2027-04-30", True), ("2027-05-01", False)])
def test_the_minors_announced_end_stops_where_ending_soon_starts(day, announced):
    import datetime
    from types import SimpleNamespace

    from aksnet.rules.lifecycle import announced_end
    spec = SimpleNamespace(cluster=SimpleNamespace(kubernetes_version="1.36", network_plugin="azure",
                                                   network_policy="cilium"),
                           ingress=SimpleNamespace(controller="appgw"))
    told = [p for p in announced_end(spec, datetime.date.fromisoformat(day))  # type: ignore[arg-type]
            if p.path.endswith("cluster.kubernetesVersion")]
    assert bool(told) is announced


# https://learn.microsoft.com/azure/firewall/policy-rule-sets: a rule collection's priority, like a group's, is
# 100 to 65000; Azure processes collections of a group by priority. A spoke's collections, renumbered into its
# one group on the hub's policy, keep Azure's order and stay inside that range.

def test_a_spokes_collections_are_renumbered_inside_azures_priority_range_in_processing_order():
    from aksnet.plan.egress_rules import FirewallPolicyPlan, RuleGroup
    from aksnet.plan.landing_zone import RULE_GROUP_PRIORITIES, spoke_rule_group
    assert RULE_GROUP_PRIORITIES == (100, 65000)

    def collection(name: str, priority: int) -> dict[str, Any]:
        return {"name": name, "priority": priority, "ruleCollectionType": "FirewallPolicyFilterRuleCollection",
                "action": {"type": "Allow"}, "rules": []}
    policy = FirewallPolicyPlan({}, (RuleGroup("b", "workloads", 300, (collection("web", 100),)),
                                     RuleGroup("a", "aks", 200, (collection("aks", 65000), collection("deny", 100)))),
                                True, ())
    group = spoke_rule_group("spoke-a", policy, 1000)
    assert group is not None
    ordered = sorted(group.collections, key=lambda c: c["priority"])
    assert [c["name"] for c in ordered] == ["spoke-a-deny", "spoke-a-aks", "spoke-a-web"]
    assert all(100 <= c["priority"] <= 65000 for c in group.collections)


def test_a_spoke_without_a_chosen_priority_takes_the_first_of_its_range_and_routes_only_other_spokes():
    # landing-zone.yaml gives spoke-a priorities 1000-1099 and 10.110.0.0/16, spoke-b 10.120.0.0/16. Routes to the
    # other spokes go through the hub's firewall; a route of its own prefix would override its VNet's own system
    # route (https://learn.microsoft.com/azure/virtual-network/virtual-networks-udr-overview#how-azure-selects-a-route).
    import os
    from types import SimpleNamespace

    import yaml

    from aksnet.plan.egress_rules import FirewallPolicyPlan, RuleGroup
    from aksnet.plan.landing_zone import read_registry, spoke_attachment
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    with open(os.path.join(root, "landing-zone.yaml"), encoding="utf-8") as handle:
        registry = read_registry(yaml.safe_load(handle), "landing-zone.yaml")
    spec = SimpleNamespace(landing_zone=SimpleNamespace(name="spoke-a", rule_collection_priority=None),
                           cluster=SimpleNamespace(private=False, private_dns_zone="system",
                                                   api_server_vnet_integration=False),
                           environment=SimpleNamespace(location="westeurope"), registry=None, tls=None)
    collection = {"name": "web", "priority": 100, "ruleCollectionType": "FirewallPolicyFilterRuleCollection",
                  "action": {"type": "Allow"}, "rules": []}
    plan = SimpleNamespace(firewall=FirewallPolicyPlan({}, (RuleGroup("w", "workloads", 300, (collection,)),), True, ()))
    attached = spoke_attachment(spec, plan, registry)
    assert attached.rule_group is not None and attached.rule_group.priority == 1000
    assert [prefix for _, prefix in attached.routes] == ["10.120.0.0/16"]


# https://kubernetes.io/docs/concepts/services-networking/ingress/#examples: a Prefix path matches element by
# element and a trailing slash is ignored ("/foo" and "/foo/" match the same requests); "/" is every path.

@pytest.mark.parametrize("first,second,same", [("/a", "/a/", True), ("/", "/", True), ("/a", "/ab", False),
                                               ("/a/b/", "/a/b", True)])
def test_two_routes_of_one_host_claim_one_path_whatever_their_trailing_slash(first, second, same):
    from types import SimpleNamespace

    from aksnet.rules.kubernetes_objects import one_route_per_host_and_path

    def route(path: str) -> SimpleNamespace:
        return SimpleNamespace(host="shop.example.com", paths=[SimpleNamespace(path=path)])
    spec = SimpleNamespace(kubernetes=SimpleNamespace(workloads=SimpleNamespace(ingresses=[route(first),
                                                                                          route(second)])))
    found = list(one_route_per_host_and_path(spec))  # type: ignore[arg-type]
    assert [p.path for p in found] == (["aks-networking:kubernetes.ingresses[1].paths[0].path"] if same else [])


# https://cloud-provider-azure.sigs.k8s.io/topics/loadbalancer/: one load balancing rule answers a frontend address,
# protocol and port. The application routing add-on's NGINX (https://learn.microsoft.com/azure/aks/app-routing)
# takes TCP 80 and 443 on its address only when it is the stack's controller; an nginx block left beside another
# controller deploys nothing.

@pytest.mark.parametrize("controller,port,refused", [("nginx", 80, True), ("nginx", 443, True), ("nginx", 8080, False),
                                                     ("appgw", 80, False)])
def test_an_internal_service_may_not_take_nginxs_ports_on_its_address_when_nginx_runs(controller, port, refused):
    import ipaddress as ip
    from types import SimpleNamespace

    from aksnet.rules.kubernetes_objects import one_claim_per_internal_address_and_port
    address = ip.IPv4Address("192.168.2.10")
    app = SimpleNamespace(service_type="InternalLoadBalancer", static_ip=address,
                          ports=[SimpleNamespace(protocol="TCP", port=port)])
    spec = SimpleNamespace(ingress=SimpleNamespace(controller=controller, nginx=SimpleNamespace(static_ip=address)),
                           kubernetes=SimpleNamespace(workloads=SimpleNamespace(apps=[app])))
    found = list(one_claim_per_internal_address_and_port(spec))  # type: ignore[arg-type]
    assert bool(found) is refused, found


# https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#selector and
# https://kubernetes.io/docs/concepts/services-networking/service/#services-without-selectors: a selector selects
# the pods carrying all its labels, in its own namespace; a Service without a selector selects no pod.

@pytest.mark.parametrize("mine,theirs,namespace,selects", [
    ({"app": "web"}, {"app": "web", "tier": "front"}, "shop", True),
    ({"app": "web", "tier": "back"}, {"app": "web", "tier": "front"}, "shop", False),
    ({"app": "web"}, {"app": "web"}, "other", False),
    ({}, {"app": "web"}, "shop", False),
])
def test_an_apps_selector_is_refused_exactly_when_it_selects_another_apps_pods(mine, theirs, namespace, selects):
    from types import SimpleNamespace

    from aksnet.rules.kubernetes_objects import selectors_select_only_their_app
    apps = [SimpleNamespace(name="mine", namespace="shop", labels=mine),
            SimpleNamespace(name="theirs", namespace=namespace, labels=theirs)]
    spec = SimpleNamespace(kubernetes=SimpleNamespace(workloads=SimpleNamespace(apps=apps)))
    found = [p.path for p in selectors_select_only_their_app(spec)]  # type: ignore[arg-type]
    assert ("aks-networking:kubernetes.apps[0].labels" in found) is selects, found
