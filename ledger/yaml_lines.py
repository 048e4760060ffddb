"""YAML that remembers where every value came from, for `file:line` diagnostics.

`load(text)` returns plain Python data and a `Positions` map from a path such as
`("rules", 0, "patterns", 1)` to the 1-based (line, column) of that node. Scalars stay strings
unless they are plain integers, floats, booleans or null: dates are never turned into
`datetime` objects, so they reach pydantic as text. Duplicate keys are errors.

Every YAML file ledger reads (rules, decisions, rate sidecars, gazetteer, parties, lexicons,
front matter) goes through `load`, which is safe on hostile input: anchors and aliases are
refused (an alias "bomb" of a few hundred bytes would otherwise expand to gigabytes), and the
text's size and nesting depth are bounded, so memory stays a small multiple of the file's size.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

Path = tuple[str | int, ...]

MAX_YAML_BYTES = 20_000_000
"""The largest YAML text ledger reads (a rule book or gazetteer is far smaller)."""
MAX_YAML_DEPTH = 64
"""The deepest nesting of lists and mappings allowed."""

_INT = re.compile(r"[-+]?\d+")
_FLOAT = re.compile(r"[-+]?(\d+\.\d*|\.\d+|\d+)([eE][-+]?\d+)?")


class YamlProblem(Exception):
    """A YAML syntax or structure problem at a 1-based line and column."""

    def __init__(self, message: str, line: int, col: int) -> None:
        super().__init__(message)
        self.message, self.line, self.col = message, line, col


@dataclass
class Positions:
    nodes: dict[Path, tuple[int, int]] = field(default_factory=dict)

    def of(self, path: Path) -> tuple[int, int]:
        """Position of the deepest known node along `path`."""
        for cut in range(len(path), -1, -1):
            if path[:cut] in self.nodes:
                return self.nodes[path[:cut]]
        return 1, 1


class _BoundedLoader(yaml.SafeLoader):
    """A SafeLoader that composes no alias and no node deeper than MAX_YAML_DEPTH."""

    _depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        event: Any = self.peek_event()  # type: ignore[no-untyped-call]
        mark: Any = event.start_mark
        if isinstance(event, yaml.AliasEvent):
            raise YamlProblem("YAML aliases (*name) are not allowed: write the value out",
                              mark.line + 1, mark.column + 1)
        if event.anchor is not None:
            raise YamlProblem("YAML anchors (&name) are not allowed: write the value out",
                              event.start_mark.line + 1, event.start_mark.column + 1)
        self._depth += 1
        try:
            if self._depth > MAX_YAML_DEPTH:
                raise YamlProblem(f"nesting deeper than {MAX_YAML_DEPTH} levels",
                                  event.start_mark.line + 1, event.start_mark.column + 1)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _scalar(node: yaml.ScalarNode, plain_text: bool = False) -> Any:
    value = node.value
    if node.style or plain_text:  # quoted or block: always text (libyaml says "" for plain)
        return value
    if value in ("", "~", "null", "Null", "NULL"):
        return None
    if value in ("true", "True", "TRUE"):
        return True
    if value in ("false", "False", "FALSE"):
        return False
    if _INT.fullmatch(value):
        return int(value)
    if _FLOAT.fullmatch(value):
        return float(value)
    return value


def _build(node: yaml.Node, path: Path, positions: Positions, plain_text: bool = False) -> Any:
    positions.nodes[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.ScalarNode):
        return _scalar(node, plain_text)
    if isinstance(node, yaml.SequenceNode):
        return [_build(child, (*path, i), positions, plain_text)
                for i, child in enumerate(node.value)]
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in result:
                raise YamlProblem(f"duplicate key {key!r}", key_node.start_mark.line + 1,
                                  key_node.start_mark.column + 1)
            result[key] = _build(value_node, (*path, key), positions, plain_text)
            # a key's own position is more useful than its value's for "unknown key" errors
            positions.nodes[(*path, key)] = (key_node.start_mark.line + 1,
                                             key_node.start_mark.column + 1)
        return result
    raise YamlProblem("unsupported YAML node", node.start_mark.line + 1, 1)


def load(text: str, plain_text: bool = False) -> tuple[Any, Positions]:
    """Parse one YAML document; raises YamlProblem with the position of a syntax error, an
    alias or anchor, nesting past MAX_YAML_DEPTH or a text past MAX_YAML_BYTES.
    With `plain_text`, every scalar stays a string (as YAML's base loader reads them)."""
    if len(text) > MAX_YAML_BYTES:
        raise YamlProblem(f"YAML text of {len(text):,} characters is larger than the "
                          f"{MAX_YAML_BYTES:,} ledger reads", 1, 1)
    root = _compose_fast(text)
    if root is False:  # no libyaml, or a problem: the Python loader names it precisely
        root = _compose_checked(text)
    positions = Positions()
    if root is None:
        return None, positions
    return _build(root, (), positions, plain_text), positions


def _compose_fast(text: str) -> Any:
    """Compose with libyaml (C) after a pass over its events that finds no alias, anchor or
    excessive depth; False when libyaml is absent or anything is wrong."""
    loader = getattr(yaml, "CSafeLoader", None)
    if loader is None:
        return False
    try:
        depth = 0
        for event in yaml.parse(text, Loader=loader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
                return False
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_YAML_DEPTH:
                    return False
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
        return yaml.compose(text, Loader=loader)
    except (yaml.YAMLError, RecursionError):
        return False


def _compose_checked(text: str) -> Any:
    """Compose with the Python loader that refuses aliases and deep nesting at their line."""
    try:
        loader = _BoundedLoader(text)
        try:
            return loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise YamlProblem(f"invalid YAML: {exc.problem or exc.context}", line, col) from exc
    except yaml.YAMLError as exc:
        raise YamlProblem(f"invalid YAML: {exc}", 1, 1) from exc
    except RecursionError as exc:
        raise YamlProblem(f"nesting deeper than {MAX_YAML_DEPTH} levels", 1, 1) from exc
