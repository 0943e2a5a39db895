"""Gateway API objects checked against the vendored CRD schemas (tests/data/gateway_api), strictly:
as `kubectl apply --validate=strict` does, a field the schema does not declare is an error."""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jsonschema

DATA = Path(__file__).parent / "data" / "gateway_api"
PLURALS = {"GatewayClass": "gatewayclasses", "Gateway": "gateways", "HTTPRoute": "httproutes"}


LOGIC = ("oneOf", "anyOf", "allOf", "not")


def _strict(node: Any, declaring: bool = True) -> Any:
    """The structural schema as JSON Schema: objects with declared properties admit no others
    (unless the schema preserves unknown fields). Under oneOf/anyOf/allOf/not, properties only
    constrain values and declare no field, as in Kubernetes' structural schemas:
    https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/#specifying-a-structural-schema"""
    if isinstance(node, Mapping):
        out = {k: _strict(v, declaring and k not in LOGIC) for k, v in node.items() if k != "properties"}
        if "properties" in node:
            out["properties"] = {k: _strict(v, declaring) for k, v in node["properties"].items()}
            if declaring and not node.get("x-kubernetes-preserve-unknown-fields") and "additionalProperties" not in node:
                out["additionalProperties"] = False
        return out
    if isinstance(node, list):
        return [_strict(v, declaring) for v in node]
    return node


@functools.cache
def schema(bundle: str, kind: str) -> dict[str, Any]:
    document = json.loads((DATA / bundle / f"{PLURALS[kind]}.json").read_text())
    assert document["bundleVersion"] == bundle and document["channel"] == "standard"
    strict = _strict(document["openAPIV3Schema"])
    strict["properties"]["metadata"] = {"type": "object"}
    return strict


def errors(obj: Mapping[str, Any], bundle: str) -> list[str]:
    """Every way `obj` breaks its kind's schema in `bundle`, as `path: message`."""
    validator = jsonschema.Draft7Validator(schema(bundle, obj["kind"]))
    return [f"{'/'.join(str(p) for p in e.absolute_path)}: {e.message}"
            for e in validator.iter_errors(dict(obj))]
