"""Mutation benchmark: how many deliberate changes do the behavioural tests catch, per layer?

    .venv/bin/python bench/mutation_benchmark.py [--per-layer 8] [--semantic-per-layer 8] [--layers spec,rules]
        [--seed 1] [--only-named] [--deadline 2026-12-07T03:40] [--json results.json]

Two families of mutants are drawn, with a fixed seed, from each layer's code:
- one-token flips: a comparison (== and !=, < and <=, > and >=, in and not in), a boolean operator
  (and, or), a constant (True and False), a number (n to n + 1), or a `not` dropped;
- semantic changes, the mistakes a capable engineer makes about Azure and Kubernetes: two elements of a
  list literal of rules (calls or mappings) swapped, one element of such a list dropped, and a string
  constant naming an Azure or Kubernetes value (a direction, an access, a protocol, a service tag, a next
  hop type, a rule kind, a plugin, a role or policy definition GUID) changed into a neighbouring value.
Then come the named mutants (named_mutants.yaml): changes a review made that the suite once let through.

Each mutant is applied to a copy of the tree and the behavioural tests run (`pytest -x -m "not golden"`):
the golden-record tests (the URN record, committed renders and diagrams, the pack's config files) are
deselected, because they notice that output changed, not that it is wrong. A mutant the behavioural tests
miss is a survivor; the golden tests are then run alone, and a survivor only they catch is listed apart
("golden only"), still a survivor. Survivors that a reviewed list (equivalent_mutants.yaml) explains as
equivalent (nothing observable changes) are listed apart too, and left out of the second score.
"""

from __future__ import annotations

import argparse
import ast
import datetime
import io
import json
import os
import platform
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tokenize
from dataclasses import asdict, dataclass
from pathlib import Path

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HERE = os.path.dirname(os.path.abspath(__file__))
NAMED = os.path.join(HERE, "named_mutants.yaml")
EQUIVALENT = os.path.join(HERE, "equivalent_mutants.yaml")
LAYERS = {
    "spec": ("aksnet/config", "aksnet/vocabulary.py", "aksnet/pipeline.py"), "rules": ("aksnet/rules",),
    "plan": ("aksnet/plan",), "analysis": ("aksnet/analysis",), "components": ("components",),
    "review": ("aksnet/review",),
}
"""Every module of aksnet/ and components/, each in one layer: the stack's words and its reading with the spec."""
FLIPS = {"==": "!=", "!=": "==", "<": "<=", "<=": "<", ">": ">=", ">=": ">", "and": "or", "or": "and",
         "True": "False", "False": "True", "in": "not in"}
AZURE_VALUES = {
    # NSG and Kubernetes directions, access
    "Inbound": "Outbound", "Outbound": "Inbound", "Ingress": "Egress", "Egress": "Ingress",
    "Allow": "Deny", "Deny": "Allow",
    # protocols, in the casings the APIs use
    "Tcp": "Udp", "Udp": "Tcp", "TCP": "UDP", "UDP": "TCP", "Http": "Https", "Https": "Http",
    # service tags
    "VirtualNetwork": "Internet", "Internet": "VirtualNetwork", "AzureLoadBalancer": "VirtualNetwork",
    "GatewayManager": "AzureLoadBalancer", "AzureCloud": "Internet",
    # next hop types
    "VirtualAppliance": "Internet", "VnetLocal": "VNetPeering", "VNetPeering": "VnetLocal", "None": "Internet",
    # firewall rule kinds
    "NetworkRule": "ApplicationRule", "ApplicationRule": "NetworkRule", "NatRule": "NetworkRule",
    # AKS network choices
    "kubenet": "azure", "overlay": "dynamic", "userDefinedRouting": "loadBalancer",
    "loadBalancer": "userDefinedRouting",
}
GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")

DATA_ONLY = {
    "aksnet/config/regions.py": "Azure's regions and whether each has zones: dated facts, checked against their "
                              "source; flipping a row measures the table, not the tests",
}
"""Modules that hold only data, left out of the sample (the reason is printed with the figures)."""


