"""The core's one entry: a stack's config map read, checked by every rule, and planned. Pure, no Pulumi.

The program's config adapter and the offline preview both call `load_stack`; a run of the
preview reads, checks and plans a stack once, however many of them ask (the result is kept for
the same config map, which the engine hands over as JSON strings and a stack file as objects).
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from aksnet.config.lifecycle import judging_day
from aksnet.config.stack import StackConfig, decode_value, load_spec
from aksnet.plan.plan import Plan
from aksnet.rules.registry import CheckedStack, check_stack

_KEEP = 4


@dataclass(frozen=True)
class LoadedStack:
    spec: StackConfig
    checked: CheckedStack
    plan: Plan


_loaded: dict[str, LoadedStack] = {}


def load_stack(config: Mapping[str, Any], stack: str, today: datetime.date | None = None,
               advisory: frozenset[str] = frozenset()) -> LoadedStack:
    """Parse, check and plan; raise `ConfigError` with every problem of the stack file at once.

    `today` is the day support windows are judged on: `judging_day()` (AKSNET_TODAY, else the calendar's)
    unless the caller gives one.
    `advisory`: rule ids that report instead of refusing (`aksnet.rules.registry.check_stack`).
    """
    today = today or judging_day()
    decoded = json.dumps({k: decode_value(v) for k, v in config.items()}, sort_keys=True, default=str)
    key = f"{stack}\0{today}\0{sorted(advisory)}\0{decoded}"
    if key not in _loaded:
        spec = load_spec(config, stack)
        checked = check_stack(spec, today, advisory)
        if len(_loaded) >= _KEEP:
            _loaded.pop(next(iter(_loaded)))
        _loaded[key] = LoadedStack(spec, checked, checked.plan)
    return _loaded[key]
