"""The program's one config adapter: the running stack's configuration, checked and planned.

The only module of the program that reads Pulumi's configuration. It hands the stack's whole
config map to the pure core (`aksnet.pipeline`), which parses it, runs every rule of the registry
and plans; a problem becomes a `pulumi.RunError`, which the Pulumi CLI prints as its lines,
without a Python traceback.

Why not `pulumi.Config("aks-networking").require_object(key)` key by key: the public API answers
only for keys it is asked about, and a misspelled key must be an error, not a silent default.
So the adapter reads the whole map the language host hands the program, in the precedence
`pulumi.Config` itself uses (the engine's settings over the PULUMI_CONFIG environment variable).
"""

from __future__ import annotations

from typing import Any

import pulumi
from pulumi.runtime import config as runtime_config

from aksnet.config.problems import ConfigError
from aksnet.pipeline import LoadedStack, load_stack


class StackConfigError(pulumi.RunError):
    """The stack file is invalid: its lines, which the CLI shows without a traceback."""

    def __init__(self, error: ConfigError, source: str):
        self.problems = error.problems
        super().__init__("\n".join(error.lines(source)))


def running_config() -> dict[str, Any]:
    """The running stack's whole config map. The policy pack reads it the same way: the engine hands a
    pack the stack's config as it hands it to the program."""
    return {**runtime_config.get_config_env(), **runtime_config.CONFIG.get()}


def load_running_stack() -> LoadedStack:
    """Read, check and plan the running stack; raise `StackConfigError` naming `Pulumi.<stack>.yaml`."""
    everything = running_config()
    stack = pulumi.get_stack()
    try:
        return load_stack(everything, stack)
    except ConfigError as error:
        raise StackConfigError(error, f"Pulumi.{stack}.yaml") from None
