"""Label selectors (`matchLabels`, `matchExpressions`), parsed and matched as the Kubernetes API does.
Pure, no Pulumi."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


class SelectorError(ValueError):
    pass


@dataclass(frozen=True)
class Selector:
    match_labels: tuple[tuple[str, str], ...] = ()
    expressions: tuple[tuple[str, str, tuple[str, ...]], ...] = ()

    @staticmethod
    def parse(raw: Any) -> Selector:
        if not isinstance(raw, Mapping):
            raise SelectorError("a label selector must be a mapping")
        labels = raw.get("matchLabels") or {}
        if not isinstance(labels, Mapping):
            raise SelectorError("matchLabels must be a mapping")
        expressions = []
        for expression in raw.get("matchExpressions") or []:
            if not isinstance(expression, Mapping):
                raise SelectorError("each matchExpressions entry must be a mapping")
            operator = expression.get("operator")
            values = tuple(str(v) for v in expression.get("values") or ())
            if operator not in ("In", "NotIn", "Exists", "DoesNotExist"):
                raise SelectorError(f"operator {operator!r} is not In, NotIn, Exists or DoesNotExist")
            if operator in ("In", "NotIn") and not values:
                raise SelectorError(f"operator {operator} needs values")
            if operator in ("Exists", "DoesNotExist") and values:
                raise SelectorError(f"operator {operator} takes no values")
            expressions.append((str(expression.get("key")), operator, values))
        return Selector(tuple(sorted((str(k), str(v)) for k, v in labels.items())), tuple(expressions))

    def matches(self, labels: Mapping[str, str]) -> bool:
        for key, value in self.match_labels:
            if labels.get(key) != value:
                return False
        for key, operator, values in self.expressions:
            present = key in labels
            if operator == "In" and not (present and labels[key] in values):
                return False
            if operator == "NotIn" and present and labels[key] in values:
                return False
            if operator == "Exists" and not present:
                return False
            if operator == "DoesNotExist" and present:
                return False
        return True
