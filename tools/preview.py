"""Offline preview: the real program under the mock engine, no Pulumi CLI, no cloud.

    python -m tools.preview STACK [--config FILE] [--json] [--out DIR]

Exit 0 when the stack is valid and no mandatory policy fails; 1 with one line per problem
when it is not; 2 on a usage error.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
import traceback
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tools.cli import run_cli
from tools.mock_engine import Record, RunResult, run_program
from tools.stackfile import StackRefused, load_stack_for_cli

if TYPE_CHECKING:
    from aksnet.pipeline import LoadedStack
    from aksnet.plan.plan import Plan

SECRET_INPUT_KEYS = ("kubeconfig", "password", "secret", "clientSecret", "privateKey")


def _redact(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: ("[secret]" if any(s.lower() in k.lower() for s in SECRET_INPUT_KEYS) else _redact(v))
                for k, v in value.items()}
    if isinstance(value, list):
        return [_redact(v) for v in value]
    return value


def resources_json(result: RunResult) -> list[dict]:
    """Each resource; `parent` is another listed resource's URN, or null under the stack itself."""
    urns = {r.urn for r in result.records}
    return [{"type": r.type, "name": r.name, "urn": r.urn, "parent": r.parent if r.parent in urns else None,
             "inputs": _redact(r.inputs), "protect": r.protect, "ignoreChanges": r.ignore_changes}
            for r in result.records]


def render_tree(records: Sequence[Record]) -> list[str]:
    children: dict[str | None, list[Record]] = {}
    urns = {r.urn for r in records}
    for record in records:
        parent = record.parent if record.parent in urns else None
        children.setdefault(parent, []).append(record)
    lines: list[str] = []

    def walk(parent: str | None, depth: int) -> None:
        for record in children.get(parent, []):
            flags = " [protected]" if record.protect else ""
            lines.append(f"{'  ' * depth}{record.type}  {record.name}{flags}")
            walk(record.urn, depth + 1)
    walk(None, 0)
    return lines


