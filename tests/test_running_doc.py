"""docs/running.md says how the Pulumi CLI runs the program and the pack: its claims, checked against
the files the CLI reads and the workflows that run it, so the page cannot drift from them."""

import glob
import os
import re
from pathlib import Path

import yaml

from aksnet.pipeline import load_stack
from aksnet.rules.registry import subject, unregistered_objects
from tests.stacks import load
from tools.import_closure import CLOSURES, listed
from tools.mock_engine import PROJECT_DIR

DOC = Path(PROJECT_DIR, "docs", "running.md").read_text()


def _rows(first_cell):
    """The table rows of the page whose first cell is `first_cell` (in backticks)."""
    return [line for line in DOC.splitlines() if line.startswith(f"| `{first_cell}` |")]


def test_the_virtualenvs_are_the_ones_the_settings_files_name():
    program = yaml.safe_load(Path(PROJECT_DIR, "Pulumi.yaml").read_text())["runtime"]["options"]
    pack = yaml.safe_load(Path(PROJECT_DIR, "policies", "PulumiPolicy.yaml").read_text())["runtime"]["options"]
    assert _rows(program["virtualenv"]) and _rows(f"policies/{pack['virtualenv']}")
    assert f"`toolchain: {program['toolchain']}`, `virtualenv: {program['virtualenv']}`" in DOC
    assert f"`toolchain: {pack['toolchain']}`, `virtualenv: {pack['virtualenv']}`" in DOC


def test_the_set_up_is_what_the_deploying_workflows_run():
    block = re.search(r"## One-time set-up.*?```sh\n(.*?)```", DOC, re.S).group(1).splitlines()
    installs = [line for line in block if "pip install" in line]
    for name in ("deploy.yml", "preview.yml"):
        workflow = Path(PROJECT_DIR, ".github", "workflows", name).read_text()
        assert all(line in workflow for line in installs), name
    for stack in ("dev", "prod"):
        command = next(line for line in block if f"--stack {stack}" in line)
        config = command.split("--policy-pack-config ")[1]
        assert os.path.exists(os.path.join(PROJECT_DIR, config)) and "--policy-pack policies" in command


def test_every_requirement_file_is_described_and_the_run_time_ones_by_their_entries():
    files = {os.path.relpath(p, PROJECT_DIR) for p in glob.glob(os.path.join(PROJECT_DIR, "requirements*.txt"))}
    files |= {"policies/requirements.txt", "requirements.lock"}
    assert all(_rows(name) for name in files), [name for name in files if not _rows(name)]
    for part in CLOSURES:
        (row,) = _rows(part.requirements)
        named = set(re.findall(r"`([a-z][a-z0-9-]*)`", row.split("|")[3]))
        assert named == set(listed(os.path.join(PROJECT_DIR, part.requirements))), part.requirements


def test_the_example_violation_names_an_object_prod_delivers_by_gitops():
    loaded = load_stack(load("prod"), "prod")
    assert loaded.spec.kubernetes.delivery == "gitops"
    example = re.search(r"`(kubernetes:[^`]*?): The Ingress", DOC).group(1)
    assert example in {subject(r) for r in unregistered_objects(loaded.spec, loaded.plan)}
