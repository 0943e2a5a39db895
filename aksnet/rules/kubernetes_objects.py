"""Kubernetes objects as the API server and the controllers judge them, beyond their JSON schema:
one rule each, pure.

- Lists the Kubernetes OpenAPI marks `x-kubernetes-list-type: map` hold one entry per
  `x-kubernetes-list-map-keys`: under server-side apply, which the Flux extension and Pulumi's
  Kubernetes provider both use, the API server refuses an object with two. Generic: the lists and
  their keys come from the OpenAPI (`aksnet/config/data/list_map_keys.json`, written by
  `tools/extract_list_maps.py`), not from a list of cases.
- Across the stack: one route per host and path, one claim per internal load balancer address,
  protocol and port, and no app whose labels its Service or Deployment selector shares with
  another app's pods.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping, Sequence
from functools import cache
from typing import Any

from aksnet.config.problems import Problem
from aksnet.config.stack import StackConfig
from aksnet.plan.manifests import declared_objects
from aksnet.rules.rule import Rule, RuleBook

LIST_MAPS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "config", "data",
                         "list_map_keys.json")
SERVER_SIDE_APPLY = "https://kubernetes.io/docs/reference/using-api/server-side-apply/#merge-strategy"
SELECTORS = "https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#selector"
INGRESS_NGINX = "https://kubernetes.github.io/ingress-nginx/how-it-works/#avoiding-outage-from-wrong-configuration"
SHARED_IP = "https://cloud-provider-azure.sigs.k8s.io/topics/loadbalancer/#loadbalancer-sku"

book = RuleBook()


@cache
def _list_maps() -> Mapping[str, Any]:
    with open(LIST_MAPS, encoding="utf-8") as handle:
        return dict(json.load(handle))


def duplicate_list_map_entries(manifest: Mapping[str, Any]) -> Iterator[str]:
    """For each list-map entry whose key an earlier entry of the list holds: where, and the key."""
    data = _list_maps()
    root = data["roots"].get(f"{manifest.get('apiVersion')}/{manifest.get('kind')}")
    if root is not None:
        yield from _walk(manifest, root, "", data["definitions"])


def _walk(value: Any, definition: str, path: str, definitions: Mapping[str, Any]) -> Iterator[str]:
    if not isinstance(value, Mapping):
        return
    for prop, shape in definitions.get(definition, {}).items():
        child, where = value.get(prop), f"{path}.{prop}" if path else prop
        if child is None:
            continue
        if "ref" in shape:
            yield from _walk(child, shape["ref"], where, definitions)
            continue
        if not isinstance(child, Sequence) or isinstance(child, str):
            continue
        if "keys" in shape:
            defaults = shape.get("defaults", {})
            seen: dict[tuple[Any, ...], int] = {}
            for index, item in enumerate(child):
                if not isinstance(item, Mapping):
                    continue
                key = tuple(item.get(k, defaults.get(k)) for k in shape["keys"])
                if key in seen:
                    named = ", ".join(f"{k}={v}" for k, v in zip(shape["keys"], key, strict=True))
                    yield f"{where}[{index}] repeats {named} of {where}[{seen[key]}]"
                seen.setdefault(key, index)
        for index, item in enumerate(child):
            yield from _walk(item, shape["items"], f"{where}[{index}]", definitions)


@book.refusal("list-map-keys-unique", "Each list the Kubernetes OpenAPI keys holds one entry per key.",
              SERVER_SIDE_APPLY, over_plan=True)
def list_map_keys_unique(spec: StackConfig) -> Iterator[Problem]:
    reported: set[str] = set()
    for origin, manifest in declared_objects(spec):
        meta = manifest.get("metadata") or {}
        name = "/".join(p for p in (meta.get("namespace"), meta.get("name")) if p)
        for duplicate in duplicate_list_map_entries(manifest):
            if origin in reported:
                break
            reported.add(origin)
            yield Problem.at(origin, f"makes {manifest['kind']} {name} whose {duplicate}: the API server refuses "
                             "two entries of one key in that list under server-side apply; keep one entry per key")


@book.refusal("one-route-per-host-and-path", "No two Ingress paths of the stack claim one host and path.",
              INGRESS_NGINX)
def one_route_per_host_and_path(spec: StackConfig) -> Iterator[Problem]:
    """Two routes for one host and path leave the controller to pick one: ingress-nginx's admission
    webhook refuses the second Ingress, and the application gateway keeps one rule of the two."""
    first: dict[tuple[str, str], str] = {}
    for index, route in enumerate(spec.kubernetes.workloads.ingresses):
        for number, entry in enumerate(route.paths):
            key, where = (route.host, entry.path.rstrip("/") or "/"), f"kubernetes.ingresses[{index}].paths[{number}]"
            if key in first:
                yield Problem.at(f"{where}.path", f"{route.host}{entry.path} is routed by {first[key]} already; "
                                 "one host and path has one backend")
            first.setdefault(key, where)


@book.refusal("one-claim-per-internal-address-and-port", "No two internal load balancer Services claim one address, "
              "protocol and port.", SHARED_IP)
def one_claim_per_internal_address_and_port(spec: StackConfig) -> Iterator[Problem]:
    """Services may share an internal frontend address only on distinct ports: one load balancing
    rule answers a frontend address, protocol and port."""
    claims: dict[tuple[str, str, int], str] = {}
    nginx = spec.ingress.nginx
    if spec.ingress.controller == "nginx" and nginx is not None and nginx.static_ip is not None:
        for served in (80, 443):
            claims[(str(nginx.static_ip), "TCP", served)] = "ingress.nginx.staticIp"
    for index, app in enumerate(spec.kubernetes.workloads.apps):
        if app.service_type != "InternalLoadBalancer" or app.static_ip is None:
            continue
        for port in app.ports:
            key = (str(app.static_ip), port.protocol, port.port)
            if key in claims:
                yield Problem.at(f"kubernetes.apps[{index}].staticIp", f"{app.static_ip} {port.protocol}/{port.port} "
                                 f"is claimed by {claims[key]} already; choose another address or port")
                break
            claims[key] = f"kubernetes.apps[{index}]"


@book.refusal("selectors-select-only-their-app", "No app's selector matches another app's pods.", SELECTORS)
def selectors_select_only_their_app(spec: StackConfig) -> Iterator[Problem]:
    """An app's Deployment and Service select its labels: another app whose pods carry them all would
    get its traffic, and the two Deployments would fight over the pods."""
    apps = spec.kubernetes.workloads.apps
    for index, app in enumerate(apps):
        for other in apps:
            if other is app or other.namespace != app.namespace or not app.labels:
                continue
            if all(other.labels.get(k) == v for k, v in app.labels.items()):
                shown = ", ".join(f"{k}={v}" for k, v in sorted(app.labels.items()))
                yield Problem.at(f"kubernetes.apps[{index}].labels", f"{shown} selects the pods of {other.name} too; "
                                 f"give {app.name} a label {other.name} does not carry")
                break


RULES: tuple[Rule, ...] = tuple(book.rules)