def render_plan(rows: Sequence[dict]) -> list[str]:
    header = ("range", "role", "size", "usable", "needed", "headroom")
    table = [header] + [(r["cidr"], r["role"], f"{r['size']:,}", f"{r['usable']:,}",
                         "-" if r["needed"] is None else f"{r['needed']:,}",
                         "-" if r["headroom"] is None else f"{r['headroom']:,}") for r in rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    return ["  ".join(cell.ljust(widths[i]) if i < 2 else cell.rjust(widths[i]) for i, cell in enumerate(row))
            for row in table]


OUT_MARKER = ".aks-networking-preview"
"""The file that marks a directory the preview wrote, so a later --out may replace it whole."""


def render_paths(paths: Sequence[dict]) -> list[str]:
    """One line a path: flow, ends, port, verdict and the layer that decided it."""
    lines = []
    for entry in paths:
        decided = entry["decidedBy"] or {}
        lines.append(f"  {entry['verdict']:<8} {entry['flow']}: {entry['from']} -> {entry['to']} "
                     f"{', '.join(entry['ports'])}  [{decided.get('layer', '-')}: {decided.get('rule', '-')}]")
    return lines


def out_directory_problem(directory: str) -> str | None:
    """Why --out cannot take `directory`, or None: it must be new, empty, or one the preview wrote."""
    if os.path.exists(directory) and not os.path.isdir(directory):
        return f"--out {directory}: is a file; --out takes a directory"
    if os.path.isdir(directory) and os.listdir(directory) and \
            not os.path.exists(os.path.join(directory, OUT_MARKER)):
        return (f"--out {directory}: holds files the preview did not write; name a new or empty directory "
                "(the preview replaces its own directories whole)")
    return None


def write_manifests(manifests: Sequence[Mapping[str, Any]], directory: str) -> list[str]:
    """Each Kubernetes object the stack declares, as YAML, one file each, replacing the directory whole.

    The files are written to a new directory beside it, which then takes its place: a run that
    fails leaves the old directory as it was, and a run that succeeds leaves no stale manifest.
    """
    import shutil
    import tempfile

    import yaml
    parent = os.path.dirname(os.path.abspath(directory))
    os.makedirs(parent, exist_ok=True)
    staging = tempfile.mkdtemp(prefix=".out-", dir=parent)
    names = []
    for manifest in manifests:
        meta = manifest.get("metadata") or {}
        stem = "-".join(p for p in (manifest.get("kind", "object").lower(), meta.get("namespace"),
                                    meta.get("name", "object")) if p)
        with open(os.path.join(staging, f"{stem}.yaml"), "w", encoding="utf-8") as handle:
            yaml.safe_dump(manifest, handle, sort_keys=False)
        names.append(f"{stem}.yaml")
    with open(os.path.join(staging, OUT_MARKER), "w", encoding="utf-8") as handle:
        handle.write("Written by aks-networking (tools.preview --out, tools.render); the next run replaces it whole.\n")
    if os.path.isdir(directory):
        retired = tempfile.mkdtemp(prefix=".old-", dir=parent)
        os.rename(directory, os.path.join(retired, "out"))
        os.rename(staging, directory)
        shutil.rmtree(retired)
    else:
        os.rename(staging, directory)
    return [os.path.join(directory, name) for name in names]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.preview",
                                     description="Preview a stack offline under Pulumi's mock engine.")
    parser.add_argument("stack", nargs="?", help="the stack name: reads Pulumi.STACK.yaml")
    parser.add_argument("--config", metavar="FILE", help="read this stack file instead of Pulumi.STACK.yaml")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.add_argument("--out", metavar="DIR", help="write the Kubernetes objects as YAML files to DIR")
    parser.add_argument("--diagram", metavar="DIR", help="write topology and east-west diagrams to DIR")
    parser.add_argument("--landing-zone", metavar="FILE", help="preview every stack FILE lists (landing-zone.yaml): "
                        "the hub, then each spoke with its outputs, and the paths across them")
    args = parser.parse_args(argv)
    if args.landing_zone is not None:
        from tools.landing_zone import StackReporter
        from tools.landing_zone import main as landing_zone_main
        if args.diagram and os.path.isfile(args.diagram):
            print(f"--diagram {args.diagram}: is a file; --diagram takes a directory", file=sys.stderr)
            return 2
        return landing_zone_main(args.landing_zone, args.json, StackReporter(analyze, resources_json, render_tree),
                                 args.diagram)
    if args.stack is None:
        parser.error("name a STACK, or a landing zone with --landing-zone FILE")
    for problem in (out_directory_problem(args.out) if args.out else None,
                    f"--diagram {args.diagram}: is a file; --diagram takes a directory"
                    if args.diagram and os.path.isfile(args.diagram) else None):
        if problem:
            print(problem, file=sys.stderr)
            return 2

    try:
        stack_file, loaded = load_stack_for_cli(args.stack, args.config)
    except StackRefused as refused:
        return refused.code
    from tools.landing_zone import hub_outputs_for
    from tools.stackfile import StackFileError
    try:  # a spoke of a landing zone reads its hub's outputs: its hub runs first
        hub_outputs = hub_outputs_for(loaded.spec)
    except StackFileError as error:
        print(error, file=sys.stderr)
        return 1
    result = run_program(args.stack, stack_file.config, stack_outputs=hub_outputs)
    if result.error is not None:
        return _report_error(result.error, stack_file.display)

    plan = [row.as_dict() for row in loaded.plan.address_plan]
    analysis = analyze(loaded, args.stack, result)
    findings, reachability = analysis.findings, analysis.reachability
    mandatory = [f for f in findings if f["level"] == "mandatory"]
    # Files only from a run that passes: a refused stack must not leave manifests to apply.
    written = write_manifests(loaded.plan.manifests, args.out) if args.out and not mandatory else []
    diagrams = write_stack_diagrams(args.diagram, args.stack, loaded.plan, result, analysis) \
        if args.diagram and not mandatory else []
    if args.json:
        document = {"stack": args.stack, "resources": resources_json(result), "addressPlan": plan,
                    "findings": findings, "reachability": reachability, "paths": analysis.paths,
                    "exposures": analysis.exposures,
                    "outputs": {k: v for k, v in result.exports.items() if k != "addressPlan"}}
        json.dump(document, sys.stdout, indent=2, default=str)
        print()
    else:
        print(f"Stack {args.stack} ({stack_file.display}): {len(result.records)} resources\n")
        print("\n".join(render_tree(result.records)))
        print("\nAddress plan")
        print("\n".join(render_plan(plan)))
        print(f"\nKubernetes layer: {result.exports.get('kubernetesLayer')}")
        if analysis.matrix:
            print("\nReachability of the stack's workloads under its NetworkPolicies")
            print("\n".join(analysis.matrix))
        print("\nPaths of the declared and derived flows (python -m tools.path for any other)")
        print("\n".join(render_paths(analysis.paths)))
        if analysis.exposures:
            print("\nExposures: reached from the internet although nothing declares it")
            print("\n".join(render_paths(analysis.exposures)))
        print("\nPolicy findings" + (":" if findings else ": none"))
        for finding in findings:
            print(f"  [{finding['level']}] {finding['policy']} {finding['resource']}: {finding['message']}")
        if args.out and not mandatory:
            print(f"\nWrote {len(written)} Kubernetes manifests to {args.out}")
        if args.diagram and not mandatory:
            from tools.diagram import graphviz_available
            print(f"\nWrote {len(diagrams)} diagram files to {args.diagram}")
            if not graphviz_available():
                print("Graphviz's dot program is not installed: wrote Mermaid (.mmd) and DOT (.dot) files, "
                      "no SVG (Debian: apt-get install graphviz)")
    for finding in mandatory:
        print(f"{stack_file.display}: {finding['policy']}: {finding['resource']}: {finding['message']}",
              file=sys.stderr)
    return 1 if mandatory else 0


