"""How fast the reachability engine and `tools.reach` are on a platform-sized cluster.

    .venv/bin/python bench/reach_benchmark.py [--nca PATH/TO/nca]

Generates (deterministically) a cluster of 100 namespaces, 5,000 pods and 1,000
NetworkPolicies as YAML (about 1.4 MB), then times the engine alone (in process, after
loading) and the whole `python -m tools.reach DIR` process (its grouped human output; `--json`
lists every allowed pod pair, millions here). With `--nca`, also times
network-config-analyzer against `tools.reach` on a cluster small enough for it to finish
(400 pods, 100 policies), for the ratio.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time

import yaml
from common import ROOT, machine, median, timed

sys.path.insert(0, ROOT)

from aksnet.analysis.reachability import cluster_from_objects, evaluate
from tools.reach import load_objects, yaml_files

TIERS = ("web", "api", "worker", "db", "cache")
TEAMS = ("red", "blue", "green", "gold")


def platform_cluster(namespaces: int, pods: int, policies: int, seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    names = [f"team-{i:03d}" for i in range(namespaces)]
    objects: list[dict] = [{"apiVersion": "v1", "kind": "Namespace",
                            "metadata": {"name": n, "labels": {"team": rng.choice(TEAMS),
                                                               "env": rng.choice(("dev", "prod"))}}}
                           for n in names]
    apps_per_namespace = max(pods // namespaces // 10, 1)
    for index in range(pods):
        namespace = names[index % namespaces]
        app = f"app-{rng.randrange(apps_per_namespace)}"
        tier = rng.choice(TIERS)
        objects.append({"apiVersion": "v1", "kind": "Pod",
                        "metadata": {"name": f"{tier}-{index}", "namespace": namespace,
                                     "labels": {"app": app, "tier": tier}},
                        "spec": {"containers": [{"name": "main", "image": "app:1",
                                                 "ports": [{"name": "http", "containerPort": 8080}]}]}})
    for index in range(policies):
        namespace = names[index % namespaces]
        tier = rng.choice(TIERS)
        kind = index % 4
        if kind == 0:
            spec = {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
        elif kind == 1:
            spec = {"podSelector": {"matchLabels": {"tier": tier}}, "policyTypes": ["Ingress"],
                    "ingress": [{"from": [{"podSelector": {"matchLabels": {"tier": rng.choice(TIERS)}}}],
                                 "ports": [{"port": "http"}]}]}
        elif kind == 2:
            spec = {"podSelector": {"matchLabels": {"app": f"app-{rng.randrange(apps_per_namespace)}"}},
                    "policyTypes": ["Ingress"],
                    "ingress": [{"from": [{"namespaceSelector": {"matchLabels": {"team": rng.choice(TEAMS)}},
                                           "podSelector": {"matchExpressions": [
                                               {"key": "tier", "operator": "In", "values": rng.sample(TIERS, 2)}]}}],
                                 "ports": [{"port": 8080, "protocol": "TCP"}, {"port": "metrics"}]}]}
        else:
            spec = {"podSelector": {"matchLabels": {"tier": tier}}, "policyTypes": ["Egress"],
                    "egress": [{"to": [{"namespaceSelector": {"matchLabels": {
                                            "kubernetes.io/metadata.name": "kube-system"}},
                                        "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}}],
                                "ports": [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}]},
                               {"to": [{"podSelector": {"matchLabels": {"tier": rng.choice(TIERS)}}},
                                       {"ipBlock": {"cidr": "10.0.0.0/8", "except": [f"10.{index % 250}.0.0/16"]}}],
                                "ports": [{"port": 8000, "endPort": 8100}]}]}
        objects.append({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                        "metadata": {"name": f"policy-{index}", "namespace": namespace}, "spec": spec})
    return objects


def write(objects: list[dict], directory: str) -> int:
    path = os.path.join(directory, "cluster.yaml")
    with open(path, "w") as handle:
        yaml.dump_all(objects, handle, Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper))
    return os.path.getsize(path)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--nca", help="network-config-analyzer's nca command, for the ratio")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    print(machine())
    with tempfile.TemporaryDirectory() as work:
        size = write(platform_cluster(100, 5000, 1000), work)
        objects, _ = load_objects(yaml_files([work]))
        engine_times, groups = [], 0
        for _ in range(args.rounds):
            model, _ = cluster_from_objects(objects)
            start = time.perf_counter()
            result = evaluate(model)
            engine_times.append(time.perf_counter() - start)
            groups = len(result.groups)
        # The human output (grouped); --json lists every allowed pod pair, as large as the answer.
        process_times = [timed([sys.executable, "-m", "tools.reach", work], check=False) for _ in range(args.rounds)]
        print(f"cluster: 100 namespaces, 5,000 pods, 1,000 policies, {size / 1e6:.2f} MB of YAML, "
              f"{groups} endpoint groups")
        print(median("engine", engine_times, "< 2 s"))
        print(median("tools.reach process, YAML included", process_times, "< 4 s"))
    if args.nca:
        with tempfile.TemporaryDirectory() as work:
            from tests.differential.make_nca_fixtures import nca_command
            command = nca_command(args.nca, platform_cluster(20, 400, 100), work)
            ours = statistics.median(timed([sys.executable, "-m", "tools.reach", work, "--json"], check=False)
                                     for _ in range(3))
            theirs = timed(command, check=False)
            print(f"400 pods, 100 policies: tools.reach {ours:.2f} s, network-config-analyzer {theirs:.2f} s, "
                  f"ratio {theirs / ours:.0f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
