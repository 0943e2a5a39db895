"""A literal NetworkPolicy spec, checked as the Kubernetes API would check it. Pure, no Pulumi.

Strict, like `kubectl apply --validate=strict`: an unknown field is an error, with a did-you-mean.
The shape is `networking.k8s.io/v1` NetworkPolicySpec:
https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/
tests/test_policy_spec.py holds this reader to kubernetes-validate's schemas on a corpus of specs.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Mapping

from aksnet.config.schema import Problems, did_you_mean, show, type_name
from aksnet.vocabulary import KUBERNETES_PROTOCOLS, LABEL_KEY, LABEL_VALUE, PORT_NAME

OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist")

Check = Callable[[Problems, str, object], None]


def check_policy_spec(problems: Problems, path: str, spec: object) -> None:
    """Every mistake of a NetworkPolicySpec, one problem each, at its key path."""
    _fields(problems, path, spec, {"podSelector": _selector, "policyTypes": _policy_types,
                                   "ingress": _rules("from"), "egress": _rules("to")}, required=("podSelector",))


def _fields(problems: Problems, path: str, value: object, fields: Mapping[str, Check],
            required: tuple[str, ...] = ()) -> None:
    if not isinstance(value, Mapping):
        problems.add(path, f"is {type_name(value)}, expected a mapping of {', '.join(fields)}")
        return
    for key, item in value.items():
        check = fields.get(str(key))
        if check is None:
            close = did_you_mean(str(key), list(fields))
            problems.add(f"{path}.{key}", "is not a field here; " + (
                f"did you mean '{close}'?" if close else f"known fields: {', '.join(fields)}"))
        else:
            check(problems, f"{path}.{key}", item)
    for key in required:
        if key not in value:
            problems.add(f"{path}.{key}", "is required (an empty {} selects every pod of the namespace)")


def _list_of(check: Check) -> Check:
    def read(problems: Problems, path: str, value: object) -> None:
        if not isinstance(value, list):
            problems.add(path, f"is {type_name(value)}, expected a list")
            return
        for index, item in enumerate(value):
            check(problems, f"{path}[{index}]", item)
    return read


def _policy_types(problems: Problems, path: str, value: object) -> None:
    def one(problems: Problems, item_path: str, item: object) -> None:
        if item not in ("Ingress", "Egress"):
            problems.add(item_path, f"{show(item)} is not a policy type; expected Ingress or Egress")
    _list_of(one)(problems, path, value)


def _selector(problems: Problems, path: str, value: object) -> None:
    _fields(problems, path, value, {"matchLabels": _match_labels, "matchExpressions": _list_of(_expression)})


def _match_labels(problems: Problems, path: str, value: object) -> None:
    if not isinstance(value, Mapping):
        problems.add(path, f"is {type_name(value)}, expected a mapping of label keys to values")
        return
    for key, item in value.items():
        if not re.fullmatch(LABEL_KEY, str(key)):
            problems.add(f"{path}.{key}", "is not a label key")
        elif not isinstance(item, str) or not re.fullmatch(LABEL_VALUE, item):
            problems.add(f"{path}.{key}", f"{show(item)} is not a label value (a string of at most 63 letters, "
                         "digits, '-', '_' or '.')")


def _expression(problems: Problems, path: str, value: object) -> None:
    def key(problems: Problems, key_path: str, item: object) -> None:
        if not isinstance(item, str) or not re.fullmatch(LABEL_KEY, item):
            problems.add(key_path, f"{show(item)} is not a label key")

    def operator(problems: Problems, op_path: str, item: object) -> None:
        if item not in OPERATORS:
            problems.add(op_path, f"{show(item)} is not an operator; expected {', '.join(OPERATORS)}")

    def values(problems: Problems, values_path: str, item: object) -> None:
        _list_of(lambda p, q, v: None if isinstance(v, str) else p.add(q, f"is {type_name(v)}, expected a string"))(
            problems, values_path, item)
    _fields(problems, path, value, {"key": key, "operator": operator, "values": values}, required=("key", "operator"))
    if isinstance(value, Mapping):
        has_values = bool(value.get("values"))
        if value.get("operator") in ("In", "NotIn") and not has_values:
            problems.add(f"{path}.values", f"must list values for operator {value.get('operator')}")
        if value.get("operator") in ("Exists", "DoesNotExist") and has_values:
            problems.add(f"{path}.values", f"must be empty for operator {value.get('operator')}")


def _rules(peers: str) -> Check:
    return _list_of(lambda problems, path, value: _fields(
        problems, path, value, {peers: _list_of(_peer), "ports": _list_of(_port)}))


def _peer(problems: Problems, path: str, value: object) -> None:
    _fields(problems, path, value, {"podSelector": _selector, "namespaceSelector": _selector, "ipBlock": _ip_block})
    if isinstance(value, Mapping) and "ipBlock" in value and len(value) > 1:
        problems.add(path, "combines ipBlock with a selector; a peer is either an ipBlock or selectors")


def _ip_block(problems: Problems, path: str, value: object) -> None:
    networks: dict[str, ipaddress.IPv4Network | ipaddress.IPv6Network] = {}

    def cidr(problems: Problems, cidr_path: str, item: object) -> None:
        try:
            if not isinstance(item, str) or "/" not in item:  # the API parses a CIDR, prefix length and all
                raise ValueError(item)
            networks[cidr_path] = ipaddress.ip_network(item, strict=False)
        except ValueError:
            problems.add(cidr_path, f"{show(item)} is not a CIDR such as 10.0.0.0/16")
    _fields(problems, path, value, {"cidr": cidr, "except": _list_of(cidr)}, required=("cidr",))
    outer = networks.get(f"{path}.cidr")
    for key, network in networks.items():
        if outer is not None and key != f"{path}.cidr" and not (
                network.version == outer.version and network.subnet_of(outer) and network != outer):  # type: ignore[arg-type]
            problems.add(key, f"{network} must lie strictly inside cidr {outer}")


def _port(problems: Problems, path: str, value: object) -> None:
    def protocol(problems: Problems, item_path: str, item: object) -> None:
        if item not in KUBERNETES_PROTOCOLS:
            problems.add(item_path, f"{show(item)} is not a protocol; expected TCP, UDP or SCTP")

    def port(problems: Problems, item_path: str, item: object) -> None:
        number = isinstance(item, int) and not isinstance(item, bool) and 1 <= item <= 65535
        name = isinstance(item, str) and re.fullmatch(PORT_NAME, item)
        if not (number or name):
            problems.add(item_path, f"{show(item)} is not a port: a number from 1 to 65535, or a port name")

    def end_port(problems: Problems, item_path: str, item: object) -> None:
        if isinstance(item, bool) or not isinstance(item, int) or not 1 <= item <= 65535:
            problems.add(item_path, f"{show(item)} is not a port number from 1 to 65535")
    _fields(problems, path, value, {"protocol": protocol, "port": port, "endPort": end_port})
    if isinstance(value, Mapping) and "endPort" in value:
        start = value.get("port")
        if not isinstance(start, int) or isinstance(start, bool):
            problems.add(f"{path}.endPort", "needs a numeric port beside it")
        elif isinstance(value["endPort"], int) and value["endPort"] < start:
            problems.add(f"{path}.endPort", f"is {value['endPort']}, below port {start}")
