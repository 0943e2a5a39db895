"""The engine against network-config-analyzer on 200 generated clusters (committed answers).

tests/differential/make_nca_fixtures.py regenerates the answers. Every disagreement is either
gone or recorded in tests/data/nca/reviewed.yaml with a reproducer and the Kubernetes rule
that decides it.
"""

import glob
import ipaddress
import os
import re
from pathlib import Path

import pytest
import yaml

from aksnet.analysis.reachability import MAX_PORT, PROTOCOLS, PortSet, cluster_from_objects, evaluate

FIXTURES = os.path.join(os.path.dirname(__file__), "data", "nca")
SETS = sorted(glob.glob(os.path.join(FIXTURES, "set-*.yaml")))
REVIEWED = yaml.safe_load(Path(FIXTURES, "reviewed.yaml").read_text())
LINE = re.compile(r"^(\S+) => (\S+) : (.+)$")


def parse_connections(text: str) -> PortSet:
    if text == "All connections":
        return PortSet.all()
    body = text.strip("{}")
    match = re.fullmatch(r"protocols:([A-Z, ]+?)(?:,dst_ports:([0-9,-]+))?", body)
    assert match, text
    protocols = [p.strip() for p in match.group(1).split(",") if p.strip() in PROTOCOLS]
    spans = []
    for part in (match.group(2) or f"1-{MAX_PORT}").split(","):
        low, _, high = part.partition("-")
        spans.append((int(low), int(high or low)))
    return PortSet.of([(p, a, b) for p in protocols for a, b in spans])


def endpoint(text: str):
    """A pod id, or an address interval (first, last) as integers."""
    if text.endswith("]"):
        return text[: text.index("[")]
    first, _, last = text.partition("-")
    return int(ipaddress.ip_address(first)), int(ipaddress.ip_address(last or first))


def analyzer_answer(path: str) -> dict:
    answer: dict = {}
    for line in Path(path).read_text().splitlines():
        match = LINE.match(line)
        if match:
            key = (endpoint(match.group(1)), endpoint(match.group(2)))
            answer[key] = answer.get(key, PortSet()).union(parse_connections(match.group(3)))
    return answer


def at(address: int, table: dict, pod: str, outgoing: bool) -> PortSet:
    """Ports between a pod and one outside address, in a {(src, dst): ports} table with intervals."""
    for (source, destination), ports in table.items():
        interval, other = (destination, source) if outgoing else (source, destination)
        if other == pod and isinstance(interval, tuple) and interval[0] <= address <= interval[1]:
            return ports
    return PortSet()


def disagreements(path: str) -> list[str]:
    objects = list(yaml.safe_load_all(Path(path).read_text()))
    cluster, errors = cluster_from_objects(objects)
    assert errors == []
    result = evaluate(cluster)
    ours: dict = {}
    for group_index, group in enumerate(result.groups):
        if group.external is None:
            continue
        first = int(group.external.cidrs[0].network_address)
        last = int(group.external.cidrs[-1].broadcast_address)
        for (s, d), ports in result.allowed.items():
            if s == group_index:
                for pod in result.groups[d].members:
                    ours[((first, last), pod)] = ports
            if d == group_index:
                for pod in result.groups[s].members:
                    ours[(pod, (first, last))] = ports
    for source, destination, ports in result.pairs():
        if "," not in source and "/" in source and not source[0].isdigit() and not destination[0].isdigit():
            ours[(source, destination)] = ports
    theirs = analyzer_answer(path.replace(".yaml", ".nca.txt"))
    pods = [p.id for p in cluster.pods]
    found = []
    for source in pods:
        for destination in pods:
            if source != destination:
                mine, other = ours.get((source, destination), PortSet()), theirs.get((source, destination), PortSet())
                if mine != other:
                    found.append(f"{source} -> {destination}: engine {mine.describe()}, analyzer {other.describe()}")
    edges = {0, 2 ** 32 - 1}
    for table in (ours, theirs):
        for pair in table:
            for side in pair:
                if isinstance(side, tuple):
                    edges.update((side[0], side[1], side[1] + 1 if side[1] < 2 ** 32 - 1 else side[1]))
    for pod in pods:
        for address in sorted(edges):
            for outgoing in (True, False):
                mine, other = at(address, ours, pod, outgoing), at(address, theirs, pod, outgoing)
                if mine != other:
                    where = f"{pod} -> {ipaddress.ip_address(address)}" if outgoing else f"{ipaddress.ip_address(address)} -> {pod}"
                    found.append(f"{where}: engine {mine.describe()}, analyzer {other.describe()}")
    return found


def test_two_hundred_sets_are_compared():
    assert len(SETS) >= 200


@pytest.mark.parametrize("path", SETS, ids=[os.path.basename(p)[:-5] for p in SETS])
def test_engine_agrees_with_the_analyzer(path):
    name = os.path.basename(path)[:-5]
    found = disagreements(path)
    reviewed = REVIEWED.get(name)
    if reviewed is not None:
        assert found, f"{name} is in the reviewed list but no longer disagrees: remove it"
        return
    assert found == [], "\n".join(found[:10])
