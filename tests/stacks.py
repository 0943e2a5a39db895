"""Stack files for tests: the committed ones, and variants of them made by key path."""

from __future__ import annotations

import copy
import functools
import os
import re
from collections.abc import Mapping
from typing import Any

from aksnet.config.stack import StackConfig
from aksnet.pipeline import load_stack
from tools.stackfile import read_stack_file, stack_file_path

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_DELETE = object()


def load(stack: str) -> dict[str, Any]:
    """The `config` map of a committed stack file (a fresh deep copy each call)."""
    return copy.deepcopy(dict(read_stack_file(stack_file_path(stack)).config))


@functools.cache
def committed(stack: str) -> dict[str, Any]:
    """The `config` map of a committed stack file, read once and shared: never change it in place
    (`variant` copies it before changing anything)."""
    return load(stack)


def landing_zone_document() -> dict[str, Any]:
    """The committed landing-zone.yaml, as read afresh: a hub and two spokes apart."""
    import yaml
    with open(os.path.join(ROOT, "landing-zone.yaml"), encoding="utf-8") as registry:
        document: dict[str, Any] = yaml.safe_load(registry)
    return document


def example(name: str) -> dict[str, Any]:
    """The `config` map of a committed example stack file, `examples/Pulumi.<name>.yaml`."""
    return copy.deepcopy(dict(read_stack_file(os.path.join(ROOT, "examples", f"Pulumi.{name}.yaml")).config))


def _steps(path: str) -> tuple[str, list[Any]]:
    """`aks-networking:cluster.nodePools[0].maxPods` -> key and steps."""
    key, _, rest = path.partition(".")
    steps: list[Any] = []
    for part in filter(None, rest.split(".")) if rest else []:
        match = re.fullmatch(r"([^\[]+)((?:\[\d+\])*)", part)
        assert match, part
        steps.append(match.group(1))
        steps += [int(i) for i in re.findall(r"\[(\d+)\]", match.group(2))]
    return key, steps


def variant(config: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of `config` with each key path set to its value (`DELETE` removes it)."""
    out = copy.deepcopy(dict(config))
    for path, value in changes.items():
        key, steps = _steps(path)
        if not steps:
            if value is _DELETE:
                out.pop(key, None)
            else:
                out[key] = value
            continue
        node = out.setdefault(key, {})
        for step in steps[:-1]:
            node = node[step] if not isinstance(node, dict) else node.setdefault(step, {})
        if value is _DELETE:
            del node[steps[-1]]
        elif isinstance(node, list) and steps[-1] == len(node):
            node.append(value)  # one past the end: a new item
        else:
            node[steps[-1]] = value
    return out


DELETE = _DELETE


def validate_stack_config(config: Mapping[str, Any], stack: str) -> StackConfig:
    """The spec of a stack that every rule of the registry accepts (else `ConfigError`)."""
    return load_stack(config, stack).spec
