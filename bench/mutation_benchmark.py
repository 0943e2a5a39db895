"""Mutation benchmark: how many deliberate one-token changes does the test suite catch, per layer?

    .venv/bin/python bench/mutation_benchmark.py [--per-layer 20] [--layers spec,rules] [--seed 1] [--only-named]

Mutants are drawn, with a fixed seed, from every place in a layer's code where one token can be
flipped: a comparison (== and !=, < and <=, > and >=, in and not in), a boolean operator (and,
or), a constant (True and False), a number (n to n + 1), or a `not` dropped. Strings, comments and
docstrings are never touched. Then come the named mutants (named_mutants.yaml): changes a review
once made that the suite did not notice, kept so they stay noticed.

Each mutant is applied to a copy of the tree and the whole suite runs (`pytest -x`); the mutant is
killed when the suite fails. An equivalent mutant (one that changes nothing observable) counts as
a survivor: the figures are a floor. Survivors are listed with their place, to read.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
import tokenize
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LAYERS = {
    "spec": "aksnet/config", "rules": "aksnet/rules", "plan": "aksnet/plan", "analysis": "aksnet/analysis",
    "components": "components",
}
FLIPS = {"==": "!=", "!=": "==", "<": "<=", "<=": "<", ">": ">=", ">=": ">", "and": "or", "or": "and",
         "True": "False", "False": "True", "in": "not in"}


@dataclass(frozen=True)
class Mutant:
    layer: str
    path: str
    line: int
    old: str
    new: str
    """The whole mutated line."""
    what: str


NAMED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "named_mutants.yaml")


def candidates(layer: str, path: str) -> list[Mutant]:
    """Every one-token mutation of a file, outside strings and comments."""
    source = Path(ROOT, path).read_text(encoding="utf-8")
    lines = source.splitlines()
    out = []
    tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    for index, token in enumerate(tokens):
        row, col = token.start
        if row > len(lines) or token.start[0] != token.end[0]:
            continue
        line = lines[row - 1]
        if token.type in (tokenize.OP, tokenize.NAME) and token.string in FLIPS:
            following = tokens[index + 1].string if index + 1 < len(tokens) else ""
            if token.string == "in" and (following == "" or tokens[index - 1].string in ("for", "not")):
                continue  # `for x in`, or already `not in`
            new = line[:col] + FLIPS[token.string] + line[token.end[1]:]
            out.append(Mutant(layer, path, row, line, new, f"{token.string} -> {FLIPS[token.string]}"))
        elif token.type == tokenize.NAME and token.string == "not" and tokens[index + 1].string != "in":
            new = line[:col] + line[token.end[1]:].lstrip()
            out.append(Mutant(layer, path, row, line, new, "not dropped"))
        elif token.type == tokenize.NUMBER and token.string.isdigit():
            new = line[:col] + str(int(token.string) + 1) + line[token.end[1]:]
            out.append(Mutant(layer, path, row, line, new, f"{token.string} -> {int(token.string) + 1}"))
    return out


DATA_ONLY = {
    "aksnet/config/regions.py": "Azure's regions and whether each has zones: dated facts, checked against their "
                              "source; flipping a row measures the table, not the tests",
}
"""Modules that hold only data, left out of the sample (the reason is printed with the figures)."""


def layer_files(folder: str) -> list[str]:
    """A layer's modules, its packages' included (`aksnet/analysis/paths/`)."""
    out = []
    for directory, _, names in os.walk(os.path.join(ROOT, folder)):
        for name in names:
            path = os.path.relpath(os.path.join(directory, name), ROOT)
            if name.endswith(".py") and name != "__init__.py" and path not in DATA_ONLY:
                out.append(path)
    return sorted(out)


def named_mutants() -> list[Mutant]:
    """The changes in named_mutants.yaml: a review's, kept so that they stay noticed."""
    out = []
    for entry in yaml.safe_load(Path(NAMED).read_text(encoding="utf-8")):
        lines = Path(ROOT, entry["path"]).read_text(encoding="utf-8").splitlines()
        row = next(i for i, line in enumerate(lines, start=1) if entry["old"] in line)
        mutated = lines[row - 1].replace(entry["old"], entry["new"], 1)
        out.append(Mutant(entry["layer"], entry["path"], row, lines[row - 1], mutated, entry["what"]))
    return out


def copy_tree(target: str) -> None:
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    for name in files:
        os.makedirs(os.path.join(target, os.path.dirname(name)), exist_ok=True)
        shutil.copy2(os.path.join(ROOT, name), os.path.join(target, name))


def killed(tree: str, mutant: Mutant, timeout: int) -> bool:
    path = os.path.join(tree, mutant.path)
    original = Path(path).read_text(encoding="utf-8")
    lines = original.splitlines(keepends=True)
    lines[mutant.line - 1] = mutant.new + "\n"
    with open(path, "w", encoding="utf-8") as handle:
        handle.writelines(lines)
    try:
        run = subprocess.run([sys.executable, "-m", "pytest", "-x", "-q", "-n", "2", "-p", "no:cacheprovider", "tests"],
                             cwd=tree, capture_output=True, timeout=timeout, env={**os.environ, "CI": ""})
        return run.returncode != 0
    except subprocess.TimeoutExpired:
        return True
    finally:
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(original)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-layer", type=int, default=20, help="sampled mutants per layer")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--only-named", action="store_true", help="run the named mutants alone")
    parser.add_argument("--layers", default=",".join(LAYERS), help="comma-separated layers to sample (all by default)")
    parser.add_argument("--timeout", type=int, default=300, help="seconds a suite run may take")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    sampled: list[Mutant] = []
    if not args.only_named:
        chosen = args.layers.split(",")
        unknown = sorted(set(chosen) - set(LAYERS))
        if unknown:
            parser.error(f"--layers: unknown {', '.join(unknown)}; the layers are {', '.join(LAYERS)}")
        for layer, folder in LAYERS.items():
            if layer not in chosen:
                continue
            pool = [m for path in layer_files(folder) for m in candidates(layer, path)]
            sampled += rng.sample(pool, min(args.per_layer, len(pool)))
    named = named_mutants()
    started = time.perf_counter()
    results: dict[str, list[tuple[Mutant, bool]]] = {}
    with tempfile.TemporaryDirectory() as tree:
        copy_tree(tree)
        for number, mutant in enumerate([*sampled, *named], start=1):
            outcome = killed(tree, mutant, args.timeout)
            kind = "named" if mutant in named else mutant.layer
            results.setdefault(kind, []).append((mutant, outcome))
            print(f"[{number}/{len(sampled) + len(named)}] {'killed  ' if outcome else 'SURVIVED'} "
                  f"{mutant.path}:{mutant.line} {mutant.what}", flush=True)
    print(f"\nMutation benchmark ({platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, seed {args.seed}): {time.perf_counter() - started:.0f} s")
    for path, reason in DATA_ONLY.items():
        print(f"not sampled: {path}: {reason}")
    print(f"{'layer':<12}{'mutants':>8}{'killed':>8}{'score':>8}")
    for kind, outcomes in results.items():
        dead = sum(1 for _, k in outcomes if k)
        print(f"{kind:<12}{len(outcomes):>8}{dead:>8}{dead / len(outcomes):>8.0%}")
    survivors = [m for outcomes in results.values() for m, k in outcomes if not k]
    for mutant in survivors:
        print(f"survivor: {mutant.path}:{mutant.line} {mutant.what}: {mutant.new.strip()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
