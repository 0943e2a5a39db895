"""The cluster component under the mock engine (preview=False), through both committed stacks."""


import pytest

from aksnet.config.problems import ConfigError
from components.roles import BUILTIN_ROLES
from tests.stacks import load, validate_stack_config, variant
from tools.mock_engine import run_program


def cluster_inputs(result):
    return result.one("azure-native:containerservice:ManagedCluster").inputs


def test_prod_network_profile(prod):
    profile = cluster_inputs(prod)["networkProfile"]
    assert (profile["networkPlugin"], profile["networkPluginMode"], profile["networkDataplane"],
            profile["networkPolicy"], profile["outboundType"]) == ("azure", "overlay", "cilium", "cilium",
                                                                   "userDefinedRouting")


def test_prod_private_api_uses_the_hub_zone_linked_to_hub_and_spoke(prod):
    access = cluster_inputs(prod)["apiServerAccessProfile"]
    zone = next(z for z in prod.of_type("azure-native:privatedns:PrivateZone") if z.name == "api-dns-zone")
    assert access["enablePrivateCluster"] is True
    assert zone.inputs["privateZoneName"] == "privatelink.westeurope.azmk8s.io"
    assert access["privateDNSZone"] == zone.outputs["id"]
    assert zone.inputs["resourceGroupName"] == "rg-prod-hub"
    linked = {link.inputs["virtualNetwork"]["id"].rsplit("/", 1)[-1]
              for link in prod.of_type("azure-native:privatedns:VirtualNetworkLink") if link.name.startswith("api-dns")}
    assert linked == {"vnet-prod-hub", "vnet-prod-spoke"}


def test_user_assigned_identity_with_its_network_roles(prod):
    identity = next(i for i in prod.of_type("azure-native:managedidentity:UserAssignedIdentity")
                    if i.name == "cluster-identity")
    assert cluster_inputs(prod)["identity"] == {"type": "UserAssigned", "userAssignedIdentities": [identity.outputs["id"]]}
    grants = {(r.inputs["roleDefinitionId"].rsplit("/", 1)[-1], r.inputs["scope"].rsplit("/", 1)[-1])
              for r in prod.of_type("azure-native:authorization:RoleAssignment")
              if r.inputs["principalId"] == identity.outputs["principalId"]}
    # Exactly what the cluster identity needs, no more (https://learn.microsoft.com/azure/aks/use-managed-identity#add-a-role-assignment):
    # Network Contributor on the node subnet it joins, on the subnet internal load balancers take their
    # frontends from (https://learn.microsoft.com/azure/aks/internal-lb#specify-a-subnet) and on the route
    # table it shares with the firewall's route; with a private zone of ours, Private DNS Zone Contributor on
    # the zone and Network Contributor on the VNet it links
    # (https://learn.microsoft.com/azure/aks/private-clusters#configure-a-private-dns-zone).
    assert grants == {(BUILTIN_ROLES["Private DNS Zone Contributor"], "privatelink.westeurope.azmk8s.io"),
                      (BUILTIN_ROLES["Network Contributor"], "snet-nodes"),
                      (BUILTIN_ROLES["Network Contributor"], "snet-ilb"),
                      (BUILTIN_ROLES["Network Contributor"], "rt-prod-aks"),
                      (BUILTIN_ROLES["Network Contributor"], "vnet-prod-spoke")}
    assert all(r.inputs["principalType"] == "ServicePrincipal"
               for r in prod.of_type("azure-native:authorization:RoleAssignment")
               if r.inputs["principalId"] == identity.outputs["principalId"])


def test_cluster_waits_for_its_roles_route_and_zone_links(prod):
    cluster = prod.one("azure-native:containerservice:ManagedCluster")
    by_urn = {r.urn: r for r in prod.records}
    waits_for = {by_urn[u].type for u in cluster.dependencies if u in by_urn}
    assert {"azure-native:authorization:RoleAssignment", "azure-native:network:Route",
            "azure-native:privatedns:VirtualNetworkLink"} <= waits_for


def test_no_service_principal_secret_and_local_accounts_off_in_prod(prod):
    inputs = cluster_inputs(prod)
    assert "servicePrincipalProfile" not in inputs
    assert inputs["disableLocalAccounts"] is True
    assert inputs["aadProfile"]["managed"] is True and inputs["aadProfile"]["enableAzureRBAC"] is True


def test_pools_one_form_each(prod):
    inline = cluster_inputs(prod)["agentPoolProfiles"]
    assert [p["name"] for p in inline] == ["system"]
    pools = prod.of_type("azure-native:containerservice:AgentPool")
    assert [p.inputs["agentPoolName"] for p in pools] == ["user"]
    assert pools[0].ignore_changes == ["count"]
    assert cluster_inputs(prod)["agentPoolProfiles"][0]["availabilityZones"] == ["1", "2", "3"]
    assert prod.one("azure-native:containerservice:ManagedCluster").ignore_changes == ["agentPoolProfiles[0].count"]


def test_dev_is_kubenet_with_calico_and_its_route_table_on_the_node_subnet(dev):
    profile = cluster_inputs(dev)["networkProfile"]
    assert (profile["networkPlugin"], profile["networkPolicy"], profile["podCidr"]) == ("kubenet", "calico", "10.244.0.0/16")
    table = dev.one("azure-native:network:RouteTable")
    nodes = next(s for s in dev.of_type("azure-native:network:Subnet") if s.inputs["subnetName"] == "snet-nodes")
    assert nodes.inputs["routeTable"]["id"] == table.outputs["id"]
    assert dev.of_type("azure-native:network:Route") == []  # AKS writes kubenet's routes itself
    access = cluster_inputs(dev)["apiServerAccessProfile"]
    assert access == {"enablePrivateCluster": False, "authorizedIPRanges": ["203.0.113.0/24"]}


