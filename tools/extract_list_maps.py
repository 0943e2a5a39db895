"""Write aksnet/config/data/list_map_keys.json: where the Kubernetes OpenAPI marks a list
`x-kubernetes-list-type: map`, and by which `x-kubernetes-list-map-keys`, for the kinds the stack
declares. The source is the OpenAPI of one Kubernetes minor as the `kubernetes-validate` package
(a development requirement) ships it; the program reads only the compact extract.

    python -m tools.extract_list_maps [--minor 1.35]

Under server-side apply (the Flux extension's and Pulumi's Kubernetes provider's way of applying),
the API server refuses an object with two entries of such a list under one key.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Sequence
from typing import Any

from tools.mock_engine import PROJECT_DIR

OUT = os.path.join(PROJECT_DIR, "aksnet", "config", "data", "list_map_keys.json")
KINDS = ("Namespace", "Deployment", "StatefulSet", "DaemonSet", "Service", "Ingress", "NetworkPolicy", "ConfigMap",
         "ServiceAccount")
PREFIX = "#/$defs/"


def _ref(schema: dict[str, Any]) -> str | None:
    ref = schema.get("$ref") or (schema.get("allOf") or [{}])[0].get("$ref")
    return ref.rsplit("/", 1)[-1] if isinstance(ref, str) else None


def _default(schema: dict[str, Any]) -> str | None:
    """A key's default, from the OpenAPI's own words ("Default is TCP", 'Defaults to "TCP"')."""
    if "default" in schema:
        return str(schema["default"])
    match = re.search(r'Defaults? (?:is|to) "?([A-Za-z0-9]+)"?', schema.get("description", ""))
    return match.group(1) if match else None


def extract(definitions: dict[str, Any]) -> dict[str, Any]:
    """Each definition's properties that are, or lead to, a list-map: {"ref"} or {"items", "keys", "defaults"}."""
    shapes: dict[str, dict[str, Any]] = {}
    for name, definition in definitions.items():
        fields: dict[str, Any] = {}
        for prop, schema in (definition.get("properties") or {}).items():
            items = schema.get("items") or {}
            if schema.get("x-kubernetes-list-type") == "map":
                keys = schema["x-kubernetes-list-map-keys"]
                item = _ref(items)
                props = (definitions.get(item or "") or {}).get("properties") or {}
                defaults = {k: d for k in keys if (d := _default(props.get(k) or {})) is not None}
                fields[prop] = {"items": item, "keys": keys, **({"defaults": defaults} if defaults else {})}
            elif _ref(items) is not None:
                fields[prop] = {"items": _ref(items)}
            elif _ref(schema) is not None:
                fields[prop] = {"ref": _ref(schema)}
        shapes[name] = fields
    # Keep what leads to a list-map, nothing else.
    leads: set[str] = set()
    changed = True
    while changed:
        changed = False
        for name, fields in shapes.items():
            if name not in leads and any("keys" in f or f.get("items") in leads or f.get("ref") in leads
                                         for f in fields.values()):
                leads.add(name)
                changed = True
    return {name: {p: f for p, f in fields.items() if "keys" in f or f.get("items") in leads or f.get("ref") in leads}
            for name, fields in shapes.items() if name in leads}


def main(argv: Sequence[str] | None = None) -> int:
    import kubernetes_validate
    parser = argparse.ArgumentParser(prog="python -m tools.extract_list_maps")
    parser.add_argument("--minor", default="1.35")
    args = parser.parse_args(argv)
    schemas = os.path.join(os.path.dirname(kubernetes_validate.__file__), "kubernetes-json-schema",
                           f"v{args.minor}.0-local-strict")
    with open(os.path.join(schemas, "_definitions.json"), encoding="utf-8") as handle:
        definitions = json.load(handle)["$defs"]
    shapes = extract(definitions)
    roots = {}
    for name, definition in sorted(definitions.items()):
        for gvk in definition.get("x-kubernetes-group-version-kind") or []:
            if gvk["kind"] in KINDS and name in shapes:
                api = f"{gvk['group']}/{gvk['version']}" if gvk["group"] else gvk["version"]
                roots[f"{api}/{gvk['kind']}"] = name
    reachable: set[str] = set()
    stack = list(roots.values())
    while stack:
        name = stack.pop()
        if name in reachable:
            continue
        reachable.add(name)
        targets = [f.get("items") or f.get("ref") for f in shapes[name].values()]
        stack += [t for t in targets if t in shapes]
    from importlib.metadata import version
    shipped = version("kubernetes-validate")
    document = {"source": f"the Kubernetes {args.minor} OpenAPI, as kubernetes-validate {shipped} ships it "
                          "(tools/extract_list_maps.py)",
                "minor": args.minor, "roots": roots,
                "definitions": {name: shapes[name] for name in sorted(reachable)}}
    with open(OUT, "w", encoding="utf-8") as handle:
        handle.write(json.dumps(document, indent=1, sort_keys=True) + "\n")
    print(f"{len(roots)} kinds, {len(reachable)} definitions -> {os.path.relpath(OUT, PROJECT_DIR)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
