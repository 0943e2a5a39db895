"""The record of every URN the committed stacks declare, so that no refactor replaces a
resource in Azure unnoticed (a changed URN is a delete and a create).

    python -m tools.urns            # check: exit 1 and the differences when a URN changed
    python -m tools.urns --write    # accept the current URNs into tests/data/urns/<stack>.txt
"""

from __future__ import annotations

import argparse
import os
import sys

from tools.mock_engine import PROJECT_DIR, run_program
from tools.stackfile import read_stack_file, stack_file_path

RECORD_DIR = os.path.join(PROJECT_DIR, "tests", "data", "urns")
STACKS = ("dev", "prod")

EXPLANATION = """\
The URNs of stack {stack} changed. In Azure a changed URN deletes the resource and creates
it again: for a VNet, a firewall or the cluster that is an outage.
- If the change is deliberate and the resources are new or may be replaced, accept it:
      .venv/bin/python -m tools.urns --write
  and commit tests/data/urns/{stack}.txt with the change.
- If a resource was only renamed or moved to another parent, keep it: give it
  pulumi.ResourceOptions(aliases=[pulumi.Alias(name=..., parent=...)]) with its old name or
  parent, so Pulumi moves it instead of replacing it; then accept the record as above.
"""


def current_urns(stack: str) -> list[str]:
    result = run_program(stack, read_stack_file(stack_file_path(stack)).config)
    if result.error is not None:
        raise SystemExit(f"Pulumi.{stack}.yaml does not run: {result.error}")
    return sorted(r.urn for r in result.records)


def record_path(stack: str) -> str:
    return os.path.join(RECORD_DIR, f"{stack}.txt")


def recorded_urns(stack: str) -> list[str]:
    with open(record_path(stack), encoding="utf-8") as handle:
        return [line for line in handle.read().splitlines() if line]


def differences(recorded: list[str], current: list[str]) -> list[str]:
    gone = sorted(set(recorded) - set(current))
    new = sorted(set(current) - set(recorded))
    return [f"- {urn}" for urn in gone] + [f"+ {urn}" for urn in new]


def explain(stack: str, recorded: list[str], current: list[str]) -> str | None:
    """None when the URNs are the recorded ones; otherwise what changed and what to do."""
    changed = differences(recorded, current)
    return EXPLANATION.format(stack=stack) + "\n".join(changed) if changed else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.urns")
    parser.add_argument("--write", action="store_true", help="accept the current URNs")
    args = parser.parse_args(argv)
    status = 0
    for stack in STACKS:
        current = current_urns(stack)
        if args.write:
            os.makedirs(RECORD_DIR, exist_ok=True)
            with open(record_path(stack), "w", encoding="utf-8") as handle:
                handle.write("\n".join(current) + "\n")
            continue
        message = explain(stack, recorded_urns(stack), current)
        if message is not None:
            print(message, file=sys.stderr)
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