def test_dev_has_neither_firewall_nor_application_gateway(dev):
    types = {r.type for r in dev.records}
    assert not types & {"azure-native:network:AzureFirewall", "azure-native:network:ApplicationGateway"}
    # Dev's ingress is Envoy Gateway from its chart: no AKS ingress add-on (docs/ingress.md).
    assert "ingressProfile" not in cluster_inputs(dev)


def test_kubeconfig_is_secret_and_only_an_applying_stack_has_a_provider(dev, prod):
    assert dev.exports["kubeconfig"] == "[secret]"
    provider = dev.one("pulumi:providers:kubernetes").inputs
    assert "kubeconfig" in provider
    # Server-side apply: the API server tracks each field's manager, so a field another controller owns
    # (AGIC's, Flux's) is a conflict reported, not a value silently overwritten
    # (https://www.pulumi.com/registry/packages/kubernetes/how-to-guides/managing-resources-with-server-side-apply/).
    # A provider's inputs reach the engine as strings.
    assert provider["enableServerSideApply"] == "true"
    assert prod.of_type("pulumi:providers:kubernetes") == []  # prod's private API: Flux delivers the layer


def test_a_layer_not_delivered_says_so_and_declares_no_provider():
    config = variant(load("dev"), {"aks-networking:kubernetes.delivery": "none"})
    result = run_program("dev", config)
    assert result.error is None
    assert result.of_type("pulumi:providers:kubernetes") == []
    assert not any(r.type.startswith("kubernetes:") for r in result.records)
    assert result.exports["kubernetesLayer"] == "not delivered (kubernetes.delivery is none)"


def test_user_assigned_nat_gateway_on_the_node_subnet():
    config = variant(load("dev"), {"aks-networking:cluster.outboundType": "userAssignedNATGateway"})
    result = run_program("dev", config)
    assert result.error is None
    gateway = result.one("azure-native:network:NatGateway")
    nodes = next(s for s in result.of_type("azure-native:network:Subnet") if s.inputs["subnetName"] == "snet-nodes")
    assert nodes.inputs["natGateway"]["id"] == gateway.outputs["id"]
    assert "loadBalancerProfile" not in cluster_inputs(result)["networkProfile"]


def test_the_azure_policy_add_on_enforces_the_pod_security_baseline_in_prod(prod):
    assignment = prod.one("azure-native:authorization:PolicyAssignment").inputs
    cluster = prod.one("azure-native:containerservice:ManagedCluster")
    assert assignment["scope"] == cluster.outputs["id"]
    assert assignment["policyDefinitionId"] == \
        "/providers/Microsoft.Authorization/policySetDefinitions/a8640138-9b0a-4a28-b8cb-1666c838647d"
    assert assignment["parameters"] == {"effect": {"value": "deny"}}


@pytest.mark.parametrize("changes, expected", [
    ({"aks-networking:environment.production": False}, ("baseline", "audit")),
    ({"aks-networking:cluster.podSecurity": {"initiative": "restricted", "effect": "audit"}}, ("restricted", "audit")),
    ({"aks-networking:cluster.azurePolicy": False}, None),
])
def test_pod_security_follows_the_stack(changes, expected):
    security = validate_stack_config(variant(load("prod"), changes), "prod").cluster.pod_security
    assert (None if security is None else (security.initiative, security.effect)) == expected


def test_pod_security_without_the_add_on_is_refused():
    config = variant(load("dev"), {"aks-networking:cluster.podSecurity": {"initiative": "baseline"}})
    with pytest.raises(ConfigError) as refused:
        validate_stack_config(config, "dev")
    assert [p.path for p in refused.value.problems] == ["aks-networking:cluster.podSecurity"]


def test_a_cluster_without_entra_id_can_have_the_policy_add_on():
    result = run_program("dev", variant(load("dev"), {"aks-networking:cluster.azurePolicy": True}))
    assert result.error is None, result.error
    assert result.one("azure-native:authorization:PolicyAssignment").inputs["parameters"] == \
        {"effect": {"value": "audit"}}


def test_the_cluster_identity_may_write_the_route_table_itself(prod):
    """With a route table of our own, the cluster identity needs Network Contributor on the route table, a
    resource of its own beside the subnet it is associated with
    (https://learn.microsoft.com/azure/aks/configure-kubenet#bring-your-own-subnet-and-route-table-with-kubenet,
    https://learn.microsoft.com/azure/aks/use-managed-identity#add-a-role-assignment)."""
    identity = next(i for i in prod.of_type("azure-native:managedidentity:UserAssignedIdentity")
                    if i.name == "cluster-identity")
    [table] = [t for t in prod.of_type("azure-native:network:RouteTable")
               if t.outputs["id"].rsplit("/", 1)[-1] in {s.inputs.get("routeTable", {}).get("id", "").rsplit("/", 1)[-1]
                                                         for s in prod.of_type("azure-native:network:Subnet")
                                                         if s.name.endswith("nodes")}]
    scopes = {r.inputs["scope"] for r in prod.of_type("azure-native:authorization:RoleAssignment")
              if r.inputs["principalId"] == identity.outputs["principalId"]
              and r.inputs["roleDefinitionId"].endswith(BUILTIN_ROLES["Network Contributor"])}
    assert table.outputs["id"] in scopes
