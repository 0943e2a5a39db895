"""A typed reader for the stack file's structured values that reports every mistake with its path.

`Obj` wraps one mapping of the stack file. Each accessor reads one key, validates it, records a
`Problem` (never raises) when the value is wrong, and returns a value of the field's type so
parsing goes on and reports every mistake at once; a loader that found problems raises them all
and never returns the half-read model. `Obj.done()` reports keys nobody read: a typo must never
fall back silently to a default.

Why our own reader rather than pydantic: the stack file's defaults depend on other sections (the
policy engine on the plugin and dataplane, max pods on the plugin and the pod subnet, Bastion on
a private API, the allowed subnet names on whether a hub exists), and every message names the
key path with a value-aware hint ("has host bits set; the network is 10.0.0.0/16") and a
did-you-mean. In pydantic both become before-validators, validation context and an error
translation layer of about this size; here each rule reads as one line beside its key.

Each accessor also carries what a reader of the stack file needs to know about its key (`doc`, and
`source` when a document fixes the key's form; `default_doc` states a default computed from other
keys). A load over `Problems(recorder=KeyRecorder())` reads no stack: every `Obj` is a recording
one, every branch is taken once and every list read through one element, and the recorder keeps
one `KeyDoc` per key path. `tools.config_reference` writes docs/configuration.md from them.
"""

from __future__ import annotations

import difflib
import ipaddress
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar, overload

from aksnet.config.problems import Problem

T = TypeVar("T")
D = TypeVar("D")
Network4 = ipaddress.IPv4Network
Address4 = ipaddress.IPv4Address
GUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
"""An Entra object id, a subscription id."""
JsonValue = str | int | float | bool | None | list["JsonValue"] | dict[str, "JsonValue"]
"""What a YAML or JSON value can be: the type of a literal Kubernetes spec."""


class _Required:
    """The default of a key that must be given."""


REQUIRED = _Required()
Item = Callable[["Problems", str, object], "T | None"]
"""Reads one element of a list: `(problems, path, value)` to the element, or None when it is wrong."""


@dataclass(frozen=True)
class KeyDoc:
    """What the reference says about one key: its path (`aks-networking:cluster.nodePools[].maxPods`,
    `[]` for any element of a list), its type, its default and the values it accepts."""

    path: str
    kind: str
    """string, one of, boolean, whole number, IPv4 CIDR, IPv4 address, list, list of mappings, mapping,
    map, or value (read whole, checked by its loader)."""
    default: object = REQUIRED
    """REQUIRED, None (absent means unset), or the value an absent key reads as."""
    default_doc: str = ""
    """The default in words, for a default computed from other keys."""
    doc: str = ""
    source: str = ""
    choices: tuple[str, ...] = ()
    pattern: str | None = None
    hint: str = ""
    minimum: int | None = None
    maximum: int | None = None
    max_len: int | None = None
    min_items: int = 0
    max_items: int | None = None
    element: str = ""
    """What each element of a list, or each value of a map, is."""
    keys: tuple[str, ...] = ()
    """The keys a map accepts, when it accepts only some."""


class KeyRecorder:
    """The keys a recording load declared, in the order it read them, one `KeyDoc` a path."""

    def __init__(self) -> None:
        self.keys: dict[str, KeyDoc] = {}

    def declare(self, key: KeyDoc) -> None:
        """The first declaration of a path wins; a generic one (`raw`) gives way to a typed one."""
        known = self.keys.get(key.path)
        if known is None or (known.kind == "value" and key.kind != "value"):
            self.keys[key.path] = key


def element(description: str) -> Callable[[Item[T]], Item[T]]:
    """Names what an item reader accepts, for the reference: `@element("an IPv4 CIDR")`."""
    def name(read: Item[T]) -> Item[T]:
        read.element = description  # type: ignore[attr-defined]
        return read
    return name


def _element_of(read: object) -> str:
    return str(getattr(read, "element", ""))


