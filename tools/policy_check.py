"""Run the registry's resource rules over a mocked run's resources, as `pulumi preview --policy-pack` would."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from typing import Any

from aksnet.rules.registry import RecordedResource, check_resources, pack_levels
from tools.mock_engine import PROJECT_DIR, Record

CONFIG_DIR = os.path.join(PROJECT_DIR, "policies", "config")


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


def check(records: Sequence[Record], stack: str, production: bool) -> list[dict[str, Any]]:
    return [f.as_dict() for f in check_resources(recorded(records), enforcement(stack, production))]
