"""Offline preview: the real program under the mock engine, no Pulumi CLI, no cloud.

    python -m tools.preview STACK [--config FILE] [--json] [--out DIR]

Exit 0 when the stack is valid and no mandatory policy fails; 1 with one line per problem
when it is not; 2 on a usage error.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
from typing import Any, Sequence

from tools.mock_engine import Record, RunResult, run_program
from tools.stackfile import StackFileError, read_stack_file, stack_file_path

SECRET_INPUT_KEYS = ("kubeconfig", "password", "secret", "clientSecret", "privateKey")


def _redact(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: ("[secret]" if any(s.lower() in k.lower() for s in SECRET_INPUT_KEYS) else _redact(v))
                for k, v in value.items()}
    if isinstance(value, list):
        return [_redact(v) for v in value]
    return value


def resources_json(result: RunResult) -> list[dict]:
    return [{"type": r.type, "name": r.name, "urn": r.urn, "parent": r.parent, "inputs": _redact(r.inputs),
             "protect": r.protect, "ignoreChanges": r.ignore_changes} for r in result.records]


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


def write_manifests(result: RunResult, directory: str) -> list[str]:
    """Each Kubernetes object the stack declares, as YAML, one file each."""
    import yaml
    os.makedirs(directory, exist_ok=True)
    written = []
    for record in result.records:
        if not record.custom or not record.type.startswith("kubernetes:") or "providers" in record.type:
            continue
        manifest = {k: v for k, v in record.inputs.items() if k in
                    ("apiVersion", "kind", "metadata", "spec", "data", "stringData", "type")}
        meta = manifest.get("metadata") or {}
        stem = "-".join(p for p in (manifest.get("kind", "object").lower(), meta.get("namespace"),
                                    meta.get("name", record.name)) if p)
        path = os.path.join(directory, f"{stem}.yaml")
        with open(path, "w", encoding="utf-8") as handle:
            yaml.safe_dump(manifest, handle, sort_keys=False)
        written.append(path)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.preview",
                                     description="Preview a stack offline under Pulumi's mock engine.")
    parser.add_argument("stack", help="the stack name: reads Pulumi.STACK.yaml")
    parser.add_argument("--config", metavar="FILE", help="read this stack file instead of Pulumi.STACK.yaml")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.add_argument("--out", metavar="DIR", help="write the Kubernetes objects as YAML files to DIR")
    args = parser.parse_args(argv)

    path = args.config or stack_file_path(args.stack)
    try:
        stack_file = read_stack_file(path, display=args.config or os.path.basename(path))
    except StackFileError as error:
        print(error, file=sys.stderr)
        return 2 if not os.path.exists(path) else 1

    result = run_program(args.stack, stack_file.config)
    if result.error is not None:
        return _report_error(result.error, stack_file.display)

    plan = result.exports.get("addressPlan") or []
    findings: list[dict] = []
    reachability: list[dict] = []
    if args.out:
        written = write_manifests(result, args.out)
    if args.json:
        document = {"stack": args.stack, "resources": resources_json(result), "addressPlan": plan,
                    "findings": findings, "reachability": reachability,
                    "outputs": {k: v for k, v in result.exports.items() if k != "addressPlan"}}
        json.dump(document, sys.stdout, indent=2, default=str)
        print()
    else:
        print(f"Stack {args.stack} ({stack_file.display}): {len(result.records)} resources\n")
        print("\n".join(render_tree(result.records)))
        print("\nAddress plan")
        print("\n".join(render_plan(plan)))
        print("\nPolicy findings: none")
        if args.out:
            print(f"\nWrote {len(written)} Kubernetes manifests to {args.out}")
    return 0


def _report_error(error: BaseException, display: str) -> int:
    from components.problems import ConfigError
    if isinstance(error, ConfigError):
        for line in error.lines(display):
            print(line, file=sys.stderr)
        return 1
    # Anything else is a defect of this project, not a user's mistake: show everything.
    traceback.print_exception(error, file=sys.stderr)
    print(f"{display}: internal error in the program: {error}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
