"""tools.reach reproduces every ported upstream network policy e2e truth table."""

import json
from pathlib import Path

import pytest
import yaml

from tools import reach

SCENARIOS = yaml.safe_load(Path(__file__).with_name("data").joinpath("upstream_netpol.yaml").read_text())
NAMESPACE_INDEX = {"x": 1, "y": 2, "z": 3}
POD_INDEX = {"a": 1, "b": 2, "c": 3}


def pod_ip(pod):
    namespace, name = pod.split("/")
    return f"10.{NAMESPACE_INDEX[namespace]}.0.{POD_INDEX[name]}"


def manifests(scenario):
    objects = []
    for namespace in sorted({p.split("/")[0] for p in scenario["pods"]} | {"x", "y", "z"}):
        labels = {"ns": namespace, **scenario.get("namespace_labels", {}).get(namespace, {})}
        objects.append({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace, "labels": labels}})
    for pod in scenario["pods"]:
        namespace, name = pod.split("/")
        ports = [{"name": f"serve-{port}-{protocol.lower()}", "containerPort": port, "protocol": protocol}
                 for port in (80, 81) for protocol in ("TCP", "UDP", "SCTP")]
        objects.append({"apiVersion": "v1", "kind": "Pod",
                        "metadata": {"name": name, "namespace": namespace,
                                     "labels": scenario.get("pod_labels", {}).get(pod, {"pod": name})},
                        "spec": {"containers": [{"name": "cont", "image": "agnhost", "ports": ports}]},
                        "status": {"podIP": pod_ip(pod)}})
    for policy in scenario["policies"]:
        objects.append({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                        "metadata": {"name": policy["name"], "namespace": policy["namespace"]}, "spec": policy["spec"]})
    return objects


def matches(pattern, pod):
    return pattern == "*" or pattern == pod or (pattern.endswith("/*") and pod.startswith(pattern[:-1]))


def expected_table(pods, expectations):
    table = {(s, d): True for s in pods for d in pods if s != d}
    for source, destination, allowed in expectations:
        for pair in table:
            if matches(source, pair[0]) and matches(destination, pair[1]):
                table[pair] = allowed
    return table


def covers(ports, protocol, port):
    if ports == "all":
        return True
    for entry in ports:
        proto, _, span = entry.partition("/")
        if proto != protocol:
            continue
        if span == "all":
            return True
        low, _, high = span.partition("-")
        if int(low) <= port <= int(high or low):
            return True
    return False


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s["name"] for s in SCENARIOS])
def test_upstream_truth_table(scenario, tmp_path, capsys):
    path = tmp_path / "cluster.yaml"
    path.write_text(yaml.safe_dump_all(manifests(scenario)))
    assert reach.main([str(path), "--json"]) == 0
    assert_probes(scenario, json.loads(capsys.readouterr().out))


def assert_probes(scenario, document):
    """Every probe of a scenario gets the verdict the upstream table expects, pair by pair."""
    allowed = {(e["from"], e["to"]): e["ports"] for e in document["allowed"]}
    for probe in scenario["probes"]:
        expected = expected_table(scenario["pods"], probe["expect"])
        actual = {pair: covers(allowed.get(pair, []), probe["protocol"], probe["port"]) for pair in expected}
        wrong = {pair: actual[pair] for pair in expected if actual[pair] != expected[pair]}
        assert not wrong, f"{probe['protocol']}/{probe['port']}: engine says {wrong}"


def test_at_least_forty_scenarios_are_ported():
    assert len(SCENARIOS) >= 40
