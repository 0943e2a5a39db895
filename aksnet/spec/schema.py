"""A small reader for structured stack configuration that reports every mistake with its path.

`Obj` wraps one mapping of the stack file. Each accessor reads one key, validates it, records
a `Problem` (never raises) when the value is wrong, and returns a usable fallback so parsing
can go on and report every mistake at once. `Obj.done()` reports keys nobody read: a typo
must never fall back silently to a default.
"""

from __future__ import annotations

import difflib
import ipaddress
import re
from typing import Any, Callable, Mapping, Sequence, TypeVar

from aksnet.spec.problems import Problem

T = TypeVar("T")
_MISSING: Any = object()


def type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "a number"
    if isinstance(value, float):
        return "a decimal number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, (list, tuple)):
        return "a list"
    return type(value).__name__


def _show(value: Any) -> str:
    text = repr(value) if not isinstance(value, str) else f"'{value}'"
    return text if len(text) <= 60 else text[:57] + "..."


class Problems:
    """The list of problems one load collects."""

    def __init__(self) -> None:
        self.items: list[Problem] = []

    def add(self, path: str, message: str) -> None:
        self.items.append(Problem(path, message))

    def __bool__(self) -> bool:
        return bool(self.items)


class Obj:
    """One mapping in the stack file, read key by key."""

    def __init__(self, problems: Problems, path: str, data: Any, *, what: str = "a mapping"):
        self.problems = problems
        self.path = path
        self.valid = isinstance(data, Mapping)
        if not self.valid and data is not None:
            problems.add(path, f"is {type_name(data)}, expected {what} of keys")
        self.data: Mapping[str, Any] = data if self.valid else {}
        self._read: set[str] = set()

    def key_path(self, key: str) -> str:
        return f"{self.path}.{key}"

    def has(self, key: str) -> bool:
        return key in self.data

    def raw(self, key: str, default: Any = _MISSING) -> Any:
        self._read.add(key)
        if key in self.data:
            return self.data[key]
        if default is _MISSING:
            self.problems.add(self.key_path(key), "is required but missing")
            return None
        return default

    def done(self) -> None:
        """Report every key that no accessor read (misspelled or unsupported keys)."""
        for key in self.data:
            if key in self._read:
                continue
            known = sorted(self._read)
            close = difflib.get_close_matches(str(key), known, n=1, cutoff=0.6)
            hint = f"did you mean '{close[0]}'?" if close else f"known keys: {', '.join(known)}"
            self.problems.add(self.key_path(str(key)), f"is not a known key; {hint}")

    # Scalars -----------------------------------------------------------------

    def str(self, key: str, default: Any = _MISSING, *, pattern: str | None = None,
            pattern_hint: str = "", max_len: int | None = None) -> Any:
        value = self.raw(key, default)
        if value is default or value is None:
            return value
        if not isinstance(value, str):
            self.problems.add(self.key_path(key), f"is {type_name(value)}, expected a string")
            return default if default is not _MISSING else None
        if not value.isascii() or not value.isprintable():
            self.problems.add(self.key_path(key), f"{_show(value)} has non-ASCII or control "
                              "characters; use plain ASCII")
            return default if default is not _MISSING else None
        if max_len is not None and len(value) > max_len:
            self.problems.add(self.key_path(key), f"is {len(value)} characters long; "
                              f"at most {max_len} are allowed")
        if pattern is not None and not re.fullmatch(pattern, value):
            self.problems.add(self.key_path(key), f"{_show(value)} is not valid; expected {pattern_hint}")
        return value

    def enum(self, key: str, choices: Sequence[str], default: Any = _MISSING) -> Any:
        value = self.raw(key, default)
        if value is default:
            return value
        if not isinstance(value, str) or value not in choices:
            close = difflib.get_close_matches(str(value), list(choices), n=1, cutoff=0.5)
            hint = f" (did you mean '{close[0]}'?)" if close and close[0] != value else ""
            self.problems.add(self.key_path(key), f"{_show(value)} is not one of "
                              f"{', '.join(choices)}{hint}")
            return default if default is not _MISSING else choices[0]
        return value

    def bool(self, key: str, default: Any = _MISSING) -> Any:
        value = self.raw(key, default)
        if value is default:
            return value
        if not isinstance(value, bool):
            self.problems.add(self.key_path(key), f"is {type_name(value)} {_show(value)}, "
                              "expected true or false")
            return bool(default) if default is not _MISSING else False
        return value

    def int(self, key: str, default: Any = _MISSING, *, minimum: int | None = None,
            maximum: int | None = None) -> Any:
        value = self.raw(key, default)
        if value is default:
            return value
        if isinstance(value, bool) or not isinstance(value, int):
            self.problems.add(self.key_path(key), f"is {type_name(value)} {_show(value)}, "
                              "expected a whole number")
            return default if default is not _MISSING else (minimum or 0)
        if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
            self.problems.add(self.key_path(key), f"is {value}, expected {_range(minimum, maximum)}")
            return min(max(value, minimum or value), maximum or value)
        return value

    # Addresses ---------------------------------------------------------------

    def cidr(self, key: str, default: Any = _MISSING) -> Any:
        value = self.raw(key, default)
        if value is default or value is None:
            return value
        return parse_cidr(self.problems, self.key_path(key), value)

    def ip(self, key: str, default: Any = _MISSING) -> Any:
        value = self.raw(key, default)
        if value is default or value is None:
            return value
        return parse_ip(self.problems, self.key_path(key), value)

    # Containers --------------------------------------------------------------

    def list(self, key: str, item: Callable[[Problems, str, Any], T], default: Any = _MISSING,
             *, min_items: int = 0, max_items: int | None = None, unique: bool = True) -> Any:
        value = self.raw(key, default)
        if value is default:
            return value
        path = self.key_path(key)
        if not isinstance(value, list):
            self.problems.add(path, f"is {type_name(value)}, expected a list")
            return () if default is _MISSING else default
        if len(value) < min_items:
            self.problems.add(path, f"has {len(value)} items, expected at least {min_items}")
        if max_items is not None and len(value) > max_items:
            self.problems.add(path, f"has {len(value)} items, expected at most {max_items}")
        out = []
        for index, element in enumerate(value):
            parsed = item(self.problems, f"{path}[{index}]", element)
            if parsed is not None:
                out.append(parsed)
        if unique:
            seen: set[Any] = set()
            for index, parsed in enumerate(out):
                marker = getattr(parsed, "name", parsed)
                if marker in seen:
                    self.problems.add(path, f"lists {_show(str(marker))} twice; each entry must be unique")
                seen.add(marker)
        return tuple(out)

    def obj(self, key: str, *, required: bool = False) -> "Obj | None":
        """A nested mapping, or None when absent and not required."""
        if key not in self.data:
            self._read.add(key)
            if required:
                self.problems.add(self.key_path(key), "is required but missing")
            return None
        value = self.raw(key)
        return Obj(self.problems, self.key_path(key), value) if value is not None else None


