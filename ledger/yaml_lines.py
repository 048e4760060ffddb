"""YAML that remembers where every value came from, for `file:line` diagnostics.

`load(text)` returns plain Python data and a `Positions` map from a path such as
`("rules", 0, "patterns", 1)` to the 1-based (line, column) of that node. Scalars stay strings
unless they are plain integers, floats, booleans or null: dates are never turned into
`datetime` objects, so they reach pydantic as text. Duplicate keys are errors.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

Path = tuple[str | int, ...]

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


def _scalar(node: yaml.ScalarNode) -> Any:
    value = node.value
    if node.style is not None:  # quoted: always text
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


def _build(node: yaml.Node, path: Path, positions: Positions) -> Any:
    positions.nodes[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.ScalarNode):
        return _scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return [_build(child, (*path, i), positions) for i, child in enumerate(node.value)]
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in result:
                raise YamlProblem(f"duplicate key {key!r}", key_node.start_mark.line + 1,
                                  key_node.start_mark.column + 1)
            result[key] = _build(value_node, (*path, key), positions)
            # a key's own position is more useful than its value's for "unknown key" errors
            positions.nodes[(*path, key)] = (key_node.start_mark.line + 1,
                                             key_node.start_mark.column + 1)
        return result
    raise YamlProblem("unsupported YAML node", node.start_mark.line + 1, 1)


def load(text: str) -> tuple[Any, Positions]:
    """Parse one YAML document; raises YamlProblem with the position of a syntax error."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise YamlProblem(f"invalid YAML: {exc.problem or exc.context}", line, col) from exc
    except yaml.YAMLError as exc:
        raise YamlProblem(f"invalid YAML: {exc}", 1, 1) from exc
    positions = Positions()
    if root is None:
        return None, positions
    return _build(root, (), positions), positions
