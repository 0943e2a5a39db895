"""Random but valid clusters (Namespaces, Pods, NetworkPolicies) for differential testing.

Deterministic for a seed. Pods carry no IP, so ipBlocks match outside addresses only:
whether an ipBlock matches a pod's own address is left to each implementation by Kubernetes,
and network-config-analyzer never matches it.
"""

from __future__ import annotations

import random

LABEL_KEYS = ("app", "tier", "team")
LABEL_VALUES = ("web", "api", "db", "a", "b")
NAMESPACE_KEYS = ("env", "team")
NAMESPACE_VALUES = ("dev", "prod", "red", "blue")
PORT_NAMES = ("http", "metrics", "dns")
CIDRS = (("10.0.0.0/8", ("10.1.0.0/16", "10.2.3.0/24")), ("192.168.0.0/16", ("192.168.10.0/24",)),
         ("0.0.0.0/0", ("10.0.0.0/8",)), ("172.16.0.0/12", ()), ("203.0.113.0/24", ("203.0.113.128/25",)))


def _labels(rng: random.Random, keys, values, most: int = 2) -> dict:
    return {k: rng.choice(values) for k in rng.sample(keys, rng.randint(0, most))}


def _selector(rng: random.Random, keys, values) -> dict:
    choice = rng.random()
    if choice < 0.25:
        return {}
    if choice < 0.65:
        return {"matchLabels": _labels(rng, keys, values, 1) or {keys[0]: values[0]}}
    key = rng.choice(keys)
    operator = rng.choice(("In", "NotIn", "Exists", "DoesNotExist"))
    expression = {"key": key, "operator": operator}
    if operator in ("In", "NotIn"):
        expression["values"] = rng.sample(values, rng.randint(1, 2))
    out = {"matchExpressions": [expression]}
    if rng.random() < 0.3:
        out["matchLabels"] = {rng.choice(keys): rng.choice(values)}
    return out


def _peer(rng: random.Random) -> dict:
    kind = rng.random()
    if kind < 0.3:
        return {"podSelector": _selector(rng, LABEL_KEYS, LABEL_VALUES)}
    if kind < 0.55:
        return {"namespaceSelector": _selector(rng, (*NAMESPACE_KEYS, "kubernetes.io/metadata.name"),
                                               (*NAMESPACE_VALUES, "ns0", "ns1", "ns2"))}
    if kind < 0.8:
        return {"namespaceSelector": _selector(rng, NAMESPACE_KEYS, NAMESPACE_VALUES),
                "podSelector": _selector(rng, LABEL_KEYS, LABEL_VALUES)}
    cidr, excepts = rng.choice(CIDRS)
    block = {"cidr": cidr}
    if excepts and rng.random() < 0.6:
        block["except"] = list(excepts[: rng.randint(1, len(excepts))])
    return {"ipBlock": block}


def _port(rng: random.Random) -> dict:
    protocol = rng.choice(("TCP", "TCP", "UDP", "SCTP"))
    kind = rng.random()
    out: dict = {"protocol": protocol} if rng.random() < 0.8 or protocol != "TCP" else {}
    if kind < 0.45:
        out["port"] = rng.choice((53, 80, 443, 8080, 9090))
    elif kind < 0.65:
        start = rng.choice((80, 1000, 8000))
        out.update(port=start, endPort=start + rng.choice((10, 100, 2000)))
    elif kind < 0.9:
        out["port"] = rng.choice(PORT_NAMES)
    return out


def _rules(rng: random.Random, peer_key: str) -> list:
    rules = []
    for _ in range(rng.randint(0, 2)):
        rule: dict = {}
        if rng.random() < 0.8:
            rule[peer_key] = [_peer(rng) for _ in range(rng.randint(1, 2))]
        if rng.random() < 0.6:
            rule["ports"] = [_port(rng) for _ in range(rng.randint(1, 2))]
        rules.append(rule)
    return rules


def cluster(seed: int) -> list[dict]:
    rng = random.Random(seed)
    namespaces = [f"ns{i}" for i in range(rng.randint(2, 3))]
    objects: list[dict] = [{"apiVersion": "v1", "kind": "Namespace",
                            "metadata": {"name": n, "labels": _labels(rng, NAMESPACE_KEYS, NAMESPACE_VALUES)}}
                           for n in namespaces]
    for index in range(rng.randint(3, 7)):
        ports = [{"name": name, "containerPort": number, "protocol": protocol}
                 for name, number, protocol in (("http", 8080, "TCP"), ("metrics", 9090, "TCP"), ("dns", 53, "UDP"))
                 if rng.random() < 0.6]
        objects.append({"apiVersion": "v1", "kind": "Pod",
                        "metadata": {"name": f"pod{index}", "namespace": rng.choice(namespaces),
                                     "labels": _labels(rng, LABEL_KEYS, LABEL_VALUES) or {"app": "web"}},
                        "spec": {"containers": [{"name": "main", "image": "app", "ports": ports}]}})
    for index in range(rng.randint(1, 4)):
        spec: dict = {"podSelector": _selector(rng, LABEL_KEYS, LABEL_VALUES)}
        types = rng.choice((["Ingress"], ["Egress"], ["Ingress", "Egress"], None))
        if types is not None:
            spec["policyTypes"] = types
        if types is None or "Ingress" in types:
            spec["ingress"] = _rules(rng, "from")
        if (types is None and rng.random() < 0.5) or (types is not None and "Egress" in types):
            spec["egress"] = _rules(rng, "to")
        objects.append({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                        "metadata": {"name": f"policy{index}", "namespace": rng.choice(namespaces)}, "spec": spec})
    return objects
