"""Inputs that would break the cluster or slip past a guardrail are refused, one line naming the key."""

import json

import pytest
import yaml

from aksnet.rules.guardrails import covers_most_of_the_internet
from aksnet.rules.registry import BY_ID, RecordedResource
from aksnet.vocabulary import CLUSTER
from tests.stacks import load, variant
from tools import preview

SYSTEM_APP = {"name": "dns-helper", "namespace": "kube-system", "image": "registry.k8s.io/pause:3.10",
              "labels": {"app": "dns-helper"}, "ports": [{"port": 8080}]}
POLICY = {"name": "allow-all", "namespace": "app-routing-system", "spec": {"podSelector": {}}}
DEV_K8S = "aks-networking:kubernetes"
WEBAPP = {"name": "webapp", "namespace": "development", "host": "other.dev.example.com",
          "paths": [{"path": "/", "app": "frontend", "port": 80}]}
FLOWS = [{"name": "ingress-webapp-frontend-80", "from": {"cidr": "10.1.0.0/16"},
          "to": {"app": "frontend", "namespace": "development"}, "ports": ["TCP/80"]}]
CASES = {
    "two ingresses of one name": ("dev", {f"{DEV_K8S}.ingresses[1]": WEBAPP}, f"{DEV_K8S}.ingresses[1]",
                                  "which kubernetes.ingresses[0] declares too"),
    "a literal policy named default-deny": (
        "dev", {f"{DEV_K8S}.policies": [{"name": "default-deny", "namespace": "development", "spec": {"podSelector": {}}}]},
        f"{DEV_K8S}.policies[0]", "which kubernetes.defaultDeny declares too"),
    "a flow named like an ingress's generated flow": (
        "dev", {f"{DEV_K8S}.flows": FLOWS}, f"{DEV_K8S}.ingresses[0]", "which kubernetes.flows[0] declares too"),
    "app in kube-system": ("dev", {"aks-networking:kubernetes.apps": [*load("dev")["aks-networking:kubernetes"]["apps"],
                                                                      SYSTEM_APP]},
                           "aks-networking:kubernetes.apps[4].namespace", "platform namespace"),
    "kube-system declared": ("dev", {"aks-networking:kubernetes.namespaces": [
        {"name": "development"}, {"name": "kube-system"}]}, "aks-networking:kubernetes.namespaces[1].name",
        "platform namespace"),
    "policy in the nginx add-on's namespace": ("dev", {"aks-networking:kubernetes.policies": [POLICY]},
                                               "aks-networking:kubernetes.policies[0].namespace", "nginx add-on"),
    "misspelled config namespace": ("prod", {"aks-netwrking:environment": {"production": True}},
                                    "aks-netwrking:environment", "did you mean 'aks-networking:environment'"),
    "key of no namespace reads": ("dev", {"azure:location": "westeurope"}, "azure:location", "nothing reads"),
    "ingress controller as a destination": (
        "dev", {"aks-networking:kubernetes.flows[0].to": {"ingressController": True}},
        "aks-networking:kubernetes.flows[0].to.ingressController", "source only"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_refused_with_one_line_naming_the_key(case, tmp_path, capsys):
    refused_with_one_line_naming_the_key(*CASES[case], tmp_path, capsys)


def refused_with_one_line_naming_the_key(stack, changes, key, fragment, tmp_path, capsys):
    path = tmp_path / "stack.yaml"
    path.write_text(yaml.safe_dump({"config": variant(load(stack), changes)}))
    code = preview.main([stack, "--config", str(path)])
    out, err = capsys.readouterr()
    assert code == 1 and out == "", err
    named = [line for line in err.splitlines() if line.startswith(f"{path}: {key}: ")]
    assert named and any(fragment in line for line in named), err
    assert "Traceback" not in err


@pytest.mark.parametrize("ranges,public", [
    (["0.0.0.0/0"], True), (["0.0.0.0/1", "128.0.0.0/1"], True), (["0.0.0.0/1"], True),
    (["0.0.0.0/2", "64.0.0.0/2", "128.0.0.0/2"], True), (["0.0.0.0/2", "128.0.0.0/2"], True), (["0.0.0.0/2", "128.0.0.0/3"], False),
    (["203.0.113.0/24"], False), (["not-a-cidr"], False),
])
def test_authorized_ranges_that_cover_most_of_the_internet_count_as_public(ranges, public):
    assert covers_most_of_the_internet(ranges) is public
    cluster = RecordedResource(CLUSTER, "aks", "urn:aks", {"apiServerAccessProfile": {"authorizedIPRanges": ranges}})
    found = []
    BY_ID["private-api-or-authorized-ranges"].resource(cluster, lambda message, urn=None: found.append(message))
    assert bool(found) is public


def test_prod_with_an_api_open_to_the_internet_fails_the_preview(tmp_path, capsys):
    config = variant(load("prod"), {"aks-networking:cluster.private": False,
                                    "aks-networking:cluster.privateDnsZone": "system",
                                    "aks-networking:cluster.authorizedIpRanges": ["0.0.0.0/1", "128.0.0.0/1"]})
    path = tmp_path / "stack.yaml"
    path.write_text(yaml.safe_dump({"config": config}))
    assert preview.main(["prod", "--config", str(path)]) == 1
    assert "private-api-or-authorized-ranges" in capsys.readouterr().err


def test_the_mock_engine_refuses_a_second_resource_with_one_urn():
    import pulumi

    from tools.mock_engine import DuplicateUrn, run_program

    def program():
        pulumi.ComponentResource("aks-networking:test:Thing", "same")
        pulumi.ComponentResource("aks-networking:test:Thing", "same")
    result = run_program("t", {}, program=program)
    assert isinstance(result.error, DuplicateUrn) and "Thing::same" in str(result.error)


YAML_HAZARDS = {
    "a key given twice": ("config:\n  azure-native:location: westeurope\n  aks-networking:cluster:\n    name: a\n"
                          "    name: b\n", "line 5, column 5: not valid YAML: key 'name' is given twice"),
    "billion laughs": ("a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                       "c: [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n", "alias *a is not allowed"),
    "tab indentation": ("config:\n\taks-networking:cluster: {}\n", "line 2: tabs are not allowed for indentation"),
    "an empty file": ("", "is empty; a stack file holds 'config:'"),
    "keys outside config": ("aks-networking:cluster: {}\n", "has no 'config:' key (aks-networking:cluster"),
    "an empty config": ("config: {}\n", "config: is empty"),
}


@pytest.mark.parametrize("case", sorted(YAML_HAZARDS))
def test_yaml_hazards_are_one_line(case, tmp_path, capsys):
    text, fragment = YAML_HAZARDS[case]
    path = tmp_path / "stack.yaml"
    path.write_text(text)
    code = preview.main(["dev", "--config", str(path)])
    out, err = capsys.readouterr()
    assert code == 1 and out == "" and len(err.strip().splitlines()) == 1, err
    assert err.startswith(f"{path}: ") and fragment in err, err


def test_a_stack_file_over_1_mib_is_refused_unread(tmp_path, capsys):
    path = tmp_path / "stack.yaml"
    path.write_text("config:\n" + "#" * (1024 * 1024) + "\n")
    assert preview.main(["dev", "--config", str(path)]) == 1
    assert "at most 1 MiB" in capsys.readouterr().err


def test_an_unquoted_version_says_to_quote_it(tmp_path, capsys):
    path = tmp_path / "stack.yaml"
    version = load("dev")["aks-networking:cluster"]["kubernetesVersion"]
    text = yaml.safe_dump({"config": load("dev")}).replace(f"kubernetesVersion: '{version}'", "kubernetesVersion: 1.30")
    assert "kubernetesVersion: 1.30" in text
    path.write_text(text)
    assert preview.main(["dev", "--config", str(path)]) == 1
    err = capsys.readouterr().err
    assert "aks-networking:cluster.kubernetesVersion: is the number 1.3" in err and 'quote it' in err


CLUSTER_KEY = "aks-networking:cluster"
FW = "aks-networking:egress.firewall"
RULE = {"name": "ntp", "protocols": ["UDP"], "destinationAddresses": ["203.0.113.10"], "ports": ["123"]}
VALUES = {
    "cluster name with an underscore": ("dev", {f"{CLUSTER_KEY}.name": "aks_dev"}, f"{CLUSTER_KEY}.name", "DNS prefix"),
    "cluster name of 60 characters": ("dev", {f"{CLUSTER_KEY}.name": "a" * 60}, f"{CLUSTER_KEY}.name", "1 to 54"),
    "cluster name ending in a hyphen": ("dev", {f"{CLUSTER_KEY}.name": "aks-"}, f"{CLUSTER_KEY}.name", "DNS prefix"),
    "cluster name starting with a digit": ("dev", {f"{CLUSTER_KEY}.name": "1aks"}, f"{CLUSTER_KEY}.name", "a letter first"),
    "firewall port 0": ("prod", {f"{FW}.networkRules": [{**RULE, "ports": ["0"]}]}, f"{FW}.networkRules[0].ports[0]",
                        "from 1 to 65535"),
    "firewall port 70000": ("prod", {f"{FW}.networkRules": [{**RULE, "ports": ["70000"]}]},
                            f"{FW}.networkRules[0].ports[0]", "from 1 to 65535"),
    "firewall range upside down": ("prod", {f"{FW}.networkRules": [{**RULE, "ports": ["9000-8000"]}]},
                                   f"{FW}.networkRules[0].ports[0]", "a range"),
    "firewall address 999.999.999.999": (
        "prod", {f"{FW}.networkRules": [{**RULE, "destinationAddresses": ["999.999.999.999"]}]},
        f"{FW}.networkRules[0].destinationAddresses[0]", "not an IPv4 address"),
    "label value with spaces": ("dev", {"aks-networking:kubernetes.apps[0].labels.role": "back end"},
                                "aks-networking:kubernetes.apps[0].labels.role", "not a label value"),
    "label key with two slashes": ("dev", {"aks-networking:kubernetes.namespaces[0].labels": {"a/b/c": "x"}},
                                   "aks-networking:kubernetes.namespaces[0].labels.a/b/c", "not a label key"),
    "app name starting with a digit": ("dev", {"aks-networking:kubernetes.apps[2].name": "1store"},
                                       "aks-networking:kubernetes.apps[2].name", "RFC 1035"),
    "misspelled region": ("dev", {"azure-native:location": "westeuropa"}, "azure-native:location",
                          "did you mean 'westeurope'"),
    "zones in a region without them": ("prod", {"azure-native:location": "northcentralus"},
                                       f"{CLUSTER_KEY}.nodePools[0].zones", "has no availability zones"),
    "tag name with a slash": ("dev", {"aks-networking:environment.tags": {"cost/center": "1"}},
                              "aks-networking:environment.tags.cost/center", "not a valid tag name"),
    "tag value over 256 characters": ("dev", {"aks-networking:environment.tags": {"owner": "x" * 257}},
                                      "aks-networking:environment.tags.owner", "at most 256"),
}


@pytest.mark.parametrize("case", sorted(VALUES))
def test_values_azure_or_kubernetes_would_reject_are_refused(case, tmp_path, capsys):
    refused_with_one_line_naming_the_key(*VALUES[case], tmp_path, capsys)


@pytest.mark.parametrize("port", ["*", "1", "443", "8000-8080", 123, "65535"])
def test_good_firewall_ports_pass(port):
    from aksnet.config.schema import Problems
    from aksnet.config.stack import firewall_port
    problems = Problems()
    assert firewall_port(problems, "p", port) == str(port) and not problems


def lines_for(stack, changes, tmp_path, capsys):
    path = tmp_path / "stack.yaml"
    path.write_text(yaml.safe_dump({"config": variant(load(stack), changes)}))
    assert preview.main([stack, "--config", str(path)]) == 1
    return [line.split(": ", 1)[1] for line in capsys.readouterr().err.splitlines()]


def test_a_static_ip_in_a_subnet_without_usable_addresses_says_so(tmp_path, capsys):
    lines = lines_for("dev", {"aks-networking:network.spoke.subnets.ilb": "192.168.2.8/32"}, tmp_path, capsys)
    static = [line for line in lines if line.startswith("aks-networking:kubernetes.apps[3].staticIp")]
    assert static and "no usable address" in static[0] and "from" not in static[0]


def test_a_host_bits_error_is_not_followed_by_a_missing_subnet(tmp_path, capsys):
    lines = lines_for("prod", {"aks-networking:network.spoke.subnets.nodes": "10.240.0.1/22"}, tmp_path, capsys)
    assert any("host bits set" in line for line in lines)
    assert not any("is required" in line for line in lines), lines


def test_suggestions_of_one_run_agree(tmp_path, capsys):
    """A service CIDR over the spoke and a DNS address outside it: the DNS address suggested lies
    inside the service CIDR suggested, and that one overlaps nothing."""
    lines = lines_for("prod", {"aks-networking:cluster.serviceCidr": "10.240.0.0/16"}, tmp_path, capsys)
    service = next(line for line in lines if line.startswith("aks-networking:cluster.serviceCidr"))
    dns = next(line for line in lines if line.startswith("aks-networking:cluster.dnsServiceIp"))
    suggested = service.rsplit("e.g. ", 1)[1]
    assert suggested == "172.16.0.0/16" and f"inside {suggested} such as 172.16.0.10" in dns


def test_nested_secrets_and_typed_values_are_what_pulumi_config_set_path_writes(tmp_path, capsys):
    """`pulumi config set --path` stores 1 and true typed, and --secret a nested {secure: ...}: the
    offline preview reads them as the strings they stand for, and never shows the ciphertext."""
    path = tmp_path / "stack.yaml"
    rule = {"name": "ntp", "protocols": ["UDP"], "destinationFqdns": ["ntp.ubuntu.com"], "ports": [123]}
    config = variant(load("prod"), {"aks-networking:environment.tags": {"owner": {"secure": "v1:c2VjcmV0"},
                                                                       "costCenter": 1234, "critical": True},
                                    "aks-networking:cluster.maxSurge": 1,
                                    "aks-networking:egress.firewall.networkRules": [rule]})
    path.write_text(yaml.safe_dump({"config": config}))
    assert preview.main(["prod", "--config", str(path), "--json"]) == 0
    out = capsys.readouterr().out
    document = json.loads(out)
    group = next(r for r in document["resources"] if r["type"] == "azure-native:resources:ResourceGroup")
    assert group["inputs"]["tags"]["owner"] == "[secret]" and "c2VjcmV0" not in out
    assert group["inputs"]["tags"]["costCenter"] == "1234" and group["inputs"]["tags"]["critical"] == "true"
    cluster = next(r for r in document["resources"] if r["type"] == "azure-native:containerservice:ManagedCluster")
    assert all(p["upgradeSettings"]["maxSurge"] == "1" for p in cluster["inputs"]["agentPoolProfiles"])
    rules = [r for g in document["resources"] if g["type"].endswith("FirewallPolicyRuleCollectionGroup")
             for c in g["inputs"]["ruleCollections"] for r in c["rules"]]
    assert next(r for r in rules if r["name"] == "ntp")["destinationPorts"] == ["123"]


def test_a_secret_where_a_form_is_needed_is_refused_without_showing_it(tmp_path, capsys):
    path = tmp_path / "stack.yaml"
    config = variant(load("dev"), {"aks-networking:network.spoke.subnets.nodes": {"secure": "v1:c2VjcmV0"}})
    path.write_text(yaml.safe_dump({"config": config}))
    assert preview.main(["dev", "--config", str(path)]) == 1
    err = capsys.readouterr().err
    assert "aks-networking:network.spoke.subnets.nodes" in err and "[secret]" in err and "c2VjcmV0" not in err


def test_a_network_rule_needs_somewhere_to_go(tmp_path, capsys):
    rule = {"name": "nowhere", "protocols": ["TCP"], "ports": ["443"]}
    lines = lines_for("prod", {"aks-networking:egress.firewall.networkRules": [rule]}, tmp_path, capsys)
    assert any(line.startswith("aks-networking:egress.firewall.networkRules[0]: needs destinationAddresses")
               for line in lines), lines


def test_a_required_key_left_empty_is_refused_by_name(tmp_path, capsys):
    """`name:` with nothing after it is YAML's null: found by the property test on a generated stack."""
    routes = load("prod")["aks-networking:kubernetes"]["ingresses"]
    lines = lines_for("prod", {"aks-networking:kubernetes.ingresses": [{**routes[0], "name": None}]}, tmp_path, capsys)
    assert any(line.startswith("aks-networking:kubernetes.ingresses[0].name: is required but empty") for line in lines), \
        lines
