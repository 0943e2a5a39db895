"""Which connections `networking.k8s.io/v1` NetworkPolicies allow. Pure, no Pulumi.

Semantics are the Kubernetes API's (https://kubernetes.io/docs/concepts/services-networking/network-policies/):
- a pod is isolated for ingress (egress) when a policy selecting it has Ingress (Egress) in its
  `policyTypes`; `policyTypes` defaults to Ingress, plus Egress when the policy has an egress section;
- an isolated pod accepts (sends) only what some rule of a policy selecting it allows; rules add up;
- a connection needs both the source's egress and the destination's ingress to allow it;
- a peer with `podSelector` alone means pods of the policy's namespace; `namespaceSelector` alone
  all pods of the selected namespaces; both in one peer, pods matching both; `ipBlock` addresses
  in `cidr` but not in `except` (and pods whose IP is there, as the upstream e2e tests expect);
- a rule with no peers admits every peer; with no ports, every port; a port without a number is
  every port of its protocol; `endPort` makes a range; a named port is the destination pod's
  container port of that name and protocol.

Pods no selector can tell apart form one class, and the engine works on classes: a
cluster of thousands of replicas costs what its distinct pods cost.
"""

from __future__ import annotations

import functools
import ipaddress
import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aksnet.config.workloads import PortRange
from aksnet.vocabulary import KUBERNETES_PROTOCOLS, NAMESPACE_NAME_LABEL

if TYPE_CHECKING:
    import numpy as np

PROTOCOLS = KUBERNETES_PROTOCOLS
MAX_PORT = 65535
ALL_ADDRESSES = ipaddress.ip_network("0.0.0.0/0")


# Port sets --------------------------------------------------------------------------------

@dataclass(frozen=True)
class PortSet:
    """Ports per protocol as sorted, disjoint, inclusive intervals. `ranges` empty: nothing."""

    ranges: tuple[tuple[str, tuple[tuple[int, int], ...]], ...] = ()

    @staticmethod
    def all() -> PortSet:
        return ALL_PORTS

    @staticmethod
    def of(items: Iterable[tuple[str, int, int]]) -> PortSet:
        by_protocol: dict[str, list[tuple[int, int]]] = {}
        for protocol, start, end in items:
            by_protocol.setdefault(protocol, []).append((start, end))
        return PortSet(tuple((p, _merge(by_protocol[p])) for p in PROTOCOLS if p in by_protocol))

    def __bool__(self) -> bool:
        return bool(self.ranges)

    def as_dict(self) -> dict[str, tuple[tuple[int, int], ...]]:
        return dict(self.ranges)

    def union(self, other: PortSet) -> PortSet:
        if not other.ranges:
            return self
        if not self.ranges:
            return other
        return PortSet.of([(p, a, b) for s in (self, other) for p, iv in s.ranges for a, b in iv])

    def intersect(self, other: PortSet) -> PortSet:
        mine, theirs = self.as_dict(), other.as_dict()
        out = []
        for protocol in PROTOCOLS:
            for a, b in mine.get(protocol, ()):
                for c, d in theirs.get(protocol, ()):
                    if max(a, c) <= min(b, d):
                        out.append((protocol, max(a, c), min(b, d)))
        return PortSet.of(out)

    @property
    def is_all(self) -> bool:
        return self == ALL_PORTS

    def describe(self) -> Any:
        """`"all"`, or a sorted list such as `["TCP/80", "TCP/8000-8080", "UDP/53"]`."""
        if self.is_all:
            return "all"
        out = []
        for protocol, intervals in self.ranges:
            for a, b in intervals:
                out.append(f"{protocol}/{a}" if a == b else (f"{protocol}/all" if (a, b) == (1, MAX_PORT)
                                                             else f"{protocol}/{a}-{b}"))
        return out


ALL_PORTS = PortSet(tuple((p, ((1, MAX_PORT),)) for p in PROTOCOLS))


