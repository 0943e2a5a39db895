"""Kubernetes objects as the API server and the controllers judge them, both ways at each boundary.

Sources: the Kubernetes OpenAPI's `x-kubernetes-list-map-keys` (ServiceSpec.ports keyed by port and
protocol, Container.ports by containerPort and protocol, protocol "Default is TCP"), enforced under
server-side apply (https://kubernetes.io/docs/reference/using-api/server-side-apply/); the image
reference grammar of github.com/distribution/reference (regexp.go); Deployment selectors must not
overlap another controller's pods (https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#selector).
"""

import json

import kubernetes_validate
import pytest

from aksnet.config.image_reference import reference_problem
from aksnet.config.problems import ConfigError
from aksnet.pipeline import load_stack
from aksnet.rules.kubernetes_objects import LIST_MAPS, duplicate_list_map_entries
from tests.stacks import load, variant

K8S = "aks-networking:kubernetes"


def problems(stack, changes):
    try:
        load_stack(variant(load(stack), changes), stack)
    except ConfigError as refused:
        return [f"{p.path}: {p.message}" for p in refused.problems]
    return []


def test_the_extract_holds_the_openapi_s_keys_for_the_service_and_container_ports():
    with open(LIST_MAPS, encoding="utf-8") as handle:
        definitions = json.load(handle)["definitions"]
    assert definitions["io.k8s.api.core.v1.ServiceSpec"]["ports"]["keys"] == ["port", "protocol"]
    assert definitions["io.k8s.api.core.v1.Container"]["ports"]["keys"] == ["containerPort", "protocol"]
    assert definitions["io.k8s.api.core.v1.Container"]["ports"]["defaults"] == {"protocol": "TCP"}


def test_the_extract_matches_the_schema_the_tests_validate_with():
    """The extract is the OpenAPI's: every list-map it names is one in kubernetes-validate's schema."""
    import os
    with open(LIST_MAPS, encoding="utf-8") as handle:
        extract = json.load(handle)
    schemas = os.path.join(os.path.dirname(kubernetes_validate.__file__), "kubernetes-json-schema",
                           f"v{extract['minor']}.0-local-strict", "_definitions.json")
    with open(schemas, encoding="utf-8") as handle:
        full = json.load(handle)["$defs"]
    for name, fields in extract["definitions"].items():
        for prop, shape in fields.items():
            if "keys" in shape:
                assert full[name]["properties"][prop]["x-kubernetes-list-map-keys"] == shape["keys"], (name, prop)


def test_a_protocol_left_out_counts_as_its_default():
    service = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "a"},
               "spec": {"ports": [{"port": 80}, {"port": 80, "protocol": "TCP"}, {"port": 80, "protocol": "UDP"}]}}
    assert list(duplicate_list_map_entries(service)) == ["spec.ports[1] repeats port=80, protocol=TCP of spec.ports[0]"]


def test_two_service_ports_on_one_port_are_refused_and_tcp_and_udp_on_one_port_are_not():
    two = [{"name": "http", "port": 80, "targetPort": 8080}, {"name": "web", "port": 80, "targetPort": 8081}]
    found = problems("dev", {f"{K8S}.apps[2].ports": two})
    assert len(found) == 1 and found[0].startswith(f"{K8S}.apps[2]: ") and "port=80, protocol=TCP" in found[0]
    both = [{"name": "redis", "port": 6379}, {"name": "redis-udp", "port": 6379, "protocol": "UDP"}]
    assert problems("dev", {f"{K8S}.apps[2].ports": both}) == []


def test_two_service_ports_onto_one_container_port_are_accepted():
    """Valid intent: the Service keys its ports by port, the container lists the one port once."""
    ports = [{"name": "http", "port": 6379}, {"name": "admin", "port": 6380, "targetPort": 6379}]
    assert problems("dev", {f"{K8S}.apps[2].ports": ports}) == []


@pytest.mark.parametrize("image", ["nginx", "redis:7.4-alpine", "registry.k8s.io/pause:3.10",
                                   "localhost:5000/team/app:v1", "docker.io/library/nginx@sha256:" + "a" * 64,
                                   "myregistry.azurecr.io/a__b/c--d.e:1_2"])
def test_references_of_the_grammar_are_accepted(image):
    assert reference_problem(image) is None


