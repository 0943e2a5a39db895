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
                      hint="lower-case letters, digits and hyphens, 1 to 16 characters",
                      doc="stem of every Azure name: `vnet-<name>-spoke`, `rg-<name>-hub`",
                      default_doc="the stack's name when it fits, else `aks`"),
        location=location,
        production=obj.flag("production", False,
                            doc="the strict rules: WAF_v2 in Prevention, zones, mandatory policies"),
        tags=azure_tags(obj, "tags", doc="tags on every resource: names of at most 512 characters without "
                                         "`< > % & \\ ? /`, values of at most 256"),
        protect=obj.flag("protect", False,
                         doc="Pulumi `protect` on resource groups, VNets, public IPs, firewall and policy, gateway, "
                             "private DNS zone and cluster"),
        lock_hub=obj.flag("lockHub", False,
                          doc="a CanNotDelete lock on the hub's resource group; it also stops an update that removes "
                              "something there (lift it for such a change)"),
    )
    obj.done()
    return env


def _fits_name(text: str) -> bool:
    return re.fullmatch(NAME_PATTERN, text) is not None


TAG_LIMITS = "https://learn.microsoft.com/azure/azure-resource-manager/management/tag-resources#limitations"


def azure_tags(obj: Obj, key: str, *, doc: str = "") -> dict[str, str]:
    """Azure tags: names of at most 512 characters without < > % & \\ ? /, values of at most 256."""
    tags = obj.labels(key, doc=doc, source=TAG_LIMITS)
    for name, value in tags.items():
        path = f"{obj.key_path(key)}.{name}"
        if len(name) > 512 or any(c in name for c in "<>%&\\?/"):
            obj.problems.add(path, "is not a valid tag name: at most 512 characters, none of < > % & \\ ? /")
        if len(value) > 256:
            obj.problems.add(path, f"is {len(value)} characters long; a tag value holds at most 256")
    return tags
