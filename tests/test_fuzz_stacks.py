"""A fuzzer over the committed stacks: drop, duplicate, retype and perturb keys and values.

Whatever a stack file says, the answer is an accepted stack or one line per problem: never a
traceback. On the pure pipeline (cheap) hypothesis tries many variants; through the whole
program under the mock engine (a second each) a few, which must exit 0 or 1, print no
traceback, and, when accepted, declare no URN twice and send Azure only properties the SDK knows.
"""

import copy
import json

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aksnet.config.problems import ConfigError
from aksnet.pipeline import load_stack
from tests.sdk_names import unknown_inputs
from tests.stacks import load
from tools import preview
from tools.mock_engine import Record

STACKS = {name: load(name) for name in ("dev", "prod")}
ODD_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2 ** 40), max_value=2 ** 40),
    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=12),
    st.sampled_from(["", "0.0.0.0/0", "10.0.0.1/33", "999.1.1.1", "TCP/70000", "kube-system", "1.30", "*"]),
    st.lists(st.integers(0, 3), max_size=3), st.dictionaries(st.text(max_size=5), st.integers(), max_size=2))


def paths(value, prefix=()):
    """Every place in a config value: mapping keys and list indexes, at any depth."""
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from paths(item, (*prefix, index))


@st.composite
def mutated(draw):
    stack = draw(st.sampled_from(sorted(STACKS)))
    config = copy.deepcopy(STACKS[stack])
    for _ in range(draw(st.integers(1, 3))):
        places = [p for p in paths(config) if p]
        place = draw(st.sampled_from(places))
        parent = config
        for step in place[:-1]:
            parent = parent[step]
        last = place[-1]
        action = draw(st.sampled_from(["drop", "duplicate", "retype", "perturb"]))
        if action == "drop":
            del parent[last]
        elif action == "duplicate" and isinstance(parent, list):
            parent.insert(last, copy.deepcopy(parent[last]))
        elif action == "perturb" and isinstance(parent[last], str):
            text = parent[last]
            cut = draw(st.integers(0, len(text)))
            parent[last] = text[:cut] + draw(st.text(alphabet="0123456789./-_:aZ", max_size=3)) + text[cut:]
        elif action == "perturb" and isinstance(parent[last], int) and not isinstance(parent[last], bool):
            parent[last] = parent[last] + draw(st.integers(-300, 300))
        else:
            parent[last] = draw(ODD_VALUES)
    return stack, config


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_the_core_answers_every_variant_with_a_stack_or_its_problems(case):
    stack, config = case
    try:
        load_stack(config, stack)
    except ConfigError as error:
        assert error.problems and all("\n" not in p.message for p in error.problems)


@settings(max_examples=4, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(mutated())
def test_the_whole_program_answers_variants_with_exit_0_or_1_and_no_duplicate_urn(tmp_path, capsys, case):
    stack, config = case
    path = tmp_path / "stack.yaml"
    path.write_text(yaml.safe_dump({"config": json.loads(json.dumps(config))}))
    code = preview.main([stack, "--config", str(path), "--json"])
    out, err = capsys.readouterr()
    assert code in (0, 1) and "Traceback" not in err and "internal error" not in err, err
    if code == 0:
        resources = json.loads(out)["resources"]
        urns = [r["urn"] for r in resources]
        assert len(urns) == len(set(urns))
        records = [Record(r["type"], r["name"], r["urn"], r["parent"], True, r["inputs"], {}) for r in resources]
        assert unknown_inputs(records) == []
