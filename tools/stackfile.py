"""Reading a `Pulumi.<stack>.yaml` file the way the Pulumi CLI does, with one-line errors."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml

try:  # the C loader is ten times faster; fall back where libyaml is missing
    from yaml import CSafeLoader as SafeLoader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader  # type: ignore[assignment]

from tools.mock_engine import PROJECT_DIR


class StackFileError(Exception):
    """The stack file cannot be read as a stack file; `str()` is the one line to show."""


@dataclass(frozen=True)
class StackFile:
    path: str
    display: str
    """How errors name the file: `Pulumi.dev.yaml`, or the path given with --config."""
    config: Mapping[str, Any]


def stack_file_path(stack: str) -> str:
    return os.path.join(PROJECT_DIR, f"Pulumi.{stack}.yaml")


def read_stack_file(path: str, display: str | None = None) -> StackFile:
    display = display or os.path.basename(path)
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except FileNotFoundError:
        raise StackFileError(f"{display}: no such stack file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise StackFileError(f"{display}: cannot be read: {error}") from None
    try:
        document = yaml.load(text, Loader=SafeLoader)
    except yaml.YAMLError as error:
        # Where the unclosed bracket or quote began says more than where the parser gave up.
        mark = getattr(error, "context_mark", None) or getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        context = getattr(error, "context", None)
        end = getattr(error, "problem_mark", None)
        detail = f" ({context} here, {problem} by line {end.line + 1})" if context and end else f": {problem}"
        raise StackFileError(f"{display}: {where}not valid YAML{detail}") from None
    if document is None:
        document = {}
    if not isinstance(document, Mapping):
        raise StackFileError(f"{display}: (top level): is {type(document).__name__}, expected a mapping "
                             "with a 'config:' key holding the stack's keys and values")
    config = document.get("config", {})
    if config is None:
        config = {}
    if not isinstance(config, Mapping):
        raise StackFileError(f"{display}: config: is not a mapping of keys to values")
    for key, value in config.items():
        if not isinstance(key, str) or ":" not in key:
            raise StackFileError(f"{display}: config.{key}: keys are namespaced, e.g. aks-networking:cluster")
        if isinstance(value, Mapping) and set(value) == {"secure"}:
            raise StackFileError(f"{display}: {key}: is an encrypted secret, which only the Pulumi CLI can "
                                 "decrypt; preview a copy (--config) with a plain stand-in value")
    return StackFile(path=path, display=display, config=dict(config))
