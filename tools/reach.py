"""Every connection Kubernetes NetworkPolicies allow, from YAML manifests.

    python -m tools.reach PATH... [--json]

PATHs are YAML files or directories of them (`*.yaml`, `*.yml`, searched recursively).
Reads Namespaces, Pods, workload controllers (their pod template stands for their pods) and
`networking.k8s.io/v1` NetworkPolicies. Exit 0, or 1 with one line per unreadable or invalid
object (the others are still evaluated and printed); 2 on a usage error.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterable, Sequence

import yaml

try:  # libyaml's parser: the pure-Python one is ten times slower on large manifests
    from yaml import CSafeLoader as Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as Loader  # type: ignore[assignment]

from aksnet.analysis.reachability import PortSet, Reachability, cluster_from_objects, evaluate


def yaml_files(paths: Sequence[str]) -> list[str]:
    out = []
    for path in paths:
        if os.path.isdir(path):
            for root, _, names in sorted(os.walk(path)):
                out += [os.path.join(root, n) for n in sorted(names) if n.endswith((".yaml", ".yml"))]
        else:
            out.append(path)
    return out


def load_objects(files: Iterable[str]) -> tuple[list[dict], list[str]]:
    objects: list[dict] = []
    errors: list[str] = []
    for path in files:
        try:
            with open(path, encoding="utf-8") as handle:
                for document in yaml.load_all(handle, Loader=Loader):
                    if document is None:
                        continue
                    if isinstance(document, dict) and document.get("kind") == "List":
                        objects += document.get("items") or []
                    else:
                        objects.append(document)
        except (OSError, yaml.YAMLError, UnicodeDecodeError) as error:
            errors.append(f"{path}: cannot be read: {str(error).splitlines()[0]}")
    return objects, errors


def _short(ports: PortSet) -> str:
    described = ports.describe()
    return "all" if described == "all" else ",".join(described)


MATRIX_LIMIT = 40


def _numbered(result: Reachability) -> tuple[dict[int, int], list[PortSet]]:
    """A number for each distinct port set of the answer, found by the set object's id (a large
    answer holds a few sets hundreds of thousands of times, and hashing a set is what costs),
    and the sets by number."""
    by_id: dict[int, int] = {}
    by_value: dict[PortSet, int] = {}
    for ports in result.allowed.values():
        if id(ports) not in by_id:
            by_id[id(ports)] = by_value.setdefault(ports, len(by_value))
    return by_id, list(by_value)


def merged_groups(result: Reachability, groups: list, numbers: dict[int, int]) -> list[list]:
    """Groups whose allowed rows and columns are the same are one as far as the answer goes."""
    index = {id(g): i for i, g in enumerate(result.groups)}
    wanted = {index[id(g)] for g in groups}
    rows: dict[int, list] = {i: [] for i in wanted}
    cols: dict[int, list] = {i: [] for i in wanted}
    for (s, d), ports in result.allowed.items():
        if s in wanted and d in wanted:
            number = numbers[id(ports)]
            rows[s].append((d, number))
            cols[d].append((s, number))
    buckets: dict[tuple, list] = {}
    for i in sorted(wanted):
        group = result.groups[i]
        key = (group.external is not None, frozenset(rows[i]), frozenset(cols[i]),
               (i,) if group.external is not None else ())  # outside regions stay apart
        buckets.setdefault(key, []).append(group)
    return list(buckets.values())


def render_listing(result: Reachability, focus: set[str] | None = None) -> list[str]:
    """For large answers: each group of sources with the groups it reaches, by ports."""
    groups = [g for g in result.groups if focus is None or any(m in focus for m in g.members)]
    numbers, port_sets = _numbered(result)
    texts = [_short(ports) for ports in port_sets]
    merged = merged_groups(result, groups, numbers)
    index = {id(g): i for i, g in enumerate(result.groups)}
    number_of = {}  # a group's endpoint name, E<number>
    lines = ["Endpoints (those no policy can tell apart share a name):"]
    for number, bucket in enumerate(merged, start=1):
        members = [m for g in bucket for m in (g.members[0].split(",") if g.external else g.members)]
        shown = ", ".join(members[:3]) + (f" and {len(members) - 3} more" if len(members) > 3 else "")
        lines.append(f"  E{number}  {len(members)} endpoint(s): {shown}")
        for g in bucket:
            number_of[index[id(g)]] = number
    reach: dict[int, dict[str, set[int]]] = {}
    for (s, d), ports in result.allowed.items():
        if s in number_of and d in number_of:
            reach.setdefault(number_of[s], {}).setdefault(texts[numbers[id(ports)]], set()).add(number_of[d])
    lines += ["", "Allowed (source -> destinations: ports):"]
    for source in sorted(reach):
        parts = [f"{', '.join(f'E{target}' for target in sorted(targets))}: {ports}"
                 for ports, targets in sorted(reach[source].items())]
        lines.append(f"  E{source} -> " + "; ".join(parts))
    return lines


def render(result: Reachability, focus: set[str] | None = None) -> list[str]:
    """The matrix while it stays readable, the grouped listing beyond."""
    groups = [g for g in result.groups if focus is None or any(m in focus for m in g.members)]
    if len(groups) <= MATRIX_LIMIT:
        return render_matrix(result, focus)
    return render_listing(result, focus)


def render_matrix(result: Reachability, focus: set[str] | None = None) -> list[str]:
    """Groups of endpoints as rows and columns; each cell a letter for a port set (legend below).

    Endpoints no policy can tell apart share a row, so the matrix stays readable when the
    allowed pairs grow with the square of the pods.
    """
    groups = [g for g in result.groups if focus is None or any(m in focus for m in g.members)]
    index = {id(g): i for i, g in enumerate(result.groups)}
    labels = []
    for number, group in enumerate(groups, start=1):
        members = group.members[0].split(",") if group.external is not None else group.members
        shown = ", ".join(members[:3]) + (f" and {len(members) - 3} more" if len(members) > 3 else "")
        labels.append((f"G{number}", ("outside: " if group.external is not None else "") + shown))
    legend: dict[PortSet, str] = {}
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    rows = []
    for source in groups:
        cells = []
        for destination in groups:
            ports = result.allowed.get((index[id(source)], index[id(destination)]))
            if ports is None:
                cells.append(".")
                continue
            if ports not in legend:
                legend[ports] = letters[len(legend)] if len(legend) < len(letters) else "?"
            cells.append(legend[ports])
        rows.append(cells)
    width = max((len(name) for name, _ in labels), default=2)
    lines = ["Endpoints:"] + [f"  {name.ljust(width)}  {shown}" for name, shown in labels]
    lines.append("")
    head = max(width, len("from \\ to")) + 2
    lines.append("from \\ to".ljust(head) + " ".join(name.rjust(width) for name, _ in labels))
    for (name, _), cells in zip(labels, rows, strict=True):
        lines.append(name.ljust(head) + " ".join(c.rjust(width) for c in cells))
    lines.append("")
    lines.append("Ports: . none" + "".join(f"; {letter} {_short(ports)}" for ports, letter in legend.items()))
    return lines


def reach_json(result: Reachability) -> dict:
    endpoints = []
    for group in result.groups:
        for pod in group.pods:
            endpoints.append({"id": pod.id, "namespace": pod.namespace, "name": pod.name, "labels": dict(pod.labels)})
    allowed = [{"from": s, "to": d, "ports": p.describe()}
               for source, destination, p in result.pairs()
               for s in source.split(",") for d in destination.split(",")]
    return {"endpoints": endpoints, "allowed": allowed}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.reach",
                                     description="Evaluate Kubernetes NetworkPolicies into allowed connections.")
    parser.add_argument("paths", nargs="+", metavar="PATH", help="YAML files or directories")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    args = parser.parse_args(argv)
    missing = [p for p in args.paths if not os.path.exists(p)]
    if missing:
        for path in missing:
            print(f"{path}: no such file or directory", file=sys.stderr)
        return 2
    objects, errors = load_objects(yaml_files(args.paths))
    cluster, invalid = cluster_from_objects(objects)
    errors += invalid
    result = evaluate(cluster)
    if args.json:
        json.dump(reach_json(result), sys.stdout, separators=(",", ":"))
        print()
    else:
        sys.stdout.write("\n".join(render(result)) + "\n")
    for error in errors:
        print(error, file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
