"""Problems found in a stack configuration, reported one line each.

A problem names where it is (the key path under the `aks-networking:` namespace), what is
wrong and what would be right. The stack file's name is added when the problems are shown,
because the program (under the Pulumi CLI) and the offline preview (with `--config FILE`)
know the file by different names.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from aksnet.vocabulary import NS


@dataclass(frozen=True)
class Problem:
    """One mistake in the stack configuration."""

    path: str
    """Key path, e.g. `aks-networking:cluster.serviceCidr`."""
    message: str
    """What is wrong and what would be right, in one sentence."""

    @classmethod
    def at(cls, key: str, message: str) -> Problem:
        """A problem at a key path under the project's namespace: `cluster.podCidr`."""
        return cls(f"{NS}:{key}", message)

    def line(self, source: str) -> str:
        return f"{source}: {self.path}: {self.message}"


class ConfigError(Exception):
    """The stack configuration is invalid: every problem found, one line each.

    Pure (no Pulumi): the program's config adapter turns it into a `pulumi.RunError`, which the
    Pulumi CLI prints without a traceback; the offline tools print its lines themselves.
    """

    def __init__(self, problems: Iterable[Problem], source: str = "stack configuration"):
        self.problems: tuple[Problem, ...] = tuple(problems)
        self.source = source
        super().__init__(self.render(source))

    def render(self, source: str) -> str:
        return "\n".join(p.line(source) for p in self.problems)

    def lines(self, source: str | None = None) -> list[str]:
        return [p.line(source or self.source) for p in self.problems]
