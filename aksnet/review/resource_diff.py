"""The provider's view of a change: per resource (by URN) create, update, replace, delete or same.

Inputs are compared as pulumi-azure-native's `calculateDetailedDiff` compares them (diff.go): a key
present on one side only is an add or a delete, an object is walked key by key, an array element by
element (its replace key gains `[]`), an element added or removed never replaces, and a changed
child of a force-new object replaces. The engine's `ignoreChanges` applies first, as in `pulumi up`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from aksnet.review.provider_rules import path_parameters, replace_keys


@dataclass(frozen=True)
class InputChange:
    path: str
    """The engine's camelCase path with indices: `networkProfile.dnsServiceIP`, `zones[2]`."""
    kind: str
    """`update`, `add` or `delete`."""
    replaces: bool
    old: Any = None
    new: Any = None


@dataclass(frozen=True)
class ResourceChange:
    urn: str
    type: str
    name: str
    action: str
    """`create`, `update`, `replace`, `delete` or `same`."""
    changes: tuple[InputChange, ...] = ()
    base: Mapping[str, Any] | None = None
    """The resource as the base run declared it (None when created)."""
    head: Mapping[str, Any] | None = None
    """The resource as the head run declares it (None when deleted)."""
    renamed_from: str | None = None
    """The base URN an alias carries over to this one."""

    @property
    def inputs(self) -> list[str]:
        return [c.path for c in self.changes]

    @property
    def forced_by(self) -> list[str]:
        return [c.path for c in self.changes if c.replaces]

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"urn": self.urn, "type": self.type, "action": self.action}
        if self.action == "update":
            out["inputs"] = self.inputs
        if self.action == "replace":
            out["forcedBy"] = self.forced_by
            out["inputs"] = self.inputs
        return out


class _Differ:
    """diff.go's calculateObjectDiff and calculateValueDiff, collecting into `out`."""

    def __init__(self, keys: frozenset[str]):
        self.keys = keys
        self.out: list[InputChange] = []

    def objects(self, old: Mapping[str, Any], new: Mapping[str, Any], base: str, replace_base: str,
                parent_replaces: bool = False) -> None:
        for key in sorted(set(old) | set(new), key=str):
            here, replace_key = f"{base}{key}", f"{replace_base}{key}"
            before, after = old.get(key), new.get(key)
            if before is None and after is None:
                continue
            if before is None:
                self.out.append(InputChange(here, "add", replace_key in self.keys, None, after))
            elif after is None:
                self.out.append(InputChange(here, "delete", replace_key in self.keys, before, None))
            elif not _same(before, after):
                self.value(before, after, here, replace_key, parent_replaces)

    def value(self, old: Any, new: Any, base: str, replace_base: str, parent_replaces: bool = False) -> None:
        if isinstance(old, Mapping) and isinstance(new, Mapping):
            # A force-new object's changed children replace (diff.go: "If the parent property causes a
            # replacement, all child properties cause a replacement"); its adds and deletes do not.
            start = len(self.out)
            self.objects(old, new, base + ".", replace_base + ".")
            if replace_base in self.keys:
                self.out[start:] = [InputChange(c.path, c.kind, True, c.old, c.new) if c.kind == "update" else c
                                    for c in self.out[start:]]
        elif isinstance(old, list) and isinstance(new, list):
            for index in range(max(len(old), len(new))):
                here = f"{base}[{index}]"
                if index >= len(old):
                    self.out.append(InputChange(here, "add", False, None, new[index]))
                elif index >= len(new):
                    self.out.append(InputChange(here, "delete", False, old[index], None))
                elif not _same(old[index], new[index]):
                    self.value(old[index], new[index], here, replace_base + "[]")
        else:
            self.out.append(InputChange(base, "update", replace_base in self.keys, old, new))


def _same(old: Any, new: Any) -> bool:
    return bool(old == new)


def _location(value: Any) -> Any:
    """diff.go's applyAzureSpecificDiff: a top-level location's case and spaces do not count."""
    return value.replace(" ", "").lower() if isinstance(value, str) else value


_STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _steps(path: str) -> list[str | int]:
    return [int(index) if index else name for name, index in _STEP.findall(path)]


def _with_ignored(old: Mapping[str, Any], new: Mapping[str, Any], ignored: Sequence[str]) -> dict[str, Any]:
    """`new` with each ignoreChanges path holding the old value, as the engine diffs it."""
    import copy
    result = copy.deepcopy(dict(new))
    for path in ignored:
        steps = _steps(path)
        if not steps:
            continue
        source: Any = old
        for step in steps:
            try:
                source = source[step]
            except (KeyError, IndexError, TypeError):
                source = _MISSING
                break
        target: Any = result
        for step in steps[:-1]:
            try:
                target = target[step]
            except (KeyError, IndexError, TypeError):
                target = None
                break
        if target is None:
            continue
        last = steps[-1]
        try:
            if source is _MISSING:
                if isinstance(target, dict):
                    target.pop(last, None)
            else:
                target[last] = copy.deepcopy(source)
        except (IndexError, TypeError):
            continue
    return result


