"""How much the offline preview costs beyond loading the SDKs it needs.

Times `python -m tools.preview prod` against a baseline process that imports the same SDK
modules and registers one resource under Pulumi's mocks, alternating the two so that machine
noise hits both alike. Prints the medians and their ratio (target: 1.6 or less).

    .venv/bin/python bench/preview_overhead.py [--rounds N] [--stack prod]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

LIST_MODULES = """
import json, sys
sys.argv = ["preview", STACK]
from tools import preview
import io, contextlib
with contextlib.redirect_stdout(io.StringIO()):
    preview.main([STACK])
# pulumi_azure_native registers a lazy placeholder for every submodule; the ones really loaded
# are those with loaded modules of their own below them.
print(json.dumps(sorted({".".join(m.split(".")[:2]) for m in sys.modules
                         if m.startswith(("pulumi_azure_native.", "pulumi_kubernetes.")) and m.count(".") >= 2
                         and not m.split(".")[1].startswith("_")})))
"""

BASELINE = """
import asyncio, importlib, json, sys
for name in json.loads(sys.argv[1]):
    # Submodules are lazy placeholders until an attribute is read: read one to load it for real.
    getattr(importlib.import_module(name), "__all__", None)
import pulumi
from pulumi_azure_native import resources

class Mocks(pulumi.runtime.Mocks):
    def new_resource(self, args):
        return args.name + "_id", dict(args.inputs)
    def call(self, args):
        return {}, None

loop = asyncio.new_event_loop()
asyncio.set_event_loop(loop)
pulumi.runtime.set_mocks(Mocks(), project="aks-networking", stack="bench", preview=False)

def program():
    resources.ResourceGroup("one", location="westeurope")

loop.run_until_complete(pulumi.runtime.stack.run_pulumi_func(program))
"""


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--stack", default="prod")
    args = parser.parse_args()
    listed = subprocess.run([sys.executable, "-c", LIST_MODULES.replace("STACK", repr(args.stack))], cwd=ROOT,
                            check=True, capture_output=True, text=True)
    modules = listed.stdout.strip().splitlines()[-1]
    preview_cmd = [sys.executable, "-m", "tools.preview", args.stack]
    baseline_cmd = [sys.executable, "-c", BASELINE, modules]
    timed(preview_cmd), timed(baseline_cmd)  # warm the file cache
    previews, baselines = [], []
    for _ in range(args.rounds):
        previews.append(timed(preview_cmd))
        baselines.append(timed(baseline_cmd))
    preview_s, baseline_s = statistics.median(previews), statistics.median(baselines)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"SDK modules imported by both: {', '.join(json.loads(modules))}")
    print(f"preview {args.stack}: median {preview_s:.3f} s over {args.rounds} runs")
    print(f"baseline (same imports, one resource under mocks): median {baseline_s:.3f} s")
    print(f"ratio: {preview_s / baseline_s:.2f} (target 1.6 or less)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