def _range(minimum: int | None, maximum: int | None) -> str:
    if minimum is not None and maximum is not None:
        return f"a whole number from {minimum} to {maximum}"
    if minimum is not None:
        return f"a whole number of at least {minimum}"
    return f"a whole number of at most {maximum}"


def parse_cidr(problems: Problems, path: str, value: Any) -> ipaddress.IPv4Network | None:
    """An IPv4 CIDR written in its canonical form (host bits zero)."""
    if not isinstance(value, str):
        problems.add(path, f"is {type_name(value)}, expected an IPv4 CIDR such as 10.1.0.0/16")
        return None
    if "/" not in value:
        problems.add(path, f"{_show(value)} has no prefix length; expected an IPv4 CIDR such as 10.1.0.0/16")
        return None
    try:
        network = ipaddress.ip_network(value, strict=False)
    except ValueError:
        problems.add(path, f"{_show(value)} is not an IPv4 CIDR; expected the form 10.1.0.0/16")
        return None
    if network.version != 4:
        problems.add(path, f"{_show(value)} is IPv6; this project plans IPv4 address spaces")
        return None
    if str(network) != value:
        problems.add(path, f"{_show(value)} has host bits set; the network is {network}")
        return None
    return network  # type: ignore[return-value]


def parse_ip(problems: Problems, path: str, value: Any) -> ipaddress.IPv4Address | None:
    if not isinstance(value, str):
        problems.add(path, f"is {type_name(value)}, expected an IPv4 address such as 10.0.0.10")
        return None
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        problems.add(path, f"{_show(value)} is not an IPv4 address; expected the form 10.0.0.10")
        return None
    if address.version != 4:
        problems.add(path, f"{_show(value)} is IPv6; expected an IPv4 address")
        return None
    return address  # type: ignore[return-value]


def string_item(pattern: str | None = None, hint: str = "") -> Callable[[Problems, str, Any], str | None]:
    def read(problems: Problems, path: str, value: Any) -> str | None:
        if not isinstance(value, str) or not value:
            problems.add(path, f"is {type_name(value)}, expected a non-empty string")
            return None
        if not value.isascii() or not value.isprintable():
            problems.add(path, f"{_show(value)} has non-ASCII or control characters; use plain ASCII")
            return None
        if pattern is not None and not re.fullmatch(pattern, value):
            problems.add(path, f"{_show(value)} is not valid; expected {hint}")
            return None
        return value
    return read


def zone_item(problems: Problems, path: str, value: Any) -> str | None:
    """Availability zones are written 1, 2, 3 (numbers or strings); Azure takes strings."""
    text = str(value) if isinstance(value, (int, str)) and not isinstance(value, bool) else None
    if text not in ("1", "2", "3"):
        problems.add(path, f"{_show(value)} is not an availability zone; expected 1, 2 or 3")
        return None
    return text


def mapping_of(problems: Problems, path: str, value: Any,
               read: Callable[[Problems, str, str, Any], T]) -> dict[str, T]:
    """A mapping whose keys are names; each value read by `read(problems, path, key, value)`."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        problems.add(path, f"is {type_name(value)}, expected a mapping")
        return {}
    out: dict[str, T] = {}
    for key, element in value.items():
        parsed = read(problems, f"{path}.{key}", str(key), element)
        if parsed is not None:
            out[str(key)] = parsed
    return out


def labels_item(problems: Problems, path: str, value: Any) -> dict[str, str]:
    """Kubernetes-style labels or Azure tags: string keys to string values."""
    def read(problems: Problems, key_path: str, key: str, element: Any) -> str | None:
        if isinstance(element, bool) or not isinstance(element, (str, int)):
            problems.add(key_path, f"is {type_name(element)}, expected a string")
            return None
        text = str(element)
        if not text.isascii() or not key.isascii():
            problems.add(key_path, "has non-ASCII characters; use plain ASCII")
            return None
        return text
    return mapping_of(problems, path, value, read)

