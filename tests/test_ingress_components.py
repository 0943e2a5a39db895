"""The ingress components under the mock engine: what `pulumi up` would send for dev's Envoy Gateway
chart and for the AGC example's resources, identity and roles. Expected values come from Microsoft's
AGC quickstarts and the charts' install pages, cited in aksnet/config/ingress_controllers.py."""

from __future__ import annotations

import inspect
import re

import pytest

from tests.sdk_names import unknown_inputs
from tests.stacks import example
from tools.mock_engine import run_program

HELM_RELEASE = "kubernetes:helm.sh/v3:Release"
READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7"
AGC_CONFIGURATION_MANAGER = "fbc52c3f-28ad-4303-a892-8a056630b8f1"
NETWORK_CONTRIBUTOR = "4d97b98b-1d4f-4787-a291-c67834d212e7"


@pytest.fixture(scope="module")
def agc():
    result = run_program("agc", example("agc"))
    assert result.error is None, result.error
    return result


def test_every_azure_input_of_the_agc_example_is_a_property_the_sdk_knows(agc):
    assert unknown_inputs(agc.records) == []


def _helm_release_names() -> set[str]:
    from pulumi_kubernetes.helm.v3 import ReleaseArgs
    source = inspect.getsource(ReleaseArgs)
    return set(re.findall(r'@pulumi\.getter\(name="([A-Za-z0-9]+)"\)', source)) | \
        {m for m in re.findall(r"def ([a-z][a-z0-9_]*)\(self\)", source) if "_" not in m}


def test_dev_installs_the_pinned_envoy_gateway_chart(dev):
    release = dev.one(HELM_RELEASE)
    # https://gateway.envoyproxy.io/docs/install/install-helm/
    assert release.inputs["chart"] == "oci://docker.io/envoyproxy/gateway-helm"
    assert release.inputs["version"] == "v1.9.1"
    assert release.inputs["namespace"] == "envoy-gateway-system"
    # atomic: a failed install or upgrade is rolled back, never left half-applied with the proxies down
    # (https://www.pulumi.com/registry/packages/kubernetes/api-docs/helm/v3/release/#atomic_python)
    assert release.inputs["atomic"] is True
    assert set(release.inputs) - {"__defaults"} <= _helm_release_names(), set(release.inputs) - _helm_release_names()
    gateways = [r for r in dev.records if r.type == "kubernetes:gateway.networking.k8s.io/v1:Gateway"]
    assert gateways and all(release.urn in r.dependencies for r in gateways)


def test_agc_resources_are_the_bring_your_own_set(agc):
    controller = agc.one("azure-native:servicenetworking:TrafficControllerInterface")
    association = agc.one("azure-native:servicenetworking:AssociationsInterface")
    frontend = agc.one("azure-native:servicenetworking:FrontendsInterface")
    subnet = next(r for r in agc.of_type("azure-native:network:Subnet") if r.inputs["subnetName"] == "snet-agc")
    assert association.inputs["associationType"] == "subnets"
    assert association.inputs["subnet"]["id"] == subnet.outputs["id"]
    assert association.inputs["trafficControllerName"] == controller.outputs["name"]
    assert frontend.inputs["frontendName"] == "fe-shop"
    assert [d["serviceName"] for d in subnet.inputs["delegations"]] == ["Microsoft.ServiceNetworking/trafficControllers"]
    assert subnet.inputs["addressPrefix"] == "10.240.4.0/24"


def test_the_alb_controller_identity_has_exactly_the_documented_roles(agc):
    identity = next(r for r in agc.of_type("azure-native:managedidentity:UserAssignedIdentity")
                    if r.inputs["resourceName"].endswith("alb-controller"))
    principal = identity.outputs["principalId"]
    grants = {(r.inputs["roleDefinitionId"].rsplit("/", 1)[-1], r.inputs["scope"])
              for r in agc.of_type("azure-native:authorization:RoleAssignment") if r.inputs["principalId"] == principal}
    subnet = next(r for r in agc.of_type("azure-native:network:Subnet") if r.inputs["subnetName"] == "snet-agc")
    cluster = agc.one("azure-native:containerservice:ManagedCluster")
    controller = agc.one("azure-native:servicenetworking:TrafficControllerInterface")
    group = controller.inputs["resourceGroupName"]
    assert grants == {
        (READER, f"/subscriptions/{_subscription(subnet)}/resourceGroups/{cluster.outputs['nodeResourceGroup']}"),
        (AGC_CONFIGURATION_MANAGER, f"/subscriptions/{_subscription(subnet)}/resourceGroups/{group}"),
        (NETWORK_CONTRIBUTOR, subnet.outputs["id"])}


def _subscription(record) -> str:
    return record.outputs["id"].split("/")[2]


