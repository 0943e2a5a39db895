"""Every Azure and Kubernetes value the cluster-side components send, pinned against its documentation.

The components swept: cluster, appgateway, ingress_agc, ingress_chart, gitops, keyvault, registry,
diagnostics and kubernetes_layer. Each test compares one resource's (or one rule's) inputs, key by key,
with the values Microsoft's, Kubernetes' or Pulumi's documentation gives (URL beside each table), so a
one-place slip (the neighbouring SKU, the other role, a flag flipped, a guard dropped) fails here.
Runs: the session's `prod` and `dev`, and three variants of our own (module fixtures below).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.stacks import DELETE, example, load, variant
from tools.mock_engine import Record, RunResult, run_program

CLUSTER = "azure-native:containerservice:ManagedCluster"
GATEWAY = "azure-native:network:ApplicationGateway"
ROLE = "azure-native:authorization:RoleAssignment"

# Built-in role names and ids: https://learn.microsoft.com/azure/role-based-access-control/built-in-roles
BUILT_IN = {
    "Network Contributor": "4d97b98b-1d4f-4787-a291-c67834d212e7",
    "Private DNS Zone Contributor": "b12aa53e-6015-4669-85d0-8515ebb3ae7f",
    "Reader": "acdd72a7-3385-48ef-bd42-f606fba81ae7",
    "Contributor": "b24988ac-6180-42a0-ab88-20f7382dd24c",
    "Managed Identity Operator": "f1a07417-d97a-45cb-824c-7a7467783830",
    "Key Vault Secrets User": "4633458b-17de-408a-b874-0445c86b69e6",
    "AcrPull": "7f951dda-4ed3-4680-a7ca-43fe172d538d",
    "Azure Kubernetes Service RBAC Cluster Admin": "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b",
    "Azure Kubernetes Service RBAC Reader": "7f6c6a51-bcf8-42ba-9220-52d62157d7db",
    "AppGw for Containers Configuration Manager": "fbc52c3f-28ad-4303-a892-8a056630b8f1",
}


def _ok(result: RunResult) -> RunResult:
    assert result.error is None, result.error
    return result


def _agc_waf_config() -> dict[str, Any]:
    """The AGC example with a WAF policy on the traffic controller."""
    waf = ("/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-waf/providers/"
           "Microsoft.Network/ApplicationGatewayWebApplicationFirewallPolicies/waf-agc")
    return variant(example("agc"), {"aks-networking:ingress.agc.wafPolicyId": waf})


def _prod_more_config() -> dict[str, Any]:
    """prod with a private gateway frontend beside the public one, the Istio add-on, traffic analytics and
    90 days of retention, API server VNet integration, Kubernetes RBAC instead of Azure RBAC, its User pool
    listed before its System pool, a Kubernetes layer nobody delivers, pods in a subnet of their own (Azure
    CNI with dynamic pod IP allocation), in North Europe."""
    config = load("prod")
    system, user = config["aks-networking:cluster"]["nodePools"]
    return variant(config, {
        "aks-networking:cluster.entraId.azureRbac": False,
        "aks-networking:cluster.nodePools": [user, system],
        "aks-networking:ingress.appGateway.privateIp": "10.240.4.10",
        "aks-networking:cluster.apiServerVnetIntegration": True,
        "aks-networking:network.spoke.subnets.apiserver": "10.240.7.0/28",
        "aks-networking:cluster.serviceMesh": "istio",
        "aks-networking:kubernetes.delivery": "none", "aks-networking:kubernetes.gitops": DELETE,
        "aks-networking:diagnostics": {"trafficAnalytics": True, "retentionDays": 90},
        "aks-networking:cluster.networkPluginMode": None, "aks-networking:cluster.podCidr": None,
        "aks-networking:network.spoke.subnets.pods": "10.240.8.0/22",
        "azure-native:location": "northeurope"})


@pytest.fixture(scope="module")
def agc_waf() -> RunResult:
    return _ok(run_program("agc", _agc_waf_config()))


@pytest.fixture(scope="module")
def prod_more() -> RunResult:
    return _ok(run_program("prod", _prod_more_config()))


def _named(result: RunResult, typ: str, name: str) -> Record:
    found = [r for r in result.records if r.type == typ and r.name == name]
    assert len(found) == 1, (typ, name, [r.name for r in result.of_type(typ)])
    return found[0]


def _by_urn(result: RunResult) -> dict[str, Record]:
    return {r.urn: r for r in result.records}


def _dig(value: Any, path: str) -> Any:
    for step in path.split("."):
        value = value[int(step)] if isinstance(value, list) else value.get(step) if value is not None else None
    return value


def _compare(inputs: dict, expected: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """Each (path, sent, documented) where what is sent differs from what is documented."""
    return [(path, _dig(inputs, path), want) for path, want in expected.items() if _dig(inputs, path) != want]


# --- roles: each grant, its built-in role (by id), its principal kind and its scope -------------------

# (record name, role, principal type, what the scope id ends with)
# Cluster identity: https://learn.microsoft.com/azure/aks/use-managed-identity#add-a-role-assignment and
# https://learn.microsoft.com/azure/aks/private-clusters#configure-a-private-dns-zone (zone + VNet);
# AKS RBAC roles for Entra groups: https://learn.microsoft.com/azure/aks/manage-azure-rbac;
# AGIC: https://learn.microsoft.com/azure/application-gateway/ingress-controller-install-existing;
# gateway reading Key Vault: https://learn.microsoft.com/azure/application-gateway/key-vault-certs;
# kubelet pulling: https://learn.microsoft.com/azure/aks/cluster-container-registry-integration.
PROD_ROLES = [
    ("cluster-role-nodes", "Network Contributor", "ServicePrincipal", "/subnets/snet-nodes"),
    ("cluster-role-ilb", "Network Contributor", "ServicePrincipal", "/subnets/snet-ilb"),
    ("cluster-role-routes", "Network Contributor", "ServicePrincipal", "/routeTables/rt-prod-aks"),
    ("cluster-role-dns", "Private DNS Zone Contributor", "ServicePrincipal",
     "/privateDnsZones/privatelink.westeurope.azmk8s.io"),
    ("cluster-role-vnet", "Network Contributor", "ServicePrincipal", "/virtualNetworks/vnet-prod-spoke"),
    ("cluster-access-admins-0", "Azure Kubernetes Service RBAC Cluster Admin", "Group", "/managedClusters/aks-prod"),
    ("cluster-access-readers-0", "Azure Kubernetes Service RBAC Reader", "Group", "/managedClusters/aks-prod"),
    ("agic-gateway", "Contributor", "ServicePrincipal", "/applicationGateways/agw-prod-ingress"),
    ("agic-group", "Reader", "ServicePrincipal", "/resourceGroups/rg-prod-spoke"),
    ("agic-subnet", "Network Contributor", "ServicePrincipal", "/subnets/snet-appgw"),
    ("agic-gateway-identity", "Managed Identity Operator", "ServicePrincipal", "/userAssignedIdentities/id-prod-agw"),
    ("appgw-keyvault-secrets", "Key Vault Secrets User", "ServicePrincipal", "/vaults/kv-contoso-aksnet-prod"),
    ("registry-kubelet-acrpull", "AcrPull", "ServicePrincipal", "/registries/contosoaksnetprod"),
]
# The ALB Controller: Reader on the node (MC_) resource group, the configuration manager on the AGC's
# group, Network Contributor on the association subnet, and on a WAF policy it references (join action).
# https://learn.microsoft.com/azure/application-gateway/for-containers/quickstart-create-application-gateway-for-containers-byo-deployment
# https://learn.microsoft.com/azure/application-gateway/for-containers/how-to-waf-gateway-api
AGC_ROLES = [
    ("agc-role-nodes", "Reader", "ServicePrincipal", "/resourceGroups/rg-agc-aks-nodes"),
    ("agc-role-agc", "AppGw for Containers Configuration Manager", "ServicePrincipal", "/resourceGroups/rg-agc-spoke"),
    ("agc-role-subnet", "Network Contributor", "ServicePrincipal", "/subnets/snet-agc"),
    ("agc-role-waf", "Network Contributor", "ServicePrincipal", "/applicationGatewayWebApplicationFirewallPolicies/waf-agc"),
    ("cluster-role-vnet", "Network Contributor", "ServicePrincipal", "/virtualNetworks/vnet-agc-spoke"),
]
# dev: no private zone of ours, so no VNet or zone grant; Pulumi applies the layer, so the deployer
# is Cluster Admin (it creates namespaces and cluster-scoped GatewayClasses).
DEV_ROLES = [
    ("cluster-role-nodes", "Network Contributor", "ServicePrincipal", "/subnets/snet-nodes"),
    ("cluster-role-ilb", "Network Contributor", "ServicePrincipal", "/subnets/snet-ilb"),
    ("cluster-role-routes", "Network Contributor", "ServicePrincipal", "/routeTables/rt-dev-aks"),
    ("cluster-access-deployer", "Azure Kubernetes Service RBAC Cluster Admin", "ServicePrincipal",
     "/managedClusters/aks-dev"),
]


def _role_problems(result: RunResult, table: list[tuple[str, str, str, str]], exact: bool) -> list[Any]:
    problems: list[Any] = []
    for name, role, principal, scope in table:
        grants = [r for r in result.of_type(ROLE) if r.name == name]
        if len(grants) != 1:
            problems.append((name, "missing"))
            continue
        inputs = grants[0].inputs
        sent = (inputs["roleDefinitionId"].rsplit("/", 1)[-1], inputs.get("principalType"),
                inputs["scope"].lower().endswith(scope.lower()))
        if sent != (BUILT_IN[role], principal, True):
            problems.append((name, sent, (BUILT_IN[role], principal, scope)))
    if exact:
        extra = sorted({r.name for r in result.of_type(ROLE)} - {row[0] for row in table})
        if extra:
            problems.append(("unexpected grants", extra))
    return problems


def test_every_role_assignment_in_prod_is_the_documented_role_kind_and_scope(prod):
    assert _role_problems(prod, PROD_ROLES, exact=True) == []


def test_the_alb_controller_and_the_agc_cluster_hold_the_documented_roles(agc_waf):
    assert _role_problems(agc_waf, AGC_ROLES, exact=False) == []


def test_dev_grants_the_deployer_cluster_admin_because_pulumi_applies_the_layer(dev):
    assert _role_problems(dev, DEV_ROLES, exact=True) == []


def test_with_api_server_vnet_integration_the_identity_joins_the_apiserver_subnet(prod_more):
    # A bring-your-own API server subnet needs Network Contributor for the cluster identity.
    # https://learn.microsoft.com/azure/aks/api-server-vnet-integration
    row = ("cluster-role-apiserver", "Network Contributor", "ServicePrincipal", "/subnets/snet-apiserver")
    assert _role_problems(prod_more, [row], exact=False) == []


# --- the managed cluster ------------------------------------------------------------------------------

def test_the_prod_cluster_sends_the_documented_identity_access_and_upgrade_settings(prod):
    cluster = prod.one(CLUSTER)
    identity = _named(prod, "azure-native:managedidentity:UserAssignedIdentity", "cluster-identity")
    expected = {
        # sku.name is Base (Automatic is another product); prod's tier carries the SLA.
        # https://learn.microsoft.com/azure/aks/free-standard-pricing-tiers
        "sku": {"name": "Base", "tier": "Standard"},
        # A user-assigned control-plane identity: https://learn.microsoft.com/azure/aks/use-managed-identity
        "identity": {"type": "UserAssigned", "userAssignedIdentities": [identity.outputs["id"]]},
        # Kubernetes RBAC on; AKS-managed Entra ID with Azure RBAC; local accounts off (prod says so).
        # https://learn.microsoft.com/azure/aks/manage-local-accounts-managed-azure-ad
        "enableRBAC": True, "disableLocalAccounts": True,
        "aadProfile.managed": True, "aadProfile.enableAzureRBAC": True,
        "aadProfile.adminGroupObjectIDs": ["6f1a2b3c-4d5e-4f60-8a71-92b3c4d5e6f7"],
        # Workload identity needs the OIDC issuer and the webhook both on:
        # https://learn.microsoft.com/azure/aks/workload-identity-deploy-cluster
        "oidcIssuerProfile.enabled": True, "securityProfile.workloadIdentity.enabled": True,
        # Two channels, each its own value: https://learn.microsoft.com/azure/aks/auto-upgrade-node-os-image
        "autoUpgradeProfile.upgradeChannel": "patch", "autoUpgradeProfile.nodeOSUpgradeChannel": "NodeImage",
        # The inline pool is the System pool (a cluster needs one): https://learn.microsoft.com/azure/aks/use-system-pools
        "agentPoolProfiles.0.mode": "System",
        "serviceMeshProfile": None,
        # A private API server has no authorized IP ranges: https://learn.microsoft.com/azure/aks/api-server-authorized-ip-ranges
        "apiServerAccessProfile.authorizedIPRanges": None,
    }
    assert _compare(cluster.inputs, expected) == []
    assert len(cluster.inputs["agentPoolProfiles"]) == 1


def test_the_system_pool_is_the_inline_one_wherever_the_stack_lists_it(prod_more):
    # AKS creates a cluster with a System pool; User pools are added beside it.
    # https://learn.microsoft.com/azure/aks/use-system-pools
    inline = prod_more.one(CLUSTER).inputs["agentPoolProfiles"]
    assert [(p["name"], p["mode"]) for p in inline] == [("system", "System")]
    standalone = prod_more.one("azure-native:containerservice:AgentPool").inputs
    assert (standalone["agentPoolName"], standalone["mode"]) == ("user", "User")


def test_with_a_pod_subnet_every_pool_names_it_and_the_identity_joins_it(prod_more):
    # Dynamic pod IP allocation: each pool names its node subnet and its pod subnet, and the cluster
    # identity joins both. https://learn.microsoft.com/azure/aks/configure-azure-cni-dynamic-ip-allocation
    pools = [*prod_more.one(CLUSTER).inputs["agentPoolProfiles"],
             prod_more.one("azure-native:containerservice:AgentPool").inputs]
    assert [(p["vnetSubnetID"].rsplit("/", 1)[-1], p.get("podSubnetID", "").rsplit("/", 1)[-1]) for p in pools] == \
        [("snet-nodes", "snet-pods")] * 2
    row = ("cluster-role-pods", "Network Contributor", "ServicePrincipal", "/subnets/snet-pods")
    assert _role_problems(prod_more, [row], exact=False) == []


def test_without_azure_rbac_entra_groups_get_no_azure_role_on_the_cluster(prod_more):
    # With Kubernetes RBAC the admin groups are bound in the cluster; Azure RBAC roles would not apply.
    # https://learn.microsoft.com/azure/aks/enable-authentication-microsoft-entra-id
    aad = prod_more.one(CLUSTER).inputs["aadProfile"]
    assert (aad["managed"], aad["enableAzureRBAC"]) == (True, False)
    assert [r.name for r in prod_more.of_type(ROLE) if "-access-" in r.name] == []


def test_the_istio_add_on_is_the_istio_mode_of_the_mesh_profile(prod_more):
    # https://learn.microsoft.com/azure/aks/istio-deploy-addon
    assert prod_more.one(CLUSTER).inputs["serviceMeshProfile"] == {"mode": "Istio"}


def test_the_autoscaler_owns_count_only_on_autoscaled_pools(prod, dev):
    # The cluster autoscaler changes a pool's count; setting it again would fight it.
    # https://learn.microsoft.com/azure/aks/cluster-autoscaler
    prod_cluster, dev_cluster = prod.one(CLUSTER), dev.one(CLUSTER)
    assert prod_cluster.inputs["agentPoolProfiles"][0]["enableAutoScaling"] is True
    assert prod_cluster.ignore_changes == ["agentPoolProfiles[0].count"]
    assert dev_cluster.inputs["agentPoolProfiles"][0].get("enableAutoScaling") in (None, False)
    assert dev_cluster.ignore_changes == []
    pool = prod.one("azure-native:containerservice:AgentPool")
    assert pool.inputs["enableAutoScaling"] is True and pool.ignore_changes == ["count"]


def test_the_pod_security_initiative_is_assigned_on_the_cluster_and_enforced(prod):
    assignment = prod.one("azure-native:authorization:PolicyAssignment").inputs
    # Baseline pod security standards initiative for Linux workloads, a policy *set* definition;
    # enforcementMode Default enforces (DoNotEnforce only reports).
    # https://learn.microsoft.com/azure/aks/policy-reference,
    # https://learn.microsoft.com/azure/governance/policy/concepts/assignment-structure#enforcement-mode
    assert assignment["policyDefinitionId"] == \
        "/providers/Microsoft.Authorization/policySetDefinitions/a8640138-9b0a-4a28-b8cb-1666c838647d"
    assert assignment["enforcementMode"] == "Default"
    assert assignment["scope"] == prod.one(CLUSTER).outputs["id"]
    assert assignment["parameters"]["effect"]["value"] in ("deny", "Deny")


def test_the_kubeconfig_is_the_exec_format_and_the_api_address_the_private_one(prod):
    # With Entra ID the user kubeconfig uses kubelogin's exec plugin:
    # https://learn.microsoft.com/azure/aks/kubelogin-authentication
    calls = [a for t, a in prod.invokes if t.endswith(":listManagedClusterUserCredentials")]
    assert calls and all(a.get("format") == "exec" for a in calls)
    # A private cluster's API server answers on its private FQDN: https://learn.microsoft.com/azure/aks/private-clusters
    assert prod.exports["apiServerFqdn"] == prod.one(CLUSTER).outputs["privateFQDN"]


def test_the_kubernetes_provider_applies_server_side_and_exists_only_when_pulumi_applies(dev, prod, prod_more):
    # https://www.pulumi.com/registry/packages/kubernetes/installation-configuration/#server-side-apply
    provider = dev.one("pulumi:providers:kubernetes")
    assert provider.inputs["enableServerSideApply"] == "true"
    # Under GitOps or with no delivery, nothing outside the cluster talks to its API server.
    assert prod.of_type("pulumi:providers:kubernetes") == prod_more.of_type("pulumi:providers:kubernetes") == []


# --- the application gateway, its WAF policy and what AGIC owns ---------------------------------------

def test_the_gateway_sends_the_documented_v2_sku_tls_policy_and_bootstrap_objects(prod):
    gateway = prod.one(GATEWAY)
    expected = {
        # v2 SKU: name and tier both WAF_v2. https://learn.microsoft.com/azure/application-gateway/overview-v2
        "sku": {"name": "WAF_v2", "tier": "WAF_v2"},
        "zones": ["1", "2", "3"],
        # Autoscaling v2: the stack's 0 to 10 instances. https://learn.microsoft.com/azure/application-gateway/application-gateway-autoscaling-zone-redundant
        "autoscaleConfiguration": {"minCapacity": 0, "maxCapacity": 10},
        # TLS 1.2 minimum: https://learn.microsoft.com/azure/application-gateway/application-gateway-ssl-policy-overview
        "sslPolicy": {"policyType": "Predefined", "policyName": "AppGwSslPolicy20220101"},
        # The bootstrap objects AGIC replaces: HTTP on 80 to a pool, a Basic rule.
        "frontendPorts": [{"name": "port-80", "port": 80}],
        "backendHttpSettingsCollection.0.port": 80, "backendHttpSettingsCollection.0.protocol": "Http",
        "backendHttpSettingsCollection.0.cookieBasedAffinity": "Disabled",
        "httpListeners.0.protocol": "Http",
        "requestRoutingRules.0.ruleType": "Basic",
    }
    assert _compare(gateway.inputs, expected) == []
    # The gateway's own subnet: https://learn.microsoft.com/azure/application-gateway/configuration-infrastructure
    assert [c["subnet"]["id"].rsplit("/", 1)[-1] for c in gateway.inputs["gatewayIPConfigurations"]] == ["snet-appgw"]
    # Request timeout 1 to 86400 s: https://learn.microsoft.com/azure/application-gateway/configuration-http-settings
    assert 1 <= gateway.inputs["backendHttpSettingsCollection"][0]["requestTimeout"] <= 86400
    # Rule priority 1 (first) to 20000 (last): the bootstrap rule sits last, below every AGIC rule.
    # https://learn.microsoft.com/azure/application-gateway/multiple-site-overview#request-routing-rules-evaluation-order
    assert gateway.inputs["requestRoutingRules"][0]["priority"] == 20000


def test_the_listener_faces_the_public_frontend_and_a_private_frontend_is_static(prod_more):
    gateway = prod_more.one(GATEWAY).inputs
    frontends = {f["name"]: f for f in gateway["frontendIPConfigurations"]}
    # A v2 gateway's private frontend takes a static address only:
    # https://learn.microsoft.com/azure/application-gateway/application-gateway-private-deployment
    assert frontends["frontend-private"]["privateIPAllocationMethod"] == "Static"
    assert frontends["frontend-private"]["privateIPAddress"] == "10.240.4.10"
    assert gateway["httpListeners"][0]["frontendIPConfiguration"]["id"].endswith("/frontend-public")


def test_the_waf_policy_prevents_inspects_bodies_and_runs_the_current_managed_rule_sets(prod):
    waf = prod.one("azure-native:network:WebApplicationFirewallPolicy").inputs
    settings = waf["policySettings"]
    # https://learn.microsoft.com/azure/web-application-firewall/ag/policy-overview
    assert (settings["state"], settings["mode"], settings["requestBodyCheck"]) == ("Enabled", "Prevention", True)
    # With DRS on WAF_v2: a body of at most 2 MB, uploads 1 MB to 4 GB.
    # https://learn.microsoft.com/azure/web-application-firewall/ag/application-gateway-waf-request-size-limits
    assert 8 <= settings["maxRequestBodySizeInKb"] <= 2000
    assert 1 <= settings["fileUploadLimitInMb"] <= 4000
    # Default Rule Set 2.1 and the bot manager's 1.0:
    # https://learn.microsoft.com/azure/web-application-firewall/ag/application-gateway-crs-rulegroups-rules
    # https://learn.microsoft.com/azure/web-application-firewall/ag/bot-protection-overview
    sets = {(s["ruleSetType"], s["ruleSetVersion"]) for s in waf["managedRules"]["managedRuleSets"]}
    assert sets == {("Microsoft_DefaultRuleSet", "2.1"), ("Microsoft_BotManagerRuleSet", "1.0")}


def test_pulumi_leaves_what_agic_rewrites_and_the_gateway_waits_for_its_key_vault_role(prod):
    gateway = prod.one(GATEWAY)
    # AGIC writes the gateway's listeners, rules, pools, probes, settings, certificates, redirects,
    # path maps, ports, rewrite sets, and its own tags.
    # https://learn.microsoft.com/azure/application-gateway/ingress-controller-overview
    assert set(gateway.ignore_changes) == {
        "backendAddressPools", "backendHttpSettingsCollection", "httpListeners", "probes", "requestRoutingRules",
        "redirectConfigurations", "urlPathMaps", "sslCertificates", "frontendPorts", "rewriteRuleSets", "tags"}
    # The gateway fails to create if it cannot read its certificates yet:
    # https://learn.microsoft.com/azure/application-gateway/key-vault-certs
    role = _named(prod, ROLE, "appgw-keyvault-secrets")
    assert role.urn in gateway.dependencies


# --- AGC ---------------------------------------------------------------------------------------------

def test_agc_associates_the_subnet_federates_the_controller_and_scopes_the_waf(agc_waf):
    association = agc_waf.one("azure-native:servicenetworking:AssociationsInterface")
    assert association.inputs["associationType"] == "subnets"
    federation = agc_waf.one("azure-native:managedidentity:FederatedIdentityCredential").inputs
    # https://learn.microsoft.com/azure/aks/workload-identity-deploy-cluster
    assert federation["audiences"] == ["api://AzureADTokenExchange"]
    assert federation["subject"] == "system:serviceaccount:azure-alb-system:alb-controller-sa"
    # Frontends are created once the association exists (the quickstart's order).
    for frontend in agc_waf.of_type("azure-native:servicenetworking:FrontendsInterface"):
        assert association.urn in frontend.dependencies
    policy = agc_waf.one("azure-native:servicenetworking:SecurityPoliciesInterface").inputs
    assert policy["wafPolicy"]["id"].endswith("/applicationgatewaywebapplicationfirewallpolicies/waf-agc".replace(
        "applicationgatewaywebapplicationfirewallpolicies", "ApplicationGatewayWebApplicationFirewallPolicies"))


# --- Key Vault, registry, private endpoints ----------------------------------------------------------

def test_the_vault_is_rbac_authorized_purge_protected_and_private(prod):
    vault = prod.one("azure-native:keyvault:Vault")
    expected = {
        # https://learn.microsoft.com/azure/key-vault/general/about-keys-secrets-certificates (SKU family A)
        "properties.sku": {"family": "A", "name": "standard"},
        # The gateway's role works only under the RBAC model: https://learn.microsoft.com/azure/key-vault/general/rbac-guide
        "properties.enableRbacAuthorization": True,
        # Soft delete keeps 7 to 90 days; purge protection: https://learn.microsoft.com/azure/key-vault/general/soft-delete-overview
        "properties.enableSoftDelete": True, "properties.enablePurgeProtection": True,
        # Trusted services (the gateway) pass a closed vault: https://learn.microsoft.com/azure/key-vault/general/overview-vnet-service-endpoints
        "properties.publicNetworkAccess": "Disabled",
        "properties.networkAcls": {"defaultAction": "Deny", "bypass": "AzureServices"},
    }
    assert _compare(vault.inputs, expected) == []
    assert 7 <= vault.inputs["properties"]["softDeleteRetentionInDays"] <= 90
    assert vault.protect is True


def test_the_registry_is_premium_private_with_a_data_endpoint(prod, agc_waf):
    registry = prod.one("azure-native:containerregistry:Registry")
    # Private endpoints need Premium; dedicated data endpoints; export policy off; no admin, no anonymous pull.
    # https://learn.microsoft.com/azure/container-registry/container-registry-private-link
    # https://learn.microsoft.com/azure/container-registry/container-registry-dedicated-data-endpoints
    expected = {"sku": {"name": "Premium"}, "adminUserEnabled": False, "anonymousPullEnabled": False,
                "publicNetworkAccess": "Disabled", "networkRuleBypassOptions": "AzureServices",
                "dataEndpointEnabled": True, "policies": {"exportPolicy": {"status": "disabled"}},
                "zoneRedundancy": "Enabled"}
    assert _compare(registry.inputs, expected) == []
    assert agc_waf.one("azure-native:containerregistry:Registry").inputs["zoneRedundancy"] == "Disabled"


def test_each_private_endpoint_names_its_services_sub_resource(prod):
    # Group ids: `registry` for ACR, `vault` for Key Vault.
    # https://learn.microsoft.com/azure/private-link/private-endpoint-overview#private-link-resource
    groups = {r.name: r.inputs["privateLinkServiceConnections"][0]["groupIds"]
              for r in prod.of_type("azure-native:network:PrivateEndpoint")}
    assert groups == {"registry-endpoint": ["registry"], "keyvault-endpoint": ["vault"]}


# --- diagnostics ---------------------------------------------------------------------------------------

def test_the_workspace_storage_and_flow_logs_send_the_documented_settings(prod, dev):
    workspace = prod.one("azure-native:operationalinsights:Workspace").inputs
    # Pay-as-you-go is PerGB2018: https://learn.microsoft.com/azure/azure-monitor/logs/cost-logs
    assert (workspace["sku"], workspace["retentionInDays"]) == ({"name": "PerGB2018"}, 30)
    # Flow logs need a StorageV2 account; https only, TLS 1.2, no public blobs, closed but to trusted services.
    # https://learn.microsoft.com/azure/network-watcher/vnet-flow-logs-overview
    account = {"kind": "StorageV2", "sku": {"name": "Standard_ZRS"}, "allowBlobPublicAccess": False,
               "minimumTlsVersion": "TLS1_2", "enableHttpsTrafficOnly": True,
               "networkRuleSet": {"defaultAction": "Deny", "bypass": "AzureServices"}}
    assert _compare(prod.one("azure-native:storage:StorageAccount").inputs, account) == []
    assert dev.one("azure-native:storage:StorageAccount").inputs["sku"] == {"name": "Standard_LRS"}
    # Flow logs are children of NetworkWatcher_<region>: https://learn.microsoft.com/azure/network-watcher/network-watcher-create
    for flow in prod.of_type("azure-native:network:FlowLog"):
        sent = flow.inputs
        assert (sent["networkWatcherName"], sent["enabled"], sent["retentionPolicy"]) == \
            ("NetworkWatcher_westeurope", True, {"days": 30, "enabled": True}), flow.name
        # A VNet flow log targets the VNet itself.
        assert sent["targetResourceId"].endswith(f"/virtualNetworks/vnet-prod-{flow.name.rsplit('-', 1)[-1]}"), flow.name


def test_the_stacks_retention_reaches_the_workspace_and_every_flow_log(prod_more):
    # Workspace retention, 30 to 730 days: https://learn.microsoft.com/azure/azure-monitor/logs/data-retention-configure
    assert prod_more.one("azure-native:operationalinsights:Workspace").inputs["retentionInDays"] == 90
    for flow in prod_more.of_type("azure-native:network:FlowLog"):
        assert flow.inputs["retentionPolicy"] == {"days": 90, "enabled": True}, flow.name


def test_traffic_analytics_is_on_and_names_the_workspace_by_its_guid(prod_more):
    # workspaceId is the workspace's GUID (customer id), workspaceResourceId its ARM id.
    # https://learn.microsoft.com/azure/network-watcher/traffic-analytics
    workspace = prod_more.one("azure-native:operationalinsights:Workspace")
    for flow in prod_more.of_type("azure-native:network:FlowLog"):
        analytics = flow.inputs["flowAnalyticsConfiguration"]["networkWatcherFlowAnalyticsConfiguration"]
        assert analytics["enabled"] is True
        assert analytics["workspaceId"] == workspace.outputs["customerId"]
        assert analytics["workspaceResourceId"] == workspace.outputs["id"]
        assert analytics["workspaceRegion"] == "northeurope"
        # The region's own watcher: https://learn.microsoft.com/azure/network-watcher/network-watcher-create
        assert flow.inputs["networkWatcherName"] == "NetworkWatcher_northeurope"


def test_diagnostic_settings_send_all_metrics_and_resource_specific_tables(prod):
    # https://learn.microsoft.com/azure/azure-monitor/essentials/resource-logs#resource-specific
    settings = {r.name: r.inputs for r in prod.of_type("azure-native:monitor:DiagnosticSetting")}
    for name in ("diagnostics-appGateway", "diagnostics-cluster", "diagnostics-firewall", "diagnostics-registry"):
        assert settings[name].get("logAnalyticsDestinationType") == "Dedicated", name
    for name, inputs in settings.items():
        assert inputs.get("metrics") in (None, [{"category": "AllMetrics", "enabled": True}]), name
    assert settings["diagnostics-cluster"]["metrics"] == [{"category": "AllMetrics", "enabled": True}]


# --- GitOps and the Kubernetes layer ---------------------------------------------------------------------

def test_the_flux_extension_and_configuration_are_the_documented_aks_shapes(prod):
    extension = prod.one("azure-native:kubernetesconfiguration:Extension")
    # https://learn.microsoft.com/azure/azure-arc/kubernetes/extensions-release#flux-gitops
    expected_extension = {"extensionType": "microsoft.flux", "releaseTrain": "Stable",
                          "clusterRp": "Microsoft.ContainerService", "clusterResourceName": "managedClusters",
                          "autoUpgradeMinorVersion": True}
    assert _compare(extension.inputs, expected_extension) == []
    configuration = prod.one("azure-native:kubernetesconfiguration:FluxConfiguration")
    # https://learn.microsoft.com/azure/azure-arc/kubernetes/conceptual-gitops-flux2
    expected = {"clusterRp": "Microsoft.ContainerService", "clusterResourceName": "managedClusters",
                "scope": "cluster", "namespace": "flux-system", "sourceKind": "GitRepository",
                "kustomizations.layer.prune": True, "kustomizations.layer.path": "deploy/prod"}
    assert _compare(configuration.inputs, expected) == []
    assert extension.urn in configuration.dependencies


def test_the_controller_chart_is_an_atomic_pinned_release_that_gateway_objects_wait_for(dev):
    release = dev.one("kubernetes:helm.sh/v3:Release")
    # https://www.pulumi.com/registry/packages/kubernetes/api-docs/helm/v3/release/
    # Envoy Gateway installs into envoy-gateway-system: https://gateway.envoyproxy.io/docs/install/install-helm/
    assert (release.inputs["atomic"], release.inputs["createNamespace"], release.inputs["version"],
            release.inputs["namespace"]) == (True, True, "v1.9.1", "envoy-gateway-system")
    urns = _by_urn(dev)
    namespaces = {r.inputs["metadata"]["name"]: r.urn for r in dev.of_type("kubernetes:core/v1:Namespace")}
    policies = dev.of_type("kubernetes:networking.k8s.io/v1:NetworkPolicy")
    assert policies, "NetworkPolicies are sent as the typed networking.k8s.io/v1 resource"
    for record in dev.records:
        if not record.type.startswith("kubernetes:") or record.type.startswith("kubernetes:helm"):
            continue
        namespace = (record.inputs.get("metadata") or {}).get("namespace")
        if namespace in namespaces:
            assert namespaces[namespace] in record.dependencies, record.name
        if record.type.startswith("kubernetes:gateway.networking.k8s.io/"):
            assert release.urn in record.dependencies, record.name
    assert urns
