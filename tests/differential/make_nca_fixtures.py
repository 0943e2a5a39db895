"""Generate the differential fixtures: random clusters and network-config-analyzer's answers.

    python -m tests.differential.make_nca_fixtures --nca PATH/TO/nca [--count 200]

network-config-analyzer pins old dependencies, so it lives in a virtualenv of its own:

    python3 -m venv /tmp/nca && /tmp/nca/bin/pip install network-config-analyzer
    .venv/bin/python -m tests.differential.make_nca_fixtures --nca /tmp/nca/bin/nca

Writes tests/data/nca/set-NNN.yaml (the cluster) and set-NNN.nca.txt (the analyzer's
`--output_format txt_no_fw_rules` answer). The tests compare the engine with these files.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile

import yaml

from tests.differential.generate import cluster

FIXTURES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "data", "nca")


def nca_command(nca: str, objects: list[dict], work: str) -> list[str]:
    """The analyzer's command line for a cluster, its policies and resources written into `work`."""
    policies = os.path.join(work, "policies.yaml")
    resources = os.path.join(work, "resources.yaml")
    with open(policies, "w") as handle:
        yaml.safe_dump_all([o for o in objects if o["kind"] == "NetworkPolicy"], handle)
    with open(resources, "w") as handle:
        yaml.safe_dump_all([o for o in objects if o["kind"] != "NetworkPolicy"], handle)
    return [nca, "--connectivity", policies, "--resource_list", resources, "--output_format", "txt_no_fw_rules"]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--nca", required=True)
    parser.add_argument("--count", type=int, default=200)
    args = parser.parse_args()
    os.makedirs(FIXTURES, exist_ok=True)
    for seed in range(args.count):
        objects = cluster(seed)
        stem = os.path.join(FIXTURES, f"set-{seed:03d}")
        with open(f"{stem}.yaml", "w") as handle:
            yaml.safe_dump_all(objects, handle, sort_keys=False)
        with tempfile.TemporaryDirectory() as work:
            completed = subprocess.run(nca_command(args.nca, objects, work), capture_output=True, text=True)
        answer = [line for line in completed.stdout.splitlines() if " => " in line]
        if completed.returncode not in (0, 1) and not answer:
            print(f"set {seed}: the analyzer failed: {completed.stderr.strip()[:200]}", file=sys.stderr)
        with open(f"{stem}.nca.txt", "w") as handle:
            handle.write("\n".join(answer) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
