"""Gateway API ingress: dev on Envoy Gateway (kubenet), the AGC example (CNI Overlay), their objects
held to the vendored Gateway API CRD schemas, their NetworkPolicies and paths, and the Flux form of
their charts. Expected values come from the charts' sources and Microsoft's pages cited in
aksnet/config/ingress_controllers.py, not from our code."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from aksnet.analysis.paths import Tracer, network_of
from aksnet.pipeline import load_stack
from aksnet.plan.gateway_api import gateway_objects
from tests.gateway_api_schema import errors
from tests.stacks import example, load, validate_stack_config, variant
from tools import path as path_cli
from tools import preview

ROOT = Path(__file__).resolve().parent.parent
AGC_EXAMPLE = ROOT / "examples" / "Pulumi.agc.yaml"
GATEWAY_KINDS = {"GatewayClass", "Gateway", "HTTPRoute"}
PROXIES = "envoy-gateway-system"
# Envoy Gateway v1.9's proxy labels (EnvoyAppLabel, internal/infrastructure/kubernetes/proxy/resource.go).
ENVOY_PROXY_LABELS = {"app.kubernetes.io/name": "envoy", "app.kubernetes.io/component": "proxy",
                      "app.kubernetes.io/managed-by": "envoy-gateway"}


def agc_config():
    return example("agc")


def rendered(argv, directory):
    assert preview.main([*argv, "--out", str(directory)]) == 0
    return [yaml.safe_load(Path(directory, name).read_text()) for name in sorted(os.listdir(directory))
            if name.endswith(".yaml")]


@pytest.fixture(scope="module")
def dev_objects(tmp_path_factory):
    return rendered(["dev"], tmp_path_factory.mktemp("dev"))


@pytest.fixture(scope="module")
def agc_objects(tmp_path_factory):
    return rendered(["agc", "--config", str(AGC_EXAMPLE)], tmp_path_factory.mktemp("agc"))


# Every Gateway API object against its controller's Gateway API release -----------------------

@pytest.mark.parametrize("which,bundle", [("dev_objects", "v1.6.1"), ("agc_objects", "v1.5.1")])
def test_every_rendered_gateway_api_object_validates_against_the_vendored_crds(which, bundle, request):
    objects = [o for o in request.getfixturevalue(which) if o["kind"] in GATEWAY_KINDS]
    assert {o["kind"] for o in objects} >= {"Gateway", "HTTPRoute"}
    for obj in objects:
        assert obj["apiVersion"] == "gateway.networking.k8s.io/v1"
        assert errors(obj, bundle) == [], obj


def test_the_schema_check_refuses_what_the_api_server_would():
    spec = validate_stack_config(load("dev"), "dev")
    gateway = next(o for _, o in gateway_objects(spec) if o["kind"] == "Gateway")
    broken = {**gateway, "spec": {**gateway["spec"], "listeners": [{**gateway["spec"]["listeners"][0], "port": 70000,
                                                                     "tls": {"mode": "Passthru"}}]}}
    found = errors(broken, "v1.6.1")
    assert any("70000" in e for e in found) and any("Passthru" in e for e in found), found
    assert errors({**gateway, "spec": {**gateway["spec"], "listner": []}}, "v1.6.1")


def test_a_tls_ingress_listens_on_443_with_its_secret_and_redirects_80():
    spec = validate_stack_config(load("dev"), "dev")
    route = spec.kubernetes.workloads.ingresses[0]
    import dataclasses
    tls_spec = dataclasses.replace(spec, kubernetes=dataclasses.replace(spec.kubernetes, workloads=dataclasses.replace(
        spec.kubernetes.workloads, ingresses=(dataclasses.replace(route, tls_secret="webapp-tls"),))))
    objects = [o for _, o in gateway_objects(tls_spec)]
    for obj in objects:
        assert errors(obj, "v1.6.1") == [], obj
    gateway = next(o for o in objects if o["kind"] == "Gateway")
    https = next(listener for listener in gateway["spec"]["listeners"] if listener["port"] == 443)
    assert https["protocol"] == "HTTPS" and https["tls"]["certificateRefs"] == [{"kind": "Secret", "name": "webapp-tls"}]
    redirect = next(o for o in objects if o["kind"] == "HTTPRoute" and o["metadata"]["name"].endswith("redirect"))
    assert redirect["spec"]["parentRefs"] == [{"name": "webapp", "sectionName": "http"}]
    assert redirect["spec"]["rules"][0]["filters"][0]["requestRedirect"] == {"scheme": "https", "statusCode": 301}
    served = next(o for o in objects if o["kind"] == "HTTPRoute" and o["metadata"]["name"] == "webapp")
    assert served["spec"]["parentRefs"] == [{"name": "webapp", "sectionName": "https"}]


# Dev: Envoy Gateway on kubenet ---------------------------------------------------------------

def test_dev_stays_on_kubenet_with_envoy_gateway_and_no_ingress_object(dev_objects):
    spec = validate_stack_config(load("dev"), "dev")
    assert spec.cluster.network_plugin == "kubenet" and spec.ingress.controller == "envoyGateway"
    kinds = {o["kind"] for o in dev_objects}
    assert "Ingress" not in kinds and kinds >= GATEWAY_KINDS
    gateway_class = next(o for o in dev_objects if o["kind"] == "GatewayClass")
    assert gateway_class["spec"]["controllerName"] == "gateway.envoyproxy.io/gatewayclass-controller"
    route = next(o for o in dev_objects if o["kind"] == "HTTPRoute")
    assert route["spec"]["hostnames"] == ["webapp.dev.example.com"]
    assert [(r["matches"][0]["path"]["value"], r["backendRefs"][0]["name"]) for r in route["spec"]["rules"]] == \
        [("/a", "frontend"), ("/b", "backend")]


def test_dev_policies_admit_exactly_the_envoy_proxies_to_the_routed_apps(dev_objects):
    policies = {o["metadata"]["name"]: o for o in dev_objects if o["kind"] == "NetworkPolicy"}
    routed = [p for p in policies.values() if any(
        peer.get("namespaceSelector", {}).get("matchLabels", {}).get("kubernetes.io/metadata.name") == PROXIES
        for rule in p["spec"].get("ingress", []) for peer in rule.get("from", []))]
    assert {p["spec"]["podSelector"]["matchLabels"]["role"] for p in routed} == {"frontend", "backend"}
    for policy in routed:
        peer = next(peer for rule in policy["spec"]["ingress"] for peer in rule["from"] if "namespaceSelector" in peer)
        assert peer["podSelector"] == {"matchLabels": ENVOY_PROXY_LABELS}
        # Policies see the container port behind the Service's port 80.
        assert {"protocol": "TCP", "port": 8080} in policy["spec"]["ingress"][0]["ports"]


def test_dev_serves_webapp_through_the_public_frontend_and_the_proxies():
    loaded = load_stack(load("dev"), "dev")
    tracer = Tracer(network_of(loaded.spec, loaded.plan))
    path = tracer.trace(tracer.internet(), tracer.app_place("development/backend"), "TCP", 80, via="ingress")
    assert path.verdict == "allowed", path.as_dict()
    assert [h.layer for h in path.hops] == ["loadBalancer", "nsg", "ingressController", "networkPolicy"]
    assert path.hops[0].resource == "public load balancer (Envoy Gateway)"
    assert path.hops[2].rule == "webapp.dev.example.com:80 -> development/backend:80"
    # Envoy Gateway maps a privileged listener port to port + 10000 (wellKnownPortShift, v1.9.0).
    assert path.hops[2].resource == "Envoy proxies of gateway development/webapp (container port 10080)"
    assert path.hops[3].resource == "envoy-gateway-system/ingress-controller -> development/backend"


def test_the_store_is_not_reachable_through_the_gateway():
    loaded = load_stack(load("dev"), "dev")
    tracer = Tracer(network_of(loaded.spec, loaded.plan))
    path = tracer.trace(tracer.internet(), tracer.app_place("development/store"), "TCP", 6379, via="ingress")
    assert path.verdict == "denied"


def test_path_cli_names_the_proxies_hop(capsys):
    assert path_cli.main(["dev", "--from", "internet", "--to", "development/backend", "--port", "TCP/80"]) == 0
    out = capsys.readouterr().out
    assert "Envoy proxies of gateway development/webapp" in out


def test_nginx_stays_selectable():
    config = variant(load("dev"), {"aks-networking:ingress": {"controller": "nginx", "nginx": {"visibility": "public"}}})
    loaded = load_stack(config, "dev")
    kinds = {m["kind"] for m in loaded.plan.manifests}
    assert "Ingress" in kinds and not kinds & GATEWAY_KINDS


# GitOps: the chart is a Flux HelmRelease of the rendered layer --------------------------------

def test_under_gitops_the_chart_is_a_pinned_oci_helm_release():
    config = variant(load("dev"), {"aks-networking:kubernetes.delivery": "gitops", "aks-networking:kubernetes.gitops": {
        "url": "https://github.com/contoso/aks-networking", "branch": "main", "path": "deploy/dev"}})
    manifests = load_stack(config, "dev").plan.manifests
    source = next(m for m in manifests if m["kind"] == "HelmRepository")
    release = next(m for m in manifests if m["kind"] == "HelmRelease")
    # https://gateway.envoyproxy.io/docs/install/install-helm/: oci://docker.io/envoyproxy/gateway-helm
    assert source["spec"] == {"type": "oci", "url": "oci://docker.io/envoyproxy", "interval": "1h"}
    assert release["spec"]["chart"]["spec"]["chart"] == "gateway-helm"
    assert release["spec"]["chart"]["spec"]["version"] == "v1.9.1"
    assert release["spec"]["targetNamespace"] == "envoy-gateway-system"
    assert release["spec"]["upgrade"]["crds"] == "CreateReplace"


def test_agc_layer_names_the_azure_resource_by_a_flux_substitution(agc_objects):
    gateway = next(o for o in agc_objects if o["kind"] == "Gateway")
    assert gateway["spec"]["gatewayClassName"] == "azure-alb-external"
    assert gateway["metadata"]["annotations"] == {"alb.networking.azure.io/alb-id": "${AGC_RESOURCE_ID}"}
    assert gateway["spec"]["addresses"] == [{"type": "alb.networking.azure.io/alb-frontend", "value": "fe-shop"}]
    release = next(o for o in agc_objects if o["kind"] == "HelmRelease")
    assert release["spec"]["chart"]["spec"]["chart"] == "alb-controller"
    assert release["spec"]["values"] == {"albController": {"namespace": "azure-alb-system",
                                                           "podIdentity": {"clientID": "${ALB_CONTROLLER_CLIENT_ID}"}}}
    assert not any(o["kind"] == "GatewayClass" for o in agc_objects)  # the ALB Controller brings its class


# AGC: the path from its frontend, through its subnet (which joins the overlay) ----------------

def test_agc_reaches_the_overlay_pods_from_its_subnet():
    loaded = load_stack(agc_config(), "prod", advisory=frozenset())
    tracer = Tracer(network_of(loaded.spec, loaded.plan))
    path = tracer.trace(tracer.internet(), tracer.app_place("shop/api"), "TCP", 80, via="ingress")
    assert path.verdict == "allowed", path.as_dict()
    assert [h.layer for h in path.hops] == ["appGateway", "route", "nsg", "networkPolicy"]
    assert path.hops[1].rule == "192.168.0.0/16 -> Cluster (aks)"
    assert path.hops[3].resource == "10.240.4.0/24 -> shop/api"
