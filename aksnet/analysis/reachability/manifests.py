"""A cluster read from Kubernetes manifests: namespaces, pods (one per workload) and policies. Pure, no Pulumi."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from typing import Any

from aksnet.analysis.reachability.model import Cluster, Pod
from aksnet.analysis.reachability.policies import parse_policy

WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "ReplicationController", "CronJob")
"""Kinds whose pods come from a pod template: `spec.template`, a CronJob's `spec.jobTemplate.spec.template`.
https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#writing-a-cronjob-spec"""


def cluster_from_objects(objects: Iterable[Mapping[str, Any]]) -> tuple[Cluster, list[str]]:
    """Namespaces, pods (a workload's pods appear once, under the workload's name) and policies.

    Returns the cluster and one message per object that cannot be read; objects of other
    kinds are ignored.
    """
    cluster = Cluster()
    errors: list[str] = []
    for number, obj in enumerate(objects):
        if not isinstance(obj, Mapping):
            errors.append(f"object {number}: is not a mapping")
            continue
        kind = obj.get("kind")
        meta = obj.get("metadata") or {}
        name = meta.get("name") if isinstance(meta, Mapping) else None
        where = f"{kind or 'object'} {meta.get('namespace', 'default') + '/' if kind != 'Namespace' else ''}{name}"
        try:
            if not isinstance(meta, Mapping) or not name:
                raise ValueError("metadata.name is missing")
            if kind == "Namespace":
                cluster.add_namespace(name, _labels(meta))
            elif kind == "Pod":
                status = obj.get("status") or {}
                ip = status.get("podIP")
                cluster.pods.append(Pod(meta.get("namespace", "default"), name, _labels(meta),
                                        _container_ports(obj.get("spec") or {}),
                                        ipaddress.ip_address(ip) if ip else None))  # type: ignore[arg-type]
            elif kind in WORKLOAD_KINDS:
                spec = obj.get("spec") or {}
                if kind == "CronJob":
                    spec = (spec.get("jobTemplate") or {}).get("spec") or {}
                template = spec.get("template") or {}
                cluster.pods.append(Pod(meta.get("namespace", "default"), name, _labels(template.get("metadata") or {}),
                                        _container_ports(template.get("spec") or {})))
            elif kind == "NetworkPolicy":
                if obj.get("apiVersion") != "networking.k8s.io/v1":
                    raise ValueError(f"apiVersion {obj.get('apiVersion')!r} is not networking.k8s.io/v1")
                cluster.policies.append(parse_policy(obj))
        except (ValueError, TypeError, AttributeError) as error:
            errors.append(f"{where}: {error}")
    return cluster, errors


def _labels(meta: Mapping[str, Any]) -> dict[str, str]:
    labels = meta.get("labels") or {}
    if not isinstance(labels, Mapping):
        raise ValueError("labels must be a mapping")
    return {str(k): str(v) for k, v in labels.items()}


def _container_ports(spec: Mapping[str, Any]) -> tuple[tuple[str, int, str], ...]:
    """Named container ports; a protocol unset, null or empty is TCP (SetDefaults_ContainerPort,
    pkg/apis/core/v1/defaults.go: the field is a plain string, defaulted when empty)."""
    ports = []
    for container in spec.get("containers") or []:
        for port in container.get("ports") or []:
            if port.get("name"):
                ports.append((str(port["name"]), int(port["containerPort"]), str(port.get("protocol") or "TCP")))
    return tuple(sorted(ports))
