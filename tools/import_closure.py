"""What the program and the policy pack import at run time, and whether their requirement files say so.

    python -m tools.import_closure    # one line per problem; exit 1 when there is one

The Pulumi CLI makes the program's virtualenv from `requirements.txt` alone, and the pack's from
`policies/requirements.txt` alone (`runtime.options` of Pulumi.yaml and policies/PulumiPolicy.yaml):
a distribution the code imports and the file does not list works in the development virtualenv
and fails for the user. So this reads the code, not an environment: every `import` of every file of
the roots and of the project's modules they import in turn, those inside functions included (a
scan of top-level imports misses them) and those under `if TYPE_CHECKING:` left out (they never
run); each imported name outside the standard library is mapped to the distribution that provides
it (`importlib.metadata.packages_distributions()`), which the requirement file must list.
"""

from __future__ import annotations

import ast
import functools
import importlib.metadata
import os
import re
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

PROJECT_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@dataclass(frozen=True)
class Closure:
    """What one runnable part of the project is made of, and the file its virtualenv is made from."""

    name: str
    roots: tuple[str, ...]
    """Files and directories (relative to the project) that run, every Python file of them."""
    requirements: str
    """The requirement file its virtualenv is made from."""


PROGRAM = Closure("program", ("__main__.py", "program", "components", "aksnet"), "requirements.txt")
PACK = Closure("policy pack", ("policies",), "policies/requirements.txt")
CLOSURES = (PROGRAM, PACK)


@dataclass(frozen=True)
class Import:
    module: str
    """The imported module's full name, as written (`pulumi.runtime.config`)."""
    file: str
    """The importing file, relative to the project."""
    line: int


def normalized(name: str) -> str:
    """A distribution's name as pip compares it (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def listed(requirements_file: str) -> dict[str, str]:
    """The distributions a requirement file lists, by normalized name, with their lines."""
    found: dict[str, str] = {}
    with open(requirements_file, encoding="utf-8") as handle:
        for raw in handle:
            line = raw.split("#", 1)[0].strip()
            if not line or line.startswith("-"):
                continue
            match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", line)
            if match:
                found[normalized(match.group(0))] = line
    return found


def _type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or \
        (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def imports_of(source: str, module: str, is_package: bool) -> Iterator[tuple[str, int]]:
    """Every module a file's code imports, wherever it sits in the file, but for `if TYPE_CHECKING:`.
    `module` is the file's own dotted name, for relative imports."""
    def visit(node: ast.AST) -> Iterator[tuple[str, int]]:
        if isinstance(node, ast.If) and _type_checking(node.test):
            for branch in node.orelse:
                yield from visit(branch)
            return
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = module.split(".") if is_package else module.split(".")[:-1]
                package = package[:len(package) - (node.level - 1)]
                base = ".".join([*package, *([base] if base else [])])
            for alias in node.names:  # `from a import b`: b may be a module of a, or a name in it
                yield f"{base}.{alias.name}" if base else alias.name, node.lineno
        for inner in ast.iter_child_nodes(node):
            yield from visit(inner)
    yield from visit(ast.parse(source))


@functools.lru_cache(maxsize=1024)
def _file_imports(path: str, module: str, is_package: bool) -> tuple[tuple[str, int], ...]:
    with open(path, encoding="utf-8") as handle:
        return tuple(imports_of(handle.read(), module, is_package))


def _python_files(root: str, project_dir: str) -> list[str]:
    path = os.path.join(project_dir, root)
    if os.path.isfile(path):
        return [root]
    found = []
    for directory, subdirectories, files in os.walk(path):
        subdirectories[:] = sorted(d for d in subdirectories if d not in ("venv", "__pycache__") and
                                   not d.startswith("."))
        found += [os.path.relpath(os.path.join(directory, f), project_dir) for f in sorted(files) if f.endswith(".py")]
    return found


def _module_name(file: str) -> tuple[str, bool]:
    parts = file[:-3].split(os.sep)
    if parts[-1] == "__init__":
        return ".".join(parts[:-1]), True
    return ".".join(parts), False


def _project_files(module: str, project_dir: str) -> list[str]:
    """The project's files that importing `module` runs: each package on the way and the module itself."""
    parts = module.split(".")
    files = []
    for end in range(1, len(parts) + 1):
        stem = os.path.join(*parts[:end])
        for candidate in (os.path.join(stem, "__init__.py"), f"{stem}.py"):
            if os.path.isfile(os.path.join(project_dir, candidate)):
                files.append(candidate)
                break
    return files


def _is_project(top: str, project_dir: str) -> bool:
    return os.path.isdir(os.path.join(project_dir, top)) or os.path.isfile(os.path.join(project_dir, f"{top}.py"))


def closure(roots: Sequence[str], project_dir: str = PROJECT_DIR) -> list[Import]:
    """Every import outside the project and the standard library, from the roots' files and from the
    project's modules they import, transitively."""
    pending = [f for root in roots for f in _python_files(root, project_dir)]
    seen: set[str] = set()
    found: list[Import] = []
    while pending:
        file = pending.pop()
        if file in seen:
            continue
        seen.add(file)
        for name, line in _file_imports(os.path.realpath(os.path.join(project_dir, file)), *_module_name(file)):
            top = name.split(".")[0]
            if top in sys.stdlib_module_names or top == "__future__":
                continue
            if _is_project(top, project_dir):
                pending += _project_files(name, project_dir)
            else:
                found.append(Import(name, file, line))
    return sorted(found, key=lambda i: (i.file, i.line, i.module))


def problems(part: Closure, project_dir: str = PROJECT_DIR,
             distributions: Mapping[str, Sequence[str]] | None = None) -> list[str]:
    """One line per import that the part's requirement file does not cover, and per requirement that
    nothing of the part imports."""
    provided = distributions if distributions is not None else importlib.metadata.packages_distributions()
    requirements = listed(os.path.join(project_dir, part.requirements))
    used: set[str] = set()
    lines = []
    for found in closure(part.roots, project_dir):
        top = found.module.split(".")[0]
        names = [normalized(d) for d in provided.get(top, ())]
        if not names:
            lines.append(f"{found.file}:{found.line}: imports {found.module}, which no installed distribution "
                         f"provides: install the distribution that does and list it in {part.requirements}")
            continue
        hit = [n for n in names if n in requirements]
        used.update(hit)
        if not hit:
            lines.append(f"{found.file}:{found.line}: imports {found.module} (distribution {' or '.join(names)}), "
                         f"which {part.requirements} does not list: add it there, its floor the lowest version "
                         f"that works (installed here: {_version(names[0])}; make test-lowest proves floors)")
    for name in sorted(set(requirements) - used):
        lines.append(f"{part.requirements}: lists {name}, which nothing of the {part.name} imports: remove it "
                     "(tools for development belong in requirements-dev.txt)")
    return lines


def _version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "none"


def main(parts: Iterable[Closure] = CLOSURES) -> int:
    found = [line for part in parts for line in problems(part)]
    print("\n".join(found) if found else "Every run-time import is in its requirement file.")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
