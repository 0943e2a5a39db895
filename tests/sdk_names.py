"""The property names the azure-native SDK knows, to hold every input the program sends to them."""

from __future__ import annotations

import contextlib
import functools
import importlib
import inspect
import re
import sys
from collections.abc import Iterator, Mapping
from typing import Any

# Maps whose keys are the user's (tag names, add-on names, add-on settings, a policy's parameter
# names, Flux's substitution variables), not the schema's.
FREE_KEYS = {"tags": "all", "config": "all", "addonProfiles": "keys", "userAssignedIdentities": "all",
             "kustomizations": "keys", "parameters": "keys", "substitute": "all"}


@functools.cache
def known_names(module: str, resource: str) -> frozenset[str]:
    """camelCase property names of a resource's arguments and of every input type of its module."""
    package = importlib.import_module(f"pulumi_azure_native.{module}")
    sources = [inspect.getsource(sys.modules[getattr(package, resource).__module__])]
    with contextlib.suppress(ModuleNotFoundError):  # a module of no structured input has no _inputs
        sources.append(inspect.getsource(importlib.import_module(f"pulumi_azure_native.{module}._inputs")))
    names: set[str] = set()
    for source in sources:
        names |= set(re.findall(r'@pulumi\.getter\(name="([A-Za-z0-9]+)"\)', source))
        names |= {m for m in re.findall(r"def ([a-z][a-z0-9_]*)\(self\)", source) if "_" not in m}
    return frozenset(names)


def input_keys(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """(path, key) of every schema key in an input value, at every depth."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            here = f"{path}.{key}" if path else str(key)
            yield here, str(key)
            free = FREE_KEYS.get(str(key))
            if free == "all":
                continue
            if free == "keys" and isinstance(item, Mapping):
                for inner in item.values():
                    yield from input_keys(inner, here)
                continue
            yield from input_keys(item, here)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from input_keys(item, f"{path}[{index}]")


def unknown_inputs(records: Any) -> list[str]:
    """Every input of an azure-native resource whose name the SDK does not know."""
    out = []
    for record in records:
        if not record.custom or not record.type.startswith("azure-native:"):
            continue
        _, module, resource = record.type.split(":")
        known = known_names(module, resource)
        out += [f"{record.type} {record.name}: {path}" for path, key in input_keys(record.inputs) if key not in known]
    return out