def _merge(intervals: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    out: list[tuple[int, int]] = []
    for a, b in sorted(intervals):
        if out and a <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return tuple(out)


NOTHING = PortSet()


# Selectors --------------------------------------------------------------------------------

class SelectorError(ValueError):
    pass


@dataclass(frozen=True)
class Selector:
    match_labels: tuple[tuple[str, str], ...] = ()
    expressions: tuple[tuple[str, str, tuple[str, ...]], ...] = ()

    @staticmethod
    def parse(raw: Any) -> Selector:
        if raw is None:
            return Selector()
        if not isinstance(raw, Mapping):
            raise SelectorError("a label selector must be a mapping")
        labels = raw.get("matchLabels") or {}
        if not isinstance(labels, Mapping):
            raise SelectorError("matchLabels must be a mapping")
        expressions = []
        for expression in raw.get("matchExpressions") or []:
            if not isinstance(expression, Mapping):
                raise SelectorError("each matchExpressions entry must be a mapping")
            operator = expression.get("operator")
            values = tuple(str(v) for v in expression.get("values") or ())
            if operator not in ("In", "NotIn", "Exists", "DoesNotExist"):
                raise SelectorError(f"operator {operator!r} is not In, NotIn, Exists or DoesNotExist")
            if operator in ("In", "NotIn") and not values:
                raise SelectorError(f"operator {operator} needs values")
            if operator in ("Exists", "DoesNotExist") and values:
                raise SelectorError(f"operator {operator} takes no values")
            expressions.append((str(expression.get("key")), operator, values))
        return Selector(tuple(sorted((str(k), str(v)) for k, v in labels.items())), tuple(expressions))

    def matches(self, labels: Mapping[str, str]) -> bool:
        for key, value in self.match_labels:
            if labels.get(key) != value:
                return False
        for key, operator, values in self.expressions:
            present = key in labels
            if operator == "In" and not (present and labels[key] in values):
                return False
            if operator == "NotIn" and present and labels[key] in values:
                return False
            if operator == "Exists" and not present:
                return False
            if operator == "DoesNotExist" and present:
                return False
        return True


# The model --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Pod:
    namespace: str
    name: str
    labels: Mapping[str, str]
    ports: tuple[tuple[str, int, str], ...] = ()
    """Named container ports: (name, port, protocol)."""
    ip: ipaddress.IPv4Address | None = None

    @property
    def id(self) -> str:
        return f"{self.namespace}/{self.name}"


@dataclass(frozen=True)
class Peer:
    pod_selector: Selector | None = None
    namespace_selector: Selector | None = None
    cidr: ipaddress.IPv4Network | None = None
    excepts: tuple[ipaddress.IPv4Network, ...] = ()


@dataclass(frozen=True)
class Rule:
    peers: tuple[Peer, ...] | None
    """None: every peer."""
    ports: tuple[PortRange, ...] | None
    """None: every port."""


@dataclass(frozen=True)
class Policy:
    namespace: str
    name: str
    selector: Selector
    ingress: tuple[Rule, ...] | None
    """None when the policy does not isolate for ingress."""
    egress: tuple[Rule, ...] | None


@dataclass
class Cluster:
    namespaces: dict[str, dict[str, str]] = field(default_factory=dict)
    pods: list[Pod] = field(default_factory=list)
    policies: list[Policy] = field(default_factory=list)

    def add_namespace(self, name: str, labels: Mapping[str, str] | None = None) -> None:
        merged = dict(self.namespaces.get(name, {}))
        merged.update(labels or {})
        merged[NAMESPACE_NAME_LABEL] = name
        self.namespaces[name] = merged


# Parsing policies -------------------------------------------------------------------------

def parse_policy(manifest: Mapping[str, Any], default_namespace: str = "default") -> Policy:
    """A `networking.k8s.io/v1` NetworkPolicy; raises `SelectorError` or `ValueError` when invalid."""
    meta = manifest.get("metadata") or {}
    spec = manifest.get("spec") or {}
    if not isinstance(spec, Mapping):
        raise ValueError("spec must be a mapping")
    namespace = meta.get("namespace") or default_namespace
    types = spec.get("policyTypes")
    if types is None:
        types = ["Ingress"] + (["Egress"] if "egress" in spec and spec.get("egress") is not None else [])
    for kind in types:
        if kind not in ("Ingress", "Egress"):
            raise ValueError(f"policyTypes entry {kind!r} is not Ingress or Egress")

    def rules(section: str, peer_key: str) -> tuple[Rule, ...]:
        out = []
        for raw in spec.get(section) or []:
            raw = raw or {}
            peers_raw = raw.get(peer_key)
            peers = None if not peers_raw else tuple(_peer(p) for p in peers_raw)
            ports_raw = raw.get("ports")
            ports = None if not ports_raw else tuple(_port(p) for p in ports_raw)
            out.append(Rule(peers, ports))
        return tuple(out)

    return Policy(
        namespace=namespace, name=str(meta.get("name", "")),
        selector=Selector.parse(spec.get("podSelector") if spec.get("podSelector") is not None else {}),
        ingress=rules("ingress", "from") if "Ingress" in types else None,
        egress=rules("egress", "to") if "Egress" in types else None)


def _peer(raw: Any) -> Peer:
    if not isinstance(raw, Mapping):
        raise ValueError("a peer must be a mapping")
    block = raw.get("ipBlock")
    if block is not None:
        if "podSelector" in raw or "namespaceSelector" in raw:
            raise ValueError("ipBlock cannot be combined with podSelector or namespaceSelector in one peer")
        cidr = ipaddress.ip_network(str(block.get("cidr")), strict=False)
        excepts = tuple(ipaddress.ip_network(str(e), strict=False) for e in block.get("except") or ())
        for excluded in excepts:
            if not excluded.subnet_of(cidr) or excluded == cidr:  # type: ignore[arg-type]
                raise ValueError(f"except {excluded} must lie strictly inside {cidr}")
        if cidr.version != 4:
            raise ValueError("only IPv4 ipBlocks are evaluated")
        return Peer(cidr=cidr, excepts=excepts)  # type: ignore[arg-type]
    if "podSelector" not in raw and "namespaceSelector" not in raw:
        raise ValueError("a peer needs podSelector, namespaceSelector or ipBlock")
    return Peer(pod_selector=Selector.parse(raw["podSelector"]) if "podSelector" in raw else None,
                namespace_selector=Selector.parse(raw["namespaceSelector"]) if "namespaceSelector" in raw else None)


def _port(raw: Any) -> PortRange:
    if not isinstance(raw, Mapping):
        raise ValueError("a port entry must be a mapping")
    protocol = raw.get("protocol", "TCP")
    if protocol not in PROTOCOLS:
        raise ValueError(f"protocol {protocol!r} is not TCP, UDP or SCTP")
    port, end = raw.get("port"), raw.get("endPort")
    if isinstance(port, str) and not port.isdigit():
        if end is not None:
            raise ValueError("endPort needs a numeric port")
        return PortRange(protocol, name=port)
    if port is None:
        if end is not None:
            raise ValueError("endPort needs a port")
        return PortRange(protocol)
    number = int(port)
    if not 1 <= number <= MAX_PORT or (end is not None and not number <= int(end) <= MAX_PORT):
        raise ValueError(f"port {port}-{end} is out of range")
    return PortRange(protocol, number, int(end) if end is not None else None)


# Evaluation -------------------------------------------------------------------------------

@dataclass(frozen=True)
class External:
    """A region of outside addresses no ipBlock boundary splits, as CIDRs."""

    cidrs: tuple[ipaddress.IPv4Network, ...]

    @property
    def id(self) -> str:
        return ",".join(str(c) for c in self.cidrs)


def member_text(member: str) -> str:
    """An endpoint's name in a sentence: an outside region can span many CIDRs, so name the first
    and count the rest."""
    ranges = member.split(",")
    return member if len(ranges) == 1 else f"{ranges[0]} (+{len(ranges) - 1} more ranges)"


@dataclass
class Group:
    """Endpoints no policy can tell apart: pods of one class, or one outside region."""

    members: list[str]
    pods: list[Pod]
    external: External | None = None


@dataclass
class Reachability:
    groups: list[Group]
    allowed: dict[tuple[int, int], PortSet]
    """(source group, destination group) -> ports allowed; absent: nothing."""

    def pairs(self) -> Iterable[tuple[str, str, PortSet]]:
        """Every allowed (source, destination, ports), endpoint by endpoint."""
        for (s, d), ports in sorted(self.allowed.items()):
            for src in self.groups[s].members:
                for dst in self.groups[d].members:
                    if src != dst:
                        yield src, dst, ports

    @functools.cached_property
    def _group_of(self) -> dict[str, int]:
        return {m: i for i, g in enumerate(self.groups) for m in g.members}

    def allowed_between(self, source: str, destination: str) -> PortSet:
        index = self._group_of
        return self.allowed.get((index[source], index[destination]), NOTHING)


def _boundaries(policies: Sequence[Policy]) -> list[External]:
    """Partition the IPv4 space by every ipBlock edge: each region is matched alike by all blocks."""
    edges = {0, 2 ** 32}
    for policy in policies:
        for rules in (policy.ingress or (), policy.egress or ()):
            for rule in rules:
                for peer in rule.peers or ():
                    for network in (peer.cidr, *peer.excepts) if peer.cidr is not None else ():
                        edges.add(int(network.network_address))
                        edges.add(int(network.broadcast_address) + 1)
    ordered = sorted(edges)
    return [External(tuple(ipaddress.summarize_address_range(ipaddress.IPv4Address(a), ipaddress.IPv4Address(b - 1))))
            for a, b in itertools.pairwise(ordered)]


def _block_matches(peer: Peer, address: ipaddress.IPv4Address) -> bool:
    assert peer.cidr is not None
    return address in peer.cidr and not any(address in e for e in peer.excepts)


def evaluate(cluster: Cluster, *, externals: bool = True) -> Reachability:
    """Every allowed connection between the cluster's pods, and with outside regions.

    Pods are grouped into classes no selector can tell apart; the ports allowed between
    every pair of classes come from two matrices over the classes, egress (source by
    destination) and ingress (destination by source), whose cells are bit masks over port
    atoms (the port space cut at every edge a rule or a named port draws). The answer is
    their intersection, computed with numpy for all pairs at once.
    """
    import numpy as np  # loaded on first use: readers that never evaluate do not pay for it

    policies = cluster.policies
    pods = cluster.pods
    for pod in pods:
        if pod.namespace not in cluster.namespaces:
            cluster.add_namespace(pod.namespace)
    regions = _boundaries(policies) if externals else []

    # Label sets are interned: a selector is matched once per distinct label set.
    label_ids: dict[frozenset[tuple[str, str]], int] = {}
    label_sets: list[Mapping[str, str]] = []
    pod_label: list[int] = []
    for pod in pods:
        label_key = frozenset(pod.labels.items())
        if label_key not in label_ids:
            label_ids[label_key] = len(label_sets)
            label_sets.append(pod.labels)
        pod_label.append(label_ids[label_key])
    by_namespace: dict[str, dict[int, list[int]]] = {}
    for index, pod in enumerate(pods):
        by_namespace.setdefault(pod.namespace, {}).setdefault(pod_label[index], []).append(index)
    matched: dict[tuple[Selector, int], bool] = {}

    def pods_matching(selector: Selector | None, namespace: str) -> Iterable[int]:
        for label_id, members in by_namespace.get(namespace, {}).items():
            if selector is not None:
                key = (selector, label_id)
                if key not in matched:
                    matched[key] = selector.matches(label_sets[label_id])
                if not matched[key]:
                    continue
            yield from members

    selected: list[list[int]] = [[] for _ in pods]
    for number, policy in enumerate(policies):
        for index in pods_matching(policy.selector, policy.namespace):
            selected[index].append(number)

    # Peers with podSelector alone mean the policy's namespace: a peer key is (peer, namespace).
    peer_keys: dict[tuple[Peer, str], int] = {}
    for policy in policies:
        for rules in (policy.ingress or (), policy.egress or ()):
            for rule in rules:
                for peer in rule.peers or ():
                    namespace = policy.namespace if peer.namespace_selector is None and peer.cidr is None else ""
                    peer_keys.setdefault((peer, namespace), len(peer_keys))
    holds: list[list[int]] = [[] for _ in pods]
    for (peer, namespace), key in peer_keys.items():
        if peer.cidr is not None:
            for index, pod in enumerate(pods):
                if pod.ip is not None and _block_matches(peer, pod.ip):
                    holds[index].append(key)
            continue
        namespaces = [namespace] if namespace else [
            n for n in by_namespace if peer.namespace_selector is not None and
            peer.namespace_selector.matches(cluster.namespaces[n])]
        for name in namespaces:
            for index in pods_matching(peer.pod_selector, name):
                holds[index].append(key)

    classes: dict[tuple[object, ...], int] = {}
    groups: list[Group] = []
    class_of: list[int] = []
    class_policies: list[list[int]] = []
    for index, pod in enumerate(pods):
        signature = (tuple(selected[index]), tuple(holds[index]), pod.ports)
        if signature not in classes:
            classes[signature] = len(groups)
            groups.append(Group(members=[], pods=[]))
            class_policies.append(selected[index])
        group = groups[classes[signature]]
        group.members.append(pod.id)
        group.pods.append(pod)
        class_of.append(classes[signature])
    first_external = len(groups)
    for region in regions:
        groups.append(Group(members=[region.id], pods=[], external=region))
    count = len(groups)

    # Peer membership over groups.
    member = np.zeros((len(peer_keys), count), dtype=bool)
    for index, held in enumerate(holds):
        member[held, class_of[index]] = True
    for offset, region in enumerate(regions):
        address = region.cidrs[0].network_address
        for (peer, _), key in peer_keys.items():
            if peer.cidr is not None and _block_matches(peer, address):
                member[key, first_external + offset] = True

    atoms = _PortAtoms(policies, [g.pods[0].ports if g.pods else () for g in groups])
    everyone = np.ones(count, dtype=bool)

    def peers_of(rule: Rule, namespace: str) -> np.ndarray:
        if rule.peers is None:
            return everyone
        keys = [peer_keys[(p, namespace if p.namespace_selector is None and p.cidr is None else "")]
                for p in rule.peers]
        return np.asarray(member[keys].any(axis=0))

    egress = np.zeros((count, count, atoms.words), dtype=np.uint64)
    ingress = np.zeros((count, count, atoms.words), dtype=np.uint64)
    isolated_out = np.zeros(count, dtype=bool)
    isolated_in = np.zeros(count, dtype=bool)
    policy_classes: dict[int, list[int]] = {}
    for number_class, numbers in enumerate(class_policies):
        for number in numbers:
            policy_classes.setdefault(number, []).append(number_class)
    for number, policy in enumerate(policies):
        targets = policy_classes.get(number)
        if not targets:
            continue
        if policy.egress is not None:
            isolated_out[targets] = True
            for rule in policy.egress:
                # Named ports resolve at each destination: a (groups x words) block.
                egress[targets] |= np.where(peers_of(rule, policy.namespace)[:, None], atoms.block(rule.ports),
                                            np.uint64(0))
        if policy.ingress is not None:
            isolated_in[targets] = True
            for rule in policy.ingress:
                sources = peers_of(rule, policy.namespace)[:, None]
                for target in targets:  # named ports resolve at this destination
                    ingress[target] |= np.where(sources, atoms.row(rule.ports, target), np.uint64(0))
    all_ports = atoms.all_row()
    egress[~isolated_out] = all_ports
    ingress[~isolated_in] = all_ports
    allowed_words = egress & ingress.transpose(1, 0, 2)
    if regions:  # outside to outside is not the cluster's business
        allowed_words[first_external:, first_external:] = 0
    sources, destinations = np.nonzero(allowed_words.any(axis=2))
    cells = allowed_words[sources, destinations]
    unique, inverse = np.unique(cells, axis=0, return_inverse=True)
    port_sets = [atoms.port_set(row) for row in unique]
    pairs = zip(sources.tolist(), destinations.tolist(), strict=True)
    allowed = dict(zip(pairs, (port_sets[i] for i in inverse.ravel().tolist()), strict=True))
    return Reachability(groups=groups, allowed=allowed)


class _PortAtoms:
    """The port space cut at every edge the rules and the named ports draw; a port set is a mask."""

    def __init__(self, policies: Sequence[Policy], port_maps: Sequence[tuple[tuple[str, int, str], ...]]):
        import numpy as np
        self.np = np
        edges: dict[str, set[int]] = {p: {1, MAX_PORT + 1} for p in PROTOCOLS}
        for policy in policies:
            for rules in (policy.ingress or (), policy.egress or ()):
                for rule in rules:
                    for port in rule.ports or ():
                        if port.port is not None:
                            edges[port.protocol].update((port.port, (port.end_port or port.port) + 1))
        for ports in set(port_maps):
            for _, number, protocol in ports:
                edges[protocol].update((number, number + 1))
        self.atoms = [(p, a, b - 1) for p in PROTOCOLS for a, b in itertools.pairwise(sorted(edges[p]))]
        self.words = (len(self.atoms) + 63) // 64
        self.port_maps = port_maps
        self._rows: dict[tuple[object, ...], np.ndarray] = {}
        self._blocks: dict[tuple[PortRange, ...] | None, np.ndarray] = {}

    def _mask(self, rule_ports: tuple[PortRange, ...] | None, named: tuple[tuple[str, int, str], ...]) -> int:
        if rule_ports is None:
            return (1 << len(self.atoms)) - 1
        out = 0
        for protocol, intervals in _resolve(rule_ports, named).ranges:
            for start, end in intervals:
                for number, (p, a, b) in enumerate(self.atoms):
                    if p == protocol and start <= a and b <= end:
                        out |= 1 << number
        return out

    def _words(self, mask: int) -> np.ndarray:
        return self.np.array([(mask >> (64 * w)) & 0xFFFFFFFFFFFFFFFF for w in range(self.words)], dtype=self.np.uint64)

    def row(self, rule_ports: tuple[PortRange, ...] | None, group: int) -> np.ndarray:
        named = self.port_maps[group] if rule_ports is not None and any(p.name for p in rule_ports) else ()
        key = (rule_ports, named)
        if key not in self._rows:
            self._rows[key] = self._words(self._mask(rule_ports, named))
        return self._rows[key]

    def block(self, rule_ports: tuple[PortRange, ...] | None) -> np.ndarray:
        if rule_ports not in self._blocks:
            self._blocks[rule_ports] = self.np.stack([self.row(rule_ports, g) for g in range(len(self.port_maps))]) \
                if self.port_maps else self.np.zeros((0, self.words), dtype=self.np.uint64)
        return self._blocks[rule_ports]

    def all_row(self) -> np.ndarray:
        return self._words((1 << len(self.atoms)) - 1)

    def port_set(self, words: np.ndarray) -> PortSet:
        mask = sum(int(word) << (64 * w) for w, word in enumerate(words))
        return PortSet.of([(p, a, b) for number, (p, a, b) in enumerate(self.atoms) if mask >> number & 1])


def _resolve(rule_ports: tuple[PortRange, ...] | None, named: tuple[tuple[str, int, str], ...]) -> PortSet:
    if rule_ports is None:
        return PortSet.all()
    items = []
    for rule in rule_ports:
        if rule.name is not None:
            items += [(rule.protocol, port, port) for name, port, protocol in named
                      if name == rule.name and protocol == rule.protocol]
        elif rule.port is None:
            items.append((rule.protocol, 1, MAX_PORT))
        else:
            items.append((rule.protocol, rule.port, rule.end_port or rule.port))
    return PortSet.of(items)


# Reading manifests ------------------------------------------------------------------------

WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "ReplicationController")


