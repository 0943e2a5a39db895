"""The policy pack as the Pulumi CLI runs it: its own process, spoken to over gRPC.

The pack (`policies/__main__.py`) prints its port and serves the Analyzer protocol. It is started
as the engine starts it, with the stack's config in `PULUMI_CONFIG` and its name in `PULUMI_STACK`;
the test sends each recorded resource of both stacks as `Analyze`, all of them as `AnalyzeStack`,
at the stack's levels (`Configure`), and compares the violations with the offline preview's
findings: the spec rules', the resource rules', and those over the Kubernetes objects Pulumi does
not register (delivery gitops or none), for a stack that breaks each Kubernetes-layer rule in each
delivery mode. Then what only the real analyzer does: values
unknown during preview, lists handed over as sequences, secrets decrypted before the rules run.
"""

import contextlib
import json

import pytest
from pulumi.runtime.proto import analyzer_pb2_grpc

from aksnet.config.problems import ConfigError
from aksnet.pipeline import load_stack
from aksnet.rules.registry import BY_ID, RULES
from tests.stacks import DELETE, example, load, variant
from tools.mock_engine import run_program
from tools.pack_client import configure, in_pack_words, pack_process, violations
from tools.policy_check import enforcement, recorded
from tools.preview import analyze

UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"  # the engine's unknown value
SECRET_SIG = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270"}


@pytest.fixture(scope="module")
def pack():
    """`pack(stack, config)`: the pack started for a stack with that config, once per module."""
    with contextlib.ExitStack() as running:
        started: dict[str, analyzer_pb2_grpc.AnalyzerStub] = {}

        def get(stack, config):
            key = stack + json.dumps(config, sort_keys=True, default=str)
            if key not in started:
                started[key] = running.enter_context(pack_process(stack, config))
            return started[key]
        yield get


def offline_findings(stack, config, result):
    """The offline preview's findings, in the pack's words."""
    loaded = load_stack(config, stack)
    return in_pack_words(loaded, analyze(loaded, stack, result).findings)


def pack_findings(pack, stack, config, result):
    stub = pack(stack, config)
    configure(stub, enforcement(stack, stack == "prod"))
    return violations(stub, recorded(result.records))


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_pack_over_grpc_finds_what_the_offline_preview_finds(pack, request, stack):
    result = request.getfixturevalue(stack)
    offline = offline_findings(stack, load(stack), result)
    # prod has advisory findings of spec rules, dev of its plain-HTTP Gateway: they are compared too.
    assert "gateway-host-and-tls" in {p for p, _ in offline} if stack == "dev" else \
        any(BY_ID[p].checks_spec for p, _ in offline)
    assert pack_findings(pack, stack, load(stack), result) == offline


GITOPS = {"url": "https://github.com/contoso/aks-networking", "branch": "main", "path": "deploy/dev"}
DELIVERIES = {
    "apply": {"aks-networking:kubernetes.delivery": "apply", "aks-networking:kubernetes.gitops": DELETE},
    "gitops": {},  # prod's own
    "none": {"aks-networking:kubernetes.delivery": "none", "aks-networking:kubernetes.gitops": DELETE},
}
BREAKS = {
    # https://kubernetes.io/docs/concepts/services-networking/ingress/#tls
    "ingress-host-and-tls": {"aks-networking:kubernetes.ingresses[0].tlsSecret": DELETE},
    # https://gateway-api.sigs.k8s.io/guides/tls/ (the AGC example serves plain HTTP: made production here)
    "gateway-host-and-tls": {"aks-networking:environment.production": True},
    # https://kubernetes.io/docs/concepts/services-networking/network-policies/#default-policies
    "default-deny-per-app-namespace": {"aks-networking:kubernetes.defaultDeny": False},
}
"""A prod variant that breaks each Kubernetes-layer rule a stack file can break. The plan writes no
`kubernetes.io/ingress.class` annotation and no secret into an object, whatever the stack says:
tests/test_policy_pack.py proves the pack holds unregistered objects to those two as well."""