@dataclass(frozen=True)
class Mutant:
    layer: str
    path: str
    line: int
    what: str
    kind: str
    """`token`, `semantic`, or the name of the file a named mutant comes from (`named`, `independent`)."""
    start: int
    end: int
    replacement: str
    """The text that replaces the file's characters [start, end)."""
    shown: str
    """The mutated line (the first one, for a change over several lines)."""

    def apply(self, text: str) -> str:
        return text[:self.start] + self.replacement + text[self.end:]

    def key(self, text: str) -> str:
        """What identifies the mutant across line moves: the replaced text and its replacement."""
        replaced, replacement = " ".join(text[self.start:self.end].split()), " ".join(self.replacement.split())
        return f"{self.path}|{self.what}|{replaced}|{replacement}"


def _offsets(source: str) -> list[int]:
    """The character offset where each line starts (index 1 is the first line)."""
    starts, total = [0, 0], 0
    for line in source.splitlines(keepends=True):
        total += len(line)
        starts.append(total)
    return starts


def _shown(text: str, start: int) -> str:
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", start)
    return text[line_start:line_end if line_end >= 0 else None].strip()


def _mutant(layer: str, path: str, source: str, start: int, end: int, replacement: str, what: str,
            kind: str) -> Mutant:
    mutated = source[:start] + replacement + source[end:]
    return Mutant(layer, path, source.count("\n", 0, start) + 1, what, kind, start, end, replacement,
                  _shown(mutated, start))


def token_mutants(layer: str, path: str, source: str) -> list[Mutant]:
    """Every one-token mutation of a file, outside strings and comments."""
    starts = _offsets(source)
    out = []
    tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    for index, token in enumerate(tokens):
        (row, col), (end_row, end_col) = token.start, token.end
        if row != end_row:
            continue
        at, until = starts[row] + col, starts[row] + end_col
        following = tokens[index + 1].string if index + 1 < len(tokens) else ""
        if token.type in (tokenize.OP, tokenize.NAME) and token.string in FLIPS:
            before = source[starts[row]:at]
            if token.string == "in" and (following == "" or tokens[index - 1].string == "not"
                                         or re.search(r"\bfor\s+[\w\s,()]+$", before)):
                continue  # `for x in`, or already `not in`
            out.append(_mutant(layer, path, source, at, until, FLIPS[token.string],
                               f"{token.string} -> {FLIPS[token.string]}", "token"))
        elif token.type == tokenize.NAME and token.string == "not" and following != "in":
            gap = len(source[until:]) - len(source[until:].lstrip(" "))
            out.append(_mutant(layer, path, source, at, until + gap, "", "not dropped", "token"))
        elif token.type == tokenize.NUMBER and token.string.isdigit():
            out.append(_mutant(layer, path, source, at, until, str(int(token.string) + 1),
                               f"{token.string} -> {int(token.string) + 1}", "token"))
    return out


def _char_offset(lines: list[str], starts: list[int], lineno: int, byte_col: int) -> int:
    return starts[lineno] + len(lines[lineno - 1].encode("utf-8")[:byte_col].decode("utf-8"))


def _is_rule(node: ast.AST) -> bool:
    """A rule in a list literal: a mapping, or a call of a constructor (a capitalised name)."""
    if isinstance(node, ast.Dict):
        return True
    if not isinstance(node, ast.Call):
        return False
    name = node.func.id if isinstance(node.func, ast.Name) else node.func.attr if isinstance(node.func, ast.Attribute) \
        else ""
    return name[:1].isupper()