def cluster_from_objects(objects: Iterable[Mapping[str, Any]]) -> tuple[Cluster, list[str]]:
    """Namespaces, pods (a workload's pods appear once, under the workload's name) and policies.

    Returns the cluster and one message per object that cannot be read; objects of other
    kinds are ignored.
    """
    cluster = Cluster()
    errors: list[str] = []
    for number, obj in enumerate(objects):
        if not isinstance(obj, Mapping):
            errors.append(f"object {number}: is not a mapping")
            continue
        kind = obj.get("kind")
        meta = obj.get("metadata") or {}
        name = meta.get("name") if isinstance(meta, Mapping) else None
        where = f"{kind or 'object'} {meta.get('namespace', 'default') + '/' if kind != 'Namespace' else ''}{name}"
        try:
            if not isinstance(meta, Mapping) or not name:
                raise ValueError("metadata.name is missing")
            if kind == "Namespace":
                cluster.add_namespace(name, _labels(meta))
            elif kind == "Pod":
                status = obj.get("status") or {}
                ip = status.get("podIP")
                cluster.pods.append(Pod(meta.get("namespace", "default"), name, _labels(meta),
                                        _container_ports(obj.get("spec") or {}),
                                        ipaddress.ip_address(ip) if ip else None))  # type: ignore[arg-type]
            elif kind in WORKLOAD_KINDS:
                template = ((obj.get("spec") or {}).get("template") or {})
                cluster.pods.append(Pod(meta.get("namespace", "default"), name, _labels(template.get("metadata") or {}),
                                        _container_ports(template.get("spec") or {})))
            elif kind == "NetworkPolicy":
                if obj.get("apiVersion") != "networking.k8s.io/v1":
                    raise ValueError(f"apiVersion {obj.get('apiVersion')!r} is not networking.k8s.io/v1")
                cluster.policies.append(parse_policy(obj))
        except (ValueError, TypeError, AttributeError) as error:
            errors.append(f"{where}: {error}")
    return cluster, errors


def _labels(meta: Mapping[str, Any]) -> dict[str, str]:
    labels = meta.get("labels") or {}
    if not isinstance(labels, Mapping):
        raise ValueError("labels must be a mapping")
    return {str(k): str(v) for k, v in labels.items()}


def _container_ports(spec: Mapping[str, Any]) -> tuple[tuple[str, int, str], ...]:
    ports = []
    for container in spec.get("containers") or []:
        for port in container.get("ports") or []:
            if port.get("name"):
                ports.append((str(port["name"]), int(port["containerPort"]), str(port.get("protocol", "TCP"))))
    return tuple(sorted(ports))
