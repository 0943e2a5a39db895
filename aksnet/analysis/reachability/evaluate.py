"""The engine: every allowed connection between pod classes and outside regions, with the port space
cut into atoms and each rule's ports a bit mask. Pure, no Pulumi."""

from __future__ import annotations

import ipaddress
import itertools
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from aksnet.analysis.reachability.model import Cluster, Peer, Policy, Rule
from aksnet.analysis.reachability.ports import MAX_PORT, PROTOCOLS, PortSet, resolve_ports
from aksnet.analysis.reachability.result import External, Group, Reachability
from aksnet.analysis.reachability.selectors import Selector
from aksnet.config.workloads import PortRange

if TYPE_CHECKING:
    import numpy as np


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
        for protocol, intervals in resolve_ports(rule_ports, named).ranges:
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
