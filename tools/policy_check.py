"""Run the registry's resource rules over a mocked run's resources, as `pulumi preview --policy-pack` would.

    python -m tools.policy_check    # write policies/config/<stack>.json from the registry's levels
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Sequence
from typing import Any

from aksnet.rules.registry import RecordedResource, check_resources, pack_levels
from tools.mock_engine import PROJECT_DIR, Record

CONFIG_DIR = os.path.join(PROJECT_DIR, "policies", "config")
PACK_CONFIGS = {"dev": False, "prod": True, "hub": True, "spoke-a": False, "spoke-b": False}
"""The committed pack config files: the stack, and whether it is a production one (the landing zone's
stacks too: landing-zone.yaml)."""


def enforcement(stack: str, production: bool) -> dict[str, str]:
    """The stack's policy-pack config file when it has one, else the registry's own levels."""
    levels: dict[str, str] = dict(pack_levels(production))
    path = os.path.join(CONFIG_DIR, f"{stack}.json")
    if os.path.exists(path):
        with open(path, encoding="utf-8") as handle:
            levels.update(json.load(handle))
    return levels


def recorded(records: Sequence[Record]) -> list[RecordedResource]:
    return [RecordedResource(r.type, r.name, r.urn, r.inputs) for r in records if r.custom]


def check(records: Sequence[Record], stack: str, production: bool,
          unregistered: Sequence[RecordedResource] = ()) -> list[dict[str, Any]]:
    """`unregistered`: the Kubernetes objects Pulumi does not register (`unregistered_objects`)."""
    resources = recorded(records) + list(unregistered)
    return [dataclasses.asdict(f) for f in check_resources(resources, enforcement(stack, production))]


def main() -> None:
    for stack, production in PACK_CONFIGS.items():
        with open(os.path.join(CONFIG_DIR, f"{stack}.json"), "w", encoding="utf-8") as handle:
            handle.write(json.dumps(pack_levels(production), indent=2) + "\n")


if __name__ == "__main__":
    main()
