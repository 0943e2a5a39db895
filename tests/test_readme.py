"""The README's excerpt of `make preview` is what the offline preview of dev prints today."""

import os
import re

import pytest

from tools import preview

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def excerpt():
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as handle:
        readme = handle.read()
    block = re.search(r"an excerpt of `make preview` \(dev\):\n\n```\n(.*?)```", readme, re.S)
    assert block is not None, "the README shows an excerpt of make preview"
    return [line for line in block.group(1).split("\n") if line.strip() and line.strip() != "..."]


@pytest.mark.golden
def test_every_line_of_the_readme_excerpt_is_printed_by_the_preview_in_order(capsys):
    assert preview.main(["dev"]) == 0
    printed = capsys.readouterr().out.split("\n")
    lines = excerpt()
    assert len(lines) >= 10
    position = 0
    for line in lines:
        assert line in printed[position:], f"the README's excerpt shows a line make preview no longer prints: {line}"
        position = printed.index(line, position) + 1
