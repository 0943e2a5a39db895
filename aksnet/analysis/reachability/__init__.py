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

One module per idea: `ports` (port sets), `selectors`, `model` (pods, peers, rules, policies, the
cluster), `policies` (reading a NetworkPolicy), `manifests` (reading a cluster), `result` (groups
and what is allowed between them) and `evaluate` (the engine). This package re-exports what the
other modules use.
"""

from aksnet.analysis.reachability.evaluate import evaluate
from aksnet.analysis.reachability.manifests import WORKLOAD_KINDS, cluster_from_objects
from aksnet.analysis.reachability.model import ALL_ADDRESSES, Cluster, Peer, Pod, Policy, Rule
from aksnet.analysis.reachability.policies import parse_policy
from aksnet.analysis.reachability.ports import ALL_PORTS, MAX_PORT, NOTHING, PROTOCOLS, PortSet, resolve_ports
from aksnet.analysis.reachability.result import External, Group, Reachability, member_text
from aksnet.analysis.reachability.selectors import Selector, SelectorError

__all__ = [
    "ALL_ADDRESSES", "ALL_PORTS", "MAX_PORT", "NOTHING", "PROTOCOLS", "WORKLOAD_KINDS", "Cluster", "External", "Group",
    "Peer", "Pod", "Policy", "PortSet", "Reachability", "Rule", "Selector", "SelectorError", "cluster_from_objects",
    "evaluate", "member_text", "parse_policy", "resolve_ports",
]