def write_stack_diagrams(directory: str, stack: str, plan: Plan, result: RunResult, analysis: Analysis) -> list[str]:
    """Topology from the run's resources, east-west from its reachability: one run, no re-reading."""
    from tools.diagram import east_west, north_south, topology, write_diagrams
    apps = sorted(f"{m['metadata'].get('namespace')}/{m['metadata']['name']}"
                  for m in plan.manifests if m.get("kind") == "Deployment")
    return write_diagrams(directory, stack, [
        ("topology", topology(result.records, plan, f"{stack}: topology")),
        ("east-west", east_west(analysis.reachability, apps, f"{stack}: east-west traffic")),
        ("north-south", north_south(analysis.paths, f"{stack}: north-south paths"))])


@dataclass
class Analysis:
    findings: list[dict]
    reachability: list[dict]
    matrix: list[str]
    paths: list[dict]
    """Every declared and derived flow, walked through the path model."""
    exposures: list[dict]


def analyze(loaded: LoadedStack, stack: str, result: RunResult) -> Analysis:
    """The registry's findings (advisory spec rules, among them reachability against the declared
    flows; the resource rules over the run's resources), the reachability and the paths."""
    from aksnet.analysis.intent import intent_of
    from aksnet.analysis.path_report import path_report
    from aksnet.rules.registry import unregistered_objects
    from tools.policy_check import check as check_policies
    from tools.reach import render

    spec, production = loaded.spec, loaded.spec.environment.production
    findings = [dataclasses.asdict(f) for f in loaded.checked.findings]
    report = path_report(spec, loaded.plan)
    paths, exposures = [p.as_dict() for p in report.paths], [p.as_dict() for p in report.exposures]
    # Objects Pulumi does not register (GitOps delivers them) are held to the same rules, as in the pack.
    findings += check_policies(result.records, stack, production, unregistered_objects(spec, loaded.plan))
    check = intent_of(spec, loaded.plan)
    if check is None:
        return Analysis(findings, [], [], paths, exposures)
    apps = {f"{a.namespace}/{a.name}" for a in spec.kubernetes.workloads.apps}
    focus = apps | {m for e in check.allowed for m in (e["from"], e["to"])}
    return Analysis(findings, check.allowed, render(check.reachability, focus), paths, exposures)


def _report_error(error: BaseException, display: str) -> int:
    from tools.mock_engine import DuplicateUrn
    if isinstance(error, DuplicateUrn):
        print(f"{display}: {error}", file=sys.stderr)
        return 1
    # Anything else is a defect of this project, not a user's mistake: show everything.
    traceback.print_exception(error, file=sys.stderr)
    print(f"{display}: internal error in the program: {error}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(run_cli(main))
