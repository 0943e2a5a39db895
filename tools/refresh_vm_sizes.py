"""Rewrite aksnet/config/data/vm_sizes.json from Microsoft's VM size pages.

    python -m tools.refresh_vm_sizes [--saved DIR] [--family NAME ...]

Each family's `source` names its page on learn.microsoft.com; the page's Markdown is read from
MicrosoftDocs/azure-docs on GitHub (articles/virtual-machines/sizes/<path>.md). Where this machine
cannot reach it (no network here), `--saved DIR` reads `DIR/<series>-series.md`, the same Markdown
saved by hand, and the script says which families it could not refresh. A refreshed family gets
today's date as `checked`. Read from each page: the Basics table (size, vCPUs, memory), the Local
Storage table (temporary disk size, or none), and the feature lines Premium Storage and Ephemeral OS Disk.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import sys
import urllib.request
from collections.abc import Sequence
from typing import Any

from aksnet.config.vm_sizes import DATA

RAW = "https://raw.githubusercontent.com/MicrosoftDocs/azure-docs/main/articles/virtual-machines/sizes/{}.md"
LEARN = "https://learn.microsoft.com/azure/virtual-machines/sizes/"


class PageError(Exception):
    """The page is not in the form this script reads."""


def _tables(markdown: str) -> list[list[list[str]]]:
    """Every Markdown table of the page: rows of cells, the header row first, footnotes removed."""
    tables: list[list[list[str]]] = []
    current: list[list[str]] = []
    for line in [*markdown.splitlines(), ""]:
        if line.startswith("|"):
            cells = [re.sub(r"<sup>.*?</sup>", "", cell).strip() for cell in line.strip().strip("|").split("|")]
            if not all(set(cell) <= {"-", " ", ":"} for cell in cells):
                current.append(cells)
        elif current:
            tables.append(current)
            current = []
    return tables


def _feature(markdown: str, label: str) -> bool:
    match = re.search(rf"{label}\]?(?:\([^)]*\))?:\s*(Supported|Not Supported)", markdown, re.IGNORECASE)
    if match is None:
        raise PageError(f"no '{label}' feature line")
    return match.group(1).lower() == "supported"


def parse_page(markdown: str, series: str) -> dict[str, Any]:
    """One series page -> the family's sizes and features (architecture from the name's 'p', Arm)."""
    version = re.search(r"v\d+$", series)
    names: dict[str, dict[str, Any]] = {}
    temp: dict[str, int] = {}
    for table in _tables(markdown):
        header = table[0]
        if header[:1] != ["Size Name"]:
            continue
        for row in table[1:]:
            # A footnote mark can stick to the name (Standard_E96s_v53): the series' version ends it.
            name = re.sub(rf"(_{version.group(0)})\d+$", r"\1", row[0]) if version else row[0]
            if header[1:3] == ["vCPUs (Qty.)", "Memory (GB)"]:
                names[name] = {"vcpus": int(row[1]), "memoryGB": float(row[2]) if "." in row[2] else int(row[2])}
            elif len(header) > 2 and header[2] == "Temp Disk Size (GiB)" and row[2]:
                temp[name] = int(row[2])
    if not names:
        raise PageError("no Basics table (Size Name | vCPUs (Qty.) | Memory (GB))")
    premium = _feature(markdown, "Premium Storage")
    ephemeral = _feature(markdown, "Ephemeral OS Disks?")
    arm = re.fullmatch(r"[A-Z]+[a-z]*p[a-z]*v\d+", series) is not None
    return {"premiumStorage": premium, "ephemeralOsDisk": ephemeral, "architecture": "Arm64" if arm else "x64",
            "sizes": {n: {**v, "tempDiskGiB": temp.get(n)} for n, v in names.items()}}


def _read(path: str, saved: str | None) -> str:
    if saved is not None:
        with open(os.path.join(saved, f"{os.path.basename(path)}.md"), encoding="utf-8") as handle:
            return handle.read()
    with urllib.request.urlopen(RAW.format(path), timeout=20) as answer:
        return str(answer.read().decode("utf-8"))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.refresh_vm_sizes", description=__doc__.split("\n")[0])
    parser.add_argument("--saved", metavar="DIR", help="read saved pages (<series>-series.md) instead of GitHub")
    parser.add_argument("--family", nargs="*", help="refresh only these families")
    parser.add_argument("--data", default=DATA, help=argparse.SUPPRESS)  # tests write elsewhere
    args = parser.parse_args(argv)
    with open(args.data, encoding="utf-8") as handle:
        document = json.load(handle)
    today, failed = datetime.date.today().isoformat(), []
    for family, data in document["families"].items():
        if args.family and family not in args.family:
            continue
        path = data["source"].removeprefix(LEARN)
        try:
            parsed = parse_page(_read(path, args.saved), family)
        except (OSError, PageError) as error:
            failed.append(f"{family}: {error}")
            continue
        document["families"][family] = {"source": data["source"], "checked": today, **parsed}
    with open(args.data, "w", encoding="utf-8") as handle:
        handle.write(json.dumps(document, indent=1) + "\n")
    for line in failed:
        print(f"not refreshed: {line}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