def typed_as_text(value: object) -> object:
    """What `pulumi config set --path` stores typed, back in the string form the key means: it
    writes `1` as a number and `true` as a boolean, so a port, a count or a tag value arrives as
    one. Anything else is returned as it is, to be refused by the caller."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return value


def type_name(value: object) -> str:
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
    if isinstance(value, list | tuple):
        return "a list"
    return type(value).__name__


def show(value: object) -> str:
    """A value as a message quotes it: on one line, whatever it holds, and not too long."""
    text = f"'{value}'" if isinstance(value, str) and value.isprintable() else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def did_you_mean(word: str, known: Sequence[str], cutoff: float = 0.6) -> str | None:
    close = difflib.get_close_matches(word, list(known), n=1, cutoff=cutoff)
    return close[0] if close and close[0] != word else None


class Problems:
    """The list of problems one load collects."""

    def __init__(self, recorder: KeyRecorder | None = None) -> None:
        self.items: list[Problem] = []
        self.recorder = recorder
        """Set when the load records its keys for the reference instead of reading a stack."""

    def add(self, path: str, message: str) -> None:
        self.items.append(Problem(path, message))

    def __bool__(self) -> bool:
        return bool(self.items)

    def declare(self, key: KeyDoc) -> None:
        """Tell the reference about a key read outside an `Obj` (a recording load only)."""
        if self.recorder is not None:
            self.recorder.declare(key)


class Obj:
    """One mapping in the stack file, read key by key."""

    def __init__(self, problems: Problems, path: str, data: object, *, what: str = "a mapping") -> None:
        self.problems = problems
        self.path = path
        self.recording = problems.recorder is not None
        """A recording load's `Obj`: it holds no keys, yet says it has each one asked about, so that
        the loaders take every branch; its accessors return their defaults."""
        self.valid = isinstance(data, Mapping) or self.recording
        if not self.valid and data is not None:
            problems.add(path, f"is {type_name(data)}, expected {what} of keys")
        self.data: Mapping[str, object] = data if isinstance(data, Mapping) and not self.recording else {}
        self._read: set[str] = set()

    def key_path(self, key: str) -> str:
        return f"{self.path}.{key}"

    def has(self, key: str) -> bool:
        return self.recording or key in self.data

    def _declare(self, key: str, kind: str, default: object, **facts: object) -> None:
        if self.problems.recorder is not None:
            self.problems.recorder.declare(KeyDoc(self.key_path(key), kind, default, **facts))  # type: ignore[arg-type]

    def retired(self, key: str, message: str) -> None:
        """A key that was once read: given, it is refused with `message`; the reference leaves it out."""
        if key in self.data:
            self._read.add(key)
            self.problems.add(self.key_path(key), message)

    def raw(self, key: str, default: object = REQUIRED, *, doc: str = "", source: str = "") -> object:
        """The value as the stack file holds it, for a loader that checks it itself."""
        self._declare(key, "value", default, doc=doc, source=source)
        self._read.add(key)
        if key in self.data and (self.data[key] is not None or not isinstance(default, _Required)):
            return self.data[key]
        if key in self.data:  # `name:` with nothing after it reads as null
            self.problems.add(self.key_path(key), "is required but empty (null)")
            return None
        if isinstance(default, _Required):
            self.problems.add(self.key_path(key), "is required but missing")
            return None
        return default

    def done(self) -> None:
        """Report every key that no accessor read (misspelled or unsupported keys)."""
        for key in self.data:
            if key in self._read:
                continue
            known = sorted(self._read)
            close = did_you_mean(str(key), known)
            hint = f"did you mean '{close}'?" if close else f"known keys: {', '.join(known)}"
            self.problems.add(self.key_path(str(key)), f"is not a known key; {hint}")

    # Scalars -----------------------------------------------------------------

    @overload
    def text(self, key: str, default: _Required = ..., *, pattern: str | None = ..., hint: str = ...,
             max_len: int | None = ..., doc: str = ..., source: str = ..., default_doc: str = ...) -> str: ...

    @overload
    def text(self, key: str, default: D, *, pattern: str | None = ..., hint: str = ...,
             max_len: int | None = ..., doc: str = ..., source: str = ..., default_doc: str = ...) -> str | D: ...

    def text(self, key: str, default: object = REQUIRED, *, pattern: str | None = None, hint: str = "",
             max_len: int | None = None, doc: str = "", source: str = "", default_doc: str = "") -> object:
        """A plain-ASCII string; a required one that is wrong reads as ""."""
        self._declare(key, "string", default, pattern=pattern, hint=hint, max_len=max_len, doc=doc, source=source,
                      default_doc=default_doc)
        value = self.raw(key, default)
        fallback = "" if isinstance(default, _Required) else default
        if value is default or value is None:
            return fallback
        path = self.key_path(key)
        value = typed_as_text(value)
        if not isinstance(value, str):
            self.problems.add(path, f"is {type_name(value)}, expected a string")
            return fallback
        if not value.isascii() or not value.isprintable():
            self.problems.add(path, f"{show(value)} has non-ASCII or control characters; use plain ASCII")
            return fallback
        if max_len is not None and len(value) > max_len:
            self.problems.add(path, f"is {len(value)} characters long; at most {max_len} are allowed")
        if pattern is not None and not re.fullmatch(pattern, value):
            self.problems.add(path, f"{show(value)} is not valid; expected {hint}")
        return value

    @overload
    def choice(self, key: str, choices: Sequence[str], default: _Required = ..., *, doc: str = ..., source: str = ...,
               default_doc: str = ...) -> str: ...

    @overload
    def choice(self, key: str, choices: Sequence[str], default: D, *, doc: str = ..., source: str = ...,
               default_doc: str = ...) -> str | D: ...

    def choice(self, key: str, choices: Sequence[str], default: object = REQUIRED, *, doc: str = "", source: str = "",
               default_doc: str = "") -> object:
        """One of `choices`, with a did-you-mean; a wrong one reads as the default (or the first)."""
        self._declare(key, "one of", default, choices=tuple(choices), doc=doc, source=source, default_doc=default_doc)
        value = self.raw(key, default)
        if key not in self.data:  # unset: the default, or, when required, the first (raw() said so)
            return choices[0] if isinstance(default, _Required) else value
        if value is None and default is None:  # an optional choice left empty reads as unset
            return None
        if isinstance(value, str) and value in choices:
            return value
        close = did_you_mean(str(value), choices, cutoff=0.5)
        self.problems.add(self.key_path(key), f"{show(value)} is not one of {', '.join(choices)}"
                          f"{f' (did you mean {close!r}?)' if close else ''}")
        return choices[0] if isinstance(default, _Required) else default

    @overload
    def flag(self, key: str, default: bool | _Required = ..., *, doc: str = ..., source: str = ...,
             default_doc: str = ...) -> bool: ...

    @overload
    def flag(self, key: str, default: None, *, doc: str = ..., source: str = ...,
             default_doc: str = ...) -> bool | None: ...

    def flag(self, key: str, default: bool | _Required | None = REQUIRED, *, doc: str = "", source: str = "",
             default_doc: str = "") -> bool | None:
        """true or false; None as the default leaves an absent key unset."""
        self._declare(key, "boolean", default, doc=doc, source=source, default_doc=default_doc)
        value = self.raw(key, default)
        if isinstance(value, bool):
            return value
        if key not in self.data:  # absent: the default, or required and raw() said so
            return None if default is None else False
        self.problems.add(self.key_path(key), f"is {type_name(value)} {show(value)}, expected true or false")
        return default if isinstance(default, bool) or default is None else False

    @overload
    def whole(self, key: str, default: _Required = ..., *, minimum: int | None = ..., maximum: int | None = ...,
              doc: str = ..., source: str = ..., default_doc: str = ...) -> int: ...

    @overload
    def whole(self, key: str, default: D, *, minimum: int | None = ..., maximum: int | None = ..., doc: str = ...,
              source: str = ..., default_doc: str = ...) -> int | D: ...

    def whole(self, key: str, default: object = REQUIRED, *, minimum: int | None = None,
              maximum: int | None = None, doc: str = "", source: str = "", default_doc: str = "") -> object:
        """A whole number within its range; one out of range reads as its nearest bound."""
        self._declare(key, "whole number", default, minimum=minimum, maximum=maximum, doc=doc, source=source,
                      default_doc=default_doc)
        value = self.raw(key, default)
        fallback = (minimum or 0) if isinstance(default, _Required) else default
        if key not in self.data:  # unset: the default, or, when required, the lower bound (raw() said so)
            return fallback
        if value is None and default is None:  # an optional number left empty reads as unset
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.problems.add(self.key_path(key), f"is {type_name(value)} {show(value)}, expected a whole number")
            return fallback
        if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
            self.problems.add(self.key_path(key), f"is {value}, expected {_range(minimum, maximum)}")
            low = value if minimum is None else max(value, minimum)
            return low if maximum is None else min(low, maximum)
        return value

    # Addresses ---------------------------------------------------------------

    def cidr(self, key: str, default: Network4 | _Required | None = REQUIRED, *, doc: str = "", source: str = "",
             default_doc: str = "") -> Network4 | None:
        """An IPv4 CIDR in its canonical form (host bits zero)."""
        self._declare(key, "IPv4 CIDR", default, doc=doc, source=source, default_doc=default_doc)
        value = self.raw(key, default)
        if value is default or value is None:
            return None if isinstance(default, _Required) else default
        return parse_cidr(self.problems, self.key_path(key), value)

    def address(self, key: str, default: Address4 | _Required | None = REQUIRED, *, doc: str = "", source: str = "",
                default_doc: str = "") -> Address4 | None:
        self._declare(key, "IPv4 address", default, doc=doc, source=source, default_doc=default_doc)
        value = self.raw(key, default)
        if value is default or value is None:
            return None if isinstance(default, _Required) else default
        return parse_ip(self.problems, self.key_path(key), value)

    # Containers --------------------------------------------------------------

    def items(self, key: str, item: Item[T], default: Sequence[T] | _Required = REQUIRED, *, min_items: int = 0,
              max_items: int | None = None, unique: bool = True, doc: str = "", source: str = "",
              default_doc: str = "") -> tuple[T, ...]:
        """A list, each element read by `item`; wrong elements are left out (and reported)."""
        self._declare(key, "list", default, min_items=min_items, max_items=max_items, element=_element_of(item),
                      doc=doc, source=source, default_doc=default_doc)
        value = self.raw(key, default)
        if value is default or key not in self.data:  # absent: the default, or raw() said it is required
            return () if isinstance(default, _Required) else tuple(default)
        path = self.key_path(key)
        if not isinstance(value, list):
            self.problems.add(path, f"is {type_name(value)}, expected a list")
            return () if isinstance(default, _Required) else tuple(default)
        if len(value) < min_items:
            self.problems.add(path, f"has {len(value)} items, expected at least {min_items}")
        if max_items is not None and len(value) > max_items:
            self.problems.add(path, f"has {len(value)} items, expected at most {max_items}")
        out = [parsed for index, element in enumerate(value)
               if (parsed := item(self.problems, f"{path}[{index}]", element)) is not None]
        if unique:
            seen: set[object] = set()
            for parsed in out:
                marker = getattr(parsed, "name", parsed)
                if marker in seen:
                    self.problems.add(path, f"lists {show(str(marker))} twice; each entry must be unique")
                seen.add(marker)
        return tuple(out)

    def records(self, key: str, read: Callable[[Obj], T | None], *, min_items: int = 0,
                max_items: int | None = None, unique: bool = True, required: bool = False,
                null_hint: str | None = None, doc: str = "", source: str = "") -> tuple[T, ...]:
        """A list of mappings, each read by `read(Obj)`; unknown keys of each are reported."""
        if self.recording:  # one element stands for all: its keys are the list's
            self._declare(key, "list of mappings", REQUIRED if required else (), min_items=min_items,
                          max_items=max_items, doc=doc, source=source)
            self._read.add(key)
            read(Obj(self.problems, f"{self.key_path(key)}[]", {}))
            return ()
        def element(problems: Problems, path: str, value: object) -> T | None:
            obj = Obj(problems, path, value)
            if not obj.valid:
                if value is None:
                    problems.add(path, null_hint or "is null, expected a mapping of keys")
                return None
            parsed = read(obj)
            obj.done()
            return parsed
        return self.items(key, element, REQUIRED if required else (), min_items=min_items, max_items=max_items,
                          unique=unique)

    def nested(self, key: str, *, required: bool = False, doc: str = "", source: str = "") -> Obj | None:
        """A nested mapping, or None when absent and not required. A null (`firewall:` with nothing after it)
        is refused either way: read as absent it would silently drop a block its author meant to keep."""
        if self.recording:
            self._declare(key, "mapping", REQUIRED if required else None, doc=doc, source=source)
            self._read.add(key)
            return Obj(self.problems, self.key_path(key), {})
        if key not in self.data:
            self._read.add(key)
            if required:
                self.problems.add(self.key_path(key), "is required but missing")
            return None
        self._read.add(key)
        value = self.data[key]
        if value is None:
            self.problems.add(self.key_path(key), "is required but empty (null)" if required else
                              "is empty (null): give its keys, or leave it out")
            return None
        return Obj(self.problems, self.key_path(key), value)

    def labels(self, key: str, *, doc: str = "", source: str = "", default_doc: str = "") -> dict[str, str]:
        """Kubernetes-style labels or Azure tags: string keys to string values."""
        self._declare(key, "map", {}, element="a string", doc=doc, source=source, default_doc=default_doc)
        return labels_item(self.problems, self.key_path(key), self.raw(key, {}))

    def mapping(self, key: str, read: Callable[[Problems, str, str, object], T | None], *, required: bool = False,
                keys: Sequence[str] = (), element: str = "", doc: str = "", source: str = "") -> dict[str, T]:
        """A mapping whose keys are names (of `keys`, when only those are accepted), each value read by
        `read(problems, path, key, value)`."""
        default: object = REQUIRED if required else {}
        self._declare(key, "map", default, keys=tuple(keys), element=element, doc=doc, source=source)
        return mapping_of(self.problems, self.key_path(key), self.raw(key, default), read)


def _range(minimum: int | None, maximum: int | None) -> str:
    if minimum is not None and maximum is not None:
        return f"a whole number from {minimum} to {maximum}"
    if minimum is not None:
        return f"a whole number of at least {minimum}"
    return f"a whole number of at most {maximum}"


def parse_cidr(problems: Problems, path: str, value: object) -> Network4 | None:
    """An IPv4 CIDR written in its canonical form (host bits zero)."""
    if isinstance(value, str) and "/" not in value:
        problems.add(path, f"{show(value)} has no prefix length; expected an IPv4 CIDR such as 10.1.0.0/16")
        return None
    network = _ipv4(problems, path, value, lambda text: ipaddress.ip_network(text, strict=False), "CIDR",
                    "10.1.0.0/16")
    if isinstance(network, Network4) and str(network) != value:
        problems.add(path, f"{show(value)} has host bits set; the network is {network}")
        return None
    return network if isinstance(network, Network4) else None


def parse_ip(problems: Problems, path: str, value: object) -> Address4 | None:
    address = _ipv4(problems, path, value, ipaddress.ip_address, "address", "10.0.0.10")
    return address if isinstance(address, Address4) else None


def _ipv4(problems: Problems, path: str, value: object, parse: Callable[[str], object], what: str,
          example: str) -> object:
    """`parse(value)` when it is IPv4, else None with the problem recorded."""
    if not isinstance(value, str):
        problems.add(path, f"is {type_name(value)}, expected an IPv4 {what} such as {example}")
        return None
    try:
        parsed = parse(value)
    except ValueError:
        problems.add(path, f"{show(value)} is not an IPv4 {what}; expected the form {example}")
        return None
    if not isinstance(parsed, Network4 | Address4):
        problems.add(path, f"{show(value)} is IPv6; expected an IPv4 {what}")
        return None
    return parsed


def string_item(pattern: str | None = None, hint: str = "") -> Item[str]:
    @element(hint or "a non-empty string")
    def read(problems: Problems, path: str, value: object) -> str | None:
        if not isinstance(value, str) or not value:
            problems.add(path, f"is {type_name(value)}, expected a non-empty string")
            return None
        if not value.isascii() or not value.isprintable():
            problems.add(path, f"{show(value)} has non-ASCII or control characters; use plain ASCII")
            return None
        if pattern is not None and not re.fullmatch(pattern, value):
            problems.add(path, f"{show(value)} is not valid; expected {hint}")
            return None
        return value
    return read


def choice_item(choices: Sequence[str]) -> Item[str]:
    @element(f"one of {', '.join(choices)}")
    def read(problems: Problems, path: str, value: object) -> str | None:
        if isinstance(value, str) and value in choices:
            return value
        problems.add(path, f"{show(value)} is not one of {', '.join(choices)}")
        return None
    return read


@element("an availability zone: 1, 2 or 3")
def zone_item(problems: Problems, path: str, value: object) -> str | None:
    """Availability zones are written 1, 2, 3 (numbers or strings); Azure takes strings."""
    text = str(value) if isinstance(value, int | str) and not isinstance(value, bool) else None
    if text not in ("1", "2", "3"):
        problems.add(path, f"{show(value)} is not an availability zone; expected 1, 2 or 3")
        return None
    return text


def mapping_of(problems: Problems, path: str, value: object,
               read: Callable[[Problems, str, str, object], T | None]) -> dict[str, T]:
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


def labels_item(problems: Problems, path: str, value: object) -> dict[str, str]:
    """Kubernetes-style labels or Azure tags: string keys to string values."""
    def read(problems: Problems, key_path: str, key: str, element: object) -> str | None:
        text = typed_as_text(element)
        if not isinstance(text, str):
            problems.add(key_path, f"is {type_name(element)}, expected a string")
            return None
        if not text.isascii() or not key.isascii():
            problems.add(key_path, "has non-ASCII characters; use plain ASCII")
            return None
        return text
    return mapping_of(problems, path, value, read)
