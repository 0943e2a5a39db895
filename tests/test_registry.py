"""The platform registry: ACR Premium behind a private endpoint, its DNS, the kubelet's pull right,
and the images that may run."""

import pytest

from aksnet.config.problems import ConfigError
from aksnet.pipeline import load_stack
from components.roles import BUILTIN_ROLES
from tests.stacks import DELETE, load, validate_stack_config, variant


def test_the_registry_is_premium_and_closed_to_the_internet(prod):
    acr = prod.one("azure-native:containerregistry:Registry")
    inputs = acr.inputs
    assert (inputs["registryName"], inputs["sku"]) == ("contosoaksnetprod", {"name": "Premium"})
    assert inputs["publicNetworkAccess"] == "Disabled" and inputs["adminUserEnabled"] is False
    assert inputs["anonymousPullEnabled"] is False and inputs["dataEndpointEnabled"] is True
    assert inputs["zoneRedundancy"] == "Enabled" and inputs["policies"] == {"exportPolicy": {"status": "disabled"}}
    assert acr.protect


def test_its_private_endpoint_and_zone_resolve_it_from_hub_and_spoke(prod):
    acr = prod.one("azure-native:containerregistry:Registry")
    endpoint = next(e for e in prod.of_type("azure-native:network:PrivateEndpoint") if e.name == "registry-endpoint")
    subnet = next(s for s in prod.of_type("azure-native:network:Subnet") if s.inputs["subnetName"] == "snet-endpoints")
    assert endpoint.inputs["subnet"]["id"] == subnet.outputs["id"]
    assert endpoint.inputs["privateLinkServiceConnections"] == [
        {"name": "registry", "privateLinkServiceId": acr.outputs["id"], "groupIds": ["registry"]}]
    zone = next(z for z in prod.of_type("azure-native:privatedns:PrivateZone") if z.name == "registry-dns-zone")
    assert zone.inputs["privateZoneName"] == "privatelink.azurecr.io" and zone.inputs["resourceGroupName"] == "rg-prod-hub"
    group = next(g for g in prod.of_type("azure-native:network:PrivateDnsZoneGroup")
                 if g.name == "registry-endpoint-dns")
    assert group.inputs["privateDnsZoneConfigs"][0]["privateDnsZoneId"] == zone.outputs["id"]
    links = [link for link in prod.of_type("azure-native:privatedns:VirtualNetworkLink")
             if link.name.startswith("registry-dns")]
    api_links = {link.urn for link in prod.of_type("azure-native:privatedns:VirtualNetworkLink")
                 if link.name.startswith("api-dns")}
    assert {link.inputs["virtualNetwork"]["id"].rsplit("/", 1)[-1] for link in links} == \
        {"vnet-prod-hub", "vnet-prod-spoke"}
    assert all(api_links <= set(link.dependencies) for link in links)  # one zone's links at a time
    cluster = prod.one("azure-native:containerservice:ManagedCluster")
    assert {link.urn for link in links} <= set(cluster.dependencies)


def test_only_the_kubelet_may_pull_and_only_from_this_registry(prod):
    acr = prod.one("azure-native:containerregistry:Registry")
    cluster = prod.one("azure-native:containerservice:ManagedCluster")
    kubelet = cluster.outputs["identityProfile"]["kubeletidentity"]["objectId"]
    pulls = [r.inputs for r in prod.of_type("azure-native:authorization:RoleAssignment")
             if r.inputs["roleDefinitionId"].endswith(BUILTIN_ROLES["AcrPull"])]
    assert pulls == [{**pulls[0], "scope": acr.outputs["id"], "principalId": kubelet,
                      "principalType": "ServicePrincipal"}]


def test_apps_pull_the_platform_images_by_their_full_name():
    plan = load_stack(load("prod"), "prod").plan
    images = {m["metadata"]["name"]: m["spec"]["template"]["spec"]["containers"][0]["image"]
              for m in plan.manifests if m["kind"] == "Deployment"}
    assert images == {"web": "contosoaksnetprod.azurecr.io/nginxinc/nginx-unprivileged:1.27-alpine",
                      "api": "contosoaksnetprod.azurecr.io/example/shop-api:1.4.2",
                      "cache": "contosoaksnetprod.azurecr.io/redis:7.4-alpine"}


APPS = load("prod")["aks-networking:kubernetes"]["apps"]


@pytest.mark.parametrize("changes, key, fragment", [
    ({"aks-networking:registry": DELETE}, "aks-networking:kubernetes.apps[0].image", "the stack has none"),
    ({"aks-networking:network.spoke.subnets.endpoints": DELETE}, "aks-networking:registry", "endpoints"),
    ({"aks-networking:registry": DELETE, "aks-networking:tls": DELETE, "aks-networking:kubernetes.apps": [
        {**a, "image": "mcr.microsoft.com/azuredocs/aks-helloworld:v1"} for a in APPS]},
     "aks-networking:network.spoke.subnets.endpoints", "nothing uses it"),
    ({"aks-networking:kubernetes.apps": [{**APPS[0], "image": "quay.io/team/web:1"}, *APPS[1:]]},
     "aks-networking:kubernetes.apps[0].image", "add quay.io to kubernetes.allowedRegistries"),
    ({"aks-networking:kubernetes.allowedRegistries": ["contosoaksnetprod.azurecr.io"]},
     "aks-networking:kubernetes.allowedRegistries", "reaches privately"),
    ({"aks-networking:registry.name": "acr"}, "aks-networking:registry.name", "5 to 50 letters and digits"),
])
def test_registry_mistakes_are_refused_by_key(changes, key, fragment):
    with pytest.raises(ConfigError) as refused:
        validate_stack_config(variant(load("prod"), changes), "prod")
    assert any(p.path == key and fragment in p.message for p in refused.value.problems), refused.value.lines()


def test_mcr_needs_no_allowance_and_an_allowed_registry_runs():
    config = variant(load("prod"), {"aks-networking:kubernetes.apps": [
        {**APPS[0], "image": "mcr.microsoft.com/azuredocs/aks-helloworld:v1"},
        {**APPS[1], "image": "ghcr.io/example/shop-api:1.4.2"}, APPS[2]],
        "aks-networking:kubernetes.allowedRegistries": ["ghcr.io"]})
    assert validate_stack_config(config, "prod").kubernetes.allowed_registries == ("ghcr.io",)