_MISSING = object()


def input_changes(typ: str, old: Mapping[str, Any], new: Mapping[str, Any],
                  ignored: Sequence[str] = ()) -> list[InputChange]:
    """Every changed input, and whether the provider replaces for it."""
    new = _with_ignored(old, new, ignored)
    if "location" in old and "location" in new and _location(old["location"]) == _location(new["location"]):
        new["location"] = old["location"]
    differ = _Differ(replace_keys(typ))
    differ.objects(old, new, "", "")
    return differ.out


_ALIAS_URN = re.compile(r"urn:pulumi:[^\"'\s,)]+")


def resource_changes(base: Sequence[Mapping[str, Any]], head: Sequence[Mapping[str, Any]]) -> list[ResourceChange]:
    """Per URN: what `pulumi up` from `base` to `head` would do. Resources are mappings with `urn`,
    `type`, `name`, `inputs`, `ignoreChanges` and `aliases` (as the mock engine records them)."""
    before = {r["urn"]: r for r in base}
    after = {r["urn"]: r for r in head}
    carried: dict[str, str] = {}
    for urn, declared in after.items():
        if urn in before:
            continue
        for alias in declared.get("aliases") or ():
            for previous in _ALIAS_URN.findall(str(alias)):
                if previous in before and previous not in after:
                    carried[urn] = previous
    out: list[ResourceChange] = []
    for urn in sorted(set(after) | (set(before) - set(carried.values()))):
        old_urn = urn if urn in before else carried.get(urn)
        new = after.get(urn)
        old = before.get(old_urn) if old_urn else None
        record = new or old
        assert record is not None
        if old is None:
            out.append(ResourceChange(urn, record["type"], record["name"], "create", head=new))
            continue
        if new is None:
            out.append(ResourceChange(urn, record["type"], record["name"], "delete", base=old))
            continue
        changes = tuple(input_changes(record["type"], old.get("inputs") or {}, new.get("inputs") or {},
                                      new.get("ignoreChanges") or ()))
        action = "replace" if any(c.replaces for c in changes) else "update" if changes else "same"
        out.append(ResourceChange(urn, record["type"], record["name"], action, changes, old, new,
                                  renamed_from=old_urn if old_urn != urn else None))
    return _follow_replaced_clusters(out)


K8S_PROVIDER = "pulumi:providers:kubernetes"
KUBECONFIG_CHANGE = InputChange("kubeconfig", "update", True)


def _follow_replaced_clusters(changes: list[ResourceChange]) -> list[ResourceChange]:
    """A replaced cluster has a new API server: the Kubernetes provider built from its kubeconfig is
    replaced, and with it every object it manages (pulumi-kubernetes DiffConfig replaces the provider
    when the kubeconfig's active cluster changes or is not yet known: pulumi/pulumi-kubernetes#577, #2771)."""
    if not any(c.type == "azure-native:containerservice:ManagedCluster" and c.action == "replace" for c in changes):
        return changes
    providers = {c.urn for c in changes if c.type == K8S_PROVIDER and c.action in ("same", "update")}
    out = []
    for change in changes:
        if change.urn in providers:
            change = ResourceChange(change.urn, change.type, change.name, "replace",
                                    (*change.changes, KUBECONFIG_CHANGE), change.base, change.head)
        elif change.action in ("same", "update") and str((change.head or {}).get("provider", "")).rsplit("::", 1)[0] \
                in providers:
            change = ResourceChange(change.urn, change.type, change.name, "replace", change.changes, change.base,
                                    change.head, change.renamed_from)
        out.append(change)
    return out


def azure_name(record: Mapping[str, Any]) -> tuple[str, ...] | None:
    """The values of the resource's URL path parameters, or None when one is absent (the provider then
    names it itself, a new name each time)."""
    names = path_parameters(record["type"])
    inputs = record.get("inputs") or {}
    if not names or any(not isinstance(inputs.get(n), str) for n in names):
        return None
    return tuple(inputs[n] for n in names)


def field_path(path: str) -> str:
    """The input a change belongs to: an element of an array of values counts as the array."""
    return re.sub(r"\[\d+\]$", "", path)


def pattern(path: str) -> str:
    """`agentPoolProfiles[0].vmSize` -> `agentPoolProfiles[].vmSize`."""
    return re.sub(r"\[\d+\]", "[]", path)


def walk_strings(value: Any) -> Iterator[str]:
    """Every string inside an input value."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from walk_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from walk_strings(item)
