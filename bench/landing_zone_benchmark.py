"""A landing zone of one hub and 20 spokes, previewed as one, against a landing zone of one spoke.

Generates the stacks (each spoke calls the next one's internal API across the hub's firewall, so
every spoke carries a cross-spoke flow each way), then times `tools.landing_zone.run_landing_zone`
in one process, the SDKs imported once, every stack read and planned anew each run, alternating
the two sizes, in CPU seconds of the process (all its threads): on a shared machine, other work
inflates wall-clock time but not these. The issue's target: 20 spokes within 20 times one spoke's
landing zone (the hub and one spoke: a spoke previews only with its hub's outputs).

    .venv/bin/python bench/landing_zone_benchmark.py [--spokes 20] [--rounds 3]
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import tempfile
import time

import yaml
from common import ROOT, machine

sys.path.insert(0, ROOT)


def spoke_config(index: int, count: int, registry: str) -> dict:
    octet, after = 130 + index, 130 + (index + 1) % count
    before = 130 + (index - 1) % count
    name = f"spoke{index:02d}"
    # Alone, a spoke calls its own API: the same work, and no other spoke to reach.
    flows = [{"name": "to-api-of-next", "from": {"app": "client", "namespace": "team"},
              "to": {"cidr": f"10.{after}.4.10/32"}, "ports": ["TCP/8080"]},
             {"name": "from-previous", "from": {"cidr": f"10.{before}.0.0/22"},
              "to": {"app": "api", "namespace": "team"}, "ports": ["TCP/8080"]}]
    return {"config": {
        "azure-native:location": "westeurope",
        "aks-networking:landingZone": {"role": "spoke", "name": name, "registry": registry,
                                       "hub": "contoso/aks-networking/hub"},
        "aks-networking:environment": {"name": name},
        "aks-networking:network": {"bastion": False, "spoke": {
            "addressSpace": [f"10.{octet}.0.0/16"],
            "subnets": {"nodes": f"10.{octet}.0.0/22", "ilb": f"10.{octet}.4.0/28",
                        "endpoints": f"10.{octet}.5.0/28"}}},
        "aks-networking:cluster": {
            "kubernetesVersion": "1.36", "networkPlugin": "azure", "networkPluginMode": "overlay",
            "networkDataplane": "cilium", "networkPolicy": "cilium", "podCidr": "192.168.0.0/16",
            "serviceCidr": "172.16.0.0/16", "dnsServiceIp": "172.16.0.10", "outboundType": "userDefinedRouting",
            "private": True, "privateDnsZone": "system",
            "nodePools": [{"name": "system", "mode": "System", "vmSize": "Standard_D4ds_v5", "count": 2}]},
        "aks-networking:egress": {"firewall": {}},
        "aks-networking:registry": {"name": f"contosoaksbench{index:02d}"},
        "aks-networking:kubernetes": {
            "delivery": "gitops",
            "gitops": {"url": "https://github.com/contoso/aks-networking", "branch": "main", "path": f"deploy/{name}"},
            "namespaces": [{"name": "team"}],
            "apps": [{"name": "client", "namespace": "team", "image": "platform://example/client:1.0.0",
                      "labels": {"app": "client"}, "ports": [{"name": "http", "port": 8080}]},
                     {"name": "api", "namespace": "team", "image": "platform://example/api:1.0.0",
                      "labels": {"app": "api"}, "ports": [{"name": "http", "port": 8080}],
                      "serviceType": "InternalLoadBalancer", "staticIp": f"10.{octet}.4.10"}],
            "flows": flows}}}


def write_zone(directory: str, count: int) -> str:
    """A landing zone of the committed hub and `count` generated spokes; returns its registry's path."""
    registry = os.path.join(directory, "landing-zone.yaml")
    spokes = {}
    for index in range(count):
        name = f"spoke{index:02d}"
        path = os.path.join(directory, f"Pulumi.{name}.yaml")
        with open(path, "w", encoding="utf-8") as handle:
            yaml.safe_dump(spoke_config(index, count, os.path.relpath(registry, ROOT)), handle)
        spokes[name] = {"stack": os.path.basename(path), "owner": f"team-{index:02d}",
                        "addressSpace": [f"10.{130 + index}.0.0/16"],
                        "ruleCollectionPriorities": [1000 + 100 * index, 1099 + 100 * index]}
    with open(registry, "w", encoding="utf-8") as handle:
        yaml.safe_dump({"hub": {"stack": os.path.join(ROOT, "hub", "Pulumi.hub.yaml"), "owner": "network-team",
                                "addressSpace": ["10.100.0.0/24"]}, "spokes": spokes}, handle)
    return registry


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--spokes", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    os.chdir(ROOT)
    from aksnet import pipeline
    from tools.landing_zone import StackReporter, run_landing_zone
    from tools.preview import analyze, render_tree, resources_json
    reporter = StackReporter(analyze, resources_json, render_tree)
    with tempfile.TemporaryDirectory(prefix="lz-bench-", dir=ROOT) as one_dir, \
            tempfile.TemporaryDirectory(prefix="lz-bench-", dir=ROOT) as many_dir:
        one, many = write_zone(one_dir, 1), write_zone(many_dir, args.spokes)

        def timed(path: str) -> tuple[float, int, int]:
            # Each run reads, checks and plans its stacks anew, as a run of the command line does.
            pipeline._loaded.clear()
            gc.collect()  # the previous round's garbage is not this round's cost
            start = time.process_time()
            run = run_landing_zone(path, reporter)
            seconds = time.process_time() - start
            if run.problems:
                raise SystemExit("\n".join(run.problems))
            allowed = sum(1 for p in run.paths if p["verdict"] == "allowed")
            return seconds, len(run.paths), allowed
        timed(one)  # warm: the SDK modules are imported once per process
        ones, manys = [], []
        for _ in range(args.rounds):
            ones.append(timed(one))
            manys.append(timed(many))
    one_s = statistics.median(s for s, _, _ in ones)
    many_s = statistics.median(s for s, _, _ in manys)
    print(machine())
    print(f"hub + 1 spoke: median {one_s:.2f} CPU s ({args.rounds} runs)")
    print(f"hub + {args.spokes} spokes: median {many_s:.2f} CPU s ({args.rounds} runs); cross-spoke paths walked: "
          f"{manys[0][1]}, allowed: {manys[0][2]}")
    ratio = many_s / one_s
    print(f"each further spoke: {(many_s - one_s) / (args.spokes - 1):.2f} CPU s")
    print(f"ratio: {ratio:.1f} (target {args.spokes} or less)")
    return 0 if ratio <= args.spokes else 1


if __name__ == "__main__":
    sys.exit(main())
