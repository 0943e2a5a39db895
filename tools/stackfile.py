"""Reading a `Pulumi.<stack>.yaml` file the way the Pulumi CLI does, with one-line errors.

Stricter than YAML itself where YAML would silently surprise: a key given twice in one mapping is
an error (YAML keeps the last), and so are aliases (a small file of nested aliases expands to
gigabytes) and tab indentation; a stack file is at most 1 MiB.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import yaml

from tools.mock_engine import PROJECT_DIR

if TYPE_CHECKING:
    from aksnet.pipeline import LoadedStack

MAX_BYTES = 1024 * 1024


class StrictLoader(yaml.SafeLoader):
    """YAML's safe loader without aliases and without duplicated keys."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.MarkedYAMLError(None, None, f"alias *{event.anchor} is not allowed in a stack file "
                                       "(write the value out)", event.start_mark)
        return super().compose_node(parent, index)

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        seen: dict[Any, Any] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, str | int | float | bool) and key in seen:
                raise yaml.MarkedYAMLError(None, None, f"key '{key}' is given twice in one mapping, and YAML would "
                                           f"keep only the last; keep one (the first is on line "
                                           f"{seen[key].line + 1})", key_node.start_mark)
            seen[key] = key_node.start_mark
        return super().construct_mapping(node, deep)


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
        if os.path.getsize(path) > MAX_BYTES:
            raise StackFileError(f"{display}: is {os.path.getsize(path):,} bytes; a stack file is at most 1 MiB")
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except FileNotFoundError:
        raise StackFileError(f"{display}: no such stack file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise StackFileError(f"{display}: cannot be read: {error}") from None
    for number, line in enumerate(text.splitlines(), start=1):
        if "\t" in line[:len(line) - len(line.lstrip())]:
            raise StackFileError(f"{display}: line {number}: tabs are not allowed for indentation; indent with spaces")
    try:
        document = yaml.load(text, Loader=StrictLoader)  # a safe loader, stricter still
    except yaml.YAMLError as error:
        # Where the unclosed bracket or quote began says more than where the parser gave up.
        mark = getattr(error, "context_mark", None) or getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        context = getattr(error, "context", None)
        end = getattr(error, "problem_mark", None)
        detail = f" ({context} here, {problem} by line {end.line + 1})" if context and end else f": {problem}"
        raise StackFileError(f"{display}: {where}not valid YAML{detail}") from None
    if document is None or document == {}:
        raise StackFileError(f"{display}: is empty; a stack file holds 'config:' with keys in the "
                             "aks-networking: namespace, e.g. aks-networking:cluster")
    if not isinstance(document, Mapping):
        raise StackFileError(f"{display}: (top level): is {type(document).__name__}, expected a mapping "
                             "with a 'config:' key holding the stack's keys and values")
    if "config" not in document:
        misplaced = [str(key) for key in document if ":" in str(key)]
        where = f" ({', '.join(misplaced[:2])} and the like go under it)" if misplaced else ""
        raise StackFileError(f"{display}: has no 'config:' key{where}; a stack file holds its keys under "
                             "'config:', in the aks-networking: namespace")
    config = document["config"]
    if not config:
        raise StackFileError(f"{display}: config: is empty; it holds the stack's keys, e.g. aks-networking:network "
                             "and aks-networking:cluster")
    if not isinstance(config, Mapping):
        raise StackFileError(f"{display}: config: is not a mapping of keys to values")
    for key, value in config.items():
        if not isinstance(key, str) or ":" not in key:
            raise StackFileError(f"{display}: config.{key}: keys are namespaced, e.g. aks-networking:cluster")
        if _is_encrypted(value):
            raise StackFileError(f"{display}: {key}: is encrypted whole, which only the Pulumi CLI can decrypt; "
                                 "encrypt only the values that are secret (pulumi config set --path --secret "
                                 f"'{key}.<path>' <value>), or preview a copy (--config) with plain values")
    return StackFile(path=path, display=display, config={k: _stand_ins(v) for k, v in config.items()})


SECRET_STAND_IN = "[secret]"
"""What the offline preview reads in place of an encrypted value: it cannot decrypt one, and it
never echoes the ciphertext."""


def _is_encrypted(value: Any) -> bool:
    """What `pulumi config set --secret` writes: a mapping whose one key is `secure`."""
    return isinstance(value, Mapping) and set(value) == {"secure"}


def _stand_ins(value: Any) -> Any:
    """The value with each nested encrypted value (what `pulumi config set --path --secret` writes)
    replaced by SECRET_STAND_IN: a key that takes any text reads it; one that needs a form (a CIDR,
    a port) refuses it in a line that names the key and shows no secret."""
    if _is_encrypted(value):
        return SECRET_STAND_IN
    if isinstance(value, Mapping):
        return {key: _stand_ins(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_stand_ins(item) for item in value]
    return value


class StackRefused(Exception):
    """A command line cannot go on with this stack: the lines are printed, `code` is the exit status."""

    def __init__(self, code: int):
        super().__init__(code)
        self.code = code


def load_stack_for_cli(stack: str, config_path: str | None,
                       advisory: frozenset[str] = frozenset()) -> tuple[StackFile, LoadedStack]:
    """The stack file of a command line (`STACK` or `--config FILE`), read, checked and planned.

    Prints the file's problems, one line each, and raises `StackRefused` with the exit status:
    2 when the file does not exist, 1 when it is refused.
    """
    from aksnet.config.problems import ConfigError
    from aksnet.pipeline import load_stack
    path = config_path or stack_file_path(stack)
    try:
        stack_file = read_stack_file(path, display=config_path or os.path.basename(path))
    except StackFileError as error:
        print(error, file=sys.stderr)
        raise StackRefused(2 if not os.path.exists(path) else 1) from None
    try:
        return stack_file, load_stack(stack_file.config, stack, advisory=advisory)
    except ConfigError as error:
        for line in error.lines(stack_file.display):
            print(line, file=sys.stderr)
        raise StackRefused(1) from None
