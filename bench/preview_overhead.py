"""How much the offline preview costs beyond loading the SDKs it needs.

Times `python -m tools.preview prod` against a baseline process that imports the same SDK
modules and registers one resource under Pulumi's mocks, alternating the two so that machine
noise hits both alike. Prints the medians and their ratio (target: 1.6 or less).

    .venv/bin/python bench/preview_overhead.py [--rounds N] [--stack prod]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys

from common import ROOT, machine, median, timed

LIST_MODULES = """
import json, sys
sys.argv = ["preview", STACK]
from tools import preview
import io, contextlib
with contextlib.redirect_stdout(io.StringIO()):
    preview.main([STACK])
# The SDKs register lazy placeholders (pulumi._utils._LazyModule) for every submodule; the
# modules really loaded are plain modules. The baseline loads exactly those.
import types
print(json.dumps(sorted(m for m, module in sys.modules.items()
                        if m.startswith(("pulumi_azure_native", "pulumi_kubernetes"))
                        and type(module) is types.ModuleType)))
"""

BASELINE = """
import asyncio, importlib, json, sys
for name in json.loads(sys.argv[1]):
    importlib.import_module(name)
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
    print(machine())
    loaded = json.loads(modules)
    print(f"SDK modules imported by both: {len(loaded)}, such as "
          f"{', '.join(m for m in loaded if m.count('.') == 1)}")
    print(median(f"preview {args.stack} ({args.rounds} runs)", previews, digits=3))
    print(median("baseline (same imports, one resource under mocks)", baselines, digits=3))
    print(f"ratio: {statistics.median(previews) / statistics.median(baselines):.2f} (target 1.6 or less)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