def test_every_kubernetes_layer_rule_is_broken_here_or_unbreakable_by_a_stack():
    """A Kubernetes-layer rule reads Kubernetes objects (or every type of resource)."""
    layer = {rule.id for rule in RULES if rule.checks_resources
             and (rule.types is None or any(t.startswith("kubernetes:") for t in rule.types))}
    assert set(BREAKS) | {"no-ingress-class-annotation", "no-plain-secrets"} == layer


# Each rule under one delivery, each delivery once: the delivery decides how the objects reach the engine
# (registered resources under apply, unregistered objects otherwise), the rule what the pack must find.
@pytest.mark.parametrize("rule_id, delivery", list(zip(BREAKS, DELIVERIES, strict=True)))
def test_a_stack_that_breaks_a_kubernetes_rule_is_refused_by_the_pack_as_offline(pack, rule_id, delivery):
    base = example("agc") if rule_id == "gateway-host-and-tls" else load("prod")
    config = variant(base, {**DELIVERIES[delivery], **BREAKS[rule_id]})
    assert load_stack(config, "prod").spec.kubernetes.delivery == delivery
    result = run_program("prod", config)
    assert result.error is None, result.error
    offline = offline_findings("prod", config, result)
    assert rule_id in {p for p, _ in offline}  # refused offline: the rule is mandatory in prod
    found = pack_findings(pack, "prod", config, result)
    assert found == offline
    assert sum(policy == rule_id for policy, _ in found) == 1  # under apply too: one report, not two


def test_dev_delivered_by_gitops_has_the_same_findings_in_the_pack_as_offline(pack):
    config = variant(load("dev"), {"aks-networking:kubernetes.delivery": "gitops", "aks-networking:kubernetes.gitops": GITOPS})
    result = run_program("dev", config)
    assert result.error is None, result.error
    offline = offline_findings("dev", config, result)
    # dev's Gateway serves plain HTTP (advisory in dev): now an unregistered object's finding, named.
    assert ("gateway-host-and-tls", "kubernetes:gateway.networking.k8s.io/v1:Gateway gateway-development-webapp: "
            "The Gateway serves plain HTTP: add an HTTPS listener with a certificate for every host "
            "(ingresses[].tlsSecret).") in offline
    assert pack_findings(pack, "dev", config, result) == offline


def load_balancer_behind_udr():
    """prod with a public LoadBalancer Service that the internet may reach, and a DNAT rule to an
    internal Service: the public Service's replies leave through the firewall, which never saw the
    requests; the DNAT path is sound."""
    image = "mcr.microsoft.com/azuredocs/aks-helloworld:v1"
    public = {"name": "public", "namespace": "shop", "image": image, "labels": {"app": "public"},
              "ports": [{"port": 80}], "serviceType": "LoadBalancer"}
    published = {"name": "published", "namespace": "shop", "image": image, "labels": {"app": "published"},
                 "ports": [{"port": 443}], "serviceType": "InternalLoadBalancer", "staticIp": "10.240.5.4"}
    flow = {"name": "internet-to-public", "from": {"cidr": "0.0.0.0/0"}, "to": {"app": "public", "namespace": "shop"},
            "ports": ["TCP/80"]}
    kubernetes = load("prod")["aks-networking:kubernetes"]
    return variant(load("prod"), {"aks-networking:kubernetes.apps": [*kubernetes["apps"], public, published],
                                  "aks-networking:kubernetes.flows": [*kubernetes["flows"], flow],
                                  "aks-networking:egress.firewall.dnatRules": [
                                      {"name": "https", "port": 443, "translatedAddress": "10.240.5.4",
                                       "translatedPort": 443}]})


