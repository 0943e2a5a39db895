"""The `kubernetes` section: how the layer is delivered (applied, or reconciled by Flux from Git),
the workloads (`aksnet.config.workloads`) and the registries their images may come from. Pure, no Pulumi."""

from __future__ import annotations

import re

from aksnet.config.model import GitOpsSpec, KubernetesSpec
from aksnet.config.schema import Obj, string_item
from aksnet.config.workloads import check_workloads, parse_workloads

DELIVERIES = ("apply", "gitops", "none")


# Flux reads spec.path from the root of the repository and writes it `./deploy` in its own docs:
# https://fluxcd.io/flux/components/kustomize/kustomizations/#path
FLUX_PATH = r"(\./)?[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*/?"


def _gitops(obj: Obj) -> GitOpsSpec | None:
    gitops = obj.nested("gitops", doc="with `delivery: gitops`: the repository, branch and path Flux reconciles")
    if gitops is None:
        return None
    spec = GitOpsSpec(
        url=gitops.text("url", pattern=r"(https://|ssh://)[A-Za-z0-9.-]+(:[0-9]+)?/[A-Za-z0-9._~/-]+",
                        hint="an https:// or ssh:// Git repository URL",
                        doc="the Git repository"),
        branch=gitops.text("branch", "main", pattern=r"[A-Za-z0-9._/-]+", hint="a branch name", doc="the branch"),
        path=gitops.text("path", pattern=FLUX_PATH,
                         hint="a directory from the repository's root such as deploy/prod or ./deploy/prod",
                         doc="the directory `make render` writes, from the repository's root (`./` allowed)"),
        interval_seconds=gitops.whole("intervalSeconds", 300, minimum=60, maximum=86400,
                                      doc="how often Flux reconciles"),
    )
    gitops.done()
    if re.fullmatch(FLUX_PATH, spec.path) and \
            any(part in (".", "..") for part in spec.path.removeprefix("./").rstrip("/").split("/")):
        # `make render` writes the layer there: it must stay a directory of its own inside the repository.
        gitops.problems.add(gitops.key_path("path"), f"{spec.path} steps through . or ..; name the directory "
                            "from the repository's root, such as ./deploy/prod")
    return spec


def read_kubernetes(obj: Obj) -> KubernetesSpec:
    for retired in ("apply", "renderDir"):
        obj.retired(retired, "is replaced by kubernetes.delivery: apply (Pulumi applies the layer), gitops (the Flux "
                    "extension reconciles it from Git) or none")
    spec = KubernetesSpec(
        delivery=obj.choice("delivery", DELIVERIES, "apply",
                            doc="how the layer reaches the cluster: Pulumi applies it, Flux reconciles it from Git "
                                "(gitops), or not at all"),
        gitops=_gitops(obj),
        workloads=parse_workloads(obj),
        allowed_registries=tuple(r.lower() for r in obj.items("allowedRegistries", string_item(
            r"[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*(:[0-9]{1,5})?",
            "a registry host such as docker.io or ghcr.io"), (),
                                                              doc="registries besides the platform's the apps' images "
                                                                  "may come from; each gets its firewall pull rule")),
    )
    if spec.delivery == "gitops" and spec.gitops is None:
        obj.problems.add(obj.key_path("gitops"), "is required with delivery gitops: {url, branch, path}")
    if spec.delivery != "gitops" and spec.gitops is not None:
        obj.problems.add(obj.key_path("gitops"), f"is set but delivery is {spec.delivery}; set delivery gitops "
                         "or remove it")
    obj.done()
    check_workloads(spec.workloads, obj.path, obj.problems)
    return spec
