"""The `environment` section: the names' stem, the region, production or not, tags, protection. Pure, no Pulumi."""

from __future__ import annotations

import re

from aksnet.config.model import Environment
from aksnet.config.schema import Obj

NAME_PATTERN = r"[a-z][a-z0-9-]{0,14}[a-z0-9]|[a-z]"


def read_environment(obj: Obj, stack: str, location: str) -> Environment:
    default_name = stack.lower() if _fits_name(stack.lower()) else "aks"
    env = Environment(
        name=obj.text("name", default_name, pattern=NAME_PATTERN,
                      hint="lower-case letters, digits and hyphens, 1 to 16 characters"),
        location=location,
        production=obj.flag("production", False),
        tags=azure_tags(obj, "tags"),
        protect=obj.flag("protect", False),
        lock_hub=obj.flag("lockHub", False),
    )
    obj.done()
    return env


def _fits_name(text: str) -> bool:
    return re.fullmatch(NAME_PATTERN, text) is not None


def azure_tags(obj: Obj, key: str) -> dict[str, str]:
    """Azure tags: names of at most 512 characters without < > % & \\ ? /, values of at most 256.
    https://learn.microsoft.com/azure/azure-resource-manager/management/tag-resources#limitations"""
    tags = obj.labels(key)
    for name, value in tags.items():
        path = f"{obj.key_path(key)}.{name}"
        if len(name) > 512 or any(c in name for c in "<>%&\\?/"):
            obj.problems.add(path, "is not a valid tag name: at most 512 characters, none of < > % & \\ ? /")
        if len(value) > 256:
            obj.problems.add(path, f"is {len(value)} characters long; a tag value holds at most 256")
    return tags
