"""The grammar of an image reference, as the kubelet parses it: an image outside it never starts
(the pod waits in `InvalidImageName`). Pure.

The grammar is the distribution reference specification's (github.com/distribution/reference,
regexp.go): `[host[:port]/]path[:tag][@digest]`, the path lower-case, the whole name at most 255
characters (NameTotalLengthMax).
"""

from __future__ import annotations

import re

_ALPHANUMERIC = r"[a-z0-9]+"
_SEPARATOR = r"(?:[._]|__|[-]+)"
_PATH_COMPONENT = rf"{_ALPHANUMERIC}(?:{_SEPARATOR}{_ALPHANUMERIC})*"
_DOMAIN_COMPONENT = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_HOST = rf"(?:{_DOMAIN_COMPONENT}(?:\.{_DOMAIN_COMPONENT})*|\[(?:[a-fA-F0-9:]+)\])"
_TAG = r"[\w][\w.-]{0,127}"
_DIGEST = r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9a-fA-F]{32,}"
REMOTE_NAME = rf"{_PATH_COMPONENT}(?:/{_PATH_COMPONENT})*"
NAME = rf"(?:{_HOST}(?::[0-9]+)?/)?{REMOTE_NAME}"
REFERENCE = rf"(?P<name>{NAME})(?::{_TAG})?(?:@{_DIGEST})?"
NAME_MAX = 255

HINT = ("an image reference such as registry.example.com/team/app:1.2.3 (lower-case path, a tag after ':', a digest "
        "after '@')")


def reference_problem(image: str, *, remote_only: bool = False) -> str | None:
    """Why `image` is not a reference (None when it is). `remote_only`: a path without a host, as
    after `platform://`."""
    name = REMOTE_NAME if remote_only else NAME
    match = re.fullmatch(rf"(?P<name>{name})(?::{_TAG})?(?:@{_DIGEST})?", image)
    if match is None:
        if image != image.lower() and re.fullmatch(REFERENCE, image.lower()):
            return f"{image} has upper-case letters in its repository path, which must be lower case"
        return f"{image} is not {HINT}"
    if len(match.group("name")) > NAME_MAX:
        return f"{image}: the repository name is longer than {NAME_MAX} characters"
    return None
