"""What a change review costs against one offline preview of the same stack.

Times `python -m tools.review STACK --base <a variant> --head Pulumi.STACK.yaml` against
`python -m tools.preview STACK`, alternating the two so that machine noise hits both alike. The
review runs the program twice (base and head) in one process: the imports, about half of a preview,
are paid once. Prints the medians and their ratio (target: below 2).

    .venv/bin/python bench/review_benchmark.py [--rounds N] [--stack prod]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile

import yaml
from common import ROOT, machine, median, timed


def variant(stack: str) -> str:
    """The stack file with one change that replaces the cluster: a review with something to say."""
    with open(os.path.join(ROOT, f"Pulumi.{stack}.yaml"), encoding="utf-8") as handle:
        document = yaml.safe_load(handle)
    cluster = document["config"]["aks-networking:cluster"]
    cluster["dnsServiceIp"] = cluster["dnsServiceIp"].rsplit(".", 1)[0] + ".53"
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False, encoding="utf-8") as handle:
        yaml.safe_dump(document, handle)
    return handle.name


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--stack", default="prod")
    args = parser.parse_args()
    base = variant(args.stack)
    preview_cmd = [sys.executable, "-m", "tools.preview", args.stack, "--json"]
    review_cmd = [sys.executable, "-m", "tools.review", args.stack, "--base", base, "--json"]
    previews, reviews = [], []
    try:
        timed(preview_cmd), timed(review_cmd, check=False)  # warm the file cache
        for _ in range(args.rounds):
            previews.append(timed(preview_cmd))
            reviews.append(timed(review_cmd, check=False))  # exit 1: the variant's findings refuse
    finally:
        os.unlink(base)
    print(machine())
    print(median(f"offline preview of {args.stack}", previews))
    print(median(f"change review of {args.stack} (base and head)", reviews))
    ratio = sorted(reviews)[len(reviews) // 2] / sorted(previews)[len(previews) // 2]
    print(f"review / preview: {ratio:.2f} (target below 2)")
    return 0 if ratio < 2 else 1


if __name__ == "__main__":
    sys.exit(main())
