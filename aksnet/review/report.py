"""The review's findings and its three renderings (text, JSON, Markdown). Pure, no Pulumi.

A finding is `mandatory` when `pulumi up` would fail or break what the stack declares: a protected
resource replaced or deleted, an in-place update Azure refuses, a replacement that collides with
itself under the same Azure name, a rename without an alias, a declared flow that becomes denied.
Everything else that deserves a reader's eye is `advisory`. `--allow ID` accepts a finding on purpose.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from aksnet.review.azure import Consequence
from aksnet.review.network import NetworkDiff
from aksnet.review.provider_rules import PROVIDER, PROVIDER_VERSION
from aksnet.review.resource_diff import ResourceChange, azure_name

PROTECT = "https://www.pulumi.com/docs/iac/concepts/options/protect/"
DELETE_BEFORE_REPLACE = "https://www.pulumi.com/docs/iac/concepts/options/deletebeforereplace/"
ALIASES = "https://www.pulumi.com/docs/iac/concepts/options/aliases/"


@dataclass(frozen=True)
class Finding:
    id: str
    level: str
    message: str
    accepted: bool = False

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "level": self.level, "message": self.message}
        if self.accepted:
            out["accepted"] = True
        return out


@dataclass(frozen=True)
class Review:
    stack: str
    base: str
    head: str
    changes: list[ResourceChange]
    consequences: list[Consequence]
    network: NetworkDiff
    findings: list[Finding] = field(default_factory=list)
    unmatched_allows: list[str] = field(default_factory=list)

    @property
    def refused(self) -> bool:
        return any(f.level == "mandatory" and not f.accepted for f in self.findings)

    @property
    def exit_code(self) -> int:
        return 1 if self.refused else 0

    def dns_links(self) -> dict[str, list[str]]:
        links = [c for c in self.changes if c.type == "azure-native:privatedns:VirtualNetworkLink"]
        return {"added": [c.urn for c in links if c.action == "create"],
                "removed": [c.urn for c in links if c.action == "delete"]}

    def as_json(self) -> dict[str, Any]:
        network = self.network.network_json()
        network["dnsLinks"] = self.dns_links()
        return {"stack": self.stack, "base": self.base, "head": self.head,
                "provider": f"{PROVIDER} {PROVIDER_VERSION}",
                "resources": [c.as_dict() for c in self.changes],
                "consequences": [c.as_dict() for c in self.consequences],
                "paths": self.network.paths_json(), "network": network,
                "findings": [f.as_dict() for f in self.findings],
                **({"unmatchedAllows": self.unmatched_allows} if self.unmatched_allows else {})}


def _label(change: ResourceChange) -> str:
    return f"{change.type.split(':')[-1]} {change.name}"


def findings_of(changes: Sequence[ResourceChange], consequences: Sequence[Consequence],
                network: NetworkDiff) -> list[Finding]:
    out: list[Finding] = []
    by_urn: dict[str, list[Consequence]] = {}
    for consequence in consequences:
        by_urn.setdefault(consequence.urn, []).append(consequence)

    def safe_way(change: ResourceChange) -> str:
        for consequence in by_urn.get(change.urn, ()):
            if consequence.safe and consequence.kind in ("migrates", "recreate", "refused"):
                return consequence.safe
        return ""

    deleted = [c for c in changes if c.action == "delete"]
    created = [c for c in changes if c.action == "create"]
    renamed: set[str] = set()
    for gone in deleted:
        name = azure_name(gone.base or {})
        twin = next((c for c in created if c.type == gone.type and name is not None
                     and azure_name(c.head or {}) == name), None)
        if twin is not None:
            renamed |= {gone.urn, twin.urn}
            out.append(Finding(f"alias-missing:{twin.name}", "mandatory", (
                f"{_label(twin)} is {_label(gone)} under a new URN, with the same Azure name: Pulumi would create "
                f"it while the old one still exists (the create fails) and then delete the old. Safe way: an alias "
                f"to {gone.urn} ({ALIASES})")))

    for change in changes:
        protected = any(bool(r and r.get("protect")) for r in (change.base, change.head))
        if change.action in ("replace", "delete") and protected and change.urn not in renamed:
            what = f"replaced (forced by {', '.join(change.forced_by)})" if change.action == "replace" else "deleted"
            safe = safe_way(change) or ("keep the resource and change the stack back; to retire it on purpose, turn "
                                        "protect off in a change of its own first")
            out.append(Finding(f"protected:{change.name}", "mandatory", (
                f"{_label(change)} is protected and would be {what}; pulumi up stops there ({PROTECT}). "
                f"Safe way: {safe}")))
        if change.action == "replace":
            name = azure_name(change.head or {})
            if name is not None and name == azure_name(change.base or {}):
                if (change.head or {}).get("deleteBeforeReplace"):
                    continue
                safe = safe_way(change) or "give the resource a new Azure name (the old one is removed after)"
                out.append(Finding(f"replace-collides:{change.name}", "mandatory", (
                    f"{_label(change)} is replaced (forced by {', '.join(change.forced_by)}) under the same Azure name "
                    f"{'/'.join(name)}: Pulumi creates the replacement first and that create fails on the existing "
                    f"resource. Safe way: {safe}; or deleteBeforeReplace where the outage is acceptable "
                    f"({DELETE_BEFORE_REPLACE})")))

    for consequence in consequences:
        change = next(c for c in changes if c.urn == consequence.urn)
        if consequence.kind == "refused":
            out.append(Finding(f"azure-refuses:{change.name}:{consequence.input}", "mandatory", (
                f"{_label(change)} {consequence.input}: {consequence.what}, so pulumi up fails half-way "
                f"({consequence.source}). Safe way: {consequence.safe}")))
        elif consequence.kind == "migrates" and change.action == "replace":
            out.append(Finding(f"azure-migrates:{change.name}:{consequence.input}", "advisory", (
                f"the provider replaces {_label(change)} for {consequence.input}, while {consequence.what} "
                f"({consequence.source}). Safe way: {consequence.safe}")))
        elif consequence.kind == "egress":
            out.append(Finding(f"new-egress:{change.name}", "advisory",
                               f"{_label(change)} {consequence.input}: {consequence.what} ({consequence.source})"))
        elif consequence.kind == "peering":
            out.append(Finding(f"peering-sync:{change.name}", "advisory",
                               f"{_label(change)}: {consequence.what} ({consequence.source})"))

    denied: dict[str, list[dict[str, Any]]] = {}
    for entry in network.denied:
        if entry.get("kind") == "declared":
            denied.setdefault(entry["flow"], []).append(entry)
    for flow, entries in denied.items():
        paths = "; ".join(f"{e['from']} -> {e['to']} {', '.join(e['ports'])} ({e['why']}, "
                          f"decided by {_decided(e)})" for e in entries)
        out.append(Finding(f"flow-denied:{flow}", "mandatory", (
            f"the declared flow {flow} becomes denied: {paths}. Safe way: keep the flow and its ports, or, when "
            "nothing sends that traffic any more, accept this on purpose with --allow")))
    for entry in network.allowed:
        if str(entry["from"]).startswith(("internet", "onprem")):
            out.append(Finding(f"newly-allowed:{entry['flow']}", "advisory",
                               f"{entry['from']} -> {entry['to']} {', '.join(entry['ports'])} becomes allowed "
                               f"({entry['why']})"))
    for entry in network.exposures_added:
        out.append(Finding(f"exposure:{entry['to']}:{entry['ports'][0]}", "advisory",
                           f"the internet reaches {entry['to']} on {entry['ports'][0]} although no flow declares it "
                           f"(decided by {_decided(entry)})"))
    for row in network.address_plan:
        if row["change"] in ("moved", "short"):
            what = f"moves from {row['before']} to {row['after']}" if row["change"] == "moved" else \
                f"{row['after']} falls short of its need by {-row['headroom']:,} addresses"
            out.append(Finding(f"address-{row['change']}:{row['role']}", "advisory", f"{row['role']} {what}"))
    return _unique(out)


def _unique(findings: list[Finding]) -> list[Finding]:
    seen: dict[str, Finding] = {}
    for finding in findings:
        if finding.id not in seen or (finding.level == "mandatory" and seen[finding.id].level != "mandatory"):
            seen[finding.id] = finding
    return list(seen.values())


def _decided(entry: Mapping[str, Any]) -> str:
    decided = entry.get("decidedBy") or {}
    return f"{decided.get('layer', '-')}: {decided.get('rule', '-')}"


def accept(findings: Sequence[Finding], allowed: Sequence[str]) -> tuple[list[Finding], list[str]]:
    """The findings with those `--allow` names accepted, and the names that match none."""
    ids = {f.id for f in findings}
    return ([replace(f, accepted=f.id in allowed) for f in findings], [a for a in allowed if a not in ids])


# Renderings --------------------------------------------------------------------------------------

def _resource_line(change: ResourceChange) -> str:
    if change.action == "update":
        return f"update   {change.urn}\n           inputs: {', '.join(change.inputs)}"
    if change.action == "replace":
        return f"replace  {change.urn}\n           forced by: {', '.join(change.forced_by)}"
    return f"{change.action:<8} {change.urn}"


def render_text(review: Review) -> list[str]:
    changed = [c for c in review.changes if c.action != "same"]
    lines = [f"Change review of stack {review.stack}: {review.base} -> {review.head} "
             f"({PROVIDER} {PROVIDER_VERSION}'s rules)", ""]
    lines.append(f"Resources: {len(changed)} of {len(review.changes)} change" + (":" if changed else ""))
    followers = [c for c in changed if c.action == "replace" and not c.forced_by]
    lines += [f"  {_resource_line(c)}" for c in changed if c not in followers]
    if followers:
        lines.append(f"  replace  {len(followers)} Kubernetes objects of the replaced provider (the cluster is new): "
                     f"{', '.join(c.name for c in followers[:3])}{', ...' if len(followers) > 3 else ''}")
    if review.consequences:
        lines += ["", "What Azure does beyond the provider:"]
        lines += [f"  [{c.kind}] {c.urn.rsplit('::', 1)[-1]} {c.input}: {c.what} ({c.source})"
                  for c in review.consequences]
    net = review.network
    if net.denied or net.allowed:
        lines += ["", "Paths whose verdict changes:"]
        lines += [f"  denied   {e['flow']}: {e['from']} -> {e['to']} {', '.join(e['ports'])} ({e['why']})"
                  for e in net.denied]
        lines += [f"  allowed  {e['flow']}: {e['from']} -> {e['to']} {', '.join(e['ports'])} ({e['why']})"
                  for e in net.allowed]
    if net.exposures_added or net.exposures_removed:
        lines += ["", "Exposures:"] + [f"  added    {e['to']} {e['ports'][0]}" for e in net.exposures_added] + \
                 [f"  removed  {e['to']} {e['ports'][0]}" for e in net.exposures_removed]
    if net.address_plan:
        lines += ["", "Address plan:"] + [f"  {r['change']:<8} {r['role']}: {r['before'] or '-'} -> {r['after'] or '-'}"
                                          for r in net.address_plan]
    links = review.dns_links()
    if links["added"] or links["removed"]:
        lines += ["", "Private DNS links:"] + [f"  added    {u}" for u in links["added"]] + \
                 [f"  removed  {u}" for u in links["removed"]]
    lines += ["", "Findings" + (":" if review.findings else ": none")]
    for finding in review.findings:
        mark = " (accepted with --allow)" if finding.accepted else ""
        lines.append(f"  [{finding.level}] {finding.id}{mark}: {finding.message}")
    for allowed in review.unmatched_allows:
        lines.append(f"  --allow {allowed}: no finding has that id")
    lines += ["", "Refused: a mandatory finding stands (exit 1)" if review.refused else "Not refused (exit 0)"]
    return lines


def render_markdown(review: Review) -> list[str]:
    changed = [c for c in review.changes if c.action != "same"]
    verdict = "❌ refused" if review.refused else "✅ not refused"
    lines = [f"### Change review: stack `{review.stack}` ({verdict})", "",
             f"`{review.base}` → `{review.head}`, decided offline with {PROVIDER} {PROVIDER_VERSION}'s rules.", ""]
    if review.findings:
        lines += ["| level | finding | message |", "|---|---|---|"]
        for finding in review.findings:
            level = f"{finding.level} (accepted)" if finding.accepted else finding.level
            lines.append(f"| {level} | `{finding.id}` | {_cell(finding.message)} |")
        lines.append("")
    if changed:
        lines += ["| action | resource | inputs |", "|---|---|---|"]
        followers = [c for c in changed if c.action == "replace" and not c.forced_by]
        for change in [c for c in changed if c not in followers]:
            inputs = change.forced_by if change.action == "replace" else change.inputs
            lines.append(f"| {change.action} | `{change.type.split(':')[-1]}` {change.name} | "
                         f"{', '.join(f'`{i}`' for i in inputs) or '-'} |")
        if followers:
            lines.append(f"| replace | {len(followers)} Kubernetes objects | the cluster is new |")
        lines.append("")
    else:
        lines += ["No resource changes.", ""]
    if review.consequences:
        lines += ["What Azure does beyond the provider:", ""]
        lines += [f"- **{c.kind}** {c.urn.rsplit('::', 1)[-1]} `{c.input}`: {_cell(c.what)} "
                  f"([source]({_url(c.source)}))" for c in review.consequences]
        lines.append("")
    net = review.network
    if net.denied or net.allowed:
        lines += ["Paths whose verdict changes:", ""]
        lines += [f"- {e['after']}: {e['flow']} `{e['from']}` → `{e['to']}` {', '.join(e['ports'])} ({e['why']})"
                  for e in net.denied + net.allowed]
        lines.append("")
    return lines


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _url(source: str) -> str:
    return source.split(" ", 1)[0]


def build_review(stack: str, base_label: str, head_label: str,
                 base_resources: Sequence[Mapping[str, Any]], head_resources: Sequence[Mapping[str, Any]],
                 network: NetworkDiff, allowed: Sequence[str] = ()) -> Review:
    """The whole review of two runs of one stack: resources, Azure's consequences, findings."""
    from aksnet.review.azure import consequences, context_of
    from aksnet.review.resource_diff import resource_changes
    changes = resource_changes(base_resources, head_resources)
    found = consequences(changes, context_of([*head_resources]))
    findings, unmatched = accept(findings_of(changes, found, network), allowed)
    return Review(stack, base_label, head_label, changes, found, network, findings, unmatched)
