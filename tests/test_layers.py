"""The layers of the tree: imports only go downward, the pure core never loads Pulumi, no cycles.

vocabulary < config < plan < analysis < rules < pipeline, review (the pure core, `aksnet/`)
  < components (ComponentResources) < program (`program/stack_config.py`, `__main__.py`)
`policies/` adapts the registry; `tools/` may use anything and nothing in the program imports them.
"""

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LAYERS = {"aksnet": 0, "aksnet.vocabulary": 0, "aksnet.config": 1, "aksnet.plan": 2, "aksnet.analysis": 3, "aksnet.rules": 4,
          "aksnet.review": 5,
          "aksnet.pipeline": 5, "components": 6, "program": 7, "__main__": 7, "policies": 8, "tools": 9}
PURE = 5


def module_name(path):
    relative = os.path.relpath(path, ROOT)[:-3].replace(os.sep, ".")
    return relative[:-len(".__init__")] if relative.endswith(".__init__") else relative


def layer_of(module):
    best = None
    for prefix, layer in LAYERS.items():
        inside = module == prefix or module.startswith(prefix + ".")
        if inside and (best is None or len(prefix) > len(best[0])):
            best = (prefix, layer)
    return None if best is None else best[1]


def project_files():
    for folder in ("aksnet", "components", "policies", "tools"):
        for directory, _, names in os.walk(os.path.join(ROOT, folder)):
            yield from (os.path.join(directory, n) for n in sorted(names) if n.endswith(".py"))
    yield from (str(p) for p in sorted(Path(ROOT, "program").glob("*.py")))
    yield os.path.join(ROOT, "__main__.py")


def imports(path):
    """Every module a file imports, at any depth (a function-level import counts too)."""
    tree = ast.parse(Path(path).read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


GRAPH = {module_name(p): sorted(set(imports(p))) for p in project_files()}


@pytest.mark.parametrize("module", sorted(GRAPH))
def test_module_imports_only_its_own_layer_or_below(module):
    own = layer_of(module)
    assert own is not None, f"{module} belongs to no layer"
    upward = [name for name in GRAPH[module] if (layer_of(name) or -1) > own and layer_of(name) != 8]
    if module.startswith("policies"):
        upward = [name for name in upward if layer_of(name) != 9]
    assert upward == [], f"{module} (layer {own}) imports a higher layer: {upward}"
    if own <= PURE:
        assert not [n for n in GRAPH[module] if n == "pulumi" or n.startswith(("pulumi.", "pulumi_"))], module


def test_nothing_but_the_tools_imports_the_tools():
    assert [m for m, names in GRAPH.items() if not m.startswith("tools")
            and any(layer_of(n) == 9 for n in names)] == []


def test_components_hold_only_component_resources():
    """Top-level components/ is Pulumi's layer: every module there declares resources."""
    for path in project_files():
        name = module_name(path)
        if name.startswith("components.") and not name.endswith("__init__"):
            source = Path(path).read_text(encoding="utf-8")
            assert "import pulumi" in source, f"{name} declares no resources: it belongs in the core"


def test_no_import_cycle_among_project_modules():
    project = set(GRAPH)

    def targets(module):
        out = set()
        for name in GRAPH[module]:
            while name and name not in project:
                name = name.rpartition(".")[0]
            if name and name != module:
                out.add(name)
        return out

    state = {}

    def visit(module, trail):
        state[module] = "open"
        for target in sorted(targets(module)):
            if state.get(target) == "open":
                raise AssertionError("import cycle: " + " -> ".join([*trail, module, target]))
            if target not in state:
                visit(target, [*trail, module])
        state[module] = "done"

    for module in sorted(project):
        if module not in state:
            visit(module, [])


def test_importing_the_whole_pure_core_does_not_load_pulumi():
    modules = [m for m in GRAPH if (layer_of(m) or 99) <= PURE]
    code = "import sys\n" + "".join(f"import {m}\n" for m in modules) + \
        "print(sorted(n for n in sys.modules if n == 'pulumi' or n.startswith(('pulumi.', 'pulumi_'))))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
