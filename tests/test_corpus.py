"""The bad-input corpus: every malformed or impossible stack file is refused the same way.

Each file in tests/corpus/ says on its first line which key its error must name. The preview
must exit 1, print one line naming that key, no traceback, register no resource and write no file.
"""

import glob
import os
from pathlib import Path

import pytest

from tools import preview
from tools.mock_engine import run_program
from tools.stackfile import StackFileError, read_stack_file

CORPUS = sorted(glob.glob(os.path.join(os.path.dirname(__file__), "corpus", "*.yaml")))


def header(path, field):
    for line in Path(path).read_text(encoding="utf-8").splitlines(keepends=True):
        if line.startswith(f"# {field}: "):
            return line.split(": ", 1)[1].strip()
    raise AssertionError(f"{path} has no '# {field}:' line")


def test_corpus_holds_at_least_a_hundred_cases():
    assert len(CORPUS) >= 100


@pytest.mark.parametrize("path", CORPUS, ids=[os.path.basename(p)[:-5] for p in CORPUS])
def test_bad_stack_is_refused_with_one_line_naming_the_key(path, capsys, tmp_path):
    key, stack = header(path, "expect"), header(path, "stack")
    directory = tmp_path / "out"
    code = preview.main([stack, "--config", path, "--out", str(directory)])
    out, err = capsys.readouterr()
    assert code == 1 and out == ""
    lines = err.strip().splitlines()
    assert any(line.startswith(f"{path}: {key}") for line in lines), lines
    assert all(line.startswith(f"{path}: ") for line in lines), lines
    assert "Traceback" not in err
    assert not directory.exists()  # no file from a refused stack
    try:
        config = read_stack_file(path).config
    except StackFileError:
        return  # refused before any program ran
    assert run_program(stack, config).records == []
