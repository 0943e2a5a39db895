"""What the design rules share: the IP planning page several cite, and the refusal of one
combination of the cluster's settings. Pure, no Pulumi."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from aksnet.config.problems import Problem
from aksnet.config.stack import ClusterSpec, StackConfig
from aksnet.rules.rule import RuleBook

IP_PLANNING = "https://learn.microsoft.com/azure/aks/concepts-network-ip-address-planning"


def cluster_refusal(book: RuleBook, rule_id: str, description: str, source: str, key: str,
                    refused: Callable[[ClusterSpec], bool], message: Callable[[ClusterSpec], str]) -> None:
    """A refusal of one combination of the cluster's settings, named at one key, declared in `book`."""
    @book.refusal(rule_id, description, source)
    def check(spec: StackConfig) -> Iterator[Problem]:
        if refused(spec.cluster):
            yield Problem.at(key, message(spec.cluster))
