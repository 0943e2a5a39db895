"""Render a stack's Kubernetes layer into the repository path Flux reconciles.

    python -m tools.render STACK [--config FILE] [--check]

For stacks whose layer is delivered by GitOps (`kubernetes.delivery: gitops`): writes every object
of the layer, from the plan, as one YAML file each into `kubernetes.gitops.path`, replacing the
directory whole, so that an object removed from the stack leaves no file behind. The same stack
gives the same bytes on every run; commit the directory with the change. `--check` writes
nothing and exits 1 when the committed render is out of date.
Exit 0 when done (or up to date), 1 on a configuration error or a stale render, 2 on a usage error.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import sys
import tempfile
from collections.abc import Sequence

from tools.mock_engine import PROJECT_DIR
from tools.preview import out_directory_problem, write_manifests
from tools.stackfile import StackRefused, load_stack_for_cli


def same_tree(a: str, b: str) -> bool:
    """Whether two directories hold the same files with the same bytes."""
    if not os.path.isdir(a) or not os.path.isdir(b):
        return False
    names = sorted(os.listdir(a))
    if names != sorted(os.listdir(b)):
        return False
    _, mismatch, errors = filecmp.cmpfiles(a, b, names, shallow=False)
    return not mismatch and not errors


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.render", description=__doc__.splitlines()[0])
    parser.add_argument("stack", help="the stack name: reads Pulumi.STACK.yaml")
    parser.add_argument("--config", metavar="FILE", help="read this stack file instead of Pulumi.STACK.yaml")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 when the render is stale")
    parser.add_argument("--root", default=PROJECT_DIR, help=argparse.SUPPRESS)  # tests render elsewhere
    args = parser.parse_args(argv)

    try:
        stack_file, loaded = load_stack_for_cli(args.stack, args.config)
    except StackRefused as refused:
        return refused.code
    gitops = loaded.spec.kubernetes.gitops
    if loaded.spec.kubernetes.delivery != "gitops" or gitops is None:
        print(f"{stack_file.display}: aks-networking:kubernetes.delivery: is {loaded.spec.kubernetes.delivery}; "
              "only a stack delivered by GitOps has a render", file=sys.stderr)
        return 2
    target = os.path.join(args.root, gitops.path)
    if args.check:
        with tempfile.TemporaryDirectory() as scratch:
            fresh = os.path.join(scratch, "render")
            write_manifests(loaded.plan.manifests, fresh)
            if same_tree(fresh, target):
                return 0
        print(f"{gitops.path}: is not the render of {stack_file.display}; run make render STACK={args.stack} "
              "and commit it", file=sys.stderr)
        return 1
    problem = out_directory_problem(target)
    if problem:
        print(problem, file=sys.stderr)
        return 2
    written = write_manifests(loaded.plan.manifests, target)
    print(f"Rendered {len(written)} objects of {args.stack} to {gitops.path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
