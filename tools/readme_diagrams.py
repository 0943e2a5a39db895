"""Embed the committed diagrams (docs/diagrams/*.mmd) in README.md between their markers.

    python -m tools.readme_diagrams          # rewrite README.md
    python -m tools.readme_diagrams --check  # exit 1 when README.md is not up to date

`make diagrams` regenerates the diagrams from the stacks and then runs this.
"""

from __future__ import annotations

import argparse
import os
import re
import sys

from tools.mock_engine import PROJECT_DIR

README = os.path.join(PROJECT_DIR, "README.md")
DIAGRAMS = os.path.join(PROJECT_DIR, "docs", "diagrams")
NAMES = ("dev-topology", "dev-east-west", "dev-north-south", "prod-topology", "prod-east-west", "prod-north-south")


def embedded(readme: str) -> str:
    for name in NAMES:
        with open(os.path.join(DIAGRAMS, f"{name}.mmd"), encoding="utf-8") as handle:
            body = handle.read()
        block = f"<!-- diagram:{name} -->\n```mermaid\n{body}```\n<!-- /diagram:{name} -->"
        pattern = re.compile(rf"<!-- diagram:{name} -->.*?<!-- /diagram:{name} -->", re.S)
        if not pattern.search(readme):
            raise SystemExit(f"README.md has no <!-- diagram:{name} --> ... <!-- /diagram:{name} --> markers")
        readme = pattern.sub(block.replace("\\", "\\\\"), readme)
    return readme


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.readme_diagrams")
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    with open(README, encoding="utf-8") as handle:
        current = handle.read()
    wanted = embedded(current)
    if args.check:
        if wanted != current:
            print("README.md's diagrams differ from docs/diagrams: run make diagrams", file=sys.stderr)
            return 1
        return 0
    with open(README, "w", encoding="utf-8") as handle:
        handle.write(wanted)
    return 0


if __name__ == "__main__":
    sys.exit(main())
