"""Embed the committed diagrams (docs/diagrams/*.mmd) in the pages that show them, between markers.

    python -m tools.readme_diagrams          # rewrite README.md and docs/*.md
    python -m tools.readme_diagrams --check  # exit 1 when a page is not up to date

A page shows a diagram between `<!-- diagram:NAME -->` and `<!-- /diagram:NAME -->`; the README
carries one picture, docs/network-drawn.md all of them. Every diagram must be shown somewhere.
`make diagrams` regenerates the diagrams from the stacks and then runs this.
"""

from __future__ import annotations

import argparse
import glob
import os
import re
import sys

from tools.mock_engine import PROJECT_DIR

README = os.path.join(PROJECT_DIR, "README.md")
DIAGRAMS = os.path.join(PROJECT_DIR, "docs", "diagrams")
NAMES = ("dev-topology", "dev-east-west", "dev-north-south", "prod-topology", "prod-east-west", "prod-north-south")


def pages() -> list[str]:
    """The pages that may show diagrams: the README and the docs."""
    return [README, *sorted(glob.glob(os.path.join(PROJECT_DIR, "docs", "*.md")))]


def marker(name: str) -> re.Pattern[str]:
    return re.compile(rf"<!-- diagram:{name} -->.*?<!-- /diagram:{name} -->", re.S)


def embedded(page: str) -> str:
    """The page with each diagram it marks replaced by the committed drawing."""
    for name in NAMES:
        pattern = marker(name)
        if not pattern.search(page):
            continue
        with open(os.path.join(DIAGRAMS, f"{name}.mmd"), encoding="utf-8") as handle:
            body = handle.read()
        block = f"<!-- diagram:{name} -->\n```mermaid\n{body}```\n<!-- /diagram:{name} -->"
        page = pattern.sub(block.replace("\\", "\\\\"), page)
    return page


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.readme_diagrams")
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    stale: list[str] = []
    shown: set[str] = set()
    for path in pages():
        with open(path, encoding="utf-8") as handle:
            current = handle.read()
        shown.update(name for name in NAMES if marker(name).search(current))
        wanted = embedded(current)
        if wanted == current:
            continue
        stale.append(os.path.relpath(path, PROJECT_DIR))
        if not args.check:
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(wanted)
    missing = [name for name in NAMES if name not in shown]
    if missing:
        print(f"no page shows {', '.join(missing)}: add <!-- diagram:NAME --> ... <!-- /diagram:NAME --> markers "
              "to README.md or a page of docs/", file=sys.stderr)
        return 1
    if args.check and stale:
        print(f"{', '.join(stale)}: the diagrams differ from docs/diagrams: run make diagrams", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
