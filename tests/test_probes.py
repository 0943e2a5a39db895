"""Health probes: HTTP readiness and liveness, and the application gateway's probe that follows them."""

import pytest

from aksnet.config.problems import ConfigError
from aksnet.config.stack import load_spec
from aksnet.pipeline import load_stack
from aksnet.rules.registry import check_stack
from tests.stacks import DELETE, load, validate_stack_config, variant


def containers(config, stack="prod"):
    plan = load_stack(config, stack).plan
    return {m["metadata"]["name"]: m["spec"]["template"]["spec"]["containers"][0]
            for m in plan.manifests if m["kind"] == "Deployment"}


def test_declared_probes_are_http_gets_and_the_rest_stay_tcp():
    found = containers(load("prod"))
    assert found["api"]["readinessProbe"] == {"httpGet": {"path": "/api/health", "port": 8080}, "periodSeconds": 10}
    assert found["api"]["livenessProbe"] == {"httpGet": {"path": "/api/health", "port": 8080}, "periodSeconds": 10,
                                             "initialDelaySeconds": 10}
    assert found["web"]["readinessProbe"]["httpGet"] == {"path": "/", "port": 8080}  # the container port, not 80
    assert found["cache"]["readinessProbe"] == {"tcpSocket": {"port": 6379}, "periodSeconds": 10}


def test_an_agic_backend_without_an_http_probe_is_refused_in_production_and_reported_in_development():
    config = variant(load("prod"), {"aks-networking:kubernetes.apps[1].probes": DELETE})
    with pytest.raises(ConfigError) as refused:
        validate_stack_config(config, "prod")
    assert [(p.path, "GET / on port 8080" in p.message) for p in refused.value.problems] == \
        [("aks-networking:kubernetes.apps[1].probes", True)]
    development = variant(config, {"aks-networking:environment.production": False})
    findings = check_stack(load_spec(development, "prod")).findings
    assert [f.resource for f in findings if f.policy == "agic-backends-probe-over-http"] == \
        ["aks-networking:kubernetes.apps[1].probes"]


@pytest.mark.parametrize("probes, key, fragment", [
    ({"readiness": {"path": "/", "port": 9090}}, "aks-networking:kubernetes.apps[1].probes.readiness.port",
     "not a TCP container port of api"),
    ({"readiness": {"path": "health"}}, "aks-networking:kubernetes.apps[1].probes.readiness.path",
     "an absolute URL path"),
    ({"readyness": {"path": "/"}}, "aks-networking:kubernetes.apps[1].probes.readyness", "not a known key"),
])
def test_probe_mistakes_are_refused_by_key(probes, key, fragment):
    with pytest.raises(ConfigError) as refused:
        validate_stack_config(variant(load("prod"), {"aks-networking:kubernetes.apps[1].probes": probes}), "prod")
    assert any(p.path == key and fragment in p.message for p in refused.value.problems), refused.value.lines()


def test_a_probe_on_another_port_than_the_gateway_reaches_is_refused():
    apps = load("prod")["aks-networking:kubernetes"]["apps"]
    api = {**apps[1], "ports": [{"name": "http", "port": 8080}, {"name": "admin", "port": 9090}],
           "probes": {"readiness": {"path": "/ready", "port": 9090}}}
    with pytest.raises(ConfigError) as refused:
        validate_stack_config(variant(load("prod"), {"aks-networking:kubernetes.apps": [apps[0], api, apps[2]]}),
                              "prod")
    assert [p.path for p in refused.value.problems] == ["aks-networking:kubernetes.apps[1].probes.readiness.port"]
