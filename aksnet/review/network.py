"""The network's side of a change: the path model, exposures, the address plan and DNS links,
base against head. Pure, no Pulumi: it takes the preview's JSON shapes."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

Retrace = Callable[[Mapping[str, Any]], Mapping[str, Any] | None]
"""Walks a base path through the head's network: the path's dict with the head's verdict, or None when
one of its ends no longer exists there."""


def _key(entry: Mapping[str, Any]) -> tuple[str, str, str, tuple[str, ...]]:
    return (entry["flow"], entry["from"], entry["to"], tuple(entry["ports"]))


def _describe(entry: Mapping[str, Any], before: str | None, after: str | None, why: str) -> dict[str, Any]:
    return {"flow": entry["flow"], "kind": entry.get("kind"), "from": entry["from"], "to": entry["to"],
            "ports": list(entry["ports"]), "before": before, "after": after, "why": why,
            "decidedBy": entry.get("decidedBy")}


@dataclass(frozen=True)
class NetworkDiff:
    denied: list[dict[str, Any]] = field(default_factory=list)
    allowed: list[dict[str, Any]] = field(default_factory=list)
    exposures_added: list[dict[str, Any]] = field(default_factory=list)
    exposures_removed: list[dict[str, Any]] = field(default_factory=list)
    address_plan: list[dict[str, Any]] = field(default_factory=list)

    def paths_json(self) -> dict[str, Any]:
        return {"denied": self.denied, "allowed": self.allowed}

    def network_json(self) -> dict[str, Any]:
        return {"exposures": {"added": self.exposures_added, "removed": self.exposures_removed},
                "addressPlan": self.address_plan}


def path_diff(base: Sequence[Mapping[str, Any]], head: Sequence[Mapping[str, Any]], retrace: Retrace) -> NetworkDiff:
    """Flows whose verdict changed. A path of the base that the head no longer lists (its flow removed
    or renamed) is walked through the head's network: the traffic the base declared meets the head's
    layers either way."""
    denied: list[dict[str, Any]] = []
    allowed: list[dict[str, Any]] = []
    old = {_key(p): p for p in base}
    new = {_key(p): p for p in head}
    for key, entry in new.items():
        before = old.get(key)
        if before is None:
            if entry["verdict"] == "allowed":
                allowed.append(_describe(entry, None, "allowed", "a new flow, allowed"))
            elif entry.get("kind") == "declared":
                denied.append(_describe(entry, None, "denied", "a new declared flow, denied"))
        elif before["verdict"] != entry["verdict"]:
            target = denied if entry["verdict"] == "denied" else allowed
            target.append(_describe(entry, before["verdict"], entry["verdict"], "its verdict changed"))
    for key, entry in old.items():
        if key in new or entry["verdict"] != "allowed":
            continue
        walked = retrace(entry)
        if walked is not None and walked["verdict"] == "denied":
            denied.append(_describe(walked, "allowed", "denied", "its flow is gone from the stack, and the "
                                         "head's layers deny the traffic"))
    return NetworkDiff(denied, allowed)


def exposure_diff(base: Sequence[Mapping[str, Any]], head: Sequence[Mapping[str, Any]]
                  ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(added, removed): exposures by app and port."""
    old = {(e["to"], tuple(e["ports"])) for e in base}
    new = {(e["to"], tuple(e["ports"])) for e in head}
    return ([dict(e) for e in head if (e["to"], tuple(e["ports"])) not in old],
            [dict(e) for e in base if (e["to"], tuple(e["ports"])) not in new])


def address_plan_diff(base: Sequence[Mapping[str, Any]], head: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Ranges that move, appear or go, by role (a VNet may hold several); and a range whose headroom
    falls below zero."""
    def by_role(rows: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, Mapping[str, Any]]]:
        out: dict[str, dict[str, Mapping[str, Any]]] = {}
        for row in rows:
            out.setdefault(row["role"], {})[row["cidr"]] = row
        return out

    changes: list[dict[str, Any]] = []
    old, new = by_role(base), by_role(head)
    for role in sorted(set(old) | set(new)):
        before, after = old.get(role, {}), new.get(role, {})
        gone = [c for c in before if c not in after]
        came = [c for c in after if c not in before]
        if len(gone) == 1 and len(came) == 1:
            changes.append({"role": role, "change": "moved", "before": gone[0], "after": came[0],
                                      "headroom": after[came[0]].get("headroom")})
        else:
            changes += [{"role": role, "change": "removed", "before": c, "after": None, "headroom": None}
                                  for c in gone]
            changes += [{"role": role, "change": "added", "before": None, "after": c,
                                   "headroom": after[c].get("headroom")} for c in came]
        for cidr, row in after.items():
            if isinstance(row.get("headroom"), int) and row["headroom"] < 0:
                changes.append({"role": role, "change": "short", "before": None, "after": cidr,
                                          "headroom": row["headroom"]})
    return changes