def test_the_pack_refuses_a_public_load_balancer_behind_udr_as_the_program_does(pack):
    """The config check, the offline preview (tests/test_design_rules.py) and the pack run the same
    path rule over the same stack, so the pack names the same keys with the same words."""
    config = load_balancer_behind_udr()
    with pytest.raises(ConfigError) as refused:
        load_stack(config, "prod")
    assert {p.path for p in refused.value.problems} == {"aks-networking:kubernetes.apps[3].serviceType",
                                                        "aks-networking:kubernetes.flows[3]"}
    assert all("asymmetric routing" in p.message for p in refused.value.problems)
    stub = pack("prod", config)
    configure(stub, enforcement("prod", True))
    assert [message for policy, message in violations(stub, []) if policy == "declared-paths-arrive"] == \
        sorted(f"{p.path}: {p.message}" for p in refused.value.problems)


def test_unknown_values_lists_and_secrets_under_the_real_analyzer(pack):
    analyzer = pack("prod", load("prod"))
    configure(analyzer, enforcement("prod", True))
    from aksnet.rules.registry import RecordedResource
    app = RecordedResource("azure-native:web:WebApp", "app", "urn:pulumi:prod::p::azure-native:web:WebApp::app", {
        "id": UNKNOWN,
        "siteConfig": {"connectionStrings": [UNKNOWN, {"connectionString": "Server=x;Password=y"}]},
        "settings": {"clientSecret": {**SECRET_SIG, "value": "s3cr3t"}},
    })
    found = violations(analyzer, [app])
    paths = sorted(message.split(" ", 1)[0] for policy, message in found if policy == "no-plain-secrets")
    # The list is read past its unknown item; the secret arrives decrypted, and the message says so.
    assert paths == ["settings.clientSecret", "siteConfig.connectionStrings[1].connectionString"]
    assert all("sees Pulumi secrets decrypted" in message for policy, message in found if policy == "no-plain-secrets")


@pytest.fixture(scope="module")
def landing_zone():
    """The committed landing zone under the offline preview: the hub, then each spoke with its outputs."""
    import os

    from tools.landing_zone import StackReporter, run_landing_zone
    from tools.mock_engine import PROJECT_DIR
    from tools.preview import render_tree, resources_json
    run = run_landing_zone(os.path.join(PROJECT_DIR, "landing-zone.yaml"), StackReporter(analyze, resources_json, render_tree))
    assert run.problems == [], run.problems
    return run


@pytest.mark.parametrize("stack", ["hub", "spoke-a", "spoke-b"])
def test_the_pack_answers_each_stack_of_the_landing_zone_as_the_offline_preview(pack, landing_zone, stack):
    """`pulumi preview --policy-pack policies` on the hub (from hub/) and on each spoke: the engine hands the
    pack the stack's own config, and the spokes' resources are those made with the hub's outputs. The hub
    holds no cluster: its spec policies answer not-applicable (tests/test_policy_pack.py), and the resource
    rules check its firewall, VNet and zones as the landing-zone preview does."""
    from tools.stackfile import read_stack_file
    entry = landing_zone.stacks[stack]
    config = read_stack_file(entry.display).config  # the registry's path: hub/Pulumi.hub.yaml for the hub
    production = stack == "hub"
    assert bool((config.get("aks-networking:environment") or {}).get("production")) == production
    findings = entry.document["findings"]
    offline = in_pack_words(entry.loaded, findings) if stack != "hub" else \
        sorted((f["policy"], f["message"]) for f in findings if f["level"] != "disabled")
    stub = pack(stack, config)
    configure(stub, enforcement(stack, production))
    resources = recorded(entry.result.records)
    assert "azure-native:network:AzureFirewall" in {r.resource_type for r in resources} if stack == "hub" else \
        "azure-native:containerservice:ManagedCluster" in {r.resource_type for r in resources}
    assert violations(stub, resources) == offline
    # A spoke's findings include its spec rules' (the pack reads its stack file as the program does).
    assert stack == "hub" or any(BY_ID[p].checks_spec for p, _ in offline)
    assert not any(f["level"] == "mandatory" for f in findings)
