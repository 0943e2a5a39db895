"""A pytest plugin the mutation benchmark loads (`-p mutation_selection`): it keeps only the tests whose
node ids the file named by AKSNET_MUTATION_SELECTION lists, one per line, and deselects the rest. Without
that variable it changes nothing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    listed = os.environ.get("AKSNET_MUTATION_SELECTION")
    if not listed:
        return
    wanted = set(Path(listed).read_text(encoding="utf-8").splitlines())
    kept = [item for item in items if item.nodeid in wanted]
    dropped = [item for item in items if item.nodeid not in wanted]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
    items[:] = kept