@pytest.mark.parametrize("image,fragment", [("nginx:1.27:alpine", "is not an image reference"),
                                            ("Nginx/Unprivileged:1.27", "upper-case"),
                                            ("nginx:", "is not an image reference"),
                                            ("team//app", "is not an image reference"),
                                            ("app:" + "x" * 129, "is not an image reference"),
                                            ("nginx@sha256:abc", "is not an image reference")])
def test_references_outside_the_grammar_are_refused_at_the_image_key(image, fragment):
    found = problems("dev", {f"{K8S}.apps[0].image": image})
    assert len(found) == 1 and found[0].startswith(f"{K8S}.apps[0].image: ") and fragment in found[0], found


def test_a_platform_image_is_a_path_without_a_host():
    assert problems("prod", {f"{K8S}.apps[2].image": "platform://redis:7.4-alpine"}) == []
    found = problems("prod", {f"{K8S}.apps[2].image": "platform://Redis:7.4"})
    assert len(found) == 1 and "upper-case" in found[0]


def test_a_second_route_for_one_host_and_path_is_refused_and_another_path_is_not():
    other = {"name": "other", "namespace": "development", "host": "webapp.dev.example.com",
             "paths": [{"path": "/a", "app": "backend", "port": 80}]}
    found = problems("dev", {f"{K8S}.ingresses[1]": other})
    assert len(found) == 1 and found[0].startswith(f"{K8S}.ingresses[1].paths[0].path: "), found
    assert problems("dev", {f"{K8S}.ingresses[1]": {**other, "paths": [{"path": "/c", "app": "backend", "port": 80}]}}) == []
    assert problems("dev", {f"{K8S}.ingresses[1]": {**other, "host": "other.dev.example.com"}}) == []



def test_one_ingress_listing_a_path_twice_is_told_which_entry_routes_it_already():
    """The stack gives one host and path one backend (rule one-route-per-host-and-path: with two, which one a
    controller routes to is the controller's choice), in one Ingress as across them: the second entry is
    named, with the entry that routes the path already."""
    ingress = load("dev")["aks-networking:kubernetes"]["ingresses"][0]
    found = problems("dev", {f"{K8S}.ingresses[0].paths": [*ingress["paths"], ingress["paths"][0]]})
    assert found == [f"{K8S}.ingresses[0].paths[2].path: webapp.dev.example.com/a is routed by "
                     f"kubernetes.ingresses[0].paths[0] already; one host and path has one backend"]

ILB = {f"{K8S}.apps[2].serviceType": "InternalLoadBalancer", f"{K8S}.apps[2].staticIp": "192.168.2.10"}


def test_two_internal_services_on_one_address_and_port_are_refused_and_on_other_ports_are_not():
    found = problems("dev", {**ILB, f"{K8S}.apps[2].ports": [{"name": "http", "port": 80}]})
    assert len(found) == 1 and found[0].startswith(f"{K8S}.apps[3].staticIp: ") and "TCP/80" in found[0], found
    assert problems("dev", ILB) == []  # 6379 beside 80: one address, two load balancing rules
    # A load balancing rule answers a frontend address, protocol and port: UDP/80 beside TCP/80 is another rule
    # (https://learn.microsoft.com/azure/load-balancer/components#load-balancing-rules)
    assert problems("dev", {**ILB, f"{K8S}.apps[2].ports": [{"name": "http", "port": 80, "protocol": "UDP"}]}) == []


def test_an_app_whose_labels_select_another_app_s_pods_is_refused():
    found = problems("dev", {f"{K8S}.apps[0].labels": {"app": "webapp"}})
    assert len(found) == 1 and found[0].startswith(f"{K8S}.apps[0].labels: ") and "frontend" in found[0], found
    # The same labels in another namespace select nothing of it.
    moved = {f"{K8S}.namespaces[1]": {"name": "other"}, f"{K8S}.apps[0].namespace": "other",
             f"{K8S}.apps[0].labels": {"app": "webapp"}, f"{K8S}.flows[0].to.namespace": "other",
             f"{K8S}.flows[1].from.namespace": "other", f"{K8S}.ingresses[0].paths": [
                 {"path": "/a", "app": "frontend", "port": 80}]}
    assert [p for p in problems("dev", moved) if "selects the pods" in p] == []


