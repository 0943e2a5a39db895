"""The `environment` section: the names' stem, the region, production or not, tags, protection. Pure, no Pulumi."""

from __future__ import annotations

import re

from aksnet.config.model import Environment
from aksnet.config.regions import CHECKED as REGIONS_CHECKED
from aksnet.config.regions import REGIONS
from aksnet.config.schema import Obj, Problems, did_you_mean

NAME_PATTERN = r"[a-z][a-z0-9-]{0,14}[a-z0-9]|[a-z]"


def read_location(problems: Problems, raw_location: object) -> str:
    """`azure-native:location` by the region's programmatic name (`West Europe` is `westeurope`), refused when
    missing or when no Azure region has that name: a typo must fail before `pulumi up`, for a hub's stack
    file as for a spoke's. https://learn.microsoft.com/azure/reliability/regions-list"""
    if not isinstance(raw_location, str) or not raw_location.strip():
        problems.add("azure-native:location", "is required: the Azure region, e.g. westeurope")
        return "unknown"
    location = raw_location.replace(" ", "").lower()
    if location not in REGIONS:
        close = did_you_mean(location, list(REGIONS))
        hint = f"did you mean '{close}'?" if close else (
            f"the region table (aksnet/config/regions.py, checked {REGIONS_CHECKED}) lists Azure's regions; "
            "add a row if Azure opened this one since")
        problems.add("azure-native:location", f"'{raw_location}' is not an Azure region; {hint}")
    return location


def zones_refusal(location: str) -> str | None:
    """Why zones cannot be listed in `location`, or None where they can (or the region is not known).
    https://learn.microsoft.com/azure/reliability/regions-list"""
    if REGIONS.get(location, True):
        return None
    return f"lists zones, but {location} has no availability zones; remove them, or choose a region with zones"


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
