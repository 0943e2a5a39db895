"""Change review: what a change to a stack will do to Azure, decided offline before `pulumi up`.

    python -m tools.review STACK --base BASE [--head HEAD] [--json|--markdown] [--allow ID ...]

BASE and HEAD are stack files or `git-ref:path` (`origin/main:Pulumi.prod.yaml`); HEAD defaults to
the working tree's `Pulumi.STACK.yaml`. Both run under the mock engine, one after the other in this
process; the review reports per resource (by URN) create, update, replace or delete with the inputs
that change or force it, what Azure does with each changed input beyond the provider, the paths
whose verdict changes, and findings. Exit 1 when a mandatory finding stands (not accepted with
--allow), 0 otherwise, 2 on a usage error.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tools.cli import run_cli
from tools.mock_engine import PROJECT_DIR, RunResult, run_program
from tools.stackfile import StackFileError, read_stack_file, stack_file_path

if TYPE_CHECKING:
    from aksnet.pipeline import LoadedStack
    from aksnet.review.network import NetworkDiff
    from aksnet.review.report import Review


class ReviewUsageError(Exception):
    """A BASE or HEAD that names no stack file: exit 2."""


class ReviewRefused(Exception):
    """A stack file that cannot be read or is refused: the lines are printed, exit 1."""


@dataclass
class Side:
    label: str
    loaded: LoadedStack
    result: RunResult
    resources: list[dict[str, Any]]
    paths: list[dict[str, Any]]
    exposures: list[dict[str, Any]]
    address_plan: list[dict[str, Any]]


def read_side(spec: str, display: str) -> tuple[str, Mapping[str, Any]]:
    """(label, config) of a stack file path or `git-ref:path`."""
    if os.path.isfile(spec) or ":" not in spec:
        try:
            return display, read_stack_file(spec, display=display).config
        except StackFileError as error:
            if not os.path.exists(spec):
                raise ReviewUsageError(str(error)) from None
            raise ReviewRefused(str(error)) from None
    ref, _, path = spec.partition(":")
    shown = subprocess.run(["git", "show", f"{ref}:{path}"], cwd=PROJECT_DIR, capture_output=True, text=True)
    if shown.returncode != 0:
        reason = (shown.stderr.strip().splitlines() or ["git show failed"])[-1]
        raise ReviewUsageError(f"{spec}: not a stack file, and git cannot show it ({reason})")
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False, encoding="utf-8") as handle:
        handle.write(shown.stdout)
    try:
        return spec, read_stack_file(handle.name, display=spec).config
    except StackFileError as error:
        raise ReviewRefused(str(error)) from None
    finally:
        os.unlink(handle.name)


def run_side(stack: str, label: str, config: Mapping[str, Any]) -> Side:
    """Check, plan and run one side under the mock engine; the path model as the preview computes it."""
    from aksnet.analysis.path_report import path_report
    from aksnet.config.problems import ConfigError
    from aksnet.pipeline import load_stack
    from aksnet.rules.path_rules import RULES as PATH_RULES
    from tools.preview import resources_json
    try:
        # Paths are the review's to compare: a denied flow is a finding here, not a refusal of the file.
        loaded = load_stack(config, stack, advisory=frozenset(r.id for r in PATH_RULES))
    except ConfigError as error:
        raise ReviewRefused("\n".join(error.lines(label))) from None
    result = run_program(stack, config)
    problems = getattr(result.error, "problems", None)  # program.stack_config.StackConfigError
    if problems:
        # The program holds the stack to the registry at the stack's own levels (prod refuses a denied
        # declared flow): what it refuses, it refuses here too, one line each.
        raise ReviewRefused("\n".join(problem.line(label) for problem in problems))
    if result.error is not None:
        raise ReviewRefused(f"{label}: the program failed under the mock engine: {result.error}")
    extra = {r.urn: r for r in result.records}
    resources = []
    for entry in resources_json(result):
        record = extra[entry["urn"]]
        resources.append({**entry, "aliases": record.aliases, "custom": record.custom, "provider": record.provider,
                          "deleteBeforeReplace": record.delete_before_replace,
                          "id": record.outputs.get("id")})
    report = path_report(loaded.spec, loaded.plan)
    return Side(label, loaded, result, resources, [p.as_dict() for p in report.paths],
                [p.as_dict() for p in report.exposures], [row.as_dict() for row in loaded.plan.address_plan])


def network_diff(base: Side, head: Side) -> NetworkDiff:
    from aksnet.analysis.path_report import parse_port, place_of
    from aksnet.analysis.paths import Tracer, network_of
    from aksnet.review.network import address_plan_diff, exposure_diff, path_diff
    tracer = Tracer(network_of(head.loaded.spec, head.loaded.plan))

    def place(text: str) -> Any:
        if text.startswith("internet"):
            return tracer.internet()
        if text == "nodes":
            return tracer.node()
        found = place_of(text, tracer)
        if isinstance(found, str) and "/" not in text:
            return tracer.fqdn(text)
        return found

    def port(entry: Mapping[str, Any]) -> tuple[str, int] | None:
        label = entry["ports"][0]
        parsed = parse_port(label)
        if parsed is not None:
            return parsed
        protocol, _, name = label.partition("/")
        for app in base.loaded.spec.kubernetes.workloads.apps:
            if f"{app.namespace}/{app.name}" == entry["to"]:
                for candidate in app.ports:
                    if candidate.name == name:
                        return protocol.upper(), int(candidate.port)
        return None

    def retrace(entry: Mapping[str, Any]) -> Mapping[str, Any] | None:
        source, destination, walked_port = place(entry["from"]), place(entry["to"]), port(entry)
        if isinstance(source, str) or isinstance(destination, str) or walked_port is None:
            return None
        path = tracer.trace(source, destination, *walked_port)
        return {**entry, "verdict": path.verdict, "decidedBy": path.as_dict()["decidedBy"]}

    added, removed = exposure_diff(base.exposures, head.exposures)
    return dataclasses.replace(path_diff(base.paths, head.paths, retrace), exposures_added=added,
                               exposures_removed=removed,
                               address_plan=address_plan_diff(base.address_plan, head.address_plan))


def review(stack: str, base: str, head: str | None, allowed: Sequence[str] = ()) -> Review:
    head_path = head or stack_file_path(stack)
    base_label, base_config = read_side(base, base)
    head_label, head_config = read_side(head_path, head or os.path.basename(head_path))
    base_side = run_side(stack, base_label, base_config)
    # The same file on both sides runs the same: the program is deterministic under the mock engine.
    head_side = dataclasses.replace(base_side, label=head_label) if dict(head_config) == dict(base_config) \
        else run_side(stack, head_label, head_config)
    return review_sides(stack, base_side, head_side, allowed)


def review_sides(stack: str, base: Side, head: Side, allowed: Sequence[str] = ()) -> Review:
    from aksnet.review.report import build_review
    return build_review(stack, base.label, head.label, base.resources, head.resources, network_diff(base, head),
                        allowed)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.review", description=__doc__.split("\n\n")[0])
    parser.add_argument("stack", help="the stack name (dev, prod): the project and stack of the URNs")
    parser.add_argument("--base", required=True, metavar="BASE", help="the stack file before: a path or git-ref:path")
    parser.add_argument("--head", metavar="HEAD", help="the stack file after (default: Pulumi.STACK.yaml)")
    form = parser.add_mutually_exclusive_group()
    form.add_argument("--json", action="store_true", help="print one JSON object")
    form.add_argument("--markdown", action="store_true", help="print Markdown, for a pull request comment")
    parser.add_argument("--allow", action="extend", nargs="+", default=[], metavar="ID",
                        help="accept the finding ID on purpose (repeatable)")
    args = parser.parse_args(argv)
    try:
        result = review(args.stack, args.base, args.head, args.allow)
    except ReviewUsageError as error:
        print(f"python -m tools.review: {error}", file=sys.stderr)
        return 2
    except ReviewRefused as error:
        print(error, file=sys.stderr)
        return 1
    from aksnet.review.report import render_markdown, render_text
    if args.json:
        json.dump(result.as_json(), sys.stdout, indent=2, default=str)
        print()
    else:
        print("\n".join(render_markdown(result) if args.markdown else render_text(result)))
    return result.exit_code


if __name__ == "__main__":
    sys.exit(run_cli(main))
