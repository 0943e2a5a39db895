"""Does a successful offline preview leave stderr empty? Runs N previews of each committed stack
and counts the runs that wrote anything to stderr (the issue: about one in 25 printed an event
loop's `ValueError: Invalid file descriptor: -1` at interpreter exit).

    .venv/bin/python bench/clean_exit.py [--runs N] [--stacks dev prod] [--jobs J]

Exit 0 when every run exited 0 with an empty stderr, 1 otherwise (the first noisy stderr is shown).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

from common import ROOT, machine


def preview(stack: str) -> tuple[int, str]:
    done = subprocess.run([sys.executable, "-m", "tools.preview", stack], cwd=ROOT,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=False)
    return done.returncode, done.stderr


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=50, help="previews per stack (default 50)")
    parser.add_argument("--stacks", nargs="+", default=["dev", "prod"])
    parser.add_argument("--jobs", type=int, default=2, help="previews at once (default 2)")
    args = parser.parse_args()
    print(machine())
    clean = True
    for stack in args.stacks:
        with ThreadPoolExecutor(args.jobs) as pool:
            results = list(pool.map(preview, [stack] * args.runs))
        failed = sum(1 for code, _ in results if code != 0)
        noisy = [err for _, err in results if err]
        print(f"{stack}: {args.runs} previews, {failed} exited non-zero, {len(noisy)} wrote to stderr")
        if noisy:
            print(f"  first stderr:\n{noisy[0].rstrip()}")
        clean = clean and not failed and not noisy
    return 0 if clean else 1


if __name__ == "__main__":
    sys.exit(main())