def test_the_alb_controller_identity_is_federated_with_its_service_account(agc):
    credential = agc.one("azure-native:managedidentity:FederatedIdentityCredential")
    cluster = agc.one("azure-native:containerservice:ManagedCluster")
    assert credential.inputs["subject"] == "system:serviceaccount:azure-alb-system:alb-controller-sa"
    assert credential.inputs["audiences"] == ["api://AzureADTokenExchange"]
    assert credential.inputs["issuer"] == cluster.outputs["oidcIssuerProfile"]["issuerURL"]
    assert cluster.inputs["securityProfile"]["workloadIdentity"]["enabled"] is True


def test_flux_substitutes_the_agc_id_and_the_controller_client_id(agc):
    flux = agc.one("azure-native:kubernetesconfiguration:FluxConfiguration")
    substitute = flux.inputs["kustomizations"]["layer"]["postBuild"]["substitute"]
    controller = agc.one("azure-native:servicenetworking:TrafficControllerInterface")
    identity = next(r for r in agc.of_type("azure-native:managedidentity:UserAssignedIdentity")
                    if r.inputs["resourceName"].endswith("alb-controller"))
    assert substitute == {"AGC_RESOURCE_ID": controller.outputs["id"],
                          "ALB_CONTROLLER_CLIENT_ID": identity.outputs["clientId"]}


WAF_ID = ("/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-waf/providers/Microsoft.Network/"
          "ApplicationGatewayWebApplicationFirewallPolicies/agc-waf")


def test_a_waf_policy_outside_production_is_scoped_joined_and_targeted():
    # https://learn.microsoft.com/azure/application-gateway/for-containers/how-to-waf-gateway-api
    config = example("agc")
    config["aks-networking:environment"] = {**config["aks-networking:environment"], "production": False,
                                            "protect": False}
    config["aks-networking:ingress"] = {"controller": "agc", "agc": {"wafPolicyId": WAF_ID}}
    result = run_program("prod", config)
    assert result.error is None, result.error
    policy = result.one("azure-native:servicenetworking:SecurityPoliciesInterface")
    assert policy.inputs["wafPolicy"] == {"id": WAF_ID}
    identity = next(r for r in result.of_type("azure-native:managedidentity:UserAssignedIdentity")
                    if r.inputs["resourceName"].endswith("alb-controller"))
    joins = [r for r in result.of_type("azure-native:authorization:RoleAssignment")
             if r.inputs["principalId"] == identity.outputs["principalId"] and r.inputs["scope"] == WAF_ID]
    assert [r.inputs["roleDefinitionId"].rsplit("/", 1)[-1] for r in joins] == [NETWORK_CONTRIBUTOR]


def test_applied_by_pulumi_the_layer_gets_the_agc_id_and_the_client_id():
    config = example("agc")
    config["aks-networking:environment"] = {**config["aks-networking:environment"], "production": False,
                                            "protect": False}
    config["aks-networking:cluster"] = {**config["aks-networking:cluster"], "private": False,
                                        "privateDnsZone": "system", "authorizedIpRanges": ["203.0.113.0/24"]}
    config["aks-networking:kubernetes"] = {k: v for k, v in config["aks-networking:kubernetes"].items()
                                           if k != "gitops"} | {"delivery": "apply"}
    result = run_program("prod", config)
    assert result.error is None, result.error
    controller = result.one("azure-native:servicenetworking:TrafficControllerInterface")
    identity = next(r for r in result.of_type("azure-native:managedidentity:UserAssignedIdentity")
                    if r.inputs["resourceName"].endswith("alb-controller"))
    gateway = result.one("kubernetes:gateway.networking.k8s.io/v1:Gateway")
    assert gateway.inputs["metadata"]["annotations"] == {"alb.networking.azure.io/alb-id": controller.outputs["id"]}
    release = result.one(HELM_RELEASE)
    # https://learn.microsoft.com/azure/application-gateway/for-containers/quickstart-deploy-application-gateway-for-containers-alb-controller-helm
    assert release.inputs["chart"] == "oci://mcr.microsoft.com/application-lb/charts/alb-controller"
    assert release.inputs["values"] == {"albController": {"namespace": "azure-alb-system",
                                                          "podIdentity": {"clientID": identity.outputs["clientId"]}}}


def test_chart_values_get_their_variables_substituted_inside_lists_too():
    """Flux substitutes `${VAR}` everywhere in the built YAML, list items included
    (https://fluxcd.io/flux/components/kustomize/kustomizations/#post-build-variable-substitution); the values
    Pulumi installs get the same: a variable in a list is replaced, an unknown one left, numbers kept."""
    import pulumi

    from components.ingress_chart import substituted
    from tests.stacks import load
    seen = []

    def program():
        values = {"args": ["--client-id=${CLIENT_ID}", {"id": "${CLIENT_ID}"}], "other": "${UNKNOWN}", "replicas": 2}
        return substituted(values, {"CLIENT_ID": pulumi.Output.from_input("abc")}).apply(seen.append)
    result = run_program("dev", load("dev"), program)
    assert result.error is None, result.error
    assert seen == [{"args": ["--client-id=abc", {"id": "abc"}], "other": "${UNKNOWN}", "replicas": 2}]
