"""A successful run writes nothing to stderr: the mock engine closes every event loop it makes.

The SDK's mock monitor runs on the loop's executor threads and asks each for an event loop
(`pulumi.runtime.sync_await._ensure_event_loop`); a loop nobody closes is finalised at interpreter
exit, sometimes after its self-pipe socket, and then `BaseEventLoop.__del__` prints
`ValueError: Invalid file descriptor: -1`. Python reports every unclosed loop it finalises as a
ResourceWarning (asyncio's base_events), which makes the cause visible on every run, not one in 25.
"""

import asyncio
import subprocess
import sys
import threading

from tools.mock_engine import PROJECT_DIR, run_program


def test_every_event_loop_of_a_run_is_closed_when_it_returns(monkeypatch):
    made = []
    original = asyncio.new_event_loop

    def tracked():
        loop = original()
        made.append(loop)
        return loop
    monkeypatch.setattr(asyncio, "new_event_loop", tracked)

    def program():
        from pulumi_azure_native import resources
        for index in range(3):  # registrations run on the executor's threads
            resources.ResourceGroup(f"rg-{index}", location="westeurope")
    result = run_program("t", {}, program=program)
    assert result.error is None and len(result.records) == 3
    assert len(made) > 1  # the run's own loop and its executor threads' loops
    assert [loop for loop in made if not loop.is_closed()] == []
    assert not [t for t in threading.enumerate() if t.name.startswith("mock-engine")]


def test_a_successful_preview_writes_nothing_to_stderr_even_with_resource_warnings_shown():
    done = subprocess.run([sys.executable, "-W", "always::ResourceWarning", "-m", "tools.preview", "dev"],
                          cwd=PROJECT_DIR, capture_output=True, text=True, check=False)
    assert done.returncode == 0
    assert done.stderr == ""
