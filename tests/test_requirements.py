"""The requirement files the Pulumi CLI makes virtualenvs from hold what the code imports at run time.

The CLI installs `requirements.txt` alone for the program (Pulumi.yaml: `runtime.options.toolchain:
pip`, `virtualenv: .venv`) and `policies/requirements.txt` alone for the pack (PulumiPolicy.yaml),
https://www.pulumi.com/docs/iac/languages-sdks/python/#virtual-environments; the development
virtualenv has both and more, so only reading the code finds what one of them lacks. The files are
read here, never the environment: `tools.import_closure` walks every file's whole syntax tree.
"""

import os

import pytest

from tools.import_closure import CLOSURES, PACK, PROGRAM, Closure, closure, listed, normalized, problems
from tools.mock_engine import PROJECT_DIR


@pytest.mark.parametrize("part", CLOSURES, ids=lambda part: part.name)
def test_every_run_time_import_is_in_its_requirement_file_and_nothing_else_is(part):
    found = problems(part)
    assert found == [], "\n".join(found)


def test_the_program_imports_numpy_inside_a_function_and_the_closure_sees_it():
    """The case that broke `pulumi up`: numpy is imported where the reachability engine first needs it."""
    numpy = [i for i in closure(PROGRAM.roots) if i.module == "numpy"]
    assert {i.file for i in numpy} == {os.path.join("aksnet", "analysis", "reachability", "evaluate.py")}
    pack_files = {i.file for i in closure(PACK.roots)}
    assert os.path.join("program", "stack_config.py") in pack_files  # followed from the pack into the project


def listed_name(line):
    words = line.split("#")[0].split(">=")[0].split()
    return normalized(words[0]) if words and not words[0].startswith("-") else None


def _project_without(tmp_path, requirement_file, name):
    """The project's code as it is, beside a copy of `requirement_file` without the line of `name`."""
    for entry in ("__main__.py", "program", "components", "aksnet", "policies"):
        os.symlink(os.path.join(PROJECT_DIR, entry), tmp_path / entry)
    with open(os.path.join(PROJECT_DIR, requirement_file), encoding="utf-8") as handle:
        lines = handle.readlines()
    kept = [line for line in lines if listed_name(line) != name]
    assert len(kept) == len(lines) - 1
    target = tmp_path / "requirements-under-test.txt"
    target.write_text("".join(kept))
    return target.name


@pytest.mark.parametrize("part,name", [(part, name) for part in CLOSURES
                                       for name in listed(os.path.join(PROJECT_DIR, part.requirements))],
                         ids=lambda value: value if isinstance(value, str) else value.name)
def test_removing_a_run_time_requirement_fails_naming_it_the_importer_and_the_file(tmp_path, part, name):
    changed = Closure(part.name, part.roots, _project_without(tmp_path, part.requirements, name))
    found = problems(changed, str(tmp_path))
    assert found, f"{part.requirements} without {name} passes"
    assert all(f"(distribution {name}), which {changed.requirements} does not list" in line for line in found)
    assert all(line.split(":")[0].endswith(".py") for line in found)  # the importing file comes first


def test_an_import_in_a_function_names_module_file_and_requirement_file(tmp_path):
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "app" / "engine.py").write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    import only_for_types\n"
        "def solve():\n    import numpy.linalg as linalg\n    return linalg\n")
    (tmp_path / "__main__.py").write_text("import json\nfrom app import engine\nfrom . import app\n")
    (tmp_path / "requirements.txt").write_text("pulumi>=3.0  # comment\n-c requirements.lock\n")
    part = Closure("program", ("__main__.py",), "requirements.txt")
    found = problems(part, str(tmp_path), {"numpy": ["numpy"], "pulumi": ["pulumi"]})
    assert found[0].startswith("app/engine.py:5: imports numpy.linalg (distribution numpy), which requirements.txt "
                               "does not list: add it there")
    assert found[1:] == ["requirements.txt: lists pulumi, which nothing of the program imports: remove it "
                         "(tools for development belong in requirements-dev.txt)"]


def test_a_distribution_no_one_installed_is_named_too(tmp_path):
    (tmp_path / "__main__.py").write_text("def later():\n    import not_installed_anywhere\n")
    (tmp_path / "requirements.txt").write_text("")
    found = problems(Closure("program", ("__main__.py",), "requirements.txt"), str(tmp_path), {})
    assert found == ["__main__.py:2: imports not_installed_anywhere, which no installed distribution provides: "
                     "install the distribution that does and list it in requirements.txt"]


def test_a_distribution_in_both_run_time_files_has_one_range():
    program, pack = (listed(os.path.join(PROJECT_DIR, p.requirements)) for p in CLOSURES)
    shared = set(program) & set(pack)
    assert shared >= {"pulumi", "numpy"}
    assert {name: program[name].split()[0] for name in shared} == {name: pack[name].split()[0] for name in shared}


def test_the_development_file_installs_both_run_time_files():
    with open(os.path.join(PROJECT_DIR, "requirements-dev.txt"), encoding="utf-8") as handle:
        lines = {line.strip() for line in handle}
    assert {"-r requirements.txt", "-r policies/requirements.txt"} <= lines