def semantic_mutants(layer: str, path: str, source: str, guids: list[str]) -> list[Mutant]:
    """Rules swapped or dropped in list literals, and Azure values changed in string constants."""
    starts, lines = _offsets(source), source.splitlines(keepends=True)
    out: list[Mutant] = []

    def span(node: ast.expr) -> tuple[int, int]:
        assert node.end_lineno is not None and node.end_col_offset is not None
        return (_char_offset(lines, starts, node.lineno, node.col_offset),
                _char_offset(lines, starts, node.end_lineno, node.end_col_offset))

    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, (ast.List, ast.Tuple)) or len(node.elts) < 2:
            continue
        if not all(_is_rule(e) for e in node.elts) or any(isinstance(e, ast.Starred) for e in node.elts):
            continue
        spans = [span(e) for e in node.elts]
        for i in range(len(spans) - 1):
            (a0, a1), (b0, b1) = spans[i], spans[i + 1]
            swapped = source[b0:b1] + source[a1:b0] + source[a0:a1]
            out.append(_mutant(layer, path, source, a0, b1, swapped, f"rules {i} and {i + 1} swapped", "semantic"))
        for i, (s0, s1) in enumerate(spans):
            # drop the element with the separator after it (or before it, for the last one)
            end = spans[i + 1][0] if i + 1 < len(spans) else s1
            begin = s0 if i + 1 < len(spans) else spans[i - 1][1]
            out.append(_mutant(layer, path, source, begin, end, "", f"rule {i} of {len(spans)} dropped", "semantic"))
    tree = ast.parse(source)
    docstrings = {id(n.body[0].value) for n in ast.walk(tree)
                  if isinstance(n, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                  and n.body and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
    # A module's `__all__` names Python objects (a class NetworkRule), not Azure values.
    exported = {id(c) for n in ast.walk(tree) if isinstance(n, ast.Assign)
                and any(isinstance(t, ast.Name) and t.id == "__all__" for t in n.targets)
                for c in ast.walk(n.value)}
    skipped = docstrings | exported
    for node in ast.walk(tree):
        if not isinstance(node, ast.Constant) or not isinstance(node.value, str) or id(node) in skipped:
            continue
        if node.lineno != node.end_lineno:
            continue
        s0, s1 = span(node)
        literal = source[s0:s1]
        quote = literal[-1]
        if node.value in AZURE_VALUES:
            new = AZURE_VALUES[node.value]
        elif GUID.fullmatch(node.value) and node.value in guids and len(guids) > 1:
            new = guids[(guids.index(node.value) + 1) % len(guids)]
        else:
            continue
        prefix = literal[:len(literal) - len(literal.lstrip("rRuUbB"))]
        if prefix or literal.startswith(quote * 3):
            continue
        out.append(_mutant(layer, path, source, s0, s1, f"{quote}{new}{quote}", f"'{node.value}' -> '{new}'",
                           "semantic"))
    return out


def layer_files(places: tuple[str, ...]) -> list[str]:
    """A layer's modules: its files, and its folders' modules in sub-packages too (a module split into a
    package stays in its layer)."""
    out = [place for place in places if place.endswith(".py")]
    for folder in places:
        for directory, _, names in os.walk(os.path.join(ROOT, folder)):
            for name in names:
                path = os.path.relpath(os.path.join(directory, name), ROOT)
                if name.endswith(".py") and name != "__init__.py" and path not in DATA_ONLY:
                    out.append(path)
    return sorted(out)


def named_mutants(listed: str = NAMED) -> list[Mutant]:
    """The changes in named_mutants.yaml. A mutant names its file; when a refactor moved the text, the
    one file of its layer that holds it stands in."""
    out = []
    for entry in yaml.safe_load(Path(listed).read_text(encoding="utf-8")):
        candidates = [entry["path"]] if Path(ROOT, entry["path"]).exists() else []
        candidates = [p for p in candidates if entry["old"] in Path(ROOT, p).read_text(encoding="utf-8")] or [
            p for p in layer_files(LAYERS[entry["layer"]]) if entry["old"] in Path(ROOT, p).read_text(encoding="utf-8")]
        if len(candidates) != 1:
            raise SystemExit(f"named mutant {entry['what']!r}: its text is in {len(candidates)} files of "
                             f"{entry['layer']}: {entry['old']!r}")
        source = Path(ROOT, candidates[0]).read_text(encoding="utf-8")
        at = source.index(entry["old"])
        out.append(_mutant(entry["layer"], candidates[0], source, at, at + len(entry["old"]), entry["new"],
                           entry["what"], Path(listed).stem.removesuffix("_mutants")))
    return out


class Reviewed:
    """The reviewed equivalent mutants: each entry either names one mutant by its `key`, or names a kind of
    change everywhere by its operator (`what`) and a regular expression its mutated line matches (`line`)."""

    def __init__(self, entries: list[dict[str, str]]) -> None:
        self.by_key = {e["key"]: e["reason"] for e in entries if "key" in e}
        self.by_line = [(e["what"], re.compile(e["line"]), e["reason"]) for e in entries if "line" in e]

    def reason(self, mutant: Mutant, key: str) -> str | None:
        if key in self.by_key:
            return self.by_key[key]
        return next((why for what, line, why in self.by_line if what == mutant.what and line.search(mutant.shown)),
                    None)


def equivalents() -> Reviewed:
    """Reviewed equivalent mutants, with the reason nothing observable changes."""
    if not os.path.exists(EQUIVALENT):
        return Reviewed([])
    return Reviewed(yaml.safe_load(Path(EQUIVALENT).read_text(encoding="utf-8")) or [])


def copy_tree(target: str) -> None:
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    for name in files:
        if not os.path.exists(os.path.join(ROOT, name)):
            continue
        os.makedirs(os.path.join(target, os.path.dirname(name)), exist_ok=True)
        shutil.copy2(os.path.join(ROOT, name), os.path.join(target, name))
    # Some tests need a repository around the tree with a commit in it (actionlint finds the workflows
    # through it; the change review reads `HEAD:<stack file>`).
    subprocess.run(["git", "init", "-q"], cwd=target, check=True)
    subprocess.run(["git", "add", "-A"], cwd=target, check=True)
    subprocess.run(["git", "-c", "user.name=mutation benchmark", "-c", "user.email=benchmark@localhost", "commit",
                    "-q", "--no-verify", "-m", "the tree under measurement"], cwd=target, check=True)


class Reach:
    """Which behavioural tests run each line of the measured code, from the control run's coverage (one
    context per test). A mutant is first judged by the tests that reach it; only when they all pass does the
    whole behavioural suite run, so the selection makes a kill faster and never turns a kill into a survivor.
    Lines run only at import (a module's tables) are reached by the tests that run any line of that module."""

    def __init__(self, tree: str) -> None:
        import coverage  # the benchmark's own dependency (requirements-dev.txt), not the program's

        data = coverage.CoverageData(basename=os.path.join(tree, ".coverage"))
        data.read()
        self.lines: dict[str, dict[int, set[str]]] = {}
        for measured in data.measured_files():
            path = os.path.relpath(measured, tree)
            by_line = self.lines.setdefault(path, {})
            for line, contexts in (data.contexts_by_lineno(measured) or {}).items():
                by_line[line] = {c.rsplit("|", 1)[0] for c in contexts if c}

    def tests(self, mutant: Mutant, source: str) -> set[str]:
        by_line = self.lines.get(mutant.path, {})
        last = mutant.line + source.count("\n", mutant.start, mutant.end)
        reached = set().union(*(by_line.get(n, set()) for n in range(mutant.line, last + 1)))
        return reached if reached else set().union(*by_line.values())


def run_tests(tree: str, marker: str, timeout: int, stop_first: bool = True, selection: set[str] | None = None,
              measure: bool = False) -> str:
    """`failed`, `passed` or `timeout` for the tests of one marker expression (and of a selection of node ids,
    when one is given); `measure` records each test's coverage of the measured code in `.coverage`."""
    command = [sys.executable, "-m", "pytest", "-q", "-n", "2", "-p", "no:cacheprovider", "-p", "mutation_selection",
               "-m", marker]
    env = {**os.environ, "CI": "", "PYTHONPATH": HERE}
    if stop_first:
        command.append("-x")
    if measure:
        command += ["--cov=aksnet", "--cov=components", "--cov-context=test", "--cov-report="]
    if selection is not None:
        listed = os.path.join(tree, ".mutation-selection")
        Path(listed).write_text("\n".join(sorted(selection)), encoding="utf-8")
        env["AKSNET_MUTATION_SELECTION"] = listed
        # only the files that hold a selected test are collected
        command += sorted({node.split("::", 1)[0] for node in selection})
    else:
        command.append("tests")
    try:
        run = subprocess.run(command, cwd=tree, capture_output=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        return "timeout"
    if measure and run.returncode != 0:
        print(run.stdout.decode(errors="replace")[-3000:], file=sys.stderr)
    # 5: nothing collected (a mutant that breaks collection fails with 2 or 4)
    return "failed" if run.returncode not in (0, 5) else "passed"


def judge(tree: str, mutant: Mutant, timeout: int, reach: Reach | None, selected_only: bool = False) -> str:
    """`killed`, `timeout`, `golden-only` or `survived` (`unjudged` when `selected_only` stops after the
    reaching tests pass)."""
    path = os.path.join(tree, mutant.path)
    original = Path(path).read_text(encoding="utf-8")
    Path(path).write_text(mutant.apply(original), encoding="utf-8")
    try:
        selected = reach.tests(mutant, original) if reach else set()
        outcome = run_tests(tree, "not golden", timeout, selection=selected) if selected else "passed"
        if outcome == "passed" and selected_only:
            return "unjudged"
        if outcome == "passed":
            outcome = run_tests(tree, "not golden", timeout)
        if outcome == "failed":
            return "killed"
        if outcome == "timeout":
            return "timeout"
        return "golden-only" if run_tests(tree, "golden", timeout, stop_first=False) != "passed" else "survived"
    finally:
        Path(path).write_text(original, encoding="utf-8")


def sample(args: argparse.Namespace, rng: random.Random) -> list[list[Mutant]]:
    guids = sorted({g for places in LAYERS.values() for path in layer_files(places)
                    for g in GUID.findall(Path(ROOT, path).read_text(encoding="utf-8"))})
    per_layer: list[list[Mutant]] = []
    for layer, places in LAYERS.items():
        if layer not in args.layers.split(","):
            continue
        tokens: list[Mutant] = []
        semantics: list[Mutant] = []
        for path in layer_files(places):
            source = Path(ROOT, path).read_text(encoding="utf-8")
            tokens += token_mutants(layer, path, source)
            semantics += semantic_mutants(layer, path, source, guids)
        chosen = rng.sample(tokens, min(args.per_layer, len(tokens)))
        chosen += rng.sample(semantics, min(args.semantic_per_layer, len(semantics)))
        rng.shuffle(chosen)
        per_layer.append(chosen)
    return per_layer


def zip_longest_all(lists: list[list[Mutant]]) -> list[list[Mutant]]:
    return [[lst[i] for lst in lists if i < len(lst)] for i in range(max((len(lst) for lst in lists), default=0))]


def report(results: list[tuple[Mutant, str, str]], reviewed: Reviewed) -> None:
    """The figures per layer and per kind of mutant, then every survivor with its key."""
    print(f"{'layer':<12}{'mutants':>8}{'killed':>8}{'golden':>8}{'equiv':>7}{'left':>6}{'score':>8}{'net':>7}")
    groups: dict[str, list[tuple[Mutant, str, str]]] = {}
    for entry in results:
        groups.setdefault(entry[0].layer if entry[0].kind in ("token", "semantic") else entry[0].kind, []).append(entry)
        groups.setdefault(f"all {entry[0].kind}", []).append(entry)
    groups["all"] = results
    for name, entries in groups.items():
        dead = sum(1 for _, o, _ in entries if o in ("killed", "timeout"))
        golden = sum(1 for _, o, _ in entries if o == "golden-only")
        equivalent = sum(1 for m, o, k in entries if o in ("survived", "golden-only") and reviewed.reason(m, k))
        left = len(entries) - dead - equivalent
        net = dead / (len(entries) - equivalent) if len(entries) > equivalent else 1.0
        print(f"{name:<12}{len(entries):>8}{dead:>8}{golden:>8}{equivalent:>7}{left:>6}"
              f"{dead / len(entries):>8.1%}{net:>7.1%}")
    for label, wanted in (("survivor", "survived"), ("golden only", "golden-only"), ("unjudged", "unjudged")):
        for mutant, outcome, key in results:
            if outcome == wanted:
                why = reviewed.reason(mutant, key)
                note = f"  [equivalent: {why}]" if why else ""
                print(f"{label}: {mutant.path}:{mutant.line} {mutant.what}: {mutant.shown}{note}\n    key: {key}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-layer", type=int, default=8, help="sampled one-token mutants per layer")
    parser.add_argument("--semantic-per-layer", type=int, default=8, help="sampled semantic mutants per layer")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--only-named", action="store_true", help="run the named mutants alone")
    parser.add_argument("--no-named", action="store_true", help="leave the named mutants out")
    parser.add_argument("--layers", default=",".join(LAYERS), help="comma-separated layers to sample (all by default)")
    parser.add_argument("--timeout", type=int, default=600,
                        help="seconds a test run may take at least; a run may take three times the control run's")
    parser.add_argument("--deadline", help="UTC time (ISO, e.g. 2026-12-07T03:40) after which no mutant is started")
    parser.add_argument("--json", help="write every judged mutant to this file")
    parser.add_argument("--list", action="store_true", help="print the sample and stop")
    parser.add_argument("--reread", metavar="JSON",
                        help="print the figures of an earlier run's --json file again, with today's reviewed list")
    parser.add_argument("--named", action="append",
                        help="a file of named mutants, reported under its name (named_mutants.yaml by default; "
                             "repeat for several, e.g. independent_mutants.yaml)")
    parser.add_argument("--no-selection", action="store_true",
                        help="judge every mutant by the whole behavioural suite, not first by the tests that reach it")
    parser.add_argument("--selected-only", action="store_true",
                        help="a quick search for survivors: stop when the tests that reach a mutant pass (listed "
                             "as unjudged; the whole suite may still kill it), so no figure is reported")
    args = parser.parse_args()
    if args.selected_only and args.no_selection:
        parser.error("--selected-only needs the selection: leave out --no-selection")
    unknown = sorted(set(args.layers.split(",")) - set(LAYERS))
    if unknown:
        parser.error(f"--layers: unknown {', '.join(unknown)}; the layers are {', '.join(LAYERS)}")
    if args.reread:
        fields = set(Mutant.__dataclass_fields__)
        report([(Mutant(**{k: v for k, v in e.items() if k in fields}), e["outcome"], e["key"])
                for e in json.loads(Path(args.reread).read_text(encoding="utf-8"))], equivalents())
        return 0
    deadline = datetime.datetime.fromisoformat(args.deadline).replace(tzinfo=datetime.UTC) \
        if args.deadline else None
    rng = random.Random(args.seed)
    sampled = [] if args.only_named else sample(args, rng)
    named = [] if args.no_named else [named_mutants(listed) for listed in args.named or [NAMED]]
    # Interleaved (the named ones, then each layer's sample, round after round), so that a run stopped
    # by its deadline still has figures for every layer.
    mutants = [m for round_ in zip_longest_all([*named, *sampled]) for m in round_]
    reviewed = equivalents()
    if args.list:
        for mutant in mutants:
            print(f"{mutant.kind:<9}{mutant.path}:{mutant.line} {mutant.what}: {mutant.shown}")
        return 0
    started = time.perf_counter()
    results: list[tuple[Mutant, str, str]] = []
    with tempfile.TemporaryDirectory() as tree:
        copy_tree(tree)
        # The control: unmutated, the behavioural tests must pass in the copy, or every mutant would
        # count as killed by a failure of the copy itself.
        began = time.perf_counter()
        if run_tests(tree, "not golden", 4 * args.timeout, stop_first=False, measure=not args.no_selection) != "passed":
            print("the behavioural tests fail on the unmutated copy: no figure can be measured", flush=True)
            return 1
        reach = None if args.no_selection else Reach(tree)
        # A mutant that makes the tests hang counts as killed, so a loaded machine must not pass for one.
        timeout = max(args.timeout, int(3 * (time.perf_counter() - began)))
        for number, mutant in enumerate(mutants, start=1):
            if deadline is not None and datetime.datetime.now(datetime.UTC) >= deadline:
                print(f"deadline reached: {len(mutants) - number + 1} mutants not judged", flush=True)
                break
            began = time.perf_counter()
            outcome = judge(tree, mutant, timeout, reach, args.selected_only)
            key = mutant.key(Path(tree, mutant.path).read_text(encoding="utf-8"))  # the copy: ROOT may move on
            results.append((mutant, outcome, key))
            print(f"[{number}/{len(mutants)}] {outcome:<11} {time.perf_counter() - began:>4.0f} s {mutant.kind:<8} "
                  f"{mutant.path}:{mutant.line} {mutant.what}", flush=True)
    when = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(f"\nMutation benchmark, {when} ({platform.machine()}, {os.cpu_count()} cores shared, Python "
          f"{platform.python_version()}, seed {args.seed}): {time.perf_counter() - started:.0f} s; golden tests "
          "deselected when judging")
    for path, reason in DATA_ONLY.items():
        print(f"not sampled: {path}: {reason}")
    report(results, reviewed)
    if args.json:
        judged = [{**asdict(m), "outcome": o, "key": k, "equivalent": reviewed.reason(m, k)} for m, o, k in results]
        Path(args.json).write_text(json.dumps(judged, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
