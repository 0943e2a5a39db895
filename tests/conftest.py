import os
import sys

import pytest
from hypothesis import settings

# Properties are judged on what they find, never on how long an example takes: a shared or loaded
# machine must not turn a slow example into a failure (hypothesis's default deadline is 200 ms).
settings.register_profile("project", deadline=None)
settings.load_profile("project")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from tests.pinned_day import PINNED_DAY  # noqa: E402

os.environ["AKSNET_TODAY"] = PINNED_DAY.isoformat()  # the rules' day, in this process and its children


def _run(stack):
    from tests.stacks import load
    from tools.mock_engine import run_program
    result = run_program(stack, load(stack))
    assert result.error is None, result.error
    return result


@pytest.fixture(scope="session")
def prod():
    """The committed prod stack, run once under the mock engine for the whole session."""
    return _run("prod")


@pytest.fixture(scope="session")
def dev():
    """The committed dev stack, run once under the mock engine for the whole session."""
    return _run("dev")