def test_two_service_ports_to_one_container_port_are_accepted_and_the_container_lists_it_once():
    """A Service's ports are keyed by port and protocol, a container's by containerPort and protocol
    (the OpenAPI's x-kubernetes-list-map-keys): ports 80 and 8080 may both target 8080."""
    ports = [{"name": "http", "port": 80, "targetPort": 8080}, {"name": "alt", "port": 8080, "targetPort": 8080}]
    loaded = load_stack(variant(load("prod"), {"aks-networking:kubernetes.apps[0].ports": ports}), "prod")
    web = next(m for m in loaded.plan.manifests if m["kind"] == "Deployment" and m["metadata"]["name"] == "web")
    assert web["spec"]["template"]["spec"]["containers"][0]["ports"] == [
        {"name": "http", "containerPort": 8080, "protocol": "TCP"}]
    service = next(m for m in loaded.plan.manifests if m["kind"] == "Service" and m["metadata"]["name"] == "web")
    assert [(p["port"], p["targetPort"]) for p in service["spec"]["ports"]] == [(80, 8080), (8080, 8080)]


def test_the_repository_name_may_be_255_characters_and_not_256():
    """NameTotalLengthMax = 255 counts the whole name, host included, not the tag
    (github.com/distribution/reference, reference.go)."""
    host = "registry.example.com/"
    assert reference_problem(host + "a" * (255 - len(host)) + ":1.0") is None
    longest = host + "a" * (256 - len(host))
    assert reference_problem(longest + ":1.0") == \
        f"{longest}:1.0: the repository name is longer than 255 characters"
    assert reference_problem("a" * 255) is None and reference_problem("a" * 256) is not None


def test_entries_of_the_wrong_type_are_left_to_the_schema_and_the_walk_still_finds_duplicates():
    """The OpenAPI types decide a value of the wrong type (kubernetes-validate refuses it); the list-map
    walk skips it, keeps the indexes the API server would report, and goes on."""
    service = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "a", "ownerReferences": "none"},
               "spec": {"ports": [80, {"port": 80}, {"port": 80, "protocol": "TCP"}]}}
    assert list(duplicate_list_map_entries(service)) == ["spec.ports[2] repeats port=80, protocol=TCP of spec.ports[1]"]
    deployment = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "a"},
                  "spec": {"template": {"spec": {"containers": {"name": "c"}, "volumes": "data"}}}}
    assert list(duplicate_list_map_entries(deployment)) == []
    assert list(duplicate_list_map_entries({**deployment, "spec": "replicas: 2"})) == []


def test_one_app_with_three_service_ports_on_one_port_is_one_refusal():
    """One line per mistake: the app's ports are one mistake however many entries repeat the key."""
    ports = [{"name": n, "port": 80, "targetPort": t} for n, t in (("http", 8080), ("web", 8081), ("alt", 8082))]
    found = problems("dev", {f"{K8S}.apps[2].ports": ports})
    assert len(found) == 1 and found[0].startswith(f"{K8S}.apps[2]: ") and "spec.ports[1] repeats" in found[0], found


NGINX_AT = {"aks-networking:ingress": {"controller": "nginx", "nginx": {"visibility": "internal",
                                                                        "staticIp": "192.168.2.20"}}}


@pytest.mark.parametrize("port, refused", [(80, True), (443, True), (8443, False)])
def test_an_internal_service_on_the_nginx_address_may_not_take_its_http_or_https_port(port, refused):
    """The internal nginx frontend answers TCP 80 and 443 on its static address
    (https://learn.microsoft.com/azure/aks/app-routing-nginx-configuration), and one load balancing rule
    answers a frontend address, protocol and port (https://learn.microsoft.com/azure/load-balancer/components#load-balancing-rules)."""
    found = problems("dev", {**NGINX_AT, f"{K8S}.apps[2].serviceType": "InternalLoadBalancer",
                             f"{K8S}.apps[2].staticIp": "192.168.2.20", f"{K8S}.apps[2].ports": [{"name": "web", "port": port}]})
    claims = [p for p in found if "is claimed by ingress.nginx.staticIp" in p]
    assert (claims == [f"{K8S}.apps[2].staticIp: 192.168.2.20 TCP/{port} is claimed by ingress.nginx.staticIp already; "
                       "choose another address or port"]) == refused, found
