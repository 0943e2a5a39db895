"""How fast the path model walks a platform-sized network.

    .venv/bin/python bench/path_benchmark.py [--rounds 5]

A synthetic platform, generated deterministically: 5,000 pods under 1,000 NetworkPolicies (the
cluster of bench/reach_benchmark.py), 300 NSG rules over the node and gateway subnets, 500
firewall rules in three rule collection groups, a default route to the firewall across a hub
peering, and 2,000 flows: pod to pod, pod to CIDR, pod to FQDN, and the internet to pods. The
engine time is the NetworkPolicy evaluation plus the walk of every flow (target: 2 s); building
the network from the synthetic objects is reported apart.
"""

from __future__ import annotations

import argparse
import ipaddress
import random
import sys
import time

from common import ROOT, machine, median
from reach_benchmark import platform_cluster

sys.path.insert(0, ROOT)

from aksnet.analysis.paths import (
    FIREWALL_PUBLIC_ADDRESS,
    App,
    FirewallContext,
    Network,
    Route,
    Subnet,
    Tracer,
    firewall_rules,
    system_routes,
)
from aksnet.analysis.reachability import cluster_from_objects, evaluate
from aksnet.plan.egress_rules import RuleGroup
from aksnet.plan.security_rules import Rule as NsgRule

NET = ipaddress.IPv4Network
IP = ipaddress.IPv4Address
SPACES = {"hub": (NET("10.200.0.0/24"),), "spoke": (NET("10.240.0.0/16"),)}
POD_CIDR = NET("192.168.0.0/16")
FIREWALL = IP("10.200.0.4")


def nsg(rng: random.Random, count: int, prefix: str) -> tuple[NsgRule, ...]:
    rules = []
    for index in range(count):
        source = rng.choice(["*", "Internet", "VirtualNetwork", f"203.0.{rng.randrange(256)}.0/24"])
        rules.append(NsgRule(f"{prefix}{index}", 200 + index * 10, rng.choice(["Inbound", "Outbound"]),
                             rng.choice(["Allow", "Deny"]), rng.choice(["Tcp", "Udp", "*"]), source, "*",
                             (str(rng.choice([80, 443, 8080, 5432, 6379])),)))
    return tuple(rules)


def firewall(rng: random.Random, count: int) -> list[RuleGroup]:
    groups = []
    per_group = count // 3
    for g, priority in enumerate((200, 300, 400)):
        network = [{"ruleType": "NetworkRule", "name": f"net-{g}-{i}", "ipProtocols": ["TCP"],
                    "sourceAddresses": ["10.240.0.0/22"], "destinationAddresses": [f"203.{g}.{i % 256}.0/24"],
                    "destinationPorts": [str(rng.choice([443, 5432, 8443]))]} for i in range(per_group // 2)]
        application = [{"ruleType": "ApplicationRule", "name": f"app-{g}-{i}", "sourceAddresses": ["10.240.0.0/22"],
                        "targetFqdns": [f"svc{i}.team{g}.example.com"],
                        "protocols": [{"protocolType": "Https", "port": 443}]}
                       for i in range(per_group - per_group // 2)]
        groups.append(RuleGroup(f"group-{g}", f"g{g}", priority, (
            {"name": "network", "priority": 100, "action": {"type": "Allow"}, "rules": network},
            {"name": "application", "priority": 200, "action": {"type": "Allow"}, "rules": application})))
    return groups


def build(rng: random.Random, reach) -> Network:
    user = [Route(NET("0.0.0.0/0"), "VirtualAppliance", "user", "default", FIREWALL)]
    subnets = {
        "nodes": Subnet("nodes", "spoke", NET("10.240.0.0/22"), "snet-nodes", nsg(rng, 150, "n"),
                        (*system_routes("spoke", SPACES, True), *user, Route(POD_CIDR, "Cluster", "aks", "pod-cidr"))),
        "appgw": Subnet("appgw", "spoke", NET("10.240.4.0/24"), "snet-appgw", nsg(rng, 150, "a"),
                        (*system_routes("spoke", SPACES, True), Route(POD_CIDR, "Cluster", "aks", "pod-cidr"))),
        "AzureFirewallSubnet": Subnet("AzureFirewallSubnet", "hub", NET("10.200.0.0/26"), "AzureFirewallSubnet",
                                      None, tuple(system_routes("hub", SPACES, True))),
    }
    apps = {}
    for group in reach.groups:
        for pod in group.pods:
            key = f"{pod.namespace}/{pod.name}"
            apps[key] = App(key, "ClusterIP", (("TCP", 8080, 8080),), None, POD_CIDR.network_address + len(apps) + 10)
    groups = firewall(rng, 500)
    context = FirewallContext({}, FIREWALL_PUBLIC_ADDRESS, True, {})
    return Network(subnets=subnets, vnet_spaces=dict(SPACES), on_premises=(), pod_cidr=POD_CIDR, node_subnet="nodes",
                   apps=apps, ingress_routes=[], ingress_controller="none", app_gateway=None, nginx=None,
                   firewall_rules=firewall_rules(groups), firewall_context=context, firewall_address=FIREWALL,
                   private_api=True, api_zone=None, api_address=IP("10.240.0.4"), authorized_ranges=(),
                   reach=reach, controller=None, hub=True, location="westeurope")


def flows(rng: random.Random, tracer: Tracer, count: int) -> list[tuple]:
    pods = sorted(tracer.net.apps)
    out = []
    for index in range(count):
        kind = index % 10
        source = tracer.app_place(rng.choice(pods))
        if kind < 4:
            out.append((source, tracer.app_place(rng.choice(pods)), "TCP", 8080))
        elif kind < 7:
            out.append((source, tracer.address_place(IP(f"203.{rng.randrange(3)}.{rng.randrange(256)}.9")), "TCP",
                        rng.choice([443, 5432])))
        elif kind < 9:
            out.append((source, tracer.fqdn(f"svc{rng.randrange(90)}.team{rng.randrange(3)}.example.com"), "TCP", 443))
        else:
            out.append((tracer.internet(), tracer.app_place(rng.choice(pods)), "TCP", 8080))
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    print(machine())
    objects = platform_cluster(100, 5000, 1000)
    engine, walks, builds = [], [], []
    verdicts: dict[str, int] = {}
    for _ in range(args.rounds):
        rng = random.Random(11)
        model, _ = cluster_from_objects(objects)
        start = time.perf_counter()
        reach = evaluate(model)
        evaluated = time.perf_counter()
        network = build(rng, reach)
        tracer = Tracer(network)
        work = flows(rng, tracer, 2000)
        built = time.perf_counter()
        paths = [tracer.trace(*flow) for flow in work]
        done = time.perf_counter()
        engine.append((evaluated - start) + (done - built))
        walks.append(done - built)
        builds.append(built - evaluated)
        verdicts = {}
        for path in paths:
            verdicts[path.verdict] = verdicts.get(path.verdict, 0) + 1
    print("platform: 5,000 pods, 1,000 NetworkPolicies, 300 NSG rules, 500 firewall rules, 2,000 flows")
    print(f"verdicts: {verdicts}")
    print(median("engine (NetworkPolicy evaluation + every path)", engine, "< 2 s"))
    print(median("  of which the walk of 2,000 paths", walks))
    print(median("building the synthetic network", builds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
